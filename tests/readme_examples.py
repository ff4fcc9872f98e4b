"""The README's SQL examples, read from README.md, and what each must agree with in the marts.

Each example is a statement under a `-- [tag] ...` comment in a ```sql block. `CHECKS[tag]`
recomputes its answer from the marts (or, for meta and the catalog, from what they describe) in
another way and compares; an example without a check, or a check without an example, fails.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"```sql\n(.*?)```", re.S)
_TAG = re.compile(r"^-- \[(\w+)\]", re.M)


def examples(text: str | None = None) -> dict[str, str]:
    """tag -> SQL statement, for every tagged statement in the README's sql blocks."""
    text = README.read_text(encoding="utf-8") if text is None else text
    found: dict[str, str] = {}
    for block in _BLOCK.findall(text):
        parts = _TAG.split(block)
        assert not parts[0].strip(), f"an example without a [tag]: {parts[0][:60]!r}"
        for tag, body in zip(parts[1::2], parts[2::2], strict=True):
            statement = body.split("\n", 1)[1].strip()
            assert statement.count(";") == 1 and statement.endswith(";"), tag
            assert tag not in found, f"tag [{tag}] used twice"
            found[tag] = statement
    return found


def sql_round(x: float, digits: int = 0) -> float:
    """DuckDB's round(): halves away from zero (Python's round() rounds them to even)."""
    scaled = abs(x) * 10**digits
    return math.copysign(math.floor(scaled + 0.5) / 10**digits, x)


def _percent(share: float | None) -> float | None:
    """A share as the examples print it, in percent to one decimal (NULL stays NULL: a cell
    without treated persons has no estimate)."""
    return None if share is None else sql_round(100 * share, 1)


def _whole(x: float | None) -> float | None:
    return None if x is None else sql_round(x)


def _dicts(rows, columns) -> list[dict]:
    return [dict(zip(columns, r, strict=True)) for r in rows]


def check_guide(rows, columns, con):
    from analysis.views import VIEWS

    assert {r["view_name"] for r in _dicts(rows, columns)} == {v.name for v in VIEWS} - {"guide"}
    assert all(r[1] for r in rows)


def check_participants(rows, columns, con):
    expected = con.execute(
        "SELECT year_month, status_group, n_participants FROM marts.participants_monthly "
        "WHERE year_month >= 202201"
    ).fetchall()
    totals = defaultdict(int)
    for ym, _, n in expected:
        totals[ym] += n
    got = {
        (r["month"].year * 100 + r["month"].month, r["status_group_at_start"]): r
        for r in _dicts(rows, columns)
    }
    assert len(got) == len(rows) == len(expected) > 0
    for ym, group, n in expected:
        assert got[(ym, group)]["n_participants"] == n
        assert got[(ym, group)]["n_participants_month"] == totals[ym]


def check_participants_annual(rows, columns, con):
    expected = dict(
        ((y, g), avg)
        for y, g, avg in con.execute(
            "SELECT year, status_group, avg_monthly_participants FROM marts.participants_annual "
            "WHERE status_group <> 'ALL'"
        ).fetchall()
    )
    got = {(r[0], r[1]): r[2] for r in rows}
    assert got.keys() == expected.keys() and got
    for key, value in expected.items():
        assert got[key] == pytest.approx(value)


def check_starts(rows, columns, con):
    year = con.execute("SELECT max(year) FROM marts.purpose_distribution").fetchone()[0]
    expected = {
        p: (n, s)
        for p, n, s in con.execute(
            "SELECT purpose, n_spells, share FROM marts.purpose_distribution WHERE year = ?", [year]
        ).fetchall()
    }
    assert len(rows) == len(expected) > 0
    for purpose, n, pct in rows:
        assert n == expected[purpose][0]
        share = expected[purpose][1]
        assert pct == _percent(share)


def check_work_after_exit(rows, columns, con):
    state = {
        p: s
        for p, s in con.execute(
            "SELECT purpose, share FROM marts.transitions "
            "WHERE months_after_exit = 6 AND state = 'EMPLOYED'"
        ).fetchall()
    }
    outcomes = con.execute(
        "SELECT purpose, employed FROM marts.exit_outcomes "
        "WHERE months_after_exit = 6 AND NOT is_censored"
    ).fetchall()
    employed = defaultdict(list)
    for purpose, flag in outcomes:
        employed[purpose].append(flag)
        employed["ALL"].append(flag)
    got = _dicts(rows, columns)
    assert {r["purpose"] for r in got} == set(employed) and "ALL" in employed
    for r in got:
        flags = employed[r["purpose"]]
        assert r["n_spells_observed"] == len(flags)
        assert r["pct_state_employed"] == sql_round(100 * state[r["purpose"]], 1)
        assert r["pct_employed"] == sql_round(100 * sum(flags) / len(flags), 1)
        assert r["pct_employed"] >= r["pct_state_employed"]  # the employed reading is wider
    whole = next(r for r in got if r["purpose"] == "ALL")
    assert whole["pct_employed"] > whole["pct_state_employed"]  # the two readings differ


