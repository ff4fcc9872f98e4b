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
    # no --report-dir: beside a warehouse that is not the default one, as wh-report/
    run = _cli("run", "--input", str(base / "register"), "--warehouse", str(base / "wh.duckdb"))
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
    report = base / "wh-report"
    assert (report / "rapport.pdf").exists() and (report / "report.html").exists()
    assert f"Report: {report / 'rapport.pdf'}" in run.stdout
    # which data the run read, from extract.json
    assert (
        f"Input: {base / 'register'}: synthetic register (preset hard, scale 0.005, seed 11)"
        in (run.stderr)
    )


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
    # DuckDB's own hint is passed through
    hint = _cli("sql", "FROM marts.transition", "--warehouse", wh, check=False)
    assert 'Did you mean "transitions"' in hint.stderr or 'Did you mean "marts.transitions"' in (
        hint.stderr
    )


def _main(capsys, *args: str) -> tuple[int, str, str]:
    from pipelines.cli import main

    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_info_lists_the_start_here_views(run_dir, capsys):
    from analysis.views import VIEWS

    base, _ = run_dir
    code, out, _ = _main(capsys, "info", "--warehouse", str(base / "wh.duckdb"))
    assert code == 0
    start = out.index("Start here")
    for view in VIEWS:
        assert f"start_here.{view.name} " in out[start : out.index("Ingestion")], view.name


def test_describe_shows_columns_types_and_comments(run_dir, capsys):
    base, _ = run_dir
    wh = str(base / "wh.duckdb")
    code, out, _ = _main(capsys, "describe", "start_here.work_after_exit", "--warehouse", wh)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("View start_here.work_after_exit (")
    row = next(line for line in lines if line.startswith("share_by_employed "))
    assert "| DOUBLE " in row and "employed reading" in row
    code, out, _ = _main(capsys, "describe", "work_after_exit", "--warehouse", wh)
    assert code == 0 and out.startswith("View start_here.work_after_exit")
    code, out, _ = _main(capsys, "describe", "--warehouse", wh)
    assert code == 0 and out.splitlines()[0].startswith("start_here.")
    assert any(line.startswith("marts.transitions ") for line in out.splitlines())
    code, _, err = _main(capsys, "describe", "marts.transition", "--warehouse", wh)
    assert code == 2 and err.count("error:") == 1 and "Did you mean" in err
    code, _, err = _main(capsys, "describe", "transitions", "--warehouse", wh)
    assert code == 2 and "marts.transitions, protected.transitions" in err


def test_sql_shows_comments_when_asked(run_dir, capsys):
    base, _ = run_dir
    wh = str(base / "wh.duckdb")
    query = "SELECT * FROM duckdb_columns() WHERE table_name = 'work_after_exit'"
    code, out, err = _main(capsys, "sql", query, "--warehouse", wh)
    assert code == 0 and "--wide" in err  # too wide for the terminal: the comment column hidden
    code, out, _ = _main(capsys, "sql", query, "--warehouse", wh, "--vertical")
    assert code == 0
    assert "comment                  | state reading: n_by_state / n_spells_observed" in out
    code, out, _ = _main(capsys, "sql", query, "--warehouse", wh, "--wide")
    assert code == 0 and "state reading: n_by_state / n_spells_observed" in out


def test_version(capsys):
    from importlib import metadata

    code, out, _ = _main(capsys, "--version")
    assert code == 0 and out.startswith(f"arbeidstrening {metadata.version('arbeidstrening')}")


def test_a_missing_input_is_reported_once(tmp_path):
    missing = tmp_path / "no" / "such"
    result = _cli(
        "run", "--input", str(missing), "--warehouse", str(tmp_path / "w.duckdb"), check=False
    )
    assert result.returncode == 1
    assert result.stderr.count(str(missing)) == 1, result.stderr
    assert list(tmp_path.iterdir()) == []


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
    shutil.copytree(base / "wh-report", tmp_path / "report")
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


