"""One module per part of the report, each with its title, its text pairs (``TEXT``) and a
``build(b) -> list[block]`` function. The order and numbering are in
:mod:`analysis.report.outline`.

Where the effect and cost text lives (for porting edits): ``sammendrag`` (the main findings),
``effekter`` (does it work: design gate, event studies, triangulation, sensitivity), ``for_hvem``
(subgroups, intended outcomes), ``kostnader`` (cost-effectiveness), ``diskusjon`` (findings
against part 1 and earlier research), ``metode`` (appendix A: estimators and diagnostics).
"""

from __future__ import annotations

from types import ModuleType

from analysis.report.chapters import (
    data,
    definisjoner,
    deltakere,
    diskusjon,
    effekter,
    for_hvem,
    formal,
    forord,
    hvem,
    innledning,
    kjeding,
    kolofon,
    kostnader,
    maloppnaelse,
    metode,
    overganger,
    referanser,
    sammendrag,
    tabeller,
    varighet,
)

MODULES: dict[str, ModuleType] = {
    "forord": forord,
    "sammendrag": sammendrag,
    "innledning": innledning,
    "deltakere": deltakere,
    "formal": formal,
    "hvem": hvem,
    "varighet": varighet,
    "overganger": overganger,
    "maloppnaelse": maloppnaelse,
    "kjeding": kjeding,
    "effekter": effekter,
    "for_hvem": for_hvem,
    "kostnader": kostnader,
    "diskusjon": diskusjon,
    "referanser": referanser,
    "metode": metode,
    "definisjoner": definisjoner,
    "data": data,
    "tabeller": tabeller,
    "kolofon": kolofon,
}

__all__ = ["MODULES"]
