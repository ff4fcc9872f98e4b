-- panel.person_month rows for one block of persons ($first_pid .. $last_pid), in person order:
-- the person x month grid joined to the activity bit sets (04_activity_frames.sql) and the
-- month's earnings (05_earnings_months.sql), decoded into named columns.
-- $threshold is the employment threshold (NOK per month, total over employers).
INSERT INTO panel.person_month
WITH window_bounds AS (
    SELECT min(month_index) AS first_month_index FROM panel.months
),
person_month_grid AS (
    SELECT
        p.pid, p.person_id, p.gender, p.immigrant_category, p.nus_level, p.birth_month_index,
        p.first_at_month_index, m.year_month, m.month_index,
        m.month_index - w.first_month_index AS month_offset,
        CAST((m.month_index - w.first_month_index) % 64 AS UBIGINT) AS month_bit
    FROM panel_person_index AS p
    CROSS JOIN panel.months AS m
    CROSS JOIN window_bounds AS w
    WHERE p.pid BETWEEN $first_pid AND $last_pid
),
-- The month's bit (month_bit = month_offset % 64) of every activity bit set, packed into one
-- integer (the terms are distinct powers of two, so + is a bitwise or):
--   1 in_at, 2 in_wage_subsidy, 4 in_other_programme, 8 in_education, 16 apprentice, 32 aap,
--   64 dagpenger, 128 tiltakspenger, 256 uforetrygd, 512 sosialhjelp, 1024 kvp,
--   2048 ARBEIDSSOKER, 4096 NEDSATT_ARBEIDSEVNE, 8192 STANDARD_INNSATS,
--   16384 SITUASJONSBESTEMT_INNSATS, 32768 SPESIELT_TILPASSET_INNSATS,
--   65536 VARIG_TILPASSET_INNSATS, 131072 an ARBEIDSSOKER status spell (any, chosen or not)
person_month_activity AS (
    SELECT
        g.*,
        CAST(
            (((coalesce(f.in_at, 0) >> g.month_bit) & 1) << 0)
            + (((coalesce(f.in_wage_subsidy, 0) >> g.month_bit) & 1) << 1)
            + (((coalesce(f.in_other_programme, 0) >> g.month_bit) & 1) << 2)
            + (((coalesce(f.in_education, 0) >> g.month_bit) & 1) << 3)
            + (((coalesce(f.apprentice, 0) >> g.month_bit) & 1) << 4)
            + (((coalesce(f.aap, 0) >> g.month_bit) & 1) << 5)
            + (((coalesce(f.dagpenger, 0) >> g.month_bit) & 1) << 6)
            + (((coalesce(f.tiltakspenger, 0) >> g.month_bit) & 1) << 7)
            + (((coalesce(f.uforetrygd, 0) >> g.month_bit) & 1) << 8)
            + (((coalesce(f.sosialhjelp, 0) >> g.month_bit) & 1) << 9)
            + (((coalesce(f.kvp, 0) >> g.month_bit) & 1) << 10)
            + (((coalesce(f.arbeidssoker, 0) >> g.month_bit) & 1) << 11)
            + (((coalesce(f.nedsatt_arbeidsevne, 0) >> g.month_bit) & 1) << 12)
            + (((coalesce(f.standard_innsats, 0) >> g.month_bit) & 1) << 13)
            + (((coalesce(f.situasjonsbestemt_innsats, 0) >> g.month_bit) & 1) << 14)
            + (((coalesce(f.spesielt_tilpasset_innsats, 0) >> g.month_bit) & 1) << 15)
            + (((coalesce(f.varig_tilpasset_innsats, 0) >> g.month_bit) & 1) << 16)
            + (((coalesce(f.arbeidssoker_spell, 0) >> g.month_bit) & 1) << 17)
        AS INTEGER) AS flags,
        coalesce(e.earnings_nok, 0) AS earnings_nok,
        coalesce(e.n_employers, 0) AS n_employers
    FROM person_month_grid AS g
    LEFT JOIN panel_activity_frames AS f
        ON f.pid = g.pid AND f.frame = g.month_offset // 64
       AND f.pid BETWEEN $first_pid AND $last_pid
    LEFT JOIN panel_earnings_months AS e
        ON e.pid = g.pid AND e.month_index = g.month_index
       AND e.pid BETWEEN $first_pid AND $last_pid
),
-- Sorted while the rows are still narrow integers (cheaper than sorting the decoded row).
person_month_activity_in_order AS (
    SELECT
        pid, person_id, year_month, month_index, birth_month_index, gender, immigrant_category,
        nus_level, first_at_month_index, flags, earnings_nok, n_employers
    FROM person_month_activity
    ORDER BY pid, month_index
),
person_month_facts AS (
    SELECT
        person_id,
        year_month,
        month_index,
        CAST(floor((month_index - birth_month_index) / 12) AS INTEGER) AS age,
        gender,
        immigrant_category,
        nus_level,
        CASE
            WHEN flags & 2048 <> 0 THEN 'ARBEIDSSOKER'
            WHEN flags & 4096 <> 0 THEN 'NEDSATT_ARBEIDSEVNE'
        END AS nav_status,
        CASE
            WHEN flags & 8192 <> 0 THEN 'STANDARD_INNSATS'
            WHEN flags & 16384 <> 0 THEN 'SITUASJONSBESTEMT_INNSATS'
            WHEN flags & 32768 <> 0 THEN 'SPESIELT_TILPASSET_INNSATS'
            WHEN flags & 65536 <> 0 THEN 'VARIG_TILPASSET_INNSATS'
        END AS innsatsgruppe,
        flags & (2048 | 4096) <> 0 AS registered,
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
        flags & 131072 <> 0 AS arbeidssoker_spell,
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
        WHEN arbeidssoker_spell THEN 'JOBSEEKER'
        ELSE 'NONE'
    END AS state,
    CASE WHEN first_at_month_index IS NOT NULL
        THEN CAST((first_at_month_index // 12) * 100 + first_at_month_index % 12 + 1 AS INTEGER)
    END AS first_at_start_ym,
    CAST(month_index - first_at_month_index AS INTEGER) AS months_since_at_start
FROM person_month_facts;
