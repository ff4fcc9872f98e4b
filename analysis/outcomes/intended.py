"""Each registered purpose's effect on its own intended outcome (DOMAIN.md chains of effects).

For purpose p, the treated are the persons whose first spell has purpose p (analysis window,
status groups as the headline); the outcome is design.INTENDED_OUTCOME_BY_PURPOSE[p], a monthly
indicator defined once in analysis/sql/outcomes/02_person_month_outcomes.sql (the definitions of
marts.intended_outcomes). The event study by months since start is `estimate_event_study`;
summaries as the headline's; `credible` = the series passes its pre-trend check.
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


def pretrend_test(es: EventStudy, anticipation: int) -> tuple[float, float, float]:
    """Joint Wald test that the leads before the anticipation window are 0
    (e = EVENT_TIME_MIN .. -anticipation-2, the placebo periods of a universal base at
    g - anticipation - 1): (statistic, df, p-value); NaN if no lead is estimable."""
    tab = es.table
    e = tab["event_time"].to_numpy()
    keep = (e >= design.EVENT_TIME_MIN) & (e <= -anticipation - 2)
    keep &= np.isfinite(tab["std_error"].to_numpy()) & (tab["std_error"].to_numpy() > 0)
    idx = np.flatnonzero(keep)
    if idx.size == 0:
        return float("nan"), float("nan"), float("nan")
    b = tab["estimate"].to_numpy()[idx]
    v = es.vcov[np.ix_(idx, idx)]
    vinv = np.linalg.pinv(v)
    stat = float(b @ vinv @ b)
    df = float(np.linalg.matrix_rank(v))
    return stat, df, float(stats.chi2.sf(stat, df))


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
        stat, df, p = pretrend_test(es, spec.anticipation)
        credible = bool(np.isfinite(p) and p >= design.PRETREND_ALPHA)
        n_at = dict(zip(es.table["event_time"], es.table["n_treated"], strict=True))
        for measure, weights in summary_measures().items():
            est, se = es.measure(weights)
            rows.append(
                {
                    "purpose": purpose,
                    "intended_outcome": outcome,
                    "estimator": spec.name,
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
                }
            )
    return pd.DataFrame(rows), studies
