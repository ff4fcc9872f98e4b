"""Acceptance of the headline design in the hard synthetic world (issue 11).

Hard world (default preset), scale 0.2, seed 11, generated in a temporary directory. The scale is
the issue's (>= 0.05) chosen so that the test is one of bias: at scale 0.05 the headline's own
sampling spread over 50 worlds is 1.6 pp at 12-23 months (benchmarks/effects_coverage.py,
METHODS.md), as large as the tolerance, so one world at 0.05 would fail an unbiased design about
one time in four; at 0.2 it is about half that. The truth is
computed from truth_cells.parquet for exactly the headline's sample (its cohorts, status groups
ARBEIDSSOKER / NEDSATT_ARBEIDSEVNE, the cohorts observed at each event time). Tolerances are the
issue's: lock-in (months 0-5) within 3 pp and the 12-23-month mean within 2 pp, for employment and
for benefit receipt (any_benefit). The plain DiD (the old headline, base g-1, no covariates) must
miss them (the world really is hard).
"""

from __future__ import annotations

import dataclasses

import duckdb
import numpy as np
import pytest

synthetic = pytest.importorskip("analysis.synthetic")

from analysis.effects.cs import cs_event_study  # noqa: E402
from analysis.effects.data import analysis_treated, load_effects_data  # noqa: E402
from analysis.effects.headline import HEADLINE_SPEC, estimate_event_study  # noqa: E402
from analysis.ingest import ingest_directory  # noqa: E402
from analysis.panel import build_panel  # noqa: E402
from analysis.synthetic.truth import TRUTH_DIFFS_FILE, untreated_outcomes  # noqa: E402

SCALE = 0.2
SEED = 11
OUTCOMES = ("employed", "any_benefit")
TOL = {"lock_in": 0.03, "mean_12_23": 0.02}
EFFECT_ONLY = ("any_benefit", "tiltakspenger", "aap")
WEIGHTS = {"lock_in": range(0, 6), "mean_12_23": range(12, 24)}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("hard_world")
    synthetic.generate_register(root / "input", scale=SCALE, seed=SEED, preset="hard")
    con = duckdb.connect(str(root / "wh.duckdb"))
    ingest_directory(con, root / "input")
    build_panel(con)
    data = load_effects_data(con)
    cells = con.execute(
        f"SELECT * FROM read_parquet('{root / 'input' / 'truth_cells.parquet'}') "
        "WHERE status_group IN ('ARBEIDSSOKER', 'NEDSATT_ARBEIDSEVNE')"
    ).df()
    head = estimate_event_study(data, OUTCOMES)
    # the headline on the effects alone (Y - Y0: no selection), for the later-start correction
    arrays = {o: data.array(o) for o in EFFECT_ONLY}
    y0 = untreated_outcomes(root / "input" / TRUTH_DIFFS_FILE, data.person_ids, data.months, arrays)
    d = {o: arrays[o] - y0[o] for o in EFFECT_ONLY}
    effects = estimate_event_study(data, d)
    head |= {f"{o}:effect_only": st for o, st in effects.items()}
    # the same with every later start given the effect of all starts (stop 28's correction: no
    # state has enough starters for an effect of its own)
    alike_spec = dataclasses.replace(HEADLINE_SPEC, later_start_min_starters=10**9)
    alike = estimate_event_study(data, d, spec=alike_spec)
    head |= {f"{o}:effect_only_alike": st for o, st in alike.items()}
    yield data, cells, head
    con.close()


