"""build_cost_effectiveness on small warehouses: costs per participant worked out by hand, a
brute-force check of the month counts on random populations, the effect inputs (cumulative table
or the fallback), the override file, extrapolation and the table/column comments."""

from __future__ import annotations

from collections import Counter

import duckdb
import pandas as pd
import pytest

from analysis.costs import TABLES, build_cost_effectiveness
from analysis.costs.valuation import discount_factors
from analysis.panel import build_panel
from tests.staging_builders import (
    GRANTS,
    TOOK_PLACE,
    Staging,
    index_to_ym,
    month_index,
    random_staging,
    reference_panel,
)

G20, G21, G24 = 101_351, 106_399, 124_028
AAP20, TP20 = 19_430, 5_700


def hand_staging() -> Staging:
    st = Staging()  # window 2020-01-01 .. 2021-12-31
    # P1: reduced work capacity; AT 15 Jan - 10 Mar 2020 (Jan, Feb, Mar); mentor grant from 1 Feb
    # to 31 May (during AT: Feb, Mar); AAP until 15 Feb (Jan, Feb).
    st.person("P1").status("P1", "NEDSATT_ARBEIDSEVNE", "2019-01-01")
    st.programme("S1", "P1", "ARBTREN", "2020-01-15", "2020-03-10")
    st.agreement("A1", "S1", "2020-01-15", "2020-03-31", purposes=["ARBEIDSERFARING"])
    st.programme("M1", "P1", "MENTOR", "2020-02-01", "2020-05-31", employer_org="900000001")
    st.benefit("P1", "AAP", "2019-06-01", "2020-02-15")
    # P2: job seeker; AT 20 Jun - 5 Sep 2020 (Jun-Sep), no agreement (UKJENT); tiltakspenger
    # Jun-Aug; inclusion grant in July; a second AT spell in 2021 (not the first: not counted).
    st.person("P2").status("P2", "ARBEIDSSOKER", "2019-06-01")
    st.programme("S2", "P2", "ARBTREN", "2020-06-20", "2020-09-05")
    st.programme("I2", "P2", "INKLUTILS", "2020-07-01", "2020-07-31", employer_org="900000001")
    st.benefit("P2", "TILTAKSPENGER", "2020-06-20", "2020-08-31")
    st.programme("S2b", "P2", "ARBTREN", "2021-01-10", "2021-02-10")
    # P3: starts Sep 2020, only 16 months before the window ends (< 18): not in the cost base.
    st.person("P3").status("P3", "ARBEIDSSOKER", "2019-06-01")
    st.programme("S3", "P3", "ARBTREN", "2020-09-01", "2020-10-31")
    # P4: AT that never took place; P5: no NAV status (ANNET, not in the default cost base);
    # P6: first AT before the window.
    st.person("P4").status("P4", "ARBEIDSSOKER", "2019-06-01")
    st.programme("S4", "P4", "ARBTREN", "2020-02-01", "2020-04-30", participant_status="IKKEM")
    st.person("P5")
    st.programme("S5", "P5", "ARBTREN", "2020-02-01", "2020-02-28")
    st.person("P6").status("P6", "ARBEIDSSOKER", "2019-06-01")
    st.programme("S6", "P6", "ARBTREN", "2019-11-01", "2020-02-28")
    # A mentor grant of P1's that does not overlap the spell is ignored.
    st.programme("M1b", "P1", "MENTOR", "2021-03-01", "2021-04-30", employer_org="900000001")
    return st


def build(st: Staging) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    st.load(con)
    build_panel(con)
    return con


def costs(con) -> pd.DataFrame:
    return (
        con.execute("SELECT * FROM marts.costs_per_participant")
        .df()
        .set_index(["subgroup", "component"])
    )


@pytest.fixture(scope="module")
def hand():
    con = build(hand_staging())
    meta = build_cost_effectiveness(con)
    yield con, meta
    con.close()


