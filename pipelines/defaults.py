"""Default locations, kept apart so the command-line tool starts without loading Dagster."""

DEFAULT_INPUT_DIR = "data/synthetic"
DEFAULT_WAREHOUSE = "data/warehouse.duckdb"
DEFAULT_REPORT_DIR = "reports/output"
