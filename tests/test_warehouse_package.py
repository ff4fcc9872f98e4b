"""analysis.warehouse: file names, lock, working copy and publication, paths, error messages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from analysis.ingest import InputContractError, read_extract_spec
from analysis.warehouse import (
    ReportStaging,
    RunPathError,
    WarehouseBusyError,
    WarehouseFiles,
    WarehouseLock,
    WorkingCopy,
    check_run_paths,
    connect_read_only,
    describe_duckdb_error,
)
from analysis.warehouse.errors import QueryError, mask_values
from analysis.warehouse.publish import replace_directory

REPO = Path(__file__).resolve().parent.parent


def test_file_names_live_in_one_place(tmp_path):
    files = WarehouseFiles.at(tmp_path / "wh.duckdb")
    names = {p.name for p in files.sidecars()}
    assert names == {
        "wh.duckdb.building",
        "wh.duckdb.building.wal",
        "wh.duckdb.building.tmp",
        "wh.duckdb.building.writer",
        "wh.duckdb.building.parts",
        "wh.duckdb.publishing",
        "wh.duckdb.publishing.json",
        "wh.duckdb.lock",
        "wh.duckdb.wal",
    }
    staging = files.report_staging(tmp_path / "reports" / "output")
    assert staging.parent == tmp_path / "reports" and staging.name.startswith(".output.staging-")
    other = WarehouseFiles.at(tmp_path / "other.duckdb").report_staging(
        tmp_path / "reports" / "output"
    )
    assert other != staging  # runs on different warehouses never share a staging directory


HOLD = """
import sys, time
from analysis.warehouse import WarehouseFiles, WarehouseLock
WarehouseLock(WarehouseFiles.at(sys.argv[1])).acquire()
print("held", flush=True)
time.sleep(60)
"""


def _hold_in_other_process(warehouse: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(warehouse)], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_lock_is_exclusive_across_processes_and_reentrant_within_one(tmp_path):
    wh = tmp_path / "wh.duckdb"
    holder = _hold_in_other_process(wh)
    try:
        with pytest.raises(WarehouseBusyError) as err:
            WarehouseLock(WarehouseFiles.at(wh)).acquire()
        assert str(err.value).startswith(
            f"another run holds the warehouse {wh} (pid {holder.pid}, started "
        )
    finally:
        holder.kill()
        holder.wait()
    # the holder died: its lock file is left behind, and is taken over
    assert WarehouseFiles.at(wh).lock.exists()
    lock = WarehouseLock(WarehouseFiles.at(wh)).acquire()
    assert lock.took_over and lock.took_over["pid"] == holder.pid
    again = WarehouseLock(WarehouseFiles.at(wh)).acquire()  # re-entrant in this process
    again.release()
    assert WarehouseFiles.at(wh).lock.exists()
    lock.release()
    assert not WarehouseFiles.at(wh).lock.exists()


def test_dagster_runs_take_the_lock_too(tmp_path):
    """A run started from the Dagster UI (no command line around it) respects the lock."""
    from pipelines.definitions import build_definitions

    wh = tmp_path / "wh.duckdb"
    holder = _hold_in_other_process(wh)
    try:
        defs = build_definitions(str(tmp_path / "in"), str(wh), with_effects=False)
        result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
            raise_on_error=False
        )
    finally:
        holder.kill()
        holder.wait()
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "RESOURCE_INIT_FAILURE")
    assert "another run holds the warehouse" in failure.event_specific_data.error.message
    materialized = [e for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"]
    assert materialized == [] and not wh.exists()


def test_publication_renames_and_swaps_the_report(tmp_path):
    files = WarehouseFiles.at(tmp_path / "wh.duckdb")
    con = duckdb.connect(str(files.published))
    con.execute("CREATE TABLE t AS SELECT 'old' AS v")
    con.close()
    old_report = tmp_path / "report"
    old_report.mkdir()
    (old_report / "rapport.html").write_text("old", encoding="utf-8")
    working = WorkingCopy(files)
    working.start_from_published()
    con = duckdb.connect(str(working.path))
    con.execute("UPDATE t SET v = 'new'")
    con.close()
    report = ReportStaging.for_warehouse(files, old_report)
    out = report.start()
    (out / "rapport.html").write_text("new", encoding="utf-8")
    assert working.publish(report) == files.published
    with connect_read_only(files.published) as con:
        assert con.execute("SELECT v FROM t").fetchone()[0] == "new"
    assert (old_report / "rapport.html").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report", "wh.duckdb"]


def test_directory_swap_without_rename_exchange(tmp_path, monkeypatch):
    """Where renameat2 is missing, the swap still never leaves a mixed directory."""
    monkeypatch.setattr("analysis.warehouse.publish._rename_exchange", lambda a, b: False)
    target, staging = tmp_path / "out", tmp_path / ".out.staging"
    target.mkdir()
    (target / "a").write_text("old", encoding="utf-8")
    staging.mkdir()
    (staging / "b").write_text("new", encoding="utf-8")
    replace_directory(staging, target)
    assert [p.name for p in target.iterdir()] == ["b"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_run_paths(tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    (source / "persons.csv").write_text("x", encoding="utf-8")
    with pytest.raises(RunPathError, match="does not exist"):
        check_run_paths(tmp_path / "missing", tmp_path / "wh.duckdb")
    with pytest.raises(RunPathError, match="inside the input directory"):
        check_run_paths(source, source / "persons.csv")
    link = tmp_path / "link.duckdb"
    link.symlink_to(source / "persons.csv")
    with pytest.raises(RunPathError, match="inside the input directory"):
        check_run_paths(source, link)
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(RunPathError, match="not a DuckDB warehouse"):
        check_run_paths(source, tmp_path / "notes.txt")
    with pytest.raises(RunPathError, match="inside the input directory"):
        check_run_paths(source, tmp_path / "wh.duckdb", source / "report")
    with pytest.raises(RunPathError, match="holds the input directory"):
        check_run_paths(source, tmp_path / "out" / "wh.duckdb", tmp_path)
    paths = check_run_paths(source, tmp_path / "wh.duckdb", tmp_path / "report")
    assert paths.report.target == tmp_path / "report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "link.duckdb", "notes.txt"]


def test_duckdb_errors_lose_their_data_but_keep_their_hints():
    con = duckdb.connect()
    con.execute("CREATE TABLE persons AS SELECT 'P-0012345' AS person_id")
    with pytest.raises(duckdb.Error) as err:
        con.execute("SELECT CAST(person_id AS INTEGER) FROM persons").fetchall()
    message = describe_duckdb_error(err.value)
    assert "Could not convert" in message and "0012345" not in message
    with pytest.raises(duckdb.Error) as err:
        con.execute("SELECT 9223372036854775807::BIGINT + 7777").fetchall()
    message = describe_duckdb_error(err.value)
    assert "Overflow" in message and "7777" not in message and "922337" not in message
    with pytest.raises(duckdb.Error) as err:
        con.execute("SELECT * FROM person").fetchall()
    assert 'Did you mean "persons"' in describe_duckdb_error(err.value)
    assert mask_values("line: 12345 of 'x'") == "line: 12345 of '…'"


def test_sanitized_connection_raises_query_error_without_a_chain(tmp_path):
    from analysis.warehouse import connect_working

    with pytest.raises(QueryError) as err, connect_working(tmp_path / "w.duckdb") as con:
        con.execute("SELECT CAST('P-99999' AS INTEGER)")
    assert "99999" not in str(err.value)
    assert err.value.__cause__ is None and err.value.__suppress_context__


def _extract(tmp_path, spec) -> Path:
    (tmp_path / "extract.json").write_text(json.dumps(spec), encoding="utf-8")
    return tmp_path


def test_extract_json_synthetic_record(tmp_path):
    window = {"observation_start": "2016-01-01", "observation_end": "2024-12-31"}
    assert read_extract_spec(tmp_path).run_info() == {"synthetic": False}
    spec = read_extract_spec(
        _extract(
            tmp_path,
            window
            | {
                "synthetic": True,
                "generator": "arbeidstrening 0.1.0",
                "preset": "default",
                "scale": 0.1,
                "seed": 7,
                "comment": "x",
            },
        )
    )
    assert spec.run_info() == {
        "synthetic": True,
        "generator": "arbeidstrening 0.1.0",
        "preset": "default",
        "scale": 0.1,
        "seed": 7,
    }
    assert spec.unknown_keys == ("comment",)
    assert read_extract_spec(_extract(tmp_path, window)).synthetic is False
    with pytest.raises(InputContractError, match="without"):
        read_extract_spec(_extract(tmp_path, window | {"seed": 7}))
    with pytest.raises(InputContractError, match="seed has the wrong type"):
        read_extract_spec(_extract(tmp_path, window | {"synthetic": True, "seed": "7"}))


def test_window_from_data_ignores_stray_stretches():
    from analysis.ingest import window_from_data
    from analysis.warehouse import create_empty_staging

    con = duckdb.connect()
    create_empty_staging(con)
    months = [190001] + [y * 100 + m for y in (2019, 2020) for m in range(1, 13)] + [202206]
    con.executemany(
        "INSERT INTO staging.employment_months VALUES (?, ?, '900000001', 100, NULL, 'f', 1)",
        [[f"p{i}", ym] for i, ym in enumerate(months)],
    )
    start, end, _, notes = window_from_data(con)
    # 190001 is 119 years from the data, 202206 is 17 empty months after it: both left out
    assert (str(start), str(end)) == ("2019-01-01", "2020-12-31")
    assert "2 row(s) in 2 month(s) outside the window" in notes[0]
    con.execute(
        "INSERT INTO staging.employment_months VALUES ('q', 202105, '900000001', 1, NULL, 'f', 1)"
    )
    start, end, _, _ = window_from_data(con)
    # a row 4 empty months after the data joins it; the coverage gate then reports the gap
    assert str(end) == "2021-05-31"


def test_busy_message_names_pid_and_start(tmp_path):
    wh = tmp_path / "wh.duckdb"
    holder = _hold_in_other_process(wh)
    try:
        record = json.loads(WarehouseFiles.at(wh).lock.read_text())
        assert record["pid"] == holder.pid and record["started"]
        t0 = time.time()
        expected = re.escape(f"pid {holder.pid}, started {record['started']})")
        with pytest.raises(WarehouseBusyError, match=expected):
            WarehouseLock(WarehouseFiles.at(wh)).acquire()
        assert time.time() - t0 < 1
    finally:
        holder.kill()
        holder.wait()
    assert os.path.exists(WarehouseFiles.at(wh).lock)


def _published_with_report(tmp_path):
    """A published warehouse (t.v = 'old') with its report, and a finished working copy
    (t.v = 'new') with a staged report, as a run has them just before publication."""
    files = WarehouseFiles.at(tmp_path / "wh.duckdb")
    con = duckdb.connect(str(files.published))
    con.execute("CREATE TABLE t AS SELECT 'old' AS v")
    con.close()
    report = ReportStaging.for_warehouse(files, tmp_path / "report")
    (report.start() / "rapport.html").write_text("old", encoding="utf-8")
    report.commit()
    working = WorkingCopy(files)
    working.start_from_published()
    con = duckdb.connect(str(working.path))
    con.execute("UPDATE t SET v = 'new'")
    con.close()
    (report.start() / "rapport.html").write_text("new", encoding="utf-8")
    return files, report, working


def _value(files) -> str:
    with connect_read_only(files.published) as con:
        return con.execute("SELECT v FROM t").fetchone()[0]


@pytest.mark.parametrize("dies_at", ["report_swap", "warehouse_rename"])
def test_a_publication_cut_short_is_completed_by_the_next_run(tmp_path, monkeypatch, dies_at):
    """A run that dies after the commit point (the journal) and before the end of publication
    left the new report beside the old warehouse; the next run completes the publication."""
    from analysis.warehouse import WarehouseRun

    files, report, working = _published_with_report(tmp_path)
    real_replace = os.replace

    def dying_replace(src, dst):
        if dies_at == "warehouse_rename" and Path(src) == files.publishing:
            raise SystemExit("killed")
        real_replace(src, dst)

    def dying_commit(self):
        raise SystemExit("killed")

    monkeypatch.setattr("analysis.warehouse.publish.os.replace", dying_replace)
    if dies_at == "report_swap":
        monkeypatch.setattr(ReportStaging, "commit", dying_commit)
    with pytest.raises(SystemExit):
        working.publish(report)
    monkeypatch.undo()
    assert files.journal.exists() and files.publishing.exists() and _value(files) == "old"
    with WarehouseRun(files, report) as run:
        assert run.notes == [
            f"completed the publication of an interrupted run at {files.published}"
        ]
    assert _value(files) == "new"
    assert (tmp_path / "report" / "rapport.html").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report", "wh.duckdb"]


def test_a_publication_cut_short_before_its_journal_is_rolled_back(tmp_path, monkeypatch):
    from analysis.warehouse import WarehouseRun

    files, report, working = _published_with_report(tmp_path)
    monkeypatch.setattr(
        "analysis.warehouse.publish._write_journal",
        lambda *_a: (_ for _ in ()).throw(SystemExit("killed")),
    )
    with pytest.raises(SystemExit):
        working.publish(report)
    monkeypatch.undo()
    with WarehouseRun(files, report) as run:
        assert run.notes == []
        run.start(partial=False)
    assert _value(files) == "old"
    assert (tmp_path / "report" / "rapport.html").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report", "wh.duckdb"]


def test_report_beside_a_warehouse_elsewhere():
    from pipelines.defaults import DEFAULT_REPORT_DIR, default_report_dir

    assert default_report_dir(None) == Path(DEFAULT_REPORT_DIR)
    assert default_report_dir("data/warehouse.duckdb") == Path(DEFAULT_REPORT_DIR)
    assert default_report_dir("/secure/at/warehouse.duckdb") == Path("/secure/at/warehouse-report")
