"""The observation window: which days the extract covers.

Precedence: explicit override (command line / resource config) > `extract.json` in the input
directory > the data itself (first day of the earliest and last day of the latest month in
`staging.employment_months`). Outcomes past `observation_end` are censored, never zero.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb

from analysis.contract import EXTRACT_FILE
from analysis.ingest.errors import InputContractError


def _parse_date(value: object, where: str, key: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputContractError(
            where, f"{key} is not an ISO date", "YYYY-MM-DD", column=key
        ) from None


def resolve_observation_window(
    con: duckdb.DuckDBPyConnection,
    input_dir: Path,
    start_override: str | None = None,
    end_override: str | None = None,
) -> tuple[dt.date, dt.date, str]:
    """Return (observation_start, observation_end, source)."""
    extract = Path(input_dir) / EXTRACT_FILE
    start = end = None
    source = "data (first and last month of employment_months)"
    if extract.exists():
        try:
            spec = json.loads(extract.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputContractError(
                EXTRACT_FILE,
                f"cannot be read as JSON ({exc.__class__.__name__})",
                '{"observation_start": "YYYY-MM-DD", "observation_end": "YYYY-MM-DD"}',
            ) from None
        if not isinstance(spec, dict):
            raise InputContractError(
                EXTRACT_FILE,
                "is not a JSON object",
                "an object with observation_start and observation_end",
            )
        for key in ("observation_start", "observation_end"):
            if key not in spec:
                raise InputContractError(
                    EXTRACT_FILE,
                    f"key {key!r} missing",
                    "observation_start and observation_end",
                    column=key,
                )
        start = _parse_date(spec["observation_start"], EXTRACT_FILE, "observation_start")
        end = _parse_date(spec["observation_end"], EXTRACT_FILE, "observation_end")
        source = EXTRACT_FILE
    if start is None or end is None:
        lo, hi = con.execute(
            "SELECT min(year_month), max(year_month) FROM staging.employment_months"
        ).fetchone()
        if lo is None:
            raise InputContractError(
                "employment_months",
                "no valid rows to derive the observation window from",
                f"rows in employment_months, or {EXTRACT_FILE} in the input directory",
            )
        start = dt.date(lo // 100, lo % 100, 1)
        nxt = dt.date(hi // 100 + (hi % 100) // 12, hi % 100 % 12 + 1, 1)
        end = nxt - dt.timedelta(days=1)
    if start_override:
        start, source = (
            _parse_date(start_override, "--observation-start", "observation_start"),
            "override",
        )
    if end_override:
        end, source = _parse_date(end_override, "--observation-end", "observation_end"), "override"
    if end < start:
        raise InputContractError(
            source, f"observation_end {end} is before observation_start {start}", "start <= end"
        )
    return start, end, source
