"""Run the whole pipeline in-process with concise progress, and describe the result."""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.definitions import build_definitions, working_copy_path

Echo = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass
class _Progress:
    echo: Echo
    total: int
    started: dict[str, float] = field(default_factory=dict)
    done: int = 0
    checks: int = 0
    failures: list[str] = field(default_factory=list)
    observer: Callable[[str, str, float], None] | None = None
    failed_checks: list[str] = field(default_factory=list)


def _innermost_message(error) -> str:
    """The user's own error message from a Dagster SerializableErrorInfo chain."""
    chain = []
    while error is not None:
        chain.append(error)
        error = error.cause
    for err in reversed(chain):
        if err.cls_name and err.cls_name not in ("DagsterExecutionStepExecutionError",):
            return re.sub(r"^[\w.]*" + re.escape(err.cls_name) + r":\s*", "", err.message.strip())
    return chain[0].message.strip() if chain else "unknown error"


def _progress_logger(progress: _Progress) -> dg.LoggerDefinition:
    @dg.logger
    def progress_logger(_init_context):
        log = logging.Logger("arbeidstrening.progress", level=logging.DEBUG)

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                meta = getattr(record, "dagster_meta", None)
                event = meta.get("dagster_event") if isinstance(meta, dict) else None
                if event is None:
                    text = meta.get("orig_message", "") if isinstance(meta, dict) else ""
                    if record.levelno >= logging.WARNING and "Not executing" not in text:
                        progress.echo(
                            f"    ! {meta.get('orig_message', '') if isinstance(meta, dict) else record.getMessage()}"
                        )
                    return
                kind, step = event.event_type_value, event.step_key
                if kind == "STEP_START":
                    progress.started[step] = time.perf_counter()
                    if progress.observer:
                        progress.observer("start", step, 0.0)
                elif kind == "ASSET_MATERIALIZATION":
                    progress.done += 1
                    key = event.event_specific_data.materialization.asset_key.to_user_string()
                    seconds = time.perf_counter() - progress.started.get(step, time.perf_counter())
                    progress.echo(
                        f"  [{progress.done:>2}/{progress.total}] {key:<44} {seconds:7.1f} s"
                    )
                    if progress.observer:
                        progress.observer("asset", key, seconds)
                elif kind == "STEP_FAILURE":
                    message = _innermost_message(event.event_specific_data.error)
                    progress.failures.append(message)
                    progress.echo(f"  FAILED {step.replace('__', '/')}: {message}")
                elif kind == "ASSET_CHECK_EVALUATION":
                    evaluation = event.event_specific_data
                    progress.checks += 1
                    if not evaluation.passed:
                        name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                        progress.failed_checks.append(name)
                        details = {
                            k: getattr(v, "value", v)
                            for k, v in (evaluation.metadata or {}).items()
                        }
                        progress.echo(f"  CHECK FAILED {name} {details}")

        log.addHandler(Handler())
        return log

    return progress_logger


@dataclass
class RunOutcome:
    success: bool
    warehouse: Path
    seconds: float
    errors: list[str]


def run_pipeline(
    input_dir: str | Path,
    warehouse: str | Path,
    *,
    observation_start: str | None = None,
    observation_end: str | None = None,
    employment_threshold_nok: int | None = None,
    memory_limit: str = "12GB",
    threads: int = 2,
    echo: Echo = _stderr,
    keep_failed: bool = False,
    observer: Callable[[str, str, float], None] | None = None,
    report_dir: str | Path = "reports/output",
    report_languages: tuple[str, ...] = ("nb", "en"),
    with_report: bool = True,
    with_effects: bool = True,
    cost_parameters: str | Path | None = None,
    cost_horizon_months: int = 36,
) -> RunOutcome:
    """Materialize every asset into a fresh working copy and publish it to `warehouse`.

    On failure the working copy is removed (unless keep_failed) and the previously published
    warehouse, if any, is left exactly as it was. `observer(kind, name, seconds)` is called at
    each step start ("start", step key) and asset materialization ("asset", asset key, seconds).
    """
    warehouse = Path(warehouse).resolve()
    building = Path(working_copy_path(str(warehouse)))
    _remove_working_copy(building)
    defs = build_definitions(
        input_dir=str(Path(input_dir).resolve()),
        warehouse=str(warehouse),
        observation_start=observation_start,
        observation_end=observation_end,
        employment_threshold_nok=employment_threshold_nok,
        memory_limit=memory_limit,
        threads=threads,
        report_dir=str(Path(report_dir).resolve()),
        report_languages=tuple(report_languages),
        with_report=with_report,
        with_effects=with_effects,
        cost_parameters=str(Path(cost_parameters).resolve()) if cost_parameters else None,
        cost_horizon_months=cost_horizon_months,
    )
    job = defs.resolve_implicit_global_asset_job_def()
    graph = defs.resolve_asset_graph()
    total = len(graph.materializable_asset_keys)
    progress = _Progress(echo=echo, total=total, observer=observer)
    job = job.with_logger_defs({"progress": _progress_logger(progress)})
    echo(
        f"Building warehouse from {input_dir}: {total} assets, {len(graph.asset_check_keys)} checks"
    )
    t0 = time.perf_counter()
    result = job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        run_config={"loggers": {"progress": {}}},
        raise_on_error=False,
    )
    seconds = time.perf_counter() - t0
    errors = progress.failures + [f"blocking check failed: {c}" for c in progress.failed_checks]
    if result.success and not errors:
        echo(f"  all {progress.checks} checks passed")
        _remove_working_copy(building)
        return RunOutcome(True, warehouse, seconds, [])
    if not keep_failed:
        _remove_working_copy(building)
    if not errors:
        errors = ["the run did not complete (see messages above)"]
    return RunOutcome(False, warehouse, seconds, errors)


def _remove_working_copy(building: Path) -> None:
    for suffix in ("", ".wal", ".tmp"):
        p = Path(str(building) + suffix)
        if p.is_dir():
            import shutil

            shutil.rmtree(p, ignore_errors=True)
        elif p.exists():
            p.unlink()


def describe_warehouse(path: str | Path) -> str:
    """A readable summary of what a published warehouse holds (no row-level data)."""
    path = Path(path)
    con = duckdb.connect(str(path), read_only=True)
    try:
        lines = [f"Warehouse: {path} ({path.stat().st_size / 1e6:,.1f} MB)"]
        window = con.execute(
            "SELECT observation_start, observation_end, source FROM meta.observation_window"
        ).fetchone()
        lines.append(f"Observation window: {window[0]} to {window[1]} (from {window[2]})")
        lines.append("Ingestion (rows in = accepted + rejected):")
        for name, rows_in, acc, rej in con.execute(
            "SELECT table_name, rows_in, rows_accepted, rows_rejected FROM meta.ingest_summary ORDER BY table_name"
        ).fetchall():
            lines.append(f"  {name:<24} {rows_in:>12,} in {acc:>12,} accepted {rej:>9,} rejected")
        lines.append("Tables:")
        for schema, table, rows, comment in con.execute(
            """
            SELECT schema_name, table_name, estimated_size, comment FROM duckdb_tables()
            WHERE schema_name IN ('staging', 'panel', 'marts', 'meta')
            ORDER BY CASE schema_name WHEN 'staging' THEN 1 WHEN 'panel' THEN 2 WHEN 'marts' THEN 3 ELSE 4 END, table_name
            """
        ).fetchall():
            short = (comment or "").split(";")[0][:70]
            lines.append(f"  {schema + '.' + table:<40} {rows:>12,} rows  {short}")
        return "\n".join(lines)
    finally:
        con.close()
