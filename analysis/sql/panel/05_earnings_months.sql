-- Working table: earnings per (pid, month) in the window, summed over employers
-- (A-ordningen reports one row per person x month x employer).
CREATE OR REPLACE TEMP TABLE panel_earnings_months AS
WITH window_months AS (
    SELECT year_month, month_index FROM panel.months
)
SELECT
    p.pid,
    w.month_index,
    CAST(sum(e.earnings_nok) AS BIGINT) AS earnings_nok,
    CAST(count(*) AS INTEGER) AS n_employers
FROM staging.employment_months AS e
JOIN window_months AS w ON w.year_month = e.year_month
JOIN panel_person_index AS p ON p.person_id = e.person_id
GROUP BY p.pid, w.month_index;
