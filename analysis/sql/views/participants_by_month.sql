-- start_here.participants_by_month: persons in Arbeidstrening each month by status group at the
-- start of their spell, as in marts.participants_monthly (the report's Figur 1): a person is
-- counted once a month, under the status group of the spell that started last.
CREATE OR REPLACE VIEW start_here.participants_by_month AS
SELECT
    year_month,
    make_date(CAST(year_month // 100 AS INTEGER), CAST(year_month % 100 AS INTEGER), 1) AS month,
    status_group AS status_group_at_start,
    n_participants,
    CAST(sum(n_participants) OVER (PARTITION BY year_month) AS BIGINT) AS n_participants_month,
    n_participants / nullif(sum(n_participants) OVER (PARTITION BY year_month), 0)
        AS share_of_month
FROM marts.participants_monthly
ORDER BY
    year_month,
    CASE status_group WHEN 'ARBEIDSSOKER' THEN 1 WHEN 'NEDSATT_ARBEIDSEVNE' THEN 2 ELSE 3 END;

COMMENT ON VIEW start_here.participants_by_month IS
'How many persons are in Arbeidstrening each month, by status group at the start of their spell? One row per month and status group (every window month, zeros included); the groups of a month sum to its total. Same numbers as marts.participants_monthly and the report''s Figur 1. Unit: persons.';
COMMENT ON COLUMN start_here.participants_by_month.year_month IS
'calendar month, YYYYMM';
COMMENT ON COLUMN start_here.participants_by_month.month IS
'the same month as a date (its first day)';
COMMENT ON COLUMN start_here.participants_by_month.status_group_at_start IS
'NAV status group on the start date of the spell the person is in (ARBEIDSSOKER, NEDSATT_ARBEIDSEVNE, ANNET = neither); with several spells in the month, the one that started last';
COMMENT ON COLUMN start_here.participants_by_month.n_participants IS
'persons in Arbeidstrening in the month with this status group at start (a spell that took place and overlaps any day of the month)';
COMMENT ON COLUMN start_here.participants_by_month.n_participants_month IS
'persons in Arbeidstrening in the month, all status groups';
COMMENT ON COLUMN start_here.participants_by_month.share_of_month IS
'n_participants / n_participants_month (NULL in a month without participants)';
