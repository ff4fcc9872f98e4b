-- marts.same_employer: jobs and wage subsidies at the AT employer k = 1, 3, 6, 12, 24 months
-- after exit, by purpose (ALL = every purpose incl. UKJENT). Unit: ended AT spells (all spells)
-- observed at exit month + k (censored spells - exit month + k past the observation end - are
-- not in n_spells). Employed at the AT employer: an employment_months row at the spell's
-- employer_org in the month while employed (total earnings over all employers >= the panel
-- threshold). Wage subsidy at the AT employer: a took-place MIDLONTIL/VARLONTIL spell at that
-- employer_org overlapping the month. Employed at any employer is given for comparison.
CREATE OR REPLACE TABLE marts.same_employer AS
WITH purposes AS (
    SELECT * FROM (VALUES
        ({{all}}, 0), {{purpose_rows_with_unknown}}
    ) AS t(purpose, sort_order)
),
horizons AS (
    SELECT CAST(unnest([{{horizons}}]) AS INTEGER) AS months_after_exit
),
observed_exits AS (
    SELECT purpose, months_after_exit, employed, employed_at_at_employer,
        wage_subsidy_at_at_employer, same_employer
    FROM marts.exit_outcomes WHERE NOT is_censored
    UNION ALL
    SELECT 'ALL', months_after_exit, employed, employed_at_at_employer,
        wage_subsidy_at_at_employer, same_employer
    FROM marts.exit_outcomes WHERE NOT is_censored
),
counts AS (
    SELECT
        purpose,
        months_after_exit,
        count(*) AS n_spells,
        count(*) FILTER (WHERE employed_at_at_employer) AS n_employed_same_employer,
        count(*) FILTER (WHERE wage_subsidy_at_at_employer) AS n_wage_subsidy_same_employer,
        count(*) FILTER (WHERE same_employer) AS n_employed_or_wage_subsidy_same_employer,
        count(*) FILTER (WHERE employed) AS n_employed_any_employer
    FROM observed_exits
    GROUP BY purpose, months_after_exit
)
SELECT
    p.purpose,
    h.months_after_exit,
    CAST(coalesce(c.n_spells, 0) AS BIGINT) AS n_spells,
    CAST(coalesce(c.n_employed_same_employer, 0) AS BIGINT) AS n_employed_same_employer,
    CAST(coalesce(c.n_wage_subsidy_same_employer, 0) AS BIGINT) AS n_wage_subsidy_same_employer,
    CAST(coalesce(c.n_employed_or_wage_subsidy_same_employer, 0) AS BIGINT)
        AS n_employed_or_wage_subsidy_same_employer,
    CAST(coalesce(c.n_employed_any_employer, 0) AS BIGINT) AS n_employed_any_employer,
    c.n_employed_same_employer / nullif(c.n_spells, 0) AS share_employed_same_employer,
    c.n_wage_subsidy_same_employer / nullif(c.n_spells, 0) AS share_wage_subsidy_same_employer,
    c.n_employed_or_wage_subsidy_same_employer / nullif(c.n_spells, 0)
        AS share_employed_or_wage_subsidy_same_employer,
    c.n_employed_any_employer / nullif(c.n_spells, 0) AS share_employed_any_employer
FROM purposes AS p
CROSS JOIN horizons AS h
LEFT JOIN counts AS c ON c.purpose = p.purpose AND c.months_after_exit = h.months_after_exit
ORDER BY p.sort_order, h.months_after_exit;
