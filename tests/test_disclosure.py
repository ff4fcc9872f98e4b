"""The suppression engine on hand-worked and random tables, attacked by code written for the tests.

The attacker (`attack`) shares nothing with analysis.disclosure: exact elimination modulo its own
prime and scipy's linprog from scratch. A suppressed cell is recovered if it is a linear
combination of the published ones; a suppressed count of 1-4 is also disclosed when linear
programming over non-negative inner cells pins it inside 1-4.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from analysis import formatting as fmt
from analysis.disclosure import (
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    SUPPRESSED,
    flag_col,
    format_column,
    status_col,
    suppress_table,
)
from analysis.disclosure.audit import derivable, intervals, pinned_small
from analysis.disclosure.gauss import gauss_suppress
from analysis.disclosure.model import Universe, margin_block
from analysis.disclosure.suppress import protect_universe

P_TEST = 1_000_000_007


# --- an independent attacker ---------------------------------------------------------------------


def in_span(a: np.ndarray, known: list[int], queries: list[int]) -> list[bool]:
    """Exact: is each query column a combination of the known columns? (Gauss-Jordan mod p)"""
    m = np.asarray(a, dtype=np.int64) % P_TEST
    cols = [*known, *queries]
    m = m[:, cols]
    m = m[np.flatnonzero(m.any(axis=1))]
    nk = len(known)
    row = 0
    for j in range(nk):  # bring the known columns to reduced echelon form, rows as pivots
        nz = np.flatnonzero(m[row:, j]) + row
        if nz.size == 0:
            continue
        p = int(nz[0])
        m[[row, p]] = m[[p, row]]
        m[row] = m[row] * pow(int(m[row, j]), P_TEST - 2, P_TEST) % P_TEST
        f = m[:, j].copy()
        f[row] = 0
        nz = np.flatnonzero(f)
        if nz.size:
            m[nz] = (m[nz] - f[nz, None] * m[row][None, :]) % P_TEST
        row += 1
    # a query is in the span iff it has no entry below the pivot rows
    return [not m[row:, nk + i].any() for i in range(len(queries))]


def lp_bounds(a: np.ndarray, inner: np.ndarray, known: list[int], q: int) -> tuple[float, float]:
    a = np.asarray(a, dtype=float)
    a_eq, b_eq = a[:, known].T, a[:, known].T @ inner
    lo = linprog(a[:, q], A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    hi = linprog(-a[:, q], A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    return lo.fun, (np.inf if hi.status == 3 else -hi.fun)


def attack(a, inner, known, hidden) -> list[int]:
    """Hidden columns a reader recovers exactly, or pins inside 1-4 when they are 1-4."""
    a = np.asarray(a)
    out = [h for h, d in zip(hidden, in_span(a, known, hidden), strict=True) if d]
    values = a.T @ inner
    for h in hidden:
        if h in out or not 0 < values[h] < 5:
            continue
        lo, hi = lp_bounds(a, inner, known, h)
        if hi - lo < 0.5 or (lo > 1e-6 and hi < 5 - 1e-6):
            out.append(h)
    return out


def table_matrix(df: pd.DataFrame, dims: list[str], count: str = "n"):
    """Model matrix of a tidy table with ALL rows: inner cells = rows without ALL."""
    leaf = df[~df[dims].eq("ALL").any(axis=1)].reset_index(drop=True)
    a = np.zeros((len(leaf), len(df)), dtype=np.int64)
    for j, r in enumerate(df[dims].itertuples(index=False)):
        mask = np.ones(len(leaf), bool)
        for d, v in zip(dims, r, strict=True):
            if v != "ALL":
                mask &= (leaf[d] == v).to_numpy()
        a[mask, j] = 1
    return a, leaf[count].to_numpy()


def with_totals(cells: dict[tuple, int], levels: list[list], names: list[str]) -> pd.DataFrame:
    rows = []
    for key in itertools.product(*[lv + ["ALL"] for lv in levels]):
        ranges = [lv if k == "ALL" else [k] for k, lv in zip(key, levels, strict=True)]
        rows.append((*key, sum(cells[c] for c in itertools.product(*ranges))))
    return pd.DataFrame(rows, columns=[*names, "n"])


def check_table(df, out, dims):
    a, inner = table_matrix(df, list(dims))
    hidden = list(np.flatnonzero(out[flag_col("n")].to_numpy()))
    known = [j for j in range(len(df)) if j not in hidden]
    return attack(a, inner, known, hidden)


# --- hand-worked cases -----------------------------------------------------------------------------


def test_3x3_one_small_cell_gets_a_rectangle():
    # r1/c1 = 3 is the only small cell. Its row and column each need a second suppression; the
    # cheapest pattern is the rectangle with r1/c2 (10), r2/c1 (8) and r2/c2 (12). Totals stay.
    cells = {("r1", "c1"): 3, ("r1", "c2"): 10, ("r1", "c3"): 20, ("r2", "c1"): 8}
    cells |= {("r2", "c2"): 12, ("r2", "c3"): 30, ("r3", "c1"): 15, ("r3", "c2"): 25}
    cells[("r3", "c3")] = 40
    df = with_totals(cells, [["r1", "r2", "r3"], ["c1", "c2", "c3"]], ["row", "col"])
    out = suppress_table(df, "n", ["row", "col"], reason_col="why")
    hidden = set(out.loc[out[flag_col("n")], ["row", "col"]].itertuples(index=False, name=None))
    assert hidden == {("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2")}
    assert out.loc[(out.row == "r1") & (out.col == "c1"), "why"].item() == "primary"
    assert set(out.loc[out[flag_col("n")], "why"]) == {"primary", "secondary"}
    totals = (out.row == "ALL") | (out.col == "ALL")
    assert not out.loc[totals, flag_col("n")].any()
    assert (out.loc[totals, "n"].astype(int) == df.loc[totals, "n"]).all()
    assert check_table(df, out, ["row", "col"]) == []
    assert (out.loc[out[flag_col("n")], status_col("n")] == SUPPRESSED).all()
    assert out.loc[out[flag_col("n")], "n"].isna().all()


def test_single_small_cell_with_its_total_gets_the_next_smallest_as_complement():
    df = pd.DataFrame({"purpose": ["A", "B", "C", "ALL"], "n": [40, 17, 3, 60]})
    out = suppress_table(df, "n", ["purpose"])
    assert out[flag_col("n")].tolist() == [False, True, True, False]
    assert check_table(df, out, ["purpose"]) == []


def test_zeros_are_published_and_not_chosen_as_complement():
    # a zero says nobody; suppressing it next to the 3 would leave 3 + 0 = 3 and protect nothing
    df = pd.DataFrame({"g": ["A", "B", "C", "D", "ALL"], "n": [0, 3, 9, 0, 12]})
    out = suppress_table(df, "n", ["g"])
    assert out[flag_col("n")].tolist() == [False, True, True, False, False]
    assert out.loc[0, "n"] == 0 and out.loc[3, "n"] == 0
    assert check_table(df, out, ["g"]) == []


def test_a_total_of_1_4_is_suppressed_with_its_cells():
    df = pd.DataFrame({"g": ["A", "B", "ALL"], "n": [3, 0, 3]})
    out = suppress_table(df, "n", ["g"])
    # A and ALL are the same count (B is a published zero): both hidden, nothing else to do
    assert out[flag_col("n")].tolist() == [True, False, True]
    assert check_table(df, out, ["g"]) == []


def test_elimination_keeps_every_protected_cell_out_of_the_span():
    # two tables of the same units sharing a margin: the old per-table rule (two suppressions per
    # group) is satisfied by both patterns, but combined they recover the cell
    u = Universe("u", "test")
    u.add_block(
        "cells",
        pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["p", "q", "p", "q"], "n": [3, 7, 6, 9]}),
    )
    cols = {
        "xp": u.sum_cell("cells", {"a": "x", "b": "p"}, "published"),
        "xq": u.sum_cell("cells", {"a": "x", "b": "q"}, "published"),
        "yp": u.sum_cell("cells", {"a": "y", "b": "p"}, "published"),
        "yq": u.sum_cell("cells", {"a": "y", "b": "q"}, "published"),
        "x": u.sum_cell("cells", {"a": "x"}, "published"),
        "y": u.sum_cell("cells", {"a": "y"}, "published"),
        "p": u.sum_cell("cells", {"b": "p"}, "published"),
        "q": u.sum_cell("cells", {"b": "q"}, "published"),
        "all": u.sum_cell("cells", None, "published"),
    }
    out = protect_universe(u, {cols["xp"]})
    a = u.matrix().toarray()
    known = sorted(out.known)
    assert attack(a, u.inner, known, sorted(out.hidden)) == []
    assert len(out.hidden) == 4  # the rectangle: every margin keeps two or none suppressed


def test_linear_programming_finds_what_elimination_cannot():
    # x = 3 is not a linear combination of the published totals, but non-negativity pins it:
    # x + y = 6, y + z = 5, z + w = 3  =>  y <= 5 so x >= 1, and z <= 3 so y >= 2 so x <= 4
    u = Universe("u", "test")
    u.add_block("c", pd.DataFrame({"k": ["x", "y", "z", "w"], "n": [3, 3, 2, 1]}))
    x = u.sum_cell("c", {"k": "x"}, "published")
    k1 = u.sum_cell("c", {"k": ["x", "y"]}, "published")
    k2 = u.sum_cell("c", {"k": ["y", "z"]}, "published")
    k3 = u.sum_cell("c", {"k": ["z", "w"]}, "published")
    m = u.matrix()
    assert not derivable(m, [k1, k2, k3], [x])[0]
    lo, hi = intervals(m, u.inner, [k1, k2, k3], [x])
    assert (lo[0], hi[0]) == pytest.approx((1, 4))
    assert pinned_small(lo, hi)[0]
    # protect x alone (as if z + w were a published average that rounds to 5): elimination sees
    # nothing to do, the audit suppresses a count that binds the bound
    out = protect_universe(u, {x})
    assert out.reason.get(x) == "primary"
    assert "audit" in out.reason.values()
    assert attack(m.toarray(), u.inner, sorted(out.known), [x]) == []


def test_never_raises_when_nothing_can_protect_a_cell():
    # a structural link makes the small cell equal to a published one: suppression cannot help,
    # it reports the cell as unsafe instead of raising
    u = Universe("u", "test")
    u.add_block("a", pd.DataFrame({"k": ["s", "t"], "n": [3, 9]}))
    u.add_block("b", pd.DataFrame({"k": ["s", "t"], "n": [3, 9]}))
    small = u.sum_cell("a", {"k": "s"}, "published")
    u.link(("a", {"k": "s"}), ("b", {"k": "s"}))
    other = u.sum_cell("b", {"k": "s"}, "published")
    out = protect_universe(u, {small, other})
    assert {small, other} <= out.hidden


def test_gauss_candidates_order_is_respected():
    # cells a (protected), b, c and their total: the candidate later in the order is suppressed
    a = np.array([[1, 0, 0, 1], [0, 1, 0, 1], [0, 0, 1, 1]])
    res = gauss_suppress(sp.csc_matrix(a), candidates=[3, 1, 2], protected=[0])
    assert res.secondary.tolist() == [2]  # total kept, b kept, c suppressed
    res = gauss_suppress(sp.csc_matrix(a), candidates=[3, 2, 1], protected=[0])
    assert res.secondary.tolist() == [1]


def test_previous_release_counts_are_known_to_the_reader():
    """Release 1 hides A (3) with B (10), the smallest complement. In release 2 B grows to 30, so
    C (20, unchanged) would be the complement - but C was published last time: a reader has it,
    and A = 53 - 30 - 20. With the ledger, C counts as known and B stays hidden instead."""

    def release(b: int, known_before=None):
        u = Universe("u", "test")
        u.add_block("c", pd.DataFrame({"g": ["A", "B", "C"], "n": [3, b, 20]}))
        cols = {g: u.sum_cell("c", {"g": g}, "published") for g in ("A", "B", "C")}
        cols["ALL"] = u.sum_cell("c", None, "published")
        kb = {cols[g] for g in known_before or ()}
        return u, cols, protect_universe(u, {cols["A"]}, known_before=kb)

    u1, c1, r1 = release(10)
    assert r1.hidden == {c1["A"], c1["B"]}
    shown_before = [g for g in ("C", "ALL") if c1[g] not in r1.hidden]  # C = 20 again in release 2

    u2, c2, fresh = release(30)
    a = u2.matrix().toarray()
    assert fresh.hidden == {c2["A"], c2["C"]}
    reader = sorted(fresh.known | {c2["C"]})  # C from release 1: same value, same cell
    assert attack(a, u2.inner, reader, [c2["A"]]) == [c2["A"]]  # combining releases: A = 3

    _, c2, held = release(30, known_before=["C"])
    assert c2["C"] in held.known and c2["A"] in held.hidden
    reader = sorted(held.known | {c2[g] for g in shown_before})
    assert attack(a, u2.inner, reader, [c2["A"]]) == []


@pytest.mark.parametrize("seed", range(12))
def test_property_random_tables_are_safe(seed):
    """Random two- and three-way tables with all totals: nothing recoverable, nothing pinned."""
    rng = np.random.default_rng(seed)
    shape = [int(v) for v in rng.integers(2, 5, size=int(rng.integers(2, 4)))]
    names = [f"d{i}" for i in range(len(shape))]
    levels = [[f"v{j}" for j in range(k)] for k in shape]
    cells = {
        key: int(
            rng.choice(
                [0, 1, 2, 3, 4, 6, 9, 15, 30], p=[0.15, 0.1, 0.1, 0.1, 0.05, 0.15, 0.15, 0.1, 0.1]
            )
        )
        for key in itertools.product(*levels)
    }
    df = with_totals(cells, levels, names)
    out = suppress_table(df, "n", names)
    shown = pd.to_numeric(out["n"], errors="coerce")
    assert not ((shown > 0) & (shown < 5)).any()
    assert check_table(df, out, names) == []


def test_margin_block_is_the_complete_cross_classification():
    units = pd.DataFrame({"a": ["x", "x"], "b": [True, False], "n": [2, 3]})
    block = margin_block(units, ["a", "b"], {"a": ["x", "y"], "b": [True, False]})
    assert len(block) == 4 and block["n"].sum() == 5
    ruled = margin_block(
        units,
        ["a", "b"],
        {"a": ["x", "y"], "b": [True, False]},
        lambda g: ~((g["a"] == "y") & ~g["b"]),
    )
    assert len(ruled) == 3


def test_deterministic():
    rng = np.random.default_rng(3)
    levels = [["a", "b", "c", "d"], ["p", "q", "r"]]
    cells = {k: int(rng.integers(0, 8)) for k in itertools.product(*levels)}
    df = with_totals(cells, levels, ["x", "y"])
    a = suppress_table(df, "n", ["x", "y"])
    b = suppress_table(df.sample(frac=1, random_state=1).sort_index(), "n", ["x", "y"])
    pd.testing.assert_frame_equal(a, b)


# --- symbols -------------------------------------------------------------------------------------


def test_each_symbol_prints_as_ssb_symbol():
    df = pd.DataFrame(
        {
            "share": [0.25, np.nan, np.nan, np.nan],
            "share_status": ["", SUPPRESSED, NOT_APPLICABLE, NOT_AVAILABLE],
            "share_suppressed": [False, True, False, False],
        }
    )
    assert format_column(df, "share", percent=True, lang="nb").tolist() == [
        "25 %".replace(" ", fmt.NBSP),
        ":",
        ".",
        "..",
    ]
    assert format_column(df, "share", percent=True, lang="en").tolist() == ["25%", ":", ".", ".."]
    # a frame with only the flag (old layout) still prints ':' and '..'
    old = df.drop(columns="share_status")
    assert format_column(old, "share").tolist()[1:] == [":", "..", ".."]
