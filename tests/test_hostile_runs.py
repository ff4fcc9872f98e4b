"""Hostile runs end to end: the gates as blocking checks, paths, the lock, `sql`, privacy.

The corpus (test_hostile_corpus.py) decides each broken extract's outcome with the library; these
tests run the command line and the Dagster pipeline on the same base extract to show that the
outcome is what a user gets: nothing published unless every check passed, nothing written where
the user did not say, no person-level value in any message or in Dagster's stored events.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from analysis.warehouse import WarehouseFiles
from pipelines.cli import main as cli_main
from pipelines.runner import run_pipeline
from tests.hostile.harness import append_csv, mart_rows, run_extract, valid_row
from tests.input_builders import BASE_WINDOW, base_register, write_register

REPO = Path(__file__).resolve().parent.parent


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): _digest(p) for p in sorted(root.rglob("*")) if p.is_file()}


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = cli_main(list(args))
    except SystemExit as exc:  # argparse errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A clean base extract and a warehouse published from it (descriptive run)."""
    root = tmp_path_factory.mktemp("site")
    source = write_register(root / "in", base_register(), fmt="csv", window=BASE_WINDOW)
    warehouse = root / "wh.duckdb"
    outcome = run_pipeline(source, warehouse, echo=lambda _: None, with_effects=False)
    assert outcome.success, outcome.errors
    return root, source, warehouse


def test_published_marts_equal_the_library_harness(site):
    _, source, warehouse = site
    expected = mart_rows(run_extract(source).con)
    con = duckdb.connect(str(warehouse), read_only=True)
    assert mart_rows(con) == expected
    con.close()


def test_extract_with_bad_rows_runs_to_the_end_and_publishes_exact_rejects(site, tmp_path):
    _, source, clean_warehouse = site
    bad = write_register(tmp_path / "in", base_register(), fmt="csv", window=BASE_WINDOW)
    emp = append_csv(
        bad / "employment_months.csv",
        valid_row("employment_months", year_month=202107, earnings_nok="4999.5"),
        valid_row("employment_months", year_month=202113),
    )
    per = append_csv(bad / "persons.csv", valid_row("persons", person_id="P950", gender="3"))
    wh = tmp_path / "wh.duckdb"
    lines: list[str] = []
    outcome = run_pipeline(bad, wh, echo=lines.append, with_effects=False)
    assert outcome.success and outcome.published, outcome.errors
    con = duckdb.connect(str(wh), read_only=True)
    rejects = {
        t: con.execute(
            f"SELECT _source_row, rule, column_name FROM rejects.{t} ORDER BY 1"
        ).fetchall()
        for t in ("employment_months", "persons")
    }
    assert rejects == {
        "employment_months": [
            (emp[0], "not_integer", "earnings_nok"),
            (emp[1], "invalid_month", "year_month"),
        ],
        "persons": [(per[0], "unknown_code", "gender")],
    }
    others = con.execute(
        "SELECT sum(rows_rejected) FROM meta.ingest_summary "
        "WHERE table_name NOT IN ('employment_months', 'persons')"
    ).fetchone()[0]
    assert others == 0
    clean = duckdb.connect(str(clean_warehouse), read_only=True)
    assert mart_rows(con) == mart_rows(clean)  # exactly the clean extract's counts
    con.close()
    clean.close()
    said = "\n".join(lines)
    assert "4999.5" not in said and "P950" not in said


def test_gate_failure_stops_publication_with_a_named_rule(site, tmp_path, capsys):
    root, _, warehouse = site
    from tests.hostile.cases import dates_dd_mm_yyyy

    bad = write_register(tmp_path / "in", base_register(), fmt="csv", window=BASE_WINDOW)
    dates_dd_mm_yyyy(bad)
    before = _digest(warehouse)
    code, _, err = _cli(
        capsys, "run", "--input", str(bad), "--warehouse", str(warehouse), "--no-effects"
    )
    assert code == 1
    assert "staging/programme_spells:rejected_share_within_limit" in err
    assert "which exceeds the rule rejected share <= 5.0%" in err
    assert "the previous warehouse is unchanged" in err
    assert _digest(warehouse) == before
    assert not WarehouseFiles.at(warehouse).working.exists()


def test_window_past_the_data_stops_the_run(site, capsys):
    _, source, warehouse = site
    before = _digest(warehouse)
    code, _, err = _cli(
        capsys,
        "run",
        "--input",
        str(source),
        "--warehouse",
        str(warehouse),
        "--no-effects",
        "--observation-end",
        "2022-12-31",
    )
    assert code == 1
    assert "meta/observation_window:employment_months_covers_window" in err
    assert "no data after 2021-12" in err and "to 2021-12-31" in err
    assert _digest(warehouse) == before


# --- paths ------------------------------------------------------------------------------------


