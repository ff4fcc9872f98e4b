"""The report's content: sections of paragraphs, figures and tables built from the published
(suppressed) tables, in bokmål or English. Rendering to HTML and PDF is in render.py.

Every number shown comes from a frame in ``tables`` (analysis.report.publish), so nothing
unsuppressed reaches the page; suppressed values print as ":" and are not plotted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis import disclosure as sdc
from analysis import formatting as fmt
from analysis.report import figures as figs
from analysis.report.labels import half_year_short, lab
from analysis.report.publish import KNOWN_PURPOSES, PURPOSES_WITH_UNKNOWN, STATUS_GROUPS, Published

HEADLINE_ESTIMATOR = "callaway_santanna"
HEADLINE_OUTCOME = "employed"
COMPARISON_ESTIMATORS = ("twfe_event_study", "naive")
HORIZONS = (1, 3, 6, 12, 24)
STATES = (
    "EMPLOYED",
    "WAGE_SUBSIDY",
    "IN_ARBEIDSTRENING",
    "OTHER_PROGRAMME",
    "EDUCATION",
    "AAP",
    "UFORETRYGD",
    "JOBSEEKER",
    "NONE",
)

SECTION_IDS = (
    "sammendrag",
    "deltakere",
    "formal",
    "hvem",
    "varighet",
    "overganger",
    "maloppnaelse",
    "kjeding",
    "effekter",
    "kostnader",
    "metode",
    "data",
    "kolofon",
)

TITLES = {
    "sammendrag": ("Sammendrag", "Summary"),
    "deltakere": ("Deltakere over tid", "Participants over time"),
    "formal": ("Formålet med arbeidstreningen", "Purposes of work training"),
    "hvem": ("Hvem deltar?", "Who takes part?"),
    "varighet": ("Hvor lenge varer arbeidstreningen?", "How long does work training last?"),
    "overganger": (
        "Hvor er deltakerne etter arbeidstreningen?",
        "Where are participants afterwards?",
    ),
    "maloppnaelse": ("Nådde deltakerne målet med tiltaket?", "Was the purpose reached?"),
    "kjeding": (
        "Nye tiltak og jobb hos samme arbeidsgiver",
        "Further programmes and jobs at the same employer",
    ),
    "effekter": ("Effekter på sysselsetting", "Effects on employment"),
    "kostnader": ("Kostnadseffektivitet", "Cost-effectiveness"),
    "metode": ("Metode", "Method"),
    "data": ("Datagrunnlag og begrensninger", "Data coverage and limitations"),
    "kolofon": ("Kolofon", "Colophon"),
}


def section_titles(lang: str) -> list[str]:
    """Section headings in document order (tests use these)."""
    i = 0 if lang == "nb" else 1
    return [TITLES[s][i] for s in SECTION_IDS]


@dataclass
class Section:
    id: str
    title: str
    blocks: list[dict] = field(default_factory=list)


@dataclass
class Document:
    lang: str
    title: str
    subtitle: str
    sections: list[Section]
    missing: list[str]
    summary_numbers: list[str]
    source_line: str


class Builder:
    """Builds the document; `t(nb, en)` picks the report's language."""

    def __init__(self, tables: dict[str, Published], meta: dict, lang: str):
        self.P = tables
        self.meta = meta
        self.lang = lang
        self.n_fig = 0
        self.n_tab = 0
        self.missing: list[str] = []
        self.summary_numbers: list[str] = []
        ws, we = meta.get("observation_start"), meta.get("observation_end")
        self.window = (
            f"{fmt.format_year_month(ws, lang)}–{fmt.format_year_month(we, lang)}"
            if ws and we
            else fmt.MISSING
        )
        self.source = self.t(
            f"Kilde: NAV-registre; egne beregninger. Observasjonsperiode {self.window}.",
            f"Source: NAV registers; own calculations. Observation period {self.window}.",
        )

    # helpers ---------------------------------------------------------------------------------

    def t(self, nb: str, en: str) -> str:
        if self.lang == "nb":
            return nb
        return re.sub(r"(\d) %", r"\1%", en)  # English writes 95%, bokmål 95 %

    def frame(self, name: str) -> pd.DataFrame | None:
        p = self.P.get(name)
        return None if p is None else p.frame

    def pct(self, share, decimals: int = 0, suppressed: bool = False) -> str:
        return fmt.format_percent(share, decimals, self.lang, suppressed=suppressed)

    def num(self, x, decimals: int = 0, suppressed: bool = False) -> str:
        return fmt.format_number(x, decimals, self.lang, suppressed=suppressed)

    def pp(self, x, decimals: int = 1, status=None) -> str:
        """Effect (a share difference) in percentage points, signed; its symbol if it has one."""
        if status:
            return str(status)
        if fmt.is_missing(x):
            return fmt.MISSING
        unit = "prosentpoeng" if self.lang == "nb" else "percentage points"
        return f"{fmt.format_signed(x * 100, decimals, self.lang)} {unit}"

    def pp_abs(self, x, lower: str, higher: str, decimals: int = 1) -> str:
        """``"4,5 prosentpoeng lavere"``: the size of an effect in words, without a sign."""
        if fmt.is_missing(x):
            return fmt.MISSING
        unit = "prosentpoeng" if self.lang == "nb" else "percentage points"
        word = lower if x < 0 else higher
        return f"{fmt.format_number(abs(x) * 100, decimals, self.lang)} {unit} {word}"

    def pct_smart(self, share, suppressed: bool = False) -> str:
        """Percent with one decimal below 10 %, none above (so 0,4 % does not print as 0 %)."""
        if not fmt.is_missing(share) and abs(float(share)) < 0.1:
            return self.pct(share, 1, suppressed)
        return self.pct(share, 0, suppressed)

    def ci(self, lo, hi, decimals: int = 1, status=None) -> str:
        if status:
            return str(status)
        if fmt.is_missing(lo) or fmt.is_missing(hi):
            return fmt.MISSING
        a = fmt.format_signed(lo * 100, decimals, self.lang)
        b = fmt.format_signed(hi * 100, decimals, self.lang)
        return self.t(f"fra {a} til {b}", f"from {a} to {b}")

    def figure(self, svg: str, caption: str, note: str = "") -> dict:
        self.n_fig += 1
        word = self.t("Figur", "Figure")
        return {
            "kind": "figure",
            "id": f"fig{self.n_fig}",
            "svg": svg,
            "label": f"{word} {self.n_fig}",
            "caption": caption,
            "note": note,
            "source": self.source,
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
    ) -> dict:
        self.n_tab += 1
        word = self.t("Tabell", "Table")
        align = align or ("l" + "r" * (len(header) - 1))
        return {
            "kind": "table",
            "id": f"tab{self.n_tab}",
            "label": f"{word} {self.n_tab}",
            "caption": caption,
            "header": header,
            "rows": rows,
            "align": align,
            "note": note,
            "widths": widths,
            "source": self.source,
            "bold_first_row": bold_first_row,
        }

    def p(self, text: str) -> dict:
        return {"kind": "p", "text": text}

    def note(self, text: str) -> dict:
        return {"kind": "note", "text": text}

    def h3(self, text: str) -> dict:
        return {"kind": "h3", "text": text}

    def items(self, items: list[str]) -> dict:
        return {"kind": "list", "items": items}

    def not_available(self, what: str, table: str) -> dict:
        self.missing.append(table)
        return self.note(
            self.t(
                f"{what} er ikke tilgjengelig i denne kjøringen (tabellen {table} mangler).",
                f"{what} is not available in this run (table {table} is missing).",
            )
        )

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
        if kind == "pct":
            txt = self.pct_smart(v) if decimals == 0 else self.pct(v, decimals)
            return txt, (np.nan if fmt.is_missing(v) else float(v))
        return self.num(v, decimals), (np.nan if fmt.is_missing(v) else float(v))

    def col_fmt(
        self, df: pd.DataFrame, col: str, kind: str = "num", decimals: int = 0
    ) -> list[str]:
        out = sdc.format_column(
            df,
            col,
            decimals=decimals if kind != "int" else 0,
            lang=self.lang,
            percent=(kind == "pct"),
        )
        return out.tolist()

    # data helpers -------------------------------------------------------------------------------

    def full_years(self) -> list[int]:
        ann = self.frame("participants_annual")
        if ann is None:
            return []
        a = ann[ann["status_group"] == "ALL"]
        return sorted(int(y) for y in a.loc[a["n_months"] >= 12, "year"])

    def headline(self) -> dict:
        """Headline effects (CS, employed, ALL): lock-in, 12, 24, 36 months."""
        out: dict[str, dict] = {}
        summ = self.frame("effects_summary")
        eff = self.frame("effects")
        for m, e in (("lock_in_0_5", None), ("at_12", 12), ("at_24", 24), ("at_36", 36)):
            row = None
            if summ is not None and "measure" in summ.columns:
                s = summ[
                    (summ.get("estimator", HEADLINE_ESTIMATOR) == HEADLINE_ESTIMATOR)
                    & (summ.get("outcome", HEADLINE_OUTCOME) == HEADLINE_OUTCOME)
                    & (summ["subgroup"] == "ALL")
                    & (summ["measure"] == m)
                ]
                if len(s):
                    row = s.iloc[0]
            if row is None and e is not None and eff is not None:
                s = eff[
                    (eff["estimator"] == HEADLINE_ESTIMATOR)
                    & (eff["outcome"] == HEADLINE_OUTCOME)
                    & (eff["subgroup"] == "ALL")
                    & (eff["event_time"] == e)
                ]
                if len(s):
                    row = s.iloc[0]
            if row is not None:
                out[m] = {k: row.get(k) for k in ("estimate", "ci_low", "ci_high", "n_treated")}
                out[m].update(
                    {f"{k}_symbol": sdc.symbol(row, k) for k in ("estimate", "n_treated")}
                )
        return out

    def n_treated_headline(self):
        eff = self.frame("effects")
        s = eff[
            (eff["estimator"] == HEADLINE_ESTIMATOR)
            & (eff["outcome"] == HEADLINE_OUTCOME)
            & (eff["subgroup"] == "ALL")
            & (eff["event_time"] == 0)
        ]
        if s.empty or bool(s.iloc[0].get(sdc.flag_col("n_treated"), False)):
            return None
        return s.iloc[0]["n_treated"]


# --- Sections ---------------------------------------------------------------------------------


def _significance(b: Builder, lo, hi) -> str:
    if fmt.is_missing(lo) or fmt.is_missing(hi):
        return ""
    if lo > 0:
        return b.t(
            "Effekten er positiv og statistisk sikker.",
            "The effect is positive and statistically significant.",
        )
    if hi < 0:
        return b.t(
            "Effekten er negativ og statistisk sikker.",
            "The effect is negative and statistically significant.",
        )
    return b.t(
        "Intervallet inneholder null, så vi kan ikke si sikkert at det er en effekt.",
        "The interval includes zero, so we cannot be sure there is an effect.",
    )


