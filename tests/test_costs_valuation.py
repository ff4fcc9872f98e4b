"""The valuation arithmetic of analysis/costs against numbers worked out by hand.

Conventions under test: annual rate r -> monthly rate (1+r)^(1/12)-1; each monthly flow falls at
the END of its month, so event month e (0 = start month) is discounted by (1+r)^(-(e+1)/12).
"""

from __future__ import annotations

import math

import pytest

from analysis.costs.valuation import (
    BASIS_JOINT,
    BASIS_NONE,
    BASIS_PARTLY,
    BASIS_SUM_SE,
    CumulativeEffect,
    ValuationInputs,
    break_even,
    cost_per_extra_month,
    cumulative_effect,
    discount_factors,
    monthly_rate,
    present_value,
    value_programme,
    z_value,
)

Z = 1.959963984540054


def approx(x, rel=1e-9, abs=1e-9):
    return pytest.approx(x, rel=rel, abs=abs)


# --- discounting ---------------------------------------------------------------------------------


def test_monthly_rate_and_factors_by_hand():
    # 1.04^(1/12) = exp(ln 1.04 / 12) = exp(0.039220713 / 12) = 1.00327374
    assert monthly_rate(0.04) == approx(0.0032737397821989)
    # d_e = 1.04^(-(e+1)/12): 0.99673694, 0.99348453, 0.99024274
    d = discount_factors(3, 0.04)
    assert d == [approx(0.9967369426185624), approx(0.9934845327805992), approx(0.9902427357425654)]
    # the 12th month's flow (end of month 11) is exactly one year away
    assert discount_factors(12, 0.04)[11] == approx(1 / 1.04)
    # 24 months at 6 %: the last flow is two years away
    assert discount_factors(24, 0.06)[23] == approx(1 / 1.06**2)


def test_present_value_by_hand():
    # 1000 NOK at the end of months 0, 1, 2 at 4 %: 996.737 + 993.485 + 990.243 = 2980.464
    assert present_value([1000, 1000, 1000], 0.04) == approx(2980.464211141727)
    # rate 0: plain sum
    assert present_value([1, 2, 3], 0.0) == 6
    # 12 months of 1000 at 4 %: geometric sum with q = 1.04^(-1/12)
    q = 1.04 ** (-1 / 12)
    assert present_value([1000] * 12, 0.04) == approx(1000 * q * (1 - q**12) / (1 - q))


# --- cumulative effects --------------------------------------------------------------------------

PER_EVENT = {0: (-0.10, 0.05), 1: (0.20, 0.04), 2: (0.30, 0.06)}


def test_cumulative_fallback_sums_estimates_and_ses():
    c = cumulative_effect(3, 0.0, PER_EVENT)
    assert c.total == approx(0.40)
    assert c.total_se == approx(0.15)  # 0.05 + 0.04 + 0.06: perfect correlation bound
    assert c.basis == BASIS_SUM_SE
    assert c.pv == approx(0.40) and c.pv_se == approx(0.15)
    assert c.extrapolated_months == 0


def test_cumulative_uses_joint_influence_function_row():
    c = cumulative_effect(3, 0.0, PER_EVENT, cumulative={3: (0.40, 0.09), 2: (0.10, 0.05)})
    assert (c.total, c.total_se, c.basis) == (approx(0.40), approx(0.09), BASIS_JOINT)
    # horizon 2 uses the h = 2 row
    c2 = cumulative_effect(2, 0.0, PER_EVENT, cumulative={3: (0.40, 0.09), 2: (0.10, 0.05)})
    assert (c2.total, c2.total_se, c2.basis) == (approx(0.10), approx(0.05), BASIS_JOINT)


def test_cumulative_partly_joint():
    # cumulative row for 2 months only; month 2 added with its own se
    c = cumulative_effect(3, 0.0, PER_EVENT, cumulative={2: (0.10, 0.05)})
    assert c.total == approx(0.40)
    assert c.total_se == approx(0.05 + 0.06)
    assert c.basis == BASIS_PARTLY


