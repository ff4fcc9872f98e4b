"""What the effects layer delivered in this run, read from the protected tables, and whether the
headline may be presented as a finding.

The chapters on effects, subgroups and costs and the summary read the effects layer only through
this module, with the names of the effects layer (``docs/CONTRACT.md``): every table is
read from schema ``protected`` (the disclosure layer's copy of ``marts.<same name>``), so one
place decides what counts as a finding:

* :func:`gate` - the design gate: column ``credible`` of ``effects_design_gate`` for the headline
  series, with its checks (``pretrend_leads``, ``pretrend_dip_window``, ``overlap``,
  ``balance``). Only when a run has no design-gate table at all does the report fall back, as the
  method chapter states, on the headline's joint pre-trend test in ``effects_diagnostics`` (it
  must not reject at 5 %). Without either, or when the gate table has no row for the series, the
  design is "not assessed" and nothing is presented as a finding.
* :func:`headline` - the summary measures (lock-in, 12/24/36 months, ...) of the estimator marked
  ``is_headline`` in ``effects`` (so a new headline estimator needs no change here).
* :func:`by_role` - the triangulation: the estimator of each ``role`` (``headline``,
  ``selection_on_observables``, ``plain_did``) in ``effects``.
* :func:`subgroups` - subgroup estimates with significance and the minimum group size
  (:data:`analysis.design.MIN_SUBGROUP_TREATED`).
* outputs that are "not estimated in this run" when their table is absent: effects by months
  since exit (``effects_exit``, :func:`exit_series`), each purpose's effect on its own intended
  outcome (``effects_intended``, :func:`intended_effects`), sensitivity to violations of parallel
  trends (``effects_sensitivity``, :func:`sensitivity`), effects on benefits by type
  (:func:`benefit_effects`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis import disclosure as sdc
from analysis import formatting as fmt
from analysis.design import (
    ANY_BENEFIT_OUTCOME,
    BENEFIT_OUTCOMES,
    HEADLINE_ESTIMATOR,
    HEADLINE_OUTCOME,
    MIN_SUBGROUP_TREATED,
)

GATE_TABLE = "effects_design_gate"
SENSITIVITY_TABLE = "effects_sensitivity"
SPECIFICATIONS_TABLE = "effects_specifications"
EXIT_TABLE = "effects_exit"
INTENDED_TABLE = "effects_intended"
DIAGNOSTICS_TABLE = "effects_diagnostics"
GATE_CHECKS = ("pretrend_leads", "pretrend_dip_window", "overlap", "balance")
"""The design gate's checks, in the order the report lists them."""
ROLES = ("headline", "selection_on_observables", "plain_did")
"""The triangulation roles of ``effects.role`` shown beside each other (``diagnostic`` too when
present, as a warning of how much the design matters)."""
PRETREND_ALPHA = 0.05
"""Level of the report's fallback check (only without a design-gate table)."""


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


def cell_value(r, col: str) -> float:
    """A numeric cell of a protected row (NaN when absent, empty or not published)."""
    if col not in r or sdc.symbol(r, col):
        return np.nan
    v = r[col]
    return np.nan if fmt.is_missing(v) else float(v)


def _bool(r, col: str) -> bool | None:
    """A boolean cell (None when absent, empty or not published)."""
    if col not in r or sdc.symbol(r, col):
        return None
    v = r[col]
    if fmt.is_missing(v):
        return None
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1")
    return bool(v)


def not_rejected(credible) -> bool:
    """A series' own gate decision read from a frame: True unless it says False (None or
    missing means not assessed by the series' own gate, and the headline's gate applies)."""
    return credible is None or fmt.is_missing(credible) or bool(credible)


def estimate_from(r: pd.Series) -> Estimate:
    return Estimate(
        estimate=cell_value(r, "estimate"),
        ci_low=cell_value(r, "ci_low"),
        ci_high=cell_value(r, "ci_high"),
        std_error=cell_value(r, "std_error"),
        n_treated=cell_value(r, "n_treated"),
        symbol=(sdc.symbol(r, "estimate") or "") if "estimate" in r else fmt.MISSING,
        n_symbol=(sdc.symbol(r, "n_treated") or "") if "n_treated" in r else "",
    )


@dataclass
class Gate:
    """Whether the headline design holds up. ``credible`` is None when not assessed."""

    credible: bool | None
    source: str  # "gate" (effects_design_gate), "pretrend" (the report's fallback), "none"
    checks: list[dict] = field(default_factory=list)
    pretrend_p: float = np.nan

    @property
    def failed(self) -> list[str]:
        """Codes of the checks that did not pass."""
        return [c["check"] for c in self.checks if c["passed"] is False]


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
        m &= (df[col] == val).to_numpy()
    return df[m]


