"""The linear model behind disclosure control: universes of inner cells and the cells built on them.

A *universe* is one unit of count (AT spells started, person-months in AT, ended spells observed k
months after exit, treated persons, ...). Its inner cells are the rows of one or more *blocks*:
cross-classifications of the units, read from unit-level tables of the warehouse (one row per
combination that occurs, with its count ``n``). Every count that leaves the warehouse is a *cell*:
a sum of inner cells (a column of the 0/1 model matrix ``X``, so ``cells = X.T @ n``).

Cells have roles:

* ``published``  - a count shown in an outbound table (suppressed if it must be);
* ``sensitive``  - a count that is never shown but that a reader could work out (e.g. a start
  cohort as the difference of two event-time counts); protected like a shown count of 1-4;
* ``link``       - structural knowledge (value 0): two blocks of the same units add up to the
  same totals, e.g. every profile dimension sums to the year's number of spell starts. A reader
  knows it, so it is always "published";
* ``derived``    - a count that is not shown but is needed to decide whether a statistic may be
  shown (e.g. the denominator of a share).

Identical columns are one cell (the same count in two tables is suppressed in both or neither).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

Where = Mapping[str, object]
"""Filter on block columns: a scalar (equal), a list/tuple/set (member of), or a callable
taking the column and returning a boolean mask. Columns not named are summed over."""

ROLES = ("published", "sensitive", "link", "derived")


@dataclass
class Universe:
    """Inner cells (blocks) of one unit of count, and the cells (columns) defined on them."""

    name: str
    description: str
    blocks: dict[str, pd.DataFrame] = field(default_factory=dict)
    offsets: dict[str, int] = field(default_factory=dict)
    n_rows: int = 0
    columns: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    roles: list[set[str]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    _signature: dict[bytes, int] = field(default_factory=dict)
    _indexes: dict[tuple[str, str], dict] = field(default_factory=dict)
    priority: set[int] = field(default_factory=set)
    """Columns the report relies on (e.g. effects at the summary horizons): published first."""
    _counts: list[np.ndarray] = field(default_factory=list)

    # -- blocks ------------------------------------------------------------------------------

    def add_block(self, name: str, frame: pd.DataFrame) -> None:
        """Add inner cells: one row per combination, classification columns plus ``n``."""
        if name in self.blocks:
            raise ValueError(f"block {name!r} already in universe {self.name!r}")
        if "n" not in frame.columns:
            raise ValueError(f"block {name!r} needs a count column 'n'")
        frame = frame.reset_index(drop=True)
        n = pd.to_numeric(frame["n"], errors="raise").to_numpy()
        if (n < 0).any() or not np.all(np.equal(np.round(n), n)):
            raise ValueError(f"block {name!r}: inner counts must be non-negative whole numbers")
        self.blocks[name] = frame
        self.offsets[name] = self.n_rows
        self.n_rows += len(frame)
        self._counts.append(n.astype(np.int64))

    def rows(self, block: str, where: Where | None = None) -> np.ndarray:
        """Global row indices of the inner cells of `block` matching `where`."""
        frame = self.blocks[block]
        sel: np.ndarray | None = None
        for col, want in (where or {}).items():
            if callable(want):
                m = np.flatnonzero(np.asarray(want(frame[col]), dtype=bool))
            else:
                index = self._value_index(block, col)
                wants = list(want) if isinstance(want, list | tuple | set | frozenset) else [want]
                parts = [index.get(_key(w)) for w in wants]
                parts = [p for p in parts if p is not None]
                m = np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
            sel = m if sel is None else np.intersect1d(sel, m, assume_unique=True)
        if sel is None:
            sel = np.arange(len(frame))
        return sel.astype(np.int64) + self.offsets[block]

    def _value_index(self, block: str, col: str) -> dict:
        """value -> local rows of `block` with that value in `col` (built once)."""
        key = (block, col)
        idx = self._indexes.get(key)
        if idx is None:
            values = self.blocks[block][col].to_numpy(dtype=object)
            idx = {}
            for i, v in enumerate(values):
                idx.setdefault(_key(v), []).append(i)
            idx = {k: np.asarray(v, dtype=np.int64) for k, v in idx.items()}
            self._indexes[key] = idx
        return idx

    # -- cells -------------------------------------------------------------------------------

    def cell(
        self,
        terms: Iterable[tuple[str, Where | None, int]],
        role: str,
        label: str = "",
    ) -> int:
        """The column id of a linear combination of inner cells: ``(block, where, coef)`` terms."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        parts = [(self.rows(b, w), int(c)) for b, w, c in terms]
        rows = np.concatenate([r for r, _ in parts]) if parts else np.zeros(0, np.int64)
        coefs = np.concatenate([np.full(r.size, c, np.int64) for r, c in parts]) if parts else rows
        idx, inv = np.unique(rows, return_inverse=True)
        val = np.bincount(inv, weights=coefs, minlength=idx.size).astype(np.int64)
        keep = val != 0
        return self._add(idx[keep], val[keep], role, label)

    def _add(self, idx: np.ndarray, val: np.ndarray, role: str, label: str) -> int:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        sig = idx.tobytes() + b"|" + val.tobytes()
        col = self._signature.get(sig)
        if col is None:
            col = len(self.columns)
            self._signature[sig] = col
            self.columns.append((idx, val))
            self.roles.append(set())
            self.labels.append(label)
        self.roles[col].add(role)
        if label and not self.labels[col]:
            self.labels[col] = label
        return col

    def rows_cell(self, rows: np.ndarray, role: str, label: str = "") -> int:
        """The column id of the plain sum of inner cells given by their global row indices."""
        rows = np.unique(np.asarray(rows, dtype=np.int64))
        return self._add(rows, np.ones(rows.size, dtype=np.int64), role, label)

    def sum_cell(self, block: str, where: Where | None, role: str, label: str = "") -> int:
        """Shorthand for a plain sum of the inner cells of one block."""
        return self.cell([(block, where, 1)], role, label)

    def link(
        self, a: tuple[str, Where | None], b: tuple[str, Where | None], label: str = ""
    ) -> int:
        """Structural knowledge: the units in `a` are the units in `b` (their difference is 0)."""
        return self.cell([(a[0], a[1], 1), (b[0], b[1], -1)], "link", label)

    # -- matrices ----------------------------------------------------------------------------

    @property
    def inner(self) -> np.ndarray:
        return np.concatenate(self._counts) if self._counts else np.zeros(0, np.int64)

    def matrix(self) -> sp.csc_matrix:
        """The model matrix X (inner cells x columns), int64."""
        if not self.columns:
            return sp.csc_matrix((self.n_rows, 0), dtype=np.int64)
        indptr = np.cumsum([0] + [len(i) for i, _ in self.columns])
        indices = np.concatenate([i for i, _ in self.columns])
        data = np.concatenate([v for _, v in self.columns])
        return sp.csc_matrix((data, indices, indptr), shape=(self.n_rows, len(self.columns)))

    def values(self) -> np.ndarray:
        """Every column's value (X.T @ inner)."""
        inner = self.inner
        return np.array([int((inner[i] * v).sum()) for i, v in self.columns], dtype=np.int64)

    def size(self, col: int) -> int:
        """Number of inner cells in a column."""
        return int(self.columns[col][0].size)

    def has_role(self, role: str) -> np.ndarray:
        return np.array([role in r for r in self.roles], dtype=bool)


