"""Summary: the main findings first (does it work, for whom, at what cost), then what the report
shows, and how to read the numbers. Built after every chapter, from the same numbers; an effect
the design gate does not pass is never presented as a finding."""

from __future__ import annotations

import numpy as np

from analysis import formatting as fmt
from analysis.design import (
    HEADLINE_MEASURED_COVERAGE,
    MIN_SUBGROUP_TREATED,
)
from analysis.report import evidence as ev
from analysis.report.chapters import effekter, for_hvem, kostnader
from analysis.report.chapters.effekter import p_text
from analysis.report.labels import lab
from analysis.report.text import Texts

# The headline's measured coverage (at 12 and 24 months, employment and benefit receipt, in the
# simulated worlds of every size): the summary's reading guide gives the lowest.
MEASURED_COVERAGE = [c for _, cov in HEADLINE_MEASURED_COVERAGE.values() for c in cov.values()]

TITLE = ("Sammendrag", "Summary")

TEXT = Texts(
    {
        "synthetic": (
            "**Syntetiske data.** Denne rapporten er laget fra et kunstig register. Tallene viser "
            "hvordan analysen virker, men sier ingenting om virkelige deltakere eller om effekten "
            "av Arbeidstrening, og de må ikke siteres som resultater.",
            "**Synthetic data.** This report was made from an artificial register. The figures "
            "show how the analysis works, but say nothing about real participants or about the "
            "effect of Arbeidstrening, and must not be quoted as results.",
        ),
        "main_h": ("Hovedfunn", "Main findings"),
        "works_q": ("**Virker arbeidstrening?**", "**Does work training work?**"),
        "works_credible": (
            "Mens deltakerne er i tiltaket, er andelen i arbeid {lockin} {lockdir} enn den ville "
            "vært uten tiltaket (innlåsing; 95 % konfidensintervall {lockci}). Etter {months} "
            "måneder er andelen {late} {latedir} ({lateci}). {late_sig} Designkontrollen er "
            "bestått, så dette er vårt beste anslag på effekten av tiltaket, men kontrollene kan "
            "ikke utelukke en skjevhet på noen prosentpoeng ({ref}).",
            "While participants are in the programme, the share employed is {lockin} {lockdir} "
            "than it would have been without it (lock-in; 95 % confidence interval {lockci}). "
            "After {months} months the share is {late} {latedir} ({lateci}). {late_sig} The "
            "design checks are passed, so this is our best estimate of the effect of the "
            "programme, but the checks cannot rule out a bias of a few percentage points "
            "({ref}).",
        ),
        "works_not": (
            "Det kan ikke fastslås med dette datagrunnlaget. Sammenligningen som skal vise hvordan "
            "det ville gått uten tiltaket, holder ikke ({why}). Effektanslaget er derfor ikke "
            "presentert som et resultat ({ref}).",
            "It cannot be established with these data. The comparison that should show what "
            "would have happened without the programme does not hold ({why}). The effect "
            "estimate is therefore not presented as a result ({ref}).",
        ),
        "why_pretrend": (
            "deltakerne og sammenligningsgruppen utviklet seg ulikt allerede før start, p-verdi "
            "{p}",
            "participants and the comparison group developed differently already before the "
            "start, p-value {p}",
        ),
        "why_gate": ("kontroller som ikke holdt: {failed}", "checks that failed: {failed}"),
        "why_decision": (
            "designkontrollen godtar ikke anslaget",
            "the design gate does not accept the estimate",
        ),
        "works_none": (
            "Effekten er ikke anslått og kontrollert i denne kjøringen ({ref}).",
            "The effect is not estimated and checked in this run ({ref}).",
        ),
        "sig": (
            "Forskjellen er statistisk sikker.",
            "The difference is statistically significant.",
        ),
        "nsig": (
            "Intervallet inneholder null, så vi kan ikke si sikkert at det er en forskjell.",
            "The interval includes zero, so we cannot be sure there is a difference.",
        ),
        "lower": ("lavere", "lower"),
        "higher": ("høyere", "higher"),
        "whom_q": ("**For hvem?**", "**For whom?**"),
        "whom_credible": (
            "Blant {n} grupper med minst {min} deltakere er effekten etter 24 måneder statistisk "
            "sikker positiv i {npos}{pos} og sikker negativ i {nneg}{neg}. {diffs} ({ref})",
            "Among {n} groups with at least {min} participants, the effect after 24 months is "
            "significantly positive in {npos}{pos} and significantly negative in {nneg}{neg}. "
            "{diffs} ({ref})",
        ),
        "none": ("ingen", "none"),
        "diffs_some": (
            "Forskjellen mellom gruppene er statistisk sikker for {pairs}.",
            "The difference between groups is significant for {pairs}.",
        ),
        "pair": ("{a} ({va}) mot {b} ({vb})", "{a} ({va}) versus {b} ({vb})"),
        "diffs_none": (
            "Ingen av forskjellene mellom gruppene vi tester, er statistisk sikre.",
            "None of the differences between the groups we test is significant.",
        ),
        "whom_not": (
            "Når hovedanslaget ikke holder, kan vi heller ikke si hvem tiltaket virker for. De "
            "beskrivende tallene viser at {na} av forløpene til personer med nedsatt arbeidsevne "
            "og {js} av forløpene til arbeidssøkere endte i arbeid 12 måneder etter tiltaket "
            "({ref}); forskjellen sier ikke hva tiltaket førte til.",
            "When the headline does not hold, we cannot say for whom the programme works either. "
            "The descriptive figures show that {na} of the spells of persons with reduced work "
            "capacity and {js} of those of job seekers ended in work 12 months after the "
            "programme ({ref}); the difference does not say what the programme caused.",
        ),
        "whom_missing": (
            "Effekter for undergrupper er ikke anslått i denne kjøringen ({ref}).",
            "Effects for subgroups are not estimated in this run ({ref}).",
        ),
        "cost_q": ("**Hva koster det?**", "**What does it cost?**"),
        "cost": (
            "Arbeidstrening koster det offentlige om lag {cost} kr per deltaker i nåverdi, mest "
            "NAVs oppfølging.",
            "Work training costs the public budget about NOK {cost} per participant in present "
            "value, mostly NAV's follow-up.",
        ),
        "break_even": (
            "For å gå i null for offentlige budsjetter må tiltaket øke andelen i arbeid med {be} "
            "prosentpoeng i hver av de {h} månedene.",
            "To break even for the public budget, the programme must raise the share employed by "
            "{be} percentage points in each of the {h} months.",
        ),
        "npv_credible": (
            "Over {h} måneder er netto nåverdi for offentlige budsjetter {bud} kr per deltaker "
            "(95 % konfidensintervall {bud_ci} kr) og for samfunnet {soc} kr ({soc_ci} kr). "
            "{verdict}",
            "Over {h} months the net present value is NOK {bud} per participant for the public "
            "budget (95 % confidence interval NOK {bud_ci}) and NOK {soc} for society (NOK "
            "{soc_ci}). {verdict}",
        ),
        "npv_not": (
            "Om tiltaket lønner seg, kan ikke avgjøres når effekten ikke kan fastslås; "
            "nåverdiene vises bare for åpenhet ({ref}).",
            "Whether the programme pays off cannot be decided when the effect cannot be "
            "established; the present values are shown for transparency only ({ref}).",
        ),
        "excluded": (
            "Ikke med i beregningen: fortrengning av andre arbeidssøkere, helse og livskvalitet, "
            "og effekter etter {h} måneder{channels}.",
            "Not in the calculation: displacement of other job seekers, health and quality of "
            "life, and effects after {h} months{channels}.",
        ),
        "excluded_channels": (
            ", og gevinster som bygger på anslag som ikke holder kontrollene ({channels})",
            ", and gains resting on estimates that fail their checks ({channels})",
        ),
        "shows_h": ("Hva rapporten viser", "What the report shows"),
        "s_participants": (
            "**Deltakere:** I gjennomsnitt deltok {n0} personer per måned i arbeidstrening i {y0} "
            "og {n1} i {y1}.{share} ({ref})",
            "**Participants:** On average {n0} persons per month took part in work training in "
            "{y0} and {n1} in {y1}.{share} ({ref})",
        ),
        "s_share": (
            " I {y1} hadde {share} av deltakerne nedsatt arbeidsevne.",
            " In {y1}, {share} of participants had reduced work capacity.",
        ),
        "s_purposes": (
            "**Formål:** Blant avtalene som startet i {year}, var de vanligste formålene {parts}. "
            "Formålet er bare kjent for forløp med digital avtale ({cov} i {year}). ({ref})",
            "**Purposes:** Among agreements starting in {year}, the most common purposes were "
            "{parts}. The purpose is known only for spells with a digital agreement ({cov} in "
            "{year}). ({ref})",
        ),
        "s_duration": (
            "**Varighet:** Halvparten av forløpene var planlagt å vare {planned} dager eller "
            "kortere, men halvparten varte faktisk {actual} dager eller lenger. ({ref})",
            "**Duration:** Half of the spells were planned to last {planned} days or less, but "
            "half actually lasted {actual} days or more. ({ref})",
        ),
        "s_after": (
            "**Etter tiltaket:** Tolv måneder etter avsluttet arbeidstrening var {emp} i arbeid og "
            "{ws} på lønnstilskudd; {prog} var i et annet tiltak. Etter NAVs statistikk «status "
            "etter tiltak» var {nav} i arbeid seks måneder etter avgang. ({ref})",
            "**After the programme:** Twelve months after work training ended, {emp} were "
            "employed and {ws} had a wage subsidy; {prog} were in another programme. By NAV's "
            "statistic “status after programme”, {nav} were employed six months after the "
            "exit. ({ref})",
        ),
        "s_chain": (
            "**Nye tiltak:** {next} fikk et nytt tiltak innen 24 måneder; {ws} gikk til "
            "lønnstilskudd. ({ref})",
            "**Further programmes:** {next} started a new programme within 24 months; {ws} moved "
            "to a wage subsidy. ({ref})",
        ),
        "read_h": ("Slik leser du tallene", "How to read the numbers"),
        "read": (
            "**Innlåsingseffekt** betyr at deltakerne søker og tar færre jobber mens de er i "
            "tiltaket, slik at færre er i arbeid i tiltaksperioden enn om de ikke hadde deltatt. "
            "**Et 95 % konfidensintervall** viser usikkerheten: Om undersøkelsen ble gjentatt "
            "mange ganger, ville 95 av 100 slike intervaller inneholde den sanne effekten. "
            "Hovedanslagets intervaller er for smale: i simulerte registre med kjent "
            "fasit inneholdt de den sanne effekten i ned til {cov} av 100 tilfeller, og sjeldnere "
            "jo større registeret var ({effref}). "
            "Effekter måles i **prosentpoeng**: +3 prosentpoeng betyr for eksempel at 33 % er i "
            "arbeid i stedet for 30 %. Tall for 1–4 personer, og tall som kunne avsløre dem, er "
            "skjult og vist som «:» ({ref}).",
            "**Lock-in effect** means that participants search for and take fewer jobs while they "
            "are in the programme, so fewer are employed during the programme than if they had "
            "not taken part. **A 95 % confidence interval** shows the uncertainty: if the study "
            "were repeated many times, 95 of 100 such intervals would contain the true effect. "
            "The headline's intervals are too narrow: in simulated registers "
            "with a known truth they contained the true effect in as few as {cov} of 100 cases, and "
            "less often the larger the register ({effref}). "
            "Effects are measured in **percentage points**: +3 percentage points means, for "
            "example, that 33 % are employed instead of 30 %. Counts of 1–4 persons, and counts "
            "that could reveal them, are hidden and shown as “:” ({ref}).",
        ),
    }
)


