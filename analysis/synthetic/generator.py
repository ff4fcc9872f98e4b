"""Synthetic register generator: writes the input contract plus the true effects.

The data-generating process (DGP), in the order it is simulated (docs/SYNTHETIC.md has the
details, each feature's source in the literature and the truth files' recipe)
-------------------------------------------------------------------------------------------

1. **Persons** (``population.py``): birth month, gender, SSB immigrant category, NUS level,
   municipality, two unobserved traits (persistent employability ``eta_i``, health problems
   ``h_i``), the month of their first NAV contact, and their register presence (from age 16 or
   arrival to age 67, death or emigration: feature ``attrition``).
2. **Monthly microsimulation** (``world.py``), 2013-01..2024-12, all persons at once:
   untreated employment ``Y0_it = 1{Phi(z_it) < p0_it}`` with ``z_it`` AR(1) (``rho``) and
   ``p0_it`` from the person's latent index, an age/experience profile (``age_profile``) and a
   calendar effect; NAV registration (ARBEIDSSOKER / NEDSATT_ARBEIDSEVNE / uføretrygd) that
   responds to work (``registration_churn``); other programmes; benefits that respond to work
   and participation (``responsive_benefits``). Each month a stock controller
   (``arbeidstrening.py``) starts as many arbeidstrening spells per status group and gender x age
   cell as keep the participant stock on the published path (14,986 a month in 2017 and 5,515 in
   2022 at scale 1, two thirds NEDSATT in 2022, 53 % women, 42 % under 30), drawing starters
   with weights on b_i and observables and (``dip_selection``) on their recent untreated
   history: entry after job loss, the pre-programme dip. Participants then follow a treated
   path with the same random numbers: ``Y1_it = 1{Phi(z_it) < p0_it + tau_it}``, with a
   lock-in while in the first spell and a post-programme effect by purpose, status group (and,
   with ``heterogeneous_effects``, age at start, immigrant background and start year), plus
   registration held during the spell, tiltakspenger, chained programmes, apprenticeships and
   jobs or wage subsidies at the AT employer (the purposes' intended outcomes).
3. **Registers** (``outcomes.py``, ``other.py``, ``spells.py``): jobs, employers, earnings and
   wage subsidies from the employment months; status, programme and benefit spells from the
   monthly codes (day dates inside the months, so the pipeline's month rule reproduces them);
   agreements and purposes (the report's 2021 distribution, growing digital coverage); KVP and
   education. Employed months earn at least 6,000 NOK and small jobs 200-2,000 NOK occur only in
   months without work, so "total earnings >= 5,000" is exactly the employment indicator.
4. **Truth** (``truth.py``): both potential outcomes of every participant, for every outcome,
   aggregated by cohort x subgroup cell x event time, by months since exit, and per person.

Presets: ``hard`` (the default: every feature on) and ``easy`` (every feature off: selection
only on b_i, observables and registration status, no age profile, registration and benefits
that do not respond to work, no attrition, effects differing by purpose and status group only;
parallel trends hold given person and month effects, so a difference-in-differences recovers
the planted effect). Agreed ends past the extraction date are cut at 2024-12-31.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import design
from analysis.contract import (
    IMMIGRANT_CATEGORIES,
    INNSATSGRUPPER,
    NAV_STATUSES,
    PROGRAMME_CODES,
    PURPOSES,
    TABLES,
)
from analysis.settings import (
    DEFAULT_EMPLOYMENT_THRESHOLD_NOK,
    DEFAULT_OBSERVATION_END,
    DEFAULT_OBSERVATION_START,
)
from analysis.synthetic import params as P
from analysis.synthetic._util import choice_idx, rng_for
from analysis.synthetic.arbeidstrening import (
    O_DELAVB,
    O_GJENN,
    O_GJENN_AVB,
    coverage_share,
    make_not_started,
)
from analysis.synthetic.calendar import (
    N_OBS_MONTHS,
    OBS_END_DAY,
    OBS_END_M,
    add_months,
    day_to_month,
    yyyymm,
)
from analysis.synthetic.employers import make_employers
from analysis.synthetic.other import (
    benefit_spells,
    education_spells,
    kvp_spells,
    programme_spells,
    status_spells,
)
from analysis.synthetic.outcomes import employment_rows
from analysis.synthetic.population import make_population
from analysis.synthetic.truth import (
    DEFINITION,
    TRUTH_CELLS_FILE,
    TRUTH_DIFFS_FILE,
    TRUTH_FILE,
    TRUTH_PERSONS_FILE,
    TruthBuilder,
    outcome_matrices,
)
from analysis.synthetic.world import simulate_world
from analysis.synthetic.writer import (
    EmploymentWriter,
    date_array,
    make_table,
    str_array,
    take,
    write_table,
)

DEFAULT_SCALE = 0.05
PERSONS_AT_SCALE_1 = P.PERSONS_AT_SCALE_1
PRESETS = P.PRESETS
DEFAULT_PRESET = P.DEFAULT_PRESET
FORMATS = ("parquet", "csv")
EXTRACT_FILE = "extract.json"
OUTPUT_FILES = (EXTRACT_FILE, TRUTH_FILE, TRUTH_CELLS_FILE, TRUTH_PERSONS_FILE, TRUTH_DIFFS_FILE)

_STYRK = (
    "5223", "5120", "9412", "9112", "4110", "8322", "5322", "9333", "7231", "5311",
    "9329", "4321", "9622", "7126", "7411", "5131", "5321", "7115", "9313", "4222",
)  # fmt: skip
_END_REASONS_DONE = ("FULLFORT", "FIKK_JOBB", "BEGYNT_UTDANNING", "ANNET")
_END_REASONS_DONE_P = (0.72, 0.18, 0.04, 0.06)
_END_REASONS_BROKEN = ("SYKDOM", "AVBRUTT_DELTAKER", "AVBRUTT_ARBEIDSGIVER", "FIKK_JOBB", "ANNET")
_END_REASONS_BROKEN_P = (0.35, 0.25, 0.12, 0.18, 0.10)
_SECOND_PURPOSE_W = np.array([0.40, 0.15, 0.20, 0.10, 0.10, 0.05])


def generator_version() -> str:
    try:
        return f"arbeidstrening {version('arbeidstrening')}"
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "arbeidstrening (source)"


def resolve_features(preset: str, features: dict | None = None) -> P.Features:
    """The preset's feature switches, with individual switches overridden by `features`."""
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {tuple(PRESETS)}, got {preset!r}")
    base = PRESETS[preset].as_dict()
    unknown = set(features or {}) - set(base)
    if unknown:
        raise ValueError(f"unknown feature(s) {sorted(unknown)}; known: {sorted(base)}")
    base.update(features or {})
    return P.Features(**base)


