"""Invariants every result table in the warehouse must hold, whatever built it.

Counts in `marts` are exact: every count column (`n` or `n_*`) is of an integer type and holds a
non-negative integer in every row. Shares (`share`, `share_*`, `coverage`) lie in [0, 1].
"""

from __future__ import annotations

import duckdb

INTEGER_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
)


def is_count_column(name: str) -> bool:
    return name == "n" or name.startswith("n_")


def is_share_column(name: str) -> bool:
    return name in ("share", "coverage") or name.startswith("share_")


def invalid_counts(
    con: duckdb.DuckDBPyConnection, schema: str = "marts", table: str | None = None
) -> dict[str, str]:
    """`schema.table.column -> problem` for count columns that are not non-negative integers.

    A count column of a non-integer type is a problem by itself; otherwise rows with a NULL or
    negative count are counted. `table=None` checks every table of the schema.
    """
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE schema_name = ? AND (? IS NULL OR table_name = ?) ORDER BY table_name, column_index",
        [schema, table, table],
    ).fetchall()
    problems: dict[str, str] = {}
    for name, column, dtype in rows:
        if not is_count_column(column):
            continue
        where = f"{schema}.{name}.{column}"
        if dtype not in INTEGER_TYPES:
            problems[where] = f"type {dtype}, not an integer type"
            continue
        negative, missing = con.execute(
            f'SELECT count(*) FILTER (WHERE "{column}" < 0), count(*) FILTER (WHERE "{column}" IS NULL) '
            f'FROM {schema}."{name}"'
        ).fetchone()
        if negative or missing:
            problems[where] = f"{negative} negative and {missing} missing value(s)"
    return problems


def invalid_shares(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    """`schema.table.column -> problem` for share columns with values outside [0, 1]."""
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?",
        [schema, table],
    ).fetchall()
    problems = {}
    for (column,) in rows:
        if is_share_column(column):
            bad = con.execute(
                f'SELECT count(*) FROM {schema}."{table}" WHERE "{column}" < 0 OR "{column}" > 1'
            ).fetchone()[0]
            if bad:
                problems[f"{schema}.{table}.{column}"] = f"{bad} value(s) outside [0, 1]"
    return problems


__all__ = ["INTEGER_TYPES", "invalid_counts", "invalid_shares", "is_count_column"]