def test_hand_costs_per_participant(hand):
    con, meta = hand
    assert meta["cost_base"] == "complete_followup" and meta["n_cost_base"] == 2
    c = costs(con)
    all_ = c.loc["ALL"]
    assert all_.loc["nav_follow_up", "n_participants"] == 2
    # months in AT: 3 (P1) + 4 (P2) = 7 -> 3.5 per participant x 3000 NOK (2024 prices)
    assert all_.loc["nav_follow_up", "months_per_participant"] == pytest.approx(3.5)
    assert all_.loc["nav_follow_up", "nok_per_participant"] == pytest.approx(10_500)
    # mentor: Feb + Mar 2020 for P1 -> 1 month per participant x 6000; inclusion: July for P2
    assert all_.loc["mentor_grant", "months_per_participant"] == pytest.approx(1.0)
    assert all_.loc["mentor_grant", "nok_per_participant"] == pytest.approx(6000)
    assert all_.loc["inclusion_grant", "nok_per_participant"] == pytest.approx(0.5 * 4000)
    # transfers during the spell, 2020 rates G-indexed to 2024: AAP Jan+Feb, tiltakspenger Jun-Aug
    assert all_.loc["aap_during_programme", "nok_per_participant"] == pytest.approx(
        2 * AAP20 * G24 / G20 / 2
    )
    assert all_.loc["tiltakspenger_during_programme", "nok_per_participant"] == pytest.approx(
        3 * TP20 * G24 / G20 / 2
    )
    assert not all_.loc["aap_during_programme", "in_budget"]
    assert all_.loc["employer_net_cost", "nok_per_participant"] == 0
    # totals: budget = follow-up + grants
    assert all_.loc["total_budget_cost", "nok_per_participant"] == pytest.approx(
        10_500 + 6000 + 2000
    )
    # present value: P1 costs 3000 in event months 0-2 + mentor 6000 in months 1-2; P2 3000 in
    # months 0-3 + inclusion 4000 in month 1; per participant = half the sum
    d = discount_factors(4, 0.04)
    profile = [6000 / 2, (6000 + 6000 + 4000) / 2, (6000 + 6000) / 2, 3000 / 2]
    pv = sum(p * f for p, f in zip(profile, d, strict=True))
    assert all_.loc["total_budget_cost", "nok_pv_per_participant"] == pytest.approx(pv)
    # subgroups
    p1 = c.loc["purpose=ARBEIDSERFARING"]
    assert p1.loc["nav_follow_up", "n_participants"] == 1
    assert p1.loc["mentor_grant", "nok_per_participant"] == pytest.approx(12_000)
    assert c.loc["status_group=ARBEIDSSOKER"].loc["nav_follow_up", "months_per_participant"] == 4
    assert c.loc["purpose=UKJENT"].loc["inclusion_grant", "nok_per_participant"] == 4000
    assert "status_group=ANNET" not in c.index.get_level_values(0)


def test_hand_without_effects_gives_cost_only_rows(hand):
    con, meta = hand
    assert meta["effects_available"] is False
    ce = (
        con.execute(
            "SELECT perspective, measure, estimate, note FROM marts.cost_effectiveness "
            "WHERE subgroup = 'ALL' AND horizon_months = 36"
        )
        .df()
        .set_index(["perspective", "measure"])
    )
    assert ce.loc[("budget", "programme_cost_pv"), "estimate"] > 0
    assert ce.loc[("budget", "break_even_employment_pp"), "estimate"] > 0
    assert pd.isna(ce.loc[("budget", "npv"), "estimate"])
    assert "no effect estimates" in ce.loc[("budget", "npv"), "note"]


def test_every_table_and_column_is_commented(hand):
    con, _ = hand
    for table in TABLES:
        schema, name = table.split(".")
        t = con.execute(
            "SELECT comment FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
            [schema, name],
        ).fetchone()
        assert t and t[0] and len(t[0]) > 40, table
        cols = con.execute(
            "SELECT column_name, comment FROM duckdb_columns() "
            "WHERE schema_name = ? AND table_name = ?",
            [schema, name],
        ).fetchall()
        assert cols
        for col, comment in cols:
            assert comment and len(comment) > 10, f"{table}.{col}"


def test_no_working_tables_left(hand):
    con, _ = hand
    names = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name <> 'marts'"
        ).fetchall()
    }
    assert not {n for n in names if n.startswith("costs_")}


