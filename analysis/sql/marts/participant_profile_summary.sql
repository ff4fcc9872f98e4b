-- marts.participant_profile_summary: one row per year x group with the headline profile figures.
-- The two groups are described in different units (participants: AT spell starts in the year,
-- described at start; registered_non_participants: registered person-months not in AT), so each
-- unit has its own count column (0 in the other group's rows, which describe none of that unit).
-- Shares and means are over the row's units.
CREATE OR REPLACE TABLE marts.participant_profile_summary AS
SELECT
    year,
    CAST(profile_group AS VARCHAR) AS "group",
    CAST(count(*) FILTER (WHERE profile_group = 'participants') AS BIGINT) AS n_spell_starts,
    CAST(count(*) FILTER (WHERE profile_group = 'registered_non_participants') AS BIGINT)
        AS n_person_months,
    avg(CAST(gender = 2 AS DOUBLE)) AS share_female,
    CAST(avg(age) AS DOUBLE) AS mean_age,
    avg(CAST(age < 30 AS DOUBLE)) AS share_under_30,
    avg(CAST(status_group = 'NEDSATT_ARBEIDSEVNE' AS DOUBLE)) AS share_nedsatt_arbeidsevne,
    avg(CAST(any_benefit AS DOUBLE)) AS share_any_benefit,
    avg(CAST(months_employed_12m_before IS NOT NULL AS DOUBLE)) AS share_history_observed,
    CAST(avg(months_employed_12m_before) AS DOUBLE) AS mean_months_employed_12m_before,
    avg(CAST(months_employed_12m_before > 0 AS DOUBLE)) AS share_any_employment_12m_before
FROM marts_profile_units
GROUP BY year, profile_group
ORDER BY year, "group";
