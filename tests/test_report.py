"""The report for the directorate: build_report (HTML + PDF, nb and en), its form, the design gate,
synthetic marking, accessibility (tagged PDF), disclosure control of everything published,
formatting, robustness to missing tables, and rendering from an installed wheel.

One small warehouse per module: synthetic register (scale 0.01) -> the whole pipeline.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from analysis import disclosure as sdc
from analysis import formatting as fmt
from analysis.design import ESTIMATOR_ROLES, HEADLINE_ESTIMATOR
from analysis.report import (
    ReportDataError,
    build_report,
    disclosure_violations,
    publishable_tables,
)
from analysis.report.builder import Builder
from analysis.report.chapters import MODULES
from analysis.report.document import Document, Section, build_document, section_titles
from analysis.report.publish import Published, check_tables, published_tables
from analysis.report.render import render_html
from analysis.report.text import Texts

pypdf = pytest.importorskip("pypdf")

ROOT = Path(__file__).resolve().parents[1]
DATE = dt.date(2026, 12, 4)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    from analysis.synthetic import generate_register
    from pipelines.runner import run_pipeline

    root = tmp_path_factory.mktemp("report")
    reg, wh = root / "register", root / "warehouse.duckdb"
    generate_register(reg, scale=0.01, seed=11)
    outcome = run_pipeline(reg, wh, echo=lambda *a, **k: None, report_dir=root / "report")
    assert outcome.success, outcome.errors
    return wh


@pytest.fixture(scope="module")
def reports(warehouse, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("out")
    return {lang: build_report(warehouse, out, lang, date=DATE) for lang in ("nb", "en")}


@pytest.fixture(scope="module")
def real_warehouse(warehouse, tmp_path_factory) -> Path:
    """The same warehouse as if it had been built from a real extract (no synthetic flag)."""
    wh = tmp_path_factory.mktemp("real") / "warehouse.duckdb"
    shutil.copy(warehouse, wh)
    con = duckdb.connect(str(wh))
    con.execute(
        "DELETE FROM meta.run_info WHERE key IN ('synthetic', 'generator', 'preset', 'scale', "
        "'seed')"
    )
    con.execute("INSERT INTO meta.run_info VALUES ('synthetic', 'false')")
    con.close()
    return wh


@pytest.fixture(scope="module")
def real_report(real_warehouse, tmp_path_factory) -> dict:
    return build_report(real_warehouse, tmp_path_factory.mktemp("realout"), "nb", date=DATE)


def _pdf_pages(path: Path) -> list[str]:
    return [_norm(p.extract_text() or "") for p in pypdf.PdfReader(str(path)).pages]


def _pdf_text(path: Path) -> str:
    return " ".join(_pdf_pages(path))


def _norm(text: str) -> str:
    text = text.replace("\u202f", " ").replace("\u00a0", " ").replace("\u2009", " ")
    text = re.sub(r"[-\u00ad]\s*\n\s*", "", text)  # hyphenation at line ends
    text = text.replace("\u00ad", "-")  # a hyphen inside a line is extracted as a soft hyphen
    return re.sub(r"\s+", " ", text)


def _visible_text(html: str) -> str:
    html = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'(src|alt)="[^"]*"', "", html)
    import html as htmllib

    return htmllib.unescape(re.sub(r"<[^>]+>", " ", html))


def _doc(warehouse: Path, lang: str = "nb", tables=None, meta=None) -> Document:
    from analysis.report.build import _meta
    from analysis.report.publish import Warehouse

    with Warehouse(warehouse) as wh:
        t = tables if tables is not None else published_tables(wh)
        m = meta if meta is not None else _meta(wh)
    return build_document(t, m, lang, date=DATE)


def _blocks(doc: Document, kind: str) -> list[dict]:
    return [b for s in doc.sections for b in s.blocks if b["kind"] == kind]


# --- Files and structure -----------------------------------------------------------------------


def test_writes_html_pdf_and_tables_for_both_languages(reports):
    nb, en = reports["nb"], reports["en"]
    assert nb["html"].name == "rapport.html" and nb["pdf"].name == "rapport.pdf"
    assert en["html"].name == "report.html" and en["pdf"].name == "report.pdf"
    assert nb["html"].parent == en["html"].parent  # side by side
    for r in (nb, en):
        assert r["html"].stat().st_size > 10_000
        assert r["pdf"].read_bytes()[:5] == b"%PDF-"
        assert r["tables"] and all(p.exists() for p in r["tables"])
    assert nb["tables_dir"].name == "tabeller" and en["tables_dir"].name == "tables"
    assert nb["sections"] == section_titles("nb")
    assert en["sections"] == section_titles("en")


def test_the_form_of_an_evaluation_report(reports):
    """Title page, foreword, contents, summary with main findings first, chapters, discussion,
    references, appendices - in that order."""
    titles = section_titles("nb")
    assert titles[0] == "Sammendrag"
    assert any(t.endswith("Diskusjon") for t in titles)
    assert titles.index("Referanser") > max(i for i, t in enumerate(titles) if t[0].isdigit())
    assert [t for t in titles if t.startswith("Vedlegg")][:3] == [
        "Vedlegg A: Metode",
        "Vedlegg B: Definisjoner",
        "Vedlegg C: Datagrunnlag og datakvalitet",
    ]
    pages = _pdf_pages(reports["nb"]["pdf"])
    first = pages[0]
    for text in (
        "Evaluering av Arbeidstrening",
        "Arbeids- og velferdsdirektoratet",
        "Rapportnummer",
        "Dato",
        "Datagrunnlag",
    ):
        assert text in first, text
    assert "4. desember 2026" in first
    assert "Forord" in pages[1]
    contents = next(i for i, p in enumerate(pages) if "Innhold" in p[:80])
    assert contents > 1
    # the contents list names the summary's headings too: the summary starts after it
    summary = next(
        i
        for i, p in enumerate(pages)
        if i > contents and "Hovedfunn" in p and "Virker arbeidstrening?" in p
    )
    s = pages[summary]
    assert s.index("Virker arbeidstrening?") < s.index("For hvem?") < s.index("Hva koster det?")
    refs = " ".join(pages[summary:])
    for study in (
        "Zhang (2016)",
        "von Simson (2012)",
        "Hardoy og Zhang (2019)",
        "Nossen (2023)",
        "Mandal mfl. (2019)",
    ):
        assert study in refs, study


def test_html_is_self_contained_and_navigable(reports):
    for r in reports.values():
        html = r["html"].read_text(encoding="utf-8")
        refs = re.findall(r'\b(?:src|href)\s*=\s*["\']([^"\']*)["\']', html)
        assert not [u for u in refs if not (u.startswith("data:") or u.startswith("#"))]
        assert "<link" not in html and "@import" not in html and "url(http" not in html
        assert html.count("data:image/svg+xml;base64,") >= 12
        ids = set(re.findall(r'id="([^"]+)"', html))
        assert all(u[1:] in ids for u in refs if u.startswith("#")), "a link to a missing anchor"
        n_sections = html.count("<section ")
        assert html.count('href="#innhold"') >= n_sections  # back to the contents from every part
        assert "@media print" in html and "break-inside: avoid" in html
        assert re.search(r"@media \(min-width: [\d.]+rem\) \{ nav#innhold ol", html)


def test_html_has_every_section_heading_in_order(reports):
    import html as htmllib

    for lang, r in reports.items():
        html = r["html"].read_text(encoding="utf-8")
        h2 = [htmllib.unescape(h) for h in re.findall(r'<h2 id="h-[^"]+">(.*?)</h2>', html)]
        body = [h for h in h2 if h not in ("Forord", "Foreword", "Innhold", "Contents")]
        assert body == section_titles(lang)


def test_pdf_has_headings_and_summary_numbers(reports):
    for lang, r in reports.items():
        text = _pdf_text(r["pdf"])
        for title in section_titles(lang):
            assert title in text, f"{lang}: heading {title!r} not in the PDF"
        assert r["summary_numbers"], "summary has no numbers"
        for number in r["summary_numbers"]:
            assert _norm(number) in text, f"{lang}: summary number {number!r} not in the PDF"


# --- Accessibility: the tagged PDF --------------------------------------------------------------


def _struct_elements(reader) -> list[dict]:
    out = []

    def walk(node):
        node = node.get_object()
        if not isinstance(node, dict):
            return
        if "/S" in node:
            out.append(node)
        kids = node.get("/K")
        if kids is None:
            return
        for k in kids if isinstance(kids, list) else [kids]:
            k = k.get_object() if hasattr(k, "get_object") else k
            if isinstance(k, dict):
                walk(k)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return out


def test_pdf_is_tagged_with_title_language_and_alt_text(reports, warehouse):
    for lang, r in reports.items():
        reader = pypdf.PdfReader(str(r["pdf"]))
        root = reader.trailer["/Root"]
        assert "/StructTreeRoot" in root, "no structure tree"
        assert bool(root["/MarkInfo"]["/Marked"])
        assert str(root["/Lang"]) == lang
        assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
        doc = _doc(warehouse, lang)
        assert reader.metadata.title == doc.title
        xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
        assert "pdfuaid:part" in xmp and ">1<" in xmp.split("pdfuaid:part")[1][:20]
        elements = _struct_elements(reader)
        kinds = [str(e["/S"]) for e in elements]
        assert "/H1" in kinds and "/Table" in kinds and "/TOC" in kinds
        figures = [e for e in elements if str(e["/S"]) == "/Figure"]
        n_charts = len(_blocks(doc, "figure"))
        assert len(figures) >= n_charts > 10
        alts = [str(e.get("/Alt", "")) for e in figures]
        assert all(a.strip() for a in alts), "a figure without alternative text"
        for b in _blocks(doc, "figure"):
            assert b["alt"] in alts


def test_alt_text_is_written_from_the_data(warehouse):
    doc = _doc(warehouse, "nb")
    fig = next(b for b in _blocks(doc, "figure") if b["id"] == "fig-deltakere-1")
    pm = publishable_tables(warehouse)["participants_monthly"][0]
    d = pm[pm["status_group"] == "ALL"].sort_values("year_month")
    first = d.iloc[0]
    assert fig["alt"].startswith("Linjediagram")
    assert (
        f"fra {fmt.format_number(first['n_participants'], 0, 'nb')} ({fmt.format_year_month(int(first['year_month']), 'nb')})"
        in fig["alt"]
    )
    assert f"høyest {fmt.format_number(d['n_participants'].max(), 0, 'nb')}" in fig["alt"]


# --- Synthetic data are marked; a real extract is not --------------------------------------------


def test_synthetic_extract_is_marked_everywhere(reports):
    r = reports["nb"]
    assert r["synthetic"] is True
    pages = _pdf_pages(r["pdf"])
    assert "SYNTETISKE DATA" in pages[0]
    assert all("SYNTETISKE DATA" in p for p in pages[1:]), "a page without the running mark"
    html = r["html"].read_text(encoding="utf-8")
    sources = re.findall(r'<p class="source">([^<]*)</p>', html)
    not_data = ("Kilde: Oslo Economics", "Kilde: Finansdepartementet")
    assert sum("SYNTETISKE DATA" in s for s in sources) >= 20
    assert all("SYNTETISKE DATA" in s or s.startswith(not_data) for s in sources)
    assert 'class="banner"' in html and "body::before" in html  # title banner and watermark
    en = reports["en"]["html"].read_text(encoding="utf-8")
    en_sources = re.findall(r'<p class="source">([^<]*)</p>', en)
    assert all(
        "SYNTHETIC DATA" in s or s.startswith(("Source: Oslo", "Source: Ministry"))
        for s in en_sources
    )


def test_real_extract_is_not_marked(real_report):
    assert real_report["synthetic"] is False
    html = real_report["html"].read_text(encoding="utf-8")
    text = _pdf_text(real_report["pdf"]) + _visible_text(html)
    assert not re.search(r"syntet", text, re.I), "a real extract's report mentions synthetic data"
    assert "body::before" not in html and 'class="banner"' not in html
    sources = re.findall(r'<p class="source">([^<]*)</p>', html)
    assert sources and all(
        s.startswith(
            ("Kilde: Registerdata fra NAV", "Kilde: Oslo", "Kilde: Studiene", "Kilde: Finans")
        )
        for s in sources
    )


# --- The design gate decides what is a finding ------------------------------------------------


def _with_frame(tables: dict, name: str, frame: pd.DataFrame) -> dict:
    out = dict(tables)
    out[name] = Published(name, frame, {"keys": (), "counts": (), "values": ()}, "", ())
    return out


def _summary_text(doc: Document) -> str:
    s = next(s for s in doc.sections if s.id == "sammendrag")
    return " ".join(b.get("text", "") + b.get("lead", "") for b in s.blocks)


def _protected(frame: pd.DataFrame, values: tuple[str, ...]) -> Published:
    """A frame as the disclosure layer publishes it: a status and a flag per value column."""
    f = frame.reset_index(drop=True).copy()
    for c in values:
        f[sdc.status_col(c)] = np.where(f[c].isna(), "..", "")
        f[sdc.flag_col(c)] = False
    return Published("x", f, {"keys": (), "counts": (), "values": values}, "", ())


H = HEADLINE_ESTIMATOR
ROLE = {**ESTIMATOR_ROLES, "naive": "diagnostic"}
GATE_CHECKS = ("pretrend_leads", "pretrend_dip_window", "overlap", "balance")


def _effects_layer(tables: dict, credible: bool) -> dict:
    """The run's protected tables plus the effects layer's tables (docs/CONTRACT.md):
    roles and simultaneous bands in effects, the design gate, HonestDiD sensitivity, effects by
    months since exit and each purpose's effect on its intended outcome."""
    from analysis.design import INTENDED_OUTCOME_BY_PURPOSE

    out = dict(tables)
    eff = tables["effects"].frame.copy()
    eff["role"] = eff["estimator"].map(ROLE)
    head = eff["estimator"] == H
    eff["band_low"] = np.where(head, eff["estimate"] - 2.8 * eff["std_error"], np.nan)
    eff["band_high"] = np.where(head, eff["estimate"] + 2.8 * eff["std_error"], np.nan)
    out["effects"] = Published("effects", eff, tables["effects"].kwargs, "", (), n_suppressed=0)
    gate = []
    for est in ROLE:
        for check in GATE_CHECKS:
            fails = not credible and est == H and check == "pretrend_leads"
            p = 0.0004 if fails else 0.41
            gate.append(
                (est, "employed", "ALL", check, 7.5, 11.0, p, 0.05, not fails, credible, "x")
            )
    for check in GATE_CHECKS:  # one subgroup's own series fails its checks
        fails = check == "balance"
        gate.append(
            (H, "employed", "gender=female", check, 0.2, np.nan, np.nan)
            + (0.1, not fails, False, "x")
        )
    gate = pd.DataFrame(
        gate,
        columns=["estimator", "outcome", "subgroup", "check", "statistic", "df", "p_value"]
        + ["threshold", "passed", "credible", "detail"],
    )
    out["effects_design_gate"] = _protected(gate, ("statistic", "df", "p_value"))
    sens = []
    for measure, lo, hi in (("at_24", 0.021, 0.061), ("at_12", -0.004, 0.03)):
        for method, params, bd in (
            ("relative_magnitude", (0.0, 0.5, 1.0, 1.5, 2.0), 1.5),
            ("smoothness", (0.0, 0.001, 0.002), np.nan),
        ):
            for k, par in enumerate(params):
                w = 0.02 * k if method == "relative_magnitude" else 0.002 * k
                sens.append(
                    (
                        H,
                        "employed",
                        "ALL",
                        measure,
                        method,
                        par,
                        lo - w,
                        hi + w,
                        k == 0,
                        bd if measure == "at_24" else np.nan,
                    )
                )
    sens = pd.DataFrame(
        sens,
        columns=["estimator", "outcome", "subgroup", "measure", "method", "parameter"]
        + ["ci_low", "ci_high", "is_original", "breakdown"],
    )
    out["effects_sensitivity"] = _protected(sens, ("ci_low", "ci_high", "breakdown"))
    m = np.arange(0, 25)
    est = 0.02 + 0.001 * m
    ex = pd.DataFrame(
        {
            "estimator": H,
            "outcome": "employed",
            "subgroup": "ALL",
            "months_since_exit": m,
            "estimate": est,
            "std_error": 0.008,
            "ci_low": est - 0.0157,
            "ci_high": est + 0.0157,
            "n_treated": 400,
            "is_headline": True,
        }
    )
    out["effects_exit"] = _protected(ex, ("estimate", "std_error", "ci_low", "ci_high"))
    rows = []
    for k, (purpose, outcome) in enumerate(INTENDED_OUTCOME_BY_PURPOSE.items()):
        for measure, e in (("at_12", 0.03), ("at_24", 0.05)):
            rows.append(
                (purpose, outcome, H, measure, e, 0.01, e - 0.0196)
                + (e + 0.0196, 150 + k, purpose != "ANNET")
            )
    ie = pd.DataFrame(
        rows,
        columns=["purpose", "intended_outcome", "estimator", "measure", "estimate"]
        + ["std_error", "ci_low", "ci_high", "n_treated", "credible"],
    )
    out["effects_intended"] = _protected(ie, ("estimate", "std_error", "ci_low", "ci_high"))
    return out


