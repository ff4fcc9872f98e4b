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
