"""Causal effect estimates and the cost-effectiveness analysis built on them."""

from pathlib import Path

import dagster as dg

from analysis.costs import build_cost_effectiveness
from analysis.design import HEADLINE_ESTIMATOR
from analysis.effects import write_effects
from analysis.effects.checks import headline_consistency, headline_design_verdict
from analysis.effects.parts import assemble, load_results
from pipelines.assets.effects_parts import PART_KEYS
from pipelines.assets.panel import PANEL_KEY
from pipelines.errors import safe_step
from pipelines.resources import AnalysisSettingsResource, WarehouseResource

EFFECTS_KEY = dg.AssetKey(["marts", "effects"])
COSTS_KEY = dg.AssetKey(["marts", "cost_effectiveness"])


def _scalar_metadata(meta: dict) -> dict:
    out = {}
    for key, value in meta.items():
        if isinstance(value, bool | int | float | str):
            out[key] = value
        elif isinstance(value, dict | list):
            out[key] = dg.MetadataValue.json(value)
    return out


@dg.asset(
    key=EFFECTS_KEY,
    deps=list(PART_KEYS.values()),
    group_name="effects",
    kinds={"python", "duckdb"},
    description=(
        "Lock-in and employment effects of Arbeidstrening by months since start (-12..36): the "
        "headline (Callaway & Sant'Anna group-time ATTs, doubly robust, conditioned on the "
        "25-month employment record incl. the pre-programme dip, base = mean over g-49..g-26, "
        "comparisons registered at NAV in g-1 not yet started and in a state some starter was "
        "in; design gate and HonestDiD sensitivity), the plain DiD "
        "(base g-1, no covariates), the TWFE "
        "event study, dynamic IPW (Sianesi style) and the naive comparison; subgroups, summaries "
        "(lock-in, 12/24/36 months), pre-trend tests, balance and common support. Assembled "
        "from the effects parts (effects/parts/*) in a fixed order."
    ),
)
@safe_step
def effects(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    inputs_meta, results = load_results(warehouse.parts_dir)
    out = assemble(results, inputs_meta)
    with warehouse.connect() as con:
        meta = write_effects(con, out, inputs_meta["seconds"]["load"])
        headline = con.execute(
            """
            SELECT measure, estimate, ci_low, ci_high FROM marts.effects_summary
            WHERE estimator = ? AND outcome = 'employed' AND subgroup = 'ALL'
            """,
            [HEADLINE_ESTIMATOR],
        ).fetchall()
        # the design gate's decision for the headline (recorded in marts.effects_design_gate;
        # not a blocking check: the run completes and the report reads `credible`)
        gate = con.execute(
            """
            SELECT "check", passed, credible FROM marts.effects_design_gate
            WHERE estimator = ? AND outcome = 'employed' AND subgroup = 'ALL'
            """,
            [HEADLINE_ESTIMATOR],
        ).fetchall()
    credible = bool(gate) and all(r[2] for r in gate)
    failed = [r[0] for r in gate if not r[1]]
    if not credible:
        context.log.warning(f"headline design gate failed ({', '.join(failed)}): not credible")
    meta["headline_credible"] = credible
    for measure, est, lo, hi in headline:
        if est is None or lo is None or hi is None:
            context.log.info(f"headline {measure}: not estimable")
            continue
        context.log.info(f"headline {measure}: {est:+.4f} [{lo:+.4f}, {hi:+.4f}]")
    meta |= {f"headline_{m}": round(float(e), 5) for m, e, _, _ in headline if e is not None}
    return dg.MaterializeResult(metadata=_scalar_metadata(meta))


@dg.asset_check(
    asset=EFFECTS_KEY,
    name="headline_present_and_consistent",
    blocking=True,
    description=(
        "The headline estimator has employment rows for every event time -12..36, finite "
        "standard errors and confidence intervals that contain their estimate."
    ),
)
@safe_step
def effects_consistent(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        found = headline_consistency(con)
    return dg.AssetCheckResult(
        passed=found["event_times"] == found["expected_event_times"]
        and found["inconsistent_rows"] == 0,
        metadata=found,
    )


@dg.asset_check(
    asset=EFFECTS_KEY,
    name="headline_design_credible",
    blocking=False,
    description=(
        "The design gate (marts.effects_design_gate) finds the headline employment series "
        "credible: leads, anticipation window, overlap and balance all pass. A failure is the "
        "recorded decision not to present the estimate as a finding (the run goes on; the "
        "report says so first), so this check warns and does not block."
    ),
)
@safe_step
def headline_design_credible(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        verdict = headline_design_verdict(con)
    return dg.AssetCheckResult(
        passed=verdict["credible"] is True,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            None
            if verdict["credible"]
            else "not assessed: no gate row for the headline"
            if verdict["credible"] is None
            else "not credible: " + ", ".join(verdict["failed_checks"])
        ),
        metadata={
            "credible": str(verdict["credible"]),
            "failed_checks": dg.MetadataValue.json(verdict["failed_checks"]),
        },
    )


@dg.asset(
    key=COSTS_KEY,
    # the later-programme channel is valued from marts.effects_chaining
    deps=[EFFECTS_KEY, PANEL_KEY, dg.AssetKey(["marts", "effects_chaining"])],
    group_name="effects",
    kinds={"duckdb"},
    description=(
        "Cost-effectiveness: costs per participant (registers + documented parameter file), "
        "effects valued over the horizon, net present value in the public-budget and society "
        "perspectives, cost per extra employed month, break-even effect, sensitivity table."
    ),
)
@safe_step
def cost_effectiveness(
    warehouse: WarehouseResource, settings: AnalysisSettingsResource
) -> dg.MaterializeResult:
    parameters = Path(settings.cost_parameters) if settings.cost_parameters else None
    with warehouse.connect() as con:
        meta = build_cost_effectiveness(
            con, parameters_path=parameters, horizon_months=settings.cost_horizon_months
        )
    return dg.MaterializeResult(metadata=_scalar_metadata(meta))


EFFECT_ASSETS = [effects, cost_effectiveness]
EFFECT_CHECKS = [effects_consistent, headline_design_credible]
EFFECT_KEYS = [EFFECTS_KEY, COSTS_KEY]
