"""Build the cost-effectiveness marts from the panel, staging, the effect marts and parameters.

Writes marts.cost_parameters, marts.costs_per_participant, marts.cost_effect_inputs,
marts.cost_effectiveness and marts.cost_sensitivity (see analysis/costs/METHODS.md and the
DuckDB comments on every table and column).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import pandas as pd

from analysis.costs.channels import ChannelCheck, pre_period_check, read_gate
from analysis.costs.parameters import Parameters, load_parameters
from analysis.costs.valuation import (
    BASIS_NONE,
    MEASURE_ORDER,
    BenefitChannel,
    CumulativeEffect,
    Measure,
    ValuationInputs,
    cumulative_effect,
    discount_factors,
    value_programme,
    z_value,
)
from analysis.design import (
    ANY_BENEFIT_OUTCOME,
    BENEFIT_OUTCOMES,
    CHAINING_OUTCOMES,
    HEADLINE_ESTIMATOR,
    PRETREND_ALPHA,
)
from analysis.design import OUTCOMES as EFFECT_OUTCOMES
from analysis.warehouse import apply_comments, create_schemas, read_sql, table_exists

EMPLOYED, EARNINGS, _NOT_ANY_BENEFIT = EFFECT_OUTCOMES
# Internal key of the aggregate benefit channel (used only when the headline has no effects per
# benefit type): the share with no benefit, under any of its names.
NO_BENEFIT = "no_benefit"
# Channels: our key -> names under which the effects marts may report it (first found wins).
OUTCOME_NAMES: dict[str, tuple[str, ...]] = {
    EMPLOYED: (EMPLOYED,),
    EARNINGS: (EARNINGS,),
    NO_BENEFIT: (NO_BENEFIT, _NOT_ANY_BENEFIT, ANY_BENEFIT_OUTCOME),
    **{b: (b,) for b in BENEFIT_OUTCOMES},
    **{c: (c,) for c in CHAINING_OUTCOMES},
}
# Cost per month of a later programme (chaining channel): outcome -> parameter.
CHAINING_COSTS = {
    "in_wage_subsidy": "costs.wage_subsidy",
    "in_other_programme": "costs.other_programme",
}
OUTCOMES = tuple(OUTCOME_NAMES)
SENSITIVITY_HORIZONS = (12, 36, 60)
SENSITIVITY_MEASURES = (
    ("budget", "programme_cost_pv"),
    ("budget", "npv"),
    ("budget", "cost_per_extra_employed_month"),
    ("budget", "break_even_employment_pp"),
    ("society", "resource_cost_pv"),
    ("society", "npv"),
    ("society", "cost_per_extra_employed_month"),
    ("society", "break_even_employment_pp"),
)
TABLES = (
    "marts.cost_parameters",
    "marts.costs_per_participant",
    "marts.cost_effect_inputs",
    "marts.cost_effectiveness",
    "marts.cost_sensitivity",
)
WORKING_TABLES = (
    "costs_spells",
    "costs_spell_months",
    "costs_counts",
    "costs_base_n",
    "costs_valuation_counts",
)


@dataclass(frozen=True)
class Component:
    """A cost component: the kind of month it counts, its rate and where it counts."""

    name: str
    month_kind: str
    parameter: str
    budget: bool
    society: bool
    description: str


COMPONENTS: tuple[Component, ...] = (
    Component("nav_follow_up", "programme_month", "costs.nav_follow_up", True, True,
              "NAV follow-up: months in Arbeidstrening x costs.nav_follow_up"),
    Component("mentor_grant", "mentor", "costs.mentor_grant", True, True,
              "mentor grant (MENTOR) months during the spell x costs.mentor_grant"),
    Component("inclusion_grant", "inklutils", "costs.inclusion_grant", True, True,
              "inclusion grant (INKLUTILS) months during the spell x costs.inclusion_grant"),
    Component("employer_net_cost", "programme_month", "costs.employer_net_cost", False, True,
              "employer's supervision cost net of the participant's work: months x costs.employer_net_cost"),
    Component("aap_during_programme", "aap", "benefit_rates.aap", False, False,
              "AAP months during the spell x benefit_rates.aap (transfer; descriptive)"),
    Component("dagpenger_during_programme", "dagpenger", "benefit_rates.dagpenger", False, False,
              "dagpenger months during the spell x benefit_rates.dagpenger (transfer; descriptive)"),
    Component("tiltakspenger_during_programme", "tiltakspenger", "benefit_rates.tiltakspenger", False, False,
              "tiltakspenger months during the spell x benefit_rates.tiltakspenger (transfer; descriptive)"),
    Component("sosialhjelp_during_programme", "sosialhjelp", "benefit_rates.sosialhjelp", False, False,
              "sosialhjelp months during the spell x benefit_rates.sosialhjelp (transfer; descriptive)"),
    Component("uforetrygd_during_programme", "uforetrygd", "benefit_rates.uforetrygd", False, False,
              "uforetrygd months during the spell x benefit_rates.uforetrygd (transfer; descriptive)"),
    Component("kvp_during_programme", "kvp", "benefit_rates.kvp", False, False,
              "KVP months during the spell x benefit_rates.kvp (transfer; descriptive)"),
)  # fmt: skip
BENEFIT_KINDS = ("aap", "dagpenger", "tiltakspenger", "sosialhjelp", "uforetrygd", "kvp")


# --- money ---------------------------------------------------------------------------------------


class Prices:
    """Conversion of NOK between years by the ratio of G (benefit_rates.grunnbelop)."""

    def __init__(self, params: Parameters):
        self.params = params
        self.price_year = int(params.number("general.price_year"))
        self.g_base = params.rate("benefit_rates.grunnbelop", self.price_year)

    def factor(self, year: int) -> float:
        """Multiply NOK of `year` by this to get NOK of the price year."""
        return self.g_base / self.params.rate("benefit_rates.grunnbelop", int(year))

    def monthly_rate(self, key: str, year: int) -> float:
        """A parameter's NOK per month for a calendar year, in price-year NOK."""
        p = self.params[key]
        if p.is_series:
            return self.params.rate(key, year) * self.factor(year)
        return float(p.value) * self.factor(int(p.year))


# --- register inputs -----------------------------------------------------------------------------


