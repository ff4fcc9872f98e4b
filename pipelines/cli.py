"""The `arbeidstrening` command-line tool."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipelines.defaults import DEFAULT_INPUT_DIR, DEFAULT_WAREHOUSE


def _add_run(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="ingest an input directory, validate it, build the panel and marts, publish the warehouse",
        description="Run the whole pipeline on a directory that follows the input contract (docs/CONTRACT.md).",
    )
    p.add_argument(
        "--input", default=DEFAULT_INPUT_DIR, help=f"input directory (default {DEFAULT_INPUT_DIR})"
    )
    p.add_argument(
        "--warehouse",
        default=DEFAULT_WAREHOUSE,
        help=f"DuckDB file to publish (default {DEFAULT_WAREHOUSE})",
    )
    p.add_argument("--observation-start", help="override the window start (YYYY-MM-DD)")
    p.add_argument("--observation-end", help="override the window end (YYYY-MM-DD)")
    p.add_argument(
        "--employment-threshold", type=int, help="NOK per month counted as employed (default 5000)"
    )
    p.add_argument("--memory-limit", default="12GB", help="DuckDB memory limit (default 12GB)")
    p.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2)")
    p.add_argument(
        "--keep-failed", action="store_true", help="keep the working copy when the run fails"
    )
    p.add_argument(
        "--report-dir",
        default="reports/output",
        help="where the report goes (default reports/output)",
    )
    p.add_argument(
        "--no-report", action="store_true", help="publish the warehouse but write no report"
    )
    p.add_argument(
        "--no-effects",
        action="store_true",
        help="descriptive warehouse only: skip effects, cost-effectiveness and the report",
    )
    p.add_argument(
        "--cost-parameters", help="TOML file overriding analysis/costs/parameters.toml key by key"
    )
    p.add_argument(
        "--cost-horizon",
        type=int,
        default=36,
        help="months from start valued in the cost analysis (default 36)",
    )


def _cmd_run(args: argparse.Namespace) -> int:
    from pipelines.runner import describe_warehouse, run_pipeline

    outcome = run_pipeline(
        args.input,
        args.warehouse,
        observation_start=args.observation_start,
        observation_end=args.observation_end,
        employment_threshold_nok=args.employment_threshold,
        memory_limit=args.memory_limit,
        threads=args.threads,
        keep_failed=args.keep_failed,
        report_dir=args.report_dir,
        with_report=not (args.no_report or args.no_effects),
        with_effects=not args.no_effects,
        cost_parameters=args.cost_parameters,
        cost_horizon_months=args.cost_horizon,
    )
    if not outcome.success:
        for message in outcome.errors:
            print(f"error: {message}", file=sys.stderr)
        previous = (
            "the previous warehouse is unchanged"
            if outcome.warehouse.exists()
            else "no warehouse was written"
        )
        print(f"Run failed after {outcome.seconds:.0f} s; {previous}.", file=sys.stderr)
        return 1
    print(f"Run finished in {outcome.seconds:.0f} s.")
    print(describe_warehouse(outcome.warehouse))
    if not (args.no_report or args.no_effects):
        print(
            f"Report: {Path(args.report_dir) / 'rapport.pdf'} and rapport.html (English: report.pdf, report.html)"
        )
    return 0


def _add_generate(sub: argparse._SubParsersAction) -> None:
    from analysis.synthetic.params import DEFAULT_PRESET, PRESETS

    p = sub.add_parser(
        "generate",
        help="write a synthetic register (input contract + truth.json) with planted effects",
        description="Write a synthetic register calibrated to the published figures, with known planted effects.",
    )
    p.add_argument(
        "--out", default=DEFAULT_INPUT_DIR, help=f"output directory (default {DEFAULT_INPUT_DIR})"
    )
    p.add_argument(
        "--scale",
        type=float,
        default=None,
        help="population scale; 1.0 = full size (default: the quick default)",
    )
    p.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    p.add_argument(
        "--format",
        choices=("parquet", "csv"),
        default="parquet",
        help="file format (default parquet)",
    )
    p.add_argument(
        "--preset",
        choices=tuple(PRESETS),
        default=DEFAULT_PRESET,
        help=f"synthetic world (default {DEFAULT_PRESET}): hard = the pre-programme dip, age "
        "profile, registration and benefits that respond to work, attrition, heterogeneous "
        "effects; easy = none of them (docs/SYNTHETIC.md)",
    )
    p.add_argument(
        "--if-missing",
        action="store_true",
        help="do nothing if the directory already holds a register",
    )


def _cmd_generate(args: argparse.Namespace) -> int:
    from analysis.synthetic import DEFAULT_SCALE, generate_register

    out = Path(args.out)
    scale = DEFAULT_SCALE if args.scale is None else args.scale
    if scale <= 0:
        print("error: --scale must be positive", file=sys.stderr)
        return 2
    if args.if_missing and any(out.glob("persons.*")):
        wanted = {"synthetic": True, "preset": args.preset, "scale": scale, "seed": args.seed}
        try:
            have = json.loads((out / "extract.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            have = {}
        if all(have.get(k) == v for k, v in wanted.items()):
            print(f"Synthetic register already present in {out}; not regenerating.")
            return 0
        if not (have.get("synthetic") or (out / "truth.json").exists()):
            print(
                f"error: {out} holds a register that is not synthetic; not overwriting it.",
                file=sys.stderr,
            )
            return 2
        print(f"The register in {out} is another world ({have.get('preset', 'easy, older')}, "
              f"scale {have.get('scale')}, seed {have.get('seed')}); regenerating.")  # fmt: skip
    print(
        f"Generating synthetic register ({args.preset} world): scale {scale}, seed {args.seed}, "
        f"into {out}",
        flush=True,
    )
    summary = generate_register(
        out,
        scale=scale,
        seed=args.seed,
        fmt=args.format,
        progress=lambda m: print(f"  {m}", flush=True),
        preset=args.preset,
    )
    rows = summary.get("rows", {})
    for table, n in rows.items():
        print(f"  {table:<24} {n:>12,} rows")
    print(f"Done in {summary.get('seconds', 0):.0f} s. Planted effects: {out / 'truth.json'}")
    return 0


def _add_info(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="describe a published warehouse")
    p.add_argument("--warehouse", default=DEFAULT_WAREHOUSE)


def _cmd_info(args: argparse.Namespace) -> int:
    from pipelines.runner import describe_warehouse

    if not Path(args.warehouse).exists():
        print(f"error: no warehouse at {args.warehouse}", file=sys.stderr)
        return 2
    print(describe_warehouse(args.warehouse))
    return 0


def _add_sql(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sql",
        help="run a query against the published warehouse (read-only)",
        description=(
            "Run a SQL query against the published warehouse, opened read-only so the pipeline is "
            "never locked out. Prints a table, or writes CSV/Parquet with --out. Results are exact "
            "register counts: apply disclosure control before anything leaves the secure environment."
        ),
    )
    p.add_argument("query", help='SQL, e.g. "FROM marts.participants_monthly LIMIT 5"')
    p.add_argument("--warehouse", default=DEFAULT_WAREHOUSE)
    p.add_argument(
        "--out", help="write the result to this .csv or .parquet file instead of printing"
    )
    p.add_argument("--max-rows", type=int, default=40, help="rows to print (default 40)")


def _cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    if not Path(args.warehouse).exists():
        print(
            f"error: no warehouse at {args.warehouse} (run `arbeidstrening run` first)",
            file=sys.stderr,
        )
        return 2
    con = duckdb.connect(args.warehouse, read_only=True)
    try:
        try:
            rel = con.sql(args.query)
        except duckdb.Error as exc:
            print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
            return 2
        if rel is None:
            return 0
        if args.out:
            out = Path(args.out)
            if out.suffix.lower() == ".csv":
                rel.write_csv(str(out))
            elif out.suffix.lower() == ".parquet":
                rel.write_parquet(str(out))
            else:
                print("error: --out must end in .csv or .parquet", file=sys.stderr)
                return 2
            n = con.execute(
                f"SELECT count(*) FROM read_{out.suffix.lower()[1:]}(?)", [str(out)]
            ).fetchone()[0]
            print(f"{n:,} rows written to {out}")
        else:
            rel.show(max_rows=args.max_rows, max_width=160)
        return 0
    finally:
        con.close()


def _add_report(sub: argparse._SubParsersAction) -> None:
    from analysis.report import add_arguments

    p = sub.add_parser(
        "report",
        help="write rapport.html and rapport.pdf (bokmål; --lang en for English) from a warehouse",
        description="Write the report for the directorate from a published warehouse, with disclosure control.",
    )
    add_arguments(p)


def _cmd_report(args: argparse.Namespace) -> int:
    from analysis.report import run

    return run(args)


def _add_did(sub: argparse._SubParsersAction) -> None:
    from analysis.did import cli as did_cli

    p = sub.add_parser(
        "did",
        help="staggered difference-in-differences (Callaway & Sant'Anna) on any panel file",
        description="Group-time average treatment effects and their aggregations on a CSV or Parquet panel.",
    )
    did_cli.add_arguments(p)


def _cmd_did(args: argparse.Namespace) -> int:
    from analysis.did import cli as did_cli

    return did_cli.run(args)


COMMANDS = {
    "run": (_add_run, _cmd_run),
    "generate": (_add_generate, _cmd_generate),
    "info": (_add_info, _cmd_info),
    "sql": (_add_sql, _cmd_sql),
    "report": (_add_report, _cmd_report),
    "did": (_add_did, _cmd_did),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="arbeidstrening",
        description="Quantitative evaluation of Arbeidstrening: register data to warehouse, results and reports.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add, _ in COMMANDS.values():
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return COMMANDS[args.command][1](args)


if __name__ == "__main__":
    sys.exit(main())
