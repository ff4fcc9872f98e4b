"""Foreword (front matter, before the contents)."""

from __future__ import annotations

from analysis import formatting as fmt
from analysis.report.text import Texts

TITLE = ("Forord", "Foreword")

TEXT = Texts(
    {
        "p1": (
            "Arbeids- og velferdsdirektoratet har bestilt en evaluering av Arbeidstrening i to "
            "deler. Del 1, en kvalitativ undersøkelse av hvordan tiltaket brukes, ble levert av "
            "Oslo Economics og Frischsenteret i 2023. Denne rapporten er del 2: en kvantitativ "
            "analyse av registerdata om deltakerne, hva som skjer med dem etter tiltaket, "
            "effekten på sysselsettingen og kostnadseffektiviteten.",
            "The Directorate of Labour and Welfare commissioned an evaluation of Arbeidstrening "
            "in two parts. Part 1, a qualitative study of how the programme is used, was "
            "delivered by Oslo Economics and the Frisch Centre in 2023. This report is part 2: a "
            "quantitative analysis of register data on the participants, what happens to them "
            "after the programme, the effect on employment and the cost-effectiveness.",
        ),
        "p2": (
            "Rapporten lages automatisk fra et uttrekk av registrene, slik at den kan lages på "
            "nytt med samme metode når nye data kommer. Hvert tall i rapporten er kontrollert for "
            "personvern før det publiseres, og tabellene bak figurene publiseres sammen med "
            "rapporten.",
            "The report is produced automatically from an extract of the registers, so that it "
            "can be made again with the same method when new data arrive. Every figure in the "
            "report is checked for confidentiality before it is published, and the tables behind "
            "the figures are published with the report.",
        ),
        "synthetic": (
            "**Denne utgaven er laget fra syntetiske data** – et kunstig register med samme form "
            "som NAVs registre. Den viser hvordan rapporten ser ut, men ingen tall i den gjelder "
            "virkelige personer eller sier noe om effekten av Arbeidstrening.",
            "**This edition was made from synthetic data** – an artificial register in the same "
            "form as NAV's registers. It shows what the report looks like, but no figure in it "
            "concerns real persons or says anything about the effect of Arbeidstrening.",
        ),
        "sign": ("Oslo, {date}", "Oslo, {date}"),
    }
)


def build(b) -> list[dict]:
    tx = b.texts(TEXT)
    blocks = [b.p(tx("p1")), b.p(tx("p2"))]
    if b.synthetic:
        blocks.append(b.warning(tx("synthetic")))
    date = b.meta.get("report_date")
    if date is not None:
        blocks.append(b.p(tx("sign", date=fmt.format_date(date, b.lang))))
    return blocks
