"""The analysis panel: Arbeidstrening spells and the person x month panel.

`build_panel(con)` reads the validated `staging.*` tables and `meta.observation_window` and writes

- `panel.months`: the calendar months of the observation window;
- `panel.at_spells`: one row per Arbeidstrening (ARBTREN) spell that took place;
- `panel.person_month`: one row per person x month of the window with status, earnings,
  programme, education and benefit flags and the month's state.

The SQL lives in `analysis/sql/panel/`, one concern per file, run in file-name order. Every table
and column is commented in the warehouse (the comments below are the documentation of record).

Built for full scale (~600k persons x 108 months = 65M rows on 2 cores): spells are never expanded
to months; each person's programme/benefit/education/status months are held as 64-month bit sets
(04_activity_frames.sql), earnings are summed per person-month (05), and person_month is written in
blocks of persons (07), each block sorted while its rows are narrow integers and then decoded. The
code columns of person_month are ENUMs (they compare as text, load as categoricals).
"""

from __future__ import annotations

import time

import duckdb

from analysis import settings
from analysis.warehouse import SQL_DIR, apply_comments, create_schemas, read_sql

TOOK_PLACE = "GJENN, FULLF, DELAVB or GJENN_AVB"
OVERLAP_RULE = (
    "A spell counts in a month if start_date <= last day of the month and "
    "coalesce(end_date, observation_end) >= first day of the month; an ongoing spell (empty "
    "end_date) runs to observation_end and never past it."
)
STATUS_RULE = (
    "If several NAV status spells apply, the one that started last wins; on equal start dates "
    "NEDSATT_ARBEIDSEVNE wins over ARBEIDSSOKER."
)

MONTHS_COMMENTS = {
    "year_month": "calendar month, YYYYMM",
    "month_index": "year * 12 + month - 1 (for month arithmetic)",
    "year": "calendar year",
    "month": "calendar month 1-12",
    "month_start": "first day of the month",
    "month_end": "last day of the month",
}

AT_SPELLS_COMMENTS = {
    "spell_id": "programme spell id (staging.programme_spells.spell_id)",
    "person_id": "pseudonymous person id",
    "employer_org": "organisation number of the AT employer",
    "start_date": "first day of participation",
    "end_date": "last day of participation as registered (NULL = ongoing at extraction)",
    "end_date_observed": "least(coalesce(end_date, observation_end), observation_end)",
    "is_ongoing": "TRUE if end_date is empty or after observation_end (right-censored spell)",
    "start_ym": "month of start_date, YYYYMM",
    "exit_ym": "month of end_date, YYYYMM; NULL when ongoing (censored: no exit observed)",
    "participant_status": "Arena participant status (GJENN, FULLF, DELAVB, GJENN_AVB)",
    "part_time_pct": "participation percentage 0-100 as registered",
    "status_group": (
        "the person's NAV status on the spell's start date (ARBEIDSSOKER or NEDSATT_ARBEIDSEVNE; "
        "no status spell covering the day -> ANNET). " + STATUS_RULE
    ),
    "innsatsgruppe_at_start": "innsatsgruppe of the status spell chosen for status_group (NULL if none)",
    "agreement_id": (
        "governing agreement: the spell's first agreement whose status is not ANNULLERT, by "
        "agreed_start then agreement_id; NULL if none"
    ),
    "has_agreement": "TRUE if the spell has a governing (non-annulled) agreement",
    "purpose": (
        "rank-1 purpose of the governing agreement; no agreement, or an agreement without a "
        "rank-1 purpose -> UKJENT (unknown; never guessed)"
    ),
    "n_purposes": "number of distinct purposes listed on the governing agreement (0 if none)",
    "agreed_start": "agreed start of the governing agreement",
    "agreed_end": "agreed end of the governing agreement",
    "planned_days": "agreed_end - agreed_start + 1 (NULL without agreement)",
    "actual_days": "end_date_observed - start_date + 1 (censored at observation_end when ongoing)",
    "extended": (
        "TRUE if the spell ended (not ongoing) after the agreed end (end_date > agreed_end); "
        "FALSE if it ended on or before agreed_end, and FALSE while ongoing (not yet known); "
        "NULL without agreement"
    ),
    "spell_seq": "1 = the person's first took-place AT spell, by start_date then spell_id",
    "age_at_start": (
        "age in whole years at start; birth day unknown, so age = "
        "floor((start month index - birth month index) / 12) with month index = year*12+month-1"
    ),
}

