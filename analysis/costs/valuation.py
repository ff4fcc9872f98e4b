"""The valuation arithmetic: discounting, cumulative effects, the two perspectives, break-even.

Pure functions on numbers (no database), so every formula can be checked by hand.

Conventions
-----------
* Time: event month e = 0, 1, ... counts calendar months from the start month of the person's
  first Arbeidstrening spell (e = 0 is the start month), as in marts.effects.
* Discounting: an annual real rate r becomes the monthly rate (1 + r)^(1/12) - 1; every monthly
  flow (costs and effects alike) falls at the END of its month, so the flow of event month e is
  multiplied by d_e = (1 + r)^(-(e + 1) / 12). Present values are at the start of the start month.
* Horizon H: event months 0..H-1 (H months, the lock-in months included).
* Signs: effects are participant minus counterfactual; costs are positive numbers; an NPV is
  gains minus costs, positive = the programme pays off in that perspective.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from scipy.stats import norm

# uncertainty_basis values (see METHODS.md)
BASIS_JOINT = "joint_influence_function"
BASIS_SUM_SE = "sum_of_se_bound"
BASIS_PARTLY = "joint_influence_function+sum_of_se_bound"
BASIS_NONE = "no_sampling_uncertainty"

# How a measure notes that its effect channel was left out of the valuation (the report reads it).
CHANNEL_EXCLUDED = "channel excluded"


def monthly_rate(annual_rate: float) -> float:
    """Monthly rate equivalent to an annual rate: (1 + r)^(1/12) - 1."""
    return (1.0 + annual_rate) ** (1.0 / 12.0) - 1.0


def discount_factors(n_months: int, annual_rate: float) -> list[float]:
    """d_e = (1 + r)^(-(e+1)/12) for e = 0..n_months-1 (flows at the end of each month)."""
    return [(1.0 + annual_rate) ** (-(e + 1) / 12.0) for e in range(n_months)]


def present_value(flows: Sequence[float], annual_rate: float) -> float:
    """Present value at the start of month 0 of monthly flows falling at each month's end."""
    return sum(f * d for f, d in zip(flows, discount_factors(len(flows), annual_rate), strict=True))


def z_value(confidence_level: float) -> float:
    """Two-sided normal critical value (1.959964 for 0.95)."""
    return float(norm.ppf(0.5 + confidence_level / 2.0))


@dataclass(frozen=True)
class CumulativeEffect:
    """An effect summed over event months 0..H-1, per treated participant.

    total/total_se: the undiscounted sum and its standard error. pv/pv_se: the discounted sum
    (sum of d_e * ATT(e)) and its standard error. extrapolated_months: months past the last
    estimated event time filled by the persistence assumption.
    """

    horizon_months: int
    total: float
    total_se: float
    pv: float
    pv_se: float
    basis: str
    extrapolated_months: int = 0
    n_treated: int | None = None


