-- marts.intended_outcomes: whether the outcome each purpose aims at (DOMAIN.md, chain of effects,
-- report Figur 4-1) is reached k = 1, 3, 6, 12, 24 months after exit, per purpose.
-- Unit: ended AT spells (all spells) with that purpose, observed at exit month + k (spells whose
-- exit month + k lies past the observation end are censored: not in n_spells). Mapping (one
-- intended outcome per purpose, read from marts.exit_outcomes / panel.person_month):
--   FAA_JOBB_I_BEDRIFTEN           -> EMPLOYED_OR_WAGE_SUBSIDY_SAME_EMPLOYER: employed with an
--                                     employment_months row at the AT employer_org, or a took-place
--                                     MIDLONTIL/VARLONTIL spell at that employer_org in the month
--   OPPNAA_FAGBREV_KOMPETANSEBEVIS -> APPRENTICESHIP_OR_EDUCATION: apprentice or in education
--   ARBEIDSERFARING                -> EMPLOYED: employed at any employer (earnings >= threshold)
--   UTPROVING                      -> PROGRAMME_AAP_OR_EMPLOYED: a new programme (wage subsidy or
--                                     other programme; a repeated AT spell does not count), AAP
--                                     (health follow-up) or employed
--   SPRAAKOPPLAERING               -> EMPLOYED_EDUCATION_OR_PROGRAMME: employed, in education, or
--                                     a further programme (wage subsidy or other programme)
--   ANNET, UKJENT                  -> EMPLOYED (no stated chain of effects: ordinary work)
CREATE OR REPLACE TABLE marts.intended_outcomes AS
WITH purpose_outcomes AS (
    SELECT * FROM (VALUES
        {{intended_outcome_rows}}
    ) AS t(purpose, intended_outcome, sort_order)
),
horizons AS (
    SELECT CAST(unnest([{{horizons}}]) AS INTEGER) AS months_after_exit
),
observed_exits AS (
    SELECT
        purpose,
        months_after_exit,
        CASE purpose
            WHEN 'FAA_JOBB_I_BEDRIFTEN' THEN same_employer
            WHEN 'OPPNAA_FAGBREV_KOMPETANSEBEVIS' THEN apprentice OR in_education
            WHEN 'UTPROVING' THEN in_wage_subsidy OR in_other_programme OR aap OR employed
            WHEN 'SPRAAKOPPLAERING'
                THEN employed OR in_education OR in_wage_subsidy OR in_other_programme
            ELSE employed
        END AS reached
    FROM marts.exit_outcomes
    WHERE NOT is_censored
),
reached_by_purpose AS (
    SELECT
        purpose,
        months_after_exit,
        count(*) AS n_spells,
        count(*) FILTER (WHERE reached) AS n_reached
    FROM observed_exits
    GROUP BY purpose, months_after_exit
)
SELECT
    p.purpose,
    p.intended_outcome,
    h.months_after_exit,
    CAST(coalesce(r.n_spells, 0) AS BIGINT) AS n_spells,
    CAST(coalesce(r.n_reached, 0) AS BIGINT) AS n_reached,
    r.n_reached / nullif(r.n_spells, 0) AS share
FROM purpose_outcomes AS p
CROSS JOIN horizons AS h
LEFT JOIN reached_by_purpose AS r
    ON r.purpose = p.purpose AND r.months_after_exit = h.months_after_exit
ORDER BY p.sort_order, h.months_after_exit;
