"""Statistical disclosure control for everything that leaves the warehouse.

The data owner's rule: counts of persons (or spells, person-months, rows) of 1-4 are not
published; suppressed counts must not be recoverable from the published ones; shares, means and
effects computed from fewer than 5 are not published.

What is implemented (in the spirit of SSB's GaussSuppression, Langsrud 2024; R packages
``GaussSuppression`` and ``SSBtools``):

* **Universes and inner cells** (:mod:`~analysis.disclosure.universes`). Every published count is
  a sum of inner cells of a common cross-classification *per unit of count* (spells started,
  person-months, ended spells observed k months after exit, treated persons, ...): a column of a
  0/1 model matrix. Inner cells come from the warehouse's unit-level tables. Where published
  tables are margins of a cross-classification that is never published in full, each margin is
  its own block of inner cells (its complete cross-classification, zeros included) and blocks of
  the same units are *linked* on the variables they share: margins of one cross-classification
  are related only through their common margins, so this gives the reader exactly the linear
  relations of the full cross-classification, without its size.
* **Primary suppression**: counts of 1-4, and *sensitive* counts of 1-4 that are never shown but
  that a reader could derive by subtracting published counts (start cohorts between two event
  times; spells exiting between two horizons).
* **Secondary suppression by Gaussian elimination over all outbound tables together**
  (:mod:`~analysis.disclosure.gauss`), in a documented order of preference
  (:mod:`~analysis.disclosure.suppress`), exactly over a prime field, so that no suppressed count
  lies in the linear span of the published ones (SSBtools' ``GaussSuppression`` core).
* **Audit by linear programming** (:mod:`~analysis.disclosure.audit`): with the non-negativity of
  inner cells, a count of 1-4 must not be determined nor pinned inside 1-4; where it is, the
  published count that binds the bound is suppressed too. Never raises: suppressing more always
  protects.
* **Merges** (:mod:`~analysis.disclosure.tables.participants`): a status group that is 1-4 in a
  third of its months is shown merged with another rather than forcing the job-seeker series into
  complementary suppression.
* **Event-time counts** (:mod:`~analysis.disclosure.tables.effects`): ``n_treated`` is published
  only where the cohort composition cannot reveal a start cohort of 1-4.
* **Ledger** (:mod:`~analysis.disclosure.ledger`): a rerun keeps earlier suppressions.
* **SSB symbols**: ':' confidential, '.' not applicable, '..' not available; a ``<col>_status``
  column per value (and ``<col>_suppressed`` for ':').

Where it differs from SSB's GaussSuppression: no singleton handling (a unit in a cell of 1 can
subtract itself; the data owner's rule protects against outside readers), no magnitude rules,
no interval protection beyond "not 0 and not 5+ excluded" (feasible intervals must reach 0 or 5),
candidate order by value with the ledger and zeros first (``CandidatesDefault`` with zeros
published), and a linear-programming audit that SSB's algorithm leaves to ``ComputeIntervals``.
Not covered: attribute disclosure (all units of a cell sharing an outcome), rounding, and
relations between different universes (e.g. treated persons are a subset of spells started).

Entry points: :func:`protect` (tables + ledger in memory), :func:`write_protected` (schema
``protected``), :func:`audit_protected` (the blocking check), :func:`read_ledger`.
"""

from __future__ import annotations

from analysis.disclosure.check import audit_protected
from analysis.disclosure.layout import MIN_COUNT
from analysis.disclosure.ledger import read_ledger
from analysis.disclosure.protect import (
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    PUBLISHED,
    SUPPRESSED,
    SYMBOLS,
    ProtectedTable,
    Protection,
    flag_col,
    protect,
    status_col,
)
from analysis.disclosure.render import format_column, format_suppressed, symbol
from analysis.disclosure.single import suppress_table
from analysis.disclosure.store import METHOD_NOTE, SCHEMA, read_catalog, write_protected

__all__ = [
    "METHOD_NOTE",
    "MIN_COUNT",
    "NOT_APPLICABLE",
    "NOT_AVAILABLE",
    "PUBLISHED",
    "SCHEMA",
    "SUPPRESSED",
    "SYMBOLS",
    "Protection",
    "ProtectedTable",
    "audit_protected",
    "flag_col",
    "format_column",
    "format_suppressed",
    "protect",
    "read_catalog",
    "read_ledger",
    "status_col",
    "suppress_table",
    "symbol",
    "write_protected",
]