@dataclass
class SubgroupCosts:
    """Programme costs per participant of one subgroup, from the registers and the rates."""

    subgroup: str
    n_participants: int
    n_ongoing: int
    months: dict[str, float]  # component -> months per participant
    nok: dict[str, float]  # component -> NOK per participant (price year, undiscounted)
    profile: dict[str, list[float]]  # component -> NOK per participant by event month

    def cost_profile(self, perspective: str) -> list[float]:
        n = max((len(v) for v in self.profile.values()), default=0)
        out = [0.0] * n
        for comp in COMPONENTS:
            counts = comp.budget if perspective == "budget" else comp.society
            if counts:
                for e, v in enumerate(self.profile.get(comp.name, [])):
                    out[e] += v
        return out


@dataclass
class ValuationData:
    """Register-based valuation inputs of one subgroup (price-year NOK)."""

    earnings_per_employed_month: float | None
    benefit_nok_per_month: float | None
    earnings_price_factor: float | None
    n_person_months: int
    # each benefit type's own rate: NOK per recipient-month, averaged over the calendar years of
    # the treated's person-months in the horizon (price-year NOK)
    type_rates: dict[str, float] = field(default_factory=dict)


@dataclass
class RegisterInputs:
    costs: dict[str, SubgroupCosts]
    valuation: dict[str, ValuationData]
    cost_base: str
    n_cost_base: int


def register_inputs(
    con: duckdb.DuckDBPyConnection, params: Parameters, horizon_months: int
) -> RegisterInputs:
    """Run the cost SQL (analysis/sql/costs/) and turn the month counts into NOK."""
    prices = Prices(params)
    min_follow = int(params.number("method.cost_min_followup_months"))
    groups = list(params.value("method.cost_base_status_groups"))
    spells_sql = read_sql("costs/01_cost_spells.sql")
    args = {"min_followup": min_follow, "all_spells": False, "status_groups": groups}
    con.execute(spells_sql, args)
    cost_base = "complete_followup"
    if con.execute("SELECT count(*) FROM costs_spells").fetchone()[0] == 0:
        con.execute(spells_sql, args | {"all_spells": True})
        cost_base = "all_first_spells"
    for path in (
        "costs/02_cost_months.sql",
        "costs/03_cost_counts.sql",
        "costs/04_cost_base_n.sql",
    ):
        con.execute(read_sql(path))
    con.execute(
        read_sql("costs/05_valuation_counts.sql"),
        {"horizon": int(horizon_months), "status_groups": groups},
    )
    counts = con.execute("SELECT * FROM costs_counts").df()
    base_n = con.execute("SELECT * FROM costs_base_n").df()
    vcounts = con.execute("SELECT * FROM costs_valuation_counts").df()
    n_total = int(con.execute("SELECT count(*) FROM costs_spells").fetchone()[0])

    costs: dict[str, SubgroupCosts] = {}
    for row in base_n.itertuples(index=False):
        n = int(row.n_participants)
        sub = counts[counts["subgroup"] == row.subgroup]
        months: dict[str, float] = {}
        nok: dict[str, float] = {}
        profile: dict[str, list[float]] = {}
        n_event = int(sub["event_month"].max()) + 1 if len(sub) else 0
        for comp in COMPONENTS:
            c = sub[sub["month_kind"] == comp.month_kind]
            prof = [0.0] * n_event
            total_months = 0.0
            for r in c.itertuples(index=False):
                value = r.n_months * prices.monthly_rate(comp.parameter, int(r.year))
                prof[int(r.event_month)] += value / n
                total_months += r.n_months
            months[comp.name] = total_months / n
            nok[comp.name] = sum(prof)
            profile[comp.name] = prof
        costs[row.subgroup] = SubgroupCosts(
            row.subgroup, n, int(row.n_ongoing), months, nok, profile
        )

    valuation: dict[str, ValuationData] = {}
    for subgroup, v in vcounts.groupby("subgroup"):
        fac = v["year"].map(lambda y: prices.factor(int(y)))
        n_emp = v["n_employed"].sum()
        n_ben = v["n_benefit"].sum()
        n_months = int(v["n_months"].sum())
        ben_value = 0.0
        for kind in BENEFIT_KINDS:
            for r in v[["year", f"n_{kind}"]].itertuples(index=False):
                if r[1]:
                    ben_value += r[1] * prices.monthly_rate(f"benefit_rates.{kind}", int(r[0]))
        years = v.groupby("year")["n_months"].sum()
        type_rates = {
            kind: float(
                sum(n * prices.monthly_rate(f"benefit_rates.{kind}", int(y)) for y, n in years.items())
                / years.sum()
            )
            for kind in BENEFIT_KINDS
        } if years.sum() else {}  # fmt: skip
        valuation[subgroup] = ValuationData(
            earnings_per_employed_month=(
                float((v["earnings_employed"] * fac).sum() / n_emp) if n_emp else None
            ),
            benefit_nok_per_month=float(ben_value / n_ben) if n_ben else None,
            earnings_price_factor=float((v["n_months"] * fac).sum() / n_months)
            if n_months
            else None,
            n_person_months=n_months,
            type_rates=type_rates,
        )
    return RegisterInputs(costs, valuation, cost_base, n_total)


# --- effect marts --------------------------------------------------------------------------------


