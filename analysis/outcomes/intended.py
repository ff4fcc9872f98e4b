"""Each registered purpose's effect on its own intended outcome (DOMAIN.md chains of effects).

For purpose p, the treated are the persons whose first spell has purpose p (analysis window,
status groups as the headline); the outcome is design.INTENDED_OUTCOME_BY_PURPOSE[p], a monthly
indicator defined once in analysis/sql/outcomes/02_person_month_outcomes.sql (the definitions of
marts.intended_outcomes). The event study by months since start is `estimate_event_study`;
summaries as the headline's; `credible` = the series passes both its pre-trend checks (the
leads before the base period and the anticipation window, e = -1 included).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis import design
from analysis.effects.data import analysis_treated
from analysis.outcomes.data import OutcomeData
from analysis.outcomes.estimate import (
    OUTCOMES_SPEC,
    EventStudy,
    EventStudySpec,
    estimate_event_study,
)


def summary_measures() -> dict[str, dict[int, float]]:
    """The headline's summary measures plus the medium-run mean over months 12-23."""
    lo, hi = design.MEDIUM_RUN_MONTHS
    return dict(design.SUMMARY_MEASURES) | {
        f"mean_{lo}_{hi}": {e: 1 / (hi - lo + 1) for e in range(lo, hi + 1)}
    }


def wald_test(es: EventStudy, lo: int, hi: int) -> tuple[float, float, float]:
    """Joint Wald test that theta(e) = 0 for e = lo..hi with the influence-function covariance:
    (statistic, df = rank, p-value). Event times whose SE analysis.did reports as NA (below
    1.5e-7) count as exactly estimated: passing if their estimate is 0, failing otherwise. NaN
    if no event time of the range is in the table."""
    tab = es.table
    e = tab["event_time"].to_numpy()
    est = tab["estimate"].to_numpy()
    se = tab["std_error"].to_numpy()
    inside = (e >= lo) & (e <= hi) & np.isfinite(est)
    if not inside.any():
        return float("nan"), float("nan"), float("nan")
    exact = inside & ~(np.isfinite(se) & (se > 0))
    if np.any(np.abs(est[exact]) > 1e-12):
        return float("inf"), float(exact.sum()), 0.0
    idx = np.flatnonzero(inside & ~exact)
    if idx.size == 0:
        return 0.0, 0.0, 1.0
    b = est[idx]
    v = np.nan_to_num(es.vcov[np.ix_(idx, idx)])
    stat = float(b @ np.linalg.pinv(v) @ b)
    df = float(np.linalg.matrix_rank(v))
    return stat, df, float(stats.chi2.sf(stat, df)) if df > 0 else 1.0


def pretrend_test(es: EventStudy, anticipation: int) -> tuple[float, float, float]:
    """Leads before the base period (the study's first event time .. -anticipation-2: placebo
    periods of a universal base g - anticipation - 1)."""
    first = int(es.table["event_time"].min()) if len(es.table) else design.EVENT_TIME_MIN
    return wald_test(es, first, -anticipation - 2)


def dip_window_test(es: EventStudy, anticipation: int) -> tuple[float, float, float]:
    """The anticipation window itself (e = -anticipation .. -1, incl. e = -1): the programme has
    no effect before the start month, so estimates there measure the selection on the
    pre-programme dip that the base period and covariates failed to remove."""
    return wald_test(es, -anticipation, -1)


def intended_effects(
    data: OutcomeData, spec: EventStudySpec = OUTCOMES_SPEC, z: float = 1.959963984540054
) -> tuple[pd.DataFrame, dict[str, EventStudy]]:
    """Rows of marts.effects_intended and the event studies by purpose."""
    treated = analysis_treated(data.base)
    rows = []
    studies = {}
    for purpose, outcome in design.INTENDED_OUTCOME_BY_PURPOSE.items():
        mask = treated & (data.base.purpose == purpose)
        if not mask.any():
            continue
        es = estimate_event_study(data, outcome, mask, spec)
        if es is None:
            continue
        studies[purpose] = es
        stat, df, p = pretrend_test(es, es.anticipation)
        dstat, ddf, dp = dip_window_test(es, es.anticipation)
        credible = bool(
            np.isfinite(p)
            and p >= design.PRETREND_ALPHA
            and np.isfinite(dp)
            and dp >= design.PRETREND_ALPHA
        )
        n_at = dict(zip(es.table["event_time"], es.table["n_treated"], strict=True))
        for measure, weights in summary_measures().items():
            est, se = es.measure(weights)
            rows.append(
                {
                    "purpose": purpose,
                    "intended_outcome": outcome,
                    "estimator": es.design,
                    "measure": measure,
                    "estimate": est,
                    "std_error": se,
                    "ci_low": est - z * se,
                    "ci_high": est + z * se,
                    "n_treated": int(n_at.get(min(weights), 0)),
                    "credible": credible,
                    "pretrend_statistic": stat,
                    "pretrend_df": df,
                    "pretrend_p_value": p,
                    "dip_window_statistic": dstat,
                    "dip_window_df": ddf,
                    "dip_window_p_value": dp,
                }
            )
    return pd.DataFrame(rows), studies
