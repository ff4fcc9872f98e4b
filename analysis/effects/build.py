"""Write the effect marts: marts.effects, effects_summary, effects_diagnostics, effects_balance,
effects_support. See analysis/effects/METHODS.md for the design."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from analysis import design
from analysis.did._blas import single_threaded_blas
from analysis.effects import headline_marts as hm
from analysis.effects import specifications as specs
from analysis.effects.data import OUTCOME_LABELS, OUTCOMES, EffectsData
from analysis.effects.parts import (
    EVENT_TIMES,
    IPW_REPORTED_SPEC,
    EffectsInputs,
    assemble,
    estimate_part,
    parts,
    prepare_inputs,
)
from analysis.effects.result import Z95, EventStudy
from analysis.settings import DEFAULT_EMPLOYMENT_THRESHOLD_NOK
from analysis.warehouse import apply_comments, create_schemas

HEADLINE_ESTIMATOR = design.HEADLINE_ESTIMATOR
HEADLINE_OUTCOME = design.HEADLINE_OUTCOME
SUMMARY_MEASURES = design.SUMMARY_MEASURES


def estimate_all(
    data: EffectsData,
    con: duckdb.DuckDBPyConnection | None = None,
    min_pre: int = 12,
    ipw_ratio: float = 20.0,
    ipw_seed: int = 20240501,
    run_ipw: bool = True,
    chunk: int | None = None,
) -> dict:
    """Run every estimator on `data` (IPW only with `con`, which its design is built from): the
    parts of `analysis.effects.parts` one after another, assembled. Returns EventStudy objects
    and side tables."""
    inputs = prepare_inputs(
        con, min_pre, ipw_ratio, ipw_seed, run_ipw=run_ipw, chunk=chunk, data=data
    )
    return estimate_parts(inputs)


def estimate_parts(inputs: EffectsInputs) -> dict:
    """Every part of `inputs`, one after another, assembled (as the Dagster steps do)."""
    meta = inputs.meta
    results = {p: estimate_part(inputs, p) for p in parts(meta["run_ipw"])}
    return assemble(results, meta)


def effects_frame(studies: list[EventStudy]) -> pd.DataFrame:
    recs = []
    for st in studies:
        se = st.se()
        role = design.ESTIMATOR_ROLES.get(st.estimator, "diagnostic")
        head = st.estimator == HEADLINE_ESTIMATOR
        for si, sub in enumerate(st.subgroups):
            meta = st.subgroup_meta(si)
            n_comp = meta.get("n_comparison")
            crit = hm.band_critical(st, si, EVENT_TIMES) if head else np.nan
            for k, e in enumerate(st.event_times):
                if e < EVENT_TIMES[0] or e > EVENT_TIMES[-1]:
                    continue
                est = st.estimate[si, k]
                s = se[si, k]
                if st.reference is not None and e == st.reference:
                    s = np.nan
                recs.append(
                    (
                        st.estimator,
                        st.outcome,
                        sub,
                        int(e),
                        est,
                        s,
                        est - Z95 * s,
                        est + Z95 * s,
                        int(st.n_treated[si, k]),
                        head,
                        est - crit * s,
                        est + crit * s,
                        int(n_comp[k]) if n_comp is not None else 0,
                        role,
                    )
                )
    return pd.DataFrame.from_records(
        recs,
        columns=[
            "estimator",
            "outcome",
            "subgroup",
            "event_time",
            "estimate",
            "std_error",
            "ci_low",
            "ci_high",
            "n_treated",
            "is_headline",
            "band_low",
            "band_high",
            "n_comparison",
            "role",
        ],
    )


def summary_frame(studies: list[EventStudy]) -> pd.DataFrame:
    recs = []
    for st in studies:
        for si, sub in enumerate(st.subgroups):
            for measure, w in SUMMARY_MEASURES.items():
                est, se = st.linear(si, w)
                e0 = min(w)
                k = np.flatnonzero(st.event_times == e0)
                n = int(st.n_treated[si, k[0]]) if k.size else 0
                recs.append(
                    (
                        st.estimator,
                        st.outcome,
                        sub,
                        measure,
                        est,
                        se,
                        est - Z95 * se,
                        est + Z95 * se,
                        n,
                        st.estimator == HEADLINE_ESTIMATOR,
                        design.ESTIMATOR_ROLES.get(st.estimator, "diagnostic"),
                    )
                )
    return pd.DataFrame.from_records(
        recs,
        columns=[
            "estimator",
            "outcome",
            "subgroup",
            "measure",
            "estimate",
            "std_error",
            "ci_low",
            "ci_high",
            "n_treated",
            "is_headline",
            "role",
        ],
    )


CUMULATIVE_COLUMNS = {
    "estimator": "estimator (as in marts.effects)",
    "outcome": "outcome (as in marts.effects)",
    "subgroup": "ALL or dimension=value (as in marts.effects)",
    "horizon_months": "H: the sum runs over event months 0..H-1 (the start month and the H-1 months after it)",
    "estimate": "sum of the event-time effects over months 0..H-1, per treated person: for employment, extra "
    "months employed; for earnings, NOK; lock-in included",
    "std_error": "standard error of the sum from the joint influence-function covariance across event times "
    "(clustered by person), not a sum of standard errors",
    "ci_low": "lower limit of the 95 % confidence interval (normal)",
    "ci_high": "upper limit of the 95 % confidence interval (normal)",
    "n_treated": "treated persons observed at the last month of the horizon (event time H-1); earlier months "
    "use more cohorts, so the sum assumes effects do not differ by start cohort",
}


def cumulative_frame(studies: list[EventStudy], max_horizon: int = 37) -> pd.DataFrame:
    """Horizon sums of the event-time effects with SEs from the joint covariance (for costs)."""
    recs = []
    for st in studies:
        if st.reference is not None:  # normalised estimators (TWFE) are not summed
            continue
        for si, sub in enumerate(st.subgroups):
            for h in range(1, max_horizon + 1):
                est, se = st.linear(si, {e: 1.0 for e in range(h)})
                k = np.flatnonzero(st.event_times == h - 1)
                n = int(st.n_treated[si, k[0]]) if k.size else 0
                recs.append(
                    (st.estimator, st.outcome, sub, h, est, se, est - Z95 * se, est + Z95 * se, n)
                )
    return pd.DataFrame.from_records(recs, columns=list(CUMULATIVE_COLUMNS))


def diagnostics_frame(studies: list[EventStudy], ipw_info: dict) -> pd.DataFrame:
    recs = []
    # the headline's leads from -25 on are months its covariates hold (with a long base all equal
    # to minus the base window's gap): its pre-trend test is the placebo over the base window
    placebo = hm.placebo_leads(hm.HEADLINE_SPEC)
    for st in studies:
        own = st.estimator == HEADLINE_ESTIMATOR and bool(hm.HEADLINE_SPEC.base_window)
        leads = placebo if own else list(range(-12, -1))
        what = " (the base window, each month relative to its mean)" if own else ""
        for si, sub in enumerate(st.subgroups):
            stat, df, p = st.wald(si, leads)
            recs.append(
                (
                    st.estimator,
                    st.outcome,
                    sub,
                    f"pretrend_wald_leads_{leads[0]}_{leads[-1]}",
                    stat,
                    df,
                    p,
                    f"joint Wald test that effect(e) = 0 for e = {leads[0]}..{leads[-1]}{what} "
                    "(estimable leads), chi2 with the influence-function covariance",
                )
            )
    by = {(s.estimator, s.outcome): s for s in studies}
    for o in OUTCOMES:
        head = by.get((HEADLINE_ESTIMATOR, o))
        if head is None:
            continue
        for other in ("naive", "twfe_event_study", "ipw_dynamic"):
            st = by.get((other, o))
            if st is None:
                continue
            for measure, w in SUMMARY_MEASURES.items():
                a, _ = st.linear(0, w)
                b, se_b = head.linear(0, w)
                recs.append(
                    (
                        other,
                        o,
                        "ALL",
                        f"{other}_minus_{HEADLINE_ESTIMATOR}_{measure}",
                        a - b,
                        None,
                        None,
                        f"difference in points; in headline SEs: {(a - b) / se_b:.2f}"
                        if se_b and np.isfinite(se_b) and se_b > 0
                        else "difference in points",
                    )
                )
    for key, sup in ipw_info.items():
        if not key.startswith("support:"):
            continue
        spec = key.split(":", 1)[1]
        est = "ipw_dynamic" if spec == IPW_REPORTED_SPEC else "ipw_dynamic_levels/ipw_dynamic_did"
        for diagnostic, value, detail in (
            (
                "share_starters_outside_support",
                sup["share_starters_outside_support"],
                "starters above the largest control score of their month, dropped "
                f"({sup['n_starters_outside_support']} of {sup['n_starters']})",
            ),
            (
                "max_control_weight_over_mean",
                sup["max_normalised_control_weight"],
                "largest control ATT weight p/(1-p) over the mean control weight",
            ),
            (
                "share_controls_score_0",
                sup["share_controls_score_0"],
                "sampled controls in a month or a category without starters, score 0 and no "
                f"weight ({sup['n_controls_score_0']} of {sup['n_controls_sampled']}; their "
                "logit coefficient is -inf)",
            ),
        ):
            recs.append(
                (
                    est,
                    None,
                    "ALL",
                    diagnostic,
                    value,
                    None,
                    None,
                    f"propensity specification {spec}: {detail}",
                )
            )
    for key, info in ipw_info.items():
        if isinstance(info, dict) and "all_converged" in info:
            spec, name = key.split(":", 1)
            recs.append(
                (
                    "ipw_dynamic"
                    if spec == IPW_REPORTED_SPEC
                    else "ipw_dynamic_levels/ipw_dynamic_did",
                    None,
                    name,
                    "logit_converged",
                    float(info["all_converged"]),
                    None,
                    None,
                    f"propensity specification {spec}: 1 if every yearly logit converged",
                )
            )
    return pd.DataFrame.from_records(
        recs,
        columns=[
            "estimator",
            "outcome",
            "subgroup",
            "diagnostic",
            "statistic",
            "df",
            "p_value",
            "detail",
        ],
    )


EFFECTS_COMMENTS = {
    "estimator": (
        "callaway_santanna_dr (headline: Callaway-Sant'Anna group-time ATTs, doubly robust "
        "(Sant'Anna & Zhao 2020), conditioned on employment in each of the 25 months before "
        "the start (levels, the pre-programme dip included), base = mean outcome over "
        "g-49..g-26, comparisons registered at NAV in g-1, not started by g and in a state in "
        "g-1 (another programme or not) some starter of the cohort was in, their own later "
        "starts taken out; see METHODS.md), callaway_santanna (plain DiD: not-yet-treated "
        "comparison registered with the same status group in the base month g-1, exact stratification on status "
        "group, dynamic aggregation weighted by treated counts), twfe_event_study (two-way FE "
        "event study, person + calendar-month effects, endpoints -12/36 binned, -1 reference), "
        "ipw_dynamic (Sianesi dynamic IPW, conditional DiD from m-1 with a propensity score on "
        "characteristics, benefits and registration history but not the monthly employment "
        "history), ipw_dynamic_levels / ipw_dynamic_did (sensitivity: propensity score also on "
        "employment in each of the 24 months before; levels and DiD; biased on the synthetic "
        "truth by selection on persistent unobserved employability / regression to the mean), naive (treated minus "
        "registered never-treated in the same calendar month; selection-biased by design)"
    ),
    "outcome": (
        "employed (headline), earnings_nok (NOK per month), not_any_benefit (0/1); the headline "
        "also any_benefit and each benefit of analysis.design.BENEFIT_OUTCOMES (receipt, 0/1)"
    ),
    "subgroup": (
        "ALL or dimension=value: purpose (first spell), status_group, age (under_30 / 30_plus at "
        "start), immigrant (B / other), gender (female / male). Subgroups only for "
        "callaway_santanna (all) and the IPW estimators (purpose)"
    ),
    "event_time": "months since the first AT start month (0 = start month), -12..36",
    "estimate": "effect estimate (outcome units; employment and benefit as shares 0-1)",
    "std_error": (
        "standard error clustered by person (influence function; TWFE: CRV1 sandwich with "
        "pyfixest's small-sample factor); NULL for the TWFE reference period -1"
    ),
    "ci_low": "lower limit of the pointwise 95 % normal confidence interval",
    "ci_high": "upper limit of the pointwise 95 % normal confidence interval",
    "n_treated": (
        "treated persons the estimate uses at this event time (cohorts observed at e with a "
        "non-empty comparison set; IPW: starters on the common support)"
    ),
    "is_headline": (
        "TRUE for the rows of the headline estimator (analysis.design.HEADLINE_ESTIMATOR = "
        "callaway_santanna_dr), every outcome"
    ),
    "band_low": (
        "lower limit of the simultaneous 95 % band over event times -12..36 of the series "
        "(sup-t critical value from Gaussian multiplier draws on the joint influence function); "
        "headline only, else NULL"
    ),
    "band_high": "upper limit of the simultaneous 95 % band (as band_low)",
    "n_comparison": (
        "comparison persons behind the estimate (headline: summed over the cohorts observed at "
        "e); 0 for the other estimators (not computed; counts are never NULL in the marts)"
    ),
    "role": (
        "headline | selection_on_observables (history-matched IPW) | plain_did (C&S base g-1 "
        "without covariates) | diagnostic (every other estimator)"
    ),
}


def _write_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pd.DataFrame,
    types: dict[str, str],
    order_by: str | None = None,
) -> None:
    """Create `table` from `frame` with exactly these column types; non-finite doubles -> NULL."""

    def cast(column: str, sql_type: str) -> str:
        q = f'"{column}"'
        value = f"CASE WHEN isfinite({q}) THEN {q} END" if sql_type == "DOUBLE" else q
        return f"CAST({value} AS {sql_type}) AS {q}"

    select = ", ".join(cast(c, t) for c, t in types.items())
    order = f" ORDER BY {order_by}" if order_by else ""
    con.register("_eff_df", frame)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {select} FROM _eff_df{order}")
    finally:
        con.unregister("_eff_df")


def write_effects_marts(con: duckdb.DuckDBPyConnection, out: dict) -> dict:
    """Write the marts tables from `estimate_all` output, with comments."""
    create_schemas(con)
    eff = effects_frame(out["studies"])
    summ = summary_frame(out["studies"])
    diag = diagnostics_frame(out["studies"], out["ipw_info"])
    bal = (
        pd.DataFrame.from_records(out["balance"])
        if out["balance"]
        else pd.DataFrame(
            columns=[
                "specification",
                "covariate",
                "mean_starters",
                "mean_controls_before",
                "mean_controls_after",
                "smd_before",
                "smd_after",
            ]
        )
    )
    sup = (
        pd.DataFrame.from_records(out["support"])
        if out["support"]
        else pd.DataFrame(
            columns=["specification", "population", "bin", "p_low", "p_high", "n", "share"]
        )
    )
    _write_table(
        con,
        "marts.effects",
        eff,
        {
            "estimator": "VARCHAR",
            "outcome": "VARCHAR",
            "subgroup": "VARCHAR",
            "event_time": "INTEGER",
            "estimate": "DOUBLE",
            "std_error": "DOUBLE",
            "ci_low": "DOUBLE",
            "ci_high": "DOUBLE",
            "n_treated": "BIGINT",
            "is_headline": "BOOLEAN",
            "band_low": "DOUBLE",
            "band_high": "DOUBLE",
            "n_comparison": "BIGINT",
            "role": "VARCHAR",
        },
        order_by="estimator, outcome, subgroup, event_time",
    )
    apply_comments(
        con,
        "marts.effects",
        "Causal (and naive) effect estimates of Arbeidstrening by months since the first start. "
        "Treated: first took-place AT spell starting from observation_start + 12 months to "
        "observation_end, status group ARBEIDSSOKER or NEDSATT_ARBEIDSEVNE (ANNET has no "
        "registered comparison and is not estimated). Effects at event time e use the cohorts "
        "observed at e. See analysis/effects/METHODS.md.",
        EFFECTS_COMMENTS,
    )
    _write_table(
        con,
        "marts.effects_cumulative",
        cumulative_frame(out["studies"]),
        {
            "estimator": "VARCHAR",
            "outcome": "VARCHAR",
            "subgroup": "VARCHAR",
            "horizon_months": "INTEGER",
            "estimate": "DOUBLE",
            "std_error": "DOUBLE",
            "ci_low": "DOUBLE",
            "ci_high": "DOUBLE",
            "n_treated": "BIGINT",
        },
        order_by="estimator, outcome, subgroup, horizon_months",
    )
    apply_comments(
        con,
        "marts.effects_cumulative",
        "Effects summed over months 0..H-1 since start (e.g. extra months employed per participant "
        "over H months, lock-in included), with SEs from the joint influence-function covariance. "
        "Read by the cost-effectiveness analysis.",
        CUMULATIVE_COLUMNS,
    )
    _write_table(
        con,
        "marts.effects_summary",
        summ,
        {
            "estimator": "VARCHAR",
            "outcome": "VARCHAR",
            "subgroup": "VARCHAR",
            "measure": "VARCHAR",
            "estimate": "DOUBLE",
            "std_error": "DOUBLE",
            "ci_low": "DOUBLE",
            "ci_high": "DOUBLE",
            "n_treated": "BIGINT",
            "is_headline": "BOOLEAN",
            "role": "VARCHAR",
        },
        order_by="estimator, outcome, subgroup, measure",
    )
    apply_comments(
        con,
        "marts.effects_summary",
        "Summary measures of the event-time effects with SEs from the joint influence function.",
        {
            "estimator": "as in marts.effects",
            "outcome": "as in marts.effects",
            "subgroup": "as in marts.effects",
            "measure": (
                "lock_in_0_5 = mean of effect(e) over e = 0..5; at_12 / at_24 / at_36 = effect at "
                "that event time; post_mean_0_36 = mean over e = 0..36 (R did's dynamic overall)"
            ),
            "estimate": "the measure",
            "std_error": "standard error from the joint (person-clustered) influence function",
            "ci_low": "lower limit of the 95 % normal confidence interval",
            "ci_high": "upper limit of the 95 % normal confidence interval",
            "n_treated": "treated persons at the first event time of the measure",
            "is_headline": "TRUE for the headline estimator (analysis.design.HEADLINE_ESTIMATOR)",
            "role": "role of the estimator: headline, selection_on_observables, plain_did, "
            "diagnostic (analysis.design.ESTIMATOR_ROLES)",
        },
    )
    hm.write_headline_marts(con, out.get("headline", []), _write_table)
    specs.write_specifications_mart(
        con,
        out.get("specifications", {}),
        out.get("headline", []),
        _write_table,
        out.get("employment_threshold_nok", DEFAULT_EMPLOYMENT_THRESHOLD_NOK),
    )
    _write_table(
        con,
        "marts.effects_diagnostics",
        diag,
        {
            "estimator": "VARCHAR",
            "outcome": "VARCHAR",
            "subgroup": "VARCHAR",
            "diagnostic": "VARCHAR",
            "statistic": "DOUBLE",
            "df": "INTEGER",
            "p_value": "DOUBLE",
            "detail": "VARCHAR",
        },
        order_by=None,
    )
    apply_comments(
        con,
        "marts.effects_diagnostics",
        "Diagnostics of the effect estimates: pre-trend tests on the leads, naive/TWFE/IPW minus "
        "headline differences, IPW common support and logit convergence.",
        {
            "estimator": "estimator the diagnostic is about",
            "outcome": "outcome (NULL for outcome-free diagnostics)",
            "subgroup": "subgroup (as in marts.effects)",
            "diagnostic": "name of the diagnostic",
            "statistic": "test statistic (chi2) or value of the diagnostic",
            "df": "degrees of freedom of the chi2 test (NULL if not a test)",
            "p_value": "p-value of the test (NULL if not a test)",
            "detail": "what the diagnostic is",
        },
    )
    _write_table(
        con,
        "marts.effects_balance",
        bal,
        {
            "specification": "VARCHAR",
            "covariate": "VARCHAR",
            "mean_starters": "DOUBLE",
            "mean_controls_before": "DOUBLE",
            "mean_controls_after": "DOUBLE",
            "smd_before": "DOUBLE",
            "smd_after": "DOUBLE",
        },
        order_by=None,
    )
    apply_comments(
        con,
        "marts.effects_balance",
        "Covariate balance of the dynamic IPW estimator (all starters): standardised mean "
        "differences before and after weighting.",
        {
            "specification": (
                "propensity-score specification: characteristics (reported ipw_dynamic; no "
                "monthly employment history) or full_history (ipw_dynamic_levels / _did)"
            ),
            "covariate": "propensity-score covariate (dummy or share)",
            "mean_starters": "mean among starters on the common support",
            "mean_controls_before": (
                "mean among eligible non-starters (sampled controls weighted by 1/sampling "
                "fraction, i.e. the eligible population)"
            ),
            "mean_controls_after": (
                "mean among controls with ATT weights p/(1-p) normalised to the starters of each month"
            ),
            "smd_before": "(mean_starters - mean_controls_before) / sqrt((var_starters + var_controls) / 2)",
            "smd_after": "(mean_starters - mean_controls_after) / the same denominator",
        },
    )
    _write_table(
        con,
        "marts.effects_support",
        sup,
        {
            "specification": "VARCHAR",
            "population": "VARCHAR",
            "bin": "INTEGER",
            "p_low": "DOUBLE",
            "p_high": "DOUBLE",
            "n": "BIGINT",
            "share": "DOUBLE",
        },
        order_by=None,
    )
    apply_comments(
        con,
        "marts.effects_support",
        "Common support of the dynamic IPW estimator: distribution of the estimated propensity "
        "score (equal-width bins on the logit scale) for starters and sampled controls. Trimming "
        "rule: starters above the largest control score of their month are dropped (share in "
        "marts.effects_diagnostics).",
        {
            "specification": "propensity-score specification (as in marts.effects_balance)",
            "population": "starters or controls (sampled eligible non-starters)",
            "bin": "bin number 0..19",
            "p_low": "lower propensity-score limit of the bin",
            "p_high": "upper propensity-score limit of the bin",
            "n": "design rows (person-months) in the bin",
            "share": "share of the population's rows in the bin",
        },
    )
    return {
        "n_effect_rows": len(eff),
        "n_summary_rows": len(summ),
        "n_diagnostic_rows": len(diag),
    }


def build_effects(
    con: duckdb.DuckDBPyConnection,
    min_pre: int = 12,
    ipw_ratio: float = 20.0,
    ipw_seed: int = 20240501,
    run_ipw: bool = True,
    employment_threshold_nok: int = DEFAULT_EMPLOYMENT_THRESHOLD_NOK,
) -> dict:
    """Load the panel, run every estimator and write the effect marts; return small metadata.
    `employment_threshold_nok`: the threshold the panel was built with."""
    inputs = prepare_inputs(
        con,
        min_pre=min_pre,
        ipw_ratio=ipw_ratio,
        ipw_seed=ipw_seed,
        run_ipw=run_ipw,
        employment_threshold_nok=employment_threshold_nok,
    )
    out = estimate_parts(inputs)
    load_seconds = inputs.seconds["load"]
    del inputs
    return write_effects(con, out, load_seconds)


def write_effects(con: duckdb.DuckDBPyConnection, out: dict, load_seconds: float) -> dict:
    """Write the marts of assembled results (`estimate_parts`); return small metadata.

    BLAS single-threaded here too (uniform bands, HonestDiD): with a machine's own thread count
    the sensitivity bounds differed in the 11th digit between processes started differently
    (a Dask worker sets OMP_NUM_THREADS=1), and the results must not depend on where they ran."""
    with single_threaded_blas():
        meta = write_effects_marts(con, out)
    meta.update(
        {
            "n_treated": out["n_treated"],
            "subgroups": out["subgroups"],
            "seconds": {"load": round(load_seconds, 2)}
            | {k: round(v, 2) for k, v in out["timings"].items()},
            "ipw_reported": "ipw_dynamic = conditional DiD, propensity score without outcome history",
            "outcomes": {o: OUTCOME_LABELS[o] for o in OUTCOMES},
        }
    )
    return meta