def sec_summary(b: Builder) -> Section:
    s = Section("sammendrag", TITLES["sammendrag"][0 if b.lang == "nb" else 1])
    bullets: list[str] = []
    years = b.full_years()
    ann = b.frame("participants_annual")
    if ann is not None and years:
        a = ann[ann["status_group"] == "ALL"].set_index("year")
        y0, y1 = years[0], years[-1]
        t0, v0 = b.cell(
            ann, (ann["year"] == y0) & (ann["status_group"] == "ALL"), "n_avg_participants"
        )
        t1, v1 = b.cell(
            ann, (ann["year"] == y1) & (ann["status_group"] == "ALL"), "n_avg_participants"
        )
        change = ""
        if np.isfinite(v0) and np.isfinite(v1) and v0 > 0:
            ch = (v1 - v0) / v0
            change = b.t(
                f" Det er en {'nedgang' if ch < 0 else 'økning'} på {b.pct(abs(ch))}.",
                f" That is a {'fall' if ch < 0 else 'rise'} of {b.pct(abs(ch))}.",
            )
        tna, vna = b.cell(
            ann,
            (ann["year"] == y1) & (ann["status_group"] == "NEDSATT_ARBEIDSEVNE"),
            "n_avg_participants",
        )
        share_na = ""
        if np.isfinite(vna) and np.isfinite(v1) and v1 > 0:
            share_na = b.t(
                f" I {y1} hadde {b.pct(vna / v1)} av deltakerne nedsatt arbeidsevne.",
                f" In {y1}, {b.pct(vna / v1)} of participants had reduced work capacity.",
            )
        bullets.append(
            b.t(
                f"**Deltakere:** I gjennomsnitt deltok {t0} personer i arbeidstrening per måned i {y0} og {t1} i {y1}.",
                f"**Participants:** On average {t0} persons per month took part in work training in {y0} and {t1} in {y1}.",
            )
            + change
            + share_na
        )
        b.summary_numbers += [t0, t1]
        _ = a
    pd_ = b.frame("purpose_distribution")
    if pd_ is not None:
        yrs = sorted(
            pd_.loc[
                pd_["purpose"].eq("ALL")
                & pd_["n_spells"].notna()
                & (pd_["n_spells"].fillna(0) > 0),
                "year",
            ]
        )
        if yrs:
            y = yrs[-1]
            d = pd_[(pd_["year"] == y) & (pd_["purpose"] != "ALL")].copy()
            d = d[d["share"].notna()].sort_values("share", ascending=False).head(3)
            parts = [
                f"{lab(r.purpose, b.lang, 'purpose').lower() if b.lang == 'nb' else lab(r.purpose, b.lang, 'purpose')} ({b.pct(r.share)})"
                for r in d.itertuples()
            ]
            if parts:
                bullets.append(
                    b.t(
                        f"**Formål:** Blant avtalene som startet i {y} og har registrert formål, var de vanligste formålene {', '.join(parts[:-1])} og {parts[-1]}."
                        if len(parts) > 1
                        else f"**Formål:** Det vanligste formålet i {y} var {parts[0]}.",
                        f"**Purposes:** Among agreements starting in {y} with a registered purpose, the most common purposes were {', '.join(parts[:-1])} and {parts[-1]}."
                        if len(parts) > 1
                        else f"**Purposes:** The most common purpose in {y} was {parts[0]}.",
                    )
                )
                b.summary_numbers += [b.pct(r.share) for r in d.itertuples()]
    tr = b.frame("transitions")
    if tr is not None:
        m = (tr["purpose"] == "ALL") & (tr["months_after_exit"] == 12)
        te, _ = b.cell(tr, m & (tr["state"] == "EMPLOYED"), "share", "pct")
        tw, _ = b.cell(tr, m & (tr["state"] == "WAGE_SUBSIDY"), "share", "pct")
        to, _ = b.cell(tr, m & (tr["state"] == "OTHER_PROGRAMME"), "share", "pct")
        ta, _ = b.cell(tr, m & (tr["state"] == "AAP"), "share", "pct")
        tu, _ = b.cell(tr, m & (tr["state"] == "UFORETRYGD"), "share", "pct")
        bullets.append(
            b.t(
                f"**Etter tiltaket:** Tolv måneder etter avsluttet arbeidstrening var {te} i arbeid og {tw} på lønnstilskudd. {to} var i et annet tiltak, {ta} mottok arbeidsavklaringspenger og {tu} uføretrygd.",
                f"**Afterwards:** Twelve months after work training ended, {te} were employed and {tw} had a wage subsidy. {to} were in another programme, {ta} received work assessment allowance and {tu} disability benefit.",
            )
        )
        b.summary_numbers += [te, tw]
    h = b.headline()
    n_tr = b.n_treated_headline()
    if h:
        li, a12, a24 = h.get("lock_in_0_5"), h.get("at_12"), h.get("at_24")
        parts = []
        if li:
            parts.append(
                b.t(
                    f"I de første seks månedene etter start var andelen i arbeid {b.pp_abs(li['estimate'], 'lavere', 'høyere')} enn uten tiltaket (95 % konfidensintervall {b.ci(li['ci_low'], li['ci_high'])}). Dette er innlåsingseffekten.",
                    f"In the first six months after the start, the share employed was {b.pp_abs(li['estimate'], 'lower', 'higher')} than without the programme (95 % confidence interval {b.ci(li['ci_low'], li['ci_high'])}). This is the lock-in effect.",
                )
            )
            b.summary_numbers.append(
                b.pp_abs(li["estimate"], "lavere", "høyere")
                if b.lang == "nb"
                else b.pp_abs(li["estimate"], "lower", "higher")
            )
        for key, months in (("at_12", 12), ("at_24", 24)):
            r = h.get(key)
            if r:
                parts.append(
                    b.t(
                        f"{months} måneder etter start var andelen {b.pp_abs(r['estimate'], 'lavere', 'høyere')} ({b.ci(r['ci_low'], r['ci_high'])}).",
                        f"{months} months after the start it was {b.pp_abs(r['estimate'], 'lower', 'higher')} ({b.ci(r['ci_low'], r['ci_high'])}).",
                    )
                )
                b.summary_numbers.append(
                    b.pp_abs(
                        r["estimate"],
                        *(("lavere", "høyere") if b.lang == "nb" else ("lower", "higher")),
                    )
                )
        last = a24 or a12
        if last:
            parts.append(_significance(b, last["ci_low"], last["ci_high"]))
        who = (
            b.t(
                f" Beregningen bygger på {b.num(n_tr)} deltakere.",
                f" The estimate is based on {b.num(n_tr)} participants.",
            )
            if n_tr is not None
            else ""
        )
        bullets.append(
            b.t("**Effekt på sysselsetting:** ", "**Effect on employment:** ")
            + " ".join(parts)
            + who
        )
    cost = cost_summary_bullet(b)
    if cost:
        bullets.append(cost)
    s.blocks.append(
        b.p(
            b.t(
                f"Denne rapporten beskriver hvem som deltar i arbeidstrening, hvorfor, hva som skjer med dem etterpå, og hvilken effekt tiltaket har på sysselsettingen. Tallene gjelder perioden {b.window}.",
                f"This report describes who takes part in work training (Arbeidstrening), why, what happens to them afterwards, and what the programme does to their employment. The figures cover {b.window}.",
            )
        )
    )
    s.blocks.append(b.items(bullets))
    s.blocks.append(
        b.note(
            b.t(
                "**Innlåsingseffekt** betyr at deltakerne søker og tar færre jobber mens de er i tiltaket, slik at færre er i arbeid i tiltaksperioden enn om de ikke hadde deltatt. "
                "**Et 95 % konfidensintervall** viser usikkerheten: Om vi gjentok undersøkelsen mange ganger, ville 95 av 100 slike intervaller inneholde den sanne effekten. "
                "Effekter måles i **prosentpoeng**: +3 prosentpoeng betyr for eksempel at 33 % er i arbeid i stedet for 30 %.",
                "**Lock-in effect** means that participants search for and take fewer jobs while they are in the programme, so fewer are employed during the programme than if they had not taken part. "
                "**A 95 % confidence interval** shows the uncertainty: if the study were repeated many times, 95 of 100 such intervals would contain the true effect. "
                "Effects are measured in **percentage points**: +3 percentage points means, for example, that 33 % are employed instead of 30 %.",
            )
        )
    )
    s.blocks.append(
        b.p(
            b.t(
                f"Tall for 1–4 personer, og tall som ellers kunne avsløre dem, er skjult av personvernhensyn og vist som «:» (se kapittel {chapter('data')}).",
                f"Counts of 1–4 persons, and counts that would otherwise reveal them, are hidden for confidentiality and shown as “:” (see chapter {chapter('data')}).",
            )
        )
    )
    return s


def sec_participants(b: Builder) -> Section:
    s = Section("deltakere", TITLES["deltakere"][0 if b.lang == "nb" else 1])
    pm = b.frame("participants_monthly")
    groups = [("ALL", b.t("Alle deltakere", "All participants"))] + [
        (g, lab(g, b.lang, "status_group")) for g in STATUS_GROUPS
    ]
    s.blocks.append(
        b.p(
            b.t(
                "En person regnes som deltaker i en måned hvis hun eller han var i arbeidstrening minst én dag den måneden. Status er personens status hos NAV da arbeidstreningen startet: arbeidssøker eller nedsatt arbeidsevne. «Annet» er deltakere uten registrert status på startdagen.",
                "A person counts as a participant in a month if they were in work training on at least one day of that month. Status is the person's status at NAV when the work training started: job seeker or reduced work capacity. “Other” are participants without a registered status on the start date.",
            )
        )
    )
    svg = figs.participants_over_time(
        pm, groups, b.lang, b.t("Antall deltakere", "Number of participants")
    )
    s.blocks.append(
        b.figure(
            svg,
            b.t(
                "Deltakere i arbeidstrening per måned, etter status hos NAV. Antall personer.",
                "Participants in work training per month, by status at NAV. Number of persons.",
            ),
            b.t(
                "Tilsvarer Figur 2-2 i delrapport 1. Skjulte tall er ikke tegnet.",
                "Corresponds to Figure 2-2 of the part-1 report. Hidden counts (below 5) are not drawn.",
            ),
        )
    )
    ann = b.frame("participants_annual")
    if ann is not None:
        years = sorted(ann["year"].unique())
        header = (
            [b.t("År", "Year")]
            + [lab(g, b.lang, "status_group") for g in ("ALL", *STATUS_GROUPS)]
            + [b.t("Andel nedsatt arbeidsevne", "Share reduced work capacity")]
        )
        rows = []
        for y in years:
            d = ann[ann["year"] == y]
            row = [str(y)]
            vals = {}
            for g in ("ALL", *STATUS_GROUPS):
                txt, v = b.cell(d, d["status_group"] == g, "n_avg_participants")
                row.append(txt)
                vals[g] = v
            ok = (
                np.isfinite(vals["ALL"])
                and np.isfinite(vals["NEDSATT_ARBEIDSEVNE"])
                and vals["ALL"] > 0
            )
            texts = dict(zip(("ALL", *STATUS_GROUPS), row[1:], strict=True))
            hidden = fmt.SUPPRESSED in (texts["ALL"], texts["NEDSATT_ARBEIDSEVNE"])
            nobody = (np.isfinite(vals["ALL"]) and vals["ALL"] == 0) or texts[
                "NEDSATT_ARBEIDSEVNE"
            ] == fmt.NOT_APPLICABLE  # nobody, or shown merged with another group
            row.append(
                b.pct(vals["NEDSATT_ARBEIDSEVNE"] / vals["ALL"])
                if ok
                else fmt.SUPPRESSED
                if hidden
                else fmt.NOT_APPLICABLE
                if nobody
                else fmt.MISSING
            )
            n_m = d["n_months"].iloc[0] if len(d) else 12
            if n_m < 12:
                row[0] += "*"
            rows.append(row)
        s.blocks.append(
            b.table(
                b.t(
                    "Gjennomsnittlig antall deltakere per måned, etter år og status hos NAV.",
                    "Average number of participants per month, by year and status at NAV.",
                ),
                header,
                rows,
                note=b.t(
                    "* Året er bare delvis med i observasjonsperioden; gjennomsnittet gjelder de observerte månedene.",
                    "* The year is only partly inside the observation period; the average is over the observed months.",
                )
                if any(r[0].endswith("*") for r in rows)
                else "",
            )
        )
    else:
        s.blocks.append(
            b.not_available(
                b.t("Årlige gjennomsnitt", "Annual averages"), "marts.participants_annual"
            )
        )
    return s


def sec_purposes(b: Builder) -> Section:
    s = Section("formal", TITLES["formal"][0 if b.lang == "nb" else 1])
    pdist = b.frame("purpose_distribution")
    cov = b.frame("purpose_coverage")
    s.blocks.append(
        b.p(
            b.t(
                "Formålet står i den digitale avtalen mellom deltaker, arbeidsgiver og NAV. Vi bruker hovedformålet (det første formålet på avtalen). Ikke alle forløp har en digital avtale, fordi løsningen ble tatt i bruk gradvis. Andelene nedenfor gjelder derfor bare forløp med kjent formål. Vi gjetter aldri formålet.",
                "The purpose is stated in the digital agreement between participant, employer and NAV. We use the main purpose (the first purpose on the agreement). Not every spell has a digital agreement, because the solution was introduced gradually. The shares below therefore cover only spells with a known purpose. The purpose is never guessed.",
            )
        )
    )
    d = pdist[pdist["purpose"] != "ALL"]
    tot = pdist[pdist["purpose"] == "ALL"].set_index("year")["n_spells"]
    years = [
        int(y) for y in sorted(d["year"].unique()) if pd.notna(tot.get(y)) and (tot.get(y) or 0) > 0
    ]
    if years:
        svg = figs.stacked_shares_by_year(
            d[d["year"].isin(years)],
            "year",
            "purpose",
            [(p, lab(p, b.lang, "purpose")) for p in KNOWN_PURPOSES],
            b.lang,
            b.t("Prosent av forløp med kjent formål", "Per cent of spells with a known purpose"),
        )
        s.blocks.append(
            b.figure(
                svg,
                b.t(
                    "Hovedformål for arbeidstreningsforløp, etter startår. Prosent av forløp med kjent formål.",
                    "Main purpose of work-training spells, by year of start. Per cent of spells with a known purpose.",
                ),
                b.t(
                    "Tilsvarer Figur 2-1 i delrapport 1. Tall under 8 % er ikke skrevet i søylene.",
                    "Corresponds to Figure 2-1 of the part-1 report. Values below 8 % are not printed in the bars.",
                ),
            )
        )
    else:
        s.blocks.append(
            b.note(
                b.t(
                    "Ingen forløp har kjent formål i observasjonsperioden.",
                    "No spell in the observation period has a known purpose.",
                )
            )
        )
    # table: purposes for years with data
    if years:
        show = years[-4:]
        header = [b.t("Formål", "Purpose")] + [str(y) for y in show]
        rows = []
        for p in (*KNOWN_PURPOSES, "ALL"):
            row = [
                lab(p, b.lang, "purpose")
                if p != "ALL"
                else b.t("Alle med kjent formål (antall)", "All with known purpose (number)")
            ]
            for y in show:
                m = (pdist["year"] == y) & (pdist["purpose"] == p)
                if p == "ALL":
                    row.append(b.cell(pdist, m, "n_spells")[0])
                else:
                    n_txt = b.cell(pdist, m, "n_spells")[0]
                    sh = b.cell(pdist, m, "share", "pct")[0]
                    row.append(
                        f"{sh} ({n_txt})" if n_txt not in (fmt.SUPPRESSED,) else fmt.SUPPRESSED
                    )
            rows.append(row)
        s.blocks.append(
            b.table(
                b.t(
                    "Hovedformål etter startår. Prosent av forløp med kjent formål (antall forløp i parentes).",
                    "Main purpose by year of start. Per cent of spells with a known purpose (number of spells in brackets).",
                ),
                header,
                rows,
            )
        )
    if cov is not None:
        cyears = sorted(cov["year"].unique())
        header = [
            b.t("Startår", "Year of start"),
            b.t("Forløp i alt", "All spells"),
            b.t("Med digital avtale", "With digital agreement"),
            b.t("Andel med avtale", "Share with agreement"),
        ]
        rows = []
        for y in cyears:
            c = cov[cov["year"] == y]
            rows.append(
                [
                    str(y),
                    b.cell(c, c["agreement"] == "ALL", "n_spells")[0],
                    b.cell(c, c["agreement"] == "WITH_AGREEMENT", "n_spells")[0],
                    b.cell(c, c["agreement"] == "WITH_AGREEMENT", "share", "pct")[0],
                ]
            )
        s.blocks.append(
            b.table(
                b.t(
                    "Dekning: arbeidstreningsforløp med digital avtale (og dermed kjent formål), etter startår.",
                    "Coverage: work-training spells with a digital agreement (and so a known purpose), by year of start.",
                ),
                header,
                rows,
            )
        )
    else:
        s.blocks.append(
            b.not_available(
                b.t("Dekningen av formål", "Purpose coverage"), "marts.purpose_coverage"
            )
        )
    return s


PROFILE_ROWS = (
    ("gender", "FEMALE", ("Kvinner", "Women")),
    ("under_30", "YES", ("Under 30 år", "Under 30")),
    ("immigrant_category", "B", ("Innvandrere", "Immigrants")),
    ("status_group", "NEDSATT_ARBEIDSEVNE", ("Nedsatt arbeidsevne", "Reduced work capacity")),
    ("main_benefit", "AAP", ("Mottar AAP", "Receives AAP")),
    ("main_benefit", "UFORETRYGD", ("Mottar uføretrygd", "Receives disability benefit")),
    ("any_benefit", "YES", ("Mottar en ytelse", "Receives any benefit")),
    ("any_employment_12m_before", "YES", ("I arbeid siste 12 mnd.", "Employed in last 12 months")),
)


