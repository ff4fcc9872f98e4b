"""Chapter 1: background, mandate, questions, the programme's logic (part 1's chains of intended
effects), data and method in brief, and a reading guide."""

from __future__ import annotations

from analysis.report.text import Texts

TITLE = ("Innledning", "Introduction")

TEXT = Texts(
    {
        "bg_h": ("Bakgrunn og oppdrag", "Background and mandate"),
        "bg": (
            "Arbeidstrening er et arbeidsmarkedstiltak der deltakeren arbeider en avgrenset tid "
            "hos en ordinær arbeidsgiver, med oppfølging fra NAV. Deltakeren er ikke ansatt og "
            "beholder sin ytelse, eller får tiltakspenger. Tiltaket ble innført i 2017 og "
            "erstattet Arbeidspraksis i ordinær virksomhet, som i tidligere evalueringer hadde "
            "liten eller negativ effekt på overgangen til arbeid. Med Arbeidstrening kom krav om "
            "et avklart formål, tettere oppfølging og kortere varighet: inntil 12 måneder, og "
            "inntil 18 måneder for personer med nedsatt arbeidsevne.",
            "Arbeidstrening (work training) is a labour-market programme in which the participant "
            "works for a limited time at an ordinary employer, followed up by NAV. The "
            "participant is not employed and keeps their benefit, or receives a programme "
            "allowance. The programme was introduced in 2017 and replaced Arbeidspraksis i "
            "ordinær virksomhet (work practice), which earlier evaluations found to have little "
            "or negative effect on the transition to work. Arbeidstrening brought requirements of "
            "a clarified purpose, closer follow-up and shorter duration: up to 12 months, and up "
            "to 18 months for persons with reduced work capacity.",
        ),
        "mandate": (
            "Arbeids- og velferdsdirektoratet har bestilt en evaluering av Arbeidstrening i to "
            "deler. Del 1 (Oslo Economics og Frischsenteret 2023) beskrev med intervjuer hvordan "
            "tiltaket brukes, og hva det skal oppnå for ulike deltakere. Denne rapporten er del "
            "2: en kvantitativ analyse av registerdata om hvem som deltar, hva som skjer med dem "
            "etterpå, hvilken effekt tiltaket har på sysselsettingen, og hva det koster.",
            "The Directorate of Labour and Welfare commissioned an evaluation of Arbeidstrening "
            "in two parts. Part 1 (Oslo Economics and the Frisch Centre 2023) used interviews to "
            "describe how the programme is used and what it is meant to achieve for different "
            "participants. This report is part 2: a quantitative analysis of register data on "
            "who takes part, what happens to them afterwards, what the programme does to their "
            "employment, and what it costs.",
        ),
        "q_h": ("Problemstillinger", "Questions"),
        "q": ("Rapporten svarer på disse spørsmålene:", "The report answers these questions:"),
        "q1": (
            "Hvem deltar, med hvilket formål, og hvor lenge? ({a})",
            "Who takes part, for what purpose, and for how long? ({a})",
        ),
        "q2": (
            "Hvor er deltakerne etter tiltaket, og når de målet med tiltaket? ({a})",
            "Where are participants after the programme, and do they reach its purpose? ({a})",
        ),
        "q3": (
            "Virker tiltaket: øker det sysselsettingen, og hvor stor er innlåsingen mens det "
            "pågår? ({a})",
            "Does the programme work: does it raise employment, and how large is the lock-in "
            "while it runs? ({a})",
        ),
        "q4": ("For hvem virker det? ({a})", "For whom does it work? ({a})"),
        "q5": (
            "Hva koster det, og lønner det seg? ({a})",
            "What does it cost, and does it pay off? ({a})",
        ),
        "logic_h": (
            "Tiltakets logikk: virkningskjedene fra del 1",
            "The programme's logic: the chains of effects from part 1",
        ),
        "logic": (
            "Del 1 beskrev en virkningskjede for hvert registrerte formål (Figur 4-1 til 4-7 i "
            "delrapport 1): hva slags deltaker formålet passer for, hva som skal skje under "
            "tiltaket, hvilket utfall man ønsker rett etter, og hvilken utvikling man ønsker på "
            "sikt. Tabell 1-1 gjengir kjedene i kort form, og viser hvordan vi måler det ønskede "
            "utfallet i registrene. Disse målene brukes i {a} og {b}, og funnene drøftes mot "
            "kjedene i {c}.",
            "Part 1 described a chain of effects for each registered purpose (Figures 4-1 to 4-7 "
            "of the part-1 report): what kind of participant the purpose suits, what should "
            "happen during the programme, which outcome is wanted right after, and which "
            "development is wanted in the longer run. Table 1-1 restates the chains in short "
            "form, and shows how we measure the intended outcome in the registers. These "
            "measures are used in {a} and {b}, and the findings are discussed against the chains "
            "in {c}.",
        ),
        "logic_caption": (
            "Registrert formål, ønsket utfall og ønsket utvikling, og hvordan utfallet måles i "
            "registrene.",
            "Registered purpose, intended outcome and intended development, and how the outcome "
            "is measured in the registers.",
        ),
        "logic_note": (
            "Etter Figur 4-1 til 4-7 i delrapport 1. Registrene skiller ikke mellom utprøving i "
            "arbeidslivet generelt og i en bestemt bransje; begge registreres som «Utprøving».",
            "After Figures 4-1 to 4-7 of the part-1 report. The registers do not separate trial "
            "in working life in general from trial in a specific trade; both are registered as "
            "“Trial”.",
        ),
        "logic_source": (
            "Kilde: Oslo Economics og Frischsenteret (2023), kapittel 4. Siste kolonne: egne "
            "definisjoner.",
            "Source: Oslo Economics and the Frisch Centre (2023), chapter 4. Last column: own "
            "definitions.",
        ),
        "data_h": ("Data og metode i korte trekk", "Data and method in brief"),
        "data": (
            "Analysen bygger på et uttrekk av registerdata for perioden {window}: personer, "
            "status hos NAV, tiltaksdeltakelser, digitale avtaler om arbeidstrening med formål, "
            "ytelser og utdanning, og arbeidsforhold og lønn fra a-ordningen. Beskrivelsene "
            "teller alle deltakere. Effekten anslår vi ved å sammenligne deltakerne med personer "
            "som var registrert hos NAV på samme måte, men som ennå ikke hadde startet, og vi "
            "kontrollerer om denne sammenligningen holder før vi bruker den. Metoden er beskrevet "
            "i {a}, begrepene i {b} og datagrunnlaget i {c}. Alle tall er kontrollert for "
            "personvern: tall for færre enn fem personer, og tall som kunne avsløre dem, vises "
            "som «:».",
            "The analysis rests on an extract of register data for {window}: persons, status at "
            "NAV, programme participation, digital work-training agreements with their purpose, "
            "benefits and education, and employment and earnings from the a-ordning. The "
            "descriptions count all participants. We estimate the effect by comparing "
            "participants with persons registered at NAV in the same way who had not yet "
            "started, and we check whether this comparison holds before using it. The method is "
            "described in {a}, the terms in {b} and the data in {c}. All figures are checked for "
            "confidentiality: figures for fewer than five persons, and figures that could reveal "
            "them, are shown as “:”.",
        ),
        "synthetic": (
            "**Denne utgaven er laget fra syntetiske data.** Registeret er kunstig og laget for å "
            "teste analysen; tallene sier ingenting om virkelige deltakere.",
            "**This edition was made from synthetic data.** The register is artificial and made "
            "to test the analysis; the figures say nothing about real participants.",
        ),
    }
)

