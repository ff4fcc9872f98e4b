"""Outcome-specific effect tables (analysis.outcomes): months since exit, intended outcomes.

Their treated persons are subsets of the treated universe (completed first spells of a given
length; first spells with a purpose) whose composition by event time is not modelled here, so
their counts are not published (':', withheld) and an estimate is hidden where fewer than 5
treated persons are behind it (the rule of the other effect tables).
"""

from __future__ import annotations

import numpy as np

from analysis.disclosure.layout import MIN_COUNT, Context, Stat, Table, as_int
from analysis.disclosure.tables.effects import EFFECT_VALUES


def _table(ctx: Context, mart: str, name: str, title: str, keys: tuple[str, ...]) -> Table | None:
    if not ctx.has(mart, "estimate", "n_treated"):
        return None
    df = ctx.df(f"FROM {mart}").reset_index(drop=True)
    df["n_treated"] = as_int(df["n_treated"])
    n = df["n_treated"].to_numpy()
    table = Table(name, df, title, (mart,), keys=tuple(k for k in keys if k in df.columns))
    table.count("n_treated", [None] * len(df))
    table.withheld["n_treated"] = np.ones(len(df), dtype=bool)
    cols = tuple(c for c in EFFECT_VALUES if c in df.columns)
    table.stats.append(
        Stat(cols, hide=(n > 0) & (n < MIN_COUNT), missing=np.where(n == 0, "..", "."))
    )
    table.notes.append(
        "n_treated is not published: the treated persons of these series (completed spells by "
        "length, purposes) are not modelled by event time in the disclosure layer."
    )
    return table


def effects_exit(ctx: Context) -> Table | None:
    return _table(
        ctx,
        "marts.effects_exit",
        "effects_exit",
        "Effekter etter måneder siden avslutning",
        ("estimator", "outcome", "subgroup", "months_since_exit"),
    )


def effects_exit_summary(ctx: Context) -> Table | None:
    return _table(
        ctx,
        "marts.effects_exit_summary",
        "effects_exit_summary",
        "Oppsummerte effekter etter avslutning",
        ("estimator", "outcome", "subgroup", "measure"),
    )


def effects_intended(ctx: Context) -> Table | None:
    return _table(
        ctx,
        "marts.effects_intended",
        "effects_intended",
        "Effekter på formålets tiltenkte utfall",
        ("purpose", "estimator", "measure"),
    )


BUILDERS = (effects_exit, effects_exit_summary, effects_intended)

__all__ = ["BUILDERS"]
