"""Dense person x month arrays for the effect estimators, loaded from the panel.

The panel is balanced (one row per person and month of the window, a blocking check upstream), so
every quantity the estimators need is an N x T array (persons in `person_id` order x window
months) or a per-person vector. Rows are placed by an explicit position computed in SQL
(person index * T + month offset), so nothing depends on the physical row order of
`panel.person_month`.

Codes used throughout `analysis.effects`:
  * month offsets t = month_index - first window month_index (0 .. T-1);
  * `first_start`: month offset of the person's first took-place AT start (panel.at_spells
    spell_seq = 1); negative if before the window; `NEVER` (10**6) if never treated;
  * `status`: NAV status in the month, 0 = not registered, 1 = ARBEIDSSOKER,
    2 = NEDSATT_ARBEIDSEVNE; `group`: status group of the first spell, same codes and 3 = ANNET
    (0 for the never treated).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np

from analysis.design import NEVER, OUTCOMES, STATUS_GROUPS

STATUS_CODES = {name: code for code, name in enumerate(STATUS_GROUPS, 1)}
STATUS_NAMES = {v: k for k, v in STATUS_CODES.items()}
OUTCOME_SQL = {
    "employed": "CAST(employed AS DOUBLE)",
    "earnings_nok": "CAST(earnings_nok AS DOUBLE)",
    "not_any_benefit": "CAST(NOT any_benefit AS DOUBLE)",
}
OUTCOME_LABELS = {
    "employed": "employed in the month (panel.person_month.employed, 0/1)",
    "earnings_nok": "earnings in the month, NOK (panel.person_month.earnings_nok)",
    "not_any_benefit": "receiving no benefit in the month (NOT panel.person_month.any_benefit, 0/1)",
}


@dataclass
class EffectsData:
    """Everything the estimators read, as dense arrays (see module docstring for codes)."""

    months: np.ndarray  # (T,) YYYYMM of the window months
    month_index0: int  # month_index of the first window month
    person_ids: np.ndarray  # (N,) object
    first_start: np.ndarray  # (N,) int64
    group: np.ndarray  # (N,) int8
    status: np.ndarray  # (N, T) int8
    outcomes: dict[str, np.ndarray]  # name -> (N, T) float64
    purpose: np.ndarray  # (N,) object, first spell's purpose ('' if never treated)
    age_at_start: np.ndarray  # (N,) float (nan if never treated)
    immigrant: np.ndarray  # (N,) object, SSB invkat
    gender: np.ndarray  # (N,) int
    extra: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.first_start.size)

    @property
    def T(self) -> int:
        return int(self.months.size)

    def joint_state(self, rows: np.ndarray, cols, names: tuple[str, ...]) -> np.ndarray:
        """One int64 code per (row, col) pair for the joint state on the arrays `names` of
        `extra["months"]` (small non-negative integer codes, < 256); `cols` an index or array."""
        key = np.zeros(np.broadcast(rows, cols).shape, dtype=np.int64)
        for name in names:
            key = key * 256 + self.extra["months"][name][rows, cols].astype(np.int64)
        return key

    def array(self, name: str) -> np.ndarray:
        """The (N, T) array `name`: an outcome, else a month array of `extra["months"]`."""
        if name in self.outcomes:
            return self.outcomes[name]
        return self.extra["months"][name]


# Person-month arrays the headline design reads besides the outcomes (`extra["months"]`,
# small integer dtypes): age, innsatsgruppe code, and each benefit's receipt (0/1).
INNSATS_CODES = {
    "STANDARD_INNSATS": 1,
    "SITUASJONSBESTEMT_INNSATS": 2,
    "SPESIELT_TILPASSET_INNSATS": 3,
    "VARIG_TILPASSET_INNSATS": 4,
}
MONTH_ARRAYS_SQL = {
    "age": ("CAST(coalesce(age, 0) AS SMALLINT)", np.int16),
    "innsatsgruppe": (
        "CAST(CASE innsatsgruppe "
        + " ".join(f"WHEN '{k}' THEN {v}" for k, v in INNSATS_CODES.items())
        + " ELSE 0 END AS TINYINT)",
        np.int8,
    ),
    **{
        b: (f"CAST(coalesce({b}, false) AS TINYINT)", np.int8)
        for b in ("aap", "dagpenger", "tiltakspenger", "uforetrygd", "sosialhjelp", "kvp")
    },
    "any_benefit": ("CAST(coalesce(any_benefit, false) AS TINYINT)", np.int8),
    # in another labour-market programme or a wage subsidy (design.HEADLINE_EXACT_STRATA)
    "in_programme": (
        "CAST(coalesce(in_other_programme OR in_wage_subsidy, false) AS TINYINT)",
        np.int8,
    ),
}


def load_effects_data(
    con: duckdb.DuckDBPyConnection, outcomes: tuple[str, ...] = OUTCOMES, extended: bool = True
) -> EffectsData:
    """Read panel.months, panel.at_spells and panel.person_month into `EffectsData`.

    With `extended` also the arrays of `MONTH_ARRAYS_SQL` (into `extra["months"]`) and the
    per-person low-education flag (NUS level 0-2, `extra["low_education"]`) that the headline's
    covariates need."""
    mrows = con.execute(
        "SELECT year_month, month_index FROM panel.months ORDER BY month_index"
    ).fetchall()
    months = np.array([r[0] for r in mrows], dtype=np.int64)
    m0 = int(mrows[0][1])
    T = months.size
    if [r[1] for r in mrows] != list(range(m0, m0 + T)):
        raise ValueError("panel.months is not a contiguous run of months")
    con.execute("DROP TABLE IF EXISTS _eff_persons")
    con.execute(
        """
        CREATE TEMP TABLE _eff_persons AS
        WITH p AS (
            SELECT person_id, any_value(gender) AS gender,
                   any_value(immigrant_category) AS immigrant_category
            FROM panel.person_month GROUP BY person_id
        ), f AS (
            SELECT person_id, start_ym, status_group, purpose, age_at_start
            FROM panel.at_spells WHERE spell_seq = 1
        )
        SELECT row_number() OVER (ORDER BY p.person_id) - 1 AS pidx, p.person_id,
               p.gender, p.immigrant_category,
               CASE WHEN f.start_ym IS NULL THEN NULL
                    ELSE (f.start_ym // 100) * 12 + (f.start_ym % 100) - 1 END AS start_mi,
               f.status_group, f.purpose, f.age_at_start
        FROM p LEFT JOIN f USING (person_id)
        """
    )
    per = con.execute(
        "SELECT person_id, gender, immigrant_category, start_mi, status_group, purpose, "
        "age_at_start FROM _eff_persons ORDER BY pidx"
    ).fetchnumpy()
    n = len(per["person_id"])
    start_mi = _filled(per["start_mi"], NEVER + m0).astype(np.int64)
    first_start = np.where(start_mi >= NEVER + m0, NEVER, start_mi - m0)
    sg = np.asarray(_filled(per["status_group"], ""), dtype=object)
    group = np.zeros(n, dtype=np.int8)
    for name, code in STATUS_CODES.items():
        group[sg == name] = code
    cols = ", ".join(f"{OUTCOME_SQL[o]} AS {o}" for o in outcomes)
    res = con.execute(
        f"""
        SELECT p.pidx * {T} + (pm.month_index - {m0}) AS pos,
               CAST(CASE pm.nav_status WHEN 'ARBEIDSSOKER' THEN 1
                    WHEN 'NEDSATT_ARBEIDSEVNE' THEN 2 ELSE 0 END AS TINYINT) AS st,
               {cols}
        FROM panel.person_month pm JOIN _eff_persons p USING (person_id)
        """
    ).fetchnumpy()
    pos = np.asarray(res.pop("pos"), dtype=np.int64)
    if pos.size != n * T:
        raise ValueError(f"panel.person_month has {pos.size} rows, expected {n} x {T}")
    status = np.empty(n * T, dtype=np.int8)
    status[pos] = np.asarray(res.pop("st"))
    outs = {}
    for o in outcomes:
        arr = np.empty(n * T, dtype=np.float64)
        arr[pos] = np.asarray(res.pop(o), dtype=np.float64)
        outs[o] = arr.reshape(n, T)
    del res
    extra: dict = {}
    if extended:
        sel = ", ".join(f"{sql} AS {name}" for name, (sql, _) in MONTH_ARRAYS_SQL.items())
        res = con.execute(
            f"SELECT {sel} FROM panel.person_month pm JOIN _eff_persons p USING (person_id) "
            f"ORDER BY p.pidx * {T} + (pm.month_index - {m0})"
        ).fetchnumpy()
        extra["months"] = {
            name: np.asarray(res.pop(name), dtype=dt).reshape(n, T)
            for name, (_, dt) in MONTH_ARRAYS_SQL.items()
        }
        low = con.execute(
            "SELECT bool_or(CAST(nus_level AS VARCHAR) IN ('0', '1', '2')) "
            "FROM panel.person_month pm JOIN _eff_persons p USING (person_id) "
            "GROUP BY p.pidx ORDER BY p.pidx"
        ).fetchnumpy()
        extra["low_education"] = np.asarray(_filled(next(iter(low.values())), False), dtype=bool)
    del pos
    age = per["age_at_start"]
    return EffectsData(
        months=months,
        month_index0=m0,
        person_ids=np.asarray(per["person_id"], dtype=object),
        first_start=first_start.astype(np.int64),
        group=group,
        status=status.reshape(n, T),
        outcomes=outs,
        purpose=np.asarray(_filled(per["purpose"], ""), dtype=object),
        age_at_start=np.asarray(_filled(age, np.nan), dtype=float),
        immigrant=np.asarray(_filled(per["immigrant_category"], ""), dtype=object),
        gender=np.asarray(_filled(per["gender"], 0), dtype=np.int64),
        extra=extra,
    )


def _filled(arr, fill):
    if isinstance(arr, np.ma.MaskedArray):
        if isinstance(fill, float) and np.isnan(fill):
            arr = arr.astype(float)
        return arr.filled(fill)
    return np.asarray(arr)


def analysis_treated(data: EffectsData, min_pre: int = 12) -> np.ndarray:
    """Treated persons of the causal estimators: first AT start in the analysis window
    (month offset >= `min_pre`, i.e. at least `min_pre` pre-months inside the observation window,
    up to the last window month) and status group ARBEIDSSOKER or NEDSATT_ARBEIDSEVNE."""
    fs = data.first_start
    return (fs >= min_pre) & (fs < data.T) & np.isin(data.group, (1, 2))


def subgroup_masks(data: EffectsData, treated: np.ndarray) -> dict[str, np.ndarray]:
    """Subgroups of treated persons: 'ALL' and 'dimension=value' (purpose, status group, age at
    start under 30 / 30 plus, immigrant category B / other, gender, and start_year = the calendar
    year of the first start, i.e. the cohort aggregation by year). Masks are over all persons
    and are False for non-treated persons."""
    out = {"ALL": treated.copy()}
    for p in sorted(set(data.purpose[treated].tolist())):
        out[f"purpose={p}"] = treated & (data.purpose == p)
    for code in (1, 2):
        out[f"status_group={STATUS_NAMES[code]}"] = treated & (data.group == code)
    out["age=under_30"] = treated & (data.age_at_start < 30)
    out["age=30_plus"] = treated & (data.age_at_start >= 30)
    out["immigrant=B"] = treated & (data.immigrant == "B")
    out["immigrant=other"] = treated & (data.immigrant != "B")
    out["gender=female"] = treated & (data.gender == 2)
    out["gender=male"] = treated & (data.gender == 1)
    # cohorts grouped by calendar year of the first start: the cohort aggregation, by year
    start_year = data.months[np.clip(data.first_start, 0, data.T - 1)] // 100
    for year in sorted(set(start_year[treated].tolist())):
        out[f"start_year={year}"] = treated & (start_year == year)
    return {k: v for k, v in out.items() if v.any()}
