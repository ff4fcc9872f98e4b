"""Persons: demographics, latent traits, register presence and first contact with NAV."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.contract import IMMIGRANT_CATEGORIES
from analysis.synthetic import params as P
from analysis.synthetic._util import choice_idx, logistic
from analysis.synthetic.calendar import OBS_END_M

IMM_B = IMMIGRANT_CATEGORIES.index("B")
IMM_C = IMMIGRANT_CATEGORIES.index("C")
# Month index sentinels for "always" (presence without bounds).
FOREVER_BEFORE = -(10**6)
FOREVER_AFTER = 10**6

_NUS_PROBS_A = (0.005, 0.03, 0.27, 0.12, 0.30, 0.03, 0.16, 0.06, 0.005, 0.02)
_NUS_PROBS_B = (0.02, 0.05, 0.22, 0.08, 0.17, 0.02, 0.13, 0.07, 0.01, 0.23)
_POSITIONS = np.array([100.0, 80.0, 60.0, 50.0, 40.0, 20.0])
_POSITION_PROBS = (0.45, 0.15, 0.12, 0.13, 0.08, 0.07)
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
    p_start: np.ndarray  # first month in the registers (age 16 / arrival), FOREVER_BEFORE if none
    p_end: np.ndarray  # last month in the registers (67, death, emigration), FOREVER_AFTER if none
    entry_m: np.ndarray  # month of the first NAV contact (always a registration)
    eta: np.ndarray  # unobserved persistent employability
    h: np.ndarray  # unobserved health problems (drive NEDSATT status and uføretrygd)
    index: np.ndarray  # latent index of the untreated employment probability (person part)
    b: np.ndarray  # person part of the untreated employment probability, in [B_LOW, B_HIGH]
    leave_age: np.ndarray  # school-leaving age (years) of the person's education
    wage: np.ndarray  # full-time monthly wage level at PEXP_REF years of experience, NOK
    position: np.ndarray  # usual position percentage
    p_ned_first: np.ndarray  # probability that the first contact is as NEDSATT_ARBEIDSEVNE

    def present(self, m: int, rows=slice(None)) -> np.ndarray:
        return (self.p_start[rows] <= m) & (self.p_end[rows] >= m)

    def age_years(self, m, rows=slice(None)) -> np.ndarray:
        return (m - self.birth_m[rows]) / 12.0


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


def _gompertz_age(rng, age0, log_level):
    """Age at death from age0 on, with hazard exp(log_level + MORTALITY_B * age) per year."""
    e = rng.exponential(size=age0.size)
    b = P.MORTALITY_B
    lam0 = np.exp(log_level)
    return np.log(np.exp(b * age0) + b * e / lam0) / b


def make_population(rng: np.random.Generator, n: int, features: P.Features) -> Population:
    world = "hard" if features.age_profile else "easy"
    lo, hi = P.BIRTH_RANGE[world]
    a, bb = P.BIRTH_BETA[world]
    span = hi - lo + 1
    birth_m = lo + np.floor(span * rng.beta(a, bb, n)).astype(np.int64)
    birth_m = np.minimum(birth_m, hi)
    female = rng.random(n) < P.FEMALE_SHARE_POPULATION
    immigrant = choice_idx(rng, list(P.IMMIGRANT_PROBS.values()), n)
    # Category C (Norwegian-born to immigrant parents) is young.
    old_c = (immigrant == IMM_C) & (birth_m < -12 * 35)
    immigrant[old_c] = 0
    nus = np.where(
        immigrant == IMM_B,
        choice_idx(rng, _NUS_PROBS_B, n),
        choice_idx(rng, _NUS_PROBS_A, n),
    )
    age_2016 = -birth_m / 12.0
    nus = np.where((age_2016 < 21) & (nus > 4) & (nus < 9), 4, nus)
    nus = np.where((age_2016 < 24) & (nus > 6) & (nus < 9), 6, nus)
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
    leave_age = np.asarray(P.LEAVE_AGE_BY_NUS, dtype=float)[nus]

    # Register presence: from age 16 (or arrival) to age 67, death or emigration.
    arrival = np.full(n, FOREVER_BEFORE, dtype=np.int64)
    u_draws = rng.random((3, n))
    if features.age_profile:
        p_start = birth_m + 12 * P.REGISTER_FROM_AGE
        # Arrivals during the simulation, before age 60 (older immigrants arrived earlier).
        arrive_m = P.SIM_FIRST_M + np.floor(
            u_draws[1] * (P.ENTRY_M_MAX - 4 - P.SIM_FIRST_M)
        ).astype(np.int64)
        arrive = (
            (immigrant == IMM_B)
            & (u_draws[0] < P.ARRIVAL_IN_SIM_SHARE)
            & (arrive_m < birth_m + 12 * 60)
        )
        arrival[arrive] = arrive_m[arrive]
        p_start = np.maximum(p_start, arrival)
    else:
        p_start = np.full(n, FOREVER_BEFORE, dtype=np.int64)
    p_end = np.full(n, FOREVER_AFTER, dtype=np.int64)
    if features.attrition:
        p_end = birth_m + 12 * P.REGISTER_UNTIL_AGE - 1
        from_m = np.maximum(p_start, P.SIM_FIRST_M)
        age0 = (from_m - birth_m) / 12.0
        death_age = _gompertz_age(rng, age0, P.MORTALITY_LN_A + P.MORTALITY_H * h)
        death_m = birth_m + np.floor(death_age * 12).astype(np.int64)
        emig_rate = np.array([P.EMIGRATION_PER_YEAR[c] for c in IMMIGRANT_CATEGORIES])[immigrant]
        emig_m = from_m + np.floor(rng.exponential(size=n) / emig_rate * 12).astype(np.int64)
        p_end = np.minimum(p_end, np.minimum(death_m, emig_m) - 1)
    # The frame: persons in the registers for at least six months from the later of their first
    # month and the window start (so present in the window), who contact NAV while present.
    first = np.maximum(p_start, P.SIM_FIRST_M)
    p_end = np.maximum(p_end, np.maximum(p_start, 0) + 6)
    # First NAV contact: registered at the start of the simulation, or a first registration
    # uniform over the months the person is present (up to ENTRY_M_MAX).
    last_entry = np.minimum(p_end, P.ENTRY_M_MAX)
    at_start = (u_draws[2] < P.REGISTERED_AT_START) & (first == P.SIM_FIRST_M)
    entry_m = first + np.floor(rng.random(n) * (last_entry - first + 1)).astype(np.int64)
    entry_m = np.where(at_start, P.SIM_FIRST_M, entry_m)
    age_entry = (entry_m - birth_m) / 12.0
    p_ned_first = logistic(-1.0 + 1.1 * h - 0.4 * eta + 0.025 * (age_entry - 40))
    assert (entry_m <= OBS_END_M).all()
    return Population(
        n=n,
        birth_m=birth_m,
        female=female,
        immigrant=immigrant,
        nus=nus,
        municipality=municipality,
        p_start=p_start,
        p_end=p_end,
        entry_m=entry_m,
        eta=eta,
        h=h,
        index=index,
        b=b,
        leave_age=leave_age,
        wage=wage,
        position=position,
        p_ned_first=p_ned_first,
    )


def age_shift(pop: Population, m: int, rows=slice(None)) -> np.ndarray:
    """Age and potential-experience profile added to the latent index in month m."""
    age = (m - pop.birth_m[rows]) / 12.0
    leave = pop.leave_age[rows]
    pexp = np.maximum(0.0, age - leave)
    f = P.A_EXP * (np.exp(-P.PEXP_REF / P.TAU_EXP) - np.exp(-pexp / P.TAU_EXP))
    f -= P.A_SCHOOL * (age < leave)
    f -= P.A_OLD * np.maximum(0.0, age - 55.0) / 10.0
    return f


def wage_profile(pop: Population, t_months: np.ndarray, rows) -> np.ndarray:
    """Log-wage shift for potential experience (rows x months), 0 at PEXP_REF years."""
    age = (t_months[None, :] - pop.birth_m[rows, None]) / 12.0
    pexp = np.clip(age - pop.leave_age[rows, None], 0.0, 30.0)
    ref = P.PEXP_REF

    def g(x):
        return P.WAGE_EXP * x + P.WAGE_EXP2 * x**2

    return g(pexp) - g(ref)
