"""Headline series, uniform bands, the design gate and HonestDiD sensitivity (issue 11).

`headline_family(data, family)` runs `headline.estimate_event_study` for every headline outcome
(family ALL) or for `design.HEADLINE_SUBGROUP_OUTCOMES` by the subgroups of one family (subgroups
restrict the comparisons too where the comparisons have the attribute: status group, age,
gender, immigrant category; purpose and start year restrict the treated only); each family is
one part of the effects layer (`analysis.effects.parts`), and `merge_families` stacks them. `gate_frame`, `sensitivity_frame` and `band_critical`
turn the resulting EventStudy objects into marts.effects_design_gate / effects_sensitivity rows
and the simultaneous bands of marts.effects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import design
from analysis.design import (
    GATE_ALPHA,
    GATE_BALANCE_MAX_SMD,
    GATE_EQUIVALENCE_Z,
    GATE_LEAD_EQUIVALENCE_MARGIN,
    GATE_OVERLAP_MAX_SHARE,
    GATE_PLACEBO_EQUIVALENCE_MARGIN,
)
from analysis.did import honest
from analysis.effects.data import STATUS_NAMES, EffectsData
from analysis.effects.headline import (
    HEADLINE_SPEC,
    HISTORY_OUTCOMES,
    MIN_COMPARISONS,
    DesignSpec,
    estimate_event_study,
    estimated_cohorts,
    headline_treated,
)
from analysis.effects.result import EventStudy, wald_test


def headline_outcomes() -> list[str]:
    return [*design.OUTCOMES, design.ANY_BENEFIT_OUTCOME, *design.BENEFIT_OUTCOMES]


def _subgroups(data: EffectsData, spec: DesignSpec):
    """name -> (treated mask, comparison filter or None)."""
    tr = headline_treated(data, spec)
    age = data.extra["months"]["age"]
    out = {}
    for p in sorted(set(data.purpose[tr].tolist())):
        out[f"purpose={p}"] = (data.purpose == p, None)
    for code in (1, 2):
        out[f"status_group={STATUS_NAMES[code]}"] = (
            data.group == code,
            lambda idx, g, c=code: data.status[idx, g - 1] == c,
        )
    lim = design.AGE_GROUP_LIMIT
    out["age=under_30"] = (data.age_at_start < lim, lambda idx, g: age[idx, g - 1] < lim)
    out["age=30_plus"] = (data.age_at_start >= lim, lambda idx, g: age[idx, g - 1] >= lim)
    out["immigrant=B"] = (data.immigrant == "B", lambda idx, g: data.immigrant[idx] == "B")
    out["immigrant=other"] = (data.immigrant != "B", lambda idx, g: data.immigrant[idx] != "B")
    out["gender=female"] = (data.gender == 2, lambda idx, g: data.gender[idx] == 2)
    out["gender=male"] = (data.gender == 1, lambda idx, g: data.gender[idx] == 1)
    start_year = data.months[np.clip(data.first_start, 0, data.T - 1)] // 100
    for y in sorted(set(start_year[tr].tolist())):
        out[f"start_year={y}"] = (start_year == y, None)
    return {k: v for k, v in out.items() if (v[0] & tr).any()}


def merge_subgroups(parts: list[EventStudy]) -> EventStudy:
    """Stack single-subgroup studies of one estimator and outcome into one EventStudy."""
    first = parts[0]
    return EventStudy(
        estimator=first.estimator,
        outcome=first.outcome,
        event_times=first.event_times,
        subgroups=[p.subgroups[0] for p in parts],
        estimate=np.vstack([p.estimate for p in parts]),
        vcov=np.concatenate([p.vcov for p in parts]),
        n_treated=np.vstack([p.n_treated for p in parts]),
        meta={"by_subgroup": [p.meta for p in parts]},
    )


# The subgroup families of `_subgroups`, in its order: each is one part of the effects layer
# (`analysis.effects.parts`), and their results are stacked in this order.
SUBGROUP_FAMILIES = ("purpose", "status_group", "age", "immigrant", "gender", "start_year")


def family_of_part(name: str) -> str:
    """The family a part's name stands for ("all" -> "ALL")."""
    return "ALL" if name == "all" else name


