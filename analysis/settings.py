"""Analysis settings that results depend on. Every value is documented and can be overridden."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Employed in a month: total earnings across employers in the month >= this threshold (NOK).
# 5,000 NOK a month is roughly half of one twelfth of the National Insurance basic amount (G),
# enough to exclude token payments and stray small jobs while counting ordinary part-time work.
DEFAULT_EMPLOYMENT_THRESHOLD_NOK: int = 5_000
# A threshold must be a whole number of NOK in this range: 0 would count months without any
# earnings as employed, and no monthly threshold above a million NOK describes employment.
EMPLOYMENT_THRESHOLD_RANGE_NOK: tuple[int, int] = (1, 1_000_000)

# Where nothing else is said (no extract.json and no override) the observation window is taken
# from the data: the first and last month that appear in employment_months.
DEFAULT_OBSERVATION_START = "2016-01-01"
DEFAULT_OBSERVATION_END = "2024-12-31"

# --- Plausibility gates: blocking checks before anything is published ---------------------------

# A table whose share of rejected rows exceeds this stops the run (a type mix-up, a wrong date
# format or a shifted column rejects most rows; a few bad rows in a real extract stay well below).
DEFAULT_MAX_REJECT_SHARE: float = 0.05
# Share of the observation window's months a dated table must cover (employment_months: a row in
# the month; spell tables: a spell overlapping the month). A window past the end of the data, or a
# table that starts years late, stops the run. at_agreements is not gated: the digital agreement
# came into use gradually, so early years have none by design.
DEFAULT_MIN_WINDOW_COVERAGE: dict[str, float] = {
    "employment_months": 1.0,
    "nav_status_spells": 0.9,
    "programme_spells": 0.9,
    "benefit_spells": 0.9,
    "education_spells": 0.9,
}
# Without extract.json the window is derived from employment_months: months with rows separated by
# at least this many empty months form separate stretches, and the window covers the stretch
# holding most rows, so a stray row dated far outside the data (190001) cannot stretch it. Gaps
# shorter than this stay inside the window, where the window-coverage gate reports them.
DATA_WINDOW_SPLITTING_GAP_MONTHS: int = 12


def check_employment_threshold(value: object) -> int:
    """The threshold as an int, or ValueError naming the rule (a whole NOK amount in range)."""
    lo, hi = EMPLOYMENT_THRESHOLD_RANGE_NOK
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"employment threshold must be a whole number of NOK, got {value!r}")
    if not lo <= int(value) <= hi:
        raise ValueError(
            f"employment threshold must lie between {lo:,} and {hi:,} NOK a month, got {int(value):,}"
        )
    return int(value)


def check_share(name: str, value: object) -> float:
    """A share in [0, 1], or ValueError naming the setting."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a share between 0 and 1, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class PlausibilityGates:
    """Thresholds of the plausibility gates (validated on construction)."""

    max_reject_share: float = DEFAULT_MAX_REJECT_SHARE
    min_window_coverage: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_MIN_WINDOW_COVERAGE)
    )

    def __post_init__(self) -> None:
        check_share("max_reject_share", self.max_reject_share)
        for table, share in self.min_window_coverage.items():
            check_share(f"min_window_coverage[{table}]", share)

    def coverage_for(self, table: str) -> float | None:
        """The minimum coverage for a table, or None when it is not gated."""
        return self.min_window_coverage.get(table)


@dataclass(frozen=True)
class AnalysisSettings:
    """Settings for building the panel and the marts."""

    employment_threshold_nok: int = DEFAULT_EMPLOYMENT_THRESHOLD_NOK

    def __post_init__(self) -> None:
        check_employment_threshold(self.employment_threshold_nok)
