"""Persons, their latent employability, and their registered status spells at NAV."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.contract import IMMIGRANT_CATEGORIES, INNSATSGRUPPER
from analysis.synthetic import params as P
from analysis.synthetic._util import choice_idx, logistic
from analysis.synthetic.calendar import (
    OBS_END_DAY,
    OBS_END_M,
    OBS_START_DAY,
    day_to_month,
    month_end,
    month_start,
    random_day_in_month,
)

AS, NEDSATT = 0, 1  # status codes (index into contract.NAV_STATUSES)
IMM_B = IMMIGRANT_CATEGORIES.index("B")
IMM_C = IMMIGRANT_CATEGORIES.index("C")

# Status code of a person in a month (the month matrix): none, whole month in an ARBEIDSSOKER
# spell, whole month in a NEDSATT_ARBEIDSEVNE spell, or registered for part of the month.
CODE_NONE, CODE_AS, CODE_NEDSATT, CODE_PARTIAL = 0, 1, 2, 3

_NUS_LEVELS = np.arange(10)
_NUS_PROBS_A = (0.005, 0.03, 0.27, 0.12, 0.30, 0.03, 0.16, 0.06, 0.005, 0.02)
_NUS_PROBS_B = (0.02, 0.05, 0.22, 0.08, 0.17, 0.02, 0.13, 0.07, 0.01, 0.23)
_POSITIONS = np.array([100.0, 80.0, 60.0, 50.0, 40.0, 20.0])
_POSITION_PROBS = (0.45, 0.15, 0.12, 0.13, 0.08, 0.07)
# Innsatsgruppe probabilities by status (STANDARD, SITUASJONSBESTEMT, SPESIELT, VARIG).
_INNSATS_PROBS = {AS: (0.50, 0.38, 0.10, 0.02), NEDSATT: (0.0, 0.12, 0.72, 0.16)}
ENTRY_M_LAST_AGAIN = P.ENTRY_M_MAX
_COUNTY_PREFIXES = (
    ("11", 23), ("15", 26), ("18", 41), ("30", 45), ("34", 46), ("38", 23), ("42", 25),
    ("46", 43), ("50", 38), ("54", 39),
)  # fmt: skip


@dataclass
class Population:
    n: int
    birth_m: np.ndarray  # month index of birth
    female: np.ndarray  # bool
    immigrant: np.ndarray  # index into IMMIGRANT_CATEGORIES
    nus: np.ndarray  # 0-9
    municipality: np.ndarray  # int, 4-digit code
    entry_m: np.ndarray  # month index of first NAV registration
    eta: np.ndarray  # unobserved persistent employability
    h: np.ndarray  # unobserved health problems (drive NEDSATT status and uføretrygd)
    b: np.ndarray  # untreated employment probability (person part), in [B_LOW, B_HIGH]
    wage: np.ndarray  # full-time monthly wage level, NOK
    position: np.ndarray  # usual position percentage


@dataclass
class StatusSpells:
    person: np.ndarray
    status: np.ndarray  # AS / NEDSATT
    innsats: np.ndarray  # index into INNSATSGRUPPER, -1 = null
    start: np.ndarray  # day number
    end: np.ndarray  # day number, inclusive; > OBS_END_DAY means ongoing at extraction
    ufore_day: np.ndarray  # per person: day uføretrygd starts (-1: never)
    ever_nedsatt: np.ndarray  # per person


def municipality_codes(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A few hundred 4-digit municipality codes and their population weights (Oslo largest)."""
    codes = [301]
    for prefix, k in _COUNTY_PREFIXES:
        nums = np.sort(rng.choice(np.arange(1, 100), size=k, replace=False))
        codes.extend(int(prefix) * 100 + nums)
    codes = np.array(codes, dtype=np.int64)
    w = 1.0 / (np.arange(len(codes)) + 3.0) ** 0.9
    w = w[rng.permutation(len(codes))]
    w[0] = w.max() * 4  # Oslo
    return codes, w / w.sum()