@pytest.fixture(scope="module")
def meta(warehouse) -> dict:
    from analysis.report.build import _meta
    from analysis.report.publish import Warehouse

    with Warehouse(warehouse) as wh:
        return _meta(wh)


def _section(doc: Document, sid: str):
    return next(s for s in doc.sections if s.id == sid)


def _text(blocks) -> str:
    out = []
    for b in blocks:
        for k in ("text", "lead", "caption", "note", "reading"):
            if isinstance(b.get(k), str):
                out.append(b[k])
        for row in b.get("rows", []) or []:
            out.extend(str(c) for c in row)
        out.extend(b.get("items", []) or [])
    return " ".join(out)


def test_a_credible_design_presents_the_findings_with_their_uncertainty(warehouse, meta):
    from analysis.report import evidence as ev

    tables = _effects_layer(published_tables(warehouse), credible=True)
    doc = build_document(tables, meta, "nb", date=DATE)
    b = Builder(tables, meta, "nb")
    assert ev.gate(b).credible is True and ev.gate(b).source == "gate"
    h = ev.headline(b)
    summary = _summary_text(doc)
    first = next(x for x in _section(doc, "sammendrag").blocks if x["kind"] == "finding")
    assert first["lead"] == "**Virker arbeidstrening?**"
    lock = fmt.format_number(abs(h["lock_in_0_5"].estimate) * 100, 1, "nb") + " prosentpoeng"
    late = fmt.format_number(abs(h["at_24"].estimate) * 100, 1, "nb") + " prosentpoeng"
    assert lock in first["text"] and late in first["text"]
    assert "95 % konfidensintervall" in first["text"]
    assert b.ci(h["at_24"].ci_low, h["at_24"].ci_high) in first["text"]
    assert "kan ikke fastslås" not in summary
    eff = _section(doc, "effekter")
    text = _text(eff.blocks)
    assert "Designkontrollen er bestått" in text
    # the checks by name, in words (no codes), and every analysis of the layer is there
    assert "Like grupper i månedene rett før start" in text
    assert not re.search(r"pretrend_|relative_magnitude|selection_on", text)
    assert "ikke estimert i denne kjøringen" not in text
    assert "Lik historikk før start" in text and "Enkel forskjell-i-forskjell" in text
    assert "Relativ størrelse" in text and "under 1,50 ganger" in text
    assert "inneholder null allerede uten tillatt avvik" in text  # at_12's original CI spans 0
    figs = [x for x in eff.blocks if x["kind"] == "figure"]
    assert len(figs) == 3  # months since start, since exit beside start, the designs
    assert "95 % bånd for alle måneder samtidig" in figs[0]["chart"].legend
    assert "samtidig bånd" in figs[0]["note"]
    hvem = _text(_section(doc, "for_hvem").blocks)
    assert "ikke estimert i denne kjøringen" not in hvem
    sub = next(x for x in _section(doc, "for_hvem").blocks if x["kind"] == "table")
    women = next(r for r in sub["rows"] if r[0].endswith("Kvinner"))
    assert women[2].endswith("†") and women[4].endswith("†")  # its own gate fails: no finding
    assert "kvinner" not in summary.lower()  # neither named nor in a difference
    intended = next(
        x for x in _section(doc, "for_hvem").blocks if x.get("caption", "").startswith("Effekt av")
    )
    annet = next(r for r in intended["rows"] if r[0] == fmt.label("ANNET", "nb", "purpose"))
    assert not annet[3].endswith("*")  # its own series fails its gate: no significance mark
    assert any(r[3].endswith("*") for r in intended["rows"])


