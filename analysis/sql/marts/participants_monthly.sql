-- marts.participants_monthly: persons in Arbeidstrening per calendar month and status group.
-- Participants in a month: persons with an ARBTREN spell that took place and overlaps any day of
-- the month (panel.at_spells, an ongoing spell runs to observation_end). A person is counted once
-- per month: if several spells overlap the month, under the status group of the spell that
-- started last (ties: the larger spell_id). The groups therefore partition the participants and
-- sum to the month's total. Complete grid: every window month x status group, zero where none.
CREATE OR REPLACE TABLE marts.participants_monthly AS
WITH window_bounds AS (
    SELECT min(month_index) AS first_month_index, max(month_index) AS last_month_index
    FROM panel.months
),
status_groups AS (
    SELECT * FROM (VALUES {{status_group_rows}})
        AS t(status_group, sort_order)
),
at_spell_months AS (
    SELECT
        s.person_id,
        s.spell_id,
        s.start_date,
        s.status_group,
        CAST(unnest(range(
            greatest(year(s.start_date) * 12 + month(s.start_date) - 1, w.first_month_index),
            least(year(s.end_date_observed) * 12 + month(s.end_date_observed) - 1,
                  w.last_month_index) + 1
        )) AS INTEGER) AS month_index
    FROM panel.at_spells AS s, window_bounds AS w
),
participant_months AS (
    SELECT person_id, month_index, status_group
    FROM at_spell_months
    QUALIFY row_number() OVER (
        PARTITION BY person_id, month_index ORDER BY start_date DESC, spell_id DESC
    ) = 1
),
participants_by_group AS (
    SELECT month_index, status_group, count(*) AS n_participants
    FROM participant_months
    GROUP BY month_index, status_group
)
SELECT
    m.year_month,
    g.status_group,
    CAST(coalesce(p.n_participants, 0) AS BIGINT) AS n_participants
FROM panel.months AS m
CROSS JOIN status_groups AS g
LEFT JOIN participants_by_group AS p
    ON p.month_index = m.month_index AND p.status_group = g.status_group
ORDER BY m.year_month, g.sort_order;
