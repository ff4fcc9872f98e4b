"""The one event-study call the outcome-specific effects make (repoint it to the headline API).

`estimate_event_study` runs the generic `analysis.did` machinery (Callaway & Sant'Anna with
Sant'Anna & Zhao's doubly robust 2x2) for one outcome series and one set of treated persons,
with the design choices of the issue-11 headline: a base period before the pre-programme dip
(an anticipation window of `spec.anticipation` months, universal base g - anticipation - 1),
covariates read at that base period (`covariate_period="pre_treatment"`: age, registration,
NEDSATT status, employment, earnings and benefits then), doubly robust estimation.

Until the effects helper's headline API (`analysis.effects`, EFFECTS_MARTS.md) is committed,
this module is the stand-in: `OUTCOMES_SPEC` below. Comparison group: persons never treated in
the window who are registered at NAV in at least one window month (never-treated comparisons:
one propensity model per cohort; not-yet-treated comparisons cost a model per cohort pair,
about 40 times as much at 96 monthly cohorts). Persons first treated before the analysis window
or with status group ANNET are left out, as in the headline.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import design
from analysis.did import aggte, att_gt
from analysis.outcomes.data import COVARIATE_COLUMNS, OutcomeData


@dataclass(frozen=True)
class EventStudySpec:
    """Design of the event study (see module docstring)."""

    name: str
    anticipation: int
    control: str
    est_method: str
    covariates: tuple[str, ...]
    # Larger comparison pools are replaced by a fixed random sample of this many persons with
    # sampling weight pool / sample (unbiased; the DR estimator takes the weights), so memory
    # and time stay bounded at full scale. None: all comparisons.
    max_comparisons: int | None = design.OUTCOMES_MAX_COMPARISONS


OUTCOMES_SPEC = EventStudySpec(
    name="cs_dr_predip",
    anticipation=design.OUTCOMES_ANTICIPATION_MONTHS,
    control="nevertreated",
    est_method="dr",
    covariates=COVARIATE_COLUMNS,
)
# The same design without covariates (unconditional parallel trends from the base period).
OUTCOMES_SPEC_NO_COVARIATES = EventStudySpec(
    name="cs_predip",
    anticipation=design.OUTCOMES_ANTICIPATION_MONTHS,
    control="nevertreated",
    est_method="dr",
    covariates=(),
)


@dataclass
class EventStudy:
    """Event-study estimates by months since start.

    table: event_time, estimate, std_error, n_treated (treated persons in estimable cells at e);
    vcov: covariance of `table.estimate` (influence function, clustered by person);
    cells: the ATT(g,t) cells (group and time as month offsets, event_time, att, n_treated).
    """

    table: pd.DataFrame
    vcov: np.ndarray
    cells: pd.DataFrame

    def measure(self, weights: dict[int, float]) -> tuple[float, float]:
        """A linear combination sum_e w_e theta(e) and its standard error (NaN if missing)."""
        idx = {int(e): i for i, e in enumerate(self.table["event_time"])}
        if any(e not in idx for e in weights):
            return float("nan"), float("nan")
        w = np.zeros(len(idx))
        for e, v in weights.items():
            w[idx[e]] = v
        est = float(w @ self.table["estimate"].to_numpy())
        var = float(w @ self.vcov @ w)
        return est, float(np.sqrt(var)) if var >= 0 else float("nan")


def comparison_pool(data: OutcomeData) -> np.ndarray:
    """Never-treated persons (no first start in the window) registered in some window month."""
    b = data.base
    return (b.first_start >= b.T) & (data.series["registered"].max(axis=1) > 0)


def estimate_event_study(
    data: OutcomeData,
    outcome: np.ndarray | str,
    treated: np.ndarray,
    spec: EventStudySpec = OUTCOMES_SPEC,
    min_e: int = design.EVENT_TIME_MIN,
    max_e: int = design.EVENT_TIME_MAX,
    balance_e: int | None = None,
) -> EventStudy | None:
    """Event study of `outcome` (a series name or an (N, T) array) for the treated persons
    `treated` (mask over persons; first start in the analysis window) against the comparison
    pool. `balance_e`: keep only cohorts observed up to event time balance_e (R did's
    balance_e; a balanced event window for horizon sums). None if no cell is estimable."""
    b = data.base
    y = data.series[outcome] if isinstance(outcome, str) else outcome
    pool = comparison_pool(data)
    if not treated.any():
        return None
    weight = None
    n_pool = int(pool.sum())
    if spec.max_comparisons is not None and n_pool > spec.max_comparisons:
        rng = np.random.default_rng(design.OUTCOMES_SAMPLE_SEED)  # the same sample every call
        keep = rng.choice(np.flatnonzero(pool), spec.max_comparisons, replace=False)
        pool = np.zeros_like(pool)
        pool[keep] = True
        weight = np.where(pool, n_pool / spec.max_comparisons, 1.0)
    units = np.flatnonzero(treated | pool)
    T = b.T
    cohort = np.where(treated[units], b.first_start[units] + 1, 0)  # periods 1..T, 0 = never
    frame = {
        "unit": np.repeat(units, T),
        "time": np.tile(np.arange(1, T + 1), units.size),
        "cohort": np.repeat(cohort, T),
        "y": y[units].ravel(),
    }
    for c in spec.covariates:
        frame[c] = data.series[c][units].ravel()
    if "age" in spec.covariates:
        frame["age_sq"] = (frame["age"] - 40.0) ** 2 / 100.0
    covs = list(spec.covariates) + (["age_sq"] if "age" in spec.covariates else [])
    if "earnings_nok" in frame:
        frame["earnings_nok"] = frame["earnings_nok"] / 10_000.0
    if weight is not None:
        frame["w"] = np.repeat(weight[units], T)
    df = pd.DataFrame(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = att_gt(
            df,
            unit="unit",
            time="time",
            cohort="cohort",
            outcome="y",
            control=spec.control,
            anticipation=spec.anticipation,
            base_period="universal",
            covariates=covs or None,
            est_method=spec.est_method,
            covariate_period="pre_treatment",
            weights="w" if weight is not None else None,
        )
        cells = res.att_gt
        if not cells["att"].notna().any():
            return None
        es = aggte(res, type="dynamic", min_e=min_e, max_e=max_e, balance_e=balance_e)
    tab = es.table.rename(columns={"att": "estimate", "se": "std_error"})
    ok = cells[cells["att"].notna() & (cells["time"] != cells["base_time"])]
    if balance_e is not None:  # the cohorts aggte kept: observed at balance_e
        seen = ok.loc[ok["event_time"] == balance_e, "group"].unique()
        ok = ok[ok["group"].isin(seen)]
    n_e = ok.groupby("event_time")["n_treated"].sum()
    tab["n_treated"] = tab["event_time"].map(n_e).fillna(0).astype(np.int64)
    out_cells = cells.assign(group=cells["group"] - 1, time=cells["time"] - 1)
    return EventStudy(
        table=tab[["event_time", "estimate", "std_error", "n_treated"]].reset_index(drop=True),
        vcov=np.asarray(es.vcov),
        cells=out_cells,
    )
