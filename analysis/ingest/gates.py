"""Plausibility gates: table-level rules a validated extract must meet before anything is published.

Row rules catch bad rows; these catch bad tables, where every row may pass and the result is still
wrong. The pipeline runs them as blocking checks; each result names the table, the rule and the
share, and never quotes a value.

- `rejected_share`: rows rejected / rows read must not exceed `max_reject_share` (a date format the
  contract does not know, a shifted column, a type mix-up reject most rows), and a table must hold
  rows at all;
- `window_coverage`: the share of the observation window's months a dated table covers
  (employment_months: a row dated in the month; spell tables: a spell overlapping the month, an
  ongoing spell running to the window's end) must reach the table's minimum. A window past the
  end of the data, or a table that starts years late, fails here instead of counting the missing
  months as "not employed".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from analysis.contract import TABLES, Table
from analysis.ingest.window import month_end
from analysis.settings import PlausibilityGates


@dataclass(frozen=True)
class GateResult:
    table: str
    rule: str
    passed: bool
    message: str
    share: float | None = None
    limit: float | None = None
    metadata: dict = field(default_factory=dict)


def _ym(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


def rejection_gate(
    con: duckdb.DuckDBPyConnection, table: Table, gates: PlausibilityGates
) -> GateResult:
    """Rows rejected / rows read <= gates.max_reject_share, and at least one row read."""
    rows_in, rejected = con.execute(
        f"SELECT (SELECT count(*) FROM raw.{table.name}), (SELECT count(*) FROM rejects.{table.name})"
    ).fetchone()
    limit = gates.max_reject_share
    if rows_in == 0:
        return GateResult(
            table.name,
            "rejected_share",
            False,
            f"{table.name}: the input holds no data rows (a header only); every contract table "
            "must hold rows",
            None,
            limit,
            {"rows_in": 0},
        )
    share = rejected / rows_in
    top = con.execute(
        f"SELECT rule || '(' || column_name || ')', count(*) FROM rejects.{table.name} "
        "GROUP BY ALL ORDER BY 2 DESC, 1 LIMIT 3"
    ).fetchall()
    most = "; most often " + ", ".join(f"{r} {n:,}" for r, n in top) if top else ""
    passed = share <= limit
    verdict = "within" if passed else "exceeds"
    return GateResult(
        table.name,
        "rejected_share",
        passed,
        f"{table.name}: {rejected:,} of {rows_in:,} rows rejected ({share:.1%}), which {verdict} "
        f"the rule rejected share <= {limit:.1%}{most}",
        share,
        limit,
        {"rows_in": rows_in, "rows_rejected": rejected, "top_rules": dict(top)},
    )


def _covered_months_sql(table: Table) -> str:
    """SQL giving the distinct window month indexes (m) the table covers."""
    window = """
        SELECT year(observation_start) * 12 + month(observation_start) - 1 AS first_m,
               year(observation_end) * 12 + month(observation_end) - 1 AS last_m,
               observation_end
        FROM meta.observation_window"""
    if table.coverage == ("year_month",):
        return f"""
        WITH w AS ({window})
        SELECT DISTINCT (year_month // 100) * 12 + year_month % 100 - 1 AS m
        FROM staging.{table.name}, w
        WHERE (year_month // 100) * 12 + year_month % 100 - 1 BETWEEN first_m AND last_m"""
    start, end = table.coverage
    return f"""
        WITH w AS ({window}),
        spans AS (
            SELECT DISTINCT
                greatest(year(s."{start}") * 12 + month(s."{start}") - 1, first_m) AS a,
                least(year(coalesce(s."{end}", observation_end)) * 12
                      + month(coalesce(s."{end}", observation_end)) - 1, last_m) AS b
            FROM staging.{table.name} AS s, w
            WHERE s."{start}" <= observation_end
        )
        SELECT DISTINCT unnest(range(a, b + 1)) AS m FROM spans WHERE a <= b"""


def coverage_gate(
    con: duckdb.DuckDBPyConnection, table: Table, gates: PlausibilityGates
) -> GateResult:
    """Share of the window's months the table covers >= its minimum (tables without one pass)."""
    limit = gates.coverage_for(table.name)
    if limit is None or not table.coverage:
        return GateResult(
            table.name, "window_coverage", True, f"{table.name}: window coverage not gated"
        )
    first_m, last_m, start, end = con.execute(
        "SELECT year(observation_start) * 12 + month(observation_start) - 1, "
        "year(observation_end) * 12 + month(observation_end) - 1, observation_start, "
        "observation_end FROM meta.observation_window"
    ).fetchone()
    n_window = last_m - first_m + 1
    n, lo, hi = con.execute(
        f"SELECT count(*), min(m), max(m) FROM ({_covered_months_sql(table)})"
    ).fetchone()
    share = n / n_window
    passed = share >= limit
    message = (
        f"{table.name}: covers {n} of the {n_window} months of the observation window "
        f"{_ym(first_m)} to {_ym(last_m)} ({share:.1%}), "
        f"{'meeting' if passed else 'below'} the rule window coverage >= {limit:.0%}"
    )
    if not passed:
        details = []
        if n == 0:
            details.append("no data in the window at all")
        else:
            if hi < last_m:
                last_day = month_end((hi // 12) * 100 + hi % 12 + 1)
                details.append(
                    f"no data after {_ym(hi)}: the window extends {last_m - hi} month(s) past "
                    f"the data; set observation_end (extract.json or --observation-end) to "
                    f"{last_day} or deliver the missing months"
                )
            if lo > first_m:
                details.append(
                    f"no data before {_ym(lo)}: the window starts {lo - first_m} month(s) "
                    "before the data"
                )
            gaps = (hi - lo + 1) - n
            if gaps:
                details.append(f"{gaps} month(s) inside the data without any")
        message += "; " + "; ".join(details)
    return GateResult(
        table.name,
        "window_coverage",
        passed,
        message,
        share,
        limit,
        {
            "months_covered": n,
            "window_months": n_window,
            "window": f"{start} to {end}",
            "first_month_covered": _ym(lo) if lo is not None else None,
            "last_month_covered": _ym(hi) if hi is not None else None,
        },
    )


def check_plausibility(
    con: duckdb.DuckDBPyConnection, gates: PlausibilityGates | None = None
) -> list[GateResult]:
    """Every gate for every table (rejected share, then window coverage)."""
    gates = gates or PlausibilityGates()
    results = [rejection_gate(con, t, gates) for t in TABLES]
    return results + [coverage_gate(con, t, gates) for t in TABLES]


__all__ = ["GateResult", "check_plausibility", "coverage_gate", "rejection_gate"]
