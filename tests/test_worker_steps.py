"""The executor of `arbeidstrening run --workers N` (pipelines/worker_steps.py) on a toy job.

Tagged steps run in worker processes, the others in the test's process; a step that fails in a
worker fails with its own message, one whose worker dies is failed and named, what follows a
failed step is skipped, and the rest of the run goes on. The whole pipeline under this executor
is tested end to end in tests/test_cli_end_to_end.py.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
from dagster._core.definitions.job_base import InMemoryJob
from dagster._core.definitions.reconstruct import build_reconstructable_job
from dagster._core.execution.execute_in_process import core_execute_in_process

from pipelines.worker_steps import HEAVY_TAG, WORKER_TAG, worker_steps_executor

IN_WORKER = {WORKER_TAG: "true"}
HEAVY = {HEAVY_TAG: "true"}


@dg.op
def here() -> None:
    """In the run's own process."""


@dg.op(ins={"start": dg.In(dg.Nothing)}, tags=IN_WORKER)
def fine_part() -> None:
    """Works in a worker."""


@dg.op(ins={"start": dg.In(dg.Nothing)}, tags=IN_WORKER)
def failing_part() -> None:
    raise ValueError("part broke")


@dg.op(ins={"start": dg.In(dg.Nothing)}, tags=IN_WORKER)
def crashing_part() -> None:
    os._exit(3)  # the worker process dies without a word


@dg.op(ins={"start": dg.In(dg.Nothing)})
def after_fine() -> None:
    """Back in the run's process, after a worker's step."""


@dg.op(ins={"start": dg.In(dg.Nothing)})
def after_failing() -> None:
    """Never runs: its upstream failed."""


@dg.job
def toy():
    start = here()
    after_fine(fine_part(start))
    after_failing(failing_part(start))
    crashing_part(start)


def toy_job() -> dg.JobDefinition:
    """The job as a worker rebuilds it (no workers of its own there)."""
    return toy.with_executor_def(worker_steps_executor())


@dg.op(ins={"start": dg.In(dg.Nothing)}, tags=HEAVY)
def heavy_here() -> None:
    """In process, as long as a part: takes a worker's place."""
    time.sleep(4)


def _slow_part(name: str) -> dg.OpDefinition:
    @dg.op(name=name, ins={"start": dg.In(dg.Nothing)}, tags=IN_WORKER)
    def part() -> None:
        time.sleep(4)

    return part


SLOW_PARTS = [_slow_part(f"slow_part_{i}") for i in range(3)]


@dg.op(ins={"start": dg.In(dg.Nothing)}, tags={**IN_WORKER, **HEAVY, "dagster/priority": "3"})
def heavy_part() -> None:
    """In a worker, heavy, first in line: waits while the heavy step here runs."""
    time.sleep(4)


@dg.job
def heavy():
    start = here()
    heavy_here(start)
    heavy_part(start)
    for part in SLOW_PARTS:
        part(start)


def heavy_job() -> dg.JobDefinition:
    return heavy.with_executor_def(worker_steps_executor())


def _run(tmp_path, job_fn, job: dg.JobDefinition, workers: int, observe=None):
    """Run `job` under the executor with `workers` (the worker imports this module from the
    checkout: Dagster drops sys.path[0] there); the result and the instance's step events."""
    root = str(Path(__file__).resolve().parents[1])
    recon = build_reconstructable_job(
        __name__, job_fn.__name__, reconstructor_working_directory=root
    )
    executor = worker_steps_executor(recon, workers, observe)
    with dg.DagsterInstance.local_temp(str(tmp_path)) as instance:
        result = core_execute_in_process(
            run_config={},
            job=InMemoryJob(job.with_executor_def(executor)),
            instance=instance,
            output_capturing_enabled=False,
            raise_on_error=False,
        )
        records = [
            r
            for r in instance.all_logs(result.run_id)
            if r.dagster_event and r.dagster_event.step_key
        ]
    return result, records


def _events(result, kind: str) -> dict[str, dg.DagsterEvent]:
    return {e.step_key: e for e in result.all_events if e.event_type_value == kind}