def _join(b, items: list[str]) -> str:
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + b.t(" og ", " and ") + items[-1]


def _works(b, tx) -> tuple[str, bool]:
    gate = ev.gate(b)
    h = ev.headline(b)
    li, late = h.get("lock_in_0_5"), h.get("at_24") or h.get("at_12")
    ref = b.ref("effekter")
    if gate.credible and li and late and li.shown and late.shown:
        months = 24 if h.get("at_24") else 12
        lock_txt, late_txt = b.pp_abs(li.estimate), b.pp_abs(late.estimate)
        b.summary_numbers += [lock_txt, late_txt]
        return (
            tx(
                "works_credible",
                lockin=lock_txt,
                lockdir=tx("lower") if li.estimate < 0 else tx("higher"),
                lockci=b.ci(li.ci_low, li.ci_high),
                months=months,
                late=late_txt,
                latedir=tx("lower") if late.estimate < 0 else tx("higher"),
                lateci=b.ci(late.ci_low, late.ci_high),
                late_sig=tx("sig" if late.significant else "nsig"),
                ref=ref,
            ),
            True,
        )
    if gate.credible is False:
        if gate.source == "gate":
            failed = [effekter.check_label(b, c) for c in gate.failed]
            why = tx("why_gate", failed=", ".join(failed)) if failed else tx("why_decision")
        else:
            why = tx("why_pretrend", p=p_text(b, gate.pretrend_p))
        return tx("works_not", why=why, ref=ref), False
    return tx("works_none", ref=ref), False


