"""The hostile-input corpus: each case breaks a copy of the base extract and states its outcome.

`Publish`: the run goes to the end; `rejects` lists exactly the rejected rows (every other table
has none) and, unless said otherwise, every mart equals the clean base extract's. `Stop`: the run
stops before publication with a message holding every string in `contains` (file, line/row,
column, rule). In both, no person id of the extract and no `secrets` value may appear in any
message or warning.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tests.hostile.harness import (
    Result,
    append_csv,
    copy_extract,
    replace_column,
    rewrite_parquet,
    text_replace,
    valid_row,
)
from tests.input_builders import base_register


@dataclass
class Publish:
    rejects: dict[str, list[tuple[str, int, str, str]]] = field(default_factory=dict)
    marts_as_base: bool = True
    warnings: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    check: Callable[[Result, dict], None] | None = None
    run: dict = field(default_factory=dict)
    path: Path | None = None


@dataclass
class Stop:
    contains: tuple[str, ...]
    secrets: tuple[str, ...] = ()
    run: dict = field(default_factory=dict)
    path: Path | None = None


Expectation = Publish | Stop
CASES: dict[str, tuple[str, Callable[[Path], Expectation]]] = {}


def case(fmt: str):
    def register(fn: Callable[[Path], Expectation]):
        CASES[fn.__name__] = (fmt, fn)
        return fn

    return register


def _n(table: str) -> int:
    return len(base_register()[table])


def _extract(path: Path, **spec) -> None:
    (path / "extract.json").write_text(json.dumps(spec), encoding="utf-8")


def _oslo_instants(values: pa.ChunkedArray, tz: str) -> pa.Array:
    """Dates as the instants of Oslo midnight, stored with time zone `tz`."""
    stamps = [
        None if v is None else pd.Timestamp(v).tz_localize("Europe/Oslo").tz_convert(tz)
        for v in values.to_pylist()
    ]
    return pa.array(stamps, type=pa.timestamp("us", tz=tz))


# --- CSV dialect ------------------------------------------------------------------------------


@case("csv")
def utf8_bom(path: Path) -> Expectation:
    f = path / "persons.csv"
    f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes())
    return Publish()


@case("csv")
def semicolon_separated(path: Path) -> Expectation:
    f = path / "persons.csv"
    with open(f, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    with open(f, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\n").writerows(rows)
    return Stop(("persons.csv", "separated by semicolons", "expected a UTF-8 CSV file (comma"))


@case("csv")
def tab_separated(path: Path) -> Expectation:
    f = path / "benefit_spells.csv"
    with open(f, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    with open(f, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter="\t", lineterminator="\n").writerows(rows)
    return Stop(("benefit_spells.csv", "separated by tabs"))


@case("csv")
def crlf_line_endings(path: Path) -> Expectation:
    for f in path.glob("*.csv"):
        f.write_bytes(f.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    return Publish()


@case("csv")
def dates_dd_mm_yyyy(path: Path) -> Expectation:
    f = path / "programme_spells.csv"
    df = pd.read_csv(f, dtype=str, keep_default_na=False)
    for col in ("start_date", "end_date"):
        df[col] = [f"{v[8:10]}.{v[5:7]}.{v[0:4]}" if v else "" for v in df[col]]
    df.to_csv(f, index=False)
    n = _n("programme_spells")
    return Stop(
        (
            f"programme_spells: {n} of {n} rows rejected (100.0%)",
            "rejected share <= 5.0%",
            "wrong_type(start_date)",
        )
    )


@case("csv")
def header_only_file(path: Path) -> Expectation:
    f = path / "education_spells.csv"
    f.write_text(f.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    return Stop(("education_spells: the input holds no data rows", "covers 0 of the 36 months"))


@case("csv")
def empty_file(path: Path) -> Expectation:
    (path / "persons.csv").write_bytes(b"")
    return Stop(("persons.csv", "is empty (no header row)"))


@case("csv")
def csv_without_header(path: Path) -> Expectation:
    f = path / "persons.csv"
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    f.write_text("".join(lines[1:]), encoding="utf-8")
    first = lines[1].strip().split(",")
    return Stop(
        ("persons.csv", "the header row seems to be missing", "expected columns person_id"),
        secrets=tuple(v for v in first if len(v) >= 3),
    )


@case("csv")
def ragged_row(path: Path) -> Expectation:
    f = path / "persons.csv"
    with open(f, "a", encoding="utf-8") as fh:
        fh.write("P070,198001,1,A,3,0301,EXTRA\n")
    return Stop(("persons.csv", f"line {_n('persons') + 2}", "7 fields where the header has 6"))


@case("csv")
def embedded_newline_in_quotes(path: Path) -> Expectation:
    rows = append_csv(
        path / "at_agreements.csv",
        valid_row("at_agreements", agreement_id="A900", spell_id="S005", end_reason="FULL\nFORT"),
    )
    return Publish(
        rejects={
            "at_agreements": [("at_agreements.csv", rows[0], "control_character", "end_reason")]
        }
    )


@case("csv")
def bare_newline_splits_a_row(path: Path) -> Expectation:
    f = path / "benefit_spells.csv"
    with open(f, "a", encoding="utf-8") as fh:
        fh.write("P001,AAP,2020-01-01\n,2020-02-01,100\n")
    return Stop(
        (
            "benefit_spells.csv",
            f"line {_n('benefit_spells') + 2}",
            "3 fields where the header has 5",
        )
    )


@case("csv")
def nul_byte_in_id(path: Path) -> Expectation:
    rows = append_csv(path / "persons.csv", valid_row("persons", person_id="P900\x00X"))
    return Publish(
        rejects={"persons": [("persons.csv", rows[0], "control_character", "person_id")]}
    )


# --- column names -----------------------------------------------------------------------------


@case("csv")
def upper_case_column_names(path: Path) -> Expectation:
    f = path / "persons.csv"
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    f.write_text(lines[0].upper() + "".join(lines[1:]), encoding="utf-8")
    return Publish(warnings=("persons.csv: columns matched ignoring case: PERSON_ID -> person_id",))


@case("csv")
def duplicated_column_name(path: Path) -> Expectation:
    f = path / "persons.csv"
    df = pd.read_csv(f, dtype=str, keep_default_na=False)
    df.insert(len(df.columns), "gender ", "")  # a second, empty gender column
    df.to_csv(f, index=False)
    return Stop(("persons.csv", "column 'gender' is given 2 times", "each contract column once"))


@case("parquet")
def duplicated_column_ignoring_case(path: Path) -> Expectation:
    rewrite_parquet(
        path / "persons.parquet",
        lambda t: t.append_column("GENDER", pa.array([None] * t.num_rows, pa.int32())),
    )
    return Stop(("persons.parquet", "column 'gender' is given 2 times"))


@case("csv")
def national_id_column(path: Path) -> Expectation:
    f = path / "persons.csv"
    df = pd.read_csv(f, dtype=str, keep_default_na=False)
    df["fnr"] = [f"{10000000000 + 7919 * i}" for i in range(len(df))]
    df.to_csv(f, index=False)

    def no_trace(result: Result, _base: dict) -> None:
        cols = result.con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE column_name = 'fnr'"
        ).fetchone()[0]
        assert cols == 0

    return Publish(
        warnings=("persons: 1 column outside the contract not read: fnr",),
        secrets=("10000000000",),
        check=no_trace,
    )


# --- extract.json and the window ----------------------------------------------------------------


@case("csv")
def extract_json_not_an_object(path: Path) -> Expectation:
    (path / "extract.json").write_text("[]", encoding="utf-8")
    return Stop(("extract.json", "is not a JSON object"))


@case("csv")
def extract_json_with_bom(path: Path) -> Expectation:
    f = path / "extract.json"
    f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes())
    return Publish()


@case("csv")
def extract_json_unknown_key(path: Path) -> Expectation:
    _extract(path, observation_start="2019-01-01", observation_end="2021-12-31", note="x")
    return Publish(warnings=("extract.json: unknown key(s) ignored: note",))


@case("csv")
def extract_json_synthetic_as_text(path: Path) -> Expectation:
    _extract(path, observation_start="2019-01-01", observation_end="2021-12-31", synthetic="yes")
    return Stop(("extract.json", "synthetic is not true or false"))


@case("csv")
def extract_json_date_as_number(path: Path) -> Expectation:
    _extract(path, observation_start=20190101, observation_end="2021-12-31")
    return Stop(("extract.json", "observation_start is not a date string", "YYYY-MM-DD"))


@case("csv")
def empty_window(path: Path) -> Expectation:
    _extract(path, observation_start="2021-12-31", observation_end="2019-01-01")
    return Stop(("observation_end 2019-01-01 is before observation_start 2021-12-31",))


@case("csv")
def window_outside_the_data(path: Path) -> Expectation:
    _extract(path, observation_start="2010-01-01", observation_end="2012-12-31")
    return Stop(("employment_months: covers 0 of the 36 months", "no data in the window at all"))


@case("csv")
def window_past_the_data(path: Path) -> Expectation:
    _extract(path, observation_start="2019-01-01", observation_end="2022-12-31")
    return Stop(
        (
            "employment_months: covers 36 of the 48 months of the observation window 2019-01 to "
            "2022-12 (75.0%), below the rule window coverage >= 100%",
            "no data after 2021-12: the window extends 12 month(s) past the data",
            "set observation_end (extract.json or --observation-end) to 2021-12-31",
        )
    )


@case("csv")
def window_override_past_the_data(path: Path) -> Expectation:
    return Stop(
        ("employment_months: covers 36 of the 42 months", "to 2021-12-31"),
        run={"observation_end": "2022-06-30"},
    )


@case("csv")
def outlier_month_without_extract_json(path: Path) -> Expectation:
    (path / "extract.json").unlink()
    append_csv(path / "employment_months.csv", valid_row("employment_months", year_month=190001))

    def window(result: Result, _base: dict) -> None:
        got = result.con.execute(
            "SELECT observation_start, observation_end FROM meta.observation_window"
        )
        assert got.fetchone() == (dt.date(2019, 1, 1), dt.date(2021, 12, 31))

    return Publish(
        warnings=(
            "employment_months: 1 row(s) in 1 month(s) outside the window derived from the data",
        ),
        check=window,
    )


# --- Parquet physical types --------------------------------------------------------------------


@case("parquet")
def id_stored_as_double(path: Path) -> Expectation:
    rewrite_parquet(
        path / "employment_months.parquet",
        lambda t: replace_column(
            t, "person_id", pa.array([float(i) for i in range(t.num_rows)], pa.float64())
        ),
    )
    return Stop(
        (
            "employment_months.parquet",
            "column 'person_id' stored as double",
            "identifier or code stored as a number may have lost leading zeros",
        )
    )


@case("parquet")
def id_stored_as_int64(path: Path) -> Expectation:
    rewrite_parquet(
        path / "persons.parquet",
        lambda t: replace_column(t, "person_id", pa.array(range(t.num_rows), pa.int64())),
    )
    return Stop(("persons.parquet", "column 'person_id' stored as int64"))


@case("parquet")
def municipality_as_int64(path: Path) -> Expectation:
    rewrite_parquet(
        path / "persons.parquet",
        lambda t: replace_column(
            t,
            "municipality",
            pa.array([int(v) for v in t.column("municipality").to_pylist()], pa.int64()),
        ),
    )
    oslo = sum(p["municipality"] == "0301" for p in base_register()["persons"])

    def oslo_kept(result: Result, _base: dict) -> None:
        n = result.con.execute(
            "SELECT count(*) FROM staging.persons WHERE municipality = '0301'"
        ).fetchone()[0]
        assert n == oslo > 0

    return Publish(
        warnings=("persons.parquet: municipality stored as int64: zero-padded to 4 digits",),
        check=oslo_kept,
    )


def _tz_dates(path: Path, table: str, tz: str) -> None:
    def change(t: pa.Table) -> pa.Table:
        for col in ("start_date", "end_date"):
            t = replace_column(t, col, _oslo_instants(t.column(col), tz))
        return t

    rewrite_parquet(path / f"{table}.parquet", change)


@case("parquet")
def timestamps_with_time_zone_host_los_angeles(path: Path) -> Expectation:
    _tz_dates(path, "programme_spells", "Europe/Oslo")
    return Publish(
        warnings=("converted to the Norwegian civil date (Europe/Oslo)",),
        run={"time_zone": "America/Los_Angeles"},
    )


@case("parquet")
def timestamps_with_time_zone_host_kiritimati(path: Path) -> Expectation:
    _tz_dates(path, "programme_spells", "Europe/Oslo")
    return Publish(run={"time_zone": "Pacific/Kiritimati"})


@case("parquet")
def utc_instants_of_oslo_midnight(path: Path) -> Expectation:
    _tz_dates(path, "nav_status_spells", "UTC")
    return Publish(
        warnings=("nav_status_spells.parquet: start_date stored as timestamp[us, tz=UTC]",)
    )


@case("parquet")
def dates_as_naive_timestamps(path: Path) -> Expectation:
    def change(t: pa.Table) -> pa.Table:
        for col in ("start_date", "end_date"):
            t = replace_column(t, col, t.column(col).cast(pa.timestamp("ns")))
        return t

    rewrite_parquet(path / "benefit_spells.parquet", change)
    return Publish(warnings=("end_date stored as timestamp[ns]: its calendar date is used",))


@case("parquet")
def date_stored_as_integer(path: Path) -> Expectation:
    rewrite_parquet(
        path / "education_spells.parquet",
        lambda t: replace_column(
            t,
            "start_date",
            pa.array([int(d.strftime("%Y%m%d")) for d in t.column("start_date").to_pylist()]),
        ),
    )
    return Stop(
        ("education_spells.parquet", "column 'start_date' stored as int64", "requires a date")
    )


@case("parquet")
def earnings_as_double_with_a_fraction(path: Path) -> Expectation:
    extra = valid_row("employment_months", year_month=202107, earnings_nok=4999.5)

    def change(t: pa.Table) -> pa.Table:
        t = replace_column(t, "earnings_nok", t.column("earnings_nok").cast(pa.float64()))
        return pa.concat_tables([t, pa.Table.from_pylist([extra], schema=t.schema)])

    rewrite_parquet(path / "employment_months.parquet", change)
    row = _n("employment_months") + 1
    return Publish(
        rejects={
            "employment_months": [("employment_months.parquet", row, "not_integer", "earnings_nok")]
        },
        secrets=("4999.5",),
    )


@case("parquet")
def nan_percentage(path: Path) -> Expectation:
    extra = valid_row("programme_spells", spell_id="S901", part_time_pct=float("nan"))

    def change(t: pa.Table) -> pa.Table:
        return pa.concat_tables([t, pa.Table.from_pylist([extra], schema=t.schema)])

    rewrite_parquet(path / "programme_spells.parquet", change)
    row = _n("programme_spells") + 1
    return Publish(
        rejects={
            "programme_spells": [("programme_spells.parquet", row, "wrong_type", "part_time_pct")]
        }
    )


# --- values -----------------------------------------------------------------------------------


@case("csv")
def non_integer_earnings(path: Path) -> Expectation:
    rows = append_csv(
        path / "employment_months.csv",
        valid_row("employment_months", year_month=202107, earnings_nok="4999.5"),
    )
    return Publish(
        rejects={
            "employment_months": [("employment_months.csv", rows[0], "not_integer", "earnings_nok")]
        },
        secrets=("4999.5",),
    )


@case("csv")
def non_integer_gender(path: Path) -> Expectation:
    rows = append_csv(path / "persons.csv", valid_row("persons", person_id="P901", gender="1.5"))
    return Publish(rejects={"persons": [("persons.csv", rows[0], "not_integer", "gender")]})


@case("csv")
def absurd_values(path: Path) -> Expectation:
    f = path / "employment_months.csv"
    rows = append_csv(
        f,
        valid_row("employment_months", year_month=202107, earnings_nok=10**12),
        valid_row("employment_months", year_month=999912),
        valid_row("employment_months", year_month=202108, position_pct=250),
        valid_row("employment_months", year_month=202109, earnings_nok="1.2E+10"),
    )
    rule = [("earnings_nok", "out_of_range"), ("year_month", "out_of_range")]
    rule += [("position_pct", "out_of_range"), ("earnings_nok", "out_of_range")]
    return Publish(
        rejects={
            "employment_months": [
                ("employment_months.csv", r, rl, col)
                for r, (col, rl) in zip(rows, rule, strict=True)
            ]
        }
    )


@case("csv")
def numbers_written_for_people(path: Path) -> Expectation:
    rows = append_csv(
        path / "employment_months.csv",
        valid_row("employment_months", year_month=202107, earnings_nok="5 000"),
        valid_row("employment_months", year_month=202108, earnings_nok="0x10"),
        valid_row("employment_months", year_month=202109, earnings_nok="nan"),
    )
    return Publish(
        rejects={
            "employment_months": [
                ("employment_months.csv", r, "wrong_type", "earnings_nok") for r in rows
            ]
        }
    )


@case("csv")
def boolean_and_timestamp_text(path: Path) -> Expectation:
    rows = append_csv(
        path / "education_spells.csv",
        valid_row("education_spells", start_date="2020-01-15", apprentice="ja"),
        valid_row("education_spells", start_date="2020-01-16T00:00:00"),
    )
    return Publish(
        rejects={
            "education_spells": [
                ("education_spells.csv", rows[0], "wrong_type", "apprentice"),
                ("education_spells.csv", rows[1], "wrong_type", "start_date"),
            ]
        }
    )


@case("csv")
def whole_table_type_mixup(path: Path) -> Expectation:
    f = path / "persons.csv"
    df = pd.read_csv(f, dtype=str, keep_default_na=False)
    df["gender"] = ["M" if g == "1" else "K" for g in df["gender"]]
    df.to_csv(f, index=False)
    return Stop(("persons: 60 of 60 rows rejected (100.0%)", "wrong_type(gender) 60"))


@case("csv")
def overlapping_at_spells(path: Path) -> Expectation:
    spell = next(s for s in base_register()["programme_spells"] if s["spell_id"] == "S010")
    append_csv(
        path / "programme_spells.csv",
        dict(spell, spell_id="S910", start_date=spell["start_date"] + dt.timedelta(days=1)),
    )

    def persons_counted_once(result: Result, base: dict) -> None:
        marts = result.marts()
        assert marts["participants_monthly"] == base["participants_monthly"]
        n = result.con.execute("SELECT count(*) FROM panel.at_spells").fetchone()[0]
        assert n == base["__n_at_spells"] + 1

    return Publish(marts_as_base=False, check=persons_counted_once)


# --- layouts and paths -------------------------------------------------------------------------


@case("parquet")
def folder_layout(path: Path) -> Expectation:
    for table, parts in (("persons", 2), ("employment_months", 3)):
        t = pq.read_table(path / f"{table}.parquet")
        (path / f"{table}.parquet").unlink()
        folder = path / table
        folder.mkdir()
        size = -(-t.num_rows // parts)
        for k in range(parts):
            pq.write_table(t.slice(k * size, size), folder / f"part-{k}.parquet")
    (path / "employment_months" / "_SUCCESS").write_bytes(b"")
    (path / "employment_months" / ".part-0.parquet.crc").write_bytes(b"junk")

    def lineage(result: Result, _base: dict) -> None:
        files = result.con.execute(
            "SELECT DISTINCT _source_file FROM staging.employment_months ORDER BY 1"
        ).fetchall()
        assert files == [(f"employment_months/part-{k}.parquet",) for k in range(3)]

    return Publish(check=lineage)


@case("parquet")
def folder_with_mixed_id_types(path: Path) -> Expectation:
    t = pq.read_table(path / "employment_months.parquet")
    (path / "employment_months.parquet").unlink()
    folder = path / "employment_months"
    folder.mkdir()
    pq.write_table(t.slice(0, 100), folder / "part-1.parquet")
    rest = t.slice(100)
    pq.write_table(
        replace_column(rest, "person_id", pa.array(range(rest.num_rows), pa.int64())),
        folder / "part-2.parquet",
    )
    return Stop(("employment_months/part-2.parquet", "column 'person_id' stored as int64"))


@case("csv")
def glob_characters_in_directory_name(path: Path) -> Expectation:
    literal = copy_extract(path, path.parent / "in?")
    sibling = copy_extract(path, path.parent / "in1")
    (sibling / "persons.csv").write_text("person_id;gender\n", encoding="utf-8")
    (sibling / "programme_spells.csv").unlink()
    return Publish(path=literal)


@case("csv")
def bracket_characters_in_directory_name(path: Path) -> Expectation:
    literal = copy_extract(path, path.parent / "in[1]")
    copy_extract(path, path.parent / "in1")
    (path.parent / "in1" / "persons.csv").write_text("person_id;gender\n", encoding="utf-8")
    return Publish(path=literal)


# A CSV text replace keeps the helper in use for cases that need it.
__all__ = ["CASES", "Publish", "Stop", "text_replace"]
