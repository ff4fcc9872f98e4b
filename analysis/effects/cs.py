"""Callaway-Sant'Anna event study with an eligibility-restricted, stratified comparison group.

The headline estimator (`callaway_santanna` in marts.effects), on dense person x month arrays.

Design
------
Treated cell (g, s): persons whose first Arbeidstrening start is month g and whose spell status
group is s (1 = ARBEIDSSOKER, 2 = NEDSATT_ARBEIDSEVNE). Comparison set for (g, s) at calendar
month t with base month b:

    C(g, s, t) = { j : status_j(g - 1) = s,  G_j > max(t, b),  G_j != g }

i.e. persons registered at NAV with the same status group in the month before the cohort's start
month who have not started AT by max(t, b) (not yet treated, or never). G_j is j's first AT start
(persons first treated before the window are never comparisons). Base month b: g - 1 for post
periods (t >= g); t - 1 for pre periods ("varying" base as R did, so leads are short-difference
placebos); for pre periods the not-yet-treated rule G_j > max(t, b) = t is R did's, so that with one
stratum and everybody eligible this is exactly `att_gt(control="notyettreated")`.

    DiD(g, s, t) = mean_{i in (g,s)} [Y_it - Y_ib] - mean_{j in C(g,s,t)} [Y_jt - Y_jb]
    ATT(g, t)    = sum_s n_gs / n_g DiD(g, s, t)        (exact stratification on status group)
    theta(e)     = sum_g n_g ATT(g, g + e) / sum_g n_g   (cohorts observed at e: g + e and b inside
                                                         the window, and a non-empty comparison set)
                 = (1 / n_e) sum_{treated i observed at e} (dY_i - mean_C(cell of i) dY)

Cells with no eligible comparison person are dropped (with their treated) at that event time.

Inference
---------
Influence function of theta(e) per person (Var = sum over persons of psi^2, clustered by person):
  treated i:    (dY_i(e) - m_C(g_i, s_i, e) - theta(e)) / n_e
  comparison j: - sum over cohorts g with j in C(g, s_j(g-1), g+e) of
                  n_{g,s} / n_e * (dY_j - m_C(g, s, e)) / n_C(g, s, e)
The treated term includes the estimation effect of the cohort-size weights (R did's `wif`); a
person can be a comparison for many cohorts (and treated later): their contributions are summed
before squaring. The full E x E covariance across event times is accumulated, so linear
combinations (lock-in mean) and joint pre-trend tests use the joint influence function.

Computation
-----------
Point estimates: for each cohort g, one sparse product B_{g-1} @ Y (B = indicator of
status-in-(g-1) x first-start class) gives the comparison sums for every t and threshold through
suffix sums over first-start classes: O(N T^2) in total. Influence functions: persons in chunks
(at most `PSI_CHUNK_PERSONS`, held persons-last); per chunk and event time e the shifted
differences Y[g + e] - Y[b] - m_C, masked by eligibility and split by stratum into a
(2 n_cohorts) x N_chunk array, are contracted with the subgroup weights by one matrix product
written in place, and the chunk's E x E cross-products are accumulated. No per-person influence
function is kept beyond a chunk.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from analysis.design import NEVER, PLAIN_DID_ESTIMATOR
from analysis.effects.result import EventStudy

DEFAULT_EVENT_TIMES = np.arange(-12, 37)


PSI_BLOCK_BYTES = 256 * 2**20
"""Memory of one block of influence functions (pass 2); the block's persons follow from it."""
PSI_CHUNK_PERSONS = 4096
"""At most this many persons per block, so the block's months x persons arrays stay in cache."""


