"""The study's design, written once: windows, horizons, estimators, outcomes, code groups, dates.

Every module that needs one of these facts imports it from here (SQL builders pass them in as
parameters), so a change of design is a change of one line. Input code lists (programme codes,
statuses, purposes, benefits) are the input contract's and live in `analysis.contract`; this
module holds what the *study* decides on top of them.
"""

from __future__ import annotations

import numpy as np

# --- Event time (months since the first Arbeidstrening start; 0 = the start month) ----------

EVENT_TIME_MIN = -12
EVENT_TIME_MAX = 36
EVENT_TIMES = np.arange(EVENT_TIME_MIN, EVENT_TIME_MAX + 1)
# A treated cohort needs this many months of history inside the window (analysis window start).
PRE_MONTHS_REQUIRED = 12
# Cohort sentinel for "never treated" in month-offset arrays.
NEVER = 10**6

# Months from start valued in the cost analysis (the last estimated event time).
COST_HORIZON_MONTHS = EVENT_TIME_MAX

# Summary measures of an event study: name -> {event_time: weight}.
LOCK_IN_MONTHS = (0, 5)
SUMMARY_MEASURES: dict[str, dict[int, float]] = {
    "lock_in_0_5": {e: 1 / 6 for e in range(0, 6)},
    "mean_12_23": {e: 1 / 12 for e in range(12, 24)},
    "at_12": {12: 1.0},
    "at_24": {24: 1.0},
    "at_36": {36: 1.0},
    "post_mean_0_36": {e: 1 / 37 for e in range(0, 37)},
}

# --- Estimators and outcomes ----------------------------------------------------------------

HEADLINE_ESTIMATOR = "callaway_santanna_dr"
HEADLINE_OUTCOME = "employed"
# One spelling per outcome, used by effects, costs and the report alike.
OUTCOMES = ("employed", "earnings_nok", "not_any_benefit")

# --- Transitions after exit ------------------------------------------------------------------

TRANSITION_HORIZONS = (1, 3, 6, 12, 24)

# State k months after exit (marts.transitions; panel.person_month.state): the first that holds,
# in this order of priority.
EXIT_STATES = (
    "IN_ARBEIDSTRENING",
    "WAGE_SUBSIDY",
    "OTHER_PROGRAMME",
    "EMPLOYED",
    "EDUCATION",
    "UFORETRYGD",
    "AAP",
    "JOBSEEKER",
    "NONE",
)
# NAV's statistic "status etter tiltak" (marts.nav_exit_status): status six months after an exit,
# the first that holds, in this order.
NAV_EXIT_STATUSES = (
    "I_ARBEID",
    "ARBEID_OG_YTELSE",
    "ARBEIDSSOKER",
    "NEDSATT_ARBEIDSEVNE",
    "UFORE",
    "ANNET",
)

# --- Groups ------------------------------------------------------------------------------------

STATUS_GROUPS = ("ARBEIDSSOKER", "NEDSATT_ARBEIDSEVNE", "ANNET")
# Status group of a spell with no NAV status on its start date.
NO_STATUS_GROUP = "ANNET"
# Purpose of a spell without a governing agreement or without a rank-1 purpose.
UNKNOWN_PURPOSE = "UKJENT"
# Innsatsgruppe of a person without one recorded (profile tables).
UNKNOWN_INNSATSGRUPPE = "UKJENT"
ALL = "ALL"

# --- Policy dates ----------------------------------------------------------------------------

# Autumn 2022: many NAV offices stopped granting wage subsidies for budget reasons.
WAGE_SUBSIDY_STOP_MONTH = "2022-09"

# --- Outcomes with a planted truth in the synthetic register (issue 11) ------------------------

# Medium-run summary: the mean effect over months 12-23 after start (the yardstick).
MEDIUM_RUN_MONTHS = (12, 23)
# Benefit receipt in a month, one outcome per benefit (panel.person_month columns) and any.
BENEFIT_OUTCOMES = ("aap", "dagpenger", "tiltakspenger", "uforetrygd", "sosialhjelp", "kvp")
ANY_BENEFIT_OUTCOME = "any_benefit"
# The outcome each registered purpose aims at (DOMAIN.md chain of effects; the definitions of
# marts.intended_outcomes, lower-cased): the outcome name per purpose of the first spell.
INTENDED_OUTCOME_BY_PURPOSE = {
    "ARBEIDSERFARING": "employed",
    "FAA_JOBB_I_BEDRIFTEN": "employed_or_wage_subsidy_same_employer",
    "UTPROVING": "programme_aap_or_employed",
    "OPPNAA_FAGBREV_KOMPETANSEBEVIS": "apprenticeship_or_education",
    "SPRAAKOPPLAERING": "employed_education_or_programme",
    "ANNET": "employed",
    UNKNOWN_PURPOSE: "employed",
}
# Subgroup dimensions of the effects (subgroup = "dimension=value"): age at start.
AGE_GROUP_LIMIT = 30  # under_30: age at start < 30; 30_plus otherwise
AGE_GROUPS = ("under_30", "30_plus")

