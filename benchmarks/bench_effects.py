"""Benchmark the effect estimators.

1. TWFE event study: our sufficient-statistics implementation against the straightforward
   pyfixest fit `feols("y ~ i(rel, ref=-1) | person + month", vcov={"CRV1": "person"})` on the
   same simulated balanced panel (default 50k persons x 108 months): max |difference| of the
   estimates and SEs, and the time ratio.
2. Our TWFE alone on 600k x 108 (time and peak traced memory).
3. Optionally (--warehouse PATH) the whole `build_effects` on a copy of a built warehouse (e.g.
   the synthetic register at scale 1.0), with wall time per estimator and peak RSS, once per
   DuckDB thread count in --threads (0 = every core this process may use). The estimators' dense
   algebra runs with single-threaded BLAS whatever the setting (measured faster for their many
   small products, see analysis/did/_blas.py), so extra cores speed up only the reading.

Usage: python benchmarks/bench_effects.py [--persons 50000] [--big 600000] [--warehouse PATH]
       [--threads 1 2 0]
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np
import pandas as pd

from analysis.effects.twfe import NEVER, twfe_event_study


def simulate(n: int, T: int = 108, seed: int = 1):
    rng = np.random.default_rng(seed)
    G = np.where(rng.random(n) < 0.3, rng.integers(12, T, n), NEVER)
    t = np.arange(T)[None, :]
    e = t - G[:, None]
    y = (rng.random((n, T)) < 0.4 + 0.05 * ((e >= 6) & (G[:, None] < NEVER))).astype(float)
    return y, G


def bench_pyfixest(n: int) -> None:
    import pyfixest as pf

    T = 108
    y, G = simulate(n, T)
    t0 = time.perf_counter()
    ours = twfe_event_study(y, G)
    t_ours = time.perf_counter() - t0
    rel = np.where(G[:, None] >= NEVER, -1, np.clip(np.arange(T)[None, :] - G[:, None], -12, 36))
    df = pd.DataFrame(
        {
            "person": np.repeat(np.arange(n), T),
            "month": np.tile(np.arange(T), n),
            "rel": rel.ravel(),
            "y": y.ravel(),
        }
    )
    t0 = time.perf_counter()
    fit = pf.feols("y ~ i(rel, ref=-1) | person + month", data=df, vcov={"CRV1": "person"})
    co, se = fit.coef(), fit.se()
    t_pf = time.perf_counter() - t0
    d_est = d_se = 0.0
    for name in co.index:
        k = int(name.split("::")[1].rstrip("]").split(".")[0])
        j = int(np.flatnonzero(ours.event_times == k)[0])
        d_est = max(d_est, abs(co[name] - ours.estimate[0, j]))
        d_se = max(d_se, abs(se[name] - ours.se()[0, j]))
    print(f"TWFE {n} x {T}: ours {t_ours:.2f} s, pyfixest {t_pf:.2f} s, ratio {t_pf / t_ours:.1f}x")
    print(f"  max |estimate difference| {d_est:.2e}, max |SE difference| {d_se:.2e}")


def bench_big(n: int) -> None:
    y, G = simulate(n)
    tracemalloc.start()
    t0 = time.perf_counter()
    twfe_event_study(y, G)
    dt = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"TWFE ours {n} x 108: {dt:.2f} s, peak traced memory beyond the {y.nbytes / 1e9:.2f} GB "
        f"outcome matrix: {peak / 1e9:.2f} GB"
    )


def bench_warehouse(path: str, threads: list[int]) -> None:
    import shutil
    import tempfile

    import duckdb

    from analysis.effects import build_effects
    from analysis.settings import default_threads

    for n in threads:
        n = n or default_threads()
        with tempfile.TemporaryDirectory(prefix="at_bench_eff_") as tmp:
            copy = f"{tmp}/wh.duckdb"
            shutil.copyfile(path, copy)
            con = duckdb.connect(copy)
            con.execute(f"SET threads = {int(n)}")
            t0 = time.perf_counter()
            meta = build_effects(con)
            dt = time.perf_counter() - t0
            con.close()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
        print(
            f"build_effects on {path} with {n} DuckDB thread(s): {dt:.1f} s, peak RSS {rss:.2f} GB"
        )
        print(f"  seconds: {meta.get('seconds')}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=50_000)
    ap.add_argument("--big", type=int, default=600_000)
    ap.add_argument("--warehouse", default=None)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2, 0])
    args = ap.parse_args()
    if args.persons:
        bench_pyfixest(args.persons)
    if args.big:
        bench_big(args.big)
    if args.warehouse:
        bench_warehouse(args.warehouse, args.threads)


if __name__ == "__main__":
    main()
