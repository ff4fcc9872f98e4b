"""Number, date and label formatting for reports in Norwegian bokmål (``"nb"``) and English (``"en"``).

Conventions (one place, so every table and figure in every report agrees):

* **Decimal mark**: comma in bokmål (``1,5``), point in English (``1.5``).
* **Thousands separator**: bokmål uses U+202F NARROW NO-BREAK SPACE (``12 345``). We chose it over
  U+2009 THIN SPACE because a thin space is a legal line-break point: a number could be split
  over two lines in running text or a narrow table column. U+202F looks the same and never breaks.
  English uses a comma (``12,345``). Numbers below 10 000 are grouped too (``1 234``), as in
  Statistics Norway's (SSB) tables, so columns line up.
* **Minus**: bokmål uses U+2212 MINUS SIGN (``−3,2``), the typographically correct sign; English
  uses the ASCII hyphen-minus (``-3.2``). A value that rounds to zero is printed without a sign.
* **Rounding**: half away from zero on the decimal number as written (``2.675`` → ``2.68``,
  ``0.125`` → ``0.13``), not the round-half-even of binary floating point that Python's ``format``
  does. This is what a reader checking a table by hand expects.
* **Percent**: shares are given as fractions (``0.53``) and printed as ``53,0 %`` in bokmål, with a
  U+00A0 NO-BREAK SPACE before the percent sign (Språkrådet's rule), and ``53.0%`` in English.
* **Symbols** follow SSB's standard table symbols, and agree with the ``<col>_status`` columns of
  the protected tables and the CSV export (:mod:`analysis.disclosure`):

  - ``":"`` (:data:`SUPPRESSED`) — confidential: not published for confidentiality reasons
    (counts of 1-4, and counts that would reveal them). ``suppressed=True`` or ``status=":"``.
  - ``"."`` (:data:`NOT_APPLICABLE`) — not applicable: logically impossible or structurally
    empty (a share of nobody, a category merged into another row). ``status="."``.
  - ``".."`` (:data:`MISSING`, alias :data:`NOT_AVAILABLE`) — not available: censored or not yet
    observed (e.g. 24 months after an exit that lies less than 24 months back), and any missing
    value without a status (``None``, ``NaN``, ``pd.NA``/``NaT``).
    We deliberately do **not** use a dash for missing values: in SSB's symbol set ``"–"`` means
    *nil* (a true zero), so a dash for "missing" would be misread by anyone used to official
    statistics. Every formatter takes ``missing=`` if a table needs something else (e.g. ``""``),
    and ``status=`` to print the symbol of a protected value.

Labels: :data:`LABELS` maps the code lists used in the marts (status groups, agreement purposes,
post-exit states, genders, immigrant categories, benefits, innsatsgrupper) to display labels in
both languages; :func:`label` looks a code up and falls back to the code itself.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

LANGS = ("nb", "en")

SUPPRESSED = ":"
"""Symbol for a value withheld for confidentiality (SSB: "Vises ikke av konfidensialitetshensyn")."""

NOT_APPLICABLE = "."
"""Symbol for a value that is logically impossible or structurally empty (SSB: "Tall kan ikke
forekomme", category not applicable)."""

MISSING = ".."
"""Symbol for a value that is not available (SSB: "Oppgave mangler", data not available):
censored, not yet observed, or missing."""

NOT_AVAILABLE = MISSING

SYMBOLS = (SUPPRESSED, NOT_APPLICABLE, MISSING)
"""The symbols a protected value's status can hold (an empty status means published)."""


def _symbol(status: object) -> str | None:
    """The symbol to print for a status ('' / None: none, print the value)."""
    if is_missing(status):
        return None
    status = str(status)
    if status == "":
        return None
    if status not in SYMBOLS:
        raise ValueError(f"unknown status symbol {status!r}; expected one of {SYMBOLS}")
    return status


NB_GROUP_SEP = "\u202f"  # NARROW NO-BREAK SPACE
NB_MINUS = "\u2212"  # MINUS SIGN
NBSP = "\u00a0"  # NO-BREAK SPACE, between a number and "%" in bokmål

_SEPARATORS = {
    # lang: (decimal mark, thousands separator, minus sign)
    "nb": (",", NB_GROUP_SEP, NB_MINUS),
    "en": (".", ",", "-"),
}


def _check_lang(lang: str) -> str:
    if lang not in _SEPARATORS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return lang


def is_missing(x: object) -> bool:
    """True for ``None``, float ``NaN``, ``pd.NA`` and ``NaT`` (anything that is 'no value')."""
    if x is None:
        return True
    if isinstance(x, float | numbers.Real) and not isinstance(x, numbers.Integral):
        try:
            return math.isnan(float(x))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
    # pd.NA, pd.NaT and numpy datetime NaT without importing pandas here.
    name = type(x).__name__
    if name in ("NAType", "NaTType"):
        return True
    try:
        return bool(x != x)  # NaN-like objects are not equal to themselves
    except (TypeError, ValueError):
        return False


def _to_decimal(x: object) -> Decimal:
    if isinstance(x, Decimal):
        return x
    if isinstance(x, bool):
        raise TypeError("booleans are not numbers to format")
    if isinstance(x, numbers.Integral):
        return Decimal(int(x))  # type: ignore[arg-type]
    if isinstance(x, numbers.Real):
        # repr gives the shortest decimal that round-trips, i.e. the number "as written".
        return Decimal(repr(float(x)))  # type: ignore[arg-type]
    try:
        return Decimal(str(x))
    except InvalidOperation as exc:
        raise TypeError(f"cannot format {x!r} as a number") from exc


def _group(digits: str, sep: str) -> str:
    """Insert `sep` every three digits from the right in a string of digits."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


def _format_decimal(d: Decimal, decimals: int, lang: str) -> str:
    dec_mark, group_sep, minus = _SEPARATORS[lang]
    if d.is_infinite():
        return (minus if d < 0 else "") + "∞"
    quantum = Decimal(1).scaleb(-decimals)
    q = d.quantize(quantum, rounding=ROUND_HALF_UP)
    negative = q < 0  # a value rounding to zero gets no sign ("−0,0" never appears)
    text = f"{abs(q):f}"
    int_part, _, frac_part = text.partition(".")
    out = _group(int_part, group_sep)
    if decimals > 0:
        out += dec_mark + frac_part
    return (minus + out) if negative else out


def format_number(
    x: object,
    decimals: int = 0,
    lang: str = "nb",
    *,
    suppressed: bool = False,
    missing: str = MISSING,
    status: object = None,
) -> str:
    """Format a number for a report table or text.

    ``format_number(-12345.678, 1)`` → ``"−12 345,7"`` (nb) / ``"-12,345.7"`` (en). Rounds half away
    from zero; ``suppressed=True`` gives ``":"``; a `status` symbol (``":"``, ``"."``, ``".."``)
    is printed instead of the value; ``None``/``NaN`` give `missing` (default ``".."``).
    """
    _check_lang(lang)
    if suppressed:
        return SUPPRESSED
    sym = _symbol(status)
    if sym is not None:
        return sym
    if is_missing(x):
        return missing
    if decimals < 0:
        raise ValueError("decimals must be >= 0")
    return _format_decimal(_to_decimal(x), decimals, lang)


def format_int(
    x: object,
    lang: str = "nb",
    *,
    suppressed: bool = False,
    missing: str = MISSING,
    status: object = None,
) -> str:
    """Format a count: ``12345`` → ``"12 345"`` (nb) / ``"12,345"`` (en). Non-integers are rounded."""
    return format_number(x, 0, lang, suppressed=suppressed, missing=missing, status=status)


def format_percent(
    share: object,
    decimals: int = 1,
    lang: str = "nb",
    *,
    suppressed: bool = False,
    missing: str = MISSING,
    status: object = None,
) -> str:
    """Format a share (a fraction, 0.53) as a percentage: ``"53,0 %"`` (nb) / ``"53.0%"`` (en).

    The share is scaled by 100 in decimal arithmetic before rounding, so 0.125 → 12.5 exactly.
    """
    _check_lang(lang)
    if suppressed:
        return SUPPRESSED
    sym = _symbol(status)
    if sym is not None:
        return sym
    if is_missing(share):
        return missing
    pct = _to_decimal(share) * 100
    number = format_number(pct, decimals, lang)
    return f"{number}{NBSP}%" if lang == "nb" else f"{number}%"


def format_signed(
    x: object,
    decimals: int = 1,
    lang: str = "nb",
    *,
    suppressed: bool = False,
    missing: str = MISSING,
    status: object = None,
) -> str:
    """Like :func:`format_number` but with an explicit ``+`` on positive values (for effects)."""
    out = format_number(x, decimals, lang, suppressed=suppressed, missing=missing, status=status)
    if out in (*SYMBOLS, missing) or out.startswith(("-", NB_MINUS)):
        return out
    return out if _to_decimal(x).quantize(Decimal(1).scaleb(-decimals)) == 0 else "+" + out


# --- Dates ------------------------------------------------------------------------------------

MONTHS = {
    "nb": (
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def _year_month(ym: object) -> tuple[int, int]:
    if hasattr(ym, "year") and hasattr(ym, "month"):  # date, datetime, pd.Timestamp, pd.Period
        return int(ym.year), int(ym.month)  # type: ignore[attr-defined]
    if isinstance(ym, str):
        s = ym.strip().replace("-", "").replace("/", "")
        if len(s) != 6 or not s.isdigit():
            raise ValueError(f"not a year-month: {ym!r} (expected YYYYMM or YYYY-MM)")
        ym = int(s)
    if isinstance(ym, numbers.Real) and not isinstance(ym, bool) and float(ym).is_integer():
        v = int(ym)  # type: ignore[arg-type]
        return v // 100, v % 100
    raise TypeError(f"not a year-month: {ym!r}")


def format_year_month(
    ym: object, lang: str = "nb", *, capitalize: bool = False, missing: str = MISSING
) -> str:
    """``202203`` → ``"mars 2022"`` (nb) / ``"March 2022"`` (en).

    Accepts YYYYMM as int or string, ``"YYYY-MM"``, or a date/Timestamp/Period. Bokmål month names
    are lower case as in running text; ``capitalize=True`` for a table heading ("Mars 2022").
    """
    _check_lang(lang)
    if is_missing(ym):
        return missing
    year, month = _year_month(ym)
    if not 1 <= month <= 12:
        raise ValueError(f"month out of range in {ym!r}")
    name = MONTHS[lang][month - 1]
    if capitalize:
        name = name[0].upper() + name[1:]
    return f"{name} {year}"


def format_date(d: _dt.date | object, lang: str = "nb", *, missing: str = MISSING) -> str:
    """``date(2022, 3, 7)`` → ``"7. mars 2022"`` (nb) / ``"7 March 2022"`` (en)."""
    _check_lang(lang)
    if is_missing(d):
        return missing
    name = MONTHS[lang][d.month - 1]  # type: ignore[attr-defined]
    if lang == "nb":
        return f"{d.day}. {name} {d.year}"  # type: ignore[attr-defined]
    return f"{d.day} {name} {d.year}"  # type: ignore[attr-defined]


# --- Labels -----------------------------------------------------------------------------------

LABELS: dict[str, dict[str, dict[str, str]]] = {
    "status_group": {
        "ARBEIDSSOKER": {"nb": "Arbeidssøker", "en": "Job seeker"},
        "NEDSATT_ARBEIDSEVNE": {"nb": "Nedsatt arbeidsevne", "en": "Reduced work capacity"},
        "ANNET": {"nb": "Annet", "en": "Other"},
        "NEDSATT_ARBEIDSEVNE_ELLER_ANNET": {
            "nb": "Nedsatt arbeidsevne eller annet",
            "en": "Reduced work capacity or other",
        },
        "ALL": {"nb": "Alle", "en": "All"},
    },
    "purpose": {
        "ARBEIDSERFARING": {"nb": "Arbeidserfaring", "en": "Work experience"},
        "FAA_JOBB_I_BEDRIFTEN": {"nb": "Få jobb i bedriften", "en": "Job at the firm"},
        "UTPROVING": {"nb": "Utprøving", "en": "Trial"},
        "OPPNAA_FAGBREV_KOMPETANSEBEVIS": {
            "nb": "Oppnå fagbrev/kompetansebevis",
            "en": "Trade certificate",
        },
        "SPRAAKOPPLAERING": {"nb": "Språkopplæring", "en": "Language training"},
        "ANNET": {"nb": "Annet", "en": "Other"},
        "UKJENT": {"nb": "Ukjent (ingen digital avtale)", "en": "Unknown (no digital agreement)"},
        "ALL": {"nb": "Alle", "en": "All"},
    },
    "state": {
        "IN_ARBEIDSTRENING": {"nb": "I arbeidstrening", "en": "In work training"},
        "WAGE_SUBSIDY": {"nb": "Lønnstilskudd", "en": "Wage subsidy"},
        "OTHER_PROGRAMME": {"nb": "Annet tiltak", "en": "Other programme"},
        "EMPLOYED": {"nb": "I arbeid", "en": "Employed"},
        "EDUCATION": {"nb": "Utdanning", "en": "Education"},
        "UFORETRYGD": {"nb": "Uføretrygd", "en": "Disability benefit"},
        "AAP": {"nb": "AAP", "en": "Work assessment allowance (AAP)"},
        "JOBSEEKER": {"nb": "Arbeidssøker", "en": "Job seeker"},
        "NONE": {"nb": "Ingen registrert status", "en": "No registered status"},
        "ALL": {"nb": "Alle", "en": "All"},
    },
    "gender": {  # SSB codes
        "1": {"nb": "Menn", "en": "Men"},
        "2": {"nb": "Kvinner", "en": "Women"},
        "ALL": {"nb": "Begge kjønn", "en": "Both sexes"},
    },
    "immigrant_category": {  # SSB invkat
        "A": {
            "nb": "Uten innvandrerbakgrunn",
            "en": "Without immigrant background",
        },
        "B": {"nb": "Innvandrere", "en": "Immigrants"},
        "C": {
            "nb": "Norskfødte med innvandrerforeldre",
            "en": "Norwegian-born to immigrant parents",
        },
        "E": {
            "nb": "Utenlandsfødte med én norskfødt forelder",
            "en": "Foreign-born with one Norwegian-born parent",
        },
        "F": {
            "nb": "Norskfødte med én utenlandsfødt forelder",
            "en": "Norwegian-born with one foreign-born parent",
        },
        "G": {
            "nb": "Utenlandsfødte med to norskfødte foreldre",
            "en": "Foreign-born to two Norwegian-born parents",
        },
        "ALL": {"nb": "Alle", "en": "All"},
    },
    "benefit": {
        "AAP": {"nb": "Arbeidsavklaringspenger (AAP)", "en": "Work assessment allowance (AAP)"},
        "DAGPENGER": {"nb": "Dagpenger", "en": "Unemployment benefit"},
        "TILTAKSPENGER": {"nb": "Tiltakspenger", "en": "Programme allowance"},
        "UFORETRYGD": {"nb": "Uføretrygd", "en": "Disability benefit"},
        "SOSIALHJELP": {"nb": "Økonomisk sosialhjelp", "en": "Social assistance"},
        "KVP": {"nb": "Kvalifiseringsprogrammet", "en": "Qualification programme"},
        "ALL": {"nb": "Alle", "en": "All"},
    },
    "innsatsgruppe": {
        "STANDARD_INNSATS": {"nb": "Standard innsats", "en": "Standard support"},
        "SITUASJONSBESTEMT_INNSATS": {
            "nb": "Situasjonsbestemt innsats",
            "en": "Situational support",
        },
        "SPESIELT_TILPASSET_INNSATS": {
            "nb": "Spesielt tilpasset innsats",
            "en": "Specially adapted support",
        },
        "VARIG_TILPASSET_INNSATS": {
            "nb": "Varig tilpasset innsats",
            "en": "Permanently adapted support",
        },
        "ALL": {"nb": "Alle", "en": "All"},
    },
}
"""Display labels: ``LABELS[kind][code][lang]``. Gender codes are stored as strings ("1", "2")."""

# Lookup without a kind: the first kind (in LABELS order) that knows the code wins. The only
# codes in several kinds are ALL/ANNET/UFORETRYGD (same label everywhere) and AAP, which is the
# short state label "AAP" unless kind="benefit" is given.
_FLAT: dict[str, dict[str, str]] = {}
for _kind in LABELS.values():
    for _code, _labels in _kind.items():
        _FLAT.setdefault(_code, _labels)


def _code_key(code: object) -> str:
    if isinstance(code, numbers.Real) and not isinstance(code, bool) and float(code).is_integer():
        return str(int(code))  # type: ignore[arg-type]  # 1, 1.0, np.int64(1) -> "1"
    return str(code)


def label(code: object, lang: str = "nb", kind: str | None = None) -> str:
    """Display label of a code in `lang`; falls back to the code itself when unknown.

    `kind` (a key of :data:`LABELS`, e.g. ``"purpose"``) restricts the lookup; without it the first
    kind that knows the code is used. Missing codes give :data:`MISSING`.
    """
    _check_lang(lang)
    if is_missing(code):
        return MISSING
    key = _code_key(code)
    if kind is not None:
        if kind not in LABELS:
            raise KeyError(f"unknown label kind {kind!r}; known: {sorted(LABELS)}")
        entry = LABELS[kind].get(key)
    else:
        entry = _FLAT.get(key)
    return entry[lang] if entry else key


def labels(codes: Iterable[object], lang: str = "nb", kind: str | None = None) -> list[str]:
    """:func:`label` for each code (use ``series.map(lambda c: label(c, lang, kind))`` on frames)."""
    return [label(c, lang, kind) for c in codes]
