"""Where a run may read and write: checked before anything is created.

- the input directory must exist (a mistyped path is an error, never created or filled);
- the warehouse may not lie inside the input directory, be a directory, or replace an existing file
  that is not a DuckDB database;
- the report directory may not lie inside the input directory or hold the input or the warehouse,
  and must be absent, empty or a report (publication replaces it as a whole).

Paths are literal: nothing here or in ingestion expands `*`, `?` or `[...]` in a name the user gave.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from analysis.warehouse.errors import RunPathError
from analysis.warehouse.files import WarehouseFiles
from analysis.warehouse.publish import ReportStaging, check_report_target

DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file


@dataclass(frozen=True)
class RunPaths:
    """The checked paths of one run."""

    input_dir: Path
    warehouse: WarehouseFiles
    report: ReportStaging | None


def is_duckdb_file(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(12)[8:12] == DUCKDB_MAGIC
    except OSError:
        return False


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_input_dir(input_dir: str | Path) -> Path:
    """The input directory as given, which must exist and be a directory."""
    path = Path(input_dir)
    if not path.exists():
        raise RunPathError(f"input directory {path} does not exist (nothing was created)")
    if not path.is_dir():
        raise RunPathError(f"input {path} is not a directory")
    return path.absolute()


def check_run_paths(
    input_dir: str | Path,
    warehouse: str | Path,
    report_dir: str | Path | None = None,
    report_known_entries: frozenset[str] = frozenset(),
) -> RunPaths:
    """Check the paths of a run (see the module docstring); raises RunPathError naming the path."""
    source = check_input_dir(input_dir)
    source_real = _real(source)
    files = WarehouseFiles.at(warehouse)
    target = files.published
    target_real = _real(target)
    if _inside(target_real, source_real):
        raise RunPathError(
            f"--warehouse {target} lies inside the input directory {source}; "
            "the input is never written: choose a path outside it"
        )
    if target.is_dir():
        raise RunPathError(f"--warehouse {target} is a directory, not a DuckDB file")
    if target.exists() and not is_duckdb_file(target):
        raise RunPathError(
            f"--warehouse {target} exists and is not a DuckDB warehouse; refusing to overwrite it"
        )
    report = None
    if report_dir is not None:
        report = ReportStaging.for_warehouse(files, report_dir)
        report_real = _real(report.target)
        if _inside(report_real, source_real):
            raise RunPathError(
                f"report directory {report.target} lies inside the input directory {source}"
            )
        for name, path in (("the input directory", source_real), ("the warehouse", target_real)):
            if _inside(path, report_real):
                raise RunPathError(
                    f"report directory {report.target} holds {name}; publication replaces the "
                    "report directory as a whole"
                )
        check_report_target(report.target, report_known_entries)
    return RunPaths(source, files, report)


__all__ = ["RunPaths", "check_input_dir", "check_run_paths", "is_duckdb_file"]
