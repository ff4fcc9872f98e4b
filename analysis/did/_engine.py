"""Cohort sufficient statistics, group-time cells and exact influence-function algebra.

Why this is exact and fast
--------------------------
With no covariates, the group-time estimator for cell k = (g, t) with base period b is a
difference of four means (treated cohort g and comparison set C_k, at t and at b). Its influence
function for unit i, on the scale where Var(estimate) = sum_i psi_i^2, is

    psi_ik = sum_{s in {t, b}} a_{k,s}(c_i) * O_is * (Y_is - Ybar_{k,s}(c_i))

where c_i is the unit's cohort, O_is says whether the unit is observed at s, a_{k,s}(c) is
+-1/n (n = number of observations of the unit's role -- treated or comparison -- at s) and Ybar is
that role's mean at s. On a balanced panel this is R did's panel influence function
(treated: (dY_i - mean dY_G) / n_G, comparison: -(dY_i - mean dY_C) / n_C); on an unbalanced
panel it is R did's `allow_unbalanced_panel` influence function (repeated cross-section
estimator, summed over each unit's rows).

Any linear aggregate sum_k w_k ATT(g,t)_k -- plus R's `wif` term for estimated weights, which
depends on a unit only through its cohort -- therefore has influence function

    psi_i = A_c . Yc_i + H_c . O_i + q_c            (c = c_i)

with Yc_i = O_i * (Y_i - m_c) the unit's outcomes centred at its cohort's period means, and
per-cohort coefficient vectors A_c, H_c (length T) and constant q_c. Sums of squares and
cross-products over units then only need, per cohort, the T x T Gram blocks Yc'Yc, Yc'O, O'O
(O'O is n_c * 11' and Yc'O = 0 on a balanced panel). These are computed once, in one BLAS pass
over the units x periods matrix, and every standard error afterwards is a small matrix product,
independent of the number of units. No per-unit influence function is ever stored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.did._prep import Panel

_CHUNK_ROWS = 1 << 15


@dataclass
class CohortMoments:
    """Per-cohort means, counts and centred Gram blocks of the outcome matrix."""

    tlist: np.ndarray  # (T,)
    cohorts: np.ndarray  # (K,)
    n_by_cohort: np.ndarray  # (K,)
    n_units: int
    balanced: bool
    cnt: np.ndarray  # (K, T) observations per cohort and period
    mean: np.ndarray  # (K, T) cohort-period means (0 where cnt == 0)
    syy: np.ndarray  # (K, T, T) sum over units of Yc Yc'
    syo: np.ndarray | None  # (K, T, T) sum of Yc O' (None: zero, balanced panel)
    soo: np.ndarray | None  # (K, T, T) sum of O O' (None: n_c * 11', balanced panel)

    @classmethod
    def from_panel(cls, panel: Panel) -> CohortMoments:
        k_n = panel.cohorts.size
        n_t = panel.tlist.size
        cnt = np.zeros((k_n, n_t))
        mean = np.zeros((k_n, n_t))
        syy = np.zeros((k_n, n_t, n_t))
        syo = None if panel.balanced else np.zeros((k_n, n_t, n_t))
        soo = None if panel.balanced else np.zeros((k_n, n_t, n_t))
        for c in range(k_n):
            size = int(panel.n_by_cohort[c])
            chunks = range(0, size, _CHUNK_ROWS)
            if panel.balanced:
                # one pass: per-chunk centring at the chunk mean, then merge (Chan et al.)
                tot_n = 0
                m = np.zeros(n_t)
                acc = np.zeros((n_t, n_t))
                for a in chunks:
                    blk = panel.rows(c, a, a + _CHUNK_ROWS)
                    nb = blk.shape[0]
                    mb = blk.mean(axis=0)
                    blk -= mb
                    acc += blk.T @ blk
                    delta = mb - m
                    acc += np.outer(delta, delta) * (tot_n * nb / (tot_n + nb))
                    m += delta * (nb / (tot_n + nb))
                    tot_n += nb
                cnt[c] = size
                mean[c] = m
                syy[c] = acc
            else:
                nobs = np.zeros(n_t)
                s = np.zeros(n_t)
                for a in chunks:
                    blk = panel.rows(c, a, a + _CHUNK_ROWS)
                    o = ~np.isnan(blk)
                    nobs += o.sum(axis=0)
                    s += np.where(o, blk, 0.0).sum(axis=0)
                cnt[c] = nobs
                m = np.divide(s, nobs, out=np.zeros(n_t), where=nobs > 0)
                mean[c] = m
                acc = np.zeros((2 * n_t, 2 * n_t))
                for a in chunks:
                    blk = panel.rows(c, a, a + _CHUNK_ROWS)
                    o = ~np.isnan(blk)
                    z = np.empty((blk.shape[0], 2 * n_t))
                    np.subtract(blk, m, out=z[:, :n_t])
                    z[:, :n_t][~o] = 0.0
                    z[:, n_t:] = o
                    acc += z.T @ z
                syy[c] = acc[:n_t, :n_t]
                syo[c] = acc[:n_t, n_t:]
                soo[c] = acc[n_t:, n_t:]
        return cls(
            tlist=panel.tlist,
            cohorts=panel.cohorts,
            n_by_cohort=panel.n_by_cohort.astype(float),
            n_units=panel.n_units,
            balanced=panel.balanced,
            cnt=cnt,
            mean=mean,
            syy=syy,
            syo=syo,
            soo=soo,
        )


@dataclass
class Cells:
    """All group-time cells with their point estimates and influence-function coefficients."""

    group: np.ndarray  # (P,) cohort value g
    time: np.ndarray  # (P,) period t
    base: np.ndarray  # (P,) base period b
    gidx: np.ndarray  # (P,) cohort index of g
    tidx: np.ndarray  # (P,) period index of t
    bidx: np.ndarray  # (P,) period index of b
    control: np.ndarray  # (P, K) bool: cohort is in the comparison set
    att: np.ndarray  # (P,)
    var: np.ndarray  # (P,) analytic variance
    n_treated: np.ndarray  # (P,) treated units used
    n_control: np.ndarray  # (P,) comparison units used
    reference: np.ndarray  # (P,) bool: universal-base reference cell (att := 0)
    valid: np.ndarray  # (P,) bool: estimable (has treated and comparison observations)
    ct: np.ndarray  # (P, K) coefficient on Y_t, by cohort
    cb: np.ndarray  # (P, K) coefficient on Y_b, by cohort
    ht: np.ndarray  # (P, K) coefficient on O_t, by cohort
    hb: np.ndarray  # (P, K) coefficient on O_b, by cohort
    failed: np.ndarray | None = None  # (P,) bool: NA because of R's overlap / trimming rule


@dataclass
class CellDef:
    """The (g, t) cells R did's `compute.att_gt` enumerates, with base periods and comparison sets."""

    group: np.ndarray  # (P,) cohort value g
    time: np.ndarray  # (P,) period t
    base: np.ndarray  # (P,) base period b
    gidx: np.ndarray  # (P,) cohort index of g
    tidx: np.ndarray  # (P,) period index of t
    bidx: np.ndarray  # (P,) period index of b
    control: np.ndarray  # (P, K) bool: cohort is in the comparison set
    reference: np.ndarray  # (P,) bool: universal-base reference cell (att := 0)


