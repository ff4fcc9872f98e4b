"""Appendix C: data and data quality - the extract, rows read and rejected, how the populations of
the chapters relate, censoring, known limitations, confidentiality, and tables missing in this
run."""

from __future__ import annotations

from analysis import formatting as fmt
from analysis.report import evidence as ev
from analysis.report.labels import lab
from analysis.report.text import Texts

TITLE = ("Datagrunnlag og datakvalitet", "Data and data quality")

TEXT = Texts(
    {
        "extract_h": ("Uttrekket", "The extract"),
        "extract_real": (
            "Analysen bygger på et uttrekk av NAVs registre og a-ordningen for perioden {window}: "
            "personer, statusperioder hos NAV, tiltaksdeltakelser, digitale avtaler om "
            "arbeidstrening med formål, ytelsesperioder, utdanningsperioder og lønn per "
            "arbeidsforhold og måned. Uttrekket er identifisert med et fingeravtrykk (vedlegg "
            "{colophon}), slik at samme data gir samme rapport.",
            "The analysis rests on an extract of NAV's registers and the a-ordning for {window}: "
            "persons, status spells at NAV, programme participation, digital work-training "
            "agreements with their purpose, benefit spells, education spells and earnings per "
            "employment and month. The extract is identified by a fingerprint (appendix "
            "{colophon}), so the same data give the same report.",
        ),
        "extract_synthetic": (
            "**Uttrekket i denne kjøringen er syntetisk.** Det er laget av programmets egen "
            "generator (scenario {preset}) for å teste analysen, med samme format som et ekte "
            "uttrekk. Ingen tall gjelder virkelige personer.",
            "**The extract of this run is synthetic.** It was made by the software's own "
            "generator (scenario {preset}) to test the analysis, in the same format as a real "
            "extract. No figure concerns real persons.",
        ),
        "window": (
            "Observasjonsperioden er {window}. Utfall etter slutten av perioden er ikke "
            "observert. De regnes aldri som null, men holdes utenfor (sensurering). Tall for lange "
            "tidsrom etter avslutning bygger derfor på færre forløp enn tall for korte.",
            "The observation period is {window}. Outcomes after the end of the period are not "
            "observed. They are never counted as zero but left out (censoring). Figures for long "
            "horizons after exit are therefore based on fewer spells than figures for short ones.",
        ),
        "rows_caption": (
            "Rader lest, godtatt og avvist per inndatatabell.",
            "Rows read, accepted and rejected per input table.",
        ),
        "rows_note": (
            "Rader som bryter en regel i datakontrakten (for eksempel ugyldig dato eller ukjent "
            "kode), avvises og er ikke med i analysen.",
            "Rows that break a rule of the data contract (for example an invalid date or an "
            "unknown code) are rejected and left out of the analysis.",
        ),
        "rows_missing": ("Innlesingsoversikten", "The ingestion summary"),
        "rejects_caption": ("Avviste rader etter regel.", "Rejected rows by rule."),
        "no_rejects": ("Ingen rader ble avvist.", "No rows were rejected."),
        "rejects_missing": ("Avvisninger etter regel", "Rejects by rule"),
        "pop_h": ("Hvorfor antallene er forskjellige", "Why the numbers differ"),
        "pop_intro": (
            "Kapitlene teller ulike enheter, og tallene er derfor ikke like. Tabellen viser "
            "populasjonene side om side, og hva som skiller dem.",
            "The chapters count different units, so the numbers are not the same. The table "
            "shows the populations side by side, and what sets them apart.",
        ),
        "pop_caption": (
            "Populasjonene i rapporten: hvem som telles, og hvorfor antallene er forskjellige.",
            "The populations of the report: who is counted, and why the numbers differ.",
        ),
        "pop_starts": (
            "Forløp som startet i perioden",
            "Spells started in the period",
        ),
        "pop_starts_why": (
            "Alle gjennomførte forløp med start i perioden.",
            "All spells that took place and started in the period.",
        ),
        "pop_ended": ("Avsluttede forløp, fulgt 12 måneder", "Ended spells, followed 12 months"),
        "pop_ended_why": (
            "Også forløp som startet før perioden; uten forløp som pågår eller sluttet mindre enn "
            "12 måneder før periodens slutt.",
            "Includes spells that started before the period; excludes spells still ongoing or "
            "ended less than 12 months before the end of the period.",
        ),
        "pop_chain": (
            "Avsluttede forløp i analysen av nye tiltak",
            "Ended spells in the analysis of further programmes",
        ),
        "pop_chain_why": (
            "Avsluttede forløp som kan følges 24 måneder, eller som allerede har fått et nytt "
            "tiltak.",
            "Ended spells that can be followed 24 months, or that have already started a new "
            "programme.",
        ),
        "pop_nav": ("Avganger etter NAVs definisjon", "Exits by NAV's definition"),
        "pop_nav_why": (
            "Måneder der personen går ut av tiltaket og ikke er tilbake innen to måneder; fulgt "
            "seks måneder.",
            "Months in which the person leaves the programme and is not back within two months; "
            "followed six months.",
        ),
        "pop_eff": ("Personer i effektanalysen", "Persons in the effect analysis"),
        "pop_eff_why": (
            "Personer, ikke forløp: bare første arbeidstrening, bare arbeidssøkere og personer med "
            "nedsatt arbeidsevne, og minst 12 måneder med data før start.",
            "Persons, not spells: first work training only, job seekers and persons with reduced "
            "work capacity only, and at least 12 months of data before the start.",
        ),
        "pop_cost": ("Personer i kostnadsgrunnlaget", "Persons in the cost base"),
        "pop_cost_why": (
            "Første arbeidstrening for arbeidssøkere og personer med nedsatt arbeidsevne, startet "
            "minst 18 måneder før periodens slutt (uten kravet om 12 måneder før start).",
            "First work training of job seekers and persons with reduced work capacity, started at "
            "least 18 months before the end of the period (without the requirement of 12 months "
            "before the start).",
        ),
        "unit_spells": ("forløp", "spells"),
        "unit_exits": ("avganger", "exits"),
        "unit_persons": ("personer", "persons"),
        "limits_h": ("Kjente begrensninger", "Known limitations"),
        "l_purpose": (
            "Formålet er bare kjent for forløp med digital avtale (se {ref}). Tidlige år har lav "
            "dekning.",
            "The purpose is known only for spells with a digital agreement (see {ref}). Early "
            "years have low coverage.",
        ),
        "l_trial": (
            "Inndelingen av «Utprøving» i utprøving i arbeidslivet generelt og i en bestemt bransje "
            "finnes ikke i registrene.",
            "The split of “Trial” into trial in working life in general and in a specific trade "
            "does not exist in the registers.",
        ),
        "l_spells": (
            "Overganger og måloppnåelse teller forløp, ikke personer: En person med to avsluttede "
            "forløp teller to ganger.",
            "Transitions and goal attainment count spells, not persons: a person with two ended "
            "spells counts twice.",
        ),
        "l_trends": (
            "Effektanslagene hviler på forutsetningen om parallelle trender ({ref}). Uobserverte "
            "forskjeller som endrer seg over tid, kan gi skjevhet.",
            "The effect estimates rest on the parallel-trends assumption ({ref}). Unobserved "
            "differences that change over time can cause bias.",
        ),
        "l_duration": (
            "Faktisk varighet for nye forløp er sensurert: Lange forløp som ikke er avsluttet "
            "ennå, mangler.",
            "Actual length of recent spells is censored: long spells that have not yet ended are "
            "missing.",
        ),
        "conf_h": ("Personvern", "Confidentiality"),
        "conf": (
            "Tall for 1–4 personer (eller forløp, personmåneder eller rader) publiseres ikke og "
            "vises som «:». For at slike tall ikke skal kunne regnes ut – i samme tabell, ved å "
            "kombinere tabeller, ved å trekke fra hverandre antall ved to tidspunkter, eller ved "
            "å sammenligne med forrige utgivelse – er også andre tall skjult. Alle tabellene er "
            "beskyttet samlet, og det er kontrollert med lineær programmering at ingen skjult "
            "celle kan regnes ut eller avgrenses til 1–4. Andeler, gjennomsnitt og effekter som "
            "bygger på 1–4 personer, og andeler der telleren eller nevneren er skjult, er også "
            "skjult. {merged}I alt er {n} celler skjult i tabellene bak denne rapporten. «.» "
            "betyr at tallet ikke kan forekomme, «..» at det ikke er tilgjengelig. Tabellene bak "
            "rapporten publiseres sammen med den, med en statuskolonne for hver verdi.",
            "Counts of 1–4 persons (or spells, person-months or rows) are not published and are "
            "shown as “:”. So that such counts cannot be worked out – within a table, by "
            "combining tables, by subtracting counts at two points in time, or by comparing with "
            "the previous release – other counts are hidden too. All tables are protected "
            "together, and linear programming confirms that no hidden cell can be worked out or "
            "narrowed down to 1–4. Shares, means and effects based on 1–4 persons, and shares "
            "whose numerator or denominator is hidden, are also hidden. {merged}In all, {n} cells "
            "are hidden in the tables behind this report. “.” means not applicable, “..” not "
            "available. The tables behind the report are published with it, with a status column "
            "for each value.",
        ),
        "merged": (
            "I tallene for deltakere per måned og år er statusgruppen «Annet» slått sammen med "
            "«Nedsatt arbeidsevne» fordi den er for liten til å vises for seg. ",
            "In the participants per month and year, the status group “Other” is merged with "
            "“Reduced work capacity” because it is too small to show on its own. ",
        ),
        "missing_h": ("Ikke tilgjengelig i denne kjøringen", "Not available in this run"),
        "missing": (
            "Disse tabellene eller analysene fantes ikke i datavarehuset for denne kjøringen, og "
            "delene som bygger på dem, er markert i teksten:",
            "These tables or analyses were not in the warehouse for this run, and the parts that "
            "rest on them are marked in the text:",
        ),
    }
)


