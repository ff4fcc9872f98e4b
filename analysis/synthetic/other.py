"""Programme, status, benefit and education spells of the observed register.

NAV status, other programmes and benefits are monthly codes of the simulation (`world.py`);
here their runs become day-dated spells (`spells.py`) so that the pipeline's month rule ("a
spell counts in every month it overlaps") gives back the monthly codes. Grants alongside
arbeidstrening, KVP and education are drawn here (they are the same on both paths, except the
apprenticeships that follow an OPPNAA_FAGBREV spell).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from analysis.contract import IMMIGRANT_CATEGORIES, PURPOSES
from analysis.synthetic import params as P
from analysis.synthetic._util import choice_idx, covering_interval
from analysis.synthetic.arbeidstrening import O_DELAVB, O_GJENN, OUTCOMES, ATSpells, NotStarted
from analysis.synthetic.calendar import (
    OBS_END_DAY,
    add_months,
    day_to_month,
    m_of,
    month_end,
    month_start,
)
from analysis.synthetic.outcomes import Subsidies
from analysis.synthetic.population import FOREVER_AFTER, Population
from analysis.synthetic.spells import ONGOING, runs_by_block, spell_days
from analysis.synthetic.world import (
    BEN_AAP,
    BEN_AAP_GRADED,
    BEN_DP,
    BEN_SH,
    BEN_TP,
    BEN_UF,
    OTHER_CODES,
    PROG_START_BIT,
    World,
)

IMM_B = IMMIGRANT_CATEGORIES.index("B")
NEVER = ONGOING
_NOT_STARTED = ("IKKEM", "AVSLAG", "IKKAKTUELL", "NEITAKK", "GJENN_AVL")


@dataclass
class StatusSpells:
    person: np.ndarray
    status: np.ndarray  # 0 ARBEIDSSOKER, 1 NEDSATT (index into contract.NAV_STATUSES)
    innsats: np.ndarray  # index into INNSATSGRUPPER, -1 = null
    start: np.ndarray  # day
    end: np.ndarray  # day, inclusive; ONGOING = ongoing at extraction
    ever_nedsatt: np.ndarray = field(default=None)  # per person


def status_spells(rng, world: World, n: int, at: ATSpells) -> StatusSpells:
    """NAV status spells from the monthly status codes. A spell whose last month is a month in
    arbeidstrening ends on the last day of that month (registration is held during the spell,
    so the status on the start day is the one of the month before)."""
    r = runs_by_block(world.status, P.SIM_FIRST_M, lambda b: (b, None))
    start, end = spell_days(rng, r)
    at_end_m = np.where(at.outcome == O_GJENN, 10**4, at.end_m)
    in_at = covering_interval(r.person, r.last, at.person, at.start_m, at_end_m) >= 0
    end = np.where(in_at & (end != ONGOING), month_end(r.last), end)
    code = r.code.astype(np.int64)
    status = np.where(code >= 6, 1, 0)
    innsats = (code - 1) % 5
    innsats = np.where(innsats == 4, -1, innsats)
    order = np.lexsort((start, r.person))
    sp = StatusSpells(
        person=r.person[order],
        status=status[order],
        innsats=innsats[order],
        start=start[order],
        end=end[order],
    )
    sp.ever_nedsatt = np.zeros(n, dtype=bool)
    sp.ever_nedsatt[sp.person[sp.status == 1]] = True
    return sp


@dataclass
class Spells:
    """Generic programme spell rows collected from several sources."""

    cols: dict[str, list] = field(
        default_factory=lambda: {
            k: []
            for k in ("person", "code", "start", "end", "status", "part_time", "employer", "at_row")
        }
    )

    def add(self, **kw):
        n = len(kw["person"])
        for k, lst in self.cols.items():
            v = kw.get(k)
            if v is None:
                v = {"part_time": np.nan, "employer": -1, "at_row": -1, "end": NEVER}[k]
            lst.append(np.broadcast_to(np.asarray(v), (n,)).copy())

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate(v) for k, v in self.cols.items()}


def programme_spells(
    rng: np.random.Generator,
    world: World,
    at: ATSpells,
    ns: NotStarted,
    subs: Subsidies,
) -> dict[str, np.ndarray]:
    """All programme spells: ARBTREN (took place and not), other programmes (the monthly
    simulation, chains included), grants alongside AT, wage subsidies (from jobs)."""
    out = Spells()
    at_end = np.where(at.outcome == O_GJENN, NEVER, at.end)
    out.add(
        person=at.person,
        code="ARBTREN",
        start=at.start,
        end=at_end,
        status=np.array(OUTCOMES)[at.outcome],
        part_time=at.part_time,
        employer=at.employer,
        at_row=np.arange(at.n),
    )
    out.add(
        person=ns.person,
        code="ARBTREN",
        start=ns.start,
        end=ns.end,
        status=ns.status,
        employer=ns.employer,
        at_row=at.n + np.arange(ns.person.size),
    )
    # Other programmes: runs of the monthly programme code (a start bit splits spells).
    r = runs_by_block(
        world.programme, P.SIM_FIRST_M, lambda b: (b & 0x7F, (b & PROG_START_BIT) > 0)
    )
    start, end = spell_days(rng, r)
    code = np.array(OTHER_CODES)[r.code.astype(np.int64) - 1]
    st = np.array(list(P.PROGRAMME_END_PROBS))[
        choice_idx(rng, list(P.PROGRAMME_END_PROBS.values()), r.n)
    ]
    status = np.where(end == NEVER, "GJENN", st)
    part = np.where(rng.random(r.n) < 0.7, 100.0, np.nan)
    out.add(person=r.person, code=code, start=start, end=end, status=status, part_time=part)
    # Some programme offers never got going (they count nowhere).
    k = np.flatnonzero(rng.random(r.n) < P.PROGRAMME_NOT_STARTED_SHARE)
    ns_start = start[k] - rng.integers(1, 60, k.size)
    out.add(
        person=r.person[k],
        code=code[k],
        start=ns_start,
        end=ns_start,
        status=np.array(_NOT_STARTED)[rng.integers(0, len(_NOT_STARTED), k.size)],
        part_time=part[k],
    )
    # Grants alongside arbeidstrening: mentor and inclusion grants at the same employer.
    for gcode, share in (("MENTOR", 0.10), ("INKLUTILS", 0.04)):
        k = np.flatnonzero(rng.random(at.n) < share)
        gstart = np.minimum(at.start[k] + rng.integers(0, 15, k.size), at.end[k])
        gstart = np.minimum(gstart, OBS_END_DAY)
        gend = at_end[k]
        gst = np.where(at.outcome[k] == O_DELAVB, "DELAVB", "FULLF")
        gst = np.where(gend == NEVER, "GJENN", gst)
        out.add(person=at.person[k], code=gcode, start=gstart, end=gend, status=gst,
                employer=at.employer[k])  # fmt: skip
    # Wage subsidies derived from jobs.
    if subs.person:
        out.add(
            person=np.concatenate(subs.person),
            code=np.concatenate(subs.code),
            start=np.concatenate(subs.start),
            end=np.concatenate(subs.end),
            status=np.concatenate(subs.status),
            part_time=100.0,
            employer=np.concatenate(subs.employer),
        )
    return out.arrays()


def benefit_spells(
    rng: np.random.Generator, pop: Population, world: World, kvp: dict
) -> dict[str, np.ndarray]:
    """Benefit spells from the monthly benefit codes, plus KVP (drawn separately)."""
    bp, bb, bs, be, bd = [], [], [], [], []

    def add(person, benefit, start, end, degree):
        n = len(person)
        bp.append(np.asarray(person))
        bb.append(np.full(n, benefit))
        bs.append(np.asarray(start))
        be.append(np.asarray(end))
        bd.append(np.broadcast_to(np.asarray(degree, dtype=float), (n,)).copy())

    ben = world.benefits

    def aap_code(b):
        full = (b & BEN_AAP) > 0
        return (full.astype(np.int8) + (full & ((b & BEN_AAP_GRADED) > 0))).astype(np.int8), None

    # AAP: full (code 1) or graded by work (code 2); a change of degree starts a new spell.
    r = runs_by_block(ben, P.SIM_FIRST_M, aap_code)
    s, e = spell_days(rng, r)
    full_deg = np.where(rng.random(r.n) < 0.8, 100.0, rng.choice([50.0, 60.0, 80.0], r.n))
    deg = np.where(r.code == 2, 100.0 - pop.position[r.person], full_deg)
    add(r.person, "AAP", s, e, deg)
    for bit, name, aligned, degree in (
        (BEN_DP, "DAGPENGER", False, 100.0),
        (BEN_TP, "TILTAKSPENGER", False, np.nan),
        (BEN_SH, "SOSIALHJELP", True, np.nan),
    ):
        r = runs_by_block(ben, P.SIM_FIRST_M, lambda b, bit=bit: ((b & bit) > 0, None))
        s, e = spell_days(rng, r, aligned=aligned)
        add(r.person, name, s, e, degree)
    r = runs_by_block(ben, P.SIM_FIRST_M, lambda b: ((b & BEN_UF) > 0, None))
    s, e = spell_days(rng, r, aligned=True)
    uf_deg = np.where(rng.random(pop.n) < 0.65, 100.0, rng.choice([50.0, 60.0, 70.0, 80.0], pop.n))
    add(r.person, "UFORETRYGD", s, e, uf_deg[r.person])
    add(kvp["person"], "KVP", kvp["start"], kvp["end"], 100.0)
    person = np.concatenate(bp)
    benefit = np.concatenate(bb)
    start = np.concatenate(bs)
    end = np.concatenate(be)
    degree = np.concatenate(bd)
    keep = start <= OBS_END_DAY
    end = np.where(end > OBS_END_DAY, NEVER, end)
    return {
        "person": person[keep],
        "benefit": benefit[keep],
        "start": start[keep],
        "end": end[keep],
        "degree": degree[keep],
    }


def kvp_spells(rng: np.random.Generator, pop: Population) -> dict[str, np.ndarray]:
    """KVP (kvalifiseringsprogrammet) for some young persons and immigrants with weak
    attachment, after their first NAV contact; the same on both paths."""
    kvp_p = np.where((pop.immigrant == IMM_B) | (pop.birth_m >= m_of(1990, 1)), 0.05, 0.005)
    k = np.flatnonzero(rng.random(pop.n) < kvp_p * (pop.b < 0.35))
    m = np.maximum(pop.entry_m[k], 0) + rng.integers(0, 24, k.size)
    keep = (m <= 107) & (m <= pop.p_end[k])
    k, m = k[keep], m[keep]
    start = month_start(m) + rng.integers(0, 28, k.size)
    end = add_months(start, rng.choice([12, 12, 18, 24], k.size)) - 1
    last = month_end(np.minimum(pop.p_end[k], 200))
    end = np.where(pop.p_end[k] < FOREVER_AFTER, np.minimum(end, last), end)
    end = np.maximum(end, start)
    end = np.where(end > OBS_END_DAY, NEVER, end)
    return {"person": k, "start": start, "end": end}


def education_spells(
    rng: np.random.Generator, pop: Population, at: ATSpells
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Education spells; returns them and a bool per spell: planted after arbeidstrening (the
    apprenticeships that follow an OPPNAA_FAGBREV spell; they exist on the treated path only)."""
    ep, es, ee, el, ea, eplant = [], [], [], [], [], []

    def add(person, start, end, level, apprentice, planted=False):
        n = len(person)
        ep.append(np.asarray(person))
        es.append(np.asarray(start))
        ee.append(np.asarray(end))
        el.append(np.broadcast_to(np.asarray(level), (n,)).copy())
        ea.append(np.broadcast_to(np.asarray(apprentice, dtype=bool), (n,)).copy())
        eplant.append(np.full(n, planted))

    birth_year = 2016 + np.floor_divide(pop.birth_m, 12)

    def august(year):
        return month_start((year - 2016) * 12 + 7) + 14

    def june(year):
        return month_start((year - 2016) * 12 + 5) + 19

    # Upper secondary from the year of turning 16 (kept if it reaches 2015).
    k = np.flatnonzero((birth_year >= 1996) & (rng.random(pop.n) < 0.55))
    y0 = birth_year[k] + 16
    end = june(y0 + 3)
    drop = rng.random(k.size) < 0.25
    end = np.where(drop, august(y0) + rng.integers(60, 700, k.size), end)
    keep = end >= month_start(m_of(2015, 1))
    add(k[keep], august(y0)[keep], end[keep], "3", False)
    # Apprenticeships, two years from age 18-19.
    k = np.flatnonzero((birth_year >= 1994) & (rng.random(pop.n) < 0.12))
    y0 = birth_year[k] + 18 + rng.integers(0, 2, k.size)
    keep = y0 >= 2014
    add(k[keep], august(y0[keep]), june(y0[keep] + 2), "4", True)
    # Higher education, three years, some drop out.
    k = np.flatnonzero(rng.random(pop.n) < np.where(birth_year >= 1985, 0.12, 0.03))
    y0 = np.maximum(birth_year[k] + 19, 2014) + rng.integers(0, 6, k.size)
    end = np.where(
        rng.random(k.size) < 0.3, august(y0) + rng.integers(120, 500, k.size), june(y0 + 3)
    )
    add(k, august(y0), end, "6", False)
    # Adult upper secondary for immigrants.
    k = np.flatnonzero((pop.immigrant == IMM_B) & (rng.random(pop.n) < 0.05))
    m = rng.integers(0, 100, k.size)
    add(k, month_start(m), add_months(month_start(m), 12) - 1, "4", False)
    # Apprenticeship soon after arbeidstrening with the trade-certificate purpose.
    fag = PURPOSES.index("OPPNAA_FAGBREV_KOMPETANSEBEVIS")
    k = np.flatnonzero(
        (at.purpose == fag)
        & (at.outcome != O_GJENN)
        & (rng.random(at.n) < P.APPRENTICESHIP_AFTER_FAG)
    )
    start = month_start(day_to_month(at.end[k]) + 1 + rng.integers(0, 4, k.size))
    add(at.person[k], start, add_months(start, 24) - 1, "4", True, planted=True)

    person = np.concatenate(ep)
    start = np.concatenate(es)
    end = np.concatenate(ee)
    level = np.concatenate(el)
    appr = np.concatenate(ea)
    planted = np.concatenate(eplant)
    # Only while the person is in the registers.
    first = month_start(np.clip(pop.p_start[person], -300, 200))
    last = month_end(np.clip(pop.p_end[person], -300, 200))
    start = np.maximum(start, first)
    end = np.minimum(end, last)
    keep = (start <= OBS_END_DAY) & (end >= start)
    end = np.where(end > OBS_END_DAY, NEVER, end)
    out = {
        "person": person[keep],
        "start": start[keep],
        "end": end[keep],
        "level": level[keep],
        "apprentice": appr[keep],
    }
    return out, planted[keep]
