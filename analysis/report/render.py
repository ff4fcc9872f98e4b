"""Render a :class:`~analysis.report.document.Document` to self-contained HTML and to PDF (Typst).

Templates live in ``reports/templates/`` (``report.html.j2``, ``report.typ.j2``). HTML embeds every
figure as a ``data:`` URI, so the file stands alone. The PDF is compiled offline with the ``typst``
Python package from a temporary directory holding the Typst source and the figures as SVG files.
"""

from __future__ import annotations

import base64
import html
import tempfile
from pathlib import Path

import jinja2

from analysis.report.document import Document, inline_runs

TEMPLATES = Path(__file__).resolve().parents[2] / "reports" / "templates"


def _env(**kw) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
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
    toc = "Innhold" if doc.lang == "nb" else "Contents"
    return env.get_template("report.html.j2").render(doc=doc, toc_title=toc)


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


def _typst_columns(block: dict) -> tuple[str, float]:
    """Column spec and font size. Explicit `widths` become fractions; otherwise every column is
    ``auto`` (Typst sizes it to its content and shrinks columns, wrapping at spaces, when the
    table would be wider than the page). Wide tables get a smaller font."""
    n = len(block["header"])
    widths = block.get("widths")
    font = 9.0 if n <= 5 else (8.3 if n <= 7 else 7.6)
    if widths:
        return "(" + ", ".join(f"{w}fr" for w in widths) + ",)", font
    return "(" + ", ".join(["auto"] * n) + ",)", font


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
                b["typst_columns"], b["font_size"] = _typst_columns(b)
    toc = "Innhold" if doc.lang == "nb" else "Contents"
    return env.get_template("report.typ.j2").render(doc=doc, toc_title=toc)


def render_pdf(doc: Document, pdf_path: Path, keep_source: Path | None = None) -> None:
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
        typst.compile(str(src), output=str(pdf_path), root=str(d))
