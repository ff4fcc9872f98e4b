"""The one event-study call the outcome-specific effects make (repoint it to the headline API).

`estimate_event_study` runs the generic `analysis.did` machinery (Callaway & Sant'Anna with
Sant'Anna & Zhao's doubly robust 2x2) for one outcome series and one set of treated persons,
with the design choices of the issue-11 headline: a base period before the pre-programme dip
(an anticipation window of `spec.anticipation` months, universal base g - anticipation - 1),
covariates read at that base period (`covariate_period="pre_treatment"`: age, registration,
NEDSATT status, employment, earnings and benefits then), doubly robust estimation.

The default `OUTCOMES_SPEC` runs the effects helper's headline design itself
(`analysis.effects.headline.estimate_event_study`: anticipation 12, registered not-yet-treated
comparisons, DR conditioned on the dip; analysis/effects/METHODS.md). `STANDIN_SPEC` is the stand-in used
before that API existed, kept for comparison. Its comparison group: persons never treated in
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
    # True: run the effects helper's headline design (analysis.effects.headline) instead, with
    # its own comparisons, base period, covariates and comparison sampling (the fields above
    # are then descriptive only: name, anticipation).
    use_headline: bool = False
    # Design used for a series the headline cannot estimate (e.g. every cohort's DR fit fails
    # in a small subgroup); its name is then the estimator of that series.
    fallback: EventStudySpec | None = None


# The stand-in used before the headline API existed (the fallback of the headline).
STANDIN_SPEC = EventStudySpec(
    name="cs_dr_predip",
    anticipation=design.OUTCOMES_ANTICIPATION_MONTHS,
    control="nevertreated",
    est_method="dr",
    covariates=COVARIATE_COLUMNS,
)
# The headline design itself (analysis.effects.headline.estimate_event_study): the default.
OUTCOMES_SPEC = EventStudySpec(
    name=design.HEADLINE_ESTIMATOR,
    anticipation=design.HEADLINE_ANTICIPATION_MONTHS,
    control="not_yet_treated_registered",
    est_method="dr",
    covariates=(),
    use_headline=True,
    fallback=STANDIN_SPEC,
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
    design: str = ""  # name of the spec that produced it
    anticipation: int = 0

    def measure(self, weights: dict[int, float]) -> tuple[float, float]:
        """A linear combination sum_e w_e theta(e) and its standard error (NaN if missing)."""
        idx = {int(e): i for i, e in enumerate(self.table["event_time"])}
        if any(e not in idx for e in weights):
            return float("nan"), float("nan")
        w = np.zeros(len(idx))
        for e, v in weights.items():
            w[idx[e]] = v
        used = w != 0
        theta = self.table["estimate"].to_numpy()[used]
        est = float(w[used] @ theta)
        v = np.nan_to_num(self.vcov[np.ix_(used, used)])
        var = float(w[used] @ v @ w[used])
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
    if spec.use_headline:
        return estimate_event_studies(data, {"y": y}, treated, spec, min_e, max_e, balance_e)["y"]
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
        design=spec.name,
        anticipation=spec.anticipation,
    )


def estimate_event_studies(
    data: OutcomeData,
    outcomes: dict[str, np.ndarray] | tuple[str, ...] | list[str],
    treated: np.ndarray,
    spec: EventStudySpec = OUTCOMES_SPEC,
    min_e: int = design.EVENT_TIME_MIN,
    max_e: int = design.EVENT_TIME_MAX,
    balance_e: int | None = None,
) -> dict[str, EventStudy | None]:
    """`estimate_event_study` for several outcomes of the same treated persons: with the
    headline design one call, whose cohort models (propensity score, comparisons) are shared by
    the outcomes; the same estimates as one call per outcome."""
    if not isinstance(outcomes, dict):
        outcomes = {o: data.series[o] for o in outcomes}
    if not spec.use_headline:
        return {
            o: estimate_event_study(data, y, treated, spec, min_e, max_e, balance_e)
            for o, y in outcomes.items()
        }
    res = _headline_event_studies(data, outcomes, treated, max_e, balance_e)
    out: dict[str, EventStudy | None] = {}
    for o, es in res.items():
        if es is not None:
            es.design, es.anticipation = spec.name, spec.anticipation
        elif spec.fallback is not None:
            es = estimate_event_study(
                data, outcomes[o], treated, spec.fallback, min_e, max_e, balance_e
            )
        out[o] = es
    return out


def _headline_event_studies(
    data: OutcomeData,
    ys: dict[str, np.ndarray],
    treated: np.ndarray,
    max_e: int,
    balance_e: int | None,
) -> dict[str, EventStudy | None]:
    """The same output from the effects helper's headline API (one subgroup: `treated`), per
    outcome (None where nothing is estimable).

    The headline's treated are restricted to `treated`; `balance_e` keeps the cohorts observed
    at that event time (a balanced event window); event times run from the headline's first
    lead to max(max_e, the headline's last event time)."""
    from dataclasses import replace

    from analysis.effects.headline import HEADLINE_SPEC, headline_treated
    from analysis.effects.headline import estimate_event_study as headline

    mask = treated.copy()
    if balance_e is not None:
        mask &= data.base.first_start + balance_e <= data.T - 1
    spec = replace(HEADLINE_SPEC, event_time_max=max(max_e, HEADLINE_SPEC.event_time_max))
    if not (mask & headline_treated(data.base, spec)).any():
        return dict.fromkeys(ys)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = headline(data.base, ys, subgroup_mask=mask, spec=spec)
    return {o: _study(res[o], max_e) for o in ys}


def _study(res, max_e: int) -> EventStudy | None:
    """An outcome's headline result as the outcome layer's EventStudy (None: nothing estimable)."""
    est = res.estimate[0]
    if not np.isfinite(est).any():
        return None
    vcov = np.nan_to_num(res.vcov[0])
    se = np.sqrt(np.clip(np.diagonal(vcov), 0.0, None))
    keep = res.event_times <= max_e
    table = pd.DataFrame(
        {
            "event_time": res.event_times[keep].astype(np.int64),
            "estimate": est[keep],
            "std_error": np.where(np.isfinite(est[keep]), se[keep], np.nan),
            "n_treated": res.n_treated[0][keep].astype(np.int64),
        }
    )
    return EventStudy(table=table, vcov=vcov[np.ix_(keep, keep)], cells=pd.DataFrame())
