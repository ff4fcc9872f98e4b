-- marts.chaining_next: what comes after Arbeidstrening (tiltakskjeding) and how soon.
-- Unit: ended AT spells (all spells) whose exit month lies in the window. Next programme: the
-- person's first took-place programme spell (GJENN, FULLF, DELAVB, GJENN_AVB; the grants MENTOR
-- and INKLUTILS are not programmes and are skipped) that starts after the AT spell's end_date and
-- on or before observation_end; ties on the start date go to WAGE_SUBSIDY, then ARBEIDSTRENING,
-- then OTHER_PROGRAMME, then spell_id. Programmes starting during the AT spell are parallel
-- measures, not next steps. months_to_next = start month - exit month (0 = same month).
-- Categories: WAGE_SUBSIDY (MIDLONTIL, VARLONTIL), ARBEIDSTRENING (another AT spell),
-- OTHER_PROGRAMME, when the next start is at most 24 months after the exit month;
-- NONE_WITHIN_24_MONTHS when no next start within 24 months and exit month + 24 lies inside the
-- window; CENSORED otherwise (exit month + 24 past the observation end and nothing seen yet):
-- CENSORED rows are reported but excluded from the share denominator (share NULL).
-- Dimensions: ALL; purpose; exit_year; exit_half_year (e.g. 2022H2, shows the autumn-2022 stop
-- in wage subsidies).
CREATE OR REPLACE TABLE marts.chaining_next AS
WITH observation_window AS (
    SELECT observation_end FROM meta.observation_window
),
window_bounds AS (
    SELECT min(month_index) AS first_month_index, max(month_index) AS last_month_index
    FROM panel.months
),
exited_spells AS (
    SELECT
        s.spell_id, s.person_id, s.end_date, s.purpose, s.exit_ym,
        (s.exit_ym // 100) * 12 + s.exit_ym % 100 - 1 AS exit_month_index
    FROM panel.at_spells AS s, window_bounds AS w
    WHERE s.exit_ym IS NOT NULL
      AND (s.exit_ym // 100) * 12 + s.exit_ym % 100 - 1 >= w.first_month_index
),
later_programmes AS (
    SELECT
        p.person_id,
        p.spell_id,
        p.start_date,
        year(p.start_date) * 12 + month(p.start_date) - 1 AS start_month_index,
        CASE
            WHEN p.programme_code IN ({{wage_subsidy_codes}}) THEN 'WAGE_SUBSIDY'
            WHEN p.programme_code = {{at_code}} THEN 'ARBEIDSTRENING'
            ELSE 'OTHER_PROGRAMME'
        END AS next_programme,
        CASE
            WHEN p.programme_code IN ({{wage_subsidy_codes}}) THEN 1
            WHEN p.programme_code = {{at_code}} THEN 2
            ELSE 3
        END AS tie_order
    FROM staging.programme_spells AS p, observation_window AS w
    WHERE p.participant_status IN ({{took_place}})
      AND p.programme_code NOT IN ('MENTOR', 'INKLUTILS')
      AND p.start_date <= w.observation_end
      AND p.person_id IN (SELECT person_id FROM exited_spells)
),
first_next_programme AS (
    SELECT
        e.spell_id,
        l.next_programme,
        l.start_month_index - e.exit_month_index AS months_to_next
    FROM exited_spells AS e
    JOIN later_programmes AS l ON l.person_id = e.person_id AND l.start_date > e.end_date
    QUALIFY row_number() OVER (
        PARTITION BY e.spell_id ORDER BY l.start_date, l.tie_order, l.spell_id
    ) = 1
),
classified_exits AS (
    SELECT
        e.*,
        CASE
            WHEN n.months_to_next <= 24 THEN n.next_programme
            WHEN e.exit_month_index + 24 <= w.last_month_index THEN 'NONE_WITHIN_24_MONTHS'
            ELSE 'CENSORED'
        END AS next_programme,
        CASE WHEN n.months_to_next <= 24 THEN n.months_to_next END AS months_to_next
    FROM exited_spells AS e
    CROSS JOIN window_bounds AS w
    LEFT JOIN first_next_programme AS n ON n.spell_id = e.spell_id
),
exits_by_dimension AS (
    SELECT
        d.dimension,
        d.category,
        c.next_programme,
        c.months_to_next
    FROM classified_exits AS c,
        unnest([
            {'dimension': 'ALL', 'category': 'ALL'},
            {'dimension': 'purpose', 'category': c.purpose},
            {'dimension': 'exit_year', 'category': CAST(c.exit_ym // 100 AS VARCHAR)},
            {'dimension': 'exit_half_year',
             'category': CAST(c.exit_ym // 100 AS VARCHAR) || 'H'
                || CAST(CASE WHEN c.exit_ym % 100 <= 6 THEN 1 ELSE 2 END AS VARCHAR)}
        ]) AS u(d)
),
categories AS (
    SELECT DISTINCT dimension, category FROM exits_by_dimension
),
next_programmes AS (
    SELECT * FROM (VALUES
        ('WAGE_SUBSIDY', 1), ('ARBEIDSTRENING', 2), ('OTHER_PROGRAMME', 3),
        ('NONE_WITHIN_24_MONTHS', 4), ('CENSORED', 5)
    ) AS t(next_programme, sort_order)
),
counts AS (
    SELECT
        dimension, category, next_programme,
        count(*) AS n_spells,
        avg(months_to_next) AS mean_months_to_next,
        quantile_cont(months_to_next, 0.25) AS p25_months_to_next,
        median(months_to_next) AS median_months_to_next,
        quantile_cont(months_to_next, 0.75) AS p75_months_to_next
    FROM exits_by_dimension
    GROUP BY dimension, category, next_programme
),
grid AS (
    SELECT
        c.dimension, c.category, p.next_programme, p.sort_order,
        CAST(coalesce(n.n_spells, 0) AS BIGINT) AS n_spells,
        n.mean_months_to_next, n.p25_months_to_next, n.median_months_to_next,
        n.p75_months_to_next
    FROM categories AS c
    CROSS JOIN next_programmes AS p
    LEFT JOIN counts AS n
        ON n.dimension = c.dimension AND n.category = c.category
       AND n.next_programme = p.next_programme
)
SELECT
    dimension,
    category,
    next_programme,
    n_spells,
    CASE WHEN next_programme <> 'CENSORED' THEN
        n_spells / nullif(
            sum(n_spells) FILTER (WHERE next_programme <> 'CENSORED')
                OVER (PARTITION BY dimension, category), 0)
    END AS share,
    CAST(mean_months_to_next AS DOUBLE) AS mean_months_to_next,
    CAST(p25_months_to_next AS DOUBLE) AS p25_months_to_next,
    CAST(median_months_to_next AS DOUBLE) AS median_months_to_next,
    CAST(p75_months_to_next AS DOUBLE) AS p75_months_to_next
FROM grid
ORDER BY
    CASE dimension WHEN 'ALL' THEN 0 WHEN 'purpose' THEN 1 WHEN 'exit_year' THEN 2 ELSE 3 END,
    category, sort_order;