def test_the_outbound_profile_summary_counts_each_group_in_its_own_unit(run_dir):
    """The mart counts spell starts and person-months in separate columns; the outbound table
    the report reads is still published, its `n` the row's own count and its history count the
    observed share of it."""
    base, _ = run_dir
    con = duckdb.connect(str(base / "wh.duckdb"), read_only=True)
    rows = con.execute(
        """SELECT p.n, p.n_suppressed, p.n_history_observed, p.n_history_observed_suppressed,
                  m.n_spell_starts, m.n_person_months, m.share_history_observed, m."group"
           FROM protected.participant_profile_summary AS p
           JOIN marts.participant_profile_summary AS m USING (year, "group")"""
    ).fetchall()
    total = con.execute("SELECT count(*) FROM marts.participant_profile_summary").fetchone()[0]
    con.close()
    assert len(rows) == total > 0
    for n, n_hidden, hist, hist_hidden, starts, months, share_observed, group in rows:
        assert (starts == 0) if group == "registered_non_participants" else (months == 0)
        if not n_hidden:
            assert n == starts + months
        if not hist_hidden:
            assert hist == round(share_observed * (starts + months))


# --- the README's SQL examples, run as `arbeidstrening sql` runs them --------------------------


def test_every_readme_example_runs_and_agrees_with_the_marts(run_dir, tmp_path, capsys):
    """Each example through `arbeidstrening sql --out`, its result checked against the marts."""
    import pyarrow.parquet as pq

    from analysis.warehouse import connect_read_only
    from tests.readme_examples import CHECKS, examples

    base, _ = run_dir
    wh = str(base / "wh.duckdb")
    found = examples()
    assert set(found) == set(CHECKS), "every README example has a check, every check an example"
    results = {}
    for tag, statement in found.items():
        out = tmp_path / f"{tag}.parquet"
        code, _, err = _main(capsys, "sql", statement, "--warehouse", wh, "--out", str(out))
        assert code == 0, f"[{tag}] {err}"
        table = pq.read_table(out)
        results[tag] = (table.column_names, [tuple(r.values()) for r in table.to_pylist()])
    with connect_read_only(base / "wh.duckdb") as con:
        for tag, (columns, rows) in results.items():
            assert rows, f"[{tag}] returned nothing"
            CHECKS[tag](rows, columns, con)


# --- one Dagster instance: the command line's run is in it, and Dagster can rebuild one asset ---


def test_the_run_is_recorded_with_materializations_and_checks(run_dir, dagster_home):
    import dagster as dg

    from pipelines.definitions import build_definitions
    from pipelines.runner import WAREHOUSE_TAG

    base, _ = run_dir
    instance = dg.DagsterInstance.from_config(str(dagster_home))
    runs = instance.get_runs(dg.RunsFilter(tags={WAREHOUSE_TAG: str(base / "wh.duckdb")}))
    # the fixture's run, and the failed run on broken input when that test ran first
    (run,) = [r for r in runs if r.status == dg.DagsterRunStatus.SUCCESS]
    assert all(r.status == dg.DagsterRunStatus.FAILURE for r in runs if r is not run)
    graph = build_definitions("in", "wh.duckdb").resolve_asset_graph()
    records = instance.all_logs(run.run_id)
    materialized = {
        r.dagster_event.asset_key
        for r in records
        if r.dagster_event and r.dagster_event.event_type_value == "ASSET_MATERIALIZATION"
    }
    assert materialized == set(graph.materializable_asset_keys)
    evaluations = {
        (e.asset_key, e.check_name): e
        for e in (
            r.dagster_event.event_specific_data
            for r in records
            if r.dagster_event and r.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION"
        )
    }
    assert set(evaluations) == {(k.asset_key, k.name) for k in graph.asset_check_keys}
    # every blocking check passed; the design verdict (WARN) is a result and may fail
    assert all(e.passed for e in evaluations.values() if e.severity != dg.AssetCheckSeverity.WARN)
    assert {k[1] for k, e in evaluations.items() if e.severity == dg.AssetCheckSeverity.WARN} <= {
        "headline_design_credible"
    }
    latest = instance.fetch_materializations(dg.AssetKey(["marts", "transitions"]), limit=1)
    record = latest.records[0]
    assert record.run_id == run.run_id and "rows:marts.transitions" in (
        record.asset_materialization.metadata
    )


