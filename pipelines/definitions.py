"""Dagster definitions for the Arbeidstrening evaluation pipeline.

`dagster dev` loads `defs` from here (see pyproject's [tool.dagster]); the command-line tool
builds the same definitions with explicit paths via `build_definitions`.
The graph reads left to right: raw -> staging -> panel -> marts -> publish.
"""

from __future__ import annotations

import os

import dagster as dg

from pipelines.assets.ingest import RAW_ASSETS, STAGING_ASSETS, STAGING_CHECKS, observation_window
from pipelines.assets.marts import MART_ASSETS, MART_CHECKS, MART_KEYS
from pipelines.assets.panel import PANEL_KEY, analysis_panel, panel_grid_complete
from pipelines.assets.publish import make_publish_asset, make_run_info_asset
from pipelines.defaults import DEFAULT_INPUT_DIR, DEFAULT_WAREHOUSE
from pipelines.resources import AnalysisSettingsResource, RegisterInputResource, WarehouseResource


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
) -> dg.Definitions:
    """All assets, checks and resources, reading `input_dir` and publishing to `warehouse`."""
    leaves = [PANEL_KEY, *MART_KEYS]
    run_info = make_run_info_asset(leaves)
    publish = make_publish_asset([*leaves, run_info.key])
    settings = AnalysisSettingsResource()
    if employment_threshold_nok is not None:
        settings = AnalysisSettingsResource(employment_threshold_nok=employment_threshold_nok)
    return dg.Definitions(
        assets=[
            *RAW_ASSETS,
            *STAGING_ASSETS,
            observation_window,
            analysis_panel,
            *MART_ASSETS,
            run_info,
            publish,
        ],
        asset_checks=[*STAGING_CHECKS, panel_grid_complete, *MART_CHECKS],
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
        },
        # One DuckDB file has one writer: run steps one after another in a single process.
        executor=dg.in_process_executor,
    )


defs = build_definitions(
    input_dir=os.environ.get("ARBEIDSTRENING_INPUT", DEFAULT_INPUT_DIR),
    warehouse=os.environ.get("ARBEIDSTRENING_WAREHOUSE", DEFAULT_WAREHOUSE),
)
