"""The effects layer's parts as steps that never open the warehouse (`analysis.effects.parts`).

`effects/inputs` reads the panel from the working copy once and writes the parts' shared input
to the run's parts directory (`WarehouseResource.parts_dir`); each `effects/parts/<part>` maps it
(so do the outcome effects, pipelines/assets/effects_outcomes.py) and writes its result there; `marts/effects` (pipelines/assets/effects.py) assembles the results
in a fixed order and writes the marts. The parts are independent steps, so the multiprocess or a
cluster executor runs them side by side (pipelines/executor.py) and the result is the same
whichever executor ran them. They are assets of their own rather than partitions of one asset:
Dagster materializes partitions one run each, and one warehouse has one run at a time.
"""

import dagster as dg

from analysis.effects import parts, specifications
from pipelines.assets.panel import PANEL_KEY
from pipelines.errors import safe_step
from pipelines.resources import AnalysisSettingsResource, WarehouseResource
from pipelines.worker_steps import HEAVY_TAG, WORKER_TAG

INPUTS_KEY = dg.AssetKey(["effects", "inputs"])
PART_KEYS = {name: dg.AssetKey(["effects", "parts", name]) for name in parts.PARTS}

PART_DESCRIPTIONS = {
    "headline_all": "the headline design, every headline outcome, subgroup ALL",
    "plain_did": "the plain DiD (base g-1, no covariates), every outcome and subgroup",
    "twfe_naive": "the TWFE event study and the naive comparison",
    "ipw": "dynamic IPW (Sianesi style) and its sensitivity variants",
} | {
    f"spec_{name}": f"the specification grid's `{name}`: {s.description}"
    for name, s in specifications.SPECIFICATIONS.items()
}


@dg.asset(
    key=INPUTS_KEY,
    deps=[PANEL_KEY],
    group_name="effects",
    kinds={"duckdb", "python"},
    description=(
        "The effects parts' shared input, read from the panel once: person x month arrays and "
        "the IPW design, written to the run's parts directory (not a warehouse table) as one "
        "file that the parts and the outcome effects map rather than copy."
    ),
)
@safe_step
def effects_inputs(
    warehouse: WarehouseResource, settings: AnalysisSettingsResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        inputs = parts.prepare_inputs(
            con, employment_threshold_nok=settings.employment_threshold_nok
        )
    path = parts.save_inputs(inputs, warehouse.parts_dir)
    return dg.MaterializeResult(
        metadata={
            "bytes": dg.MetadataValue.int(path.stat().st_size),
            "persons": dg.MetadataValue.int(inputs.data.n),
            "seconds": dg.MetadataValue.json({k: round(v, 2) for k, v in inputs.seconds.items()}),
        }
    )


def _part_tags(name: str) -> dict[str, str]:
    """A part may run in a worker process (it reads and writes files only); the longest start
    first (Dagster's step priority); the largest in memory runs beside no other heavy step."""
    tags = {WORKER_TAG: "true"}
    if name in parts.LARGEST_PARTS:
        tags[HEAVY_TAG] = "true"
    if name in parts.LONGEST_PARTS:
        tags["dagster/priority"] = str(len(parts.LONGEST_PARTS) - parts.LONGEST_PARTS.index(name))
    return tags


def make_part_asset(name: str) -> dg.AssetsDefinition:
    """The step estimating one part: inputs file in, result file out (no warehouse access)."""
    family = name.removeprefix("headline_")
    what = PART_DESCRIPTIONS.get(
        name, f"the headline design for the subgroup outcomes, subgroups by {family}"
    )

    @dg.asset(
        key=PART_KEYS[name],
        deps=[INPUTS_KEY],
        group_name="effects",
        kinds={"python"},
        op_tags=_part_tags(name),
        description=f"Effects part `{name}`: {what} (a file in the run's parts directory).",
    )
    @safe_step
    def part(warehouse: WarehouseResource) -> dg.MaterializeResult:
        result = parts.run_part(warehouse.parts_dir, name)
        size = parts.result_path(warehouse.parts_dir, name).stat().st_size
        return dg.MaterializeResult(
            metadata={"seconds": round(result["seconds"], 2), "bytes": dg.MetadataValue.int(size)}
        )

    return part


PART_ASSETS = [effects_inputs, *(make_part_asset(n) for n in parts.PARTS)]