CHAINS = (
    (
        ("Utprøving i arbeidslivet", "Trial in working life"),
        (
            "Generell avklaring av helse og arbeidsevne",
            "General clarification of health and work capacity",
        ),
        ("Ingen gitt plan", "No given plan"),
        (
            "Nytt, mer målrettet tiltak, AAP eller arbeid",
            "A new, more targeted programme, AAP or work",
        ),
    ),
    (
        ("Utprøving i bransje", "Trial in a trade"),
        ("Avklaring av om bransjen passer", "Clarify whether the trade suits the person"),
        ("Utdanning eller kvalifisering i faget", "Education or qualification in the trade"),
        ("Utdanning eller opplæringstiltak", "Education or a training programme"),
    ),
    (
        ("Arbeidserfaring", "Work experience"),
        ("Erfaring og referanse på CV-en", "Experience and a reference on the CV"),
        ("Ordinært arbeid", "Ordinary work"),
        ("Arbeid hos en hvilken som helst arbeidsgiver", "Work at any employer"),
    ),
    (
        ("Få jobb i bedriften", "Job at the firm"),
        (
            "Arbeidsgiveren får testet deltakerens arbeidsevne",
            "The employer tests the participant's work capacity",
        ),
        (
            "Ansettelse i bedriften, ofte via lønnstilskudd",
            "Employment at the firm, often via a wage subsidy",
        ),
        (
            "Jobb eller lønnstilskudd hos samme arbeidsgiver",
            "Job or wage subsidy at the same employer",
        ),
    ),
    (
        ("Oppnå fagbrev/kompetansebevis", "Trade certificate"),
        ("Læreplass eller arbeid som gir praksis", "An apprenticeship or work that gives practice"),
        ("Fagbrev eller kompetansebevis", "Trade certificate or certificate of competence"),
        ("Læreplass eller utdanning", "Apprenticeship or education"),
    ),
    (
        ("Språkopplæring", "Language training"),
        ("Bedre norsk og arbeidsferdigheter", "Better Norwegian and work skills"),
        ("Ingen gitt plan", "No given plan"),
        ("Arbeid, utdanning eller nytt tiltak", "Work, education or a further programme"),
    ),
)


def build(b) -> list[dict]:
    tx = b.texts(TEXT)
    i = 0 if b.lang == "nb" else 1
    blocks = [b.h2(tx("bg_h")), b.p(tx("bg")), b.p(tx("mandate"))]
    if b.synthetic:
        blocks.append(b.warning(tx("synthetic")))
    blocks += [
        b.h2(tx("q_h")),
        b.p(tx("q")),
        b.items(
            [
                tx("q1", a=b.refs("deltakere", "formal", "hvem", "varighet")),
                tx("q2", a=b.refs("overganger", "maloppnaelse", "kjeding")),
                tx("q3", a=b.ref("effekter")),
                tx("q4", a=b.ref("for_hvem")),
                tx("q5", a=b.ref("kostnader")),
            ]
        ),
        b.h2(tx("logic_h")),
        b.p(tx("logic", a=b.ref("maloppnaelse"), b=b.ref("for_hvem"), c=b.ref("diskusjon"))),
        b.table(
            tx("logic_caption"),
            [
                b.t("Registrert formål", "Registered purpose"),
                b.t("Ønsket utfall", "Intended outcome"),
                b.t("Ønsket utvikling", "Intended development"),
                b.t("Målt i registrene som", "Measured in the registers as"),
            ],
            [[c[i] for c in row] for row in CHAINS],
            align="llll",
            widths=[1.5, 2.0, 1.8, 2.0],
            note=tx("logic_note"),
            source=tx("logic_source"),
        ),
        b.h2(tx("data_h")),
        b.p(
            tx("data", window=b.window, a=b.ref("metode"), b=b.ref("definisjoner"), c=b.ref("data"))
        ),
    ]
    return blocks
