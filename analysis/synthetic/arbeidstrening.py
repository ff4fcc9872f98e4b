"""Arbeidstrening spells: who starts when (a stock controller), durations, agreements, purposes.

The number of participants per month and NAV status group is steered to the calibration path:
each month, the starts of a status group are the target stock minus the spells still running.
Starters are split over gender x age cells with carried rounding (so the 2022 composition holds
even at small scales) and drawn within each cell by weighted sampling on the person's latent
employability b_i and observables; with the `dip_selection` feature also on the person's recent
(untreated) employment history, innsatsgruppe, dagpenger left and age, all as of the month
before the start.
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
from analysis.synthetic.population import Population

# Status code of a person in a month (see world.py): 0 none, 1-5 ARBEIDSSOKER, 6-10 NEDSATT.
STATUS_OF_CODE = np.array([0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2], dtype=np.int8)
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


class StockController:
    """Starts, month by month, as many spells per status group and gender x age cell as keep
    the participant stock on the calibration path; draws the starters.

    `select(m, ...)` is called once per month with the persons' observed state at the end of
    month m - 1 (selection never looks at month m or later). Fresh starters are drawn by
    weighted sampling without replacement (Gumbel top-k) within each cell; see params.SEL_*.
    """

    def __init__(self, rng, pop: Population, features: P.Features, scale: float):
        self.rng = rng
        self.pop = pop
        self.features = features
        self.first_m = P.AT_FIRST_M
        self.nm = OBS_END_M - self.first_m + 1
        self.target = target_stock(scale)
        self.active = np.zeros((3, 4, self.nm + 1), dtype=np.int64)  # group x cell x month
        self.n_at = np.zeros(pop.n, dtype=np.int8)
        self.last_end_m = np.full(pop.n, -(10**6), dtype=np.int64)
        sel_b = P.SEL_B_WITH_HISTORY if features.dip_selection else P.SEL_B
        self.static_logw = (
            -sel_b * pop.b
            + P.SEL_IMMIGRANT * (pop.immigrant == IMM_B)
            + P.SEL_LOW_EDU * (pop.nus <= 2)
        )
        self.dip_w = np.array([P.SEL_DIP[g] for g in GROUPS])  # group x bucket
        self.innsats_w = np.asarray(P.SEL_INNSATS)
        self.cell_shares = []
        for name in GROUPS:
            f, y = P.FEMALE_SHARE[name], P.YOUNG_SHARE[name]
            # cell = 2 * female + young
            self.cell_shares.append(np.array([(1 - f) * (1 - y), (1 - f) * y, f * (1 - y), f * y]))
        self.alloc_rep = [Allocator(2) for _ in GROUPS]
        self.shortfall = 0

    def _weights(self, idx, g, m, status_code, last_emp, dp_left) -> np.ndarray:
        logw = self.static_logw[idx]
        if not self.features.dip_selection:
            return logw
        d = (m - 1) - last_emp[idx]
        bucket = np.searchsorted(np.asarray(P.SEL_DIP_BOUNDS), d, side="right") - 1
        logw = logw + self.dip_w[g][np.clip(bucket, 0, len(P.SEL_DIP_BOUNDS) - 1)]
        code = status_code[idx].astype(np.int64)
        innsats = np.where(code > 0, (code - 1) % 5, 4)
        logw = logw + self.innsats_w[innsats]
        dpl = dp_left[idx]
        logw = logw + P.SEL_DP_EXHAUSTING * ((dpl >= 1) & (dpl <= 3))
        age = (m - self.pop.birth_m[idx]) / 12.0
        logw = logw + P.SEL_AGE_OVER_30 * np.maximum(0.0, age - 30.0)
        return logw + P.SEL_AGE_UNDER_18 * (age < 18)

    def select(self, m, status_code, in_prog, ufore, last_emp, dp_left) -> dict | None:
        """Starters of month m; inputs are per person, as observed at the end of month m - 1:
        status code (see world.py), in another programme, on uføretrygd, last month employed,
        dagpenger months left."""
        pop = self.pop
        j = m - self.first_m
        st = STATUS_OF_CODE[status_code]
        g_of = np.where(st == 1, G_AS, np.where(st == 2, G_NEDSATT, G_ANNET))
        annet_ok = (pop.entry_m < m) & ~ufore
        age_m = m - pop.birth_m
        ok = (
            pop.present(m)
            & (pop.p_end > m)  # not in the month the person leaves the registers
            & ~in_prog
            & ((g_of != G_ANNET) | annet_ok)
            & (age_m >= P.MIN_AGE_AT * 12)
            & (age_m < 67 * 12)
        )
        key = (g_of * 4 + pop.female * 2 + (age_m < 360)).astype(np.int8)
        fresh_idx = np.flatnonzero(ok & (self.n_at == 0))
        rep_idx = np.flatnonzero(
            ok & (self.n_at == 1) & (self.last_end_m <= m - P.REPEAT_MIN_GAP_MONTHS)
        )
        f_order = fresh_idx[np.argsort(key[fresh_idx], kind="stable")]
        f_bounds = np.searchsorted(key[f_order], np.arange(13))
        r_order = rep_idx[np.argsort(key[rep_idx], kind="stable")]
        r_bounds = np.searchsorted(key[r_order], np.arange(13))
        chosen, chosen_g, chosen_no = [], [], []
        rng = self.rng
        for g in range(3):
            # The stock is steered per gender x age cell, so its composition holds every month.
            cell_target = _largest_remainder(int(self.target[g, j]), self.cell_shares[g])
            for c in range(4):
                k = int(cell_target[c] - self.active[g, c, j])
                if k <= 0:
                    continue
                kc = g * 4 + c
                kr = int(self.alloc_rep[g](k, [P.REPEAT_SHARE, 1 - P.REPEAT_SHARE])[0])
                pool_r = r_order[r_bounds[kc] : r_bounds[kc + 1]]
                pick_r = pool_r[gumbel_top_k(rng, np.zeros(pool_r.size), min(kr, pool_r.size))]
                kf = k - pick_r.size
                pool_f = f_order[f_bounds[kc] : f_bounds[kc + 1]]
                logw = self._weights(pool_f, g, m, status_code, last_emp, dp_left)
                pick_f = pool_f[gumbel_top_k(rng, logw, min(kf, pool_f.size))]
                self.shortfall += kf - pick_f.size
                chosen += [pick_r, pick_f]
                chosen_g += [np.full(pick_r.size + pick_f.size, g)]
                chosen_no += [np.full(pick_r.size, 2), np.full(pick_f.size, 1)]
        if not chosen:
            return None
        persons = np.concatenate(chosen)
        if persons.size == 0:
            return None
        groups = np.concatenate(chosen_g)
        spell_no = np.concatenate(chosen_no)
        start = random_day_in_month(rng, np.full(persons.size, m))
        planned, end, outcome, agreed_end = draw_durations(rng, groups, start)
        # A spell ends when the person leaves the registers (death, emigration, age 67).
        last_day = month_end(np.minimum(pop.p_end[persons], OBS_END_M + 1))
        cut = end > last_day
        end = np.where(cut, np.maximum(start, last_day - rng.integers(0, 10, persons.size)), end)
        outcome = np.where(cut & (end <= OBS_END_DAY), O_DELAVB, outcome)
        agreed_end = np.where(cut, np.minimum(agreed_end, np.maximum(end, start)), agreed_end)
        end_m = np.minimum(day_to_month(end), OBS_END_M)
        # A spell counts in every month from m to end_m, in its gender x age cell by age at
        # the month: under 30 until the month before the 30th birthday month, then 30+.
        first_m = self.first_m
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
                _add_intervals(self.active[g, female + 1], np.full(yo.sum(), j), y_end[yo])
                ol = s2 & (o_start <= e_idx)
                _add_intervals(self.active[g, female], o_start[ol], e_idx[ol])
        self.n_at[persons] += 1
        self.last_end_m[persons] = end_m
        return {
            "person": persons,
            "group": groups,
            "start": start,
            "spell_no": spell_no,
            "planned": planned,
            "end": end,
            "outcome": outcome,
            "agreed_end": agreed_end,
            "end_m": end_m,
        }


def at_spells_from_records(records: list[dict]) -> ATSpells:
    """The ATSpells table (in order of start) from the controller's monthly records (which
    already carry employer, part time, purpose and coverage)."""
    cat = {k: np.concatenate([r[k] for r in records]) for k in records[0]}
    return ATSpells(
        person=cat["person"],
        group=cat["group"].astype(np.int8),
        start=cat["start"],
        end=cat["end"],
        start_m=day_to_month(cat["start"]),
        end_m=cat["end_m"],
        outcome=cat["outcome"].astype(np.int8),
        planned_months=cat["planned"],
        agreed_end=cat["agreed_end"],
        employer=cat["employer"],
        spell_no=cat["spell_no"].astype(np.int8),
        part_time=cat["part_time"],
        purpose=cat["purpose"],
        covered=cat["covered"],
    )


def draw_spell_extras(rng, n: int, employers: Employers) -> dict:
    """Employer and part-time percentage of new spells."""
    part_time = np.array([100.0, 80.0, 60.0, 50.0, 40.0])[
        choice_idx(rng, (0.55, 0.15, 0.12, 0.12, 0.06), n)
    ]
    return {"employer": employers.draw_at(rng, n), "part_time": part_time}


def coverage_share(m: np.ndarray) -> np.ndarray:
    knots = np.array([k for k, _ in P.COVERAGE_KNOTS], dtype=float)
    vals = np.array([v for _, v in P.COVERAGE_KNOTS])
    out = np.interp(m, knots, vals)
    return np.where(m < knots[0], 0.0, out)


def _purpose_scores(rng, pop: Population, person, group, start_m) -> np.ndarray:
    """Person-dependent propensity scores (with Gumbel noise) for each purpose."""
    age = (start_m - pop.birth_m[person]) / 12.0
    imm_b = pop.immigrant[person] == IMM_B
    s = rng.gumbel(size=(person.size, len(PURPOSES)))
    s[:, PURPOSE_IDX["SPRAAKOPPLAERING"]] += np.where(imm_b, 3.0, -3.0) + (pop.nus[person] == 9)
    s[:, PURPOSE_IDX["OPPNAA_FAGBREV_KOMPETANSEBEVIS"]] += np.where(
        age < 25, 1.8, np.where(age >= 35, -1.0, 0.0)
    )
    s[:, PURPOSE_IDX["UTPROVING"]] += np.where(group == G_NEDSATT, 1.5, -0.5)
    s[:, PURPOSE_IDX["FAA_JOBB_I_BEDRIFTEN"]] += np.where(group == G_AS, 0.6, 0.0) + 4.0 * (
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


def _assign_purposes(rng, pop, person, group, start_m, quota) -> np.ndarray:
    scores = _purpose_scores(rng, pop, person, group, start_m)
    out = np.full(person.size, -1, dtype=np.int64)
    for name in _FILL_ORDER:
        p = PURPOSE_IDX[name]
        free = np.flatnonzero(out < 0)
        q = min(int(quota[p]), free.size)
        if name == _FILL_ORDER[-1]:
            q = free.size
        pick = free[np.argpartition(-scores[free, p], q - 1)[:q]] if q else free[:0]
        out[pick] = p
    return out


class PurposeAssigner:
    """Which spells of a start month have a digital agreement (exact share per start month,
    carried rounding), and each spell's latent purpose (exact shares among covered spells and
    among the rest). Called once per start month, in order."""

    def __init__(self, rng, pop: Population):
        self.rng = rng
        self.pop = pop
        self.alloc_cov = Allocator(2)
        self.alloc_pc = Allocator(len(PURPOSES))
        self.alloc_pu = Allocator(len(PURPOSES))
        self.shares = np.array([P.PURPOSE_SHARES[p] for p in PURPOSES])

    def __call__(self, m: int, person, group) -> tuple[np.ndarray, np.ndarray]:
        rng = self.rng
        n = person.size
        covered = np.zeros(n, dtype=bool)
        purpose = np.zeros(n, dtype=np.int64)
        c = float(coverage_share(np.array([m]))[0])
        k = int(self.alloc_cov(n, [c, 1 - c])[0]) if c > 0 else 0
        perm = rng.permutation(n)
        cov, unc = np.sort(perm[:k]), np.sort(perm[k:])
        covered[cov] = True
        for idx, alloc in ((cov, self.alloc_pc), (unc, self.alloc_pu)):
            if idx.size:
                purpose[idx] = _assign_purposes(
                    rng, self.pop, person[idx], group[idx], m, alloc(idx.size, self.shares)
                )
        return covered, purpose


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
    sp,
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
    # Not before the person is in the registers.
    start_p = np.maximum(start_p, month_start(np.maximum(pop.p_start[at.person[pick]], -300)))
    gap = at.start[pick] - start_p - 1
    keep = gap >= 1
    pick, start_p, gap = pick[keep], start_p[keep], gap[keep]
    end_p = start_p + np.floor(rng.random(pick.size) * gap).astype(np.int64)
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
