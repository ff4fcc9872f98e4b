"""Tests of the synthetic register generator.

Everything is computed independently from the written files with DuckDB (never from the
generator's internals): the contract's schema and rules, the calibration targets of the
published figures, the employment definition, the truth files and the planted selection bias.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import duckdb
import pytest

from analysis.contract import (
    EMPLOYER_REQUIRED_CODES,
    PURPOSES,
    STATUS_TOOK_PLACE,
    TABLES,
)
from analysis.settings import DEFAULT_EMPLOYMENT_THRESHOLD_NOK
from analysis.synthetic import (
    DEFAULT_SCALE,
    PERSONS_AT_SCALE_1,
    TRUTH_CELLS_FILE,
    TRUTH_FILE,
    generate_register,
)
from analysis.synthetic.generator import generator_version

SCALE = 0.02
SEED = 2024
THRESHOLD = DEFAULT_EMPLOYMENT_THRESHOLD_NOK
TOOK_PLACE = "(" + ", ".join(f"'{s}'" for s in STATUS_TOOK_PLACE) + ")"
OBS_END = "DATE '2024-12-31'"


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["hard", "easy"])
def register(request, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp(f"synthetic_{request.param}") / "register"
    summary = generate_register(out, scale=SCALE, seed=SEED, preset=request.param)
    assert summary["n_persons"] == round(PERSONS_AT_SCALE_1 * SCALE)
    assert summary["preset"] == request.param
    return out


def preset_of(register: Path) -> str:
    return json.loads((register / TRUTH_FILE).read_text())["preset"]


def connect(folder: Path, fmt: str = "parquet") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with one view per contract table, read from the files."""
    con = duckdb.connect()
    for t in TABLES:
        if fmt == "parquet":
            path = folder / t.name
            src = (
                f"read_parquet('{path}/*.parquet')"
                if path.is_dir()
                else f"read_parquet('{path}.parquet')"
            )
        else:
            cols = ", ".join(f"'{c.name}': '{c.sql_type}'" for c in t.columns)
            src = f"read_csv('{folder / t.name}.csv', header = true, columns = {{{cols}}})"
        con.execute(f"CREATE VIEW {t.name} AS SELECT * FROM {src}")
    return con


@pytest.fixture(scope="module")
def con(register) -> duckdb.DuckDBPyConnection:
    c = connect(register)
    # Took-place ARBTREN spells with the pipeline's status group and purpose.
    c.execute(
        f"""
        CREATE TABLE at_spells AS
        WITH took AS (
            SELECT spell_id, person_id, start_date, coalesce(end_date, {OBS_END}) AS end_date,
                   end_date IS NULL AS ongoing, employer_org
            FROM programme_spells
            WHERE programme_code = 'ARBTREN' AND participant_status IN {TOOK_PLACE}
        ),
        status_at_start AS (
            SELECT t.spell_id, any_value(n.status) AS status
            FROM took t JOIN nav_status_spells n
              ON n.person_id = t.person_id AND t.start_date >= n.start_date
             AND t.start_date <= coalesce(n.end_date, {OBS_END})
            GROUP BY t.spell_id
        ),
        first_agreement AS (
            SELECT spell_id, agreement_id FROM (
                SELECT spell_id, agreement_id, row_number() OVER (
                    PARTITION BY spell_id ORDER BY agreed_start, agreement_id) AS rn
                FROM at_agreements WHERE status <> 'ANNULLERT')
            WHERE rn = 1
        )
        SELECT t.*, coalesce(s.status, 'ANNET') AS status_group,
               coalesce(p.purpose, 'UKJENT') AS purpose,
               year(t.start_date) * 12 + month(t.start_date) AS start_mi,
               year(t.end_date) * 12 + month(t.end_date) AS end_mi
        FROM took t
        LEFT JOIN status_at_start s USING (spell_id)
        LEFT JOIN first_agreement f USING (spell_id)
        LEFT JOIN at_agreement_purposes p ON p.agreement_id = f.agreement_id AND p.rank = 1
        """
    )
    c.execute(
        """
        CREATE TABLE participant_months AS
        SELECT DISTINCT m.mi, s.person_id, s.status_group, p.gender, p.birth_ym
        FROM at_spells s
        JOIN (SELECT range AS mi FROM range(2016 * 12 + 1, 2024 * 12 + 13)) m
          ON m.mi BETWEEN s.start_mi AND s.end_mi
        JOIN persons p USING (person_id)
        """
    )
    c.execute(
        f"""
        CREATE TABLE emp AS
        SELECT person_id, (year_month // 100) * 12 + year_month % 100 AS mi,
               sum(earnings_nok) AS earnings, count(*) AS n_rows,
               sum(earnings_nok) >= {THRESHOLD} AS employed
        FROM employment_months GROUP BY ALL
        """
    )
    c.execute(
        """
        CREATE TABLE first_spell AS
        SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY person_id
                                                     ORDER BY start_date, spell_id) rn
                       FROM at_spells) WHERE rn = 1 AND year(start_date) BETWEEN 2016 AND 2024
        """
    )
    c.execute(f"CREATE VIEW cells AS SELECT * FROM read_parquet('{register / TRUTH_CELLS_FILE}')")
    return c


