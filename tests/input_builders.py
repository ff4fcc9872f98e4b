"""Build small, valid input directories (and break them) for ingestion tests."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

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
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else _text(row.get(c)) for c in columns])


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(value)
    return str(value)