@dataclass
class EffectsSource:
    """The headline estimator's monthly and cumulative effects, by (outcome, subgroup)."""

    estimator: str | None
    has_effects: bool
    has_cumulative: bool
    per_event: dict[tuple[str, str], dict[int, tuple[float, float]]] = field(default_factory=dict)
    cumulative: dict[tuple[str, str], dict[int, tuple[float, float]]] = field(default_factory=dict)
    n_treated: dict[tuple[str, str], int] = field(default_factory=dict)
    outcome_names: dict[str, str] = field(default_factory=dict)  # our name -> name in the mart
    pre: dict[tuple[str, str], list[tuple[float, float | None]]] = field(default_factory=dict)
    gate: dict[tuple[str, str], ChannelCheck] = field(default_factory=dict)  # by mart name
    n_by_e: dict[tuple[str, str], dict[int, int]] = field(default_factory=dict)
    cum_balanced: dict[tuple[str, str, int], bool] = field(default_factory=dict)

    def balanced(self, outcome: str, subgroup: str, horizon: int) -> bool | None:
        """Whether the horizon sum is over a balanced event window (the same cohorts at every
        summed event time): the cumulative table's `balanced` flag when it has the horizon, else
        equal treated counts at every estimated event time 0..min(horizon, e_max + 1) - 1.
        None if the marts give no way to tell."""
        key = (outcome, subgroup)
        usable = [h for (o, s, h) in self.cum_balanced if (o, s) == key and h <= horizon]
        if usable:
            return self.cum_balanced[(outcome, subgroup, max(usable))]
        n = self.n_by_e.get(key, {})
        if not n:
            return None
        e_max = max(n)
        counts = [n.get(e) for e in range(min(horizon, e_max + 1))]
        if any(c is None for c in counts):
            return None
        return len(set(counts)) == 1

    def check(self, outcome: str, subgroup: str) -> ChannelCheck:
        """The channel's pre-trend/placebo check: the design gate's decision if it has the
        series, else the pre-period estimates of marts.effects (channels.py)."""
        name = self.outcome_names.get(outcome, outcome)
        if (name, subgroup) in self.gate:
            return self.gate[(name, subgroup)]
        return pre_period_check(self.pre.get((outcome, subgroup), []), PRETREND_ALPHA)

    def months_per_unit(self, outcome: str) -> float:
        """Benefit months per unit of the channel's effect (-1 for the share with no benefit)."""
        name = self.outcome_names.get(outcome, outcome)
        return 1.0 if name in (*BENEFIT_OUTCOMES, ANY_BENEFIT_OUTCOME) else -1.0

    def subgroups(self) -> set[str]:
        return {s for _, s in self.per_event} | {s for _, s in self.cumulative}

    def effect(
        self, outcome: str, subgroup: str, horizon: int, rate: float, extrapolate: bool
    ) -> CumulativeEffect | None:
        key = (outcome, subgroup)
        if key not in self.per_event and key not in self.cumulative:
            return None
        return cumulative_effect(
            horizon,
            rate,
            self.per_event.get(key, {}),
            self.cumulative.get(key, {}),
            extrapolate=extrapolate,
            n_treated=self.n_treated.get(key),
        )


def read_effects(con: duckdb.DuckDBPyConnection) -> EffectsSource:
    """Read marts.effects (and marts.effects_cumulative when present) for the headline estimator."""
    if not table_exists(con, "marts", "effects"):
        return EffectsSource(None, False, False)
    rows = con.execute(
        "SELECT estimator, count(*) AS n FROM marts.effects WHERE is_headline "
        "GROUP BY estimator ORDER BY n DESC, estimator"
    ).fetchall()
    estimators = [
        r[0] for r in con.execute("SELECT DISTINCT estimator FROM marts.effects").fetchall()
    ]
    if rows:
        estimator = HEADLINE_ESTIMATOR if HEADLINE_ESTIMATOR in [r[0] for r in rows] else rows[0][0]
    elif HEADLINE_ESTIMATOR in estimators:
        estimator = HEADLINE_ESTIMATOR
    else:
        return EffectsSource(None, True, False)
    src = EffectsSource(estimator, True, table_exists(con, "marts", "effects_cumulative"))
    reported = {r[0] for r in con.execute(
        "SELECT DISTINCT outcome FROM marts.effects WHERE estimator = ?", [estimator]
    ).fetchall()}  # fmt: skip
    if src.has_cumulative:
        reported |= {r[0] for r in con.execute(
            "SELECT DISTINCT outcome FROM marts.effects_cumulative WHERE estimator = ?", [estimator]
        ).fetchall()}  # fmt: skip
    names = {}
    for outcome, candidates in OUTCOME_NAMES.items():
        found = [c for c in candidates if c in reported]
        if found:
            names[found[0]] = outcome
    src.outcome_names = {v: k for k, v in names.items()}
    wanted = list(names)
    for name, subgroup, e, est, se, n in con.execute(
        "SELECT outcome, subgroup, event_time, estimate, std_error, n_treated FROM marts.effects "
        "WHERE estimator = ? AND list_contains(?, outcome) AND estimate IS NOT NULL "
        "AND (std_error IS NOT NULL OR event_time < 0) "
        "ORDER BY outcome, subgroup, event_time",
        [estimator, wanted],
    ).fetchall():
        outcome = names[name]
        if int(e) < 0:
            src.pre.setdefault((outcome, subgroup), []).append(
                (float(est), None if se is None else float(se))
            )
            continue
        src.per_event.setdefault((outcome, subgroup), {})[int(e)] = (float(est), float(se))
        if n is not None:
            src.n_by_e.setdefault((outcome, subgroup), {})[int(e)] = int(n)
        if int(e) == 0 and n is not None:
            src.n_treated[(outcome, subgroup)] = int(n)
    if src.has_cumulative:
        cum_cols = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'marts' AND table_name = 'effects_cumulative'"
            ).fetchall()
        }
        if "balanced" in cum_cols:
            for name, subgroup, h, bal in con.execute(
                "SELECT outcome, subgroup, horizon_months, balanced FROM marts.effects_cumulative "
                "WHERE estimator = ? AND list_contains(?, outcome) AND balanced IS NOT NULL",
                [estimator, wanted],
            ).fetchall():
                src.cum_balanced[(names[name], subgroup, int(h))] = bool(bal)
        for name, subgroup, h, est, se, n in con.execute(
            "SELECT outcome, subgroup, horizon_months, estimate, std_error, n_treated "
            "FROM marts.effects_cumulative WHERE estimator = ? AND list_contains(?, outcome) "
            "AND estimate IS NOT NULL AND std_error IS NOT NULL",
            [estimator, wanted],
        ).fetchall():
            outcome = names[name]
            src.cumulative.setdefault((outcome, subgroup), {})[int(h)] = (float(est), float(se))
            if n is not None:
                src.n_treated[(outcome, subgroup)] = int(n)
    if table_exists(con, "marts", "effects_design_gate"):
        src.gate = read_gate(con, estimator)
    _read_chaining(con, src)
    return src


def _read_chaining(con: duckdb.DuckDBPyConnection, src: EffectsSource) -> None:
    """Effects on later-programme months the headline does not report: from
    marts.effects_chaining (analysis.outcomes, same pre-dip design; ALL only)."""
    have = {o for o, _ in src.per_event}
    missing = [c for c in CHAINING_OUTCOMES if c not in have]
    if not missing or not table_exists(con, "marts", "effects_chaining"):
        return
    for outcome, subgroup, e, est, se, n in con.execute(
        "SELECT outcome, subgroup, event_time, estimate, std_error, n_treated "
        "FROM marts.effects_chaining "
        "WHERE list_contains(?, outcome) AND estimate IS NOT NULL "
        "AND (std_error IS NOT NULL OR event_time < 0) ORDER BY outcome, subgroup, event_time",
        [missing],
    ).fetchall():
        src.outcome_names.setdefault(outcome, outcome)
        if int(e) < 0:
            src.pre.setdefault((outcome, subgroup), []).append(
                (float(est), None if se is None else float(se))
            )
        else:
            src.per_event.setdefault((outcome, subgroup), {})[int(e)] = (float(est), float(se))
            if n is not None:
                src.n_by_e.setdefault((outcome, subgroup), {})[int(e)] = int(n)
                if int(e) == 0:
                    src.n_treated[(outcome, subgroup)] = int(n)


