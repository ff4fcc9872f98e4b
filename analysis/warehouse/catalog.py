"""What a warehouse holds, described from DuckDB's catalog and comments (no row-level data).

- `describe_relation`  one table or view, `\\d`-style: kind, rows, comment, then every column
                       with its type and comment (`arbeidstrening describe TABLE`);
- `list_relations`     every table and view of the listed schemas with the first sentence of its
                       comment (`arbeidstrening describe` without a name, `info`).
"""

from __future__ import annotations

import re
import shutil
import textwrap
from dataclasses import dataclass

import duckdb

from analysis.warehouse.errors import WarehouseError

# Schemas shown to users, in reading order (start_here first: it is where to begin).
LISTED_SCHEMAS = ("start_here", "staging", "rejects", "panel", "marts", "protected", "meta", "raw")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str
    kind: str  # "table" or "view"
    comment: str

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def summary(self) -> str:
        """The comment's first sentence (or clause), for listings."""
        return re.split(r"(?<=[.?;])\s", self.comment or "", maxsplit=1)[0].rstrip(";")


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    """Whether `schema.name` is a table or view of the warehouse."""
    return (
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [schema, name],
        ).fetchone()[0]
        > 0
    )


def list_relations(
    con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] = LISTED_SCHEMAS
) -> list[Relation]:
    """Every table and view of `schemas` in the current database, in schema order, then name."""
    rows = con.execute(
        """
        SELECT schema_name, table_name, 'table', coalesce(comment, '') FROM duckdb_tables()
        WHERE database_name = current_database() AND NOT internal AND NOT temporary
        UNION ALL
        SELECT schema_name, view_name, 'view', coalesce(comment, '') FROM duckdb_views()
        WHERE database_name = current_database() AND NOT internal AND NOT temporary
        """
    ).fetchall()
    order = {s: i for i, s in enumerate(schemas)}
    found = [Relation(*r) for r in rows if r[0] in order]
    return sorted(found, key=lambda r: (order[r.schema], r.name))


def resolve_relation(con: duckdb.DuckDBPyConnection, name: str) -> Relation:
    """The table or view `name` (schema.name, or a name unique across the listed schemas).

    An unknown name raises WarehouseError with DuckDB's own hint ("Did you mean ...").
    """
    if not _NAME.match(name):
        raise WarehouseError(f"not a table name: {name!r} (expected schema.table or table)")
    schema, _, table = name.rpartition(".")
    matches = [
        r for r in list_relations(con) if r.name == table and (not schema or r.schema == schema)
    ]
    if len(matches) > 1:
        raise WarehouseError(
            f"{name} is in several schemas: {', '.join(r.qualified for r in matches)}; "
            "name one with schema.table"
        )
    if not matches:
        con.execute(f"DESCRIBE {name}")  # DuckDB's error names the table and suggests another
        raise WarehouseError(f"{name} is not a table or view of this warehouse")
    return matches[0]


def describe_relation(con: duckdb.DuckDBPyConnection, name: str, width: int | None = None) -> str:
    """A table or view `\\d`-style: what it is, its comment, each column with type and comment."""
    rel = resolve_relation(con, name)
    width = width or max(80, shutil.get_terminal_size((100, 24)).columns)
    rows = con.execute(f'SELECT count(*) FROM {rel.schema}."{rel.name}"').fetchone()[0]
    columns = con.execute(
        """
        SELECT column_name, data_type, coalesce(comment, '') FROM duckdb_columns()
        WHERE database_name = current_database() AND schema_name = ? AND table_name = ?
        ORDER BY column_index
        """,
        [rel.schema, rel.name],
    ).fetchall()
    lines = [f"{rel.kind.capitalize()} {rel.qualified} ({rows:,} rows)"]
    lines += textwrap.wrap(rel.comment, width) or ["(no comment)"]
    lines.append("")
    name_w = max(len("column"), *(len(c) for c, _, _ in columns))
    type_w = min(24, max(len("type"), *(len(t) for _, t, _ in columns)))
    text_w = max(30, width - name_w - type_w - 6)
    lines.append(f"{'column':<{name_w}} | {'type':<{type_w}} | comment")
    lines.append(f"{'-' * name_w}-+-{'-' * type_w}-+-{'-' * min(text_w, 40)}")
    for column, dtype, comment in columns:
        wrapped = textwrap.wrap(comment, text_w) or [""]
        lines.append(f"{column:<{name_w}} | {dtype:<{type_w}} | {wrapped[0]}")
        lines += [f"{'':<{name_w}} | {'':<{type_w}} | {more}" for more in wrapped[1:]]
    return "\n".join(lines)


def describe_listing(con: duckdb.DuckDBPyConnection, width: int | None = None) -> str:
    """Every listed table and view, one line each: name, kind, first sentence of its comment."""
    width = width or max(80, shutil.get_terminal_size((100, 24)).columns)
    relations = list_relations(con)
    name_w = max(len(r.qualified) for r in relations) if relations else 10
    lines = []
    for r in relations:
        head = f"{r.qualified:<{name_w}}  {r.kind:<5}  "
        lines.append(head + textwrap.shorten(r.summary or "-", max(20, width - len(head))))
    return "\n".join(lines)


__all__ = [
    "LISTED_SCHEMAS",
    "Relation",
    "describe_listing",
    "describe_relation",
    "list_relations",
    "resolve_relation",
]
