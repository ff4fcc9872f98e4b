-- marts.nav_exit_status: NAV's official statistic "avgang fra arbeidsrettede tiltak til arbeid og
-- stønad" ("status etter tiltak") for Arbeidstrening, reproduced from the panel so that readers can
-- reconcile the report with the numbers NAV publishes (nav.no, "Om statistikken - avgang fra
-- arbeidsrettede tiltak til arbeid og stønad", section 4 "Begreper").
--
-- Exit (avgang): a person in Arbeidstrening in reference month m (panel.person_month.in_at) and not
-- in Arbeidstrening in either of the two following months m+1 and m+2. A move to another programme
-- is an exit too, as in NAV's statistic, and a person can exit more than once. Unit: exits.
-- Only exits whose status six months later (month m+6) lies inside the window are counted; later
-- exits are not yet observed and left out (never counted as any status).
--
-- Status group at exit: the person's NAV status in month m (ARBEIDSSOKER or NEDSATT_ARBEIDSEVNE;
-- none -> ANNET). NAV's reclassification rule: a job seeker who had status NEDSATT_ARBEIDSEVNE in
-- any of the five months before m counts as an exit from NEDSATT_ARBEIDSEVNE.
--
-- Status six months after the exit (month m+6), the first that holds (NAV's six classes):
--   I_ARBEID             employed (panel.employed: earnings at or above the panel threshold) and
--                        no NAV benefit
--   ARBEID_OG_YTELSE     employed and receiving a NAV benefit: AAP, dagpenger, tiltakspenger or
--                        uføretrygd (sickness benefit is excluded by NAV's definition and is not
--                        in the extract; social assistance and the qualification benefit are
--                        municipal and not counted)
--   ARBEIDSSOKER         registered at NAV with status ARBEIDSSOKER
--   NEDSATT_ARBEIDSEVNE  registered at NAV with status NEDSATT_ARBEIDSEVNE
--   UFORE                receives uføretrygd (and none of the above)
--   ANNET                none of these: education, self-employment, outside NAV's registers, or
--                        no longer in the register population (death, emigration)
-- Differences from NAV's production: employment is the panel's earnings threshold rather than an
-- active employment relationship in the employer register at the end of the month; NAV's age
-- limits (20-66 years, resident) are not applied.
--
-- exit_year = calendar year of month m as text, 'ALL' = every year; status_group ALL = every group.
-- Complete grid: window years (and ALL) x four status groups (and ALL) x six statuses, n = 0 where
-- none; share = n / n_exits (NULL when the group has no exit).
CREATE OR REPLACE TABLE marts.nav_exit_status AS
WITH bounds AS (
    SELECT min(month_index) AS first_month, max(month_index) AS last_month FROM panel.months
),
at_months AS (
    SELECT
        person_id,
        month_index,
        lead(month_index) OVER (PARTITION BY person_id ORDER BY month_index) AS next_at_month
    FROM panel.person_month
    WHERE in_at
),
exits AS (
    SELECT a.person_id, a.month_index AS exit_month
    FROM at_months AS a, bounds AS w
    WHERE (a.next_at_month IS NULL OR a.next_at_month > a.month_index + 2)
      AND a.month_index + 6 <= w.last_month
),
status_at_exit AS (
    SELECT
        e.person_id,
        e.exit_month,
        any_value(pm.nav_status) FILTER (WHERE pm.month_index = e.exit_month) AS status_now,
        coalesce(bool_or(pm.nav_status = 'NEDSATT_ARBEIDSEVNE')
            FILTER (WHERE pm.month_index < e.exit_month), FALSE) AS nedsatt_before
    FROM exits AS e
    JOIN panel.person_month AS pm
        ON pm.person_id = e.person_id
       AND pm.month_index BETWEEN e.exit_month - 5 AND e.exit_month
    GROUP BY e.person_id, e.exit_month
),
classified AS (
    SELECT
        CAST(s.exit_month // 12 AS VARCHAR) AS exit_year,
        CASE
            WHEN s.status_now = 'ARBEIDSSOKER' AND s.nedsatt_before THEN 'NEDSATT_ARBEIDSEVNE'
            WHEN s.status_now IS NULL THEN {{no_status_group}}
            ELSE CAST(s.status_now AS VARCHAR)
        END AS status_group,
        CASE
            WHEN coalesce(pm.employed, FALSE)
                AND NOT (coalesce(pm.aap, FALSE) OR coalesce(pm.dagpenger, FALSE)
                    OR coalesce(pm.tiltakspenger, FALSE) OR coalesce(pm.uforetrygd, FALSE))
                THEN 'I_ARBEID'
            WHEN coalesce(pm.employed, FALSE) THEN 'ARBEID_OG_YTELSE'
            WHEN pm.nav_status = 'ARBEIDSSOKER' THEN 'ARBEIDSSOKER'
            WHEN pm.nav_status = 'NEDSATT_ARBEIDSEVNE' THEN 'NEDSATT_ARBEIDSEVNE'
            WHEN coalesce(pm.uforetrygd, FALSE) THEN 'UFORE'
            ELSE 'ANNET'
        END AS status
    FROM status_at_exit AS s
    LEFT JOIN panel.person_month AS pm
        ON pm.person_id = s.person_id AND pm.month_index = s.exit_month + 6
),
years AS (
    SELECT DISTINCT CAST(year AS VARCHAR) AS exit_year, year AS sort_order FROM panel.months
    UNION ALL
    SELECT 'ALL', 9999
),
status_groups AS (
    SELECT * FROM (VALUES
        ({{all}}, 0), {{status_group_rows}}
    ) AS t(status_group, sort_order)
),
statuses AS (
    SELECT * FROM (VALUES
        {{nav_exit_status_rows}}
    ) AS t(status, sort_order)
),
counted AS (
    SELECT exit_year, status_group, status FROM classified
    UNION ALL SELECT 'ALL', status_group, status FROM classified
    UNION ALL SELECT exit_year, 'ALL', status FROM classified
    UNION ALL SELECT 'ALL', 'ALL', status FROM classified
),
counts AS (
    SELECT exit_year, status_group, status, count(*) AS n FROM counted GROUP BY ALL
),
grid AS (
    SELECT
        y.exit_year, y.sort_order AS year_order, g.status_group, g.sort_order AS group_order,
        s.status, s.sort_order AS status_order, CAST(coalesce(c.n, 0) AS BIGINT) AS n
    FROM years AS y
    CROSS JOIN status_groups AS g
    CROSS JOIN statuses AS s
    LEFT JOIN counts AS c
        ON c.exit_year = y.exit_year AND c.status_group = g.status_group AND c.status = s.status
)
SELECT
    exit_year,
    status_group,
    status,
    n,
    CAST(sum(n) OVER (PARTITION BY exit_year, status_group) AS BIGINT) AS n_exits,
    n / nullif(sum(n) OVER (PARTITION BY exit_year, status_group), 0) AS share
FROM grid
ORDER BY year_order, group_order, status_order;
