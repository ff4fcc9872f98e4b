-- costs_spell_months (temporary): one row per cost-base spell and calendar month it overlaps
-- (start month .. month of end_date_observed; a spell counts in a month if it overlaps any day
-- of it), with the event month (0 = start month), the calendar year, the benefit flags of
-- panel.person_month in that month and whether a mentor grant (MENTOR) or an inclusion grant
-- (INKLUTILS) that took place overlaps the month WHILE the spell runs (the grant spell is
-- intersected with the Arbeidstrening spell; an ongoing grant runs to observation_end).
CREATE OR REPLACE TEMP TABLE costs_spell_months AS
WITH grant_spells AS (
    SELECT
        c.spell_id,
        g.programme_code,
        greatest(g.start_date, c.start_date) AS from_date,
        least(coalesce(g.end_date, w.observation_end), w.observation_end, c.end_date_observed) AS to_date
    FROM costs_spells AS c
    JOIN staging.programme_spells AS g ON g.person_id = c.person_id
    CROSS JOIN meta.observation_window AS w
    WHERE g.programme_code IN ('MENTOR', 'INKLUTILS')
      AND g.participant_status IN ('GJENN', 'FULLF', 'DELAVB', 'GJENN_AVB')
),
grant_months AS (
    SELECT
        gs.spell_id,
        m.month_index,
        bool_or(gs.programme_code = 'MENTOR') AS mentor,
        bool_or(gs.programme_code = 'INKLUTILS') AS inklutils
    FROM grant_spells AS gs
    JOIN panel.months AS m ON m.month_start <= gs.to_date AND m.month_end >= gs.from_date
    WHERE gs.from_date <= gs.to_date
    GROUP BY gs.spell_id, m.month_index
)
SELECT
    c.spell_id,
    c.purpose,
    c.status_group,
    m.year,
    m.month_index - c.start_month_index AS event_month,
    TRUE AS programme_month,
    coalesce(gm.mentor, FALSE) AS mentor,
    coalesce(gm.inklutils, FALSE) AS inklutils,
    pm.aap,
    pm.dagpenger,
    pm.tiltakspenger,
    pm.sosialhjelp,
    pm.uforetrygd,
    pm.kvp
FROM costs_spells AS c
JOIN panel.months AS m ON m.month_index BETWEEN c.start_month_index AND c.end_month_index
LEFT JOIN panel.person_month AS pm ON pm.person_id = c.person_id AND pm.month_index = m.month_index
LEFT JOIN grant_months AS gm ON gm.spell_id = c.spell_id AND gm.month_index = m.month_index
