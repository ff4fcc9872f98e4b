"""Printing protected values: the SSB symbol of a value's status, or the value."""

from __future__ import annotations

import pandas as pd

from analysis import formatting as fmt
from analysis.disclosure.protect import flag_col, status_col


def symbol(row: pd.Series | dict, col: str) -> str | None:
    """The symbol of `col` in a row of a protected table (None when the value is published).

    Reads ``<col>_status``; a table with only the ``<col>_suppressed`` flag gives ':' or None.
    """
    get = row.get
    st = get(status_col(col))
    if st is not None and not fmt.is_missing(st) and str(st) != "":
        return str(st)
    flag = get(flag_col(col))
    if flag is not None and not fmt.is_missing(flag) and bool(flag):
        return fmt.SUPPRESSED
    return None


def format_suppressed(
    value: object,
    suppressed: bool = False,
    *,
    status: object = None,
    decimals: int = 0,
    lang: str = "nb",
    percent: bool = False,
    missing: str = fmt.MISSING,
) -> str:
    """One value: its status symbol (':' '.' '..') if it has one, else the number for `lang`."""
    if suppressed:
        return fmt.SUPPRESSED
    if percent:
        return fmt.format_percent(value, decimals, lang, missing=missing, status=status)
    return fmt.format_number(value, decimals, lang, missing=missing, status=status)


def format_column(
    df: pd.DataFrame,
    col: str,
    *,
    decimals: int = 0,
    lang: str = "nb",
    percent: bool = False,
    missing: str = fmt.MISSING,
) -> pd.Series:
    """A whole column as strings, with each value's symbol where it is not published."""
    sts = df[status_col(col)] if status_col(col) in df.columns else pd.Series(None, index=df.index)
    flags = df[flag_col(col)] if flag_col(col) in df.columns else pd.Series(False, index=df.index)
    out = [
        format_suppressed(
            v,
            bool(f) if not fmt.is_missing(f) else False,
            status=s,
            decimals=decimals,
            lang=lang,
            percent=percent,
            missing=missing,
        )
        for v, s, f in zip(df[col], sts, flags, strict=True)
    ]
    return pd.Series(out, index=df.index, dtype=object)


__all__ = ["format_column", "format_suppressed", "symbol"]
