"""Statistical disclosure control for published tables: small-cell suppression.

Every table that leaves the secure environment (report tables, figures' data, exports) goes
through this module. The rule comes from the data owner (the directorate):

    Counts of persons below 5 are not published; they are shown as ":". Suppressed cells must not
    be recoverable from totals, and shares, means and effects computed from fewer than 5 persons
    are not published either.

What is protected, and how
--------------------------
Tables are *tidy* (long) DataFrames as produced by the SQL marts: one row per cell, the
classifying variables ("dimensions", e.g. ``purpose``, ``status_group``, ``months_after_exit``,
``state``) in columns, a count of persons in one column and statistics (shares, means, effects) in
others. A dimension may carry a total category (``"ALL"``): the row with ``purpose = "ALL"`` is
the sum of the rows for the individual purposes with the same values of the other dimensions.

1. **Primary suppression.** A count ``n`` with ``0 < n < 5`` is suppressed.

   *Zeros are published.* A true zero is a statement about nobody, so it cannot disclose
   anything about an identifiable person on its own. Zeros can still *help* a reader: they are
   known values in the additive relations below, so "total minus the other cells" works with
   them as with any other published cell. That risk is not handled by suppressing zeros but by
   the secondary suppression in step 2, which treats every published value - zero or not - as
   known to the reader. (Example: row total 12, cells 0, 0, 9 and 3. The 3 is suppressed;
   because the zeros are known, the 9 is the only other unknown candidate and is suppressed as
   well, leaving the reader with ``x + y = 12``.) Zeros are also never chosen for secondary
   suppression when any non-zero cell can be chosen instead: hiding a zero next to a small cell
   gives the reader ``x + 0 = small``, which protects almost nothing.

2. **Secondary (complementary) suppression.** Totals make the table a system of additive
   relations ("groups"): for each dimension with a total category, and each combination of the
   other dimensions, *total = sum of its cells*. Tables can have several such dimensions, so a
   cell belongs to several groups (its row, its column, ...), and totals are themselves cells in
   the groups of the other dimensions (a row total is a cell of the "ALL" column). If a group has
   exactly one suppressed member - a cell or its total - the reader recovers it by subtraction.
   So, in every group, either no member or at least two members are suppressed.

   Groups with a single suppressed member are repaired one at a time by suppressing one more
   member of the group, chosen in this order of preference:

   a. a non-zero value before a zero (see above);
   b. an inner cell before a subtotal, and a subtotal before the grand total (fewer "ALL"s
      first), so that the totals users rely on survive;
   c. a cell that at the same time repairs another group with a single suppression, and does not
      open new groups, before one that opens new groups (fewer suppressions overall - this is
      what closes the classic rectangle pattern in a two-way table);
   d. the smallest count (least information lost: "next-smallest cell");
   e. table order, so the result is deterministic.

   This is repeated until no group has exactly one suppression, across all dimensions at once.

   "At least two per group" is the usual rule, but with several overlapping groups a suppressed
   cell can still be pinned down by combining several relations. After the groups are repaired,
   the whole system is therefore audited: a suppressed cell is *exactly recoverable* if its value
   follows from the published values by any linear combination of the relations (linear algebra
   on the suppressed cells: the cell's unit vector lies in the row space of the relation matrix).
   Any such cell gets one more suppression - the first cell, in the order above (cells of its
   own groups first), that makes it unrecoverable - and the repair-and-audit loop runs again
   until nothing is recoverable. In rare cases only a zero can break such a chain and a zero is
   then suppressed.

3. **Implicit totals.** Some tables carry no total rows but their cells add up to a group total
   that is published elsewhere or obvious: e.g. transitions - the distribution over ``state``
   within ``purpose`` x ``months_after_exit`` sums to the number of persons in that group, which
   is shown in other tables, and the shares sum to 1. ``implicit_total_groups=("purpose",
   "months_after_exit")`` declares that the total over the remaining dimensions is published for
   every group; it is treated as a published, non-suppressible total. A single suppressed state
   in a group is then complemented by a second one. Because that total cannot be suppressed here,
   a zero may have to be suppressed when it is the only candidate (e.g. a group of 3 persons all
   in one state). Statistics of a group whose implicit total is below 5 are suppressed (shares of
   a group of fewer than 5 persons).

4. **Statistics.** A share, mean, effect, standard error or confidence limit is suppressed when
   the count in its row is suppressed (primary *or* secondary: a published share beside a
   suppressed count would give the count back as share x total), when any of its base counts
   (``base_cols``: denominators, ``n_control``, ...) is below 5, or when its implicit group total
   is below 5. A statistic in a row with a true zero count is published (a share of 0 says
   nobody; means of nobody are missing anyway).

What is *not* covered: the method protects against exact recovery of a small count from the
published table. It does not guarantee a minimum width of the interval a reader can derive for a
suppressed cell (no "protection levels" as in tau-ARGUS), it does not consider linking between
*different* tables (apart from implicit totals), and it does not address group attribute
disclosure (e.g. all 7 persons of a cell sharing an outcome). Non-additive "totals" (e.g. a person
counted under several purposes) are treated as if additive, which is conservative.

Output
------
:func:`suppress_table` and :func:`suppress_estimates` return a copy in which suppressed values
are missing (counts become nullable ``Int64`` with ``<NA>``, statistics ``NaN``) plus a boolean
column ``<col>_suppressed`` for every protected column, so renderers print ":" for suppressed
and keep ".." for genuinely missing values (:func:`format_suppressed`).

:func:`check_disclosure` independently verifies a table as a reader sees it (a value is known iff
it is not missing and not flagged) and lists every violation; it powers the blocking checks on
publishable tables. It shares no logic with the suppression routine beyond input validation.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import formatting as fmt

MIN_COUNT = 5
"""Smallest count of persons that may be published (the directorate's threshold)."""

TOTAL_LABEL = "ALL"
SUPPRESSED_SUFFIX = "_suppressed"

_TOL = 1e-9


def flag_col(col: str) -> str:
    """Name of the boolean column marking suppressed values of `col`: ``"<col>_suppressed"``."""
    return f"{col}{SUPPRESSED_SUFFIX}"


# --- Validation (shared by suppression and check) ---------------------------------------------


def _as_tuple(x: str | Sequence[str] | None) -> tuple[str, ...]:
    if x is None:
        return ()
    if isinstance(x, str):
        return (x,)
    return tuple(x)


def _validate(
    df: pd.DataFrame,
    count_col: str,
    value_cols: tuple[str, ...],
    dims: tuple[str, ...],
    implicit: tuple[str, ...],
    base_cols: tuple[str, ...],
) -> None:
    missing = [c for c in (count_col, *value_cols, *dims, *base_cols) if c not in df.columns]
    if missing:
        raise KeyError(f"columns not in table: {missing}")
    if implicit:
        if not set(implicit) <= set(dims):
            raise ValueError("implicit_total_groups must be a subset of dims")
        if len(set(dims) - set(implicit)) == 0:
            raise ValueError(
                "dims must include the dimension(s) summed within each implicit-total group "
                "(e.g. dims=('purpose', 'months_after_exit', 'state'))"
            )
    if dims and df.duplicated(list(dims)).any():
        raise ValueError(f"dims {dims} do not identify the rows uniquely")


def _count_values(s: pd.Series, name: str) -> np.ndarray:
    """Integer-valued, non-negative, non-missing counts as int64 (raises otherwise)."""
    if s.isna().any():
        raise ValueError(f"{name} has missing values; cannot verify them against the threshold")
    v = s.to_numpy(dtype="float64")
    if (v < 0).any() or not np.all(np.isfinite(v)) or not np.all(v == np.round(v)):
        raise ValueError(f"{name} must hold non-negative whole numbers (counts of persons)")
    return v.astype(np.int64)


def _dim_keys(df: pd.DataFrame, dims: tuple[str, ...]) -> list[tuple]:
    if not dims:
        return [() for _ in range(len(df))]
    return list(df[list(dims)].astype(object).itertuples(index=False, name=None))


# --- Suppression ------------------------------------------------------------------------------


@dataclass
class _System:
    """The additive relations of a table: real rows 0..n_real-1, then virtual implicit totals."""

    values: np.ndarray  # int64 counts (virtual totals: sum of their leaf cells)
    n_real: int
    level: np.ndarray  # number of dimensions at the total label (0 = inner cell)
    groups: list[tuple[np.ndarray, np.ndarray]]  # (member indices, coefficients +1 cell / -1 total)
    member_of: list[list[int]]  # index -> groups it belongs to
    implicit_rows: dict[int, list[int]]  # virtual index -> real rows of its group
    flat_members: np.ndarray  # all group members, concatenated group by group
    flat_groups: np.ndarray  # the group of each entry in flat_members


def _build_system(
    keys: list[tuple],
    values: np.ndarray,
    dims: tuple[str, ...],
    total_label: object,
    implicit: tuple[str, ...],
) -> _System:
    n_real = len(keys)
    keys = list(keys)
    vals = list(values)
    index = {k: i for i, k in enumerate(keys)}
    implicit_rows: dict[int, list[int]] = {}
    extra_groups: list[list[int]] = []  # [total, leaf cells...] for implicit totals

    if implicit:
        gpos = [dims.index(c) for c in implicit]
        spos = [i for i in range(len(dims)) if i not in gpos]
        by_group: dict[tuple, list[int]] = {}
        for i, k in enumerate(keys[:n_real]):
            by_group.setdefault(tuple(k[p] for p in gpos), []).append(i)
        for gval, rows in by_group.items():
            vkey = [total_label] * len(dims)
            for p, v in zip(gpos, gval, strict=True):
                vkey[p] = v
            vkey = tuple(vkey)
            leaves = [r for r in rows if all(keys[r][p] != total_label for p in spos)]
            total = sum(int(values[r]) for r in leaves)
            if vkey in index:  # the table already carries this total as a real row
                t = index[vkey]
            else:
                t = len(keys)
                keys.append(vkey)
                vals.append(total)
                index[vkey] = t
            implicit_rows[t] = rows
            if leaves:
                extra_groups.append([t, *leaves])

    n_all = len(keys)
    level = np.array([sum(v == total_label for v in k) for k in keys], dtype=np.int64)

    grouped: dict[tuple, list] = {}
    for i, k in enumerate(keys):
        for d in range(len(dims)):
            gkey = (d, k[:d] + k[d + 1 :])
            slot = grouped.setdefault(gkey, [None, []])
            if k[d] == total_label:
                slot[0] = i
            else:
                slot[1].append(i)

    seen: set[frozenset] = set()
    groups: list[tuple[np.ndarray, np.ndarray]] = []

    def add(total: int, cells: list[int]) -> None:
        fs = frozenset((total, *cells))
        if not cells or fs in seen:
            return
        seen.add(fs)
        members = np.array([total, *cells], dtype=np.int64)
        coefs = np.array([-1.0] + [1.0] * len(cells))
        groups.append((members, coefs))

    for total, cells in grouped.values():
        if total is not None:
            add(total, cells)
    for g in extra_groups:
        add(g[0], g[1:])

    member_of: list[list[int]] = [[] for _ in range(n_all)]
    for gi, (members, _) in enumerate(groups):
        for m in members:
            member_of[m].append(gi)
    return _System(
        values=np.asarray(vals, dtype=np.int64),
        n_real=n_real,
        level=level,
        groups=groups,
        member_of=member_of,
        implicit_rows=implicit_rows,
        flat_members=np.concatenate([m for m, _ in groups]) if groups else np.zeros(0, np.int64),
        flat_groups=np.repeat(np.arange(len(groups)), [len(m) for m, _ in groups]).astype(np.int64),
    )


def _components(hidden: np.ndarray, system: _System) -> list[tuple[list[int], list[int]]]:
    """Connected components of suppressed cells linked by groups: (cells, groups) pairs."""
    parent = {int(i): int(i) for i in np.flatnonzero(hidden)}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    mask = hidden[system.flat_members]
    hm = system.flat_members[mask].tolist()
    hg = system.flat_groups[mask].tolist()  # sorted by group
    first: dict[int, int] = {}
    for m, g in zip(hm, hg, strict=True):
        if g not in first:
            first[g] = m
            continue
        a, b = find(first[g]), find(m)
        if a != b:
            parent[a] = b
    comps: dict[int, tuple[list[int], list[int]]] = {}
    for i in parent:
        comps.setdefault(find(i), ([], []))[0].append(i)
    for g, m in first.items():
        comps[find(m)][1].append(g)
    return list(comps.values())


def _recoverable(hidden: np.ndarray, system: _System, cache: dict | None = None) -> list[int]:
    """Suppressed cells whose value follows exactly from published values (null-space test)."""
    out: list[int] = []
    for cells, gis in _components(hidden, system):
        if not gis:
            continue
        ckey = (tuple(cells), tuple(gis))
        if cache is not None and ckey in cache:
            out.extend(cache[ckey])
            continue
        col = {c: j for j, c in enumerate(cells)}
        a = np.zeros((max(len(gis), len(cells)), len(cells)))  # pad: vt must be square
        for r, gi in enumerate(gis):
            members, coefs = system.groups[gi]
            for m, c in zip(members, coefs, strict=True):
                if hidden[m]:
                    a[r, col[int(m)]] = c
        # x_j is determined iff every vector of the null space of `a` has a zero j-th entry.
        _, s, vt = np.linalg.svd(a, full_matrices=False)
        rank = int((s > _TOL * max(1.0, float(s[0]))).sum())
        null = vt[rank:]
        norms = np.sqrt((null**2).sum(axis=0)) if null.size else np.zeros(len(cells))
        bad = [c for c, nrm in zip(cells, norms, strict=True) if nrm < 1e-7]
        if cache is not None:
            cache[ckey] = bad
        out.extend(bad)
    return sorted(out)


def _block(start: int, hidden: np.ndarray, system: _System) -> tuple[list[int], list[int]]:
    """The suppressed cells linked to `start` through groups, and those groups (BFS)."""
    cells, groups, stack = {start}, set(), [start]
    while stack:
        c = stack.pop()
        for g in system.member_of[c]:
            if g in groups:
                continue
            groups.add(g)
            for m in system.groups[g][0]:
                m = int(m)
                if hidden[m] and m not in cells:
                    cells.add(m)
                    stack.append(m)
    return sorted(cells), sorted(groups)


def _is_recoverable(cell: int, hidden: np.ndarray, system: _System) -> bool:
    """Whether the suppressed `cell` follows exactly from the published values."""
    cells, groups = _block(cell, hidden, system)
    if not groups:
        return False
    col = {c: j for j, c in enumerate(cells)}
    a = np.zeros((max(len(groups), len(cells)), len(cells)))
    for r, gi in enumerate(groups):
        members, coefs = system.groups[gi]
        for m, c in zip(members, coefs, strict=True):
            if hidden[m]:
                a[r, col[int(m)]] = c
    _, s, vt = np.linalg.svd(a, full_matrices=False)
    rank = int((s > _TOL * max(1.0, float(s[0]))).sum())
    return bool(np.sqrt((vt[rank:, col[cell]] ** 2).sum()) < 1e-7)


def _audit_fix(
    bad: int, hidden: np.ndarray, virtual: np.ndarray, system: _System, cache: dict, key
) -> int:
    """Choose one more cell to suppress so that the recoverable cell `bad` is protected.

    Candidates are the published cells in any group touching `bad`'s block of linked suppressed
    cells: non-zero before zero, cells of `bad`'s own groups before cells further away, then the
    usual order of preference. The first (of at most 12) that makes `bad` unrecoverable is
    taken; failing that, the preferred cell of `bad`'s own groups.
    """
    _, comp_groups = _block(bad, hidden, system)
    direct = {
        int(m)
        for g in system.member_of[bad]
        for m in system.groups[g][0]
        if not hidden[m] and not virtual[m]
    }
    pool = direct | {
        int(m) for g in comp_groups for m in system.groups[g][0] if not hidden[m] and not virtual[m]
    }
    if not pool:
        raise _Unprotectable
    # Non-zero before zero, cells of `bad`'s own groups before cells further away.
    order = sorted(pool, key=lambda c: (system.values[c] == 0, c not in direct, key(c)))
    for cand in order[:12]:
        hidden[cand] = True
        still = _is_recoverable(bad, hidden, system)
        hidden[cand] = False
        if not still:
            return cand
    return min(direct or pool, key=key)


class _Unprotectable(Exception):
    pass


def _secondary(primary: np.ndarray, system: _System) -> np.ndarray:
    """Add complementary suppressions until no group has one suppression and nothing is recoverable."""
    n_all = len(system.values)
    virtual = np.arange(n_all) >= system.n_real
    hidden = np.zeros(n_all, dtype=bool)
    hidden[: system.n_real] = primary
    counts = np.array([int(hidden[m].sum()) for m, _ in system.groups], dtype=np.int64)

    def key(c: int) -> tuple:
        opens = sum(1 for g in system.member_of[c] if counts[g] == 0)
        repairs = sum(1 for g in system.member_of[c] if counts[g] == 1)
        return (
            system.values[c] == 0,
            int(system.level[c]),
            opens - repairs,
            int(system.values[c]),
            c,
        )

    def suppress(c: int) -> None:
        hidden[c] = True
        for g in system.member_of[c]:
            counts[g] += 1

    cache: dict = {}
    for _ in range(n_all + 1):
        open_groups = np.flatnonzero(counts == 1)
        if open_groups.size:
            for g in open_groups:
                members = system.groups[g][0]
                cands = [int(m) for m in members if not hidden[m] and not virtual[m]]
                if cands:
                    suppress(min(cands, key=key))
                    break
            else:  # every open group is unrepairable (a lone cell beside an implicit total)
                warnings.warn(
                    "disclosure: a suppressed cell is the only cell of its implicit-total group "
                    "and cannot be protected in this table",
                    stacklevel=3,
                )
                break
            continue
        bad = _recoverable(hidden, system, cache)
        if not bad:
            break
        try:
            suppress(_audit_fix(bad[0], hidden, virtual, system, cache, key))
        except _Unprotectable:
            warnings.warn("disclosure: could not protect every suppressed cell", stacklevel=3)
            break
    return hidden[: system.n_real]


def suppress_table(
    df: pd.DataFrame,
    count_col: str,
    value_cols: str | Sequence[str] = (),
    dims: str | Sequence[str] = (),
    *,
    total_label: object = TOTAL_LABEL,
    implicit_total_groups: str | Sequence[str] = (),
    base_cols: str | Sequence[str] = (),
    min_count: int = MIN_COUNT,
    reason_col: str | None = None,
) -> pd.DataFrame:
    """Suppress small cells in a tidy table, with secondary suppression across all totals.

    Rule: counts with ``0 < n < min_count`` are suppressed (zeros are published); then, for every
    group of cells that adds up to a total (a dimension in `dims` with a `total_label` row, or an
    ``implicit_total_groups`` group), more cells are suppressed until no group has exactly one
    suppressed member and no suppressed cell can be recovered from the published values. Values
    in `value_cols` (shares, means, effects) are suppressed in rows whose count is suppressed,
    whose `base_cols` (other person counts, e.g. denominators) are below `min_count`, or whose
    implicit group total is below `min_count`; `base_cols` with ``0 < n < min_count`` are
    suppressed themselves. See the module docstring for the order in which secondary cells are
    chosen.

    Returns a copy in the same row order with suppressed values missing (counts as ``Int64``) and
    boolean ``<col>_suppressed`` columns for `count_col`, `value_cols` and `base_cols`; with
    `reason_col` also a column saying ``"primary"``/``"secondary"``/``""`` for the count.
    """
    value_cols = _as_tuple(value_cols)
    dims = _as_tuple(dims)
    implicit = _as_tuple(implicit_total_groups)
    base_cols = _as_tuple(base_cols)
    _validate(df, count_col, value_cols, dims, implicit, base_cols)

    counts = _count_values(df[count_col], count_col)
    primary = (counts > 0) & (counts < min_count)
    system = _build_system(_dim_keys(df, dims), counts, dims, total_label, implicit)
    hidden = _secondary(primary, system) if system.groups else primary.copy()

    stat_hidden = hidden.copy()
    base_hidden = {}
    for b in base_cols:
        bv = _count_values(df[b], b)
        base_hidden[b] = (bv > 0) & (bv < min_count)
        stat_hidden |= bv < min_count
    for t, rows in system.implicit_rows.items():
        if system.values[t] < min_count:
            stat_hidden[rows] = True

    out = df.copy()
    out[count_col] = pd.array(np.where(hidden, 0, counts), dtype="Int64")
    out.loc[hidden, count_col] = pd.NA
    out[flag_col(count_col)] = hidden
    for b in base_cols:
        bv = _count_values(df[b], b)
        out[b] = pd.array(bv, dtype="Int64")
        out.loc[base_hidden[b], b] = pd.NA
        out[flag_col(b)] = base_hidden[b]
    for v in value_cols:
        col = out[v]
        if not pd.api.types.is_float_dtype(col.dtype):
            col = col.astype("float64")
        out[v] = col.mask(stat_hidden)
        out[flag_col(v)] = stat_hidden
    if reason_col is not None:
        out[reason_col] = np.where(primary, "primary", np.where(hidden, "secondary", ""))
    return out


def suppress_estimates(
    df: pd.DataFrame,
    n_col: str | Sequence[str],
    value_cols: str | Sequence[str],
    *,
    min_n: int = MIN_COUNT,
    dims: str | Sequence[str] = (),
    total_label: object = TOTAL_LABEL,
    reason_col: str | None = None,
) -> pd.DataFrame:
    """Suppress effect estimates (estimate, std_error, CI limits, ...) based on fewer than `min_n`.

    Rule: in each row, if any of the person counts in `n_col` (e.g. ``"n_treated"`` or
    ``("n_treated", "n_control")``) is below `min_n`, all `value_cols` are suppressed, and every
    count with ``0 < n < min_n`` is suppressed itself. If the rows are additive in the first count
    (e.g. effects by purpose plus a ``purpose = "ALL"`` row), pass `dims` to get secondary
    suppression of that count as in :func:`suppress_table`; estimates beside a suppressed count
    are then suppressed too. Output columns as in :func:`suppress_table`.
    """
    n_cols = _as_tuple(n_col)
    if not n_cols:
        raise ValueError("n_col must name at least one count column")
    return suppress_table(
        df,
        n_cols[0],
        value_cols,
        dims,
        total_label=total_label,
        base_cols=n_cols[1:],
        min_count=min_n,
        reason_col=reason_col,
    )


# --- Independent verification -----------------------------------------------------------------


def _unknown(df: pd.DataFrame, col: str) -> pd.Series:
    """What a reader does not see: missing values or values flagged as suppressed."""
    unknown = df[col].isna()
    f = flag_col(col)
    if f in df.columns:
        unknown = unknown | df[f].fillna(False).astype(bool)
    return unknown.astype(bool)


def _describe(row: pd.Series, dims: tuple[str, ...], pos: object) -> str:
    if not dims:
        return f"row {pos}"
    return ", ".join(f"{d}={row[d]!r}" for d in dims)


def _rref_determined(a: np.ndarray) -> list[int]:
    """Columns j for which the unit vector e_j lies in the row space of `a` (Gauss-Jordan)."""
    m = a.astype(float).copy()
    rows, cols = m.shape
    r = 0
    pivots = []
    for c in range(cols):
        if r >= rows:
            break
        p = r + int(np.argmax(np.abs(m[r:, c])))
        if abs(m[p, c]) < _TOL:
            continue
        m[[r, p]] = m[[p, r]]
        m[r] /= m[r, c]
        others = np.arange(rows) != r
        m[others] -= np.outer(m[others, c], m[r])
        pivots.append((r, c))
        r += 1
    out = []
    for row, c in pivots:
        nz = np.abs(m[row]) > 1e-7
        if nz.sum() == 1 and nz[c]:
            out.append(c)
    return out


def check_disclosure(
    df: pd.DataFrame,
    count_col: str,
    value_cols: str | Sequence[str] = (),
    dims: str | Sequence[str] = (),
    *,
    total_label: object = TOTAL_LABEL,
    implicit_total_groups: str | Sequence[str] = (),
    base_cols: str | Sequence[str] = (),
    min_count: int = MIN_COUNT,
    linear_audit: bool = True,
) -> list[str]:
    """List disclosure violations in a table as it would be published (empty list = safe).

    Reads the table as a reader would: a value is known unless it is missing or flagged in
    ``<col>_suppressed``. Reports (1) a published count in `count_col` or `base_cols` with
    ``0 < n < min_count``; (2) a published statistic in `value_cols` beside a suppressed count, a
    count below `min_count`, a base count below `min_count`, or in an implicit-total group with a
    known total below `min_count`; (3) a group of cells adding up to a total (real ``total_label``
    row or implicit total) with exactly one unknown member; (4) with `linear_audit`, any unknown
    count that follows exactly from combining several such relations; (5) a flagged value that is
    nevertheless present; (6) a column outside `dims` that contains `total_label` (an undeclared
    hierarchy). Takes the same arguments as :func:`suppress_table`; logic is independent of it.
    """
    value_cols = _as_tuple(value_cols)
    dims = _as_tuple(dims)
    implicit = _as_tuple(implicit_total_groups)
    base_cols = _as_tuple(base_cols)
    _validate(df, count_col, value_cols, dims, implicit, base_cols)
    problems: list[str] = []
    data = df.reset_index(drop=True)

    # (5) flags and values must agree.
    for col in (count_col, *base_cols, *value_cols):
        f = flag_col(col)
        if f in data.columns:
            shown = data[f].fillna(False).astype(bool) & data[col].notna()
            for i in np.flatnonzero(shown.to_numpy()):
                problems.append(
                    f"{col} is flagged suppressed but still has a value "
                    f"({_describe(data.iloc[i], dims, i)})"
                )

    # (6) undeclared hierarchies.
    for col in data.columns:
        if col in dims or col in (count_col, *base_cols, *value_cols):
            continue
        textual = data[col].dtype == object or pd.api.types.is_string_dtype(data[col].dtype)
        if textual and (data[col].astype(object) == total_label).any():
            problems.append(f"column {col!r} contains {total_label!r} but is not declared in dims")

    # (1) small published counts.
    count_unknown = _unknown(data, count_col)
    for col in (count_col, *base_cols):
        unknown = _unknown(data, col)
        known_vals = pd.to_numeric(data[col], errors="coerce")
        small = ~unknown & (known_vals > 0) & (known_vals < min_count)
        for i in np.flatnonzero(small.to_numpy()):
            problems.append(
                f"{col}={data[col].iloc[i]} published (below {min_count}) "
                f"({_describe(data.iloc[i], dims, i)})"
            )

    # (2) statistics from too few persons.
    if value_cols:
        reason = pd.Series("", index=data.index, dtype=object)
        cnt = pd.to_numeric(data[count_col], errors="coerce")
        reason[count_unknown] = f"{count_col} is suppressed"
        reason[~count_unknown & (cnt > 0) & (cnt < min_count)] = f"{count_col} < {min_count}"
        for b in base_cols:
            bv = pd.to_numeric(data[b], errors="coerce")
            b_unknown = _unknown(data, b)
            reason[(reason == "") & ~b_unknown & (bv < min_count)] = f"{b} < {min_count}"
        if implicit:
            summed = [d for d in dims if d not in implicit]
            leaf = ~data[summed].astype(object).eq(total_label).any(axis=1)
            tmp = data.assign(_n=cnt, _u=count_unknown.astype(int), _leaf=leaf)
            leaves = tmp[tmp["_leaf"]]
            agg = leaves.groupby(list(implicit), dropna=False, sort=False).agg(
                n=("_n", "sum"), u=("_u", "sum")
            )
            small_groups = agg[(agg["u"] == 0) & (agg["n"] < min_count)].index
            if len(small_groups):
                gidx = pd.MultiIndex.from_frame(data[list(implicit)].astype(object))
                if not isinstance(small_groups, pd.MultiIndex):
                    small_groups = pd.MultiIndex.from_arrays([small_groups])
                in_small = gidx.isin(small_groups)
                reason[(reason == "") & in_small] = f"implicit group total < {min_count}"
        for v in value_cols:
            shown = ~_unknown(data, v) & (reason != "")
            for i in np.flatnonzero(shown.to_numpy()):
                problems.append(
                    f"{v} published although {reason.iloc[i]} ({_describe(data.iloc[i], dims, i)})"
                )

    # (3) + (4) additive relations.
    if dims:
        relations = _relations_for_check(data, dims, total_label, implicit)
        unknown_arr = count_unknown.to_numpy()
        for members, _coefs, desc in relations:
            n_unknown = sum(1 for m in members if m >= 0 and unknown_arr[m])
            if n_unknown == 1:
                problems.append(
                    f"exactly one suppressed {count_col} in a group adding up to a published "
                    f"total ({desc}): it can be recovered by subtraction"
                )
        if linear_audit:
            problems.extend(
                _audit_for_check(data, dims, relations, count_unknown.to_numpy(), count_col)
            )
    return problems


def _relations_for_check(
    data: pd.DataFrame,
    dims: tuple[str, ...],
    total_label: object,
    implicit: tuple[str, ...],
) -> list[tuple[list[int], list[float], str]]:
    """Additive relations as (row positions, coefficients, description); -1 = implicit total."""
    keys = data[list(dims)].astype(object)
    rows = keys.assign(_pos=np.arange(len(keys)))
    if implicit:
        # Implicit totals: one published, unknown-to-us row per group with the other dims = total.
        summed = [d for d in dims if d not in implicit]
        virt = keys[list(implicit)].drop_duplicates().copy()
        for d in summed:
            virt[d] = total_label
        virt = virt[list(dims)]
        existing = set(keys.itertuples(index=False, name=None))
        virt = virt[[k not in existing for k in virt.itertuples(index=False, name=None)]]
        virt = virt.assign(_pos=-1 - np.arange(len(virt)))
        rows = pd.concat([rows, virt], ignore_index=True)

    relations: list[tuple[list[int], list[float], str]] = []
    for d in dims:
        is_total = rows[d].eq(total_label)
        if not is_total.any():
            continue
        others = [x for x in dims if x != d]
        cells = rows[~is_total]
        totals = rows[is_total]
        if others:
            lists = cells.groupby(others, dropna=False, sort=False)["_pos"].agg(list)
            cell_groups = {k if isinstance(k, tuple) else (k,): v for k, v in lists.items()}
            for rec in totals.to_dict("records"):
                k = tuple(rec[o] for o in others)
                members = cell_groups.get(k, [])
                if members:
                    relations.append(
                        (
                            [int(rec["_pos"]), *members],
                            [-1.0] + [1.0] * len(members),
                            f"{d} total at " + ", ".join(f"{o}={rec[o]!r}" for o in others),
                        )
                    )
        else:
            members = list(cells["_pos"])
            if members:
                relations.append(
                    (
                        [int(totals["_pos"].iloc[0]), *members],
                        [-1.0] + [1.0] * len(members),
                        f"{d} total",
                    )
                )
    if implicit:
        summed = [d for d in dims if d not in implicit]
        leaves = rows[(rows["_pos"] >= 0) & ~rows[summed].eq(total_label).any(axis=1)]
        vt = rows[rows["_pos"] < 0].set_index(list(implicit))["_pos"]
        real_totals = rows[(rows["_pos"] >= 0) & rows[summed].eq(total_label).all(axis=1)]
        rt = real_totals.set_index(list(implicit))["_pos"]
        lists = leaves.groupby(list(implicit), dropna=False, sort=False)["_pos"].agg(list)
        for k, members in lists.items():
            k = k if isinstance(k, tuple) else (k,)
            kk = k if len(k) > 1 else k[0]
            total = int(vt[kk]) if kk in vt.index else int(rt[kk])
            relations.append(
                (
                    [total, *members],
                    [-1.0] + [1.0] * len(members),
                    "implicit total at "
                    + ", ".join(f"{o}={v!r}" for o, v in zip(implicit, k, strict=True)),
                )
            )
    return relations


def _audit_for_check(
    data: pd.DataFrame,
    dims: tuple[str, ...],
    relations: list[tuple[list[int], list[float], str]],
    unknown: np.ndarray,
    count_col: str,
) -> list[str]:
    """Unknown counts that follow exactly from the relations (Gauss-Jordan per connected block)."""
    hidden_pos = [int(i) for i in np.flatnonzero(unknown)]
    if not hidden_pos:
        return []
    # Connected blocks of unknown cells (breadth-first over relations).
    rel_of: dict[int, list[int]] = {p: [] for p in hidden_pos}
    rel_unknown: list[list[int]] = []
    for ri, (members, _, _) in enumerate(relations):
        h = [m for m in members if m >= 0 and unknown[m]]
        rel_unknown.append(h)
        for m in h:
            rel_of[m].append(ri)
    seen: set[int] = set()
    out: list[str] = []
    for start in hidden_pos:
        if start in seen or not rel_of[start]:
            continue
        block, rels, stack = [], set(), [start]
        seen.add(start)
        while stack:
            p = stack.pop()
            block.append(p)
            for ri in rel_of[p]:
                rels.add(ri)
                for q in rel_unknown[ri]:
                    if q not in seen:
                        seen.add(q)
                        stack.append(q)
        block.sort()
        col = {p: j for j, p in enumerate(block)}
        a = np.zeros((len(rels), len(block)))
        for r, ri in enumerate(sorted(rels)):
            members, coefs, _ = relations[ri]
            for m, c in zip(members, coefs, strict=True):
                if m >= 0 and unknown[m]:
                    a[r, col[m]] += c
        for j in _rref_determined(a):
            p = block[j]
            out.append(
                f"suppressed {count_col} can be recovered by combining published totals "
                f"({_describe(data.iloc[p], dims, p)})"
            )
    return out


def format_suppressed(
    value: object,
    suppressed: bool = False,
    *,
    decimals: int = 0,
    lang: str = "nb",
    percent: bool = False,
    missing: str = fmt.MISSING,
) -> str:
    """Render one table value: ``":"`` if suppressed, else the number formatted for `lang`.

    ``percent=True`` formats a share as a percentage. Missing (not suppressed) values give
    `missing` (``".."``). Use with the ``<col>_suppressed`` flags from :func:`suppress_table`.
    """
    if suppressed:
        return fmt.SUPPRESSED
    if percent:
        return fmt.format_percent(value, decimals, lang, missing=missing)
    return fmt.format_number(value, decimals, lang, missing=missing)


def format_column(
    df: pd.DataFrame,
    col: str,
    *,
    decimals: int = 0,
    lang: str = "nb",
    percent: bool = False,
    missing: str = fmt.MISSING,
) -> pd.Series:
    """Render a whole column as strings, using ``<col>_suppressed`` (if present) for ":"."""
    f = flag_col(col)
    flags = df[f].fillna(False).astype(bool) if f in df.columns else pd.Series(False, df.index)
    return pd.Series(
        [
            format_suppressed(
                v, bool(s), decimals=decimals, lang=lang, percent=percent, missing=missing
            )
            for v, s in zip(df[col], flags, strict=True)
        ],
        index=df.index,
        dtype=object,
    )
