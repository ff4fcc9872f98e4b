"""Chapter: the purposes of work training (part 1's Figur 2-1) and how many spells have one."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import formatting as fmt
from analysis.report import figures as figs
from analysis.report.labels import lab
from analysis.report.publish import KNOWN_PURPOSES
from analysis.report.text import Texts

TITLE = ("Formålet med arbeidstreningen", "Purposes of work training")

TEXT = Texts(
    {
        "intro": (
            "Formålet står i den digitale avtalen mellom deltaker, arbeidsgiver og NAV. Vi bruker "
            "hovedformålet, det vil si det første formålet på avtalen. Den digitale avtalen ble "
            "tatt i bruk gradvis, så ikke alle forløp har en avtale. Forløp uten avtale har "
            "ukjent formål, og vi tildeler dem ikke et formål ut fra andre opplysninger. "
            "Andelene i figuren gjelder derfor bare forløp med kjent formål.",
            "The purpose is stated in the digital agreement between participant, employer and "
            "NAV. We use the main purpose, that is the first purpose on the agreement. The "
            "digital agreement was introduced gradually, so not every spell has one. Spells "
            "without an agreement have an unknown purpose, and we do not assign them a purpose "
            "from other information. The shares in the figure therefore cover only spells with a "
            "known purpose.",
        ),
        "coverage": (
            "Andelen forløp med kjent formål var {first} i {y0} og {last} i {y1}. For år med lav "
            "dekning sier fordelingen lite om alle forløp, og resultater etter formål senere i "
            "rapporten gjelder i hovedsak de siste årene.",
            "The share of spells with a known purpose was {first} in {y0} and {last} in {y1}. "
            "For years with low coverage the distribution says little about all spells, and "
            "results by purpose later in the report mainly concern the latest years.",
        ),
        "largest": (
            "Blant avtalene som startet i {year}, var de vanligste formålene {parts}.",
            "Among agreements starting in {year}, the most common purposes were {parts}.",
        ),
        "fig_caption": (
            "Hovedformål for arbeidstreningsforløp, etter startår. Prosent av forløp med kjent "
            "formål.",
            "Main purpose of work-training spells, by year of start. Per cent of spells with a "
            "known purpose.",
        ),
        "fig_note": (
            "Tilsvarer Figur 2-1 i delrapport 1. Andeler under 8 % er ikke skrevet i søylene. "
            "År uten forløp med kjent formål er ikke med.",
            "Corresponds to Figure 2-1 of the part-1 report. Shares below 8 % are not printed in "
            "the bars. Years without spells with a known purpose are left out.",
        ),
        "none": (
            "Ingen forløp i observasjonsperioden har kjent formål.",
            "No spell in the observation period has a known purpose.",
        ),
        "tab_caption": (
            "Hovedformål etter startår. Prosent av forløp med kjent formål, med antall forløp i "
            "parentes.",
            "Main purpose by year of start. Per cent of spells with a known purpose, with the "
            "number of spells in brackets.",
        ),
        "cov_caption": (
            "Arbeidstreningsforløp med digital avtale (og dermed kjent formål), etter startår.",
            "Work-training spells with a digital agreement (and so a known purpose), by year of "
            "start.",
        ),
        "cov_missing": ("Dekningen av formål", "Purpose coverage"),
    }
)


def _coverage(b, cov: pd.DataFrame) -> tuple[list[list[str]], dict[int, float]]:
    rows, share = [], {}
    for y in sorted(cov["year"].unique()):
        c = cov[cov["year"] == y]
        t_all = b.cell(c, c["agreement"] == "ALL", "n_spells")[0]
        t_with = b.cell(c, c["agreement"] == "WITH_AGREEMENT", "n_spells")[0]
        t_share, v = b.cell(c, c["agreement"] == "WITH_AGREEMENT", "share", "pct")
        share[int(y)] = v
        rows.append([str(y), t_all, t_with, t_share])
    return rows, share


def build(b) -> list[dict]:
    tx = b.texts(TEXT)
    pdist = b.frame("purpose_distribution")
    cov = b.frame("purpose_coverage")
    blocks = [b.p(tx("intro"))]
    shares: dict[int, float] = {}
    cov_rows: list[list[str]] = []
    if cov is not None:
        cov_rows, shares = _coverage(b, cov)
        known = [y for y, v in shares.items() if np.isfinite(v)]
        if known:
            y0, y1 = min(known), max(known)
            blocks.append(
                b.p(
                    tx(
                        "coverage",
                        first=b.pct(shares[y0]),
                        y0=y0,
                        last=b.pct(shares[y1]),
                        y1=y1,
                    )
                )
            )
    d = pdist[pdist["purpose"] != "ALL"]
    tot = pdist[pdist["purpose"] == "ALL"].set_index("year")["n_spells"]
    years = [
        int(y) for y in sorted(d["year"].unique()) if pd.notna(tot.get(y)) and (tot.get(y) or 0) > 0
    ]
    if not years:
        blocks.append(b.note(tx("none")))
    else:
        last = d[(d["year"] == years[-1]) & d["share"].notna()].sort_values(
            "share", ascending=False
        )
        parts = [
            f"{lab(r.purpose, b.lang, 'purpose').lower() if b.lang == 'nb' else lab(r.purpose, b.lang, 'purpose')} ({b.pct(r.share)})"
            for r in last.head(3).itertuples()
        ]
        if parts:
            joined = ", ".join(parts[:-1]) + b.t(" og ", " and ") + parts[-1]
            blocks.append(b.p(tx("largest", year=years[-1], parts=joined)))
        chart = figs.stacked_shares_by_year(
            d[d["year"].isin(years)],
            "year",
            "purpose",
            [(p, lab(p, b.lang, "purpose")) for p in KNOWN_PURPOSES],
            b.lang,
            b.t("Prosent av forløp med kjent formål", "Per cent of spells with a known purpose"),
            b.t("Startår", "Year of start"),
        )
        blocks.append(b.figure(chart, tx("fig_caption"), tx("fig_note")))
        show = years[-4:]
        rows = []
        for p in (*KNOWN_PURPOSES, "ALL"):
            row = [
                lab(p, b.lang, "purpose")
                if p != "ALL"
                else b.t("Alle med kjent formål (antall)", "All with known purpose (number)")
            ]
            for y in show:
                m = (pdist["year"] == y) & (pdist["purpose"] == p)
                n_txt = b.cell(pdist, m, "n_spells")[0]
                if p == "ALL":
                    row.append(n_txt)
                    continue
                sh = b.cell(pdist, m, "share", "pct")[0]
                row.append(fmt.SUPPRESSED if n_txt == fmt.SUPPRESSED else f"{sh} ({n_txt})")
            rows.append(row)
        blocks.append(
            b.table(tx("tab_caption"), [b.t("Formål", "Purpose")] + [str(y) for y in show], rows)
        )
    if cov is None:
        blocks.append(b.not_available(tx("cov_missing"), "marts.purpose_coverage"))
    else:
        blocks.append(
            b.table(
                tx("cov_caption"),
                [
                    b.t("Startår", "Year of start"),
                    b.t("Forløp i alt", "All spells"),
                    b.t("Med digital avtale", "With digital agreement"),
                    b.t("Andel med avtale", "Share with agreement"),
                ],
                cov_rows,
            )
        )
    b.cache["purpose_coverage"] = shares
    return blocks
