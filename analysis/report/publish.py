"""The published tables: what the report and the CSV export may format, read from schema protected.

Every table behind a figure, a table or a CSV file of the report is an outbound table of schema
``protected`` (built and checked by :mod:`analysis.disclosure` in the pipeline, over all tables
together, before anything is published). This module only reads them: no suppression happens
here, and nothing unprotected is read. Each value column has a ``<col>_status`` column with the
SSB symbol ('' published, ':' confidential, '.' not applicable, '..' not available) and a boolean
``<col>_suppressed`` (':' only).

:func:`published_tables` returns ``name -> Published`` (frame, description, sources, export,
number of suppressed cells, notes such as merged categories). :func:`check_tables` re-checks
frames as a reader sees them (no count of 1-4 published, symbols and values agree) - the report's
last guard before writing; the full attack on all tables together is the pipeline's blocking
check (:func:`analysis.disclosure.audit_protected`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analysis import disclosure as sdc
from analysis.contract import PURPOSES
from analysis.design import STATUS_GROUPS as _STATUS_GROUPS
from analysis.design import UNKNOWN_PURPOSE

CORE_TABLES = ("participants_monthly", "purpose_distribution", "transitions", "effects")
"""Protected tables without which there is no report: build_report raises if one is missing."""

KNOWN_PURPOSES = tuple(PURPOSES)
PURPOSES_WITH_UNKNOWN = (*KNOWN_PURPOSES, UNKNOWN_PURPOSE)
STATUS_GROUPS = tuple(_STATUS_GROUPS)
EFFECT_VALUES = ("estimate", "std_error", "ci_low", "ci_high")


class ReportDataError(RuntimeError):
    """A table the report cannot do without is missing or lacks a column."""


class Warehouse:
    """Read-only access to a warehouse, with a catalogue of what exists."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        if not self.path.exists():
            raise ReportDataError(f"no warehouse at {self.path}")
        self.con = duckdb.connect(str(self.path), read_only=True)
        rows = self.con.execute(
            "SELECT schema_name || '.' || table_name, column_name FROM duckdb_columns() "
            "WHERE schema_name IN ('marts', 'meta', 'protected')"
        ).fetchall()
        self.columns: dict[str, list[str]] = {}
        for table, col in rows:
            self.columns.setdefault(table, []).append(col)

    def has(self, table: str, *cols: str) -> bool:
        return table in self.columns and all(c in self.columns[table] for c in cols)

    def df(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()

    def table(self, table: str) -> pd.DataFrame:
        return self.df(f"FROM {table}")

    def require(self, table: str, cols: tuple[str, ...]) -> None:
        if table not in self.columns:
            raise ReportDataError(
                f"the report needs {table}, which is not in {self.path}; run the whole pipeline "
                "(marts, effects and the protected tables) before the report"
            )
        missing = [c for c in cols if c not in self.columns[table]]
        if missing:
            raise ReportDataError(f"{table} lacks column(s) {missing} the report needs")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class Published:
    name: str
    frame: pd.DataFrame
    kwargs: dict
    description: str
    sources: tuple[str, ...]
    export: bool = True
    n_suppressed: int = 0
    notes: list[str] = field(default_factory=list)


def published_tables(warehouse: Path | str | Warehouse) -> dict[str, Published]:
    """Every protected table with its metadata (the report's input), in report order. Raises
    ReportDataError when a core table is missing."""
    own = not isinstance(warehouse, Warehouse)
    wh = Warehouse(warehouse) if own else warehouse
    try:
        for t in CORE_TABLES:
            wh.require(f"{sdc.SCHEMA}.{t}", ())
        cat = sdc.read_catalog(wh.con)
        if cat is None:
            raise ReportDataError(f"{wh.path} has no {sdc.SCHEMA}.catalog; rerun the pipeline")
        out: dict[str, Published] = {}
        for r in cat.to_dict("records"):
            name = r["table_name"]
            if f"{sdc.SCHEMA}.{name}" not in wh.columns:
                continue  # dropped after protection: the report notes the table as missing
            frame = wh.table(f'{sdc.SCHEMA}."{name}"')
            out[name] = Published(
                name=name,
                frame=frame,
                kwargs={
                    "keys": tuple(r["keys"]),
                    "counts": tuple(r["counts"]),
                    "values": tuple(r["value_columns"]),
                },
                description=r["description"],
                sources=tuple(r["sources"]),
                export=bool(r["export"]),
                n_suppressed=int(r["n_suppressed"]),
                notes=list(r["notes"]),
            )
        return out
    finally:
        if own:
            wh.close()


def publishable_tables(warehouse: Path | str) -> dict[str, tuple[pd.DataFrame, dict]]:
    """``name -> (frame, kwargs)`` for every protected table (kwargs: keys, counts, values)."""
    return {name: (p.frame, p.kwargs) for name, p in published_tables(warehouse).items()}


def check_tables(tables: dict[str, tuple[pd.DataFrame, dict]]) -> dict[str, list[str]]:
    """Re-check frames as a reader sees them; only tables with problems are returned.

    No count of 1-4 is published; every value with a symbol is empty and every empty value has
    one; ``<col>_suppressed`` agrees with ``<col>_status``.
    """
    out: dict[str, list[str]] = {}
    for name, (frame, kwargs) in tables.items():
        problems = []
        counts = kwargs.get("counts") or [
            c
            for c in frame.columns
            if (c == "n" or c.startswith("n_")) and not c.endswith(("_status", "_suppressed"))
        ]
        for c in counts:
            v = pd.to_numeric(frame[c], errors="coerce")
            if ((v > 0) & (v < sdc.MIN_COUNT)).any():
                problems.append(f"{c} has published values below {sdc.MIN_COUNT}")
        for c in [*counts, *kwargs.get("values", ())]:
            st_col = sdc.status_col(c)
            if st_col not in frame.columns:
                problems.append(f"{c} has no status column")
                continue
            st = frame[st_col].fillna("")
            if (~st.isin(sdc.SYMBOLS)).any():
                problems.append(f"{c}: status symbols other than SSB's")
            present = frame[c].notna()
            if (present & (st != sdc.PUBLISHED)).any():
                problems.append(f"{c}: a value is shown although its symbol says it is not")
            if (~present & (st == sdc.PUBLISHED)).any():
                problems.append(f"{c}: a value is missing without a symbol")
            flag = sdc.flag_col(c)
            if flag in frame.columns:
                f = frame[flag].fillna(False).astype(bool).to_numpy()
                if not np.array_equal(f, (st == sdc.SUPPRESSED).to_numpy()):
                    problems.append(f"{flag} disagrees with {st_col}")
        if problems:
            out[name] = problems
    return out


def disclosure_violations(warehouse: Path | str) -> dict[str, list[str]]:
    """Every protected table re-checked as a reader sees it: ``name -> problems`` (empty = safe)."""
    return check_tables(publishable_tables(warehouse))


__all__ = [
    "CORE_TABLES",
    "EFFECT_VALUES",
    "KNOWN_PURPOSES",
    "PURPOSES_WITH_UNKNOWN",
    "Published",
    "ReportDataError",
    "STATUS_GROUPS",
    "Warehouse",
    "check_tables",
    "disclosure_violations",
    "published_tables",
    "publishable_tables",
]
