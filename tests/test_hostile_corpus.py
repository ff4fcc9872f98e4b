"""The hostile-input corpus (tests/hostile/cases.py): every case ends as its expectation says.

Each case breaks a copy of one small base extract (60 persons, 36 months) in one way and runs it
through ingestion, the plausibility gates, the panel and the marts (the library functions the
pipeline's assets call). A `Publish` case must reject exactly the rows it planted and leave every
mart equal to the clean extract's; a `Stop` case must stop with a message naming file, row or
line, column and rule. No message or warning may hold a person id or a planted value.
"""

from __future__ import annotations

import pytest

from tests.hostile.cases import CASES, Publish, Stop
from tests.hostile.harness import ALL_TABLES, copy_extract, run_extract, write_base
from tests.input_builders import base_register

PERSON_IDS = tuple(p["person_id"] for p in base_register()["persons"])


@pytest.fixture(scope="module")
def bases(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-base")
    return {fmt: write_base(root, fmt) for fmt in ("csv", "parquet")}


@pytest.fixture(scope="module")
def base_marts(bases):
    result = run_extract(bases["csv"])
    assert not result.stopped, result.message
    marts = result.marts()
    marts["__n_at_spells"] = result.con.execute("SELECT count(*) FROM panel.at_spells").fetchone()[
        0
    ]
    for fmt in ("parquet",):
        other = run_extract(bases[fmt])
        assert not other.stopped and other.marts() == {
            k: v for k, v in marts.items() if not k.startswith("__")
        }
    return marts


def test_corpus_is_large_enough():
    assert len(CASES) >= 40
    assert len({fmt for fmt, _ in CASES.values()}) == 2  # CSV and Parquet extracts both broken


def test_base_extract_publishes_without_rejects(bases, base_marts):
    result = run_extract(bases["csv"])
    assert not result.stopped and result.warnings == []
    for table in ALL_TABLES:
        assert result.rejects(table) == [], table
    assert all(rows for name, rows in base_marts.items() if not name.startswith("__"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_case(name, bases, base_marts, tmp_path):
    fmt, build = CASES[name]
    path = copy_extract(bases[fmt], tmp_path / "in")
    expect = build(path)
    result = run_extract(expect.path or path, **expect.run)
    said = "\n".join([result.message, *result.warnings])
    for secret in (*PERSON_IDS, *expect.secrets):
        assert secret not in said, f"{name}: {secret!r} in {said!r}"
    if isinstance(expect, Stop):
        assert result.stopped, f"{name}: expected a stop, the run went through"
        for part in expect.contains:
            assert part in result.message, f"{name}: {part!r} not in {result.message!r}"
        return
    assert isinstance(expect, Publish)
    assert not result.stopped, f"{name}: {result.message}"
    for part in expect.warnings:
        assert any(part in w for w in result.warnings), f"{name}: {part!r} not in {result.warnings}"
    for table in ALL_TABLES:
        assert result.rejects(table) == expect.rejects.get(table, []), f"{name}: {table}"
    if expect.marts_as_base:
        base = {k: v for k, v in base_marts.items() if not k.startswith("__")}
        assert result.marts() == base, name
    if expect.check:
        expect.check(result, base_marts)
