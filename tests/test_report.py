"""The report for the directorate: build_report (HTML + PDF, nb and en), disclosure control of
everything published, formatting conventions, robustness to missing tables.

One small warehouse per module: synthetic register (scale 0.01) -> the whole pipeline -> effects
(analysis.effects.build_effects without the slow IPW step when the pipeline has not already
written them; a small stand-in marts.effects table with the contract's columns if the effects
code is unavailable).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from analysis import disclosure as sdc
from analysis import formatting as fmt
from analysis.report import (
    ReportDataError,
    build_report,
    disclosure_violations,
    publishable_tables,
)
from analysis.report.document import Builder, Document, Section, section_titles
from analysis.report.publish import Published, check_tables
from analysis.report.render import render_html

pypdf = pytest.importorskip("pypdf")


def _fake_effects(con: duckdb.DuckDBPyConnection) -> None:
    """A stand-in marts.effects with the contract's columns (used only without analysis.effects)."""
    rows = []
    rng = np.random.default_rng(1)
    for est in ("callaway_santanna", "twfe_event_study", "naive"):
        for sub, n in (
            ("ALL", 400),
            ("purpose=ARBEIDSERFARING", 150),
            ("purpose=UKJENT", 247),
            ("purpose=SPRAAKOPPLAERING", 3),
        ):
            if est != "callaway_santanna" and sub != "ALL":
                continue
            for e in range(-12, 37):
                eff = (-0.05 if 0 <= e <= 5 else (0.04 if e > 5 else 0.0)) + rng.normal(0, 0.005)
                rows.append(
                    (
                        est,
                        "employed",
                        sub,
                        e,
                        eff,
                        0.01,
                        eff - 0.0196,
                        eff + 0.0196,
                        n,
                        est == "callaway_santanna",
                    )
                )
    df = pd.DataFrame(
        rows,
        columns=[
            "estimator",
            "outcome",
            "subgroup",
            "event_time",
            "estimate",
            "std_error",
            "ci_low",
            "ci_high",
            "n_treated",
            "is_headline",
        ],
    )
    con.register("_fake", df)
    con.execute("CREATE OR REPLACE TABLE marts.effects AS SELECT * FROM _fake")
    con.unregister("_fake")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    from analysis.synthetic import generate_register
    from pipelines.runner import run_pipeline

    root = tmp_path_factory.mktemp("report")
    reg, wh = root / "register", root / "warehouse.duckdb"
    generate_register(reg, scale=0.01, seed=11)
    outcome = run_pipeline(reg, wh, echo=lambda *a, **k: None, report_dir=root / "report")
    assert outcome.success, outcome.errors
    con = duckdb.connect(str(wh))
    try:
        have = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
            ).fetchall()
        }
        if "effects" not in have:
            try:
                from analysis.effects import build_effects

                build_effects(con, run_ipw=False)
            except ImportError:
                _fake_effects(con)
    finally:
        con.close()
    return wh


