-- costs_base_n (temporary): persons in the cost base per subgroup, and how many of their first
-- spells were still ongoing at observation_end (counted up to that day).
CREATE OR REPLACE TEMP TABLE costs_base_n AS
SELECT subgroup, count(*) AS n_participants, count(*) FILTER (WHERE is_ongoing) AS n_ongoing
FROM (
    SELECT 'ALL' AS subgroup, is_ongoing FROM costs_spells
    UNION ALL
    SELECT 'purpose=' || purpose, is_ongoing FROM costs_spells
    UNION ALL
    SELECT 'status_group=' || status_group, is_ongoing FROM costs_spells
)
GROUP BY subgroup
ORDER BY subgroup
