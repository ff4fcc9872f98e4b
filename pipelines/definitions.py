"""Dagster definitions for the Arbeidstrening evaluation pipeline.

`dagster dev` loads `defs` from here (see pyproject's [tool.dagster]); the command-line tool
builds the same definitions with explicit paths via `build_definitions`.
The graph reads left to right, and nothing is published that a check has not passed:

raw -> staging (gates) -> observation window (coverage gates) -> panel -> marts -> effects ->
cost-effectiveness -> run info -> protected (outbound) tables and their disclosure check ->
report (written to staging) -> published_warehouse (report swapped in, warehouse renamed: last).

Every asset and check reads and writes the working copy; only `published_warehouse` touches the
published file.
"""

import os

import dagster as dg

from analysis.settings import (
    DEFAULT_EMPLOYMENT_THRESHOLD_NOK,
    DEFAULT_MAX_REJECT_SHARE,
    DEFAULT_MIN_WINDOW_COVERAGE,
)
from analysis.warehouse import WarehouseFiles
from pipelines.assets import report as report_assets
from pipelines.assets.effects import EFFECT_ASSETS, EFFECT_CHECKS, EFFECT_KEYS
from pipelines.assets.effects_outcomes import EFFECTS_OUTCOMES_ASSETS, EFFECTS_OUTCOMES_KEYS
from pipelines.assets.ingest import (
    RAW_ASSETS,
    STAGING_ASSETS,
    STAGING_CHECKS,
    WINDOW_CHECKS,
    observation_window,
)
from pipelines.assets.marts import MART_ASSETS, MART_CHECKS, MART_KEYS
from pipelines.assets.panel import PANEL_KEY, analysis_panel, panel_grid_complete
from pipelines.assets.protected import PROTECTED_CHECKS, make_protected_asset
from pipelines.assets.publish import (
    RUN_INFO_KEY,
    make_publish_asset,
    make_run_info_asset,
    mart_counts_valid,
)
from pipelines.defaults import DEFAULT_INPUT_DIR, DEFAULT_REPORT_DIR, DEFAULT_WAREHOUSE
from pipelines.resources import (
    AnalysisSettingsResource,
    RegisterInputResource,
    ReportResource,
    WarehouseResource,
)


def build_definitions(
    input_dir: str,
    warehouse: str,
    observation_start: str | None = None,
    observation_end: str | None = None,
    employment_threshold_nok: int | None = None,
    memory_limit: str = "12GB",
    threads: int = 2,
    report_dir: str = DEFAULT_REPORT_DIR,
    report_languages: tuple[str, ...] = ("nb", "en"),
    cost_parameters: str | None = None,
    cost_horizon_months: int = 36,
    with_report: bool = True,
    with_effects: bool = True,
    max_reject_share: float = DEFAULT_MAX_REJECT_SHARE,
    min_window_coverage: dict[str, float] | None = None,
) -> dg.Definitions:
    """All assets, checks and resources, reading `input_dir` and publishing to `warehouse`.

    `with_effects=False` builds the descriptive warehouse only (no effects, costs, outbound
    tables or report, since they need the effects).
    """
    with_report = with_report and with_effects
    effect_keys = [*EFFECT_KEYS, *EFFECTS_OUTCOMES_KEYS] if with_effects else []
    leaves = [PANEL_KEY, *MART_KEYS, *effect_keys]
    run_info = make_run_info_asset(leaves)
    # The outbound (protected) tables: every table that leaves the warehouse, suppressed over all
    # tables together, with a blocking check that nothing suppressed can be worked out.
    outbound_assets = [make_protected_asset([*leaves, RUN_INFO_KEY])] if with_effects else []
    outbound_checks = list(PROTECTED_CHECKS) if with_effects else []
    outbound_keys = [k for a in outbound_assets for k in a.keys]
    before_report = [*leaves, RUN_INFO_KEY, *outbound_keys]
    report = [report_assets.make_report_asset(before_report)] if with_report else []
    publish = make_publish_asset(
        [*before_report, *(k for a in report for k in a.keys)], with_report
    )
    settings = AnalysisSettingsResource(
        employment_threshold_nok=(
            DEFAULT_EMPLOYMENT_THRESHOLD_NOK
            if employment_threshold_nok is None
            else employment_threshold_nok
        ),
        cost_parameters=cost_parameters,
        cost_horizon_months=cost_horizon_months,
    )
    files = WarehouseFiles.at(warehouse)
    return dg.Definitions(
        assets=[
            *RAW_ASSETS,
            *STAGING_ASSETS,
            observation_window,
            analysis_panel,
            *MART_ASSETS,
            *(EFFECT_ASSETS if with_effects else []),
            *(EFFECTS_OUTCOMES_ASSETS if with_effects else []),
            run_info,
            *outbound_assets,
            *report,
            publish,
        ],
        asset_checks=[
            *STAGING_CHECKS,
            *WINDOW_CHECKS,
            panel_grid_complete,
            *MART_CHECKS,
            *(EFFECT_CHECKS if with_effects else []),
            mart_counts_valid,
            *outbound_checks,
        ],
        resources={
            "warehouse": WarehouseResource(
                path=str(files.working),
                publish_to=str(files.published),
                memory_limit=memory_limit,
                threads=threads,
            ),
            "register": RegisterInputResource(
                input_dir=input_dir,
                observation_start=observation_start,
                observation_end=observation_end,
                max_reject_share=max_reject_share,
                min_window_coverage=dict(
                    DEFAULT_MIN_WINDOW_COVERAGE
                    if min_window_coverage is None
                    else min_window_coverage
                ),
            ),
            "settings": settings,
            "report": ReportResource(out_dir=report_dir, languages=list(report_languages)),
        },
        # One DuckDB file has one writer: run steps one after another in a single process.
        executor=dg.in_process_executor,
    )


defs = build_definitions(
    input_dir=os.environ.get("ARBEIDSTRENING_INPUT", DEFAULT_INPUT_DIR),
    warehouse=os.environ.get("ARBEIDSTRENING_WAREHOUSE", DEFAULT_WAREHOUSE),
    report_dir=os.environ.get("ARBEIDSTRENING_REPORT_DIR", DEFAULT_REPORT_DIR),
)
