"""The working-copy lifecycle and atomic publication of the warehouse and its report.

A run (under the single-writer lock, `analysis.warehouse.lock`; `analysis.warehouse.lifecycle`
strings the steps together):

1. starts a working copy: `start_fresh()` for a full run; `start_from_published()` copies the
   published warehouse for a run that rebuilds only some assets;
2. builds every asset, runs every blocking check and writes the report into a staging directory
   beside its target, all against the working copy;
3. publishes as its very last step (`publish`): the finished working copy is checkpointed and
   renamed to `<warehouse>.publishing`, the publication journal is written (the commit point),
   the report directory is swapped into place (one `renameat2(RENAME_EXCHANGE)` on Linux, so
   there is never a directory mixing two runs), the warehouse is renamed over the published file
   (atomic, same directory) and the journal removed;
4. on failure discards the working copy and the report staging directory; the published warehouse
   and report are untouched.

A run that dies between the commit point and the end of step 3 leaves the journal behind: the
next run completes that publication first (`recover_publication`), so the report and the
warehouse it describes are never left from two different runs for longer than that.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from analysis.warehouse.connection import sanitized_errors
from analysis.warehouse.errors import RunPathError
from analysis.warehouse.files import REPORT_MARKER, WarehouseFiles, remove_path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


MARKER_TEXT = "Written by arbeidstrening; this directory is replaced as a whole by the next run.\n"
# The file a report directory holds instead of a report when the run that published it wrote none.
NO_REPORT_FILE = "NO_REPORT.txt"


@dataclass(frozen=True)
class ReportStaging:
    """A report directory written beside its target and swapped into place at publication."""

    target: Path
    staging: Path

    @classmethod
    def for_warehouse(cls, files: WarehouseFiles, target: str | Path) -> ReportStaging:
        target = Path(target).absolute()
        return cls(target, files.report_staging(target))

    def start(self) -> Path:
        """An empty staging directory (a leftover from a killed run is removed first)."""
        remove_path(self.staging)
        self.staging.mkdir(parents=True)
        (self.staging / REPORT_MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        return self.staging

    def start_without_report(self, reason: str) -> bool:
        """Stage a directory that only says why this run wrote no report, so publication retires
        the previous report (it would describe another warehouse). Only when the target holds a
        report of this project; returns whether anything was staged."""
        if not (self.target / REPORT_MARKER).is_file():
            return False
        out = self.start()
        (out / NO_REPORT_FILE).write_text(reason.rstrip() + "\n", encoding="utf-8")
        return True

    @property
    def started(self) -> bool:
        return (self.staging / REPORT_MARKER).is_file()

    def commit(self) -> None:
        """Swap the staging directory into the target's place; the old report is deleted."""
        replace_directory(self.staging, self.target)

    def discard(self) -> None:
        remove_path(self.staging)


@dataclass(frozen=True)
class WorkingCopy:
    """The working copy of one warehouse and its publication."""

    files: WarehouseFiles

    @property
    def path(self) -> Path:
        return self.files.working

    def start_fresh(self) -> None:
        """No working copy: the run builds every table from the input."""
        self.files.remove_working_copy()

    def start_from_published(self) -> None:
        """Copy the published warehouse as the working copy (runs that rebuild part of it)."""
        self.files.remove_working_copy()
        if self.files.published.is_file():
            shutil.copyfile(self.files.published, self.files.working)

    def discard(self) -> None:
        self.files.remove_working_copy()

    def publish(self, report: ReportStaging | None = None) -> Path:
        """Make the finished working copy (and its report, if one was staged) the published one.

        Checkpoint and sync the working copy, move it to `<warehouse>.publishing`, write the
        journal (from here on the publication is committed and a later run completes it), swap
        the report in, rename the warehouse, remove the journal. Returns the published path.
        """
        working = self.files.working
        if not working.is_file():
            raise FileNotFoundError(f"no working copy to publish at {working}")
        with sanitized_errors():
            con = duckdb.connect(str(working))
            try:
                con.execute("CHECKPOINT")
            finally:
                con.close()
        _fsync_file(working)
        remove_path(self.files.working_wal)
        os.replace(working, self.files.publishing)
        staged = report if report is not None and report.started else None
        token = uuid.uuid4().hex
        if staged is not None:
            (staged.staging / REPORT_MARKER).write_text(f"{MARKER_TEXT}{token}\n", "utf-8")
        _write_journal(self.files, staged, token)
        _fsync_dir(self.files.published.parent)
        return _complete(self.files, staged, token)


