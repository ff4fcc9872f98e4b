"""Display labels for codes the report shows that :data:`analysis.formatting.LABELS` does not know.

Everything a reader sees goes through :func:`lab`: it tries the report's own label lists first,
then :func:`analysis.formatting.label`, so raw codes never reach a table or a figure unless a
code is genuinely unknown (and then the code itself is shown, as formatting does).
"""

from __future__ import annotations

from analysis import formatting as fmt

EXTRA: dict[str, dict[str, dict[str, str]]] = {
    "programme": {  # Arena programme codes (chains)
        "ARBTREN": {"nb": "Arbeidstrening", "en": "Work training"},
        "MIDLONTIL": {"nb": "Midl. lønnstilskudd", "en": "Temp. wage subsidy"},
        "VARLONTIL": {"nb": "Varig lønnstilskudd", "en": "Perm. wage subsidy"},
        "GRUPPEAMO": {"nb": "AMO-kurs (gruppe)", "en": "Training course (group)"},
        "ENKELAMO": {"nb": "AMO-kurs (enkeltplass)", "en": "Training course (single)"},
        "GRUFAGYRKE": {"nb": "Fag- og yrkesoppl. (gruppe)", "en": "Vocational training (group)"},
        "ENKFAGYRKE": {"nb": "Fag- og yrkesoppl. (enkelt)", "en": "Vocational training (single)"},
        "HOYEREUTD": {"nb": "Høyere utdanning", "en": "Higher education"},
        "ARBFORB": {"nb": "Arbeidsforberedende trening", "en": "Pre-employment training"},
        "INDOPPFAG": {"nb": "Oppfølging", "en": "Follow-up"},
        "AVKLARAG": {"nb": "Avklaring", "en": "Assessment"},
        "UTVAOONAV": {"nb": "Utvidet oppfølging", "en": "Extended follow-up"},
        "JOBBK": {"nb": "Jobbklubb", "en": "Job club"},
        "DIGIOPPARB": {"nb": "Digital jobbklubb", "en": "Digital job club"},
        "IPSUNG": {"nb": "IPS ung", "en": "IPS youth"},
        "VASV": {"nb": "Varig tilrettelagt arbeid (skjermet)", "en": "Sheltered work"},
        "VATIAROR": {"nb": "Varig tilrettelagt arbeid (ordinær)", "en": "Adapted work (ordinary)"},
        "PRAKSORD": {"nb": "Arbeidspraksis", "en": "Work practice"},
        "...": {"nb": "…", "en": "…"},
    },
    "next_programme": {
        "WAGE_SUBSIDY": {"nb": "Lønnstilskudd", "en": "Wage subsidy"},
        "ARBEIDSTRENING": {"nb": "Ny arbeidstrening", "en": "New work training"},
        "OTHER_PROGRAMME": {"nb": "Annet tiltak", "en": "Other programme"},
        "NONE_WITHIN_24_MONTHS": {
            "nb": "Ingen nye tiltak innen 24 mnd.",
            "en": "No programme within 24 months",
        },
        "CENSORED": {"nb": "Ikke observert lenge nok", "en": "Not observed long enough"},
        "ALL": {"nb": "Alle", "en": "All"},
    },
    "outcome": {
        "employed": {"nb": "I arbeid", "en": "Employed"},
        "earnings_nok": {"nb": "Arbeidsinntekt (kr)", "en": "Earnings (NOK)"},
        "not_any_benefit": {"nb": "Uten ytelse", "en": "No benefit"},
        "any_benefit": {"nb": "Minst én ytelse", "en": "Any benefit"},
        "aap": {"nb": "Arbeidsavklaringspenger", "en": "Work assessment allowance"},
        "dagpenger": {"nb": "Dagpenger", "en": "Unemployment benefit"},
        "tiltakspenger": {"nb": "Tiltakspenger", "en": "Programme allowance"},
        "uforetrygd": {"nb": "Uføretrygd", "en": "Disability benefit"},
        "sosialhjelp": {"nb": "Sosialhjelp", "en": "Social assistance"},
        "kvp": {"nb": "Kvalifiseringsstønad", "en": "Qualification benefit"},
        "employed_or_wage_subsidy_same_employer": {
            "nb": "Jobb eller lønnstilskudd hos samme arbeidsgiver",
            "en": "Job or wage subsidy at the same employer",
        },
        "programme_aap_or_employed": {
            "nb": "Nytt tiltak, AAP eller arbeid",
            "en": "New programme, AAP or work",
        },
        "apprenticeship_or_education": {
            "nb": "Læreplass eller utdanning",
            "en": "Apprenticeship or education",
        },
        "employed_education_or_programme": {
            "nb": "Arbeid, utdanning eller nytt tiltak",
            "en": "Work, education or further programme",
        },
    },
    "intended_outcome": {
        "EMPLOYED": {"nb": "I arbeid", "en": "Employed"},
        "EMPLOYED_OR_WAGE_SUBSIDY_SAME_EMPLOYER": {
            "nb": "Jobb eller lønnstilskudd hos samme arbeidsgiver",
            "en": "Job or wage subsidy at the same employer",
        },
        "PROGRAMME_AAP_OR_EMPLOYED": {
            "nb": "Nytt tiltak, AAP eller arbeid",
            "en": "New programme, AAP or work",
        },
        "APPRENTICESHIP_OR_EDUCATION": {
            "nb": "Læreplass eller utdanning",
            "en": "Apprenticeship or education",
        },
        "EMPLOYED_EDUCATION_OR_PROGRAMME": {
            "nb": "Arbeid, utdanning eller nytt tiltak",
            "en": "Work, education or further programme",
        },
    },
    "profile_group": {
        "participants": {"nb": "Deltakere", "en": "Participants"},
        "registered_non_participants": {
            "nb": "Registrerte ikke-deltakere",
            "en": "Registered non-participants",
        },
    },
    "profile_dimension": {
        "gender": {"nb": "Kjønn", "en": "Sex"},
        "age_group": {"nb": "Alder", "en": "Age"},
        "under_30": {"nb": "Under 30 år", "en": "Under 30"},
        "immigrant_category": {"nb": "Innvandringsbakgrunn", "en": "Immigrant background"},
        "nus_level": {"nb": "Utdanningsnivå", "en": "Education level"},
        "status_group": {"nb": "Status hos NAV", "en": "Status at NAV"},
        "innsatsgruppe": {"nb": "Innsatsgruppe", "en": "Need for assistance"},
        "main_benefit": {"nb": "Viktigste ytelse", "en": "Main benefit"},
        "any_benefit": {"nb": "Mottar ytelse", "en": "Receives a benefit"},
        "months_employed_12m_before": {
            "nb": "Måneder i arbeid siste 12 mnd.",
            "en": "Months employed, last 12 months",
        },
        "any_employment_12m_before": {
            "nb": "I arbeid siste 12 mnd.",
            "en": "Employed in last 12 months",
        },
    },
    "profile_category": {
        "MALE": {"nb": "Menn", "en": "Men"},
        "FEMALE": {"nb": "Kvinner", "en": "Women"},
        "UNDER_25": {"nb": "Under 25 år", "en": "Under 25"},
        "25_29": {"nb": "25–29 år", "en": "25–29"},
        "30_39": {"nb": "30–39 år", "en": "30–39"},
        "40_49": {"nb": "40–49 år", "en": "40–49"},
        "50_59": {"nb": "50–59 år", "en": "50–59"},
        "60_PLUS": {"nb": "60 år og over", "en": "60 and over"},
        "YES": {"nb": "Ja", "en": "Yes"},
        "NO": {"nb": "Nei", "en": "No"},
        "NOT_OBSERVED": {"nb": "Ikke observert", "en": "Not observed"},
        "NONE": {"nb": "Ingen", "en": "None"},
        "UKJENT": {"nb": "Ukjent", "en": "Unknown"},
        "0": {"nb": "0", "en": "0"},
        "1_5": {"nb": "1–5", "en": "1–5"},
        "6_11": {"nb": "6–11", "en": "6–11"},
        "12": {"nb": "12", "en": "12"},
    },
    "nus_level": {
        "0": {"nb": "Ingen utdanning", "en": "No education"},
        "1": {"nb": "Barneskole", "en": "Primary school"},
        "2": {"nb": "Ungdomsskole", "en": "Lower secondary"},
        "3": {"nb": "Videregående, grunnutd.", "en": "Upper secondary, basic"},
        "4": {"nb": "Videregående, fullført", "en": "Upper secondary, completed"},
        "5": {"nb": "Påbygging til vgs.", "en": "Post-secondary"},
        "6": {"nb": "Universitet/høgskole, lavere", "en": "University, lower degree"},
        "7": {"nb": "Universitet/høgskole, høyere", "en": "University, higher degree"},
        "8": {"nb": "Forskerutdanning", "en": "Doctorate"},
        "9": {"nb": "Uoppgitt", "en": "Unknown"},
    },
    "estimator": {
        "callaway_santanna_dr": {
            "nb": "Callaway–Sant’Anna, dobbelt robust, utgangspunkt før fallet",
            "en": "Callaway–Sant’Anna, doubly robust, base before the dip",
        },
        "callaway_santanna": {"nb": "Callaway–Sant’Anna", "en": "Callaway–Sant’Anna"},
        "twfe_event_study": {
            "nb": "Toveis faste effekter (TWFE)",
            "en": "Two-way fixed effects (TWFE)",
        },
        "twfe": {"nb": "Toveis faste effekter (TWFE)", "en": "Two-way fixed effects (TWFE)"},
        "naive": {"nb": "Naiv sammenligning", "en": "Naive comparison"},
        "ipw": {"nb": "Vekting (IPW)", "en": "Weighting (IPW)"},
        "ipw_dynamic": {"nb": "Dynamisk vekting (IPW)", "en": "Dynamic weighting (IPW)"},
        "ipw_dynamic_did": {"nb": "Dynamisk vekting, endring", "en": "Dynamic weighting, change"},
        "ipw_dynamic_levels": {"nb": "Dynamisk vekting, nivå", "en": "Dynamic weighting, levels"},
    },
    "role": {  # effects.role: the design behind an estimator in the triangulation
        "headline": {"nb": "Hovedanslaget", "en": "Headline"},
        "selection_on_observables": {
            "nb": "Lik historikk før start",
            "en": "Same history before the start",
        },
        "plain_did": {"nb": "Enkel forskjell-i-forskjell", "en": "Plain difference-in-differences"},
        "diagnostic": {"nb": "Kontrollberegning", "en": "Diagnostic"},
    },
    "gate_check": {  # effects_design_gate.check
        "pretrend_leads": {
            "nb": "stabil forskjell gjennom utgangspunktet (placebo)",
            "en": "a stable difference through the base (placebo)",
        },
        "pretrend_dip_window": {
            "nb": "like grupper i månedene rett før start",
            "en": "alike groups in the months just before the start",
        },
        "overlap": {
            "nb": "sammenlignbare personer finnes (felles støtte)",
            "en": "comparable persons exist (common support)",
        },
        "balance": {
            "nb": "like kjennetegn etter vekting (balanse)",
            "en": "similar characteristics after weighting (balance)",
        },
    },
    "specification": {  # effects_specifications.specification (the specification grid)
        "headline": {"nb": "Hovedanslaget", "en": "Headline"},
        "threshold_x2": {
            "nb": "I arbeid: minst dobbel inntektsgrense",
            "en": "Employed: at least twice the earnings threshold",
        },
        "anticipation_6": {
            "nb": "Utgangspunkt 7 mnd. før start",
            "en": "Base 7 months before the start",
        },
        "anticipation_18": {
            "nb": "Utgangspunkt 19 mnd. før start",
            "en": "Base 19 months before the start",
        },
        "never_treated": {
            "nb": "Sammenligning: aldri deltatt",
            "en": "Comparison: never took part",
        },
        "start_now_vs_later": {
            "nb": "Start nå mot ikke ennå",
            "en": "Start now against not yet",
        },
        "base_window_12": {
            "nb": "Utgangspunkt: snitt av 12 mnd.",
            "en": "Base: mean of 12 months",
        },
        "single_base_month": {
            "nb": "Utgangspunkt: én måned",
            "en": "Base: one month",
        },
        "changes_single_base": {
            "nb": "Tidligere hovedanslag (endringer)",
            "en": "Former headline (changes)",
        },
    },
    "sensitivity_method": {  # effects_sensitivity.method (Rambachan and Roth 2023)
        "relative_magnitude": {"nb": "Relativ størrelse", "en": "Relative magnitude"},
        "smoothness": {"nb": "Jevn trend", "en": "Smooth trend"},
    },
    "measure": {
        "lock_in_0_5": {"nb": "Innlåsing, mnd. 0–5", "en": "Lock-in, months 0–5"},
        "mean_12_23": {"nb": "Snitt av mnd. 12–23", "en": "Mean of months 12–23"},
        "at_12": {"nb": "12 mnd. etter start", "en": "12 months after start"},
        "at_24": {"nb": "24 mnd. etter start", "en": "24 months after start"},
        "at_36": {"nb": "36 mnd. etter start", "en": "36 months after start"},
    },
    "subgroup": {
        "ALL": {"nb": "Alle", "en": "All"},
        "age=under_30": {"nb": "Under 30 år", "en": "Under 30"},
        "age=30_plus": {"nb": "30 år og over", "en": "30 and over"},
        "immigrant=B": {"nb": "Innvandrere", "en": "Immigrants"},
        "immigrant=other": {"nb": "Ikke innvandrere", "en": "Non-immigrants"},
        "gender=female": {"nb": "Kvinner", "en": "Women"},
        "gender=male": {"nb": "Menn", "en": "Men"},
    },
    "subgroup_dimension": {
        "ALL": {"nb": "Alle", "en": "All"},
        "purpose": {"nb": "Formål", "en": "Purpose"},
        "status_group": {"nb": "Status", "en": "Status"},
        "age": {"nb": "Alder", "en": "Age"},
        "immigrant": {"nb": "Bakgrunn", "en": "Background"},
        "gender": {"nb": "Kjønn", "en": "Sex"},
        "start_year": {"nb": "Startår", "en": "Start year"},
    },
    "cost_perspective": {
        "effects": {"nb": "Effekter", "en": "Effects"},
        "budget": {"nb": "Offentlige budsjetter", "en": "Public budget"},
        "society": {"nb": "Samfunnet", "en": "Society"},
    },
    "cost_component": {
        "nav_follow_up": {"nb": "NAVs oppfølging", "en": "NAV follow-up"},
        "mentor_grant": {"nb": "Mentortilskudd", "en": "Mentor grant"},
        "inclusion_grant": {"nb": "Inkluderingstilskudd", "en": "Inclusion grant"},
        "employer_net_cost": {"nb": "Arbeidsgivers nettokostnad", "en": "Employer's net cost"},
        "total_budget_cost": {
            "nb": "Sum tiltakskostnad (budsjett)",
            "en": "Total programme cost (budget)",
        },
        "total_resource_cost": {
            "nb": "Sum ressurskostnad (samfunnet)",
            "en": "Total resource cost (society)",
        },
        "aap_during_programme": {
            "nb": "Arbeidsavklaringspenger",
            "en": "Work assessment allowance",
        },
        "dagpenger_during_programme": {"nb": "Dagpenger", "en": "Unemployment benefit"},
        "tiltakspenger_during_programme": {"nb": "Tiltakspenger", "en": "Programme allowance"},
        "sosialhjelp_during_programme": {"nb": "Sosialhjelp", "en": "Social assistance"},
        "uforetrygd_during_programme": {"nb": "Uføretrygd", "en": "Disability benefit"},
        "kvp_during_programme": {"nb": "Kvalifiseringsstønad", "en": "Qualification benefit"},
    },
    "cost_measure": {
        "extra_employed_months": {
            "nb": "Ekstra måneder i arbeid",
            "en": "Extra months employed",
        },
        "extra_employed_months_pv": {
            "nb": "Ekstra måneder i arbeid (neddiskontert)",
            "en": "Extra months employed (discounted)",
        },
        "average_employment_effect_pp": {
            "nb": "Gjennomsnittlig sysselsettingseffekt",
            "en": "Average employment effect",
        },
        "earnings_change_nok": {"nb": "Endring i arbeidsinntekt", "en": "Change in earnings"},
        "earnings_change_pv": {
            "nb": "Endring i arbeidsinntekt (nåverdi)",
            "en": "Change in earnings (present value)",
        },
        "average_earnings_effect_nok_per_month": {
            "nb": "Gjennomsnittlig inntektseffekt per måned",
            "en": "Average earnings effect per month",
        },
        "benefit_months_change": {
            "nb": "Endring i måneder med ytelse",
            "en": "Change in months on benefits",
        },
        "benefit_payments_change_pv": {
            "nb": "Endring i utbetalte ytelser (nåverdi)",
            "en": "Change in benefit payments (present value)",
        },
        "programme_cost_pv": {"nb": "Tiltakskostnad", "en": "Programme cost"},
        "tax_revenue_gain_pv": {
            "nb": "Økte skatter og avgifter",
            "en": "Higher taxes and contributions",
        },
        "benefit_savings_pv": {
            "nb": "Sparte ytelser (etter skatt)",
            "en": "Benefits saved (after tax)",
        },
        "resource_cost_pv": {"nb": "Ressurskostnad", "en": "Resource cost"},
        "production_gain_pv": {"nb": "Økt produksjon", "en": "Higher production"},
        "tax_financing_effect_pv": {
            "nb": "Skattefinansieringskostnad",
            "en": "Cost of tax financing",
        },
        "npv": {"nb": "Netto nåverdi", "en": "Net present value"},
        "cost_per_extra_employed_month": {
            "nb": "Kostnad per ekstra måned i arbeid",
            "en": "Cost per extra month employed",
        },
        "break_even_employment_pp": {
            "nb": "Effekt som trengs for å gå i null",
            "en": "Effect needed to break even",
        },
        "break_even_earnings_nok_per_month": {
            "nb": "Inntektseffekt som trengs for å gå i null",
            "en": "Earnings effect needed to break even",
        },
    },
    "cost_unit": {
        "months per participant": {"nb": "mnd. per deltaker", "en": "months per participant"},
        "discounted months per participant": {
            "nb": "mnd. per deltaker, neddiskontert",
            "en": "months per participant, discounted",
        },
        "percentage points": {"nb": "prosentpoeng", "en": "percentage points"},
        "NOK per participant": {"nb": "kr per deltaker", "en": "NOK per participant"},
        "NOK per participant (present value)": {
            "nb": "kr per deltaker, nåverdi",
            "en": "NOK per participant, PV",
        },
        "NOK per participant (present value, net of tax)": {
            "nb": "kr per deltaker, nåverdi etter skatt",
            "en": "NOK per participant, PV after tax",
        },
        "NOK per participant (present value, gross)": {
            "nb": "kr per deltaker, nåverdi brutto",
            "en": "NOK per participant, PV, gross",
        },
        "NOK per month": {"nb": "kr per måned", "en": "NOK per month"},
        "NOK per extra employed month": {
            "nb": "kr per ekstra måned i arbeid",
            "en": "NOK per extra month employed",
        },
        "benefit months per participant": {
            "nb": "ytelsesmåneder per deltaker",
            "en": "benefit months per participant",
        },
    },
    "cost_basis": {
        "official": {"nb": "Offisiell sats", "en": "Official rate"},
        "project choice": {"nb": "Valg i prosjektet", "en": "Project choice"},
        "project assumption": {"nb": "Forutsetning i prosjektet", "en": "Project assumption"},
        "official rule, approximated": {
            "nb": "Offisiell regel, tilnærmet",
            "en": "Official rule, approximated",
        },
    },
    "input_table": {
        "persons": {"nb": "Personer", "en": "Persons"},
        "nav_status_spells": {"nb": "Statusperioder hos NAV", "en": "NAV status spells"},
        "programme_spells": {"nb": "Tiltaksdeltakelser", "en": "Programme spells"},
        "at_agreements": {"nb": "Avtaler om arbeidstrening", "en": "Work-training agreements"},
        "at_agreement_purposes": {"nb": "Formål på avtaler", "en": "Purposes on agreements"},
        "benefit_spells": {"nb": "Ytelsesperioder", "en": "Benefit spells"},
        "employment_months": {"nb": "Arbeidsforhold per måned", "en": "Employment months"},
        "education_spells": {"nb": "Utdanningsperioder", "en": "Education spells"},
    },
    "reject_rule": {
        "missing_value": {"nb": "Manglende verdi", "en": "Missing value"},
        "wrong_type": {"nb": "Feil datatype", "en": "Wrong type"},
        "unknown_code": {"nb": "Ukjent kode", "en": "Unknown code"},
        "bad_format": {"nb": "Feil format", "en": "Bad format"},
        "out_of_range": {"nb": "Utenfor gyldig område", "en": "Out of range"},
        "invalid_month": {"nb": "Ugyldig måned", "en": "Invalid month"},
        "end_before_start": {"nb": "Slutt før start", "en": "End before start"},
        "employer_missing": {"nb": "Arbeidsgiver mangler", "en": "Employer missing"},
        "duplicate_row": {"nb": "Dublett (lik rad)", "en": "Duplicate row"},
        "duplicate_key": {"nb": "Dublett (motstridende)", "en": "Conflicting duplicate key"},
        "unknown_person": {"nb": "Ukjent person", "en": "Unknown person"},
        "unknown_spell": {"nb": "Ukjent tiltaksdeltakelse", "en": "Unknown spell"},
        "spell_not_arbtren": {"nb": "Ikke arbeidstrening", "en": "Spell not work training"},
        "unknown_agreement": {"nb": "Ukjent avtale", "en": "Unknown agreement"},
    },
}


