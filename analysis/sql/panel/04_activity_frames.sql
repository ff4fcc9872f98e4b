-- Working table: each person's programme, education, benefit and NAV-status months as bit sets,
-- one row per (pid, frame). Built for speed at full scale: spells are never expanded to months;
-- a spell covering window month offsets a..b (offset = month_index - first window month) sets
-- bits a..b, and month offset o lives in frame o // 64 at bit o % 64 (64-bit masks).
--
-- Overlap rule: a spell counts in every month it overlaps by at least one day; an ongoing spell
-- (empty end_date) runs to the observation end and never past it; months are clipped to the
-- window; spells starting after the observation end are ignored.
-- Programme spells count only if they took place (GJENN, FULLF, DELAVB, GJENN_AVB):
--   in_at = ARBTREN; in_wage_subsidy = MIDLONTIL/VARLONTIL; in_other_programme = any other code
--   except the grants MENTOR and INKLUTILS (they accompany other measures and are not
--   programmes of their own).
-- NAV status: in a month the status spell that started last wins (equal start dates:
-- NEDSATT_ARBEIDSEVNE). Each status spell's months are reduced to the months where no spell of
-- higher precedence (later start, or same start and NEDSATT) covers the month; those chosen
-- months then give nav_status and innsatsgruppe (of the chosen spell).
-- State JOBSEEKER follows the overlap rule like every other state: any ARBEIDSSOKER status spell
-- overlapping the month counts (arbeidssoker_spell), whichever status spell wins nav_status.
CREATE OR REPLACE TEMP TABLE panel_activity_frames AS
WITH observation_window AS (
    SELECT
        observation_end,
        year(observation_start) * 12 + month(observation_start) - 1 AS first_month_index,
        year(observation_end) * 12 + month(observation_end) - 1 AS last_month_index
    FROM meta.observation_window
),
programme_spells AS (
    SELECT
        person_id, start_date, end_date,
        CASE
            WHEN programme_code = {{at_code}} THEN 'in_at'
            WHEN programme_code IN ({{wage_subsidy_codes}}) THEN 'in_wage_subsidy'
            ELSE 'in_other_programme'
        END AS activity
    FROM staging.programme_spells
    WHERE participant_status IN ({{took_place}})
      AND programme_code NOT IN ('MENTOR', 'INKLUTILS')
),
benefit_spells AS (
    SELECT person_id, start_date, end_date, lower(benefit) AS activity
    FROM staging.benefit_spells
),
-- every enrolment is education; an apprenticeship also counts as apprentice
education_spells AS (
    SELECT person_id, start_date, end_date, 'in_education' AS activity
    FROM staging.education_spells
    UNION ALL
    SELECT person_id, start_date, end_date, 'apprentice'
    FROM staging.education_spells
    WHERE apprentice
),
activity_spells AS (
    SELECT *, NULL AS status, NULL AS innsatsgruppe, NULL AS precedence FROM programme_spells
    UNION ALL
    SELECT *, NULL, NULL, NULL FROM benefit_spells
    UNION ALL
    SELECT *, NULL, NULL, NULL FROM education_spells
    UNION ALL
    SELECT
        person_id, start_date, end_date, 'status', status, innsatsgruppe,
        date_diff('day', DATE '1900-01-01', start_date) * 2
            + CAST(status = 'NEDSATT_ARBEIDSEVNE' AS INTEGER)
    FROM staging.nav_status_spells
),
spell_offsets AS (
    SELECT
        p.pid,
        s.activity,
        s.status,
        s.innsatsgruppe,
        s.precedence,
        greatest(year(s.start_date) * 12 + month(s.start_date) - 1, w.first_month_index)
            - w.first_month_index AS first_offset,
        least(
            year(coalesce(s.end_date, w.observation_end)) * 12
                + month(coalesce(s.end_date, w.observation_end)) - 1,
            w.last_month_index
        ) - w.first_month_index AS last_offset
    FROM activity_spells AS s
    JOIN panel_person_index AS p ON p.person_id = s.person_id
    CROSS JOIN observation_window AS w
    WHERE s.start_date <= w.observation_end
),
-- one row per spell and 64-month frame it touches, with the spell's months in that frame as bits
spell_frames AS (
    SELECT
        pid, activity, status, innsatsgruppe, precedence, frame,
        CAST(
            ((CAST(1 AS UHUGEINT) << CAST(least(last_offset, frame * 64 + 63) - frame * 64 + 1
                AS UHUGEINT)) - 1)
            - ((CAST(1 AS UHUGEINT) << CAST(greatest(first_offset, frame * 64) - frame * 64
                AS UHUGEINT)) - 1)
        AS UBIGINT) AS months
    FROM (
        SELECT *, unnest(range(first_offset // 64, last_offset // 64 + 1)) AS frame
        FROM spell_offsets
        WHERE first_offset <= last_offset
    )
),
-- status spells keep only the months no higher-precedence status spell covers
chosen_status_frames AS (
    SELECT
        pid, frame, status, innsatsgruppe,
        months & ~coalesce(bit_or(months) OVER (
            PARTITION BY pid, frame ORDER BY precedence DESC
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ), CAST(0 AS UBIGINT)) AS months
    FROM spell_frames
    WHERE activity = 'status'
),
activity_frames AS (
    SELECT pid, frame, activity, months FROM spell_frames WHERE activity <> 'status'
    UNION ALL
    SELECT pid, frame, 'arbeidssoker_spell', months
    FROM spell_frames
    WHERE activity = 'status' AND status = 'ARBEIDSSOKER'
    UNION ALL
    SELECT pid, frame, status, months FROM chosen_status_frames
    UNION ALL
    SELECT pid, frame, 'innsats_' || innsatsgruppe, months
    FROM chosen_status_frames
    WHERE innsatsgruppe IS NOT NULL
)
SELECT
    pid,
    CAST(frame AS INTEGER) AS frame,
    bit_or(months) FILTER (WHERE activity = 'in_at') AS in_at,
    bit_or(months) FILTER (WHERE activity = 'in_wage_subsidy') AS in_wage_subsidy,
    bit_or(months) FILTER (WHERE activity = 'in_other_programme') AS in_other_programme,
    bit_or(months) FILTER (WHERE activity = 'in_education') AS in_education,
    bit_or(months) FILTER (WHERE activity = 'apprentice') AS apprentice,
    bit_or(months) FILTER (WHERE activity = 'aap') AS aap,
    bit_or(months) FILTER (WHERE activity = 'dagpenger') AS dagpenger,
    bit_or(months) FILTER (WHERE activity = 'tiltakspenger') AS tiltakspenger,
    bit_or(months) FILTER (WHERE activity = 'uforetrygd') AS uforetrygd,
    bit_or(months) FILTER (WHERE activity = 'sosialhjelp') AS sosialhjelp,
    bit_or(months) FILTER (WHERE activity = 'kvp') AS kvp,
    bit_or(months) FILTER (WHERE activity = 'ARBEIDSSOKER') AS arbeidssoker,
    bit_or(months) FILTER (WHERE activity = 'NEDSATT_ARBEIDSEVNE') AS nedsatt_arbeidsevne,
    bit_or(months) FILTER (WHERE activity = 'arbeidssoker_spell') AS arbeidssoker_spell,
    bit_or(months) FILTER (WHERE activity = 'innsats_STANDARD_INNSATS') AS standard_innsats,
    bit_or(months) FILTER (WHERE activity = 'innsats_SITUASJONSBESTEMT_INNSATS')
        AS situasjonsbestemt_innsats,
    bit_or(months) FILTER (WHERE activity = 'innsats_SPESIELT_TILPASSET_INNSATS')
        AS spesielt_tilpasset_innsats,
    bit_or(months) FILTER (WHERE activity = 'innsats_VARIG_TILPASSET_INNSATS')
        AS varig_tilpasset_innsats
FROM activity_frames
GROUP BY pid, frame;
