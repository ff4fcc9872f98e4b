"""Chapter: cost-effectiveness - cost per participant, net present value per perspective with
its interval, by subgroup, sensitivity, and what is left out and why."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis import disclosure as sdc
from analysis import formatting as fmt
from analysis.costs.valuation import CHANNEL_EXCLUDED
from analysis.design import MIN_SUBGROUP_TREATED
from analysis.report import evidence as ev
from analysis.report import figures as figs
from analysis.report.chapters.for_hvem import subgroup_label, subgroup_order
from analysis.report.labels import lab
from analysis.report.text import Texts

TITLE = ("Hva koster tiltaket, og lønner det seg?", "What does it cost, and does it pay off?")

MAIN_MEASURES = (
    ("effects", "extra_employed_months"),
    ("effects", "earnings_change_pv"),
    ("effects", "benefit_months_change"),
    ("budget", "programme_cost_pv"),
    ("budget", "tax_revenue_gain_pv"),
    ("budget", "benefit_savings_pv"),
    ("budget", "npv"),
    ("budget", "cost_per_extra_employed_month"),
    ("budget", "break_even_employment_pp"),
    ("society", "resource_cost_pv"),
    ("society", "production_gain_pv"),
    ("society", "tax_financing_effect_pv"),
    ("society", "npv"),
    ("society", "break_even_employment_pp"),
)
COMPONENTS = (
    "nav_follow_up",
    "mentor_grant",
    "inclusion_grant",
    "employer_net_cost",
    "total_budget_cost",
    "total_resource_cost",
)
TRANSFERS = (
    "aap_during_programme",
    "dagpenger_during_programme",
    "tiltakspenger_during_programme",
    "sosialhjelp_during_programme",
    "uforetrygd_during_programme",
    "kvp_during_programme",
)

TEXT = Texts(
    {
        "intro": (
            "Dette kapitlet sammenligner hva arbeidstrening koster, med hva effektene er verdt. "
            "Kostnadene per deltaker er regnet ut fra registrene (hvor mange måneder deltakerne er "
            "i tiltaket og får tilskudd) ganget med dokumenterte satser, for eksempel NAVs "
            "oppfølgingskostnad per deltakermåned. Effektene er hovedanslagene fra {ref} på "
            "sysselsetting, arbeidsinntekt og ytelser, summert over {horizon} måneder fra "
            "startmåneden. Innlåsingsperioden er med.",
            "This chapter compares what work training costs with what its effects are worth. The "
            "costs per participant are computed from the registers (how many months participants "
            "are in the programme and receive grants) times documented rates, such as NAV's "
            "follow-up cost per participant-month. The effects are the headline estimates of "
            "{ref} on employment, earnings and benefits, summed over {horizon} months from the "
            "start month. The lock-in period is included.",
        ),
        "perspectives": (
            "Vi holder to perspektiver atskilt. **Offentlige budsjetter** tar med tiltakskostnaden, "
            "økte skatter og avgifter og sparte ytelser. **Samfunnet** tar med verdien av økt "
            "produksjon og de reelle ressursene tiltaket bruker, pluss en "
            "skattefinansieringskostnad på {lam} kr per krone offentlige netto utgifter. Ytelser "
            "som arbeidsavklaringspenger og dagpenger er overføringer: De er en kostnad for det "
            "offentlige, men ikke for samfunnet, fordi pengene bare flyttes fra skattebetalerne "
            "til mottakerne.",
            "We keep two perspectives apart. The **public budget** counts the programme cost, "
            "higher taxes and contributions, and benefits saved. **Society** counts the value of "
            "higher production and the real resources the programme uses, plus a tax-financing "
            "cost of NOK {lam} per NOK of net public spending. Benefits such as work assessment "
            "allowance and unemployment benefit are transfers: a cost to the public budget, but "
            "not to society, because the money only moves from taxpayers to recipients.",
        ),
        "discounting": (
            "Alle beløp er per deltaker i {year}-kroner og neddiskontert med {rate} per år til "
            "starttidspunktet, slik Finansdepartementets rundskriv R-109 anbefaler. **Netto "
            "nåverdi** er verdien av gevinstene minus kostnadene; et positivt tall betyr at "
            "tiltaket lønner seg i det perspektivet. Satsene og forutsetningene står i {ref}.",
            "All amounts are per participant in {year} NOK and discounted at {rate} a year to the "
            "start, as the Ministry of Finance's circular R-109 recommends. The **net present "
            "value** is the value of the gains minus the costs; a positive number means the "
            "programme pays off in that perspective. The rates and assumptions are in {ref}.",
        ),
        "not_credible": (
            "**Netto nåverdi er ikke troverdig i denne kjøringen.** Den bygger på "
            "effektanslagene, og de holder ikke designkontrollen (se {ref}). Kostnaden per "
            "deltaker er beskrivende og gjelder likevel. Nåverdiene nedenfor vises for åpenhet, "
            "men er ikke et resultat.",
            "**The net present value is not credible in this run.** It rests on the effect "
            "estimates, and they fail the design checks (see {ref}). The cost per participant is "
            "descriptive and still holds. The present values below are shown for transparency, "
            "but they are not a result.",
        ),
        "cost_h": ("Hva koster en deltaker?", "What does a participant cost?"),
        "cost_reading": (
            "Arbeidstrening kostet i gjennomsnitt {cost} kr per deltaker i offentlige utgifter "
            "(nåverdi). Det meste er NAVs oppfølging ({follow} kr). Deltakerne var i tiltaket i "
            "{months} måneder i gjennomsnitt.",
            "Work training cost on average NOK {cost} per participant in public spending "
            "(present value). Most of it is NAV's follow-up (NOK {follow}). Participants were in "
            "the programme for {months} months on average.",
        ),
        "cost_caption": (
            "Kostnader per deltaker etter komponent. Alle {n} deltakere i kostnadsgrunnlaget. "
            "Kroner per deltaker, avrundet til nærmeste 100 kr.",
            "Costs per participant by component. All {n} participants in the cost base. NOK per "
            "participant, rounded to the nearest 100.",
        ),
        "cost_note": (
            "Kostnadsgrunnlaget er hver persons første arbeidstrening som startet minst 18 "
            "måneder før observasjonsperioden slutter, for arbeidssøkere og personer med nedsatt "
            "arbeidsevne. Måneder med tilskudd og ytelser er måneder mens tiltaket pågår. "
            "Ytelsene er overføringer og regnes ikke som tiltakskostnad; endringen i ytelser kommer "
            "inn gjennom effekten på ytelser (ellers ville den blitt telt to ganger).",
            "The cost base is each person's first work training that started at least 18 months "
            "before the end of the observation period, for job seekers and persons with reduced "
            "work capacity. Months with grants and benefits are months while the programme runs. "
            "Benefits are transfers and are not counted as programme costs; the change in "
            "benefits enters through the effect on benefits (otherwise it would be counted "
            "twice).",
        ),
        "npv_h": ("Lønner tiltaket seg?", "Does the programme pay off?"),
        "main_caption": (
            "Hovedresultater for alle deltakere, {horizon} måneder fra start. Beløp per "
            "deltaker, avrundet til nærmeste 100 kr.",
            "Main results for all participants, {horizon} months from the start. Amounts per "
            "participant, rounded to the nearest NOK 100.",
        ),
        "main_note": (
            "KI: konfidensintervall. Netto nåverdi for budsjettet = økte skatter og avgifter + "
            "sparte ytelser − tiltakskostnad. For samfunnet = økt produksjon − ressurskostnad + "
            "skattefinansieringseffekten. «Effekt som trengs for å gå i null» er den faste økningen "
            "i andelen i arbeid (prosentpoeng hver måned) som ville gitt netto nåverdi lik null. "
            "Intervallene tar bare med usikkerheten i effektene, ikke i satsene.",
            "CI: confidence interval. Budget net present value = higher taxes and contributions "
            "+ benefits saved − programme cost. For society = higher production − resource cost "
            "+ the tax-financing effect. “Effect needed to break even” is the constant rise in "
            "the share employed (percentage points every month) that would give a net present "
            "value of zero. The intervals include only the uncertainty of the effects, not of "
            "the rates.",
        ),
        "npv_budget": (
            "For offentlige budsjetter er netto nåverdi {v} kr per deltaker (95 % "
            "konfidensintervall {ci} kr). {verdict}",
            "For the public budget the net present value is NOK {v} per participant (95 % "
            "confidence interval NOK {ci}). {verdict}",
        ),
        "npv_society": (
            "For samfunnet er netto nåverdi {v} kr per deltaker (95 % konfidensintervall {ci} "
            "kr). {verdict}",
            "For society the net present value is NOK {v} per participant (95 % confidence "
            "interval NOK {ci}). {verdict}",
        ),
        "pays": (
            "Intervallet ligger over null: tiltaket lønner seg i dette perspektivet.",
            "The interval lies above zero: the programme pays off in this perspective.",
        ),
        "costs_more": (
            "Intervallet ligger under null: tiltaket koster mer enn det gir i dette perspektivet.",
            "The interval lies below zero: the programme costs more than it gives in this "
            "perspective.",
        ),
        "unsure": (
            "Intervallet inneholder null, så vi kan ikke si sikkert om tiltaket lønner seg i "
            "dette perspektivet.",
            "The interval includes zero, so we cannot be sure whether the programme pays off in "
            "this perspective.",
        ),
        "break_even": (
            "For at tiltaket skal gå i null for offentlige budsjetter, må det øke andelen i "
            "arbeid med {be} prosentpoeng i hver måned.",
            "For the programme to break even for the public budget, it must raise the share "
            "employed by {be} percentage points in every month.",
        ),
        "excluded_h": ("Hva er ikke med, og hvorfor?", "What is left out, and why?"),
        "excluded": (
            "Beregningen tar bare med det registrene kan måle. Følgende er holdt utenfor:",
            "The calculation includes only what the registers can measure. The following is "
            "left out:",
        ),
        "ex_transfers": (
            "**Ytelser under tiltaket** som kostnad: de er overføringer, og endringen i ytelser "
            "er med gjennom effekten på ytelser.",
            "**Benefits during the programme** as a cost: they are transfers, and the change in "
            "benefits enters through the effect on benefits.",
        ),
        "ex_channels": (
            "**Effekter som ikke holder sine kontroller**: {channels}. En gevinst som bygger på et "
            "anslag som ikke er troverdig, regnes ikke med.",
            "**Effects that fail their checks**: {channels}. A gain resting on an estimate that "
            "is not credible is not counted.",
        ),
        "ex_employer": (
            "**Arbeidsgivers tid og verdien av deltakerens arbeid** under tiltaket: antatt å "
            "oppveie hverandre (satt til 0), fordi registrene ikke måler noen av dem.",
            "**The employer's time and the value of the participant's work** during the "
            "programme: assumed to cancel out (set to 0), because the registers measure neither.",
        ),
        "ex_displacement": (
            "**Fortrengning**: at deltakerne kan ta jobber andre ellers ville fått. Gevinsten for "
            "samfunnet kan derfor være overvurdert.",
            "**Displacement**: participants may take jobs others would otherwise have had. The "
            "gain for society may therefore be overstated.",
        ),
        "ex_wellbeing": (
            "**Helse, livskvalitet og fritid**: verdien for deltakerne selv av arbeid eller "
            "avklaring er ikke målt.",
            "**Health, quality of life and leisure**: the value to participants themselves of "
            "work or clarification is not measured.",
        ),
        "ex_horizon": (
            "**Effekter etter {horizon} måneder**: bare med i følsomhetsanalysen, som en "
            "forutsetning om at effekten varer.",
            "**Effects after {horizon} months**: included only in the sensitivity analysis, as "
            "an assumption that the effect persists.",
        ),
        "sub_h": ("Lønnsomhet etter undergruppe", "Net value by subgroup"),
        "sub_caption": (
            "Netto nåverdi per deltaker etter undergruppe, {horizon} måneder fra start. 1 000 kr "
            "med 95 % konfidensintervall.",
            "Net present value per participant by subgroup, {horizon} months from the start. "
            "NOK 1,000 with 95 % confidence interval.",
        ),
        "sub_note": (
            "Til høyre for null lønner tiltaket seg i perspektivet. Grått: færre enn {min} "
            "deltakere. «:» betyr skjult av personvernhensyn.",
            "Right of zero the programme pays off in that perspective. Grey: fewer than {min} "
            "participants. “:” means hidden for confidentiality.",
        ),
        "sub_tab_caption": (
            "Netto nåverdi per deltaker etter undergruppe. Kroner, avrundet til nærmeste 100 kr.",
            "Net present value per participant by subgroup. NOK, rounded to the nearest 100.",
        ),
        "sub_tab_note": (
            "Deltakere: personer i kostnadsgrunnlaget. Formål er formålet på personens første "
            "arbeidstrening.",
            "Participants: persons in the cost base. Purpose is the purpose of the person's first "
            "work training.",
        ),
        "sens_h": ("Følsomhet for forutsetningene", "Sensitivity to the assumptions"),
        "sens_caption": (
            "Følsomhetsanalyse: netto nåverdi per deltaker når én forutsetning endres. Kroner, "
            "avrundet til nærmeste 100 kr.",
            "Sensitivity analysis: net present value per participant when one assumption "
            "changes. NOK, rounded to the nearest 100.",
        ),
        "sens_note": (
            "Hver linje endrer én forutsetning og holder resten som i hovedberegningen.",
            "Each line changes one assumption and keeps the rest as in the main calculation.",
        ),
        "sens_extra": (
            " * Framskrivning: effektene er anslått til og med måned {horizon}. Etter det antar vi "
            "at effekten i måned {horizon} varer uendret. Det er en forutsetning, ikke et anslag.",
            " * Extrapolation: the effects are estimated up to month {horizon}. After that we "
            "assume the month-{horizon} effect persists unchanged. This is an assumption, not an "
            "estimate.",
        ),
        "missing_ce": ("Kostnadseffektiviteten", "Cost-effectiveness"),
        "missing_cp": ("Kostnadene per deltaker", "Costs per participant"),
        "missing_cs": ("Følsomhetsanalysen", "The sensitivity analysis"),
        "unbounded": ("ubegrenset", "unbounded"),
    }
)


def cost_row(ce: pd.DataFrame, perspective: str, measure: str, subgroup: str = "ALL"):
    d = ce[
        (ce["perspective"] == perspective)
        & (ce["measure"] == measure)
        & (ce["subgroup"] == subgroup)
    ]
    return None if d.empty else d.iloc[0]


def hidden(r, col: str = "estimate") -> bool:
    return r is None or bool(r.get(sdc.flag_col(col), False))


def value(b, r, col: str = "estimate") -> str:
    """One value of a cost_effectiveness row formatted by its unit; its symbol when not shown."""
    if r is None:
        return fmt.MISSING
    sym = sdc.symbol(r, col) if sdc.status_col(col) in r else ""
    if sym:
        return sym
    x = r[col]
    if fmt.is_missing(x):
        return fmt.MISSING
    unit = str(r.get("unit", ""))
    if "month" in unit and "NOK" not in unit:
        return b.num(x, 1)
    if unit == "percentage points":
        return b.num(x, 1)
    return b.nok(x)


def interval(b, r) -> str:
    """``"a til b"``; a missing end while the other is there is unbounded."""
    if r is None:
        return ""
    if hidden(r, "ci_low"):
        return fmt.SUPPRESSED
    lo, hi = r.get("ci_low"), r.get("ci_high")
    if fmt.is_missing(lo) and fmt.is_missing(hi):
        return ""
    unb = b.t("ubegrenset", "unbounded")
    a = unb if fmt.is_missing(lo) else value(b, r, "ci_low")
    c = unb if fmt.is_missing(hi) else value(b, r, "ci_high")
    return b.t(f"{a} til {c}", f"{a} to {c}")


def params(b) -> dict[str, float]:
    par = b.frame("cost_parameters")
    if par is None or "value" not in par.columns:
        return {}
    out: dict[str, float] = {}
    for r in par.to_dict("records"):
        if not fmt.is_missing(r.get("value")):
            out.setdefault(str(r["parameter"]), float(r["value"]))
    return out


def horizon(ce: pd.DataFrame | None) -> int:
    if ce is not None and "horizon_months" in ce.columns:
        hz = ce.loc[ce["subgroup"] == "ALL", "horizon_months"].dropna()
        if len(hz):
            return int(hz.iloc[0])
    return 36


def verdict(tx, r) -> str:
    lo, hi = r.get("ci_low"), r.get("ci_high")
    if fmt.is_missing(lo) or fmt.is_missing(hi) or hidden(r, "ci_low"):
        return ""
    return tx("pays") if lo > 0 else tx("costs_more") if hi < 0 else tx("unsure")


def programme_cost(b) -> tuple[str, float, str]:
    """(text, value, n) of the programme cost per participant (present value, public budget)."""
    cp = b.frame("costs_per_participant")
    if cp is None:
        return fmt.MISSING, np.nan, fmt.MISSING
    a = cp[(cp["subgroup"] == "ALL") & (cp["component"] == "total_budget_cost")]
    if a.empty or hidden(a.iloc[0], "nok_pv_per_participant"):
        return fmt.SUPPRESSED, np.nan, fmt.MISSING
    r = a.iloc[0]
    n = b.cell(
        cp, (cp["subgroup"] == "ALL") & (cp["component"] == "nav_follow_up"), "n_participants"
    )[0]
    return b.nok(r["nok_pv_per_participant"]), float(r["nok_pv_per_participant"]), n


def excluded_channels(ce: pd.DataFrame | None, lang: str) -> list[str]:
    """Effect channels the cost layer left out of the NPV because they failed their checks (when
    the cost layer reports them: a column ``included``/``in_npv`` False with a reason)."""
    if ce is None:
        return []
    flag = next((c for c in ("included", "in_npv", "credible") if c in ce.columns), None)
    if flag is None:
        # the cost layer marks a measure whose channel it left out in its note
        if "note" not in ce.columns:
            return []
        note = ce["note"].fillna("").astype(str)
        d = ce[(ce["subgroup"] == "ALL") & note.str.startswith(CHANNEL_EXCLUDED)]
        return sorted({lab(m, lang, "cost_measure").lower() for m in d["measure"]})
    d = ce[(ce["subgroup"] == "ALL") & ~ce[flag].fillna(True).astype(bool)]
    out = []
    for r in d.to_dict("records"):
        name = lab(r.get("channel") or r.get("measure"), lang, "cost_measure")
        why = str(r.get("excluded_reason") or r.get("note") or "").strip()
        out.append(f"{name} ({why})" if why else name)
    return sorted(set(out))


def build(b) -> list[dict]:
    tx = b.texts(TEXT)
    ce = b.frame("cost_effectiveness")
    cp = b.frame("costs_per_participant")
    cs = b.frame("cost_sensitivity")
    par = params(b)
    hz = horizon(ce)
    rate = par.get("general.discount_rate", 0.04)
    gate = ev.gate(b)
    blocks = [b.p(tx("intro", ref=b.ref("effekter"), horizon=hz))]
    blocks.append(b.p(tx("perspectives", lam=b.num(par.get("general.tax_financing_cost", 0.2), 1))))
    blocks.append(
        b.p(
            tx(
                "discounting",
                year=int(par.get("general.price_year", 2024)),
                rate=b.pct(rate, 0 if float(rate * 100).is_integer() else 1),
                ref=b.ref("tabeller"),
            )
        )
    )
    if cp is None and ce is None:
        blocks.append(b.not_available(tx("missing_ce"), "marts.cost_effectiveness"))
        blocks.append(b.not_available(tx("missing_cp"), "marts.costs_per_participant"))
        return blocks
    if ce is not None and not gate.credible:
        blocks.append(b.warning(tx("not_credible", ref=b.ref("effekter"))))
    blocks.append(b.h2(tx("cost_h")))
    if cp is None:
        blocks.append(b.not_available(tx("missing_cp"), "marts.costs_per_participant"))
    else:
        blocks += _components(b, tx, cp)
    if ce is None:
        blocks.append(b.not_available(tx("missing_ce"), "marts.cost_effectiveness"))
        return blocks
    blocks.append(b.h2(tx("npv_h")))
    blocks += _main(b, tx, ce, hz)
    blocks.append(b.h2(tx("excluded_h")))
    blocks.append(b.p(tx("excluded")))
    channels = excluded_channels(ce, b.lang)
    blocks.append(
        b.items(
            [
                tx("ex_transfers"),
                tx("ex_channels", channels="; ".join(channels)) if channels else "",
                tx("ex_employer"),
                tx("ex_displacement"),
                tx("ex_wellbeing"),
                tx("ex_horizon", horizon=hz),
            ]
        )
    )
    blocks += _subgroups(b, tx, ce, hz)
    if cs is None:
        blocks.append(b.not_available(tx("missing_cs"), "marts.cost_sensitivity"))
    else:
        blocks += _sensitivity(b, tx, cs, hz)
    return blocks


def _components(b, tx, cp: pd.DataFrame) -> list[dict]:
    a = cp[cp["subgroup"] == "ALL"]
    yes, no = b.t("Ja", "Yes"), b.t("Nei", "No")
    rows = []
    for comp in (*COMPONENTS, *TRANSFERS):
        d = a[a["component"] == comp]
        if d.empty:
            continue
        r = d.iloc[0]
        name = lab(comp, b.lang, "cost_component")
        if comp in TRANSFERS:
            name = b.t(f"{name} (overføring)", f"{name} (transfer)")
        rows.append(
            [
                name,
                fmt.SUPPRESSED
                if hidden(r, "months_per_participant")
                else b.num(r["months_per_participant"], 1),
                fmt.SUPPRESSED
                if hidden(r, "nok_per_participant")
                else b.nok(r["nok_per_participant"]),
                fmt.SUPPRESSED
                if hidden(r, "nok_pv_per_participant")
                else b.nok(r["nok_pv_per_participant"]),
                yes if bool(r.get("in_budget", False)) else no,
                yes if bool(r.get("in_society", False)) else no,
            ]
        )
    cost_t, _, n_txt = programme_cost(b)
    out = []
    f = a[a["component"] == "nav_follow_up"]
    tot = a[a["component"] == "total_budget_cost"]
    if len(f) and len(tot) and not hidden(f.iloc[0], "nok_pv_per_participant"):
        out.append(
            b.p(
                tx(
                    "cost_reading",
                    cost=cost_t,
                    follow=b.nok(f.iloc[0]["nok_pv_per_participant"]),
                    months=b.num(tot.iloc[0]["months_per_participant"], 1),
                )
            )
        )
    out.append(
        b.table(
            tx("cost_caption", n=n_txt),
            [
                b.t("Komponent", "Component"),
                b.t("Måneder per deltaker", "Months per participant"),
                b.t("Kr per deltaker", "NOK per participant"),
                b.t("Nåverdi, kr", "Present value, NOK"),
                b.t("Kostnad i budsjettet", "Budget cost"),
                b.t("Kostnad for samfunnet", "Cost to society"),
            ],
            rows,
            align="lrrrll",
            widths=[2.8, 1.0, 1.0, 1.0, 0.9, 0.9],
            note=tx("cost_note"),
        )
    )
    return out


def _main(b, tx, ce: pd.DataFrame, hz: int) -> list[dict]:
    rows, last = [], None
    for persp, measure in MAIN_MEASURES:
        r = cost_row(ce, persp, measure)
        if r is None:
            continue
        rows.append(
            [
                lab(persp, b.lang, "cost_perspective") if persp != last else "",
                lab(measure, b.lang, "cost_measure"),
                lab(r.get("unit"), b.lang, "cost_unit"),
                value(b, r),
                interval(b, r),
            ]
        )
        last = persp
    out = []
    credible = bool(ev.gate(b).credible)
    for persp, key in (("budget", "npv_budget"), ("society", "npv_society")):
        if not credible:
            break
        r = cost_row(ce, persp, "npv")
        if r is not None and not hidden(r) and not fmt.is_missing(r["estimate"]):
            out.append(
                b.p(tx(key, v=b.nok(r["estimate"]), ci=interval(b, r), verdict=verdict(tx, r)))
            )
    be = cost_row(ce, "budget", "break_even_employment_pp")
    if be is not None and not hidden(be) and not fmt.is_missing(be["estimate"]):
        out.append(b.p(tx("break_even", be=b.num(be["estimate"], 1))))
    out.append(
        b.table(
            tx("main_caption", horizon=hz),
            [
                b.t("Perspektiv", "Perspective"),
                b.t("Mål", "Measure"),
                b.t("Enhet", "Unit"),
                b.t("Anslag", "Estimate"),
                b.t("95 % KI", "95 % CI"),
            ],
            rows,
            align="lllrr",
            widths=[1.2, 2.4, 2.2, 0.9, 1.7],
            note=tx("main_note"),
        )
    )
    return out


def _subgroups(b, tx, ce: pd.DataFrame, hz: int) -> list[dict]:
    subgroups = [
        g
        for g in subgroup_order(ce["subgroup"].unique())
        if g == "ALL" or g.partition("=")[0] in ("purpose", "status_group")
    ]
    npv = ce[(ce["measure"] == "npv") & ce["subgroup"].isin(subgroups)].copy()
    if len(subgroups) < 2 or npv.empty:
        return []
    labels = [subgroup_label(g, b.lang) for g in subgroups]
    n_base = {}
    for g in subgroups:
        r = cost_row(ce, "budget", "npv", g)
        n_base[g] = np.nan if hidden(r, "n_cost_base") else float(r["n_cost_base"])
    panels = []
    for persp in ("budget", "society"):
        d = npv[npv["perspective"] == persp].copy()
        if d.empty:
            continue
        for c in ("estimate", "ci_low", "ci_high"):
            d[c] = [np.nan if hidden(r, c) else r[c] for r in d.to_dict("records")]
        d["label"] = d["subgroup"].map(lambda g: subgroup_label(g, b.lang))
        d["too_small"] = d["subgroup"].map(
            lambda g: not np.isfinite(n_base[g]) or n_base[g] < MIN_SUBGROUP_TREATED
        )
        panels.append((lab(persp, b.lang, "cost_perspective"), d))
    out = [b.h2(tx("sub_h"))]
    chart = figs.forest(
        panels,
        labels,
        b.lang,
        b.t("1 000 kr per deltaker", "NOK 1,000 per participant"),
        legend=(
            b.t("Intervallet utelukker null", "Interval excludes zero"),
            b.t("Intervallet inneholder null", "Interval includes zero"),
            b.t(
                f"Færre enn {MIN_SUBGROUP_TREATED} deltakere",
                f"Fewer than {MIN_SUBGROUP_TREATED} participants",
            ),
        ),
        scale="thousands",
    )
    out.append(
        b.figure(chart, tx("sub_caption", horizon=hz), tx("sub_note", min=MIN_SUBGROUP_TREATED))
    )
    rows = []
    for g in subgroups:
        rb, rs = cost_row(ce, "budget", "npv", g), cost_row(ce, "society", "npv", g)
        r0 = rb if rb is not None else rs
        n = fmt.SUPPRESSED if hidden(r0, "n_cost_base") else b.num(r0["n_cost_base"])
        rows.append(
            [
                subgroup_label(g, b.lang),
                n,
                value(b, rb),
                interval(b, rb),
                value(b, rs),
                interval(b, rs),
            ]
        )
    out.append(
        b.table(
            tx("sub_tab_caption"),
            [
                b.t("Undergruppe", "Subgroup"),
                b.t("Deltakere", "Participants"),
                b.t("Budsjett", "Budget"),
                b.t("95 % KI", "95 % CI"),
                b.t("Samfunnet", "Society"),
                b.t("95 % KI", "95 % CI"),
            ],
            rows,
            widths=[2.4, 1.0, 0.9, 1.9, 0.9, 1.9],
            bold_first_row=True,
            note=tx("sub_tab_note"),
        )
    )
    return out


def scenario_label(b, parameter: str, setting: str, scenario: str) -> str:
    """Readable name of a sensitivity case (falls back to the scenario name)."""

    def factor(x: str) -> str | None:
        m = re.fullmatch(r"x(\d+(?:\.\d+)?)", x.strip())
        if not m:
            return None
        return fmt.format_signed((float(m[1]) - 1) * 100, 0, b.lang) + (
            " %" if b.lang == "nb" else "%"
        )

    try:
        num = float(setting)
    except ValueError:
        num = None
    if parameter == "base":
        return b.t("Hovedberegning", "Main calculation")
    if parameter == "programme_costs" and factor(setting):
        return b.t(f"Tiltakskostnader {factor(setting)}", f"Programme costs {factor(setting)}")
    if parameter == "horizon_months" and num is not None:
        return b.t(f"Horisont {int(num)} måneder", f"Horizon {int(num)} months")
    if parameter == "general.discount_rate" and num is not None:
        return b.t(f"Kalkulasjonsrente {b.pct(num, 0)}", f"Discount rate {b.pct(num, 0)}")
    if parameter == "derived.benefit_nok_per_month" and factor(setting):
        return b.t(
            f"Verdien av en ytelsesmåned {factor(setting)}",
            f"Value of a benefit month {factor(setting)}",
        )
    if parameter == "general.tax_financing_cost" and num is not None:
        return b.t(
            f"Skattefinansieringskostnad {b.num(num, 0 if num.is_integer() else 1)}",
            f"Tax-financing cost {b.num(num, 0 if num.is_integer() else 1)}",
        )
    return scenario


def _sensitivity(b, tx, cs: pd.DataFrame, hz: int) -> list[dict]:
    sa = cs[(cs["subgroup"] == "ALL") & (cs["measure"] == "npv")]
    rows, any_extra = [], False
    for sc in dict.fromkeys(sa["scenario"]):
        d = sa[sa["scenario"] == sc]
        rb = d[d["perspective"] == "budget"]
        rs = d[d["perspective"] == "society"]
        rb = None if rb.empty else rb.iloc[0]
        rs = None if rs.empty else rs.iloc[0]
        r0 = rb if rb is not None else rs
        if r0 is None:
            continue
        param = str(r0.get("parameter", ""))
        diffs = [
            r.get("difference")
            for r in (rb, rs)
            if r is not None and not fmt.is_missing(r.get("difference"))
        ]
        if param != "base" and len(diffs) == 2 and all(abs(float(x)) < 1e-6 for x in diffs):
            continue  # the base case again under another name
        extra = bool(r0.get("is_extrapolated", False))
        any_extra |= extra
        name = scenario_label(b, param, str(r0.get("setting", "")), sc) + (" *" if extra else "")
        rows.append([name, value(b, rb), interval(b, rb), value(b, rs), interval(b, rs)])
    if not rows:
        return []
    note = tx("sens_note") + (tx("sens_extra", horizon=hz) if any_extra else "")
    return [
        b.h2(tx("sens_h")),
        b.table(
            tx("sens_caption"),
            [
                b.t("Forutsetning", "Assumption"),
                b.t("Budsjett", "Budget"),
                b.t("95 % KI", "95 % CI"),
                b.t("Samfunnet", "Society"),
                b.t("95 % KI", "95 % CI"),
            ],
            rows,
            widths=[2.4, 0.9, 1.9, 0.9, 1.9],
            bold_first_row=True,
            note=note,
        ),
    ]
