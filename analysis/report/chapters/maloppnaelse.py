"""Chapter: was the purpose reached - each purpose's intended outcome after exit (descriptive)."""

from __future__ import annotations

import numpy as np

from analysis.design import TRANSITION_HORIZONS
from analysis.report import figures as figs
from analysis.report.labels import lab
from analysis.report.publish import PURPOSES_WITH_UNKNOWN
from analysis.report.text import Texts

TITLE = ("Nådde deltakerne målet med tiltaket?", "Was the purpose reached?")

TEXT = Texts(
    {
        "intro": (
            "Hvert formål har et tilsiktet resultat som kan ses i registrene (se virkningskjedene "
            "i {ref}). For «Få jobb i bedriften» er det jobb eller lønnstilskudd hos samme "
            "arbeidsgiver (samme organisasjonsnummer). For «Arbeidserfaring» er det arbeid hos en "
            "hvilken som helst arbeidsgiver. For «Utprøving» er det et nytt tiltak, AAP eller "
            "arbeid. For «Oppnå fagbrev/kompetansebevis» er det læreplass eller utdanning. For "
            "«Språkopplæring» er det arbeid, utdanning eller et nytt tiltak. For «Annet» og "
            "ukjent formål bruker vi arbeid.",
            "Each purpose has an intended outcome that can be seen in the registers (see the "
            "chains of effects in {ref}). For “Job at the firm” it is a job or wage subsidy at "
            "the same employer (same organisation number). For “Work experience” it is work at "
            "any employer. For “Trial” it is a new programme, AAP or work. For “Trade "
            "certificate” it is an apprenticeship or education. For “Language training” it is "
            "work, education or a further programme. For “Other” and unknown purpose we use "
            "work.",
        ),
        "caution": (
            "Andelene er ikke sammenlignbare mellom formål, fordi målene er ulike: et bredt mål "
            "som «nytt tiltak, AAP eller arbeid» nås oftere enn et smalt mål som «jobb hos samme "
            "arbeidsgiver». Andelene sier heller ikke hva tiltaket førte til; det er temaet i "
            "{ref}.",
            "The shares cannot be compared across purposes, because the outcomes differ: a "
            "broad outcome such as “new programme, AAP or work” is reached more often than a "
            "narrow one such as “job at the same employer”. Nor do the shares say what the "
            "programme caused; that is the subject of {ref}.",
        ),
        "fig_caption": (
            "Andel forløp der formålets tilsiktede resultat var nådd 6, 12 og 24 måneder etter "
            "avsluttet arbeidstrening. Prosent.",
            "Share of spells where the intended outcome of the purpose was reached 6, 12 and 24 "
            "months after work training ended. Per cent.",
        ),
        "fig_note": (
            "«:» betyr skjult av personvernhensyn, «..» at tallet ikke er tilgjengelig ennå.",
            "“:” means hidden for confidentiality, “..” that the figure is not available yet.",
        ),
        "tab_caption": (
            "Andel som nådde formålets tilsiktede resultat, etter måneder etter avsluttet "
            "arbeidstrening. Prosent.",
            "Share reaching the purpose's intended outcome, by months after work training "
            "ended. Per cent.",
        ),
        "missing": ("Måloppnåelsen", "Goal attainment"),
    }
)


def build(b) -> list[dict]:
    tx = b.texts(TEXT)
    io = b.frame("intended_outcomes")
    if io is None:
        return [b.not_available(tx("missing"), "marts.intended_outcomes")]
    blocks = [b.p(tx("intro", ref=b.ref("innledning")))]
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
    chart = figs.grouped_bars(
        [lab(p, b.lang, "purpose") for p in purposes],
        series,
        b.lang,
        b.t(
            "Prosent som nådde det tilsiktede resultatet", "Per cent reaching the intended outcome"
        ),
        b.t("Formål", "Purpose"),
        symbols=symbols,
    )
    blocks.append(b.figure(chart, tx("fig_caption"), tx("fig_note")))
    header = [b.t("Formål", "Purpose"), b.t("Tilsiktet resultat", "Intended outcome")] + [
        b.t(f"{h} mnd.", f"{h} mo.") for h in TRANSITION_HORIZONS
    ]
    rows = []
    for p in purposes:
        d = yes[yes["purpose"] == p]
        rows.append(
            [
                lab(p, b.lang, "purpose"),
                lab(d["intended_outcome"].iloc[0], b.lang, "intended_outcome"),
            ]
            + [
                b.cell(d, d["months_after_exit"] == h, "share", "pct")[0]
                for h in TRANSITION_HORIZONS
            ]
        )
    blocks.append(
        b.table(
            tx("tab_caption"),
            header,
            rows,
            align="ll" + "r" * len(TRANSITION_HORIZONS),
            widths=[1.5, 2.2] + [0.6] * len(TRANSITION_HORIZONS),
        )
    )
    blocks.append(b.p(tx("caution", ref=b.ref("for_hvem"))))
    return blocks
