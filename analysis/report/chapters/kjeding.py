"""Chapter: further programmes (chaining) and jobs at the same employer."""

from __future__ import annotations

import numpy as np

from analysis.design import TRANSITION_HORIZONS, WAGE_SUBSIDY_STOP_MONTH
from analysis.report import figures as figs
from analysis.report.labels import half_year_short, lab
from analysis.report.publish import PURPOSES_WITH_UNKNOWN
from analysis.report.text import Texts

TITLE = (
    "Nye tiltak og jobb hos samme arbeidsgiver",
    "Further programmes and jobs at the same employer",
)

NEXTS = ("WAGE_SUBSIDY", "ARBEIDSTRENING", "OTHER_PROGRAMME", "NONE_WITHIN_24_MONTHS")

TEXT = Texts(
    {
        "intro": (
            "Mange går fra arbeidstrening til et nytt tiltak (tiltakskjeding), for eksempel "
            "midlertidig lønnstilskudd og deretter fast jobb hos samme arbeidsgiver. Vi ser på det "
            "første nye tiltaket som starter innen 24 måneder etter at arbeidstreningen er slutt. "
            "Forløp som ennå ikke kan følges i 24 måneder, er holdt utenfor, med mindre de "
            "allerede har fått et nytt tiltak.",
            "Many go from work training to a further programme (programme chaining), for example "
            "a temporary wage subsidy and then a permanent job at the same employer. We look at "
            "the first new programme that starts within 24 months after work training has ended. "
            "Spells that cannot yet be followed for 24 months are left out, unless they have "
            "already started a new programme.",
        ),
        "reading": (
            "Innen 24 måneder hadde {ws} fått lønnstilskudd, {at} en ny arbeidstrening og {other} "
            "et annet tiltak. {none} fikk ikke noe nytt tiltak.",
            "Within 24 months {ws} had a wage subsidy, {at} a new work training and {other} "
            "another programme. {none} had no new programme.",
        ),
        "next_caption": (
            "Første nye tiltak innen 24 måneder etter arbeidstrening, etter formål. Prosent av "
            "avsluttede forløp.",
            "First new programme within 24 months after work training, by purpose. Per cent of "
            "ended spells.",
        ),
        "next_missing": ("Neste tiltak", "Next programme"),
        "half_caption": (
            "Andel som gikk videre til lønnstilskudd eller ny arbeidstrening innen 24 måneder, "
            "etter halvår for avslutning. Prosent.",
            "Share moving on to a wage subsidy or new work training within 24 months, by "
            "half-year of exit. Per cent.",
        ),
        "half_note": (
            "Halvår som ennå ikke kan følges i 24 måneder, er ikke tegnet. Brudd i linjen betyr "
            "skjulte tall.",
            "Half-years that cannot yet be followed for 24 months are not drawn. Gaps in a line "
            "are hidden values.",
        ),
        "same_h": ("Jobb hos samme arbeidsgiver", "Jobs at the same employer"),
        "same_intro": (
            "Samme arbeidsgiver betyr at personen er i arbeid hos, eller har lønnstilskudd fra, "
            "virksomheten med samme organisasjonsnummer som arbeidstreningen. Dette er det "
            "tilsiktede resultatet for formålet «Få jobb i bedriften».",
            "Same employer means the person is employed at, or has a wage subsidy with, the firm "
            "with the same organisation number as the work training. This is the intended "
            "outcome of the purpose “Job at the firm”.",
        ),
        "same_caption": (
            "I arbeid eller på lønnstilskudd hos samme arbeidsgiver, og i arbeid hos en hvilken "
            "som helst arbeidsgiver, etter måneder etter avsluttet arbeidstrening. Prosent av "
            "avsluttede forløp.",
            "Employed or on a wage subsidy at the same employer, and employed at any employer, "
            "by months after work training ended. Per cent of ended spells.",
        ),
        "same_missing": ("Jobb hos samme arbeidsgiver", "Jobs at the same employer"),
        "seq_caption": (
            "De vanligste tiltakskjedene fra første arbeidstrening. Antall personer.",
            "The most common programme chains from the first work training. Number of persons.",
        ),
        "seq_note": (
            "Kjedene er slik de ser ut ved slutten av observasjonsperioden; nyere deltakere kan "
            "få flere tiltak senere.",
            "Chains are as observed at the end of the observation period; recent participants "
            "may get further programmes later.",
        ),
    }
)


