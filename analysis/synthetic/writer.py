"""Writing tables in the contract's formats (Parquet files / folder, or CSV)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from analysis.contract import TABLES_BY_NAME

ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "DATE": pa.date32(),
    "BOOLEAN": pa.bool_(),
}
_CSV_OPTIONS = pacsv.WriteOptions(include_header=True, quoting_style="needed")


def schema_for(name: str) -> pa.Schema:
    """The Arrow schema of a contract table (column order as in contract.py)."""
    return pa.schema(
        [pa.field(c.name, ARROW_TYPES[c.sql_type]) for c in TABLES_BY_NAME[name].columns]
    )


def date_array(days: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    arr = pa.array(np.asarray(days, dtype=np.int32), mask=null)
    return arr.cast(pa.date32())


def str_array(values, null: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values).astype(str), type=pa.string(), mask=null)


def take(strings: pa.Array, idx: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """Strings by index (vectorised), with optional nulls."""
    idx = np.asarray(idx, dtype=np.int64)
    if null is not None:
        return strings.take(pa.array(np.where(null, 0, idx), mask=null))
    return strings.take(pa.array(idx))


def make_table(name: str, columns: dict[str, pa.Array]) -> pa.Table:
    schema = schema_for(name)
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)


def write_table(table: pa.Table, out_dir: Path, name: str, fmt: str) -> None:
    if fmt == "parquet":
        pq.write_table(table, out_dir / f"{name}.parquet")
    else:
        pacsv.write_csv(table, out_dir / f"{name}.csv", write_options=_CSV_OPTIONS)


class EmploymentWriter:
    """employment_months as a folder of yearly Parquet files, or as a single CSV."""

    def __init__(self, out_dir: Path, fmt: str, years: range):
        self.fmt = fmt
        self.schema = schema_for("employment_months")
        self.rows = 0
        if fmt == "parquet":
            folder = out_dir / "employment_months"
            folder.mkdir(parents=True, exist_ok=True)
            self.writers = {
                y: pq.ParquetWriter(folder / f"part-{y}.parquet", self.schema) for y in years
            }
        else:
            self.writer = pacsv.CSVWriter(
                out_dir / "employment_months.csv", self.schema, write_options=_CSV_OPTIONS
            )

    def write(self, year: int | None, table: pa.Table) -> None:
        self.rows += table.num_rows
        if self.fmt == "parquet":
            self.writers[year].write_table(table)
        else:
            self.writer.write_table(table)

    def close(self) -> None:
        if self.fmt == "parquet":
            for w in self.writers.values():
                w.close()
        else:
            self.writer.close()
