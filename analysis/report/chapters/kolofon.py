"""Appendix E: colophon - how this report was made (input fingerprint, window, settings, code
version, build times)."""

from __future__ import annotations

import datetime as dt

from analysis import formatting as fmt
from analysis.report.text import Texts

TITLE = ("Om kjøringen", "About this run")

TEXT = Texts(
    {
        "caption": ("Hvordan rapporten ble laget.", "How this report was made."),
        "made": (
            "Rapporten er laget automatisk av analyseprogrammet «arbeidstrening» fra det "
            "publiserte datavarehuset. Samme uttrekk og samme programversjon gir de samme tallene.",
            "The report is produced automatically by the analysis software “arbeidstrening” from "
            "the published warehouse. The same extract and the same software version give the "
            "same figures.",
        ),
    }
)

NAMES = {
    "synthetic": ("Syntetiske data", "Synthetic data"),
    "generator": ("Generator", "Generator"),
    "preset": ("Scenario", "Scenario"),
    "scale": ("Skala", "Scale"),
    "seed": ("Frø", "Seed"),
    "input_fingerprint": ("Fingeravtrykk for uttrekket (SHA-256)", "Extract fingerprint (SHA-256)"),
    "observation_start": ("Observasjonsperiode, start", "Observation period, start"),
    "observation_end": ("Observasjonsperiode, slutt", "Observation period, end"),
    "employment_threshold_nok": (
        "Terskel for «i arbeid» (kroner per måned)",
        "Threshold for “employed” (NOK per month)",
    ),
    "max_reject_share": (
        "Største tillatte andel avviste rader",
        "Largest share of rejected rows allowed",
    ),
    "code_version": ("Programversjon", "Software version"),
    "built_at": ("Datavarehus bygget", "Warehouse built"),
    "report_built_at": ("Rapport laget", "Report made"),
}
SKIP = ("input_dir", "report_date", "warehouse", "observation_window_source", "min_window_coverage")


def _number(v: str, lang: str) -> str:
    """A number of the run's settings in the report's format (0,05; 5 000)."""
    try:
        x = float(v)
    except ValueError:
        return v
    decimals = 0 if x == int(x) else min(4, len(f"{x:g}".partition(".")[2]))
    return fmt.format_number(x, decimals, lang)


def _timestamp(v: str, lang: str) -> str:
    """An ISO timestamp as a date and a time of day (UTC)."""
    try:
        t = dt.datetime.fromisoformat(v)
    except ValueError:
        return v
    return f"{fmt.format_date(t.date(), lang)}, {t:%H:%M} UTC"


def build(b) -> list[dict]:
    tx = b.texts(TEXT)
    i = 0 if b.lang == "nb" else 1
    m = b.meta
    rows = []
    for k, name in NAMES.items():
        if k not in m or m[k] in (None, ""):
            continue
        v = str(m[k])
        if k in ("observation_start", "observation_end") and hasattr(m[k], "month"):
            v = fmt.format_date(m[k], b.lang)
        if k == "synthetic":
            if not b.synthetic:
                continue  # a real extract says nothing about synthetic data
            v = b.t("Ja", "Yes")
        if k == "input_fingerprint" and len(v) > 32:
            v = v[:16] + "…" + v[-8:]
        elif k in ("built_at", "report_built_at"):
            v = _timestamp(v, b.lang)
        elif k in ("scale", "max_reject_share", "employment_threshold_nok"):
            v = _number(v, b.lang)
        rows.append([name[i], v])
    for k, v in m.items():
        if k not in NAMES and k not in SKIP and v not in (None, ""):
            rows.append([k, str(v)])
    return [
        b.p(tx("made")),
        b.table(
            tx("caption"),
            [b.t("Opplysning", "Item"), b.t("Verdi", "Value")],
            rows,
            align="ll",
            widths=[2.4, 4.2],
            source="",
        ),
    ]
