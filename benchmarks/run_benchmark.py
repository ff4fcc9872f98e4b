"""Benchmark: generate the synthetic register and run the pipeline, per asset time and memory.

Usage: python benchmarks/run_benchmark.py --scales 0.1 1.0 [--workdir data/bench] [--seed 2024]
       [--threads N] [--workers N] [--memory-limit 6GB] [--no-effects]

For each scale: generation runs in a child process (wall time, peak RSS of the child); the
pipeline runs in this process (the effects parts in worker processes from 50,000 persons, as
`arbeidstrening run`; `--workers`), and a sampler thread reads the resident memory of this process
and its descendants every 0.1 s: each asset gets the peak of all the run's processes while it ran
(summed PSS, which counts a page the processes share once; DuckDB runs in-process, so its memory
is included), and the effects parts' wall time is printed
beside the sum of their times. Prints a table per scale, then the layers side by side across scales with
the ratio of the largest to the smallest scale's time, and writes
benchmarks/results/bench-<time>.json. The machine, its cores and DuckDB's thread count are
printed first: figures from a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.settings import DEFAULT_MEMORY_LIMIT, default_threads  # noqa: E402


def _tree(root: int) -> list[int]:
    """A process and all its descendants (the run's worker processes)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    pids, stack = [], [root]
    while stack:
        pid = stack.pop()
        pids.append(pid)
        stack += children.get(pid, [])
    return pids


def _rss_pss(pid: int) -> tuple[int, int]:
    """Resident and proportional set size of a process, in bytes (0, 0 once it has ended)."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, pss


def tree_memory_bytes(root: int) -> tuple[int, int]:
    """The memory a process tree holds: (summed PSS, summed RSS). PSS divides each page shared
    by several processes among them (the effects parts' mapped input, shared libraries), so its
    sum is what the run really holds; the RSS sum counts a shared page once per process."""
    rss = pss = 0
    for pid in _tree(root):
        r, p = _rss_pss(pid)
        rss, pss = rss + r, pss + p
    return pss, rss


class MemoryTimeline(threading.Thread):
    """Samples the memory of this process and its descendants (summed PSS and RSS) every 0.1 s;
    `peak(t0, t1)` is the largest summed PSS in a time interval (time.perf_counter), `peak_rss`
    the largest summed RSS."""

    def __init__(self, interval: float = 0.1):
        super().__init__(daemon=True)
        self.interval = interval
        self.samples: list[tuple[float, int, int]] = []
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.perf_counter(), *tree_memory_bytes(os.getpid())))
            time.sleep(self.interval)

    def peak(self, t0: float = 0.0, t1: float = float("inf")) -> int:
        return max((pss for t, pss, _ in self.samples if t0 <= t <= t1), default=0)

    def peak_rss(self) -> int:
        return max((rss for _, _, rss in self.samples), default=0)

    def stop(self) -> None:
        self._stop.set()


def generate(scale: float, seed: int, out: Path) -> dict:
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    cmd = [
        sys.executable,
        "-m",
        "pipelines.cli",
        "generate",
        "--out",
        str(out),
        "--scale",
        str(scale),
        "--seed",
        str(seed),
    ]
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {
        "seconds": time.perf_counter() - t0,
        "peak_rss_gb": max(peak_kb, before) / 1e6,
        "input_mb": size / 1e6,
    }


def run(
    scale: float,
    seed: int,
    workdir: Path,
    memory_limit: str,
    with_effects: bool = True,
    threads: int | None = None,
    workers: int | None = None,
) -> dict:
    from pipelines.runner import run_pipeline

    inp = workdir / f"scale-{scale}"
    if inp.exists():
        import shutil

        shutil.rmtree(inp)
    print(f"\n=== scale {scale}: generating into {inp}", flush=True)
    gen = generate(scale, seed, inp)
    print(
        f"generation: {gen['seconds']:.1f} s, peak {gen['peak_rss_gb']:.2f} GB, {gen['input_mb']:.0f} MB on disk",
        flush=True,
    )

    memory = MemoryTimeline()
    memory.start()
    spans: dict[str, tuple[float, float]] = {}  # asset -> its step's start and its end

    def observe(kind: str, name: str, seconds: float) -> None:
        if kind == "asset":  # `seconds`: since its step started
            now = time.perf_counter()
            spans[name] = (now - seconds, now)

    wh = workdir / f"warehouse-{scale}.duckdb"
    t0 = time.perf_counter()
    outcome = run_pipeline(
        inp,
        wh,
        memory_limit=memory_limit,
        threads=threads,
        echo=lambda _: None,
        observer=observe,
        with_effects=with_effects,
        report_dir=workdir / f"report-{scale}",
        workers=workers,
    )
    total = time.perf_counter() - t0
    memory.stop()
    if not outcome.success:
        raise SystemExit(f"pipeline failed at scale {scale}: {outcome.errors}")
    assets = [  # in the order they finished
        {
            "asset": key,
            "seconds": round(end - begin, 2),
            "peak_gb": round(memory.peak(begin, end) / 1e9, 3),
        }
        for key, (begin, end) in spans.items()
    ]
    peak_all, peak_rss = memory.peak() / 1e9, memory.peak_rss() / 1e9
    peak_process = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    parts = [span for key, span in spans.items() if "/parts/" in key]
    parts_wall = max(e for _, e in parts) - min(b for b, _ in parts) if parts else 0.0
    print(f"{'asset':<44} {'seconds':>9} {'peak GB':>9}  (summed PSS of the run's processes)")
    for a in assets:
        print(f"{a['asset']:<44} {a['seconds']:>9.1f} {a['peak_gb']:>9.2f}")
    groups: dict[str, float] = {}
    for layer, (begin, end) in dict.fromkeys((k.split("/")[0], sp) for k, sp in spans.items()):
        groups[layer] = groups.get(layer, 0.0) + (end - begin)  # a multi-asset step once
    print("by layer: " + ", ".join(f"{k} {v:.1f} s" for k, v in groups.items()))
    if parts:
        print(
            f"effects parts: {len(parts)} in {parts_wall:.1f} s wall; their own times add up "
            f"to {sum(e - b for b, e in parts):.1f} s"
        )
    print(
        f"pipeline total {total:.1f} s, peak memory {peak_all:.2f} GB (summed PSS of all "
        f"processes; summed RSS {peak_rss:.2f} GB, this process's RSS {peak_process:.2f} GB), "
        f"warehouse {wh.stat().st_size / 1e9:.2f} GB"
    )
    return {
        "scale": scale,
        "generation": gen,
        "pipeline_seconds": total,
        "pipeline_peak_gb": peak_all,
        "pipeline_peak_summed_rss_gb": peak_rss,
        "main_process_peak_rss_gb": peak_process,
        "effects_parts_wall_seconds": parts_wall,
        "warehouse_gb": wh.stat().st_size / 1e9,
        "by_layer_seconds": groups,
        "assets": assets,
    }


def print_scaling(results: list[dict]) -> None:
    """Seconds per layer at every scale, and the ratio largest / smallest scale."""
    if len(results) < 2:
        return
    layers = list(dict.fromkeys(k for r in results for k in r["by_layer_seconds"]))
    head = "".join(f"{'scale ' + str(r['scale']):>14}" for r in results)
    lo, hi = results[0], results[-1]
    print(f"\n{'layer':<12}{head}{'ratio':>10}")
    for layer in [*layers, "total"]:
        if layer == "total":
            vals = [r["pipeline_seconds"] for r in results]
        else:
            vals = [r["by_layer_seconds"].get(layer, 0.0) for r in results]
        ratio = vals[-1] / vals[0] if vals[0] > 0 else float("nan")
        print(f"{layer:<12}" + "".join(f"{v:>12.1f} s" for v in vals) + f"{ratio:>9.1f}x")
    peaks = "".join(f"{r['pipeline_peak_gb']:>11.2f} GB" for r in results)
    print(f"{'peak memory':<12}{peaks}")
    print(
        f"time({hi['scale']}) / time({lo['scale']}) = "
        f"{hi['pipeline_seconds'] / lo['pipeline_seconds']:.1f} "
        f"for {hi['scale'] / lo['scale']:.0f}x the persons"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 1.0])
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--workdir", type=Path, default=ROOT / "data" / "bench")
    parser.add_argument("--memory-limit", default=DEFAULT_MEMORY_LIMIT)
    parser.add_argument(
        "--threads", type=int, default=None, help="DuckDB threads (default: every core)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes for the effects parts (default: as `arbeidstrening run`)",
    )
    parser.add_argument(
        "--no-effects",
        action="store_true",
        help="ingestion, panel and marts only (no effects, costs, report)",
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    threads = args.threads or default_threads()
    print(
        f"machine: {os.cpu_count()} cores ({default_threads()} usable), "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; "
        f"DuckDB threads {threads}, memory limit {args.memory_limit}; "
        f"load average {os.getloadavg()[0]:.1f} at start"
    )
    results = [
        run(
            s,
            args.seed,
            args.workdir,
            args.memory_limit,
            not args.no_effects,
            threads,
            args.workers,
        )
        for s in args.scales
    ]
    print_scaling(results)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = out / f"bench-{stamp}.json"
    path.write_text(json.dumps(results, indent=2))
    print(f"\nresults written to {path}")


if __name__ == "__main__":
    main()
