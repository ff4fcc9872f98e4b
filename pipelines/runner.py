"""Run the whole pipeline in-process with concise progress, and describe the result.

A run: check the paths (nothing is created for a bad one) -> hold the warehouse
(`analysis.warehouse.WarehouseRun`: the single-writer lock, a second run fails at once, a lock
left by a killed run is taken over and a publication it had committed completed) -> start a
fresh working copy -> build, check, write the report to staging -> publish as the last step ->
remove the working copy and the report staging directory. The steps run in this process, the
effects parts in worker processes when asked (`workers`, `pipelines.worker_steps`). The run is
recorded in the Dagster instance it is given (the command line gives the project's, so
`make dev` shows it). The outcome
says truthfully whether the published warehouse was replaced.
"""

from __future__ import annotations

import logging
import re
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import dagster as dg
import duckdb
from dagster._core.definitions.job_base import InMemoryJob
from dagster._core.definitions.reconstruct import build_reconstructable_job
from dagster._core.execution.execute_in_process import core_execute_in_process
from dagster._core.utils import make_new_run_id

from analysis.design import COST_HORIZON_MONTHS
from analysis.settings import (
    DEFAULT_MEMORY_LIMIT,
    WORKER_MIN_PERSONS,
    check_employment_threshold,
    default_threads,
)
from analysis.warehouse import (
    ReportStaging,
    RunPathError,
    WarehouseBusyError,
    WarehouseRun,
    check_run_paths,
    describe_warehouse,
    file_identity,
)
from pipelines.defaults import INPUT_TAG, LEGACY_REPORT_ENTRIES, WAREHOUSE_TAG, default_report_dir
from pipelines.definitions import build_definitions
from pipelines.executor import is_failed_blocking
from pipelines.worker_steps import worker_steps_executor

Echo = Callable[[str], None]
PUBLISH_STEP = "published_warehouse"
RUN_JOB_NAME = "arbeidstrening_run"
NO_REPORT_NOTE = (
    "No report: the warehouse published with this directory was built with {flag}.\n"
    "The previous report was removed because it described another warehouse.\n"
)


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass
class _Progress:
    echo: Echo
    total: int
    started: dict[str, float] = field(default_factory=dict)
    done: int = 0
    checks: int = 0
    failures: list[str] = field(default_factory=list)
    observer: Callable[[str, str, float], None] | None = None
    failed_checks: list[str] = field(default_factory=list)
    materialized: set[str] = field(default_factory=set)


def _innermost_message(error) -> str:
    """The user's own error message from a Dagster SerializableErrorInfo chain."""
    chain = []
    while error is not None:
        chain.append(error)
        error = error.cause
    for err in reversed(chain):
        if err.cls_name and err.cls_name not in ("DagsterExecutionStepExecutionError",):
            return re.sub(r"^[\w.]*" + re.escape(err.cls_name) + r":\s*", "", err.message.strip())
    return chain[0].message.strip() if chain else "unknown error"


def _is_check_failure(error) -> bool:
    while error is not None:
        if error.cls_name == "DagsterAssetCheckFailedError":
            return True
        error = error.cause
    return False


def _on_event(progress: _Progress, event) -> None:
    """Progress output for one Dagster event (a step started, an asset materialized, a step or
    a check failed)."""
    kind, step = event.event_type_value, event.step_key
    if kind == "STEP_START":
        progress.started[step] = time.perf_counter()
        if progress.observer:
            progress.observer("start", step, 0.0)
    elif kind == "ASSET_MATERIALIZATION":
        progress.done += 1
        key = event.event_specific_data.materialization.asset_key.to_user_string()
        progress.materialized.add(key)
        seconds = time.perf_counter() - progress.started.get(step, time.perf_counter())
        progress.echo(f"  [{progress.done:>2}/{progress.total}] {key:<44} {seconds:7.1f} s")
        if progress.observer:
            progress.observer("asset", key, seconds)
    elif kind == "STEP_FAILURE":
        error = event.event_specific_data.error
        if _is_check_failure(error):
            return  # the failed check itself is reported below, with its message
        message = _innermost_message(error)
        progress.failures.append(message)
        progress.echo(f"  FAILED {step.replace('__', '/')}: {message}")
    elif kind == "PIPELINE_FAILURE" and getattr(event.event_specific_data, "error", None):
        message = _innermost_message(event.event_specific_data.error)
        progress.failures.append(message)
        progress.echo(f"  FAILED: {message}")
    elif kind == "ASSET_CHECK_EVALUATION":
        evaluation = event.event_specific_data
        progress.checks += 1
        if not evaluation.passed:
            name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
            detail = evaluation.description or {
                k: getattr(v, "value", v) for k, v in (evaluation.metadata or {}).items()
            }
            if is_failed_blocking(evaluation):
                progress.failed_checks.append(f"{name}: {detail}")
                progress.echo(f"  CHECK FAILED {name}: {detail}")
            else:
                progress.echo(f"  CHECK WARNING {name}: {detail}")


