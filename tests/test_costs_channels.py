"""Cost channels: each benefit type valued at its own rate, and a channel enters the NPV only if
it passes its pre-trend / placebo check (hand-computed cases; the warehouse build with effects
per benefit type, a failing pre-trend and a design gate)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from pytest import approx

from analysis.costs import build_cost_effectiveness
from analysis.costs.channels import BASIS_GATE, BASIS_NONE, BASIS_PRE, pre_period_check
from analysis.costs.valuation import BenefitChannel, value_programme
from tests.test_costs_build import add_effects, build, effects_frame, hand_staging
from tests.test_costs_valuation import INPUTS, eff

# --- the check ------------------------------------------------------------------------------------


def test_pre_period_check_by_hand():
    ok = pre_period_check([(0.02, 0.01), (0.0, 0.01), (0.0, None)], alpha=0.05)
    # z^2 = 4 + 0 (the reference row without se is skipped), df 2: p = exp(-2)
    assert ok.included and ok.basis == BASIS_PRE
    assert ok.p_value == approx(math.exp(-2))
    bad = pre_period_check([(0.05, 0.01), (0.0, 0.01)], alpha=0.05)
    assert not bad.included
    assert bad.p_value == approx(math.exp(-12.5))
    assert "pre-trend check failed" in bad.reason and "2 pre-period estimates" in bad.reason
    none = pre_period_check([], alpha=0.05)
    assert not none.included and none.basis == BASIS_NONE and "no pre-trend check" in none.reason
    exact = pre_period_check([(0.0, 0.0), (0.0, 0.0)], alpha=0.05)
    assert exact.included
    assert not pre_period_check([(0.01, 0.0)], alpha=0.05).included


# --- valuation per benefit type ---------------------------------------------------------------


def test_each_benefit_type_at_its_own_rate_by_hand():
    # tiltakspenger +1.0 months at 6,000; AAP -2.0 months at 24,000 (rate 0: pv = total)
    tp = BenefitChannel("tiltakspenger", eff(1.0, 0.1), 6_000.0)
    aap = BenefitChannel("aap", eff(-2.0, 0.2), 24_000.0)
    m = {
        (x.perspective, x.measure): x
        for x in value_programme(INPUTS, 2, eff(0.2, 0.08), eff(2000.0, 1500.0), benefits=[tp, aap])
    }
    assert m["effects", "benefit_months_change"].estimate == approx(-1.0)
    # gross payments: 6,000 - 48,000 = -42,000; saved net of tax: 0.8 x 42,000 = 33,600
    assert m["effects", "benefit_payments_change_pv"].estimate == approx(-42_000)
    assert m["budget", "benefit_savings_pv"].estimate == approx(33_600)
    assert m["budget", "benefit_savings_pv"].std_error == approx(0.8 * (600 + 4800))
    # at an average rate (15,000 a month for the net -1 month) the savings would be 12,000
    assert m["budget", "benefit_savings_pv"].estimate != approx(0.8 * 15_000)
    # NPV = 770 (taxes) + 33,600 - 6,000
    assert m["budget", "npv"].estimate == approx(770 + 33_600 - 6_000)
    # society: production 2,420 - real costs 7,000 + 0.2 x budget NPV
    assert m["society", "npv"].estimate == approx(2420 - 7000 + 0.2 * (770 + 33_600 - 6_000))


def test_excluded_earnings_channel_leaves_the_npv():
    m = {
        (x.perspective, x.measure): x
        for x in value_programme(
            INPUTS,
            2,
            eff(0.2, 0.08),
            eff(2000.0, 1500.0),
            benefits=[],
            earnings_excluded="pre-trend check failed",
            employment_excluded="pre-trend check failed",
        )
    }
    assert m["budget", "tax_revenue_gain_pv"].estimate is None
    assert "channel excluded: pre-trend check failed" in m["budget", "tax_revenue_gain_pv"].note
    assert m["society", "production_gain_pv"].estimate is None
    assert m["budget", "cost_per_extra_employed_month"].estimate is None
    assert m["budget", "benefit_savings_pv"].estimate == 0.0
    assert m["budget", "npv"].estimate == approx(-6000)  # only the programme cost is left
    assert m["society", "npv"].estimate == approx(-7000 - 0.2 * 6000)


# --- the warehouse build ------------------------------------------------------------------------


def typed_effects(aap_lead: float) -> pd.DataFrame:
    """effects_frame plus receipt effects of two benefit types: tiltakspenger +0.5 in months 0-5
    (flat leads), AAP -0.05 from month 6 with a lead of `aap_lead` in every pre-period month."""
    df = effects_frame(subgroups=("ALL",))
    rows = []
    for e in range(-12, 37):
        for outcome, est in (
            ("tiltakspenger", 0.0 if e < 0 else 0.5 if e < 6 else 0.0),
            ("aap", aap_lead if e < 0 else 0.0 if e < 6 else -0.05),
        ):
            rows.append({
                "estimator": "callaway_santanna", "outcome": outcome, "subgroup": "ALL",
                "event_time": e, "estimate": est, "std_error": 0.01, "ci_low": est - 0.02,
                "ci_high": est + 0.02, "n_treated": 100, "is_headline": True,
            })  # fmt: skip
    return pd.concat([df, pd.DataFrame(rows)], ignore_index=True)


def _inputs(con) -> pd.DataFrame:
    return (
        con.execute("SELECT * FROM marts.cost_effect_inputs WHERE subgroup = 'ALL'")
        .df()
        .set_index("outcome")
    )


def _ce(con) -> pd.Series:
    return (
        con.execute("FROM marts.cost_effectiveness WHERE subgroup = 'ALL'")
        .df()
        .set_index(["perspective", "measure"])["estimate"]
    )


def test_build_values_types_and_excludes_a_failing_channel():
    con = build(hand_staging())
    add_effects(con, typed_effects(aap_lead=0.0))
    build_cost_effectiveness(con)
    inp = _inputs(con)
    assert set(inp.index) >= {"employed", "earnings_nok", "tiltakspenger", "aap"}
    assert "no_benefit" not in inp.index  # the aggregate is not valued beside the types
    assert inp["included"].all()
    par = dict(
        con.execute(
            "SELECT parameter, value FROM marts.cost_parameters WHERE subgroup = 'ALL'"
        ).fetchall()
    )
    tp_rate, aap_rate = par["derived.benefit_rate.tiltakspenger"], par["derived.benefit_rate.aap"]
    assert inp.loc["tiltakspenger", "value_nok_per_month"] == approx(tp_rate)
    assert aap_rate > 3 * tp_rate  # AAP is far above tiltakspenger: not one average rate
    tb = dict(con.execute("SELECT parameter, value FROM marts.cost_parameters").fetchall())[
        "taxes.tax_rate_on_benefits"
    ]
    tp_pv, aap_pv = inp.loc["tiltakspenger", "pv_estimate"], inp.loc["aap", "pv_estimate"]
    ce = _ce(con)
    assert ce["budget", "benefit_savings_pv"] == approx(
        -(1 - tb) * (tp_rate * tp_pv + aap_rate * aap_pv)
    )
    npv_all = ce["budget", "npv"]

    # AAP's leads sit at 0.03 (3 SE in each of 12 months): its check fails, it is excluded
    add_effects(con, typed_effects(aap_lead=0.03))
    build_cost_effectiveness(con)
    inp = _inputs(con)
    assert not inp.loc["aap", "included"]
    assert inp.loc["aap", "check_basis"] == BASIS_PRE
    assert "pre-trend check failed" in inp.loc["aap", "exclusion_reason"]
    assert inp.loc["tiltakspenger", "included"]
    ce = _ce(con)
    assert ce["budget", "benefit_savings_pv"] == approx(-(1 - tb) * tp_rate * tp_pv)
    assert ce["budget", "npv"] == approx(npv_all + (1 - tb) * aap_rate * aap_pv)


def test_build_reads_the_design_gate():
    con = build(hand_staging())
    add_effects(con, typed_effects(aap_lead=0.0))
    gate = pd.DataFrame(
        [
            ("callaway_santanna", "earnings_nok", "ALL", "pretrend_leads", 0.001, False, False, "leads"),
            ("callaway_santanna", "earnings_nok", "ALL", "overlap", 1.0, True, False, "ok"),
            ("callaway_santanna", "aap", "ALL", "pretrend_leads", 0.5, True, True, "ok"),
        ],
        columns=["estimator", "outcome", "subgroup", "check", "p_value", "passed", "credible",
                 "detail"],
    )  # fmt: skip
    con.register("g_df", gate)
    con.execute("CREATE TABLE marts.effects_design_gate AS SELECT * FROM g_df")
    con.unregister("g_df")
    build_cost_effectiveness(con)
    inp = _inputs(con)
    assert not inp.loc["earnings_nok", "included"]
    assert inp.loc["earnings_nok", "check_basis"] == BASIS_GATE
    assert inp.loc["earnings_nok", "exclusion_reason"] == (
        "design gate: not credible (pretrend_leads: leads)"
    )
    assert inp.loc["earnings_nok", "check_p_value"] == approx(0.001)
    assert inp.loc["aap", "included"] and inp.loc["aap", "check_basis"] == BASIS_GATE
    # series the gate does not have fall back to their pre-period estimates
    assert inp.loc["tiltakspenger", "check_basis"] == BASIS_PRE
    ce = (
        con.execute(
            "SELECT measure, estimate, note FROM marts.cost_effectiveness "
            "WHERE subgroup = 'ALL' AND perspective = 'budget'"
        )
        .df()
        .set_index("measure")
    )
    assert pd.isna(ce.loc["tax_revenue_gain_pv", "estimate"])
    assert "channel excluded: design gate" in ce.loc["tax_revenue_gain_pv", "note"]
    cost = ce.loc["programme_cost_pv", "estimate"]
    savings = ce.loc["benefit_savings_pv", "estimate"]
    assert ce.loc["npv", "estimate"] == pytest.approx(savings - cost)


def test_later_programmes_are_costed_by_hand():
    ws = BenefitChannel("in_wage_subsidy", eff(0.5, 0.1), 12_000.0)
    m = {
        (x.perspective, x.measure): x
        for x in value_programme(
            INPUTS, 2, eff(0.2, 0.08), eff(2000.0, 1500.0), benefits=[], programmes=[ws]
        )
    }
    # 0.5 extra wage-subsidy months x 12,000 (treated minus comparisons)
    assert m["budget", "later_programme_cost_pv"].estimate == approx(6_000)
    assert m["budget", "later_programme_cost_pv"].std_error == approx(1_200)
    assert m["society", "later_programme_cost_pv"].estimate == approx(6_000)
    budget = 770 - 6_000 - 6_000
    assert m["budget", "npv"].estimate == approx(budget)
    # society: production 2,420 - real costs 7,000 - later programmes 6,000 + 0.2 x budget NPV
    assert m["society", "npv"].estimate == approx(2420 - 7000 - 6000 + 0.2 * budget)
    assert m["society", "tax_financing_effect_pv"].estimate == approx(0.2 * budget)


def test_build_reads_chaining_effects_and_checks_them():
    con = build(hand_staging())
    add_effects(con, effects_frame(subgroups=("ALL",)))
    rows = []
    for outcome, lead in (("in_wage_subsidy", 0.0), ("in_other_programme", 0.05)):
        for e in range(-12, 37):
            est = lead if e < 0 else 0.1 if e >= 6 else 0.0
            rows.append(("cs_dr_predip", outcome, "ALL", e, est, 0.01, est - 0.02, est + 0.02, 50))
    chain = pd.DataFrame(rows, columns=["estimator", "outcome", "subgroup", "event_time",
                                        "estimate", "std_error", "ci_low", "ci_high",
                                        "n_treated"])  # fmt: skip
    con.register("c_df", chain)
    con.execute("CREATE TABLE marts.effects_chaining AS SELECT * FROM c_df")
    con.unregister("c_df")
    build_cost_effectiveness(con)
    inp = _inputs(con)
    assert inp.loc["in_wage_subsidy", "included"]
    assert inp.loc["in_wage_subsidy", "channel"] == "later_programme:in_wage_subsidy"
    assert not inp.loc["in_other_programme", "included"]  # leads of 5 SE
    rate = inp.loc["in_wage_subsidy", "value_nok_per_month"]
    assert rate == approx(12_000)  # price year = parameter year (2024)
    assert inp.loc["in_wage_subsidy", "n_treated"] == 50
    ce = _ce(con)
    assert ce["budget", "later_programme_cost_pv"] == approx(
        rate * inp.loc["in_wage_subsidy", "pv_estimate"]
    )


def test_balanced_window_is_recorded():
    con = build(hand_staging())
    df = effects_frame(subgroups=("ALL",))
    # employment: late cohorts drop out from e = 30 (fewer treated behind the later months)
    late = (df["outcome"] == "employed") & (df["event_time"] >= 30)
    df.loc[late, "n_treated"] = 80
    add_effects(con, df)
    build_cost_effectiveness(con)
    inp = _inputs(con)
    assert not inp.loc["employed", "balanced_window"]
    assert inp.loc["earnings_nok", "balanced_window"]
    # a cumulative table that says it is balanced (same cohorts throughout) is believed
    cum = pd.DataFrame(
        [("callaway_santanna", "employed", "ALL", 36, 0.5, 0.1, 80, True)],
        columns=["estimator", "outcome", "subgroup", "horizon_months", "estimate", "std_error",
                 "n_treated", "balanced"],
    )  # fmt: skip
    add_effects(con, df, cum)
    build_cost_effectiveness(con)
    inp = _inputs(con)
    assert inp.loc["employed", "balanced_window"]
    assert inp.loc["employed", "estimate"] == approx(0.5)
