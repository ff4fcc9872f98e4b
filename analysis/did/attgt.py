"""Group-time average treatment effects, ATT(g,t) (Callaway & Sant'Anna 2021, no covariates)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analysis.did._blas import with_single_threaded_blas
from analysis.did._engine import Cells, CohortMoments, build_cells, functional_cov
from analysis.did._prep import DiDInputError, prepare_panel

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
    _moments: CohortMoments | None = None
    _cells: Cells | None = None

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
            f"  standard errors: analytic, clustered by unit; {lvl}% {band} intervals"
            f" (critical value {self.crit_val:.3f})",
        ]
        tab = self.att_gt[
            ["group", "time", "att", "se", "ci_low", "ci_high", "n_treated", "n_control"]
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


def simultaneous_crit(
    cov: np.ndarray, se: np.ndarray, alpha: float, biters: int, seed: int | None
) -> float:
    """Critical value for simultaneous bands by a Gaussian multiplier bootstrap.

    With N(0,1) multipliers v_i, a bootstrap draw sum_i v_i psi_i is exactly N(0, V) given the
    data (V = sum_i psi_i psi_i' = `cov`), so we draw from that distribution directly and take
    the (1 - alpha) quantile of max_j |draw_j| / se_j. (R did uses Mammen multipliers; the two
    agree asymptotically.)
    """
    ok = np.isfinite(se) & (se > 0)
    if ok.sum() == 0:
        return float(stats.norm.ppf(1 - alpha / 2))
    sub = cov[np.ix_(ok, ok)]
    vals, vecs = np.linalg.eigh(sub)
    root = vecs * np.sqrt(np.clip(vals, 0.0, None))
    rng = np.random.default_rng(seed)
    draws = rng.standard_normal((int(biters), sub.shape[0])) @ root.T
    tstat = np.max(np.abs(draws) / se[ok], axis=1)
    crit = float(np.quantile(tstat, 1 - alpha))
    return max(crit, float(stats.norm.ppf(1 - alpha / 2)))


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
    allow_unbalanced_panel: bool = False,
    cband: bool = False,
    biters: int = 1000,
    seed: int | None = None,
) -> ATTgtResult:
    """Estimate group-time average treatment effects ATT(g,t) without covariates.

    Estimand: ATT(g,t) = E[Y_t(g) - Y_t(0) | G = g], the average effect in period t for the
    cohort first treated in period g (staggered adoption, treatment is absorbing).

    Estimator (identical to R did's `att_gt` with `xformla = ~1`, where the default doubly
    robust estimator reduces to this): for each cohort g and period t, the 2x2 DiD
        ATT(g,t) = [mean_G(Y_t) - mean_G(Y_b)] - [mean_C(Y_t) - mean_C(Y_b)]
    with treated group G = units of cohort g and comparison group C:
      * control="nevertreated" (R's default): units never treated in the data;
      * control="notyettreated": never-treated units plus units of other cohorts g' with
        g' > max(t, b) + anticipation (not yet treated, nor anticipating, at t or b).
    Base period b:
      * base_period="varying" (R's default): for post periods (t >= g), b is the last period
        before g - anticipation; for pre periods (t < g), b is the period just before t (so
        pre-period cells are short-difference placebos). Cells run over t = 2nd..last period.
      * base_period="universal": b is the last period before g - anticipation for every t;
        the cell t = b is the reference, reported with att = 0 and se = NaN.

    Standard errors: analytic, from the influence function, clustered at the unit level
    exactly as R did (bstrap=FALSE): se^2 = sum_i psi_i^2 with, on a balanced panel,
    psi_i = (dY_i - mean_G dY)/n_G for treated units and -(dY_i - mean_C dY)/n_C for comparison
    units (dY = Y_t - Y_b). As in R, an se below 1.5e-7 (e.g. noiseless data) is reported as
    NaN. Intervals are pointwise normal, att +- z_{1-alpha/2} * se. With
    `cband=True`, simultaneous bands over all cells use a critical value from a Gaussian
    multiplier bootstrap (`biters` draws, reproducible with `seed`); R's default reports
    bootstrap SEs and uniform bands instead, so R's printed SEs differ slightly from ours.

    Data: `data` is a pandas or polars DataFrame (or anything pandas.DataFrame accepts) in long
    format with one row per unit and period; `unit` any id, `time` integer periods (event time
    is time - group, so use evenly spaced periods, e.g. months since some date), `cohort` the
    first treated period (0, missing or +inf = never treated; must be constant within a unit),
    `outcome` numeric or boolean. Preprocessing (each step raises or warns naming the problem,
    mirroring R did's `pre_process_did`):
      * missing columns, non-numeric outcome/time/cohort, non-integer time or cohort, negative
        cohort, missing unit or time, duplicate (unit, time) rows, or a cohort that varies
        within a unit raise `DiDInputError` (a ValueError);
      * rows with a missing outcome are dropped (warning);
      * units first treated after the last period are treated as never treated (warning);
      * units treated at or before the first period (+ anticipation) have no pre-period and are
        dropped (warning). R drops units treated at or before the first period too; for cohorts
        that lose their only pre-period through `anticipation`, R warns and skips the cohort's
        cells but keeps its units in the cohort shares -- we drop those units entirely;
      * control="nevertreated" without never-treated units raises; control="notyettreated"
        without never-treated units drops periods >= (last cohort - anticipation) and uses the
        last cohort as the comparison group (warning; as R does).
    Unbalanced panels:
      * allow_unbalanced_panel=False (R's default): units not observed (with a non-missing
        outcome) in every period are dropped (warning), then the balanced-panel estimator runs.
      * allow_unbalanced_panel=True: every observation is kept and each cell uses R did's
        unbalanced-panel estimator -- the repeated cross-section DiD of the four means of
        observed outcomes (treated/comparison x t/b) over units in G or C observed at t or b --
        with its influence function summed over each unit's observations (clustering by unit).
        On a balanced panel this is identical to the panel estimator. Cells without treated or
        comparison observations get att = se = NaN (warning) and are skipped by `aggte`.

    Performance: the data are turned once into a units x periods matrix; point estimates come
    from the cohort x period mean matrix and every standard error from per-cohort Gram
    matrices, so cost is O(rows + units x periods^2) and memory about 8 bytes x units x periods
    beyond the input.

    Returns:
        ATTgtResult with the tidy `att_gt` frame; pass it to `aggte` to aggregate.
    """
    anticipation = _validate_args(control, anticipation, base_period, alpha)
    panel = prepare_panel(
        data,
        unit,
        time,
        cohort,
        outcome,
        control=control,
        anticipation=anticipation,
        allow_unbalanced_panel=allow_unbalanced_panel,
    )
    mom = CohortMoments.from_panel(panel)
    notes = list(panel.notes)
    del panel  # the units x periods matrix is not needed any more
    cells = build_cells(mom, control=control, anticipation=anticipation, base_period=base_period)
    bad = ~cells.valid & ~cells.reference
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

    se = np.sqrt(np.clip(cells.var, 0.0, None))
    se = np.where((se <= _SE_FLOOR) | cells.reference, np.nan, se)
    z = float(stats.norm.ppf(1 - alpha / 2))
    crit = z
    if cband:
        n_cells = cells.att.size
        k_n, n_t = mom.cohorts.size, mom.tlist.size
        if n_cells * k_n * n_t * 16 > 2e9:
            raise DiDInputError(
                f"simultaneous bands over all {n_cells} cells are too large to compute; "
                "use aggte(..., cband=True) on an aggregation instead"
            )
        use = np.flatnonzero(cells.valid)
        w = np.zeros((use.size, n_cells))
        w[np.arange(use.size), use] = 1.0
        cov = functional_cov(mom, cells, w, np.zeros((use.size, k_n)))
        crit = simultaneous_crit(cov, se[use], alpha, biters, seed)
    frame = pd.DataFrame(
        {
            "group": cells.group.astype(np.int64),
            "time": cells.time.astype(np.int64),
            "base_time": cells.base.astype(np.int64),
            "event_time": (cells.time - cells.group).astype(np.int64),
            "post": cells.time >= cells.group,
            "att": cells.att,
            "se": se,
            "ci_low": cells.att - crit * se,
            "ci_high": cells.att + crit * se,
            "n_treated": cells.n_treated,
            "n_control": cells.n_control,
        }
    )
    return ATTgtResult(
        att_gt=frame,
        n_units=mom.n_units,
        periods=tuple(int(t) for t in mom.tlist),
        cohorts=tuple(int(g) for g in mom.cohorts if g != 0),
        control=control,
        anticipation=anticipation,
        base_period=base_period,
        alpha=float(alpha),
        balanced=mom.balanced,
        crit_val=crit,
        cband=bool(cband),
        notes=notes,
        _moments=mom,
        _cells=cells,
    )
