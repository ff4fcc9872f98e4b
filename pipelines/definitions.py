"""Dagster definitions for the Arbeidstrening evaluation pipeline.

`dagster dev` loads `defs` from here (see pyproject's [tool.dagster]); the command-line tool
builds the same definitions with explicit paths via `build_definitions`.
The graph reads left to right:
raw -> staging -> panel -> marts -> effects -> cost-effectiveness -> protected -> publish -> report.
"""

import os

import dagster as dg

from analysis.settings import DEFAULT_EMPLOYMENT_THRESHOLD_NOK
from pipelines.assets.effects import EFFECT_ASSETS, EFFECT_CHECKS, EFFECT_KEYS
from pipelines.assets.ingest import RAW_ASSETS, STAGING_ASSETS, STAGING_CHECKS, observation_window
from pipelines.assets.marts import MART_ASSETS, MART_CHECKS, MART_KEYS
from pipelines.assets.panel import PANEL_KEY, analysis_panel, panel_grid_complete
from pipelines.assets.protected import PROTECTED_CHECKS, make_protected_asset
from pipelines.assets.publish import make_publish_asset, make_run_info_asset
from pipelines.assets.report import rapport
from pipelines.defaults import DEFAULT_INPUT_DIR, DEFAULT_WAREHOUSE
from pipelines.resources import (
    AnalysisSettingsResource,
    RegisterInputResource,
    ReportResource,
    WarehouseResource,
)

DEFAULT_REPORT_DIR = "reports/output"


def working_copy_path(published: str) -> str:
    """Where assets build the warehouse before it is published."""
    return published + ".building"


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
) -> dg.Definitions:
    """All assets, checks and resources, reading `input_dir` and publishing to `warehouse`.

    `with_effects=False` builds the descriptive warehouse only (no effects, costs or report,
    since the report needs the effects).
    """
    with_report = with_report and with_effects
    leaves = [PANEL_KEY, *MART_KEYS, *(EFFECT_KEYS if with_effects else [])]
    run_info = make_run_info_asset(leaves)
    protected = make_protected_asset(leaves)
    publish = make_publish_asset([*leaves, run_info.key, protected.key])
    settings = AnalysisSettingsResource(
        employment_threshold_nok=(
            DEFAULT_EMPLOYMENT_THRESHOLD_NOK
            if employment_threshold_nok is None
            else employment_threshold_nok
        ),
        cost_parameters=cost_parameters,
        cost_horizon_months=cost_horizon_months,
    )
    assets = [
        *RAW_ASSETS,
        *STAGING_ASSETS,
        observation_window,
        analysis_panel,
        *MART_ASSETS,
        *(EFFECT_ASSETS if with_effects else []),
        run_info,
        protected,
        publish,
    ]
    checks = [
        *STAGING_CHECKS,
        panel_grid_complete,
        *MART_CHECKS,
        *(EFFECT_CHECKS if with_effects else []),
        *PROTECTED_CHECKS,
    ]
    if with_report:
        assets.append(rapport)
    return dg.Definitions(
        assets=assets,
        asset_checks=checks,
        resources={
            "warehouse": WarehouseResource(
                path=working_copy_path(warehouse),
                publish_to=warehouse,
                memory_limit=memory_limit,
                threads=threads,
            ),
            "register": RegisterInputResource(
                input_dir=input_dir,
                observation_start=observation_start,
                observation_end=observation_end,
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
