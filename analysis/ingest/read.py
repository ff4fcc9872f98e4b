"""Read one contract table (Parquet file, CSV file or folder of Parquet files) into `raw`.

Every column of the file is kept as read; CSV files are read as text so that nothing is lost to
type guessing. Two lineage columns are added: `_source_file` (path relative to the input
directory) and `_source_row` (1-based data row within that file; for CSV the header is line 1, so
data row r is line r + 1).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from analysis.contract import Table
from analysis.ingest.errors import InputContractError
from analysis.warehouse import quote_literal


@dataclass(frozen=True)
class TableSource:
    """Where a table's data lives in the input directory."""

    table: str
    kind: str  # "parquet", "csv" or "parquet_folder"
    path: Path
    files: tuple[Path, ...]

    def relative(self, input_dir: Path, file: Path) -> str:
        try:
            return str(file.relative_to(input_dir))
        except ValueError:
            return str(file)


def locate_table(input_dir: Path, table: Table) -> TableSource:
    """Find `<name>.parquet`, `<name>.csv` or the folder `<name>/`; exactly one must exist."""
    input_dir = Path(input_dir)
    if not input_dir.is_dir():
        raise InputContractError(
            str(input_dir),
            "input directory does not exist",
            "a directory holding the contract tables",
        )
    candidates = {
        "parquet": input_dir / f"{table.name}.parquet",
        "csv": input_dir / f"{table.name}.csv",
        "parquet_folder": input_dir / table.name,
    }
    found = {kind: p for kind, p in candidates.items() if p.exists()}
    expected = f"{table.name}.parquet, {table.name}.csv or a folder {table.name}/ of Parquet files"
    if not found:
        raise InputContractError(
            f"{input_dir}/{table.name}.*", f"table {table.name!r} is missing", expected
        )
    if len(found) > 1:
        names = ", ".join(sorted(p.name for p in found.values()))
        raise InputContractError(
            str(input_dir),
            f"table {table.name!r} is given more than once ({names})",
            f"exactly one of {expected}",
        )
    kind, path = next(iter(found.items()))
    if kind == "parquet_folder":
        if not path.is_dir():
            raise InputContractError(str(path), "is not a directory", expected)
        files = tuple(sorted(p for p in path.rglob("*.parquet") if p.is_file()))
        if not files:
            raise InputContractError(str(path), "folder holds no .parquet files", expected)
    else:
        files = (path,)
    return TableSource(table.name, kind, path, files)


_SENSITIVE_LINE = re.compile(r"^\s*(Original Line|Line):.*$", re.MULTILINE)


def _describe_read_error(exc: Exception) -> str:
    """Keep the reader's diagnosis (line numbers, cause) but drop quoted row content."""
    text = str(exc)
    keep: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(
            (
                "Original Line",
                "Possible Solution",
                "file =",
                "delimiter",
                "quote",
                "escape",
                "new_line",
                "header",
                "skip_rows",
                "comment",
                "strict_mode",
                "date_format",
                "timestamp_format",
                "null_padding",
                "sample_size",
                "ignore_errors",
                "all_varchar",
            )
        ):
            continue
        keep.append(stripped)
    message = " ".join(keep[:3])
    message = re.sub(
        r"^(Invalid Input Error|IO Error|Conversion Error|Binder Error):\s*", "", message
    )
    return message or type(exc).__name__


