"""The blocking check on schema ``protected``: attack all outbound tables together.

Reads the protected tables as a reader gets them (a value is known iff its status is empty) and
the warehouse's own unit-level tables (the model: universes and the cell behind every count;
built by the same code as the suppression, which decides nothing here). Then, per universe:

1. every published count is the true count and is not 1-4 (nor a cell the layout treats as 1-4);
2. a count published in one place is not suppressed in another (same cell);
3. no suppressed count, and no sensitive count of 1-4 (e.g. a start cohort), lies in the linear
   span of the published counts and the structural links (exact elimination,
   :func:`analysis.disclosure.audit.derivable`, its own prime and pivot rule);
4. no suppressed or sensitive count of 1-4 is pinned by linear programming over non-negative
   inner cells: its feasible interval must reach 0 or 5 (:func:`analysis.disclosure.audit.intervals`);
5. a published statistic is not computed from 1-4 units and reveals only counts a reader can
   already work out (a share's count and denominator);
6. symbols are SSB's and agree with the values: empty = published (value present), ':' ,
   '.' and '..' with the value empty.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from analysis.disclosure.audit import SMALL_MAX, derivable, exact, intervals, pinned_small
from analysis.disclosure.layout import MIN_COUNT, Ref
from analysis.disclosure.ledger import cell_key
from analysis.disclosure.protect import PUBLISHED, SUPPRESSED, SYMBOLS, model, status_col
from analysis.disclosure.store import SCHEMA

MAX_LISTED = 50


def _protected_frames(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = ?", [SCHEMA]
        ).fetchall()
    ]
    return {
        n: con.execute(f'SELECT * FROM {SCHEMA}."{n}"').df()
        for n in names
        if n not in ("catalog", "ledger")
    }


def audit_protected(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every disclosure problem of schema protected (empty list = nothing can be worked out)."""
    problems: list[str] = []
    frames = _protected_frames(con)
    if not frames:
        return [f"schema {SCHEMA} has no tables"]
    universes, tables, _ = model(con)
    known: dict[str, set[int]] = {n: set() for n in universes}
    hidden: dict[str, set[int]] = {n: set() for n in universes}
    small: dict[str, set[int]] = {n: set() for n in universes}
    values = {n: u.values() for n, u in universes.items()}
    stat_checks: list[tuple[str, str, list[Ref]]] = []

    for t in tables:
        f = frames.get(t.name)
        if f is None:
            problems.append(f"{t.name}: outbound table missing from schema {SCHEMA}")
            continue
        if len(f) != len(t.frame):
            problems.append(f"{t.name}: {len(f)} rows published, {len(t.frame)} expected")
            continue
        pkeys = [cell_key(r, t.keys) for r in f.to_dict("records")]
        tkeys = [cell_key(r, t.keys) for r in t.frame.to_dict("records")]
        if pkeys != tkeys:
            problems.append(f"{t.name}: rows do not match the outbound layout")
            continue
        problems += _symbols(t.name, f)
        for col, refs in t.counts.items():
            st = f[status_col(col)].fillna("").to_numpy() if status_col(col) in f else None
            if st is None:
                problems.append(f"{t.name}.{col}: no status column")
                continue
            shown = pd.to_numeric(f[col], errors="coerce")
            true = pd.to_numeric(t.frame[col], errors="coerce").round()
            flag = t.small.get(col, ((true > 0) & (true < MIN_COUNT)).to_numpy())
            expected = t.expected.get(col, true.to_numpy())
            for i, ref in enumerate(refs):
                if st[i] != PUBLISHED:
                    if st[i] == SUPPRESSED and ref is not None:
                        hidden[ref[0]].add(ref[1])
                        if flag[i] or 0 < values[ref[0]][ref[1]] <= SMALL_MAX:
                            small[ref[0]].add(ref[1])
                    continue
                where = f"{t.name}.{col} at {tkeys[i]}"
                if flag[i]:
                    problems.append(f"{where}: a count of 1-4 is published")
                if shown.iloc[i] != true.iloc[i]:
                    problems.append(f"{where}: published value differs from the warehouse")
                if ref is None:
                    problems.append(f"{where}: published, but not a cell of any universe")
                    continue
                if values[ref[0]][ref[1]] != int(expected[i]):
                    problems.append(f"{where}: published count is not its model cell")
                known[ref[0]].add(ref[1])
        for stat in t.stats:
            for col in stat.cols:
                if col not in f.columns or status_col(col) not in f.columns:
                    continue
                st = f[status_col(col)].fillna("").to_numpy()
                for i in np.flatnonzero(st == PUBLISHED):
                    where = f"{t.name}.{col} at {tkeys[i]}"
                    if stat.hide is not None and stat.hide[i]:
                        problems.append(f"{where}: published although computed from 1-4 units")
                    if stat.reveals is not None:
                        stat_checks.append((where, t.name, stat.reveals[i]))

    for name, u in universes.items():
        links = {int(c) for c in np.flatnonzero(u.has_role("link"))}
        both = known[name] & hidden[name]
        for c in sorted(both)[:MAX_LISTED]:
            problems.append(
                f"{name}: cell {u.labels[c] or c} is published in one table and suppressed in another"
            )
        v = values[name]
        sensitive = {
            int(c) for c in np.flatnonzero(u.has_role("sensitive")) if 0 < v[c] <= SMALL_MAX
        }
        k = sorted(known[name] | links)
        queries = sorted((hidden[name] | sensitive) - known[name])
        if not queries:
            continue
        x = u.matrix()
        for c, d in zip(queries, derivable(x, k, queries), strict=True):
            if d:
                problems.append(
                    f"{name}: suppressed cell {u.labels[c] or c} can be recovered exactly"
                )
        tiny = sorted((small[name] | sensitive) - known[name])
        lo, hi = intervals(x, u.inner, k, tiny, lower_first=True)
        bad = exact(lo, hi) | pinned_small(lo, hi) | np.isnan(lo) | np.isnan(hi)
        for c in np.asarray(tiny)[bad][:MAX_LISTED]:
            problems.append(
                f"{name}: a count of 1-4 ({u.labels[c] or c}) is pinned to 1-4 by the published cells"
            )

    if stat_checks:
        by_u: dict[str, set[int]] = {}
        for _, _, refs in stat_checks:
            for r in refs:
                if r is not None:
                    by_u.setdefault(r[0], set()).add(r[1])
        ok: set[Ref] = set()
        for name, cols in by_u.items():
            u = universes[name]
            cols = sorted(cols)
            links = [int(c) for c in np.flatnonzero(u.has_role("link"))]
            d = derivable(u.matrix(), sorted(known[name] | set(links)), cols)
            ok |= {(name, c) for c, dd in zip(cols, d, strict=True) if dd and c not in hidden[name]}
        for where, _, refs in stat_checks:
            if any(r is None or r not in ok for r in refs):
                problems.append(
                    f"{where}: a published statistic reveals a count that is not published"
                )
    return problems


def _symbols(name: str, f: pd.DataFrame) -> list[str]:
    out = []
    for c in f.columns:
        if not c.endswith("_status"):
            continue
        base = c[: -len("_status")]
        st = f[c].fillna("")
        bad = ~st.isin(SYMBOLS)
        if bad.any():
            out.append(f"{name}.{c}: symbols other than SSB's ({sorted(set(st[bad]))})")
        if base in f.columns:
            v = f[base]
            if (v.notna() & (st != PUBLISHED)).any():
                out.append(f"{name}.{base}: a value is present where the symbol says it is not")
            if (v.isna() & (st == PUBLISHED)).any():
                out.append(f"{name}.{base}: a value is missing without a symbol")
        flag = f"{base}_suppressed"
        if flag in f.columns and (f[flag].fillna(False).astype(bool) != (st == SUPPRESSED)).any():
            out.append(f"{name}.{flag}: disagrees with {c}")
    return out


__all__ = ["audit_protected"]
