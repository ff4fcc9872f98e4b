"""Chapter: does work training work - the employment effect, whether the design holds up (the
design gate), effects by months since start and since exit, other designs beside the headline,
and sensitivity to violations of parallel trends."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import disclosure as sdc
from analysis import formatting as fmt
from analysis.design import (
    ANY_BENEFIT_OUTCOME,
    GATE_LEAD_EQUIVALENCE_MARGIN,
    HEADLINE_MEASURED_BIAS_RANGE_PP,
    HEADLINE_MEASURED_COVERAGE,
    HEADLINE_OUTCOME,
)
from analysis.effects.headline import HEADLINE_SPEC
from analysis.effects.specifications import HEADLINE as HEADLINE_SPECIFICATION
from analysis.effects.specifications import SPECIFICATIONS
from analysis.report import evidence as ev
from analysis.report import figures as figs
from analysis.report.labels import lab
from analysis.report.text import Texts

TITLE = (
    "Virker arbeidstrening? Effekter på sysselsetting",
    "Does work training work? Effects on employment",
)

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
            "**Designkontrollen er bestått.** {why} Anslagene nedenfor er vårt beste anslag på "
            "effekten av arbeidstrening. Usikkerheten er likevel større enn intervallene viser: "
            "kontrollene ser bare utviklingen før start og kan ikke utelukke en skjevhet på noen "
            "prosentpoeng. I simulerte registre med kjent fasit bommet designet med mellom {lo} "
            "og {hi} prosentpoeng etter 12-23 måneder, avhengig av hvordan deltakerne ble "
            "valgt ut; mest fordi deltakerne skilte seg fra sammenligningsgruppen på måter "
            "registrene ikke viser, som hvor lett de får jobb. Følsomhetsanalysen til slutt i "
            "kapitlet viser hvor store avvik resultatet tåler.",
            "**The design checks are passed.** {why} The estimates below are our best estimate "
            "of the effect of work training. The uncertainty is larger than the intervals show, "
            "though: the checks only see the development before the start and cannot rule out a "
            "bias of a few percentage points. In simulated registers with a known truth the "
            "design missed by between {lo} and {hi} percentage points after 12-23 months, depending "
            "on how participants were selected, mostly because participants differed from the "
            "comparison group in ways the registers do not show, such as how easily they find "
            "work. The sensitivity analysis at the end of the "
            "chapter shows how large a deviation the result tolerates.",
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
        "why_gate_none": (
            "Designkontrollen har ingen avgjørelse for hovedanslaget i denne kjøringen.",
            "The design gate has no decision for the headline in this run.",
        ),
        "checks_caption": (
            "Designkontrollen for hovedanslaget: andel i arbeid, alle deltakere.",
            "The design gate of the headline: share employed, all participants.",
        ),
        "checks_note": (
            "Placebotesten ser på de {win} månedene i utgangspunktet, før noen har startet: "
            "forskjellen mellom deltakere og sammenligningsgruppe skal være den samme i hver av "
            "dem. Arbeid i hver av de {hist} månedene rett før start er med i sammenligningen, "
            "så for andelen i arbeid er kontrollen av disse månedene en kontroll av balanse, "
            "ikke en test: den holder når hvert avvik fra snittet av dem, med sitt 90 % "
            "konfidensintervall, ligger innenfor pluss/minus grensen ({margin} prosentpoeng). "
            "Kji-kvadrat og p-verdi vises der, men avgjør ikke. For felles støtte er verdien "
            "andelen deltakere med beregnet sannsynlighet for å delta over 0,9, for balanse den "
            "gjennomsnittlige standardiserte forskjellen i kjennetegnene etter vekting; de holder "
            "når verdien er høyst grensen.",
            "The placebo test looks at the {win} months of the base, before anybody started: the "
            "difference between participants and comparison group should be the same in each of "
            "them. Work in each of the {hist} months just before the start is part of the "
            "comparison, so for the share employed the check of those months is a check of "
            "balance, not a test: it holds when every deviation from their mean, with its 90 % "
            "confidence interval, lies within plus/minus the threshold ({margin} percentage "
            "points). The chi-square and p-value are shown there but do not decide. For common "
            "support the value is the share of participants with an estimated probability of "
            "taking part above 0.9, for balance the mean standardised difference of the "
            "characteristics after weighting; they hold when the value is at most the "
            "threshold.",
        ),
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
            "Månedene før start (til venstre for 0) er måneder vi justerer for: der ligger "
            "punktene på samme nivå, forskjellen i utgangspunktet med motsatt fortegn, og de "
            "sier ikke om designet holder; det gjør placebotesten over utgangspunktet (se "
            "over). Det skyggelagte båndet gjelder hver måned for seg.{uniform}",
            "The months before the start (left of 0) are months we adjust for: there the points "
            "lie at one level, the difference in the base with the opposite sign, and they do "
            "not show whether the design holds; the placebo test over the base does (see "
            "above). The shaded band holds for each month separately.{uniform}",
        ),
        "uniform_note": (
            " De stiplede linjene er et samtidig bånd: med 95 % sannsynlighet ligger hele "
            "effektkurven innenfor dem, så de kan brukes til å lese hele forløpet på en gang.",
            " The dashed lines are a simultaneous band: with 95 % probability the whole effect "
            "curve lies within them, so they can be used to read the whole path at once.",
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
        "bracket": (
            "Hovedanslaget etter 24 måneder ({h}) ligger {where} spennet mellom metoden med lik "
            "historikk før start ({s}) og enkel forskjell-i-forskjell ({d}).",
            "The headline after 24 months ({h}) lies {where} the range between the design with "
            "the same history before the start ({s}) and plain difference-in-differences ({d}).",
        ),
        "inside": ("innenfor", "within"),
        "outside": ("utenfor", "outside"),
        "tri_missing": (
            "Sammenligningen med andre metoder",
            "The comparison with other designs",
        ),
        "spread_narrow": (
            "Metodene gir omtrent samme svar, noe som styrker tilliten til hovedanslaget.",
            "The designs give about the same answer, which strengthens confidence in the "
            "headline estimate.",
        ),
        "spec_h": (
            "Hvor mye avhenger resultatet av valgene i metoden?",
            "How much does the result depend on the choices in the method?",
        ),
        "spec_intro": (
            "Noen valg i metoden kan ikke avgjøres av dataene: hvor mye man må tjene i en måned "
            "for å regnes som i arbeid, hvor lenge før start fallet i "
            "sysselsetting begynner, hvem deltakerne sammenlignes med, hvor langt tilbake "
            "utgangspunktet måles, og om vi spør om effekten av å starte mot aldri å starte "
            "eller mot å starte senere. Tabellen viser hovedanslaget beregnet på nytt med ett "
            "valg endret om gangen. Hvor mye anslagene flytter seg, er en del av usikkerheten.",
            "Some choices in the method cannot be settled by the data: how much one must earn in "
            "a month to count as employed, how long before the start "
            "the fall in employment begins, whom participants are compared with, how far back "
            "the base is measured, and whether we ask about the effect of starting rather than "
            "never starting or rather than starting later. The table "
            "shows the headline estimated again with one choice changed at a time. How far the "
            "estimates move is part of the uncertainty.",
        ),
        "spec_caption": (
            "Hovedanslaget med ett valg endret om gangen (prosentpoeng)",
            "The headline with one choice changed at a time (percentage points)",
        ),
        "spec_note": (
            "Alle deltakere. «Stønad» er andelen som mottar en ytelse i måneden. Anslagene "
            "med varig forskjell trukket fra bruker bare de startkullene som har minst fire år "
            "med data før start, og er derfor mer usikre. Metodekapitlet beskriver hvert valg.",
            "All participants. «Benefit» is the share receiving a benefit in the month. The "
            "estimates with the persistent gap taken out use only the start cohorts with at "
            "least four years of data before the start, and are therefore less precise. The "
            "method chapter describes each choice.",
        ),
        "spec_range": (
            "Effekten på sysselsetting i måned 12–23 ligger mellom {lo} og {hi} prosentpoeng "
            "på tvers av valgene (hovedanslaget: {h}).",
            "The effect on employment in months 12–23 lies between {lo} and {hi} percentage "
            "points across the choices (the headline: {h}).",
        ),
        "spec_missing": (
            "Hovedanslaget med ett valg i metoden endret om gangen",
            "The headline with one choice in the method changed at a time",
        ),
        "sens_h": (
            "Hvor følsomt er resultatet for brudd på forutsetningen?",
            "How sensitive is the result to a violation of the assumption?",
        ),
        "sens_intro": (
            "Hovedforutsetningen er at deltakere og sammenligningsgruppe ville utviklet seg likt "
            "uten tiltaket. Vi spør hvor mye denne forutsetningen kan brytes før resultatet ikke "
            "lenger er statistisk sikkert (Rambachan og Roth 2023). «Relativ størrelse» lar "
            "avviket etter start være inntil et gitt multiplum av det største avviket mellom to "
            "måneder før start, målt i de siste månedene av utgangspunktet (månedene det er "
            "justert for, hopper vi over). «Jevn trend» lar en forskjell i trend mellom gruppene bøye av "
            "med inntil et gitt antall prosentpoeng per måned. Jo større avvik vi tillater, jo "
            "bredere blir intervallet.",
            "The main assumption is that participants and comparison group would have developed "
            "alike without the programme. We ask how much this assumption can be violated "
            "before the result is no longer statistically significant (Rambachan and Roth "
            "2023). “Relative magnitude” lets the deviation after the start be up to a given "
            "multiple of the largest deviation between two months before the start, measured in "
            "the last months of the base (the months adjusted for are skipped). “Smooth "
            "trend” lets a difference in trend between the groups bend by up to a given number "
            "of percentage points per month. The larger the deviation we allow, the wider the "
            "interval.",
        ),
        "sens_caption": (
            "Følsomhet for brudd på lik utvikling: effekt {measure}. Robuste 95 % "
            "konfidensintervall, prosentpoeng.",
            "Sensitivity to violations of parallel development: effect {measure}. Robust 95 % "
            "confidence intervals, percentage points.",
        ),
        "sens_note": (
            "Tillatt avvik: for relativ størrelse et multiplum av det største avviket før start; "
            "for jevn trend prosentpoeng per måned. «Ingen» er det vanlige intervallet uten "
            "tillatt avvik.",
            "Allowed deviation: for relative magnitude a multiple of the largest deviation "
            "before the start; for smooth trend percentage points per month. “None” is the usual "
            "interval without an allowed deviation.",
        ),
        "sens_none": ("Ingen", "None"),
        "bd_rm": (
            "{measure}: resultatet er statistisk sikkert så lenge avviket etter start er under "
            "{bd} ganger det største avviket før start.",
            "{measure}: the result is statistically significant as long as the deviation after "
            "the start is below {bd} times the largest deviation before the start.",
        ),
        "bd_sm": (
            "{measure}: resultatet er statistisk sikkert så lenge trenden bøyer av med under {bd} "
            "prosentpoeng per måned.",
            "{measure}: the result is statistically significant as long as the trend bends by "
            "less than {bd} percentage points per month.",
        ),
        "bd_never": (
            "{measure} ({method}): intervallet inneholder null allerede uten tillatt avvik, så "
            "resultatet er ikke statistisk sikkert i utgangspunktet.",
            "{measure} ({method}): the interval includes zero already without an allowed "
            "deviation, so the result is not statistically significant to begin with.",
        ),
        "bd_zero": (
            "{measure} ({method}): resultatet er ikke lenger statistisk sikkert så snart vi "
            "tillater et avvik fra lik utvikling.",
            "{measure} ({method}): the result is no longer statistically significant as soon "
            "as we allow a deviation from parallel development.",
        ),
        "bd_robust": (
            "{measure} ({method}): resultatet er statistisk sikkert for alle avvik vi har prøvd, "
            "opp til {max}.",
            "{measure} ({method}): the result is statistically significant for every deviation "
            "we tried, up to {max}.",
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
        "benefit_coverage": (
            "Intervallene treffer sjeldnere enn de sier. I simulerte registre med kjent fasit "
            "traff hovedanslagets 95 %-intervall den sanne effekten sjeldnere enn i 95 av 100 "
            "registre (tabellen under). I de minste ({s0} av et register for hele landet) "
            "traff intervallet for andelen som mottar en ytelse i {c12} av 100 etter 12 måneder og i "
            "{c24} av 100 etter 24 måneder; anslaget lå i snitt {b12} og {b24} prosentpoeng fra "
            "fasit. I større registre ble intervallene smalere, men avvikene ikke mindre "
            "(sysselsetting etter 24 måneder {lb24} i de største), så intervallene traff "
            "sjeldnere: i de største ({sx} av hele landet) for ytelser i {lc12} og {lc24} av 100 "
            "og for sysselsetting i {le12} og {le24} av 100. Et register for hele landet er "
            "større enn alle disse, og der treffer intervallene trolig enda sjeldnere. Les derfor "
            "intervallene som omtrent {widen} prosentpoeng for smale på hver side: så stort var "
            "avviket etter 24 måneder i snitt over alle størrelsene og begge utfallene.",
            "The intervals cover the truth less often than they say. In simulated registers with "
            "a known truth the headline's 95 % interval covered the true effect in fewer than "
            "95 of 100 registers (the table below). In the smallest ({s0} of a register of the "
            "whole country) the interval for the share receiving a benefit covered it in {c12} of 100 "
            "after 12 months and in {c24} of 100 after 24 months; the estimate was {b12} and "
            "{b24} percentage points off the truth on average. In larger registers the intervals "
            "were narrower but the errors no smaller (employment after 24 months {lb24} in the "
            "largest), so the intervals covered less often: in the largest ({sx} of the whole "
            "country) for benefits in {lc12} and {lc24} of 100 and for employment in {le12} and "
            "{le24} of 100. A register of the whole country is larger than all of these, and "
            "there the intervals probably cover even less often. So read the intervals as about "
            "{widen} percentage points too narrow on each side: the mean error after 24 months "
            "over every size and both outcomes.",
        ),
        "coverage_caption": (
            "Hvor ofte hovedanslagets 95 %-intervall traff den sanne effekten i simulerte "
            "registre med kjent fasit, og anslagets gjennomsnittlige avvik fra fasit "
            "(prosentpoeng). Størrelse: andel av et register for hele landet. Arbeid: andelen "
            "sysselsatte; ytelse: andelen som mottar minst én ytelse.",
            "How often the headline's 95 % interval covered the true effect in simulated "
            "registers with a known truth, and the estimate's mean error (percentage points). "
            "Size: share of a register of the whole country. Work: the share employed; benefit: "
            "the share receiving at least one benefit.",
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


def check_label(b, code: str) -> str:
    return lab(code, b.lang, "gate_check")


def gate_why(b, tx, gate: ev.Gate) -> str:
    """One sentence: which checks failed (or that all held), or the fallback test's p-value."""
    if gate.source == "gate":
        failed = [check_label(b, c) for c in gate.failed]
        passed = [check_label(b, c["check"]) for c in gate.checks if c["passed"]]
        if gate.credible is None:
            return tx("why_gate_none")
        if failed:
            return tx("why_gate", failed=", ".join(failed))
        return tx("why_gate_ok", passed=", ".join(passed)) if passed else ""
    if gate.credible is None:
        return ""
    return tx(
        "why_pretrend_ok" if gate.credible else "why_pretrend_fail", p=p_text(b, gate.pretrend_p)
    )


