"""Cost-effectiveness of Arbeidstrening: costs per participant, effects valued in NOK, NPV in the
public-budget and the societal perspective, break-even effects and sensitivity.

Entry point: ``build_cost_effectiveness(con, parameters_path=None, horizon_months=36) -> dict``
writes marts.cost_parameters, marts.costs_per_participant, marts.cost_effect_inputs,
marts.cost_effectiveness and marts.cost_sensitivity. Parameters: analysis/costs/parameters.toml
plus an optional override file (``load_parameters``). Methods: analysis/costs/METHODS.md.
"""

from analysis.costs.build import TABLES, build_cost_effectiveness, read_effects
from analysis.costs.parameters import (
    DEFAULT_PARAMETERS_PATH,
    Parameter,
    ParameterError,
    Parameters,
    load_parameters,
)

__all__ = [
    "DEFAULT_PARAMETERS_PATH",
    "TABLES",
    "Parameter",
    "ParameterError",
    "Parameters",
    "build_cost_effectiveness",
    "load_parameters",
    "read_effects",
]
