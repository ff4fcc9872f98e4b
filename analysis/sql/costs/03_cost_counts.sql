-- costs_counts (temporary): month counts of the cost base by subgroup (ALL, purpose=...,
-- status_group=...), kind of month, event month and calendar year. Python multiplies them by the
-- rates of analysis/costs/parameters.toml. costs_base_n: persons in the cost base per subgroup.
CREATE OR REPLACE TEMP TABLE costs_counts AS
WITH long AS (
    SELECT purpose, status_group, year, event_month, month_kind
    FROM costs_spell_months
    UNPIVOT (flag FOR month_kind IN (
        programme_month, mentor, inklutils, aap, dagpenger, tiltakspenger, sosialhjelp, uforetrygd, kvp
    ))
    WHERE flag
),
grouped AS (
    SELECT 'ALL' AS subgroup, year, event_month, month_kind FROM long
    UNION ALL
    SELECT 'purpose=' || purpose, year, event_month, month_kind FROM long
    UNION ALL
    SELECT 'status_group=' || status_group, year, event_month, month_kind FROM long
)
SELECT subgroup, month_kind, event_month, year, count(*) AS n_months
FROM grouped
GROUP BY ALL
ORDER BY ALL