def pretrend(b, estimator: str, outcome: str = HEADLINE_OUTCOME, subgroup: str = "ALL") -> dict:
    """The joint pre-trend test of one series: {statistic, df, p_value, symbol}. From the design
    gate's ``pretrend_leads`` check when the run has one, else from ``effects_diagnostics``
    (diagnostic ``pretrend_...``); empty if neither is published."""
    g = b.frame(GATE_TABLE)
    if g is not None:
        d = _select(g, estimator=estimator, outcome=outcome, subgroup=subgroup)
        d = d[d["check"] == "pretrend_leads"]
        if len(d):
            r = d.iloc[0]
            return {
                "statistic": cell_value(r, "statistic"),
                "df": cell_value(r, "df"),
                "p_value": cell_value(r, "p_value"),
                "symbol": sdc.symbol(r, "p_value") or "",
            }
    diag = b.frame(DIAGNOSTICS_TABLE)
    if diag is None:
        return {}
    d = _select(diag, estimator=estimator, outcome=outcome, subgroup=subgroup)
    d = d[d["diagnostic"].astype(str).str.startswith("pretrend")]
    if d.empty:
        return {}
    r = d.iloc[0]
    return {
        "statistic": cell_value(r, "statistic"),
        "df": cell_value(r, "df"),
        "p_value": cell_value(r, "p_value"),
        "symbol": sdc.symbol(r, "p_value") or "",
    }


def gate(b, outcome: str = HEADLINE_OUTCOME, subgroup: str = "ALL") -> Gate:
    """The design gate of the headline series (see the module docstring)."""
    key = ("gate", outcome, subgroup)
    if key in b.cache:
        return b.cache[key]
    est = headline_estimator(b)
    p = pretrend(b, est, outcome, subgroup).get("p_value", np.nan)
    g = b.frame(GATE_TABLE)
    if g is not None:
        d = _select(g, estimator=est, outcome=outcome, subgroup=subgroup)
        order = {c: i for i, c in enumerate(GATE_CHECKS)}
        d = d.sort_values("check", key=lambda s: s.map(lambda c: order.get(c, len(order))))
        checks = [
            {
                "check": str(r["check"]),
                "passed": _bool(r, "passed"),
                "statistic": cell_value(r, "statistic"),
                "p_value": cell_value(r, "p_value"),
                "threshold": cell_value(r, "threshold"),
                "symbol": sdc.symbol(r, "p_value") or "",
            }
            for r in d.to_dict("records")
        ]
        verdicts = [v for v in (_bool(r, "credible") for r in d.to_dict("records"))]
        # one decision per series; not assessed when the table has no (readable) row for it
        credible = all(verdicts) if verdicts and None not in verdicts else None
        result = Gate(credible, "gate", checks, p)
    elif np.isfinite(p):
        result = Gate(bool(p >= PRETREND_ALPHA), "pretrend", [], p)
    else:
        result = Gate(None, "none", [], p)
    b.cache[key] = result
    return result


def summary(
    b, estimator: str, outcome: str = HEADLINE_OUTCOME, subgroup: str = "ALL"
) -> dict[str, Estimate]:
    """Summary measures of one estimator's series: ``measure -> Estimate``."""
    summ = b.frame("effects_summary")
    if summ is None:
        return {}
    d = _select(summ, estimator=estimator, outcome=outcome, subgroup=subgroup)
    return {str(r["measure"]): estimate_from(pd.Series(r)) for r in d.to_dict("records")}


def headline(b, outcome: str = HEADLINE_OUTCOME, subgroup: str = "ALL") -> dict[str, Estimate]:
    """Summary measures of the headline estimator: ``measure -> Estimate``."""
    return summary(b, headline_estimator(b), outcome, subgroup)


def by_role(b, outcome: str = HEADLINE_OUTCOME) -> dict[str, list[str]]:
    """``role -> estimators`` of the series for all participants (column ``effects.role``;
    empty when the run's effects carry no roles)."""
    eff = b.frame("effects")
    if eff is None or "role" not in eff.columns:
        return {}
    d = _select(eff, outcome=outcome, subgroup="ALL").dropna(subset=["role"])
    out: dict[str, list[str]] = {}
    for role, est in d[["role", "estimator"]].drop_duplicates().itertuples(index=False):
        out.setdefault(str(role), []).append(str(est))
    return out


def series(b, estimator: str, outcome: str = HEADLINE_OUTCOME, subgroup: str = "ALL"):
    """Event-study series (months since start) of one estimator, with ``band_low``/``band_high``
    (the simultaneous band) where estimated; None if not in this run."""
    eff = b.frame("effects")
    if eff is None:
        return None
    d = _select(eff, estimator=estimator, outcome=outcome, subgroup=subgroup)
    return d if len(d) else None