def headline_family(
    data: EffectsData, family: str, spec: DesignSpec = HEADLINE_SPEC
) -> dict[str, list[EventStudy]]:
    """Single-subgroup headline studies per outcome of one family ("ALL": every headline
    outcome for subgroup ALL; else the subgroup outcomes for each subgroup of the family)."""
    if family == "ALL":
        res = estimate_event_study(data, headline_outcomes(), spec=spec)
        return {o: [st] for o, st in res.items()}
    if family not in SUBGROUP_FAMILIES:
        raise ValueError(f"unknown subgroup family {family!r}")
    out: dict[str, list[EventStudy]] = {}
    sub_outs = list(design.HEADLINE_SUBGROUP_OUTCOMES)
    for name, (mask, filt) in _subgroups(data, spec).items():
        if name.split("=")[0] != family:
            continue
        res = estimate_event_study(
            data, sub_outs, subgroup_mask=mask, comparison_filter=filt, spec=spec, subgroup=name
        )
        for o, st in res.items():
            out.setdefault(o, []).append(st)
    return out


def merge_families(families: list[dict[str, list[EventStudy]]]) -> list[EventStudy]:
    """One EventStudy per headline outcome: the families' subgroups stacked in the given order."""
    parts: dict[str, list[EventStudy]] = {o: [] for o in headline_outcomes()}
    for fam in families:
        for o, studies in fam.items():
            parts[o] += studies
    return [merge_subgroups(p) for p in parts.values() if p]


# ------------------------------------------------------------------------------ uniform bands
def band_critical(st: EventStudy, s: int, event_times, draws: int = 5000, seed: int = 1) -> float:
    """Sup-t critical value for a simultaneous 95 % band over `event_times` (estimable ones):
    the 95 % quantile of max_e |Z_e| / se_e, Z ~ N(0, V) with V the joint influence-function
    covariance (a multiplier bootstrap with Gaussian multipliers on the influence function)."""
    idx = [int(np.flatnonzero(st.event_times == e)[0]) for e in event_times if e in st.event_times]
    idx = [k for k in idx if np.isfinite(st.estimate[s, k]) and st.vcov[s, k, k] > 0]
    if not idx:
        return np.nan
    v = st.vcov[s][np.ix_(idx, idx)]
    sd = np.sqrt(np.diag(v))
    corr = v / np.outer(sd, sd)
    w, q = np.linalg.eigh(corr)
    root = q * np.sqrt(np.clip(w, 0, None))
    z = np.random.default_rng(seed).standard_normal((draws, len(idx))) @ root.T
    return float(np.quantile(np.abs(z).max(axis=1), 0.95))


# ------------------------------------------------------------------------------ design gate
def _ps_summary(meta: dict) -> tuple[float, float, int]:
    ps = [p for p in meta.get("ps", []) if p.get("ok")]
    n = np.array([p["n_treated"] for p in ps], dtype=float)
    if n.sum() == 0:
        return np.nan, np.nan, 0
    share = np.array([p.get("share_treated_ps_above_0_9", np.nan) for p in ps])
    smd = np.array([p.get("mean_abs_smd", np.nan) for p in ps])
    return float(np.nansum(n * share) / n.sum()), float(np.nansum(n * smd) / n.sum()), len(ps)


def conditioned_leads(spec: DesignSpec) -> list[int]:
    """Leads whose month of employment is a covariate (the dip window and, with a long base, the
    base month and the 12 months before it), without the reference."""
    first = spec.base_offset if spec.base_window else spec.anticipation
    return [e for e in range(-first, 0) if e != spec.reference]


def placebo_leads(spec: DesignSpec) -> list[int]:
    """Leads that test the design: with a long base the months of the base window (their
    estimates are the starters' gap to the comparisons in each month relative to the window's
    mean: 0 when that gap was stable); with one base month every lead before the conditioned
    months (and, for outcomes whose history is not a covariate, the dip window too)."""
    if spec.base_window:
        lo, hi = -spec.base_offset - spec.base_window, -spec.base_offset
        return [e for e in range(lo, hi) if e >= spec.event_time_min]
    return [e for e in range(spec.event_time_min, 0) if e != spec.reference]


