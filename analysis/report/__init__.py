"""The report for the directorate (rapport.html / rapport.pdf) and its disclosure-controlled export.

Entry points: :func:`build_report` (warehouse -> HTML, PDF and CSV tables), :func:`add_arguments` /
:func:`run` for the ``arbeidstrening report`` subcommand, :func:`publishable_tables` and
:func:`disclosure_violations` for the blocking disclosure check. See reports/README.md.
"""

from analysis.report.build import DisclosureError, add_arguments, build_report, run
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
    "add_arguments",
    "build_report",
    "disclosure_violations",
    "publishable_tables",
    "run",
]