def enumerate_cells(
    tl: np.ndarray, coh: np.ndarray, *, control: str, anticipation: int, base_period: str
) -> CellDef:
    """Enumerate (g, t) cells exactly as R did's `compute.att_gt` does."""
    n_t = tl.size
    rows_g, rows_t, rows_b, rows_ref = [], [], [], []
    for gi, g in enumerate(coh):
        if g == 0:
            continue
        pre = np.flatnonzero(tl + anticipation < g)
        b_univ = int(pre[-1])  # exists: preprocessing dropped cohorts without a pre-period
        t_range = range(1, n_t) if base_period == "varying" else range(n_t)
        for ti in t_range:
            # varying base: post periods compare with g - anticipation - 1, pre periods with t - 1
            bi = b_univ if base_period == "universal" or g <= tl[ti] else ti - 1
            rows_g.append(gi)
            rows_t.append(ti)
            rows_b.append(bi)
            rows_ref.append(base_period == "universal" and bi == ti)
    gidx = np.asarray(rows_g, dtype=np.int64)
    tidx = np.asarray(rows_t, dtype=np.int64)
    bidx = np.asarray(rows_b, dtype=np.int64)
    reference = np.asarray(rows_ref, dtype=bool)
    group = coh[gidx]
    time = tl[tidx]
    base = tl[bidx]
    n_cells = gidx.size
    never = coh == 0
    if control == "nevertreated":
        ctrl = np.broadcast_to(never, (n_cells, coh.size)).copy()
    else:
        thresh = np.maximum(time, base) + anticipation
        ctrl = never[None, :] | (
            (coh[None, :] > thresh[:, None]) & (coh[None, :] != group[:, None])
        )
    return CellDef(group, time, base, gidx, tidx, bidx, ctrl, reference)


