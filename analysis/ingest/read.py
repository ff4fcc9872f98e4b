"""Read one contract table (Parquet file, CSV file or folder of Parquet files) into `raw`.

`raw.<table>` holds the contract's columns as text, exactly as read (Parquet values rendered as
text without loss, except the conversions documented in `analysis.ingest.types`), plus two lineage
columns: `_source_file` (path relative to the input directory) and `_source_row` (1-based data row
within that file; for CSV the header is line 1, so data row r starts on line r + 1 unless a value
spans lines).

- Columns outside the contract are not read (a national id an extract happens to carry never
  enters the warehouse); a warning names them and `meta.input_columns` lists them.
- Column names match exactly or, failing that, ignoring case (a warning names the renaming); a
  contract column given twice (also ignoring case) stops the run.
- CSV: UTF-8 (a byte-order mark is accepted), comma, header row, `"` quotes, LF or CRLF; parsed
  strictly, so a row with the wrong number of fields stops the run naming its line.
- Paths are literal: DuckDB reads each file through a private alias, so `*`, `?` or `[` in a name
  the user gave are never expanded.

Every whole-file problem raises InputContractError naming the file, the column (where there is
one) and what was expected, and never quoting row content.
"""

from __future__ import annotations

import csv
import hashlib
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.contract import Table
from analysis.ingest.errors import InputContractError
from analysis.ingest.types import ColumnTypeError, ReadPlan, plan_parquet_column
from analysis.warehouse import LINEAGE_COLUMNS, apply_comments, mask_values, quote_literal

_FORMAT = {
    "csv": "a UTF-8 CSV file (comma, header row, ISO dates)",
    "parquet": "a Parquet file",
    "parquet_folder": "a folder of Parquet files",
}
_HEADER_LIMIT = 1 << 20
_BOM = b"\xef\xbb\xbf"


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


@dataclass
class FilePlan:
    """How one file's columns are read: contract column -> read plan, plus what is left out."""

    file: Path
    rel: str
    n_columns: int
    plans: dict[str, ReadPlan]
    stored: dict[str, str]
    source_names: dict[str, str]
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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
        files = tuple(
            sorted(
                p
                for p in path.rglob("*.parquet")
                if p.is_file() and not p.name.startswith((".", "_"))
            )
        )
        if not files:
            raise InputContractError(str(path), "folder holds no .parquet files", expected)
    elif not path.is_file():
        raise InputContractError(str(path), "is not a file", expected)
    else:
        files = (path,)
    return TableSource(table.name, kind, path, files)


def count_rows(input_dir: Path, table: Table) -> int:
    """The number of rows of a table in the input directory (Parquet: from the files' footers;
    CSV: one read in the dialect ingestion reads), without validating them. Raises
    InputContractError or duckdb.Error."""
    source = locate_table(input_dir, table)
    with duckdb.connect() as con:
        if source.kind != "csv":
            files = [str(f) for f in source.files]
            return con.execute("SELECT count(*) FROM read_parquet(?)", [files]).fetchone()[0]
        (file,) = source.files
        n_columns = len(_csv_header(file, source.relative(input_dir, file)))
        (n_rows,) = con.execute(
            f"SELECT count(*) FROM {_csv_source(str(file), n_columns)}"
        ).fetchone()
        return n_rows


