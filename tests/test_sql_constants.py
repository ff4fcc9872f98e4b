"""SQL files take the study's code lists from analysis.contract / analysis.design, never retyped."""

from __future__ import annotations

import re

import pytest

from analysis import contract, design
from analysis.warehouse.schema import SQL_DIR, read_sql
from analysis.warehouse.sql_constants import SQL_CONSTANTS, render_sql

SQL_FILES = sorted(p.relative_to(SQL_DIR).as_posix() for p in SQL_DIR.rglob("*.sql"))
PARAMETERS = {"marts/transitions.sql": {"table": "marts.x", "group": "g", "group_rows": "('A', 1)"}}


@pytest.mark.parametrize("path", SQL_FILES)
def test_every_sql_file_renders_without_a_leftover_placeholder(path):
    text = read_sql(path, **PARAMETERS.get(path, {}))
    assert "{{" not in text and "}}" not in text


def test_an_unknown_placeholder_names_the_file():
    with pytest.raises(KeyError, match=r"marts/x.sql: unknown SQL placeholder \{\{nope\}\}"):
        render_sql("SELECT {{nope}}", "marts/x.sql")


def test_constants_follow_the_code_lists():
    assert SQL_CONSTANTS["took_place"] == ", ".join(f"'{s}'" for s in contract.STATUS_TOOK_PLACE)
    assert SQL_CONSTANTS["horizons"] == ", ".join(map(str, design.TRANSITION_HORIZONS))
    rows = re.findall(r"\('([A-Z_]+)', (\d+)\)", SQL_CONSTANTS["purpose_rows_with_unknown"])
    assert [p for p, _ in rows] == [*contract.PURPOSES, design.UNKNOWN_PURPOSE]
    assert [int(i) for _, i in rows] == list(range(1, len(rows) + 1))


@pytest.mark.parametrize(
    "path", [p for p in SQL_FILES if p.startswith(("marts/", "panel/02", "panel/04"))]
)
def test_marts_and_spell_sql_do_not_retype_code_lists(path):
    raw = (SQL_DIR / path).read_text(encoding="utf-8")
    code = "\n".join(line.split("--")[0] for line in raw.splitlines())
    assert "'GJENN', 'FULLF'" not in code
    assert "'MIDLONTIL', 'VARLONTIL'" not in code
    assert "[1, 3, 6, 12, 24]" not in code
    assert "('ARBEIDSERFARING', 1)" not in code


def test_the_report_shows_every_exit_state_once():
    from analysis.report.chapters.overganger import STATES

    assert sorted(STATES) == sorted(design.EXIT_STATES)
