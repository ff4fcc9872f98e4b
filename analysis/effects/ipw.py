"""Dynamic inverse-probability-weighting estimator in the style of Sianesi (2004).

For every calendar month m the starters of m (first took-place AT spell starting in m, status
group ARBEIDSSOKER / NEDSATT_ARBEIDSEVNE) are compared with eligible non-starters of m
(registered at NAV in m, first AT start after m or never), reweighted to look like the starters
on observed characteristics:

  covariates: age band in m, gender, immigrant category, education (NUS level), NAV status group
  and innsatsgruppe in m, each benefit flag in m - 1, months registered in m-24..m-1 (and its
  square), and employment in each of the 24 months m-24..m-1.

Design and sampling: the month x candidate table is built in SQL (analysis/sql/effects/
ipw_candidates.sql): all starters plus a Bernoulli sample of eligible non-starters with
probability f_m = min(1, ratio * starters_m / eligible_m) (ratio 20 by default), drawn by a hash
of (person, month, seed). As in the headline, the sampled non-starters are then kept only in
the states in m - 1 some starter of m was in (`exact_support`: in another programme or a wage
subsidy, `design.HEADLINE_EXACT_STRATA`); those left are still a Bernoulli sample with the same
f_m of the eligible in those states. Histories (employment, registration) are gathered from the dense
person x month arrays (vectorised, no loops over people). Months m run from observation_start +
24 months, so the 24-month history is always inside the window.

Propensity score: logit by calendar year of m with month-of-year dummies, i.e. a separate
intercept per month m. Because sampling is random within m, the sampled-design logit differs from
the population logit only by the month intercepts (choice-based sampling), so the odds
p / (1 - p) are proportional to the population odds within each month; weights are normalised
within month, so the sampling fraction cancels. Fitted by `analysis.did`'s logit (Newton, step
halving, no overflow) with a tiny ridge (`IPW_RIDGE`).

Weights and estimand: ATT weights p / (1 - p) on controls, normalised within month m. Common
support: starters whose score exceeds the largest control score of their month are outside the
support and dropped (share reported in marts.effects_support / effects_diagnostics). Controls are
censored from the month they start AT themselves: at event time e a control of month m counts
only if its first start is after m + e (the estimand is the effect of starting in m against not
starting (yet), comparable to the not-yet-treated comparison of the headline).

    ATT_m(e)  = mean_{starters of m} Y_{m+e} - sum_w Y_{m+e} / sum_w     (levels)
    ATT_m(e)  with Y_{m+e} - Y_{m-1} in place of Y_{m+e}                  (conditional DiD)
    theta(e)  = sum_m n_m,e ATT_m(e) / sum_m n_m,e   (starters observed at e)

Standard errors: person-clustered sandwich with the weights (propensity score and sampling)
treated as fixed: treated rows (Y_i - mu_m - theta) / n_e, control rows -n_m,e / n_e * w_j
(Y_j - mu_m) / W_m, summed over all rows of a person before squaring.

Subgroups by purpose: a separate logit of "starting with purpose k" against non-starters
(starters with other purposes left out), which is the binary-logit route to the multinomial
ATT weights P(D = k | X) / P(D = 0 | X).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np
from scipy.special import expit

from analysis.design import HEADLINE_EXACT_STRATA
from analysis.did._logit import fit_logit
from analysis.effects.data import EffectsData
from analysis.effects.result import EventStudy
from analysis.warehouse import read_sql

# Ridge penalty of the propensity logits (many month-of-year dummies; keeps separated years finite).
IPW_RIDGE = 1e-6

EVENT_TIMES_DEFAULT = np.arange(-12, 37)
BENEFITS = ("aap", "dagpenger", "tiltakspenger", "uforetrygd", "sosialhjelp", "kvp")
AGE_BANDS = ((0, 20), (20, 25), (25, 30), (30, 40), (40, 50), (50, 60), (60, 200))
HIST = 24


@dataclass
class IPWDesign:
    pidx: np.ndarray
    month: np.ndarray  # month offset m
    is_starter: np.ndarray
    f: np.ndarray
    X: np.ndarray  # float32 covariates (no intercept)
    names: list[str]
    year: np.ndarray
    month_of_year: np.ndarray
    meta: dict = field(default_factory=dict)


def build_design(
    con: duckdb.DuckDBPyConnection,
    data: EffectsData,
    ratio: float = 20.0,
    seed: int = 20240501,
    history: int = HIST,
    exact: tuple[str, ...] = HEADLINE_EXACT_STRATA,
) -> IPWDesign:
    """Build the month x candidate design (SQL) and its covariates (dense-array gathers).
    `exact`: as the headline's (`exact_support`), the sampled non-starters of month m are kept
    only in the states in m - 1 some starter of m was in."""
    T, m0 = data.T, data.month_index0
    m_lo, m_hi = m0 + history, m0 + T - 1
    sql = read_sql("effects/ipw_candidates.sql")
    con.execute(sql, {"m_lo": m_lo, "m_hi": m_hi, "ratio": float(ratio), "seed": int(seed)})
    c = con.execute("SELECT * FROM _eff_ipw_candidates").fetchnumpy()
    con.execute("DROP TABLE IF EXISTS _eff_ipw_candidates")
    pidx = np.asarray(c["pidx"], dtype=np.int64)
    month = np.asarray(c["month_index"], dtype=np.int64) - m0
    keep = exact_support(data, pidx, month, np.asarray(c["is_starter"], dtype=bool), exact)
    n_out = int((~keep).sum())
    if n_out:
        c = {k: v[keep] for k, v in c.items()}
        pidx, month = pidx[keep], month[keep]
    n = pidx.size
    cols: list[np.ndarray] = []
    names: list[str] = []

    def add(name, v):
        names.append(name)
        cols.append(np.asarray(v, dtype=np.float32))

    age = np.asarray(_f(c["age"], 40), dtype=float)
    for lo, hi in AGE_BANDS:
        if (lo, hi) != (30, 40):
            add(f"age_{lo}_{hi - 1 if hi < 200 else 'plus'}", (age >= lo) & (age < hi))
    add("female", np.asarray(_f(c["gender"], 0)) == 2)
    imm = np.asarray(_f(c["immigrant_category"], ""), dtype=object)
    for k in ("B", "C"):
        add(f"immigrant_{k}", imm == k)
    add("immigrant_EFG", np.isin(imm, ["E", "F", "G"]))
    nus = np.asarray(_f(c["nus_level"], "9"), dtype=object)
    for k in ("0", "1", "2", "4", "5", "6", "7", "8", "9"):
        if (nus == k).any():
            add(f"nus_{k}", nus == k)
    add(
        "nedsatt_arbeidsevne",
        np.asarray(_f(c["nav_status"], ""), dtype=object) == "NEDSATT_ARBEIDSEVNE",
    )
    ig = np.asarray(_f(c["innsatsgruppe"], "NONE"), dtype=object)
    for k in ("STANDARD_INNSATS", "SPESIELT_TILPASSET_INNSATS", "VARIG_TILPASSET_INNSATS", "NONE"):
        if (ig == k).any():
            add(f"innsats_{k.lower()}", ig == k)
    for b in BENEFITS:
        add(f"{b}_lag1", np.asarray(_f(c[f"{b}_lag1"], False), dtype=bool))
    lags = month[:, None] - np.arange(1, history + 1)[None, :]
    reg = (data.status[pidx[:, None], lags] > 0).sum(axis=1) / history
    add("share_registered_24", reg)
    add("share_registered_24_sq", reg**2)
    emp = data.outcomes["employed"][pidx[:, None], lags]
    for k in range(history):
        add(f"employed_lag{k + 1}", emp[:, k])
    X = np.column_stack(cols) if cols else np.zeros((n, 0), np.float32)
    ym = data.months[month]
    return IPWDesign(
        pidx=pidx,
        month=month,
        is_starter=np.asarray(c["is_starter"], dtype=bool),
        f=np.asarray(c["f"], dtype=float),
        X=X,
        names=names,
        year=ym // 100,
        month_of_year=ym % 100,
        meta={
            "ratio": ratio,
            "seed": seed,
            "history": history,
            "m_lo": int(m_lo - m0),
            "exact": list(exact),
            "n_outside_exact_support": n_out,
        },
    )


def exact_support(
    data: EffectsData,
    pidx: np.ndarray,
    month: np.ndarray,
    is_starter: np.ndarray,
    names: tuple[str, ...],
) -> np.ndarray:
    """Rows (person `pidx`, month offset `month`) to keep: every starter, and the non-starters
    whose joint state in month - 1 on the arrays `names` of `extra["months"]` (small
    non-negative integer codes) is that of some starter of the same month."""
    if not names or pidx.size == 0:
        return np.ones(pidx.size, dtype=bool)
    key = data.joint_state(pidx, month - 1, names) * data.T + month
    return is_starter | np.isin(key, np.unique(key[is_starter]))


def subset_columns(design: IPWDesign, spec: str) -> IPWDesign:
    """Covariate specification: 'all', or 'no_outcome_history' (drops the 24 monthly
    employment indicators, keeping characteristics, benefits and registration history)."""
    if spec == "all":
        return design
    keep = [i for i, n in enumerate(design.names) if not n.startswith("employed_lag")]
    return IPWDesign(
        design.pidx,
        design.month,
        design.is_starter,
        design.f,
        design.X[:, keep],
        [design.names[i] for i in keep],
        design.year,
        design.month_of_year,
        design.meta,
    )


def _f(a, fill):
    return a.filled(fill) if isinstance(a, np.ma.MaskedArray) else a


def perfect_predictors(x: np.ndarray, treat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose outcome a binary column predicts perfectly, and those columns (as Stata's
    logit: "x != 0 predicts failure perfectly; x dropped and N obs not used").

    A 0/1 column whose value is the same for every starter (every control) sets the score of
    the rows with the other value to 0 (1) in the limit, where the likelihood is maximised with
    its coefficient at -inf (+inf): those rows leave the fit, with their score at that limit,
    and the column (then constant) with them. Repeated until no column separates, since leaving
    rows out can make another column constant among the starters. Returns (rows out: 0 = not,
    -1 = score 0, +1 = score 1; columns out, bool)."""
    n, k = x.shape
    out = np.zeros(n, dtype=np.int8)
    cols = np.zeros(k, dtype=bool)
    binary = ((x == 0.0) | (x == 1.0)).all(axis=0)
    while True:
        live = out == 0
        found = False
        for group, sign in ((treat, -1), (~treat, 1)):
            gm = live & group
            size = int(gm.sum())
            if size == 0:
                continue
            ones = gm.astype(x.dtype) @ x  # per column: the group's sum (its 1s if binary)
            for j in np.flatnonzero(binary & ~cols & ((ones == 0) | (ones == size))):
                other = live & (x[:, j] != (1.0 if ones[j] == size else 0.0))
                if other.any():
                    out[other] = sign
                    cols[j] = True
                    found = True
                    live = out == 0
                    gm = live & group
        if not found:
            return out, cols