def test_cumulative_extrapolation_repeats_last_event_time():
    # horizon 5 with event times 0..2 estimated: months 3 and 4 repeat ATT(2) = 0.30
    c = cumulative_effect(5, 0.0, PER_EVENT, cumulative={3: (0.40, 0.09)})
    assert c.total == approx(0.40 + 2 * 0.30)
    assert c.total_se == approx(0.09 + 2 * 0.06)
    assert c.extrapolated_months == 2
    assert cumulative_effect(5, 0.0, PER_EVENT, extrapolate=False) is None


def test_cumulative_discounted_by_hand():
    d = [0.9967369426185624, 0.9934845327805992, 0.9902427357425654]
    c = cumulative_effect(3, 0.04, PER_EVENT, cumulative={3: (0.40, 0.09)})
    assert c.pv == approx(-0.10 * d[0] + 0.20 * d[1] + 0.30 * d[2])
    assert c.pv_se == approx(sum(d) / 3 * 0.09)
    # extrapolated month 3 discounted by 1.04^(-4/12)
    c4 = cumulative_effect(4, 0.04, PER_EVENT, cumulative={3: (0.40, 0.09)})
    d3 = 1.04 ** (-4 / 12)
    assert c4.pv == approx(c.pv + 0.30 * d3)
    assert c4.pv_se == approx(sum(d) / 3 * 0.09 + d3 * 0.06)


def test_cumulative_missing_event_time_gives_none():
    assert cumulative_effect(3, 0.0, {0: (0.1, 0.1), 2: (0.1, 0.1)}) is None
    assert cumulative_effect(3, 0.0, {}) is None
    with pytest.raises(ValueError):
        cumulative_effect(0, 0.0, PER_EVENT)


# --- perspectives --------------------------------------------------------------------------------


def eff(total, se, basis=BASIS_JOINT, h=2):
    """An undiscounted cumulative effect (rate 0: pv = total)."""
    return CumulativeEffect(h, total, se, total, se, basis)


INPUTS = ValuationInputs(
    cost_profile_budget=[3000.0, 3000.0],
    cost_profile_real=[3500.0, 3500.0],  # + employer's net cost 500 a month
    discount_rate=0.0,
    tax_rate_on_earnings=0.25,
    employer_contribution_rate=0.10,
    tax_rate_on_benefits=0.20,
    tax_financing_cost=0.20,
    benefit_nok_per_month=10_000.0,
    earnings_per_employed_month=20_000.0,
    benefit_reduction_per_employed_month=0.5,
    earnings_price_factor=1.1,
)


def measures(inputs=INPUTS, employed=None, earnings=None, no_benefit=None, h=2):
    employed = employed or eff(0.2, 0.08)
    earnings = earnings or eff(2000.0, 1500.0, BASIS_SUM_SE)
    no_benefit = no_benefit or eff(-0.1, 0.1, BASIS_SUM_SE)
    out = value_programme(inputs, h, employed, earnings, no_benefit)
    return {(m.perspective, m.measure): m for m in out}


def test_budget_perspective_by_hand():
    m = measures()
    # costs 2 x 3000
    assert m["budget", "programme_cost_pv"].estimate == approx(6000)
    # taxes: (0.25 + 0.10) x 1.1 x 2000 = 770, se 0.385 x 1500 = 577.5
    assert m["budget", "tax_revenue_gain_pv"].estimate == approx(770)
    assert m["budget", "tax_revenue_gain_pv"].std_error == approx(577.5)
    # benefits: 0.1 more benefit months x 10,000 x (1 - 0.2) = -800 saved, se 800
    assert m["budget", "benefit_savings_pv"].estimate == approx(-800)
    assert m["effects", "benefit_months_change"].estimate == approx(0.1)
    assert m["effects", "benefit_payments_change_pv"].estimate == approx(1000)
    # NPV = 770 - 800 - 6000 = -6030; se = 577.5 + 800 (outcomes combined conservatively)
    npv = m["budget", "npv"]
    assert npv.estimate == approx(-6030)
    assert npv.std_error == approx(1377.5)
    assert (npv.ci_low, npv.ci_high) == (approx(-6030 - Z * 1377.5), approx(-6030 + Z * 1377.5))
    assert npv.basis == BASIS_SUM_SE  # earnings and no_benefit were summed month by month
    assert m["budget", "programme_cost_pv"].basis == BASIS_NONE


