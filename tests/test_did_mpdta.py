"""Validation of analysis.did on mpdta against R did's results and a brute-force reference.

R reference values: R `did` (att_gt with xformla = ~1, bstrap = FALSE, cband = FALSE, est_method
"dr"; aggte with bstrap = FALSE) on mpdta, as stored in the public csdid parity fixtures
(d2cml-ai/csdid, csdid/test_csdid/r_ref/ref_attgt.csv and ref_aggte.csv). The rounded
values quoted in the R did vignette (never-treated, no covariates) are checked separately.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.did import aggte, att_gt
from analysis.did._engine import unit_influence
from analysis.did._prep import prepare_panel
from pipelines.cli import main as cli_main

MPDTA = Path(__file__).resolve().parent / "data" / "mpdta.csv"  # copy of shared/reference


def main(argv: list[str]) -> int:
    """`arbeidstrening did ...`"""
    return cli_main(["did", *argv])


# --- R did, bstrap = FALSE (analytic SEs), full precision -------------------------------------
R_ATTGT = {
    "nevertreated": [
        (2004, 2004, -0.0105032462209624, 0.0232510363681664),
        (2004, 2005, -0.0704231581031467, 0.0309847667572767),
        (2004, 2006, -0.137258738889403, 0.0364356642876865),
        (2004, 2007, -0.100811363085404, 0.0343592258346732),
        (2006, 2004, 0.00652011242423301, 0.0233268051418047),
        (2006, 2005, -0.00275081875051882, 0.0195585610358817),
        (2006, 2006, -0.00459460695286304, 0.0177551966592763),
        (2006, 2007, -0.0412244715462175, 0.0202291807041068),
        (2007, 2004, 0.0305066555832928, 0.01503356028013),
        (2007, 2005, -0.00272589288611625, 0.0163958328955344),
        (2007, 2006, -0.0310871193896889, 0.0178775113133435),
        (2007, 2007, -0.0260544107191966, 0.0166554353492522),
    ],
    "notyettreated": [
        (2004, 2004, -0.0193723636759221, 0.0223101128836806),
        (2004, 2005, -0.0783190990620607, 0.0303902285433973),
        (2004, 2006, -0.136274346328678, 0.03540338496891),
        (2004, 2007, -0.100811363085404, 0.0343592258346732),
        (2006, 2004, -0.00256255094261098, 0.0225302351453388),
        (2006, 2005, -0.00193924609578875, 0.019042158605819),
        (2006, 2006, 0.00466087631997615, 0.0163355842468236),
        (2006, 2007, -0.0412244715462175, 0.0202291807041068),
        (2007, 2004, 0.0297593647610311, 0.0145335416386514),
        (2007, 2005, -0.0024106128000969, 0.0160312963755178),
        (2007, 2006, -0.0310871193896889, 0.0178775113133435),
        (2007, 2007, -0.0260544107191966, 0.0166554353492522),
    ],
}
# type -> (overall att, overall se, [(key, att, se), ...])
R_AGGTE = {
    "nevertreated": {
        "simple": (-0.0399512751551763, 0.0120340127701854, []),
        "group": (
            -0.0310182822287484,
            0.0124460593209979,
            [
                (2004, -0.0797491265747291, 0.0263677994350273),
                (2006, -0.0229095392495403, 0.0167033302551619),
                (2007, -0.0260544107191966, 0.0166554353492522),
            ],
        ),
        "dynamic": (
            -0.0772398214573151,
            0.0199649890618494,
            [
                (-3, 0.0305066555832928, 0.01503356028013),
                (-2, -0.000563084626385429, 0.01329164473655),
                (-1, -0.0244587449711696, 0.0142364022105193),
                (0, -0.0199318167892593, 0.0118263640580582),
                (1, -0.0509573670651939, 0.016893476268678),
                (2, -0.137258738889403, 0.0364356642876865),
                (3, -0.100811363085404, 0.0343592258346733),
            ],
        ),
        "calendar": (
            -0.0417004321312822,
            0.01597185188456,
            [
                (2004, -0.0105032462209624, 0.0232510363681664),
                (2005, -0.0704231581031467, 0.0309847667572767),
                (2006, -0.0488159842650431, 0.0201258612605003),
                (2007, -0.0370593399359766, 0.0137470791411185),
            ],
        ),
    },
    "notyettreated": {
        "simple": (-0.0397636256230437, 0.0120524247873419, []),
        "group": (
            -0.030462228112565,
            0.0125751201316818,
            [
                (2004, -0.0836942930380162, 0.0257015997680069),
                (2006, -0.0182817976131207, 0.0159222358245001),
                (2007, -0.0260544107191966, 0.0166554353492522),
            ],
        ),
        "dynamic": (
            -0.0773993139705847,
            0.0195601769463944,
            [
                (-3, 0.0297593647610311, 0.0145335416386514),
                (-2, -0.00244615388606511, 0.0131203504342708),
                (-1, -0.0242689034145076, 0.0144636816758019),
                (0, -0.0189221990834249, 0.0120445686892691),
                (1, -0.0535893473848319, 0.016946385539125),
                (2, -0.136274346328678, 0.03540338496891),
                (3, -0.100811363085404, 0.0343592258346733),
            ],
        ),
        "calendar": (
            -0.0442670834758837,
            0.0155709044211449,
            [
                (2004, -0.0193723636759221, 0.0223101128836806),
                (2005, -0.0783190990620607, 0.0303902285433972),
                (2006, -0.0423175312295752, 0.0190562576431668),
                (2007, -0.0370593399359766, 0.0137470791411185),
            ],
        ),
    },
}
# --- R did vignette (never treated, no covariates), rounded as printed there ---------------------
VIGNETTE_ATT = {
    (2004, 2004): -0.0105,
    (2004, 2005): -0.0704,
    (2004, 2006): -0.1373,
    (2004, 2007): -0.1008,
    (2006, 2004): 0.0065,
    (2006, 2005): -0.0028,
    (2006, 2006): -0.0046,
    (2006, 2007): -0.0412,
    (2007, 2004): 0.0305,
    (2007, 2005): -0.0027,
    (2007, 2006): -0.0311,
    (2007, 2007): -0.0261,
}
VIGNETTE_SIMPLE = (-0.0400, 0.0115)  # SE from the vignette's multiplier bootstrap
VIGNETTE_DYNAMIC_OVERALL = -0.0772
VIGNETTE_GROUP_OVERALL = -0.031

TOL = 1e-9  # we agree with R to machine precision; "4 decimals" would be 5e-5

KW = {"unit": "countyreal", "time": "year", "cohort": "first.treat", "outcome": "lemp"}


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    if not MPDTA.is_file():
        pytest.skip(f"reference data not found: {MPDTA}")
    return pd.read_csv(MPDTA)


# ---------------------------------------------------------------------------------------------
# brute force: explicit 2x2 DiD per cell, explicit per-unit influence functions, R's aggte
# formulas (including wif) written out with dense matrices
# ---------------------------------------------------------------------------------------------


def brute_att_gt(df, control, base_period="varying", anticipation=0):
    wide = df.pivot(index=KW["unit"], columns=KW["time"], values=KW["outcome"]).sort_index()
    grp = df.groupby(KW["unit"])[KW["cohort"]].first().reindex(wide.index).to_numpy()
    periods = list(wide.columns)
    n = len(wide)
    rows, psis = [], []
    for g in sorted(set(grp) - {0}):
        pre = [p for p in periods if p + anticipation < g]
        t_list = periods[1:] if base_period == "varying" else periods
        for t in t_list:
            i = periods.index(t)
            b = pre[-1] if base_period == "universal" or g <= t else periods[i - 1]
            treated = grp == g
            if control == "nevertreated":
                ctrl = grp == 0
            else:
                ctrl = (grp == 0) | ((grp > max(t, b) + anticipation) & (grp != g))
            if t == b:
                rows.append((g, t, 0.0, np.nan))
                psis.append(np.zeros(n))
                continue
            dy = (wide[t] - wide[b]).to_numpy()
            m1, m0 = dy[treated].mean(), dy[ctrl].mean()
            psi = np.zeros(n)
            psi[treated] = (dy[treated] - m1) / treated.sum()
            psi[ctrl] = -(dy[ctrl] - m0) / ctrl.sum()
            rows.append((g, t, m1 - m0, np.sqrt(np.sum(psi**2))))
            psis.append(psi)
    return pd.DataFrame(rows, columns=["group", "time", "att", "se"]), np.column_stack(psis), grp


def r_wif(keepers, pg, grp, groups):
    """R did's wif(), literally: n x len(keepers) matrix."""
    s = pg[keepers].sum()
    ind = np.column_stack([(grp == groups[k]).astype(float) - pg[k] for k in keepers])
    if1 = ind / s
    if2 = ind.sum(axis=1)[:, None] * (pg[keepers] / s**2)[None, :]
    return if1 - if2


