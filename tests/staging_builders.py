"""Test helpers: hand-built and random staging rows, and a brute-force reference panel.

`Staging` collects rows per contract table and loads them into empty staging tables.
`random_staging(seed, n_persons, ...)` makes a small random but consistent population.
`reference_panel(staging, threshold)` recomputes panel.at_spells and panel.person_month in plain
Python (loops and datetime arithmetic, no SQL) so the SQL can be checked against it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from analysis import contract
from analysis.contract import TABLES
from analysis.warehouse import create_empty_staging, set_observation_window

D = dt.date.fromisoformat

TOOK_PLACE = {"GJENN", "FULLF", "DELAVB", "GJENN_AVB"}
WAGE_SUBSIDY = {"MIDLONTIL", "VARLONTIL"}
GRANTS = {"MENTOR", "INKLUTILS"}


def _date(value):
    if value is None or isinstance(value, dt.date):
        return value
    return D(value)


@dataclass
class Staging:
    """Rows for every staging table, built by hand or at random, plus the observation window."""

    window_start: dt.date = D("2020-01-01")
    window_end: dt.date = D("2021-12-31")
    rows: dict[str, list[dict]] = field(default_factory=lambda: {t.name: [] for t in TABLES})

    # -- builders -------------------------------------------------------------------------------
    def person(self, person_id, birth_ym=199001, gender=2, immigrant_category="A", nus_level="3"):
        self.rows["persons"].append(
            dict(
                person_id=person_id,
                birth_ym=birth_ym,
                gender=gender,
                immigrant_category=immigrant_category,
                nus_level=nus_level,
                municipality="0301",
            )
        )
        return self

    def status(self, person_id, status, start, end=None, innsatsgruppe=None):
        self.rows["nav_status_spells"].append(
            dict(
                person_id=person_id,
                status=status,
                innsatsgruppe=innsatsgruppe,
                start_date=_date(start),
                end_date=_date(end),
            )
        )
        return self

    def programme(
        self,
        spell_id,
        person_id,
        code,
        start,
        end=None,
        participant_status="FULLF",
        employer_org=None,
        part_time_pct=100.0,
    ):
        if employer_org is None and code in ("ARBTREN", "MIDLONTIL", "VARLONTIL"):
            employer_org = "900000001"
        self.rows["programme_spells"].append(
            dict(
                spell_id=spell_id,
                person_id=person_id,
                programme_code=code,
                start_date=_date(start),
                end_date=_date(end),
                participant_status=participant_status,
                part_time_pct=part_time_pct,
                employer_org=employer_org,
            )
        )
        return self

    def agreement(
        self, agreement_id, spell_id, agreed_start, agreed_end, status="AVSLUTTET", purposes=()
    ):
        """`purposes`: purpose codes in rank order (rank 1 first), or (purpose, rank) pairs."""
        self.rows["at_agreements"].append(
            dict(
                agreement_id=agreement_id,
                spell_id=spell_id,
                agreed_start=_date(agreed_start),
                agreed_end=_date(agreed_end),
                position_pct=100.0,
                days_per_week=5.0,
                occupation_styrk08=None,
                status=status,
                end_reason=None,
            )
        )
        for i, p in enumerate(purposes, start=1):
            purpose, rank = p if isinstance(p, tuple) else (p, i)
            self.rows["at_agreement_purposes"].append(
                dict(agreement_id=agreement_id, purpose=purpose, rank=rank)
            )
        return self

    def benefit(self, person_id, benefit, start, end=None, degree_pct=100.0):
        self.rows["benefit_spells"].append(
            dict(
                person_id=person_id,
                benefit=benefit,
                start_date=_date(start),
                end_date=_date(end),
                degree_pct=degree_pct,
            )
        )
        return self

    def job(self, person_id, year_month, employer_org, earnings_nok, position_pct=50.0):
        self.rows["employment_months"].append(
            dict(
                person_id=person_id,
                year_month=year_month,
                employer_org=employer_org,
                earnings_nok=earnings_nok,
                position_pct=position_pct,
            )
        )
        return self

    def education(self, person_id, start, end=None, nus_level="4", apprentice=False):
        self.rows["education_spells"].append(
            dict(
                person_id=person_id,
                start_date=_date(start),
                end_date=_date(end),
                nus_level=nus_level,
                apprentice=apprentice,
            )
        )
        return self

    # -- loading --------------------------------------------------------------------------------
    def load(self, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        create_empty_staging(con)
        set_observation_window(con, str(self.window_start), str(self.window_end), "test")
        for table in TABLES:
            rows = self.rows[table.name]
            if not rows:
                continue
            cols = list(table.column_names)
            df = pd.DataFrame(rows, columns=cols)
            for c in table.columns:
                if c.sql_type == "DATE":
                    df[c.name] = pd.to_datetime(df[c.name])
            con.register("_rows", df)
            select = ", ".join(f'CAST("{c.name}" AS {c.sql_type})' for c in table.columns)
            con.execute(
                f"INSERT INTO staging.{table.name} ({', '.join(cols)}, _source_file, _source_row) "
                f"SELECT {select}, 'test', row_number() OVER () FROM _rows"
            )
            con.unregister("_rows")
        return con


# -- random population ------------------------------------------------------------------------

PROGRAMME_MIX = (
    ["ARBTREN"] * 8
    + ["MIDLONTIL"] * 3
    + [
        "VARLONTIL",
        "GRUPPEAMO",
        "ENKELAMO",
        "ARBFORB",
        "INDOPPFAG",
        "AVKLARAG",
        "MENTOR",
        "INKLUTILS",
    ]
)
STATUS_MIX = (
    ["FULLF"] * 5
    + ["GJENN"] * 2
    + ["DELAVB", "GJENN_AVB", "IKKEM", "GJENN_AVL", "AVSLAG", "TILBUD"]
)
PURPOSE_CODES = contract.PURPOSES


def random_staging(
    seed: int = 1,
    n_persons: int = 300,
    window_start: str = "2019-03-15",
    window_end: str = "2021-08-20",
) -> Staging:
    """A small random but contract-consistent population, dense in the edge cases that matter:
    spells across month/year ends and the window edges, ongoing spells, overlapping status spells,
    several jobs in a month near the threshold, several purposes, annulled agreements, repeated
    AT spells, AT followed by wage subsidies and jobs at the AT employer."""
    rng = random.Random(seed)
    st = Staging(window_start=D(window_start), window_end=D(window_end))
    lo, hi = st.window_start - dt.timedelta(days=400), st.window_end + dt.timedelta(days=200)
    span = (hi - lo).days
    orgs = [f"9{i:08d}" for i in range(1, 9)]

    def rdate():
        return lo + dt.timedelta(days=rng.randrange(span))

    def rend(start, max_days=500):
        r = rng.random()
        if r < 0.15:
            return None
        if r < 0.25:  # ends the same day or in the same month
            return start + dt.timedelta(days=rng.randrange(0, 20))
        return start + dt.timedelta(days=rng.randrange(0, max_days))

    def ym_add(ym, k):
        i = (ym // 100) * 12 + ym % 100 - 1 + k
        return (i // 12) * 100 + i % 12 + 1

    spell_no = agreement_no = 0
    for i in range(n_persons):
        pid = f"p{i:04d}"
        st.person(
            pid,
            birth_ym=rng.randrange(1955, 2004) * 100 + rng.randrange(1, 13),
            gender=rng.choice((1, 2)),
            immigrant_category=rng.choice("ABCEFG"),
            nus_level=str(rng.randrange(0, 10)),
        )
        used = set()
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            status = rng.choice(("ARBEIDSSOKER", "NEDSATT_ARBEIDSEVNE"))
            start = rdate()
            if rng.random() < 0.1 and used:  # same start date as another status spell
                start = rng.choice(sorted(used))[1]
            if (status, start) in used:
                continue
            used.add((status, start))
            st.status(
                pid,
                status,
                start,
                rend(start, 700),
                rng.choice((None, "SITUASJONSBESTEMT_INNSATS", "SPESIELT_TILPASSET_INNSATS")),
            )
        at_spells = []
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3, 4))):
            spell_no += 1
            sid = f"s{spell_no:05d}"
            code = rng.choice(PROGRAMME_MIX)
            start = rdate()
            end = rend(start, 400)
            org = rng.choice(orgs) if code in ("ARBTREN", "MIDLONTIL", "VARLONTIL") else None
            if code != "ARBTREN" and at_spells and rng.random() < 0.5:
                # follow an AT spell, often at the same employer
                prev_end, prev_org = at_spells[-1]
                if prev_end is not None:
                    start = prev_end + dt.timedelta(days=rng.randrange(1, 90))
                    end = rend(start, 300)
                    if org is not None and rng.random() < 0.7:
                        org = prev_org
            ps = rng.choice(STATUS_MIX)
            st.programme(sid, pid, code, start, end, ps, org, rng.choice((None, 50.0, 100.0)))
            if code == "ARBTREN":
                at_spells.append((end, org))
                for _ in range(rng.choice((0, 1, 1, 2))):
                    agreement_no += 1
                    a_start = start + dt.timedelta(days=rng.randrange(-10, 10))
                    a_end = a_start + dt.timedelta(days=rng.randrange(0, 300))
                    n_p = rng.choice((0, 1, 1, 2, 3))
                    purposes = rng.sample(PURPOSE_CODES, n_p)
                    if n_p and rng.random() < 0.1:  # no rank-1 purpose
                        purposes = [(p, r + 2) for r, p in enumerate(purposes)]
                    st.agreement(
                        f"a{agreement_no:05d}",
                        sid,
                        a_start,
                        a_end,
                        rng.choice(("AVSLUTTET", "GJENNOMFORES", "ANNULLERT")),
                        purposes,
                    )
                if end is not None and rng.random() < 0.5:  # job at the AT employer afterwards
                    ym = end.year * 100 + end.month
                    for k in range(rng.randrange(0, 14), rng.randrange(0, 20)):
                        st.job(pid, ym_add(ym, k), org, rng.choice((3000, 5000, 20000)))
        for _ in range(rng.choice((0, 1, 2))):
            start = rdate()
            st.benefit(
                pid,
                rng.choice(
                    ("AAP", "DAGPENGER", "TILTAKSPENGER", "UFORETRYGD", "SOSIALHJELP", "KVP")
                ),
                start,
                rend(start),
            )
        if rng.random() < 0.2:
            start = rdate()
            st.education(pid, start, rend(start), str(rng.randrange(2, 8)), rng.random() < 0.4)
        if rng.random() < 0.6:
            ym0 = rdate()
            ym = ym0.year * 100 + ym0.month
            taken = {
                (r["year_month"], r["employer_org"])
                for r in st.rows["employment_months"]
                if r["person_id"] == pid
            }
            for k in range(rng.randrange(1, 20)):
                for org in rng.sample(orgs, rng.choice((1, 1, 2, 3))):
                    key = (ym_add(ym, k), org)
                    if key not in taken:
                        taken.add(key)
                        st.job(
                            pid, key[0], org, rng.choice((0, 1000, 2500, 2500, 4999, 5000, 12000))
                        )
    # jobs may have duplicated (person, month, employer) keys from the two loops: keep the first
    seen, jobs = set(), []
    for r in st.rows["employment_months"]:
        key = (r["person_id"], r["year_month"], r["employer_org"])
        if key not in seen:
            seen.add(key)
            jobs.append(r)
    st.rows["employment_months"] = jobs
    # education key (person, start, nus_level) must be unique: one spell per person above
    return st


# -- brute-force reference panel --------------------------------------------------------------


def month_index(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def ym_to_index(ym: int) -> int:
    return (ym // 100) * 12 + ym % 100 - 1


def index_to_ym(i: int) -> int:
    return (i // 12) * 100 + i % 12 + 1


def month_bounds(i: int) -> tuple[dt.date, dt.date]:
    first = dt.date(i // 12, i % 12 + 1, 1)
    nxt = dt.date((i + 1) // 12, (i + 1) % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def overlaps(start: dt.date, end: dt.date | None, i: int, obs_end: dt.date) -> bool:
    """The contract's rule: start <= last day and coalesce(end, obs_end) >= first day, never
    past the observation end (a spell starting after obs_end has no observed part)."""
    first, last = month_bounds(i)
    end_eff = end if end is not None else obs_end
    end_eff = min(end_eff, obs_end)
    return start <= last and end_eff >= first and start <= obs_end


def _pick_status(spells):
    """Started last wins; equal start dates -> NEDSATT_ARBEIDSEVNE."""
    if not spells:
        return None
    return max(spells, key=lambda s: (s["start_date"], s["status"] == "NEDSATT_ARBEIDSEVNE"))


def reference_panel(st: Staging, threshold: int = 5000) -> dict:
    """Recompute panel.at_spells and panel.person_month with loops. Returns dict with
    'months' (list of month indexes), 'at_spells' (dict spell_id -> row), 'person_month'
    (dict (person_id, year_month) -> row)."""
    obs_start, obs_end = st.window_start, st.window_end
    months = list(range(month_index(obs_start), month_index(obs_end) + 1))
    persons = {p["person_id"]: p for p in st.rows["persons"]}
    by_person = defaultdict(lambda: defaultdict(list))
    for tname in (
        "nav_status_spells",
        "programme_spells",
        "benefit_spells",
        "education_spells",
        "employment_months",
    ):
        for r in st.rows[tname]:
            by_person[r["person_id"]][tname].append(r)

    # at_spells
    at = {}
    for s in st.rows["programme_spells"]:
        if s["programme_code"] != "ARBTREN" or s["participant_status"] not in TOOK_PLACE:
            continue
        if s["start_date"] > obs_end:
            continue
        at[s["spell_id"]] = dict(s)
    for pid in persons:
        mine = sorted(
            (s for s in at.values() if s["person_id"] == pid),
            key=lambda s: (s["start_date"], s["spell_id"]),
        )
        for n, s in enumerate(mine, start=1):
            s["spell_seq"] = n
    agreements = defaultdict(list)
    for a in st.rows["at_agreements"]:
        agreements[a["spell_id"]].append(a)
    purposes = defaultdict(list)
    for p in st.rows["at_agreement_purposes"]:
        purposes[p["agreement_id"]].append(p)
    for s in at.values():
        end = s["end_date"]
        ongoing = end is None or end > obs_end
        s["is_ongoing"] = ongoing
        s["end_date_observed"] = obs_end if ongoing else end
        s["start_ym"] = s["start_date"].year * 100 + s["start_date"].month
        s["exit_ym"] = None if ongoing else end.year * 100 + end.month
        covering = [
            n
            for n in by_person[s["person_id"]]["nav_status_spells"]
            if n["start_date"] <= s["start_date"]
            and (n["end_date"] is None or n["end_date"] >= s["start_date"])
        ]
        chosen = _pick_status(covering)
        s["status_group"] = chosen["status"] if chosen else "ANNET"
        s["innsatsgruppe_at_start"] = chosen["innsatsgruppe"] if chosen else None
        valid = sorted(
            (a for a in agreements[s["spell_id"]] if a["status"] != "ANNULLERT"),
            key=lambda a: (a["agreed_start"], a["agreement_id"]),
        )
        g = valid[0] if valid else None
        s["agreement_id"] = g["agreement_id"] if g else None
        s["has_agreement"] = g is not None
        ps = purposes[g["agreement_id"]] if g else []
        rank1 = [p["purpose"] for p in ps if p["rank"] == 1]
        s["purpose"] = rank1[0] if rank1 else "UKJENT"
        s["n_purposes"] = len({p["purpose"] for p in ps})
        s["agreed_start"] = g["agreed_start"] if g else None
        s["agreed_end"] = g["agreed_end"] if g else None
        s["planned_days"] = (g["agreed_end"] - g["agreed_start"]).days + 1 if g else None
        s["actual_days"] = (s["end_date_observed"] - s["start_date"]).days + 1
        if g is None:
            s["extended"] = None
        elif ongoing:
            s["extended"] = False
        else:
            s["extended"] = end > g["agreed_end"]
        birth = persons[s["person_id"]]["birth_ym"]
        s["age_at_start"] = (month_index(s["start_date"]) - ym_to_index(birth)) // 12

    first_at = {}
    for s in at.values():
        if s["spell_seq"] == 1:
            first_at[s["person_id"]] = month_index(s["start_date"])

    pm = {}
    for pid, p in persons.items():
        rows = by_person[pid]
        earnings = defaultdict(int)
        employers = defaultdict(int)
        for e in rows["employment_months"]:
            earnings[e["year_month"]] += e["earnings_nok"]
            employers[e["year_month"]] += 1
        for i in months:
            ym = index_to_ym(i)
            status_spells = [
                n
                for n in rows["nav_status_spells"]
                if overlaps(n["start_date"], n["end_date"], i, obs_end)
            ]
            chosen = _pick_status(status_spells)
            progs = [
                s
                for s in rows["programme_spells"]
                if s["participant_status"] in TOOK_PLACE
                and overlaps(s["start_date"], s["end_date"], i, obs_end)
            ]
            codes = {s["programme_code"] for s in progs}
            bens = {
                b["benefit"]
                for b in rows["benefit_spells"]
                if overlaps(b["start_date"], b["end_date"], i, obs_end)
            }
            edus = [
                e
                for e in rows["education_spells"]
                if overlaps(e["start_date"], e["end_date"], i, obs_end)
            ]
            r = dict(
                person_id=pid,
                year_month=ym,
                month_index=i,
                age=(i - ym_to_index(p["birth_ym"])) // 12,
                gender=p["gender"],
                immigrant_category=p["immigrant_category"],
                nus_level=p["nus_level"],
                nav_status=chosen["status"] if chosen else None,
                innsatsgruppe=chosen["innsatsgruppe"] if chosen else None,
                registered=chosen is not None,
                earnings_nok=earnings.get(ym, 0),
                n_employers=employers.get(ym, 0),
                employed=earnings.get(ym, 0) >= threshold,
                in_at="ARBTREN" in codes,
                in_wage_subsidy=bool(codes & WAGE_SUBSIDY),
                in_other_programme=bool(codes - WAGE_SUBSIDY - GRANTS - {"ARBTREN"}),
                in_education=bool(edus),
                apprentice=any(e["apprentice"] for e in edus),
                aap="AAP" in bens,
                dagpenger="DAGPENGER" in bens,
                tiltakspenger="TILTAKSPENGER" in bens,
                uforetrygd="UFORETRYGD" in bens,
                sosialhjelp="SOSIALHJELP" in bens,
                kvp="KVP" in bens,
                any_benefit=bool(bens),
            )
            if r["in_at"]:
                state = "IN_ARBEIDSTRENING"
            elif r["in_wage_subsidy"]:
                state = "WAGE_SUBSIDY"
            elif r["in_other_programme"]:
                state = "OTHER_PROGRAMME"
            elif r["employed"]:
                state = "EMPLOYED"
            elif r["in_education"]:
                state = "EDUCATION"
            elif r["uforetrygd"]:
                state = "UFORETRYGD"
            elif r["aap"]:
                state = "AAP"
            elif any(n["status"] == "ARBEIDSSOKER" for n in status_spells):
                # the overlap rule, like every state: any ARBEIDSSOKER spell in the month
                state = "JOBSEEKER"
            else:
                state = "NONE"
            r["state"] = state
            f = first_at.get(pid)
            r["first_at_start_ym"] = index_to_ym(f) if f is not None else None
            r["months_since_at_start"] = i - f if f is not None else None
            pm[(pid, ym)] = r
    return {
        "months": months,
        "at_spells": at,
        "person_month": pm,
        "obs_end": obs_end,
        "obs_start": obs_start,
    }
