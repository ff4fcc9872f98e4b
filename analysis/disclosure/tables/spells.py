"""Tables of AT spells started in the window (universe: spell_starts) and the participant
profile (spell_starts for participants, registered_months for registered non-participants)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.contract import PURPOSES
from analysis.disclosure.layout import (
    Context,
    Stat,
    Table,
    as_int,
    base_rule,
    group_shares,
    yes_no,
)

U = "spell_starts"


def purpose_distribution(ctx: Context) -> Table | None:
    t = "marts.purpose_distribution"
    if U not in ctx.universes or not ctx.has(t, "year", "purpose", "n_spells"):
        return None
    df = ctx.df(f"SELECT year, purpose, n_spells FROM {t}")
    known = df[df["purpose"].isin(PURPOSES)].copy()
    tot = known.groupby("year", as_index=False)["n_spells"].sum().assign(purpose="ALL")
    out = pd.concat([known, tot], ignore_index=True)
    out["n_spells"] = as_int(out["n_spells"])
    out["year"] = out["year"].astype("int64")
    order = {p: i for i, p in enumerate((*PURPOSES, "ALL"))}
    out = out.sort_values(
        ["year", "purpose"], key=lambda s: s.map(order) if s.name == "purpose" else s
    )
    out = out.reset_index(drop=True)
    denom = out["year"].map(tot.set_index("year")["n_spells"])
    out["share"] = np.where(denom > 0, out["n_spells"] / denom.where(denom > 0), np.nan)
    table = Table(
        "purpose_distribution",
        out,
        "Arbeidstreningsforløp etter formål og startår (Figur 2-1)",
        (t,),
        keys=("year", "purpose"),
    )
    refs = [
        ctx.cell(
            U, "year_purpose", {"start_year": y, "purpose": list(PURPOSES) if p == "ALL" else p}
        )
        for y, p in zip(out["year"], out["purpose"], strict=True)
    ]
    dens = [
        ctx.cell(U, "year_purpose", {"start_year": y, "purpose": list(PURPOSES)})
        for y in out["year"]
    ]
    table.count("n_spells", refs)
    table.share(refs, dens, denom)
    return table


def purpose_coverage(ctx: Context) -> Table | None:
    t = "marts.purpose_coverage"
    if U not in ctx.universes or not ctx.has(t, "year", "n_spells", "n_with_agreement"):
        return None
    df = ctx.df(f"SELECT year, n_spells, n_with_agreement FROM {t} ORDER BY year")
    rows = []
    for y, n, w in df.itertuples(index=False):
        for part, k in (("WITH_AGREEMENT", w), ("WITHOUT_AGREEMENT", n - w), ("ALL", n)):
            rows.append({"year": int(y), "agreement": part, "n_spells": int(k)})
    out = pd.DataFrame(rows)
    tot = out["year"].map(out[out["agreement"] == "ALL"].set_index("year")["n_spells"])
    out["share"] = np.where(tot > 0, out["n_spells"] / tot.where(tot > 0), np.nan)
    table = Table(
        "purpose_coverage",
        out,
        "Forløp med og uten digital avtale, per startår",
        (t,),
        keys=("year", "agreement"),
    )
    where = {
        "WITH_AGREEMENT": {"has_agreement": True},
        "WITHOUT_AGREEMENT": {"has_agreement": False},
        "ALL": {},
    }
    refs = [
        ctx.cell(U, "year_purpose", {"start_year": y, **where[a]})
        for y, a in zip(out["year"], out["agreement"], strict=True)
    ]
    dens = [ctx.cell(U, "year_purpose", {"start_year": y}) for y in out["year"]]
    table.count("n_spells", refs)
    table.share(refs, dens, tot)
    return table


# --- participant profile --------------------------------------------------------------------------


def _profile_total(ctx: Context, group: str, year: int, role: str = "derived"):
    """The number of units of the profile's (year, group): every dimension adds up to it."""
    if group == "participants":
        return ctx.cell(U, "year_purpose", {"start_year": year}, role)
    u = ctx.universes.get("registered_months")
    if u is None:
        return None
    return ctx.cell("registered_months", sorted(u.blocks)[0], {"year": year}, role)


def _profile_cell(ctx: Context, group: str, year: int, dim: str, category, role="published"):
    """A profile count: participants' status group in the year-by-status block, other
    dimensions in their own block (one per dimension, per universe)."""
    if group == "participants":
        if dim == "status_group":
            return ctx.cell(U, "year_status", {"start_year": year, "status_group": category}, role)
        block, uname, ycol = f"profile:{dim}", U, "start_year"
    else:
        block, uname, ycol = f"profile:{dim}", "registered_months", "year"
    u = ctx.universes.get(uname)
    if u is None or block not in u.blocks:
        return None
    return ctx.cell(uname, block, {ycol: year, dim: category}, role)


