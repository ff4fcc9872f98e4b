"""Self-benchmark: fill staging with a random population in SQL and time the panel and each mart.

Run by hand, e.g.::

    .venv/bin/python benchmarks/bench_marts.py --persons 600000 --memory-limit 10GB

The population is random but shaped like the real registers at full scale (108 months,
~600k persons, tens of millions of employment rows, a few million programme spells); it is meant
for timing only, not for plausible results. Rows are generated with deterministic hashes, so two
runs with the same seed produce the same data.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

import duckdb

from analysis.warehouse import create_empty_staging, set_observation_window

# h(a, b): a deterministic pseudo-random integer 0..999_999 from the person, a row number and the
# seed (DuckDB's hash() is stable across runs).
_MACRO = """
CREATE OR REPLACE TEMP MACRO h(a, b, salt) AS CAST(hash(a, b, salt, getvariable('bench_seed')) % 1000000 AS BIGINT);
CREATE OR REPLACE TEMP MACRO day_from(a, b, salt, lo, span) AS
    CAST(lo AS DATE) + CAST(h(a, b, salt) % span AS INTEGER);
"""

_FILL = """
INSERT INTO staging.persons
SELECT
    'P' || lpad(CAST(i AS VARCHAR), 8, '0'),
    CAST(1950 + h(i, 0, 'by') % 55 AS INTEGER) * 100 + CAST(1 + h(i, 0, 'bm') % 12 AS INTEGER),
    CAST(1 + h(i, 0, 'g') % 2 AS INTEGER),
    ['A', 'A', 'A', 'B', 'B', 'C', 'E', 'F', 'G'][1 + h(i, 0, 'ic') % 9],
    CAST(h(i, 0, 'nus') % 10 AS VARCHAR),
    lpad(CAST(100 + h(i, 0, 'mu') % 5000 AS VARCHAR), 4, '0'),
    'bench', i
FROM range($n) t(i);

-- NAV status spells: 0-3 per person (some overlapping)
INSERT INTO staging.nav_status_spells
SELECT
    'P' || lpad(CAST(i AS VARCHAR), 8, '0'),
    CASE WHEN h(i, k, 'st') % 3 = 0 THEN 'ARBEIDSSOKER' ELSE 'NEDSATT_ARBEIDSEVNE' END,
    ['STANDARD_INNSATS', 'SITUASJONSBESTEMT_INNSATS', 'SPESIELT_TILPASSET_INNSATS',
     'VARIG_TILPASSET_INNSATS'][1 + h(i, k, 'ig') % 4],
    day_from(i, k, 'ss', '2015-01-01', 3600) + CAST(k AS INTEGER),
    CASE WHEN h(i, k, 'so') % 10 < 2 THEN NULL
         ELSE day_from(i, k, 'ss', '2015-01-01', 3600) + CAST(k AS INTEGER) + CAST(h(i, k, 'sl') % 900 AS INTEGER) END,
    'bench', i * 10 + k
FROM range($n) t(i), range(3) s(k)
WHERE h(i, k, 'sn') % 10 < 5;

-- Programme spells: about 4 per person on average, a third of them ARBTREN
INSERT INTO staging.programme_spells
WITH draws AS (
    SELECT i, k,
        h(i, k, 'pc') % 30 AS pc,
        day_from(i, k, 'ps', '2015-06-01', 3500) AS start_date,
        h(i, k, 'pl') % 400 AS len,
        h(i, k, 'po') % 100 AS open_draw,
        h(i, k, 'pst') % 100 AS st
    FROM range($n) t(i), range(8) s(k)
    WHERE h(i, k, 'pn') % 100 < 50
)
SELECT
    'S' || lpad(CAST(i AS VARCHAR), 8, '0') || '_' || k,
    'P' || lpad(CAST(i AS VARCHAR), 8, '0'),
    CASE
        WHEN pc < 10 THEN 'ARBTREN'
        WHEN pc < 14 THEN 'MIDLONTIL'
        WHEN pc < 15 THEN 'VARLONTIL'
        ELSE ['GRUPPEAMO', 'ENKELAMO', 'GRUFAGYRKE', 'ARBFORB', 'INDOPPFAG', 'AVKLARAG',
              'UTVAOONAV', 'JOBBK', 'DIGIOPPARB', 'IPSUNG', 'VASV', 'MENTOR', 'INKLUTILS',
              'PRAKSORD', 'HOYEREUTD'][pc - 14]
    END,
    start_date,
    CASE WHEN open_draw < 5 THEN NULL ELSE start_date + CAST(len AS INTEGER) END,
    CASE WHEN st < 55 THEN 'FULLF' WHEN st < 65 THEN 'GJENN' WHEN st < 75 THEN 'DELAVB'
         WHEN st < 80 THEN 'GJENN_AVB' WHEN st < 88 THEN 'IKKEM' WHEN st < 92 THEN 'AVSLAG'
         ELSE 'TILBUD' END,
    100.0,
    CASE WHEN pc < 15 THEN CAST(100000000 + (i % 90000) * 7 AS VARCHAR) END,
    'bench', i * 10 + k
FROM draws;

INSERT INTO staging.at_agreements
SELECT
    'A' || spell_id || '_' || j,
    spell_id,
    start_date + CAST(j * 90 AS INTEGER),
    start_date + CAST(j * 90 AS INTEGER) + CAST(h(_source_row, j, 'al') % 200 AS INTEGER),
    100.0, 5.0, NULL,
    CASE WHEN h(_source_row, j, 'as') % 10 = 0 THEN 'ANNULLERT' ELSE 'AVSLUTTET' END,
    NULL, 'bench', _source_row * 10 + j
