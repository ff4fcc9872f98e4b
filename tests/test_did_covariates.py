"""analysis.did with covariates, sampling weights and clusters: R parity and independent checks.

* R did 2.5.1 (DRDID 1.2.3) on mpdta with xformla = ~lpop, 8 configurations
  (tests/data/mpdta_did_reference.json, a copy of shared/reference): every ATT(g,t), SE and
  aggregation to 1e-8.
* A brute-force reference written here from the DRDID formulas (Sant'Anna & Zhao 2020): per
  cell a statsmodels logit and WLS fit on the cell's units, the influence function per unit,
  R's n/n1 scaling and R's aggregation with `wif` -- on simulated panels with two covariates
  (one time-varying), sampling weights and both comparison groups.
* A saturated design (one binary covariate) where dr, ipw and reg all equal the stratified DiD.
* Cluster-robust SEs: clusters = units gives the unit SE; coarser clusters equal the brute-force
  sum of cluster sums of the influence function.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis.did import DiDInputError, aggte, att_gt

DATA = Path(__file__).resolve().parent / "data"
REF = json.loads((DATA / "mpdta_did_reference.json").read_text())
MP_KW = {"unit": "countyreal", "time": "year", "cohort": "first.treat", "outcome": "lemp"}
TOL = 1e-8


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    df = pd.read_csv(DATA / "mpdta.csv")
    df["w"] = 1 + (df["countyreal"] % 3)  # the weight column of the reference (cfg8)
    return df


def _na(v):
    return np.array([np.nan if x is None else x for x in v], dtype=float)


def _run_cfg(df, args):
    covs = [] if args["xformla"] == "~1" else [args["xformla"][1:]]
    return att_gt(
        df,
        **MP_KW,
        control=args["control_group"],
        anticipation=args.get("anticipation", 0),
        base_period=args.get("base_period", "varying"),
        covariates=covs,
        est_method=args["est_method"],
        weights=args.get("weightsname"),
        cluster=args.get("clustervars"),
    )


@pytest.mark.parametrize("name", sorted(REF["configurations"]))
def test_mpdta_reference_parity(mpdta, name):
    cfg = REF["configurations"][name]
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = _run_cfg(mpdta, cfg["args"])
    msgs = [str(w.message) for w in rec]
    # R's warnings: with anticipation = 1 the 2004 cohort (20 units) has no pre-period and is
    # dropped; nothing else is reported
    if cfg["att_gt_warnings"]:
        assert any("Dropped 20 units" in m for m in cfg["att_gt_warnings"])
        assert any("dropped 20 units from cohort(s) [2004]" in m for m in msgs)
        assert res.cohorts == (2006, 2007)
        assert any("never-treated units are assumed never to anticipate" in m for m in res.notes)
    else:
        assert msgs == []
    assert res.n_units == cfg["n_units"]
    tab = res.att_gt
    ref = cfg["att_gt"]
    assert tab["group"].tolist() == ref["group"] and tab["time"].tolist() == ref["t"]
    np.testing.assert_allclose(tab["att"], ref["att"], atol=TOL, rtol=0)
    np.testing.assert_allclose(tab["se"], _na(ref["se"]), atol=TOL, rtol=0)  # NaN where R has NA
    for kind, r in cfg["aggte"].items():
        agg = aggte(res, kind)
        assert abs(agg.overall_att - r["overall_att"]) < TOL
        assert abs(agg.overall_se - r["overall_se"]) < TOL
        if kind == "simple":
            continue
        assert agg.table.iloc[:, 0].tolist() == r["egt"]
        np.testing.assert_allclose(agg.table["att"], r["att_egt"], atol=TOL, rtol=0)
        np.testing.assert_allclose(agg.table["se"], _na(r["se_egt"]), atol=TOL, rtol=0)


def test_reference_weights_and_counts(mpdta):
    cfg = REF["configurations"]["cfg8"]
    res = _run_cfg(mpdta, cfg["args"])
    tab = res.att_gt
    sizes = mpdta[mpdta.year == 2003].groupby("first.treat")["countyreal"].size()
    wsum = mpdta[mpdta.year == 2003].groupby("first.treat")["w"].sum()
    assert (tab.n_treated == tab.group.map(sizes)).all() and (tab.n_comparison == sizes[0]).all()
    np.testing.assert_allclose(tab.weight_treated, tab.group.map(wsum))
    np.testing.assert_allclose(tab.weight_comparison, wsum[0])
    # rescaling the weights changes nothing (R normalises them)
    res2 = att_gt(
        mpdta.assign(w=mpdta.w * 7.5),
        **MP_KW,
        covariates=["lpop"],
        weights="w",
        cluster="countyreal",
    )
    np.testing.assert_allclose(res2.att_gt.att, tab.att, atol=1e-12)
    np.testing.assert_allclose(res2.att_gt.se, tab.se, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# brute force: the DRDID panel estimators written out per cell (statsmodels fits, dense IFs)
# ---------------------------------------------------------------------------------------------


def drdid_cell(dy, d, x, w, method):
    """One 2x2 cell as DRDID's drdid_panel / std_ipw_did_panel / reg_did_panel (IF on n1 scale)."""
    n = d.size
    w = w / w.mean()
    if method in ("dr", "ipw"):
        ps = sm.GLM(d, x, family=sm.families.Binomial(), freq_weights=w).fit(tol=1e-14)
        pr = np.minimum(ps.predict(x), 1 - 1e-6)
        trim = np.where(d == 1, True, pr < 0.995)
        wgt = pr * (1 - pr) * w
        hess = np.linalg.inv(x.T @ (wgt[:, None] * x)) * n
        score = (w * (d - pr))[:, None] * x
        alr_ps = score @ hess
    if method in ("dr", "reg"):
        c = d == 0
        beta = sm.WLS(dy[c], x[c], weights=w[c]).fit().params
        out = x @ beta
        wols = (w * (1 - d))[:, None] * x
        xpx = wols.T @ x / n
        alr_or = ((w * (1 - d) * (dy - out))[:, None] * x) @ np.linalg.inv(xpx)
    if method == "dr":
        wt = trim * w * d
        wc = trim * w * pr * (1 - d) / (1 - pr)
        et = np.mean(wt * (dy - out)) / wt.mean()
        ec = np.mean(wc * (dy - out)) / wc.mean()
        inf_t = (wt * (dy - out) - wt * et - alr_or @ (wt[:, None] * x).mean(0)) / wt.mean()
        m2 = (wc * (dy - out - ec))[:, None] * x
        inf_c = (
            wc * (dy - out) - wc * ec + alr_ps @ m2.mean(0) - alr_or @ (wc[:, None] * x).mean(0)
        ) / wc.mean()
        return et - ec, inf_t - inf_c
    if method == "ipw":
        wt = trim * w * d
        wc = trim * w * pr * (1 - d) / (1 - pr)
        et = np.mean(wt * dy) / wt.mean()
        ec = np.mean(wc * dy) / wc.mean()
        inf_t = (wt * dy - wt * et) / wt.mean()
        m2 = (wc * (dy - ec))[:, None] * x
        inf_c = (wc * dy - wc * ec + alr_ps @ m2.mean(0)) / wc.mean()
        return et - ec, inf_t - inf_c
    wt = w * d
    et = np.mean(wt * dy) / wt.mean()
    ec = np.mean(wt * out) / wt.mean()
    inf_t = (wt * dy - wt * et) / wt.mean()
    inf_c = (wt * out - wt * ec + alr_or @ (wt[:, None] * x).mean(0)) / wt.mean()
    return et - ec, inf_t - inf_c