def participant_profile(ctx: Context) -> Table | None:
    t = "marts.participant_profile"
    if U not in ctx.universes or not ctx.has(t, "year", "group", "dimension", "category", "n"):
        return None
    df = ctx.df(
        f'SELECT year, "group", dimension, category, n FROM {t} ORDER BY year, "group", dimension, category'
    )
    df["category"] = df["category"].astype(str)
    df["n"] = as_int(df["n"])
    tot = group_shares(df, ["year", "group", "dimension"])
    table = Table(
        "participant_profile",
        df.reset_index(drop=True),
        "Deltakere og registrerte ikke-deltakere etter kjennetegn",
        (t,),
        keys=("year", "group", "dimension", "category"),
    )
    recs = df.to_dict("records")
    refs = [
        _profile_cell(ctx, r["group"], int(r["year"]), r["dimension"], r["category"]) for r in recs
    ]
    dens = [_profile_total(ctx, r["group"], int(r["year"])) for r in recs]
    table.count("n", refs)
    table.share(refs, dens, tot)
    return table


PROFILE_SUMMARY_LINKS = {
    # summary share -> (profile dimension, category) it reveals with the denominator
    "share_female": ("gender", "FEMALE"),
    "share_under_30": ("under_30", "YES"),
    "share_nedsatt_arbeidsevne": ("status_group", "NEDSATT_ARBEIDSEVNE"),
    "share_any_benefit": ("any_benefit", "YES"),
    "share_any_employment_12m_before": ("any_employment_12m_before", "YES"),
}
PROFILE_SUMMARY_COLUMNS = (
    "share_female",
    "mean_age",
    "share_under_30",
    "share_nedsatt_arbeidsevne",
    "share_any_benefit",
    "n_history_observed",
    "mean_months_employed_12m_before",
    "share_any_employment_12m_before",
)


def participant_profile_summary(ctx: Context) -> Table | None:
    t = "marts.participant_profile_summary"
    if U not in ctx.universes or not ctx.has(
        t, "year", "group", "n_spell_starts", "n_person_months"
    ):
        return None
    # The mart counts each group in its own unit and column (participants: spell starts,
    # registered non-participants: person-months; 0 in the other group's rows). The outbound
    # table carries the row's count as `n`, which the report labels "starts / person-months",
    # and the units whose 12 months before are observed, counted from marts.participant_profile
    # (the categories of months_employed_12m_before other than NOT_OBSERVED, as `hist` below).
    df = ctx.df(
        f"""SELECT s.*, s.n_spell_starts + s.n_person_months AS n,
                   coalesce(h.n_history_observed, 0) AS n_history_observed
            FROM {t} AS s
            LEFT JOIN (
                SELECT year, "group", sum(n) AS n_history_observed
                FROM marts.participant_profile
                WHERE dimension = 'months_employed_12m_before' AND category <> 'NOT_OBSERVED'
                GROUP BY ALL
            ) AS h USING (year, "group")
            ORDER BY year, "group"
        """
    )
    keep = ["year", "group", "n"] + [c for c in PROFILE_SUMMARY_COLUMNS if c in df.columns]
    df = df[keep].copy().reset_index(drop=True)
    df["n"] = as_int(df["n"])
    table = Table(
        "participant_profile_summary",
        df,
        "Nøkkeltall for deltakere og ikke-deltakere",
        (t,),
        keys=("year", "group"),
    )
    recs = df.to_dict("records")
    totals = [_profile_total(ctx, r["group"], int(r["year"]), "published") for r in recs]
    table.count("n", totals)
    hist = None
    if "n_history_observed" in df.columns:
        df["n_history_observed"] = as_int(df["n_history_observed"])
        hist = [
            _profile_cell(
                ctx,
                r["group"],
                int(r["year"]),
                "months_employed_12m_before",
                lambda s: s != "NOT_OBSERVED",
            )
            for r in recs
        ]
        table.count("n_history_observed", hist)
    n = df["n"].to_numpy()
    hide_n, miss_n = base_rule(n)
    for col, (dim, cat) in PROFILE_SUMMARY_LINKS.items():
        if col not in df.columns:
            continue
        num = [
            _profile_cell(ctx, r["group"], int(r["year"]), dim, cat, role="derived") for r in recs
        ]
        den = hist if (col == "share_any_employment_12m_before" and hist is not None) else totals
        base = df["n_history_observed"].to_numpy() if den is hist else n
        hide, miss = base_rule(base)
        table.stats.append(
            Stat(
                (col,),
                hide=hide,
                reveals=[[a, b] for a, b in zip(num, den, strict=True)],
                missing=miss,
            )
        )
    if "mean_age" in df.columns:
        table.stats.append(Stat(("mean_age",), hide=hide_n, missing=miss_n))
    if "mean_months_employed_12m_before" in df.columns:
        base = df["n_history_observed"].to_numpy() if "n_history_observed" in df.columns else n
        hide, miss = base_rule(base)
        table.stats.append(Stat(("mean_months_employed_12m_before",), hide=hide, missing=miss))
    return table


# --- durations -----------------------------------------------------------------------------------

