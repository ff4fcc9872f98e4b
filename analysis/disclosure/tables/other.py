"""Next programme after AT (chaining), programme chains, and the input row counts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.disclosure.layout import Context, Stat, Table, as_int, base_rule, group_shares


def chaining_next(ctx: Context, dim: str) -> Table | None:
    t = "marts.chaining_next"
    if "chaining" not in ctx.universes or dim not in ctx.universes["chaining"].blocks:
        return None
    df = ctx.df(f"FROM {t}")
    df = df[df["dimension"].isin(["ALL", dim]) & (df["next_programme"] != "CENSORED")].copy()
    df["category"] = np.where(df["dimension"] == "ALL", "ALL", df["category"].astype(str))
    df["n_spells"] = as_int(df["n_spells"])
    tot = group_shares(df, ["category"], count="n_spells")
    keep = ["category", "next_programme", "n_spells", "share"] + [
        c for c in ("median_months_to_next",) if c in df.columns
    ]
    out = df[keep].reset_index(drop=True)
    table = Table(
        f"chaining_next_{dim}",
        out,
        f"Neste tiltak etter arbeidstrening, etter {dim}",
        (t,),
        keys=("category", "next_programme"),
    )
    observed = ["WAGE_SUBSIDY", "ARBEIDSTRENING", "OTHER_PROGRAMME", "NONE_WITHIN_24_MONTHS"]
    refs, dens = [], []
    for c, nxt in out[["category", "next_programme"]].itertuples(index=False):
        w = {} if c == "ALL" else {"category": c}
        refs.append(ctx.cell("chaining", dim, {**w, "next_programme": nxt}))
        dens.append(ctx.cell("chaining", dim, {**w, "next_programme": observed}, role="derived"))
    table.count("n_spells", refs)
    table.share(refs, dens, tot)
    if "median_months_to_next" in out.columns:
        hide, miss = base_rule(out["n_spells"].to_numpy())
        # no next programme within 24 months: there is no time to a next programme
        miss = np.where(out["next_programme"] == "NONE_WITHIN_24_MONTHS", ".", miss)
        table.stats.append(Stat(("median_months_to_next",), hide=hide, missing=miss))
    return table


def chaining_sequences(ctx: Context) -> Table | None:
    t = "marts.chaining_sequences"
    if "sequences" not in ctx.universes:
        return None
    df = ctx.df(f"SELECT sequence, n_persons FROM {t} WHERE chain_type = 'FROM_FIRST_AT'")
    df = df.sort_values(["n_persons", "sequence"], ascending=[False, True], kind="stable")
    total = int(df["n_persons"].sum())
    out = df.head(10).copy()
    out["n_persons"] = as_int(out["n_persons"])
    out["share"] = out["n_persons"] / total if total else np.nan
    out = out.reset_index(drop=True)
    table = Table(
        "chaining_sequences",
        out,
        "De vanligste tiltakskjedene fra første arbeidstrening",
        (t,),
        keys=("sequence",),
    )
    refs = [ctx.cell("sequences", "chains", {"sequence": s}) for s in out["sequence"]]
    den = ctx.cell("sequences", "chains", None, role="derived")
    table.count("n_persons", refs)
    table.stats.append(
        Stat(
            ("share",),
            reveals=[[a, den] for a in refs],
            missing=np.full(len(out), "." if total == 0 else ".."),
        )
    )
    return table


def ingest_summary(ctx: Context) -> Table | None:
    if "input_rows" not in ctx.universes:
        return None
    df = ctx.df(
        "SELECT table_name, rows_accepted, rows_rejected FROM meta.ingest_summary ORDER BY table_name"
    )
    rows = []
    for name, acc, rej in df.itertuples(index=False):
        for part, k in (("ACCEPTED", acc), ("REJECTED", rej), ("ALL", acc + rej)):
            rows.append({"table_name": name, "part": part, "n_rows": int(k)})
    out = pd.DataFrame(rows, columns=["table_name", "part", "n_rows"])
    table = Table(
        "ingest_summary",
        out,
        "Rader lest, godtatt og avvist per inndatatabell",
        ("meta.ingest_summary",),
        keys=("table_name", "part"),
    )
    refs = [
        ctx.cell("input_rows", "rows", {"table_name": n, **({} if p == "ALL" else {"part": p})})
        for n, p in out[["table_name", "part"]].itertuples(index=False)
    ]
    table.count("n_rows", refs)
    return table


def reject_summary(ctx: Context) -> Table | None:
    if "input_rows" not in ctx.universes or not ctx.has(
        "meta.reject_summary", "table_name", "rule", "n_rows"
    ):
        return None
    df = ctx.df(
        "SELECT table_name, rule, coalesce(column_name, '') AS column_name, sum(n_rows) AS n_rows "
        "FROM meta.reject_summary GROUP BY ALL ORDER BY ALL"
    )
    df["n_rows"] = as_int(df["n_rows"])
    table = Table(
        "reject_summary",
        df.reset_index(drop=True),
        "Avviste rader etter regel",
        ("meta.reject_summary",),
        keys=("table_name", "rule", "column_name"),
    )
    refs = [
        ctx.cell(
            "input_rows", "rows", {"table_name": n, "part": "REJECTED", "rule": r, "column_name": c}
        )
        for n, r, c in df[["table_name", "rule", "column_name"]].itertuples(index=False)
    ]
    table.count("n_rows", refs)
    return table


BUILDERS = (
    lambda ctx: chaining_next(ctx, "purpose"),
    lambda ctx: chaining_next(ctx, "exit_half_year"),
    chaining_sequences,
    ingest_summary,
    reject_summary,
)