def make_population(rng: np.random.Generator, n: int) -> Population:
    # Birth: registrants skew young.
    span = P.BIRTH_M_MAX - P.BIRTH_M_MIN + 1
    birth_m = P.BIRTH_M_MIN + np.floor(span * rng.beta(1.35, 1.0, n)).astype(np.int64)
    birth_m = np.minimum(birth_m, P.BIRTH_M_MAX)
    female = rng.random(n) < P.FEMALE_SHARE_POPULATION
    immigrant = choice_idx(rng, list(P.IMMIGRANT_PROBS.values()), n)
    # Category C (Norwegian-born to immigrant parents) is young.
    old_c = (immigrant == IMM_C) & (birth_m < -12 * 35)
    immigrant[old_c] = 0
    # First registration: uniform over the available months, not before age 17.
    lo = np.maximum(P.ENTRY_M_MIN, birth_m + 17 * 12)
    entry_m = lo + np.floor(rng.random(n) * (P.ENTRY_M_MAX - lo + 1)).astype(np.int64)
    age_entry = (entry_m - birth_m) / 12.0
    nus = np.where(
        immigrant == IMM_B,
        choice_idx(rng, _NUS_PROBS_B, n),
        choice_idx(rng, _NUS_PROBS_A, n),
    )
    nus = np.where((age_entry < 21) & (nus > 4) & (nus < 9), 4, nus)
    nus = np.where((age_entry < 24) & (nus > 6) & (nus < 9), 6, nus)
    nus_eff = np.where(nus == 9, 2, nus)
    codes, w = municipality_codes(rng)
    municipality = codes[choice_idx(rng, w, n)]

    eta = rng.standard_normal(n)
    h = -0.3 * eta + np.sqrt(1 - 0.09) * rng.standard_normal(n)
    index = -0.35 + 1.0 * eta - 0.55 * h + 0.12 * (nus_eff - 4) - 0.3 * (immigrant == IMM_B)
    b = P.B_LOW + (P.B_HIGH - P.B_LOW) * logistic(index)
    wage = np.exp(
        np.log(36_000)
        + 0.07 * (nus_eff - 4)
        + 0.12 * eta
        + 0.10 * (~female)
        + 0.25 * rng.standard_normal(n)
    )
    position = _POSITIONS[choice_idx(rng, _POSITION_PROBS, n)]
    pop = Population(
        n=n,
        birth_m=birth_m,
        female=female,
        immigrant=immigrant,
        nus=nus,
        municipality=municipality,
        entry_m=entry_m,
        eta=eta,
        h=h,
        b=b,
        wage=wage,
        position=position,
    )
    return pop


def _chains(rng, pop: Population, persons, start, status, p_ned_trans, p_uf, out, ufore):
    """Simulate chains of status spells for `persons` from day `start` in `status`."""
    cur = np.full(pop.n, -1, dtype=np.int64)
    st_all = np.zeros(pop.n, dtype=np.int8)
    cur[persons] = start
    st_all[persons] = status
    active = np.zeros(pop.n, dtype=bool)
    active[persons] = True
    for _ in range(10):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        st = st_all[idx]
        m = idx.size
        dur_as = np.maximum(20, rng.exponential(8 * 30.4, m))
        dur_ned = np.minimum(np.exp(np.log(26 * 30.4) + 0.75 * rng.standard_normal(m)), 3650)
        dur = np.where(st == AS, dur_as, dur_ned).astype(np.int64)
        begin = cur[idx]
        end = begin + dur - 1
        ins = np.where(
            st == AS,
            choice_idx(rng, _INNSATS_PROBS[AS], m),
            choice_idx(rng, _INNSATS_PROBS[NEDSATT], m),
        )
        ins = np.where(rng.random(m) < 0.03, -1, ins)
        for lst, v in zip(out, (idx, st, ins, begin, end), strict=True):
            lst.append(v)
        u = rng.random(m)
        gap_as = np.maximum(15, rng.exponential(9 * 30.4, m)).astype(np.int64)
        gap_ned = np.maximum(1, rng.exponential(2 * 30.4, m)).astype(np.int64)
        to_ned = (st == AS) & (u < p_ned_trans)
        re_as = (st == AS) & (u >= p_ned_trans) & (u < p_ned_trans + 0.45)
        to_ufore = (st == NEDSATT) & (u < p_uf[idx])
        to_as = (st == NEDSATT) & (u >= p_uf[idx]) & (u < p_uf[idx] + 0.12)
        ufore[idx[to_ufore]] = end[to_ufore] + 1
        nxt = np.where(to_ned, end + 1, np.where(re_as, end + 1 + gap_as, end + 1 + gap_ned))
        st_all[idx] = np.where(to_ned, NEDSATT, AS).astype(np.int8)
        cur[idx] = nxt
        active[idx] = (to_ned | re_as | to_as) & (nxt <= OBS_END_DAY)


