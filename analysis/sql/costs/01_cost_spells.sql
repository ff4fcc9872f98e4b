-- costs_spells (temporary): the cost base, one row per person = the person's first Arbeidstrening
-- spell that took place (panel.at_spells.spell_seq = 1), started in the observation window and
-- started at least $min_followup months (start month included) before the window's last month,
-- so that spells of the maximum length are seen to their end. $all_spells = TRUE drops the
-- follow-up condition (used when no spell meets it). $status_groups: the status groups (at the
-- spell's start) in the cost base (method.cost_base_status_groups).
CREATE OR REPLACE TEMP TABLE costs_spells AS
WITH w AS (
    SELECT
        observation_start,
        observation_end,
        year(observation_end) * 12 + month(observation_end) - 1 AS end_month_index
    FROM meta.observation_window
)
SELECT
    s.spell_id,
    s.person_id,
    s.purpose,
    s.status_group,
    s.start_date,
    s.end_date_observed,
    s.is_ongoing,
    year(s.start_date) * 12 + month(s.start_date) - 1 AS start_month_index,
    year(s.end_date_observed) * 12 + month(s.end_date_observed) - 1 AS end_month_index
FROM panel.at_spells AS s, w
WHERE s.spell_seq = 1
  AND s.start_date >= w.observation_start
  AND list_contains($status_groups, s.status_group)
  AND ($all_spells OR w.end_month_index - (year(s.start_date) * 12 + month(s.start_date) - 1) + 1 >= $min_followup)
