"""The command-line tool end to end on a small synthetic register, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pytest

pytestmark = pytest.mark.slow

SCALE = "0.005"


def _cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True, timeout=600
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
    return result


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e")
    _cli("generate", "--out", str(base / "register"), "--scale", SCALE, "--seed", "11")
    run = _cli(
        "run",
        "--input",
        str(base / "register"),
        "--warehouse",
        str(base / "wh.duckdb"),
        "--report-dir",
        str(base / "report"),
    )
    return base, run


def test_generate_writes_the_contract_and_the_truth(run_dir):
    base, _ = run_dir
    names = {p.name for p in (base / "register").iterdir()}
    for table in (
        "persons",
        "nav_status_spells",
        "programme_spells",
        "at_agreements",
        "at_agreement_purposes",
        "benefit_spells",
        "education_spells",
    ):
        assert f"{table}.parquet" in names
    assert "employment_months" in names and "extract.json" in names and "truth.json" in names
    truth = json.loads((base / "register" / "truth.json").read_text())
    assert "employed" in truth["outcomes"]


def test_run_reports_progress_and_what_the_warehouse_holds(run_dir):
    base, run = run_dir
    assert "published_warehouse" in run.stderr
    assert "Warehouse:" in run.stdout and "panel.person_month" in run.stdout
    assert (base / "wh.duckdb").exists()
    assert (base / "report" / "rapport.pdf").exists() and (base / "report" / "report.html").exists()


def test_synthetic_register_is_consistent_nothing_rejected(run_dir):
    base, _ = run_dir
    con = duckdb.connect(str(base / "wh.duckdb"), read_only=True)
    rows = con.execute(
        "SELECT table_name, rows_in, rows_accepted, rows_rejected FROM meta.ingest_summary"
    ).fetchall()
    con.close()
    assert len(rows) == 8
    for name, rows_in, accepted, rejected in rows:
        assert rows_in > 0, name
        assert rejected == 0, f"{name}: {rejected} rejected"
        assert accepted == rows_in


def test_sql_and_info_commands(run_dir, tmp_path):
    base, _ = run_dir
    wh = str(base / "wh.duckdb")
    out = _cli("sql", "SELECT count(*) AS n FROM staging.persons", "--warehouse", wh)
    assert "n" in out.stdout
    target = tmp_path / "spells.parquet"
    _cli("sql", "FROM panel.at_spells", "--warehouse", wh, "--out", str(target))
    assert target.exists()
    assert "Observation window" in _cli("info", "--warehouse", wh).stdout
    bad = _cli("sql", "SELECT * FROM no_such_table", "--warehouse", wh, check=False)
    assert bad.returncode == 2 and "no_such_table" in bad.stderr


def test_run_on_broken_input_fails_cleanly(run_dir, tmp_path):
    base, _ = run_dir
    broken = tmp_path / "broken"
    broken.mkdir()
    for p in (base / "register").iterdir():
        if p.is_file() and p.name != "persons.parquet":
            (broken / p.name).symlink_to(p)
        elif p.is_dir():
            (broken / p.name).symlink_to(p, target_is_directory=True)
    (broken / "persons.parquet").write_bytes(b"PAR1 not really parquet")
    before = (base / "wh.duckdb").read_bytes()
    result = _cli(
        "run", "--input", str(broken), "--warehouse", str(base / "wh.duckdb"), check=False
    )
    assert result.returncode == 1
    assert "persons.parquet" in result.stderr and "cannot be read" in result.stderr
    assert "Traceback" not in result.stderr
    assert (base / "wh.duckdb").read_bytes() == before


# --- publish only what passed: failures late in the run leave warehouse and report as they were


def _tree(root):
    import hashlib

    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def previous(run_dir, tmp_path):
    """A copy of the published warehouse and report that a failing run must leave as they are."""
    import shutil

    base, _ = run_dir
    shutil.copyfile(base / "wh.duckdb", tmp_path / "wh.duckdb")
    shutil.copytree(base / "report", tmp_path / "report")
    return base / "register", tmp_path / "wh.duckdb", tmp_path / "report"


def _leftovers(folder):
    return sorted(
        p.name for p in folder.iterdir() if p.name not in ("wh.duckdb", "report", "register")
    )


def _assert_untouched(outcome, warehouse, report, before_wh, before_report):
    import hashlib

    assert not outcome.success and not outcome.published
    assert outcome.had_previous and outcome.previous_unchanged
    assert outcome.state_of_warehouse() == "the previous warehouse is unchanged"
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before_wh
    assert _tree(report) == before_report
    assert _leftovers(warehouse.parent) == []  # no working copy, lock or report staging left


def test_report_that_cannot_be_written_publishes_nothing(previous, monkeypatch):
    import hashlib

    from pipelines.runner import run_pipeline

    register, warehouse, report = previous
    before_wh, before_report = hashlib.sha256(warehouse.read_bytes()).hexdigest(), _tree(report)

    def unwritable(_warehouse, out, _lang):
        (out / "rapport.html").write_text("half", encoding="utf-8")
        raise PermissionError(13, "Permission denied", str(out / "rapport.pdf"))

    monkeypatch.setattr("pipelines.assets.report.build_report", unwritable)
    outcome = run_pipeline(register, warehouse, report_dir=report, echo=lambda _: None)
    assert any("PermissionError" in e for e in outcome.errors), outcome.errors
    _assert_untouched(outcome, warehouse, report, before_wh, before_report)


def test_crash_in_the_disclosure_check_publishes_nothing(previous, monkeypatch):
    import hashlib

    import dagster as dg

    import pipelines.runner as runner

    register, warehouse, report = previous
    before_wh, before_report = hashlib.sha256(warehouse.read_bytes()).hexdigest(), _tree(report)
    real = runner.build_definitions

    def with_crashing_disclosure_check(**kwargs):
        defs = real(**kwargs)
        checks = []
        crashed = []
        for check in defs.asset_checks:
            spec = next(iter(check.check_specs))
            if "disclosure" in spec.name or spec.asset_key.path[0] == "protected":

                @dg.asset_check(asset=spec.asset_key, name=spec.name, blocking=True)
                def crash():
                    raise RuntimeError("injected crash in the disclosure check")

                checks.append(crash)
                crashed.append(spec.name)
            else:
                checks.append(check)
        assert crashed, "no disclosure check in the graph"
        return dg.Definitions(
            assets=list(defs.assets),
            asset_checks=checks,
            resources=defs.resources,
            executor=defs.executor,
        )

    monkeypatch.setattr(runner, "build_definitions", with_crashing_disclosure_check)
    outcome = runner.run_pipeline(register, warehouse, report_dir=report, echo=lambda _: None)
    assert any("injected crash" in e for e in outcome.errors), outcome.errors
    _assert_untouched(outcome, warehouse, report, before_wh, before_report)


KILLER = """
import os, signal, sys
import pipelines.assets.report as report_assets

