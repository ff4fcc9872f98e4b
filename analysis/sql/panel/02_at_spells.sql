-- panel.at_spells: one row per Arbeidstrening (ARBTREN) spell that took place and started on or
-- before the observation end, with its status group, governing agreement, purpose and durations.
CREATE OR REPLACE TABLE panel.at_spells AS
WITH observation_window AS (
    SELECT observation_start, observation_end FROM meta.observation_window
),
-- Spells that took place: Arena participant status GJENN, FULLF, DELAVB or GJENN_AVB. The other
-- codes (IKKEM, GJENN_AVL ended before participation; waiting, not relevant, error) are ignored.
took_place_at_spells AS (
    SELECT
        s.spell_id,
        s.person_id,
        s.employer_org,
        s.start_date,
        s.end_date,
        least(coalesce(s.end_date, w.observation_end), w.observation_end) AS end_date_observed,
        (s.end_date IS NULL OR s.end_date > w.observation_end) AS is_ongoing,
        s.participant_status,
        s.part_time_pct
    FROM staging.programme_spells AS s, observation_window AS w
    WHERE s.programme_code = {{at_code}}
      AND s.participant_status IN ({{took_place}})
      AND s.start_date <= w.observation_end
),
-- Status group: the NAV status spell covering the spell's start date (an ongoing status spell runs
-- to the observation end). If two cover the day, the one that started last wins; on equal start
-- dates NEDSATT_ARBEIDSEVNE wins over ARBEIDSSOKER. No covering status spell -> ANNET.
status_on_start_date AS (
    SELECT
        s.spell_id,
        arg_max(
            {'status': n.status, 'innsatsgruppe': n.innsatsgruppe},
            date_diff('day', DATE '1900-01-01', n.start_date) * 2
                + CAST(n.status = 'NEDSATT_ARBEIDSEVNE' AS INTEGER)
        ) AS chosen
    FROM took_place_at_spells AS s
    JOIN staging.nav_status_spells AS n
        ON n.person_id = s.person_id
       AND n.start_date <= s.start_date
       AND coalesce(n.end_date, DATE '9999-12-31') >= s.start_date
    GROUP BY s.spell_id
),
-- Governing agreement: the spell's first agreement that was not annulled (ANNULLERT), by
-- agreed_start then agreement_id.
governing_agreement AS (
    SELECT a.spell_id, a.agreement_id, a.agreed_start, a.agreed_end
    FROM staging.at_agreements AS a
    WHERE a.status <> 'ANNULLERT'
    QUALIFY row_number() OVER (PARTITION BY a.spell_id ORDER BY a.agreed_start, a.agreement_id) = 1
),
-- Purposes of the governing agreement: the rank-1 purpose is the spell's purpose; n_purposes
-- counts the distinct purposes the agreement lists.
agreement_purposes AS (
    SELECT
        p.agreement_id,
        max(p.purpose) FILTER (WHERE p."rank" = 1) AS main_purpose,
        count(DISTINCT p.purpose) AS n_purposes
    FROM staging.at_agreement_purposes AS p
    WHERE p.agreement_id IN (SELECT agreement_id FROM governing_agreement)
    GROUP BY p.agreement_id
),
-- The person's order of took-place AT spells (1 = first), by start_date then spell_id.
spell_sequence AS (
    SELECT
        spell_id,
        row_number() OVER (PARTITION BY person_id ORDER BY start_date, spell_id) AS spell_seq
    FROM took_place_at_spells
)
SELECT
    s.spell_id,
    s.person_id,
    s.employer_org,
    s.start_date,
    s.end_date,
    s.end_date_observed,
    s.is_ongoing,
    CAST(year(s.start_date) * 100 + month(s.start_date) AS INTEGER) AS start_ym,
    CASE WHEN NOT s.is_ongoing
        THEN CAST(year(s.end_date) * 100 + month(s.end_date) AS INTEGER) END AS exit_ym,
    s.participant_status,
    s.part_time_pct,
    coalesce(st.chosen.status, {{no_status_group}}) AS status_group,
    st.chosen.innsatsgruppe AS innsatsgruppe_at_start,
    g.agreement_id,
    g.agreement_id IS NOT NULL AS has_agreement,
    coalesce(ap.main_purpose, {{unknown_purpose}}) AS purpose,
    CAST(coalesce(ap.n_purposes, 0) AS INTEGER) AS n_purposes,
    g.agreed_start,
    g.agreed_end,
    CAST(date_diff('day', g.agreed_start, g.agreed_end) + 1 AS INTEGER) AS planned_days,
    CAST(date_diff('day', s.start_date, s.end_date_observed) + 1 AS INTEGER) AS actual_days,
    CASE
        WHEN g.agreement_id IS NULL THEN NULL
        WHEN s.is_ongoing THEN FALSE
        ELSE s.end_date > g.agreed_end
    END AS extended,
    CAST(q.spell_seq AS INTEGER) AS spell_seq,
    CAST(floor(
        ((year(s.start_date) * 12 + month(s.start_date) - 1)
         - ((pe.birth_ym // 100) * 12 + pe.birth_ym % 100 - 1)) / 12
    ) AS INTEGER) AS age_at_start
FROM took_place_at_spells AS s
JOIN staging.persons AS pe ON pe.person_id = s.person_id
JOIN spell_sequence AS q ON q.spell_id = s.spell_id
LEFT JOIN status_on_start_date AS st ON st.spell_id = s.spell_id
LEFT JOIN governing_agreement AS g ON g.spell_id = s.spell_id
LEFT JOIN agreement_purposes AS ap ON ap.agreement_id = g.agreement_id
ORDER BY s.person_id, s.start_date, s.spell_id;
