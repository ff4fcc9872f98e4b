"""Coverage of the headline's 95 % intervals over many synthetic worlds (issue 11).

For each seed: generate the world (default: hard preset, scale 0.02) in a temporary directory,
ingest, build the panel, estimate employment effects with the headline
(`analysis.effects.headline.estimate_event_study`) and the plain DiD (`cs_event_study`, base g-1,
no covariates), and compare the effect at 12 and 24 months and the 12-23-month mean with the
truth of each estimator's own sample (truth_cells.parquet). Prints per estimator and measure the
share of 95 % intervals covering the truth and the mean bias (pp), with its Monte Carlo SE.

`--oracle` adds `y0_oracle`: the headline design run on the untreated potential outcomes (every
person's months replaced by Y0 from truth_diffs.parquet; start now against later, since nobody's
outcome then holds an effect), whose truth is 0 at every event time. Its bias is the design's
selection bias alone, apart from what the effect model (e.g. the later-start correction) adds.
`--oracle` also adds `d_oracle`: the headline run on the effects alone, D = Y - Y0 (zero before
each person's own start), against the same truth as the headline. The DR estimator and the
later-start correction are linear in the outcome for given models (which do not depend on it), so
the headline's bias is exactly the start-versus-never design's bias on Y0 (about y0_oracle's) plus
d_oracle's: what the effect model (the later-start correction) adds, free of selection.
`--latent` (with `--oracle`) adds `y0_latent`: the same, with the world's latent employability
index (and its square; `synthetic.generator.latent_employability`, not in the register) as
covariates: how much of that bias is selection on what no register shows.
`--sensitivity` adds the headline's Rambachan & Roth intervals at 12 and 24 months as the
warehouse computes them (`headline_marts.sensitivity_frame`: relative magnitudes, Mbar 0.25-2,
and smoothness, M 0-0.0005) and prints how often each covers the truth and its mean width.

Usage: nice -n 10 python benchmarks/effects_coverage.py [--seeds 50] [--scale 0.02]
       [--preset hard] [--first-seed 1000] [--estimand start_now_vs_later|start_vs_never]
       [--specification changes_single_base] [--fallback reduced|none] [--features '{"registration_churn": false}']
       [--outcomes employed any_benefit] [--oracle [--latent]] [--sensitivity]

`--specification` estimates the headline under a specification of the grid
(`analysis.effects.specifications`) instead of the headline's own; `--features` switches single
features of the synthetic world (`analysis.synthetic.params.Features`); `--outcomes` adds
outcomes (default: employment).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np

from analysis import synthetic
from analysis.effects import specifications as specs
from analysis.effects.cs import cs_event_study
from analysis.effects.data import analysis_treated, load_effects_data
from analysis.effects.headline import (
    FALLBACKS,
    HEADLINE_SPEC,
    DesignSpec,
    estimate_event_study,
    estimated_cohorts,
)
from analysis.effects.headline_marts import sensitivity_frame
from analysis.ingest import ingest_directory
from analysis.panel import build_panel
from analysis.synthetic.generator import latent_employability
from analysis.synthetic.truth import TRUTH_CELLS_FILE, TRUTH_DIFFS_FILE, untreated_outcomes

SENS_LABELS = {"relative_magnitude": "RM Mbar", "smoothness": "SD M"}
MEASURES = {
    "lock_in_0_5": list(range(0, 6)),
    "at_12": [12],
    "at_24": [24],
    "mean_12_23": list(range(12, 24)),
}


def _ym(m0: int, g) -> set[int]:
    mi = m0 + np.asarray(g)
    return set(((mi // 12) * 100 + mi % 12 + 1).tolist())


def _measures(st) -> dict[str, tuple[float, float]]:
    """Each measure of MEASURES (the mean over its event times) of subgroup 0: (estimate, SE)."""
    return {m: st.linear(0, {e: 1 / len(w) for e in w}) for m, w in MEASURES.items()}


def _truth(cells, cohorts, weights) -> float:
    t = cells[cells.cohort_ym.isin(cohorts)]
    g = t.groupby("event_time")[["sum_y1", "sum_y0", "n_treated"]].sum()
    att = (g.sum_y1 - g.sum_y0) / g.n_treated
    return float(np.mean([att[e] for e in weights]))


def one_seed(
    seed: int,
    scale: float,
    preset: str,
    spec: DesignSpec = HEADLINE_SPEC,
    features: dict | None = None,
    outcomes: tuple[str, ...] = ("employed",),
    oracle: bool = False,
    latent: bool = False,
    sensitivity: bool = False,
) -> tuple[dict, dict]:
    """(outcome, estimator, measure) -> (bias, SE), and with `sensitivity` (outcome,
    "<method> <parameter>", measure) -> (lower - truth, upper - truth) of the headline."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        synthetic.generate_register(
            root / "input", scale=scale, seed=seed, preset=preset, features=features
        )
        con = duckdb.connect(str(root / "wh.duckdb"))
        ingest_directory(con, root / "input")
        build_panel(con)
        data = load_effects_data(con)
        cells = con.execute(
            f"SELECT * FROM read_parquet('{root / 'input' / TRUTH_CELLS_FILE}') "
            "WHERE list_contains(?, outcome) "
            "AND status_group IN ('ARBEIDSSOKER', 'NEDSATT_ARBEIDSEVNE')",
            [list(outcomes)],
        ).df()
        con.close()
        diffs = root / "input" / TRUTH_DIFFS_FILE
        y0 = {}
        if oracle:
            arrays = {o: data.array(o) for o in outcomes}
            y0 = untreated_outcomes(diffs, data.person_ids, data.months, arrays)
    estimates: dict[tuple[str, str, str], tuple[float, float]] = {}
    intervals: dict[tuple[str, str, str], tuple[float, float]] = {}
    head = estimate_event_study(data, list(outcomes), spec=spec)
    head_cohorts = {o: _ym(data.month_index0, estimated_cohorts(head[o].meta)) for o in outcomes}
    treated = analysis_treated(data, 12)
    plain_y = {o: data.array(o).astype(float) for o in outcomes}
    plain = cs_event_study(
        plain_y,
        data.status,
        data.first_start,
        data.group,
        {"ALL": treated},
    )
    plain_cohorts = _ym(data.month_index0, np.unique(data.first_start[treated]))
    truths = {}
    for o in outcomes:
        truth = {
            m: _truth(cells[cells.outcome == o], head_cohorts[o], w) for m, w in MEASURES.items()
        }
        truths[o] = truth
        plain_truth = {
            m: _truth(cells[cells.outcome == o], plain_cohorts, w) for m, w in MEASURES.items()
        }
        for name, st, t in (("headline", head[o], truth), ("plain_did", plain[o], plain_truth)):
            for m, (est, se) in _measures(st).items():
                estimates[(o, name, m)] = (est - t[m], se)
    if sensitivity:
        sens = sensitivity_frame([head[o] for o in outcomes], spec, outcomes=outcomes)
        for r in sens.itertuples():
            truth = _truth(
                cells[cells.outcome == r.outcome], head_cohorts[r.outcome], MEASURES[r.measure]
            )
            label = "original" if r.is_original else f"{SENS_LABELS[r.method]} {r.parameter:g}"
            intervals[(r.outcome, label, r.measure)] = (r.ci_low - truth, r.ci_high - truth)
    if oracle:
        # the truth on the untreated outcomes is 0
        y0_spec = dataclasses.replace(spec, estimand="start_now_vs_later")
        for o, st in estimate_event_study(data, y0, spec=y0_spec).items():
            for m, v in _measures(st).items():
                estimates[(o, "y0_oracle", m)] = v
        # the effects alone (zero before each person's start): what the effect model adds
        d = {o: data.array(o).astype(float) - y0[o] for o in outcomes}
        for o, st in estimate_event_study(data, d, spec=spec).items():
            for m, (est, se) in _measures(st).items():
                estimates[(o, "d_oracle", m)] = (est - truths[o][m], se)
        del d
        if latent:
            ix = latent_employability(data.person_ids, scale, seed, preset, features)
            data.extra["person_covariates"] = np.column_stack([ix, ix * ix])
            for o, st in estimate_event_study(data, y0, spec=y0_spec).items():
                for m, v in _measures(st).items():
                    estimates[(o, "y0_latent", m)] = v
            del data.extra["person_covariates"]
    return estimates, intervals


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=50)
    ap.add_argument("--scale", type=float, default=0.02)
    ap.add_argument("--preset", default="hard")
    ap.add_argument("--first-seed", type=int, default=1000)
    ap.add_argument(
        "--estimand",
        default=None,
        choices=("start_now_vs_later", "start_vs_never"),
        help="the estimand (default: the specification's; analysis.design.HEADLINE_ESTIMAND)",
    )
    ap.add_argument(
        "--specification",
        default=specs.HEADLINE,
        choices=(specs.HEADLINE, *specs.SPECIFICATIONS),
        help="estimate the headline under this specification of the grid",
    )
    ap.add_argument(
        "--fallback",
        default=None,
        choices=FALLBACKS,
        help="cohorts whose full covariate model fails: refit reduced, or leave out "
        "(default: the specification's; analysis.design.HEADLINE_COVARIATE_FALLBACK)",
    )
    ap.add_argument("--features", default=None, help="JSON: switches of the synthetic world")
    ap.add_argument("--outcomes", nargs="+", default=["employed"])
    ap.add_argument(
        "--oracle",
        action="store_true",
        help="also run the design on the untreated potential outcomes (truth 0) and the headline "
        "on the effects alone (see above)",
    )
    ap.add_argument(
        "--sensitivity",
        action="store_true",
        help="also the coverage of the headline's Rambachan & Roth intervals at 12 and 24 months",
    )
    ap.add_argument(
        "--latent",
        action="store_true",
        help="with --oracle: also with the latent employability index as covariates",
    )
    args = ap.parse_args()
    if args.latent and not args.oracle:
        ap.error("--latent needs --oracle")
    spec = specs.spec_of(args.specification)
    if args.estimand:
        spec = dataclasses.replace(spec, estimand=args.estimand)
    if args.fallback:
        spec = dataclasses.replace(spec, fallback=args.fallback)
    features = json.loads(args.features) if args.features else None
    outcomes = tuple(args.outcomes)
    res: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
    intervals: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
    t0 = time.perf_counter()
    for s in range(args.first_seed, args.first_seed + args.seeds):
        got, got_intervals = one_seed(
            s,
            args.scale,
            args.preset,
            spec,
            features,
            outcomes,
            args.oracle,
            args.latent,
            args.sensitivity,
        )
        for k, v in got.items():
            res.setdefault(k, []).append(v)
        for k, v in got_intervals.items():
            intervals.setdefault(k, []).append(v)
        line = " ".join(
            f"{o[:3]}/{n}/{m}={100 * b:+.2f}({100 * se:.2f})" for (o, n, m), (b, se) in got.items()
        )
        print(f"seed {s} ({time.perf_counter() - t0:.0f} s) bias pp (se): {line}", flush=True)
    print(
        f"\n{args.preset} world (features {features or 'of the preset'}), scale {args.scale}, "
        f"{args.seeds} seeds; headline specification {args.specification}, estimand "
        f"{spec.estimand}, covariate fallback {spec.fallback}"
    )
    print(
        f"{'outcome':<12} {'estimator':<10} {'measure':<11} {'coverage':>8} {'bias pp':>8} "
        f"{'(MC se)':>8} {'mean SE pp':>10} {'sd est pp':>9}"
    )
    for (o, name, m), v in sorted(res.items()):
        b = np.array([x[0] for x in v])
        se = np.array([x[1] for x in v])
        cov = float(np.mean(np.abs(b) <= 1.959964 * se))
        print(
            f"{o:<12} {name:<10} {m:<11} {cov:>8.3f} {100 * b.mean():>8.2f} "
            f"{100 * b.std(ddof=1) / np.sqrt(b.size):>8.2f} {100 * se.mean():>10.2f} "
            f"{100 * b.std(ddof=1):>9.2f}"
        )
    if intervals:
        print(
            "\nheadline's sensitivity intervals (Rambachan & Roth; marts.effects_sensitivity): "
            "share covering the truth, mean width pp"
        )
        for (o, label, m), v in sorted(intervals.items()):
            d = np.array(v)
            cov = float(np.mean((d[:, 0] <= 0) & (d[:, 1] >= 0)))
            width = 100 * float(np.mean(d[:, 1] - d[:, 0]))
            print(f"{o:<12} {label:<16} {m:<7} {cov:>8.3f} {width:>8.2f}")


if __name__ == "__main__":
    main()
