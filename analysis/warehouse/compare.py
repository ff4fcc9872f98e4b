"""Compare two warehouses (and two report directories) table by table, value by value.

Used to show that a refactoring changed no result: every table of the compared schemas must hold
the same columns (names and types, in order) and the same rows in the same stored order, and the
report's CSV files must be byte-identical. `meta` is left out by default: it records when and by
which code version a warehouse was built, which differs by design.
"""

from __future__ import annotations

import filecmp
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

DEFAULT_SCHEMAS = ("staging", "rejects", "panel", "marts", "protected")
# The colophon records when, from which file and by which code version a report was built.
BUILD_RECORD_FILES = ("tabeller/kolofon.csv", "tables/colophon.csv")


@dataclass
class Comparison:
    """What differs between two warehouses: one line per difference, and what was compared."""

    differences: list[str] = field(default_factory=list)
    # Tables holding the same rows in another stored order (a table is a set; an order set by
    # parallel inserts is not a result), listed but not counted as differences.
    order_only: list[str] = field(default_factory=list)
    tables_compared: int = 0
    rows_compared: int = 0
    files_compared: int = 0

    @property
    def identical(self) -> bool:
        return not self.differences

    def summary(self) -> str:
        head = (
            f"{self.tables_compared} tables ({self.rows_compared:,} rows) and "
            f"{self.files_compared} report files compared: "
        )
        note = (
            "\n  same rows, other stored order (not a difference): " + ", ".join(self.order_only)
            if self.order_only
            else ""
        )
        if self.identical:
            return head + "identical" + note
        lines = "\n".join(f"  {d}" for d in self.differences)
        return head + f"{len(self.differences)} differences\n" + lines + note


def _tables(con: duckdb.DuckDBPyConnection, db: str, schemas: tuple[str, ...]) -> set[str]:
    rows = con.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
        "WHERE database_name = ? AND list_contains(?, schema_name)",
        [db, list(schemas)],
    ).fetchall()
    return {r[0] for r in rows}


def _columns(con: duckdb.DuckDBPyConnection, db: str, table: str) -> list[tuple[str, str]]:
    schema, name = table.split(".")
    return con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? "
        "AND schema_name = ? AND table_name = ? ORDER BY column_index",
        [db, schema, name],
    ).fetchall()


def _ordered_digest(con: duckdb.DuckDBPyConnection, ref: str) -> tuple[int, str]:
    """Row count and an order-sensitive digest of the table: the sums of the two 64-bit halves
    of the md5 of each row's stored position and text (exact: floats print as their shortest
    round-trip decimal). Sums stream, so no table is held in memory (an ordered string of
    every row, the former digest, did not fit for the 65 M-row panel at scale 1.0); two tables
    with the same rows in another order differ in it."""
    n, lower, upper = con.execute(
        f"""
        SELECT count(*), sum(md5_number_lower(x)), sum(md5_number_upper(x))
        FROM (SELECT CAST(rowid AS VARCHAR) || chr(9) || CAST(t AS VARCHAR) AS x FROM {ref} AS t)
        """
    ).fetchone()
    return int(n), f"{lower}:{upper}"


def compare_warehouses(
    a: str | Path,
    b: str | Path,
    schemas: tuple[str, ...] = DEFAULT_SCHEMAS,
    report_a: str | Path | None = None,
    report_b: str | Path | None = None,
) -> Comparison:
    """Compare warehouse files `a` and `b` (opened read-only) and, if given, two report dirs."""
    result = Comparison()
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(
            f"ATTACH '{Path(a).as_posix().replace(chr(39), chr(39) * 2)}' AS wa (READ_ONLY)"
        )
        con.execute(
            f"ATTACH '{Path(b).as_posix().replace(chr(39), chr(39) * 2)}' AS wb (READ_ONLY)"
        )
        ta, tb = _tables(con, "wa", schemas), _tables(con, "wb", schemas)
        for t in sorted(ta - tb):
            result.differences.append(f"{t}: only in {a}")
        for t in sorted(tb - ta):
            result.differences.append(f"{t}: only in {b}")
        for t in sorted(ta & tb):
            result.tables_compared += 1
            ca, cb = _columns(con, "wa", t), _columns(con, "wb", t)
            if ca != cb:
                result.differences.append(f"{t}: columns differ ({ca} vs {cb})")
                continue
            (na, da), (nb, db) = _ordered_digest(con, f"wa.{t}"), _ordered_digest(con, f"wb.{t}")
            result.rows_compared += na
            if na != nb:
                result.differences.append(f"{t}: {na:,} rows vs {nb:,}")
            elif da != db:
                unordered = con.execute(
                    f"SELECT count(*) FROM (SELECT * FROM wa.{t} EXCEPT ALL SELECT * FROM wb.{t})"
                ).fetchone()[0]
                if unordered == 0:
                    result.order_only.append(t)
                else:
                    result.differences.append(f"{t}: {unordered:,} rows differ")
    finally:
        con.close()
    if report_a is not None and report_b is not None:
        _compare_report_files(Path(report_a), Path(report_b), result)
    return result


def _compare_report_files(a: Path, b: Path, result: Comparison) -> None:
    """CSV files of two report directories, byte by byte (PDF/HTML and the colophon record the
    build time and code version, so they are left out)."""
    skip = {Path(f) for f in BUILD_RECORD_FILES}
    fa = {p.relative_to(a) for p in a.rglob("*.csv")} - skip
    fb = {p.relative_to(b) for p in b.rglob("*.csv")} - skip
    for f in sorted(fa ^ fb):
        result.differences.append(f"report {f}: only in {a if f in fa else b}")
    for f in sorted(fa & fb):
        result.files_compared += 1
        if not filecmp.cmp(a / f, b / f, shallow=False):
            result.differences.append(f"report {f}: contents differ")