def brute_att_gt(df, covs, method, control, base_period, weight=None):
    """All cells and the n x cells influence matrix (R's scale: IF_i, se = sqrt(sum IF^2)/n)."""
    units = np.sort(df.id.unique())
    periods = sorted(df.t.unique())
    g_of = df.groupby("id").g.first().reindex(units).to_numpy()
    wide_y = df.pivot(index="id", columns="t", values="y").reindex(units)
    wide_x = {c: df.pivot(index="id", columns="t", values=c).reindex(units) for c in covs}
    w_all = (
        np.ones(units.size)
        if weight is None
        else df.groupby("id")[weight].first().reindex(units).to_numpy()
    )
    n = units.size
    rows, infs = [], []
    for g in sorted(set(g_of) - {0}):
        pre = [p for p in periods if p < g]
        tl = periods[1:] if base_period == "varying" else periods
        for t in tl:
            i = periods.index(t)
            b = pre[-1] if base_period == "universal" or g <= t else periods[i - 1]
            if t == b:
                rows.append((g, t, 0.0))
                infs.append(np.zeros(n))
                continue
            treated = g_of == g
            ctrl = (
                (g_of == 0)
                if control == "nevertreated"
                else (g_of == 0) | ((g_of > max(t, b)) & (g_of != g))
            )
            use = treated | ctrl
            s = min(t, b)  # R: covariates of the earlier period
            x = np.column_stack([np.ones(use.sum())] + [wide_x[c][s].to_numpy()[use] for c in covs])
            dy = (wide_y[t] - wide_y[b]).to_numpy()[use]
            att, inf = drdid_cell(dy, treated[use].astype(float), x, w_all[use], method)
            full = np.zeros(n)
            full[use] = (n / use.sum()) * inf
            rows.append((g, t, att))
            infs.append(full)
    tab = pd.DataFrame(rows, columns=["group", "time", "att"])
    inf = np.column_stack(infs)
    tab["se"] = np.sqrt((inf**2).sum(0)) / n
    tab.loc[tab.se < 1.5e-7, "se"] = np.nan
    return tab, inf, g_of, w_all


