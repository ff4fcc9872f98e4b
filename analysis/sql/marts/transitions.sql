-- marts.transitions (by purpose) and marts.transitions_by_status_group (by the status group of the
-- spell): state k = 1, 3, 6, 12, 24 months after exit from Arbeidstrening. One file, two tables:
-- the grouping is a parameter ({{table}}, {{group}} = purpose | status_group, {{group_rows}} = the
-- group's codes in display order).
-- Unit: ended AT spells that took place (all spells, not only each person's first; a person with
-- two ended spells contributes two). State = panel.person_month.state in exit month + k (first
-- that holds: IN_ARBEIDSTRENING, WAGE_SUBSIDY, OTHER_PROGRAMME, EMPLOYED, EDUCATION, UFORETRYGD,
-- AAP, JOBSEEKER, NONE). Spells whose exit month + k lies past the observation end are censored
-- for that k: excluded from numerator and denominator (marts.exit_outcomes.is_censored).
-- share = n / spells observed at (group, k). Group ALL = every spell (incl. purpose UKJENT and
-- status group ANNET). Complete grid of groups x horizons x states (n = 0 where none; share NULL
-- if no spell).
CREATE OR REPLACE TABLE {{table}} AS
WITH grouping AS (
    SELECT * FROM (VALUES
        ({{all}}, 0), {{group_rows}}
    ) AS t({{group}}, sort_order)
),
horizons AS (
    SELECT CAST(unnest([{{horizons}}]) AS INTEGER) AS months_after_exit
),
states AS (
    SELECT * FROM (VALUES
        {{exit_state_rows}}
    ) AS t(state, sort_order)
),
observed_exits AS (
    SELECT {{group}}, months_after_exit, state FROM marts.exit_outcomes WHERE NOT is_censored
    UNION ALL
    SELECT {{all}}, months_after_exit, state FROM marts.exit_outcomes WHERE NOT is_censored
),
state_counts AS (
    SELECT {{group}}, months_after_exit, state, count(*) AS n
    FROM observed_exits
    GROUP BY {{group}}, months_after_exit, state
),
grid AS (
    SELECT
        g.{{group}}, g.sort_order AS group_order, h.months_after_exit, s.state,
        s.sort_order AS state_order, CAST(coalesce(c.n, 0) AS BIGINT) AS n
    FROM grouping AS g
    CROSS JOIN horizons AS h
    CROSS JOIN states AS s
    LEFT JOIN state_counts AS c
        ON c.{{group}} = g.{{group}} AND c.months_after_exit = h.months_after_exit
       AND c.state = s.state
)
SELECT
    {{group}},
    months_after_exit,
    state,
    n,
    n / nullif(sum(n) OVER (PARTITION BY {{group}}, months_after_exit), 0) AS share
FROM grid
ORDER BY group_order, months_after_exit, state_order;