def brute_aggte(tab, psi, grp, kind):
    """Returns (overall att, overall se, [(key, att, se)]) following R's compute.aggte."""
    n = len(grp)
    att = tab["att"].to_numpy()
    group = tab["group"].to_numpy()
    t = tab["time"].to_numpy()
    pg = np.array([np.mean(grp == g) for g in group])
    se = lambda v: float(np.sqrt(np.sum(v**2)))  # noqa: E731

    def agg(keep, with_wif=True):
        w = pg[keep] / pg[keep].sum()
        est = float(w @ att[keep])
        inf = psi[:, keep] @ w
        if with_wif:
            inf = inf + r_wif(list(keep), pg, grp, group) @ att[keep] / n
        return est, inf

    if kind == "simple":
        est, inf = agg(np.flatnonzero(group <= t))
        return est, se(inf), []
    if kind == "dynamic":
        e = t - group
        rows, infs = [], []
        for ev in sorted(set(e)):
            est, inf = agg(np.flatnonzero(e == ev))
            rows.append((ev, est, se(inf)))
            infs.append((ev, est, inf))
        pos = [(a, f) for ev, a, f in infs if ev >= 0]
        overall = float(np.mean([a for a, _ in pos]))
        return overall, se(np.mean([f for _, f in pos], axis=0)), rows
    if kind == "group":
        rows, infs, gl = [], [], sorted(set(group))
        for g in gl:
            keep = np.flatnonzero((group == g) & (g <= t))
            est, inf = agg(keep, with_wif=False)
            rows.append((g, est, se(inf)))
            infs.append(inf)
        pgg = np.array([np.mean(grp == g) for g in gl])
        att_g = np.array([r[1] for r in rows])
        overall = float(att_g @ pgg / pgg.sum())
        wif = r_wif(list(range(len(gl))), pgg, grp, gl)  # corrected R: group=glist
        inf = np.column_stack(infs) @ (pgg / pgg.sum()) + wif @ att_g / n
        return overall, se(inf), rows
    if kind == "calendar":
        rows, infs = [], []
        for tt in sorted(set(t[group <= t])):
            est, inf = agg(np.flatnonzero((t == tt) & (group <= t)))
            rows.append((tt, est, se(inf)))
            infs.append((est, inf))
        overall = float(np.mean([a for a, _ in infs]))
        return overall, se(np.mean([f for _, f in infs], axis=0)), rows
    raise ValueError(kind)


