-- start_here.$view: the headline estimator's effect of Arbeidstrening on $outcome by subgroup
-- and months since the first start, with its 95 % interval and the treated behind it, in one
-- unit ($unit). Reads only contract columns of marts.effects: the headline estimator is the one
-- whose rows carry is_headline.
CREATE OR REPLACE VIEW start_here.$view AS
SELECT
    subgroup,
    CASE WHEN subgroup = 'ALL' THEN 'ALL' ELSE split_part(subgroup, '=', 1) END
        AS subgroup_dimension,
    CASE WHEN subgroup = 'ALL' THEN 'ALL' ELSE split_part(subgroup, '=', 2) END AS subgroup_value,
    event_time AS months_since_start,
    estimate * $scale AS effect_$suffix,
    ci_low * $scale AS ci_low_$suffix,
    ci_high * $scale AS ci_high_$suffix,
    std_error * $scale AS std_error_$suffix,
    n_treated
FROM marts.effects
WHERE outcome = '$outcome'
  AND estimator IN (SELECT estimator FROM marts.effects WHERE is_headline)
ORDER BY subgroup <> 'ALL', subgroup, event_time;

COMMENT ON VIEW start_here.$view IS
'$question One row per subgroup (ALL, or dimension=value: purpose, status group, age, gender, ...) and month since the first Arbeidstrening start (0 = the start month; negative months are before the start and should be near 0). Estimates of the headline estimator of marts.effects (the one flagged is_headline), in $unit, with the 95 % confidence interval and the number of treated persons behind each. Effects near the start are the lock-in while participating.';
COMMENT ON COLUMN start_here.$view.subgroup IS
'ALL or dimension=value, as in marts.effects';
COMMENT ON COLUMN start_here.$view.subgroup_dimension IS
'the subgroup''s dimension (purpose, status_group, age, gender, immigrant, start_year, ...), ALL for everyone';
COMMENT ON COLUMN start_here.$view.subgroup_value IS
'the subgroup''s value within its dimension, ALL for everyone';
COMMENT ON COLUMN start_here.$view.months_since_start IS
'months since the first Arbeidstrening start (marts.effects.event_time; 0 = the start month)';
COMMENT ON COLUMN start_here.$view.effect_$suffix IS
'estimated effect on the treated, in $unit';
COMMENT ON COLUMN start_here.$view.ci_low_$suffix IS
'lower end of the 95 % confidence interval, in $unit';
COMMENT ON COLUMN start_here.$view.ci_high_$suffix IS
'upper end of the 95 % confidence interval, in $unit';
COMMENT ON COLUMN start_here.$view.std_error_$suffix IS
'standard error, in $unit';
COMMENT ON COLUMN start_here.$view.n_treated IS
'treated persons behind the estimate (persons, exact)';
