"""Monthly employment and earnings (A-ordningen), potential outcomes and the planted effects.

Per person i and month t the untreated employment probability is additive on the probability
scale, p0_it = b_i + c_t, and employment is drawn through a Gaussian copula with a persistent
AR(1) shock: U_it = Phi(z_it), Y0_it = 1{U_it < p0_it}, Y1_it = 1{U_it < clip(p0_it + tau_i(e))}
with the same U_it. Observed employment is Y1 from the first arbeidstrening start month on and Y0
before (and for the never-treated). Persons are processed in chunks; the employment rows of each
chunk go straight to the output files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr

from analysis.contract import PURPOSES
from analysis.synthetic import params as P
from analysis.synthetic._util import rng_for
from analysis.synthetic.arbeidstrening import (
    GROUPS,
    P_UKJENT,
    PIPELINE_PURPOSES,
    ATSpells,
)
from analysis.synthetic.calendar import (
    N_OBS_MONTHS,
    OBS_END_M,
    m_of,
    month_end,
    month_start,
)
from analysis.synthetic.employers import Employers
from analysis.synthetic.population import Population, StatusSpells

T = N_OBS_MONTHS
EVENT_TIMES = np.arange(-12, 37)
NE = EVENT_TIMES.size
N_PIPE_PURPOSES = len(PIPELINE_PURPOSES)
NEVER = 10**6


def calendar_effect() -> np.ndarray:
    """c_t: the common calendar part of the untreated employment probability, per window month."""
    t = np.arange(T)
    month = t % 12 + 1
    c = P.SEASON_AMPLITUDE * np.cos(2 * np.pi * (month - 7) / 12)
    covid = np.zeros(T)
    a, b, e = m_of(2020, 4), m_of(2020, 6), m_of(2020, 12)
    covid[a : b + 1] = 1.0
    covid[b + 1 : e + 1] = np.linspace(1.0, 0.0, e - b + 1)[1:]
    c -= P.COVID_DIP * covid
    c += P.TREND_2021_2024 * np.clip((t - m_of(2021, 6)) / 12.0, 0.0, 1.0)
    return c


@dataclass
class Treatment:
    """Per-person arrays describing the (up to two) took-place AT spells."""

    s1: np.ndarray  # first spell start month (NEVER if untreated)
    x1: np.ndarray  # first spell end month (NEVER if ongoing at extraction)
    g1: np.ndarray
    purpose1: np.ndarray  # latent purpose
    purpose1_pipe: np.ndarray  # purpose as the pipeline sees it (UKJENT without agreement)
    emp1: np.ndarray
    s2: np.ndarray
    x2: np.ndarray
    purpose2: np.ndarray
    emp2: np.ndarray
    lock: np.ndarray  # lock-in effect while in the first spell
    post: np.ndarray  # long-run post-programme effect
    ramp: np.ndarray  # months after exit until the post effect is reached


def build_treatment(pop: Population, at: ATSpells) -> Treatment:
    n = pop.n
    s1 = np.full(n, NEVER, dtype=np.int64)
    x1 = np.full(n, NEVER, dtype=np.int64)
    g1 = np.zeros(n, dtype=np.int64)
    pu1 = np.zeros(n, dtype=np.int64)
    pp1 = np.zeros(n, dtype=np.int64)
    e1 = np.zeros(n, dtype=np.int64)
    s2 = np.full(n, NEVER, dtype=np.int64)
    x2 = np.full(n, NEVER, dtype=np.int64)
    pu2 = np.zeros(n, dtype=np.int64)
    e2 = np.zeros(n, dtype=np.int64)
    ongoing = at.outcome == 3
    end_m = np.where(ongoing, NEVER, at.end_m)
    f = at.spell_no == 1
    p = at.person[f]
    s1[p], x1[p], g1[p], pu1[p], e1[p] = (
        at.start_m[f],
        end_m[f],
        at.group[f],
        at.purpose[f],
        at.employer[f],
    )
    pp1[p] = np.where(at.covered[f], at.purpose[f], P_UKJENT)
    s = at.spell_no == 2
    p = at.person[s]
    s2[p], x2[p], pu2[p], e2[p] = at.start_m[s], end_m[s], at.purpose[s], at.employer[s]
    lock_g = np.array([P.LOCKIN[g] for g in GROUPS])
    mult_g = np.array([P.GROUP_MULTIPLIER[g] for g in GROUPS])
    post_p = np.array([P.POST_EFFECT[q] for q in PURPOSES])
    ramp_p = np.array([P.POST_RAMP_MONTHS[q] for q in PURPOSES], dtype=float)
    treated = s1 < NEVER
    lock = np.where(treated, lock_g[g1] * np.minimum(1.0, pop.b / P.LOCKIN_B_REF), 0.0)
    post = np.where(treated, post_p[pu1] * mult_g[g1], 0.0)
    return Treatment(s1, x1, g1, pu1, pp1, e1, s2, x2, pu2, e2, lock, post, ramp_p[pu1])


@dataclass
class TruthAccumulator:
    """Sums of potential outcomes by cohort x event time x pipeline purpose x status group."""

    shape: tuple = (T, NE, N_PIPE_PURPOSES, len(GROUPS))
    n: np.ndarray = field(default=None)
    sums: dict = field(default=None)

    def __post_init__(self):
        size = int(np.prod(self.shape))
        self.n = np.zeros(size, dtype=np.int64)
        self.sums = {k: np.zeros(size) for k in ("y1", "y0", "e1", "e0")}

    def add(self, cell, y1, y0, e1, e0):
        size = self.n.size
        self.n += np.bincount(cell, minlength=size)
        for k, v in (("y1", y1), ("y0", y0), ("e1", e1), ("e0", e0)):
            self.sums[k] += np.bincount(cell, weights=v, minlength=size)


@dataclass
class Subsidies:
    """Wage-subsidy spells derived from jobs (MIDLONTIL / VARLONTIL)."""

    person: list = field(default_factory=list)
    code: list = field(default_factory=list)
    start: list = field(default_factory=list)
    end: list = field(default_factory=list)  # > OBS_END_DAY = ongoing
    status: list = field(default_factory=list)
    employer: list = field(default_factory=list)


EmploymentSink = Callable[[dict[str, np.ndarray]], None]


def _overlap_months(a0, a1, b0, b1):
    return (a0 <= b1) & (b0 <= a1)


def simulate_employment(
    seed: int,
    pop: Population,
    sp: StatusSpells,
    at: ATSpells,
    tr: Treatment,
    employers: Employers,
    sink: EmploymentSink,
    progress: Callable[[str], None] | None = None,
) -> tuple[TruthAccumulator, Subsidies, dict]:
    c = calendar_effect()
    truth = TruthAccumulator()
    subs = Subsidies()
    stats = {"employed_months": 0, "person_months": 0}
    rho = np.float32(P.RHO)
    innov = np.float32(np.sqrt(1 - P.RHO**2))
    tt = np.arange(T)
    shock_exit = np.zeros(T + 1, dtype=bool)
    shock_exit[P.SHOCK_FIRST_M : P.SHOCK_LAST_M + 1] = True
    same_p = np.array([P.SAME_EMPLOYER_PROB[q] for q in PURPOSES])
    ml_p = np.array([P.WAGE_SUBSIDY_AFTER_AT_PROB[q] for q in PURPOSES])
    n_chunks = (pop.n + P.CHUNK_PERSONS - 1) // P.CHUNK_PERSONS
    for ci in range(n_chunks):
        lo, hi = ci * P.CHUNK_PERSONS, min(pop.n, (ci + 1) * P.CHUNK_PERSONS)
        if progress:
            progress(f"employment: persons {lo:,}-{hi:,} (chunk {ci + 1}/{n_chunks})")
        rng = rng_for(seed, 100, ci)
        nc = hi - lo
        sl = slice(lo, hi)
        # --- latent employment -------------------------------------------------------------
        z = np.empty((nc, T), dtype=np.float32)
        eps = rng.standard_normal((nc, T), dtype=np.float32)
        z[:, 0] = eps[:, 0]
        for t in range(1, T):
            z[:, t] = rho * z[:, t - 1] + innov * eps[:, t]
        u = ndtr(z)
        del z, eps
        p0 = pop.b[sl, None] + c[None, :]
        ev = tt[None, :] - tr.s1[sl, None]
        after = tt[None, :] - tr.x1[sl, None]
        in_at = (ev >= 0) & (after <= 0)
        ramp_frac = np.minimum(1.0, np.maximum(after, 0) / tr.ramp[sl, None])
        tau = np.where(
            in_at,
            tr.lock[sl, None],
            np.where((ev >= 0) & (after >= 1), tr.post[sl, None] * ramp_frac, 0.0),
        )
        y0 = u < p0
        y1 = u < np.clip(p0 + tau, 0.0, 1.0)
        del u, tau, p0, after, in_at, ramp_frac
        y = np.where(ev >= 0, y1, y0)
        earn = np.maximum(
            P.EARNINGS_FLOOR,
            np.rint(
                pop.wage[sl, None]
                * (pop.position[sl, None] / 100.0)
                * np.exp(0.08 * rng.standard_normal((nc, T)))
            ),
        ).astype(np.int64)
        small = np.where(
            rng.random((nc, T)) < P.SMALL_JOB_PROB,
            rng.integers(P.SMALL_JOB_RANGE[0], P.SMALL_JOB_RANGE[1] + 1, (nc, T)),
            0,
        )
        # --- truth ---------------------------------------------------------------------------
        r = np.flatnonzero((tr.s1[sl] >= 0) & (tr.s1[sl] <= OBS_END_M))
        if r.size:
            tgrid = tr.s1[lo + r, None] + EVENT_TIMES[None, :]
            ok = (tgrid >= 0) & (tgrid < T)
            rr = np.broadcast_to(r[:, None], tgrid.shape)[ok]
            tv = tgrid[ok]
            ei = np.broadcast_to(np.arange(NE)[None, :], tgrid.shape)[ok]
            gp = lo + rr
            cell = ((tr.s1[gp] * NE + ei) * N_PIPE_PURPOSES + tr.purpose1_pipe[gp]) * len(
                GROUPS
            ) + tr.g1[gp]
            a1, a0 = y1[rr, tv], y0[rr, tv]
            ea, sm = earn[rr, tv], small[rr, tv]
            truth.add(cell, a1, a0, np.where(a1, ea, sm), np.where(a0, ea, sm))
        del y1, y0, ev
        stats["employed_months"] += int(y.sum())
        stats["person_months"] += y.size
        # --- jobs and employers --------------------------------------------------------------
        yf = y.ravel()
        prev = np.zeros_like(yf)
        prev[1:] = yf[:-1]
        prev[::T] = False
        jstart = (yf & ~prev) | (yf & prev & (rng.random(yf.size) < P.JOB_CHANGE_PROB))
        jpos = np.flatnonzero(jstart)
        job_of = np.cumsum(jstart) - 1
        emp_cells = np.flatnonzero(yf)
        nj = jpos.size
        jp = lo + jpos // T
        jt = jpos % T
        jlen = np.bincount(job_of[emp_cells], minlength=nj)
        jend = jt + jlen - 1
        employer = employers.draw_job(rng, nj)
        from_at = np.zeros(nj, dtype=np.int8)
        dexit = np.zeros(nj, dtype=np.int64)
        jpurpose = np.zeros(nj, dtype=np.int64)
        for slot, (x, emp, pur) in enumerate(
            ((tr.x1, tr.emp1, tr.purpose1), (tr.x2, tr.emp2, tr.purpose2)), start=1
        ):
            xs = x[jp]
            d = jt - xs
            cond = (xs < NEVER) & (d >= 1) & (d <= 12) & (rng.random(nj) < same_p[pur[jp]])
            employer[cond] = emp[jp][cond]
            from_at[cond] = slot
            dexit[cond] = d[cond]
            jpurpose[cond] = pur[jp][cond]
        # Months of AT spells (ongoing: to the window end) must not overlap a wage subsidy.
        a1s, a1e = tr.s1[jp], np.minimum(tr.x1[jp], OBS_END_M)
        a2s, a2e = tr.s2[jp], np.minimum(tr.x2[jp], OBS_END_M)
        exit_m = np.where(from_at == 2, tr.x2[jp], tr.x1[jp])
        shock = shock_exit[np.clip(exit_m, 0, T)] & (from_at > 0)
        p_ml = ml_p[jpurpose] * np.where(shock, P.SHOCK_WAGE_SUBSIDY_FACTOR, 1.0)
        ml_at = (from_at > 0) & (dexit <= 3) & (rng.random(nj) < p_ml)
        free = (jt >= 1) & (from_at == 0)
        u_ws = rng.random(nj)
        ml_other = free & (u_ws < P.OTHER_MIDLONTIL_PROB)
        var = (
            free
            & ~ml_other
            & sp.ever_nedsatt[jp]
            & (jlen >= 6)
            & (u_ws < P.OTHER_MIDLONTIL_PROB + P.OTHER_VARLONTIL_PROB)
        )
        planned = np.where(var, 10**4, rng.integers(6, 13, nj))
        sub_len = np.minimum(jlen, planned)
        sub_end_m = jt + sub_len - 1
        is_sub = ml_at | ml_other | var
        is_sub &= ~_overlap_months(jt, sub_end_m, a1s, a1e) & ~_overlap_months(
            jt, sub_end_m, a2s, a2e
        )
        k = np.flatnonzero(is_sub)
        if k.size:
            ongoing = (jend[k] == OBS_END_M) & (planned[k] > sub_len[k])
            s_day = month_start(jt[k]) + rng.integers(0, 10, k.size)
            e_day = np.maximum(s_day, month_end(sub_end_m[k]) - rng.integers(0, 10, k.size))
            e_day = np.where(ongoing, NEVER, e_day)
            early = (sub_len[k] < planned[k]) & ~ongoing
            status = np.where(
                ongoing, "GJENN", np.where(early & (rng.random(k.size) < 0.5), "DELAVB", "FULLF")
            )
            subs.person.append(jp[k])
            subs.code.append(np.where(var[k], "VARLONTIL", "MIDLONTIL"))
            subs.start.append(s_day)
            subs.end.append(e_day)
            subs.status.append(status)
            subs.employer.append(employer[k])
        # Second employer for some jobs; never the same organisation.
        side = rng.random(nj) < P.SIDE_JOB_PROB
        side_emp = employers.draw_job(rng, nj)
        side_emp = np.where(side_emp == employer, (side_emp + 1) % employers.n, side_emp)
        # --- rows ----------------------------------------------------------------------------
        j = job_of[emp_cells]
        total = earn.ravel()[emp_cells]
        has_side = side[j]
        side_earn = np.where(has_side, np.rint(total * rng.uniform(0.12, 0.3, total.size)), 0)
        side_earn = side_earn.astype(np.int64)
        person_e = lo + emp_cells // T
        t_e = emp_cells % T
        small_f = small.ravel()
        sm_cells = np.flatnonzero(~yf & (small_f > 0))
        hs = np.flatnonzero(has_side)
        rows = {
            "person": np.concatenate([person_e, person_e[hs], lo + sm_cells // T]),
            "t": np.concatenate([t_e, t_e[hs], sm_cells % T]),
            "employer": np.concatenate(
                [employer[j], side_emp[j[hs]], employers.draw_job(rng, sm_cells.size)]
            ),
            "earnings": np.concatenate([total - side_earn, side_earn[hs], small_f[sm_cells]]),
            "position": np.concatenate(
                [
                    pop.position[person_e],
                    rng.choice(np.array([10.0, 15.0, 20.0, 25.0, 30.0]), hs.size),
                    np.full(sm_cells.size, np.nan),
                ]
            ),
        }
        order = np.lexsort((rows["employer"], rows["t"], rows["person"]))
        sink({k_: v[order] for k_, v in rows.items()})
        del y, earn, small, yf, prev, jstart, job_of
    return truth, subs, stats
