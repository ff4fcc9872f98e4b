"""The headline's plumbing against analysis.did.att_gt on small hand-built panels.

`estimate_event_study` stacks outcomes and event times into one DRDID model per cohort and sums
person-level influence functions over cohorts. With one cohort it must equal `att_gt` (dr,
never-treated = the cohort's eligible comparisons, universal base g - anticipation - 1, the same
time-invariant covariates) in every estimate and SE; with two cohorts the estimate is the
cohort-size weighted mean of the two single-cohort results.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from analysis.did import att_gt
from analysis.effects.data import EffectsData
from analysis.effects.headline import (
    DesignSpec,
    _independent_columns,
    cohort_covariates,
    estimate_event_study,
)

T = 40
K = 12
# The single-base design these hand-computed cases check against att_gt (the long base and the
# estimand correction have tests of their own below).
SPEC = DesignSpec(
    anticipation=K,
    event_time_min=-15,
    event_time_max=8,
    max_comparison_ratio=1e9,
    history="changes",
    base_window=0,
    estimand="start_now_vs_later",
)


def _data(
    cohorts: dict[int, int], n_other: int = 300, seed: int = 3, in_programme: float = 0.0
) -> EffectsData:
    """Treated cohorts {g: size} and `n_other` others; `in_programme`: share of person-months in
    another programme (never a starter's month g - 1, as in the synthetic world)."""
    rng = np.random.default_rng(seed)
    n_tr = sum(cohorts.values())
    n = n_tr + n_other
    fs = np.full(n, 10**6)
    pos = 0
    for g, k in cohorts.items():
        fs[pos : pos + k] = g
        pos += k
    fs[n_tr : n_tr + 20] = 36  # later starters: comparisons of the earlier cohorts
    b = rng.normal(size=n)
    emp = (rng.normal(size=(n, T)) + b[:, None] > 0.3).astype(float)
    status = np.where(rng.random((n, T)) < 0.6, 1 + (rng.random((n, T)) < 0.3), 0).astype(np.int8)
    for g in cohorts:
        status[fs == g, g - 1] = 1
    months = {
        "age": np.tile(rng.integers(18, 60, n)[:, None], (1, T)).astype(np.int16),
        "innsatsgruppe": rng.integers(0, 5, (n, T)).astype(np.int8),
    }
    for ben in ("aap", "dagpenger", "tiltakspenger", "uforetrygd", "sosialhjelp", "kvp"):
        months[ben] = (rng.random((n, T)) < 0.2).astype(np.int8)
    months["any_benefit"] = np.maximum.reduce([months[x] for x in ("aap", "dagpenger")])
    prog_draw = np.random.default_rng(seed + 1).random((n, T))  # leaves `rng`'s stream alone
    months["in_programme"] = (prog_draw < in_programme).astype(np.int8)
    for g in cohorts:
        months["in_programme"][fs == g, g - 1] = 0
    return EffectsData(
        months=np.arange(T),
        month_index0=0,
        person_ids=np.arange(n).astype(object),
        first_start=fs,
        # the later starters are ANNET (not estimated), so only `cohorts` are treated cohorts
        group=np.where(fs == 36, 3, np.where(fs < 10**6, 1, 0)).astype(np.int8),
        status=status,
        outcomes={"employed": emp, "earnings_nok": emp * rng.gamma(2, 10_000, (n, T))},
        purpose=np.array(["ARBEIDSERFARING"] * n, dtype=object),
        age_at_start=np.full(n, 30.0),
        immigrant=np.where(rng.random(n) < 0.3, "B", "A").astype(object),
        gender=rng.integers(1, 3, n),
        extra={"months": months, "low_education": rng.random(n) < 0.4},
    )


def _att_gt_reference(data: EffectsData, g: int, outcome: str) -> pd.DataFrame:
    tr = np.flatnonzero(data.first_start == g)
    co = np.flatnonzero((data.first_start > g) & (data.status[:, g - 1] > 0))
    idx = np.concatenate([co, tr])
    x = cohort_covariates(data, idx, g, K, history=SPEC.history)
    x = x[:, _independent_columns(x, np.arange(co.size))]
    ts = np.arange(0, T)
    frame = pd.DataFrame(
        {
            "id": np.repeat(idx, ts.size),
            "t": np.tile(ts, idx.size),
            "G": np.repeat(np.r_[np.zeros(co.size), np.full(tr.size, g)], ts.size),
            "y": data.outcomes[outcome][np.ix_(idx, ts)].ravel(),
        }
    )
    covs = []
    for j in range(x.shape[1]):
        frame[f"x{j}"] = np.repeat(x[:, j], ts.size)
        covs.append(f"x{j}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = att_gt(
            frame,
            "id",
            "t",
            "G",
            "y",
            control="nevertreated",
            anticipation=K,
            base_period="universal",
            covariates=covs,
            est_method="dr",
        )
    return res.att_gt.set_index("event_time")


@pytest.mark.parametrize("outcome", ["employed", "earnings_nok"])
def test_one_cohort_equals_att_gt(outcome):
    data = _data({28: 40})
    st = estimate_event_study(data, ["employed", "earnings_nok"], spec=SPEC)[outcome]
    ref = _att_gt_reference(data, 28, outcome)
    se = st.se()[0]
    checked = 0
    for k, e in enumerate(st.event_times):
        if e == -K - 1 or e not in ref.index:
            continue
        assert st.estimate[0, k] == pytest.approx(ref.at[e, "att"], rel=1e-8, abs=1e-10), e
        if np.isnan(ref.at[e, "se"]):  # a covariate month (e.g. employment): R's NA below 1.5e-7
            assert se[k] < 1.5e-7, e
        else:
            assert se[k] == pytest.approx(ref.at[e, "se"], rel=1e-6), e
        checked += 1
    assert checked >= 20


def test_two_cohorts_weighted_by_size():
    data = _data({26: 30, 30: 50})
    st = estimate_event_study(data, ["employed"], spec=SPEC)["employed"]
    r1 = _att_gt_reference(data, 26, "employed")
    r2 = _att_gt_reference(data, 30, "employed")
    for e in (-14, -5, 0, 4, 8):
        k = int(np.flatnonzero(st.event_times == e)[0])
        want = (30 * r1.at[e, "att"] + 50 * r2.at[e, "att"]) / 80
        assert st.estimate[0, k] == pytest.approx(want, rel=1e-8, abs=1e-10)
    # a person is a comparison for both cohorts: the joint SE is not the independent-sum SE
    k = int(np.flatnonzero(st.event_times == 4)[0])
    indep = np.sqrt((30 / 80) ** 2 * r1.at[4, "se"] ** 2 + (50 / 80) ** 2 * r2.at[4, "se"] ** 2)
    assert st.se()[0, k] != pytest.approx(indep, rel=1e-3)


def test_later_starts_taken_out_of_the_comparisons_hand_computed():
    """`_without_later_starts` inverts ATT_obs(g, e) = theta(e) - sum_j F_g(j) theta(e - j):
    two cohorts with their own shares F_g of comparisons starting j months later, one effect
    path theta; the aggregated and the cohort effects come back exactly, leads untouched, and
    the influence functions are mapped by the same linear operator (in place)."""
    from analysis.effects.headline import _without_later_starts

    ets = np.array([-2, -1, 0, 1, 2, 3])
    theta = np.array([0.01, np.nan, -0.05, 0.02, 0.06, 0.08])  # e = -1 is the reference
    F = np.array([[0, 0, 0, 0.10, 0.05, 0.02], [0, 0, 0, 0.20, 0.00, 0.04]])  # F_g(e), e >= 1
    n_g = np.array([30.0, 10.0])
    at = {int(e): i for i, e in enumerate(ets)}
    obs_att = np.zeros((2, 2, ets.size))  # (outcome + start indicator, cohort, e)
    for g in range(2):
        for i, e in enumerate(ets):
            later = sum(F[g, at[j]] * theta[at[e - j]] for j in range(1, e + 1)) if e > 0 else 0
            obs_att[0, g, i] = theta[i] - later
            obs_att[1, g, i] = (e == 0) - F[g, i] if e >= 0 else 0.0
    obs = np.isfinite(obs_att)
    agg = (n_g[:, None] * np.nan_to_num(obs_att[0])).sum(0) / n_g.sum()
    agg[at[-1]] = np.nan
    rng = np.random.default_rng(3)
    inf = rng.normal(size=(50, 1, ets.size))  # the real outcome's only
    inf_before = inf.copy()
    th, inf_out, att_out = _without_later_starts(agg[None], inf, obs_att, obs, n_g, ets)
    # mapped in place, not copied: the largest array of a headline part exists once
    assert np.shares_memory(inf_out, inf)
    assert th.shape == (1, ets.size) and inf_out.shape == (50, 1, ets.size)
    np.testing.assert_allclose(th[0], theta, rtol=0, atol=1e-15)
    assert np.isnan(th[0, at[-1]]) and th[0, at[-2]] == agg[at[-2]]
    for g in range(2):
        np.testing.assert_allclose(att_out[0, g], theta, atol=1e-15)
    # theta = M ATT_obs with M = (I - B)^-1; B[e, e - j] = Fbar(j), here exact for every e
    fbar = (n_g[:, None] * F).sum(0) / n_g.sum()
    B = np.zeros((ets.size, ets.size))
    for e in (1, 2, 3):
        for j in range(1, e + 1):
            B[at[e], at[e - j]] = fbar[at[j]]
    np.testing.assert_allclose(inf_out[:, 0], inf_before[:, 0] @ np.linalg.inv(np.eye(6) - B).T)


def test_later_starts_by_state_hand_computed():
    """With later starts by state, `_without_later_starts` solves ATT_obs(g, e) = theta_g(e) -
    sum_s sum_j F_g(j, s) theta_s(e - j) and, within each state t in g - 1, ATT_obs^t(g, e) =
    theta_t(e) - sum_s sum_j F_g^t(j, s) theta_s(e - j): two states with their own effect paths,
    two cohorts with their own mix of starters and their comparisons' own shares by state; the
    overall and the cohort effects come back exactly. Ignoring the states (the former
    correction, every later start with the effect of all starts) does not."""
    from analysis.effects.headline import _without_later_starts

    ets = np.array([-2, -1, 0, 1, 2, 3])
    at = {int(e): i for i, e in enumerate(ets)}
    th_s = np.array([[0.0, np.nan, 0.40, 0.30, 0.10, 0.05], [0.0, np.nan, 0.02, 0.02, 0.01, 0.0]])
    n_gs = np.array([[40.0, 10.0], [20.0, 50.0]])  # (state, cohort): the cohorts' starters
    n_g = n_gs.sum(0)
    rng = np.random.default_rng(8)
    f_s = np.zeros((2, 2, 2, ets.size))  # F_g^t(j, s): (state in g - 1 t, later state s, g, j)
    f_s[..., at[1] :] = rng.uniform(0.0, 0.08, size=(2, 2, 2, 3))
    # the whole cohort's comparisons: here the mix of the two states' comparisons
    f = np.einsum("tg,tsgj->sgj", n_gs / n_g, f_s)

    def observed(theta_t, shares):  # theta_t (e,) minus the later starts' effects
        out = theta_t.copy()
        for e in (1, 2, 3):
            out[at[e]] -= sum(
                shares[s, at[j]] * th_s[s, at[e - j]] for s in (0, 1) for j in range(1, e + 1)
            )
        return out

    att = np.zeros((3, 2, ets.size))  # (outcome + 2 state indicators, cohort, e)
    att_s = np.zeros((2, 3, 2, ets.size))
    theta_g = np.einsum("tg,te->ge", n_gs / n_g, th_s)  # the cohorts' own effects
    for g in range(2):
        att[0, g] = observed(theta_g[g], f[:, g])
        att[1:, g] = -f[:, g]
        for t in (0, 1):
            att_s[t, 0, g] = observed(th_s[t], f_s[t, :, g])
            att_s[t, 1:, g] = -f_s[t, :, g]
    att[0, :, at[-1]] = att_s[:, 0, :, at[-1]] = np.nan
    obs = np.isfinite(att)
    agg = (n_g[:, None] * np.nan_to_num(att[0])).sum(0) / n_g.sum()
    agg[at[-1]] = np.nan
    truth = (n_g[:, None] * theta_g).sum(0) / n_g.sum()
    inf = np.zeros((5, 1, ets.size))
    th, _, att_out = _without_later_starts(agg[None], inf, att, obs, n_g, ets, att_s, n_gs)
    np.testing.assert_allclose(th[0], truth, rtol=0, atol=1e-15)
    np.testing.assert_allclose(att_out[0], theta_g, rtol=0, atol=1e-15)
    # every later start with the effect of all starts (one state: the indicators summed)
    one = np.concatenate([att[:1], att[1:].sum(0, keepdims=True)])
    th1, _, _ = _without_later_starts(agg[None], inf.copy(), one, np.isfinite(one), n_g, ets)
    assert np.abs(th1[0, at[2]] - truth[at[2]]) > 1e-3


@pytest.mark.parametrize("history", ["changes", "levels"])
def test_long_base_is_the_window_mean_in_the_base_month(history):
    """`base_window` L: the base of every difference is the mean outcome over the L months before
    the pre-base history, and cohorts start no earlier than k + 1 + 12 + L. With one eligible
    cohort this equals the single-base design on an outcome whose base month holds that mean."""
    import dataclasses

    g, L = 30, 3
    data = _data({20: 25, g: 40})  # cohort 20 has no room for the window: not estimated
    rng = np.random.default_rng(11)
    y = rng.normal(size=(data.n, T)) + data.outcomes["employed"]
    spec = dataclasses.replace(SPEC, history=history, base_window=L)
    assert spec.first_cohort == K + 1 + 12 + L
    lo, hi = spec.base_months(g)
    assert (lo, hi) == (g - K - 1 - 12 - L, g - K - 1 - 12)
    long = estimate_event_study(data, {"y": y}, spec=spec)["y"]
    assert long.meta["cohorts"].tolist() == [g]
    y_base = y.copy()
    y_base[:, g - K - 1] = y[:, lo:hi].mean(axis=1)
    only_g = data.first_start == g
    one = estimate_event_study(
        data,
        {"y": y_base},
        spec=dataclasses.replace(spec, base_window=0),
        subgroup_mask=only_g,
    )["y"]
    np.testing.assert_allclose(long.estimate, one.estimate, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(long.se(), one.se(), rtol=1e-10)
    # and it is not the single-base design on y itself
    plain = estimate_event_study(
        data, {"y": y}, spec=dataclasses.replace(spec, base_window=0), subgroup_mask=only_g
    )["y"]
    k = int(np.flatnonzero(long.event_times == 4)[0])
    assert abs(long.estimate[0, k] - plain.estimate[0, k]) > 1e-3


def test_comparisons_only_in_the_starters_states_in_g_minus_1():
    """`spec.exact`: with no starter in another programme in g - 1, comparisons who were in one
    are left out (the estimate equals an explicit filter of them) and the state is no covariate;
    once some starter was in one, every comparison stays and the state is a covariate."""
    import dataclasses

    from analysis.effects.headline import exact_support

    g = 20
    data = _data({g: 60}, n_other=400, seed=5, in_programme=0.2)
    prog = data.extra["months"]["in_programme"]
    y = data.outcomes["employed"]
    est = estimate_event_study(data, {"y": y}, spec=SPEC)["y"]
    off = dataclasses.replace(SPEC, exact=())
    filtered = estimate_event_study(
        data, {"y": y}, spec=off, comparison_filter=lambda i, gg: prog[i, gg - 1] == 0
    )["y"]
    np.testing.assert_allclose(est.estimate, filtered.estimate, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(est.se(), filtered.se(), rtol=1e-10)
    ps = est.meta["ps"][0]
    assert ps["n_covariates"] == filtered.meta["ps"][0]["n_covariates"]
    kept = estimate_event_study(data, {"y": y}, spec=off)["y"]
    assert kept.meta["ps"][0]["n_comparison"] > ps["n_comparison"] > 0
    assert np.nanmax(np.abs(kept.estimate - est.estimate)) > 1e-3
    # two starters came from another programme: both strata have support
    tr = np.flatnonzero(data.first_start == g)
    prog[tr[:2], g - 1] = 1
    co = np.flatnonzero((data.first_start > g) & (data.status[:, g - 1] > 0))
    assert exact_support(data, tr, co, g, SPEC.exact).size == co.size
    both = estimate_event_study(data, {"y": y}, spec=SPEC)["y"].meta["ps"][0]
    assert both["n_comparison"] == kept.meta["ps"][0]["n_comparison"]
    assert both["n_covariates"] == ps["n_covariates"] + 1


def test_comparisons_per_cohort_are_capped_by_the_ratio_but_not_below_the_floor():
    """A cohort uses at most `max_comparison_ratio` comparisons per starter, but never fewer than
    `min_comparisons` (all there are when the pool is smaller): a small cohort is not starved."""
    import dataclasses

    g = 20
    data = _data({g: 10}, n_other=900, seed=7)
    y = {"y": data.outcomes["employed"]}
    pool = int(((data.first_start > g) & (data.status[:, g - 1] > 0)).sum())
    assert pool > 300

    def n_comparison(ratio: float, floor: int) -> int:
        spec = dataclasses.replace(SPEC, max_comparison_ratio=ratio, min_comparisons=floor)
        assert spec.comparisons_for(10) == max(int(np.ceil(ratio * 10)), floor)
        return estimate_event_study(data, y, spec=spec)["y"].meta["ps"][0]["n_comparison"]

    assert n_comparison(20.0, 0) == 200  # the ratio binds
    assert n_comparison(20.0, 300) == 300  # the floor binds
    assert n_comparison(2.0, 10**6) == pool  # a floor above the pool: everyone
    assert n_comparison(1e9, 0) == pool


def test_person_covariates_enter_both_sets():
    """`extra["person_covariates"]` (a diagnostic hook the pipeline leaves unset) adds its columns
    to the full and the reduced covariate set; a column constant among everyone is dropped."""
    from analysis.effects.headline import cohort_covariates

    g = 28
    data = _data({g: 40})
    idx = np.arange(data.n)
    full = cohort_covariates(data, idx, g, K)
    reduced = cohort_covariates(data, idx, g, K, reduced=True)
    z = np.random.default_rng(9).normal(size=(data.n, 2))
    data.extra["person_covariates"] = z
    np.testing.assert_array_equal(cohort_covariates(data, idx, g, K)[:, -2:], z)
    assert cohort_covariates(data, idx, g, K).shape[1] == full.shape[1] + 2
    assert cohort_covariates(data, idx, g, K, reduced=True).shape[1] == reduced.shape[1] + 2
    base = estimate_event_study(data, ["employed"], spec=SPEC)["employed"]
    data.extra["person_covariates"] = np.ones((data.n, 1))
    same = estimate_event_study(data, ["employed"], spec=SPEC)["employed"]
    del data.extra["person_covariates"]
    plain = estimate_event_study(data, ["employed"], spec=SPEC)["employed"]
    np.testing.assert_allclose(same.estimate, plain.estimate, rtol=1e-10, atol=1e-12)
    assert np.nanmax(np.abs(base.estimate - plain.estimate)) > 1e-6
