"""The report for the directorate (rapport.html / rapport.pdf) and its disclosure-controlled export.

Entry points: :func:`build_report` (warehouse -> HTML, PDF and CSV tables; the
``arbeidstrening report`` subcommand in `pipelines.cli` calls it), :func:`publishable_tables` and
:func:`disclosure_violations` for the blocking disclosure check. See reports/README.md.
"""

from analysis.report.build import DisclosureError, build_report
from analysis.report.publish import (
    CORE_TABLES,
    ReportDataError,
    disclosure_violations,
    publishable_tables,
)

__all__ = [
    "CORE_TABLES",
    "DisclosureError",
    "ReportDataError",
    "build_report",
    "disclosure_violations",
    "publishable_tables",
]
