"""anyzarr reads every array that other implementations wrote in shared/fixtures.

The oracle is zarr-python 3.4 reading the same files.  Where zarr-python
refuses a fixture, anyzarr must refuse it too with a typed error, except where
``CHOICES`` records a deliberate, documented difference (docs/compatibility.md).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conformance._discover import find_arrays

ROOT = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
ARRAYS = [str(p.relative_to(ROOT)) for p in find_arrays(ROOT)] if ROOT.is_dir() else []

# Deliberate differences from zarr-python 3.4 (see docs/compatibility.md).
# v2 `|S1` / `<U4` arrays with `"fill_value": 0`: zarr-python 2.18 read them
# and so does anyzarr (0 means the zero value of the type); zarr-python 3.4
# refuses the metadata.
READS_WHERE_ZARR_PYTHON_REFUSES = {
    f"zarr-python-v2/{group}/{i}" for group in (14, 15) for i in range(7)
}


def _zarr_python_read(path: Path) -> tuple[Any, Exception | None]:
    import zarr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return zarr.open_array(str(path), mode="r")[...], None
        except Exception as exc:  # the oracle's refusal is data for the test
            return None, exc


def _assert_same(ours: Any, theirs: Any, rel: str) -> None:
    ours = np.asarray(ours)
    theirs = np.asarray(theirs)
    assert ours.shape == theirs.shape, rel
    assert ours.dtype == theirs.dtype, f"{rel}: {ours.dtype} != {theirs.dtype}"
    if ours.dtype.kind in "fc":
        np.testing.assert_array_equal(ours, theirs, err_msg=rel)
    else:
        assert ours.tolist() == theirs.tolist(), rel


@pytest.mark.interop
@pytest.mark.parametrize(
    "rel",
    ARRAYS or [pytest.param("", marks=pytest.mark.skip(reason=f"{ROOT} is absent"))],
)
def test_reads_fixture_like_zarr_python(rel: str) -> None:
    import anyzarr
    from anyzarr.errors import AnyzarrError

    path = ROOT / rel
    theirs, refused = _zarr_python_read(path)
    if refused is None:
        ours = anyzarr.open_array(store=str(path), mode="r")[...]
        _assert_same(ours, theirs, rel)
    elif rel in READS_WHERE_ZARR_PYTHON_REFUSES:
        ours = np.asarray(anyzarr.open_array(store=str(path), mode="r")[...])
        assert ours.size > 0
    else:
        with pytest.raises(AnyzarrError):
            anyzarr.open_array(store=str(path), mode="r")[...]


def _tensorstore_read(path: Path) -> Any:
    ts = pytest.importorskip("tensorstore")
    driver = "zarr3" if (path / "zarr.json").exists() else "zarr"
    try:
        arr = ts.open({"driver": driver, "kvstore": {"driver": "file", "path": str(path)}}).result()
        return arr.read().result()
    except Exception:  # tensorstore does not support every case; those are skipped
        return None


@pytest.mark.interop
@pytest.mark.parametrize(
    "rel",
    ARRAYS or [pytest.param("", marks=pytest.mark.skip(reason=f"{ROOT} is absent"))],
)
def test_reads_numeric_fixture_like_tensorstore(rel: str) -> None:
    import anyzarr

    path = ROOT / rel
    theirs = _tensorstore_read(path)
    if theirs is None or theirs.dtype.kind not in "biufc":
        pytest.skip("tensorstore does not read this fixture as a numeric array")
    ours = np.asarray(anyzarr.open_array(store=str(path), mode="r")[...])
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(ours.astype(theirs.dtype), theirs, err_msg=rel)
