"""Tests for analysis.disclosure: hand-worked tables, checks, and a random-table property test."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from analysis.disclosure import (
    MIN_COUNT,
    check_disclosure,
    flag_col,
    format_column,
    format_suppressed,
    suppress_estimates,
    suppress_table,
)

# --- helpers ----------------------------------------------------------------------------------


def with_totals(leaf: dict[tuple, int], levels: list[list], names: list[str], total_dims=None):
    """Tidy table of leaf counts plus 'ALL' rows for every dimension in `total_dims`."""
    total_dims = set(names if total_dims is None else total_dims)
    axes = [lv + (["ALL"] if n in total_dims else []) for lv, n in zip(levels, names, strict=True)]
    rows = []
    for key in itertools.product(*axes):
        ranges = [lv if k == "ALL" else [k] for k, lv in zip(key, levels, strict=True)]
        rows.append((*key, sum(leaf[c] for c in itertools.product(*ranges))))
    return pd.DataFrame(rows, columns=[*names, "n"])


def table_3x3(cells: list[list[int]]) -> pd.DataFrame:
    leaf = {(f"r{i + 1}", f"c{j + 1}"): cells[i][j] for i in range(3) for j in range(3)}
    return with_totals(leaf, [["r1", "r2", "r3"], ["c1", "c2", "c3"]], ["row", "col"])


def hidden_set(out: pd.DataFrame, dims=("row", "col")) -> set[tuple]:
    return set(out.loc[out["n_suppressed"], list(dims)].itertuples(index=False, name=None))


def relations(df: pd.DataFrame, dims, implicit=()) -> list[np.ndarray]:
    """Additive relations as coefficient vectors over the rows (plus implicit totals as rows)."""
    keys = [tuple(r) for r in df[list(dims)].astype(object).itertuples(index=False, name=None)]
    pos = {k: i for i, k in enumerate(keys)}
    out = []
    for d, _ in enumerate(dims):
        for i, k in enumerate(keys):
            if k[d] != "ALL":
                continue
            vec = np.zeros(len(keys))
            vec[i] = -1
            cells = [
                j
                for j, kk in enumerate(keys)
                if kk[d] != "ALL" and all(kk[e] == k[e] for e in range(len(dims)) if e != d)
            ]
            if cells:
                vec[cells] = 1
                out.append(vec)
    if implicit:
        gpos = [list(dims).index(c) for c in implicit]
        spos = [e for e in range(len(dims)) if e not in gpos]
        groups: dict[tuple, list[int]] = {}
        for j, kk in enumerate(keys):
            if all(kk[e] != "ALL" for e in spos):
                groups.setdefault(tuple(kk[e] for e in gpos), []).append(j)
        for g, cells in groups.items():
            vec = np.zeros(len(keys))
            vec[cells] = 1  # the implicit total is a published constant
            total_key = list(g)
            for e in spos:
                total_key.insert(e, "ALL")
            if tuple(total_key) in pos:  # a real total row exists: it is in the relation
                vec[pos[tuple(total_key)]] = -1
            out.append(vec)
    return out


def recoverable(df: pd.DataFrame, hidden: np.ndarray, dims, implicit=()) -> list[int]:
    """Hidden rows whose value is determined by the relations (rank test, written for tests)."""
    rel = relations(df, dims, implicit)
    if not rel or not hidden.any():
        return []
    a = np.array(rel)[:, hidden]
    rank = np.linalg.matrix_rank(a)
    idx = np.flatnonzero(hidden)
    out = []
    for j in range(a.shape[1]):
        e = np.zeros(a.shape[1])
        e[j] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            out.append(int(idx[j]))
    return out


def single_suppressed_groups(df: pd.DataFrame, hidden: np.ndarray, dims, implicit=()) -> int:
    """Number of relations with exactly one hidden member."""
    return sum(int(hidden[v != 0].sum() == 1) for v in relations(df, dims, implicit))


# --- hand-worked cases ------------------------------------------------------------------------


def test_3x3_one_small_cell_gets_a_rectangle():
    # r1/c1 = 3 is the only small cell. Row r1: smallest other inner cell is c2 (10).
    # Column c1: smallest other inner cell is r2 (8). Column c2 and row r2 now hold one
    # suppression each; (r2, c2) closes both at once. Totals stay published.
    df = table_3x3([[3, 10, 20], [8, 12, 30], [15, 25, 40]])
    out = suppress_table(df, "n", dims=("row", "col"), reason_col="why")
    assert hidden_set(out) == {("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2")}
    row_r1 = out[(out.row == "r1") & (out.col != "ALL")]
    col_c1 = out[(out.col == "c1") & (out.row != "ALL")]
    assert (row_r1.why == "secondary").sum() == 1
    assert (col_c1.why == "secondary").sum() == 1
    assert out.loc[(out.row == "r1") & (out.col == "c1"), "why"].item() == "primary"
    # No total is suppressed and published totals equal the input.
    totals = (out.row == "ALL") | (out.col == "ALL")
    assert not out.loc[totals, "n_suppressed"].any()
    assert (out.loc[totals, "n"].astype(int) == df.loc[totals, "n"]).all()
    # Hidden cells in each row/column add up to total minus the published cells.
    assert check_disclosure(out, "n", dims=("row", "col")) == []
    assert recoverable(df, out.n_suppressed.to_numpy(), ("row", "col")) == []


def test_nothing_to_suppress_leaves_table_identical():
    df = table_3x3([[5, 10, 20], [8, 12, 30], [15, 25, 0]])
    df["share"] = df.n / 200
    out = suppress_table(df, "n", ["share"], ("row", "col"))
    assert not out.n_suppressed.any() and not out.share_suppressed.any()
    pd.testing.assert_frame_equal(
        out[df.columns].astype({"n": "int64"}), df, check_dtype=True, check_exact=True
    )
    assert list(out.index) == list(df.index)


def test_complement_is_the_total_and_zeros_stay():
    # One dimension: cells 2, 0, 0 with total 2. The total is itself small -> both primary;
    # the zeros are true zeros and stay published.
    df = pd.DataFrame({"purpose": ["A", "B", "C", "ALL"], "n": [2, 0, 0, 2]})
    out = suppress_table(df, "n", dims="purpose", reason_col="why")
    assert out.why.tolist() == ["primary", "", "", "primary"]
    assert out.n.tolist()[1:3] == [0, 0]
    assert check_disclosure(out, "n", dims="purpose") == []


def test_secondary_prefers_inner_cell_over_total_and_nonzero_over_zero():
    df = pd.DataFrame({"purpose": ["A", "B", "C", "D", "ALL"], "n": [3, 0, 40, 12, 55]})
    out = suppress_table(df, "n", dims="purpose", reason_col="why")
    # 12 is the smallest non-zero inner cell; the zero and the total are not used.
    assert out.why.tolist() == ["primary", "", "", "secondary", ""]


def test_only_nonzero_complement_is_the_total():
    # Row r1 = (4, 0, 0), total 4: cell and row total both primary. The row total is then the
    # only suppression in the "ALL" column, so a second row total is suppressed (the smallest,
    # r2's 30); that makes row r2 need an inner cell, and so on - the check must come out clean.
    df = table_3x3([[4, 0, 0], [10, 10, 10], [20, 20, 20]])
    out = suppress_table(df, "n", dims=("row", "col"), reason_col="why")
    hid = hidden_set(out)
    assert {("r1", "c1"), ("r1", "ALL")} <= hid
    assert ("r1", "c2") not in hid and ("r1", "c3") not in hid  # zeros are never needed here
    assert check_disclosure(out, "n", dims=("row", "col")) == []
    assert recoverable(df, out.n_suppressed.to_numpy(), ("row", "col")) == []


def test_shares_and_means_from_fewer_than_five():
    df = pd.DataFrame(
        {
            "group": ["A", "B", "C", "D"],
            "n": [4, 12, 0, 7],
            "n_group": [20, 3, 30, 40],  # denominator of the share
            "share": [0.2, 4.0, 0.0, 0.175],
            "mean_days": [10.0, 11.0, np.nan, 12.0],
        }
    )
    out = suppress_table(df, "n", ["share", "mean_days"], base_cols="n_group")
    assert out.share_suppressed.tolist() == [True, True, False, False]  # n<5; n_group<5
    assert out.mean_days_suppressed.tolist() == [True, True, False, False]
    assert out.n_group_suppressed.tolist() == [False, True, False, False]
    assert out.share.iloc[2] == 0.0  # a share of a true zero from 30 persons is published
    assert check_disclosure(out, "n", ["share", "mean_days"], base_cols="n_group") == []
    # The unsuppressed input has violations for every one of these.
    problems = check_disclosure(df, "n", ["share", "mean_days"], base_cols="n_group")
    assert len(problems) == 2 + 4  # n=4 and n_group=3 published; 4 statistics


def test_zero_cells_are_published_and_not_primary():
    df = table_3x3([[0, 10, 20], [8, 0, 30], [15, 25, 0]])
    out = suppress_table(df, "n", dims=("row", "col"))
    assert not out.n_suppressed.any()
    assert (out.n.astype(int) == df.n).all()


def test_multi_dimension_table_with_all_rows():
    # purpose x status_group x month; purpose and status_group carry ALL rows, month does not.
    rng = np.random.default_rng(7)
    purposes, statuses, months = ["P1", "P2", "P3"], ["ARB", "NED"], [1, 2]
    leaf = {
        k: int(rng.choice([0, 2, 6, 9, 30])) for k in itertools.product(purposes, statuses, months)
    }
    leaf[("P1", "ARB", 1)] = 1
    df = with_totals(
        leaf,
        [purposes, statuses, months],
        ["purpose", "status_group", "month"],
        total_dims=["purpose", "status_group"],
    )
    dims = ("purpose", "status_group", "month")
    out = suppress_table(df, "n", dims=dims)
    hidden = out.n_suppressed.to_numpy()
    assert hidden[(df.n > 0) & (df.n < 5)].all()
    assert check_disclosure(out, "n", dims=dims) == []
    assert single_suppressed_groups(df, hidden, dims) == 0
    assert recoverable(df, hidden, dims) == []
    # Months are independent slices: the suppression pattern of month 2 does not depend on month 1.
    m2 = df[df.month == 2].reset_index(drop=True)
    out2 = suppress_table(m2, "n", dims=dims)
    assert out2.n_suppressed.tolist() == out[out.month == 2].n_suppressed.tolist()


def test_implicit_total_group_transitions():
    # State shares within purpose x months_after_exit: no ALL rows, but the group total (persons
    # in the purpose at that month) is published elsewhere, so one suppressed state is not enough.
    df = pd.DataFrame(
        {
            "purpose": ["A"] * 4 + ["B"] * 3,
            "months_after_exit": [6] * 7,
            "state": ["EMPLOYED", "AAP", "NONE", "EDUCATION", "EMPLOYED", "AAP", "NONE"],
            "n": [40, 3, 12, 0, 3, 0, 0],
        }
    )
    df["share"] = df.n / df.groupby("purpose").n.transform("sum")
    dims = ("purpose", "months_after_exit", "state")
    kw = {"implicit_total_groups": ("purpose", "months_after_exit")}
    out = suppress_table(df, "n", ["share"], dims, reason_col="why", **kw)
    # Group A: AAP=3 primary, complement = NONE (12, smallest non-zero); zero EDUCATION stays.
    # Group B: 3 persons in total, all EMPLOYED: a zero must go (nothing else left), and every
    # share in the group is from fewer than 5 persons.
    assert out.why.tolist() == ["", "primary", "secondary", "", "primary", "secondary", ""]
    assert out.share_suppressed.tolist() == [False, True, True, False, True, True, True]
    assert check_disclosure(out, "n", ["share"], dims, **kw) == []
    # Without the implicit-total declaration the check cannot see the problem: it is the flag
    # that tells it the group total is public.
    bad = suppress_table(df, "n", ["share"], dims)
    assert len(check_disclosure(bad, "n", ["share"], dims, **kw)) >= 1


def test_implicit_groups_with_purpose_all_rows():
    rng = np.random.default_rng(3)
    purposes, months, states = ["P1", "P2", "P3"], [3, 6], ["EMPLOYED", "AAP", "NONE", "EDU"]
    leaf = {
        k: int(rng.choice([0, 1, 4, 7, 20])) for k in itertools.product(purposes, months, states)
    }
    df = with_totals(
        leaf, [purposes, months, states], ["purpose", "m", "state"], total_dims=["purpose"]
    )
    dims, kw = ("purpose", "m", "state"), {"implicit_total_groups": ("purpose", "m")}
    out = suppress_table(df, "n", dims=dims, **kw)
    hidden = out.n_suppressed.to_numpy()
    assert check_disclosure(out, "n", dims=dims, **kw) == []
    assert single_suppressed_groups(df, hidden, dims, kw["implicit_total_groups"]) == 0
    assert recoverable(df, hidden, dims, kw["implicit_total_groups"]) == []


def test_suppress_estimates():
    df = pd.DataFrame(
        {
            "outcome": ["employed"] * 3,
            "month": [6, 12, 24],
            "estimate": [0.05, 0.07, 0.09],
            "std_error": [0.01, 0.02, 0.03],
            "ci_low": [0.03, 0.03, 0.03],
            "ci_high": [0.07, 0.11, 0.15],
            "n_treated": [120, 4, 60],
            "n_control": [900, 800, 3],
        }
    )
    vals = ["estimate", "std_error", "ci_low", "ci_high"]
    out = suppress_estimates(df, ("n_treated", "n_control"), vals)
    for v in vals:
        assert out[flag_col(v)].tolist() == [False, True, True]
        assert out[v].isna().tolist() == [False, True, True]
    assert out.n_treated_suppressed.tolist() == [False, True, False]
    assert out.n_control_suppressed.tolist() == [False, False, True]
    assert check_disclosure(out, "n_treated", vals, base_cols="n_control") == []
    assert len(check_disclosure(df, "n_treated", vals, base_cols="n_control")) == 2 + 8


def test_suppress_estimates_additive_rows_get_secondary():
    df = pd.DataFrame(
        {
            "purpose": ["A", "B", "C", "ALL"],
            "estimate": [0.1, 0.2, 0.3, 0.15],
            "n_treated": [3, 50, 60, 113],
        }
    )
    out = suppress_estimates(df, "n_treated", "estimate", dims="purpose")
    assert out.n_treated_suppressed.tolist() == [True, True, False, False]
    assert out.estimate_suppressed.tolist() == [True, True, False, False]
    assert check_disclosure(out, "n_treated", "estimate", dims="purpose") == []


# --- check_disclosure on its own --------------------------------------------------------------


def test_check_flags_single_suppression_in_group():
    df = table_3x3([[6, 10, 20], [8, 12, 30], [15, 25, 40]])
    df["n"] = df["n"].astype("Int64")
    df.loc[(df.row == "r1") & (df.col == "c1"), "n"] = pd.NA
    problems = check_disclosure(df, "n", dims=("row", "col"))
    # Recoverable from its row and from its column; the linear audit says so too.
    assert sum("exactly one suppressed" in p for p in problems) == 2
    assert any("combining published totals" in p for p in problems)


def test_check_linear_audit_finds_bridge_cell():
    # Two 2x2 rectangles of suppressions joined by one extra cell (r1, c3). Every row and column
    # has 0 or >= 2 suppressions, but row sums of r1+r2 minus column sums of c1+c2 give (r1, c3).
    leaf = {(f"r{i}", f"c{j}"): 10 + i + j for i in range(1, 5) for j in range(1, 5)}
    rows, cols = [f"r{i}" for i in range(1, 5)], [f"c{j}" for j in range(1, 5)]
    df = with_totals(leaf, [rows, cols], ["row", "col"])
    hide = {("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2"), ("r3", "c3"), ("r3", "c4")}
    hide |= {("r4", "c3"), ("r4", "c4"), ("r1", "c3")}
    mask = [(r, c) in hide for r, c in zip(df.row, df.col, strict=True)]
    published = df.assign(n=df.n.astype("Int64").mask(mask))
    problems = check_disclosure(published, "n", dims=("row", "col"))
    assert not any("exactly one" in p for p in problems)
    assert problems == [
        "suppressed n can be recovered by combining published totals (row='r1', col='c3')"
    ]
    assert check_disclosure(published, "n", dims=("row", "col"), linear_audit=False) == []
    # suppress_table never leaves such a pattern: starting from the same primaries it is safe.
    assert recoverable(df, np.array(mask), ("row", "col")) == [
        int(np.flatnonzero((df.row == "r1") & (df.col == "c3"))[0])
    ]


def test_check_flags_inconsistent_flags_and_undeclared_dims():
    df = pd.DataFrame(
        {"g": ["A", "B", "ALL"], "n": [10, 20, 30], "n_suppressed": [True, False, False]}
    )
    problems = check_disclosure(df, "n")
    assert any("flagged suppressed but still has a value" in p for p in problems)
    assert any("'g' contains 'ALL' but is not declared" in p for p in problems)


def test_check_published_statistic_next_to_suppressed_count():
    df = pd.DataFrame({"g": ["A", "B"], "n": pd.array([pd.NA, 30], dtype="Int64")})
    df["share"] = [0.1, 0.9]
    problems = check_disclosure(df, "n", "share", dims="g")
    assert problems == ["share published although n is suppressed (g='A')"]


def test_input_validation():
    df = pd.DataFrame({"g": ["A", "A"], "n": [1, 2]})
    with pytest.raises(ValueError, match="uniquely"):
        suppress_table(df, "n", dims="g")
    with pytest.raises(ValueError, match="missing"):
        suppress_table(pd.DataFrame({"n": [1.0, np.nan]}), "n")
    with pytest.raises(ValueError, match="non-negative whole"):
        suppress_table(pd.DataFrame({"n": [1.5]}), "n")
    with pytest.raises(KeyError):
        suppress_table(df, "count")
    with pytest.raises(ValueError, match="subset"):
        suppress_table(df, "n", dims=(), implicit_total_groups="g")


def test_rendering_helpers():
    out = suppress_table(pd.DataFrame({"n": [3, 1234, 0]}), "n")
    assert format_column(out, "n").tolist() == [":", "1\u202f234", "0"]
    assert format_column(out, "n", lang="en").tolist() == [":", "1,234", "0"]
    assert format_suppressed(0.531, False, decimals=1, percent=True) == "53,1\u00a0%"
    assert format_suppressed(0.531, True, percent=True) == ":"
    assert format_suppressed(None) == ".."


def test_empty_table():
    df = pd.DataFrame({"g": pd.Series([], dtype=object), "n": pd.Series([], dtype="int64")})
    out = suppress_table(df, "n", dims="g")
    assert len(out) == 0 and "n_suppressed" in out.columns
    assert check_disclosure(out, "n", dims="g") == []


# --- property test ----------------------------------------------------------------------------

COUNTS = np.array([0, 0, 1, 2, 3, 4, 5, 6, 8, 12, 25, 60, 200])


def random_table(rng: np.random.Generator):
    """A random tidy table: 2 or 3 dimensions, totals on a random subset, maybe implicit totals."""
    ndim = int(rng.integers(2, 4))
    sizes = [int(rng.integers(2, 5 if ndim == 2 else 4)) for _ in range(ndim)]
    names = [f"d{i}" for i in range(ndim)]
    levels = [[f"{n}_{k}" for k in range(s)] for n, s in zip(names, sizes, strict=True)]
    leaf = {k: int(rng.choice(COUNTS)) for k in itertools.product(*levels)}
    implicit: tuple[str, ...] = ()
    if rng.random() < 0.3:
        # Last dimension summed within groups of the others; those may have ALL rows.
        implicit = tuple(names[:-1])
        total_dims = [n for n in names[:-1] if rng.random() < 0.5]
    else:
        total_dims = [n for n in names if rng.random() < 0.8] or [names[0]]
    df = with_totals(leaf, levels, names, total_dims)
    df["share"] = df.n / max(int(df.n.max()), 1)
    return df, tuple(names), implicit


def test_property_random_tables_are_safe():
    rng = np.random.default_rng(20240501)
    n_tables, n_secondary = 200, 0
    for _ in range(n_tables):
        df, dims, implicit = random_table(rng)
        kw = {"implicit_total_groups": implicit}
        out = suppress_table(df, "n", ["share"], dims, reason_col="why", **kw)
        hidden = out.n_suppressed.to_numpy()
        n_secondary += int((out.why == "secondary").sum())
        ctx = f"\n{df}\n{out.why.tolist()}"
        # The independent check is clean.
        assert check_disclosure(out, "n", ["share"], dims, **kw) == [], ctx
        # Every primary cell is hidden; nothing published is small; shares follow their counts.
        assert hidden[(df.n > 0) & (df.n < MIN_COUNT)].all(), ctx
        shown = out.n[~hidden].astype(int)
        assert not ((shown > 0) & (shown < MIN_COUNT)).any(), ctx
        assert (out.share_suppressed.to_numpy() >= hidden).all(), ctx
        # Published values are the input values.
        assert (shown == df.n[~hidden]).all(), ctx
        # No summing group has exactly one suppressed cell; nothing is recoverable at all.
        assert single_suppressed_groups(df, hidden, dims, implicit) == 0, ctx
        assert recoverable(df, hidden, dims, implicit) == [], ctx
        # With real totals only, zeros are never needed as secondary suppressions.
        if not implicit:
            assert not hidden[df.n.to_numpy() == 0].any(), ctx
    assert n_secondary > n_tables  # the test exercised secondary suppression a lot
