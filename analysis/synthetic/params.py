"""Parameters of the synthetic data-generating process (DGP).

All numbers a reader may want to check or change live here. Counts are calibrated at scale 1.0
and scale linearly; shares and effect sizes do not depend on the scale.
"""

from __future__ import annotations

from analysis.synthetic.calendar import m_of

# --- Population -------------------------------------------------------------------------------

PERSONS_AT_SCALE_1 = 600_000
EMPLOYERS_AT_SCALE_1 = 120_000
# Persons are processed in chunks of this size in the employment stage (memory bound).
CHUNK_PERSONS = 50_000

# Birth cohorts: everyone is of working age (15-67) throughout 2016-2024, so the untreated
# employment probability needs no age profile (see the module docstring of the generator).
BIRTH_M_MIN = m_of(1958, 1)
BIRTH_M_MAX = m_of(2000, 12)
ENTRY_M_MIN = m_of(2011, 1)  # first NAV registration
ENTRY_M_MAX = m_of(2024, 10)

IMMIGRANT_PROBS = {"A": 0.69, "B": 0.22, "C": 0.04, "E": 0.02, "F": 0.02, "G": 0.01}
FEMALE_SHARE_POPULATION = 0.49

# --- Latent employability and the untreated employment probability --------------------------

# b_i = B_LOW + (B_HIGH - B_LOW) * logistic(index_i): person-level untreated employment probability.
B_LOW, B_HIGH = 0.04, 0.85
# Common calendar effect c_t (added on the probability scale): mild seasonality, covid dip 2020.
SEASON_AMPLITUDE = 0.01
TREND_2021_2024 = 0.01  # a slightly stronger labour market from mid-2021
COVID_DIP = 0.025  # 2020-04..2020-06, fading out by 2020-12
# Employment persistence: z_it = rho z_i,t-1 + sqrt(1 - rho^2) e_it,  U_it = Phi(z_it).
RHO = 0.9

# Earnings: monthly total when employed = max(EARNINGS_FLOOR, wage_i * position_i * noise).
EARNINGS_FLOOR = 6_000
SMALL_JOB_PROB = 0.025  # per non-employed person-month
SMALL_JOB_RANGE = (200, 2_000)
SIDE_JOB_PROB = 0.10  # per job: a second employer for the whole job
JOB_CHANGE_PROB = 1 / 20  # per employed month: the job ends and a new one starts next month

# --- Arbeidstrening: the participant stock --------------------------------------------------

STATUS_GROUPS = ("ARBEIDSSOKER", "NEDSATT_ARBEIDSEVNE", "ANNET")
# Monthly average participants (persons in a took-place ARBTREN spell) per calendar year at scale 1.
PARTICIPANTS_ANNUAL = {
    2015: 15_100,
    2016: 15_100,
    2017: 14_986,  # report §2.3
    2018: 13_300,
    2019: 11_300,
    2020: 9_100,
    2021: 7_200,
    2022: 5_515,  # report §2.3
    2023: 5_350,
    2024: 5_300,
}
NEDSATT_SHARE_ANNUAL = {
    2015: 0.44,
    2016: 0.44,
    2017: 0.45,
    2018: 0.49,
    2019: 0.54,
    2020: 0.58,
    2021: 0.62,
    2022: 0.665,  # report §2.3: two thirds
    2023: 0.67,
    2024: 0.67,
}
ANNET_SHARE = 0.03
# The stock is simulated from this month (burn-in before the window), ramping up over a year.
AT_FIRST_M = m_of(2014, 7)
AT_RAMP_MONTHS = 12
# Composition of the participant stock per status group: women, and under 30 (age at the month).
FEMALE_SHARE = {"ARBEIDSSOKER": 0.53, "NEDSATT_ARBEIDSEVNE": 0.53, "ANNET": 0.53}
YOUNG_SHARE = {"ARBEIDSSOKER": 0.50, "NEDSATT_ARBEIDSEVNE": 0.385, "ANNET": 0.50}
REPEAT_SHARE = 0.10  # share of starts that are a person's second spell
REPEAT_MIN_GAP_MONTHS = 3
# Selection of starters: log weight = -SEL_B * b_i + SEL_IMMIGRANT * (B) + SEL_LOW_EDU * (nus<=2).
SEL_B = 6.0
SEL_IMMIGRANT = 0.3
SEL_LOW_EDU = 0.2