def propensity(design: IPWDesign, rows: np.ndarray, treat: np.ndarray) -> tuple[np.ndarray, dict]:
    """Propensity scores for the design rows `rows` (bool mask), treatment indicator `treat`
    (over all design rows), one logit per calendar year with month-of-year intercepts; columns
    without variation in a year are dropped, and rows a month or a 0/1 column predicts perfectly
    (`perfect_predictors`: a month without starters, a category no starter is in) get the
    score of that limit (0, or 1) instead of entering the fit, where their coefficient would run
    off until the ridge stops it (20-30 Newton steps instead of 5-8 at scale 1.0)."""
    p = np.full(design.pidx.size, np.nan)
    info = {"years": {}, "all_converged": True}
    prev: dict[str, float] = {}  # the previous year's coefficients by column: the start values
    for yr in np.unique(design.year[rows]):
        r = np.flatnonzero(rows & (design.year == yr))
        moy = design.month_of_year[r]
        months = np.unique(moy)
        dummies = (moy[:, None] == months[None, :]).astype(np.float64)
        Xr = np.column_stack([dummies, design.X[r].astype(np.float64)])
        tr = treat[r]
        labels_all = [f"month_{m}" for m in months] + list(design.names)
        out, cols = perfect_predictors(Xr, tr)
        p[r[out < 0]] = 0.0
        p[r[out > 0]] = 1.0
        fit_rows = out == 0
        if not fit_rows.all():
            Xr = Xr[fit_rows]
        keep = ~cols & (Xr.min(axis=0) < Xr.max(axis=0))
        # the intercepts of the months left (a month's column may have been the one that
        # separated, e.g. every starter in one month: the other months' rows are out)
        keep[: months.size] = Xr[:, : months.size].any(axis=0)
        Xd = Xr if keep.all() else Xr[:, keep]
        labels = [c for c, k in zip(labels_all, keep, strict=True) if k]
        year_info = {
            "rows": int(r.size),
            "rows_predicted_perfectly": int((~fit_rows).sum()),
            "columns_predicting_perfectly": [
                c for c, k in zip(design.names, cols[months.size :], strict=True) if k
            ],
            "months_predicted_perfectly": [int(m) for m in months[~keep[: months.size]]],
        }
        if Xd.shape[0] == 0:
            info["years"][int(yr)] = year_info | {"converged": True, "k": 0}
            continue
        if prev:
            start = np.array([prev.get(c, 0.0) for c in labels])
        else:
            # the first year: each month's intercept at the logit of its share of starters (the
            # month-only model's optimum) rather than at 0 (scores of 0.5 against about 1 in 21)
            mcol = Xd[:, : int(keep[: months.size].sum())]
            share = np.clip(tr[fit_rows] @ mcol / mcol.sum(axis=0), 1e-6, 1 - 1e-6)
            start = np.zeros(Xd.shape[1])
            start[: share.size] = np.log(share / (1 - share))
        fit = fit_logit(Xd, tr[fit_rows].astype(float), start=start, ridge=IPW_RIDGE)
        prev = dict(zip(labels, fit.coef.tolist(), strict=True))
        conv = fit.converged
        p[r[fit_rows]] = expit(Xd @ fit.coef)
        info["years"][int(yr)] = year_info | {"converged": bool(conv), "k": int(Xd.shape[1])}
        info["all_converged"] &= bool(conv)
    return p, info


