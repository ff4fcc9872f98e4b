"""Month and day arithmetic on plain integers, vectorised with numpy.

Two integer scales are used throughout the generator:

* a *month index* ``m``: 0 is 2016-01 (the first month of the observation window), 107 is 2024-12;
  negative values are months before the window;
* a *day number*: days since 1970-01-01, which is exactly Arrow's ``date32`` representation.
"""

from __future__ import annotations

import numpy as np

BASE_YEAR = 2016
OBS_START_M = 0
OBS_END_M = 107  # 2024-12
N_OBS_MONTHS = OBS_END_M - OBS_START_M + 1

# Table range for month <-> day conversions (1990-01 .. 2035-12).
_MIN_M = (1990 - BASE_YEAR) * 12
_MAX_M = (2035 - BASE_YEAR) * 12 + 11
_MONTHS = np.arange(_MIN_M, _MAX_M + 2)
_MONTH_START = (
    (np.datetime64(f"{BASE_YEAR}-01", "M") + _MONTHS).astype("datetime64[D]").astype(np.int64)
)
_MONTH_LEN = np.diff(_MONTH_START)
_MONTH_START = _MONTH_START[:-1]


def month_start(m):
    """Day number of the first day of month index ``m``."""
    return _MONTH_START[np.asarray(m) - _MIN_M]


def month_len(m):
    """Number of days in month index ``m``."""
    return _MONTH_LEN[np.asarray(m) - _MIN_M]


def month_end(m):
    """Day number of the last day of month index ``m``."""
    return month_start(m) + month_len(m) - 1


def day_to_month(d):
    """Month index of day number ``d``."""
    return np.searchsorted(_MONTH_START, np.asarray(d), side="right") - 1 + _MIN_M


def add_months(d, k):
    """Same day of the month ``k`` months later (clamped to the month's last day)."""
    d = np.asarray(d)
    m = day_to_month(d)
    dom = d - month_start(m)
    m2 = m + np.asarray(k)
    return month_start(m2) + np.minimum(dom, month_len(m2) - 1)


def yyyymm(m):
    """Month index -> integer YYYYMM."""
    m = np.asarray(m)
    return (BASE_YEAR + np.floor_divide(m, 12)) * 100 + np.mod(m, 12) + 1


def m_from_yyyymm(ym):
    """Integer YYYYMM -> month index."""
    ym = np.asarray(ym)
    return (ym // 100 - BASE_YEAR) * 12 + ym % 100 - 1


def m_of(year: int, month: int) -> int:
    """Month index of a calendar year and month (1-12)."""
    return (year - BASE_YEAR) * 12 + month - 1


OBS_START_DAY = int(month_start(OBS_START_M))
OBS_END_DAY = int(month_end(OBS_END_M))


def random_day_in_month(rng: np.random.Generator, m):
    """A uniformly drawn day within each month index of ``m``."""
    m = np.asarray(m)
    return month_start(m) + np.floor(rng.random(m.shape) * month_len(m)).astype(np.int64)
