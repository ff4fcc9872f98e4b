"""Tables of ended spells k months after exit (universe: exits)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.disclosure.layout import Context, Table, as_int, group_shares, yes_no

U = "exits"


def _censored(ctx: Context, col: str, cat: str, k: int) -> bool:
    """Are there ended spells of this category not yet observed k months after exit?"""
    u = ctx.universes[U]
    rows = u.rows("spine", ({} if cat == "ALL" else {col: cat}) | {f"obs_{k}": False})
    return bool(u.inner[rows].sum() > 0)


def _missing(ctx: Context, col: str, cats, ks, totals) -> np.ndarray:
    """'..' for an empty group with spells still censored (not yet observed), '.' if none."""
    return np.array(
        [
            (".." if _censored(ctx, col, c, int(k)) else ".") if t == 0 else ".."
            for c, k, t in zip(cats, ks, totals, strict=True)
        ]
    )


def _where(col: str, cat: str) -> dict:
    return {} if cat == "ALL" else {col: cat}


def _states(ctx: Context, name: str, col: str, required: bool) -> Table | None:
    t = f"marts.{name}"
    cols = (col, "months_after_exit", "state", "n")
    if U not in ctx.universes or not ctx.has(t, *cols):
        return None
    df = ctx.df(f"SELECT {', '.join(cols)} FROM {t}")
    df["n"] = as_int(df["n"])
    df["n_spells"] = group_shares(df, [col, "months_after_exit"]).astype("int64")
    df = df.reset_index(drop=True)
    table = Table(
        name,
        df,
        f"Status 1-24 måneder etter avsluttet arbeidstrening, etter {'formål' if col == 'purpose' else 'status'}",
        (t,),
        keys=(col, "months_after_exit", "state"),
    )
    recs = df[[col, "months_after_exit", "state"]].itertuples(index=False)
    refs, dens = [], []
    for c, k, s in recs:
        refs.append(ctx.cell(U, f"k{k}", {**_where(col, c), "state": s}))
        dens.append(ctx.cell(U, f"k{k}", _where(col, c)))
    table.count("n", refs)
    table.count("n_spells", dens)
    miss = _missing(ctx, col, df[col], df["months_after_exit"], df["n_spells"])
    table.share(refs, dens, missing=miss)
    return table


def transitions(ctx: Context) -> Table | None:
    return _states(ctx, "transitions", "purpose", required=True)


def transitions_by_status_group(ctx: Context) -> Table | None:
    return _states(ctx, "transitions_by_status_group", "status_group", required=False)


def intended_outcomes(ctx: Context) -> Table | None:
    t = "marts.intended_outcomes"
    if U not in ctx.universes or not ctx.has(
        t, "purpose", "intended_outcome", "months_after_exit", "n_spells", "n_reached"
    ):
        return None
    df = ctx.df(f"FROM {t}")
    out = yes_no(
        df, ["purpose", "months_after_exit"], "n_reached", "n_spells", ("intended_outcome",)
    )
    out = out.rename(columns={"outcome": "reached"})
    base = out["_base"].to_numpy()
    out = out[["purpose", "intended_outcome", "months_after_exit", "reached", "n", "share"]]
    table = Table(
        "intended_outcomes",
        out,
        "Om formålets tilsiktede resultat ble nådd",
        (t,),
        keys=("purpose", "months_after_exit", "reached"),
    )
    refs, dens = [], []
    for p, k, r in out[["purpose", "months_after_exit", "reached"]].itertuples(index=False):
        refs.append(ctx.cell(U, f"k{k}", {"purpose": p, "reached": r == "YES"}))
        dens.append(ctx.cell(U, f"k{k}", {"purpose": p}, role="derived"))
    table.count("n", refs)
    miss = _missing(ctx, "purpose", out["purpose"], out["months_after_exit"], base)
    table.share(refs, dens, missing=miss)
    return table


SAME_EMPLOYER_MEASURES = (
    "employed_or_wage_subsidy_same_employer",
    "employed_same_employer",
    "wage_subsidy_same_employer",
    "employed_any_employer",
)
_FLAG = {
    "employed_or_wage_subsidy_same_employer": "employed_or_wage_subsidy_same_employer",
    "employed_same_employer": "employed_same_employer",
    "wage_subsidy_same_employer": "wage_subsidy_same_employer",
    "employed_any_employer": "employed",
}


def same_employer(ctx: Context) -> Table | None:
    t = "marts.same_employer"
    if U not in ctx.universes or not ctx.has(t, "purpose", "months_after_exit", "n_spells"):
        return None
    df = ctx.df(f"FROM {t}")
    parts = []
    for m in SAME_EMPLOYER_MEASURES:
        if f"n_{m}" in df.columns:
            parts.append(
                yes_no(df, ["purpose", "months_after_exit"], f"n_{m}", "n_spells").assign(measure=m)
            )
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    base = out["_base"].to_numpy()
    out = out[["measure", "purpose", "months_after_exit", "outcome", "n", "share"]]
    table = Table(
        "same_employer",
        out,
        "Jobb og lønnstilskudd hos arbeidstreningsarbeidsgiveren",
        (t,),
        keys=("measure", "purpose", "months_after_exit", "outcome"),
    )
    refs, dens = [], []
    for m, p, k, o in out[["measure", "purpose", "months_after_exit", "outcome"]].itertuples(
        index=False
    ):
        refs.append(ctx.cell(U, f"k{k}", {**_where("purpose", p), _FLAG[m]: o == "YES"}))
        dens.append(ctx.cell(U, f"k{k}", _where("purpose", p), role="derived"))
    table.count("n", refs)
    miss = _missing(ctx, "purpose", out["purpose"], out["months_after_exit"], base)
    table.share(refs, dens, missing=miss)
    return table


BUILDERS = (transitions, transitions_by_status_group, intended_outcomes, same_employer)
