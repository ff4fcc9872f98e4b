"""Validate `raw.<table>` against the input contract into `staging.<table>` and `rejects.<table>`.

Rules, checked in this order; a row is rejected for the first rule it breaks and the rejects
table also lists every row-level rule it broke (`rules_broken`):

Row rules (one per column where they apply)
- `missing_value`   a required column is empty
- `wrong_type`      the text cannot be read as the column's type (dates must be ISO YYYY-MM-DD)
- `unknown_code`    a code is not in the contract's code list
- `bad_format`      text does not match the required pattern (9-digit org number, 4-digit municipality, one-digit NUS)
- `out_of_range`    a number is outside its allowed range (percentages 0-100, earnings >= 0, ...)
- `end_before_start` end date earlier than start date
- `employer_missing` an ARBTREN, MIDLONTIL or VARLONTIL spell without employer_org
- `invalid_month`   a YYYYMM value whose month part is not 1-12
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

from analysis.contract import EMPLOYER_REQUIRED_CODES, Column, Table
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


def _raw_types(con: duckdb.DuckDBPyConnection, table: Table) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'raw' AND table_name = ?",
        [table.name],
    ).fetchall()
    return {name: dtype for name, dtype in rows}


def _is_empty(col: str, raw_type: str) -> str:
    ref = f'r."{col}"'
    if raw_type == "VARCHAR":
        return f"({ref} IS NULL OR trim({ref}) = '')"
    return f"({ref} IS NULL)"


def _typed(col: Column, raw_type: str) -> str:
    """Expression giving the column in its contract type, NULL when empty or unreadable."""
    ref = f'r."{col.name}"'
    if raw_type == "VARCHAR":
        text = f"NULLIF(trim({ref}), '')"
        if col.sql_type == "VARCHAR":
            return text
        if col.sql_type == "DATE":
            return f"CASE WHEN regexp_full_match({text}, '{_ISO_DATE}') THEN TRY_CAST({text} AS DATE) END"
        return f"TRY_CAST({text} AS {col.sql_type})"
    if col.sql_type == raw_type:
        return ref
    if col.sql_type == "VARCHAR":
        return f"CAST({ref} AS VARCHAR)"
    return f"TRY_CAST({ref} AS {col.sql_type})"


def _problem(rule: str, column: str, condition: str, value_column: str | None = None) -> str:
    value = f'CAST(r."{value_column or column}" AS VARCHAR)'
    return (
        f"CASE WHEN {condition} THEN {{'rule': {quote_literal(rule)}, "
        f"'column_name': {quote_literal(column)}, 'bad_value': {value}}} END"
    )


def _row_rules(table: Table, raw_types: dict[str, str]) -> list[str]:
    problems: list[str] = []
    for col in table.columns:
        raw_type = raw_types[col.name]
        empty = _is_empty(col.name, raw_type)
        typed = f'"__t_{col.name}"'
        if col.required:
            problems.append(_problem("missing_value", col.name, empty))
        problems.append(_problem("wrong_type", col.name, f"NOT {empty} AND {typed} IS NULL"))
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
        bounds = []
        if col.min is not None:
            bounds.append(f"{typed} < {col.min}")
        if col.max is not None:
            bounds.append(f"{typed} > {col.max}")
        if bounds:
            problems.append(
                _problem(
                    "out_of_range", col.name, f"{typed} IS NOT NULL AND ({' OR '.join(bounds)})"
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


def _checked_sql(table: Table, raw_types: dict[str, str]) -> str:
    """One pass over raw: typed columns plus the list of row-rule problems.

    Typed columns are computed in a subquery so that the rule expressions can refer to them.
    """
    # raw values are needed only to evaluate the rules; afterwards the typed columns, lineage and
    # problems are kept (rejects join back to raw by rowid), so raw is not stored a second time
    kept_typed = ", ".join(f'r."__t_{c.name}"' for c in table.columns)
    typed_cols = ",\n    ".join(
        f'{_typed(c, raw_types[c.name])} AS "__t_{c.name}"' for c in table.columns
    )
    problems = ",\n      ".join(_row_rules(table, raw_types))
    return f"""
CREATE OR REPLACE TEMP TABLE __checked AS
SELECT
  r.__rid,
  r._source_file,
  r._source_row,
  {kept_typed},
  list_filter([
      {problems}
  ], p -> p IS NOT NULL) AS __problems
FROM (
  SELECT
    r.rowid AS __rid,
    r.*,
    {typed_cols}
  FROM raw.{table.name} r
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
WITH rows_passing_row_rules AS (
  SELECT * FROM __checked WHERE len(__problems) = 0
),
duplicated_keys AS (
  SELECT {keys}, count(DISTINCT {row_struct}) AS n_versions
  FROM rows_passing_row_rules
  GROUP BY {keys}
  HAVING count(*) > 1
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
    """INSERT statements for referential rules, applied to rows that passed everything so far."""
    still_ok = "len(c.__problems) = 0 AND c.__rid NOT IN (SELECT __rid FROM __later_rejects)"
    statements: list[str] = []
    if "person_id" in table.column_names and table.name != "persons":
        statements.append(f"""
INSERT INTO __later_rejects
SELECT c.__rid, 'unknown_person', 'person_id', c."__t_person_id"
FROM __checked c
WHERE {still_ok}
  AND NOT EXISTS (SELECT 1 FROM staging.persons p WHERE p.person_id = c."__t_person_id")
""")
    if table.name == "at_agreements":
        statements.append(f"""
INSERT INTO __later_rejects
SELECT c.__rid,
       CASE WHEN s.spell_id IS NULL THEN 'unknown_spell' ELSE 'spell_not_arbtren' END,
       'spell_id', c."__t_spell_id"
FROM __checked c
LEFT JOIN staging.programme_spells s ON s.spell_id = c."__t_spell_id"
WHERE {still_ok}
  AND (s.spell_id IS NULL OR s.programme_code <> 'ARBTREN')
""")
    if table.name == "at_agreement_purposes":
        statements.append(f"""
INSERT INTO __later_rejects
SELECT c.__rid, 'unknown_agreement', 'agreement_id', c."__t_agreement_id"
FROM __checked c
WHERE {still_ok}
  AND NOT EXISTS (SELECT 1 FROM staging.at_agreements a WHERE a.agreement_id = c."__t_agreement_id")
""")
    return statements


def build_staging(con: duckdb.DuckDBPyConnection, table: Table) -> dict:
    """Validate `raw.<table>` into `staging.<table>` (accepted rows) and `rejects.<table>`.

    Referenced staging tables (persons; programme_spells for agreements; at_agreements for
    purposes) must be built first. Returns counts: rows_in, rows_accepted, rows_rejected and
    rejected rows by rule. Also records them in `meta.ingest_summary` and `meta.reject_summary`.
    """
    create_schemas(con)
    raw_types = _raw_types(con, table)
    con.execute(_checked_sql(table, raw_types))
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
WHERE len(c.__problems) = 0
  AND NOT EXISTS (SELECT 1 FROM __later_rejects l WHERE l.__rid = c.__rid)
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
    raw_comments = {
        c: f"as read from the input file ({c})" for c in raw_types if not c.startswith("_source")
    }
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