@pytest.fixture(scope="module")
def reports(warehouse, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("out")
    return {lang: build_report(warehouse, out, lang) for lang in ("nb", "en")}


def _pdf_text(path: Path) -> str:
    text = "\n".join(p.extract_text() or "" for p in pypdf.PdfReader(str(path)).pages)
    return _norm(text)


def _norm(text: str) -> str:
    text = text.replace("\u202f", " ").replace("\u00a0", " ").replace("\u2009", " ")
    return re.sub(r"\s+", " ", text)


# --- Files and structure -----------------------------------------------------------------------


def test_writes_html_pdf_and_tables_for_both_languages(reports):
    nb, en = reports["nb"], reports["en"]
    assert nb["html"].name == "rapport.html" and nb["pdf"].name == "rapport.pdf"
    assert en["html"].name == "report.html" and en["pdf"].name == "report.pdf"
    assert nb["html"].parent == en["html"].parent  # side by side
    for r in (nb, en):
        assert r["html"].stat().st_size > 10_000
        assert r["pdf"].read_bytes()[:5] == b"%PDF-"
        assert r["tables"], "no CSV export written"
        assert all(p.exists() for p in r["tables"])
    assert nb["tables_dir"].name == "tabeller" and en["tables_dir"].name == "tables"
    assert nb["sections"] == section_titles("nb")
    assert en["sections"] == section_titles("en")


def test_html_is_self_contained(reports):
    for r in reports.values():
        html = r["html"].read_text(encoding="utf-8")
        refs = re.findall(r'\b(?:src|href)\s*=\s*["\']([^"\']*)["\']', html)
        assert refs, "expected embedded figures"
        bad = [u for u in refs if not (u.startswith("data:") or u.startswith("#"))]
        assert not bad, bad[:5]
        assert "<link" not in html and "@import" not in html and "url(http" not in html
        assert html.count("data:image/svg+xml;base64,") >= 8


def test_html_has_every_section_heading_in_order(reports):
    for lang, r in reports.items():
        html = r["html"].read_text(encoding="utf-8")
        h2 = [re.sub(r"^\d+\.\s*", "", h) for h in re.findall(r"<h2>(.*?)</h2>", html)]
        titles = [t.replace("?", "?") for t in section_titles(lang)]
        import html as htmllib

        assert [htmllib.unescape(h) for h in h2] == titles


def test_pdf_has_headings_and_summary_numbers(reports):
    for lang, r in reports.items():
        text = _pdf_text(r["pdf"])
        for title in section_titles(lang):
            assert title in text, f"{lang}: heading {title!r} not in the PDF"
        assert r["summary_numbers"], "summary has no numbers"
        for number in r["summary_numbers"]:
            assert _norm(number) in text, f"{lang}: summary number {number!r} not in the PDF"


# --- Disclosure control --------------------------------------------------------------------------


def test_no_disclosure_violations(warehouse):
    assert disclosure_violations(warehouse) == {}


def test_publishable_tables_are_the_protected_ones_and_pass_the_check(warehouse):
    tables = publishable_tables(warehouse)
    for name in ("participants_monthly", "purpose_distribution", "transitions", "effects"):
        assert name in tables
    for name, (frame, kwargs) in tables.items():
        for c in (*kwargs["counts"], *kwargs["values"]):
            assert sdc.status_col(c) in frame.columns, (name, c)
            assert sdc.flag_col(c) in frame.columns, (name, c)
    # the small warehouse has small cells: suppression really happened somewhere
    assert (
        sum(int(f[sdc.flag_col(k["counts"][0])].sum()) for f, k in tables.values() if k["counts"])
        > 0
    )
    con = duckdb.connect(str(warehouse), read_only=True)
    assert sdc.audit_protected(con) == []  # the blocking check, run again on the published copy
    con.close()


def _count_columns(df: pd.DataFrame) -> list[str]:
    return [
        c
        for c in df.columns
        if (c == "n" or c.startswith("n_") or c.startswith("rows_"))
        and not c.endswith("_suppressed")
    ]


def test_csv_export_has_no_small_counts(reports):
    """Independent scan of every exported CSV: no count column holds a value 1-4."""
    for r in reports.values():
        files = sorted(r["tables_dir"].glob("*.csv"))
        assert len(files) >= 10
        for f in files:
            df = pd.read_csv(f)
            for c in _count_columns(df):
                v = pd.to_numeric(df[c], errors="coerce")
                small = df[(v > 0) & (v < 5)]
                assert small.empty, f"{f.name}: {c} has values 1-4"
            # suppressed cells are empty in the export, with a flag saying why
            for c in df.columns:
                if c.endswith("_suppressed"):
                    base = c[: -len("_suppressed")]
                    flagged = df[c].astype(str).str.lower().eq("true")
                    assert df.loc[flagged, base].isna().all(), f"{f.name}: {base}"


def test_small_cell_renders_as_colon_in_html():
    """A table with a cell below 5 shows ':' there (and not the number) in the rendered HTML."""
    raw = pd.DataFrame(
        {
            "purpose": ["ARBEIDSERFARING", "UTPROVING", "SPRAAKOPPLAERING", "ALL"],
            "n": [40, 17, 3, 60],
        }
    )
    sup = sdc.suppress_table(raw, "n", ["purpose"])
    kwargs = {"counts": ("n",), "values": ()}
    assert check_tables({"x": (sup, kwargs)}) == {}
    b = Builder({"x": Published("x", sup, kwargs, "", ())}, {}, "nb")
    rows = [
        [fmt.label(p, "nb", "purpose"), b.cell(sup, sup["purpose"] == p, "n")[0]]
        for p in raw["purpose"]
    ]
    sec = Section("test", "Test", [b.table("Små celler", ["Formål", "Antall"], rows)])
    html = render_html(Document("nb", "T", "S", [sec], [], [], ""))
    cells = re.findall(r'<td class="r">([^<]*)</td>', html)
    assert cells[2] == ":"  # the 3
    assert cells[1] == ":"  # the complementary suppression (17: smallest other cell)
    assert "3" not in cells and "17" not in cells
    assert cells[3] == "60" and cells[0] == "40"


@pytest.mark.parametrize(
    ("status", "shown"),
    [("", "25"), (":", ":"), (".", "."), ("..", "..")],
)
def test_each_symbol_renders_in_html(status, shown):
    """':' confidential, '.' not applicable, '..' not available: what the report prints for each
    status of a protected value, never a number in its place."""
    frame = pd.DataFrame(
        {
            "g": ["A"],
            "n": [25 if status == "" else np.nan],
            "n_status": [status],
            "n_suppressed": [status == ":"],
        }
    )
    b = Builder({"x": Published("x", frame, {"counts": ("n",), "values": ()}, "", ())}, {}, "nb")
    text, value = b.cell(frame, frame["g"] == "A", "n")
    assert text == shown
    assert (value == 25) if status == "" else np.isnan(value)
    sec = Section("test", "Test", [b.table("Symboler", ["G", "Antall"], [["A", text]])])
    html = render_html(Document("nb", "T", "S", [sec], [], [], ""))
    assert re.findall(r'<td class="r">([^<]*)</td>', html) == [shown]


def test_censored_value_is_not_drawn_as_zero(monkeypatch):
    """A share not yet observed (or suppressed) gets no bar and its symbol, not a bar of 0."""
    import matplotlib.axes

    from analysis.report import figures as figs

    bars, texts = [], []
    orig_barh, orig_bar = matplotlib.axes.Axes.barh, matplotlib.axes.Axes.bar
    orig_text = matplotlib.axes.Axes.text

    def barh(self, y, width, *a, **k):
        bars.append(np.atleast_1d(np.asarray(width, dtype=float)))
        return orig_barh(self, y, width, *a, **k)

    def bar(self, x, height, *a, **k):  # barh draws through bar: count vertical bars only
        if k.get("orientation", "vertical") == "vertical":
            bars.append(np.atleast_1d(np.asarray(height, dtype=float)))
        return orig_bar(self, x, height, *a, **k)

    def text(self, x, y, s, *a, **k):
        texts.append(s)
        return orig_text(self, x, y, s, *a, **k)

    monkeypatch.setattr(matplotlib.axes.Axes, "barh", barh)
    monkeypatch.setattr(matplotlib.axes.Axes, "bar", bar)
    monkeypatch.setattr(matplotlib.axes.Axes, "text", text)
    figs.grouped_bars(
        ["A", "B"],
        [("6 mnd.", [0.5, 0.4]), ("24 mnd.", [0.45, np.nan])],
        "nb",
        "Prosent",
        symbols=[[None, None], [None, ".."]],
    )
    assert [len(w) for w in bars] == [2, 1]  # B has no bar at 24 months
    assert np.isfinite(np.concatenate(bars)).all()
    assert texts == ["50", "40", "45", ".."]  # labelled '..' (not available), not 0
    bars.clear()
    texts.clear()
    figs.stacked_states(
        ["1", "24"], [("I arbeid", [0.5, np.nan]), ("Ingen", [0.5, np.nan])], "nb", "k", "%"
    )
    assert [len(h) for h in bars] == [1, 1] and np.isfinite(np.concatenate(bars)).all()
    assert ".." in texts  # the horizon not yet observed is marked, not drawn as an empty bar


# --- Formatting ------------------------------------------------------------------------------------


def _visible_text(html: str) -> str:
    html = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'src="data:[^"]*"', "", html)
    return re.sub(r"<[^>]+>", " ", html)


