"""Consistency of the published effect rows (the effects asset's blocking check)."""

from __future__ import annotations

import duckdb

from analysis.design import EVENT_TIMES, HEADLINE_OUTCOME


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
