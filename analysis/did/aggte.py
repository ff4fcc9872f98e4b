"""Aggregations of group-time effects (R did's `aggte`): simple, dynamic, group, calendar."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from analysis.did import _bootstrap
from analysis.did._blas import with_single_threaded_blas
from analysis.did._engine import wif_constants
from analysis.did._prep import DiDInputError
from analysis.did.attgt import _SE_FLOOR, ATTgtResult, format_table

TYPES = ("simple", "dynamic", "group", "calendar")
_KEY = {"dynamic": "event_time", "group": "group", "calendar": "time"}
_TITLE = {
    "simple": "Simple weighted average of post-treatment ATT(g,t) (weights: cohort size)",
    "dynamic": "Event-study (dynamic) aggregation by length of exposure e = t - g",
    "group": "Aggregation by cohort (group)",
    "calendar": "Aggregation by calendar period",
}
_OVERALL = {
    "simple": "overall ATT",
    "dynamic": "overall ATT (average of e >= 0 effects)",
    "group": "overall ATT (cohort-size weighted average of cohort effects)",
    "calendar": "overall ATT (average of calendar-period effects)",
}


@dataclass(repr=False)
class AggteResult:
    """Result of `aggte`.

    Attributes:
        type: "simple", "dynamic", "group" or "calendar".
        overall_att, overall_se: the overall summary parameter and its analytic standard error.
        overall_ci_low, overall_ci_high: pointwise normal interval for the overall parameter.
        table: for dynamic / group / calendar, one row per event time / cohort / period with
            columns (event_time | group | time), att, se, ci_low, ci_high; None for "simple".
        vcov: covariance matrix of the `table` estimates (analytic, clustered by unit).
        crit_val: critical value used for the table intervals (z_{1-alpha/2} unless cband).
        alpha, cband, min_e, max_e, balance_e: settings used.
        notes: cells skipped because their ATT(g,t) is NaN.
    """

    type: str
    overall_att: float
    overall_se: float
    overall_ci_low: float
    overall_ci_high: float
    table: pd.DataFrame | None
    vcov: np.ndarray | None
    crit_val: float
    alpha: float
    cband: bool = False
    bootstrap: bool = False
    min_e: float | None = None
    max_e: float | None = None
    balance_e: int | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Printable summary of the overall parameter and the aggregated table."""
        lvl = int(round(100 * (1 - self.alpha)))
        lines = [
            _TITLE[self.type],
            f"  {_OVERALL[self.type]}: {self.overall_att:.4f} (se {_fmt(self.overall_se)}), "
            f"{lvl}% CI [{_fmt(self.overall_ci_low)}, {_fmt(self.overall_ci_high)}]",
        ]
        if self.table is not None:
            band = "simultaneous" if self.cband else "pointwise"
            kind = "bootstrap" if self.bootstrap else "analytic"
            lines.append(
                f"  {kind} SEs; {lvl}% {band} intervals (critical value {self.crit_val:.3f})"
            )
            lines.append("")
            lines.append(format_table(self.table))
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        return self.summary()

    __str__ = __repr__


def _fmt(v: float) -> str:
    return "NA" if v is None or not math.isfinite(v) else f"{v:.4f}"


def _floor(se: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(se) & (se > _SE_FLOOR), se, np.nan)