real = report_assets.build_report

def build_then_die(warehouse, out, lang):
    real(warehouse, out, lang)  # one language written completely, then the process dies
    os.kill(os.getpid(), signal.SIGKILL)

report_assets.build_report = build_then_die
from pipelines.runner import run_pipeline
run_pipeline(sys.argv[1], sys.argv[2], report_dir=sys.argv[3], echo=lambda _: None)
"""


def test_kill_during_report_writing_leaves_no_mixed_report(previous, monkeypatch):
    import hashlib
    import signal

    from pipelines.runner import run_pipeline

    register, warehouse, report = previous
    before_wh, before_report = hashlib.sha256(warehouse.read_bytes()).hexdigest(), _tree(report)
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, str(register), str(warehouse), str(report)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before_wh
    assert _tree(report) == before_report  # the old report, whole
    left = _leftovers(warehouse.parent)
    assert "wh.duckdb.lock" in left and any(n.startswith(".report.staging-") for n in left)

    # the next run takes the stale lock over and clears the killed run's leftovers, even when
    # it fails itself (here: the disk is full as soon as it starts reading)
    def disk_full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("pipelines.assets.ingest.read_raw", disk_full)
    lines: list[str] = []
    outcome = run_pipeline(register, warehouse, report_dir=report, echo=lines.append)
    assert any("took over the lock" in line for line in lines), lines
    assert any("No space left on device" in e for e in outcome.errors), outcome.errors
    _assert_untouched(outcome, warehouse, report, before_wh, before_report)
