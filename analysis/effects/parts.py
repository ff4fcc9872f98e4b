"""The effects layer as independent parts: the unit of parallel work (issue 15).

Estimating the effects is independent computations that share their inputs and nothing else:

* `headline_all`: the headline design for every headline outcome, subgroup ALL;
* `headline_<family>`: the headline for the subgroup outcomes, one subgroup family each
  (`headline_marts.SUBGROUP_FAMILIES`: purpose, status group, age, immigrant category, gender,
  start year);
* `spec_<name>`: the headline for employment and benefit receipt under one specification of the
  grid (`specifications.SPECIFICATIONS`: anticipation window, comparison group, history, base,
  estimand);
* `plain_did`: the plain DiD (every outcome and subgroup);
* `twfe_naive`: the TWFE event study and the naive comparison;
* `ipw`: dynamic IPW (its month x candidate design is built with the inputs, since it is SQL).

`prepare_inputs(con)` reads what they need from the warehouse once; `estimate_part(inputs, name)`
runs one part (no database access: a part can run in any process or on any machine that can
read the inputs); `assemble(results, inputs_meta)` puts the parts together in a fixed order, so
the result does not depend on which part finished first or where it ran. `build.estimate_all`
runs the parts one after another; the Dagster graph runs them as separate steps
(`pipelines/assets/effects_parts.py`), in parallel with the multiprocess or a cluster executor,
passing inputs and results as files in one directory (`save_inputs`, `run_part`,
`load_results`). The input is written with its arrays out of band (`save_shared`) and mapped by
its readers (`load_shared`), so the processes running parts side by side, and the outcome
effects beside them, hold its 2.8 GB (scale 1.0) in memory once rather than once each.
"""

from __future__ import annotations

import mmap
import os
import pickle
import struct
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np

from analysis.design import HEADLINE_ESTIMATOR, PLAIN_DID_ESTIMATOR
from analysis.did._blas import single_threaded_blas
from analysis.effects import headline_marts as hm
from analysis.effects import ipw as ipw_mod
from analysis.effects import specifications as specs
from analysis.effects.cs import cs_event_study
from analysis.effects.data import EffectsData, analysis_treated, load_effects_data, subgroup_masks
from analysis.effects.naive import naive_event_study
from analysis.effects.result import EventStudy
from analysis.effects.twfe import twfe_event_study
from analysis.settings import DEFAULT_EMPLOYMENT_THRESHOLD_NOK

EVENT_TIMES = np.arange(-12, 37)
# IPW specifications (propensity-score covariates) and the variants estimated with each. The
# reported `ipw_dynamic` is the conditional DiD on characteristics without the monthly employment
# history: matching on the 24 lagged outcomes and then differencing from m-1 suffers regression
# to the mean when selection is on a persistent unobserved employability (found on the synthetic
# truth; see METHODS.md). Both history-matched variants are written as sensitivity rows.
IPW_SPECS = {"characteristics": "no_outcome_history", "full_history": "all"}
IPW_SPECS_VARIANTS = {"characteristics": ("did",), "full_history": ("levels", "did")}
IPW_REPORTED_SPEC = "characteristics"
IPW_NAMES = {
    ("characteristics", "did"): "ipw_dynamic",
    ("full_history", "levels"): "ipw_dynamic_levels",
    ("full_history", "did"): "ipw_dynamic_did",
}

HEADLINE_PARTS = tuple(f"headline_{f.lower()}" for f in ("ALL", *hm.SUBGROUP_FAMILIES))
SPEC_PARTS = tuple(f"spec_{name}" for name in specs.SPECIFICATIONS)
PARTS = (*HEADLINE_PARTS, *SPEC_PARTS, "plain_did", "twfe_naive", "ipw")
# The longest parts, longest first (scale 1.0, docs/SCALING.md, stop 35: IPW ~100-150 s, plain
# DiD ~65-105 s, the overall headline ~65 s, the others 17-50 s): started first where parts run
# side by side, so the longest does not start last.
LONGEST_PARTS = ("ipw", "plain_did", "headline_all")
# The part largest in memory: the overall headline's joint influence function (persons x 10
# outcomes x 86 event times, 2 GB at scale 1.0; docs/SCALING.md). Where parts run side by side
# it does not run beside another large step (pipelines/worker_steps.py, HEAVY_TAG).
LARGEST_PARTS = ("headline_all",)


