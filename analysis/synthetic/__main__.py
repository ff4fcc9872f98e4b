"""Command line: ``python -m analysis.synthetic OUT_DIR [--scale S] [--seed N] [--format F]
[--preset hard|easy]``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from analysis.synthetic.generator import (
    DEFAULT_PRESET,
    DEFAULT_SCALE,
    FORMATS,
    PRESETS,
    generate_register,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis.synthetic",
        description="Write a synthetic register (the input contract) with known planted effects.",
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE, help="1.0 = ~600k persons")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--format", choices=FORMATS, default="parquet")
    parser.add_argument("--preset", choices=tuple(PRESETS), default=DEFAULT_PRESET)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()

    def progress(msg: str) -> None:
        if not args.quiet:
            print(f"[{time.perf_counter() - t0:7.1f}s] {msg}", file=sys.stderr, flush=True)

    summary = generate_register(
        args.out_dir,
        scale=args.scale,
        seed=args.seed,
        fmt=args.format,
        progress=progress,
        preset=args.preset,
    )
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
