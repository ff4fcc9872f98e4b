"""The study's code lists and design facts as SQL literals, for the `{{name}}` placeholders of the
SQL files (see :func:`analysis.warehouse.schema.read_sql`). Written from `analysis.contract` and
`analysis.design`, so SQL never retypes a code list."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from analysis import contract, design


def _quoted(values: Iterable[str]) -> str:
    """'A', 'B', 'C'"""
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def _numbered(values: Iterable[str], start: int = 1) -> str:
    """('A', 1), ('B', 2): VALUES rows of a code and its display order."""
    return ", ".join(f"({_quoted([v])}, {i})" for i, v in enumerate(values, start))


SQL_CONSTANTS: dict[str, str] = {
    "all": _quoted([design.ALL]),
    "at_code": _quoted([contract.AT_PROGRAMME_CODE]),
    "wage_subsidy_codes": _quoted(contract.WAGE_SUBSIDY_CODES),
    "took_place": _quoted(contract.STATUS_TOOK_PLACE),
    "horizons": ", ".join(str(k) for k in design.TRANSITION_HORIZONS),
    "unknown_purpose": _quoted([design.UNKNOWN_PURPOSE]),
    "no_status_group": _quoted([design.NO_STATUS_GROUP]),
    "purpose_rows": _numbered(contract.PURPOSES),
    "purpose_rows_with_unknown": _numbered((*contract.PURPOSES, design.UNKNOWN_PURPOSE)),
    "status_groups": _quoted(design.STATUS_GROUPS),
    "exit_state_rows": _numbered(design.EXIT_STATES),
    "nav_exit_status_rows": _numbered(design.NAV_EXIT_STATUSES),
    "status_group_rows": _numbered(design.STATUS_GROUPS),
    "unknown_innsatsgruppe": _quoted([design.UNKNOWN_INNSATSGRUPPE]),
    "innsatsgrupper_with_unknown": _quoted(
        (*contract.INNSATSGRUPPER, design.UNKNOWN_INNSATSGRUPPE)
    ),
    "immigrant_categories": _quoted(contract.IMMIGRANT_CATEGORIES),
    "intended_outcome_rows": ", ".join(
        f"({_quoted([p])}, {_quoted([design.INTENDED_OUTCOME_BY_PURPOSE[p].upper()])}, {i})"
        for i, p in enumerate((*contract.PURPOSES, design.UNKNOWN_PURPOSE), 1)
    ),
}

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


def render_sql(text: str, source: str, params: Mapping[str, str] | None = None) -> str:
    """Replace every `{{name}}` in `text` (from file `source`) by `params` or SQL_CONSTANTS."""
    values = {**SQL_CONSTANTS, **(params or {})}

    def _value(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"{source}: unknown SQL placeholder {{{{{name}}}}}")
        return values[name]

    return _PLACEHOLDER.sub(_value, text)