def test_benefit_intervals_are_said_to_cover_less_often_with_the_measured_coverage(warehouse, meta):
    from analysis.design import HEADLINE_MEASURED_COVERAGE

    scales = sorted(HEADLINE_MEASURED_COVERAGE)
    small, large = (HEADLINE_MEASURED_COVERAGE[s][1] for s in (scales[0], scales[-1]))
    tables = _effects_layer(published_tables(warehouse), credible=True)
    c12, c24 = (round(100 * small[("any_benefit", m)][0]) for m in ("at_12", "at_24"))
    l24 = [round(100 * large[(o, "at_24")][0]) for o in ("any_benefit", "employed")]
    errors = [
        abs(c[(o, "at_24")][1])
        for _, c in HEADLINE_MEASURED_COVERAGE.values()
        for o in ("employed", "any_benefit")
    ]
    for lang, lead, of, wider in (
        (
            "nb",
            "Intervallene treffer sjeldnere enn de sier.",
            "av 100",
            "{} prosentpoeng for smale",
        ),
        (
            "en",
            "The intervals cover the truth less often than they say.",
            "of 100",
            "{} percentage points too narrow",
        ),
    ):
        doc = build_document(tables, meta, lang, date=DATE)
        blocks = _section(doc, "effekter").blocks
        at = next(i for i, x in enumerate(blocks) if lead in (x.get("text") or ""))
        assert blocks[at - 1]["kind"] == "table"  # right under the table of benefits
        text = blocks[at]["text"]
        b24 = fmt.format_signed(small[("any_benefit", "at_24")][1], 1, lang)
        assert f"{c12} {of}" in text and f"{c24} {of}" in text and b24 in text
        # the largest registers: as large errors, narrower intervals, lower coverage
        assert all(f"{c} {of}" in text for c in l24)
        assert fmt.format_signed(large[("employed", "at_24")][1], 1, lang) in text
        assert fmt.format_percent(scales[-1], 0, lang) in text
        # read as wider by the mean absolute error at 24 months, derived from the same figures
        assert wider.format(fmt.format_number(sum(errors) / len(errors), 1, lang)) in text
        # and right under it, the table of every size: one row each, with its coverage
        table = blocks[at + 1]
        assert table["kind"] == "table" and len(table["rows"]) == len(scales)
        for row, scale in zip(table["rows"], scales, strict=True):
            n_worlds, cov = HEADLINE_MEASURED_COVERAGE[scale]
            assert row[:2] == [
                fmt.format_percent(scale, 0, lang),
                fmt.format_number(n_worlds, 0, lang),
            ]
            want = [cov[("employed", "at_12")][0], cov[("employed", "at_24")][0]]
            assert row[2:4] == [fmt.format_percent(c, 0, lang) for c in want]
            assert row[7] == fmt.format_signed(cov[("any_benefit", "at_24")][1], 1, lang)