def check_transitions(rows, columns, con):
    counts = defaultdict(int)
    for purpose, state in con.execute(
        "SELECT purpose, state FROM marts.exit_outcomes "
        "WHERE months_after_exit = 12 AND NOT is_censored"
    ).fetchall():
        counts[(purpose, state)] += 1
        counts[("ALL", state)] += 1
    assert {(r[0], r[1]): r[2] for r in rows} == dict(counts)


def _headline_effects(con, outcome: str, where: str) -> dict:
    return {
        (s, e): (est, lo, hi, n)
        for s, e, est, lo, hi, n in con.execute(
            "SELECT subgroup, event_time, estimate, ci_low, ci_high, n_treated FROM marts.effects "
            "WHERE outcome = ? AND estimator = (SELECT any_value(estimator) FROM marts.effects "
            f"WHERE is_headline) AND {where}",
            [outcome],
        ).fetchall()
    }


def check_employment_effects(rows, columns, con):
    from analysis.design import HEADLINE_OUTCOME

    expected = _headline_effects(con, HEADLINE_OUTCOME, "event_time IN (12, 24, 36)")
    got = _dicts(rows, columns)
    assert len(got) == len(expected) > 0 and ("ALL", 12) in expected
    for r in got:
        est, lo, hi, n = expected[(r["subgroup"], r["months_since_start"])]
        assert (r["effect_pp"], r["ci_low_pp"], r["ci_high_pp"], r["n_treated"]) == (
            _percent(est),
            _percent(lo),
            _percent(hi),
            n,
        )


def check_earnings_effects(rows, columns, con):
    expected = _headline_effects(
        con, "earnings_nok", "event_time = 12 AND subgroup LIKE 'purpose=%'"
    )
    got = _dicts(rows, columns)
    assert len(got) == len(expected) > 0
    for r in got:
        est, lo, hi, n = expected[(f"purpose={r['purpose']}", 12)]
        assert (r["effect_nok"], r["ci_low_nok"], r["ci_high_nok"], r["n_treated"]) == (
            _whole(est),
            _whole(lo),
            _whole(hi),
            n,
        )


def check_cost_results(rows, columns, con):
    measures = defaultdict(dict)
    for perspective, measure, est, lo, hi in con.execute(
        "SELECT perspective, measure, estimate, ci_low, ci_high FROM marts.cost_effectiveness "
        "WHERE subgroup = 'ALL' AND perspective IN ('budget', 'society')"
    ).fetchall():
        measures[perspective][measure] = (est, lo, hi)
    got = _dicts(rows, columns)
    assert {r["perspective"] for r in got} == {"budget", "society"}

    for r in got:
        npv = measures[r["perspective"]]["npv"]
        cost = measures[r["perspective"]]["cost_per_extra_employed_month"]
        assert (r["npv_nok"], r["ci_low"], r["ci_high"]) == tuple(_whole(x) for x in npv)
        assert r["nok_per_extra_month"] == _whole(cost[0])


def check_ingest(rows, columns, con):
    from analysis.contract import TABLES

    got = _dicts(rows, columns)
    assert [r["table_name"] for r in got] == sorted(t.name for t in TABLES)
    for r in got:
        staged = con.execute(f"SELECT count(*) FROM staging.{r['table_name']}").fetchone()[0]
        rejected = con.execute(f"SELECT count(*) FROM rejects.{r['table_name']}").fetchone()[0]
        assert (r["rows_accepted"], r["rows_rejected"]) == (staged, rejected)
        assert r["rows_in"] == staged + rejected


def check_comments(rows, columns, con):
    view = [c[0] for c in con.execute("FROM start_here.work_after_exit LIMIT 0").description]
    assert [r[0] for r in rows] == view
    assert all(r[2] for r in rows)


CHECKS = {
    name.removeprefix("check_"): fn
    for name, fn in dict(globals()).items()
    if name.startswith("check_") and callable(fn)
}
