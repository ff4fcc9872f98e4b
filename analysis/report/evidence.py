"""What the effects layer delivered in this run, read from the protected tables, and whether the
headline may be presented as a finding.

The chapters on effects, subgroups and costs and the summary read the effects layer only through
this module, so one place decides what counts as a finding:

* :func:`gate` - the design gate. The effects layer's own decision (a protected table named in
  :data:`GATE_TABLES`) when the run has one; otherwise the report's conservative fallback: the
  headline's joint pre-trend test (``marts.effects_diagnostics``) must not reject at 5 %. Without
  either, the design is "not assessed" and nothing is presented as a finding.
* :func:`headline` - the summary measures (lock-in, 12/24/36 months, ...) of the estimator marked
  ``is_headline`` in ``marts.effects`` (so a new headline estimator needs no change here).
* :func:`subgroups` - subgroup estimates with significance and the minimum group size
  (:data:`analysis.design.MIN_SUBGROUP_TREATED`).
* optional outputs that are "not estimated in this run" when absent: effects by months since exit
  (:func:`exit_series`), each purpose's effect on its own intended outcome
  (:func:`intended_effects`), sensitivity to parallel-trend violations (:func:`sensitivity`),
  effects on benefits by type (:func:`benefit_effects`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis import disclosure as sdc
from analysis import formatting as fmt
from analysis.design import (
    BENEFIT_OUTCOMES,
    HEADLINE_ESTIMATOR,
    HEADLINE_OUTCOME,
    INTENDED_OUTCOME_BY_PURPOSE,
    MIN_SUBGROUP_TREATED,
)

GATE_TABLES = ("effects_design_gate", "effects_gate", "design_gate")
"""Protected tables the effects layer's design gate may be published as (first found is used)."""
SENSITIVITY_TABLES = ("effects_sensitivity", "effects_honest_did", "effects_honestdid")
EXIT_TABLES = ("effects_exit", "effects_since_exit", "effects_by_exit")
PRETREND_ALPHA = 0.05
_TRUE = ("true", "1", "yes", "pass", "passed", "ok", "credible", "publish", "published")


@dataclass
class Estimate:
    """One published effect (a share difference, or NOK) with its 95 % interval."""

    estimate: float
    ci_low: float
    ci_high: float
    std_error: float = np.nan
    n_treated: float = np.nan
    symbol: str = ""
    n_symbol: str = ""

    @property
    def shown(self) -> bool:
        return not self.symbol and np.isfinite(self.estimate)

    @property
    def significant(self) -> bool:
        """The 95 % interval excludes 0."""
        return (
            self.shown
            and np.isfinite(self.ci_low)
            and np.isfinite(self.ci_high)
            and (self.ci_low > 0 or self.ci_high < 0)
        )


def _num(r, col: str) -> float:
    if col not in r or sdc.symbol(r, col):
        return np.nan
    v = r[col]
    return np.nan if fmt.is_missing(v) else float(v)


def estimate_from(r: pd.Series) -> Estimate:
    return Estimate(
        estimate=_num(r, "estimate"),
        ci_low=_num(r, "ci_low"),
        ci_high=_num(r, "ci_high"),
        std_error=_num(r, "std_error"),
        n_treated=_num(r, "n_treated"),
        symbol=(sdc.symbol(r, "estimate") or "") if "estimate" in r else fmt.MISSING,
        n_symbol=(sdc.symbol(r, "n_treated") or "") if "n_treated" in r else "",
    )


@dataclass
class Gate:
    """Whether the headline design holds up. ``credible`` is None when not assessed."""

    credible: bool | None
    source: str  # "gate" (the effects layer's decision), "pretrend" (report fallback), "none"
    checks: list[dict] = field(default_factory=list)
    pretrend_p: float = np.nan


def _first(b, names) -> tuple[str, pd.DataFrame] | tuple[None, None]:
    for n in names:
        f = b.frame(n)
        if f is not None:
            return n, f
    return None, None


def headline_estimator(b) -> str:
    """The estimator marked ``is_headline`` in the effects table (the design's default if none)."""
    eff = b.frame("effects")
    if eff is not None and "is_headline" in eff.columns:
        h = eff.loc[eff["is_headline"].fillna(False).astype(bool), "estimator"].unique()
        if len(h):
            return str(h[0])
    return HEADLINE_ESTIMATOR


def _select(df: pd.DataFrame, **where) -> pd.DataFrame:
    m = np.ones(len(df), dtype=bool)
    for col, val in where.items():
        if col in df.columns:
            m &= (df[col] == val).to_numpy()
    return df[m]