def _value(b, x: float) -> str:
    if not np.isfinite(x):
        return fmt.MISSING
    return b.num(x, 2 if abs(x) < 100 else 0)


def gate_blocks(b, tx, gate: ev.Gate) -> list[dict]:
    """The verdict box of the design gate and the table of its checks."""
    why = gate_why(b, tx, gate)
    if gate.credible is True:
        lo, hi = (b.signed_pp(x / 100) for x in HEADLINE_MEASURED_BIAS_RANGE_PP)
        out = [b.note(tx("gate_ok", why=why, lo=lo, hi=hi))]
    elif gate.credible is False:
        out = [b.warning(tx("gate_fail", why=why))]
    else:
        out = [b.warning(tx("gate_none"))]
    if gate.source == "pretrend":
        out.append(b.p(tx("fallback")))
    if gate.checks:
        rows = [
            [
                check_label(b, c["check"]).capitalize(),
                _value(b, c["statistic"]),
                c["symbol"] or p_text(b, c["p_value"]),
                _value(b, c["threshold"]),
                fmt.MISSING
                if c["passed"] is None
                else (b.t("Ja", "Yes") if c["passed"] else b.t("Nei", "No")),
            ]
            for c in gate.checks
        ]
        out.append(
            b.table(
                tx("checks_caption"),
                [
                    b.t("Kontroll", "Check"),
                    b.t("Verdi", "Value"),
                    b.t("p-verdi", "p-value"),
                    b.t("Grense", "Threshold"),
                    b.t("Holdt", "Passed"),
                ],
                rows,
                note=tx(
                    "checks_note",
                    margin=b.num(100 * GATE_LEAD_EQUIVALENCE_MARGIN, 0),
                    win=HEADLINE_SPEC.base_window,
                    hist=HEADLINE_SPEC.base_offset,
                ),
                widths=[3.2, 1.1, 0.9, 0.9, 0.8],
            )
        )
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
    uniform = "band_low" in head.columns and head["band_low"].notna().any()
    blocks.append(
        b.figure(chart, caption, tx("fig_note", uniform=tx("uniform_note") if uniform else ""))
    )
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
    blocks += _specifications(b, tx)
    blocks += _sensitivity(b, tx)
    blocks += _benefits(b, tx)
    return blocks