DURATION_DIMENSIONS = ("purpose", "status_group", "start_half_year")
DURATION_STATS = (
    # statistic -> base count (persons it is computed from; not published itself)
    ("mean_planned_days", "n_with_agreement"),
    ("median_planned_days", "n_with_agreement"),
    ("mean_actual_days", "n_ended"),
    ("median_actual_days", "n_ended"),
)
DURATION_SHARES = (
    # measure -> (numerator in the mart, base in the mart, block, base cells, YES / NO cells)
    (
        "planned_up_to_3_months",
        "share_planned_up_to_3_months",
        "n_with_agreement",
        "planned",
        {"has_agreement": True},
        ("planned_up_to_3_months", True, False),
    ),
    (
        "extended",
        "n_extended",
        "n_ended_with_agreement",
        "extended",
        {"ended": True, "has_agreement": True},
        ("extended", True, False),
    ),
    ("interrupted", "n_interrupted", "n_spells", "interrupted", {}, ("interrupted", True, False)),
    (
        "reached_12_months",
        "n_reached_12_months",
        "n_known_12_months",
        "reached",
        {"reached_12_months": ["YES", "NO"]},
        ("reached_12_months", "YES", "NO"),
    ),
)


def _durations(ctx: Context, dim: str) -> pd.DataFrame | None:
    t = "marts.durations"
    if U not in ctx.universes or not ctx.has(t, "dimension", "category", "n_spells"):
        return None
    df = ctx.df(f"FROM {t}")
    df = df[df["dimension"].isin(["ALL", dim])].copy()
    if not (df["dimension"] == dim).any():
        return None
    df["category"] = np.where(df["dimension"] == "ALL", "ALL", df["category"].astype(str))
    return df.drop(columns="dimension").reset_index(drop=True)


def _dim_where(dim: str, category: str) -> dict:
    return {} if category == "ALL" else {dim: category}


def durations_length(ctx: Context, dim: str) -> Table | None:
    df = _durations(ctx, dim)
    if df is None:
        return None
    out = df[["category", "n_spells"]].copy()
    out["n_spells"] = as_int(out["n_spells"])
    stats = []
    for stat, base in DURATION_STATS:
        if stat in df.columns and base in df.columns:
            out[stat] = df[stat]
            hide, miss = base_rule(as_int(df[base]).to_numpy())
            stats.append(Stat((stat,), hide=hide, missing=miss))
    table = Table(
        f"durations_{dim}",
        out,
        f"Planlagt og faktisk varighet etter {dim}",
        ("marts.durations",),
        keys=("category",),
    )
    table.count(
        "n_spells", [ctx.cell(U, f"{dim}:interrupted", _dim_where(dim, c)) for c in out["category"]]
    )
    table.stats.extend(stats)
    return table


def durations_shares(ctx: Context, dim: str) -> Table | None:
    df = _durations(ctx, dim)
    if df is None:
        return None
    if "n_delavb" in df.columns and "n_gjenn_avb" in df.columns:
        df["n_interrupted"] = as_int(df["n_delavb"]) + as_int(df["n_gjenn_avb"])
    parts, specs = [], []
    for measure, num, base, block, base_where, flag in DURATION_SHARES:
        if num not in df.columns or base not in df.columns:
            continue
        d = df[["category"]].copy()
        d["_b"] = as_int(df[base])
        if num.startswith("share_"):
            d["_y"] = (pd.to_numeric(df[num], errors="coerce").fillna(0) * d["_b"]).round()
        else:
            d["_y"] = as_int(df[num])
        part = yes_no(d, ["category"], "_y", "_b").assign(measure=measure)
        parts.append(part)
        specs.append((measure, block, base_where, flag))
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    spec = {m: (b, w, f) for m, b, w, f in specs}
    refs, dens = [], []
    for m, c, o in zip(out["measure"], out["category"], out["outcome"], strict=True):
        block, w, (flag, yes, no) = spec[m]
        where = {**_dim_where(dim, c), **w}
        refs.append(ctx.cell(U, f"{dim}:{block}", {**where, flag: yes if o == "YES" else no}))
        dens.append(ctx.cell(U, f"{dim}:{block}", where, role="derived"))
    base = out["_base"].to_numpy()
    out = out[["measure", "category", "outcome", "n", "share"]]
    table = Table(
        f"durations_shares_{dim}",
        out,
        f"Forlengelser, avbrudd og lange forløp etter {dim}",
        ("marts.durations",),
        keys=("measure", "category", "outcome"),
    )
    table.count("n", refs)
    table.share(refs, dens, base)
    return table


def _durations_builders():
    out = []
    for dim in DURATION_DIMENSIONS:
        out.append(lambda ctx, d=dim: durations_length(ctx, d))
        out.append(lambda ctx, d=dim: durations_shares(ctx, d))
    return tuple(out)


BUILDERS = (
    purpose_distribution,
    purpose_coverage,
    participant_profile,
    participant_profile_summary,
    *_durations_builders(),
)
