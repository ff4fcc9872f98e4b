"""Runs started from Dagster (UI, dg launch): the executor's lifecycle for a selection and for all.

A selection is rebuilt in a copy of the published warehouse, checked, and published after its last
step; a failed step or check publishes nothing; no working-copy file is ever left behind; a run
that cannot start fails once, before any step, and creates nothing.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from analysis.warehouse import WarehouseFiles
from pipelines.instance import prepare_instance_home
from pipelines.runner import run_pipeline
from tests.dagster_job import reconstructable_asset_job
from tests.input_builders import BASE_WINDOW, base_register, write_register

REPO = Path(__file__).resolve().parent.parent
TRANSITIONS = dg.AssetKey(["marts", "transitions"])
PUBLISHED = dg.AssetKey(["published_warehouse"])


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A descriptive warehouse published by the command line's runner (no report)."""
    root = tmp_path_factory.mktemp("partial")
    source = write_register(root / "in", base_register(), fmt="csv", window=BASE_WINDOW)
    outcome = run_pipeline(source, root / "wh.duckdb", echo=lambda _: None, with_effects=False)
    assert outcome.success, outcome.errors
    return source, root / "wh.duckdb"


@pytest.fixture
def site(published, tmp_path, monkeypatch):
    """A copy of the published warehouse, and the environment the definitions read."""
    source, warehouse = published
    shutil.copyfile(warehouse, tmp_path / "wh.duckdb")
    monkeypatch.setenv("ARBEIDSTRENING_INPUT", str(source))
    monkeypatch.setenv("ARBEIDSTRENING_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    monkeypatch.setenv("ARBEIDSTRENING_REPORT_DIR", str(tmp_path / "report"))
    instance = dg.DagsterInstance.from_config(str(prepare_instance_home(_home(tmp_path))))
    return tmp_path / "wh.duckdb", instance


def _home(tmp_path: Path) -> Path:
    home = tmp_path.parent / f"{tmp_path.name}-dagster"
    home.mkdir(exist_ok=True)
    return home


def _launch(instance, *keys: dg.AssetKey) -> dg.ExecutionResult:
    return dg.execute_job(
        reconstructable_asset_job(),
        instance=instance,
        asset_selection=list(keys),
        raise_on_error=False,
    )


def _run_failures(instance, result) -> list[str]:
    """The messages of the run's RUN_FAILURE events, as the UI shows them."""
    return [
        str(record.dagster_event.event_specific_data.error)
        for record in instance.all_logs(result.run_id)
        if record.dagster_event
        and record.dagster_event.event_type == dg.DagsterEventType.RUN_FAILURE
    ]


def _tables(path: Path) -> dict[str, str]:
    """A digest of every table's rows, by name."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [
            f"{s}.{t}"
            for s, t in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL"
            ).fetchall()
        ]
        return {
            name: hashlib.sha256(
                repr(con.execute(f"FROM {name} ORDER BY ALL").fetchall()).encode()
            ).hexdigest()
            for name in names
            if name != "meta.run_info"
        }
    finally:
        con.close()


def _leftovers(warehouse: Path) -> list[str]:
    return sorted(p.name for p in warehouse.parent.iterdir() if p.name != warehouse.name)


def test_one_asset_is_rebuilt_in_a_copy_checked_and_published(site):
    warehouse, instance = site
    before_tables, before_inode = _tables(warehouse), warehouse.stat().st_ino
    result = _launch(instance, TRANSITIONS)
    assert result.success
    assert warehouse.stat().st_ino != before_inode  # a new file was renamed into place
    assert _tables(warehouse) == before_tables  # rebuilt from the same panel: the same rows
    assert _leftovers(warehouse) == []  # no .building, .publishing(.json), .lock
    materialized = {
        e.asset_key for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"
    }
    assert materialized == {TRANSITIONS}
    checks = [e for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert [(c.event_specific_data.check_name, c.event_specific_data.passed) for c in checks] == [
        ("counts_and_shares_valid", True)
    ]
    record = instance.fetch_materializations(PUBLISHED, limit=1).records[0]
    meta = record.asset_materialization.metadata
    assert meta["run_id"].value == result.run_id and meta["rebuilt"].value == ["marts/transitions"]
    assert meta["path"].value == str(warehouse)


def test_a_failing_check_publishes_nothing_and_leaves_nothing(site, monkeypatch):
    warehouse, instance = site
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    monkeypatch.setattr(
        "pipelines.assets.marts.invalid_counts", lambda *_a, **_k: {"marts.transitions.n": "bad"}
    )
    result = _launch(instance, TRANSITIONS)
    assert not result.success
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before
    assert _leftovers(warehouse) == []
    assert instance.fetch_materializations(PUBLISHED, limit=1).records == []


def test_a_selection_needs_a_published_warehouse(site, tmp_path):
    warehouse, instance = site
    warehouse.unlink()
    result = _launch(instance, TRANSITIONS)
    assert not result.success
    assert [e for e in result.all_events if e.event_type_value == "STEP_START"] == []
    (failure,) = _run_failures(instance, result)
    assert f"no published warehouse at {warehouse} to rebuild from" in failure
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_missing_input_is_one_error_before_any_step(site, tmp_path, monkeypatch):
    """It was printed once per raw asset; the run now fails before its first step, once."""
    warehouse, instance = site
    missing = tmp_path / "no" / "such"
    monkeypatch.setenv("ARBEIDSTRENING_INPUT", str(missing))
    result = dg.execute_job(reconstructable_asset_job(), instance=instance, raise_on_error=False)
    assert not result.success
    assert [e for e in result.all_events if e.event_type_value == "STEP_START"] == []
    (failure,) = _run_failures(instance, result)
    assert f"input directory {missing} does not exist" in failure
    errors = [r for r in instance.all_logs(result.run_id) if r.level >= 40]  # logging.ERROR
    assert len(errors) == 1
    assert not missing.exists() and _leftovers(warehouse) == []


def test_a_run_while_another_holds_the_warehouse_fails_at_once(site):
    warehouse, instance = site
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from analysis.warehouse import WarehouseFiles, WarehouseLock\n"
            "WarehouseLock(WarehouseFiles.at(sys.argv[1])).acquire()\n"
            "print('held', flush=True)\n"
            "time.sleep(60)\n",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        before = warehouse.stat().st_ino
        result = _launch(instance, TRANSITIONS)
    finally:
        holder.kill()
        holder.wait()
    assert not result.success and warehouse.stat().st_ino == before
    (failure,) = _run_failures(instance, result)
    assert f"another run holds the warehouse {warehouse} (pid {holder.pid}" in failure
    assert _leftovers(warehouse) == [WarehouseFiles.at(warehouse).lock.name]  # the dead holder's