def sec_who(b: Builder) -> Section:
    s = Section("hvem", TITLES["hvem"][0 if b.lang == "nb" else 1])
    prof = b.frame("participant_profile")
    summ = b.frame("participant_profile_summary")
    if prof is None:
        s.blocks.append(
            b.not_available(
                b.t("Profilen av deltakerne", "The participant profile"),
                "marts.participant_profile",
            )
        )
        return s
    years = b.full_years() or sorted(prof["year"].unique())
    pyears = [y for y in years if ((prof["year"] == y) & (prof["group"] == "participants")).any()]
    year = int(pyears[-1]) if pyears else int(prof["year"].max())
    s.blocks.append(
        b.p(
            b.t(
                f"Vi sammenligner dem som startet i arbeidstrening i {year}, med personer som var registrert hos NAV samme år uten å være i arbeidstrening (registrerte ikke-deltakere). Deltakerne er beskrevet i startmåneden; ikke-deltakerne telles per måned de var registrert, så en person som var registrert hele året, teller tolv ganger.",
                f"We compare those who started work training in {year} with persons registered at NAV in the same year who were not in work training (registered non-participants). Participants are described in their start month; non-participants are counted per month they were registered, so a person registered all year counts twelve times.",
            )
        )
    )
    rows = []
    trows = []
    p_ = prof[prof["year"] == year]
    for dim, cat, names in PROFILE_ROWS:
        name = names[0] if b.lang == "nb" else names[1]
        vals = []
        texts = []
        for g in ("participants", "registered_non_participants"):
            m = (p_["group"] == g) & (p_["dimension"] == dim) & (p_["category"] == cat)
            txt, v = b.cell(p_, m, "share", "pct")
            vals.append(v)
            texts.append(txt)
        if all(t == fmt.MISSING for t in texts):
            continue
        rows.append((name, vals[0], vals[1]))
        trows.append([name, *texts])
    if summ is not None:
        sm = summ[summ["year"] == year]
        ages = [
            b.cell(sm, sm["group"] == g, "mean_age", "num", 1)[0]
            for g in ("participants", "registered_non_participants")
        ]
        trows.insert(2, [b.t("Gjennomsnittsalder (år)", "Mean age (years)"), *ages])
        ns = [
            b.cell(sm, sm["group"] == g, "n")[0]
            for g in ("participants", "registered_non_participants")
        ]
        trows.append(
            [b.t("Antall (starter / personmåneder)", "Number (starts / person-months)"), *ns]
        )
    names = (
        lab("participants", b.lang, "profile_group"),
        lab("registered_non_participants", b.lang, "profile_group"),
    )
    if rows:
        svg = figs.dot_comparison(rows, names, b.lang, b.t("Prosent", "Per cent"))
        s.blocks.append(
            b.figure(
                svg,
                b.t(
                    f"Kjennetegn ved deltakere som startet i {year}, og registrerte ikke-deltakere samme år. Prosent.",
                    f"Characteristics of participants starting in {year} and of registered non-participants the same year. Per cent.",
                ),
            )
        )
    s.blocks.append(
        b.table(
            b.t(
                f"Deltakere og registrerte ikke-deltakere, {year}.",
                f"Participants and registered non-participants, {year}.",
            ),
            [b.t("Kjennetegn", "Characteristic"), *names],
            trows,
        )
    )
    # age distribution table
    ag = p_[p_["dimension"] == "age_group"]
    if len(ag):
        order = ["UNDER_25", "25_29", "30_39", "40_49", "50_59", "60_PLUS"]
        trs = []
        for c in order:
            trs.append(
                [lab(c, b.lang, "profile_category")]
                + [
                    b.cell(ag, (ag["group"] == g) & (ag["category"] == c), "share", "pct")[0]
                    for g in ("participants", "registered_non_participants")
                ]
            )
        s.blocks.append(
            b.table(
                b.t(f"Aldersfordeling, {year}. Prosent.", f"Age distribution, {year}. Per cent."),
                [b.t("Alder", "Age"), *names],
                trs,
            )
        )
    return s


def sec_durations(b: Builder) -> Section:
    s = Section("varighet", TITLES["varighet"][0 if b.lang == "nb" else 1])
    dp = b.frame("durations_purpose")
    shp = b.frame("durations_shares_purpose")
    dh = b.frame("durations_start_half_year")
    shh = b.frame("durations_shares_start_half_year")
    if dp is None:
        s.blocks.append(b.not_available(b.t("Varighetene", "Durations"), "marts.durations"))
        return s
    s.blocks.append(
        b.p(
            b.t(
                "Arbeidstrening kan vare i inntil 12 måneder, og i inntil 18 måneder for personer med nedsatt arbeidsevne. Den første avtalen er ofte kort og forlenges senere. Planlagt varighet er tiden fra avtalt start til avtalt slutt i den digitale avtalen. Faktisk varighet gjelder bare avsluttede forløp; forløp som fortsatt pågår, er ikke med.",
                "Work training may last up to 12 months, and up to 18 months for persons with reduced work capacity. The first agreement is often short and extended later. Planned length is the time from agreed start to agreed end in the digital agreement. Actual length covers only ended spells; spells still ongoing are left out.",
            )
        )
    )
    header = [
        b.t("Formål", "Purpose"),
        b.t("Forløp", "Spells"),
        b.t("Planlagt, median (dager)", "Planned, median (days)"),
        b.t("Faktisk, median (dager)", "Actual, median (days)"),
        b.t("Faktisk, snitt (dager)", "Actual, mean (days)"),
        b.t("Forlenget", "Extended"),
        b.t("Avbrutt", "Interrupted"),
    ]
    rows = []
    for c in ("ALL", *PURPOSES_WITH_UNKNOWN):
        d = dp[dp["category"] == c]
        if d.empty:
            continue
        row = [
            lab(c, b.lang, "purpose"),
            b.cell(dp, dp["category"] == c, "n_spells")[0],
            b.cell(dp, dp["category"] == c, "median_planned_days")[0],
            b.cell(dp, dp["category"] == c, "median_actual_days")[0],
            b.cell(dp, dp["category"] == c, "mean_actual_days")[0],
        ]
        for meas in ("extended", "interrupted"):
            if shp is not None:
                m = (shp["measure"] == meas) & (shp["category"] == c) & (shp["outcome"] == "YES")
                row.append(b.cell(shp, m, "share", "pct")[0])
            else:
                row.append(fmt.MISSING)
        rows.append(row)
    s.blocks.append(
        b.table(
            b.t(
                "Varighet av arbeidstrening etter formål. Forløp som startet i observasjonsperioden.",
                "Length of work training by purpose. Spells starting in the observation period.",
            ),
            header,
            rows,
            note=b.t(
                "Forlenget: forløpet sluttet etter avtalt sluttdato (blant avsluttede forløp med avtale). Avbrutt: deltakeren avbrøt (status DELAVB eller GJENN_AVB).",
                "Extended: the spell ended after the agreed end date (among ended spells with an agreement). Interrupted: the participant dropped out (status DELAVB or GJENN_AVB).",
            ),
            bold_first_row=True,
        )
    )
    if dh is not None:
        hs = sorted(c for c in dh["category"].unique() if c != "ALL")
        xl = [half_year_short(h, b.lang) for h in hs]
        mean_days = [b.cell(dh, dh["category"] == h, "median_actual_days")[1] for h in hs]
        series = [
            (b.t("Faktisk varighet, median (dager)", "Actual length, median (days)"), mean_days)
        ]
        plan = [b.cell(dh, dh["category"] == h, "median_planned_days")[1] for h in hs]
        series.append(
            (b.t("Planlagt varighet, median (dager)", "Planned length, median (days)"), plan)
        )
        vl = hs.index("2022H2") if "2022H2" in hs else None
        svg = figs.lines_by_category(
            xl,
            series,
            b.lang,
            b.t("Dager", "Days"),
            b.t(
                "Halvår for start (1 = jan.–juni, 2 = juli–des.)",
                "Half-year of start (1 = Jan–Jun, 2 = Jul–Dec)",
            ),
            percent=False,
            vline_at=vl,
            vline_label=b.t("Høsten 2022", "Autumn 2022"),
        )
        s.blocks.append(
            b.figure(
                svg,
                b.t(
                    "Planlagt og faktisk varighet etter halvår for start. Median, dager.",
                    "Planned and actual length by half-year of start. Median, days.",
                ),
                b.t(
                    "Faktisk varighet for de siste halvårene er kortere fordi lange forløp ennå ikke er avsluttet.",
                    "Actual length for the latest half-years is shorter because long spells have not yet ended.",
                ),
            )
        )
        if shh is not None:
            ext = [
                b.cell(
                    shh,
                    (shh["measure"] == "extended")
                    & (shh["category"] == h)
                    & (shh["outcome"] == "YES"),
                    "share",
                    "pct",
                )[1]
                for h in hs
            ]
            r12 = [
                b.cell(
                    shh,
                    (shh["measure"] == "reached_12_months")
                    & (shh["category"] == h)
                    & (shh["outcome"] == "YES"),
                    "share",
                    "pct",
                )[1]
                for h in hs
            ]
            svg = figs.lines_by_category(
                xl,
                [
                    (b.t("Forlenget ut over avtalt slutt", "Extended beyond agreed end"), ext),
                    (b.t("Varte minst 12 måneder", "Lasted at least 12 months"), r12),
                ],
                b.lang,
                b.t("Prosent av forløpene", "Per cent of spells"),
                b.t(
                    "Halvår for start (1 = jan.–juni, 2 = juli–des.)",
                    "Half-year of start (1 = Jan–Jun, 2 = Jul–Dec)",
                ),
                vline_at=vl,
                vline_label=b.t("Høsten 2022", "Autumn 2022"),
            )
            s.blocks.append(
                b.figure(
                    svg,
                    b.t(
                        "Andel forløp som ble forlenget, og andel som varte minst 12 måneder, etter halvår for start. Prosent.",
                        "Share of spells that were extended and share lasting at least 12 months, by half-year of start. Per cent.",
                    ),
                    b.t(
                        "Høsten 2022 sluttet mange NAV-kontorer å innvilge lønnstilskudd av budsjetthensyn, og arbeidstrening ble forlenget i stedet. Den stiplede linjen markerer dette.",
                        "In autumn 2022 many NAV offices stopped granting wage subsidies for budget reasons, and work training was extended instead. The dashed line marks this.",
                    ),
                )
            )
    return s


def sec_transitions(b: Builder) -> Section:
    s = Section("overganger", TITLES["overganger"][0 if b.lang == "nb" else 1])
    tr = b.frame("transitions")
    s.blocks.append(
        b.p(
            b.t(
                "Her ser vi på alle avsluttede arbeidstreningsforløp og hva deltakeren gjorde 1, 3, 6, 12 og 24 måneder etter sluttmåneden. Hver person har én status per måned, valgt i denne rekkefølgen: i arbeidstrening, lønnstilskudd, annet tiltak, i arbeid, utdanning, uføretrygd, arbeidsavklaringspenger (AAP), arbeidssøker, ingen registrert status. «I arbeid» betyr minst 5 000 kroner i lønn den måneden. Forløp som sluttet for kort tid siden til å kunne følges så lenge, er ikke med for den lengden.",
                "Here we look at all ended work-training spells and what the participant did 1, 3, 6, 12 and 24 months after the month of exit. Each person has one status per month, chosen in this order: in work training, wage subsidy, other programme, employed, education, disability benefit, work assessment allowance (AAP), job seeker, no registered status. “Employed” means at least NOK 5,000 in earnings that month. Spells that ended too recently to be followed that long are left out for that horizon.",
            )
        )
    )
    a = tr[tr["purpose"] == "ALL"]
    hz = [f"{h}" for h in HORIZONS]
    states = []
    for st in STATES:
        states.append(
            (
                lab(st, b.lang, "state"),
                [
                    b.cell(a, (a["months_after_exit"] == h) & (a["state"] == st), "share", "pct")[1]
                    for h in HORIZONS
                ],
            )
        )
    svg = figs.stacked_states(
        hz,
        states,
        b.lang,
        b.t("Måneder etter avsluttet arbeidstrening", "Months after work training ended"),
        b.t("Prosent", "Per cent"),
    )
    s.blocks.append(
        b.figure(
            svg,
            b.t(
                "Status etter avsluttet arbeidstrening, alle formål. Prosent av avsluttede forløp.",
                "Status after work training ended, all purposes. Per cent of ended spells.",
            ),
        )
    )
    # table by purpose at 12 months
    key_states = (
        "EMPLOYED",
        "WAGE_SUBSIDY",
        "OTHER_PROGRAMME",
        "EDUCATION",
        "AAP",
        "UFORETRYGD",
        "JOBSEEKER",
        "NONE",
    )
    for k in (12,):
        header = [b.t("Formål", "Purpose"), b.t("Forløp", "Spells")] + [
            lab(st, b.lang, "state") for st in key_states
        ]
        rows = []
        for p in ("ALL", *PURPOSES_WITH_UNKNOWN):
            d = tr[(tr["purpose"] == p) & (tr["months_after_exit"] == k)]
            if d.empty:
                continue
            n_txt = b.cell(d, d.index == d.index[0], "n_spells")[0]
            rows.append(
                [lab(p, b.lang, "purpose"), n_txt]
                + [b.cell(d, d["state"] == st, "share", "pct")[0] for st in key_states]
            )
        s.blocks.append(
            b.table(
                b.t(
                    f"Status {k} måneder etter avsluttet arbeidstrening, etter formål. Prosent av avsluttede forløp.",
                    f"Status {k} months after work training ended, by purpose. Per cent of ended spells.",
                ),
                header,
                rows,
                note=b.t(
                    "Raden «I arbeidstrening» (ny arbeidstrening) er ikke vist; derfor summerer ikke radene til 100.",
                    "The row “In work training” (a new spell) is not shown, so rows do not add up to 100.",
                ),
                bold_first_row=True,
            )
        )
    tb = b.frame("transitions_by_status_group")
    if tb is not None:
        series = []
        for g in ("NEDSATT_ARBEIDSEVNE", "ARBEIDSSOKER"):
            d = tb[(tb["status_group"] == g) & (tb["state"] == "EMPLOYED")]
            series.append(
                (
                    lab(g, b.lang, "status_group"),
                    [b.cell(d, d["months_after_exit"] == h, "share", "pct")[1] for h in HORIZONS],
                )
            )
        a_emp = a[a["state"] == "EMPLOYED"]
        series.insert(
            0,
            (
                b.t("Alle", "All"),
                [
                    b.cell(a_emp, a_emp["months_after_exit"] == h, "share", "pct")[1]
                    for h in HORIZONS
                ],
            ),
        )
        svg = figs.lines_by_category(
            hz,
            series,
            b.lang,
            b.t("Prosent i arbeid", "Per cent employed"),
            b.t("Måneder etter avsluttet arbeidstrening", "Months after work training ended"),
        )
        s.blocks.append(
            b.figure(
                svg,
                b.t(
                    "Andel i arbeid etter avsluttet arbeidstrening, etter status hos NAV ved start. Prosent.",
                    "Share employed after work training ended, by status at NAV at the start. Per cent.",
                ),
            )
        )
    else:
        s.blocks.append(
            b.not_available(
                b.t("Overganger etter status", "Transitions by status"),
                "marts.transitions_by_status_group",
            )
        )
    return s