def _key(v: object) -> object:
    """Hashable, type-normalised key of a cell value (numpy scalars, bools, missing)."""
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool):
        return ("bool", v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def margin_block(
    units: pd.DataFrame,
    cols: list[str],
    domains: Mapping[str, Iterable],
    allowed: Callable[[pd.DataFrame], np.ndarray] | None = None,
) -> pd.DataFrame:
    """The complete cross-classification of `cols` (every combination of their `domains`, zeros
    included, except those `allowed` rules out by definition) with the units' counts ``n``.

    A reader does not know which combinations are empty (only the definitions, and what published
    zeros say), so the inner cells of a published margin are all its combinations. Units outside
    the domains are kept (their combinations are added).
    """
    grid = pd.MultiIndex.from_product([list(dict.fromkeys(domains[c])) for c in cols], names=cols)
    grid = grid.to_frame(index=False)
    if allowed is not None:
        grid = grid[np.asarray(allowed(grid), dtype=bool)]
    counts = units.groupby(cols, dropna=False, sort=False)["n"].sum().reset_index()
    out = grid.merge(counts, on=cols, how="outer")
    out["n"] = out["n"].fillna(0).astype(np.int64)
    return out.sort_values(cols, kind="stable").reset_index(drop=True)


def link_shared(u: Universe, blocks: list[str], label: str = "same units") -> None:
    """Link every pair of blocks of the same units on the columns they share: for each
    combination of the shared columns' values, both blocks count the same units (no shared
    column: the same total)."""
    for i, a in enumerate(blocks):
        for b in blocks[i + 1 :]:
            shared = [c for c in u.blocks[a].columns if c != "n" and c in u.blocks[b].columns]
            if not shared:
                u.link((a, None), (b, None), f"{label}: {a} = {b}")
                continue
            combos = pd.concat([u.blocks[a][shared], u.blocks[b][shared]]).drop_duplicates()
            for rec in combos.to_dict("records"):
                u.link((a, rec), (b, rec), f"{label}: {a} = {b} at {rec}")


__all__ = ["ROLES", "Universe", "Where", "link_shared", "margin_block"]
