"""The headline's design gate on hand-made event studies (analysis.effects.headline_marts).

One base month (the former headline, `SINGLE`): placebo outcomes are judged by the joint Wald
test of their leads; employment, whose own history is a covariate, by equivalence of every lead
to 0 within the margin; leads without sampling variance carry no test. Long base (the headline):
every outcome's base-window leads by their joint Wald test (the design's placebo); employment's
conditioned leads, which all equal minus the base window's gap, by equivalence of their
deviations from their mean.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from analysis.design import GATE_PLACEBO_EQUIVALENCE_MARGIN
from analysis.effects.headline import HEADLINE_SPEC
from analysis.effects.headline_marts import (
    GATE_EQUIVALENCE_Z,
    GATE_LEAD_EQUIVALENCE_MARGIN,
    cohorts_left_out_frame,
    conditioned_leads,
    gate_frame,
    merge_subgroups,
    placebo_leads,
)
from analysis.effects.result import EventStudy

SINGLE = dataclasses.replace(
    HEADLINE_SPEC,
    history="changes",
    base_window=0,
    estimand="start_now_vs_later",
    event_time_min=-24,
)
ETS = SINGLE.event_times
REF = np.equal(ETS, SINGLE.reference)
LEADS = (ETS < 0) & ~REF


def _study(outcome: str, lead_est: float, lead_se: float, exact_zero: bool = False) -> EventStudy:
    """Every lead at `lead_est` with SE `lead_se` (independent), effects after start at 0.05
    (event times of the single-base design)."""
    est = np.where(ETS < 0, lead_est, 0.05).astype(float)
    est[REF] = np.nan
    var = np.where(LEADS, lead_se**2, 0.01**2)
    if exact_zero:  # leads conditioned on: 0 up to rounding, no sampling variance
        est[LEADS] = 1e-17
        var[LEADS] = 1e-34
    var[REF] = 0.0
    return _event_study(outcome, ETS, est, var)


def _event_study(outcome: str, ets: np.ndarray, est: np.ndarray, var: np.ndarray) -> EventStudy:
    """A headline series with independent estimates and good overlap and balance."""
    meta = {"ps": [{"ok": True, "n_treated": 100, "share_treated_ps_above_0_9": 0.0,
                    "mean_abs_smd": 0.02}]}  # fmt: skip
    return EventStudy(
        estimator="callaway_santanna_dr",
        outcome=outcome,
        event_times=ets,
        subgroups=["ALL"],
        estimate=est[None, :],
        vcov=np.diag(var)[None],
        n_treated=np.full((1, ets.size), 100),
        meta=meta,
    )


def _checks(st: EventStudy, spec=SINGLE) -> dict[str, tuple[bool, float, str]]:
    g = gate_frame([st], spec)
    return {r.check: (bool(r.passed), r.p_value, r.detail) for r in g.itertuples()}


def test_a_placebo_outcome_with_leads_fails_and_one_without_passes():
    bad = _checks(_study("earnings_nok", 300.0, 100.0))
    assert bad["pretrend_leads"][0] is False and bad["pretrend_leads"][1] < 1e-6
    good = _checks(_study("earnings_nok", 0.0, 100.0))
    assert good["pretrend_leads"][0] is True and good["pretrend_dip_window"][0] is True
    assert gate_frame([_study("earnings_nok", 0.0, 100.0)], SINGLE)["credible"].all()


def test_a_placebo_test_that_cannot_be_computed_fails():
    checks = _checks(_study("uforetrygd", 0.0, 0.0, exact_zero=True))
    assert checks["pretrend_leads"][0] is False


def test_employment_leads_zero_by_construction_hold_exactly():
    checks = _checks(_study("employed", 0.0, 0.0, exact_zero=True))
    assert checks["pretrend_leads"][0] is True
    assert "0 by construction" in checks["pretrend_leads"][2]


@pytest.mark.parametrize(
    ("lead", "se", "passes"),
    [
        (0.003, 0.0005, True),  # significant (z = 6) but negligible: balance holds
        (0.009, 0.001, False),  # 0.009 + 1.645 * 0.001 > 0.01: not shown to be within 1 pp
        (0.0, 0.008, False),  # too imprecise to show balance
        (-0.004, 0.002, True),
    ],
)
def test_employment_leads_are_judged_by_equivalence(lead, se, passes):
    assert (abs(lead) + GATE_EQUIVALENCE_Z * se <= GATE_LEAD_EQUIVALENCE_MARGIN) is passes
    checks = _checks(_study("employed", lead, se))
    assert checks["pretrend_leads"][0] is passes
    assert checks["pretrend_dip_window"][0] is passes
    assert "equivalence" in checks["pretrend_leads"][2]


def _long_base_study(outcome: str, placebo: float, gap: float, wobble: float = 0.0) -> EventStudy:
    """The headline's event times: base-window leads at `placebo` (SE 0.002), conditioned leads at
    -`gap` (SE 0.0005; the last one off by `wobble`), the dip window's leads as conditioned
    ones, effects 0.05."""
    ets = HEADLINE_SPEC.event_times
    est = np.full(ets.size, 0.05)
    var = np.full(ets.size, 0.01**2)
    pl = np.isin(ets, placebo_leads(HEADLINE_SPEC))
    held = np.isin(ets, conditioned_leads(HEADLINE_SPEC))
    est[pl], var[pl] = placebo, 0.002**2
    est[held], var[held] = -gap, 0.0005**2
    est[np.flatnonzero(held)[-1]] -= wobble
    ref = ets == HEADLINE_SPEC.reference
    est[ref], var[ref] = np.nan, 0.0
    return _event_study(outcome, ets, est, var)


def test_long_base_leads_are_the_base_window_placebo_and_the_conditioned_balance():
    assert placebo_leads(HEADLINE_SPEC) == list(range(-49, -25))
    assert conditioned_leads(HEADLINE_SPEC) == [e for e in range(-25, 0) if e != -13]
    # a stable gap of 3 pp (conditioned leads all -0.03): the placebo passes, balance holds
    ok = _checks(_long_base_study("employed", 0.0, 0.03), HEADLINE_SPEC)
    assert ok["pretrend_leads"][0] is True and "base window" in ok["pretrend_leads"][2]
    assert ok["pretrend_dip_window"][0] is True and "deviation" in ok["pretrend_dip_window"][2]
    # a gap that moved within the base window: every month 1 pp off its mean (p ~ 0) but every
    # 90 % interval within the placebo margin of 2 pp: negligible, passes; 3 pp off: fails
    drift = _checks(_long_base_study("employed", 0.01, 0.03), HEADLINE_SPEC)
    assert drift["pretrend_leads"][1] < 1e-6 and drift["pretrend_leads"][0] is True
    assert "within that margin" in drift["pretrend_leads"][2]
    assert 0.01 + GATE_EQUIVALENCE_Z * 0.002 <= GATE_PLACEBO_EQUIVALENCE_MARGIN < 0.03
    moved = _checks(_long_base_study("employed", 0.03, 0.03), HEADLINE_SPEC)
    assert moved["pretrend_leads"][0] is False and moved["pretrend_leads"][1] < 1e-6
    # one conditioned month 2 pp off the others (reduced-set cohorts): balance fails
    off = _checks(_long_base_study("employed", 0.0, 0.03, wobble=0.02), HEADLINE_SPEC)
    assert off["pretrend_dip_window"][0] is False
    # another outcome: its dip window is a Wald test (leads there at -0.03, SE 0.0005: fails)
    ben = _checks(_long_base_study("any_benefit", 0.0, 0.03), HEADLINE_SPEC)
    assert ben["pretrend_leads"][0] is True and ben["pretrend_dip_window"][0] is False


def test_cohorts_left_out_are_those_without_any_estimate():
    """A cohort whose ATTs are all missing is left out, with why; a cohort missing only at the
    event times outside the window is not."""
    att = np.full((3, ETS.size), 0.1)
    att[1] = np.nan  # no estimate: the propensity model failed
    att[2, ETS > 30] = np.nan  # observed up to e = 30 only
    parts = []
    for sub, ps in (
        ("purpose=A", [{"cohort": 13, "ok": True}, {"cohort": 14, "ok": False}]),
        ("purpose=B", [{"cohort": 13, "ok": True}]),  # 14: too few comparisons, no fit tried
    ):
        parts.append(
            EventStudy(
                estimator="callaway_santanna_dr",
                outcome="employed",
                event_times=ETS,
                subgroups=[sub],
                estimate=np.zeros((1, ETS.size)),
                vcov=np.eye(ETS.size)[None],
                n_treated=np.full((1, ETS.size), 10),
                meta={"cohorts": np.array([13, 14, 20]), "cohort_att": att, "ps": ps},
            )
        )
    got = cohorts_left_out_frame([merge_subgroups(parts)])
    assert got.to_dict("records") == [
        {
            "estimator": "callaway_santanna_dr",
            "outcome": "employed",
            "subgroup": "purpose=A",
            "cohort": 14,
            "reason": "propensity_model_failed",
        },
        {
            "estimator": "callaway_santanna_dr",
            "outcome": "employed",
            "subgroup": "purpose=B",
            "cohort": 14,
            "reason": "too_few_comparisons",
        },
    ]
    assert cohorts_left_out_frame([]).columns.tolist() == [
        "estimator",
        "outcome",
        "subgroup",
        "cohort",
        "reason",
    ]