def _whom(b, tx, credible: bool) -> str:
    ref = b.ref("for_hvem")
    f = for_hvem.findings(b)
    if f is None:
        return tx("whom_missing", ref=ref)
    if not credible:
        tb = b.frame("transitions_by_status_group")
        if tb is None:
            return ""
        d = tb[(tb["months_after_exit"] == 12) & (tb["state"] == "EMPLOYED")]
        na = b.cell(d, d["status_group"] == "NEDSATT_ARBEIDSEVNE", "share", "pct")[0]
        js = b.cell(d, d["status_group"] == "ARBEIDSSOKER", "share", "pct")[0]
        return tx("whom_not", na=na, js=js, ref=b.ref("overganger"))

    def names(groups: list[str]) -> str:
        # name the groups only when they are few; a long list is not a finding
        if not groups or len(groups) > 4:
            return ""
        return " (" + _join(b, [g.lower() if b.lang == "nb" else g for g in groups]) + ")"

    if f.differences:
        pairs = "; ".join(
            tx(
                "pair",
                a=d["short_a"].lower() if b.lang == "nb" else d["short_a"],
                b=d["short_b"].lower() if b.lang == "nb" else d["short_b"],
                va=b.pp(d["va"]),
                vb=b.signed_pp(d["vb"]),
            )
            for d in f.differences
        )
        diffs = tx("diffs_some", pairs=pairs)
    else:
        diffs = tx("diffs_none")
    return tx(
        "whom_credible",
        n=f.n_groups,
        min=MIN_SUBGROUP_TREATED,
        npos=len(f.pos) or tx("none"),
        pos=names(f.pos),
        nneg=len(f.neg) or tx("none"),
        neg=names(f.neg),
        diffs=diffs,
        ref=ref,
    )