@dataclass
class EffectsInputs:
    """What every part reads: the panel arrays, the IPW design (None: no IPW) and settings."""

    data: EffectsData
    ipw_design: ipw_mod.IPWDesign | None
    min_pre: int = 12
    chunk: int | None = None
    employment_threshold_nok: int = DEFAULT_EMPLOYMENT_THRESHOLD_NOK  # the panel's
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def meta(self) -> dict:
        """The small facts `assemble` needs besides the parts' results."""
        treated = analysis_treated(self.data, self.min_pre)
        return {
            "n_treated": int(treated.sum()),
            "subgroups": list(subgroup_masks(self.data, treated)),
            "run_ipw": self.ipw_design is not None,
            "employment_threshold_nok": self.employment_threshold_nok,
            "seconds": dict(self.seconds),
        }


def prepare_inputs(
    con: duckdb.DuckDBPyConnection | None,
    min_pre: int = 12,
    ipw_ratio: float = 20.0,
    ipw_seed: int = 20240501,
    run_ipw: bool = True,
    chunk: int | None = None,
    data: EffectsData | None = None,
    employment_threshold_nok: int = DEFAULT_EMPLOYMENT_THRESHOLD_NOK,
) -> EffectsInputs:
    """The parts' shared input: the panel arrays (`data`, else read from `con`) and the IPW
    design (built from `con`; none without a connection or with `run_ipw=False`).
    `employment_threshold_nok`: the threshold the panel was built with (the specification grid
    re-defines employment relative to it)."""
    seconds = {}
    if data is None:
        t0 = time.perf_counter()
        data = load_effects_data(con)
        seconds["load"] = time.perf_counter() - t0
    ipw_design = None
    if run_ipw and con is not None:
        t0 = time.perf_counter()
        ipw_design = ipw_mod.build_design(con, data, ratio=ipw_ratio, seed=ipw_seed)
        seconds["ipw_design"] = time.perf_counter() - t0
    return EffectsInputs(
        data,
        ipw_design,
        min_pre=min_pre,
        chunk=chunk,
        employment_threshold_nok=employment_threshold_nok,
        seconds=seconds,
    )


def parts(run_ipw: bool = True) -> tuple[str, ...]:
    """The parts to estimate (without `ipw` when IPW is not run)."""
    return PARTS if run_ipw else tuple(p for p in PARTS if p != "ipw")


def estimate_part(inputs: EffectsInputs, name: str) -> dict:
    """Run one part; returns {"studies": ..., "seconds": ...} (+ IPW's side tables for `ipw`).

    BLAS runs single-threaded inside: the products here are many small/medium GEMMs, for which
    multi-threaded OpenBLAS on a shared 2-core machine was measured 5-8x slower."""
    if name not in PARTS:
        raise ValueError(f"unknown effects part {name!r} (parts: {', '.join(PARTS)})")
    t0 = time.perf_counter()
    with single_threaded_blas():
        out = _estimate(inputs, name)
    out["seconds"] = time.perf_counter() - t0
    return out


def _estimate(inputs: EffectsInputs, name: str) -> dict:
    data = inputs.data
    if name in HEADLINE_PARTS:
        if "months" not in data.extra:
            return {"studies": {}}
        family = hm.family_of_part(name.removeprefix("headline_"))
        return {"studies": hm.headline_family(data, family)}
    if name in SPEC_PARTS:
        if "months" not in data.extra:
            return {"studies": []}
        name = name.removeprefix("spec_")
        return {
            "studies": specs.estimate_specification(data, name, inputs.employment_threshold_nok)
        }
    treated = analysis_treated(data, inputs.min_pre)
    if name == "plain_did":
        subs = subgroup_masks(data, treated)
        cs = cs_event_study(
            data.outcomes,
            data.status,
            data.first_start,
            data.group,
            subs,
            EVENT_TIMES,
            chunk=inputs.chunk,
        )
        return {"studies": list(cs.values())}
    if name == "twfe_naive":
        never_reg = (data.first_start >= 10**6) & (data.status > 0).any(axis=1)
        rows = np.flatnonzero(treated | never_reg)
        studies = [
            twfe_event_study(y, data.first_start, rows=rows, outcome=o)
            for o, y in data.outcomes.items()
        ]
        studies += [
            naive_event_study(y, data.status, data.first_start, treated, EVENT_TIMES, outcome=o)
            for o, y in data.outcomes.items()
        ]
        return {"studies": studies}
    if inputs.ipw_design is None:
        return {"studies": [], "balance": [], "support": [], "ipw_info": {}}
    return _ipw(data, inputs.ipw_design)


