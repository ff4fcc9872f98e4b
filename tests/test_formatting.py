"""Tests for analysis.formatting (bokmål and English)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from analysis import formatting as fmt
from analysis.formatting import (
    MISSING,
    SUPPRESSED,
    format_date,
    format_int,
    format_number,
    format_percent,
    format_signed,
    format_year_month,
    label,
    labels,
)

NNBSP, MINUS, NBSP = "\u202f", "\u2212", "\u00a0"


@pytest.mark.parametrize(
    ("x", "decimals", "nb", "en"),
    [
        (0, 0, "0", "0"),
        (5, 0, "5", "5"),
        (999, 0, "999", "999"),
        (1234, 0, f"1{NNBSP}234", "1,234"),
        (1234567, 0, f"1{NNBSP}234{NNBSP}567", "1,234,567"),
        (-1234567.891, 2, f"{MINUS}1{NNBSP}234{NNBSP}567,89", "-1,234,567.89"),
        (3.14159, 2, "3,14", "3.14"),
        (2.5, 0, "3", "3"),  # half away from zero, not banker's rounding
        (-2.5, 0, f"{MINUS}3", "-3"),
        (2.675, 2, "2,68", "2.68"),  # decimal as written, not binary 2.67499...
        (0.5, 1, "0,5", "0.5"),
        (-0.04, 1, "0,0", "0.0"),  # no negative zero
        (999.96, 1, f"1{NNBSP}000,0", "1,000.0"),
        (np.int64(12000), 0, f"12{NNBSP}000", "12,000"),
        (np.float64(-7.25), 1, f"{MINUS}7,3", "-7.3"),
        (10, 2, "10,00", "10.00"),
    ],
)
def test_format_number(x, decimals, nb, en):
    assert format_number(x, decimals, "nb") == nb
    assert format_number(x, decimals, "en") == en


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_missing_values(missing):
    assert format_number(missing) == MISSING == ".."
    assert format_percent(missing, lang="en") == MISSING
    assert format_int(missing, missing="") == ""
    assert format_year_month(missing) == MISSING


def test_suppressed():
    assert format_number(3, suppressed=True) == SUPPRESSED == ":"
    assert format_int(3, "en", suppressed=True) == ":"
    assert format_percent(0.03, suppressed=True) == ":"
    assert format_number(None, suppressed=True) == ":"  # suppression wins over missing


def test_format_int():
    assert format_int(12345) == f"12{NNBSP}345"
    assert format_int(12345, "en") == "12,345"
    assert format_int(-3) == f"{MINUS}3"
    assert format_int(2.5) == "3"


def test_format_percent():
    assert format_percent(0.53) == f"53,0{NBSP}%"
    assert format_percent(0.53, lang="en") == "53.0%"
    assert format_percent(0.125, 0) == f"13{NBSP}%"  # 12.5 exactly, rounded half up
    assert format_percent(0.29, 1, "en") == "29.0%"  # 0.29 * 100 is 28.999... in binary
    assert format_percent(-0.052, 1) == f"{MINUS}5,2{NBSP}%"
    assert format_percent(12.345, 1, "en") == "1,234.5%"
    assert format_percent(1, 0) == f"100{NBSP}%"


def test_format_signed():
    assert format_signed(0.034, 2) == "+0,03"
    assert format_signed(-0.034, 2, "en") == "-0.03"
    assert format_signed(0.001, 1) == "0,0"
    assert format_signed(None) == MISSING


def test_invalid_lang_and_types():
    with pytest.raises(ValueError):
        format_number(1, lang="nn")
    with pytest.raises(TypeError):
        format_number("abc")
    with pytest.raises(ValueError):
        format_number(1, -1)


@pytest.mark.parametrize(
    ("ym", "nb", "en"),
    [
        (202203, "mars 2022", "March 2022"),
        ("202201", "januar 2022", "January 2022"),
        ("2021-12", "desember 2021", "December 2021"),
        (dt.date(2020, 5, 17), "mai 2020", "May 2020"),
        (pd.Timestamp("2019-10-01"), "oktober 2019", "October 2019"),
        (pd.Period("2023-02", freq="M"), "februar 2023", "February 2023"),
    ],
)
def test_format_year_month(ym, nb, en):
    assert format_year_month(ym, "nb") == nb
    assert format_year_month(ym, "en") == en


def test_format_year_month_capitalize_and_errors():
    assert format_year_month(202203, capitalize=True) == "Mars 2022"
    with pytest.raises(ValueError):
        format_year_month(202213)
    with pytest.raises(ValueError):
        format_year_month("2022")


def test_format_date():
    assert format_date(dt.date(2022, 3, 7)) == "7. mars 2022"
    assert format_date(dt.date(2022, 3, 7), "en") == "7 March 2022"


def test_labels():
    assert label("ARBEIDSSOKER") == "Arbeidssøker"
    assert label("ARBEIDSSOKER", "en") == "Job seeker"
    assert label("NEDSATT_ARBEIDSEVNE", "en") == "Reduced work capacity"
    assert label("FAA_JOBB_I_BEDRIFTEN") == "Få jobb i bedriften"
    assert label("OPPNAA_FAGBREV_KOMPETANSEBEVIS") == "Oppnå fagbrev/kompetansebevis"
    assert label("UKJENT", "en") == "Unknown (no digital agreement)"
    assert label("ALL") == "Alle" and label("ALL", "en") == "All"
    assert label("ANNET", "en", kind="purpose") == "Other"
    assert label("IN_ARBEIDSTRENING") == "I arbeidstrening"
    assert label("NONE") == "Ingen registrert status"
    assert label("EMPLOYED", "en") == "Employed"
    assert label("AAP") == "AAP"  # the state label
    assert label("AAP", kind="benefit") == "Arbeidsavklaringspenger (AAP)"
    assert label(1) == "Menn" and label(2.0, "en") == "Women" and label("2") == "Kvinner"
    assert label("B", "en", kind="immigrant_category") == "Immigrants"
    assert label("VARIG_TILPASSET_INNSATS") == "Varig tilpasset innsats"
    assert label("DAGPENGER", "en") == "Unemployment benefit"
    assert label("SOMETHING_NEW") == "SOMETHING_NEW"  # falls back to the code
    assert label(None) == MISSING
    assert labels(["ARBEIDSERFARING", "UTPROVING"], "en") == ["Work experience", "Trial"]
    with pytest.raises(KeyError):
        label("ALL", kind="nope")


@pytest.mark.parametrize(
    ("status", "expected"),
    [(":", ":"), (".", "."), ("..", ".."), ("", "1 234"), (None, "1 234")],
)
def test_status_symbols(status, expected):
    """SSB's symbols agree with the protected tables' status columns: ':' confidential,
    '.' not applicable, '..' not available; an empty status prints the value."""
    value = 1234 if status in ("", None) else float("nan")
    out = fmt.format_number(value, 0, "nb", status=status)
    assert out.replace(fmt.NB_GROUP_SEP, " ") == expected
    assert fmt.format_percent(0.5 if status in ("", None) else None, 0, "en", status=status) == (
        "50%" if status in ("", None) else expected
    )
    assert fmt.format_signed(1.0 if status in ("", None) else None, 1, "en", status=status) == (
        "+1.0" if status in ("", None) else expected
    )


def test_unknown_status_symbol_is_an_error():
    with pytest.raises(ValueError, match="unknown status symbol"):
        fmt.format_number(1, status="-")


def test_symbol_constants():
    assert (fmt.SUPPRESSED, fmt.NOT_APPLICABLE, fmt.NOT_AVAILABLE) == (":", ".", "..")
    assert fmt.MISSING == fmt.NOT_AVAILABLE
    assert fmt.label("NEDSATT_ARBEIDSEVNE_ELLER_ANNET", "nb", "status_group").startswith("Nedsatt")
