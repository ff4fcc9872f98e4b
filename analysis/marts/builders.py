"""Build functions for the marts: each runs one SQL file under analysis/sql/marts/ and writes
the table and column comments (the documentation of record for every definition, mapping and
censoring rule). Every function takes a DuckDB connection and returns a small metadata dict."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import duckdb

from analysis.warehouse import apply_comments, create_schemas, read_sql
from analysis.warehouse.sql_constants import SQL_CONSTANTS

TOOK_PLACE = "took place = participant_status GJENN, FULLF, DELAVB or GJENN_AVB"
PURPOSE_RULE = (
    "purpose = rank-1 purpose of the governing agreement (first non-annulled agreement by "
    "agreed_start, agreement_id); no agreement or no rank-1 purpose -> UKJENT"
)
STATUS_GROUP_RULE = (
    "status group = NAV status on the spell's start date (ARBEIDSSOKER, NEDSATT_ARBEIDSEVNE; "
    "none -> ANNET; two covering status spells -> the one that started last, then "
    "NEDSATT_ARBEIDSEVNE)"
)
CENSORING_RULE = (
    "spells whose exit month + k lies past the observation end are censored for that k: left "
    "out of numerator and denominator, never counted as NONE"
)
HORIZON = "k = months after the exit month (1, 3, 6, 12, 24); exit month = month of end_date"


@dataclass(frozen=True)
class Mart:
    """One mart table: its SQL file (with the file's parameters), table and column comments."""

    table: str
    sql: str
    comment: str
    columns: dict[str, str]
    params: Mapping[str, str] = field(default_factory=dict)


def _run(con: duckdb.DuckDBPyConnection, *marts: Mart, before: tuple[str, ...] = ()) -> dict:
    """Run working SQL files (`before`), then each mart's SQL, comment it, return metadata."""
    create_schemas(con)
    t0 = time.perf_counter()
    meta: dict = {}
    try:
        for path in before:
            con.execute(read_sql(path))
        for mart in marts:
            con.execute(read_sql(mart.sql, table=mart.table, **mart.params))
            apply_comments(con, mart.table, mart.comment, mart.columns)
            meta[f"rows:{mart.table}"] = con.execute(
                f"SELECT count(*) FROM {mart.table}"
            ).fetchone()[0]
    finally:
        for table in WORKING_TABLES:
            con.execute(f"DROP TABLE IF EXISTS {table}")
    meta["seconds"] = round(time.perf_counter() - t0, 3)
    return meta


WORKING_TABLES = ("marts_profile_units",)

# --- participants -------------------------------------------------------------------------------

PARTICIPANTS_MONTHLY = Mart(
    "marts.participants_monthly",
    "marts/participants_monthly.sql",
    "Persons in Arbeidstrening per calendar month and status group. Participants in a month: "
    f"persons with an ARBTREN spell that took place ({TOOK_PLACE}) and overlaps any day of the "
    "month (an ongoing spell runs to observation_end, never past it). A person is counted once a "
    "month: with several overlapping spells, under the status group of the spell that started last "
    "(ties: larger spell_id), so the groups partition the participants and sum to the month total. "
    f"{STATUS_GROUP_RULE}. Complete grid: every window month x the three status groups, 0 where "
    "none.",
    {
        "year_month": "calendar month of the window, YYYYMM",
        "status_group": "ARBEIDSSOKER, NEDSATT_ARBEIDSEVNE or ANNET (status group of the spell)",
        "n_participants": "number of persons in AT in the month in this status group (exact)",
    },
)

PARTICIPANTS_ANNUAL = Mart(
    "marts.participants_annual",
    "marts/participants_annual.sql",
    "Monthly average number of AT participants per calendar year and status group, from "
    "marts.participants_monthly (ALL = all status groups). A year only partly inside the window "
    "is averaged over its window months (n_months).",
    {
        "year": "calendar year",
        "status_group": "ARBEIDSSOKER, NEDSATT_ARBEIDSEVNE, ANNET or ALL",
        "n_months": "number of window months of the year averaged over",
        "avg_monthly_participants": "mean of n_participants over the year's window months",
    },
)

# --- purposes -----------------------------------------------------------------------------------

_WINDOW_STARTS = (
    "Spells: took-place AT spells (panel.at_spells) that started inside the observation window "
    "(earlier start years are only partly covered by an extract), by calendar year of start."
)

PURPOSE_DISTRIBUTION = Mart(
    "marts.purpose_distribution",
    "marts/purpose_distribution.sql",
    f"AT spells by year of start and purpose. {PURPOSE_RULE}. {_WINDOW_STARTS} share is among "
    "spells with a known purpose; the UKJENT row is included with share NULL (coverage: "
    "marts.purpose_coverage). Complete grid: window years x six purposes + UKJENT.",
    {
        "year": "calendar year of spell start",
        "purpose": "ARBEIDSERFARING, FAA_JOBB_I_BEDRIFTEN, UTPROVING, "
        "OPPNAA_FAGBREV_KOMPETANSEBEVIS, SPRAAKOPPLAERING, ANNET or UKJENT (no agreement / no "
        "rank-1 purpose)",
        "n_spells": "number of spells starting in the year with this purpose",
        "share": "n_spells / spells of the year with a known purpose (not UKJENT); NULL for UKJENT "
        "or when no spell of the year has a known purpose",
    },
)

PURPOSE_COVERAGE = Mart(
    "marts.purpose_coverage",
    "marts/purpose_coverage.sql",
    "How many AT spells have a governing digital agreement (first non-annulled agreement), i.e. "
    f"how far the purpose can be known. {_WINDOW_STARTS} An agreement without a rank-1 purpose "
    "counts as an agreement here but has purpose UKJENT in marts.purpose_distribution.",
    {
        "year": "calendar year of spell start",
        "n_spells": "spells starting in the year",
        "n_with_agreement": "of these, spells with a governing (non-annulled) agreement",
        "coverage": "n_with_agreement / n_spells (NULL when n_spells = 0)",
    },
)

PURPOSE_ALL = Mart(
    "marts.purpose_distribution_all_purposes",
    "marts/purpose_distribution_all_purposes.sql",
    "Every purpose registered on the governing agreements, at any rank (an agreement may list "
    f"several). Unit: governing agreements (one per AT spell). {_WINDOW_STARTS} Shares sum to more "
    "than 1 when agreements list several purposes.",
    {
        "year": "calendar year of spell start",
        "purpose": "registered purpose (any rank)",
        "n_agreements": "governing agreements listing this purpose",
        "n_agreements_total": "governing agreements of the year listing at least one purpose",
        "share": "n_agreements / n_agreements_total",
    },
)

# --- outcomes after exit ------------------------------------------------------------------------

EXIT_OUTCOMES = Mart(
    "marts.exit_outcomes",
    "marts/exit_outcomes.sql",
    "One row per ended AT spell x horizon k: the person's state and outcome flags in exit month + "
    f"k, from panel.person_month. Ended spells: took-place AT spells with an exit month (ongoing "
    f"spells have no exit). {HORIZON}. Censoring: {CENSORING_RULE}; such rows (and targets before "
    "the first window month, for exits long before the window) have is_censored = TRUE and NULL "
    "outcomes. Basis for marts.transitions, transitions_by_status_group, intended_outcomes and "
    "same_employer.",
    {
        "spell_id": "the AT spell",
        "person_id": "pseudonymous person id",
        "employer_org": "organisation number of the AT employer",
        "purpose": f"purpose of the spell ({PURPOSE_RULE})",
        "status_group": f"status group of the spell ({STATUS_GROUP_RULE})",
        "spell_seq": "1 = the person's first took-place AT spell",
        "exit_ym": "month of end_date, YYYYMM",
        "months_after_exit": "k: 1, 3, 6, 12 or 24",
        "target_ym": "exit month + k, YYYYMM",
        "is_censored": "TRUE if target_ym lies outside the window months (past observation_end, "
        "or before the window); outcomes are then NULL",
        "state": "panel.person_month.state in target_ym",
        "employed": "employed in target_ym (total earnings >= the panel threshold)",
        "in_at": "in an AT spell in target_ym (a new or continued AT spell)",
        "in_wage_subsidy": "in MIDLONTIL/VARLONTIL in target_ym",
        "in_other_programme": "in another programme in target_ym (not AT, wage subsidy, grants)",
        "in_education": "in education in target_ym",
        "apprentice": "apprentice in target_ym",
        "aap": "receives AAP in target_ym",
        "uforetrygd": "receives uforetrygd in target_ym",
        "registered": "registered at NAV (a status spell) in target_ym",
        "employed_at_at_employer": "employed in target_ym with an employment_months row at the AT "
        "spell's employer_org (the contract's 'same employer')",
        "wage_subsidy_at_at_employer": "a took-place MIDLONTIL/VARLONTIL spell at the AT spell's "
        "employer_org overlaps target_ym",
        "same_employer": "employed_at_at_employer OR wage_subsidy_at_at_employer",
    },
)

_TRANSITION_COLUMNS = {
    "months_after_exit": "k: 1, 3, 6, 12 or 24 months after the exit month",
    "state": "state in exit month + k (panel.person_month.state): IN_ARBEIDSTRENING, "
    "WAGE_SUBSIDY, OTHER_PROGRAMME, EMPLOYED, EDUCATION, UFORETRYGD, AAP, JOBSEEKER, NONE "
    "(first that holds)",
    "n": "number of spells in this state (exact)",
    "share": "n / spells observed (not censored) at this group and k; NULL if none",
}

TRANSITIONS = Mart(
    "marts.transitions",
    "marts/transitions.sql",
    "State k months after exit from Arbeidstrening, by purpose. Unit: ended took-place AT spells "
    "(all spells, not only each person's first; a person with two ended spells contributes two). "
    f"{HORIZON}. Censoring: {CENSORING_RULE}. Complete grid of purposes x k x states.",
    {
        "purpose": f"purpose of the spell ({PURPOSE_RULE}); ALL = every spell",
        **_TRANSITION_COLUMNS,
    },
    params={"group": "purpose", "group_rows": SQL_CONSTANTS["purpose_rows_with_unknown"]},
)

TRANSITIONS_BY_STATUS_GROUP = Mart(
    "marts.transitions_by_status_group",
    "marts/transitions.sql",
    "State k months after exit from Arbeidstrening, by status group of the spell. Unit: ended "
    f"took-place AT spells (all spells). {HORIZON}. Censoring: {CENSORING_RULE}. Complete grid.",
    {
        "status_group": f"{STATUS_GROUP_RULE}; ALL = every spell",
        **_TRANSITION_COLUMNS,
    },
    params={"group": "status_group", "group_rows": SQL_CONSTANTS["status_group_rows"]},
)

INTENDED_OUTCOMES = Mart(
    "marts.intended_outcomes",
    "marts/intended_outcomes.sql",
    "Whether the outcome each purpose aims at (chain of effects, report Figur 4-1) is reached k "
    f"months after exit. Unit: ended took-place AT spells with that purpose. {HORIZON}. "
    f"Censoring: {CENSORING_RULE}. Mapping: FAA_JOBB_I_BEDRIFTEN -> "
    "EMPLOYED_OR_WAGE_SUBSIDY_SAME_EMPLOYER (employed with an employment_months row at the AT "
    "employer_org, or a took-place MIDLONTIL/VARLONTIL spell at that employer_org in the month); "
    "OPPNAA_FAGBREV_KOMPETANSEBEVIS -> APPRENTICESHIP_OR_EDUCATION; ARBEIDSERFARING -> EMPLOYED "
    "(any employer); UTPROVING -> PROGRAMME_AAP_OR_EMPLOYED (wage subsidy or other programme - a "
    "repeated AT spell does not count - or AAP, or employed); SPRAAKOPPLAERING -> "
    "EMPLOYED_EDUCATION_OR_PROGRAMME (employed, education, wage subsidy or other programme); "
    "ANNET and UKJENT -> EMPLOYED (no stated chain of effects).",
    {
        "purpose": f"purpose of the spell ({PURPOSE_RULE})",
        "intended_outcome": "code of the intended outcome for the purpose (see table comment)",
        "months_after_exit": "k: 1, 3, 6, 12 or 24",
        "n_spells": "spells at risk: ended spells with the purpose observed at exit month + k",
        "n_reached": "of these, spells whose intended outcome holds in exit month + k",
        "share": "n_reached / n_spells (NULL if no spell)",
    },
)

SAME_EMPLOYER = Mart(
    "marts.same_employer",
    "marts/same_employer.sql",
    "Jobs and wage subsidies at the AT employer k months after exit, by purpose. Unit: ended "
    f"took-place AT spells (all spells). {HORIZON}. Censoring: {CENSORING_RULE}. Employed at the AT "
    "employer: an employment_months row at the spell's employer_org in the month while employed "
    "(total earnings over all employers >= the panel threshold). Wage subsidy at the AT employer: a "
    "took-place MIDLONTIL/VARLONTIL spell at that employer_org overlapping the month.",
    {
        "purpose": f"purpose of the spell ({PURPOSE_RULE}); ALL = every spell",
        "months_after_exit": "k: 1, 3, 6, 12 or 24",
        "n_spells": "spells observed (not censored) at exit month + k",
        "n_employed_same_employer": "employed at the AT employer",
        "n_wage_subsidy_same_employer": "on wage subsidy at the AT employer",
        "n_employed_or_wage_subsidy_same_employer": "either of the two",
        "n_employed_any_employer": "employed at any employer (for comparison)",
        "share_employed_same_employer": "n_employed_same_employer / n_spells",
        "share_wage_subsidy_same_employer": "n_wage_subsidy_same_employer / n_spells",
        "share_employed_or_wage_subsidy_same_employer": "n_employed_or_wage_subsidy_same_employer "
        "/ n_spells",
        "share_employed_any_employer": "n_employed_any_employer / n_spells",
    },
)

# --- profile ------------------------------------------------------------------------------------

_PROFILE_UNITS = (
    "Units: participants = AT spell starts in the year (took-place spells starting inside the "
    "window), described at start (a person starting twice in a year counts twice; status group "
    "and innsatsgruppe on the start date, age at start, benefits in the start month); "
    "registered_non_participants = person-months of the year registered at NAV (a status spell "
    "overlaps the month) and not in AT, described in that month. Employment history: months "
    "employed among the 12 calendar months before the described month, only when all 12 lie "
    "inside the window (else NOT_OBSERVED / NULL)."
)

PARTICIPANT_PROFILE = Mart(
    "marts.participant_profile",
    "marts/participant_profile.sql",
    "Who the AT participants are, by year, compared with registered non-participants, long "
    f"format. {_PROFILE_UNITS} Dimensions: gender (MALE/FEMALE); age_group (UNDER_25, 25_29, "
    "30_39, 40_49, 50_59, 60_PLUS); under_30 (YES/NO); immigrant_category (SSB invkat); nus_level "
    "(NUS2000 first digit, 9 unknown); status_group; innsatsgruppe (UKJENT if none); main_benefit "
    "(first of UFORETRYGD, AAP, DAGPENGER, TILTAKSPENGER, KVP, SOSIALHJELP received; else NONE); "
    "any_benefit (YES/NO); months_employed_12m_before (0, 1_5, 6_11, 12, NOT_OBSERVED); "
    "any_employment_12m_before (YES/NO/NOT_OBSERVED).",
    {
        "year": "calendar year (of spell start / of the person-month)",
        "group": "participants or registered_non_participants",
        "dimension": "characteristic (see table comment)",
        "category": "value of the characteristic",
        "n": "units in the category (exact)",
        "share": "n / all units of the year and group (shares of a dimension sum to 1)",
    },
)

PARTICIPANT_PROFILE_SUMMARY = Mart(
    "marts.participant_profile_summary",
    "marts/participant_profile_summary.sql",
    "Headline profile figures per year and group (participants vs registered non-participants). "
    + _PROFILE_UNITS
    + " Each unit has its own count column, so no column mixes spell starts and person-months: "
    "n_spell_starts counts the participants' rows, n_person_months the non-participants' (each is "
    "0 in the other group's rows). Shares and means are over the row's units.",
    {
        "year": "calendar year",
        "group": "participants or registered_non_participants",
        "n_spell_starts": "AT spell starts described (participants' rows; 0 for "
        "registered_non_participants)",
        "n_person_months": "registered person-months not in AT described "
        "(registered_non_participants' rows; 0 for participants)",
        "share_female": "share with gender 2 (female)",
        "mean_age": "mean age in whole years",
        "share_under_30": "share aged under 30",
        "share_nedsatt_arbeidsevne": "share with status group NEDSATT_ARBEIDSEVNE",
        "share_any_benefit": "share receiving any benefit in the month",
        "share_history_observed": "share of the units whose 12 months before lie inside the "
        "window (the employment history is known)",
        "mean_months_employed_12m_before": "mean months employed in the 12 months before (among "
        "units whose history is observed)",
        "share_any_employment_12m_before": "share with at least one month employed in the 12 "
        "months before (among units whose history is observed)",
    },
)

# --- durations ----------------------------------------------------------------------------------

DURATIONS = Mart(
    "marts.durations",
    "marts/durations.sql",
    "Planned and actual length of AT spells, extensions, interruptions and the 12-/18-month caps, "
    "by dimension (ALL, purpose, status_group, start_year, start_half_year e.g. 2022H2, "
    "start_quarter e.g. 2022Q3 - the autumn-2022 stop in wage subsidies, with AT spells extended "
    "instead, shows in the later cohorts). Unit: took-place AT spells that started inside the "
    "window. Planned length from the governing agreement; actual length for ended spells only "
    "(ongoing spells are censored, so recent cohorts lean short - see n_ongoing). Extended: "
    "ended after agreed_end, among ended spells with agreement. Interrupted: participant_status "
    "DELAVB or GJENN_AVB. IKKEM: ARBTREN spells registered as IKKEM (did not show up; they did not "
    "take place and are counted from staging with the same status-group and purpose rules). Cap "
    "reached: lasted at least 12 (18) calendar months (end_date_observed >= start_date + 12 (18) "
    "months - 1 day); known when reached or ended.",
    {
        "dimension": "ALL, purpose, status_group, start_year, start_half_year or start_quarter",
        "category": "value of the dimension",
        "n_spells": "took-place spells",
        "n_ongoing": "of these, ongoing at observation_end",
        "n_ended": "of these, ended by observation_end",
        "n_with_agreement": "of these, with a governing agreement",
        "mean_planned_days": "mean agreed_end - agreed_start + 1 (spells with agreement)",
        "median_planned_days": "median planned days (spells with agreement)",
        "share_planned_up_to_3_months": "share of agreements with agreed_end < agreed_start + 3 "
        "calendar months",
        "mean_actual_days": "mean end_date - start_date + 1 of ended spells",
        "median_actual_days": "median actual days of ended spells",
        "n_ended_with_agreement": "ended spells with agreement (denominator of share_extended)",
        "n_extended": "ended spells with end_date > agreed_end",
        "share_extended": "n_extended / n_ended_with_agreement",
        "n_delavb": "spells with participant_status DELAVB",
        "n_gjenn_avb": "spells with participant_status GJENN_AVB",
        "share_interrupted": "(n_delavb + n_gjenn_avb) / n_spells",
        "n_ikkem": "ARBTREN spells registered IKKEM (did not take place) starting in the window",
        "share_ikkem": "n_ikkem / (n_spells + n_ikkem)",
        "n_known_12_months": "spells whose reaching 12 months is known (reached, or ended)",
        "n_reached_12_months": "spells lasting at least 12 calendar months",
        "share_reached_12_months": "n_reached_12_months / n_known_12_months",
        "n_known_18_months": "spells whose reaching 18 months is known (reached, or ended)",
        "n_reached_18_months": "spells lasting at least 18 calendar months",
        "share_reached_18_months": "n_reached_18_months / n_known_18_months",
    },
)

# --- chaining -----------------------------------------------------------------------------------

CHAINING_NEXT = Mart(
    "marts.chaining_next",
    "marts/chaining_next.sql",
    "What comes after Arbeidstrening (tiltakskjeding) and how soon. Unit: ended took-place AT "
    "spells (all spells) with exit month inside the window. Next programme: the person's first "
    f"took-place programme spell ({TOOK_PLACE}; grants MENTOR/INKLUTILS skipped) starting after the "
    "AT end_date and on or before observation_end (ties on start date: WAGE_SUBSIDY, "
    "ARBEIDSTRENING, OTHER_PROGRAMME, then spell_id); programmes starting during the AT spell are "
    "parallel measures, not next steps. Categories: WAGE_SUBSIDY (MIDLONTIL, VARLONTIL), "
    "ARBEIDSTRENING (another AT spell), OTHER_PROGRAMME when the next start is at most 24 months "
    "after the exit month; NONE_WITHIN_24_MONTHS when no next start within 24 months and exit "
    "month + 24 lies inside the window; CENSORED otherwise (reported, excluded from shares). "
    "Dimensions: ALL, purpose, exit_year, exit_half_year.",
    {
        "dimension": "ALL, purpose, exit_year or exit_half_year (e.g. 2022H2)",
        "category": "value of the dimension",
        "next_programme": "WAGE_SUBSIDY, ARBEIDSTRENING, OTHER_PROGRAMME, NONE_WITHIN_24_MONTHS "
        "or CENSORED",
        "n_spells": "number of ended AT spells",
        "share": "n_spells / spells of the category not CENSORED; NULL for CENSORED",
        "mean_months_to_next": "mean months from exit month to the next start month (0 = same "
        "month); programme categories only",
        "p25_months_to_next": "25th percentile of months to next start",
        "median_months_to_next": "median months to next start",
        "p75_months_to_next": "75th percentile of months to next start",
    },
)

CHAINING_SEQUENCES = Mart(
    "marts.chaining_sequences",
    "marts/chaining_sequences.sql",
    "The most common programme chains of AT participants. Unit: persons with at least one "
    "took-place AT spell. A chain is the person's took-place programme spells (grants "
    "MENTOR/INKLUTILS skipped) starting on or before observation_end, ordered by start_date then "
    "spell_id, as programme codes joined by ' > '; consecutive spells with the same code are one "
    "link. ALL_PROGRAMMES = the whole observed history (incl. programmes before AT); FROM_FIRST_AT "
    "= from the person's first AT spell on. Chains longer than 5 links are cut after the fifth and "
    "end in ' > ...'. As observed by observation_end (right-censored).",
    {
        "chain_type": "ALL_PROGRAMMES or FROM_FIRST_AT",
        "rank": "1 = most common chain of the chain_type (ties: by sequence)",
        "sequence": "programme codes joined by ' > ', e.g. 'ARBTREN > MIDLONTIL'",
        "n_links": "number of links shown (at most 5)",
        "n_persons": "persons with this chain",
        "share": "n_persons / persons with at least one AT spell",
    },
)


# --- the registry: one step per asset, in an order where every step follows the marts it reads ---


@dataclass(frozen=True)
class MartStep:
    """One pipeline step (one Dagster asset): the marts it writes, in order, with the working SQL
    run first (`before`) and the marts of earlier steps it reads (`reads`)."""

    name: str
    description: str
    marts: tuple[Mart, ...]
    reads: tuple[str, ...] = ()
    before: tuple[str, ...] = ()

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(m.table for m in self.marts)

    def build(self, con: duckdb.DuckDBPyConnection) -> dict:
        """Write this step's marts; return metadata (rows per table, seconds)."""
        return _run(con, *self.marts, before=self.before)


MART_STEPS: tuple[MartStep, ...] = (
    MartStep(
        "participants_monthly",
        "Persons in Arbeidstrening per month and status group (marts.participants_monthly).",
        (PARTICIPANTS_MONTHLY,),
    ),
    MartStep(
        "participants_annual",
        "Monthly average participants per year and status group (marts.participants_annual).",
        (PARTICIPANTS_ANNUAL,),
        reads=("participants_monthly",),
    ),
    MartStep(
        "purpose_distribution",
        "AT spells by start year and main purpose (marts.purpose_distribution).",
        (PURPOSE_DISTRIBUTION,),
    ),
    MartStep(
        "purpose_coverage",
        "Share of AT spells with a digital agreement, by start year (marts.purpose_coverage).",
        (PURPOSE_COVERAGE,),
    ),
    MartStep(
        "purpose_distribution_all_purposes",
        "All purposes listed on agreements, by start year "
        "(marts.purpose_distribution_all_purposes).",
        (PURPOSE_ALL,),
    ),
    MartStep(
        "exit_outcomes",
        "State and outcomes 1-24 months after each AT exit, censoring flagged "
        "(marts.exit_outcomes).",
        (EXIT_OUTCOMES,),
    ),
    MartStep(
        "transitions",
        "State k months after AT exit by purpose (marts.transitions).",
        (TRANSITIONS,),
        reads=("exit_outcomes",),
    ),
    MartStep(
        "transitions_by_status_group",
        "State k months after AT exit by status group (marts.transitions_by_status_group).",
        (TRANSITIONS_BY_STATUS_GROUP,),
        reads=("exit_outcomes",),
    ),
    MartStep(
        "intended_outcomes",
        "Intended outcome of each purpose reached k months after exit (marts.intended_outcomes).",
        (INTENDED_OUTCOMES,),
        reads=("exit_outcomes",),
    ),
    MartStep(
        "same_employer",
        "Jobs and wage subsidies at the AT employer after exit (marts.same_employer).",
        (SAME_EMPLOYER,),
        reads=("exit_outcomes",),
    ),
    MartStep(
        "participant_profile",
        "Participants vs registered non-participants by year (marts.participant_profile, "
        "marts.participant_profile_summary).",
        (PARTICIPANT_PROFILE, PARTICIPANT_PROFILE_SUMMARY),
        before=("marts/participant_profile_base.sql",),
    ),
    MartStep(
        "durations",
        "Planned/actual length, extensions, interruptions, caps (marts.durations).",
        (DURATIONS,),
    ),
    MartStep(
        "chaining_next",
        "Next programme after AT and months to it (marts.chaining_next).",
        (CHAINING_NEXT,),
    ),
    MartStep(
        "chaining_sequences",
        "Most common programme chains of AT participants (marts.chaining_sequences).",
        (CHAINING_SEQUENCES,),
    ),
)
