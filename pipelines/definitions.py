"""Dagster definitions for the Arbeidstrening evaluation pipeline.

`dg dev` / `make dev` load `defs` from here (pyproject's [tool.dg]); its paths are read by Dagster
at run time from ARBEIDSTRENING_INPUT, ARBEIDSTRENING_WAREHOUSE and ARBEIDSTRENING_REPORT_DIR
(`dg.EnvVar`; defaults in pipelines/defaults.py). The command-line tool builds the same
definitions with explicit paths via `build_definitions`.
The graph reads left to right, and nothing is published that a check has not passed:

raw -> staging (gates) -> observation window (coverage gates) -> panel -> marts -> effects
(inputs -> independent parts -> marts/effects) -> cost-effectiveness -> run info -> protected (outbound) tables and their disclosure check ->
report (written to staging) -> published_warehouse (report swapped in, warehouse renamed: last).

Every asset and check reads and writes the working copy; only publication touches the published
file. Runs started from Dagster go through `pipelines.executor` (lock, working copy, publication
of a selection, clean-up); `arbeidstrening run` through `pipelines.runner`.
"""

import os

import dagster as dg

from analysis.design import COST_HORIZON_MONTHS
from analysis.settings import (
    DEFAULT_EMPLOYMENT_THRESHOLD_NOK,
    DEFAULT_MAX_REJECT_SHARE,
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_MIN_WINDOW_COVERAGE,
)
from pipelines.assets import report as report_assets
from pipelines.assets.effects import EFFECT_ASSETS, EFFECT_CHECKS, EFFECT_KEYS
from pipelines.assets.effects_outcomes import EFFECTS_OUTCOMES_ASSETS, EFFECTS_OUTCOMES_KEYS
from pipelines.assets.effects_parts import PART_ASSETS
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
from pipelines.assets.views import VIEWS_KEY, make_views_asset, views_valid
from pipelines.defaults import (
    DEFAULT_INPUT_DIR,
    DEFAULT_REPORT_DIR,
    DEFAULT_WAREHOUSE,
    INPUT_ENV,
    REPORT_DIR_ENV,
    WAREHOUSE_ENV,
    default_report_dir,
)
from pipelines.executor import warehouse_executor
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
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    threads: int | None = None,
    report_dir: str = DEFAULT_REPORT_DIR,
    report_languages: tuple[str, ...] = ("nb", "en"),
    cost_parameters: str | None = None,
    cost_horizon_months: int = COST_HORIZON_MONTHS,
    with_report: bool = True,
    with_effects: bool = True,
    max_reject_share: float = DEFAULT_MAX_REJECT_SHARE,
    min_window_coverage: dict[str, float] | None = None,
) -> dg.Definitions:
    """All assets, checks and resources, reading `input_dir` and publishing to `warehouse`
    (paths, or `dg.EnvVar`s read when a run starts).

    `with_effects=False` builds the descriptive warehouse only (no effects, costs, outbound
    tables or report, since they need the effects).
    """
    with_report = with_report and with_effects
    effect_keys = [*EFFECT_KEYS, *EFFECTS_OUTCOMES_KEYS] if with_effects else []
    results = [PANEL_KEY, *MART_KEYS, *effect_keys]
    views = make_views_asset(results)
    leaves = [*results, VIEWS_KEY]
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
    warehouse_resource = WarehouseResource(
        publish_to=warehouse, memory_limit=memory_limit, threads=threads
    )
    register = RegisterInputResource(
        input_dir=input_dir,
        observation_start=observation_start,
        observation_end=observation_end,
        max_reject_share=max_reject_share,
        min_window_coverage=dict(
            DEFAULT_MIN_WINDOW_COVERAGE if min_window_coverage is None else min_window_coverage
        ),
    )
    report_resource = ReportResource(out_dir=report_dir, languages=list(report_languages))
    assets = [
        *RAW_ASSETS,
        *STAGING_ASSETS,
        observation_window,
        analysis_panel,
        *MART_ASSETS,
        *(PART_ASSETS if with_effects else []),
        *(EFFECT_ASSETS if with_effects else []),
        *(EFFECTS_OUTCOMES_ASSETS if with_effects else []),
        views,
        run_info,
        *outbound_assets,
        *report,
        publish,
    ]
    all_keys = frozenset(k for a in assets for k in a.keys)
    return dg.Definitions(
        assets=assets,
        asset_checks=[
            *STAGING_CHECKS,
            *WINDOW_CHECKS,
            panel_grid_complete,
            *MART_CHECKS,
            *(EFFECT_CHECKS if with_effects else []),
            views_valid,
            mart_counts_valid,
            *outbound_checks,
        ],
        resources={
            "warehouse": warehouse_resource,
            "register": register,
            "settings": settings,
            "report": report_resource,
        },
        # In process by default; multiprocess or dask by run config. One DuckDB file has one
        # writer: steps that open it take turns, inside the warehouse's run lifecycle
        # (pipelines/executor.py).
        executor=warehouse_executor(warehouse_resource, register, report_resource, all_keys),
    )


def _env(name: str, default: str) -> dg.EnvVar:
    """A path Dagster reads from the environment when a run starts (shown as such in the UI's
    resource configuration); `default` applies where the variable is not set."""
    os.environ.setdefault(name, default)
    return dg.EnvVar(name)


_warehouse = _env(WAREHOUSE_ENV, DEFAULT_WAREHOUSE)
defs = build_definitions(
    input_dir=_env(INPUT_ENV, DEFAULT_INPUT_DIR),
    warehouse=_warehouse,
    # as on the command line: reports/output for the default warehouse, else beside it
    report_dir=_env(REPORT_DIR_ENV, str(default_report_dir(os.environ[WAREHOUSE_ENV]))),
)