# Durations. First agreed period (months) and its probabilities by status group.
PLANNED_MONTHS = (1, 2, 3, 4, 6, 9, 12)
PLANNED_PROBS = {
    "ARBEIDSSOKER": (0.08, 0.14, 0.46, 0.05, 0.20, 0.04, 0.03),
    "NEDSATT_ARBEIDSEVNE": (0.04, 0.09, 0.44, 0.05, 0.28, 0.05, 0.05),
    "ANNET": (0.08, 0.12, 0.46, 0.05, 0.22, 0.04, 0.03),
}
EXTENSION_PROB = {"ARBEIDSSOKER": 0.33, "NEDSATT_ARBEIDSEVNE": 0.48, "ANNET": 0.35}
EXTENSION_MONTHS = 3
CAP_MONTHS = {"ARBEIDSSOKER": 12, "NEDSATT_ARBEIDSEVNE": 18, "ANNET": 12}
# Participant status of spells that took place (GJENN is set for spells ongoing at extraction).
OUTCOME_PROBS = {"FULLF": 0.76, "DELAVB": 0.16, "GJENN_AVB": 0.08}
# Autumn-2022 shock: wage subsidies stopped, AT spells extended instead.
SHOCK_FIRST_M = m_of(2022, 9)
SHOCK_LAST_M = m_of(2023, 12)
SHOCK_EXTENSION_PROB = 0.6
SHOCK_WAGE_SUBSIDY_FACTOR = 0.2
# Not-started ARBTREN rows, relative to the number of took-place spells.
NOT_STARTED_SHARE = 0.08
NOT_STARTED_STATUS_PROBS = {
    "IKKEM": 0.24,
    "GJENN_AVL": 0.10,
    "AVSLAG": 0.15,
    "IKKAKTUELL": 0.15,
    "NEITAKK": 0.10,
    "FEILREG": 0.05,
    "TILBUD": 0.07,
    "JATAKK": 0.05,
    "AKTUELL": 0.04,
    "VENTELISTE": 0.03,
    "INFOMOETE": 0.02,
}

# --- Digital agreements and purposes --------------------------------------------------------

# Coverage of took-place spells by a digital agreement, by start month (linear between knots).
COVERAGE_KNOTS = (
    (m_of(2018, 12), 0.0),
    (m_of(2019, 1), 0.05),
    (m_of(2019, 12), 0.62),
    (m_of(2020, 12), 0.86),
    (m_of(2021, 12), 0.93),
    (m_of(2022, 6), 0.965),
    (m_of(2024, 12), 0.975),
)
PURPOSE_SHARES = {  # rank-1 purpose among agreements (report Figur 2-1, 2021)
    "ARBEIDSERFARING": 0.38,
    "FAA_JOBB_I_BEDRIFTEN": 0.26,
    "UTPROVING": 0.17,
    "OPPNAA_FAGBREV_KOMPETANSEBEVIS": 0.07,
    "SPRAAKOPPLAERING": 0.06,
    "ANNET": 0.06,
}
SECOND_PURPOSE_PROB = 0.17
ANNULLED_SHARE_NOT_STARTED = 0.35  # of not-started spells in the digital era
ANNULLED_SHARE_TOOK_PLACE = 0.015  # took-place spells with an extra, annulled agreement first

# --- Planted effects on the employment probability (percentage points / 100) ---------------

LOCKIN = {"ARBEIDSSOKER": -0.10, "NEDSATT_ARBEIDSEVNE": -0.08, "ANNET": -0.09}
# The lock-in is scaled by min(1, b_i / LOCKIN_B_REF) so that p0 + tau stays >= 0.
LOCKIN_B_REF = 0.12
POST_EFFECT = {
    "FAA_JOBB_I_BEDRIFTEN": 0.10,
    "ARBEIDSERFARING": 0.05,
    "OPPNAA_FAGBREV_KOMPETANSEBEVIS": 0.03,
    "SPRAAKOPPLAERING": 0.03,
    "UTPROVING": 0.01,
    "ANNET": 0.01,
}
POST_RAMP_MONTHS = {
    "FAA_JOBB_I_BEDRIFTEN": 3,
    "ARBEIDSERFARING": 3,
    "OPPNAA_FAGBREV_KOMPETANSEBEVIS": 12,
    "SPRAAKOPPLAERING": 6,
    "UTPROVING": 3,
    "ANNET": 3,
}
GROUP_MULTIPLIER = {"ARBEIDSSOKER": 1.3, "NEDSATT_ARBEIDSEVNE": 0.8, "ANNET": 1.0}

# --- Employers after AT and wage subsidies --------------------------------------------------

# Probability that a job starting 1-12 months after an AT exit is at the AT employer.
SAME_EMPLOYER_PROB = {
    "FAA_JOBB_I_BEDRIFTEN": 0.8,
    "ARBEIDSERFARING": 0.2,
    "OPPNAA_FAGBREV_KOMPETANSEBEVIS": 0.3,
    "SPRAAKOPPLAERING": 0.1,
    "UTPROVING": 0.1,
    "ANNET": 0.1,
}
# Probability that such a job (starting within 3 months of exit) begins with MIDLONTIL.
WAGE_SUBSIDY_AFTER_AT_PROB = {
    "FAA_JOBB_I_BEDRIFTEN": 0.6,
    "ARBEIDSERFARING": 0.35,
    "OPPNAA_FAGBREV_KOMPETANSEBEVIS": 0.3,
    "SPRAAKOPPLAERING": 0.3,
    "UTPROVING": 0.35,
    "ANNET": 0.3,
}
OTHER_MIDLONTIL_PROB = 0.03  # per job of persons ever registered, not after AT
OTHER_VARLONTIL_PROB = 0.02  # per job (>= 6 months) of persons ever NEDSATT