def test_society_perspective_by_hand():
    m = measures()
    # transfers are not costs to society: real costs 2 x 3500 = 7000
    assert m["society", "resource_cost_pv"].estimate == approx(7000)
    # production = earnings x (1 + employer contribution) = 1.1 x 1.1 x 2000 = 2420
    assert m["society", "production_gain_pv"].estimate == approx(2420)
    # tax-financing cost 0.2 x budget NPV (-6030) = -1206
    assert m["society", "tax_financing_effect_pv"].estimate == approx(-1206)
    npv = m["society", "npv"]
    assert npv.estimate == approx(2420 - 7000 - 1206)
    # se: (1.21 + 0.2 x 0.385) x 1500 + 0.2 x 0.8 x 10,000 x 0.1 = 1930.5 + 160
    assert npv.std_error == approx(2090.5)


def test_effects_rows_by_hand():
    m = measures()
    assert m["effects", "extra_employed_months"].estimate == approx(0.2)
    assert m["effects", "average_employment_effect_pp"].estimate == approx(10.0)  # 0.2 / 2 x 100
    assert m["effects", "average_employment_effect_pp"].std_error == approx(4.0)
    assert m["effects", "earnings_change_nok"].estimate == approx(2200)  # 2000 x 1.1
    assert m["effects", "average_earnings_effect_nok_per_month"].estimate == approx(1100)


def test_cost_per_extra_employed_month_by_hand():
    m = measures()
    c = m["budget", "cost_per_extra_employed_month"]
    assert c.estimate == approx(30_000)  # 6000 / 0.2
    assert c.basis == BASIS_JOINT
    lo, hi = 0.2 - Z * 0.08, 0.2 + Z * 0.08  # 0.0432, 0.3568: interval above 0
    assert (c.ci_low, c.ci_high) == (approx(6000 / hi), approx(6000 / lo))
    assert m["society", "cost_per_extra_employed_month"].estimate == approx(35_000)  # 7000 / 0.2
    # an interval reaching 0 has no finite upper end
    wide = cost_per_extra_month("budget", 6000, eff(0.2, 0.2), Z)
    assert wide.estimate == approx(30_000)
    assert wide.ci_low == approx(6000 / (0.2 + Z * 0.2)) and wide.ci_high is None
    # no positive effect: undefined
    neg = cost_per_extra_month("budget", 6000, eff(-0.1, 0.01), Z)
    assert neg.estimate is None and neg.ci_low is None and neg.ci_high is None
    assert "undefined" in neg.note


def test_break_even_by_hand():
    be = break_even(INPUTS, 2)
    # value of an extra employed month to the budget: 0.35 x 20,000 + 0.5 x 10,000 x 0.8 = 11,000
    # delta = 6000 / (2 months x 11,000) = 0.2727 -> 27.27 pp
    assert be["budget", "break_even_employment_pp"] == approx(100 * 6000 / 22_000)
    # society: (7000 + 0.2 x 6000) / (2 x (1.1 x 20,000 + 0.2 x 11,000)) = 8200 / 48,400
    assert be["society", "break_even_employment_pp"] == approx(100 * 8200 / 48_400)
    # earnings: 6000 / (2 x 0.35) and 8200 / (2 x (1.1 + 0.2 x 0.35))
    assert be["budget", "break_even_earnings_nok_per_month"] == approx(6000 / 0.7)
    assert be["society", "break_even_earnings_nok_per_month"] == approx(8200 / 2.34)