def sec_intended(b: Builder) -> Section:
    s = Section("maloppnaelse", TITLES["maloppnaelse"][0 if b.lang == "nb" else 1])
    io = b.frame("intended_outcomes")
    if io is None:
        s.blocks.append(
            b.not_available(b.t("Måloppnåelsen", "Goal attainment"), "marts.intended_outcomes")
        )
        return s
    s.blocks.append(
        b.p(
            b.t(
                "Hvert formål har et tilsiktet resultat som vi kan se i registrene. For «Få jobb i bedriften» er det jobb eller lønnstilskudd hos samme arbeidsgiver (samme organisasjonsnummer). For «Arbeidserfaring» er det arbeid hos en hvilken som helst arbeidsgiver. For «Utprøving» er det et nytt tiltak, AAP eller arbeid. For «Oppnå fagbrev/kompetansebevis» er det læreplass eller utdanning. For «Språkopplæring» er det arbeid, utdanning eller et nytt tiltak. For «Annet» og ukjent formål bruker vi arbeid.",
                "Each purpose has an intended outcome that can be seen in the registers. For “Job at the firm” it is a job or wage subsidy at the same employer (same organisation number). For “Work experience” it is work at any employer. For “Trial” it is a new programme, AAP or work. For “Trade certificate” it is an apprenticeship or education. For “Language training” it is work, education or a further programme. For “Other” and unknown purpose we use work.",
            )
        )
    )
    purposes = [p for p in PURPOSES_WITH_UNKNOWN if (io["purpose"] == p).any()]
    yes = io[io["reached"] == "YES"]
    series, symbols = [], []
    for h in (6, 12, 24):
        cells = [
            b.cell(yes, (yes["purpose"] == p) & (yes["months_after_exit"] == h), "share", "pct")
            for p in purposes
        ]
        series.append((b.t(f"{h} mnd. etter", f"{h} months after"), [v for _, v in cells]))
        symbols.append([txt if not np.isfinite(v) else None for txt, v in cells])
    cats = [lab(p, b.lang, "purpose") for p in purposes]
    svg = figs.grouped_bars(
        cats,
        series,
        b.lang,
        b.t(
            "Prosent som nådde det tilsiktede resultatet", "Per cent reaching the intended outcome"
        ),
        symbols=symbols,
    )
    s.blocks.append(
        b.figure(
            svg,
            b.t(
                "Andel forløp der formålets tilsiktede resultat var nådd 6, 12 og 24 måneder etter avsluttet arbeidstrening. Prosent.",
                "Share of spells where the intended outcome of the purpose was reached 6, 12 and 24 months after work training ended. Per cent.",
            ),
            b.t("«:» betyr skjult av personvernhensyn.", "“:” means hidden for confidentiality."),
        )
    )
    header = [b.t("Formål", "Purpose"), b.t("Tilsiktet resultat", "Intended outcome")] + [
        b.t(f"{h} mnd.", f"{h} mo.") for h in HORIZONS
    ]
    rows = []
    for p in purposes:
        d = yes[yes["purpose"] == p]
        rows.append(
            [
                lab(p, b.lang, "purpose"),
                lab(d["intended_outcome"].iloc[0], b.lang, "intended_outcome"),
            ]
            + [b.cell(d, d["months_after_exit"] == h, "share", "pct")[0] for h in HORIZONS]
        )
    s.blocks.append(
        b.table(
            b.t(
                "Andel som nådde formålets tilsiktede resultat, etter måneder etter avsluttet arbeidstrening. Prosent.",
                "Share reaching the purpose's intended outcome, by months after work training ended. Per cent.",
            ),
            header,
            rows,
            align="ll" + "r" * len(HORIZONS),
            widths=[1.3, 2.0] + [0.6] * len(HORIZONS),
        )
    )
    return s


def sec_chaining(b: Builder) -> Section:
    s = Section("kjeding", TITLES["kjeding"][0 if b.lang == "nb" else 1])
    ch = b.frame("chaining_next_purpose")
    chh = b.frame("chaining_next_exit_half_year")
    se = b.frame("same_employer")
    seq = b.frame("chaining_sequences")
    s.blocks.append(
        b.p(
            b.t(
                "Mange går fra arbeidstrening til et nytt tiltak (tiltakskjeding), for eksempel midlertidig lønnstilskudd og deretter fast jobb hos samme arbeidsgiver. Vi ser på det første nye tiltaket som starter etter at arbeidstreningen er slutt, innen 24 måneder. Forløp som ikke kan følges i 24 måneder ennå, er holdt utenfor hvis de ikke allerede har fått et nytt tiltak.",
                "Many go from work training to a further programme (programme chaining), for example a temporary wage subsidy and then a permanent job at the same employer. We look at the first new programme starting after work training has ended, within 24 months. Spells that cannot yet be followed for 24 months are left out unless they have already started a new programme.",
            )
        )
    )
    if ch is not None:
        nexts = ("WAGE_SUBSIDY", "ARBEIDSTRENING", "OTHER_PROGRAMME", "NONE_WITHIN_24_MONTHS")
        header = (
            [b.t("Formål", "Purpose")]
            + [lab(n, b.lang, "next_programme") for n in nexts]
            + [b.t("Median mnd. til lønnstilskudd", "Median months to wage subsidy")]
        )
        rows = []
        for p in ("ALL", *PURPOSES_WITH_UNKNOWN):
            d = ch[ch["category"] == p]
            if d.empty:
                continue
            rows.append(
                [lab(p, b.lang, "purpose")]
                + [b.cell(d, d["next_programme"] == n, "share", "pct")[0] for n in nexts]
                + [
                    b.cell(
                        d, d["next_programme"] == "WAGE_SUBSIDY", "median_months_to_next", "num", 0
                    )[0]
                ]
            )
        s.blocks.append(
            b.table(
                b.t(
                    "Første nye tiltak innen 24 måneder etter arbeidstrening, etter formål. Prosent av avsluttede forløp.",
                    "First new programme within 24 months after work training, by purpose. Per cent of ended spells.",
                ),
                header,
                rows,
                bold_first_row=True,
            )
        )
    else:
        s.blocks.append(
            b.not_available(b.t("Neste tiltak", "Next programme"), "marts.chaining_next")
        )
    if chh is not None:
        hs = sorted(c for c in chh["category"].unique() if c != "ALL")
        xl = [half_year_short(h, b.lang) for h in hs]
        ws = [
            b.cell(
                chh,
                (chh["category"] == h) & (chh["next_programme"] == "WAGE_SUBSIDY"),
                "share",
                "pct",
            )[1]
            for h in hs
        ]
        at = [
            b.cell(
                chh,
                (chh["category"] == h) & (chh["next_programme"] == "ARBEIDSTRENING"),
                "share",
                "pct",
            )[1]
            for h in hs
        ]
        vl = hs.index("2022H2") if "2022H2" in hs else None
        svg = figs.lines_by_category(
            xl,
            [
                (lab("WAGE_SUBSIDY", b.lang, "next_programme"), ws),
                (lab("ARBEIDSTRENING", b.lang, "next_programme"), at),
            ],
            b.lang,
            b.t("Prosent av avsluttede forløp", "Per cent of ended spells"),
            b.t(
                "Halvår for avslutning (1 = jan.–juni, 2 = juli–des.)",
                "Half-year of exit (1 = Jan–Jun, 2 = Jul–Dec)",
            ),
            vline_at=vl,
            vline_label=b.t("Høsten 2022", "Autumn 2022"),
        )
        s.blocks.append(
            b.figure(
                svg,
                b.t(
                    "Andel som gikk videre til lønnstilskudd eller ny arbeidstrening innen 24 måneder, etter halvår for avslutning. Prosent.",
                    "Share moving on to a wage subsidy or new work training within 24 months, by half-year of exit. Per cent.",
                ),
                b.t(
                    "De siste halvårene kan ikke følges i 24 måneder ennå; andelene der gjelder bare dem som allerede har fått et nytt tiltak eller kan følges lenge nok. Brudd i linjen betyr skjulte tall.",
                    "The latest half-years cannot yet be followed for 24 months; shares there only cover those who have already started a new programme or can be followed long enough. Gaps in a line are hidden values.",
                ),
            )
        )
    if se is not None:
        s.blocks.append(b.h3(b.t("Jobb hos samme arbeidsgiver", "Jobs at the same employer")))
        s.blocks.append(
            b.p(
                b.t(
                    "Samme arbeidsgiver betyr at personen er i arbeid hos, eller har lønnstilskudd fra, virksomheten med samme organisasjonsnummer som arbeidstreningen.",
                    "Same employer means the person is employed at, or has a wage subsidy with, the firm with the same organisation number as the work training.",
                )
            )
        )
        series = []
        for p, name in (
            ("FAA_JOBB_I_BEDRIFTEN", lab("FAA_JOBB_I_BEDRIFTEN", b.lang, "purpose")),
            ("ALL", b.t("Alle formål", "All purposes")),
        ):
            for meas, mname in (
                (
                    "employed_or_wage_subsidy_same_employer",
                    b.t("samme arbeidsgiver", "same employer"),
                ),
                ("employed_any_employer", b.t("hvilken som helst arbeidsgiver", "any employer")),
            ):
                d = se[(se["purpose"] == p) & (se["measure"] == meas) & (se["outcome"] == "YES")]
                if d.empty:
                    continue
                series.append(
                    (
                        f"{name}: {mname}",
                        [
                            b.cell(d, d["months_after_exit"] == h, "share", "pct")[1]
                            for h in HORIZONS
                        ],
                    )
                )
        if series:
            svg = figs.lines_by_category(
                [str(h) for h in HORIZONS],
                series,
                b.lang,
                b.t("Prosent", "Per cent"),
                b.t("Måneder etter avsluttet arbeidstrening", "Months after work training ended"),
                height=3.1,
            )
            s.blocks.append(
                b.figure(
                    svg,
                    b.t(
                        "I arbeid eller på lønnstilskudd hos samme arbeidsgiver, og i arbeid hos en hvilken som helst arbeidsgiver, etter måneder etter avsluttet arbeidstrening. Prosent av avsluttede forløp.",
                        "Employed or on a wage subsidy at the same employer, and employed at any employer, by months after work training ended. Per cent of ended spells.",
                    ),
                )
            )
    else:
        s.blocks.append(
            b.not_available(
                b.t("Jobb hos samme arbeidsgiver", "Jobs at the same employer"),
                "marts.same_employer",
            )
        )
    if seq is not None:
        rows = [
            [
                lab(r.sequence, b.lang, "chain"),
                b.cell(seq, seq["sequence"] == r.sequence, "n_persons")[0],
                b.cell(seq, seq["sequence"] == r.sequence, "share", "pct")[0],
            ]
            for r in seq.itertuples()
        ]
        s.blocks.append(
            b.table(
                b.t(
                    "De vanligste tiltakskjedene fra første arbeidstrening. Antall personer og prosent av alle deltakere.",
                    "The most common programme chains from the first work training. Number of persons and per cent of all participants.",
                ),
                [b.t("Kjede", "Chain"), b.t("Personer", "Persons"), b.t("Prosent", "Per cent")],
                rows,
                note=b.t(
                    "Kjedene er slik de ser ut ved slutten av observasjonsperioden; nyere deltakere kan få flere tiltak senere.",
                    "Chains are as observed at the end of the observation period; recent participants may get further programmes later.",
                ),
                widths=[4, 1, 1],
            )
        )
    return s


def _effect_series(eff: pd.DataFrame, estimator: str, subgroup: str = "ALL") -> pd.DataFrame:
    return eff[
        (eff["estimator"] == estimator)
        & (eff["outcome"] == HEADLINE_OUTCOME)
        & (eff["subgroup"] == subgroup)
    ]


