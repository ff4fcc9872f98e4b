-- marts.participants_annual: monthly average number of participants per calendar year and status
-- group, from marts.participants_monthly; ALL = all status groups together. The average is taken
-- over the window months of the year (n_months; a year only partly inside the window is averaged
-- over its observed months).
CREATE OR REPLACE TABLE marts.participants_annual AS
WITH monthly AS (
    SELECT CAST(year_month // 100 AS INTEGER) AS year, year_month, status_group, n_participants
    FROM marts.participants_monthly
),
monthly_with_all AS (
    SELECT year, year_month, status_group, n_participants FROM monthly
    UNION ALL
    SELECT year, year_month, 'ALL', sum(n_participants) FROM monthly GROUP BY year, year_month
)
SELECT
    year,
    status_group,
    CAST(count(*) AS INTEGER) AS n_months,
    CAST(avg(n_participants) AS DOUBLE) AS avg_monthly_participants
FROM monthly_with_all
GROUP BY year, status_group
ORDER BY year,
    list_position([{{all}}, {{status_groups}}], status_group);
