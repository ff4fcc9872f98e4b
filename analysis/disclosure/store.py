"""The protected schema: outbound tables as they may leave the warehouse, their catalogue and the
ledger, with table and column comments like the rest of the warehouse."""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from analysis.disclosure.ledger import LEDGER_COLUMNS
from analysis.disclosure.protect import (
    STATUS_SUFFIX,
    SUPPRESSED_SUFFIX,
    ProtectedTable,
    Protection,
)
from analysis.warehouse import apply_comments

SCHEMA = "protected"
SCHEMA_DESCRIPTION = (
    "Outbound tables after disclosure control, protected all together: the only tables the "
    "report and the CSV export format. Counts of 1-4 are confidential (':'), other cells are "
    "suppressed where they would let a reader work out such a count from the published ones "
    "(secondary suppression, over all tables together), small categories may be merged; every "
    "value has a status column with the SSB symbol."
)
METHOD_NOTE = (
    "Disclosure control: counts of 1-4 are hidden (primary suppression, ':'); other counts are "
    "hidden where a reader could otherwise work such a count out from the published ones, in this "
    "or any other outbound table (secondary suppression over all tables together); statistics "
    "(shares, means, effects) from fewer than 5 are hidden, as are shares whose count or "
    "denominator is hidden. '.' not applicable, '..' not available (censored, not yet observed)."
)
STATUS_COMMENT = (
    "SSB symbol for {col}: empty = published, ':' confidential (suppressed), '.' not applicable "
    "(nobody to count, or merged into another row), '..' not available (censored, not yet observed)"
)
FLAG_COMMENT = "TRUE when {col} is confidential (':'); agrees with {col}_status"

COLUMN_COMMENTS = {
    "n": "number of units (see the table comment); empty when not published",
    "n_spells": "number of AT spells; empty when not published",
    "n_participants": "number of participants (persons); empty when not published",
    "n_persons": "number of persons; empty when not published",
    "n_rows": "number of input rows; empty when not published",
    "n_treated": "treated persons behind the estimate; empty when not published",
    "n_cost_base": "persons in the cost base of the subgroup; empty when not published",
    "n_history_observed": "units whose 12-month employment history lies in the window",
    "n_avg_participants": "average number of participants per month, rounded to whole persons",
    "n_months": "months of the year inside the observation window",
    "share": "share of the group (fraction 0-1); empty when not published",
    "estimate": "point estimate; empty when not published",
    "std_error": "standard error; empty when not published",
    "ci_low": "lower limit of the 95 % confidence interval",
    "ci_high": "upper limit of the 95 % confidence interval",
    "year": "calendar year",
    "year_month": "calendar month (YYYYMM)",
    "status_group": "NAV status group at the spell's start (ALL = every group)",
    "purpose": "purpose of the AT agreement (ALL = every purpose)",
    "months_after_exit": "months after exit from AT (k)",
    "state": "state in exit month + k",
    "event_time": "months since the first AT start (0 = the start month)",
    "subgroup": "ALL or dimension=value",
    "category": "category of the dimension (ALL = every category)",
    "outcome": "YES/NO: whether the measure holds",
}


def _comments(t: ProtectedTable, source_comments: dict[str, str]) -> tuple[str, dict[str, str]]:
    table_comment = f"{t.description}. Sources: {', '.join(t.sources)}. {METHOD_NOTE}"
    if t.notes:
        table_comment += " " + " ".join(t.notes)
    cols = {}
    for c in t.frame.columns:
        if c.endswith(STATUS_SUFFIX):
            cols[c] = STATUS_COMMENT.format(col=c[: -len(STATUS_SUFFIX)])
        elif c.endswith(SUPPRESSED_SUFFIX):
            cols[c] = FLAG_COMMENT.format(col=c[: -len(SUPPRESSED_SUFFIX)])
        else:
            cols[c] = COLUMN_COMMENTS.get(c) or source_comments.get(c) or c.replace("_", " ")
    return table_comment, cols


