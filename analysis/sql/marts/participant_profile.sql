-- marts.participant_profile: who the participants are, by year, compared with registered
-- non-participants, in long format (one row per year x group x dimension x category).
-- Units (see the marts_profile_units working table): participants = AT spell starts in the year
-- described at start; registered_non_participants = person-months of the year registered at NAV
-- and not in AT. share = n / all units of the (year, group) - for every dimension the shares sum
-- to 1 (NOT_OBSERVED and UKJENT included as categories).
-- Dimensions: gender (MALE/FEMALE), age_group (UNDER_25, 25_29, 30_39, 40_49, 50_59, 60_PLUS),
-- under_30 (YES/NO), immigrant_category (SSB invkat), nus_level (NUS2000 first digit, 9 unknown),
-- status_group, innsatsgruppe (UKJENT if none), main_benefit (UFORETRYGD > AAP > DAGPENGER >
-- TILTAKSPENGER > KVP > SOSIALHJELP > NONE), any_benefit, months_employed_12m_before (0, 1_5,
-- 6_11, 12 months employed in the 12 months before; NOT_OBSERVED when those months are not all
-- inside the window), any_employment_12m_before (YES/NO/NOT_OBSERVED).
CREATE OR REPLACE TABLE marts.participant_profile AS
WITH unit_categories AS (
    SELECT
        year,
        profile_group,
        CASE gender WHEN 1 THEN 'MALE' WHEN 2 THEN 'FEMALE' END AS gender,
        CASE
            WHEN age < 25 THEN 'UNDER_25'
            WHEN age < 30 THEN '25_29'
            WHEN age < 40 THEN '30_39'
            WHEN age < 50 THEN '40_49'
            WHEN age < 60 THEN '50_59'
            ELSE '60_PLUS'
        END AS age_group,
        CASE WHEN age < 30 THEN 'YES' ELSE 'NO' END AS under_30,
        CAST(immigrant_category AS VARCHAR) AS immigrant_category,
        CAST(nus_level AS VARCHAR) AS nus_level,
        CAST(status_group AS VARCHAR) AS status_group,
        CAST(innsatsgruppe AS VARCHAR) AS innsatsgruppe,
        CAST(main_benefit AS VARCHAR) AS main_benefit,
        CASE WHEN any_benefit THEN 'YES' ELSE 'NO' END AS any_benefit,
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
    FROM marts_profile_units
),
category_counts AS (
    SELECT
        year,
        profile_group,
        gender, age_group, under_30, immigrant_category, nus_level, status_group,
        innsatsgruppe, main_benefit, any_benefit, months_employed_12m_before_group,
        any_employment_12m_before,
        count(*) AS n
    FROM unit_categories
    GROUP BY GROUPING SETS (
        (year, profile_group, gender),
        (year, profile_group, age_group),
        (year, profile_group, under_30),
        (year, profile_group, immigrant_category),
        (year, profile_group, nus_level),
        (year, profile_group, status_group),
        (year, profile_group, innsatsgruppe),
        (year, profile_group, main_benefit),
        (year, profile_group, any_benefit),
        (year, profile_group, months_employed_12m_before_group),
        (year, profile_group, any_employment_12m_before)
    )
),
long_counts AS (
    SELECT
        year,
        profile_group,
        CASE
            WHEN gender IS NOT NULL THEN 'gender'
            WHEN age_group IS NOT NULL THEN 'age_group'
            WHEN under_30 IS NOT NULL THEN 'under_30'
            WHEN immigrant_category IS NOT NULL THEN 'immigrant_category'
            WHEN nus_level IS NOT NULL THEN 'nus_level'
            WHEN status_group IS NOT NULL THEN 'status_group'
            WHEN innsatsgruppe IS NOT NULL THEN 'innsatsgruppe'
            WHEN main_benefit IS NOT NULL THEN 'main_benefit'
            WHEN any_benefit IS NOT NULL THEN 'any_benefit'
            WHEN months_employed_12m_before_group IS NOT NULL THEN 'months_employed_12m_before'
            ELSE 'any_employment_12m_before'
        END AS dimension,
        coalesce(gender, age_group, under_30, immigrant_category, nus_level, status_group,
            innsatsgruppe, main_benefit, any_benefit, months_employed_12m_before_group,
            any_employment_12m_before) AS category,
        n
    FROM category_counts
)
SELECT
    year,
    CAST(profile_group AS VARCHAR) AS "group",
    dimension,
    category,
    CAST(n AS BIGINT) AS n,
    n / sum(n) OVER (PARTITION BY year, profile_group, dimension) AS share
FROM long_counts
ORDER BY year, "group", dimension, category;