def _sum(b, frame, mask, col: str) -> str:
    """Sum of published counts; ':' if any is hidden."""
    if frame is None:
        return fmt.MISSING
    d = frame[mask]
    if d.empty:
        return fmt.MISSING
    if d[col].isna().any():
        return fmt.SUPPRESSED
    return b.num(d[col].sum())


def populations(b, tx) -> list[list[str]]:
    rows = []
    cov = b.frame("purpose_coverage")
    if cov is not None:
        rows.append(
            [
                tx("pop_starts"),
                tx("unit_spells"),
                _sum(b, cov, cov["agreement"] == "ALL", "n_spells"),
                b.refs("formal", "varighet"),
                tx("pop_starts_why"),
            ]
        )
    tr = b.frame("transitions")
    if tr is not None:
        m = (tr["purpose"] == "ALL") & (tr["months_after_exit"] == 12) & (tr["state"] == "EMPLOYED")
        rows.append(
            [
                tx("pop_ended"),
                tx("unit_spells"),
                b.cell(tr, m, "n_spells")[0],
                b.refs("overganger", "maloppnaelse"),
                tx("pop_ended_why"),
            ]
        )
    ch = b.frame("chaining_next_purpose")
    if ch is not None:
        rows.append(
            [
                tx("pop_chain"),
                tx("unit_spells"),
                _sum(b, ch, ch["category"] == "ALL", "n_spells"),
                b.ref("kjeding"),
                tx("pop_chain_why"),
            ]
        )
    nav = b.frame("nav_exit_status")
    if nav is not None:
        m = (
            (nav["exit_year"] == "ALL")
            & (nav["status_group"] == "ALL")
            & (nav["status"] == "I_ARBEID")
        )
        rows.append(
            [
                tx("pop_nav"),
                tx("unit_exits"),
                b.cell(nav, m, "n_exits")[0],
                b.ref("overganger"),
                tx("pop_nav_why"),
            ]
        )
    n_txt, _ = ev.n_at_start(b)
    if n_txt != fmt.MISSING:
        rows.append(
            [
                tx("pop_eff"),
                tx("unit_persons"),
                n_txt,
                b.refs("effekter", "for_hvem"),
                tx("pop_eff_why"),
            ]
        )
    cp = b.frame("costs_per_participant")
    if cp is not None:
        m = (cp["subgroup"] == "ALL") & (cp["component"] == "nav_follow_up")
        rows.append(
            [
                tx("pop_cost"),
                tx("unit_persons"),
                b.cell(cp, m, "n_participants")[0],
                b.ref("kostnader"),
                tx("pop_cost_why"),
            ]
        )
    return rows


