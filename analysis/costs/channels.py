"""Which valuation channels enter the NPV: each channel's pre-trend / placebo check.

A channel is one effect series the NPV values (earnings, each benefit type, the aggregate
no-benefit share, employment for the cost per extra employed month). It enters the NPV only if
its series passes its check; otherwise it is shown, excluded, with the reason
(marts.cost_effect_inputs.included / exclusion_reason). The check is the design gate's decision
(marts.effects_design_gate.credible) when the gate has the series; otherwise a joint Wald test
of the series' pre-period estimates in marts.effects (e < 0) with a diagonal covariance (the
mart has no covariances: an approximation that ignores the correlation of the leads).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
from scipy import stats

BASIS_GATE = "design_gate"
BASIS_PRE = "pre_period_estimates"
BASIS_NONE = "none"


@dataclass(frozen=True)
class ChannelCheck:
    """The check of one channel: included or not, why not, on what basis, with what p-value."""

    included: bool
    reason: str | None
    basis: str
    p_value: float | None = None


def pre_period_check(pre: Sequence[tuple[float, float | None]], alpha: float) -> ChannelCheck:
    """Joint Wald test (diagonal covariance) that the pre-period estimates (estimate, se) are 0.

    Rows without a standard error are reference periods (estimate 0 by construction) and are
    skipped; a row with se = 0 counts as exact (fails if its estimate is not 0). No usable row:
    excluded, as nothing shows that the series' parallel trends hold."""
    z2, df = 0.0, 0
    for est, se in pre:
        if est is None:
            continue
        if se is None or se != se:  # NULL / NaN: reference period
            continue
        if se <= 0:
            if abs(est) > 1e-12:
                return ChannelCheck(False, "a pre-period estimate with zero variance is not 0",
                                    BASIS_PRE, 0.0)  # fmt: skip
            continue
        z2 += (est / se) ** 2
        df += 1
    if df == 0:
        if any(se is not None and se == se and se <= 0 for _, se in pre):
            return ChannelCheck(True, None, BASIS_PRE, 1.0)
        return ChannelCheck(
            False,
            "no pre-trend check available (no design gate row, no pre-period estimates)",
            BASIS_NONE,
        )
    p = float(stats.chi2.sf(z2, df))
    if p < alpha:
        return ChannelCheck(
            False,
            f"pre-trend check failed: joint Wald of {df} pre-period estimates (diagonal "
            f"covariance), chi2 = {z2:.1f}, p = {p:.3g} < {alpha:g}",
            BASIS_PRE,
            p,
        )
    return ChannelCheck(True, None, BASIS_PRE, p)


def read_gate(
    con: duckdb.DuckDBPyConnection, estimator: str
) -> dict[tuple[str, str], ChannelCheck]:
    """The design gate's decision per (outcome, subgroup) of `estimator`; {} without the gate."""
    cols = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'marts' AND table_name = 'effects_design_gate'"
        ).fetchall()
    }
    if not {"estimator", "outcome", "subgroup", "credible"} <= cols:
        return {}
    has = {c: c in cols for c in ("check", "passed", "detail", "p_value")}
    check = '"check"' if has["check"] else "NULL"
    passed = "passed" if has["passed"] else "NULL"
    detail = "detail" if has["detail"] else "NULL"
    pval = "p_value" if has["p_value"] else "NULL"
    rows = con.execute(
        f"SELECT outcome, subgroup, credible, {check}, {passed}, {detail}, {pval} "
        "FROM marts.effects_design_gate WHERE estimator = ? ORDER BY outcome, subgroup",
        [estimator],
    ).fetchall()
    out: dict[tuple[str, str], ChannelCheck] = {}
    failed: dict[tuple[str, str], list[str]] = {}
    p_min: dict[tuple[str, str], float] = {}
    credible: dict[tuple[str, str], bool] = {}
    for outcome, subgroup, cred, chk, ok, det, p in rows:
        key = (outcome, subgroup)
        credible[key] = bool(cred) if key not in credible else credible[key] and bool(cred)
        if ok is False:
            failed.setdefault(key, []).append(f"{chk}: {det}" if det else str(chk))
        if p is not None and p == p:
            p_min[key] = min(p_min.get(key, 1.0), float(p))
    for key, cred in credible.items():
        reason = None
        if not cred:
            why = "; ".join(failed.get(key, [])) or "the design gate marks the series not credible"
            reason = f"design gate: not credible ({why})"
        out[key] = ChannelCheck(cred, reason, BASIS_GATE, p_min.get(key))
    return out
