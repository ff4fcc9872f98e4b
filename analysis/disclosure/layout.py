"""An outbound table before protection: its rows, and which model cell each count is.

Builders in :mod:`analysis.disclosure.tables` read the marts, lay the table out as it is
published (tidy rows, the same columns the report and the CSV export use) and say, for every
count, which cell of which universe it is (:class:`Ref`), and for every statistic what it
depends on (:class:`Stat`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from analysis.disclosure.model import Universe, Where

Ref = tuple[str, int]
"""A cell: (universe name, column id)."""

MIN_COUNT = 5
"""Smallest count that may be published (the data owner's rule: counts of 1-4 are confidential)."""


@dataclass
class Stat:
    """Rule for statistic columns (shares, means, estimates) of a table.

    A value is confidential (':') when the row's count behind it is 1-4 (`hide`), or when one of
    the cells it reveals (`reveals`: numerator and denominator of a share) cannot be worked out
    from the published counts - a published share would give it back. A missing value is '.'
    (not applicable: nobody to compute it for) or '..' (not available: censored, not yet
    observed) as given by `missing`.
    """

    cols: tuple[str, ...]
    hide: np.ndarray | None = None
    reveals: list[list[Ref]] | None = None
    missing: np.ndarray | None = None


@dataclass
class Table:
    """One outbound table: its layout with true values, and the cells behind its counts."""

    name: str
    frame: pd.DataFrame
    description: str
    sources: tuple[str, ...]
    export: bool = True
    counts: dict[str, list[Ref | None]] = field(default_factory=dict)
    expected: dict[str, np.ndarray] = field(default_factory=dict)
    small: dict[str, np.ndarray] = field(default_factory=dict)
    withheld: dict[str, np.ndarray] = field(default_factory=dict)
    not_applicable: dict[str, np.ndarray] = field(default_factory=dict)
    stats: list[Stat] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    keys: tuple[str, ...] = ()

    def count(self, col: str, refs: list[Ref | None], expected=None, small=None) -> None:
        """Declare `col` a count column with one cell per row (None: not in any model)."""
        if len(refs) != len(self.frame):
            raise ValueError(f"{self.name}.{col}: {len(refs)} cells for {len(self.frame)} rows")
        self.counts[col] = refs
        if expected is not None:
            self.expected[col] = np.asarray(expected)
        if small is not None:
            self.small[col] = np.asarray(small, dtype=bool)

    def share(self, refs: list[Ref], dens: list[Ref], denominators=None, *, missing=None) -> None:
        """Declare the `share` column: row i reveals its numerator's cell refs[i] and its
        denominator's cell dens[i]. Missing values are '.' where the denominator is 0 and '..'
        otherwise, unless `missing` gives them."""
        if missing is None:
            missing = np.where(np.asarray(denominators) == 0, ".", "..")
        reveals = [[a, b] for a, b in zip(refs, dens, strict=True)]
        self.stats.append(Stat(("share",), reveals=reveals, missing=missing))


@dataclass
class Context:
    """What table builders need: the warehouse connection, the universes, the catalogue."""

    con: duckdb.DuckDBPyConnection
    universes: dict[str, Universe]
    columns: dict[str, set[str]]
    shared: dict = field(default_factory=dict)

    def has(self, table: str, *cols: str) -> bool:
        return table in self.columns and set(cols) <= self.columns[table]

    def df(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()

    def cell(self, universe: str, block: str, where: Where | None, role: str = "published") -> Ref:
        u = self.universes[universe]
        return (universe, u.sum_cell(block, where, role))


def as_int(s: pd.Series) -> pd.Series:
    """Counts as int64 (missing -> 0)."""
    return pd.to_numeric(s, errors="coerce").fillna(0).round().astype("int64")


def group_shares(df: pd.DataFrame, groups, count: str = "n") -> pd.Series:
    """Set df["share"] = count / its group's total (NaN for an empty group); return the totals."""
    tot = df.groupby(list(groups))[count].transform("sum")
    df["share"] = np.where(tot > 0, df[count] / tot.where(tot > 0), np.nan)
    return tot


def yes_no(df: pd.DataFrame, keys: list[str], n_yes: str, n_base: str, extra=()) -> pd.DataFrame:
    """Binary outcome as two rows (YES/NO) per key, share = n / base, base kept as ``_base``."""
    base = as_int(df[n_base])
    yes = as_int(df[n_yes]).clip(upper=base)
    cols = [*keys, *extra]
    a = df[cols].copy().assign(outcome="YES", n=yes.to_numpy(), _base=base.to_numpy())
    b = df[cols].copy().assign(outcome="NO", n=(base - yes).to_numpy(), _base=base.to_numpy())
    out = pd.concat([a, b], ignore_index=True)
    out["share"] = np.where(
        out["_base"] > 0, out["n"] / out["_base"].where(out["_base"] > 0), np.nan
    )
    order = {k: i for i, k in enumerate(df[keys].astype(str).agg("|".join, axis=1))}
    out["_o"] = out[keys].astype(str).agg("|".join, axis=1).map(order)
    out = out.sort_values(["_o", "outcome"], ascending=[True, False], kind="stable")
    return out.drop(columns=["_o"]).reset_index(drop=True)


def base_rule(base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(hide, missing) for a statistic computed from `base` persons: hidden when 1-4, '.' when 0."""
    base = np.asarray(base)
    hide = (base > 0) & (base < MIN_COUNT)
    missing = np.where(base == 0, ".", "..")
    return hide, missing


__all__ = [
    "MIN_COUNT",
    "Context",
    "Ref",
    "Stat",
    "Table",
    "as_int",
    "base_rule",
    "group_shares",
    "yes_no",
]