def test_the_summary_says_the_intervals_are_too_narrow(warehouse, meta):
    from analysis.design import HEADLINE_MEASURED_COVERAGE

    lowest = min(c for _, cov in HEADLINE_MEASURED_COVERAGE.values() for c, _ in cov.values())
    tables = _effects_layer(published_tables(warehouse), credible=True)
    for lang, words in (
        ("nb", ("intervaller er for smale", "sjeldnere jo større registeret")),
        ("en", ("intervals are too narrow", "less often the larger the register")),
    ):
        doc = build_document(tables, meta, lang, date=DATE)
        text = " ".join(x.get("text") or "" for x in _section(doc, "sammendrag").blocks)
        assert all(w in text for w in words)
        assert f"{round(100 * lowest)} {'av' if lang == 'nb' else 'of'} 100" in text


def test_a_design_that_fails_the_gate_is_not_presented_as_a_finding(warehouse, meta):
    from analysis.report import evidence as ev

    tables = _effects_layer(published_tables(warehouse), credible=False)
    # the pre-trend test of the diagnostics passes: the effects layer's gate decides
    diag = tables["effects_diagnostics"].frame.copy()
    diag["p_value"] = 0.5
    tables = _with_frame(tables, "effects_diagnostics", diag)
    doc = build_document(tables, meta, "nb", date=DATE)
    b = Builder(tables, meta, "nb")
    g = ev.gate(b)
    assert g.credible is False and g.failed == ["pretrend_leads"]
    blocks = _section(doc, "sammendrag").blocks
    first = next(x for x in blocks if x["kind"] == "finding")
    assert "Det kan ikke fastslås" in first["text"]
    assert "stabil forskjell gjennom utgangspunktet (placebo)" in first["text"]
    h = ev.headline(b)
    summary = _summary_text(doc)
    for m in ("lock_in_0_5", "at_12", "at_24"):
        shown = fmt.format_number(abs(h[m].estimate) * 100, 1, "nb") + " prosentpoeng"
        assert shown not in summary, m
    assert "Designkontrollen er bestått" not in summary
    eff = _section(doc, "effekter")
    assert eff.blocks[3]["kind"] == "warning"
    assert "Anslaget er ikke troverdig" in eff.blocks[3]["text"]
    figs = [x for x in eff.blocks if x["kind"] == "figure"]
    assert all("Ikke troverdig" in x["caption"] for x in figs[:2])  # since start, since exit
    text = _text(eff.blocks)
    assert "I de første seks månedene er andelen i arbeid" not in text  # no reading as effect
    hvem = _section(doc, "for_hvem").blocks
    assert any(x["kind"] == "warning" for x in hvem)
    assert "statistisk sikker positiv for" not in summary