def _lead_check(
    st: EventStudy,
    s: int,
    check: str,
    event_times: list[int],
    detail: str,
    balance: bool,
    centred: bool = False,
    margin: float | None = None,
) -> tuple:
    """(check, statistic, df, p, threshold, passed, detail) of a joint test of leads.

    A test (`balance` False): the Wald test decides (p >= GATE_ALPHA); a test that cannot be
    computed fails; with a `margin` (the long base's placebo) a rejection blocks only if some
    lead's 90 % interval reaches beyond +-margin.

    A balance check (`balance`: leads whose month is a covariate of the outcome's own history):
    with one base month they are 0 by construction in cohorts with the full covariate set, with
    a long base (`centred`) they all equal minus the base window's gap; only cohorts fitted with
    the reduced set move them, so the check is decided by equivalence: every lead's deviation
    (from 0, or from the leads' mean when `centred`) has its 90 % interval within
    +-GATE_LEAD_EQUIVALENCE_MARGIN; `threshold` then holds that margin, and the Wald test of
    those deviations is reported, not decisive."""
    stat, df, p = st.wald(s, event_times)
    if not balance:
        passed = bool(p >= GATE_ALPHA) if np.isfinite(p) else False
        if margin is not None and not passed:
            at = np.isin(st.event_times, event_times) & np.isfinite(st.estimate[s])
            reach = np.abs(st.estimate[s, at]) + GATE_EQUIVALENCE_Z * st.se()[s, at]
            passed = bool(at.any() and reach.max() <= margin)
            detail += (
                "; it fails only if the test rejects and some month's 90 % interval reaches "
                f"beyond +-{margin:g} (a significant but negligible drift does not block)"
                + ("; here the drift is within that margin" if passed else "")
            )
        return (check, stat, df, p, GATE_ALPHA, passed, detail)
    at = np.flatnonzero(np.isin(st.event_times, event_times) & np.isfinite(st.estimate[s]))
    if centred and at.size:
        c = np.eye(at.size) - 1.0 / at.size  # deviations from the leads' mean
        est = c @ st.estimate[s, at]
        v = c @ st.vcov[s][np.ix_(at, at)] @ c.T
        se = np.sqrt(np.clip(np.diagonal(v), 0.0, None))
        scale = float(np.diagonal(st.vcov[s])[at].max(initial=0.0))
        stat, df, p = wald_test(est, v, scale)
    else:
        est, se = st.estimate[s, at], st.se()[s, at]
    reach = np.abs(est) + GATE_EQUIVALENCE_Z * se
    passed = bool(at.size and reach.max() <= GATE_LEAD_EQUIVALENCE_MARGIN)
    what = "a level" if centred else "a change from the base month"
    detail += (
        f"; {st.outcome} in these months is a covariate (as {what}), so this is a balance "
        "check, not a test of parallel trends: it passes when every lead's "
        + (
            "deviation from the leads' mean (which is minus the base window's gap) has its "
            if centred
            else ""
        )
        + f"90 % interval within +-{GATE_LEAD_EQUIVALENCE_MARGIN:g} (equivalence; the Wald "
        "test is reported, not decisive)"
    )
    if df == 0 and passed and not centred:
        detail += "; every lead is 0 by construction: balance holds exactly"
        stat = 0.0
    return (check, stat, df, p, GATE_LEAD_EQUIVALENCE_MARGIN, passed, detail)


