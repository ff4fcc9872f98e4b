"""NAV's "status etter tiltak": status six months after an exit from Arbeidstrening (universe:
nav_exits, exits by NAV's definition - in AT one month, not in AT the next two)."""

from __future__ import annotations

import numpy as np

from analysis.disclosure.layout import Context, Stat, Table, as_int

U = "nav_exits"


def _where(year: str, group: str, status: str | None = None) -> dict:
    out: dict = {}
    if year != "ALL":
        out["exit_year"] = year
    if group != "ALL":
        out["status_group"] = group
    if status is not None:
        out["status"] = status
    return out


def nav_exit_status(ctx: Context) -> Table | None:
    t = "marts.nav_exit_status"
    if U not in ctx.universes or not ctx.has(
        t, "exit_year", "status_group", "status", "n", "n_exits"
    ):
        return None
    df = ctx.df(f"SELECT exit_year, status_group, status, n, n_exits, share FROM {t}")
    df["n"] = as_int(df["n"])
    df["n_exits"] = as_int(df["n_exits"])
    df = df.reset_index(drop=True)
    table = Table(
        "nav_exit_status",
        df,
        "Status seks måneder etter avgang fra arbeidstrening (NAVs statistikk «status etter "
        "tiltak»)",
        (t,),
        keys=("exit_year", "status_group", "status"),
    )
    refs, dens = [], []
    for y, g, s in df[["exit_year", "status_group", "status"]].itertuples(index=False):
        refs.append(ctx.cell(U, "exits", _where(str(y), str(g), str(s))))
        dens.append(ctx.cell(U, "exits", _where(str(y), str(g))))
    table.count("n", refs)
    table.count("n_exits", dens)
    missing = np.where(df["n_exits"].to_numpy() == 0, ".", "..")
    table.stats.append(
        Stat(("share",), reveals=[[a, b] for a, b in zip(refs, dens, strict=True)], missing=missing)
    )
    return table


BUILDERS = (nav_exit_status,)
