-- marts.exit_outcomes: one row per ended AT spell x horizon k (1, 3, 6, 12, 24 months after exit)
-- with the person's state and outcome flags in exit month + k, read from panel.person_month.
-- Ended spells: panel.at_spells with a known exit month (exit_ym; ongoing spells have no exit and
-- are left out). Censoring: when exit month + k lies past the last window month (past
-- observation_end) - or before the first window month, for exits long before the window - the
-- row is kept with is_censored = TRUE and all outcome columns NULL; it never counts as NONE.
-- Same employer (the contract's definition): an employment_months row at the AT spell's
-- employer_org in the month while the person is employed (total earnings over all employers >=
-- the panel threshold), or a took-place MIDLONTIL/VARLONTIL spell at that employer_org
-- overlapping the month (same overlap rule as the panel).
CREATE OR REPLACE TABLE marts.exit_outcomes AS
WITH observation_window AS (
    SELECT observation_end FROM meta.observation_window
),
window_bounds AS (
    SELECT min(month_index) AS first_month_index, max(month_index) AS last_month_index
    FROM panel.months
),
exited_spells AS (
    SELECT
        spell_id, person_id, employer_org, purpose, status_group, spell_seq, exit_ym,
        (exit_ym // 100) * 12 + exit_ym % 100 - 1 AS exit_month_index
    FROM panel.at_spells
    WHERE exit_ym IS NOT NULL
),
horizons AS (
    SELECT CAST(unnest([{{horizons}}]) AS INTEGER) AS months_after_exit
),
spell_horizons AS (
    SELECT
        e.*,
        h.months_after_exit,
        e.exit_month_index + h.months_after_exit AS target_month_index,
        CAST(((e.exit_month_index + h.months_after_exit) // 12) * 100
            + (e.exit_month_index + h.months_after_exit) % 12 + 1 AS INTEGER) AS target_ym,
        (e.exit_month_index + h.months_after_exit > w.last_month_index
            OR e.exit_month_index + h.months_after_exit < w.first_month_index) AS is_censored
    FROM exited_spells AS e, horizons AS h, window_bounds AS w
),
state_after_exit AS (
    SELECT
        sh.spell_id, sh.months_after_exit,
        pm.state, pm.employed, pm.in_at, pm.in_wage_subsidy, pm.in_other_programme,
        pm.in_education, pm.apprentice, pm.aap, pm.uforetrygd, pm.registered
    FROM spell_horizons AS sh
    JOIN panel.person_month AS pm
        ON pm.person_id = sh.person_id AND pm.month_index = sh.target_month_index
    WHERE NOT sh.is_censored
),
job_at_at_employer AS (
    SELECT DISTINCT sh.spell_id, sh.months_after_exit
    FROM spell_horizons AS sh
    JOIN staging.employment_months AS e
        ON e.person_id = sh.person_id
       AND e.year_month = sh.target_ym
       AND e.employer_org = sh.employer_org
    WHERE NOT sh.is_censored
),
wage_subsidy_at_at_employer AS (
    SELECT DISTINCT sh.spell_id, sh.months_after_exit
    FROM spell_horizons AS sh
    JOIN staging.programme_spells AS p
        ON p.person_id = sh.person_id AND p.employer_org = sh.employer_org
    CROSS JOIN observation_window AS w
    WHERE NOT sh.is_censored
      AND p.programme_code IN ({{wage_subsidy_codes}})
      AND p.participant_status IN ({{took_place}})
      AND p.start_date <= w.observation_end
      AND year(p.start_date) * 12 + month(p.start_date) - 1 <= sh.target_month_index
      AND year(least(coalesce(p.end_date, w.observation_end), w.observation_end)) * 12
          + month(least(coalesce(p.end_date, w.observation_end), w.observation_end)) - 1
          >= sh.target_month_index
)
SELECT
    sh.spell_id,
    sh.person_id,
    sh.employer_org,
    sh.purpose,
    sh.status_group,
    sh.spell_seq,
    sh.exit_ym,
    sh.months_after_exit,
    sh.target_ym,
    sh.is_censored,
    s.state,
    s.employed,
    s.in_at,
    s.in_wage_subsidy,
    s.in_other_programme,
    s.in_education,
    s.apprentice,
    s.aap,
    s.uforetrygd,
    s.registered,
    CASE WHEN NOT sh.is_censored THEN s.employed AND j.spell_id IS NOT NULL END
        AS employed_at_at_employer,
    CASE WHEN NOT sh.is_censored THEN ws.spell_id IS NOT NULL END
        AS wage_subsidy_at_at_employer,
    CASE WHEN NOT sh.is_censored
        THEN (s.employed AND j.spell_id IS NOT NULL) OR ws.spell_id IS NOT NULL END
        AS same_employer
FROM spell_horizons AS sh
LEFT JOIN state_after_exit AS s
    ON s.spell_id = sh.spell_id AND s.months_after_exit = sh.months_after_exit
LEFT JOIN job_at_at_employer AS j
    ON j.spell_id = sh.spell_id AND j.months_after_exit = sh.months_after_exit
LEFT JOIN wage_subsidy_at_at_employer AS ws
    ON ws.spell_id = sh.spell_id AND ws.months_after_exit = sh.months_after_exit
ORDER BY sh.spell_id, sh.months_after_exit;
