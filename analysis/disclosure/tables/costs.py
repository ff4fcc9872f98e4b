"""Cost-effectiveness tables (universe: cost_base for the persons in the cost base; treated for
the persons behind the effects). Amounts per participant, NPVs and ratios are withheld when the
subgroup has fewer than 5 persons in the cost base or among the treated."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.design import HEADLINE_ESTIMATOR
from analysis.disclosure.layout import MIN_COUNT, Context, Ref, Stat, Table, as_int
from analysis.disclosure.tables.effects import lookup_treated

COST_VALUES = ("estimate", "std_error", "ci_low", "ci_high")
COST_COMPONENT_VALUES = ("months_per_participant", "nok_per_participant", "nok_pv_per_participant")


def _base_ref(ctx: Context, subgroup: str) -> Ref | None:
    u = ctx.universes.get("cost_base")
    if u is None:
        return None
    if subgroup == "ALL":
        block = "purpose" if "purpose" in u.blocks else next(iter(u.blocks), None)
        return None if block is None else ctx.cell("cost_base", block, None)
    dim, _, value = subgroup.partition("=")
    if dim not in u.blocks:
        return None
    return ctx.cell("cost_base", dim, {"value": value})


def _small(*cols: np.ndarray) -> np.ndarray:
    out = np.zeros(len(cols[0]), dtype=bool)
    for c in cols:
        out |= np.asarray(c) < MIN_COUNT
    return out


def costs_per_participant(ctx: Context) -> Table | None:
    t = "marts.costs_per_participant"
    if not ctx.has(t, "subgroup", "component", "n_participants", "nok_per_participant"):
        return None
    df = ctx.df(f"FROM {t}")
    keep = [
        c
        for c in (
            "subgroup",
            "component",
            "in_budget",
            "in_society",
            "n_participants",
            *COST_COMPONENT_VALUES,
            "parameter",
        )
        if c in df.columns
    ]
    # n_ongoing (spells still running) is a small count of its own and is not needed: left out
    df = df[keep].drop_duplicates(["component", "subgroup"]).reset_index(drop=True)
    df["n_participants"] = as_int(df["n_participants"])
    table = Table(
        "costs_per_participant",
        df,
        "Kostnader per deltaker etter komponent",
        (t,),
        keys=("subgroup", "component"),
    )
    refs = [_base_ref(ctx, s) for s in df["subgroup"]]
    table.count("n_participants", refs)
    table.withheld["n_participants"] = np.array([r is None for r in refs])
    n = df["n_participants"].to_numpy()
    table.stats.append(
        Stat(
            tuple(c for c in COST_COMPONENT_VALUES if c in df.columns),
            hide=_small(n),
            missing=np.where(n == 0, ".", ".."),
        )
    )
    return table


def _treated_refs(ctx: Context, df: pd.DataFrame) -> list[Ref | None]:
    refs = []
    for r in df.to_dict("records"):
        est = r.get("estimator") or HEADLINE_ESTIMATOR
        h = r.get("horizon_months")
        prefer = [int(h) - 1, int(h)] if h is not None and not pd.isna(h) else []
        refs.append(lookup_treated(ctx, est, r["subgroup"], int(r["n_treated"]), prefer))
    return refs


def cost_effectiveness(ctx: Context) -> Table | None:
    t = "marts.cost_effectiveness"
    need = ("perspective", "subgroup", "measure", "estimate", "n_treated", "n_cost_base")
    if not ctx.has(t, *need):
        return None
    df = ctx.df(f"FROM {t}")
    keep = [
        c
        for c in (
            "perspective",
            "subgroup",
            "horizon_months",
            "measure",
            "measure_order",
            "unit",
            *COST_VALUES,
            "uncertainty_basis",
            "is_extrapolated",
            "n_cost_base",
            "n_treated",
            "note",
        )
        if c in df.columns
    ]
    est = (
        df["estimator"]
        if "estimator" in df.columns
        else pd.Series(HEADLINE_ESTIMATOR, index=df.index)
    )
    df = df.assign(_est=est)
    df = df.drop_duplicates(["perspective", "measure", "subgroup"])
    df = df.sort_values(
        ["subgroup", "measure_order"] if "measure_order" in df.columns else ["subgroup"]
    )
    df = df.reset_index(drop=True)
    for c in ("n_cost_base", "n_treated"):
        df[c] = as_int(df[c])
    treated = _treated_refs(ctx, df.assign(estimator=df["_est"]))
    out = df[keep].copy()
    table = Table(
        "cost_effectiveness",
        out,
        "Kostnadseffektivitet: nåverdier, forholdstall og break-even per deltaker",
        (t,),
        keys=("perspective", "measure", "subgroup"),
    )
    base = [_base_ref(ctx, s) for s in out["subgroup"]]
    table.count("n_cost_base", base)
    table.count("n_treated", treated)
    table.withheld["n_cost_base"] = np.array([r is None for r in base])
    table.withheld["n_treated"] = np.array([r is None for r in treated])
    hide = _small(out["n_cost_base"].to_numpy(), out["n_treated"].to_numpy())
    table.stats.append(
        Stat(
            tuple(c for c in COST_VALUES if c in out.columns),
            hide=hide,
            missing=np.full(len(out), ".."),
        )
    )
    ctx.shared["cost_counts"] = out.groupby("subgroup")[["n_cost_base", "n_treated"]].max()
    ctx.shared["cost_refs"] = {
        s: (b, tr) for s, b, tr in zip(out["subgroup"], base, treated, strict=True)
    }
    return table


def cost_sensitivity(ctx: Context) -> Table | None:
    """The sensitivity cases carry no counts of their own: each row gets the subgroup's persons
    (cost base and treated) from marts.cost_effectiveness, protected as there."""
    t = "marts.cost_sensitivity"
    counts = ctx.shared.get("cost_counts")
    if counts is None or not ctx.has(
        t, "scenario", "perspective", "subgroup", "measure", "estimate"
    ):
        return None
    df = ctx.df(f"FROM {t}")
    keep = [
        c
        for c in (
            "scenario",
            "parameter",
            "setting",
            "perspective",
            "subgroup",
            "horizon_months",
            "measure",
            "measure_order",
            "unit",
            "estimate",
            "ci_low",
            "ci_high",
            "is_extrapolated",
            "base_estimate",
            "difference",
            "note",
        )
        if c in df.columns
    ]
    df = df[keep].merge(counts.reset_index(), on="subgroup", how="left").reset_index(drop=True)
    for c in ("n_cost_base", "n_treated"):
        df[c] = as_int(df[c])
    table = Table(
        "cost_sensitivity",
        df,
        "Følsomhetsanalyse for kostnadseffektiviteten",
        (t,),
        keys=tuple(
            c
            for c in ("scenario", "setting", "perspective", "measure", "subgroup")
            if c in df.columns
        ),
    )
    refs = ctx.shared.get("cost_refs", {})
    base = [refs.get(s, (None, None))[0] for s in df["subgroup"]]
    treated = [refs.get(s, (None, None))[1] for s in df["subgroup"]]
    table.count("n_cost_base", base)
    table.count("n_treated", treated)
    table.withheld["n_cost_base"] = np.array([r is None for r in base])
    table.withheld["n_treated"] = np.array([r is None for r in treated])
    hide = _small(df["n_cost_base"].to_numpy(), df["n_treated"].to_numpy())
    vals = tuple(
        c
        for c in ("estimate", "ci_low", "ci_high", "base_estimate", "difference")
        if c in df.columns
    )
    table.stats.append(Stat(vals, hide=hide, missing=np.full(len(df), "..")))
    return table


def cost_parameters(ctx: Context) -> Table | None:
    """Parameters from the file (no person data) and the derived values for the whole cost base
    (ALL); per-subgroup derived values and person-month counts are not published."""
    t = "marts.cost_parameters"
    if not ctx.has(t, "parameter", "value"):
        return None
    df = ctx.df(f"FROM {t}")
    sub = df["subgroup"] if "subgroup" in df.columns else pd.Series(None, index=df.index)
    keep = (sub.isna() | sub.eq("ALL")) & ~df["parameter"].astype(str).eq("derived.person_months")
    df = df[keep].copy()
    if "subgroup" in df.columns:
        df["subgroup"] = df["subgroup"].where(df["subgroup"].isna(), "cost base")
    return Table(
        "cost_parameters",
        df.reset_index(drop=True),
        "Parametre i kostnadsberegningen",
        (t,),
        keys=tuple(c for c in ("parameter", "subgroup", "year") if c in df.columns),
    )


BUILDERS = (costs_per_participant, cost_effectiveness, cost_sensitivity, cost_parameters)