def _progress_logger(progress: _Progress, events: bool = True) -> dg.LoggerDefinition:
    """A Dagster logger echoing warnings and (if `events`) the progress of the events it sees."""

    @dg.logger
    def progress_logger(_init_context):
        log = logging.Logger("arbeidstrening.progress", level=logging.DEBUG)

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                meta = getattr(record, "dagster_meta", None)
                event = meta.get("dagster_event") if isinstance(meta, dict) else None
                if event is None:
                    text = meta.get("orig_message", "") if isinstance(meta, dict) else ""
                    if record.levelno >= logging.WARNING and "Not executing" not in text:
                        progress.echo(f"    ! {text or record.getMessage()}")
                elif events:
                    _on_event(progress, event)

        log.addHandler(Handler())
        return log

    return progress_logger


def run_job(defs: dg.Definitions) -> dg.JobDefinition:
    """The job of a run: every asset of `defs`, named (Dagster's implicit asset job cannot be
    rebuilt in a worker process under its reserved name)."""
    return dg.Definitions.merge(
        defs, dg.Definitions(jobs=[dg.define_asset_job(RUN_JOB_NAME)])
    ).resolve_job_def(RUN_JOB_NAME)


def worker_job(**definitions) -> dg.JobDefinition:
    """The job of `arbeidstrening run --workers N` as a worker process rebuilds it
    (`build_reconstructable_job`): the definitions of `build_definitions(**definitions)`, its
    warnings echoed to stderr (the run's progress is followed in the process that started it)."""
    job = run_job(build_definitions(**definitions))
    progress = _Progress(echo=_stderr, total=0)
    return job.with_executor_def(worker_steps_executor()).with_logger_defs(
        {"progress": _progress_logger(progress, events=False)}
    )


@dataclass
class RunOutcome:
    """What a run did. `published` is True only if this run replaced the warehouse file;
    `previous_unchanged` is True when the file at `warehouse` is the one that was there before."""

    success: bool
    warehouse: Path
    seconds: float
    errors: list[str]
    published: bool = False
    had_previous: bool = False
    previous_unchanged: bool = True
    report_dir: Path | None = None
    errors_echoed: bool = False  # the errors were already printed as the run went

    def state_of_warehouse(self) -> str:
        """One true sentence about the published warehouse after this run."""
        if self.published:
            return f"the warehouse {self.warehouse} was published"
        if not self.had_previous:
            return "no warehouse was written"
        if self.previous_unchanged:
            return "the previous warehouse is unchanged"
        return f"the warehouse file {self.warehouse} changed during the run (not by this run)"


def describe_input(input_dir: str | Path) -> str:
    """One line on the data a run reads, from its extract.json (nothing is read but that file)."""
    from analysis.ingest import InputContractError, read_extract_spec

    try:
        spec = read_extract_spec(Path(input_dir))
    except (InputContractError, OSError):
        return f"Input: {input_dir} (its extract.json cannot be read; see below)"
    if not spec.present:
        return f"Input: {input_dir} (no extract.json: the window comes from the data)"
    window = f"window {spec.observation_start} to {spec.observation_end}"
    if not spec.synthetic:
        return f"Input: {input_dir}: a register extract, {window}"
    info = spec.run_info()
    detail = ", ".join(
        f"{k} {info[k]}" for k in ("preset", "scale", "seed") if info.get(k) is not None
    )
    return f"Input: {input_dir}: synthetic register ({detail or 'settings not recorded'}), {window}"