def _exit_section(b, tx, head, gate) -> list[dict]:
    out = [b.h2(tx("exit_h"))]
    ex = ev.exit_series(b)
    if ex is None:
        out.append(b.not_estimated(tx("exit_missing"), f"marts.{ev.EXIT_TABLE}"))
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
        uniform_label=b.t(
            "95 % bånd for alle måneder samtidig", "95 % band for all months at once"
        ),
    )
    cap = tx("exit_caption") + ("" if gate.credible else " " + tx("not_result"))
    out.append(b.figure(chart, cap))
    return out


def _triangulation(b, tx, est: str) -> list[dict]:
    """The headline beside the designs resting on other assumptions (``effects.role``)."""
    out = [b.h2(tx("tri_h"))]
    roles = ev.by_role(b)
    order = [(r, e) for r in (*ev.ROLES, "diagnostic") for e in roles.get(r, [])]
    if not any(r != "headline" for r, _ in order):
        out.append(b.not_estimated(tx("tri_missing"), "marts.effects (role)"))
        return out
    if ("headline", est) not in order:
        order.insert(0, ("headline", est))
    out.append(b.p(tx("tri_intro")))

    def name(role: str, e: str) -> str:
        known = lab(e, b.lang, "estimator")
        role_t = lab(role, b.lang, "role")
        return role_t if known == e else f"{role_t}: {known}"

    series = [
        (name(r, e), ev.series(b, e), r == "headline")
        for r, e in order
        if ev.series(b, e) is not None
    ]
    chart = figs.estimator_comparison(
        series,
        b.lang,
        b.t("Måneder siden start", "Months since start"),
        b.t("Effekt (prosentpoeng)", "Effect (percentage points)"),
        b.t("95 % konfidensintervall, hovedanslaget", "95 % confidence interval, headline"),
    )
    out.append(b.figure(chart, tx("tri_caption")))
    rows, at24 = [], {}
    for r, e in order:
        h = ev.summary(b, e)
        pt = ev.pretrend(b, e)
        li, a24 = h.get("lock_in_0_5"), h.get("at_24")
        if a24 is not None and a24.shown and r in ev.ROLES:
            at24.setdefault(r, a24.estimate)
        rows.append(
            [
                name(r, e),
                (li.symbol or b.signed_pp(li.estimate)) if li else fmt.MISSING,
                (a24.symbol or b.signed_pp(a24.estimate)) if a24 else fmt.MISSING,
                (a24.symbol or b.ci(a24.ci_low, a24.ci_high)) if a24 else fmt.MISSING,
                (pt.get("symbol") or p_text(b, pt.get("p_value", np.nan))) if pt else fmt.MISSING,
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
            widths=[2.8, 1.1, 0.8, 1.6, 1.1],
        )
    )
    if len(at24) >= 2:
        lo, hi = min(at24.values()), max(at24.values())
        text = tx(
            "spread",
            lo=b.signed_pp(lo),
            hi=b.signed_pp(hi),
            verdict=tx("spread_wide" if (hi - lo) > 0.05 else "spread_narrow"),
        )
        if {"headline", "selection_on_observables", "plain_did"} <= set(at24):
            h, so, d = (at24[k] for k in ("headline", "selection_on_observables", "plain_did"))
            inside = min(so, d) <= h <= max(so, d)
            text += " " + tx(
                "bracket",
                h=b.signed_pp(h),
                s=b.signed_pp(so),
                d=b.signed_pp(d),
                where=tx("inside" if inside else "outside"),
            )
        out.append(b.p(text))
    return out


