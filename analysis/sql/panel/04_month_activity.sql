-- Working table: what each person did in each window month that has any registered activity,
-- one row per (pid, month_index). Built for speed at full scale (tens of millions of rows):
-- every source is reduced to narrow integer rows, expanded to months with integer month indexes,
-- and combined in ONE aggregation.
--
-- Overlap rule: a spell counts in every month it overlaps by at least one day; an ongoing spell
-- (empty end_date) runs to the observation end and never past it; months are clipped to the
-- window; spells starting after the observation end are ignored.
--
-- activity_flags is a bit set (OR-ed over the month's spells):
--     1 in_at               ARBTREN spell that took place
--     2 in_wage_subsidy     MIDLONTIL or VARLONTIL spell that took place
--     4 in_other_programme  any other took-place programme, except the grants MENTOR and
--                           INKLUTILS (they accompany other measures, not programmes of their own)
--     8 in_education        education spell
--    16 apprentice          education spell registered as apprenticeship (laerling)
--    32 aap, 64 dagpenger, 128 tiltakspenger, 256 uforetrygd, 512 sosialhjelp, 1024 kvp
-- status_rank packs the NAV status spell that applies in the month so that max() picks it: the
-- spell that started last wins, on equal start dates NEDSATT_ARBEIDSEVNE wins:
--     status_rank = ((days since 1900-01-01 of start_date) * 2 + is_nedsatt) * 8 + innsatsgruppe
--     (innsatsgruppe: 0 none, 1 STANDARD, 2 SITUASJONSBESTEMT, 3 SPESIELT_TILPASSET, 4 VARIG)
-- Took place = participant_status GJENN, FULLF, DELAVB, GJENN_AVB.
CREATE OR REPLACE TEMP TABLE panel_month_activity AS
WITH observation_window AS (
    SELECT
        observation_end,
        year(observation_start) * 12 + month(observation_start) - 1 AS first_month_index,
        year(observation_end) * 12 + month(observation_end) - 1 AS last_month_index
    FROM meta.observation_window
),
programme_spells AS (
    SELECT
        person_id, start_date, end_date,
        CASE
            WHEN programme_code = 'ARBTREN' THEN 1
            WHEN programme_code IN ('MIDLONTIL', 'VARLONTIL') THEN 2
            ELSE 4
        END AS activity_flags,
        CAST(NULL AS BIGINT) AS status_rank
    FROM staging.programme_spells
    WHERE participant_status IN ('GJENN', 'FULLF', 'DELAVB', 'GJENN_AVB')
      AND programme_code NOT IN ('MENTOR', 'INKLUTILS')
),
benefit_spells AS (
    SELECT
        person_id, start_date, end_date,
        CASE benefit
            WHEN 'AAP' THEN 32 WHEN 'DAGPENGER' THEN 64 WHEN 'TILTAKSPENGER' THEN 128
            WHEN 'UFORETRYGD' THEN 256 WHEN 'SOSIALHJELP' THEN 512 WHEN 'KVP' THEN 1024
        END,
        CAST(NULL AS BIGINT)
    FROM staging.benefit_spells
),
education_spells AS (
    SELECT person_id, start_date, end_date, CASE WHEN apprentice THEN 8 + 16 ELSE 8 END, NULL
    FROM staging.education_spells
),
nav_status_spells AS (
    SELECT
        person_id, start_date, end_date, 0,
        (date_diff('day', DATE '1900-01-01', start_date) * 2
            + CAST(status = 'NEDSATT_ARBEIDSEVNE' AS INTEGER)) * 8
            + CASE innsatsgruppe
                WHEN 'STANDARD_INNSATS' THEN 1 WHEN 'SITUASJONSBESTEMT_INNSATS' THEN 2
                WHEN 'SPESIELT_TILPASSET_INNSATS' THEN 3 WHEN 'VARIG_TILPASSET_INNSATS' THEN 4
                ELSE 0 END
    FROM staging.nav_status_spells
),
all_spells AS (
    SELECT * FROM programme_spells
    UNION ALL SELECT * FROM benefit_spells
    UNION ALL SELECT * FROM education_spells
    UNION ALL SELECT * FROM nav_status_spells
),
spell_month_span AS (
    SELECT
        p.pid,
        s.activity_flags,
        s.status_rank,
        greatest(year(s.start_date) * 12 + month(s.start_date) - 1, w.first_month_index)
            AS first_month,
        least(
            year(coalesce(s.end_date, w.observation_end)) * 12
                + month(coalesce(s.end_date, w.observation_end)) - 1,
            w.last_month_index
        ) AS last_month
    FROM all_spells AS s
    JOIN panel_person_index AS p ON p.person_id = s.person_id
    CROSS JOIN observation_window AS w
    WHERE s.start_date <= w.observation_end
),
spell_months AS (
    SELECT
        pid,
        CAST(unnest(range(first_month, last_month + 1)) AS INTEGER) AS month_index,
        activity_flags,
        status_rank,
        CAST(NULL AS BIGINT) AS earnings_nok,
        0 AS n_employers
    FROM spell_month_span
    WHERE first_month <= last_month
),
-- A-ordningen: one row per person x month x employer; summed over employers below.
earnings_months AS (
    SELECT
        p.pid,
        CAST((e.year_month // 100) * 12 + e.year_month % 100 - 1 AS INTEGER) AS month_index,
        0 AS activity_flags,
        CAST(NULL AS BIGINT) AS status_rank,
        e.earnings_nok,
        1 AS n_employers
    FROM staging.employment_months AS e
    JOIN panel_person_index AS p ON p.person_id = e.person_id
    CROSS JOIN observation_window AS w
    WHERE (e.year_month // 100) * 12 + e.year_month % 100 - 1
        BETWEEN w.first_month_index AND w.last_month_index
),
activity_rows AS (
    SELECT * FROM spell_months
    UNION ALL
    SELECT * FROM earnings_months
)
SELECT
    pid,
    month_index,
    CAST(bit_or(activity_flags) AS INTEGER) AS activity_flags,
    max(status_rank) AS status_rank,
    CAST(sum(earnings_nok) AS BIGINT) AS earnings_nok,
    CAST(sum(n_employers) AS INTEGER) AS n_employers
FROM activity_rows
GROUP BY pid, month_index;