def scalar(con, sql: str):
    return con.execute(sql).fetchone()[0]


# --- the contract -------------------------------------------------------------------------------


def test_files_and_types_follow_the_contract(register, con):
    assert sorted(p.name for p in (register / "employment_months").iterdir()) == [
        f"part-{y}.parquet" for y in range(2016, 2025)
    ]
    assert json.loads((register / "extract.json").read_text()) == {
        "observation_start": "2016-01-01",
        "observation_end": "2024-12-31",
        "synthetic": True,
        "generator": generator_version(),
        "preset": preset_of(register),
        "scale": SCALE,
        "seed": SEED,
    }
    for t in TABLES:
        described = con.execute(f"DESCRIBE SELECT * FROM {t.name}").fetchall()
        got = {name: typ for name, typ, *_ in described}
        assert got == {c.name: c.sql_type for c in t.columns}, t.name
        assert scalar(con, f"SELECT count(*) FROM {t.name}") > 0, t.name


def test_column_rules_codes_patterns_ranges_and_required(con):
    for t in TABLES:
        for c in t.columns:
            col = f'"{c.name}"'
            bad = []
            if c.required:
                empty = f" OR trim(CAST({col} AS VARCHAR)) = ''" if c.sql_type == "VARCHAR" else ""
                bad.append(f"{col} IS NULL{empty}")
            if c.codes is not None:
                lits = ", ".join(f"'{v}'" if isinstance(v, str) else str(v) for v in c.codes)
                bad.append(f"{col} NOT IN ({lits})")
            if c.pattern is not None:
                bad.append(f"NOT regexp_full_match({col}, '{c.pattern}')")
            if c.min is not None:
                bad.append(f"{col} < {c.min}")
            if c.max is not None:
                bad.append(f"{col} > {c.max}")
            for cond in bad:
                where = cond if "IS NULL" in cond else f"{col} IS NOT NULL AND ({cond})"
                n = scalar(con, f"SELECT count(*) FROM {t.name} WHERE {where}")
                assert n == 0, f"{t.name}.{c.name}: {n} rows break {cond}"


