"""The warehouse's layout: schemas (layers), staging DDL, comments, the observation window, SQL files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb

from analysis.contract import TABLES, Table
from analysis.warehouse.sql_constants import render_sql

SQL_DIR = Path(__file__).parent.parent / "sql"

SCHEMAS: dict[str, str] = {
    "raw": "Input tables as read, every column kept, with file and row lineage (_source_file, _source_row).",
    "staging": "Typed, validated input tables: only rows that pass every contract rule.",
    "rejects": "One table per input table holding exactly its rejected rows, each with the rule it broke.",
    "meta": "Run metadata: observation window, ingestion counts, input fingerprint, settings.",
    "panel": "Analysis-ready tables: Arbeidstrening spells and the person-month panel.",
    "marts": "Results read by reports, analysts and outside checks (exact counts; disclosure control is applied on export).",
    "start_here": "Start here: views for the questions analysts ask, read from the marts, one unit per column (FROM start_here.guide).",
}

LINEAGE_COLUMNS: dict[str, tuple[str, str]] = {
    "_source_file": ("VARCHAR", "input file the row was read from"),
    "_source_row": (
        "BIGINT",
        "1-based data row number within that file (CSV: line number minus 1)",
    ),
}


def quote_literal(text: str) -> str:
    """Quote a Python string as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def create_schemas(con: duckdb.DuckDBPyConnection) -> None:
    """Create every warehouse schema (if missing) and describe it in `meta.schemas`.

    DuckDB 1.x cannot COMMENT ON SCHEMA, so schema descriptions live in a commented table.
    """
    for schema in SCHEMAS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    con.execute(
        "CREATE OR REPLACE TABLE meta.schemas AS "
        "SELECT * FROM (VALUES "
        + ", ".join(f"({quote_literal(s)}, {quote_literal(c)})" for s, c in SCHEMAS.items())
        + ") AS t(schema_name, description)"
    )
    apply_comments(
        con,
        "meta.schemas",
        "The warehouse layers (schemas) and what each holds.",
        {"schema_name": "schema (layer) name", "description": "what the layer holds"},
    )


def staging_ddl(table: Table, schema: str = "staging") -> str:
    """CREATE TABLE statement for a staging table: contract columns, typed, plus lineage."""
    cols = [f'"{c.name}" {c.sql_type}' for c in table.columns]
    cols += [f"{name} {sql_type}" for name, (sql_type, _) in LINEAGE_COLUMNS.items()]
    return f"CREATE OR REPLACE TABLE {schema}.{table.name} (\n  " + ",\n  ".join(cols) + "\n)"


def comment_staging_table(
    con: duckdb.DuckDBPyConnection, table: Table, schema: str = "staging"
) -> None:
    """Write the contract's table and column descriptions as DuckDB comments."""
    apply_comments(
        con,
        f"{schema}.{table.name}",
        f"One row per {table.grain}; typed and validated against the input contract.",
        {c.name: c.description for c in table.columns}
        | {name: desc for name, (_, desc) in LINEAGE_COLUMNS.items()},
    )


def create_empty_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Create empty, commented staging tables for every contract table (used by tests)."""
    create_schemas(con)
    for table in TABLES:
        con.execute(staging_ddl(table))
        comment_staging_table(con, table)


def set_observation_window(
    con: duckdb.DuckDBPyConnection, start: str, end: str, source: str
) -> None:
    """Write `meta.observation_window`: the one-row window every result is censored at."""
    create_schemas(con)
    con.execute(
        "CREATE OR REPLACE TABLE meta.observation_window AS "
        "SELECT CAST(? AS DATE) AS observation_start, CAST(? AS DATE) AS observation_end, "
        "CAST(? AS VARCHAR) AS source",
        [start, end, source],
    )
    apply_comments(
        con,
        "meta.observation_window",
        "The window the extract covers; outcomes past observation_end are censored, never zero.",
        {
            "observation_start": "first day covered by the extract",
            "observation_end": "last day covered; ongoing spells run to this day and no further",
            "source": "where the window came from (extract.json, command-line override, or data)",
        },
    )


def apply_comments(
    con: duckdb.DuckDBPyConnection,
    table: str,
    table_comment: str,
    column_comments: Mapping[str, str],
) -> None:
    """COMMENT ON a table (or view) and its columns. Fails if a commented column is missing."""
    kind = _relation_kind(con, table)
    con.execute(f"COMMENT ON {kind} {table} IS {quote_literal(table_comment)}")
    for column, comment in column_comments.items():
        con.execute(f'COMMENT ON COLUMN {table}."{column}" IS {quote_literal(comment)}')


def _relation_kind(con: duckdb.DuckDBPyConnection, table: str) -> str:
    schema, _, name = table.rpartition(".")
    row = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema or "main", name],
    ).fetchone()
    if row is None:
        raise ValueError(f"cannot comment on {table}: no such table or view")
    return "VIEW" if row[0] == "VIEW" else "TABLE"


def read_sql(relative_path: str, **params: str) -> str:
    """A SQL file under analysis/sql/ (e.g. 'marts/transitions.sql'), rendered.

    `{{name}}` placeholders are replaced by the study's code lists and design facts
    (:data:`analysis.warehouse.sql_constants.SQL_CONSTANTS`) and by `params` (identifiers a file
    takes as a parameter, e.g. the grouping column). An unknown placeholder is an error naming
    the file, so a code list is never silently left out.
    """
    text = (SQL_DIR / relative_path).read_text(encoding="utf-8")
    return render_sql(text, relative_path, params)
