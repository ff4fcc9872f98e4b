"""Analysis settings that results depend on. Every value is documented and can be overridden."""

from __future__ import annotations

from dataclasses import dataclass

# Employed in a month: total earnings across employers in the month >= this threshold (NOK).
# 5,000 NOK a month is roughly half of one twelfth of the National Insurance basic amount (G),
# enough to exclude token payments and stray small jobs while counting ordinary part-time work.
DEFAULT_EMPLOYMENT_THRESHOLD_NOK: int = 5_000

# Where nothing else is said (no extract.json and no override) the observation window is taken
# from the data: the first and last month that appear in employment_months.
DEFAULT_OBSERVATION_START = "2016-01-01"
DEFAULT_OBSERVATION_END = "2024-12-31"


@dataclass(frozen=True)
class AnalysisSettings:
    """Settings for building the panel and the marts."""

    employment_threshold_nok: int = DEFAULT_EMPLOYMENT_THRESHOLD_NOK