def _execute_with_workers(
    job: dg.JobDefinition,
    workers: int,
    definitions: dict,
    progress: _Progress,
    instance: dg.DagsterInstance,
    run_config: dict,
    tags: dict[str, str],
    run_id: str,
):
    """Execute `job` in this process with the effects parts in `workers` worker processes, which
    rebuild the job from `definitions` (`worker_job`) and record their events in the instance
    (a temporary one if `instance` is ephemeral)."""
    with ExitStack() as stack:
        if not instance.is_persistent:
            home = stack.enter_context(tempfile.TemporaryDirectory(prefix="arbeidstrening-"))
            instance = stack.enter_context(dg.DagsterInstance.local_temp(home))
        recon_job = build_reconstructable_job(
            __name__,
            worker_job.__name__,
            reconstructable_kwargs=definitions,
            # where a worker imports this module from (Dagster drops the script's own path)
            reconstructor_working_directory=str(Path(__file__).resolve().parents[1]),
        )
        executor = worker_steps_executor(recon_job, workers, partial(_on_event, progress))
        return core_execute_in_process(
            run_config=run_config,
            job=InMemoryJob(job.with_executor_def(executor)),
            instance=instance,
            output_capturing_enabled=False,
            raise_on_error=False,
            run_tags=tags,
            run_id=run_id,
        )


def default_workers(input_dir: Path, threads: int | None) -> int:
    """Worker processes for the effects parts: as many as `threads` (default: every core) when the
    register has at least `WORKER_MIN_PERSONS` persons, else none (an unreadable persons table:
    none, and the run says what is wrong with it)."""
    from analysis.contract import PERSONS
    from analysis.ingest import InputContractError, count_rows

    try:
        persons = count_rows(input_dir, PERSONS)
    except (InputContractError, duckdb.Error):
        return 0
    if persons < WORKER_MIN_PERSONS:
        return 0
    return threads or default_threads()


