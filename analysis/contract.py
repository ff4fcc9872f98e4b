"""The input contract: tables, columns, types, code lists and validation rules.

This module is the single source of truth for what an input directory must hold. The synthetic
generator writes exactly this, ingestion validates against it, and the documentation
(`docs/CONTRACT.md`) describes it. Codes follow NAV's own code lists (Arena programme and
participant-status codes, the arbeidstrening agreement purpose enum in its ASCII spelling, SSB's
gender and immigrant-category codes), so a real extract maps onto it with renames only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --- Code lists -------------------------------------------------------------------------------

NAV_STATUSES = ("ARBEIDSSOKER", "NEDSATT_ARBEIDSEVNE")
INNSATSGRUPPER = (
    "STANDARD_INNSATS",
    "SITUASJONSBESTEMT_INNSATS",
    "SPESIELT_TILPASSET_INNSATS",
    "VARIG_TILPASSET_INNSATS",
)
IMMIGRANT_CATEGORIES = ("A", "B", "C", "E", "F", "G")
GENDERS = (1, 2)  # SSB: 1 male, 2 female

PROGRAMME_CODES = (
    "ARBTREN",  # arbeidstrening
    "MIDLONTIL",  # midlertidig lønnstilskudd
    "VARLONTIL",  # varig lønnstilskudd
    "GRUPPEAMO",
    "ENKELAMO",
    "GRUFAGYRKE",
    "ENKFAGYRKE",
    "HOYEREUTD",
    "ARBFORB",  # arbeidsforberedende trening (AFT)
    "INDOPPFAG",  # individuell oppfølging / utvidet oppfølging
    "AVKLARAG",
    "UTVAOONAV",
    "JOBBK",
    "DIGIOPPARB",
    "IPSUNG",
    "VASV",
    "VATIAROR",
    "MENTOR",  # mentortilskudd (a grant, not a programme of its own)
    "INKLUTILS",  # inkluderingstilskudd (a grant, not a programme of its own)
    "PRAKSORD",
)
AT_PROGRAMME_CODE = "ARBTREN"
WAGE_SUBSIDY_CODES = ("MIDLONTIL", "VARLONTIL")
EMPLOYER_REQUIRED_CODES = (AT_PROGRAMME_CODE, *WAGE_SUBSIDY_CODES)

# Arena deltakerstatuskode and NAV's grouping of it.
STATUS_TOOK_PLACE = ("GJENN", "FULLF", "DELAVB", "GJENN_AVB")
STATUS_ENDED_BEFORE = ("IKKEM", "GJENN_AVL")
STATUS_WAITED = ("TILBUD", "JATAKK", "AKTUELL", "VENTELISTE", "INFOMOETE")
STATUS_NOT_RELEVANT = ("AVSLAG", "IKKAKTUELL", "NEITAKK")
STATUS_ERROR = ("FEILREG",)
PARTICIPANT_STATUSES = (
    STATUS_TOOK_PLACE + STATUS_ENDED_BEFORE + STATUS_WAITED + STATUS_NOT_RELEVANT + STATUS_ERROR
)

AGREEMENT_STATUSES = ("GJENNOMFORES", "AVSLUTTET", "ANNULLERT")
PURPOSES = (
    "ARBEIDSERFARING",
    "FAA_JOBB_I_BEDRIFTEN",
    "UTPROVING",
    "OPPNAA_FAGBREV_KOMPETANSEBEVIS",
    "SPRAAKOPPLAERING",
    "ANNET",
)
BENEFITS = ("AAP", "DAGPENGER", "TILTAKSPENGER", "UFORETRYGD", "SOSIALHJELP", "KVP")


# --- Table specifications ---------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One contract column.

    `sql_type` is the DuckDB type the column is cast to in staging. `codes` restricts values to a
    code list; `pattern` is a regular expression the text must match in full; `min`/`max` bound
    numeric values; `required` forbids nulls (empty strings count as null).
    """

    name: str
    sql_type: str
    description: str
    required: bool = True
    codes: tuple | None = None
    pattern: str | None = None
    min: float | None = None
    max: float | None = None
    # Referential rule: "table.column" of an accepted (staging) row that must hold the value; a
    # row whose value is missing there is rejected as `unknown_<name without _id>`. With
    # `reference_condition` = (column, value, rule), a referenced row whose column does not hold
    # the value rejects the row under that rule. One source for the rules, the validation SQL and
    # the order in which staging tables are built (analysis.ingest.validate, pipelines.assets).
    references: str | None = None
    reference_condition: tuple[str, str, str] | None = None
    yyyymm: bool = False  # an integer YYYYMM whose month part must be 1-12
    # A text column whose codes are fixed-width digit strings (municipality, NUS, STYRK) may be
    # stored as integers in Parquet: they are zero-padded to this width, with a warning. Other text
    # columns stored as numbers (identifiers, codes) are rejected: leading zeros may be lost.
    integer_width: int | None = None


