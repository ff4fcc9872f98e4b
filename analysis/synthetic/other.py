"""Other programmes, grants alongside arbeidstrening, benefits and education spells.

None of these feed back into employment: they are drawn from the NAV status spells, the
arbeidstrening spells and the latent person traits, never from the transitory employment shock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from analysis.contract import IMMIGRANT_CATEGORIES, PURPOSES
from analysis.synthetic._util import choice_idx, overlaps_any
from analysis.synthetic.arbeidstrening import (
    G_AS,
    G_NEDSATT,
    O_DELAVB,
    O_GJENN,
    OUTCOMES,
    ATSpells,
    NotStarted,
)
from analysis.synthetic.calendar import (
    OBS_END_DAY,
    add_months,
    day_to_month,
    m_of,
    month_start,
)
from analysis.synthetic.outcomes import NEVER, Subsidies
from analysis.synthetic.population import AS, NEDSATT, Population, StatusSpells

IMM_B = IMMIGRANT_CATEGORIES.index("B")

# Probability that a status spell includes a programme, by status, and its typical length (months).
_OTHER = {
    #  code:        (p AS, p NEDSATT, median months)
    "GRUPPEAMO": (0.10, 0.07, 3),
    "ENKELAMO": (0.04, 0.03, 5),
    "GRUFAGYRKE": (0.01, 0.02, 8),
    "ENKFAGYRKE": (0.005, 0.02, 12),
    "HOYEREUTD": (0.0, 0.01, 24),
    "ARBFORB": (0.01, 0.14, 9),
    "INDOPPFAG": (0.04, 0.18, 8),
    "AVKLARAG": (0.01, 0.12, 3),
    "UTVAOONAV": (0.0, 0.03, 6),
    "JOBBK": (0.05, 0.01, 3),
    "DIGIOPPARB": (0.03, 0.01, 1),
    "IPSUNG": (0.0, 0.03, 10),
    "VASV": (0.0, 0.015, 30),
    "VATIAROR": (0.0, 0.015, 18),
    "PRAKSORD": (0.003, 0.003, 4),
}
_CHAIN_CODES = {
    G_AS: (("GRUPPEAMO", 0.4), ("ENKELAMO", 0.15), ("JOBBK", 0.25), ("INDOPPFAG", 0.2)),
    G_NEDSATT: (("ARBFORB", 0.3), ("INDOPPFAG", 0.35), ("AVKLARAG", 0.15), ("GRUPPEAMO", 0.2)),
}
_CHAIN_PROB = {G_AS: 0.2, G_NEDSATT: 0.3}
_TOOK_PLACE_END_PROBS = {"FULLF": 0.8, "DELAVB": 0.15, "GJENN_AVB": 0.05}
_NOT_STARTED = ("IKKEM", "AVSLAG", "IKKAKTUELL", "NEITAKK", "GJENN_AVL")


@dataclass
class Spells:
    """Generic spell rows collected from several sources."""

    cols: dict[str, list] = field(
        default_factory=lambda: {
            k: []
            for k in (
                "person",
                "code",
                "start",
                "end",
                "status",
                "part_time",
                "employer",
                "at_row",
            )
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


def _status_and_end(rng, start, end):
    """Participant status and end day: some never started (ending the day they were due),
    the rest completed, interrupted, or ongoing at extraction (end > OBS_END_DAY -> NEVER)."""
    n = start.size
    st = np.array(list(_TOOK_PLACE_END_PROBS))[
        choice_idx(rng, list(_TOOK_PLACE_END_PROBS.values()), n)
    ]
    ns = rng.random(n) < 0.06
    st = np.where(ns, np.array(_NOT_STARTED)[rng.integers(0, len(_NOT_STARTED), n)], st)
    end = np.where(ns, start, end)
    ongoing = end > OBS_END_DAY
    return np.where(ongoing, "GJENN", st), np.where(ongoing, NEVER, end)


def programme_spells(
    rng: np.random.Generator,
    pop: Population,
    sp: StatusSpells,
    at: ATSpells,
    ns: NotStarted,
    subs: Subsidies,
) -> dict[str, np.ndarray]:
    """All programme spells: ARBTREN (took place and not), other programmes, grants, subsidies."""
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
    # Other programmes during status spells.
    op, oc, os_, oe = [], [], [], []
    s_end = np.minimum(sp.end, OBS_END_DAY)
    for code, (p_as, p_ned, med) in _OTHER.items():
        p = np.where(sp.status == AS, p_as, p_ned)
        if code == "DIGIOPPARB":
            p = np.where(sp.start >= month_start(m_of(2020, 3)), p, 0.0)
        k = np.flatnonzero(rng.random(sp.person.size) < p)
        start = sp.start[k] + np.floor(rng.random(k.size) * (s_end[k] - sp.start[k] + 1)).astype(
            np.int64
        )
        dur = np.maximum(7, np.exp(np.log(med * 30.4) + 0.5 * rng.standard_normal(k.size)))
        op.append(sp.person[k])
        oc.append(np.full(k.size, code))
        os_.append(start)
        oe.append(start + dur.astype(np.int64))
    # Chains: another programme soon after an arbeidstrening spell ends.
    ended = np.flatnonzero((at.outcome != O_GJENN) & np.isin(at.group, (G_AS, G_NEDSATT)))
    p_chain = np.where(at.group[ended] == G_AS, _CHAIN_PROB[G_AS], _CHAIN_PROB[G_NEDSATT])
    ch = ended[rng.random(ended.size) < p_chain]
    codes = np.empty(ch.size, dtype=object)
    for g, opts in _CHAIN_CODES.items():
        sel = at.group[ch] == g
        codes[sel] = np.array([c for c, _ in opts])[
            choice_idx(rng, [w for _, w in opts], sel.sum())
        ]
    start = at.end[ch] + rng.integers(1, 90, ch.size)
    dur = np.maximum(14, np.exp(np.log(4 * 30.4) + 0.5 * rng.standard_normal(ch.size)))
    op.append(at.person[ch])
    oc.append(codes.astype(str))
    os_.append(start)
    oe.append(start + dur.astype(np.int64))
    person, code = np.concatenate(op), np.concatenate(oc)
    start, end = np.concatenate(os_), np.concatenate(oe)
    keep = start <= OBS_END_DAY
    # Ordinary programmes are not taken during a took-place arbeidstrening spell.
    keep &= ~overlaps_any(person, start, end, at.person, at.start, np.minimum(at_end, OBS_END_DAY))
    person, code, start, end = person[keep], code[keep], start[keep], end[keep]
    status, end = _status_and_end(rng, start, end)
    part = np.where(rng.random(person.size) < 0.7, 100.0, np.nan)
    out.add(person=person, code=code, start=start, end=end, status=status, part_time=part)
    # Grants alongside arbeidstrening: mentor and inclusion grants at the same employer.
    for code, share in (("MENTOR", 0.10), ("INKLUTILS", 0.04)):
        k = np.flatnonzero(rng.random(at.n) < share)
        start = np.minimum(at.start[k] + rng.integers(0, 15, k.size), at.end[k])
        start = np.minimum(start, OBS_END_DAY)
        end = at_end[k]
        st = np.where(at.outcome[k] == O_DELAVB, "DELAVB", "FULLF")
        st = np.where(end == NEVER, "GJENN", st)
        out.add(person=at.person[k], code=code, start=start, end=end, status=st,
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
    rng: np.random.Generator,
    pop: Population,
    sp: StatusSpells,
    prog: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    bp, bb, bs, be, bd = [], [], [], [], []

    def add(person, benefit, start, end, degree):
        n = len(person)
        bp.append(np.asarray(person))
        bb.append(np.full(n, benefit))
        bs.append(np.asarray(start))
        be.append(np.asarray(end))
        bd.append(np.broadcast_to(np.asarray(degree, dtype=float), (n,)).copy())

    n_sp = sp.person.size
    # AAP for most NEDSATT spells (from shortly after the spell starts, at most four years).
    k = np.flatnonzero((sp.status == NEDSATT) & (rng.random(n_sp) < 0.85))
    start = sp.start[k] + rng.integers(0, 45, k.size)
    end = np.minimum(sp.end[k], add_months(start, 48) - 1)
    ok = end >= start
    deg = np.where(rng.random(k.size) < 0.8, 100.0, rng.choice([50.0, 60.0, 80.0], k.size))
    add(sp.person[k][ok], "AAP", start[ok], end[ok], deg[ok])
    aap_iv = (sp.person[k][ok], start[ok], end[ok])
    # Dagpenger for job seekers with prior work (limited duration: 52 or 104 weeks).
    b = pop.b[sp.person]
    p_dp = np.clip(1.6 * (b - 0.15), 0.0, 0.75)
    k = np.flatnonzero((sp.status == AS) & (rng.random(n_sp) < p_dp))
    start = sp.start[k] + rng.integers(0, 21, k.size)
    weeks = np.where(b[k] > 0.45, 104, 52)
    end = np.minimum(sp.end[k], start + 7 * weeks - 1)
    ok = end >= start
    add(sp.person[k][ok], "DAGPENGER", start[ok], end[ok], 100.0)
    dp_iv = (sp.person[k][ok], start[ok], end[ok])
    # Uføretrygd after long NEDSATT spells (ongoing).
    uf = np.flatnonzero((sp.ufore_day >= 0) & (sp.ufore_day <= OBS_END_DAY))
    deg = np.where(rng.random(uf.size) < 0.65, 100.0, rng.choice([50.0, 60.0, 70.0, 80.0], uf.size))
    add(uf, "UFORETRYGD", sp.ufore_day[uf], np.full(uf.size, NEVER), deg)
    # Tiltakspenger during programmes for those without AAP or dagpenger.
    prog_main = np.isin(
        prog["code"], ("MIDLONTIL", "VARLONTIL", "MENTOR", "INKLUTILS"), invert=True
    ) & np.isin(prog["status"], ("GJENN", "FULLF", "DELAVB", "GJENN_AVB"))
    k = np.flatnonzero(prog_main)
    pe = np.minimum(prog["end"][k], OBS_END_DAY)
    has = overlaps_any(prog["person"][k], prog["start"][k], pe, *aap_iv) | overlaps_any(
        prog["person"][k], prog["start"][k], pe, *dp_iv
    )
    k = k[~has]
    add(prog["person"][k], "TILTAKSPENGER", prog["start"][k], prog["end"][k], np.nan)
    # Sosialhjelp for persons with weak attachment; KVP for young and immigrants.
    low = np.flatnonzero(rng.random(pop.n) < np.clip(0.45 - pop.b, 0.02, 0.4))
    for _ in range(2):
        m = rng.integers(0, 108, low.size)
        start = month_start(m)
        end = add_months(start, rng.integers(1, 13, low.size)) - 1
        add(low, "SOSIALHJELP", start, end, np.nan)
        low = low[rng.random(low.size) < 0.4]
    kvp_p = np.where((pop.immigrant == IMM_B) | (pop.birth_m >= m_of(1990, 1)), 0.05, 0.005)
    k = np.flatnonzero(rng.random(pop.n) < kvp_p * (pop.b < 0.35))
    m = np.maximum(pop.entry_m[k], 0) + rng.integers(0, 24, k.size)
    k, m = k[m <= 107], m[m <= 107]
    start = month_start(m) + rng.integers(0, 28, k.size)
    end = add_months(start, rng.choice([12, 12, 18, 24], k.size)) - 1
    add(k, "KVP", start, end, 100.0)

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


def education_spells(
    rng: np.random.Generator, pop: Population, at: ATSpells
) -> dict[str, np.ndarray]:
    ep, es, ee, el, ea = [], [], [], [], []

    def add(person, start, end, level, apprentice):
        n = len(person)
        ep.append(np.asarray(person))
        es.append(np.asarray(start))
        ee.append(np.asarray(end))
        el.append(np.broadcast_to(np.asarray(level), (n,)).copy())
        ea.append(np.broadcast_to(np.asarray(apprentice, dtype=bool), (n,)).copy())

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
    k = np.flatnonzero((at.purpose == fag) & (at.outcome != O_GJENN) & (rng.random(at.n) < 0.35))
    start = month_start(day_to_month(at.end[k]) + 1 + rng.integers(0, 4, k.size))
    add(at.person[k], start, add_months(start, 24) - 1, "4", True)

    person = np.concatenate(ep)
    start = np.concatenate(es)
    end = np.concatenate(ee)
    level = np.concatenate(el)
    appr = np.concatenate(ea)
    keep = start <= OBS_END_DAY
    end = np.where(end > OBS_END_DAY, NEVER, end)
    return {
        "person": person[keep],
        "start": start[keep],
        "end": end[keep],
        "level": level[keep],
        "apprentice": appr[keep],
    }