def _ipw(data: EffectsData, design: ipw_mod.IPWDesign) -> dict:
    studies: list[EventStudy] = []
    balance: list[dict] = []
    support: list[dict] = []
    ipw_info: dict = {}
    starter = design.is_starter
    purpose = data.purpose[design.pidx]
    groups = {"ALL": np.ones(starter.size, dtype=bool)}
    for p in sorted(set(purpose[starter].tolist())):
        groups[f"purpose={p}"] = ~starter | (purpose == p)
    for spec, cols in IPW_SPECS.items():
        dspec = ipw_mod.subset_columns(design, cols)
        wrows = {}
        for name, rows_g in groups.items():
            if spec != IPW_REPORTED_SPEC and name != "ALL":
                continue
            treat = starter & rows_g
            p, info = ipw_mod.propensity(dspec, rows_g, treat)
            kept = ipw_mod.common_support(dspec, rows_g, treat, p)
            w = np.zeros_like(p)  # controls' odds; starters (score 1 possible) weigh 0
            w[~treat] = p[~treat] / (1 - p[~treat])
            wrows[name] = (kept, treat, w)
            ipw_info[f"{spec}:{name}"] = info
            if name == "ALL":
                for b in ipw_mod.balance_table(dspec, kept, treat, w):
                    balance.append({"specification": spec} | b)
                sup, summ = ipw_mod.support_table(dspec, rows_g, treat, p, kept)
                support += [{"specification": spec} | r for r in sup]
                ipw_info[f"support:{spec}"] = summ
        for variant in IPW_SPECS_VARIANTS[spec]:
            res = ipw_mod.ipw_event_study(
                dspec, data.outcomes, data.first_start, wrows, EVENT_TIMES, variant=variant
            )
            for r in res.values():
                studies.append(
                    EventStudy(
                        IPW_NAMES[(spec, variant)],
                        r.outcome,
                        r.event_times,
                        r.subgroups,
                        r.estimate,
                        r.vcov,
                        r.n_treated,
                        meta={"spec": spec, "variant": variant},
                    )
                )
    ipw_info["n_design_rows"] = int(starter.size)
    ipw_info["n_starters"] = int(starter.sum())
    return {"studies": studies, "balance": balance, "support": support, "ipw_info": ipw_info}


def assemble(results: Mapping[str, dict], meta: dict) -> dict:
    """The parts' results as `build.estimate_all` returns them, in a fixed order: headline, plain
    DiD, TWFE and naive, IPW (whatever order the parts ran in)."""
    missing = [p for p in parts(meta["run_ipw"]) if p not in results]
    if missing:
        raise ValueError(f"effects parts missing: {', '.join(missing)}")
    headline = hm.merge_families([results[p]["studies"] for p in HEADLINE_PARTS])
    studies = [
        *headline,
        *results["plain_did"]["studies"],
        *results["twfe_naive"]["studies"],
    ]
    ipw = results.get("ipw", {})
    studies += ipw.get("studies", [])
    timings = {k: v for k, v in meta["seconds"].items() if k != "load"}
    timings[PLAIN_DID_ESTIMATOR] = results["plain_did"]["seconds"]
    if headline:
        timings[HEADLINE_ESTIMATOR] = sum(results[p]["seconds"] for p in HEADLINE_PARTS)
    timings["specifications"] = sum(results[p]["seconds"] for p in SPEC_PARTS)
    timings["twfe_event_study+naive"] = results["twfe_naive"]["seconds"]
    if "ipw" in results and meta["run_ipw"]:
        timings["ipw"] = results["ipw"]["seconds"]
    return {
        "studies": studies,
        "headline": headline,
        "specifications": {
            p.removeprefix("spec_"): results[p]["studies"]
            for p in SPEC_PARTS
            if results[p]["studies"]
        },
        "balance": ipw.get("balance", []),
        "support": ipw.get("support", []),
        "ipw_info": ipw.get("ipw_info", {}),
        "timings": timings,
        "employment_threshold_nok": meta.get(
            "employment_threshold_nok", DEFAULT_EMPLOYMENT_THRESHOLD_NOK
        ),
        "n_treated": meta["n_treated"],
        "subgroups": meta["subgroups"],
    }


