"""build_report: warehouse -> rapport.html, rapport.pdf and the CSV export; the CLI hooks.

Output names (both languages can sit side by side in one directory):

=========  =================  ================  ===============
``lang``   HTML               PDF               tables (CSV)
=========  =================  ================  ===============
``nb``     ``rapport.html``   ``rapport.pdf``   ``tabeller/``
``en``     ``report.html``    ``report.pdf``    ``tables/``
=========  =================  ================  ===============
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from analysis.report.document import build_document
from analysis.report.publish import (
    Published,
    Warehouse,
    check_tables,
    published_tables,
)
from analysis.report.render import render_html, render_pdf

DEFAULT_WAREHOUSE = "data/warehouse.duckdb"
NAMES = {
    "nb": {"html": "rapport.html", "pdf": "rapport.pdf", "tables": "tabeller"},
    "en": {"html": "report.html", "pdf": "report.pdf", "tables": "tables"},
}


class DisclosureError(RuntimeError):
    """A published table breaks the disclosure rule: nothing is written."""


def _meta(wh: Warehouse) -> dict:
    meta: dict = {}
    if wh.has("meta.observation_window", "observation_start", "observation_end"):
        r = wh.df("SELECT observation_start, observation_end FROM meta.observation_window").iloc[0]
        meta["observation_start"] = pd.Timestamp(r["observation_start"]).date()
        meta["observation_end"] = pd.Timestamp(r["observation_end"]).date()
    if wh.has("meta.run_info", "key", "value"):
        for k, v in wh.df("SELECT key, value FROM meta.run_info").itertuples(index=False):
            if k in ("observation_start", "observation_end"):
                meta.setdefault(k, dt.date.fromisoformat(str(v)[:10]))
            else:
                meta[k] = v
    meta["warehouse"] = wh.path.name
    meta["report_built_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return meta


def _csv_frame(p: Published) -> pd.DataFrame:
    """The export as a reader sees it: suppressed values empty, with the ``*_suppressed`` flags."""
    return p.frame.copy()


README = {
    "nb": (
        "Publiserte tabeller bak rapporten (etter personvernkontroll).\n"
        "Én CSV-fil per tabell: UTF-8, komma som skilletegn, punktum som desimaltegn.\n"
        "En tom celle med kolonnen <kolonne>_suppressed = True er skjult av personvernhensyn "
        "(vises som «:» i rapporten): tall under 5 personer, og tall som ellers kunne regnes ut "
        "fra summer. En tom celle uten flagg betyr at tallet ikke finnes («..»).\n"
        "Andeler er brøker (0,25 = 25 %); effekter er endring i andel (0,03 = 3 prosentpoeng).\n"
    ),
    "en": (
        "Published tables behind the report (after disclosure control).\n"
        "One CSV file per table: UTF-8, comma-separated, point as decimal mark.\n"
        "An empty cell whose column <column>_suppressed is True is withheld for confidentiality "
        "(shown as ':' in the report): counts below 5 persons, and values that could otherwise "
        "be worked out from totals. An empty cell without the flag means not available ('..').\n"
        "Shares are fractions (0.25 = 25 %); effects are changes in a share (0.03 = 3 "
        "percentage points).\n"
    ),
}


def build_report(
    warehouse: Path,
    out_dir: Path,
    lang: str = "nb",
    report_number: str | None = None,
    date: dt.date | None = None,
) -> dict:
    """Write the report (HTML + PDF) and its CSV export from a published warehouse.

    Reads the warehouse read-only. Raises :class:`ReportDataError` if a core table
    (participants_monthly, purpose_distribution, transitions, effects) is missing and
    :class:`DisclosureError` if any published table fails the disclosure re-check (then nothing is
    written). Returns ``{"html", "pdf", "tables_dir", "tables", "sections", "suppressed",
    "missing", "lang"}``: paths written, section headings in order, suppressed cells per table,
    optional tables that were not available.
    """
    if lang not in NAMES:
        raise ValueError(f"lang must be 'nb' or 'en', got {lang!r}")
    warehouse, out_dir = Path(warehouse), Path(out_dir)
    with Warehouse(warehouse) as wh:
        tables = published_tables(wh)
        meta = _meta(wh)
    problems = check_tables({n: (p.frame, p.kwargs) for n, p in tables.items()})
    if problems:
        first = next(iter(problems.items()))
        raise DisclosureError(
            f"{len(problems)} published table(s) break the disclosure rule, e.g. {first[0]}: "
            f"{first[1][0]}"
        )
    doc = build_document(tables, meta, lang, report_number=report_number, date=date)
    names = NAMES[lang]
    out_dir.mkdir(parents=True, exist_ok=True)
    tdir = out_dir / names["tables"]
    tdir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, p in tables.items():
        if not p.export:
            continue
        path = tdir / f"{name}.csv"
        _csv_frame(p).to_csv(path, index=False, encoding="utf-8")
        written.append(path)
    colophon = pd.DataFrame(
        [(k, str(v)) for k, v in meta.items() if k != "input_dir"], columns=["key", "value"]
    )
    colophon.to_csv(tdir / ("kolofon.csv" if lang == "nb" else "colophon.csv"), index=False)
    (tdir / ("LES_MEG.txt" if lang == "nb" else "README.txt")).write_text(
        README[lang], encoding="utf-8"
    )
    html_path = out_dir / names["html"]
    html_path.write_text(render_html(doc), encoding="utf-8")
    pdf_path = out_dir / names["pdf"]
    render_pdf(doc, pdf_path)
    return {
        "lang": lang,
        "html": html_path,
        "pdf": pdf_path,
        "tables_dir": tdir,
        "tables": written,
        "sections": [s.heading for s in doc.body],
        "suppressed": {n: p.n_suppressed for n, p in tables.items() if p.export},
        "missing": doc.missing,
        "summary_numbers": doc.summary_numbers,
        "synthetic": doc.synthetic,
    }


__all__ = ["DisclosureError", "NAMES", "build_report"]
