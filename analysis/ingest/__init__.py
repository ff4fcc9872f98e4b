"""Ingestion: read contract tables into `raw`, validate them into `staging` and `rejects`."""

from analysis.ingest.directory import ingest_directory
from analysis.ingest.errors import InputContractError
from analysis.ingest.read import TableSource, locate_table, read_raw
from analysis.ingest.validate import build_staging
from analysis.ingest.window import resolve_observation_window

__all__ = [
    "InputContractError",
    "TableSource",
    "build_staging",
    "ingest_directory",
    "locate_table",
    "read_raw",
    "resolve_observation_window",
]