def _rows(a: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """a[idx], as a view when idx is a run of consecutive rows."""
    if idx.size and idx[-1] - idx[0] == idx.size - 1 and (np.diff(idx) == 1).all():
        return a[idx[0] : idx[-1] + 1]
    return a[idx]


def cs_event_study(
    outcomes: dict[str, np.ndarray],
    status: np.ndarray,
    first_start: np.ndarray,
    stratum: np.ndarray,
    subgroups: dict[str, np.ndarray],
    event_times=DEFAULT_EVENT_TIMES,
    chunk: int | None = None,
    estimator: str = PLAIN_DID_ESTIMATOR,
) -> dict[str, EventStudy]:
    """Headline event study for every outcome and subgroup (see module docstring).

    Args:
        outcomes: name -> (N, T) float array.
        status: (N, T) int8, 0 not registered, else stratum code of the month's NAV status.
        first_start: (N,) first AT start month offset (NEVER if never, negative before window).
        stratum: (N,) stratum code of the treated persons (status group of the first spell).
        subgroups: name -> (N,) bool mask of treated persons; their union is the treated set.
            Every treated person must have first_start in 1..T-1 and stratum 1 or 2.
        chunk: persons per block of the influence functions (None: as many as keep the block's
            (outcomes, subgroups, event times, persons) array within `PSI_BLOCK_BYTES`).
    """
    event_times = np.asarray(event_times, dtype=np.int64)
    names = list(outcomes)
    ys = [outcomes[o] for o in names]
    n, T = status.shape
    G = np.asarray(first_start, dtype=np.int64)
    sub_names = list(subgroups)
    submat = np.vstack([np.asarray(subgroups[s], dtype=bool) for s in sub_names])  # (S, N)
    treated = submat.any(axis=0)
    tr_idx = np.flatnonzero(treated)
    g_tr = G[tr_idx]
    s_tr = np.asarray(stratum)[tr_idx].astype(np.int64)
    if tr_idx.size == 0:
        raise ValueError("no treated persons")
    if (g_tr < 1).any() or (g_tr >= T).any() or not np.isin(s_tr, (1, 2)).all():
        raise ValueError("treated persons need a first start in 1..T-1 and stratum 1 or 2")
    cohorts = np.unique(g_tr)
    nc, ne, no, ns = cohorts.size, event_times.size, len(ys), len(sub_names)
    gi_tr = np.searchsorted(cohorts, g_tr)

    # ---- cell geometry: t, b, threshold c = max(t, b) per cohort x event time
    t_ge = cohorts[:, None] + event_times[None, :]
    b_ge = np.where(event_times[None, :] >= 0, cohorts[:, None] - 1, t_ge - 1)
    c_ge = np.maximum(t_ge, b_ge)
    in_range = (t_ge <= T - 1) & (b_ge >= 0) & (t_ge >= 0)

    # ---- pass 1: comparison counts and sums of dY per (cohort, stratum, event time)
    n_ctrl = np.zeros((nc, 2, ne))
    sum_ctrl = np.zeros((no, nc, 2, ne))
    ok_person = G >= 0  # persons treated before the window are never comparisons
    cls = np.where(G >= NEVER, T, np.clip(G, 0, T))  # first-start class 0..T-1, T = never
    n_cls = T + 1
    for gi, g in enumerate(cohorts):
        st = status[:, g - 1]
        use = ok_person & (st > 0)
        rows = (st[use].astype(np.int64) - 1) * n_cls + cls[use]
        cols = np.flatnonzero(use)
        B = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(2 * n_cls, n))
        cnt = np.bincount(rows, minlength=2 * n_cls).reshape(2, n_cls).astype(float)
        cnt_suf = np.concatenate([np.cumsum(cnt[:, ::-1], axis=1)[:, ::-1], np.zeros((2, 1))], 1)
        ks = np.flatnonzero(in_range[gi])
        tt, bb, cc = t_ge[gi, ks], b_ge[gi, ks], c_ge[gi, ks]
        own = g > cc  # cohort g itself would pass the threshold: exclude it (R did's rule)
        n_ctrl[gi, :, ks] = (cnt_suf[:, cc + 1] - np.where(own[None, :], cnt[:, g][:, None], 0.0)).T
        for oi, y in enumerate(ys):
            S = np.asarray(B @ y).reshape(2, n_cls, T)
            suf = np.concatenate(
                [np.cumsum(S[:, ::-1, :], axis=1)[:, ::-1, :], np.zeros((2, 1, T))], axis=1
            )
            at_t = suf[:, cc + 1, tt] - np.where(own, S[:, g, tt], 0.0)
            at_b = suf[:, cc + 1, bb] - np.where(own, S[:, g, bb], 0.0)
            sum_ctrl[oi, gi, :, ks] = (at_t - at_b).T
    valid = in_range[:, None, :] & (n_ctrl > 0)  # (nc, 2, ne)
    with np.errstate(invalid="ignore", divide="ignore"):
        m_ctrl = np.where(valid, sum_ctrl / np.where(valid, n_ctrl, 1.0), 0.0)  # (no, nc, 2, ne)

    # ---- treated: dY, centred contribution, counts per subgroup x cell
    v_tr = valid[gi_tr, s_tr - 1, :]  # (n_tr, ne)
    tt_tr = np.clip(t_ge[gi_tr], 0, T - 1)
    bb_tr = np.clip(b_ge[gi_tr], 0, T - 1)
    contrib = np.zeros((no, tr_idx.size, ne))
    for oi, y in enumerate(ys):
        yt = y[tr_idx]
        r = np.arange(tr_idx.size)[:, None]
        d = yt[r, tt_tr] - yt[r, bb_tr] - m_ctrl[oi][gi_tr, s_tr - 1, :]
        contrib[oi] = np.where(v_tr, d, 0.0)
    sub_tr = submat[:, tr_idx]  # (S, n_tr)
    n_cell = np.zeros((ns, nc, 2))
    for si in range(ns):
        n_cell[si] = np.bincount(
            gi_tr[sub_tr[si]] * 2 + (s_tr[sub_tr[si]] - 1), minlength=nc * 2
        ).reshape(nc, 2)
    n_cell_e = n_cell[:, :, :, None] * valid[None]  # (S, nc, 2, ne)
    n_e = n_cell_e.sum(axis=(1, 2))  # (S, ne)
    with np.errstate(invalid="ignore", divide="ignore"):
        theta = np.einsum("sn,one->ose", sub_tr.astype(float), contrib) / n_e[None]
        theta = np.where(n_e[None] > 0, theta, np.nan)
        # comparison weights n_gs / (n_e * n_C) per subgroup, cohort, stratum, event time
        w_ctrl = np.where(
            valid[None] & (n_e[:, None, None, :] > 0),
            n_cell_e
            / (np.where(n_e > 0, n_e, 1.0)[:, None, None, :] * np.where(valid, n_ctrl, 1.0)[None]),
            0.0,
        )

    # ---- pass 2: influence functions in person chunks, accumulate E x E cross-products
    # Layout per chunk: persons last (months x persons, event times x subgroups x persons), so
    # every step below walks contiguous rows and writes its matrix product in place.
    vcov = np.zeros((no, ns, ne, ne))
    pos_tr = np.full(n, -1, dtype=np.int64)
    pos_tr[tr_idx] = np.arange(tr_idx.size)
    inv_n_e = np.where(n_e > 0, 1.0 / np.where(n_e > 0, n_e, 1.0), 0.0)
    theta0 = np.nan_to_num(theta)
    if chunk is None:
        chunk = max(1024, min(PSI_CHUNK_PERSONS, PSI_BLOCK_BYTES // (8 * no * ns * ne)))
    ever_reg = ok_person & (status > 0).any(axis=1)
    cand = np.flatnonzero(ever_reg | treated)
    # comparison weights by event time: (S, 2 x cohorts), stratum 1's cohorts then stratum 2's
    w_cat = -np.concatenate([w_ctrl[:, :, 0, :], w_ctrl[:, :, 1, :]], axis=1)
    for a in range(0, cand.size, chunk):
        J = cand[a : a + chunk]
        nj = J.size
        GJ = G[J]
        stJ = np.ascontiguousarray(status[J][:, cohorts - 1].T)  # (nc, nj): base-month status
        yJ = [np.ascontiguousarray(y[J].T) for y in ys]  # (T, nj)
        psi = np.zeros((no, ne, ns, nj))
        h = np.empty((2 * nc, nj))
        for k in range(ne):
            gsel = np.flatnonzero(valid[:, :, k].any(axis=1))
            ng = gsel.size
            if ng == 0:
                continue
            gg, tt, bb, cc = cohorts[gsel], t_ge[gsel, k], b_ge[gsel, k], c_ge[gsel, k]
            st = _rows(stJ, gsel)
            elig = (GJ[None, :] > cc[:, None]) & (GJ[None, :] != gg[:, None]) & (st > 0)
            if not elig.any():
                continue
            is1 = st == 1
            f1 = (elig & is1).astype(np.float64)
            f2 = (elig & ~is1).astype(np.float64)
            w = np.concatenate([w_cat[:, gsel, k], w_cat[:, nc + gsel, k]], axis=1)
            h1, h2 = h[:ng], h[ng : 2 * ng]
            for oi in range(no):
                y = yJ[oi]
                np.subtract(_rows(y, tt), _rows(y, bb), out=h1)
                np.subtract(h1, m_ctrl[oi, gsel, 1, k][:, None], out=h2)
                h2 *= f2
                h1 -= m_ctrl[oi, gsel, 0, k][:, None]
                h1 *= f1
                np.matmul(w, h[: 2 * ng], out=psi[oi, k])
        # treated persons in the chunk
        pt = pos_tr[J]
        loc = np.flatnonzero(pt >= 0)
        if loc.size:
            p = pt[loc]
            for oi in range(no):
                c = contrib[oi, p]  # (m, ne)
                for si in range(ns):
                    insub = sub_tr[si, p]
                    val = (c - theta0[oi, si][None, :]) * inv_n_e[si][None, :]
                    val = np.where(v_tr[p] & insub[:, None], val, 0.0)
                    psi[oi, :, si][:, loc] += val.T
        for oi in range(no):
            for si in range(ns):
                P = psi[oi, :, si]
                vcov[oi, si] += P @ P.T
    out = {}
    n_treated = n_e.astype(np.int64)
    for oi, o in enumerate(names):
        out[o] = EventStudy(
            estimator=estimator,
            outcome=o,
            event_times=event_times,
            subgroups=sub_names,
            estimate=theta[oi],
            vcov=vcov[oi],
            n_treated=n_treated,
            meta={
                "n_cohorts": int(nc),
                "n_cells_valid": int(valid.sum()),
                "n_cells_no_comparison": int((in_range[:, None, :] & (n_ctrl == 0)).sum()),
            },
        )
    return out