def _cost(b, tx, credible: bool) -> str:
    parts = []
    cost_t, cost_v, _ = kostnader.programme_cost(b)
    if np.isfinite(cost_v):
        parts.append(tx("cost", cost=cost_t))
        b.summary_numbers.append(cost_t)
    ce = b.frame("cost_effectiveness")
    if ce is None:
        return " ".join(parts)
    h = kostnader.horizon(ce)
    be = kostnader.cost_row(ce, "budget", "break_even_employment_pp")
    if be is not None and not kostnader.hidden(be) and not fmt.is_missing(be["estimate"]):
        parts.append(tx("break_even", be=b.num(be["estimate"], 1), h=h))
    bud, soc = kostnader.cost_row(ce, "budget", "npv"), kostnader.cost_row(ce, "society", "npv")
    if credible and not kostnader.hidden(bud) and not kostnader.hidden(soc):
        v = kostnader.verdict(b.texts(kostnader.TEXT), bud)
        parts.append(
            tx(
                "npv_credible",
                h=h,
                bud=b.nok(bud["estimate"]),
                bud_ci=kostnader.interval(b, bud),
                soc=b.nok(soc["estimate"]),
                soc_ci=kostnader.interval(b, soc),
                verdict=v,
            )
        )
        b.summary_numbers += [b.nok(bud["estimate"]), b.nok(soc["estimate"])]
    else:
        parts.append(tx("npv_not", ref=b.ref("kostnader")))
    channels = kostnader.excluded_channels(ce, b.lang)
    parts.append(
        tx(
            "excluded",
            h=h,
            channels=tx("excluded_channels", channels="; ".join(channels)) if channels else "",
        )
    )
    return " ".join(parts)


