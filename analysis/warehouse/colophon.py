"""The colophon `meta.run_info` and the registry of what a warehouse holds.

`meta.run_info` (key, value as text) records how a warehouse was built: the input's fingerprint and
window, whether the input is synthetic (key `synthetic`, `true`/`false`, with the generator's
version, preset, scale and seed when `extract.json` gives them), the settings, the code version and
the time. The report reads it; `describe_warehouse` summarises a published file without row-level
data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import textwrap
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

import duckdb

from analysis.warehouse.catalog import list_relations
from analysis.warehouse.connection import connect_read_only
from analysis.warehouse.schema import apply_comments

# Schemas listed by describe_warehouse, in reading order.
LISTED_SCHEMAS = ("staging", "panel", "marts", "protected", "meta")


def code_version() -> str:
    """Package version plus the git commit when run from a checkout."""
    version = metadata.version("arbeidstrening")
    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        return f"{version}+{commit}" if commit else version
    except (OSError, subprocess.SubprocessError):
        return version


def input_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """SHA-256 over the input files' table, name and SHA-256 (`meta.input_files`)."""
    files = con.execute(
        "SELECT table_name, file, sha256 FROM meta.input_files ORDER BY table_name, file"
    ).fetchall()
    return hashlib.sha256(json.dumps(files).encode()).hexdigest()


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, sort_keys=True)
    return str(value)


def write_run_info(con: duckdb.DuckDBPyConnection, info: Mapping[str, object]) -> dict[str, str]:
    """Replace `meta.run_info` with `info` (values as text; booleans as true/false)."""
    rows = {key: _text(value) for key, value in info.items() if value is not None}
    rows.setdefault("built_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    con.execute("CREATE OR REPLACE TABLE meta.run_info (key VARCHAR, value VARCHAR)")
    con.executemany("INSERT INTO meta.run_info VALUES (?, ?)", list(rows.items()))
    apply_comments(
        con,
        "meta.run_info",
        "How this warehouse was built: input fingerprint, window, synthetic or real input, "
        "settings, code version, time.",
        {"key": "setting or fact", "value": "its value as text (booleans true/false)"},
    )
    return rows


def read_run_info(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM meta.run_info").fetchall())


def describe_warehouse(path: str | Path) -> str:
    """A readable summary of what a published warehouse holds (no row-level data)."""
    path = Path(path)
    with connect_read_only(path) as con:
        lines = [f"Warehouse: {path} ({path.stat().st_size / 1e6:,.1f} MB)"]
        window = con.execute(
            "SELECT observation_start, observation_end, source FROM meta.observation_window"
        ).fetchone()
        lines.append(f"Observation window: {window[0]} to {window[1]} (from {window[2]})")
        info = dict(
            con.execute(
                "SELECT key, value FROM meta.run_info WHERE key IN ('synthetic', 'scale', 'seed')"
            ).fetchall()
        )
        if info.get("synthetic") == "true":
            detail = ", ".join(f"{k} {info[k]}" for k in ("scale", "seed") if k in info)
            lines.append(f"Input: synthetic register{f' ({detail})' if detail else ''}")
        views = [r for r in list_relations(con, ("start_here",)) if r.kind == "view"]
        if views:
            lines.append(
                "Start here (views for analysts; `arbeidstrening describe start_here.<view>`):"
            )
            for view in views:
                lines.append(f"  {view.qualified:<40} {textwrap.shorten(view.summary, 78)}")
        lines.append("Ingestion (rows in = accepted + rejected):")
        for name, rows_in, acc, rej in con.execute(
            "SELECT table_name, rows_in, rows_accepted, rows_rejected FROM meta.ingest_summary "
            "ORDER BY table_name"
        ).fetchall():
            lines.append(f"  {name:<24} {rows_in:>12,} in {acc:>12,} accepted {rej:>9,} rejected")
        lines.append("Tables:")
        order = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(LISTED_SCHEMAS))
        schemas = ", ".join(f"'{s}'" for s in LISTED_SCHEMAS)
        for schema, table, rows, comment in con.execute(
            f"""
            SELECT schema_name, table_name, estimated_size, comment FROM duckdb_tables()
            WHERE schema_name IN ({schemas})
            ORDER BY CASE schema_name {order} END, table_name
            """
        ).fetchall():
            short = (comment or "").split(";")[0][:70]
            lines.append(f"  {schema + '.' + table:<40} {rows:>12,} rows  {short}")
        return "\n".join(lines)


__all__ = [
    "LISTED_SCHEMAS",
    "code_version",
    "describe_warehouse",
    "input_fingerprint",
    "read_run_info",
    "write_run_info",
]
