"""Every file a warehouse owns, named in one place.

A run never writes the published file directly. Beside `<warehouse>` it uses

- `<warehouse>.building`     the working copy every asset and check reads and writes;
- `<warehouse>.building.wal` DuckDB's write-ahead log of the working copy;
- `<warehouse>.building.tmp` DuckDB's spill directory for the working copy;
- `<warehouse>.building.writer` the lock the run's steps take turns on to open the working copy
                             (`analysis.warehouse.connection.one_writer`);
- `<warehouse>.building.parts` files the run's independent steps exchange without opening the
                             working copy (the effects layer's inputs and part results), so steps
                             can run in other processes or on other machines;
- `<warehouse>.publishing`   the finished working copy on its way to `<warehouse>` (same directory,
                             so the final step is one atomic rename);
- `<warehouse>.publishing.json` the publication journal: written once every check has passed and
                             removed when publication is complete, so a run that dies half-way
                             through publishing is completed by the next one;
- `<warehouse>.lock`         the single-writer lock (pid and start time of the run holding it).

The report is written to a staging directory beside its target and swapped into place at
publication (see `analysis.warehouse.publish`).
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

WORKING_SUFFIX = ".building"
PUBLISHING_SUFFIX = ".publishing"
JOURNAL_SUFFIX = ".publishing.json"
LOCK_SUFFIX = ".lock"
WAL_SUFFIX = ".wal"
SPILL_SUFFIX = ".tmp"
PARTS_SUFFIX = ".parts"
WRITER_SUFFIX = ".writer"  # as analysis.warehouse.connection.one_writer names it
REPORT_MARKER = ".arbeidstrening-report"


@dataclass(frozen=True)
class WarehouseFiles:
    """The published warehouse path and the files a run keeps beside it."""

    published: Path

    @classmethod
    def at(cls, path: str | Path) -> WarehouseFiles:
        return cls(Path(path).absolute())

    @property
    def working(self) -> Path:
        return self._sibling(WORKING_SUFFIX)

    @property
    def working_wal(self) -> Path:
        return self._sibling(WORKING_SUFFIX + WAL_SUFFIX)

    @property
    def working_spill(self) -> Path:
        return self._sibling(WORKING_SUFFIX + SPILL_SUFFIX)

    @property
    def working_writer(self) -> Path:
        return self._sibling(WORKING_SUFFIX + WRITER_SUFFIX)

    @property
    def working_parts(self) -> Path:
        return self._sibling(WORKING_SUFFIX + PARTS_SUFFIX)

    @property
    def publishing(self) -> Path:
        return self._sibling(PUBLISHING_SUFFIX)

    @property
    def journal(self) -> Path:
        return self._sibling(JOURNAL_SUFFIX)

    @property
    def lock(self) -> Path:
        return self._sibling(LOCK_SUFFIX)

    @property
    def published_wal(self) -> Path:
        return self._sibling(WAL_SUFFIX)

    def sidecars(self) -> tuple[Path, ...]:
        """Every path a run may create beside the published file."""
        return (
            self.working,
            self.working_wal,
            self.working_spill,
            self.working_writer,
            self.working_parts,
            self.publishing,
            self.journal,
            self.lock,
            self.published_wal,
        )

    def remove_working_copy(self) -> None:
        """Delete the working copy, its WAL, its spill and parts directories and an uncommitted
        publication (call `recover_publication` first: a committed one is completed, not
        deleted)."""
        for path in (
            self.working,
            self.working_wal,
            self.working_spill,
            self.working_writer,
            self.working_parts,
            self.publishing,
        ):
            remove_path(path)

    def report_staging(self, report_dir: Path) -> Path:
        """Where this warehouse's run writes its report before it is swapped into `report_dir`.

        Beside the target (same file system, so the swap is a rename) and named after the
        warehouse, so runs on different warehouses never share a staging directory.
        """
        report_dir = Path(report_dir).absolute()
        tag = hashlib.sha256(str(self.published).encode()).hexdigest()[:12]
        return report_dir.with_name(f".{report_dir.name}.staging-{tag}")

    def _sibling(self, suffix: str) -> Path:
        return self.published.with_name(self.published.name + suffix)


def remove_path(path: Path) -> None:
    """Remove a file, symlink or directory tree if it exists."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


__all__ = ["REPORT_MARKER", "WarehouseFiles", "remove_path"]