def brute_dynamic(tab, inf, g_of, w_all):
    """R's aggte(type = "dynamic") by event time, with weighted pg and wif."""
    n = g_of.size
    att = tab.att.to_numpy()
    grp = tab.group.to_numpy()
    e_all = (tab.time - tab.group).to_numpy()
    wn = w_all / w_all.mean()
    pg = np.array([np.mean(wn * (g_of == g)) for g in grp])
    out = []
    for e in sorted(set(e_all)):
        keep = np.flatnonzero(e_all == e)
        s = pg[keep].sum()
        est = float(pg[keep] @ att[keep] / s)
        ind = np.column_stack([wn * (g_of == grp[k]) - pg[k] for k in keep])
        wif = ind / s - ind.sum(1)[:, None] * (pg[keep] / s**2)[None, :]
        f = inf[:, keep] @ (pg[keep] / s) + wif @ att[keep]
        out.append((e, est, np.sqrt(np.sum(f**2)) / n, f))
    return out


def sim_panel(seed, n=400, periods=6, varying_x=True, selection=1.0):
    """Staggered panel with selection on x (x shifts trends), a time-varying covariate z."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    score = selection * x
    u = rng.random(n)
    g = np.where(u < 1 / (1 + np.exp(-(score - 0.5))), rng.choice([3, 4, 5], size=n), 0)
    t = np.arange(1, periods + 1)
    e = t[None, :] - g[:, None]
    eff = np.where((g[:, None] > 0) & (e >= 0), 0.5 + 0.2 * e, 0.0)
    z = rng.normal(size=(n, periods)) * (0.3 if varying_x else 0.0) + x[:, None] * 0.5
    y = (
        rng.normal(size=n)[:, None]
        + 0.3 * t[None, :] * x[:, None]
        + eff
        + rng.normal(size=(n, periods))
    )
    return pd.DataFrame(
        {
            "id": np.repeat(np.arange(n) + 100, periods),
            "t": np.tile(t, n),
            "g": np.repeat(g, periods),
            "y": y.ravel(),
            "x": np.repeat(x, periods),
            "z": z.ravel(),
            "w": np.repeat(rng.uniform(0.5, 2.0, n), periods),
            "cl": np.repeat(rng.integers(0, 25, n), periods),
        }
    )


@pytest.mark.parametrize("method", ["dr", "ipw", "reg"])
@pytest.mark.parametrize(
    "control,base,weight",
    [
        ("nevertreated", "varying", None),
        ("notyettreated", "varying", "w"),
        ("notyettreated", "universal", "w"),
    ],
)
def test_brute_force_drdid(method, control, base, weight):
    df = sim_panel(3)
    covs = ["x", "z"]  # z varies over time: R takes the earlier period's value per cell
    ref, inf, g_of, w_all = brute_att_gt(df, covs, method, control, base, weight)
    res = att_gt(
        df,
        "id",
        "t",
        "g",
        "y",
        control=control,
        base_period=base,
        covariates=covs,
        est_method=method,
        weights=weight,
    )
    tab = res.att_gt
    assert tab[["group", "time"]].to_numpy().tolist() == ref[["group", "time"]].to_numpy().tolist()
    np.testing.assert_allclose(tab.att, ref.att, atol=1e-9, rtol=0)
    np.testing.assert_allclose(tab.se, ref.se, atol=1e-10, rtol=0)
    dyn = aggte(res, "dynamic")
    want = brute_dynamic(ref, inf, g_of, w_all)
    assert dyn.table.event_time.tolist() == [r[0] for r in want]
    np.testing.assert_allclose(dyn.table.att, [r[1] for r in want], atol=1e-9)
    got_se = dyn.table.se.to_numpy()
    want_se = np.array([r[2] for r in want])
    mask = ~np.isnan(got_se)
    np.testing.assert_allclose(got_se[mask], want_se[mask], atol=1e-10)
    # the overall = mean of e >= 0 event times, its IF the mean of theirs
    pos = [r for r in want if r[0] >= 0]
    f = np.mean([r[3] for r in pos], axis=0)
    assert abs(dyn.overall_se - np.sqrt(np.sum(f**2)) / g_of.size) < 1e-10


def test_saturated_binary_covariate_is_stratified_did():
    # one binary covariate: logit and regression are saturated, so dr = ipw = reg = the DiD
    # within each stratum, averaged with the treated's weights
    rng = np.random.default_rng(11)
    n = 300
    xb = (rng.random(n) < 0.4).astype(float)
    g = np.where(rng.random(n) < 0.3 + 0.4 * xb, 3, 0)
    t = np.arange(1, 5)
    y = (
        rng.normal(size=(n, 4))
        + xb[:, None] * t[None, :]
        + np.where((g[:, None] == 3) & (t >= 3), 1.0, 0)
    )
    w = rng.uniform(1, 3, n)
    df = pd.DataFrame(
        {
            "id": np.repeat(np.arange(n), 4),
            "t": np.tile(t, n),
            "g": np.repeat(g, 4),
            "y": y.ravel(),
            "xb": np.repeat(xb, 4),
            "w": np.repeat(w, 4),
        }
    )
    for tt in (3, 4):
        dy = y[:, tt - 1] - y[:, 1]
        strat = 0.0
        for v in (0.0, 1.0):
            tr, co = (g == 3) & (xb == v), (g == 0) & (xb == v)
            did = np.average(dy[tr], weights=w[tr]) - np.average(dy[co], weights=w[co])
            strat += did * w[tr].sum() / w[g == 3].sum()
        for m in ("dr", "ipw", "reg"):
            res = att_gt(df, "id", "t", "g", "y", covariates=["xb"], est_method=m, weights="w")
            got = res.att_gt.set_index("time").loc[tt, "att"]
            assert got == pytest.approx(strat, abs=1e-10), (m, tt)


def test_cluster_equal_to_units_gives_unit_se():
    df = sim_panel(5)
    df["unit_copy"] = df["id"] * 10
    a = att_gt(df, "id", "t", "g", "y", covariates=["x"], weights="w")
    b = att_gt(df, "id", "t", "g", "y", covariates=["x"], weights="w", cluster="unit_copy")
    assert b.n_clusters == df.id.nunique()
    np.testing.assert_allclose(b.att_gt.se, a.att_gt.se, rtol=1e-12)
    for kind in ("simple", "dynamic", "group", "calendar"):
        assert aggte(b, kind).overall_se == pytest.approx(aggte(a, kind).overall_se, rel=1e-12)


def test_cluster_robust_se_matches_brute_force():
    df = sim_panel(6)
    ref, inf, g_of, w_all = brute_att_gt(df, ["x"], "dr", "nevertreated", "varying", "w")
    cl = df.groupby("id").cl.first().sort_index().to_numpy()
    n = g_of.size
    sums = pd.DataFrame(inf).groupby(cl).sum().to_numpy()
    want = np.sqrt((sums**2).sum(0)) / n
    res = att_gt(df, "id", "t", "g", "y", covariates=["x"], weights="w", cluster="cl")
    np.testing.assert_allclose(res.att_gt.se, want, atol=1e-10)
    assert not np.allclose(res.att_gt.se, ref.se)  # clustering matters here
    dyn = aggte(res, "dynamic")
    for e, _, _, f in brute_dynamic(ref, inf, g_of, w_all):
        s = pd.Series(f).groupby(cl).sum().to_numpy()
        got = dyn.table.set_index("event_time").loc[e, "se"]
        assert got == pytest.approx(np.sqrt(np.sum(s**2)) / n, abs=1e-10)


def test_no_covariate_fit_is_biased_when_selection_is_on_a_covariate():
    # x drives both who is treated and the outcome trend: unconditional parallel trends fail,
    # conditional ones hold. The unconditional estimator is far off, DR recovers the truth.
    df = sim_panel(7, n=6000, periods=6, varying_x=False, selection=1.5)
    truth = 0.5  # effect at e = 0
    plain = aggte(att_gt(df, "id", "t", "g", "y"), "dynamic").table.set_index("event_time")
    dr = aggte(att_gt(df, "id", "t", "g", "y", covariates=["x"]), "dynamic").table.set_index(
        "event_time"
    )
    assert abs(plain.loc[0, "att"] - truth) > 8 * plain.loc[0, "se"]
    assert abs(dr.loc[0, "att"] - truth) < 3 * dr.loc[0, "se"]


def test_input_errors_and_na_cells():
    df = sim_panel(8)
    with pytest.raises(DiDInputError, match="weights column 'w' varies within unit"):
        att_gt(df.assign(w=df.w + df.t), "id", "t", "g", "y", weights="w")
    with pytest.raises(DiDInputError, match="cluster column 'cl' varies within unit"):
        att_gt(df.assign(cl=df.cl + df.t), "id", "t", "g", "y", cluster="cl")
    with pytest.raises(DiDInputError, match="weights column 'w' has negative values"):
        att_gt(df.assign(w=-df.w), "id", "t", "g", "y", weights="w")
    with pytest.raises(DiDInputError, match="balanced panel"):
        att_gt(df.iloc[1:], "id", "t", "g", "y", covariates=["x"], allow_unbalanced_panel=True)
    with pytest.raises(DiDInputError, match="est_method"):
        att_gt(df, "id", "t", "g", "y", covariates=["x"], est_method="aipw")
    with pytest.raises(DiDInputError, match=r"missing column\(s\): covariate 'nope'"):
        att_gt(df, "id", "t", "g", "y", covariates=["nope"])
    # a collinear covariate: R's singularity check sets every cell to NA, with a warning
    with pytest.warns(UserWarning, match="not identified|singular"):
        res = att_gt(df.assign(x2=2 * df.x), "id", "t", "g", "y", covariates=["x", "x2"])
    assert res.att_gt.att.isna().all()
    # perfect prediction of treatment: overlap violated -> NA, warning names the cells
    sep = df.assign(xs=(df.g > 0).astype(float) + 0.01 * df.x)
    with pytest.warns(UserWarning, match=r"overlap condition violated: cell\(s\) set to NA"):
        res = att_gt(sep, "id", "t", "g", "y", covariates=["xs"])
    assert res.att_gt.att.isna().all()
    # a missing covariate value drops the row, and so the unit (balanced panel), as R
    bad = df.copy()
    bad.loc[bad.index[3], "x"] = np.nan
    with pytest.warns(UserWarning, match=r"covariate 'x': 1"):
        res = att_gt(bad, "id", "t", "g", "y", covariates=["x"])
    assert res.n_units == df.id.nunique() - 1


def test_cli_with_covariates(tmp_path, capsys):
    from pipelines.cli import main

    out = tmp_path / "r.json"
    args = [
        "did",
        "--data",
        str(DATA / "mpdta.csv"),
        "--unit",
        "countyreal",
        "--time",
        "year",
        "--cohort",
        "first.treat",
        "--outcome",
        "lemp",
        "--covariates",
        "lpop",
        "--est-method",
        "ipw",
        "--json",
        str(out),
    ]
    assert main(args) == 0
    capsys.readouterr()
    doc = json.loads(out.read_text())
    ref = REF["configurations"]["cfg2"]
    np.testing.assert_allclose([r["att"] for r in doc["att_gt"]], ref["att_gt"]["att"], atol=TOL)
    np.testing.assert_allclose([r["se"] for r in doc["att_gt"]], ref["att_gt"]["se"], atol=TOL)
    assert all(r["n_treated"] > 0 and r["n_comparison"] == 309 for r in doc["att_gt"])
    cal = doc["aggregations"]["calendar"]
    assert [r["time"] for r in cal["by_time"]] == ref["aggte"]["calendar"]["egt"]
    np.testing.assert_allclose(
        [r["att"] for r in cal["by_time"]], ref["aggte"]["calendar"]["att_egt"], atol=TOL
    )
    assert abs(cal["overall"]["se"] - ref["aggte"]["calendar"]["overall_se"]) < TOL
    assert doc["settings"]["est_method"] == "ipw" and doc["settings"]["covariates"] == ["lpop"]
    # event window and balance flags reach the dynamic aggregation
    assert main([*args[:-2], "--min-e", "-1", "--max-e", "1", "--json", str(out)]) == 0
    capsys.readouterr()
    dyn = json.loads(out.read_text())["aggregations"]["dynamic"]
    assert [r["event_time"] for r in dyn["by_event_time"]] == [-1, 0, 1]
    with pytest.raises(SystemExit):
        main([*args[:-2], "--est-method", "nope"])


def coverage_world(seed: int, n: int = 1000, periods: int = 8) -> pd.DataFrame:
    """Selection on a covariate that also drives the outcome trend (conditional PT holds)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    treated = rng.random(n) < 1 / (1 + np.exp(-(x - 0.3)))
    g = np.where(treated, rng.choice([4, 5, 6], size=n), 0)
    t = np.arange(1, periods + 1)
    e = t[None, :] - g[:, None]
    eff = np.where((g[:, None] > 0) & (e >= 0), 0.5 + 0.1 * e, 0.0)
    y = (
        rng.normal(size=n)[:, None]
        + 0.1 * t[None, :]
        + 0.25 * t[None, :] * x[:, None]
        + eff
        + rng.normal(size=(n, periods))
    )
    return pd.DataFrame(
        {
            "id": np.repeat(np.arange(n), periods),
            "t": np.tile(t, n),
            "g": np.repeat(g, periods),
            "y": y.ravel(),
            "x": np.repeat(x, periods),
        }
    )