def test_nb_report_uses_norwegian_number_formats(reports):
    text = _visible_text(reports["nb"]["html"].read_text(encoding="utf-8"))
    assert re.search(r"\d\u202f\d{3}", text), "no thousands with narrow no-break space"
    assert re.search(r"\d,\d\u00a0%", text), "no decimal comma percentages like 1,5 %"
    assert not re.search(r"\d\.\d+\s?%", text), "English decimal point in a percentage"
    assert "\u2212" in text or "−" in text, "bokmål minus sign expected for negative effects"
    for word in ("Figure ", "Table ", "Source:", " the ", "Summary"):
        assert word not in text, f"English word {word!r} in the bokmål report"


def test_en_report_uses_english_formats(reports):
    text = _visible_text(reports["en"]["html"].read_text(encoding="utf-8"))
    assert re.search(r"\d,\d{3}", text)
    assert re.search(r"\d\.\d%", text)
    for word in ("Figur ", "Tabell ", "Kilde:", "Sammendrag"):
        assert word not in text, f"Norwegian word {word!r} in the English report"


# --- Missing tables --------------------------------------------------------------------------------


def _copy_without(warehouse: Path, tmp_path: Path, table: str) -> Path:
    wh = tmp_path / "copy.duckdb"
    shutil.copy(warehouse, wh)
    con = duckdb.connect(str(wh))
    con.execute(f"DROP TABLE {table}")
    con.close()
    return wh