def file_fingerprint(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --- Column names -----------------------------------------------------------------------------


def _match_columns(
    names: list[str], table: Table, rel: str, kind: str
) -> tuple[dict[str, int], list[str]]:
    """Contract column -> position in the file; raises on duplicates and missing columns."""
    lower = [n.lower() for n in names]
    wanted = {c.lower() for c in table.column_names}
    doubled = sorted({n for n in lower if n in wanted and lower.count(n) > 1})
    if doubled:
        raise InputContractError(
            rel,
            f"column {doubled[0]!r} is given {lower.count(doubled[0])} times (names compared "
            "ignoring case)",
            "each contract column once",
            column=doubled[0],
        )
    position: dict[str, int] = {}
    renamed: list[str] = []
    for column in table.column_names:
        if column in names:
            position[column] = names.index(column)
        elif column in lower:
            position[column] = lower.index(column)
            renamed.append(f"{names[position[column]]} -> {column}")
    missing = [c for c in table.column_names if c not in position]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        if not position:
            problem = (
                f"none of the contract's columns is named in the "
                f"{'first line: the header row seems to be missing' if kind == 'csv' else 'file'}"
            )
            expected = f"columns {', '.join(table.column_names)}"
        else:
            problem = f"required column{plural} {', '.join(repr(m) for m in missing)} missing"
            expected = f"columns {', '.join(table.column_names)} (found: {', '.join(names)})"
        raise InputContractError(rel, problem, expected, column=missing[0])
    return position, renamed


def _csv_header(file: Path, rel: str) -> list[str]:
    with open(file, "rb") as fh:
        head = fh.read(_HEADER_LIMIT)
    if head.startswith(_BOM):
        head = head[len(_BOM) :]
    if not head.strip():
        raise InputContractError(rel, "is empty (no header row)", _FORMAT["csv"])
    if b"\n" not in head and b"\r" not in head and len(head) == _HEADER_LIMIT - len(_BOM):
        raise InputContractError(rel, "has no line break in its first MB", _FORMAT["csv"])
    first = re.split(rb"\r\n|\n|\r", head, maxsplit=1)[0]
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError:
        raise InputContractError(rel, "line 1: not UTF-8", _FORMAT["csv"]) from None
    names = [n.strip() for n in next(csv.reader([text]))]
    if len(names) == 1:
        for sep, label in ((";", "semicolons"), ("\t", "tabs")):
            if sep in names[0]:
                raise InputContractError(
                    rel,
                    f"the header is separated by {label}, not commas",
                    _FORMAT["csv"],
                )
    return names


def _plan_csv(file: Path, rel: str, table: Table) -> FilePlan:
    names = _csv_header(file, rel)
    position, renamed = _match_columns(names, table, rel, "csv")
    plan = FilePlan(
        file,
        rel,
        len(names),
        {c: ReadPlan(f"c{i + 1}") for c, i in position.items()},
        {c: "text" for c in position},
        {c: names[i] for c, i in position.items()},
        ignored=[n for i, n in enumerate(names) if i not in position.values()],
    )
    if renamed:
        plan.notes.append(f"{rel}: columns matched ignoring case: {', '.join(renamed)}")
    return plan


def _plan_parquet(file: Path, rel: str, table: Table) -> FilePlan:
    try:
        schema = pq.read_schema(file)
    except (pa.ArrowException, OSError) as exc:
        reason = type(exc).__name__
        raise InputContractError(
            rel, f"cannot be read ({reason}: not a Parquet file or damaged)", _FORMAT["parquet"]
        ) from None
    names = list(schema.names)
    position, renamed = _match_columns(names, table, rel, "parquet")
    plan = FilePlan(file, rel, len(names), {}, {}, {})
    for column in table.columns:
        i = position[column.name]
        source = '"' + names[i].replace('"', '""') + '"'
        try:
            plan.plans[column.name] = plan_parquet_column(column, source, schema.field(i).type)
        except ColumnTypeError as exc:
            raise InputContractError(
                rel, f"column {column.name!r} {exc}", column=column.name
            ) from None
        plan.stored[column.name] = str(schema.field(i).type)
        plan.source_names[column.name] = names[i]
        if plan.plans[column.name].conversion:
            plan.notes.append(f"{rel}: {column.name} {plan.plans[column.name].conversion}")
    plan.ignored = [n for i, n in enumerate(names) if i not in position.values()]
    if renamed:
        plan.notes.append(f"{rel}: columns matched ignoring case: {', '.join(renamed)}")
    return plan


# --- Reading ------------------------------------------------------------------------------------


@contextmanager
def _literal_aliases(files: list[Path]) -> Iterator[dict[Path, str]]:
    """A private symlink per file, so DuckDB never expands glob characters in the user's paths."""
    with tempfile.TemporaryDirectory(prefix="arbeidstrening-read-") as tmp:
        if re.search(r"[*?\[\]{}]", tmp):
            raise RuntimeError(f"temporary directory {tmp} has glob characters in its name")
        aliases = {}
        for i, file in enumerate(files):
            alias = Path(tmp) / f"{i}{file.suffix}"
            alias.symlink_to(file.absolute())
            aliases[file] = str(alias)
        yield aliases


def _describe_csv_error(exc: Exception) -> str:
    """DuckDB's CSV diagnosis (line, cause) without the quoted line of data."""
    text = str(exc)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    causes = []
    if "Invalid unicode" in text:
        causes.append("not UTF-8")
    columns = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if columns:
        causes.append(f"{columns.group(2)} fields where the header has {columns.group(1)}")
    if "unterminated quote" in text:
        causes.append("a quoted value is not closed")
    if "invalid state" in text:
        causes.append("not a well-formed CSV file (mixed line endings or stray quotes)")
    if not causes:
        causes.append(mask_values(text.splitlines()[0] if text else type(exc).__name__))
    return (f"line {line.group(1)}: " if line else "") + "; ".join(causes)


def _csv_source(alias: str, n_columns: int) -> str:
    columns = "{" + ", ".join(f"'c{i + 1}': 'VARCHAR'" for i in range(n_columns)) + "}"
    return (
        f"read_csv({quote_literal(alias)}, header = true, auto_detect = false, "
        f"columns = {columns}, delim = ',', quote = '\"', escape = '\"', strict_mode = true, "
        "encoding = 'utf-8')"
    )


def _raw_ddl(name: str, table: Table) -> str:
    cols = [f'"{c}" VARCHAR' for c in table.column_names]
    cols += [f"{n} {t}" for n, (t, _) in LINEAGE_COLUMNS.items()]
    return f"CREATE OR REPLACE TABLE {name} ({', '.join(cols)})"


def _insert_csv(
    con: duckdb.DuckDBPyConnection, target: str, table: Table, plan: FilePlan, alias: str
) -> None:
    select = ", ".join(f'{plan.plans[c].expression} AS "{c}"' for c in table.column_names)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE __csv_rows AS SELECT * FROM {_csv_source(alias, plan.n_columns)}"
    )
    con.execute(
        f"INSERT INTO {target} SELECT {select}, {quote_literal(plan.rel)}, "
        "CAST(rowid + 1 AS BIGINT) FROM __csv_rows"
    )
    con.execute("DROP TABLE __csv_rows")