@with_single_threaded_blas
def aggte(
    result: ATTgtResult,
    type: str = "group",
    min_e: float | None = None,
    max_e: float | None = None,
    balance_e: int | None = None,
    alpha: float | None = None,
    *,
    bootstrap: bool | None = None,
    cband: bool | None = None,
    biters: int | None = None,
    seed: int | None = None,
) -> AggteResult:
    """Aggregate ATT(g,t) into summary parameters, exactly as R did's `aggte`.

    Weights (pg_g = share of units in cohort g; only estimable cells are used, NaN cells are
    skipped with a warning, like R's na.rm=TRUE):
      * "simple": sum of post-treatment ATT(g,t) (t >= g, and t <= g + max_e) weighted by pg_g.
      * "dynamic": for each event time e = t - g, theta(e) = sum_g pg_g ATT(g, g+e) / sum pg_g
        over cohorts observed at e; overall = simple average of theta(e) over e >= 0.
        min_e / max_e restrict the event times; balance_e keeps only cohorts observed for at
        least balance_e periods after treatment (R's balance_e, same event-time window rules).
      * "group": theta(g) = average of ATT(g,t) over t >= g (and t <= g + max_e);
        overall = sum_g pg_g theta(g) / sum pg_g.
      * "calendar": theta(t) = sum_g pg_g ATT(g,t) / sum pg_g over cohorts treated by t;
        overall = simple average over periods.
    R's default type is "group"; so is ours.

    Standard errors: from the aggregated influence function (clustered as in `att_gt`),
    including the estimation effect of the cohort-share weights (R's `wif` term) for
    simple, dynamic, calendar and the group overall parameter (the group overall uses the
    corrected wif of R did >= 2.2 / PR #223). Equals R's `aggte(..., bstrap = FALSE)`.
    With `bootstrap=True` the SEs are R's multiplier-bootstrap SEs (one set of `biters` draws
    shared by the table rows and the overall parameter; R draws afresh per parameter).
    Intervals are pointwise normal (att +- z_{1-alpha/2} se); with `cband=True` the table rows
    get simultaneous bands whose sup-t critical value comes from the multiplier bootstrap
    (reproducible with `seed`); the overall interval stays pointwise. `bootstrap`, `cband`,
    `biters`, `seed` and `alpha` default to the values given to `att_gt` (as R's aggte).
    """
    if not isinstance(result, ATTgtResult) or result._valid is None:
        raise DiDInputError("aggte needs the ATTgtResult returned by att_gt")
    if type not in TYPES:
        raise DiDInputError(f"type must be one of {TYPES}, got {type!r}")
    alpha = result.alpha if alpha is None else alpha
    if not (0.0 < float(alpha) < 1.0):
        raise DiDInputError(f"alpha must be in (0, 1), got {alpha!r}")
    bootstrap = result.bootstrap if bootstrap is None else bool(bootstrap)
    cband = result.cband if cband is None else bool(cband)
    biters = result.biters if biters is None else int(biters)
    seed = result.seed if seed is None else seed
    tab0 = result.att_gt
    n_cells = len(tab0)
    reference = (tab0["time"] == tab0["base_time"]).to_numpy()
    keep = result._valid | reference
    notes: list[str] = []
    if not keep.all():
        msg = (
            f"aggte skips {int((~keep).sum())} group-time cell(s) with NaN ATT (as R's na.rm=TRUE)"
        )
        notes.append(msg)
        warnings.warn(msg, UserWarning, stacklevel=2)
    att = np.where(keep, tab0["att"].to_numpy(), 0.0)
    grp = tab0["group"].to_numpy()
    tim = tab0["time"].to_numpy()
    gidx = result._group_idx
    cw = result._cohort_weight
    pg_cohort = cw / cw.sum()
    pg = pg_cohort[gidx]
    lo_e = -np.inf if min_e is None else float(min_e)
    hi_e = np.inf if max_e is None else float(max_e)
    k_n = cw.size
    n_units = result.n_units
    cohort_values = np.zeros(k_n, dtype=np.int64)
    cohort_values[gidx] = grp

    def weighted(sel: np.ndarray, with_wif: bool) -> tuple[np.ndarray, np.ndarray]:
        w = np.zeros(n_cells)
        q = np.zeros(k_n)
        idx = np.flatnonzero(sel)
        if idx.size == 0:
            return w, q
        w[idx] = pg[idx] / pg[idx].sum()
        if with_wif:
            q = wif_constants(k_n, n_units, gidx[idx], att[idx], pg[idx])
        return w, q

    rows_w: list[np.ndarray] = []
    rows_q: list[np.ndarray] = []
    keys: list[int] = []
    post = keep & (grp <= tim) & (tim <= grp + hi_e)

    if type == "simple":
        w, q = weighted(post, True)
        overall_w, overall_q = w, q
    elif type == "dynamic":
        e_all = tim - grp
        include = keep.copy()
        eseq = np.unique(e_all[keep])
        if balance_e is not None:
            t_last = tim[keep].max()
            t_first = tim[keep].min()
            eseq = eseq[(eseq <= balance_e) & (eseq >= balance_e - t_last + t_first)]
            include &= t_last - grp >= balance_e
        eseq = eseq[(eseq >= lo_e) & (eseq <= hi_e)]
        for e in eseq:
            sel = include & (e_all == e)
            if not sel.any():
                continue
            w, q = weighted(sel, True)
            rows_w.append(w)
            rows_q.append(q)
            keys.append(int(e))
        pos = [i for i, e in enumerate(keys) if e >= 0]
        if pos:
            overall_w = np.mean([rows_w[i] for i in pos], axis=0)
            overall_q = np.mean([rows_q[i] for i in pos], axis=0)
        else:
            overall_w, overall_q = None, None
    elif type == "group":
        g_att, g_idx, g_pg = [], [], []
        for gi in np.unique(gidx):
            sel = post & (gidx == gi)
            if not sel.any():
                continue
            w, _ = weighted(sel, False)
            rows_w.append(w)
            rows_q.append(np.zeros(k_n))
            keys.append(int(cohort_values[gi]))
            g_att.append(float(w @ att))
            g_idx.append(gi)
            g_pg.append(pg_cohort[gi])
        if rows_w:
            g_pg_arr = np.asarray(g_pg)
            lam = g_pg_arr / g_pg_arr.sum()
            overall_w = lam @ np.asarray(rows_w)
            overall_q = wif_constants(k_n, n_units, np.asarray(g_idx), np.asarray(g_att), g_pg_arr)
        else:
            overall_w, overall_q = None, None
    else:  # calendar
        treated_t = keep & (grp <= tim)
        if treated_t.any():
            for t1 in np.unique(tim[treated_t]):
                sel = treated_t & (tim == t1)
                w, q = weighted(sel, True)
                rows_w.append(w)
                rows_q.append(q)
                keys.append(int(t1))
        if rows_w:
            overall_w = np.mean(rows_w, axis=0)
            overall_q = np.mean(rows_q, axis=0)
        else:
            overall_w, overall_q = None, None

    all_w = list(rows_w)
    all_q = list(rows_q)
    if overall_w is not None:
        all_w.append(overall_w)
        all_q.append(overall_q)
    if all_w:
        wmat = np.asarray(all_w)
        qmat = np.asarray(all_q)
        est = wmat @ att
        cov = result._cov(wmat, qmat)
        se = _floor(np.sqrt(np.clip(np.diag(cov), 0.0, None)))
        draws = None
        if bootstrap or (cband and type != "simple"):
            draws = result._draws(wmat, qmat, biters, seed)
            if bootstrap:
                bse = _bootstrap.boot_se(draws, result._boot_scale)
                se = _floor(np.where(np.isfinite(se), bse, np.nan))
    else:
        est = np.zeros(0)
        cov = np.zeros((0, 0))
        se = np.zeros(0)
        draws = None

    z = float(stats.norm.ppf(1 - alpha / 2))
    if overall_w is not None:
        o_att, o_se = float(est[-1]), float(se[-1])
    else:
        o_att, o_se = float("nan"), float("nan")
    table = None
    vcov = None
    crit = z
    if type != "simple":
        m = len(rows_w)
        t_est, t_se = est[:m], se[:m]
        vcov = cov[:m, :m]
        if cband and m > 0:
            c_val = _bootstrap.sup_t_crit(draws[:, :m], result._boot_scale, alpha)
            if not np.isfinite(c_val) or c_val < z:
                msg = (
                    "simultaneous critical value is NA or below the pointwise one; falling back "
                    "to pointwise intervals (as R did)"
                )
                notes.append(msg)
                warnings.warn(msg, UserWarning, stacklevel=2)
                cband = False
            else:
                crit = c_val
        table = pd.DataFrame(
            {
                _KEY[type]: np.asarray(keys, dtype=np.int64),
                "att": t_est,
                "se": t_se,
                "ci_low": t_est - crit * t_se,
                "ci_high": t_est + crit * t_se,
            }
        )
    return AggteResult(
        type=type,
        overall_att=o_att,
        overall_se=o_se,
        overall_ci_low=o_att - z * o_se,
        overall_ci_high=o_att + z * o_se,
        table=table,
        vcov=vcov,
        crit_val=crit,
        alpha=float(alpha),
        cband=bool(cband and type != "simple"),
        bootstrap=bool(bootstrap),
        min_e=min_e,
        max_e=max_e,
        balance_e=balance_e,
        notes=notes,
    )
