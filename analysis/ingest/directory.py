"""Ingest a whole input directory in one call (the Dagster assets do the same step by step)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from analysis.contract import TABLES
from analysis.ingest.read import read_raw, record_input_files
from analysis.ingest.validate import build_staging
from analysis.ingest.window import record_extract, resolve_observation_window
from analysis.warehouse import create_schemas, set_observation_window


def ingest_directory(
    con: duckdb.DuckDBPyConnection,
    input_dir: Path,
    observation_start: str | None = None,
    observation_end: str | None = None,
    warn: Callable[[str], None] | None = None,
) -> dict[str, dict]:
    """Read every contract table into raw, validate into staging/rejects, set the window.

    All files are read before anything is validated, so a broken file stops the run early.
    Warnings (conversions, columns not read, rows outside a derived window) go to `warn`.
    Returns the staging counts per table. The plausibility gates are separate
    (`analysis.ingest.gates.check_plausibility`).
    """
    create_schemas(con)
    for table in TABLES:
        meta = read_raw(con, Path(input_dir), table)
        record_input_files(con, meta)
        for note in meta["notes"]:
            if warn:
                warn(note)
    counts = {table.name: build_staging(con, table) for table in TABLES}
    window = resolve_observation_window(con, Path(input_dir), observation_start, observation_end)
    set_observation_window(con, window.start.isoformat(), window.end.isoformat(), window.source)
    record_extract(con, window.extract)
    for note in window.notes:
        if warn:
            warn(note)
    return counts
