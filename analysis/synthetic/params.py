"""Parameters of the synthetic data-generating process (DGP).

All numbers a reader may want to check or change live here. Counts are calibrated at scale 1.0
and scale linearly; shares, hazards and effect sizes do not depend on the scale. The features
that make the world hard for naive designs are switched by `Features` (presets `hard`, the
default, and `easy`, the earlier world in which difference-in-differences cannot fail); what each
switch does and its source in the literature is in docs/SYNTHETIC.md. Monthly hazards are
probabilities per month.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from analysis.synthetic.calendar import m_of

# --- Feature switches and presets -------------------------------------------------------------


@dataclass(frozen=True)
class Features:
    """Switches of the features that defeat naive designs (docs/SYNTHETIC.md, one section each).

    dip_selection: starters are drawn with weights on their recent untreated history (job loss,
        months since last employed, dagpenger about to run out) and on innsatsgruppe and age, so
        participants enter after a fall in employment (the pre-programme dip).
    rho: AR(1) coefficient of the monthly transitory shock in the latent employment index.
    age_profile: the untreated employment probability (and wage) follows age and potential
        experience; persons are in the registers from age 16; participants are younger.
    registration_churn: NAV registration responds to work (job loss -> registration, work ->
        deregistration); registration is held during programmes.
    responsive_benefits: dagpenger, AAP and sosialhjelp respond to work and participation
        (dagpenger after job loss with enough earnings, paid while not working; AAP graded away
        by work above 60 %; sosialhjelp as last resort), utprøving leads to AAP/uføretrygd.
    attrition: death, emigration and age 67 end a person's register presence.
    heterogeneous_effects: effects differ by age at start, immigrant background and start year
        (on top of purpose and status group, which differ in every preset).
    """

    dip_selection: bool = True
    rho: float = 0.96
    age_profile: bool = True
    registration_churn: bool = True
    responsive_benefits: bool = True
    attrition: bool = True
    heterogeneous_effects: bool = True

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


PRESETS: dict[str, Features] = {
    "hard": Features(),
    "easy": Features(
        dip_selection=False,
        rho=0.9,
        age_profile=False,
        registration_churn=False,
        responsive_benefits=False,
        attrition=False,
        heterogeneous_effects=False,
    ),
}
DEFAULT_PRESET = "hard"

# --- Population -------------------------------------------------------------------------------

PERSONS_AT_SCALE_1 = 600_000
EMPLOYERS_AT_SCALE_1 = 120_000
# Persons per chunk in the employment stage (memory bound).
CHUNK_PERSONS = 25_000

# The monthly simulation runs from SIM_FIRST_M (burn-in for the status process and the history
# that selection into arbeidstrening looks at) to the window end.
SIM_FIRST_M = m_of(2013, 1)

# Birth cohorts. Easy: everyone of working age (16-66) throughout, no age profile. Hard: cohorts
# 1950-2006, in the registers from age 16 to 66 (attrition: the month before the 67th birthday).
BIRTH_RANGE = {"easy": (m_of(1958, 1), m_of(2000, 12)), "hard": (m_of(1950, 1), m_of(2006, 12))}
BIRTH_BETA = {"easy": (1.35, 1.0), "hard": (1.4, 1.0)}  # Beta(a, b) over the range: young skew
REGISTER_FROM_AGE = 16
REGISTER_UNTIL_AGE = 67
# First NAV contact: a share is registered when the simulation starts; the others' first
# contact (a registration that always happens) is uniform over SIM_FIRST_M..ENTRY_M_MAX.
REGISTERED_AT_START = 0.30
ENTRY_M_MAX = m_of(2024, 10)

IMMIGRANT_PROBS = {"A": 0.69, "B": 0.22, "C": 0.04, "E": 0.02, "F": 0.02, "G": 0.01}
FEMALE_SHARE_POPULATION = 0.49
# Immigrants (B) arriving during the simulation (else before it); arrival uniform to 2024-06.
ARRIVAL_IN_SIM_SHARE = 0.35

# Attrition (feature `attrition`). Death: Gompertz hazard exp(ln_a + b * age + c * h) per year
# (about 0.15 % at 40 and 0.9 % at 60: Norwegian life tables (SSB) doubled for a NAV population,
# higher with health problems h). Emigration per year by immigrant category (SSB: many
# immigrants leave within a few years of arrival).
MORTALITY_LN_A = -10.1
MORTALITY_B = 0.09
MORTALITY_H = 0.35
EMIGRATION_PER_YEAR = {"A": 0.002, "B": 0.035, "C": 0.006, "E": 0.005, "F": 0.005, "G": 0.005}

# --- Latent employability and the untreated employment probability --------------------------

# b_i = B_LOW + (B_HIGH - B_LOW) * logistic(index_i): person part of the untreated employment
# probability (at prime age in the hard world).
B_LOW, B_HIGH = 0.04, 0.85
# Common calendar effect c_t (added on the probability scale): mild seasonality, covid dip 2020.
SEASON_AMPLITUDE = 0.01
TREND_2021_2024 = 0.01  # a slightly stronger labour market from mid-2021
COVID_DIP = 0.025  # 2020-04..2020-06, fading out by 2020-12
# Untreated employment: Y0_it = 1{Phi(z_it) < p0_it}, z_it AR(1) with coefficient Features.rho.

# Age and experience profile (feature `age_profile`), added to the latent index:
#   A_EXP * (exp(-PEXP_REF / TAU_EXP) - exp(-pexp / TAU_EXP))   potential experience (concave)
#   - A_SCHOOL while younger than the school-leaving age of the person's education
#   - A_OLD * max(0, age - 55) / 10
# pexp = max(0, age - school-leaving age). About +2.5 pp employment a year in the early twenties
# (Mincer 1974; Norwegian employment rates by age, SSB AKU: 20-24 ~65 %, 25-29 ~75 %, 30-54 ~83 %).
A_EXP = 1.1
TAU_EXP = 6.0
PEXP_REF = 10.0
A_SCHOOL = 0.7
A_OLD = 0.55
LEAVE_AGE_BY_NUS = (16, 16, 16, 18, 19, 20, 22, 24, 28, 18)
# Wage growth with experience (log points per year of potential experience, and its square).
WAGE_EXP = 0.04
WAGE_EXP2 = -0.0008

# Earnings: monthly total when employed = max(EARNINGS_FLOOR, wage_i * position_i * noise).
EARNINGS_FLOOR = 6_000
SMALL_JOB_PROB = 0.025  # per non-employed person-month
SMALL_JOB_RANGE = (200, 2_000)
SIDE_JOB_PROB = 0.10  # per job: a second employer for the whole job
JOB_CHANGE_PROB = 1 / 20  # per employed month: the job ends and a new one starts next month

# --- NAV registration (monthly status process) ------------------------------------------------

# At first contact: NEDSATT_ARBEIDSEVNE with logistic(-1 + 1.1 h - 0.4 eta + 0.025 (age - 40)).
# Hazards of entering registration from none (not at the first contact), by feature:
#   registration_churn: after job loss (employed last month, not this month) AS with
#   P_AS_AFTER_JOB_LOSS; while not employed H_AS_ENTRY (x YOUTH_AS_ENTRY under 25).
#   otherwise: H_AS_ENTRY_EASY regardless of work.
# NEDSATT entry: H_NED_ENTRY (x NED_AFTER_LOSS_MULT after a job loss, x NED_EMPLOYED_MULT while
# employed) x exp(NED_H * h - NED_H^2 / 2).
P_AS_AFTER_JOB_LOSS = 0.45
H_AS_ENTRY = 0.010
YOUTH_AS_ENTRY = 1.5
H_AS_ENTRY_EASY = 0.025
H_NED_ENTRY = 0.0030
NED_AFTER_LOSS_MULT = 8.0
NED_EMPLOYED_MULT = 0.3
NED_H = 0.9
# Leaving ARBEIDSSOKER: with churn, P_AS_EXIT_EMPLOYED in a month with work, else H_AS_EXIT;
# without churn H_AS_EXIT_EASY. To NEDSATT: H_AS_TO_NED x the health factor.
P_AS_EXIT_EMPLOYED = 0.60
H_AS_EXIT = 0.05
H_AS_EXIT_EASY = 0.10
H_AS_TO_NED = 0.010
# Leaving NEDSATT_ARBEIDSEVNE: with churn P_NED_EXIT_EMPLOYED in a month with work, else
# H_NED_EXIT; without churn H_NED_EXIT_EASY; to ARBEIDSSOKER H_NED_TO_AS.
P_NED_EXIT_EMPLOYED = 0.08
H_NED_EXIT = 0.006
H_NED_EXIT_EASY = 0.012
H_NED_TO_AS = 0.006
# Uføretrygd (absorbing until the register presence ends) after at least UFORE_MIN_MONTHS in
# NEDSATT: H_UFORE x exp(UFORE_H * (h - 1) + UFORE_AGE * (age - 45)). Nossen (2021, 2023): of
# persons with reduced work capacity starting a programme, nearly 4 in 10 uføre after 5 years.
H_UFORE = 0.009
UFORE_H = 0.5
UFORE_AGE = 0.04
UFORE_MIN_MONTHS = 12
# Innsatsgruppe drawn per status spell (STANDARD, SITUASJONSBESTEMT, SPESIELT, VARIG, none).
INNSATS_PROBS = {1: (0.48, 0.37, 0.10, 0.02, 0.03), 2: (0.0, 0.12, 0.70, 0.15, 0.03)}

# --- Benefits ---------------------------------------------------------------------------------

# AAP (folketrygdloven kap. 11): for P_AAP of NEDSATT spells, at most AAP_MAX_MONTHS (48 until
# 2017, 36 from 2018). responsive_benefits: graded by work, not paid in a month of work above
# AAP_MAX_POSITION % (folketrygdloven § 11-23); at exhaustion, to ARBEIDSSOKER with
# H_AAP_EXHAUSTED_TO_AS a month.
P_AAP = 0.85
AAP_MAX_MONTHS_BEFORE_2018 = 48
AAP_MAX_MONTHS = 36
AAP_REFORM_M = m_of(2018, 1)
AAP_MAX_POSITION = 60.0
H_AAP_EXHAUSTED_TO_AS = 0.10
# Dagpenger (folketrygdloven kap. 4). responsive_benefits: on registering after a job loss with
# at least DP_MIN_RECENT_MONTHS of recent work (about 1.5 G in the last 12 months); 104 weeks if
# monthly pay >= DP_LONG_MONTHLY_NOK (about 2 G a year), else 52; paid in months of
# registration as job seeker without work, resumed after short jobs. Recent work: an
# exponentially weighted count of employed months, decay RECENT_DECAY a month.
DP_MIN_RECENT_MONTHS = 6.0
DP_LONG_MONTHLY_NOK = 16_000
RECENT_DECAY = 0.92
# Without responsive benefits (easy): at AS entry with probability clip(1.6 (b - 0.15), 0, 0.75),
# 24 months if b > 0.45 else 12, paid while registered regardless of work.
# Sosialhjelp (sosialtjenesteloven § 18, last resort). Monthly: stay SH_STAY, enter
# SH_ENTRY * clip((0.55 - b) / 0.5, 0.05, 1) (x SH_REGISTERED_MULT while registered);
# responsive_benefits: only in months without work and without another benefit.
SH_STAY = 0.85
SH_ENTRY = 0.06
SH_REGISTERED_MULT = 1.5
SH_UNREGISTERED_MULT = 0.4

# --- Other programmes (monthly, while registered and not in arbeidstrening) -----------------

# code: (monthly start hazard while ARBEIDSSOKER, while NEDSATT, median months). With
# registration_churn they start only in months without work.
OTHER_PROGRAMMES = {
    "GRUPPEAMO": (0.0090, 0.0035, 3),
    "ENKELAMO": (0.0035, 0.0015, 5),
    "GRUFAGYRKE": (0.0008, 0.0010, 8),
    "ENKFAGYRKE": (0.0004, 0.0010, 12),
    "HOYEREUTD": (0.0, 0.0004, 24),
    "ARBFORB": (0.0008, 0.0080, 9),
    "INDOPPFAG": (0.0035, 0.0100, 8),
    "AVKLARAG": (0.0008, 0.0070, 3),
    "UTVAOONAV": (0.0, 0.0020, 6),
    "JOBBK": (0.0045, 0.0006, 3),
    "DIGIOPPARB": (0.0030, 0.0006, 1),
    "IPSUNG": (0.0, 0.0015, 10),
    "VASV": (0.0, 0.0006, 30),
    "VATIAROR": (0.0, 0.0008, 18),
    "PRAKSORD": (0.0003, 0.0003, 4),
}
DIGIOPPARB_FROM_M = m_of(2020, 3)
PROGRAMME_END_PROBS = {"FULLF": 0.8, "DELAVB": 0.15, "GJENN_AVB": 0.05}
PROGRAMME_NOT_STARTED_SHARE = 0.06
# Chains: another programme 1-3 months after an arbeidstrening spell ends.
CHAIN_CODES = {
    "ARBEIDSSOKER": (("GRUPPEAMO", 0.4), ("ENKELAMO", 0.15), ("JOBBK", 0.25), ("INDOPPFAG", 0.2)),
    "NEDSATT_ARBEIDSEVNE": (
        ("ARBFORB", 0.3),
        ("INDOPPFAG", 0.35),
        ("AVKLARAG", 0.15),
        ("GRUPPEAMO", 0.2),
    ),
}
CHAIN_PROB = {"ARBEIDSSOKER": 0.2, "NEDSATT_ARBEIDSEVNE": 0.3, "ANNET": 0.0}
CHAIN_MEDIAN_MONTHS = 4

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
MIN_AGE_AT = 16
# Selection of first starters within a status group x gender x age cell (Gumbel top-k), log
# weight = -SEL_B * b_i + SEL_IMMIGRANT * (B) + SEL_LOW_EDU * (nus <= 2)  [every preset]
# (with dip_selection the persistent unobserved part has the smaller weight SEL_B_WITH_HISTORY:
# selection then runs mainly through the observed history, which removes most of the selection
# bias in register data (Lechner & Wunsch 2013); what is left makes matching on the employment
# history alone biased by about -2 pp, as in the outside check)
# + dip_selection terms:
#   SEL_DIP[group][k] for the months since last employed, d, bucketed by SEL_DIP_BOUNDS
#       (d = 0: employed last month; the last bucket: not employed in the last 24 months);
#   SEL_DP_EXHAUSTING if dagpenger runs out within 3 months (Sianesi 2004);
#   SEL_INNSATS by innsatsgruppe (STANDARD, SITUASJONSBESTEMT, SPESIELT, VARIG, none);
#   SEL_AGE_OVER_30 per year over 30 (in the 30+ cell), SEL_AGE_UNDER_18 under 18.
SEL_B = 6.0
SEL_B_WITH_HISTORY = 1.5
SEL_IMMIGRANT = 0.3
SEL_LOW_EDU = 0.2
SEL_DIP_BOUNDS = (0, 1, 4, 7, 13, 25)  # bucket k holds bounds[k] <= d < bounds[k+1]; last: d >= 25
SEL_DIP = {
    "ARBEIDSSOKER": (-2.0, 2.0, 2.3, 1.8, 1.0, 0.0),
    "NEDSATT_ARBEIDSEVNE": (-2.0, 1.4, 1.5, 1.2, 0.8, 0.0),
    "ANNET": (-2.5, 1.5, 1.5, 1.0, 0.5, 0.0),
}
SEL_DP_EXHAUSTING = 0.6
SEL_INNSATS = (-1.2, 0.4, 0.3, -1.5, 0.0)
SEL_AGE_OVER_30 = -0.05
SEL_AGE_UNDER_18 = -1.5

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
# The lock-in is scaled by min(1, p0_it / LOCKIN_P_REF) so that p0 + tau stays >= 0.
LOCKIN_P_REF = 0.12
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
# heterogeneous_effects: multipliers of the lock-in and of the post-programme effect.
# Age at start (von Simson 2012: lock-in for youth and no clear effect after; Card, Kluve &
# Weber 2018: smaller effects for youth); immigrants (B) (Zhang 2016: immigrants gain most;
# Hardoy & Zhang 2019: refugees no lock-in); start year (2020: covid; 2022-23: the wage-subsidy
# stop closed the usual route to a job at the firm; otherwise planted assumptions).
AGE_LOCKIN_MULT = {"under_30": 1.25, "30_plus": 0.9}
AGE_POST_MULT = {"under_30": 0.5, "30_plus": 1.25}
IMMIGRANT_LOCKIN_MULT = {"B": 0.6, "other": 1.0}
IMMIGRANT_POST_MULT = {"B": 1.4, "other": 1.0}
START_YEAR_POST_MULT = {
    2014: 1.0,
    2015: 1.0,
    2016: 1.0,
    2017: 1.0,
    2018: 1.05,
    2019: 1.1,
    2020: 0.85,
    2021: 1.1,
    2022: 0.75,
    2023: 0.85,
    2024: 1.0,
}

# Effects on the purposes' intended outcomes (every preset): wage subsidy / job at the AT
# employer (below), apprenticeship after OPPNAA_FAGBREV (APPRENTICESHIP_AFTER_FAG), a targeted
# programme after any spell (CHAIN_PROB, x UTPROVING_CHAIN_MULT after utprøving, a longer one of
# UTPROVING_CHAIN_MEDIAN_MONTHS: a more targeted follow-up such as AFT or INDOPPFAG); with
# responsive_benefits, utprøving also leads job seekers to NEDSATT/AAP (UTPROVING_TO_NEDSATT,
# at exit) and raises the uføretrygd hazard for UTPROVING_UFORE_MONTHS after exit.
APPRENTICESHIP_AFTER_FAG = 0.35
UTPROVING_CHAIN_MULT = 2.2
UTPROVING_CHAIN_MEDIAN_MONTHS = 7
UTPROVING_TO_NEDSATT = 0.25
UTPROVING_UFORE_MULT = 1.5
UTPROVING_UFORE_MONTHS = 24

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


def parameters_for_truth(features: Features) -> dict:
    """The parameters behind each feature switch, as recorded in truth.json."""
    return {
        "dip_selection": {
            "months_since_last_employed_bounds": list(SEL_DIP_BOUNDS),
            "log_weight_by_bucket": {k: list(v) for k, v in SEL_DIP.items()},
            "dagpenger_exhausting_within_3_months": SEL_DP_EXHAUSTING,
            "innsatsgruppe_log_weight": list(SEL_INNSATS),
            "age_over_30_per_year": SEL_AGE_OVER_30,
            "age_under_18": SEL_AGE_UNDER_18,
            "always": {
                "b": -(SEL_B_WITH_HISTORY if features.dip_selection else SEL_B),
                "immigrant_B": SEL_IMMIGRANT,
                "nus_le_2": SEL_LOW_EDU,
            },
        },
        "rho": features.rho,
        "age_profile": {
            "A_EXP": A_EXP,
            "TAU_EXP": TAU_EXP,
            "PEXP_REF": PEXP_REF,
            "A_SCHOOL": A_SCHOOL,
            "A_OLD": A_OLD,
            "leave_age_by_nus": list(LEAVE_AGE_BY_NUS),
            "wage_exp": [WAGE_EXP, WAGE_EXP2],
            "birth_range": [str(x) for x in BIRTH_RANGE["hard"]],
        },
        "registration_churn": {
            "P_AS_AFTER_JOB_LOSS": P_AS_AFTER_JOB_LOSS,
            "H_AS_ENTRY": H_AS_ENTRY,
            "P_AS_EXIT_EMPLOYED": P_AS_EXIT_EMPLOYED,
            "H_AS_EXIT": H_AS_EXIT,
            "P_NED_EXIT_EMPLOYED": P_NED_EXIT_EMPLOYED,
            "NED_AFTER_LOSS_MULT": NED_AFTER_LOSS_MULT,
        },
        "responsive_benefits": {
            "DP_MIN_RECENT_MONTHS": DP_MIN_RECENT_MONTHS,
            "DP_LONG_MONTHLY_NOK": DP_LONG_MONTHLY_NOK,
            "AAP_MAX_POSITION": AAP_MAX_POSITION,
            "AAP_MAX_MONTHS": [AAP_MAX_MONTHS_BEFORE_2018, AAP_MAX_MONTHS],
            "SH_STAY": SH_STAY,
            "SH_ENTRY": SH_ENTRY,
            "UTPROVING_TO_NEDSATT": UTPROVING_TO_NEDSATT,
            "UTPROVING_UFORE_MULT": UTPROVING_UFORE_MULT,
        },
        "attrition": {
            "mortality_per_year": f"exp({MORTALITY_LN_A} + {MORTALITY_B} age + {MORTALITY_H} h)",
            "emigration_per_year": EMIGRATION_PER_YEAR,
            "register_until_age": REGISTER_UNTIL_AGE,
        },
        "heterogeneous_effects": {
            "age_lockin_mult": AGE_LOCKIN_MULT,
            "age_post_mult": AGE_POST_MULT,
            "immigrant_lockin_mult": IMMIGRANT_LOCKIN_MULT,
            "immigrant_post_mult": IMMIGRANT_POST_MULT,
            "start_year_post_mult": {str(k): v for k, v in START_YEAR_POST_MULT.items()},
        },
    }
