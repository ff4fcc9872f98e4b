"""Every mart against an independent brute-force computation in plain Python (loops over the rows
of the reference panel from tests/staging_builders.py, datetime arithmetic, no SQL), with exact
count equality, on small random populations."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict

import duckdb
import pytest

from analysis import contract, design
from analysis.marts import MART_STEPS, MART_TABLES, build_all_marts
from analysis.panel import build_panel
from tests.staging_builders import (
    GRANTS,
    TOOK_PLACE,
    WAGE_SUBSIDY,
    index_to_ym,
    month_index,
    overlaps,
    random_staging,
    reference_panel,
    ym_to_index,
)

STATUS_GROUPS = design.STATUS_GROUPS
PURPOSES = contract.PURPOSES
STATES = (
    "IN_ARBEIDSTRENING",
    "WAGE_SUBSIDY",
    "OTHER_PROGRAMME",
    "EMPLOYED",
    "EDUCATION",
    "UFORETRYGD",
    "AAP",
    "JOBSEEKER",
    "NONE",
)
HORIZONS = (1, 3, 6, 12, 24)


def rows(con, sql):
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def ratio(n, d):
    return n / d if d else None


def build(st):
    con = duckdb.connect()
    st.load(con)
    build_panel(con)
    build_all_marts(con)
    return con


# (seed, persons, window): the third case has a window over 64 months, so the 12-month
# employment look-back crosses the participant profile's 64-month frame boundaries.
@pytest.fixture(
    scope="module",
    params=[
        (21, 300, "2019-03-15", "2021-08-20"),
        (22, 300, "2019-03-15", "2021-08-20"),
        (23, 200, "2015-01-15", "2021-12-31"),
    ],
)
def case(request):
    seed, n, start, end = request.param
    st = random_staging(seed, n, start, end)
    con = build(st)
    yield st, con, reference_panel(st)
    con.close()


# --- reference computations ----------------------------------------------------------------------


def ref_participants_monthly(st, ref):
    out = {}
    for i in ref["months"]:
        chosen = {}
        for s in ref["at_spells"].values():
            if overlaps(s["start_date"], s["end_date"], i, ref["obs_end"]):
                key = (s["start_date"], s["spell_id"])
                if s["person_id"] not in chosen or key > chosen[s["person_id"]][0]:
                    chosen[s["person_id"]] = (key, s["status_group"])
        counts = Counter(g for _, g in chosen.values())
        for g in STATUS_GROUPS:
            out[(index_to_ym(i), g)] = counts.get(g, 0)
    return out


def window_spells(ref):
    return [s for s in ref["at_spells"].values() if s["start_date"] >= ref["obs_start"]]


def governing_purposes(st, agreement_id):
    return {
        p["purpose"] for p in st.rows["at_agreement_purposes"] if p["agreement_id"] == agreement_id
    }


def target_observed(ref, target):
    return ref["months"][0] <= target <= ref["months"][-1]


def ref_exit_outcomes(st, ref):
    jobs = {
        (e["person_id"], e["year_month"], e["employer_org"]) for e in st.rows["employment_months"]
    }
    subsidies = [
        p
        for p in st.rows["programme_spells"]
        if p["programme_code"] in WAGE_SUBSIDY and p["participant_status"] in TOOK_PLACE
    ]
    out = {}
    for s in ref["at_spells"].values():
        if s["exit_ym"] is None:
            continue
        exit_i = ym_to_index(s["exit_ym"])
        for k in HORIZONS:
            t = exit_i + k
            if not target_observed(ref, t):
                out[(s["spell_id"], k)] = None
                continue
            pm = ref["person_month"][(s["person_id"], index_to_ym(t))]
            job = pm["employed"] and (s["person_id"], index_to_ym(t), s["employer_org"]) in jobs
            ws = any(
                p["person_id"] == s["person_id"]
                and p["employer_org"] == s["employer_org"]
                and overlaps(p["start_date"], p["end_date"], t, ref["obs_end"])
                for p in subsidies
            )
            out[(s["spell_id"], k)] = dict(
                pm,
                employed_at_at_employer=job,
                wage_subsidy_at_at_employer=ws,
                same_employer=job or ws,
            )
    return out


def intended_reached(purpose, o):
    if purpose == "FAA_JOBB_I_BEDRIFTEN":
        return o["same_employer"]
    if purpose == "OPPNAA_FAGBREV_KOMPETANSEBEVIS":
        return o["apprentice"] or o["in_education"]
    if purpose == "UTPROVING":
        return o["in_wage_subsidy"] or o["in_other_programme"] or o["aap"] or o["employed"]
    if purpose == "SPRAAKOPPLAERING":
        return o["employed"] or o["in_education"] or o["in_wage_subsidy"] or o["in_other_programme"]
    return o["employed"]


def add_months(d: dt.date, n: int) -> dt.date:
    i = month_index(d) + n
    y, m = i // 12, i % 12 + 1
    last = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, m, min(d.day, last))


def status_group_on(st, person_id, day):
    cover = [
        n
        for n in st.rows["nav_status_spells"]
        if n["person_id"] == person_id
        and n["start_date"] <= day
        and (n["end_date"] is None or n["end_date"] >= day)
    ]
    if not cover:
        return "ANNET"
    return max(cover, key=lambda n: (n["start_date"], n["status"] == "NEDSATT_ARBEIDSEVNE"))[
        "status"
    ]


def purpose_of(st, spell_id):
    valid = sorted(
        (
            a
            for a in st.rows["at_agreements"]
            if a["spell_id"] == spell_id and a["status"] != "ANNULLERT"
        ),
        key=lambda a: (a["agreed_start"], a["agreement_id"]),
    )
    if not valid:
        return "UKJENT"
    rank1 = [
        p["purpose"]
        for p in st.rows["at_agreement_purposes"]
        if p["agreement_id"] == valid[0]["agreement_id"] and p["rank"] == 1
    ]
    return rank1[0] if rank1 else "UKJENT"


# --- tests ---------------------------------------------------------------------------------------


def test_registry_and_comments(case):
    _, con, _ = case
    names = [step.name for step in MART_STEPS]
    assert len(names) == len(set(names))
    for tables in MART_TABLES.values():
        for table in tables:
            schema, name = table.split(".")
            comment = con.execute(
                "SELECT comment FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
                [schema, name],
            ).fetchone()
            assert comment and comment[0], table
            missing = con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
                "AND (comment IS NULL OR comment = '')",
                [schema, name],
            ).fetchall()
            assert missing == [], (table, missing)


def test_contract_mart_types(case):
    _, con, _ = case
    expected = {
        "participants_monthly": [
            ("year_month", "INTEGER"),
            ("status_group", "VARCHAR"),
            ("n_participants", "BIGINT"),
        ],
        "purpose_distribution": [
            ("year", "INTEGER"),
            ("purpose", "VARCHAR"),
            ("n_spells", "BIGINT"),
            ("share", "DOUBLE"),
        ],
        "purpose_coverage": [
            ("year", "INTEGER"),
            ("n_spells", "BIGINT"),
            ("n_with_agreement", "BIGINT"),
            ("coverage", "DOUBLE"),
        ],
        "transitions": [
            ("purpose", "VARCHAR"),
            ("months_after_exit", "INTEGER"),
            ("state", "VARCHAR"),
            ("n", "BIGINT"),
            ("share", "DOUBLE"),
        ],
    }
    for table, cols in expected.items():
        got = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'marts' AND table_name = ? ORDER BY column_index",
            [table],
        ).fetchall()
        assert got == cols, table


def test_participants_monthly_and_annual(case):
    st, con, ref = case
    want = ref_participants_monthly(st, ref)
    got = {
        (r["year_month"], r["status_group"]): r["n_participants"]
        for r in rows(con, "SELECT * FROM marts.participants_monthly")
    }
    assert got == want
    assert sum(want.values()) > 0
    by_year = defaultdict(lambda: defaultdict(list))
    for (ym, g), n in want.items():
        by_year[ym // 100][g].append(n)
    for ym in {ym for ym, _ in want}:
        by_year[ym // 100]["ALL"].append(sum(want[(ym, g)] for g in STATUS_GROUPS))
    annual = rows(con, "SELECT * FROM marts.participants_annual")
    assert len(annual) == sum(len(v) for v in by_year.values())
    for r in annual:
        values = by_year[r["year"]][r["status_group"]]
        assert r["n_months"] == len(values)
        assert close(r["avg_monthly_participants"], sum(values) / len(values))


def test_purpose_marts(case):
    st, con, ref = case
    spells = window_spells(ref)
    years = sorted({i // 12 for i in ref["months"]})
    counts = Counter((s["start_date"].year, s["purpose"]) for s in spells)
    got = rows(con, "SELECT * FROM marts.purpose_distribution")
    assert len(got) == len(years) * 7
    for r in got:
        n = counts.get((r["year"], r["purpose"]), 0)
        known = sum(v for (y, p), v in counts.items() if y == r["year"] and p != "UKJENT")
        assert r["n_spells"] == n
        assert close(r["share"], None if r["purpose"] == "UKJENT" else ratio(n, known))
    cov = {r["year"]: r for r in rows(con, "SELECT * FROM marts.purpose_coverage")}
    assert sorted(cov) == years
    for y in years:
        n = sum(1 for s in spells if s["start_date"].year == y)
        a = sum(1 for s in spells if s["start_date"].year == y and s["has_agreement"])
        assert (cov[y]["n_spells"], cov[y]["n_with_agreement"]) == (n, a)
        assert close(cov[y]["coverage"], ratio(a, n))
    mentioned = defaultdict(Counter)
    total = Counter()
    for s in spells:
        if s["agreement_id"] is None:
            continue
        ps = governing_purposes(st, s["agreement_id"])
        if ps:
            total[s["start_date"].year] += 1
        for p in ps:
            mentioned[s["start_date"].year][p] += 1
    allp = rows(con, "SELECT * FROM marts.purpose_distribution_all_purposes")
    assert len(allp) == len(years) * 6
    for r in allp:
        n = mentioned[r["year"]][r["purpose"]]
        assert (r["n_agreements"], r["n_agreements_total"]) == (n, total[r["year"]])
        assert close(r["share"], ratio(n, total[r["year"]]))


def test_exit_outcomes(case):
    st, con, ref = case
    want = ref_exit_outcomes(st, ref)
    got = rows(con, "SELECT * FROM marts.exit_outcomes")
    assert len(got) == len(want)
    assert sum(1 for v in want.values() if v is None) > 0  # censoring happens in the data
    assert sum(1 for v in want.values() if v and v["same_employer"]) > 0
    for r in got:
        w = want[(r["spell_id"], r["months_after_exit"])]
        assert r["is_censored"] == (w is None)
        if w is None:
            assert r["state"] is None and r["same_employer"] is None
            continue
        for c in (
            "state",
            "employed",
            "in_at",
            "in_wage_subsidy",
            "in_other_programme",
            "in_education",
            "apprentice",
            "aap",
            "uforetrygd",
            "registered",
            "employed_at_at_employer",
            "wage_subsidy_at_at_employer",
            "same_employer",
        ):
            assert r[c] == w[c], (r["spell_id"], r["months_after_exit"], c)


def _check_transitions(con, table, group_col, groups, st, ref):
    outcomes = ref_exit_outcomes(st, ref)
    counts = Counter()
    for (sid, k), o in outcomes.items():
        if o is None:
            continue
        s = ref["at_spells"][sid]
        counts[(s[group_col], k, o["state"])] += 1
        counts[("ALL", k, o["state"])] += 1
    got = rows(con, f"SELECT * FROM marts.{table}")
    assert len(got) == len(groups) * len(HORIZONS) * len(STATES)
    for r in got:
        g = r[group_col]
        n = counts.get((g, r["months_after_exit"], r["state"]), 0)
        denom = sum(counts.get((g, r["months_after_exit"], s), 0) for s in STATES)
        assert r["n"] == n, (g, r["months_after_exit"], r["state"])
        assert close(r["share"], ratio(n, denom))


def test_transitions(case):
    st, con, ref = case
    _check_transitions(con, "transitions", "purpose", ("ALL", *PURPOSES, "UKJENT"), st, ref)
    _check_transitions(
        con, "transitions_by_status_group", "status_group", ("ALL", *STATUS_GROUPS), st, ref
    )


def test_intended_outcomes_and_same_employer(case):
    st, con, ref = case
    outcomes = ref_exit_outcomes(st, ref)
    at_risk, reached = Counter(), Counter()
    same = defaultdict(Counter)
    for (sid, k), o in outcomes.items():
        if o is None:
            continue
        p = ref["at_spells"][sid]["purpose"]
        at_risk[(p, k)] += 1
        reached[(p, k)] += bool(intended_reached(p, o))
        for g in (p, "ALL"):
            c = same[(g, k)]
            c["n"] += 1
            c["job"] += o["employed_at_at_employer"]
            c["ws"] += o["wage_subsidy_at_at_employer"]
            c["either"] += o["same_employer"]
            c["any"] += o["employed"]
    got = rows(con, "SELECT * FROM marts.intended_outcomes")
    assert len(got) == 7 * len(HORIZONS)
    for r in got:
        key = (r["purpose"], r["months_after_exit"])
        assert (r["n_spells"], r["n_reached"]) == (at_risk[key], reached[key]), key
        assert close(r["share"], ratio(reached[key], at_risk[key]))
    got = rows(con, "SELECT * FROM marts.same_employer")
    assert len(got) == 8 * len(HORIZONS)
    for r in got:
        c = same[(r["purpose"], r["months_after_exit"])]
        assert r["n_spells"] == c["n"]
        assert r["n_employed_same_employer"] == c["job"]
        assert r["n_wage_subsidy_same_employer"] == c["ws"]
        assert r["n_employed_or_wage_subsidy_same_employer"] == c["either"]
        assert r["n_employed_any_employer"] == c["any"]
        assert close(r["share_employed_or_wage_subsidy_same_employer"], ratio(c["either"], c["n"]))


def _profile_units(ref):
    first = ref["months"][0]
    pm = ref["person_month"]

    def history(pid, i):
        if i - 12 < first:
            return None
        return sum(pm[(pid, index_to_ym(j))]["employed"] for j in range(i - 12, i))

    units = []
    for s in window_spells(ref):
        i = month_index(s["start_date"])
        r = pm[(s["person_id"], index_to_ym(i))]
        units.append(
            (
                s["start_date"].year,
                "participants",
                r,
                s["age_at_start"],
                s["status_group"],
                s["innsatsgruppe_at_start"],
                history(s["person_id"], i),
            )
        )
    for (pid, ym), r in pm.items():
        if r["registered"] and not r["in_at"]:
            units.append(
                (
                    ym // 100,
                    "registered_non_participants",
                    r,
                    r["age"],
                    r["nav_status"],
                    r["innsatsgruppe"],
                    history(pid, r["month_index"]),
                )
            )
    return units


def _categories(r, age, status_group, innsats, hist):
    if age < 25:
        age_group = "UNDER_25"
    elif age < 30:
        age_group = "25_29"
    else:
        age_group = {3: "30_39", 4: "40_49", 5: "50_59"}.get(age // 10, "60_PLUS")
    main = "NONE"
    for b in ("uforetrygd", "aap", "dagpenger", "tiltakspenger", "kvp", "sosialhjelp"):
        if r[b]:
            main = b.upper()
            break
    if hist is None:
        hist_group = any_emp = "NOT_OBSERVED"
    else:
        hist_group = "0" if hist == 0 else "1_5" if hist <= 5 else "6_11" if hist <= 11 else "12"
        any_emp = "YES" if hist > 0 else "NO"
    return {
        "gender": "MALE" if r["gender"] == 1 else "FEMALE",
        "age_group": age_group,
        "under_30": "YES" if age < 30 else "NO",
        "immigrant_category": r["immigrant_category"],
        "nus_level": r["nus_level"],
        "status_group": status_group,
        "innsatsgruppe": innsats or "UKJENT",
        "main_benefit": main,
        "any_benefit": "YES" if r["any_benefit"] else "NO",
        "months_employed_12m_before": hist_group,
        "any_employment_12m_before": any_emp,
    }


def test_participant_profile(case):
    st, con, ref = case
    counts = Counter()
    totals = Counter()
    summary = defaultdict(list)
    for year, group, r, age, sg, ig, hist in _profile_units(ref):
        totals[(year, group)] += 1
        for dim, cat in _categories(r, age, sg, ig, hist).items():
            counts[(year, group, dim, cat)] += 1
        summary[(year, group)].append((r["gender"], age, sg, r["any_benefit"], hist))
    got = rows(con, "SELECT * FROM marts.participant_profile")
    assert {(r["year"], r["group"], r["dimension"], r["category"]): r["n"] for r in got} == dict(
        counts
    )
    for r in got:
        assert close(r["share"], r["n"] / totals[(r["year"], r["group"])])
    got = rows(con, "SELECT * FROM marts.participant_profile_summary")
    assert len(got) == len(summary)
    for r in got:
        units = summary[(r["year"], r["group"])]
        hist = [u[4] for u in units if u[4] is not None]
        participants = r["group"] == "participants"
        assert r["n_spell_starts"] == (len(units) if participants else 0)
        assert r["n_person_months"] == (0 if participants else len(units))
        assert close(r["share_female"], sum(u[0] == 2 for u in units) / len(units))
        assert close(r["mean_age"], sum(u[1] for u in units) / len(units))
        assert close(r["share_under_30"], sum(u[1] < 30 for u in units) / len(units))
        assert close(
            r["share_nedsatt_arbeidsevne"],
            sum(u[2] == "NEDSATT_ARBEIDSEVNE" for u in units) / len(units),
        )
        assert close(r["share_history_observed"], len(hist) / len(units))
        assert close(r["mean_months_employed_12m_before"], sum(hist) / len(hist) if hist else None)
        assert close(
            r["share_any_employment_12m_before"],
            sum(h > 0 for h in hist) / len(hist) if hist else None,
        )


def test_durations(case):
    st, con, ref = case
    obs_start, obs_end = ref["obs_start"], ref["obs_end"]
    groups = defaultdict(list)
    ikkem = Counter()

    def dims(start, purpose, status_group):
        return [
            ("ALL", "ALL"),
            ("purpose", purpose),
            ("status_group", status_group),
            ("start_year", str(start.year)),
            ("start_half_year", f"{start.year}H{1 if start.month <= 6 else 2}"),
            ("start_quarter", f"{start.year}Q{(start.month - 1) // 3 + 1}"),
        ]

    for s in window_spells(ref):
        for d in dims(s["start_date"], s["purpose"], s["status_group"]):
            groups[d].append(s)
    for p in st.rows["programme_spells"]:
        if (
            p["programme_code"] == "ARBTREN"
            and p["participant_status"] == "IKKEM"
            and obs_start <= p["start_date"] <= obs_end
        ):
            for d in dims(
                p["start_date"],
                purpose_of(st, p["spell_id"]),
                status_group_on(st, p["person_id"], p["start_date"]),
            ):
                ikkem[d] += 1
    got = {(r["dimension"], r["category"]): r for r in rows(con, "SELECT * FROM marts.durations")}
    assert set(got) == set(groups) | set(ikkem)
    assert sum(ikkem.values()) > 0
    for key, r in got.items():
        spells = groups.get(key, [])
        ended = [s for s in spells if not s["is_ongoing"]]
        agreed = [s for s in spells if s["has_agreement"]]
        ended_agreed = [s for s in ended if s["has_agreement"]]
        assert r["n_spells"] == len(spells)
        assert r["n_ongoing"] == len(spells) - len(ended)
        assert r["n_with_agreement"] == len(agreed)
        assert close(
            r["mean_planned_days"],
            statistics.fmean(s["planned_days"] for s in agreed) if agreed else None,
        )
        assert close(
            r["median_planned_days"],
            statistics.median(s["planned_days"] for s in agreed) if agreed else None,
        )
        assert close(
            r["share_planned_up_to_3_months"],
            ratio(
                sum(s["agreed_end"] < add_months(s["agreed_start"], 3) for s in agreed), len(agreed)
            ),
        )
        assert close(
            r["mean_actual_days"],
            statistics.fmean(s["actual_days"] for s in ended) if ended else None,
        )
        assert close(
            r["median_actual_days"],
            statistics.median(s["actual_days"] for s in ended) if ended else None,
        )
        n_ext = sum(s["end_date"] > s["agreed_end"] for s in ended_agreed)
        assert (r["n_ended_with_agreement"], r["n_extended"]) == (len(ended_agreed), n_ext)
        assert r["n_delavb"] == sum(s["participant_status"] == "DELAVB" for s in spells)
        assert r["n_gjenn_avb"] == sum(s["participant_status"] == "GJENN_AVB" for s in spells)
        assert r["n_ikkem"] == ikkem.get(key, 0)
        assert close(r["share_ikkem"], ratio(ikkem.get(key, 0), len(spells) + ikkem.get(key, 0)))
        for cap in (12, 18):
            reached = [
                s
                for s in spells
                if s["end_date_observed"] >= add_months(s["start_date"], cap) - dt.timedelta(days=1)
            ]
            known = [s for s in spells if s in reached or not s["is_ongoing"]]
            assert r[f"n_reached_{cap}_months"] == len(reached)
            assert r[f"n_known_{cap}_months"] == len(known)


def ref_chaining_next(st, ref):
    first, last = ref["months"][0], ref["months"][-1]
    progs = [
        p
        for p in st.rows["programme_spells"]
        if p["participant_status"] in TOOK_PLACE
        and p["programme_code"] not in GRANTS
        and p["start_date"] <= ref["obs_end"]
    ]
    kind = {"MIDLONTIL": "WAGE_SUBSIDY", "VARLONTIL": "WAGE_SUBSIDY", "ARBTREN": "ARBEIDSTRENING"}
    order = {"WAGE_SUBSIDY": 1, "ARBEIDSTRENING": 2, "OTHER_PROGRAMME": 3}
    result = []
    for s in ref["at_spells"].values():
        if s["exit_ym"] is None or ym_to_index(s["exit_ym"]) < first:
            continue
        exit_i = ym_to_index(s["exit_ym"])
        later = [
            p for p in progs if p["person_id"] == s["person_id"] and p["start_date"] > s["end_date"]
        ]
        nxt = min(
            later,
            key=lambda p: (
                p["start_date"],
                order[kind.get(p["programme_code"], "OTHER_PROGRAMME")],
                p["spell_id"],
            ),
            default=None,
        )
        months = month_index(nxt["start_date"]) - exit_i if nxt else None
        if nxt and months <= 24:
            cat = kind.get(nxt["programme_code"], "OTHER_PROGRAMME")
        elif exit_i + 24 <= last:
            cat, months = "NONE_WITHIN_24_MONTHS", None
        else:
            cat, months = "CENSORED", None
        y = s["exit_ym"] // 100
        half = f"{y}H{1 if s['exit_ym'] % 100 <= 6 else 2}"
        for d in (
            ("ALL", "ALL"),
            ("purpose", s["purpose"]),
            ("exit_year", str(y)),
            ("exit_half_year", half),
        ):
            result.append((d, cat, months))
    return result


def test_chaining_next(case):
    st, con, ref = case
    data = ref_chaining_next(st, ref)
    cats = (
        "WAGE_SUBSIDY",
        "ARBEIDSTRENING",
        "OTHER_PROGRAMME",
        "NONE_WITHIN_24_MONTHS",
        "CENSORED",
    )
    got = rows(con, "SELECT * FROM marts.chaining_next")
    dims = {d for d, _, _ in data}
    assert len(got) == len(dims) * len(cats)
    assert {c for _, c, _ in data} >= {"WAGE_SUBSIDY", "NONE_WITHIN_24_MONTHS", "CENSORED"}
    for r in got:
        d = (r["dimension"], r["category"])
        members = [(c, m) for dd, c, m in data if dd == d]
        mine = [m for c, m in members if c == r["next_programme"]]
        assert r["n_spells"] == len(mine), (d, r["next_programme"])
        denom = sum(1 for c, _ in members if c != "CENSORED")
        assert close(
            r["share"], None if r["next_programme"] == "CENSORED" else ratio(len(mine), denom)
        )
        months = [m for m in mine if m is not None]
        assert close(r["mean_months_to_next"], statistics.fmean(months) if months else None)
        assert close(r["median_months_to_next"], statistics.median(months) if months else None)


def test_chaining_sequences(case):
    st, con, ref = case
    first_at = {
        s["person_id"]: (s["start_date"], s["spell_id"])
        for s in ref["at_spells"].values()
        if s["spell_seq"] == 1
    }
    progs = defaultdict(list)
    for p in st.rows["programme_spells"]:
        if (
            p["participant_status"] in TOOK_PLACE
            and p["programme_code"] not in GRANTS
            and p["start_date"] <= ref["obs_end"]
        ):
            progs[p["person_id"]].append(p)
    counts = Counter()
    for pid, key in first_at.items():
        ordered = sorted(progs[pid], key=lambda p: (p["start_date"], p["spell_id"]))
        for chain_type, spells in (
            ("ALL_PROGRAMMES", ordered),
            ("FROM_FIRST_AT", [p for p in ordered if (p["start_date"], p["spell_id"]) >= key]),
        ):
            links = []
            for p in spells:
                if not links or links[-1] != p["programme_code"]:
                    links.append(p["programme_code"])
            seq = " > ".join(links[:5]) + (" > ..." if len(links) > 5 else "")
            counts[(chain_type, seq)] += 1
    got = rows(con, "SELECT * FROM marts.chaining_sequences")
    assert {(r["chain_type"], r["sequence"]): r["n_persons"] for r in got} == dict(counts)
    for r in got:
        assert close(r["share"], r["n_persons"] / len(first_at))
        assert r["n_links"] == len(r["sequence"].replace(" > ...", "").split(" > "))
        if r["chain_type"] == "FROM_FIRST_AT":
            assert r["sequence"].startswith("ARBTREN")
    ranks = [
        r["n_persons"]
        for r in sorted(got, key=lambda r: (r["chain_type"], r["rank"]))
        if r["chain_type"] == "ALL_PROGRAMMES"
    ]
    assert ranks == sorted(ranks, reverse=True)