def gate_frame(studies: list[EventStudy], spec: DesignSpec = HEADLINE_SPEC) -> pd.DataFrame:
    """marts.effects_design_gate rows for every headline series (outcome x subgroup)."""
    ref = spec.reference
    long_base = bool(spec.base_window)
    placebo = placebo_leads(spec)
    dip = list(range(-spec.anticipation, 0))
    held = conditioned_leads(spec)
    if long_base:
        lead_text = (
            f"joint Wald test that the effects at e = {placebo[0]}..{placebo[-1]} (the months of "
            "the base window, each relative to the window's mean) are 0: the gap between starters "
            "and comparisons was stable over the base window (the design's placebo; chi2, "
            "influence-function covariance)"
        )
    else:
        lead_text = (
            f"joint Wald test that the effects at e = {placebo[0]}..-1 (without the reference "
            f"e = {ref}) are 0, incl. e = -1; chi2, influence-function covariance"
        )
    dip_text = (
        f"joint Wald test over the anticipation window e = -{spec.anticipation}..-1 (the "
        "pre-programme dip)"
    )
    held_text = (
        f"the leads at e = {held[0]}..-1 (the dip window and the months before it conditioned on)"
    )
    recs = []
    for st in studies:
        history = st.outcome in HISTORY_OUTCOMES
        # employment's conditioned months: with a long base all of them, else the dip window
        second_months, second_text = (held, held_text) if history and long_base else (dip, dip_text)
        for si, sub in enumerate(st.subgroups):
            meta = st.subgroup_meta(si)
            first = _lead_check(
                st,
                si,
                "pretrend_leads",
                placebo,
                lead_text,
                balance=history and not long_base,
                margin=GATE_PLACEBO_EQUIVALENCE_MARGIN if long_base else None,
            )
            second = _lead_check(
                st,
                si,
                "pretrend_dip_window",
                second_months,
                second_text,
                balance=history,
                centred=long_base,
            )
            rows = [first, second]
            share, smd, n_ok = _ps_summary(meta)
            rows.append(
                (
                    "overlap",
                    share,
                    None,
                    None,
                    GATE_OVERLAP_MAX_SHARE,
                    bool(share <= GATE_OVERLAP_MAX_SHARE) if np.isfinite(share) else False,
                    "share of treated persons with an estimated propensity score above 0.9 "
                    f"(cohorts with a fitted score: {n_ok}, failed: "
                    f"{meta.get('n_cohorts_failed', 0)})",
                )
            )
            rows.append(
                (
                    "balance",
                    smd,
                    None,
                    None,
                    GATE_BALANCE_MAX_SMD,
                    bool(smd <= GATE_BALANCE_MAX_SMD) if np.isfinite(smd) else False,
                    "mean absolute standardised mean difference of the covariates between the "
                    "treated and the propensity-weighted comparisons of a cohort, averaged over "
                    "cohorts (weighted by treated counts)",
                )
            )
            credible = all(r[5] for r in rows)
            for r in rows:
                recs.append((st.estimator, st.outcome, sub, *r[:6], credible, r[6]))
    return pd.DataFrame.from_records(
        recs,
        columns=[
            "estimator",
            "outcome",
            "subgroup",
            "check",
            "statistic",
            "df",
            "p_value",
            "threshold",
            "passed",
            "credible",
            "detail",
        ],
    )


# ------------------------------------------------------------------------------ HonestDiD
SENSITIVITY_MEASURES = {"at_12": 12, "at_24": 24}
SENSITIVITY_PRE = 3  # leads before the reference month used as pre-periods
MBAR = (0.25, 0.5, 1.0, 2.0)
M_SMOOTH = (0.0, 0.0001, 0.0002, 0.0005)


def sensitivity_periods(spec: DesignSpec, h: int) -> tuple[list[int], list[int]]:
    """Pre- and post-periods of the Rambachan & Roth analysis at horizon h. One base month: the
    SENSITIVITY_PRE leads before the reference, then every month from the reference on (the dip
    window included). Long base: the last SENSITIVITY_PRE months of the base window (each
    relative to the window's mean, the design's reference), then months 0..h; the conditioned
    months between carry no information on trends and are skipped, so the restrictions treat the
    end of the base window and the start as adjacent."""
    if spec.base_window:
        return placebo_leads(spec)[-SENSITIVITY_PRE:], list(range(0, h + 1))
    ref = spec.reference
    return list(range(ref - SENSITIVITY_PRE, ref)), list(range(ref + 1, h + 1))


def sensitivity_frame(
    studies: list[EventStudy],
    spec: DesignSpec = HEADLINE_SPEC,
    outcomes: tuple[str, ...] = (design.HEADLINE_OUTCOME,),
    grid_points: int = 50,
) -> pd.DataFrame:
    """Rambachan & Roth sensitivity of the headline (subgroup ALL) at 12 and 24 months."""
    recs = []
    for st in studies:
        if st.outcome not in outcomes:
            continue
        s = 0
        for measure, h in SENSITIVITY_MEASURES.items():
            pre, post = sensitivity_periods(spec, h)
            idx = [int(np.flatnonzero(st.event_times == e)[0]) for e in pre + post]
            b = st.estimate[s, idx]
            v = st.vcov[s][np.ix_(idx, idx)]
            if not np.all(np.isfinite(b)):
                continue
            l_vec = np.zeros(len(post))
            l_vec[-1] = 1.0
            orig = honest.original_cs(b, v, len(pre), len(post), l_vec=l_vec)
            for method, params, fn in (
                ("relative_magnitude", MBAR, "rm"),
                ("smoothness", M_SMOOTH, "sd"),
            ):
                if fn == "rm":
                    tab = honest.relative_magnitudes(
                        b,
                        v,
                        len(pre),
                        len(post),
                        mbar=params,
                        l_vec=l_vec,
                        grid_points=grid_points,
                        method="Conditional",
                    )
                    pcol = "Mbar"
                else:
                    tab = honest.smoothness(b, v, len(pre), len(post), m=params, l_vec=l_vec)
                    pcol = "M"
                lbs, ubs, ps = tab["lb"].to_numpy(), tab["ub"].to_numpy(), tab[pcol].to_numpy()
                covers0 = (lbs <= 0) & (ubs >= 0)
                breakdown = float(ps[np.argmax(covers0)]) if covers0.any() else np.nan
                key = (st.estimator, st.outcome, "ALL", measure, method)
                recs.append((*key, np.nan, orig["lb"], orig["ub"], True, breakdown))
                recs += [
                    (*key, float(par), lo, hi, False, breakdown)
                    for par, lo, hi in zip(ps, lbs, ubs, strict=True)
                ]
    return pd.DataFrame.from_records(
        recs,
        columns=[
            "estimator",
            "outcome",
            "subgroup",
            "measure",
            "method",
            "parameter",
            "ci_low",
            "ci_high",
            "is_original",
            "breakdown",
        ],
    )