def build_cells(mom: CohortMoments, *, control: str, anticipation: int, base_period: str) -> Cells:
    """Enumerate the cells (as R did) and estimate them from the cohort moments."""
    cd = enumerate_cells(
        mom.tlist, mom.cohorts, control=control, anticipation=anticipation, base_period=base_period
    )
    coh = mom.cohorts
    gidx, tidx, bidx, reference = cd.gidx, cd.tidx, cd.bidx, cd.reference
    group, time, base, ctrl = cd.group, cd.time, cd.base, cd.control
    n_cells = gidx.size
    treat = np.zeros((n_cells, coh.size), dtype=bool)
    treat[np.arange(n_cells), gidx] = True

    cnt_t = mom.cnt[:, tidx].T  # (P, K)
    cnt_b = mom.cnt[:, bidx].T
    mean_t = mom.mean[:, tidx].T
    mean_b = mom.mean[:, bidx].T
    n_gt = cnt_t[np.arange(n_cells), gidx]
    n_gb = cnt_b[np.arange(n_cells), gidx]
    n_ct = (cnt_t * ctrl).sum(axis=1)
    n_cb = (cnt_b * ctrl).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ybar_ct = (cnt_t * mean_t * ctrl).sum(axis=1) / n_ct
        ybar_cb = (cnt_b * mean_b * ctrl).sum(axis=1) / n_cb
        ybar_gt = mean_t[np.arange(n_cells), gidx]
        ybar_gb = mean_b[np.arange(n_cells), gidx]
        att = (ybar_gt - ybar_gb) - (ybar_ct - ybar_cb)
    valid = (n_gt > 0) & (n_gb > 0) & (n_ct > 0) & (n_cb > 0) & ~reference
    overlap = np.zeros(n_cells, dtype=bool)
    if mom.balanced:
        # R's intercept-only propensity score is the treated share of the cell: at >= 0.999 its
        # overlap check sets the cell to NA, and at >= 0.995 every comparison unit is trimmed
        n_c_units = (ctrl * mom.n_by_cohort[None, :]).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = mom.n_by_cohort[gidx] / (mom.n_by_cohort[gidx] + n_c_units)
        overlap = valid & (share >= 0.995)
        valid &= ~overlap

    with np.errstate(invalid="ignore", divide="ignore"):
        inv_gt = np.where(valid, 1.0 / n_gt, 0.0)
        inv_gb = np.where(valid, 1.0 / n_gb, 0.0)
        inv_ct = np.where(valid, 1.0 / n_ct, 0.0)
        inv_cb = np.where(valid, 1.0 / n_cb, 0.0)
    ct = treat * inv_gt[:, None] - ctrl * inv_ct[:, None]
    cb = ctrl * inv_cb[:, None] - treat * inv_gb[:, None]
    # treated rows are centred at their own cohort mean, so only comparison cohorts need H
    dev_t = np.where(ctrl, mean_t - np.nan_to_num(ybar_ct)[:, None], 0.0)
    dev_b = np.where(ctrl, mean_b - np.nan_to_num(ybar_cb)[:, None], 0.0)
    ht = -(ctrl * inv_ct[:, None]) * dev_t
    hb = ctrl * inv_cb[:, None] * dev_b

    var = _cell_variance(mom, tidx, bidx, ct, cb, ht, hb)
    att = np.where(reference, 0.0, np.where(valid, att, np.nan))
    var = np.where(valid, var, np.nan)

    if mom.balanced:
        n_treated = mom.n_by_cohort[gidx]
        n_control = (ctrl * mom.n_by_cohort[None, :]).sum(axis=1)
    else:  # units observed at t or at b
        both = mom.soo[:, tidx, bidx].T  # (P, K) units observed at both
        either = cnt_t + cnt_b - both
        n_treated = either[np.arange(n_cells), gidx]
        n_control = (either * ctrl).sum(axis=1)
    n_treated = np.where(reference, mom.n_by_cohort[gidx], n_treated)
    return Cells(
        group=group,
        time=time,
        base=base,
        gidx=gidx,
        tidx=tidx,
        bidx=bidx,
        control=ctrl,
        att=att,
        var=var,
        n_treated=n_treated.astype(np.int64),
        n_control=n_control.astype(np.int64),
        reference=reference,
        valid=valid,
        ct=ct,
        cb=cb,
        ht=ht,
        hb=hb,
        failed=overlap,
    )


