"""Shared helpers: read with the oracles, compare decoded values."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"


def zarr_python_read(store: Any, path: str = "") -> tuple[Any, Exception | None]:
    """Read a whole array with zarr-python 3.4; its refusal is returned, not raised."""
    import zarr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return zarr.open_array(store, path=path, mode="r")[...], None
        except Exception as exc:  # the oracle's refusal is data for the caller
            return None, exc


def tensorstore_read(path: Path) -> Any:
    """Read with tensorstore, or None where it does not support the array."""
    import tensorstore as ts

    driver = "zarr3" if (path / "zarr.json").exists() else "zarr"
    spec = {"driver": driver, "kvstore": {"driver": "file", "path": str(path)}}
    try:
        return ts.open(spec, read=True).result().read().result()
    except Exception:  # an unsupported case is not ours to judge
        return None


def assert_same(ours: Any, theirs: Any, where: str) -> None:
    """Equal shape, dtype and values (NaN equals NaN; NaT equals NaT)."""
    ours = np.asarray(ours)
    theirs = np.asarray(theirs)
    assert ours.shape == theirs.shape, f"{where}: shape {ours.shape} != {theirs.shape}"
    assert ours.dtype == theirs.dtype, f"{where}: dtype {ours.dtype} != {theirs.dtype}"
    if ours.dtype.kind in "fcmM":
        np.testing.assert_array_equal(ours, theirs, err_msg=where)
    elif ours.dtype.fields is not None:
        assert ours.tobytes() == theirs.tobytes(), where
    else:
        assert ours.tolist() == theirs.tolist(), where


def plain(value: Any) -> Any:
    """Attributes as plain JSON values so two libraries' dicts compare equal."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
