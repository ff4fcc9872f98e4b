"""Run metadata and publication of the finished warehouse."""

import datetime as dt
import hashlib
import json
import subprocess
from importlib import metadata
from pathlib import Path

import dagster as dg

from analysis.warehouse import apply_comments
from pipelines.resources import AnalysisSettingsResource, RegisterInputResource, WarehouseResource


def code_version() -> str:
    """Package version plus the git commit when run from a checkout."""
    version = metadata.version("arbeidstrening")
    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        return f"{version}+{commit}" if commit else version
    except (OSError, subprocess.SubprocessError):
        return version


def make_run_info_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["meta", "run_info"]),
        deps=upstream,
        group_name="publish",
        kinds={"duckdb"},
        description="Colophon of the run: input fingerprint, observation window, settings, code version, time.",
    )
    def run_info(
        warehouse: WarehouseResource,
        register: RegisterInputResource,
        settings: AnalysisSettingsResource,
    ) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            files = con.execute(
                "SELECT table_name, file, sha256 FROM meta.input_files ORDER BY table_name, file"
            ).fetchall()
            fingerprint = hashlib.sha256(json.dumps(files).encode()).hexdigest()
            start, end, source = con.execute("SELECT * FROM meta.observation_window").fetchone()
            info = {
                "input_dir": str(Path(register.input_dir).resolve()),
                "input_fingerprint": fingerprint,
                "observation_start": start.isoformat(),
                "observation_end": end.isoformat(),
                "observation_window_source": source,
                "employment_threshold_nok": str(settings.employment_threshold_nok),
                "code_version": code_version(),
                "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            }
            con.execute("CREATE OR REPLACE TABLE meta.run_info (key VARCHAR, value VARCHAR)")
            con.executemany("INSERT INTO meta.run_info VALUES (?, ?)", list(info.items()))
            apply_comments(
                con,
                "meta.run_info",
                "How this warehouse was built: input fingerprint, window, settings, code version, time.",
                {"key": "setting or fact", "value": "its value as text"},
            )
        return dg.MaterializeResult(metadata={k: v for k, v in info.items() if k != "input_dir"})

    return run_info


def make_publish_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["published_warehouse"]),
        deps=upstream,
        group_name="publish",
        kinds={"duckdb"},
        description=(
            "Publishes the finished warehouse: an atomic copy of the working database to the "
            "path analysts open read-only. Runs only when every upstream asset and blocking check passed."
        ),
    )
    def published_warehouse(warehouse: WarehouseResource) -> dg.MaterializeResult:
        target = warehouse.publish()
        return dg.MaterializeResult(
            metadata={"path": str(target), "bytes": dg.MetadataValue.int(target.stat().st_size)}
        )

    return published_warehouse
