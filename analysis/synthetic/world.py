"""The monthly microsimulation: untreated paths for everyone, selection into arbeidstrening on
the untreated history, and treated paths for participants, with common random numbers.

Each month m (from params.SIM_FIRST_M to the window end), for all persons at once:

1. **Selection** (from params.AT_FIRST_M): the stock controller draws the month's starters from
   the persons' *observed* state at the end of month m - 1 (the untreated path for anyone not yet
   treated), never from month m or later.
2. **Untreated step** for every person: the latent employment shock z_it (AR(1)), untreated
   employment Y0_it = 1{Phi(z_it) < p0_it}, then NAV registration, other programmes and
   benefits driven by Y0 (see `_advance`).
3. **Treated step** for every person whose first took-place arbeidstrening spell has started:
   the same step with the same z_it and the same uniform draws (common random numbers), but with
   employment Y1_it = 1{Phi(z_it) < p0_it + tau_it}, the arbeidstrening spells themselves
   (registration held, tiltakspenger), and what follows them (chained programmes, utprøving).
   Before the first start the two paths are identical, so the treated state is a copy of the
   untreated state at the end of month s1 - 1.

The observed register is the untreated path for the never-treated and for the treated before
their first start, and the treated path from the first start on. Both paths of the treated are
kept for the truth (`World.untreated`). Everything is vectorised over persons; the only Python
loop is over months.

Month codes written to the (month x person) matrices:

* status: 0 none; 1 + innsats for ARBEIDSSOKER (1-5), 6 + innsats for NEDSATT_ARBEIDSEVNE (6-10),
  innsats 0-3 = contract.INNSATSGRUPPER, 4 = none;
* benefits: bit set BEN_AAP (full), BEN_AAP_GRADED (AAP graded by work), BEN_DP, BEN_TP,
  BEN_UF, BEN_SH;
* programme: 0 none, else 1 + index into OTHER_CODES, plus PROG_START_BIT in the month a spell
  starts (so that back-to-back spells of one code stay apart).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr, ndtri

from analysis.contract import IMMIGRANT_CATEGORIES, PURPOSES
from analysis.design import NEVER
from analysis.synthetic import params as P
from analysis.synthetic._util import logistic, rng_for
from analysis.synthetic.arbeidstrening import (
    G_ANNET,
    GROUPS,
    O_GJENN,
    STATUS_OF_CODE,
    PurposeAssigner,
    StockController,
    at_spells_from_records,
    draw_spell_extras,
)
from analysis.synthetic.calendar import N_OBS_MONTHS, OBS_END_M, m_of
from analysis.synthetic.employers import Employers
from analysis.synthetic.population import Population, age_shift

NEVER_EMPLOYED = -(10**4)
BEN_AAP, BEN_AAP_GRADED, BEN_DP, BEN_TP, BEN_UF, BEN_SH = 1, 2, 4, 8, 16, 32
PROG_START_BIT = 0x80
OTHER_CODES = tuple(P.OTHER_PROGRAMMES)
N_SIM_MONTHS = OBS_END_M - P.SIM_FIRST_M + 1
BLOCK = 65_536  # persons per block of the untreated step
K_UNIFORMS = 8  # status, innsats, aap, sh, programme start, code, duration, dagpenger (easy)
IMM_B = IMMIGRANT_CATEGORIES.index("B")
P_UTPROVING = PURPOSES.index("UTPROVING")


def calendar_effect(months: np.ndarray) -> np.ndarray:
    """c_t: the common calendar part of the untreated employment probability."""
    t = np.asarray(months)
    month = np.mod(t, 12) + 1
    c = P.SEASON_AMPLITUDE * np.cos(2 * np.pi * (month - 7) / 12)
    a, b, e = m_of(2020, 4), m_of(2020, 6), m_of(2020, 12)
    covid = np.where((t >= a) & (t <= b), 1.0, 0.0)
    fade = (t > b) & (t <= e)
    covid = np.where(fade, 1.0 - (t - b) / (e - b), covid)
    c = c - P.COVID_DIP * covid
    return c + P.TREND_2021_2024 * np.clip((t - m_of(2021, 6)) / 12.0, 0.0, 1.0)


@dataclass
class PathState:
    """State of one path (untreated for everyone, or treated for participants) at month end."""

    code: np.ndarray  # int8 status code
    st_since: np.ndarray  # int32 month the current NAV status (group) began
    ufore: np.ndarray  # bool
    dp_left: np.ndarray  # int16 dagpenger months left
    aap_elig: np.ndarray  # bool
    aap_used: np.ndarray  # int16
    sh: np.ndarray  # bool
    prog: np.ndarray  # int8 other programme (0 none, 1 + index into OTHER_CODES)
    prog_end: np.ndarray  # int32 last month of the current programme
    emp_prev: np.ndarray  # bool employed last month
    recent: np.ndarray  # float32 exponentially weighted count of recent employed months
    last_emp: np.ndarray  # int32 last month employed

    @classmethod
    def empty(cls, n: int) -> PathState:
        return cls(
            code=np.zeros(n, np.int8),
            st_since=np.zeros(n, np.int32),
            ufore=np.zeros(n, bool),
            dp_left=np.zeros(n, np.int16),
            aap_elig=np.zeros(n, bool),
            aap_used=np.zeros(n, np.int16),
            sh=np.zeros(n, bool),
            prog=np.zeros(n, np.int8),
            prog_end=np.full(n, -(10**6), np.int32),
            emp_prev=np.zeros(n, bool),
            recent=np.zeros(n, np.float32),
            last_emp=np.full(n, NEVER_EMPLOYED, np.int32),
        )

    def names(self):
        return self.__dataclass_fields__.keys()

    def view(self, sl: slice) -> PathState:
        """The persons of slice `sl`, as views (changes write through)."""
        return PathState(**{k: getattr(self, k)[sl] for k in self.names()})

    def put(self, idx, other: PathState, src=slice(None)) -> None:
        for k in self.names():
            getattr(self, k)[idx] = getattr(other, k)[src]

    def grow(self, cap: int) -> None:
        for k in self.names():
            a = getattr(self, k)
            b = np.zeros(cap, dtype=a.dtype)
            b[: a.size] = a
            setattr(self, k, b)


@dataclass
class Treated:
    """Per participant (ordinal in order of first start): treatment and the treated path."""

    cap: int
    k: int = 0
    person: np.ndarray = None
    s1: np.ndarray = None  # first start month
    x1: np.ndarray = None  # first end month (NEVER if ongoing at extraction)
    group: np.ndarray = None
    purpose: np.ndarray = None  # latent purpose of the first spell
    lock: np.ndarray = None
    post: np.ndarray = None
    ramp: np.ndarray = None
    at_s: np.ndarray = None  # current (or last) spell's months
    at_e: np.ndarray = None
    chain_m: np.ndarray = None  # month a chained programme starts (-1 none)
    chain_code: np.ndarray = None
    chain_long: np.ndarray = None  # the chained programme follows utprøving (longer)
    ned_at: np.ndarray = None  # utprøving: month a job seeker moves to NEDSATT (-1 none)
    boost_until: np.ndarray = None  # utprøving: uføretrygd hazard raised up to this month
    state: PathState = None

    def __post_init__(self):
        c = self.cap
        self.person = np.zeros(c, np.int64)
        for name, dt, fill in (
            ("s1", np.int32, NEVER),
            ("x1", np.int32, NEVER),
            ("group", np.int8, 0),
            ("purpose", np.int8, 0),
            ("lock", np.float32, 0),
            ("post", np.float32, 0),
            ("ramp", np.float32, 1),
            ("at_s", np.int32, NEVER),
            ("at_e", np.int32, -1),
            ("chain_m", np.int32, -1),
            ("chain_code", np.int8, 0),
            ("chain_long", bool, False),
            ("ned_at", np.int32, -1),
            ("boost_until", np.int32, -1),
        ):
            setattr(self, name, np.full(c, fill, dtype=dt))
        self.state = PathState.empty(c)

    _ARRAYS = (
        "person", "s1", "x1", "group", "purpose", "lock", "post", "ramp", "at_s", "at_e",
        "chain_m", "chain_code", "chain_long", "ned_at", "boost_until",
    )  # fmt: skip

    def ensure(self, need: int) -> None:
        if need <= self.cap:
            return
        cap = max(need, 2 * self.cap)
        for name in self._ARRAYS:
            a = getattr(self, name)
            b = np.zeros(cap, dtype=a.dtype)
            b[: a.size] = a
            setattr(self, name, b)
        self.state.grow(cap)
        self.cap = cap


@dataclass
class World:
    """What the simulation leaves for the writers and the truth."""

    status: np.ndarray  # (N_SIM_MONTHS, n) int8 observed status code
    benefits: np.ndarray  # (N_SIM_MONTHS, n) uint8 observed benefit bits
    programme: np.ndarray  # (N_SIM_MONTHS, n) uint8 observed other programme
    employed: np.ndarray  # (N_OBS_MONTHS, n) bool observed employment (window months)
    at: object  # ATSpells
    treated: Treated
    # Untreated path of the treated, window months x treated ordinal (valid from s1 on).
    untreated: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)


def _innsats_code(u: np.ndarray, status: np.ndarray) -> np.ndarray:
    """Status code for a new spell of status 1 (AS) or 2 (NEDSATT), innsatsgruppe from u."""
    out = np.zeros(u.size, np.int8)
    for st, base in ((1, 1), (2, 6)):
        cum = np.cumsum(P.INNSATS_PROBS[st])
        sel = status == st
        out[sel] = base + np.minimum(np.searchsorted(cum, u[sel], side="right"), 4)
    return out


class _Context:
    """Per-person constants and per-month tables used by `_advance`."""

    def __init__(self, pop: Population, features: P.Features):
        self.pop = pop
        self.f = features
        h = pop.h
        self.hfac = np.exp(P.NED_H * h - P.NED_H**2 / 2).astype(np.float32)
        # uføretrygd hazard = ufac * exp(UFORE_AGE * m / 12) (age = (m - birth_m) / 12)
        self.ufac = (
            P.H_UFORE * np.exp(P.UFORE_H * (h - 1.0) + P.UFORE_AGE * (-pop.birth_m / 12.0 - 45.0))
        ).astype(np.float32)
        self.pos_high = pop.position > P.AAP_MAX_POSITION
        self.dp_len = np.where(pop.wage * pop.position / 100 >= P.DP_LONG_MONTHLY_NOK, 24, 12)
        self.dp_easy_p = np.clip(1.6 * (pop.b - 0.15), 0.0, 0.75).astype(np.float32)
        self.dp_easy_len = np.where(pop.b > 0.45, 24, 12)
        self.sh_entry = (P.SH_ENTRY * np.clip((0.55 - pop.b) / 0.5, 0.05, 1.0)).astype(np.float32)
        as_h = np.array([v[0] for v in P.OTHER_PROGRAMMES.values()])
        ned_h = np.array([v[1] for v in P.OTHER_PROGRAMMES.values()])
        digi = OTHER_CODES.index("DIGIOPPARB")
        self.prog_cum = {}
        for late in (False, True):
            a, nd = as_h.copy(), ned_h.copy()
            if not late:
                a[digi] = nd[digi] = 0.0
            self.prog_cum[late] = (np.cumsum(a), np.cumsum(nd))
        self.prog_logmed = np.log(
            np.array([v[2] for v in P.OTHER_PROGRAMMES.values()], dtype=float)
        )

    def p0(self, m: int, rows=slice(None)) -> np.ndarray:
        pop = self.pop
        c = float(calendar_effect(np.array([m]))[0])
        if self.f.age_profile:
            x = pop.index[rows] + age_shift(pop, m, rows)
            p = P.B_LOW + (P.B_HIGH - P.B_LOW) * logistic(x) + c
        else:
            p = pop.b[rows] + c
        return np.clip(p, 0.0, 1.0).astype(np.float32)


def _advance(ctx: _Context, S: PathState, rows, m: int, u, emp, in_at, present, tr=None):
    """Advance one path by month m for the persons `rows` (state S indexed like rows), given
    this month's employment `emp`, arbeidstrening participation `in_at` and register presence.
    `tr` (treated path only) holds the spell starts, chains and utprøving events. Returns
    (status code, benefit bits, programme byte)."""
    pop, f = ctx.pop, ctx.f
    churn, resp = f.registration_churn, f.responsive_benefits
    jl = S.emp_prev & ~emp
    # --- programmes running on from earlier months
    in_prog = (S.prog > 0) & (m <= S.prog_end) & present
    S.prog[~in_prog] = 0
    # Registration is held while in a programme (registration_churn), and in every preset in the
    # month an arbeidstrening spell starts (the status on the start day is the status before).
    at_start = tr["at_start"] if tr is not None else np.zeros_like(emp)
    frozen = (in_at | in_prog | at_start) if churn else at_start
    # --- NAV status
    code = S.code
    st = STATUS_OF_CODE[code]
    u_st, u_ins = u[0], u[1]
    hfac = ctx.hfac[rows]
    new_st = st.copy()
    first = present & (m == pop.entry_m[rows]) & (st == 0) & ~S.ufore
    new_st[first] = np.where(u_st[first] < pop.p_ned_first[rows][first], 2, 1)
    none_ok = present & (st == 0) & ~S.ufore & (m > pop.entry_m[rows]) & ~frozen
    if churn:
        youth = np.where(pop.birth_m[rows] > m - 300, P.YOUTH_AS_ENTRY, 1.0)
        p_as = np.where(jl, P.P_AS_AFTER_JOB_LOSS, np.where(emp, 0.0, P.H_AS_ENTRY * youth))
        ned_mult = np.where(jl, P.NED_AFTER_LOSS_MULT, np.where(emp, P.NED_EMPLOYED_MULT, 1.0))
    else:
        p_as = P.H_AS_ENTRY_EASY
        ned_mult = 1.0
    p_ned = P.H_NED_ENTRY * ned_mult * hfac
    to_ned = none_ok & (u_st < p_ned)
    to_as = none_ok & ~to_ned & (u_st < p_ned + p_as)
    new_st[to_ned] = 2
    new_st[to_as] = 1
    as_ok = present & (st == 1) & ~frozen
    p_exit = np.where(emp, P.P_AS_EXIT_EMPLOYED, P.H_AS_EXIT) if churn else P.H_AS_EXIT_EASY
    p_to_ned = P.H_AS_TO_NED * hfac
    as_to_ned = as_ok & (u_st < p_to_ned)
    if tr is not None:
        as_to_ned |= present & (st == 1) & (m == tr["ned_at"])
    as_exit = as_ok & ~as_to_ned & (u_st < p_to_ned + p_exit)
    new_st[as_to_ned] = 2
    new_st[as_exit] = 0
    ned_ok = present & (st == 2) & ~frozen
    p_uf = ctx.ufac[rows] * np.float32(np.exp(P.UFORE_AGE * m / 12.0))
    p_uf = np.where(m - S.st_since >= P.UFORE_MIN_MONTHS, p_uf, 0.0)
    if tr is not None and resp:
        p_uf = p_uf * np.where(m <= tr["boost_until"], P.UTPROVING_UFORE_MULT, 1.0)
    p_exit = np.where(emp, P.P_NED_EXIT_EMPLOYED, P.H_NED_EXIT) if churn else P.H_NED_EXIT_EASY
    aap_max = P.AAP_MAX_MONTHS_BEFORE_2018 if m < P.AAP_REFORM_M else P.AAP_MAX_MONTHS
    p_to_as = P.H_NED_TO_AS + (
        np.where(S.aap_elig & (S.aap_used >= aap_max), P.H_AAP_EXHAUSTED_TO_AS, 0.0)
        if resp
        else 0.0
    )
    uf_new = ned_ok & (u_st < p_uf)
    ned_exit = ned_ok & ~uf_new & (u_st < p_uf + p_exit)
    ned_to_as = ned_ok & ~uf_new & ~ned_exit & (u_st < p_uf + p_exit + p_to_as)
    new_st[ned_exit | uf_new] = 0
    new_st[ned_to_as] = 1
    S.ufore |= uf_new
    S.ufore &= present
    new_st[~present] = 0
    changed = new_st != st
    new_code = code.copy()
    new_code[new_st == 0] = 0
    idx = np.flatnonzero(changed & (new_st > 0))
    new_code[idx] = _innsats_code(u_ins[idx], new_st[idx])
    S.st_since[changed] = m
    S.code[:] = new_code
    # --- other programmes: starts (and chains after arbeidstrening)
    u_ps, u_pc, u_pd = u[4], u[5], u[6]
    can = present & (new_st > 0) & ~in_prog & ~in_at
    if churn:
        can &= ~emp
    cum_as, cum_ned = ctx.prog_cum[m >= P.DIGIOPPARB_FROM_M]
    total = np.where(new_st == 1, cum_as[-1], cum_ned[-1])
    start = can & (u_ps < total)
    pcode = np.zeros(start.sum(), np.int64)
    ss = np.flatnonzero(start)
    if ss.size:
        is_as = new_st[ss] == 1
        pcode = np.where(
            is_as,
            np.searchsorted(cum_as, u_pc[ss] * cum_as[-1], side="right"),
            np.searchsorted(cum_ned, u_pc[ss] * cum_ned[-1], side="right"),
        )
        pcode = np.minimum(pcode, len(OTHER_CODES) - 1)
        dur = np.exp(ctx.prog_logmed[pcode] + 0.5 * ndtri(np.clip(u_pd[ss], 1e-6, 1 - 1e-6)))
        S.prog[ss] = pcode + 1
        S.prog_end[ss] = m + np.maximum(1, np.rint(dur)).astype(np.int32) - 1
    if tr is not None:
        ch = np.flatnonzero(
            (m == tr["chain_m"]) & present & ~in_prog & ~in_at & ~start & (tr["chain_code"] > 0)
        )
        if ch.size:
            med = np.where(
                tr["chain_long"][ch], P.UTPROVING_CHAIN_MEDIAN_MONTHS, P.CHAIN_MEDIAN_MONTHS
            )
            dur = np.exp(np.log(med) + 0.5 * ndtri(np.clip(u_pd[ch], 1e-6, 1 - 1e-6)))
            S.prog[ch] = tr["chain_code"][ch]
            S.prog_end[ch] = m + np.maximum(1, np.rint(dur)).astype(np.int32) - 1
            start[ch] = True
    in_prog_now = (S.prog > 0) & present
    prog_byte = S.prog.astype(np.uint8) | np.where(start, PROG_START_BIT, 0).astype(np.uint8)
    prog_byte[~in_prog_now] = 0
    # --- benefits
    uf = S.ufore & present
    ned_entry = (new_st == 2) & (st != 2)
    S.aap_elig[:] = np.where(ned_entry, u[2] < P.P_AAP, S.aap_elig)
    S.aap_used[ned_entry] = 0
    aap = (new_st == 2) & S.aap_elig & (S.aap_used < aap_max) & ~uf & present
    if resp:
        aap &= ~(emp & ctx.pos_high[rows])
        graded = aap & emp
    else:
        graded = np.zeros_like(aap)
    S.aap_used += aap
    as_entry = (new_st == 1) & (st != 1)
    if resp:
        ent = as_entry & (S.recent >= P.DP_MIN_RECENT_MONTHS)
        S.dp_left[:] = np.where(ent, ctx.dp_len[rows], S.dp_left)
        dp = (new_st == 1) & ~emp & (S.dp_left > 0) & present
    else:
        draw = u[7] < ctx.dp_easy_p[rows]
        S.dp_left[:] = np.where(
            as_entry, np.where(draw, ctx.dp_easy_len[rows], 0), S.dp_left
        ).astype(np.int16)
        dp = (new_st == 1) & (S.dp_left > 0) & present
    S.dp_left -= dp
    tp = (in_at | in_prog_now) & ~aap & ~dp & ~uf & present
    hsh = ctx.sh_entry[rows] * np.where(
        new_st > 0, P.SH_REGISTERED_MULT, P.SH_UNREGISTERED_MULT
    ).astype(np.float32)
    elig = present & ~emp & ~aap & ~dp & ~uf & ~tp if resp else present
    S.sh[:] = elig & np.where(S.sh, u[3] < P.SH_STAY, u[3] < hsh)
    S.recent *= np.float32(P.RECENT_DECAY)
    S.recent += emp
    S.emp_prev[:] = emp
    S.last_emp[emp] = m
    ben = (
        aap.astype(np.uint8) * BEN_AAP
        | graded.astype(np.uint8) * BEN_AAP_GRADED
        | dp.astype(np.uint8) * BEN_DP
        | tp.astype(np.uint8) * BEN_TP
        | uf.astype(np.uint8) * BEN_UF
        | S.sh.astype(np.uint8) * BEN_SH
    )
    return new_code, ben, prog_byte


def _effect_parameters(pop: Population, features: P.Features, person, group, purpose, m):
    """Lock-in, long-run post-programme effect and ramp of new first spells."""
    lock = np.array([P.LOCKIN[g] for g in GROUPS])[group]
    post = (
        np.array([P.POST_EFFECT[q] for q in PURPOSES])[purpose]
        * np.array([P.GROUP_MULTIPLIER[g] for g in GROUPS])[group]
    )
    ramp = np.array([P.POST_RAMP_MONTHS[q] for q in PURPOSES], dtype=float)[purpose]
    if features.heterogeneous_effects:
        young = (m - pop.birth_m[person]) < 360
        imm = pop.immigrant[person] == IMM_B
        lock = lock * np.where(young, *(P.AGE_LOCKIN_MULT[k] for k in ("under_30", "30_plus")))
        post = post * np.where(young, *(P.AGE_POST_MULT[k] for k in ("under_30", "30_plus")))
        lock = lock * np.where(imm, P.IMMIGRANT_LOCKIN_MULT["B"], 1.0)
        post = post * np.where(imm, P.IMMIGRANT_POST_MULT["B"], 1.0)
        post = post * P.START_YEAR_POST_MULT[2016 + m // 12]
    return lock, post, ramp


def simulate_world(
    seed: int,
    pop: Population,
    features: P.Features,
    employers: Employers,
    scale: float,
    progress: Callable[[str], None] | None = None,
) -> World:
    say = progress or (lambda _m: None)
    n = pop.n
    ctx = _Context(pop, features)
    rng_u = rng_for(seed, 20)
    rng_z = rng_for(seed, 21)
    rng_at = rng_for(seed, 4)
    rng_purpose = rng_for(seed, 5)
    rng_tr = rng_for(seed, 22)
    controller = StockController(rng_at, pop, features, scale)
    purposes = PurposeAssigner(rng_purpose, pop)
    status = np.zeros((N_SIM_MONTHS, n), np.int8)
    benefits = np.zeros((N_SIM_MONTHS, n), np.uint8)
    programme = np.zeros((N_SIM_MONTHS, n), np.uint8)
    employed = np.zeros((N_OBS_MONTHS, n), bool)
    U = PathState.empty(n)
    tr = Treated(cap=max(1024, n // 4))
    ord_of = np.full(n, -1, np.int64)
    cap_u = tr.cap
    unt = {
        "employed": np.zeros((N_OBS_MONTHS, cap_u), bool),
        "status": np.zeros((N_OBS_MONTHS, cap_u), np.int8),
        "benefits": np.zeros((N_OBS_MONTHS, cap_u), np.uint8),
        "programme": np.zeros((N_OBS_MONTHS, cap_u), np.uint8),
    }
    records = []
    rho = np.float32(features.rho)
    innov = np.float32(np.sqrt(1.0 - features.rho**2))
    z = None
    chain_codes = {
        g: (
            np.array([OTHER_CODES.index(c) + 1 for c, _ in P.CHAIN_CODES[g]]),
            np.cumsum([w for _, w in P.CHAIN_CODES[g]]),
        )
        for g in P.CHAIN_CODES
    }
    for m in range(P.SIM_FIRST_M, OBS_END_M + 1):
        i = m - P.SIM_FIRST_M
        if m % 12 == 0:
            say(f"monthly simulation: {2016 + m // 12}")
        u = rng_u.random((K_UNIFORMS, n), dtype=np.float32)
        eps = rng_z.standard_normal(n, dtype=np.float32)
        z = eps if z is None else rho * z + innov * eps
        phi = ndtr(z)
        p0 = ctx.p0(m)
        # --- 1. selection on the observed state at the end of m - 1
        if m >= P.AT_FIRST_M:
            k = tr.k
            code_prev = status[i - 1].copy()
            inprog_prev = programme[i - 1] > 0
            ufore_prev = (benefits[i - 1] & BEN_UF) > 0
            last_emp = U.last_emp.copy()
            dp_left = U.dp_left.copy()
            if k:
                tp = tr.person[:k]
                last_emp[tp] = tr.state.last_emp[:k]
                dp_left[tp] = tr.state.dp_left[:k]
            sel = controller.select(m, code_prev, inprog_prev, ufore_prev, last_emp, dp_left)
            if sel is not None:
                persons = sel["person"]
                covered, purpose = purposes(m, persons, sel["group"])
                sel.update(draw_spell_extras(rng_at, persons.size, employers))
                sel["covered"], sel["purpose"] = covered, purpose
                records.append(sel)
                _start_spells(tr, ord_of, pop, features, sel, m, U, rng_tr, chain_codes)
                if tr.cap > unt["employed"].shape[1]:
                    for key, a in unt.items():
                        b = np.zeros((a.shape[0], tr.cap), a.dtype)
                        b[:, : a.shape[1]] = a
                        unt[key] = b
        # --- 2. untreated step, everyone (in person blocks: bounded temporaries)
        present = pop.present(m)
        emp0 = present & (phi < p0)
        for lo in range(0, n, BLOCK):
            sl = slice(lo, min(n, lo + BLOCK))
            code0, ben0, prog0 = _advance(
                ctx,
                U.view(sl),
                sl,
                m,
                u[:, sl],
                emp0[sl],
                np.zeros(sl.stop - lo, bool),
                present[sl],
            )
            status[i, sl], benefits[i, sl], programme[i, sl] = code0, ben0, prog0
        if m >= 0:
            employed[m] = emp0
        # --- 3. treated step, participants (their state is updated in place)
        k = tr.k
        if k:
            tp = tr.person[:k]
            lock_now = (m >= tr.s1[:k]) & (m <= tr.x1[:k])
            post_now = m > tr.x1[:k]
            p0t = p0[tp]
            tau = np.where(
                lock_now,
                tr.lock[:k] * np.minimum(1.0, p0t / P.LOCKIN_P_REF),
                np.where(
                    post_now,
                    tr.post[:k] * np.minimum(1.0, (m - tr.x1[:k]) / tr.ramp[:k]),
                    0.0,
                ),
            )
            p1 = np.clip(p0t + tau, 0.0, 1.0)
            emp1 = present[tp] & (phi[tp] < p1)
            in_at = (m >= tr.at_s[:k]) & (m <= tr.at_e[:k]) & present[tp]
            extra = {
                "at_start": (m == tr.at_s[:k]) & present[tp],
                "ned_at": tr.ned_at[:k],
                "boost_until": tr.boost_until[:k],
                "chain_m": tr.chain_m[:k],
                "chain_code": tr.chain_code[:k],
                "chain_long": tr.chain_long[:k],
            }
            if m >= 0:
                unt["employed"][m, :k] = emp0[tp]
                unt["status"][m, :k] = status[i, tp]
                unt["benefits"][m, :k] = benefits[i, tp]
                unt["programme"][m, :k] = programme[i, tp]
                employed[m, tp] = emp1
            S = tr.state.view(slice(0, k))
            code1, ben1, prog1 = _advance(ctx, S, tp, m, u[:, tp], emp1, in_at, present[tp], extra)
            status[i, tp], benefits[i, tp], programme[i, tp] = code1, ben1, prog1
    at = at_spells_from_records(records)
    k = tr.k
    for key in unt:
        unt[key] = unt[key][:, :k]
    info = {"shortfall_starts": int(controller.shortfall)}
    return World(status, benefits, programme, employed, at, tr, unt, info)


def _start_spells(tr: Treated, ord_of, pop, features, sel, m, U: PathState, rng, chain_codes):
    """Register the month's new spells in the treated-path arrays."""
    persons, groups = sel["person"], sel["group"]
    purpose, end_m = sel["purpose"], sel["end_m"]
    ongoing = sel["outcome"] == O_GJENN
    fresh = sel["spell_no"] == 1
    # New participants: the treated path starts as a copy of the untreated state at m - 1.
    pf = persons[fresh]
    k0 = tr.k
    tr.ensure(k0 + pf.size)
    new = np.arange(k0, k0 + pf.size)
    ord_of[pf] = new
    tr.k = k0 + pf.size
    tr.person[new] = pf
    tr.state.put(new, U, pf)
    tr.s1[new] = m
    tr.x1[new] = np.where(ongoing[fresh], NEVER, end_m[fresh])
    tr.group[new] = groups[fresh]
    tr.purpose[new] = purpose[fresh]
    lock, post, ramp = _effect_parameters(pop, features, pf, groups[fresh], purpose[fresh], m)
    tr.lock[new], tr.post[new], tr.ramp[new] = lock, post, ramp
    # Every spell (first or repeat): participation months, chains and utprøving after exit.
    o = ord_of[persons]
    tr.at_s[o] = m
    tr.at_e[o] = end_m
    n = persons.size
    gname = np.array(GROUPS)[groups]
    p_chain = np.array([P.CHAIN_PROB[g] for g in gname])
    p_chain = np.minimum(
        0.9, p_chain * np.where(purpose == P_UTPROVING, P.UTPROVING_CHAIN_MULT, 1.0)
    )
    u = rng.random((4, n))
    chain = ~ongoing & (groups != G_ANNET) & (u[0] < p_chain)
    code = np.zeros(n, np.int8)
    for g, (codes, cum) in chain_codes.items():
        sel_g = chain & (gname == g)
        code[sel_g] = codes[np.searchsorted(cum / cum[-1], u[1][sel_g], side="right")]
    tr.chain_m[o] = np.where(chain, end_m + 1 + np.floor(u[2] * 3).astype(np.int32), -1)
    tr.chain_code[o] = code
    tr.chain_long[o] = purpose == P_UTPROVING
    utp = (purpose == P_UTPROVING) & ~ongoing & features.responsive_benefits
    tr.ned_at[o] = np.where(utp & (u[3] < P.UTPROVING_TO_NEDSATT), end_m + 1, -1)
    tr.boost_until[o] = np.where(utp, end_m + P.UTPROVING_UFORE_MONTHS, -1)
