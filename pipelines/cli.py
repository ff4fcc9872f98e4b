"""The `arbeidstrening` command-line tool."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from analysis.design import COST_HORIZON_MONTHS
from analysis.settings import DEFAULT_MEMORY_LIMIT, default_threads
from pipelines.defaults import DEFAULT_INPUT_DIR, DEFAULT_REPORT_DIR, DEFAULT_WAREHOUSE


def _threshold(text: str) -> int:
    from analysis.settings import check_employment_threshold

    try:
        return check_employment_threshold(int(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"a whole number of at least 0, got {text!r}")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a share between 0 and 1: {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"not a share between 0 and 1: {text!r}")
    return value


def _table_share(text: str) -> tuple[str, float]:
    from analysis.contract import TABLES_BY_NAME

    table, sep, share = text.partition("=")
    if not sep or table not in TABLES_BY_NAME:
        raise argparse.ArgumentTypeError(
            f"expected TABLE=SHARE with a contract table, e.g. employment_months=0.95; got {text!r}"
        )
    return table, _share(share)


def _add_run(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="ingest an input directory, validate it, build the panel and marts, publish the warehouse",
        description=(
            "Run the whole pipeline on a directory that follows the input contract "
            "(docs/CONTRACT.md). Nothing is published unless every check passed; the previous "
            "warehouse and report stay as they were when a run fails."
        ),
    )
    p.add_argument(
        "--input", default=DEFAULT_INPUT_DIR, help=f"input directory (default {DEFAULT_INPUT_DIR})"
    )
    p.add_argument(
        "--warehouse",
        default=DEFAULT_WAREHOUSE,
        help=f"DuckDB file to publish (default {DEFAULT_WAREHOUSE}); not inside the input",
    )
    p.add_argument("--observation-start", help="override the window start (YYYY-MM-DD)")
    p.add_argument("--observation-end", help="override the window end (YYYY-MM-DD)")
    p.add_argument(
        "--employment-threshold",
        type=_threshold,
        help="NOK per month counted as employed, a whole number from 1 to 1,000,000 (default 5000)",
    )
    p.add_argument(
        "--max-reject-share",
        type=_share,
        help="largest share of rejected rows a table may have (default 0.05)",
    )
    p.add_argument(
        "--min-window-coverage",
        type=_table_share,
        action="append",
        metavar="TABLE=SHARE",
        help=(
            "least share of the window's months a table must cover (repeatable; defaults in "
            "analysis/settings.py: employment_months=1.0, spell tables 0.9)"
        ),
    )
    p.add_argument(
        "--memory-limit",
        default=DEFAULT_MEMORY_LIMIT,
        help=f"DuckDB memory limit (default {DEFAULT_MEMORY_LIMIT})",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help=f"DuckDB threads (default: every core this process may use, here {default_threads()})",
    )
    p.add_argument(
        "--workers",
        type=_workers,
        default=None,
        help=(
            "worker processes for the effects parts, which then run side by side while the other "
            "steps go on in this process; 0: every step in this process (default: as many as "
            "--threads when the input is large enough for them to pay off, see docs/SCALING.md)"
        ),
    )
    p.add_argument(
        "--keep-failed", action="store_true", help="keep the working copy when the run fails"
    )
    p.add_argument(
        "--report-dir",
        default=None,
        help=(
            f"where the report is published, replaced as a whole (default {DEFAULT_REPORT_DIR} "
            "for the default warehouse, else beside the warehouse: /x/at.duckdb -> /x/at-report)"
        ),
    )
    p.add_argument(
        "--no-report",
        action="store_true",
        help="publish the warehouse but write no report (a report of an earlier run in the "
        "report directory is replaced by a note saying so)",
    )
    p.add_argument(
        "--no-effects",
        action="store_true",
        help="descriptive warehouse only: skip effects, cost-effectiveness and the report (as "
        "--no-report, an earlier report is replaced by a note)",
    )
    p.add_argument(
        "--cost-parameters", help="TOML file overriding analysis/costs/parameters.toml key by key"
    )
    p.add_argument(
        "--cost-horizon",
        type=int,
        default=COST_HORIZON_MONTHS,
        help=f"months from start valued in the cost analysis (default {COST_HORIZON_MONTHS})",
    )


def _cmd_run(args: argparse.Namespace) -> int:
    from analysis.settings import DEFAULT_MIN_WINDOW_COVERAGE
    from pipelines.instance import project_instance
    from pipelines.runner import describe_warehouse, run_pipeline

    coverage = None
    if args.min_window_coverage:
        coverage = dict(DEFAULT_MIN_WINDOW_COVERAGE) | dict(args.min_window_coverage)
    with_report = not (args.no_report or args.no_effects)
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
        with_report=with_report,
        with_effects=not args.no_effects,
        cost_parameters=args.cost_parameters,
        cost_horizon_months=args.cost_horizon,
        max_reject_share=args.max_reject_share,
        min_window_coverage=coverage,
        instance=project_instance,  # opened once the paths are checked
        workers=args.workers,
    )
    if not outcome.success:
        if not outcome.errors_echoed:  # each error once: those of steps were printed as they came
            for message in outcome.errors:
                print(f"error: {message}", file=sys.stderr)
        print(
            f"Run failed after {outcome.seconds:.0f} s; {outcome.state_of_warehouse()}.",
            file=sys.stderr,
        )
        return 1
    print(f"Run finished in {outcome.seconds:.0f} s.")
    print(describe_warehouse(outcome.warehouse))
    if outcome.report_dir:
        print(
            f"Report: {outcome.report_dir / 'rapport.pdf'} and rapport.html "
            "(English: report.pdf, report.html)"
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
    from analysis.warehouse import WarehouseError, describe_warehouse

    try:
        print(describe_warehouse(args.warehouse))
    except WarehouseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _add_describe(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "describe",
        help="a table or view with its columns, types and comments (like psql's \\d)",
        description=(
            "Describe a table or view of the published warehouse: what it holds (its comment), "
            "its rows, and every column with its type and comment. Without a name, list every "
            "table and view with the first sentence of its comment; begin with the start_here "
            "views."
        ),
    )
    p.add_argument(
        "table", nargs="?", help="schema.table or a table name, e.g. start_here.work_after_exit"
    )
    p.add_argument("--warehouse", default=DEFAULT_WAREHOUSE)


def _cmd_describe(args: argparse.Namespace) -> int:
    from analysis.warehouse import (
        WarehouseError,
        connect_for_user_queries,
        describe_listing,
        describe_relation,
    )

    try:
        with connect_for_user_queries(args.warehouse) as con:
            if args.table:
                print(describe_relation(con, args.table))
            else:
                print(describe_listing(con))
    except WarehouseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _add_sql(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sql",
        help="run a query against the published warehouse (read-only, no file access)",
        description=(
            "Run a SQL query against the published warehouse, opened read-only and locked down: "
            "no file system or network access (no COPY, ATTACH, EXPORT, INSTALL/LOAD, read_csv "
            "of other files), and that cannot be switched back on. Prints a table, or writes "
            "CSV/Parquet with --out (never to the warehouse or into the input). Results are exact "
            "register counts: apply disclosure control before anything leaves the secure "
            "environment."
        ),
    )
    p.add_argument("query", help='SQL, e.g. "FROM marts.participants_monthly LIMIT 5"')
    p.add_argument("--warehouse", default=DEFAULT_WAREHOUSE)
    p.add_argument(
        "--out", help="write the result to this .csv or .parquet file instead of printing"
    )
    p.add_argument("--max-rows", type=int, default=40, help="rows to print (default 40)")
    shape = p.add_mutually_exclusive_group()
    shape.add_argument(
        "--wide",
        action="store_true",
        help="print every column in full, however wide (default: fit the terminal)",
    )
    shape.add_argument(
        "--vertical",
        action="store_true",
        help="print each row as 'column | value' lines, e.g. for comments: "
        "arbeidstrening sql --vertical \"FROM duckdb_columns() WHERE table_name = 'transitions'\"",
    )


def _print_vertical(rel, max_rows: int) -> None:
    """Each row as one block of `column | value` lines (psql's expanded display)."""
    names = rel.columns
    width = max(len(n) for n in names)
    rows = rel.limit(max_rows + 1).fetchall()
    for i, row in enumerate(rows[:max_rows], start=1):
        print(f"-[ row {i} ]" + "-" * max(0, width - 6))
        for name, value in zip(names, row, strict=True):
            print(f"{name:<{width}} | {'NULL' if value is None else value}")
    if len(rows) > max_rows:
        print(f"(first {max_rows} rows; --max-rows shows more)")


def _refuse_out(out: Path, warehouse: Path, input_dir: str | None) -> str | None:
    """Why --out may not be written, or None."""
    import os

    from analysis.warehouse import WarehouseFiles, is_duckdb_file

    if out.suffix.lower() not in (".csv", ".parquet"):
        return "--out must end in .csv or .parquet"
    real = Path(os.path.realpath(out))
    files = WarehouseFiles.at(os.path.realpath(warehouse))
    if real in (files.published, *files.sidecars()):
        return f"--out {out} is the warehouse or one of its files"
    if input_dir:
        source = Path(os.path.realpath(input_dir))
        if real == source or source in real.parents:
            return f"--out {out} lies inside the input directory {input_dir}"
    if real.is_dir():
        return f"--out {out} is a directory"
    if real.exists() and is_duckdb_file(real):
        return f"--out {out} is a DuckDB database"
    return None


def _write_result(table, out: Path) -> None:
    """Write an Arrow table to CSV or Parquet atomically (temporary file, then rename)."""
    import os

    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        if out.suffix.lower() == ".csv":
            pacsv.write_csv(table, tmp)
        else:
            pq.write_table(table, tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def _cmd_sql(args: argparse.Namespace) -> int:
    from analysis.warehouse import WarehouseError, connect_for_user_queries

    warehouse = Path(args.warehouse)
    if not warehouse.is_file():
        print(
            f"error: no warehouse at {args.warehouse} (run `arbeidstrening run` first)",
            file=sys.stderr,
        )
        return 2
    try:
        with connect_for_user_queries(warehouse) as con:
            out = Path(args.out) if args.out else None
            if out is not None:
                info = dict(
                    con.execute(
                        "SELECT key, value FROM meta.run_info WHERE key = 'input_dir'"
                    ).fetchall()
                )
                refusal = _refuse_out(out, warehouse, info.get("input_dir"))
                if refusal:
                    print(f"error: {refusal}", file=sys.stderr)
                    return 2
            rel = con.sql(args.query)
            if rel is None:
                return 0
            if out is not None:
                table = rel.to_arrow_table()
                try:
                    _write_result(table, out)
                except OSError as exc:
                    print(f"error: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
                    return 2
                print(f"{table.num_rows:,} rows written to {out}")
            elif args.vertical:
                _print_vertical(rel, args.max_rows)
            elif args.wide:
                rel.show(max_rows=args.max_rows, max_width=10**6, max_col_width=10**6)
            else:
                width = shutil.get_terminal_size((160, 24)).columns
                rel.show(max_rows=args.max_rows, max_width=width)
                if len(rel.columns) > 6:  # DuckDB may have left some out ("N columns (M shown)")
                    print(
                        "(--wide prints every column in full, --vertical one value per line)",
                        file=sys.stderr,
                    )
    except WarehouseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _add_report(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write rapport.html and rapport.pdf (bokmål; --lang en for English) from a warehouse",
        description="Write the report for the directorate from a published warehouse, with disclosure control.",
    )
    p.add_argument(
        "--warehouse",
        default=DEFAULT_WAREHOUSE,
        help=f"published warehouse to read (read-only; default {DEFAULT_WAREHOUSE})",
    )
    p.add_argument(
        "--lang",
        choices=("nb", "en"),
        default="nb",
        help="nb: rapport.html/rapport.pdf/tabeller/ (default); en: report.html/report.pdf/tables/",
    )
    p.add_argument(
        "--out", default=DEFAULT_REPORT_DIR, help=f"output directory (default {DEFAULT_REPORT_DIR})"
    )
    p.add_argument(
        "--report-number",
        default=None,
        help="report number on the title page (default: derived from the data, AT2-YYYYMM-XXXXXX)",
    )


def _cmd_report(args: argparse.Namespace) -> int:
    """0 on success, 2 when the warehouse lacks what the report needs, 3 when the disclosure
    check fails."""
    from analysis.report import DisclosureError, ReportDataError, build_report

    try:
        res = build_report(
            Path(args.warehouse), Path(args.out), args.lang, report_number=args.report_number
        )
    except ReportDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DisclosureError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    n_sup = sum(res["suppressed"].values())
    print(f"Report written: {res['html']} and {res['pdf']}")
    print(f"Published tables ({len(res['tables'])} CSV files): {res['tables_dir']}")
    print(f"Cells suppressed for confidentiality: {n_sup}")
    if res["missing"]:
        print("Not available in this run: " + ", ".join(res["missing"]))
    return 0


def _add_compare(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="compare two warehouses (and report directories) table by table, value by value",
        description=(
            "Show that two runs gave the same results: every table of the compared schemas must "
            "hold the same columns and rows (stored order reported separately), and the report "
            "CSVs must be byte-identical (the colophon, which records the build, is left out). "
            "Exit 0 when identical, 1 when not."
        ),
    )
    p.add_argument("a", help="first warehouse file (opened read-only)")
    p.add_argument("b", help="second warehouse file (opened read-only)")
    p.add_argument(
        "--reports",
        nargs=2,
        metavar=("DIR_A", "DIR_B"),
        help="also compare the CSV tables of two report directories",
    )
    p.add_argument(
        "--schemas",
        nargs="+",
        default=None,
        help="schemas to compare (default: staging rejects panel marts protected)",
    )


def _cmd_compare(args: argparse.Namespace) -> int:
    from analysis.warehouse.compare import DEFAULT_SCHEMAS, compare_warehouses

    for path in (args.a, args.b):
        if not Path(path).is_file():
            print(f"error: no warehouse at {path}", file=sys.stderr)
            return EXIT_USAGE
    ra, rb = args.reports or (None, None)
    result = compare_warehouses(
        args.a, args.b, tuple(args.schemas or DEFAULT_SCHEMAS), report_a=ra, report_b=rb
    )
    print(result.summary())
    return EXIT_OK if result.identical else EXIT_FAILED


def _add_did(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "did",
        help="staggered difference-in-differences (Callaway & Sant'Anna) on any panel file",
        description=(
            "Group-time average treatment effects ATT(g,t) and their simple, dynamic, group and "
            "calendar aggregations on a CSV or Parquet panel, as R did's att_gt/aggte "
            "(see analysis/did/README.md for every option, its R name and the differences)."
        ),
    )
    p.add_argument("--data", required=True, help="input panel, .csv or .parquet (long format)")
    p.add_argument("--unit", required=True, help="unit id column (R: idname)")
    p.add_argument("--time", required=True, help="integer time period column (R: tname)")
    p.add_argument(
        "--cohort",
        required=True,
        help="first treated period column, 0 = never treated (R: gname)",
    )
    p.add_argument("--outcome", required=True, help="outcome column (R: yname)")
    p.add_argument(
        "--control",
        choices=("nevertreated", "notyettreated"),
        default="nevertreated",
        help="comparison group (R: control_group; default nevertreated)",
    )
    p.add_argument("--anticipation", type=int, default=0, help="anticipation periods (default 0)")
    p.add_argument(
        "--base-period",
        choices=("varying", "universal"),
        default="varying",
        help="base period (R: base_period; default varying)",
    )
    p.add_argument(
        "--covariates",
        nargs="+",
        metavar="COL",
        default=None,
        help="covariate columns; an intercept is added (R: xformla = ~ COL + ...)",
    )
    p.add_argument(
        "--est-method",
        choices=("dr", "ipw", "reg"),
        default="dr",
        help="2x2 estimator with covariates (R: est_method; default dr)",
    )
    p.add_argument("--weights", metavar="COL", help="sampling-weight column (R: weightsname)")
    p.add_argument(
        "--cluster", metavar="COL", help="cluster column above the unit (R: clustervars)"
    )
    p.add_argument(
        "--allow-unbalanced-panel",
        action="store_true",
        help="keep units not observed in every period (default: drop them, as R did)",
    )
    p.add_argument(
        "--bootstrap",
        action="store_true",
        help="multiplier-bootstrap standard errors (R: bstrap = TRUE; default analytic)",
    )
    p.add_argument(
        "--iterations", type=int, default=1000, help="bootstrap draws (R: biters; default 1000)"
    )
    p.add_argument("--seed", type=int, default=None, help="seed for the bootstrap draws")
    p.add_argument(
        "--uniform-bands",
        action="store_true",
        help="simultaneous confidence bands from the bootstrap (R: cband = TRUE)",
    )
    p.add_argument("--min-e", type=float, default=None, help="earliest event time (R: min_e)")
    p.add_argument("--max-e", type=float, default=None, help="latest event time (R: max_e)")
    p.add_argument(
        "--balance-e",
        type=int,
        default=None,
        help="balance the event study over cohorts seen this long after treatment (R: balance_e)",
    )
    p.add_argument(
        "--alpha", type=float, default=0.05, help="significance level (R: alp; default 0.05)"
    )
    p.add_argument("--json", metavar="OUT", help="also write the results as JSON to OUT")


def _cmd_did(args: argparse.Namespace) -> int:
    from analysis.did import cli as did_cli

    return did_cli.run(args)


COMMANDS = {
    "run": (_add_run, _cmd_run),
    "generate": (_add_generate, _cmd_generate),
    "info": (_add_info, _cmd_info),
    "sql": (_add_sql, _cmd_sql),
    "describe": (_add_describe, _cmd_describe),
    "report": (_add_report, _cmd_report),
    "did": (_add_did, _cmd_did),
    "compare": (_add_compare, _cmd_compare),
}


class _VersionAction(argparse.Action):
    """--version without importing the pipeline (only the package metadata and git)."""

    def __init__(self, option_strings, dest, **kwargs):
        kwargs.pop("nargs", None)
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        from analysis.warehouse import code_version

        print(f"arbeidstrening {code_version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="arbeidstrening",
        description="Quantitative evaluation of Arbeidstrening: register data to warehouse, results and reports.",
        epilog=EXIT_CODES,
    )
    parser.add_argument(
        "--version", action=_VersionAction, help="print the version (and git commit) and exit"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add, _ in COMMANDS.values():
        add(sub)
    return parser


# Exit codes (README, "Command-line tool"; `arbeidstrening --help`).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_CODES = (
    "exit codes: 0 success; 1 the run or command failed (the message says why, nothing was "
    "published); 2 a usage error (bad option, missing warehouse or file, a refused path, a query "
    "DuckDB rejects); 130 interrupted (Ctrl-C)"
)


def _unexpected(exc: BaseException) -> int:
    """One line for an error no command handled: a file-system error names its path; anything
    else its class and first line, values masked (a traceback with ARBEIDSTRENING_DEBUG=1)."""
    import os

    if os.environ.get("ARBEIDSTRENING_DEBUG"):
        raise exc
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror}{where}", file=sys.stderr)
        return EXIT_FAILED
    from analysis.warehouse.errors import describe_unexpected_error

    print(
        f"error: {describe_unexpected_error(exc)} "
        "(unexpected; ARBEIDSTRENING_DEBUG=1 shows where it happened)",
        file=sys.stderr,
    )
    return EXIT_FAILED


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command][1](args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - one message per failure, never a traceback
        return _unexpected(exc)


if __name__ == "__main__":
    sys.exit(main())
