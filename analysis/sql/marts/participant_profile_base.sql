-- Working table for the participant profile marts: one row per profiled unit with its
-- characteristics, shared by marts.participant_profile and marts.participant_profile_summary.
--   participants: AT spell starts (panel.at_spells, start inside the window), described in the
--     start month (a person starting twice in a year counts twice); status group and
--     innsatsgruppe on the start date (the spell's status_group / innsatsgruppe_at_start); age at
--     start; benefits from the start month's flags in panel.person_month.
--   registered_non_participants: person-months registered at NAV (a status spell overlaps the
--     month) and not in AT, described in that month (nav_status as status group).
-- Employment history: months employed (panel.person_month.employed) among the 12 calendar months
-- before the described month; only when all 12 lie inside the window, otherwise NULL (before the
-- window the registers are not read).
-- Main benefit: the first benefit received in the month in the order UFORETRYGD, AAP, DAGPENGER,
-- TILTAKSPENGER, KVP, SOSIALHJELP; NONE if none.
-- The 12-month look-back is computed without a window over the whole panel: each person's
-- employed months are kept as bit sets over overlapping 128-month frames (frame f covers window
-- month offsets 64f-64 .. 64f+63, so each employed month sits in two frames), and the months
-- employed in the 12 months before offset o are the set bits o-12 .. o-1 of frame o // 64.
CREATE OR REPLACE TEMP TABLE marts_profile_units AS
WITH observation_window AS (
    SELECT observation_start FROM meta.observation_window
),
window_bounds AS (
    SELECT min(month_index) AS first_month_index FROM panel.months
),
employed_month_offsets AS (
    SELECT pm.person_id, pm.month_index - w.first_month_index AS month_offset
    FROM panel.person_month AS pm, window_bounds AS w
    WHERE pm.employed
),
employment_frames AS (
    SELECT
        person_id,
        frame,
        bit_or(CAST(1 AS UHUGEINT) << CAST(month_offset - 64 * frame + 64 AS UHUGEINT)) AS bits
    FROM employed_month_offsets,
        unnest([month_offset // 64, month_offset // 64 + 1]) AS f(frame)
    GROUP BY person_id, frame
),
participant_starts AS (
    SELECT
        CAST(year(s.start_date) AS INTEGER) AS year,
        'participants' AS profile_group,
        pm.gender,
        s.age_at_start AS age,
        pm.immigrant_category,
        pm.nus_level,
        s.status_group,
        s.innsatsgruppe_at_start AS innsatsgruppe,
        pm.aap, pm.dagpenger, pm.tiltakspenger, pm.uforetrygd, pm.sosialhjelp, pm.kvp,
        pm.person_id,
        pm.month_index
    FROM panel.at_spells AS s
    CROSS JOIN observation_window AS w
    JOIN panel.person_month AS pm
        ON pm.person_id = s.person_id
       AND pm.month_index = year(s.start_date) * 12 + month(s.start_date) - 1
    WHERE s.start_date >= w.observation_start
),
registered_non_participant_months AS (
    SELECT
        CAST(year_month // 100 AS INTEGER) AS year,
        'registered_non_participants' AS profile_group,
        gender,
        age,
        immigrant_category,
        nus_level,
        nav_status AS status_group,
        innsatsgruppe,
        aap, dagpenger, tiltakspenger, uforetrygd, sosialhjelp, kvp,
        person_id,
        month_index
    FROM panel.person_month
    WHERE registered AND NOT in_at
),
described_units AS (
    SELECT * FROM participant_starts
    UNION ALL
    SELECT * FROM registered_non_participant_months
),
profiled_units AS (
    SELECT
        u.*,
        CASE WHEN u.month_index - w.first_month_index >= 12 THEN
            CAST(coalesce(bit_count(CAST(
                (f.bits >> CAST(u.month_index - w.first_month_index - 12 - 64 * f.frame + 64
                    AS UHUGEINT)) & CAST(4095 AS UHUGEINT)
            AS INTEGER)), 0) AS INTEGER)
        END AS months_employed_12m_before
    FROM described_units AS u
    CROSS JOIN window_bounds AS w
    LEFT JOIN employment_frames AS f
        ON f.person_id = u.person_id
       AND f.frame = (u.month_index - w.first_month_index) // 64
)
-- Stored compactly (integers and ENUMs, no per-row text): the text categories of the profile
-- marts are derived when they are counted.
SELECT
    year,
    CAST(profile_group AS ENUM('participants', 'registered_non_participants')) AS profile_group,
    gender,
    age,
    CAST(immigrant_category AS ENUM({{immigrant_categories}})) AS immigrant_category,
    CAST(nus_level AS ENUM('0', '1', '2', '3', '4', '5', '6', '7', '8', '9')) AS nus_level,
    CAST(status_group AS ENUM({{status_groups}})) AS status_group,
    CAST(coalesce(CAST(innsatsgruppe AS VARCHAR), {{unknown_innsatsgruppe}}) AS ENUM(
        {{innsatsgrupper_with_unknown}}
    )) AS innsatsgruppe,
    CAST(CASE
        WHEN uforetrygd THEN 'UFORETRYGD'
        WHEN aap THEN 'AAP'
        WHEN dagpenger THEN 'DAGPENGER'
        WHEN tiltakspenger THEN 'TILTAKSPENGER'
        WHEN kvp THEN 'KVP'
        WHEN sosialhjelp THEN 'SOSIALHJELP'
        ELSE 'NONE'
    END AS ENUM(
        'UFORETRYGD', 'AAP', 'DAGPENGER', 'TILTAKSPENGER', 'KVP', 'SOSIALHJELP', 'NONE'
    )) AS main_benefit,
    (aap OR dagpenger OR tiltakspenger OR uforetrygd OR sosialhjelp OR kvp) AS any_benefit,
    months_employed_12m_before
FROM profiled_units;
