"""Benchmark att_gt + dynamic aggregation on a simulated person-month panel.

    python -m analysis.did.bench                       # 600k units x 108 months, ~100 cohorts
    python -m analysis.did.bench --units 50000 --periods 24 --cohorts 10

Simulates a balanced long-format panel (int64 unit / time / cohort columns and a binary float64
outcome, the shape of the production person-month panel), then times `att_gt` and
`aggte(type="dynamic")` and reports peak memory: the peak of memory allocated during the
estimation (tracemalloc, which sees numpy's buffers) and the process's peak resident set size.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd


def simulate(n_units: int, n_periods: int, n_cohorts: int, seed: int = 1) -> pd.DataFrame:
    """Balanced binary-outcome panel with staggered adoption and dynamic, cohort-specific effects."""
    rng = np.random.default_rng(seed)
    periods = np.arange(1, n_periods + 1, dtype=np.int64)
    # cohorts spread over periods 4 .. n_periods - 2; 35 % never treated (cohort 0)
    first, last = 4, max(5, n_periods - 2)
    cohort_values = np.unique(np.linspace(first, last, n_cohorts).round().astype(np.int64))
    g = rng.choice(cohort_values, size=n_units)
    g[rng.random(n_units) < 0.35] = 0
    unit_eff = rng.normal(-0.3, 1.0, n_units)
    time_eff = 0.3 * np.sin(periods / 6.0) + 0.002 * periods
    y = np.empty((n_units, n_periods), dtype=np.float64)
    chunk = 1 << 16
    for a in range(0, n_units, chunk):
        b = min(a + chunk, n_units)
        gg = g[a:b, None]
        e = periods[None, :] - gg
        treated = (gg > 0) & (e >= 0)
        effect = np.where(treated, 0.25 + 0.01 * np.minimum(e, 24), 0.0)
        logit = unit_eff[a:b, None] + time_eff[None, :] + effect
        p = 1.0 / (1.0 + np.exp(-logit))
        y[a:b] = rng.random((b - a, n_periods)) < p
    return pd.DataFrame(
        {
            "person": np.repeat(np.arange(1, n_units + 1, dtype=np.int64) * 7 + 100_000, n_periods),
            "month": np.tile(periods, n_units),
            "first_month": np.repeat(g, n_periods),
            "employed": y.reshape(-1),
        }
    )


def _status_mb(field: str) -> float:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _rss_mb() -> float:
    return _status_mb("VmRSS")


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS counter (VmHWM) so it measures the estimation only (Linux)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    from analysis.did import aggte, att_gt

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=600_000)
    ap.add_argument("--periods", type=int, default=108)
    ap.add_argument("--cohorts", type=int, default=100)
    ap.add_argument("--control", default="notyettreated", choices=["nevertreated", "notyettreated"])
    ap.add_argument("--shuffle", action="store_true", help="shuffle the rows before estimating")
    ap.add_argument("--polars", action="store_true", help="pass a polars DataFrame")
    ap.add_argument(
        "--unbalanced", type=float, default=0.0, help="share of rows to delete at random"
    )
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    df = simulate(args.units, args.periods, args.cohorts)
    if args.unbalanced > 0:
        keep = np.random.default_rng(2).random(len(df)) >= args.unbalanced
        df = df.loc[keep].reset_index(drop=True)
    if args.shuffle:
        df = df.iloc[np.random.default_rng(3).permutation(len(df))].reset_index(drop=True)
    n_cohorts = int(df["first_month"].nunique()) - 1
    input_mib = df.memory_usage(deep=False).sum() / 2**20
    if args.polars:
        import polars as pl

        df = pl.from_pandas(df)
    t_sim = time.perf_counter() - t0
    print(
        f"simulated {len(df):,} rows ({args.units:,} units x {args.periods} periods, "
        f"{n_cohorts} cohorts) in {t_sim:.1f}s; input frame {input_mib:,.0f} MiB; "
        f"process RSS {_rss_mb():,.0f} MiB",
        flush=True,
    )

    rss_before = _rss_mb()
    reset_ok = _reset_peak_rss()
    tracemalloc.start()
    tracemalloc.reset_peak()
    t1 = time.perf_counter()
    res = att_gt(
        df,
        unit="person",
        time="month",
        cohort="first_month",
        outcome="employed",
        control=args.control,
        allow_unbalanced_panel=args.unbalanced > 0,
    )
    t2 = time.perf_counter()
    dyn = aggte(res, "dynamic")
    t3 = time.perf_counter()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    hwm_mb = _status_mb("VmHWM")
    print(f"att_gt: {len(res.att_gt):,} group-time cells in {t2 - t1:.2f}s")
    print(f"aggte(dynamic): {len(dyn.table)} event times in {t3 - t2:.2f}s")
    print(f"total wall time att_gt + dynamic: {t3 - t1:.2f}s")
    print(f"peak memory allocated during estimation (tracemalloc): {peak / 2**20:,.0f} MiB")
    if reset_ok:
        print(
            f"process RSS before estimation {rss_before:,.0f} MiB (the input frame), peak during "
            f"estimation {hwm_mb:,.0f} MiB: +{hwm_mb - rss_before:,.0f} MiB for att_gt + aggte"
        )
    else:
        print(f"process peak RSS over the whole run (incl. simulation): {maxrss_mb:,.0f} MiB")
    print(f"dynamic overall ATT {dyn.overall_att:.4f} (se {dyn.overall_se:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
