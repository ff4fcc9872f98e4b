"""Weighted logistic regression by Newton-Raphson (IRLS), vectorised and numerically stable.

Used for the propensity score of each (cohort, comparison set) model. Probabilities come from
`scipy.special.expit` and the log-likelihood from `logaddexp`, so nothing overflows for large
linear predictors; steps are halved when the deviance does not decrease. Convergence is a
relative step below 1e-10 (stricter than R's glm, so estimates agree with R to machine precision);
under (quasi-)separation, where no step criterion is ever met, the fit stops where R's glm does
(relative change in deviance below 1e-8). Non-convergence and separation are reported in the
result, never silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg
from scipy.linalg import lapack
from scipy.special import expit

_MAX_ITER = 100
_EPS = float(np.finfo(float).eps)
_GLM_EPSILON = 1e-8  # R's glm.control(epsilon): its deviance criterion, used under separation
_ETA_AT_BOUND = 23.0259  # |eta| at which the fitted probability is within 1e-10 of 0 or 1


@dataclass
class LogitFit:
    coef: np.ndarray
    converged: bool
    iterations: int
    separated: bool  # fitted probabilities within 1e-10 of 0 or 1 (quasi-complete separation)
    singular: bool  # the information matrix was singular (collinear covariates)


def _solve_pos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`scipy.linalg.solve(a, b, assume_a="pos")` for one small system, without its per-call
    overhead (the fits are many and small): Cholesky, LinAlgError when `a` is not positive
    definite, LinAlgWarning when its reciprocal condition number is below machine epsilon."""
    c, info = lapack.dpotrf(a, lower=0, clean=1)
    if info != 0:
        raise linalg.LinAlgError("the information matrix is not positive definite")
    rcond, _ = lapack.dpocon(c, float(np.abs(a).sum(axis=0).max()))
    if not rcond >= _EPS:
        raise linalg.LinAlgWarning(f"ill-conditioned information matrix (rcond={rcond:.3g})")
    x, _ = lapack.dpotrs(c, b[:, None], lower=0)
    return x[:, 0]


_GRAM_ROWS = 4096
"""Rows per block of `_gram`: the block's scaled copy stays in cache (docs/SCALING.md, stop 35)."""


def _gram(x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """x' diag(v) x for v >= 0, summed over blocks of `_GRAM_ROWS` rows, each block scaled by
    sqrt(v) and multiplied by its own transpose (numpy's symmetric rank-k update: the result is
    exactly symmetric). One product over all rows (`dsyrk` on a scaled copy of x) was measured
    1.7-2x slower for 45,000-400,000 rows and 44-68 columns, single-threaded."""
    sv = np.sqrt(v)
    out = np.zeros((x.shape[1], x.shape[1]))
    for i in range(0, x.shape[0], _GRAM_ROWS):
        xs = x[i : i + _GRAM_ROWS] * sv[i : i + _GRAM_ROWS, None]
        out += xs.T @ xs
    return out


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
        info = _gram(x, v)
        if ridge > 0:
            grad -= ridge * beta
            info[np.diag_indices(p)] += ridge
        try:
            step = _solve_pos(info, grad)
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
            if np.max(np.abs(new_eta)) > _ETA_AT_BOUND and abs(dev - new_dev) < _GLM_EPSILON * (
                abs(new_dev) + 0.1
            ):
                # (quasi-)separation: the coefficients run off to infinity and the step
                # criterion below is never met; stop where R's glm does (its deviance rule)
                beta, eta = new_beta, new_eta
                converged = True
                break
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
