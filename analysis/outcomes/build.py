"""Build marts.effects_exit and marts.effects_intended (see METHODS.md beside this file)."""

from __future__ import annotations

import time
from dataclasses import replace

import duckdb
import numpy as np
import pandas as pd

from analysis import design
from analysis.effects.data import EffectsData, analysis_treated
from analysis.outcomes.data import load_outcome_data
from analysis.outcomes.estimate import OUTCOMES_SPEC, EventStudySpec, estimate_event_studies
from analysis.outcomes.exit import exit_event_studies, spell_months
from analysis.outcomes.intended import dip_window_test, intended_effects, pretrend_test
from analysis.warehouse import apply_comments, create_schemas

# Outcomes estimated by months since exit (panel.person_month indicators / amounts).
EXIT_OUTCOMES = ("employed", "earnings_nok", design.ANY_BENEFIT_OUTCOME)
Z = 1.959963984540054
TABLES = (
    "marts.effects_exit",
    "marts.effects_exit_summary",
    "marts.effects_intended",
    "marts.effects_chaining",
)
CHAINING_DDL = {
    "estimator": "VARCHAR", "outcome": "VARCHAR", "subgroup": "VARCHAR", "event_time": "INTEGER",
    "estimate": "DOUBLE", "std_error": "DOUBLE", "ci_low": "DOUBLE", "ci_high": "DOUBLE",
    "n_treated": "BIGINT",
}  # fmt: skip

EXIT_DDL = {
    "estimator": "VARCHAR", "outcome": "VARCHAR", "subgroup": "VARCHAR",
    "months_since_exit": "INTEGER", "estimate": "DOUBLE",
    "std_error": "DOUBLE", "ci_low": "DOUBLE", "ci_high": "DOUBLE", "n_treated": "BIGINT",
    "is_headline": "BOOLEAN", "n_duration_classes": "INTEGER", "credible": "BOOLEAN",
    "pretrend_p_value": "DOUBLE", "dip_window_p_value": "DOUBLE",
}  # fmt: skip
EXIT_SUMMARY_DDL = {
    "estimator": "VARCHAR", "outcome": "VARCHAR", "subgroup": "VARCHAR", "measure": "VARCHAR",
    "estimate": "DOUBLE", "std_error": "DOUBLE", "ci_low": "DOUBLE", "ci_high": "DOUBLE",
    "n_treated": "BIGINT", "is_headline": "BOOLEAN", "credible": "BOOLEAN",
}  # fmt: skip
INTENDED_DDL = {
    "purpose": "VARCHAR", "intended_outcome": "VARCHAR", "estimator": "VARCHAR",
    "measure": "VARCHAR", "estimate": "DOUBLE", "std_error": "DOUBLE", "ci_low": "DOUBLE",
    "ci_high": "DOUBLE", "n_treated": "BIGINT", "credible": "BOOLEAN",
    "pretrend_statistic": "DOUBLE", "pretrend_df": "DOUBLE", "pretrend_p_value": "DOUBLE",
    "dip_window_statistic": "DOUBLE", "dip_window_df": "DOUBLE", "dip_window_p_value": "DOUBLE",
    "is_headline": "BOOLEAN",
}  # fmt: skip


