"""The "start here" views for analysts (schema start_here), built after the marts they read."""

import dagster as dg

from analysis.views import SCHEMA, build_views, undocumented
from analysis.warehouse.checks import invalid_counts, invalid_shares
from pipelines.errors import safe_step
from pipelines.resources import WarehouseResource

VIEWS_KEY = dg.AssetKey([SCHEMA, "views"])


def make_views_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=VIEWS_KEY,
        deps=upstream,
        group_name=SCHEMA,
        kinds={"duckdb"},
        description=(
            "Start here: documented views for the questions analysts ask (participants by "
            "month and status group at start, starts by purpose, work after exit read by state "
            "and by earnings, effects by subgroup with intervals and n, cost results), one unit "
            "per column; `FROM start_here.guide` lists them (analysis/sql/views/)."
        ),
    )
    @safe_step
    def views(warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            meta = build_views(con)
        return dg.MaterializeResult(
            metadata={
                "views": dg.MetadataValue.json(meta["views"]),
                "skipped (tables absent)": dg.MetadataValue.json(meta["skipped"]),
                "seconds": meta["seconds"],
            }
        )

    return views


@dg.asset_check(
    asset=VIEWS_KEY,
    name="documented_and_valid",
    blocking=True,
    description=(
        "Every view and every column of it is commented; its count columns (n, n_*) hold "
        "non-negative integers and its shares lie in [0, 1] (so each view can be read at all)."
    ),
)
@safe_step
def views_valid(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        names = [
            r[0]
            for r in con.execute(
                "SELECT view_name FROM duckdb_views() WHERE schema_name = ?", [SCHEMA]
            ).fetchall()
        ]
        missing = undocumented(con)
        problems = invalid_counts(con, SCHEMA)
        for name in names:
            problems |= invalid_shares(con, SCHEMA, name)
    return dg.AssetCheckResult(
        passed=not missing and not problems,
        description="; ".join(
            [*(f"no comment: {m}" for m in missing), *(f"{k}: {v}" for k, v in problems.items())]
        )
        or None,
        metadata={
            "views": len(names),
            "uncommented": dg.MetadataValue.json(missing),
            "problems": dg.MetadataValue.json(problems),
        },
    )
