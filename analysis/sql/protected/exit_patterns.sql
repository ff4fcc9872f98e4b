-- The spine of the universe "ended AT spells": every ended spell (marts.exit_outcomes) by
-- purpose, status group and the horizons k at which it is observed (not censored), as a pattern
-- such as '1,3,6' ('' = censored at every horizon), with the number of spells (n). A spell
-- observed at k counts in every table at horizon k, so the tables of different horizons share
-- these cells: subtracting two horizons' totals gives the spells of a band of exit months.
WITH spell_patterns AS (
    SELECT
        purpose,
        status_group,
        coalesce(string_agg(CAST(months_after_exit AS VARCHAR), ',' ORDER BY months_after_exit)
            FILTER (WHERE NOT is_censored), '') AS pattern
    FROM marts.exit_outcomes
    GROUP BY spell_id, purpose, status_group
)
SELECT purpose, status_group, pattern, count(*) AS n
FROM spell_patterns
GROUP BY ALL
ORDER BY ALL
