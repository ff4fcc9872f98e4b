"""Primary and secondary suppression of one universe, audited until nothing can be worked out.

1. *Protected* columns: published counts of 1-4 (primary), sensitive counts of 1-4 that a reader
   could otherwise derive (e.g. start cohorts), and counts the ledger holds back (suppressed in
   the previous release with the same value) or that cannot be verified against the model.
2. *Secondary suppression* by Gaussian elimination (:mod:`analysis.disclosure.gauss`) over the
   candidates in this order of preference (first = most wanted in print):

   a. counts the report relies on (the universe's ``priority``: event-time counts at the
      summary horizons 0, 12, 24 and 36 months);
   b. zeros (a zero says nobody; suppressing a zero next to a small cell protects little);
   c. larger counts before smaller ones (totals and large groups survive, the next-smallest cell
      is the complement, as in SSB's ``CandidatesDefault``);
   d. among equal counts, the cell made of more inner cells (totals before their parts);
   e. the cell's label (deterministic output).

   Structural links and the counts published in the previous release with the same value (the
   ledger) come before all candidates: a reader knows them whatever this release does.

3. *Audit* by linear programming (:func:`analysis.disclosure.audit.intervals`): a protected count
   of 1-4 must not be pinned inside 1-4 and no protected count may be determined exactly, using the
   non-negativity of inner cells as well as linear combinations. Where the audit finds one, the
   least-preferred published count that shares inner cells with it is suppressed as well and
   the elimination runs again. Suppressing every candidate protects everything, so this ends;
   it never raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from analysis.disclosure.audit import SMALL_MAX, exact, intervals, pinned_small
from analysis.disclosure.gauss import gauss_suppress
from analysis.disclosure.model import Universe


@dataclass
class Outcome:
    """Which columns of a universe a reader does not get, and why."""

    hidden: set[int] = field(default_factory=set)
    reason: dict[int, str] = field(
        default_factory=dict
    )  # primary/secondary/ledger/audit/unverified
    unsafe: set[int] = field(default_factory=set)
    known: set[int] = field(default_factory=set)  # published + links


def protect_universe(
    u: Universe,
    primary: set[int],
    hold: dict[int, str] | None = None,
    known_before: set[int] | None = None,
) -> Outcome:
    """Suppress the universe's published columns so that no protected column can be worked out.

    `primary`: published or sensitive columns with a count of 1-4; `hold`: other columns to hide
    and protect, with the reason (``"ledger"``, ``"unverified"``); `known_before`: columns
    published in the previous release with the same value - a reader has them anyway, so they
    are published again and count as known (like the structural links) in the elimination.
    """
    hold = dict(hold or {})
    known_before = set(known_before or ()) - set(primary) - set(hold or ())
    values = u.values()
    x = u.matrix()
    published = set(np.flatnonzero(u.has_role("published")).tolist())
    links = [int(c) for c in np.flatnonzero(u.has_role("link"))]
    links += sorted(known_before - set(links))  # known to a reader, whatever this release does
    protected = sorted(set(primary) | set(hold))
    sizes = np.diff(x.indptr)

    def pref(c: int) -> tuple:
        return (
            c not in u.priority,
            values[c] != 0,
            -int(values[c]),
            -int(sizes[c]),
            u.labels[c],
            c,
        )

    candidates = sorted(published - set(protected) - set(links), key=pref)
    out = Outcome()
    for c in protected:
        out.reason[c] = "primary" if c in primary else hold.get(c, "primary")
    if not protected:
        out.known = published | set(links)
        return out
    # A published zero tells a reader that all its inner cells are empty: eliminate on the inner
    # cells not under a zero candidate (a stronger reader, so the result is safe for the real one).
    zeros = [c for c in [*candidates, *known_before] if values[c] == 0]
    zero_rows = np.unique(x[:, zeros].nonzero()[0])
    xz = x.tolil(copy=True)
    if zero_rows.size:
        xz[zero_rows, :] = 0
    xz = xz.tocsc()
    order = {c: i for i, c in enumerate(candidates)}
    small = [c for c in protected if 0 < values[c] <= SMALL_MAX]
    extra: set[int] = set()  # published cells the audit adds to the protected ones
    hidden: set[int] = set()
    bad: list[int] = list(small)
    while True:
        guard = sorted(set(protected) | extra)
        res = gauss_suppress(xz, [c for c in candidates if c not in extra], guard, links)
        secondary = set(res.secondary.tolist())
        # hiding more only widens a reader's intervals: if nothing was published again, only the
        # cells pinned last time need a new look
        todo = bad if hidden and hidden <= set(guard) | secondary else small
        hidden = set(guard) | secondary
        known = sorted((published - hidden) | set(links))
        binding: dict[int, set[int]] = {}
        bad = _audit(x, u.inner, known, todo, binding)
        if not bad:
            break
        # For each pinned cell, protect the least-preferred published count among those that bind
        # its bound (non-zero dual); the elimination then keeps that count out of reach too.
        picks = set()
        for b in bad:
            pins = [c for c in binding.get(b, set()) if c in order and c not in hidden and sizes[c]]
            if not pins:  # no certificate (LP failure): the least preferred published count
                pins = [c for c in candidates if c not in hidden and sizes[c]]
            if pins:
                picks.add(max(pins, key=order.__getitem__))
        if not picks:  # nothing published is left to suppress: report, never loop
            out.unsafe |= set(bad)
            break
        extra |= picks
    out.unsafe |= set(res.unsafe.tolist())
    if out.unsafe and known_before:
        # the previous release's counts alone would reveal a small count of this release: they
        # cannot be taken back, but this release need not repeat them
        return protect_universe(u, primary, hold, None)
    for c in secondary:
        out.reason[c] = "secondary"
    for c in extra:
        out.reason[c] = "audit"
    out.hidden = hidden
    out.known = (published - hidden) | set(links)
    return out


def _audit(x, inner, known: list[int], cells: list[int], binding: dict | None = None) -> list[int]:
    """Cells of 1-4 a reader can pin: exactly, or to within 1-4 (NaN: the LP failed; counted)."""
    lo, hi = intervals(x, inner, known, cells, lower_first=True, binding=binding)
    bad = exact(lo, hi) | pinned_small(lo, hi) | np.isnan(lo) | np.isnan(hi)
    return [c for c, b in zip(cells, bad, strict=True) if b]


__all__ = ["Outcome", "protect_universe"]
