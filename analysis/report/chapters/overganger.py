"""Chapter: where participants are after work training, and NAV's official "status etter tiltak"
beside the study's own definitions."""

from __future__ import annotations

import numpy as np

from analysis import design
from analysis import formatting as fmt
from analysis.design import TRANSITION_HORIZONS
from analysis.report import figures as figs
from analysis.report.labels import lab
from analysis.report.publish import PURPOSES_WITH_UNKNOWN
from analysis.report.text import Texts
from analysis.settings import DEFAULT_EMPLOYMENT_THRESHOLD_NOK

TITLE = ("Hvor er deltakerne etter arbeidstreningen?", "Where are participants afterwards?")

# design.EXIT_STATES in the order the chapter shows them (work first)
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
KEY_STATES = tuple(s for s in STATES if s != "IN_ARBEIDSTRENING")
NAV_STATUSES = design.NAV_EXIT_STATUSES
NAV_LABELS = {
    "I_ARBEID": ("I arbeid", "Employed"),
    "ARBEID_OG_YTELSE": ("Arbeid og ytelse", "Employed with benefit"),
    "ARBEIDSSOKER": ("Arbeidssøker", "Job seeker"),
    "NEDSATT_ARBEIDSEVNE": ("Nedsatt arbeidsevne", "Reduced work capacity"),
    "UFORE": ("Uføre", "Disability benefit"),
    "ANNET": ("Annet", "Other"),
}