def cohorts_left_out_frame(studies: list[EventStudy]) -> pd.DataFrame:
    """marts.effects_cohorts_left_out: the start cohorts of a headline series that no estimate
    uses (fewer than MIN_COMPARISONS comparison persons, or the propensity model failed with the
    full and the reduced covariate set), so that a series' treated persons can be rebuilt."""
    recs = []
    for st in studies:
        for si, sub in enumerate(st.subgroups):
            meta = st.subgroup_meta(si)
            cohorts = np.asarray(meta.get("cohorts", []), dtype=np.int64)
            if cohorts.size == 0:
                continue
            failed = {p["cohort"] for p in meta.get("ps", []) if not p.get("ok", True)}
            for g in cohorts[~np.isin(cohorts, estimated_cohorts(meta))]:
                reason = "propensity_model_failed" if int(g) in failed else "too_few_comparisons"
                recs.append((st.estimator, st.outcome, sub, int(g), reason))
    return pd.DataFrame.from_records(recs, columns=list(LEFT_OUT_TYPES))


# ------------------------------------------------------------------------------ marts
GATE_TYPES = {
    "estimator": "VARCHAR",
    "outcome": "VARCHAR",
    "subgroup": "VARCHAR",
    "check": "VARCHAR",
    "statistic": "DOUBLE",
    "df": "DOUBLE",
    "p_value": "DOUBLE",
    "threshold": "DOUBLE",
    "passed": "BOOLEAN",
    "credible": "BOOLEAN",
    "detail": "VARCHAR",
}
GATE_COMMENTS = {
    "estimator": "the headline estimator (analysis.design.HEADLINE_ESTIMATOR)",
    "outcome": "outcome of the series (as in marts.effects)",
    "subgroup": "ALL or dimension=value (as in marts.effects)",
    "check": (
        "pretrend_leads (the design's placebo: joint Wald over the months of the base window "
        "e = -49..-26, each relative to the window's mean), pretrend_dip_window (employment: "
        "balance of the conditioned months e = -25..-1; other outcomes: joint Wald over the "
        "anticipation window e = -12..-1), overlap (share of treated with propensity score > "
        "0.9), balance (mean |SMD| of the covariates after weighting)"
    ),
    "statistic": "chi2 statistic (pre-trend checks) or the share / SMD (overlap, balance)",
    "df": "degrees of freedom of the chi2 test (rank of the lead covariance); NULL otherwise",
    "p_value": "p-value of the chi2 test; NULL otherwise",
    "threshold": "pass rule: p >= threshold (tests) or statistic <= threshold (overlap, balance); for employment's conditioned months (a balance check: its history is a covariate) the equivalence margin within which every lead's deviation from their mean must lie (90 % interval)",
    "passed": "the check passed (a test that cannot be computed does not pass)",
    "credible": (
        "the series' decision: TRUE only if every check of the series passed; a FALSE is the "
        "recorded blocking decision -- the report must not present the estimate as a finding"
    ),
    "detail": "what the check is, in one plain sentence (no person-level values)",
}
LEFT_OUT_TYPES = {
    "estimator": "VARCHAR",
    "outcome": "VARCHAR",
    "subgroup": "VARCHAR",
    "cohort": "INTEGER",
    "reason": "VARCHAR",
}
LEFT_OUT_COMMENTS = {
    "estimator": "the headline estimator (analysis.design.HEADLINE_ESTIMATOR)",
    "outcome": "outcome of the series (as in marts.effects)",
    "subgroup": "ALL or dimension=value (as in marts.effects)",
    "cohort": (
        "start cohort: month of the first Arbeidstrening start, counted from the first month of "
        "the observation window (0 = observation_start)"
    ),
    "reason": (
        f"too_few_comparisons (fewer than {MIN_COMPARISONS} comparison persons in the cohort's "
        "month) or "
        "propensity_model_failed (no finite fit with the full or the reduced covariate set)"
    ),
}
SENS_TYPES = {
    "estimator": "VARCHAR",
    "outcome": "VARCHAR",
    "subgroup": "VARCHAR",
    "measure": "VARCHAR",
    "method": "VARCHAR",
    "parameter": "DOUBLE",
    "ci_low": "DOUBLE",
    "ci_high": "DOUBLE",
    "is_original": "BOOLEAN",
    "breakdown": "DOUBLE",
}
SENS_COMMENTS = {
    "estimator": "the headline estimator",
    "outcome": "outcome (employed)",
    "subgroup": "ALL",
    "measure": "at_12 or at_24: the effect 12 / 24 months after start",
    "method": (
        "relative_magnitude (Delta^RM(Mbar): post-period violations of parallel trends at most "
        "Mbar times the largest pre-period change; ARP conditional test, 50-point grid) or smoothness (Delta^SD(M): the slope of "
        "the violation changes by at most M per month; FLCI); Rambachan & Roth (2023), HonestDiD"
    ),
    "parameter": "Mbar (relative_magnitude) or M (smoothness, outcome units per month^2); NULL on the original row",
    "ci_low": "lower limit of the robust 95 % confidence set (original row: the usual CI)",
    "ci_high": "upper limit of the robust 95 % confidence set",
    "is_original": "TRUE for the unconstrained CI of the event-study coefficient",
    "breakdown": (
        "smallest parameter of the grid whose robust CI includes 0 (NULL: none on the grid); "
        "the same on every row of a method"
    ),
}