def sec_effects(b: Builder) -> Section:
    s = Section("effekter", TITLES["effekter"][0 if b.lang == "nb" else 1])
    eff = b.frame("effects")
    h = b.headline()
    s.blocks.append(
        b.p(
            b.t(
                f"Effekten er forskjellen mellom andelen i arbeid blant deltakerne og andelen som ville vært i arbeid om de samme personene ikke hadde deltatt. Det siste kan vi ikke observere direkte. Vi anslår det med sammenlignbare personer som var registrert hos NAV med samme status, men som ikke hadde startet i arbeidstrening ennå (se kapittel {chapter('metode')}). Tiden måles i måneder siden start, der 0 er startmåneden.",
                f"The effect is the difference between the share employed among participants and the share that would have been employed had the same persons not taken part. The latter cannot be observed directly. We estimate it from comparable persons registered at NAV with the same status who had not yet started work training (see chapter {chapter('metode')}). Time is measured in months since the start, where 0 is the start month.",
            )
        )
    )
    head = _effect_series(eff, HEADLINE_ESTIMATOR)
    if head.empty:
        s.blocks.append(
            b.note(
                b.t(
                    "Hovedestimatet (Callaway–Sant’Anna, sysselsetting) finnes ikke i denne kjøringen.",
                    "The headline estimate (Callaway–Sant’Anna, employment) is not in this run.",
                )
            )
        )
    else:
        svg = figs.event_study(
            [("", head)],
            b.lang,
            b.t("Måneder siden start", "Months since start"),
            b.t("Effekt (prosentpoeng)", "Effect (percentage points)"),
            b.t("95 % konfidensintervall", "95 % confidence interval"),
            shade=(-0.5, 5.5),
            shade_label=b.t("Innlåsingsperiode (mnd. 0–5)", "Lock-in period (months 0–5)"),
        )
        s.blocks.append(
            b.figure(
                svg,
                b.t(
                    "Effekt av arbeidstrening på andelen i arbeid, etter måneder siden start. Prosentpoeng med 95 % konfidensintervall.",
                    "Effect of work training on the share employed, by months since the start. Percentage points with 95 % confidence interval.",
                ),
                b.t(
                    "Punktene før 0 (før start) bør ligge nær null hvis sammenligningsgruppen er god. Skjulte estimater (færre enn 5 deltakere) er ikke tegnet.",
                    "Points before 0 (before the start) should be close to zero if the comparison group is good. Hidden estimates (fewer than 5 participants) are not drawn.",
                ),
            )
        )
        rows = []
        for m, name in (
            ("lock_in_0_5", b.t("Innlåsing, snitt mnd. 0–5", "Lock-in, mean of months 0–5")),
            ("at_12", b.t("12 måneder etter start", "12 months after start")),
            ("at_24", b.t("24 måneder etter start", "24 months after start")),
            ("at_36", b.t("36 måneder etter start", "36 months after start")),
        ):
            r = h.get(m)
            if not r:
                continue
            rows.append(
                [
                    name,
                    b.pp(r["estimate"], status=r.get("estimate_symbol")).split(" ")[0],
                    b.ci(r["ci_low"], r["ci_high"], status=r.get("estimate_symbol"))
                    .replace("fra ", "")
                    .replace("from ", "")
                    .replace(" til ", " til ")
                    .replace(" to ", " to "),
                    r.get("n_treated_symbol") or b.num(r["n_treated"]),
                ]
            )
        if rows:
            s.blocks.append(
                b.table(
                    b.t(
                        "Hovedresultater: effekt på andelen i arbeid. Prosentpoeng.",
                        "Main results: effect on the share employed. Percentage points.",
                    ),
                    [
                        b.t("Mål", "Measure"),
                        b.t("Effekt", "Effect"),
                        b.t("95 % konfidensintervall", "95 % confidence interval"),
                        b.t("Deltakere", "Participants"),
                    ],
                    rows,
                    align="lrrr",
                )
            )
            li = h.get("lock_in_0_5")
            a24 = h.get("at_24") or h.get("at_12")
            txt = []
            if li and not fmt.is_missing(li["estimate"]):
                txt.append(
                    b.t(
                        f"Mens deltakerne er i tiltaket (måned 0–5), er andelen i arbeid {b.pp_abs(li['estimate'], 'lavere', 'høyere')} enn den ville vært uten tiltaket. Det er innlåsingseffekten. {_significance(b, li['ci_low'], li['ci_high'])}",
                        f"While participants are in the programme (months 0–5), the share employed is {b.pp_abs(li['estimate'], 'lower', 'higher')} than it would have been without it. This is the lock-in effect. {_significance(b, li['ci_low'], li['ci_high'])}",
                    )
                )
            if a24 and not fmt.is_missing(a24["estimate"]):
                txt.append(
                    b.t(
                        f"Etter to år er andelen i arbeid {b.pp_abs(a24['estimate'], 'lavere', 'høyere')} enn uten tiltaket (95 % konfidensintervall {b.ci(a24['ci_low'], a24['ci_high'])}). {_significance(b, a24['ci_low'], a24['ci_high'])}",
                        f"After two years, the share employed is {b.pp_abs(a24['estimate'], 'lower', 'higher')} than without the programme (95 % confidence interval {b.ci(a24['ci_low'], a24['ci_high'])}). {_significance(b, a24['ci_low'], a24['ci_high'])}",
                    )
                )
            if txt:
                s.blocks.append(b.p(" ".join(txt)))
    # comparison of estimators
    series = []
    for est in (HEADLINE_ESTIMATOR, *COMPARISON_ESTIMATORS):
        d = _effect_series(eff, est)
        if not d.empty:
            series.append((lab(est, b.lang, "estimator"), d, est == HEADLINE_ESTIMATOR))
    if len(series) > 1:
        svg = figs.estimator_comparison(
            series,
            b.lang,
            b.t("Måneder siden start", "Months since start"),
            b.t("Effekt (prosentpoeng)", "Effect (percentage points)"),
            b.t("95 % konfidensintervall, hovedestimat", "95 % confidence interval, headline"),
        )
        s.blocks.append(
            b.figure(
                svg,
                b.t(
                    "Hovedestimatet sammenlignet med en tradisjonell regresjon (TWFE) og en naiv sammenligning. Prosentpoeng.",
                    "The headline estimate compared with a conventional regression (TWFE) and a naive comparison. Percentage points.",
                ),
                b.t(
                    "Den naive sammenligningen ser bare på forskjellen mellom deltakere og ikke-deltakere i samme måned. Den tar ikke hensyn til at deltakerne skiller seg fra andre allerede før start, og er med bare for å vise hvor mye valget av metode betyr.",
                    "The naive comparison only looks at the difference between participants and non-participants in the same month. It ignores that participants differ from others already before the start, and is included only to show how much the choice of method matters.",
                ),
            )
        )
    # forest plot
    summ = b.frame("effects_summary")
    if summ is not None and "measure" in summ.columns:
        sm = (
            summ[(summ["estimator"] == HEADLINE_ESTIMATOR) & (summ["outcome"] == HEADLINE_OUTCOME)]
            if "estimator" in summ.columns
            else summ
        )
        subgroups = [g for g in _subgroup_order(sm["subgroup"].unique())]
        labels = [_subgroup_label(g, b.lang) for g in subgroups]
        panels = []
        for m in ("lock_in_0_5", "at_12", "at_24"):
            d = sm[sm["measure"] == m].copy()
            if d.empty:
                continue
            d["label"] = d["subgroup"].map(lambda g: _subgroup_label(g, b.lang))
            panels.append((lab(m, b.lang, "measure"), d))
        if panels and len(subgroups) > 1:
            svg = figs.forest(panels, labels, b.lang, b.t("Prosentpoeng", "Percentage points"))
            s.blocks.append(
                b.figure(
                    svg,
                    b.t(
                        "Effekt på andelen i arbeid etter undergruppe: innlåsing (snitt mnd. 0–5) og effekt 12 og 24 måneder etter start. Prosentpoeng med 95 % konfidensintervall.",
                        "Effect on the share employed by subgroup: lock-in (mean of months 0–5) and effect 12 and 24 months after the start. Percentage points with 95 % confidence interval.",
                    ),
                    b.t(
                        "Formål er formålet på personens første arbeidstrening. Undergrupper med få deltakere har brede intervaller. «:» betyr skjult av personvernhensyn.",
                        "Purpose is the purpose of the person's first work training. Subgroups with few participants have wide intervals. “:” means hidden for confidentiality.",
                    ),
                )
            )
            rows = []
            for g in subgroups:
                row = [_subgroup_label(g, b.lang)]
                for m, _ in (("lock_in_0_5", 0), ("at_24", 0)):
                    d = sm[(sm["subgroup"] == g) & (sm["measure"] == m)]
                    sym = fmt.MISSING if d.empty else sdc.symbol(d.iloc[0], "estimate")
                    if sym or fmt.is_missing(d.iloc[0]["estimate"]):
                        row += [sym or fmt.MISSING, ""]
                    else:
                        r = d.iloc[0]
                        row += [
                            fmt.format_signed(r["estimate"] * 100, 1, b.lang),
                            b.ci(r["ci_low"], r["ci_high"])
                            .replace("fra ", "")
                            .replace("from ", ""),
                        ]
                d0 = sm[(sm["subgroup"] == g) & (sm["measure"] == "lock_in_0_5")]
                row.append(
                    fmt.MISSING
                    if d0.empty
                    else sdc.symbol(d0.iloc[0], "n_treated") or b.num(d0.iloc[0]["n_treated"])
                )
                rows.append(row)
            s.blocks.append(
                b.table(
                    b.t(
                        "Effekter etter undergruppe. Prosentpoeng.",
                        "Effects by subgroup. Percentage points.",
                    ),
                    [
                        b.t("Undergruppe", "Subgroup"),
                        b.t("Innlåsing", "Lock-in"),
                        b.t("95 % KI", "95 % CI"),
                        b.t("24 mnd.", "24 months"),
                        b.t("95 % KI", "95 % CI"),
                        b.t("Deltakere", "Participants"),
                    ],
                    rows,
                    widths=[2.2, 0.8, 1.5, 0.8, 1.5, 0.9],
                    bold_first_row=True,
                )
            )
    else:
        s.blocks.append(
            b.not_available(
                b.t("Effekter etter undergruppe", "Effects by subgroup"), "marts.effects_summary"
            )
        )
    return s


# --- Cost-effectiveness ------------------------------------------------------------------------

COST_MAIN_MEASURES = (
    # (perspective, measure) in the main-results table, in this order
    ("effects", "extra_employed_months"),
    ("effects", "earnings_change_pv"),
    ("effects", "benefit_months_change"),
    ("budget", "programme_cost_pv"),
    ("budget", "tax_revenue_gain_pv"),
    ("budget", "benefit_savings_pv"),
    ("budget", "npv"),
    ("budget", "cost_per_extra_employed_month"),
    ("budget", "break_even_employment_pp"),
    ("society", "resource_cost_pv"),
    ("society", "production_gain_pv"),
    ("society", "tax_financing_effect_pv"),
    ("society", "npv"),
    ("society", "cost_per_extra_employed_month"),
    ("society", "break_even_employment_pp"),
)
COST_COMPONENTS = (
    "nav_follow_up",
    "mentor_grant",
    "inclusion_grant",
    "employer_net_cost",
    "total_budget_cost",
    "total_resource_cost",
)
TRANSFER_COMPONENTS = (
    "aap_during_programme",
    "dagpenger_during_programme",
    "tiltakspenger_during_programme",
    "sosialhjelp_during_programme",
    "uforetrygd_during_programme",
    "kvp_during_programme",
)


def _cost_row(ce: pd.DataFrame, perspective: str, measure: str, subgroup: str = "ALL"):
    d = ce[
        (ce["perspective"] == perspective)
        & (ce["measure"] == measure)
        & (ce["subgroup"] == subgroup)
    ]
    return None if d.empty else d.iloc[0]


def _hidden(r, col: str = "estimate") -> bool:
    return r is None or bool(r.get(sdc.flag_col(col), False))


def _nok(b: Builder, x, signed: bool = False) -> str:
    """NOK rounded to the nearest 100 (the estimates are not more precise than that)."""
    if fmt.is_missing(x):
        return fmt.MISSING
    v = round(float(x), -2)
    return fmt.format_signed(v, 0, b.lang) if signed else b.num(v)


def _cost_value(b: Builder, r, col: str = "estimate") -> str:
    """One value of a cost_effectiveness row, formatted by its unit; ':' when suppressed."""
    if r is None:
        return fmt.MISSING
    if _hidden(r, col):
        return fmt.SUPPRESSED
    x = r[col]
    if fmt.is_missing(x):
        return fmt.MISSING
    unit = str(r.get("unit", ""))
    if "month" in unit and "NOK" not in unit:
        return b.num(x, 2)
    if unit == "percentage points":
        return b.num(x, 1)
    return _nok(b, x)


def _cost_ci(b: Builder, r) -> str:
    """``"a til b"``; an interval end that is missing while the other is there is unbounded."""
    if r is None or _hidden(r, "ci_low"):
        return "" if r is None else fmt.SUPPRESSED
    lo, hi = r.get("ci_low"), r.get("ci_high")
    if fmt.is_missing(lo) and fmt.is_missing(hi):
        return ""
    unb = b.t("ubegrenset", "unbounded")
    a = unb if fmt.is_missing(lo) else _cost_value(b, r, "ci_low")
    c = unb if fmt.is_missing(hi) else _cost_value(b, r, "ci_high")
    return b.t(f"{a} til {c}", f"{a} to {c}")


def chapter(section_id: str) -> int:
    """Chapter number of a section (the renderers number sections in SECTION_IDS order)."""
    return SECTION_IDS.index(section_id) + 1


def _cost_params(b: Builder) -> dict[str, float]:
    """Numeric parameters actually used (marts.cost_parameters; first value per key)."""
    par = b.frame("cost_parameters")
    if par is None or "value" not in par.columns:
        return {}
    out: dict[str, float] = {}
    for r in par.to_dict("records"):
        if not fmt.is_missing(r.get("value")):
            out.setdefault(str(r["parameter"]), float(r["value"]))
    return out


def cost_summary_bullet(b: Builder) -> str | None:
    """One bullet for the summary: society NPV for ALL with its interval (None if unavailable)."""
    ce = b.frame("cost_effectiveness")
    if ce is None:
        return None
    soc, bud = _cost_row(ce, "society", "npv"), _cost_row(ce, "budget", "npv")
    if _hidden(soc) or fmt.is_missing(soc["estimate"]):
        return None
    h = int(soc.get("horizon_months", 36)) if not fmt.is_missing(soc.get("horizon_months")) else 36
    v = _nok(b, soc["estimate"])
    b.summary_numbers.append(v)
    budget = ""
    if not _hidden(bud) and not fmt.is_missing(bud["estimate"]):
        budget = b.t(
            f" For offentlige budsjetter er netto nåverdi {_nok(b, bud['estimate'])} kr.",
            f" For the public budget the net present value is NOK {_nok(b, bud['estimate'])}.",
        )
    return (
        b.t(
            f"**Kostnadseffektivitet:** For samfunnet er netto nåverdi av arbeidstrening {v} kr per deltaker over {h} måneder fra start (95 % konfidensintervall {_cost_ci(b, soc)} kr).",
            f"**Cost-effectiveness:** For society the net present value of work training is NOK {v} per participant over {h} months from the start (95 % confidence interval NOK {_cost_ci(b, soc)}).",
        )
        + budget
        + b.t(f" Se kapittel {chapter('kostnader')}.", f" See chapter {chapter('kostnader')}.")
    )