def test_missing_input_is_an_error_that_creates_nothing(tmp_path, capsys):
    before = sorted(tmp_path.rglob("*"))
    code, _, err = _cli(
        capsys,
        "run",
        "--input",
        str(tmp_path / "typo"),
        "--warehouse",
        str(tmp_path / "out" / "wh.duckdb"),
        "--report-dir",
        str(tmp_path / "rep"),
    )
    assert code == 1
    assert f"input directory {tmp_path / 'typo'} does not exist" in err
    assert "no warehouse was written" in err
    assert sorted(tmp_path.rglob("*")) == before


def test_warehouse_may_not_overwrite_an_input_file(site, capsys):
    _, source, _ = site
    before = _tree_digest(source)
    for target in (source / "persons.csv", source / "new.duckdb"):
        code, _, err = _cli(capsys, "run", "--input", str(source), "--warehouse", str(target))
        assert code == 1 and "lies inside the input directory" in err, err
    assert _tree_digest(source) == before


def test_warehouse_may_not_replace_a_file_that_is_not_a_warehouse(site, tmp_path, capsys):
    _, source, _ = site
    precious = tmp_path / "notes.txt"
    precious.write_text("not a database", encoding="utf-8")
    code, _, err = _cli(
        capsys, "run", "--input", str(source), "--warehouse", str(precious), "--no-effects"
    )
    assert code == 1 and "exists and is not a DuckDB warehouse" in err
    assert precious.read_text(encoding="utf-8") == "not a database"


def test_report_directory_must_be_a_report(site, tmp_path, capsys):
    _, source, _ = site
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.tex").write_text("x", encoding="utf-8")
    for report_dir, why in ((home, "not a report of this project"), (tmp_path, "holds")):
        code, _, err = _cli(
            capsys,
            "run",
            "--input",
            str(source),
            "--warehouse",
            str(tmp_path / "wh.duckdb"),
            "--report-dir",
            str(report_dir),
        )
        assert code == 1 and why in err, err
    assert (home / "thesis.tex").exists() and not (tmp_path / "wh.duckdb").exists()


def test_glob_characters_in_paths_are_literal(tmp_path, capsys):
    base = base_register()
    source = write_register(tmp_path / "in?", base, fmt="csv", window=BASE_WINDOW)
    sibling = write_register(tmp_path / "in1", base, fmt="csv", window=BASE_WINDOW)
    append_csv(sibling / "persons.csv", valid_row("persons", person_id="P777", gender="9"))
    target = tmp_path / "out[1]" / "wh.duckdb"
    code, _, err = _cli(
        capsys, "run", "--input", str(source), "--warehouse", str(target), "--no-effects"
    )
    assert code == 0, err
    con = duckdb.connect(str(target), read_only=True)
    assert con.execute("SELECT sum(rows_in) FROM meta.ingest_summary").fetchone()[0] == sum(
        len(rows) for rows in base.values()
    )
    con.close()


def test_employment_threshold_must_be_sensible(site, tmp_path, capsys):
    _, source, _ = site
    for value in ("-5", "0", "2000000", "4999.5"):
        code, _, err = _cli(
            capsys,
            "run",
            "--input",
            str(source),
            "--warehouse",
            str(tmp_path / "wh.duckdb"),
            "--employment-threshold",
            value,
        )
        assert code == 2 and "employment" in err, (value, err)
    outcome = run_pipeline(
        source, tmp_path / "wh.duckdb", employment_threshold_nok=-5, with_effects=False
    )
    assert not outcome.success and "between 1 and 1,000,000 NOK" in outcome.errors[0]
    assert list(tmp_path.iterdir()) == []
    from analysis.panel import build_panel

    with pytest.raises(ValueError, match="employment threshold"):
        build_panel(duckdb.connect(), employment_threshold_nok=-1)


# --- the single-writer lock -------------------------------------------------------------------


def _run_cli_process(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def test_two_overlapping_runs(site, tmp_path):
    _, source, _ = site
    wh = tmp_path / "wh.duckdb"
    first = _run_cli_process("run", "--input", str(source), "--warehouse", str(wh), "--no-effects")
    lock = WarehouseFiles.at(wh).lock
    deadline = time.time() + 120
    while time.time() < deadline:
        if lock.exists() and lock.read_text().strip():
            record = json.loads(lock.read_text())
            if record.get("pid") == first.pid:
                break
        time.sleep(0.05)
    else:
        first.kill()
        pytest.fail("the first run never took the lock")
    t0 = time.time()
    second = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--input", str(source)]
        + ["--warehouse", str(wh), "--no-effects"],
        capture_output=True,
        text=True,
    )
    assert second.returncode == 1
    assert f"another run holds the warehouse {wh} (pid {first.pid}, started " in second.stderr
    assert time.time() - t0 < 30  # fails at once, it does not wait
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err  # the first run was not disturbed
    assert wh.exists() and not lock.exists()


