"""The generated interop matrix: cases, writers and readers.

A case is a set of ``create_array`` keywords that zarr-python 3.4 and anyzarr
both accept, the values to store and the region written (the rest stays
missing, so readers must produce the fill value there).  Writers and readers
are plain functions over a local directory so every pairing can be tested.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numcodecs
import numpy as np

Region = tuple[slice, ...]


@dataclass(frozen=True)
class Case:
    """One array layout to write with one implementation and read with another."""

    id: str
    zarr_format: int
    shape: tuple[int, ...]
    dtype: Any
    options: dict[str, Any] = field(default_factory=dict)
    region: Region | None = None  # None: the whole array is written
    attributes: dict[str, Any] = field(default_factory=lambda: {"case": "matrix", "n": [1, 2.5]})

    def create_kwargs(self) -> dict[str, Any]:
        return {
            "shape": self.shape,
            "dtype": self.dtype,
            "zarr_format": self.zarr_format,
            "attributes": self.attributes,
            **self.options,
        }

    @property
    def numeric(self) -> bool:
        return np.dtype(_numpy_dtype(self.dtype)).kind in "biufc"


def _numpy_dtype(spec: Any) -> np.dtype[Any]:
    if spec in ("str", str, "string"):
        return np.dtype(object)
    if spec in ("bytes", bytes):
        return np.dtype(object)
    return np.dtype(spec)  # type: ignore[no-any-return]


def values_for(case: Case) -> np.ndarray[Any, Any]:
    """Deterministic values of the case's type, with NaN for floats."""
    n = int(np.prod(case.shape, dtype=np.int64))
    idx = np.arange(n, dtype=np.int64)
    spec = case.dtype
    if spec in ("str", str, "string"):
        return np.array([f"s{i}é" * (i % 3) for i in idx], dtype=object).reshape(case.shape)
    if spec in ("bytes", bytes):
        return np.array([bytes([i % 256]) * (i % 4) for i in idx], dtype=object).reshape(case.shape)
    dt = np.dtype(spec)
    if dt.kind == "b":
        out = idx % 3 == 0
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        span = int(info.max) - int(info.min) + 1
        out = np.array([(int(i) * 7919 * 104729) % span + int(info.min) for i in idx], dtype=dt)
    elif dt.kind == "f":
        out = idx * 0.5 - 3.25
        if n > 2:
            out[1] = np.nan
    elif dt.kind == "c":
        out = idx * 0.5 - 1j * idx
    elif dt.kind in "mM":
        out = idx * 3 + 1
    elif dt.kind == "U":
        out = np.array([f"u{i}"[: dt.itemsize // 4] for i in idx])
    elif dt.kind == "S":
        out = np.array([f"b{i}".encode()[: dt.itemsize] for i in idx])
    else:
        raise AssertionError(f"no values for {dt}")
    return np.asarray(out).astype(dt).reshape(case.shape)


def expected_for(case: Case, fill_value: Any) -> np.ndarray[Any, Any]:
    """What a reader must return: written values in the region, fill elsewhere."""
    data = values_for(case)
    if case.region is None:
        return data
    out = np.empty(case.shape, dtype=data.dtype)
    out[...] = fill_value
    out[case.region] = data[case.region]
    return out


def _store_values(arr: Any, case: Case) -> None:
    data = values_for(case)
    if case.region is None:
        arr[...] = data
    else:
        arr[case.region] = data[case.region]


# -- writers ---------------------------------------------------------------


def write_zarr_python(path: Path, case: Case) -> None:
    import zarr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arr = zarr.create_array(store=str(path), **case.create_kwargs())
        _store_values(arr, case)


def write_zarrs(path: Path, case: Case) -> None:
    import zarr

    with zarr.config.set({"codec_pipeline.path": "zarrs.ZarrsCodecPipeline"}):
        write_zarr_python(path, case)


def write_anyzarr(path: Path, case: Case) -> None:
    import anyzarr

    arr = anyzarr.create_array(store=str(path), **case.create_kwargs())
    _store_values(arr, case)


def _tensorstore_metadata(case: Case, scratch: Path) -> dict[str, Any]:
    """The metadata zarr-python writes for the case, in tensorstore's spec form."""
    import zarr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zarr.create_array(store=str(scratch), **case.create_kwargs())
    if case.zarr_format == 3:
        doc = json.loads((scratch / "zarr.json").read_text())
        for key in ("zarr_format", "node_type", "attributes", "storage_transformers"):
            doc.pop(key, None)
        return dict(doc)
    doc = json.loads((scratch / ".zarray").read_text())
    doc.pop("zarr_format", None)
    return dict(doc)


def write_tensorstore(path: Path, case: Case) -> None:
    """tensorstore writes metadata (from zarr-python's document) and chunks itself."""
    import tensorstore as ts

    if not case.numeric:
        # tensorstore maps "|S4"/"<U5" to a byte dimension and has no vlen types
        raise TypeError(f"tensorstore has no numpy equivalent of {case.dtype!r}")
    metadata = _tensorstore_metadata(case, path.parent / f"{path.name}.meta")
    driver = "zarr3" if case.zarr_format == 3 else "zarr"
    spec = {
        "driver": driver,
        "kvstore": {"driver": "file", "path": str(path)},
        "metadata": metadata,
    }
    arr = ts.open(spec, create=True).result()
    data = values_for(case)
    if case.region is None:
        arr.write(data).result()
    else:
        arr[case.region].write(data[case.region]).result()
    attrs_file = path / ("zarr.json" if case.zarr_format == 3 else ".zattrs")
    if case.zarr_format == 3:
        doc = json.loads(attrs_file.read_text())
        doc["attributes"] = case.attributes
        attrs_file.write_text(json.dumps(doc))
    else:
        attrs_file.write_text(json.dumps(case.attributes))


# -- readers: (values, attributes, fill value) --------------------------------


def read_zarr_python(path: Path) -> tuple[Any, dict[str, Any], Any]:
    import zarr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arr = zarr.open_array(str(path), mode="r")
        return arr[...], dict(arr.attrs), arr.fill_value


def read_zarrs(path: Path) -> tuple[Any, dict[str, Any], Any]:
    import zarr

    with zarr.config.set({"codec_pipeline.path": "zarrs.ZarrsCodecPipeline"}):
        return read_zarr_python(path)


def read_anyzarr(path: Path) -> tuple[Any, dict[str, Any], Any]:
    import anyzarr

    arr = anyzarr.open_array(store=str(path), mode="r")
    return arr[...], dict(arr.attrs), arr.fill_value


def read_tensorstore(path: Path) -> tuple[Any, dict[str, Any], Any]:
    import tensorstore as ts

    driver = "zarr3" if (path / "zarr.json").exists() else "zarr"
    arr = ts.open(
        {"driver": driver, "kvstore": {"driver": "file", "path": str(path)}}, read=True
    ).result()
    attrs_file = path / ("zarr.json" if driver == "zarr3" else ".zattrs")
    doc = json.loads(attrs_file.read_text()) if attrs_file.exists() else {}
    attrs = doc.get("attributes", {}) if driver == "zarr3" else doc
    values = arr.read().result()
    if values.dtype.kind not in "biufc":
        raise TypeError(f"tensorstore reads {path} as {values.dtype}, not a numpy equivalent")
    return values, attrs, arr.fill_value


Writer = Callable[[Path, Case], None]
Reader = Callable[[Path], tuple[Any, dict[str, Any], Any]]

WRITERS: dict[str, Writer] = {
    "zarr-python": write_zarr_python,
    "zarrs": write_zarrs,
    "tensorstore": write_tensorstore,
}
READERS: dict[str, Reader] = {
    "zarr-python": read_zarr_python,
    "zarrs": read_zarrs,
    "tensorstore": read_tensorstore,
}


def blosc(cname: str, shuffle: str) -> list[dict[str, Any]]:
    return [{"name": "blosc", "configuration": {"cname": cname, "clevel": 3, "shuffle": shuffle}}]


def v2_blosc(shuffle: int) -> numcodecs.abc.Codec:
    return numcodecs.Blosc(cname="zstd", clevel=3, shuffle=shuffle)