SPEC_COLUMNS = (
    ("employed", "lock_in_0_5"),
    ("employed", "mean_12_23"),
    ("any_benefit", "lock_in_0_5"),
    ("any_benefit", "mean_12_23"),
)


def _specifications(b, tx) -> list[dict]:
    """The specification grid (``effects_specifications``): the headline with one design choice
    changed at a time, and the range of the employment effect over the grid."""
    out = [b.h2(tx("spec_h"))]
    s = ev.specifications(b)
    if s is None:
        out.append(b.not_estimated(tx("spec_missing"), f"marts.{ev.SPECIFICATIONS_TABLE}"))
        return out
    out.append(b.p(tx("spec_intro")))
    rows, late = [], {}
    present = set(s["specification"])
    order = [n for n in (HEADLINE_SPECIFICATION, *SPECIFICATIONS) if n in present]
    for name in order + sorted(present - set(order)):
        d = s[s["specification"] == name]
        row = [lab(name, b.lang, "specification")]
        for outcome, measure in SPEC_COLUMNS:
            r = d[(d["outcome"] == outcome) & (d["measure"] == measure)]
            if not len(r):
                row.append(fmt.MISSING)
                continue
            v = ev.cell_value(r.iloc[0], "estimate")
            row.append(
                b.signed_pp(v)
                if np.isfinite(v)
                else (sdc.symbol(r.iloc[0], "estimate") or fmt.MISSING)
            )
            if (outcome, measure) == ("employed", "mean_12_23") and np.isfinite(v):
                late[name] = v
        rows.append(row)
    out.append(
        b.table(
            tx("spec_caption"),
            [
                b.t("Valg", "Choice"),
                b.t("Arbeid, mnd. 0–5", "Work, months 0–5"),
                b.t("Arbeid, mnd. 12–23", "Work, months 12–23"),
                b.t("Stønad, mnd. 0–5", "Benefit, months 0–5"),
                b.t("Stønad, mnd. 12–23", "Benefit, months 12–23"),
            ],
            rows,
            align="lrrrr",
            note=tx("spec_note"),
            widths=[2.6, 1.0, 1.0, 1.0, 1.0],
        )
    )
    if len(late) >= 2 and "headline" in late:
        out.append(
            b.p(
                tx(
                    "spec_range",
                    lo=b.signed_pp(min(late.values())),
                    hi=b.signed_pp(max(late.values())),
                    h=b.signed_pp(late["headline"]),
                )
            )
        )
    return out


