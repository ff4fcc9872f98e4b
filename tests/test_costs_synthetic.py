"""Cost-effectiveness on a synthetic register with planted effects (analysis.synthetic).

1. Valuing the planted truth (marts.effects replaced by the true ATT(e), se 0) gives the truth's
   cost-effectiveness, computed here independently from truth_cells.parquet, the cost marts and
   the parameters.
2. Estimates with known noise (truth + N(0, se) with a fixed seed, and a cumulative table with the
   exact se): the truth's values lie in the estimate-based intervals.
3. The real pipeline (ingest_directory + build_panel + analysis.effects.build_effects) at a small
   scale: the truth's values lie in the intervals of the estimate-based result. Skipped with a
   reason if the effects module is not available.

The truth holds every outcome incl. each benefit type (truth_cells.parquet): in (1)-(2) the
benefit channels are the benefit types' truth, each valued at its own rate
(derived.benefit_rate.<type>), and later programmes (wage subsidy, other programmes) are costed
at costs.wage_subsidy / costs.other_programme. The old headline of (3) has no effects per benefit type, so there
the aggregate no-benefit channel is used: the truth-based run holds the estimated no-benefit
effect fixed, and only where that channel passed its pre-trend check (else it is excluded on
both sides).
"""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pytest

from analysis.costs import build_cost_effectiveness
from analysis.costs.valuation import discount_factors
from analysis.design import BENEFIT_OUTCOMES, HEADLINE_ESTIMATOR
from analysis.effects.headline import HEADLINE_SPEC
from analysis.ingest import ingest_directory
from analysis.panel import build_panel
from analysis.synthetic import TRUTH_CELLS_FILE, generate_register
from analysis.synthetic.calendar import yyyymm

SCALE, SEED, PRESET = 0.05, 11, "hard"
H = 36
GROUPS = ("ARBEIDSSOKER", "NEDSATT_ARBEIDSEVNE")  # the effects module's treated population
# window starts 2016-01; the headline's first start cohort (its base must lie in the panel)
FIRST_COHORT = int(yyyymm(HEADLINE_SPEC.first_cohort))
CHECKED = ("ALL", "status_group=ARBEIDSSOKER", "status_group=NEDSATT_ARBEIDSEVNE")
# measures that depend only on the employment and earnings effects (and fixed costs)
TRUTH_MEASURES = (
    ("effects", "extra_employed_months"),
    ("effects", "extra_employed_months_pv"),
    ("effects", "earnings_change_pv"),
    ("budget", "tax_revenue_gain_pv"),
    ("society", "production_gain_pv"),
    ("budget", "npv"),
    ("society", "npv"),
    ("budget", "cost_per_extra_employed_month"),
)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    d = tmp_path_factory.mktemp("synthetic_costs")
    generate_register(d, scale=SCALE, seed=SEED, preset=PRESET)
    con = duckdb.connect()
    ingest_directory(con, d)
    build_panel(con)
    cells = pd.read_parquet(d / TRUTH_CELLS_FILE)
    yield con, truth_att(cells)
    con.close()


def truth_att(cells: pd.DataFrame) -> pd.DataFrame:
    """True ATT(e) by subgroup and outcome for the effects module's population."""
    c = cells[(cells["cohort_ym"] >= FIRST_COHORT) & cells["status_group"].isin(GROUPS)]
    c = c[(c["event_time"] >= 0) & (c["event_time"] < H + 1)]
    parts = []
    for name, sub in (
        [("ALL", c)]
        + [(f"purpose={p}", c[c["purpose"] == p]) for p in sorted(c["purpose"].unique())]
        + [(f"status_group={g}", c[c["status_group"] == g]) for g in GROUPS]
    ):
        g = sub.groupby(["outcome", "event_time"])[["n_treated", "sum_y1", "sum_y0"]].sum()
        g["att"] = (g["sum_y1"] - g["sum_y0"]) / g["n_treated"]
        g = g.reset_index()
        g["subgroup"] = name
        parts.append(g)
    return pd.concat(parts, ignore_index=True)


