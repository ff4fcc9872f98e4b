"""Container for event-study results with the joint influence-function covariance."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

Z95 = float(stats.norm.ppf(0.975))


@dataclass
class EventStudy:
    """Event-time estimates for one estimator and outcome, per subgroup.

    estimate[s, k] is the effect at event time event_times[k] for subgroup subgroups[s];
    vcov[s] its E x E covariance (sum over persons of the outer product of the person-level
    influence functions, i.e. clustered by person); n_treated[s, k] the number of treated persons
    the estimate uses. NaN marks event times that cannot be estimated.
    """

    estimator: str
    outcome: str
    event_times: np.ndarray
    subgroups: list[str]
    estimate: np.ndarray
    vcov: np.ndarray
    n_treated: np.ndarray
    reference: int | None = None  # event time normalised to 0 (TWFE: -1), if any
    meta: dict = field(default_factory=dict)

    def subgroup_meta(self, s: int) -> dict:
        """The meta of subgroup row s (a stacked study keeps one per subgroup in "by_subgroup")."""
        return self.meta["by_subgroup"][s] if "by_subgroup" in self.meta else self.meta

    def se(self) -> np.ndarray:
        d = np.diagonal(self.vcov, axis1=1, axis2=2)
        return np.sqrt(np.clip(d, 0.0, None))

    def linear(self, s: int, weights: dict[int, float]) -> tuple[float, float]:
        """Estimate and SE of sum_e w_e * effect(e) for subgroup index s."""
        w = np.zeros(self.event_times.size)
        for e, v in weights.items():
            k = np.flatnonzero(self.event_times == e)
            if k.size == 0:
                return np.nan, np.nan
            w[k[0]] = v
        used = w != 0
        est = self.estimate[s]
        if np.isnan(est[used]).any():
            return np.nan, np.nan
        value = float(np.nansum(w[used] * est[used]))
        cov = self.vcov[s][np.ix_(used, used)]
        return value, float(np.sqrt(max(w[used] @ cov @ w[used], 0.0)))

    def wald(self, s: int, event_times) -> tuple[float, int, float]:
        """Joint Wald test that the effects at `event_times` are all zero (estimable ones only)."""
        idx = [
            int(np.flatnonzero(self.event_times == e)[0])
            for e in event_times
            if e in self.event_times
        ]
        idx = [k for k in idx if np.isfinite(self.estimate[s, k])]
        # event times without sampling variance (e.g. the outcome in that month is a covariate,
        # so the estimate is 0 by construction) carry no test: only rounding noise
        var = np.diagonal(self.vcov[s])
        scale = np.nanmax(np.where(np.isfinite(self.estimate[s]), var, np.nan), initial=0.0)
        idx = [k for k in idx if var[k] > 1e-12 * scale]
        if not idx:
            return np.nan, 0, np.nan
        return wald_test(self.estimate[s, idx], self.vcov[s][np.ix_(idx, idx)], scale)


def wald_test(b: np.ndarray, v: np.ndarray, scale: float) -> tuple[float, int, float]:
    """Wald statistic, df and p of b = 0 with covariance v: directions of v with variance at most
    1e-12 `scale` (a reference variance) carry no test, only rounding noise (leads conditioned
    on, or deviations from a mean: v singular). (0, 0, NaN) when no direction is left."""
    w, u = np.linalg.eigh((v + v.T) / 2)
    keep = w > 1e-12 * scale
    df = int(keep.sum())
    if df == 0:
        return 0.0, 0, np.nan
    z = u[:, keep].T @ b
    stat = float(max(0.0, np.sum(z * z / w[keep])))
    return stat, df, float(stats.chi2.sf(stat, df))
