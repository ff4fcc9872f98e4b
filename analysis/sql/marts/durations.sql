-- marts.durations: planned and actual length of AT spells, extensions, interruptions and the
-- 12- and 18-month caps, by dimension: ALL, purpose, status_group, start_year, start_half_year
-- (e.g. 2022H2) and start_quarter (e.g. 2022Q3; the autumn-2022 stop in wage subsidies, with AT
-- spells extended instead, shows in the later start cohorts).
-- Unit: took-place AT spells (panel.at_spells) that started inside the window.
--   planned: agreed_end - agreed_start + 1 of the governing agreement (spells with agreement);
--     planned_up_to_3_months = agreed_end < agreed_start + 3 calendar months.
--   actual: end_date - start_date + 1 for ended spells only (ongoing spells are censored; recent
--     cohorts' means are therefore biased towards short spells - see n_ongoing).
--   extended: ended after the agreed end (end_date > agreed_end), among ended spells with agreement.
--   interrupted: participant_status DELAVB or GJENN_AVB, among took-place spells.
--   IKKEM: ARBTREN spells registered as IKKEM (did not show up; did not take place, so not in
--     panel.at_spells) starting in the window, counted from staging with the same status-group and
--     purpose rules; share_ikkem = n_ikkem / (n_spells + n_ikkem).
--   cap reached: the spell lasted at least 12 (18) calendar months, i.e. end_date_observed >=
--     start_date + 12 (18) months - 1 day; known when reached or ended (ongoing spells not yet that
--     long are censored and left out of n_known_*).
CREATE OR REPLACE TABLE marts.durations AS
WITH observation_window AS (
    SELECT observation_start, observation_end FROM meta.observation_window
),
spells_started_in_window AS (
    SELECT
        s.*,
        s.agreed_end < CAST(s.agreed_start + INTERVAL 3 MONTH AS DATE) AS planned_up_to_3_months,
        s.end_date_observed >= CAST(s.start_date + INTERVAL 12 MONTH AS DATE) - 1 AS reached_12,
        s.end_date_observed >= CAST(s.start_date + INTERVAL 18 MONTH AS DATE) - 1 AS reached_18
    FROM panel.at_spells AS s, observation_window AS w
    WHERE s.start_date >= w.observation_start
),
-- IKKEM spells: the same status-group and purpose rules as panel.at_spells.
ikkem_spells AS (
    SELECT p.spell_id, p.person_id, p.start_date
    FROM staging.programme_spells AS p, observation_window AS w
    WHERE p.programme_code = {{at_code}} AND p.participant_status = 'IKKEM'
      AND p.start_date BETWEEN w.observation_start AND w.observation_end
),
ikkem_status_on_start_date AS (
    SELECT
        i.spell_id,
        arg_max(n.status, date_diff('day', DATE '1900-01-01', n.start_date) * 2
            + CAST(n.status = 'NEDSATT_ARBEIDSEVNE' AS INTEGER)) AS status_group
    FROM ikkem_spells AS i
    JOIN staging.nav_status_spells AS n
        ON n.person_id = i.person_id
       AND n.start_date <= i.start_date
       AND coalesce(n.end_date, DATE '9999-12-31') >= i.start_date
    GROUP BY i.spell_id
),
ikkem_purpose AS (
    SELECT a.spell_id, p.purpose
    FROM staging.at_agreements AS a
    LEFT JOIN staging.at_agreement_purposes AS p
        ON p.agreement_id = a.agreement_id AND p."rank" = 1
    WHERE a.status <> 'ANNULLERT' AND a.spell_id IN (SELECT spell_id FROM ikkem_spells)
    QUALIFY row_number() OVER (PARTITION BY a.spell_id ORDER BY a.agreed_start, a.agreement_id) = 1
),
ikkem_classified AS (
    SELECT
        i.start_date,
        coalesce(s.status_group, {{no_status_group}}) AS status_group,
        coalesce(p.purpose, {{unknown_purpose}}) AS purpose
    FROM ikkem_spells AS i
    LEFT JOIN ikkem_status_on_start_date AS s ON s.spell_id = i.spell_id
    LEFT JOIN ikkem_purpose AS p ON p.spell_id = i.spell_id
),
all_registered AS (
    SELECT
        FALSE AS is_ikkem, start_date, status_group, purpose, is_ongoing, has_agreement,
        planned_days, planned_up_to_3_months, actual_days, extended, participant_status,
        reached_12, reached_18
    FROM spells_started_in_window
    UNION ALL
    SELECT
        TRUE, start_date, status_group, purpose, NULL, NULL,
        NULL, NULL, NULL, NULL, 'IKKEM',
        NULL, NULL
    FROM ikkem_classified
),
by_dimension AS (
    SELECT r.*, d.dimension, d.category
    FROM all_registered AS r,
        unnest([
            {'dimension': 'ALL', 'category': 'ALL'},
            {'dimension': 'purpose', 'category': r.purpose},
            {'dimension': 'status_group', 'category': r.status_group},
            {'dimension': 'start_year', 'category': CAST(year(r.start_date) AS VARCHAR)},
            {'dimension': 'start_half_year',
             'category': CAST(year(r.start_date) AS VARCHAR) || 'H'
                || CAST(CASE WHEN month(r.start_date) <= 6 THEN 1 ELSE 2 END AS VARCHAR)},
            {'dimension': 'start_quarter',
             'category': CAST(year(r.start_date) AS VARCHAR) || 'Q'
                || CAST(quarter(r.start_date) AS VARCHAR)}
        ]) AS u(d)
),
summary AS (
    SELECT
        dimension,
        category,
        count(*) FILTER (WHERE NOT is_ikkem) AS n_spells,
        count(*) FILTER (WHERE is_ongoing) AS n_ongoing,
        count(*) FILTER (WHERE NOT is_ongoing) AS n_ended,
        count(*) FILTER (WHERE has_agreement) AS n_with_agreement,
        avg(planned_days) AS mean_planned_days,
        median(planned_days) AS median_planned_days,
        avg(CAST(planned_up_to_3_months AS DOUBLE)) AS share_planned_up_to_3_months,
        avg(actual_days) FILTER (WHERE NOT is_ongoing) AS mean_actual_days,
        median(actual_days) FILTER (WHERE NOT is_ongoing) AS median_actual_days,
        count(*) FILTER (WHERE NOT is_ongoing AND has_agreement) AS n_ended_with_agreement,
        count(*) FILTER (WHERE NOT is_ongoing AND extended) AS n_extended,
        count(*) FILTER (WHERE participant_status = 'DELAVB') AS n_delavb,
        count(*) FILTER (WHERE participant_status = 'GJENN_AVB') AS n_gjenn_avb,
        count(*) FILTER (WHERE is_ikkem) AS n_ikkem,
        count(*) FILTER (WHERE reached_12 OR NOT is_ongoing) AS n_known_12_months,
        count(*) FILTER (WHERE reached_12) AS n_reached_12_months,
        count(*) FILTER (WHERE reached_18 OR NOT is_ongoing) AS n_known_18_months,
        count(*) FILTER (WHERE reached_18) AS n_reached_18_months
    FROM by_dimension
    GROUP BY dimension, category
)
SELECT
    dimension,
    category,
    CAST(n_spells AS BIGINT) AS n_spells,
    CAST(n_ongoing AS BIGINT) AS n_ongoing,
    CAST(n_ended AS BIGINT) AS n_ended,
    CAST(n_with_agreement AS BIGINT) AS n_with_agreement,
    CAST(mean_planned_days AS DOUBLE) AS mean_planned_days,
    CAST(median_planned_days AS DOUBLE) AS median_planned_days,
    share_planned_up_to_3_months,
    CAST(mean_actual_days AS DOUBLE) AS mean_actual_days,
    CAST(median_actual_days AS DOUBLE) AS median_actual_days,
    CAST(n_ended_with_agreement AS BIGINT) AS n_ended_with_agreement,
    CAST(n_extended AS BIGINT) AS n_extended,
    n_extended / nullif(n_ended_with_agreement, 0) AS share_extended,
    CAST(n_delavb AS BIGINT) AS n_delavb,
    CAST(n_gjenn_avb AS BIGINT) AS n_gjenn_avb,
    (n_delavb + n_gjenn_avb) / nullif(n_spells, 0) AS share_interrupted,
    CAST(n_ikkem AS BIGINT) AS n_ikkem,
    n_ikkem / nullif(n_spells + n_ikkem, 0) AS share_ikkem,
    CAST(n_known_12_months AS BIGINT) AS n_known_12_months,
    CAST(n_reached_12_months AS BIGINT) AS n_reached_12_months,
    n_reached_12_months / nullif(n_known_12_months, 0) AS share_reached_12_months,
    CAST(n_known_18_months AS BIGINT) AS n_known_18_months,
    CAST(n_reached_18_months AS BIGINT) AS n_reached_18_months,
    n_reached_18_months / nullif(n_known_18_months, 0) AS share_reached_18_months
FROM summary
ORDER BY
    CASE dimension WHEN 'ALL' THEN 0 WHEN 'purpose' THEN 1 WHEN 'status_group' THEN 2
        WHEN 'start_year' THEN 3 WHEN 'start_half_year' THEN 4 ELSE 5 END,
    category;
