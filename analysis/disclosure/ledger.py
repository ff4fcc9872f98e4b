"""The ledger: every count that left (or was held back from) a release, so the next release stays
consistent with it.

One row per count cell of an outbound table: ``table_name``, ``cell_key`` (the row's classifying
values, ``dim=value|...``), ``column_name``, ``value`` (the true count), ``status`` (``''``
published, ``':'`` confidential, ``'.'`` not applicable), ``reason`` and the model cell. It is
stored as ``protected.ledger`` with the warehouse (it holds true values of suppressed cells and is
never exported: it stays in the secure environment with the warehouse).

The rule for a rerun on an updated extract (the previous published warehouse's ledger is read):

* A count that was **suppressed** in the previous release and has the **same value** now is
  suppressed again and protected like a small count (it must not be derivable from this
  release either). Otherwise a reader could combine the two releases: last release's published
  cells plus this release's value of the old complementary cell recover the old small cell.
* A count that was **published** with the same value is known to a reader whatever this release
  does: it is published again, and the elimination treats it as known (like a structural link),
  so this release's small cells are protected against the previous release's counts too.
* A count whose value changed is decided afresh: a changed value is a statement about different
  data, so it cannot be combined with the previous release's equations to recover an old cell.

Not covered: cells that are new in this release (new tables or months) are treated as statements
about the new data only.
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import pandas as pd

log = logging.getLogger(__name__)

LEDGER_COLUMNS = {
    "table_name": "outbound table (protected.<table_name>)",
    "cell_key": "the row's classifying values, dim=value joined by |",
    "column_name": "count column of that row",
    "value": "the true count (internal: never exported)",
    "status": "'' published, ':' confidential (suppressed), '.' not applicable",
    "reason": "why suppressed: primary (1-4), secondary, audit, ledger, unverified, withheld, merged",
    "universe": "unit of count the cell belongs to",
    "cell": "the model cell (column of the universe's model matrix) it is",
}


def cell_key(row: dict, keys: tuple[str, ...]) -> str:
    """Canonical key of a table row from its classifying columns."""
    return "|".join(f"{k}={_canon(row.get(k))}" for k in keys)


def _canon(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def read_ledger(path: Path | str | None) -> pd.DataFrame | None:
    """The ledger of a published warehouse (None when there is no warehouse or no ledger)."""
    if path is None:
        return None
    path = Path(path)
    if not path.is_file():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        log.warning(
            "disclosure: the previous release's ledger could not be read (%s)", type(exc).__name__
        )
        return None
    try:
        have = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'protected' "
            "AND table_name = 'ledger'"
        ).fetchone()[0]
        if not have:
            return None
        return con.execute(
            "SELECT table_name, cell_key, column_name, value, status FROM protected.ledger"
        ).df()
    finally:
        con.close()


def previous_decisions(ledger: pd.DataFrame | None) -> dict[tuple[str, str, str], tuple[int, str]]:
    """``(table, key, column) -> (value, status)`` of the previous release."""
    if ledger is None or ledger.empty:
        return {}
    out = {}
    for t, k, c, v, s in ledger[
        ["table_name", "cell_key", "column_name", "value", "status"]
    ].itertuples(index=False):
        if v is None or v != v:
            continue
        out[(t, k, c)] = (int(v), s or "")
    return out


__all__ = ["LEDGER_COLUMNS", "cell_key", "previous_decisions", "read_ledger"]
