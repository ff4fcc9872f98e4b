"""Group-time average treatment effects, ATT(g,t) (Callaway & Sant'Anna 2021), as R did's `att_gt`."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analysis.did import _bootstrap
from analysis.did._blas import with_single_threaded_blas
from analysis.did._drdid import (
    EST_METHODS,
    ROW_CHUNK,
    CovEngine,
    functional_moments,
    multipliers,
    warn_model_failures,
)
from analysis.did._engine import (
    Cells,
    CohortMoments,
    bootstrap_draws,
    build_cells,
    enumerate_cells,
    functional_cov,
)
from analysis.did._prep import DiDInputError, Panel, prepare_panel

CONTROLS = ("nevertreated", "notyettreated")
BASE_PERIODS = ("varying", "universal")
_SE_FLOOR = float(np.sqrt(np.finfo(float).eps) * 10)  # R did reports NA below this


@dataclass(repr=False)
class ATTgtResult:
    """Result of `att_gt`: tidy group-time effects plus what aggregation needs.

    Attributes:
        att_gt: one row per (group, time) cell, ordered by group then time, with columns
            group, time, base_time, event_time (= time - group), post (time >= group), att, se,
            ci_low, ci_high, n_treated, n_control. `se` is the analytic standard error
            clustered at the unit level; ci_* are pointwise normal intervals (att +- z * se,
            z = Phi^-1(1 - alpha/2)), or simultaneous bands when `cband=True`.
            With base_period="universal" the reference cell (time = base_time) has att = 0 and
            se = NaN. Cells that cannot be estimated (no treated or no comparison observations,
            possible only on unbalanced panels) have att = se = NaN.
        n_units: number of units used (after the preprocessing described in `att_gt`).
        periods: time periods used. cohorts: treated cohorts (first treatment periods) used.
        control, anticipation, base_period, alpha, balanced: the settings / data shape used.
        crit_val: critical value behind ci_low / ci_high.
        notes: what preprocessing dropped or recoded (also issued as warnings).

    The per-unit influence functions are not stored; instead the per-cohort sufficient
    statistics that determine them exactly (cohort-period means and centred Gram matrices,
    O(cohorts x periods^2) memory) are kept internally and used by `aggte`.
    """

    att_gt: pd.DataFrame
    n_units: int
    periods: tuple[int, ...]
    cohorts: tuple[int, ...]
    control: str
    anticipation: int
    base_period: str
    alpha: float
    balanced: bool
    crit_val: float
    cband: bool = False
    notes: list[str] = field(default_factory=list)
    est_method: str = "dr"
    covariates: tuple[str, ...] = ()
    weights: str | None = None
    cluster: str | None = None
    n_clusters: int | None = None
    bootstrap: bool = False
    biters: int = 1000
    seed: int | None = None
    multiplier: str = "rademacher"
    _moments: CohortMoments | None = None
    _cells: Cells | None = None
    _engine: CovEngine | None = None
    _panel: Panel | None = None
    _cohort_weight: np.ndarray | None = None  # (K,) sum of sampling weights per cohort
    _valid: np.ndarray | None = None  # (P,) estimable cells
    _group_idx: np.ndarray | None = None  # (P,) cohort index of each cell
    _att: np.ndarray | None = None  # (P,)

    # -- influence-function moments of linear combinations of cells (used by aggte) ---------
    def _cov(self, wmat: np.ndarray, qmat: np.ndarray) -> np.ndarray:
        if self._engine is not None:
            return functional_moments(self._engine, wmat, qmat, want="cov")["cov"]
        return functional_cov(self._moments, self._cells, wmat, qmat)

    def _draws(self, wmat: np.ndarray, qmat: np.ndarray, biters: int, seed) -> np.ndarray:
        if self._engine is not None:
            return functional_moments(
                self._engine, wmat, qmat, want="var", biters=biters, seed=seed, kind=self.multiplier
            )["draws"]
        return bootstrap_draws(
            self._panel,
            self._moments,
            self._cells,
            wmat,
            qmat,
            biters=biters,
            seed=seed,
            kind=self.multiplier,
            row_chunk=ROW_CHUNK,
            multipliers=multipliers,
        )

    @property
    def _boot_scale(self) -> float:
        """Factor from psi-scale bootstrap draws to R's `bres` (for R's degeneracy rule)."""
        if self.n_clusters:
            return self.n_units / np.sqrt(self.n_clusters)
        return float(np.sqrt(self.n_units))

    def summary(self) -> str:
        """Printable summary: settings and the group-time table."""
        band = "simultaneous" if self.cband else "pointwise"
        lvl = int(round(100 * (1 - self.alpha)))
        head = [
            "Group-time average treatment effects, ATT(g,t) (Callaway & Sant'Anna 2021)",
            f"  comparison group: {_control_label(self.control)}; base period: {self.base_period};"
            f" anticipation: {self.anticipation}",
            f"  units: {self.n_units} ({'balanced' if self.balanced else 'unbalanced'} panel); "
            f"periods: {self.periods[0]}..{self.periods[-1]} ({len(self.periods)}); "
            f"treated cohorts: {len(self.cohorts)}",
            f"  estimator: {self.est_method}; covariates: "
            f"{', '.join(self.covariates) if self.covariates else 'none'}"
            + (f"; sampling weights: {self.weights}" if self.weights else ""),
            f"  standard errors: {'multiplier bootstrap' if self.bootstrap else 'analytic'}, "
            f"clustered by {self.cluster if self.cluster else 'unit'}; {lvl}% {band} intervals"
            f" (critical value {self.crit_val:.3f})",
        ]
        tab = self.att_gt[
            ["group", "time", "att", "se", "ci_low", "ci_high", "n_treated", "n_comparison"]
        ]
        return "\n".join(head) + "\n\n" + format_table(tab) + "\n"

    def __repr__(self) -> str:
        return self.summary()

    __str__ = __repr__


def _control_label(control: str) -> str:
    return "never treated" if control == "nevertreated" else "not yet treated (incl. never treated)"


def format_table(df: pd.DataFrame, digits: int = 4) -> str:
    """Plain-text table with fixed decimals for float columns."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col].dtype):
            out[col] = out[col].map(lambda v: "NA" if pd.isna(v) else f"{v:.{digits}f}")
    return out.to_string(index=False)


