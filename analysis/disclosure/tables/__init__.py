"""Outbound tables: layouts as published, with the model cells behind every count.

One module per family; :func:`build_tables` runs every builder whose marts exist, in the order
the report reads them.
"""

from __future__ import annotations

import duckdb

from analysis.disclosure.layout import Context, Table
from analysis.disclosure.tables import (
    costs,
    effects,
    exits,
    nav_exits,
    other,
    outcomes,
    participants,
    spells,
)

BUILDERS = (
    *participants.BUILDERS,
    *spells.BUILDERS,
    *exits.BUILDERS,
    *nav_exits.BUILDERS,
    *other.BUILDERS,
    *effects.BUILDERS,
    *outcomes.BUILDERS,
    *costs.BUILDERS,
)


def build_tables(ctx: Context, warnings: list[str] | None = None) -> list[Table]:
    """Every outbound table the warehouse has the marts for. A table whose marts cannot be laid
    out (e.g. a count column that is not a count) is left out with a warning: not published."""
    out = []
    for build in BUILDERS:
        try:
            table = build(ctx)
        except (ValueError, KeyError, TypeError, duckdb.Error) as exc:
            if warnings is not None:
                name = getattr(build, "__name__", "table")
                warnings.append(f"outbound table {name} left out ({type(exc).__name__}: {exc})")
            continue
        if table is not None:
            out.append(table)
    return out


__all__ = ["BUILDERS", "build_tables"]
