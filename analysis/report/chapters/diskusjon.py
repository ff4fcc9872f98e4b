"""Chapter: discussion - the findings against part 1's chains of intended effects and earlier
research, what they mean for the directorate, and the limits of the analysis."""

from __future__ import annotations

import numpy as np

from analysis import contract
from analysis import formatting as fmt
from analysis.design import INTENDED_OUTCOME_BY_PURPOSE, MIN_SUBGROUP_TREATED
from analysis.report import evidence as ev
from analysis.report.chapters.kostnader import programme_cost
from analysis.report.labels import lab
from analysis.report.text import Texts

TITLE = ("Diskusjon", "Discussion")

# the purposes with a stated chain of effects (every purpose but ANNET)
PURPOSES = tuple(p for p in contract.PURPOSES if p != "ANNET")

TEXT = Texts(
    {
        "chains_h": (
            "Resultatene mot virkningskjedene",
            "The results against the chains of effects",
        ),
        "chains": (
            "Virkningskjedene fra del 1 sier hva hvert formål skal føre til (Tabell 1-1). Tabell "
            "{n}-1 setter det ønskede utfallet ved siden av hvor mange som nådde det, og – der "
            "effekten er anslått og designet holder – hvor mye av det tiltaket selv førte til. "
            "Andelen som når målet, er et nødvendig, men ikke tilstrekkelig tegn på at kjeden "
            "virker: Mange ville nådd målet også uten tiltaket.",
            "The chains of effects from part 1 say what each purpose should lead to (Table 1-1). "
            "Table {n}-1 puts the intended outcome beside how many reached it and – where the "
            "effect is estimated and the design holds – how much of it the programme itself "
            "caused. The share reaching the goal is a necessary but not sufficient sign that the "
            "chain works: many would have reached the goal without the programme too.",
        ),
        "chains_caption": (
            "Formålenes ønskede utfall, andel som nådde det og effekten av tiltaket på det.",
            "The purposes' intended outcomes, the share reaching them and the programme's effect "
            "on them.",
        ),
        "chains_note": (
            "Nådd: andel av avsluttede forløp med formålet som hadde nådd utfallet 12 måneder "
            "etter avslutning ({ref_a}). Effekt: anslått effekt 12 måneder etter start på "
            "formålets eget utfall ({ref_b}).",
            "Reached: share of ended spells with the purpose that had reached the outcome 12 "
            "months after exit ({ref_a}). Effect: estimated effect 12 months after the start on "
            "the purpose's own outcome ({ref_b}).",
        ),
        "v_support": ("Støtter kjeden", "Supports the chain"),
        "v_against": ("Går mot kjeden", "Goes against the chain"),
        "v_none": ("Ingen effekt påvist", "No effect shown"),
        "v_open": ("Kan ikke vurderes ennå", "Cannot be judged yet"),
        "v_small": ("For få deltakere", "Too few participants"),
        "same_employer": (
            "For «Få jobb i bedriften» er kjeden tydeligst i registrene: 12 måneder etter "
            "avslutning var {same} i arbeid eller på lønnstilskudd hos arbeidsgiveren fra "
            "arbeidstreningen, mens {any} var i arbeid hos en hvilken som helst arbeidsgiver. "
            "Mandal mfl. (2019) fant at to av tre virksomheter med deltakere i arbeidstrening "
            "ansatte noen etterpå; tallene her gjelder deltakerne, ikke virksomhetene, og er "
            "derfor ikke direkte sammenlignbare.",
            "For “Job at the firm” the chain is clearest in the registers: 12 months after exit "
            "{same} were employed or on a wage subsidy at the work-training employer, while "
            "{any} were employed at any employer. Mandal et al. (2019) found that two of three "
            "firms with work-training participants hired someone afterwards; the figures here "
            "concern the participants, not the firms, and are therefore not directly comparable.",
        ),
        "wage_subsidy": (
            "Del 1 beskrev kjeden arbeidstrening → lønnstilskudd → jobb hos samme arbeidsgiver. "
            "I registrene gikk {ws} av forløpene videre til lønnstilskudd innen 24 måneder, og "
            "{other} til et annet tiltak. Høsten 2022 stanset mange NAV-kontorer nye "
            "lønnstilskudd; {ref} viser hvordan varighet og overgang til lønnstilskudd endret seg "
            "da.",
            "Part 1 described the chain work training → wage subsidy → job at the same employer. "
            "In the registers {ws} of the spells moved on to a wage subsidy within 24 months, "
            "and {other} to another programme. In autumn 2022 many NAV offices stopped new wage "
            "subsidies; {ref} shows how duration and the move to wage subsidies changed then.",
        ),
        "research_h": (
            "Resultatene mot tidligere forskning",
            "The results against earlier research",
        ),
        "research": (
            "Arbeidstrening har ikke vært effektevaluert før, men forgjengeren Arbeidspraksis er "
            "godt studert. Tabell {n}-2 setter hovedfunnene derfra ved siden av det tilsvarende "
            "målet i denne rapporten. Sammenligningen er grov: Studiene gjelder andre perioder, "
            "andre grupper og et tiltak med lengre varighet og mindre oppfølging.",
            "Arbeidstrening has not been evaluated for effects before, but its predecessor, work "
            "practice, has been studied well. Table {n}-2 puts the main findings from there "
            "beside the corresponding measure in this report. The comparison is rough: the "
            "studies concern other periods, other groups and a programme with longer duration and "
            "less follow-up.",
        ),
        "research_caption": (
            "Funn i tidligere studier og det tilsvarende resultatet i denne rapporten.",
            "Findings of earlier studies and the corresponding result in this report.",
        ),
        "research_source": (
            "Kilde: Studiene i første kolonne (se referanselisten). Siste kolonne: {source}",
            "Source: The studies in the first column (see the references). Last column: {source}",
        ),
        "r_zhang": (
            "Arbeidspraksis gir moderate (om noen) positive effekter på overgang til arbeid og "
            "tydelig innlåsing; innvandrere har mest nytte.",
            "Work practice has moderate (if any) positive effects on the transition to work and "
            "clear lock-in; immigrants benefit most.",
        ),
        "r_simson": (
            "Innlåsing for ungdom uten fullført videregående; ingen sikker effekt etter tiltaket.",
            "Lock-in for youth without upper secondary education; no significant effect after the "
            "programme.",
        ),
        "r_hardoy": (
            "Ingen innlåsing for flyktninger; noe positiv effekt på jobb etter tiltaket.",
            "No lock-in for refugees; some positive job effect after the programme.",
        ),
        "r_nossen": (
            "Av personer med nedsatt arbeidsevne som startet i tiltak i 2014, var 1 av 4 i jobb "
            "uten NAV etter fem år, nesten 4 av 10 uføretrygdet, og over 4 av 10 hadde flere "
            "tiltak etter hverandre.",
            "Of persons with reduced work capacity starting a programme in 2014, 1 in 4 were in "
            "work without NAV after five years, nearly 4 in 10 on disability benefit, and over 4 "
            "in 10 had several programmes in a row.",
        ),
        "r_mandal": (
            "To av tre virksomheter med deltakere i arbeidstrening ansatte noen etterpå.",
            "Two of three firms with work-training participants hired someone afterwards.",
        ),
        "o_lockin": ("Innlåsing (måned 0–5): {v}", "Lock-in (months 0–5): {v}"),
        "o_effect": ("Effekt etter 24 måneder: {v}", "Effect after 24 months: {v}"),
        "o_young": ("Under 30 år, 24 måneder: {v}", "Under 30, 24 months: {v}"),
        "o_immigrant": ("Innvandrere, 24 måneder: {v}", "Immigrants, 24 months: {v}"),
        "o_nossen": (
            "Nedsatt arbeidsevne, 24 måneder etter avslutning: {emp} i arbeid, {ufo} uføretrygd. "
            "Alle: {chain} fikk nytt tiltak innen 24 måneder.",
            "Reduced work capacity, 24 months after exit: {emp} employed, {ufo} disability "
            "benefit. All: {chain} had a new programme within 24 months.",
        ),
        "o_mandal": (
            "Få jobb i bedriften: {v} hos samme arbeidsgiver 12 måneder etter.",
            "Job at the firm: {v} at the same employer 12 months after.",
        ),
        "not_credible_value": ("ikke troverdig", "not credible"),
        "research_reading": (
            "Rapportens effektanslag kan bare sammenlignes med studiene når designet holder. "
            "{verdict}",
            "The report's effect estimates can be compared with the studies only when the design "
            "holds. {verdict}",
        ),
        "research_ok": (
            "Her holder designet, og innlåsingen og effekten etter tiltaket kan leses mot "
            "funnene for Arbeidspraksis.",
            "Here the design holds, and the lock-in and the effect after the programme can be read "
            "against the findings for work practice.",
        ),
        "research_not": (
            "I denne kjøringen holder det ikke, så bare de beskrivende tallene (Nossen, Mandal) "
            "kan sammenlignes.",
            "In this run it does not, so only the descriptive figures (Nossen, Mandal) can be "
            "compared.",
        ),
        "impl_h": ("Hva betyr dette for direktoratet?", "What does this mean for the directorate?"),
        "impl_credible": (
            "**Effekten er anslått med et design som holder.** Resultatene i {a} og {b} kan "
            "brukes som kunnskapsgrunnlag for bruken av tiltaket, med usikkerheten intervallene "
            "viser.",
            "**The effect is estimated with a design that holds.** The results of {a} and {b} can "
            "be used as evidence on the use of the programme, with the uncertainty the intervals "
            "show.",
        ),
        "impl_not": (
            "**Effekten kan ikke fastslås med dette datagrunnlaget.** Deltakerne og "
            "sammenligningsgruppen utviklet seg ulikt før start. Før effekter eller nåverdier fra "
            "denne analysen brukes i styringen, må designet holde (se {a}).",
            "**The effect cannot be established with these data.** Participants and the "
            "comparison group developed differently before the start. Before effects or present "
            "values from this analysis are used in decisions, the design must hold (see {a}).",
        ),
        "impl_purpose": (
            "**Registrering av formål.** Formålet er kjent for {share} av forløpene i det siste "
            "hele året, og for langt færre tidligere. Virkningskjedene kan bare følges opp for "
            "forløp med registrert formål.",
            "**Registration of purpose.** The purpose is known for {share} of the spells in the "
            "last full year, and for far fewer before. The chains of effects can be followed up "
            "only for spells with a registered purpose.",
        ),
        "impl_nav": (
            "**NAVs statistikk og denne rapporten.** «Status etter tiltak» måler hvor deltakerne "
            "er, ikke hva tiltaket førte til. Tallene i {a} viser hvordan den henger sammen med "
            "rapportens mål, slik at de ikke blandes.",
            "**NAV's statistic and this report.** “Status after programme” measures where "
            "participants are, not what the programme caused. The figures in {a} show how it "
            "relates to the report's measures, so that they are not mixed up.",
        ),
        "impl_cost": (
            "**Kostnaden.** Tiltaket koster det offentlige om lag {cost} kr per deltaker, mest "
            "NAVs oppfølging. Om det lønner seg, avhenger av effekten etter tiltaket (se {a}).",
            "**The cost.** The programme costs the public budget about NOK {cost} per "
            "participant, mostly NAV's follow-up. Whether it pays off depends on the effect after "
            "the programme (see {a}).",
        ),
        "limits_h": ("Begrensninger", "Limitations"),
        "limits": (
            "Effektanslagene bygger på at sammenligningsgruppen viser hvordan det ville gått uten "
            "tiltaket. Registrene mangler opplysninger om helse, motivasjon og veilederens "
            "vurdering, som påvirker både hvem som får tiltaket og hvordan det går. Formålet er "
            "ukjent for mange forløp. Utfall etter slutten av observasjonsperioden er ikke sett, "
            "så effekter på lang sikt er usikre. Kostnadene bygger på satser, ikke regnskap.",
            "The effect estimates rest on the comparison group showing what would have happened "
            "without the programme. The registers lack information on health, motivation and "
            "the caseworker's assessment, which affect both who gets the programme and how it "
            "goes. The purpose is unknown for many spells. Outcomes after the end of the "
            "observation period are not seen, so long-term effects are uncertain. The costs rest "
            "on rates, not accounts.",
        ),
    }
)


