-- Working table: every person with an integer key (pid, in person_id order) so that the
-- person x month joins run on two integers, plus birth month index and first AT start month.
CREATE OR REPLACE TEMP TABLE panel_person_index AS
WITH first_at_spell AS (
    SELECT person_id, year(start_date) * 12 + month(start_date) - 1 AS first_at_month_index
    FROM panel.at_spells
    WHERE spell_seq = 1
)
SELECT
    CAST(row_number() OVER (ORDER BY p.person_id) AS INTEGER) AS pid,
    p.person_id,
    p.gender,
    p.immigrant_category,
    p.nus_level,
    (p.birth_ym // 100) * 12 + p.birth_ym % 100 - 1 AS birth_month_index,
    f.first_at_month_index
FROM staging.persons AS p
LEFT JOIN first_at_spell AS f ON f.person_id = p.person_id;
