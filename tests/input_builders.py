"""Build small, valid input directories (and break them) for ingestion tests."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from analysis import contract
from analysis.contract import TABLES_BY_NAME

_ARROW = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "DATE": pa.date32(),
    "BOOLEAN": pa.bool_(),
}

D = dt.date


def minimal_register() -> dict[str, list[dict]]:
    """Three persons, an AT spell with an agreement and two purposes, a wage subsidy, jobs."""
    return {
        "persons": [
            dict(
                person_id="P1",
                birth_ym=199503,
                gender=2,
                immigrant_category="A",
                nus_level="4",
                municipality="0301",
            ),
            dict(
                person_id="P2",
                birth_ym=198011,
                gender=1,
                immigrant_category="B",
                nus_level="2",
                municipality="4601",
            ),
            dict(
                person_id="P3",
                birth_ym=200001,
                gender=1,
                immigrant_category="C",
                nus_level="9",
                municipality="5001",
            ),
        ],
        "nav_status_spells": [
            dict(
                person_id="P1",
                status="ARBEIDSSOKER",
                innsatsgruppe="SITUASJONSBESTEMT_INNSATS",
                start_date=D(2019, 11, 1),
                end_date=D(2020, 6, 30),
            ),
            dict(
                person_id="P2",
                status="NEDSATT_ARBEIDSEVNE",
                innsatsgruppe="SPESIELT_TILPASSET_INNSATS",
                start_date=D(2019, 1, 1),
                end_date=None,
            ),
            dict(
                person_id="P3",
                status="ARBEIDSSOKER",
                innsatsgruppe=None,
                start_date=D(2020, 2, 1),
                end_date=D(2020, 3, 31),
            ),
        ],
        "programme_spells": [
            dict(
                spell_id="S1",
                person_id="P1",
                programme_code="ARBTREN",
                start_date=D(2020, 1, 15),
                end_date=D(2020, 4, 10),
                participant_status="FULLF",
                part_time_pct=100.0,
                employer_org="910000001",
            ),
            dict(
                spell_id="S2",
                person_id="P1",
                programme_code="MIDLONTIL",
                start_date=D(2020, 4, 11),
                end_date=D(2020, 10, 10),
                participant_status="FULLF",
                part_time_pct=None,
                employer_org="910000001",
            ),
            dict(
                spell_id="S3",
                person_id="P2",
                programme_code="ARBTREN",
                start_date=D(2020, 12, 20),
                end_date=None,
                participant_status="GJENN",
                part_time_pct=50.0,
                employer_org="920000002",
            ),
            dict(
                spell_id="S4",
                person_id="P3",
                programme_code="GRUPPEAMO",
                start_date=D(2020, 2, 3),
                end_date=D(2020, 3, 20),
                participant_status="FULLF",
                part_time_pct=None,
                employer_org=None,
            ),
        ],
        "at_agreements": [
            dict(
                agreement_id="A1",
                spell_id="S1",
                agreed_start=D(2020, 1, 15),
                agreed_end=D(2020, 3, 31),
                position_pct=100.0,
                days_per_week=5.0,
                occupation_styrk08="5223",
                status="AVSLUTTET",
                end_reason="FULLFORT",
            ),
            dict(
                agreement_id="A2",
                spell_id="S3",
                agreed_start=D(2020, 12, 20),
                agreed_end=D(2021, 3, 20),
                position_pct=50.0,
                days_per_week=3.0,
                occupation_styrk08=None,
                status="GJENNOMFORES",
                end_reason=None,
            ),
        ],
        "at_agreement_purposes": [
            dict(agreement_id="A1", purpose="FAA_JOBB_I_BEDRIFTEN", rank=1),
            dict(agreement_id="A1", purpose="ARBEIDSERFARING", rank=2),
            dict(agreement_id="A2", purpose="UTPROVING", rank=1),
        ],
        "benefit_spells": [
            dict(
                person_id="P1",
                benefit="TILTAKSPENGER",
                start_date=D(2020, 1, 15),
                end_date=D(2020, 4, 10),
                degree_pct=100.0,
            ),
            dict(
                person_id="P2",
                benefit="AAP",
                start_date=D(2019, 3, 1),
                end_date=None,
                degree_pct=100.0,
            ),
        ],
        "employment_months": [
            dict(
                person_id="P1",
                year_month=202005,
                employer_org="910000001",
                earnings_nok=28000,
                position_pct=100.0,
            ),
            dict(
                person_id="P1",
                year_month=202006,
                employer_org="910000001",
                earnings_nok=28000,
                position_pct=100.0,
            ),
            dict(
                person_id="P3",
                year_month=202001,
                employer_org="930000003",
                earnings_nok=3000,
                position_pct=None,
            ),
            dict(
                person_id="P3",
                year_month=202001,
                employer_org="930000004",
                earnings_nok=4000,
                position_pct=20.0,
            ),
        ],
        "education_spells": [
            dict(
                person_id="P3",
                start_date=D(2020, 8, 15),
                end_date=None,
                nus_level="3",
                apprentice=True,
            ),
        ],
    }


def write_register(
    out: Path,
    tables: dict[str, list[dict]] | None = None,
    fmt: str = "parquet",
    window: tuple[str, str] | None = ("2019-01-01", "2021-12-31"),
) -> Path:
    """Write tables to `out` in the contract's layout (parquet or csv). Returns `out`."""
    tables = copy.deepcopy(tables if tables is not None else minimal_register())
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        spec = TABLES_BY_NAME[name]
        if fmt == "csv":
            write_csv(out / f"{name}.csv", rows, list(spec.column_names))
        else:
            schema = pa.schema([(c.name, _ARROW[c.sql_type]) for c in spec.columns])
            table = pa.Table.from_pylist(rows, schema=schema)
            pq.write_table(table, out / f"{name}.parquet")
    if window:
        (out / "extract.json").write_text(
            json.dumps({"observation_start": window[0], "observation_end": window[1]}),
            encoding="utf-8",
        )
    return out