# ---------------------------------------------------------------------------------------------
# tests against R
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("control", ["nevertreated", "notyettreated"])
def test_att_gt_matches_r(mpdta, control):
    res = att_gt(mpdta, control=control, **KW)
    tab = res.att_gt
    ref = pd.DataFrame(R_ATTGT[control], columns=["group", "time", "att", "se"])
    assert tab[["group", "time"]].to_numpy().tolist() == ref[["group", "time"]].to_numpy().tolist()
    np.testing.assert_allclose(tab["att"], ref["att"], atol=TOL, rtol=0)
    np.testing.assert_allclose(tab["se"], ref["se"], atol=TOL, rtol=0)
    assert set(tab.columns) >= {
        "group",
        "time",
        "att",
        "se",
        "ci_low",
        "ci_high",
        "n_treated",
        "n_comparison",
        "post",
    }
    np.testing.assert_allclose(tab["ci_high"] - tab["att"], 1.959963984540054 * tab["se"])


@pytest.mark.parametrize("control", ["nevertreated", "notyettreated"])
@pytest.mark.parametrize("kind", ["simple", "group", "dynamic", "calendar"])
def test_aggte_matches_r(mpdta, control, kind):
    res = att_gt(mpdta, control=control, **KW)
    agg = aggte(res, kind)
    r_att, r_se, r_rows = R_AGGTE[control][kind]
    assert abs(agg.overall_att - r_att) < TOL
    assert abs(agg.overall_se - r_se) < TOL
    if kind == "simple":
        assert agg.table is None
        return
    key = {"group": "group", "dynamic": "event_time", "calendar": "time"}[kind]
    assert list(agg.table.columns) == [key, "att", "se", "ci_low", "ci_high"]
    assert agg.table[key].tolist() == [r[0] for r in r_rows]
    np.testing.assert_allclose(agg.table["att"], [r[1] for r in r_rows], atol=TOL, rtol=0)
    np.testing.assert_allclose(agg.table["se"], [r[2] for r in r_rows], atol=TOL, rtol=0)


