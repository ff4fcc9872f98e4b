"""The hard synthetic world defeats naive designs; the easy preset does not; the truth is exact.

Everything is computed from the written files (DuckDB), as an evaluator would, and compared with
the truth files: (1) the plain no-covariate difference-in-differences (Callaway & Sant'Anna,
not-yet-treated comparisons, base period g - 1, `analysis.did`) on a person-month employment
panel is badly biased in the hard world (wrong sign of the lock-in, medium-run effect several
times too large) and recovers the truth in the easy preset; (2) participants enter after a fall
in employment, are younger than registered comparisons, and the young gain employment with age;
(3) the truth agrees with the register for every outcome the files show; (4) benefits respond to
work and participation; (5) `truth_for` gives the same truth by cohorts and by persons.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import duckdb
import numpy as np
import pytest

from analysis.did import aggte, att_gt
from analysis.settings import DEFAULT_EMPLOYMENT_THRESHOLD_NOK
from analysis.synthetic import TRUTH_CELLS_FILE, TRUTH_FILE, generate_register
from analysis.synthetic.truth import truth_for

SCALE = 0.02
SEED = 7
THRESHOLD = DEFAULT_EMPLOYMENT_THRESHOLD_NOK
TOOK = "('GJENN', 'FULLF', 'DELAVB', 'GJENN_AVB')"
OBS_END = "DATE '2024-12-31'"


@pytest.fixture(scope="module")
def worlds(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for preset in ("hard", "easy"):
        d = tmp_path_factory.mktemp(preset) / "register"
        generate_register(d, scale=SCALE, seed=SEED, preset=preset)
        out[preset] = d
    return out


def _con(d: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name in (
        "persons",
        "nav_status_spells",
        "programme_spells",
        "benefit_spells",
        "education_spells",
    ):
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{d / name}.parquet')")
    con.execute(
        "CREATE VIEW employment_months AS SELECT * FROM "
        f"read_parquet('{d / 'employment_months'}/*.parquet')"
    )
    con.execute(
        f"""
        CREATE TABLE first_spell AS
        SELECT person_id, spell_id, employer_org, start_date,
               year(start_date) * 12 + month(start_date) - 1 AS g
        FROM (SELECT *, row_number() OVER (PARTITION BY person_id ORDER BY start_date, spell_id) rn
              FROM programme_spells WHERE programme_code = 'ARBTREN' AND participant_status IN {TOOK})
        WHERE rn = 1
        """
    )
    con.execute(
        f"""
        CREATE TABLE emp AS
        SELECT person_id, (year_month // 100) * 12 + year_month % 100 - 1 AS mi,
               sum(earnings_nok) AS earnings, sum(earnings_nok) >= {THRESHOLD} AS employed
        FROM employment_months GROUP BY ALL
        """
    )
    return con


# --- (1) the plain DiD fails in the hard world and works in the easy one --------------------------


def _plain_did(d: Path) -> dict:
    """Plain C&S DiD (no covariates, not-yet-treated, base g - 1) on the employment panel,
    against the truth of exactly its sample; lock-in (0-5) and months 12-23."""
    con = _con(d)
    df = con.execute(
        """
        SELECT p.person_id AS unit, m.i + 1 AS time,
               CASE WHEN f.g IS NULL THEN 0 ELSE f.g - 2016 * 12 + 1 END AS cohort,
               coalesce(e.employed, false)::INT AS employed
        FROM persons p CROSS JOIN range(108) m(i)
        LEFT JOIN first_spell f USING (person_id)
        LEFT JOIN emp e ON e.person_id = p.person_id AND e.mi = 2016 * 12 + m.i
        WHERE f.g IS NULL OR f.g >= 2016 * 12   -- treated before the window: not comparisons
        """
    ).df()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # units treated in the first period are dropped
        res = att_gt(df, "unit", "time", "cohort", "employed", control="notyettreated")
        es = aggte(res, type="dynamic")
    cohorts = [2016 * 100 + 100 * ((g - 1) // 12) + (g - 1) % 12 + 1 for g in res.cohorts]
    truth = truth_for(d, "employed", cohorts=cohorts).set_index("event_time")["att"]
    et = list(es.table["event_time"])
    out = {}
    for name, (lo, hi) in {"lock_in_0_5": (0, 5), "mean_12_23": (12, 23)}.items():
        w = np.zeros(len(et))
        w[[et.index(e) for e in range(lo, hi + 1)]] = 1 / (hi - lo + 1)
        est = float(w @ es.table["att"].to_numpy())
        out[name] = {
            "estimate": est,
            "se": float(np.sqrt(w @ es.vcov @ w)),
            "truth": float(truth.loc[lo:hi].mean()),
        }
    return out


def test_plain_did_is_badly_biased_in_the_hard_world_and_right_in_the_easy_one(worlds):
    hard, easy = _plain_did(worlds["hard"]), _plain_did(worlds["easy"])
    lock, mid = hard["lock_in_0_5"], hard["mean_12_23"]
    # Truth: a lock-in and a positive medium-run effect.
    assert lock["truth"] < -0.03 and mid["truth"] > 0.03
    # Hard world (seed 7, scale 0.02): lock-in +9.2 pp estimated vs -5.6 pp true (bias +14.7 pp,
    # the wrong sign); months 12-23 +28.9 pp vs +5.5 pp (bias +23.4 pp, five times the truth).
    assert lock["estimate"] > 0 > lock["truth"]
    assert lock["estimate"] - lock["truth"] > 0.08
    assert mid["estimate"] - mid["truth"] > 0.12
    assert mid["estimate"] > 3 * mid["truth"]
    for m in (lock, mid):
        assert (m["estimate"] - m["truth"]) / m["se"] > 10
    # Easy preset: the same estimator recovers the truth (within sampling error).
    for m in easy.values():
        assert abs(m["estimate"] - m["truth"]) < 3 * m["se"] + 0.003, m
    assert easy["lock_in_0_5"]["truth"] < -0.03 and easy["mean_12_23"]["truth"] > 0.03


# --- (2) who enters: the dip, age ------------------------------------------------------------------


def _event_profile(con, lo=-12, hi=36) -> dict[int, float]:
    rows = con.execute(
        f"""
        SELECT m.e, avg(coalesce(emp.employed, false)::INT)
        FROM first_spell f CROSS JOIN range({lo}, {hi + 1}) m(e)
        LEFT JOIN emp ON emp.person_id = f.person_id AND emp.mi = f.g + m.e
        WHERE f.g + m.e BETWEEN 2016 * 12 AND 2024 * 12 + 11 AND f.g >= 2017 * 12
        GROUP BY 1
        """
    ).fetchall()
    return dict(rows)


def test_participants_enter_after_a_fall_in_employment(worlds):
    hard = _event_profile(_con(worlds["hard"]))
    easy = _event_profile(_con(worlds["easy"]))
    # Hard: a deep dip - about a quarter employed a year before, almost nobody the month before.
    assert hard[-12] > 0.2 and hard[-1] < 0.05 and hard[-3] < hard[-6] < hard[-12]
    # ... and the untreated outcome recovers afterwards (the truth's Y0 of the same persons).
    t = json.loads((worlds["hard"] / TRUTH_FILE).read_text())["outcomes"]["employed"]["overall"]
    y0 = {r["event_time"]: r["mean_y0"] for r in t["by_event_time"]}
    assert y0[12] > 0.15 and y0[12] > 5 * y0[-1] and y0[24] > y0[12] > y0[3]
    # Easy: no dip (employment before start is flat).
    assert abs(easy[-1] - easy[-12]) < 0.04


def test_treated_are_younger_and_the_young_gain_employment_with_age(worlds):
    con = _con(worlds["hard"])
    treated_age = con.execute(
        """
        SELECT avg((f.g - ((p.birth_ym // 100) * 12 + p.birth_ym % 100 - 1)) / 12)
        FROM first_spell f JOIN persons p USING (person_id) WHERE f.g >= 2016 * 12
        """
    ).fetchone()[0]
    comparison_age = con.execute(
        f"""
        WITH months AS (SELECT 2016 * 12 + i AS mi FROM range(0, 108, 6) t(i))
        SELECT avg((m.mi - ((p.birth_ym // 100) * 12 + p.birth_ym % 100 - 1)) / 12)
        FROM months m JOIN nav_status_spells n
          ON year(n.start_date) * 12 + month(n.start_date) - 1 <= m.mi
         AND year(coalesce(n.end_date, {OBS_END})) * 12 + month(coalesce(n.end_date, {OBS_END})) - 1 >= m.mi
        JOIN persons p USING (person_id)
        WHERE n.person_id NOT IN (SELECT person_id FROM first_spell)
        """
    ).fetchone()[0]
    # The outside check: treated 34 vs comparisons 39.5 years on average.
    assert 31 < treated_age < 37 and 37 < comparison_age < 43
    assert comparison_age - treated_age > 4
    by_age = dict(
        con.execute(
            """
            WITH grid AS (
                SELECT p.person_id, 2016 * 12 + i AS mi,
                       (2016 * 12 + i - ((p.birth_ym // 100) * 12 + p.birth_ym % 100 - 1)) // 12 AS age
                FROM persons p CROSS JOIN range(0, 108, 3) t(i))
            SELECT CASE WHEN age BETWEEN 18 AND 21 THEN 'a18_21' WHEN age BETWEEN 22 AND 25
                        THEN 'b22_25' WHEN age BETWEEN 26 AND 29 THEN 'c26_29' END AS band,
                   avg(coalesce(e.employed, false)::INT)
            FROM grid g LEFT JOIN emp e USING (person_id, mi)
            WHERE g.age BETWEEN 18 AND 29 GROUP BY 1
            """
        ).fetchall()
    )
    assert by_age["a18_21"] + 0.03 < by_age["b22_25"] < by_age["c26_29"]


# --- (3) the truth agrees with the register -------------------------------------------------------


def _observed_outcomes(con) -> dict[str, float]:
    """Sums over first-spell persons and months e = -12..36 inside the window, from the files."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE pm AS
        SELECT f.person_id, f.employer_org, f.g + m.e AS mi
        FROM first_spell f CROSS JOIN range(-12, 37) m(e)
        WHERE f.g >= 2016 * 12 AND f.g + m.e BETWEEN 2016 * 12 AND 2024 * 12 + 11
        """
    )

    def months(table, where=""):
        return f"""
            (SELECT person_id, year(start_date) * 12 + month(start_date) - 1 AS a,
                    year(least(coalesce(end_date, {OBS_END}), {OBS_END})) * 12
                    + month(least(coalesce(end_date, {OBS_END}), {OBS_END})) - 1 AS b, *
             FROM {table} {where})"""

    def flag(table, where=""):
        return (
            f"EXISTS (SELECT 1 FROM {months(table, where)} s "
            "WHERE s.person_id = pm.person_id AND pm.mi BETWEEN s.a AND s.b)"
        )

    ben = {
        b: flag("benefit_spells", f"WHERE benefit = '{b.upper()}'")
        for b in ("aap", "dagpenger", "tiltakspenger", "uforetrygd", "sosialhjelp", "kvp")
    }
    other = (
        f"WHERE participant_status IN {TOOK} AND programme_code NOT IN "
        "('ARBTREN', 'MIDLONTIL', 'VARLONTIL', 'MENTOR', 'INKLUTILS')"
    )
    ws = f"WHERE participant_status IN {TOOK} AND programme_code IN ('MIDLONTIL', 'VARLONTIL')"
    same_emp = (
        "(coalesce(e.employed, false) AND EXISTS (SELECT 1 FROM employment_months x "
        "WHERE x.person_id = pm.person_id AND x.employer_org = pm.employer_org "
        "AND (x.year_month // 100) * 12 + x.year_month % 100 - 1 = pm.mi)) OR EXISTS (SELECT 1 "
        f"FROM {months('programme_spells', ws)} s WHERE s.person_id = pm.person_id "
        "AND s.employer_org = pm.employer_org AND pm.mi BETWEEN s.a AND s.b)"
    )
    exprs = {
        "employed": "coalesce(e.employed, false)",
        "earnings_nok": "coalesce(e.earnings, 0)",
        **ben,
        "any_benefit": flag("benefit_spells"),
        "registered": flag("nav_status_spells"),
        "in_other_programme": flag("programme_spells", other),
        "in_wage_subsidy": flag("programme_spells", ws),
        "apprenticeship_or_education": flag("education_spells"),
        "employed_or_wage_subsidy_same_employer": same_emp,
    }
    sel = ", ".join(f"sum(({x})::BIGINT) AS {k}" for k, x in exprs.items())
    row = con.execute(
        f"SELECT {sel} FROM pm LEFT JOIN emp e ON e.person_id = pm.person_id AND e.mi = pm.mi"
    ).fetchone()
    return dict(zip(exprs, row, strict=True))


def test_truth_agrees_with_the_register_for_every_observable_outcome(worlds):
    d = worlds["hard"]
    con = _con(d)
    observed = _observed_outcomes(con)
    from_truth = dict(
        con.execute(
            "SELECT outcome, sum(CASE WHEN event_time >= 0 THEN sum_y1 ELSE sum_y0 END) "
            f"FROM read_parquet('{d / TRUTH_CELLS_FILE}') GROUP BY 1"
        ).fetchall()
    )
    for name, value in observed.items():
        assert from_truth[name] == value, name
    assert observed["employed"] > 0 and observed["aap"] > 0 and observed["dagpenger"] > 0


# --- (4) benefits respond to work and participation; effects differ by subgroup -------------------


def _truth(d: Path) -> dict:
    return json.loads((d / TRUTH_FILE).read_text())


def test_benefits_respond_to_work_and_participation(worlds):
    hard = _truth(worlds["hard"])["outcomes"]
    easy = _truth(worlds["easy"])["outcomes"]
    # Tiltakspenger during the spell for those without another benefit, in both worlds.
    for t in (hard, easy):
        assert t["tiltakspenger"]["overall"]["lock_in_0_5"] > 0.15
        assert t["any_benefit"]["overall"]["lock_in_0_5"] > 0.1
    # Hard: dagpenger and AAP run on while participants do not work (lock-in), sosialhjelp is
    # replaced by tiltakspenger, and registration is held; later, work ends benefits.
    assert hard["dagpenger"]["overall"]["lock_in_0_5"] > 0.01
    assert hard["aap"]["overall"]["lock_in_0_5"] > 0.005
    assert hard["sosialhjelp"]["overall"]["lock_in_0_5"] < -0.01
    assert hard["registered"]["overall"]["lock_in_0_5"] > 0.05
    # Easy: benefits other than tiltakspenger hardly respond (registration is held only in the
    # start month).
    for b in ("dagpenger", "aap", "sosialhjelp", "uforetrygd"):
        assert abs(easy[b]["overall"]["mean_12_23"]) < 0.01, b
    # not_any_benefit is the complement of any_benefit.
    for e1, e2 in zip(
        hard["any_benefit"]["overall"]["by_event_time"],
        hard["not_any_benefit"]["overall"]["by_event_time"],
        strict=True,
    ):
        if e1["att"] is not None:
            assert e1["att"] == pytest.approx(-e2["att"], abs=1e-12)


def test_effects_differ_by_age_status_purpose_and_start_year(worlds):
    t = _truth(worlds["hard"])
    emp = t["outcomes"]["employed"]
    age = emp["by_age_group"]
    assert age["under_30"]["mean_12_23"] < 0.6 * age["30_plus"]["mean_12_23"]
    assert age["under_30"]["lock_in_0_5"] < age["30_plus"]["lock_in_0_5"]
    sg = emp["by_status_group"]
    assert sg["ARBEIDSSOKER"]["mean_12_23"] > sg["NEDSATT_ARBEIDSEVNE"]["mean_12_23"]
    bp = emp["by_purpose"]
    assert bp["FAA_JOBB_I_BEDRIFTEN"]["mean_12_23"] > bp["ARBEIDSERFARING"]["mean_12_23"]
    assert bp["ARBEIDSERFARING"]["mean_12_23"] > bp["UTPROVING"]["mean_12_23"]
    years = emp["by_start_year"]
    assert years["2022"]["mean_12_23"] < years["2019"]["mean_12_23"]
    assert t["features"]["heterogeneous_effects"] is True
    # Each purpose's own intended outcome has a planted, positive effect.
    intended = t["intended_outcomes"]
    assert intended["FAA_JOBB_I_BEDRIFTEN"]["outcome"] == "employed_or_wage_subsidy_same_employer"
    for p in ("FAA_JOBB_I_BEDRIFTEN", "OPPNAA_FAGBREV_KOMPETANSEBEVIS", "UTPROVING"):
        assert intended[p]["since_start"]["mean_12_23"] > 0.03, p
        assert intended[p]["since_exit"]["by_event_time"][12 + 12]["att"] > 0.02, p


# --- (5) the truth files: switches recorded, helper, exit clock ----------------------------------


def test_truth_records_preset_switches_and_parameters(worlds, tmp_path):
    hard, easy = _truth(worlds["hard"]), _truth(worlds["easy"])
    assert hard["preset"] == "hard" and easy["preset"] == "easy"
    assert hard["features"]["dip_selection"] and not easy["features"]["dip_selection"]
    assert set(hard["feature_parameters"]) >= {"dip_selection", "age_profile", "attrition"}
    extract = json.loads((worlds["hard"] / "extract.json").read_text())
    assert extract["synthetic"] is True and extract["preset"] == "hard"
    out = tmp_path / "override"
    generate_register(out, scale=0.005, seed=1, preset="hard", features={"attrition": False})
    assert _truth(out)["features"]["attrition"] is False
    with pytest.raises(ValueError, match="unknown feature"):
        generate_register(tmp_path / "x", scale=0.005, features={"no_such_switch": True})
    with pytest.raises(ValueError, match="preset"):
        generate_register(tmp_path / "y", scale=0.005, preset="medium")


def test_truth_for_gives_the_same_truth_by_cohorts_and_by_persons(worlds):
    d = worlds["hard"]
    con = duckdb.connect()
    persons = con.execute(
        f"SELECT person_id FROM read_parquet('{d / 'truth_persons.parquet'}') "
        "WHERE cohort_ym BETWEEN 201801 AND 201812 AND status_group = 'ARBEIDSSOKER'"
    ).fetchall()
    persons = [p for (p,) in persons]
    cohorts = range(201801, 201813)
    for outcome in ("employed", "dagpenger", "earnings_nok"):
        by_cells = truth_for(d, outcome, cohorts=cohorts, where={"status_group": "ARBEIDSSOKER"})
        by_persons = truth_for(d, outcome, persons=persons)
        assert (by_cells["n_treated"].to_numpy() == by_persons["n_treated"].to_numpy()).all()
        np.testing.assert_allclose(by_cells["att"], by_persons["att"], atol=1e-12)
        assert by_cells["n_treated"].iloc[12] == len(persons)
    # Months since exit: the helper reproduces truth.json for all completed first spells.
    exit_truth = _truth(d)["outcomes_since_exit"]["employed"]["overall"]["by_event_time"]
    by_exit = truth_for(d, "employed", clock="exit")
    for row, (_, got) in zip(exit_truth, by_exit.iterrows(), strict=True):
        assert got["n_treated"] == row["n_treated"]
        if row["att"] is not None:
            assert got["att"] == pytest.approx(row["att"], abs=1e-12)


def test_registration_churn_and_attrition(worlds):
    def exit_rates(con) -> tuple[float, float]:
        """Share of job-seeker spell months that are the spell's last, in months with work and
        in months without (2016-01..2024-06)."""
        return con.execute(
            f"""
            WITH spells AS (
                SELECT person_id, year(start_date) * 12 + month(start_date) - 1 AS a,
                       year(coalesce(end_date, {OBS_END})) * 12
                       + month(coalesce(end_date, {OBS_END})) - 1 AS b
                FROM nav_status_spells WHERE status = 'ARBEIDSSOKER'),
            months AS (
                SELECT s.person_id, s.a + r.i AS mi, s.a + r.i = s.b AS last
                FROM spells s, range(0, 400) r(i) WHERE s.a + r.i <= s.b)
            SELECT avg(last::INT) FILTER (WHERE coalesce(e.employed, false)),
                   avg(last::INT) FILTER (WHERE NOT coalesce(e.employed, false))
            FROM months m LEFT JOIN emp e USING (person_id, mi)
            WHERE m.mi BETWEEN 2016 * 12 AND 2024 * 12 + 5
            """
        ).fetchone()

    # Leaving registration when employed: in the hard world a job seeker's registration ends far
    # more often in a month with work; in the easy world regardless of work.
    work, no_work = exit_rates(_con(worlds["hard"]))
    assert work > 4 * no_work
    work, no_work = exit_rates(_con(worlds["easy"]))
    assert work < 1.5 * no_work
    con = _con(worlds["hard"])
    # Attrition: nobody has records from the month they turn 67; some younger persons vanish
    # from every register before the end of the window (death, emigration).
    after_67 = con.execute(
        """
        SELECT count(*) FROM emp e JOIN persons p USING (person_id)
        WHERE e.mi - ((p.birth_ym // 100) * 12 + p.birth_ym % 100 - 1) >= 67 * 12
        """
    ).fetchone()[0]
    assert after_67 == 0
    vanished = con.execute(
        f"""
        WITH last AS (
            SELECT person_id, max(d) AS d FROM (
                SELECT person_id, coalesce(end_date, {OBS_END}) d FROM nav_status_spells
                UNION ALL SELECT person_id, coalesce(end_date, {OBS_END}) FROM benefit_spells
                UNION ALL SELECT person_id, make_date(year_month // 100, year_month % 100, 1)
                FROM employment_months) GROUP BY 1)
        SELECT count(*) FROM last JOIN persons p USING (person_id)
        WHERE d < DATE '2022-01-01' AND p.birth_ym > 196501
        """
    ).fetchone()[0]
    assert vanished > 0.005 * con.execute("SELECT count(*) FROM persons").fetchone()[0]
