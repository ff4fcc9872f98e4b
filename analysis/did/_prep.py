"""Input validation and the unit x period outcome matrix behind `att_gt`.

Everything here works on plain numpy arrays pulled out of the caller's data frame, in O(rows)
vectorised passes (no per-unit Python loops), so that a 65M-row person-month panel is turned
into a dense units x periods matrix in a few seconds.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


class DiDInputError(ValueError):
    """Raised for data or arguments that `att_gt` cannot use; the message names the problem."""


@dataclass
class Panel:
    """A validated panel, units ordered by cohort, ready for the cohort moments.

    Attributes:
        tlist: sorted time periods kept (length T).
        cohorts: sorted cohort values (first treatment period; 0 = never treated) (length K).
        n_by_cohort: number of units in each cohort (length K).
        starts: offsets of each cohort's units in `order` (length K + 1).
        order: row indices into `y` of the units used, grouped by cohort.
        cols: column indices into `y` of the periods used (None: all columns).
        y: (all units, all periods) float64 outcome matrix, NaN where a unit is not observed;
            rows not in `order` / columns not in `cols` were dropped by preprocessing.
        balanced: True when every unit is observed in every kept period.
        notes: human-readable account of what preprocessing dropped or recoded.
        x, w, cluster: covariates, sampling weights and cluster codes of the kept units, in
            `order` (row i belongs to unit order[i]); None when not requested.
    """

    tlist: np.ndarray
    cohorts: np.ndarray
    n_by_cohort: np.ndarray
    starts: np.ndarray
    order: np.ndarray
    cols: np.ndarray | None
    y: np.ndarray
    balanced: bool
    notes: list[str] = field(default_factory=list)
    x: np.ndarray | None = None  # (units, p) or (units, periods, p) if time-varying; panel order
    x_varying: bool = False
    covariates: list[str] = field(default_factory=list)
    w: np.ndarray | None = None  # (units,) sampling weights, panel order
    cluster: np.ndarray | None = None  # (units,) cluster codes 0..n_clusters-1, panel order
    n_clusters: int = 0
    unit_ids: np.ndarray | None = None  # (units,) ids in panel order

    @property
    def n_units(self) -> int:
        return int(self.order.shape[0])

    def rows(self, c: int, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """Outcome rows of cohort index c (optionally its units lo:hi), kept periods only."""
        a = int(self.starts[c])
        b = int(self.starts[c + 1])
        idx = self.order[a + lo : b if hi is None else min(a + hi, b)]
        blk = self.y[idx]
        return blk if self.cols is None else blk[:, self.cols]


# ---------------------------------------------------------------------------------------------
# column extraction
# ---------------------------------------------------------------------------------------------


def _is_polars(data: Any) -> bool:
    mod = type(data).__module__
    return mod.startswith("polars")


def _to_frame(data: Any) -> Any:
    """Return a pandas or polars DataFrame for `data` (converting anything else via pandas)."""
    if isinstance(data, pd.DataFrame) or _is_polars(data) and hasattr(data, "get_column"):
        return data
    if _is_polars(data) and hasattr(data, "collect"):  # LazyFrame
        return data.collect()
    if type(data).__module__.startswith("pyarrow"):  # Table / RecordBatch: zero-copy via polars
        import polars as pl

        return pl.from_arrow(data)
    try:
        return pd.DataFrame(data)
    except Exception as exc:  # pragma: no cover - depends on the odd input
        raise DiDInputError(
            f"cannot convert data of type {type(data).__name__} to a data frame: {exc}"
        ) from exc


def _columns_of(frame: Any) -> list[str]:
    return [str(c) for c in frame.columns]


def _numeric_column(frame: Any, name: str, role: str, *, allow_missing: bool) -> np.ndarray:
    """Return column `name` as a numeric numpy array (float64 when it holds missing values).

    Booleans are accepted (as 0/1). Dates, strings and other non-numeric types raise.
    """
    if _is_polars(frame):
        import polars as pl

        s = frame.get_column(name)
        dt = s.dtype
        if dt == pl.Boolean:
            s = s.cast(pl.Int8)
        elif not dt.is_numeric():
            raise DiDInputError(f"{role} column {name!r} must be numeric, got polars dtype {dt}")
        if s.null_count() > 0:
            if not allow_missing:
                raise DiDInputError(f"{role} column {name!r} has {s.null_count()} missing values")
            return s.cast(pl.Float64).to_numpy()
        return s.to_numpy()
    s = frame[name]
    if isinstance(s, pd.DataFrame):
        raise DiDInputError(f"column name {name!r} is duplicated in the data")
    dt = s.dtype
    if pd.api.types.is_bool_dtype(dt):
        if s.isna().any():
            if not allow_missing:
                raise DiDInputError(
                    f"{role} column {name!r} has {int(s.isna().sum())} missing values"
                )
            return s.to_numpy(dtype="float64", na_value=np.nan)
        return s.to_numpy(dtype="int8")
    if not pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_complex_dtype(dt):
        raise DiDInputError(f"{role} column {name!r} must be numeric, got dtype {dt}")
    arr = s.to_numpy()
    if arr.dtype.kind not in "iuf":  # nullable / arrow-backed dtypes
        n_missing = int(s.isna().sum())
        if n_missing and not allow_missing:
            raise DiDInputError(f"{role} column {name!r} has {n_missing} missing values")
        arr = s.to_numpy(dtype="float64", na_value=np.nan)
    return arr


def _unit_column(frame: Any, name: str) -> np.ndarray:
    if _is_polars(frame):
        s = frame.get_column(name)
        if s.null_count() > 0:
            raise DiDInputError(f"unit column {name!r} has {s.null_count()} missing values")
        return s.to_numpy()
    s = frame[name]
    if isinstance(s, pd.DataFrame):
        raise DiDInputError(f"column name {name!r} is duplicated in the data")
    arr = s.to_numpy()
    if arr.dtype.kind not in "iuf" or arr.dtype.kind == "f":
        n_missing = int(s.isna().sum())
        if n_missing:
            raise DiDInputError(f"unit column {name!r} has {n_missing} missing values")
    return arr


# ---------------------------------------------------------------------------------------------
# integer coding helpers
# ---------------------------------------------------------------------------------------------


def _integer_valued(arr: np.ndarray, role: str, name: str) -> np.ndarray:
    """Return `arr` as int64, raising if it holds non-integer or non-finite values."""
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64, copy=False)
    if not np.all(np.isfinite(arr)):
        raise DiDInputError(f"{role} column {name!r} has missing or infinite values")
    as_int = arr.astype(np.int64)
    if not np.array_equal(as_int, arr):
        bad = arr[as_int != arr][0]
        raise DiDInputError(f"{role} column {name!r} must hold integer periods, found {bad!r}")
    return as_int


_CHUNK = 1 << 23  # rows per chunk for row-wise passes (bounds temporaries to ~64 MB)


def _code_small_range(values: np.ndarray, code_dtype=np.int32) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes for integers with a modest range: (sorted unique values, codes).

    O(rows + range), chunked so no rows-sized temporary other than the codes is created.
    """
    vmin, vmax = int(values.min()), int(values.max())
    present = np.zeros(vmax - vmin + 1, dtype=bool)
    for a in range(0, values.size, _CHUNK):
        present[values[a : a + _CHUNK] - vmin] = True
    uniques = np.flatnonzero(present) + vmin
    if uniques.size >= np.iinfo(code_dtype).max:
        code_dtype = np.int64
    rank = (np.cumsum(present, dtype=np.int64) - 1).astype(code_dtype)
    del present
    codes = np.empty(values.size, dtype=code_dtype)
    for a in range(0, values.size, _CHUNK):
        codes[a : a + _CHUNK] = rank[values[a : a + _CHUNK] - vmin]
    return uniques.astype(np.int64), codes