# --- Reporting of effects (issue 13) -------------------------------------------------------

# A subgroup effect is reported as a finding only with at least this many treated persons at the
# start (event time 0); smaller groups are shown greyed out and never summarised.
MIN_SUBGROUP_TREATED = 100

# --- The headline design (issue 11; analysis/effects/headline.py, METHODS.md) ------------------

# Anticipation window: the base month of cohort g is g - 13, before the pre-programme dip. In the
# registers (and the synthetic world) participants' employment falls over the year before start
# (Ashenfelter 1978; Heckman & Smith 1999: the dip begins 6-12 months before entry); months
# g-12..g-1 are treated as affected by selection, not as pre-periods.
HEADLINE_ANTICIPATION_MONTHS = 12
# How the headline conditions on the outcome history: "levels" = employment in each month of the
# dip window and of the 12 months before the base month as levels, employment and earnings at
# the base month, months since last employed; "changes" = the same months as changes from the
# base month (no level). Conditioning on levels handles selection on the dip exactly but matches
# starters to comparisons of the same record and higher persistent employability (regression to
# the mean); the long base below differences that out. Changes leave the level of zero-change
# histories (never or always employed) unresolved, which biased the former headline (+1.7 pp at
# 12-23 months at scale 1.0; +6 pp without registration churn; METHODS.md).
HEADLINE_COVARIATE_HISTORY = "levels"
# Months of employment history before the base month that enter the covariates (in both variants).
HEADLINE_PRE_BASE_HISTORY_MONTHS = 12
# Base of the headline's differences: 0 = the single base month g - anticipation - 1; L > 0 = the
# mean outcome over the L months before the covariates' pre-base history (g-k-1-12-L ..
# g-k-1-12-1 = g-49..g-26 for the headline), so that the history conditioned on and the base do
# not overlap: with history in levels this differences out the persistent employability that
# conditioning on levels leaves (Heckman, Ichimura & Todd 1997; Chabe-Ferret 2015; METHODS.md
# "The long base"). Cohorts need g >= anticipation + 1 + 12 + L months of panel before the start.
HEADLINE_BASE_WINDOW_MONTHS = 24
# A cohort whose propensity model fails with the full covariate set (separation or overlap, in
# small cohorts): "reduced" = refit with a reduced set (age, gender, status, benefit, employment
# in the dip window and before the base as sums of changes); "none" = leave the cohort out
# (marts.effects_cohorts_left_out). Measured on the hard world at scale 0.02, where about 45 % of
# cohorts need it: the reduced set alone is 5.5-8 pp too low at 12-23 months (METHODS.md).
HEADLINE_COVARIATE_FALLBACK = "reduced"
# Thresholds of the headline's design gate (analysis/effects/METHODS.md "Design gate").
GATE_ALPHA = 0.05  # pre-trend tests pass when p >= this
GATE_OVERLAP_MAX_SHARE = 0.05  # share of treated with propensity score > 0.9
GATE_BALANCE_MAX_SMD = 0.10  # mean |standardised mean difference| after weighting
# Leads of an outcome whose own history is a covariate are a balance check, judged by
# equivalence (Hartman & Hidalgo 2018): every lead's 90 % interval within +-this margin (outcome
# units: 0.01 = 1 percentage point of employment). A Wald test would reject negligible
# imbalances of a few small cohorts in large samples.
GATE_LEAD_EQUIVALENCE_MARGIN = 0.01
GATE_EQUIVALENCE_Z = 1.6448536269514722  # two one-sided 5 % tests = a 90 % interval
# The long base's placebo (the months of the base window) fails only when the Wald test rejects
# AND some month's 90 % interval reaches beyond +-this margin (outcome units): a significant but
# negligible drift does not block (at scale 1.0 the employment gap drifts by ~1 pp over the
# window, p < 1e-10, while the 12-23-month estimate is within 0.1 pp of the truth; METHODS.md).
# 2 pp is the tolerance for the 12-23-month mean.
GATE_PLACEBO_EQUIVALENCE_MARGIN = 0.02
# Earliest lead estimated by the headline: the first month of the base window (g - 49). The leads
# in the base window are the design's placebo (the gap between starters and comparisons within
# the base window, relative to its mean; 0 when the gap was stable); the leads after it are
# months conditioned on.
HEADLINE_LEAD_MIN = -(
    HEADLINE_ANTICIPATION_MONTHS
    + 1
    + HEADLINE_PRE_BASE_HISTORY_MONTHS
    + HEADLINE_BASE_WINDOW_MONTHS
)
# At most this many comparison persons per treated person and cohort (uniform random subsample,
# seeded by cohort), but never fewer than HEADLINE_MIN_COMPARISONS (or all there are). The cap
# bounds the cost at full scale, where a cohort has hundreds of starters; in small cohorts it is
# not free: with 40 starters, 800 comparisons and about 50 covariates the estimate is biased
# (hard world, scale 0.05, 8 seeds, against all comparisons: employment -0.8 pp at 12-23 months,
# -0.6 in the lock-in; a bias of the outcome regression and the weighting alone too, and not the
# propensity score's overfitting: Firth's penalised logit leaves it) and its SEs are 30 % wider.
# 2,000 (about 40 per covariate) recovers nearly all of it; at scale 1.0 it adds comparisons to
# small subgroups only (the purpose family, about +28 %). METHODS.md "Comparisons per cohort".
HEADLINE_MAX_COMPARISON_RATIO = 20.0
HEADLINE_MIN_COMPARISONS = 2_000
# Comparison group of the headline: "not_yet_treated" (not started AT by the cohort's start month,
# incl. never treated) or "never_treated" (no AT start in the window); registered at NAV in g - 1.
HEADLINE_COMPARISON = "not_yet_treated"
# Comparisons must have been able to start in month g as the cohort's starters did: a comparison
# in another labour-market programme or a wage subsidy in g - 1 (`in_programme`) is used only if
# some starter of the cohort was too (common support on the state in g - 1, an exact stratum), and
# the state is a covariate when starters are found in both. In the synthetic world nobody starts
# straight from another programme; keeping the 16 % of registered comparisons who were in one put
# benefit receipt in the lock-in 1.7 pp too low at scale 1.0 (their tiltakspenger runs on into
# months 0-5; METHODS.md "Comparisons who could have started").
HEADLINE_EXACT_STRATA = ("in_programme",)
# What the headline estimates. "start_vs_never" (the estimand of truth.json and of the study's
# question): starting AT in month g against never starting, the comparisons' later AT taken out
# (each comparison cohort's doubly robust share of later starters j months on times the effect
# at e - j, solved forward; assumes a later start has the effect, at the same months since start,
# of the starts from the same state: HEADLINE_LATER_START_BENEFITS).
# "start_now_vs_later" (Sianesi 2004): against not starting by g, the comparisons followed
# whatever they do later (their own later AT and its tiltakspenger included: at scale 1.0 that
# alone put benefit receipt in the lock-in 3.6 pp below the never-start truth; METHODS.md).
HEADLINE_ESTIMAND = "start_vs_never"
# For "start_vs_never": the effect of a comparison's later start is that of the starts from the
# same state in the month before (NAV status x the first of these benefit groups received, or
# none), not of all starts: in the hard world a start moves benefits by state (tiltakspenger is
# paid only to those without AAP, dagpenger or uføretrygd), and the comparisons who start later
# start from other states than the cohort's starters did (METHODS.md, "Later starts by state").
HEADLINE_LATER_START_BENEFITS = (("aap", "uforetrygd"), ("dagpenger",))
# A state's own effect is used from this many starters behind it at the event time; below it the
# effect of all starts stands in.
HEADLINE_LATER_START_MIN_STARTERS = 30
# The headline's mean bias for months 12-23 (pp of employment) in eight synthetic worlds (hard,
# each of six hard-world features off, easy; scale 0.05, 3-10 seeds each; METHODS.md "The long
# base"; measured again on the same seeds in stop 29 with later starts by state, -2.3 to -0.3,
# and in stop 30 with at least 2,000 comparisons per cohort; -2.0 to +0.2 before): the report
# states it where it says the design gate passed, since no gate sees all of it.
HEADLINE_MEASURED_BIAS_RANGE_PP = (-2.5, 0.4)
# How often the headline's 95 % intervals covered the truth, and its mean bias (pp), in hard
# synthetic worlds of three sizes (benchmarks/effects_coverage.py --outcomes employed any_benefit;
# METHODS.md "Why benefit receipt's intervals are short", "Coverage in larger worlds"):
# scale -> (number of worlds, {(outcome, measure): (coverage, mean bias pp)}). Scale 0.05: seeds
# 3000-3099 (stops 30-31); 0.1: seeds 4000-4049 (stop 32); 0.3: seeds 5000-5019 (stop 33). The
# SEs shrink with the size of the register and the biases do not (selection no register shows),
# so the intervals cover less often the larger the register: the report says so in its summary
# and under its table of benefits.
HEADLINE_MEASURED_COVERAGE = {
    0.05: (
        100,
        {
            ("employed", "at_12"): (0.98, -0.21),
            ("employed", "at_24"): (0.93, -1.22),
            ("any_benefit", "at_12"): (0.90, 0.67),
            ("any_benefit", "at_24"): (0.83, 1.07),
        },
    ),
    0.1: (
        50,
        {
            ("employed", "at_12"): (0.96, -0.24),
            ("employed", "at_24"): (0.82, -1.26),
            ("any_benefit", "at_12"): (0.86, 0.69),
            ("any_benefit", "at_24"): (0.88, 0.93),
        },
    ),
    0.3: (
        20,
        {
            ("employed", "at_12"): (0.85, -0.27),
            ("employed", "at_24"): (0.60, -1.12),
            ("any_benefit", "at_12"): (0.80, 0.85),
            ("any_benefit", "at_24"): (0.60, 1.22),
        },
    ),
}
# The headline's bias by purpose at 12-23 months (pp of employment), measured on the default
# hard world at scale 1.0 (seed 2024) against the truth of each purpose's cohorts (METHODS.md,
# "Why benefit receipt's intervals are short", last paragraph): purpose restricts the treated
# only, and in that world the more employable are given FAA_JOBB_I_BEDRIFTEN (the former
# headline: +4.6 and +3.0; stop 24: +1.6 and -0.9; stop 31, after the later starts by state and
# the 2,000 comparisons per cohort: +0.56 (SE 0.66) and -1.43 (0.85)).
# The report's "for whom" chapter states these two.
PURPOSE_MEASURED_BIAS_PP = {"FAA_JOBB_I_BEDRIFTEN": 0.6, "UTPROVING": -1.4}
# Mean bias at months 12-23 (pp of employment) of the former headline (history as changes from a
# single base month g-13, start now vs later; the grid's `changes_single_base`) and of the
# headline in the same eight worlds: the range over worlds.
GRID_MEASURED_BIAS_RANGE_PP = {
    "changes_single_base": (-3.3, 6.1),
    "headline": HEADLINE_MEASURED_BIAS_RANGE_PP,
}
# Outcomes the headline estimates by subgroup (every headline outcome is estimated overall).
# (the outcomes the cost analysis values by subgroup, and benefit receipt)
HEADLINE_SUBGROUP_OUTCOMES = ("employed", "earnings_nok", "not_any_benefit", "any_benefit")
# Name of the old headline, kept as the plain-DiD triangulation row (base g-1, no covariates).
PLAIN_DID_ESTIMATOR = "callaway_santanna"
# Selection-on-observables triangulation: matching on the employment history, outcome in levels.
SELECTION_ON_OBSERVABLES_ESTIMATOR = "ipw_dynamic_levels"
# Roles of estimators in marts.effects (`role`).
ESTIMATOR_ROLES = {
    "callaway_santanna_dr": "headline",
    "ipw_dynamic_levels": "selection_on_observables",
    "callaway_santanna": "plain_did",
}