def _share(b, frame, mask) -> tuple[str, float]:
    if frame is None:
        return fmt.MISSING, np.nan
    return b.cell(frame, mask, "share", "pct")


def _verdict(tx, e, credible: bool) -> str:
    if e is None or not credible or not e.shown:
        return tx("v_open")
    if np.isfinite(e.n_treated) and e.n_treated < MIN_SUBGROUP_TREATED:
        return tx("v_small")
    if e.significant:
        return tx("v_support") if e.estimate > 0 else tx("v_against")
    return tx("v_none")


def _estimate_text(b, tx, e, credible: bool) -> str:
    if e is None:
        return fmt.MISSING
    if not credible:
        return tx("not_credible_value")
    if not e.shown:
        return e.symbol or fmt.MISSING
    return f"{b.pp(e.estimate)} ({b.ci(e.ci_low, e.ci_high)})"


def build(b) -> list[dict]:
    tx = b.texts(TEXT)
    from analysis.report import outline

    n = outline.number("diskusjon")
    gate = ev.gate(b)
    credible = bool(gate.credible)
    blocks = [b.h2(tx("chains_h")), b.p(tx("chains", n=n))]
    io = b.frame("intended_outcomes")
    ie = ev.intended_effects(b)
    rows = []
    for p in PURPOSES:
        reached = fmt.MISSING
        if io is not None:
            d = io[(io["purpose"] == p) & (io["reached"] == "YES")]
            reached = _share(b, d, d["months_after_exit"] == 12)[0]
        e, own = None, None
        if ie is not None:
            part = ie[(ie["purpose"] == p) & (ie["measure"] == "at_12")]
            if len(part):
                e, own = part.iloc[0]["e"], part.iloc[0]["credible"]
        row_credible = credible and ev.not_rejected(own)  # the purpose's own design gate too
        rows.append(
            [
                lab(p, b.lang, "purpose"),
                lab(INTENDED_OUTCOME_BY_PURPOSE[p], b.lang, "outcome"),
                reached,
                _estimate_text(b, tx, e, row_credible)
                if ie is not None
                else b.t("ikke estimert", "not estimated"),
                _verdict(tx, e, row_credible),
            ]
        )
    blocks.append(
        b.table(
            tx("chains_caption"),
            [
                b.t("Formål", "Purpose"),
                b.t("Ønsket utfall", "Intended outcome"),
                b.t("Nådd", "Reached"),
                b.t("Effekt (95 % KI)", "Effect (95 % CI)"),
                b.t("Vurdering", "Assessment"),
            ],
            rows,
            align="llrll",
            widths=[1.6, 2.2, 0.7, 1.9, 1.4],
            note=tx("chains_note", ref_a=b.ref("maloppnaelse"), ref_b=b.ref("for_hvem")),
        )
    )
    se = b.frame("same_employer")
    if se is not None:
        d = se[
            (se["purpose"] == "FAA_JOBB_I_BEDRIFTEN")
            & (se["months_after_exit"] == 12)
            & (se["outcome"] == "YES")
        ]
        same = _share(b, d, d["measure"] == "employed_or_wage_subsidy_same_employer")[0]
        anyw = _share(b, d, d["measure"] == "employed_any_employer")[0]
        blocks.append(b.p(tx("same_employer", same=same, any=anyw)))
    ch = b.frame("chaining_next_purpose")
    if ch is not None:
        a = ch[ch["category"] == "ALL"]
        blocks.append(
            b.p(
                tx(
                    "wage_subsidy",
                    ws=_share(b, a, a["next_programme"] == "WAGE_SUBSIDY")[0],
                    other=_share(b, a, a["next_programme"] == "OTHER_PROGRAMME")[0],
                    ref=b.ref("kjeding"),
                )
            )
        )
    blocks += _research(b, tx, n, credible)
    blocks += _implications(b, tx, credible)
    blocks += [b.h2(tx("limits_h")), b.p(tx("limits"))]
    return blocks