@pytest.mark.parametrize("rate", [0.0, 0.04, 0.06])
@pytest.mark.parametrize("horizon", [1, 12, 36])
def test_break_even_gives_zero_npv(rate, horizon):
    """Plugging the break-even effect back in as a constant monthly effect gives NPV = 0."""
    inputs = ValuationInputs(**{**INPUTS.__dict__, "discount_rate": rate, "earnings_price_factor": 1.0,
                                "cost_profile_budget": [3000.0] * 6, "cost_profile_real": [3200.0] * 6})  # fmt: skip
    be = break_even(inputs, horizon)
    w, o = inputs.earnings_per_employed_month, inputs.benefit_reduction_per_employed_month
    for persp in ("budget", "society"):
        delta = be[persp, "break_even_employment_pp"] / 100
        per = {e: (delta, 0.0) for e in range(horizon)}
        emp = cumulative_effect(horizon, rate, per)
        earn = cumulative_effect(horizon, rate, {e: (delta * w, 0.0) for e in range(horizon)})
        nob = cumulative_effect(horizon, rate, {e: (delta * o, 0.0) for e in range(horizon)})
        m = {
            (x.perspective, x.measure): x for x in value_programme(inputs, horizon, emp, earn, nob)
        }
        assert m[persp, "npv"].estimate == approx(0.0, abs=1e-6)
        # earnings channel alone
        eps = be[persp, "break_even_earnings_nok_per_month"]
        earn = cumulative_effect(horizon, rate, {e: (eps, 0.0) for e in range(horizon)})
        zero = cumulative_effect(horizon, rate, {e: (0.0, 0.0) for e in range(horizon)})
        m = {
            (x.perspective, x.measure): x for x in value_programme(inputs, horizon, emp, earn, zero)
        }
        assert m[persp, "npv"].estimate == approx(0.0, abs=1e-6)


def test_discounted_npv_by_hand():
    """Three months at 4 %: costs in months 0 and 1, an earnings gain of 1000 a month."""
    d = [0.9967369426185624, 0.9934845327805992, 0.9902427357425654]
    inputs = ValuationInputs(**{**INPUTS.__dict__, "discount_rate": 0.04, "earnings_price_factor": 1.0,
                                "cost_profile_budget": [1000.0, 1000.0], "cost_profile_real": [1000.0, 1000.0]})  # fmt: skip
    earn = cumulative_effect(3, 0.04, {0: (1000.0, 0.0), 1: (1000.0, 0.0), 2: (1000.0, 0.0)})
    zero = cumulative_effect(3, 0.04, {0: (0.0, 0.0), 1: (0.0, 0.0), 2: (0.0, 0.0)})
    m = {(x.perspective, x.measure): x for x in value_programme(inputs, 3, zero, earn, zero)}
    cost = 1000 * (d[0] + d[1])
    assert m["budget", "programme_cost_pv"].estimate == approx(cost)
    assert m["budget", "npv"].estimate == approx(0.35 * 1000 * sum(d) - cost)
    budget = 0.35 * 1000 * sum(d) - cost
    assert m["society", "npv"].estimate == approx(1.1 * 1000 * sum(d) - cost + 0.2 * budget)


def test_mixed_bases_are_labelled():
    m = measures(earnings=eff(2000.0, 1500.0, BASIS_JOINT))
    assert m["budget", "npv"].basis == BASIS_PARTLY
    m = measures(earnings=eff(2000.0, 1500.0, BASIS_JOINT), no_benefit=eff(-0.1, 0.1))
    assert m["society", "npv"].basis == BASIS_JOINT


def test_missing_effect_gives_null_with_note():
    out = value_programme(INPUTS, 2, None, None, None)
    m = {(x.perspective, x.measure): x for x in out}
    assert m["budget", "npv"].estimate is None and m["budget", "npv"].note
    assert m["budget", "programme_cost_pv"].estimate == approx(6000)
    assert m["budget", "break_even_employment_pp"].estimate is not None


def test_z_value():
    assert z_value(0.95) == approx(Z)
    assert z_value(0.90) == approx(1.6448536269514722)
    assert math.isclose(z_value(0.99), 2.5758293035489004)
