"""The report as a document: title page, foreword, summary, chapters, references and appendices,
built from the protected tables in bokmål or English. Rendering to HTML and PDF is in render.py.

Each part lives in its own module under :mod:`analysis.report.chapters` with its text pairs; the
order and numbering are in :mod:`analysis.report.outline`. Effect and cost numbers reach the
chapters only through :mod:`analysis.report.evidence` (which applies the design gate).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field

from analysis import formatting as fmt
from analysis.report import outline
from analysis.report.builder import Builder
from analysis.report.chapters import MODULES
from analysis.report.publish import Published
from analysis.report.text import Texts

TEXT = Texts(
    {
        "title": ("Evaluering av Arbeidstrening", "Evaluation of Arbeidstrening (work training)"),
        "subtitle": (
            "Delrapport 2: deltakere, resultater, effekter og kostnadseffektivitet",
            "Part 2: participants, outcomes, effects and cost-effectiveness",
        ),
        "commissioner": (
            "Utarbeidet på oppdrag fra Arbeids- og velferdsdirektoratet",
            "Commissioned by the Norwegian Directorate of Labour and Welfare",
        ),
        "report_number": ("Rapportnummer", "Report number"),
        "date": ("Dato", "Date"),
        "data_basis": ("Datagrunnlag", "Data"),
        "basis_real": (
            "Registerdata fra NAV og a-ordningen, {window}",
            "Register data from NAV and the a-ordning, {window}",
        ),
        "basis_synthetic": (
            "Syntetiske data (kunstig register), {window}",
            "Synthetic data (an artificial register), {window}",
        ),
        "synthetic_banner": (
            "SYNTETISKE DATA",
            "SYNTHETIC DATA",
        ),
        "synthetic_box": (
            "Denne rapporten er laget fra et kunstig register (syntetiske data), ikke fra NAVs "
            "registre. Ingen tall i rapporten sier noe om virkelige deltakere eller om "
            "effekten av Arbeidstrening, og ingen tall må siteres som resultater. Rapporten viser "
            "hvordan analysen ser ut når den kjøres på virkelige data. Generator: {generator}; "
            "scenario: {preset}; skala: {scale}; frø: {seed}.",
            "This report was made from an artificial register (synthetic data), not from NAV's "
            "registers. No figure in it says anything about real participants or about the "
            "effect of Arbeidstrening, and no figure may be quoted as a result. The report shows "
            "what the analysis looks like when run on real data. Generator: {generator}; "
            "scenario: {preset}; scale: {scale}; seed: {seed}.",
        ),
        "contents": ("Innhold", "Contents"),
        "back_to_contents": ("Til innholdet", "Back to contents"),
        "figure_word": ("Figur", "Figure"),
        "table_word": ("Tabell", "Table"),
    }
)


@dataclass
class Section:
    id: str
    title: str
    blocks: list[dict] = field(default_factory=list)
    number: str | None = None
    kind: str = "chapter"
    lang: str = "nb"

    @property
    def heading(self) -> str:
        """The heading as printed: "9 Effekter på sysselsetting", "Vedlegg A: Metode"."""
        if self.number is None:
            return self.title
        if self.kind == "appendix":
            word = "Vedlegg" if self.lang == "nb" else "Appendix"
            return f"{word} {self.number}: {self.title}"
        return f"{self.number} {self.title}"


@dataclass
class Document:
    lang: str
    title: str
    subtitle: str
    sections: list[Section]
    missing: list[str]
    summary_numbers: list[str]
    source_line: str
    synthetic: bool = False
    titlepage: dict = field(default_factory=dict)
    words: dict = field(default_factory=dict)

    @property
    def body(self) -> list[Section]:
        """Everything after the contents (the foreword comes before it)."""
        return [s for s in self.sections if s.kind != "front"]

    @property
    def front(self) -> list[Section]:
        return [s for s in self.sections if s.kind == "front"]


def section_titles(lang: str) -> list[str]:
    """Headings of the parts after the contents, in document order (tests use these)."""
    i = 0 if lang == "nb" else 1
    out = []
    for sid, kind in outline.OUTLINE:
        if kind == "front":
            continue
        s = Section(sid, MODULES[sid].TITLE[i], number=outline.number(sid), kind=kind, lang=lang)
        out.append(s.heading)
    return out


def _titlepage(b: Builder, meta: dict, report_number: str, date: dt.date) -> dict:
    tx = b.texts(TEXT)
    basis = tx("basis_synthetic" if b.synthetic else "basis_real", window=b.window)
    page = {
        "commissioner": tx("commissioner"),
        "rows": [
            (tx("report_number"), report_number),
            (tx("date"), fmt.format_date(date, b.lang)),
            (tx("data_basis"), basis),
        ],
        "synthetic_banner": tx("synthetic_banner") if b.synthetic else "",
        "synthetic_box": "",
    }
    if b.synthetic:
        scale = meta.get("scale", "?")
        with contextlib.suppress(TypeError, ValueError):
            scale = fmt.format_number(float(scale), 2, b.lang)
        page["synthetic_box"] = tx(
            "synthetic_box",
            generator=meta.get("generator", "?"),
            preset=meta.get("preset", "?"),
            scale=scale,
            seed=meta.get("seed", "?"),
        )
    return page


def default_report_number(meta: dict) -> str:
    """``AT2-202412-FF01A8``: part 2, the last month of data, the input's fingerprint (the same
    data give the same number; the directorate can set its own)."""
    end = meta.get("observation_end")
    ym = f"{end.year}{end.month:02d}" if hasattr(end, "year") else "000000"
    fp = str(meta.get("input_fingerprint", ""))[:6].upper() or "000000"
    return f"AT2-{ym}-{fp}"


def build_document(
    tables: dict[str, Published],
    meta: dict,
    lang: str,
    report_number: str | None = None,
    date: dt.date | None = None,
) -> Document:
    date = date or dt.date.today()
    meta = {**meta, "report_date": date}
    b = Builder(tables, meta, lang)
    i = 0 if lang == "nb" else 1
    built: dict[str, Section] = {}
    # The summary reads what the chapters conclude, so it is built last and placed first.
    order = [sid for sid, _ in outline.OUTLINE if sid != "sammendrag"] + ["sammendrag"]
    for sid in order:
        mod = MODULES[sid]
        b.start(sid)
        sec = Section(
            sid, mod.TITLE[i], number=outline.number(sid), kind=outline.KINDS[sid], lang=lang
        )
        sec.blocks = mod.build(b)
        built[sid] = sec
    sections = [built[sid] for sid, _ in outline.OUTLINE]
    tx = b.texts(TEXT)
    number = report_number or default_report_number(meta)
    return Document(
        lang=lang,
        title=tx("title"),
        subtitle=tx("subtitle"),
        sections=sections,
        missing=sorted(set(b.missing)),
        summary_numbers=b.summary_numbers,
        source_line=b.source,
        synthetic=b.synthetic,
        titlepage=_titlepage(b, meta, number, date),
        words={
            "contents": tx("contents"),
            "back_to_contents": tx("back_to_contents"),
            "watermark": tx("synthetic_banner") if b.synthetic else "",
        },
    )


def inline_runs(text: str) -> list[tuple[str, bool]]:
    """Split ``**bold**`` markup into (text, bold) runs."""
    parts = re.split(r"\*\*", text)
    return [(p, i % 2 == 1) for i, p in enumerate(parts) if p]


__all__ = [
    "Document",
    "Section",
    "build_document",
    "default_report_number",
    "inline_runs",
    "section_titles",
]
