"""Command line for the staggered DiD estimator: `arbeidstrening did ...`.

    arbeidstrening did --data FILE(.csv|.parquet) --unit COL --time COL --cohort COL \
        --outcome COL [--control nevertreated|notyettreated] [--json OUT]

Prints the group-time effects and the simple, dynamic (event-time) and group aggregations;
with --json writes them as

    {"att_gt": [{"group", "time", "att", "se"}, ...],
     "aggregations": {"simple": {"att", "se"},
                      "dynamic": {"overall": {"att", "se"},
                                  "by_event_time": [{"event_time", "att", "se"}, ...]},
                      "group": {"overall": {"att", "se"},
                                "by_group": [{"group", "att", "se"}, ...]}}}

Numbers are JSON numbers (NaN is written as null). Bad input: one line on stderr, exit code 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings
from pathlib import Path
from typing import Any

from analysis.did._prep import DiDInputError
from analysis.did.aggte import aggte
from analysis.did.attgt import BASE_PERIODS, CONTROLS, att_gt


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the `did` options to `parser`."""
    parser.add_argument("--data", required=True, help="input panel, .csv or .parquet (long format)")
    parser.add_argument("--unit", required=True, help="unit id column")
    parser.add_argument("--time", required=True, help="integer time period column")
    parser.add_argument(
        "--cohort", required=True, help="first treated period column (0 or empty = never treated)"
    )
    parser.add_argument("--outcome", required=True, help="outcome column (numeric or boolean)")
    parser.add_argument(
        "--control",
        choices=CONTROLS,
        default="nevertreated",
        help="comparison group (default: nevertreated, as R did)",
    )
    parser.add_argument(
        "--anticipation", type=int, default=0, help="anticipation periods (default 0)"
    )
    parser.add_argument(
        "--base-period",
        choices=BASE_PERIODS,
        default="varying",
        help="base period (default varying)",
    )
    parser.add_argument(
        "--allow-unbalanced-panel",
        action="store_true",
        help="keep units not observed in every period (default: drop them, as R did)",
    )
    parser.add_argument(
        "--alpha", type=float, default=0.05, help="significance level (default 0.05)"
    )
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON to OUT")


def _read(path: str) -> Any:
    import polars as pl

    p = Path(path)
    if not p.is_file():
        raise DiDInputError(f"data file not found: {path}")
    suffix = p.suffix.lower()
    if suffix == ".csv":
        return pl.read_csv(p, infer_schema_length=100_000)
    if suffix in (".parquet", ".pq"):
        return pl.read_parquet(p)
    raise DiDInputError(f"data file must be .csv or .parquet, got {p.name}")


def _num(v: Any) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def results_dict(res, simple, dynamic, group) -> dict:
    """The JSON document written by --json."""
    tab = res.att_gt
    return {
        "att_gt": [
            {"group": int(g), "time": int(t), "att": _num(a), "se": _num(s)}
            for g, t, a, s in zip(tab["group"], tab["time"], tab["att"], tab["se"], strict=True)
        ],
        "aggregations": {
            "simple": {"att": _num(simple.overall_att), "se": _num(simple.overall_se)},
            "dynamic": {
                "overall": {"att": _num(dynamic.overall_att), "se": _num(dynamic.overall_se)},
                "by_event_time": [
                    {"event_time": int(e), "att": _num(a), "se": _num(s)}
                    for e, a, s in zip(
                        dynamic.table["event_time"],
                        dynamic.table["att"],
                        dynamic.table["se"],
                        strict=True,
                    )
                ],
            },
            "group": {
                "overall": {"att": _num(group.overall_att), "se": _num(group.overall_se)},
                "by_group": [
                    {"group": int(g), "att": _num(a), "se": _num(s)}
                    for g, a, s in zip(
                        group.table["group"], group.table["att"], group.table["se"], strict=True
                    )
                ],
            },
        },
    }


def run(args: argparse.Namespace) -> int:
    """Run the estimation for parsed `args`; returns the exit code."""
    try:
        import polars as pl

        polars_errors: tuple[type[BaseException], ...] = (pl.exceptions.PolarsError,)
    except Exception:  # pragma: no cover
        polars_errors = ()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            data = _read(args.data)
            res = att_gt(
                data,
                unit=args.unit,
                time=args.time,
                cohort=args.cohort,
                outcome=args.outcome,
                control=args.control,
                anticipation=args.anticipation,
                base_period=args.base_period,
                alpha=args.alpha,
                allow_unbalanced_panel=args.allow_unbalanced_panel,
            )
            simple = aggte(res, "simple", alpha=args.alpha)
            dynamic = aggte(res, "dynamic", alpha=args.alpha)
            group = aggte(res, "group", alpha=args.alpha)
        except (DiDInputError, ValueError, KeyError, OSError, *polars_errors) as exc:
            _flush_warnings(caught)
            msg = " ".join(str(exc).split()) or type(exc).__name__
            print(f"error: {msg}", file=sys.stderr)
            return 2
    _flush_warnings(caught)
    print(res.summary())
    print(simple.summary())
    print(dynamic.summary())
    print(group.summary())
    if args.json:
        doc = results_dict(res, simple, dynamic, group)
        try:
            Path(args.json).write_text(json.dumps(doc, indent=2) + "\n")
        except OSError as exc:
            print(f"error: cannot write {args.json}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        print(f"wrote {args.json}")
    return 0


def _flush_warnings(caught: list) -> None:
    for w in caught:
        print(f"warning: {' '.join(str(w.message).split())}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse `argv` (default sys.argv[1:]) and run."""
    parser = argparse.ArgumentParser(
        prog="arbeidstrening did",
        description="Staggered difference-in-differences (Callaway & Sant'Anna 2021), no covariates.",
    )
    add_arguments(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed usage and the error
        return int(exc.code) if isinstance(exc.code, int) else 2
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
