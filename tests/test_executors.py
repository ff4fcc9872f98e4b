"""The effects parts under Dagster's multiprocess executor and on a Dask cluster (issue 15).

On a small synthetic register the effects layer (effects/inputs, the parts, marts/effects) is
materialized three times in a copy of the same published warehouse: in process, with the
multiprocess executor (two processes), and on a `distributed` cluster this test starts on
localhost (a scheduler and two worker processes, stopped at the end). Every table of the three
published warehouses is the same row for row, to the last bit, and each run left nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import pytest

from analysis import synthetic
from analysis.effects.parts import PARTS
from pipelines.instance import prepare_instance_home
from pipelines.runner import run_pipeline
from tests.dagster_job import reconstructable_asset_job
from tests.test_partial_runs import _leftovers, _tables

pytest.importorskip("dagster_dask")

EFFECTS = dg.AssetKey(["marts", "effects"])
SELECTION = [
    dg.AssetKey(["effects", "inputs"]),
    *(dg.AssetKey(["effects", "parts", p]) for p in PARTS),
    EFFECTS,
]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A descriptive warehouse (panel, marts; no effects) of a small hard-world register."""
    root = tmp_path_factory.mktemp("executors")
    source = root / "in"
    synthetic.generate_register(source, scale=0.004, seed=5, preset="hard")
    outcome = run_pipeline(source, root / "wh.duckdb", echo=lambda _: None, with_effects=False)
    assert outcome.success, outcome.errors
    return source, root / "wh.duckdb"


def _site(published, tmp_path: Path, name: str, monkeypatch) -> tuple[Path, dg.DagsterInstance]:
    source, warehouse = published
    site = tmp_path / name
    site.mkdir()
    shutil.copyfile(warehouse, site / "wh.duckdb")
    monkeypatch.setenv("ARBEIDSTRENING_INPUT", str(source))
    monkeypatch.setenv("ARBEIDSTRENING_WAREHOUSE", str(site / "wh.duckdb"))
    monkeypatch.setenv("ARBEIDSTRENING_REPORT_DIR", str(site / "report"))
    home = tmp_path / f"{name}-dagster"
    home.mkdir()
    return site / "wh.duckdb", dg.DagsterInstance.from_config(str(prepare_instance_home(home)))


def _materialize(instance, execution: dict) -> dg.ExecutionResult:
    return dg.execute_job(
        reconstructable_asset_job(),
        instance=instance,
        asset_selection=SELECTION,
        run_config={"execution": {"config": execution}},
        raise_on_error=False,
    )


def _step_pids(instance, run_id: str) -> set[int]:
    """The processes the parts' steps ran in (from their STEP_START events)."""
    pids = set()
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event and event.event_type_value == "STEP_START" and "parts" in (event.step_key or ""):
            pids.add(int(event.pid))
    return pids


