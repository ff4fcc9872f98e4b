-- panel.months: the calendar months of the observation window.
-- A month belongs to the window when it overlaps [observation_start, observation_end] by at least
-- one day, so a window ending mid-month still includes that (partly observed) month.
-- month_index = year * 12 + month - 1 makes month arithmetic plain integer arithmetic.
CREATE OR REPLACE TABLE panel.months AS
WITH observation_window AS (
    SELECT
        observation_start,
        observation_end,
        year(observation_start) * 12 + month(observation_start) - 1 AS first_month_index,
        year(observation_end) * 12 + month(observation_end) - 1 AS last_month_index
    FROM meta.observation_window
),
window_month_indexes AS (
    SELECT CAST(r.range AS INTEGER) AS month_index
    FROM observation_window AS w,
        range(w.first_month_index, w.last_month_index + 1) AS r
)
SELECT
    CAST((month_index // 12) * 100 + month_index % 12 + 1 AS INTEGER) AS year_month,
    month_index,
    CAST(month_index // 12 AS INTEGER) AS year,
    CAST(month_index % 12 + 1 AS INTEGER) AS month,
    make_date(CAST(month_index // 12 AS INTEGER), CAST(month_index % 12 + 1 AS INTEGER), 1) AS month_start,
    CAST(
        make_date(CAST(month_index // 12 AS INTEGER), CAST(month_index % 12 + 1 AS INTEGER), 1)
        + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE
    ) AS month_end
FROM window_month_indexes
ORDER BY month_index;