def _source_comments(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, any_value(comment) FROM duckdb_columns() "
        "WHERE schema_name = 'marts' AND comment IS NOT NULL GROUP BY column_name"
    ).fetchall()
    return {c: str(v) for c, v in rows if v}


def write_protected(con: duckdb.DuckDBPyConnection, result: Protection) -> list[str]:
    """(Re)create schema ``protected`` with every outbound table, ``catalog`` and ``ledger``."""
    con.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    con.execute(f"CREATE SCHEMA {SCHEMA}")
    has_schemas = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'meta' AND table_name = 'schemas'"
    ).fetchone()[0]
    if has_schemas:  # describe the layer beside the others
        con.execute("DELETE FROM meta.schemas WHERE schema_name = ?", [SCHEMA])
        con.execute("INSERT INTO meta.schemas VALUES (?, ?)", [SCHEMA, SCHEMA_DESCRIPTION])
    src = _source_comments(con)
    written = []
    for t in result.tables.values():
        name = f"{SCHEMA}.{t.name}"
        con.register("_protected_frame", t.frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM _protected_frame")
        con.unregister("_protected_frame")
        table_comment, cols = _comments(t, src)
        apply_comments(con, name, table_comment, cols)
        written.append(name)
    cat = pd.DataFrame(
        [
            {
                "table_name": t.name,
                "description": t.description,
                "sources": json.dumps(list(t.sources)),
                "export": t.export,
                "keys": json.dumps(list(t.keys)),
                "counts": json.dumps(list(t.counts)),
                "value_columns": json.dumps(list(t.values)),
                "n_suppressed": t.n_suppressed,
                "suppressed_by_reason": json.dumps(t.reasons),
                "notes": json.dumps(t.notes),
            }
            for t in result.tables.values()
        ]
    )
    con.register("_protected_cat", cat)
    con.execute(f"CREATE TABLE {SCHEMA}.catalog AS SELECT * FROM _protected_cat")
    con.unregister("_protected_cat")
    apply_comments(
        con,
        f"{SCHEMA}.catalog",
        "The outbound tables of schema protected, in report order, with what they are built from.",
        {
            "table_name": "table in schema protected",
            "description": "what the table shows",
            "sources": "warehouse tables it is built from (JSON list)",
            "export": "written as CSV with the report",
            "keys": "classifying columns identifying a row (JSON list)",
            "counts": "count columns (JSON list)",
            "value_columns": "statistic columns (JSON list)",
            "n_suppressed": "count cells marked ':' (confidential)",
            "suppressed_by_reason": "those cells by reason: primary (1-4), secondary, audit, ledger, withheld, unverified (JSON)",
            "notes": "merges and other notes (JSON list)",
        },
    )
    con.register("_protected_ledger", result.ledger)
    con.execute(f"CREATE TABLE {SCHEMA}.ledger AS SELECT * FROM _protected_ledger")
    con.unregister("_protected_ledger")
    apply_comments(
        con,
        f"{SCHEMA}.ledger",
        "Every count cell of the outbound tables with its true value and whether it was "
        "published; read by the next run so that a cell suppressed now stays suppressed while its "
        "value is unchanged. Internal: holds the true values of suppressed cells, never exported.",
        LEDGER_COLUMNS,
    )
    return written


def read_catalog(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    have = con.execute(
        f"SELECT count(*) FROM duckdb_tables() WHERE schema_name = '{SCHEMA}' AND table_name = 'catalog'"
    ).fetchone()[0]
    if not have:
        return None
    cat = con.execute(f"SELECT * FROM {SCHEMA}.catalog").df()
    for c in ("sources", "keys", "counts", "value_columns", "notes", "suppressed_by_reason"):
        cat[c] = cat[c].map(json.loads)
    return cat


__all__ = ["METHOD_NOTE", "SCHEMA", "SCHEMA_DESCRIPTION", "read_catalog", "write_protected"]