def _clean(out_dir: Path) -> None:
    """Remove files a previous run may have left (only the files this generator writes)."""
    for t in TABLES:
        for suffix in (".parquet", ".csv"):
            (out_dir / f"{t.name}{suffix}").unlink(missing_ok=True)
    folder = out_dir / "employment_months"
    if folder.is_dir():
        for f in folder.glob("part-*.parquet"):
            f.unlink()
    for name in OUTPUT_FILES:
        (out_dir / name).unlink(missing_ok=True)


def _end_null(end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    null = end > OBS_END_DAY
    return np.where(null, 0, end), null


def _months_covered(person, start, end, ord_of, k) -> np.ndarray:
    """(k x window months) bool: a spell of the person (by ordinal) overlaps the month."""
    out = np.zeros(k * N_OBS_MONTHS, dtype=bool)
    o = ord_of[person]
    sel = o >= 0
    a = np.maximum(day_to_month(start[sel]), 0)
    b = np.minimum(day_to_month(np.minimum(end[sel], OBS_END_DAY)), OBS_END_M)
    o = o[sel]
    ok = b >= a
    a, b, o = a[ok], b[ok], o[ok]
    ln = b - a + 1
    rep = np.repeat(np.arange(a.size), ln)
    offs = np.arange(rep.size) - np.repeat(np.cumsum(ln) - ln, ln)
    out[o[rep] * N_OBS_MONTHS + a[rep] + offs] = True
    return out.reshape(k, N_OBS_MONTHS)


def persons_at_scale(scale: float) -> int:
    """Number of persons of a register at `scale`."""
    return max(500, int(round(P.PERSONS_AT_SCALE_1 * scale)))


def person_ids(n: int) -> np.ndarray:
    """The pseudonymous ids of a register's `n` persons, in population order (and sorted)."""
    return np.array([f"P{i:07d}" for i in range(1, n + 1)])


def latent_employability(
    ids: np.ndarray,
    scale: float,
    seed: int,
    preset: str = DEFAULT_PRESET,
    features: dict | None = None,
) -> np.ndarray:
    """The latent employability index of the persons `ids` of the register `generate_register`
    writes with these arguments (not in the register: for diagnostics of what selection on it
    does to an estimator)."""
    feats = resolve_features(preset, features)
    n = persons_at_scale(scale)
    all_ids = person_ids(n)
    pos = np.searchsorted(all_ids, ids)
    if not np.array_equal(all_ids[np.minimum(pos, n - 1)], ids):
        raise ValueError("ids that the register of these arguments does not hold")
    return make_population(rng_for(seed, 1), n, feats).index[pos]


def generate_register(
    out_dir: Path,
    scale: float = DEFAULT_SCALE,
    seed: int = 2024,
    fmt: str = "parquet",
    progress: Callable[[str], None] | None = None,
    preset: str = DEFAULT_PRESET,
    features: dict | None = None,
) -> dict:
    """Write a synthetic register (the input contract) plus its true effects into ``out_dir``.

    ``scale`` multiplies every count (1.0 = about 600,000 persons, the calibration targets);
    ``seed`` makes the output reproducible (same seed, same bytes); ``fmt`` is "parquet" (tables
    as ``<name>.parquet``, employment_months as a folder of yearly files) or "csv" (one
    ``<name>.csv`` per table). ``preset`` is "hard" (default) or "easy"; ``features`` overrides
    single switches of the preset (see ``params.Features``). Also writes ``extract.json`` (with
    the synthetic flag), ``truth.json``, ``truth_cells.parquet``, ``truth_persons.parquet`` and
    ``truth_diffs.parquet``. Returns a summary: row counts per table, persons, spells, seconds.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    feats = resolve_features(preset, features)
    t0 = time.perf_counter()
    say = progress or (lambda _msg: None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clean(out_dir)
    n = persons_at_scale(scale)
    n_emp = max(300, int(round(P.EMPLOYERS_AT_SCALE_1 * scale)))

    say(f"persons ({preset} world)")
    pop = make_population(rng_for(seed, 1), n, feats)
    employers = make_employers(rng_for(seed, 3), n_emp)
    say("monthly simulation")
    world = simulate_world(seed, pop, feats, employers, scale, say)
    at = world.at
    ever_nedsatt = (world.status >= 6).any(axis=0)

    pid_np = person_ids(n)
    pid = pa.array(pid_np.tolist(), type=pa.string())
    org = pa.array(employers.org_strings().tolist(), type=pa.string())
    rows: dict[str, int] = {}

    emp_writer = EmploymentWriter(out_dir, fmt, range(2016, 2025))

    def sink(r: dict[str, np.ndarray]) -> None:
        pos = r["position"]
        tab = make_table(
            "employment_months",
            {
                "person_id": take(pid, r["person"]),
                "year_month": pa.array(yyyymm(r["t"]).astype(np.int32)),
                "employer_org": take(org, r["employer"]),
                "earnings_nok": pa.array(r["earnings"].astype(np.int64)),
                "position_pct": pa.array(pos, mask=np.isnan(pos)),
            },
        )
        if fmt == "csv":
            emp_writer.write(None, tab)
            return
        year = 2016 + r["t"] // 12
        for y in range(2016, 2025):
            sel = np.flatnonzero(year == y)
            if sel.size:
                emp_writer.write(y, tab.take(pa.array(sel)))

    say("employment")
    subs, tr_out, stats = employment_rows(
        seed, pop, feats, world, employers, ever_nedsatt, sink, say
    )
    emp_writer.close()
    rows["employment_months"] = emp_writer.rows
    kvp = kvp_spells(rng_for(seed, 11), pop)
    edu, planted = education_spells(rng_for(seed, 10), pop, at)
    say("truth")
    _write_truth(out_dir, world, pop, at, tr_out, kvp, edu, planted, pid_np, feats, preset,
                 scale, seed)  # fmt: skip
    del tr_out
    world.untreated = {}
    world.employed = None
    sp = status_spells(rng_for(seed, 2), world, n, at)
    world.status = None
    ns = make_not_started(rng_for(seed, 6), pop, sp, at, employers)
    # --- persons ------------------------------------------------------------------------------
    say("writing persons and status spells")
    persons = make_table(
        "persons",
        {
            "person_id": pid,
            "birth_ym": pa.array(yyyymm(pop.birth_m).astype(np.int32)),
            "gender": pa.array(np.where(pop.female, 2, 1).astype(np.int32)),
            "immigrant_category": take(pa.array(list(IMMIGRANT_CATEGORIES)), pop.immigrant),
            "nus_level": str_array(pop.nus),
            "municipality": str_array(np.char.zfill(pop.municipality.astype(str), 4)),
        },
    )
    _write(persons, out_dir, "persons", fmt, rows)

    end, null = _end_null(sp.end)
    nav = make_table(
        "nav_status_spells",
        {
            "person_id": take(pid, sp.person),
            "status": take(pa.array(list(NAV_STATUSES)), sp.status),
            "innsatsgruppe": take(pa.array(list(INNSATSGRUPPER)), sp.innsats, sp.innsats < 0),
            "start_date": date_array(sp.start),
            "end_date": date_array(end, null),
        },
    )
    _write(nav, out_dir, "nav_status_spells", fmt, rows)

    # --- programme spells ---------------------------------------------------------------------
    say("programme spells")
    prog = programme_spells(rng_for(seed, 7), world, at, ns, subs)
    world.programme = None
    code_idx = np.array([PROGRAMME_CODES.index(c) for c in np.unique(prog["code"])])
    uniq, inv = np.unique(prog["code"], return_inverse=True)
    code_rank = code_idx[inv]
    order = np.lexsort((prog["at_row"], code_rank, prog["start"], prog["person"]))
    prog = {k: v[order] for k, v in prog.items()}
    n_prog = order.size
    spell_ids = pa.array([f"S{i:08d}" for i in range(1, n_prog + 1)], type=pa.string())
    spell_pos_of_row = np.full(at.n + ns.person.size, -1, dtype=np.int64)
    has_row = prog["at_row"] >= 0
    spell_pos_of_row[prog["at_row"][has_row]] = np.flatnonzero(has_row)
    end, null = _end_null(prog["end"])
    pt = prog["part_time"]
    emp_null = prog["employer"] < 0
    programme = make_table(
        "programme_spells",
        {
            "spell_id": spell_ids,
            "person_id": take(pid, prog["person"]),
            "programme_code": pa.array(prog["code"].astype(str).tolist(), type=pa.string()),
            "start_date": date_array(prog["start"]),
            "end_date": date_array(end, null),
            "participant_status": pa.array(prog["status"].astype(str).tolist(), type=pa.string()),
            "part_time_pct": pa.array(pt, mask=np.isnan(pt)),
            "employer_org": take(org, prog["employer"], emp_null),
        },
    )
    _write(programme, out_dir, "programme_spells", fmt, rows)

    # --- agreements and purposes ---------------------------------------------------------------
    say("agreements")
    agr, purp = _agreements(rng_for(seed, 8), at, ns, spell_pos_of_row)
    agr_order = np.lexsort((agr["real"], agr["start"], agr["spell_pos"]))
    agr = {k: v[agr_order] for k, v in agr.items()}
    n_agr = agr_order.size
    agr_ids = pa.array([f"A{i:07d}" for i in range(1, n_agr + 1)], type=pa.string())
    new_pos = np.empty(n_agr, dtype=np.int64)
    new_pos[agr_order] = np.arange(n_agr)
    styrk_null = agr["styrk"] < 0
    reason_null = agr["reason"] == ""
    agreements = make_table(
        "at_agreements",
        {
            "agreement_id": agr_ids,
            "spell_id": take(spell_ids, agr["spell_pos"]),
            "agreed_start": date_array(agr["start"]),
            "agreed_end": date_array(agr["end"]),
            "position_pct": pa.array(agr["position"]),
            "days_per_week": pa.array(agr["days"]),
            "occupation_styrk08": take(pa.array(list(_STYRK)), agr["styrk"], styrk_null),
            "status": pa.array(agr["status"].tolist(), type=pa.string()),
            "end_reason": pa.array(agr["reason"].tolist(), type=pa.string(), mask=reason_null),
        },
    )
    _write(agreements, out_dir, "at_agreements", fmt, rows)
    p_agr = new_pos[purp["agreement"]]
    p_order = np.lexsort((purp["rank"], p_agr))
    purposes = make_table(
        "at_agreement_purposes",
        {
            "agreement_id": take(agr_ids, p_agr[p_order]),
            "purpose": take(pa.array(list(PURPOSES)), purp["purpose"][p_order]),
            "rank": pa.array(purp["rank"][p_order].astype(np.int32)),
        },
    )
    _write(purposes, out_dir, "at_agreement_purposes", fmt, rows)

    # --- benefits and education --------------------------------------------------------------
    say("benefits")
    ben = benefit_spells(rng_for(seed, 9), pop, world, kvp)
    world.benefits = None
    ben_rank = np.unique(ben["benefit"], return_inverse=True)[1]
    order = np.lexsort((ben["start"], ben_rank, ben["person"]))
    ben = {k: v[order] for k, v in ben.items()}
    ben_rank = ben_rank[order]
    dup = np.r_[
        False,
        (ben["person"][1:] == ben["person"][:-1])
        & (ben_rank[1:] == ben_rank[:-1])
        & (ben["start"][1:] == ben["start"][:-1]),
    ]
    ben = {k: v[~dup] for k, v in ben.items()}
    end, null = _end_null(ben["end"])
    deg = ben["degree"]
    benefits = make_table(
        "benefit_spells",
        {
            "person_id": take(pid, ben["person"]),
            "benefit": pa.array(ben["benefit"].astype(str).tolist(), type=pa.string()),
            "start_date": date_array(ben["start"]),
            "end_date": date_array(end, null),
            "degree_pct": pa.array(deg, mask=np.isnan(deg)),
        },
    )
    _write(benefits, out_dir, "benefit_spells", fmt, rows)

    say("education")
    lvl = edu["level"].astype(np.int64)
    order = np.lexsort((lvl, edu["start"], edu["person"]))
    edu = {k: v[order] for k, v in edu.items()}
    planted = planted[order]
    lvl = lvl[order]
    dup = np.r_[
        False,
        (edu["person"][1:] == edu["person"][:-1])
        & (edu["start"][1:] == edu["start"][:-1])
        & (lvl[1:] == lvl[:-1]),
    ]
    edu = {k: v[~dup] for k, v in edu.items()}
    planted = planted[~dup]
    end, null = _end_null(edu["end"])
    education = make_table(
        "education_spells",
        {
            "person_id": take(pid, edu["person"]),
            "start_date": date_array(edu["start"]),
            "end_date": date_array(end, null),
            "nus_level": str_array(edu["level"]),
            "apprentice": pa.array(edu["apprentice"].astype(bool)),
        },
    )
    _write(education, out_dir, "education_spells", fmt, rows)

    tr = world.treated
    n_treated = int(((tr.s1[: tr.k] >= 0) & (tr.s1[: tr.k] <= OBS_END_M)).sum())
    return {
        "out_dir": str(out_dir),
        "format": fmt,
        "preset": preset,
        "features": feats.as_dict(),
        "scale": scale,
        "seed": seed,
        "n_persons": n,
        "n_employers": n_emp,
        "n_at_spells": int(at.n),
        "n_at_spells_not_started": int(ns.person.size),
        "n_treated_in_window": n_treated,
        # First took-place spell in the burn-in (2014-07..2015-12): treated before the window.
        "n_treated_before_window": int((tr.s1[: tr.k] < 0).sum()),
        "rows": rows,
        "employment_rate": stats["employed_months"] / max(1, stats["person_months"]),
        "shortfall_starts": world.info["shortfall_starts"],
        "seconds": round(time.perf_counter() - t0, 2),
    }


def _write_truth(out_dir, world, pop, at, tr_out, kvp, edu, planted, pid_np, feats, preset,
                 scale, seed) -> None:  # fmt: skip
    """extract.json with the synthetic flag, and the truth files."""
    n = pop.n
    extract = {
        "observation_start": DEFAULT_OBSERVATION_START,
        "observation_end": DEFAULT_OBSERVATION_END,
        "synthetic": True,
        "generator": generator_version(),
        "preset": preset,
        "scale": scale,
        "seed": seed,
    }
    (out_dir / EXTRACT_FILE).write_text(json.dumps(extract, indent=2) + "\n")
    tb = TruthBuilder(world, at, pop, pid_np, out_dir / TRUTH_DIFFS_FILE)
    k = world.treated.k
    ord_of = np.full(n, -1, np.int64)
    ord_of[world.treated.person[:k]] = np.arange(k)
    kvp_m = _months_covered(kvp["person"], kvp["start"], kvp["end"], ord_of, k)
    edu_all = _months_covered(edu["person"], edu["start"], edu["end"], ord_of, k)
    base = ~planted
    edu_base = _months_covered(edu["person"][base], edu["start"][base], edu["end"][base], ord_of, k)
    for name, y1, y0 in outcome_matrices(
        world, tr_out, kvp_m, edu_all, edu_base, tb.rows, tb.purpose
    ):
        tb.add(name, y1, y0)
    del kvp_m, edu_all, edu_base
    tb.close()
    tb.write_cells(out_dir / TRUTH_CELLS_FILE)
    pq.write_table(tb.persons_table(), out_dir / TRUTH_PERSONS_FILE)
    tj = {
        "definition": DEFINITION,
        "generator": extract["generator"],
        "preset": preset,
        "features": feats.as_dict(),
        "feature_parameters": P.parameters_for_truth(feats),
        "seed": seed,
        "scale": scale,
        "employment_threshold_nok": DEFAULT_EMPLOYMENT_THRESHOLD_NOK,
        "observation_window": [DEFAULT_OBSERVATION_START, DEFAULT_OBSERVATION_END],
        "event_times": [int(design.EVENT_TIME_MIN), int(design.EVENT_TIME_MAX)],
        "effect_parameters": _effect_parameters_json(feats),
        "files": {
            "cells": TRUTH_CELLS_FILE,
            "persons": TRUTH_PERSONS_FILE,
            "diffs": TRUTH_DIFFS_FILE,
            "recipe": "docs/SYNTHETIC.md; analysis.synthetic.truth.truth_for",
        },
    }
    tj.update(tb.json())
    (out_dir / TRUTH_FILE).write_text(_json_lines(tj))


def _json_lines(obj: dict) -> str:
    """JSON with the small top-level entries indented and one line per outcome in the large ones
    (readable, and written by the fast C encoder)."""
    parts = []
    for key, value in obj.items():
        if isinstance(value, dict) and key.startswith(("outcomes", "intended")):
            inner = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in value.items())
            parts.append(f" {json.dumps(key)}: {{\n{inner}\n }}")
        else:
            parts.append(f" {json.dumps(key)}: " + json.dumps(value, indent=2).replace("\n", "\n "))
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _effect_parameters_json(feats: P.Features) -> dict:
    return {
        "lock_in_pp_by_status_group": P.LOCKIN,
        "lock_in_scaling": f"lock-in x min(1, p0_it / {P.LOCKIN_P_REF}) (p0_it = the untreated "
        "employment probability), in every month from the first spell's start month to its end "
        "month (to the window end if ongoing)",
        "post_effect_pp_by_purpose": P.POST_EFFECT,
        "post_effect_multiplier_by_status_group": P.GROUP_MULTIPLIER,
        "post_ramp_months_by_purpose": P.POST_RAMP_MONTHS,
        "post_effect_shape": "post x min(1, months since end month / ramp) from the month "
        "after the first spell's end month, persisting to the end of the window",
        "heterogeneous_effects": feats.heterogeneous_effects,
        "latent_purpose_note": "effects depend on the latent purpose of the first spell; "
        "spells without a digital agreement carry a latent purpose too (pipeline: UKJENT)",
        "intended_outcome_effects": {
            "same_employer_prob_by_purpose": P.SAME_EMPLOYER_PROB,
            "wage_subsidy_after_at_prob_by_purpose": P.WAGE_SUBSIDY_AFTER_AT_PROB,
            "apprenticeship_after_fag": P.APPRENTICESHIP_AFTER_FAG,
            "chain_prob_by_status_group": P.CHAIN_PROB,
            "utproving_chain_mult": P.UTPROVING_CHAIN_MULT,
            "utproving_to_nedsatt": P.UTPROVING_TO_NEDSATT if feats.responsive_benefits else 0,
            "utproving_ufore_mult": P.UTPROVING_UFORE_MULT if feats.responsive_benefits else 1,
        },
        "second_spells": "no effect of their own on employment; their months count as "
        "participation (registration held, tiltakspenger) on the treated path",
    }


def _write(table: pa.Table, out_dir: Path, name: str, fmt: str, rows: dict) -> None:
    write_table(table, out_dir, name, fmt)
    rows[name] = table.num_rows


def _agreements(rng, at, ns, spell_pos_of_row):
    """Agreement rows (with their spell position) and purpose rows (by agreement row)."""
    parts: list[dict] = []
    purp_parts: list[dict] = []
    offset = 0

    def add(spell_pos, start, end, position, status, reason, purpose1, real):
        nonlocal offset
        k = spell_pos.size
        end = np.maximum(np.minimum(end, OBS_END_DAY), start)
        days = np.clip(np.round(position / 100.0 * 5 * 2) / 2, 1.0, 5.0)
        styrk = np.where(rng.random(k) < 0.04, -1, rng.integers(0, len(_STYRK), k))
        parts.append(
            {
                "spell_pos": spell_pos,
                "start": start,
                "end": end,
                "position": position.astype(float),
                "days": days,
                "styrk": styrk,
                "status": status,
                "reason": reason,
                "real": np.full(k, real),
            }
        )
        ids = offset + np.arange(k)
        second = rng.random(k) < P.SECOND_PURPOSE_PROB
        w = np.broadcast_to(_SECOND_PURPOSE_W, (k, len(PURPOSES))).copy()
        w[np.arange(k), purpose1] = 0.0
        cum = np.cumsum(w, axis=1)
        p2 = (rng.random(k)[:, None] * cum[:, -1:] > cum).sum(axis=1)
        purp_parts.append(
            {
                "agreement": np.concatenate([ids, ids[second]]),
                "purpose": np.concatenate([purpose1, p2[second]]),
                "rank": np.concatenate([np.ones(k, np.int64), np.full(second.sum(), 2)]),
            }
        )
        offset += k

    cov = np.flatnonzero(at.covered)
    start = at.start[cov] - np.where(rng.random(cov.size) < 0.06, rng.integers(1, 15, cov.size), 0)
    ongoing = at.outcome[cov] == O_GJENN
    broken = np.isin(at.outcome[cov], (O_DELAVB, O_GJENN_AVB))
    reason = np.where(
        broken,
        np.array(_END_REASONS_BROKEN)[choice_idx(rng, _END_REASONS_BROKEN_P, cov.size)],
        np.array(_END_REASONS_DONE)[choice_idx(rng, _END_REASONS_DONE_P, cov.size)],
    )
    reason = np.where(ongoing, "", reason)
    add(
        spell_pos_of_row[cov],
        start,
        at.agreed_end[cov],
        at.part_time[cov],
        np.where(ongoing, "GJENNOMFORES", "AVSLUTTET"),
        reason,
        at.purpose[cov],
        True,
    )
    shares = np.array([P.PURPOSE_SHARES[p] for p in PURPOSES])
    # A few took-place spells also carry an earlier agreement that was annulled.
    extra = cov[rng.random(cov.size) < P.ANNULLED_SHARE_TOOK_PLACE]
    e_start = at.start[extra] - rng.integers(5, 30, extra.size)
    e_purpose = (at.purpose[extra] + rng.integers(1, len(PURPOSES), extra.size)) % len(PURPOSES)
    add(
        spell_pos_of_row[extra],
        e_start,
        add_months(e_start, 3) - 1,
        at.part_time[extra],
        np.full(extra.size, "ANNULLERT"),
        np.full(extra.size, "FEILREGISTRERT"),
        e_purpose,
        False,
    )
    # Not-started spells in the digital era: some have an annulled agreement.
    ns_m = day_to_month(ns.start)
    p_ann = P.ANNULLED_SHARE_NOT_STARTED * coverage_share(ns_m)
    k = np.flatnonzero(rng.random(ns.person.size) < p_ann)
    add(
        spell_pos_of_row[at.n + k],
        ns.start[k],
        add_months(ns.start[k], 3) - 1,
        np.full(k.size, 100.0),
        np.full(k.size, "ANNULLERT"),
        np.array(["DELTAKER_TRUKKET", "ARBEIDSGIVER_TRUKKET", "ANNET"])[rng.integers(0, 3, k.size)],
        choice_idx(rng, shares, k.size),
        False,
    )
    agr = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    purp = {key: np.concatenate([p[key] for p in purp_parts]) for key in purp_parts[0]}
    return agr, purp