def common_support(
    design: IPWDesign, rows: np.ndarray, treat: np.ndarray, p: np.ndarray
) -> np.ndarray:
    """Starters (treat & rows) whose score exceeds the largest control score of their month are
    outside the support; returns the mask of rows kept."""
    ctrl = rows & ~treat
    mx = np.full(design.month.max() + 1, -np.inf)
    np.maximum.at(mx, design.month[ctrl], p[ctrl])
    out = rows & treat & (p > mx[design.month])
    return rows & ~out


def ipw_event_study(
    design: IPWDesign,
    outcomes: dict[str, np.ndarray],
    first_start: np.ndarray,
    weights_rows: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
    event_times=EVENT_TIMES_DEFAULT,
    variant: str = "did",
) -> dict[str, EventStudy]:
    """ATT(e) per outcome and subgroup.

    weights_rows: subgroup -> (rows kept (bool over design rows), treat (bool), control weight
    p/(1-p) (float, used on control rows)). variant 'levels' or 'did' (Y_{m+e} - Y_{m-1}).
    """
    event_times = np.asarray(event_times, dtype=np.int64)
    G = np.asarray(first_start, dtype=np.int64)
    subs = list(weights_rows)
    any_y = next(iter(outcomes.values()))
    T = any_y.shape[1]
    ne = event_times.size
    pid_all = design.pidx
    uniq, inv = np.unique(pid_all, return_inverse=True)
    nm = int(design.month.max()) + 1
    names = list(outcomes)
    est = {o: np.full((len(subs), ne), np.nan) for o in names}
    V = {o: np.zeros((len(subs), ne, ne)) for o in names}
    n_tr = np.zeros((len(subs), ne), dtype=np.int64)
    # per subgroup and event time the rows, weights and month sums that do not depend on the
    # outcome are computed once and shared by every outcome
    flat_y = {o: np.ascontiguousarray(Y).reshape(-1) for o, Y in outcomes.items()}
    for si, s in enumerate(subs):
        rows, treat, w = weights_rows[s]
        r = np.flatnonzero(rows)
        # in person order: the gathers from the (person x month) outcome arrays and the
        # scatter into the per-person influence functions below then walk memory in order
        # (at scale 1.0 the arrays are 0.5 GB each and random access dominated)
        r = r[np.argsort(pid_all[r], kind="stable")]
        pid, mo, tr = pid_all[r], design.month[r], treat[r]
        ir = inv[r]
        ww = np.where(tr, 0.0, w[r])  # the controls' weights; 0 on starters
        g_r = G[pid]
        base = {o: (Y[pid, mo - 1] if variant == "did" else 0.0) for o, Y in outcomes.items()}
        psi = {o: np.zeros((ne, uniq.size)) for o in names}  # event times x persons
        for k, e in enumerate(event_times):
            t = mo + e
            obs = (t <= T - 1) & (t >= 0)
            ctrl_ok = obs & ~tr & (g_r > t)
            tr_ok = obs & tr
            n_m = np.bincount(mo[tr_ok], minlength=nm).astype(float)
            W_m = np.bincount(mo[ctrl_ok], weights=ww[ctrl_ok], minlength=nm)
            use_m = (n_m > 0) & (W_m > 0)
            tr_use = tr_ok & use_m[mo]
            n_e = int(tr_use.sum())
            if n_e == 0:
                continue
            n_tr[si, k] = n_e
            c_use = ctrl_ok & use_m[mo]
            # only the rows that enter (in their order): treated of used months and their
            # months' controls; months without starters or controls do not enter mu
            sel = np.flatnonzero(tr_use | c_use)
            is_t = tr_use[sel]
            t_f = is_t.astype(float)
            ms = mo[sel]
            flat = pid[sel] * T + t[sel]
            w_s = ww[sel]
            W_safe = np.where(W_m > 0, W_m, 1.0)
            # influence function per row: (dev - theta) / n_e for a starter, minus its weight's
            # share of its month's starters, n_m / n_e x w / W_m, times dev for a control
            coef = np.where(is_t, 1.0 / n_e, -(n_m[ms] / n_e) * w_s / W_safe[ms])
            irs = ir[sel]
            for o in names:
                y = np.asarray(flat_y[o][flat], dtype=np.float64)  # a new array: in place below
                if variant == "did":
                    y -= base[o][sel]
                S_m = np.bincount(ms, weights=w_s * y, minlength=nm)
                mu = np.where(use_m, S_m / W_safe, 0.0)
                y -= mu[ms]  # dev
                theta = float(y[is_t].sum() / n_e)
                est[o][si, k] = theta
                y -= t_f * theta
                y *= coef
                psi[o][k] = np.bincount(irs, weights=y, minlength=uniq.size)
        for o in names:
            V[o][si] = psi[o] @ psi[o].T
    res = {
        o: EventStudy(
            estimator=f"ipw_dynamic_{variant}",
            outcome=o,
            event_times=event_times,
            subgroups=subs,
            estimate=est[o],
            vcov=V[o],
            n_treated=n_tr.copy(),
        )
        for o in names
    }
    return res


