"""What a reader can work out from the published cells: exact recovery and feasible intervals.

Two independent attacks on a universe, given the columns a reader knows (published counts and
structural links) and the columns that are hidden:

* :func:`derivable` - exact linear recovery: a hidden column is recovered iff it lies in the span
  of the known columns. Row-echelon reduction over a prime field (a different prime and pivot rule
  than :mod:`analysis.disclosure.gauss`, so the check does not share the suppression's numerics).
* :func:`intervals` - linear programming: the smallest and largest value a hidden column can take
  over all non-negative inner cells that reproduce every known column (HiGHS through ``highspy``,
  one model per connected component and warm starts as only the objective changes; queries are
  first settled in groups: one feasible point with many of them at 0 shows them all unpinned).

A hidden count of 1-4 persons is *disclosed* when it is recovered exactly, or when its feasible
interval is pinned inside 1-4 (the reader learns it is neither 0 nor 5 or more):
:func:`pinned_small`. Both are used by the suppression (to suppress more) and by the blocking
check on the protected schema.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from analysis.disclosure.gauss import column_components

CHECK_PRIME = 2_147_483_629
SMALL_MAX = 4  # counts 1..SMALL_MAX are protected (the directorate's threshold is 5)
_EPS = 1e-6


def derivable(
    x: sp.spmatrix, known: Sequence[int], queries: Sequence[int], prime: int = CHECK_PRIME
) -> np.ndarray:
    """For each query column: is it a linear combination of the `known` columns? (exact)"""
    x = sp.csc_matrix(x, dtype=np.int64)
    known = np.asarray(list(dict.fromkeys(known)), dtype=np.int64)
    queries = np.asarray(queries, dtype=np.int64)
    out = np.zeros(queries.size, dtype=bool)
    if queries.size == 0:
        return out
    qpos = {int(q): i for i, q in enumerate(queries)}
    comps = column_components(x, np.unique(np.concatenate([known, queries])))
    known_set = set(known.tolist())
    for comp in comps:
        qs = [int(c) for c in comp if int(c) in qpos]
        if not qs:
            continue
        ks = [int(c) for c in comp if int(c) in known_set]
        cols = np.asarray(ks + qs, dtype=np.int64)
        sub = x[:, cols].tocsr()
        rows = np.flatnonzero(np.diff(sub.indptr))
        m = sub[rows].toarray() % prime
        nk = len(ks)
        for j in range(nk):  # eliminate the known columns, pivot on the first non-zero row
            nz = np.flatnonzero(m[:, j])
            if nz.size == 0:
                continue
            r = int(nz[0])
            inv = pow(int(m[r, j]), prime - 2, prime)
            rest = np.arange(j + 1, cols.size)
            rest = rest[m[r, rest] != 0]
            if rest.size:
                f = m[r, rest] * inv % prime
                m[np.ix_(nz, rest)] = (m[np.ix_(nz, rest)] - m[nz, j][:, None] * f) % prime
        zero = ~m[:, nk:].any(axis=0)
        for k, q in enumerate(qs):
            out[qpos[q]] = bool(zero[k])
    # a query that is itself known (or empty) is trivially derivable
    for i, q in enumerate(queries.tolist()):
        if q in known_set or x[:, q].nnz == 0:
            out[i] = True
    return out


class _Bounds:
    """One HiGHS model per component: rows = known columns (= their values), columns = inner cells
    (>= 0); each query changes only the objective, so HiGHS starts from the last basis."""

    def __init__(self, a_eq: sp.csr_matrix, b_eq: np.ndarray):
        import highspy

        self.highspy = highspy
        m, n = a_eq.shape
        self.n = n
        self.idx = np.arange(n, dtype=np.int32)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, m
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = np.full(n, highspy.kHighsInf)
        lp.row_lower_ = b_eq
        lp.row_upper_ = b_eq
        a = a_eq.tocsc()
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr.astype(np.int32)
        lp.a_matrix_.index_ = a.indices.astype(np.int32)
        lp.a_matrix_.value_ = a.data.astype(np.float64)
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, m
        h.passModel(lp)
        self.h = h

    def optimum(self, c: np.ndarray, maximize: bool) -> float:
        hs = self.highspy
        self.h.changeColsCost(self.n, self.idx, c.astype(np.float64))
        self.h.changeObjectiveSense(hs.ObjSense.kMaximize if maximize else hs.ObjSense.kMinimize)
        self.h.run()
        status = self.h.getModelStatus()
        self.duals = None
        self.primal = None
        if status == hs.HighsModelStatus.kOptimal:
            sol = self.h.getSolution()
            self.duals = np.asarray(sol.row_dual)
            self.primal = np.asarray(sol.col_value)
            return float(self.h.getInfo().objective_function_value)
        if status in (hs.HighsModelStatus.kUnbounded, hs.HighsModelStatus.kUnboundedOrInfeasible):
            return np.inf if maximize else -np.inf
        return self._cold(c, maximize)

    def _cold(self, c: np.ndarray, maximize: bool) -> float:
        """Solve from scratch with scipy's HiGHS; NaN (treated as disclosed) if that fails too."""
        from scipy.optimize import linprog

        lp = self.h.getLp()
        a = sp.csc_matrix(
            (lp.a_matrix_.value_, lp.a_matrix_.index_, lp.a_matrix_.start_),
            shape=(lp.num_row_, lp.num_col_),
        )
        sign = -1.0 if maximize else 1.0
        res = linprog(
            sign * c, A_eq=a, b_eq=np.asarray(lp.row_lower_), bounds=(0, None), method="highs"
        )
        if res.status == 3:
            return np.inf if maximize else -np.inf
        return float(sign * res.fun) if res.status == 0 else np.nan


