"""Dense person x month arrays for the outcome-specific effects (analysis/sql/outcomes/).

Same layout and codes as `analysis.effects.data` (persons in person_id order x window months):
the base arrays come from `load_effects_data` (or the effects parts' shared input, which holds
them); the purposes' intended outcomes and the covariates are added from
`analysis/sql/outcomes/02_person_month_outcomes.sql` (each benefit and age from the base arrays,
which hold them under the same definitions), and the exit month of each person's first spell from
`panel.at_spells`.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow.compute as pc

from analysis.effects.data import EffectsData, load_effects_data
from analysis.warehouse import read_sql

NO_EXIT = -(10**6)
COVARIATE_COLUMNS = (
    "age",
    "registered",
    "nedsatt",
    "employed",
    "aap",
    "dagpenger",
)


@dataclass
class OutcomeData:
    """The effects arrays plus every outcome/covariate series and the first spell's exit."""

    base: EffectsData
    series: dict[str, np.ndarray]  # name -> (N, T): indicators int8, age int16, earnings float
    exit_offset: np.ndarray  # (N,) month offset of the first spell's exit month; NO_EXIT if none

    @property
    def n(self) -> int:
        return self.base.n

    @property
    def T(self) -> int:
        return self.base.T


BASE_OUTCOMES = ("employed", "earnings_nok")
BATCH_ROWS = 1 << 21  # rows of the person-month result placed at a time


def load_outcome_data(
    con: duckdb.DuckDBPyConnection, base: EffectsData | None = None
) -> OutcomeData:
    """Read the panel into `OutcomeData` (one pass over panel.person_month). `base`: the effects
    arrays when already read (the effects parts' shared input; it must hold `BASE_OUTCOMES`),
    else read here; it is not modified."""
    if base is None:
        base = load_effects_data(con, outcomes=BASE_OUTCOMES)
    elif missing := [o for o in BASE_OUTCOMES if o not in base.outcomes]:
        raise ValueError(f"the effects arrays given lack the outcomes {missing}")
    n, T = base.n, base.T
    # a series the effects arrays hold already (each benefit, age: the same definitions in
    # `MONTH_ARRAYS_SQL`) is taken from them, not read again
    shared = base.extra.get("months", {})
    sql = read_sql("outcomes/02_person_month_outcomes.sql").strip().rstrip(";")
    con.execute(read_sql("outcomes/01_same_employer_months.sql"))
    try:
        params = {"n_months": T, "first_month_index": base.month_index0}
        names = [d[0] for d in con.execute(f"SELECT * FROM ({sql}) LIMIT 0", params).description]
        names.remove("pos")
        read = ", ".join(["pos", *(c for c in names if c not in shared)])
        reader = con.execute(f"SELECT {read} FROM ({sql})", params).to_arrow_reader(BATCH_ROWS)
        # in their compact SQL types, placed batch by batch as the result streams (never the
        # whole result at once)
        flat = {
            c: np.empty(n * T, dtype=reader.schema.field(c).type.to_pandas_dtype())
            for c in names
            if c not in shared
        }
        n_read = 0
        for batch in reader:
            pos = batch.column("pos").to_numpy()
            for c, arr in flat.items():
                arr[pos] = pc.fill_null(batch.column(c), 0).to_numpy(zero_copy_only=False)
            n_read += batch.num_rows
    finally:
        con.execute("DROP TABLE IF EXISTS outcomes_same_employer_months")
    if n_read != n * T:
        raise ValueError(f"panel.person_month has {n_read} rows, expected {n} x {T}")
    # employed and earnings from the effects arrays, then the SQL's series in its order
    series = {name: base.outcomes[name] for name in BASE_OUTCOMES}
    for name in names:
        series[name] = shared[name] if name in shared else flat.pop(name).reshape(n, T)
    # exit month of the first spell (NULL: ongoing at observation_end)
    rows = con.execute(
        """
        WITH persons AS (
            SELECT person_id, row_number() OVER (ORDER BY person_id) - 1 AS pidx
            FROM (SELECT DISTINCT person_id FROM panel.person_month)
        )
        SELECT p.pidx, (s.exit_ym // 100) * 12 + s.exit_ym % 100 - 1 - ? AS off
        FROM panel.at_spells AS s JOIN persons AS p USING (person_id)
        WHERE s.spell_seq = 1 AND s.exit_ym IS NOT NULL
        """,
        [base.month_index0],
    ).fetchnumpy()
    exit_offset = np.full(n, NO_EXIT, dtype=np.int64)
    exit_offset[np.asarray(rows["pidx"], dtype=np.int64)] = np.asarray(rows["off"], np.int64)
    return OutcomeData(base=base, series=series, exit_offset=exit_offset)
