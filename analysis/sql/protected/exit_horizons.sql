-- Inner cells of the universe "ended AT spells observed k months after exit"
-- (marts.exit_outcomes, not censored), the units of marts.transitions,
-- transitions_by_status_group, intended_outcomes and same_employer: one row per horizon k and
-- combination of purpose, status group, state, the outcome flags those tables count, and
-- whether the purpose's intended outcome was reached (the mapping of
-- analysis/sql/marts/intended_outcomes.sql), with the number of spells (n).
SELECT
    months_after_exit,
    purpose,
    status_group,
    state,
    coalesce(employed, FALSE) AS employed,
    coalesce(employed_at_at_employer, FALSE) AS employed_same_employer,
    coalesce(wage_subsidy_at_at_employer, FALSE) AS wage_subsidy_same_employer,
    coalesce(same_employer, FALSE) AS employed_or_wage_subsidy_same_employer,
    coalesce(CASE purpose
        WHEN 'FAA_JOBB_I_BEDRIFTEN' THEN same_employer
        WHEN 'OPPNAA_FAGBREV_KOMPETANSEBEVIS' THEN apprentice OR in_education
        WHEN 'UTPROVING' THEN in_wage_subsidy OR in_other_programme OR aap OR employed
        WHEN 'SPRAAKOPPLAERING'
            THEN employed OR in_education OR in_wage_subsidy OR in_other_programme
        ELSE employed
    END, FALSE) AS reached,
    count(*) AS n
FROM marts.exit_outcomes
WHERE NOT is_censored
GROUP BY ALL
ORDER BY ALL
