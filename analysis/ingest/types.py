"""How a Parquet column's physical type is read into `raw` (as text), by contract type.

`raw` holds every contract column as text, whatever the file format, so that CSV and Parquet are
validated by the same rules (a Parquet DOUBLE 1.5 in an integer column is rejected as
`not_integer` exactly like the CSV text "1.5"). Reading a Parquet value as text is lossless, except
for these documented conversions, each reported as a warning naming file and column:

- text codes of fixed width stored as integers (municipality, NUS level, STYRK-08) are zero-padded
  to their width (municipality 301 -> "0301": Oslo stays Oslo);
- dates stored as timestamps without a time zone become their calendar date;
- timestamps with a time zone (instants) become the Norwegian civil date (Europe/Oslo), explicitly,
  so the result never depends on the machine's time zone.

Everything else that does not fit is a type error of the column, which stops the run: an identifier
or code stored as a number (leading zeros and precision may already be lost), a date stored as a
number, a number stored as a date, nested or binary columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from analysis.contract import CIVIL_TIME_ZONE, Column

NUMERIC_TYPES = ("INTEGER", "BIGINT", "DOUBLE")


@dataclass(frozen=True)
class ReadPlan:
    """How one column is read: a SQL expression giving text, and a note if it converts."""

    expression: str
    conversion: str | None = None


class ColumnTypeError(Exception):
    """A column's stored type cannot be read as its contract type (message without data)."""


def describe_arrow_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_dictionary(arrow_type):
        return f"dictionary of {arrow_type.value_type}"
    return str(arrow_type)


def _is_text(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        return _is_text(t.value_type)
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)


def _is_number(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)


def plan_parquet_column(column: Column, source: str, arrow_type: pa.DataType) -> ReadPlan:
    """The read plan of contract column `column` stored as `arrow_type` in SQL column `source`.

    Raises ColumnTypeError when the stored type cannot be read without loss or guessing.
    """
    as_text = f"CAST({source} AS VARCHAR)"
    stored = describe_arrow_type(arrow_type)
    if pa.types.is_null(arrow_type) or _is_text(arrow_type):
        return ReadPlan(as_text)
    kind = column.sql_type
    if kind == "VARCHAR":
        if pa.types.is_integer(arrow_type) and column.integer_width:
            width = column.integer_width
            return ReadPlan(
                f"CASE WHEN {source} >= 0 THEN lpad({as_text}, {width}, '0') ELSE {as_text} END",
                f"stored as {stored}: zero-padded to {width} digit{'s' if width > 1 else ''}",
            )
        why = (
            "an identifier or code stored as a number may have lost leading zeros or precision"
            if _is_number(arrow_type)
            else "expected text"
        )
        raise ColumnTypeError(f"stored as {stored}; the contract requires text ({why})")
    if kind in NUMERIC_TYPES:
        if _is_number(arrow_type):
            return ReadPlan(as_text)
        raise ColumnTypeError(f"stored as {stored}; the contract requires a number")
    if kind == "DATE":
        if pa.types.is_date(arrow_type):
            return ReadPlan(as_text)
        if pa.types.is_timestamp(arrow_type) and arrow_type.tz is None:
            return ReadPlan(
                f"CAST(CAST({source} AS DATE) AS VARCHAR)",
                f"stored as {stored}: its calendar date is used",
            )
        if pa.types.is_timestamp(arrow_type):
            return ReadPlan(
                f"CAST(CAST(timezone('{CIVIL_TIME_ZONE}', {source}) AS DATE) AS VARCHAR)",
                f"stored as {stored}: converted to the Norwegian civil date ({CIVIL_TIME_ZONE})",
            )
        raise ColumnTypeError(f"stored as {stored}; the contract requires a date")
    if kind == "BOOLEAN":
        if pa.types.is_boolean(arrow_type):
            return ReadPlan(as_text)
        raise ColumnTypeError(f"stored as {stored}; the contract requires a boolean")
    raise ColumnTypeError(f"stored as {stored}; no reading defined for {kind}")


__all__ = ["ColumnTypeError", "ReadPlan", "describe_arrow_type", "plan_parquet_column"]
