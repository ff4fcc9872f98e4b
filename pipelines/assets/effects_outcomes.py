"""Effects on the outcomes the study is about: by months since exit, and each purpose's effect on
its own intended outcome (analysis.outcomes; issue 11, item 5)."""

import dagster as dg

from analysis.effects import parts
from analysis.outcomes import build_effects_outcomes
from pipelines.assets.effects import _scalar_metadata
from pipelines.assets.effects_parts import INPUTS_KEY
from pipelines.assets.panel import PANEL_KEY
from pipelines.errors import safe_step
from pipelines.resources import WarehouseResource
from pipelines.worker_steps import HEAVY_TAG

EFFECTS_EXIT_KEY = dg.AssetKey(["marts", "effects_exit"])  # with marts.effects_exit_summary
EFFECTS_INTENDED_KEY = dg.AssetKey(["marts", "effects_intended"])
EFFECTS_CHAINING_KEY = dg.AssetKey(["marts", "effects_chaining"])


OUTCOME_ASSETS = {
    EFFECTS_EXIT_KEY: (
        "Effects by months since exit of the first completed spell (0..24): the start-clock event "
        "study per spell length, re-indexed at the exit month."
    ),
    EFFECTS_INTENDED_KEY: (
        "Each registered purpose's effect on its own intended outcome (same employer or wage "
        "subsidy, apprenticeship/education, ordinary work, targeted follow-up), with its "
        "pre-trend check (credible)."
    ),
    EFFECTS_CHAINING_KEY: (
        "Effects on months in later programmes (wage subsidy, other programmes) by months since "
        "start: the chaining channel of the cost analysis."
    ),
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            # the panel and the parts' shared input, not marts.effects: with the effects parts
            # in worker processes, this step runs beside them, sharing the input's arrays
            deps=[PANEL_KEY, INPUTS_KEY],
            group_name="effects",
            kinds={"python", "duckdb"},
            description=description,
        )
        for key, description in OUTCOME_ASSETS.items()
    ],
    # as long and as large as an effects part: with parts in worker processes it takes one
    # worker's place while it runs, and no other heavy step runs beside it
    # (pipelines/worker_steps.py)
    op_tags={HEAVY_TAG: "true"},
)
def effects_outcomes(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    meta = _build(warehouse)
    context.log.info(
        f"effects_exit and effects_intended ({meta['estimator']}) in {meta['seconds']} s"
    )
    md = _scalar_metadata(meta)
    for key in OUTCOME_ASSETS:
        yield dg.MaterializeResult(asset_key=key, metadata=md)


@safe_step
def _build(warehouse: WarehouseResource) -> dict:
    # the parts' input when this run wrote it (mapped, so its arrays are in memory once for
    # this process and the workers), else the panel (a run of these assets alone)
    inputs = parts.read_inputs(warehouse.parts_dir)
    with warehouse.connect() as con:
        return build_effects_outcomes(con, base=inputs.data if inputs else None)


EFFECTS_OUTCOMES_ASSETS = [effects_outcomes]
EFFECTS_OUTCOMES_KEYS = list(OUTCOME_ASSETS)
