"""Datasets and helpers shared by the xarray and dask integration tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from anyzarr.storage import WrapperStore


def example_dataset() -> xr.Dataset:
    """Everything a backend must carry: coordinates, CF encodings, strings, times, NaN fills."""
    rng = np.random.default_rng(0)
    temp = rng.random((6, 5, 4))
    temp[0, 0, 0] = np.nan
    ds = xr.Dataset(
        {
            "temp": (("time", "y", "x"), temp, {"units": "K", "long_name": "temperature"}),
            "counts": (("time",), np.arange(6, dtype="i4")),
            "scaled": (("time",), np.array([1.5, 2.0, np.nan, 4.5, 5.0, 6.0], dtype="f4")),
            "label": (("x",), np.array(["a", "bb", "ccc", "dddd"])),
            "note": (("x",), np.array(["one", "two", "", "four"], dtype=object)),
            "flag": (("y",), np.array([True, False, True, True, False])),
            "delay": (("time",), pd.to_timedelta(np.arange(6), unit="s").to_numpy()),
        },
        coords={
            "time": pd.date_range("2000-01-01", periods=6),
            "y": np.linspace(-1.0, 1.0, 5),
            "x": np.arange(4),
            "lat": (("y", "x"), rng.random((5, 4))),
        },
        attrs={"title": "example", "history": "made by a test", "levels": np.array([1, 2])},
    )
    ds["counts"].encoding = {"_FillValue": -1}
    ds["scaled"].encoding = {
        "scale_factor": 0.5,
        "add_offset": 1.0,
        "dtype": "i2",
        "_FillValue": -99,
    }
    ds["temp"].encoding = {"chunks": (2, 5, 2)}
    return ds


def metadata_documents(root: Path) -> dict[str, Any]:
    """Every metadata document under ``root``, parsed, keyed by relative path."""
    names = {"zarr.json", ".zarray", ".zattrs", ".zgroup", ".zmetadata"}
    return {
        p.relative_to(root).as_posix(): json.loads(p.read_text())
        for p in sorted(root.rglob("*"))
        if p.name in names
    }


def chunk_keys(root: Path) -> set[str]:
    """The relative paths of every stored object that is not a metadata document."""
    docs = {"zarr.json", ".zarray", ".zattrs", ".zgroup", ".zmetadata"}
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.name not in docs
    }


class RecordingStore(WrapperStore[Any]):
    """Remembers the key of every ``get``, to see which reads an operation made."""

    def __init__(self, store: Any) -> None:
        super().__init__(store)
        self.keys: list[str] = []

    async def get(self, key: str, prototype: Any = None, byte_range: Any = None) -> Any:
        self.keys.append(key)
        return await super().get(key, prototype, byte_range)

    def _with_store(self, store: Any) -> RecordingStore:
        return type(self)(store)