def test_vignette_published_values(mpdta):
    res = att_gt(mpdta, **KW)
    for g, t, a in res.att_gt[["group", "time", "att"]].itertuples(index=False):
        assert round(a, 4) == VIGNETTE_ATT[(g, t)]
    simple = aggte(res, "simple")
    assert round(simple.overall_att, 4) == VIGNETTE_SIMPLE[0]
    # analytic SE vs the vignette's bootstrap SE: close, not equal
    assert abs(simple.overall_se / VIGNETTE_SIMPLE[1] - 1) < 0.15
    assert round(aggte(res, "dynamic").overall_att, 4) == VIGNETTE_DYNAMIC_OVERALL
    assert round(aggte(res, "group").overall_att, 3) == VIGNETTE_GROUP_OVERALL


def test_group_sizes(mpdta):
    res = att_gt(mpdta, **KW)
    sizes = mpdta.groupby("first.treat")["countyreal"].nunique()
    assert (res.att_gt["n_treated"] == res.att_gt["group"].map(sizes)).all()
    assert (res.att_gt["n_comparison"] == sizes[0]).all()
    assert res.n_units == 500
    nyt = att_gt(mpdta, control="notyettreated", **KW).att_gt.set_index(["group", "time"])
    # not-yet-treated: 2004 at 2005 compares with never + 2006 + 2007 cohorts; at 2006 with never + 2007
    assert nyt.loc[(2004, 2005), "n_comparison"] == sizes[0] + sizes[2006] + sizes[2007]
    assert nyt.loc[(2004, 2006), "n_comparison"] == sizes[0] + sizes[2007]
    assert nyt.loc[(2004, 2007), "n_comparison"] == sizes[0]
    assert nyt.loc[(2007, 2005), "n_comparison"] == sizes[0] + sizes[2006]  # pre-period placebo


# ---------------------------------------------------------------------------------------------
# tests against the brute-force reference (also for settings R results are not stored for)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("control", ["nevertreated", "notyettreated"])
@pytest.mark.parametrize("base_period", ["varying", "universal"])
def test_att_gt_matches_brute_force(mpdta, control, base_period):
    ref, _, _ = brute_att_gt(mpdta, control, base_period)
    tab = att_gt(mpdta, control=control, base_period=base_period, **KW).att_gt
    assert tab[["group", "time"]].to_numpy().tolist() == ref[["group", "time"]].to_numpy().tolist()
    np.testing.assert_allclose(tab["att"], ref["att"], atol=1e-12)
    np.testing.assert_allclose(tab["se"], ref["se"], atol=1e-12)


@pytest.mark.parametrize("control", ["nevertreated", "notyettreated"])
@pytest.mark.parametrize("kind", ["simple", "group", "dynamic", "calendar"])
def test_aggte_matches_brute_force(mpdta, control, kind):
    tab, psi, grp = brute_att_gt(mpdta, control)
    r_att, r_se, r_rows = brute_aggte(tab, psi, grp, kind)
    agg = aggte(att_gt(mpdta, control=control, **KW), kind)
    assert abs(agg.overall_att - r_att) < 1e-12
    assert abs(agg.overall_se - r_se) < 1e-12
    if r_rows:
        got = agg.table.to_numpy()[:, :3]
        np.testing.assert_allclose(got, np.array(r_rows, dtype=float), atol=1e-12)