def _write_atomically(path: str | Path, write) -> Path:
    """Call `write(file)` on a temporary file beside `path`, then rename it to `path` (a reader
    never sees half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def save(obj: object, path: str | Path) -> Path:
    """Write `obj` to `path` atomically (a reader never sees half a file)."""
    return _write_atomically(path, lambda f: pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL))


def load(path: str | Path) -> object:
    """Read what `save` wrote (files this pipeline wrote itself, in its own run directory)."""
    with open(path, "rb") as f:
        return pickle.load(f)


# A shared file: the pickle with its large buffers (the arrays' data) out of band, each at a
# page boundary, so readers map the arrays instead of copying them. Processes reading one file
# (the workers running parts side by side) then share one copy of the arrays in memory.
_SHARED_MAGIC = b"ATSHARE1"
_PAGE = mmap.PAGESIZE


def save_shared(obj: object, path: str | Path) -> Path:
    """Write `obj` like `save`, its arrays' data as page-aligned buffers `load_shared` maps.
    Layout: magic, buffer count n, pickle (offset, length), n x buffer (offset, length), all
    little-endian int64; then the pickle and the buffers."""
    buffers: list[pickle.PickleBuffer] = []
    body = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    raws = [b.raw() for b in buffers]
    header_size = len(_SHARED_MAGIC) + 8 * (3 + 2 * len(raws))
    offsets, pos = [], _aligned(header_size + len(body))
    for raw in raws:
        offsets.append(pos)
        pos = _aligned(pos + raw.nbytes)
    header = _SHARED_MAGIC + struct.pack(
        f"<{3 + 2 * len(raws)}q",
        len(raws),
        header_size,
        len(body),
        *(x for off, raw in zip(offsets, raws, strict=True) for x in (off, raw.nbytes)),
    )

    def write(f) -> None:
        f.write(header)
        f.write(body)
        for off, raw in zip(offsets, raws, strict=True):
            f.seek(off)
            f.write(raw)
        f.truncate(pos)

    return _write_atomically(path, write)


def _aligned(n: int) -> int:
    return -(-n // _PAGE) * _PAGE


def load_shared(path: str | Path) -> object:
    """Read what `save_shared` wrote, its arrays backed by a copy-on-write map of the file: a
    page is read from the file (shared with every other process mapping it) until someone
    writes to it. The map lives as long as the arrays do; the file may be replaced meanwhile."""
    with open(path, "rb") as f:
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
    view = memoryview(mm)
    if bytes(view[: len(_SHARED_MAGIC)]) != _SHARED_MAGIC:
        raise ValueError(f"{path}: not a file written by save_shared")
    at = len(_SHARED_MAGIC)
    n, body_off, body_len = struct.unpack_from("<3q", view, at)
    table = struct.unpack_from(f"<{2 * n}q", view, at + 24)
    buffers = [view[off : off + size] for off, size in zip(table[::2], table[1::2], strict=True)]
    return pickle.loads(view[body_off : body_off + body_len], buffers=buffers)


# --- the parts' files in a directory (the run's parts directory, or a benchmark's) -----------
INPUTS_FILE = "inputs.bin"
INPUTS_META_FILE = "inputs_meta.pkl"


def result_path(directory: str | Path, name: str) -> Path:
    return Path(directory) / f"{name}.pkl"


def save_inputs(inputs: EffectsInputs, directory: str | Path) -> Path:
    """Write the parts' input (and its small meta, for `load_results`); returns the input's path."""
    save(inputs.meta, Path(directory) / INPUTS_META_FILE)
    return save_shared(inputs, Path(directory) / INPUTS_FILE)


# The input last read by this process, so steps run one after another in one process (the
# in-process executor) read the file once, not once per part; `load_results` lets go of it.
_INPUTS_READ: dict[tuple, EffectsInputs] = {}


def read_inputs(directory: str | Path) -> EffectsInputs | None:
    """The parts' input written to `directory` by `save_inputs` (None if there is none): mapped
    from the file, and read once per process while the file stays the same."""
    path = Path(directory) / INPUTS_FILE
    return _read_inputs(path) if path.is_file() else None


def _read_inputs(path: Path) -> EffectsInputs:
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _INPUTS_READ:
        _INPUTS_READ.clear()
        _INPUTS_READ[key] = load_shared(path)
    return _INPUTS_READ[key]


def run_part(directory: str | Path, name: str) -> dict:
    """One part as a step runs it: the input file in, the result file out; returns the result."""
    result = estimate_part(_read_inputs(Path(directory) / INPUTS_FILE), name)
    save(result, result_path(directory, name))
    return result


def load_results(directory: str | Path) -> tuple[dict, dict]:
    """The input's meta and every part's result from `directory`, for `assemble`."""
    _INPUTS_READ.clear()
    meta_path = Path(directory) / INPUTS_META_FILE
    if not meta_path.is_file():
        raise FileNotFoundError(
            "the effects parts of this run are missing: materialize effects/inputs and "
            "effects/parts/* with marts/effects (e.g. select `effects/inputs+`)"
        )
    meta = load(meta_path)
    results = {}
    for name in parts(meta["run_ipw"]):
        path = result_path(directory, name)
        if not path.is_file():
            raise FileNotFoundError(f"effects part {name} was not computed in this run")
        results[name] = load(path)
    return meta, results


__all__ = [
    "EVENT_TIMES",
    "PARTS",
    "EffectsInputs",
    "assemble",
    "estimate_part",
    "load",
    "load_results",
    "load_shared",
    "parts",
    "prepare_inputs",
    "read_inputs",
    "result_path",
    "run_part",
    "save",
    "save_inputs",
    "save_shared",
]