def cumulative_effect(
    horizon_months: int,
    annual_rate: float,
    per_event: Mapping[int, tuple[float, float]],
    cumulative: Mapping[int, tuple[float, float]] | None = None,
    extrapolate: bool = True,
    n_treated: int | None = None,
) -> CumulativeEffect | None:
    """Sum an effect over event months 0..H-1 with a standard error.

    per_event: {e: (ATT(e), se(e))} for e >= 0 (marts.effects); cumulative: {h: (sum of ATT(e)
    for e < h, se from the joint influence function)} (marts.effects_cumulative), may be empty.

    The undiscounted sum uses the longest cumulative horizon h* <= min(H, e_max + 1) and adds the
    remaining estimated months one by one; its standard error is se_cum(h*) plus the sum of the
    added months' se(e) (the bound under perfect positive correlation, never smaller than the
    true one). Without any cumulative row, the whole sum is bounded that way (sum_of_se_bound).
    Months beyond the last estimated event time e_max repeat ATT(e_max) (and its se, perfectly
    correlated) when extrapolate is True; otherwise such horizons give None.

    The discounted sum is sum d_e ATT(e) from the monthly estimates. Its standard error is taken
    as dbar * se(estimated part) + (sum of d_e over extrapolated months) * se(e_max), with dbar the
    mean discount factor over the estimated months: exact for constant effects and under perfect
    correlation, and otherwise off by at most max|d_e - dbar| * sum se(e) (see METHODS.md).
    Returns None when a needed event time is missing.
    """
    if horizon_months < 1:
        raise ValueError("horizon_months must be >= 1")
    cumulative = cumulative or {}
    known = sorted(e for e in per_event if e >= 0)
    if known:
        e_max = max(known)
    elif cumulative:
        e_max = max(cumulative) - 1
    else:
        return None
    h_est = min(horizon_months, e_max + 1)  # months covered by estimates
    n_extra = horizon_months - h_est
    if n_extra > 0 and not extrapolate:
        return None
    # undiscounted sum over the estimated months
    usable = [h for h in cumulative if 1 <= h <= h_est]
    h_star = max(usable) if usable else 0
    if h_star:
        total, total_se = cumulative[h_star]
    else:
        total, total_se = 0.0, 0.0
    for e in range(h_star, h_est):
        if e not in per_event:
            return None
        total += per_event[e][0]
        total_se += per_event[e][1]
    if h_star == h_est:
        basis = BASIS_JOINT
    elif h_star == 0:
        basis = BASIS_SUM_SE
    else:
        basis = BASIS_PARTLY
    d = discount_factors(horizon_months, annual_rate)
    dbar = sum(d[:h_est]) / h_est
    if all(e in per_event for e in range(h_est)):
        pv = sum(d[e] * per_event[e][0] for e in range(h_est))
    else:  # only the cumulative row: discount it with the mean factor
        pv = dbar * total
    pv_se = dbar * total_se
    if n_extra:
        if e_max not in per_event:
            return None
        att_last, se_last = per_event[e_max]
        total += n_extra * att_last
        total_se += n_extra * se_last
        d_extra = sum(d[h_est:])
        pv += d_extra * att_last
        pv_se += d_extra * se_last
    return CumulativeEffect(
        horizon_months=horizon_months,
        total=total,
        total_se=total_se,
        pv=pv,
        pv_se=pv_se,
        basis=basis,
        extrapolated_months=n_extra,
        n_treated=n_treated,
    )


@dataclass(frozen=True)
class ValuationInputs:
    """Everything the valuation needs besides the effects, per participant, price-year NOK.

    cost_profile_budget / cost_profile_real: programme costs per participant by event month
    (public budget: NAV follow-up and grants; society: the same plus the employer's net cost).
    earnings_price_factor converts the nominal earnings effect into price-year NOK.
    earnings_per_employed_month: average monthly earnings of the treated in employed months
    (used by the break-even employment effect only).
    """

    cost_profile_budget: Sequence[float]
    cost_profile_real: Sequence[float]
    discount_rate: float
    tax_rate_on_earnings: float
    employer_contribution_rate: float
    tax_rate_on_benefits: float
    tax_financing_cost: float
    benefit_nok_per_month: float
    earnings_per_employed_month: float
    benefit_reduction_per_employed_month: float
    earnings_price_factor: float = 1.0
    confidence_level: float = 0.95
    cost_scale: float = 1.0

    def cost_pv(self, perspective: str) -> float:
        profile = self.cost_profile_budget if perspective == "budget" else self.cost_profile_real
        return self.cost_scale * present_value(list(profile), self.discount_rate)


@dataclass(frozen=True)
class BenefitChannel:
    """One benefit channel of the NPV: an effect valued at its own rate.

    effect: the cumulative effect (on the receipt share of one benefit type, or on the share with
    no benefit at all for the aggregate fallback); months_per_unit: benefit months changed per
    unit of that effect (+1 for a receipt share, -1 for the share with no benefit);
    nok_per_month: the value of one benefit month of this channel (price-year NOK, gross).
    """

    name: str
    effect: CumulativeEffect | None
    nok_per_month: float
    months_per_unit: float = 1.0


@dataclass
class Measure:
    """One row of marts.cost_effectiveness (before the identifying columns are added)."""

    perspective: str
    measure: str
    unit: str
    estimate: float | None
    std_error: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    basis: str = BASIS_NONE
    note: str | None = None
    extra: dict = field(default_factory=dict)


# Order of the measures in the report tables.
MEASURE_ORDER: tuple[tuple[str, str], ...] = (
    ("effects", "extra_employed_months"),
    ("effects", "extra_employed_months_pv"),
    ("effects", "average_employment_effect_pp"),
    ("effects", "earnings_change_nok"),
    ("effects", "earnings_change_pv"),
    ("effects", "average_earnings_effect_nok_per_month"),
    ("effects", "benefit_months_change"),
    ("effects", "benefit_payments_change_pv"),
    ("budget", "programme_cost_pv"),
    ("budget", "later_programme_cost_pv"),
    ("budget", "tax_revenue_gain_pv"),
    ("budget", "benefit_savings_pv"),
    ("budget", "npv"),
    ("budget", "cost_per_extra_employed_month"),
    ("budget", "break_even_employment_pp"),
    ("budget", "break_even_earnings_nok_per_month"),
    ("society", "resource_cost_pv"),
    ("society", "later_programme_cost_pv"),
    ("society", "production_gain_pv"),
    ("society", "tax_financing_effect_pv"),
    ("society", "npv"),
    ("society", "cost_per_extra_employed_month"),
    ("society", "break_even_employment_pp"),
    ("society", "break_even_earnings_nok_per_month"),
)