SENS_MEASURES = ("at_24", "mean_12_23", "at_12", "at_36", "lock_in_0_5")


def _sens_parameter(b, tx, r: dict) -> str:
    if bool(r.get("is_original")):
        return tx("sens_none")
    v = r.get("parameter")
    if fmt.is_missing(v):
        return fmt.MISSING
    if r.get("method") == "smoothness":  # a slope in shares per month: percentage points
        return b.num(float(v) * 100, 2)
    return b.num(float(v), 2)


def _sensitivity(b, tx) -> list[dict]:
    out = [b.h2(tx("sens_h"))]
    s = ev.sensitivity(b)
    if s is None:
        out.append(b.not_estimated(tx("sens_missing"), f"marts.{ev.SENSITIVITY_TABLE}"))
        return out
    out.append(b.p(tx("sens_intro")))
    measures = [m for m in SENS_MEASURES if (s["measure"] == m).any()]
    measures += [m for m in dict.fromkeys(s["measure"]) if m not in measures]
    main = measures[0]
    d = s[s["measure"] == main].copy()
    d["_orig"] = ~d["is_original"].fillna(False).astype(bool)
    d = d.sort_values(["method", "_orig", "parameter"])
    rows = [
        [
            lab(r["method"], b.lang, "sensitivity_method"),
            _sens_parameter(b, tx, r),
            b.ci(ev.cell_value(r, "ci_low"), ev.cell_value(r, "ci_high")),
        ]
        for r in d.to_dict("records")
    ]
    readings = []
    for m in measures:
        for method, part in s[s["measure"] == m].groupby("method", sort=True):
            readings.append(_breakdown(b, tx, m, str(method), part))
    out.append(
        b.table(
            tx("sens_caption", measure=lab(main, b.lang, "measure").lower()),
            [
                b.t("Forutsetning", "Restriction"),
                b.t("Tillatt avvik", "Allowed deviation"),
                b.t("Robust 95 % KI", "Robust 95 % CI"),
            ],
            rows,
            align="lrr",
            note=tx("sens_note"),
            widths=[2.2, 1.4, 2.0],
        )
    )
    out.append(b.items(readings))
    return out


