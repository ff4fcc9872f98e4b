"""Chapter: how long work training lasts, and the autumn-2022 stop in wage subsidies."""

from __future__ import annotations

import numpy as np

from analysis import formatting as fmt
from analysis.design import WAGE_SUBSIDY_STOP_MONTH
from analysis.report import figures as figs
from analysis.report.labels import half_year_short, lab
from analysis.report.publish import PURPOSES_WITH_UNKNOWN
from analysis.report.text import Texts

TITLE = ("Hvor lenge varer arbeidstreningen?", "How long does work training last?")

TEXT = Texts(
    {
        "intro": (
            "Arbeidstrening kan vare i inntil 12 måneder, og i inntil 18 måneder for personer med "
            "nedsatt arbeidsevne. Den første avtalen er ofte kort og forlenges senere. Planlagt "
            "varighet er tiden fra avtalt start til avtalt slutt i den digitale avtalen. Faktisk "
            "varighet gjelder bare avsluttede forløp; forløp som fortsatt pågår, er ikke med.",
            "Work training may last up to 12 months, and up to 18 months for persons with "
            "reduced work capacity. The first agreement is often short and extended later. "
            "Planned length is the time from agreed start to agreed end in the digital "
            "agreement. Actual length covers only ended spells; spells still ongoing are left "
            "out.",
        ),
        "reading": (
            "Halvparten av forløpene var planlagt å vare {planned} dager eller kortere, mens "
            "halvparten faktisk varte {actual} dager eller lenger. Mange forløp varer altså "
            "lenger enn den første avtalen.",
            "Half of the spells were planned to last {planned} days or less, while half actually "
            "lasted {actual} days or more. Many spells thus last longer than the first "
            "agreement.",
        ),
        "tab_caption": (
            "Varighet av arbeidstrening etter formål. Forløp som startet i observasjonsperioden.",
            "Length of work training by purpose. Spells starting in the observation period.",
        ),
        "tab_note": (
            "Forlenget: forløpet sluttet etter avtalt sluttdato (blant avsluttede forløp med "
            "avtale). Avbrutt: deltakeren avbrøt tiltaket. Planlagt varighet finnes bare for "
            "forløp med digital avtale («.» for ukjent formål).",
            "Extended: the spell ended after the agreed end date (among ended spells with an "
            "agreement). Interrupted: the participant dropped out. Planned length exists only "
            "for spells with a digital agreement (“.” for unknown purpose).",
        ),
        "fig1_caption": (
            "Planlagt og faktisk varighet etter halvår for start. Median, dager.",
            "Planned and actual length by half-year of start. Median, days.",
        ),
        "fig1_note": (
            "Faktisk varighet er ikke tegnet for halvår der forløpene ennå ikke kan følges i 12 "
            "måneder, fordi lange forløp der ikke er avsluttet. Planlagt varighet finnes bare for "
            "forløp med digital avtale.",
            "Actual length is not drawn for half-years whose spells cannot yet be followed for 12 "
            "months, because long spells there have not ended. Planned length exists only for "
            "spells with a digital agreement.",
        ),
        "fig2_caption": (
            "Andel forløp som ble forlenget, og andel som varte minst 12 måneder, etter halvår "
            "for start. Prosent.",
            "Share of spells that were extended and share lasting at least 12 months, by "
            "half-year of start. Per cent.",
        ),
        "fig2_note": (
            "Høsten 2022 sluttet mange NAV-kontorer å innvilge lønnstilskudd av "
            "budsjetthensyn, og arbeidstrening ble forlenget i stedet. Den stiplede linjen "
            "markerer dette. Halvår som ennå ikke kan følges i 12 måneder, er ikke tegnet.",
            "In autumn 2022 many NAV offices stopped granting wage subsidies for budget reasons, "
            "and work training was extended instead. The dashed line marks this. Half-years that "
            "cannot yet be followed for 12 months are not drawn.",
        ),
        "missing": ("Varighetene", "Durations"),
    }
)


def _stop_half_year() -> str:
    y, m = WAGE_SUBSIDY_STOP_MONTH.split("-")
    return f"{y}H{1 if int(m) <= 6 else 2}"