def _linear(
    perspective: str,
    measure: str,
    unit: str,
    const: float,
    terms: Sequence[tuple[float, CumulativeEffect | None, str]],
    z: float,
    note: str | None = None,
) -> Measure:
    """const + sum(coef * effect.<attr>), SE = sum |coef| * se (outcomes combined conservatively)."""
    est, se = const, 0.0
    bases = []
    for coef, eff, attr in terms:
        if eff is None:
            return Measure(perspective, measure, unit, None, note=note or "effect estimate missing")
        est += coef * getattr(eff, attr)
        se += abs(coef) * getattr(eff, attr + "_se")
        bases.append(eff.basis)
    basis = _combine_bases(bases)
    if not terms:
        return Measure(perspective, measure, unit, est, basis=BASIS_NONE, note=note)
    return Measure(perspective, measure, unit, est, se, est - z * se, est + z * se, basis, note)


def _excluded(perspective: str, measure: str, unit: str, reason: str | None) -> Measure | None:
    """A measure left empty because its channel failed its pre-trend/placebo check."""
    if not reason:
        return None
    return Measure(perspective, measure, unit, None, note=f"{CHANNEL_EXCLUDED}: {reason}")


def _combine_bases(bases: Sequence[str]) -> str:
    if not bases:
        return BASIS_NONE
    if all(b == BASIS_JOINT for b in bases):
        return BASIS_JOINT
    if all(b == BASIS_SUM_SE for b in bases):
        return BASIS_SUM_SE
    return BASIS_PARTLY


def discounted_months(horizon_months: int, annual_rate: float) -> float:
    """S_H = sum of d_e over e = 0..H-1: the present value of 1 per month over the horizon."""
    return sum(discount_factors(horizon_months, annual_rate))


def break_even(inputs: ValuationInputs, horizon_months: int) -> dict[tuple[str, str], float | None]:
    """Constant effects over event months 0..H-1 at which each perspective's NPV is 0.

    Employment (share, x100 for percentage points): an extra employed month brings earnings w
    (earnings_per_employed_month) and saves o (benefit_reduction_per_employed_month) benefit months
    worth b (benefit_nok_per_month) each, with no other effects:
      budget:  delta = C_b / (S_H * [(t + a) w + o b (1 - t_b)])
      society: delta = (C_r + lambda C_b) / (S_H * [(1 + a) w + lambda ((t + a) w + o b (1 - t_b))])
    Earnings (NOK a month, price year), with no benefit channel:
      budget:  eps = C_b / (S_H (t + a));  society: eps = (C_r + lambda C_b) / (S_H ((1 + a) + lambda (t + a)))
    t tax rate on earnings, a employer contribution rate, t_b tax rate on benefits, lambda the
    tax-financing cost, S_H the discounted months of the horizon, C_b and C_r the present values
    of the budget and real programme costs.
    """
    s = discounted_months(horizon_months, inputs.discount_rate)
    t, a, tb = (
        inputs.tax_rate_on_earnings,
        inputs.employer_contribution_rate,
        inputs.tax_rate_on_benefits,
    )
    lam = inputs.tax_financing_cost
    w, b, o = (
        inputs.earnings_per_employed_month,
        inputs.benefit_nok_per_month,
        inputs.benefit_reduction_per_employed_month,
    )
    cb, cr = inputs.cost_pv("budget"), inputs.cost_pv("society")
    budget_value = (t + a) * w + o * b * (1 - tb)
    society_value = (1 + a) * w + lam * budget_value

    def ratio(num: float, den: float) -> float | None:
        return num / den if den > 0 else None

    emp_b = ratio(cb, s * budget_value)
    emp_s = ratio(cr + lam * cb, s * society_value)
    return {
        ("budget", "break_even_employment_pp"): None if emp_b is None else 100 * emp_b,
        ("society", "break_even_employment_pp"): None if emp_s is None else 100 * emp_s,
        ("budget", "break_even_earnings_nok_per_month"): ratio(cb, s * (t + a)),
        ("society", "break_even_earnings_nok_per_month"): ratio(
            cr + lam * cb, s * ((1 + a) + lam * (t + a))
        ),
    }


