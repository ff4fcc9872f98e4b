"""Hand-built edge cases for the marts, with every expected figure worked out by hand below.

Window 2020-01-01 .. 2021-06-15 (months 202001 .. 202106; 202106 is partly observed).

pA (female, born 1990-01): ARBEIDSSOKER 2019-01-01..2020-06-30, NEDSATT_ARBEIDSEVNE from 2020-07-01.
  a1 ARBTREN 2020-02-10..2020-04-20 FULLF at 911111111. Agreements: x0 ANNULLERT (ANNET),
     x1 2020-02-10..2020-03-31 with purposes FAA_JOBB_I_BEDRIFTEN (1) and ARBEIDSERFARING (2)
     -> governing x1, purpose FAA_JOBB_I_BEDRIFTEN, extended (ended 04-20 > 03-31).
  MENTOR grant during a1 (ignored as a programme). MIDLONTIL 2020-05-01..2020-08-31 at 911111111.
  Jobs: 202010 3000 at 911111111 + 2500 at 922222222 (5500 >= 5000: employed at the AT
  employer); 202104 6000 at 922222222 only.
  a2 ARBTREN 2020-12-15, ongoing (GJENN), no agreement -> UKJENT, status NEDSATT_ARBEIDSEVNE.
pB (male, born 2001-01), never registered -> ANNET.
  b1 ARBTREN 2020-12-20..2021-01-10 DELAVB (crosses the year end); agreement y1 2020-12-20..
     2021-03-19, UTPROVING. AAP 2021-02-01..2021-03-31.
  b2 ARBTREN 2021-02-01 IKKEM and b3 GRUPPEAMO AVSLAG: did not take place.
pC (male, born 1960-06): ARBEIDSSOKER from 2019-06-01 (ongoing), NEDSATT_ARBEIDSEVNE
  2020-03-01..2020-03-10.
  GRUPPEAMO 2019-05-01..2019-06-30 (before the window; part of the chain).
  c1 ARBTREN 2020-03-01..2020-03-31 FULLF: both statuses cover 03-01, NEDSATT started last ->
     NEDSATT_ARBEIDSEVNE; agreement z1 2020-03-01..2020-03-31, ARBEIDSERFARING.
  c2 ARBTREN 2020-03-15..2020-05-31 GJENN_AVB, status ARBEIDSSOKER, no agreement -> UKJENT.
  In March 2020 pC has two spells with different status groups: counted once, under c2 (started
  last) -> ARBEIDSSOKER.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from analysis.marts import build_all_marts
from analysis.panel import build_panel
from tests.staging_builders import Staging

D = dt.date.fromisoformat


def _staging() -> Staging:
    st = Staging(window_start=D("2020-01-01"), window_end=D("2021-06-15"))
    st.person("pA", birth_ym=199001, gender=2)
    st.status("pA", "ARBEIDSSOKER", "2019-01-01", "2020-06-30")
    st.status("pA", "NEDSATT_ARBEIDSEVNE", "2020-07-01", None)
    st.programme("a1", "pA", "ARBTREN", "2020-02-10", "2020-04-20", "FULLF", "911111111")
    st.agreement("x0", "a1", "2020-02-01", "2020-02-28", "ANNULLERT", ["ANNET"])
    st.agreement(
        "x1",
        "a1",
        "2020-02-10",
        "2020-03-31",
        "AVSLUTTET",
        ["FAA_JOBB_I_BEDRIFTEN", "ARBEIDSERFARING"],
    )
    st.programme("m1", "pA", "MENTOR", "2020-02-10", "2020-04-20", "GJENN")
    st.programme("w1", "pA", "MIDLONTIL", "2020-05-01", "2020-08-31", "FULLF", "911111111")
    st.job("pA", 202010, "911111111", 3000)
    st.job("pA", 202010, "922222222", 2500)
    st.job("pA", 202104, "922222222", 6000)
    st.programme("a2", "pA", "ARBTREN", "2020-12-15", None, "GJENN", "911111111")

    st.person("pB", birth_ym=200101, gender=1)
    st.programme("b1", "pB", "ARBTREN", "2020-12-20", "2021-01-10", "DELAVB", "933333333")
    st.agreement("y1", "b1", "2020-12-20", "2021-03-19", "GJENNOMFORES", ["UTPROVING"])
    st.benefit("pB", "AAP", "2021-02-01", "2021-03-31")
    st.programme("b2", "pB", "ARBTREN", "2021-02-01", "2021-03-01", "IKKEM", "933333333")
    st.programme("b3", "pB", "GRUPPEAMO", "2021-02-01", "2021-03-01", "AVSLAG")

    st.person("pC", birth_ym=196006, gender=1)
    st.status("pC", "ARBEIDSSOKER", "2019-06-01", None)
    st.status("pC", "NEDSATT_ARBEIDSEVNE", "2020-03-01", "2020-03-10")
    st.programme("g0", "pC", "GRUPPEAMO", "2019-05-01", "2019-06-30", "FULLF")
    st.programme("c1", "pC", "ARBTREN", "2020-03-01", "2020-03-31", "FULLF", "944444444")
    st.agreement("z1", "c1", "2020-03-01", "2020-03-31", "AVSLUTTET", ["ARBEIDSERFARING"])
    st.programme("c2", "pC", "ARBTREN", "2020-03-15", "2020-05-31", "GJENN_AVB", "944444444")
    return st


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    _staging().load(c)
    build_panel(c)
    build_all_marts(c)
    yield c
    c.close()


def q(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def test_participants_monthly(con):
    got = {(ym, g): n for ym, g, n in q(con, "SELECT * FROM marts.participants_monthly") if n}
    assert got == {
        (202002, "ARBEIDSSOKER"): 1,
        (202003, "ARBEIDSSOKER"): 2,  # pA, and pC once (under c2, which started last)
        (202004, "ARBEIDSSOKER"): 2,
        (202005, "ARBEIDSSOKER"): 1,
        (202012, "NEDSATT_ARBEIDSEVNE"): 1,
        (202012, "ANNET"): 1,
        (202101, "NEDSATT_ARBEIDSEVNE"): 1,
        (202101, "ANNET"): 1,  # b1 crosses the year end
        **{(ym, "NEDSATT_ARBEIDSEVNE"): 1 for ym in (202102, 202103, 202104, 202105, 202106)},
    }
    assert q(con, "SELECT count(*) FROM marts.participants_monthly") == [(18 * 3,)]
    annual = {(y, g): (m, a) for y, g, m, a in q(con, "SELECT * FROM marts.participants_annual")}
    assert annual[(2020, "ARBEIDSSOKER")] == (12, pytest.approx(6 / 12))
    assert annual[(2020, "ALL")] == (12, pytest.approx(8 / 12))
    assert annual[(2021, "NEDSATT_ARBEIDSEVNE")] == (6, pytest.approx(1.0))
    assert annual[(2021, "ALL")] == (6, pytest.approx(7 / 6))


def test_purposes(con):
    dist = {(y, p): (n, s) for y, p, n, s in q(con, "SELECT * FROM marts.purpose_distribution")}
    assert dist[(2020, "FAA_JOBB_I_BEDRIFTEN")] == (1, pytest.approx(1 / 3))
    assert dist[(2020, "UTPROVING")] == (1, pytest.approx(1 / 3))
    assert dist[(2020, "ARBEIDSERFARING")] == (1, pytest.approx(1 / 3))
    assert dist[(2020, "UKJENT")] == (2, None)
    assert dist[(2020, "ANNET")] == (0, 0.0)  # the annulled agreement's purpose does not count
    assert dist[(2021, "UTPROVING")] == (0, None)  # no spells started in 2021 (b2 is IKKEM)
    assert q(con, "SELECT * FROM marts.purpose_coverage") == [
        (2020, 5, 3, pytest.approx(0.6)),
        (2021, 0, 0, None),
    ]
    allp = {
        p: (n, t, s)
        for y, p, n, t, s in q(con, "SELECT * FROM marts.purpose_distribution_all_purposes")
        if y == 2020
    }
    assert allp["ARBEIDSERFARING"] == (2, 3, pytest.approx(2 / 3))  # x1 at rank 2, z1 at rank 1
    assert allp["FAA_JOBB_I_BEDRIFTEN"] == (1, 3, pytest.approx(1 / 3))
    assert allp["ANNET"] == (0, 3, 0.0)


def test_transitions(con):
    def states(purpose, k):
        return {
            s: n
            for s, n in q(
                con,
                "SELECT state, n FROM marts.transitions WHERE purpose = ? AND months_after_exit = ?",
                [purpose, k],
            )
            if n
        }

    assert states("ALL", 1) == {
        "WAGE_SUBSIDY": 1,  # a1 -> MIDLONTIL in 202005
        "AAP": 1,  # b1 -> AAP in 202102
        "IN_ARBEIDSTRENING": 1,  # c1 -> still in c2 in 202004
        "JOBSEEKER": 1,  # c2 -> ARBEIDSSOKER in 202006
    }
    assert states("ALL", 3) == {"WAGE_SUBSIDY": 1, "NONE": 1, "JOBSEEKER": 2}
    # b1 exits 202101: 202107 lies past the observation end -> censored, not NONE
    assert states("ALL", 6) == {"EMPLOYED": 1, "JOBSEEKER": 2}
    # a1 + 12 = 202104: employed, but back in AT (a2), which comes first
    assert states("ALL", 12) == {"IN_ARBEIDSTRENING": 1, "JOBSEEKER": 2}
    assert states("ALL", 24) == {}
    assert q(
        con,
        "SELECT count(*), count(share) FROM marts.transitions WHERE months_after_exit = 24",
    ) == [(8 * 9, 0)]
    assert states("FAA_JOBB_I_BEDRIFTEN", 6) == {"EMPLOYED": 1}
    share = q(
        con,
        "SELECT share FROM marts.transitions WHERE purpose = 'ALL' AND months_after_exit = 6 "
        "AND state = 'JOBSEEKER'",
    )
    assert share == [(pytest.approx(2 / 3),)]
    by_group = {
        (g, s): n
        for g, s, n in q(
            con,
            "SELECT status_group, state, n FROM marts.transitions_by_status_group "
            "WHERE months_after_exit = 1 AND n > 0",
        )
    }
    assert by_group == {
        ("ARBEIDSSOKER", "WAGE_SUBSIDY"): 1,
        ("ARBEIDSSOKER", "JOBSEEKER"): 1,
        ("ANNET", "AAP"): 1,
        ("NEDSATT_ARBEIDSEVNE", "IN_ARBEIDSTRENING"): 1,
        ("ALL", "WAGE_SUBSIDY"): 1,
        ("ALL", "JOBSEEKER"): 1,
        ("ALL", "AAP"): 1,
        ("ALL", "IN_ARBEIDSTRENING"): 1,
    }


def test_intended_outcomes_and_same_employer(con):
    got = {
        (p, k): (o, n, r) for p, o, k, n, r, _ in q(con, "SELECT * FROM marts.intended_outcomes")
    }
    o = "EMPLOYED_OR_WAGE_SUBSIDY_SAME_EMPLOYER"
    assert got[("FAA_JOBB_I_BEDRIFTEN", 1)] == (o, 1, 1)  # wage subsidy at 911111111
    assert got[("FAA_JOBB_I_BEDRIFTEN", 3)] == (o, 1, 1)
    assert got[("FAA_JOBB_I_BEDRIFTEN", 6)] == (o, 1, 1)  # 3000 at the AT employer, 5500 in all
    assert got[("FAA_JOBB_I_BEDRIFTEN", 12)] == (o, 1, 0)  # job elsewhere only
    assert got[("FAA_JOBB_I_BEDRIFTEN", 24)] == (o, 0, 0)  # censored
    assert got[("UTPROVING", 1)] == ("PROGRAMME_AAP_OR_EMPLOYED", 1, 1)  # AAP
    assert got[("UTPROVING", 3)] == ("PROGRAMME_AAP_OR_EMPLOYED", 1, 0)
    assert got[("UTPROVING", 6)] == ("PROGRAMME_AAP_OR_EMPLOYED", 0, 0)
    assert got[("ARBEIDSERFARING", 1)] == ("EMPLOYED", 1, 0)
    assert got[("UKJENT", 1)] == ("EMPLOYED", 1, 0)
    rows = {
        k: r
        for _, k, *r in q(
            con,
            "SELECT purpose, months_after_exit, n_spells, n_employed_same_employer, "
            "n_wage_subsidy_same_employer, n_employed_or_wage_subsidy_same_employer, "
            "n_employed_any_employer FROM marts.same_employer WHERE purpose = 'ALL'",
        )
    }
    assert rows[1] == [4, 0, 1, 1, 0]
    assert rows[6] == [3, 1, 0, 1, 1]
    assert rows[12] == [3, 0, 0, 0, 1]


def test_durations(con):
    cols = [d[0] for d in con.execute("SELECT * FROM marts.durations LIMIT 0").description]
    rows = {
        (r[0], r[1]): dict(zip(cols, r, strict=True))
        for r in q(con, "SELECT * FROM marts.durations")
    }
    a = rows[("ALL", "ALL")]
    assert (a["n_spells"], a["n_ongoing"], a["n_ended"], a["n_with_agreement"]) == (5, 1, 4, 3)
    assert a["mean_planned_days"] == pytest.approx((51 + 90 + 31) / 3)
    assert a["median_planned_days"] == 51
    assert a["share_planned_up_to_3_months"] == 1.0
    assert a["mean_actual_days"] == pytest.approx((71 + 22 + 31 + 78) / 4)
    assert a["median_actual_days"] == pytest.approx(51)
    assert (a["n_ended_with_agreement"], a["n_extended"]) == (3, 1)
    assert (a["n_delavb"], a["n_gjenn_avb"], a["n_ikkem"]) == (1, 1, 1)
    assert a["share_interrupted"] == pytest.approx(2 / 5)
    assert a["share_ikkem"] == pytest.approx(1 / 6)
    # a2 is ongoing and not yet 12 months long: unknown, left out
    assert (a["n_known_12_months"], a["n_reached_12_months"]) == (4, 0)
    y21 = rows[("start_year", "2021")]
    assert (y21["n_spells"], y21["n_ikkem"], y21["share_ikkem"]) == (0, 1, 1.0)
    assert rows[("status_group", "ANNET")]["n_ikkem"] == 1
    assert rows[("purpose", "UKJENT")]["n_ikkem"] == 1
    assert rows[("start_quarter", "2020Q1")]["n_spells"] == 3  # a1, c1, c2
    assert rows[("start_half_year", "2020H2")]["n_spells"] == 2  # a2, b1


def test_chaining(con):
    nxt = {
        c: (n, s, m)
        for d, cat, c, n, s, m, *_ in q(con, "SELECT * FROM marts.chaining_next")
        if d == "ALL"
    }
    assert nxt["WAGE_SUBSIDY"] == (1, 1.0, 1.0)  # a1 -> MIDLONTIL one month after exit
    assert nxt["CENSORED"] == (3, None, None)  # b1, c1, c2: nothing yet, < 24 months seen
    assert nxt["NONE_WITHIN_24_MONTHS"][:2] == (0, 0.0)
    seqs = {(t, s): n for t, _, s, _, n, _ in q(con, "SELECT * FROM marts.chaining_sequences")}
    assert seqs == {
        ("ALL_PROGRAMMES", "ARBTREN > MIDLONTIL > ARBTREN"): 1,
        ("ALL_PROGRAMMES", "ARBTREN"): 1,
        ("ALL_PROGRAMMES", "GRUPPEAMO > ARBTREN"): 1,  # c1 and c2 are one link
        ("FROM_FIRST_AT", "ARBTREN > MIDLONTIL > ARBTREN"): 1,
        ("FROM_FIRST_AT", "ARBTREN"): 2,
    }


def test_participant_profile(con):
    cols = [
        d[0] for d in con.execute("SELECT * FROM marts.participant_profile_summary").description
    ]
    summary = {
        (r[0], r[1]): dict(zip(cols, r, strict=True))
        for r in q(con, "SELECT * FROM marts.participant_profile_summary")
    }
    p = summary[(2020, "participants")]
    assert (p["n_spell_starts"], p["n_person_months"]) == (5, 0)
    assert p["share_female"] == pytest.approx(2 / 5)
    assert p["mean_age"] == pytest.approx((30 + 30 + 19 + 59 + 59) / 5)
    assert p["share_under_30"] == pytest.approx(1 / 5)
    assert p["share_history_observed"] == 0  # no 12 months of history inside the window yet
    # registered non-participants: pA 202001-202001 (before a1), 202005-202011; pC months not in AT
    n = q(
        con,
        "SELECT n_spell_starts, n_person_months FROM marts.participant_profile_summary "
        "WHERE year = 2020 AND \"group\" = 'registered_non_participants'",
    )
    # pA: 12 registered months in 2020 minus 202002-04 and 202012 in AT = 8; pC: 12 minus 3 = 9
    assert n == [(0, 17)]


def test_empty_population_builds_every_mart():
    """No spells at all (one person, nothing registered): every table builds, counts are 0."""
    st = Staging(window_start=D("2020-01-01"), window_end=D("2020-12-31"))
    st.person("p0")
    c = duckdb.connect()
    st.load(c)
    assert build_panel(c)["n_person_months"] == 12
    build_all_marts(c)
    assert q(c, "SELECT sum(n_participants) FROM marts.participants_monthly") == [(0,)]
    assert q(c, "SELECT count(*), sum(n) FROM marts.transitions") == [(8 * 5 * 9, 0)]
    assert q(c, "SELECT count(*) FROM marts.chaining_sequences") == [(0,)]
    assert q(c, "SELECT n_spells, coverage FROM marts.purpose_coverage") == [(0, None)]
    c.close()