def build_effects_outcomes(
    con: duckdb.DuckDBPyConnection,
    spec: EventStudySpec = OUTCOMES_SPEC,
    exit_outcomes: tuple[str, ...] = EXIT_OUTCOMES,
    base: EffectsData | None = None,
) -> dict:
    """Estimate and write marts.effects_exit and marts.effects_intended; return metadata.
    `base`: the panel's effects arrays if already read (`load_outcome_data`)."""
    t0 = time.perf_counter()
    create_schemas(con)
    data = load_outcome_data(con, base)
    treated = analysis_treated(data.base)
    dur = spell_months(data)
    completers = treated & (dur >= 0) & (dur <= design.EXIT_MAX_SPELL_MONTHS)
    exit_rows, summary_rows = [], []
    exit_results = exit_event_studies(data, tuple(exit_outcomes), treated, spec)
    used_by = {o: str(series["estimator"].iloc[0]) for o, (series, _) in exit_results.items()}
    # the completers' checks with the design each series came from (one call per design)
    check_specs: dict[EventStudySpec, list[str]] = {}
    for outcome, used in used_by.items():
        check_spec = spec if used == spec.name or spec.fallback is None else spec.fallback
        check_specs.setdefault(replace(check_spec, fallback=None), []).append(outcome)
    completer_studies = {}
    for check_spec, outs in check_specs.items():
        completer_studies |= estimate_event_studies(data, outs, completers, check_spec)
    for outcome, (series, measures) in exit_results.items():
        used = used_by[outcome]
        checks = _checks(completer_studies[outcome])
        common = {"estimator": used, "outcome": outcome, "subgroup": design.ALL,
                  "is_headline": used == design.HEADLINE_ESTIMATOR} | checks  # fmt: skip
        for r in series.itertuples(index=False):
            exit_rows.append(common | {
                "months_since_exit": r.months_since_exit, "estimate": r.estimate, "std_error": r.std_error, "n_treated": r.n_treated,
                "n_duration_classes": r.n_classes,
            })  # fmt: skip
        for r in measures.itertuples(index=False):
            summary_rows.append(common | {
                "measure": r.measure, "estimate": r.estimate, "std_error": r.std_error,
                "n_treated": r.n_treated,
            })  # fmt: skip
    exit_df = _with_ci(pd.DataFrame(exit_rows))
    summary_df = _with_ci(pd.DataFrame(summary_rows))
    chain_rows = []
    # balanced event window: only cohorts observed over the whole cost horizon (e = 0..35)
    chaining = estimate_event_studies(
        data, design.CHAINING_OUTCOMES, treated, spec, balance_e=design.EVENT_TIME_MAX - 1
    )
    for outcome, es in chaining.items():
        if es is None:
            continue
        chain_rows.append(
            es.table.assign(estimator=es.design, outcome=outcome, subgroup=design.ALL)
        )
    chain_df = _with_ci(pd.concat(chain_rows, ignore_index=True) if chain_rows else pd.DataFrame())
    intended_df, _ = intended_effects(data, spec, Z)
    if len(intended_df):
        intended_df["is_headline"] = intended_df["estimator"] == design.HEADLINE_ESTIMATOR
    _write(con, "marts.effects_exit", exit_df, EXIT_DDL)
    _write(con, "marts.effects_exit_summary", summary_df, EXIT_SUMMARY_DDL)
    _write(con, "marts.effects_intended", intended_df, INTENDED_DDL)
    _write(con, "marts.effects_chaining", chain_df, CHAINING_DDL)
    _comment(con)
    return {
        "estimator": spec.name,
        "rows:marts.effects_exit": len(exit_df),
        "rows:marts.effects_exit_summary": len(summary_df),
        "rows:marts.effects_intended": len(intended_df),
        "rows:marts.effects_chaining": len(chain_df),
        "purposes_credible": int(
            intended_df["credible"].groupby(intended_df["purpose"]).first().sum()
        )
        if len(intended_df)
        else 0,
        "seconds": round(time.perf_counter() - t0, 2),
    }


def _checks(es) -> dict:
    """Pre-trend checks of the completers' start-clock series (the exit series' design)."""
    if es is None:
        return {"credible": False, "pretrend_p_value": None, "dip_window_p_value": None}
    p = pretrend_test(es, es.anticipation)[2]
    dp = dip_window_test(es, es.anticipation)[2]
    ok = bool(np.isfinite(p) and np.isfinite(dp) and min(p, dp) >= design.PRETREND_ALPHA)
    return {"credible": ok, "pretrend_p_value": p, "dip_window_p_value": dp}


def _with_ci(df: pd.DataFrame) -> pd.DataFrame:
    if len(df):
        df["ci_low"] = df["estimate"] - Z * df["std_error"]
        df["ci_high"] = df["estimate"] + Z * df["std_error"]
    return df