@pytest.mark.slow
def test_dr_coverage_with_selection_on_a_covariate():
    """1000 simulated panels: DR 95% intervals cover the truth at e = 0, 1, 2 and overall."""
    truth = {0: 0.5, 1: 0.6, 2: 0.7}
    overall_truth = np.mean([0.5 + 0.1 * e for e in range(5)])
    reps = 1000
    hits = {k: 0 for k in [*truth, "overall"]}
    bias = {k: 0.0 for k in hits}
    z = 1.959963984540054
    for r in range(reps):
        res = att_gt(coverage_world(r), "id", "t", "g", "y", covariates=["x"])
        dyn = aggte(res, "dynamic")
        tab = dyn.table.set_index("event_time")
        for e, v in truth.items():
            a, s = tab.loc[e, "att"], tab.loc[e, "se"]
            hits[e] += abs(a - v) <= z * s
            bias[e] += (a - v) / reps
        hits["overall"] += abs(dyn.overall_att - overall_truth) <= z * dyn.overall_se
        bias["overall"] += (dyn.overall_att - overall_truth) / reps
    for k, h in hits.items():
        assert 0.93 <= h / reps <= 0.97, (k, h / reps)
        assert abs(bias[k]) < 0.01, (k, bias[k])


@pytest.mark.parametrize("period", ["base", "pre_treatment"])
def test_covariate_period_extension(period):
    # beyond R: time-varying covariates taken at the base period, or at the cohort's last
    # pre-treatment period for every cell; checked against the brute force with that rule
    df = sim_panel(9)
    pre_of = {3: 2, 4: 3, 5: 4}

    res = att_gt(df, "id", "t", "g", "y", covariates=["z"], covariate_period=period)
    # brute force: one cell at a time with the chosen covariate period
    units = np.sort(df.id.unique())
    g_of = df.groupby("id").g.first().reindex(units).to_numpy()
    wy = df.pivot(index="id", columns="t", values="y").reindex(units)
    wz = df.pivot(index="id", columns="t", values="z").reindex(units)
    for row in res.att_gt.itertuples():
        g, t, b = row.group, row.time, row.base_time
        s = b if period == "base" else pre_of[g]
        use = (g_of == g) | (g_of == 0)
        x = np.column_stack([np.ones(use.sum()), wz[s].to_numpy()[use]])
        att, inf = drdid_cell(
            (wy[t] - wy[b]).to_numpy()[use],
            (g_of[use] == g).astype(float),
            x,
            np.ones(use.sum()),
            "dr",
        )
        assert row.att == pytest.approx(att, abs=1e-9)
        assert row.se == pytest.approx(np.sqrt(np.sum(inf**2)) / use.sum(), abs=1e-10)
    with pytest.raises(DiDInputError, match="covariate_period"):
        att_gt(df, "id", "t", "g", "y", covariates=["z"], covariate_period="first")