PERSON_MONTH_COMMENTS = {
    "person_id": "pseudonymous person id (every person in staging.persons, every window month)",
    "year_month": "calendar month, YYYYMM",
    "month_index": "year * 12 + month - 1 (for month arithmetic)",
    "age": "age in whole years in the month: floor((month_index - birth month index) / 12)",
    "gender": "SSB gender code: 1 male, 2 female",
    "immigrant_category": "SSB immigrant category (invkat)",
    "nus_level": "highest completed education at entry, NUS2000 first digit (9 unknown)",
    "nav_status": (
        "NAV status (ARBEIDSSOKER, NEDSATT_ARBEIDSEVNE) of a status spell overlapping any day of "
        "the month; NULL if none. " + STATUS_RULE
    ),
    "innsatsgruppe": "innsatsgruppe of the status spell chosen for nav_status (NULL if none)",
    "registered": "TRUE if a NAV status spell overlaps the month (nav_status is not NULL)",
    "earnings_nok": "earnings summed over all employers in the month (A-ordningen); 0 if none",
    "n_employers": "number of employers with an employment_months row in the month",
    "employed": "earnings_nok >= the employment threshold (this table's comment; meta.run_info)",
    "in_at": f"an ARBTREN spell that took place ({TOOK_PLACE}) overlaps the month. " + OVERLAP_RULE,
    "in_wage_subsidy": "a took-place MIDLONTIL or VARLONTIL spell (wage subsidy) overlaps the month",
    "in_other_programme": (
        "a took-place programme spell other than ARBTREN, MIDLONTIL, VARLONTIL and the grants "
        "MENTOR and INKLUTILS overlaps the month (the grants accompany other measures and are "
        "not programmes of their own)"
    ),
    "in_education": "an education spell (any, incl. apprenticeship) overlaps the month",
    "apprentice": "an education spell registered as apprenticeship (laerling) overlaps the month",
    "aap": "an AAP (work assessment allowance) spell overlaps the month",
    "dagpenger": "a dagpenger (unemployment benefit) spell overlaps the month",
    "tiltakspenger": "a tiltakspenger (programme allowance) spell overlaps the month",
    "uforetrygd": "an uforetrygd (disability benefit) spell overlaps the month",
    "sosialhjelp": "a sosialhjelp (social assistance) spell overlaps the month",
    "kvp": "a KVP (qualification programme benefit) spell overlaps the month",
    "any_benefit": "any of aap, dagpenger, tiltakspenger, uforetrygd, sosialhjelp, kvp",
    "state": (
        "state in the month, the first that holds: IN_ARBEIDSTRENING (in_at), WAGE_SUBSIDY, "
        "OTHER_PROGRAMME, EMPLOYED, EDUCATION, UFORETRYGD, AAP, JOBSEEKER (an ARBEIDSSOKER "
        "status spell overlaps the month, whichever status spell nav_status shows), NONE. Every "
        "state follows the overlap rule."
    ),
    "first_at_start_ym": (
        "start month (YYYYMM) of the person's first took-place AT spell (panel.at_spells "
        "spell_seq = 1, may lie before the window); NULL if never"
    ),
    "months_since_at_start": (
        "month_index minus the month index of first_at_start_ym (0 = start month, negative "
        "before); NULL if never treated"
    ),
}

