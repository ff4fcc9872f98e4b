"""Mart assets: one per entry in `analysis.marts.MARTS`, built in SQL over the panel."""

import dagster as dg

from analysis.marts import MART_DEPENDENCIES, MARTS
from analysis.warehouse.checks import invalid_counts, invalid_shares
from pipelines.assets.panel import PANEL_KEY
from pipelines.errors import safe_step
from pipelines.resources import WarehouseResource


def mart_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", name])


def make_mart_asset(name: str, build, description: str) -> dg.AssetsDefinition:
    deps = [PANEL_KEY, *(mart_key(up) for up in MART_DEPENDENCIES.get(name, ()))]

    @dg.asset(
        key=mart_key(name),
        deps=deps,
        group_name="marts",
        kinds={"duckdb"},
        description=description,
    )
    @safe_step
    def _mart(warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            meta = build(con) or {}
        return dg.MaterializeResult(
            metadata={k: v for k, v in meta.items() if isinstance(v, int | float | str)}
        )

    return _mart


def make_mart_check(name: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=mart_key(name),
        name="counts_and_shares_valid",
        blocking=True,
        description=(
            "Count columns (n, n_*) are of an integer type and hold non-negative integers; shares "
            "lie in [0, 1]; the table is commented."
        ),
    )
    @safe_step
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            problems = invalid_counts(con, "marts", name) | invalid_shares(con, "marts", name)
            comment = con.execute(
                "SELECT comment FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = ? "
                "UNION ALL SELECT comment FROM duckdb_views() WHERE schema_name = 'marts' AND view_name = ?",
                [name, name],
            ).fetchone()
        commented = bool(comment and comment[0])
        return dg.AssetCheckResult(
            passed=not problems and commented,
            description="; ".join(f"{k}: {v}" for k, v in problems.items()) or None,
            metadata={"problems": dg.MetadataValue.json(problems), "commented": commented},
        )

    return _check


MART_ASSETS = [make_mart_asset(name, build, description) for name, build, description in MARTS]
MART_CHECKS = [make_mart_check(name) for name, _, _ in MARTS]
MART_KEYS = [mart_key(name) for name, _, _ in MARTS]
