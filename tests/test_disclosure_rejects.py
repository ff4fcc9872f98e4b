"""An extract with a handful of rule-breaking rows runs to the end: the reject summary is a
protected table like any other, never a reason to stop the run.

Reproduces the outside check's case (18 rejected rows among 1,500 persons stopped the run with
`CHECK FAILED published_warehouse:no_disclosure_violations`): a tiny synthetic register in CSV,
18 rows broken by hand, the whole pipeline with the report, all in temporary directories.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from analysis import disclosure as sdc


def _break_rows(path: Path, column: str, value: str, n: int, start: int = 5) -> None:
    """Set `column` to `value` in `n` data rows of a CSV file (every 7th from `start`)."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0].keys())
    picked = list(range(start, len(rows), 7))[:n]
    assert len(picked) == n
    for i in picked:
        rows[i][column] = value
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from analysis.synthetic import generate_register
    from pipelines.runner import run_pipeline

    root = tmp_path_factory.mktemp("rejects")
    reg = root / "register"
    generate_register(reg, scale=0.0025, seed=5, fmt="csv")
    _break_rows(reg / "employment_months.csv", "earnings_nok", "-100", 13)  # earnings >= 0
    _break_rows(reg / "benefit_spells.csv", "end_date", "2001-01-01", 3)  # end >= start
    _break_rows(reg / "nav_status_spells.csv", "status", "UKJENT_STATUS", 2)  # code list
    wh = root / "warehouse.duckdb"
    outcome = run_pipeline(
        reg, wh, echo=lambda *a, **k: None, report_dir=root / "report", report_languages=("nb",)
    )
    return outcome, wh, root


def test_run_with_rejected_rows_finishes_and_publishes(run):
    outcome, wh, root = run
    assert outcome.success, outcome.errors
    assert wh.exists()
    assert (root / "report" / "rapport.pdf").exists()
    con = duckdb.connect(str(wh), read_only=True)
    persons = con.execute("SELECT count(*) FROM staging.persons").fetchone()[0]
    rejected = con.execute("SELECT sum(rows_rejected) FROM meta.ingest_summary").fetchone()[0]
    assert 1000 <= persons <= 2000
    assert rejected == 18
    assert sdc.audit_protected(con) == []
    con.close()


def test_reject_summary_is_protected_not_fatal(run):
    _, wh, root = run
    con = duckdb.connect(str(wh), read_only=True)
    rej = con.execute("SELECT * FROM protected.reject_summary ORDER BY ALL").df()
    truth = con.execute("SELECT table_name, rule, n_rows FROM meta.reject_summary").df()
    ing = con.execute("SELECT * FROM protected.ingest_summary").df()
    con.close()
    assert len(rej) == len(truth) == 3
    # 3 and 2 rejected rows are confidential; so is whatever would give them back
    small = dict(zip(truth["table_name"], truth["n_rows"], strict=True))
    assert small["benefit_spells"] == 3 and small["nav_status_spells"] == 2
    for t in ("benefit_spells", "nav_status_spells"):
        assert (rej.loc[rej["table_name"] == t, "n_rows_status"] == ":").all()
        part = ing[ing["table_name"] == t].set_index("part")
        assert part.at["REJECTED", "n_rows_status"] == ":"
        assert ":" in set(part.loc[["ACCEPTED", "ALL"], "n_rows_status"])
    # the 13 rejected employment rows are published, as are the input sizes elsewhere
    emp = rej[rej["table_name"] == "employment_months"]
    assert emp["n_rows_status"].tolist() == [""] and emp["n_rows"].tolist() == [13]
    csv_file = root / "report" / "tabeller" / "reject_summary.csv"
    exported = csv_file.read_text(encoding="utf-8")
    assert "n_rows_status" in exported and ",:," in exported