def write_headline_marts(con, studies: list[EventStudy], write_table) -> None:
    """Write marts.effects_design_gate, effects_cohorts_left_out and effects_sensitivity (empty
    without studies)."""
    from analysis.warehouse import apply_comments

    gate = gate_frame(studies) if studies else pd.DataFrame(columns=list(GATE_TYPES))
    write_table(con, "marts.effects_design_gate", gate, GATE_TYPES, "estimator, outcome, subgroup")
    apply_comments(
        con,
        "marts.effects_design_gate",
        "Design gate of the headline: per series (outcome x subgroup) the pre-trend, "
        "anticipation-window, overlap and balance checks and the decision `credible`. A series "
        "with credible = FALSE failed its gate; the report says it is not credible instead of "
        "presenting it. See analysis/effects/METHODS.md.",
        GATE_COMMENTS,
    )
    left = cohorts_left_out_frame(studies)
    write_table(
        con, "marts.effects_cohorts_left_out", left, LEFT_OUT_TYPES, "outcome, subgroup, cohort"
    )
    apply_comments(
        con,
        "marts.effects_cohorts_left_out",
        "Start cohorts of a headline series (outcome x subgroup) that no estimate uses, with why. "
        "n_treated in marts.effects counts the series' other cohorts observed at the event time. "
        "Internal: read by disclosure control to reconstruct the counts; not published.",
        LEFT_OUT_COMMENTS,
    )
    sens = sensitivity_frame(studies) if studies else pd.DataFrame(columns=list(SENS_TYPES))
    write_table(con, "marts.effects_sensitivity", sens, SENS_TYPES, "outcome, measure, method")
    apply_comments(
        con,
        "marts.effects_sensitivity",
        "Sensitivity of the headline to violations of parallel trends (Rambachan & Roth 2023, "
        "as HonestDiD): robust 95 % confidence sets by restriction and bound, with breakdown "
        "values. Pre-periods: the last 3 months of the base window (g-28..g-26, each relative to "
        "the window's mean, the design's reference); post-periods: 0 .. the horizon (the "
        "conditioned months between are skipped).",
        SENS_COMMENTS,
    )