TEXT = Texts(
    {
        "intro": (
            "Her ser vi på alle avsluttede arbeidstreningsforløp og hva deltakeren gjorde 1, 3, "
            "6, 12 og 24 måneder etter sluttmåneden. Hver person har én status per måned, valgt "
            "i denne rekkefølgen: i arbeidstrening, lønnstilskudd, annet tiltak, i arbeid, "
            "utdanning, uføretrygd, arbeidsavklaringspenger (AAP), arbeidssøker og ingen "
            "registrert status. «I arbeid» betyr minst {threshold} kroner i lønn den måneden. "
            "Forløp som sluttet for kort tid siden til å kunne følges så lenge, er ikke med for "
            "den lengden.",
            "Here we look at all ended work-training spells and what the participant did 1, 3, "
            "6, 12 and 24 months after the month of exit. Each person has one status per month, "
            "chosen in this order: in work training, wage subsidy, other programme, employed, "
            "education, disability benefit, work assessment allowance (AAP), job seeker and no "
            "registered status. “Employed” means at least NOK {threshold} in earnings that month. "
            "Spells that ended too recently to be followed that long are left out for that "
            "horizon.",
        ),
        "reading": (
            "Tolv måneder etter avsluttet arbeidstrening var {emp} i arbeid og {ws} på "
            "lønnstilskudd, mens {other} var i et annet tiltak. I tillegg mottok {aap} AAP og "
            "{ufo} uføretrygd.",
            "Twelve months after work training ended, {emp} were employed and {ws} had a wage "
            "subsidy, while {other} were in another programme. In addition, {aap} received AAP "
            "and {ufo} disability benefit.",
        ),
        "not_effect": (
            "Disse tallene beskriver hva som skjer med deltakerne. De sier ikke hva tiltaket "
            "førte til: mange ville vært i arbeid også uten arbeidstrening. Effekten er anslått "
            "i {ref}.",
            "These figures describe what happens to participants. They do not say what the "
            "programme caused: many would have been employed without work training too. The "
            "effect is estimated in {ref}.",
        ),
        "fig_caption": (
            "Status etter avsluttet arbeidstrening, alle formål. Prosent av avsluttede forløp.",
            "Status after work training ended, all purposes. Per cent of ended spells.",
        ),
        "tab_caption": (
            "Status 12 måneder etter avsluttet arbeidstrening, etter formål. Prosent av "
            "avsluttede forløp.",
            "Status 12 months after work training ended, by purpose. Per cent of ended spells.",
        ),
        "tab_note": (
            "Kolonnen «I arbeidstrening» (en ny arbeidstrening) er ikke vist; derfor summerer "
            "ikke radene til 100. Statusene for alle måneder etter avslutning står i {ref}.",
            "The column “In work training” (a new spell) is not shown, so the rows do not add up "
            "to 100. The statuses at every horizon are in {ref}.",
        ),
        "status_caption": (
            "Andel i arbeid etter avsluttet arbeidstrening, etter status hos NAV ved start. "
            "Prosent.",
            "Share employed after work training ended, by status at NAV at the start. Per cent.",
        ),
        "status_missing": ("Overganger etter status", "Transitions by status"),
        "nav_h": (
            "NAVs statistikk «status etter tiltak»",
            "NAV's statistic “status after programme”",
        ),
        "nav_intro": (
            "NAV publiserer hver måned hvor personer som har gått ut av et arbeidsrettet tiltak, "
            "er seks måneder senere. For at tallene i denne rapporten skal kunne sammenlignes "
            "med tallene direktoratet kjenner, har vi laget den samme statistikken for "
            "arbeidstrening. NAV regner en person som gått ut av tiltaket (avgang) når hun eller "
            "han var i tiltaket én måned og ikke var det de to neste månedene. Overgang til et "
            "annet tiltak er også en avgang. Seks måneder etter avgangen plasseres personen i én "
            "av seks statuser: i arbeid, arbeid og ytelse, arbeidssøker, nedsatt arbeidsevne, "
            "uføre eller annet. En arbeidssøker som har hatt nedsatt arbeidsevne de siste fem "
            "månedene før avgang, regnes som avgang fra nedsatt arbeidsevne.",
            "Every month NAV publishes where persons who have left a labour-market programme "
            "are six months later. So that the figures of this report can be compared with the "
            "figures the directorate knows, we have produced the same statistic for work "
            "training. NAV counts a person as having left the programme (an exit) when they were "
            "in the programme one month and not in it the next two months. A move to another "
            "programme is also an exit. Six months after the exit the person is placed in one of "
            "six statuses: employed, employed with benefit, job seeker, reduced work capacity, "
            "disability benefit or other. A job seeker who has had reduced work capacity in the "
            "five months before the exit counts as an exit from reduced work capacity.",
        ),
        "nav_reading": (
            "Etter NAVs definisjon var {work} av dem som gikk ut av arbeidstrening, i arbeid "
            "seks måneder senere ({only} uten og {with_benefit} med en ytelse fra NAV).",
            "By NAV's definition, {work} of those who left work training were employed six "
            "months later ({only} without and {with_benefit} with a benefit from NAV).",
        ),
        "nav_caption": (
            "Status seks måneder etter avgang fra arbeidstrening etter NAVs definisjon, etter "
            "status ved avgang. Alle år. Prosent.",
            "Status six months after leaving work training by NAV's definition, by status at "
            "exit. All years. Per cent.",
        ),
        "nav_note": (
            "Arbeid og ytelse: i arbeid og mottar AAP, dagpenger, tiltakspenger eller uføretrygd. "
            "Uføre: mottar bare uføretrygd. Annet: verken i arbeid eller registrert hos NAV, for "
            "eksempel under utdanning eller selvstendig næringsdrivende.",
            "Employed with benefit: employed and receiving AAP, unemployment benefit, programme "
            "allowance or disability benefit. Disability benefit: receives only disability "
            "benefit. Other: neither employed nor registered at NAV, for example in education or "
            "self-employed.",
        ),
        "nav_year_caption": (
            "Status seks måneder etter avgang fra arbeidstrening etter NAVs definisjon, etter "
            "år for avgang. Prosent.",
            "Status six months after leaving work training by NAV's definition, by year of "
            "exit. Per cent.",
        ),
        "nav_year_note": (
            "Bare avganger som kan følges i seks måneder, er med. Det siste året er derfor bare "
            "delvis med.",
            "Only exits that can be followed for six months are included. The last year is "
            "therefore only partly covered.",
        ),
        "rec_h": (
            "Tre mål på «i arbeid etter tiltaket»",
            "Three measures of “employed after the programme”",
        ),
        "rec_intro": (
            "Tabellen under setter NAVs tall ved siden av rapportens egne mål. Tallene er ikke "
            "like, og det skyldes definisjonene, ikke feil. NAV teller avganger fra tiltaket; "
            "rapporten teller avsluttede forløp. NAV plasserer alle i arbeid i en arbeidsstatus "
            "først; rapportens statusrekkefølge setter tiltak og lønnstilskudd foran arbeid. Det "
            "tredje målet teller alle med lønn over terskelen, uansett annen status.",
            "The table below puts NAV's figure beside the report's own measures. The figures "
            "differ, and that is because of the definitions, not errors. NAV counts exits from "
            "the programme; the report counts ended spells. NAV places everyone employed in an "
            "employment status first; the report's order of statuses puts programmes and wage "
            "subsidies before work. The third measure counts everyone with earnings above the "
            "threshold, whatever their other status.",
        ),
        "rec_caption": (
            "Andel i arbeid seks måneder etter arbeidstreningen med tre definisjoner. Alle år.",
            "Share employed six months after work training by three definitions. All years.",
        ),
        "nav_missing": (
            "NAVs statistikk «status etter tiltak»",
            "NAV's statistic “status after programme”",
        ),
    }
)