def sec_costs(b: Builder) -> Section:
    s = Section("kostnader", TITLES["kostnader"][0 if b.lang == "nb" else 1])
    ce = b.frame("cost_effectiveness")
    cp = b.frame("costs_per_participant")
    cs = b.frame("cost_sensitivity")
    par = _cost_params(b)
    rate = par.get("general.discount_rate", 0.04)
    lam = par.get("general.tax_financing_cost", 0.2)
    price_year = int(par.get("general.price_year", 2024))
    horizon = 36
    if ce is not None and "horizon_months" in ce.columns and len(ce):
        hz = ce.loc[ce["subgroup"] == "ALL", "horizon_months"].dropna()
        horizon = int(hz.iloc[0]) if len(hz) else horizon
    rate_txt = b.pct(rate, 0) if float(rate * 100).is_integer() else b.pct(rate, 1)
    s.blocks.append(
        b.p(
            b.t(
                f"Dette kapitlet sammenligner hva arbeidstrening koster med hva effektene er verdt. Kostnadene per deltaker er regnet ut fra registrene (hvor mange måneder deltakerne er i tiltaket og får tilskudd) ganget med dokumenterte satser, for eksempel NAVs oppfølgingskostnad per deltakermåned. Effektene er hovedestimatene fra kapittel {chapter('effekter')} på sysselsetting, arbeidsinntekt og ytelser, summert over {horizon} måneder fra startmåneden. Innlåsingsperioden er med.",
                f"This chapter compares what work training costs with what its effects are worth. The costs per participant are computed from the registers (how many months participants are in the programme and receive grants) times documented rates, such as NAV's follow-up cost per participant-month. The effects are the headline estimates of chapter {chapter('effekter')} on employment, earnings and benefits, summed over {horizon} months from the start month. The lock-in period is included.",
            )
        )
    )
    s.blocks.append(
        b.p(
            b.t(
                f"Vi holder to perspektiver atskilt. **Offentlige budsjetter** tar med tiltakskostnaden, økte skatter og avgifter og sparte ytelser. **Samfunnet** tar med verdien av økt produksjon og de reelle ressursene tiltaket bruker, pluss en skattefinansieringskostnad på {b.num(lam, 1)} kr per krone offentlige netto utgifter. Ytelser som arbeidsavklaringspenger og dagpenger er overføringer: De er en kostnad for det offentlige, men ikke for samfunnet, fordi pengene bare flyttes fra skattebetalerne til mottakerne.",
                f"We keep two perspectives apart. The **public budget** counts the programme cost, higher taxes and contributions, and benefits saved. **Society** counts the value of higher production and the real resources the programme uses, plus a tax-financing cost of NOK {b.num(lam, 1)} per NOK of net public spending. Benefits such as work assessment allowance and unemployment benefit are transfers: a cost to the public budget, but not to society, because the money only moves from taxpayers to recipients.",
            )
        )
    )
    s.blocks.append(
        b.p(
            b.t(
                f"Alle beløp er per deltaker i {price_year}-kroner og neddiskontert med {rate_txt} per år til starttidspunktet, som anbefalt i Finansdepartementets rundskriv R-109. **Netto nåverdi** er verdien av gevinstene minus kostnadene; et positivt tall betyr at tiltaket lønner seg i perspektivet. Satsene og forutsetningene står i filen cost_parameters.csv i tabellmappen. De kan endres uten å endre koden, med en egen parameterfil (valget --cost-parameters når analysen kjøres).",
                f"All amounts are per participant in {price_year} NOK, discounted at {rate_txt} a year to the start, as recommended in the Ministry of Finance's circular R-109. The **net present value** is the value of the gains minus the costs; a positive number means the programme pays off in that perspective. The rates and assumptions are in the file cost_parameters.csv in the tables folder. They can be changed without changing the code, with a parameter file of one's own (the option --cost-parameters when the analysis is run).",
            )
        )
    )
    if cp is None and ce is None:
        s.blocks.append(
            b.not_available(
                b.t("Kostnadsberegningen", "The cost analysis"), "marts.cost_effectiveness"
            )
        )
        s.blocks.append(
            b.not_available(
                b.t("Kostnadene per deltaker", "Costs per participant"),
                "marts.costs_per_participant",
            )
        )
        return s
    # --- costs per participant by component
    if cp is not None:
        a = cp[cp["subgroup"] == "ALL"]
        yes, no = b.t("Ja", "Yes"), b.t("Nei", "No")
        rows = []
        for comp in (*COST_COMPONENTS, *TRANSFER_COMPONENTS):
            d = a[a["component"] == comp]
            if d.empty:
                continue
            r = d.iloc[0]
            months = (
                fmt.SUPPRESSED
                if _hidden(r, "months_per_participant")
                else b.num(r["months_per_participant"], 1)
            )
            nok = (
                fmt.SUPPRESSED
                if _hidden(r, "nok_per_participant")
                else _nok(b, r["nok_per_participant"])
            )
            pv = (
                fmt.SUPPRESSED
                if _hidden(r, "nok_pv_per_participant")
                else _nok(b, r["nok_pv_per_participant"])
            )
            transfer = comp in TRANSFER_COMPONENTS
            name = lab(comp, b.lang, "cost_component")
            if transfer:
                name = b.t(f"{name} (overføring)", f"{name} (transfer)")
            rows.append(
                [
                    name,
                    months,
                    nok,
                    pv,
                    yes if bool(r.get("in_budget", False)) else no,
                    yes if bool(r.get("in_society", False)) else no,
                ]
            )
        n_txt, _ = b.cell(a, a["component"] == "nav_follow_up", "n_participants")
        s.blocks.append(
            b.table(
                b.t(
                    f"Kostnader per deltaker etter komponent. Alle deltakere i kostnadsgrunnlaget ({n_txt} personer). Kroner per deltaker, avrundet til nærmeste 100 kr.",
                    f"Costs per participant by component. All participants in the cost base ({n_txt} persons). NOK per participant, rounded to the nearest 100.",
                ),
                [
                    b.t("Komponent", "Component"),
                    b.t("Måneder per deltaker", "Months per participant"),
                    b.t("Kr per deltaker", "NOK per participant"),
                    b.t("Nåverdi, kr", "Present value, NOK"),
                    b.t("Kostnad i budsjett", "Budget cost"),
                    b.t("Kostnad for samfunnet", "Cost to society"),
                ],
                rows,
                align="lrrrll",
                widths=[2.6, 1.0, 1.0, 1.0, 0.9, 0.9],
                note=b.t(
                    "Kostnadsgrunnlaget er hver persons første arbeidstrening som startet minst 18 måneder før observasjonsperioden slutter, for arbeidssøkere og personer med nedsatt arbeidsevne. Måneder med tilskudd og ytelser er måneder mens tiltaket pågår. Ytelsene er overføringer og regnes ikke som tiltakskostnad; endringen i ytelser kommer inn gjennom effekten på ytelser (ellers ville de blitt telt to ganger).",
                    "The cost base is each person's first work training that started at least 18 months before the end of the observation period, for job seekers and persons with reduced work capacity. Months with grants and benefits are months while the programme runs. Benefits are transfers and are not counted as programme costs; the change in benefits enters through the effect on benefits (otherwise it would be counted twice).",
                ),
            )
        )
    else:
        s.blocks.append(
            b.not_available(
                b.t("Kostnadene per deltaker", "Costs per participant"),
                "marts.costs_per_participant",
            )
        )
    if ce is None:
        s.blocks.append(
            b.not_available(
                b.t("Kostnadseffektiviteten", "Cost-effectiveness"), "marts.cost_effectiveness"
            )
        )
        return s
    # --- main results
    rows = []
    last = None
    for persp, measure in COST_MAIN_MEASURES:
        r = _cost_row(ce, persp, measure)
        if r is None:
            continue
        rows.append(
            [
                lab(persp, b.lang, "cost_perspective") if persp != last else "",
                lab(measure, b.lang, "cost_measure"),
                lab(r.get("unit"), b.lang, "cost_unit"),
                _cost_value(b, r),
                _cost_ci(b, r),
            ]
        )
        last = persp
    if rows:
        s.blocks.append(
            b.table(
                b.t(
                    f"Hovedresultater for alle deltakere, {horizon} måneder fra start. Beløp per deltaker, avrundet til nærmeste 100 kr.",
                    f"Main results for all participants, {horizon} months from the start. Amounts per participant, rounded to the nearest NOK 100.",
                ),
                [
                    b.t("Perspektiv", "Perspective"),
                    b.t("Mål", "Measure"),
                    b.t("Enhet", "Unit"),
                    b.t("Anslag", "Estimate"),
                    b.t("95 % KI", "95 % CI"),
                ],
                rows,
                align="lllrr",
                widths=[1.1, 2.3, 2.3, 0.8, 1.6],
                note=b.t(
                    "KI: konfidensintervall. Netto nåverdi for budsjettet = økte skatter og avgifter + sparte ytelser − tiltakskostnad. For samfunnet = økt produksjon − ressurskostnad + skattefinansieringskostnaden (en andel av budsjettets netto nåverdi). «Effekt som trengs for å gå i null» er den faste økningen i andelen i arbeid (prosentpoeng i hver måned) som ville gitt netto nåverdi lik null. «Ubegrenset»: intervallet for sysselsettingseffekten når null, så kostnaden per ekstra måned i arbeid har ingen øvre grense. «..»: ikke definert (ingen positiv sysselsettingseffekt).",
                    "CI: confidence interval. PV: present value. Budget net present value = higher taxes and contributions + benefits saved − programme cost. For society = higher production − resource cost + the cost of tax financing (a share of the budget's net present value). “Effect needed to break even” is the constant rise in the share employed (percentage points in every month) that would give a net present value of zero. “Unbounded”: the interval of the employment effect reaches zero, so the cost per extra month employed has no upper limit. “..”: not defined (no positive employment effect).",
                ),
            )
        )
    # --- interpretation
    bud, soc = _cost_row(ce, "budget", "npv"), _cost_row(ce, "society", "npv")
    months = _cost_row(ce, "effects", "extra_employed_months")
    benm = _cost_row(ce, "effects", "benefit_months_change")
    txt = []
    if not _hidden(bud) and not fmt.is_missing(bud["estimate"]):
        v = float(bud["estimate"])
        amount = _nok(b, abs(v))
        txt.append(
            b.t(
                f"Med disse forutsetningene koster arbeidstrening det offentlige {amount} kr mer per deltaker enn det gir tilbake innen {horizon} måneder (95 % konfidensintervall {_cost_ci(b, bud)} kr)."
                if v < 0
                else f"Med disse forutsetningene gir arbeidstrening det offentlige {amount} kr mer tilbake per deltaker enn det koster innen {horizon} måneder (95 % konfidensintervall {_cost_ci(b, bud)} kr).",
                f"Under these assumptions, work training costs the public budget NOK {amount} more per participant than it brings back within {horizon} months (95 % confidence interval NOK {_cost_ci(b, bud)})."
                if v < 0
                else f"Under these assumptions, work training brings the public budget NOK {amount} more per participant than it costs within {horizon} months (95 % confidence interval NOK {_cost_ci(b, bud)}).",
            )
        )
    if not _hidden(soc) and not fmt.is_missing(soc["estimate"]):
        lo, hi = soc.get("ci_low"), soc.get("ci_high")
        sure = ""
        if not fmt.is_missing(lo) and not fmt.is_missing(hi):
            if lo > 0:
                sure = b.t(
                    " Intervallet ligger over null: Tiltaket lønner seg for samfunnet.",
                    " The interval lies above zero: the programme pays off for society.",
                )
            elif hi < 0:
                sure = b.t(
                    " Intervallet ligger under null: Tiltaket koster samfunnet mer enn det gir.",
                    " The interval lies below zero: the programme costs society more than it gives.",
                )
            else:
                sure = b.t(
                    " Intervallet inneholder null, så vi kan ikke si sikkert om tiltaket lønner seg for samfunnet.",
                    " The interval includes zero, so we cannot be sure whether the programme pays off for society.",
                )
        txt.append(
            b.t(
                f"For samfunnet er netto nåverdi {_nok(b, soc['estimate'])} kr per deltaker (95 % konfidensintervall {_cost_ci(b, soc)} kr).",
                f"For society the net present value is NOK {_nok(b, soc['estimate'])} per participant (95 % confidence interval NOK {_cost_ci(b, soc)}).",
            )
            + sure
        )
    if not _hidden(months) and not fmt.is_missing(months["estimate"]):
        txt.append(
            b.t(
                f"Deltakerne fikk i gjennomsnitt {b.num(months['estimate'], 2)} flere måneder i arbeid over {horizon} måneder (95 % konfidensintervall {_cost_ci(b, months)}).",
                f"On average participants gained {b.num(months['estimate'], 2)} extra months employed over {horizon} months (95 % confidence interval {_cost_ci(b, months)}).",
            )
        )
    if not _hidden(benm) and not fmt.is_missing(benm["estimate"]):
        v = float(benm["estimate"])
        txt.append(
            b.t(
                f"Budsjettresultatet avhenger mest av ytelsene: Deltakerne har {b.num(abs(v), 1)} {'flere' if v > 0 else 'færre'} måneder med ytelse enn de ellers ville hatt.",
                f"The budget result depends most on benefits: participants have {b.num(abs(v), 1)} {'more' if v > 0 else 'fewer'} months on benefits than they otherwise would.",
            )
        )
    txt.append(
        b.t(
            "Usikkerheten er stor, og resultatet hviler på forutsetninger. Den viktigste er verdien av en ytelsesmåned: Vi bruker et gjennomsnittlig månedsbeløp for ytelsene deltakerne faktisk mottar, men de ytelsesmånedene tiltaket endrer, trenger ikke være gjennomsnittlige. Konfidensintervallene tar bare med usikkerheten i effektene, ikke i satsene.",
            "The uncertainty is large and the result rests on assumptions. The most important is the value of a benefit month: we use an average monthly amount for the benefits participants actually receive, but the benefit months the programme changes need not be average ones. The confidence intervals include only the uncertainty of the effects, not of the rates.",
        )
    )
    s.blocks.append(b.p(" ".join(txt)))
    # --- by subgroup
    subgroups = [
        g
        for g in _subgroup_order(ce["subgroup"].unique())
        if g == "ALL" or g.partition("=")[0] in ("purpose", "status_group")
    ]
    npv = ce[(ce["measure"] == "npv") & ce["subgroup"].isin(subgroups)].copy()
    if len(subgroups) > 1 and not npv.empty:
        labels = [_subgroup_label(g, b.lang) for g in subgroups]
        panels = []
        for persp in ("budget", "society"):
            d = npv[npv["perspective"] == persp].copy()
            if d.empty:
                continue
            d["label"] = d["subgroup"].map(lambda g: _subgroup_label(g, b.lang))
            panels.append((lab(persp, b.lang, "cost_perspective"), d))
        if panels:
            svg = figs.forest(
                panels,
                labels,
                b.lang,
                b.t("1 000 kr per deltaker", "NOK 1,000 per participant"),
                scale="thousands",
            )
            s.blocks.append(
                b.figure(
                    svg,
                    b.t(
                        f"Netto nåverdi per deltaker etter undergruppe, {horizon} måneder fra start, for offentlige budsjetter og for samfunnet. 1 000 kr med 95 % konfidensintervall.",
                        f"Net present value per participant by subgroup, {horizon} months from the start, for the public budget and for society. NOK 1,000 with 95 % confidence interval.",
                    ),
                    b.t(
                        "Til høyre for null lønner tiltaket seg i perspektivet. Undergrupper med få deltakere har brede intervaller. «:» betyr skjult (færre enn 5 personer).",
                        "Right of zero the programme pays off in that perspective. Subgroups with few participants have wide intervals. “:” means hidden (fewer than 5 persons).",
                    ),
                )
            )
        rows = []
        for g in subgroups:
            rb = _cost_row(ce, "budget", "npv", g)
            rs = _cost_row(ce, "society", "npv", g)
            r0 = rb if rb is not None else rs
            n = fmt.SUPPRESSED if _hidden(r0, "n_cost_base") else b.num(r0["n_cost_base"])
            rows.append(
                [
                    _subgroup_label(g, b.lang),
                    _cost_value(b, rb),
                    _cost_ci(b, rb),
                    _cost_value(b, rs),
                    _cost_ci(b, rs),
                    n,
                ]
            )
        s.blocks.append(
            b.table(
                b.t(
                    "Netto nåverdi per deltaker etter undergruppe. Kroner, avrundet til nærmeste 100 kr.",
                    "Net present value per participant by subgroup. NOK, rounded to the nearest 100.",
                ),
                [
                    b.t("Undergruppe", "Subgroup"),
                    b.t("Budsjett", "Budget"),
                    b.t("95 % KI", "95 % CI"),
                    b.t("Samfunnet", "Society"),
                    b.t("95 % KI", "95 % CI"),
                    b.t("Deltakere", "Participants"),
                ],
                rows,
                widths=[2.2, 0.9, 1.6, 0.9, 1.6, 1.0],
                bold_first_row=True,
                note=b.t(
                    "Deltakere: personer i kostnadsgrunnlaget. Formål er formålet på personens første arbeidstrening.",
                    "Participants: persons in the cost base. Purpose is the purpose of the person's first work training.",
                ),
            )
        )
    # --- sensitivity
    if cs is None:
        s.blocks.append(
            b.not_available(
                b.t("Følsomhetsanalysen", "The sensitivity analysis"), "marts.cost_sensitivity"
            )
        )
        return s
    sa = cs[(cs["subgroup"] == "ALL") & (cs["measure"] == "npv")]
    rows = []
    seen: list[str] = []
    for sc in sa["scenario"]:
        if sc not in seen:
            seen.append(sc)
    any_extra = False
    for sc in seen:
        d = sa[sa["scenario"] == sc]
        rb = d[d["perspective"] == "budget"]
        rs = d[d["perspective"] == "society"]
        rb = None if rb.empty else rb.iloc[0]
        rs = None if rs.empty else rs.iloc[0]
        r0 = rb if rb is not None else rs
        if r0 is None:
            continue
        param = str(r0.get("parameter", ""))
        diffs = [
            r.get("difference")
            for r in (rb, rs)
            if r is not None and not fmt.is_missing(r.get("difference"))
        ]
        if (
            param != "base"
            and diffs
            and all(abs(float(x)) < 1e-6 for x in diffs)
            and len(diffs) == 2
        ):
            continue  # the base case again under another name (36 months, 4 %, 0.2)
        extra = bool(r0.get("is_extrapolated", False))
        any_extra |= extra
        name = _scenario_label(b, param, str(r0.get("setting", "")), sc) + (" *" if extra else "")
        rows.append(
            [name, _cost_value(b, rb), _cost_ci(b, rb), _cost_value(b, rs), _cost_ci(b, rs)]
        )
    if rows:
        note = b.t(
            "Hver linje endrer én forutsetning og holder resten som i hovedberegningen.",
            "Each line changes one assumption and keeps the rest as in the main calculation.",
        )
        if any_extra:
            note += b.t(
                " * Framskrivning: Effektene er anslått til og med måned 36. Etter det antar vi at effekten i måned 36 varer uendret. Det er en forutsetning, ikke et anslag.",
                " * Extrapolation: the effects are estimated up to month 36. After that we assume the month-36 effect persists unchanged. This is an assumption, not an estimate.",
            )
        s.blocks.append(
            b.table(
                b.t(
                    "Følsomhetsanalyse: netto nåverdi per deltaker for alle deltakere når én forutsetning endres. Kroner, avrundet til nærmeste 100 kr.",
                    "Sensitivity analysis: net present value per participant for all participants when one assumption changes. NOK, rounded to the nearest 100.",
                ),
                [
                    b.t("Forutsetning", "Assumption"),
                    b.t("Budsjett", "Budget"),
                    b.t("95 % KI", "95 % CI"),
                    b.t("Samfunnet", "Society"),
                    b.t("95 % KI", "95 % CI"),
                ],
                rows,
                widths=[2.5, 0.9, 1.7, 0.9, 1.7],
                bold_first_row=True,
                note=note,
            )
        )
    return s