def _insert_parquet(
    con: duckdb.DuckDBPyConnection,
    target: str,
    table: Table,
    plans: list[FilePlan],
    aliases: dict[Path, str],
) -> None:
    """Read Parquet files that share their read plan (same types) in one statement."""
    select = ", ".join(f'{plans[0].plans[c].expression} AS "{c}"' for c in table.column_names)
    files = "[" + ", ".join(quote_literal(aliases[p.file]) for p in plans) + "]"
    rel = "CASE filename " + " ".join(
        f"WHEN {quote_literal(aliases[p.file])} THEN {quote_literal(p.rel)}" for p in plans
    )
    con.execute(
        f"INSERT INTO {target} SELECT {select}, {rel} END, CAST(file_row_number + 1 AS BIGINT) "
        f"FROM read_parquet({files}, union_by_name = true, filename = true, "
        "file_row_number = true)"
    )


def _plan_groups(plans: list[FilePlan], table: Table) -> list[list[FilePlan]]:
    """Files in order, grouped (consecutively) by identical stored types and read plans."""
    groups: list[list[FilePlan]] = []
    for plan in plans:
        key = [(plan.stored[c], plan.plans[c].expression) for c in table.column_names]
        if groups and key == [
            (groups[-1][0].stored[c], groups[-1][0].plans[c].expression) for c in table.column_names
        ]:
            groups[-1].append(plan)
        else:
            groups.append([plan])
    return groups


