"""Secondary suppression by Gaussian elimination (Langsrud 2024), exactly, over a prime field.

Every published count is a column of a 0/1 model matrix ``X`` (rows: inner cells of a common
cross-classification, so ``published = X.T @ inner``). A suppressed cell is safe from exact
recovery when its column is not in the linear span of the published columns.

The algorithm (SSBtools' ``GaussSuppression`` core, without its singleton methods) walks the
candidates for publication in order of preference. Each candidate is reduced by the columns
published before it. A candidate that reduces to zero adds nothing a reader does not already
know and is published. Otherwise, publishing it would put a protected (primary) column into the
span exactly when that column's reduced form is proportional to the candidate's: then the
candidate is suppressed (secondary suppression); else it is published and used as a pivot to
reduce every column still waiting. Forced columns (structural knowledge, e.g. that two blocks of
inner cells add up to the same total) are processed first and are never suppressed.

Arithmetic is modulo the prime ``2**31 - 1`` on int64 (products stay below ``2**62``), which is
exact: a relation over the rationals holds modulo p, and the rare false relation modulo p (p
dividing a pivot's minor) can only make the algorithm suppress more, never less. The work is done
per connected component of the bipartite graph (inner cells, columns), on a dense block of the
component's rows; components without a protected column are published as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

PRIME = 2_147_483_647


@dataclass
class GaussResult:
    """Column indices (of the model matrix) suppressed as secondary, and protected columns that
    forced columns alone reveal (cannot be protected by suppression; should be empty)."""

    secondary: np.ndarray
    unsafe: np.ndarray


def column_components(x: sp.csc_matrix, cols: np.ndarray) -> list[np.ndarray]:
    """Groups of `cols` connected through shared inner cells (rows), each sorted as in `cols`."""
    cols = np.asarray(cols, dtype=np.int64)
    if cols.size == 0:
        return []
    sub = x[:, cols].tocsc()
    n_rows = sub.shape[0]
    adj = sp.bmat([[None, sub], [sub.T, None]], format="csr")
    _, label = connected_components(adj, directed=False)
    col_label = label[n_rows:]
    order = np.argsort(col_label, kind="stable")
    splits = np.flatnonzero(np.diff(col_label[order])) + 1
    return [cols[np.sort(part)] for part in np.split(order, splits)]


def _dense(x: sp.csc_matrix, cols: np.ndarray, prime: int) -> tuple[np.ndarray, np.ndarray]:
    """Dense int64 block of `cols` on the rows they touch (mod prime), and those rows' degree."""
    sub = x[:, cols].tocsr()
    rows = np.flatnonzero(np.diff(sub.indptr))
    sub = sub[rows]
    m = sub.toarray().astype(np.int64) % prime
    degree = np.diff(sub.indptr).astype(np.int64)
    return m, degree


def _eliminate(
    m: np.ndarray,
    n_forced: int,
    n_cand: int,
    degree: np.ndarray,
    prime: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Langsrud's loop on a dense block: columns [forced | candidates | protected].

    Returns (suppressed candidate positions, protected positions revealed by forced columns).
    """
    n_cols = m.shape[1]
    prot = np.arange(n_forced + n_cand, n_cols)
    suppressed: list[int] = []
    unsafe: set[int] = set()
    for j in range(n_forced + n_cand):
        a = m[:, j]
        nz = np.flatnonzero(a)
        if nz.size == 0:
            continue  # already known to a reader: publishing it reveals nothing new
        r = int(nz[np.argmin(degree[nz])])
        inv = pow(int(a[r]), prime - 2, prime)
        hit = prot[m[r, prot] != 0]
        if hit.size:
            q = m[:, hit]
            same_support = np.count_nonzero(q, axis=0) == nz.size
            if same_support.any():
                qs = q[:, same_support]
                f = qs[r] * inv % prime
                diff = (qs[nz] - a[nz, None] * f[None, :]) % prime
                revealed = ~diff.any(axis=0)
                if revealed.any():
                    if j >= n_forced:
                        suppressed.append(j)
                        continue
                    unsafe.update(hit[same_support][revealed].tolist())
        rest = np.arange(j + 1, n_cols)
        rest = rest[m[r, rest] != 0]
        if rest.size == 0:
            continue
        f = m[r, rest] * inv % prime
        block = m[np.ix_(nz, rest)]
        m[np.ix_(nz, rest)] = (block - a[nz, None] * f[None, :]) % prime
    return np.asarray(suppressed, dtype=np.int64), np.asarray(sorted(unsafe), dtype=np.int64)


def gauss_suppress(
    x: sp.spmatrix,
    candidates: Sequence[int],
    protected: Sequence[int],
    forced: Sequence[int] = (),
    prime: int = PRIME,
) -> GaussResult:
    """Secondary suppression: which `candidates` (column indices of `x`, most preferred to publish
    first) must be suppressed so that no `protected` column lies in the span of the published
    ones (the candidates kept plus the `forced` columns, which are always known)."""
    x = sp.csc_matrix(x, dtype=np.int64)
    protected = np.unique(np.asarray(protected, dtype=np.int64))
    forced = np.asarray([c for c in dict.fromkeys(forced) if c not in set(protected)], np.int64)
    skip = set(protected.tolist()) | set(forced.tolist())
    candidates = np.asarray([c for c in dict.fromkeys(candidates) if c not in skip], np.int64)
    if protected.size == 0:
        return GaussResult(np.zeros(0, np.int64), np.zeros(0, np.int64))
    rank = {int(c): i for i, c in enumerate([*forced, *candidates, *protected])}
    everything = np.concatenate([forced, candidates, protected])
    secondary: list[np.ndarray] = []
    unsafe: list[np.ndarray] = []
    prot_set = set(protected.tolist())
    forced_set = set(forced.tolist())
    for comp in column_components(x, everything):
        comp = np.asarray(sorted(comp.tolist(), key=rank.__getitem__), dtype=np.int64)
        is_prot = np.fromiter((c in prot_set for c in comp.tolist()), bool, comp.size)
        if not is_prot.any():
            continue
        is_forced = np.fromiter((c in forced_set for c in comp.tolist()), bool, comp.size)
        n_forced = int(is_forced.sum())
        n_cand = int((~is_forced & ~is_prot).sum())
        m, degree = _dense(x, comp, prime)
        sup, uns = _eliminate(m, n_forced, n_cand, degree, prime)
        secondary.append(comp[sup])
        unsafe.append(comp[uns])
    cat = np.concatenate
    return GaussResult(
        np.sort(cat(secondary)) if secondary else np.zeros(0, np.int64),
        np.sort(cat(unsafe)) if unsafe else np.zeros(0, np.int64),
    )


__all__ = ["PRIME", "GaussResult", "column_components", "gauss_suppress"]