def _cell_variance(mom, tidx, bidx, ct, cb, ht, hb) -> np.ndarray:
    """sum_i psi_ik^2 for every cell k, from the Gram blocks (vectorised over cells x cohorts)."""
    syy = mom.syy
    v = (
        ct * ct * syy[:, tidx, tidx].T
        + 2.0 * ct * cb * syy[:, tidx, bidx].T
        + cb * cb * syy[:, bidx, bidx].T
    )
    if mom.balanced:
        h = ht + hb
        v = v + h * h * mom.n_by_cohort[None, :]
    else:
        syo, soo = mom.syo, mom.soo
        v = v + 2.0 * (
            ct * ht * syo[:, tidx, tidx].T
            + ct * hb * syo[:, tidx, bidx].T
            + cb * ht * syo[:, bidx, tidx].T
            + cb * hb * syo[:, bidx, bidx].T
        )
        v = v + (
            ht * ht * soo[:, tidx, tidx].T
            + 2.0 * ht * hb * soo[:, tidx, bidx].T
            + hb * hb * soo[:, bidx, bidx].T
        )
    return v.sum(axis=1)


def wif_constants(
    k_n: int, n_units: int, cells_g_idx: np.ndarray, att: np.ndarray, pg: np.ndarray
) -> np.ndarray:
    """R did's `wif` term (estimated aggregation weights), per cohort, on the psi scale.

    For a weighted average theta = sum_k pg_k att_k / S (S = sum_k pg_k, pg_k = share of units in
    the cohort of element k, weighted by the sampling weights if any), R's wif contributes, for a
    unit of cohort c with weight W_i, (W_i / mean W) * (1/S) * sum_{k: g_k = c} (att_k - theta);
    divided by n to put it on the psi scale. Returned without the W_i / mean W factor.
    """
    s = pg.sum()
    theta = float(np.dot(pg, att) / s)
    q = np.zeros(k_n)
    np.add.at(q, cells_g_idx, (att - theta) / s)
    return q / n_units


def functional_coefs(cells: Cells, weights: np.ndarray, k_n: int, n_t: int):
    """Per-cohort coefficients (A, H), each (P, K, T), of linear aggregates of the cells."""
    n_p = weights.shape[0]
    a = np.zeros((n_p, k_n, n_t))
    h = np.zeros((n_p, k_n, n_t))
    for p in range(n_p):
        idx = np.flatnonzero(weights[p])
        if idx.size == 0:
            continue
        w = weights[p, idx][:, None]
        ti, bi = cells.tidx[idx], cells.bidx[idx]
        # scatter-add coefficients into period columns: A[c, t_k] += w_k ct[k, c], etc.
        at = (w * cells.ct[idx]).T  # (K, m)
        ab = (w * cells.cb[idx]).T
        htt = (w * cells.ht[idx]).T
        hbb = (w * cells.hb[idx]).T
        for src, dst in ((at, a), (htt, h)):
            np.add.at(dst[p].T, ti, src.T)
        for src, dst in ((ab, a), (hbb, h)):
            np.add.at(dst[p].T, bi, src.T)
    return a, h