def n_at_start(b, estimator: str | None = None, outcome: str = HEADLINE_OUTCOME) -> tuple:
    """(text, value) of the treated persons at event time 0 of the headline series."""
    d = series(b, estimator or headline_estimator(b), outcome)
    if d is None:
        return fmt.MISSING, np.nan
    return b.cell(d, d["event_time"] == 0, "n_treated")


def exit_series(b, outcome: str = HEADLINE_OUTCOME, subgroup: str = "ALL"):
    """Effects by months since exit (completed spells) of the headline estimator, as a frame with
    ``event_time`` = months since exit, or None when ``effects_exit`` is not in this run."""
    f = b.frame(EXIT_TABLE)
    if f is None:
        return None
    d = _select(f, estimator=headline_estimator(b), outcome=outcome, subgroup=subgroup)
    return d.rename(columns={"months_since_exit": "event_time"}) if len(d) else None


def subgroups(b, outcome: str = HEADLINE_OUTCOME, measures=("lock_in_0_5", "at_24")):
    """Subgroup rows of the headline's summary: subgroup, measure, estimate, ci, n_treated,
    significant, too_small (fewer than :data:`MIN_SUBGROUP_TREATED` treated, or hidden),
    own_gate (False when the subgroup's own series fails the design gate)."""
    summ = b.frame("effects_summary")
    if summ is None:
        return None
    est = headline_estimator(b)
    d = _select(summ, estimator=est, outcome=outcome)
    d = d[d["measure"].isin(measures)]
    if d.empty:
        return None
    own = {}  # each subgroup series' own design-gate decision, where the gate has one
    g = b.frame(GATE_TABLE)
    if g is not None:
        gd = _select(g, estimator=est, outcome=outcome)
        for sub, part in gd.groupby("subgroup"):
            votes = [_bool(r, "credible") for r in part.to_dict("records")]
            own[sub] = None if None in votes else all(votes)
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
                "own_gate": not_rejected(own.get(r["subgroup"])),
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


def intended_effects(b) -> pd.DataFrame | None:
    """Each purpose's effect on its own intended outcome (``effects_intended``, the headline
    estimator): purpose, outcome, measure, e (:class:`Estimate`), credible (the series' own
    design gate; None when not assessed). None when not estimated in this run."""
    f = b.frame(INTENDED_TABLE)
    if f is None:
        return None
    d = _select(f, estimator=headline_estimator(b))
    rows = [
        {
            "purpose": str(r["purpose"]),
            "outcome": str(r["intended_outcome"]),
            "measure": str(r["measure"]),
            "e": estimate_from(pd.Series(r)),
            "credible": _bool(r, "credible"),
        }
        for r in d.to_dict("records")
    ]
    return pd.DataFrame(rows) if rows else None


def benefit_effects(b) -> pd.DataFrame | None:
    """Headline effects on benefit receipt by benefit type, or None if not estimated."""
    summ = b.frame("effects_summary")
    if summ is None:
        return None
    d = _select(summ, estimator=headline_estimator(b), subgroup="ALL")
    d = d[d["outcome"].isin((*BENEFIT_OUTCOMES, ANY_BENEFIT_OUTCOME, "not_any_benefit"))]
    return d if len(d) else None


def sensitivity(b, outcome: str = HEADLINE_OUTCOME) -> pd.DataFrame | None:
    """Sensitivity of the headline to violations of parallel trends (Rambachan & Roth; table
    ``effects_sensitivity``), or None when not estimated in this run."""
    f = b.frame(SENSITIVITY_TABLE)
    if f is None:
        return None
    d = _select(f, estimator=headline_estimator(b), outcome=outcome, subgroup="ALL")
    return d if len(d) else None


def specifications(b) -> pd.DataFrame | None:
    """The specification grid (table ``effects_specifications``: the headline re-estimated with
    one design choice changed at a time), or None when not estimated in this run."""
    f = b.frame(SPECIFICATIONS_TABLE)
    return f if f is not None and len(f) else None


__all__ = [
    "DIAGNOSTICS_TABLE",
    "EXIT_TABLE",
    "Estimate",
    "GATE_CHECKS",
    "GATE_TABLE",
    "Gate",
    "INTENDED_TABLE",
    "ROLES",
    "SENSITIVITY_TABLE",
    "SPECIFICATIONS_TABLE",
    "benefit_effects",
    "cell_value",
    "by_role",
    "difference",
    "estimate_from",
    "exit_series",
    "gate",
    "headline",
    "headline_estimator",
    "intended_effects",
    "n_at_start",
    "not_rejected",
    "pretrend",
    "sensitivity",
    "specifications",
    "series",
    "subgroups",
    "summary",
]