def _code_units(unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (unique unit ids, int32/int64 code per row) for any id type, fast for integer ids."""
    if unit.dtype.kind == "f" and np.all(np.isfinite(unit)):
        as_int = unit.astype(np.int64)
        if np.array_equal(as_int, unit):
            unit = as_int
    if unit.dtype.kind in "iu" and unit.size:
        span = int(unit.max()) - int(unit.min())
        if span <= max(4 * unit.size, 1 << 22) and span < (1 << 28):
            return _code_small_range(unit)
    codes, uniques = pd.factorize(unit, sort=False)
    if uniques.size < np.iinfo(np.int32).max:
        codes = codes.astype(np.int32)
    return np.asarray(uniques), codes


def _py(v: Any) -> Any:
    """numpy scalar -> Python scalar, for readable messages."""
    return v.item() if hasattr(v, "item") else v


def _warn(msg: str, notes: list[str]) -> None:
    notes.append(msg)
    warnings.warn(msg, UserWarning, stacklevel=4)


# ---------------------------------------------------------------------------------------------
# main entry
# ---------------------------------------------------------------------------------------------


def _float_column(frame: Any, name: str, role: str) -> np.ndarray:
    arr = _numeric_column(frame, name, role, allow_missing=True)
    return arr.astype(np.float64, copy=False)


def _cluster_codes(frame: Any, name: str) -> tuple[np.ndarray, int]:
    """Integer codes (-1 = missing) for the cluster column, any dtype."""
    if _is_polars(frame):
        raw = frame.get_column(name).to_numpy()
    else:
        s = frame[name]
        if isinstance(s, pd.DataFrame):
            raise DiDInputError(f"column name {name!r} is duplicated in the data")
        raw = s.to_numpy()
    codes, uniques = pd.factorize(raw, sort=True, use_na_sentinel=True)
    return codes.astype(np.int64), int(len(uniques))


def prepare_panel(
    data: Any,
    unit: str,
    time: str,
    cohort: str,
    outcome: str,
    *,
    control: str,
    anticipation: int,
    allow_unbalanced_panel: bool,
    covariates: list[str] | None = None,
    weights: str | None = None,
    cluster: str | None = None,
) -> Panel:
    """Validate the long-format input and build the cohort-ordered unit x period matrix.

    See `att_gt` for the rules applied (all mirror R `did` 2.5.1's `pre_process_did2`).
    """
    frame = _to_frame(data)
    cols = _columns_of(frame)
    covariates = list(covariates or [])
    wanted = {"unit": unit, "time": time, "cohort": cohort, "outcome": outcome}
    for c in covariates:
        wanted[f"covariate {c!r}"] = c
    if weights is not None:
        wanted["weights"] = weights
    if cluster is not None:
        wanted["cluster"] = cluster
    missing = [f"{role}={name!r}" for role, name in wanted.items() if name not in cols]
    if missing:
        shown = ", ".join(cols[:20]) + (" ..." if len(cols) > 20 else "")
        raise DiDInputError(f"missing column(s): {', '.join(missing)}; data has columns: {shown}")
    if len(set(covariates)) != len(covariates):
        raise DiDInputError(f"covariates are listed more than once: {covariates}")
    notes: list[str] = []

    y = _numeric_column(frame, outcome, "outcome", allow_missing=True)
    t_raw = _numeric_column(frame, time, "time", allow_missing=False)
    g_raw = _numeric_column(frame, cohort, "cohort", allow_missing=True)
    u_raw = _unit_column(frame, unit)
    n_rows = y.shape[0]
    if n_rows == 0:
        raise DiDInputError("data has no rows")

    t_int = _integer_valued(t_raw, "time", time)

    # cohort: 0 / +inf = never treated; missing = row dropped (as R did); else integer >= 0
    g_missing = None
    if g_raw.dtype.kind == "f":
        g_missing = np.isnan(g_raw)
        if not g_missing.any():
            g_missing = None
        g_f = np.where(np.isnan(g_raw) | np.isposinf(g_raw), 0.0, g_raw)
        g_int = _integer_valued(g_f, "cohort", cohort)
    else:
        g_int = g_raw.astype(np.int64, copy=False)
    if g_int.min() < 0:
        raise DiDInputError(
            f"cohort column {cohort!r} has negative values (e.g. {int(g_int[g_int < 0][0])}); "
            "use the first treated period, or 0 for never treated"
        )

    # units and the cohort of each unit (checked on rows with a cohort, before anything is dropped)
    unit_ids, ucode = _code_units(u_raw)
    del u_raw
    n_all = unit_ids.shape[0]
    g_unit = np.empty(n_all, dtype=np.int64)
    has_g = np.ones(n_all, dtype=bool)
    if g_missing is None:
        g_unit[ucode] = g_int
    else:
        has_g[:] = False
        ok_rows = ~g_missing
        g_unit[ucode[ok_rows]] = g_int[ok_rows]
        has_g[ucode[ok_rows]] = True
        g_unit[~has_g] = 0
    n_varying = 0
    for a in range(0, n_rows, _CHUNK):
        sl = slice(a, a + _CHUNK)
        diff = g_int[sl] != g_unit[ucode[sl]]
        if g_missing is not None:
            diff &= ~g_missing[sl]
        n_varying += int(np.count_nonzero(diff))
    if n_varying:
        bad_rows = g_int != g_unit[ucode]
        if g_missing is not None:
            bad_rows &= ~g_missing
        bad_units = np.unique(ucode[bad_rows])
        ex = bad_units[0]
        sel = ucode == ex
        if g_missing is not None:
            sel &= ~g_missing
        seen = np.unique(g_int[sel])
        raise DiDInputError(
            f"cohort column {cohort!r} varies within unit for {bad_units.size} unit(s); "
            f"e.g. unit {_py(unit_ids[ex])!r} has cohorts {seen.tolist()}"
        )
    del g_int

    # periods
    if np.ptp(t_int) < (1 << 24):
        tlist, tcode = _code_small_range(t_int, code_dtype=np.int16)
    else:
        tlist, tcode = _np_unique(t_int)
    del t_int
    n_t = tlist.shape[0]

    # one flat index per row; duplicates (unit, time) are rows sharing an index
    flat_dtype = np.int64 if n_all * n_t >= np.iinfo(np.int32).max else np.int32
    flat = ucode.astype(flat_dtype, copy=False) * flat_dtype(n_t)
    del ucode
    flat += tcode
    del tcode
    seen_cell = np.zeros(n_all * n_t, dtype=bool)
    seen_cell[flat] = True
    if int(np.count_nonzero(seen_cell)) != n_rows:
        srt = np.sort(flat)
        dup = srt[1:][srt[1:] == srt[:-1]]
        n_dup = np.unique(dup).size
        ex = int(dup[0])
        raise DiDInputError(
            f"{n_dup} duplicate (unit, time) pair(s) in the data; e.g. unit "
            f"{_py(unit_ids[ex // n_t])!r} at time {int(tlist[ex % n_t])} appears more than once"
        )
    del seen_cell

    # the units x periods outcome matrix (NaN = not observed or missing outcome)
    y = y.astype(np.float64, copy=False)
    ymat = np.full(n_all * n_t, np.nan, dtype=np.float64)
    ymat[flat] = y
    del y
    ymat = ymat.reshape(n_all, n_t)
    np.copyto(ymat, np.nan, where=np.isinf(ymat))
    observed = ~np.isnan(ymat)
    n_obs_y = int(np.count_nonzero(observed))
    if n_obs_y == 0:
        raise DiDInputError(f"outcome column {outcome!r} has no non-missing values")
    drop_counts: dict[str, int] = {}
    if n_obs_y < n_rows:
        drop_counts["outcome"] = n_rows - n_obs_y

    # auxiliary columns (covariates, weights, cluster): rows with a missing value are dropped
    def aux_float(name: str, role: str, flat: np.ndarray, observed: np.ndarray) -> np.ndarray:
        vals = _float_column(frame, name, role)
        mat = np.full(n_all * n_t, np.nan)
        mat[flat] = vals
        mat = mat.reshape(n_all, n_t)
        bad = ~np.isfinite(mat) & observed
        if bad.any():
            drop_counts[role] = drop_counts.get(role, 0) + int(bad.sum())
            observed[bad] = False
        return mat

    xmats = [aux_float(c, f"covariate {c!r}", flat, observed) for c in covariates]
    wmat = aux_float(weights, "weights", flat, observed) if weights is not None else None
    if wmat is not None and np.any(wmat[observed] < 0):
        raise DiDInputError(f"weights column {weights!r} has negative values")
    cmat = None
    n_clusters = 0
    if cluster is not None:
        codes, n_clusters = _cluster_codes(frame, cluster)
        cmat = np.full(n_all * n_t, -1, dtype=np.int64)
        cmat[flat] = codes
        cmat = cmat.reshape(n_all, n_t)
        bad = (cmat < 0) & observed
        if bad.any():
            drop_counts["cluster"] = int(bad.sum())
            observed[bad] = False
    if g_missing is not None:
        gm = np.zeros(n_all * n_t, dtype=bool)
        gm[flat] = g_missing
        gm = gm.reshape(n_all, n_t) & observed
        if gm.any():
            drop_counts["cohort"] = int(gm.sum())
            observed[gm] = False
    del flat
    if drop_counts:
        n_drop = int(np.count_nonzero(~observed)) - (n_all * n_t - n_rows)
        if list(drop_counts) == ["outcome"]:
            _warn(f"dropped {n_drop} rows with a missing outcome", notes)
        else:
            parts = ", ".join(f"{k}: {v}" for k, v in drop_counts.items())
            _warn(
                f"dropped {n_drop} rows with a missing or non-finite value ({parts}), as R did "
                "does (a missing cohort is not read as never treated: code never treated as 0)",
                notes,
            )

    # periods present after dropping rows (R computes its period list from the kept rows)
    keep_t = observed.any(axis=0)
    if keep_t.sum() < 2:
        raise DiDInputError(f"need at least 2 time periods, found {int(keep_t.sum())}")

    # --- cohort recoding and dropping, at the unit level (order as R's pre_process_did2) ------
    keep_unit = observed.any(axis=1) & has_g  # units left with at least one observed row

    last = tlist[keep_t][-1]
    late = keep_unit & (g_unit > last + anticipation)
    if late.any():
        _warn(
            f"{int(late.sum())} units first treated after the last period ({int(last)}"
            + (f" + anticipation {anticipation}" if anticipation else "")
            + ") are treated as never treated (as R did does)",
            notes,
        )
        g_unit[late] = 0

    if not np.any(keep_unit & (g_unit == 0)):
        if not np.any(keep_unit & (g_unit > 0)):
            raise DiDInputError("no treated units: every unit is never treated (cohort 0)")
        gmax = int(g_unit[keep_unit].max())
        cutoff = gmax - anticipation
        keep_t &= tlist < cutoff
        if keep_t.sum() < 2:
            raise DiDInputError(
                "no never-treated units, and fewer than 2 periods precede the last cohort "
                f"({gmax}); no valid comparison group"
            )
        _warn(
            f"no never-treated units: periods >= {cutoff} are dropped and the last "
            f"cohort ({gmax}) serves as the "
            + ("never-treated" if control == "nevertreated" else "not-yet-treated")
            + " comparison group (as R did does)",
            notes,
        )
        g_unit[keep_unit & (g_unit == gmax)] = 0
        keep_unit &= observed[:, keep_t].any(axis=1)

    first = tlist[keep_t][0]
    early = keep_unit & (g_unit > 0) & (g_unit - anticipation <= first)
    if early.any():
        cohorts_early = np.unique(g_unit[early]).tolist()
        _warn(
            f"dropped {int(early.sum())} units from cohort(s) {cohorts_early} that have no "
            f"pre-treatment period (treated at or before the first period {int(first)}"
            + (f" + anticipation {anticipation}" if anticipation else "")
            + ")",
            notes,
        )
        keep_unit &= ~early

    if not np.any(keep_unit & (g_unit > 0)):
        raise DiDInputError("no treated units: every unit is never treated (cohort 0)")

    # --- balance -----------------------------------------------------------------------------
    obs_kept = observed[:, keep_t] if not keep_t.all() else observed
    full = obs_kept.all(axis=1)
    balanced = bool(np.all(full[keep_unit]))
    if not balanced and not allow_unbalanced_panel:
        n_drop = int(np.count_nonzero(keep_unit & ~full))
        _warn(
            f"unbalanced panel: dropped {n_drop} units not observed in all {int(keep_t.sum())} "
            "periods (allow_unbalanced_panel=False, as R did does)",
            notes,
        )
        keep_unit &= full
        balanced = True
        if not np.any(keep_unit & (g_unit > 0)) or not np.any(keep_unit & (g_unit == 0)):
            raise DiDInputError(
                "after balancing the panel no treated or no comparison units are left; "
                "use allow_unbalanced_panel=True"
            )
    extra = bool(covariates) or weights is not None or cluster is not None
    if extra and not balanced:
        raise DiDInputError(
            "covariates, weights and clusters need a balanced panel (allow_unbalanced_panel="
            "False); R did uses its repeated cross-section estimators there, which are not "
            "implemented here"
        )
    if not balanced:
        # unbalanced: rows with a missing auxiliary value are missing observations
        ymat[~observed] = np.nan
    del observed

    # --- units grouped by cohort (row indices into the outcome matrix) -------------------------
    kept_units = np.flatnonzero(keep_unit)
    cohorts, ccode = np.unique(g_unit[kept_units], return_inverse=True)
    order = kept_units[np.argsort(ccode, kind="stable")]
    n_by_cohort = np.bincount(ccode, minlength=cohorts.size).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(n_by_cohort)]).astype(np.int64)
    tcols = None if keep_t.all() else np.flatnonzero(keep_t)

    # R warns about very small groups (fewer than #covariates + 5 units); R also refuses a
    # never-treated group that small with control="nevertreated" -- we only warn
    req = len(covariates) + 5
    small = [int(c) for c, n in zip(cohorts, n_by_cohort, strict=True) if n < req]
    if small:
        _warn(
            "some groups have very few units (fewer than "
            f"{req}), which may cause estimation problems: cohort(s) {small}",
            notes,
        )

    # --- auxiliary data per kept unit (time-invariant checks) ----------------------------------
    def per_unit(mat: np.ndarray) -> tuple[np.ndarray, bool]:
        sub = mat[order] if tcols is None else mat[order][:, tcols]
        return sub, bool(np.any(sub != sub[:, :1]))

    x = None
    x_varying = False
    if covariates:
        subs = []
        for mat in xmats:
            sub, var = per_unit(mat)
            subs.append(sub)
            x_varying |= var
        # (units, periods, p) when some covariate varies within unit, else (units, p)
        x = np.stack(subs, axis=2) if x_varying else np.stack([s[:, 0] for s in subs], axis=1)
    del xmats
    w = None
    if wmat is not None:
        sub, var = per_unit(wmat)
        if var:
            raise DiDInputError(
                f"weights column {weights!r} varies within unit; sampling weights must be "
                "constant within each unit (R did would use the earlier period's weight per cell)"
            )
        w = np.ascontiguousarray(sub[:, 0])
        if not np.isfinite(w).all() or w.sum() <= 0:
            raise DiDInputError(f"weights column {weights!r} must have a positive sum")
    clus = None
    if cmat is not None:
        sub = cmat[order] if tcols is None else cmat[order][:, tcols]
        if np.any(sub != sub[:, :1]):
            raise DiDInputError(
                f"cluster column {cluster!r} varies within unit; the cluster must be constant "
                "within each unit (as in R did)"
            )
        _, clus = np.unique(sub[:, 0], return_inverse=True)
        clus = clus.astype(np.int64)
        n_clusters = int(clus.max()) + 1

    return Panel(
        tlist=tlist[keep_t].astype(np.int64),
        cohorts=cohorts.astype(np.int64),
        n_by_cohort=n_by_cohort,
        starts=starts,
        order=order,
        cols=tcols,
        y=ymat,
        balanced=balanced,
        notes=notes,
        x=x,
        x_varying=x_varying,
        covariates=covariates,
        w=w,
        cluster=clus,
        n_clusters=n_clusters,
        unit_ids=unit_ids[order],
    )


def _np_unique(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    uniques, codes = np.unique(values, return_inverse=True)
    return uniques.astype(np.int64), codes.astype(np.int64)
