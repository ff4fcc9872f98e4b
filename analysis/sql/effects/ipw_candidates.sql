-- Month x candidate design of the dynamic IPW (Sianesi) estimator.
-- For every month m in [$m_lo, $m_hi] (month_index): the starters of m (first took-place AT
-- spell starting in m, status group ARBEIDSSOKER or NEDSATT_ARBEIDSEVNE) and a random sample of
-- the eligible non-starters of m (registered at NAV in m, first AT start after m or never).
-- Sampling: Bernoulli with probability f_m = least(1, $ratio * starters_m / eligible_m), decided
-- by a hash of (person_id, month_index, $seed) so the draw is reproducible. Covariates of month m
-- and the benefit flags of month m - 1 come from panel.person_month; employment and registration
-- histories are added from the dense arrays (analysis.effects.ipw).
CREATE OR REPLACE TEMP TABLE _eff_ipw_candidates AS
WITH first_spell AS (
    SELECT person_id,
           (start_ym // 100) * 12 + (start_ym % 100) - 1 AS start_mi,
           status_group
    FROM panel.at_spells
    WHERE spell_seq = 1
),
reg AS (
    SELECT pm.person_id, pm.month_index, pm.age, pm.gender, pm.immigrant_category,
           pm.nus_level, pm.nav_status, pm.innsatsgruppe,
           f.start_mi, f.status_group
    FROM panel.person_month pm
    LEFT JOIN first_spell f USING (person_id)
    WHERE pm.registered
      AND pm.month_index BETWEEN $m_lo AND $m_hi
      AND (f.start_mi IS NULL OR f.start_mi >= pm.month_index)
),
cand AS (
    SELECT *,
           coalesce(start_mi = month_index
                    AND status_group IN ('ARBEIDSSOKER', 'NEDSATT_ARBEIDSEVNE'), FALSE) AS is_starter,
           (start_mi IS NULL OR start_mi > month_index) AS is_eligible
    FROM reg
),
counts AS (
    SELECT month_index,
           count(*) FILTER (WHERE is_starter) AS n_starters,
           count(*) FILTER (WHERE is_eligible) AS n_eligible
    FROM cand
    GROUP BY month_index
),
sampled AS (
    SELECT c.*, k.n_starters, k.n_eligible,
           least(1.0, $ratio * k.n_starters / greatest(k.n_eligible, 1)) AS f
    FROM cand c JOIN counts k USING (month_index)
    WHERE k.n_starters > 0
      AND (c.is_starter
           OR (c.is_eligible
               AND hash(c.person_id, c.month_index, $seed) / 18446744073709551616.0
                   < least(1.0, $ratio * k.n_starters / greatest(k.n_eligible, 1))))
)
SELECT p.pidx, s.month_index, s.is_starter, s.f, s.n_starters, s.n_eligible,
       s.age, s.gender, s.immigrant_category, s.nus_level, s.nav_status,
       coalesce(s.innsatsgruppe, 'NONE') AS innsatsgruppe,
       b.aap AS aap_lag1, b.dagpenger AS dagpenger_lag1, b.tiltakspenger AS tiltakspenger_lag1,
       b.uforetrygd AS uforetrygd_lag1, b.sosialhjelp AS sosialhjelp_lag1, b.kvp AS kvp_lag1
FROM sampled s
JOIN _eff_persons p USING (person_id)
JOIN panel.person_month b
  ON b.person_id = s.person_id AND b.month_index = s.month_index - 1
ORDER BY s.month_index, p.pidx