def test_keys_unique_references_and_date_order(con):
    for t in TABLES:
        if t.key:
            keys = ", ".join(t.key)
            dups = scalar(
                con,
                f"SELECT count(*) FROM (SELECT {keys} FROM {t.name} GROUP BY ALL HAVING count(*) > 1)",
            )
            assert dups == 0, f"{t.name}: duplicate keys {t.key}"
        for c in t.columns:
            if c.references:
                rt, rc = c.references.split(".")
                missing = scalar(
                    con,
                    f"SELECT count(*) FROM {t.name} x ANTI JOIN {rt} r ON x.{c.name} = r.{rc}",
                )
                assert missing == 0, f"{t.name}.{c.name} -> {c.references}"
        if t.date_order:
            s, e = t.date_order
            assert scalar(con, f"SELECT count(*) FROM {t.name} WHERE {e} < {s}") == 0, t.name
    # Agreements govern ARBTREN spells; employer present where required.
    assert (
        scalar(
            con,
            "SELECT count(*) FROM at_agreements a JOIN programme_spells p USING (spell_id) "
            "WHERE p.programme_code <> 'ARBTREN'",
        )
        == 0
    )
    codes = ", ".join(f"'{c}'" for c in EMPLOYER_REQUIRED_CODES)
    assert (
        scalar(
            con,
            f"SELECT count(*) FROM programme_spells WHERE programme_code IN ({codes}) "
            "AND employer_org IS NULL",
        )
        == 0
    )
    # Purpose ranks are 1..k per agreement.
    assert (
        scalar(
            con,
            "SELECT count(*) FROM (SELECT agreement_id, min(rank) lo, max(rank) hi, count(*) n "
            "FROM at_agreement_purposes GROUP BY 1) WHERE lo <> 1 OR hi <> n",
        )
        == 0
    )
    # Every person appears in at least one NAV status spell; ids are pseudonymous.
    assert (
        scalar(con, "SELECT count(*) FROM persons ANTI JOIN nav_status_spells USING (person_id)")
        == 0
    )
    assert (
        scalar(
            con, "SELECT count(*) FROM persons WHERE NOT regexp_full_match(person_id, 'P[0-9]{7}')"
        )
        == 0
    )


def test_nothing_after_extraction_and_ongoing_rows(con):
    for t in TABLES:
        for c in t.columns:
            if c.sql_type == "DATE":
                assert scalar(con, f"SELECT count(*) FROM {t.name} WHERE {c.name} > {OBS_END}") == 0
    assert scalar(con, "SELECT max(year_month) FROM employment_months") == 202412
    assert scalar(con, "SELECT min(year_month) FROM employment_months") == 201601
    # Open-ended programme spells are ongoing participations (GJENN), and vice versa.
    assert (
        scalar(
            con,
            "SELECT count(*) FROM programme_spells "
            "WHERE (end_date IS NULL) <> (participant_status = 'GJENN')",
        )
        == 0
    )
    # An agreement that is still running belongs to an ongoing spell.
    assert (
        scalar(
            con,
            "SELECT count(*) FROM at_agreements a JOIN programme_spells p USING (spell_id) "
            "WHERE (a.status = 'GJENNOMFORES') <> (p.end_date IS NULL AND a.status <> 'ANNULLERT')",
        )
        == 0
    )
    assert scalar(con, "SELECT count(*) FROM at_spells WHERE ongoing") > 0


def test_arbtren_status_mix_and_annulled_agreements(con):
    shares = dict(
        con.execute(
            "SELECT participant_status, count(*) / sum(count(*)) OVER () FROM programme_spells "
            "WHERE programme_code = 'ARBTREN' GROUP BY 1"
        ).fetchall()
    )
    not_started = 1 - sum(shares.get(s, 0) for s in STATUS_TOOK_PLACE)
    assert 0.05 <= not_started <= 0.10
    assert shares["FULLF"] > 0.5 and shares["DELAVB"] > 0.05 and shares["GJENN_AVB"] > 0.02
    # Annulled agreements sit mostly on spells that never took place.
    n_ann_ns = scalar(
        con,
        "SELECT count(*) FROM at_agreements a JOIN programme_spells p USING (spell_id) "
        f"WHERE a.status = 'ANNULLERT' AND p.participant_status NOT IN {TOOK_PLACE}",
    )
    assert n_ann_ns > 0


