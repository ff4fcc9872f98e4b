"""The whole pipeline through the runner: success publishes, failure leaves the old warehouse."""

from __future__ import annotations

import hashlib

import duckdb
import pytest

import analysis.ingest.validate as validate
from pipelines.runner import describe_warehouse, run_pipeline
from tests.input_builders import BASE_WINDOW, base_register, write_register


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def published(tmp_path):
    reg = write_register(tmp_path / "in", base_register(), fmt="csv", window=BASE_WINDOW)
    wh = tmp_path / "wh.duckdb"
    lines: list[str] = []
    events: list[tuple[str, str]] = []
    outcome = run_pipeline(
        reg,
        wh,
        echo=lines.append,
        with_effects=False,
        observer=lambda k, n, _s: events.append((k, n)),
    )
    assert outcome.success, outcome.errors
    assert outcome.published and not outcome.had_previous
    # the benchmark's per-asset timing hook sees every asset once, after its step started
    assets = [n for k, n in events if k == "asset"]
    assert len(assets) == len(set(assets)) and assets[-1] == "published_warehouse"
    assert sum(1 for line in lines if line.lstrip().startswith("[")) == len(assets)
    return reg, wh, lines


def test_run_publishes_a_complete_warehouse(published):
    _, wh, lines = published
    assert wh.exists()
    leftovers = sorted(p.name for p in wh.parent.iterdir() if p.name.startswith("wh.duckdb."))
    assert leftovers == []  # no working copy, WAL, spill directory or lock left
    assert any("published_warehouse" in line for line in lines)
    con = duckdb.connect(str(wh), read_only=True)
    assert con.execute("SELECT count(*) FROM staging.persons").fetchone()[0] == 60
    assert con.execute("SELECT count(*) FROM panel.person_month").fetchone()[0] == 60 * 36
    info = dict(con.execute("SELECT key, value FROM meta.run_info").fetchall())
    assert len(info["input_fingerprint"]) == 64 and info["observation_end"] == "2021-12-31"
    assert info["synthetic"] == "false" and "scale" not in info
    # every table in the warehouse and every column of it carries a comment
    uncommented = con.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE comment IS NULL OR comment = ''"
    ).fetchall()
    assert uncommented == []
    cols = con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE schema_name IN ('raw', 'staging', 'rejects', 'panel', 'meta', 'marts') AND (comment IS NULL OR comment = '')"
    ).fetchall()
    assert cols == []
    con.close()
    summary = describe_warehouse(wh)
    assert "persons" in summary and "2021-12-31" in summary


def test_failed_run_leaves_previous_warehouse_untouched(published, tmp_path):
    reg, wh, _ = published
    before = _digest(wh)
    (reg / "persons.csv").write_bytes(b"person_id,gender\nP1,2\n")
    lines: list[str] = []
    outcome = run_pipeline(reg, wh, echo=lines.append, with_effects=False)
    assert not outcome.success
    assert any("persons.csv" in e and "'birth_ym'" in e for e in outcome.errors), outcome.errors
    assert _digest(wh) == before
    assert outcome.had_previous and outcome.previous_unchanged and not outcome.published
    assert outcome.state_of_warehouse() == "the previous warehouse is unchanged"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "wh.duckdb"]


def test_blocking_check_stops_publication(tmp_path, monkeypatch):
    """If staging lost a row, the conservation check fails and nothing downstream runs."""
    original = validate.build_staging

    def lossy(con, table):
        counts = original(con, table)
        if table.name == "employment_months":
            con.execute("DELETE FROM staging.employment_months WHERE _source_row = 1")
        return counts

    monkeypatch.setattr("pipelines.assets.ingest.build_staging", lossy)
    reg = write_register(tmp_path / "in", base_register(), window=BASE_WINDOW)
    outcome = run_pipeline(reg, tmp_path / "wh.duckdb", echo=lambda _: None, with_effects=False)
    assert not outcome.success
    assert any(
        "employment_months:rows_in_equal_accepted_plus_rejected" in e for e in outcome.errors
    )
    assert not (tmp_path / "wh.duckdb").exists()
    assert outcome.state_of_warehouse() == "no warehouse was written"


