"""Ingestion: read contract tables into `raw`, validate them into `staging` and `rejects`, resolve
the observation window, and check the extract's plausibility (`gates`)."""

from analysis.ingest.directory import ingest_directory
from analysis.ingest.errors import InputContractError
from analysis.ingest.extract import ExtractSpec, read_extract_spec
from analysis.ingest.gates import GateResult, check_plausibility, coverage_gate, rejection_gate
from analysis.ingest.read import (
    TableSource,
    count_rows,
    locate_table,
    read_raw,
    record_input_files,
)
from analysis.ingest.validate import build_staging
from analysis.ingest.window import (
    ObservationWindow,
    record_extract,
    resolve_observation_window,
    window_from_data,
)

__all__ = [
    "count_rows",
    "ExtractSpec",
    "GateResult",
    "InputContractError",
    "ObservationWindow",
    "TableSource",
    "build_staging",
    "check_plausibility",
    "coverage_gate",
    "ingest_directory",
    "locate_table",
    "read_extract_spec",
    "read_raw",
    "record_extract",
    "record_input_files",
    "rejection_gate",
    "resolve_observation_window",
    "window_from_data",
]