def test_anticipation_matches_brute_force(mpdta):
    # with anticipation = 1 the 2004 cohort has no pre-period (2003 + 1 is not < 2004): dropped
    ref, psi, grp = brute_att_gt(
        mpdta[mpdta["first.treat"] != 2004], "notyettreated", anticipation=1
    )
    with pytest.warns(UserWarning, match=r"dropped 20 units from cohort\(s\) \[2004\]"):
        res = att_gt(mpdta, control="notyettreated", anticipation=1, **KW)
    assert res.cohorts == (2006, 2007) and res.n_units == 480
    np.testing.assert_allclose(res.att_gt["att"], ref["att"], atol=1e-12)
    np.testing.assert_allclose(res.att_gt["se"], ref["se"], atol=1e-12)
    r_att, r_se, _ = brute_aggte(ref, psi, grp, "dynamic")
    dyn = aggte(res, "dynamic")
    assert abs(dyn.overall_att - r_att) < 1e-12 and abs(dyn.overall_se - r_se) < 1e-12


def test_dynamic_event_window_and_balance(mpdta):
    res = att_gt(mpdta, **KW)
    tab, psi, grp = brute_att_gt(mpdta, "nevertreated")
    full = aggte(res, "dynamic").table.set_index("event_time")
    win = aggte(res, "dynamic", min_e=-1, max_e=2)
    assert win.table["event_time"].tolist() == [-1, 0, 1, 2]
    np.testing.assert_allclose(
        win.table.set_index("event_time")["se"], full.loc[[-1, 0, 1, 2], "se"]
    )
    assert abs(win.overall_att - full.loc[[0, 1, 2], "att"].mean()) < 1e-12
    # balance_e = 1: only cohorts observed at least 1 period after treatment (2004, 2006)
    bal = aggte(res, "dynamic", balance_e=1)
    assert bal.table["event_time"].tolist() == [-2, -1, 0, 1]
    keep = (tab["group"] <= 2006).to_numpy()
    sub = tab[keep].reset_index(drop=True)
    e0 = sub[(sub.time - sub.group) == 0]
    pg = np.array([np.mean(grp == g) for g in e0.group])
    assert abs(bal.table.set_index("event_time").loc[0, "att"] - (pg @ e0.att) / pg.sum()) < 1e-12


# ---------------------------------------------------------------------------------------------
# unbalanced panels
# ---------------------------------------------------------------------------------------------


def _unbalance(df, frac=0.1, seed=7):
    rng = np.random.default_rng(seed)
    return df[rng.random(len(df)) >= frac].reset_index(drop=True)


def brute_rc_att_gt(df, control):
    """R did's allow_unbalanced_panel estimator: four observed-row means per cell, IF summed by unit."""
    units = np.sort(df[KW["unit"]].unique())
    pos = {u: i for i, u in enumerate(units)}
    grp_of = df.groupby(KW["unit"])[KW["cohort"]].first()
    periods = sorted(df[KW["time"]].unique())
    rows, psis = [], []
    for g in sorted(set(grp_of) - {0}):
        pre = [p for p in periods if p < g]
        for i, t in enumerate(periods[1:], start=1):
            b = pre[-1] if g <= t else periods[i - 1]
            c = df[KW["cohort"]]
            treated = c == g
            ctrl = (
                (c == 0) if control == "nevertreated" else (c == 0) | ((c > max(t, b)) & (c != g))
            )
            psi = np.zeros(len(units))
            means = {}
            for role, mask in (("G", treated), ("C", ctrl)):
                for per, sign in ((t, 1.0), (b, -1.0)):
                    cell = df[mask & (df[KW["time"]] == per)]
                    m = cell[KW["outcome"]].mean()
                    means[(role, per)] = m
                    s = sign if role == "G" else -sign
                    idx = cell[KW["unit"]].map(pos).to_numpy()
                    np.add.at(psi, idx, s * (cell[KW["outcome"]].to_numpy() - m) / len(cell))
            att = (means[("G", t)] - means[("G", b)]) - (means[("C", t)] - means[("C", b)])
            rows.append((g, t, att, np.sqrt(np.sum(psi**2))))
            psis.append(psi)
    grp = grp_of.reindex(units).to_numpy()
    return pd.DataFrame(rows, columns=["group", "time", "att", "se"]), np.column_stack(psis), grp


