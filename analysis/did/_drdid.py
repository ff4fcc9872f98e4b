"""Covariates, sampling weights and clusters: R did's 2x2 estimators (DRDID) for every cell.

Each ATT(g,t) cell is the panel 2x2 estimator R `did` 2.5.1 calls for panel data: DRDID's
`drdid_panel` (est_method "dr", the locally efficient doubly robust estimator with a logit
propensity score and a linear outcome regression for the comparison group), `std_ipw_did_panel`
("ipw", normalised inverse-probability weighting) or `reg_did_panel` ("reg", outcome regression).
The covariates are those of the earlier of the cell's two periods, as in R.

Why this is fast
----------------
Cells that share the treated cohort, the comparison set and the covariate period share their
propensity-score and outcome-regression fits (a "model"): with never-treated comparisons and
time-invariant covariates there is one model per cohort; with not-yet-treated comparisons a new
model starts only when a cohort leaves the comparison set. Per model:

* the outcome regression needs only per-cohort sums (sum W X X', sum W X Y'), so the
  coefficients of every cell of the model come from one p x T matrix B = Q^-1 P;
* the propensity score is one weighted logit (Newton-Raphson, warm-started from the model of the
  same cohort fitted before it);
* the propensity-weighted sums over comparison units (sum w.cont Y, sum w.cont X Y') are one
  matrix product per cohort block.

The influence function of cell k for unit i is exactly

    psi_ik = a_i(m) (Y_i,t - Y_i,b) + H_i(m) . zeta_k

with a per-unit scalar a and feature vector H (weights, covariates, fitted propensity score) that
depend only on the model m, and a per-cell coefficient vector zeta_k (minus the regression
coefficients, the two means, the propensity-score estimation effect). So nothing per unit is
stored: variances, cluster sums and bootstrap draws of any linear combination of cells are
accumulated by streaming over row blocks of the units x periods outcome matrix, each block a few
matrix products (`functional_moments`). Cost is O(sum over cells of the units in the cell),
memory O(block x functionals).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import linalg, sparse
from scipy.special import expit

from analysis.did._engine import CellDef
from analysis.did._logit import fit_logit
from analysis.did._prep import DiDInputError, Panel

EST_METHODS = ("dr", "ipw", "reg")
# which period's covariates a cell uses: R's rule (the earlier of t and b), the base period b,
# or the cohort's last period before treatment (g - anticipation - 1) for every cell of cohort g
COVARIATE_PERIODS = ("earlier", "base", "pre_treatment")
ROW_CHUNK = 2048  # rows per streaming block (fixed: bootstrap draws depend on it)
_PS_CAP = 1 - 1e-6  # R caps fitted propensity scores here
_TRIM = 0.995  # R drops comparison units with a propensity score at or above this
_OVERLAP = 0.999  # R sets a cell to NA when an (unweighted) fitted score reaches this
_EPS = np.finfo(float).eps


@dataclass
class _Stats:
    """Per-cohort weighted sums (design already transformed; `xxr` is raw and unweighted)."""

    n: int
    sw: float
    swx: np.ndarray
    swxx: np.ndarray
    swy: np.ndarray
    swxy: np.ndarray
    xxr: np.ndarray
    swxxr: np.ndarray

    def __add__(self, o: _Stats) -> _Stats:
        return _Stats(
            self.n + o.n,
            self.sw + o.sw,
            self.swx + o.swx,
            self.swxx + o.swxx,
            self.swy + o.swy,
            self.swxy + o.swxy,
            self.xxr + o.xxr,
            self.swxxr + o.swxxr,
        )


@dataclass
class Model:
    """Cells sharing treated cohort, comparison set and covariate period."""

    gidx: int
    ctrl: np.ndarray  # cohort indices of the comparison set
    s: int  # covariate period index (-1: time-invariant covariates)
    cells: np.ndarray  # global cell indices
    tidx: np.ndarray
    bidx: np.ndarray
    ok: bool = True
    reason: str = ""
    theta: np.ndarray | None = None  # propensity-score coefficients (transformed design)
    lam: np.ndarray | None = None  # outcome-regression estimation-effect vector
    s_t: float = np.nan  # sum of weights of the treated
    s_c: float = np.nan  # sum of propensity weights of the comparison units
    zeta: np.ndarray | None = None  # (F, cells) per-cell coefficients
    att: np.ndarray | None = None
    n_trimmed: int = 0
    warnings: list[str] = field(default_factory=list)


def _trimmed_odds(mu: np.ndarray) -> np.ndarray:
    """A comparison unit's propensity weight mu / (1 - mu), 0 where R trims it (mu >= _TRIM)."""
    return np.where(mu < _TRIM, mu / (1 - mu), 0.0)