def _nav_label(code: str, lang: str) -> str:
    return NAV_LABELS[code][0 if lang == "nb" else 1]


def _share(b, frame, mask) -> tuple[str, float]:
    return b.cell(frame, mask, "share", "pct")


def _nav_section(b, tx, tr) -> list[dict]:
    nav = b.frame("nav_exit_status")
    blocks = [b.h2(tx("nav_h"))]
    if nav is None:
        blocks.append(b.not_available(tx("nav_missing"), "marts.nav_exit_status"))
        return blocks
    blocks.append(b.p(tx("nav_intro")))
    a = nav[nav["exit_year"] == "ALL"]
    work_t, work_v = fmt.MISSING, np.nan
    al = a[a["status_group"] == "ALL"]
    only_t, only_v = _share(b, al, al["status"] == "I_ARBEID")
    with_t, with_v = _share(b, al, al["status"] == "ARBEID_OG_YTELSE")
    if np.isfinite(only_v) and np.isfinite(with_v):
        work_v = only_v + with_v
        work_t = b.pct(work_v)
        blocks.append(b.p(tx("nav_reading", work=work_t, only=only_t, with_benefit=with_t)))
    groups = [
        g for g in ("ARBEIDSSOKER", "NEDSATT_ARBEIDSEVNE", "ALL") if (a["status_group"] == g).any()
    ]
    header = [b.t("Status seks måneder etter", "Status six months after")] + [
        lab(g, b.lang, "status_group") if g != "ALL" else b.t("Alle", "All") for g in groups
    ]
    rows = []
    for s in NAV_STATUSES:
        rows.append(
            [_nav_label(s, b.lang)]
            + [_share(b, a, (a["status_group"] == g) & (a["status"] == s))[0] for g in groups]
        )
    rows.append(
        [b.t("Avganger (antall)", "Exits (number)")]
        + [
            b.cell(a, (a["status_group"] == g) & (a["status"] == "I_ARBEID"), "n_exits")[0]
            for g in groups
        ]
    )
    blocks.append(b.table(tx("nav_caption"), header, rows, note=tx("nav_note")))
    years = [y for y in nav["exit_year"].unique() if y != "ALL"]
    yrows = []
    for y in sorted(years):
        d = nav[(nav["exit_year"] == y) & (nav["status_group"] == "ALL")]
        n_txt, n_v = b.cell(d, d["status"] == "I_ARBEID", "n_exits")
        if n_v == 0:
            continue
        yrows.append([str(y), n_txt] + [_share(b, d, d["status"] == s)[0] for s in NAV_STATUSES])
    if yrows:
        blocks.append(
            b.table(
                tx("nav_year_caption"),
                [b.t("År", "Year"), b.t("Avganger", "Exits")]
                + [_nav_label(s, b.lang) for s in NAV_STATUSES],
                yrows,
                note=tx("nav_year_note"),
            )
        )
    # reconciliation: NAV's figure beside the study's two definitions
    blocks.append(b.h2(tx("rec_h")))
    blocks.append(b.p(tx("rec_intro")))
    t6 = tr[(tr["purpose"] == "ALL") & (tr["months_after_exit"] == 6)]
    st_t, _ = _share(b, t6, t6["state"] == "EMPLOYED")
    st_n = b.cell(t6, t6["state"] == "EMPLOYED", "n_spells")[0]
    se = b.frame("same_employer")
    any_t, any_n = fmt.MISSING, fmt.MISSING
    if se is not None:
        d = se[
            (se["measure"] == "employed_any_employer")
            & (se["purpose"] == "ALL")
            & (se["months_after_exit"] == 6)
        ]
        any_t = _share(b, d, d["outcome"] == "YES")[0]
        any_n = b.num(d["n"].sum()) if d["n"].notna().all() else fmt.SUPPRESSED
    nav_n = b.cell(al, al["status"] == "I_ARBEID", "n_exits")[0]
    rows = [
        [
            b.t("NAVs statistikk «status etter tiltak»", "NAV's “status after programme”"),
            b.t(
                "I tiltaket én måned, ikke de to neste",
                "In the programme one month, not the next two",
            ),
            b.t("I arbeid, med eller uten ytelse", "Employed, with or without benefit"),
            nav_n,
            work_t,
        ],
        [
            b.t("Rapportens overganger", "The report's transitions"),
            b.t("Forløpets sluttmåned", "The spell's month of exit"),
            b.t("«I arbeid» når personen ikke er i tiltak", "“Employed” when not in a programme"),
            st_n,
            st_t,
        ],
        [
            b.t("I arbeid hos en hvilken som helst arbeidsgiver", "Employed at any employer"),
            b.t("Forløpets sluttmåned", "The spell's month of exit"),
            b.t(
                "Lønn over terskelen, uansett annen status",
                "Earnings above the threshold, any other status",
            ),
            any_n,
            any_t,
        ],
    ]
    blocks.append(
        b.table(
            tx("rec_caption"),
            [
                b.t("Mål", "Measure"),
                b.t("Hvem som er gått ut", "Who has left"),
                b.t("Hvem som er i arbeid", "Who is employed"),
                b.t("Antall", "Number"),
                b.t("I arbeid", "Employed"),
            ],
            rows,
            align="lllrr",
            widths=[2.0, 1.9, 2.2, 0.8, 0.8],
        )
    )
    return blocks


