-- Working table for the participant profile marts: one row per profiled unit with its
-- characteristics, shared by marts.participant_profile and marts.participant_profile_summary.
--   participants: AT spell starts (panel.at_spells, start inside the window), described in the
--     start month (a person starting twice in a year counts twice); status group and
--     innsatsgruppe on the start date (the spell's status_group / innsatsgruppe_at_start); age at
--     start; benefits from the start month's flags in panel.person_month.
--   registered_non_participants: person-months registered at NAV (a status spell overlaps the
--     month) and not in AT, described in that month (nav_status as status group).
-- Employment history: months employed (panel.person_month.employed) among the 12 calendar months
-- before the described month; only when all 12 lie inside the window, otherwise NULL (before the
-- window the registers are not read).
-- Main benefit: the first benefit received in the month in the order UFORETRYGD, AAP, DAGPENGER,
-- TILTAKSPENGER, KVP, SOSIALHJELP; NONE if none.
CREATE OR REPLACE TEMP TABLE marts_profile_units AS
WITH observation_window AS (
    SELECT observation_start FROM meta.observation_window
),
window_bounds AS (
    SELECT min(month_index) AS first_month_index FROM panel.months
),
person_months_with_history AS (
    SELECT
        pm.*,
        CASE WHEN pm.month_index - 12 >= w.first_month_index THEN
            CAST(sum(CAST(pm.employed AS INTEGER)) OVER previous_12_months AS INTEGER)
        END AS months_employed_12m_before
    FROM panel.person_month AS pm, window_bounds AS w
    WINDOW previous_12_months AS (
        PARTITION BY pm.person_id ORDER BY pm.month_index
        ROWS BETWEEN 12 PRECEDING AND 1 PRECEDING
    )
),
participant_starts AS (
    SELECT
        CAST(year(s.start_date) AS INTEGER) AS year,
        'participants' AS profile_group,
        pm.gender,
        s.age_at_start AS age,
        pm.immigrant_category,
        pm.nus_level,
        s.status_group,
        s.innsatsgruppe_at_start AS innsatsgruppe,
        pm.aap, pm.dagpenger, pm.tiltakspenger, pm.uforetrygd, pm.sosialhjelp, pm.kvp,
        pm.months_employed_12m_before
    FROM panel.at_spells AS s
    CROSS JOIN observation_window AS w
    JOIN person_months_with_history AS pm
        ON pm.person_id = s.person_id
       AND pm.month_index = year(s.start_date) * 12 + month(s.start_date) - 1
    WHERE s.start_date >= w.observation_start
),
registered_non_participant_months AS (
    SELECT
        CAST(year_month // 100 AS INTEGER) AS year,
        'registered_non_participants' AS profile_group,
        gender,
        age,
        immigrant_category,
        nus_level,
        nav_status AS status_group,
        innsatsgruppe,
        aap, dagpenger, tiltakspenger, uforetrygd, sosialhjelp, kvp,
        months_employed_12m_before
    FROM person_months_with_history
    WHERE registered AND NOT in_at
),
profiled_units AS (
    SELECT * FROM participant_starts
    UNION ALL
    SELECT * FROM registered_non_participant_months
)
SELECT
    year,
    profile_group,
    CASE gender WHEN 1 THEN 'MALE' WHEN 2 THEN 'FEMALE' END AS gender,
    age,
    CASE
        WHEN age < 25 THEN 'UNDER_25'
        WHEN age < 30 THEN '25_29'
        WHEN age < 40 THEN '30_39'
        WHEN age < 50 THEN '40_49'
        WHEN age < 60 THEN '50_59'
        ELSE '60_PLUS'
    END AS age_group,
    CASE WHEN age < 30 THEN 'YES' ELSE 'NO' END AS under_30,
    immigrant_category,
    nus_level,
    status_group,
    coalesce(innsatsgruppe, 'UKJENT') AS innsatsgruppe,
    CASE
        WHEN uforetrygd THEN 'UFORETRYGD'
        WHEN aap THEN 'AAP'
        WHEN dagpenger THEN 'DAGPENGER'
        WHEN tiltakspenger THEN 'TILTAKSPENGER'
        WHEN kvp THEN 'KVP'
        WHEN sosialhjelp THEN 'SOSIALHJELP'
        ELSE 'NONE'
    END AS main_benefit,
    CASE WHEN aap OR dagpenger OR tiltakspenger OR uforetrygd OR sosialhjelp OR kvp
        THEN 'YES' ELSE 'NO' END AS any_benefit,
    months_employed_12m_before,
    CASE
        WHEN months_employed_12m_before IS NULL THEN 'NOT_OBSERVED'
        WHEN months_employed_12m_before = 0 THEN '0'
        WHEN months_employed_12m_before <= 5 THEN '1_5'
        WHEN months_employed_12m_before <= 11 THEN '6_11'
        ELSE '12'
    END AS months_employed_12m_before_group,
    CASE
        WHEN months_employed_12m_before IS NULL THEN 'NOT_OBSERVED'
        WHEN months_employed_12m_before > 0 THEN 'YES'
        ELSE 'NO'
    END AS any_employment_12m_before
FROM profiled_units;
