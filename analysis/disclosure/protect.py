"""Protect every outbound table together: build the model, suppress, and lay out the results.

:func:`protect` reads a warehouse (the working copy), builds the universes and the outbound tables
on them, and decides for every count and statistic whether it is published, with an SSB symbol
when it is not (:data:`SUPPRESSED` ':' confidential, :data:`NOT_APPLICABLE` '.',
:data:`NOT_AVAILABLE` '..'). It never raises for a pattern it cannot protect: it suppresses more.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from analysis.disclosure.audit import derivable
from analysis.disclosure.layout import MIN_COUNT, Context, Ref, Table
from analysis.disclosure.ledger import cell_key, previous_decisions
from analysis.disclosure.model import Universe
from analysis.disclosure.suppress import Outcome, protect_universe
from analysis.disclosure.tables import build_tables
from analysis.disclosure.universes import build_universes

log = logging.getLogger(__name__)

PUBLISHED = ""
SUPPRESSED = ":"
NOT_APPLICABLE = "."
NOT_AVAILABLE = ".."
SYMBOLS = (PUBLISHED, SUPPRESSED, NOT_APPLICABLE, NOT_AVAILABLE)
STATUS_SUFFIX = "_status"
SUPPRESSED_SUFFIX = "_suppressed"


def status_col(col: str) -> str:
    """Name of the column holding the SSB symbol of `col` ('' when published)."""
    return f"{col}{STATUS_SUFFIX}"


def flag_col(col: str) -> str:
    """Name of the boolean column marking confidential (':') values of `col`."""
    return f"{col}{SUPPRESSED_SUFFIX}"


@dataclass
class ProtectedTable:
    """An outbound table as it may leave: values hidden, a status column per value column."""

    name: str
    frame: pd.DataFrame
    description: str
    sources: tuple[str, ...]
    export: bool
    keys: tuple[str, ...]
    counts: tuple[str, ...]
    values: tuple[str, ...]
    notes: list[str]
    n_suppressed: int
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class Protection:
    tables: dict[str, ProtectedTable]
    ledger: pd.DataFrame
    universes: dict[str, Universe]
    outcomes: dict[str, Outcome]
    warnings: list[str] = field(default_factory=list)


def catalogue(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = con.execute(
        "SELECT schema_name || '.' || table_name, column_name FROM duckdb_columns() "
        "WHERE schema_name IN ('marts', 'meta', 'panel')"
    ).fetchall()
    out: dict[str, set[str]] = {}
    for t, c in rows:
        out.setdefault(t, set()).add(c)
    return out


def model(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, Universe], list[Table], list[str]]:
    """The universes and the outbound tables on them (links that do not hold are dropped)."""
    warnings: list[str] = []
    universes = build_universes(con, warnings)
    ctx = Context(con, universes, catalogue(con))
    tables = build_tables(ctx, warnings)
    for u in universes.values():
        vals = u.values()
        for c in np.flatnonzero(u.has_role("link")):
            if vals[c] != 0:
                u.roles[c].discard("link")
                warnings.append(f"{u.name}: structural link does not hold, dropped ({u.labels[c]})")
    return universes, tables, warnings


def _display(table: Table, col: str) -> np.ndarray:
    return (
        pd.to_numeric(table.frame[col], errors="coerce")
        .fillna(0)
        .round()
        .astype(np.int64)
        .to_numpy()
    )


def protect(
    con: duckdb.DuckDBPyConnection, previous_ledger: pd.DataFrame | None = None
) -> Protection:
    """Protect every outbound table of the warehouse together (see the package docstring)."""
    universes, tables, warnings = model(con)
    values = {name: u.values() for name, u in universes.items()}
    primary: dict[str, set[int]] = {name: set() for name in universes}
    hold: dict[str, dict[int, str]] = {name: {} for name in universes}
    known_before: dict[str, set[int]] = {name: set() for name in universes}
    previous = previous_decisions(previous_ledger)

    for name, u in universes.items():  # sensitive cells (derived differences) of 1-4
        v = values[name]
        for c in np.flatnonzero(u.has_role("sensitive")):
            if 0 < v[c] < MIN_COUNT:
                primary[name].add(int(c))

    unverified: dict[str, int] = {}
    for t in tables:
        for col, refs in t.counts.items():
            shown = _display(t, col)
            expected = t.expected.get(col, shown)
            small = t.small.get(col, (shown > 0) & (shown < MIN_COUNT))
            recs = t.frame.to_dict("records")
            for i, ref in enumerate(refs):
                if ref is None:
                    continue
                uname, c = ref
                if values[uname][c] != int(expected[i]):
                    hold[uname].setdefault(c, "unverified")
                    unverified[f"{t.name}.{col}"] = unverified.get(f"{t.name}.{col}", 0) + 1
                if small[i]:
                    primary[uname].add(c)
                prev = previous.get((t.name, cell_key(recs[i], t.keys), col))
                if prev is not None and prev[0] == int(shown[i]):
                    if prev[1] == SUPPRESSED:
                        hold[uname].setdefault(c, "ledger")
                    elif prev[1] == PUBLISHED:
                        known_before[uname].add(c)

    warnings += [
        f"{where}: {n} count(s) do not match their model cell; withheld"
        for where, n in unverified.items()
    ]
    outcomes = {
        name: protect_universe(u, primary[name], hold[name], known_before[name])
        for name, u in universes.items()
    }
    for name, o in outcomes.items():
        if o.unsafe:
            warnings.append(f"{name}: {len(o.unsafe)} protected cells revealed by structure alone")

    known_refs = _derivable_refs(universes, outcomes, tables)
    out: dict[str, ProtectedTable] = {}
    ledger_rows: list[dict] = []
    for t in tables:
        out[t.name] = _lay_out(t, outcomes, known_refs, ledger_rows)
    ledger = pd.DataFrame(
        ledger_rows,
        columns=[
            "table_name",
            "cell_key",
            "column_name",
            "value",
            "status",
            "reason",
            "universe",
            "cell",
        ],
    )
    for w in warnings:
        log.warning("disclosure: %s", w)
    return Protection(out, ledger, universes, outcomes, warnings)


def _derivable_refs(universes, outcomes, tables) -> set[Ref]:
    """Every cell a statistic reveals that a reader can work out from the published cells."""
    queries: dict[str, set[int]] = {}
    for t in tables:
        for st in t.stats:
            for refs in st.reveals or []:
                for r in refs:
                    if r is not None:
                        queries.setdefault(r[0], set()).add(r[1])
    known: set[Ref] = set()
    for name, cols in queries.items():
        u = universes[name]
        o = outcomes[name]
        cols = sorted(cols)
        ok = derivable(u.matrix(), sorted(o.known), cols)
        known |= {(name, c) for c, k in zip(cols, ok, strict=True) if k and c not in o.hidden}
    return known


def _lay_out(
    t: Table, outcomes: dict[str, Outcome], known: set[Ref], ledger_rows: list
) -> ProtectedTable:
    f = t.frame.copy()
    recs = t.frame.to_dict("records")
    n_sup = 0
    reasons_count: dict[str, int] = {}
    for col, refs in t.counts.items():
        shown = _display(t, col)
        na = t.not_applicable.get(col, np.zeros(len(f), bool))
        withheld = t.withheld.get(col, np.zeros(len(f), bool))
        status, reasons = [], []
        for i, ref in enumerate(refs):
            if na[i]:
                s, why = NOT_APPLICABLE, "merged"
            elif withheld[i] or ref is None:
                s, why = SUPPRESSED, "withheld"
            elif ref[1] in outcomes[ref[0]].hidden:
                s, why = SUPPRESSED, outcomes[ref[0]].reason.get(ref[1], "secondary")
            else:
                s, why = PUBLISHED, ""
            status.append(s)
            reasons.append(why)
            if s == SUPPRESSED:
                reasons_count[why] = reasons_count.get(why, 0) + 1
            ledger_rows.append(
                {
                    "table_name": t.name,
                    "cell_key": cell_key(recs[i], t.keys),
                    "column_name": col,
                    "value": None if na[i] else int(shown[i]),
                    "status": s,
                    "reason": why,
                    "universe": None if ref is None else ref[0],
                    "cell": None if ref is None else int(ref[1]),
                }
            )
        status = np.asarray(status, dtype=object)
        n_sup += int((status == SUPPRESSED).sum())
        vals = pd.array(pd.to_numeric(f[col], errors="coerce").round(), dtype="Int64")
        vals[status != PUBLISHED] = pd.NA
        f[col] = vals
        f[status_col(col)] = status
        f[flag_col(col)] = status == SUPPRESSED
    value_cols: list[str] = []
    for st in t.stats:
        n = len(f)
        hide = st.hide if st.hide is not None else np.zeros(n, bool)
        if st.reveals is not None:
            revealed = np.array(
                [any(r is None or r not in known for r in refs) for refs in st.reveals]
            )
            hide = hide | revealed
        missing = st.missing if st.missing is not None else np.full(n, NOT_AVAILABLE)
        for col in st.cols:
            if col not in f.columns:
                continue
            v = pd.to_numeric(f[col], errors="coerce").astype("float64")
            status = np.where(hide, SUPPRESSED, np.where(v.isna(), missing, PUBLISHED)).astype(
                object
            )
            f[col] = v.mask(status != PUBLISHED)
            f[status_col(col)] = status
            f[flag_col(col)] = status == SUPPRESSED
            value_cols.append(col)
    return ProtectedTable(
        name=t.name,
        frame=f.reset_index(drop=True),
        description=t.description,
        sources=t.sources,
        export=t.export,
        keys=t.keys,
        counts=tuple(t.counts),
        values=tuple(value_cols),
        notes=list(t.notes),
        n_suppressed=n_sup,
        reasons=dict(sorted(reasons_count.items())),
    )


__all__ = [
    "NOT_APPLICABLE",
    "NOT_AVAILABLE",
    "PUBLISHED",
    "SUPPRESSED",
    "SYMBOLS",
    "ProtectedTable",
    "Protection",
    "flag_col",
    "model",
    "protect",
    "status_col",
]
