"""Chapter: who takes part - participants against registered non-participants."""

from __future__ import annotations

from analysis import formatting as fmt
from analysis.report import figures as figs
from analysis.report.labels import lab
from analysis.report.text import Texts

TITLE = ("Hvem deltar?", "Who takes part?")

TEXT = Texts(
    {
        "intro": (
            "Vi sammenligner dem som startet i arbeidstrening i {year}, med personer som var "
            "registrert hos NAV samme år uten å være i arbeidstrening (registrerte "
            "ikke-deltakere). Deltakerne er beskrevet i startmåneden. Ikke-deltakerne telles én "
            "gang for hver måned de var registrert, så en person som var registrert hele året, "
            "teller tolv ganger.",
            "We compare those who started work training in {year} with persons registered at "
            "NAV in the same year who were not in work training (registered non-participants). "
            "Participants are described in their start month. Non-participants are counted once "
            "for every month they were registered, so a person registered all year counts "
            "twelve times.",
        ),
        "reading": (
            "Deltakerne er i gjennomsnitt {age_p} år, mot {age_c} år blant de registrerte "
            "ikke-deltakerne. Blant deltakerne er {under30_p} under 30 år, mot {under30_c} blant "
            "ikke-deltakerne. Forskjellene viser hvorfor en enkel sammenligning av deltakere og "
            "ikke-deltakere ikke kan brukes som mål på effekten.",
            "Participants are on average {age_p} years old, against {age_c} among the registered "
            "non-participants. Among participants {under30_p} are under 30, against {under30_c} "
            "among non-participants. The differences show why a plain comparison of participants and "
            "non-participants cannot be used to measure the effect.",
        ),
        "fig_caption": (
            "Kjennetegn ved deltakere som startet i {year}, og ved registrerte ikke-deltakere "
            "samme år. Prosent.",
            "Characteristics of participants starting in {year} and of registered "
            "non-participants the same year. Per cent.",
        ),
        "tab_caption": (
            "Deltakere og registrerte ikke-deltakere, {year}.",
            "Participants and registered non-participants, {year}.",
        ),
        "age_caption": ("Aldersfordeling, {year}. Prosent.", "Age distribution, {year}. Per cent."),
        "missing": ("Profilen av deltakerne", "The participant profile"),
    }
)

PROFILE_ROWS = (
    ("gender", "FEMALE", ("Kvinner", "Women")),
    ("under_30", "YES", ("Under 30 år", "Under 30")),
    ("immigrant_category", "B", ("Innvandrere", "Immigrants")),
    ("status_group", "NEDSATT_ARBEIDSEVNE", ("Nedsatt arbeidsevne", "Reduced work capacity")),
    ("main_benefit", "AAP", ("Mottar AAP", "Receives AAP")),
    ("main_benefit", "UFORETRYGD", ("Mottar uføretrygd", "Receives disability benefit")),
    ("any_benefit", "YES", ("Mottar en ytelse", "Receives any benefit")),
    ("any_employment_12m_before", "YES", ("I arbeid siste 12 mnd.", "Employed in last 12 months")),
)
GROUPS = ("participants", "registered_non_participants")
AGES = ("UNDER_25", "25_29", "30_39", "40_49", "50_59", "60_PLUS")


def build(b) -> list[dict]:
    tx = b.texts(TEXT)
    prof = b.frame("participant_profile")
    summ = b.frame("participant_profile_summary")
    if prof is None:
        return [b.not_available(tx("missing"), "marts.participant_profile")]
    years = b.full_years() or sorted(prof["year"].unique())
    pyears = [y for y in years if ((prof["year"] == y) & (prof["group"] == "participants")).any()]
    year = int(pyears[-1]) if pyears else int(prof["year"].max())
    blocks = [b.p(tx("intro", year=year))]
    p_ = prof[prof["year"] == year]
    chart_rows, trows = [], []
    values: dict[tuple[str, str], tuple[str, str]] = {}
    for dim, cat, names in PROFILE_ROWS:
        name = names[0] if b.lang == "nb" else names[1]
        cells = [
            b.cell(
                p_,
                (p_["group"] == g) & (p_["dimension"] == dim) & (p_["category"] == cat),
                "share",
                "pct",
            )
            for g in GROUPS
        ]
        if all(t == fmt.MISSING for t, _ in cells):
            continue
        values[(dim, cat)] = (cells[0][0], cells[1][0])
        chart_rows.append((name, cells[0][1], cells[1][1]))
        trows.append([name, cells[0][0], cells[1][0]])
    ages = [fmt.MISSING, fmt.MISSING]
    if summ is not None:
        sm = summ[summ["year"] == year]
        ages = [b.cell(sm, sm["group"] == g, "mean_age", "num", 1)[0] for g in GROUPS]
        trows.insert(2, [b.t("Gjennomsnittsalder (år)", "Mean age (years)"), *ages])
        ns = [b.cell(sm, sm["group"] == g, "n")[0] for g in GROUPS]
        trows.append(
            [b.t("Antall (starter / personmåneder)", "Number (starts / person-months)"), *ns]
        )
    if ("under_30", "YES") in values and fmt.MISSING not in ages:
        u = values[("under_30", "YES")]
        blocks.append(
            b.p(tx("reading", age_p=ages[0], age_c=ages[1], under30_p=u[0], under30_c=u[1]))
        )
    names = tuple(lab(g, b.lang, "profile_group") for g in GROUPS)
    if chart_rows:
        chart = figs.dot_comparison(chart_rows, names, b.lang, b.t("Prosent", "Per cent"))
        blocks.append(b.figure(chart, tx("fig_caption", year=year)))
    blocks.append(
        b.table(tx("tab_caption", year=year), [b.t("Kjennetegn", "Characteristic"), *names], trows)
    )
    ag = p_[p_["dimension"] == "age_group"]
    if len(ag):
        rows = [
            [lab(c, b.lang, "profile_category")]
            + [
                b.cell(ag, (ag["group"] == g) & (ag["category"] == c), "share", "pct")[0]
                for g in GROUPS
            ]
            for c in AGES
        ]
        blocks.append(b.table(tx("age_caption", year=year), [b.t("Alder", "Age"), *names], rows))
    return blocks
