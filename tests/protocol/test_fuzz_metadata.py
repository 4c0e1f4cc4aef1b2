"""Fuzzing metadata documents: v2, v3 and consolidated, random and mutated.

Whatever the bytes, parsing either succeeds or raises one of anyzarr's own
errors (``anyzarr.errors.AnyzarrError``), quickly and without allocating
much more than the document itself.  Parsed arrays then build their codec
pipeline and decode a chunk of random bytes under the same rules.

``just fuzz`` runs these with the ``fuzz`` hypothesis profile (many more
examples); CI runs the ``ci`` profile.
"""

from __future__ import annotations

import json
import time
import tracemalloc
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from anyzarr.errors import AnyzarrError, ZarrUserWarning
from anyzarr.protocol.codecs import ChunkSpec, pipeline_for_metadata
from anyzarr.protocol.metadata import (
    group_from_zmetadata,
    parse_v2,
    parse_v3,
    parse_zmetadata,
)

#: One example may take this long (a hang shows up as a failure, not a stall).
DEADLINE = 5.0

V3_ARRAY: dict[str, Any] = {
    "zarr_format": 3,
    "node_type": "array",
    "shape": [20, 30],
    "data_type": "float32",
    "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [10, 10]}},
    "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
    "fill_value": "NaN",
    "codecs": [
        {
            "name": "sharding_indexed",
            "configuration": {
                "chunk_shape": [5, 5],
                "codecs": [
                    {"name": "bytes", "configuration": {"endian": "little"}},
                    {"name": "zstd", "configuration": {"level": 0, "checksum": False}},
                ],
                "index_codecs": [
                    {"name": "bytes", "configuration": {"endian": "little"}},
                    {"name": "crc32c"},
                ],
                "index_location": "end",
            },
        }
    ],
    "attributes": {"a": [1, {"b": None}]},
    "dimension_names": ["y", None],
}
V3_GROUP: dict[str, Any] = {
    "zarr_format": 3,
    "node_type": "group",
    "attributes": {},
    "consolidated_metadata": {
        "kind": "inline",
        "must_understand": False,
        "metadata": {"x": V3_ARRAY, "g": {"zarr_format": 3, "node_type": "group"}},
    },
}
V2_ARRAY: dict[str, Any] = {
    "zarr_format": 2,
    "shape": [20, 30],
    "chunks": [10, 10],
    "dtype": "<i4",
    "compressor": {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0},
    "fill_value": 0,
    "filters": [{"id": "delta", "dtype": "<i4"}],
    "order": "C",
    "dimension_separator": ".",
}
ZMETADATA: dict[str, Any] = {
    "zarr_consolidated_format": 1,
    "metadata": {
        ".zgroup": {"zarr_format": 2},
        ".zattrs": {},
        "x/.zarray": V2_ARRAY,
        "x/.zattrs": {"units": "m"},
    },
}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["NaN", "Infinity", "-Infinity", "0x7fc00000", "", "string", "bytes"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from _paths(value, (*prefix, i))


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> bytes:
    """``base`` with a few fields replaced, removed or added, as JSON bytes (or cut)."""
    doc = json.loads(json.dumps(base))
    paths = [p for p in _paths(doc) if p]
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        parent: Any = doc
        try:
            for step in path[:-1]:
                parent = parent[step]
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "replace":
                parent[path[-1]] = draw(json_values)
            elif action == "delete" and isinstance(parent, dict):
                parent.pop(path[-1], None)
            elif isinstance(parent, dict):
                parent[draw(st.text(max_size=6))] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue
    raw = json.dumps(doc, allow_nan=True).encode()
    if draw(st.booleans()) and draw(st.booleans()):
        raw = raw[: draw(st.integers(0, len(raw)))]
    return raw


@contextmanager
def bounded(doc_size: int) -> Iterator[None]:
    start = time.perf_counter()
    tracemalloc.start()
    try:
        yield
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < DEADLINE
    assert peak < (16 << 20) + 64 * doc_size, f"peak {peak} bytes"


def only_typed_errors(call: Callable[[], Any]) -> Any:
    """Run ``call``: it may fail only with a typed error and warn only of a repair.

    Documents that zarr-python reads with a repair (a chunk size of 0, say)
    are read here too, with a ZarrUserWarning that says how to fix them.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call()
        except AnyzarrError:
            result = None
    strays = [w for w in caught if not issubclass(w.category, ZarrUserWarning)]
    assert not strays, [str(w.message) for w in strays]
    return result


def decode_random_chunk(meta: Any, data: bytes) -> None:
    if getattr(meta, "node_type", None) != "array":
        return
    pipeline = only_typed_errors(lambda: pipeline_for_metadata(meta))
    if pipeline is None:
        return
    spec = ChunkSpec(
        shape=meta.chunk_shape,
        dtype=meta.dtype,
        fill_value=meta.fill_value if meta.fill_value is not None else np.zeros((), meta.dtype)[()],
        order=meta.order,
    )
    only_typed_errors(lambda: pipeline.decode_batch([data], spec, ["x/c/0"]))


@given(
    raw=mutated(V3_ARRAY) | mutated(V3_GROUP) | st.binary(max_size=200),
    chunk=st.binary(max_size=64),
)
@example(raw=b"{" * 5000, chunk=b"")
@example(raw=b'{"zarr_format": 3, "node_type": "array"}', chunk=b"")
def test_v3_documents(raw: bytes, chunk: bytes) -> None:
    with bounded(len(raw)):
        meta = only_typed_errors(lambda: parse_v3(raw, "x"))
        if meta is not None:
            decode_random_chunk(meta, chunk)
            for child in getattr(
                getattr(meta, "consolidated_metadata", None), "metadata", {}
            ).values():
                decode_random_chunk(child, chunk)


@given(
    zarray=mutated(V2_ARRAY) | st.binary(max_size=100) | st.none(),
    zattrs=st.none() | st.binary(max_size=50) | mutated({"a": 1}),
    chunk=st.binary(max_size=64),
)
def test_v2_documents(zarray: bytes | None, zattrs: bytes | None, chunk: bytes) -> None:
    zgroup = None if zarray is not None else b'{"zarr_format": 2}'
    with bounded(len(zarray or b"") + len(zattrs or b"")):
        meta = only_typed_errors(lambda: parse_v2(zarray, zgroup, zattrs, "x"))
        if meta is not None:
            decode_random_chunk(meta, chunk)


@given(raw=mutated(ZMETADATA) | st.binary(max_size=100))
def test_v2_consolidated_documents(raw: bytes) -> None:
    with bounded(len(raw)):
        only_typed_errors(lambda: parse_zmetadata(raw, ""))
        only_typed_errors(lambda: group_from_zmetadata(raw, ""))
