"""Resources: the DuckDB warehouse being built, the register input, settings, the report.

Names and lifecycles of the warehouse's files live in `analysis.warehouse`; these resources only
carry a run's configuration into the assets.
"""

import os
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
    WarehouseError,
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

    @property
    def parts_dir(self) -> Path:
        """Where the run's steps exchange files without opening the working copy (removed with
        it): inputs and results of the effects parts."""
        return self.files.working_parts

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        lock = WarehouseLock(self.files)
        if not lock.held:
            # a step in another process than its run's (multiprocess or cluster executor) works
            # under its run's lock; taking it would fail, since the run holds it
            run = context.run
            if run is not None and lock.held_by_run(run.run_id):
                return
            if _steps_elsewhere(run):
                raise WarehouseError(
                    f"this step's process (pid {os.getpid()}) sees the warehouse "
                    f"{self.files.published}, which its run does not hold: a worker must run "
                    "with the same ARBEIDSTRENING_* settings and see the same file system as the "
                    "process that started the run"
                )
        lock.acquire()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        WarehouseLock(self.files).release()  # a no-op where setup joined the run's lock

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with connect_working(
            self.path, memory_limit=self.memory_limit, threads=self.threads
        ) as con:
            yield con

    def publish(self, report: ReportStaging | None = None) -> Path:
        """Swap the report into place (if given) and publish the working copy; returns the path."""
        return self.working_copy.publish(report)


def _steps_elsewhere(run: dg.DagsterRun | None) -> bool:
    """Whether the run's config asks for steps in processes of their own (multiprocess, dask)."""
    execution = ((run.run_config or {}).get("execution") or {}) if run is not None else {}
    config = execution.get("config") or {}
    return isinstance(config, dict) and bool(config) and "in_process" not in config


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
