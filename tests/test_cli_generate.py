"""`arbeidstrening generate --if-missing` (what `make run` and `make generate` call): a register
with the asked settings is kept, one with other settings is regenerated and says so, a real
extract is never overwritten; extract.json records preset, scale and seed."""

from __future__ import annotations

import json

from pipelines.cli import main

SMALL = ["--scale", "0.001", "--seed", "3"]


def _generate(capsys, out, *args: str) -> tuple[int, str, str]:
    code = main(["generate", "--out", str(out), "--if-missing", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_generate_records_its_settings_and_regenerates_only_for_other_ones(tmp_path, capsys):
    out = tmp_path / "register"
    code, _, _ = _generate(capsys, out, *SMALL)
    assert code == 0
    extract = json.loads((out / "extract.json").read_text(encoding="utf-8"))
    assert {k: extract[k] for k in ("synthetic", "preset", "scale", "seed")} == {
        "synthetic": True,
        "preset": "hard",
        "scale": 0.001,
        "seed": 3,
    }
    persons = (out / "persons.parquet").stat().st_mtime_ns
    code, text, _ = _generate(capsys, out, *SMALL)
    assert code == 0 and "already present" in text
    assert (out / "persons.parquet").stat().st_mtime_ns == persons
    code, text, _ = _generate(capsys, out, "--scale", "0.001", "--seed", "4")
    assert code == 0
    assert "another world (hard, scale 0.001, seed 3); regenerating" in text
    assert json.loads((out / "extract.json").read_text(encoding="utf-8"))["seed"] == 4


def test_a_real_extract_is_never_overwritten(tmp_path, capsys):
    out = tmp_path / "extract"
    out.mkdir()
    (out / "persons.csv").write_text("person_id\n", encoding="utf-8")
    (out / "extract.json").write_text('{"observation_start": "2020-01-01"}', encoding="utf-8")
    code, _, err = _generate(capsys, out, *SMALL)
    assert code == 2 and err.count("error:") == 1 and "not synthetic" in err
    assert sorted(p.name for p in out.iterdir()) == ["extract.json", "persons.csv"]
