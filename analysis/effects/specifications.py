"""The specification grid: the headline re-estimated under one changed design choice at a time.

How much does the answer depend on choices the data cannot settle? Each specification changes one
setting of the headline's `DesignSpec` (or two, where they belong together) and re-estimates the
effect on employment and on benefit receipt for all participants (subgroup ALL). The results land
in `marts.effects_specifications` (one row per specification, outcome and summary measure), beside
the headline itself (specification `headline`, taken from the headline's own estimate, not
re-estimated). METHODS.md ("The specification grid") says what each choice does and what it was
measured to do in synthetic worlds built to break it.

Each specification is an effects part of its own (`spec_<name>` in `analysis.effects.parts`), so
the grid runs in parallel with the rest of the effects layer.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import design
from analysis.effects.data import EffectsData
from analysis.effects.headline import HEADLINE_SPEC, DesignSpec, estimate_event_study
from analysis.effects.result import Z95, EventStudy
from analysis.settings import DEFAULT_EMPLOYMENT_THRESHOLD_NOK

OUTCOMES = ("employed", "any_benefit")
MEASURES = ("lock_in_0_5", "mean_12_23", "at_12", "at_24")
HEADLINE = "headline"


@dataclass(frozen=True)
class Specification:
    """One cell of the grid: what changes against the headline and why it is worth seeing."""

    changes: dict
    description: str
    # employment re-defined as earnings >= this factor x the run's employment threshold (the
    # history the design conditions on too); None: the panel's own employment
    threshold_factor: float | None = None


SPECIFICATIONS: dict[str, Specification] = {
    "threshold_x2": Specification(
        {},
        "employment defined as monthly earnings of at least twice the run's threshold (in the "
        "outcome and in the employment history conditioned on)",
        threshold_factor=2.0,
    ),
    "anticipation_6": Specification(
        {"anticipation": 6},
        "anticipation window of 6 months instead of 12: base month g-7 and every window 6 months "
        "later, inside the pre-programme dip for many starters",
    ),
    "anticipation_18": Specification(
        {"anticipation": 18},
        "anticipation window of 18 months instead of 12: every window 6 months earlier, cohorts "
        "need 55 months of history",
    ),
    "never_treated": Specification(
        {"comparison": "never_treated"},
        "comparisons who never start AT in the window instead of those not started yet",
    ),
    "start_now_vs_later": Specification(
        {"estimand": "start_now_vs_later"},
        "effect of starting now against not starting yet: the comparisons followed whatever they "
        "do later, their own later AT included (not taken out)",
    ),
    "base_window_12": Specification(
        {"base_window": 12},
        "a base window of 12 months (g-37..g-26) instead of 24: cohorts need 37 months of history",
    ),
    "single_base_month": Specification(
        {"base_window": 0, "event_time_min": -24},
        "one base month (g-13) instead of the 24-month base window: selection on the employment "
        "record only, the persistent gap not taken out (regression to the mean)",
    ),
    "changes_single_base": Specification(
        {
            "history": "changes",
            "base_window": 0,
            "estimand": "start_now_vs_later",
            "event_time_min": -24,
        },
        "the former headline: employment history as changes from one base month (g-13), start "
        "now against not yet",
    ),
}


def spec_of(name: str) -> DesignSpec:
    """The headline's `DesignSpec` with the specification's changes."""
    if name == HEADLINE:
        return HEADLINE_SPEC
    if name not in SPECIFICATIONS:
        raise ValueError(f"unknown specification {name!r} (known: {', '.join(SPECIFICATIONS)})")
    return dataclasses.replace(HEADLINE_SPEC, **SPECIFICATIONS[name].changes)


def threshold_of(name: str, employment_threshold_nok: int) -> int:
    """The employment threshold (NOK a month) behind specification `name`'s employment."""
    factor = SPECIFICATIONS[name].threshold_factor if name in SPECIFICATIONS else None
    return int(round(employment_threshold_nok * factor)) if factor else employment_threshold_nok


def estimate_specification(
    data: EffectsData,
    name: str,
    employment_threshold_nok: int = DEFAULT_EMPLOYMENT_THRESHOLD_NOK,
) -> list[EventStudy]:
    """The headline design under specification `name`, for `OUTCOMES`, subgroup ALL.

    `employment_threshold_nok`: the threshold the panel's employment was built with (a
    specification with a `threshold_factor` re-defines employment relative to it)."""
    thr = threshold_of(name, employment_threshold_nok)
    if thr != employment_threshold_nok:
        emp = data.outcomes["employed"]
        employed = (data.outcomes["earnings_nok"] >= thr).astype(emp.dtype)
        data = dataclasses.replace(data, outcomes={**data.outcomes, "employed": employed})
    res = estimate_event_study(data, list(OUTCOMES), spec=spec_of(name))
    for st in res.values():
        st.meta["specification"] = name
        st.meta["employment_threshold_nok"] = thr
    return list(res.values())


