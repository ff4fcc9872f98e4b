"""Outbound tables after disclosure control (schema protected) and the blocking check on them.

Thin wiring: the work is in :mod:`analysis.disclosure`. The asset runs on the working copy after
every mart and effect table, reads the previous published warehouse's ledger (so a rerun keeps
earlier suppressions), and writes schema ``protected``; the check attacks all protected tables
together. The report and the CSV export only format schema ``protected``.
"""

from collections import Counter

import dagster as dg

from analysis.disclosure import audit_protected, protect, read_ledger, write_protected
from pipelines.resources import WarehouseResource

PROTECTED_KEY = dg.AssetKey(["protected", "tables"])


def make_protected_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=PROTECTED_KEY,
        deps=upstream,
        group_name="protected",
        kinds={"duckdb"},
        description=(
            "Every outbound table (report tables, figures' data, CSV exports) protected all "
            "together: counts of 1-4 and whatever would reveal them suppressed by Gaussian "
            "elimination over shared margins, hierarchies and event-time counts, audited by "
            "linear programming; SSB symbols per value; the ledger of published cells."
        ),
    )
    def protected_tables(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        previous = read_ledger(warehouse.publish_to)
        with warehouse.connect() as con:
            result = protect(con, previous)
            written = write_protected(con, result)
        for w in result.warnings:
            context.log.warning(f"disclosure: {w}")
        reasons = Counter(result.ledger["reason"].loc[result.ledger["status"] == ":"])
        return dg.MaterializeResult(
            metadata={
                "tables": len(written),
                "suppressed_cells": int(sum(t.n_suppressed for t in result.tables.values())),
                "by_reason": dg.MetadataValue.json(dict(sorted(reasons.items()))),
                "previous_ledger": previous is not None,
                "warnings": len(result.warnings),
            }
        )

    return protected_tables


@dg.asset_check(
    asset=PROTECTED_KEY,
    name="nothing_can_be_worked_out",
    blocking=True,
    description=(
        "Over all protected tables together: no published count of 1-4, no suppressed count "
        "recoverable by linear combination of the published ones, no count of 1-4 pinned to 1-4 "
        "by linear programming, no statistic revealing a hidden count, SSB symbols consistent."
    ),
)
def nothing_can_be_worked_out(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        problems = audit_protected(con)
    return dg.AssetCheckResult(
        passed=not problems,
        metadata={"problems": len(problems), "first": dg.MetadataValue.json(problems[:20])},
    )


PROTECTED_CHECKS = [nothing_can_be_worked_out]
