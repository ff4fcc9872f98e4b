"""Hand-computable panels, comparison-group logic and input validation for analysis.did."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from analysis.did import DiDInputError, aggte, att_gt

KW = {"unit": "id", "time": "t", "cohort": "g", "outcome": "y"}


def make_panel(cohort_sizes: dict[int, int], periods, effect, seed=0, trend=None) -> pd.DataFrame:
    """y_it = a_i + l_t + trend(g, t) + effect(g, t) * 1{t >= g}; no noise, so everything is exact."""
    rng = np.random.default_rng(seed)
    rows = []
    uid = 0
    lam = {t: rng.normal() for t in periods}
    for g, size in cohort_sizes.items():
        for _ in range(size):
            uid += 1
            a = rng.normal(scale=3.0)
            for t in periods:
                y = a + lam[t] + (trend(g, t) if trend else 0.0)
                if g > 0 and t >= g:
                    y += effect(g, t)
                rows.append((uid, t, g, y))
    return pd.DataFrame(rows, columns=["id", "t", "g", "y"])


def twfe_coefficient(df: pd.DataFrame) -> float:
    """Static TWFE: y on unit dummies, period dummies and D = 1{treated and t >= g}."""
    d = ((df.g > 0) & (df.t >= df.g)).astype(float).to_numpy()
    units = pd.get_dummies(df.id, drop_first=False).to_numpy(float)
    times = pd.get_dummies(df.t, drop_first=True).to_numpy(float)
    x = np.column_stack([d, units, times])
    beta, *_ = np.linalg.lstsq(x, df.y.to_numpy(), rcond=None)
    return float(beta[0])


# ---------------------------------------------------------------------------------------------
# exact answers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("control", ["nevertreated", "notyettreated"])
@pytest.mark.parametrize("base_period", ["varying", "universal"])
def test_constant_effect_is_exact(control, base_period):
    df = make_panel({3: 5, 5: 4, 0: 6}, range(1, 7), lambda g, t: 2.0)
    res = att_gt(df, control=control, base_period=base_period, **KW)
    tab = res.att_gt
    expected = np.where(tab.time >= tab.group, 2.0, 0.0)
    np.testing.assert_allclose(tab.att, expected, atol=1e-12)
    # no noise: every standard error is zero, reported as NaN like R (se < 1.5e-7)
    assert tab.se.isna().all()
    for kind in ("simple", "dynamic", "group", "calendar"):
        agg = aggte(res, kind)
        assert agg.overall_att == pytest.approx(2.0, abs=1e-12)
    dyn = aggte(res, "dynamic").table
    np.testing.assert_allclose(dyn.att, np.where(dyn.event_time >= 0, 2.0, 0.0), atol=1e-12)
    if base_period == "universal":
        ref = tab[tab.time == tab.base_time]
        assert len(ref) == 2 and (ref.att == 0).all() and ref.se.isna().all()
        assert sorted(ref.time - ref.group) == [-1, -1]
    else:
        assert tab.time.min() == 2  # varying base: cells start at the 2nd period


def test_heterogeneous_effects_twfe_biased_att_gt_exact():
    # effects grow with exposure and differ by cohort: the textbook case where TWFE fails
    def effect(g, t):
        e = t - g
        return (1.0 + e) * (3.0 if g == 2 else 1.0)

    sizes = {2: 10, 4: 10, 0: 10}
    df = make_panel(sizes, range(1, 7), effect)
    res = att_gt(df, **KW)
    tab = res.att_gt
    truth = np.array(
        [effect(g, t) if t >= g else 0.0 for g, t in zip(tab.group, tab.time, strict=True)]
    )
    np.testing.assert_allclose(tab.att, truth, atol=1e-12)

    # simple: post cells weighted by cohort size (equal sizes here) -> mean over post cells
    post = tab.time >= tab.group
    true_simple = truth[post].mean()
    simple = aggte(res, "simple").overall_att
    assert simple == pytest.approx(true_simple, abs=1e-12)
    # dynamic: theta(e) averages cohorts observed at e with size weights
    dyn = aggte(res, "dynamic").table.set_index("event_time")
    assert dyn.loc[0, "att"] == pytest.approx((3.0 + 1.0) / 2)
    assert dyn.loc[2, "att"] == pytest.approx((9.0 + 3.0) / 2)
    assert dyn.loc[3, "att"] == pytest.approx(12.0)  # only cohort 2 reaches e = 3
    grp = aggte(res, "group")
    assert grp.table.set_index("group").loc[2, "att"] == pytest.approx(np.mean([3, 6, 9, 12, 15]))
    assert grp.table.set_index("group").loc[4, "att"] == pytest.approx(np.mean([1, 2, 3]))

    beta = twfe_coefficient(df)
    assert abs(beta - true_simple) > 1.0, (beta, true_simple)  # TWFE is badly biased here


def test_no_never_treated_uses_last_cohort_as_control():
    def effect(g, t):
        return 1.0 + (t - g)

    df = make_panel({3: 4, 5: 3, 7: 5}, range(1, 9), effect)
    # as R did 2.5.1: with control="nevertreated" the last cohort is coerced to never treated
    with pytest.warns(UserWarning, match=r"last cohort \(7\) serves as the never-treated"):
        nev = att_gt(df, control="nevertreated", **KW)
    assert nev.periods == tuple(range(1, 7)) and nev.cohorts == (3, 5)
    assert (nev.att_gt.n_comparison == 5).all()
    exact = np.where(
        nev.att_gt.time >= nev.att_gt.group, 1.0 + nev.att_gt.time - nev.att_gt.group, 0.0
    )
    np.testing.assert_allclose(nev.att_gt.att, exact, atol=1e-12)
    with pytest.warns(UserWarning, match=r"periods >= 7 are dropped and the last cohort \(7\)"):
        res = att_gt(df, control="notyettreated", **KW)
    tab = res.att_gt
    assert res.periods == tuple(range(1, 7)) and res.cohorts == (3, 5)
    truth = np.where(tab.time >= tab.group, 1.0 + tab.time - tab.group, 0.0)
    np.testing.assert_allclose(tab.att, truth, atol=1e-12)
    # cohort 3 at t = 4 compares with cohorts 5 and 7; at t = 5 only with cohort 7
    by = tab.set_index(["group", "time"])
    assert by.loc[(3, 4), "n_comparison"] == 3 + 5
    assert by.loc[(3, 5), "n_comparison"] == 5


def test_never_vs_not_yet_treated_control_sets():
    # cohort 5 has its own pre-treatment trend: it is a different comparison group than the
    # never treated, so estimates that use it must differ, and only those.
    def trend(g, t):
        return 0.7 * t if g == 5 else 0.0

    df = make_panel({3: 4, 5: 3, 0: 6}, range(1, 7), lambda g, t: 1.5, trend=trend)
    nev = att_gt(df, control="nevertreated", **KW).att_gt.set_index(["group", "time"])
    nyt = att_gt(df, control="notyettreated", **KW).att_gt.set_index(["group", "time"])
    # never treated: exact (the treated cohort 3 and never-treated share trends)
    assert nev.loc[(3, 3), "att"] == pytest.approx(1.5)
    assert (nev.n_comparison == 6).all()
    # not yet treated: cohort 3 at t = 3, 4 also compares with cohort 5 (not treated before 5)
    for t in (3, 4):
        assert nyt.loc[(3, t), "n_comparison"] == 6 + 3
        # comparison trend is a size-weighted mix: 3/9 of cohort 5's extra slope 0.7 per period
        assert nyt.loc[(3, t), "att"] == pytest.approx(1.5 - (3 / 9) * 0.7 * (t - 2))
    # from t = 5 on cohort 5 is treated, so only the never treated remain
    assert nyt.loc[(3, 5), "n_comparison"] == 6 and nyt.loc[(3, 5), "att"] == pytest.approx(1.5)
    # cohort 5 itself: comparisons exclude cohort 3 once it is treated (t >= 3)
    assert nyt.loc[(5, 2), "n_comparison"] == 6 + 4  # placebo 1 -> 2: cohort 3 not yet treated
    assert nyt.loc[(5, 3), "n_comparison"] == 6


def test_unbalanced_cell_without_observations_is_nan_and_skipped():
    df = make_panel({3: 2, 0: 3}, range(1, 6), lambda g, t: 1.0)
    df = df[~((df.g == 3) & (df.t == 4))]  # cohort 3 never observed at t = 4
    with pytest.warns(UserWarning, match=r"no treated or no comparison observations .*\(3,4\)"):
        res = att_gt(df, allow_unbalanced_panel=True, **KW)
    by = res.att_gt.set_index(["group", "time"])
    assert np.isnan(by.loc[(3, 4), "att"]) and np.isnan(by.loc[(3, 4), "se"])
    assert by.loc[(3, 5), "att"] == pytest.approx(1.0)
    with pytest.warns(UserWarning, match="aggte skips 1"):
        agg = aggte(res, "simple")
    assert agg.overall_att == pytest.approx(1.0)


# ---------------------------------------------------------------------------------------------
# input validation
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def good() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    df = make_panel({3: 4, 4: 4, 0: 5}, range(1, 6), lambda g, t: 1.0)
    df["y"] += rng.normal(scale=0.1, size=len(df))
    return df


def test_valid_input_runs_and_reports_ses(good):
    res = att_gt(good, **KW)
    assert res.att_gt.se.notna().all() and (res.att_gt.se > 0).all()
    assert list(res.att_gt.columns[:4]) == ["group", "time", "base_time", "event_time"]


def test_missing_column(good):
    with pytest.raises(DiDInputError, match=r"missing column\(s\): outcome='nope'"):
        att_gt(good, "id", "t", "g", "nope")


def test_non_numeric_outcome(good):
    bad = good.assign(y=good.y.astype(str))
    with pytest.raises(DiDInputError, match="outcome column 'y' must be numeric"):
        att_gt(bad, **KW)


def test_non_integer_or_date_time(good):
    with pytest.raises(DiDInputError, match="integer periods"):
        att_gt(good.assign(t=good.t + 0.5), **KW)
    dates = good.assign(t=pd.to_datetime("2020-01-01") + pd.to_timedelta(good.t, unit="D"))
    with pytest.raises(DiDInputError, match="time column 't' must be numeric"):
        att_gt(dates, **KW)


def test_duplicate_unit_time(good):
    bad = pd.concat([good, good.iloc[[7]]])
    with pytest.raises(DiDInputError, match=r"1 duplicate \(unit, time\) pair.*unit 2 at time 3"):
        att_gt(bad, **KW)


def test_cohort_varying_within_unit(good):
    bad = good.copy()
    bad.loc[(bad.id == 1) & (bad.t == 5), "g"] = 4
    with pytest.raises(
        DiDInputError, match=r"varies within unit for 1 unit.*unit 1 has cohorts \[3, 4\]"
    ):
        att_gt(bad, **KW)


def test_negative_or_fractional_cohort(good):
    with pytest.raises(DiDInputError, match="negative"):
        att_gt(good.assign(g=np.where(good.g == 3, -3, good.g)), **KW)
    with pytest.raises(DiDInputError, match="integer"):
        att_gt(good.assign(g=np.where(good.g == 3, 3.5, good.g)), **KW)


def test_cohort_outside_time_range(good):
    early = good.assign(g=np.where(good.g == 3, 1, good.g))  # treated in the first period
    with pytest.warns(
        UserWarning, match=r"dropped 4 units from cohort\(s\) \[1\].*no pre-treatment period"
    ):
        res = att_gt(early, **KW)
    assert res.cohorts == (4,) and res.n_units == 9
    late = good.assign(g=np.where(good.g == 3, 9, good.g))  # treated after the last period
    with pytest.warns(
        UserWarning, match="4 units first treated after the last period .* never treated"
    ):
        res = att_gt(late, **KW)
    assert res.cohorts == (4,) and res.n_units == 13
    assert (res.att_gt.n_comparison == 9).all()


def test_missing_cohort_rows_are_dropped_as_r(good):
    # R did drops rows with a missing cohort (never treated must be coded 0 or Inf)
    a = att_gt(good.assign(g=good.g.replace(0, np.inf)), **KW).att_gt
    pd.testing.assert_frame_equal(a, att_gt(good, **KW).att_gt)
    bad = good.assign(g=np.where(good.id == 1, np.nan, good.g))
    with pytest.warns(
        UserWarning, match=r"dropped 5 rows with a missing or non-finite value \(cohort: 5\)"
    ):
        b = att_gt(bad, **KW)
    ref = att_gt(good[good.id != 1], **KW)
    pd.testing.assert_frame_equal(b.att_gt, ref.att_gt)


def test_missing_outcome_rows_dropped(good):
    bad = good.copy()
    bad.loc[3, "y"] = np.nan
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = att_gt(bad, **KW)
    msgs = [str(w.message) for w in rec]
    assert any("dropped 1 rows with a missing outcome" in m for m in msgs)
    assert any("dropped 1 units not observed in all 5 periods" in m for m in msgs)
    assert res.n_units == 12


def test_no_treated_or_bad_arguments(good):
    with pytest.raises(DiDInputError, match="no treated units"):
        att_gt(good.assign(g=0), **KW)
    with pytest.raises(DiDInputError, match="control must be one of"):
        att_gt(good, control="never", **KW)
    with pytest.raises(DiDInputError, match="base_period must be one of"):
        att_gt(good, base_period="fixed", **KW)
    with pytest.raises(DiDInputError, match="anticipation"):
        att_gt(good, anticipation=-1, **KW)
    with pytest.raises(DiDInputError, match="at least 2 time periods"):
        att_gt(good[good.t == 1], **KW)
    res = att_gt(good, **KW)
    with pytest.raises(DiDInputError, match="type must be one of"):
        aggte(res, "event")
    with pytest.raises(DiDInputError, match="ATTgtResult"):
        aggte(res.att_gt, "simple")


def test_dict_and_polars_inputs(good):
    pl = pytest.importorskip("polars")
    ref = att_gt(good, **KW).att_gt
    pd.testing.assert_frame_equal(att_gt(good.to_dict("list"), **KW).att_gt, ref)
    pd.testing.assert_frame_equal(att_gt(pl.from_pandas(good), **KW).att_gt, ref)
    # string unit ids and a boolean outcome
    s = good.assign(id="p" + good.id.astype(str), y=good.y > good.y.median())
    out = att_gt(s, **KW)
    assert len(out.att_gt) == len(ref)
    with pytest.raises(DiDInputError, match="outcome column 'y' must be numeric"):
        att_gt(pl.from_pandas(good).with_columns(pl.col("y").cast(pl.String)), **KW)
