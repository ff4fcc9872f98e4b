"""Effect estimators on hand-computable panels, and against pyfixest / analysis.did."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.did._logit import fit_logit
from analysis.effects import ipw as ipw_mod
from analysis.effects.cs import NEVER, cs_event_study
from analysis.effects.naive import naive_event_study
from analysis.effects.twfe import twfe_event_study


def _panel(cohorts, T, effect, level=None, trend=None):
    """y_it = level_i + trend_t + effect(g, t - g) * 1{t >= g}; cohorts per person."""
    G = np.asarray(cohorts, dtype=np.int64)
    n = G.size
    lvl = np.arange(n) % 7 * 0.3 if level is None else level
    tr = np.sin(np.arange(T)) if trend is None else trend
    t = np.arange(T)[None, :]
    e = t - G[:, None]
    eff = np.where((G[:, None] < NEVER) & (e >= 0), effect(G[:, None], e), 0.0)
    return lvl[:, None] + tr[None, :] + eff


EV = np.arange(-3, 5)


def _cs(y, G, status=None, stratum=None, ev=EV):
    n, T = y.shape
    status = np.ones((n, T), np.int8) if status is None else status
    stratum = np.ones(n, np.int8) if stratum is None else stratum
    tr = G < NEVER
    return cs_event_study({"y": y}, status, G, stratum, {"ALL": tr}, ev)["y"]


def test_constant_effect_no_noise_every_estimator_exact():
    T = 10
    G = np.array([4] * 6 + [6] * 6 + [NEVER] * 12)
    y = _panel(G, T, lambda g, e: 2.0 + 0 * e)
    ev = np.arange(-3, 5)
    cs = _cs(y, G, ev=ev)
    np.testing.assert_allclose(cs.estimate[0], np.where(ev >= 0, 2.0, 0.0), atol=1e-12)
    tw = twfe_event_study(y, G, lo=-3, hi=4)
    np.testing.assert_allclose(tw.estimate[0], np.where(tw.event_times >= 0, 2.0, 0.0), atol=1e-10)
    # naive is biased by the level differences between treated and never-treated persons
    nv = naive_event_study(y, np.ones_like(y, dtype=np.int8), G, G < NEVER, ev)
    lvl = np.arange(G.size) % 7 * 0.3
    bias = lvl[G < NEVER].mean() - lvl[G >= NEVER].mean()
    both = ev <= 3  # both cohorts observed (cohort 6 leaves the window after e = 3)
    np.testing.assert_allclose(
        nv.estimate[0][both], np.where(ev >= 0, 2.0, 0.0)[both] + bias, atol=1e-12
    )
    assert abs(bias) > 0.01


def test_heterogeneous_dynamic_effects_twfe_biased_headline_exact():
    """Early cohort's effect grows fast, late cohort's slowly; no never-treated beyond T."""
    T = 12
    G = np.array([3] * 10 + [7] * 10 + [NEVER] * 10)
    eff = {3: lambda e: 1.0 * (e + 1), 7: lambda e: 0.2 * (e + 1)}
    y = _panel(G, T, lambda g, e: np.where(g == 3, eff[3](e), eff[7](e)))
    ev = np.arange(-2, 5)
    cs = _cs(y, G, ev=ev)
    truth = np.array([0.0 if e < 0 else (eff[3](e) + eff[7](e)) / 2 for e in ev])
    np.testing.assert_allclose(cs.estimate[0], truth, atol=1e-12)
    tw = twfe_event_study(y, G, lo=-2, hi=4)
    k = np.isin(tw.event_times, ev)
    assert np.max(np.abs(tw.estimate[0][k] - truth)) > 0.1


def test_stratification_and_base_month_eligibility_change_the_answer():
    """Stratum-1 persons trend up by 1 a month, stratum-2 persons are flat. The treated are in
    stratum 1 with no effect. Stratified: exactly 0. Pooling strata: the comparison trend is the
    average 0.5, so the post estimate at e is (e + 1) * 0.5 (worked out by hand)."""
    T = 8
    n_tr, n_c = 4, 8
    G = np.array([4] * n_tr + [NEVER] * n_c)
    strat_person = np.array([1] * n_tr + [1] * (n_c // 2) + [2] * (n_c // 2), np.int8)
    trend = np.where(strat_person[:, None] == 1, np.arange(T)[None, :] * 1.0, 0.0)
    y = trend + np.arange(G.size)[:, None] * 0.1
    status = np.repeat(strat_person[:, None], T, axis=1).astype(np.int8)
    ev = np.arange(0, 4)
    strat = _cs(y, G, status=status, stratum=strat_person, ev=ev)
    np.testing.assert_allclose(strat.estimate[0], 0.0, atol=1e-12)
    pooled = _cs(y, G, ev=ev)  # everybody in one stratum
    np.testing.assert_allclose(pooled.estimate[0], (ev + 1) * 0.5, atol=1e-12)
    # base-month registration: make one flat stratum-2 person a stratum-1 registrant only in the
    # base month g-1 = 3; it becomes an eligible comparison of stratum 1 (1 of 5 -> trend 0.8)
    status2 = status.copy()
    status2[n_tr + n_c - 1, 3] = 1
    s2 = _cs(y, G, status=status2, stratum=strat_person, ev=ev)
    np.testing.assert_allclose(s2.estimate[0], (ev + 1) * (1 - 4 / 5), atol=1e-12)
    # not registered in the base month -> not a comparison at all
    status3 = status.copy()
    status3[n_tr : n_tr + 2, 3] = 0  # two of the four stratum-1 controls
    s3 = _cs(y, G, status=status3, stratum=strat_person, ev=ev)
    np.testing.assert_allclose(s3.estimate[0], 0.0, atol=1e-12)
    assert s3.se()[0].min() >= 0


def test_not_yet_treated_are_controls_until_they_start():
    T = 10
    G = np.array([3] * 5 + [6] * 5)  # no never-treated: cohort 6 is the comparison before 6
    y = _panel(G, T, lambda g, e: np.where(g == 3, 1.0 + 0 * e, 5.0 + 0 * e))
    cs = _cs(y, G, ev=np.arange(-2, 6))
    # cohort 3 at e = 0..2 (t = 3..5 < 6) is compared with cohort 6: exact 1.0; from t = 6 on
    # no comparison is left, so e >= 3 comes from no cohort (cohort 6 has none either)
    np.testing.assert_allclose(cs.estimate[0][2:5], 1.0, atol=1e-12)
    assert np.isnan(cs.estimate[0][5:]).all()


def test_headline_reproduces_analysis_did_exactly():
    did = pytest.importorskip("analysis.did")
    rng = np.random.default_rng(1)
    N, T = 300, 9
    G = rng.choice([2, 3, 5, 7, NEVER], size=N)
    t = np.arange(T)[None, :]
    y = rng.normal(size=(N, T)) + (t >= G[:, None]) * (1 + 0.2 * (t - G[:, None]))
    ev = np.arange(-(T - 2), T - 1)
    res = _cs(y, G, ev=ev)
    df = pd.DataFrame(
        {
            "id": np.repeat(np.arange(N), T),
            "t": np.tile(np.arange(T), N) + 1,
            "g": np.repeat(np.where(G >= NEVER, 0, G + 1), T),
            "y": y.ravel(),
        }
    )
    r = did.att_gt(df, unit="id", time="t", cohort="g", outcome="y", control="notyettreated")
    tab = did.aggte(r, type="dynamic").table
    for _, row in tab.iterrows():
        k = np.flatnonzero(ev == int(row["event_time"]))[0]
        assert abs(res.estimate[0, k] - row["att"]) < 1e-10
        assert abs(res.se()[0, k] - row["se"]) < 1e-10
    assert len(tab) >= 10


def test_twfe_matches_pyfixest():
    import pyfixest as pf

    rng = np.random.default_rng(2)
    N, T = 250, 24
    G = rng.choice([4, 9, 13, 20, NEVER], size=N)
    y = (
        rng.normal(size=(N, T))
        + (np.arange(T)[None, :] >= G[:, None]) * 0.5
        + rng.normal(size=(N, 1))
    )
    res = twfe_event_study(y, G, lo=-5, hi=8, chunk=37)
    rel = np.where(G[:, None] >= NEVER, -1, np.clip(np.arange(T)[None, :] - G[:, None], -5, 8))
    df = pd.DataFrame(
        {
            "person": np.repeat(np.arange(N), T),
            "month": np.tile(np.arange(T), N),
            "rel": rel.ravel(),
            "y": y.ravel(),
        }
    )
    fit = pf.feols("y ~ i(rel, ref=-1) | person + month", data=df, vcov={"CRV1": "person"})
    co, se = fit.coef(), fit.se()
    assert len(co) == 13
    for name in co.index:
        k = int(name.split("::")[1].rstrip("]").split(".")[0])
        j = np.flatnonzero(res.event_times == k)[0]
        assert abs(co[name] - res.estimate[0, j]) < 1e-8
        assert abs(se[name] - res.se()[0, j]) < 1e-6 * se[name]


def test_naive_matches_brute_force_and_uses_registered_never_treated_only():
    rng = np.random.default_rng(3)
    N, T = 60, 8
    G = rng.choice([3, 5, NEVER, NEVER], size=N)
    y = rng.normal(size=(N, T))
    status = (rng.random((N, T)) < 0.7).astype(np.int8)
    ev = np.arange(-2, 3)
    nv = naive_event_study(y, status, G, G < NEVER, ev)
    for k, e in enumerate(ev):
        diffs = []
        for i in np.flatnonzero(G < NEVER):
            t = G[i] + e
            if 0 <= t < T:
                ctrl = (G >= NEVER) & (status[:, t] > 0)
                diffs.append(y[i, t] - y[ctrl, t].mean())
        assert abs(nv.estimate[0, k] - np.mean(diffs)) < 1e-12


def test_ipw_design_keeps_non_starters_only_in_the_starters_states():
    """`ipw.exact_support` (the headline's rule): a non-starter of month m in another programme
    in m - 1 stays only if some starter of m was in one too; every starter stays."""
    from analysis.effects.data import EffectsData

    n, T = 8, 6
    prog = np.zeros((n, T), np.int8)
    prog[[1, 2, 5, 6], 2] = 1  # in a programme in month 2 (persons 5 and 6: starters of 3)
    prog[[1, 7], 3] = 1  # in month 3
    data = EffectsData(
        months=np.arange(T),
        month_index0=0,
        person_ids=np.array([f"p{i}" for i in range(n)], dtype=object),
        first_start=np.full(n, NEVER),
        group=np.zeros(n, np.int8),
        status=np.ones((n, T), np.int8),
        outcomes={},
        purpose=np.full(n, "", dtype=object),
        age_at_start=np.full(n, np.nan),
        immigrant=np.full(n, "A", dtype=object),
        gender=np.ones(n, int),
        extra={"months": {"in_programme": prog}},
    )
    # month 3: starter 0 (not in a programme in month 2) and starter 5 (in one); month 4:
    # starter 4 (not in one in month 3); non-starters 1, 2, 3, 7 in both months
    pidx = np.array([0, 5, 1, 2, 3, 7, 4, 1, 2, 3, 7])
    month = np.array([3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4])
    starter = np.array([1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0], bool)
    keep = ipw_mod.exact_support(data, pidx, month, starter, ("in_programme",))
    # month 3: starters in both states, every non-starter stays; month 4: no starter came from
    # a programme, so non-starters 1 and 7 (in one in month 3) go
    assert keep.tolist() == [True] * 7 + [False, True, True, False]
    assert ipw_mod.exact_support(data, pidx, month, starter, ()).all()
    starter[1] = False  # without starter 5, month 3 keeps only those not in a programme
    keep = ipw_mod.exact_support(data, pidx, month, starter, ("in_programme",))
    assert keep[:6].tolist() == [True, False, False, False, True, True]


def test_ipw_reweights_exactly_on_a_saturated_covariate():
    """One binary covariate x; outcome = 3x + 2*treated after start; starters mostly x=1,
    controls mostly x=0. The saturated logit gives exact ATT weights, so levels IPW = 2 exactly
    while the unweighted comparison is biased."""
    n_c1, n_c0, n_t1, n_t0 = 10, 40, 8, 2
    x = np.array([1] * n_t1 + [0] * n_t0 + [1] * n_c1 + [0] * n_c0, dtype=np.float32)
    treat = np.array([True] * (n_t1 + n_t0) + [False] * (n_c1 + n_c0))
    n = x.size
    T = 6
    m = 3
    G = np.where(treat, m, NEVER)
    y = 3 * x[:, None].astype(float) + np.where(
        treat[:, None] & (np.arange(T)[None, :] >= m), 2.0, 0.0
    )
    design = ipw_mod.IPWDesign(
        pidx=np.arange(n),
        month=np.full(n, m),
        is_starter=treat,
        f=np.ones(n),
        X=x[:, None],
        names=["x"],
        year=np.full(n, 2020),
        month_of_year=np.full(n, 4),
    )
    rows = np.ones(n, bool)
    p, info = ipw_mod.propensity(design, rows, treat)
    assert info["all_converged"]
    np.testing.assert_allclose(p[(x == 1) & ~treat], n_t1 / (n_t1 + n_c1), rtol=1e-5)
    w = np.where(treat, 0.0, p / (1 - p))
    ev = np.array([-1, 0, 2])
    res = ipw_mod.ipw_event_study(design, {"y": y}, G, {"ALL": (rows, treat, w)}, ev, "levels")["y"]
    np.testing.assert_allclose(res.estimate[0], [0.0, 2.0, 2.0], atol=1e-5)
    flat = ipw_mod.ipw_event_study(
        design, {"y": y}, G, {"ALL": (rows, treat, np.where(treat, 0.0, 1.0))}, ev, "levels"
    )["y"]
    assert abs(flat.estimate[0, 1] - 2.0) > 1.0
    did = ipw_mod.ipw_event_study(design, {"y": y}, G, {"ALL": (rows, treat, w)}, ev, "did")["y"]
    np.testing.assert_allclose(did.estimate[0], [0.0, 2.0, 2.0], atol=1e-5)
    bal = ipw_mod.balance_table(design, rows, treat, w)
    assert abs(bal[0]["smd_before"]) > 1 and abs(bal[0]["smd_after"]) < 1e-4


def test_ipw_rows_a_category_or_month_without_starters_predicts_get_score_0():
    """A category no starter is in (z = 1) and a month without starters predict 'no start'
    perfectly: their controls get the limit score 0 (coefficient -inf) instead of entering the
    fit, and the other rows' scores are those of the logit fitted without them."""
    rng = np.random.default_rng(7)
    n = 600
    x = rng.normal(size=n)
    month_of_year = np.where(np.arange(n) < 500, 4, 5)  # month 5: controls only
    treat = (month_of_year == 4) & (rng.random(n) < 1 / (1 + np.exp(1.0 - x)))
    z = (~treat & (rng.random(n) < 0.1)).astype(float)  # no starter has z = 1
    design = ipw_mod.IPWDesign(
        pidx=np.arange(n),
        month=np.where(month_of_year == 4, 30, 31),
        is_starter=treat,
        f=np.ones(n),
        X=np.column_stack([x, z]).astype(np.float32),
        names=["x", "z"],
        year=np.full(n, 2020),
        month_of_year=month_of_year,
    )
    p, info = ipw_mod.propensity(design, np.ones(n, bool), treat)
    out = (z == 1) | (month_of_year == 5)
    assert (p[out] == 0).all() and (p[~out] > 0).all()
    year = info["years"][2020]
    assert year["rows_predicted_perfectly"] == out.sum()
    assert year["columns_predicting_perfectly"] == ["z"]
    assert year["months_predicted_perfectly"] == [5]
    xs = np.column_stack([np.ones((~out).sum()), x[~out].astype(np.float32)])
    ref = fit_logit(xs, treat[~out].astype(float), ridge=ipw_mod.IPW_RIDGE)
    np.testing.assert_allclose(p[~out], 1 / (1 + np.exp(-(xs @ ref.coef))), rtol=1e-9)
    # the support table counts them instead of binning an infinite logit
    kept = ipw_mod.common_support(design, np.ones(n, bool), treat, p)
    bins, summary = ipw_mod.support_table(design, np.ones(n, bool), treat, p, kept)
    assert summary["n_controls_score_0"] == out.sum()
    assert sum(b["n"] for b in bins if b["population"] == "controls") == (~out & ~treat).sum()


def _cs_by_the_definition(y, status, G, stratum, subgroup, ev):
    """The plain DiD's estimate and influence-function covariance computed person by person
    from the definitions in `analysis/effects/cs.py`'s docstring (loops, no algebra)."""
    n, T = y.shape
    treated = G < NEVER
    cohorts = sorted(set(G[treated].tolist()))
    psi = np.zeros((len(ev), n))
    est = np.full(len(ev), np.nan)
    for k, e in enumerate(ev):
        cells = []
        for g in cohorts:
            t = g + e
            b = g - 1 if e >= 0 else t - 1
            if t > T - 1 or b < 0 or t < 0:
                continue
            for s in (1, 2):
                comp = [
                    j
                    for j in range(n)
                    if G[j] >= 0 and status[j, g - 1] == s and G[j] > max(t, b) and G[j] != g
                ]
                tr = [i for i in range(n) if G[i] == g and stratum[i] == s and subgroup[i]]
                if comp and tr:
                    m = np.mean([y[j, t] - y[j, b] for j in comp])
                    cells.append((t, b, m, comp, tr))
        n_e = sum(len(c[4]) for c in cells)
        if n_e == 0:
            continue
        est[k] = sum(y[i, t] - y[i, b] - m for t, b, m, _, tr in cells for i in tr) / n_e
        for t, b, m, comp, tr in cells:
            for i in tr:
                psi[k, i] += (y[i, t] - y[i, b] - m - est[k]) / n_e
            for j in comp:
                psi[k, j] -= len(tr) / n_e * (y[j, t] - y[j, b] - m) / len(comp)
    return est, psi @ psi.T


@pytest.mark.parametrize("chunk", [None, 7])
def test_plain_did_influence_function_equals_its_definition_person_by_person(chunk):
    """Estimates and the joint covariance of the plain DiD for a subgroup, with two strata,
    registration gaps, later starters and persons treated before the window, against the
    person-by-person computation of the definitions; in one block of persons and in blocks of
    7 (the last one partial)."""
    rng = np.random.default_rng(5)
    n, T = 90, 12
    G = np.where(rng.random(n) < 0.45, rng.integers(3, 10, n), NEVER).astype(np.int64)
    G[:4] = -2  # treated before the window: never comparisons
    status = rng.integers(0, 3, (n, T)).astype(np.int8)
    stratum = rng.integers(1, 3, n).astype(np.int8)
    treated = (G >= 1) & (G < NEVER)
    y = rng.normal(size=(n, T)) + np.where(treated[:, None] & (np.arange(T) >= G[:, None]), 1, 0)
    sub = treated & (rng.random(n) < 0.6)
    ev = np.arange(-3, 5)
    res = cs_event_study({"y": y}, status, G, stratum, {"ALL": treated, "S": sub}, ev, chunk)["y"]
    for si, mask in enumerate((treated, sub)):
        est, vcov = _cs_by_the_definition(y, status, G, stratum, mask, ev)
        np.testing.assert_allclose(res.estimate[si], est, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(res.vcov[si], vcov, rtol=1e-10, atol=1e-16)
