"""Raw and staging assets: one pair per contract table, with blocking checks beside them."""

from pathlib import Path

import dagster as dg

from analysis.contract import TABLES, Table
from analysis.ingest import (
    GateResult,
    build_staging,
    coverage_gate,
    read_raw,
    record_extract,
    record_input_files,
    rejection_gate,
    resolve_observation_window,
)
from analysis.warehouse import create_schemas, set_observation_window
from pipelines.errors import safe_step
from pipelines.resources import RegisterInputResource, WarehouseResource

WINDOW_KEY = dg.AssetKey(["meta", "observation_window"])


def raw_key(table: Table) -> dg.AssetKey:
    return dg.AssetKey(["raw", table.name])


def staging_key(table: Table) -> dg.AssetKey:
    return dg.AssetKey(["staging", table.name])


def _staging_deps(table: Table) -> list[dg.AssetKey]:
    referenced = (name for name in table.referenced_tables if name != table.name)
    return [raw_key(table), *(dg.AssetKey(["staging", name]) for name in referenced)]


def make_raw_asset(table: Table) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_key(table),
        group_name="raw",
        kinds={"duckdb"},
        description=(
            f"`{table.name}` ({table.grain}) as read from the input directory: the contract's "
            "columns as text, with file and row lineage (columns outside the contract are not "
            "read). Stops the run if the file is missing, unreadable, lacks a contract column or "
            "stores one in a type that cannot be read without loss."
        ),
    )
    @safe_step
    def _raw(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        register: RegisterInputResource,
    ) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            create_schemas(con)
            meta = read_raw(con, Path(register.input_dir), table)
            record_input_files(con, meta)
        for note in meta["notes"]:
            context.log.warning(note)
        context.log.info(
            f"raw.{table.name}: {meta['rows']:,} rows from {len(meta['files'])} file(s)"
        )
        return dg.MaterializeResult(
            metadata={
                "rows": dg.MetadataValue.int(meta["rows"]),
                "source": meta["kind"],
                "files": dg.MetadataValue.json(meta["files"]),
                "columns_not_read": dg.MetadataValue.json(meta["ignored_columns"]),
                "conversions": dg.MetadataValue.json(
                    [n for n in meta["notes"] if "outside the contract" not in n]
                ),
            }
        )

    return _raw


