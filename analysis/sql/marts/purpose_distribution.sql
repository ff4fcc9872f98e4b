-- marts.purpose_distribution: AT spells by year of start and purpose (rank-1 purpose of the
-- governing, non-annulled agreement; no agreement -> UKJENT). Spells: panel.at_spells that started
-- inside the observation window (earlier start years are only partly covered by an extract).
-- share = n_spells / spells with a known purpose in the year; the UKJENT row is included with
-- share NULL (see marts.purpose_coverage). Complete grid: window years x the six purposes + UKJENT.
CREATE OR REPLACE TABLE marts.purpose_distribution AS
WITH observation_window AS (
    SELECT observation_start FROM meta.observation_window
),
window_years AS (
    SELECT DISTINCT year FROM panel.months
),
purposes AS (
    SELECT * FROM (VALUES
        {{purpose_rows_with_unknown}}
    ) AS t(purpose, sort_order)
),
spells_started_in_window AS (
    SELECT CAST(year(s.start_date) AS INTEGER) AS year, s.purpose
    FROM panel.at_spells AS s, observation_window AS w
    WHERE s.start_date >= w.observation_start
),
spells_by_purpose AS (
    SELECT year, purpose, count(*) AS n_spells
    FROM spells_started_in_window
    GROUP BY year, purpose
),
grid AS (
    SELECT
        y.year,
        p.purpose,
        p.sort_order,
        CAST(coalesce(c.n_spells, 0) AS BIGINT) AS n_spells
    FROM window_years AS y
    CROSS JOIN purposes AS p
    LEFT JOIN spells_by_purpose AS c ON c.year = y.year AND c.purpose = p.purpose
)
SELECT
    year,
    purpose,
    n_spells,
    CASE WHEN purpose <> {{unknown_purpose}} THEN
        n_spells / nullif(sum(n_spells) FILTER (WHERE purpose <> {{unknown_purpose}}) OVER (PARTITION BY year), 0)
    END AS share
FROM grid
ORDER BY year, sort_order;