def build(b) -> list[dict]:
    tx = b.texts(TEXT)
    dp = b.frame("durations_purpose")
    shp = b.frame("durations_shares_purpose")
    dh = b.frame("durations_start_half_year")
    shh = b.frame("durations_shares_start_half_year")
    if dp is None:
        return [b.not_available(tx("missing"), "marts.durations")]
    blocks = [b.p(tx("intro"))]
    planned = b.cell(dp, dp["category"] == "ALL", "median_planned_days")[0]
    actual = b.cell(dp, dp["category"] == "ALL", "median_actual_days")[0]
    if fmt.MISSING not in (planned, actual) and fmt.SUPPRESSED not in (planned, actual):
        blocks.append(b.p(tx("reading", planned=planned, actual=actual)))
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
        m = dp["category"] == c
        if not m.any():
            continue
        row = [lab(c, b.lang, "purpose")] + [
            b.cell(dp, m, col)[0]
            for col in ("n_spells", "median_planned_days", "median_actual_days", "mean_actual_days")
        ]
        for meas in ("extended", "interrupted"):
            if shp is None:
                row.append(fmt.MISSING)
                continue
            sm = (shp["measure"] == meas) & (shp["category"] == c) & (shp["outcome"] == "YES")
            row.append(b.cell(shp, sm, "share", "pct")[0])
        rows.append(row)
    blocks.append(
        b.table(
            tx("tab_caption"),
            header,
            rows,
            note=tx("tab_note"),
            bold_first_row=True,
            widths=[2.4, 0.8, 1.1, 1.1, 1.1, 0.9, 0.9],
        )
    )
    if dh is None:
        return blocks
    hs = sorted(c for c in dh["category"].unique() if c != "ALL")
    xl = [half_year_short(h, b.lang) for h in hs]
    stop = _stop_half_year()
    vl = hs.index(stop) if stop in hs else None
    xlabel = b.t(
        "Halvår for start (1 = januar–juni, 2 = juli–desember)",
        "Half-year of start (1 = January–June, 2 = July–December)",
    )
    # recent half-years cannot be followed long enough: their actual length, extensions and
    # 12-month share are censored, so they are not drawn (never as a low value)
    ok12 = [b.followed(h, 12) for h in hs]
    actual_s = [
        b.cell(dh, dh["category"] == h, "median_actual_days")[1] if ok else np.nan
        for h, ok in zip(hs, ok12, strict=True)
    ]
    plan_s = [b.cell(dh, dh["category"] == h, "median_planned_days")[1] for h in hs]
    chart = figs.lines_by_category(
        xl,
        [
            (b.t("Faktisk varighet, median", "Actual length, median"), actual_s),
            (b.t("Planlagt varighet, median", "Planned length, median"), plan_s),
        ],
        b.lang,
        b.t("Dager", "Days"),
        xlabel,
        percent=False,
        vline_at=vl,
        vline_label=b.t("Høsten 2022", "Autumn 2022"),
    )
    blocks.append(b.figure(chart, tx("fig1_caption"), tx("fig1_note")))
    if shh is not None:

        def share(measure: str) -> list[float]:
            return [
                b.cell(
                    shh,
                    (shh["measure"] == measure)
                    & (shh["category"] == h)
                    & (shh["outcome"] == "YES"),
                    "share",
                    "pct",
                )[1]
                if ok
                else np.nan
                for h, ok in zip(hs, ok12, strict=True)
            ]

        chart = figs.lines_by_category(
            xl,
            [
                (
                    b.t("Forlenget ut over avtalt slutt", "Extended beyond agreed end"),
                    share("extended"),
                ),
                (
                    b.t("Varte minst 12 måneder", "Lasted at least 12 months"),
                    share("reached_12_months"),
                ),
            ],
            b.lang,
            b.t("Prosent av forløpene", "Per cent of spells"),
            xlabel,
            vline_at=vl,
            vline_label=b.t("Høsten 2022", "Autumn 2022"),
        )
        blocks.append(b.figure(chart, tx("fig2_caption"), tx("fig2_note")))
    return blocks