def _validate_args(control, anticipation, base_period, alpha) -> int:
    if control not in CONTROLS:
        raise DiDInputError(f"control must be one of {CONTROLS}, got {control!r}")
    if base_period not in BASE_PERIODS:
        raise DiDInputError(f"base_period must be one of {BASE_PERIODS}, got {base_period!r}")
    if isinstance(anticipation, bool) or int(anticipation) != anticipation or anticipation < 0:
        raise DiDInputError(f"anticipation must be a non-negative integer, got {anticipation!r}")
    if not (0.0 < float(alpha) < 1.0):
        raise DiDInputError(f"alpha must be in (0, 1), got {alpha!r}")
    return int(anticipation)


def _att_result_frame(cd, att, se, crit, n_treated, n_comp, w_treated=None, w_comp=None):
    frame = pd.DataFrame(
        {
            "group": cd.group.astype(np.int64),
            "time": cd.time.astype(np.int64),
            "base_time": cd.base.astype(np.int64),
            "event_time": (cd.time - cd.group).astype(np.int64),
            "post": cd.time >= cd.group,
            "att": att,
            "se": se,
            "ci_low": att - crit * se,
            "ci_high": att + crit * se,
            "n_treated": np.asarray(n_treated, dtype=np.int64),
            "n_comparison": np.asarray(n_comp, dtype=np.int64),
        }
    )
    if w_treated is not None:
        frame["weight_treated"] = w_treated
        frame["weight_comparison"] = w_comp
    return frame


