"""Validate `raw.<table>` against the input contract into `staging.<table>` and `rejects.<table>`.

`raw` holds every contract column as text (see `analysis.ingest.read`), so CSV and Parquet input
meet the same rules. Text is trimmed of surrounding spaces; an all-space value is empty.

Rules, checked in this order; a row is rejected for the first rule it breaks and the rejects
table also lists every row-level rule it broke (`rules_broken`):

Row rules (one per column where they apply)
- `missing_value`   a required column is empty
- `wrong_type`      the text cannot be read as the column's type: numbers are plain decimals
                    (`-12`, `4999.5`, `1.5e3`; no thousands separators, hex, NaN or infinity),
                    dates ISO `YYYY-MM-DD` and real calendar dates, booleans true/false/t/f/1/0
- `not_integer`     a whole number is required and the value has a fraction (4999.5, gender 1.5):
                    never rounded
- `control_character` text holding a control character (newline, tab, NUL, ...)
- `unknown_code`    a code is not in the contract's code list
- `bad_format`      text does not match the required pattern (9-digit org number, 4-digit municipality, one-digit NUS)
- `out_of_range`    a value is outside its allowed range (percentages 0-100, earnings 0 to 10^9,
                    YYYYMM 190001-210012, dates from 1900-01-01, ...)
- `invalid_month`   a YYYYMM value whose month part is not 1-12
- `end_before_start` end date earlier than start date
- `employer_missing` an ARBTREN, MIDLONTIL or VARLONTIL spell without employer_org
Key rules (among rows that pass the row rules)
- `duplicate_row`   an exact copy of an earlier row (same key, same values): the first copy is kept
- `duplicate_key`   rows sharing a key but disagreeing on other values: all of them are rejected,
                    since there is no way to know which is right
Referential rules (against the accepted rows of the referenced table)
- `unknown_person`  person_id not in staging.persons
- `unknown_spell`   an agreement's spell_id not in staging.programme_spells
- `spell_not_arbtren` an agreement's spell_id points to a spell that is not ARBTREN
- `unknown_agreement` a purpose's agreement_id not in staging.at_agreements

Rows in = rows accepted + rows rejected, per table; nothing is dropped silently.
"""

from __future__ import annotations

import duckdb

from analysis.contract import DATE_MIN, EMPLOYER_REQUIRED_CODES, Column, Table
from analysis.warehouse import (
    apply_comments,
    comment_staging_table,
    create_schemas,
    quote_literal,
    staging_ddl,
)

REJECT_COLUMNS: dict[str, str] = {
    "rule": "the first contract rule the row broke (see the ingestion documentation)",
    "column_name": "the column the rule concerns (key columns for duplicate rules)",
    "bad_value": "the offending value as text",
    "rules_broken": "every row-level rule the row broke, as rule(column)",
}

_ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
# A plain decimal number: sign, digits, optional fraction, optional exponent.
_NUMBER = r"[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?"
_BOOLEAN = r"(?i)true|false|t|f|1|0"
_CONTROL = r"[\x00-\x1f\x7f]"
# Integers are parsed through DOUBLE, exact up to 2^53; integer columns are bounded by their type.
_INTEGER_BOUNDS = {"INTEGER": (-(2**31) + 1, 2**31 - 1), "BIGINT": (-(2**53), 2**53)}
NUMERIC = ("INTEGER", "BIGINT", "DOUBLE")


def _text(col: Column) -> str:
    return f"NULLIF(trim(r.\"{col.name}\"), '')"


def _plain_decimal(text: str) -> str:
    """The number rule: `text` (SQL) as a finite DOUBLE if it is a plain decimal, else NULL."""
    return (
        f"CASE WHEN regexp_full_match({text}, '{_NUMBER}') "
        f"AND isfinite(TRY_CAST({text} AS DOUBLE)) THEN TRY_CAST({text} AS DOUBLE) END"
    )


