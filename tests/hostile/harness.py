"""Run an extract through ingestion, the plausibility gates, the panel and the marts, in memory.

These are the same library functions the Dagster assets call, in the same order, so the outcome
(stop with a message, or publish with exact rejects and marts) is the pipeline's; the wiring into
blocking checks and publication is tested end to end in tests/test_hostile_runs.py.
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.contract import TABLES, TABLES_BY_NAME
from analysis.ingest import InputContractError, check_plausibility, ingest_directory
from analysis.marts import MART_STEPS
from analysis.panel import build_panel
from analysis.warehouse import QueryError, sanitized_errors
from tests.input_builders import BASE_WINDOW, base_register, write_register

MART_NAMES = tuple(step.name for step in MART_STEPS)


@dataclass
class Result:
    stopped: bool
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    con: duckdb.DuckDBPyConnection | None = None

    def rejects(self, table: str) -> list[tuple[str, int, str, str]]:
        return self.con.execute(
            f"SELECT _source_file, _source_row, rule, column_name FROM rejects.{table} "
            "ORDER BY _source_file, _source_row"
        ).fetchall()

    def marts(self) -> dict[str, list[tuple]]:
        return mart_rows(self.con)


def mart_rows(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {name: con.execute(f"FROM marts.{name} ORDER BY ALL").fetchall() for name in MART_NAMES}


def run_extract(
    path: Path,
    observation_start: str | None = None,
    observation_end: str | None = None,
    time_zone: str | None = None,
) -> Result:
    """Ingest, gate, and (if everything passed) build panel and marts; never raises for bad input."""
    con = duckdb.connect()
    if time_zone:
        con.execute(f"SET TimeZone = '{time_zone}'")
    warnings: list[str] = []
    try:
        with sanitized_errors():
            ingest_directory(con, path, observation_start, observation_end, warn=warnings.append)
            failed = [g.message for g in check_plausibility(con) if not g.passed]
            if failed:
                return Result(True, " | ".join(failed), warnings, con)
            build_panel(con)
            for step in MART_STEPS:
                step.build(con)
    except (InputContractError, QueryError) as exc:
        return Result(True, str(exc), warnings, con)
    return Result(False, "", warnings, con)


# --- building and breaking extracts ---------------------------------------------------------


def write_base(root: Path, fmt: str) -> Path:
    return write_register(root / f"base-{fmt}", base_register(), fmt=fmt, window=BASE_WINDOW)


def copy_extract(base: Path, target: Path) -> Path:
    shutil.copytree(base, target)
    return target


def csv_rows(path: Path) -> int:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def append_csv(path: Path, *rows: dict) -> list[int]:
    """Append rows (dicts by column) to a CSV; returns their data row numbers."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh))
    first = csv_rows(path) + 1
    with open(path, "a", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        for row in rows:
            writer.writerow(["" if row.get(c) is None else str(row[c]) for c in header])
    return list(range(first, first + len(rows)))


def valid_row(table: str, **changes) -> dict:
    """A row of `table` from the base register (its first), with changes."""
    row = dict(base_register()[table][0])
    row.update(changes)
    return row


def rewrite_parquet(path: Path, change) -> None:
    """Replace a Parquet file by change(table) (a pyarrow Table)."""
    table = pq.read_table(path)
    pq.write_table(change(table), path)


def replace_column(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
    return table.set_column(table.schema.get_field_index(name), name, values)


def text_replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


ALL_TABLES = tuple(t.name for t in TABLES)
CONTRACT = TABLES_BY_NAME
