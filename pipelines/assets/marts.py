"""Mart assets: one per entry in `analysis.marts.MARTS`, built in SQL over the panel."""

import dagster as dg

from analysis.marts import MART_DEPENDENCIES, MARTS
from pipelines.assets.panel import PANEL_KEY
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
        description="Counts are non-negative and shares lie in [0, 1]; the table is commented.",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            cols = con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'marts' AND table_name = ?",
                [name],
            ).fetchall()
            problems = {}
            for col, _dtype in cols:
                if col in ("share", "coverage") or col.startswith("share_"):
                    bad = con.execute(
                        f'SELECT count(*) FROM marts.{name} WHERE "{col}" < 0 OR "{col}" > 1'
                    ).fetchone()[0]
                elif col.startswith("n_") or col == "n":
                    bad = con.execute(
                        f'SELECT count(*) FROM marts.{name} WHERE "{col}" < 0'
                    ).fetchone()[0]
                else:
                    continue
                if bad:
                    problems[col] = bad
            comment = con.execute(
                "SELECT comment FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = ? "
                "UNION ALL SELECT comment FROM duckdb_views() WHERE schema_name = 'marts' AND view_name = ?",
                [name, name],
            ).fetchone()
        return dg.AssetCheckResult(
            passed=not problems and bool(comment and comment[0]),
            metadata={
                "invalid_rows_by_column": problems,
                "commented": bool(comment and comment[0]),
            },
        )

    return _check


MART_ASSETS = [make_mart_asset(name, build, description) for name, build, description in MARTS]
MART_CHECKS = [make_mart_check(name) for name, _, _ in MARTS]
MART_KEYS = [mart_key(name) for name, _, _ in MARTS]