def _breakdown(b, tx, measure: str, method: str, part: pd.DataFrame) -> str:
    """One reading of the breakdown value (the smallest allowed deviation whose interval
    includes 0) of a measure and method."""
    m_lab = lab(measure, b.lang, "measure")
    meth = lab(method, b.lang, "sensitivity_method").lower()
    orig = part[part["is_original"].fillna(False).astype(bool)]
    if len(orig):
        lo, hi = ev.cell_value(orig.iloc[0], "ci_low"), ev.cell_value(orig.iloc[0], "ci_high")
        if np.isfinite(lo) and np.isfinite(hi) and lo <= 0 <= hi:
            return tx("bd_never", measure=m_lab, method=meth)
    bd = ev.cell_value(part.iloc[0], "breakdown")
    if np.isfinite(bd) and bd <= 0:
        return tx("bd_zero", measure=m_lab, method=meth)
    if np.isfinite(bd):
        if method == "smoothness":
            return tx("bd_sm", measure=m_lab, bd=b.num(bd * 100, 2))
        return tx("bd_rm", measure=m_lab, bd=b.num(bd, 2))
    top = pd.to_numeric(part["parameter"], errors="coerce").max()
    mx = _sens_parameter(b, tx, {"method": method, "parameter": top})
    return tx("bd_robust", measure=m_lab, method=meth, max=mx)


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
        b.p(_benefit_coverage(b, tx)),
        _coverage_table(b, tx),
    ]


