"""Time the disclosure step on a warehouse: protect all outbound tables, write schema protected
to a scratch copy, and run the blocking check. Usage:

    python -m benchmarks.disclosure WAREHOUSE [--check]

Prints seconds per phase and the size of each universe (inner cells x cells, protected cells).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from analysis.disclosure import audit_protected, protect, write_protected


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("warehouse", type=Path)
    p.add_argument("--check", action="store_true", help="also time the blocking check")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wh = Path(tmp) / "w.duckdb"
        shutil.copy(args.warehouse, wh)
        con = duckdb.connect(str(wh))
        t0 = time.perf_counter()
        result = protect(con)
        t1 = time.perf_counter()
        write_protected(con, result)
        t2 = time.perf_counter()
        print(f"protect {t1 - t0:.2f} s, write {t2 - t1:.2f} s")
        for name, u in result.universes.items():
            o = result.outcomes[name]
            print(
                f"  {name:18s} inner {u.n_rows:6d} cells {len(u.columns):6d} hidden {len(o.hidden):5d}"
            )
        if args.check:
            problems = audit_protected(con)
            print(f"check {time.perf_counter() - t2:.2f} s, problems {len(problems)}")
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