def test_negative_count_in_any_mart_stops_publication(tmp_path, monkeypatch):
    """marts.effects_support once held n = -2 and passed every mart check; every count column of
    every marts table (registered mart or not) must be a non-negative integer."""
    import dataclasses

    import pipelines.assets.marts as mart_assets
    from analysis.marts import MART_STEPS, MartStep

    class BrokenStep(MartStep):
        def build(self, con):
            meta = super().build(con)
            con.execute(
                "CREATE TABLE marts.effects_support AS SELECT 'starters' AS population, "
                "CAST(-2 AS BIGINT) AS n, 0.5 AS share"
            )
            return meta

    step = MART_STEPS[0]
    patched = mart_assets.make_mart_asset(
        BrokenStep(**dataclasses.asdict(step) | {"marts": step.marts})
    )
    assets = [patched if a.key == patched.key else a for a in mart_assets.MART_ASSETS]
    monkeypatch.setattr("pipelines.definitions.MART_ASSETS", assets)
    reg = write_register(tmp_path / "in", base_register(), window=BASE_WINDOW)
    outcome = run_pipeline(reg, tmp_path / "wh.duckdb", echo=lambda _: None, with_effects=False)
    assert not outcome.success and not (tmp_path / "wh.duckdb").exists()
    assert any(
        "meta/run_info:mart_counts_are_non_negative_integers" in e
        and "marts.effects_support.n: 1 negative" in e
        for e in outcome.errors
    ), outcome.errors


def test_count_columns_must_be_integers():
    from analysis.warehouse.checks import invalid_counts

    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.a AS SELECT 2.5 AS n, CAST(3 AS BIGINT) AS n_ok")
    con.execute("CREATE TABLE marts.b AS SELECT CAST(NULL AS BIGINT) AS n_spells, 1 AS other")
    assert invalid_counts(con) == {
        "marts.a.n": "type DECIMAL(2,1), not an integer type",
        "marts.b.n_spells": "0 negative and 1 missing value(s)",
    }


def test_synthetic_flag_and_generator_record_reach_run_info(tmp_path):
    reg = write_register(tmp_path / "in", base_register(), window=BASE_WINDOW)
    spec = {
        "observation_start": BASE_WINDOW[0],
        "observation_end": BASE_WINDOW[1],
        "synthetic": True,
        "generator": "arbeidstrening 0.1.0",
        "preset": "default",
        "scale": 0.005,
        "seed": 11,
        "made_by": "a test",
    }
    (reg / "extract.json").write_text(__import__("json").dumps(spec), encoding="utf-8")
    lines: list[str] = []
    wh = tmp_path / "wh.duckdb"
    outcome = run_pipeline(reg, wh, echo=lines.append, with_effects=False)
    assert outcome.success, outcome.errors
    assert any("extract.json: unknown key(s) ignored: made_by" in line for line in lines)
    con = duckdb.connect(str(wh), read_only=True)
    info = dict(con.execute("SELECT key, value FROM meta.run_info").fetchall())
    con.close()
    assert {k: info[k] for k in ("synthetic", "generator", "preset", "scale", "seed")} == {
        "synthetic": "true",
        "generator": "arbeidstrening 0.1.0",
        "preset": "default",
        "scale": "0.005",
        "seed": "11",
    }
    assert "Input: synthetic register (scale 0.005, seed 11)" in describe_warehouse(wh)


def test_a_run_without_report_retires_the_previous_one(published, tmp_path):
    """--no-effects / --no-report used to leave the previous run's report beside a warehouse it
    did not describe; it is replaced by a note (a directory that is not a report is left alone)."""
    from analysis.warehouse import NO_REPORT_FILE, ReportStaging, WarehouseFiles

    reg, wh, _ = published
    report = tmp_path / "report"
    staging = ReportStaging.for_warehouse(WarehouseFiles.at(wh), report)
    (staging.start() / "rapport.html").write_text("an earlier run", encoding="utf-8")
    staging.commit()
    lines: list[str] = []
    outcome = run_pipeline(reg, wh, echo=lines.append, with_effects=False, report_dir=report)
    assert outcome.success, outcome.errors
    assert outcome.report_dir is None
    assert sorted(p.name for p in report.iterdir()) == [".arbeidstrening-report", NO_REPORT_FILE]
    assert "--no-effects" in (report / NO_REPORT_FILE).read_text(encoding="utf-8")
    assert not any(p.name.startswith(".report.staging") for p in tmp_path.iterdir())
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("x", encoding="utf-8")
    assert run_pipeline(reg, wh, echo=lines.append, with_effects=False, report_dir=other).success
    assert [p.name for p in other.iterdir()] == ["mine.txt"]


def test_run_says_which_data_it_reads(tmp_path):
    from pipelines.runner import describe_input

    reg = write_register(tmp_path / "in", base_register(), window=BASE_WINDOW)
    assert describe_input(reg) == (
        f"Input: {reg}: a register extract, window 2019-01-01 to 2021-12-31"
    )
    spec = {"observation_start": "2016-01-01", "observation_end": "2024-12-31"}
    spec |= {"synthetic": True, "generator": "arbeidstrening 0.1.0", "preset": "hard"}
    spec |= {"scale": 0.1, "seed": 7}
    (reg / "extract.json").write_text(__import__("json").dumps(spec), encoding="utf-8")
    assert describe_input(reg) == (
        f"Input: {reg}: synthetic register (preset hard, scale 0.1, seed 7), "
        "window 2016-01-01 to 2024-12-31"
    )
    (reg / "extract.json").unlink()
    assert "no extract.json" in describe_input(reg)