def test_no_overlapping_participation(con):
    # A person is never in two took-place ARBTREN spells at once, nor in AT and a wage subsidy.
    overlaps = scalar(
        con,
        """
        SELECT count(*) FROM at_spells a JOIN at_spells b
          ON a.person_id = b.person_id AND a.spell_id < b.spell_id
         AND a.start_date <= b.end_date AND b.start_date <= a.end_date
        """,
    )
    assert overlaps == 0
    with_subsidy = scalar(
        con,
        f"""
        SELECT count(*) FROM at_spells a JOIN programme_spells w
          ON w.person_id = a.person_id AND w.programme_code IN ('MIDLONTIL', 'VARLONTIL')
         AND w.participant_status IN {TOOK_PLACE}
         AND w.start_date <= a.end_date AND a.start_date <= coalesce(w.end_date, {OBS_END})
        """,
    )
    assert with_subsidy == 0


def test_other_programmes_benefits_and_education_are_plausible(con):
    # Grants alongside AT at the same employer; other programmes also for non-participants.
    grants = scalar(
        con,
        "SELECT count(*) FROM programme_spells g JOIN at_spells a ON g.person_id = a.person_id "
        "AND g.employer_org = a.employer_org AND g.programme_code IN ('MENTOR', 'INKLUTILS') "
        "AND g.start_date BETWEEN a.start_date AND a.end_date",
    )
    assert grants > 0
    others_non_participants = scalar(
        con,
        "SELECT count(DISTINCT person_id) FROM programme_spells "
        "WHERE programme_code NOT IN ('ARBTREN', 'MENTOR', 'INKLUTILS') "
        "AND person_id NOT IN (SELECT person_id FROM at_spells)",
    )
    assert others_non_participants > 0.05 * scalar(con, "SELECT count(*) FROM persons")
    aap = dict(
        con.execute(
            """
            SELECT f.status_group, avg((EXISTS (SELECT 1 FROM benefit_spells b
                WHERE b.person_id = f.person_id AND b.benefit = 'AAP'
                  AND f.start_date BETWEEN b.start_date AND coalesce(b.end_date, DATE '2024-12-31')))::INT)
            FROM first_spell f GROUP BY 1
            """
        ).fetchall()
    )
    assert aap["NEDSATT_ARBEIDSEVNE"] > 0.6 and aap["ARBEIDSSOKER"] < 0.1
    benefits = {b for (b,) in con.execute("SELECT DISTINCT benefit FROM benefit_spells").fetchall()}
    assert benefits == {"AAP", "DAGPENGER", "TILTAKSPENGER", "UFORETRYGD", "SOSIALHJELP", "KVP"}
    young_apprentices = scalar(
        con,
        "SELECT avg((year(e.start_date) * 100 + month(e.start_date) - p.birth_ym < 3000)::INT) "
        "FROM education_spells e JOIN persons p USING (person_id) WHERE e.apprentice",
    )
    assert young_apprentices > 0.8


def test_bad_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="fmt"):
        generate_register(tmp_path, scale=0.001, fmt="xlsx")


# --- calibration --------------------------------------------------------------------------------


def test_monthly_participants_2017_and_2022(con):
    avg = dict(
        con.execute(
            "SELECT (mi - 1) // 12 AS y, count(*) / 12.0 FROM participant_months GROUP BY 1"
        ).fetchall()
    )
    assert avg[2017] == pytest.approx(14_986 * SCALE, rel=0.05)
    assert avg[2022] == pytest.approx(5_515 * SCALE, rel=0.05)
    assert avg[2016] == pytest.approx(avg[2017], rel=0.1)
    assert avg[2023] == pytest.approx(avg[2022], rel=0.1)
    assert avg[2019] < avg[2017] and avg[2022] < avg[2019]