def recover_publication(files: WarehouseFiles) -> str | None:
    """Complete a publication a dead run had committed (its journal exists); call under the lock
    before anything else touches the working copy. Returns what was done, or None."""
    try:
        record = json.loads(files.journal.read_text(encoding="utf-8"))
        token = str(record["token"])
        staged = None
        if record.get("report_target"):
            staged = ReportStaging(Path(record["report_target"]), Path(record["report_staging"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        remove_path(files.journal)  # unreadable: written only partly, so never committed
        return None
    if not files.publishing.is_file():
        if staged is not None:
            staged.discard()
        remove_path(files.journal)
        return None
    _complete(files, staged, token)
    return f"completed the publication of an interrupted run at {files.published}"


def _write_journal(files: WarehouseFiles, report: ReportStaging | None, token: str) -> None:
    record = {"token": token, "report_target": None, "report_staging": None}
    if report is not None:
        record |= {"report_target": str(report.target), "report_staging": str(report.staging)}
    tmp = files.journal.with_name(files.journal.name + ".tmp")
    tmp.write_text(json.dumps(record), encoding="utf-8")
    _fsync_file(tmp)
    os.replace(tmp, files.journal)


def _complete(files: WarehouseFiles, report: ReportStaging | None, token: str) -> Path:
    """The committed part of a publication: report swap (unless done), warehouse rename."""
    if report is not None:
        if not _holds_token(report.target, token) and _holds_token(report.staging, token):
            report.commit()
        report.discard()  # after an exchange it holds the previous report
    # a write-ahead log beside the published file would belong to the old file
    remove_path(files.published_wal)
    os.replace(files.publishing, files.published)
    _fsync_dir(files.published.parent)
    remove_path(files.journal)
    remove_path(files.working_spill)
    return files.published


def _holds_token(directory: Path, token: str) -> bool:
    try:
        return token in (directory / REPORT_MARKER).read_text(encoding="utf-8")
    except OSError:
        return False


def check_report_target(target: Path, known_entries: frozenset[str] = frozenset()) -> None:
    """Refuse a report directory that would replace something other than a report.

    Publication replaces the directory as a whole, so it must be absent, empty, a report written
    by this project (it holds the marker file) or hold only `known_entries` (report files of an
    earlier version).
    """
    target = Path(target)
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise RunPathError(f"report directory {target} exists and is not a directory")
    if not target.exists():
        return
    entries = {p.name for p in target.iterdir()}
    if not entries or REPORT_MARKER in entries or entries <= known_entries:
        return
    raise RunPathError(
        f"report directory {target} holds files that are not a report of this project "
        f"({len(entries)} entries); publication replaces the whole directory, so choose an "
        "empty or new directory with --report-dir"
    )


def replace_directory(staging: Path, target: Path) -> None:
    """Put `staging` at `target` so that readers see the old or the new directory, never a mix."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        os.rename(staging, target)
    elif _rename_exchange(staging, target):
        remove_path(staging)  # now holds the previous report
    else:
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        remove_path(old)
        os.rename(target, old)
        os.rename(staging, target)
        remove_path(old)
    _fsync_dir(target.parent)


def _rename_exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = [
    "NO_REPORT_FILE",
    "ReportStaging",
    "WorkingCopy",
    "check_report_target",
    "recover_publication",
    "replace_directory",
]
