"""Checks of the published effect rows: consistency (the effects asset's blocking check) and the
design gate's verdict on the headline (a non-blocking check: a failed design is a result)."""

from __future__ import annotations

import duckdb

from analysis.design import ALL, EVENT_TIMES, HEADLINE_ESTIMATOR, HEADLINE_OUTCOME
from analysis.warehouse import table_exists


def headline_consistency(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Event times the headline's overall employment series has, how many the design's window
    (analysis.design.EVENT_TIMES) asks for, and rows whose standard error is missing or negative
    or whose interval does not contain the estimate."""
    n_times, n_bad = con.execute(
        """
        SELECT count(DISTINCT event_time),
               count(*) FILTER (WHERE NOT (ci_low <= estimate AND estimate <= ci_high)
                                OR std_error IS NULL OR isnan(std_error) OR std_error < 0)
        FROM marts.effects
        WHERE is_headline AND outcome = ? AND subgroup = 'ALL'
        """,
        [HEADLINE_OUTCOME],
    ).fetchone()
    return {
        "event_times": int(n_times),
        "expected_event_times": int(EVENT_TIMES.size),
        "inconsistent_rows": int(n_bad),
    }


def headline_design_verdict(con: duckdb.DuckDBPyConnection) -> dict:
    """The design gate's verdict on the headline employment series overall: `credible` (None if
    the warehouse has no gate row for it) and the checks that did not pass."""
    if not table_exists(con, "marts", "effects_design_gate"):
        return {"credible": None, "failed_checks": []}
    rows = con.execute(
        'SELECT "check", passed, credible FROM marts.effects_design_gate '
        "WHERE estimator = ? AND outcome = ? AND subgroup = ? ORDER BY 1",
        [HEADLINE_ESTIMATOR, HEADLINE_OUTCOME, ALL],
    ).fetchall()
    if not rows:
        return {"credible": None, "failed_checks": []}
    return {
        "credible": bool(all(r[2] for r in rows)),
        "failed_checks": [r[0] for r in rows if not r[1]],
    }
