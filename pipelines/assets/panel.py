"""The analysis panel: Arbeidstrening spells and one row per person and month."""

import dagster as dg

from analysis.panel import build_panel
from pipelines.assets.ingest import STAGING_KEYS, WINDOW_KEY
from pipelines.errors import safe_step
from pipelines.resources import AnalysisSettingsResource, WarehouseResource

PANEL_KEY = dg.AssetKey(["panel", "person_month"])


@dg.asset(
    key=PANEL_KEY,
    deps=[*STAGING_KEYS, WINDOW_KEY],
    group_name="panel",
    kinds={"duckdb"},
    description=(
        "Analysis panel: `panel.at_spells` (Arbeidstrening spells that took place, with status "
        "group, purpose, exit month) and `panel.person_month` (one row per person and month of "
        "the observation window: state, employed, earnings, benefits, in AT, months since first AT start)."
    ),
)
@safe_step
def analysis_panel(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    settings: AnalysisSettingsResource,
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        meta = build_panel(con, employment_threshold_nok=settings.employment_threshold_nok)
    context.log.info(f"panel built: {meta}")
    return dg.MaterializeResult(
        metadata={k: v for k, v in meta.items() if isinstance(v, int | float | str)}
    )


@dg.asset_check(
    asset=PANEL_KEY,
    name="one_row_per_person_and_month",
    blocking=True,
    description="The panel has exactly persons x months rows and no duplicate (person, month).",
)
@safe_step
def panel_grid_complete(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        n_rows, n_keys, expected = con.execute(
            """
            SELECT count(*), count(DISTINCT (person_id, year_month)),
                   (SELECT count(*) FROM staging.persons)
                   * (SELECT count(DISTINCT year_month) FROM panel.person_month)
            FROM panel.person_month
            """
        ).fetchone()
    return dg.AssetCheckResult(
        passed=n_rows == n_keys == expected,
        metadata={"rows": n_rows, "distinct_person_months": n_keys, "persons_x_months": expected},
    )