def test_without_a_gate_table_the_fallback_is_the_pretrend_test(warehouse, meta):
    """Only a run without effects_design_gate falls back on the pre-trend test (as the method
    appendix states); a gate table without a row for the headline leaves it not assessed."""
    from analysis.report import evidence as ev

    # a run without the design gate (e.g. a warehouse from before it existed)
    tables = {k: v for k, v in published_tables(warehouse).items() if k != "effects_design_gate"}
    diag = tables["effects_diagnostics"].frame.copy()
    pre = diag["diagnostic"].astype(str).str.startswith("pretrend")
    head = pre & (diag["estimator"] == H) & (diag["subgroup"] == "ALL")
    head &= diag["outcome"] == "employed"
    assert head.sum() == 1
    for p, credible in ((1e-9, False), (0.40, True)):
        d = diag.copy()
        d.loc[head, "p_value"] = p
        t = _with_frame(tables, "effects_diagnostics", d)
        g = ev.gate(Builder(t, meta, "nb"))
        assert g.source == "pretrend" and g.credible is credible
        text = _summary_text(build_document(t, meta, "nb", date=DATE))
        assert ("kan ikke fastslås" in text) is not credible
        assert ("Designkontrollen er bestått" in text) is credible
    other = _effects_layer(tables, credible=True)
    gate = other["effects_design_gate"].frame
    gate = gate[gate["estimator"] != H]
    t = _with_frame(_with_frame(tables, "effects_diagnostics", diag), "effects_design_gate", gate)
    g = ev.gate(Builder(t, meta, "nb"))
    assert g.source == "gate" and g.credible is None
    assert "ikke anslått og kontrollert" in _summary_text(build_document(t, meta, "nb", date=DATE))
    doc = build_document(tables, meta, "nb", date=DATE)
    assert "bare hvis testen ikke forkaster" in _text(_section(doc, "metode").blocks)


def test_the_summary_names_the_gains_left_out_because_their_estimate_failed(warehouse, meta):
    """The cost layer notes a measure whose channel it excluded (failed design gate); the summary
    names those gains among what the calculation leaves out, and only those."""
    from analysis.costs.valuation import CHANNEL_EXCLUDED
    from analysis.report.labels import lab

    tables = _effects_layer(published_tables(warehouse), credible=True)
    ce = tables["cost_effectiveness"].frame.copy()
    ce["note"] = None
    tax = (ce["subgroup"] == "ALL") & (ce["measure"] == "tax_revenue_gain_pv")
    assert tax.any()
    ce.loc[tax, "note"] = f"{CHANNEL_EXCLUDED}: design gate: not credible (pretrend_leads)"
    doc = build_document(_with_frame(tables, "cost_effectiveness", ce), meta, "nb", date=DATE)
    text = _summary_text(doc)
    left_out = "gevinster som bygger på anslag som ikke holder kontrollene"
    assert f"{left_out} ({lab('tax_revenue_gain_pv', 'nb', 'cost_measure').lower()})" in text
    ce["note"] = None
    doc = build_document(_with_frame(tables, "cost_effectiveness", ce), meta, "nb", date=DATE)
    assert left_out not in _summary_text(doc)


# --- Subgroups: significance, minimum size, reading ---------------------------------------------


def test_subgroup_table_marks_significance_and_small_groups(warehouse):
    from analysis.design import MIN_SUBGROUP_TREATED
    from analysis.report.chapters.for_hvem import subgroup_label

    doc = _doc(warehouse, "nb")
    sec = next(s for s in doc.sections if s.id == "for_hvem")
    tab = next(b for b in sec.blocks if b["kind"] == "table")
    assert tab["reading"].startswith("Lesing:")
    assert str(MIN_SUBGROUP_TREATED) in tab["note"]
    summ = publishable_tables(warehouse)["effects_summary"][0]
    s = summ[
        (summ["estimator"] == H)
        & (summ["outcome"] == "employed")
        & (summ["measure"] == "lock_in_0_5")
    ]
    small = s[s["n_treated"].notna() & (s["n_treated"] < MIN_SUBGROUP_TREATED)]
    rows = {r[0]: r for r in tab["rows"]}
    for g in small["subgroup"]:
        assert "(få)" in rows[subgroup_label(g, "nb")][1]
    # a star marks exactly the significant estimates of groups large enough whose own series
    # passes its design checks (a failing one is marked † and not read)
    sig = (s["ci_low"] > 0) | (s["ci_high"] < 0)
    big = s["n_treated"].notna() & (s["n_treated"] >= MIN_SUBGROUP_TREATED)
    starred = 0
    for g, is_sig, is_big in zip(s["subgroup"], sig, big, strict=True):
        cell = rows[subgroup_label(g, "nb")][2]
        if cell.endswith("*"):
            starred += 1
            assert is_sig and is_big, (g, cell)
        elif is_sig and is_big and re.search(r"\d", cell):  # not a suppressed cell
            assert cell.endswith("†"), (g, cell)
    assert len(s) > 5 and starred <= int((sig & big).sum())


@pytest.mark.parametrize(("other", "differs"), [(0.045, False), (0.0, True)])
def test_subgroups_are_called_different_only_when_the_difference_is_significant(
    warehouse, meta, other, differs
):
    """Two status groups, each with a significant effect of +5,0 points: the summary calls them
    different only when the test of the difference rejects (not because one is significant and
    the other is not, nor because the point estimates differ)."""
    tables = _effects_layer(published_tables(warehouse), credible=True)
    summ = tables["effects_summary"].frame
    keep = summ[summ["subgroup"] == "ALL"]
    rows = []
    for g, e in (("status_group=ARBEIDSSOKER", 0.05), ("status_group=NEDSATT_ARBEIDSEVNE", other)):
        for m in ("lock_in_0_5", "at_24"):
            rows.append(
                {
                    "estimator": H,
                    "outcome": "employed",
                    "subgroup": g,
                    "measure": m,
                    "estimate": e,
                    "std_error": 0.01,
                    "ci_low": e - 0.0196,
                    "ci_high": e + 0.0196,
                    "n_treated": 500,
                    "is_headline": True,
                }
            )
    fake = pd.concat([keep[[c for c in keep.columns if c in rows[0]]], pd.DataFrame(rows)])
    tables["effects_summary"] = _protected(fake, ("estimate", "std_error", "ci_low", "ci_high"))
    doc = build_document(tables, meta, "nb", date=DATE)
    whom = next(
        x["text"]
        for x in _section(doc, "sammendrag").blocks
        if x["kind"] == "finding" and x["lead"] == "**For hvem?**"
    )
    assert ("Forskjellen mellom gruppene er statistisk sikker" in whom) is differs
    assert ("Ingen av forskjellene" in whom) is not differs
    assert "arbeidssøker" in whom.lower()
    diff = next(
        x for x in _section(doc, "for_hvem").blocks if x.get("caption", "").startswith("Forskjell")
    )
    assert len(diff["rows"]) == 1 and diff["rows"][0][3] == ("Ja" if differs else "Nei")


# --- Language -----------------------------------------------------------------------------------


def test_every_chapter_has_its_own_texts_in_both_languages():
    for sid, mod in MODULES.items():
        assert len(mod.TITLE) == 2 and all(mod.TITLE), sid
        if hasattr(mod, "TEXT"):
            assert isinstance(mod.TEXT, Texts), sid
    with pytest.raises(ValueError, match="differ"):
        Texts({"x": ("Det var {n} personer.", "There were {m} persons.")})


