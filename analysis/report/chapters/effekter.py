"""Chapter: does work training work - the employment effect, whether the design holds up (the
design gate), effects by months since start and since exit, other designs beside the headline,
and sensitivity to violations of parallel trends."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import formatting as fmt
from analysis.design import HEADLINE_OUTCOME
from analysis.report import evidence as ev
from analysis.report import figures as figs
from analysis.report.labels import lab
from analysis.report.text import Texts

TITLE = (
    "Virker arbeidstrening? Effekter på sysselsetting",
    "Does work training work? Effects on employment",
)

COMPARISON = ("ipw_dynamic", "ipw_dynamic_did", "twfe_event_study", "naive")
MEASURES = ("lock_in_0_5", "at_12", "mean_12_23", "at_24", "at_36")

TEXT = Texts(
    {
        "intro": (
            "Effekten er forskjellen mellom andelen i arbeid blant deltakerne og andelen som ville "
            "vært i arbeid om de samme personene ikke hadde deltatt. Det siste kan ikke observeres. "
            "Vi anslår det med personer som var registrert hos NAV på samme måte, men som ennå "
            "ikke hadde startet i arbeidstrening (metoden er beskrevet i {ref}). Tiden måles i "
            "måneder siden start, der 0 er startmåneden. Mens deltakerne er i tiltaket, venter vi "
            "en innlåsingseffekt: de søker og tar færre jobber, så færre er i arbeid enn uten "
            "tiltaket.",
            "The effect is the difference between the share employed among participants and the "
            "share that would have been employed had the same persons not taken part. The latter "
            "cannot be observed. We estimate it from persons registered at NAV in the same way "
            "who had not yet started work training (the method is described in {ref}). Time is "
            "measured in months since the start, where 0 is the start month. While participants "
            "are in the programme we expect a lock-in effect: they search for and take fewer "
            "jobs, so fewer are employed than without the programme.",
        ),
        "gate_h": ("Holder designet?", "Does the design hold up?"),
        "gate_intro": (
            "Et effektanslag er bare troverdig hvis sammenligningsgruppen viser hvordan det ville "
            "gått med deltakerne uten tiltaket. Før anslaget brukes, sjekker vi derfor om "
            "deltakerne og sammenligningsgruppen utviklet seg likt i årene før start, og om "
            "gruppene er sammenlignbare. Dersom sjekkene ikke holder, presenterer vi ikke "
            "anslaget som et resultat.",
            "An effect estimate is credible only if the comparison group shows what would have "
            "happened to participants without the programme. Before the estimate is used, we "
            "therefore check whether participants and the comparison group developed alike in "
            "the years before the start, and whether the groups are comparable. If the checks "
            "fail, we do not present the estimate as a result.",
        ),
        "gate_ok": (
            "**Designkontrollen er bestått.** {why} Anslagene nedenfor kan leses som effekten av "
            "arbeidstrening, med usikkerheten intervallene viser.",
            "**The design checks are passed.** {why} The estimates below can be read as the "
            "effect of work training, with the uncertainty the intervals show.",
        ),
        "gate_fail": (
            "**Anslaget er ikke troverdig i denne kjøringen.** {why} Da kan forskjellen etter "
            "start skyldes at deltakerne var på vei et annet sted enn sammenligningsgruppen, og "
            "ikke tiltaket. Tallene nedenfor vises for åpenhet, men er ikke et resultat og må "
            "ikke siteres som effekten av arbeidstrening.",
            "**The estimate is not credible in this run.** {why} Then the difference after the "
            "start may be due to participants heading somewhere else than the comparison group, "
            "not to the programme. The figures below are shown for transparency, but they are "
            "not a result and must not be quoted as the effect of work training.",
        ),
        "gate_none": (
            "**Designet er ikke kontrollert i denne kjøringen.** Verken designkontrollen eller en "
            "test av utviklingen før start er tilgjengelig. Tallene nedenfor vises for åpenhet, "
            "men er ikke et resultat.",
            "**The design has not been checked in this run.** Neither the design checks nor a "
            "test of the development before the start is available. The figures below are shown "
            "for transparency, but they are not a result.",
        ),
        "why_pretrend_fail": (
            "Testen av om deltakere og sammenligningsgruppe utviklet seg likt før start, "
            "forkaster dette klart (p-verdi {p}).",
            "The test of whether participants and comparison group developed alike before the "
            "start clearly rejects it (p-value {p}).",
        ),
        "why_pretrend_ok": (
            "Testen av om deltakere og sammenligningsgruppe utviklet seg likt før start, "
            "forkaster ikke dette (p-verdi {p}).",
            "The test of whether participants and comparison group developed alike before the "
            "start does not reject it (p-value {p}).",
        ),
        "why_gate": ("Kontroller som ikke holdt: {failed}.", "Checks that failed: {failed}."),
        "why_gate_ok": ("Alle kontrollene holdt: {passed}.", "All checks held: {passed}."),
        "fallback": (
            "Effektberegningen i denne kjøringen har ingen egen designkontroll, så rapporten "
            "bruker testen av utviklingen før start som kontroll (5 % nivå).",
            "The effect estimation of this run has no design gate of its own, so the report uses "
            "the test of the development before the start as the check (5 % level).",
        ),
        "start_h": ("Effekt etter måneder siden start", "Effect by months since the start"),
        "fig_caption": (
            "Effekt av arbeidstrening på andelen i arbeid, etter måneder siden start. "
            "Prosentpoeng med 95 % konfidensintervall.",
            "Effect of work training on the share employed, by months since the start. "
            "Percentage points with 95 % confidence interval.",
        ),
        "fig_note": (
            "Punktene før 0 (før start) skal ligge nær null hvis sammenligningsgruppen er god. "
            "Det skyggelagte båndet gjelder hver måned for seg; de stiplede linjene (når de "
            "finnes) gjelder alle månedene samtidig.",
            "Points before 0 (before the start) should be close to zero if the comparison group "
            "is good. The shaded band holds for each month separately; the dashed lines (where "
            "shown) hold for all months at once.",
        ),
        "not_result": (
            "Ikke troverdig: vises bare for åpenhet.",
            "Not credible: shown for transparency only.",
        ),
        "tab_caption": (
            "Hovedanslag: effekt på andelen i arbeid. Prosentpoeng.",
            "Headline estimates: effect on the share employed. Percentage points.",
        ),
        "tab_note": (
            "KI: konfidensintervall. Deltakere: personer bak anslaget (de som kan følges så lenge "
            "etter start). Innlåsing er snittet av månedene 0–5 etter start.",
            "CI: confidence interval. Participants: persons behind the estimate (those who can "
            "be followed that long after the start). Lock-in is the mean of months 0–5 after the "
            "start.",
        ),
        "reading_credible": (
            "I de første seks månedene er andelen i arbeid {lockin} {lockdir} enn uten tiltaket "
            "({lockci}). {lock_sig} Etter {months} måneder er den {late} {latedir} ({lateci}). "
            "{late_sig}",
            "In the first six months the share employed is {lockin} {lockdir} than without the "
            "programme ({lockci}). {lock_sig} After {months} months it is {late} {latedir} "
            "({lateci}). {late_sig}",
        ),
        "lower": ("lavere", "lower"),
        "higher": ("høyere", "higher"),
        "sig": (
            "Forskjellen er statistisk sikker.",
            "The difference is statistically significant.",
        ),
        "nsig": (
            "Intervallet inneholder null, så vi kan ikke si sikkert at det er en forskjell.",
            "The interval includes zero, so we cannot be sure there is a difference.",
        ),
        "exit_h": ("Effekt etter måneder siden avslutning", "Effect by months since exit"),
        "exit_intro": (
            "Deltakerne er i tiltaket i ulik tid. Målt fra start blandes derfor innlåsing og "
            "effekt etter tiltaket. Målt fra avslutning (bare fullførte forløp) viser figuren "
            "hva som skjer etter at tiltaket er over.",
            "Participants stay in the programme for different lengths of time. Measured from the "
            "start, lock-in and the effect after the programme are therefore mixed. Measured "
            "from exit (completed spells only), the figure shows what happens after the "
            "programme is over.",
        ),
        "exit_caption": (
            "Effekt på andelen i arbeid etter måneder siden start og siden avslutning. "
            "Prosentpoeng med 95 % konfidensintervall.",
            "Effect on the share employed by months since the start and since exit. Percentage "
            "points with 95 % confidence interval.",
        ),
        "exit_missing": (
            "Effekter etter måneder siden avslutning",
            "Effects by months since exit",
        ),
        "tri_h": ("Andre metoder ved siden av hovedanslaget", "Other designs beside the headline"),
        "tri_intro": (
            "Hovedanslaget sammenlignes med metoder som bygger på andre forutsetninger. "
            "Forskjell-i-forskjell-metoder fjerner faste forskjeller mellom gruppene, men kan "
            "gi for store effekter når deltakerne starter etter et midlertidig fall i "
            "sysselsettingen. Metoder som sammenligner personer med lik historikk før start, "
            "tar hensyn til et slikt fall, men ikke til uobserverte forskjeller. Under vanlige "
            "forutsetninger ligger den sanne effekten mellom de to (Angrist og Pischke 2009). "
            "Den naive sammenligningen er med bare for å vise hvor mye valget av metode betyr.",
            "The headline estimate is compared with designs resting on other assumptions. "
            "Difference-in-differences designs remove fixed differences between the groups, but "
            "can overstate the effect when participants start after a temporary fall in "
            "employment. Designs that compare persons with the same history before the start "
            "allow for such a fall, but not for unobserved differences. Under common assumptions "
            "the true effect lies between the two (Angrist and Pischke 2009). The naive "
            "comparison is included only to show how much the choice of method matters.",
        ),
        "tri_caption": (
            "Hovedanslaget sammenlignet med andre metoder. Effekt på andelen i arbeid, "
            "prosentpoeng.",
            "The headline estimate compared with other designs. Effect on the share employed, "
            "percentage points.",
        ),
        "tri_tab_caption": (
            "Effekt på andelen i arbeid etter metode. Prosentpoeng, med p-verdien til testen av "
            "utviklingen før start.",
            "Effect on the share employed by design. Percentage points, with the p-value of the "
            "test of the development before the start.",
        ),
        "tri_tab_note": (
            "En liten p-verdi (under 0,05) betyr at deltakerne og sammenligningsgruppen utviklet "
            "seg ulikt allerede før start, og at metoden trolig gir et skjevt anslag.",
            "A small p-value (below 0.05) means that participants and the comparison group "
            "developed differently already before the start, and that the design probably gives "
            "a biased estimate.",
        ),
        "spread": (
            "Anslagene for 24 måneder spenner fra {lo} til {hi} prosentpoeng avhengig av metode. "
            "{verdict}",
            "The estimates for 24 months range from {lo} to {hi} percentage points depending on "
            "the design. {verdict}",
        ),
        "spread_wide": (
            "Så stor spredning betyr at resultatet avhenger av forutsetningene, og at ingen enkelt "
            "metode bør leses som et sikkert svar.",
            "A spread this wide means that the result depends on the assumptions, and that no "
            "single design should be read as a certain answer.",
        ),
        "spread_narrow": (
            "Metodene gir omtrent samme svar, noe som styrker tilliten til hovedanslaget.",
            "The designs give about the same answer, which strengthens confidence in the "
            "headline estimate.",
        ),
        "sens_h": (
            "Hvor følsomt er resultatet for brudd på forutsetningen?",
            "How sensitive is the result to a violation of the assumption?",
        ),
        "sens_intro": (
            "Hovedforutsetningen er at deltakere og sammenligningsgruppe ville utviklet seg likt "
            "uten tiltaket. Tabellen viser hvor bredt intervallet blir hvis utviklingen etter "
            "start kan avvike fra dette med inntil et gitt multiplum av det største avviket før "
            "start (Rambachan og Roth 2023).",
            "The main assumption is that participants and comparison group would have developed "
            "alike without the programme. The table shows how wide the interval becomes if the "
            "development after the start may deviate from this by up to a given multiple of the "
            "largest deviation before the start (Rambachan and Roth 2023).",
        ),
        "sens_caption": (
            "Følsomhet for brudd på parallelle trender. Robuste 95 % konfidensintervall, "
            "prosentpoeng.",
            "Sensitivity to violations of parallel trends. Robust 95 % confidence intervals, "
            "percentage points.",
        ),
        "sens_missing": (
            "Følsomhetsanalysen for brudd på parallelle trender",
            "The sensitivity analysis for violations of parallel trends",
        ),
        "benefit_h": ("Effekter på ytelser", "Effects on benefits"),
        "benefit_caption": (
            "Effekt på andelen som mottar ytelser, etter ytelse. Prosentpoeng.",
            "Effect on the share receiving benefits, by benefit. Percentage points.",
        ),
        "missing": ("Hovedanslaget", "The headline estimate"),
    }
)

MEASURE_LABELS = {
    "lock_in_0_5": ("Innlåsing, måned 0–5", "Lock-in, months 0–5"),
    "at_12": ("12 måneder etter start", "12 months after start"),
    "mean_12_23": ("Snitt av måned 12–23", "Mean of months 12–23"),
    "at_24": ("24 måneder etter start", "24 months after start"),
    "at_36": ("36 måneder etter start", "36 months after start"),
}


def measure_label(m: str, lang: str) -> str:
    return MEASURE_LABELS.get(m, (m, m))[0 if lang == "nb" else 1]


def p_text(b, p: float) -> str:
    if not np.isfinite(p):
        return fmt.MISSING
    if p < 0.001:
        return b.t("under 0,001", "below 0.001")
    return b.num(p, 3)


def gate_blocks(b, tx, gate: ev.Gate) -> list[dict]:
    """The verdict box of the design gate (used here and, shorter, in the summary)."""
    out = []
    if gate.source == "gate":
        failed = [c["check"] for c in gate.checks if c["passed"] is False]
        passed = [c["check"] for c in gate.checks if c["passed"]]
        why = (
            tx("why_gate", failed=", ".join(failed))
            if failed
            else tx("why_gate_ok", passed=", ".join(passed))
            if passed
            else ""
        )
    else:
        why = (
            tx(
                "why_pretrend_ok" if gate.credible else "why_pretrend_fail",
                p=p_text(b, gate.pretrend_p),
            )
            if gate.credible is not None
            else ""
        )
    if gate.credible is True:
        out.append(b.note(tx("gate_ok", why=why)))
    elif gate.credible is False:
        out.append(b.warning(tx("gate_fail", why=why)))
    else:
        out.append(b.warning(tx("gate_none")))
    if gate.source == "pretrend":
        out.append(b.p(tx("fallback")))
    return out


def _direction(tx, x: float) -> str:
    return tx("lower") if x < 0 else tx("higher")


def build(b) -> list[dict]:
    tx = b.texts(TEXT)
    est = ev.headline_estimator(b)
    gate = ev.gate(b)
    h = ev.headline(b)
    blocks = [b.p(tx("intro", ref=b.ref("metode")))]
    blocks.append(b.h2(tx("gate_h")))
    blocks.append(b.p(tx("gate_intro")))
    blocks += gate_blocks(b, tx, gate)
    blocks.append(b.h2(tx("start_h")))
    head = ev.series(b, est)
    if head is None:
        blocks.append(b.not_estimated(tx("missing"), "marts.effects"))
        return blocks
    chart = figs.event_study(
        [("", head)],
        b.lang,
        b.t("Måneder siden start", "Months since start"),
        b.t("Effekt (prosentpoeng)", "Effect (percentage points)"),
        b.t("95 % konfidensintervall, hver måned", "95 % confidence interval, each month"),
        uniform_label=b.t(
            "95 % bånd for alle måneder samtidig", "95 % band for all months at once"
        ),
        shade=(-0.5, 5.5),
        shade_label=b.t("Innlåsingsperiode (måned 0–5)", "Lock-in period (months 0–5)"),
    )
    caption = tx("fig_caption")
    if not gate.credible:
        caption += " " + tx("not_result")
    blocks.append(b.figure(chart, caption, tx("fig_note")))
    rows = []
    for m in MEASURES:
        e = h.get(m)
        if e is None:
            continue
        rows.append(
            [
                measure_label(m, b.lang),
                e.symbol or b.signed_pp(e.estimate),
                e.symbol or b.ci(e.ci_low, e.ci_high),
                b.t("Ja", "Yes") if e.significant else b.t("Nei", "No"),
                e.n_symbol or b.num(e.n_treated),
            ]
        )
    if rows:
        cap = tx("tab_caption") + ("" if gate.credible else " " + tx("not_result"))
        blocks.append(
            b.table(
                cap,
                [
                    b.t("Mål", "Measure"),
                    b.t("Effekt", "Effect"),
                    b.t("95 % KI", "95 % CI"),
                    b.t("Statistisk sikker", "Significant"),
                    b.t("Deltakere", "Participants"),
                ],
                rows,
                note=tx("tab_note"),
                widths=[2.4, 0.9, 1.6, 1.2, 1.0],
            )
        )
    li, late = h.get("lock_in_0_5"), h.get("at_24") or h.get("at_12")
    if gate.credible and li and late and li.shown and late.shown:
        months = 24 if h.get("at_24") else 12
        blocks.append(
            b.p(
                tx(
                    "reading_credible",
                    lockin=b.pp_abs(li.estimate),
                    lockdir=_direction(tx, li.estimate),
                    lockci=b.ci(li.ci_low, li.ci_high),
                    lock_sig=tx("sig" if li.significant else "nsig"),
                    months=months,
                    late=b.pp_abs(late.estimate),
                    latedir=_direction(tx, late.estimate),
                    lateci=b.ci(late.ci_low, late.ci_high),
                    late_sig=tx("sig" if late.significant else "nsig"),
                )
            )
        )
    blocks += _exit_section(b, tx, head, gate)
    blocks += _triangulation(b, tx, est)
    blocks += _sensitivity(b, tx)
    blocks += _benefits(b, tx)
    return blocks


def _exit_section(b, tx, head, gate) -> list[dict]:
    out = [b.h2(tx("exit_h"))]
    ex = ev.exit_series(b)
    if ex is None:
        out.append(b.not_estimated(tx("exit_missing"), "marts.effects (months since exit)"))
        return out
    out.append(b.p(tx("exit_intro")))
    chart = figs.event_study(
        [
            (b.t("Måneder siden start", "Months since start"), head),
            (b.t("Måneder siden avslutning", "Months since exit"), ex),
        ],
        b.lang,
        b.t("Måneder", "Months"),
        b.t("Effekt (prosentpoeng)", "Effect (percentage points)"),
        b.t("95 % konfidensintervall", "95 % confidence interval"),
    )
    cap = tx("exit_caption") + ("" if gate.credible else " " + tx("not_result"))
    out.append(b.figure(chart, cap))
    return out


def _triangulation(b, tx, est: str) -> list[dict]:
    others = [e for e in COMPARISON if e != est and ev.series(b, e) is not None]
    if not others:
        return []
    out = [b.h2(tx("tri_h")), b.p(tx("tri_intro"))]
    series = [(lab(est, b.lang, "estimator"), ev.series(b, est), True)]
    series += [(lab(e, b.lang, "estimator"), ev.series(b, e), False) for e in others]
    chart = figs.estimator_comparison(
        series,
        b.lang,
        b.t("Måneder siden start", "Months since start"),
        b.t("Effekt (prosentpoeng)", "Effect (percentage points)"),
        b.t("95 % konfidensintervall, hovedanslaget", "95 % confidence interval, headline"),
    )
    out.append(b.figure(chart, tx("tri_caption")))
    rows, late = [], []
    for e in (est, *others):
        h = ev.headline(b) if e == est else _summary(b, e)
        pt = ev.pretrend(b, e)
        li, a24 = h.get("lock_in_0_5"), h.get("at_24")
        if a24 is not None and a24.shown:
            late.append(a24.estimate)
        rows.append(
            [
                lab(e, b.lang, "estimator"),
                (li.symbol or b.signed_pp(li.estimate)) if li else fmt.MISSING,
                (a24.symbol or b.signed_pp(a24.estimate)) if a24 else fmt.MISSING,
                (a24.symbol or b.ci(a24.ci_low, a24.ci_high)) if a24 else fmt.MISSING,
                pt.get("symbol") or p_text(b, pt.get("p_value", np.nan)) if pt else fmt.MISSING,
            ]
        )
    out.append(
        b.table(
            tx("tri_tab_caption"),
            [
                b.t("Metode", "Design"),
                b.t("Innlåsing, mnd. 0–5", "Lock-in, months 0–5"),
                b.t("24 mnd.", "24 months"),
                b.t("95 % KI, 24 mnd.", "95 % CI, 24 months"),
                b.t("p-verdi før start", "Pre-start p-value"),
            ],
            rows,
            note=tx("tri_tab_note"),
            widths=[2.6, 1.1, 0.9, 1.6, 1.1],
        )
    )
    if len(late) >= 2:
        lo, hi = min(late), max(late)
        wide = (hi - lo) > 0.05
        out.append(
            b.p(
                tx(
                    "spread",
                    lo=b.signed_pp(lo),
                    hi=b.signed_pp(hi),
                    verdict=tx("spread_wide" if wide else "spread_narrow"),
                )
            )
        )
    return out


def _summary(b, estimator: str) -> dict[str, ev.Estimate]:
    summ = b.frame("effects_summary")
    out: dict[str, ev.Estimate] = {}
    if summ is None:
        return out
    d = summ[
        (summ["estimator"] == estimator)
        & (summ["outcome"] == HEADLINE_OUTCOME)
        & (summ["subgroup"] == "ALL")
    ]
    for r in d.to_dict("records"):
        out[str(r["measure"])] = ev.estimate_from(pd.Series(r))
    return out


def _sensitivity(b, tx) -> list[dict]:
    out = [b.h2(tx("sens_h"))]
    s = ev.sensitivity(b)
    if s is None or s.empty:
        out.append(b.not_estimated(tx("sens_missing"), "marts.effects_sensitivity"))
        return out
    out.append(b.p(tx("sens_intro")))
    par = next((c for c in ("mbar", "m", "M", "bound", "parameter") if c in s.columns), None)
    kind = next((c for c in ("method", "restriction", "kind") if c in s.columns), None)
    what = next((c for c in ("measure", "event_time") if c in s.columns), None)
    rows = []
    for r in s.to_dict("records"):
        rows.append(
            [
                str(r.get(kind, "")) if kind else "",
                str(r.get(what, "")) if what else "",
                b.num(r[par], 2) if par and not fmt.is_missing(r.get(par)) else fmt.MISSING,
                b.ci(r.get("ci_low"), r.get("ci_high")),
            ]
        )
    out.append(
        b.table(
            tx("sens_caption"),
            [
                b.t("Begrensning", "Restriction"),
                b.t("Mål", "Measure"),
                b.t("Multiplum", "Multiple"),
                b.t("Robust 95 % KI", "Robust 95 % CI"),
            ],
            rows,
            align="llrr",
        )
    )
    return out


def _benefits(b, tx) -> list[dict]:
    d = ev.benefit_effects(b)
    if d is None:
        return []
    rows = []
    for outcome in d["outcome"].unique():
        part = d[d["outcome"] == outcome]
        cells = []
        for m in ("lock_in_0_5", "at_12", "at_24"):
            r = part[part["measure"] == m]
            if r.empty:
                cells += [fmt.MISSING, fmt.MISSING]
                continue
            e = ev.estimate_from(r.iloc[0])
            cells += [e.symbol or b.signed_pp(e.estimate), e.symbol or b.ci(e.ci_low, e.ci_high)]
        rows.append([lab(outcome, b.lang, "outcome"), *cells])
    return [
        b.h2(tx("benefit_h")),
        b.table(
            tx("benefit_caption"),
            [
                b.t("Ytelse", "Benefit"),
                b.t("Innlåsing", "Lock-in"),
                b.t("95 % KI", "95 % CI"),
                b.t("12 mnd.", "12 months"),
                b.t("95 % KI", "95 % CI"),
                b.t("24 mnd.", "24 months"),
                b.t("95 % KI", "95 % CI"),
            ],
            rows,
            widths=[2.0, 0.8, 1.4, 0.8, 1.4, 0.8, 1.4],
        ),
    ]