def _shows(b, tx) -> list[str]:
    out = []
    ann = b.frame("participants_annual")
    years = b.full_years()
    if ann is not None and len(years) >= 2:
        a = ann[ann["status_group"] == "ALL"]
        t0, _ = b.cell(a, a["year"] == years[0], "n_avg_participants")
        t1, v1 = b.cell(a, a["year"] == years[-1], "n_avg_participants")
        share = ""
        for g in ("NEDSATT_ARBEIDSEVNE", "NEDSATT_ARBEIDSEVNE_ELLER_ANNET"):
            d = ann[(ann["year"] == years[-1]) & (ann["status_group"] == g)]
            _, vna = (
                b.cell(d, d.index == d.index[0], "n_avg_participants") if len(d) else ("", np.nan)
            )
            if np.isfinite(vna) and np.isfinite(v1) and v1 > 0:
                share = tx("s_share", y1=years[-1], share=b.pct(vna / v1))
        out.append(
            tx(
                "s_participants",
                n0=t0,
                y0=years[0],
                n1=t1,
                y1=years[-1],
                share=share,
                ref=b.ref("deltakere"),
            )
        )
        b.summary_numbers += [t0, t1]
    pd_ = b.frame("purpose_distribution")
    cov = b.cache.get("purpose_coverage", {})
    if pd_ is not None:
        tot = pd_[(pd_["purpose"] == "ALL") & (pd_["n_spells"].fillna(0) > 0)]
        if len(tot):
            y = int(tot["year"].max())
            d = pd_[(pd_["year"] == y) & (pd_["purpose"] != "ALL") & pd_["share"].notna()]
            d = d.sort_values("share", ascending=False).head(3)
            parts = [
                f"{lab(r.purpose, b.lang, 'purpose').lower() if b.lang == 'nb' else lab(r.purpose, b.lang, 'purpose')} ({b.pct(r.share)})"
                for r in d.itertuples()
            ]
            if parts:
                c = cov.get(y, np.nan)
                out.append(
                    tx(
                        "s_purposes",
                        year=y,
                        parts=_join(b, parts),
                        cov=b.pct(c) if np.isfinite(c) else fmt.MISSING,
                        ref=b.ref("formal"),
                    )
                )
    dp = b.frame("durations_purpose")
    if dp is not None:
        planned = b.cell(dp, dp["category"] == "ALL", "median_planned_days")[0]
        actual = b.cell(dp, dp["category"] == "ALL", "median_actual_days")[0]
        if planned not in fmt.SYMBOLS and actual not in fmt.SYMBOLS:
            out.append(tx("s_duration", planned=planned, actual=actual, ref=b.ref("varighet")))
    tr = b.frame("transitions")
    if tr is not None:
        m = (tr["purpose"] == "ALL") & (tr["months_after_exit"] == 12)
        emp = b.cell(tr, m & (tr["state"] == "EMPLOYED"), "share", "pct")[0]
        ws = b.cell(tr, m & (tr["state"] == "WAGE_SUBSIDY"), "share", "pct")[0]
        prog = b.cell(tr, m & (tr["state"] == "OTHER_PROGRAMME"), "share", "pct")[0]
        nav_t = fmt.MISSING
        nav = b.frame("nav_exit_status")
        if nav is not None:
            a = nav[(nav["exit_year"] == "ALL") & (nav["status_group"] == "ALL")]
            _, v1 = b.cell(a, a["status"] == "I_ARBEID", "share", "pct")
            _, v2 = b.cell(a, a["status"] == "ARBEID_OG_YTELSE", "share", "pct")
            if np.isfinite(v1) and np.isfinite(v2):
                nav_t = b.pct(v1 + v2)
        out.append(tx("s_after", emp=emp, ws=ws, prog=prog, nav=nav_t, ref=b.ref("overganger")))
        b.summary_numbers += [emp, ws]
    ch = b.frame("chaining_next_purpose")
    if ch is not None:
        a = ch[ch["category"] == "ALL"]
        _, none = b.cell(a, a["next_programme"] == "NONE_WITHIN_24_MONTHS", "share", "pct")
        ws = b.cell(a, a["next_programme"] == "WAGE_SUBSIDY", "share", "pct")[0]
        if np.isfinite(none):
            out.append(tx("s_chain", next=b.pct(1 - none), ws=ws, ref=b.ref("kjeding")))
    return out


def build(b) -> list[dict]:
    tx = b.texts(TEXT)
    blocks = []
    if b.synthetic:
        blocks.append(b.warning(tx("synthetic")))
    blocks.append(b.h2(tx("main_h")))
    works, credible = _works(b, tx)
    blocks.append({"kind": "finding", "lead": tx("works_q"), "text": works})
    whom = _whom(b, tx, credible)
    if whom:
        blocks.append({"kind": "finding", "lead": tx("whom_q"), "text": whom})
    cost = _cost(b, tx, credible)
    if cost:
        blocks.append({"kind": "finding", "lead": tx("cost_q"), "text": cost})
    blocks += [b.h2(tx("shows_h")), b.items(_shows(b, tx))]
    blocks += [
        b.h2(tx("read_h")),
        b.note(
            tx(
                "read",
                ref=b.ref("data"),
                cov=b.num(round(100 * min(c for c, _ in MEASURED_COVERAGE))),
                effref=b.ref("effekter"),
            )
        ),
    ]
    return blocks
