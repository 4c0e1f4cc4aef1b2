"""The generated matrix: each case written by one implementation, read by another.

Directions:

* zarr-python 3.4, zarr-python with the zarrs codec pipeline, or tensorstore
  writes; anyzarr reads (values, dtype, attributes, fill value);
* anyzarr writes; zarr-python, zarrs and tensorstore read.

A writer or reader that does not support a case (tensorstore has no variable
length strings, zarrs lacks some codecs) is detected by trying the same case
with zarr-python on the other side; only then is the pairing skipped.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.conformance._matrix import (
    READERS,
    WRITERS,
    Case,
    expected_for,
    read_anyzarr,
    read_zarr_python,
    write_anyzarr,
    write_zarr_python,
)
from tests.conformance._matrix_cases import ALL

pytestmark = pytest.mark.interop

NEEDS = {"zarrs": "zarrs", "tensorstore": "tensorstore"}


def _need(impl: str) -> None:
    if impl in NEEDS:
        pytest.importorskip(NEEDS[impl], reason=f"{impl} is an optional oracle")


def _fill_of(case: Case) -> Any:
    fill = case.options.get("fill_value")
    if (
        fill is None
        and np.dtype(case.dtype if case.dtype not in ("str", "bytes") else "O").kind in "mM"
    ):
        return np.array("NaT", dtype=case.dtype)[()]
    if fill is None:
        return np.zeros((), dtype=expected_for(case, 0).dtype)[()] if case.numeric else ""
    return fill


def same_scalar(a: Any, b: Any) -> bool:
    """Equal, with NaN equal to NaN (also inside complex) and NaT equal to NaT."""
    if isinstance(a, (np.datetime64, np.timedelta64)) or isinstance(
        b, (np.datetime64, np.timedelta64)
    ):
        return bool(np.isnat(a) and np.isnat(b)) or bool(a == b)
    if isinstance(a, (float, complex, np.floating, np.complexfloating)):
        ca, cb = complex(a), complex(b)
        return all(
            (math.isnan(x) and math.isnan(y))
            or (x == y and math.copysign(1, x) == math.copysign(1, y))
            for x, y in ((ca.real, cb.real), (ca.imag, cb.imag))
        )
    return bool(a == b)


def assert_values(got: Any, case: Case, where: str) -> None:
    expected = expected_for(case, _fill_of(case))
    got = np.asarray(got)
    assert got.shape == expected.shape, f"{where}: shape {got.shape} != {expected.shape}"
    if expected.dtype.kind in "OUS" or got.dtype.kind in "OT":
        assert got.tolist() == expected.tolist(), where
    else:
        np.testing.assert_array_equal(got, expected, err_msg=where, strict=False)
        if expected.dtype.kind in "fc":
            assert np.array_equal(np.signbit(got.real), np.signbit(expected.real)), where


def _agrees(values: Any, case: Case) -> bool:
    try:
        assert_values(values, case, case.id)
    except AssertionError:
        return False
    return True


def _write_or_skip(writer: str, path: Path, case: Case, tmp_path: Path) -> None:
    """Write with ``writer``; skip when it refuses a case zarr-python accepts."""
    try:
        WRITERS[writer](path, case)
    except Exception as exc:
        if writer == "zarr-python":
            raise
        pytest.skip(f"{writer} does not write {case.id}: {type(exc).__name__}: {exc}"[:300])


@pytest.mark.parametrize("writer", sorted(WRITERS))
@pytest.mark.parametrize("case", ALL, ids=[c.id for c in ALL])
def test_written_by_them_read_by_anyzarr(case: Case, writer: str, tmp_path: Path) -> None:
    _need(writer)
    path = tmp_path / "a.zarr"
    _write_or_skip(writer, path, case, tmp_path)
    ours, attrs, fill = read_anyzarr(path)
    theirs, _, _ = read_zarr_python(path)
    if writer != "zarr-python" and not _agrees(theirs, case):
        pytest.skip(
            f"zarr-python does not read {writer}'s {case.id} as written: the writer's fault"
        )
    assert_values(ours, case, f"{writer}->anyzarr {case.id}")
    assert json.loads(json.dumps(attrs)) == case.attributes
    if case.options.get("fill_value") is not None:
        assert same_scalar(fill, case.options["fill_value"]), f"{case.id}: fill {fill!r}"
    assert np.asarray(ours).dtype == np.asarray(theirs).dtype, case.id


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("case", ALL, ids=[c.id for c in ALL])
def test_written_by_anyzarr_read_by_them(case: Case, reader: str, tmp_path: Path) -> None:
    _need(reader)
    if reader != "zarr-python":
        # does the reader support the case at all?  Ask it about zarr-python's data.
        probe = tmp_path / "probe.zarr"
        write_zarr_python(probe, case)
        try:
            probed = READERS[reader](probe)[0]
        except Exception as exc:
            pytest.skip(f"{reader} does not read {case.id}: {type(exc).__name__}"[:300])
        if not _agrees(probed, case):
            pytest.skip(f"{reader} misreads zarr-python's own {case.id}: the reader's fault")
    path = tmp_path / "a.zarr"
    write_anyzarr(path, case)
    got, attrs, _ = READERS[reader](path)
    assert_values(got, case, f"anyzarr->{reader} {case.id}")
    assert json.loads(json.dumps(attrs)) == case.attributes


def _documents(path: Path) -> dict[str, Any]:
    names = ("zarr.json", ".zarray", ".zattrs")
    return {n: json.loads((path / n).read_text()) for n in names if (path / n).exists()}


@pytest.mark.parametrize("case", ALL, ids=[c.id for c in ALL])
def test_metadata_documents_equal_zarr_python(case: Case, tmp_path: Path) -> None:
    """The JSON anyzarr writes equals zarr-python's for the same call."""
    import zarr

    import anyzarr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zarr.create_array(store=str(tmp_path / "theirs"), **case.create_kwargs())
    anyzarr.create_array(store=str(tmp_path / "ours"), **case.create_kwargs())
    assert _documents(tmp_path / "ours") == _documents(tmp_path / "theirs")
