"""The headline design: Callaway-Sant'Anna group-time ATTs, doubly robust, conditioned on the dip.

Public API (documented in analysis/effects/METHODS.md; the marts in docs/CONTRACT.md):

    estimate_event_study(data, outcomes, *, subgroup_mask=None, comparison_filter=None,
                         time_axis="start", spec=HEADLINE_SPEC, estimator=...)
        -> dict[outcome name, EventStudy]

For every start cohort g (first Arbeidstrening start in month g):

* treated: the cohort's persons in the analysis sample (and in `subgroup_mask`);
* comparisons: persons registered at NAV in month g - 1 (the month selection into AT happens in)
  who have not started AT by month g (not yet treated at g, incl. never treated; persons first
  treated before the window are never comparisons), optionally restricted by
  `comparison_filter(idx, g)` (subgroups restrict comparisons as well as treated), restricted to
  the states in g - 1 that some starter of the cohort was in (`spec.exact`: in another programme
  or a wage subsidy; `exact_support`), and randomly
  subsampled to at most `spec.max_comparison_ratio` per treated person, but not below
  `spec.min_comparisons` per cohort (`DesignSpec.comparisons_for`). They are followed through
  the event window whatever they do later (not censored at a later AT start; see METHODS.md);
* base (`spec.base_window`): the mean outcome over the 24 months g-49..g-26, before the
  conditioned history (`DesignSpec.base_months`; with base_window 0 the single month
  b = g - anticipation - 1); ATT(g, g + e) is the 2x2 DiD of (Y_{g+e} - base), e = -49..36,
  e != -anticipation - 1 (the reference, kept for the single-base variant);
* covariates (`cohort_covariates`): characteristics, status, innsatsgruppe and benefits in g - 1,
  the exact strata's states in g - 1 (when the starters are in several), registration, and
  employment in each month of the dip window g - 1 .. g - anticipation, in the month
  g - anticipation - 1 and in the 12 months before it, as levels (`spec.history`; "changes"
  conditions on the same months as changes from g - anticipation - 1, without the level);
* estimand (`spec.estimand`): start against never starting -- the comparisons' own later starts
  taken out, each with the effect of the starts from its state in the month before
  (`_without_later_starts`, `later_start_state`) -- or start now against not yet;
* estimator: DRDID's locally efficient doubly robust panel DiD (Sant'Anna & Zhao 2020), i.e.
  `analysis.did`'s `CovEngine` with est_method "dr": one propensity score and one outcome
  regression per cohort (all outcomes of a cohort share its propensity score);
* aggregation: theta(e) = sum_g n_g ATT(g, g + e) / sum_g n_g over the cohorts observed at e
  (R did's dynamic aggregation), with the joint influence function per person (comparisons
  enter many cohorts) incl. the estimation effect of the cohort weights (R's `wif`), so the
  E x E covariance (clustered by person) covers summaries, Wald tests and uniform bands.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy import linalg

from analysis import design
from analysis.design import NEVER
from analysis.did._blas import with_single_threaded_blas
from analysis.did._drdid import CovEngine
from analysis.did._engine import CellDef
from analysis.did._prep import Panel
from analysis.effects.data import EffectsData
from analysis.effects.result import EventStudy

MIN_COMPARISONS = 10
"""A cohort with fewer comparison persons has no estimate (marts.effects_cohorts_left_out)."""
FALLBACKS = ("reduced", "none")
"""DesignSpec.fallback: refit a cohort whose full covariate model fails, or leave it out."""


@dataclass(frozen=True)
class DesignSpec:
    """Settings of the history-conditioned doubly robust design (defaults: the headline)."""

    anticipation: int = design.HEADLINE_ANTICIPATION_MONTHS
    event_time_min: int = design.HEADLINE_LEAD_MIN
    event_time_max: int = design.EVENT_TIME_MAX
    est_method: str = "dr"
    # "not_yet_treated": not started AT by g (followed whatever they do later);
    # "never_treated": no AT start in the window at all
    comparison: str = design.HEADLINE_COMPARISON
    max_comparison_ratio: float = design.HEADLINE_MAX_COMPARISON_RATIO
    # ... but never fewer than this many per cohort (all there are, if fewer)
    min_comparisons: int = design.HEADLINE_MIN_COMPARISONS
    seed: int = 20261204
    # "changes" or "levels" (design.HEADLINE_COVARIATE_HISTORY says what each is and why)
    history: str = design.HEADLINE_COVARIATE_HISTORY
    # "start_vs_never" or "start_now_vs_later" (design.HEADLINE_ESTIMAND)
    estimand: str = design.HEADLINE_ESTIMAND
    # 0: base month g - anticipation - 1; L > 0: mean over L months before the pre-base history
    # (design.HEADLINE_BASE_WINDOW_MONTHS)
    base_window: int = design.HEADLINE_BASE_WINDOW_MONTHS
    min_pre: int = design.PRE_MONTHS_REQUIRED + 1  # base month g - anticipation - 1 >= 0
    # "reduced" or "none": a cohort whose model fails with the full covariate set is refitted
    # with the reduced set, or left out (design.HEADLINE_COVARIATE_FALLBACK)
    fallback: str = design.HEADLINE_COVARIATE_FALLBACK
    # arrays of `extra["months"]` whose value in g - 1 is an exact stratum: comparisons only
    # where the cohort has starters, a covariate where it has them in several
    # (design.HEADLINE_EXACT_STRATA)
    exact: tuple[str, ...] = design.HEADLINE_EXACT_STRATA
    # a state's own effect corrects later starts from it with this many starters behind it, else
    # the effect of all starts (design.HEADLINE_LATER_START_MIN_STARTERS; out of reach: stop 28's
    # correction, every later start alike)
    later_start_min_starters: int = design.HEADLINE_LATER_START_MIN_STARTERS

    def comparisons_for(self, n_treated: int) -> int:
        """The most comparison persons a cohort with `n_treated` starters uses."""
        return max(int(np.ceil(self.max_comparison_ratio * n_treated)), self.min_comparisons)

    @property
    def event_times(self) -> np.ndarray:
        return np.arange(self.event_time_min, self.event_time_max + 1)

    @property
    def reference(self) -> int:
        return -self.anticipation - 1

    @property
    def first_cohort(self) -> int:
        """Earliest start month whose base (month or window) lies inside the panel."""
        base = self.base_offset + self.base_window if self.base_window else self.anticipation + 1
        return max(self.min_pre, base)

    @property
    def base_offset(self) -> int:
        """Months from the start back to the earliest month of the conditioned history (g - 25 for
        the headline); a long base window is the `base_window` months before it."""
        return self.anticipation + 1 + design.HEADLINE_PRE_BASE_HISTORY_MONTHS

    def base_months(self, g: int) -> tuple[int, int]:
        """[lo, hi) of the months whose mean is cohort g's base (one month when base_window=0)."""
        b = g - self.anticipation - 1
        if not self.base_window:
            return b, b + 1
        hi = g - self.base_offset
        return hi - self.base_window, hi