def file_fingerprint(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _file_columns(
    con: duckdb.DuckDBPyConnection, source: TableSource, file: Path, rel: str
) -> list[str]:
    """Column names of one file; raises InputContractError if the file can't be read."""
    lit = quote_literal(str(file))
    try:
        if source.kind == "csv":
            rows = con.execute(f"DESCRIBE SELECT * FROM {_csv_reader(lit)}").fetchall()
            return [r[0] for r in rows]
        rows = con.execute(
            f"SELECT name FROM parquet_schema({lit}) WHERE num_children IS NULL OR num_children = 0"
        ).fetchall()
        return [r[0] for r in rows]
    except duckdb.Error as exc:
        raise InputContractError(
            rel, f"cannot be read: {_describe_read_error(exc)}", _FORMAT[source.kind]
        ) from None


_FORMAT = {
    "csv": "a UTF-8 CSV file (comma, header row, ISO dates)",
    "parquet": "a Parquet file",
    "parquet_folder": "a folder of Parquet files",
}


def _csv_reader(lit: str) -> str:
    return (
        f"read_csv({lit}, header = true, delim = ',', quote = '\"', escape = '\"', "
        "all_varchar = true, encoding = 'utf-8')"
    )


def read_raw(con: duckdb.DuckDBPyConnection, input_dir: Path, table: Table) -> dict:
    """Read a contract table into `raw.<name>` with lineage; fail clearly if it can't be used.

    Every file must be readable and hold every contract column (extra columns are kept).
    The previous `raw.<name>` is replaced only when the whole table has been read.
    Returns metadata: rows read, files with row counts, sizes and SHA-256 fingerprints.
    """
    input_dir = Path(input_dir)
    source = locate_table(input_dir, table)
    rels = {file: source.relative(input_dir, file) for file in source.files}
    for file, rel in rels.items():
        data_cols = _file_columns(con, source, file, rel)
        missing = [c for c in table.column_names if c not in data_cols]
        if missing:
            plural = "s" if len(missing) > 1 else ""
            raise InputContractError(
                rel,
                f"required column{plural} {', '.join(repr(m) for m in missing)} missing",
                f"columns {', '.join(table.column_names)} (found: {', '.join(data_cols) or 'none'})",
                column=missing[0],
            )
    tmp = f"raw.__reading_{table.name}"
    con.execute(f"DROP TABLE IF EXISTS {tmp}")
    try:
        if source.kind == "csv":
            ((file, rel),) = rels.items()
            con.execute(
                f"CREATE TABLE {tmp} AS SELECT * FROM {_csv_reader(quote_literal(str(file)))}"
            )
            con.execute(
                f"CREATE OR REPLACE TABLE {tmp} AS SELECT *, {quote_literal(rel)} AS _source_file, "
                f"CAST(rowid + 1 AS BIGINT) AS _source_row FROM {tmp}"
            )
        else:
            file_list = "[" + ", ".join(quote_literal(str(f)) for f in rels) + "]"
            prefix = str(input_dir) + "/"
            con.execute(
                f"CREATE TABLE {tmp} AS SELECT * EXCLUDE (filename, file_row_number), "
                f"replace(filename, {quote_literal(prefix)}, '') AS _source_file, "
                "CAST(file_row_number + 1 AS BIGINT) AS _source_row "
                f"FROM read_parquet({file_list}, union_by_name = true, filename = true, file_row_number = true)"
            )
    except duckdb.Error as exc:
        con.execute(f"DROP TABLE IF EXISTS {tmp}")
        where = (
            next(iter(rels.values()))
            if len(rels) == 1
            else f"{table.name}/ (one of {len(rels)} files)"
        )
        raise InputContractError(
            where, f"cannot be read: {_describe_read_error(exc)}", _FORMAT[source.kind]
        ) from None
    counts = dict(con.execute(f"SELECT _source_file, count(*) FROM {tmp} GROUP BY ALL").fetchall())
    con.execute(f"DROP TABLE IF EXISTS raw.{table.name}")
    con.execute(f"ALTER TABLE {tmp} RENAME TO {table.name}")
    _comment_raw(con, table, source)
    file_meta = [
        {
            "file": rel,
            "rows": int(counts.get(rel, 0)),
            "bytes": f.stat().st_size,
            "sha256": file_fingerprint(f),
        }
        for f, rel in rels.items()
    ]
    return {
        "table": table.name,
        "kind": source.kind,
        "rows": sum(m["rows"] for m in file_meta),
        "files": file_meta,
    }


def _comment_raw(con: duckdb.DuckDBPyConnection, table: Table, source: TableSource) -> None:
    from analysis.warehouse import LINEAGE_COLUMNS, apply_comments

    described = {
        c.name: f"as read ({source.kind}); contract: {c.description}" for c in table.columns
    }
    columns = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'raw' AND table_name = ?",
            [table.name],
        ).fetchall()
    ]
    comments = {
        c: described.get(c)
        or LINEAGE_COLUMNS.get(
            c, (None, "extra column not in the contract: kept as read, not used")
        )[1]
        for c in columns
    }
    apply_comments(
        con,
        f"raw.{table.name}",
        f"{table.name} exactly as read from the input ({source.kind}), every column kept, with lineage.",
        comments,
    )


def record_input_files(con: duckdb.DuckDBPyConnection, meta: dict) -> None:
    """Store a table's input files with row counts, sizes and SHA-256 in `meta.input_files`."""
    from analysis.warehouse import apply_comments

    con.execute(
        "CREATE TABLE IF NOT EXISTS meta.input_files ("
        "table_name VARCHAR, file VARCHAR, rows BIGINT, bytes BIGINT, sha256 VARCHAR)"
    )
    con.execute("DELETE FROM meta.input_files WHERE table_name = ?", [meta["table"]])
    con.executemany(
        "INSERT INTO meta.input_files VALUES (?, ?, ?, ?, ?)",
        [[meta["table"], f["file"], f["rows"], f["bytes"], f["sha256"]] for f in meta["files"]],
    )
    apply_comments(
        con,
        "meta.input_files",
        "Input files read in this run, with their fingerprints (the input's identity).",
        {
            "table_name": "contract table the file belongs to",
            "file": "path relative to the input directory",
            "rows": "data rows read",
            "bytes": "file size",
            "sha256": "SHA-256 of the file's bytes",
        },
    )