@contextmanager
def dask_cluster(tmp_path: Path) -> Iterator[str]:
    """A Dask scheduler and two single-threaded worker processes on localhost (with this
    process's environment, as a user starts them), stopped on exit; yields its address."""
    env = os.environ.copy()
    scheduler_file = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    procs = [
        subprocess.Popen(
            [
                *dask,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(scheduler_file),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert scheduler_file.exists(), "the dask scheduler did not start"
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        *dask,
                        "worker",
                        "--scheduler-file",
                        str(scheduler_file),
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--local-directory",
                        str(tmp_path / "dask-worker"),
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        from distributed import Client

        with Client(scheduler_file=str(scheduler_file), timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
            address = client.scheduler.address
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.mark.slow
def test_effects_parts_identical_in_process_multiprocess_and_on_a_dask_cluster(
    published, tmp_path, monkeypatch
):
    digests = {}
    pids = {}
    for name, execution in {
        "in_process": {"in_process": {}},
        "multiprocess": {"multiprocess": {"max_concurrent": 2}},
        "dask": {"dask": {"cluster": {"existing": {"address": None}}}},
    }.items():
        warehouse, instance = _site(published, tmp_path, name, monkeypatch)
        with contextlib.ExitStack() as stack:
            if name == "dask":  # workers started with the run's settings, as README says
                address = stack.enter_context(dask_cluster(tmp_path))
                execution["dask"]["cluster"]["existing"]["address"] = address
            result = _materialize(instance, execution)
        assert result.success, name
        pids[name] = _step_pids(instance, result.run_id)
        digests[name] = _tables(warehouse)
        assert _leftovers(warehouse) == [], name  # parts directory, writer lock: all removed
    assert "marts.effects" in digests["in_process"]
    assert "marts.effects_design_gate" in digests["in_process"]
    assert digests["multiprocess"] == digests["in_process"]
    assert digests["dask"] == digests["in_process"]
    # the steps really ran elsewhere: one process in process, several otherwise
    assert pids["in_process"] == {os.getpid()}
    assert len(pids["multiprocess"]) > 1 and os.getpid() not in pids["multiprocess"]
    assert len(pids["dask"]) == 2 and os.getpid() not in pids["dask"]


def test_steps_in_other_processes_join_their_runs_lock_and_only_theirs(tmp_path):
    """`held_by_run`: true while the named run holds the lock (from any process), false for
    another run, after release, and for a lock file left by a dead holder."""
    from analysis.warehouse import WarehouseFiles
    from analysis.warehouse.lock import WarehouseLock

    files = WarehouseFiles.at(tmp_path / "wh.duckdb")
    probe = WarehouseLock(files)
    assert not probe.held_by_run("run-a")
    lock = WarehouseLock(files, run_id="run-a").acquire()
    try:
        assert probe.held_by_run("run-a")
        assert not probe.held_by_run("run-b")
        assert not probe.held_by_run(None)
        code = (
            "import sys; from analysis.warehouse import WarehouseFiles; "
            "from analysis.warehouse.lock import WarehouseLock; "
            f"sys.exit(0 if WarehouseLock(WarehouseFiles.at({str(files.published)!r}))"
            ".held_by_run('run-a') else 1)"
        )
        assert subprocess.run([sys.executable, "-c", code]).returncode == 0
        files.lock.with_name("copy").write_bytes(files.lock.read_bytes())
    finally:
        lock.release()
    assert not probe.held_by_run("run-a")
    # the record of a run that died (nobody holds the file lock) is no run's lock
    files.lock.with_name("copy").rename(files.lock)
    assert not probe.held_by_run("run-a")


def test_a_worker_that_sees_another_warehouse_refuses_to_work(tmp_path):
    """A step of a multiprocess or Dask run whose process is configured with a warehouse its
    run does not hold (a worker started with other ARBEIDSTRENING_* settings) fails with a
    message saying so, instead of building a working copy of its own."""
    from types import SimpleNamespace

    from analysis.warehouse import WarehouseError
    from pipelines.resources import WarehouseResource

    resource = WarehouseResource(publish_to=str(tmp_path / "other.duckdb"))
    run = SimpleNamespace(
        run_config={"execution": {"config": {"multiprocess": {}}}}, run_id="run-a"
    )
    context = SimpleNamespace(run=run)
    with pytest.raises(WarehouseError, match="same ARBEIDSTRENING_"):
        resource.setup_for_execution(context)
    assert not (tmp_path / "other.duckdb.lock").exists()
    # in process (or without a run config) the resource takes the lock itself, as before
    run.run_config = {}
    resource.setup_for_execution(context)
    try:
        assert (tmp_path / "other.duckdb.lock").exists()
    finally:
        resource.teardown_after_execution(context)


def test_heavy_steps_run_one_at_a_time_under_the_multiprocess_executor_too():
    """The outcome effects and the overall headline part carry the heavy tag, and the
    multiprocess executor of runs started from Dagster gets the one-at-a-time limit for it
    (as `arbeidstrening run`'s executor applies it) unless its config sets limits itself."""
    from types import SimpleNamespace

    from pipelines.assets.effects_outcomes import EFFECTS_EXIT_KEY
    from pipelines.assets.effects_parts import PART_KEYS
    from pipelines.definitions import defs
    from pipelines.executor import multiprocess_config
    from pipelines.worker_steps import HEAVY_CONCURRENCY_LIMIT, HEAVY_TAG

    graph = defs.resolve_asset_graph()
    heavy = {
        key
        for key in graph.get_all_asset_keys()
        if (graph.get(key).assets_def.op.tags or {}).get(HEAVY_TAG) == "true"
    }
    assert EFFECTS_EXIT_KEY in heavy and PART_KEYS["headline_all"] in heavy
    assert PART_KEYS["ipw"] not in heavy and PART_KEYS["headline_age"] not in heavy
    config = multiprocess_config({"max_concurrent": 2, "retries": {"enabled": {}}})
    executor = dg.multiprocess_executor.executor_creation_fn(
        SimpleNamespace(executor_config=config)
    )
    assert executor._tag_concurrency_limits == [HEAVY_CONCURRENCY_LIMIT]
    own = [{"key": "x", "value": "y", "limit": 2}]
    assert multiprocess_config({"tag_concurrency_limits": own})["tag_concurrency_limits"] == own