def functional_cov(
    mom: CohortMoments, cells: Cells, weights: np.ndarray, q: np.ndarray
) -> np.ndarray:
    """Covariance matrix of linear aggregates of the cells.

    weights: (P, n_cells) aggregation weights on ATT(g,t) (zero outside each aggregate);
    q: (P, K) per-cohort constants in the influence function (R's wif term, psi scale).
    Returns the (P, P) matrix sum_i psi_i psi_i' (clustered at the unit level).
    """
    n_p = weights.shape[0]
    k_n, n_t = mom.cohorts.size, mom.tlist.size
    a, h = functional_coefs(cells, weights, k_n, n_t)
    cov = np.zeros((n_p, n_p))
    for c in range(k_n):
        ac = a[:, c, :]
        hc = h[:, c, :]
        qc = q[:, c]
        if not (ac.any() or hc.any() or qc.any()):
            continue
        cov += ac @ mom.syy[c] @ ac.T
        if mom.balanced:
            tot = hc.sum(axis=1) + qc
            cov += mom.n_by_cohort[c] * np.outer(tot, tot)
        else:
            x = ac @ mom.syo[c] @ hc.T
            cov += x + x.T
            cov += hc @ mom.soo[c] @ hc.T
            hn = hc @ mom.cnt[c]
            cov += np.outer(qc, hn) + np.outer(hn, qc) + mom.n_by_cohort[c] * np.outer(qc, qc)
    return cov


def bootstrap_draws(
    panel: Panel,
    mom: CohortMoments,
    cells: Cells,
    weights: np.ndarray,
    q: np.ndarray,
    *,
    biters: int,
    seed: int | None,
    kind: str,
    row_chunk: int,
    multipliers,
) -> np.ndarray:
    """Multiplier-bootstrap draws sum_i v_i psi_i (B, P) of linear aggregates, from the Gram form.

    psi_i = A_c . Yc_i + H_c . O_i + q_c, so sum_i v_i psi_i needs only, per cohort, the
    multiplier-weighted sums of the centred outcomes (B x T): one matrix product per row block.
    """
    n_p = weights.shape[0]
    k_n, n_t = mom.cohorts.size, mom.tlist.size
    a, h = functional_coefs(cells, weights, k_n, n_t)
    draws = np.zeros((biters, n_p))
    for c in range(k_n):
        ac, hc, qc = a[:, c, :], h[:, c, :], q[:, c]
        if not (ac.any() or hc.any() or qc.any()):
            continue
        rng = np.random.default_rng([0 if seed is None else seed, c])
        size = int(panel.n_by_cohort[c])
        for lo in range(0, size, row_chunk):
            blk = panel.rows(c, lo, lo + row_chunk)
            o = ~np.isnan(blk)
            yc = np.where(o, blk - mom.mean[c], 0.0)
            v = multipliers(rng, (biters, blk.shape[0]), kind)
            draws += (v @ yc) @ ac.T + (v @ o) @ hc.T + np.outer(v.sum(axis=1), qc)
    return draws


def unit_influence(
    panel: Panel, mom: CohortMoments, cells: Cells, weights: np.ndarray, q: np.ndarray
) -> np.ndarray:
    """Per-unit influence functions psi (n_units, P) of linear aggregates, explicitly.

    O(n_units x T x P); meant for checks and small data, not for production-size panels.
    Rows follow `panel.order` (units grouped by cohort).
    """
    n_p = weights.shape[0]
    out = np.zeros((panel.n_units, n_p))
    for c in range(mom.cohorts.size):
        lo, hi = int(panel.starts[c]), int(panel.starts[c + 1])
        blk = panel.rows(c)
        o = ~np.isnan(blk)
        yc = np.where(o, blk - mom.mean[c], 0.0)
        for p in range(n_p):
            idx = np.flatnonzero(weights[p])
            w = weights[p, idx]
            a = np.zeros(mom.tlist.size)
            hh = np.zeros(mom.tlist.size)
            np.add.at(a, cells.tidx[idx], w * cells.ct[idx, c])
            np.add.at(a, cells.bidx[idx], w * cells.cb[idx, c])
            np.add.at(hh, cells.tidx[idx], w * cells.ht[idx, c])
            np.add.at(hh, cells.bidx[idx], w * cells.hb[idx, c])
            out[lo:hi, p] = yc @ a + o @ hh + q[p, c]
    return out
