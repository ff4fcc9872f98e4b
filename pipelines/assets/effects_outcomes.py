"""Effects on the outcomes the study is about: by months since exit, and each purpose's effect on
its own intended outcome (analysis.outcomes; issue 11, item 5)."""

import dagster as dg

from analysis.outcomes import build_effects_outcomes
from pipelines.assets.effects import EFFECTS_KEY, _scalar_metadata
from pipelines.assets.panel import PANEL_KEY
from pipelines.errors import safe_step
from pipelines.resources import WarehouseResource

EFFECTS_EXIT_KEY = dg.AssetKey(["marts", "effects_exit"])  # with marts.effects_exit_summary
EFFECTS_INTENDED_KEY = dg.AssetKey(["marts", "effects_intended"])
EFFECTS_CHAINING_KEY = dg.AssetKey(["marts", "effects_chaining"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            EFFECTS_EXIT_KEY,
            deps=[PANEL_KEY, EFFECTS_KEY],
            group_name="effects",
            kinds={"python", "duckdb"},
            description=(
                "Effects by months since exit of the first completed spell (0..24): the "
                "start-clock event study per spell length, re-indexed at the exit month."
            ),
        ),
        dg.AssetSpec(
            EFFECTS_INTENDED_KEY,
            deps=[PANEL_KEY, EFFECTS_KEY],
            group_name="effects",
            kinds={"python", "duckdb"},
            description=(
                "Each registered purpose's effect on its own intended outcome (same employer or "
                "wage subsidy, apprenticeship/education, ordinary work, targeted follow-up), "
                "with its pre-trend check (credible)."
            ),
        ),
        dg.AssetSpec(
            EFFECTS_CHAINING_KEY,
            deps=[PANEL_KEY, EFFECTS_KEY],
            group_name="effects",
            kinds={"python", "duckdb"},
            description=(
                "Effects on months in later programmes (wage subsidy, other programmes) by "
                "months since start: the chaining channel of the cost analysis."
            ),
        ),
    ],
)
def effects_outcomes(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    meta = _build(warehouse)
    context.log.info(
        f"effects_exit and effects_intended ({meta['estimator']}) in {meta['seconds']} s"
    )
    md = _scalar_metadata(meta)
    yield dg.MaterializeResult(asset_key=EFFECTS_EXIT_KEY, metadata=md)
    yield dg.MaterializeResult(asset_key=EFFECTS_INTENDED_KEY, metadata=md)
    yield dg.MaterializeResult(asset_key=EFFECTS_CHAINING_KEY, metadata=md)


@safe_step
def _build(warehouse: WarehouseResource) -> dict:
    with warehouse.connect() as con:
        return build_effects_outcomes(con)


EFFECTS_OUTCOMES_ASSETS = [effects_outcomes]
EFFECTS_OUTCOMES_KEYS = [EFFECTS_EXIT_KEY, EFFECTS_INTENDED_KEY, EFFECTS_CHAINING_KEY]
