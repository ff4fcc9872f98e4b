"""The project's contract document stays in step with the contract in code."""

from __future__ import annotations

from pathlib import Path

from analysis.contract import TABLES
from analysis.ingest.validate import __doc__ as rules_doc

ROOT = Path(__file__).resolve().parents[1]


def test_every_contract_table_and_column_is_documented():
    text = (ROOT / "docs" / "CONTRACT.md").read_text(encoding="utf-8")
    for table in TABLES:
        assert f"`{table.name}`" in text, table.name
        for column in table.column_names:
            assert f"`{column}`" in text, f"{table.name}.{column}"


def test_every_validation_rule_is_documented():
    text = (ROOT / "docs" / "CONTRACT.md").read_text(encoding="utf-8")
    rules = [line.split("`")[1] for line in rules_doc.splitlines() if line.startswith("- `")]
    assert len(rules) >= 14
    for rule in rules:
        assert f"`{rule}`" in text, rule


def test_every_start_here_view_is_documented():
    from analysis.views import VIEWS

    contract = (ROOT / "docs" / "CONTRACT.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for view in VIEWS:
        assert f"`{view.name}`" in contract and f"| `{view.name}` |" in readme, view.name