def test_no_file_names_flags_or_guessing_in_the_prose(reports):
    for r in reports.values():
        text = _visible_text(r["html"].read_text(encoding="utf-8")) + _pdf_text(r["pdf"])
        assert not re.search(r"(?<![\w-])--[a-z]", text), "a command-line flag in the prose"
        assert not re.search(r"\b[\w-]+\.(csv|sql|duckdb|parquet|json|txt|py)\b", text), (
            "a file name"
        )
        assert "gjetter" not in text and "guess" not in text
        assert "Raden «" not in text


def _without_references(html: str) -> str:
    """The reference list cites English titles in English; the rest must be in the language."""
    return re.sub(r'<section id="referanser".*?</section>', "", html, flags=re.S)


def test_nb_report_uses_norwegian_number_formats(reports):
    text = _visible_text(_without_references(reports["nb"]["html"].read_text(encoding="utf-8")))
    assert re.search(r"\d\u202f\d{3}", text), "no thousands with narrow no-break space"
    assert re.search(r"\d,\d\u00a0%", text), "no decimal comma percentages like 1,5 %"
    assert not re.search(r"\d\.\d+\s?%", text), "English decimal point in a percentage"
    assert "\u2212" in text, "bokmål minus sign expected for negative effects"
    for word in ("Figure ", "Table ", "Source:", " the ", "Summary"):
        assert word not in text, f"English word {word!r} in the bokmål report"


def test_en_report_uses_english_formats(reports):
    text = _visible_text(_without_references(reports["en"]["html"].read_text(encoding="utf-8")))
    assert re.search(r"\d,\d{3}", text)
    assert re.search(r"\d\.\d%", text)
    for word in ("Figur ", "Tabell ", "Kilde:", "Sammendrag", "Hovedfunn"):
        assert word not in text, f"Norwegian word {word!r} in the English report"


# --- Figures ------------------------------------------------------------------------------------


def test_figures_print_at_8pt_or_more_and_legends_list_only_what_is_drawn(warehouse):
    from analysis.report.figures import MIN_FONT_PT, WIDTH

    for lang in ("nb", "en"):
        doc = _doc(warehouse, lang)
        charts = [b["chart"] for b in _blocks(doc, "figure")]
        assert len(charts) > 10
        for c in charts:
            assert c.size_in[0] == pytest.approx(WIDTH)
            assert c.min_font_pt >= MIN_FONT_PT, (c.alt[:60], c.min_font_pt)
            m = re.search(r'width="([\d.]+)pt"', c.svg)
            assert m and float(m[1]) == pytest.approx(WIDTH * 72, rel=1e-3)


def test_legend_leaves_out_a_series_with_nothing_drawn():
    from analysis.report import figures as figs

    months = [201901, 201902, 201903]
    df = pd.DataFrame(
        {
            "year_month": months * 3,
            "status_group": ["ALL"] * 3 + ["NEDSATT_ARBEIDSEVNE_ELLER_ANNET"] * 3 + ["ANNET"] * 3,
            "n_participants": [20, 21, 22, 9, 9, 10, np.nan, np.nan, np.nan],
        }
    )
    groups = [
        ("ALL", "Alle"),
        ("NEDSATT_ARBEIDSEVNE_ELLER_ANNET", "Nedsatt arbeidsevne eller annet"),
        ("ANNET", "Annet"),
    ]
    c = figs.participants_over_time(df, groups, "nb", "Antall", "Måned")
    assert c.legend == ["Alle", "Nedsatt arbeidsevne eller annet"]  # the merged group is drawn
    assert "Annet: ingen verdier vises" in c.alt


def test_censored_value_is_not_drawn_as_zero(monkeypatch):
    """A share not yet observed (or hidden) gets no bar and its symbol, not a bar of 0."""
    import matplotlib.axes

    from analysis.report import figures as figs

    bars, texts = [], []
    orig_barh, orig_bar = matplotlib.axes.Axes.barh, matplotlib.axes.Axes.bar
    orig_text = matplotlib.axes.Axes.text

    def barh(self, y, width, *a, **k):
        bars.append(np.atleast_1d(np.asarray(width, dtype=float)))
        return orig_barh(self, y, width, *a, **k)

    def bar(self, x, height, *a, **k):  # barh draws through bar: count vertical bars only
        if k.get("orientation", "vertical") == "vertical":
            bars.append(np.atleast_1d(np.asarray(height, dtype=float)))
        return orig_bar(self, x, height, *a, **k)

    def text(self, x, y, s, *a, **k):
        texts.append(s)
        return orig_text(self, x, y, s, *a, **k)

    monkeypatch.setattr(matplotlib.axes.Axes, "barh", barh)
    monkeypatch.setattr(matplotlib.axes.Axes, "bar", bar)
    monkeypatch.setattr(matplotlib.axes.Axes, "text", text)
    c = figs.grouped_bars(
        ["A", "B"],
        [("6 mnd.", [0.5, 0.4]), ("24 mnd.", [0.45, np.nan])],
        "nb",
        "Prosent",
        symbols=[[None, None], [None, ".."]],
    )
    assert [len(w) for w in bars] == [2, 1]  # B has no bar at 24 months
    assert np.isfinite(np.concatenate(bars)).all()
    assert texts == ["50", "40", "45", ".."]  # labelled '..' (not available), not 0
    assert "24 mnd. ikke tilgjengelig" in c.alt
    bars.clear()
    texts.clear()
    figs.stacked_states(
        ["1", "24"], [("I arbeid", [0.5, np.nan]), ("Ingen", [0.5, np.nan])], "nb", "k", "%"
    )
    assert [len(h) for h in bars] == [1, 1] and np.isfinite(np.concatenate(bars)).all()
    assert ".." in texts  # the horizon not yet observed is marked, not drawn as an empty bar


def test_recent_half_years_that_cannot_be_followed_are_not_drawn(warehouse):
    """Durations by half-year of start: the actual length of half-years that cannot yet be
    followed 12 months is censored and not drawn (it would read as a fall)."""
    from analysis.report.build import _meta
    from analysis.report.publish import Warehouse

    with Warehouse(warehouse) as wh:
        meta = _meta(wh)
    b = Builder({}, meta, "nb")
    end = meta["observation_end"]
    last_ok = f"{end.year - 1}H2"
    assert b.followed(last_ok, 12) and not b.followed(f"{end.year}H1", 12)
    doc = _doc(warehouse, "nb")
    fig = next(f for f in _blocks(doc, "figure") if f["id"] == "fig-varighet-1")
    m = re.search(
        r"Faktisk varighet, median: fra [^(]*\(([^)]*)\) til [^(]*\(([^)]*)\)", fig["alt"]
    )
    assert m, fig["alt"]
    year, half = m[2].split("-")
    assert b.followed(f"{year}H{half}", 12)
    assert "ikke tegnet" in fig["note"]


