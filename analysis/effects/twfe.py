"""Two-way fixed-effects event study from sufficient statistics on a balanced panel.

Model (the conventional baseline, `twfe_event_study` in marts.effects):

    y_it = alpha_i + lambda_t + sum_{k != -1} beta_k 1{bin(t - g_i) = k} + u_it

with person effects alpha_i, calendar-month effects lambda_t and relative-time dummies for
k = lo..hi (default -12..36), the endpoints binned (k = lo collects all t - g <= lo, k = hi all
t - g >= hi) and k = -1 the reference. Never-treated persons have no dummies.

Computation without the N*T x K design: in a balanced panel two-way demeaning is exact,
x~_it = x_it - xbar_i. - xbar_.t + xbar_.., and the dummies depend on the person only through
the cohort g_i, so the demeaned dummies D~_g (T x K) are per cohort. Then
    X'X = sum_g n_g D~_g' D~_g,   X'y = sum_g D~_g' S_g   (S_g = cohort-period sums of y),
and the person score for the cluster-robust sandwich is s_i = D~_{g_i}' e_i with the residuals
e_i = y~_i - D~_{g_i} beta computed on dense (persons x T) chunks.

Variance: CRV1 clustered by person with pyfixest's default small-sample factor
G/(G-1) * (NT-1)/(NT-K-T): pyfixest counts the K slopes plus the non-nested fixed effects (the
T month effects; the person effects are nested in the person clusters and count once), which is
fixest's `fixef.K = "nested"` convention. The tests check estimates (1e-8) and SEs against
pyfixest `feols("y ~ i(rel, ref=-1) | person + month", vcov={"CRV1": "person"})`.
"""

from __future__ import annotations

import numpy as np

from analysis.design import NEVER
from analysis.effects.result import EventStudy


def twfe_event_study(
    y: np.ndarray,
    first_start: np.ndarray,
    rows: np.ndarray | None = None,
    lo: int = -12,
    hi: int = 36,
    ref: int = -1,
    chunk: int = 65536,
    outcome: str = "",
    estimator: str = "twfe_event_study",
) -> EventStudy:
    """TWFE event study for the persons `rows` (all if None) of the (N, T) outcome matrix `y`.

    Cohorts are first_start values (month offsets; NEVER = never treated -> no dummies).
    Returns an EventStudy (subgroup 'ALL') over event times lo..hi; the reference event time
    has estimate 0 and variance 0.
    """
    n_all, T = y.shape
    rows = np.arange(n_all) if rows is None else np.asarray(rows)
    if rows.dtype == bool:
        rows = np.flatnonzero(rows)
    G = np.asarray(first_start, dtype=np.int64)[rows]
    N = rows.size
    ks = np.array([k for k in range(lo, hi + 1) if k != ref])
    K = ks.size
    cohorts, inv, n_g = np.unique(G, return_inverse=True, return_counts=True)
    n_cls = cohorts.size
    t = np.arange(T)
    D = np.zeros((n_cls, T, K))
    for c, g in enumerate(cohorts):
        if g >= NEVER:
            continue
        rel = np.clip(t - g, lo, hi)
        D[c] = rel[:, None] == ks[None, :]
    d_row = D.mean(axis=1)  # (C, K)
    d_col = np.einsum("c,ctk->tk", n_g / N, D)  # (T, K)
    d_all = d_col.mean(axis=0)
    Dt = D - d_row[:, None, :] - d_col[None, :, :] + d_all[None, None, :]
    XX = np.einsum("c,ctk,ctl->kl", n_g.astype(float), Dt, Dt)

    order = np.argsort(inv, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(n_g)])
    S = np.zeros((n_cls, T))
    for c in range(n_cls):
        idx = rows[order[bounds[c] : bounds[c + 1]]]
        for a in range(0, idx.size, chunk):
            S[c] += y[idx[a : a + chunk]].sum(axis=0)
    Xy = np.einsum("ctk,ct->k", Dt, S)
    XX_inv = np.linalg.inv(XX)
    beta = XX_inv @ Xy
    y_col = S.sum(axis=0) / N
    y_all = y_col.mean()
    F = Dt @ beta  # (C, T) fitted relative-time part per cohort
    meat = np.zeros((K, K))
    for c in range(n_cls):
        idx = rows[order[bounds[c] : bounds[c + 1]]]
        for a in range(0, idx.size, chunk):
            yy = y[idx[a : a + chunk]]
            e = yy - yy.mean(axis=1, keepdims=True) - y_col[None, :] + y_all - F[c][None, :]
            sc = e @ Dt[c]
            meat += sc.T @ sc
    nobs = N * T
    adj = N / (N - 1) * (nobs - 1) / (nobs - K - T)
    V = adj * XX_inv @ meat @ XX_inv

    # full event-time grid with the reference inserted (estimate 0, variance 0)
    ev = np.arange(lo, hi + 1)
    E = ev.size
    pos = np.searchsorted(ev, ks)
    est = np.zeros(E)
    est[pos] = beta
    vc = np.zeros((E, E))
    vc[np.ix_(pos, pos)] = V
    # treated persons with at least one observation in each (binned) relative time
    n_tr = np.zeros(E, dtype=np.int64)
    for c, g in enumerate(cohorts):
        if g >= NEVER:
            continue
        present = np.unique(np.clip(t - g, lo, hi))
        n_tr[np.searchsorted(ev, present)] += n_g[c]
    return EventStudy(
        estimator=estimator,
        outcome=outcome,
        event_times=ev,
        subgroups=["ALL"],
        estimate=est[None, :],
        vcov=vc[None],
        n_treated=n_tr[None, :],
        reference=ref,
        meta={"n_persons": int(N), "n_obs": int(nobs), "ssc": float(adj)},
    )
