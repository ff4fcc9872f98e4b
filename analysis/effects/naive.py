"""Naive participant vs non-participant comparison (`naive` in marts.effects).

    naive(e) = (1 / n_e) sum_{treated i observed at e} [ Y_i,g_i+e - Ybar_NT(g_i + e) ]

with Ybar_NT(t) the mean outcome in calendar month t of never-treated persons registered at NAV
in t. No conditioning on history or status group: shown beside the causal estimates as a warning
of selection bias. Influence function (clustered by person): treated
(Y_it - Ybar_NT(t) - naive(e)) / n_e; never-treated j: -sum_t n_{e,t} / n_e * reg_jt
(Y_jt - Ybar_NT(t)) / n_NT(t), with n_{e,t} the treated observed at e in calendar month t.
"""

from __future__ import annotations

import numpy as np

from analysis.design import NEVER
from analysis.effects.result import EventStudy

EVENT_TIMES_DEFAULT = np.arange(-12, 37)


def naive_event_study(
    y: np.ndarray,
    status: np.ndarray,
    first_start: np.ndarray,
    treated: np.ndarray,
    event_times=EVENT_TIMES_DEFAULT,
    chunk: int = 65536,
    outcome: str = "",
) -> EventStudy:
    event_times = np.asarray(event_times, dtype=np.int64)
    n, T = y.shape
    G = np.asarray(first_start, dtype=np.int64)
    tr = np.flatnonzero(treated)
    nt_rows = np.flatnonzero((G >= NEVER) & (status > 0).any(axis=1))
    n_reg = np.zeros(T)
    s_reg = np.zeros(T)
    for a in range(0, nt_rows.size, chunk):
        J = nt_rows[a : a + chunk]
        reg = status[J] > 0
        n_reg += reg.sum(axis=0)
        s_reg += np.where(reg, y[J], 0.0).sum(axis=0)
    ybar = np.where(n_reg > 0, s_reg / np.maximum(n_reg, 1), np.nan)
    g = G[tr]
    tt = g[:, None] + event_times[None, :]
    ok = (tt >= 0) & (tt <= T - 1)
    ttc = np.clip(tt, 0, T - 1)
    ok &= np.isfinite(ybar[ttc])
    yt = y[tr]
    d = np.where(ok, yt[np.arange(tr.size)[:, None], ttc] - np.nan_to_num(ybar[ttc]), 0.0)
    n_e = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        est = np.where(n_e > 0, d.sum(axis=0) / n_e, np.nan)
    inv = np.where(n_e > 0, 1.0 / np.maximum(n_e, 1), 0.0)
    psi_t = np.where(ok, (d - np.nan_to_num(est)[None, :]) * inv[None, :], 0.0)
    V = psi_t.T @ psi_t
    # A[t, e] = n_{e,t} / n_e / n_NT(t)
    A = np.zeros((T, event_times.size))
    for k in range(event_times.size):
        cnt = np.bincount(ttc[ok[:, k], k], minlength=T)
        A[:, k] = cnt * inv[k] / np.where(n_reg > 0, n_reg, 1.0)
    for a in range(0, nt_rows.size, chunk):
        J = nt_rows[a : a + chunk]
        reg = status[J] > 0
        Z = np.where(reg, y[J] - np.nan_to_num(ybar)[None, :], 0.0)
        P = Z @ A
        V += P.T @ P
    return EventStudy(
        estimator="naive",
        outcome=outcome,
        event_times=event_times,
        subgroups=["ALL"],
        estimate=est[None, :],
        vcov=V[None],
        n_treated=n_e[None, :].astype(np.int64),
    )
