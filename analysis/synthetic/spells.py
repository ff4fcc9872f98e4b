"""From monthly codes to day-dated spells (vectorised run-length encoding).

A run is a maximal stretch of months in which a person has the same non-zero code (a set split
bit starts a new run even when the code repeats). Each run becomes one spell whose start and end
days lie inside its first and last month, so that "the spell overlaps the month" (the pipeline's
rule) reproduces the monthly codes exactly:

* a run that follows another non-zero code starts on the first day of its month and the run
  before it ends on the last day of the previous month (a change of status, degree, ...);
* a run entered from nothing starts on a random day of its first month, and a run followed by
  nothing ends on a random day (not before its start) of its last month;
* `aligned=True`: runs start on the first and end on the last day of their months (monthly
  payments such as sosialhjelp and uføretrygd);
* a run that reaches the last month of the data is ongoing at extraction (end = ONGOING);
  a run that begins in the first month began earlier (up to a year before).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from analysis.synthetic.calendar import month_end, month_start

ONGOING = 10**6  # day number sentinel: no end date (ongoing at extraction)


@dataclass
class Runs:
    person: np.ndarray  # row of the matrix (person index)
    code: np.ndarray  # the run's code
    first: np.ndarray  # month index of the first month
    last: np.ndarray  # month index of the last month
    prev: np.ndarray  # code in the month before (0 none, -1 before the data)
    next: np.ndarray  # code in the month after (0 none, -1 after the data)

    @property
    def n(self) -> int:
        return self.person.size


def runs(codes: np.ndarray, month0: int, split: np.ndarray | None = None) -> Runs:
    """Runs of non-zero codes in a (persons x months) matrix whose column 0 is month `month0`.

    `split` (same shape, bool): a run starts at every set position even if the code repeats.
    """
    x = np.ascontiguousarray(codes)
    n, T = x.shape
    on = x != 0
    begin = on.copy()
    begin[:, 1:] &= x[:, 1:] != x[:, :-1]
    end = on.copy()
    end[:, :-1] &= x[:, :-1] != x[:, 1:]
    if split is not None:
        sp = np.ascontiguousarray(split) & on
        begin |= sp
        end[:, :-1] |= on[:, :-1] & sp[:, 1:]
    bi = np.flatnonzero(begin.ravel())
    ei = np.flatnonzero(end.ravel())
    del begin, end
    flat = x.ravel()
    person = bi // T
    first = bi % T
    last = ei % T
    prev = np.where(first > 0, flat[np.maximum(bi - 1, 0)], -1)
    nxt = np.where(last < T - 1, flat[np.minimum(ei + 1, flat.size - 1)], -1)
    if split is not None:
        # A run split off from the same code follows that code without a gap.
        nxt = np.where((last < T - 1) & sp.ravel()[np.minimum(ei + 1, flat.size - 1)], -2, nxt)
    return Runs(
        person=person,
        code=flat[bi],
        first=first + month0,
        last=last + month0,
        prev=prev.astype(np.int64),
        next=nxt.astype(np.int64),
    )


def runs_by_block(
    by_month: np.ndarray,
    month0: int,
    transform: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray | None]],
    block: int = 100_000,
) -> Runs:
    """`runs` of a (months x persons) matrix, person block by person block (bounded memory).

    `transform` maps a (persons x months) block of the matrix to (codes, split or None).
    """
    parts = []
    n = by_month.shape[1]
    for lo in range(0, n, block):
        codes, split = transform(np.ascontiguousarray(by_month[:, lo : lo + block].T))
        r = runs(codes, month0, split)
        r.person += lo
        parts.append(r)
    return Runs(
        *(np.concatenate([getattr(r, f) for r in parts]) for f in Runs.__dataclass_fields__)
    )


def spell_days(
    rng: np.random.Generator, r: Runs, aligned: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Start and end day of each run (see module docstring); end = ONGOING past the data."""
    ms, me = month_start(r.first), month_end(r.last)
    if aligned:
        start = ms.copy()
    else:
        in_month = ms + np.floor(rng.random(r.n) * (month_end(r.first) - ms + 1)).astype(np.int64)
        start = np.where(r.prev == 0, in_month, ms)
    start = np.where(r.prev == -1, ms - rng.integers(0, 366, r.n), start)
    if aligned:
        end = me.copy()
    else:
        lo = np.maximum(start, month_start(r.last))
        in_month = lo + np.floor(rng.random(r.n) * (me - lo + 1)).astype(np.int64)
        end = np.where(r.next == 0, in_month, me)
    end = np.where(r.next == -1, ONGOING, end)
    return start, end