# --- evaluation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """One set of settings the valuation is run with (the base case or a sensitivity case)."""

    name: str
    parameter: str
    setting: str
    horizon_months: int
    discount_rate: float
    cost_scale: float = 1.0
    benefit_scale: float = 1.0
    tax_financing_cost: float | None = None


@dataclass
class SubgroupResult:
    subgroup: str
    measures: list[Measure]
    effects: dict[str, CumulativeEffect | None]
    inputs: ValuationInputs | None
    checks: dict[str, ChannelCheck] = field(default_factory=dict)
    rates: dict[str, float] = field(default_factory=dict)  # NOK per benefit month by channel


def _benefit_value(
    params: Parameters, prices: Prices, data: ValuationData | None, fallback: ValuationData | None
) -> tuple[float, str]:
    if params.value("valuation.benefit_value_method") == "register_mix":
        for d, label in ((data, "register_mix"), (fallback, "register_mix (ALL)")):
            if d is not None and d.benefit_nok_per_month is not None:
                return d.benefit_nok_per_month, label
    p = params["valuation.average_benefit"]
    return float(p.value) * prices.factor(int(p.year)), "fixed"


def evaluate(
    params: Parameters,
    reg: RegisterInputs,
    effects: EffectsSource,
    scenario: Scenario,
) -> list[SubgroupResult]:
    """Value every subgroup that has programme costs under one scenario."""
    prices = Prices(params)
    extrapolate = params.value("method.effect_extrapolation") == "persist_last"
    lam = (
        params.number("general.tax_financing_cost")
        if scenario.tax_financing_cost is None
        else scenario.tax_financing_cost
    )
    all_val = reg.valuation.get("ALL")
    results = []
    for subgroup in sorted(reg.costs, key=_subgroup_order):
        sc = reg.costs[subgroup]
        data = reg.valuation.get(subgroup)
        b, _ = _benefit_value(params, prices, data, all_val)
        w = (
            (data and data.earnings_per_employed_month)
            or (all_val and all_val.earnings_per_employed_month)
            or 0.0
        )
        pf = (
            (data and data.earnings_price_factor)
            or (all_val and all_val.earnings_price_factor)
            or 1.0
        )
        inputs = ValuationInputs(
            cost_profile_budget=sc.cost_profile("budget"),
            cost_profile_real=sc.cost_profile("society"),
            discount_rate=scenario.discount_rate,
            tax_rate_on_earnings=params.number("taxes.tax_rate_on_earnings"),
            employer_contribution_rate=params.number("taxes.employer_contribution_rate"),
            tax_rate_on_benefits=params.number("taxes.tax_rate_on_benefits"),
            tax_financing_cost=lam,
            benefit_nok_per_month=b * scenario.benefit_scale,
            earnings_per_employed_month=w,
            benefit_reduction_per_employed_month=params.number(
                "valuation.benefit_reduction_per_employed_month"
            ),
            earnings_price_factor=pf,
            confidence_level=params.number("general.confidence_level"),
            cost_scale=scenario.cost_scale,
        )
        effs = {
            o: effects.effect(
                o, subgroup, scenario.horizon_months, scenario.discount_rate, extrapolate
            )
            for o in OUTCOMES
        }
        checks = {o: effects.check(o, subgroup) for o, e in effs.items() if e is not None}
        # benefit channels: one per benefit type when the headline has them (each valued at its
        # own rate), else the aggregate share with no benefit valued at the mix
        typed = [k for k in BENEFIT_OUTCOMES if effs.get(k) is not None]
        type_rates = (data and data.type_rates) or (all_val and all_val.type_rates) or {}
        rates = (
            {k: type_rates.get(k, 0.0) * scenario.benefit_scale for k in typed}
            if typed
            else {NO_BENEFIT: inputs.benefit_nok_per_month}
        )
        if typed:  # the aggregate is not valued beside the types (double counting)
            effs.pop(NO_BENEFIT, None)
            checks.pop(NO_BENEFIT, None)
        channels = [
            BenefitChannel(k, effs.get(k), rate, effects.months_per_unit(k))
            for k, rate in rates.items()
            if effs.get(k) is None or checks[k].included
        ]
        programmes = []
        for k, key in CHAINING_COSTS.items():
            if effs.get(k) is None:
                continue
            p = params[key]
            rates[k] = float(p.value) * prices.factor(int(p.year)) * scenario.cost_scale
            if checks[k].included:
                programmes.append(BenefitChannel(k, effs[k], rates[k], 1.0))
        measures = value_programme(
            inputs,
            scenario.horizon_months,
            effs[EMPLOYED],
            effs[EARNINGS],
            benefits=channels,
            earnings_excluded=_reason(checks.get(EARNINGS)),
            employment_excluded=_reason(checks.get(EMPLOYED)),
            programmes=programmes,
        )
        results.append(SubgroupResult(subgroup, measures, effs, inputs, checks, rates))
    return results


def _reason(check: ChannelCheck | None) -> str | None:
    return None if check is None or check.included else check.reason


def _subgroup_order(s: str) -> tuple[int, str]:
    return (0 if s == "ALL" else 1 if s.startswith("purpose=") else 2, s)


# --- the build -----------------------------------------------------------------------------------


