"""The warehouse comparison used to show that a refactoring changed no result."""

from __future__ import annotations

import duckdb
import pytest

from analysis.warehouse.compare import compare_warehouses


def _warehouse(path, rows, extra_table=False, order="id"):
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.t (id INTEGER, share DOUBLE, label VARCHAR)")
    con.execute(
        f"INSERT INTO marts.t SELECT * FROM (VALUES {rows}) v(id, share, label) ORDER BY {order}"
    )
    if extra_table:
        con.execute("CREATE TABLE marts.extra AS SELECT 1 AS n")
    con.close()
    return path


ROWS = "(1, 0.1, 'a'), (2, 1/3, NULL), (3, 'nan'::DOUBLE, 'c')"


def test_identical_warehouses(tmp_path):
    a = _warehouse(tmp_path / "a.duckdb", ROWS)
    b = _warehouse(tmp_path / "b.duckdb", ROWS)
    result = compare_warehouses(a, b)
    assert result.identical, result.summary()
    assert (result.tables_compared, result.rows_compared) == (1, 3)


def test_a_value_differing_in_the_last_bit_is_found(tmp_path):
    a = _warehouse(tmp_path / "a.duckdb", ROWS)
    b = _warehouse(tmp_path / "b.duckdb", ROWS.replace("1/3", "1/3 + 5e-17"))
    result = compare_warehouses(a, b)
    assert result.differences == ["marts.t: 1 rows differ"]


def test_missing_table_and_other_order(tmp_path):
    a = _warehouse(tmp_path / "a.duckdb", ROWS, extra_table=True)
    b = _warehouse(tmp_path / "b.duckdb", ROWS, order="id DESC")
    result = compare_warehouses(a, b)
    assert result.differences == [f"marts.extra: only in {a}"]
    assert result.order_only == ["marts.t"]


def test_the_streamed_digest_sees_two_rows_swapped_and_a_value_in_the_last_row(tmp_path):
    """The digest sums per-row md5s of position and text: equal tables are identical, two
    neighbouring rows swapped are an order difference, and a changed last row a difference."""
    rows = ", ".join(f"({i}, {i / 7}, 'r{i}')" for i in range(7))
    a = _warehouse(tmp_path / "a.duckdb", rows)
    same = _warehouse(tmp_path / "same.duckdb", rows)
    swapped = "CASE id WHEN 1 THEN 2 WHEN 2 THEN 1 ELSE id END"  # stored rows 1 and 2
    moved = _warehouse(tmp_path / "moved.duckdb", rows, order=swapped)
    last = _warehouse(tmp_path / "last.duckdb", rows.replace("'r6'", "'r6 '"))
    assert compare_warehouses(a, same).identical
    result = compare_warehouses(a, moved)
    assert result.order_only == ["marts.t"] and not result.differences
    assert compare_warehouses(a, last).differences == ["marts.t: 1 rows differ"]


def test_report_csvs_compared_byte_by_byte_except_the_colophon(tmp_path):
    a = _warehouse(tmp_path / "a.duckdb", ROWS)
    for d, text, built in (("ra", "x,1\n", "1"), ("rb", "x,1.0\n", "2")):
        (tmp_path / d / "tables").mkdir(parents=True)
        (tmp_path / d / "tables" / "t.csv").write_text(text)
        (tmp_path / d / "tables" / "colophon.csv").write_text(built)
    result = compare_warehouses(a, a, report_a=tmp_path / "ra", report_b=tmp_path / "rb")
    assert result.files_compared == 1
    assert result.differences == ["report tables/t.csv: contents differ"]


@pytest.mark.parametrize("schemas", [("marts",), ("panel",)])
def test_only_the_named_schemas_are_compared(tmp_path, schemas):
    a = _warehouse(tmp_path / "a.duckdb", ROWS)
    b = _warehouse(tmp_path / "b.duckdb", "(9, 9.0, 'z')")
    result = compare_warehouses(a, b, schemas=schemas)
    assert result.identical == (schemas == ("panel",))


def test_compare_command_exit_codes(tmp_path, capsys):
    from pipelines.cli import main

    a = _warehouse(tmp_path / "a.duckdb", ROWS)
    b = _warehouse(tmp_path / "b.duckdb", ROWS)
    c = _warehouse(tmp_path / "c.duckdb", "(9, 9.0, 'z')")
    assert main(["compare", str(a), str(b)]) == 0
    assert "identical" in capsys.readouterr().out
    assert main(["compare", str(a), str(c)]) == 1
    assert "marts.t: 3 rows vs 1" in capsys.readouterr().out
    assert main(["compare", str(a), str(tmp_path / "none.duckdb")]) == 2