def _number(col: Column) -> str:
    """The column's text as a finite DOUBLE, NULL when empty or not a plain decimal number."""
    text = _text(col)
    # fast path without the regular expression: text that is exactly an integer's own rendering
    # (e.g. `4999`, `-12`; no sign, zero padding or space) is a plain decimal number; anything
    # else (incl. `+5`, `007`, `4999.5`, `1e3`) goes through the full rule
    return (
        f"CASE WHEN CAST(TRY_CAST({text} AS BIGINT) AS VARCHAR) = {text} "
        f"THEN CAST({text} AS DOUBLE) ELSE {_plain_decimal(text)} END"
    )


def _typed(col: Column) -> str:
    """The column in its contract type, NULL when empty, unreadable, fractional or out of type."""
    text = _text(col)
    if col.sql_type == "VARCHAR":
        return text
    if col.sql_type == "DATE":
        return (
            f"CASE WHEN regexp_full_match({text}, '{_ISO_DATE}') THEN TRY_CAST({text} AS DATE) END"
        )
    if col.sql_type == "BOOLEAN":
        return f"CASE WHEN regexp_full_match({text}, '{_BOOLEAN}') THEN TRY_CAST({text} AS BOOLEAN) END"
    number = f'r."__n_{col.name}"'
    if col.sql_type == "DOUBLE":
        return number
    lo, hi = _INTEGER_BOUNDS[col.sql_type]
    return (
        f"CASE WHEN {number} = trunc({number}) AND {number} BETWEEN {lo} AND {hi} "
        f"THEN CAST({number} AS {col.sql_type}) END"
    )


def _is_empty(col: Column) -> str:
    return f'(r."{col.name}" IS NULL OR trim(r."{col.name}") = \'\')'


def _problem(rule: str, column: str, condition: str) -> tuple[str, str]:
    """The rule's condition and the problem it records (rule, column, offending text)."""
    return condition, (
        f"CASE WHEN {condition} THEN {{'rule': {quote_literal(rule)}, "
        f"'column_name': {quote_literal(column)}, 'bad_value': r.\"{column}\"}} END"
    )


def _bounds(col: Column) -> tuple[float | None, float | None]:
    lo, hi = col.min, col.max
    if col.sql_type in _INTEGER_BOUNDS:
        tlo, thi = _INTEGER_BOUNDS[col.sql_type]
        lo = tlo if lo is None else max(lo, tlo)
        hi = thi if hi is None else min(hi, thi)
    return lo, hi


def _row_rules(table: Table) -> list[tuple[str, str]]:
    """Each row rule of the table as (condition, problem); see `_problem`."""
    problems: list[tuple[str, str]] = []
    for col in table.columns:
        empty = _is_empty(col)
        typed = f'"__t_{col.name}"'
        number = f'"__n_{col.name}"'
        if col.required:
            problems.append(_problem("missing_value", col.name, empty))
        if col.sql_type in NUMERIC:
            problems.append(_problem("wrong_type", col.name, f"NOT {empty} AND {number} IS NULL"))
        else:
            problems.append(_problem("wrong_type", col.name, f"NOT {empty} AND {typed} IS NULL"))
        if col.sql_type in _INTEGER_BOUNDS:
            problems.append(
                _problem(
                    "not_integer", col.name, f"{number} IS NOT NULL AND {number} <> trunc({number})"
                )
            )
        if col.sql_type == "VARCHAR":
            problems.append(
                _problem(
                    "control_character",
                    col.name,
                    f"{typed} IS NOT NULL AND regexp_matches({typed}, '{_CONTROL}')",
                )
            )
        if col.codes is not None:
            codes = ", ".join(quote_literal(str(c)) for c in col.codes)
            problems.append(
                _problem(
                    "unknown_code",
                    col.name,
                    f"{typed} IS NOT NULL AND CAST({typed} AS VARCHAR) NOT IN ({codes})",
                )
            )
        if col.pattern is not None:
            problems.append(
                _problem(
                    "bad_format",
                    col.name,
                    f"{typed} IS NOT NULL AND NOT regexp_full_match({typed}, {quote_literal(col.pattern)})",
                )
            )
        lo, hi = _bounds(col)
        bounds = []
        value = number if col.sql_type in NUMERIC else typed
        if lo is not None:
            bounds.append(f"{value} < {lo}")
        if hi is not None:
            bounds.append(f"{value} > {hi}")
        if col.sql_type == "DATE":
            bounds.append(f"{typed} < DATE '{DATE_MIN}'")
        if bounds:
            problems.append(
                _problem(
                    "out_of_range", col.name, f"{value} IS NOT NULL AND ({' OR '.join(bounds)})"
                )
            )
        if col.yyyymm:
            problems.append(
                _problem(
                    "invalid_month",
                    col.name,
                    f"{typed} IS NOT NULL AND ({typed} % 100) NOT BETWEEN 1 AND 12",
                )
            )
    if table.date_order:
        start, end = table.date_order
        problems.append(_problem("end_before_start", end, f'"__t_{end}" < "__t_{start}"'))
    if "employer_required" in table.extra_rules:
        codes = ", ".join(quote_literal(c) for c in EMPLOYER_REQUIRED_CODES)
        problems.append(
            _problem(
                "employer_missing",
                "employer_org",
                f'"__t_programme_code" IN ({codes}) AND "__t_employer_org" IS NULL',
            )
        )
    return problems