def pretrend(b, estimator: str, outcome: str = HEADLINE_OUTCOME, subgroup: str = "ALL") -> dict:
    """The joint pre-trend test of one series: {statistic, df, p_value, diagnostic} (empty if
    none is published)."""
    diag = b.frame("effects_diagnostics")
    if diag is None or "diagnostic" not in diag.columns:
        return {}
    d = _select(diag, estimator=estimator, outcome=outcome, subgroup=subgroup)
    d = d[d["diagnostic"].astype(str).str.startswith("pretrend")]
    if d.empty:
        return {}
    r = d.iloc[0]
    return {
        "diagnostic": str(r["diagnostic"]),
        "statistic": _num(r, "statistic"),
        "df": _num(r, "df") if "df" in r else np.nan,
        "p_value": _num(r, "p_value"),
        "symbol": (sdc.symbol(r, "p_value") or "") if "p_value" in r else "",
    }


def gate(b, outcome: str = HEADLINE_OUTCOME, subgroup: str = "ALL") -> Gate:
    """The design gate of the headline series (see the module docstring)."""
    key = ("gate", outcome, subgroup)
    if key in b.cache:
        return b.cache[key]
    est = headline_estimator(b)
    pt = pretrend(b, est, outcome, subgroup)
    p = pt.get("p_value", np.nan)
    name, g = _first(b, GATE_TABLES)
    result = None
    if g is not None:
        d = _select(g, estimator=est, outcome=outcome, subgroup=subgroup)
        if d.empty:
            d = _select(g, outcome=outcome, subgroup=subgroup)
        if not d.empty:
            checks = []
            verdicts = []
            for r in d.to_dict("records"):
                check = next(
                    (str(r[c]) for c in ("check", "diagnostic", "test", "criterion") if c in r),
                    "",
                )
                passed = next(
                    (r[c] for c in ("passed", "pass", "ok") if c in r and not fmt.is_missing(r[c])),
                    None,
                )
                verdict = next(
                    (
                        r[c]
                        for c in ("credible", "is_credible", "decision", "verdict")
                        if c in r and not fmt.is_missing(r[c])
                    ),
                    None,
                )
                if verdict is not None:
                    verdicts.append(str(verdict).strip().lower() in _TRUE)
                if passed is not None or check:
                    checks.append(
                        {
                            "check": check,
                            "passed": None if passed is None else str(passed).lower() in _TRUE,
                            "detail": next(
                                (str(r[c]) for c in ("detail", "reason", "note") if r.get(c)), ""
                            ),
                            "statistic": r.get("statistic"),
                            "p_value": r.get("p_value"),
                        }
                    )
            if verdicts:
                credible = all(verdicts)
            elif checks and all(c["passed"] is not None for c in checks):
                credible = all(c["passed"] for c in checks)
            else:
                credible = None
            result = Gate(credible, "gate", checks, p)
    if result is None:
        if np.isfinite(p):
            result = Gate(bool(p >= PRETREND_ALPHA), "pretrend", [], p)
        else:
            result = Gate(None, "none", [], p)
    b.cache[key] = result
    return result


def headline(b, outcome: str = HEADLINE_OUTCOME, subgroup: str = "ALL") -> dict[str, Estimate]:
    """Summary measures of the headline estimator: ``measure -> Estimate``."""
    out: dict[str, Estimate] = {}
    est = headline_estimator(b)
    summ = b.frame("effects_summary")
    if summ is not None and "measure" in summ.columns:
        d = _select(summ, estimator=est, outcome=outcome, subgroup=subgroup)
        for r in d.to_dict("records"):
            out[str(r["measure"])] = estimate_from(pd.Series(r))
    eff = b.frame("effects")
    if eff is not None:
        for m, e in (("at_12", 12), ("at_24", 24), ("at_36", 36)):
            if m in out:
                continue
            d = _select(eff, estimator=est, outcome=outcome, subgroup=subgroup)
            d = d[d["event_time"] == e]
            if len(d):
                out[m] = estimate_from(d.iloc[0])
    return out


def series(b, estimator: str, outcome: str = HEADLINE_OUTCOME, subgroup: str = "ALL"):
    """Event-study series (months since start) of one estimator; None if not in this run."""
    eff = b.frame("effects")
    if eff is None:
        return None
    d = eff[(eff["estimator"] == estimator) & (eff["outcome"] == outcome)]
    d = d[d["subgroup"] == subgroup]
    if "time_axis" in d.columns:
        d = d[d["time_axis"].isin(("start", "since_start"))]
    return d if len(d) else None


def n_at_start(b, estimator: str | None = None, outcome: str = HEADLINE_OUTCOME) -> tuple:
    """(text, value) of the treated persons at event time 0 of the headline series."""
    d = series(b, estimator or headline_estimator(b), outcome)
    if d is None:
        return fmt.MISSING, np.nan
    return b.cell(d, d["event_time"] == 0, "n_treated")