def run_pipeline(
    input_dir: str | Path,
    warehouse: str | Path,
    *,
    observation_start: str | None = None,
    observation_end: str | None = None,
    employment_threshold_nok: int | None = None,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    threads: int | None = None,
    echo: Echo = _stderr,
    keep_failed: bool = False,
    observer: Callable[[str, str, float], None] | None = None,
    report_dir: str | Path | None = None,
    report_languages: tuple[str, ...] = ("nb", "en"),
    with_report: bool = True,
    with_effects: bool = True,
    cost_parameters: str | Path | None = None,
    cost_horizon_months: int = COST_HORIZON_MONTHS,
    max_reject_share: float | None = None,
    min_window_coverage: dict[str, float] | None = None,
    instance: dg.DagsterInstance | Callable[[], dg.DagsterInstance] | None = None,
    workers: int | None = None,
) -> RunOutcome:
    """Materialize every asset into a fresh working copy and publish it to `warehouse`.

    The report goes to `report_dir` (default: `default_report_dir(warehouse)`). A run without a
    report (`with_report=False`, or without effects) retires a report of an earlier run in that
    directory: it is replaced by a note, since it would describe another warehouse.
    On failure the working copy and the report staging directory are removed (unless
    keep_failed) and the published warehouse and report are left exactly as they were.
    `observer(kind, name, seconds)` is called at each step start ("start", step key) and asset
    materialization ("asset", asset key, seconds). `instance` (or a function opening it, called
    once the paths are checked) records the run; default: an ephemeral one (not recorded).
    `workers` > 0 runs the effects parts in that many worker processes while the other steps go
    on in this one (`pipelines.worker_steps`; the results are the same); they record their
    events in `instance`, or in a temporary instance if it is ephemeral. None: `default_workers`.
    """
    t0 = time.perf_counter()
    with_report = with_report and with_effects
    published_path = Path(warehouse).absolute()
    target = Path(report_dir) if report_dir is not None else default_report_dir(warehouse)

    def failed(message: str) -> RunOutcome:
        exists = published_path.exists()
        return RunOutcome(False, published_path, time.perf_counter() - t0, [message], False, exists)

    try:
        if employment_threshold_nok is not None:
            check_employment_threshold(employment_threshold_nok)
        paths = check_run_paths(
            input_dir, warehouse, target if with_report else None, LEGACY_REPORT_ENTRIES
        )
    except (RunPathError, ValueError) as exc:
        return failed(str(exc))
    files = paths.warehouse
    staging = paths.report or ReportStaging.for_warehouse(files, target)
    before = file_identity(files.published)
    success = published = echoed = False
    errors: list[str] = []
    try:
        run_id = make_new_run_id()
        run = WarehouseRun(files, staging, keep_failed=keep_failed, run_id=run_id).__enter__()
    except WarehouseBusyError as exc:
        return failed(str(exc))
    try:
        for note in run.notes:
            echo(f"  ! {note}")
        run.start(partial=False)
        if not with_report:
            flag = "--no-effects" if not with_effects else "--no-report"
            staging.start_without_report(NO_REPORT_NOTE.format(flag=flag))
        gate_settings = {}
        if max_reject_share is not None:
            gate_settings["max_reject_share"] = max_reject_share
        if min_window_coverage is not None:
            gate_settings["min_window_coverage"] = min_window_coverage
        definitions = dict(
            input_dir=str(paths.input_dir),
            warehouse=str(files.published),
            observation_start=observation_start,
            observation_end=observation_end,
            employment_threshold_nok=employment_threshold_nok,
            memory_limit=memory_limit,
            threads=threads,
            report_dir=str(staging.target),
            report_languages=list(report_languages),
            with_report=with_report,
            with_effects=with_effects,
            cost_parameters=str(Path(cost_parameters).absolute()) if cost_parameters else None,
            cost_horizon_months=cost_horizon_months,
            **gate_settings,
        )
        if workers is None:
            workers = default_workers(paths.input_dir, threads)
        defs = build_definitions(**definitions)
        job = run_job(defs)
        graph = defs.resolve_asset_graph()
        total = len(graph.materializable_asset_keys)
        progress = _Progress(echo=echo, total=total, observer=observer)
        echo(describe_input(input_dir))
        echo(
            f"Building warehouse {files.published}: {total} assets, "
            f"{len(graph.asset_check_keys)} checks"
            + (f", the effects parts in {workers} worker processes" if workers else "")
        )
        if instance is None:
            instance = dg.DagsterInstance.ephemeral()
        elif not isinstance(instance, dg.DagsterInstance):
            instance = instance()
        job = job.with_logger_defs({"progress": _progress_logger(progress)})
        run_config = {"loggers": {"progress": {}}}
        tags = {WAREHOUSE_TAG: str(files.published), INPUT_TAG: str(paths.input_dir)}
        if workers:
            result = _execute_with_workers(
                job, workers, definitions, progress, instance, run_config, tags, run_id
            )
        else:
            result = job.execute_in_process(
                instance=instance,
                run_config=run_config,
                tags=tags,
                run_id=run_id,
                raise_on_error=False,
            )
        errors = progress.failures + [f"blocking check failed: {c}" for c in progress.failed_checks]
        echoed = bool(errors)
        published = run.published = PUBLISH_STEP in progress.materialized
        success = result.success and not errors and published
        if success:
            echo(f"  all {progress.checks} checks passed")
        elif not errors:
            errors = ["the run did not complete (see messages above)"]
    finally:
        run.__exit__(None, None, None)
    return RunOutcome(
        success,
        files.published,
        time.perf_counter() - t0,
        errors,
        published=published,
        had_previous=before is not None,
        previous_unchanged=before == file_identity(files.published),
        report_dir=staging.target if with_report and success else None,
        errors_echoed=echoed,
    )


__all__ = ["RunOutcome", "describe_warehouse", "run_pipeline"]