# --- Outcome-specific effects: months since exit, intended outcomes (issue 11, item 5) ---------

# Anticipation window of the outcome-specific event studies (analysis.outcomes) until the
# headline's own spec is available: base period g - 7, before the steep part of the dip
# (leads e = -12..-8 remain as placebo periods for the pre-trend check).
OUTCOMES_ANTICIPATION_MONTHS = 6
# Months since the exit month of the first (completed) spell reported in marts.effects_exit.
EXIT_MONTHS = tuple(range(0, 25))
# Comparison persons per outcome event study beyond which a fixed random sample is drawn (with
# sampling weights), and the sample's seed.
OUTCOMES_MAX_COMPARISONS = 50_000
OUTCOMES_SAMPLE_SEED = 20_240_101
# Completed first spells of at most this many months (exit month - start month) enter the exit
# estimand; longer ones are too few per cohort (AT lasts up to 12 + 6 months).
EXIT_MAX_SPELL_MONTHS = 18
# The exit series uses the headline when the spell-length classes it can estimate hold at least
# this share of the completers (else the stand-in for every class).
EXIT_MIN_COVERED_SHARE = 0.9
# Summary measures by months since exit: name -> {months since exit: weight}.
EXIT_SUMMARY_MEASURES: dict[str, dict[int, float]] = {
    "exit_mean_0_5": {k: 1 / 6 for k in range(0, 6)},
    "exit_at_6": {6: 1.0},
    "exit_at_12": {12: 1.0},
    "exit_mean_12_23": {k: 1 / 12 for k in range(12, 24)},
}
# Pre-trend check of an outcome-specific series: joint Wald test of the leads before the
# anticipation window (e = EVENT_TIME_MIN .. -anticipation-2) at this level.
PRETREND_ALPHA = 0.05
# Later programmes (chaining, tiltakskjeding): monthly participation outcomes (panel.person_month
# columns) whose effects are estimated for the cost analysis, valued at a cost per month.
CHAINING_OUTCOMES = ("in_wage_subsidy", "in_other_programme")
