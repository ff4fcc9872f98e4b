"""Effect tables: estimates by event time with the treated persons behind them (universe: treated).

Event-time counts. ``n_treated`` at event time e is the number of treated persons in the start
cohorts the estimator uses at e: for the Callaway-Sant'Anna, TWFE and naive estimators, cohort g
(month offset of the first start) counts at e when g + e lies in the window (and, for
Callaway-Sant'Anna, its base month g - 1 or g + e - 1 too). Cohorts drop out one by one as e
grows, so the difference of two published counts is the size of the cohorts between them: a
start month with 1-4 persons would be disclosed by subtraction. The design chosen here publishes
the counts *only where the cohort composition cannot reveal a cohort of 1-4*: every count is a
cell of the treated-persons universe (start cohort x subgroup), and every difference of two
event-time counts of a series that is 1-4 persons is a *sensitive* cell that secondary
suppression keeps out of reach. In effect the series is coarsened: a count is hidden (':') at the
event times where the cohorts leaving since the previous published count number 1-4, and the
next published count covers them together with more. Estimates stay published wherever at least
5 treated persons are behind them (the hidden count is not needed to read them).

The headline's start cohorts that no estimate of a series uses (too few comparison persons, or a
propensity model that failed: marts.effects_cohorts_left_out) are left out of its counts; the
difference of two series of a subgroup that leave out different cohorts is a sensitive cell as
well. Counts whose cohort composition cannot be reconstructed from the warehouse - the IPW
estimators' (their treated depend on the common-support trimming of each month), or any count
that differs from the reconstruction - are not published (':'); their estimates follow the same
5-person rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.design import (
    HEADLINE_ESTIMATOR,
    HEADLINE_OUTCOME,
    PLAIN_DID_ESTIMATOR,
    SUMMARY_MEASURES,
)
from analysis.disclosure.layout import MIN_COUNT, Context, Ref, Stat, Table, as_int
from analysis.effects.headline import HEADLINE_SPEC

U = "treated"
EFFECT_VALUES = ("estimate", "std_error", "ci_low", "ci_high")
ANCHORS = frozenset(e for m in SUMMARY_MEASURES.values() for e in m if len(m) == 1) | {0, 35}
"""Event times the report and the cost tables read (published first where possible)."""
RULES = {
    HEADLINE_ESTIMATOR: "cs_dr",
    PLAIN_DID_ESTIMATOR: "cs",
    "naive": "plain",
    "twfe_event_study": "plain",
}


def _valid(
    rule: str, cohorts: np.ndarray, e: int, n_months: int, left_out: np.ndarray | None = None
) -> np.ndarray:
    """The persons (by start cohort) behind an estimator's count at event time e; `left_out`:
    the headline cohorts no estimate of the series uses (marts.effects_cohorts_left_out)."""
    t = cohorts + e
    ok = (t >= 0) & (t <= n_months - 1)
    if rule == "cs":
        base = np.where(e >= 0, cohorts - 1, t - 1)
        ok &= base >= 0
    if rule == "cs_dr":  # the headline: cohorts whose base lies in the panel (DesignSpec)
        ok &= cohorts >= HEADLINE_SPEC.first_cohort
        if left_out is not None and left_out.size:
            ok &= ~np.isin(cohorts, left_out)
    return ok


def _left_out(ctx: Context) -> dict[tuple[str, str, str], np.ndarray]:
    """(estimator, outcome, subgroup) -> the start cohorts its headline series leaves out."""
    t = "marts.effects_cohorts_left_out"
    if not ctx.has(t, "estimator", "outcome", "subgroup", "cohort"):
        return {}
    df = ctx.df(f"SELECT estimator, outcome, subgroup, cohort FROM {t} ORDER BY ALL")
    return {
        key: part["cohort"].to_numpy(dtype=np.int64)
        for key, part in df.groupby(["estimator", "outcome", "subgroup"], sort=False)
    }


def _subgroup_where(sub: str) -> tuple[str, dict] | None:
    if sub == "ALL":
        return "core", {}
    dim, _, value = sub.partition("=")
    if dim == "start_year":
        return "core", {"start_year": int(value)}
    if dim in ("purpose", "status_group", "age", "immigrant", "gender"):
        return dim, {"value": value}
    return None


def _hide_and_missing(n: np.ndarray, frame: pd.DataFrame, cols) -> list[Stat]:
    hide = (n > 0) & (n < MIN_COUNT)
    # no treated person observed this far from the start yet: not available; a missing value
    # with persons behind it (e.g. the reference period's standard error): not applicable
    missing = np.where(n == 0, "..", ".")
    return [Stat(tuple(c for c in cols if c in frame.columns), hide=hide, missing=missing)]


def effects(ctx: Context) -> Table | None:
    t = "marts.effects"
    if not ctx.has(t, "estimator", "outcome", "subgroup", "event_time", "n_treated"):
        return None
    df = ctx.df(f"FROM {t}")
    keep = [
        c
        for c in (
            "estimator",
            "outcome",
            "subgroup",
            "event_time",
            *EFFECT_VALUES,
            "n_treated",
            "is_headline",
            "band_low",
            "band_high",
            "role",
        )
        if c in df.columns
    ]
    df = df[keep].copy()
    df["n_treated"] = as_int(df["n_treated"])
    df["event_time"] = df["event_time"].astype("int64")
    df = df.sort_values(["estimator", "outcome", "subgroup", "event_time"]).reset_index(drop=True)
    table = Table(
        "effects",
        df,
        "Effekter etter måneder siden start",
        (t,),
        keys=("estimator", "outcome", "subgroup", "event_time"),
    )
    refs: list[Ref | None] = [None] * len(df)
    withheld = np.zeros(len(df), dtype=bool)
    u = ctx.universes.get(U)
    n_months = int(ctx.con.execute("SELECT count(*) FROM panel.months").fetchone()[0]) if u else 0
    index: dict[tuple, list[tuple[int, int, Ref]]] = {}
    published: dict[tuple, tuple[np.ndarray, np.ndarray, dict]] = {}
    cache: dict[tuple, Ref] = {}
    left_out = _left_out(ctx)
    for (est, out, sub), part in df.groupby(["estimator", "outcome", "subgroup"], sort=False):
        rule = RULES.get(est)
        target = _subgroup_where(sub) if u is not None else None
        if rule is None or target is None:
            withheld[part.index] = True
            continue
        block, where = target
        rows = u.rows(block, where)
        frame = u.blocks[block]
        cohorts = frame["cohort"].to_numpy()[rows - u.offsets[block]]
        inner = u.inner[rows]
        left = left_out.get((est, out, sub))
        variant = tuple(left.tolist()) if left is not None else ()
        label = f"{rule}/{sub}" + (f" without cohorts {list(variant)}" if variant else "")
        series = published.setdefault((rule, sub), (rows, inner, {}))[2]
        for i, e in zip(part.index, part["event_time"], strict=True):
            ok = _valid(rule, cohorts, int(e), n_months, left)
            ck = (rule, sub, variant, int(e))
            if ck not in cache:
                cache[ck] = (U, u.rows_cell(rows[ok], "published", f"{label} e={e}"))
                if int(e) in ANCHORS:
                    u.priority.add(cache[ck][1])
            ref = cache[ck]
            refs[i] = ref
            series[(variant, int(e))] = ok
            index.setdefault((est, sub), []).append((int(e), int(df.at[i, "n_treated"]), ref))
    # every difference of two published counts of a subgroup (two event times, or two series
    # that leave out different cohorts) that is 1-4 persons
    for (rule, sub), (rows, inner, series) in published.items():
        keys = list(series)
        m = np.array([series[k] for k in keys])  # (published counts, rows)
        diff = m[:, None, :] & ~m[None, :, :]
        val = diff @ inner
        for a, b in zip(*np.nonzero((val > 0) & (val < MIN_COUNT)), strict=True):
            (va, ea), (vb, eb) = keys[a], keys[b]
            u.rows_cell(
                rows[diff[a, b]],
                "sensitive",
                f"{rule}/{sub}: cohorts at e={ea} (without {list(va)}) "
                f"not at e={eb} (without {list(vb)})",
            )
    table.count("n_treated", refs)
    table.withheld["n_treated"] = withheld
    ctx.shared["effects_index"] = index
    table.stats.extend(
        _hide_and_missing(df["n_treated"].to_numpy(), df, (*EFFECT_VALUES, "band_low", "band_high"))
    )
    if withheld.any():
        table.notes.append(
            "n_treated is not published for estimators whose treated persons depend on "
            "common-support trimming (IPW): their cohort composition is not in the warehouse."
        )
    return table


def lookup_treated(
    ctx: Context, estimator: str, subgroup: str, value: int, prefer: list[int]
) -> Ref | None:
    """The effects cell of (estimator, subgroup) with this count, at a preferred event time."""
    cands = ctx.shared.get("effects_index", {}).get((estimator, subgroup), [])
    hits = [(e, ref) for e, n, ref in cands if n == value]
    if not hits:
        return None
    hits.sort(key=lambda h: (h[0] not in prefer, abs(h[0] - (prefer[0] if prefer else 0)), h[0]))
    return hits[0][1]


def effects_summary(ctx: Context) -> Table | None:
    t = "marts.effects_summary"
    if not ctx.has(t, "subgroup", "estimate"):
        return None
    df = ctx.df(f"FROM {t}").reset_index(drop=True)
    table = Table(
        "effects_summary",
        df,
        "Oppsummerte effekter",
        (t,),
        keys=tuple(c for c in ("estimator", "outcome", "subgroup", "measure") if c in df.columns),
    )
    if "n_treated" in df.columns:
        df["n_treated"] = as_int(df["n_treated"])
        refs = []
        for r in df.to_dict("records"):
            prefer = sorted(SUMMARY_MEASURES.get(r.get("measure"), {}))
            refs.append(
                lookup_treated(ctx, r.get("estimator"), r["subgroup"], int(r["n_treated"]), prefer)
            )
        table.count("n_treated", refs)
        table.withheld["n_treated"] = np.array([r is None for r in refs])
        table.stats.extend(_hide_and_missing(df["n_treated"].to_numpy(), df, EFFECT_VALUES))
    return table


def _headline_n(ctx: Context) -> int:
    q = (
        "SELECT n_treated FROM marts.effects WHERE estimator = ? AND outcome = ? "
        "AND subgroup = 'ALL' AND event_time = 0"
    )
    row = ctx.con.execute(q, [HEADLINE_ESTIMATOR, HEADLINE_OUTCOME]).fetchone()
    return int(row[0]) if row else 0


def effects_diagnostics(ctx: Context) -> Table | None:
    """Pre-trend tests etc.: withheld where the subgroup has fewer than 5 treated at the start."""
    t = "marts.effects_diagnostics"
    if t not in ctx.columns or not ctx.has("marts.effects", "n_treated"):
        return None
    df = ctx.df(f"FROM {t}").reset_index(drop=True)
    n0 = ctx.df(
        "SELECT estimator, outcome, subgroup, n_treated FROM marts.effects WHERE event_time = 0"
    )
    n0 = {(e, o, s): int(n) for e, o, s, n in n0.itertuples(index=False)}
    head = _headline_n(ctx)
    n = np.array(
        [
            min(
                head,
                n0.get(
                    (
                        r.get("estimator"),
                        r.get("outcome", HEADLINE_OUTCOME),
                        r.get("subgroup", "ALL"),
                    ),
                    head,
                ),
            )
            for r in df.to_dict("records")
        ]
    )
    table = Table(
        "effects_diagnostics",
        df,
        "Diagnostikk for effektestimatene",
        (t,),
        keys=tuple(
            c for c in ("estimator", "outcome", "subgroup", "diagnostic") if c in df.columns
        ),
    )
    hide = n < MIN_COUNT
    cols = tuple(c for c in ("statistic", "p_value") if c in df.columns)
    table.stats.append(Stat(cols, hide=hide, missing=np.full(len(df), "..")))
    return table


def effects_balance(ctx: Context) -> Table | None:
    """Covariate means of all starters vs controls: withheld entirely if the headline is."""
    t = "marts.effects_balance"
    if t not in ctx.columns:
        return None
    df = ctx.df(f"FROM {t}").reset_index(drop=True)
    table = Table(
        "effects_balance",
        df,
        "Balanse før og etter vekting",
        (t,),
        keys=tuple(c for c in ("specification", "covariate") if c in df.columns),
    )
    cols = tuple(c for c in df.columns if pd.api.types.is_float_dtype(df[c]))
    hide = np.full(len(df), _headline_n(ctx) < MIN_COUNT)
    table.stats.append(Stat(cols, hide=hide, missing=np.full(len(df), "..")))
    return table


def effects_support(ctx: Context) -> Table | None:
    t = "marts.effects_support"
    if "ipw_support" not in ctx.universes:
        return None
    df = ctx.df(f"FROM {t}").reset_index(drop=True)
    if "specification" not in df.columns:
        df.insert(0, "specification", "ALL")
        drop_spec = True
    else:
        drop_spec = False
    df["n"] = as_int(df["n"])
    tot = df.groupby(["specification", "population"])["n"].transform("sum")
    df["share"] = np.where(tot > 0, df["n"] / tot.where(tot > 0), np.nan)
    refs, dens = [], []
    for s, p, b in df[["specification", "population", "bin"]].itertuples(index=False):
        refs.append(ctx.cell("ipw_support", f"spec:{s}", {"population": p, "bin": b}))
        dens.append(ctx.cell("ipw_support", f"spec:{s}", {"population": p}, role="derived"))
    if drop_spec:
        df = df.drop(columns="specification")
    table = Table(
        "effects_support",
        df,
        "Felles støtte for IPW-vektene",
        (t,),
        keys=tuple(c for c in ("specification", "population", "bin") if c in df.columns),
    )
    table.count("n", refs)
    table.share(refs, dens, tot)
    other = tuple(c for c in ("p_low", "p_high") if c in df.columns)
    if other:  # bin limits: structural, not from persons
        table.stats.append(Stat(other, missing=np.full(len(df), "..")))
    return table


def effects_design_gate(ctx: Context) -> Table | None:
    """Design gate of the headline: test statistics and decisions, no person counts."""
    t = "marts.effects_design_gate"
    if not ctx.has(t, "estimator", "outcome", "subgroup", "check"):
        return None
    df = ctx.df(f"FROM {t}").reset_index(drop=True)
    table = Table(
        "effects_design_gate",
        df,
        "Designport for hovedestimatet",
        (t,),
        keys=("estimator", "outcome", "subgroup", "check"),
    )
    if ctx.has("marts.effects", "n_treated"):  # as effects_diagnostics: hide small series
        n0 = ctx.df(
            "SELECT estimator, outcome, subgroup, n_treated FROM marts.effects WHERE event_time = 0"
        )
        n0 = {(e, o, s): int(n) for e, o, s, n in n0.itertuples(index=False)}
        n = np.array(
            [
                n0.get((r["estimator"], r["outcome"], r["subgroup"]), 0)
                for r in df.to_dict("records")
            ]
        )
        cols = tuple(c for c in ("statistic", "p_value") if c in df.columns)
        table.stats.append(Stat(cols, hide=n < MIN_COUNT, missing=np.full(len(df), "..")))
    return table


def effects_sensitivity(ctx: Context) -> Table | None:
    """HonestDiD sensitivity of the headline: confidence sets, no person counts."""
    t = "marts.effects_sensitivity"
    if not ctx.has(t, "estimator", "outcome", "measure", "method"):
        return None
    df = ctx.df(f"FROM {t}").reset_index(drop=True)
    return Table(
        "effects_sensitivity",
        df,
        "Følsomhet for brudd på parallelle trender",
        (t,),
        keys=("estimator", "outcome", "subgroup", "measure", "method", "parameter"),
    )


def effects_specifications(ctx: Context) -> Table | None:
    """The specification grid: estimates published where 5+ treated are behind them; its counts
    are withheld (specifications differ by whole start cohorts, so two counts would give a
    cohort's size by subtraction; marts.effects publishes the headline's counts safely)."""
    t = "marts.effects_specifications"
    if not ctx.has(t, "specification", "outcome", "measure"):
        return None
    df = ctx.df(f"FROM {t}").reset_index(drop=True)
    table = Table(
        "effects_specifications",
        df,
        "Spesifikasjonsrutenett for hovedestimatet",
        (t,),
        keys=("specification", "outcome", "measure"),
    )
    if "n_treated" in df.columns:
        df["n_treated"] = as_int(df["n_treated"])
        table.count("n_treated", [None] * len(df))
        table.withheld["n_treated"] = np.ones(len(df), dtype=bool)
        table.stats.extend(_hide_and_missing(df["n_treated"].to_numpy(), df, EFFECT_VALUES))
    return table


BUILDERS = (
    effects,
    effects_summary,
    effects_diagnostics,
    effects_balance,
    effects_support,
    effects_design_gate,
    effects_sensitivity,
    effects_specifications,
)

__all__ = ["BUILDERS", "EFFECT_VALUES", "lookup_treated"]
