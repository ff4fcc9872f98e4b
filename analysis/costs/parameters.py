"""The cost parameters: the shipped TOML file, user overrides merged key by key, validation.

A parameter is addressed by its dotted key ``section.name`` (e.g. ``costs.nav_follow_up``) and has
the fields ``value``, ``unit``, ``year``, ``basis`` and ``source``. ``value`` is a number, a choice
(text) or, for yearly rates, a table ``{YYYY = number}`` (a "series"). An override file has the
same layout and holds only what it changes; a field it does not give keeps the default. A
section, parameter or field that the shipped file does not have is an error naming the key;
a series may gain new years.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_PARAMETERS_PATH = Path(__file__).with_name("parameters.toml")

FIELDS = ("value", "unit", "year", "basis", "source")
BASES = (
    "official",
    "official rule, approximated",
    "project assumption",
    "project choice",
)

# Allowed choices for text-valued parameters.
CHOICES: dict[str, tuple[str, ...]] = {
    "valuation.benefit_value_method": ("register_mix", "fixed"),
    "method.effect_extrapolation": ("persist_last", "none"),
}
# Allowed members of list-valued parameters.
LIST_CHOICES: dict[str, tuple[str, ...]] = {
    "method.cost_base_status_groups": ("ARBEIDSSOKER", "NEDSATT_ARBEIDSEVNE", "ANNET"),
}
# Closed ranges for numeric parameters (inclusive); amounts default to >= 0.
RANGES: dict[str, tuple[float, float]] = {
    "general.price_year": (1990, 2100),
    "general.discount_rate": (-0.5, 1.0),
    "general.tax_financing_cost": (0.0, 1.0),
    "general.confidence_level": (0.5, 0.9999),
    "taxes.tax_rate_on_earnings": (0.0, 1.0),
    "taxes.employer_contribution_rate": (0.0, 1.0),
    "taxes.tax_rate_on_benefits": (0.0, 1.0),
    "valuation.benefit_reduction_per_employed_month": (0.0, 1.0),
    "method.cost_min_followup_months": (1, 120),
}
INTEGER_PARAMETERS = ("general.price_year", "method.cost_min_followup_months")


class ParameterError(ValueError):
    """A parameter file that cannot be used: unknown key, wrong type, value out of range."""


@dataclass(frozen=True)
class Parameter:
    """One parameter: value (float, str or {year: float}), unit, year, basis, source, origin."""

    key: str
    value: float | str | tuple[str, ...] | dict[int, float]
    unit: str
    year: int | str
    basis: str
    source: str
    origin: str = "default"  # "default" (shipped file) or "override: <file>"

    @property
    def is_series(self) -> bool:
        return isinstance(self.value, dict)


class Parameters(Mapping[str, Parameter]):
    """The parameters in use, read-only, by dotted key."""

    def __init__(self, items: Mapping[str, Parameter]):
        self._items = dict(items)

    def __getitem__(self, key: str) -> Parameter:
        try:
            return self._items[key]
        except KeyError:
            raise ParameterError(f"unknown cost parameter {key!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def value(self, key: str) -> float | str | tuple[str, ...]:
        v = self[key].value
        if isinstance(v, dict):
            raise ParameterError(f"cost parameter {key!r} is a yearly series; use rate()")
        return v

    def number(self, key: str) -> float:
        v = self.value(key)
        if isinstance(v, str | tuple):
            raise ParameterError(f"cost parameter {key!r} is a choice, not a number")
        return float(v)

    def rate(self, key: str, year: int) -> float:
        """The value of a yearly series for one calendar year (no guessing outside the series)."""
        series = self[key].value
        if not isinstance(series, dict):
            raise ParameterError(f"cost parameter {key!r} is not a yearly series")
        if int(year) not in series:
            raise ParameterError(
                f"cost parameter {key!r} has no value for {int(year)} (it covers "
                f"{min(series)}-{max(series)}); add it in an override file: "
                f"[{key}.value] {int(year)} = ..."
            )
        return float(series[int(year)])

    def with_values(self, changes: Mapping[str, float | str]) -> Parameters:
        """A copy with some values replaced (used for the sensitivity runs)."""
        items = dict(self._items)
        for key, v in changes.items():
            items[key] = replace(self[key], value=v, origin="sensitivity")
        return Parameters(items)


def load_parameters(override_path: Path | str | None = None) -> Parameters:
    """Read the shipped parameters.toml and merge an override file into it, key by key."""
    defaults = _read_toml(DEFAULT_PARAMETERS_PATH)
    params = _parse(defaults, DEFAULT_PARAMETERS_PATH)
    if override_path is not None:
        path = Path(override_path)
        params = _merge(params, _read_toml(path), path)
    _validate(params)
    return Parameters(params)


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ParameterError(f"parameter file {path} does not exist") from None
    except tomllib.TOMLDecodeError as e:
        raise ParameterError(f"parameter file {path} is not valid TOML: {e}") from None


def _iter_parameters(doc: dict, path: Path) -> Iterator[tuple[str, dict]]:
    for section, body in doc.items():
        if not isinstance(body, dict):
            raise ParameterError(f"{path}: {section!r} must be a section of parameters")
        for name, fields in body.items():
            key = f"{section}.{name}"
            if not isinstance(fields, dict):
                raise ParameterError(f"{path}: {key!r} must be a table with fields {FIELDS}")
            yield key, fields


def _parse(doc: dict, path: Path) -> dict[str, Parameter]:
    out: dict[str, Parameter] = {}
    for key, fields in _iter_parameters(doc, path):
        unknown = sorted(set(fields) - set(FIELDS))
        if unknown:
            raise ParameterError(f"{path}: unknown field {key}.{unknown[0]}")
        missing = [f for f in FIELDS if f not in fields]
        if missing:
            raise ParameterError(f"{path}: parameter {key} lacks the field {missing[0]!r}")
        out[key] = Parameter(
            key=key,
            value=_parse_value(key, fields["value"], path),
            unit=_text(key, "unit", fields["unit"], path),
            year=_parse_year(key, fields["year"], path),
            basis=_text(key, "basis", fields["basis"], path),
            source=_text(key, "source", fields["source"], path),
        )
    return out


def _merge(params: dict[str, Parameter], doc: dict, path: Path) -> dict[str, Parameter]:
    out = dict(params)
    sections = {k.split(".", 1)[0] for k in params}
    for section in doc:
        if section not in sections:
            raise ParameterError(f"{path}: unknown parameter section {section!r}")
    for key, fields in _iter_parameters(doc, path):
        if key not in out:
            raise ParameterError(f"{path}: unknown parameter {key!r}")
        unknown = sorted(set(fields) - set(FIELDS))
        if unknown:
            raise ParameterError(f"{path}: unknown field {key}.{unknown[0]}")
        old = out[key]
        new = old
        if "value" in fields:
            value = _parse_value(key, fields["value"], path)
            if isinstance(old.value, dict):
                if not isinstance(value, dict):
                    raise ParameterError(
                        f"{path}: {key}.value must be a table of yearly values {{YYYY = number}}"
                    )
                value = {**old.value, **value}  # key by key: years not given keep the default
            elif type(old.value) is not type(value):
                kind = {str: "a choice (text)", tuple: "a list of texts"}.get(
                    type(old.value), "a number"
                )
                raise ParameterError(f"{path}: {key}.value must be {kind}")
            new = replace(new, value=value)
        for f in ("unit", "basis", "source"):
            if f in fields:
                new = replace(new, **{f: _text(key, f, fields[f], path)})
        if "year" in fields:
            new = replace(new, year=_parse_year(key, fields["year"], path))
        if new != old:
            new = replace(new, origin=f"override: {path}")
        out[key] = new
    return out


def _parse_value(
    key: str, value: object, path: Path
) -> float | str | tuple[str, ...] | dict[int, float]:
    if isinstance(value, bool):
        raise ParameterError(f"{path}: {key}.value must be a number, a text or a yearly table")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ParameterError(f"{path}: {key}.value must be finite")
        return float(value)
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        if not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise ParameterError(f"{path}: {key}.value must be a non-empty list of texts")
        return tuple(v.strip() for v in value)
    if isinstance(value, dict):
        series: dict[int, float] = {}
        for y, v in value.items():
            if not (isinstance(y, str) and len(y) == 4 and y.isdigit()):
                raise ParameterError(f"{path}: unknown key {key}.value.{y} (years are YYYY)")
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ParameterError(f"{path}: {key}.value.{y} must be a number")
            series[int(y)] = float(v)
        return series
    raise ParameterError(f"{path}: {key}.value must be a number, a text or a yearly table")


def _parse_year(key: str, value: object, path: Path) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise ParameterError(f"{path}: {key}.year must be a year (YYYY) or a text such as 'nominal'")


def _text(key: str, field: str, value: object, path: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ParameterError(f"{path}: {key}.{field} must be a non-empty text")
    return value.strip()


def _validate(params: dict[str, Parameter]) -> None:
    for key, p in params.items():
        if p.basis not in BASES:
            raise ParameterError(f"{key}.basis must be one of {BASES}, got {p.basis!r}")
        if not p.is_series and not isinstance(p.year, int):
            raise ParameterError(f"{key}.year must be a year (YYYY) for a single value")
        if key in CHOICES:
            if p.value not in CHOICES[key]:
                raise ParameterError(f"{key}.value must be one of {CHOICES[key]}, got {p.value!r}")
            continue
        if key in LIST_CHOICES:
            bad = (
                [v for v in p.value if v not in LIST_CHOICES[key]]
                if isinstance(p.value, tuple)
                else [p.value]
            )
            if bad:
                raise ParameterError(
                    f"{key}.value must be a list of {LIST_CHOICES[key]}, got {bad[0]!r}"
                )
            continue
        if isinstance(p.value, str | tuple):
            raise ParameterError(f"{key}.value must be a number, got {p.value!r}")
        values = list(p.value.values()) if isinstance(p.value, dict) else [p.value]
        lo, hi = RANGES.get(key, (0.0, math.inf))
        for v in values:
            if not lo <= v <= hi:
                raise ParameterError(f"{key}.value {v:g} is outside the allowed range [{lo}, {hi}]")
        if key in INTEGER_PARAMETERS and any(v != int(v) for v in values):
            raise ParameterError(f"{key}.value must be a whole number")
        if key == "benefit_rates.grunnbelop" and any(v <= 0 for v in values):
            raise ParameterError(f"{key}.value must be positive")
    g = params["benefit_rates.grunnbelop"].value
    price_year = int(params["general.price_year"].value)
    if isinstance(g, dict) and price_year not in g:
        raise ParameterError(
            f"general.price_year {price_year} has no grunnbelop (benefit_rates.grunnbelop.value)"
        )
