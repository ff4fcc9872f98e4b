"""Appendix B: definitions of the terms the report uses."""

from __future__ import annotations

from analysis.report.text import Texts
from analysis.settings import DEFAULT_EMPLOYMENT_THRESHOLD_NOK

TITLE = ("Definisjoner", "Definitions")

TERMS = (
    (
        ("Deltaker", "Participant"),
        (
            "Person som var i arbeidstrening minst én dag i måneden.",
            "A person in work training on at least one day of the month.",
        ),
    ),
    (
        ("Forløp", "Spell"),
        (
            "Én periode i arbeidstrening som faktisk ble gjennomført (ikke avlyst eller "
            "avslått). En person kan ha flere forløp.",
            "One period of work training that actually took place (not cancelled or refused). A "
            "person can have several spells.",
        ),
    ),
    (
        ("Avsluttet forløp, sluttmåned", "Ended spell, month of exit"),
        (
            "Forløp med en sluttdato i observasjonsperioden; sluttmåneden er måneden for "
            "sluttdatoen.",
            "A spell with an end date in the observation period; the month of exit is the month "
            "of the end date.",
        ),
    ),
    (
        ("Avgang (NAVs definisjon)", "Exit (NAV's definition)"),
        (
            "Personen var i arbeidstrening én måned og ikke de to neste månedene. Overgang til et "
            "annet tiltak er også en avgang.",
            "The person was in work training one month and not in the next two months. A move to "
            "another programme is also an exit.",
        ),
    ),
    (
        ("Status hos NAV ved start", "Status at NAV at the start"),
        (
            "Arbeidssøker eller nedsatt arbeidsevne på startdagen; «Annet» uten registrert status.",
            "Job seeker or reduced work capacity on the start date; “Other” without a registered "
            "status.",
        ),
    ),
    (
        ("Formål", "Purpose"),
        (
            "Hovedformålet (første formål) på den første gyldige digitale avtalen. Uten avtale er "
            "formålet ukjent.",
            "The main (first) purpose on the first valid digital agreement. Without an agreement "
            "the purpose is unknown.",
        ),
    ),
    (
        ("I arbeid", "Employed"),
        (
            "Minst {threshold} kroner i samlet lønn i måneden fra a-ordningen.",
            "At least NOK {threshold} in total earnings in the month from the a-ordning.",
        ),
    ),
    (
        ("Status etter avslutning", "Status after exit"),
        (
            "Én status per måned, den første som gjelder: i arbeidstrening, lønnstilskudd, annet "
            "tiltak, i arbeid, utdanning, uføretrygd, AAP, arbeidssøker, ingen registrert status.",
            "One status per month, the first that holds: in work training, wage subsidy, other "
            "programme, employed, education, disability benefit, AAP, job seeker, no registered "
            "status.",
        ),
    ),
    (
        ("Tilsiktet resultat", "Intended outcome"),
        (
            "Det registrene kan vise av formålets ønskede utfall (Tabell 1-1), for eksempel jobb "
            "hos samme arbeidsgiver for «Få jobb i bedriften».",
            "What the registers can show of the purpose's intended outcome (Table 1-1), for "
            "example a job at the same employer for “Job at the firm”.",
        ),
    ),
    (
        ("Samme arbeidsgiver", "Same employer"),
        (
            "Arbeid hos, eller lønnstilskudd fra, virksomheten med samme organisasjonsnummer som "
            "arbeidstreningen.",
            "Work at, or a wage subsidy from, the firm with the same organisation number as the "
            "work training.",
        ),
    ),
    (
        ("Tiltakskjeding", "Programme chaining"),
        (
            "Et nytt tiltak som starter innen 24 måneder etter at arbeidstreningen er slutt.",
            "A new programme starting within 24 months after the work training has ended.",
        ),
    ),
    (
        ("Effekt", "Effect"),
        (
            "Forskjellen mellom andelen i arbeid blant deltakerne og den anslåtte andelen uten "
            "tiltaket, i prosentpoeng.",
            "The difference between the share employed among participants and the estimated "
            "share without the programme, in percentage points.",
        ),
    ),
    (
        ("Innlåsingseffekt", "Lock-in effect"),
        (
            "Lavere sysselsetting mens tiltaket pågår, fordi deltakerne søker og tar færre jobber. "
            "Målt som snittet av effekten i måned 0–5 etter start.",
            "Lower employment while the programme runs, because participants search for and take "
            "fewer jobs. Measured as the mean effect in months 0–5 after the start.",
        ),
    ),
    (
        ("Prosentpoeng", "Percentage point"),
        (
            "Forskjell mellom to prosentandeler: fra 30 % til 33 % er +3 prosentpoeng.",
            "Difference between two percentages: from 30 % to 33 % is +3 percentage points.",
        ),
    ),
    (
        ("95 % konfidensintervall (KI)", "95 % confidence interval (CI)"),
        (
            "Usikkerheten i et anslag: Om undersøkelsen ble gjentatt mange ganger, ville 95 av "
            "100 slike intervaller inneholde den sanne verdien.",
            "The uncertainty of an estimate: if the study were repeated many times, 95 of 100 "
            "such intervals would contain the true value.",
        ),
    ),
    (
        ("Statistisk sikker", "Statistically significant"),
        (
            "95 % konfidensintervallet inneholder ikke null.",
            "The 95 % confidence interval does not include zero.",
        ),
    ),
    (
        ("Designkontroll", "Design check"),
        (
            "Kontroll av om sammenligningsgruppen utviklet seg som deltakerne før start og er "
            "sammenlignbar. Et anslag som ikke består, presenteres ikke som resultat.",
            "A check of whether the comparison group developed like the participants before the "
            "start and is comparable. An estimate that fails is not presented as a result.",
        ),
    ),
    (
        ("Netto nåverdi", "Net present value"),
        (
            "Gevinster minus kostnader per deltaker, neddiskontert til starttidspunktet.",
            "Gains minus costs per participant, discounted to the start.",
        ),
    ),
    (
        ("Symbolene «:», «.» og «..»", "The symbols “:”, “.” and “..”"),
        (
            "«:» skjult av personvernhensyn; «.» kan ikke forekomme (ingen å telle, eller vist i "
            "en sammenslått gruppe); «..» ikke tilgjengelig (ennå ikke observert). Som i SSBs "
            "tabeller.",
            "“:” hidden for confidentiality; “.” not applicable (nobody to count, or shown in a "
            "merged group); “..” not available (not yet observed). As in Statistics Norway's "
            "tables.",
        ),
    ),
)

TEXT = Texts(
    {
        "caption": ("Begreper brukt i rapporten.", "Terms used in the report."),
        **{f"term{i}": t for i, (_, t) in enumerate(TERMS)},
    }
)


def build(b) -> list[dict]:
    tx = b.texts(TEXT)
    i = 0 if b.lang == "nb" else 1
    thr = b.meta.get("employment_threshold_nok", str(DEFAULT_EMPLOYMENT_THRESHOLD_NOK))
    try:
        thr = b.num(float(thr))
    except (TypeError, ValueError):
        thr = str(thr)
    rows = [[name[i], tx(f"term{k}", threshold=thr)] for k, (name, _) in enumerate(TERMS)]
    return [
        b.table(
            tx("caption"),
            [b.t("Begrep", "Term"), b.t("Definisjon", "Definition")],
            rows,
            align="ll",
            widths=[1.6, 5.0],
            source="",
        )
    ]