def make_status_spells(rng: np.random.Generator, pop: Population) -> StatusSpells:
    """Chains of ARBEIDSSOKER / NEDSATT_ARBEIDSEVNE spells per person (depend on latent traits
    and demographics only, never on the transitory employment shock)."""
    n = pop.n
    age_entry = (pop.entry_m - pop.birth_m) / 12.0
    p_ned = logistic(-1.0 + 1.1 * pop.h - 0.4 * pop.eta + 0.025 * (age_entry - 40))
    p_uf = logistic(-0.35 - 6.0 * (pop.b - 0.25) + 0.04 * (age_entry - 40))
    ufore = np.full(n, -1, dtype=np.int64)
    out: tuple[list, ...] = ([], [], [], [], [])
    everyone = np.arange(n)
    status0 = (rng.random(n) < p_ned).astype(np.int8)
    _chains(
        rng, pop, everyone, random_day_in_month(rng, pop.entry_m), status0, 0.16, p_uf, out, ufore
    )
    # Everyone is registered at some point in the window: a person whose chain ended before
    # 2016 registers again at a random date in the window (any uføretrygd before is dropped).
    person = np.concatenate(out[0])
    last_end = np.full(n, -(10**9), dtype=np.int64)
    np.maximum.at(last_end, person, np.concatenate(out[4]))
    again = np.flatnonzero(last_end < OBS_START_DAY)
    ufore[again] = -1
    m_again = rng.integers(0, ENTRY_M_LAST_AGAIN + 1, again.size)
    status1 = (rng.random(again.size) < p_ned[again]).astype(np.int8)
    _chains(rng, pop, again, random_day_in_month(rng, m_again), status1, 0.16, p_uf, out, ufore)
    person = np.concatenate(out[0])
    order = np.lexsort((np.concatenate(out[3]), person))
    sp = StatusSpells(
        person=person[order],
        status=np.concatenate(out[1])[order],
        innsats=np.concatenate(out[2])[order],
        start=np.concatenate(out[3])[order],
        end=np.concatenate(out[4])[order],
        ufore_day=ufore,
        ever_nedsatt=np.zeros(n, dtype=bool),
    )
    sp.ever_nedsatt[sp.person[sp.status == NEDSATT]] = True
    return sp


def status_month_matrix(pop: Population, sp: StatusSpells, first_m: int) -> np.ndarray:
    """Person x month (first_m..OBS_END_M) status code: CODE_NONE/AS/NEDSATT/PARTIAL."""
    nm = OBS_END_M - first_m + 1
    mat = np.zeros((pop.n, nm), dtype=np.int8)
    sm = np.maximum(day_to_month(sp.start), first_m)
    em = np.minimum(day_to_month(sp.end), OBS_END_M)
    length = np.maximum(em - sm + 1, 0)
    for lo in range(0, sp.person.size, 2_000_000):
        sl = slice(lo, lo + 2_000_000)
        ln = length[sl]
        rep = np.repeat(np.arange(ln.size), ln)
        offs = np.arange(rep.size) - np.repeat(np.cumsum(ln) - ln, ln)
        month = sm[sl][rep] + offs
        full = (sp.start[sl][rep] <= month_start(month)) & (sp.end[sl][rep] >= month_end(month))
        code = np.where(full, sp.status[sl][rep] + 1, CODE_PARTIAL).astype(np.int8)
        pers = sp.person[sl][rep]
        # A month shared by two spells of one person is partial whichever is written last.
        cur = mat[pers, month - first_m]
        code = np.where((cur != CODE_NONE) & (cur != code), CODE_PARTIAL, code).astype(np.int8)
        mat[pers, month - first_m] = code
    return mat


INNSATS_CODES = INNSATSGRUPPER