def balance_table(design: IPWDesign, rows, treat, w) -> list[dict]:
    """Standardised mean differences before (controls weighted by 1/f_m, the eligible
    population) and after ATT weighting (p/(1-p), normalised to the starters of each month);
    the SMD denominator is sqrt((var_starters + var_controls_before) / 2) in both."""
    tr = rows & treat
    ct = rows & ~treat
    X = design.X
    nm = int(design.month.max()) + 1
    n_m = np.bincount(design.month[tr], minlength=nm).astype(float)
    W_m = np.bincount(design.month[ct], weights=w[ct], minlength=nm)
    w_after = np.where(ct, w * n_m[design.month] / np.where(W_m > 0, W_m, 1.0)[design.month], 0.0)
    w_before = np.where(ct, 1.0 / design.f, 0.0)
    out = []
    for j, name in enumerate(design.names):
        x = X[:, j].astype(np.float64)
        mt = x[tr].mean()
        vt = x[tr].var()
        mb = np.average(x[ct], weights=w_before[ct])
        vb = np.average((x[ct] - mb) ** 2, weights=w_before[ct])
        ma = np.average(x[ct], weights=w_after[ct]) if w_after[ct].sum() > 0 else np.nan
        sd = np.sqrt((vt + vb) / 2)
        out.append(
            {
                "covariate": name,
                "mean_starters": float(mt),
                "mean_controls_before": float(mb),
                "mean_controls_after": float(ma),
                "smd_before": float((mt - mb) / sd) if sd > 0 else 0.0,
                "smd_after": float((mt - ma) / sd) if sd > 0 else 0.0,
            }
        )
    return out


