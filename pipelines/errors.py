"""Errors leaving a pipeline step carry no person-level values.

Dagster stores a failed step's error (message and traceback) in its event log, which `make dev`
keeps under `data/dagster`. Every asset and check body is wrapped in :func:`safe_step`: errors the
project raises with safe messages (input contract, warehouse, sanitized DuckDB errors) pass through
with their chain cut; anything else becomes a StepError with its class name and first line, values
masked. The original exception is never chained, so it cannot reach the stored event.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from analysis.ingest import InputContractError
from analysis.warehouse.errors import StepError, WarehouseError, describe_unexpected_error

F = TypeVar("F", bound=Callable)

SAFE_ERRORS = (InputContractError, WarehouseError, StepError)


def safe_step(fn: F) -> F:
    """Wrap an asset or check body so no exception leaves it with data in its message."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except SAFE_ERRORS as exc:
            error = exc
        except Exception as exc:  # noqa: BLE001 - every error is made safe here
            error = StepError(describe_unexpected_error(exc))
        raise error from None

    return wrapper  # type: ignore[return-value]


__all__ = ["SAFE_ERRORS", "safe_step"]
