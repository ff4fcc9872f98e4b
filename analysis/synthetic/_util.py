"""Small vectorised helpers shared by the generator's stages."""

from __future__ import annotations

import numpy as np

_DAY_OFFSET = 200_000  # makes day numbers positive for packed keys
_KEY_BASE = 1 << 19


def rng_for(seed: int, *stream: int) -> np.random.Generator:
    """An independent, reproducible random stream for one stage (and chunk) of the generator."""
    return np.random.default_rng(np.random.SeedSequence([seed, *stream]))


def logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def choice_idx(rng: np.random.Generator, probs, size) -> np.ndarray:
    """Draw indices 0..k-1 with the given probabilities (vectorised categorical draw)."""
    cum = np.cumsum(np.asarray(probs, dtype=float))
    cum /= cum[-1]
    return np.searchsorted(cum, rng.random(size), side="right").clip(0, len(cum) - 1)


def gumbel_top_k(rng: np.random.Generator, logw: np.ndarray, k: int) -> np.ndarray:
    """Positions of a weighted sample of k items without replacement (Gumbel top-k trick)."""
    n = logw.shape[0]
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    if k >= n:
        return np.arange(n)
    key = logw + rng.gumbel(size=n)
    return np.argpartition(-key, k - 1)[:k]


class Allocator:
    """Split integer totals over categories so that cumulative allocations track target shares.

    A largest-remainder rounding that carries its rounding error forward between calls, so small
    monthly counts still add up to the intended shares over a year (error diffusion).
    """

    def __init__(self, n_cat: int):
        self.desired = np.zeros(n_cat)
        self.given = np.zeros(n_cat)

    def __call__(self, total: int, shares) -> np.ndarray:
        shares = np.asarray(shares, dtype=float)
        shares = shares / shares.sum()
        self.desired += total * shares
        x = np.maximum(self.desired - self.given, 0.0)
        out = np.zeros(len(shares), dtype=np.int64)
        if total <= 0:
            return out
        if x.sum() <= 0:
            x = shares.copy()
        x = x * (total / x.sum())
        out = np.floor(x).astype(np.int64)
        rest = total - out.sum()
        if rest > 0:
            order = np.argsort(-(x - out), kind="stable")
            out[order[:rest]] += 1
        self.given += out
        return out


def covering_interval(person_q, day_q, person_iv, start_iv, end_iv) -> np.ndarray:
    """Index of the interval of the same person that covers the query day, or -1.

    Intervals of one person must not overlap. ``end_iv`` is inclusive.
    """
    person_q = np.asarray(person_q, dtype=np.int64)
    day_q = np.asarray(day_q, dtype=np.int64)
    person_iv = np.asarray(person_iv, dtype=np.int64)
    start_iv = np.asarray(start_iv, dtype=np.int64)
    key = person_iv * _KEY_BASE + (start_iv + _DAY_OFFSET)
    order = np.argsort(key, kind="stable")
    skey = key[order]
    qkey = person_q * _KEY_BASE + (day_q + _DAY_OFFSET)
    pos = np.searchsorted(skey, qkey, side="right") - 1
    ok = pos >= 0
    cand = order[np.where(ok, pos, 0)]
    ok &= person_iv[cand] == person_q
    ok &= np.asarray(end_iv)[cand] >= day_q
    return np.where(ok, cand, -1)


def overlaps_any(person_q, start_q, end_q, person_iv, start_iv, end_iv, max_per_person=None):
    """True where the query interval overlaps any interval of the same person (inclusive ends)."""
    person_q = np.asarray(person_q, dtype=np.int64)
    start_q = np.asarray(start_q, dtype=np.int64)
    end_q = np.asarray(end_q, dtype=np.int64)
    person_iv = np.asarray(person_iv, dtype=np.int64)
    order = np.argsort(person_iv, kind="stable")
    sp = person_iv[order]
    ss = np.asarray(start_iv, dtype=np.int64)[order]
    se = np.asarray(end_iv, dtype=np.int64)[order]
    first = np.searchsorted(sp, person_q, side="left")
    count = np.searchsorted(sp, person_q, side="right") - first
    out = np.zeros(person_q.shape[0], dtype=bool)
    kmax = int(count.max()) if count.size else 0
    if max_per_person is not None:
        kmax = min(kmax, max_per_person)
    for k in range(kmax):
        has = count > k
        j = np.where(has, first + k, 0)
        out |= has & (ss[j] <= end_q) & (se[j] >= start_q)
    return out


def ids(prefix: str, n: int, width: int) -> np.ndarray:
    """Pseudonymous ids prefix + zero-padded running number, as a numpy unicode array."""
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width))