def support_table(
    design: IPWDesign, rows, treat, p, kept, n_bins: int = 20
) -> tuple[list[dict], dict]:
    """Distribution of propensity scores (logit scale bins over the pooled range) for starters
    and controls, and the common-support summary."""
    tr = rows & treat
    ct = rows & ~treat
    with np.errstate(divide="ignore"):
        lg = np.log(p / (1 - p))  # -inf / +inf: scores of 0 / 1 (`perfect_predictors`)
    fin = np.isfinite(lg)
    lo, hi = (np.min(lg[rows & fin]), np.max(lg[rows & fin])) if (rows & fin).any() else (0, 0)
    edges = np.linspace(lo, hi + 1e-9, n_bins + 1)
    out = []
    for label, m in (("starters", tr), ("controls", ct)):
        h, _ = np.histogram(lg[m], bins=edges)
        for b in range(n_bins):
            out.append(
                {
                    "population": label,
                    "bin": b,
                    "p_low": float(1 / (1 + np.exp(-edges[b]))),
                    "p_high": float(1 / (1 + np.exp(-edges[b + 1]))),
                    "n": int(h[b]),
                    "share": float(h[b] / max(m.sum(), 1)),
                }
            )
    n_score_0 = int((ct & (p == 0)).sum())
    summary = {
        "n_starters": int(tr.sum()),
        "n_controls_sampled": int(ct.sum()),
        "n_starters_outside_support": int((tr & ~kept).sum()),
        "n_controls_score_0": n_score_0,
        "n_starters_score_1": int((tr & (p == 1)).sum()),
        "share_starters_outside_support": float((tr & ~kept).sum() / max(tr.sum(), 1)),
        "max_normalised_control_weight": float(
            np.max(p[ct] / (1 - p[ct])) / np.mean(p[ct] / (1 - p[ct])) if ct.any() else np.nan
        ),
        "share_controls_score_0": n_score_0 / max(int(ct.sum()), 1),
    }
    return out, summary
