"""Resources: the DuckDB warehouse being built, the register input, and analysis settings."""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from analysis.settings import DEFAULT_EMPLOYMENT_THRESHOLD_NOK


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse.

    Assets write to a working copy (`path`); the last asset publishes it atomically to
    `publish_to`, so a failed run never leaves a partial warehouse where analysts look, and
    analysts reading the published file never lock the pipeline out.
    """

    path: str
    publish_to: str
    memory_limit: str = "12GB"
    threads: int = 2

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(
            self.path,
            config={
                "memory_limit": self.memory_limit,
                "threads": self.threads,
                "temp_directory": self.path + ".tmp",
            },
        )
        try:
            yield con
        finally:
            con.close()

    def publish(self) -> Path:
        """Copy the finished working warehouse to `publish_to`, replacing the old one atomically."""
        with self.connect() as con:
            con.execute("CHECKPOINT")
        target = Path(self.publish_to)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(target.name + ".publishing")
        shutil.copyfile(self.path, staging)
        os.replace(staging, target)
        return target


class RegisterInputResource(dg.ConfigurableResource):
    """The input directory (following the input contract) and an optional window override."""

    input_dir: str
    observation_start: str | None = None
    observation_end: str | None = None


class AnalysisSettingsResource(dg.ConfigurableResource):
    """Settings the results depend on (documented in analysis/settings.py and analysis/costs)."""

    employment_threshold_nok: int = DEFAULT_EMPLOYMENT_THRESHOLD_NOK
    cost_parameters: str | None = None  # TOML file overriding analysis/costs/parameters.toml
    cost_horizon_months: int = 36


class ReportResource(dg.ConfigurableResource):
    """Where the report is written and in which languages."""

    out_dir: str = "reports/output"
    languages: list[str] = ["nb", "en"]
