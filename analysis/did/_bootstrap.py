"""Multiplier-bootstrap standard errors and sup-t critical values, as R did's `mboot`."""

from __future__ import annotations

import numpy as np
from scipy import stats

_IQR_NORM = float(stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
_TINY = float(np.sqrt(np.finfo(float).eps) * 10)
KINDS = ("rademacher", "mammen")


def boot_se(draws: np.ndarray, scale: float) -> np.ndarray:
    """Bootstrap SEs from draws d_b = sum_i v_i psi_i (psi scale), R's IQR rule.

    `scale` converts d to R's `bres` (sqrt(n) without clusters, n / sqrt(n_clusters) with), only
    used for R's degeneracy rule (columns with sum of bres^2 <= sqrt(eps) * 10 get NaN).
    """
    ok = np.isfinite(draws).all(axis=0) & ((scale**2) * (draws**2).sum(axis=0) > _TINY)
    se = np.full(draws.shape[1], np.nan)
    if ok.any():
        q = np.quantile(draws[:, ok], [0.25, 0.75], axis=0, method="inverted_cdf")
        se[ok] = (q[1] - q[0]) / _IQR_NORM
    return se


def sup_t_crit(draws: np.ndarray, scale: float, alpha: float) -> float:
    """Critical value for simultaneous bands: (1 - alpha) quantile (R type 1) of max_j |d_j| / se_j."""
    se = boot_se(draws, scale)
    ok = np.isfinite(se) & (se * scale > _TINY)
    if not ok.any():
        return float("nan")
    t = np.max(np.abs(draws[:, ok]) / se[ok], axis=1)
    t = t[np.isfinite(t)]
    return float(np.quantile(t, 1 - alpha, method="inverted_cdf"))