@pytest.mark.parametrize("control", ["nevertreated", "notyettreated"])
def test_unbalanced_panel_matches_rc_brute_force(mpdta, control):
    df = _unbalance(mpdta)
    ref, psi, grp = brute_rc_att_gt(df, control)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing should be dropped
        res = att_gt(df, control=control, allow_unbalanced_panel=True, **KW)
    assert not res.balanced and res.n_units == df["countyreal"].nunique()
    np.testing.assert_allclose(res.att_gt["att"], ref["att"], atol=1e-12)
    np.testing.assert_allclose(res.att_gt["se"], ref["se"], atol=1e-12)
    for kind in ("simple", "dynamic", "group", "calendar"):
        r_att, r_se, r_rows = brute_aggte(ref, psi, grp, kind)
        agg = aggte(res, kind)
        assert abs(agg.overall_att - r_att) < 1e-12
        assert abs(agg.overall_se - r_se) < 1e-12
        if r_rows:
            np.testing.assert_allclose(
                agg.table.to_numpy()[:, :3], np.array(r_rows, float), atol=1e-12
            )


def test_unbalanced_estimator_equals_panel_estimator_on_balanced_data(mpdta):
    # the repeated-cross-section estimator with unit-summed IF (R's allow_unbalanced_panel)
    # reproduces the panel estimator and its SEs exactly when the panel is balanced
    rc, _, _ = brute_rc_att_gt(mpdta, "nevertreated")
    ref = pd.DataFrame(R_ATTGT["nevertreated"], columns=["group", "time", "att", "se"])
    np.testing.assert_allclose(rc["att"], ref["att"], atol=TOL)
    np.testing.assert_allclose(rc["se"], ref["se"], atol=TOL)
    a = att_gt(mpdta, allow_unbalanced_panel=True, **KW)
    assert a.balanced
    pd.testing.assert_frame_equal(a.att_gt, att_gt(mpdta, **KW).att_gt)


def test_unbalanced_default_drops_incomplete_units(mpdta):
    df = _unbalance(mpdta)
    complete = df.groupby("countyreal")["year"].transform("size") == 5
    with pytest.warns(UserWarning, match="dropped .* units not observed in all 5 periods"):
        res = att_gt(df, **KW)
    ref = att_gt(df[complete], **KW)
    assert res.n_units == df[complete]["countyreal"].nunique()
    pd.testing.assert_frame_equal(res.att_gt, ref.att_gt)


def test_gram_variance_equals_explicit_influence_function(mpdta):
    """The O(cohorts x T^2) variance algebra equals sum_i psi_i^2 from explicit per-unit psi."""
    df = _unbalance(mpdta, 0.2, seed=3)
    for balanced in (False, True):
        data = df if not balanced else mpdta
        panel = prepare_panel(
            data, **KW, control="notyettreated", anticipation=0, allow_unbalanced_panel=True
        )
        res = att_gt(data, control="notyettreated", allow_unbalanced_panel=True, **KW)
        cells, mom = res._cells, res._moments
        rng = np.random.default_rng(0)
        w = rng.normal(size=(4, cells.att.size)) * cells.valid
        q = rng.normal(size=(4, mom.cohorts.size)) / mom.n_units
        from analysis.did._engine import functional_cov

        psi = unit_influence(panel, mom, cells, w, q)
        np.testing.assert_allclose(
            functional_cov(mom, cells, w, q), psi.T @ psi, rtol=1e-10, atol=1e-14
        )


