"""Appendix D: tables - the detail behind the chapters (status at every horizon, the headline
effect month by month, the cost parameters)."""

from __future__ import annotations

import pandas as pd

from analysis import formatting as fmt
from analysis.design import TRANSITION_HORIZONS
from analysis.report import evidence as ev
from analysis.report.chapters.overganger import STATES
from analysis.report.labels import lab
from analysis.report.text import Texts

TITLE = ("Tabeller", "Tables")

TEXT = Texts(
    {
        "intro": (
            "Tabellene her viser detaljene bak figurene i kapitlene. Alle tabellene bak rapporten "
            "publiseres også som egne filer, med de samme skjulte verdiene.",
            "The tables here show the detail behind the figures of the chapters. All tables "
            "behind the report are also published as separate files, with the same hidden "
            "values.",
        ),
        "states_caption": (
            "Status etter avsluttet arbeidstrening, alle formål, etter måneder etter "
            "avslutning. Prosent av avsluttede forløp.",
            "Status after work training ended, all purposes, by months after exit. Per cent of "
            "ended spells.",
        ),
        "effects_caption": (
            "Hovedanslaget måned for måned: effekt på andelen i arbeid etter måneder siden start. "
            "Prosentpoeng.",
            "The headline month by month: effect on the share employed by months since the "
            "start. Percentage points.",
        ),
        "effects_note": (
            "Hver tredje måned. Se {ref} for om anslaget er troverdig.",
            "Every third month. See {ref} for whether the estimate is credible.",
        ),
        "params_caption": (
            "Satser og forutsetninger i kostnadsberegningen.",
            "Rates and assumptions of the cost calculation.",
        ),
        "params_source": (
            "Kilde: Finansdepartementet (2021), satser fra regelverket og forutsetninger i "
            "prosjektet, som vist i kolonnen «Grunnlag».",
            "Source: Ministry of Finance (2021), rates from the regulations and project "
            "assumptions, as shown in the column “Basis”.",
        ),
        "params_note": (
            "Satsene kan endres uten å endre programmet; en endret sats gir nye tall i {ref}. "
            "Ytelsessatser for andre år står i tabellene bak rapporten.",
            "The rates can be changed without changing the software; a changed rate gives new "
            "figures in {ref}. Benefit rates for other years are in the tables behind the report.",
        ),
    }
)

PARAMETERS = (
    (
        "general.discount_rate",
        ("Kalkulasjonsrente (realrente per år)", "Discount rate (real, per year)"),
        "pct",
    ),
    (
        "general.tax_financing_cost",
        ("Skattefinansieringskostnad (kr per krone)", "Tax-financing cost (NOK per NOK)"),
        "num2",
    ),
    ("general.price_year", ("Prisår", "Price year"), "year"),
    ("taxes.tax_rate_on_earnings", ("Skatt på lønn", "Tax on earnings"), "pct"),
    ("taxes.employer_contribution_rate", ("Arbeidsgiveravgift", "Employer's contribution"), "pct1"),
    ("taxes.tax_rate_on_benefits", ("Skatt på ytelser", "Tax on benefits"), "pct"),
    (
        "costs.nav_follow_up",
        ("NAVs oppfølging (kr per deltakermåned)", "NAV follow-up (NOK per participant-month)"),
        "nok",
    ),
    (
        "costs.mentor_grant",
        ("Mentortilskudd (kr per måned)", "Mentor grant (NOK per month)"),
        "nok",
    ),
    (
        "costs.inclusion_grant",
        ("Inkluderingstilskudd (kr per måned)", "Inclusion grant (NOK per month)"),
        "nok",
    ),
    (
        "costs.employer_net_cost",
        ("Arbeidsgivers nettokostnad (kr per måned)", "Employer's net cost (NOK per month)"),
        "nok",
    ),
)


def build(b) -> list[dict]:
    tx = b.texts(TEXT)
    blocks = [b.p(tx("intro"))]
    tr = b.frame("transitions")
    if tr is not None:
        a = tr[tr["purpose"] == "ALL"]
        rows = [
            [lab(st, b.lang, "state")]
            + [
                b.cell(a, (a["months_after_exit"] == h) & (a["state"] == st), "share", "pct")[0]
                for h in TRANSITION_HORIZONS
            ]
            for st in STATES
        ]
        rows.append(
            [b.t("Forløp (antall)", "Spells (number)")]
            + [
                b.cell(a, (a["months_after_exit"] == h) & (a["state"] == "EMPLOYED"), "n_spells")[0]
                for h in TRANSITION_HORIZONS
            ]
        )
        blocks.append(
            b.table(
                tx("states_caption"),
                [b.t("Status", "Status")]
                + [b.t(f"{h} mnd.", f"{h} mo.") for h in TRANSITION_HORIZONS],
                rows,
            )
        )
    head = ev.series(b, ev.headline_estimator(b))
    if head is not None:
        d = head[head["event_time"] % 3 == 0].sort_values("event_time")
        rows = []
        for r in d.to_dict("records"):
            e = ev.estimate_from(pd.Series(r))
            rows.append(
                [
                    fmt.format_signed(int(r["event_time"]), 0, b.lang),
                    e.symbol or b.signed_pp(e.estimate),
                    e.symbol or b.ci(e.ci_low, e.ci_high),
                    e.n_symbol or b.num(e.n_treated),
                ]
            )
        blocks.append(
            b.table(
                tx("effects_caption"),
                [
                    b.t("Måned", "Month"),
                    b.t("Effekt", "Effect"),
                    b.t("95 % KI", "95 % CI"),
                    b.t("Deltakere", "Participants"),
                ],
                rows,
                note=tx("effects_note", ref=b.ref("effekter")),
            )
        )
    par = b.frame("cost_parameters")
    if par is not None and "value" in par.columns:
        first = {}
        for r in par.to_dict("records"):
            if not fmt.is_missing(r.get("value")):
                first.setdefault(
                    str(r["parameter"]), (float(r["value"]), str(r.get("basis") or ""))
                )
        rows = []
        for key, names, kind in PARAMETERS:
            if key not in first:
                continue
            v, basis = first[key]
            shown = {
                "pct": lambda x: b.pct(x, 0),
                "pct1": lambda x: b.pct(x, 1),
                "num2": lambda x: b.num(x, 2),
                "year": lambda x: str(int(x)),
                "nok": lambda x: b.num(x),
            }[kind](v)
            rows.append(
                [names[0 if b.lang == "nb" else 1], shown, lab(basis, b.lang, "cost_basis")]
            )
        if rows:
            blocks.append(
                b.table(
                    tx("params_caption"),
                    [
                        b.t("Forutsetning", "Assumption"),
                        b.t("Verdi", "Value"),
                        b.t("Grunnlag", "Basis"),
                    ],
                    rows,
                    align="lrl",
                    widths=[3.2, 1.0, 2.0],
                    note=tx("params_note", ref=b.ref("kostnader")),
                    source=tx("params_source"),
                )
            )
    return blocks
