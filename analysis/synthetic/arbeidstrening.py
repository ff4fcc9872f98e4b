"""Arbeidstrening spells: who starts when (a stock controller), durations, agreements, purposes.

The number of participants per month and NAV status group is steered to the calibration path:
each month, the starts of a status group are the target stock minus the spells still running.
Starters are split over gender x age cells with carried rounding (so the 2022 composition holds
even at small scales) and drawn within each cell by weighted sampling on the person's latent
employability b_i and observables. Selection never looks at the transitory employment shock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.contract import IMMIGRANT_CATEGORIES, PURPOSES
from analysis.synthetic import params as P
from analysis.synthetic._util import Allocator, choice_idx, gumbel_top_k
from analysis.synthetic.calendar import (
    OBS_END_DAY,
    OBS_END_M,
    add_months,
    day_to_month,
    m_of,
    month_end,
    month_start,
    random_day_in_month,
)
from analysis.synthetic.employers import Employers
from analysis.synthetic.population import (
    CODE_AS,
    CODE_NEDSATT,
    CODE_NONE,
    Population,
    StatusSpells,
)

G_AS, G_NEDSATT, G_ANNET = 0, 1, 2
GROUPS = P.STATUS_GROUPS
OUTCOMES = ("FULLF", "DELAVB", "GJENN_AVB", "GJENN")
O_FULLF, O_DELAVB, O_GJENN_AVB, O_GJENN = range(4)
PURPOSE_IDX = {p: i for i, p in enumerate(PURPOSES)}
P_UKJENT = len(PURPOSES)  # pipeline purpose of a spell without agreement
PIPELINE_PURPOSES = (*PURPOSES, "UKJENT")
IMM_B = IMMIGRANT_CATEGORIES.index("B")


@dataclass
class ATSpells:
    """Took-place ARBTREN spells, one row each, in order of start."""

    person: np.ndarray
    group: np.ndarray  # status group at start (G_AS, G_NEDSATT, G_ANNET)
    start: np.ndarray  # day
    end: np.ndarray  # day (inclusive); > OBS_END_DAY = ongoing at extraction
    start_m: np.ndarray
    end_m: np.ndarray  # month of end, capped at OBS_END_M for ongoing spells
    outcome: np.ndarray  # index into OUTCOMES
    planned_months: np.ndarray
    agreed_end: np.ndarray  # day: end of the first agreed period
    employer: np.ndarray  # index into the employer pool
    spell_no: np.ndarray  # 1 = the person's first took-place spell, 2 = second
    part_time: np.ndarray
    purpose: np.ndarray | None = None  # latent purpose (index into PURPOSES)
    covered: np.ndarray | None = None  # has a digital agreement

    @property
    def n(self) -> int:
        return self.person.size


def _interp_annual(values: dict[int, float], months: np.ndarray, rescale: bool) -> np.ndarray:
    years = np.array(sorted(values))
    knots = np.array([m_of(int(y), 1) + 5.5 for y in years])
    vals = np.array([values[int(y)] for y in years], dtype=float)
    out = np.interp(months, knots, vals)
    if rescale:
        year_of = 2016 + np.floor_divide(months, 12)
        for y in years:
            sel = year_of == y
            if sel.sum() == 12:
                out[sel] *= values[int(y)] / out[sel].mean()
    return out


def target_stock(scale: float) -> np.ndarray:
    """Target participants per status group (rows) and month AT_FIRST_M..OBS_END_M (columns)."""
    months = np.arange(P.AT_FIRST_M, OBS_END_M + 1)
    total = _interp_annual(P.PARTICIPANTS_ANNUAL, months, rescale=True)
    ramp = np.minimum(1.0, 0.3 + 0.7 * (months - P.AT_FIRST_M + 1) / P.AT_RAMP_MONTHS)
    total = total * ramp
    ned = _interp_annual(P.NEDSATT_SHARE_ANNUAL, months, rescale=False)
    shares = np.vstack([1.0 - ned - P.ANNET_SHARE, ned, np.full_like(ned, P.ANNET_SHARE)])
    return np.rint(total[None, :] * shares * scale).astype(np.int64)


def _add_intervals(level: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """Add 1 to level[a..b] (inclusive) for every interval, in place."""
    if a.size == 0:
        return
    n = level.size
    d = np.bincount(a, minlength=n + 1)[: n + 1] - np.bincount(b + 1, minlength=n + 1)[: n + 1]
    level += np.cumsum(d)[:n]


def _largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    x = total * shares / shares.sum()
    out = np.floor(x).astype(np.int64)
    rest = total - out.sum()
    if rest > 0:
        out[np.argsort(-(x - out), kind="stable")[:rest]] += 1
    return out


def draw_durations(rng: np.random.Generator, group: np.ndarray, start: np.ndarray):
    """Planned months, actual end day and outcome of new spells."""
    n = group.size
    planned = np.empty(n, dtype=np.int64)
    cap = np.empty(n, dtype=np.int64)
    p_ext = np.empty(n)
    for g, name in enumerate(GROUPS):
        sel = group == g
        planned[sel] = np.array(P.PLANNED_MONTHS)[choice_idx(rng, P.PLANNED_PROBS[name], sel.sum())]
        cap[sel] = P.CAP_MONTHS[name]
        p_ext[sel] = P.EXTENSION_PROB[name]
    n_ext = np.zeros(n, dtype=np.int64)
    going = np.ones(n, dtype=bool)
    for _ in range(6):
        going &= rng.random(n) < p_ext
        n_ext += going
    total = np.minimum(planned + P.EXTENSION_MONTHS * n_ext, cap)
    outcome = choice_idx(rng, list(P.OUTCOME_PROBS.values()), n)
    full_end = add_months(start, total) - 1
    # Autumn 2022: spells that would end in the shock period are often extended instead.
    end_m = day_to_month(full_end)
    shock = (
        (outcome == O_FULLF)
        & (end_m >= P.SHOCK_FIRST_M)
        & (end_m <= P.SHOCK_LAST_M)
        & (rng.random(n) < P.SHOCK_EXTENSION_PROB)
    )
    extra = 3 + 3 * (rng.random(n) < 0.35)
    total = np.where(shock, np.minimum(total + extra, cap), total)
    full_end = add_months(start, total) - 1
    frac = rng.uniform(0.1, 0.9, n)
    short_end = start + np.maximum(6, np.floor(frac * (full_end - start))).astype(np.int64)
    end = np.where(outcome == O_FULLF, full_end, short_end)
    agreed_end = add_months(start, planned) - 1
    outcome = np.where(end > OBS_END_DAY, O_GJENN, outcome)
    return planned, end, outcome, agreed_end


def simulate_at_spells(
    rng: np.random.Generator,
    pop: Population,
    sp: StatusSpells,
    status_mat: np.ndarray,
    employers: Employers,
    scale: float,
) -> tuple[ATSpells, dict]:
    first_m = P.AT_FIRST_M
    nm = OBS_END_M - first_m + 1
    target = target_stock(scale)
    active = np.zeros((3, 4, nm + 1), dtype=np.int64)  # group x cell x month
    n_at = np.zeros(pop.n, dtype=np.int8)
    last_end_m = np.full(pop.n, -(10**6), dtype=np.int64)
    group_of_code = np.full(4, -1, dtype=np.int64)
    group_of_code[CODE_NONE], group_of_code[CODE_AS], group_of_code[CODE_NEDSATT] = (
        G_ANNET,
        G_AS,
        G_NEDSATT,
    )
    sel_logw = (
        -P.SEL_B * pop.b
        + P.SEL_IMMIGRANT * (pop.immigrant == IMM_B)
        + P.SEL_LOW_EDU * (pop.nus <= 2)
    )
    cell_shares = []
    for name in GROUPS:
        f, y = P.FEMALE_SHARE[name], P.YOUNG_SHARE[name]
        # cell = 2 * female + young
        cell_shares.append(np.array([(1 - f) * (1 - y), (1 - f) * y, f * (1 - y), f * y]))
    alloc_rep = [Allocator(2) for _ in GROUPS]
    ufore = sp.ufore_day
    rec: dict[str, list] = {k: [] for k in ("person", "group", "start", "spell_no")}
    rec2: dict[str, list] = {k: [] for k in ("planned", "end", "outcome", "agreed_end")}
    shortfall = 0
    for j in range(nm):
        m = first_m + j
        g_of = group_of_code[status_mat[:, j]]
        annet_ok = (pop.entry_m < m) & ((ufore < 0) | (ufore > month_end(m)))
        g_of[(g_of == G_ANNET) & ~annet_ok] = -1
        age_m = m - pop.birth_m
        ok = (g_of >= 0) & (age_m >= 16 * 12) & (age_m < 67 * 12)
        key = g_of * 4 + pop.female * 2 + (age_m < 360)
        fresh_idx = np.flatnonzero(ok & (n_at == 0))
        rep_idx = np.flatnonzero(ok & (n_at == 1) & (last_end_m <= m - P.REPEAT_MIN_GAP_MONTHS))
        f_order = fresh_idx[np.argsort(key[fresh_idx], kind="stable")]
        f_bounds = np.searchsorted(key[f_order], np.arange(13))
        r_order = rep_idx[np.argsort(key[rep_idx], kind="stable")]
        r_bounds = np.searchsorted(key[r_order], np.arange(13))
        chosen, chosen_g, chosen_no = [], [], []
        for g in range(3):
            # The stock is steered per gender x age cell, so its composition holds every month.
            cell_target = _largest_remainder(int(target[g, j]), cell_shares[g])
            for c in range(4):
                k = int(cell_target[c] - active[g, c, j])
                if k <= 0:
                    continue
                kc = g * 4 + c
                kr = int(alloc_rep[g](k, [P.REPEAT_SHARE, 1 - P.REPEAT_SHARE])[0])
                pool_r = r_order[r_bounds[kc] : r_bounds[kc + 1]]
                pick_r = pool_r[gumbel_top_k(rng, np.zeros(pool_r.size), min(kr, pool_r.size))]
                kf = k - pick_r.size
                pool_f = f_order[f_bounds[kc] : f_bounds[kc + 1]]
                pick_f = pool_f[gumbel_top_k(rng, sel_logw[pool_f], min(kf, pool_f.size))]
                shortfall += kf - pick_f.size
                chosen += [pick_r, pick_f]
                chosen_g += [np.full(pick_r.size + pick_f.size, g)]
                chosen_no += [np.full(pick_r.size, 2), np.full(pick_f.size, 1)]
        if not chosen:
            continue
        persons = np.concatenate(chosen)
        groups = np.concatenate(chosen_g)
        spell_no = np.concatenate(chosen_no)
        start = random_day_in_month(rng, np.full(persons.size, m))
        planned, end, outcome, agreed_end = draw_durations(rng, groups, start)
        end_m = np.minimum(day_to_month(end), OBS_END_M)
        # A spell counts in every month from m to end_m, in its gender x age cell by age at
        # the month: under 30 until the month before the 30th birthday month, then 30+.
        last_young = pop.birth_m[persons] + 359 - first_m
        e_idx = end_m - first_m
        fem = pop.female[persons].astype(np.int64) * 2
        y_end = np.minimum(e_idx, last_young)
        o_start = np.maximum(j, last_young + 1)
        for g in range(3):
            sel = groups == g
            for female in (0, 2):
                s2 = sel & (fem == female)
                yo = s2 & (y_end >= j)
                _add_intervals(active[g, female + 1], np.full(yo.sum(), j), y_end[yo])
                ol = s2 & (o_start <= e_idx)
                _add_intervals(active[g, female], o_start[ol], e_idx[ol])
        n_at[persons] += 1
        last_end_m[persons] = end_m
        for k_, v in zip(
            ("person", "group", "start", "spell_no"),
            (persons, groups, start, spell_no),
            strict=True,
        ):
            rec[k_].append(v)
        for k_, v in zip(
            ("planned", "end", "outcome", "agreed_end"),
            (planned, end, outcome, agreed_end),
            strict=True,
        ):
            rec2[k_].append(v)
    cat = {k: np.concatenate(v) for k, v in (rec | rec2).items()}
    n = cat["person"].size
    start_m = day_to_month(cat["start"])
    employer = employers.draw_at(rng, n)
    # Part-time participation: most full time.
    part_time = np.array([100.0, 80.0, 60.0, 50.0, 40.0])[
        choice_idx(rng, (0.55, 0.15, 0.12, 0.12, 0.06), n)
    ]
    at = ATSpells(
        person=cat["person"],
        group=cat["group"].astype(np.int8),
        start=cat["start"],
        end=cat["end"],
        start_m=start_m,
        end_m=np.minimum(day_to_month(cat["end"]), OBS_END_M),
        outcome=cat["outcome"].astype(np.int8),
        planned_months=cat["planned"],
        agreed_end=cat["agreed_end"],
        employer=employer,
        spell_no=cat["spell_no"].astype(np.int8),
        part_time=part_time,
    )
    info = {"shortfall_starts": int(shortfall), "target": target}
    return at, info


def coverage_share(m: np.ndarray) -> np.ndarray:
    knots = np.array([k for k, _ in P.COVERAGE_KNOTS], dtype=float)
    vals = np.array([v for _, v in P.COVERAGE_KNOTS])
    out = np.interp(m, knots, vals)
    return np.where(m < knots[0], 0.0, out)


def _purpose_scores(rng, pop: Population, at: ATSpells, idx: np.ndarray) -> np.ndarray:
    """Person-dependent propensity scores (with Gumbel noise) for each purpose."""
    person = at.person[idx]
    age = (at.start_m[idx] - pop.birth_m[person]) / 12.0
    imm_b = pop.immigrant[person] == IMM_B
    grp = at.group[idx]
    s = rng.gumbel(size=(idx.size, len(PURPOSES)))
    s[:, PURPOSE_IDX["SPRAAKOPPLAERING"]] += np.where(imm_b, 3.0, -3.0) + (pop.nus[person] == 9)
    s[:, PURPOSE_IDX["OPPNAA_FAGBREV_KOMPETANSEBEVIS"]] += np.where(
        age < 25, 1.8, np.where(age >= 35, -1.0, 0.0)
    )
    s[:, PURPOSE_IDX["UTPROVING"]] += np.where(grp == G_NEDSATT, 1.5, -0.5)
    s[:, PURPOSE_IDX["FAA_JOBB_I_BEDRIFTEN"]] += np.where(grp == G_AS, 0.6, 0.0) + 4.0 * (
        pop.b[person] - 0.2
    )
    return s


# Greedy fill order: the rarest and most person-specific purposes first.
_FILL_ORDER = (
    "SPRAAKOPPLAERING",
    "OPPNAA_FAGBREV_KOMPETANSEBEVIS",
    "ANNET",
    "UTPROVING",
    "FAA_JOBB_I_BEDRIFTEN",
    "ARBEIDSERFARING",
)


def _assign_purposes(rng, pop, at, idx, quota) -> np.ndarray:
    scores = _purpose_scores(rng, pop, at, idx)
    out = np.full(idx.size, -1, dtype=np.int64)
    for name in _FILL_ORDER:
        p = PURPOSE_IDX[name]
        free = np.flatnonzero(out < 0)
        q = min(int(quota[p]), free.size)
        if name == _FILL_ORDER[-1]:
            q = free.size
        pick = free[np.argpartition(-scores[free, p], q - 1)[:q]] if q else free[:0]
        out[pick] = p
    return out


def assign_coverage_and_purposes(rng: np.random.Generator, pop: Population, at: ATSpells) -> None:
    """Which spells have a digital agreement (exact share per start month, carried rounding),
    and each spell's latent purpose (exact shares among covered spells and among the rest)."""
    order = np.argsort(at.start_m, kind="stable")
    months = at.start_m[order]
    bounds = np.r_[0, np.flatnonzero(np.diff(months)) + 1, months.size]
    covered = np.zeros(at.n, dtype=bool)
    purpose = np.zeros(at.n, dtype=np.int64)
    alloc_cov = Allocator(2)
    alloc_pc = Allocator(len(PURPOSES))
    alloc_pu = Allocator(len(PURPOSES))
    shares = np.array([P.PURPOSE_SHARES[p] for p in PURPOSES])
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        idx = order[a:b]
        c = float(coverage_share(np.array([months[a]]))[0])
        k = int(alloc_cov(idx.size, [c, 1 - c])[0]) if c > 0 else 0
        perm = idx[rng.permutation(idx.size)]
        cov, unc = np.sort(perm[:k]), np.sort(perm[k:])
        covered[cov] = True
        if cov.size:
            purpose[cov] = _assign_purposes(rng, pop, at, cov, alloc_pc(cov.size, shares))
        if unc.size:
            purpose[unc] = _assign_purposes(rng, pop, at, unc, alloc_pu(unc.size, shares))
    at.covered = covered
    at.purpose = purpose


