"""The propensity-score logit (analysis/did/_logit.py): maximum likelihood to machine precision
against statsmodels, R's stopping rule under separation, collinear designs, and the small-system
solver that replaces scipy.linalg.solve(assume_a="pos") behaving exactly like it."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import linalg
from scipy.special import expit

from analysis.did._logit import _GRAM_ROWS, _gram, _solve_pos, fit_logit


def _design(rng: np.random.Generator, n: int, p: int) -> np.ndarray:
    return np.column_stack([np.ones(n), rng.normal(size=(n, p - 1))])


@pytest.mark.parametrize("weighted", [False, True])
def test_maximum_likelihood_equals_statsmodels(weighted):
    rng = np.random.default_rng(3)
    x = _design(rng, 400, 5)
    d = (rng.random(400) < 1 / (1 + np.exp(-(x @ [-0.5, 1.0, -0.7, 0.3, 0.0])))).astype(float)
    w = rng.uniform(0.5, 2.0, 400) if weighted else None
    fit = fit_logit(x, d, w)
    ref = sm.GLM(d, x, family=sm.families.Binomial(), freq_weights=w).fit(tol=1e-14)
    assert fit.converged and not fit.separated and not fit.singular
    np.testing.assert_allclose(fit.coef, ref.params, rtol=1e-10, atol=1e-12)
    assert fit.iterations < 15


def test_separation_stops_where_r_glm_does():
    """Complete separation: the coefficients have no finite maximum. The fit stops once the
    deviance changes by less than 1e-8 relative (R's glm.control(epsilon)), reports separation,
    and orders the fitted probabilities like the data."""
    rng = np.random.default_rng(5)
    z = rng.normal(size=40)
    x = np.column_stack([np.ones(40), z, rng.normal(size=40)])
    d = (z > 0.2).astype(float)
    fit = fit_logit(x, d)
    assert fit.separated and fit.converged and not fit.singular
    assert fit.iterations < 35  # without the rule: 43, until the information matrix broke down
    p = expit(x @ fit.coef)
    assert p[d == 1].min() > 0.99 and p[d == 0].max() < 0.01
    # one more Newton step would still move the coefficients (no finite optimum) ...
    assert np.abs(fit.coef[1]) > 10
    # ... and the deviance it stopped at is within R's tolerance of zero change
    dev = 2 * np.sum(np.logaddexp(0, x @ fit.coef) - d * (x @ fit.coef))
    assert dev < 1e-6


def test_a_single_treated_unit_is_separated_not_an_error():
    rng = np.random.default_rng(11)
    x = _design(rng, 21, 6)
    d = np.zeros(21)
    d[0] = 1.0
    fit = fit_logit(x, d)
    assert fit.separated and np.all(np.isfinite(fit.coef))


def test_collinear_design_is_singular():
    rng = np.random.default_rng(2)
    x = _design(rng, 100, 3)
    x = np.column_stack([x, x[:, 1] + x[:, 2]])
    d = (rng.random(100) < 0.4).astype(float)
    fit = fit_logit(x, d)
    assert fit.singular and not fit.converged


def _scipy_pos(a, b):
    with warnings.catch_warnings():
        warnings.simplefilter("error", linalg.LinAlgWarning)
        return linalg.solve(a, b, assume_a="pos")


def _outcome(f, a, b):
    try:
        return f(a, b)
    except (linalg.LinAlgError, linalg.LinAlgWarning) as e:
        return type(e).__name__


def test_small_solver_is_scipy_solve_pos():
    rng = np.random.default_rng(0)
    for _ in range(300):
        p = int(rng.integers(1, 25))
        x = rng.normal(size=(p + 5, p))
        a, b = x.T @ x, rng.normal(size=p)
        np.testing.assert_allclose(_solve_pos(a, b), _scipy_pos(a, b), rtol=1e-12, atol=1e-14)
    # not positive definite, and ill-conditioned: the same exception as scipy
    u, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    for smallest in (1e-10, 1e-16, 0.0, -1.0):
        a = u @ np.diag([1.0, 1.0, 1.0, 1.0, smallest]) @ u.T
        a = (a + a.T) / 2
        ours, ref = _outcome(_solve_pos, a, np.ones(5)), _outcome(_scipy_pos, a, np.ones(5))
        assert isinstance(ours, str) == isinstance(ref, str)
        if isinstance(ref, str):
            assert ours == ref


@pytest.mark.parametrize("n", [5, _GRAM_ROWS, 2 * _GRAM_ROWS + 17])
def test_information_matrix_by_blocks_equals_the_direct_product(n):
    """x' diag(v) x summed over blocks of rows: the direct product to rounding, and exactly
    symmetric (the Cholesky solve reads one triangle)."""
    rng = np.random.default_rng(11)
    x = _design(rng, n, 6)
    v = rng.uniform(0.0, 0.25, n)
    g = _gram(x, v)
    np.testing.assert_allclose(g, (x.T * v) @ x, rtol=1e-12, atol=1e-12)
    assert np.array_equal(g, g.T)
