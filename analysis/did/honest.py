"""Rambachan & Roth (2023) sensitivity analysis, as the HonestDiD R package (0.2.8).

Given an event-study estimate (betahat: the pre-period then the post-period coefficients, the
reference period left out; sigma: their covariance), robust confidence sets for a linear
combination theta = l' tau_post under restrictions on the post-period violations of parallel
trends delta:

* smoothness, Delta^SD(M): the slope of delta changes by at most M between consecutive periods
  (`method` "FLCI" -- the fixed-length CI, HonestDiD's default --, "Conditional" (ARP), "C-LF");
* relative magnitudes, Delta^RM(Mbar): post-period changes in delta are at most Mbar times the
  largest pre-period change (`method` "C-LF" -- HonestDiD's default -- or "Conditional").

The conditional tests are those of Andrews, Roth & Pakes (ARP), with the least-favourable hybrid
("C-LF"); confidence sets are test inversions over a grid of theta values, as in R. Simulated
critical values use R's own random numbers (`_rrng`), so the sets equal R's. Linear programs
are solved with scipy's HiGHS; the FLCI's second-order-cone programs with SLSQP.
Not ported: HonestDiD's sign / monotonicity variants and the "C-F" hybrid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from analysis.did._prep import DiDInputError
from analysis.did._rrng import RRandom

# ---------------------------------------------------------------------------------------------
# restriction matrices
# ---------------------------------------------------------------------------------------------


def _a_sd(npre: int, npost: int) -> np.ndarray:
    n = npre + npost
    at = np.zeros((n - 1, n + 1))
    for r in range(n - 1):
        at[r, r : r + 3] = [1, -2, 1]
    at = np.delete(at, npre, axis=1)
    return np.vstack([at, -at])


def _accepted(betahat, sigma, num_pre, num_post, a, d, l_vec, alpha, hybrid, grid, seed):
    """Grid points accepted by the conditional (ARP) test of A delta <= d, hybrid with
    kappa = alpha / 10: with nuisance parameters when there are several post periods, without
    (HonestDiD's .findCI_NoNuisance) for one."""
    if num_post > 1:
        rws = _rows_touching_post(a, num_pre)
        return _arp_ci(
            betahat,
            sigma,
            num_pre,
            num_post,
            a,
            d,
            l_vec,
            alpha,
            hybrid,
            alpha / 10,
            grid,
            rws,
            seed,
        )
    return _nonuisance_ci(betahat, sigma, num_pre, a, d, alpha, hybrid, alpha / 10, grid, seed)


def _a_rm(npre: int, npost: int, mbar: float, s: int, max_positive: bool) -> np.ndarray:
    n = npre + npost
    at = np.zeros((n, n + 1))
    for r in range(n):
        at[r, r : r + 2] = [-1, 1]
    v = np.zeros(n + 1)
    v[npre + s - 1 : npre + s + 1] = [-1, 1]
    if not max_positive:
        v = -v
    a_ub = np.vstack([np.tile(v, (npre, 1)), np.tile(mbar * v, (npost, 1))])
    a = np.vstack([at - a_ub, -at - a_ub])
    a = a[(a * a).sum(axis=1) > 1e-10]
    return np.delete(a, npre, axis=1)


def _rows_touching_post(a: np.ndarray, npre: int) -> np.ndarray:
    return np.flatnonzero(np.any(a[:, npre:] != 0, axis=1))


# ---------------------------------------------------------------------------------------------
# linear programs
# ---------------------------------------------------------------------------------------------


class _Polytope:
    """Vertices of the dual polytope {lam >= 0 : W' lam = e1} of min eta s.t. W (eta, delta) >= y.

    Every LP HonestDiD solves for one set of moments shares W = [sd, X]; its optimum is the
    maximum of y' lam over these vertices (strong duality), so the 1000 least-favourable draws
    and every grid point cost a matrix product. Falls back to HiGHS when enumeration is too big.
    """

    MAX_BASES = 3_000_000

    def __init__(self, w: np.ndarray):
        from itertools import combinations
        from math import comb

        self.w = w
        m, k1 = w.shape
        self.vertices = None
        if comb(m, k1) > self.MAX_BASES:
            return
        idx = np.array(list(combinations(range(m), k1)), dtype=np.int64)
        mats = np.transpose(w[idx], (0, 2, 1))  # (C, k1, k1): W_B'
        det = np.linalg.det(mats)
        scale = np.abs(w).max() ** k1
        ok = np.abs(det) > 1e-12 * max(scale, 1e-300)
        idx, mats = idx[ok], mats[ok]
        rhs = np.zeros((idx.shape[0], k1))
        rhs[:, 0] = 1.0
        lam_b = np.linalg.solve(mats, rhs[:, :, None])[:, :, 0]
        feas = np.all(lam_b >= -1e-12, axis=1)
        verts = np.zeros((int(feas.sum()), m))
        rows = np.repeat(np.arange(verts.shape[0]), k1)
        verts[rows, idx[feas].ravel()] = np.clip(lam_b[feas], 0.0, None).ravel()
        self.vertices = np.unique(np.round(verts, 14), axis=0) if verts.size else verts

    def solve(self, y: np.ndarray):
        """(eta, lam, ok) for one right-hand side."""
        if self.vertices is None:
            eta, _, lam, ok = _lp_eta(y, self.w[:, 1:], self.w[:, 0])
            return eta, lam, ok
        if self.vertices.shape[0] == 0:
            return np.nan, None, False
        vals = self.vertices @ y
        j = int(np.argmax(vals))
        return float(vals[j]), self.vertices[j], True

    def etas(self, ys: np.ndarray) -> np.ndarray:
        if self.vertices is None:
            return np.array([self.solve(y)[0] for y in ys])
        if self.vertices.shape[0] == 0:
            return np.full(ys.shape[0], np.nan)
        return (ys @ self.vertices.T).max(axis=1)

    def max_linear(self, f: np.ndarray):
        """max f' lam over the polytope: (value, lam) or (nan, None) if empty."""
        if self.vertices is None:
            res = _max_program_highs(self.w, f)
            return (-res.fun, res.x) if res.status == 0 else (np.nan, None)
        if self.vertices.shape[0] == 0:
            return np.nan, None
        vals = self.vertices @ f
        j = int(np.argmax(vals))
        return float(vals[j]), self.vertices[j]


def _lp_eta(y: np.ndarray, x: np.ndarray, sd: np.ndarray):
    """min eta s.t. sd*eta + x delta >= y; returns (eta, delta, duals >= 0, ok)."""
    k = x.shape[1]
    c = np.zeros(k + 1)
    c[0] = 1.0
    res = optimize.linprog(
        c,
        A_ub=-np.column_stack([sd, x]),
        b_ub=-y,
        bounds=[(None, None)] * (k + 1),
        method="highs",
    )
    if res.status != 0:
        return np.nan, None, None, False
    return float(res.fun), res.x[1:], -res.ineqlin.marginals, True


def _max_program_highs(w_t, f):
    aeq = w_t.T
    beq = np.zeros(aeq.shape[0])
    beq[0] = 1.0
    return optimize.linprog(-f, A_eq=aeq, b_eq=beq, bounds=[(0, None)] * f.size, method="highs")


def _roundeps(x: float, eps: float = np.finfo(float).eps ** 0.75) -> float:
    return 0.0 if abs(x) < eps else x


def _vlo_vup_dual(eta, s_t, gamma, sigma, poly: _Polytope):
    tol_c, tol_eq = 1e-6, 1e-6
    sigma_b = np.sqrt(gamma @ sigma @ gamma)
    low0 = min(-100.0, eta - 20 * sigma_b)
    high0 = max(100.0, eta + 20 * sigma_b)
    maxiters, switchiters = 10000, 10
    bvec = (sigma @ gamma) / float(gamma @ sigma @ gamma)

    def check(cc):
        val, lam = poly.max_linear(s_t + bvec * cc)
        ok = np.isfinite(val) and abs(cc - val) <= tol_eq
        return ok, lam

    ok, _ = check(eta)
    if not ok:
        return eta, np.inf
    out = []
    for start, direction in ((high0, 1), (low0, -1)):
        ok, res = check(start)
        if ok:
            out.append(np.inf if direction == 1 else -np.inf)
            continue
        dif, iters = 0.0, 1
        mid = _roundeps(float(res @ s_t)) / (1 - float(res @ bvec))
        while True:
            ok, res = check(mid)
            if ok or iters >= maxiters:
                break
            iters += 1
            if iters >= switchiters:
                dif = tol_c + 1
                break
            mid = _roundeps(float(res @ s_t)) / (1 - float(res @ bvec))
        if direction == 1:
            low, high = eta, mid
            while dif > tol_c and iters < maxiters:
                iters += 1
                mid = (high + low) / 2
                if check(mid)[0]:
                    low = mid
                else:
                    high = mid
                dif = high - low
        else:
            low, high = mid, eta
            while dif > tol_c and iters < maxiters:
                mid = (low + high) / 2
                iters += 1
                if check(mid)[0]:
                    high = mid
                else:
                    low = mid
                dif = high - low
        out.append(mid)
    return out[1], out[0]


def _norminvp(p: float, lo: float, hi: float) -> float:
    return float(stats.truncnorm.ppf(p, lo, hi))


# ---------------------------------------------------------------------------------------------
# ARP conditional / hybrid tests with nuisance parameters
# ---------------------------------------------------------------------------------------------


def _lf_cv(x_t, sigma, kappa, rows, seed, sims=1000):
    """Least-favourable critical value (R: .compute_least_favorable_cv)."""
    rng = RRandom(seed)
    if x_t is None:
        xi = rng.mvnorm(sims, sigma) / np.sqrt(np.diag(sigma))
        return float(np.quantile(xi.max(axis=1), 1 - kappa))
    x_t = x_t[rows]
    sigma = sigma[np.ix_(rows, rows)]
    sd = np.sqrt(np.diag(sigma))
    xi = rng.mvnorm(sims, sigma)
    etas = _Polytope(np.column_stack([sd, x_t])).etas(xi)
    return float(np.nanquantile(etas, 1 - kappa))


def _rank(m: np.ndarray) -> int:
    return int(np.linalg.matrix_rank(m)) if m.size else 0


def _conditional_test(y_t, x_t, sigma, alpha, hybrid, hl, rows, poly) -> bool:
    """R's .lp_conditional_test_fn: True = reject."""
    y = y_t[rows]
    x = x_t[rows]
    sig = sigma[np.ix_(rows, rows)]
    m_rows, k = x.shape
    sd = np.sqrt(np.diag(sig))
    eta, lam, ok = poly.solve(y)
    if not ok:
        return False
    if hybrid == "LF":
        mod_size = (alpha - hl["kappa"]) / (1 - hl["kappa"])
        if eta > hl["lf_cv"]:
            return True
    else:
        mod_size = alpha
    tol = 1e-6
    b_idx = lam > tol
    degenerate = int(b_idx.sum()) != k + 1
    x_b = x[b_idx]
    full_rank = x_b.size > 0 and _rank(x_b) == min(x_b.shape)
    if not full_rank or degenerate:
        s_t = (np.eye(m_rows) - np.outer(sig @ lam, lam) / float(lam @ sig @ lam)) @ y
        vlo, vup = _vlo_vup_dual(eta, s_t, lam, sig, poly)
        s2 = float(lam @ sig @ lam)
        if abs(s2) < np.finfo(float).eps:
            return eta > 0
        sb = np.sqrt(s2)
        maxstat = eta / sb
        zlo = vlo / sb
        zup = (min(vup, hl["lf_cv"]) if hybrid == "LF" else vup) / sb
    else:
        bc_idx = ~b_idx
        sd_b, sd_bc = sd[b_idx], sd[bc_idx]
        sel_b = np.eye(m_rows)[b_idx]
        sel_bc = np.eye(m_rows)[bc_idx]
        inv = np.linalg.inv(np.column_stack([sd_b, x_b]))
        gam = np.column_stack([sd_bc, x[bc_idx]]) @ inv @ sel_b - sel_bc
        e1 = np.zeros(int(b_idx.sum()))
        e1[0] = 1
        v_b = (e1 @ inv @ sel_b).ravel()
        s2 = float(v_b @ sig @ v_b)
        sb = np.sqrt(s2)
        rho = (gam @ sig @ v_b) / s2
        mm = (-gam @ y) / rho + float(v_b @ y)
        vlo = mm[rho > 0].max() if np.any(rho > 0) else -np.inf
        vup = mm[rho < 0].min() if np.any(rho < 0) else np.inf
        zlo = vlo / sb
        zup = (min(vup, hl["lf_cv"]) if hybrid == "LF" else vup) / sb
        maxstat = eta / sb
    if not (zlo <= maxstat <= zup):
        return False
    cval = max(0.0, _norminvp(1 - mod_size, zlo, zup))
    return bool(maxstat > cval)


def _rref(a: np.ndarray) -> np.ndarray:
    """pracma::rref."""
    a = a.astype(float).copy()
    nr, nc = a.shape
    tol = np.finfo(float).eps * max(nr, nc) * np.abs(a).max()
    r = 0
    for i in range(nc):
        piv = r + int(np.argmax(np.abs(a[r:, i])))
        if abs(a[piv, i]) <= tol:
            a[r:, i] = 0
            continue
        a[[piv, r], i:] = a[[r, piv], i:]
        a[r, i:] = a[r, i:] / a[r, i]
        others = [j for j in range(nr) if j != r]
        a[others, i:] -= np.outer(a[others, i], a[r, i:])
        if r == nr - 1:
            break
        r += 1
    a[np.abs(a) < tol] = 0
    return a


def _gamma(l_vec: np.ndarray) -> np.ndarray:
    b = np.column_stack([l_vec, np.eye(l_vec.size)])
    rb = _rref(b)
    lead = [int(np.flatnonzero(rb[r] != 0)[0]) for r in range(rb.shape[0])]
    return b[:, lead].T


def _arp_ci(betahat, sigma, npre, npost, a, d, l_vec, alpha, hybrid, kappa, grid, rows, seed):
    gam = _gamma(l_vec)
    agi = a[:, npre:] @ np.linalg.inv(gam)
    one, x_t = agi[:, 0], agi[:, 1:]
    y = a @ betahat - d
    sig_y = a @ sigma @ a.T
    hl = {"kappa": kappa}
    if hybrid == "LF":
        hl["lf_cv"] = _lf_cv(x_t, sig_y, kappa, rows, seed)
    sd = np.sqrt(np.diag(sig_y[np.ix_(rows, rows)]))
    poly = _Polytope(np.column_stack([sd, x_t[rows]]))
    return np.array(
        [
            not _conditional_test(y - one * th, x_t, sig_y, alpha, hybrid, hl, rows, poly)
            for th in grid
        ]
    )


def _test_no_nuisance(y, sigma, a, d, alpha, hybrid, hl) -> bool:
    """R's .testInIdentifiedSet (ARP) / _LF_Hybrid, one post period: True = reject."""
    sig_t = np.sqrt(np.diag(a @ sigma @ a.T))
    at = a / sig_t[:, None]
    dt = d / sig_t
    mom = at @ y - dt
    loc = int(np.argmax(mom))
    if hybrid == "LF" and mom[loc] > hl["lf_cv"]:
        return True
    size = alpha if hybrid == "ARP" else (alpha - hl["kappa"]) / (1 - hl["kappa"])
    g = at[loc]
    abar = at - at[loc][None, :]
    dbar = dt - dt[loc]
    sbar = np.sqrt(g @ sigma @ g)
    c = sigma @ g / float(g @ sigma @ g)
    z = y - c * float(g @ y)
    ac = abar @ c
    obj = (dbar - abar @ z) / np.where(ac == 0, np.nan, ac)
    vlo = obj[ac < 0].max() if np.any(ac < 0) else -np.inf
    vup = obj[ac > 0].min() if np.any(ac > 0) else np.inf
    mu = dt[loc]
    crit = max(0.0, mu + sbar * _norminvp(1 - size, (vlo - mu) / sbar, (vup - mu) / sbar))
    return bool(mom[loc] + dt[loc] > crit)


def _nonuisance_ci(betahat, sigma, npre, a, d, alpha, hybrid, kappa, grid, seed):
    hl = {"kappa": kappa}
    if hybrid == "LF":
        hl["lf_cv"] = _lf_cv(None, a @ sigma @ a.T, kappa, None, seed)
    e = np.zeros(betahat.size)
    e[npre] = 1.0
    return np.array(
        [not _test_no_nuisance(betahat - e * th, sigma, a, d, alpha, hybrid, hl) for th in grid]
    )


# ---------------------------------------------------------------------------------------------
# public: relative magnitudes, smoothness, original CI
# ---------------------------------------------------------------------------------------------


def _check(betahat, sigma, npre, npost, l_vec):
    betahat = np.asarray(betahat, dtype=float).ravel()
    sigma = np.asarray(sigma, dtype=float)
    if sigma.shape != (betahat.size, betahat.size):
        raise DiDInputError("sigma must be a square matrix conformable with betahat")
    if npre + npost != betahat.size or npre < 1 or npost < 1:
        raise DiDInputError("num_pre + num_post must equal the length of betahat (both >= 1)")
    l_vec = np.eye(npost)[0] if l_vec is None else np.asarray(l_vec, dtype=float).ravel()
    if l_vec.size != npost:
        raise DiDInputError("l_vec must have one weight per post period")
    return betahat, sigma, l_vec


def original_cs(betahat, sigma, num_pre, num_post, l_vec=None, alpha=0.05) -> dict:
    """HonestDiD's constructOriginalCS: l'beta_post +- z * se."""
    betahat, sigma, l_vec = _check(betahat, sigma, num_pre, num_post, l_vec)
    post = slice(num_pre, num_pre + num_post)
    est = float(l_vec @ betahat[post])
    se = float(np.sqrt(l_vec @ sigma[post, post] @ l_vec))
    z = float(stats.norm.ppf(1 - alpha / 2))
    return {"lb": est - z * se, "ub": est + z * se, "method": "Original", "Delta": None}


def relative_magnitudes(
    betahat,
    sigma,
    num_pre: int,
    num_post: int,
    mbar=(0.5, 1.0, 1.5, 2.0),
    *,
    l_vec=None,
    method: str = "C-LF",
    alpha: float = 0.05,
    grid_points: int = 1000,
    grid_lb: float | None = None,
    grid_ub: float | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """createSensitivityResults_relativeMagnitudes (bound "deviation from parallel trends")."""
    betahat, sigma, l_vec = _check(betahat, sigma, num_pre, num_post, l_vec)
    if method not in ("C-LF", "Conditional"):
        raise DiDInputError("method must be 'C-LF' or 'Conditional' for relative magnitudes")
    hybrid = "LF" if method == "C-LF" else "ARP"
    post = slice(num_pre, num_pre + num_post)
    sd_theta = float(np.sqrt(l_vec @ sigma[post, post] @ l_vec))
    ub = 20 * sd_theta if grid_ub is None else grid_ub
    lb = -20 * sd_theta if grid_lb is None else grid_lb
    grid = np.linspace(lb, ub, grid_points)
    rows = []
    for mb in np.atleast_1d(mbar):
        accept = np.zeros(grid_points, dtype=bool)
        for s in range(-(num_pre - 1), 1):
            for sign in (True, False):
                # the interval is over the union of the accepted sets: a point one (s, sign)
                # accepts need not be tested again (each point's test does not depend on others)
                todo = np.flatnonzero(~accept)
                if todo.size == 0:
                    break
                a = _a_rm(num_pre, num_post, float(mb), s, sign)
                d = np.zeros(a.shape[0])
                if num_post == 1:
                    keep = np.flatnonzero(a[:, -1] != 0)
                    a, d = a[keep], d[keep]
                accept[todo] = _accepted(
                    betahat, sigma, num_pre, num_post, a, d, l_vec, alpha, hybrid, grid[todo], seed
                )
        rows.append(_interval(grid, accept, method, "DeltaRM", "Mbar", float(mb)))
    return pd.DataFrame(rows)


def _interval(grid, accept, method, delta, key, val) -> dict:
    lo = float(grid[accept].min()) if accept.any() else np.nan
    hi = float(grid[accept].max()) if accept.any() else np.nan
    return {"lb": lo, "ub": hi, "method": method, "Delta": delta, key: val}


def _id_set_sd(m, l_vec, npre, npost):
    """Identified set of l'delta_post under Delta^SD(M) with pre-period delta = 0."""
    a = _a_sd(npre, npost)
    d = np.full(a.shape[0], m)
    n = npre + npost
    f = np.concatenate([np.zeros(npre), l_vec])
    aeq = np.column_stack([np.eye(npre), np.zeros((npre, npost))])
    kw = {"A_ub": a, "b_ub": d, "A_eq": aeq, "b_eq": np.zeros(npre)}
    kw["bounds"] = [(None, None)] * n
    mx = optimize.linprog(-f, method="highs", **kw)
    mn = optimize.linprog(f, method="highs", **kw)
    return mx.fun, -mn.fun  # (id.lb, id.ub) = (-max, -min) with trueBeta = 0


def smoothness(
    betahat,
    sigma,
    num_pre: int,
    num_post: int,
    m=(0.0,),
    *,
    l_vec=None,
    method: str = "FLCI",
    alpha: float = 0.05,
    grid_points: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """createSensitivityResults (Delta^SD(M)): FLCI, Conditional (ARP) or C-LF."""
    betahat, sigma, l_vec = _check(betahat, sigma, num_pre, num_post, l_vec)
    rows = []
    for mm in np.atleast_1d(m):
        mm = float(mm)
        if method == "FLCI":
            res = flci(betahat, sigma, num_pre, num_post, mm, l_vec=l_vec, alpha=alpha, seed=seed)
            rows.append(
                {"lb": res["lb"], "ub": res["ub"], "method": "FLCI", "Delta": "DeltaSD", "M": mm}
            )
            continue
        if method not in ("Conditional", "C-LF"):
            raise DiDInputError("method must be 'FLCI', 'Conditional' or 'C-LF' for smoothness")
        hybrid = "LF" if method == "C-LF" else "ARP"
        a = _a_sd(num_pre, num_post)
        d = np.full(a.shape[0], mm)
        post = slice(num_pre, num_pre + num_post)
        sd_theta = float(np.sqrt(l_vec @ sigma[post, post] @ l_vec))
        id_lb, id_ub = _id_set_sd(mm, l_vec, num_pre, num_post)
        grid = np.linspace(id_lb - 20 * sd_theta, id_ub + 20 * sd_theta, grid_points)
        acc = _accepted(betahat, sigma, num_pre, num_post, a, d, l_vec, alpha, hybrid, grid, seed)
        rows.append(_interval(grid, acc, method, "DeltaSD", "M", mm))
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# FLCI (Armstrong & Kolesar style fixed-length CI under Delta^SD), HonestDiD's findOptimalFLCI
# ---------------------------------------------------------------------------------------------


@dataclass
class _FlciProblem:
    npre: int
    npost: int
    l_vec: np.ndarray
    aq: np.ndarray
    al: np.ndarray
    ac: float
    a_abs: np.ndarray
    sum_target: float
    const: float


def _flci_problem(sigma, npre, npost, l_vec) -> _FlciProblem:
    k = npre
    low = np.tril(np.ones((k, k)))
    a_abs = np.vstack([np.hstack([-np.eye(k), low]), np.hstack([-np.eye(k), -low])])
    w2l = np.eye(k)
    for col in range(k - 1):
        w2l[col + 1, col] = -1
    uw = np.hstack([np.zeros((k, k)), w2l])
    pre = slice(0, npre)
    post = slice(npre, npre + npost)
    aq = uw.T @ sigma[pre, pre] @ uw
    al = 2 * uw.T @ sigma[pre, post] @ l_vec
    ac = float(l_vec @ sigma[post, post] @ l_vec)
    idx = np.arange(1, npost + 1)
    const = sum(
        abs(float(np.arange(1, s + 1) @ l_vec[npost - s :])) for s in range(1, npost + 1)
    ) - float(idx @ l_vec)
    return _FlciProblem(npre, npost, l_vec, aq, al, ac, a_abs, float(idx @ l_vec), const)


def _var_of(pb: _FlciProblem, x):
    return float(x @ pb.aq @ x + pb.al @ x + pb.ac)


def _min_var(pb: _FlciProblem):
    k = pb.npre
    x0 = np.concatenate([np.full(k, abs(pb.sum_target)), np.zeros(k - 1), [pb.sum_target]])
    cons = [
        {"type": "ineq", "fun": lambda x: -pb.a_abs @ x, "jac": lambda x: -pb.a_abs},
        {
            "type": "eq",
            "fun": lambda x: np.array([x[k:].sum() - pb.sum_target]),
            "jac": lambda x: np.concatenate([np.zeros(k), np.ones(k)])[None, :],
        },
    ]
    sc = max(pb.ac, 1e-300)
    res = optimize.minimize(
        lambda x: _var_of(pb, x) / sc,
        x0,
        jac=lambda x: (2 * pb.aq @ x + pb.al) / sc,
        constraints=cons,
        method="SLSQP",
        options={"ftol": 1e-15, "maxiter": 2000},
    )
    return res.x, _var_of(pb, res.x)


def _bias_given_h(pb: _FlciProblem, h: float, x_start):
    k = pb.npre
    h2 = h * h
    cons = [
        {"type": "ineq", "fun": lambda x: -pb.a_abs @ x, "jac": lambda x: -pb.a_abs},
        {
            "type": "eq",
            "fun": lambda x: np.array([x[k:].sum() - pb.sum_target]),
            "jac": lambda x: np.concatenate([np.zeros(k), np.ones(k)])[None, :],
        },
        {
            "type": "ineq",
            "fun": lambda x: np.array([1.0 - _var_of(pb, x) / h2]),
            "jac": lambda x: (-(2 * pb.aq @ x + pb.al) / h2)[None, :],
        },
    ]
    obj = np.concatenate([np.ones(k), np.zeros(k)])
    res = optimize.minimize(
        lambda x: obj @ x,
        x_start,
        jac=lambda x: obj,
        constraints=cons,
        method="SLSQP",
        options={"ftol": 1e-15, "maxiter": 2000},
    )
    x = res.x
    return pb.const + float(obj @ x), x


class FoldedQuantile:
    """`q`-quantile of |draws + mu| for any mu, equal to the bit to
    `np.quantile(np.abs(draws + mu), q)` (numpy's default "linear" method) but about ten times
    faster: the draws are sorted once; |draws + mu| is the union of two ascending runs (draws
    above and below -mu), whose two order statistics around the quantile are found by bisection
    and interpolated as numpy does (`numpy.lib._function_base_impl._lerp`)."""

    def __init__(self, draws: np.ndarray, q: float):
        self.sorted = np.sort(np.asarray(draws, dtype=float))
        index = (self.sorted.size - 1) * np.float64(q)  # numpy's virtual index ("linear")
        self.k = int(np.floor(index))
        self.gamma = float(index - np.floor(index))

    def __call__(self, mu: float) -> float:
        t = self.sorted + mu
        i0 = int(np.searchsorted(t, 0.0, side="left"))
        lo, hi = _kth_of_two(t[i0:], -t[:i0][::-1], self.k)
        if self.k + 1 >= t.size:  # the largest draw: numpy clips the next index
            hi = lo
        d, g = hi - lo, self.gamma
        return float(hi - d * (1 - g)) if g >= 0.5 else float(lo + d * g)


def _kth_of_two(a: np.ndarray, b: np.ndarray, k: int) -> tuple[float, float]:
    """The k-th (0-based) smallest element of the union of ascending arrays a and b, and the
    next one."""
    m = k + 1
    lo, hi = max(0, m - b.size), min(m, a.size)
    while lo < hi:  # the number of elements taken from a
        i = (lo + hi) // 2
        if i < a.size and m - i > 0 and b[m - i - 1] > a[i]:
            lo = i + 1
        else:
            hi = i
    i, j = lo, m - lo
    kth = max(a[i - 1] if i > 0 else -np.inf, b[j - 1] if j > 0 else -np.inf)
    nxt = min(a[i] if i < a.size else np.inf, b[j] if j < b.size else np.inf)
    return float(kth), float(nxt)


def flci(betahat, sigma, num_pre, num_post, m=0.0, *, l_vec=None, alpha=0.05, seed=0) -> dict:
    """HonestDiD's findOptimalFLCI: the shortest fixed-length CI under Delta^SD(M)."""
    betahat, sigma, l_vec = _check(betahat, sigma, num_pre, num_post, l_vec)
    pb = _flci_problem(sigma, num_pre, num_post, l_vec)
    k = num_pre
    # R: .qfoldednormal, set.seed(seed); rnorm(1e6)
    qfold = FoldedQuantile(RRandom(seed).norm(10**6), 1 - alpha)

    w0 = np.concatenate([np.zeros(k - 1), [pb.sum_target]])
    x_h0 = np.concatenate([np.abs(np.cumsum(w0)), w0])
    h0 = np.sqrt(_var_of(pb, x_h0))
    x_min, v_min = _min_var(pb)
    h_min = np.sqrt(v_min)
    cache: dict[float, tuple[float, np.ndarray]] = {}

    def bias(h):
        if h not in cache:
            start = x_h0 if h >= h0 else x_min
            if h <= h_min * (1 + 1e-12):
                cache[h] = (pb.const + float(x_min[:k].sum()), x_min)
            else:
                cache[h] = _bias_given_h(pb, h, start)
        return cache[h]

    def f(h):
        b = bias(h)[0]
        return qfold(m * b / h) * h

    a, b = h_min, h0
    dif = min((b - a) / 100, abs(b) * np.finfo(float).eps ** (1 / 3))
    fa, fb = f(a), f(b)
    fpa = (f(a + dif) - fa) / dif
    fpb = (f(b - dif) - fb) / -dif
    failtol = np.finfo(float).eps ** 0.5
    maxiter = 10 * int(np.ceil(np.log(abs(b - a) / dif) / np.log(2))) if b > a else 0
    hstar = np.nan
    if fpa > fpb:
        hstar = np.nan
    elif fpb < 0:
        hstar = b
    elif fpa > 0:
        hstar = a
    else:
        it, failed = 1, False
        while not failed and abs(b - a) > dif:
            it += 1
            x = (a + b) / 2
            fpx = (f(x + dif) - f(x - dif)) / (2 * dif)
            failed = (fpx > fpb + failtol) or (fpx + failtol < fpa) or it > maxiter
            if fpx > 0:
                b = x
            else:
                a = x
        hstar = np.nan if failed else (a + b) / 2
    if not np.isfinite(hstar):  # R's fallback: a grid over [hMin, h0]
        hs = np.linspace(h_min, h0, 100)
        vals = [f(h) for h in hs]
        hstar = float(hs[int(np.argmin(vals))])
    bval, x = bias(hstar)
    w = x[k:]
    l_pre = w.copy()
    l_pre[1:] -= w[:-1]
    half = qfold(m * bval / hstar) * hstar
    vec = np.concatenate([l_pre, l_vec])
    centre = float(vec @ betahat)
    return {"lb": centre - half, "ub": centre + half, "optimal_vec": vec, "half_length": half}


# ---------------------------------------------------------------------------------------------
# from an event study of this package
# ---------------------------------------------------------------------------------------------


def honest_event_study(es, e: int = 0, type: str = "smoothness", **kwargs) -> dict[str, object]:
    """Sensitivity of the event-time-e effect of a dynamic `aggte` result (as R's honest_did).

    Needs base_period="universal" (reference e = -1, dropped) and consecutive event times;
    betahat / sigma are the event-time estimates and their covariance (analytic, from the
    influence function: V = IF'IF / n^2 in R). Returns {"robust": DataFrame, "original": dict}.
    """
    if es.type != "dynamic" or es.table is None or es.vcov is None:
        raise DiDInputError("honest_event_study needs a dynamic aggte result")
    egt = es.table["event_time"].to_numpy()
    if not (np.all(np.diff(egt[egt <= -1]) == 1) and np.all(np.diff(egt[egt >= -1]) == 1)):
        raise DiDInputError("honest_event_study expects consecutive event times")
    keep = egt != -1
    if (egt == -1).any() and np.isfinite(es.table["se"].to_numpy()[egt == -1]).any():
        raise DiDInputError("use a universal base period (att_gt(base_period='universal'))")
    beta = es.table["att"].to_numpy()[keep]
    sigma = es.vcov[np.ix_(keep, keep)]
    npre = int((egt < -1).sum())
    npost = beta.size - npre
    if npre < 1 or npost < 1:
        raise DiDInputError("need at least one pre- and one post-period event time")
    l_vec = np.zeros(npost)
    l_vec[e] = 1.0
    orig = original_cs(beta, sigma, npre, npost, l_vec=l_vec)
    if type == "relative_magnitude":
        robust = relative_magnitudes(beta, sigma, npre, npost, l_vec=l_vec, **kwargs)
    elif type == "smoothness":
        robust = smoothness(beta, sigma, npre, npost, l_vec=l_vec, **kwargs)
    else:
        raise DiDInputError("type must be 'smoothness' or 'relative_magnitude'")
    return {"robust": robust, "original": orig}