def _write(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame, ddl: dict) -> None:
    cols = ", ".join(f'"{c}" {t}' for c, t in ddl.items())
    con.execute(f"CREATE OR REPLACE TABLE {table} ({cols})")
    if not len(df):
        return
    df = df.reindex(columns=list(ddl)).astype(object)
    df = df.where(pd.notna(df) & ~df.isin([np.inf, -np.inf]), None)
    con.register("outcomes_df_tmp", df)
    try:
        select = ", ".join(f'CAST("{c}" AS {t})' for c, t in ddl.items())
        con.execute(f"INSERT INTO {table} SELECT {select} FROM outcomes_df_tmp")
    finally:
        con.unregister("outcomes_df_tmp")


def _comment(con: duckdb.DuckDBPyConnection) -> None:
    design_note = (
        "Design (analysis/outcomes/METHODS.md): the headline (estimator = "
        "design.HEADLINE_ESTIMATOR: analysis.effects.headline, history-conditioned doubly robust "
        "Callaway & Sant'Anna, base period before the pre-programme dip, registered "
        "not-yet-treated comparisons); where it cannot estimate a series, the stand-in "
        "(cs_dr_predip: DR with base-period covariates, base g - 7, registered never-treated "
        "comparisons). Treated: first took-place AT spell starting in the analysis window, "
        "status group ARBEIDSSOKER or NEDSATT_ARBEIDSEVNE."
    )
    apply_comments(
        con,
        "marts.effects_exit",
        "Effects of Arbeidstrening by months since EXIT of the first spell, for completed first "
        "spells (exit inside the window, at most design.EXIT_MAX_SPELL_MONTHS months long): "
        "theta_exit(k) = sum_d n_d(k) ATT_d(d + k) / sum_d n_d(k) over spell lengths d, where "
        "ATT_d(e) is the event study by months since start of the completers of length d. "
        "Summaries in marts.effects_exit_summary. " + design_note,
        {
            "estimator": "name of the event-study design (analysis.outcomes.estimate spec name)",
            "outcome": "employed (0/1), earnings_nok (NOK a month) or any_benefit (0/1) in the month",
            "subgroup": "ALL (every treated completer)",
            "months_since_exit": "k = months since the exit month of the first spell (0 = exit month, partly still in the programme)",
            "estimate": "ATT (share points on the 0-1 scale, or NOK)",
            "std_error": "standard error: influence function within each spell-length class, classes combined as independent (approximate: they share comparisons)",
            "ci_low": "estimate - 1.96 std_error",
            "ci_high": "estimate + 1.96 std_error",
            "n_treated": "treated completers behind the estimate",
            "is_headline": "TRUE if the series comes from the headline design (estimator = design.HEADLINE_ESTIMATOR); FALSE: the headline could not estimate it and the stand-in design did (see estimator)",
            "n_duration_classes": "spell-length classes d contributing at k",
            "credible": "TRUE if the completers' event study by months since start passes both pre-trend checks (p-values below >= design.PRETREND_ALPHA); the same on every row of an outcome",
            "pretrend_p_value": "joint Wald p-value of the completers' leads e = -12 .. -anticipation-2",
            "dip_window_p_value": "joint Wald p-value of the completers' anticipation window e = -anticipation .. -1",
        },
    )
    apply_comments(
        con,
        "marts.effects_exit_summary",
        "Summaries of marts.effects_exit over months since exit (design.EXIT_SUMMARY_MEASURES), "
        "with standard errors from each spell-length class's joint covariance (classes combined "
        "as independent). " + design_note,
        {
            "estimator": "name of the event-study design",
            "outcome": "employed, earnings_nok or any_benefit",
            "subgroup": "ALL",
            "measure": "exit_mean_0_5 (mean over k = 0..5), exit_at_6, exit_at_12, exit_mean_12_23",
            "estimate": "weighted sum of the series (share points on the 0-1 scale, or NOK)",
            "std_error": "standard error (see table comment)",
            "ci_low": "estimate - 1.96 std_error",
            "ci_high": "estimate + 1.96 std_error",
            "n_treated": "treated completers at the first k of the measure",
            "is_headline": "TRUE if the series comes from the headline design (estimator = design.HEADLINE_ESTIMATOR); FALSE: the headline could not estimate it and the stand-in design did (see estimator)",
            "credible": "as marts.effects_exit.credible for the outcome",
        },
    )
    apply_comments(
        con,
        "marts.effects_chaining",
        "Effects of Arbeidstrening on months in later programmes (chaining, tiltakskjeding) by "
        "months since start: in a wage subsidy (MIDLONTIL/VARLONTIL) and in another programme "
        "(not ARBTREN), design.CHAINING_OUTCOMES; balanced event window: only start cohorts "
        "observed at every event time 0..35 (aggte balance_e). The cost analysis values them "
        "at a cost per "
        "month (treated minus comparisons: both groups' later programmes are costed). "
        + design_note,
        {
            "estimator": "name of the event-study design",
            "outcome": "in_wage_subsidy or in_other_programme (panel.person_month, 0/1)",
            "subgroup": "ALL",
            "event_time": "months since the start month (-12..36; the base period has estimate 0 and no SE)",
            "estimate": "ATT on the 0-1 scale (extra months in the programme per participant and month)",
            "std_error": "standard error from the influence function (clustered by person)",
            "ci_low": "estimate - 1.96 std_error",
            "ci_high": "estimate + 1.96 std_error",
            "n_treated": "treated persons in the estimable cells at this event time (the same at every e >= 0: balanced window)",
        },
    )
    apply_comments(
        con,
        "marts.effects_intended",
        "Each registered purpose's effect on its own intended outcome "
        "(design.INTENDED_OUTCOME_BY_PURPOSE; definitions as marts.intended_outcomes, per month "
        "in analysis/sql/outcomes/02_person_month_outcomes.sql), by months since start of the "
        "first spell, summarised. Treated: first spells with that purpose. " + design_note,
        {
            "purpose": "rank-1 purpose of the first spell (UKJENT: no agreement)",
            "intended_outcome": "the purpose's intended outcome (lower-case name of marts.intended_outcomes): employed, employed_or_wage_subsidy_same_employer (same employer = the first spell's employer_org; 0 for comparisons), apprenticeship_or_education, programme_aap_or_employed, employed_education_or_programme",
            "estimator": "name of the event-study design",
            "measure": "lock_in_0_5, at_12, at_24, at_36, post_mean_0_36, mean_12_23 (months since start)",
            "estimate": "ATT on the 0-1 scale",
            "std_error": "standard error from the joint influence function (clustered by person)",
            "ci_low": "estimate - 1.96 std_error",
            "ci_high": "estimate + 1.96 std_error",
            "n_treated": "treated persons at the first event time of the measure",
            "credible": "TRUE if the series passes both pre-trend checks (pretrend_p_value and dip_window_p_value >= design.PRETREND_ALPHA); FALSE: not to be presented as an effect",
            "pretrend_statistic": "joint Wald statistic of the leads e = -12 .. -anticipation-2 (placebo periods before the base period)",
            "pretrend_df": "degrees of freedom (rank of the leads' covariance)",
            "pretrend_p_value": "chi-square p-value of that statistic",
            "dip_window_statistic": "joint Wald statistic of e = -anticipation .. -1 (the anticipation window, e = -1 included; the programme has no effect before start, so these are placebo estimates of the selection on the pre-programme dip)",
            "dip_window_df": "degrees of freedom of the dip-window test",
            "dip_window_p_value": "chi-square p-value of the dip-window test (0 if an exactly estimated month is not 0)",
            "is_headline": "TRUE if the series comes from the headline design (estimator = design.HEADLINE_ESTIMATOR); FALSE: the headline could not estimate it and the stand-in design did (see estimator)",
        },
    )