def exit_series(b, outcome: str = HEADLINE_OUTCOME, subgroup: str = "ALL"):
    """Effects by months since exit (completed spells) of the headline design, or None."""
    _, f = _first(b, EXIT_TABLES)
    est = headline_estimator(b)
    if f is not None:
        d = _select(f, outcome=outcome, subgroup=subgroup)
        if "estimator" in d.columns and (d["estimator"] == est).any():
            d = d[d["estimator"] == est]
        col = next((c for c in ("event_time", "months_since_exit") if c in d.columns), None)
        if col and len(d):
            return d.rename(columns={col: "event_time"})
    eff = b.frame("effects")
    if eff is not None and "time_axis" in eff.columns:
        d = eff[eff["time_axis"].isin(("exit", "since_exit"))]
        d = _select(d, outcome=outcome, subgroup=subgroup)
        if (d.get("estimator") == est).any():
            d = d[d["estimator"] == est]
        return d if len(d) else None
    return None


def subgroups(b, outcome: str = HEADLINE_OUTCOME, measures=("lock_in_0_5", "at_24")):
    """Subgroup rows of the headline's summary: subgroup, measure, estimate, ci, n_treated,
    significant, too_small (fewer than :data:`MIN_SUBGROUP_TREATED` treated, or hidden)."""
    summ = b.frame("effects_summary")
    if summ is None or "measure" not in summ.columns:
        return None
    d = _select(summ, estimator=headline_estimator(b), outcome=outcome)
    d = d[d["measure"].isin(measures)]
    if d.empty:
        return None
    rows = []
    for r in d.to_dict("records"):
        e = estimate_from(pd.Series(r))
        n = e.n_treated
        rows.append(
            {
                "subgroup": r["subgroup"],
                "measure": r["measure"],
                "estimate": e.estimate,
                "ci_low": e.ci_low,
                "ci_high": e.ci_high,
                "std_error": e.std_error,
                "n_treated": n,
                "n_symbol": e.n_symbol,
                "symbol": e.symbol,
                "significant": e.significant,
                "too_small": (not np.isfinite(n)) or n < MIN_SUBGROUP_TREATED,
            }
        )
    return pd.DataFrame(rows)


def difference(a: Estimate, b: Estimate) -> tuple[float, float]:
    """(difference a - b, two-sided p-value) of two estimates on disjoint groups (independent
    samples; standard errors from the intervals when not published)."""

    def se(x: Estimate) -> float:
        if np.isfinite(x.std_error):
            return x.std_error
        return (x.ci_high - x.ci_low) / (2 * 1.959964)

    from scipy.stats import norm

    d = a.estimate - b.estimate
    s = float(np.hypot(se(a), se(b)))
    if not (np.isfinite(d) and np.isfinite(s) and s > 0):
        return np.nan, np.nan
    return d, float(2 * norm.sf(abs(d) / s))


def intended_effects(b, measure: str = "at_12") -> pd.DataFrame | None:
    """Each purpose's effect on its own intended outcome (the headline design, subgroup
    ``purpose=P``, outcome :data:`INTENDED_OUTCOME_BY_PURPOSE`), or None if not estimated."""
    summ = b.frame("effects_summary")
    if summ is None or "outcome" not in summ.columns:
        return None
    est = headline_estimator(b)
    rows = []
    for purpose, outcome in INTENDED_OUTCOME_BY_PURPOSE.items():
        if outcome == HEADLINE_OUTCOME:
            continue  # the employment effect is in the subgroup chapter already
        d = _select(summ, estimator=est, outcome=outcome, subgroup=f"purpose={purpose}")
        for r in d.to_dict("records"):
            e = estimate_from(pd.Series(r))
            rows.append({"purpose": purpose, "outcome": outcome, "measure": r["measure"], "e": e})
    return pd.DataFrame(rows) if rows else None


def benefit_effects(b) -> pd.DataFrame | None:
    """Headline effects on benefit receipt by benefit type, or None if not estimated."""
    summ = b.frame("effects_summary")
    if summ is None or "outcome" not in summ.columns:
        return None
    d = _select(summ, estimator=headline_estimator(b), subgroup="ALL")
    d = d[d["outcome"].isin((*BENEFIT_OUTCOMES, "any_benefit", "not_any_benefit"))]
    return d if len(d) else None


def sensitivity(b) -> pd.DataFrame | None:
    """Sensitivity of the headline to parallel-trend violations (Rambachan & Roth), or None."""
    _, f = _first(b, SENSITIVITY_TABLES)
    if f is None or f.empty:
        return None
    return _select(f, outcome=HEADLINE_OUTCOME, subgroup="ALL")


__all__ = [
    "EXIT_TABLES",
    "Estimate",
    "GATE_TABLES",
    "Gate",
    "SENSITIVITY_TABLES",
    "benefit_effects",
    "difference",
    "estimate_from",
    "exit_series",
    "gate",
    "headline",
    "headline_estimator",
    "intended_effects",
    "n_at_start",
    "pretrend",
    "sensitivity",
    "series",
    "subgroups",
]
