"""The executor of runs started from Dagster (the UI, `dg launch`, `dagster asset materialize`).

Dagster's in-process executor (one DuckDB file has one writer: steps run one after another in one
process) wrapped in the warehouse's run lifecycle (`analysis.warehouse.WarehouseRun`):

1. before any step: take the single-writer lock (a second run fails at once, naming the holder),
   complete a publication a dead run had committed, check the paths the run will use (one error
   for a missing input directory, not one per asset), and prepare the working copy: empty when
   the run materializes every asset, a copy of the published warehouse when it materializes a
   selection (one asset, a group, `marts/transitions+` ...);
2. the steps: the selected assets and their blocking checks, against the working copy;
3. after the last step, if no step failed, no check failed and nothing was skipped: publish. A
   full run publishes in its own last asset (`published_warehouse`, which also swaps the report
   in); a selection without it is published here (the report too, if the selection wrote one),
   recorded as a materialization of `published_warehouse` naming the run and what it rebuilt;
4. always: remove the working copy and the report staging directory, release the lock.

A selection rebuilds what it names and nothing else. The tables it did not select are published
as they were, and the Dagster UI marks the assets downstream of a rebuilt one as stale until they
are materialized too (select `marts/transitions+` to rebuild an asset with everything after it).

`arbeidstrening run` does not come through here: it executes the whole graph in process with its
own progress output, inside the same `WarehouseRun`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import dagster as dg

from analysis.warehouse import WarehouseError, WarehouseRun, check_run_paths
from analysis.warehouse.publish import check_report_target
from pipelines.defaults import INPUT_TAG, LEGACY_REPORT_ENTRIES, WAREHOUSE_TAG
from pipelines.resources import RegisterInputResource, ReportResource, WarehouseResource

R = TypeVar("R", bound=dg.ConfigurableResource)
PUBLISHED_KEY = dg.AssetKey(["published_warehouse"])
REPORT_KEY = dg.AssetKey(["report", "rapport"])


class RunFailedBeforeStepsError(Exception):
    """A run could not start (lock, paths, nothing to rebuild from); the message says why."""


class WarehouseRunExecutor(dg.Executor):
    """The in-process executor inside a WarehouseRun (see the module docstring)."""

    def __init__(
        self,
        inner: dg.Executor,
        resources: tuple[WarehouseResource, RegisterInputResource, ReportResource],
        all_keys: frozenset[dg.AssetKey],
    ):
        self._inner = inner
        self._resources = resources
        self._all_keys = all_keys

    @property
    def retries(self):
        return self._inner.retries

    def execute(self, plan_context, execution_plan) -> Iterator[dg.DagsterEvent]:
        log = plan_context.log
        selection = plan_context.dagster_run.asset_selection
        selected = frozenset(selection) if selection is not None else self._all_keys
        partial = not self._all_keys <= selected
        try:
            warehouse, register, report = (_resolved(r) for r in self._resources)
            staging = report.staging(warehouse)
            files = warehouse.files
            if any(key.path[0] == "raw" for key in selected):
                check_run_paths(register.input_dir, files.published)
            if REPORT_KEY in selected:
                check_report_target(staging.target, LEGACY_REPORT_ENTRIES)
            run = WarehouseRun(files, staging).__enter__()
        except WarehouseError as exc:
            raise RunFailedBeforeStepsError(str(exc)) from None
        # tagged as the command line's runs are, for the UI's run filter
        plan_context.instance.add_run_tags(
            plan_context.run_id,
            {
                WAREHOUSE_TAG: str(files.published),
                INPUT_TAG: str(Path(register.input_dir).absolute()),
            },
        )
        try:
            for note in run.notes:
                log.warning(note)
            try:
                run.start(partial=partial)
            except WarehouseError as exc:
                raise RunFailedBeforeStepsError(str(exc)) from None
            log.info(
                f"{'Partial' if partial else 'Full'} run on {files.published}: "
                + (
                    f"rebuilds {len(selected)} of {len(self._all_keys)} assets in a copy of the "
                    "published warehouse"
                    if partial
                    else "builds every asset in a new working copy"
                )
            )
            failed = published = False
            for event in self._inner.execute(plan_context, execution_plan):
                failed = failed or _is_failure(event)
                published = published or _materializes(event, PUBLISHED_KEY)
                yield event
            if not failed and not published:
                target = run.publish()
                rebuilt = sorted(k.to_user_string() for k in selected)
                report_swapped = REPORT_KEY in selected
                log.info(f"Published {target} (rebuilt: {', '.join(rebuilt)})")
                plan_context.instance.report_runless_asset_event(
                    dg.AssetMaterialization(
                        PUBLISHED_KEY,
                        description="Published by a partial run: the tables it rebuilt, the "
                        "others as they were.",
                        metadata={
                            "path": str(target),
                            "bytes": dg.MetadataValue.int(target.stat().st_size),
                            "run_id": plan_context.run_id,
                            "rebuilt": dg.MetadataValue.json(rebuilt),
                            "report": "republished" if report_swapped else "unchanged",
                        },
                    )
                )
        finally:
            run.__exit__(None, None, None)


def _resolved(resource: R) -> R:
    """The resource with its `dg.EnvVar` fields read from the environment (as Dagster does when
    it initializes the resource for the steps)."""
    values = {}
    for name in type(resource).model_fields:
        value = getattr(resource, name)
        if isinstance(value, dg.EnvVar):
            value = value.get_value()
            if value is None:
                raise RunFailedBeforeStepsError(f"environment variable {name} is not set")
        values[name] = value
    return type(resource)(**values)


def _is_failure(event: dg.DagsterEvent) -> bool:
    if event.is_step_failure or event.is_step_skipped:
        return True
    if event.event_type_value == "ASSET_CHECK_EVALUATION":
        return is_failed_blocking(event.event_specific_data)
    return False


def is_failed_blocking(evaluation) -> bool:
    """A check evaluation that stops publication: failed with severity ERROR (the default). A
    failed WARN check (e.g. the headline's design verdict, a result in itself) does not."""
    return not evaluation.passed and evaluation.severity != dg.AssetCheckSeverity.WARN


def _materializes(event: dg.DagsterEvent, key: dg.AssetKey) -> bool:
    return event.event_type_value == "ASSET_MATERIALIZATION" and event.asset_key == key


def warehouse_executor(
    warehouse: WarehouseResource,
    register: RegisterInputResource,
    report: ReportResource,
    all_keys: frozenset[dg.AssetKey],
) -> dg.ExecutorDefinition:
    """The executor for definitions using these resources (their EnvVars are read at run time)."""

    @dg.executor(
        name="warehouse_run",
        config_schema=dg.in_process_executor.config_schema,
    )
    def warehouse_run(init_context):
        """Steps one after another in one process, inside the warehouse's run lifecycle: lock,
        working copy (fresh, or the published warehouse for a selection), publication after the
        last step, clean-up."""
        inner = dg.in_process_executor.executor_creation_fn(init_context)
        return WarehouseRunExecutor(inner, (warehouse, register, report), all_keys)

    return warehouse_run


__all__ = [
    "PUBLISHED_KEY",
    "RunFailedBeforeStepsError",
    "WarehouseRunExecutor",
    "warehouse_executor",
]
