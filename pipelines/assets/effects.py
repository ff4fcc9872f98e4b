"""Causal effect estimates and the cost-effectiveness analysis built on them."""

from pathlib import Path

import dagster as dg

from analysis.costs import build_cost_effectiveness
from analysis.design import HEADLINE_ESTIMATOR
from analysis.effects import build_effects
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
    deps=[PANEL_KEY],
    group_name="effects",
    kinds={"python", "duckdb"},
    description=(
        "Lock-in and employment effects of Arbeidstrening by months since start (-12..36): the "
        "headline heterogeneity-robust staggered DiD (Callaway & Sant'Anna, not-yet-treated "
        "persons registered with the same status group in the month before start), the TWFE "
        "event study, dynamic IPW (Sianesi style) and the naive comparison; subgroups, summaries "
        "(lock-in, 12/24/36 months), pre-trend tests, balance and common support."
    ),
)
@safe_step
def effects(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        meta = build_effects(con)
        headline = con.execute(
            """
            SELECT measure, estimate, ci_low, ci_high FROM marts.effects_summary
            WHERE estimator = ? AND outcome = 'employed' AND subgroup = 'ALL'
            """,
            [HEADLINE_ESTIMATOR],
        ).fetchall()
    for measure, est, lo, hi in headline:
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
        n_times, n_bad = con.execute(
            """
            SELECT count(DISTINCT event_time),
                   count(*) FILTER (WHERE NOT (ci_low <= estimate AND estimate <= ci_high)
                                    OR std_error IS NULL OR isnan(std_error) OR std_error < 0)
            FROM marts.effects
            WHERE is_headline AND outcome = 'employed' AND subgroup = 'ALL'
            """
        ).fetchone()
    return dg.AssetCheckResult(
        passed=n_times == 49 and n_bad == 0,
        metadata={"event_times": n_times, "inconsistent_rows": n_bad},
    )


@dg.asset_check(
    asset=EFFECTS_KEY,
    name="headline_design_credible",
    blocking=False,
    description=(
        "The headline's design gate (marts.effects_design_gate): pre-trend leads incl. e = -1, "
        "the anticipation window, overlap and balance for employment, overall. A failure is the "
        "recorded decision that the headline is not credible; the run still completes and the "
        "report reads `credible`."
    ),
)
@safe_step
def headline_design_credible(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        rows = con.execute(
            """
            SELECT "check", passed, credible, p_value, statistic FROM marts.effects_design_gate
            WHERE estimator = ? AND outcome = 'employed' AND subgroup = 'ALL'
            """,
            [HEADLINE_ESTIMATOR],
        ).fetchall()
    credible = bool(rows) and all(r[2] for r in rows)
    return dg.AssetCheckResult(
        passed=credible,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={r[0]: ("passed" if r[1] else "failed") for r in rows} | {"credible": credible},
    )


@dg.asset(
    key=COSTS_KEY,
    deps=[EFFECTS_KEY, PANEL_KEY],
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