@with_single_threaded_blas
def att_gt(
    data: Any,
    unit: str,
    time: str,
    cohort: str,
    outcome: str,
    control: str = "nevertreated",
    anticipation: int = 0,
    base_period: str = "varying",
    alpha: float = 0.05,
    *,
    covariates: list[str] | tuple[str, ...] | None = None,
    est_method: str = "dr",
    weights: str | None = None,
    cluster: str | None = None,
    allow_unbalanced_panel: bool = False,
    bootstrap: bool = False,
    cband: bool = False,
    biters: int = 1000,
    seed: int | None = None,
    multiplier: str = "rademacher",
    covariate_period: str = "earlier",
) -> ATTgtResult:
    """Estimate group-time average treatment effects ATT(g,t), as R did's `att_gt`.

    Estimand: ATT(g,t) = E[Y_t(g) - Y_t(0) | G = g], the average effect in period t for the
    cohort first treated in period g (staggered adoption, treatment is absorbing).

    Estimator: for each cohort g and period t, a 2x2 DiD of cohort g against a comparison group
    between t and a base period b:
      * control="nevertreated" (R's default): units never treated in the data;
      * control="notyettreated": never-treated units plus units of other cohorts g' with
        g' > max(t, b) + anticipation (not yet treated, nor anticipating, at t or b).
    Base period b:
      * base_period="varying" (R's default): for post periods (t >= g), b is the last period
        before g - anticipation; for pre periods (t < g), b is the period just before t (so
        pre-period cells are short-difference placebos). Cells run over t = 2nd..last period.
      * base_period="universal": b is the last period before g - anticipation for every t;
        the cell t = b is the reference, reported with att = 0 and se = NaN.
    Without covariates the 2x2 estimator is the difference of four means (R's `xformla = ~1`).
    With `covariates` (a list of column names; an intercept is always added, as R's formula
    `~ x1 + x2`), each cell uses R did's panel 2x2 estimator from DRDID, chosen by `est_method`:
      * "dr" (default): `drdid_panel`, the locally efficient doubly robust DiD of Sant'Anna &
        Zhao (2020): logit propensity score (weighted MLE) and weighted least squares of the
        outcome change on the covariates among comparison units; fitted scores are capped at
        1 - 1e-6 and comparison units with a score >= 0.995 are trimmed (weight 0);
      * "ipw": `std_ipw_did_panel`, normalised (Hajek) inverse-probability weighting;
      * "reg": `reg_did_panel`, outcome regression.
    Covariates are those of the earlier of the cell's two periods (R's rule for panel data); with
    time-invariant covariates that is immaterial. Beyond R, `covariate_period="base"` uses the
    base period's values and `"pre_treatment"` those of the cohort's last period before
    treatment (g - anticipation - 1) for every cell of the cohort, so covariates describe each
    unit's history relative to the cohort's start. A cell is NA (with a warning) when R's checks
    fail: an unweighted logit with a fitted score >= 0.999 ("overlap condition violated"), a
    singular comparison-unit covariate matrix (dr, reg), or unidentified score coefficients.
    `weights` names a sampling-weight column (non-negative, constant within unit; normalised as
    R does, which leaves every estimate unchanged by rescaling). `cluster` names a column,
    constant within unit, for cluster-robust SEs at a level above the unit (R's `clustervars`).

    Standard errors: from the influence function (R's `bstrap = FALSE`), including the
    estimation effect of the propensity-score and outcome-regression fits: se^2 = sum_i psi_i^2
    over units, or over clusters of cluster sums. As in R, an se below 1.5e-7 is reported as
    NaN. With `bootstrap=True`, SEs come from R's multiplier bootstrap instead (`biters` draws,
    multipliers per unit or per cluster, Rademacher as R's BMisc >= 1.4 or `multiplier="mammen"`;
    se = IQR of the draws / (z_.75 - z_.25)); reproducible with `seed`. Intervals are pointwise
    normal, att +- z_{1-alpha/2} * se; with `cband=True` (R's `cband`) they are simultaneous
    bands over all cells, with the bootstrap sup-t critical value.

    Data: `data` is a pandas or polars DataFrame (or anything pandas.DataFrame accepts) in long
    format with one row per unit and period; `unit` any id, `time` integer periods (event time
    is time - group, so use evenly spaced periods, e.g. months since some date), `cohort` the
    first treated period (0 or +inf = never treated; must be constant within a unit),
    `outcome` numeric or boolean. Preprocessing (each step raises or warns naming the problem,
    mirroring R did 2.5.1's `pre_process_did2`):
      * missing columns, non-numeric outcome/time/cohort/covariates/weights, non-integer time or
        cohort, negative cohort or weights, missing unit or time, duplicate (unit, time) rows,
        or a cohort, weight or cluster that varies within a unit raise `DiDInputError`;
      * rows with a missing or non-finite outcome, covariate, weight or cluster, or a missing
        cohort, are dropped (warning; as R, a missing cohort is not read as never treated);
      * units first treated after the last period + anticipation are never treated (warning);
      * without never-treated units, periods >= (last cohort - anticipation) are dropped and the
        last cohort becomes the comparison group (warning; as R for both comparison groups);
      * units treated at or before the first period (+ anticipation) have no pre-period and are
        dropped (warning);
      * a group with fewer than #covariates + 5 units gets R's warning (an error for the
        never-treated group with control="nevertreated").
    Unbalanced panels:
      * allow_unbalanced_panel=False (R's default): units not observed (with non-missing values)
        in every period are dropped (warning), then the balanced-panel estimator runs.
      * allow_unbalanced_panel=True: every observation is kept and each cell uses R did's
        unbalanced-panel estimator -- the repeated cross-section DiD of the four means of
        observed outcomes -- with its influence function summed over each unit's observations.
        Not available with covariates, weights or clusters (R switches to its repeated
        cross-section DRDID estimators there).

    Performance: without covariates, weights and clusters every standard error comes from
    per-cohort Gram matrices (O(units x periods^2)). Otherwise the propensity-score and
    regression fits are shared by all cells with the same cohort, comparison set and covariate
    period, and influence-function moments are streamed over row blocks (see `_drdid`).

    Returns:
        ATTgtResult with the tidy `att_gt` frame; pass it to `aggte` to aggregate.
    """
    anticipation = _validate_args(control, anticipation, base_period, alpha)
    if est_method not in EST_METHODS:
        raise DiDInputError(f"est_method must be one of {EST_METHODS}, got {est_method!r}")
    if multiplier not in _bootstrap.KINDS:
        raise DiDInputError(f"multiplier must be one of {_bootstrap.KINDS}, got {multiplier!r}")
    if isinstance(biters, bool) or int(biters) != biters or biters < 1:
        raise DiDInputError(f"biters must be a positive integer, got {biters!r}")
    if isinstance(covariates, str):
        covariates = [covariates]
    covs = list(covariates or [])
    reserved = {unit, time, cohort, outcome} & set(covs)
    if reserved:
        raise DiDInputError(
            f"covariates may not include the id/time/cohort/outcome columns: {sorted(reserved)}"
        )
    if cluster is not None and cluster == unit:
        cluster = None  # clustering on the unit id is the default (R drops it too)
    panel = prepare_panel(
        data,
        unit,
        time,
        cohort,
        outcome,
        control=control,
        anticipation=anticipation,
        allow_unbalanced_panel=allow_unbalanced_panel,
        covariates=covs,
        weights=weights,
        cluster=cluster,
    )
    notes = list(panel.notes)
    if anticipation > 0:  # R prints this as a message, not a warning
        notes.insert(
            0,
            f"anticipation = {anticipation}: never-treated units are assumed never to anticipate "
            "treatment; anticipation applies to eventually-treated units only",
        )
    general = bool(covs) or weights is not None or cluster is not None
    cd = enumerate_cells(
        panel.tlist,
        panel.cohorts,
        control=control,
        anticipation=anticipation,
        base_period=base_period,
    )
    n_cells = cd.gidx.size
    k_n = panel.cohorts.size
    n_treated = panel.n_by_cohort[cd.gidx]
    n_comp = (cd.control * panel.n_by_cohort[None, :]).sum(axis=1)
    w_treated = w_comp = None
    engine = None
    mom = None
    cells = None
    if general:
        engine = CovEngine(
            panel,
            cd,
            est_method=est_method,
            anticipation=anticipation,
            covariate_period=covariate_period,
        )
        warn_model_failures(engine, notes)
        res = engine.cell_results()
        att, valid = res["att"], res["valid"]
        if engine.cluster is None:
            cell_var = engine.cell_variances()
        else:
            vidx = np.flatnonzero(valid)
            eye = np.zeros((vidx.size, n_cells))
            eye[np.arange(vidx.size), vidx] = 1.0
            cell_var = np.full(n_cells, np.nan)
            cell_var[vidx] = functional_moments(engine, eye, None, want="var")["var"]
        cw = np.array([engine.w[engine.block(c)].sum() for c in range(k_n)])
        if weights is not None:
            w_treated = cw[cd.gidx]
            w_comp = (cd.control * cw[None, :]).sum(axis=1)
        n_clusters = panel.n_clusters if cluster is not None else None
    else:
        mom = CohortMoments.from_panel(panel)
        cells = build_cells(
            mom, control=control, anticipation=anticipation, base_period=base_period
        )
        att, valid, cell_var = cells.att, cells.valid, cells.var
        n_treated, n_comp = cells.n_treated, cells.n_control
        cw = panel.n_by_cohort.astype(float)
        n_clusters = None
        if cells.failed is not None and cells.failed.any():
            bad = cells.failed
            ex = ", ".join(
                f"({g},{t})" for g, t in zip(cells.group[bad][:5], cells.time[bad][:5], strict=True)
            )
            msg = (
                f"overlap condition violated (treated share of the cell >= 0.995, as R's "
                f"intercept-only propensity score): {int(bad.sum())} cell(s) set to NA: {ex}"
            )
            notes.append(msg)
            warnings.warn(msg, UserWarning, stacklevel=2)
        bad = (
            ~cells.valid & ~cells.reference & ~(cells.failed if cells.failed is not None else False)
        )
        if bad.any():
            ex = ", ".join(
                f"({g},{t})" for g, t in zip(cells.group[bad][:5], cells.time[bad][:5], strict=True)
            )
            msg = (
                f"{int(bad.sum())} group-time cell(s) have no treated or no comparison observations "
                f"and are reported as NaN: {ex}{' ...' if bad.sum() > 5 else ''}"
            )
            notes.append(msg)
            warnings.warn(msg, UserWarning, stacklevel=2)

    se = np.sqrt(np.clip(cell_var, 0.0, None))
    se = np.where((se <= _SE_FLOOR) | cd.reference | ~valid, np.nan, se)
    z = float(stats.norm.ppf(1 - alpha / 2))
    crit = z
    result = ATTgtResult(
        att_gt=pd.DataFrame(),
        n_units=panel.n_units,
        periods=tuple(int(t) for t in panel.tlist),
        cohorts=tuple(int(g) for g in panel.cohorts if g != 0),
        control=control,
        anticipation=anticipation,
        base_period=base_period,
        alpha=float(alpha),
        balanced=panel.balanced,
        crit_val=crit,
        cband=bool(cband),
        notes=notes,
        est_method=est_method,
        covariates=tuple(covs),
        weights=weights,
        cluster=cluster,
        n_clusters=n_clusters,
        bootstrap=bool(bootstrap),
        biters=int(biters),
        seed=seed,
        multiplier=multiplier,
        _moments=mom,
        _cells=cells,
        _engine=engine,
        _panel=panel if not general else None,
        _cohort_weight=cw,
        _valid=valid,
        _group_idx=cd.gidx,
        _att=np.where(valid, att, 0.0),
    )
    if not general:
        panel.x = None
    if bootstrap or cband:
        use = np.flatnonzero(valid & np.isfinite(se))
        if use.size:
            if not general and use.size * k_n * panel.tlist.size * 16 > 2e9:
                raise DiDInputError(
                    f"bootstrap over all {use.size} cells is too large; "
                    "use aggte(..., bootstrap=True) on an aggregation instead"
                )
            wmat = np.zeros((use.size, n_cells))
            wmat[np.arange(use.size), use] = 1.0
            draws = result._draws(wmat, np.zeros((use.size, k_n)), int(biters), seed)
            scale = result._boot_scale
            if bootstrap:
                bse = _bootstrap.boot_se(draws, scale)
                se[use] = np.where(np.isfinite(bse), bse, se[use])
                se = np.where(se <= _SE_FLOOR, np.nan, se)
            if cband:
                c_val = _bootstrap.sup_t_crit(draws, scale, alpha)
                if np.isfinite(c_val):
                    crit = c_val
    result.crit_val = crit
    result.att_gt = _att_result_frame(cd, att, se, crit, n_treated, n_comp, w_treated, w_comp)
    return result
