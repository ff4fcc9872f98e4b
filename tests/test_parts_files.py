"""The effects parts' shared input file (`analysis.effects.parts.save_shared`/`load_shared`).

Workers running parts side by side map one file instead of each copying its arrays: the
arrays come back equal, with their dtypes and layouts, page-aligned in the file; writing to one
changes neither the file nor another reader's copy; a reader keeps its arrays when the file is
replaced; a file of another kind is refused.
"""

import pickle
from dataclasses import dataclass

import numpy as np
import pytest

from analysis.effects.parts import _PAGE, load_shared, save_shared


@dataclass
class _Inputs:
    arrays: dict
    ids: np.ndarray
    label: str


def _sample() -> _Inputs:
    rng = np.random.default_rng(7)
    return _Inputs(
        arrays={
            "f64": rng.normal(size=(301, 13)),
            "i8": rng.integers(-5, 5, size=(17, 9), dtype=np.int8),
            "fortran": np.asfortranarray(rng.normal(size=(11, 5)).astype(np.float32)),
            "strided": rng.normal(size=(20, 6))[::3, 1:4],  # not contiguous: pickled in band
            "empty": np.zeros((0, 4)),
            "bools": rng.random(1001) < 0.5,
        },
        ids=np.array(["p1", "p22", "p333"], dtype=object),
        label="æøå",
    )


def _assert_same(a: _Inputs, b: _Inputs) -> None:
    assert a.label == b.label
    assert a.ids.tolist() == b.ids.tolist()
    assert a.arrays.keys() == b.arrays.keys()
    for name, x in a.arrays.items():
        y = b.arrays[name]
        assert y.dtype == x.dtype and y.shape == x.shape, name
        assert np.array_equal(x, y), name
        assert y.flags.f_contiguous == x.flags.f_contiguous, name


def test_arrays_come_back_equal_and_page_aligned_in_the_file(tmp_path):
    obj = _sample()
    path = save_shared(obj, tmp_path / "inputs.bin")
    back = load_shared(path)
    _assert_same(obj, back)
    raw = path.read_bytes()
    big = back.arrays["f64"]
    offset = raw.index(obj.arrays["f64"].tobytes())
    assert offset % _PAGE == 0
    assert big.flags.writeable  # as a pickled array: estimators may work in place


def test_a_write_changes_neither_the_file_nor_another_reader(tmp_path):
    obj = _sample()
    path = save_shared(obj, tmp_path / "inputs.bin")
    first, second = load_shared(path), load_shared(path)
    first.arrays["f64"][:] = -1.0
    first.arrays["bools"][:] = True
    assert np.array_equal(second.arrays["f64"], obj.arrays["f64"])
    _assert_same(obj, load_shared(path))


def test_a_reader_keeps_its_arrays_when_the_file_is_replaced(tmp_path):
    obj = _sample()
    path = save_shared(obj, tmp_path / "inputs.bin")
    back = load_shared(path)
    other = _sample()
    other.arrays["f64"] = other.arrays["f64"] + 100.0
    save_shared(other, path)  # atomically replaced: a new file, the old one stays mapped
    _assert_same(obj, back)
    assert np.array_equal(load_shared(path).arrays["f64"], other.arrays["f64"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs.bin"]  # no temporary left


def test_a_file_of_another_kind_is_refused(tmp_path):
    path = tmp_path / "inputs.bin"
    path.write_bytes(pickle.dumps(_sample()))
    with pytest.raises(ValueError, match="not a file written by save_shared"):
        load_shared(path)