HEADLINE_SPEC = DesignSpec()


def headline_treated(data: EffectsData, spec: DesignSpec = HEADLINE_SPEC) -> np.ndarray:
    """Treated persons of the headline: first start with the base month inside the window
    (g >= anticipation + 1, and at least `design.PRE_MONTHS_REQUIRED` pre-months), status group
    ARBEIDSSOKER or NEDSATT_ARBEIDSEVNE."""
    fs = data.first_start
    return (fs >= spec.first_cohort) & (fs < data.T) & np.isin(data.group, (1, 2))


def cohort_covariates(
    data: EffectsData,
    idx: np.ndarray,
    g: int,
    k: int,
    reduced: bool = False,
    history: str = design.HEADLINE_COVARIATE_HISTORY,
    exact: tuple[str, ...] = (),
) -> np.ndarray:
    """Covariates of persons `idx` for cohort g (anticipation k): (len(idx), p), no intercept.

    `exact`: arrays of `extra["months"]` whose value in g - 1 is a covariate too (in both sets; a
    column constant among the comparisons -- all starters in one stratum -- is dropped later).

    `reduced`: the fallback set for cohorts too small for the full one (age, gender,
    NEDSATT_ARBEIDSEVNE and any benefit in g - 1; with `history` "changes" the months employed in
    the dip window and in the 12 months before the base, each relative to the base month; with
    "levels" the months employed in the dip window, last employed 13+ months before and
    employment at the base month)."""
    mx = data.extra["months"]
    b = g - k - 1
    emp = data.outcomes["employed"]
    strata = [mx[name][idx, g - 1].astype(float) for name in exact]
    if reduced:
        age = mx["age"][idx, g - 1].astype(float)
        base = [
            age,
            (data.gender[idx] == 2).astype(float),
            (data.status[idx, g - 1] == 2).astype(float),
            mx["any_benefit"][idx, g - 1].astype(float),
            *strata,
            *_person_covariates(data, idx),
        ]
        if history == "changes":
            lo = max(0, b - design.HEADLINE_PRE_BASE_HISTORY_MONTHS)
            return np.column_stack(
                base
                + [
                    emp[idx, g - k : g].sum(axis=1) - k * emp[idx, b],
                    emp[idx, lo:b].sum(axis=1) - (b - lo) * emp[idx, b],
                ]
            )
        last = _months_since_employed(emp, idx, g)
        return np.column_stack(
            base + [emp[idx, g - k : g].sum(axis=1), (last > k).astype(float), emp[idx, b]]
        )
    cols = list(strata)
    age = mx["age"][idx, g - 1].astype(float)
    cols += [age, age * age / 100.0]
    cols += [(data.gender[idx] == 2).astype(float), (data.immigrant[idx] == "B").astype(float)]
    cols += [data.extra["low_education"][idx].astype(float)]
    st = data.status[idx, g - 1]
    cols += [(st == 2).astype(float)]
    ig = mx["innsatsgruppe"][idx, g - 1]
    cols += [(ig == c).astype(float) for c in (2, 3, 4)]  # standard / none is the reference
    for ben in ("aap", "dagpenger", "sosialhjelp", "uforetrygd", "kvp"):
        cols.append(mx[ben][idx, g - 1].astype(float))
    lo12 = max(0, g - 12)
    for ben in ("aap", "dagpenger", "sosialhjelp", "any_benefit"):
        cols.append(mx[ben][idx, lo12:g].sum(axis=1).astype(float))  # months in the dip window
        cols.append(mx[ben][idx, b].astype(float))  # at the base month
    cols.append((data.status[idx, lo12:g] > 0).sum(axis=1).astype(float))
    eb = emp[idx, b] if history == "changes" else 0.0
    # the dip window, month by month: employment in g-1 .. g-k
    for j in range(1, k + 1):
        cols.append(emp[idx, g - j] - eb)
    if history == "levels":
        # months since last employed (at g - 1) beyond the dip window
        last = _months_since_employed(emp, idx, g)
        cols += [((last > k) & (last <= 24)).astype(float), (last > 24).astype(float)]
        # pre-base history: employment and earnings at b
        cols.append(emp[idx, b])
        cols.append(data.outcomes["earnings_nok"][idx, b] / 10_000.0)
    for j in range(1, design.HEADLINE_PRE_BASE_HISTORY_MONTHS + 1):  # months before the base month
        if b - j >= 0:
            cols.append(emp[idx, b - j] - eb)
    lo = max(0, b - design.HEADLINE_PRE_BASE_HISTORY_MONTHS)
    if b > lo:
        cols.append((data.status[idx, lo:b] > 0).mean(axis=1))
    return np.column_stack(cols + _person_covariates(data, idx))


