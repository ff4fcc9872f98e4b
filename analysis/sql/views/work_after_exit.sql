-- start_here.work_after_exit: in work k months after exit, read two ways from marts.exit_outcomes:
-- by the panel's state (state = 'EMPLOYED', the first of IN_ARBEIDSTRENING, WAGE_SUBSIDY,
-- OTHER_PROGRAMME, EMPLOYED, ... that holds; as marts.transitions) and by the panel's employed
-- flag (earnings at or above the threshold, whatever else holds). Censored spells left out.
CREATE OR REPLACE VIEW start_here.work_after_exit AS
WITH observed AS (
    SELECT purpose, months_after_exit, state, employed
    FROM marts.exit_outcomes
    WHERE NOT is_censored
),
counts AS (
    SELECT
        coalesce(purpose, 'ALL') AS purpose,
        months_after_exit,
        count(*) AS n_spells_observed,
        count(*) FILTER (WHERE state = 'EMPLOYED') AS n_by_state,
        count(*) FILTER (WHERE employed) AS n_by_employed
    FROM observed
    GROUP BY GROUPING SETS ((purpose, months_after_exit), (months_after_exit))
)
SELECT
    purpose,
    months_after_exit,
    n_spells_observed,
    n_by_state,
    n_by_state / nullif(n_spells_observed, 0) AS share_by_state,
    n_by_employed,
    n_by_employed / nullif(n_spells_observed, 0) AS share_by_employed
FROM counts
ORDER BY purpose <> 'ALL', purpose, months_after_exit;

COMMENT ON VIEW start_here.work_after_exit IS
'How many are in work k months after leaving Arbeidstrening? Two readings side by side: by_state counts spells whose state is EMPLOYED (the first state that holds, so work on a wage subsidy or beside another programme counts as that, not as EMPLOYED; as in marts.transitions), by_employed counts spells with monthly earnings at or above the employment threshold whatever else holds. by_employed is never the smaller. One row per purpose (ALL = every spell) and k = 1, 3, 6, 12, 24 months after the exit month. Unit: ended spells that took place; spells whose month of observation lies past the observation end are left out (censored). From marts.exit_outcomes.';
COMMENT ON COLUMN start_here.work_after_exit.purpose IS
'purpose of the spell (rank-1 purpose of its governing agreement; UKJENT unknown); ALL = every spell';
COMMENT ON COLUMN start_here.work_after_exit.months_after_exit IS
'k: months after the exit month (the month of the spell''s end date)';
COMMENT ON COLUMN start_here.work_after_exit.n_spells_observed IS
'ended spells observed k months after exit (not censored)';
COMMENT ON COLUMN start_here.work_after_exit.n_by_state IS
'state reading: spells whose state in exit month + k is EMPLOYED (panel.person_month.state)';
COMMENT ON COLUMN start_here.work_after_exit.share_by_state IS
'state reading: n_by_state / n_spells_observed (equals marts.transitions.share for state EMPLOYED)';
COMMENT ON COLUMN start_here.work_after_exit.n_by_employed IS
'employed reading: spells whose person is employed in exit month + k (panel.person_month.employed: earnings at or above the threshold in meta.run_info, whatever the state)';
COMMENT ON COLUMN start_here.work_after_exit.share_by_employed IS
'employed reading: n_by_employed / n_spells_observed';
