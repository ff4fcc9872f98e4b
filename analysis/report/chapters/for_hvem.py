"""Chapter: for whom does it work - subgroup effects with significance and a minimum group size,
differences between groups, and each purpose's effect on its own intended outcome."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import formatting as fmt
from analysis.design import MIN_SUBGROUP_TREATED, PURPOSE_MEASURED_BIAS_PP
from analysis.report import evidence as ev
from analysis.report import figures as figs
from analysis.report.labels import lab
from analysis.report.publish import PURPOSES_WITH_UNKNOWN
from analysis.report.text import Texts

TITLE = ("For hvem virker tiltaket?", "For whom does it work?")

DIMENSIONS = ["ALL", "status_group", "purpose", "gender", "age", "immigrant", "start_year"]
VALUE_ORDER = [
    "ARBEIDSSOKER",
    "NEDSATT_ARBEIDSEVNE",
    *PURPOSES_WITH_UNKNOWN,
    "female",
    "male",
    "under_30",
    "30_plus",
    "B",
    "other",
]
PAIRS = (
    ("status_group=ARBEIDSSOKER", "status_group=NEDSATT_ARBEIDSEVNE"),
    ("gender=female", "gender=male"),
    ("age=under_30", "age=30_plus"),
    ("immigrant=B", "immigrant=other"),
)

TEXT = Texts(
    {
        "intro": (
            "Effekten kan være ulik for ulike grupper. Vi viser anslag etter status hos NAV, "
            "formål, kjønn, alder, innvandringsbakgrunn og startår, med samme metode som "
            "hovedanslaget. Hver gruppe sammenlignes med personer fra samme gruppe som ennå ikke "
            "hadde startet. Grupper med færre enn {min} deltakere viser vi i grått, men vi "
            "tolker dem ikke. Når mange grupper testes, vil omtrent én av tjue se statistisk "
            "sikker ut ved en tilfeldighet; enkeltgrupper med en sikker effekt må derfor leses "
            "med forsiktighet.",
            "The effect may differ between groups. We show estimates by status at NAV, purpose, "
            "sex, age, immigrant background and year of start, with the same method as the "
            "headline. Each group is compared with persons from the same group who had not yet "
            "started. Groups with fewer than {min} participants are shown in grey, but we do not "
            "interpret them. When many groups are tested, about one in twenty will look "
            "statistically significant by chance; single groups with a significant effect must "
            "therefore be read with care.",
        ),
        "not_credible": (
            "Hovedanslaget er ikke troverdig i denne kjøringen (se {ref}). Da er heller ikke "
            "anslagene for undergruppene det, og forskjellene mellom gruppene kan skyldes at "
            "gruppene var på ulik vei før start. Tallene vises bare for åpenhet.",
            "The headline estimate is not credible in this run (see {ref}). Then neither are the "
            "subgroup estimates, and differences between groups may be due to the groups heading "
            "different ways before the start. The figures are shown for transparency only.",
        ),
        "purpose_warning": (
            "Formålet er bare kjent for forløp med digital avtale, og i de første årene var "
            "formålet ukjent for de fleste (se {ref}). {unknown} av deltakerne bak "
            "hovedanslaget har ukjent formål. Anslagene for de kjente formålene gjelder derfor "
            "i hovedsak dem som startet etter at avtalen ble tatt i bruk, og kan ikke "
            "sammenlignes direkte med anslaget for alle.",
            "The purpose is known only for spells with a digital agreement, and in the first "
            "years the purpose was unknown for most (see {ref}). {unknown} of the participants "
            "behind the headline have an unknown purpose. The estimates for the known purposes "
            "therefore mainly concern those who started after the agreement was introduced, and "
            "cannot be compared directly with the estimate for all.",
        ),
        "purpose_selection": (
            "Formålet velges i samarbeid med veilederen, og det er trolig at de som står nærmest "
            "arbeid oftere får «{faa}». Sammenligningsgruppen har ikke noe formål og kan ikke "
            "avgrenses på samme måte. Forskjeller mellom deltakerne med ulike formål som "
            "registrene ikke viser, kan derfor gjøre anslagene per formål for høye eller for "
            "lave. I simulerte registre med kjent fasit, der de som sto nærmest arbeid oftere "
            "fikk «{faa}», bommet anslaget etter 12–23 måneder med {faa_bias} prosentpoeng for "
            "«{faa}» og {utp_bias} prosentpoeng for «{utp}». Forskjellene mellom formålene bør "
            "derfor ikke leses som forskjeller i hvor godt tiltaket virker.",
            "The purpose is chosen together with the caseworker, and those closest to work are "
            "probably more often given “{faa}”. The comparison group has no purpose and cannot "
            "be restricted the same way. Differences between participants with different "
            "purposes that the registers do not show can therefore make the estimates by purpose "
            "too high or too low. In simulated registers with a known truth, where those closest "
            "to work were more often given “{faa}”, the estimate after 12–23 months missed by "
            "{faa_bias} percentage points for “{faa}” and {utp_bias} percentage points for "
            "“{utp}”. The differences between purposes should therefore not be read as "
            "differences in how well the programme works.",
        ),
        "fig_caption": (
            "Effekt på andelen i arbeid etter undergruppe: innlåsing (snitt av måned 0–5) og "
            "effekt 24 måneder etter start. Prosentpoeng med 95 % konfidensintervall.",
            "Effect on the share employed by subgroup: lock-in (mean of months 0–5) and effect "
            "24 months after the start. Percentage points with 95 % confidence interval.",
        ),
        "fig_note": (
            "Fylt firkant: statistisk sikker (intervallet inneholder ikke null). Åpen firkant: "
            "ikke statistisk sikker. Grå: færre enn {min} deltakere. Formål er formålet på "
            "personens første arbeidstrening.",
            "Filled square: statistically significant (the interval does not include zero). "
            "Hollow square: not significant. Grey: fewer than {min} participants. Purpose is the "
            "purpose of the person's first work training.",
        ),
        "tab_caption": (
            "Effekt på andelen i arbeid etter undergruppe. Prosentpoeng.",
            "Effect on the share employed by subgroup. Percentage points.",
        ),
        "tab_note": (
            "* Statistisk sikker (95 % konfidensintervall inneholder ikke null). "
            "† Gruppens eget anslag holder ikke designkontrollen og tolkes ikke. "
            "Grupper med færre enn {min} deltakere er merket «få» og tolkes ikke. "
            "«:» betyr skjult av personvernhensyn.",
            "* Statistically significant (the 95 % confidence interval does not include zero). "
            "† The group's own estimate fails the design checks and is not interpreted. "
            "Groups with fewer than {min} participants are marked “few” and not interpreted. "
            "“:” means hidden for confidentiality.",
        ),
        "reading": (
            "Lesing: Blant {n} grupper med minst {min} deltakere er effekten etter 24 måneder "
            "statistisk sikker positiv i {pos}, sikker negativ i {neg} og ikke sikker i {ns}. "
            "Om gruppene skiller seg fra hverandre, testes direkte i neste tabell.",
            "Reading: among {n} groups with at least {min} participants, the effect after 24 "
            "months is significantly positive in {pos}, significantly negative in {neg} and not "
            "significant in {ns}. Whether the groups differ from each other is tested directly "
            "in the next table.",
        ),
        "reading_not_credible": (
            "Lesing: Anslagene er ikke troverdige i denne kjøringen og leses ikke som effekter "
            "(se {ref}).",
            "Reading: the estimates are not credible in this run and are not read as effects "
            "(see {ref}).",
        ),
        "diff_h": (
            "Er forskjellene mellom gruppene sikre?",
            "Are the differences between groups significant?",
        ),
        "diff_intro": (
            "At effekten er sikker i én gruppe og ikke i en annen, betyr ikke at gruppene er "
            "forskjellige. Tabellen tester forskjellen direkte for par av grupper.",
            "That the effect is significant in one group and not in another does not mean the "
            "groups differ. The table tests the difference directly for pairs of groups.",
        ),
        "diff_caption": (
            "Forskjell i effekt etter 24 måneder mellom par av grupper. Prosentpoeng.",
            "Difference in the effect after 24 months between pairs of groups. Percentage points.",
        ),
        "diff_note": (
            "Forskjellen er første gruppe minus andre. p-verdien er fra en test av om "
            "forskjellen er null (gruppene er uavhengige utvalg).",
            "The difference is the first group minus the second. The p-value is from a test of "
            "whether the difference is zero (the groups are independent samples).",
        ),
        "diff_reading": (
            "Lesing: {k} av {n} forskjeller er statistisk sikre på 5 % nivå.",
            "Reading: {k} of {n} differences are statistically significant at the 5 % level.",
        ),
        "intended_h": (
            "Når hvert formål sitt eget mål?",
            "Does each purpose reach its own goal?",
        ),
        "intended_intro": (
            "Hvert formål har sitt eget tilsiktede resultat (se {ref}). Her er effekten for "
            "deltakere med et gitt formål anslått på det resultatet formålet sikter mot, for "
            "eksempel jobb eller lønnstilskudd hos samme arbeidsgiver for «Få jobb i bedriften».",
            "Each purpose has its own intended outcome (see {ref}). Here the effect for "
            "participants with a given purpose is estimated on the outcome the purpose aims at, "
            "for example a job or wage subsidy at the same employer for “Job at the firm”.",
        ),
        "intended_caption": (
            "Effekt av arbeidstrening på formålets eget tilsiktede resultat. Prosentpoeng.",
            "Effect of work training on the purpose's own intended outcome. Percentage points.",
        ),
        "intended_missing": (
            "Effekten av hvert formål på eget tilsiktet resultat",
            "The effect of each purpose on its own intended outcome",
        ),
        "few": ("få", "few"),
        "missing": ("Effekter etter undergruppe", "Effects by subgroup"),
    }
)


def subgroup_order(subgroups) -> list[str]:
    vo = {v: i for i, v in enumerate(VALUE_ORDER)}

    def key(g: str):
        d, _, v = g.partition("=")
        d = "ALL" if g == "ALL" else d
        return (DIMENSIONS.index(d) if d in DIMENSIONS else 99, vo.get(v, 99), g)

    return sorted(subgroups, key=key)


def subgroup_label(g: str, lang: str) -> str:
    if g == "ALL":
        return lab("ALL", lang, "subgroup")
    d, _, _ = g.partition("=")
    return f"{lab(d, lang, 'subgroup_dimension')}: {lab(g, lang, 'subgroup')}"


@dataclass
class Findings:
    """What the summary says about subgroups."""

    credible: bool
    n_groups: int = 0
    pos: list[str] = None  # labels of groups with a significant positive 24-month effect
    neg: list[str] = None
    differences: list[dict] = None  # pairs whose difference is significant (see _differences)
    n_pairs: int = 0


def findings(b) -> Findings | None:
    """Subgroup results for the summary (None when not estimated)."""
    sg = ev.subgroups(b, measures=("at_24",))
    if sg is None:
        return None
    gate = ev.gate(b)
    ok = sg[(sg["subgroup"] != "ALL") & ~sg["too_small"] & sg["symbol"].eq("") & sg["own_gate"]]
    pos = [
        subgroup_label(g, b.lang)
        for g in ok.loc[ok["significant"] & (ok["estimate"] > 0), "subgroup"]
    ]
    neg = [
        subgroup_label(g, b.lang)
        for g in ok.loc[ok["significant"] & (ok["estimate"] < 0), "subgroup"]
    ]
    diffs, n_pairs = _differences(b, sg)
    return Findings(
        credible=bool(gate.credible),
        n_groups=len(ok),
        pos=pos,
        neg=neg,
        differences=[d for d in diffs if np.isfinite(d["p"]) and d["p"] < 0.05],
        n_pairs=n_pairs,
    )


def _differences(b, sg: pd.DataFrame) -> tuple[list[dict], int]:
    """Tests of the 24-month difference for the pairs in :data:`PAIRS` where both groups are
    large enough and published: {a, b (labels), short_a, short_b, va, vb, d, p}."""
    out, n = [], 0
    at = sg[sg["measure"] == "at_24"].set_index("subgroup")
    for a, c in PAIRS:
        if a not in at.index or c not in at.index:
            continue
        ra, rc = at.loc[a], at.loc[c]
        if ra["too_small"] or rc["too_small"] or ra["symbol"] or rc["symbol"]:
            continue
        if not (ra["own_gate"] and rc["own_gate"]):
            continue
        ea = ev.Estimate(ra["estimate"], ra["ci_low"], ra["ci_high"], ra["std_error"])
        ec = ev.Estimate(rc["estimate"], rc["ci_low"], rc["ci_high"], rc["std_error"])
        d, p = ev.difference(ea, ec)
        n += 1
        out.append(
            {
                "a": subgroup_label(a, b.lang),
                "b": subgroup_label(c, b.lang),
                "short_a": lab(a, b.lang, "subgroup"),
                "short_b": lab(c, b.lang, "subgroup"),
                "va": ea.estimate,
                "vb": ec.estimate,
                "d": d,
                "p": p,
            }
        )
    return out, n


def _cell(b, r) -> tuple[str, str]:
    if r is None:
        return fmt.MISSING, ""
    if r["symbol"]:
        return r["symbol"], ""
    if not r["own_gate"]:  # the subgroup's own series fails its design checks
        return b.signed_pp(r["estimate"]) + " †", b.ci(r["ci_low"], r["ci_high"])
    star = "*" if r["significant"] and not r["too_small"] else ""
    return b.signed_pp(r["estimate"]) + star, b.ci(r["ci_low"], r["ci_high"])


def _purpose_selection(tx, b) -> str:
    """Why the estimates by purpose are not comparable effects (selection into a purpose that
    the comparison group cannot mirror), with the bias measured in simulated registers."""
    bias = PURPOSE_MEASURED_BIAS_PP
    return tx(
        "purpose_selection",
        faa=lab("FAA_JOBB_I_BEDRIFTEN", b.lang, "purpose"),
        utp=lab("UTPROVING", b.lang, "purpose"),
        faa_bias=fmt.format_signed(bias["FAA_JOBB_I_BEDRIFTEN"], 1, b.lang),
        utp_bias=fmt.format_signed(bias["UTPROVING"], 1, b.lang),
    )


def build(b) -> list[dict]:
    tx = b.texts(TEXT)
    gate = ev.gate(b)
    blocks = [b.p(tx("intro", min=MIN_SUBGROUP_TREATED))]
    sg = ev.subgroups(b)
    if sg is None or sg["subgroup"].nunique() < 2:
        blocks.append(b.not_estimated(tx("missing"), "marts.effects_summary"))
        return blocks
    if not gate.credible:
        blocks.append(b.warning(tx("not_credible", ref=b.ref("effekter"))))
    n_all = sg.loc[(sg["subgroup"] == "ALL") & (sg["measure"] == "lock_in_0_5"), "n_treated"]
    n_unk = sg.loc[
        (sg["subgroup"] == "purpose=UKJENT") & (sg["measure"] == "lock_in_0_5"), "n_treated"
    ]
    if len(n_all) and len(n_unk) and np.isfinite(n_all.iloc[0]) and np.isfinite(n_unk.iloc[0]):
        blocks.append(
            b.p(
                tx(
                    "purpose_warning",
                    ref=b.ref("formal"),
                    unknown=b.pct(n_unk.iloc[0] / n_all.iloc[0]),
                )
            )
        )
    blocks.append(b.p(_purpose_selection(tx, b)))
    subgroups = subgroup_order(sg["subgroup"].unique())
    labels = [subgroup_label(g, b.lang) for g in subgroups]
    panels = []
    for m, name in (
        ("lock_in_0_5", b.t("Innlåsing, måned 0–5", "Lock-in, months 0–5")),
        ("at_24", b.t("24 måneder etter start", "24 months after start")),
    ):
        d = sg[sg["measure"] == m].copy()
        if d.empty:
            continue
        d["significant"] &= d["own_gate"]  # a series failing its own checks is not a finding
        d["label"] = d["subgroup"].map(lambda g: subgroup_label(g, b.lang))
        panels.append((name, d))
    chart = figs.forest(
        panels,
        labels,
        b.lang,
        b.t("Prosentpoeng", "Percentage points"),
        legend=(
            b.t("Statistisk sikker", "Significant"),
            b.t("Ikke statistisk sikker", "Not significant"),
            b.t(
                f"Færre enn {MIN_SUBGROUP_TREATED} deltakere",
                f"Fewer than {MIN_SUBGROUP_TREATED} participants",
            ),
        ),
    )
    blocks.append(b.figure(chart, tx("fig_caption"), tx("fig_note", min=MIN_SUBGROUP_TREATED)))
    rows = []
    for g in subgroups:
        d = sg[sg["subgroup"] == g].set_index("measure")
        li = d.loc["lock_in_0_5"] if "lock_in_0_5" in d.index else None
        a24 = d.loc["at_24"] if "at_24" in d.index else None
        r0 = li if li is not None else a24
        n_txt = r0["n_symbol"] or b.num(r0["n_treated"])
        if r0["too_small"] and not r0["n_symbol"]:
            n_txt += f" ({tx('few')})"
        rows.append([subgroup_label(g, b.lang), n_txt, *_cell(b, li), *_cell(b, a24)])
    if gate.credible:
        reading = _reading(b, tx, sg)
    else:
        reading = tx("reading_not_credible", ref=b.ref("effekter"))
    blocks.append(
        b.table(
            tx("tab_caption"),
            [
                b.t("Undergruppe", "Subgroup"),
                b.t("Deltakere", "Participants"),
                b.t("Innlåsing", "Lock-in"),
                b.t("95 % KI", "95 % CI"),
                b.t("24 mnd.", "24 months"),
                b.t("95 % KI", "95 % CI"),
            ],
            rows,
            note=tx("tab_note", min=MIN_SUBGROUP_TREATED),
            reading=reading,
            widths=[2.6, 1.0, 0.9, 1.5, 0.9, 1.5],
            bold_first_row=True,
        )
    )
    blocks += _difference_section(b, tx, sg)
    blocks += _intended_section(b, tx, gate)
    return blocks


def _reading(b, tx, sg: pd.DataFrame) -> str:
    d = sg[
        (sg["measure"] == "at_24")
        & (sg["subgroup"] != "ALL")
        & ~sg["too_small"]
        & sg["symbol"].eq("")
        & sg["own_gate"]
    ]
    if d.empty:
        return ""
    pos = int((d["significant"] & (d["estimate"] > 0)).sum())
    neg = int((d["significant"] & (d["estimate"] < 0)).sum())
    return tx(
        "reading", n=len(d), min=MIN_SUBGROUP_TREATED, pos=pos, neg=neg, ns=len(d) - pos - neg
    )


def _difference_section(b, tx, sg: pd.DataFrame) -> list[dict]:
    diffs, n = _differences(b, sg)
    if not diffs:
        return []
    rows = [
        [
            f"{x['a']} − {x['b']}",
            b.signed_pp(x["d"]),
            fmt.MISSING
            if not np.isfinite(x["p"])
            else (b.t("under 0,001", "below 0.001") if x["p"] < 0.001 else b.num(x["p"], 3)),
            b.t("Ja", "Yes") if np.isfinite(x["p"]) and x["p"] < 0.05 else b.t("Nei", "No"),
        ]
        for x in diffs
    ]
    k = sum(1 for x in diffs if np.isfinite(x["p"]) and x["p"] < 0.05)
    return [
        b.h2(tx("diff_h")),
        b.p(tx("diff_intro")),
        b.table(
            tx("diff_caption"),
            [
                b.t("Grupper", "Groups"),
                b.t("Forskjell", "Difference"),
                b.t("p-verdi", "p-value"),
                b.t("Statistisk sikker", "Significant"),
            ],
            rows,
            note=tx("diff_note"),
            reading=tx("diff_reading", k=k, n=n),
            widths=[4.0, 1.0, 1.0, 1.2],
        ),
    ]


def _intended_section(b, tx, gate) -> list[dict]:
    out = [b.h2(tx("intended_h"))]
    ie = ev.intended_effects(b)
    if ie is None:
        out.append(b.not_estimated(tx("intended_missing"), f"marts.{ev.INTENDED_TABLE}"))
        return out
    out.append(b.p(tx("intended_intro", ref=b.ref("innledning"))))
    if not gate.credible:
        out.append(b.warning(tx("not_credible", ref=b.ref("effekter"))))
    rows = []
    for purpose in PURPOSES_WITH_UNKNOWN:
        part = ie[ie["purpose"] == purpose]
        if part.empty:
            continue
        cells = []
        n_txt = fmt.MISSING
        for m in ("at_12", "at_24"):
            r = part[part["measure"] == m]
            if r.empty:
                cells += [fmt.MISSING, ""]
                continue
            e, own = r.iloc[0]["e"], r.iloc[0]["credible"]
            # a significance star only where this purpose's own series passes its design gate
            star = "*" if e.significant and gate.credible and ev.not_rejected(own) else ""
            cells += [
                e.symbol or b.signed_pp(e.estimate) + star,
                "" if e.symbol else b.ci(e.ci_low, e.ci_high),
            ]
            n_txt = e.n_symbol or b.num(e.n_treated)
        rows.append(
            [
                lab(purpose, b.lang, "purpose"),
                lab(part.iloc[0]["outcome"], b.lang, "outcome"),
                n_txt,
                *cells,
            ]
        )
    out.append(
        b.table(
            tx("intended_caption"),
            [
                b.t("Formål", "Purpose"),
                b.t("Tilsiktet resultat", "Intended outcome"),
                b.t("Deltakere", "Participants"),
                b.t("12 mnd.", "12 months"),
                b.t("95 % KI", "95 % CI"),
                b.t("24 mnd.", "24 months"),
                b.t("95 % KI", "95 % CI"),
            ],
            rows,
            align="llrrrrr",
            note=tx("tab_note", min=MIN_SUBGROUP_TREATED),
            widths=[1.8, 2.2, 0.9, 0.8, 1.4, 0.8, 1.4],
        )
    )
    return out
