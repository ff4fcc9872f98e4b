"""Whole-file problems stop ingestion with a message naming the file, column and expectation."""

from __future__ import annotations

import json

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.ingest import InputContractError, ingest_directory
from tests.input_builders import minimal_register, write_csv, write_register


def _ingest(path):
    con = duckdb.connect()
    try:
        return ingest_directory(con, path)
    finally:
        con.close()


def test_missing_file(tmp_path):
    reg = write_register(tmp_path / "in")
    (reg / "benefit_spells.parquet").unlink()
    with pytest.raises(InputContractError) as err:
        _ingest(reg)
    msg = str(err.value)
    assert "benefit_spells" in msg and "missing" in msg
    assert "benefit_spells.parquet, benefit_spells.csv or a folder benefit_spells/" in msg


def test_table_given_twice(tmp_path):
    reg = write_register(tmp_path / "in")
    write_csv(reg / "persons.csv", minimal_register()["persons"], ["person_id"])
    with pytest.raises(InputContractError, match="more than once"):
        _ingest(reg)


def test_missing_required_column_names_file_and_column(tmp_path):
    reg = write_register(tmp_path / "in", fmt="csv")
    rows = minimal_register()["programme_spells"]
    cols = [
        "spell_id",
        "person_id",
        "programme_code",
        "start_date",
        "end_date",
        "part_time_pct",
        "employer_org",
    ]
    write_csv(reg / "programme_spells.csv", rows, cols)
    with pytest.raises(InputContractError) as err:
        _ingest(reg)
    assert err.value.file == "programme_spells.csv"
    assert err.value.column == "participant_status"
    assert "'participant_status' missing" in str(err.value)
    assert "expected columns spell_id, person_id, programme_code" in str(err.value)


def test_truncated_parquet(tmp_path):
    reg = write_register(tmp_path / "in")
    data = (reg / "persons.parquet").read_bytes()
    (reg / "persons.parquet").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputContractError) as err:
        _ingest(reg)
    assert err.value.file == "persons.parquet"
    assert "cannot be read" in str(err.value) and "a Parquet file" in str(err.value)


def test_wrong_encoding_names_file_and_line_but_not_the_data(tmp_path):
    reg = write_register(tmp_path / "in", fmt="csv")
    rows = minimal_register()["persons"]
    rows[1]["municipality"] = "Tromsø"  # written as Latin-1 below: not UTF-8
    write_csv(reg / "persons.csv", rows, list(rows[0]), encoding="latin-1")
    with pytest.raises(InputContractError) as err:
        _ingest(reg)
    msg = str(err.value)
    assert err.value.file == "persons.csv"
    assert "not UTF-8" in msg and "line 3" in msg
    assert "P2" not in msg and "Troms" not in msg and "4601" not in msg  # no row-level data


def test_parquet_folder_with_bad_member(tmp_path):
    reg = write_register(tmp_path / "in")
    table = pq.read_table(reg / "employment_months.parquet")
    (reg / "employment_months.parquet").unlink()
    folder = reg / "employment_months"
    folder.mkdir()
    pq.write_table(table.slice(0, 2), folder / "part-1.parquet")
    pq.write_table(table.slice(2).drop_columns(["earnings_nok"]), folder / "part-2.parquet")
    with pytest.raises(InputContractError) as err:
        _ingest(reg)
    assert err.value.file == "employment_months/part-2.parquet"
    assert err.value.column == "earnings_nok"


def test_parquet_folder_lineage(tmp_path):
    reg = write_register(tmp_path / "in")
    table = pq.read_table(reg / "employment_months.parquet")
    (reg / "employment_months.parquet").unlink()
    folder = reg / "employment_months"
    folder.mkdir()
    pq.write_table(table.slice(0, 3), folder / "part-1.parquet")
    pq.write_table(table.slice(3).append_column("fnr", pa.array(["x"])), folder / "part-2.parquet")
    con = duckdb.connect()
    warnings: list[str] = []
    ingest_directory(con, reg, warn=warnings.append)
    rows = con.execute(
        "SELECT _source_file, _source_row FROM staging.employment_months ORDER BY 1, 2"
    ).fetchall()
    assert rows == [
        ("employment_months/part-1.parquet", 1),
        ("employment_months/part-1.parquet", 2),
        ("employment_months/part-1.parquet", 3),
        ("employment_months/part-2.parquet", 1),
    ]
    # a column outside the contract is not read (it could be a national id), but named
    raw_cols = [r[0] for r in con.execute("DESCRIBE raw.employment_months").fetchall()]
    assert "fnr" not in raw_cols
    assert any("outside the contract not read: fnr" in w for w in warnings), warnings
    assert con.execute(
        "SELECT file, conversion FROM meta.input_columns WHERE source_column = 'fnr'"
    ).fetchall() == [("employment_months/part-2.parquet", "outside the contract: not read")]


@pytest.mark.parametrize(
    "content, problem",
    [
        ("not json", "cannot be read as JSON"),
        (json.dumps({"observation_start": "2019-01-01"}), "'observation_end' missing"),
        (
            json.dumps({"observation_start": "2019-01-01", "observation_end": "31.12.2021"}),
            "not an ISO date",
        ),
        (
            json.dumps({"observation_start": "2022-01-01", "observation_end": "2021-12-31"}),
            "before observation_start",
        ),
    ],
)
def test_bad_extract_json(tmp_path, content, problem):
    reg = write_register(tmp_path / "in")
    (reg / "extract.json").write_text(content)
    with pytest.raises(InputContractError, match=problem):
        _ingest(reg)


def test_window_from_data_when_no_extract_json(tmp_path):
    reg = write_register(tmp_path / "in", window=None)
    con = duckdb.connect()
    ingest_directory(con, reg)
    start, end, source = con.execute("SELECT * FROM meta.observation_window").fetchone()
    assert (str(start), str(end)) == ("2020-01-01", "2020-06-30")
    assert source.startswith("data")