def _person_covariates(data: EffectsData, idx: np.ndarray) -> list[np.ndarray]:
    """Columns of `extra["person_covariates"]` ((N, q), further person-level covariates of both
    sets) for persons `idx`. The pipeline sets none; `benchmarks/effects_coverage.py --latent`
    puts the synthetic world's latent employability there (METHODS.md, stop 25)."""
    extra = data.extra.get("person_covariates")
    if extra is None:
        return []
    return [extra[idx, j].astype(float) for j in range(extra.shape[1])]


# Outcomes whose own history enters the covariates month by month: in every cohort fitted with the
# full set their leads in those months are 0 (history as changes from one base month) or all
# equal to minus the base window's gap (levels with a long base) by construction.
HISTORY_OUTCOMES = ("employed",)


def exact_support(
    data: EffectsData, tr: np.ndarray, co: np.ndarray, g: int, names: tuple[str, ...]
) -> np.ndarray:
    """The comparisons `co` of cohort g whose joint state in g - 1 on the arrays `names` of
    `extra["months"]` (small non-negative integer codes) is the state of some treated in `tr`."""
    if not names or co.size == 0:
        return co
    key_tr = data.joint_state(tr, g - 1, names)
    return co[np.isin(data.joint_state(co, g - 1, names), np.unique(key_tr))]


def _months_since_employed(emp: np.ndarray, idx: np.ndarray, g: int, cap: int = 36) -> np.ndarray:
    lo = max(0, g - cap)
    win = emp[idx, lo:g][:, ::-1] > 0  # column 0 = g - 1
    any_ = win.any(axis=1)
    first = np.argmax(win, axis=1) + 1
    return np.where(any_, first, cap + 1)