def effects_table(
    att: pd.DataFrame,
    noise: dict[str, float] | None,
    seed: int = 5,
    no_benefit: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """marts.effects (+ effects_cumulative) from the truth; with noise: truth + N(0, se)."""
    rng = np.random.default_rng(seed)
    rows, cum = [], []
    for (sub, outcome), g in att.groupby(["subgroup", "outcome"]):
        g = g.sort_values("event_time")
        se = (noise or {}).get(outcome, 0.0)
        est = g["att"].to_numpy() + (rng.normal(0, se, len(g)) if se else 0.0)
        for e, x, n in zip(g["event_time"], est, g["n_treated"], strict=True):
            rows.append(
                ("callaway_santanna", outcome, sub, int(e), float(x), se, int(n), sub == "ALL")
            )
        for h in (12, 36):
            cum.append(
                (
                    "callaway_santanna",
                    outcome,
                    sub,
                    h,
                    float(est[:h].sum()),
                    se * math.sqrt(h),
                    int(g["n_treated"].iloc[0]),
                )
            )
    if no_benefit is not None:
        for r in no_benefit.itertuples(index=False):
            rows.append(
                (
                    "callaway_santanna",
                    "no_benefit",
                    r.subgroup,
                    int(r.event_time),
                    float(r.estimate),
                    0.0,
                    0,
                    False,
                )
            )
    else:
        for sub in att["subgroup"].unique():
            ses = (noise or {}).get("no_benefit", 0.0)
            x = rng.normal(0, ses, H + 1) if ses else np.zeros(H + 1)
            for e in range(H + 1):
                rows.append(("callaway_santanna", "no_benefit", sub, e, float(x[e]), ses, 0, False))
            for h in (12, 36):
                cum.append(
                    (
                        "callaway_santanna",
                        "no_benefit",
                        sub,
                        h,
                        float(x[:h].sum()),
                        ses * math.sqrt(h),
                        0,
                    )
                )
    # pre-period estimates at the truth (0, no anticipation in the DGP) with the series' se: every
    # channel passes its pre-trend check here (exclusion is tested in test_costs_channels.py)
    series = {(r[1], r[2]): r[5] for r in rows}
    for (outcome, sub), se in series.items():
        for e in range(-12, 0):
            rows.append(("callaway_santanna", outcome, sub, e, 0.0, se, 0, sub == "ALL"))
    eff = pd.DataFrame(rows, columns=["estimator", "outcome", "subgroup", "event_time", "estimate",
                                      "std_error", "n_treated", "is_headline"])  # fmt: skip
    eff["ci_low"] = eff["estimate"] - 1.96 * eff["std_error"]
    eff["ci_high"] = eff["estimate"] + 1.96 * eff["std_error"]
    cumdf = pd.DataFrame(cum, columns=["estimator", "outcome", "subgroup", "horizon_months",
                                       "estimate", "std_error", "n_treated"])  # fmt: skip
    return eff, cumdf


def install(con, eff: pd.DataFrame, cum: pd.DataFrame | None):
    con.execute("DROP TABLE IF EXISTS marts.effects_cumulative")
    con.register("e_df", eff)
    con.execute("CREATE OR REPLACE TABLE marts.effects AS SELECT * FROM e_df")
    con.unregister("e_df")
    if cum is not None:
        con.register("c_df", cum)
        con.execute("CREATE OR REPLACE TABLE marts.effects_cumulative AS SELECT * FROM c_df")
        con.unregister("c_df")


def results(con) -> pd.DataFrame:
    return (
        con.execute("SELECT * FROM marts.cost_effectiveness")
        .df()
        .set_index(["subgroup", "perspective", "measure"])
    )


def expected_from_truth(
    con,
    att: pd.DataFrame,
    subgroup: str,
    nb_pv: float | None = None,
    included: dict[str, bool] | None = None,
) -> dict:
    """The truth's cost-effectiveness, from the formulas in METHODS.md: benefit channels are the
    benefit types' truth at their own rates, or (nb_pv given) the aggregate no-benefit share.
    `included` (outcome -> entered the valuation): a channel excluded or absent is valued at 0."""
    par = dict(con.execute(
        "SELECT parameter, value FROM marts.cost_parameters WHERE subgroup IS NULL OR subgroup = ?",
        [subgroup],
    ).fetchall())  # fmt: skip
    costs = dict(con.execute(
        "SELECT component, nok_pv_per_participant FROM marts.costs_per_participant WHERE subgroup = ?",
        [subgroup],
    ).fetchall())  # fmt: skip
    d = np.array(discount_factors(H, par["general.discount_rate"]))
    a = att[att["subgroup"] == subgroup].set_index(["outcome", "event_time"])["att"]
    if included is not None:
        # channels the valuation did not include (excluded, or not estimated at all) count 0
        keep = [included.get(o, False) for o in a.index.get_level_values("outcome")]
        a = a.where(np.asarray(keep, dtype=bool), 0.0)
    emp = np.array([a["employed", e] for e in range(H)])
    earn = np.array([a["earnings_nok", e] for e in range(H)])
    t, ag, tb = (par["taxes.tax_rate_on_earnings"], par["taxes.employer_contribution_rate"],
                 par["taxes.tax_rate_on_benefits"])  # fmt: skip
    lam, pf, b = (par["general.tax_financing_cost"], par["derived.earnings_price_factor"],
                  par["derived.benefit_nok_per_month"])  # fmt: skip
    cb, cr = costs["total_budget_cost"], costs["total_resource_cost"]
    # benefit channels: each benefit type's truth valued at the type's own rate (the aggregate
    # no-benefit share `nb_pv` only when the effects have no benefit types)
    types = [k for k in BENEFIT_OUTCOMES if ("derived.benefit_rate." + k) in par]
    typed = [k for k in types if (k, 0) in a.index]
    # later programmes (chaining): the truth of months in a wage subsidy / another programme at
    # their cost per month (parameter year = price year), where the effects carry them
    later = sum(
        par[key] * (d @ np.array([a[o, e] for e in range(H)]))
        for o, key in (("in_wage_subsidy", "costs.wage_subsidy"),
                       ("in_other_programme", "costs.other_programme"))
        if (o, 0) in a.index
    )  # fmt: skip
    if typed and nb_pv is None:
        ben = sum(
            par["derived.benefit_rate." + k] * (d @ np.array([a[k, e] for e in range(H)]))
            for k in typed
        )
        budget = (t + ag) * pf * (d @ earn) - (1 - tb) * ben - later - cb
    else:
        budget = (t + ag) * pf * (d @ earn) + (1 - tb) * b * (nb_pv or 0.0) - later - cb
    return {
        ("effects", "extra_employed_months"): emp.sum(),
        ("effects", "extra_employed_months_pv"): d @ emp,
        ("effects", "earnings_change_pv"): pf * (d @ earn),
        ("budget", "tax_revenue_gain_pv"): (t + ag) * pf * (d @ earn),
        ("society", "production_gain_pv"): (1 + ag) * pf * (d @ earn),
        ("budget", "npv"): budget,
        ("society", "npv"): (1 + ag) * pf * (d @ earn) - cr - later + lam * budget,
        ("budget", "cost_per_extra_employed_month"): cb / (d @ emp) if d @ emp > 0 else None,
    }


def test_truth_valued_gives_truths_cost_effectiveness(synthetic):
    con, att = synthetic
    install(con, *effects_table(att, None))
    build_cost_effectiveness(con)
    r = results(con)
    for sub in CHECKED + ("purpose=ARBEIDSERFARING",):
        exp = expected_from_truth(con, att, sub)
        for key, value in exp.items():
            got = r.loc[(sub, *key), "estimate"]
            if value is None:
                assert pd.isna(got), (sub, key)
            else:
                assert got == pytest.approx(value, rel=1e-9, abs=1e-6), (sub, key)
    # the planted effects are visible: lock-in then a positive effect (synthetic DGP)
    emp = att[(att["subgroup"] == "ALL") & (att["outcome"] == "employed")].set_index("event_time")[
        "att"
    ]
    assert emp[0] < 0 < emp[30]


def covered(r, truth: dict, subgroups) -> list[str]:
    misses = []
    for sub in subgroups:
        for key, value in truth[sub].items():
            row = r.loc[(sub, *key)]
            if value is None or pd.isna(row["estimate"]):
                continue
            lo = -math.inf if pd.isna(row["ci_low"]) else row["ci_low"]
            hi = math.inf if pd.isna(row["ci_high"]) else row["ci_high"]
            if not lo <= value <= hi:
                misses.append(f"{sub} {key}: truth {value:.4g} not in [{lo:.4g}, {hi:.4g}]")
    return misses


def test_estimates_with_known_noise_cover_the_truth(synthetic):
    con, att = synthetic
    install(con, *effects_table(att, None))
    build_cost_effectiveness(con)
    truth = {sub: expected_from_truth(con, att, sub) for sub in CHECKED}
    noise = {"employed": 0.01, "earnings_nok": 400.0, "no_benefit": 0.01}
    install(con, *effects_table(att, noise, seed=5))
    meta = build_cost_effectiveness(con)
    assert meta["uncertainty_basis"].get("joint_influence_function", 0) > 0
    r = results(con)
    assert (r.loc[("ALL", "effects", "extra_employed_months"), "uncertainty_basis"]
            == "joint_influence_function")  # fmt: skip
    assert covered(r, truth, CHECKED) == []
    # the estimate differs from the truth (the noise is there) but the interval is not huge
    est = r.loc[("ALL", "budget", "npv")]
    assert est["estimate"] != pytest.approx(truth["ALL"]["budget", "npv"], rel=1e-6)
    assert est["ci_high"] - est["ci_low"] < 1e5


def _build_effects():
    try:
        from analysis.effects import build_effects
    except ImportError:
        return None
    return build_effects


@pytest.fixture(scope="module")
def pipeline(synthetic):
    """The real effects and cost layers on the synthetic register (hard world, scale 0.05)."""
    con, att = synthetic
    build_effects = _build_effects()
    if build_effects is None:
        pytest.skip("analysis.effects.build_effects not available yet")
    con.execute("DROP TABLE IF EXISTS marts.effects")
    con.execute("DROP TABLE IF EXISTS marts.effects_cumulative")
    build_effects(con, run_ipw=False)
    meta = build_cost_effectiveness(con)
    assert meta["estimator"] == HEADLINE_ESTIMATOR
    return con, att, results(con)


@pytest.mark.slow
@pytest.mark.parametrize(
    "sub",
    [
        "ALL",
        pytest.param(
            "status_group=ARBEIDSSOKER",
            marks=pytest.mark.xfail(
                strict=True,
                reason="measured: the headline's employment effect for job seekers is about 2 pp "
                "low over 36 months in this world (seed 11, scale 0.05; -1.1 pp at 12-23 and "
                "at 24 months at scale 1.0, SE 0.5: a bias of the design in this "
                "subgroup, analysis/effects/METHODS.md), so its cost measures miss the truth",
            ),
        ),
        "status_group=NEDSATT_ARBEIDSEVNE",
    ],
)
def test_real_pipeline_estimates_cover_the_truth(pipeline, sub):
    """REAL PIPELINE: ingest_directory + build_panel + build_effects + the cost layer at scale
    0.05 in the hard world (the default, where the headline is validated).

    The cost measures of the headline's estimates cover the truth valued over the same channels:
    each channel the valuation included (marts.cost_effect_inputs) at its planted truth, each
    channel it excluded (failed design gate) at 0, as the valuation does; the effects
    perspective's summaries against the full truth."""
    con, att, r_est = pipeline
    inputs = con.execute(
        "SELECT subgroup, outcome, included FROM marts.cost_effect_inputs"
    ).fetchall()
    inc = {o: bool(i) for s_, o, i in inputs if s_ == sub}
    assert inc, sub
    typed = any(o in BENEFIT_OUTCOMES for o in inc)
    nb_pv = None
    if not typed:  # subgroups value the aggregate no-benefit share (planted truth as well)
        a = att[(att["subgroup"] == sub) & (att["outcome"] == "not_any_benefit")]
        x = a.set_index("event_time")["att"]
        d = discount_factors(H, con.execute(
            "SELECT value FROM marts.cost_parameters WHERE parameter = 'general.discount_rate'"
        ).fetchone()[0])  # fmt: skip
        nb_pv = sum(d[e] * x[e] for e in range(H)) if inc.get("not_any_benefit") else 0.0
    # the effects perspective summarises every estimated effect; the budget and society
    # perspectives value only the included channels
    valued = expected_from_truth(con, att, sub, nb_pv, included=inc)
    every = expected_from_truth(con, att, sub, nb_pv)
    truth = {sub: {k: every[k] if k[0] == "effects" else v for k, v in valued.items()}}
    checked = sum(
        v is not None and not pd.isna(r_est.loc[(sub, *k), "estimate"])
        for k, v in truth[sub].items()
    )
    assert covered(r_est, truth, (sub,)) == []
    assert checked >= 2, checked  # not vacuous: the NPVs at least