def specifications_frame(
    grid: dict[str, list[EventStudy]],
    headline: list[EventStudy],
    employment_threshold_nok: int = DEFAULT_EMPLOYMENT_THRESHOLD_NOK,
) -> pd.DataFrame:
    """marts.effects_specifications: the headline (subgroup ALL) and each specification, per
    outcome and summary measure, in a fixed order (headline first, then `SPECIFICATIONS`)."""
    head = {st.outcome: st for st in headline if st.outcome in OUTCOMES}
    order = [(HEADLINE, [head[o] for o in OUTCOMES if o in head])]
    order += [(n, grid[n]) for n in SPECIFICATIONS if n in grid]
    recs = []
    for name, studies in order:
        spec = spec_of(name)
        what = "the headline design" if name == HEADLINE else SPECIFICATIONS[name].description
        for st in studies:
            s = st.subgroups.index(design.ALL)
            meta = st.subgroup_meta(s)
            for m in MEASURES:
                w = design.SUMMARY_MEASURES[m]
                est, se = st.linear(s, w)
                k = np.flatnonzero(st.event_times == min(w))
                n = int(st.n_treated[s, k[0]]) if k.size else 0
                recs.append(
                    (
                        name,
                        st.outcome,
                        m,
                        est,
                        se,
                        est - Z95 * se,
                        est + Z95 * se,
                        n,
                        int(meta.get("n_cohorts", 0)),
                        spec.anticipation,
                        spec.comparison,
                        spec.history,
                        spec.base_window,
                        spec.estimand,
                        threshold_of(name, employment_threshold_nok),
                        name == HEADLINE,
                        what,
                    )
                )
    return pd.DataFrame.from_records(recs, columns=list(COLUMNS))


COLUMNS = {
    "specification": "name of the specification (headline = the published headline design)",
    "outcome": "employed or any_benefit (receipt of any benefit in the month)",
    "measure": "summary measure (design.SUMMARY_MEASURES): lock_in_0_5, mean_12_23, at_12, at_24",
    "estimate": "effect on the outcome's share (percentage points / 100)",
    "std_error": "standard error (influence functions clustered by person)",
    "ci_low": "lower limit of the pointwise 95 % interval",
    "ci_high": "upper limit of the pointwise 95 % interval",
    "n_treated": "treated persons behind the measure's first event time (not published outside "
    "the warehouse: marts.effects has the headline's counts)",
    "n_cohorts": "start cohorts the specification estimates",
    "anticipation": "anticipation window in months (base month g - anticipation - 1)",
    "comparison": "not_yet_treated or never_treated",
    "history": "employment history as changes (from the base month) or levels",
    "base_window": "0: one base month; L: the base is the mean of L months before the history",
    "estimand": "start_now_vs_later (Sianesi) or start_vs_never",
    "employment_threshold_nok": "monthly earnings (NOK) from which a month counts as employed",
    "is_headline": "TRUE for the published headline's own row",
    "description": "what differs from the headline",
}
TYPES = {
    "specification": "VARCHAR",
    "outcome": "VARCHAR",
    "measure": "VARCHAR",
    "estimate": "DOUBLE",
    "std_error": "DOUBLE",
    "ci_low": "DOUBLE",
    "ci_high": "DOUBLE",
    "n_treated": "BIGINT",
    "n_cohorts": "INTEGER",
    "anticipation": "INTEGER",
    "comparison": "VARCHAR",
    "history": "VARCHAR",
    "base_window": "INTEGER",
    "estimand": "VARCHAR",
    "employment_threshold_nok": "INTEGER",
    "is_headline": "BOOLEAN",
    "description": "VARCHAR",
}


def write_specifications_mart(
    con,
    grid: dict[str, list[EventStudy]],
    headline: list[EventStudy],
    write_table,
    employment_threshold_nok: int = DEFAULT_EMPLOYMENT_THRESHOLD_NOK,
) -> None:
    """Write marts.effects_specifications (empty without the headline)."""
    from analysis.warehouse import apply_comments

    frame = (
        specifications_frame(grid, headline, employment_threshold_nok)
        if headline
        else pd.DataFrame(columns=list(TYPES))
    )
    write_table(con, "marts.effects_specifications", frame, TYPES, "outcome, measure")
    apply_comments(
        con,
        "marts.effects_specifications",
        "The specification grid: the headline (employment and benefit receipt, all participants) "
        "re-estimated with one design choice changed at a time (employment threshold, "
        "anticipation window, comparison group, estimand, base window, the former headline), "
        "beside the headline. "
        "How far the estimates move is part of their uncertainty. See analysis/effects/METHODS.md.",
        COLUMNS,
    )
