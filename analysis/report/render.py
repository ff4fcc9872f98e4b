"""Render a :class:`~analysis.report.document.Document` to self-contained HTML and to a tagged PDF.

Templates and fonts are package data (``analysis/report/templates``, ``analysis/report/fonts``),
so an installed package renders the report anywhere. The HTML embeds every figure as a ``data:``
URI and carries its own screen and print styles. The PDF is compiled offline with the ``typst``
Python package as PDF/UA-1 (tagged: structure tree, document title and language, alternative text
for every figure), with the package's own fonts only, so the output does not depend on the
fonts of the machine.
"""

from __future__ import annotations

import base64
import html
import tempfile
from importlib import resources
from pathlib import Path

import jinja2

from analysis.report.document import Document, inline_runs

PACKAGE = "analysis.report"
PDF_STANDARD = "ua-1"


def package_dir(name: str) -> Path:
    """A data directory of the package (templates, fonts) as a real path."""
    return Path(str(resources.files(PACKAGE).joinpath(name)))


def _env(**kw) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader(PACKAGE, "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        **kw,
    )


def _html_inline(text: str) -> str:
    out = []
    for t, bold in inline_runs(text):
        e = html.escape(t, quote=False)
        out.append(f"<strong>{e}</strong>" if bold else e)
    return "".join(out)


def render_html(doc: Document) -> str:
    env = _env(autoescape=True)
    env.filters["b64"] = lambda svg: base64.b64encode(svg.encode("utf-8")).decode("ascii")
    env.filters["inline"] = lambda t: jinja2.utils.markupsafe.Markup(_html_inline(t))
    return env.get_template("report.html.j2").render(doc=doc)


def typst_string(text: object) -> str:
    """A Typst string literal holding `text` exactly (no markup interpretation)."""
    s = str(text)
    s = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")
    return f'"{s}"'


def _typst_inline(text: str) -> str:
    out = []
    for t, bold in inline_runs(text):
        lit = typst_string(t)
        out.append(f"#strong({lit})" if bold else f"#{lit}")
    return "".join(out)


def _typst_columns(block: dict) -> tuple[str, float, bool]:
    """Column spec, font size and whether to use the condensed face. Tables span the text width:
    explicit `widths` become fractions, otherwise the first (label) column gets 2.2 parts and
    each value column one. Wide tables get a condensed face, never a font below 8 pt."""
    n = len(block["header"])
    widths = block.get("widths") or [2.2] + [1.0] * (n - 1)
    condensed = n >= 6
    font = 8.5 if n <= 5 else 8.0
    return "(" + ", ".join(f"{w}fr" for w in widths) + ",)", font, condensed


def render_typst(doc: Document, fig_files: dict[str, str]) -> str:
    env = _env(
        autoescape=False,
        block_start_string="((%",
        block_end_string="%))",
        variable_start_string="((=",
        variable_end_string="=))",
        comment_start_string="{#",
        comment_end_string="#}",
    )
    env.filters["s"] = typst_string
    env.filters["inline"] = _typst_inline
    for sec in doc.sections:
        for b in sec.blocks:
            if b["kind"] == "figure":
                b["file"] = fig_files[b["id"]]
            if b["kind"] == "table":
                b["typst_columns"], b["font_size"], b["condensed"] = _typst_columns(b)
    return env.get_template("report.typ.j2").render(doc=doc)


def render_pdf(doc: Document, pdf_path: Path, keep_source: Path | None = None) -> None:
    """Compile the PDF (PDF/UA-1) from a temporary directory holding the Typst source and the
    figures as SVG files."""
    import typst

    with tempfile.TemporaryDirectory(prefix="at-report-") as tmp:
        d = Path(tmp)
        files = {}
        for sec in doc.sections:
            for b in sec.blocks:
                if b["kind"] == "figure":
                    name = f"{b['id']}.svg"
                    (d / name).write_text(b["svg"], encoding="utf-8")
                    files[b["id"]] = name
        src = d / "report.typ"
        src.write_text(render_typst(doc, files), encoding="utf-8")
        if keep_source is not None:
            keep_source.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
        pdf_path.parent.mkdir(parents=True, exist_ok=True)
        typst.compile(
            str(src),
            output=str(pdf_path),
            root=str(d),
            font_paths=[str(package_dir("fonts"))],
            ignore_system_fonts=True,
            pdf_standards=[PDF_STANDARD],
        )


__all__ = ["package_dir", "render_html", "render_pdf", "render_typst", "typst_string"]
