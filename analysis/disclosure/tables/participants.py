"""Participants per month and per year (universe: person-months in AT)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.design import STATUS_GROUPS
from analysis.disclosure.layout import MIN_COUNT, Context, Table, as_int

MERGED_STATUS = "NEDSATT_ARBEIDSEVNE_ELLER_ANNET"
"""Status group shown when "Annet" is too small to show on its own (merged with nedsatt
arbeidsevne rather than forcing the job-seeker series into complementary suppression)."""
MERGED_FROM = ("NEDSATT_ARBEIDSEVNE", "ANNET")


def merge_annet(monthly: pd.DataFrame) -> bool:
    """Merge ANNET when it is 1-4 in at least a third of the months where it is not zero."""
    annet = monthly.loc[monthly["status_group"] == "ANNET", "n_participants"]
    nonzero = int((annet > 0).sum())
    small = int(((annet > 0) & (annet < MIN_COUNT)).sum())
    return nonzero > 0 and 3 * small >= nonzero


def _groups(merged: bool) -> tuple[str, ...]:
    return ("ALL", *STATUS_GROUPS, *((MERGED_STATUS,) if merged else ()))


def _where(group: str) -> dict:
    if group == "ALL":
        return {}
    if group == MERGED_STATUS:
        return {"status_group": list(MERGED_FROM)}
    return {"status_group": group}


def _note(merged: bool) -> list[str]:
    if not merged:
        return []
    return [
        "Status group ANNET is small (1-4 persons in at least a third of the months), so it is "
        f"shown together with NEDSATT_ARBEIDSEVNE as {MERGED_STATUS}; the two separate rows are "
        "'.' (not applicable)."
    ]


def participants_monthly(ctx: Context) -> Table | None:
    t = "marts.participants_monthly"
    if (
        not ctx.has(t, "year_month", "status_group", "n_participants")
        or "person_months" not in ctx.universes
    ):
        return None
    df = ctx.df(f"SELECT year_month, status_group, n_participants FROM {t}")
    df = df[df["status_group"] != "ALL"].copy()
    df["n_participants"] = as_int(df["n_participants"])
    merged = merge_annet(df)
    wide = df.pivot_table(
        index="year_month",
        columns="status_group",
        values="n_participants",
        aggfunc="sum",
        fill_value=0,
    )
    rows = []
    for ym in sorted(wide.index):
        vals = {g: int(wide.loc[ym].get(g, 0)) for g in STATUS_GROUPS}
        vals["ALL"] = sum(vals.values())
        vals[MERGED_STATUS] = sum(vals[g] for g in MERGED_FROM)
        for g in _groups(merged):
            na = merged and g in MERGED_FROM
            rows.append(
                {"year_month": int(ym), "status_group": g, "n_participants": vals[g], "_na": na}
            )
    frame = pd.DataFrame(rows)
    table = Table(
        "participants_monthly",
        frame.drop(columns="_na"),
        "Deltakere per måned etter status (Figur 2-2)",
        (t,),
        keys=("year_month", "status_group"),
        notes=_note(merged),
    )
    refs = [
        None if na else ctx.cell("person_months", "months", {"year_month": ym, **_where(g)})
        for ym, g, na in zip(frame["year_month"], frame["status_group"], frame["_na"], strict=True)
    ]
    table.count("n_participants", refs)
    table.not_applicable["n_participants"] = frame["_na"].to_numpy()
    return table


def participants_annual(ctx: Context) -> Table | None:
    if "person_months" not in ctx.universes or not ctx.has(
        "marts.participants_monthly", "year_month"
    ):
        return None
    monthly = ctx.df(
        "SELECT year_month, status_group, n_participants FROM marts.participants_monthly "
        "WHERE status_group <> 'ALL'"
    )
    merged = merge_annet(monthly)
    monthly["year"] = monthly["year_month"] // 100
    sums = monthly.pivot_table(
        index="year", columns="status_group", values="n_participants", aggfunc="sum", fill_value=0
    )
    n_months = monthly.groupby("year")["year_month"].nunique()
    if ctx.has("marts.participants_annual", "year", "status_group", "avg_monthly_participants"):
        avg = ctx.df(
            "SELECT year, status_group, avg_monthly_participants FROM marts.participants_annual"
        )
        avg = {(int(y), g): float(a) for y, g, a in avg.itertuples(index=False)}
    else:
        avg = {}
    rows = []
    for y in sorted(sums.index):
        vals = {g: int(sums.loc[y].get(g, 0)) for g in STATUS_GROUPS}
        vals["ALL"] = sum(vals.values())
        vals[MERGED_STATUS] = sum(vals[g] for g in MERGED_FROM)
        nm = int(n_months.loc[y])
        for g in _groups(merged):
            a = avg.get((int(y), g), vals[g] / nm)
            rows.append(
                {
                    "year": int(y),
                    "status_group": g,
                    "n_months": nm,
                    "n_avg_participants": int(np.floor(a + 0.5)),
                    "_sum": vals[g],
                    "_na": merged and g in MERGED_FROM,
                }
            )
    frame = pd.DataFrame(rows)
    table = Table(
        "participants_annual",
        frame.drop(columns=["_sum", "_na"]),
        "Gjennomsnittlig antall deltakere per måned, per år og status",
        ("marts.participants_annual",),
        keys=("year", "status_group"),
        notes=_note(merged),
    )
    refs = [
        None if na else ctx.cell("person_months", "months", {"year": y, **_where(g)})
        for y, g, na in zip(frame["year"], frame["status_group"], frame["_na"], strict=True)
    ]
    # The published number is the monthly average (rounded); the cell is the year's person-months.
    # It is treated as a count of 1-4 when the average rounds to 1-4 (or to 0 with someone there).
    small = (frame["_sum"] > 0) & (frame["n_avg_participants"] < MIN_COUNT)
    table.count(
        "n_avg_participants", refs, expected=frame["_sum"].to_numpy(), small=small.to_numpy()
    )
    table.not_applicable["n_avg_participants"] = frame["_na"].to_numpy()
    return table


BUILDERS = (participants_monthly, participants_annual)