class CovEngine:
    """All cells of `att_gt` with covariates / weights / clusters, and their influence functions."""

    def __init__(
        self,
        panel: Panel,
        cd: CellDef,
        *,
        est_method: str,
        anticipation: int,
        covariate_period: str = "earlier",
    ):
        if est_method not in EST_METHODS:
            raise DiDInputError(f"est_method must be one of {EST_METHODS}, got {est_method!r}")
        if covariate_period not in COVARIATE_PERIODS:
            raise DiDInputError(
                f"covariate_period must be one of {COVARIATE_PERIODS}, got {covariate_period!r}"
            )
        self.covariate_period = covariate_period
        self.anticipation = anticipation
        self.est_method = est_method
        self.has_ps = est_method in ("dr", "ipw")
        self.has_or = est_method in ("dr", "reg")
        self.cd = cd
        self.cohorts = panel.cohorts
        self.tlist = panel.tlist
        self.starts = panel.starts
        self.n = panel.n_units
        ymat = panel.y[panel.order]
        self.y = np.ascontiguousarray(ymat if panel.cols is None else ymat[:, panel.cols])
        self.w = np.ones(self.n) if panel.w is None else panel.w.astype(float)
        self.weighted = panel.w is not None and not np.all(self.w == self.w[0])
        self.cluster = panel.cluster
        self.n_clusters = panel.n_clusters
        self.unit_cohort = np.repeat(np.arange(self.cohorts.size), panel.n_by_cohort)
        self.n_by_cohort = panel.n_by_cohort
        # design: intercept + covariates, centred and scaled (the estimators are invariant to a
        # full-rank linear reparameterisation of the design; this only helps the conditioning)
        x = panel.x
        self.x_varying = panel.x_varying
        if x is None:
            x = np.zeros((self.n, 0))
        self.x_raw = x
        flat = x.reshape(-1, x.shape[-1]) if x.ndim == 3 else x
        self.x_mu = flat.mean(axis=0) if flat.size else np.zeros(0)
        sd = flat.std(axis=0) if flat.size else np.zeros(0)
        self.x_sd = np.where(sd > 0, sd, 1.0)
        self.p = x.shape[-1] + 1
        # raw design = transformed design @ T_inv, i.e. X_raw' A X_raw = T_inv' (X' A X) T_inv
        tinv = np.eye(self.p)
        tinv[0, 1:] = self.x_mu
        tinv[1:, 1:] = np.diag(self.x_sd)
        self.tinv = tinv
        self._stats: dict[tuple[int, int], _Stats] = {}
        self.notes: list[str] = []
        self._build_models()
        self._fit_models()

    # ------------------------------------------------------------------ data access
    def block(self, c: int) -> slice:
        return slice(int(self.starts[c]), int(self.starts[c + 1]))

    def design(self, rows: slice | np.ndarray, s: int) -> np.ndarray:
        xr = self.x_raw[rows] if not self.x_varying else self.x_raw[rows, s, :]
        out = np.empty((xr.shape[0], self.p))
        out[:, 0] = 1.0
        np.subtract(xr, self.x_mu, out=out[:, 1:])
        out[:, 1:] /= self.x_sd
        return out

    def stats(self, c: int, s: int) -> _Stats:
        key = (c, s)
        st = self._stats.get(key)
        if st is None:
            sl = self.block(c)
            x = self.design(sl, s)
            w = self.w[sl]
            y = self.y[sl]
            wx = x * w[:, None]
            xr = x @ self.tinv
            st = _Stats(
                n=sl.stop - sl.start,
                sw=float(w.sum()),
                swx=wx.sum(axis=0),
                swxx=wx.T @ x,
                swy=w @ y,
                swxy=wx.T @ y,
                xxr=xr.T @ xr,
                swxxr=(xr * w[:, None]).T @ xr,
            )
            self._stats[key] = st
        return st

    def _comparison_stats(self, m: Model) -> _Stats:
        """The moments of model m's comparison units (the sum over its comparison cohorts)."""
        st_c = self.stats(int(m.ctrl[0]), m.s)
        for c in m.ctrl[1:]:
            st_c = st_c + self.stats(int(c), m.s)
        return st_c

    # ------------------------------------------------------------------ models
    def _build_models(self) -> None:
        cd = self.cd
        use = ~cd.reference
        if not self.x_varying:
            s_of = np.full(cd.tidx.size, -1)
        elif self.covariate_period == "earlier":
            s_of = np.minimum(cd.tidx, cd.bidx)
        elif self.covariate_period == "base":
            s_of = cd.bidx.copy()
        else:
            tl = self.tlist
            last_pre = {
                int(g): int(np.flatnonzero(tl + self.anticipation < g)[-1])
                for g in np.unique(cd.group)
            }
            s_of = np.array([last_pre[int(g)] for g in cd.group], dtype=np.int64)
        # one model per (cohort, comparison set, covariate period), in order of first appearance,
        # its cells in cell order
        ks = np.flatnonzero(use)
        key = np.column_stack([cd.gidx[ks], s_of[ks], cd.control[ks].astype(np.int64)])
        _, first, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
        inv = inv.reshape(-1)
        by_model = ks[np.argsort(inv, kind="stable")]
        counts = np.bincount(inv, minlength=first.size)
        ends = np.cumsum(counts)
        self.models: list[Model] = []
        for u in np.argsort(first, kind="stable"):
            cells_a = by_model[ends[u] - counts[u] : ends[u]]
            k0 = cells_a[0]
            self.models.append(
                Model(
                    gidx=int(cd.gidx[k0]),
                    ctrl=np.flatnonzero(cd.control[k0]).astype(np.int64),
                    s=int(s_of[k0]),
                    cells=cells_a,
                    tidx=cd.tidx[cells_a],
                    bidx=cd.bidx[cells_a],
                )
            )
        # models involving each cohort (as treated or as comparison)
        self.models_of: list[list[int]] = [[] for _ in range(self.cohorts.size)]
        for mi, m in enumerate(self.models):
            self.models_of[m.gidx].append(mi)
            for c in m.ctrl:
                self.models_of[int(c)].append(mi)

    def _fail(self, m: Model, reason: str, message: str) -> None:
        m.ok = False
        m.reason = reason
        m.warnings.append(message)

    def _fit_models(self) -> None:
        warm: dict[int, np.ndarray] = {}
        for m in self.models:
            if m.ctrl.size == 0:
                self._fail(m, "no comparison units", "no comparison units")
                continue
            st_g = self.stats(m.gidx, m.s)
            st_c = self._comparison_stats(m)
            m.s_t = st_g.sw
            if st_g.sw <= 0 or st_c.sw <= 0:
                self._fail(m, "zero weight", "all treated or all comparison weights are zero")
                continue
            if self.has_ps:
                self._fit_ps(m, warm)
                if not m.ok:
                    continue
            # R: rcond(crossprod(X_C)) < eps (unweighted) and rcond(X_C' W X_C) < eps
            if self.has_or and (_rcond(st_c.xxr) < _EPS or _rcond(st_c.swxxr) < _EPS):
                self._fail(
                    m,
                    "singular",
                    "covariate matrix for comparison units is singular or numerically "
                    "ill-conditioned",
                )
                continue
        self._control_sums()
        for m in self.models:
            if m.ok:
                self._estimate(m)

    def _ps_rows(self, m: Model) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        blocks = [self.block(m.gidx)] + [self.block(int(c)) for c in m.ctrl]
        x = np.concatenate([self.design(b, m.s) for b in blocks])
        w = np.concatenate([self.w[b] for b in blocks])
        n_g = blocks[0].stop - blocks[0].start
        d = np.zeros(x.shape[0])
        d[:n_g] = 1.0
        return x, w, d, np.asarray([n_g])

    def _fit_ps(self, m: Model, warm: dict[int, np.ndarray]) -> None:
        x, w, d, _ = self._ps_rows(m)
        start = warm.get(m.gidx)
        # R's overlap check uses an unweighted logit
        if self.weighted:
            ov = fit_logit(x, d, None, start=start)
            ov_max = float(expit(x @ ov.coef).max())
        fit = fit_logit(x, d, w, start=start)
        if fit.singular or not np.all(np.isfinite(fit.coef)):
            self._fail(
                m,
                "ps",
                "propensity score coefficients are not identified (collinear or constant "
                "covariates)",
            )
            return
        if not self.weighted:
            ov_max = float(expit(x @ fit.coef).max())
        if ov_max >= _OVERLAP:
            self._fail(m, "overlap", "overlap condition violated")
            return
        if not fit.converged:
            m.warnings.append(
                f"propensity score estimation did not converge in {fit.iterations} iterations"
            )
        if fit.separated:
            m.warnings.append("propensity score: fitted probabilities of 0 or 1 (separation)")
        warm[m.gidx] = fit.coef
        m.theta = fit.coef
        mu = np.minimum(expit(x @ fit.coef), _PS_CAP)
        v = w * mu * (1 - mu)
        hs = (x * v[:, None]).T @ x
        try:
            m._hs_cho = linalg.cho_factor(hs)
        except linalg.LinAlgError:
            self._fail(m, "ps", "propensity score information matrix is not positive definite")

    def _control_sums(self) -> None:
        """Propensity-weighted sums over comparison units, one matrix product per cohort block."""
        if not self.has_ps:
            return
        p, n_t = self.p, self.y.shape[1]
        for m in self.models:
            if m.ok:
                m._sc = 0.0
                m._rx = np.zeros(p)
                m._rxx = np.zeros((p, p))
                m._ry = np.zeros(n_t)
                m._rxy = np.zeros((p, n_t))
        for c in range(self.cohorts.size):
            ms = [
                mi for mi in self.models_of[c] if self.models[mi].ok and self.models[mi].gidx != c
            ]
            if not ms:
                continue
            sl = self.block(c)
            by_s: dict[int, list[int]] = {}
            for mi in ms:
                by_s.setdefault(self.models[mi].s, []).append(mi)
            for s, mis in by_s.items():
                theta = np.column_stack([self.models[mi].theta for mi in mis])
                step = max(512, (1 << 22) // max(1, len(mis)))  # bound the rows x models temps
                for r0 in range(sl.start, sl.stop, step):
                    rows = slice(r0, min(r0 + step, sl.stop))
                    self._control_sums_block(rows, s, mis, theta)

    def _control_sums_block(self, rows: slice, s: int, mis: list[int], theta: np.ndarray) -> None:
        p = self.p
        x = self.design(rows, s)
        mu = np.minimum(expit(x @ theta), _PS_CAP)
        wc = self.w[rows, None] * _trimmed_odds(mu)  # (n, M)
        y = self.y[rows]
        ry = y.T @ wc  # (T, M)
        rx = x.T @ wc  # (p, M)
        if len(mis) < p:  # few models (e.g. one per cohort): one product per model
            wx = [x * wc[:, j, None] for j in range(len(mis))]
            rxy = np.stack([v.T @ y for v in wx])  # (M, p, T)
            rxx = np.stack([v.T @ x for v in wx])
        else:  # many models sharing the block: one product per feature (pair)
            rxy = np.stack([(wc * x[:, f, None]).T @ y for f in range(p)], axis=1)
            rxx = np.empty((len(mis), p, p))
            for f in range(p):
                for g in range(f + 1):
                    v = wc.T @ (x[:, f] * x[:, g])
                    rxx[:, f, g] = v
                    rxx[:, g, f] = v
        ntrim = np.count_nonzero(mu >= _TRIM, axis=0)
        for j, mi in enumerate(mis):
            m = self.models[mi]
            m._sc += float(wc[:, j].sum())
            m._rx += rx[:, j]
            m._rxx += rxx[j]
            m._ry += ry[:, j]
            m._rxy += rxy[j]
            m.n_trimmed += int(ntrim[j])

    def _estimate(self, m: Model) -> None:
        t, b = m.tidx, m.bidx
        st_g = self.stats(m.gidx, m.s)
        st_c = self._comparison_stats(m)
        s_t = st_g.sw
        dy_g = st_g.swy[t] - st_g.swy[b]  # (cells,)
        parts: list[np.ndarray] = []
        if self.has_or:
            q_cho = linalg.cho_factor(st_c.swxx)
            bmat = linalg.cho_solve(q_cho, st_c.swxy)  # (p, T)
            beta = bmat[:, t] - bmat[:, b]  # (p, cells)
        if self.est_method == "reg":
            eta_t = dy_g / s_t
            eta_c = (st_g.swx @ beta) / s_t
            m.lam = linalg.cho_solve(q_cho, st_g.swx / s_t)
            parts = [-beta, -(eta_t - eta_c)[None, :]]
            m.att = eta_t - eta_c
            m.zeta = np.vstack(parts)
            return
        s_c = m._sc
        m.s_c = s_c
        if not s_c > 0:
            self._fail(
                m, "trimmed", "every comparison unit was trimmed (propensity score >= 0.995)"
            )
            return
        dr_c = m._ry[t] - m._ry[b]
        drxy = m._rxy[:, t] - m._rxy[:, b]  # (p, cells)
        if self.est_method == "dr":
            eta_t = (dy_g - st_g.swx @ beta) / s_t
            eta_c = (dr_c - m._rx @ beta) / s_c
            m2 = (drxy - m._rxx @ beta - np.outer(m._rx, eta_c)) / s_c
            m.lam = linalg.cho_solve(q_cho, st_g.swx / s_t - m._rx / s_c)
            kappa = linalg.cho_solve(m._hs_cho, m2)
            parts = [-beta, -eta_t[None, :], eta_c[None, :], -kappa]
        else:  # ipw
            eta_t = dy_g / s_t
            eta_c = dr_c / s_c
            m2 = (drxy - np.outer(m._rx, eta_c)) / s_c
            kappa = linalg.cho_solve(m._hs_cho, m2)
            parts = [-eta_t[None, :], eta_c[None, :], -kappa]
        m.att = eta_t - eta_c
        m.zeta = np.vstack(parts)

    def att_by_group(
        self,
        mi: int,
        codes: np.ndarray,
        n_groups: int,
        y: np.ndarray | None = None,
        tidx: np.ndarray | None = None,
        bidx: np.ndarray | None = None,
    ) -> np.ndarray:
        """ATTs of model `mi`'s cells within groups of its units, with the model's own propensity
        score and outcome regression: each group's treated against the group's (propensity-
        weighted) comparisons, as `_estimate` does for all of them.

        `codes`: (n_units,) group 0..n_groups-1 of every unit in panel order (-1: none). `y`,
        `tidx`, `bidx`: other outcome columns (units in panel order) and the cells on them (each
        cell's period and base column), with the model's propensity score and an outcome
        regression of their own on the same design (default: the model's cells). Returns
        (n_groups, cells), NaN where a group has no treated or no comparison weight; with every
        unit in group 0 it is the model's `att`."""
        m = self.models[mi]
        own = y is None
        y, t, b = (self.y, m.tidx, m.bidx) if own else (y, tidx, bidx)
        groups = np.arange(n_groups)[:, None]

        def group_sums(blocks: list[slice], treated: bool):
            """Per group: sums of weight x y and of weight x design, the weights; and the
            comparisons' x'Wy for an outcome regression of other columns (one design a block)."""
            gy = np.zeros((n_groups, y.shape[1]))
            gx = np.zeros((n_groups, self.p))
            sw = np.zeros(n_groups)
            xwy = 0.0
            for sl in blocks:
                x = self.design(sl, m.s)
                w = self.w[sl]
                if not treated:
                    if not own and self.has_or:
                        xwy = xwy + (x * w[:, None]).T @ y[sl]
                    if self.has_ps:
                        w = w * _trimmed_odds(np.minimum(expit(x @ m.theta), _PS_CAP))
                gw = (codes[sl][None, :] == groups) * w[None, :]  # (groups, units)
                gy += gw @ y[sl]
                gx += gw @ x
                sw += gw.sum(axis=1)
            return gy, gx, sw, xwy

        tr = group_sums([self.block(m.gidx)], True)
        co = group_sums([self.block(int(c)) for c in m.ctrl], False)
        bmat = np.zeros((self.p, y.shape[1]))  # no outcome regression ("ipw")
        if self.has_or:
            st_c = self._comparison_stats(m)
            swxy = st_c.swxy if own else co[3]
            bmat = linalg.cho_solve(linalg.cho_factor(st_c.swxx), swxy)  # (p, columns)
        with np.errstate(invalid="ignore", divide="ignore"):
            att = np.zeros((n_groups, t.size))
            terms = [(tr, 1.0), (co, -1.0)] if self.has_ps else [(tr, 1.0)]
            for (gy, gx, sw, _), sign in terms:  # "reg": the regression is the comparison term
                r = gy - gx @ bmat
                att += sign * (r[:, t] - r[:, b]) / np.where(sw > 0, sw, np.nan)[:, None]
        return att

    # ------------------------------------------------------------------ per-unit terms
    @property
    def n_features(self) -> int:
        p = self.p
        return {"dr": 2 * p + 2, "ipw": p + 2, "reg": p + 1}[self.est_method]

    def block_terms(self, c: int, rows: slice, mis: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(a, H) of psi = a (Y_t - Y_b) + H . zeta for `rows` of cohort c, models `mis`.

        Returns a (rows, M) and H (F, rows, M) (feature-major, each feature a contiguous
        rows x M matrix); all models must share the covariate period.
        """
        ms = [self.models[mi] for mi in mis]
        x = self.design(rows, ms[0].s)
        w = self.w[rows]
        nr, n_m, p = x.shape[0], len(ms), self.p
        treated = np.array([m.gidx == c for m in ms])
        s_t = np.array([m.s_t for m in ms])
        wt = np.where(treated[None, :], w[:, None] / s_t[None, :], 0.0)
        a = wt.copy()
        h = np.empty((self.n_features, nr, n_m))
        col = 0
        if self.has_ps:
            theta = np.column_stack([m.theta for m in ms])
            s_c = np.array([m.s_c for m in ms])
            mu = np.minimum(expit(x @ theta), _PS_CAP)
            wc = _trimmed_odds(mu)
            wc *= w[:, None]
            wc[:, treated] = 0.0
            wc /= s_c[None, :]
            a -= wc
        if self.has_or:
            lam = np.column_stack([m.lam for m in ms])
            xl = x @ lam
            xl *= w[:, None]
            xl[:, treated] = 0.0
            a -= xl
            for j in range(p):
                np.multiply(a, x[:, j, None], out=h[j])
            col = p
        h[col] = wt
        col += 1
        if self.has_ps:
            h[col] = wc
            col += 1
            dm = treated[None, :] - mu
            dm *= w[:, None]
            for j in range(p):
                np.multiply(dm, x[:, j, None], out=h[col + j])
        return a, h

    def unit_terms(self, m: Model, c: int, rows: slice) -> tuple[np.ndarray, np.ndarray]:
        """(a, H) for one model (see `block_terms`)."""
        a, h = self.block_terms(c, rows, [self.models.index(m)])
        return a[:, 0], h[:, :, 0].T

    def _groups_of(self, c: int, mis: list[int]) -> list[list[int]]:
        by_s: dict[int, list[int]] = {}
        for mi in mis:
            by_s.setdefault(self.models[mi].s, []).append(mi)
        return list(by_s.values())

    def cell_variances(self) -> np.ndarray:
        """sum_i psi_ik^2 for every cell, from per-model moments (unit-level clustering).

        var_k = sum a^2 (dY_k)^2 + 2 zeta_k . sum a H dY_k + zeta_k' (sum H H') zeta_k, where the
        outcome moments per model are matrix products over each cohort block: sum a^2 Y_t^2,
        sum a^2 Y_t Y_b for the model's fixed base period, sum a^2 Y_t Y_(t-1), sum a H_f Y_t.
        """
        n_cells = self.cd.gidx.size
        n_t = self.y.shape[1]
        f = self.n_features
        n_mod = len(self.models)
        g2 = np.zeros((n_mod, n_t))
        gb = np.zeros((n_mod, n_t))
        gl = np.zeros((n_mod, max(n_t - 1, 0)))
        ah = np.zeros((n_mod, f, n_t))
        hh = np.zeros((n_mod, f, f))
        base_of = np.zeros(n_mod, dtype=np.int64)
        extra: dict[int, list[int]] = {}
        for mi, m in enumerate(self.models):
            if not m.ok:
                continue
            vals, cnt = np.unique(m.bidx, return_counts=True)
            base_of[mi] = vals[np.argmax(cnt)]
            odd = np.flatnonzero((m.bidx != base_of[mi]) & (m.bidx != m.tidx - 1))
            if odd.size:
                extra[mi] = odd.tolist()
        cross_extra: dict[tuple[int, int], float] = {}
        for c in range(self.cohorts.size):
            mis_all = [mi for mi in self.models_of[c] if self.models[mi].ok]
            if not mis_all:
                continue
            sl = self.block(c)
            for mis in self._groups_of(c, mis_all):
                idx = np.asarray(mis)
                step = max(256, min(4 * ROW_CHUNK, (1 << 21) // max(1, f * len(mis))))
                for r0 in range(sl.start, sl.stop, step):
                    rows = slice(r0, min(r0 + step, sl.stop))
                    a, h = self.block_terms(c, rows, mis)
                    y = self.y[rows]
                    a2 = a * a
                    g2[idx] += a2.T @ (y * y)
                    gb[idx] += (a2 * y[:, base_of[idx]]).T @ y
                    if n_t > 1:
                        gl[idx] += a2.T @ (y[:, 1:] * y[:, :-1])
                    for j in range(f):
                        ah[idx, j, :] += (a * h[j]).T @ y
                        for k2 in range(j + 1):
                            v = np.einsum("nm,nm->m", h[j], h[k2])
                            hh[idx, j, k2] += v
                            if k2 != j:
                                hh[idx, k2, j] += v
                    for j, mi in enumerate(mis):
                        for kk in extra.get(mi, []):
                            m = self.models[mi]
                            key = (mi, kk)
                            tb = a2[:, j] * y[:, m.tidx[kk]] * y[:, m.bidx[kk]]
                            cross_extra[key] = cross_extra.get(key, 0.0) + float(tb.sum())
        var = np.full(n_cells, np.nan)
        for mi, m in enumerate(self.models):
            if not m.ok:
                continue
            t, b = m.tidx, m.bidx
            cross = np.where(b == base_of[mi], gb[mi, t], 0.0)
            lag = (b == t - 1) & (b != base_of[mi])
            if lag.any():
                cross[lag] = gl[mi, b[lag]]
            for kk in extra.get(mi, []):
                cross[kk] = cross_extra[(mi, kk)]
            v = g2[mi, t] - 2.0 * cross + g2[mi, b]
            v += 2.0 * np.einsum("fk,fk->k", m.zeta, ah[mi][:, t] - ah[mi][:, b])
            v += np.einsum("fk,fg,gk->k", m.zeta, hh[mi], m.zeta)
            var[m.cells] = v
        return var

    # ------------------------------------------------------------------ results
    def cell_results(self) -> dict[str, np.ndarray]:
        n_cells = self.cd.gidx.size
        att = np.full(n_cells, np.nan)
        att[self.cd.reference] = 0.0
        ok = np.zeros(n_cells, dtype=bool)
        for m in self.models:
            if m.ok:
                att[m.cells] = m.att
                ok[m.cells] = True
        return {"att": att, "valid": ok}


def _rcond(a: np.ndarray) -> float:
    """Reciprocal condition number in the 1-norm (R's `rcond`)."""
    try:
        inv = np.linalg.inv(a)
    except np.linalg.LinAlgError:
        return 0.0
    na = np.abs(a).sum(axis=0).max()
    ni = np.abs(inv).sum(axis=0).max()
    if not np.isfinite(ni) or na == 0:
        return 0.0
    return float(1.0 / (na * ni))


# ---------------------------------------------------------------------------------------------
# streaming moments of linear combinations of cells
# ---------------------------------------------------------------------------------------------


def multipliers(rng: np.random.Generator, shape: tuple[int, int], kind: str) -> np.ndarray:
    """Bootstrap multipliers: Rademacher (R's BMisc >= 1.4) or Mammen (two-point)."""
    u = rng.random(shape)
    if kind == "rademacher":
        return np.where(u < 0.5, -1.0, 1.0)
    s5 = np.sqrt(5.0)
    p = (s5 + 1) / (2 * s5)
    return np.where(u < p, (1 - s5) / 2, (1 + s5) / 2)


def functional_moments(
    eng: CovEngine,
    fmat: np.ndarray,
    qmat: np.ndarray | None,
    *,
    want: str = "cov",
    biters: int = 0,
    seed: int | None = None,
    kind: str = "rademacher",
) -> dict[str, np.ndarray]:
    """Moments of psi_f = sum_k fmat[f, k] psi_k + wif_f over units (or clusters).

    fmat: (F, P) weights on the cells (NaN-free; invalid cells must have weight 0);
    qmat: (F, K) R's `wif` constants per cohort (psi scale; multiplied by W_i / mean W) or None.
    want: "cov" (F x F sum of psi psi'), "var" (diagonal only).
    With biters > 0 also returns bootstrap draws (B, F) of sum_i v_i psi_i (v per unit, or per
    cluster when the engine has clusters).
    """
    n_f = fmat.shape[0]
    wbar = eng.w.mean()
    out_cov = np.zeros((n_f, n_f)) if want == "cov" else None
    out_var = np.zeros(n_f)
    clus = eng.cluster
    csum = np.zeros((eng.n_clusters, n_f)) if clus is not None else None
    draws = np.zeros((biters, n_f)) if biters and clus is None else None
    # per model: functional columns touched, A (T x F_m), G (F_H x F_m)
    prep: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    n_t = eng.y.shape[1]
    for mi, m in enumerate(eng.models):
        if not m.ok:
            continue
        cm = fmat[:, m.cells].T  # (cells_m, F)
        fcols = np.flatnonzero(np.any(cm != 0, axis=0))
        if fcols.size == 0:
            continue
        cmf = cm[:, fcols]
        amat = np.zeros((n_t, fcols.size))
        np.add.at(amat, m.tidx, cmf)
        np.add.at(amat, m.bidx, -cmf)
        prep[mi] = (fcols, amat, m.zeta @ cmf)
    for c in range(eng.cohorts.size):
        mis = [mi for mi in eng.models_of[c] if mi in prep]
        qc = None if qmat is None else qmat[:, c]
        if qc is not None and not np.any(qc):
            qc = None
        if not mis and qc is None:
            continue  # multiplier streams are per cohort, so skipping keeps the others aligned
        touched = [prep[mi][0] for mi in mis]
        if qc is not None:
            touched.append(np.flatnonzero(qc))
        cols = np.unique(np.concatenate(touched))
        pos = np.full(n_f, -1)
        pos[cols] = np.arange(cols.size)
        dest = {}
        for mi in mis:
            d = pos[prep[mi][0]]
            contiguous = d.size and np.all(np.diff(d) == 1)
            dest[mi] = slice(int(d[0]), int(d[-1]) + 1) if contiguous else d
        sl = eng.block(c)
        rng = np.random.default_rng([0 if seed is None else seed, c]) if draws is not None else None
        for r0 in range(sl.start, sl.stop, ROW_CHUNK):
            rows = slice(r0, min(r0 + ROW_CHUNK, sl.stop))
            nr = rows.stop - rows.start
            psi = np.zeros((nr, cols.size))
            y = eng.y[rows]
            for grp in eng._groups_of(c, mis):
                a_all, h_all = eng.block_terms(c, rows, grp)
                for j, mi in enumerate(grp):
                    _, amat, gmat = prep[mi]
                    z = y @ amat
                    z *= a_all[:, j, None]
                    z += h_all[:, :, j].T @ gmat
                    psi[:, dest[mi]] += z
            if qc is not None:
                psi += (eng.w[rows] / wbar)[:, None] * qc[cols][None, :]
            if clus is None:
                if out_cov is not None:
                    out_cov[np.ix_(cols, cols)] += psi.T @ psi
                else:
                    out_var[cols] += np.einsum("ij,ij->j", psi, psi)
                if draws is not None:
                    v = multipliers(rng, (biters, nr), kind)
                    draws[:, cols] += v @ psi
            else:
                ind = sparse.csr_matrix(
                    (np.ones(nr), (clus[rows], np.arange(nr))), shape=(eng.n_clusters, nr)
                )
                csum[:, cols] += ind @ psi
    res: dict[str, np.ndarray] = {}
    if clus is not None:
        if want == "cov":
            out_cov = csum.T @ csum
        else:
            out_var = np.einsum("ij,ij->j", csum, csum)
        if biters:
            rng = np.random.default_rng([0 if seed is None else seed, 1 << 40])  # cluster stream
            draws = np.zeros((biters, n_f))
            for c0 in range(0, eng.n_clusters, ROW_CHUNK):
                c1 = min(c0 + ROW_CHUNK, eng.n_clusters)
                draws += multipliers(rng, (biters, c1 - c0), kind) @ csum[c0:c1]
    res["cov"] = out_cov if out_cov is not None else np.diag(out_var)
    res["var"] = np.diag(out_cov) if out_cov is not None else out_var
    if draws is not None:
        res["draws"] = draws
    return res


def warn_model_failures(eng: CovEngine, notes: list[str]) -> None:
    """One warning per failed cell group, naming the cells (as R warns per cell)."""
    cd = eng.cd
    for m in eng.models:
        msgs = list(m.warnings)
        if not msgs:
            continue
        cells = ", ".join(f"({int(cd.group[k])},{int(cd.time[k])})" for k in m.cells[:6]) + (
            " ..." if m.cells.size > 6 else ""
        )
        prefix = "cell(s) set to NA" if not m.ok else "cell(s)"
        for msg in msgs:
            text = f"{msg}: {prefix} {cells}"
            notes.append(text)
            warnings.warn(text, UserWarning, stacklevel=4)