def build(b) -> list[dict]:
    tx = b.texts(TEXT)
    ch = b.frame("chaining_next_purpose")
    chh = b.frame("chaining_next_exit_half_year")
    se = b.frame("same_employer")
    seq = b.frame("chaining_sequences")
    blocks = [b.p(tx("intro"))]
    if ch is None:
        blocks.append(b.not_available(tx("next_missing"), "marts.chaining_next"))
    else:
        a = ch[ch["category"] == "ALL"]
        v = {n: b.cell(a, a["next_programme"] == n, "share", "pct")[0] for n in NEXTS}
        blocks.append(
            b.p(
                tx(
                    "reading",
                    ws=v["WAGE_SUBSIDY"],
                    at=v["ARBEIDSTRENING"],
                    other=v["OTHER_PROGRAMME"],
                    none=v["NONE_WITHIN_24_MONTHS"],
                )
            )
        )
        rows = []
        for p in ("ALL", *PURPOSES_WITH_UNKNOWN):
            d = ch[ch["category"] == p]
            if d.empty:
                continue
            rows.append(
                [lab(p, b.lang, "purpose")]
                + [b.cell(d, d["next_programme"] == n, "share", "pct")[0] for n in NEXTS]
                + [b.cell(d, d["next_programme"] == "WAGE_SUBSIDY", "median_months_to_next")[0]]
            )
        blocks.append(
            b.table(
                tx("next_caption"),
                [b.t("Formål", "Purpose")]
                + [lab(n, b.lang, "next_programme") for n in NEXTS]
                + [b.t("Median mnd. til lønnstilskudd", "Median months to wage subsidy")],
                rows,
                bold_first_row=True,
                widths=[2.4, 1, 1, 1, 1.1, 1.1],
            )
        )
    if chh is not None:
        hs = sorted(c for c in chh["category"].unique() if c != "ALL")
        y, m = WAGE_SUBSIDY_STOP_MONTH.split("-")
        stop = f"{y}H{1 if int(m) <= 6 else 2}"

        def share(n: str) -> list[float]:
            # half-years not yet followed 24 months would overstate the moves: not drawn
            return [
                b.cell(chh, (chh["category"] == h) & (chh["next_programme"] == n), "share", "pct")[
                    1
                ]
                if b.followed(h, 24)
                else np.nan
                for h in hs
            ]

        chart = figs.lines_by_category(
            [half_year_short(h, b.lang) for h in hs],
            [
                (lab("WAGE_SUBSIDY", b.lang, "next_programme"), share("WAGE_SUBSIDY")),
                (lab("ARBEIDSTRENING", b.lang, "next_programme"), share("ARBEIDSTRENING")),
            ],
            b.lang,
            b.t("Prosent av avsluttede forløp", "Per cent of ended spells"),
            b.t(
                "Halvår for avslutning (1 = januar–juni, 2 = juli–desember)",
                "Half-year of exit (1 = January–June, 2 = July–December)",
            ),
            vline_at=hs.index(stop) if stop in hs else None,
            vline_label=b.t("Høsten 2022", "Autumn 2022"),
        )
        blocks.append(b.figure(chart, tx("half_caption"), tx("half_note")))
    blocks.append(b.h2(tx("same_h")))
    if se is None:
        blocks.append(b.not_available(tx("same_missing"), "marts.same_employer"))
    else:
        blocks.append(b.p(tx("same_intro")))
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
                            for h in TRANSITION_HORIZONS
                        ],
                    )
                )
        if series:
            chart = figs.lines_by_category(
                [str(h) for h in TRANSITION_HORIZONS],
                series,
                b.lang,
                b.t("Prosent", "Per cent"),
                b.t("Måneder etter avsluttet arbeidstrening", "Months after work training ended"),
                height=3.2,
            )
            blocks.append(b.figure(chart, tx("same_caption")))
    if seq is not None:
        rows = [
            [
                lab(r.sequence, b.lang, "chain"),
                b.cell(seq, seq["sequence"] == r.sequence, "n_persons")[0],
            ]
            for r in seq.itertuples()
        ]
        blocks.append(
            b.table(
                tx("seq_caption"),
                [b.t("Kjede", "Chain"), b.t("Personer", "Persons")],
                rows,
                note=tx("seq_note"),
                widths=[4, 1],
            )
        )
    return blocks