def cost_per_extra_month(
    perspective: str, cost_pv: float, employed: CumulativeEffect | None, z: float
) -> Measure:
    """Programme cost (present value) per discounted extra employed month.

    The cost is a fixed number, so the interval is the cost divided by the ends of the interval
    of the discounted employment effect: [C / upper, C / lower] when lower > 0; an interval that
    reaches 0 or below has no finite upper end (ci_high NULL); no estimate when the point effect
    is not positive.
    """
    name, unit = "cost_per_extra_employed_month", "NOK per extra employed month"
    if employed is None:
        return Measure(perspective, name, unit, None, note="employment effect missing")
    lo = employed.pv - z * employed.pv_se
    hi = employed.pv + z * employed.pv_se
    est = cost_pv / employed.pv if employed.pv > 0 else None
    ci_low = cost_pv / hi if hi > 0 else None
    ci_high = cost_pv / lo if lo > 0 else None
    note = None
    if est is None:
        note = "no positive employment effect over the horizon: cost per extra month undefined"
    elif ci_high is None:
        note = "interval of the employment effect includes 0: no finite upper limit"
    return Measure(perspective, name, unit, est, None, ci_low, ci_high, employed.basis, note)


def value_programme(
    inputs: ValuationInputs,
    horizon_months: int,
    employed: CumulativeEffect | None,
    earnings: CumulativeEffect | None,
    no_benefit: CumulativeEffect | None = None,
    benefits: Sequence[BenefitChannel] | None = None,
    earnings_excluded: str | None = None,
    employment_excluded: str | None = None,
    programmes: Sequence[BenefitChannel] = (),
) -> list[Measure]:
    """All measures of marts.cost_effectiveness for one subgroup and horizon.

    With t, a, t_b, lambda as in break_even(), pf the earnings price factor, Y the discounted
    cumulative earnings effect (nominal) and, per benefit channel k, B_k the discounted change in
    benefit months (months_per_unit x effect) valued at its own rate b_k:
      budget  NPV = (t + a) pf Y - (1 - t_b) sum_k b_k B_k - C_b
      society NPV = (1 + a) pf Y - C_r + lambda * budget NPV
    `benefits` lists the channels that passed their checks (excluded ones are not passed in);
    without it, the aggregate channel of the share with no benefit `no_benefit` is valued at
    inputs.benefit_nok_per_month (B = -N). `earnings_excluded` / `employment_excluded`: the
    reason a channel failed its check; its NPV terms and measures are then left out (NULL with
    the reason in the note). `programmes`: later programmes (chaining), each channel an effect
    on months in a programme valued at its cost per month P_j; L = sum_j P_j x effect_j is a cost
    to the budget and a real resource cost (treated minus comparisons: both groups' later
    programmes are costed):
      budget  NPV = ... - L;  society NPV = ... - L + lambda * budget NPV.
    Every NPV is linear in the effects; its standard error adds |coef| x se over the channels
    (no covariance across outcomes: an upper bound).
    """
    if benefits is None:
        benefits = [BenefitChannel("no_benefit", no_benefit, inputs.benefit_nok_per_month, -1.0)]
    z = z_value(inputs.confidence_level)
    t, a, tb = (
        inputs.tax_rate_on_earnings,
        inputs.employer_contribution_rate,
        inputs.tax_rate_on_benefits,
    )
    lam, pf = inputs.tax_financing_cost, inputs.earnings_price_factor
    cb, cr = inputs.cost_pv("budget"), inputs.cost_pv("society")
    h = horizon_months
    out: list[Measure] = []
    # effects valued (perspective-free)
    out.append(
        _linear(
            "effects",
            "extra_employed_months",
            "months per participant",
            0.0,
            [(1.0, employed, "total")],
            z,
        )
    )
    out.append(
        _linear(
            "effects",
            "extra_employed_months_pv",
            "discounted months per participant",
            0.0,
            [(1.0, employed, "pv")],
            z,
        )
    )
    out.append(
        _linear(
            "effects",
            "average_employment_effect_pp",
            "percentage points",
            0.0,
            [(100.0 / h, employed, "total")],
            z,
        )
    )
    out.append(
        _linear(
            "effects",
            "earnings_change_nok",
            "NOK per participant",
            0.0,
            [(pf, earnings, "total")],
            z,
        )
    )
    out.append(
        _linear(
            "effects",
            "earnings_change_pv",
            "NOK per participant (present value)",
            0.0,
            [(pf, earnings, "pv")],
            z,
        )
    )
    out.append(
        _linear(
            "effects",
            "average_earnings_effect_nok_per_month",
            "NOK per month",
            0.0,
            [(pf / h, earnings, "total")],
            z,
        )
    )
    ben_note = None if benefits else "no benefit channel passed its check (cost_effect_inputs)"
    out.append(
        _linear(
            "effects",
            "benefit_months_change",
            "benefit months per participant",
            0.0,
            [(ch.months_per_unit, ch.effect, "total") for ch in benefits],
            z,
            ben_note,
        )
    )
    out.append(
        _linear(
            "effects",
            "benefit_payments_change_pv",
            "NOK per participant (present value, gross)",
            0.0,
            [(ch.months_per_unit * ch.nok_per_month, ch.effect, "pv") for ch in benefits],
            z,
            ben_note,
        )
    )
    # public budget
    out.append(Measure("budget", "programme_cost_pv", "NOK per participant (present value)", cb))
    savings_terms = [
        (-(1 - tb) * ch.months_per_unit * ch.nok_per_month, ch.effect, "pv") for ch in benefits
    ]
    earnings_terms = [] if earnings_excluded else [((t + a) * pf, earnings, "pv")]
    pv_unit = "NOK per participant (present value)"
    out.append(
        _excluded("budget", "tax_revenue_gain_pv", pv_unit, earnings_excluded)
        or _linear("budget", "tax_revenue_gain_pv", pv_unit, 0.0, earnings_terms, z)
    )
    out.append(
        _linear(
            "budget",
            "benefit_savings_pv",
            "NOK per participant (present value, net of tax)",
            0.0,
            savings_terms,
            z,
            ben_note,
        )
    )
    later_terms = [(-ch.months_per_unit * ch.nok_per_month, ch.effect, "pv") for ch in programmes]
    out.append(
        _linear(
            "budget",
            "later_programme_cost_pv",
            pv_unit,
            0.0,
            [(-c, e, k) for c, e, k in later_terms],
            z,
            None if programmes else "no later-programme channel (not estimated or excluded)",
        )
    )
    budget_terms = earnings_terms + savings_terms + later_terms
    out.append(
        _linear("budget", "npv", "NOK per participant (present value)", -cb, budget_terms, z)
    )
    per_month = "NOK per extra employed month"
    out.append(
        _excluded("budget", "cost_per_extra_employed_month", per_month, employment_excluded)
        or cost_per_extra_month("budget", cb, employed, z)
    )
    # society
    out.append(Measure("society", "resource_cost_pv", "NOK per participant (present value)", cr))
    out.append(
        _excluded("society", "production_gain_pv", pv_unit, earnings_excluded)
        or _linear(
            "society", "production_gain_pv", pv_unit, 0.0, [((1 + a) * pf, earnings, "pv")], z
        )
    )
    out.append(
        _linear(
            "society",
            "tax_financing_effect_pv",
            "NOK per participant (present value)",
            -lam * cb,
            [(lam * c, e, k) for c, e, k in budget_terms],
            z,
        )
    )
    out.append(
        _linear(
            "society",
            "later_programme_cost_pv",
            pv_unit,
            0.0,
            [(-c, e, k) for c, e, k in later_terms],
            z,
            None if programmes else "no later-programme channel (not estimated or excluded)",
        )
    )
    society_terms = [
        *([] if earnings_excluded else [((1 + a) * pf + lam * (t + a) * pf, earnings, "pv")]),
        *[(lam * c, e, k) for c, e, k in savings_terms],
        *[((1 + lam) * c, e, k) for c, e, k in later_terms],
    ]
    out.append(
        _linear(
            "society",
            "npv",
            "NOK per participant (present value)",
            -cr - lam * cb,
            society_terms,
            z,
        )
    )
    out.append(
        _excluded("society", "cost_per_extra_employed_month", per_month, employment_excluded)
        or cost_per_extra_month("society", cr, employed, z)
    )
    for (perspective, name), value in break_even(inputs, h).items():
        unit = "percentage points" if name.endswith("_pp") else "NOK per month"
        note = None if value is not None else "no positive value per unit of effect"
        out.append(Measure(perspective, name, unit, value, note=note))
    order = {k: i for i, k in enumerate(MEASURE_ORDER)}
    out.sort(key=lambda m: order[(m.perspective, m.measure)])
    return out


def is_finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)