def _simulated_panel(seed=0, n=240, periods=10, drop=0.0):
    """Random staggered panel with 6 cohorts, heterogeneous dynamic effects and noise,
    in mpdta's column names so the brute-force helpers above apply."""
    rng = np.random.default_rng(seed)
    cohorts = rng.choice([0, 3, 4, 5, 7, 8, 10], size=n)
    t = np.arange(1, periods + 1)
    a = rng.normal(size=n)
    e = t[None, :] - cohorts[:, None]
    eff = np.where((cohorts[:, None] > 0) & (e >= 0), 0.3 + 0.1 * e * (cohorts[:, None] % 3), 0.0)
    y = a[:, None] + 0.2 * t[None, :] + 0.05 * cohorts[:, None] * t[None, :] / 10 + eff
    y = y + rng.normal(scale=0.5, size=y.shape)
    df = pd.DataFrame(
        {
            "countyreal": np.repeat(np.arange(n) * 3 + 11, periods),
            "year": np.tile(t, n),
            "first.treat": np.repeat(cohorts, periods),
            "lemp": y.reshape(-1),
        }
    )
    return _unbalance(df, drop, seed) if drop else df


@pytest.mark.parametrize("control", ["nevertreated", "notyettreated"])
def test_simulated_many_cohorts_matches_brute_force(control):
    df = _simulated_panel(seed=5)
    for base in ("varying", "universal"):
        ref, psi, grp = brute_att_gt(df, control, base)
        res = att_gt(df, control=control, base_period=base, **KW)
        np.testing.assert_allclose(res.att_gt["att"], ref["att"], atol=1e-12)
        np.testing.assert_allclose(res.att_gt["se"], ref["se"], atol=1e-12)
        for kind in ("simple", "dynamic", "group", "calendar"):
            r_att, r_se, r_rows = brute_aggte(ref, psi, grp, kind)
            agg = aggte(res, kind)
            assert abs(agg.overall_att - r_att) < 1e-12 and abs(agg.overall_se - r_se) < 1e-12
            if r_rows:
                want = np.array(r_rows, float)
                want[want[:, 2] == 0, 2] = np.nan  # universal reference (e = -1): se NaN, as R
                np.testing.assert_allclose(agg.table.to_numpy()[:, :3], want, atol=1e-12)
    # unbalanced version against the repeated-cross-section brute force
    dfu = _simulated_panel(seed=6, drop=0.15)
    ref, psi, grp = brute_rc_att_gt(dfu, control)
    res = att_gt(dfu, control=control, allow_unbalanced_panel=True, **KW)
    np.testing.assert_allclose(res.att_gt["att"], ref["att"], atol=1e-12)
    np.testing.assert_allclose(res.att_gt["se"], ref["se"], atol=1e-12)
    r_att, r_se, _ = brute_aggte(ref, psi, grp, "dynamic")
    dyn = aggte(res, "dynamic")
    assert abs(dyn.overall_att - r_att) < 1e-12 and abs(dyn.overall_se - r_se) < 1e-12


# ---------------------------------------------------------------------------------------------
# simultaneous bands, input flavours, CLI
# ---------------------------------------------------------------------------------------------


def test_simultaneous_bands_reproducible(mpdta):
    res = att_gt(mpdta, **KW)
    a = aggte(res, "dynamic", cband=True, seed=1)
    b = aggte(res, "dynamic", cband=True, seed=1)
    assert a.crit_val == b.crit_val
    assert 1.96 < a.crit_val < 3.5
    assert a.overall_ci_high - a.overall_att == pytest.approx(1.959963984540054 * a.overall_se)
    bands = att_gt(mpdta, cband=True, seed=2, **KW)
    assert 1.96 < bands.crit_val < 3.5
    np.testing.assert_allclose(
        bands.att_gt["ci_high"] - bands.att_gt["att"], bands.crit_val * bands.att_gt["se"]
    )


def test_polars_input_matches_pandas(mpdta):
    pl = pytest.importorskip("polars")
    a = att_gt(mpdta, control="notyettreated", **KW).att_gt
    b = att_gt(pl.from_pandas(mpdta), control="notyettreated", **KW).att_gt
    pd.testing.assert_frame_equal(a, b)
    c = att_gt(mpdta.sample(frac=1.0, random_state=1), control="notyettreated", **KW).att_gt
    pd.testing.assert_frame_equal(a, c)


