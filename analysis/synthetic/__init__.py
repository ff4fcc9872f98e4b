"""Synthetic register generator for the Arbeidstrening evaluation.

Writes the input contract (``analysis.contract``) for a synthetic population with planted,
known programme effects, plus the truth an estimator can be checked against. See
``analysis.synthetic.generator`` and docs/SYNTHETIC.md for the data-generating process, its
feature switches and presets (``hard``, the default, and ``easy``).
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_PRESET",
    "DEFAULT_SCALE",
    "PERSONS_AT_SCALE_1",
    "PRESETS",
    "TRUTH_CELLS_FILE",
    "TRUTH_DIFFS_FILE",
    "TRUTH_FILE",
    "TRUTH_PERSONS_FILE",
    "generate_register",
]


def __getattr__(name: str):
    # Lazy: `analysis.synthetic.params` etc. import without loading the writers.
    if name in __all__:
        from analysis.synthetic import generator

        return getattr(generator, name)
    raise AttributeError(name)
