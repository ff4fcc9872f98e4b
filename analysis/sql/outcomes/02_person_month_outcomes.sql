-- Person-month outcome indicators and covariates for analysis.outcomes, placed by position
-- (person index in person_id order x T + month offset, the order of analysis.effects.data).
-- $n_months is T (months in panel.months), $first_month_index the first window month_index.
-- The purposes' intended outcomes (analysis.design.INTENDED_OUTCOME_BY_PURPOSE), one definition
-- each, the same as marts.intended_outcomes (there per exit month + k, here per month):
--   employed                                panel.person_month.employed
--   employed_or_wage_subsidy_same_employer  outcomes_same_employer_months (01_...sql)
--   apprenticeship_or_education             apprentice OR in_education
--   programme_aap_or_employed               in_wage_subsidy OR in_other_programme OR aap OR employed
--                                           (in_other_programme excludes ARBTREN: a repeated AT
--                                           spell does not count)
--   employed_education_or_programme         employed OR in_education OR in_wage_subsidy
--                                           OR in_other_programme
-- Covariates (read at the base period by the estimator): age, registered, NEDSATT status,
-- employed, earnings, aap, dagpenger, sosialhjelp.
-- Indicators come as TINYINT (signed: differences stay right) and age as SMALLINT (1 and 2 bytes a person-month instead of 8:
-- at scale 1.0 the 16 series hold 1.1 GB, not 8.3 GB); employed and earnings_nok are not read
-- here: they are the effects arrays' own (analysis.effects.data).
WITH persons AS (
    SELECT person_id, row_number() OVER (ORDER BY person_id) - 1 AS pidx
    FROM (SELECT DISTINCT person_id FROM panel.person_month)
)
SELECT
    p.pidx * $n_months + (pm.month_index - $first_month_index) AS pos,
    CAST(s.person_id IS NOT NULL AS TINYINT) AS employed_or_wage_subsidy_same_employer,
    CAST(pm.apprentice OR pm.in_education AS TINYINT) AS apprenticeship_or_education,
    CAST(pm.in_wage_subsidy OR pm.in_other_programme OR pm.aap OR pm.employed AS TINYINT)
        AS programme_aap_or_employed,
    CAST(pm.employed OR pm.in_education OR pm.in_wage_subsidy OR pm.in_other_programme AS TINYINT)
        AS employed_education_or_programme,
    CAST(pm.in_wage_subsidy AS TINYINT) AS in_wage_subsidy,
    CAST(pm.in_other_programme AS TINYINT) AS in_other_programme,
    CAST(pm.aap AS TINYINT) AS aap,
    CAST(pm.dagpenger AS TINYINT) AS dagpenger,
    CAST(pm.tiltakspenger AS TINYINT) AS tiltakspenger,
    CAST(pm.uforetrygd AS TINYINT) AS uforetrygd,
    CAST(pm.sosialhjelp AS TINYINT) AS sosialhjelp,
    CAST(pm.kvp AS TINYINT) AS kvp,
    CAST(pm.any_benefit AS TINYINT) AS any_benefit,
    CAST(pm.registered AS TINYINT) AS registered,
    CAST(coalesce(pm.nav_status = 'NEDSATT_ARBEIDSEVNE', FALSE) AS TINYINT) AS nedsatt,
    CAST(coalesce(pm.age, 0) AS SMALLINT) AS age
FROM panel.person_month AS pm
JOIN persons AS p USING (person_id)
LEFT JOIN outcomes_same_employer_months AS s
    ON s.person_id = pm.person_id AND s.month_index = pm.month_index;
