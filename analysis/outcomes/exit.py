"""Effects by months since exit of the first (completed) Arbeidstrening spell.

Estimand (METHODS.md): for treated persons whose first spell ends inside the window after d
months (d = exit month - start month, 0..EXIT_MAX_SPELL_MONTHS), the ATT k months after the exit
month, theta_exit(k) = sum_d n_d(k) ATT_d(d + k) / sum_d n_d(k), where ATT_d(e) is the
event-study effect by months since START of the completers with duration d (cohorts = start
months, base period before the dip relative to start, comparisons as in the headline) and n_d(k)
the treated behind ATT_d(d + k). Within a duration class, months since exit is months since
start shifted by d, so the start-clock design (and its dip-free base period) carries over.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from analysis import design
from analysis.effects.data import analysis_treated
from analysis.outcomes.data import NO_EXIT, OutcomeData
from analysis.outcomes.estimate import OUTCOMES_SPEC, EventStudySpec, estimate_event_studies


def spell_months(data: OutcomeData) -> np.ndarray:
    """(N,) months from start to exit month of the first spell; -1 if ongoing or never."""
    fs = data.base.first_start
    done = (data.exit_offset != NO_EXIT) & (fs < data.T)
    return np.where(done, data.exit_offset - fs, -1)


def _class_studies(data, outcomes, treated, dur, spec, k_max):
    """Each spell-length class's event study per outcome, all with ONE design per outcome: the
    spec's; classes it cannot estimate are left out. When the spec is the headline and the
    classes it estimates hold less than design.EXIT_MIN_COVERED_SHARE of the completers, the
    fallback is used for every class of that outcome. The outcomes of a class are estimated in
    one call (they share its cohort models). Returns outcome -> ({d: study}, spec used)."""
    classes = [d for d in range(design.EXIT_MAX_SPELL_MONTHS + 1) if (treated & (dur == d)).any()]
    size = {d: int((treated & (dur == d)).sum()) for d in classes}
    one = replace(spec, fallback=None) if spec.use_headline else spec
    out: dict[str, dict] = {o: {} for o in outcomes}
    for d in classes:
        res = estimate_event_studies(data, outcomes, treated & (dur == d), one, max_e=d + k_max)
        for o, es in res.items():
            if es is not None:
                out[o][d] = es
    total = max(sum(size.values()), 1)
    short = []
    if spec.use_headline and spec.fallback is not None:
        short = [
            o
            for o in outcomes
            if sum(size[d] for d in out[o]) / total < design.EXIT_MIN_COVERED_SHARE
        ]
    result = {o: (out[o], spec) for o in outcomes if o not in short}
    if short:
        result |= _class_studies(data, short, treated, dur, spec.fallback, k_max)
    return {o: result[o] for o in outcomes}  # in the order asked for


def exit_event_study(
    data: OutcomeData,
    outcome: str,
    treated: np.ndarray | None = None,
    spec: EventStudySpec = OUTCOMES_SPEC,
    months: tuple[int, ...] = design.EXIT_MONTHS,
    measures: dict[str, dict[int, float]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """theta_exit(k) for k in `months` (months_since_exit, estimate, std_error, n_treated,
    n_classes = duration classes used) and the summary `measures` (name -> {k: weight}; default
    design.EXIT_SUMMARY_MEASURES: measure, estimate, std_error, n_treated). Each class's event
    study has a joint covariance over its event times; classes are combined as independent
    (they share comparisons, so the SEs are approximate: see METHODS.md)."""
    return exit_event_studies(data, (outcome,), treated, spec, months, measures)[outcome]


def exit_event_studies(
    data: OutcomeData,
    outcomes: tuple[str, ...],
    treated: np.ndarray | None = None,
    spec: EventStudySpec = OUTCOMES_SPEC,
    months: tuple[int, ...] = design.EXIT_MONTHS,
    measures: dict[str, dict[int, float]] | None = None,
) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """`exit_event_study` for several outcomes of the same completers (one estimation per
    spell-length class for all of them)."""
    measures = design.EXIT_SUMMARY_MEASURES if measures is None else measures
    if treated is None:
        treated = analysis_treated(data.base)
    dur = spell_months(data)
    by_outcome = _class_studies(data, tuple(outcomes), treated, dur, spec, max(months))
    return {
        o: _combine(studies, used_spec.name, months, measures)
        for o, (studies, used_spec) in by_outcome.items()
    }


def _combine(studies, used, months, measures) -> tuple[pd.DataFrame, pd.DataFrame]:
    """theta_exit(k) and the summary measures from one outcome's class studies."""
    num = np.zeros(len(months))
    var = np.zeros(len(months))
    n = np.zeros(len(months))
    n_classes = np.zeros(len(months), dtype=np.int64)
    classes = []  # (d, event-time index of each k (-1: missing), weights n, estimates, vcov)
    for d, es in studies.items():
        pos = {int(e): j for j, e in enumerate(es.table["event_time"])}
        theta = es.table["estimate"].to_numpy()
        # analysis.did reports SEs below 1.5e-7 as NA: a degenerate (zero) variance here
        se = np.nan_to_num(es.table["std_error"].to_numpy(), nan=0.0)
        nt = es.table["n_treated"].to_numpy().astype(float)
        j_of = np.full(len(months), -1)
        w_of = np.zeros(len(months))
        for i, k in enumerate(months):
            j = pos.get(d + k, -1)
            if j < 0 or not (np.isfinite(theta[j]) and nt[j] > 0):
                continue
            j_of[i], w_of[i] = j, nt[j]
            num[i] += nt[j] * theta[j]
            var[i] += nt[j] ** 2 * se[j] ** 2
            n[i] += nt[j]
            n_classes[i] += 1
        classes.append((j_of, w_of, np.nan_to_num(theta), np.nan_to_num(es.vcov)))
    with np.errstate(invalid="ignore", divide="ignore"):
        est = np.where(n > 0, num / np.maximum(n, 1), np.nan)
        se = np.where(n > 0, np.sqrt(var) / np.maximum(n, 1), np.nan)
    series = pd.DataFrame(
        {
            "months_since_exit": np.asarray(months, dtype=np.int64),
            "estimate": est,
            "std_error": se,
            "n_treated": n.astype(np.int64),
            "n_classes": n_classes,
            "estimator": used,
        }
    )
    k_pos = {k: i for i, k in enumerate(months)}
    rows = []
    for name, weights in measures.items():
        if any(k not in k_pos or n[k_pos[k]] <= 0 for k in weights):
            rows.append({"measure": name, "estimate": np.nan, "std_error": np.nan, "n_treated": 0})
            continue
        total, var_m = 0.0, 0.0
        for j_of, w_of, theta, vcov in classes:
            a = np.zeros(theta.size)
            for k, wk in weights.items():
                i = k_pos[k]
                if j_of[i] >= 0:
                    a[j_of[i]] += wk * w_of[i] / n[i]
            total += float(a @ theta)
            var_m += float(a @ vcov @ a)
        rows.append(
            {
                "measure": name,
                "estimate": total,
                "std_error": float(np.sqrt(max(var_m, 0.0))),
                "n_treated": int(n[k_pos[min(weights)]]),
            }
        )
    return series, pd.DataFrame(rows).assign(estimator=used)