def _ym(data, g):
    mi = data.month_index0 + np.asarray(g)
    return (mi // 12) * 100 + mi % 12 + 1


def _truth(cells, outcome, cohorts_ym, weights):
    t = cells[(cells.outcome == outcome) & cells.cohort_ym.isin(cohorts_ym)]
    g = t.groupby("event_time")[["sum_y1", "sum_y0", "n_treated"]].sum()
    att = (g.sum_y1 - g.sum_y0) / g.n_treated
    return float(np.mean([att[e] for e in weights]))


def _measure(st, weights, s=0):
    return st.linear(s, {e: 1 / len(weights) for e in weights})


def _bias(world, outcome, measure, series=None):
    data, cells, head = world
    st = head[series or outcome]
    cohorts = _ym(data, st.meta["cohorts"])
    est, se = _measure(st, WEIGHTS[measure])
    return est - _truth(cells, outcome, set(cohorts.tolist()), WEIGHTS[measure]), se


def test_headline_lock_in_employment_within_3pp(world):
    bias, se = _bias(world, "employed", "lock_in")
    assert abs(bias) <= TOL["lock_in"], (bias, se)


def test_headline_medium_run_employment_within_2pp(world):
    bias, se = _bias(world, "employed", "mean_12_23")
    assert abs(bias) <= TOL["mean_12_23"], (bias, se)


def test_headline_lock_in_benefit_receipt_within_3pp(world):
    bias, se = _bias(world, "any_benefit", "lock_in")
    assert abs(bias) <= TOL["lock_in"], (bias, se)


def test_headline_medium_run_benefit_receipt_within_2pp(world):
    bias, se = _bias(world, "any_benefit", "mean_12_23")
    assert abs(bias) <= TOL["mean_12_23"], (bias, se)


def _plain_biases(world):
    data, cells, _ = world
    treated = analysis_treated(data, 12)
    outs = {o: data.array(o).astype(float) for o in OUTCOMES}
    plain = cs_event_study(outs, data.status, data.first_start, data.group, {"ALL": treated})
    cohorts = set(_ym(data, np.unique(data.first_start[treated])).tolist())
    out = {}
    for o in OUTCOMES:
        for measure, w in WEIGHTS.items():
            est, _ = _measure(plain[o], w)
            out[(o, measure)] = est - _truth(cells, o, cohorts, w)
    return out


def test_plain_did_fails_in_the_hard_world(world):
    """The plain DiD misses employment by more than twice the tolerances (the world is hard). For
    benefit receipt it happens to lie just inside them in this world (lock-in -2.8 pp, 12-23
    months -1.6 pp over 50 worlds at scale 0.05; METHODS.md), so only its sign is asserted."""
    biases = _plain_biases(world)
    for measure in WEIGHTS:
        assert abs(biases[("employed", measure)]) > 2 * TOL[measure], (measure, biases)
    assert biases[("any_benefit", "lock_in")] < 0, biases


def test_headline_employment_much_closer_than_the_plain_did(world):
    plain = _plain_biases(world)
    for measure in WEIGHTS:
        bias_head, _ = _bias(world, "employed", measure)
        assert abs(bias_head) < abs(plain[("employed", measure)]) / 4, (measure, bias_head)


def test_headline_employment_placebo_in_the_base_window_is_flat(world):
    """The design's placebo: the starters' gap to the comparisons was stable over the base
    window (its months relative to the window's mean), as the gate judges it (a significant
    drift within +-2 pp does not block: here p = 0.006, every month within the margin)."""
    from analysis.effects.headline_marts import gate_frame, placebo_leads

    _, _, head = world
    st = head["employed"]
    _, df, _ = st.wald(0, placebo_leads(HEADLINE_SPEC))
    assert df >= 20, df
    gate = gate_frame([st]).set_index("check")
    assert gate.loc["pretrend_leads", "passed"], gate.loc["pretrend_leads", "detail"]
    # the conditioned months are balanced (all equal to minus the base window's gap)
    assert gate.loc["pretrend_dip_window", "passed"], gate.loc["pretrend_dip_window", "detail"]


@pytest.mark.parametrize("outcome", EFFECT_ONLY)
def test_later_start_correction_is_right_on_the_effects_alone(world, outcome):
    """The headline run on the effects alone, D = Y - Y0 (zero before each person's own start, so
    no selection), differs from the truth only by what the later-start correction gets wrong.
    With each later start given the effect of the starts from its state (NAV status x benefit in
    the month before) it is within 0.2 pp in the lock-in and 0.5 pp at 12-23 months; given the
    effect of all starts (stop 28) it is 0.5 pp too high for benefit receipt and tiltakspenger in
    the lock-in and 0.75 too low for AAP at 12-23 months in this world, so the state is what
    makes the difference there (paired on the same comparisons).

    The bounds are the estimate's noise, not a tolerance of the method: in this world the
    comparison subsample's seed alone moves the 12-23-month error of benefit receipt between
    -0.14 and -0.37 pp (stop 30; a bound of 0.2 pp, stop 29's, failed on another machine, whose
    floating point gave another realisation of the same world)."""
    bound = {"lock_in": 0.002, "mean_12_23": 0.005}
    for measure in WEIGHTS:
        bias, _ = _bias(world, outcome, measure, series=f"{outcome}:effect_only")
        assert abs(bias) <= bound[measure], (measure, bias)
        alike, _ = _bias(world, outcome, measure, series=f"{outcome}:effect_only_alike")
        if abs(alike) >= 0.004:
            assert abs(bias) <= abs(alike) - 0.002, (measure, bias, alike)
