-- marts.chaining_sequences: the most common programme chains of AT participants.
-- Unit: persons with at least one took-place AT spell (panel.at_spells). A chain is the person's
-- took-place programme spells (GJENN, FULLF, DELAVB, GJENN_AVB; grants MENTOR and INKLUTILS
-- skipped) starting on or before observation_end, ordered by start_date then spell_id, written as
-- programme codes joined by ' > '; consecutive spells with the same code are one link (a renewal
-- of the same programme). chain_type ALL_PROGRAMMES = the whole observed history (including
-- programmes before AT); FROM_FIRST_AT = from the person's first AT spell (spell_seq = 1) on.
-- Chains longer than 5 links are cut after the fifth and end in ' > ...'. Chains are as observed
-- by observation_end (right-censored: a recent participant may chain further later).
CREATE OR REPLACE TABLE marts.chaining_sequences AS
WITH observation_window AS (
    SELECT observation_end FROM meta.observation_window
),
first_at_spell AS (
    SELECT person_id, start_date AS first_at_start, spell_id AS first_at_spell_id
    FROM panel.at_spells
    WHERE spell_seq = 1
),
participant_programmes AS (
    SELECT p.person_id, p.programme_code, p.start_date, p.spell_id, f.first_at_start,
        f.first_at_spell_id
    FROM staging.programme_spells AS p
    JOIN first_at_spell AS f ON f.person_id = p.person_id
    CROSS JOIN observation_window AS w
    WHERE p.participant_status IN ({{took_place}})
      AND p.programme_code NOT IN ('MENTOR', 'INKLUTILS')
      AND p.start_date <= w.observation_end
),
chain_spells AS (
    SELECT 'ALL_PROGRAMMES' AS chain_type, person_id, programme_code, start_date, spell_id
    FROM participant_programmes
    UNION ALL
    SELECT 'FROM_FIRST_AT', person_id, programme_code, start_date, spell_id
    FROM participant_programmes
    WHERE (start_date, spell_id) >= (first_at_start, first_at_spell_id)
),
chain_links AS (
    SELECT chain_type, person_id, programme_code, start_date, spell_id
    FROM chain_spells
    QUALIFY programme_code IS DISTINCT FROM lag(programme_code) OVER (
        PARTITION BY chain_type, person_id ORDER BY start_date, spell_id
    )
),
numbered_links AS (
    SELECT
        chain_type, person_id, programme_code,
        row_number() OVER (PARTITION BY chain_type, person_id ORDER BY start_date, spell_id)
            AS link_no
    FROM chain_links
),
person_chains AS (
    SELECT
        chain_type,
        person_id,
        string_agg(programme_code, ' > ' ORDER BY link_no) FILTER (WHERE link_no <= 5)
            || CASE WHEN max(link_no) > 5 THEN ' > ...' ELSE '' END AS sequence,
        CAST(least(max(link_no), 5) AS INTEGER) AS n_links
    FROM numbered_links
    GROUP BY chain_type, person_id
),
chain_counts AS (
    SELECT chain_type, sequence, n_links, count(*) AS n_persons
    FROM person_chains
    GROUP BY chain_type, sequence, n_links
)
SELECT
    chain_type,
    CAST(row_number() OVER (
        PARTITION BY chain_type ORDER BY n_persons DESC, sequence
    ) AS INTEGER) AS rank,
    sequence,
    n_links,
    CAST(n_persons AS BIGINT) AS n_persons,
    n_persons / sum(n_persons) OVER (PARTITION BY chain_type) AS share
FROM chain_counts
ORDER BY chain_type, rank;
