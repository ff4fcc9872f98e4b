"""The single-writer lock of a warehouse: one run at a time builds and publishes it.

The lock is an exclusive `flock` on `<warehouse>.lock`, which also records the holder's pid, host
and start time. The kernel releases a `flock` when its process dies, so a lock file left behind by
a killed run is detected as stale (it can be locked again) and taken over; its record is kept in
`WarehouseLock.took_over` so the new run can say so. Within one process the lock is re-entrant
(the command line and the Dagster resource of the same run both hold it). A run's steps in other
processes (the multiprocess or a cluster executor) join the lock of their run: the lock records
the run id of a Dagster run, and `held_by_run(run_id)` says whether that run holds it now.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

from analysis.warehouse.errors import WarehouseBusyError
from analysis.warehouse.files import WarehouseFiles

_HELD: dict[Path, tuple[int, int]] = {}  # lock path -> (file descriptor, depth) in this process
_GUARD = threading.Lock()


@dataclass
class WarehouseLock:
    """Exclusive, re-entrant lock on one warehouse. Use as a context manager or acquire/release."""

    files: WarehouseFiles
    run_id: str | None = None  # the Dagster run holding the lock (recorded for its steps)
    took_over: dict | None = field(default=None, init=False)

    @property
    def path(self) -> Path:
        return self.files.lock

    def acquire(self) -> WarehouseLock:
        """Take the lock or raise WarehouseBusyError at once (never waits)."""
        with _GUARD:
            if self.path in _HELD:
                fd, depth = _HELD[self.path]
                _HELD[self.path] = (fd, depth + 1)
                return self
            self.path.parent.mkdir(parents=True, exist_ok=True)
            while True:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    holder = _read_record(fd)
                    os.close(fd)
                    raise WarehouseBusyError(
                        f"another run holds the warehouse {self.files.published} "
                        f"(pid {holder.get('pid', '?')}, started {holder.get('started', '?')})"
                    ) from None
                # the holder we waited on may have removed the file after we opened it
                try:
                    same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
                except FileNotFoundError:
                    same = False
                if same:
                    break
                os.close(fd)
            previous = _read_record(fd)
            if previous.get("pid") not in (None, os.getpid()):
                self.took_over = previous
            record = {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "warehouse": str(self.files.published),
                "run_id": self.run_id,
            }
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(record).encode(), 0)
            os.fsync(fd)
            _HELD[self.path] = (fd, 1)
            return self

    def release(self) -> None:
        """Give the lock back; the last release in this process removes the lock file."""
        with _GUARD:
            if self.path not in _HELD:
                return
            fd, depth = _HELD[self.path]
            if depth > 1:
                _HELD[self.path] = (fd, depth - 1)
                return
            del _HELD[self.path]
            self.path.unlink(missing_ok=True)
            os.close(fd)

    @property
    def held(self) -> bool:
        return self.path in _HELD

    def held_by_run(self, run_id: str | None) -> bool:
        """Whether the Dagster run `run_id` holds the lock now (in any process): its steps in
        other processes work under the lock of their run instead of taking it."""
        if not run_id:
            return False
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            if _read_record(fd).get("run_id") != run_id:
                return False
            try:  # a lock nobody holds any more (the run died) is no run's lock
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
        finally:
            os.close(fd)

    def __enter__(self) -> WarehouseLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def describe_holder(record: dict) -> str:
    return f"pid {record.get('pid', '?')}, started {record.get('started', '?')}"


def _read_record(fd: int) -> dict:
    try:
        raw = os.pread(fd, 4096, 0)
        record = json.loads(raw.decode()) if raw.strip() else {}
        return record if isinstance(record, dict) else {}
    except (OSError, ValueError):
        return {}


__all__ = ["WarehouseLock", "describe_holder"]