def test_dg_launch_rebuilds_one_asset_against_the_published_warehouse(
    run_dir, tmp_path, dagster_home
):
    """`dg launch --assets marts/transitions` (what `dagster asset materialize` now points to):
    copy of the published warehouse, the asset and its check, publication, nothing left over."""
    import os
    import shutil
    from pathlib import Path

    import dagster as dg

    from pipelines.defaults import INPUT_TAG, WAREHOUSE_TAG

    base, _ = run_dir
    warehouse = tmp_path / "wh.duckdb"
    shutil.copyfile(base / "wh.duckdb", warehouse)
    before = warehouse.stat().st_ino
    query = "SELECT * FROM marts.transitions ORDER BY ALL"
    con = duckdb.connect(str(warehouse), read_only=True)
    transitions = con.execute(query).fetchall()
    con.close()
    env = os.environ | {
        "ARBEIDSTRENING_INPUT": str(base / "register"),
        "ARBEIDSTRENING_WAREHOUSE": str(warehouse),
        "ARBEIDSTRENING_REPORT_DIR": str(tmp_path / "report"),
        "DAGSTER_HOME": str(dagster_home),
    }
    repo = Path(__file__).resolve().parent.parent
    dg_cli = Path(sys.executable).parent / "dg"
    done = subprocess.run(
        [str(dg_cli), "launch", "--assets", "marts/transitions"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert warehouse.stat().st_ino != before
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute(query).fetchall() == transitions
    con.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wh.duckdb"]
    instance = dg.DagsterInstance.from_config(str(dagster_home))
    run = instance.get_runs(limit=1)[0]
    assert run.status == dg.DagsterRunStatus.SUCCESS
    assert run.asset_selection == {dg.AssetKey(["marts", "transitions"])}
    assert run.tags[WAREHOUSE_TAG] == str(warehouse)  # tagged as the command line's runs
    assert run.tags[INPUT_TAG] == str(base / "register")
    published = instance.fetch_materializations(dg.AssetKey("published_warehouse"), limit=1)
    meta = published.records[0].asset_materialization.metadata
    assert meta["run_id"].value == run.run_id and meta["path"].value == str(warehouse)


def test_workers_run_the_effects_parts_elsewhere_with_identical_results(
    run_dir, tmp_path, dagster_home
):
    """`run --workers 2`: the effects parts run in worker processes (one each, two at a time)
    while the other steps stay in the command's process; every table is the same row for row as
    in the fixture's in-process run, the progress counts each asset once, and the run is
    recorded with every materialization (the workers' included)."""
    import dagster as dg

    from analysis.effects.parts import PARTS
    from pipelines.runner import WAREHOUSE_TAG
    from tests.test_partial_runs import _leftovers, _tables

    base, in_process = run_dir
    warehouse = tmp_path / "wh.duckdb"
    args = ("run", "--input", str(base / "register"), "--warehouse", str(warehouse))
    run = _cli(*args, "--workers", "2", "--no-report")
    assert "the effects parts in 2 worker processes" in run.stderr
    assert "worker processes" not in in_process.stderr  # a small register: in process by default
    progress = [line for line in run.stderr.splitlines() if line.startswith("  [")]
    total = len(progress)
    assert progress[-1].startswith(f"  [{total}/{total}] published_warehouse")
    assert len({line.split("]")[1].split()[0] for line in progress}) == total
    assert _tables(warehouse) == _tables(base / "wh.duckdb")
    assert _leftovers(warehouse) == []

    instance = dg.DagsterInstance.from_config(str(dagster_home))
    (record,) = instance.get_runs(dg.RunsFilter(tags={WAREHOUSE_TAG: str(warehouse)}))
    assert record.status == dg.DagsterRunStatus.SUCCESS
    pids: dict[str, int] = {}
    materialized = 0
    for entry in instance.all_logs(record.run_id):
        event = entry.dagster_event
        if event and event.event_type_value == "STEP_START":
            pids[event.step_key] = int(event.pid)
        materialized += bool(event and event.event_type_value == "ASSET_MATERIALIZATION")
    assert materialized == total
    parts = {k: p for k, p in pids.items() if k.startswith("effects__parts__")}
    here = {p for k, p in pids.items() if k not in parts}
    assert len(parts) == len(PARTS) and len(here) == 1
    assert len(set(parts.values())) == len(parts) and not here & set(parts.values())