def _checked_sql(table: Table) -> str:
    """One pass over raw: typed columns plus the list of row-rule problems.

    Numbers, then typed columns, are computed in subqueries so that the rules can refer to them.
    """
    # raw values are needed only to evaluate the rules; afterwards the typed columns, lineage and
    # problems are kept (rejects join back to raw by rowid), so raw is not stored a second time
    kept_typed = ", ".join(f'r."__t_{c.name}"' for c in table.columns)
    numbers = "".join(
        f',\n      {_number(c)} AS "__n_{c.name}"' for c in table.columns if c.sql_type in NUMERIC
    )
    typed_cols = ",\n    ".join(f'{_typed(c)} AS "__t_{c.name}"' for c in table.columns)
    rules = _row_rules(table)
    # the list of problems is built only for rows that break a rule: most rows break none, and
    # testing the conditions is several times cheaper than building and filtering the list (a
    # condition that is NULL adds no problem either way, so the OR needs no coalesce)
    any_broken = "\n      OR ".join(condition for condition, _ in rules)
    problems = ",\n      ".join(problem for _, problem in rules)
    return f"""
CREATE OR REPLACE TEMP TABLE __checked AS
SELECT
  r.__rid,
  r._source_file,
  r._source_row,
  {kept_typed},
  CASE WHEN {any_broken}
  THEN list_filter([
      {problems}
  ], p -> p IS NOT NULL)
  ELSE [] END AS __problems
FROM (
  SELECT
    r.*,
    {typed_cols}
  FROM (
    SELECT r.rowid AS __rid, r.*{numbers}
    FROM raw.{table.name} r
  ) r
) r
"""


