"""panel.at_spells and panel.person_month against a brute-force Python reference and hand cases."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from analysis.panel import AT_SPELLS_COMMENTS, PERSON_MONTH_COMMENTS, build_panel
from tests.staging_builders import Staging, random_staging, reference_panel

D = dt.date.fromisoformat


def _rows(con, sql):
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _build(st: Staging, threshold: int = 5000, persons_per_block: int = 100_000):
    con = duckdb.connect()
    st.load(con)
    build_panel(con, threshold, persons_per_block=persons_per_block)
    return con


# (seed, persons, persons per block, window): the first case writes person_month in 5 blocks;
# the third has an 86-month window, so spells cross the 64-month frames of the activity bit sets.
@pytest.fixture(
    scope="module",
    params=[
        (11, 300, 64, "2019-03-15", "2021-08-20"),
        (12, 250, 100_000, "2019-03-15", "2021-08-20"),
        (13, 200, 45, "2014-11-20", "2021-12-31"),
    ],
)
def random_case(request):
    seed, n, block, start, end = request.param
    st = random_staging(seed, n, start, end)
    con = _build(st, persons_per_block=block)
    yield st, con, reference_panel(st)
    con.close()


def test_at_spells_match_reference(random_case):
    st, con, ref = random_case
    got = {r["spell_id"]: r for r in _rows(con, "SELECT * FROM panel.at_spells")}
    assert set(got) == set(ref["at_spells"])
    assert len(got) > 50
    for sid, want in ref["at_spells"].items():
        for col in AT_SPELLS_COMMENTS:
            assert got[sid][col] == want[col], (sid, col, got[sid][col], want[col])


def test_person_month_matches_reference(random_case):
    st, con, ref = random_case
    got = _rows(con, "SELECT * FROM panel.person_month")
    assert len(got) == len(ref["person_month"]) == len(st.rows["persons"]) * len(ref["months"])
    for r in got:
        want = ref["person_month"][(r["person_id"], r["year_month"])]
        for col in PERSON_MONTH_COMMENTS:
            assert r[col] == want[col], (r["person_id"], r["year_month"], col, r[col], want[col])
    # written in (person_id, month_index) order
    keys = [(r["person_id"], r["month_index"]) for r in got]
    assert keys == sorted(keys)
    # the random data exercises every state
    states = {r["state"] for r in got}
    assert states >= {"IN_ARBEIDSTRENING", "WAGE_SUBSIDY", "OTHER_PROGRAMME", "EMPLOYED", "NONE"}


def test_every_panel_column_commented(random_case):
    _, con, _ = random_case
    for table in ("panel.at_spells", "panel.person_month", "panel.months"):
        schema, name = table.split(".")
        assert con.execute(
            "SELECT comment FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
            [schema, name],
        ).fetchone()[0]
        missing = con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
            "AND (comment IS NULL OR comment = '')",
            [schema, name],
        ).fetchall()
        assert missing == []


def _edge_cases() -> Staging:
    st = Staging(window_start=D("2020-01-01"), window_end=D("2021-06-15"))
    # p1: AT spell across a year end, status changes during the spell, an annulled agreement,
    # several purposes; a second AT spell that is ongoing past the observation end.
    st.person("p1", birth_ym=199512)
    st.status("p1", "ARBEIDSSOKER", "2019-06-01", "2020-12-10", "STANDARD_INNSATS")
    st.status("p1", "NEDSATT_ARBEIDSEVNE", "2020-12-11", None, "SPESIELT_TILPASSET_INNSATS")
    st.programme("s1", "p1", "ARBTREN", "2020-11-20", "2021-01-05", "FULLF", "911111111")
    st.agreement("a0", "s1", "2020-11-01", "2020-11-30", "ANNULLERT", ["ANNET"])
    st.agreement(
        "a1", "s1", "2020-11-20", "2020-12-31", "AVSLUTTET", ["UTPROVING", "ARBEIDSERFARING"]
    )
    st.programme("s2", "p1", "ARBTREN", "2021-05-31", None, "GJENN", "922222222")
    # p2: two status spells start on the same day -> NEDSATT_ARBEIDSEVNE; spells that did not
    # take place (IKKEM, AVSLAG) are ignored; a mentor grant is not a programme; several jobs.
    st.person("p2", birth_ym=200006)
    st.status("p2", "ARBEIDSSOKER", "2020-03-01", "2020-03-31")
    st.status("p2", "NEDSATT_ARBEIDSEVNE", "2020-03-01", "2020-03-31")
    st.programme("s3", "p2", "ARBTREN", "2020-03-02", "2020-03-20", "IKKEM")
    st.programme("s4", "p2", "GRUPPEAMO", "2020-03-02", "2020-03-20", "AVSLAG")
    st.programme("s5", "p2", "MENTOR", "2020-03-02", "2020-03-20", "GJENN")
    st.job("p2", 202003, "933333333", 3000)
    st.job("p2", 202003, "944444444", 2000)  # 5000 in all -> employed at threshold 5000
    st.job("p2", 202004, "933333333", 4999)  # below
    # p3: an AT spell ending before the window (kept in at_spells, not in person_month flags),
    # a wage subsidy ending after the observation end, benefits and education.
    st.person("p3", birth_ym=198001)
    st.programme("s6", "p3", "ARBTREN", "2019-01-10", "2019-12-31", "DELAVB", "955555555")
    st.programme("s7", "p3", "MIDLONTIL", "2021-06-01", "2021-09-30", "GJENN", "955555555")
    st.benefit("p3", "AAP", "2019-05-01", "2020-01-01")
    st.education("p3", "2020-08-15", "2020-09-01", apprentice=True)
    # p4: AT spell starting after the observation end -> not in at_spells.
    st.person("p4", birth_ym=199001)
    st.programme("s8", "p4", "ARBTREN", "2021-06-16", None, "GJENN")
    return st


@pytest.fixture(scope="module")
def edge():
    st = _edge_cases()
    con = _build(st)
    yield st, con
    con.close()


def test_edge_cases_at_spells(edge):
    st, con = edge
    spells = {r["spell_id"]: r for r in _rows(con, "SELECT * FROM panel.at_spells")}
    assert set(spells) == {"s1", "s2", "s6"}  # s3 IKKEM, s8 starts after the window
    s1 = spells["s1"]
    assert s1["status_group"] == "ARBEIDSSOKER"  # status on the start date, not later
    assert s1["innsatsgruppe_at_start"] == "STANDARD_INNSATS"
    assert s1["agreement_id"] == "a1"  # a0 annulled
    assert s1["purpose"] == "UTPROVING" and s1["n_purposes"] == 2
    assert s1["planned_days"] == 42 and s1["actual_days"] == 47 and s1["extended"] is True
    assert s1["start_ym"] == 202011 and s1["exit_ym"] == 202101 and s1["spell_seq"] == 1
    assert s1["age_at_start"] == 24  # born 1995-12, starts 2020-11 -> 24 (25 in December)
    s2 = spells["s2"]
    assert s2["is_ongoing"] and s2["exit_ym"] is None and s2["end_date_observed"] == D("2021-06-15")
    assert s2["actual_days"] == 16 and s2["spell_seq"] == 2
    assert s2["status_group"] == "NEDSATT_ARBEIDSEVNE" and s2["purpose"] == "UKJENT"
    assert s2["has_agreement"] is False and s2["extended"] is None
    s6 = spells["s6"]
    assert s6["status_group"] == "ANNET" and s6["participant_status"] == "DELAVB"


def test_edge_cases_person_month(edge):
    st, con = edge
    pm = {
        (r["person_id"], r["year_month"]): r for r in _rows(con, "SELECT * FROM panel.person_month")
    }
    assert len(pm) == 4 * 18  # 2020-01 .. 2021-06
    # p1: in AT Nov 2020 - Jan 2021 and again from 31 May 2021 (ongoing, window ends mid-June)
    in_at = sorted(ym for (p, ym), r in pm.items() if p == "p1" and r["in_at"])
    assert in_at == [202011, 202012, 202101, 202105, 202106]
    assert pm[("p1", 202012)]["nav_status"] == "NEDSATT_ARBEIDSEVNE"  # started last in December
    assert pm[("p1", 202011)]["nav_status"] == "ARBEIDSSOKER"
    assert pm[("p1", 202001)]["first_at_start_ym"] == 202011
    assert pm[("p1", 202001)]["months_since_at_start"] == -10
    assert pm[("p1", 202106)]["months_since_at_start"] == 7
    assert pm[("p1", 202012)]["age"] == 25 and pm[("p1", 202011)]["age"] == 24
    # p2: same-day status spells, ignored spells, grants, jobs summed against the threshold
    r = pm[("p2", 202003)]
    assert r["nav_status"] == "NEDSATT_ARBEIDSEVNE" and r["registered"]
    assert not r["in_at"] and not r["in_other_programme"]
    assert r["earnings_nok"] == 5000 and r["n_employers"] == 2 and r["employed"]
    assert r["state"] == "EMPLOYED"
    r = pm[("p2", 202004)]
    assert r["earnings_nok"] == 4999 and not r["employed"] and r["state"] == "NONE"
    assert not r["registered"]
    assert pm[("p2", 202005)]["earnings_nok"] == 0 and pm[("p2", 202005)]["n_employers"] == 0
    # p3: at_spells before the window; AAP ends on 1 Jan 2020 -> counts in Jan 2020 only
    assert pm[("p3", 202001)]["aap"] and pm[("p3", 202001)]["state"] == "AAP"
    assert not pm[("p3", 202002)]["aap"]
    assert pm[("p3", 202001)]["first_at_start_ym"] == 201901
    assert pm[("p3", 202008)]["apprentice"] and pm[("p3", 202009)]["in_education"]
    assert pm[("p3", 202009)]["state"] == "EDUCATION"
    assert pm[("p3", 202106)]["in_wage_subsidy"] and pm[("p3", 202106)]["state"] == "WAGE_SUBSIDY"
    # p4: never treated within the window
    assert pm[("p4", 202106)]["first_at_start_ym"] is None
    assert pm[("p4", 202106)]["months_since_at_start"] is None
    assert not pm[("p4", 202106)]["in_at"]


def test_threshold_is_a_setting(edge):
    st, _ = edge
    con = _build(st, threshold=4999)
    assert con.execute(
        "SELECT employed FROM panel.person_month WHERE person_id = 'p2' AND year_month = 202004"
    ).fetchone()[0]
    comment = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE schema_name = 'panel' AND table_name = 'person_month'"
    ).fetchone()[0]
    assert "Employment threshold: 4999 NOK" in comment


def test_edge_cases_match_reference(edge):
    st, con = edge
    ref = reference_panel(st)
    for r in _rows(con, "SELECT * FROM panel.person_month"):
        want = ref["person_month"][(r["person_id"], r["year_month"])]
        assert {c: r[c] for c in PERSON_MONTH_COMMENTS} == {
            c: want[c] for c in PERSON_MONTH_COMMENTS
        }
