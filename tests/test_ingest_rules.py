"""Row-level contract rules: every broken row lands in rejects with its rule; nothing is lost."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from analysis.contract import TABLES
from analysis.ingest import ingest_directory
from tests.input_builders import minimal_register, write_csv, write_register


@pytest.fixture
def con():
    c = duckdb.connect()
    yield c
    c.close()


def _rejects(con, table):
    return con.execute(
        f"SELECT _source_row, rule, column_name, bad_value FROM rejects.{table} ORDER BY _source_row"
    ).fetchall()


def _assert_conserved(con):
    for t in TABLES:
        rows_in, acc, rej = con.execute(
            f"SELECT (SELECT count(*) FROM raw.{t.name}), (SELECT count(*) FROM staging.{t.name}), "
            f"(SELECT count(*) FROM rejects.{t.name})"
        ).fetchone()
        assert rows_in == acc + rej, t.name


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_valid_register_is_accepted_whole(tmp_path, con, fmt):
    counts = ingest_directory(con, write_register(tmp_path / fmt, fmt=fmt))
    expected = {name: len(rows) for name, rows in minimal_register().items()}
    assert {n: c["rows_accepted"] for n, c in counts.items()} == expected
    assert all(c["rows_rejected"] == 0 for c in counts.values())
    assert con.execute("SELECT * FROM meta.observation_window").fetchone()[:2] == (
        dt.date(2019, 1, 1),
        dt.date(2021, 12, 31),
    )
    # typed exactly as the contract says
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() "
            "WHERE schema_name = 'staging' AND table_name = 'programme_spells'"
        ).fetchall()
    )
    assert types["start_date"] == "DATE" and types["part_time_pct"] == "DOUBLE"


def test_csv_and_parquet_give_identical_staging(tmp_path, con):
    ingest_directory(con, write_register(tmp_path / "p", fmt="parquet"))
    con2 = duckdb.connect()
    ingest_directory(con2, write_register(tmp_path / "c", fmt="csv"))
    for t in TABLES:
        cols = ", ".join(f'"{c}"' for c in t.column_names)
        a = con.execute(f"SELECT {cols} FROM staging.{t.name} ORDER BY ALL").fetchall()
        b = con2.execute(f"SELECT {cols} FROM staging.{t.name} ORDER BY ALL").fetchall()
        assert a == b, t.name


def test_wrong_types_unknown_codes_ranges_and_formats(tmp_path, con):
    reg = write_register(tmp_path / "in", fmt="csv")
    rows = minimal_register()["persons"] + [
        dict(
            person_id="P4",
            birth_ym="1990-01",
            gender=1,
            immigrant_category="A",
            nus_level="4",
            municipality="0301",
        ),
        dict(
            person_id="P5",
            birth_ym=199001,
            gender=3,
            immigrant_category="A",
            nus_level="4",
            municipality="0301",
        ),
        dict(
            person_id="P6",
            birth_ym=199013,
            gender=1,
            immigrant_category="A",
            nus_level="4",
            municipality="0301",
        ),
        dict(
            person_id="P7",
            birth_ym=199001,
            gender=1,
            immigrant_category="X",
            nus_level="44",
            municipality="301",
        ),
        dict(
            person_id="",
            birth_ym=199001,
            gender=1,
            immigrant_category="A",
            nus_level="4",
            municipality="0301",
        ),
    ]
    write_csv(
        reg / "persons.csv",
        rows,
        ["person_id", "birth_ym", "gender", "immigrant_category", "nus_level", "municipality"],
    )
    emp = minimal_register()["employment_months"] + [
        dict(
            person_id="P1",
            year_month=202007,
            employer_org="91000000",
            earnings_nok=100,
            position_pct=50.0,
        ),
        dict(
            person_id="P1",
            year_month=202008,
            employer_org="910000001",
            earnings_nok=-5,
            position_pct=50.0,
        ),
        dict(
            person_id="P1",
            year_month=202009,
            employer_org="910000001",
            earnings_nok="12,5",
            position_pct=150.0,
        ),
    ]
    write_csv(
        reg / "employment_months.csv",
        emp,
        ["person_id", "year_month", "employer_org", "earnings_nok", "position_pct"],
    )
    ingest_directory(con, reg)
    assert _rejects(con, "persons") == [
        (4, "wrong_type", "birth_ym", "1990-01"),
        (5, "unknown_code", "gender", "3"),
        (6, "invalid_month", "birth_ym", "199013"),
        (7, "unknown_code", "immigrant_category", "X"),
        (8, "missing_value", "person_id", None),
    ]
    # P7 broke three rules; all are listed
    broken = con.execute(
        "SELECT rules_broken FROM rejects.persons WHERE person_id = 'P7'"
    ).fetchone()[0]
    assert broken == [
        "unknown_code(immigrant_category)",
        "bad_format(nus_level)",
        "bad_format(municipality)",
    ]
    assert _rejects(con, "employment_months") == [
        (5, "bad_format", "employer_org", "91000000"),
        (6, "out_of_range", "earnings_nok", "-5"),
        (7, "wrong_type", "earnings_nok", "12,5"),
    ]
    # raw keeps every column as read, extra columns included
    assert con.execute("SELECT count(*) FROM raw.persons").fetchone()[0] == 8
    _assert_conserved(con)


def test_dates_end_before_start_and_employer_rule(tmp_path, con):
    reg = write_register(tmp_path / "in", fmt="csv")
    spells = minimal_register()["programme_spells"] + [
        dict(
            spell_id="S5",
            person_id="P1",
            programme_code="ARBTREN",
            start_date="2021-03-01",
            end_date="2021-02-28",
            participant_status="FULLF",
            part_time_pct=None,
            employer_org="910000001",
        ),
        dict(
            spell_id="S6",
            person_id="P1",
            programme_code="ARBTREN",
            start_date="01.03.2021",
            end_date=None,
            participant_status="FULLF",
            part_time_pct=None,
            employer_org="910000001",
        ),
        dict(
            spell_id="S7",
            person_id="P1",
            programme_code="VARLONTIL",
            start_date="2021-03-01",
            end_date=None,
            participant_status="GJENN",
            part_time_pct=None,
            employer_org=None,
        ),
        dict(
            spell_id="S8",
            person_id="P1",
            programme_code="ARBTREN",
            start_date="2021-02-30",
            end_date=None,
            participant_status="GJENN",
            part_time_pct=None,
            employer_org="910000001",
        ),
        dict(
            spell_id="S9",
            person_id="P1",
            programme_code="NOSUCH",
            start_date="2021-03-01",
            end_date=None,
            participant_status="DONE",
            part_time_pct=None,
            employer_org=None,
        ),
    ]
    cols = [
        "spell_id",
        "person_id",
        "programme_code",
        "start_date",
        "end_date",
        "participant_status",
        "part_time_pct",
        "employer_org",
    ]
    write_csv(reg / "programme_spells.csv", spells, cols)
    ingest_directory(con, reg)
    assert _rejects(con, "programme_spells") == [
        (5, "end_before_start", "end_date", "2021-02-28"),
        (6, "wrong_type", "start_date", "01.03.2021"),
        (7, "employer_missing", "employer_org", None),
        (8, "wrong_type", "start_date", "2021-02-30"),
        (9, "unknown_code", "programme_code", "NOSUCH"),
    ]
    _assert_conserved(con)


def test_orphans_cascade_through_references(tmp_path, con):
    tables = minimal_register()
    tables["employment_months"].append(
        dict(
            person_id="P404",
            year_month=202001,
            employer_org="910000001",
            earnings_nok=1,
            position_pct=None,
        )
    )
    tables["at_agreements"] += [
        dict(
            agreement_id="A3",
            spell_id="S404",
            agreed_start=dt.date(2020, 1, 1),
            agreed_end=dt.date(2020, 2, 1),
            position_pct=50.0,
            days_per_week=3.0,
            occupation_styrk08=None,
            status="AVSLUTTET",
            end_reason=None,
        ),
        dict(
            agreement_id="A4",
            spell_id="S4",
            agreed_start=dt.date(2020, 1, 1),
            agreed_end=dt.date(2020, 2, 1),
            position_pct=50.0,
            days_per_week=3.0,
            occupation_styrk08=None,
            status="AVSLUTTET",
            end_reason=None,
        ),
    ]
    tables["at_agreement_purposes"] += [
        dict(agreement_id="A3", purpose="ANNET", rank=1),  # its agreement was rejected
        dict(agreement_id="A9", purpose="ANNET", rank=1),  # never existed
    ]
    # P2 duplicated with different data: both copies rejected, so P2's other rows become orphans
    tables["persons"].append(
        dict(
            person_id="P2",
            birth_ym=198012,
            gender=1,
            immigrant_category="B",
            nus_level="2",
            municipality="4601",
        )
    )
    ingest_directory(con, write_register(tmp_path / "in", tables))
    assert [r[1:3] for r in _rejects(con, "persons")] == [("duplicate_key", "person_id")] * 2
    assert _rejects(con, "employment_months")[0][1:] == ("unknown_person", "person_id", "P404")
    agreement_rules = dict(
        con.execute("SELECT agreement_id, rule FROM rejects.at_agreements").fetchall()
    )
    assert agreement_rules["A3"] == "unknown_spell"
    assert agreement_rules["A4"] == "spell_not_arbtren"
    # S3 belonged to P2 (rejected), so its agreement A2 and A2's purpose cascade out too
    assert agreement_rules["A2"] == "unknown_spell"
    purpose_rules = {r[3]: r[1] for r in _rejects(con, "at_agreement_purposes")}
    assert purpose_rules == {
        "A3": "unknown_agreement",
        "A9": "unknown_agreement",
        "A2": "unknown_agreement",
    }
    assert (
        con.execute(
            "SELECT count(*) FROM staging.nav_status_spells WHERE person_id = 'P2'"
        ).fetchone()[0]
        == 0
    )
    _assert_conserved(con)


def test_exact_duplicates_keep_first_copy(tmp_path, con):
    tables = minimal_register()
    tables["employment_months"].append(dict(tables["employment_months"][0]))
    tables["employment_months"].append(dict(tables["employment_months"][1], earnings_nok=1))
    ingest_directory(con, write_register(tmp_path / "in", tables))
    rej = _rejects(con, "employment_months")
    # row 5 is an exact copy of row 1 -> only the copy is rejected;
    # rows 2 and 6 share a key but disagree -> both are rejected
    assert [(r[0], r[1]) for r in rej] == [
        (2, "duplicate_key"),
        (5, "duplicate_row"),
        (6, "duplicate_key"),
    ]
    assert rej[0][2] == "person_id,year_month,employer_org"
    kept = con.execute("SELECT _source_row FROM staging.employment_months ORDER BY 1").fetchall()
    assert kept == [(1,), (3,), (4,)]
    _assert_conserved(con)


def test_reject_summary_and_ingest_summary(tmp_path, con):
    tables = minimal_register()
    tables["benefit_spells"].append(
        dict(
            person_id="P1",
            benefit="LOTTO",
            start_date=dt.date(2020, 1, 1),
            end_date=None,
            degree_pct=None,
        )
    )
    ingest_directory(con, write_register(tmp_path / "in", tables))
    assert con.execute(
        "SELECT rows_in, rows_accepted, rows_rejected FROM meta.ingest_summary WHERE table_name = 'benefit_spells'"
    ).fetchone() == (3, 2, 1)
    assert con.execute(
        "SELECT rule, column_name, n_rows FROM meta.reject_summary WHERE table_name = 'benefit_spells'"
    ).fetchall() == [("unknown_code", "benefit", 1)]


NUMBER_TEXTS = [
    "12", "-12", "0", "-0", "007", "+5", "1e3", "1.5E3", "4999.5", ".5", "5.", " 12 ", "12,5",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808", "1_000", "0x10",
    "NaN", "inf", "-Infinity", "-", "", "   ", "1e400", "١٢", "12\t", None,
]  # fmt: skip


def test_number_fast_path_agrees_with_the_number_rule(con):
    """`_number`'s shortcut for canonical integers accepts exactly what the plain-decimal rule
    accepts, with the same value."""
    from analysis.contract import Column
    from analysis.ingest.validate import _number, _plain_decimal, _text

    col = Column("v", "DOUBLE", "a number")
    rule = _plain_decimal(_text(col))
    con.execute("CREATE TABLE t (i INTEGER, v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(NUMBER_TEXTS)))
    rows = con.execute(f"SELECT i, {_number(col)}, {rule} FROM t r ORDER BY i").fetchall()
    assert [r[1] for r in rows] == [r[2] for r in rows]
    accepted = {NUMBER_TEXTS[i] for i, fast, _ in rows if fast is not None}
    assert {"12", "-0", "007", "+5", "1e3", " 12 ", "9223372036854775808"} <= accepted
    assert not {"12,5", "1_000", "0x10", "NaN", "inf", "1e400", "", None} & accepted
