"""The marts: descriptive and transition results read by reports, analysts and outside checks.

Each mart is one SQL file under analysis/sql/marts/ (a file may serve several marts through its
parameters) with its table and column comments (`analysis.marts.builders.Mart`). `MART_STEPS` is
the one registry: ordered steps, one Dagster asset each, every step after the marts it reads
(`MartStep.reads`; all marts read the panel, some read staging directly).
"""

from __future__ import annotations

import duckdb

from analysis.marts.builders import MART_STEPS, Mart, MartStep

MART_TABLES: dict[str, tuple[str, ...]] = {step.name: step.tables for step in MART_STEPS}


def build_all_marts(con: duckdb.DuckDBPyConnection) -> dict:
    """Build every mart in registry order; return each step's metadata."""
    return {step.name: step.build(con) for step in MART_STEPS}


__all__ = ["MART_STEPS", "MART_TABLES", "Mart", "MartStep", "build_all_marts"]
