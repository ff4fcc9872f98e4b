-- Inner cells of the universe "treated persons" of the effect estimators (analysis.effects:
-- first took-place AT start at month offset >= $min_pre inside the window, status group
-- ARBEIDSSOKER or NEDSATT_ARBEIDSEVNE on that start): one row per start cohort (month offset of
-- the first start from the first window month), its calendar year, and the subgroup
-- classifications of analysis.effects.data.subgroup_masks (purpose of the first spell, status
-- group, age at start under 30 / 30 plus, immigrant category B / other, gender), with the
-- number of persons (n). 'unknown' where a subgroup variable is missing (in ALL only).
WITH bounds AS (
    SELECT min(month_index) AS m0, count(*) AS n_months FROM panel.months
),
persons AS (
    SELECT person_id, any_value(gender) AS gender, any_value(immigrant_category) AS immigrant
    FROM panel.person_month
    GROUP BY person_id
),
first_spells AS (
    SELECT
        f.person_id,
        (f.start_ym // 100) * 12 + f.start_ym % 100 - 1 - b.m0 AS cohort,
        f.status_group,
        f.purpose,
        f.age_at_start
    FROM panel.at_spells AS f, bounds AS b
    WHERE f.spell_seq = 1
)
SELECT
    CAST(f.cohort AS INTEGER) AS cohort,
    CAST(m.year_month // 100 AS INTEGER) AS start_year,
    f.status_group,
    f.purpose,
    CASE WHEN f.age_at_start < 30 THEN 'under_30'
         WHEN f.age_at_start >= 30 THEN '30_plus' ELSE 'unknown' END AS age,
    CASE WHEN p.immigrant = 'B' THEN 'B' ELSE 'other' END AS immigrant,
    CASE p.gender WHEN 2 THEN 'female' WHEN 1 THEN 'male' ELSE 'unknown' END AS gender,
    count(*) AS n
FROM first_spells AS f
JOIN persons AS p USING (person_id)
CROSS JOIN bounds AS b
JOIN panel.months AS m ON m.month_index = b.m0 + f.cohort
WHERE f.cohort >= $min_pre AND f.cohort < b.n_months
  AND f.status_group IN ('ARBEIDSSOKER', 'NEDSATT_ARBEIDSEVNE')
GROUP BY ALL
ORDER BY ALL