def test_participant_composition_2022_and_fall_by_group(con):
    shares = con.execute(
        """
        SELECT avg((status_group = 'NEDSATT_ARBEIDSEVNE')::INT),
               avg((status_group = 'ARBEIDSSOKER')::INT),
               avg((status_group = 'ANNET')::INT),
               avg((gender = 2)::INT),
               avg((mi - ((birth_ym // 100) * 12 + birth_ym % 100) < 360)::INT)
        FROM participant_months WHERE (mi - 1) // 12 = 2022
        """
    ).fetchone()
    nedsatt, jobseeker, annet, women, under30 = shares
    assert nedsatt == pytest.approx(2 / 3, abs=0.03)
    assert jobseeker == pytest.approx(0.30, abs=0.04)
    assert 0 < annet < 0.07
    assert women == pytest.approx(0.53, abs=0.03)
    assert under30 == pytest.approx(0.42, abs=0.03)
    by = dict(
        con.execute(
            "SELECT status_group || (mi - 1) // 12, count(*) FROM participant_months "
            "WHERE (mi - 1) // 12 IN (2017, 2022) GROUP BY 1"
        ).fetchall()
    )
    fall_as = 1 - by["ARBEIDSSOKER2022"] / by["ARBEIDSSOKER2017"]
    fall_ned = 1 - by["NEDSATT_ARBEIDSEVNE2022"] / by["NEDSATT_ARBEIDSEVNE2017"]
    assert fall_as > fall_ned + 0.15


def test_purposes_2021_and_agreement_coverage(con):
    dist = dict(
        con.execute(
            "SELECT purpose, count(*) / sum(count(*)) OVER () FROM at_spells "
            "WHERE year(start_date) = 2021 AND purpose <> 'UKJENT' GROUP BY 1"
        ).fetchall()
    )
    target = {
        "ARBEIDSERFARING": 0.38,
        "FAA_JOBB_I_BEDRIFTEN": 0.26,
        "UTPROVING": 0.17,
        "OPPNAA_FAGBREV_KOMPETANSEBEVIS": 0.07,
        "SPRAAKOPPLAERING": 0.06,
        "ANNET": 0.06,
    }
    assert set(dist) == set(PURPOSES)
    for p, share in target.items():
        assert dist[p] == pytest.approx(share, abs=0.03), p
    second = scalar(
        con,
        "SELECT avg((n > 1)::INT) FROM (SELECT agreement_id, count(*) n "
        "FROM at_agreement_purposes GROUP BY 1)",
    )
    assert 0.12 <= second <= 0.22
    cov = dict(
        con.execute(
            "SELECT year(start_date), avg((purpose <> 'UKJENT')::INT) FROM at_spells GROUP BY 1"
        ).fetchall()
    )
    assert cov[2017] == 0 and cov[2018] < 0.02
    assert 0.1 < cov[2019] < cov[2020] < cov[2021] < cov[2022]
    assert cov[2022] >= 0.93
    # Immigrants dominate language training; NEDSATT dominate utprøving.
    imm = scalar(
        con,
        "SELECT avg((p.immigrant_category = 'B')::INT) FROM at_spells s JOIN persons p "
        "USING (person_id) WHERE purpose = 'SPRAAKOPPLAERING'",
    )
    assert imm > 0.8


def test_durations_extensions_and_caps(con):
    months = con.execute(
        "SELECT status_group, max(end_mi - start_mi), "
        "avg((date_diff('day', start_date, end_date) <= 100)::INT) "
        "FROM at_spells WHERE NOT ongoing GROUP BY 1"
    ).fetchall()
    caps = {"ARBEIDSSOKER": 12, "NEDSATT_ARBEIDSEVNE": 18, "ANNET": 12}
    for group, max_months, _short in months:
        assert max_months <= caps[group], group
    # Spells ending in the autumn-2022 shock are longer than those ending a year before.
    before, shock = con.execute(
        """
        SELECT avg(date_diff('day', start_date, end_date)) FILTER (
                   WHERE end_date BETWEEN DATE '2021-09-01' AND DATE '2022-06-30'),
               avg(date_diff('day', start_date, end_date)) FILTER (
                   WHERE end_date BETWEEN DATE '2022-11-01' AND DATE '2023-12-31')
        FROM at_spells WHERE NOT ongoing
        """
    ).fetchone()
    assert shock > before * 1.1
    # Agreed period is the first agreement; the actual spell is often longer (extension).
    longer = scalar(
        con,
        "SELECT avg((s.end_date > a.agreed_end + 7)::INT) FROM at_agreements a "
        "JOIN at_spells s USING (spell_id) WHERE a.status = 'AVSLUTTET'",
    )
    assert 0.2 < longer < 0.8