def _independent_columns(x: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Columns of x (among `rows`) that are not constant and not collinear (pivoted QR)."""
    xs = x[rows]
    sd = xs.std(axis=0)
    keep = np.flatnonzero(sd > 1e-12)
    if keep.size == 0:
        return keep
    z = (xs[:, keep] - xs[:, keep].mean(axis=0)) / sd[keep]
    corr = z.T @ z / z.shape[0]
    _, r, piv = linalg.qr(corr, pivoting=True)
    d = np.abs(np.diag(r))
    ok = d > 1e-9 * d.max()
    return np.sort(keep[piv[ok]])


def _sample(idx: np.ndarray, n_max: int, seed: int, g: int) -> np.ndarray:
    if idx.size <= n_max:
        return idx
    h = int(hashlib.sha256(f"{seed}:{g}".encode()).hexdigest()[:8], 16)
    rng = np.random.default_rng(h)
    return np.sort(rng.choice(idx, size=n_max, replace=False))


@with_single_threaded_blas
def estimate_event_study(
    data: EffectsData,
    outcomes: dict[str, np.ndarray] | list[str] | tuple[str, ...] = (design.HEADLINE_OUTCOME,),
    *,
    subgroup_mask: np.ndarray | None = None,
    comparison_filter: Callable[[np.ndarray, int], np.ndarray] | None = None,
    time_axis: str = "start",
    spec: DesignSpec = HEADLINE_SPEC,
    estimator: str = design.HEADLINE_ESTIMATOR,
    subgroup: str = design.ALL,
) -> dict[str, EventStudy]:
    """Headline event study (module docstring) for each outcome, one subgroup.

    Args:
        data: dense person x month arrays (`load_effects_data(..., extended=True)`).
        outcomes: names of arrays in `data` (outcomes or `extra["months"]`), or a dict
            name -> (N, T) array (e.g. intended outcomes built by the caller).
        subgroup_mask: (N,) bool, restricts the treated (None: all headline treated).
        comparison_filter: f(person indices, g) -> bool mask, restricts cohort g's comparisons.
        time_axis: "start" (months since the first start; the only axis implemented).
    Returns: outcome -> EventStudy with one subgroup row (`subgroup`), event times
        spec.event_times, the reference period (e = -anticipation - 1) NaN, meta with cohort
        counts, comparison counts and the cohorts' propensity-score diagnostics.
    """
    if time_axis != "start":
        raise ValueError("time_axis must be 'start' (months since exit is not implemented)")
    if spec.estimand not in ("start_vs_never", "start_now_vs_later"):
        raise ValueError(f"unknown estimand {spec.estimand!r}")
    if spec.fallback not in FALLBACKS:
        raise ValueError(f"unknown covariate fallback {spec.fallback!r}")
    if not isinstance(outcomes, dict):
        outcomes = {o: data.array(o) for o in outcomes}
    names = list(outcomes)
    ys = [outcomes[o] for o in names]
    correct = spec.estimand == "start_vs_never" and spec.comparison != "never_treated"
    states = None
    if correct:  # the comparisons' own AT starts by state, estimated as more outcomes (below)
        states, start_state = _start_states(data)
        ys += [_StartIndicator(data.first_start, start_state, s) for s in range(states.size)]
    k = spec.anticipation
    ets = spec.event_times
    ne, no = ets.size, len(ys)
    treated = headline_treated(data, spec)
    if subgroup_mask is not None:
        treated = treated & subgroup_mask
    G = data.first_start
    cohorts = np.unique(G[treated])
    n_g = np.array([(treated & (g == G)).sum() for g in cohorts], dtype=float)
    # the cohorts' treated and comparisons first (cheap), so that the joint influence function
    # is accumulated cohort by cohort instead of holding every cohort's (n, no, ne) array
    samples = []
    n_comp = np.zeros(cohorts.size, dtype=np.int64)
    ok_person = G >= 0
    for ci, g in enumerate(cohorts):
        tr = np.flatnonzero(treated & (g == G))
        later = G >= NEVER if spec.comparison == "never_treated" else g < G
        co = np.flatnonzero(ok_person & later & (data.status[:, g - 1] > 0))
        if comparison_filter is not None and co.size:
            co = co[comparison_filter(co, int(g))]
        co = exact_support(data, tr, co, int(g), spec.exact)
        co = _sample(co, spec.comparisons_for(tr.size), spec.seed, int(g))
        n_comp[ci] = co.size
        samples.append((tr, co))
    fitted = [np.concatenate([co, tr]) for tr, co in samples if co.size >= MIN_COMPARISONS]
    used = np.unique(np.concatenate([*fitted, np.zeros(0, dtype=np.int64)]))
    pos = np.full(data.n, -1, dtype=np.int64)
    pos[used] = np.arange(used.size)
    # sum_g n_g psi_g over the cohorts observed at (outcome, e); divided by n_e below. Only the
    # real outcomes (the first `nr`): the first-start indicator's ATTs are used, its influence
    # function is not (`_without_later_starts` treats F as known)
    nr = len(names)
    inf = np.zeros((used.size, nr, ne))
    att = np.full((no, cohorts.size, ne), np.nan)
    n_states = 0 if states is None else states.size
    # the same within each state in g - 1 (the later-start correction's effects by state)
    att_s = np.full((n_states, no, cohorts.size, ne), np.nan)
    n_gs = np.zeros((n_states, cohorts.size))
    ps_info = []
    for ci, g in enumerate(cohorts):
        tr, co = samples[ci]
        if co.size < MIN_COMPARISONS:
            continue
        b = g - k - 1
        idx = np.concatenate([co, tr])
        acc = _Accumulate(inf, pos[idx], n_g[ci])
        codes = None
        if n_states:
            codes = _state_index(states, later_start_state(data, idx, int(g) - 1))
            n_gs[:, ci] = np.bincount(codes[co.size :] + 1, minlength=n_states + 1)[1:]
        fit = partial(_cohort_dr, data, ys, tr, co, int(g), b, ets, spec, acc)
        res = fit(codes=codes, n_groups=n_states)
        if res is None and spec.fallback == "reduced":  # e.g. a small, separated cohort
            res = fit(codes=codes, n_groups=n_states, reduced=True)
        if res is None:
            ps_info.append({"cohort": int(g), "ok": False})
            continue
        att[:, ci, :], info, by_state = res
        if n_states:
            att_s[:, :, ci, :] = by_state
        ps_info.append({"cohort": int(g), "ok": True} | info)
    # aggregation over cohorts observed at e
    obs = np.isfinite(att)  # (no, nc, ne)
    n_e = np.einsum("c,oce->oe", n_g, obs.astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        theta = np.where(n_e > 0, np.einsum("c,oce->oe", n_g, np.nan_to_num(att)) / n_e, np.nan)
    inf /= np.where(n_e > 0, n_e, 1.0)[None, :nr]
    for ci in range(cohorts.size):
        if not obs[:, ci, :].any():
            continue
        # estimation effect of the cohort weights (R did's wif), on the treated of the cohort
        with np.errstate(invalid="ignore", divide="ignore"):
            wif = np.where(obs[:, ci, :], (att[:, ci, :] - theta) / np.where(n_e > 0, n_e, 1), 0.0)
        inf[pos[samples[ci][0]]] += wif[None, :nr]
    if correct:
        theta, inf, att = _without_later_starts(
            theta, inf, att, obs, n_g, ets, att_s, n_gs, spec.later_start_min_starters
        )
    out = {}
    for oi, o in enumerate(names):
        f = inf[:, oi, :]
        vcov = f.T @ f
        n_tr = n_e[oi].astype(np.int64)
        out[o] = EventStudy(
            estimator=estimator,
            outcome=o,
            event_times=ets,
            subgroups=[subgroup],
            estimate=theta[oi][None, :],
            vcov=vcov[None],
            n_treated=n_tr[None, :],
            meta={
                "n_cohorts": int(cohorts.size),
                "n_cohorts_failed": int(sum(1 for i in ps_info if not i.get("ok", True))),
                "n_comparison": _comp_by_e(n_comp, obs[oi]),
                "ps": ps_info,
                "anticipation": k,
                "estimand": spec.estimand,
                "cohort_att": att[oi],
                "cohorts": cohorts,
                "n_by_cohort": n_g,
            },
        )
    return out


def estimated_cohorts(meta: dict) -> np.ndarray:
    """The start cohorts of a series (its `meta`, or a subgroup's) with an estimate at some
    event time; the others are left out (marts.effects_cohorts_left_out)."""
    cohorts = np.asarray(meta.get("cohorts", []), dtype=np.int64)
    if cohorts.size == 0:
        return cohorts
    return cohorts[np.isfinite(np.asarray(meta["cohort_att"])).any(axis=1)]


def later_start_state(data: EffectsData, rows: np.ndarray, cols) -> np.ndarray:
    """The state a later start's effect is conditioned on (`_without_later_starts`), of persons
    `rows` in months `cols`: NAV status (0 not registered, 1 ARBEIDSSOKER, 2 NEDSATT_ARBEIDSEVNE)
    x benefit (the first of `design.HEADLINE_LATER_START_BENEFITS` received; 0 none)."""
    groups = design.HEADLINE_LATER_START_BENEFITS
    months = data.extra["months"]
    cat = np.zeros(np.broadcast(rows, cols).shape, dtype=np.int64)
    for k in range(len(groups), 0, -1):  # the first group that applies wins
        on = np.zeros(cat.shape, dtype=bool)
        for name in groups[k - 1]:
            on |= months[name][rows, cols] > 0
        cat[on] = k
    return data.status[rows, cols].astype(np.int64) * (len(groups) + 1) + cat


def _start_states(data: EffectsData) -> tuple[np.ndarray, np.ndarray]:
    """(states, start_state): the states (`later_start_state`) found in the month before some
    first start, and each person's index into them in the month before their first start (-1:
    no first start in the window)."""
    G = data.first_start
    rows = np.flatnonzero((G >= 1) & (G < data.T))
    code = later_start_state(data, rows, G[rows] - 1)
    states = np.unique(code)
    start_state = np.full(data.n, -1, dtype=np.int64)
    start_state[rows] = np.searchsorted(states, code)
    return states, start_state


def _state_index(states: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Index of each code into `states` (-1 where it is none of them)."""
    i = np.clip(np.searchsorted(states, code), 0, states.size - 1)
    return np.where(states[i] == code, i, -1)


@dataclass(frozen=True)
class _StartIndicator:
    """The (N, T) 0/1 outcome "first AT start in this month, from state `state`", read as
    `[rows, lo:hi]` (how `_cohort_dr` reads outcomes) without holding the array."""

    first_start: np.ndarray
    start_state: np.ndarray  # (N,) `_start_states`
    state: int

    def __getitem__(self, key: tuple[np.ndarray, slice]) -> np.ndarray:
        rows, cols = key
        g = self.first_start[rows]
        out = np.zeros((rows.size, cols.stop - cols.start), dtype=np.int8)
        hit = np.flatnonzero(
            (g >= cols.start) & (g < cols.stop) & (self.start_state[rows] == self.state)
        )
        out[hit, g[hit] - cols.start] = 1
        return out


def _without_later_starts(
    theta,
    inf,
    att,
    obs,
    n_g,
    ets,
    att_s=None,
    n_gs=None,
    min_starters: int = design.HEADLINE_LATER_START_MIN_STARTERS,
):
    """The effect of starting against never starting, from the comparisons' observed outcomes.

    A comparison of cohort g who starts AT j >= 1 months later, from state s (`later_start_state`
    in the month before), is at event time e >= j, e - j months into their own AT, so their
    outcome holds the effect at e - j of a start from s. `att` holds the real outcomes' cohort
    ATTs, then one per state s of the indicator "first start in this month from s": its cohort
    ATT at e >= 1 is minus the (doubly robust, weighted) share F_g(e, s) of cohort g's
    comparisons starting in month g + e from s. With the effect of a later start equal to the
    effect, at the same months since start, of the starts from the same state, for e >= 0

        ATT_obs(g, e) = theta_g(e) - sum_s sum_{j=1..e} F_g(j, s) theta_s(e - j),

    aggregated with the cohort weights at e and solved forward over e. theta_s is the same
    estimand for the starters from s (cohort ATTs within the state in g - 1, `att_s`, (states,
    outcomes, cohorts, event times), with their own comparisons' shares F_g^s(j, s')); a state
    with fewer than `min_starters` starters behind theta_s(e - j)
    takes the overall theta(e - j). Without `att_s` (one state) this is the overall effect, as
    in theta = M ATT_obs, M = (I - B)^-1, B[e, e - j] = Fbar_e(j) (B strictly lower triangular).
    The influence functions are mapped by that M with the shares of all states (F treated as
    known, and theta_s as having theta's influence function: the correction is a share of a few
    per cent per month times an effect). Leads (e < 0) are unchanged. `inf` needs the real
    outcomes only. Returns theta, inf and cohort ATTs of the real outcomes; inf, the largest
    array (persons x outcomes x event times), is mapped in place and returned as a view of
    `inf` (a copy would double the part's peak memory)."""
    nr = inf.shape[1]
    n_st = att.shape[0] - nr
    if att_s is None:
        if n_st != 1:
            raise ValueError("the cohort ATTs by state are needed with more than one state")
        att_s, n_gs = att[None], n_g[None]
    ne = ets.size
    if not np.array_equal(ets, np.arange(ets[0], ets[0] + ne)):
        raise ValueError("event times must be consecutive")
    e0 = int(ets[0])
    post = np.flatnonzero(ets >= 0)
    f = -np.nan_to_num(att[nr:])  # (states, cohorts, ne): F_g(e, s), used at e >= 1
    f_s = -np.nan_to_num(att_s[:, nr:])  # (states in g - 1, states, cohorts, ne): F_g^s(e, s')

    def weights(n, ok):  # cohort weights at each e, (..., cohorts, ne)
        w = n[..., None] * ok
        tot = w.sum(axis=-2, keepdims=True)
        return w / np.where(tot > 0, tot, 1.0), tot[..., 0, :]

    # fm[s, g, i, k] = F_g(e_i - e_k, s) where 1 <= e_i - e_k <= e_i (a later start j = e_i - e_k
    # months after g, seen at its own months since start e_k >= 0), else 0
    lag = ets[:, None] - ets[None, :]
    later = (lag >= 1) & (ets[None, :] >= 0)
    fm = np.where(later[None, None], f[:, :, np.clip(lag - e0, 0, ne - 1)], 0.0)
    theta_out = theta[:nr].copy()
    inf_out = inf[:, :nr, :]
    att_out = att[:nr].copy()
    for oi in range(nr):
        w, _ = weights(n_g, obs[oi])
        ok_s = np.isfinite(att_s[:, oi])
        ws, n_s = weights(n_gs, ok_s)
        b_s = np.einsum("gi,sgik->sik", w, fm)  # (states, e, e - j): Fbar_e(j, s)
        fbar_s = np.einsum("tge,tsgj->tsej", ws, f_s)
        a_s = np.where(n_s > 0, np.einsum("tge,tge->te", ws, np.nan_to_num(att_s[:, oi])), np.nan)
        th = np.nan_to_num(theta[oi])
        th_s = a_s.copy()
        use = np.zeros(th_s.shape, dtype=float)  # theta_s(e) or, for a thin state, theta(e)
        for i in post:
            k = post[post < i]  # e - j for j = 1..e
            j = i - k - e0  # positions of j in ets
            if k.size:
                th[i] += np.einsum("sk,sk->", b_s[:, i, k], use[:, k])
                th_s[:, i] += np.einsum("tsk,sk->t", fbar_s[:, :, i, j], use[:, k])
            good = (n_s[:, i] >= min_starters) & np.isfinite(th_s[:, i])
            use[:, i] = np.where(good, th_s[:, i], th[i])
        theta_out[oi] = np.where(np.isfinite(theta[oi]), th, np.nan)
        # cohort level: theta_g(e) = ATT_obs(g, e) + sum_s sum_j F_g(j, s) theta_s(e - j)
        att_out[oi] = att[oi] + np.einsum("sgik,sk->gi", fm, use)
        # influence functions: M = (I - B)^-1 with the shares of all states
        m = np.linalg.inv(np.eye(ne) - b_s.sum(axis=0))
        inf_out[:, oi, :] = inf[:, oi, :] @ m.T
    return theta_out, inf_out, att_out


def _comp_by_e(n_comp: np.ndarray, obs: np.ndarray) -> np.ndarray:
    """Comparison persons behind each event time (sum over the cohorts observed there)."""
    return (n_comp[:, None] * obs).sum(axis=0).astype(np.int64)


@dataclass
class _Accumulate:
    """Where a cohort's influence functions go: `weight` x psi added to `inf[rows]` (rows: the
    cohort's persons, comparisons then treated, as positions in `inf`), for the first
    `inf.shape[1]` outcomes, block by block: no (persons x outcomes x event times) array of the
    cohort is held, and the sums are those of adding the whole array at once."""

    inf: np.ndarray
    rows: np.ndarray
    weight: float

    def add(self, rows: slice, e0: int, block: np.ndarray) -> None:
        """Add `block` ((persons, outcomes, event times): the cohort's psi of persons `rows` at
        event-time positions e0.., already times `weight` and zero where the cohort's ATT is
        not finite)."""
        self.inf[self.rows[rows], :, e0 : e0 + block.shape[2]] += block


def _outcome_columns(ys, idx: np.ndarray, b: int, t_use: np.ndarray, base: tuple[int, int]):
    """(persons idx, outcomes x (1 + periods)) float: per outcome the base (month b, or the mean
    over the base window [lo, hi)) and the months `t_use`; one row gather of the months spanned
    per outcome, then the columns."""
    periods = np.concatenate([[b], t_use]).astype(np.int64)
    P = periods.size
    lo, hi = base
    w0 = int(min(periods.min(), lo))
    w1 = int(max(periods.max() + 1, hi))
    y = np.empty((idx.size, len(ys) * P))
    for oi, yy in enumerate(ys):
        win = yy[idx, w0:w1]
        y[:, oi * P : (oi + 1) * P] = win[:, periods - w0]
        if hi - lo > 1:  # the base is the mean over a window (DesignSpec.base_window)
            y[:, oi * P] = win[:, lo - w0 : hi - w0].mean(axis=1)
    return y


def _cells(n_outcomes: int, P: int) -> tuple[np.ndarray, np.ndarray]:
    """Column of each cell's month and of its base in `_outcome_columns`' layout."""
    tidx = np.concatenate([oi * P + np.arange(1, P) for oi in range(n_outcomes)])
    bidx = np.concatenate([np.full(P - 1, oi * P) for oi in range(n_outcomes)])
    return tidx, bidx


def _cohort_dr(
    data,
    ys,
    tr,
    co,
    g,
    b,
    ets,
    spec,
    add_to: _Accumulate,
    reduced: bool = False,
    codes: np.ndarray | None = None,
    n_groups: int = 0,
):
    """DR 2x2 DiD for every (outcome, event time) of cohort g via analysis.did's CovEngine.

    Returns (att (no, ne), info, att by group (n_groups, no, ne) or None), or None when the
    model fails (nothing is added then); the persons' influence functions psi of the first
    `add_to.inf.shape[1]` outcomes are added to `add_to` block by block. `codes`: the group
    (0..n_groups-1, -1 none) of each person of [co, tr], within which the ATTs are also
    computed with the cohort's models (`CovEngine.att_by_group`)."""
    T = data.T
    idx = np.concatenate([co, tr])
    x = cohort_covariates(
        data, idx, g, spec.anticipation, reduced=reduced, history=spec.history, exact=spec.exact
    )
    keep = _independent_columns(x, np.arange(co.size))
    x = x[:, keep]
    t_all = g + ets
    ok_e = (t_all >= 0) & (t_all <= T - 1) & (ets != spec.reference)
    nr = add_to.inf.shape[1]  # the outcomes in the model; the rest (start indicators) below
    e_pos = np.flatnonzero(ok_e)
    y = _outcome_columns(ys[:nr], idx, b, t_all[e_pos], spec.base_months(g))
    P = e_pos.size + 1
    n_co, n_tr = co.size, tr.size
    panel = Panel(
        tlist=np.arange(nr * P),
        cohorts=np.array([0, 1]),
        n_by_cohort=np.array([n_co, n_tr]),
        starts=np.array([0, n_co, n_co + n_tr]),
        order=np.arange(idx.size),
        cols=None,
        y=y,
        balanced=True,
        x=x,
        x_varying=False,
    )
    tidx, bidx = _cells(nr, P)
    n_cells = tidx.size
    cd = CellDef(
        group=np.ones(n_cells, dtype=np.int64),
        time=tidx.copy(),
        base=bidx.copy(),
        gidx=np.ones(n_cells, dtype=np.int64),
        tidx=tidx,
        bidx=bidx,
        control=np.tile(np.array([True, False]), (n_cells, 1)),
        reference=np.zeros(n_cells, dtype=bool),
    )
    eng = CovEngine(panel, cd, est_method=spec.est_method, anticipation=0)
    m = eng.models[0]
    if not m.ok:
        return None
    no = len(ys)
    att_c = np.full((no, ets.size), np.nan)
    att_c[:nr, e_pos] = m.att.reshape(nr, P - 1)
    by_group = np.full((n_groups, no, ets.size), np.nan) if n_groups else None
    if n_groups:
        by_group[:, :nr, e_pos] = eng.att_by_group(0, codes, n_groups).reshape(n_groups, nr, P - 1)
    if no > nr:
        # the start indicators: ATTs (overall and by group) with the cohort's models, at e >= 1
        # only, and no influence function (`_without_later_starts` treats F as known)
        q_pos = np.flatnonzero(ok_e & (ets >= 1))
        yq = _outcome_columns(ys[nr:], idx, b, t_all[q_pos], spec.base_months(g))
        qt, qb = _cells(no - nr, q_pos.size + 1)
        one = eng.att_by_group(0, np.zeros(idx.size, dtype=np.int64), 1, y=yq, tidx=qt, bidx=qb)
        att_c[nr:, q_pos] = one.reshape(no - nr, q_pos.size)
        if n_groups:
            by = eng.att_by_group(0, codes, n_groups, y=yq, tidx=qt, bidx=qb)
            by_group[:, nr:, q_pos] = by.reshape(n_groups, no - nr, q_pos.size)
    # per-unit influence functions psi = a (Y_t - Y_b) + H . zeta for every cell, written
    # straight into the (person, outcome, event time) layout, one run of event times at a time
    # (times the cohort's weight, folded into zeta and a; zero where the ATT is not finite)
    runs = np.split(np.arange(e_pos.size), np.flatnonzero(np.diff(e_pos) > 1) + 1)
    finite = np.isfinite(att_c[:nr, e_pos])
    zeta = m.zeta * add_to.weight
    for c in (0, 1):
        sl = eng.block(c)
        for r0 in range(sl.start, sl.stop, 8192):
            rows = slice(r0, min(r0 + 8192, sl.stop))
            a, h = eng.block_terms(c, rows, [0])
            y3 = eng.y[rows].reshape(-1, nr, P)
            blk = (h[:, :, 0].T @ zeta).reshape(-1, nr, P - 1)
            dy = np.subtract(y3[:, :, 1:], y3[:, :, :1])
            dy *= (a[:, 0] * add_to.weight)[:, None, None]
            blk += dy
            if not finite.all():
                blk[:, ~finite] = 0.0
            for run in runs:
                add_to.add(rows, e_pos[run[0]], blk[:, :, run[0] : run[-1] + 1])
    info = {
        "n_treated": int(n_tr),
        "n_comparison": int(n_co),
        "n_covariates": int(x.shape[1]),
        "covariates": "reduced" if reduced else "full",
        "n_trimmed": int(m.n_trimmed),
        "warnings": list(m.warnings),
    }
    if eng.has_ps:
        from scipy.special import expit

        xd = eng.design(slice(0, idx.size), -1)
        p = expit(xd @ m.theta)
        info["max_ps_treated"] = float(p[n_co:].max())
        info["share_treated_ps_above_0_9"] = float((p[n_co:] > 0.9).mean())
        wc = np.where(p[:n_co] < 0.995, p[:n_co] / (1 - p[:n_co]), 0.0)
        xt, xc = x[n_co:], x[:n_co]
        if wc.sum() > 0 and x.shape[1]:
            mc = wc @ xc / wc.sum()
            sd = np.sqrt((xt.var(axis=0) + xc.var(axis=0)) / 2)
            smd = np.abs(xt.mean(axis=0) - mc) / np.where(sd > 0, sd, 1.0)
            info["mean_abs_smd"] = float(smd.mean())
    return att_c, info, by_group