def build(b) -> list[dict]:
    tx = b.texts(TEXT)
    from analysis.report import outline

    blocks = [b.h2(tx("extract_h"))]
    if b.synthetic:
        blocks.append(b.warning(tx("extract_synthetic", preset=b.meta.get("preset", "?"))))
    else:
        blocks.append(b.p(tx("extract_real", window=b.window, colophon=outline.number("kolofon"))))
    blocks.append(b.p(tx("window", window=b.window)))
    ing = b.frame("ingest_summary")
    if ing is None:
        blocks.append(b.not_available(tx("rows_missing"), "meta.ingest_summary"))
    else:
        rows = [
            [lab(t, b.lang, "input_table")]
            + [
                b.cell(
                    ing[ing["table_name"] == t],
                    ing.loc[ing["table_name"] == t, "part"] == p,
                    "n_rows",
                )[0]
                for p in ("ALL", "ACCEPTED", "REJECTED")
            ]
            for t in ing["table_name"].unique()
        ]
        blocks.append(
            b.table(
                tx("rows_caption"),
                [
                    b.t("Tabell", "Table"),
                    b.t("Lest", "Read"),
                    b.t("Godtatt", "Accepted"),
                    b.t("Avvist", "Rejected"),
                ],
                rows,
                note=tx("rows_note"),
            )
        )
    rej = b.frame("reject_summary")
    if rej is None:
        blocks.append(b.not_available(tx("rejects_missing"), "meta.reject_summary"))
    elif len(rej) == 0:
        blocks.append(b.p(tx("no_rejects")))
    else:
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
        blocks.append(
            b.table(
                tx("rejects_caption"),
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
    pop = populations(b, tx)
    if pop:
        blocks += [
            b.h2(tx("pop_h")),
            b.p(tx("pop_intro")),
            b.table(
                tx("pop_caption"),
                [
                    b.t("Populasjon", "Population"),
                    b.t("Enhet", "Unit"),
                    b.t("Antall", "Number"),
                    b.t("Brukt i", "Used in"),
                    b.t("Hvem som er med", "Who is included"),
                ],
                pop,
                align="llrll",
                widths=[1.9, 0.8, 0.8, 1.4, 3.1],
            ),
        ]
    blocks += [
        b.h2(tx("limits_h")),
        b.items(
            [
                tx("l_purpose", ref=b.ref("formal")),
                tx("l_trial"),
                tx("l_spells"),
                tx("l_trends", ref=b.ref("metode")),
                tx("l_duration"),
            ]
        ),
        b.h2(tx("conf_h")),
    ]
    n_sup = sum(p.n_suppressed for p in b.P.values() if p.export)
    merged = any(
        p.notes and any("merged" in n or "shown together" in n for n in p.notes)
        for p in b.P.values()
    )
    blocks.append(b.p(tx("conf", merged=tx("merged") if merged else "", n=b.num(n_sup))))
    missing = list(dict.fromkeys(b.missing_what))
    if missing:
        blocks += [b.h2(tx("missing_h")), b.p(tx("missing")), b.items(missing)]
    return blocks
