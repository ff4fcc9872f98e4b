"""Chapter: participants over time (part 1's Figur 2-2)."""

from __future__ import annotations

import numpy as np

from analysis import formatting as fmt
from analysis.report import figures as figs
from analysis.report.labels import lab
from analysis.report.publish import STATUS_GROUPS
from analysis.report.text import Texts

TITLE = ("Deltakere over tid", "Participants over time")
MERGED = "NEDSATT_ARBEIDSEVNE_ELLER_ANNET"

TEXT = Texts(
    {
        "intro": (
            "En person regnes som deltaker i en måned hvis hun eller han var i arbeidstrening "
            "minst én dag den måneden. Status er personens status hos NAV da arbeidstreningen "
            "startet: arbeidssøker eller nedsatt arbeidsevne. «Annet» er deltakere uten "
            "registrert status på startdagen.",
            "A person counts as a participant in a month if they were in work training on at "
            "least one day of that month. Status is the person's status at NAV when the work "
            "training started: job seeker or reduced work capacity. “Other” are participants "
            "without a registered status on the start date.",
        ),
        "merged": (
            "Gruppen «Annet» er så liten at den vises sammen med «Nedsatt arbeidsevne», som "
            "«Nedsatt arbeidsevne eller annet». Da vises ikke de to gruppene hver for seg.",
            "The group “Other” is so small that it is shown together with “Reduced work "
            "capacity”, as “Reduced work capacity or other”. The two groups are then not shown "
            "separately.",
        ),
        "trend": (
            "I gjennomsnitt deltok {n0} personer per måned i {y0} og {n1} i {y1}, en "
            "{direction} på {change}.",
            "On average {n0} persons per month took part in {y0} and {n1} in {y1}, a "
            "{direction} of {change}.",
        ),
        "fall": ("nedgang", "fall"),
        "rise": ("økning", "rise"),
        "fig_caption": (
            "Deltakere i arbeidstrening per måned, etter status hos NAV ved start. Antall "
            "personer.",
            "Participants in work training per month, by status at NAV at the start. Number of "
            "persons.",
        ),
        "fig_note": (
            "Tilsvarer Figur 2-2 i delrapport 1. Skjulte tall (:) er ikke tegnet; linjen er brutt "
            "der.",
            "Corresponds to Figure 2-2 of the part-1 report. Hidden values (:) are not drawn; "
            "the line breaks there.",
        ),
        "tab_caption": (
            "Gjennomsnittlig antall deltakere per måned, etter år og status hos NAV ved start.",
            "Average number of participants per month, by year and status at NAV at the start.",
        ),
        "tab_note": (
            "* Året er bare delvis med i observasjonsperioden; gjennomsnittet gjelder de "
            "observerte månedene.",
            "* The year is only partly inside the observation period; the average is over the "
            "observed months.",
        ),
        "annual": ("Årlige gjennomsnitt", "Annual averages"),
    }
)


def _groups(b, frame) -> list[tuple[str, str]]:
    present = set(frame["status_group"].unique())
    out = [("ALL", b.t("Alle deltakere", "All participants"))]
    out += [(g, lab(g, b.lang, "status_group")) for g in STATUS_GROUPS if g in present]
    if MERGED in present:
        out.append((MERGED, lab(MERGED, b.lang, "status_group")))
    return out


def build(b) -> list[dict]:
    tx = b.texts(TEXT)
    blocks = [b.p(tx("intro"))]
    pm = b.frame("participants_monthly")
    groups = _groups(b, pm)
    merged = any(g == MERGED for g, _ in groups)
    if merged:
        blocks.append(b.p(tx("merged")))
    ann = b.frame("participants_annual")
    years = b.full_years()
    if ann is not None and len(years) >= 2:
        a = ann[ann["status_group"] == "ALL"]
        t0, v0 = b.cell(a, a["year"] == years[0], "n_avg_participants")
        t1, v1 = b.cell(a, a["year"] == years[-1], "n_avg_participants")
        if np.isfinite(v0) and np.isfinite(v1) and v0 > 0:
            ch = (v1 - v0) / v0
            blocks.append(
                b.p(
                    tx(
                        "trend",
                        n0=t0,
                        y0=years[0],
                        n1=t1,
                        y1=years[-1],
                        direction=tx("fall" if ch < 0 else "rise"),
                        change=b.pct(abs(ch)),
                    )
                )
            )
    chart = figs.participants_over_time(
        pm, groups, b.lang, b.t("Antall deltakere", "Number of participants"), b.t("Måned", "Month")
    )
    blocks.append(b.figure(chart, tx("fig_caption"), tx("fig_note")))
    if ann is None:
        blocks.append(b.not_available(tx("annual"), "marts.participants_annual"))
        return blocks
    drop = ("NEDSATT_ARBEIDSEVNE", "ANNET") if merged else ()
    shown = [g for g, _ in groups if g != "ALL" and g not in drop]
    header = (
        [b.t("År", "Year"), b.t("Alle", "All")]
        + [lab(g, b.lang, "status_group") for g in shown]
        + [b.t("Andel nedsatt arbeidsevne", "Share reduced work capacity")]
    )
    na_group = MERGED if merged else "NEDSATT_ARBEIDSEVNE"
    rows = []
    for y in sorted(ann["year"].unique()):
        d = ann[ann["year"] == y]
        row = [str(y)]
        vals = {}
        for g in ("ALL", *shown):
            txt, v = b.cell(d, d["status_group"] == g, "n_avg_participants")
            row.append(txt)
            vals[g] = v
        if np.isfinite(vals["ALL"]) and np.isfinite(vals[na_group]) and vals["ALL"] > 0:
            row.append(b.pct(vals[na_group] / vals["ALL"]))
        elif vals["ALL"] == 0:
            row.append(fmt.NOT_APPLICABLE)
        else:
            row.append(fmt.SUPPRESSED)
        if int(d["n_months"].iloc[0]) < 12:
            row[0] += "*"
        rows.append(row)
    note = tx("tab_note") if any(r[0].endswith("*") for r in rows) else ""
    blocks.append(b.table(tx("tab_caption"), header, rows, note=note))
    return blocks
