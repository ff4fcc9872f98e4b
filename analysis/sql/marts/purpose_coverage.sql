-- marts.purpose_coverage: how many AT spells (started in the window, by year of start) have a
-- governing digital agreement (the first non-annulled agreement), i.e. how far purpose is known.
-- coverage = n_with_agreement / n_spells (NULL when no spells). An agreement without a rank-1
-- purpose counts as an agreement here but has purpose UKJENT in marts.purpose_distribution.
CREATE OR REPLACE TABLE marts.purpose_coverage AS
WITH observation_window AS (
    SELECT observation_start FROM meta.observation_window
),
window_years AS (
    SELECT DISTINCT year FROM panel.months
),
spells_started_in_window AS (
    SELECT CAST(year(s.start_date) AS INTEGER) AS year, s.has_agreement
    FROM panel.at_spells AS s, observation_window AS w
    WHERE s.start_date >= w.observation_start
),
coverage_by_year AS (
    SELECT year, count(*) AS n_spells, count(*) FILTER (WHERE has_agreement) AS n_with_agreement
    FROM spells_started_in_window
    GROUP BY year
)
SELECT
    y.year,
    CAST(coalesce(c.n_spells, 0) AS BIGINT) AS n_spells,
    CAST(coalesce(c.n_with_agreement, 0) AS BIGINT) AS n_with_agreement,
    c.n_with_agreement / nullif(c.n_spells, 0) AS coverage
FROM window_years AS y
LEFT JOIN coverage_by_year AS c ON c.year = y.year
ORDER BY y.year;
