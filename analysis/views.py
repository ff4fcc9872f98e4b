"""The "start here" layer: documented views for the questions analysts ask (schema start_here).

Each view is one SQL file under analysis/sql/views/ that creates the view and comments it and
every column (the documentation of record); the registry below says which marts each one reads,
so a warehouse built without effects simply has no effect or cost views. Every column holds one
unit. `start_here.guide` lists the views with the question each answers.

The effect and cost views read only columns the other helpers keep stable: marts.effects' contract
columns (outcome, subgroup, event_time, estimate, std_error, ci_low, ci_high, n_treated,
is_headline) and marts.cost_effectiveness' perspective, subgroup, horizon_months, measure, unit,
estimate, ci_low, ci_high, n_treated.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from string import Template

import duckdb

from analysis.design import HEADLINE_OUTCOME, OUTCOMES
from analysis.warehouse import create_schemas, read_sql

SCHEMA = "start_here"
EARNINGS_OUTCOME = "earnings_nok"
assert EARNINGS_OUTCOME in OUTCOMES and HEADLINE_OUTCOME in OUTCOMES
PERCENTAGE_POINTS = "100"  # an effect on a probability, times 100


@dataclass(frozen=True)
class View:
    """One view: its name, SQL file, the tables it reads and the parameters of its SQL."""

    name: str
    sql: str
    reads: tuple[str, ...]
    params: dict[str, str] = field(default_factory=dict)

    def statements(self) -> str:
        text = read_sql(f"views/{self.sql}")
        return Template(text).substitute(self.params, view=self.name) if self.params else text


VIEWS: tuple[View, ...] = (
    View("participants_by_month", "participants_by_month.sql", ("marts.participants_monthly",)),
    View(
        "starts_by_purpose",
        "starts_by_purpose.sql",
        ("marts.purpose_distribution", "marts.purpose_coverage"),
    ),
    View("work_after_exit", "work_after_exit.sql", ("marts.exit_outcomes",)),
    View(
        "employment_effects",
        "effects_by_subgroup.sql",
        ("marts.effects",),
        {
            "outcome": HEADLINE_OUTCOME,
            "scale": PERCENTAGE_POINTS,
            "suffix": "pp",
            "unit": "percentage points",
            "question": "What does Arbeidstrening do to the chance of being in work (employed: "
            "monthly earnings at or above the threshold), by subgroup?",
        },
    ),
    View(
        "earnings_effects",
        "effects_by_subgroup.sql",
        ("marts.effects",),
        {
            "outcome": EARNINGS_OUTCOME,
            "scale": "1",
            "suffix": "nok",
            "unit": "NOK per month",
            "question": "What does Arbeidstrening do to monthly earnings, by subgroup?",
        },
    ),
    View("cost_results", "cost_results.sql", ("marts.cost_effectiveness",)),
    View("guide", "guide.sql", ()),
)


def _existing(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
        "UNION ALL SELECT schema_name || '.' || view_name FROM duckdb_views()"
    ).fetchall()
    return {r[0] for r in rows}


def build_views(con: duckdb.DuckDBPyConnection) -> dict:
    """Create every view whose tables exist (and drop the others); return what was built."""
    t0 = time.perf_counter()
    create_schemas(con)
    existing = _existing(con)
    built, skipped = [], []
    for view in VIEWS:
        if all(t in existing for t in view.reads):
            con.execute(view.statements())
            built.append(view.name)
        else:
            con.execute(f"DROP VIEW IF EXISTS {SCHEMA}.{view.name}")
            skipped.append(view.name)
    return {
        "views": built,
        "skipped": skipped,
        "seconds": round(time.perf_counter() - t0, 3),
    }


def undocumented(con: duckdb.DuckDBPyConnection, schema: str = SCHEMA) -> list[str]:
    """Views of the schema, and their columns, without a comment."""
    rows = con.execute(
        """
        SELECT view_name FROM duckdb_views()
        WHERE schema_name = ? AND coalesce(comment, '') = ''
        UNION ALL
        SELECT c.table_name || '.' || c.column_name FROM duckdb_columns() AS c
        JOIN duckdb_views() AS v ON v.schema_name = c.schema_name AND v.view_name = c.table_name
        WHERE c.schema_name = ? AND coalesce(c.comment, '') = ''
        """,
        [schema, schema],
    ).fetchall()
    return sorted(r[0] for r in rows)


__all__ = ["SCHEMA", "VIEWS", "View", "build_views", "undocumented"]
