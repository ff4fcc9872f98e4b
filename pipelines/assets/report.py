"""The report for the directorate, built from the published warehouse."""

from pathlib import Path

import dagster as dg

from analysis.report import build_report
from pipelines.resources import ReportResource, WarehouseResource

PUBLISHED_KEY = dg.AssetKey(["published_warehouse"])


@dg.asset(
    key=dg.AssetKey(["report", "rapport"]),
    deps=[PUBLISHED_KEY],
    group_name="report",
    kinds={"python"},
    description=(
        "rapport.html (self-contained) and rapport.pdf in Norwegian bokmål for the directorate, "
        "with disclosure-controlled CSV exports of every table and figure; English version too."
    ),
)
def rapport(warehouse: WarehouseResource, report: ReportResource) -> dg.MaterializeResult:
    out = Path(report.out_dir)
    meta: dict = {"out_dir": str(out.resolve())}
    for lang in report.languages:
        result = build_report(Path(warehouse.publish_to), out, lang)
        meta[f"{lang}_pdf"] = str(result["pdf"])
        meta[f"{lang}_html"] = str(result["html"])
        meta[f"{lang}_suppressed_cells"] = sum(result["suppressed"].values())
        meta[f"{lang}_missing_tables"] = dg.MetadataValue.json(list(result["missing"]))
    return dg.MaterializeResult(metadata=meta)
