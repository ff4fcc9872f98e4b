"""Causal effect estimation for Arbeidstrening (marts.effects and companions).

Entry point: `build_effects(con)` reads panel.months / panel.at_spells / panel.person_month and
writes marts.effects, marts.effects_summary, marts.effects_diagnostics, marts.effects_balance and
marts.effects_support. Estimators work on dense person x month arrays (`load_effects_data`):
the headline (`analysis.effects.headline`), `cs_event_study` (plain DiD), `twfe_event_study`,
`naive_event_study` and the dynamic IPW in `analysis.effects.ipw`, run as independent parts
(`analysis.effects.parts`). The design is documented in analysis/effects/METHODS.md.
"""

from analysis.effects.build import build_effects, estimate_all, write_effects, write_effects_marts
from analysis.effects.cs import cs_event_study
from analysis.effects.data import EffectsData, load_effects_data
from analysis.effects.naive import naive_event_study
from analysis.effects.result import EventStudy
from analysis.effects.twfe import twfe_event_study

__all__ = [
    "EffectsData",
    "EventStudy",
    "build_effects",
    "cs_event_study",
    "estimate_all",
    "load_effects_data",
    "naive_event_study",
    "twfe_event_study",
    "write_effects",
    "write_effects_marts",
]
