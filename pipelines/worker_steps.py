"""An executor that runs the long, self-contained steps in worker processes and the rest in process.

Dagster's multiprocess executor starts every step in a process of its own: about 3 s per step
on this project (docs/SCALING.md), which the ~60 short data steps never earn back. Its in-process
executor runs the effects parts, minutes each at full scale, one after another. This executor
does both: a step whose op carries the tag `WORKER_TAG` runs in a worker process (as the
multiprocess executor runs it: the step re-executed from the reconstructable job, its events sent
back), at most `workers` at a time; every other step runs in this process, one at a time, while
the workers work. Two rules keep the run's memory within bounds (docs/SCALING.md, stop 28):

- a step in process tagged `HEAVY_TAG` (as long as a part: the outcome effects) takes a worker's
  place while it runs: it starts only when fewer than `workers` parts run, and no part starts
  beside it that would make them more, so at most `workers` large steps run at once, one per
  core, instead of one more than the cores;
- of the steps tagged `HEAVY_TAG`, in process or in workers (the outcome effects, the overall
  headline part: the largest in memory), one runs at a time, as Dagster's
  `tag_concurrency_limits` with limit 1 would have it; a waiting heavy part lets the parts
  behind it start.

Which steps may run where is the assets' business (the effects parts read and write files only);
which executor runs them, and in which order, does not change a result.

Used by `arbeidstrening run --workers N` (pipelines/runner.py), which holds the warehouse's run
lifecycle itself and gives the executor the job as the workers rebuild it
(`build_reconstructable_job`) and a persistent instance (the workers record their events in it).
Without workers it is the in-process executor.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from multiprocessing.process import BaseProcess

import dagster as dg
from dagster._core.definitions.reconstruct import ReconstructableJob
from dagster._core.events import DagsterEvent
from dagster._core.execution.api import (
    ExecuteRunWithPlanIterable,
    create_execution_plan,
    execute_plan_iterator,
)
from dagster._core.execution.context.system import PlanExecutionContext, PlanOrchestrationContext
from dagster._core.execution.context_creation_job import PlanExecutionContextManager
from dagster._core.execution.plan.execute_plan import dagster_event_sequence_for_step
from dagster._core.execution.plan.instance_concurrency_context import InstanceConcurrencyContext
from dagster._core.execution.plan.plan import ExecutionPlan
from dagster._core.execution.retries import RetryMode
from dagster._core.executor.base import Executor
from dagster._core.executor.child_process_executor import (
    ChildProcessCrashException,
    ChildProcessSystemErrorEvent,
    execute_child_process_command,
)
from dagster._core.executor.multiprocess import MultiprocessExecutorChildProcessCommand
from dagster._core.instance import DagsterInstance
from dagster._core.log_manager import DagsterLogManager
from dagster._utils import get_run_crash_explanation, start_termination_thread
from dagster._utils.error import serializable_error_info_from_exc_info

WORKER_TAG = "arbeidstrening/worker"  # op tag: this step may run in a worker process
HEAVY_TAG = "arbeidstrening/heavy"  # op tag: one at a time; in process it takes a worker's place
# the one-at-a-time rule for Dagster's multiprocess executor (its `tag_concurrency_limits`)
HEAVY_CONCURRENCY_LIMIT = {"key": HEAVY_TAG, "value": "true", "limit": 1}


def runs_in_worker(step) -> bool:
    return (step.tags or {}).get(WORKER_TAG) == "true"


def is_heavy(step) -> bool:
    return (step.tags or {}).get(HEAVY_TAG) == "true"


class WorkerStepsExecutor(Executor):
    """Steps tagged `WORKER_TAG` in up to `workers` worker processes, the others in process."""

    def __init__(
        self,
        recon_job: ReconstructableJob | None,
        workers: int,
        observe: Callable[[DagsterEvent], None] | None = None,
        start_method: str = "forkserver",
    ):
        self._recon_job = recon_job
        self._workers = workers
        self._observe = observe
        self._start_method = start_method
        self._ended: set[str] = set()  # steps in workers that reported success or failure

    @property
    def retries(self) -> RetryMode:
        return RetryMode.DISABLED

    def execute(
        self, plan_context: PlanOrchestrationContext, execution_plan: ExecutionPlan
    ) -> Iterator[DagsterEvent]:
        recon_job = self._recon_job
        context = multiprocessing.get_context(self._start_method)
        if recon_job is not None and self._start_method == "forkserver":
            module = recon_job.get_module()
            context.set_forkserver_preload(
                ["dagster._core.executor.multiprocess", *([module] if module else [])]
            )

        def steps(job_context: PlanExecutionContext, execution_plan: ExecutionPlan):
            with InstanceConcurrencyContext(job_context.instance, job_context.dagster_run) as icc:
                yield from self._steps(job_context, execution_plan, icc, recon_job, context)

        yield from ExecuteRunWithPlanIterable(
            execution_plan=plan_context.execution_plan,
            iterator=steps,
            execution_context_manager=PlanExecutionContextManager(
                job=plan_context.job,
                retry_mode=plan_context.retry_mode,
                execution_plan=plan_context.execution_plan,
                run_config=plan_context.run_config,
                dagster_run=plan_context.dagster_run,
                instance=plan_context.instance,
                raise_on_error=plan_context.raise_on_error,
                output_capture=plan_context.output_capture,
            ),
        )

    def _steps(self, job_context, plan, concurrency, recon_job, context) -> Iterator[DagsterEvent]:
        """Dagster's plan loop with two lanes: the tagged steps in worker processes, the others
        one at a time in a thread of this process (so that a long step here does not keep a
        finished worker idle). A heavy step here counts as a worker and is started before the
        waiting parts when a place is free; one heavy step at a time (module docstring). Events
        are passed on, and the plan advanced, in this thread."""
        local: list = []
        queued: list = []
        active: dict[str, Iterator] = {}
        errors: dict = {}
        processes: dict = {}
        term_events: dict = {}
        here = _LocalLane()
        heavy_in_workers: set[str] = set()
        with ExitStack() as stack:
            active_execution = stack.enter_context(
                plan.start(retry_mode=self.retries, instance_concurrency_context=concurrency)
            )
            try:
                while not active_execution.is_complete or active or queued or here.busy:
                    for step in active_execution.get_steps_to_execute():
                        (queued if recon_job and runs_in_worker(step) else local).append(step)
                    yield from active_execution.concurrency_event_iterator(job_context)
                    heavy_in_workers &= set(active)
                    if local and not here.busy:
                        free = recon_job is None or (
                            len(active) < self._workers and not heavy_in_workers
                        )
                        step = _take(local, heavy_allowed=free)
                        if step is not None:
                            here.start(
                                job_context.for_step(step, active_execution.get_known_state()),
                                heavy=recon_job is not None and is_heavy(step),
                            )
                    while queued and len(active) + here.heavy < self._workers:
                        step = _take(queued, not (here.heavy or heavy_in_workers))
                        if step is None:
                            break
                        if is_heavy(step):
                            heavy_in_workers.add(step.key)
                        term_events[step.key] = context.Event()
                        active[step.key] = _step_in_worker(
                            context,
                            recon_job,
                            job_context.for_step(step, active_execution.get_known_state()),
                            errors,
                            processes,
                            term_events[step.key],
                            active_execution.get_known_state(),
                            plan.repository_load_data,
                        )
                    yield from self._poll_workers(
                        job_context, active_execution, active, errors, processes
                    )
                    for key in [k for k in term_events if k not in active]:
                        term_events.pop(key)
                        processes.pop(key, None)
                    for event in here.events(wait=not active):
                        yield event
                        active_execution.handle_event(event)
                    if here.finished is not None:
                        active_execution.verify_complete(job_context, here.finished)
                        here.finished = None
                    yield from active_execution.plan_events_iterator(job_context)
                    if not (active or queued or local or here.busy or active_execution.is_complete):
                        active_execution.sleep_til_ready()
            except BaseException:
                for key, event in term_events.items():
                    if key in processes and processes[key].is_alive():
                        event.set()
                raise
        failed = {pid: err for pid, err in errors.items() if err}
        if failed:
            raise dg.DagsterSubprocessError(
                "errors occurred in worker processes:\n"
                + "\n".join(f"in process {pid}: {err.to_string()}" for pid, err in failed.items()),
                subprocess_error_infos=list(failed.values()),
            )

    def _poll_workers(self, job_context, active_execution, active, errors, processes):
        """One round over the workers: the events they have sent, and those that finished. A
        step whose worker died, or failed outside the step (e.g. rebuilding the job), is failed
        here with the reason, since no failure event of its own will come."""
        for key, events in list(active.items()):
            try:
                event = next(events)
                if event is None:
                    continue
                if self._observe is not None:
                    self._observe(event)
                yield event
                active_execution.handle_event(event)
                if event.is_step_success or event.is_step_failure:
                    self._ended.add(key)
            except ChildProcessCrashException as crash:
                message = get_run_crash_explanation(
                    prefix=f"the worker process of step {key}", exit_code=crash.exit_code
                )
                yield self._failure(job_context, active_execution, key, WorkerProcessDied(message))
                del active[key]
                active_execution.verify_complete(job_context, key)
            except StopIteration:
                pid = processes[key].pid if key in processes else None
                if pid in errors and key not in self._ended:
                    yield self._failure(job_context, active_execution, key, errors.pop(pid))
                del active[key]
                active_execution.verify_complete(job_context, key)

    def _failure(self, job_context, active_execution, key, error) -> DagsterEvent:
        """The failure event of a step that ended in a worker without one (`error`: an exception
        or a worker's SerializableErrorInfo), applied to the plan."""
        if isinstance(error, BaseException):
            try:  # Dagster's error record is made from the exception being handled
                raise error
            except BaseException:
                error = serializable_error_info_from_exc_info(sys.exc_info())
        step_context = job_context.for_step(active_execution.get_step_by_key(key))
        failure = self.log_failure_or_retry_event_after_error(
            step_context, error, active_execution.get_known_state()
        )
        active_execution.handle_event(failure)  # logged here: the run's loggers see it
        return failure


class WorkerProcessDied(Exception):
    """A worker process ended before its step reported success or failure."""


class _WorkerStepCommand(MultiprocessExecutorChildProcessCommand):
    """One step in a worker process, as Dagster's multiprocess executor runs it, except that the
    worker's start is recorded without Dagster's default console logger (the command line's
    progress says which step runs where)."""

    def execute(self) -> Iterator[DagsterEvent]:
        with DagsterInstance.from_ref(self.instance_ref) as instance:
            done = threading.Event()
            start_termination_thread(self.term_event, done)
            try:
                log = DagsterLogManager.create(
                    loggers=[], instance=instance, dagster_run=self.dagster_run
                )
                yield DagsterEvent.step_worker_started(
                    log,
                    self.dagster_run.job_name,
                    message=f'Executing step "{self.step_key}" in a worker process.',
                    metadata={"pid": dg.MetadataValue.text(str(os.getpid()))},
                    step_key=self.step_key,
                )
                plan = create_execution_plan(
                    job=self.recon_pipeline,
                    run_config=self.run_config,
                    step_keys_to_execute=[self.step_key],
                    known_state=self.known_state,
                    repository_load_data=self.repository_load_data,
                )
                yield from execute_plan_iterator(
                    plan,
                    self.recon_pipeline,
                    self.dagster_run,
                    run_config=self.run_config,
                    retry_mode=self.retry_mode.for_inner_plan(),
                    instance=instance,
                )
            finally:
                done.set()
                self.term_event.set()


def _step_in_worker(
    context, recon_job, step_context, errors, processes, term_event, known_state, load_data
) -> Iterator[DagsterEvent | None]:
    """Start a step in a worker process; its events as they come (None: nothing yet)."""
    step = step_context.step
    command = _WorkerStepCommand(
        run_config=step_context.run_config,
        dagster_run=step_context.dagster_run,
        step_key=step.key,
        instance_ref=step_context.instance.get_ref(),
        term_event=term_event,
        recon_pipeline=recon_job,
        retry_mode=RetryMode.DISABLED,
        known_state=known_state,
        repository_load_data=load_data,
    )
    yield DagsterEvent.step_worker_starting(
        step_context, f'Launching a worker process for "{step.key}".', metadata={}
    )
    for item in execute_child_process_command(context, command):
        if item is None or isinstance(item, DagsterEvent):
            yield item
        elif isinstance(item, ChildProcessSystemErrorEvent):
            errors[item.pid] = item.error_info
        elif isinstance(item, BaseProcess):
            processes[step.key] = item


def _take(steps: list, heavy_allowed: bool):
    """The first of `steps` that may start now (a heavy one only if `heavy_allowed`), taken off
    the list; None if none may."""
    for i, step in enumerate(steps):
        if heavy_allowed or not is_heavy(step):
            return steps.pop(i)
    return None


class _LocalLane:
    """One step at a time in a thread of this process; its events are collected in a queue."""

    def __init__(self):
        self._queue: queue.Queue = queue.Queue()
        self._key: str | None = None
        self.finished: str | None = None  # the step that has just ended, once its events are out
        self.heavy = False  # the running step takes a worker's place

    @property
    def busy(self) -> bool:
        return self._key is not None

    def start(self, step_context, heavy: bool = False) -> None:
        self._key = step_context.step.key
        self.heavy = heavy
        threading.Thread(target=self._run, args=(step_context,), daemon=True).start()

    def _run(self, step_context) -> None:
        try:
            for event in dagster_event_sequence_for_step(step_context):
                self._queue.put(event)
        except BaseException as exc:  # a framework error: raised in the executor's thread
            self._queue.put(exc)
        finally:
            self._queue.put(_DONE)

    def events(self, wait: bool) -> Iterator[DagsterEvent]:
        """The events collected so far (waiting a moment for one if `wait` and a step runs)."""
        timeout = 0.05 if wait and self.busy else None
        while self.busy:
            try:
                item = self._queue.get(timeout=timeout) if timeout else self._queue.get_nowait()
            except queue.Empty:
                return
            timeout = None
            if item is _DONE:
                self.finished, self._key, self.heavy = self._key, None, False
                return
            if isinstance(item, BaseException):
                raise item
            yield item


_DONE = object()


def worker_steps_executor(
    recon_job: ReconstructableJob | None = None,
    workers: int = 0,
    observe: Callable[[DagsterEvent], None] | None = None,
) -> dg.ExecutorDefinition:
    """The executor running the tagged steps in up to `workers` processes that rebuild the job
    from `recon_job` (None or 0 workers: every step in process). `observe` sees the events of
    the steps in workers (those of the steps in process reach the job's loggers)."""

    @dg.executor(name="worker_steps")
    def worker_steps(_init_context) -> WorkerStepsExecutor:
        """Steps tagged `arbeidstrening/worker` in worker processes, the others in process."""
        return WorkerStepsExecutor(recon_job if workers else None, workers, observe)

    return worker_steps


__all__ = [
    "HEAVY_CONCURRENCY_LIMIT",
    "HEAVY_TAG",
    "WORKER_TAG",
    "WorkerStepsExecutor",
    "is_heavy",
    "runs_in_worker",
    "worker_steps_executor",
]