def _key_rejects_sql(table: Table) -> str:
    keys = ", ".join(f'"__t_{k}"' for k in table.key)
    row_struct = "struct_pack(" + ", ".join(f'"{c}" := "__t_{c}"' for c in table.column_names) + ")"
    key_label = quote_literal(",".join(table.key))
    key_value = (
        "concat_ws('|', " + ", ".join(f'CAST("__t_{k}" AS VARCHAR)' for k in table.key) + ")"
    )
    return f"""
INSERT INTO __later_rejects
WITH rows_passing_row_rules AS NOT MATERIALIZED (  -- a filter, not a copy of the table
  SELECT * FROM __checked WHERE len(__problems) = 0
),
repeated_keys AS (  -- cheap first pass: distinct versions are counted only where keys repeat
  SELECT {keys}
  FROM rows_passing_row_rules
  GROUP BY {keys}
  HAVING count(*) > 1
),
duplicated_keys AS (
  SELECT {keys}, count(DISTINCT {row_struct}) AS n_versions
  FROM rows_passing_row_rules
  SEMI JOIN repeated_keys USING ({keys})
  GROUP BY {keys}
),
rows_with_duplicated_key AS (
  SELECT c.__rid, c._source_file, c._source_row, d.n_versions, {key_value} AS key_value,
         row_number() OVER (PARTITION BY {", ".join(f'c."__t_{k}"' for k in table.key)}
                            ORDER BY c._source_file, c._source_row) AS copy_number
  FROM rows_passing_row_rules c
  JOIN duplicated_keys d USING ({keys})
)
SELECT __rid,
       CASE WHEN n_versions > 1 THEN 'duplicate_key' ELSE 'duplicate_row' END AS rule,
       {key_label} AS column_name,
       key_value AS bad_value
FROM rows_with_duplicated_key
WHERE n_versions > 1 OR copy_number > 1
"""


def _reference_rejects_sql(table: Table) -> list[str]:
    """INSERT statements for the table's referential rules (`Column.references`, with the
    optional `reference_condition`), applied to rows that passed everything so far.

    "Rows without a match" is an ANTI JOIN here and in `build_staging`: DuckDB plans the
    equivalent NOT EXISTS as a delim join, several times slower on large tables (stop 34)."""
    still_ok = "len(c.__problems) = 0 AND c.__rid NOT IN (SELECT __rid FROM __later_rejects)"
    statements: list[str] = []
    for column in table.columns:
        if not column.references or table.name == column.references.split(".")[0]:
            continue
        ref_table, ref_column = column.references.split(".")
        unknown = "unknown_" + column.name.removesuffix("_id")
        value = f'c."__t_{column.name}"'
        if column.reference_condition is None:
            statements.append(f"""
INSERT INTO __later_rejects
SELECT c.__rid, '{unknown}', '{column.name}', {value}
FROM __checked c
ANTI JOIN staging.{ref_table} r ON r.{ref_column} = {value}
WHERE {still_ok}
""")
        else:
            cond_column, cond_value, rule = column.reference_condition
            cond_literal = "'" + cond_value.replace("'", "''") + "'"
            statements.append(f"""
INSERT INTO __later_rejects
SELECT c.__rid,
       CASE WHEN r.{ref_column} IS NULL THEN '{unknown}' ELSE '{rule}' END,
       '{column.name}', {value}
FROM __checked c
LEFT JOIN staging.{ref_table} r ON r.{ref_column} = {value}
WHERE {still_ok}
  AND (r.{ref_column} IS NULL OR r.{cond_column} IS DISTINCT FROM {cond_literal})
""")
    return statements