def lab(code: object, lang: str, kind: str | None = None) -> str:
    """Display label of `code`: the report's own lists (`kind` in :data:`EXTRA`) first, then
    :func:`analysis.formatting.label`. Subgroups ``dimension=value`` are labelled by their value."""
    if fmt.is_missing(code):
        return fmt.MISSING
    key = str(code)
    if kind in EXTRA and key in EXTRA[kind]:
        return EXTRA[kind][key][lang]
    if kind == "subgroup" and "=" in key:
        dim, _, value = key.partition("=")
        kinds = {"purpose": "purpose", "status_group": "status_group"}
        return lab(value, lang, kinds.get(dim))
    if kind == "chain":
        return " → ".join(lab(part.strip(), lang, "programme") for part in key.split(">"))
    if kind in fmt.LABELS:
        return fmt.label(code, lang, kind)
    if kind is None or kind not in EXTRA:
        return fmt.label(code, lang)
    return key


def half_year(code: str, lang: str) -> str:
    """``"2022H2"`` → ``"2. halvår 2022"`` / ``"2022 H2"``."""
    year, _, half = str(code).partition("H")
    if not half:
        return str(code)
    return f"{half}. halvår {year}" if lang == "nb" else f"{year} H{half}"


def half_year_short(code: str, lang: str) -> str:
    """Axis label for a half-year: ``"22/2"`` style is cryptic; use ``"2022-2"`` / ``"2022 H2"``."""
    year, _, half = str(code).partition("H")
    if not half:
        return str(code)
    return f"{year}-{half}"
