-- outcomes_same_employer_months: the months in which a treated person is employed at, or in a wage
-- subsidy at, the employer of their FIRST took-place Arbeidstrening spell (panel.at_spells,
-- spell_seq = 1, employer_org). The definition of marts.exit_outcomes.same_employer (the
-- contract's), applied to every window month instead of exit month + k:
--   * an employment_months row at that employer_org in the month while the person is employed
--     (panel.person_month.employed: total earnings over all employers >= the panel threshold), or
--   * a took-place MIDLONTIL/VARLONTIL spell at that employer_org overlapping the month (same
--     overlap rule as the panel; open or late ends cut at observation_end).
-- Persons without a first spell (never treated) have no such months: their outcome is 0.
CREATE OR REPLACE TEMP TABLE outcomes_same_employer_months AS
WITH first_spell AS (
    SELECT person_id, employer_org
    FROM panel.at_spells
    WHERE spell_seq = 1 AND employer_org IS NOT NULL
),
window_bounds AS (
    SELECT min(month_index) AS first_month_index, max(month_index) AS last_month_index
    FROM panel.months
),
job_months AS (
    SELECT pm.person_id, pm.month_index
    FROM first_spell AS f
    JOIN staging.employment_months AS e
        ON e.person_id = f.person_id AND e.employer_org = f.employer_org
    JOIN panel.person_month AS pm
        ON pm.person_id = e.person_id AND pm.year_month = e.year_month
    WHERE pm.employed
),
subsidy_spells AS (
    SELECT
        p.person_id,
        year(p.start_date) * 12 + month(p.start_date) - 1 AS first_mi,
        year(least(coalesce(p.end_date, w.observation_end), w.observation_end)) * 12
            + month(least(coalesce(p.end_date, w.observation_end), w.observation_end)) - 1
            AS last_mi
    FROM first_spell AS f
    JOIN staging.programme_spells AS p
        ON p.person_id = f.person_id AND p.employer_org = f.employer_org
    CROSS JOIN meta.observation_window AS w
    WHERE p.programme_code IN ('MIDLONTIL', 'VARLONTIL')
      AND p.participant_status IN ('GJENN', 'FULLF', 'DELAVB', 'GJENN_AVB')
      AND p.start_date <= w.observation_end
),
subsidy_months AS (
    SELECT s.person_id, m.month_index
    FROM subsidy_spells AS s
    JOIN panel.months AS m ON m.month_index BETWEEN s.first_mi AND s.last_mi
)
SELECT DISTINCT person_id, month_index FROM job_months
UNION
SELECT DISTINCT person_id, month_index FROM subsidy_months;