def test_stale_lock_of_a_dead_run_is_taken_over(site, tmp_path):
    _, source, _ = site
    wh = tmp_path / "wh.duckdb"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(dead.stdout)
    WarehouseFiles.at(wh).lock.write_text(
        json.dumps({"pid": pid, "started": "2026-01-01T00:00:00+01:00"}), encoding="utf-8"
    )
    lines: list[str] = []
    outcome = run_pipeline(source, wh, echo=lines.append, with_effects=False)
    assert outcome.success, outcome.errors
    assert any(
        f"took over the lock of a run that is no longer running (pid {pid}, started 2026-01-01"
        in line
        for line in lines
    ), lines


# --- sql --------------------------------------------------------------------------------------


def test_sql_cannot_touch_the_file_system(site, tmp_path, capsys):
    _, source, warehouse = site
    before = _digest(warehouse)
    attempts = {
        f"COPY (SELECT 42) TO '{warehouse}'": "file system operations are disabled",
        f"COPY (SELECT * FROM staging.persons) TO '{tmp_path / 'leak.csv'}'": "disabled",
        f"ATTACH '{tmp_path / 'new.duckdb'}' AS x": "disabled",
        "SELECT * FROM read_csv('/etc/passwd')": "disabled",
        f"SELECT * FROM read_csv('{source / 'persons.csv'}')": "disabled",
        "INSTALL httpfs": "disabled",
        "LOAD httpfs": "disabled",
        "SET enable_external_access = true": "the configuration has been locked",
        f"EXPORT DATABASE '{tmp_path / 'dump'}'": "disabled",
        "CREATE TABLE marts.x AS SELECT 1": "read-only",
    }
    for query, why in attempts.items():
        code, _, err = _cli(capsys, "sql", query, "--warehouse", str(warehouse))
        assert code == 2 and why in err, (query, err)
    assert _digest(warehouse) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_sql_out_refuses_the_warehouse_and_the_input(site, tmp_path, capsys):
    _, source, warehouse = site
    before, source_before = _digest(warehouse), _tree_digest(source)
    for out in (
        warehouse.with_suffix(".csv").with_name("wh.duckdb.csv"),
        source / "persons.csv",
        source / "new.parquet",
    ):
        code, _, err = _cli(
            capsys, "sql", "FROM staging.persons", "--warehouse", str(warehouse), "--out", str(out)
        )
        if out.parent == source:
            assert code == 2 and "inside the input directory" in err, err
    code, _, err = _cli(
        capsys, "sql", "SELECT 1", "--warehouse", str(warehouse), "--out", str(warehouse)
    )
    assert code == 2 and "must end in .csv or .parquet" in err
    link = tmp_path / "wh.csv"
    link.symlink_to(warehouse)
    code, _, err = _cli(
        capsys, "sql", "SELECT 1", "--warehouse", str(warehouse), "--out", str(link)
    )
    assert code == 2 and "is the warehouse" in err
    assert _digest(warehouse) == before and _tree_digest(source) == source_before
    good = tmp_path / "result.parquet"
    code, out, _ = _cli(
        capsys,
        "sql",
        "FROM marts.participants_monthly",
        "--warehouse",
        str(warehouse),
        "--out",
        str(good),
    )
    assert code == 0 and good.exists() and "rows written" in out


def test_sql_keeps_duckdb_hints(site, capsys):
    _, _, warehouse = site
    code, _, err = _cli(capsys, "sql", "FROM marts.transitons", "--warehouse", str(warehouse))
    assert code == 2 and 'Did you mean "transitions"' in err


def test_sql_errors_do_not_quote_data(site, capsys):
    _, _, warehouse = site
    code, _, err = _cli(
        capsys,
        "sql",
        "SELECT CAST(person_id AS INTEGER) FROM staging.persons",
        "--warehouse",
        str(warehouse),
    )
    assert code == 2 and "Could not convert" in err and "P0" not in err


# --- privacy of messages and Dagster's stored events -----------------------------------------


def test_no_person_level_value_reaches_dagster_event_storage(site, tmp_path, monkeypatch):
    """A DuckDB error quoting a value inside an asset: the message and the stored run are clean."""
    import dagster as dg

    import analysis.ingest.read as read_module

    _, source, _ = site
    # its tail in letters that no timestamp, run id or hex digest holds (a digit tail such as
    # "4711" turned up inside a stored event's timestamp, 1796532732.2471182)
    secret = "P-SECRET-XQJWVK"
    original = read_module.read_raw

    def leaky(con, input_dir, table):
        meta = original(con, input_dir, table)
        con.execute(f"SELECT CAST('{secret}' AS INTEGER)")
        return meta

    monkeypatch.setattr("pipelines.assets.ingest.read_raw", leaky)
    home = tmp_path / "dagster_home"
    home.mkdir()
    lines: list[str] = []
    with dg.DagsterInstance.local_temp(str(home)) as instance:
        outcome = run_pipeline(
            source, tmp_path / "wh.duckdb", echo=lines.append, with_effects=False, instance=instance
        )
    assert not outcome.success
    assert any("Could not convert string" in e for e in outcome.errors), outcome.errors
    said = "\n".join([*outcome.errors, *lines])
    assert secret not in said and "XQJWVK" not in said
    stored = [p for p in home.rglob("*") if p.is_file()]
    assert stored, "the instance stored nothing"
    for path in stored:
        data = path.read_bytes()
        assert secret.encode() not in data and b"XQJWVK" not in data, path


