"""The DuckDB warehouse: layout, connections, file naming, lock, publication and colophon.

- `schema`     layers (schemas), staging DDL, comments, the observation window, SQL files;
- `connection` the one read-write opener of the working copy, the one read-only opener of a
               published file, and the locked-down opener for queries users type;
- `errors`     warehouse errors and the one place DuckDB messages are made safe to show;
- `files`      every file a warehouse owns (working copy, WAL, spill, lock), named once;
- `lock`       the single-writer lock;
- `publish`    the working copy and atomic publication of warehouse and report (with a journal);
- `lifecycle`  one run's hold on a warehouse: lock, working copy, publication, clean-up;
- `paths`      where a run may read and write, checked before anything is created;
- `colophon`   `meta.run_info` and `describe_warehouse`;
- `catalog`    tables, views and their comments (`describe`).
"""

from analysis.warehouse.catalog import (
    describe_listing,
    describe_relation,
    list_relations,
    table_exists,
)
from analysis.warehouse.colophon import (
    code_version,
    describe_warehouse,
    input_fingerprint,
    read_run_info,
    write_run_info,
)
from analysis.warehouse.connection import (
    connect_for_user_queries,
    connect_read_only,
    connect_working,
    sanitized_errors,
)
from analysis.warehouse.errors import (
    QueryError,
    RunPathError,
    WarehouseBusyError,
    WarehouseError,
    describe_duckdb_error,
    mask_values,
)
from analysis.warehouse.files import WarehouseFiles
from analysis.warehouse.lifecycle import (
    NothingToRebuildFromError,
    WarehouseRun,
    file_identity,
    published_now,
)
from analysis.warehouse.lock import WarehouseLock
from analysis.warehouse.paths import RunPaths, check_input_dir, check_run_paths, is_duckdb_file
from analysis.warehouse.publish import (
    NO_REPORT_FILE,
    ReportStaging,
    WorkingCopy,
    check_report_target,
    recover_publication,
)
from analysis.warehouse.schema import (
    LINEAGE_COLUMNS,
    SCHEMAS,
    SQL_DIR,
    apply_comments,
    comment_staging_table,
    create_empty_staging,
    create_schemas,
    quote_literal,
    read_sql,
    set_observation_window,
    staging_ddl,
)

__all__ = [
    "LINEAGE_COLUMNS",
    "NO_REPORT_FILE",
    "NothingToRebuildFromError",
    "SCHEMAS",
    "SQL_DIR",
    "QueryError",
    "ReportStaging",
    "RunPathError",
    "RunPaths",
    "WarehouseBusyError",
    "WarehouseError",
    "WarehouseFiles",
    "WarehouseLock",
    "WarehouseRun",
    "WorkingCopy",
    "apply_comments",
    "check_input_dir",
    "check_report_target",
    "check_run_paths",
    "code_version",
    "comment_staging_table",
    "connect_for_user_queries",
    "connect_read_only",
    "connect_working",
    "create_empty_staging",
    "create_schemas",
    "describe_duckdb_error",
    "describe_listing",
    "describe_relation",
    "describe_warehouse",
    "file_identity",
    "input_fingerprint",
    "is_duckdb_file",
    "list_relations",
    "table_exists",
    "mask_values",
    "published_now",
    "quote_literal",
    "read_run_info",
    "read_sql",
    "recover_publication",
    "sanitized_errors",
    "set_observation_window",
    "staging_ddl",
    "write_run_info",
]