def test_override_file_changes_results(tmp_path):
    path = tmp_path / "override.toml"
    path.write_text(
        "[costs.nav_follow_up]\nvalue = 4000\nyear = 2020\n"
        '[method.cost_base_status_groups]\nvalue = ["ARBEIDSSOKER", "NEDSATT_ARBEIDSEVNE", "ANNET"]\n',
        encoding="utf-8",
    )
    con = build(hand_staging())
    meta = build_cost_effectiveness(con, parameters_path=path)
    assert meta["overridden_parameters"] == [
        "costs.nav_follow_up",
        "method.cost_base_status_groups",
    ]
    c = costs(con)
    # P5 (ANNET, one month) joins: 8 months over 3 persons; 4000 NOK in 2020 prices -> 2024
    assert c.loc[("ALL", "nav_follow_up"), "n_participants"] == 3
    assert c.loc[("ALL", "nav_follow_up"), "nok_per_participant"] == pytest.approx(
        8 * 4000 * G24 / G20 / 3
    )
    row = con.execute(
        "SELECT value, year, origin FROM marts.cost_parameters WHERE parameter = 'costs.nav_follow_up'"
    ).fetchone()
    assert row == (4000.0, 2020, f"override: {path}")


def test_all_first_spells_when_none_has_full_followup():
    st = hand_staging()
    st.window_end = pd.Timestamp("2020-12-31").date()  # 12 months: no spell has 18
    con = build(st)
    meta = build_cost_effectiveness(con)
    assert meta["cost_base"] == "all_first_spells"
    assert meta["n_cost_base"] == 3  # P1, P2, P3


# --- brute force on random populations ----------------------------------------------------------


@pytest.mark.parametrize("seed", [31, 32])
def test_month_counts_against_brute_force(seed):
    st = random_staging(seed, 250, window_start="2018-01-01", window_end="2021-06-30")
    con = build(st)
    path_all = "all_groups.toml"
    import pathlib
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = pathlib.Path(d) / path_all
        p.write_text(
            '[method.cost_base_status_groups]\nvalue = ["ARBEIDSSOKER", "NEDSATT_ARBEIDSEVNE", "ANNET"]\n',
            encoding="utf-8",
        )
        build_cost_effectiveness(con, parameters_path=p)
    ref = reference_panel(st)
    obs_start, obs_end = st.window_start, st.window_end
    last = month_index(obs_end)
    base = [
        s
        for s in ref["at_spells"].values()
        if s["spell_seq"] == 1
        and s["start_date"] >= obs_start
        and last - month_index(s["start_date"]) + 1 >= 18
    ]
    assert base, "the random population should have first spells with full follow-up"
    grants = [
        g
        for g in st.rows["programme_spells"]
        if g["programme_code"] in GRANTS and g["participant_status"] in TOOK_PLACE
    ]
    counts: Counter = Counter()
    for s in base:
        a, b = s["start_date"], s["end_date_observed"]
        for i in range(month_index(a), month_index(b) + 1):
            counts["programme_month"] += 1
            pm = ref["person_month"][(s["person_id"], index_to_ym(i))]
            for kind in ("aap", "dagpenger", "tiltakspenger", "sosialhjelp", "uforetrygd", "kvp"):
                counts[kind] += bool(pm[kind])
            for code, kind in (("MENTOR", "mentor"), ("INKLUTILS", "inklutils")):
                hit = False
                for g in grants:
                    if g["person_id"] != s["person_id"] or g["programme_code"] != code:
                        continue
                    lo = max(g["start_date"], a)
                    hi = min(g["end_date"] or obs_end, obs_end, b)
                    if lo <= hi and month_index(lo) <= i <= month_index(hi):
                        hit = True
                counts[kind] += hit
    c = costs(con).loc["ALL"]
    n = len(base)
    assert c.loc["nav_follow_up", "n_participants"] == n
    kinds = {
        "nav_follow_up": "programme_month", "mentor_grant": "mentor",
        "inclusion_grant": "inklutils", "aap_during_programme": "aap",
        "dagpenger_during_programme": "dagpenger", "tiltakspenger_during_programme": "tiltakspenger",
        "sosialhjelp_during_programme": "sosialhjelp", "uforetrygd_during_programme": "uforetrygd",
        "kvp_during_programme": "kvp",
    }  # fmt: skip
    for component, kind in kinds.items():
        assert c.loc[component, "months_per_participant"] * n == pytest.approx(counts[kind]), (
            component
        )
    assert counts["mentor"] + counts["inklutils"] > 0


# --- effect inputs -------------------------------------------------------------------------------


