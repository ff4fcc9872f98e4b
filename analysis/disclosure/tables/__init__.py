"""Outbound tables: layouts as published, with the model cells behind every count.

One module per family; :func:`build_tables` runs every builder whose marts exist, in the order
the report reads them.
"""

from __future__ import annotations

from analysis.disclosure.layout import Context, Table
from analysis.disclosure.tables import costs, effects, exits, other, participants, spells

BUILDERS = (
    *participants.BUILDERS,
    *spells.BUILDERS,
    *exits.BUILDERS,
    *other.BUILDERS,
    *effects.BUILDERS,
    *costs.BUILDERS,
)


def build_tables(ctx: Context) -> list[Table]:
    """Every outbound table the warehouse has the marts for."""
    out = []
    for build in BUILDERS:
        table = build(ctx)
        if table is not None:
            out.append(table)
    return out


__all__ = ["BUILDERS", "build_tables"]