def _scenario_label(b: Builder, parameter: str, setting: str, scenario: str) -> str:
    """Readable name of a sensitivity case (falls back to the scenario name)."""

    def factor(x: str) -> str | None:
        m = re.fullmatch(r"x(\d+(?:\.\d+)?)", x.strip())
        if not m:
            return None
        ch = float(m[1]) - 1
        return fmt.format_signed(ch * 100, 0, b.lang) + (" %" if b.lang == "nb" else "%")

    try:
        num = float(setting)
    except ValueError:
        num = None
    if parameter == "base":
        return b.t("Hovedberegning", "Main calculation")
    if parameter == "programme_costs" and factor(setting):
        return b.t(f"Tiltakskostnader {factor(setting)}", f"Programme costs {factor(setting)}")
    if parameter == "horizon_months" and num is not None:
        return b.t(f"Horisont {int(num)} måneder", f"Horizon {int(num)} months")
    if parameter == "general.discount_rate" and num is not None:
        return b.t(f"Kalkulasjonsrente {b.pct(num, 0)}", f"Discount rate {b.pct(num, 0)}")
    if parameter == "derived.benefit_nok_per_month" and factor(setting):
        return b.t(
            f"Verdien av en ytelsesmåned {factor(setting)}",
            f"Value of a benefit month {factor(setting)}",
        )
    if parameter == "general.tax_financing_cost" and num is not None:
        return b.t(
            f"Skattefinansieringskostnad {b.num(num, 0 if num.is_integer() else 1)}",
            f"Tax-financing cost {b.num(num, 0 if num.is_integer() else 1)}",
        )
    return scenario


def _subgroup_order(subgroups) -> list[str]:
    dim_order = ["ALL", "status_group", "purpose", "gender", "age", "immigrant", "start_year"]
    val_order = {
        v: i
        for i, v in enumerate(
            [
                "ARBEIDSSOKER",
                "NEDSATT_ARBEIDSEVNE",
                *PURPOSES_WITH_UNKNOWN,
                "female",
                "male",
                "under_30",
                "30_plus",
                "B",
                "other",
            ]
        )
    }

    def key(g: str):
        d, _, v = g.partition("=")
        d = "ALL" if g == "ALL" else d
        return (dim_order.index(d) if d in dim_order else 99, val_order.get(v, 99), g)

    return sorted(subgroups, key=key)


def _subgroup_label(g: str, lang: str) -> str:
    if g == "ALL":
        return lab("ALL", lang, "subgroup")
    d, _, _v = g.partition("=")
    return f"{lab(d, lang, 'subgroup_dimension')}: {lab(g, lang, 'subgroup')}"


def sec_method(b: Builder) -> Section:
    s = Section("metode", TITLES["metode"][0 if b.lang == "nb" else 1])
    thr = b.meta.get("employment_threshold_nok", "5000")
    thr_txt = b.num(float(thr)) if thr and str(thr).replace(".", "").isdigit() else str(thr)
    s.blocks.append(b.h3(b.t("Data og definisjoner", "Data and definitions")))
    s.blocks.append(
        b.items(
            [
                b.t(
                    "**Data:** registeropplysninger fra NAV om personer, status hos NAV, tiltaksdeltakelser (Arena), digitale avtaler om arbeidstrening, ytelser og utdanning, og arbeidsforhold og lønn fra a-ordningen.",
                    "**Data:** NAV register data on persons, status at NAV, programme participation (Arena), digital work-training agreements, benefits and education, and employment and earnings from the a-ordning.",
                ),
                b.t(
                    "**Deltakelse:** bare forløp som faktisk ble gjennomført (deltakerstatus GJENN, FULLF, DELAVB eller GJENN_AVB).",
                    "**Participation:** only spells that actually took place (participant status GJENN, FULLF, DELAVB or GJENN_AVB).",
                ),
                b.t(
                    f"**I arbeid:** minst {thr_txt} kroner i samlet lønn i måneden.",
                    f"**Employed:** at least NOK {thr_txt} in total earnings in the month.",
                ),
                b.t(
                    "**Formål:** hovedformålet på den første gyldige digitale avtalen; uten avtale er formålet ukjent.",
                    "**Purpose:** the main purpose on the first valid digital agreement; without an agreement the purpose is unknown.",
                ),
                b.t(
                    "**Status:** personens status hos NAV på startdagen (arbeidssøker eller nedsatt arbeidsevne).",
                    "**Status:** the person's status at NAV on the start date (job seeker or reduced work capacity).",
                ),
            ]
        )
    )
    s.blocks.append(b.h3(b.t("Hva vi anslår", "What we estimate")))
    s.blocks.append(
        b.p(
            b.t(
                "Vi anslår den gjennomsnittlige effekten for dem som deltok: hvor mye høyere eller lavere andelen i arbeid ble, måned for måned etter start, enn den ville vært uten arbeidstrening. Vi ser på personens første arbeidstrening i perioden, og bare på deltakere som var arbeidssøkere eller hadde nedsatt arbeidsevne da de startet. Vi krever minst 12 måneder med data før start, slik at vi kan sjekke utviklingen før tiltaket.",
                "We estimate the average effect for those who took part: how much higher or lower the share employed became, month by month after the start, than it would have been without work training. We look at each person's first work training in the period, and only at participants who were job seekers or had reduced work capacity when they started. We require at least 12 months of data before the start, so that the development before the programme can be checked.",
            )
        )
    )
    s.blocks.append(b.h3(b.t("Sammenligningsgrupper og metoder", "Comparison groups and methods")))
    s.blocks.append(
        b.items(
            [
                b.t(
                    "**Hovedestimat (Callaway og Sant’Anna):** Deltakerne sammenlignes med personer som var registrert hos NAV med samme status måneden før start, men som ikke hadde startet i arbeidstrening ennå. Vi sammenligner endringen i andelen i arbeid fra måneden før start. Slik fjernes faste forskjeller mellom gruppene.",
                    "**Headline estimate (Callaway and Sant’Anna):** Participants are compared with persons registered at NAV with the same status in the month before the start who had not yet started work training. We compare the change in the share employed from the month before the start. This removes fixed differences between the groups.",
                ),
                b.t(
                    "**Toveis faste effekter (TWFE):** en vanlig regresjon med faste effekter for person og kalendermåned. Den kan gi skjeve svar når effekten varierer mellom dem som starter på ulike tidspunkter, og er med som sammenligning.",
                    "**Two-way fixed effects (TWFE):** a conventional regression with person and calendar-month fixed effects. It can be biased when the effect differs between those starting at different times, and is included for comparison.",
                ),
                b.t(
                    "**Naiv sammenligning:** deltakere minus registrerte personer som aldri deltok, samme kalendermåned. Den er skjev med vilje og viser hvor mye utvalget til tiltaket betyr.",
                    "**Naive comparison:** participants minus registered persons who never took part, same calendar month. It is biased by design and shows how much the selection into the programme matters.",
                ),
                b.t(
                    "**Usikkerhet:** standardfeil tar hensyn til at samme person observeres mange måneder. Intervallene er 95 % konfidensintervaller for hver måned.",
                    "**Uncertainty:** standard errors allow for the same person being observed over many months. The intervals are 95 % confidence intervals for each month.",
                ),
            ]
        )
    )
    s.blocks.append(b.h3(b.t("Forutsetninger", "Assumptions")))
    s.blocks.append(
        b.p(
            b.t(
                "Hovedforutsetningen er at andelen i arbeid hos deltakerne ville utviklet seg som hos sammenligningsgruppen om de ikke hadde deltatt (parallelle trender). Den kan ikke testes direkte, men vi kan se om gruppene utviklet seg likt før start. Videre antar vi at deltakerne ikke endret atferd før start fordi de visste at tiltaket kom, og at tiltaket ikke påvirker sammenligningsgruppen.",
                "The main assumption is that participants' employment would have developed like that of the comparison group had they not taken part (parallel trends). It cannot be tested directly, but we can see whether the groups developed alike before the start. We also assume that participants did not change behaviour before the start because they knew the programme was coming, and that the programme does not affect the comparison group.",
            )
        )
    )
    s.blocks.append(b.h3(b.t("Diagnostikk", "Diagnostics")))
    diag = b.frame("effects_diagnostics")
    if diag is not None and {"diagnostic", "statistic"} <= set(diag.columns):
        pt = diag[diag["diagnostic"].astype(str).str.startswith("pretrend")]
        if "outcome" in pt.columns:
            pt = pt[pt["outcome"].isna() | (pt["outcome"] == HEADLINE_OUTCOME)]
        pt = pt[pt["subgroup"] == "ALL"] if "subgroup" in pt.columns else pt
        order = [HEADLINE_ESTIMATOR, *COMPARISON_ESTIMATORS]
        pt = pt[pt["estimator"].isin(order)].copy()
        pt["_o"] = pt["estimator"].map({e: i for i, e in enumerate(order)})
        pt = pt.sort_values("_o")
        rows = []
        for r in pt.itertuples():
            pv = getattr(r, "p_value", np.nan)
            rows.append(
                [
                    lab(r.estimator, b.lang, "estimator"),
                    b.num(r.statistic, 1),
                    b.num(getattr(r, "df", np.nan)),
                    b.num(pv, 3),
                ]
            )
        if rows:
            s.blocks.append(
                b.p(
                    b.t(
                        "Test av trender før start: Vi tester om effektene 2–12 måneder før start samlet er lik null. En liten p-verdi (under 0,05) er et varselsignal om at sammenligningsgruppen utviklet seg annerledes enn deltakerne allerede før tiltaket.",
                        "Test of pre-trends: we test whether the effects 2–12 months before the start are jointly zero. A small p-value (below 0.05) is a warning sign that the comparison group developed differently from participants already before the programme.",
                    )
                )
            )
            s.blocks.append(
                b.table(
                    b.t(
                        "Test av trender før start (alle deltakere, sysselsetting).",
                        "Test of pre-trends (all participants, employment).",
                    ),
                    [
                        b.t("Metode", "Method"),
                        b.t("Kji-kvadrat", "Chi-square"),
                        b.t("Frihetsgrader", "Degrees of freedom"),
                        b.t("p-verdi", "p-value"),
                    ],
                    rows,
                )
            )
    else:
        s.blocks.append(
            b.not_available(
                b.t("Test av trender før start", "The pre-trend test"), "marts.effects_diagnostics"
            )
        )
    bal = b.frame("effects_balance")
    if (
        bal is not None
        and {"covariate", "smd_before", "smd_after"} <= set(bal.columns)
        and len(bal)
    ):
        bal = bal.copy()
        bal["_abs"] = pd.to_numeric(bal["smd_before"], errors="coerce").abs()
        top = bal.sort_values("_abs", ascending=False).head(10)
        rows = [
            [covariate_label(r.covariate, b.lang), b.num(r.smd_before, 2), b.num(r.smd_after, 2)]
            for r in top.itertuples()
        ]
        mx = pd.to_numeric(bal["smd_after"], errors="coerce").abs().max()
        s.blocks.append(
            b.p(
                b.t(
                    f"Balanse: I vektingsmetoden (IPW) sammenligner vi kjennetegn hos deltakerne og den vektede sammenligningsgruppen. Standardisert forskjell under 0,1 regnes som god balanse. Største forskjell etter vekting er {b.num(mx, 2)}.",
                    f"Balance: in the weighting method (IPW) we compare the characteristics of participants and the weighted comparison group. A standardised difference below 0.1 counts as good balance. The largest difference after weighting is {b.num(mx, 2)}.",
                )
            )
        )
        s.blocks.append(
            b.table(
                b.t(
                    "Balanse før og etter vekting: de ti kjennetegnene med størst forskjell før vekting. Standardisert forskjell.",
                    "Balance before and after weighting: the ten characteristics with the largest difference before weighting. Standardised difference.",
                ),
                [
                    b.t("Kjennetegn", "Characteristic"),
                    b.t("Før vekting", "Before weighting"),
                    b.t("Etter vekting", "After weighting"),
                ],
                rows,
            )
        )
    else:
        s.blocks.append(
            b.not_available(b.t("Balansetabellen", "The balance table"), "marts.effects_balance")
        )
    sup = b.frame("effects_support")
    if sup is None:
        s.blocks.append(
            b.not_available(b.t("Felles støtte", "Common support"), "marts.effects_support")
        )
    else:
        s.blocks.append(
            b.p(
                b.t(
                    "Felles støtte: Fordelingen av beregnet sannsynlighet for å starte (propensity score) for deltakere og sammenligningsgruppe ligger i eksporttabellen effects_support. Deltakere uten sammenlignbare ikke-deltakere er tatt ut av vektingsmetoden.",
                    "Common support: the distribution of the estimated probability of starting (propensity score) for participants and comparison group is in the export table effects_support. Participants without comparable non-participants are dropped from the weighting method.",
                )
            )
        )
    return s