def effects_frame(
    subgroups=("ALL", "status_group=ARBEIDSSOKER"), outcome_names=None
) -> pd.DataFrame:
    """Known monthly effects: employment -0.05 in months 0-5 then +0.03; earnings 1000 NOK a month
    from month 6; no-benefit share -0.1 in months 0-5, +0.02 after. se fixed per outcome."""
    names = outcome_names or {
        "employed": "employed",
        "earnings_nok": "earnings_nok",
        "no_benefit": "no_benefit",
    }
    rows = []
    for sub in subgroups:
        for e in range(-12, 37):
            vals = {
                "employed": (0.0 if e < 0 else -0.05 if e < 6 else 0.03, 0.01),
                "earnings_nok": (0.0 if e < 6 else 1000.0, 300.0),
                "no_benefit": (0.0 if e < 0 else -0.1 if e < 6 else 0.02, 0.01),
            }
            for outcome, (est, se) in vals.items():
                for estimator, headline in (
                    ("callaway_santanna", True),
                    ("twfe_event_study", False),
                ):
                    rows.append({
                        "estimator": estimator, "outcome": names[outcome], "subgroup": sub,
                        "event_time": e, "estimate": est if headline else est + 1,
                        "std_error": se, "ci_low": est - 2 * se, "ci_high": est + 2 * se,
                        "n_treated": 100, "is_headline": headline and sub == "ALL",
                    })  # fmt: skip
    return pd.DataFrame(rows)


def add_effects(con, df: pd.DataFrame, cumulative: pd.DataFrame | None = None):
    con.register("eff_df", df)
    con.execute("CREATE OR REPLACE TABLE marts.effects AS SELECT * FROM eff_df")
    con.unregister("eff_df")
    if cumulative is not None:
        con.register("cum_df", cumulative)
        con.execute("CREATE OR REPLACE TABLE marts.effects_cumulative AS SELECT * FROM cum_df")
        con.unregister("cum_df")


def test_effect_inputs_fallback_and_cumulative():
    con = build(hand_staging())
    add_effects(con, effects_frame())
    meta = build_cost_effectiveness(con)
    assert meta["estimator"] == "callaway_santanna"
    assert meta["effects_cumulative_available"] is False
    inp = (
        con.execute("SELECT * FROM marts.cost_effect_inputs")
        .df()
        .set_index(["subgroup", "outcome"])
    )
    emp = inp.loc[("ALL", "employed")]
    # 6 x -0.05 + 30 x 0.03 = 0.6 months; se bound 36 x 0.01
    assert emp["estimate"] == pytest.approx(0.6)
    assert emp["std_error"] == pytest.approx(0.36)
    assert emp["uncertainty_basis"] == "sum_of_se_bound"
    assert inp.loc[("ALL", "earnings_nok"), "estimate"] == pytest.approx(30 * 1000)
    ce = (
        con.execute(
            "SELECT perspective, measure, estimate, uncertainty_basis FROM marts.cost_effectiveness "
            "WHERE subgroup = 'ALL'"
        )
        .df()
        .set_index(["perspective", "measure"])
    )
    # benefit months change = -(6 x -0.1 + 30 x 0.02) = 0
    assert ce.loc[("effects", "benefit_months_change"), "estimate"] == pytest.approx(0.0, abs=1e-12)
    assert ce.loc[("effects", "extra_employed_months"), "uncertainty_basis"] == "sum_of_se_bound"

    # now with the cumulative table for horizon 36 (joint influence function)
    cum = pd.DataFrame([
        {"estimator": "callaway_santanna", "outcome": o, "subgroup": "ALL", "horizon_months": 36,
         "estimate": est, "std_error": se, "n_treated": 99}
        for o, est, se in (("employed", 0.6, 0.12), ("earnings_nok", 30_000.0, 4000.0), ("no_benefit", 0.0, 0.1))
    ])  # fmt: skip
    add_effects(con, effects_frame(), cum)
    meta = build_cost_effectiveness(con)
    assert meta["effects_cumulative_available"] is True
    inp = (
        con.execute("SELECT * FROM marts.cost_effect_inputs")
        .df()
        .set_index(["subgroup", "outcome"])
    )
    assert inp.loc[("ALL", "employed"), "std_error"] == pytest.approx(0.12)
    assert inp.loc[("ALL", "employed"), "uncertainty_basis"] == "joint_influence_function"
    assert inp.loc[("ALL", "employed"), "n_treated"] == 99
    # the subgroup without cumulative rows falls back
    assert (
        inp.loc[("status_group=ARBEIDSSOKER", "employed"), "uncertainty_basis"] == "sum_of_se_bound"
    )
    d = discount_factors(36, 0.04)
    assert inp.loc[("ALL", "employed"), "pv_std_error"] == pytest.approx(sum(d) / 36 * 0.12)
    assert inp.loc[("ALL", "earnings_nok"), "pv_estimate"] == pytest.approx(1000 * sum(d[6:]))
    # NPV of the budget from the table's own inputs
    ce = (
        con.execute(
            "SELECT perspective, measure, estimate, std_error FROM marts.cost_effectiveness "
            "WHERE subgroup = 'ALL'"
        )
        .df()
        .set_index(["perspective", "measure"])
    )
    par = dict(con.execute(
        "SELECT parameter, value FROM marts.cost_parameters WHERE subgroup IS NULL OR subgroup = 'ALL'"
    ).fetchall())  # fmt: skip
    pf = par["derived.earnings_price_factor"]
    b = par["derived.benefit_nok_per_month"]
    t, a, tb = (
        par["taxes.tax_rate_on_earnings"],
        par["taxes.employer_contribution_rate"],
        par["taxes.tax_rate_on_benefits"],
    )
    nb_pv = sum(d[e] * (-0.1 if e < 6 else 0.02) for e in range(36))
    cost = ce.loc[("budget", "programme_cost_pv"), "estimate"]
    expected = (t + a) * pf * 1000 * sum(d[6:]) + (1 - tb) * b * nb_pv - cost
    assert ce.loc[("budget", "npv"), "estimate"] == pytest.approx(expected)
    assert ce.loc[("budget", "npv"), "std_error"] == pytest.approx(
        (t + a) * pf * sum(d) / 36 * 4000 + (1 - tb) * b * sum(d) / 36 * 0.1
    )