# --- employment ---------------------------------------------------------------------------------


def test_employment_definition_matches_latent_indicator(con):
    # Totals are never between the threshold and 6,000; below the threshold there is one small job.
    assert (
        scalar(con, f"SELECT count(*) FROM emp WHERE earnings >= {THRESHOLD} AND earnings < 6000")
        == 0
    )
    bad_small = scalar(
        con,
        "SELECT count(*) FROM emp WHERE NOT employed AND (n_rows > 1 OR earnings < 200 OR earnings > 2000)",
    )
    assert bad_small == 0
    assert scalar(con, "SELECT avg((n_rows > 1)::INT) FROM emp WHERE employed") == pytest.approx(
        0.10, abs=0.05
    )


def test_wage_subsidy_months_are_employment_at_the_same_employer(con):
    missing, total = con.execute(
        f"""
        WITH ws AS (
            SELECT person_id, employer_org,
                   unnest(generate_series(date_trunc('month', start_date),
                                          date_trunc('month', coalesce(end_date, {OBS_END})),
                                          INTERVAL 1 MONTH)) AS m
            FROM programme_spells
            WHERE programme_code IN ('MIDLONTIL', 'VARLONTIL')
              AND participant_status IN {TOOK_PLACE}
        )
        SELECT count(*) FILTER (WHERE e.person_id IS NULL), count(*)
        FROM ws LEFT JOIN employment_months e
          ON e.person_id = ws.person_id AND e.employer_org = ws.employer_org
         AND e.year_month = year(ws.m) * 100 + month(ws.m)
        WHERE ws.m >= DATE '2016-01-01'
        """
    ).fetchone()
    assert total > 0 and missing == 0