# --- Disclosure control --------------------------------------------------------------------------


def test_no_disclosure_violations(warehouse):
    assert disclosure_violations(warehouse) == {}


def test_publishable_tables_are_the_protected_ones_and_pass_the_check(warehouse):
    tables = publishable_tables(warehouse)
    for name in (
        "participants_monthly",
        "purpose_distribution",
        "transitions",
        "effects",
        "nav_exit_status",
    ):
        assert name in tables
    for name, (frame, kwargs) in tables.items():
        for c in (*kwargs["counts"], *kwargs["values"]):
            assert sdc.status_col(c) in frame.columns, (name, c)
    con = duckdb.connect(str(warehouse), read_only=True)
    assert sdc.audit_protected(con) == []  # the blocking check, run again on the published copy
    con.close()


def test_csv_export_has_no_small_counts(reports):
    """Independent scan of every exported CSV: no count column holds a value 1-4."""
    for r in reports.values():
        files = sorted(r["tables_dir"].glob("*.csv"))
        assert len(files) >= 10
        for f in files:
            df = pd.read_csv(f)
            for c in [
                c
                for c in df.columns
                if (c == "n" or c.startswith("n_")) and not c.endswith(("_suppressed", "_status"))
            ]:
                v = pd.to_numeric(df[c], errors="coerce")
                assert df[(v > 0) & (v < 5)].empty, f"{f.name}: {c} has values 1-4"
            for c in df.columns:
                if c.endswith("_suppressed"):
                    flagged = df[c].astype(str).str.lower().eq("true")
                    assert df.loc[flagged, c[: -len("_suppressed")]].isna().all(), f"{f.name}: {c}"


def test_small_cell_renders_as_colon_in_html():
    raw = pd.DataFrame(
        {
            "purpose": ["ARBEIDSERFARING", "UTPROVING", "SPRAAKOPPLAERING", "ALL"],
            "n": [40, 17, 3, 60],
        }
    )
    sup = sdc.suppress_table(raw, "n", ["purpose"])
    kwargs = {"counts": ("n",), "values": ()}
    assert check_tables({"x": (sup, kwargs)}) == {}
    b = Builder({"x": Published("x", sup, kwargs, "", ())}, {}, "nb")
    b.start("deltakere")
    rows = [
        [fmt.label(p, "nb", "purpose"), b.cell(sup, sup["purpose"] == p, "n")[0]]
        for p in raw["purpose"]
    ]
    sec = Section(
        "test", "Test", [b.table("Små celler", ["Formål", "Antall"], rows)], kind="summary"
    )
    html = render_html(
        Document(
            "nb",
            "T",
            "S",
            [sec],
            [],
            [],
            "",
            titlepage={"commissioner": "", "rows": []},
            words={"contents": "Innhold", "back_to_contents": "Til innholdet", "watermark": ""},
        )
    )
    cells = re.findall(r'<td class="r">([^<]*)</td>', html)
    assert cells[2] == ":" and cells[1] == ":"  # the 3, and the 17 that would give it back
    assert "3" not in cells and "17" not in cells
    assert cells[3] == "60" and cells[0] == "40"


@pytest.mark.parametrize(("status", "shown"), [("", "25"), (":", ":"), (".", "."), ("..", "..")])
def test_each_symbol_is_shown_for_its_status(status, shown):
    frame = pd.DataFrame(
        {
            "g": ["A"],
            "n": [25 if status == "" else np.nan],
            "n_status": [status],
            "n_suppressed": [status == ":"],
        }
    )
    b = Builder({"x": Published("x", frame, {"counts": ("n",), "values": ()}, "", ())}, {}, "nb")
    text, value = b.cell(frame, frame["g"] == "A", "n")
    assert text == shown
    assert (value == 25) if status == "" else np.isnan(value)


# --- NAV's "status etter tiltak" ---------------------------------------------------------------


def test_nav_exit_status_is_protected_and_its_hidden_cells_cannot_be_recovered(warehouse):
    """Within every year x status group, a hidden count is never the only one hidden while the
    total is shown (it would be the total minus the others); across years likewise. The
    blocking LP audit (previous test) covers combinations with all other tables."""
    frame = publishable_tables(warehouse)["nav_exit_status"][0]
    assert (frame["n_status"] == ":").any(), "the small warehouse should have hidden cells here"
    assert frame.loc[frame["n_status"] == ":", "n"].isna().all()
    for (_, _), g in frame.groupby(["exit_year", "status_group"]):
        hidden = (g["n_status"] == ":").sum()
        total_shown = g["n_exits_status"].eq("").all()
        assert not (hidden == 1 and total_shown)
    for (_, _), g in frame[frame["exit_year"] != "ALL"].groupby(["status_group", "status"]):
        all_row = frame[
            (frame["exit_year"] == "ALL")
            & (frame["status_group"] == g["status_group"].iloc[0])
            & (frame["status"] == g["status"].iloc[0])
        ]
        if all_row["n_status"].iloc[0] == "":
            assert (g["n_status"] == ":").sum() != 1
    shown = frame[frame["n_status"] == ""]
    assert not ((shown["n"] > 0) & (shown["n"] < 5)).any()


def test_nav_statistic_is_in_the_report_beside_the_study_definitions(warehouse):
    doc = _doc(warehouse, "nb")
    sec = next(s for s in doc.sections if s.id == "overganger")
    captions = [b["caption"] for b in sec.blocks if b["kind"] == "table"]
    assert any("NAVs definisjon" in c for c in captions)
    rec = next(b for b in sec.blocks if b["kind"] == "table" and "tre definisjoner" in b["caption"])
    assert len(rec["rows"]) == 3 and rec["rows"][0][0].startswith("NAVs statistikk")


# --- Missing tables --------------------------------------------------------------------------------


def _copy_without(warehouse: Path, tmp_path: Path, *tables: str) -> Path:
    wh = tmp_path / "copy.duckdb"
    shutil.copy(warehouse, wh)
    con = duckdb.connect(str(wh))
    for table in tables:
        con.execute(f"DROP TABLE IF EXISTS {table}")
    con.close()
    return wh


def test_missing_core_table_raises(warehouse, tmp_path):
    wh = _copy_without(warehouse, tmp_path, "protected.transitions")
    with pytest.raises(ReportDataError, match="protected.transitions"):
        build_report(wh, tmp_path / "out", "nb")
    assert not (tmp_path / "out" / "rapport.pdf").exists()


