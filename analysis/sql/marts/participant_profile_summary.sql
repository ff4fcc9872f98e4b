-- marts.participant_profile_summary: one row per year x group with the headline profile figures
-- (same units as marts.participant_profile: participants = AT spell starts in the year described
-- at start; registered_non_participants = registered person-months not in AT).
CREATE OR REPLACE TABLE marts.participant_profile_summary AS
SELECT
    year,
    CAST(profile_group AS VARCHAR) AS "group",
    CAST(count(*) AS BIGINT) AS n,
    avg(CAST(gender = 2 AS DOUBLE)) AS share_female,
    CAST(avg(age) AS DOUBLE) AS mean_age,
    avg(CAST(age < 30 AS DOUBLE)) AS share_under_30,
    avg(CAST(status_group = 'NEDSATT_ARBEIDSEVNE' AS DOUBLE)) AS share_nedsatt_arbeidsevne,
    avg(CAST(any_benefit AS DOUBLE)) AS share_any_benefit,
    CAST(count(months_employed_12m_before) AS BIGINT) AS n_history_observed,
    CAST(avg(months_employed_12m_before) AS DOUBLE) AS mean_months_employed_12m_before,
    avg(CAST(months_employed_12m_before > 0 AS DOUBLE)) AS share_any_employment_12m_before
FROM marts_profile_units
GROUP BY year, profile_group
ORDER BY year, "group";