def write_csv(path: Path, rows: list[dict], columns: list[str], encoding: str = "utf-8") -> None:
    """Write rows as CSV with a header; None -> empty field; values written as given."""
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else _text(row.get(c)) for c in columns])


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(value)
    return str(value)


BASE_WINDOW = ("2019-01-01", "2021-12-31")


def _month(offset: int) -> tuple[int, int]:
    """(year, month) of window month `offset` (0 = 2019-01)."""
    return 2019 + offset // 12, offset % 12 + 1


def _day(offset: int, day: int = 1) -> dt.date:
    year, month = _month(offset)
    return D(year, month, day)


def base_register(n_persons: int = 60, seed: int = 20240917) -> dict[str, list[dict]]:
    """A small, valid register that passes every plausibility gate at its defaults.

    Window 2019-01..2021-12 (36 months). Every dated table covers every month of the window
    (employment rows in every month, spells overlapping every month), and every table holds at
    least 40 rows, so one or two bad rows stay below the default rejected-share limit (5 %).
    Deterministic: the same arguments give the same rows.
    """
    import random

    rng = random.Random(seed)
    statuses = ("ARBEIDSSOKER", "NEDSATT_ARBEIDSEVNE")
    innsats = (
        "STANDARD_INNSATS",
        "SITUASJONSBESTEMT_INNSATS",
        "SPESIELT_TILPASSET_INNSATS",
        "VARIG_TILPASSET_INNSATS",
        None,
    )
    municipalities = ("0301", "4601", "5001", "1103", "3005", "0301")
    purposes = contract.PURPOSES
    benefits = contract.BENEFITS
    tables: dict[str, list[dict]] = {name: [] for name in TABLES_BY_NAME}
    for i in range(1, n_persons + 1):
        pid = f"P{i:03d}"
        tables["persons"].append(
            dict(
                person_id=pid,
                birth_ym=(1960 + rng.randrange(42)) * 100 + rng.randrange(1, 13),
                gender=1 + i % 2,
                immigrant_category="ABCEFG"[rng.randrange(6)],
                nus_level=str(rng.randrange(10)),
                municipality=municipalities[i % len(municipalities)],
            )
        )
        # NAV status: from 2018, one spell; every third person changes status during the window
        change = 6 + rng.randrange(24) if i % 3 == 0 else None
        first = statuses[i % 2]
        tables["nav_status_spells"].append(
            dict(
                person_id=pid,
                status=first,
                innsatsgruppe=innsats[i % len(innsats)],
                start_date=D(2018, 1 + i % 12, 1 + i % 27),
                end_date=_day(change, 1) - dt.timedelta(days=1) if change else None,
            )
        )
        if change:
            tables["nav_status_spells"].append(
                dict(
                    person_id=pid,
                    status=statuses[(i + 1) % 2],
                    innsatsgruppe=innsats[(i + 2) % len(innsats)],
                    start_date=_day(change, 1),
                    end_date=None if i % 2 else _day(min(change + 8, 35), 28),
                )
            )
        # an Arbeidstrening spell for everyone, starting month 0..29, lasting 1..6 months
        start = (i * 7) % 30
        length = 1 + rng.randrange(6)
        ongoing = start + length > 35 or i % 11 == 0
        at_status = "GJENN" if ongoing else ("DELAVB" if i % 13 == 0 else "FULLF")
        sid = f"S{i:03d}"
        employer = f"9{(i * 7919) % 10**8:08d}"
        at_start = _day(start, 1 + i % 25)
        at_end = None if ongoing else _day(start + length, 3 + i % 24)
        tables["programme_spells"].append(
            dict(
                spell_id=sid,
                person_id=pid,
                programme_code="ARBTREN",
                start_date=at_start,
                end_date=at_end,
                participant_status=at_status,
                part_time_pct=float(50 + 10 * (i % 6)),
                employer_org=employer,
            )
        )
        if i % 5:
            aid = f"A{i:03d}"
            agreed_end = at_start + dt.timedelta(days=60 + 15 * (i % 8))
            tables["at_agreements"].append(
                dict(
                    agreement_id=aid,
                    spell_id=sid,
                    agreed_start=at_start,
                    agreed_end=agreed_end,
                    position_pct=float(40 + 10 * (i % 7)),
                    days_per_week=float(2 + i % 4),
                    occupation_styrk08=f"{4000 + i * 37 % 5000:04d}" if i % 4 else None,
                    status="GJENNOMFORES" if ongoing else "AVSLUTTET",
                    end_reason=None if ongoing else "FULLFORT",
                )
            )
            tables["at_agreement_purposes"].append(
                dict(agreement_id=aid, purpose=purposes[i % len(purposes)], rank=1)
            )
            if i % 3 == 0:
                tables["at_agreement_purposes"].append(
                    dict(agreement_id=aid, purpose=purposes[(i + 2) % len(purposes)], rank=2)
                )
        # after the AT spell: a wage subsidy at the same employer for some, another programme
        # for others, one spell that did not take place
        if not ongoing and i % 4 == 0:
            tables["programme_spells"].append(
                dict(
                    spell_id=f"W{i:03d}",
                    person_id=pid,
                    programme_code="MIDLONTIL",
                    start_date=at_end + dt.timedelta(days=1),
                    end_date=at_end + dt.timedelta(days=120),
                    participant_status="FULLF",
                    part_time_pct=None,
                    employer_org=employer,
                )
            )
        if i % 6 == 1:
            tables["programme_spells"].append(
                dict(
                    spell_id=f"G{i:03d}",
                    person_id=pid,
                    programme_code="GRUPPEAMO",
                    start_date=_day((start + 20) % 34, 10),
                    end_date=_day((start + 20) % 34 + 1, 20),
                    participant_status="IKKEM" if i % 12 == 1 else "FULLF",
                    part_time_pct=None,
                    employer_org=None,
                )
            )
        # one benefit spell each
        b_start = _day(rng.randrange(30), 1 + rng.randrange(27))
        tables["benefit_spells"].append(
            dict(
                person_id=pid,
                benefit=benefits[i % len(benefits)],
                start_date=b_start,
                end_date=None if i % 4 == 0 else b_start + dt.timedelta(days=30 * (1 + i % 9)),
                degree_pct=float(50 + 25 * (i % 3)) if i % 5 else None,
            )
        )
        # jobs: a run of months after the AT spell (some below the threshold), in 1-2 firms
        first_job = min(35, start + length + i % 3)
        for m in range(first_job, min(36, first_job + 3 + i % 12)):
            year, month = _month(m)
            tables["employment_months"].append(
                dict(
                    person_id=pid,
                    year_month=year * 100 + month,
                    employer_org=employer,
                    earnings_nok=4_000 + 1_000 * ((i + m) % 30),
                    position_pct=float(20 + 10 * (i % 8)),
                )
            )
            if (i + m) % 10 == 0:
                tables["employment_months"].append(
                    dict(
                        person_id=pid,
                        year_month=year * 100 + month,
                        employer_org="912345678",
                        earnings_nok=1_500,
                        position_pct=None,
                    )
                )
        if i % 4 != 3:
            e_start = _day((i * 5) % 34, 15)
            tables["education_spells"].append(
                dict(
                    person_id=pid,
                    start_date=e_start,
                    end_date=None if i % 5 == 0 else e_start + dt.timedelta(days=90 + 30 * (i % 5)),
                    nus_level=str(2 + i % 6),
                    apprentice=i % 7 == 0,
                )
            )
    # anchors: one person works, receives AAP, is enrolled and in a programme every month
    for m in range(36):
        year, month = _month(m)
        tables["employment_months"].append(
            dict(
                person_id="P001",
                year_month=year * 100 + month,
                employer_org="998877665",
                earnings_nok=31_000,
                position_pct=100.0,
            )
        )
    tables["benefit_spells"].append(
        dict(
            person_id="P002",
            benefit="AAP",
            start_date=D(2017, 3, 1),
            end_date=None,
            degree_pct=100.0,
        )
    )
    tables["education_spells"].append(
        dict(
            person_id="P003",
            start_date=D(2017, 8, 15),
            end_date=None,
            nus_level="4",
            apprentice=False,
        )
    )
    tables["programme_spells"].append(
        dict(
            spell_id="X001",
            person_id="P004",
            programme_code="ARBFORB",
            start_date=D(2018, 6, 1),
            end_date=None,
            participant_status="GJENN",
            part_time_pct=100.0,
            employer_org=None,
        )
    )
    return tables
