"""Default locations, kept apart so the command-line tool starts without loading Dagster.

The locations themselves are defined once in `analysis.settings` (the run's settings)."""

from __future__ import annotations

from pathlib import Path

from analysis.settings import DEFAULT_INPUT_DIR, DEFAULT_REPORT_DIR, DEFAULT_WAREHOUSE

# Environment variables the Dagster definitions read their paths from (at run time).
INPUT_ENV = "ARBEIDSTRENING_INPUT"
WAREHOUSE_ENV = "ARBEIDSTRENING_WAREHOUSE"
REPORT_DIR_ENV = "ARBEIDSTRENING_REPORT_DIR"
# Tags on every run in the Dagster instance (command line and UI): the warehouse it built and the
# input it read, so the UI's run list can be filtered by either.
WAREHOUSE_TAG = "arbeidstrening/warehouse"
INPUT_TAG = "arbeidstrening/input"
# Report files of versions before the report directory carried its marker file.
LEGACY_REPORT_ENTRIES = frozenset(
    {"rapport.html", "rapport.pdf", "report.html", "report.pdf", "tabeller", "tables"}
)


def default_report_dir(warehouse: str | Path | None) -> Path:
    """Where a run's report goes unless --report-dir says otherwise: `reports/output` for the
    default warehouse, else beside the warehouse (`/x/at.duckdb` -> `/x/at-report/`)."""
    if warehouse is None or Path(warehouse).absolute() == Path(DEFAULT_WAREHOUSE).absolute():
        return Path(DEFAULT_REPORT_DIR)
    path = Path(warehouse)
    return path.with_name(f"{path.stem}-report")


__all__ = [
    "DEFAULT_INPUT_DIR",
    "DEFAULT_REPORT_DIR",
    "DEFAULT_WAREHOUSE",
    "INPUT_ENV",
    "INPUT_TAG",
    "LEGACY_REPORT_ENTRIES",
    "REPORT_DIR_ENV",
    "WAREHOUSE_ENV",
    "WAREHOUSE_TAG",
    "default_report_dir",
]