@dataclass(frozen=True)
class Table:
    """One contract table: its columns, its key and the table-level rules."""

    name: str
    grain: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    date_order: tuple[str, str] | None = None  # (start, end): end >= start when both present
    extra_rules: tuple[str, ...] = field(default=())
    # How the table covers the observation window (plausibility gate): ("year_month",) = rows per
    # calendar month; (start, end) = spells overlapping a month; () = not dated.
    coverage: tuple[str, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def referenced_tables(self) -> tuple[str, ...]:
        """Tables whose accepted rows this table's referential rules check against."""
        return tuple(
            dict.fromkeys(c.references.split(".")[0] for c in self.columns if c.references)
        )


def _person_id(description: str = "pseudonymous person id; must exist in persons") -> Column:
    return Column("person_id", "VARCHAR", description, references="persons.person_id")


ORG_PATTERN = r"[0-9]{9}"
YM_MIN, YM_MAX = 190001, 210012
# No month's earnings from one employer reach a billion NOK; the bound also keeps sums over
# employers far from integer overflow.
EARNINGS_MAX_NOK = 1_000_000_000
# Dates before this are out of range (registers use far-future end dates, so there is no upper bound).
DATE_MIN = "1900-01-01"

PERSONS = Table(
    "persons",
    "person",
    (
        Column("person_id", "VARCHAR", "pseudonymous person id (unique, non-empty)"),
        Column(
            "birth_ym",
            "INTEGER",
            "year and month of birth, YYYYMM",
            min=YM_MIN,
            max=YM_MAX,
            yyyymm=True,
        ),
        Column("gender", "INTEGER", "SSB gender code: 1 male, 2 female", codes=GENDERS),
        Column(
            "immigrant_category",
            "VARCHAR",
            "SSB invkat: A born in Norway to Norwegian-born parents, B immigrant, "
            "C Norwegian-born to immigrant parents, E/F/G other",
            codes=IMMIGRANT_CATEGORIES,
        ),
        Column(
            "nus_level",
            "VARCHAR",
            "highest completed education at entry, NUS2000 first digit (9 unknown)",
            pattern=r"[0-9]",
            integer_width=1,
        ),
        Column(
            "municipality",
            "VARCHAR",
            "municipality number, 4 digits",
            pattern=r"[0-9]{4}",
            integer_width=4,
        ),
    ),
    key=("person_id",),
)

NAV_STATUS_SPELLS = Table(
    "nav_status_spells",
    "spell of registered status at NAV",
    (
        _person_id(),
        Column("status", "VARCHAR", "registered status at NAV", codes=NAV_STATUSES),
        Column(
            "innsatsgruppe",
            "VARCHAR",
            "NAV's assessment of need for assistance",
            required=False,
            codes=INNSATSGRUPPER,
        ),
        Column("start_date", "DATE", "first day of the spell"),
        Column("end_date", "DATE", "last day of the spell; empty = ongoing", required=False),
    ),
    key=("person_id", "status", "start_date"),
    date_order=("start_date", "end_date"),
    coverage=("start_date", "end_date"),
)

PROGRAMME_SPELLS = Table(
    "programme_spells",
    "participation in a programme (Arena tiltaksdeltakelse)",
    (
        Column("spell_id", "VARCHAR", "programme spell id (unique)"),
        _person_id(),
        Column("programme_code", "VARCHAR", "Arena programme code", codes=PROGRAMME_CODES),
        Column("start_date", "DATE", "first day of participation"),
        Column("end_date", "DATE", "last day of participation; empty = ongoing", required=False),
        Column(
            "participant_status",
            "VARCHAR",
            "Arena deltakerstatuskode",
            codes=PARTICIPANT_STATUSES,
        ),
        Column(
            "part_time_pct",
            "DOUBLE",
            "participation percentage 0-100",
            required=False,
            min=0,
            max=100,
        ),
        Column(
            "employer_org",
            "VARCHAR",
            "employer organisation number, 9 digits (required for ARBTREN, MIDLONTIL, VARLONTIL)",
            required=False,
            pattern=ORG_PATTERN,
        ),
    ),
    key=("spell_id",),
    date_order=("start_date", "end_date"),
    extra_rules=("employer_required",),
    coverage=("start_date", "end_date"),
)

AT_AGREEMENTS = Table(
    "at_agreements",
    "digital Arbeidstrening agreement",
    (
        Column("agreement_id", "VARCHAR", "agreement id (unique)"),
        Column(
            "spell_id",
            "VARCHAR",
            "the ARBTREN programme spell the agreement governs",
            references="programme_spells.spell_id",
            reference_condition=("programme_code", AT_PROGRAMME_CODE, "spell_not_arbtren"),
        ),
        Column("agreed_start", "DATE", "agreed start date"),
        Column("agreed_end", "DATE", "agreed end date (the agreed, planned period)"),
        Column("position_pct", "DOUBLE", "agreed position percentage 0-100", min=0, max=100),
        Column("days_per_week", "DOUBLE", "agreed days per week 1-7", min=1, max=7),
        Column(
            "occupation_styrk08",
            "VARCHAR",
            "occupation, STYRK-08",
            required=False,
            integer_width=4,
        ),
        Column("status", "VARCHAR", "agreement status", codes=AGREEMENT_STATUSES),
        Column("end_reason", "VARCHAR", "reason the agreement ended", required=False),
    ),
    key=("agreement_id",),
    date_order=("agreed_start", "agreed_end"),
    coverage=("agreed_start", "agreed_end"),
)

AT_AGREEMENT_PURPOSES = Table(
    "at_agreement_purposes",
    "purpose registered on an agreement",
    (
        Column(
            "agreement_id",
            "VARCHAR",
            "the agreement",
            references="at_agreements.agreement_id",
        ),
        Column("purpose", "VARCHAR", "registered purpose (formål)", codes=PURPOSES),
        Column("rank", "INTEGER", "1 = main purpose; an agreement may list several", min=1),
    ),
    key=("agreement_id", "rank"),
)

BENEFIT_SPELLS = Table(
    "benefit_spells",
    "spell of a benefit",
    (
        _person_id(),
        Column("benefit", "VARCHAR", "benefit type", codes=BENEFITS),
        Column("start_date", "DATE", "first day of the spell"),
        Column("end_date", "DATE", "last day of the spell; empty = ongoing", required=False),
        Column("degree_pct", "DOUBLE", "degree 0-100", required=False, min=0, max=100),
    ),
    key=("person_id", "benefit", "start_date"),
    date_order=("start_date", "end_date"),
    coverage=("start_date", "end_date"),
)

EMPLOYMENT_MONTHS = Table(
    "employment_months",
    "person x month x employer (A-ordningen)",
    (
        _person_id(),
        Column("year_month", "INTEGER", "YYYYMM", min=YM_MIN, max=YM_MAX, yyyymm=True),
        Column("employer_org", "VARCHAR", "employer organisation number", pattern=ORG_PATTERN),
        Column("earnings_nok", "BIGINT", "earnings in the month, NOK", min=0, max=EARNINGS_MAX_NOK),
        Column(
            "position_pct", "DOUBLE", "position percentage 0-100", required=False, min=0, max=100
        ),
    ),
    key=("person_id", "year_month", "employer_org"),
    coverage=("year_month",),
)

EDUCATION_SPELLS = Table(
    "education_spells",
    "enrolment in education",
    (
        _person_id(),
        Column("start_date", "DATE", "first day of enrolment"),
        Column("end_date", "DATE", "last day of enrolment; empty = ongoing", required=False),
        Column(
            "nus_level",
            "VARCHAR",
            "NUS2000 level of the programme, one digit",
            pattern=r"[0-9]",
            integer_width=1,
        ),
        Column("apprentice", "BOOLEAN", "apprenticeship (lærling)"),
    ),
    key=("person_id", "start_date", "nus_level"),
    date_order=("start_date", "end_date"),
    coverage=("start_date", "end_date"),
)

# In dependency order: a table's references point only to tables before it.
TABLES: tuple[Table, ...] = (
    PERSONS,
    NAV_STATUS_SPELLS,
    PROGRAMME_SPELLS,
    AT_AGREEMENTS,
    AT_AGREEMENT_PURPOSES,
    BENEFIT_SPELLS,
    EMPLOYMENT_MONTHS,
    EDUCATION_SPELLS,
)
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}

EXTRACT_FILE = "extract.json"
# Keys extract.json may hold: the window, and for synthetic registers the generator's record.
EXTRACT_WINDOW_KEYS = ("observation_start", "observation_end")
EXTRACT_SYNTHETIC_KEYS = ("synthetic", "generator", "preset", "scale", "seed")
# Time zone of the Norwegian civil calendar: instants (timestamps with a time zone) become dates here.
CIVIL_TIME_ZONE = "Europe/Oslo"
