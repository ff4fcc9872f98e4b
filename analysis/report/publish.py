"""The published tables: every table behind a figure or table of the report, after disclosure control.

Each entry of :data:`SPECS` reads one or more warehouse tables, reshapes them into a *tidy* table
whose additive structure :mod:`analysis.disclosure` understands (totals as ``"ALL"`` rows, binary
outcomes as YES/NO rows with an implicit total, so a small complement such as "10 spells, 8
reached" cannot slip through), and suppresses it. :func:`publishable_tables` returns
``name -> (suppressed frame, kwargs)`` where the kwargs re-check the frame with
:func:`analysis.disclosure.check_disclosure`; :func:`disclosure_violations` does that re-check for
every table (the blocking check on the report). The report and the CSV export use exactly these
frames; nothing unsuppressed is rendered.

Reshaping choices (why the published tables differ from the marts):

* ``participants_monthly`` gets an ``ALL`` status group per month (the total the figure shows), so
  a single small status group cannot be recovered from the total.
* ``participants_annual``: the monthly average is published rounded to whole persons and treated as
  a count (``n_avg_participants``), with the same status-group totals.
* ``purpose_distribution``: the six known purposes plus ``ALL`` = spells with a known purpose (the
  denominator of the shares, which a reader can recover from any share anyway). Spells without a
  digital agreement are in ``purpose_coverage`` (WITH/WITHOUT/ALL agreement).
* ``intended_outcomes``, ``same_employer``, ``durations_shares``: each share becomes two rows
  (outcome YES/NO) whose sum is the published base, so both the count and its complement are
  protected.
* ``chaining_next_*``: the censored exits (not yet observed for 24 months) are left out; the shares
  are among the observed exits, which are the implicit total.
* effects: ``n_treated`` (and ``n_control`` if present) protect the estimates
  (:func:`analysis.disclosure.suppress_estimates`); per subgroup dimension the subgroups add up to
  ``ALL``, so each dimension is checked as its own table (``effects__purpose`` ...), as is the
  concatenation exported as one CSV.

What is not covered (see :mod:`analysis.disclosure`): links between *different* tables, beyond
the ones handled here (the profile summary's shares are suppressed where the profile table
suppresses the matching category). Counts of spells are treated like counts of persons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analysis import disclosure as sdc

CORE_TABLES = (
    "marts.participants_monthly",
    "marts.purpose_distribution",
    "marts.transitions",
    "marts.effects",
)
"""Tables without which there is no report: build_report raises if one is missing."""

KNOWN_PURPOSES = (
    "ARBEIDSERFARING",
    "FAA_JOBB_I_BEDRIFTEN",
    "UTPROVING",
    "OPPNAA_FAGBREV_KOMPETANSEBEVIS",
    "SPRAAKOPPLAERING",
    "ANNET",
)
PURPOSES_WITH_UNKNOWN = (*KNOWN_PURPOSES, "UKJENT")
STATUS_GROUPS = ("ARBEIDSSOKER", "NEDSATT_ARBEIDSEVNE", "ANNET")
EFFECT_VALUES = ("estimate", "std_error", "ci_low", "ci_high")


class ReportDataError(RuntimeError):
    """A table the report cannot do without is missing or lacks a column."""


# --- Reading the warehouse ----------------------------------------------------------------------


class Warehouse:
    """Read-only access to a published warehouse, with a catalogue of what exists."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        if not self.path.exists():
            raise ReportDataError(f"no warehouse at {self.path}")
        self.con = duckdb.connect(str(self.path), read_only=True)
        rows = self.con.execute(
            "SELECT schema_name || '.' || table_name, column_name FROM duckdb_columns() "
            "WHERE schema_name IN ('marts', 'meta')"
        ).fetchall()
        self.columns: dict[str, list[str]] = {}
        for table, col in rows:
            self.columns.setdefault(table, []).append(col)

    def has(self, table: str, *cols: str) -> bool:
        return table in self.columns and all(c in self.columns[table] for c in cols)

    def df(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()

    def table(self, table: str) -> pd.DataFrame:
        return self.df(f"FROM {table}")

    def require(self, table: str, cols: tuple[str, ...]) -> None:
        if table not in self.columns:
            raise ReportDataError(
                f"the report needs {table}, which is not in {self.path}; run the whole pipeline "
                "(marts and effects) before the report"
            )
        missing = [c for c in cols if c not in self.columns[table]]
        if missing:
            raise ReportDataError(f"{table} lacks column(s) {missing} the report needs")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --- Specs --------------------------------------------------------------------------------------


@dataclass
class Spec:
    """One published table: how to read it (None when its source is missing) and protect it."""

    name: str
    sources: tuple[str, ...]
    load: Callable[[Warehouse], pd.DataFrame | None]
    kwargs: dict
    estimates: bool = False  # use suppress_estimates (n_col first count)
    description: str = ""
    post: Callable[[pd.DataFrame, dict[str, pd.DataFrame]], pd.DataFrame] | None = None
    export: bool = True  # write a CSV (False for per-dimension views of an exported table)


@dataclass
class Published:
    name: str
    frame: pd.DataFrame
    kwargs: dict
    description: str
    sources: tuple[str, ...]
    export: bool = True
    n_suppressed: int = 0
    notes: list[str] = field(default_factory=list)


def _int(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").fillna(0).round().astype("int64")


def _yes_no(df: pd.DataFrame, keys: list[str], n_yes: str, n_base: str, extra=()) -> pd.DataFrame:
    """Binary outcome as two rows (YES/NO) per key, share = n / base."""
    base = _int(df[n_base])
    yes = _int(df[n_yes]).clip(upper=base)
    cols = [*keys, *extra]
    a = df[cols].copy().assign(outcome="YES", n=yes.to_numpy(), n_base=base.to_numpy())
    b = df[cols].copy().assign(outcome="NO", n=(base - yes).to_numpy(), n_base=base.to_numpy())
    out = pd.concat([a, b], ignore_index=True)
    out["share"] = np.where(
        out["n_base"] > 0, out["n"] / out["n_base"].where(out["n_base"] > 0), np.nan
    )
    order = {k: i for i, k in enumerate(df[keys].astype(str).agg("|".join, axis=1))}
    out["_o"] = out[keys].astype(str).agg("|".join, axis=1).map(order)
    out = out.sort_values(["_o", "outcome"], ascending=[True, False], kind="stable")
    return out.drop(columns=["_o", "n_base"]).reset_index(drop=True)


# participants ------------------------------------------------------------------------------------


def _load_participants_monthly(wh: Warehouse) -> pd.DataFrame | None:
    wh.require("marts.participants_monthly", ("year_month", "status_group", "n_participants"))
    df = wh.table("marts.participants_monthly")[["year_month", "status_group", "n_participants"]]
    df = df[df["status_group"] != "ALL"]
    tot = (
        df.groupby("year_month", as_index=False)["n_participants"].sum().assign(status_group="ALL")
    )
    out = pd.concat([df, tot], ignore_index=True)
    order = {g: i for i, g in enumerate(("ALL", *STATUS_GROUPS))}
    out["_o"] = out["status_group"].map(order).fillna(9)
    out = out.sort_values(["year_month", "_o"]).drop(columns="_o").reset_index(drop=True)
    out["year_month"] = out["year_month"].astype("int64")
    out["n_participants"] = _int(out["n_participants"])
    return out


def _load_participants_annual(wh: Warehouse) -> pd.DataFrame | None:
    if wh.has("marts.participants_annual", "year", "status_group", "avg_monthly_participants"):
        df = wh.table("marts.participants_annual")
    else:  # derive from the monthly mart
        df = wh.df(
            "WITH m AS (SELECT year_month // 100 AS year, year_month, status_group, n_participants "
            "FROM marts.participants_monthly), a AS (SELECT year, year_month, 'ALL' AS status_group, "
            "sum(n_participants) AS n_participants FROM m GROUP BY ALL UNION ALL "
            "SELECT year, year_month, status_group, n_participants FROM m) "
            "SELECT year, status_group, count(*) AS n_months, avg(n_participants) "
            "AS avg_monthly_participants FROM a GROUP BY ALL ORDER BY ALL"
        )
    out = df[["year", "status_group", "n_months", "avg_monthly_participants"]].copy()
    out["year"] = out["year"].astype("int64")
    out["n_avg_participants"] = _int(out["avg_monthly_participants"])
    out = out.drop(columns="avg_monthly_participants")
    order = {g: i for i, g in enumerate(("ALL", *STATUS_GROUPS))}
    out["_o"] = out["status_group"].map(order).fillna(9)
    return out.sort_values(["year", "_o"]).drop(columns="_o").reset_index(drop=True)


# purposes ----------------------------------------------------------------------------------------


def _load_purpose_distribution(wh: Warehouse) -> pd.DataFrame | None:
    wh.require("marts.purpose_distribution", ("year", "purpose", "n_spells"))
    df = wh.table("marts.purpose_distribution")
    known = df[df["purpose"].isin(KNOWN_PURPOSES)][["year", "purpose", "n_spells"]].copy()
    tot = known.groupby("year", as_index=False)["n_spells"].sum().assign(purpose="ALL")
    out = pd.concat([known, tot], ignore_index=True)
    out["n_spells"] = _int(out["n_spells"])
    out["year"] = out["year"].astype("int64")
    denom = out["year"].map(tot.set_index("year")["n_spells"])
    out["share"] = np.where(denom > 0, out["n_spells"] / denom.where(denom > 0), np.nan)
    order = {p: i for i, p in enumerate((*KNOWN_PURPOSES, "ALL"))}
    out["_o"] = out["purpose"].map(order)
    return out.sort_values(["year", "_o"]).drop(columns="_o").reset_index(drop=True)


def _post_purpose_distribution(df: pd.DataFrame, _: dict) -> pd.DataFrame:
    """A share reveals its denominator (n / share): no shares in a year whose total is hidden."""
    hidden_years = df.loc[df["purpose"].eq("ALL") & df[sdc.flag_col("n_spells")], "year"]
    mask = df["year"].isin(hidden_years)
    df.loc[mask, "share"] = np.nan
    df.loc[mask, sdc.flag_col("share")] = True
    return df


def _load_purpose_coverage(wh: Warehouse) -> pd.DataFrame | None:
    if not wh.has("marts.purpose_coverage", "year", "n_spells", "n_with_agreement"):
        return None
    df = wh.table("marts.purpose_coverage")
    rows = []
    for r in df.itertuples(index=False):
        n, w = int(r.n_spells), int(r.n_with_agreement)
        for part, k in (("WITH_AGREEMENT", w), ("WITHOUT_AGREEMENT", n - w), ("ALL", n)):
            rows.append({"year": int(r.year), "agreement": part, "n_spells": k})
    out = pd.DataFrame(rows)
    tot = out["year"].map(out[out["agreement"] == "ALL"].set_index("year")["n_spells"])
    out["share"] = np.where(tot > 0, out["n_spells"] / tot.where(tot > 0), np.nan)
    return out


# transitions and outcomes -------------------------------------------------------------------------


def _add_group_shares(df: pd.DataFrame, groups, count: str = "n") -> pd.Series:
    """Set df["share"] = count / its group's total (NaN for an empty group); return the totals."""
    tot = df.groupby(list(groups))[count].transform("sum")
    df["share"] = np.where(tot > 0, df[count] / tot.where(tot > 0), np.nan)
    return tot


def _load_state_shares(
    wh: Warehouse, table: str, group_col: str, required: bool
) -> pd.DataFrame | None:
    """States k months after exit by `group_col`, with shares and the group total (n_spells).

    The group total (ended spells observed at k) is the implicit total the suppression treats as
    published; it is shown beside the shares (suppressed below 5).
    """
    cols = (group_col, "months_after_exit", "state", "n")
    if required:
        wh.require(table, cols)
    elif not wh.has(table, *cols):
        return None
    df = wh.table(table)[list(cols)].copy()
    df["n"] = _int(df["n"])
    df["n_spells"] = _add_group_shares(df, [group_col, "months_after_exit"]).astype("int64")
    return df


def _load_transitions(wh: Warehouse) -> pd.DataFrame | None:
    return _load_state_shares(wh, "marts.transitions", "purpose", required=True)


def _load_transitions_by_status(wh: Warehouse) -> pd.DataFrame | None:
    return _load_state_shares(
        wh, "marts.transitions_by_status_group", "status_group", required=False
    )


def _load_intended(wh: Warehouse) -> pd.DataFrame | None:
    t = "marts.intended_outcomes"
    if not wh.has(t, "purpose", "intended_outcome", "months_after_exit", "n_spells", "n_reached"):
        return None
    df = wh.table(t)
    out = _yes_no(
        df, ["purpose", "months_after_exit"], "n_reached", "n_spells", ("intended_outcome",)
    )
    return out.rename(columns={"outcome": "reached"})[
        ["purpose", "intended_outcome", "months_after_exit", "reached", "n", "share"]
    ]


SAME_EMPLOYER_MEASURES = (
    "employed_or_wage_subsidy_same_employer",
    "employed_same_employer",
    "wage_subsidy_same_employer",
    "employed_any_employer",
)


def _load_same_employer(wh: Warehouse) -> pd.DataFrame | None:
    t = "marts.same_employer"
    if not wh.has(t, "purpose", "months_after_exit", "n_spells"):
        return None
    df = wh.table(t)
    parts = []
    for m in SAME_EMPLOYER_MEASURES:
        if f"n_{m}" not in df.columns:
            continue
        part = _yes_no(df, ["purpose", "months_after_exit"], f"n_{m}", "n_spells")
        parts.append(part.assign(measure=m))
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    return out[["measure", "purpose", "months_after_exit", "outcome", "n", "share"]]


# profile -----------------------------------------------------------------------------------------


def _load_profile(wh: Warehouse) -> pd.DataFrame | None:
    t = "marts.participant_profile"
    if not wh.has(t, "year", "group", "dimension", "category", "n"):
        return None
    df = wh.table(t)[["year", "group", "dimension", "category", "n"]].copy()
    df["category"] = df["category"].astype(str)
    df["n"] = _int(df["n"])
    _add_group_shares(df, ["year", "group", "dimension"])
    return df.reset_index(drop=True)


PROFILE_SUMMARY_LINKS = {
    # summary column -> (profile dimension, category) whose count it reveals (share x n)
    "share_female": ("gender", "FEMALE"),
    "share_under_30": ("under_30", "YES"),
    "share_nedsatt_arbeidsevne": ("status_group", "NEDSATT_ARBEIDSEVNE"),
    "share_any_benefit": ("any_benefit", "YES"),
    "share_any_employment_12m_before": ("any_employment_12m_before", "YES"),
}


def _load_profile_summary(wh: Warehouse) -> pd.DataFrame | None:
    t = "marts.participant_profile_summary"
    if not wh.has(t, "year", "group", "n"):
        return None
    df = wh.table(t)
    keep = ["year", "group", "n"] + [
        c
        for c in (
            "share_female",
            "mean_age",
            "share_under_30",
            "share_nedsatt_arbeidsevne",
            "share_any_benefit",
            "n_history_observed",
            "mean_months_employed_12m_before",
            "share_any_employment_12m_before",
        )
        if c in df.columns
    ]
    df = df[keep].copy()
    df["n"] = _int(df["n"])
    if "n_history_observed" in df.columns:
        df["n_history_observed"] = _int(df["n_history_observed"])
    return df


def _post_profile_summary(df: pd.DataFrame, done: dict[str, pd.DataFrame]) -> pd.DataFrame:
    prof = done.get("participant_profile")
    for col, (dim, cat) in PROFILE_SUMMARY_LINKS.items():
        if col not in df.columns:
            continue
        if prof is None:  # nothing to link against: be safe and hide nothing extra
            continue
        hidden = prof[
            prof["dimension"].eq(dim) & prof["category"].eq(cat) & prof[sdc.flag_col("n")]
        ][["year", "group"]]
        keys = set(map(tuple, hidden.to_numpy().tolist()))
        mask = [(y, g) in keys for y, g in zip(df["year"], df["group"], strict=True)]
        mask = pd.Series(mask, index=df.index)
        df.loc[mask, col] = np.nan
        df.loc[mask, sdc.flag_col(col)] = True
    return df


# durations ---------------------------------------------------------------------------------------

DURATION_DIMENSIONS = ("purpose", "status_group", "start_half_year")
DURATION_STATS = (
    # stat column -> base column (the persons it is computed from)
    ("mean_planned_days", "n_with_agreement"),
    ("median_planned_days", "n_with_agreement"),
    ("mean_actual_days", "n_ended"),
    ("median_actual_days", "n_ended"),
)
DURATION_SHARES = (
    # measure -> (numerator count, base count); numerator None: share x base
    ("planned_up_to_3_months", ("share_planned_up_to_3_months", "n_with_agreement")),
    ("extended", ("n_extended", "n_ended_with_agreement")),
    ("interrupted", ("n_interrupted", "n_spells")),
    ("reached_12_months", ("n_reached_12_months", "n_known_12_months")),
)


def _durations_dim(wh: Warehouse, dim: str) -> pd.DataFrame | None:
    t = "marts.durations"
    if not wh.has(t, "dimension", "category", "n_spells"):
        return None
    df = wh.table(t)
    df = df[df["dimension"].isin(["ALL", dim])].copy()
    if not (df["dimension"] == dim).any():
        return None
    df["category"] = np.where(df["dimension"] == "ALL", "ALL", df["category"].astype(str))
    return df.drop(columns="dimension").reset_index(drop=True)


def _load_durations_length(dim: str):
    def load(wh: Warehouse) -> pd.DataFrame | None:
        df = _durations_dim(wh, dim)
        if df is None:
            return None
        out = df[["category", "n_spells"]].copy()
        out["n_spells"] = _int(out["n_spells"])
        for stat, base in DURATION_STATS:
            if stat in df.columns and base in df.columns:
                b = _int(df[base])
                # stats from fewer than MIN_COUNT persons are withheld before publication (the base
                # counts themselves are not published; their complements would be disclosive)
                out[stat] = df[stat].where(b >= sdc.MIN_COUNT)
                out[sdc.flag_col(stat) + "_base"] = b < sdc.MIN_COUNT
        return out

    return load


def _post_durations_length(df: pd.DataFrame, _: dict) -> pd.DataFrame:
    for stat, _base in DURATION_STATS:
        pre = sdc.flag_col(stat) + "_base"
        if pre in df.columns:
            df[sdc.flag_col(stat)] = df[sdc.flag_col(stat)] | df[pre]
            df.loc[df[sdc.flag_col(stat)], stat] = np.nan
            df = df.drop(columns=pre)
    return df


def _load_durations_shares(dim: str):
    def load(wh: Warehouse) -> pd.DataFrame | None:
        df = _durations_dim(wh, dim)
        if df is None:
            return None
        df = df.copy()
        if "n_delavb" in df.columns and "n_gjenn_avb" in df.columns:
            df["n_interrupted"] = _int(df["n_delavb"]) + _int(df["n_gjenn_avb"])
        parts = []
        for measure, (num, base) in DURATION_SHARES:
            if num not in df.columns or base not in df.columns:
                continue
            d = df[["category"]].copy()
            d["_base"] = _int(df[base])
            if num.startswith("share_"):
                d["_num"] = (pd.to_numeric(df[num], errors="coerce").fillna(0) * d["_base"]).round()
            else:
                d["_num"] = _int(df[num])
            parts.append(_yes_no(d, ["category"], "_num", "_base").assign(measure=measure))
        if not parts:
            return None
        out = pd.concat(parts, ignore_index=True)
        return out[["measure", "category", "outcome", "n", "share"]]

    return load


# chaining ----------------------------------------------------------------------------------------


def _load_chaining(dim: str):
    def load(wh: Warehouse) -> pd.DataFrame | None:
        t = "marts.chaining_next"
        if not wh.has(t, "dimension", "category", "next_programme", "n_spells"):
            return None
        df = wh.table(t)
        df = df[df["dimension"].isin(["ALL", dim]) & (df["next_programme"] != "CENSORED")].copy()
        if not (df["dimension"] == dim).any():
            return None
        df["category"] = np.where(df["dimension"] == "ALL", "ALL", df["category"].astype(str))
        df["n_spells"] = _int(df["n_spells"])
        _add_group_shares(df, ["category"], count="n_spells")
        keep = ["category", "next_programme", "n_spells", "share"] + [
            c for c in ("median_months_to_next",) if c in df.columns
        ]
        return df[keep].reset_index(drop=True)

    return load


def _load_sequences(wh: Warehouse) -> pd.DataFrame | None:
    t = "marts.chaining_sequences"
    if not wh.has(t, "chain_type", "sequence", "n_persons"):
        return None
    df = wh.table(t)
    df = df[df["chain_type"] == "FROM_FIRST_AT"].sort_values("n_persons", ascending=False)
    total = int(df["n_persons"].sum())
    df = df.head(10)[["sequence", "n_persons"]].copy()
    df["n_persons"] = _int(df["n_persons"])
    df["share"] = df["n_persons"] / total if total else np.nan
    return df.reset_index(drop=True)


# effects -----------------------------------------------------------------------------------------


def _effect_counts(cols: list[str]) -> tuple[str, ...]:
    return tuple(c for c in ("n_treated", "n_control") if c in cols)


def _load_effects(wh: Warehouse) -> pd.DataFrame | None:
    need = ("estimator", "outcome", "subgroup", "event_time", *EFFECT_VALUES, "n_treated")
    wh.require("marts.effects", need)
    df = wh.table("marts.effects")
    keep = [
        c
        for c in (
            "estimator",
            "outcome",
            "subgroup",
            "event_time",
            *EFFECT_VALUES,
            "n_treated",
            "n_control",
            "is_headline",
        )
        if c in df.columns
    ]
    df = df[keep].copy()
    for c in _effect_counts(keep):
        df[c] = _int(df[c])
    df["event_time"] = df["event_time"].astype("int64")
    return df.sort_values(["estimator", "outcome", "subgroup", "event_time"]).reset_index(drop=True)


def _subgroup_dim(s: str) -> str:
    return s.partition("=")[0] if "=" in s else "ALL"


def _load_effects_summary(wh: Warehouse) -> pd.DataFrame | None:
    t = "marts.effects_summary"
    if not wh.has(t, "subgroup", "estimate"):
        return None
    df = wh.table(t)
    for c in _effect_counts(list(df.columns)):
        df[c] = _int(df[c])
    return df


def _effects_dimension_views(
    df: pd.DataFrame, key_cols: list[str], counts: tuple[str, ...], values: list[str]
) -> pd.DataFrame:
    """Suppress estimates with secondary suppression of n_treated within each subgroup dimension.

    Subgroups of one dimension (purpose=..., gender=...) partition the treated, so their counts
    add up to the ALL row. Each dimension is suppressed as its own table (ALL rows included); an
    ALL row hidden in any dimension is hidden everywhere, which can open a group elsewhere, so the
    loop repeats with that row forced (its count set to 1) until nothing changes.
    """
    df = df.copy()
    df["_dim"] = df["subgroup"].map(_subgroup_dim)
    df["_value"] = df["subgroup"].map(lambda s: s.partition("=")[2] if "=" in s else "ALL")
    dims = sorted(set(df["_dim"]) - {"ALL"})
    forced: set[int] = set()
    for _ in range(5):
        hidden_all: set[int] = set()
        results = {}
        all_rows = df[df["_dim"] == "ALL"]
        for d in dims or ["ALL"]:
            part = pd.concat([all_rows, df[df["_dim"] == d]]) if d != "ALL" else all_rows
            src = part.copy()
            src.loc[src.index.isin(forced), counts[0]] = np.minimum(
                src.loc[src.index.isin(forced), counts[0]], 1
            ).clip(lower=1)
            sup = sdc.suppress_estimates(
                src,
                list(counts),
                values,
                dims=[*key_cols, "_value"],
            )
            results[d] = sup
            flagged = sup.index[sup[sdc.flag_col(counts[0])] & (sup["_dim"] == "ALL")]
            hidden_all |= set(flagged)
        if hidden_all <= forced:
            break
        forced |= hidden_all
    pieces = []
    for d, sup in results.items():
        pieces.append(sup[sup["_dim"] == d] if d != "ALL" else sup)
    first = next(iter(results.values()))
    all_part = first[first["_dim"] == "ALL"].copy()
    if forced:  # restore values of non-count columns and hide forced ALL rows everywhere
        idx = all_part.index.isin(forced)
        all_part.loc[idx, counts[0]] = pd.NA
        all_part.loc[idx, sdc.flag_col(counts[0])] = True
        for v in values:
            all_part.loc[idx, v] = np.nan
            all_part.loc[idx, sdc.flag_col(v)] = True
    if dims:
        pieces = [all_part] + [p for p in pieces]
    out = pd.concat(pieces).sort_index()
    out = out[~out.index.duplicated(keep="first")]
    return out.drop(columns=["_dim", "_value"])


# meta --------------------------------------------------------------------------------------------


def _load_ingest(wh: Warehouse) -> pd.DataFrame | None:
    t = "meta.ingest_summary"
    if not wh.has(t, "table_name", "rows_accepted", "rows_rejected"):
        return None
    df = wh.table(t)
    rows = []
    for r in df.itertuples(index=False):
        acc, rej = int(r.rows_accepted), int(r.rows_rejected)
        for part, k in (("ACCEPTED", acc), ("REJECTED", rej), ("ALL", acc + rej)):
            rows.append({"table_name": r.table_name, "part": part, "n_rows": k})
    return pd.DataFrame(rows)


def _load_rejects(wh: Warehouse) -> pd.DataFrame | None:
    t = "meta.reject_summary"
    if not wh.has(t, "table_name", "rule", "n_rows"):
        return None
    df = wh.table(t)
    df = df.copy()
    if "column_name" not in df.columns:
        df["column_name"] = ""
    df["column_name"] = df["column_name"].fillna("").astype(str)
    keys = ["table_name", "rule", "column_name"]
    df = df.groupby(keys, as_index=False)["n_rows"].sum()
    df["n_rows"] = _int(df["n_rows"])
    return df


# --- Registry -----------------------------------------------------------------------------------


def _specs() -> list[Spec]:
    specs = [
        Spec(
            "participants_monthly",
            ("marts.participants_monthly",),
            _load_participants_monthly,
            dict(count_col="n_participants", dims=("year_month", "status_group")),
            description="Deltakere per måned etter status (Figur 2-2)",
        ),
        Spec(
            "participants_annual",
            ("marts.participants_annual",),
            _load_participants_annual,
            dict(count_col="n_avg_participants", dims=("year", "status_group")),
            description="Gjennomsnittlig antall deltakere per måned, per år og status",
        ),
        Spec(
            "purpose_distribution",
            ("marts.purpose_distribution",),
            _load_purpose_distribution,
            dict(count_col="n_spells", value_cols=("share",), dims=("year", "purpose")),
            post=_post_purpose_distribution,
            description="Arbeidstreningsforløp etter formål og startår (Figur 2-1)",
        ),
        Spec(
            "purpose_coverage",
            ("marts.purpose_coverage",),
            _load_purpose_coverage,
            dict(count_col="n_spells", value_cols=("share",), dims=("year", "agreement")),
            description="Forløp med og uten digital avtale, per startår",
        ),
        Spec(
            "participant_profile",
            ("marts.participant_profile",),
            _load_profile,
            dict(
                count_col="n",
                value_cols=("share",),
                dims=("year", "group", "dimension", "category"),
                implicit_total_groups=("year", "group", "dimension"),
            ),
            description="Deltakere og registrerte ikke-deltakere etter kjennetegn",
        ),
        Spec(
            "participant_profile_summary",
            ("marts.participant_profile_summary",),
            _load_profile_summary,
            dict(
                count_col="n",
                value_cols=(
                    "share_female",
                    "mean_age",
                    "share_under_30",
                    "share_nedsatt_arbeidsevne",
                    "share_any_benefit",
                    "mean_months_employed_12m_before",
                    "share_any_employment_12m_before",
                ),
                dims=("year", "group"),
                base_cols=("n_history_observed",),
            ),
            post=_post_profile_summary,
            description="Nøkkeltall for deltakere og ikke-deltakere",
        ),
    ]
    for dim in DURATION_DIMENSIONS:
        specs.append(
            Spec(
                f"durations_{dim}",
                ("marts.durations",),
                _load_durations_length(dim),
                dict(
                    count_col="n_spells",
                    value_cols=tuple(s for s, _ in DURATION_STATS),
                    dims=("category",),
                ),
                post=_post_durations_length,
                description=f"Planlagt og faktisk varighet etter {dim}",
            )
        )
        specs.append(
            Spec(
                f"durations_shares_{dim}",
                ("marts.durations",),
                _load_durations_shares(dim),
                dict(
                    count_col="n",
                    value_cols=("share",),
                    dims=("measure", "category", "outcome"),
                    implicit_total_groups=("measure", "category"),
                ),
                description=f"Forlengelser, avbrudd og lange forløp etter {dim}",
            )
        )
    specs += [
        Spec(
            "transitions",
            ("marts.transitions",),
            _load_transitions,
            dict(
                count_col="n",
                value_cols=("share",),
                dims=("purpose", "months_after_exit", "state"),
                implicit_total_groups=("purpose", "months_after_exit"),
                base_cols=("n_spells",),
            ),
            description="Status 1-24 måneder etter avsluttet arbeidstrening, etter formål",
        ),
        Spec(
            "transitions_by_status_group",
            ("marts.transitions_by_status_group",),
            _load_transitions_by_status,
            dict(
                count_col="n",
                value_cols=("share",),
                dims=("status_group", "months_after_exit", "state"),
                implicit_total_groups=("status_group", "months_after_exit"),
                base_cols=("n_spells",),
            ),
            description="Status 1-24 måneder etter avsluttet arbeidstrening, etter status",
        ),
        Spec(
            "intended_outcomes",
            ("marts.intended_outcomes",),
            _load_intended,
            dict(
                count_col="n",
                value_cols=("share",),
                dims=("purpose", "months_after_exit", "reached"),
                implicit_total_groups=("purpose", "months_after_exit"),
            ),
            description="Om formålets tilsiktede resultat ble nådd",
        ),
        Spec(
            "same_employer",
            ("marts.same_employer",),
            _load_same_employer,
            dict(
                count_col="n",
                value_cols=("share",),
                dims=("measure", "purpose", "months_after_exit", "outcome"),
                implicit_total_groups=("measure", "purpose", "months_after_exit"),
            ),
            description="Jobb og lønnstilskudd hos arbeidstreningsarbeidsgiveren",
        ),
    ]
    for dim in ("purpose", "exit_half_year"):
        specs.append(
            Spec(
                f"chaining_next_{dim}",
                ("marts.chaining_next",),
                _load_chaining(dim),
                dict(
                    count_col="n_spells",
                    value_cols=("share", "median_months_to_next"),
                    dims=("category", "next_programme"),
                    implicit_total_groups=("category",),
                ),
                description=f"Neste tiltak etter arbeidstrening, etter {dim}",
            )
        )
    specs += [
        Spec(
            "chaining_sequences",
            ("marts.chaining_sequences",),
            _load_sequences,
            dict(count_col="n_persons", value_cols=("share",), dims=("sequence",)),
            description="De vanligste tiltakskjedene fra første arbeidstrening",
        ),
        Spec(
            "ingest_summary",
            ("meta.ingest_summary",),
            _load_ingest,
            dict(count_col="n_rows", dims=("table_name", "part")),
            description="Rader lest, godtatt og avvist per inndatatabell",
        ),
        Spec(
            "reject_summary",
            ("meta.reject_summary",),
            _load_rejects,
            dict(
                count_col="n_rows",
                dims=("table_name", "rule", "column_name"),
                implicit_total_groups=("table_name",),
            ),
            description="Avviste rader etter regel",
        ),
    ]
    return specs


def _suppress(spec: Spec, raw: pd.DataFrame) -> pd.DataFrame:
    kw = {k: v for k, v in spec.kwargs.items()}
    return sdc.suppress_table(raw.reset_index(drop=True), **kw)


def _effects_tables(wh: Warehouse) -> dict[str, Published]:
    out: dict[str, Published] = {}
    specs = [
        ("effects", "marts.effects", _load_effects, ["estimator", "outcome", "event_time"]),
        ("effects_summary", "marts.effects_summary", _load_effects_summary, None),
    ]
    for name, source, loader, key_cols in specs:
        df = loader(wh)
        if df is None:
            continue
        counts = _effect_counts(list(df.columns))
        if not counts:
            continue
        values = [c for c in EFFECT_VALUES if c in df.columns]
        if key_cols is None:
            key_cols = [
                c for c in ("estimator", "outcome", "measure", "event_time") if c in df.columns
            ]
        df = df.drop_duplicates([*key_cols, "subgroup"]).reset_index(drop=True)
        sup = _effects_dimension_views(df, key_cols, counts, values)
        dims_all = (*key_cols, "subgroup")
        base = dict(count_col=counts[0], value_cols=tuple(values), base_cols=counts[1:])
        # the exported table: every row, checked without the additive relations
        out[name] = Published(name, sup, dict(base, dims=dims_all), "", (source,), export=True)
        # per subgroup dimension: the additive view (subgroup values + ALL)
        dims = sorted({_subgroup_dim(s) for s in sup["subgroup"]} - {"ALL"})
        for d in dims:
            view = sup[sup["subgroup"].map(_subgroup_dim).isin(["ALL", d])].copy()
            view["subgroup"] = view["subgroup"].map(
                lambda s: s.partition("=")[2] if "=" in s else "ALL"
            )
            out[f"{name}__{d}"] = Published(
                f"{name}__{d}",
                view.reset_index(drop=True),
                dict(base, dims=(*key_cols, "subgroup")),
                "",
                (source,),
                export=False,
            )
    headline_n = _headline_n(out.get("effects"))
    for extra, fn in (
        ("effects_diagnostics", _diagnostics_table),
        ("effects_balance", _balance_table),
        ("effects_support", _support_table),
    ):
        if f"marts.{extra}" in wh.columns:
            pub = fn(wh, out.get("effects"), headline_n)
            if pub is not None:
                out[extra] = pub
    return out


def _headline_n(eff: Published | None) -> float:
    """Treated persons behind the headline (CS, employed, ALL) at the start month; 0 if hidden."""
    if eff is None:
        return 0
    f = eff.frame
    m = (
        (f["estimator"] == "callaway_santanna")
        & (f["outcome"] == "employed")
        & (f["subgroup"] == "ALL")
        & (f["event_time"] == 0)
    )
    if not m.any() or bool(f.loc[m, sdc.flag_col("n_treated")].iloc[0]):
        return 0
    return float(f.loc[m, "n_treated"].iloc[0])


def _diagnostics_table(wh: Warehouse, eff: Published | None, headline_n: float) -> Published:
    """Pre-trend tests etc.: a row is withheld when its subgroup's estimates are withheld (fewer
    than 5 treated at the start month, or suppressed). No counts are published here."""
    df = wh.table("marts.effects_diagnostics")
    stats = [c for c in ("statistic", "p_value") if c in df.columns]
    hidden = pd.Series(headline_n < sdc.MIN_COUNT, index=df.index)
    if eff is not None and {"estimator", "subgroup"} <= set(df.columns):
        f = eff.frame[eff.frame["event_time"] == 0]
        bad = f[f[sdc.flag_col("n_treated")] | (f["n_treated"].fillna(0) < sdc.MIN_COUNT)]
        keys = set(zip(bad["estimator"], bad["outcome"], bad["subgroup"], strict=True))
        outc = df["outcome"] if "outcome" in df.columns else pd.Series(None, index=df.index)
        own = pd.Series(
            [
                (e, o, g) in keys
                for e, o, g in zip(df["estimator"], outc, df["subgroup"], strict=True)
            ],
            index=df.index,
        )
        hidden = hidden | own
    df = df.copy()
    for c in stats:
        df[c] = df[c].astype("float64").mask(hidden)
        df[sdc.flag_col(c)] = hidden
    return Published("effects_diagnostics", df, {}, "", ("marts.effects_diagnostics",))


def _balance_table(wh: Warehouse, eff: Published | None, headline_n: float) -> Published:
    """Covariate means of all starters vs controls: withheld entirely if the headline is."""
    df = wh.table("marts.effects_balance").copy()
    hide = headline_n < sdc.MIN_COUNT
    for c in list(df.columns):
        if pd.api.types.is_float_dtype(df[c]):
            if hide:
                df[c] = np.nan
            df[sdc.flag_col(c)] = hide
    return Published("effects_balance", df, {}, "", ("marts.effects_balance",))


def _support_table(wh: Warehouse, eff: Published | None, headline_n: float) -> Published | None:
    df = wh.table("marts.effects_support")
    if not {"population", "bin", "n"} <= set(df.columns):
        return None
    df = df.copy()
    df["n"] = _int(df["n"])
    # one distribution per population (and per propensity-score specification, where several)
    groups = [c for c in ("specification", "population") if c in df.columns]
    _add_group_shares(df, groups)
    kwargs = dict(
        count_col="n",
        value_cols=("share",),
        dims=(*groups, "bin"),
        implicit_total_groups=tuple(groups),
    )
    return Published(
        "effects_support", sdc.suppress_table(df, **kwargs), kwargs, "", ("marts.effects_support",)
    )


# costs -------------------------------------------------------------------------------------------

COST_VALUES = ("estimate", "std_error", "ci_low", "ci_high")
COST_COMPONENT_VALUES = ("months_per_participant", "nok_per_participant", "nok_pv_per_participant")


def _load_costs_per_participant(wh: Warehouse) -> pd.DataFrame | None:
    t = "marts.costs_per_participant"
    if not wh.has(t, "subgroup", "component", "n_participants", "nok_per_participant"):
        return None
    df = wh.table(t)
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
    df = df[keep].copy()
    df["n_participants"] = _int(df["n_participants"])
    return df.reset_index(drop=True)


def _load_cost_effectiveness(wh: Warehouse) -> pd.DataFrame | None:
    t = "marts.cost_effectiveness"
    need = ("perspective", "subgroup", "measure", "estimate", "n_treated", "n_cost_base")
    if not wh.has(t, *need):
        return None
    df = wh.table(t)
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
    df = df[keep].copy()
    for c in ("n_cost_base", "n_treated"):
        df[c] = _int(df[c])
    return df.sort_values(["subgroup", "measure_order"]).reset_index(drop=True)


def _load_cost_sensitivity(wh: Warehouse, ce: pd.DataFrame | None) -> pd.DataFrame | None:
    """The sensitivity cases carry no counts of their own: each row gets the subgroup's persons
    (cost base and treated) from marts.cost_effectiveness, so it is protected like the main
    results of its subgroup."""
    t = "marts.cost_sensitivity"
    if ce is None or not wh.has(t, "scenario", "perspective", "subgroup", "measure", "estimate"):
        return None
    df = wh.table(t)
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
    counts = ce.groupby("subgroup", as_index=False)[["n_cost_base", "n_treated"]].max()
    df = df[keep].merge(counts, on="subgroup", how="left")
    for c in ("n_cost_base", "n_treated"):
        df[c] = _int(df[c])  # a subgroup unknown to cost_effectiveness: 0 persons, withheld below
    hide = (df["n_cost_base"] < sdc.MIN_COUNT) | (df["n_treated"] < sdc.MIN_COUNT)
    for c in ("estimate", "ci_low", "ci_high", "base_estimate", "difference"):
        if c in df.columns:
            df[c] = pd.to_numeric(df[c], errors="coerce").mask(hide)
    return df.reset_index(drop=True)


def _load_cost_parameters(wh: Warehouse) -> pd.DataFrame | None:
    """Parameters from the file (no person data) and the derived values for the whole cost base
    (ALL); per-subgroup derived values and person-month counts are not published."""
    t = "marts.cost_parameters"
    if not wh.has(t, "parameter", "value"):
        return None
    df = wh.table(t)
    sub = df["subgroup"] if "subgroup" in df.columns else pd.Series(None, index=df.index)
    keep = (sub.isna() | sub.eq("ALL")) & ~df["parameter"].astype(str).eq("derived.person_months")
    df = df[keep].copy()
    if "subgroup" in df.columns:  # "ALL" outside the dims would read as an undeclared total
        df["subgroup"] = df["subgroup"].where(df["subgroup"].isna(), "cost base")
    return df.reset_index(drop=True)


def _subgroup_published(
    name: str,
    source: tuple[str, ...],
    df: pd.DataFrame,
    key_cols: list[str],
    counts: tuple[str, ...],
    values: list[str],
    description: str,
) -> dict[str, Published]:
    """As for the effects: the exported table plus one additive view per subgroup dimension."""
    out: dict[str, Published] = {}
    df = df.drop_duplicates([*key_cols, "subgroup"]).reset_index(drop=True)
    sup = _effects_dimension_views(df, key_cols, counts, values)
    base = dict(count_col=counts[0], value_cols=tuple(values), base_cols=counts[1:])
    out[name] = Published(
        name, sup, dict(base, dims=(*key_cols, "subgroup")), description, source, export=True
    )
    for d in sorted({_subgroup_dim(s) for s in sup["subgroup"]} - {"ALL"}):
        view = sup[sup["subgroup"].map(_subgroup_dim).isin(["ALL", d])].copy()
        view["subgroup"] = view["subgroup"].map(
            lambda s: s.partition("=")[2] if "=" in s else "ALL"
        )
        out[f"{name}__{d}"] = Published(
            f"{name}__{d}",
            view.reset_index(drop=True),
            dict(base, dims=(*key_cols, "subgroup")),
            "",
            source,
            export=False,
        )
    return out


def _link_cost_base(out: dict[str, Published]) -> None:
    """The cost base per subgroup is published in three tables (n_participants, n_cost_base): a
    subgroup hidden in one is hidden in all, with its statistics. (The suppression patterns
    agree in practice, since the counts are the same; this is the safety net, and the re-check
    of every table catches any single suppression it might open.)"""
    base_col = {
        "costs_per_participant": "n_participants",
        "cost_effectiveness": "n_cost_base",
        "cost_sensitivity": "n_cost_base",
    }
    hidden: set[str] = set()
    for name, col in base_col.items():
        if name in out:
            f = out[name].frame
            hidden |= set(f.loc[f[sdc.flag_col(col)].astype(bool), "subgroup"])
    for name, p in out.items():
        root, _, dim = name.partition("__")
        if root not in base_col or not hidden:
            continue
        f = p.frame
        full = (
            f["subgroup"]
            if not dim
            else f["subgroup"].map(lambda v, d=dim: v if v == "ALL" else f"{d}={v}")
        )
        m = full.isin(hidden).to_numpy()
        if not m.any():
            continue
        f.loc[m, base_col[root]] = pd.NA
        f.loc[m, sdc.flag_col(base_col[root])] = True
        for c in p.kwargs.get("value_cols", ()):
            f.loc[m, c] = np.nan
            f.loc[m, sdc.flag_col(c)] = True


def _cost_tables(wh: Warehouse) -> dict[str, Published]:
    """Cost-effectiveness tables (optional): each subgroup's statistics (amounts per participant,
    NPVs, ratios) are withheld when the subgroup has fewer than 5 persons in the cost base or
    among the treated; n_participants / n_cost_base get secondary suppression within each
    subgroup dimension (purpose=..., status_group=... add up to ALL)."""
    out: dict[str, Published] = {}
    cp = _load_costs_per_participant(wh)
    if cp is not None:
        values = [c for c in COST_COMPONENT_VALUES if c in cp.columns]
        out.update(
            _subgroup_published(
                "costs_per_participant",
                ("marts.costs_per_participant",),
                cp,
                ["component"],
                ("n_participants",),
                values,
                "Kostnader per deltaker etter komponent",
            )
        )
    ce = _load_cost_effectiveness(wh)
    if ce is not None:
        values = [c for c in COST_VALUES if c in ce.columns]
        out.update(
            _subgroup_published(
                "cost_effectiveness",
                ("marts.cost_effectiveness",),
                ce,
                ["perspective", "measure"],
                ("n_cost_base", "n_treated"),
                values,
                "Kostnadseffektivitet: nåverdier, forholdstall og break-even per deltaker",
            )
        )
    cs = _load_cost_sensitivity(wh, ce)
    if cs is not None:
        values = [
            c
            for c in ("estimate", "ci_low", "ci_high", "base_estimate", "difference")
            if c in cs.columns
        ]
        out.update(
            _subgroup_published(
                "cost_sensitivity",
                ("marts.cost_sensitivity",),
                cs,
                ["scenario", "perspective", "measure"],
                ("n_cost_base", "n_treated"),
                values,
                "Følsomhetsanalyse for kostnadseffektiviteten",
            )
        )
    _link_cost_base(out)
    par = _load_cost_parameters(wh)
    if par is not None:
        out["cost_parameters"] = Published(
            "cost_parameters",
            par,
            {},
            "Parametre i kostnadsberegningen",
            ("marts.cost_parameters",),
        )
    return out


def _n_suppressed(frame: pd.DataFrame, kwargs: dict) -> int:
    c = kwargs.get("count_col")
    if not c or sdc.flag_col(c) not in frame.columns:
        return 0
    return int(frame[sdc.flag_col(c)].sum())


def published_tables(warehouse: Path | str | Warehouse) -> dict[str, Published]:
    """All published tables with metadata (the report's input). Raises ReportDataError when a core
    table is missing."""
    own = not isinstance(warehouse, Warehouse)
    wh = Warehouse(warehouse) if own else warehouse
    try:
        for t in CORE_TABLES:
            wh.require(t, ())
        out: dict[str, Published] = {}
        done: dict[str, pd.DataFrame] = {}
        for spec in _specs():
            raw = spec.load(wh)
            if raw is None:
                continue
            sup = _suppress(spec, raw)
            if spec.post is not None:
                sup = spec.post(sup, done)
            done[spec.name] = sup
            kwargs = {k: v for k, v in spec.kwargs.items()}
            out[spec.name] = Published(
                spec.name, sup, kwargs, spec.description, spec.sources, spec.export
            )
        out.update(_effects_tables(wh))
        out.update(_cost_tables(wh))
        for p in out.values():
            p.n_suppressed = _n_suppressed(p.frame, p.kwargs)
        return out
    finally:
        if own:
            wh.close()


def publishable_tables(warehouse: Path | str) -> dict[str, tuple[pd.DataFrame, dict]]:
    """``name -> (suppressed frame, kwargs for check_disclosure)`` for every published table.

    Names without ``__`` are exported as CSV by the report; ``effects__purpose`` etc. are views of
    the exported effects tables per subgroup dimension (where subgroups add up to ``ALL``), there so
    that the additive relations are checked too.
    """
    return {name: (p.frame, p.kwargs) for name, p in published_tables(warehouse).items()}


def check_tables(tables: dict[str, tuple[pd.DataFrame, dict]]) -> dict[str, list[str]]:
    """Re-check frames with :func:`analysis.disclosure.check_disclosure`; only tables with problems."""
    out: dict[str, list[str]] = {}
    for name, (frame, kwargs) in tables.items():
        problems = _scan_counts(frame) if not kwargs else sdc.check_disclosure(frame, **kwargs)
        if problems:
            out[name] = problems
    return out


def _scan_counts(frame: pd.DataFrame) -> list[str]:
    """For tables without declared counts: no column that looks like a count holds 1-4."""
    problems = []
    for c in frame.columns:
        if (c == "n" or c.startswith("n_")) and pd.api.types.is_numeric_dtype(frame[c]):
            v = pd.to_numeric(frame[c], errors="coerce")
            if ((v > 0) & (v < sdc.MIN_COUNT)).any():
                problems.append(f"{c} has values below {sdc.MIN_COUNT}")
    return problems


def disclosure_violations(warehouse: Path | str) -> dict[str, list[str]]:
    """Every publishable table re-checked with check_disclosure: ``name -> problems`` (empty = safe).

    The blocking check on the report: nothing may leave the secure environment while this is
    non-empty.
    """
    return check_tables(publishable_tables(warehouse))


__all__ = [
    "CORE_TABLES",
    "Published",
    "ReportDataError",
    "Warehouse",
    "check_tables",
    "disclosure_violations",
    "published_tables",
    "publishable_tables",
]
