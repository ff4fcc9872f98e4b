"""Resources: the DuckDB warehouse being built, the register input, settings, the report.

Names and lifecycles of the warehouse's files live in `analysis.warehouse`; these resources only
carry a run's configuration into the assets.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from analysis.design import COST_HORIZON_MONTHS
from analysis.settings import (
    DEFAULT_EMPLOYMENT_THRESHOLD_NOK,
    DEFAULT_MAX_REJECT_SHARE,
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_MIN_WINDOW_COVERAGE,
    PlausibilityGates,
)
from analysis.warehouse import (
    ReportStaging,
    WarehouseFiles,
    WarehouseLock,
    WorkingCopy,
    connect_working,
)


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse at `publish_to`: assets and checks read and write its working copy
    (`path`, beside it); publication replaces `publish_to` atomically. The run's lifecycle (lock,
    working copy, publication, clean-up) is `analysis.warehouse.WarehouseRun`, driven by the
    command line or by the executor of runs started from Dagster; the resource holds the lock too
    (re-entrant), so a run started any other way cannot write a warehouse another run holds.
    """

    publish_to: str
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    threads: int | None = None  # None: every core this process may use

    @property
    def files(self) -> WarehouseFiles:
        return WarehouseFiles.at(self.publish_to)

    @property
    def path(self) -> str:
        """The working copy every asset and check reads and writes."""
        return str(self.files.working)

    @property
    def working_copy(self) -> WorkingCopy:
        return WorkingCopy(self.files)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        WarehouseLock(self.files).acquire()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        WarehouseLock(self.files).release()

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with connect_working(
            self.path, memory_limit=self.memory_limit, threads=self.threads
        ) as con:
            yield con

    def publish(self, report: ReportStaging | None = None) -> Path:
        """Swap the report into place (if given) and publish the working copy; returns the path."""
        return self.working_copy.publish(report)


class RegisterInputResource(dg.ConfigurableResource):
    """The input directory (following the input contract), a window override, and the thresholds
    of the plausibility gates (analysis/settings.py)."""

    input_dir: str
    observation_start: str | None = None
    observation_end: str | None = None
    max_reject_share: float = DEFAULT_MAX_REJECT_SHARE
    min_window_coverage: dict[str, float] = dict(DEFAULT_MIN_WINDOW_COVERAGE)

    @property
    def gates(self) -> PlausibilityGates:
        return PlausibilityGates(self.max_reject_share, dict(self.min_window_coverage))


class AnalysisSettingsResource(dg.ConfigurableResource):
    """Settings the results depend on (documented in analysis/settings.py and analysis/costs)."""

    employment_threshold_nok: int = DEFAULT_EMPLOYMENT_THRESHOLD_NOK
    cost_parameters: str | None = None  # TOML file overriding analysis/costs/parameters.toml
    cost_horizon_months: int = COST_HORIZON_MONTHS


class ReportResource(dg.ConfigurableResource):
    """Where the report is published and in which languages. It is written to a staging directory
    beside `out_dir` and swapped into place when the warehouse is published."""

    out_dir: str = "reports/output"
    languages: list[str] = ["nb", "en"]

    def staging(self, warehouse: WarehouseResource) -> ReportStaging:
        return ReportStaging.for_warehouse(warehouse.files, self.out_dir)