def read_raw(con: duckdb.DuckDBPyConnection, input_dir: Path, table: Table) -> dict:
    """Read a contract table into `raw.<name>` with lineage; fail clearly if it can't be used.

    Every file must be readable and hold every contract column in a readable type. The previous
    `raw.<name>` is replaced only when the whole table has been read. Returns metadata: rows read;
    files with row counts, sizes and SHA-256; the columns read and left out; warnings (`notes`).
    """
    input_dir = Path(input_dir)
    source = locate_table(input_dir, table)
    kind = "csv" if source.kind == "csv" else "parquet"
    plans = []
    for file in source.files:
        rel = source.relative(input_dir, file)
        plans.append(
            _plan_csv(file, rel, table) if kind == "csv" else _plan_parquet(file, rel, table)
        )
    tmp = f"raw.__reading_{table.name}"
    con.execute(_raw_ddl(tmp, table))
    with _literal_aliases(list(source.files)) as aliases:
        for group in _plan_groups(plans, table):
            try:
                if kind == "csv":
                    _insert_csv(con, tmp, table, group[0], aliases[group[0].file])
                else:
                    _insert_parquet(con, tmp, table, group, aliases)
            except duckdb.Error as exc:
                con.execute(f"DROP TABLE IF EXISTS {tmp}")
                reason = (
                    _describe_csv_error(exc)
                    if kind == "csv"
                    else mask_values(str(exc).splitlines()[0])
                )
                where = (
                    group[0].rel if len(group) == 1 else f"{source.path.name}/ ({len(group)} files)"
                )
                raise InputContractError(
                    where, f"cannot be read: {reason}", _FORMAT[source.kind]
                ) from None
    counts = dict(con.execute(f"SELECT _source_file, count(*) FROM {tmp} GROUP BY ALL").fetchall())
    con.execute(f"DROP TABLE IF EXISTS raw.{table.name}")
    con.execute(f"ALTER TABLE {tmp} RENAME TO {table.name}")
    _comment_raw(con, table, source)
    notes = [note for plan in plans for note in plan.notes]
    ignored = sorted({name for plan in plans for name in plan.ignored})
    if ignored:
        notes.append(
            f"{table.name}: {len(ignored)} column{'s' if len(ignored) > 1 else ''} outside the "
            f"contract not read: {', '.join(ignored)}"
        )
    columns = [
        {
            "file": plan.rel,
            "column_name": c,
            "source_column": plan.source_names[c],
            "stored_as": plan.stored[c],
            "conversion": plan.plans[c].conversion,
        }
        for plan in plans
        for c in table.column_names
    ] + [
        {
            "file": plan.rel,
            "column_name": None,
            "source_column": name,
            "stored_as": None,
            "conversion": "outside the contract: not read",
        }
        for plan in plans
        for name in plan.ignored
    ]
    files = [
        {
            "file": plan.rel,
            "rows": int(counts.get(plan.rel, 0)),
            "bytes": plan.file.stat().st_size,
            "sha256": file_fingerprint(plan.file),
        }
        for plan in plans
    ]
    return {
        "table": table.name,
        "kind": source.kind,
        "rows": sum(f["rows"] for f in files),
        "files": files,
        "columns": columns,
        "ignored_columns": ignored,
        "notes": notes,
    }


def _comment_raw(con: duckdb.DuckDBPyConnection, table: Table, source: TableSource) -> None:
    comments = {
        c.name: f"as read ({source.kind}), as text; contract: {c.description}"
        for c in table.columns
    } | {name: desc for name, (_, desc) in LINEAGE_COLUMNS.items()}
    apply_comments(
        con,
        f"raw.{table.name}",
        f"{table.name} as read from the input ({source.kind}): the contract's columns as text, "
        "with lineage; columns outside the contract are not read (meta.input_columns).",
        comments,
    )


def record_input_files(con: duckdb.DuckDBPyConnection, meta: dict) -> None:
    """Store a table's files (`meta.input_files`) and columns (`meta.input_columns`)."""
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
    con.execute(
        "CREATE TABLE IF NOT EXISTS meta.input_columns (table_name VARCHAR, file VARCHAR, "
        "column_name VARCHAR, source_column VARCHAR, stored_as VARCHAR, conversion VARCHAR)"
    )
    con.execute("DELETE FROM meta.input_columns WHERE table_name = ?", [meta["table"]])
    if meta.get("columns"):
        con.executemany(
            "INSERT INTO meta.input_columns VALUES (?, ?, ?, ?, ?, ?)",
            [
                [
                    meta["table"],
                    c["file"],
                    c["column_name"],
                    c["source_column"],
                    c["stored_as"],
                    c["conversion"],
                ]
                for c in meta["columns"]
            ],
        )
    apply_comments(
        con,
        "meta.input_columns",
        "Columns of every input file: how each contract column was stored and read, and the "
        "columns outside the contract that were not read.",
        {
            "table_name": "contract table",
            "file": "path relative to the input directory",
            "column_name": "contract column (NULL for a column outside the contract)",
            "source_column": "the column's name in the file",
            "stored_as": "type in the file (text for CSV; Arrow type for Parquet)",
            "conversion": "how it was read when not as is (zero-padded, civil date, not read)",
        },
    )
