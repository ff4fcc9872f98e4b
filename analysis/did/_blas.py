"""Run BLAS single-threaded inside the estimator.

The estimator's matrix products are many small-to-medium GEMMs (per-cohort Gram blocks of a
units x periods matrix). Multi-threaded OpenBLAS is slower for these, and on a shared, busy
machine catastrophically so: measured here, 100 products of a 420 x 108 block took 1.6 s with 2
OpenBLAS threads against 0.03 s with 1. Single-threaded, the whole 600k x 108 Gram pass is a
fraction of a second, so nothing is lost by pinning BLAS to one thread while we compute.

Works for the OpenBLAS builds that numpy / scipy wheels ship (located through /proc/self/maps,
Linux only); anywhere else it silently does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
from collections.abc import Iterator

_PAIRS = (
    ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
    ("scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"),
    ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
    ("openblas_set_num_threads", "openblas_get_num_threads"),
)
_controls: list[tuple[object, object]] | None = None


def _find_controls() -> list[tuple[object, object]]:
    global _controls
    if _controls is not None:
        return _controls
    found: list[tuple[object, object]] = []
    try:
        with open("/proc/self/maps") as fh:
            paths = sorted(
                {
                    line.split()[-1]
                    for line in fh
                    if "openblas" in line.lower() and line.split()[-1].startswith("/")
                }
            )
        for path in paths:
            lib = ctypes.CDLL(path)
            for set_name, get_name in _PAIRS:
                if hasattr(lib, set_name) and hasattr(lib, get_name):
                    setter, getter = getattr(lib, set_name), getattr(lib, get_name)
                    setter.argtypes = [ctypes.c_int]
                    setter.restype = None
                    getter.argtypes = []
                    getter.restype = ctypes.c_int
                    found.append((setter, getter))
                    break
    except Exception:  # pragma: no cover - non-Linux or unusual builds
        found = []
    _controls = found
    return found


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Context manager: OpenBLAS uses one thread inside, the previous setting is restored after."""
    controls = _find_controls()
    saved = []
    for setter, getter in controls:
        try:
            saved.append((setter, getter()))
            setter(1)
        except Exception:  # pragma: no cover
            pass
    try:
        yield
    finally:
        for setter, n in saved:
            with contextlib.suppress(Exception):
                setter(n)


def with_single_threaded_blas(fn):
    """Decorator form of `single_threaded_blas`."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with single_threaded_blas():
            return fn(*args, **kwargs)

    return wrapper
