"""Outcome-specific effects (analysis.outcomes): months since exit and intended outcomes.

Hand-computed panels (no noise): an effect planted by months since exit is recovered exactly by
the exit re-indexing, whatever the spell lengths; the pre-trend test on a known table. Synthetic
register (easy world, where the pre-dip design is valid): exit effects and every purpose's effect
on its intended outcome within 3 standard errors of the truth for the same persons, `credible`
following its two checks; marts written with a comment on every column.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from analysis import design
from analysis.effects.data import EffectsData, analysis_treated
from analysis.outcomes.build import build_effects_outcomes
from analysis.outcomes.data import NO_EXIT, OutcomeData, load_outcome_data
from analysis.outcomes.estimate import OUTCOMES_SPEC_NO_COVARIATES, EventStudy
from analysis.outcomes.exit import exit_event_study, spell_months
from analysis.outcomes.intended import pretrend_test, summary_measures

NC = OUTCOMES_SPEC_NO_COVARIATES


def _hand_panel(effect_by_k, seed: int = 0) -> OutcomeData:
    """T = 60 months; 3 cohorts x 3 spell lengths of treated (4 persons each) and 30 never
    treated. Y = person level + month effect + effect_by_k(months since exit) after exit, and
    -0.05 while in the spell; no noise."""
    rng = np.random.default_rng(seed)
    T = 60
    starts, lengths = (20, 24, 30), (0, 2, 5)
    fs, ex = [], []
    for g in starts:
        for d in lengths:
            fs += [g] * 4
            ex += [g + d] * 4
    n_tr = len(fs)
    n = n_tr + 30
    first_start = np.array(fs + [design.NEVER] * 30, dtype=np.int64)
    exit_offset = np.array(ex + [NO_EXIT] * 30, dtype=np.int64)
    t = np.arange(T)
    y = rng.normal(0, 1, n)[:, None] + np.sin(t / 7.0)[None, :]
    for i in range(n_tr):
        y[i, fs[i] : ex[i] + 1] -= 0.05
        k = np.arange(T) - ex[i]
        post = k >= 1
        y[i, post] += effect_by_k(k[post])
    base = EffectsData(
        months=np.array([201600 + 100 * (m // 12) + m % 12 + 1 for m in t]),
        month_index0=2016 * 12,
        person_ids=np.array([f"p{i:03d}" for i in range(n)], dtype=object),
        first_start=first_start,
        group=np.where(first_start < T, 1, 0).astype(np.int8),
        status=np.ones((n, T), dtype=np.int8),
        outcomes={"employed": y},
        purpose=np.array(["ARBEIDSERFARING"] * n_tr + [""] * 30, dtype=object),
        age_at_start=np.full(n, 30.0),
        immigrant=np.full(n, "A", dtype=object),
        gender=np.ones(n, dtype=np.int64),
    )
    series = {"employed": y, "registered": np.ones((n, T))}
    return OutcomeData(base=base, series=series, exit_offset=exit_offset)


def test_exit_reindexing_recovers_an_effect_planted_by_months_since_exit():
    def tau(k):
        return 0.02 * np.minimum(k, 6)

    data = _hand_panel(tau)
    treated = analysis_treated(data.base)
    assert treated.sum() == 36
    assert sorted(set(spell_months(data)[treated].tolist())) == [0, 2, 5]
    series, measures = exit_event_study(data, "employed", treated, NC, months=(0, 1, 3, 6, 12))
    s = series.set_index("months_since_exit")
    expected = {0: -0.05, 1: 0.02, 3: 0.06, 6: 0.12, 12: 0.12}
    for k, v in expected.items():
        assert s.loc[k, "estimate"] == pytest.approx(v, abs=1e-10), k
        assert s.loc[k, "n_treated"] == 36
        assert s.loc[k, "n_classes"] == 3
    # a summary over k: the same weights on the exact series
    m = measures.set_index("measure")
    assert m.loc["exit_at_12", "estimate"] == pytest.approx(0.12, abs=1e-10)


def test_sampled_comparisons_with_weights_still_recover_the_effect():
    from dataclasses import replace

    from analysis.outcomes.estimate import comparison_pool, estimate_event_study

    data = _hand_panel(lambda k: 0.02 * np.minimum(k, 6))
    treated = analysis_treated(data.base)
    assert comparison_pool(data).sum() == 30
    full = estimate_event_study(data, "employed", treated, NC)
    sampled = estimate_event_study(data, "employed", treated, replace(NC, max_comparisons=10))
    # no noise and common trends: any comparison sample gives the same (exact) effects
    np.testing.assert_allclose(sampled.table["estimate"], full.table["estimate"], atol=1e-10)
    assert full.table.set_index("event_time").loc[12, "estimate"] != 0


def test_exit_series_is_not_the_start_series_shifted_by_a_mean_length():
    """Spells of different lengths: the start clock mixes in-spell and post-exit months."""

    def tau(k):
        return np.where(k >= 1, 0.1, 0.0)

    data = _hand_panel(tau)
    treated = analysis_treated(data.base)
    series, _ = exit_event_study(data, "employed", treated, NC, months=(1, 2))
    assert series["estimate"].tolist() == pytest.approx([0.1, 0.1], abs=1e-10)


def test_pretrend_test_on_a_known_table():
    tab = pd.DataFrame(
        {
            "event_time": [-12, -11, -8, -7, 0],
            "estimate": [0.03, -0.04, 0.5, 0.0, 0.1],
            "std_error": [0.01, 0.02, 0.01, np.nan, 0.01],
            "n_treated": [10, 10, 10, 10, 10],
        }
    )
    vcov = np.diag([0.01**2, 0.02**2, 0.01**2, np.nan, 0.01**2])
    vcov = np.nan_to_num(vcov)
    es = EventStudy(table=tab, vcov=vcov, cells=pd.DataFrame())
    stat, df, p = pretrend_test(es, anticipation=6)  # leads e <= -8
    assert df == 3
    assert stat == pytest.approx(3.0**2 + 2.0**2 + 50.0**2)
    assert p < 1e-6
    stat2, df2, _ = pretrend_test(es, anticipation=10)  # leads e <= -12
    assert (stat2, df2) == (pytest.approx(9.0), 1)


# --- synthetic register (easy world) -------------------------------------------------------------


@pytest.fixture(scope="module")
def easy_world(tmp_path_factory):
    from analysis.ingest import ingest_directory
    from analysis.panel import build_panel
    from analysis.synthetic import generate_register

    d = tmp_path_factory.mktemp("outcomes_easy")
    generate_register(d, scale=0.02, seed=7, preset="easy")
    con = duckdb.connect(str(d / "wh.duckdb"))
    ingest_directory(con, d)
    build_panel(con)
    yield d, con
    con.close()


def test_easy_world_intended_and_exit_effects_match_the_truth(easy_world):
    from analysis.synthetic.truth import truth_for

    d, con = easy_world
    meta = build_effects_outcomes(con, NC, exit_outcomes=("employed",))
    assert meta["rows:marts.effects_intended"] > 0
    data = load_outcome_data(con)
    treated = analysis_treated(data.base)
    intended = con.execute("FROM marts.effects_intended").df()
    checked = 0
    for purpose, outcome in design.INTENDED_OUTCOME_BY_PURPOSE.items():
        mask = treated & (data.base.purpose == purpose)
        rows = intended[intended["purpose"] == purpose]
        if mask.sum() < 40:
            continue
        truth = truth_for(d, outcome, persons=data.base.person_ids[mask]).set_index("event_time")
        assert rows["intended_outcome"].iloc[0] == outcome
        # credible = both pre-trend checks pass (at 5 % each: a few series fail by chance or
        # by a real pre-start trend, e.g. education rising before OPPNAA_FAGBREV starts)
        rule = (rows["pretrend_p_value"] >= design.PRETREND_ALPHA) & (
            rows["dip_window_p_value"] >= design.PRETREND_ALPHA
        )
        assert (rows["credible"] == rule).all(), purpose
        for measure in ("lock_in_0_5", "mean_12_23", "at_24"):
            w = summary_measures()[measure]
            true = sum(truth.loc[e, "att"] * v for e, v in w.items())
            r = rows[rows["measure"] == measure].iloc[0]
            assert abs(r["estimate"] - true) <= 3 * r["std_error"] + 1e-9, (purpose, measure)
            checked += 1
    assert checked >= 15
    # the largest group (no agreement, outcome employment) has flat pre-trends in the easy world
    assert intended.loc[intended["purpose"] == "UKJENT", "credible"].all()
    # the same-employer outcome is planted: FAA_JOBB_I_BEDRIFTEN's effect is large and positive
    faa = intended[(intended["purpose"] == "FAA_JOBB_I_BEDRIFTEN")]
    assert faa.set_index("measure").loc["mean_12_23", "ci_low"] > 0.05

    exit_rows = con.execute("FROM marts.effects_exit WHERE outcome = 'employed'").df()
    dur = spell_months(data)
    comp = treated & (dur >= 0) & (dur <= design.EXIT_MAX_SPELL_MONTHS)
    truth = truth_for(d, "employed", persons=data.base.person_ids[comp], clock="exit")
    truth = truth.set_index("event_time")["att"]
    z = (exit_rows["estimate"] - exit_rows["months_since_exit"].map(truth)) / exit_rows["std_error"]
    assert z.abs().max() < 3.5
    assert (z.abs() > 1.96).mean() <= 0.2
    summ = con.execute("FROM marts.effects_exit_summary WHERE outcome = 'employed'").df()
    for measure, w in design.EXIT_SUMMARY_MEASURES.items():
        true = sum(truth[k] * v for k, v in w.items())
        r = summ[summ["measure"] == measure].iloc[0]
        assert abs(r["estimate"] - true) <= 3 * r["std_error"], measure

    # every column of the new marts is documented
    undocumented = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'marts' "
        "AND table_name LIKE 'effects_%' AND comment IS NULL"
    ).fetchall()
    assert undocumented == []


def test_outcomes_of_one_treated_set_estimated_together_equal_one_call_each(easy_world):
    """`estimate_event_studies` (one headline call, shared cohort models) gives each outcome's
    `estimate_event_study` to rounding; the series arrays are compact and employment/earnings are
    the effects arrays themselves."""
    from analysis.outcomes.estimate import (
        OUTCOMES_SPEC,
        estimate_event_studies,
        estimate_event_study,
    )

    _, con = easy_world
    data = load_outcome_data(con)
    assert data.series["aap"].dtype == np.int8 and data.series["age"].dtype == np.int16
    assert data.series["employed"] is data.base.outcomes["employed"]
    treated = analysis_treated(data.base) & (data.base.purpose == "UKJENT")
    outcomes = ("employed", "any_benefit", "in_wage_subsidy")
    joint = estimate_event_studies(data, outcomes, treated, OUTCOMES_SPEC)
    assert list(joint) == list(outcomes)
    for o in outcomes:
        one = estimate_event_study(data, o, treated, OUTCOMES_SPEC)
        assert joint[o] is not None and one is not None and joint[o].design == one.design
        pd.testing.assert_frame_equal(joint[o].table, one.table, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(joint[o].vcov, one.vcov, rtol=1e-9, atol=1e-15)


def test_series_taken_from_the_effects_arrays_equal_the_outcome_sqls_and_a_given_base_is_used(
    easy_world, tmp_path
):
    """Each benefit and age come from the effects arrays (not read twice): they equal what
    02_person_month_outcomes.sql defines, and a base passed in (the parts' shared input, mapped
    from its file) gives the same series as one read here, without being modified."""
    from dataclasses import replace

    from analysis.effects.parts import load_shared, prepare_inputs, save_shared
    from analysis.warehouse import read_sql

    _, con = easy_world
    data = load_outcome_data(con)
    shared = data.base.extra["months"]
    taken = [n for n in data.series if n in shared]
    assert {"aap", "dagpenger", "any_benefit", "age"} <= set(taken)
    con.execute(read_sql("outcomes/01_same_employer_months.sql"))
    try:
        sql = read_sql("outcomes/02_person_month_outcomes.sql").strip().rstrip(";")
        res = con.execute(
            f"SELECT pos, {', '.join(taken)} FROM ({sql}) ORDER BY pos",
            {"n_months": data.T, "first_month_index": data.base.month_index0},
        ).fetchnumpy()
    finally:
        con.execute("DROP TABLE IF EXISTS outcomes_same_employer_months")
    assert np.array_equal(res["pos"], np.arange(data.n * data.T))
    for name in taken:
        assert data.series[name] is shared[name]
        assert np.array_equal(np.asarray(res[name]), shared[name].ravel()), name

    base = load_shared(save_shared(prepare_inputs(con, run_ipw=False), tmp_path / "i.bin")).data
    before = {k: v.copy() for k, v in base.extra["months"].items()}
    given = load_outcome_data(con, base)
    assert list(given.series) == list(data.series)
    for name, arr in data.series.items():
        assert given.series[name].dtype == arr.dtype and np.array_equal(given.series[name], arr)
    assert np.array_equal(given.exit_offset, data.exit_offset)
    assert all(np.array_equal(before[k], v) for k, v in base.extra["months"].items())
    with pytest.raises(ValueError, match="lack the outcomes"):
        load_outcome_data(con, replace(base, outcomes={"employed": base.outcomes["employed"]}))
