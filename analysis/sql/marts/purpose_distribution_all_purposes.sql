-- marts.purpose_distribution_all_purposes: every purpose registered on the governing agreements,
-- at any rank (an agreement may list several). Unit: governing agreements (one per AT spell) of
-- spells that started in the window, by year of spell start. n_agreements = agreements listing the
-- purpose; n_agreements_total = agreements listing at least one purpose; share = n_agreements /
-- n_agreements_total (shares sum to more than 1 when agreements list several purposes).
CREATE OR REPLACE TABLE marts.purpose_distribution_all_purposes AS
WITH observation_window AS (
    SELECT observation_start FROM meta.observation_window
),
window_years AS (
    SELECT DISTINCT year FROM panel.months
),
purposes AS (
    SELECT * FROM (VALUES
        {{purpose_rows}}
    ) AS t(purpose, sort_order)
),
governing_agreements AS (
    SELECT CAST(year(s.start_date) AS INTEGER) AS year, s.agreement_id
    FROM panel.at_spells AS s, observation_window AS w
    WHERE s.start_date >= w.observation_start AND s.agreement_id IS NOT NULL
),
purposes_mentioned AS (
    SELECT DISTINCT g.year, g.agreement_id, p.purpose
    FROM governing_agreements AS g
    JOIN staging.at_agreement_purposes AS p ON p.agreement_id = g.agreement_id
),
agreements_by_purpose AS (
    SELECT year, purpose, count(*) AS n_agreements
    FROM purposes_mentioned
    GROUP BY year, purpose
),
agreements_with_purpose AS (
    SELECT year, count(DISTINCT agreement_id) AS n_agreements_total
    FROM purposes_mentioned
    GROUP BY year
)
SELECT
    y.year,
    p.purpose,
    CAST(coalesce(a.n_agreements, 0) AS BIGINT) AS n_agreements,
    CAST(coalesce(t.n_agreements_total, 0) AS BIGINT) AS n_agreements_total,
    coalesce(a.n_agreements, 0) / nullif(t.n_agreements_total, 0) AS share
FROM window_years AS y
CROSS JOIN purposes AS p
LEFT JOIN agreements_by_purpose AS a ON a.year = y.year AND a.purpose = p.purpose
LEFT JOIN agreements_with_purpose AS t ON t.year = y.year
ORDER BY y.year, p.sort_order;
