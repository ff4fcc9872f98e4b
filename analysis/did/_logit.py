"""Weighted logistic regression by Newton-Raphson (IRLS), vectorised and numerically stable.

Used for the propensity score of each (cohort, comparison set) model. Probabilities come from
`scipy.special.expit` and the log-likelihood from `logaddexp`, so nothing overflows for large
linear predictors; steps are halved when the deviance does not decrease. Non-convergence and
(quasi-)separation are reported in the result, never silently ignored.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import linalg
from scipy.special import expit

_MAX_ITER = 100
_TOL = 1e-12  # relative change in deviance (R's glm uses 1e-8; we iterate to machine precision)


@dataclass
class LogitFit:
    coef: np.ndarray
    converged: bool
    iterations: int
    separated: bool  # fitted probabilities within 1e-10 of 0 or 1 (quasi-complete separation)
    singular: bool  # the information matrix was singular (collinear covariates)


def _deviance(eta: np.ndarray, d: np.ndarray, w: np.ndarray, penalty: float = 0.0) -> float:
    # -2 log L = 2 sum w [log(1 + e^eta) - d eta] (+ the ridge penalty ridge |beta|^2)
    return 2.0 * float(np.dot(w, np.logaddexp(0.0, eta) - d * eta)) + penalty


def fit_logit(
    x: np.ndarray,
    d: np.ndarray,
    w: np.ndarray | None = None,
    start: np.ndarray | None = None,
    ridge: float = 0.0,
) -> LogitFit:
    """Maximum-likelihood logit of d (0/1) on x (with its own intercept column), weights w.

    `ridge` > 0 maximises the log-likelihood minus ridge/2 |beta|^2 (every coefficient
    penalised), for designs with many dummies that may be separated; 0 (the default, R's glm)
    leaves the computation exactly that of the plain fit."""
    n, p = x.shape
    wv = np.ones(n) if w is None else w
    beta = np.zeros(p) if start is None else np.asarray(start, dtype=float).copy()
    if start is None:
        # intercept-only start: logit of the weighted mean (x is assumed to carry a constant)
        m = float(np.dot(wv, d) / wv.sum())
        m = min(max(m, 1e-6), 1 - 1e-6)
        const = np.flatnonzero(np.all(x == x[:1], axis=0))
        if const.size:
            beta[const[0]] = np.log(m / (1 - m)) / x[0, const[0]]
    eta = x @ beta
    dev = None  # computed only when a step is large enough to need the safeguard
    converged = False
    singular = False
    it = 0
    for _it in range(1, _MAX_ITER + 1):
        it = _it
        mu = expit(eta)
        v = wv * mu * (1.0 - mu)
        grad = x.T @ (wv * (d - mu))
        info = (x * v[:, None]).T @ x
        if ridge > 0:
            grad -= ridge * beta
            info[np.diag_indices(p)] += ridge
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", linalg.LinAlgWarning)
                step = linalg.solve(info, grad, assume_a="pos")
        except (linalg.LinAlgError, linalg.LinAlgWarning, ValueError):
            # either a collinear design (R's fastglm returns NA coefficients) or fitted
            # probabilities that have run to 0/1 (separation): tell them apart by the design
            singular = int(np.linalg.matrix_rank(x)) < p
            break
        new_beta = beta + step
        new_eta = x @ new_beta
        if np.max(np.abs(new_eta - eta)) > 0.5:
            # far from the optimum: halve the step until the deviance does not increase
            if dev is None:
                dev = _deviance(eta, d, wv, ridge * float(beta @ beta))
            shrink = 1.0
            for _ in range(40):
                new_dev = _deviance(new_eta, d, wv, ridge * float(new_beta @ new_beta))
                if np.isfinite(new_dev) and new_dev <= dev + 1e-12 * (abs(dev) + 1.0):
                    break
                shrink *= 0.5
                new_beta = beta + shrink * step
                new_eta = x @ new_beta
            dev = new_dev
        else:
            dev = None  # Newton's quadratic model is accurate here: take the full step
        step_size = float(np.max(np.abs(new_beta - beta)))
        beta, eta = new_beta, new_eta
        if step_size < 1e-10 * (1.0 + float(np.max(np.abs(beta)))):
            converged = True
            break
    mu = expit(eta)
    separated = bool(np.any(mu > 1 - 1e-10) or np.any(mu < 1e-10))
    return LogitFit(
        coef=beta, converged=converged, iterations=it, separated=separated, singular=singular
    )
