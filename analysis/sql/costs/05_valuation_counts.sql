-- costs_valuation_counts (temporary): for the valuation of the effects, person-months of the
-- treated (persons whose first took-place Arbeidstrening spell starts in the observation window,
-- with a status group at start in $status_groups)
-- in event months 0..$horizon-1 inside the window, by subgroup of the first spell and calendar
-- year: all months, employed months and their earnings, months with any benefit, and months with
-- each benefit (a month may carry several).
CREATE OR REPLACE TEMP TABLE costs_valuation_counts AS
WITH treated AS (
    SELECT s.person_id, s.purpose, s.status_group
    FROM panel.at_spells AS s, meta.observation_window AS w
    WHERE s.spell_seq = 1 AND s.start_date >= w.observation_start
      AND list_contains($status_groups, s.status_group)
),
months AS (
    SELECT
        t.purpose,
        t.status_group,
        pm.year_month // 100 AS year,
        pm.employed,
        pm.earnings_nok,
        pm.any_benefit,
        pm.aap,
        pm.dagpenger,
        pm.tiltakspenger,
        pm.sosialhjelp,
        pm.uforetrygd,
        pm.kvp
    FROM treated AS t
    JOIN panel.person_month AS pm ON pm.person_id = t.person_id
    WHERE pm.months_since_at_start BETWEEN 0 AND $horizon - 1
),
grouped AS (
    SELECT 'ALL' AS subgroup, * EXCLUDE (purpose, status_group) FROM months
    UNION ALL
    SELECT 'purpose=' || purpose, * EXCLUDE (purpose, status_group) FROM months
    UNION ALL
    SELECT 'status_group=' || status_group, * EXCLUDE (purpose, status_group) FROM months
)
SELECT
    subgroup,
    year,
    count(*) AS n_months,
    count(*) FILTER (WHERE employed) AS n_employed,
    coalesce(sum(earnings_nok) FILTER (WHERE employed), 0) AS earnings_employed,
    count(*) FILTER (WHERE any_benefit) AS n_benefit,
    count(*) FILTER (WHERE aap) AS n_aap,
    count(*) FILTER (WHERE dagpenger) AS n_dagpenger,
    count(*) FILTER (WHERE tiltakspenger) AS n_tiltakspenger,
    count(*) FILTER (WHERE sosialhjelp) AS n_sosialhjelp,
    count(*) FILTER (WHERE uforetrygd) AS n_uforetrygd,
    count(*) FILTER (WHERE kvp) AS n_kvp
FROM grouped
GROUP BY ALL
ORDER BY ALL
