"""Default locations, kept apart so the command-line tool starts without loading Dagster.

Defined once in `analysis.settings` (the run's settings); re-exported here for the CLI."""

from analysis.settings import DEFAULT_INPUT_DIR, DEFAULT_REPORT_DIR, DEFAULT_WAREHOUSE

__all__ = ["DEFAULT_INPUT_DIR", "DEFAULT_REPORT_DIR", "DEFAULT_WAREHOUSE"]
