-- start_here.cost_results: the headline cost-effectiveness results per perspective, subgroup and
-- horizon, one measure per column in one unit each (marts.cost_effectiveness holds every measure
-- in rows, with the unit in a column).
CREATE OR REPLACE VIEW start_here.cost_results AS
SELECT
    perspective,
    subgroup,
    horizon_months,
    max(n_treated) AS n_treated,
    max(estimate) FILTER (WHERE measure = 'npv' AND unit LIKE 'NOK per participant%')
        AS npv_nok,
    max(ci_low) FILTER (WHERE measure = 'npv' AND unit LIKE 'NOK per participant%')
        AS npv_ci_low_nok,
    max(ci_high) FILTER (WHERE measure = 'npv' AND unit LIKE 'NOK per participant%')
        AS npv_ci_high_nok,
    max(estimate) FILTER (
        WHERE measure = 'cost_per_extra_employed_month' AND unit = 'NOK per extra employed month'
    ) AS nok_per_extra_employed_month,
    max(ci_low) FILTER (
        WHERE measure = 'cost_per_extra_employed_month' AND unit = 'NOK per extra employed month'
    ) AS nok_per_extra_employed_month_ci_low,
    max(ci_high) FILTER (
        WHERE measure = 'cost_per_extra_employed_month' AND unit = 'NOK per extra employed month'
    ) AS nok_per_extra_employed_month_ci_high,
    max(estimate) FILTER (
        WHERE measure = 'break_even_employment_pp' AND unit = 'percentage points'
    ) AS break_even_employment_pp
FROM marts.cost_effectiveness
WHERE perspective IN ('budget', 'society')
GROUP BY perspective, subgroup, horizon_months
-- a subgroup without effect estimates has no results to read (its costs are in the mart)
HAVING max(n_treated) > 0
ORDER BY perspective, subgroup <> 'ALL', subgroup, horizon_months;

COMMENT ON VIEW start_here.cost_results IS
'Does Arbeidstrening pay off? One row per perspective (budget = the public budget, society), subgroup and horizon: the net present value per participant, the cost per extra month in work and the employment effect that would break even, each in its own column and unit, with 95 % intervals where the effects'' uncertainty gives one. Subgroups without effect estimates are left out (their costs are in marts.cost_effectiveness). From marts.cost_effectiveness (every measure, the parameters in marts.cost_parameters, sensitivity in marts.cost_sensitivity; method in analysis/costs/METHODS.md).';
COMMENT ON COLUMN start_here.cost_results.perspective IS
'budget (the public budget) or society';
COMMENT ON COLUMN start_here.cost_results.subgroup IS
'ALL or dimension=value (purpose of the first spell, status group at start)';
COMMENT ON COLUMN start_here.cost_results.horizon_months IS
'months from the start valued (lock-in included)';
COMMENT ON COLUMN start_here.cost_results.n_treated IS
'treated persons behind the effect estimates (persons)';
COMMENT ON COLUMN start_here.cost_results.npv_nok IS
'net present value per participant, NOK (present value at the start)';
COMMENT ON COLUMN start_here.cost_results.npv_ci_low_nok IS
'lower end of the 95 % interval of npv_nok, NOK (NULL: none)';
COMMENT ON COLUMN start_here.cost_results.npv_ci_high_nok IS
'upper end of the 95 % interval of npv_nok, NOK (NULL: none)';
COMMENT ON COLUMN start_here.cost_results.nok_per_extra_employed_month IS
'programme cost per extra (discounted) month in work, NOK per month';
COMMENT ON COLUMN start_here.cost_results.nok_per_extra_employed_month_ci_low IS
'lower end of its 95 % interval, NOK per month (NULL: none)';
COMMENT ON COLUMN start_here.cost_results.nok_per_extra_employed_month_ci_high IS
'upper end of its 95 % interval, NOK per month (NULL: none, or unbounded when the employment effect''s interval reaches 0)';
COMMENT ON COLUMN start_here.cost_results.break_even_employment_pp IS
'the average employment effect over the horizon at which the net present value is 0, percentage points';
