"""Monthly employment rows (A-ordningen): jobs, employers, earnings and wage subsidies.

The employment indicator of every person-month comes from the monthly simulation
(`world.py`). Here it is turned into jobs and rows, person chunk by person chunk: a job starts
in a month of work that follows a month without (or, with probability JOB_CHANGE_PROB, in any
month of work); its employer is drawn from the employer pool, or is the arbeidstrening employer
for many jobs starting within a year after a spell (by purpose); some such jobs begin with a
wage subsidy (MIDLONTIL) at that employer, others carry ordinary wage subsidies. Earnings of a
month of work are at least EARNINGS_FLOOR (so "total >= the 5,000 NOK threshold" is exactly the
employment indicator); small jobs (200-2,000 NOK) occur only in months without work.

Common random numbers: every draw belongs to a person-month (job change, employer, wage
subsidy, side job, earnings noise, small job), so the untreated path of a participant gets the
same draws as the treated path; both are computed for participants, for the truth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from analysis.contract import PURPOSES
from analysis.design import NEVER
from analysis.synthetic import params as P
from analysis.synthetic._util import rng_for
from analysis.synthetic.calendar import N_OBS_MONTHS, OBS_END_M, month_end, month_start
from analysis.synthetic.employers import Employers
from analysis.synthetic.population import Population, wage_profile

T = N_OBS_MONTHS


@dataclass
class Subsidies:
    """Wage-subsidy spells derived from jobs (MIDLONTIL / VARLONTIL)."""

    person: list = field(default_factory=list)
    code: list = field(default_factory=list)
    start: list = field(default_factory=list)
    end: list = field(default_factory=list)  # > OBS_END_DAY = ongoing
    status: list = field(default_factory=list)
    employer: list = field(default_factory=list)


@dataclass
class ATInfo:
    """Per person: the (up to two) took-place arbeidstrening spells, window month indices."""

    x: tuple  # exit month of spell 1, 2 (NEVER if none or ongoing)
    s: tuple  # start month of spell 1, 2 (NEVER if none)
    e: tuple  # last month of spell 1, 2 (-1 if none; OBS_END_M if ongoing)
    employer: tuple
    purpose: tuple  # latent purpose


def at_info(n: int, at) -> ATInfo:
    xs, ss, es, emps, purps = [], [], [], [], []
    for no in (1, 2):
        f = at.spell_no == no
        p = at.person[f]
        x = np.full(n, NEVER, np.int64)
        s = np.full(n, NEVER, np.int64)
        e = np.full(n, -1, np.int64)
        emp = np.zeros(n, np.int64)
        pu = np.zeros(n, np.int64)
        x[p] = np.where(at.outcome[f] == 3, NEVER, at.end_m[f])
        s[p], e[p], emp[p], pu[p] = at.start_m[f], at.end_m[f], at.employer[f], at.purpose[f]
        xs.append(x)
        ss.append(s)
        es.append(e)
        emps.append(emp)
        purps.append(pu)
    return ATInfo(tuple(xs), tuple(ss), tuple(es), tuple(emps), tuple(purps))


@dataclass
class Draws:
    """Common random numbers of one chunk, (rows x months) each. Employers are drawn from the
    uniforms only where a job (or small job) starts."""

    u_change: np.ndarray
    u_employer: np.ndarray
    u_same: np.ndarray
    u_ml: np.ndarray
    u_ws: np.ndarray
    plan: np.ndarray
    u_side: np.ndarray
    u_side_employer: np.ndarray
    side_share: np.ndarray
    noise: np.ndarray
    small: np.ndarray

    def rows(self, r) -> Draws:
        return Draws(**{k: getattr(self, k)[r] for k in self.__dataclass_fields__})


def _draws(rng: np.random.Generator, nc: int, present) -> Draws:
    shape = (nc, T)

    def u():
        return rng.random(shape, dtype=np.float32)

    small = np.where(
        (u() < P.SMALL_JOB_PROB) & present,
        rng.integers(P.SMALL_JOB_RANGE[0], P.SMALL_JOB_RANGE[1] + 1, shape, dtype=np.int32),
        0,
    ).astype(np.int32)
    return Draws(
        u_change=u(),
        u_employer=u(),
        u_same=u(),
        u_ml=u(),
        u_ws=u(),
        plan=rng.integers(6, 13, shape, dtype=np.int8),
        u_side=u(),
        u_side_employer=u(),
        side_share=rng.uniform(0.12, 0.3, shape).astype(np.float32),
        noise=rng.standard_normal(shape, dtype=np.float32),
        small=small,
    )


def _overlap_months(a0, a1, b0, b1):
    return (a0 <= b1) & (b0 <= a1)


@dataclass
class Jobs:
    """Jobs of a (rows x months) employment matrix."""

    cell_employer: np.ndarray  # (rows x T) employer of the main job (-1 when not employed)
    cell_side: np.ndarray  # (rows x T) side employer (-1 none)
    subsidy: np.ndarray  # (rows x T) bool: in a wage subsidy
    sub_row: np.ndarray  # per subsidy spell: row
    sub_start: np.ndarray  # first month
    sub_end: np.ndarray  # last month
    sub_var: np.ndarray  # bool: VARLONTIL
    sub_ongoing: np.ndarray
    sub_early: np.ndarray  # ended before the planned period
    sub_employer: np.ndarray


def jobs(
    y: np.ndarray,
    D: Draws,
    ever_nedsatt: np.ndarray,
    info: ATInfo | None,
    rows_global: np.ndarray,
    employers: Employers,
) -> Jobs:
    """Jobs, employers and wage subsidies of employment matrix y (rows x T). `info` (the
    persons' arbeidstrening spells) is None for an untreated path; rows_global indexes info."""
    nr = y.shape[0]
    yf = y.ravel()
    prev = np.zeros_like(yf)
    prev[1:] = yf[:-1]
    prev[::T] = False
    jstart = yf & (~prev | (D.u_change.ravel() < P.JOB_CHANGE_PROB))
    jpos = np.flatnonzero(jstart)
    job_of = np.cumsum(jstart) - 1
    emp_cells = np.flatnonzero(yf)
    nj = jpos.size
    jrow = jpos // T
    jt = jpos % T
    jlen = np.bincount(job_of[emp_cells], minlength=nj)
    jend = jt + jlen - 1
    employer = employers.job_from_uniform(D.u_employer.ravel()[jpos]).astype(np.int64)
    from_at = np.zeros(nj, dtype=np.int8)
    dexit = np.zeros(nj, dtype=np.int64)
    jpurpose = np.zeros(nj, dtype=np.int64)
    shock_exit = np.zeros(T + 1, dtype=bool)
    shock_exit[P.SHOCK_FIRST_M : P.SHOCK_LAST_M + 1] = True
    same_p = np.array([P.SAME_EMPLOYER_PROB[q] for q in PURPOSES])
    ml_p = np.array([P.WAGE_SUBSIDY_AFTER_AT_PROB[q] for q in PURPOSES])
    u_same = D.u_same.ravel()[jpos]
    gp = rows_global[jrow]
    busy = np.zeros(nj, dtype=bool)
    if info is not None:
        for slot in (1, 2):
            xs = info.x[slot - 1][gp]
            d = jt - xs
            pur = info.purpose[slot - 1][gp]
            cond = (xs < NEVER) & (d >= 1) & (d <= 12) & (u_same < same_p[pur])
            employer[cond] = info.employer[slot - 1][gp][cond]
            from_at[cond] = slot
            dexit[cond] = d[cond]
            jpurpose[cond] = pur[cond]
        exit_m = np.where(from_at == 2, info.x[1][gp], info.x[0][gp])
        shock = shock_exit[np.clip(exit_m, 0, T)] & (from_at > 0)
    else:
        shock = np.zeros(nj, dtype=bool)
    p_ml = ml_p[jpurpose] * np.where(shock, P.SHOCK_WAGE_SUBSIDY_FACTOR, 1.0)
    u_ml = D.u_ml.ravel()[jpos]
    u_ws = D.u_ws.ravel()[jpos]
    ml_at = (from_at > 0) & (dexit <= 3) & (u_ml < p_ml)
    free = (jt >= 1) & (from_at == 0)
    ml_other = free & (u_ws < P.OTHER_MIDLONTIL_PROB)
    var = (
        free
        & ~ml_other
        & ever_nedsatt[gp]
        & (jlen >= 6)
        & (u_ws < P.OTHER_MIDLONTIL_PROB + P.OTHER_VARLONTIL_PROB)
    )
    planned = np.where(var, 10**4, D.plan.ravel()[jpos].astype(np.int64))
    sub_len = np.minimum(jlen, planned)
    sub_end_m = jt + sub_len - 1
    is_sub = ml_at | ml_other | var
    if info is not None:
        # Months of AT spells (ongoing: to the window end) must not overlap a wage subsidy.
        for slot in (0, 1):
            a_s = info.s[slot][gp]
            a_e = np.minimum(info.e[slot][gp], OBS_END_M)
            busy |= _overlap_months(jt, sub_end_m, a_s, a_e)
        is_sub &= ~busy
    k = np.flatnonzero(is_sub)
    subsidy = np.zeros(nr * T, dtype=bool)
    if k.size:
        ln = sub_len[k]
        rep = np.repeat(k, ln)
        offs = np.arange(rep.size) - np.repeat(np.cumsum(ln) - ln, ln)
        subsidy[jpos[rep] + offs] = True
    cell_employer = np.full(nr * T, -1, dtype=np.int64)
    j = job_of[emp_cells]
    cell_employer[emp_cells] = employer[j]
    side = D.u_side.ravel()[jpos] < P.SIDE_JOB_PROB
    cell_side = np.full(nr * T, -1, dtype=np.int64)
    side_emp = employers.job_from_uniform(D.u_side_employer.ravel()[jpos]).astype(np.int64)
    side_emp = np.where(side_emp == employer, (side_emp + 1) % employers.n, side_emp)
    has = side[j]
    cell_side[emp_cells[has]] = side_emp[j[has]]
    ongoing = (jend[k] == OBS_END_M) & (planned[k] > sub_len[k])
    return Jobs(
        cell_employer=cell_employer.reshape(nr, T),
        cell_side=cell_side.reshape(nr, T),
        subsidy=subsidy.reshape(nr, T),
        sub_row=jrow[k],
        sub_start=jt[k],
        sub_end=sub_end_m[k],
        sub_var=var[k],
        sub_ongoing=ongoing,
        sub_early=(sub_len[k] < planned[k]) & ~ongoing,
        sub_employer=employer[k],
    )


def earnings(pop: Population, rows_global, D: Draws, age_profile: bool) -> np.ndarray:
    """Monthly total earnings in a month of work (rows x T), at least EARNINGS_FLOOR."""
    wage = pop.wage[rows_global, None] * (pop.position[rows_global, None] / 100.0)
    if age_profile:
        wage = wage * np.exp(wage_profile(pop, np.arange(T), rows_global))
    return np.maximum(P.EARNINGS_FLOOR, np.rint(wage * np.exp(np.float32(0.08) * D.noise))).astype(
        np.int64
    )


EmploymentSink = Callable[[dict[str, np.ndarray]], None]


@dataclass
class TreatedOutputs:
    """Job-based monthly outcomes of the participants, both paths, (T x ordinal)."""

    earnings1: np.ndarray
    earnings0: np.ndarray
    subsidy1: np.ndarray
    subsidy0: np.ndarray
    same1: np.ndarray  # employed at the first spell's employer or in a wage subsidy there
    same0: np.ndarray


def employment_rows(
    seed: int,
    pop: Population,
    features: P.Features,
    world,
    employers: Employers,
    ever_nedsatt: np.ndarray,
    sink: EmploymentSink,
    progress: Callable[[str], None] | None = None,
) -> tuple[Subsidies, TreatedOutputs, dict]:
    """Write the employment rows of the observed register (via `sink`), derive wage-subsidy
    spells, and compute the participants' job-based outcomes on both paths."""
    subs = Subsidies()
    stats = {"employed_months": 0, "person_months": 0}
    info = at_info(pop.n, world.at)
    tr = world.treated
    k = tr.k
    ord_of = np.full(pop.n, -1, np.int64)
    ord_of[tr.person[:k]] = np.arange(k)
    out = TreatedOutputs(
        earnings1=np.zeros((T, k), np.int32),
        earnings0=np.zeros((T, k), np.int32),
        subsidy1=np.zeros((T, k), bool),
        subsidy0=np.zeros((T, k), bool),
        same1=np.zeros((T, k), bool),
        same0=np.zeros((T, k), bool),
    )
    tt = np.arange(T)
    n_chunks = (pop.n + P.CHUNK_PERSONS - 1) // P.CHUNK_PERSONS
    for ci in range(n_chunks):
        lo, hi = ci * P.CHUNK_PERSONS, min(pop.n, (ci + 1) * P.CHUNK_PERSONS)
        if progress:
            progress(f"employment: persons {lo:,}-{hi:,} (chunk {ci + 1}/{n_chunks})")
        rng = rng_for(seed, 100, ci)
        nc = hi - lo
        rows_g = np.arange(lo, hi)
        present = (pop.p_start[rows_g, None] <= tt[None, :]) & (pop.p_end[rows_g, None] >= tt)
        D = _draws(rng, nc, present)
        y = np.ascontiguousarray(world.employed[:, lo:hi].T)
        J = jobs(y, D, ever_nedsatt, info, rows_g, employers)
        earn = earnings(pop, rows_g, D, features.age_profile)
        stats["employed_months"] += int(y.sum())
        stats["person_months"] += y.size
        # --- participants: both paths
        loc = np.flatnonzero(ord_of[lo:hi] >= 0)
        if loc.size:
            o = ord_of[lo + loc]
            y0 = np.ascontiguousarray(world.untreated["employed"][:, o].T)
            s1 = tr.s1[o]
            before = tt[None, :] < s1[:, None]
            y0 = np.where(before, y[loc], y0)
            Dl = D.rows(loc)
            J0 = jobs(y0, Dl, ever_nedsatt, None, rows_g[loc], employers)
            first_emp = info.employer[0][lo + loc]
            small = D.small[loc]
            for path, yy, JJ in ((1, y[loc], None), (0, y0, J0)):
                if JJ is None:
                    ce, cs = J.cell_employer[loc], J.cell_side[loc]
                    sub = J.subsidy[loc]
                    sub_same = _subsidy_at(J, loc, first_emp)
                else:
                    ce, cs, sub = JJ.cell_employer, JJ.cell_side, JJ.subsidy
                    sub_same = _subsidy_at(JJ, np.arange(loc.size), first_emp)
                at_emp = yy & ((ce == first_emp[:, None]) | (cs == first_emp[:, None]))
                e = np.where(yy, earn[loc], small)
                if path == 1:
                    out.earnings1[:, o], out.subsidy1[:, o] = e.T, sub.T
                    out.same1[:, o] = (at_emp | sub_same).T
                else:
                    out.earnings0[:, o], out.subsidy0[:, o] = e.T, sub.T
                    out.same0[:, o] = (at_emp | sub_same).T
        # --- wage-subsidy spells of the observed register
        kk = J.sub_row.size
        if kk:
            jp = lo + J.sub_row
            s_day = month_start(J.sub_start) + rng.integers(0, 10, kk)
            e_day = np.maximum(s_day, month_end(J.sub_end) - rng.integers(0, 10, kk))
            e_day = np.where(J.sub_ongoing, NEVER, e_day)
            status = np.where(
                J.sub_ongoing,
                "GJENN",
                np.where(J.sub_early & (rng.random(kk) < 0.5), "DELAVB", "FULLF"),
            )
            subs.person.append(jp)
            subs.code.append(np.where(J.sub_var, "VARLONTIL", "MIDLONTIL"))
            subs.start.append(s_day)
            subs.end.append(e_day)
            subs.status.append(status)
            subs.employer.append(J.sub_employer)
        # --- rows
        yf = y.ravel()
        emp_cells = np.flatnonzero(yf)
        total = earn.ravel()[emp_cells]
        side_e = J.cell_side.ravel()[emp_cells]
        has_side = side_e >= 0
        side_earn = np.where(has_side, np.rint(total * D.side_share.ravel()[emp_cells]), 0).astype(
            np.int64
        )
        person_e = lo + emp_cells // T
        t_e = emp_cells % T
        small_f = D.small.ravel()
        sm_cells = np.flatnonzero(~yf & (small_f > 0))
        hs = np.flatnonzero(has_side)
        rows = {
            "person": np.concatenate([person_e, person_e[hs], lo + sm_cells // T]),
            "t": np.concatenate([t_e, t_e[hs], sm_cells % T]),
            "employer": np.concatenate(
                [
                    J.cell_employer.ravel()[emp_cells],
                    side_e[hs],
                    employers.job_from_uniform(D.u_employer.ravel()[sm_cells]).astype(np.int64),
                ]
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
        del y, earn, D, J
    return subs, out, stats


def _subsidy_at(J: Jobs, loc: np.ndarray, employer: np.ndarray) -> np.ndarray:
    """(len(loc) x T) bool: in a wage subsidy at `employer` (per row of loc)."""
    out = np.zeros(loc.size * T, dtype=bool)
    pos = np.full(J.subsidy.shape[0], -1, np.int64)
    pos[loc] = np.arange(loc.size)
    r = pos[J.sub_row]
    k = np.flatnonzero((r >= 0) & (J.sub_employer == employer[np.maximum(r, 0)]))
    ln = J.sub_end[k] - J.sub_start[k] + 1
    rep = np.repeat(k, ln)
    offs = np.arange(rep.size) - np.repeat(np.cumsum(ln) - ln, ln)
    out[r[rep] * T + J.sub_start[rep] + offs] = True
    return out.reshape(loc.size, T)