def sec_data(b: Builder) -> Section:
    s = Section("data", TITLES["data"][0 if b.lang == "nb" else 1])
    s.blocks.append(
        b.p(
            b.t(
                f"Observasjonsperioden er {b.window}. Utfall etter slutten av perioden er ikke observert. De regnes aldri som null, men holdes utenfor (sensurering). Derfor bygger tall for lange tidsrom etter avslutning på færre forløp enn tall for korte.",
                f"The observation period is {b.window}. Outcomes after the end of the period are not observed. They are never counted as zero but left out (censoring). Figures for long horizons after exit are therefore based on fewer spells than figures for short ones.",
            )
        )
    )
    ing = b.frame("ingest_summary")
    if ing is not None:
        rows = []
        for t in ing["table_name"].unique():
            d = ing[ing["table_name"] == t]
            rows.append(
                [lab(t, b.lang, "input_table")]
                + [b.cell(d, d["part"] == p, "n_rows")[0] for p in ("ALL", "ACCEPTED", "REJECTED")]
            )
        s.blocks.append(
            b.table(
                b.t(
                    "Rader lest, godtatt og avvist per inndatatabell.",
                    "Rows read, accepted and rejected per input table.",
                ),
                [
                    b.t("Tabell", "Table"),
                    b.t("Lest", "Read"),
                    b.t("Godtatt", "Accepted"),
                    b.t("Avvist", "Rejected"),
                ],
                rows,
            )
        )
    else:
        s.blocks.append(
            b.not_available(
                b.t("Innlesingsoversikten", "The ingestion summary"), "meta.ingest_summary"
            )
        )
    rej = b.frame("reject_summary")
    if rej is not None and len(rej):
        rows = [
            [
                lab(r.table_name, b.lang, "input_table"),
                lab(r.rule, b.lang, "reject_rule"),
                str(r.column_name or ""),
                b.cell(
                    rej,
                    (rej["table_name"] == r.table_name)
                    & (rej["rule"] == r.rule)
                    & (rej["column_name"] == r.column_name),
                    "n_rows",
                )[0],
            ]
            for r in rej.itertuples()
        ]
        s.blocks.append(
            b.table(
                b.t("Avviste rader etter regel.", "Rejected rows by rule."),
                [
                    b.t("Tabell", "Table"),
                    b.t("Regel", "Rule"),
                    b.t("Kolonne", "Column"),
                    b.t("Rader", "Rows"),
                ],
                rows,
                align="lllr",
            )
        )
    elif rej is not None:
        s.blocks.append(b.p(b.t("Ingen rader ble avvist.", "No rows were rejected.")))
    else:
        s.blocks.append(
            b.not_available(
                b.t("Avvisninger etter regel", "Rejects by rule"), "meta.reject_summary"
            )
        )
    s.blocks.append(b.h3(b.t("Kjente begrensninger", "Known limitations")))
    s.blocks.append(
        b.items(
            [
                b.t(
                    f"Formålet er bare kjent for forløp med digital avtale (se dekningstabellen i kapittel {chapter('formal')}). Tidlige år har lav dekning.",
                    f"Purpose is known only for spells with a digital agreement (see the coverage table in chapter {chapter('formal')}). Early years have low coverage.",
                ),
                b.t(
                    "Inndelingen av «Utprøving» i utprøving i arbeidslivet generelt og i et bestemt fag finnes ikke i registrene.",
                    "The split of “Trial” into trial in working life in general and in a specific trade does not exist in the registers.",
                ),
                b.t(
                    "Overganger og måloppnåelse teller forløp, ikke personer: En person med to avsluttede forløp teller to ganger.",
                    "Transitions and goal attainment count spells, not persons: a person with two ended spells counts twice.",
                ),
                b.t(
                    f"Effektanslagene hviler på forutsetningen om parallelle trender (kapittel {chapter('metode')}). Uobserverte forskjeller som endrer seg over tid, kan gi skjevhet.",
                    f"The effect estimates rest on the parallel-trends assumption (chapter {chapter('metode')}). Unobserved differences that change over time can cause bias.",
                ),
                b.t(
                    "Faktisk varighet for nye forløp er sensurert: Lange forløp som ikke er avsluttet ennå, mangler.",
                    "Actual length of recent spells is censored: long spells that have not yet ended are missing.",
                ),
            ]
        )
    )
    s.blocks.append(b.h3(b.t("Personvern", "Confidentiality")))
    n_sup = sum(p.n_suppressed for p in b.P.values() if p.export)
    reasons: dict[str, int] = {}
    for p in b.P.values():
        for k, v in p.kwargs.get("suppressed_by_reason", {}).items():
            reasons[k] = reasons.get(k, 0) + int(v)
    n_primary = reasons.get("primary", 0)
    merged = [
        p.name
        for p in b.P.values()
        if p.notes and any("merged" in n or "shown together" in n for n in p.notes)
    ]
    s.blocks.append(
        b.p(
            b.t(
                "Tall for 1–4 personer (eller forløp, personmåneder eller rader) publiseres ikke og vises som «:» (primær undertrykking). "
                "For at slike tall ikke skal kunne regnes ut – i samme tabell, ved å kombinere tabeller, ved å trekke antall behandlede ved to måneder siden start fra hverandre, eller ved å sammenligne med forrige utgivelse – er også andre tall skjult (sekundær undertrykking). "
                "Alle tabellene er beskyttet samlet, og det er kontrollert med lineær programmering at ingen skjult celle kan regnes ut eller avgrenses til 1–4. "
                "Andeler, gjennomsnitt og effekter som bygger på 1–4 personer, og andeler der telleren eller nevneren er skjult, er også skjult. "
                + (
                    "I tallene for deltakere per måned og år er statusgruppen «Annet» slått sammen med «Nedsatt arbeidsevne» fordi den er for liten til å vises for seg. "
                    if merged
                    else ""
                )
                + f"I alt er {b.num(n_sup)} celler skjult i tabellene bak denne rapporten, {b.num(n_primary)} av dem fordi de selv er 1–4. "
                "«.» betyr at tallet ikke kan forekomme (ingen å telle, eller vist i en sammenslått gruppe), «..» at tallet ikke er tilgjengelig (ennå ikke observert). Alle publiserte tabeller ligger som CSV-filer i mappen «tabeller», med en statuskolonne per verdi.",
                "Counts of 1–4 persons (or spells, person-months or rows) are not published and are shown as “:” (primary suppression). "
                "So that such counts cannot be worked out – within a table, by combining tables, by subtracting the treated at two event times, or by comparing with the previous release – other counts are hidden too (secondary suppression). "
                "All tables are protected together, and linear programming confirms that no hidden cell can be worked out or narrowed down to 1–4. "
                "Shares, means and effects based on 1–4 persons, and shares whose count or denominator is hidden, are also hidden. "
                + (
                    "In the participants per month and year the status group “Other” is merged with “Reduced work capacity” because it is too small to show on its own. "
                    if merged
                    else ""
                )
                + f"In all, {b.num(n_sup)} cells are hidden in the tables behind this report, {b.num(n_primary)} of them because they are 1–4 themselves. "
                "“.” means not applicable (nobody to count, or shown in a merged group), “..” not available (not yet observed). All published tables are in the folder “tables” as CSV files, with a status column per value.",
            )
        )
    )
    if b.missing:
        s.blocks.append(
            b.h3(b.t("Ikke tilgjengelig i denne kjøringen", "Not available in this run"))
        )
        s.blocks.append(b.items(sorted(set(b.missing))))
    return s


def sec_colophon(b: Builder) -> Section:
    s = Section("kolofon", TITLES["kolofon"][0 if b.lang == "nb" else 1])
    m = b.meta
    names = {
        "input_fingerprint": b.t(
            "Fingeravtrykk for inndata (SHA-256)", "Input fingerprint (SHA-256)"
        ),
        "observation_start": b.t("Observasjonsperiode, start", "Observation period, start"),
        "observation_end": b.t("Observasjonsperiode, slutt", "Observation period, end"),
        "observation_window_source": b.t("Periode hentet fra", "Period taken from"),
        "employment_threshold_nok": b.t(
            "Terskel for «i arbeid» (kroner per måned)", "Threshold for “employed” (NOK per month)"
        ),
        "code_version": b.t("Programversjon", "Code version"),
        "built_at": b.t("Datavarehus bygget", "Warehouse built"),
        "report_built_at": b.t("Rapport laget", "Report made"),
        "warehouse": b.t("Datavarehus", "Warehouse"),
    }
    rows = []
    for k, name in names.items():
        if k in m and m[k] not in (None, ""):
            v = str(m[k])
            if k in ("observation_start", "observation_end") and hasattr(m[k], "month"):
                v = fmt.format_date(m[k], b.lang)
            if k == "input_fingerprint":
                v = v[:16] + "…" + v[-8:] if len(v) > 32 else v
            rows.append([name, v])
    for k, v in m.items():
        if k not in names and k not in ("input_dir",) and v not in (None, ""):
            rows.append([k, str(v)])
    s.blocks.append(
        b.table(
            b.t("Hvordan rapporten ble laget.", "How this report was made."),
            [b.t("Opplysning", "Item"), b.t("Verdi", "Value")],
            rows,
            align="ll",
            widths=[2, 3],
        )
    )
    s.blocks.append(
        b.p(
            b.t(
                "Rapporten er laget automatisk av programmet «arbeidstrening» fra det publiserte datavarehuset. Samme inndata og programversjon gir samme tall.",
                "The report is produced automatically by the “arbeidstrening” software from the published warehouse. The same input and code version give the same figures.",
            )
        )
    )
    return s


def build_document(tables: dict[str, Published], meta: dict, lang: str) -> Document:
    b = Builder(tables, meta, lang)
    sections = [
        sec_summary(b),
        sec_participants(b),
        sec_purposes(b),
        sec_who(b),
        sec_durations(b),
        sec_transitions(b),
        sec_intended(b),
        sec_chaining(b),
        sec_effects(b),
        sec_costs(b),
        sec_method(b),
    ]
    sections.append(sec_data(b))
    sections.append(sec_colophon(b))
    title = b.t(
        "Arbeidstrening: deltakere, overganger og effekter",
        "Work training (Arbeidstrening): participants, transitions and effects",
    )
    subtitle = b.t(
        f"Kvantitativ evaluering, delrapport 2. Observasjonsperiode {b.window}.",
        f"Quantitative evaluation, part 2. Observation period {b.window}.",
    )
    return Document(
        lang, title, subtitle, sections, sorted(set(b.missing)), b.summary_numbers, b.source
    )


def inline_runs(text: str) -> list[tuple[str, bool]]:
    """Split ``**bold**`` markup into (text, bold) runs."""
    parts = re.split(r"\*\*", text)
    return [(p, i % 2 == 1) for i, p in enumerate(parts) if p]


_COV = {
    "female": ("Kvinne", "Woman"),
    "nedsatt_arbeidsevne": ("Nedsatt arbeidsevne", "Reduced work capacity"),
    "immigrant_B": ("Innvandrer", "Immigrant"),
    "immigrant_C": ("Norskfødt med innvandrerforeldre", "Norwegian-born to immigrant parents"),
    "immigrant_EFG": ("Annen utenlandsk bakgrunn", "Other foreign background"),
    "innsats_none": ("Ingen innsatsgruppe", "No need-for-assistance group"),
    "share_registered_24": (
        "Andel av siste 24 mnd. registrert hos NAV",
        "Share of last 24 months registered at NAV",
    ),
    "share_registered_24_sq": (
        "Andel registrert siste 24 mnd. (kvadrert)",
        "Share registered, last 24 months (squared)",
    ),
}


def covariate_label(code: str, lang: str) -> str:
    """Readable name of a propensity-score covariate (falls back to the code)."""
    i = 0 if lang == "nb" else 1
    c = str(code)
    if c in _COV:
        return _COV[c][i]
    m = re.fullmatch(r"age_(\d+)_(\d+)", c)
    if m:
        return (f"Alder {m[1]}–{m[2]} år", f"Age {m[1]}–{m[2]}")[i]
    if c == "age_60_plus":
        return ("Alder 60 år og over", "Age 60 and over")[i]
    m = re.fullmatch(r"nus_(\d)", c)
    if m:
        return ("Utdanning: ", "Education: ")[i] + lab(m[1], lang, "nus_level").lower()
    m = re.fullmatch(r"innsats_(.+)", c)
    if m:
        return lab(m[1].upper(), lang, "innsatsgruppe")
    m = re.fullmatch(r"employed_lag(\d+)", c)
    if m:
        return (f"I arbeid {m[1]} mnd. før", f"Employed {m[1]} months before")[i]
    m = re.fullmatch(r"([a-z]+)_lag1", c)
    if m:
        return lab(m[1].upper(), lang, "benefit") + (" måneden før", " the month before")[i]
    return c
