"""The settings of a run, each with its one default: what results depend on (the employment
threshold, the plausibility gates), where a run reads and writes, and the resources it may use.
Every value is documented, validated once (`RunSettings`) and can be overridden."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

# --- Locations (relative to the project directory) -------------------------------------------

DEFAULT_INPUT_DIR = "data/synthetic"
DEFAULT_WAREHOUSE = "data/warehouse.duckdb"
DEFAULT_REPORT_DIR = "reports/output"

# --- Resources --------------------------------------------------------------------------------

# DuckDB's memory limit: 6 GB, so that a whole run stays within the 8 GB the project is sized
# for (issue 15) with the estimators' arrays beside DuckDB's buffer pool. DuckDB spills to its
# temporary directory beyond it; at scale 1.0 the largest DuckDB step (staging of the
# employment months) took the same time as with 12 GB and its process peaked at 6.9 GB
# (docs/SCALING.md, stop 27).
DEFAULT_MEMORY_LIMIT = "6GB"
_MEMORY_LIMIT = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


def default_threads() -> int:
    """Every core this process may use (the CPU affinity mask, not the machine's total)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


# `arbeidstrening run` runs the effects parts in worker processes (as many as --threads) when the
# register has at least this many persons; below it, in process. A worker costs about 3 s to
# start (docs/SCALING.md), which the parts earn back from about scale 0.1 (60,000 persons; at
# 0.05 their 18 parts took about 3 s each).
WORKER_MIN_PERSONS: int = 50_000


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


def check_memory_limit(value: object) -> str:
    """A DuckDB memory limit such as '12GB', or ValueError naming the rule."""
    if not isinstance(value, str) or not _MEMORY_LIMIT.match(value):
        raise ValueError(f"memory limit must be a size such as 12GB or 800MB, got {value!r}")
    return value.strip()


def check_threads(value: object) -> int:
    """A number of threads >= 1, or ValueError naming the rule."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"threads must be a whole number of at least 1, got {value!r}")
    return value


@dataclass(frozen=True)
class RunSettings:
    """Every setting of a run (as R did's DIDparams): defaults here, validated on construction,
    passed down to the layers, recorded once in `meta.run_info` (`run_info()`) and read back from
    there by the report (`from_run_info()`), so a run states one value of each."""

    employment_threshold_nok: int = DEFAULT_EMPLOYMENT_THRESHOLD_NOK
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    threads: int = field(default_factory=default_threads)
    gates: PlausibilityGates = field(default_factory=PlausibilityGates)

    def __post_init__(self) -> None:
        check_employment_threshold(self.employment_threshold_nok)
        check_memory_limit(self.memory_limit)
        check_threads(self.threads)

    def run_info(self) -> dict[str, str]:
        """The settings results depend on, as `meta.run_info` key/value text."""
        return {
            "employment_threshold_nok": str(self.employment_threshold_nok),
            "max_reject_share": repr(self.gates.max_reject_share),
            "min_window_coverage": json.dumps(dict(self.gates.min_window_coverage)),
        }

    @classmethod
    def from_run_info(cls, info: Mapping[str, str]) -> RunSettings:
        """The settings a warehouse was built with (defaults for keys an older run lacks)."""
        coverage = info.get("min_window_coverage")
        gates = PlausibilityGates(
            max_reject_share=float(info.get("max_reject_share", DEFAULT_MAX_REJECT_SHARE)),
            min_window_coverage=(
                json.loads(coverage) if coverage else dict(DEFAULT_MIN_WINDOW_COVERAGE)
            ),
        )
        return cls(
            employment_threshold_nok=int(
                info.get("employment_threshold_nok", DEFAULT_EMPLOYMENT_THRESHOLD_NOK)
            ),
            gates=gates,
        )

    def replace(self, **changes) -> RunSettings:
        """A copy with `changes` (None values keep the current setting), validated again."""
        current = {f.name: getattr(self, f.name) for f in fields(self)}
        return RunSettings(**(current | {k: v for k, v in changes.items() if v is not None}))