def test_outcome_alias_and_extrapolation_in_sensitivity():
    con = build(hand_staging())
    add_effects(
        con,
        effects_frame(
            outcome_names={
                "employed": "employed",
                "earnings_nok": "earnings_nok",
                "no_benefit": "not_any_benefit",
            }
        ),
    )
    build_cost_effectiveness(con)
    inp = con.execute(
        "SELECT outcome FROM marts.cost_effect_inputs WHERE subgroup = 'ALL'"
    ).fetchall()
    assert sorted(r[0] for r in inp) == ["earnings_nok", "employed", "not_any_benefit"]
    s = con.execute(
        "SELECT horizon_months, estimate, is_extrapolated FROM marts.cost_sensitivity "
        "WHERE subgroup = 'ALL' AND perspective = 'budget' AND measure = 'npv' "
        "AND parameter = 'horizon_months' ORDER BY horizon_months"
    ).fetchall()
    assert [(h, x) for h, _, x in s] == [(12, False), (36, False), (60, True)]
    # horizon 60: months 36..59 repeat the month-36 effect (1000 NOK, 0.02 no-benefit share)
    assert s[2][1] > s[1][1]
    base = con.execute(
        "SELECT estimate FROM marts.cost_effectiveness WHERE subgroup = 'ALL' "
        "AND perspective = 'budget' AND measure = 'npv'"
    ).fetchone()[0]
    assert s[1][1] == pytest.approx(base)
    # costs x1.5 lowers the budget NPV by half the programme cost
    cost = con.execute(
        "SELECT estimate FROM marts.cost_effectiveness WHERE subgroup = 'ALL' "
        "AND perspective = 'budget' AND measure = 'programme_cost_pv'"
    ).fetchone()[0]
    diff = con.execute(
        "SELECT difference FROM marts.cost_sensitivity WHERE subgroup = 'ALL' AND perspective = "
        "'budget' AND measure = 'npv' AND scenario = 'programme costs x1.5'"
    ).fetchone()[0]
    assert diff == pytest.approx(-0.5 * cost)


def test_horizon_argument():
    con = build(hand_staging())
    add_effects(con, effects_frame())
    meta = build_cost_effectiveness(con, horizon_months=12)
    assert meta["horizon_months"] == 12
    rows = con.execute("SELECT DISTINCT horizon_months FROM marts.cost_effectiveness").fetchall()
    assert rows == [(12,)]
    emp = con.execute(
        "SELECT estimate FROM marts.cost_effect_inputs WHERE subgroup = 'ALL' AND outcome = 'employed'"
    ).fetchone()[0]
    assert emp == pytest.approx(6 * -0.05 + 6 * 0.03)
    with pytest.raises(ValueError):
        build_cost_effectiveness(con, horizon_months=0)
