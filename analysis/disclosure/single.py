"""One tidy table on its own: the same engine for a table whose inner cells are its own rows.

For ad-hoc tables and hand-worked examples: a tidy frame with classifying columns (`dims`), a
count column, and ``"ALL"`` rows as totals. The rows without ``"ALL"`` are the inner cells; every
row is a cell (a total is the sum of the inner cells it covers). Outbound tables of the warehouse
are protected together by :func:`analysis.disclosure.protect` instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.disclosure.layout import MIN_COUNT
from analysis.disclosure.model import Universe
from analysis.disclosure.protect import PUBLISHED, SUPPRESSED, flag_col, status_col
from analysis.disclosure.suppress import protect_universe


def suppress_table(
    df: pd.DataFrame,
    count_col: str,
    dims: Sequence[str],
    *,
    total_label: object = "ALL",
    value_cols: Sequence[str] = (),
    reason_col: str | None = None,
) -> pd.DataFrame:
    """Suppress a tidy table: counts of 1-4 and whatever would let a reader work them out.

    Returns a copy with the suppressed counts (and the statistics in `value_cols` of those rows)
    empty, a ``<col>_status`` column (SSB symbol) and a boolean ``<col>_suppressed`` per column;
    with `reason_col` also ``primary``/``secondary``/``audit``/``""``.
    """
    dims = list(dims)
    data = df.reset_index(drop=True)
    counts = pd.to_numeric(data[count_col], errors="raise").to_numpy()
    if (counts < 0).any() or not np.all(counts == np.round(counts)):
        raise ValueError(f"{count_col} must hold non-negative whole numbers")
    is_total = data[dims].astype(object).eq(total_label)
    leaf = data[~is_total.any(axis=1)].copy()
    u = Universe("table", "one table")
    u.add_block("cells", leaf[dims].assign(n=counts[leaf.index]).reset_index(drop=True))
    refs = []
    for i in range(len(data)):
        where = {d: data.at[i, d] for d in dims if not is_total.at[i, d]}
        refs.append(u.sum_cell("cells", where, "published", label=str(i)))
    vals = u.values()
    for i, c in enumerate(refs):
        if vals[c] != counts[i]:
            raise ValueError(f"row {i}: a total does not equal the sum of its cells")
    primary = {c for c in refs if 0 < vals[c] < MIN_COUNT}
    out = protect_universe(u, primary)
    hidden = np.array([c in out.hidden for c in refs])
    res = df.copy().reset_index(drop=True)
    res[count_col] = pd.array(np.where(hidden, 0, counts), dtype="Int64")
    res.loc[hidden, count_col] = pd.NA
    res[status_col(count_col)] = np.where(hidden, SUPPRESSED, PUBLISHED)
    res[flag_col(count_col)] = hidden
    for v in value_cols:
        col = pd.to_numeric(res[v], errors="coerce").astype("float64")
        res[v] = col.mask(hidden)
        res[status_col(v)] = np.where(hidden, SUPPRESSED, np.where(col.isna(), "..", PUBLISHED))
        res[flag_col(v)] = hidden
    if reason_col is not None:
        res[reason_col] = [
            out.reason.get(c, "") if h else "" for c, h in zip(refs, hidden, strict=True)
        ]
    return res


__all__ = ["suppress_table"]