@pytest.mark.parametrize("method", ["dr", "ipw", "reg"])
def test_att_by_group_is_the_stratified_did_with_a_saturated_covariate(method):
    """`CovEngine.att_by_group`: each group's treated against the group's comparisons, with the
    model's own propensity score and outcome regression. With one binary covariate both are
    saturated, so within each of its strata every method is the stratum's weighted DiD; with
    every unit in one group it is the model's att."""
    from analysis.did._drdid import CovEngine
    from analysis.did._engine import CellDef
    from analysis.did._prep import Panel

    rng = np.random.default_rng(5)
    n = 500
    xb = (rng.random(n) < 0.4).astype(float)
    d = rng.random(n) < 0.3 + 0.3 * xb
    o = np.argsort(d, kind="stable")  # comparisons, then treated
    xb, d = xb[o], d[o]
    y = rng.normal(size=(n, 4)) + xb[:, None] * np.arange(4) + d[:, None] * [0, 0, 1, 2.5]
    w = rng.uniform(1, 3, n)
    n_co = int((~d).sum())
    panel = Panel(
        tlist=np.arange(4),
        cohorts=np.array([0, 1]),
        n_by_cohort=np.array([n_co, n - n_co]),
        starts=np.array([0, n_co, n]),
        order=np.arange(n),
        cols=None,
        y=y,
        balanced=True,
        x=xb[:, None],
        w=w,
        x_varying=False,
    )
    tidx = np.array([2, 3])
    bidx = np.array([1, 1])
    cd = CellDef(
        group=np.ones(2, dtype=np.int64),
        time=tidx.copy(),
        base=bidx.copy(),
        gidx=np.ones(2, dtype=np.int64),
        tidx=tidx,
        bidx=bidx,
        control=np.tile(np.array([True, False]), (2, 1)),
        reference=np.zeros(2, dtype=bool),
    )
    eng = CovEngine(panel, cd, est_method=method, anticipation=0)
    np.testing.assert_allclose(
        eng.att_by_group(0, np.zeros(n, dtype=np.int64), 1)[0], eng.models[0].att, rtol=1e-12
    )
    got = eng.att_by_group(0, xb.astype(np.int64), 2)
    for v in (0, 1):
        for c, t in enumerate(tidx):
            dy = y[:, t] - y[:, 1]
            tr, co = d & (xb == v), ~d & (xb == v)
            want = np.average(dy[tr], weights=w[tr]) - np.average(dy[co], weights=w[co])
            assert got[v, c] == pytest.approx(want, abs=1e-10), (v, t)
    # other outcome columns get an outcome regression of their own: the same columns, the same
    same = eng.att_by_group(0, xb.astype(np.int64), 2, y=y * 1.0, tidx=tidx, bidx=bidx)
    np.testing.assert_allclose(same, got, rtol=1e-10)
    # a group without treated has no ATT, nor one without comparisons unless the outcome
    # regression alone stands for them ("reg")
    by_d = eng.att_by_group(0, d.astype(np.int64), 2)
    assert np.isnan(by_d[0]).all()
    assert np.isnan(by_d[1]).all() == (method != "reg")