def build(b) -> list[dict]:
    tx = b.texts(TEXT)
    tr = b.frame("transitions")
    thr = b.meta.get("employment_threshold_nok", str(DEFAULT_EMPLOYMENT_THRESHOLD_NOK))
    try:
        thr = b.num(float(thr))
    except (TypeError, ValueError):
        thr = str(thr)
    blocks = [b.p(tx("intro", threshold=thr))]
    a = tr[tr["purpose"] == "ALL"]
    m12 = a["months_after_exit"] == 12
    vals = {s: _share(b, a, m12 & (a["state"] == s))[0] for s in KEY_STATES}
    blocks.append(
        b.p(
            tx(
                "reading",
                emp=vals["EMPLOYED"],
                ws=vals["WAGE_SUBSIDY"],
                other=vals["OTHER_PROGRAMME"],
                aap=vals["AAP"],
                ufo=vals["UFORETRYGD"],
            )
        )
    )
    b.summary_numbers.append(vals["EMPLOYED"])
    blocks.append(b.p(tx("not_effect", ref=b.ref("effekter"))))
    hz = [str(h) for h in TRANSITION_HORIZONS]
    states = [
        (
            lab(st, b.lang, "state"),
            [
                _share(b, a, (a["months_after_exit"] == h) & (a["state"] == st))[1]
                for h in TRANSITION_HORIZONS
            ],
        )
        for st in STATES
    ]
    chart = figs.stacked_states(
        hz,
        states,
        b.lang,
        b.t("Måneder etter avsluttet arbeidstrening", "Months after work training ended"),
        b.t("Prosent", "Per cent"),
    )
    blocks.append(b.figure(chart, tx("fig_caption")))
    header = [b.t("Formål", "Purpose"), b.t("Forløp", "Spells")] + [
        lab(st, b.lang, "state") for st in KEY_STATES
    ]
    rows = []
    for p in ("ALL", *PURPOSES_WITH_UNKNOWN):
        d = tr[(tr["purpose"] == p) & (tr["months_after_exit"] == 12)]
        if d.empty:
            continue
        rows.append(
            [lab(p, b.lang, "purpose"), b.cell(d, d["state"] == "EMPLOYED", "n_spells")[0]]
            + [_share(b, d, d["state"] == st)[0] for st in KEY_STATES]
        )
    blocks.append(
        b.table(
            tx("tab_caption"),
            header,
            rows,
            note=tx("tab_note", ref=b.ref("tabeller")),
            bold_first_row=True,
            widths=[2.0, 0.75] + [1.1] * len(KEY_STATES),
        )
    )
    tb = b.frame("transitions_by_status_group")
    if tb is None:
        blocks.append(b.not_available(tx("status_missing"), "marts.transitions_by_status_group"))
    else:
        series = [
            (
                b.t("Alle", "All"),
                [
                    _share(b, a, (a["months_after_exit"] == h) & (a["state"] == "EMPLOYED"))[1]
                    for h in TRANSITION_HORIZONS
                ],
            )
        ]
        for g in ("ARBEIDSSOKER", "NEDSATT_ARBEIDSEVNE"):
            d = tb[(tb["status_group"] == g) & (tb["state"] == "EMPLOYED")]
            series.append(
                (
                    lab(g, b.lang, "status_group"),
                    [_share(b, d, d["months_after_exit"] == h)[1] for h in TRANSITION_HORIZONS],
                )
            )
        chart = figs.lines_by_category(
            hz,
            series,
            b.lang,
            b.t("Prosent i arbeid", "Per cent employed"),
            b.t("Måneder etter avsluttet arbeidstrening", "Months after work training ended"),
        )
        blocks.append(b.figure(chart, tx("status_caption")))
    blocks += _nav_section(b, tx, tr)
    return blocks
