"""The run's colophon and the publication of the finished warehouse (the very last step)."""

from pathlib import Path

import dagster as dg

from analysis.settings import PlausibilityGates, RunSettings
from analysis.warehouse import code_version, input_fingerprint, write_run_info
from analysis.warehouse.checks import invalid_counts
from pipelines.errors import safe_step
from pipelines.resources import (
    AnalysisSettingsResource,
    RegisterInputResource,
    ReportResource,
    WarehouseResource,
)

RUN_INFO_KEY = dg.AssetKey(["meta", "run_info"])
PUBLISHED_KEY = dg.AssetKey(["published_warehouse"])


def make_run_info_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=RUN_INFO_KEY,
        deps=upstream,
        # its own group: the graph reads ... start_here -> meta -> protected -> report -> publish
        group_name="meta",
        kinds={"duckdb"},
        description=(
            "Colophon of the run (meta.run_info): input fingerprint, observation window, "
            "synthetic or real input (with the generator's scale and seed), settings, code "
            "version, time."
        ),
    )
    @safe_step
    def run_info(
        warehouse: WarehouseResource,
        register: RegisterInputResource,
        settings: AnalysisSettingsResource,
    ) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            start, end, source = con.execute(
                "SELECT observation_start, observation_end, source FROM meta.observation_window"
            ).fetchone()
            extract = dict(con.execute("SELECT key, value FROM meta.extract").fetchall())
            extract.pop("extract_json", None)
            info = write_run_info(
                con,
                {
                    "input_dir": str(Path(register.input_dir).absolute()),
                    "input_fingerprint": input_fingerprint(con),
                    "observation_start": start.isoformat(),
                    "observation_end": end.isoformat(),
                    "observation_window_source": source,
                    **extract,
                    **RunSettings(
                        employment_threshold_nok=settings.employment_threshold_nok,
                        gates=PlausibilityGates(
                            register.max_reject_share, dict(register.min_window_coverage)
                        ),
                    ).run_info(),
                    "code_version": code_version(),
                },
            )
        return dg.MaterializeResult(metadata={k: v for k, v in info.items() if k != "input_dir"})

    return run_info


@dg.asset_check(
    asset=RUN_INFO_KEY,
    name="mart_counts_are_non_negative_integers",
    blocking=True,
    description=(
        "Every count column (n, n_*) of every table in marts, the effect and cost tables included, "
        "is of an integer type and holds a non-negative integer in every row."
    ),
)
@safe_step
def mart_counts_valid(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        problems = invalid_counts(con, "marts")
    return dg.AssetCheckResult(
        passed=not problems,
        description="; ".join(f"{k}: {v}" for k, v in problems.items()) or None,
        metadata={"problems": dg.MetadataValue.json(problems)},
    )


def make_publish_asset(upstream: list[dg.AssetKey], with_report: bool) -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLISHED_KEY,
        deps=upstream,
        group_name="publish",
        kinds={"duckdb"},
        description=(
            "Publishes the run, its very last step: the report written in this run is swapped "
            "into its directory, then the working copy is renamed over the warehouse analysts "
            "open read-only. Runs only when every upstream asset and blocking check passed."
        ),
    )
    @safe_step
    def published_warehouse(
        warehouse: WarehouseResource, report: ReportResource
    ) -> dg.MaterializeResult:
        # a report staged by this run (or the note of a run without one) is swapped in first
        target = warehouse.publish(report.staging(warehouse))
        metadata = {"path": str(target), "bytes": dg.MetadataValue.int(target.stat().st_size)}
        if with_report:
            metadata["report_dir"] = str(Path(report.out_dir).absolute())
        return dg.MaterializeResult(metadata=metadata)

    return published_warehouse