# the outcomes whose coverage the report states (`design.HEADLINE_MEASURED_COVERAGE`)
COVERAGE_OUTCOMES = (HEADLINE_OUTCOME, ANY_BENEFIT_OUTCOME)


def _benefit_coverage(b, tx) -> str:
    """How often the headline's intervals covered the truth in simulated registers
    (`design.HEADLINE_MEASURED_COVERAGE`): benefit receipt in the smallest, both outcomes in the
    largest, and how much wider to read the intervals (the mean absolute error at 24 months)."""
    scales = sorted(HEADLINE_MEASURED_COVERAGE)
    small, large = (HEADLINE_MEASURED_COVERAGE[s][1] for s in (scales[0], scales[-1]))

    def n(outcome: str, m: str, c=small) -> str:
        return b.num(round(100 * c[(outcome, m)][0]))

    errors_24 = [
        abs(cov[(outcome, "at_24")][1])
        for _, cov in HEADLINE_MEASURED_COVERAGE.values()
        for outcome in COVERAGE_OUTCOMES
    ]

    return tx(
        "benefit_coverage",
        s0=b.pct(scales[0]),
        sx=b.pct(scales[-1]),
        c12=n(ANY_BENEFIT_OUTCOME, "at_12"),
        c24=n(ANY_BENEFIT_OUTCOME, "at_24"),
        b12=b.signed_pp(small[(ANY_BENEFIT_OUTCOME, "at_12")][1] / 100),
        b24=b.signed_pp(small[(ANY_BENEFIT_OUTCOME, "at_24")][1] / 100),
        lb24=b.signed_pp(large[(HEADLINE_OUTCOME, "at_24")][1] / 100),
        lc12=n(ANY_BENEFIT_OUTCOME, "at_12", large),
        lc24=n(ANY_BENEFIT_OUTCOME, "at_24", large),
        le12=n(HEADLINE_OUTCOME, "at_12", large),
        le24=n(HEADLINE_OUTCOME, "at_24", large),
        widen=b.num(sum(errors_24) / len(errors_24), 1),
    )