def test_missing_core_table_raises(warehouse, tmp_path):
    wh = _copy_without(warehouse, tmp_path, "protected.transitions")
    with pytest.raises(ReportDataError, match="protected.transitions"):
        build_report(wh, tmp_path / "out", "nb")
    assert not (tmp_path / "out" / "rapport.pdf").exists()


def test_missing_optional_table_gets_a_note(warehouse, tmp_path):
    wh = _copy_without(warehouse, tmp_path, "protected.same_employer")
    res = build_report(wh, tmp_path / "out", "nb")
    assert "marts.same_employer" in res["missing"]
    html = res["html"].read_text(encoding="utf-8")
    assert "ikke tilgjengelig i denne kjøringen" in html
    assert not (res["tables_dir"] / "same_employer.csv").exists()


def test_cli_run(warehouse, tmp_path, capsys):
    import argparse

    from analysis.report import add_arguments, run

    p = argparse.ArgumentParser()
    add_arguments(p)
    args = p.parse_args(["--warehouse", str(tmp_path / "nope.duckdb"), "--out", str(tmp_path)])
    assert run(args) == 2
    assert "no warehouse" in capsys.readouterr().err


# --- Cost-effectiveness chapter ----------------------------------------------------------------

COST_TABLES = ("costs_per_participant", "cost_effectiveness", "cost_sensitivity")


