"""The true effects of the synthetic register, and a helper to read them for any sample.

Files written beside the register (recipe in docs/SYNTHETIC.md):

* ``truth.json`` - preset, feature switches and their parameters, the planted effect
  parameters, and ATT profiles by months since first start (overall and by purpose, status
  group; summaries by age at start, start year, gender and immigrant background) and by months
  since exit (completed first spells), for every outcome in `TRUTH_OUTCOMES`.
* ``truth_cells.parquet`` - one row per first-start cohort (``cohort_ym``) x subgroup cell
  (``purpose``, ``status_group``, ``age_group``, ``gender``, ``immigrant``) x ``event_time``
  (months since start) x ``outcome``, with ``n_treated``, ``sum_y1`` and ``sum_y0``: the truth of
  any set of cohorts and cells at event time e is sum(sum_y1 - sum_y0) / sum(n_treated).
* ``truth_persons.parquet`` - one row per treated person (first took-place spell starting in the
  window): cohort, exit month of the first spell (NULL if ongoing) and the subgroup values.
* ``truth_diffs.parquet`` - the person-months where the two potential outcomes differ:
  ``person_id``, ``year_month``, ``outcome``, ``y1``, ``y0`` (all other months: y1 = y0).

`truth_for` computes the truth for a set of cohorts (from the cells) or of persons (from the
persons and the differences), by months since start or since exit.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import design
from analysis.contract import IMMIGRANT_CATEGORIES, PURPOSES
from analysis.synthetic import params as P
from analysis.synthetic.arbeidstrening import GROUPS, P_UKJENT, PIPELINE_PURPOSES
from analysis.synthetic.calendar import N_OBS_MONTHS, yyyymm

TRUTH_FILE = "truth.json"
TRUTH_CELLS_FILE = "truth_cells.parquet"
TRUTH_PERSONS_FILE = "truth_persons.parquet"
TRUTH_DIFFS_FILE = "truth_diffs.parquet"

EVENT_TIMES = design.EVENT_TIMES
NE = EVENT_TIMES.size
T = N_OBS_MONTHS
INTENDED = "intended_outcome"
TRUTH_OUTCOMES = (
    "employed",
    "earnings_nok",
    *design.BENEFIT_OUTCOMES,
    design.ANY_BENEFIT_OUTCOME,
    "not_any_benefit",
    "registered",
    "in_other_programme",
    "in_wage_subsidy",
    "apprenticeship_or_education",
    "employed_or_wage_subsidy_same_employer",
    "programme_aap_or_employed",
    "employed_education_or_programme",
    INTENDED,
)
AGE_GROUPS = design.AGE_GROUPS
GENDERS = ("male", "female")
IMMIGRANT_GROUPS = ("other", "B")
SUBGROUP_COLUMNS = ("purpose", "status_group", "age_group", "gender", "immigrant")
N_COMBO = len(PIPELINE_PURPOSES) * len(GROUPS) * 2 * 2 * 2

_DICT8 = pa.dictionary(pa.int8(), pa.string())
CELLS_SCHEMA = pa.schema(
    [
        ("cohort_ym", pa.int32()),
        ("event_time", pa.int32()),
        ("purpose", _DICT8),
        ("status_group", _DICT8),
        ("age_group", _DICT8),
        ("gender", _DICT8),
        ("immigrant", _DICT8),
        ("outcome", _DICT8),
        ("n_treated", pa.int64()),
        ("sum_y1", pa.int64()),
        ("sum_y0", pa.int64()),
    ]
)
DIFFS_SCHEMA = pa.schema(
    [
        ("person_id", pa.dictionary(pa.int32(), pa.string())),
        ("year_month", pa.int32()),
        ("outcome", _DICT8),
        ("y1", pa.int64()),
        ("y0", pa.int64()),
    ]
)

DEFINITION = (
    "Average treatment effect on the treated (ATT) of a person's first took-place arbeidstrening "
    "spell (ARBTREN, participant_status GJENN, FULLF, DELAVB or GJENN_AVB), for persons whose "
    "first such spell starts 2016-01..2024-12. Both potential outcomes of the persons actually "
    "treated are simulated with common random numbers (the same latent employment shock and the "
    "same uniform draws): Y1 is the register as written (from the first start on), Y0 the path "
    "the person would have had without any arbeidstrening. att(e) = mean over treated persons "
    "with start month + e inside the observation window (2016-01..2024-12) of Y1 - Y0 in that "
    "month; persons who have left the registers (death, emigration, age 67) count with all "
    "outcomes 0 on both paths, as in the pipeline's balanced panel. By months since exit: the "
    "same for persons whose first spell has ended (exit month inside the window), k = months "
    "since the exit month. Event times before the start have effect exactly 0 (no anticipation). "
    "Outcomes are monthly: employed (total earnings >= the employment threshold; equal to the "
    "latent employment indicator by construction), earnings_nok (total monthly earnings incl. "
    "small jobs), receipt of each benefit (a spell overlapping the month) and of any benefit, "
    "registered (a NAV status spell overlaps the month), in another programme (not ARBTREN, "
    "wage subsidies or grants) or a wage subsidy, in education (incl. apprenticeship), and the "
    "purposes' intended outcomes as defined in marts.intended_outcomes (same employer = the "
    "first spell's employer_org); intended_outcome = the intended outcome of each person's own "
    "purpose (analysis.design.INTENDED_OUTCOME_BY_PURPOSE). Subgroups as the pipeline sees "
    "them: purpose = rank-1 purpose of the first spell's first non-ANNULLERT agreement (none -> "
    "UKJENT); status group = NAV status on the start date (none -> ANNET); age group by age at "
    "start in whole years (< 30); gender; immigrant = SSB category B vs other; start year = "
    "year of the cohort. lock_in_0_5 = mean att over e = 0..5; mean_12_23 = mean over e = "
    "12..23; at_12/24/36 = att at those e; post_mean_0_36 = mean over e = 0..36."
)


# --- computing the truth from the simulation -------------------------------------------------


def outcome_matrices(world, tr_out, kvp_months, edu1, edu0, rows, purpose_pipe):
    """Yield (name, Y1, Y0) for every truth outcome: (persons x window months) arrays for the
    treated ordinals `rows` (Y0 equals Y1 before each person's first start). Computed one
    outcome at a time to bound memory."""
    from analysis.synthetic.world import BEN_AAP, BEN_DP, BEN_SH, BEN_TP, BEN_UF

    tr = world.treated
    persons = tr.person[rows]
    s1 = tr.s1[rows]
    before = np.arange(T)[None, :] < s1[:, None]
    w0 = -P.SIM_FIRST_M  # row of window month 0 in the simulation matrices

    def both(obs, unt, by_person=True):
        y1 = np.ascontiguousarray(obs[:, persons if by_person else rows].T)
        y0 = np.ascontiguousarray(unt[:, rows].T)
        np.copyto(y0, y1, where=before)
        return y1, y0

    emp = both(world.employed, world.untreated["employed"])
    yield "employed", *emp
    yield "earnings_nok", *both(tr_out.earnings1, tr_out.earnings0, by_person=False)
    bn1, bn0 = both(world.benefits[w0:], world.untreated["benefits"])
    bits = {
        "aap": BEN_AAP,
        "dagpenger": BEN_DP,
        "tiltakspenger": BEN_TP,
        "uforetrygd": BEN_UF,
        "sosialhjelp": BEN_SH,
    }
    for name, bit in bits.items():
        yield name, (bn1 & bit) > 0, (bn0 & bit) > 0
    kvp = kvp_months[rows]
    yield "kvp", kvp, kvp
    mask = BEN_AAP | BEN_DP | BEN_TP | BEN_UF | BEN_SH
    any1 = ((bn1 & mask) > 0) | kvp
    any0 = ((bn0 & mask) > 0) | kvp
    yield "any_benefit", any1, any0
    yield "not_any_benefit", ~any1, ~any0
    del any1, any0, kvp
    st1, st0 = both(world.status[w0:], world.untreated["status"])
    yield "registered", st1 > 0, st0 > 0
    del st1, st0
    pg1, pg0 = both(world.programme[w0:], world.untreated["programme"])
    pg1, pg0 = pg1 > 0, pg0 > 0
    yield "in_other_programme", pg1, pg0
    ws = both(tr_out.subsidy1, tr_out.subsidy0, by_person=False)
    yield "in_wage_subsidy", *ws
    edu = (edu1[rows], edu0[rows])
    yield "apprenticeship_or_education", *edu
    same = both(tr_out.same1, tr_out.same0, by_person=False)
    yield "employed_or_wage_subsidy_same_employer", *same
    aap = ((bn1 & BEN_AAP) > 0, (bn0 & BEN_AAP) > 0)
    del bn1, bn0
    comb = {
        "employed": emp,
        "employed_or_wage_subsidy_same_employer": same,
        "apprenticeship_or_education": edu,
        "programme_aap_or_employed": tuple(ws[d] | (pg1, pg0)[d] | aap[d] | emp[d] for d in (0, 1)),
        "employed_education_or_programme": tuple(
            emp[d] | edu[d] | ws[d] | (pg1, pg0)[d] for d in (0, 1)
        ),
    }
    yield "programme_aap_or_employed", *comb["programme_aap_or_employed"]
    yield "employed_education_or_programme", *comb["employed_education_or_programme"]
    intended = np.array([design.INTENDED_OUTCOME_BY_PURPOSE[p] for p in PIPELINE_PURPOSES])
    which = intended[purpose_pipe]
    i1 = np.zeros_like(emp[0])
    i0 = np.zeros_like(emp[1])
    for name in set(intended.tolist()):
        sel = which == name
        i1[sel] = comb[name][0][sel]
        i0[sel] = comb[name][1][sel]
    yield INTENDED, i1, i0


class TruthBuilder:
    """Accumulates the truth of the treated persons (first start inside the window); the
    per-person differences go straight to `diffs_path` (one Parquet row group per outcome)."""

    def __init__(self, world, at, pop, person_ids: np.ndarray, diffs_path: Path):
        tr = world.treated
        k = tr.k
        s1 = tr.s1[:k]
        self.rows = np.flatnonzero((s1 >= 0) & (s1 < T))
        r = self.rows
        self.world = world
        self.persons = tr.person[r]
        self.person_ids = person_ids
        self.s1 = s1[r].astype(np.int64)
        x1 = tr.x1[r].astype(np.int64)
        self.x1 = np.where(x1 < T, x1, -1)  # -1: ongoing at extraction
        first = (at.spell_no == 1) & np.isin(at.person, self.persons)
        cov = np.zeros(pop.n, bool)
        cov[at.person[first]] = at.covered[first]
        latent = tr.purpose[r].astype(np.int64)
        self.purpose = np.where(cov[self.persons], latent, P_UKJENT)
        self.group = tr.group[r].astype(np.int64)
        age = (self.s1 - pop.birth_m[self.persons]) // 12
        self.age_at_start = age
        self.age = (age >= design.AGE_GROUP_LIMIT).astype(np.int64)  # 0 under_30, 1 30_plus
        self.female = pop.female[self.persons].astype(np.int64)
        self.imm = (pop.immigrant[self.persons] == IMMIGRANT_CATEGORIES.index("B")).astype(np.int64)
        self.combo = (
            ((self.purpose * len(GROUPS) + self.group) * 2 + self.age) * 2 + self.female
        ) * 2 + self.imm
        # (person, event time) pairs inside the window (flat index into persons x months), and
        # their cells
        tgrid = self.s1[:, None] + EVENT_TIMES[None, :]
        ok = (tgrid >= 0) & (tgrid < T)
        pr = np.broadcast_to(np.arange(r.size, dtype=np.int64)[:, None], ok.shape)[ok]
        pe = np.broadcast_to(np.arange(NE, dtype=np.int64)[None, :], ok.shape)[ok]
        self.flat = pr * T + tgrid[ok]
        key = ((self.s1[pr] * NE + pe) * N_COMBO + self.combo[pr]).astype(np.int32)
        del pr, pe, tgrid, ok
        self.cell_key, cell_of = np.unique(key, return_inverse=True)
        self.cell_of = cell_of.astype(np.int32)
        del key, cell_of
        self.cell_n = np.bincount(self.cell_of, minlength=self.cell_key.size)
        # (person, months since exit) pairs of completed first spells inside the window
        self.done = np.flatnonzero(self.x1 >= 0)
        kgrid = self.x1[self.done, None] + EVENT_TIMES[None, :]
        okk = (kgrid >= 0) & (kgrid < T)
        xr = np.broadcast_to(self.done[:, None], okk.shape)[okk]
        xk = np.broadcast_to(np.arange(NE)[None, :], okk.shape)[okk]
        self.xflat = xr * T + kgrid[okk]
        self.xkeys = {
            "overall": (xk.astype(np.int32), 1),
            "by_purpose": ((self.purpose[xr] * NE + xk).astype(np.int32), len(PIPELINE_PURPOSES)),
            "by_status_group": ((self.group[xr] * NE + xk).astype(np.int32), len(GROUPS)),
        }
        del xr, xk, kgrid, okk
        self.sums: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.exit_profiles: dict[str, dict] = {}
        self.n_diffs = 0
        ids = _person_ids(person_ids, self.persons)
        self._pid_dict = ids.dictionary
        self._pid_index = np.asarray(ids.indices.to_numpy(), dtype=np.int32)
        self.diffs = pq.ParquetWriter(diffs_path, DIFFS_SCHEMA)

    def add(self, name: str, y1: np.ndarray, y0: np.ndarray) -> None:
        """One outcome's (persons x window months) potential outcomes."""
        f1, f0 = y1.ravel(), y0.ravel()
        size = self.cell_key.size
        self.sums[name] = (
            np.rint(
                np.bincount(self.cell_of, weights=f1[self.flat].astype(np.float64), minlength=size)
            ).astype(np.int64),
            np.rint(
                np.bincount(self.cell_of, weights=f0[self.flat].astype(np.float64), minlength=size)
            ).astype(np.int64),
        )
        d = np.flatnonzero(f1 != f0)
        self.n_diffs += d.size
        o = TRUTH_OUTCOMES.index(name)
        self.diffs.write_table(
            pa.table(
                {
                    "person_id": pa.DictionaryArray.from_arrays(
                        pa.array(self._pid_index[d // T]), self._pid_dict
                    ),
                    "year_month": pa.array(yyyymm(d % T).astype(np.int32)),
                    "outcome": pa.DictionaryArray.from_arrays(
                        pa.array(np.full(d.size, o, np.int8)), pa.array(list(TRUTH_OUTCOMES))
                    ),
                    "y1": pa.array(f1[d].astype(np.int64)),
                    "y0": pa.array(f0[d].astype(np.int64)),
                },
                schema=DIFFS_SCHEMA,
            )
        )
        # months since exit (completed first spells)
        b1 = f1[self.xflat].astype(np.float64)
        b0 = f0[self.xflat].astype(np.float64)
        prof = {}
        for dim, (key, nv) in self.xkeys.items():
            parts = _by_key(key, nv * NE, b1, b0)
            if dim == "overall":
                prof[dim] = _profile(*parts[0])
                continue
            values = PIPELINE_PURPOSES if dim == "by_purpose" else GROUPS
            prof[dim] = {v: _profile(*parts[i]) for i, v in enumerate(values) if parts[i][0].any()}
        self.exit_profiles[name] = prof

    def close(self) -> None:
        self.diffs.close()

    # --- outputs -------------------------------------------------------------------------------

    def _cell_dims(self):
        key = self.cell_key.astype(np.int64)
        combo = key % N_COMBO
        ge = key // N_COMBO
        g, e = ge // NE, ge % NE
        imm = combo % 2
        female = (combo // 2) % 2
        age = (combo // 4) % 2
        group = (combo // 8) % len(GROUPS)
        purpose = combo // (8 * len(GROUPS))
        return g, e, purpose, group, age, female, imm

    def write_cells(self, path: Path) -> None:
        """truth_cells.parquet, one row group per outcome."""
        g, e, purpose, group, age, female, imm = self._cell_dims()
        nc = g.size

        def dict_col(values, idx):
            return pa.DictionaryArray.from_arrays(
                pa.array(idx.astype(np.int8)), pa.array(list(values), pa.string())
            )

        base = {
            "cohort_ym": pa.array(yyyymm(g).astype(np.int32)),
            "event_time": pa.array(EVENT_TIMES[e].astype(np.int32)),
            "purpose": dict_col(PIPELINE_PURPOSES, purpose),
            "status_group": dict_col(GROUPS, group),
            "age_group": dict_col(AGE_GROUPS, age),
            "gender": dict_col(GENDERS, female),
            "immigrant": dict_col(IMMIGRANT_GROUPS, imm),
        }
        n_col = pa.array(self.cell_n.astype(np.int64))
        with pq.ParquetWriter(path, CELLS_SCHEMA) as w:
            for i, name in enumerate(TRUTH_OUTCOMES):
                s1, s0 = self.sums[name]
                cols = dict(base)
                cols["outcome"] = pa.DictionaryArray.from_arrays(
                    pa.array(np.full(nc, i, np.int8)), pa.array(list(TRUTH_OUTCOMES))
                )
                cols["n_treated"] = n_col
                cols["sum_y1"] = pa.array(s1)
                cols["sum_y0"] = pa.array(s0)
                w.write_table(pa.table(cols, schema=CELLS_SCHEMA))

    def persons_table(self) -> pa.Table:
        return pa.table(
            {
                "person_id": _person_ids(self.person_ids, self.persons),
                "cohort_ym": pa.array(yyyymm(self.s1).astype(np.int32)),
                "exit_ym": pa.array(
                    yyyymm(np.maximum(self.x1, 0)).astype(np.int32), mask=self.x1 < 0
                ),
                "purpose": pa.array(np.array(PIPELINE_PURPOSES)[self.purpose].tolist()),
                "latent_purpose": pa.array(
                    np.array(PURPOSES)[self.world.treated.purpose[self.rows]].tolist()
                ),
                "status_group": pa.array(np.array(GROUPS)[self.group].tolist()),
                "age_at_start": pa.array(self.age_at_start.astype(np.int32)),
                "age_group": pa.array(np.array(AGE_GROUPS)[self.age].tolist()),
                "gender": pa.array(np.array(GENDERS)[self.female].tolist()),
                "immigrant": pa.array(np.array(IMMIGRANT_GROUPS)[self.imm].tolist()),
                "lock_in": pa.array(self.world.treated.lock[self.rows].astype(np.float64)),
                "post_effect": pa.array(self.world.treated.post[self.rows].astype(np.float64)),
            }
        )

    def json(self) -> dict:
        g, e, purpose, group, age, female, imm = self._cell_dims()
        n = self.cell_n
        year = 2016 + g // 12
        dims = {
            "by_purpose": (purpose, PIPELINE_PURPOSES, True),
            "by_status_group": (group, GROUPS, True),
            "by_age_group": (age, AGE_GROUPS, False),
            "by_start_year": (year - 2016, [str(y) for y in range(2016, 2025)], False),
            "by_gender": (female, GENDERS, False),
            "by_immigrant": (imm, IMMIGRANT_GROUPS, False),
        }
        outcomes = {}
        for name in TRUTH_OUTCOMES:
            s1, s0 = self.sums[name]
            s1, s0 = s1.astype(np.float64), s0.astype(np.float64)
            res = {"overall": _profile(*_by_key(e, NE, s1, s0, n)[0])}
            for dim, (codes, values, full) in dims.items():
                parts = _by_key(codes * NE + e, len(values) * NE, s1, s0, n)
                res[dim] = {}
                for i, v in enumerate(values):
                    if parts[i][0].sum() == 0:
                        continue
                    prof = _profile(*parts[i])
                    if not full:
                        prof.pop("by_event_time")
                    res[dim][v] = prof
            outcomes[name] = res
        intended = {}
        for p in PIPELINE_PURPOSES:
            if p not in outcomes[INTENDED]["by_purpose"]:
                continue
            intended[p] = {
                "outcome": design.INTENDED_OUTCOME_BY_PURPOSE[p],
                "since_start": outcomes[INTENDED]["by_purpose"][p],
                "since_exit": self.exit_profiles[INTENDED]["by_purpose"].get(p),
            }
        return {
            "n_treated_persons": int(self.rows.size),
            "n_completed_first_spells": int((self.x1 >= 0).sum()),
            "outcomes": outcomes,
            "outcomes_since_exit": self.exit_profiles,
            "intended_outcomes": intended,
        }


def untreated_outcomes(
    diffs: Path, person_ids: np.ndarray, months: np.ndarray, arrays: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Each (persons x months) array of `arrays` (rows `person_ids`, columns `months` as YYYYMM)
    as a float copy with every person-month that `diffs` (truth_diffs.parquet: where the treated
    and the untreated potential outcome differ) lists set to its untreated outcome Y0."""
    t = pq.read_table(
        diffs,
        columns=["person_id", "year_month", "outcome", "y0"],
        filters=[("outcome", "in", list(arrays))],
    )
    pid = t.column("person_id").to_pandas().astype(str)
    outcome = t.column("outcome").to_pandas().astype(str).to_numpy()
    rows = pd.Index(np.asarray(person_ids).astype(str)).get_indexer(pid)
    cols = pd.Index(months).get_indexer(t.column("year_month").to_numpy())
    y0 = t.column("y0").to_numpy()
    ok = (rows >= 0) & (cols >= 0)
    out = {}
    for name, a in arrays.items():
        y = a.astype(float)
        sel = ok & (outcome == name)
        y[rows[sel], cols[sel]] = y0[sel]
        out[name] = y
    return out


def _person_ids(ids: np.ndarray, idx: np.ndarray) -> pa.Array:
    """person_id strings for person indices (dictionary-encoded: cheap to build and store)."""
    uniq, inv = np.unique(idx, return_inverse=True)
    return pa.DictionaryArray.from_arrays(
        pa.array(inv.astype(np.int32)), pa.array(ids[uniq].tolist(), pa.string())
    )


def _by_key(key, size, b1, b0, w=None):
    """[(n, sum_y1, sum_y0) per block of NE event times] from one bincount each; n counts the
    keys, or sums the weights `w` (cell sizes)."""
    n = np.bincount(key, weights=w, minlength=size).reshape(-1, NE)
    s1 = np.bincount(key, weights=b1, minlength=size).reshape(-1, NE)
    s0 = np.bincount(key, weights=b0, minlength=size).reshape(-1, NE)
    return [(n[i], s1[i], s0[i]) for i in range(n.shape[0])]


def _r(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


def _profile(n: np.ndarray, s1: np.ndarray, s0: np.ndarray) -> dict:
    """ATT profile over EVENT_TIMES from counts and sums of Y1 and Y0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        att = np.where(n > 0, (s1 - s0) / np.maximum(n, 1), np.nan)
        m1 = np.where(n > 0, s1 / np.maximum(n, 1), np.nan)
        m0 = np.where(n > 0, s0 / np.maximum(n, 1), np.nan)
    rows = [
        {
            "event_time": int(e),
            "att": _r(a),
            "n_treated": int(k),
            "mean_y1": _r(y1),
            "mean_y0": _r(y0),
        }
        for e, a, k, y1, y0 in zip(EVENT_TIMES, att, n, m1, m0, strict=True)
    ]
    out = {"by_event_time": rows}
    out.update(summaries(att))
    return out


def summaries(att: np.ndarray) -> dict:
    """Summary measures of an ATT profile over EVENT_TIMES (design.SUMMARY_MEASURES plus the
    medium-run mean over months 12-23)."""
    measures = dict(design.SUMMARY_MEASURES)
    lo, hi = design.MEDIUM_RUN_MONTHS
    measures[f"mean_{lo}_{hi}"] = {e: 1 / (hi - lo + 1) for e in range(lo, hi + 1)}
    out = {}
    for name, w in measures.items():
        vals = np.array([att[e - EVENT_TIMES[0]] for e in w])
        ww = np.array(list(w.values()))
        out[name] = None if np.isnan(vals).any() else _r(float((vals * ww).sum()))
    return out


# --- reading the truth for an estimation sample ------------------------------------------------


def _ym_add(ym, k):
    m = (np.asarray(ym) // 100) * 12 + np.asarray(ym) % 100 - 1 + k
    return (m // 12) * 100 + m % 12 + 1


def truth_for(
    truth_dir: str | Path,
    outcome: str = "employed",
    *,
    cohorts: Iterable[int] | None = None,
    persons: Iterable[str] | None = None,
    where: dict[str, str | Iterable[str]] | None = None,
    clock: str = "start",
    window: tuple[int, int] = (201601, 202412),
):
    """The true ATT by event time for an estimation sample, as a pandas DataFrame with columns
    event_time, n_treated, att (and sum_y1, sum_y0 for cohort samples).

    The sample is either a set of first-start cohorts (`cohorts`, YYYYMM; default all) with
    optional subgroup filters `where` (e.g. {"status_group": ["ARBEIDSSOKER",
    "NEDSATT_ARBEIDSEVNE"], "age_group": "under_30"}; columns SUBGROUP_COLUMNS), computed from
    truth_cells.parquet; or a set of treated persons (`persons`, person_id), computed from
    truth_persons.parquet and truth_diffs.parquet. `clock`: "start" (months since the first
    start, event time e = year_month - cohort) or "exit" (months since the exit month of the first
    spell; persons only, completed first spells only). A person counts at event time e when that
    month lies inside `window`. Both routes give the same numbers for the same sample.
    """
    import pandas as pd

    truth_dir = Path(truth_dir)
    if outcome not in TRUTH_OUTCOMES:
        raise ValueError(f"outcome must be one of {TRUTH_OUTCOMES}, got {outcome!r}")
    if clock not in ("start", "exit"):
        raise ValueError("clock must be 'start' or 'exit'")
    if persons is None and clock == "start":
        cells = pq.read_table(
            truth_dir / TRUTH_CELLS_FILE, filters=[("outcome", "=", outcome)]
        ).to_pandas()
        for c in SUBGROUP_COLUMNS + ("outcome",):
            cells[c] = cells[c].astype(str)
        mask = pd.Series(True, index=cells.index)
        if cohorts is not None:
            mask &= cells["cohort_ym"].isin(list(cohorts))
        for col, val in (where or {}).items():
            if col not in SUBGROUP_COLUMNS:
                raise ValueError(f"where: unknown column {col!r} (one of {SUBGROUP_COLUMNS})")
            vals = [val] if isinstance(val, str) else list(val)
            mask &= cells[col].isin(vals)
        ym = _ym_add(cells["cohort_ym"].to_numpy(), cells["event_time"].to_numpy())
        mask &= (ym >= window[0]) & (ym <= window[1])
        g = (
            cells[mask]
            .groupby("event_time")[["n_treated", "sum_y1", "sum_y0"]]
            .sum()
            .reindex(EVENT_TIMES, fill_value=0)
        )
        g["att"] = (g["sum_y1"] - g["sum_y0"]) / g["n_treated"].where(g["n_treated"] > 0)
        return g.reset_index().rename(columns={"index": "event_time"})
    pers = pq.read_table(truth_dir / TRUTH_PERSONS_FILE).to_pandas()
    if persons is not None:
        pers = pers[pers["person_id"].isin(set(persons))]
    if cohorts is not None:
        pers = pers[pers["cohort_ym"].isin(list(cohorts))]
    for col, val in (where or {}).items():
        vals = [val] if isinstance(val, str) else list(val)
        pers = pers[pers[col].isin(vals)]
    anchor_col = "cohort_ym" if clock == "start" else "exit_ym"
    pers = pers[pers[anchor_col].notna()]
    anchor = pers[anchor_col].astype(np.int64).to_numpy()
    rows = []
    diffs = pq.read_table(truth_dir / TRUTH_DIFFS_FILE, filters=[("outcome", "=", outcome)])
    diffs = diffs.to_pandas()
    diffs = diffs[diffs["person_id"].isin(set(pers["person_id"]))]
    a_of = dict(zip(pers["person_id"], anchor, strict=True))
    d_anchor = diffs["person_id"].map(a_of).to_numpy(np.int64)
    ym_d = diffs["year_month"].to_numpy(np.int64)
    e_d = (ym_d // 100 * 12 + ym_d % 100) - (d_anchor // 100 * 12 + d_anchor % 100)
    dy = (diffs["y1"] - diffs["y0"]).to_numpy(np.float64)
    dy = np.where((ym_d >= window[0]) & (ym_d <= window[1]), dy, 0.0)
    for e in EVENT_TIMES:
        ym = _ym_add(anchor, int(e))
        n = int(((ym >= window[0]) & (ym <= window[1])).sum())
        num = float(dy[e_d == e].sum())
        rows.append({"event_time": int(e), "n_treated": n, "att": num / n if n else np.nan})
    return pd.DataFrame(rows)
