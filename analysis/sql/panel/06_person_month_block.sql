-- panel.person_month: one row per person in staging.persons x calendar month of the window,
-- the grid joined to the month activity (04_month_activity.sql) and decoded into named columns.
-- $threshold is the employment threshold (NOK per month, total over employers).
-- $first_pid/$last_pid select a block of persons (the panel is written block by block, in
-- person order, to keep memory bounded at full scale).
INSERT INTO panel.person_month
WITH person_month_grid AS (
    SELECT
        p.pid, p.person_id, p.gender, p.immigrant_category, p.nus_level, p.birth_month_index,
        p.first_at_month_index, m.year_month, m.month_index
    FROM panel_person_index AS p
    CROSS JOIN panel.months AS m
    WHERE p.pid BETWEEN $first_pid AND $last_pid
),
person_month_activity AS (
    SELECT
        g.*,
        coalesce(a.activity_flags, 0) AS flags,
        a.status_rank,
        coalesce(a.earnings_nok, 0) AS earnings_nok,
        coalesce(a.n_employers, 0) AS n_employers
    FROM person_month_grid AS g
    LEFT JOIN panel_month_activity AS a
        ON a.pid = g.pid AND a.month_index = g.month_index
       AND a.pid BETWEEN $first_pid AND $last_pid
),
-- Sorted while the rows are still narrow integers (cheaper than sorting the decoded row).
person_month_activity_in_order AS (
    SELECT * FROM person_month_activity ORDER BY pid, month_index
),
person_month_facts AS (
    SELECT
        pid,
        person_id,
        year_month,
        month_index,
        CAST(floor((month_index - birth_month_index) / 12) AS INTEGER) AS age,
        gender,
        immigrant_category,
        nus_level,
        CASE (status_rank // 8) % 2
            WHEN 0 THEN 'ARBEIDSSOKER' WHEN 1 THEN 'NEDSATT_ARBEIDSEVNE' END AS nav_status,
        CASE status_rank % 8
            WHEN 1 THEN 'STANDARD_INNSATS' WHEN 2 THEN 'SITUASJONSBESTEMT_INNSATS'
            WHEN 3 THEN 'SPESIELT_TILPASSET_INNSATS' WHEN 4 THEN 'VARIG_TILPASSET_INNSATS'
        END AS innsatsgruppe,
        status_rank IS NOT NULL AS registered,
        earnings_nok,
        n_employers,
        earnings_nok >= $threshold AS employed,
        flags & 1 <> 0 AS in_at,
        flags & 2 <> 0 AS in_wage_subsidy,
        flags & 4 <> 0 AS in_other_programme,
        flags & 8 <> 0 AS in_education,
        flags & 16 <> 0 AS apprentice,
        flags & 32 <> 0 AS aap,
        flags & 64 <> 0 AS dagpenger,
        flags & 128 <> 0 AS tiltakspenger,
        flags & 256 <> 0 AS uforetrygd,
        flags & 512 <> 0 AS sosialhjelp,
        flags & 1024 <> 0 AS kvp,
        flags & (32 | 64 | 128 | 256 | 512 | 1024) <> 0 AS any_benefit,
        first_at_month_index
    FROM person_month_activity_in_order
)
SELECT
    person_id,
    year_month,
    month_index,
    age,
    gender,
    immigrant_category,
    nus_level,
    nav_status,
    innsatsgruppe,
    registered,
    earnings_nok,
    n_employers,
    employed,
    in_at,
    in_wage_subsidy,
    in_other_programme,
    in_education,
    apprentice,
    aap,
    dagpenger,
    tiltakspenger,
    uforetrygd,
    sosialhjelp,
    kvp,
    any_benefit,
    -- State in the month: the first that holds, in this order.
    CASE
        WHEN in_at THEN 'IN_ARBEIDSTRENING'
        WHEN in_wage_subsidy THEN 'WAGE_SUBSIDY'
        WHEN in_other_programme THEN 'OTHER_PROGRAMME'
        WHEN employed THEN 'EMPLOYED'
        WHEN in_education THEN 'EDUCATION'
        WHEN uforetrygd THEN 'UFORETRYGD'
        WHEN aap THEN 'AAP'
        WHEN nav_status = 'ARBEIDSSOKER' THEN 'JOBSEEKER'
        ELSE 'NONE'
    END AS state,
    CASE WHEN first_at_month_index IS NOT NULL
        THEN CAST((first_at_month_index // 12) * 100 + first_at_month_index % 12 + 1 AS INTEGER)
    END AS first_at_start_ym,
    CAST(month_index - first_at_month_index AS INTEGER) AS months_since_at_start
FROM person_month_facts;
