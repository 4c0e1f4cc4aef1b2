"""Property tests: random arrays, chunkings, codecs and selections, written by
one implementation and read by the other (both directions)."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

pytestmark = pytest.mark.interop

CODECS: dict[str, dict[str, Any]] = {
    "zstd": {"name": "zstd", "configuration": {"level": 1, "checksum": True}},
    "gzip": {"name": "gzip", "configuration": {"level": 1}},
    "blosc": {
        "name": "blosc",
        "configuration": {"cname": "lz4", "clevel": 1, "shuffle": "bitshuffle"},
    },
    "crc32c": {"name": "crc32c"},
}
DTYPES = ["bool", "int8", "uint16", "int32", "int64", "float32", "float64", "complex64"]


@st.composite
def layouts(draw: st.DrawFn) -> dict[str, Any]:
    import numcodecs

    zarr_format = draw(st.sampled_from([2, 3]))
    shape = draw(st.lists(st.integers(1, 9), min_size=1, max_size=3).map(tuple))
    chunks = tuple(draw(st.integers(1, n)) for n in shape)
    dtype = draw(st.sampled_from(DTYPES))
    options: dict[str, Any] = {"chunks": chunks}
    if zarr_format == 3:
        codec = draw(
            st.sampled_from(["none", "zstd", "gzip", "blosc", "crc32c", "shard", "transpose"])
        )
        if codec == "shard":
            options["shards"] = tuple(c * draw(st.integers(1, 3)) for c in chunks)
            options["shards"] = {
                "shape": options["shards"],
                "index_location": draw(st.sampled_from(["start", "end"])),
            }
        elif codec == "transpose":
            order = draw(st.permutations(list(range(len(shape)))))
            options["filters"] = [{"name": "transpose", "configuration": {"order": order}}]
        elif codec != "none":
            options["compressors"] = [CODECS[codec]]
        else:
            options["compressors"] = None
    else:
        options["order"] = draw(st.sampled_from("CF"))
        options["compressors"] = draw(
            st.sampled_from(
                [None, numcodecs.Zstd(level=1), numcodecs.Blosc(shuffle=2), numcodecs.Zlib(level=1)]
            )
        )
    data = draw(
        hnp.arrays(np.dtype(dtype), shape, elements={"allow_nan": False, "allow_subnormal": False})
    )
    return {
        "zarr_format": zarr_format,
        "shape": shape,
        "dtype": dtype,
        "options": options,
        "data": data,
    }


@st.composite
def selections(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple[slice, ...]:
    out = []
    for n in shape:
        start = draw(st.integers(0, n - 1))
        stop = draw(st.integers(start + 1, n))
        step = draw(st.integers(1, 3))
        out.append(slice(start, stop, step))
    return tuple(out)


def _create(lib: Any, path: Path, layout: dict[str, Any]) -> Any:
    return lib.create_array(
        store=str(path),
        shape=layout["shape"],
        dtype=layout["dtype"],
        zarr_format=layout["zarr_format"],
        fill_value=0,
        **layout["options"],
    )


@pytest.mark.parametrize("direction", ["zarr-python->anyzarr", "anyzarr->zarr-python"])
@settings(max_examples=25)
@given(data=st.data())
def test_random_roundtrip(direction: str, data: st.DataObject) -> None:
    import zarr

    import anyzarr

    writer, reader = (zarr, anyzarr) if direction.startswith("zarr-python") else (anyzarr, zarr)
    layout = data.draw(layouts())
    sel = data.draw(selections(layout["shape"]))
    expected = np.array(layout["data"])
    patch = np.ones_like(expected[sel])
    expected[sel] = patch
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = Path(tmp) / "a.zarr"
        arr = _create(writer, path, layout)
        arr[...] = layout["data"]
        arr[sel] = patch  # a partial write: read-modify-write of edge chunks/shards
        got = reader.open_array(store=str(path), mode="r")
        np.testing.assert_array_equal(got[...], expected)
        read_sel = data.draw(selections(layout["shape"]))
        np.testing.assert_array_equal(got[read_sel], expected[read_sel])
        index = tuple(
            np.unique(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4)))
            for n in layout["shape"]
        )
        np.testing.assert_array_equal(got.oindex[index], expected[np.ix_(*index)])
