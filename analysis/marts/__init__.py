"""The marts: descriptive and transition results read by reports, analysts and outside checks.

Each mart is one SQL file under analysis/sql/marts/ run by a thin build function
(`build_<name>(con) -> dict` of metadata). `MARTS` is the ordered registry the pipeline turns into
one asset each: (name, build function, description), in an order where every mart comes after the
marts it reads; `MART_DEPENDENCIES` names those upstream marts (all marts read the panel:
panel.at_spells / panel.person_month / panel.months, and some read staging directly).
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from analysis.marts.builders import (
    build_chaining_next,
    build_chaining_sequences,
    build_durations,
    build_exit_outcomes,
    build_intended_outcomes,
    build_nav_exit_status,
    build_participant_profile,
    build_participants_annual,
    build_participants_monthly,
    build_purpose_coverage,
    build_purpose_distribution,
    build_purpose_distribution_all_purposes,
    build_same_employer,
    build_transitions,
    build_transitions_by_status_group,
)

BuildFunction = Callable[[duckdb.DuckDBPyConnection], dict]

MARTS: tuple[tuple[str, BuildFunction, str], ...] = (
    (
        "participants_monthly",
        build_participants_monthly,
        "Persons in Arbeidstrening per month and status group (marts.participants_monthly).",
    ),
    (
        "participants_annual",
        build_participants_annual,
        "Monthly average participants per year and status group (marts.participants_annual).",
    ),
    (
        "purpose_distribution",
        build_purpose_distribution,
        "AT spells by start year and main purpose (marts.purpose_distribution).",
    ),
    (
        "purpose_coverage",
        build_purpose_coverage,
        "Share of AT spells with a digital agreement, by start year (marts.purpose_coverage).",
    ),
    (
        "purpose_distribution_all_purposes",
        build_purpose_distribution_all_purposes,
        "All purposes listed on agreements, by start year "
        "(marts.purpose_distribution_all_purposes).",
    ),
    (
        "exit_outcomes",
        build_exit_outcomes,
        "State and outcomes 1-24 months after each AT exit, censoring flagged "
        "(marts.exit_outcomes).",
    ),
    (
        "transitions",
        build_transitions,
        "State k months after AT exit by purpose (marts.transitions).",
    ),
    (
        "transitions_by_status_group",
        build_transitions_by_status_group,
        "State k months after AT exit by status group (marts.transitions_by_status_group).",
    ),
    (
        "intended_outcomes",
        build_intended_outcomes,
        "Intended outcome of each purpose reached k months after exit (marts.intended_outcomes).",
    ),
    (
        "same_employer",
        build_same_employer,
        "Jobs and wage subsidies at the AT employer after exit (marts.same_employer).",
    ),
    (
        "nav_exit_status",
        build_nav_exit_status,
        "NAV's official statistic 'status etter tiltak': status six months after leaving AT "
        "(marts.nav_exit_status).",
    ),
    (
        "participant_profile",
        build_participant_profile,
        "Participants vs registered non-participants by year (marts.participant_profile, "
        "marts.participant_profile_summary).",
    ),
    (
        "durations",
        build_durations,
        "Planned/actual length, extensions, interruptions, caps (marts.durations).",
    ),
    (
        "chaining_next",
        build_chaining_next,
        "Next programme after AT and months to it (marts.chaining_next).",
    ),
    (
        "chaining_sequences",
        build_chaining_sequences,
        "Most common programme chains of AT participants (marts.chaining_sequences).",
    ),
)

MART_DEPENDENCIES: dict[str, tuple[str, ...]] = {
    "participants_annual": ("participants_monthly",),
    "transitions": ("exit_outcomes",),
    "transitions_by_status_group": ("exit_outcomes",),
    "intended_outcomes": ("exit_outcomes",),
    "same_employer": ("exit_outcomes",),
}

# Tables each build function writes (a registry entry may write more than one table).
MART_TABLES: dict[str, tuple[str, ...]] = {name: (f"marts.{name}",) for name, _, _ in MARTS} | {
    "participant_profile": ("marts.participant_profile", "marts.participant_profile_summary")
}


def build_all_marts(con: duckdb.DuckDBPyConnection) -> dict:
    """Build every mart in registry order; return each build function's metadata."""
    return {name: build(con) for name, build, _ in MARTS}


__all__ = ["MARTS", "MART_DEPENDENCIES", "MART_TABLES", "build_all_marts"]