def test_chains_after_at_same_employer_and_the_2022_shock(con):
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE after_at AS
        SELECT s.spell_id, s.purpose, s.end_date,
               EXISTS (SELECT 1 FROM programme_spells w
                       WHERE w.person_id = s.person_id AND w.programme_code = 'MIDLONTIL'
                         AND w.employer_org = s.employer_org
                         AND w.start_date BETWEEN s.end_date AND s.end_date + 130) AS wage_subsidy
        FROM at_spells s WHERE NOT s.ongoing
        """
    )
    before, shock = con.execute(
        """
        SELECT avg(wage_subsidy::INT) FILTER (WHERE end_date BETWEEN DATE '2019-01-01' AND DATE '2022-07-31'),
               avg(wage_subsidy::INT) FILTER (WHERE end_date BETWEEN DATE '2022-09-01' AND DATE '2023-12-31')
        FROM after_at
        """
    ).fetchone()
    assert before > 0.02 and shock < 0.6 * before
    # Jobs after FAA_JOBB_I_BEDRIFTEN are mostly at the AT employer (employed 4-12 months after).
    same = dict(
        con.execute(
            """
            SELECT s.purpose = 'FAA_JOBB_I_BEDRIFTEN',
                   avg((e.employer_org = s.employer_org)::INT)
            FROM at_spells s
            JOIN employment_months e ON e.person_id = s.person_id
             AND (e.year_month // 100) * 12 + e.year_month % 100 BETWEEN s.end_mi + 4 AND s.end_mi + 12
             AND e.earnings_nok >= 6000
            WHERE NOT s.ongoing AND s.purpose <> 'UKJENT'
            GROUP BY 1
            """
        ).fetchall()
    )
    assert same[True] > 0.5 and same[False] < 0.3


# --- truth --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def truth(register) -> dict:
    return json.loads((register / TRUTH_FILE).read_text())


def test_truth_json_shape_and_planted_profile(truth):
    assert truth["seed"] == SEED and truth["scale"] == SCALE
    assert truth["employment_threshold_nok"] == THRESHOLD
    assert "definition" in truth and "effect_parameters" in truth
    for outcome in ("employed", "earnings_nok"):
        res = truth["outcomes"][outcome]
        for block in [
            res["overall"],
            *res["by_purpose"].values(),
            *res["by_status_group"].values(),
        ]:
            rows = block["by_event_time"]
            assert [r["event_time"] for r in rows] == list(range(-12, 37))
            assert all(r["att"] == 0 for r in rows if r["event_time"] < 0 and r["n_treated"] > 0)
        ov = res["overall"]
        assert ov["lock_in_0_5"] < 0 and ov["at_24"] > 0 and ov["at_12"] > 0
    emp = truth["outcomes"]["employed"]
    assert -0.12 < emp["overall"]["lock_in_0_5"] < -0.03
    assert 0.02 < emp["overall"]["at_24"] < 0.10
    bp = emp["by_purpose"]
    assert (
        bp["FAA_JOBB_I_BEDRIFTEN"]["at_24"]
        > bp["ARBEIDSERFARING"]["at_24"]
        > bp["UTPROVING"]["at_24"]
    )
    bs = emp["by_status_group"]
    assert bs["ARBEIDSSOKER"]["at_24"] > bs["NEDSATT_ARBEIDSEVNE"]["at_24"]
    assert set(bp) <= {*PURPOSES, "UKJENT"}


def test_truth_cells_agree_with_truth_json_and_with_the_register(con, truth):
    rows = con.execute(
        "SELECT outcome, event_time, sum(n_treated), sum(sum_y1 - sum_y0) / sum(n_treated) "
        "FROM cells GROUP BY 1, 2"
    ).fetchall()
    for outcome, e, n, att in rows:
        entry = truth["outcomes"][outcome]["overall"]["by_event_time"][e + 12]
        assert entry["n_treated"] == n
        assert entry["att"] == pytest.approx(att, abs=1e-9)
    # Treated persons at e = 0, by purpose and status group, as the pipeline would define them.
    expected = dict(
        con.execute(
            "SELECT purpose || '/' || status_group, count(*) FROM first_spell GROUP BY 1"
        ).fetchall()
    )
    got = dict(
        con.execute(
            "SELECT purpose || '/' || status_group, sum(n_treated) FROM cells "
            "WHERE event_time = 0 AND outcome = 'employed' GROUP BY 1"
        ).fetchall()
    )
    assert got == expected
    # Observed employment is Y1 from the start month on and Y0 before: the register's employed
    # person-months of the treated equal the truth's sums.
    observed, observed_earn = con.execute(
        """
        SELECT count(*) FILTER (WHERE e.employed), sum(e.earnings)
        FROM first_spell f JOIN emp e ON e.person_id = f.person_id
         AND e.mi BETWEEN f.start_mi - 12 AND f.start_mi + 36
        """
    ).fetchone()
    from_truth = dict(
        con.execute(
            "SELECT outcome, sum(CASE WHEN event_time >= 0 THEN sum_y1 ELSE sum_y0 END) "
            "FROM cells GROUP BY 1"
        ).fetchall()
    )
    assert from_truth["employed"] == observed
    assert from_truth["earnings_nok"] == observed_earn


def test_naive_comparison_is_clearly_biased(con):
    naive, true_att = con.execute(
        """
        WITH treated_months AS (
            SELECT f.person_id, m.mi
            FROM first_spell f
            JOIN (SELECT range AS mi FROM range(2016 * 12 + 1, 2024 * 12 + 13)) m
              ON m.mi BETWEEN f.start_mi + 12 AND f.start_mi + 24
        ),
        never AS (SELECT person_id FROM persons ANTI JOIN at_spells USING (person_id)),
        never_rate AS (
            SELECT e.mi, count(*) FILTER (WHERE e.employed) / (SELECT count(*) FROM never) AS rate
            FROM emp e SEMI JOIN never USING (person_id) GROUP BY 1
        ),
        naive AS (
            SELECT avg(coalesce(e.employed, false)::INT - r.rate) AS diff
            FROM treated_months t
            LEFT JOIN emp e USING (person_id, mi)
            JOIN never_rate r USING (mi)
        )
        SELECT (SELECT diff FROM naive),
               (SELECT sum(sum_y1 - sum_y0) / sum(n_treated) FROM cells
                WHERE outcome = 'employed' AND event_time BETWEEN 12 AND 24)
        """
    ).fetchone()
    assert true_att > 0.02
    assert naive - true_att < -0.05, (naive, true_att)


# --- reproducibility and formats -------------------------------------------------------------------


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes_other_seed_other_data(register, tmp_path):
    preset = preset_of(register)
    if preset != "hard":
        pytest.skip("the generator's code paths are the same for both presets; checked on hard")
    again = tmp_path / "again"
    generate_register(again, scale=SCALE, seed=SEED, preset=preset)
    assert _digests(again) == _digests(register)
    other = tmp_path / "other"
    generate_register(other, scale=SCALE, seed=SEED + 1, preset=preset)
    a, b = _digests(register), _digests(other)
    assert a.keys() == b.keys()
    assert a["persons.parquet"] != b["persons.parquet"]
    assert a["employment_months/part-2020.parquet"] != b["employment_months/part-2020.parquet"]


def test_csv_holds_the_same_data_as_parquet(register, tmp_path):
    if preset_of(register) != "hard":
        pytest.skip("the writers are the same for both presets; checked on hard")
    out = tmp_path / "csv"
    generate_register(out, scale=SCALE, seed=SEED, fmt="csv", preset=preset_of(register))
    assert sorted(p.name for p in out.glob("*.csv")) == sorted(f"{t.name}.csv" for t in TABLES)
    assert (out / "truth.json").read_text() == (register / "truth.json").read_text()
    pq_con, csv_con = connect(register), connect(out, "csv")
    for t in TABLES:
        cols = ", ".join(f'"{c}"' for c in t.column_names)
        a = pq_con.execute(f"SELECT {cols} FROM {t.name} ORDER BY ALL").fetchall()
        b = csv_con.execute(f"SELECT {cols} FROM {t.name} ORDER BY ALL").fetchall()
        assert a == b, t.name
    first_line = (out / "programme_spells.csv").read_text().splitlines()[0]
    assert first_line.replace('"', "").split(",") == [c.name for c in TABLES[2].columns]


def test_default_scale_timing(tmp_path, capsys):
    """Prints (does not assert) the time to generate and ingest the default scale."""
    t0 = time.perf_counter()
    summary = generate_register(tmp_path / "default", progress=lambda _m: None)
    t1 = time.perf_counter()
    c = connect(tmp_path / "default")
    db = duckdb.connect(str(tmp_path / "w.duckdb"))
    for t in TABLES:
        rel = c.execute(f"SELECT * FROM {t.name}").arrow()
        db.register("src", rel)
        db.execute(f"CREATE TABLE {t.name} AS SELECT * FROM src")
        db.unregister("src")
    t2 = time.perf_counter()
    with capsys.disabled():
        print(
            f"\n[synthetic] scale {DEFAULT_SCALE}: generate {t1 - t0:.1f}s, "
            f"DuckDB load {t2 - t1:.1f}s, {summary['rows']['employment_months']:,} employment rows"
        )
    assert summary["scale"] == DEFAULT_SCALE
