"""A pool of synthetic employers (9-digit organisation numbers with a valid MOD11 check digit)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_WEIGHTS = np.array([3, 2, 7, 6, 5, 4, 3, 2])


@dataclass
class Employers:
    org: np.ndarray  # int64 organisation numbers
    w_jobs: np.ndarray  # sampling probabilities for ordinary jobs (a few large employers)
    w_at: np.ndarray  # sampling probabilities for arbeidstrening hosts

    @property
    def n(self) -> int:
        return self.org.size

    def draw_job(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return _draw(rng, self.w_jobs, size)

    def draw_at(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return _draw(rng, self.w_at, size)

    def job_from_uniform(self, u: np.ndarray) -> np.ndarray:
        """Employer of ordinary jobs from uniform draws (inverse CDF of w_jobs)."""
        cum = np.cumsum(self.w_jobs)
        return np.searchsorted(cum, u * cum[-1], side="right").clip(0, self.n - 1)

    def org_strings(self) -> np.ndarray:
        return self.org.astype(str)


def _draw(rng, w, size):
    cum = np.cumsum(w)
    return np.searchsorted(cum, rng.random(size) * cum[-1], side="right").clip(0, len(w) - 1)


def make_employers(rng: np.random.Generator, n: int) -> Employers:
    """n distinct organisation numbers starting with 8 or 9, with skewed size weights."""
    orgs = np.empty(0, dtype=np.int64)
    while orgs.size < n:
        base = rng.integers(80_000_000, 100_000_000, size=2 * n)  # first 8 digits
        digits = (base[:, None] // 10 ** np.arange(7, -1, -1)) % 10
        r = (digits * _WEIGHTS).sum(axis=1) % 11
        check = (11 - r) % 11
        ok = check < 10
        cand = base[ok] * 10 + check[ok]
        orgs = np.unique(np.concatenate([orgs, cand]))
    orgs = rng.permutation(orgs)[:n]
    rank = np.arange(n)
    w_jobs = 1.0 / (rank + 20.0) ** 1.1
    # Arbeidstrening hosts: a subset of employers (shops, care, municipal services) take most.
    host = rng.random(n) < 0.35
    w_at = np.where(host, 1.0 / (rng.permutation(n) + 10.0) ** 0.8, 0.0)
    return Employers(org=orgs, w_jobs=w_jobs / w_jobs.sum(), w_at=w_at / w_at.sum())
