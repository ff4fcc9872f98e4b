"""The observation window: which days the extract covers.

Precedence: explicit override (command line / resource config) > `extract.json` in the input
directory > the data. From the data, the window runs from the first to the last month of the
stretch of `staging.employment_months` months holding most rows, where stretches are split by
`DATA_WINDOW_SPLITTING_GAP_MONTHS` or more empty months; so a stray row dated far outside the data
(190001) cannot stretch it, and rows outside are reported, not silently used. A window reaching past the months the data cover is never
silently accepted: the window-coverage gate (`analysis.ingest.gates`) stops the run and says by how
much. Outcomes past `observation_end` are censored, never zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from analysis.contract import EXTRACT_FILE
from analysis.ingest.errors import InputContractError
from analysis.ingest.extract import ExtractSpec, parse_iso_date, read_extract_spec
from analysis.settings import DATA_WINDOW_SPLITTING_GAP_MONTHS
from analysis.warehouse import apply_comments


@dataclass(frozen=True)
class ObservationWindow:
    start: dt.date
    end: dt.date
    source: str
    extract: ExtractSpec = field(default_factory=ExtractSpec)
    notes: tuple[str, ...] = ()


def month_start(ym: int) -> dt.date:
    return dt.date(ym // 100, ym % 100, 1)


def month_end(ym: int) -> dt.date:
    nxt = dt.date(ym // 100 + (ym % 100) // 12, ym % 100 % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def window_from_data(
    con: duckdb.DuckDBPyConnection, splitting_gap: int = DATA_WINDOW_SPLITTING_GAP_MONTHS
) -> tuple[dt.date, dt.date, str, tuple[str, ...]]:
    """(start, end, source, notes) of the stretch of months employment_months mostly covers."""
    row = con.execute(
        """
        WITH months AS (
            SELECT (year_month // 100) * 12 + year_month % 100 - 1 AS m, count(*) AS n
            FROM staging.employment_months GROUP BY ALL
        ),
        stretches AS (
            SELECT m, n, sum(CASE WHEN m - prev - 1 >= ? THEN 1 ELSE 0 END)
                       OVER (ORDER BY m) AS stretch
            FROM (SELECT m, n, lag(m, 1, m) OVER (ORDER BY m) AS prev FROM months)
        ),
        chosen AS (
            SELECT stretch AS chosen_stretch FROM stretches GROUP BY stretch
            ORDER BY sum(n) DESC, stretch DESC LIMIT 1
        )
        SELECT min(m) FILTER (WHERE stretch = chosen_stretch),
               max(m) FILTER (WHERE stretch = chosen_stretch),
               coalesce(sum(n) FILTER (WHERE stretch <> chosen_stretch), 0),
               count(*) FILTER (WHERE stretch <> chosen_stretch)
        FROM stretches, chosen
        """,
        [splitting_gap],
    ).fetchone()
    lo, hi, n_outside, months_outside = row if row else (None, None, 0, 0)
    if lo is None:
        raise InputContractError(
            "employment_months",
            "no valid rows to derive the observation window from",
            f"rows in employment_months, or {EXTRACT_FILE} in the input directory",
        )
    first, last = (lo // 12) * 100 + lo % 12 + 1, (hi // 12) * 100 + hi % 12 + 1
    notes: tuple[str, ...] = ()
    if n_outside:
        notes = (
            f"employment_months: {n_outside:,} row(s) in {months_outside} month(s) outside the "
            f"window derived from the data ({first // 100}-{first % 100:02d} to "
            f"{last // 100}-{last % 100:02d}, the stretch of months holding most rows; stretches "
            f"apart by {splitting_gap} or more empty months are not joined); they are not used. "
            f"Give the window in {EXTRACT_FILE} to include them.",
        )
    source = "data (employment_months: the stretch of months holding most rows)"
    return month_start(first), month_end(last), source, notes


def resolve_observation_window(
    con: duckdb.DuckDBPyConnection,
    input_dir: Path,
    start_override: str | None = None,
    end_override: str | None = None,
) -> ObservationWindow:
    """The window by precedence override > extract.json > data, with what extract.json said."""
    spec = read_extract_spec(Path(input_dir))
    notes: tuple[str, ...] = ()
    if spec.unknown_keys:
        notes += (f"{EXTRACT_FILE}: unknown key(s) ignored: {', '.join(spec.unknown_keys)}",)
    if spec.present:
        start, end, source = spec.observation_start, spec.observation_end, EXTRACT_FILE
    elif start_override and end_override:
        start = end = None
        source = "override"
    else:
        start, end, source, derived_notes = window_from_data(con)
        notes += derived_notes
    if start_override:
        start = parse_iso_date(start_override, "--observation-start", "observation_start")
        source = "override"
    if end_override:
        end = parse_iso_date(end_override, "--observation-end", "observation_end")
        source = "override"
    if end < start:
        raise InputContractError(
            source, f"observation_end {end} is before observation_start {start}", "start <= end"
        )
    return ObservationWindow(start, end, source, spec, notes)


def record_extract(con: duckdb.DuckDBPyConnection, spec: ExtractSpec) -> None:
    """`meta.extract`: what extract.json said about the input (synthetic flag, generator)."""
    entries = {"extract_json": spec.present, **spec.run_info()}
    con.execute("CREATE OR REPLACE TABLE meta.extract (key VARCHAR, value VARCHAR)")
    con.executemany(
        "INSERT INTO meta.extract VALUES (?, ?)",
        [
            [k, ("true" if v else "false") if isinstance(v, bool) else str(v)]
            for k, v in entries.items()
        ],
    )
    apply_comments(
        con,
        "meta.extract",
        "What the input's extract.json said: whether it is synthetic and, if so, the generator's "
        "version, preset, scale and seed.",
        {"key": "extract_json, synthetic, generator, preset, scale or seed", "value": "as text"},
    )


__all__ = [
    "ObservationWindow",
    "month_end",
    "month_start",
    "record_extract",
    "resolve_observation_window",
    "window_from_data",
]