@dataclass
class NotStarted:
    person: np.ndarray
    start: np.ndarray
    end: np.ndarray
    status: np.ndarray  # participant status code string
    employer: np.ndarray


def make_not_started(
    rng: np.random.Generator,
    pop: Population,
    sp: StatusSpells,
    at: ATSpells,
    employers: Employers,
) -> NotStarted:
    """ARBTREN rows that never took place: before a participant's first spell, or for persons
    who never took part. They count nowhere and carry no effect."""
    n_total = int(round(P.NOT_STARTED_SHARE * at.n))
    n_part = n_total // 2
    firsts = np.flatnonzero(at.spell_no == 1)
    pick = firsts[rng.choice(firsts.size, size=min(n_part, firsts.size), replace=False)]
    pick.sort()
    start_p = at.start[pick] - rng.integers(20, 120, pick.size)
    end_p = start_p + np.floor(rng.random(pick.size) * (at.start[pick] - start_p - 1)).astype(
        np.int64
    )
    # Never-participants: a day within one of their status spells inside the window.
    treated = np.zeros(pop.n, dtype=bool)
    treated[at.person] = True
    s_start = np.maximum(sp.start, month_start(0))
    s_end = np.minimum(sp.end, OBS_END_DAY - 60)
    cand = np.flatnonzero(~treated[sp.person] & (s_end > s_start))
    k = min(n_total - pick.size, cand.size)
    ci = np.sort(rng.choice(cand, size=k, replace=False))
    start_n = s_start[ci] + np.floor(rng.random(k) * (s_end[ci] - s_start[ci])).astype(np.int64)
    end_n = start_n + rng.integers(0, 45, k)
    person = np.concatenate([at.person[pick], sp.person[ci]])
    start = np.concatenate([start_p, start_n])
    end = np.concatenate([end_p, end_n])
    codes = list(P.NOT_STARTED_STATUS_PROBS)
    status = np.array(codes)[
        choice_idx(rng, list(P.NOT_STARTED_STATUS_PROBS.values()), person.size)
    ]
    # Those that never got going end the day they were due to start.
    same_day = np.isin(status, ("IKKEM", "FEILREG", "AVSLAG", "NEITAKK"))
    end = np.where(same_day, start, end)
    # A person's pair of rows must not share a start date (spell ids are unique anyway).
    return NotStarted(
        person=person,
        start=start,
        end=end,
        status=status,
        employer=employers.draw_at(rng, person.size),
    )
