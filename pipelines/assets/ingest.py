"""Raw and staging assets: one pair per contract table, with blocking checks beside them."""

from pathlib import Path

import dagster as dg

from analysis.contract import TABLES, Table
from analysis.ingest import build_staging, read_raw, resolve_observation_window
from analysis.ingest.read import record_input_files
from analysis.warehouse import create_schemas, set_observation_window
from pipelines.resources import RegisterInputResource, WarehouseResource

# Staging tables whose accepted rows another table's referential rules check against.
REFERENCED_BY: dict[str, tuple[str, ...]] = {
    "at_agreements": ("programme_spells",),
    "at_agreement_purposes": ("at_agreements",),
}


def raw_key(table: Table) -> dg.AssetKey:
    return dg.AssetKey(["raw", table.name])


def staging_key(table: Table) -> dg.AssetKey:
    return dg.AssetKey(["staging", table.name])


def _staging_deps(table: Table) -> list[dg.AssetKey]:
    deps = [raw_key(table)]
    if table.name != "persons" and "person_id" in table.column_names:
        deps.append(dg.AssetKey(["staging", "persons"]))
    deps += [dg.AssetKey(["staging", name]) for name in REFERENCED_BY.get(table.name, ())]
    return deps


def make_raw_asset(table: Table) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_key(table),
        group_name="raw",
        kinds={"duckdb"},
        description=(
            f"`{table.name}` ({table.grain}) as read from the input directory, every column kept, "
            "with file and row lineage. Stops the run if the file is missing, unreadable or lacks "
            "a contract column."
        ),
    )
    def _raw(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        register: RegisterInputResource,
    ) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            create_schemas(con)
            meta = read_raw(con, Path(register.input_dir), table)
            record_input_files(con, meta)
        context.log.info(
            f"raw.{table.name}: {meta['rows']:,} rows from {len(meta['files'])} file(s)"
        )
        return dg.MaterializeResult(
            metadata={
                "rows": dg.MetadataValue.int(meta["rows"]),
                "source": meta["kind"],
                "files": dg.MetadataValue.json(meta["files"]),
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
    def _key_unique(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        keys = ", ".join(f'"{k}"' for k in table.key)
        with warehouse.connect() as con:
            dup = con.execute(
                f"SELECT count(*) FROM (SELECT {keys} FROM staging.{table.name} GROUP BY ALL HAVING count(*) > 1)"
            ).fetchone()[0]
        return dg.AssetCheckResult(passed=dup == 0, metadata={"duplicated_keys": dup})

    return [_conservation, _key_unique]


@dg.asset(
    key=dg.AssetKey(["meta", "observation_window"]),
    deps=[staging_key(t) for t in TABLES if t.name == "employment_months"],
    group_name="staging",
    kinds={"duckdb"},
    description=(
        "The window the extract covers (override > extract.json > the data's first and last "
        "employment month). Ongoing spells run to its end; outcomes past it are censored."
    ),
)
def observation_window(
    warehouse: WarehouseResource, register: RegisterInputResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        start, end, source = resolve_observation_window(
            con, Path(register.input_dir), register.observation_start, register.observation_end
        )
        set_observation_window(con, start.isoformat(), end.isoformat(), source)
    return dg.MaterializeResult(
        metadata={
            "observation_start": start.isoformat(),
            "observation_end": end.isoformat(),
            "source": source,
        }
    )


RAW_ASSETS = [make_raw_asset(t) for t in TABLES]
STAGING_ASSETS = [make_staging_asset(t) for t in TABLES]
STAGING_CHECKS = [check for t in TABLES for check in make_staging_checks(t)]
STAGING_KEYS = [staging_key(t) for t in TABLES]

__all__ = ["RAW_ASSETS", "STAGING_ASSETS", "STAGING_CHECKS", "STAGING_KEYS", "observation_window"]