def test_summary_strings(mpdta):
    res = att_gt(mpdta, **KW)
    s = res.summary()
    assert "ATT(g,t)" in s and "never treated" in s and "-0.1373" in s
    d = aggte(res, "dynamic").summary()
    assert "-0.0772" in d and "event_time" in d
    assert "-0.0400" in aggte(res, "simple").summary()


def test_cli_json(mpdta, tmp_path, capsys):
    out = tmp_path / "did.json"
    rc = main(
        [
            "--data",
            str(MPDTA),
            "--unit",
            "countyreal",
            "--time",
            "year",
            "--cohort",
            "first.treat",
            "--outcome",
            "lemp",
            "--control",
            "notyettreated",
            "--json",
            str(out),
        ]
    )
    assert rc == 0
    printed = capsys.readouterr().out
    assert "Group-time average treatment effects" in printed and "event_time" in printed
    doc = json.loads(out.read_text())
    assert set(doc) >= {"att_gt", "aggregations"}
    assert set(doc["aggregations"]) == {"simple", "dynamic", "group", "calendar"}
    ref = R_ATTGT["notyettreated"]
    assert len(doc["att_gt"]) == len(ref)
    for row, (g, t, a, s) in zip(doc["att_gt"], ref, strict=True):
        assert set(row) >= {"group", "time", "att", "se", "n_treated", "n_comparison"}
        assert row["group"] == g and row["time"] == t
        assert isinstance(row["group"], int) and isinstance(row["time"], int)
        assert abs(row["att"] - a) < TOL and abs(row["se"] - s) < TOL
    agg = doc["aggregations"]
    r = R_AGGTE["notyettreated"]
    assert set(agg["simple"]) >= {"att", "se"}
    assert (
        abs(agg["simple"]["att"] - r["simple"][0]) < TOL
        and abs(agg["simple"]["se"] - r["simple"][1]) < TOL
    )
    assert set(agg["dynamic"]) >= {"overall", "by_event_time"}
    assert abs(agg["dynamic"]["overall"]["att"] - r["dynamic"][0]) < TOL
    assert abs(agg["dynamic"]["overall"]["se"] - r["dynamic"][1]) < TOL
    for row, (e, a, s) in zip(agg["dynamic"]["by_event_time"], r["dynamic"][2], strict=True):
        assert set(row) >= {"event_time", "att", "se"} and isinstance(row["event_time"], int)
        assert row["event_time"] == e and abs(row["att"] - a) < TOL and abs(row["se"] - s) < TOL
    assert set(agg["group"]) >= {"overall", "by_group"}
    assert abs(agg["group"]["overall"]["att"] - r["group"][0]) < TOL
    assert abs(agg["group"]["overall"]["se"] - r["group"][1]) < TOL
    for row, (g, a, s) in zip(agg["group"]["by_group"], r["group"][2], strict=True):
        assert set(row) >= {"group", "att", "se"} and isinstance(row["group"], int)
        assert row["group"] == g and abs(row["att"] - a) < TOL and abs(row["se"] - s) < TOL


def test_cli_parquet_and_bad_input(mpdta, tmp_path, capsys):
    pq = tmp_path / "mpdta.parquet"
    mpdta.to_parquet(pq)
    base = ["--unit", "countyreal", "--time", "year", "--cohort", "first.treat"]
    assert main(["--data", str(pq), *base, "--outcome", "lemp"]) == 0
    capsys.readouterr()
    for argv, needle in [
        (["--data", str(pq), *base, "--outcome", "nope"], "missing column"),
        (["--data", str(tmp_path / "absent.csv"), *base, "--outcome", "lemp"], "not found"),
        (["--data", str(pq), *base, "--outcome", "lemp", "--anticipation", "-1"], "anticipation"),
    ]:
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and needle in err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    bad = tmp_path / "dup.csv"
    pd.concat([mpdta, mpdta.head(1)]).to_csv(bad, index=False)
    assert main(["--data", str(bad), *base, "--outcome", "lemp"]) == 2
    err = capsys.readouterr().err
    assert "duplicate (unit, time)" in err and len(err.strip().splitlines()) == 1
    with pytest.raises(SystemExit) as exc:  # argparse: missing required options
        main(["--data", str(pq)])
    assert exc.value.code == 2