def build_staging(con: duckdb.DuckDBPyConnection, table: Table) -> dict:
    """Validate `raw.<table>` into `staging.<table>` (accepted rows) and `rejects.<table>`.

    Referenced staging tables (`Table.referenced_tables`: persons; programme_spells for
    agreements; at_agreements for purposes) must be built first. Returns counts: rows_in, rows_accepted, rows_rejected and
    rejected rows by rule. Also records them in `meta.ingest_summary` and `meta.reject_summary`.
    """
    create_schemas(con)
    con.execute(_checked_sql(table))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __later_rejects (__rid BIGINT, rule VARCHAR, column_name VARCHAR, bad_value VARCHAR)"
    )
    if table.key:
        con.execute(_key_rejects_sql(table))
    for statement in _reference_rejects_sql(table):
        con.execute(statement)

    con.execute(staging_ddl(table))
    contract_cols = ", ".join(f'"{c}"' for c in table.column_names)
    typed_cols = ", ".join(f'"__t_{c}"' for c in table.column_names)
    con.execute(f"""
INSERT INTO staging.{table.name} ({contract_cols}, _source_file, _source_row)
SELECT {typed_cols}, _source_file, _source_row
FROM __checked c
ANTI JOIN __later_rejects l ON l.__rid = c.__rid
WHERE len(c.__problems) = 0
""")
    comment_staging_table(con, table)

    con.execute(f"""
CREATE OR REPLACE TABLE rejects.{table.name} AS
WITH rejected AS (
  SELECT __rid, __problems[1].rule AS rule, __problems[1].column_name AS column_name,
         __problems[1].bad_value AS bad_value,
         list_transform(__problems, p -> p.rule || '(' || p.column_name || ')') AS rules_broken
  FROM __checked WHERE len(__problems) > 0
  UNION ALL
  SELECT __rid, rule, column_name, bad_value, [rule || '(' || column_name || ')'] AS rules_broken
  FROM __later_rejects
)
SELECT r.*, x.rule, x.column_name, x.bad_value, x.rules_broken
FROM raw.{table.name} r
JOIN rejected x ON x.__rid = r.rowid
ORDER BY r._source_file, r._source_row
""")
    raw_comments = {c: f"as read from the input file, as text ({c})" for c in table.column_names}
    apply_comments(
        con,
        f"rejects.{table.name}",
        f"Rows of {table.name} that broke a contract rule, exactly as read, with the rule broken.",
        raw_comments
        | {
            "_source_file": "input file the row was read from",
            "_source_row": "1-based data row number in that file",
        }
        | REJECT_COLUMNS,
    )
    con.execute("DROP TABLE __checked")
    con.execute("DROP TABLE __later_rejects")
    return record_counts(con, table)


def record_counts(con: duckdb.DuckDBPyConnection, table: Table) -> dict:
    """Count rows in raw, staging and rejects, and store them in the meta summaries."""
    rows_in, accepted, rejected = con.execute(
        f"SELECT (SELECT count(*) FROM raw.{table.name}), (SELECT count(*) FROM staging.{table.name}), "
        f"(SELECT count(*) FROM rejects.{table.name})"
    ).fetchone()
    by_rule = con.execute(
        f"SELECT rule, column_name, count(*) FROM rejects.{table.name} GROUP BY ALL ORDER BY 3 DESC, 1, 2"
    ).fetchall()
    con.execute("""
CREATE TABLE IF NOT EXISTS meta.ingest_summary (
  table_name VARCHAR, rows_in BIGINT, rows_accepted BIGINT, rows_rejected BIGINT)""")
    con.execute("""
CREATE TABLE IF NOT EXISTS meta.reject_summary (
  table_name VARCHAR, rule VARCHAR, column_name VARCHAR, n_rows BIGINT)""")
    con.execute("DELETE FROM meta.ingest_summary WHERE table_name = ?", [table.name])
    con.execute("DELETE FROM meta.reject_summary WHERE table_name = ?", [table.name])
    con.execute(
        "INSERT INTO meta.ingest_summary VALUES (?, ?, ?, ?)",
        [table.name, rows_in, accepted, rejected],
    )
    if by_rule:
        con.executemany(
            "INSERT INTO meta.reject_summary VALUES (?, ?, ?, ?)",
            [[table.name, *row] for row in by_rule],
        )
    apply_comments(
        con,
        "meta.ingest_summary",
        "Rows read, accepted and rejected per input table; rows_in = rows_accepted + rows_rejected.",
        {
            "table_name": "contract table",
            "rows_in": "rows read into raw",
            "rows_accepted": "rows in staging",
            "rows_rejected": "rows in rejects",
        },
    )
    apply_comments(
        con,
        "meta.reject_summary",
        "Rejected rows per input table, rule and column.",
        {
            "table_name": "contract table",
            "rule": "rule broken (first rule per row)",
            "column_name": "column concerned",
            "n_rows": "rows rejected",
        },
    )
    return {
        "rows_in": int(rows_in),
        "rows_accepted": int(accepted),
        "rows_rejected": int(rejected),
        "rejected_by_rule": {f"{rule}({col})": int(n) for rule, col, n in by_rule},
    }