def test_tagged_steps_run_in_workers_and_their_failures_are_reported(tmp_path):
    seen: list[dg.DagsterEvent] = []
    result, records = _run(tmp_path, toy_job, toy, 2, seen.append)
    starts = {
        r.dagster_event.step_key: int(r.dagster_event.pid)
        for r in records
        if r.dagster_event.event_type_value == "STEP_START"
    }
    assert not result.success
    assert set(_events(result, "STEP_SUCCESS")) == {"here", "fine_part", "after_fine"}
    failures = _events(result, "STEP_FAILURE")
    assert set(failures) == {"failing_part", "crashing_part"}
    assert "part broke" in failures["failing_part"].event_specific_data.error.to_string()
    crash = failures["crashing_part"].event_specific_data.error.message
    assert "the worker process of step crashing_part" in crash and "code 3" in crash
    assert "after_failing" not in _events(result, "STEP_START")  # its upstream failed
    # where the steps ran: the untagged ones here, each tagged one in a process of its own
    assert starts["here"] == starts["after_fine"] == os.getpid()
    assert len({starts["fine_part"], starts["failing_part"], os.getpid()}) == 3
    # the workers' events reached the observer (the run's progress output), the others did not
    observed = {(e.event_type_value, e.step_key) for e in seen}
    assert ("STEP_SUCCESS", "fine_part") in observed
    assert ("STEP_FAILURE", "failing_part") in observed
    # the crash's failure is logged in this process, so the run's loggers see it, not observe
    assert ("STEP_FAILURE", "crashing_part") not in observed
    assert not any(key in ("here", "after_fine") for _, key in observed)


def test_default_workers_follow_the_registers_size(tmp_path, monkeypatch):
    """`--workers` by default: none below `WORKER_MIN_PERSONS` persons, one per thread from it;
    the persons are counted in Parquet and in CSV alike, and an unreadable input gives none
    (the run then reports what is wrong with it)."""
    import duckdb

    from analysis import synthetic
    from analysis.contract import PERSONS
    from analysis.ingest import count_rows
    from pipelines import runner

    register = tmp_path / "in"
    synthetic.generate_register(register, scale=0.002, seed=3, preset="hard")
    n = count_rows(register, PERSONS)
    as_csv = tmp_path / "csv"
    as_csv.mkdir()
    duckdb.sql(
        f"COPY (FROM '{register / 'persons.parquet'}') TO '{as_csv / 'persons.csv'}' (HEADER)"
    )
    assert n > 0 and count_rows(as_csv, PERSONS) == n
    assert runner.default_workers(register, 3) == 0  # far below 50,000 persons
    monkeypatch.setattr(runner, "WORKER_MIN_PERSONS", n)
    assert runner.default_workers(register, 3) == 3
    assert runner.default_workers(as_csv, 2) == 2
    monkeypatch.setattr(runner, "WORKER_MIN_PERSONS", n + 1)
    assert runner.default_workers(register, 3) == 0
    assert runner.default_workers(tmp_path / "missing", 3) == 0


def test_a_heavy_step_in_process_takes_a_workers_place_and_heavy_steps_run_one_at_a_time(
    tmp_path,
):
    """With 2 workers, a heavy step here, a heavy part first in line and three parts: the heavy
    step here starts first, never more than 2 steps run at once, the two heavy ones never
    together, and the parts behind the waiting heavy part do not wait for it. Without the rules
    3 steps would run at once, the two heavy ones among them."""
    result, records = _run(tmp_path, heavy_job, heavy, 2)
    assert result.success
    spans: dict[str, list[float]] = {}
    for r in records:
        kind = r.dagster_event.event_type_value
        if kind in ("STEP_START", "STEP_SUCCESS"):
            spans.setdefault(r.dagster_event.step_key, []).append(r.timestamp)
    spans.pop("here")
    slow = [p.name for p in SLOW_PARTS]
    assert set(spans) == {"heavy_here", "heavy_part", *slow}
    at_once = max(sum(s0 <= t < s1 for s0, s1 in spans.values()) for t, _ in spans.values())
    assert at_once == 2
    (h0, h1), (p0, p1) = spans["heavy_here"], spans["heavy_part"]
    assert h1 <= p0 or p1 <= h0  # the heavy steps one at a time
    first_slow = min(spans[name][0] for name in slow)
    assert h0 < first_slow + 2  # the heavy step here started with the first part
    assert first_slow < p0  # a part behind the waiting heavy part went first
