"""Errors of the warehouse and the one place DuckDB error messages are made safe to show.

DuckDB quotes data in its errors (a value it could not convert, the line of a CSV file it could
not parse, the operands of an overflow). Nothing person-level may reach a message, a log or
Dagster's event storage, so every DuckDB error that leaves the library goes through
:func:`describe_duckdb_error`: it keeps the kind of error, the diagnosis and DuckDB's own hints
("Did you mean ...", candidate bindings) and masks quoted literals and long numbers.
"""

from __future__ import annotations

import re

MASK = "…"

# Lines of a DuckDB message worth keeping after the first: hints that name catalog objects.
_HINT_LINE = re.compile(r"^\s*(Did you mean|Candidate bindings|Candidate tables)\b", re.I)
# Query context DuckDB prints for a failing statement (kept for the user's own queries only).
_CONTEXT_LINE = re.compile(r"^\s*(LINE \d+:|\^)")
# Numbers that are positions, not data: "Line: 12", "LINE 3:", "row 5", "Columns: 2 Found: 3".
_POSITION = re.compile(r"(line|lines|row|rows|columns|found|column)\s*:?\s*$", re.I)
_QUOTED = re.compile(r"'(?:[^']|'')*'")
_WORD_WITH_DIGITS = re.compile(r"\b\w*(?:\d\w*){3,}\b")
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])")


class WarehouseError(Exception):
    """A problem with the warehouse or a run on it; the message is safe to show."""


class WarehouseBusyError(WarehouseError):
    """Another run holds the warehouse's single-writer lock."""


class RunPathError(WarehouseError):
    """An input, warehouse or report path a run may not use (nothing was created)."""


class QueryError(WarehouseError):
    """A DuckDB error, described without any data it quoted."""


class StepError(Exception):
    """An unexpected error inside a pipeline step, described without any data it quoted."""


def describe_unexpected_error(exc: BaseException) -> str:
    """Class name and first line of an arbitrary exception, strictly masked."""
    first = next((line for line in str(exc).splitlines() if line.strip()), "")
    text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return mask_values(text, strict=True)


def mask_values(text: str, *, strict: bool = False) -> str:
    """Replace quoted literals and numbers of three or more digits by an ellipsis.

    Identifiers (double-quoted) and positions ("Line: 12") are kept. `strict` also masks every
    word holding three or more digits (an id such as P000123 printed without quotes), for messages
    of arbitrary origin.
    """
    text = _QUOTED.sub(f"'{MASK}'", text)
    if strict:
        text = _WORD_WITH_DIGITS.sub(MASK, text)

    def number(match: re.Match) -> str:
        digits = sum(ch.isdigit() for ch in match.group())
        if digits < 3 or _POSITION.search(text[max(0, match.start() - 12) : match.start()]):
            return match.group()
        return MASK

    return _NUMBER.sub(number, text)


def describe_duckdb_error(exc: BaseException | str, *, keep_query_context: bool = False) -> str:
    """A DuckDB error as one safe message: its first line and DuckDB's hints, values masked.

    `keep_query_context` keeps DuckDB's "LINE n: <query>" pointer, for errors in a query the user
    typed (the query is theirs, its values are masked all the same).
    """
    lines = [line.rstrip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__ if isinstance(exc, BaseException) else "error"
    kept = [lines[0]]
    for line in lines[1:]:
        if _HINT_LINE.match(line) or (keep_query_context and _CONTEXT_LINE.match(line)):
            kept.append(line)
    return "\n".join(mask_values(line) for line in kept)


__all__ = [
    "MASK",
    "QueryError",
    "RunPathError",
    "WarehouseBusyError",
    "StepError",
    "WarehouseError",
    "describe_duckdb_error",
    "describe_unexpected_error",
    "mask_values",
]