PANEL_FILES = (
    "panel/01_months.sql",
    "panel/02_at_spells.sql",
    "panel/03_person_index.sql",
    "panel/04_activity_frames.sql",
    "panel/05_earnings_months.sql",
    "panel/06_person_month_table.sql",
)
PERSON_MONTH_BLOCK_FILE = "panel/07_person_month_block.sql"
WORKING_TABLES = ("panel_person_index", "panel_activity_frames", "panel_earnings_months")

# panel.person_month is written in blocks of this many persons (in person order) so that the
# grid join and the sort stay in memory at full scale (~600k persons x 108 months). Measured at
# scale 1.0 (docs/SCALING.md, stop 34): 100,000 persons a block 66-69 s and 2.6 GB peak RSS;
# 200,000 54-55 s and 3.2 GB (each block scans the bit sets and earnings once); 300,000 54 s.
DEFAULT_PERSONS_PER_BLOCK = 200_000


def build_panel(
    con: duckdb.DuckDBPyConnection,
    employment_threshold_nok: int = settings.DEFAULT_EMPLOYMENT_THRESHOLD_NOK,
    persons_per_block: int = DEFAULT_PERSONS_PER_BLOCK,
) -> dict:
    """Build panel.months, panel.at_spells and panel.person_month; return row counts and timings.

    The employment threshold must be a whole number of NOK from 1 to 1,000,000
    (`analysis.settings.check_employment_threshold`); anything else is refused.
    """
    threshold = settings.check_employment_threshold(employment_threshold_nok)
    create_schemas(con)
    timings: dict[str, float] = {}
    try:
        for path in PANEL_FILES:
            t0 = time.perf_counter()
            con.execute(read_sql(path))
            timings[path] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()
        n_persons = con.execute("SELECT count(*) FROM panel_person_index").fetchone()[0]
        block_sql = read_sql(PERSON_MONTH_BLOCK_FILE)
        for first in range(1, n_persons + 1, persons_per_block):
            con.execute(
                block_sql,
                {
                    "threshold": threshold,
                    "first_pid": first,
                    "last_pid": first + persons_per_block - 1,
                },
            )
        timings[PERSON_MONTH_BLOCK_FILE] = round(time.perf_counter() - t0, 3)
    finally:
        for table in WORKING_TABLES:
            con.execute(f"DROP TABLE IF EXISTS {table}")

    con.execute("DROP TABLE IF EXISTS meta.panel_settings")  # warehouses before 0.2 had it
    apply_comments(
        con,
        "panel.months",
        "Calendar months of the observation window: every month overlapping "
        "[observation_start, observation_end] by at least one day.",
        MONTHS_COMMENTS,
    )
    apply_comments(
        con,
        "panel.at_spells",
        "One row per Arbeidstrening (ARBTREN) spell that took place (participant_status "
        f"{TOOK_PLACE}) and started on or before observation_end. Spells that did not take place "
        "(IKKEM, GJENN_AVL, waiting, not relevant, FEILREG) are left out. Ongoing spells are "
        "censored at observation_end.",
        AT_SPELLS_COMMENTS,
    )
    apply_comments(
        con,
        "panel.person_month",
        "One row per person (staging.persons) x calendar month of the observation window, ordered "
        f"by person_id, month_index. {OVERLAP_RULE} Only programme spells that took place "
        f"({TOOK_PLACE}) count. Employment threshold: {threshold} NOK "
        "(the run's setting, recorded in meta.run_info). Code columns (immigrant_category, nus_level, nav_status, "
        "innsatsgruppe, state) are ENUMs over their code lists: they compare as text.",
        PERSON_MONTH_COMMENTS,
    )
    counts = {
        name: con.execute(f"SELECT count(*) FROM panel.{name}").fetchone()[0]
        for name in ("months", "at_spells", "person_month")
    }
    return {
        "n_months": counts["months"],
        "n_at_spells": counts["at_spells"],
        "n_person_months": counts["person_month"],
        "employment_threshold_nok": threshold,
        "seconds": timings,
        "sql_dir": str(SQL_DIR / "panel"),
    }