def intervals(
    x: sp.spmatrix,
    inner: np.ndarray,
    known: Sequence[int],
    queries: Sequence[int],
    lower_first: bool = False,
    binding: dict | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Feasible (min, max) of each query column over inner cells >= 0 matching the known columns.

    With `lower_first` only what decides "pinned inside 1-4" is computed: queries that a feasible
    point puts at 0 get (0, +inf), those it puts at 5 or more (-inf, +inf); the rest exactly. With `binding` (a dict),
    ``binding[query]`` gets the known columns whose constraints bind the bounds that pin it
    (non-zero duals): suppressing one of them loosens the bound.
    """
    x = sp.csc_matrix(x, dtype=np.float64)
    known = np.asarray(list(dict.fromkeys(known)), dtype=np.int64)
    queries = np.asarray(queries, dtype=np.int64)
    lo = np.full(queries.size, np.nan)
    hi = np.full(queries.size, np.nan)
    if queries.size == 0:
        return lo, hi
    values = x.T @ inner.astype(np.float64)
    known_set = set(known.tolist())
    qpos: dict[int, list[int]] = {}
    for i, q in enumerate(queries.tolist()):
        qpos.setdefault(q, []).append(i)
    xr = x.tocsr()
    for comp in column_components(x, np.unique(np.concatenate([known, queries]))):
        qs = [int(c) for c in comp if int(c) in qpos]
        if not qs:
            continue
        ks = np.asarray([int(c) for c in comp if int(c) in known_set], dtype=np.int64)
        rows = np.unique(x[:, comp].nonzero()[0])
        sub = xr[rows]
        a_eq = sub[:, ks].T.tocsr() if ks.size else sp.csr_matrix((0, rows.size))
        model = _Bounds(a_eq, values[ks] if ks.size else np.zeros(0))
        cols = {q: np.asarray(sub[:, [q]].todense()).ravel() for q in qs}
        zero_ok: set[int] = set()
        big_ok: set[int] = set()
        if lower_first:  # group tests: one feasible point settles every query it puts at 0 or 5+
            zero_ok = _group(model, cols, list(qs), maximize=False)
            big_ok = _group(model, cols, [q for q in qs if q not in zero_ok], maximize=True)
        for q in qs:
            if q in zero_ok or q in big_ok:
                for i in qpos[q]:
                    lo[i], hi[i] = (0.0, np.inf) if q in zero_ok else (-np.inf, np.inf)
                if binding is not None:
                    binding[q] = set()
                continue
            c = cols[q]
            if lower_first:  # a count that can reach 5 is not pinned: look at the top first
                high = model.optimum(c, maximize=True)
                d_high = model.duals
                if high >= SMALL_MAX + 1 - _EPS:
                    low, d_low = -np.inf, None
                else:
                    low = model.optimum(c, maximize=False)
                    d_low = model.duals
            else:
                low = model.optimum(c, maximize=False)
                d_low = model.duals
                high = model.optimum(c, maximize=True)
                d_high = model.duals
            for i in qpos[q]:
                lo[i], hi[i] = low, high
            if binding is not None:
                pinning: set[int] = set()
                if low > _EPS and d_low is not None:
                    pinning |= set(ks[np.abs(d_low) > 1e-9].tolist())
                if high < SMALL_MAX + 1 - _EPS and d_high is not None:
                    pinning |= set(ks[np.abs(d_high) > 1e-9].tolist())
                binding[q] = pinning
    return lo, hi


def _group(
    model: _Bounds, cols: dict[int, np.ndarray], queries: list[int], maximize: bool
) -> set[int]:
    """Queries shown safe by feasible points found for their sum: at 0 (minimising) or at 5 or
    more (maximising), repeated on the rest while it finds any."""
    safe: set[int] = set()
    rest = list(queries)
    while rest:
        model.optimum(np.sum([cols[q] for q in rest], axis=0), maximize=maximize)
        if model.primal is None:
            break
        v = {q: float(cols[q] @ model.primal) for q in rest}
        hit = {q for q in rest if (v[q] >= SMALL_MAX + 1 - _EPS if maximize else v[q] < _EPS)}
        if not hit:
            break
        safe |= hit
        rest = [q for q in rest if q not in hit]
    return safe


def pinned_small(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Feasible intervals that tell a reader a count is 1-4: neither 0 nor 5+ is possible."""
    return (lo > _EPS) & (hi < SMALL_MAX + 1 - _EPS)


def exact(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Feasible intervals of width zero (the value is recovered exactly)."""
    return (hi - lo) < 0.5


__all__ = ["CHECK_PRIME", "SMALL_MAX", "derivable", "exact", "intervals", "pinned_small"]
