"""Appendix A: method - estimand, comparison groups, estimators, assumptions and diagnostics."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis import design
from analysis import formatting as fmt
from analysis.effects.headline import HEADLINE_SPEC
from analysis.report import evidence as ev
from analysis.report.chapters.effekter import p_text
from analysis.report.labels import lab
from analysis.report.text import Texts

TITLE = ("Metode", "Method")

TEXT = Texts(
    {
        "estimand_h": ("Hva vi anslår", "What we estimate"),
        "estimand": (
            "Vi anslår den gjennomsnittlige effekten for dem som deltok: hvor mye høyere eller "
            "lavere andelen i arbeid ble, måned for måned etter start, enn den ville vært uten "
            "arbeidstrening. Vi ser på personens første arbeidstrening i perioden, og bare på "
            "deltakere som var arbeidssøkere eller hadde nedsatt arbeidsevne da de startet. Vi "
            "krever minst {pre} måneder med data før start, slik at utviklingen før tiltaket kan "
            "kontrolleres.",
            "We estimate the average effect for those who took part: how much higher or lower "
            "the share employed became, month by month after the start, than it would have been "
            "without work training. We look at each person's first work training in the period, "
            "and only at participants who were job seekers or had reduced work capacity when "
            "they started. We require at least {pre} months of data before the start, so that "
            "the development before the programme can be checked.",
        ),
        "designs_h": ("Sammenligningsgrupper og metoder", "Comparison groups and designs"),
        "headline": (
            "**Hovedanslaget** er metoden effektberegningen har valgt som hovedanslag i denne "
            "kjøringen: {name}.",
            "**The headline** is the design the effect estimation chose as headline in this run: "
            "{name}.",
        ),
        "callaway_santanna_dr": (
            "**Dobbelt robust forskjell-i-forskjell med langt utgangspunkt (Callaway og "
            "Sant’Anna 2021; Sant’Anna og Zhao 2020; Heckman, Ichimura og Todd 1997):** "
            "Deltakerne sammenlignes med personer som var registrert hos NAV måneden før start, "
            "som ennå ikke hadde startet i arbeidstrening, og som ikke var i et annet tiltak den "
            "måneden (med mindre noen av deltakerne selv kom rett fra et annet tiltak). "
            "Sammenligningsgruppen vektes og "
            "justeres slik at den ligner deltakerne i alder, kjønn, innvandringsbakgrunn, "
            "utdanning, innsatsgruppe, ytelser og registrering hos NAV, og i om de var i arbeid "
            "i hver av de {hist} månedene før start (også fallet i arbeid som ofte kommer året "
            "før start). To personer med like mye arbeid de siste årene kan likevel ha ulik varig "
            "tilknytning til arbeid. Derfor måler vi endringen fra et utgangspunkt lenger tilbake: "
            "gjennomsnittet over {win} måneder, {far} til {near} måneder før start. Forskjellen "
            "mellom gruppene der trekkes fra. Forutsetningen er at deltakerne, gitt disse "
            "kjennetegnene, uten tiltaket ville ligget like mye over eller under "
            "sammenligningsgruppen etter start som i utgangspunktet. Personer i "
            "sammenligningsgruppen som selv starter senere, får effekten trukket ut som "
            "deltakere som startet fra samme situasjon (status hos NAV og ytelse måneden før "
            "start) har, slik at anslaget er effekten av å delta mot ikke å delta.",
            "**Doubly robust difference-in-differences with a long base (Callaway and Sant’Anna "
            "2021; Sant’Anna and Zhao 2020; Heckman, Ichimura and Todd 1997):** Participants are "
            "compared with persons registered at NAV in the month before the start who had not "
            "yet started work training and were not in another programme that month (unless "
            "some participants themselves came straight from one). The comparison group is "
            "weighted and adjusted to "
            "resemble the participants in age, gender, immigrant background, education, "
            "need-for-assistance group, benefits and NAV registration, and in whether they were "
            "employed in each of the {hist} months before the start (including the fall in work "
            "that often comes in the year before the start). Two persons with as much work in "
            "recent years may still differ in their lasting attachment to work. So we measure "
            "the change from a base further back: the mean over {win} months, {far} to {near} "
            "months before the start. The difference between the groups there is taken out. The "
            "assumption is that participants, given these characteristics, would without the "
            "programme have been as far above or below the comparison group after the start as "
            "in the base. Comparison persons who start later themselves have the effect of "
            "participants who started from the same situation (NAV status and benefit in the "
            "month before the start) taken out, so the estimate is the effect of taking part "
            "against not taking part.",
        ),
        "ipw_dynamic_levels": (
            "**Lik historikk før start (vekting, nivå):** Hver måned sammenlignes de som starter, "
            "med registrerte personer med samme arbeidshistorikk de siste 24 månedene, og "
            "utfallet sammenlignes i nivå. Metoden fanger et fall før start, men ikke varige "
            "forskjeller historikken ikke viser; da gir den for små effekter. Sammen med den "
            "enkle forskjell-i-forskjell-metoden, som gir for store effekter når deltakerne "
            "startet etter et fall, rammer den inn hovedanslaget (Angrist og Pischke 2009).",
            "**Same history before the start (weighting, levels):** Each month those who start "
            "are compared with registered persons with the same work history over the last 24 "
            "months, and the outcome is compared in levels. The method allows for a fall before "
            "the start, but not for lasting differences the history does not show; then it "
            "understates effects. Together with the plain difference-in-differences, which "
            "overstates effects when participants started after a fall, it brackets the "
            "headline (Angrist and Pischke 2009).",
        ),
        "callaway_santanna": (
            "**Enkel forskjell-i-forskjell (Callaway og Sant’Anna 2021):** Deltakerne "
            "sammenlignes med personer som var registrert hos NAV med samme status måneden før "
            "start, men som ennå ikke hadde startet i arbeidstrening. Vi sammenligner endringen "
            "i andelen i arbeid fra måneden før start. Slik fjernes faste forskjeller mellom "
            "gruppene, men ikke forskjeller som endrer seg over tid, som et fall i "
            "sysselsettingen like før start.",
            "**Plain difference-in-differences (Callaway and Sant’Anna 2021):** Participants are "
            "compared with persons registered at NAV with the same status in the month before "
            "the start who had not yet started work training. We compare the change in the "
            "share employed from the month before the start. This removes fixed differences "
            "between the groups, but not differences that change over time, such as a fall in "
            "employment just before the start.",
        ),
        "ipw_dynamic": (
            "**Vekting etter historikk (IPW):** Hver måned sammenlignes de som starter, med "
            "registrerte personer som ikke starter, vektet slik at de har samme kjennetegn og "
            "samme historikk i arbeid og ytelser før start. Metoden tar hensyn til et fall før "
            "start, men ikke til uobserverte forskjeller.",
            "**Weighting on history (IPW):** Each month those who start are compared with "
            "registered persons who do not, weighted to have the same characteristics and the "
            "same history of work and benefits before the start. The method allows for a fall "
            "before the start, but not for unobserved differences.",
        ),
        "twfe_event_study": (
            "**Toveis faste effekter (TWFE):** en vanlig regresjon med faste effekter for person "
            "og kalendermåned. Den kan gi skjeve svar når effekten varierer mellom dem som starter "
            "på ulike tidspunkter, og er med som sammenligning.",
            "**Two-way fixed effects (TWFE):** a conventional regression with person and "
            "calendar-month fixed effects. It can be biased when the effect differs between "
            "those starting at different times, and is included for comparison.",
        ),
        "naive": (
            "**Naiv sammenligning:** deltakere minus registrerte personer som aldri deltok, samme "
            "kalendermåned. Den er skjev med vilje og viser hvor mye utvelgelsen til tiltaket "
            "betyr.",
            "**Naive comparison:** participants minus registered persons who never took part, "
            "same calendar month. It is biased by design and shows how much the selection into "
            "the programme matters.",
        ),
        "specifications": (
            "**Valg i metoden (spesifikasjonsrutenett):** Hovedanslaget beregnes på nytt med ett "
            "valg endret om gangen: minst dobbelt så høy inntekt for å regnes som i arbeid, "
            "alle vinduer 6 måneder senere eller tidligere, sammenligning med personer som aldri "
            "deltar, effekten av å starte nå mot å starte senere (uten å trekke ut "
            "sammenligningsgruppens egne senere tiltak), et utgangspunkt over 12 i stedet for 24 "
            "måneder, ett utgangspunkt rett før historikken i stedet for et langt, og det "
            "tidligere hovedanslaget (endringer fra ett utgangspunkt 13 måneder før start). I "
            "åtte simulerte registre med kjent fasit der deltakerne ble valgt ut på ulike måter, "
            "bommet hovedanslaget med mellom {lo} og {hi} prosentpoeng i måned 12–23, mot {hlo} "
            "til {hhi} for det tidligere hovedanslaget.",
            "**Choices in the method (specification grid):** The headline is estimated again "
            "with one choice changed at a time: at least twice the earnings to count as "
            "employed, every window 6 months later or earlier, comparison with persons who never "
            "take part, the effect of starting now against starting later (without taking out "
            "the comparison group's own later programmes), a base over 12 instead of 24 months, "
            "one base month just before the history instead of a long base, and the former "
            "headline (changes from one base month 13 months before the start). In eight "
            "simulated registers with a known truth where participants were selected in "
            "different ways, the headline missed by between {lo} and {hi} percentage points in "
            "months 12–23, against {hlo} to {hhi} for the former headline.",
        ),
        "uncertainty": (
            "**Usikkerhet:** Standardfeilene tar hensyn til at samme person observeres i mange "
            "måneder. Intervallene er 95 % konfidensintervaller for hver måned; der "
            "effektberegningen leverer det, vises også et bånd som gjelder alle månedene samtidig.",
            "**Uncertainty:** The standard errors allow for the same person being observed over "
            "many months. The intervals are 95 % confidence intervals for each month; where the "
            "effect estimation delivers it, a band holding for all months at once is shown too.",
        ),
        "assumptions_h": ("Forutsetninger", "Assumptions"),
        "assumptions": (
            "Hovedforutsetningen er at andelen i arbeid hos deltakerne ville utviklet seg som hos "
            "sammenligningsgruppen om de ikke hadde deltatt (parallelle trender). Den kan ikke "
            "testes direkte, men vi kan se om gruppene utviklet seg likt før start. Mange starter "
            "i tiltak etter å ha mistet arbeid eller inntekt (Ashenfelter 1978; Heckman og Smith "
            "1999); da utvikler deltakerne seg ulikt før start, og en enkel sammenligning gir for "
            "store effekter. Videre antar vi at deltakerne ikke endret atferd før start fordi de "
            "visste at tiltaket kom, og at tiltaket ikke påvirker sammenligningsgruppen. "
            "Forutsetningen gjelder etter justering for det registrene viser: skiller deltakerne "
            "seg fra sammenligningsgruppen i noe registrene ikke viser og som endrer utsiktene "
            "deres over tid, som hvor lett de får jobb, blir anslaget skjevt. I simulerte "
            "registre med kjent fasit var det hovedkilden til bommen ett til to år etter start.",
            "The main assumption is that participants' employment would have developed like that "
            "of the comparison group had they not taken part (parallel trends). It cannot be "
            "tested directly, but we can see whether the groups developed alike before the "
            "start. Many start a programme after losing work or earnings (Ashenfelter 1978; "
            "Heckman and Smith 1999); then participants develop differently before the start, "
            "and a plain comparison overstates the effect. We also assume that participants did "
            "not change behaviour before the start because they knew the programme was coming, "
            "and that the programme does not affect the comparison group. The assumption holds "
            "after adjusting for what the registers show: if participants differ from the "
            "comparison group in something the registers do not show that changes their "
            "prospects over time, such as how easily they find work, the estimate is biased. In "
            "simulated registers with a known truth that was the main source of the miss one to "
            "two years after the start.",
        ),
        "diag_h": ("Kontroller av designet", "Checks of the design"),
        "gate": (
            "**Designkontrollen** avgjør om et anslag presenteres som et resultat. "
            "Effektberegningen tester for hver serie om forskjellen mellom deltakere og "
            "sammenligningsgruppe var stabil gjennom utgangspunktet (en placebotest: der har "
            "ingen startet ennå), om gruppene er like i månedene vi justerer for, om det finnes "
            "sammenlignbare personer, og om kjennetegnene er like etter vekting. Holder ikke "
            "kontrollene, vises tallene bare for åpenhet. Har en kjøring ingen designkontroll, "
            "bruker rapporten i stedet den samlede testen av utviklingen før start for "
            "hovedanslaget: anslaget regnes som troverdig bare hvis testen ikke forkaster lik "
            "utvikling på 5 % nivå. Har kjøringen heller ikke den testen, presenteres ingen "
            "effekt som et resultat.",
            "**The design gate** decides whether an estimate is presented as a result. The "
            "effect estimation tests for each series whether the difference between "
            "participants and comparison group was stable through the base (a placebo test: "
            "nobody had started yet), whether the groups are alike in the months we adjust for, "
            "whether comparable persons exist, and whether the characteristics are alike after "
            "weighting. If the checks fail, the figures are shown for transparency only. If a "
            "run has no design gate, the report instead uses the joint test of the development "
            "before the start for the headline: the estimate counts as credible only if the "
            "test does not reject parallel development at the 5 % level. If the run lacks that "
            "test too, no effect is presented as a result.",
        ),
        "pretrend": (
            "Test av utviklingen før start: Vi tester om de anslåtte «effektene» i månedene før "
            "start samlet er lik null. Testen kan bare avsløre ulik utvikling før start; den kan "
            "ikke bevise at utviklingen ville vært lik etter start. En liten p-verdi (under 0,05) "
            "betyr at gruppene utviklet seg ulikt allerede før tiltaket. For hovedanslaget er "
            "arbeid i hver av de siste månedene før start med i sammenligningen, så der er "
            "«effektene» like store i hver måned (forskjellen i utgangspunktet med motsatt "
            "fortegn); testen som teller, er placebotesten over månedene i utgangspunktet, og "
            "månedene det er justert for, avgjøres ved ekvivalens (hvert avvik fra snittet av "
            "dem innenfor pluss/minus {margin} prosentpoeng, kapittel 9), ikke ved p-verdien.",
            "Test of the development before the start: we test whether the estimated “effects” "
            "in the months before the start are jointly zero. The test can only reveal different "
            "development before the start; it cannot prove that the development would have been "
            "alike after it. A small p-value (below 0.05) means that the groups developed "
            "differently already before the programme. For the headline, work in each of the "
            "last months before the start is part of the comparison, so there the “effects” are "
            "equal in every month (the difference in the base with the opposite sign); the test "
            "that counts is the placebo test over the months of the base, and the months "
            "adjusted for are decided by equivalence (every deviation from their mean within "
            "plus/minus {margin} percentage points, chapter 9), not by the p-value.",
        ),
        "pretrend_caption": (
            "Test av utviklingen før start, alle deltakere, andel i arbeid.",
            "Test of the development before the start, all participants, share employed.",
        ),
        "pretrend_missing": ("Testen av utviklingen før start", "The pre-trend test"),
        "balance": (
            "Balanse: I vektingsmetoden sammenligner vi kjennetegn hos deltakerne og den vektede "
            "sammenligningsgruppen. En standardisert forskjell under 0,1 regnes som god balanse. "
            "Største forskjell etter vekting er {mx}.",
            "Balance: in the weighting method we compare the characteristics of participants and "
            "the weighted comparison group. A standardised difference below 0.1 counts as good "
            "balance. The largest difference after weighting is {mx}.",
        ),
        "balance_caption": (
            "Balanse før og etter vekting: de ti kjennetegnene med størst forskjell før vekting. "
            "Standardisert forskjell.",
            "Balance before and after weighting: the ten characteristics with the largest "
            "difference before weighting. Standardised difference.",
        ),
        "balance_missing": ("Balansetabellen", "The balance table"),
        "support": (
            "Felles støtte: Deltakere uten sammenlignbare ikke-deltakere (svært høy eller lav "
            "beregnet sannsynlighet for å starte) er tatt ut av vektingsmetoden.",
            "Common support: participants without comparable non-participants (a very high or low "
            "estimated probability of starting) are dropped from the weighting method.",
        ),
        "support_missing": ("Felles støtte", "Common support"),
    }
)

COVARIATES = {
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
    if c in COVARIATES:
        return COVARIATES[c][i]
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


def build(b) -> list[dict]:
    tx = b.texts(TEXT)
    est = ev.headline_estimator(b)
    spec = HEADLINE_SPEC
    pre = spec.first_cohort
    blocks = [b.h2(tx("estimand_h")), b.p(tx("estimand", pre=pre)), b.h2(tx("designs_h"))]
    eff = b.frame("effects")
    present = list(dict.fromkeys(eff["estimator"])) if eff is not None else []
    items = [tx("headline", name=lab(est, b.lang, "estimator"))]
    lo_b, hi_b = spec.base_months(0)
    design_text = {
        "hist": spec.base_offset,
        "win": spec.base_window,
        "far": -lo_b,
        "near": -hi_b + 1,
        "pre": pre,
    }
    for e in (
        "callaway_santanna_dr",
        "ipw_dynamic_levels",
        "callaway_santanna",
        "ipw_dynamic",
        "twfe_event_study",
        "naive",
    ):
        if e in present and e in TEXT:
            items.append(tx(e, **design_text) if e == "callaway_santanna_dr" else tx(e))
    if ev.specifications(b) is not None:
        lo, hi = design.GRID_MEASURED_BIAS_RANGE_PP["headline"]
        hlo, hhi = design.GRID_MEASURED_BIAS_RANGE_PP["changes_single_base"]
        items.append(
            tx(
                "specifications",
                lo=fmt.format_signed(lo, 1, b.lang),
                hi=fmt.format_signed(hi, 1, b.lang),
                hlo=fmt.format_signed(hlo, 1, b.lang),
                hhi=fmt.format_signed(hhi, 1, b.lang),
            )
        )
    items.append(tx("uncertainty"))
    blocks.append(b.items(items))
    blocks += [b.h2(tx("assumptions_h")), b.p(tx("assumptions")), b.h2(tx("diag_h"))]
    blocks.append(b.p(tx("gate")))
    rows = []
    for e in [est, *[x for x in present if x != est]]:
        pt = ev.pretrend(b, e)
        if not pt:
            continue
        rows.append(
            [
                lab(e, b.lang, "estimator"),
                b.num(pt["statistic"], 1),
                b.num(pt["df"]),
                pt.get("symbol") or p_text(b, pt["p_value"]),
            ]
        )
    if rows:
        blocks.append(
            b.p(tx("pretrend", margin=b.num(100 * design.GATE_LEAD_EQUIVALENCE_MARGIN, 0)))
        )
        blocks.append(
            b.table(
                tx("pretrend_caption"),
                [
                    b.t("Metode", "Design"),
                    b.t("Kji-kvadrat", "Chi-square"),
                    b.t("Frihetsgrader", "Degrees of freedom"),
                    b.t("p-verdi", "p-value"),
                ],
                rows,
            )
        )
    else:
        blocks.append(b.not_available(tx("pretrend_missing"), "marts.effects_diagnostics"))
    bal = b.frame("effects_balance")
    if (
        bal is not None
        and {"covariate", "smd_before", "smd_after"} <= set(bal.columns)
        and len(bal)
    ):
        bal = bal.copy()
        if "specification" in bal.columns:
            first = bal["specification"].iloc[0]
            bal = bal[bal["specification"] == first]
        bal["_abs"] = pd.to_numeric(bal["smd_before"], errors="coerce").abs()
        top = bal.sort_values("_abs", ascending=False).head(10)
        mx = pd.to_numeric(bal["smd_after"], errors="coerce").abs().max()
        blocks.append(b.p(tx("balance", mx=b.num(mx, 2) if np.isfinite(mx) else fmt.MISSING)))
        blocks.append(
            b.table(
                tx("balance_caption"),
                [
                    b.t("Kjennetegn", "Characteristic"),
                    b.t("Før vekting", "Before weighting"),
                    b.t("Etter vekting", "After weighting"),
                ],
                [
                    [
                        covariate_label(r.covariate, b.lang),
                        b.num(r.smd_before, 2),
                        b.num(r.smd_after, 2),
                    ]
                    for r in top.itertuples()
                ],
            )
        )
    else:
        blocks.append(b.not_available(tx("balance_missing"), "marts.effects_balance"))
    if b.frame("effects_support") is None:
        blocks.append(b.not_available(tx("support_missing"), "marts.effects_support"))
    else:
        blocks.append(b.p(tx("support")))
    return blocks