def test_missing_optional_tables_get_a_note_and_the_report_still_renders(warehouse, tmp_path):
    wh = _copy_without(
        warehouse,
        tmp_path,
        "protected.same_employer",
        "protected.nav_exit_status",
        "protected.costs_per_participant",
        "protected.cost_effectiveness",
        "protected.cost_sensitivity",
        "protected.effects_diagnostics",
        "protected.effects_design_gate",
    )
    res = build_report(wh, tmp_path / "out", "nb", date=DATE)
    assert {"marts.same_employer", "marts.nav_exit_status", "marts.cost_effectiveness"} <= set(
        res["missing"]
    )
    html = res["html"].read_text(encoding="utf-8")
    assert "ikke tilgjengelig i denne kjøringen" in html
    assert (
        "Designet er ikke kontrollert" in html
    )  # no gate, no pre-trend test: nothing is a finding
    assert not (res["tables_dir"] / "same_employer.csv").exists()


def test_analyses_the_effects_layer_did_not_deliver_are_marked_not_estimated(
    warehouse, meta, reports
):
    """The full run delivers every analysis of the effects layer; a warehouse without them (an
    older run, or a layer that failed) gets each marked as not estimated instead of a gap."""
    whats = (
        "Effekter etter måneder siden avslutning",
        "Følsomhetsanalysen for brudd på parallelle trender",
        "Sammenligningen med andre metoder",
        "Effekten av hvert formål på eget tilsiktet resultat",
        "Hovedanslaget med ett valg i metoden endret om gangen",
    )
    html = reports["nb"]["html"].read_text(encoding="utf-8")
    for what in whats:
        assert f"{what}: ikke estimert i denne kjøringen" not in html
    dropped = ("effects_exit", "effects_sensitivity", "effects_intended", "effects_specifications")
    tables = {k: v for k, v in published_tables(warehouse).items() if k not in dropped}
    eff = tables["effects"]
    tables["effects"] = Published(
        "effects", eff.frame.drop(columns=["role"]), eff.kwargs, "", (), n_suppressed=0
    )
    doc = build_document(tables, meta, "nb", date=DATE)
    text = " ".join(_text(s.blocks) for s in doc.sections)
    for what in whats:
        assert f"{what}: ikke estimert i denne kjøringen" in text, what


def test_cli_run(warehouse, tmp_path, capsys):
    from pipelines.cli import main

    assert (
        main(["report", "--warehouse", str(tmp_path / "nope.duckdb"), "--out", str(tmp_path)]) == 2
    )
    assert "no warehouse" in capsys.readouterr().err
    argv = ["report", "--warehouse", str(warehouse), "--out", str(tmp_path / "o")]
    assert main([*argv, "--report-number", "AT2-TEST-1"]) == 0
    assert "AT2-TEST-1" in _pdf_pages(tmp_path / "o" / "rapport.pdf")[0]


# --- Cost-effectiveness ----------------------------------------------------------------------------

COST_TABLES = ("costs_per_participant", "cost_effectiveness", "cost_sensitivity")


def test_cost_chapter_and_summary_give_cost_per_participant(reports, warehouse):
    cp = publishable_tables(warehouse)["costs_per_participant"][0]
    cost = cp[(cp["subgroup"] == "ALL") & (cp["component"] == "total_budget_cost")].iloc[0]
    shown = fmt.format_number(round(float(cost["nok_pv_per_participant"]), -2), 0, "nb")
    text = _pdf_text(reports["nb"]["pdf"])
    start = text.index("Virker arbeidstrening?")
    summary = text[start : text.index("Hva rapporten viser", start)]
    assert _norm(shown) in summary
    assert "Ikke med i beregningen" in summary
    for code in ("programme_cost_pv", "nav_follow_up", "break_even_employment_pp", "npv"):
        assert code not in _visible_text(reports["nb"]["html"].read_text(encoding="utf-8"))


def test_small_cost_subgroup_is_suppressed(warehouse, tmp_path):
    wh = tmp_path / "small.duckdb"
    shutil.copy(warehouse, wh)
    con = duckdb.connect(str(wh))
    sub = con.execute(
        "SELECT subgroup FROM marts.cost_effectiveness WHERE subgroup LIKE 'purpose=%' ORDER BY n_cost_base LIMIT 1"
    ).fetchone()[0]
    con.execute(f"UPDATE marts.cost_effectiveness SET n_cost_base = 3 WHERE subgroup = '{sub}'")
    con.execute(
        f"UPDATE marts.costs_per_participant SET n_participants = 3 WHERE subgroup = '{sub}'"
    )
    sdc.write_protected(con, sdc.protect(con))
    assert sdc.audit_protected(con) == []
    con.close()
    tables = publishable_tables(wh)
    for name, col in (
        ("cost_effectiveness", "estimate"),
        ("costs_per_participant", "nok_per_participant"),
        ("cost_sensitivity", "estimate"),
    ):
        f = tables[name][0]
        rows = f[f["subgroup"] == sub]
        assert len(rows) and rows[col].isna().all() and rows[sdc.flag_col(col)].all(), name


# --- Installed package -------------------------------------------------------------------------


@pytest.mark.slow
def test_report_renders_from_an_installed_wheel_outside_the_checkout(warehouse, tmp_path):
    """Build the wheel, install it into a fresh virtual environment and render the report there
    from a working directory outside the checkout: templates and fonts come from the package.

    The third-party dependencies are taken from the running environment (a path entry in the new
    environment's site-packages, after its own packages), so nothing is downloaded for them; the
    checkout's editable install is not visible there (its finder is not loaded)."""
    src = tmp_path / "src"  # build from a copy: building writes egg-info beside the sources
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in ("analysis", "pipelines"):
        shutil.copytree(ROOT / part, src / part, ignore=ignore)
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / part, src / part)
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(wheels)],
        check=True,
        cwd=tmp_path,
        capture_output=True,
        env=clean,
    )
    wheel = next(wheels.glob("arbeidstrening-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "analysis/report/templates/report.typ.j2" in names
    assert "analysis/report/fonts/DejaVuSans.ttf" in names
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (site / "zz_dependencies.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q"]
        + [str(wheel)],
        check=True,
        capture_output=True,
        env=clean,
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    script = (
        "import analysis; from pathlib import Path; "
        "from analysis.report import build_report; "
        "from analysis.report import render; "
        f"site = Path({str(site)!r}).resolve(); "
        "assert Path(analysis.__file__).resolve().is_relative_to(site), analysis.__file__; "
        "assert Path(render.__file__).resolve().is_relative_to(site), render.__file__; "
        f"r = build_report(Path({str(warehouse)!r}), Path('out'), 'nb'); "
        "print(r['pdf'].stat().st_size, r['html'].stat().st_size)"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MPLCONFIGDIR": str(tmp_path / "mpl")}
    done = subprocess.run(
        [str(python), "-c", script], cwd=work, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    pdf_size, html_size = (int(x) for x in done.stdout.split())
    assert pdf_size > 100_000 and html_size > 100_000
    pdf = work / "out" / "rapport.pdf"
    assert "SYNTETISKE DATA" in _pdf_pages(pdf)[0]
    assert not list(work.glob("out/**/*.j2")) and not (work / "reports").exists()
