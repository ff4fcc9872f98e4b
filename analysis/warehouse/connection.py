"""Opening a warehouse: the working copy (read-write), a published file (read-only), user queries.

Every DuckDB error raised inside these context managers leaves as a :class:`QueryError` whose
message went through :func:`describe_duckdb_error` (no data quoted) and whose original is not
chained, so neither a log nor Dagster's stored events can receive what DuckDB quoted.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from analysis.settings import DEFAULT_MEMORY_LIMIT, default_threads
from analysis.warehouse.errors import QueryError, WarehouseError, describe_duckdb_error
from analysis.warehouse.files import WRITER_SUFFIX

# Settings that make a connection safe for queries a user types: no file system, no network, no
# extensions loaded or installed, no ATTACH/COPY/EXPORT, and none of this can be switched back.
LOCKED_DOWN: dict[str, object] = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "lock_configuration": True,
}


@contextmanager
def sanitized_errors(*, keep_query_context: bool = False) -> Iterator[None]:
    """Turn DuckDB errors into QueryError with a safe message (the original is not chained)."""
    try:
        yield
    except duckdb.Error as exc:
        message = describe_duckdb_error(exc, keep_query_context=keep_query_context)
    else:
        return
    raise QueryError(message) from None


_WRITER = threading.local()  # working copy path -> depth, for the connections this thread holds


@contextmanager
def one_writer(path: Path) -> Iterator[None]:
    """Wait until no other thread or process has the working copy at `path` open, and hold it.

    DuckDB lets one process open a database file for writing; the steps of a run that the
    multiprocess or a cluster executor runs side by side (e.g. a mart while the effects parts
    compute) therefore take turns here (an exclusive `flock` on `<path>.writer`) instead of
    failing on DuckDB's lock. Re-entrant within a thread."""
    held = getattr(_WRITER, "held", None)
    if held is None:
        held = _WRITER.held = {}
    key = str(path)
    if key in held:
        held[key] += 1
        try:
            yield
        finally:
            held[key] -= 1
        return
    fd = os.open(str(path) + WRITER_SUFFIX, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        held[key] = 1
        try:
            yield
        finally:
            del held[key]
    finally:
        os.close(fd)


@contextmanager
def connect_working(
    path: str | Path, *, memory_limit: str = DEFAULT_MEMORY_LIMIT, threads: int | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the working copy read-write (spilling beside it; one writer at a time across
    threads and processes: `one_writer`); closed on exit."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with one_writer(path), _connect_working(path, memory_limit, threads) as con:
        yield con


@contextmanager
def _connect_working(
    path: Path, memory_limit: str, threads: int | None
) -> Iterator[duckdb.DuckDBPyConnection]:
    with sanitized_errors():
        con = duckdb.connect(
            str(path),
            config={
                "memory_limit": memory_limit,
                "threads": default_threads() if threads is None else threads,
                "temp_directory": str(path) + ".tmp",
            },
        )
        # the run reports its own progress; DuckDB's bar (queries over 2 s: large registers)
        # would interleave with it and fill logs that are files
        con.execute("SET enable_progress_bar = false")
    try:
        with sanitized_errors():
            yield con
    finally:
        con.close()


@contextmanager
def _open_published(
    path: str | Path, config: dict | None = None, keep_query_context: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    path = Path(path)
    if not path.is_file():
        raise WarehouseError(f"no warehouse at {path}")
    with sanitized_errors():
        con = duckdb.connect(str(path), read_only=True, config=config or {})
    try:
        with sanitized_errors(keep_query_context=keep_query_context):
            yield con
    finally:
        con.close()


def connect_read_only(path: str | Path):
    """Open a published warehouse read-only (the pipeline can still replace it meanwhile)."""
    return _open_published(path)


def connect_for_user_queries(path: str | Path):
    """Open a published warehouse read-only for queries a user types, locked down (LOCKED_DOWN).

    Errors keep DuckDB's hints and the pointer into the user's query.
    """
    return _open_published(path, dict(LOCKED_DOWN), keep_query_context=True)


__all__ = [
    "LOCKED_DOWN",
    "connect_for_user_queries",
    "connect_read_only",
    "connect_working",
    "sanitized_errors",
]
