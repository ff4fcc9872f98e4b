"""R's default random numbers (Mersenne-Twister, Inversion), from `set.seed(seed)`.

HonestDiD's critical values are simulated (`set.seed(0)`, then `rnorm` / `mvtnorm::rmvnorm`);
reproducing R's draws makes our confidence sets equal R's, not just close. R seeds its
Mersenne-Twister by scrambling the seed with the LCG 69069 s + 1 (50 times, then once per state
word); unif_rand is the tempered 32-bit output times 2^-32 (kept away from 0 and 1), and
norm_rand by inversion uses two uniforms, u = (floor(2^27 u1) + u2) / 2^27, z = qnorm(u).
numpy's MT19937 is the same generator, so only the seeding and the transforms are R's.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

_I2_32M1 = 2.328306437080797e-10
_BIG = 134217728.0


class RRandom:
    """Stream of R's unif_rand / norm_rand after set.seed(seed)."""

    def __init__(self, seed: int = 0):
        s = int(seed) & 0xFFFFFFFF
        for _ in range(50):
            s = (69069 * s + 1) & 0xFFFFFFFF
        words = []
        for _ in range(625):
            s = (69069 * s + 1) & 0xFFFFFFFF
            words.append(s)
        self._bg = np.random.MT19937(0)
        self._bg.state = {
            "bit_generator": "MT19937",
            "state": {"key": np.asarray(words[1:], dtype=np.uint32), "pos": 624},
        }

    def unif(self, n: int) -> np.ndarray:
        u = self._bg.random_raw(n).astype(np.float64) * 2.3283064365386963e-10
        u[u <= 0.0] = 0.5 * _I2_32M1
        u[1.0 - u <= 0.0] = 1.0 - 0.5 * _I2_32M1
        return u

    def norm(self, n: int) -> np.ndarray:
        u = self.unif(2 * n).reshape(n, 2)
        return ndtri((np.floor(_BIG * u[:, 0]) + u[:, 1]) / _BIG)

    def mvnorm(self, n: int, sigma: np.ndarray) -> np.ndarray:
        """mvtnorm::rmvnorm(n, sigma = sigma) (method "eigen", rows filled by row)."""
        k = sigma.shape[0]
        vals, vecs = np.linalg.eigh(sigma)
        root = (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.T
        return self.norm(n * k).reshape(n, k) @ root