def _coverage_table(b, tx) -> dict:
    """`design.HEADLINE_MEASURED_COVERAGE` as a table: one row per size of simulated register;
    for employment and benefit receipt the coverage at 12 and 24 months and the mean error at 24
    months."""
    rows = []
    for scale, (n_worlds, cov) in sorted(HEADLINE_MEASURED_COVERAGE.items()):
        row = [b.pct(scale), b.num(n_worlds)]
        for outcome in COVERAGE_OUTCOMES:
            row += [b.pct(cov[(outcome, m)][0]) for m in ("at_12", "at_24")]
            row.append(b.signed_pp(cov[(outcome, "at_24")][1] / 100))
        rows.append(row)
    return b.table(
        tx("coverage_caption"),
        [
            b.t("Størrelse", "Size"),
            b.t("Registre", "Registers"),
            b.t("Arbeid, 12 mnd.", "Work, 12 months"),
            b.t("24 mnd.", "24 months"),
            b.t("Avvik 24 mnd.", "Error 24 months"),
            b.t("Ytelse, 12 mnd.", "Benefit, 12 months"),
            b.t("24 mnd.", "24 months"),
            b.t("Avvik 24 mnd.", "Error 24 months"),
        ],
        rows,
        widths=[1.0, 0.9, 1.2, 0.8, 1.0, 1.2, 0.8, 1.0],
        source="",  # not from the data: the simulations of METHODS.md
    )
