"""One run's hold on a warehouse, from the lock to the clean-up, for every way a run is started.

    with WarehouseRun(files, report) as run:   # lock; complete an interrupted publication
        run.start(partial=False)               # fresh working copy (or a copy of the published one)
        ...                                    # assets and checks build and check the working copy
        run.publish()                          # only if nothing failed (or the last asset does it)
    # on leaving: the working copy and the report staging directory are gone, the lock released

A *full* run builds every table from the input into an empty working copy. A *partial* run (one
asset or a selection, e.g. from the Dagster UI) starts from a copy of the published warehouse,
rebuilds what was selected, checks it and publishes the copy: the tables it did not select are
published as they were. Whatever happens, nothing of the working copy is left beside the
warehouse afterwards (unless `keep_failed` asks for it after a failure).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analysis.warehouse.errors import WarehouseError
from analysis.warehouse.files import WarehouseFiles
from analysis.warehouse.lock import WarehouseLock
from analysis.warehouse.publish import ReportStaging, WorkingCopy, recover_publication


class NothingToRebuildFromError(WarehouseError):
    """A partial run was asked for, but there is no published warehouse to start from."""


@dataclass
class WarehouseRun:
    """Lock, working copy, publication and clean-up of one run on one warehouse."""

    files: WarehouseFiles
    report: ReportStaging | None = None
    keep_failed: bool = False
    notes: list[str] = field(default_factory=list)
    published: bool = False
    run_id: str | None = None  # the Dagster run this is the lifecycle of (steps join its lock)
    _lock: WarehouseLock | None = field(default=None, repr=False)

    @property
    def working_copy(self) -> WorkingCopy:
        return WorkingCopy(self.files)

    def __enter__(self) -> WarehouseRun:
        self._lock = WarehouseLock(self.files, run_id=self.run_id).acquire()
        try:
            if self._lock.took_over:
                holder = self._lock.took_over
                self.notes.append(
                    "took over the lock of a run that is no longer running "
                    f"(pid {holder.get('pid', '?')}, started {holder.get('started', '?')})"
                )
            done = recover_publication(self.files)
            if done:
                self.notes.append(done)
        except BaseException:
            self._lock.release()
            raise
        return self

    def start(self, *, partial: bool) -> None:
        """Prepare the working copy: empty for a full run, the published warehouse for a partial
        one (which needs a published warehouse)."""
        if partial:
            if not self.files.published.is_file():
                raise NothingToRebuildFromError(
                    f"no published warehouse at {self.files.published} to rebuild from: "
                    "materialize every asset first (`make run`, or Materialize all in the UI)"
                )
            self.working_copy.start_from_published()
        else:
            self.working_copy.start_fresh()
        if self.report is not None:
            self.report.discard()

    def publish(self) -> Path:
        """Publish the working copy and the report staged for it (if any)."""
        path = self.working_copy.publish(self.report)
        self.published = True
        return path

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if not (self.keep_failed and not self.published):
                self.working_copy.discard()
            if self.report is not None:
                self.report.discard()
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None


def published_now(files: WarehouseFiles, before: tuple | None) -> bool:
    """Whether the published file is another one than `before` (see `file_identity`)."""
    return file_identity(files.published) not in (None, before)


def file_identity(path: Path) -> tuple | None:
    """What identifies a file's content for this purpose: publication always renames a new file
    into place, so inode, size and modification time change whenever the warehouse is replaced."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


__all__ = [
    "NothingToRebuildFromError",
    "WarehouseRun",
    "file_identity",
    "published_now",
]
