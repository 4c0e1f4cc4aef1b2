"""Rectilinear chunk grids against zarr-python 3.4, the metadata and the stored chunks.

Documents go both ways byte for byte.  Chunks are exchanged through the
protocol layer alone (planner, `chunk_shape_at`, codec pipeline), which is
what the engine is built on: anyzarr reads the chunks zarr-python wrote and
zarr-python reads the chunks anyzarr encoded.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anyzarr.protocol.codecs import ChunkSpec, pipeline_for_metadata
from anyzarr.protocol.indexing import plan_basic, plan_getitem
from anyzarr.protocol.metadata import ArrayV3Metadata, metadata_documents, parse_v3

zarr = pytest.importorskip("zarr")
pytestmark = pytest.mark.interop


@st.composite
def dim_specs(draw: st.DrawFn, extent: int) -> Any:
    """One axis of a ``chunk_shapes`` document: a step, or edges (some as runs) past ``extent``."""
    if draw(st.booleans()):
        return draw(st.integers(1, 8))
    edges: list[int] = []
    while sum(edges) < extent or not edges or draw(st.integers(0, 4)) == 0:
        edges.append(draw(st.integers(1, 8)))
        if len(edges) > 12:
            break
    while sum(edges) < extent:
        edges.append(extent - sum(edges))
    doc: list[Any] = []
    i = 0
    while i < len(edges):
        j = i
        while j < len(edges) and edges[j] == edges[i]:
            j += 1
        run = j - i
        split = draw(st.integers(1, run))  # group a run arbitrarily, as a writer might
        doc.append([edges[i], split] if draw(st.booleans()) else edges[i])
        if isinstance(doc[-1], int):
            split = 1
        i += split
    return doc


@st.composite
def rectilinear_documents(draw: st.DrawFn) -> tuple[tuple[int, ...], dict[str, Any]]:
    shape = tuple(draw(st.lists(st.integers(0, 20), min_size=1, max_size=3)))
    shapes = [draw(dim_specs(n)) for n in shape]
    doc = {
        "shape": list(shape),
        "data_type": "int32",
        "chunk_grid": {
            "name": "rectilinear",
            "configuration": {"kind": "inline", "chunk_shapes": shapes},
        },
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": -1,
        "codecs": [
            {"name": "bytes", "configuration": {"endian": "little"}},
            {"name": "zstd", "configuration": {"level": 0, "checksum": False}},
        ],
        "attributes": {},
        "zarr_format": 3,
        "node_type": "array",
        "storage_transformers": [],
    }
    return shape, doc


def zarr_store_with(document: bytes) -> Any:
    store = zarr.storage.MemoryStore()
    store._store_dict["zarr.json"] = zarr.core.buffer.cpu.Buffer.from_bytes(document)
    return store


def rewritten_by_zarr(document: bytes) -> bytes:
    """The document zarr-python writes back after reading ``document``."""
    store = zarr_store_with(document)
    with zarr.config.set({"array.rectilinear_chunks": True}):
        zarr.open_array(store, mode="r+").update_attributes({})
    return bytes(store._store_dict["zarr.json"].to_bytes())


@settings(max_examples=30)
@given(case=rectilinear_documents())
def test_documents_round_trip_both_ways(case: tuple[tuple[int, ...], dict[str, Any]]) -> None:
    _, doc = case
    raw = json.dumps(doc).encode()
    theirs = rewritten_by_zarr(raw)
    ours = metadata_documents(parse_v3(raw, "a"))["zarr.json"]
    assert ours == theirs
    # And what anyzarr writes, zarr-python reads and writes back unchanged.
    assert rewritten_by_zarr(ours) == ours
    assert metadata_documents(parse_v3(theirs, "a"))["zarr.json"] == theirs


def chunk_arrays(meta: ArrayV3Metadata, store: Any) -> dict[tuple[int, ...], np.ndarray]:
    """Every stored chunk of ``store``, decoded at the shape `chunk_shape_at` gives."""
    pipeline = pipeline_for_metadata(meta)
    out = {}
    for key, buf in store._store_dict.items():
        coords = meta.chunk_coords_of_key(key)
        if coords is None:
            continue
        spec = ChunkSpec(shape=meta.chunk_shape_at(coords), dtype=meta.dtype, fill_value=-1)
        (arr,) = pipeline.decode_batch([buf.to_bytes()], spec, [key])
        assert arr is not None
        assert arr.shape == spec.shape
        out[coords] = arr
    return out


@settings(max_examples=25)
@given(case=rectilinear_documents(), data=st.data())
def test_chunks_zarr_python_wrote_are_read(
    case: tuple[tuple[int, ...], dict[str, Any]], data: st.DataObject
) -> None:
    shape, doc = case
    raw = json.dumps(doc).encode()
    ref = np.arange(int(np.prod(shape)), dtype="i4").reshape(shape)
    store = zarr_store_with(raw)
    with zarr.config.set({"array.rectilinear_chunks": True}):
        zarr.open_array(store, mode="r+")[...] = ref
    meta = parse_v3(raw, "a")
    assert isinstance(meta, ArrayV3Metadata)
    chunks = chunk_arrays(meta, store)
    sel = tuple(
        slice(
            data.draw(st.integers(0, n)),
            data.draw(st.integers(0, n)),
            data.draw(st.integers(1, 4)),
        )
        for n in shape
    )
    plan = plan_getitem(sel, shape, meta.chunk_grid)
    out = np.full(plan.shape, -9, dtype="i4")
    for p in plan.projections:
        chunk = chunks.get(p.chunk_coords)
        if chunk is None:
            chunk = np.full(plan.chunk_shape_of(p.chunk_coords), -1, dtype="i4")
        assert chunk.shape == plan.chunk_shape_of(p.chunk_coords)
        out[p.out_selection] = chunk[p.chunk_selection]
    np.testing.assert_array_equal(out, ref[sel])


@settings(max_examples=25)
@given(case=rectilinear_documents())
def test_chunks_anyzarr_encoded_are_read_by_zarr_python(
    case: tuple[tuple[int, ...], dict[str, Any]],
) -> None:
    shape, doc = case
    raw = json.dumps(doc).encode()
    meta = parse_v3(raw, "a")
    assert isinstance(meta, ArrayV3Metadata)
    ref = np.arange(int(np.prod(shape)), dtype="i4").reshape(shape) * 3
    plan = plan_basic(Ellipsis, shape, meta.chunk_grid)
    pipeline = pipeline_for_metadata(meta)
    store = zarr_store_with(raw)
    for p in plan.projections:
        chunk_shape = plan.chunk_shape_of(p.chunk_coords)
        chunk = np.full(chunk_shape, -1, dtype="i4")
        chunk[p.chunk_selection] = ref[p.out_selection]
        spec = ChunkSpec(shape=chunk_shape, dtype=meta.dtype, fill_value=-1)
        (encoded,) = pipeline.encode_batch([chunk], spec)
        assert encoded is not None
        key = meta.encode_chunk_key(p.chunk_coords)
        store._store_dict[key] = zarr.core.buffer.cpu.Buffer.from_bytes(encoded.to_bytes())
    with zarr.config.set({"array.rectilinear_chunks": True}):
        got = zarr.open_array(store, mode="r")[...]
    np.testing.assert_array_equal(got, ref)
