"""One hand-worked case per definition in CONTRACT.md's "Definitions the results depend on".

Each test builds a few persons by hand, runs the panel (and the marts it needs) and compares with
figures worked out below from the definition's words alone. Window: 2020-01-01 .. 2021-06-15
(months 202001 .. 202106, 202106 partly observed) unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from analysis.contract import (
    STATUS_ENDED_BEFORE,
    STATUS_ERROR,
    STATUS_NOT_RELEVANT,
    STATUS_TOOK_PLACE,
    STATUS_WAITED,
)
from analysis.marts import build_all_marts
from analysis.panel import build_panel
from tests.staging_builders import Staging

D = dt.date.fromisoformat


def _build(st: Staging, threshold: int = 5000, marts: bool = False) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    st.load(con)
    build_panel(con, threshold)
    if marts:
        build_all_marts(con)
    return con


def _pm(con, person_id: str, year_month: int, column: str):
    return con.execute(
        f"SELECT {column} FROM panel.person_month WHERE person_id = ? AND year_month = ?",
        [person_id, year_month],
    ).fetchone()[0]


def _window() -> Staging:
    return Staging(window_start=D("2020-01-01"), window_end=D("2021-06-15"))


def test_spells_that_took_place():
    """Only GJENN, FULLF, DELAVB, GJENN_AVB count; every other code stays in staging only."""
    st = _window()
    codes = STATUS_TOOK_PLACE + STATUS_ENDED_BEFORE + STATUS_WAITED + STATUS_NOT_RELEVANT
    codes += STATUS_ERROR
    for i, code in enumerate(codes):
        st.person(f"p{i:02d}")
        st.programme(f"s{i:02d}", f"p{i:02d}", "ARBTREN", "2020-03-05", "2020-03-20", code)
    con = _build(st, marts=True)
    took_place = {f"s{i:02d}" for i, c in enumerate(codes) if c in STATUS_TOOK_PLACE}
    assert len(codes) == 15 and len(took_place) == 4
    assert {r[0] for r in con.execute("SELECT spell_id FROM panel.at_spells").fetchall()} == (
        took_place
    )
    in_at = con.execute(
        "SELECT count(*) FILTER (WHERE in_at) FROM panel.person_month WHERE year_month = 202003"
    ).fetchone()[0]
    assert in_at == 4
    assert (
        con.execute(
            "SELECT sum(n_participants) FROM marts.participants_monthly WHERE year_month = 202003"
        ).fetchone()[0]
        == 4
    )
    assert con.execute("SELECT count(*) FROM staging.programme_spells").fetchone()[0] == 15


def test_ongoing_runs_to_the_observation_end_never_past_it():
    """Empty end_date: in AT in every month to 202106 (window ends 2021-06-15), no month after;
    censored at observation_end (actual length to 06-15), no exit month."""
    st = _window()
    st.person("p1")
    st.programme("s1", "p1", "ARBTREN", "2021-05-10", None, "GJENN")
    con = _build(st)
    assert _pm(con, "p1", 202105, "in_at") and _pm(con, "p1", 202106, "in_at")
    assert con.execute("SELECT max(year_month) FROM panel.person_month").fetchone()[0] == 202106
    row = con.execute(
        "SELECT end_date_observed, is_ongoing, exit_ym, actual_days FROM panel.at_spells"
    ).fetchone()
    assert row == (D("2021-06-15"), True, None, (D("2021-06-15") - D("2021-05-10")).days + 1)


def test_participants_in_a_month():
    """Persons with a took-place AT spell overlapping any day of the month, each counted once
    (marts.participants_monthly partitions them by status group; the groups sum to the total).

    q1: 2020-01-31..2020-02-01 -> January and February.  q2: two overlapping spells in March ->
    counted once.  q3: ends 2020-04-01 -> April counts.  q4: IKKEM in March -> not a participant.
    """
    st = _window()
    for p in ("q1", "q2", "q3", "q4"):
        st.person(p)
    st.programme("a", "q1", "ARBTREN", "2020-01-31", "2020-02-01")
    st.programme("b", "q2", "ARBTREN", "2020-03-01", "2020-03-20")
    st.programme("c", "q2", "ARBTREN", "2020-03-10", "2020-03-31")
    st.programme("d", "q3", "ARBTREN", "2020-03-15", "2020-04-01")
    st.programme("e", "q4", "ARBTREN", "2020-03-01", "2020-03-31", "IKKEM")
    con = _build(st, marts=True)
    got = dict(
        con.execute(
            "SELECT year_month, sum(n_participants) FROM marts.participants_monthly "
            "WHERE year_month BETWEEN 202001 AND 202005 GROUP BY year_month"
        ).fetchall()
    )
    assert got == {202001: 1, 202002: 1, 202003: 2, 202004: 1, 202005: 0}


def test_status_group_of_a_spell():
    """NAV status on the spell's start date; none -> ANNET; two covering: the later start wins,
    equal starts: NEDSATT_ARBEIDSEVNE."""
    st = _window()
    for p in ("g1", "g2", "g3", "g4", "g5"):
        st.person(p)
    st.status("g1", "ARBEIDSSOKER", "2019-01-01", "2020-03-04")  # ends the day before start
    st.programme("s1", "g1", "ARBTREN", "2020-03-05", "2020-03-20")
    st.status("g2", "NEDSATT_ARBEIDSEVNE", "2020-03-05", None)  # starts on the start date
    st.programme("s2", "g2", "ARBTREN", "2020-03-05", "2020-03-20")
    st.status("g3", "NEDSATT_ARBEIDSEVNE", "2019-01-01", None)
    st.status("g4", "ARBEIDSSOKER", "2020-01-01", "2020-12-31")
    st.status("g3", "ARBEIDSSOKER", "2020-02-01", "2020-12-31")  # later start wins
    st.programme("s3", "g3", "ARBTREN", "2020-03-05", "2020-03-20")
    st.status("g5", "ARBEIDSSOKER", "2020-02-01", None)
    st.status("g5", "NEDSATT_ARBEIDSEVNE", "2020-02-01", None)  # same start: NEDSATT
    st.programme("s5", "g5", "ARBTREN", "2020-03-05", "2020-03-20")
    con = _build(st)
    got = dict(con.execute("SELECT spell_id, status_group FROM panel.at_spells").fetchall())
    assert got == {
        "s1": "ANNET",
        "s2": "NEDSATT_ARBEIDSEVNE",
        "s3": "ARBEIDSSOKER",
        "s5": "NEDSATT_ARBEIDSEVNE",
    }


def test_purpose_of_a_spell():
    """Rank-1 purpose of the governing agreement (first not annulled); none -> UKJENT."""
    st = _window()
    st.person("u")
    st.programme("s1", "u", "ARBTREN", "2020-02-01", "2020-03-31")
    st.agreement("a1", "s1", "2020-02-01", "2020-03-31", purposes=["UTPROVING", "ANNET"])
    st.programme("s2", "u", "ARBTREN", "2020-05-01", "2020-05-31")  # no agreement
    st.programme("s3", "u", "ARBTREN", "2020-07-01", "2020-07-31")
    st.agreement("a3", "s3", "2020-07-01", "2020-07-31", purposes=[("ARBEIDSERFARING", 2)])
    st.programme("s4", "u", "ARBTREN", "2020-09-01", "2020-09-30")
    st.agreement("a4x", "s4", "2020-08-01", "2020-08-31", "ANNULLERT", ["ANNET"])
    st.agreement("a4", "s4", "2020-09-01", "2020-09-30", purposes=["SPRAAKOPPLAERING"])
    con = _build(st)
    got = dict(con.execute("SELECT spell_id, purpose FROM panel.at_spells").fetchall())
    assert got == {"s1": "UTPROVING", "s2": "UKJENT", "s3": "UKJENT", "s4": "SPRAAKOPPLAERING"}


@pytest.mark.parametrize(
    "threshold, expected", [(5000, (True, False)), (3000, (True, True)), (5001, (False, False))]
)
def test_employed_in_a_month(threshold, expected):
    """Total earnings over employers in the month >= threshold: 3000 + 2000 in 202003; 4999 in
    202004."""
    st = _window()
    st.person("e")
    st.job("e", 202003, "900000001", 3000)
    st.job("e", 202003, "900000002", 2000)
    st.job("e", 202004, "900000001", 4999)
    con = _build(st, threshold)
    assert (_pm(con, "e", 202003, "employed"), _pm(con, "e", 202004, "employed")) == expected
    assert _pm(con, "e", 202003, "earnings_nok") == 5000


STATES = (
    "IN_ARBEIDSTRENING",
    "WAGE_SUBSIDY",
    "OTHER_PROGRAMME",
    "EMPLOYED",
    "EDUCATION",
    "UFORETRYGD",
    "AAP",
    "JOBSEEKER",
    "NONE",
)


def _give_state(st: Staging, person: str, state: str, k: int) -> None:
    """A spell that overlaps March 2020 by one day only (first or last day), for `state`."""
    first, last = "2020-03-01", "2020-03-31"
    if state == "IN_ARBEIDSTRENING":
        st.programme(f"{person}-at", person, "ARBTREN", "2020-02-01", first)
    elif state == "WAGE_SUBSIDY":
        st.programme(f"{person}-ws", person, "VARLONTIL", last, "2020-06-30")
    elif state == "OTHER_PROGRAMME":
        st.programme(f"{person}-op", person, "GRUPPEAMO", last, last)
    elif state == "EMPLOYED":
        st.job(person, 202003, "900000009", 7000)
    elif state == "EDUCATION":
        st.education(person, "2019-08-15", first)
    elif state == "UFORETRYGD":
        st.benefit(person, "UFORETRYGD", last, None)
    elif state == "AAP":
        st.benefit(person, "AAP", "2019-01-01", first)
    elif state == "JOBSEEKER":
        # an ARBEIDSSOKER spell overlapping one day, while a NEDSATT_ARBEIDSEVNE spell that
        # started later covers the whole month (and wins nav_status)
        st.status(person, "ARBEIDSSOKER", "2019-01-01", first)
        st.status(person, "NEDSATT_ARBEIDSEVNE", "2019-06-01", None)


def test_state_in_a_month_every_state_by_the_overlap_rule():
    """Person k holds the activities of states k..8 in March 2020, each overlapping the month by
    a single day; the state is the first that holds: STATES[k]."""
    st = _window()
    for k in range(len(STATES)):
        person = f"k{k}"
        st.person(person)
        for state in STATES[k:-1]:
            _give_state(st, person, state, k)
    con = _build(st)
    got = {f"k{k}": _pm(con, f"k{k}", 202003, "state") for k in range(len(STATES))}
    assert got == {f"k{k}": state for k, state in enumerate(STATES)}
    # JOBSEEKER holds by the overlap rule even though nav_status shows the winning NEDSATT spell
    assert _pm(con, "k7", 202003, "nav_status") == "NEDSATT_ARBEIDSEVNE"
    # and in April, when only the NEDSATT spell overlaps, k7 is not a job seeker
    assert _pm(con, "k7", 202004, "state") == "NONE"


def test_exit_month_and_censoring():
    """Exit month = month of end_date; state k months after exit = state in exit month + k; past
    the observation end the spell is censored for that k (not NONE, not in the denominator).

    x1 ends 2020-03-31: exit 202003; k=1 -> 202004 (employed), k=3 -> 202006 (NONE).
    x2 ends 2021-03-10: exit 202103; k=1 -> 202104, k=3 -> 202106 (partly observed month: not
    censored), k=6 -> 202109: censored.
    """
    st = _window()
    st.person("x1")
    st.programme("s1", "x1", "ARBTREN", "2020-01-10", "2020-03-31")
    st.job("x1", 202004, "900000001", 9000)
    st.person("x2")
    st.programme("s2", "x2", "ARBTREN", "2021-01-10", "2021-03-10")
    con = _build(st, marts=True)
    rows = {
        (s, k): (ym, c, state)
        for s, k, ym, c, state in con.execute(
            "SELECT spell_id, months_after_exit, target_ym, is_censored, state "
            "FROM marts.exit_outcomes"
        ).fetchall()
    }
    assert con.execute("SELECT list(exit_ym ORDER BY spell_id) FROM panel.at_spells").fetchone()[
        0
    ] == [202003, 202103]
    assert rows[("s1", 1)] == (202004, False, "EMPLOYED")
    assert rows[("s1", 3)] == (202006, False, "NONE")
    assert rows[("s2", 1)] == (202104, False, "NONE")
    assert rows[("s2", 3)] == (202106, False, "NONE")
    assert rows[("s2", 6)] == (202109, True, None)
    n6 = dict(
        con.execute(
            "SELECT state, n FROM marts.transitions WHERE purpose = 'ALL' AND months_after_exit = 6"
        ).fetchall()
    )
    assert sum(n6.values()) == 1  # only s1 observed at k = 6 (s2 censored, not NONE)


def test_same_employer():
    """Employed in the month (total >= threshold) with a row at the AT spell's employer_org.

    k=1 (202004): 6000 at the AT employer -> same employer.  k=3 (202006): 6000 elsewhere ->
    employed, not at the same employer.  k=6 (202009): 1000 at the AT employer + 5000 elsewhere
    -> employed (6000) with a row at the AT employer -> same employer.  k=12 (202103): 4000 at
    the AT employer only -> not employed, so not at the same employer.
    """
    st = _window()
    st.person("y")
    st.programme("s", "y", "ARBTREN", "2020-01-10", "2020-03-31", employer_org="911111111")
    st.job("y", 202004, "911111111", 6000)
    st.job("y", 202006, "922222222", 6000)
    st.job("y", 202009, "911111111", 1000)
    st.job("y", 202009, "922222222", 5000)
    st.job("y", 202103, "911111111", 4000)
    con = _build(st, marts=True)
    got = dict(
        con.execute(
            "SELECT months_after_exit, employed_at_at_employer FROM marts.exit_outcomes"
        ).fetchall()
    )
    assert got == {1: True, 3: False, 6: True, 12: False, 24: None}
