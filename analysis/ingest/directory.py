"""Ingest a whole input directory in one call (the Dagster assets do the same step by step)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from analysis.contract import TABLES
from analysis.ingest.read import read_raw, record_input_files
from analysis.ingest.validate import build_staging
from analysis.ingest.window import resolve_observation_window
from analysis.warehouse import create_schemas, set_observation_window


def ingest_directory(
    con: duckdb.DuckDBPyConnection,
    input_dir: Path,
    observation_start: str | None = None,
    observation_end: str | None = None,
) -> dict[str, dict]:
    """Read every contract table into raw, validate into staging/rejects, set the window.

    All files are read before anything is validated, so a broken file stops the run early.
    Returns the staging counts per table.
    """
    create_schemas(con)
    for table in TABLES:
        record_input_files(con, read_raw(con, Path(input_dir), table))
    counts = {table.name: build_staging(con, table) for table in TABLES}
    start, end, source = resolve_observation_window(
        con, Path(input_dir), observation_start, observation_end
    )
    set_observation_window(con, start.isoformat(), end.isoformat(), source)
    return counts
