"""Effect estimators against the planted truth of the synthetic register.

The truth is computed from truth_cells.parquet for exactly each estimator's sample: the treated
cohorts it uses (headline: first start from observation_start + 12 months; IPW: + 24 months), the
status groups it estimates (ARBEIDSSOKER, NEDSATT_ARBEIDSEVNE) and, per event time, the cohorts
observed at that event time. Multiple testing: summary measures are checked against a
Bonferroni critical value for their family, and at most 10 % of pointwise 95 % intervals may miss.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pytest
from scipy import stats

synthetic = pytest.importorskip("analysis.synthetic")

from analysis.effects import build_effects  # noqa: E402
from analysis.ingest import ingest_directory  # noqa: E402
from analysis.panel import build_panel  # noqa: E402

SCALE = 0.05
SEED = 11
MEASURES = {"lock_in_0_5": range(0, 6), "at_12": [12], "at_24": [24]}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("eff_synth")
    synthetic.generate_register(root / "input", scale=SCALE, seed=SEED, preset="easy")
    con = duckdb.connect(str(root / "wh.duckdb"))
    ingest_directory(con, root / "input")
    build_panel(con)
    meta = build_effects(con)
    first_ym = con.execute("SELECT min(year_month) FROM panel.months").fetchone()[0]
    truth = con.execute(
        f"SELECT * FROM read_parquet('{root / 'input' / 'truth_cells.parquet'}') "
        "WHERE status_group IN ('ARBEIDSSOKER', 'NEDSATT_ARBEIDSEVNE')"
    ).df()
    yield con, meta, truth, first_ym
    con.close()


def _add_months(ym: int, k: int) -> int:
    m = (ym // 100) * 12 + ym % 100 - 1 + k
    return (m // 12) * 100 + m % 12 + 1


def _truth(truth, outcome, first_cohort, purpose=None):
    t = truth[(truth.outcome == outcome) & (truth.cohort_ym >= first_cohort)]
    if purpose is not None:
        t = t[t.purpose == purpose]
    g = t.groupby("event_time")[["sum_y1", "sum_y0", "n_treated"]].sum()
    return ((g.sum_y1 - g.sum_y0) / g.n_treated).to_dict(), g.n_treated.to_dict()


def _summary(con, est, outcome, sub, measure):
    return con.execute(
        "SELECT estimate, std_error FROM marts.effects_summary WHERE estimator = ? AND "
        "outcome = ? AND subgroup = ? AND measure = ?",
        [est, outcome, sub, measure],
    ).fetchone()


def _first_cohort(est, first_ym):
    return _add_months(first_ym, 24 if est.startswith("ipw") else 12)


def test_headline_sample_is_the_truth_sample(warehouse):
    con, meta, truth, first_ym = warehouse
    _, n = _truth(truth, "employed", _add_months(first_ym, 12))
    got = dict(
        con.execute(
            "SELECT event_time, n_treated FROM marts.effects WHERE estimator = "
            "'callaway_santanna' AND outcome = 'employed' AND subgroup = 'ALL'"
        ).fetchall()
    )
    for e in (-11, -1, 0, 12, 24, 36):
        assert got[e] == n[e], (e, got[e], n[e])
    # e = -12 with the varying base needs month g - 13: the first cohort drops out there
    _, n13 = _truth(truth, "employed", _add_months(first_ym, 13))
    assert got[-12] == n13[-12]
    assert meta["n_treated"] == n[0]


@pytest.mark.parametrize("est", ["callaway_santanna", "ipw_dynamic"])
def test_recovers_planted_effects_overall(warehouse, est):
    con, _, truth, first_ym = warehouse
    checks = []
    for outcome in ("employed", "earnings_nok"):
        att, _ = _truth(truth, outcome, _first_cohort(est, first_ym))
        for measure, es in MEASURES.items():
            want = float(np.mean([att[e] for e in es]))
            got, se = _summary(con, est, outcome, "ALL", measure)
            checks.append((outcome, measure, got, want, se, (got - want) / se))
    crit = stats.norm.ppf(1 - 0.05 / (2 * len(checks)))
    bad = [c for c in checks if abs(c[5]) > crit]
    assert not bad, bad
    # the lock-in is negative and the 24-month effect positive in the planted truth
    assert checks[0][2] < 0 and checks[2][2] > 0


@pytest.mark.parametrize("est", ["callaway_santanna", "ipw_dynamic"])
def test_recovers_planted_effects_by_purpose(warehouse, est):
    con, _, truth, first_ym = warehouse
    subs = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT subgroup FROM marts.effects WHERE estimator = ? AND subgroup LIKE "
            "'purpose=%'",
            [est],
        ).fetchall()
    ]
    assert len(subs) >= 5
    zs = []
    for sub in subs:
        att, _ = _truth(truth, "employed", _first_cohort(est, first_ym), sub.split("=", 1)[1])
        for measure, es in MEASURES.items():
            if not all(e in att for e in es):
                continue
            got, se = _summary(con, est, "employed", sub, measure)
            zs.append((got - float(np.mean([att[e] for e in es]))) / se)
    zs = np.abs(np.array(zs))
    crit = stats.norm.ppf(1 - 0.05 / (2 * zs.size))
    assert zs.max() < crit, zs
    assert (zs > 1.96).mean() <= 0.15, zs


def test_event_time_intervals_cover_the_truth(warehouse):
    con, _, truth, first_ym = warehouse
    for est in ("callaway_santanna", "ipw_dynamic"):
        att, _ = _truth(truth, "employed", _first_cohort(est, first_ym))
        rows = con.execute(
            "SELECT event_time, ci_low, ci_high FROM marts.effects WHERE estimator = ? AND "
            "outcome = 'employed' AND subgroup = 'ALL' ORDER BY event_time",
            [est],
        ).fetchall()
        miss = [e for e, lo, hi in rows if not (lo <= att[e] <= hi)]
        assert len(rows) == 49
        assert len(miss) <= 0.10 * len(rows), (est, miss)


def test_naive_is_far_from_the_truth(warehouse):
    con, _, truth, first_ym = warehouse
    att, _ = _truth(truth, "employed", _add_months(first_ym, 12))
    for measure, es in MEASURES.items():
        got, se = _summary(con, "naive", "employed", "ALL", measure)
        assert abs(got - np.mean([att[e] for e in es])) > 5 * se


def test_history_matched_ipw_is_biased_on_this_dgp(warehouse):
    """Documented finding: matching on the 24 lagged employment indicators under selection on a
    persistent unobserved employability leaves bias in levels and in the DiD from m - 1
    (regression to the mean), so neither is the reported ipw_dynamic."""
    con, _, truth, first_ym = warehouse
    att, _ = _truth(truth, "employed", _add_months(first_ym, 24))
    for est in ("ipw_dynamic_levels", "ipw_dynamic_did"):
        got, se = _summary(con, est, "employed", "ALL", "at_12")
        assert got - att[12] < -4 * se, (est, got, att[12], se)


def test_pretrend_diagnostics_and_comments(warehouse):
    con, _, _, _ = warehouse
    p = con.execute(
        "SELECT p_value FROM marts.effects_diagnostics WHERE estimator = 'callaway_santanna' "
        "AND outcome = 'employed' AND subgroup = 'ALL' AND diagnostic LIKE 'pretrend%'"
    ).fetchone()[0]
    assert p > 0.001
    pn = con.execute(
        "SELECT p_value FROM marts.effects_diagnostics WHERE estimator = 'naive' "
        "AND outcome = 'employed' AND diagnostic LIKE 'pretrend%'"
    ).fetchone()[0]
    assert pn < 1e-6
    for t in (
        "effects",
        "effects_summary",
        "effects_diagnostics",
        "effects_balance",
        "effects_support",
    ):
        assert con.execute(
            "SELECT comment FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = ?",
            [t],
        ).fetchone()[0]
        missing = con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'marts' AND "
            "table_name = ? AND (comment IS NULL OR comment = '')",
            [t],
        ).fetchall()
        assert missing == [], (t, missing)
    cols = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'marts' AND "
        "table_name = 'effects' ORDER BY column_index"
    ).fetchall()
    # the contract's columns first, in order (new columns are appended, never renamed)
    assert cols[:10] == [
        ("estimator", "VARCHAR"),
        ("outcome", "VARCHAR"),
        ("subgroup", "VARCHAR"),
        ("event_time", "INTEGER"),
        ("estimate", "DOUBLE"),
        ("std_error", "DOUBLE"),
        ("ci_low", "DOUBLE"),
        ("ci_high", "DOUBLE"),
        ("n_treated", "BIGINT"),
        ("is_headline", "BOOLEAN"),
    ]
    smd = con.execute(
        "SELECT max(abs(smd_after)) FROM marts.effects_balance WHERE specification = 'characteristics'"
    ).fetchone()[0]
    assert smd < 0.05


def test_specification_grid_beside_the_headline(warehouse):
    """marts.effects_specifications: the headline's own row is the headline of
    marts.effects_summary (one estimate, two tables), every specification of the grid is there
    for both outcomes and measures with its settings, and the headline's long base estimates fewer
    cohorts than one base month."""
    from analysis.effects import specifications as specs
    from analysis.settings import DEFAULT_EMPLOYMENT_THRESHOLD_NOK

    con, *_ = warehouse
    grid = con.execute("FROM marts.effects_specifications").df()
    names = set(grid.specification)
    assert names == {specs.HEADLINE, *specs.SPECIFICATIONS}
    assert len(grid) == len(names) * len(specs.OUTCOMES) * len(specs.MEASURES)
    head = grid[grid.is_headline]
    assert set(head.specification) == {specs.HEADLINE}
    for r in head.itertuples():
        est, se = _summary(con, "callaway_santanna_dr", r.outcome, "ALL", r.measure)
        assert r.estimate == pytest.approx(est, rel=1e-12) and r.std_error == pytest.approx(se)
    h0 = head.iloc[0]
    assert (h0.history, h0.base_window, h0.estimand) == ("levels", 24, "start_vs_never")
    one = grid[grid.specification == "single_base_month"].iloc[0]
    assert (one.history, one.base_window) == ("levels", 0)
    assert 0 < h0.n_cohorts < one.n_cohorts
    thr = grid.groupby("specification").employment_threshold_nok.first()
    assert thr["threshold_x2"] == 2 * thr["headline"] == 2 * DEFAULT_EMPLOYMENT_THRESHOLD_NOK
    # a changed choice changes the estimate (the grid is not the headline copied)
    for name in specs.SPECIFICATIONS:
        e = grid[(grid.specification == name) & (grid.outcome == "employed")]
        h = head[head.outcome == "employed"]
        assert not np.allclose(e.estimate.to_numpy(), h.estimate.to_numpy(), atol=1e-9), name
