"""Mart assets: one per step of `analysis.marts.MART_STEPS`, built in SQL over the panel."""

import dagster as dg

from analysis.marts import MART_STEPS, MartStep
from analysis.warehouse.checks import invalid_counts, invalid_shares
from pipelines.assets.panel import PANEL_KEY
from pipelines.errors import safe_step
from pipelines.resources import WarehouseResource


def mart_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", name])


def make_mart_asset(step: MartStep) -> dg.AssetsDefinition:
    deps = [PANEL_KEY, *(mart_key(up) for up in step.reads)]

    @dg.asset(
        key=mart_key(step.name),
        deps=deps,
        group_name="marts",
        kinds={"duckdb"},
        description=step.description,
    )
    @safe_step
    def _mart(warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            meta = step.build(con) or {}
        return dg.MaterializeResult(
            metadata={k: v for k, v in meta.items() if isinstance(v, int | float | str)}
        )

    return _mart


def make_mart_check(step: MartStep) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=mart_key(step.name),
        name="counts_and_shares_valid",
        blocking=True,
        description=(
            "Count columns (n, n_*) are of an integer type and hold non-negative integers; shares "
            "lie in [0, 1]; the table is commented. Every table the step writes is checked."
        ),
    )
    @safe_step
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        problems: dict = {}
        uncommented: list[str] = []
        with warehouse.connect() as con:
            for table in step.tables:
                name = table.split(".", 1)[1]
                found = invalid_counts(con, "marts", name) | invalid_shares(con, "marts", name)
                problems |= {
                    f"{name}.{k}" if len(step.tables) > 1 else k: v for k, v in found.items()
                }
                comment = con.execute(
                    "SELECT comment FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = ? "
                    "UNION ALL SELECT comment FROM duckdb_views() WHERE schema_name = 'marts' AND view_name = ?",
                    [name, name],
                ).fetchone()
                if not (comment and comment[0]):
                    uncommented.append(name)
        commented = not uncommented
        return dg.AssetCheckResult(
            passed=not problems and commented,
            description="; ".join(f"{k}: {v}" for k, v in problems.items()) or None,
            metadata={"problems": dg.MetadataValue.json(problems), "commented": commented},
        )

    return _check


MART_ASSETS = [make_mart_asset(step) for step in MART_STEPS]
MART_CHECKS = [make_mart_check(step) for step in MART_STEPS]
MART_KEYS = [mart_key(step.name) for step in MART_STEPS]
