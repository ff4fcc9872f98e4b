"""Running `arbeidstrening did` and building its JSON (the argument parser is in pipelines/cli.py).

    arbeidstrening did --data FILE(.csv|.parquet) --unit COL --time COL --cohort COL \\
        --outcome COL [--control ...] [--covariates COL ...] [--est-method dr|ipw|reg] \\
        [--weights COL] [--cluster COL] [--bootstrap [--iterations N] [--seed N]] \\
        [--uniform-bands] [--min-e E] [--max-e E] [--balance-e E] [--json OUT]

Prints the group-time effects and the simple, dynamic (event-time), group and calendar
aggregations; with --json writes them as

    {"att_gt": [{"group", "time", "att", "se", "ci_low", "ci_high", "n_treated",
                 "n_comparison", ["weight_treated", "weight_comparison"]}, ...],
     "aggregations": {"simple": {"att", "se", "ci_low", "ci_high"},
                      "dynamic": {"overall": {...}, "crit_val",
                                  "by_event_time": [{"event_time", "att", "se", "ci_low",
                                                     "ci_high"}, ...]},
                      "group": {"overall": {...}, "crit_val", "by_group": [{"group", ...}]},
                      "calendar": {"overall": {...}, "crit_val", "by_time": [{"time", ...}]}},
     "settings": {...}, "n_units": N, "warnings": [...]}

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
from analysis.did.attgt import att_gt


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


def _overall(agg) -> dict:
    return {
        "att": _num(agg.overall_att),
        "se": _num(agg.overall_se),
        "ci_low": _num(agg.overall_ci_low),
        "ci_high": _num(agg.overall_ci_high),
    }


def _rows(agg, key: str) -> list[dict]:
    t = agg.table
    return [
        {key: int(k), "att": _num(a), "se": _num(s), "ci_low": _num(lo), "ci_high": _num(hi)}
        for k, a, s, lo, hi in zip(
            t.iloc[:, 0], t["att"], t["se"], t["ci_low"], t["ci_high"], strict=True
        )
    ]


def results_dict(res, simple, dynamic, group, calendar, notes: list[str] | None = None) -> dict:
    """The JSON document written by --json."""
    tab = res.att_gt
    weighted = "weight_treated" in tab.columns
    rows = []
    for r in tab.itertuples(index=False):
        row = {
            "group": int(r.group),
            "time": int(r.time),
            "att": _num(r.att),
            "se": _num(r.se),
            "ci_low": _num(r.ci_low),
            "ci_high": _num(r.ci_high),
            "n_treated": int(r.n_treated),
            "n_comparison": int(r.n_comparison),
        }
        if weighted:
            row["weight_treated"] = _num(r.weight_treated)
            row["weight_comparison"] = _num(r.weight_comparison)
        rows.append(row)
    return {
        "att_gt": rows,
        "aggregations": {
            "simple": _overall(simple),
            "dynamic": {
                "overall": _overall(dynamic),
                "crit_val": _num(dynamic.crit_val),
                "by_event_time": _rows(dynamic, "event_time"),
            },
            "group": {
                "overall": _overall(group),
                "crit_val": _num(group.crit_val),
                "by_group": _rows(group, "group"),
            },
            "calendar": {
                "overall": _overall(calendar),
                "crit_val": _num(calendar.crit_val),
                "by_time": _rows(calendar, "time"),
            },
        },
        "settings": {
            "control": res.control,
            "anticipation": res.anticipation,
            "base_period": res.base_period,
            "est_method": res.est_method,
            "covariates": list(res.covariates),
            "weights": res.weights,
            "cluster": res.cluster,
            "bootstrap": res.bootstrap,
            "iterations": res.biters if (res.bootstrap or res.cband) else None,
            "seed": res.seed,
            "uniform_bands": res.cband,
            "alpha": res.alpha,
            "min_e": dynamic.min_e,
            "max_e": dynamic.max_e,
            "balance_e": dynamic.balance_e,
        },
        "n_units": res.n_units,
        "warnings": list(notes or []),
    }


def run(args: argparse.Namespace) -> int:
    """Run the estimation for parsed `args` (see pipelines/cli.py); returns the exit code."""
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
                covariates=args.covariates,
                est_method=args.est_method,
                weights=args.weights,
                cluster=args.cluster,
                allow_unbalanced_panel=args.allow_unbalanced_panel,
                bootstrap=args.bootstrap,
                cband=args.uniform_bands,
                biters=args.iterations,
                seed=args.seed,
            )
            window = {"min_e": args.min_e, "max_e": args.max_e, "balance_e": args.balance_e}
            simple = aggte(res, "simple", max_e=args.max_e)
            dynamic = aggte(res, "dynamic", **window)
            group = aggte(res, "group", max_e=args.max_e)
            calendar = aggte(res, "calendar")
        except (DiDInputError, ValueError, KeyError, OSError, *polars_errors) as exc:
            _flush_warnings(caught)
            msg = " ".join(str(exc).split()) or type(exc).__name__
            print(f"error: {msg}", file=sys.stderr)
            return 2
    notes = _flush_warnings(caught)
    print(res.summary())
    for agg in (simple, dynamic, group, calendar):
        print(agg.summary())
    if args.json:
        doc = results_dict(res, simple, dynamic, group, calendar, notes)
        try:
            Path(args.json).write_text(json.dumps(doc, indent=2) + "\n")
        except OSError as exc:
            print(f"error: cannot write {args.json}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        print(f"wrote {args.json}")
    return 0


def _flush_warnings(caught: list) -> list[str]:
    out = []
    for w in caught:
        msg = " ".join(str(w.message).split())
        out.append(msg)
        print(f"warning: {msg}", file=sys.stderr)
    return out
