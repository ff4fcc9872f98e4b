"""The chapters' toolbox: numbers in the report's language, blocks (paragraphs, figures, tables),
numbering within the chapter, cross-references and the source line.

Every number shown comes from a frame of ``tables`` (the protected tables of
:mod:`analysis.report.publish`), so nothing unprotected reaches the page; a value that is not
published prints as its SSB symbol (':' '.' '..') and is not drawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import disclosure as sdc
from analysis import formatting as fmt
from analysis.report import outline
from analysis.report.figures import Chart
from analysis.report.publish import Published
from analysis.report.text import Texts, english

TRUE = ("true", "1", "yes")


def is_synthetic(meta: dict) -> bool:
    """Whether the warehouse was built from a synthetic extract (``meta.run_info`` key
    ``synthetic``, carried from the extract's ``extract.json``). A real extract has no flag."""
    return str(meta.get("synthetic", "")).strip().lower() in TRUE


TEXT = Texts(
    {
        "source_real": (
            "Kilde: Registerdata fra NAV og a-ordningen, {window}. Egne beregninger.",
            "Source: Register data from NAV and the a-ordning, {window}. Own calculations.",
        ),
        "source_synthetic": (
            "Kilde: SYNTETISKE DATA, ikke NAV-registre (kunstig register, scenario {preset}), "
            "{window}. Tallene sier ingenting om virkelige deltakere. Egne beregninger.",
            "Source: SYNTHETIC DATA, not NAV registers (artificial register, scenario {preset}), "
            "{window}. The figures say nothing about real participants. Own calculations.",
        ),
        "not_available": (
            "{what} er ikke tilgjengelig i denne kjøringen.",
            "{what} is not available in this run.",
        ),
        "not_estimated": (
            "{what}: ikke estimert i denne kjøringen.",
            "{what}: not estimated in this run.",
        ),
        "from_to": ("fra {a} til {b}", "from {a} to {b}"),
        "to": ("{a} til {b}", "{a} to {b}"),
        "pp": ("prosentpoeng", "percentage points"),
    }
)


class Builder:
    """Builds the document; one per report (language, warehouse)."""

    def __init__(self, tables: dict[str, Published], meta: dict, lang: str):
        self.P = tables
        self.meta = meta
        self.lang = lang
        self.synthetic = is_synthetic(meta)
        self.missing: list[str] = []
        self.missing_what: list[str] = []
        self.summary_numbers: list[str] = []
        self.section_id = ""
        self._n_fig = 0
        self._n_tab = 0
        self.cache: dict = {}
        ws, we = meta.get("observation_start"), meta.get("observation_end")
        self.window = (
            f"{fmt.format_year_month(ws, lang)}–{fmt.format_year_month(we, lang)}"
            if ws and we
            else fmt.MISSING
        )
        if self.synthetic:
            self.source = TEXT(
                "source_synthetic", lang, window=self.window, preset=meta.get("preset", "?")
            )
        else:
            self.source = TEXT("source_real", lang, window=self.window)

    # --- language ------------------------------------------------------------------------------

    def t(self, nb: str, en: str) -> str:
        """One short text in the report's language (labels); prose lives in each chapter's
        :class:`~analysis.report.text.Texts`."""
        return nb if self.lang == "nb" else english(en)

    def texts(self, texts: Texts):
        """``tx(key, **values)`` bound to this report's language."""
        return lambda key, **kw: texts(key, self.lang, **kw)

    # --- chapters and references --------------------------------------------------------------

    def start(self, section_id: str) -> None:
        """Begin a section: figures and tables are numbered within it ("Figur 9-2")."""
        self.section_id = section_id
        self._n_fig = 0
        self._n_tab = 0

    def ref(self, section_id: str) -> str:
        """ "kapittel 9" / "vedlegg A" (the report's language)."""
        return outline.reference(section_id, self.lang)

    def refs(self, *section_ids: str) -> str:
        """Several parts at once: "kapittel 3 og 5" / "chapters 3 and 5"."""
        nums = [outline.number(s) for s in section_ids]
        kind = outline.KINDS[section_ids[0]]
        if len(nums) == 1:
            return self.ref(section_ids[0])
        joined = ", ".join(nums[:-1]) + self.t(" og ", " and ") + nums[-1]
        if kind == "chapter":
            return self.t(f"kapittel {joined}", f"chapters {joined}")
        return self.t(f"vedlegg {joined}", f"appendices {joined}")

    def _label(self, word_nb: str, word_en: str, n: int) -> str:
        num = outline.number(self.section_id) or "0"
        return f"{self.t(word_nb, word_en)} {num}-{n}"

    # --- data ------------------------------------------------------------------------------------

    def frame(self, name: str) -> pd.DataFrame | None:
        p = self.P.get(name)
        return None if p is None else p.frame

    def full_years(self) -> list[int]:
        ann = self.frame("participants_annual")
        if ann is None:
            return []
        a = ann[ann["status_group"] == "ALL"]
        return sorted(int(y) for y in a.loc[a["n_months"] >= 12, "year"])

    def cell(self, df: pd.DataFrame, mask, col: str, kind: str = "num", decimals: int = 0):
        """(formatted text, value) of one cell; its SSB symbol (':' '.' '..') when not published."""
        sub = df.loc[mask]
        if sub.empty:
            return fmt.MISSING, np.nan
        r = sub.iloc[0]
        sym = sdc.symbol(r, col)
        v = r[col]
        if sym:
            return sym, np.nan
        if fmt.is_missing(v):
            return fmt.MISSING, np.nan
        if kind == "pct":
            txt = self.pct_smart(v) if decimals == 0 else self.pct(v, decimals)
            return txt, float(v)
        return self.num(v, decimals), float(v)

    def followed(self, half_year: str, months: int) -> bool:
        """Whether every spell of a half-year (``"2022H2"``) can be followed `months` months
        after the half-year's end inside the observation window."""
        end = self.meta.get("observation_end")
        year, _, half = str(half_year).partition("H")
        if not half or not hasattr(end, "year"):
            return True
        last = int(year) * 12 + (5 if half == "1" else 11)
        return last + months <= end.year * 12 + end.month - 1

    # --- numbers ---------------------------------------------------------------------------------

    def pct(self, share, decimals: int = 0, suppressed: bool = False) -> str:
        return fmt.format_percent(share, decimals, self.lang, suppressed=suppressed)

    def num(self, x, decimals: int = 0, suppressed: bool = False) -> str:
        return fmt.format_number(x, decimals, self.lang, suppressed=suppressed)

    def pct_smart(self, share, suppressed: bool = False) -> str:
        """Percent with one decimal below 10 %, none above (so 0,4 % does not print as 0 %)."""
        if not fmt.is_missing(share) and abs(float(share)) < 0.1:
            return self.pct(share, 1, suppressed)
        return self.pct(share, 0, suppressed)

    def signed_pp(self, x, decimals: int = 1) -> str:
        """An effect (a share difference) as signed percentage points, without the unit."""
        if fmt.is_missing(x):
            return fmt.MISSING
        return fmt.format_signed(float(x) * 100, decimals, self.lang)

    def pp(self, x, decimals: int = 1) -> str:
        """``"+4,5 prosentpoeng"``."""
        if fmt.is_missing(x):
            return fmt.MISSING
        return f"{self.signed_pp(x, decimals)} {TEXT('pp', self.lang)}"

    def pp_abs(self, x, decimals: int = 1) -> str:
        """``"4,5 prosentpoeng"``: the size of an effect without its sign."""
        if fmt.is_missing(x):
            return fmt.MISSING
        return (
            f"{fmt.format_number(abs(float(x)) * 100, decimals, self.lang)} {TEXT('pp', self.lang)}"
        )

    def ci(self, lo, hi, decimals: int = 1, words: bool = False) -> str:
        """A 95 % interval of an effect in percentage points: ``"−2,1 til +0,4"``."""
        if fmt.is_missing(lo) or fmt.is_missing(hi):
            return fmt.MISSING
        a = fmt.format_signed(float(lo) * 100, decimals, self.lang)
        b = fmt.format_signed(float(hi) * 100, decimals, self.lang)
        return TEXT("from_to" if words else "to", self.lang, a=a, b=b)

    def nok(self, x, signed: bool = False) -> str:
        """NOK rounded to the nearest 100 (the estimates are not more precise than that)."""
        if fmt.is_missing(x):
            return fmt.MISSING
        v = round(float(x), -2)
        return fmt.format_signed(v, 0, self.lang) if signed else self.num(v)

    # --- blocks ----------------------------------------------------------------------------------

    def figure(self, chart: Chart, caption: str, note: str = "", reading: str = "") -> dict:
        """A numbered figure: caption above, the chart, a reading line, note and source below.
        The alternative text (for screen readers) is generated from the data behind the chart."""
        if not chart.alt.strip():
            raise ValueError(f"figure {caption!r} has no alternative text")
        self._n_fig += 1
        return {
            "kind": "figure",
            "id": f"fig-{self.section_id}-{self._n_fig}",
            "svg": chart.svg,
            "alt": chart.alt,
            "label": self._label("Figur", "Figure", self._n_fig),
            "caption": caption,
            "reading": reading,
            "note": note,
            "source": self.source,
            "chart": chart,
        }

    def table(
        self,
        caption: str,
        header: list[str],
        rows: list[list[str]],
        align: str | None = None,
        note: str = "",
        widths: list[float] | None = None,
        bold_first_row: bool = False,
        reading: str = "",
        source: str | None = None,
    ) -> dict:
        """A numbered table: caption above, reading line, note and source below. `source`
        replaces the data source line for tables that are not built from the data (definitions,
        literature, the logic of part 1); "" for none."""
        self._n_tab += 1
        align = align or ("l" + "r" * (len(header) - 1))
        return {
            "kind": "table",
            "id": f"tab-{self.section_id}-{self._n_tab}",
            "label": self._label("Tabell", "Table", self._n_tab),
            "caption": caption,
            "header": header,
            "rows": rows,
            "align": align,
            "note": note,
            "reading": reading,
            "widths": widths,
            "source": self.source if source is None else source,
            "bold_first_row": bold_first_row,
        }

    def p(self, text: str) -> dict:
        return {"kind": "p", "text": text}

    def note(self, text: str) -> dict:
        return {"kind": "note", "text": text}

    def warning(self, text: str) -> dict:
        """A highlighted warning (e.g. an estimate that failed its design checks)."""
        return {"kind": "warning", "text": text}

    def h2(self, text: str) -> dict:
        return {"kind": "h2", "text": text}

    def items(self, items: list[str]) -> dict:
        return {"kind": "list", "items": [i for i in items if i]}

    def not_available(self, what: str, table: str) -> dict:
        """Note for a table the warehouse lacks (listed again in the data appendix)."""
        self.missing.append(table)
        self.missing_what.append(what)
        return self.note(TEXT("not_available", self.lang, what=what))

    def not_estimated(self, what: str, table: str) -> dict:
        """Note for an analysis the effects layer did not deliver in this run."""
        self.missing.append(table)
        self.missing_what.append(what)
        return self.note(TEXT("not_estimated", self.lang, what=what))


__all__ = ["Builder", "is_synthetic"]