def test_csv_without_header_does_not_print_its_first_row(site, tmp_path, capsys):
    _, source, _ = site
    bad = write_register(tmp_path / "in", base_register(), fmt="csv", window=BASE_WINDOW)
    f = bad / "persons.csv"
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    f.write_text("".join(lines[1:]), encoding="utf-8")
    code, out, err = _cli(
        capsys, "run", "--input", str(bad), "--warehouse", str(tmp_path / "wh.duckdb")
    )
    assert code == 1 and "header row seems to be missing" in err
    for value in lines[1].strip().split(","):
        if len(value) >= 3:
            assert value not in err + out


def test_time_zone_of_the_host_does_not_move_dates(tmp_path):
    """The same tz-aware Parquet extract gives the same staging dates under any TZ."""
    from tests.hostile.cases import _tz_dates

    source = write_register(tmp_path / "in", base_register(), window=BASE_WINDOW)
    _tz_dates(source, "programme_spells", "Europe/Oslo")
    script = (
        "import duckdb, sys; from analysis.ingest import ingest_directory; "
        "con = duckdb.connect(); ingest_directory(con, sys.argv[1]); "
        'print(con.execute("SELECT list(start_date::VARCHAR ORDER BY spell_id) FROM '
        'staging.programme_spells").fetchone()[0])'
    )
    got = set()
    for tz in ("America/Los_Angeles", "Pacific/Kiritimati", "Europe/Oslo"):
        result = subprocess.run(
            [sys.executable, "-c", script, str(source)],
            capture_output=True,
            text=True,
            env={**os.environ, "TZ": tz},
            cwd=REPO,
        )
        assert result.returncode == 0, result.stderr
        got.add(result.stdout.strip())
    expected = sorted(
        (s["spell_id"], s["start_date"].isoformat()) for s in base_register()["programme_spells"]
    )
    assert got == {str([d for _, d in expected])}


# --- make run -----------------------------------------------------------------------------------


def _make(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    stamp = tmp_path / "stamp"
    stamp.touch()
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), *args]
        + [f"BIN={Path(sys.executable).parent}", f"STAMP={stamp}"],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_make_run_on_a_folder_layout_extract_touches_no_input(tmp_path):
    import pyarrow.parquet as pq

    source = write_register(tmp_path / "extract", base_register(), window=BASE_WINDOW)
    for table in ("persons", "employment_months"):
        t = pq.read_table(source / f"{table}.parquet")
        (source / f"{table}.parquet").unlink()
        (source / table).mkdir()
        half = t.num_rows // 2
        pq.write_table(t.slice(0, half), source / table / "part-0.parquet")
        pq.write_table(t.slice(half), source / table / "part-1.parquet")
    before = _tree_digest(source)
    dry = _make("-n", "run", f"INPUT={source}", tmp_path=tmp_path)
    assert "generate" not in dry.stdout and f"--input {source}" in dry.stdout
    wh = tmp_path / "wh.duckdb"
    done = _make(
        "run",
        f"INPUT={source}",
        f"WAREHOUSE={wh}",
        f"REPORT_DIR={tmp_path / 'report'}",
        "RUN_FLAGS=--no-effects",
        tmp_path=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert _tree_digest(source) == before
    assert sorted(p.name for p in source.iterdir()) == sorted(
        ["at_agreement_purposes.parquet", "at_agreements.parquet", "benefit_spells.parquet"]
        + ["education_spells.parquet", "employment_months", "extract.json"]
        + ["nav_status_spells.parquet", "persons", "programme_spells.parquet"]
    )
    assert wh.exists()


def test_make_run_on_a_missing_path_fails_naming_it_and_creates_nothing(tmp_path):
    missing = tmp_path / "no" / "such"
    wh = tmp_path / "wh.duckdb"
    done = _make("run", f"INPUT={missing}", f"WAREHOUSE={wh}", tmp_path=tmp_path)
    assert done.returncode != 0
    assert f"input directory {missing} does not exist" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stamp"]
    dry = _make("-n", "run", tmp_path=tmp_path)
    assert "generate --out data/synthetic" in dry.stdout  # the default input is generated
