"""The report's outline: which parts come in which order, and how they are numbered.

Front matter (title page, foreword, contents) is unnumbered; the summary comes first after the
contents, then the numbered chapters, the references, and the appendices (A, B, ...). Figures and
tables are numbered within their chapter, as in part 1 of the evaluation ("Figur 4-1").
"""

from __future__ import annotations

import string

OUTLINE: tuple[tuple[str, str], ...] = (
    ("forord", "front"),
    ("sammendrag", "summary"),
    ("innledning", "chapter"),
    ("deltakere", "chapter"),
    ("formal", "chapter"),
    ("hvem", "chapter"),
    ("varighet", "chapter"),
    ("overganger", "chapter"),
    ("maloppnaelse", "chapter"),
    ("kjeding", "chapter"),
    ("effekter", "chapter"),
    ("for_hvem", "chapter"),
    ("kostnader", "chapter"),
    ("diskusjon", "chapter"),
    ("referanser", "back"),
    ("metode", "appendix"),
    ("definisjoner", "appendix"),
    ("data", "appendix"),
    ("tabeller", "appendix"),
    ("kolofon", "appendix"),
)
"""(section id, kind) in document order; kind: front, summary, chapter, back or appendix."""

KINDS = dict(OUTLINE)


def number(section_id: str) -> str | None:
    """ "9" for the ninth chapter, "A" for the first appendix, None for unnumbered parts."""
    kind = KINDS[section_id]
    if kind not in ("chapter", "appendix"):
        return None
    same = [s for s, k in OUTLINE if k == kind]
    i = same.index(section_id)
    return str(i + 1) if kind == "chapter" else string.ascii_uppercase[i]


def reference(section_id: str, lang: str) -> str:
    """How the text refers to a part: "kapittel 9", "vedlegg A" / "chapter 9", "appendix A"."""
    kind = KINDS[section_id]
    n = number(section_id)
    if kind == "chapter":
        return f"kapittel {n}" if lang == "nb" else f"chapter {n}"
    if kind == "appendix":
        return f"vedlegg {n}" if lang == "nb" else f"appendix {n}"
    raise ValueError(f"{section_id} is not numbered")


__all__ = ["KINDS", "OUTLINE", "number", "reference"]