def make_staging_asset(table: Table) -> dg.AssetsDefinition:
    @dg.asset(
        key=staging_key(table),
        deps=_staging_deps(table),
        group_name="staging",
        kinds={"duckdb"},
        description=(
            f"`{table.name}` typed and validated against the input contract; rows that break a "
            f"rule go to `rejects.{table.name}` with the rule's name and the offending value."
        ),
    )
    @safe_step
    def _staging(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            counts = build_staging(con, table)
        if counts["rows_rejected"]:
            context.log.warning(
                f"{table.name}: {counts['rows_rejected']:,} of {counts['rows_in']:,} rows rejected: "
                + ", ".join(f"{k} {v:,}" for k, v in counts["rejected_by_rule"].items())
            )
        return dg.MaterializeResult(
            metadata={
                "rows_in": dg.MetadataValue.int(counts["rows_in"]),
                "rows_accepted": dg.MetadataValue.int(counts["rows_accepted"]),
                "rows_rejected": dg.MetadataValue.int(counts["rows_rejected"]),
                "rejected_by_rule": dg.MetadataValue.json(counts["rejected_by_rule"]),
            }
        )

    return _staging


def make_staging_checks(table: Table) -> list[dg.AssetChecksDefinition]:
    @dg.asset_check(
        asset=staging_key(table),
        name="rows_in_equal_accepted_plus_rejected",
        blocking=True,
        description="Nothing is lost: rows read into raw = rows in staging + rows in rejects.",
    )
    @safe_step
    def _conservation(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            rows_in, accepted, rejected = con.execute(
                f"SELECT (SELECT count(*) FROM raw.{table.name}), "
                f"(SELECT count(*) FROM staging.{table.name}), (SELECT count(*) FROM rejects.{table.name})"
            ).fetchone()
        return dg.AssetCheckResult(
            passed=rows_in == accepted + rejected,
            metadata={"rows_in": rows_in, "rows_accepted": accepted, "rows_rejected": rejected},
        )

    @dg.asset_check(
        asset=staging_key(table),
        name="key_unique",
        blocking=True,
        description=f"The contract key ({', '.join(table.key)}) is unique in staging.",
    )
    @safe_step
    def _key_unique(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        keys = ", ".join(f'"{k}"' for k in table.key)
        with warehouse.connect() as con:
            dup = con.execute(
                f"SELECT count(*) FROM (SELECT {keys} FROM staging.{table.name} GROUP BY ALL HAVING count(*) > 1)"
            ).fetchone()[0]
        return dg.AssetCheckResult(passed=dup == 0, metadata={"duplicated_keys": dup})

    @dg.asset_check(
        asset=staging_key(table),
        name="rejected_share_within_limit",
        blocking=True,
        description=(
            "Plausibility gate: the table holds rows and its share of rejected rows does not "
            "exceed the limit (--max-reject-share, default in analysis/settings.py)."
        ),
    )
    @safe_step
    def _rejected_share(
        warehouse: WarehouseResource, register: RegisterInputResource
    ) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            return gate_check_result(rejection_gate(con, table, register.gates))

    return [_conservation, _key_unique, _rejected_share]


def gate_check_result(result: GateResult) -> dg.AssetCheckResult:
    """A plausibility gate as a Dagster check result: its message is the check's description."""
    metadata = {k: v for k, v in result.metadata.items() if v is not None}
    metadata |= {"rule": result.rule, "message": result.message}
    if result.share is not None:
        metadata["share"] = round(result.share, 6)
    if result.limit is not None:
        metadata["limit"] = result.limit
    return dg.AssetCheckResult(
        passed=result.passed,
        description=result.message,
        metadata={
            k: dg.MetadataValue.json(v) if isinstance(v, dict) else v for k, v in metadata.items()
        },
    )


def make_coverage_check(table: Table) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=WINDOW_KEY,
        name=f"{table.name}_covers_window",
        blocking=True,
        description=(
            f"Plausibility gate: `{table.name}` covers enough of the observation window's months "
            "(--min-window-coverage; defaults in analysis/settings.py). A window past the end of "
            "the data fails here."
        ),
    )
    @safe_step
    def _coverage(
        warehouse: WarehouseResource, register: RegisterInputResource
    ) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            return gate_check_result(coverage_gate(con, table, register.gates))

    return _coverage


@dg.asset(
    key=WINDOW_KEY,
    deps=[staging_key(t) for t in TABLES],
    group_name="staging",
    kinds={"duckdb"},
    description=(
        "The window the extract covers (override > extract.json > the months employment_months "
        "covers densely), and what extract.json says about the input (meta.extract: synthetic or "
        "not). Ongoing spells run to its end; outcomes past it are censored. Checks: every dated "
        "table covers the window."
    ),
)
@safe_step
def observation_window(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    register: RegisterInputResource,
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        window = resolve_observation_window(
            con, Path(register.input_dir), register.observation_start, register.observation_end
        )
        set_observation_window(con, window.start.isoformat(), window.end.isoformat(), window.source)
        record_extract(con, window.extract)
    for note in window.notes:
        context.log.warning(note)
    return dg.MaterializeResult(
        metadata={
            "observation_start": window.start.isoformat(),
            "observation_end": window.end.isoformat(),
            "source": window.source,
            "synthetic": window.extract.synthetic,
        }
    )


RAW_ASSETS = [make_raw_asset(t) for t in TABLES]
STAGING_ASSETS = [make_staging_asset(t) for t in TABLES]
STAGING_CHECKS = [check for t in TABLES for check in make_staging_checks(t)]
WINDOW_CHECKS = [make_coverage_check(t) for t in TABLES if t.coverage]
STAGING_KEYS = [staging_key(t) for t in TABLES]

__all__ = [
    "RAW_ASSETS",
    "STAGING_ASSETS",
    "STAGING_CHECKS",
    "STAGING_KEYS",
    "WINDOW_CHECKS",
    "WINDOW_KEY",
    "observation_window",
]
