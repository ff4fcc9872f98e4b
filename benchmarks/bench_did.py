"""Benchmark analysis.did: time and peak memory with and without covariates; DR coverage.

    python benchmarks/bench_did.py                      # 100k and 500k units x 60 periods
    python benchmarks/bench_did.py --units 100000 --cohorts 55 --control notyettreated
    python benchmarks/bench_did.py --coverage 500       # coverage and mean bias of DR

Timing mode simulates a balanced panel (int64 unit / time / cohort columns, a float outcome and
a covariate x that drives both who is treated and the outcome trend), then for each size runs,
in this order, `att_gt` without covariates, `att_gt(covariates=["x"])` (est_method "dr"), and
`aggte(type="dynamic")` after each. It prints wall time and the peak memory allocated during each
fit (tracemalloc, which sees numpy's buffers), and the ratio covariates / no covariates.
Figures taken on a shared machine are noisy: compare several runs.

Coverage mode draws `--coverage` panels from the world of tests/test_did_covariates.py
(selection on x, conditional parallel trends) and prints the coverage of the 95% intervals and
the mean bias of the DR and no-covariate estimators at e = 0, 1, 2 and for the overall effect.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def simulate(n_units: int, n_periods: int, n_cohorts: int, seed: int = 1) -> pd.DataFrame:
    """Balanced panel, staggered adoption, selection on a covariate x that shifts trends."""
    rng = np.random.default_rng(seed)
    periods = np.arange(1, n_periods + 1, dtype=np.int64)
    cohort_values = np.unique(np.linspace(4, n_periods - 2, n_cohorts).round().astype(np.int64))
    x = rng.normal(size=n_units)
    g = rng.choice(cohort_values, size=n_units)
    g[rng.random(n_units) < 1 / (1 + np.exp(-(-0.4 + 0.8 * x)))] = 0  # ~40 % never treated
    unit_eff = rng.normal(size=n_units) + 0.5 * x
    y = np.empty((n_units, n_periods))
    chunk = 1 << 16
    for a in range(0, n_units, chunk):
        b = min(a + chunk, n_units)
        gg = g[a:b, None]
        e = periods[None, :] - gg
        eff = np.where((gg > 0) & (e >= 0), 0.25 + 0.01 * np.minimum(e, 24), 0.0)
        y[a:b] = (
            unit_eff[a:b, None]
            + 0.02 * periods[None, :] * (1 + x[a:b, None])
            + eff
            + rng.normal(size=(b - a, n_periods))
        )
    return pd.DataFrame(
        {
            "person": np.repeat(np.arange(1, n_units + 1, dtype=np.int64) * 7 + 100_000, n_periods),
            "month": np.tile(periods, n_units),
            "first_month": np.repeat(g, n_periods),
            "y": y.reshape(-1),
            "x": np.repeat(x, n_periods),
        }
    )


def _timed(fn):
    tracemalloc.start()
    tracemalloc.reset_peak()
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, dt, peak / 2**20


def bench(n_units: int, n_periods: int, n_cohorts: int, control: str) -> None:
    from analysis.did import aggte, att_gt

    t0 = time.perf_counter()
    df = simulate(n_units, n_periods, n_cohorts)
    k = int(df["first_month"].nunique()) - 1
    mib = df.memory_usage(deep=False).sum() / 2**20
    print(
        f"\n{n_units:,} units x {n_periods} periods, {k} cohorts, control={control}: "
        f"simulated in {time.perf_counter() - t0:.1f}s (input frame {mib:,.0f} MiB)",
        flush=True,
    )
    kw = {"unit": "person", "time": "month", "cohort": "first_month", "outcome": "y"}
    times = {}
    for label, covs in (("no covariates", []), ("covariates (dr)", ["x"])):
        res, t_fit, m_fit = _timed(lambda c=covs: att_gt(df, **kw, control=control, covariates=c))
        dyn, t_dyn, m_dyn = _timed(lambda r=res: aggte(r, "dynamic"))
        times[label] = (t_fit, t_fit + t_dyn)
        models = len(res._engine.models) if res._engine is not None else 0
        print(
            f"  {label:<16} att_gt {t_fit:6.2f}s (peak {m_fit:7,.0f} MiB)"
            f" + aggte(dynamic) {t_dyn:6.2f}s (peak {m_dyn:6,.0f} MiB)"
            f" = {t_fit + t_dyn:6.2f}s; {len(res.att_gt):,} cells"
            + (f", {models} propensity/regression models" if models else "")
            + f"; dynamic overall {dyn.overall_att:.4f} (se {dyn.overall_se:.4f})",
            flush=True,
        )
    a, b = times["no covariates"], times["covariates (dr)"]
    print(
        f"  ratio covariates / none: att_gt {b[0] / a[0]:.1f}x, att_gt + dynamic {b[1] / a[1]:.1f}x"
    )


def coverage(reps: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from test_did_covariates import coverage_world

    from analysis.did import aggte, att_gt

    truth = {0: 0.5, 1: 0.6, 2: 0.7, "overall": float(np.mean([0.5 + 0.1 * e for e in range(5)]))}
    z = 1.959963984540054
    for label, covs in (("DR, covariate x", ["x"]), ("no covariates", [])):
        hits = dict.fromkeys(truth, 0)
        bias = dict.fromkeys(truth, 0.0)
        for r in range(reps):
            dyn = aggte(att_gt(coverage_world(r), "id", "t", "g", "y", covariates=covs), "dynamic")
            tab = dyn.table.set_index("event_time")
            for key, v in truth.items():
                a, s = (
                    (dyn.overall_att, dyn.overall_se)
                    if key == "overall"
                    else (tab.loc[key, "att"], tab.loc[key, "se"])
                )
                hits[key] += abs(a - v) <= z * s
                bias[key] += (a - v) / reps
        print(f"{label} over {reps} panels (1000 units x 8 periods, selection on x):")
        for key in truth:
            print(
                f"  {'e = ' + str(key) if key != 'overall' else 'overall':<8} truth {truth[key]:.3f}"
                f"  coverage {hits[key] / reps:.3f}  mean bias {bias[key]:+.4f}"
            )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, nargs="+", default=[100_000, 500_000])
    ap.add_argument("--periods", type=int, default=60)
    ap.add_argument("--cohorts", type=int, default=20)
    ap.add_argument(
        "--control",
        nargs="+",
        default=["nevertreated", "notyettreated"],
        choices=["nevertreated", "notyettreated"],
    )
    ap.add_argument("--coverage", type=int, default=0, help="run N coverage panels instead")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    if args.coverage:
        coverage(args.coverage)
        return 0
    for n in args.units:
        for control in args.control:
            bench(n, args.periods, args.cohorts, control)
    return 0


if __name__ == "__main__":
    sys.exit(main())
