"""Synthetic register generator for the Arbeidstrening evaluation.

Writes the input contract (``analysis.contract``) for a synthetic population with planted,
known programme effects, plus the truth an estimator can be checked against. See
``analysis.synthetic.generator`` for the data-generating process and its simplifications.
"""

from analysis.synthetic.generator import (
    DEFAULT_SCALE,
    PERSONS_AT_SCALE_1,
    TRUTH_CELLS_FILE,
    TRUTH_FILE,
    generate_register,
)

__all__ = [
    "DEFAULT_SCALE",
    "PERSONS_AT_SCALE_1",
    "TRUTH_CELLS_FILE",
    "TRUTH_FILE",
    "generate_register",
]