def _research(b, tx, n: str, credible: bool) -> list[dict]:
    h = ev.headline(b)
    sg = ev.subgroups(b, measures=("at_24",))

    def sub(g: str) -> str:
        if sg is None:
            return fmt.MISSING
        d = sg[sg["subgroup"] == g]
        if d.empty:
            return fmt.MISSING
        r = d.iloc[0]
        e = ev.Estimate(
            r["estimate"], r["ci_low"], r["ci_high"], symbol=r["symbol"], n_treated=r["n_treated"]
        )
        return _estimate_text(b, tx, e, credible)

    tb = b.frame("transitions_by_status_group")
    emp = ufo = fmt.MISSING
    if tb is not None:
        d = tb[(tb["status_group"] == "NEDSATT_ARBEIDSEVNE") & (tb["months_after_exit"] == 24)]
        emp = _share(b, d, d["state"] == "EMPLOYED")[0]
        ufo = _share(b, d, d["state"] == "UFORETRYGD")[0]
    chain = fmt.MISSING
    ch = b.frame("chaining_next_purpose")
    if ch is not None:
        a = ch[ch["category"] == "ALL"]
        _, v = _share(b, a, a["next_programme"] == "NONE_WITHIN_24_MONTHS")
        chain = b.pct(1 - v) if np.isfinite(v) else fmt.SUPPRESSED
    same = fmt.MISSING
    se = b.frame("same_employer")
    if se is not None:
        d = se[
            (se["purpose"] == "FAA_JOBB_I_BEDRIFTEN")
            & (se["months_after_exit"] == 12)
            & (se["outcome"] == "YES")
        ]
        same = _share(b, d, d["measure"] == "employed_or_wage_subsidy_same_employer")[0]
    li, a24 = h.get("lock_in_0_5"), h.get("at_24")
    rows = [
        [
            "Zhang (2016)",
            b.t("Ordinære arbeidssøkere, 2003–2012", "Ordinary job seekers, 2003–2012"),
            tx("r_zhang"),
            tx("o_lockin", v=_estimate_text(b, tx, li, credible))
            + "; "
            + tx("o_effect", v=_estimate_text(b, tx, a24, credible))
            + "; "
            + tx("o_immigrant", v=sub("immigrant=B")),
        ],
        [
            "von Simson (2012)",
            b.t("Ungdom uten fullført videregående", "Youth without upper secondary"),
            tx("r_simson"),
            tx("o_young", v=sub("age=under_30")),
        ],
        [
            "Hardoy og Zhang (2019)" if b.lang == "nb" else "Hardoy and Zhang (2019)",
            b.t("Flyktninger, 1992–2015", "Refugees, 1992–2015"),
            tx("r_hardoy"),
            tx("o_immigrant", v=sub("immigrant=B")),
        ],
        [
            "Nossen mfl. (2021); Nossen (2023)"
            if b.lang == "nb"
            else "Nossen et al. (2021); Nossen (2023)",
            b.t(
                "Nedsatt arbeidsevne, tiltak startet 2014",
                "Reduced work capacity, programme started 2014",
            ),
            tx("r_nossen"),
            tx("o_nossen", emp=emp, ufo=ufo, chain=chain),
        ],
        [
            "Mandal mfl. (2019)" if b.lang == "nb" else "Mandal et al. (2019)",
            b.t("Virksomheter, spørreundersøkelse", "Firms, survey"),
            tx("r_mandal"),
            tx("o_mandal", v=same),
        ],
    ]
    return [
        b.h2(tx("research_h")),
        b.p(tx("research", n=n)),
        b.table(
            tx("research_caption"),
            [
                b.t("Studie", "Study"),
                b.t("Gruppe og periode", "Group and period"),
                b.t("Funn", "Finding"),
                b.t("Denne rapporten", "This report"),
            ],
            rows,
            align="llll",
            widths=[1.3, 1.5, 2.5, 2.5],
            source=tx("research_source", source=b.source),
        ),
        b.p(tx("research_reading", verdict=tx("research_ok" if credible else "research_not"))),
    ]


def _implications(b, tx, credible: bool) -> list[dict]:
    items = [
        tx("impl_credible", a=b.ref("effekter"), b=b.ref("for_hvem"))
        if credible
        else tx("impl_not", a=b.ref("effekter"))
    ]
    shares = b.cache.get("purpose_coverage", {})
    full = [y for y in b.full_years() if np.isfinite(shares.get(y, np.nan))]
    if full:
        items.append(tx("impl_purpose", share=b.pct(shares[full[-1]])))
    items.append(tx("impl_nav", a=b.ref("overganger")))
    cost_t, cost_v, _ = programme_cost(b)
    if np.isfinite(cost_v):
        items.append(tx("impl_cost", cost=cost_t, a=b.ref("kostnader")))
    return [b.h2(tx("impl_h")), b.items(items)]