FROM staging.programme_spells, range(2) r(j)
WHERE programme_code = 'ARBTREN' AND (j = 0 AND h(_source_row, 0, 'ah') % 10 < 7
                                      OR j = 1 AND h(_source_row, 1, 'ah') % 10 < 2);

INSERT INTO staging.at_agreement_purposes
SELECT
    agreement_id,
    ['ARBEIDSERFARING', 'FAA_JOBB_I_BEDRIFTEN', 'UTPROVING', 'OPPNAA_FAGBREV_KOMPETANSEBEVIS',
     'SPRAAKOPPLAERING', 'ANNET'][1 + (h(_source_row, 0, 'pp') + r) % 6],
    CAST(r + 1 AS INTEGER),
    'bench', _source_row * 10 + r
FROM staging.at_agreements, range(3) t(r)
WHERE r = 0 OR h(_source_row, r, 'pr') % 10 < 3;

INSERT INTO staging.benefit_spells
SELECT
    'P' || lpad(CAST(i AS VARCHAR), 8, '0'),
    ['AAP', 'DAGPENGER', 'TILTAKSPENGER', 'UFORETRYGD', 'SOSIALHJELP', 'KVP'][1 + k],
    day_from(i, k, 'bs', '2015-01-01', 3600),
    CASE WHEN h(i, k, 'bo') % 10 < 2 THEN NULL
         ELSE day_from(i, k, 'bs', '2015-01-01', 3600) + CAST(h(i, k, 'bl') % 700 AS INTEGER) END,
    100.0, 'bench', i * 10 + k
FROM range($n) t(i), range(6) s(k)
WHERE h(i, k, 'bn') % 100 < 30;

-- Employment: up to three job spells per person, each expanded to months (~30M rows at 600k)
INSERT INTO staging.employment_months
WITH jobs AS (
    SELECT i, k,
        2016 * 12 + h(i, k, 'js') % 108 AS first_month,
        h(i, k, 'jl') % 60 AS n_months
    FROM range($n) t(i), range(3) s(k)
    WHERE h(i, k, 'jn') % 100 < 55
),
job_months AS (
    SELECT i, k, unnest(range(first_month, least(first_month + n_months, 2024 * 12 + 12))) AS mi
    FROM jobs
)
SELECT
    'P' || lpad(CAST(i AS VARCHAR), 8, '0'),
    CAST((mi // 12) * 100 + mi % 12 + 1 AS INTEGER),
    CAST(100000000 + (i % 90000) * 7 + k * 3 AS VARCHAR),
    CAST(h(i, mi, 'je') % 40000 AS BIGINT),
    50.0, 'bench', i * 1000 + mi % 1000
FROM job_months;

INSERT INTO staging.education_spells
SELECT
    'P' || lpad(CAST(i AS VARCHAR), 8, '0'),
    day_from(i, 0, 'es', '2015-01-01', 3600),
    day_from(i, 0, 'es', '2015-01-01', 3600) + CAST(h(i, 0, 'el') % 900 AS INTEGER),
    CAST(2 + h(i, 0, 'nl') % 6 AS VARCHAR),
    h(i, 0, 'ea') % 3 = 0,
    'bench', i
FROM range($n) t(i)
WHERE h(i, 0, 'en') % 100 < 15;
"""


def fill_random_staging(con: duckdb.DuckDBPyConnection, n_persons: int, seed: int = 1) -> dict:
    """Create staging tables and fill them with a random population of `n_persons` persons in a
    2016-2024 window. Returns the row count of each staging table."""
    create_empty_staging(con)
    set_observation_window(con, "2016-01-01", "2024-12-31", "benchmark")
    con.execute(f"SET VARIABLE bench_seed = {int(seed)}")
    con.execute(_MACRO)
    for statement in _FILL.split(";\n"):
        if statement.strip():
            con.execute(statement.replace("$n", str(int(n_persons))))
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'staging' ORDER BY 1"
        ).fetchall()
    ]
    return {t: con.execute(f"SELECT count(*) FROM staging.{t}").fetchone()[0] for t in tables}


def run_benchmark(
    n_persons: int = 600_000,
    memory_limit: str = "10GB",
    threads: int = 2,
    path: str | None = None,
) -> dict:
    """Fill a fresh warehouse with `n_persons` random persons, build the panel and every mart,
    and return seconds per step (plus staging row counts)."""
    from analysis.marts import MART_STEPS
    from analysis.panel import build_panel

    tmpdir = None
    if path is None:
        tmpdir = tempfile.mkdtemp(prefix="at_bench_")
        path = os.path.join(tmpdir, "bench.duckdb")
    con = duckdb.connect(path)
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET threads = {int(threads)}")
    con.execute("SET enable_progress_bar = false")
    result: dict = {"n_persons": n_persons, "seconds": {}}
    t0 = time.perf_counter()
    result["staging_rows"] = fill_random_staging(con, n_persons)
    result["seconds"]["fill_staging"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    result["panel"] = build_panel(con)
    result["seconds"]["build_panel"] = round(time.perf_counter() - t0, 2)
    marts_total = 0.0
    for step in MART_STEPS:
        t0 = time.perf_counter()
        result.setdefault("marts", {})[step.name] = step.build(con)
        dt = time.perf_counter() - t0
        marts_total += dt
        result["seconds"][f"mart:{step.name}"] = round(dt, 2)
    result["seconds"]["all_marts"] = round(marts_total, 2)
    con.close()
    if tmpdir is not None:
        for f in os.listdir(tmpdir):
            os.remove(os.path.join(tmpdir, f))
        os.rmdir(tmpdir)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=600_000)
    parser.add_argument("--memory-limit", default="10GB")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--path", default=None, help="warehouse file (default: a temp file)")
    args = parser.parse_args()
    result = run_benchmark(args.persons, args.memory_limit, args.threads, args.path)
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
