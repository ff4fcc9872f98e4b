"""The executor of runs started from Dagster (the UI, `dg launch`, `dagster asset materialize`).

One of Dagster's executors, chosen in the run config (`execution: config:`), wrapped in the
warehouse's run lifecycle (`analysis.warehouse.WarehouseRun`):

- `in_process` (the default): steps one after another in one process;
- `multiprocess`: each step in its own process, up to `max_concurrent` at a time (Dagster's
  multiprocess executor): the effects parts run side by side; unless the config gives its own
  `tag_concurrency_limits`, the steps tagged `arbeidstrening/heavy` (the outcome effects, the
  overall headline part: the largest in memory) run one at a time, as under
  `arbeidstrening run` (pipelines/worker_steps.py);
- `dask`: each step as a task on a Dask `distributed` cluster (`dagster-dask`, installed with the
  `cluster` extra): `cluster: {existing: {address: tcp://host:8786}}` or `{local: {n_workers: 2}}`.
  The workers need the project installed, this file system's paths (the warehouse directory is
  the shared storage: the parts exchange files in `<warehouse>.building.parts/`) and the run's
  Dagster instance (DAGSTER_HOME).

Steps of one run in several processes open the working copy one at a time
(`analysis.warehouse.connection.one_writer`: DuckDB's single writer is never contended) and work
under their run's lock (`WarehouseLock.held_by_run`). The lifecycle:

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

`arbeidstrening run` does not come through here: it holds the same `WarehouseRun` itself and
executes the graph in process with its own progress output, the effects parts in worker
processes (`pipelines.worker_steps`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import dagster as dg

from analysis.warehouse import WarehouseError, WarehouseRun, check_run_paths
from analysis.warehouse.publish import check_report_target
from pipelines.defaults import INPUT_TAG, LEGACY_REPORT_ENTRIES, WAREHOUSE_TAG
from pipelines.resources import RegisterInputResource, ReportResource, WarehouseResource
from pipelines.worker_steps import HEAVY_CONCURRENCY_LIMIT

R = TypeVar("R", bound=dg.ConfigurableResource)
PUBLISHED_KEY = dg.AssetKey(["published_warehouse"])
REPORT_KEY = dg.AssetKey(["report", "rapport"])


class RunFailedBeforeStepsError(Exception):
    """A run could not start (lock, paths, nothing to rebuild from); the message says why."""


class WarehouseRunExecutor(dg.Executor):
    """An executor (`inner`) inside a WarehouseRun (see the module docstring)."""

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
        yield from run_in_warehouse(
            self._resources,
            self._all_keys,
            plan_context,
            lambda: self._inner.execute(plan_context, execution_plan),
        )


def run_in_warehouse(
    resources: tuple[WarehouseResource, RegisterInputResource, ReportResource],
    all_keys: frozenset[dg.AssetKey],
    plan_context,
    steps: Callable[[], Iterator[dg.DagsterEvent]],
) -> Iterator[dg.DagsterEvent]:
    """The events of `steps()` (an executor's execution of the plan) inside the warehouse's run
    lifecycle: lock, working copy, publication of a selection, clean-up."""
    log = plan_context.log
    selection = plan_context.dagster_run.asset_selection
    selected = frozenset(selection) if selection is not None else all_keys
    partial = not all_keys <= selected
    try:
        warehouse, register, report = (_resolved(r) for r in resources)
        staging = report.staging(warehouse)
        files = warehouse.files
        if any(key.path[0] == "raw" for key in selected):
            check_run_paths(register.input_dir, files.published)
        if REPORT_KEY in selected:
            check_report_target(staging.target, LEGACY_REPORT_ENTRIES)
        run = WarehouseRun(files, staging, run_id=plan_context.run_id).__enter__()
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
                f"rebuilds {len(selected)} of {len(all_keys)} assets in a copy of the "
                "published warehouse"
                if partial
                else "builds every asset in a new working copy"
            )
        )
        failed = published = False
        for event in steps():
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


EXECUTOR_MODES = ("in_process", "multiprocess", "dask")
# Runs started from Dagster run in process unless their config says otherwise. Measured on the
# default world (scale 0.05, 2 cores; docs/SCALING.md): a full run took 156 s in process and
# 288 s with the multiprocess executor (forkserver), whose 2.6 s per step for 103 steps outweighs
# running the effects parts side by side (59 -> 37 s); the parts only pay for it at larger scale.
DEFAULT_EXECUTION = {"in_process": {}}
DASK_CONFIG = {
    "cluster": dg.Field(
        dg.Permissive(),
        default_value={"local": {}},
        description=(
            "As dagster-dask's `cluster`: {existing: {address: tcp://host:8786}} for a running "
            "scheduler, or {local: {n_workers: 2}} for a cluster started for the run."
        ),
    )
}


def _requirements(config) -> list:
    """Several processes need a job they can reload and a persistent instance (as Dagster's
    own default executor requires)."""
    if "in_process" in config:
        return []
    return dg.multiple_process_executor_requirements()


def multiprocess_config(config: dict) -> dict:
    """The multiprocess executor's config, with the heavy steps one at a time unless it sets
    `tag_concurrency_limits` itself."""
    if config.get("tag_concurrency_limits"):
        return config
    return {**config, "tag_concurrency_limits": [HEAVY_CONCURRENCY_LIMIT]}


def _dask_executor(wrapped, cluster: dict) -> dg.Executor:
    """dagster-dask's executor inside the warehouse's run lifecycle (a subclass: dagster-dask
    checks the run's executor is its own)."""
    try:
        from dagster_dask.executor import DaskExecutor
    except ImportError:  # pragma: no cover - the `cluster` extra is not installed
        raise RunFailedBeforeStepsError(
            "the dask executor needs dagster-dask: pip install 'arbeidstrening[cluster]'"
        ) from None
    if len(cluster) != 1:
        raise RunFailedBeforeStepsError(
            "executor config dask.cluster: give exactly one of existing or local"
        )

    class WarehouseDaskExecutor(DaskExecutor):
        def execute(self, plan_context, execution_plan):
            yield from run_in_warehouse(
                *wrapped,
                plan_context,
                lambda: DaskExecutor.execute(self, plan_context, execution_plan),
            )

    ((kind, settings),) = cluster.items()
    return WarehouseDaskExecutor(kind, settings)


def warehouse_executor(
    warehouse: WarehouseResource,
    register: RegisterInputResource,
    report: ReportResource,
    all_keys: frozenset[dg.AssetKey],
) -> dg.ExecutorDefinition:
    """The executor for definitions using these resources (their EnvVars are read at run time)."""

    @dg.executor(
        name="warehouse_run",
        config_schema=dg.Field(
            dg.Selector(
                {
                    "in_process": dg.in_process_executor.config_schema.as_field(),
                    "multiprocess": dg.multiprocess_executor.config_schema.as_field(),
                    "dask": DASK_CONFIG,
                }
            ),
            default_value=DEFAULT_EXECUTION,
        ),
        requirements=_requirements,
    )
    def warehouse_run(init_context):
        """Dagster's in-process (default), multiprocess or dask executor inside the warehouse's
        run lifecycle: lock, working copy (fresh, or the published warehouse for a selection),
        publication after the last step, clean-up."""
        ((mode, config),) = init_context.executor_config.items()
        wrapped = ((warehouse, register, report), all_keys)
        if mode == "dask":
            return _dask_executor(wrapped, config["cluster"])
        if mode == "multiprocess":
            inner_def, config = dg.multiprocess_executor, multiprocess_config(config)
        else:
            inner_def = dg.in_process_executor
        inner = inner_def.executor_creation_fn(init_context._replace(executor_config=config))
        return WarehouseRunExecutor(inner, *wrapped)

    return warehouse_run


__all__ = [
    "EXECUTOR_MODES",
    "PUBLISHED_KEY",
    "RunFailedBeforeStepsError",
    "WarehouseRunExecutor",
    "warehouse_executor",
]