def test_cost_chapter_in_html_and_pdf(reports):
    for lang, title in (("nb", "Kostnadseffektivitet"), ("en", "Cost-effectiveness")):
        r = reports[lang]
        titles = section_titles(lang)
        assert titles.index(title) == titles.index(section_titles(lang)[8]) + 1  # after effects
        assert not {f"marts.{t}" for t in COST_TABLES} & set(r["missing"])
        html = r["html"].read_text(encoding="utf-8")
        assert re.search(rf"<h2>\d+\. {re.escape(title)}</h2>", html)
        text = _pdf_text(r["pdf"])
        assert f"10. {title}" in text, f"{lang}: numbered cost chapter not in the PDF"
        # the method chapter moved to 11 and the references to it follow
        assert ("kapittel 11" if lang == "nb" else "chapter 11") in text
        # labels, not raw codes
        for code in ("programme_cost_pv", "nav_follow_up", "break_even_employment_pp", "npv"):
            assert code not in _visible_text(html), f"{lang}: raw code {code!r} in the report"


def test_cost_tables_are_exported_and_safe(reports, warehouse):
    for r in reports.values():
        for name in (*COST_TABLES, "cost_parameters"):
            path = r["tables_dir"] / f"{name}.csv"
            assert path.exists(), path
            assert len(pd.read_csv(path)) > 0
    tables = publishable_tables(warehouse)
    for name in COST_TABLES:
        frame, kwargs = tables[name]
        assert set(kwargs["counts"]) & {"n_participants", "n_cost_base"}
        assert check_tables({name: (frame, kwargs)}) == {}
    violations = disclosure_violations(warehouse)
    assert not {n for n in violations if n.startswith("cost")}, violations


def test_small_cost_subgroup_is_suppressed(warehouse, tmp_path):
    """A subgroup with 3 persons in the cost base: its amounts and NPVs are withheld everywhere."""
    wh = tmp_path / "small.duckdb"
    shutil.copy(warehouse, wh)
    con = duckdb.connect(str(wh))
    sub = con.execute(
        "SELECT subgroup FROM marts.cost_effectiveness WHERE subgroup LIKE 'purpose=%' "
        "ORDER BY n_cost_base LIMIT 1"
    ).fetchone()[0]
    con.execute(f"UPDATE marts.cost_effectiveness SET n_cost_base = 3 WHERE subgroup = '{sub}'")
    con.execute(
        f"UPDATE marts.costs_per_participant SET n_participants = 3 WHERE subgroup = '{sub}'"
    )
    sdc.write_protected(con, sdc.protect(con))  # the pipeline's protection step on this warehouse
    assert sdc.audit_protected(con) == []
    con.close()
    assert disclosure_violations(wh) == {}
    tables = publishable_tables(wh)
    for name, col in (
        ("cost_effectiveness", "estimate"),
        ("costs_per_participant", "nok_per_participant"),
        ("cost_sensitivity", "estimate"),
    ):
        f = tables[name][0]
        rows = f[f["subgroup"] == sub]
        assert len(rows) and rows[col].isna().all() and rows[sdc.flag_col(col)].all(), name
    res = build_report(wh, tmp_path / "out", "nb")
    csv = pd.read_csv(res["tables_dir"] / "cost_effectiveness.csv")
    assert csv.loc[csv["subgroup"] == sub, "estimate"].isna().all()


def test_missing_cost_tables_get_a_note(warehouse, tmp_path):
    wh = tmp_path / "nocost.duckdb"
    shutil.copy(warehouse, wh)
    con = duckdb.connect(str(wh))
    for t in COST_TABLES:
        con.execute(f"DROP TABLE IF EXISTS protected.{t}")  # the report reads protected tables only
    con.close()
    res = build_report(wh, tmp_path / "out", "en")
    assert "Cost-effectiveness" in res["sections"]
    assert "marts.cost_effectiveness" in res["missing"]
    html = res["html"].read_text(encoding="utf-8")
    assert "is not available in this run (table marts.cost_effectiveness is missing)" in html
    assert not (res["tables_dir"] / "cost_effectiveness.csv").exists()