def build_cost_effectiveness(
    con: duckdb.DuckDBPyConnection,
    parameters_path: Path | None = None,
    horizon_months: int = 36,
) -> dict:
    """Build the cost-effectiveness marts; return small metadata.

    parameters_path: an override file merged key by key into analysis/costs/parameters.toml.
    horizon_months: months from the start month (event months 0..horizon-1) over which effects are
    summed; beyond the last estimated event time the last effect is assumed to persist.
    """
    t0 = time.perf_counter()
    if int(horizon_months) != horizon_months or horizon_months < 1:
        raise ValueError(f"horizon_months must be a positive whole number, got {horizon_months!r}")
    horizon_months = int(horizon_months)
    params = load_parameters(parameters_path)
    create_schemas(con)
    try:
        reg = register_inputs(con, params, horizon_months)
    finally:
        for t in WORKING_TABLES:
            con.execute(f"DROP TABLE IF EXISTS {t}")
    effects = read_effects(con)
    rate = params.number("general.discount_rate")
    base = Scenario("base", "base", "parameters as in marts.cost_parameters", horizon_months, rate)
    base_results = evaluate(params, reg, effects, base)

    _write_parameters(con, params, reg)
    _write_costs(con, params, reg)
    _write_effect_inputs(con, effects, base_results, base, params)
    _write_effectiveness(con, effects, reg, base_results, base)
    _write_sensitivity(con, params, reg, effects, base, base_results)

    basis_counts: dict[str, int] = defaultdict(int)
    for r in base_results:
        for eff in r.effects.values():
            if eff is not None:
                basis_counts[eff.basis] += 1
    meta = {f"rows:{t}": con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    meta |= {
        "estimator": effects.estimator,
        "effects_available": effects.has_effects and effects.estimator is not None,
        "effects_cumulative_available": effects.has_cumulative,
        "uncertainty_basis": dict(basis_counts),
        "cost_base": reg.cost_base,
        "n_cost_base": reg.n_cost_base,
        "horizon_months": horizon_months,
        "price_year": int(params.number("general.price_year")),
        "overridden_parameters": sorted(k for k, p in params.items() if p.origin != "default"),
        "seconds": round(time.perf_counter() - t0, 3),
    }
    return meta


# --- writers -------------------------------------------------------------------------------------


def _write_df(
    con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame, ddl: dict[str, str]
) -> None:
    """CREATE OR REPLACE table with the given column types from a DataFrame (may be empty)."""
    cols = ", ".join(f'"{c}" {t}' for c, t in ddl.items())
    con.execute(f"CREATE OR REPLACE TABLE {table} ({cols})")
    if len(df):
        df = df[list(ddl)].astype(object).where(pd.notna(df[list(ddl)]), None)
        con.register("costs_df_tmp", df)
        try:
            select = ", ".join(f'CAST("{c}" AS {t})' for c, t in ddl.items())
            con.execute(f"INSERT INTO {table} SELECT {select} FROM costs_df_tmp")
        finally:
            con.unregister("costs_df_tmp")


def _write_parameters(
    con: duckdb.DuckDBPyConnection, params: Parameters, reg: RegisterInputs
) -> None:
    prices = Prices(params)
    rows = []
    for key, p in params.items():
        base = {"parameter": key, "unit": p.unit, "basis": p.basis, "source": p.source,
                "origin": p.origin, "subgroup": None}  # fmt: skip
        if isinstance(p.value, dict):
            for y, v in sorted(p.value.items()):
                rows.append(base | {"year": y, "value": v, "value_text": None})
        elif isinstance(p.value, str):
            rows.append(base | {"year": p.year, "value": None, "value_text": p.value})
        elif isinstance(p.value, tuple):
            rows.append(base | {"year": p.year, "value": None, "value_text": ",".join(p.value)})
        else:
            rows.append(base | {"year": p.year, "value": p.value, "value_text": None})
    py = prices.price_year
    all_val = reg.valuation.get("ALL")
    for subgroup in sorted(reg.costs, key=_subgroup_order):
        d = reg.valuation.get(subgroup)
        b, how = _benefit_value(params, prices, d, all_val)
        derived = [
            ("derived.benefit_nok_per_month", b, "NOK per benefit month (price year)",
             f"value of one benefit month used for the benefit effect ({how}); see valuation.benefit_value_method"),
            ("derived.earnings_per_employed_month",
             d.earnings_per_employed_month if d else None, "NOK per employed month (price year)",
             "average earnings of the treated in their employed months in event months 0..horizon-1, G-indexed to the price year; used by the break-even employment effect"),
            ("derived.earnings_price_factor", d.earnings_price_factor if d else None, "factor",
             "average over the treated's person-months in event months 0..horizon-1 of G(price year) / G(calendar year); converts the nominal earnings effect to price-year NOK"),
            ("derived.person_months", d.n_person_months if d else 0, "person-months",
             "person-months of the treated behind the derived values above"),
        ]  # fmt: skip
        for kind, rate in sorted((d.type_rates if d else {}).items()):
            derived.append((f"derived.benefit_rate.{kind}", rate, "NOK per recipient-month (price year)",
                            f"the {kind} channel's own rate: benefit_rates.{kind} of each calendar year, averaged over the treated's person-months in event months 0..horizon-1, G-indexed to the price year"))  # fmt: skip
        for key, v, unit, src in derived:
            rows.append({"parameter": key, "year": py, "value": v, "value_text": None, "unit": unit,
                         "basis": "derived from register data", "source": src, "origin": "derived",
                         "subgroup": subgroup})  # fmt: skip
    df = pd.DataFrame(rows)
    _write_df(con, "marts.cost_parameters", df, {
        "parameter": "VARCHAR", "subgroup": "VARCHAR", "year": "INTEGER", "value": "DOUBLE",
        "value_text": "VARCHAR", "unit": "VARCHAR", "basis": "VARCHAR", "source": "VARCHAR",
        "origin": "VARCHAR",
    })  # fmt: skip
    apply_comments(
        con,
        "marts.cost_parameters",
        "The parameters the cost-effectiveness analysis actually used: every value of "
        "analysis/costs/parameters.toml after merging the override file (origin says which), one "
        "row per year for yearly rates, plus values derived from the register data per subgroup "
        "(parameter derived.*).",
        {
            "parameter": "dotted key section.name as in parameters.toml (derived.* = computed from the registers)",
            "subgroup": "subgroup of a derived value (ALL, purpose=..., status_group=...); NULL for parameters from the file",
            "year": "year the value refers to: price year of a constant NOK amount, year of the rule/source, or the calendar year of a yearly rate",
            "value": "numeric value (NULL for choices)",
            "value_text": "value of a choice parameter, or a comma-separated list (NULL for numbers)",
            "unit": "unit of the value",
            "basis": "official, official rule approximated, project assumption, project choice, or derived from register data",
            "source": "source of the value or how the assumption was reached",
            "origin": "default (shipped parameters.toml), override: <file>, or derived",
        },
    )


def _write_costs(con: duckdb.DuckDBPyConnection, params: Parameters, reg: RegisterInputs) -> None:
    rate = params.number("general.discount_rate")
    rows = []
    for subgroup in sorted(reg.costs, key=_subgroup_order):
        sc = reg.costs[subgroup]
        for comp in COMPONENTS:
            prof = sc.profile[comp.name]
            rows.append({
                "subgroup": subgroup, "component": comp.name, "in_budget": comp.budget,
                "in_society": comp.society, "n_participants": sc.n_participants,
                "n_ongoing": sc.n_ongoing, "months_per_participant": sc.months[comp.name],
                "nok_per_participant": sc.nok[comp.name],
                "nok_pv_per_participant": _pv(prof, rate), "parameter": comp.parameter,
                "description": comp.description,
            })  # fmt: skip
        for name, persp, desc in (
            ("total_budget_cost", "budget", "sum of the components with in_budget"),
            ("total_resource_cost", "society", "sum of the components with in_society"),
        ):
            prof = sc.cost_profile(persp)
            rows.append({
                "subgroup": subgroup, "component": name, "in_budget": persp == "budget",
                "in_society": persp == "society", "n_participants": sc.n_participants,
                "n_ongoing": sc.n_ongoing, "months_per_participant": sc.months["nav_follow_up"],
                "nok_per_participant": sum(prof), "nok_pv_per_participant": _pv(prof, rate),
                "parameter": None, "description": desc + " (months = months in Arbeidstrening)",
            })  # fmt: skip
    _write_df(con, "marts.costs_per_participant", pd.DataFrame(rows), {
        "subgroup": "VARCHAR", "component": "VARCHAR", "in_budget": "BOOLEAN",
        "in_society": "BOOLEAN", "n_participants": "BIGINT", "n_ongoing": "BIGINT",
        "months_per_participant": "DOUBLE", "nok_per_participant": "DOUBLE",
        "nok_pv_per_participant": "DOUBLE", "parameter": "VARCHAR", "description": "VARCHAR",
    })  # fmt: skip
    apply_comments(
        con,
        "marts.costs_per_participant",
        "Costs per participant of the first Arbeidstrening spell, by subgroup and component, in "
        "price-year NOK (general.price_year; G-indexed). Cost base: each person's first "
        "took-place ARBTREN spell (GJENN, FULLF, DELAVB, GJENN_AVB) that starts in the "
        "observation window and at least method.cost_min_followup_months before its end (if none "
        "does: all first spells in the window). A month counts if the spell overlaps any day of "
        "it; grants count in months where the grant spell and the AT spell both run; benefits in "
        "months where panel.person_month flags them during the spell. Benefits are transfers: "
        "shown for description, not counted as programme costs (their change is valued through "
        "the effect on the share with no benefit in marts.cost_effectiveness).",
        {
            "subgroup": "ALL, purpose=<rank-1 purpose of the first spell> or status_group=<status group at start>",
            "component": "cost component (total_budget_cost and total_resource_cost are sums)",
            "in_budget": "TRUE if the component is a cost to the public budget in the valuation",
            "in_society": "TRUE if the component is a real resource cost to society in the valuation",
            "n_participants": "persons in the cost base of the subgroup",
            "n_ongoing": "of these, first spells still ongoing at observation_end (counted up to that day)",
            "months_per_participant": "months of the component per participant (calendar months overlapped)",
            "nok_per_participant": "NOK per participant, undiscounted, price-year NOK",
            "nok_pv_per_participant": "present value at the start of the start month, general.discount_rate, flows at month end",
            "parameter": "the rate parameter in marts.cost_parameters (NOK per month)",
            "description": "what the component counts",
        },
    )


def _pv(profile: list[float], rate: float) -> float:
    return sum(v * d for v, d in zip(profile, discount_factors(len(profile), rate), strict=True))


def _write_effect_inputs(con, effects: EffectsSource, results, scenario: Scenario, params) -> None:
    z = z_value(params.number("general.confidence_level"))
    rows = []
    for r in results:
        for outcome, eff in r.effects.items():
            if eff is None:
                continue
            chk = r.checks.get(outcome)
            rows.append({
                "channel": _channel_name(outcome),
                "value_nok_per_month": r.rates.get(outcome),
                "included": None if chk is None else chk.included,
                "exclusion_reason": None if chk is None else chk.reason,
                "check_basis": None if chk is None else chk.basis,
                "check_p_value": None if chk is None else chk.p_value,
                "balanced_window": effects.balanced(outcome, r.subgroup, scenario.horizon_months),
                "estimator": effects.estimator, "subgroup": r.subgroup,
                "horizon_months": scenario.horizon_months,
                "outcome": effects.outcome_names.get(outcome, outcome),
                "estimate": eff.total, "std_error": eff.total_se,
                "ci_low": eff.total - z * eff.total_se, "ci_high": eff.total + z * eff.total_se,
                "pv_estimate": eff.pv, "pv_std_error": eff.pv_se,
                "discount_rate": scenario.discount_rate,
                "extrapolated_months": eff.extrapolated_months,
                "uncertainty_basis": eff.basis, "n_treated": eff.n_treated,
            })  # fmt: skip
    _write_df(con, "marts.cost_effect_inputs", pd.DataFrame(rows), {
        "estimator": "VARCHAR", "subgroup": "VARCHAR", "horizon_months": "INTEGER",
        "outcome": "VARCHAR", "estimate": "DOUBLE", "std_error": "DOUBLE", "ci_low": "DOUBLE",
        "ci_high": "DOUBLE", "pv_estimate": "DOUBLE", "pv_std_error": "DOUBLE",
        "discount_rate": "DOUBLE", "extrapolated_months": "INTEGER",
        "uncertainty_basis": "VARCHAR", "n_treated": "BIGINT", "channel": "VARCHAR",
        "value_nok_per_month": "DOUBLE", "included": "BOOLEAN", "exclusion_reason": "VARCHAR",
        "check_basis": "VARCHAR", "check_p_value": "DOUBLE", "balanced_window": "BOOLEAN",
    })  # fmt: skip
    apply_comments(
        con,
        "marts.cost_effect_inputs",
        "The headline effect estimates summed over the horizon (event months 0..horizon-1, "
        "lock-in included), per treated participant, as used by marts.cost_effectiveness. From "
        "marts.effects_cumulative (joint influence function) where it has the horizon, otherwise "
        "by summing marts.effects with the conservative standard error sum(se_e); months past the "
        "last estimated event time repeat its effect (extrapolation).",
        {
            "estimator": "the headline estimator of marts.effects",
            "subgroup": "ALL, purpose=... or status_group=...",
            "horizon_months": "number of event months summed (0..horizon-1)",
            "outcome": "outcome as named in marts.effects: employed (months), earnings_nok (nominal NOK), no_benefit or not_any_benefit (months without any benefit)",
            "estimate": "sum of ATT(e) over e = 0..horizon-1",
            "std_error": "standard error of that sum (see uncertainty_basis)",
            "ci_low": "lower end of the normal interval at general.confidence_level",
            "ci_high": "upper end of the normal interval at general.confidence_level",
            "pv_estimate": "discounted sum: sum of ATT(e) x (1 + r)^(-(e+1)/12)",
            "pv_std_error": "its standard error: mean discount factor x std_error of the estimated part, plus the extrapolated part's discounted se (METHODS.md)",
            "discount_rate": "annual real discount rate r used",
            "extrapolated_months": "months past the last estimated event time filled by the persistence assumption (0 = none)",
            "uncertainty_basis": "joint_influence_function (marts.effects_cumulative), sum_of_se_bound (summed marts.effects, perfect positive correlation assumed), or joint_influence_function+sum_of_se_bound (cumulative plus summed months)",
            "n_treated": "treated persons behind the estimate (as reported by the effects module)",
            "channel": "the valuation channel: employment (cost per extra employed month), earnings (tax revenue, production), benefit:<type> (each benefit type at its own rate), benefit:any (the aggregate share with no benefit, used only without effects per type), later_programme:<outcome> (chaining: the effect on months in a wage subsidy / other programme - treated minus comparisons - at a cost per month; from marts.effects_chaining when the headline does not report it)",
            "value_nok_per_month": "benefit channels: NOK per benefit month of the channel (the type's own rate, averaged over the calendar years of the treated's person-months in the horizon, price year; the aggregate: derived.benefit_nok_per_month); later-programme channels: cost per programme month (costs.wage_subsidy, costs.other_programme); NULL otherwise",
            "included": "TRUE if the channel passed its pre-trend/placebo check and enters the NPV; FALSE: shown, excluded",
            "exclusion_reason": "why the channel is excluded (NULL if included)",
            "check_basis": "design_gate (marts.effects_design_gate.credible of the series), pre_period_estimates (joint Wald of the series' e < 0 estimates in marts.effects, diagonal covariance, level design.PRETREND_ALPHA) or none (no check possible: excluded)",
            "check_p_value": "p-value of the check (the gate's smallest p-value of the series, or the pre-period Wald test)",
            "balanced_window": "TRUE if the horizon sum is over a balanced event window (the same cohorts at every summed event time: effects_cumulative.balanced, or equal n_treated at every summed month); FALSE: the cohort composition changes within the sum (late cohorts drop out); NULL: unknown",
        },
    )


def _channel_name(outcome: str) -> str:
    if outcome == EMPLOYED:
        return "employment"
    if outcome == EARNINGS:
        return "earnings"
    if outcome in CHAINING_COSTS:
        return f"later_programme:{outcome}"
    return "benefit:any" if outcome == NO_BENEFIT else f"benefit:{outcome}"


def _measure_rows(
    results, scenario: Scenario, effects: EffectsSource, reg: RegisterInputs
) -> list[dict]:
    order = {k: i + 1 for i, k in enumerate(MEASURE_ORDER)}
    rows = []
    for r in results:
        eff_ext = max(
            (e.extrapolated_months for e in r.effects.values() if e is not None), default=0
        )
        n_treated = next(
            (e.n_treated for e in r.effects.values() if e is not None and e.n_treated), 0
        )  # 0: no effect estimate behind the subgroup's measures
        for m in r.measures:
            note = m.note
            if effects.estimator is None and m.estimate is None and m.note and "effect" in m.note:
                note = "no effect estimates in the warehouse (marts.effects missing or no headline)"
            extrapolated = bool(eff_ext) and m.basis != BASIS_NONE
            if extrapolated:
                note = (note + "; " if note else "") + (
                    f"extrapolation: the last {eff_ext} months repeat the effect at the last "
                    "estimated event time"
                )
            rows.append({
                "perspective": m.perspective, "subgroup": r.subgroup,
                "horizon_months": scenario.horizon_months, "measure": m.measure,
                "measure_order": order[(m.perspective, m.measure)], "unit": m.unit,
                "estimate": m.estimate, "std_error": m.std_error, "ci_low": m.ci_low,
                "ci_high": m.ci_high, "uncertainty_basis": m.basis,
                "is_extrapolated": extrapolated,
                "estimator": effects.estimator, "n_treated": n_treated,
                "n_cost_base": reg.costs[r.subgroup].n_participants, "note": note,
            })  # fmt: skip
    return rows


def _write_effectiveness(con, effects, reg, results, scenario: Scenario) -> None:
    rows = _measure_rows(results, scenario, effects, reg)
    _write_df(con, "marts.cost_effectiveness", pd.DataFrame(rows), EFFECTIVENESS_DDL)
    apply_comments(
        con,
        "marts.cost_effectiveness",
        "Cost-effectiveness of Arbeidstrening per participant, by perspective (effects = the "
        "effects valued, budget = the public budget, society = society), subgroup and horizon, "
        "in price-year NOK. Flows are monthly, discounted at general.discount_rate with the "
        "monthly rate (1+r)^(1/12)-1 and flows at the end of each month, to the start of the "
        "start month. budget npv = tax_revenue_gain_pv + benefit_savings_pv - programme_cost_pv; "
        "society npv = production_gain_pv - resource_cost_pv + tax_financing_effect_pv (the "
        "tax-financing cost times the budget npv). Benefits are transfers: a budget item, not "
        "a cost to society. Intervals carry the effects' sampling uncertainty analytically "
        "(the valuation is linear in the cumulative effects); costs and parameters are taken as "
        "fixed. See analysis/costs/METHODS.md.",
        EFFECTIVENESS_COMMENTS,
    )


EFFECTIVENESS_DDL = {
    "perspective": "VARCHAR", "subgroup": "VARCHAR", "horizon_months": "INTEGER",
    "measure": "VARCHAR", "measure_order": "INTEGER", "unit": "VARCHAR", "estimate": "DOUBLE",
    "std_error": "DOUBLE", "ci_low": "DOUBLE", "ci_high": "DOUBLE",
    "uncertainty_basis": "VARCHAR", "is_extrapolated": "BOOLEAN", "estimator": "VARCHAR",
    "n_treated": "BIGINT", "n_cost_base": "BIGINT", "note": "VARCHAR",
}  # fmt: skip

EFFECTIVENESS_COMMENTS = {
    "perspective": "effects (the effects valued, no costs), budget (public budget) or society",
    "subgroup": "ALL, purpose=<purpose of the first spell> or status_group=<status group at start>",
    "horizon_months": "event months 0..horizon-1 from the start month (lock-in included)",
    "measure": (
        "effects: extra_employed_months, extra_employed_months_pv, average_employment_effect_pp, "
        "earnings_change_nok, earnings_change_pv, average_earnings_effect_nok_per_month, "
        "benefit_months_change (= minus the cumulative no_benefit effect), "
        "benefit_payments_change_pv (gross, benefit months x derived.benefit_nok_per_month); "
        "budget: programme_cost_pv, tax_revenue_gain_pv ((tax rate + employer contribution) x "
        "earnings), benefit_savings_pv (net of tax on benefits), npv, "
        "cost_per_extra_employed_month (programme cost / discounted extra employed months), "
        "break_even_employment_pp, break_even_earnings_nok_per_month; society: "
        "resource_cost_pv, production_gain_pv (earnings x (1 + employer contribution)), "
        "tax_financing_effect_pv, npv, cost_per_extra_employed_month, break_even_employment_pp, "
        "break_even_earnings_nok_per_month"
    ),
    "measure_order": "display order of the measure within a perspective table (1 = first)",
    "unit": "unit of estimate and interval",
    "estimate": "point estimate (NULL where undefined; see note)",
    "std_error": "standard error (NULL for measures without sampling uncertainty or ratios)",
    "ci_low": "lower end of the interval at general.confidence_level (NULL: none or unbounded)",
    "ci_high": "upper end of the interval (NULL: none, or unbounded for a ratio whose employment interval reaches 0)",
    "uncertainty_basis": (
        "how the effects' uncertainty was obtained: joint_influence_function (from "
        "marts.effects_cumulative), sum_of_se_bound (summed marts.effects with sum(se_e), "
        "perfect positive correlation), joint_influence_function+sum_of_se_bound (both), "
        "no_sampling_uncertainty (costs, break-even). Outcomes are combined with the bound "
        "sum |coef| x se as their covariance is not available"
    ),
    "is_extrapolated": "TRUE if the horizon runs past the last estimated event time (the last effect is assumed to persist)",
    "estimator": "headline estimator of marts.effects the effects come from (NULL if none)",
    "n_treated": "treated persons behind the effect estimates (0: the subgroup has none)",
    "n_cost_base": "persons in the cost base of the subgroup (marts.costs_per_participant)",
    "note": "why an estimate or interval end is missing, or other caveats",
}


def _sensitivity_scenarios(base: Scenario, params: Parameters) -> list[Scenario]:
    lam = params.number("general.tax_financing_cost")
    out = [replace(base, name="base")]
    for s in (0.5, 1.5):
        out.append(replace(base, name=f"programme costs x{s:g}", parameter="programme_costs",
                           setting=f"x{s:g}", cost_scale=s))  # fmt: skip
    for h in SENSITIVITY_HORIZONS:
        out.append(replace(base, name=f"horizon {h} months", parameter="horizon_months",
                           setting=str(h), horizon_months=h))  # fmt: skip
    for r in (0.02, 0.04, 0.06):
        out.append(replace(base, name=f"discount rate {r:.0%}", parameter="general.discount_rate",
                           setting=f"{r:g}", discount_rate=r))  # fmt: skip
    for s in (0.5, 1.5):
        out.append(replace(base, name=f"benefit month value x{s:g}",
                           parameter="derived.benefit_nok_per_month", setting=f"x{s:g}",
                           benefit_scale=s))  # fmt: skip
    for v in (0.0, lam):
        out.append(replace(base, name=f"tax-financing cost {v:g}",
                           parameter="general.tax_financing_cost", setting=f"{v:g}",
                           tax_financing_cost=v))  # fmt: skip
    return out


def _write_sensitivity(con, params, reg, effects, base: Scenario, base_results) -> None:
    keep = set(SENSITIVITY_MEASURES)
    base_est = {
        (r.subgroup, m.perspective, m.measure): m.estimate for r in base_results for m in r.measures
    }
    rows = []
    for sc in _sensitivity_scenarios(base, params):
        results = base_results if sc.name == "base" else evaluate(params, reg, effects, sc)
        for row in _measure_rows(results, sc, effects, reg):
            if (row["perspective"], row["measure"]) not in keep:
                continue
            b = base_est.get((row["subgroup"], row["perspective"], row["measure"]))
            diff = row["estimate"] - b if row["estimate"] is not None and b is not None else None
            rows.append(row | {"scenario": sc.name, "parameter": sc.parameter,
                               "setting": sc.setting, "base_estimate": b, "difference": diff})  # fmt: skip
    ddl = {"scenario": "VARCHAR", "parameter": "VARCHAR", "setting": "VARCHAR"} | {
        k: EFFECTIVENESS_DDL[k]
        for k in ("perspective", "subgroup", "horizon_months", "measure", "measure_order", "unit",
                  "estimate", "ci_low", "ci_high", "uncertainty_basis", "is_extrapolated")
    } | {"base_estimate": "DOUBLE", "difference": "DOUBLE", "note": "VARCHAR"}  # fmt: skip
    _write_df(con, "marts.cost_sensitivity", pd.DataFrame(rows), ddl)
    comments = {k: EFFECTIVENESS_COMMENTS[k] for k in ddl if k in EFFECTIVENESS_COMMENTS}
    comments |= {
        "scenario": "name of the sensitivity case (base = the main result)",
        "parameter": "what is varied: programme_costs (all programme cost rates), horizon_months, general.discount_rate, derived.benefit_nok_per_month, general.tax_financing_cost",
        "setting": "the value used (x0.5 / x1.5 = multiplied by)",
        "measure": "npv, programme_cost_pv / resource_cost_pv, cost_per_extra_employed_month, break_even_employment_pp (see marts.cost_effectiveness)",
        "base_estimate": "estimate of the base case (marts.cost_effectiveness)",
        "difference": "estimate minus base_estimate",
        "is_extrapolated": "TRUE for horizons past the last estimated event time (month 36): the effect at that event time is assumed to persist - an extrapolation, not an estimate",
    }
    apply_comments(
        con,
        "marts.cost_sensitivity",
        "Sensitivity of the main cost-effectiveness measures to one setting at a time: programme "
        "costs x0.5/x1.5, horizon 12/36/60 months (60 extrapolates the month-36 effect), "
        "discount rate 2/4/6 %, value of a benefit month x0.5/x1.5, tax-financing cost 0/0.2. "
        "Everything else as in the base case (register-derived values from the base horizon).",
        comments,
    )
