-- Inner cells of the universe "AT spells started in the window" (panel.at_spells with
-- start_date >= observation_start), the units of marts.purpose_distribution, purpose_coverage,
-- durations and the participants' part of participant_profile. One row per combination of the
-- classifications those tables publish, with the number of spells (n):
--   start_year, start_half_year (e.g. 2022H2), purpose (UKJENT without agreement), has_agreement,
--   status_group, ended (not ongoing at observation_end), interrupted (DELAVB or GJENN_AVB),
--   planned_up_to_3_months (agreements only: agreed_end < agreed_start + 3 months),
--   extended (ended spells with agreement: ended after the agreed end),
--   reached_12_months (YES: lasted at least 12 months; NO: ended before; UNKNOWN: ongoing and
--   not yet that long).
-- The definitions are those of analysis/sql/marts/durations.sql; the protected layer checks
-- every published count against these cells.
SELECT
    CAST(year(s.start_date) AS INTEGER) AS start_year,
    CAST(year(s.start_date) AS VARCHAR) || 'H'
        || CASE WHEN month(s.start_date) <= 6 THEN '1' ELSE '2' END AS start_half_year,
    s.purpose,
    s.has_agreement,
    s.status_group,
    NOT s.is_ongoing AS ended,
    s.participant_status IN ('DELAVB', 'GJENN_AVB') AS interrupted,
    coalesce(s.has_agreement
        AND s.agreed_end < CAST(s.agreed_start + INTERVAL 3 MONTH AS DATE), FALSE)
        AS planned_up_to_3_months,
    coalesce(NOT s.is_ongoing AND s.has_agreement AND s.extended, FALSE) AS extended,
    CASE
        WHEN s.end_date_observed >= CAST(s.start_date + INTERVAL 12 MONTH AS DATE) - 1 THEN 'YES'
        WHEN NOT s.is_ongoing THEN 'NO'
        ELSE 'UNKNOWN'
    END AS reached_12_months,
    count(*) AS n
FROM panel.at_spells AS s, meta.observation_window AS w
WHERE s.start_date >= w.observation_start
GROUP BY ALL
ORDER BY ALL
