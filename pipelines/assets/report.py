"""The report for the directorate, built from the working copy before anything is published.

The report is written into a staging directory beside its target (`ReportResource.staging`); the
publication step swaps it into place together with the warehouse, so a failed or killed run never
leaves a report directory mixing two runs.
"""

from pathlib import Path

import dagster as dg

from analysis.report import build_report
from pipelines.errors import safe_step
from pipelines.resources import ReportResource, WarehouseResource

REPORT_KEY = dg.AssetKey(["report", "rapport"])


def make_report_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=REPORT_KEY,
        deps=upstream,
        group_name="report",
        kinds={"python"},
        description=(
            "rapport.html (self-contained) and rapport.pdf in Norwegian bokmål for the "
            "directorate, with disclosure-controlled CSV exports of every table and figure; "
            "English version too. Written from the working copy into a staging directory and "
            "published with the warehouse."
        ),
    )
    @safe_step
    def rapport(warehouse: WarehouseResource, report: ReportResource) -> dg.MaterializeResult:
        staging = report.staging(warehouse)
        out = staging.start()
        meta: dict = {"out_dir": str(staging.target), "staging_dir": str(out)}
        for lang in report.languages:
            result = build_report(Path(warehouse.path), out, lang)
            for kind in ("pdf", "html"):
                meta[f"{lang}_{kind}"] = str(staging.target / Path(result[kind]).relative_to(out))
            meta[f"{lang}_suppressed_cells"] = sum(result["suppressed"].values())
            meta[f"{lang}_missing_tables"] = dg.MetadataValue.json(list(result["missing"]))
        return dg.MaterializeResult(metadata=meta)

    return rapport
