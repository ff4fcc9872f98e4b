"""The universes (units of count) of the outbound tables and their inner cells, read from the
warehouse's unit-level tables.

===================  =====================================================  =====================
universe             unit / inner cells (blocks)                            outbound tables
===================  =====================================================  =====================
person_months        person-months in AT: month x status group              participants_monthly,
                     (marts.participants_monthly)                           participants_annual
spell_starts         AT spells started in the window: start half-year x     purpose_distribution,
                     purpose x agreement x status group x duration flags    purpose_coverage,
                     (panel.at_spells); one block per participant-profile   durations_*,
                     dimension (year x category, marts.participant_profile) participant_profile*
                     linked to the core by the year's number of starts
registered_months    registered non-participant person-months: one block    participant_profile*
                     per profile dimension, linked by the year's total
nav_exits            exits by NAV's definition (in AT one month, not the    nav_exit_status
                     next two), observed six months after: exit year x
                     status group x status (marts.nav_exit_status)
exits                ended spells observed k months after exit: one block   transitions*,
                     per horizon k (purpose x status x state x outcome      intended_outcomes,
                     flags, marts.exit_outcomes) and a spine (purpose x     same_employer
                     status x the horizons a spell is observed at), linked
chaining             ended spells by next programme: one block per          chaining_next_*
                     dimension (marts.chaining_next), linked by totals
sequences            AT participants by programme chain                     chaining_sequences
treated              treated persons of the effect estimators: start        effects, effects_summary,
                     cohort (month) x subgroup, one block per subgroup      cost_* (n_treated)
                     dimension, linked cohort by cohort
cost_base            persons in the cost base: purpose / status group       costs_per_participant,
                     blocks linked by the total (marts.costs_per_participant) cost_effectiveness, ...
ipw_support          IPW design rows by propensity bin, per specification   effects_support
input_rows           input rows: accepted, or rejected by rule and column   ingest_summary,
                     (meta.ingest_summary, meta.reject_summary)             reject_summary
===================  =====================================================  =====================

Blocks of the same units are *linked* (a structural zero-valued cell: the two blocks add up to
the same totals). Marginal tables of one cross-classification are related only through their
common margins, so a block per dimension linked by the shared margin gives the same linear
relations as the full cross-classification, without its size.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import numpy as np
import pandas as pd

from analysis import design
from analysis.contract import PURPOSES
from analysis.design import PRE_MONTHS_REQUIRED, STATUS_GROUPS, TRANSITION_HORIZONS, UNKNOWN_PURPOSE
from analysis.disclosure.model import Universe, link_shared, margin_block
from analysis.warehouse import read_sql


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = con.execute(
        "SELECT schema_name || '.' || table_name, column_name FROM duckdb_columns() "
        "WHERE schema_name IN ('marts', 'meta', 'panel')"
    ).fetchall()
    out: dict[str, set[str]] = {}
    for t, c in rows:
        out.setdefault(t, set()).add(c)
    return out


def _df(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def _link_totals(u: Universe, blocks: list[str], keys: list[str], label: str) -> None:
    """Link blocks pairwise (first to each other) on every combination of `keys` they share."""
    first = blocks[0]
    combos = u.blocks[first][keys].drop_duplicates()
    for other in blocks[1:]:
        combos = pd.concat([combos, u.blocks[other][keys]]).drop_duplicates()
    for other in blocks[1:]:
        for rec in combos.to_dict("records"):
            u.link((first, rec), (other, rec), f"{label}: {first} = {other} at {rec}")


def person_months(con) -> Universe | None:
    df = _df(
        con,
        "SELECT year_month, CAST(year_month // 100 AS INTEGER) AS year, status_group, "
        "n_participants AS n FROM marts.participants_monthly",
    )
    u = Universe("person_months", "person-months in Arbeidstrening (participants per month)")
    u.add_block("months", df)
    return u


SPELL_MEASURES = {
    # durations measure -> the variables of its margin block besides the dimension
    "interrupted": ("interrupted",),
    "planned": ("has_agreement", "planned_up_to_3_months"),
    "extended": ("has_agreement", "ended", "extended"),
    "reached": ("ended", "reached_12_months"),
}
SPELL_DIMENSIONS = ("purpose", "status_group", "start_half_year")


def _spell_rules(g: pd.DataFrame) -> np.ndarray:
    """Combinations the definitions rule out (a reader knows them to be empty)."""
    ok = np.ones(len(g), dtype=bool)
    if "purpose" in g and "has_agreement" in g:  # a known purpose needs an agreement
        ok &= ~((g["purpose"] != UNKNOWN_PURPOSE) & ~g["has_agreement"].astype(bool))
    if "planned_up_to_3_months" in g:
        ok &= ~(g["planned_up_to_3_months"].astype(bool) & ~g["has_agreement"].astype(bool))
    if "extended" in g:
        ok &= ~(
            g["extended"].astype(bool)
            & ~(g["ended"].astype(bool) & g["has_agreement"].astype(bool))
        )
    if "reached_12_months" in g:
        r = g["reached_12_months"]
        ok &= ~((r == "NO") & ~g["ended"].astype(bool)) & ~(
            (r == "UNKNOWN") & g["ended"].astype(bool)
        )
    return ok


def spell_starts(con, have: dict[str, set[str]]) -> Universe:
    """Margin blocks: (start year, purpose, agreement) for the purpose tables, (start year, status
    group) for the profile, one block per durations dimension and measure, one per profile
    dimension; all linked on the variables they share."""
    u = Universe("spell_starts", "Arbeidstrening spells started in the observation window")
    units = _df(con, read_sql("protected/spell_starts.sql"))
    halves = _df(
        con,
        "SELECT DISTINCT CAST(year_month // 100 AS VARCHAR) || 'H' || "
        "CASE WHEN year_month % 100 <= 6 THEN '1' ELSE '2' END AS h FROM panel.months ORDER BY h",
    )["h"].tolist()
    dom = {
        "start_year": sorted({int(h[:4]) for h in halves}),
        "start_half_year": halves,
        "purpose": [*PURPOSES, UNKNOWN_PURPOSE],
        "status_group": list(STATUS_GROUPS),
        "has_agreement": [True, False],
        "ended": [True, False],
        "interrupted": [True, False],
        "planned_up_to_3_months": [True, False],
        "extended": [True, False],
        "reached_12_months": ["YES", "NO", "UNKNOWN"],
    }
    names = []
    for name, cols in (
        ("year_purpose", ["start_year", "purpose", "has_agreement"]),
        ("year_status", ["start_year", "status_group"]),
    ):
        u.add_block(name, margin_block(units, cols, dom, _spell_rules))
        names.append(name)
    for dim in SPELL_DIMENSIONS:
        for measure, cols in SPELL_MEASURES.items():
            lead = [dim, "start_year"] if dim == "start_half_year" else [dim]
            block = margin_block(units, [*lead, *cols], dom, _spell_rules)
            if dim == "start_half_year":  # the year is a function of the half-year
                block = block[block["start_half_year"].str[:4].astype(int) == block["start_year"]]
            u.add_block(f"{dim}:{measure}", block.reset_index(drop=True))
            names.append(f"{dim}:{measure}")
    if "marts.participant_profile" in have:
        prof = _df(
            con,
            "SELECT year, dimension, category, n FROM marts.participant_profile "
            "WHERE \"group\" = 'participants' AND dimension <> 'status_group'",
        )
        for dim, part in prof.groupby("dimension", sort=True):
            name = f"profile:{dim}"
            block = part[["year", "category", "n"]].rename(
                columns={"year": "start_year", "category": dim}
            )
            u.add_block(name, block.reset_index(drop=True))
            names.append(name)
    link_shared(u, names)
    return u


def registered_months(con, have: dict[str, set[str]]) -> Universe | None:
    if "marts.participant_profile" not in have:
        return None
    prof = _df(
        con,
        "SELECT year, dimension, category, n FROM marts.participant_profile "
        "WHERE \"group\" = 'registered_non_participants'",
    )
    if prof.empty:
        return None
    u = Universe("registered_months", "person-months registered at NAV and not in AT")
    names = []
    for dim, part in prof.groupby("dimension", sort=True):
        name = f"profile:{dim}"
        u.add_block(
            name,
            part[["year", "category", "n"]]
            .rename(columns={"category": dim})
            .reset_index(drop=True),
        )
        names.append(name)
    link_shared(u, names)
    return u


def exits(con, have: dict[str, set[str]]) -> Universe | None:
    if "marts.exit_outcomes" not in have:
        return None
    u = Universe("exits", "ended Arbeidstrening spells, observed k months after exit")
    hz = _df(con, read_sql("protected/exit_horizons.sql"))
    spine = _df(con, read_sql("protected/exit_patterns.sql"))
    for k in TRANSITION_HORIZONS:
        spine[f"obs_{k}"] = spine["pattern"].map(lambda p, k=k: str(k) in p.split(","))
    u.add_block("spine", spine)
    for k in TRANSITION_HORIZONS:
        u.add_block(f"k{k}", hz[hz["months_after_exit"] == k].drop(columns="months_after_exit"))
    groups = spine[["purpose", "status_group"]].drop_duplicates().to_dict("records")
    for k in TRANSITION_HORIZONS:
        for g in groups:
            u.link((f"k{k}", g), ("spine", {**g, f"obs_{k}": True}), f"observed at {k}: {g}")
    # bands of exit months a reader gets by subtracting two horizons' totals (1-4 spells: protected)
    inner = u.inner
    cats: list[tuple[str, dict]] = [("ALL", {})]
    cats += [(f"purpose={p}", {"purpose": p}) for p in sorted(spine["purpose"].unique())]
    cats += [
        (f"status_group={s}", {"status_group": s}) for s in sorted(spine["status_group"].unique())
    ]
    for name, where in cats:
        for k1 in TRANSITION_HORIZONS:
            for k2 in TRANSITION_HORIZONS:
                if k1 == k2:
                    continue
                rows = u.rows("spine", {**where, f"obs_{k1}": True, f"obs_{k2}": False})
                if 0 < int(inner[rows].sum()) < 5:
                    u.rows_cell(rows, "sensitive", f"{name}: observed at {k1}, not at {k2}")
    return u


NAV_EXIT_STATUSES = design.NAV_EXIT_STATUSES


def nav_exits(con, have: dict[str, set[str]]) -> Universe | None:
    """Exits by NAV's definition (marts.nav_exit_status): the complete grid of exit year x status
    group at exit x status six months after, one block."""
    if "marts.nav_exit_status" not in have:
        return None
    units = _df(con, read_sql("protected/nav_exit_cells.sql"))
    years = sorted(units["exit_year"].unique().tolist())
    dom = {
        "exit_year": years,
        "status_group": list(STATUS_GROUPS),
        "status": list(NAV_EXIT_STATUSES),
    }
    u = Universe("nav_exits", "exits from AT by NAV's definition, observed six months after")
    u.add_block("exits", margin_block(units, ["exit_year", "status_group", "status"], dom))
    return u


def chaining(con, have: dict[str, set[str]]) -> Universe | None:
    if "marts.chaining_next" not in have:
        return None
    df = _df(
        con, "SELECT dimension, category, next_programme, n_spells AS n FROM marts.chaining_next"
    )
    u = Universe("chaining", "ended Arbeidstrening spells by the next programme within 24 months")
    names = []
    for dim in ("purpose", "exit_half_year"):
        part = df[df["dimension"] == dim]
        if part.empty:
            continue
        u.add_block(dim, part[["category", "next_programme", "n"]].reset_index(drop=True))
        names.append(dim)
    if len(names) > 1:
        _link_totals(u, names, ["next_programme"], "same exits")
    return u


def sequences(con, have: dict[str, set[str]]) -> Universe | None:
    if "marts.chaining_sequences" not in have:
        return None
    df = _df(
        con,
        "SELECT sequence, n_persons AS n FROM marts.chaining_sequences "
        "WHERE chain_type = 'FROM_FIRST_AT'",
    )
    u = Universe("sequences", "Arbeidstrening participants by programme chain from the first AT")
    u.add_block("chains", df)
    return u


TREATED_DIMENSIONS = ("purpose", "status_group", "age", "immigrant", "gender")


def treated(con, have: dict[str, set[str]]) -> Universe | None:
    if "marts.effects" not in have:
        return None
    sql = read_sql("protected/treated_persons.sql").replace("$min_pre", str(PRE_MONTHS_REQUIRED))
    df = _df(con, sql)
    u = Universe("treated", "treated persons of the effect estimators, by start cohort")
    core = df.groupby(["cohort", "start_year"], as_index=False)["n"].sum()
    u.add_block("core", core)
    for dim in TREATED_DIMENSIONS:
        block = (
            df.groupby(["cohort", dim], as_index=False)["n"].sum().rename(columns={dim: "value"})
        )
        u.add_block(dim, block)
        _link_totals(u, ["core", dim], ["cohort"], "same persons")
    return u


def cost_base(con, have: dict[str, set[str]]) -> Universe | None:
    if "marts.costs_per_participant" not in have:
        return None
    df = _df(
        con,
        "SELECT DISTINCT subgroup, n_participants AS n FROM marts.costs_per_participant",
    )
    u = Universe("cost_base", "persons in the cost base (first AT spell with full follow-up)")
    for dim in ("purpose", "status_group"):
        part = df[df["subgroup"].str.startswith(dim + "=")]
        block = pd.DataFrame(
            {"value": part["subgroup"].str.partition("=")[2].to_numpy(), "n": part["n"].to_numpy()}
        )
        u.add_block(dim, block)
    if all(b in u.blocks for b in ("purpose", "status_group")):
        u.link(("purpose", None), ("status_group", None), "same persons")
    return u


def ipw_support(con, have: dict[str, set[str]]) -> Universe | None:
    t = "marts.effects_support"
    if t not in have or not {"population", "bin", "n"} <= have[t]:
        return None
    spec = "specification" if "specification" in have[t] else "'ALL'"
    df = _df(con, f"SELECT {spec} AS specification, population, bin, n FROM {t}")
    u = Universe("ipw_support", "rows of the IPW design (starters, sampled controls) by score bin")
    names = []
    for s, part in df.groupby("specification", sort=True):
        name = f"spec:{s}"
        u.add_block(name, part[["population", "bin", "n"]].reset_index(drop=True))
        names.append(name)
    if len(names) > 1:
        _link_totals(u, names, ["population"], "same design rows")
    return u


def input_rows(con, have: dict[str, set[str]]) -> Universe | None:
    if "meta.ingest_summary" not in have:
        return None
    acc = _df(
        con,
        "SELECT table_name, 'ACCEPTED' AS part, '' AS rule, '' AS column_name, rows_accepted AS n "
        "FROM meta.ingest_summary",
    )
    parts = [acc]
    if "meta.reject_summary" in have:
        rej = _df(
            con,
            "SELECT table_name, 'REJECTED' AS part, rule, coalesce(column_name, '') AS column_name, "
            "sum(n_rows) AS n FROM meta.reject_summary GROUP BY ALL",
        )
        parts.append(rej)
    df = pd.concat(parts, ignore_index=True)
    df["n"] = df["n"].astype(np.int64)
    u = Universe("input_rows", "rows of the input extract: accepted, or rejected by rule")
    u.add_block("rows", df)
    return u


BUILDERS: dict[str, Callable] = {
    "person_months": lambda con, have: (
        person_months(con) if "marts.participants_monthly" in have else None
    ),
    "spell_starts": lambda con, have: (
        spell_starts(con, have) if "panel.at_spells" in have else None
    ),
    "registered_months": registered_months,
    "exits": exits,
    "nav_exits": nav_exits,
    "chaining": chaining,
    "sequences": sequences,
    "treated": treated,
    "cost_base": cost_base,
    "ipw_support": ipw_support,
    "input_rows": input_rows,
}


def build_universes(
    con: duckdb.DuckDBPyConnection, warnings: list[str] | None = None
) -> dict[str, Universe]:
    """Every universe the warehouse has the tables for. A universe whose unit-level data are
    not counts (negative or missing) is left out with a warning: the tables on it are then not
    published, rather than published unprotected or the run stopped."""
    have = _tables(con)
    out = {}
    for name, build in BUILDERS.items():
        try:
            u = build(con, have)
        except (ValueError, KeyError, duckdb.Error) as exc:
            if warnings is not None:
                warnings.append(f"universe {name} left out ({type(exc).__name__}: {exc})")
            continue
        if u is not None:
            out[name] = u
    return out


__all__ = ["TREATED_DIMENSIONS", "build_universes"]
