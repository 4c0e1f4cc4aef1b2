"""Chunk grids: the rectilinear grid document, per-axis arithmetic, metadata helpers."""

from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from anyzarr.errors import MetadataValidationError, UnsupportedOperationError
from anyzarr.protocol.metadata import (
    ArrayV3Metadata,
    RectilinearChunkGrid,
    RegularAxis,
    RegularChunkGrid,
    VaryingAxis,
    create_array_metadata,
    metadata_documents,
    parse_chunk_grid,
    parse_v3,
)


def rect(shapes: list[Any]) -> dict[str, Any]:
    return {"name": "rectilinear", "configuration": {"kind": "inline", "chunk_shapes": shapes}}


def v3_doc(shape: list[int], grid: dict[str, Any], codecs: list[Any] | None = None) -> bytes:
    doc = {
        "shape": shape,
        "data_type": "int32",
        "chunk_grid": grid,
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": 0,
        "codecs": codecs or [{"name": "bytes", "configuration": {"endian": "little"}}],
        "attributes": {},
        "zarr_format": 3,
        "node_type": "array",
        "storage_transformers": [],
    }
    return json.dumps(doc).encode()


def test_the_specification_example() -> None:
    # The example of the zarr-extensions rectilinear chunk grid document.
    grid = parse_chunk_grid(rect([4, [1, 2, 3], [[4, 2]], [[1, 3], 3], [4, 4, 4]]))
    assert isinstance(grid, RectilinearChunkGrid)
    assert grid.chunk_shapes == (4, (1, 2, 3), (4, 4), (1, 1, 1, 3), (4, 4, 4))
    assert grid.grid_shape((6, 6, 6, 6, 6)) == (2, 3, 2, 4, 2)
    # The third edge of the last axis lies wholly past the array's end.
    assert grid.chunk_shape_at((1, 2, 1, 3, 2)) == (4, 3, 4, 3, 4)
    assert grid.chunk_region((1, 2, 1, 3, 1), (6, 6, 6, 6, 6)) == (
        slice(4, 6),
        slice(3, 6),
        slice(4, 6),
        slice(3, 6),
        slice(4, 6),
    )
    assert grid.chunk_coords_of((5, 2, 3, 2, 4), (6, 6, 6, 6, 6)) == (1, 1, 0, 2, 1)


@pytest.mark.parametrize(
    ("given_", "written"),
    [
        ([[10, 10, 5]], [[[10, 2], 5]]),  # a run is written as a pair when that is shorter
        ([[10, 5]], [[10, 5]]),  # no run: every edge
        ([[[10, 1], [10, 2], 5]], [[[10, 3], 5]]),  # neighbouring runs merge
        ([[[7, 1]]], [[7]]),  # a pair of count 1 is a plain edge
        ([[4, 4, 4]], [[[4, 3]]]),
        ([3, [2, 3, 7]], [3, [2, 3, 7]]),  # a bare step stays bare
        ([[[1, 10**12]]], [[[1, 10**12]]]),
    ],
)
def test_written_as_zarr_python_writes_it(given_: list[Any], written: list[Any]) -> None:
    grid = parse_chunk_grid(rect(given_))
    assert grid.to_dict() == rect(written)
    assert parse_chunk_grid(grid.to_dict()) == grid


@pytest.mark.parametrize(
    ("doc", "match"),
    [
        ({"name": "rectilinear", "configuration": {"chunk_shapes": [[1]]}}, "kind"),
        ({"name": "rectilinear", "configuration": {"kind": "file", "chunk_shapes": [[1]]}}, "kind"),
        ({"name": "rectilinear", "configuration": {"kind": "inline"}}, "chunk_shapes"),
        (rect("abc"), "chunk_shapes"),  # type: ignore[arg-type]
        (rect([[]]), r"chunk_shapes\[0\]"),
        (rect([[0, 1]]), r"chunk_shapes\[0\]\[0\]"),
        (rect([[1.5]]), r"chunk_shapes\[0\]\[0\]"),
        (rect([[True]]), r"chunk_shapes\[0\]\[0\]"),
        (rect([0]), r"chunk_shapes\[0\]"),
        (rect([[[4, 0]]]), r"\[0\]\[0\]\[1\]"),
        (rect([[[4, -1]]]), "repeat count"),
        (rect([[[4, 2, 1]]]), "pair"),
        (rect([[2**63]]), "positive integer"),
        (rect(["4"]), r"chunk_shapes\[0\]"),
        ({"name": "irregular", "configuration": {}}, "unknown chunk grid"),
    ],
)
def test_invalid_documents_name_the_field(doc: dict[str, Any], match: str) -> None:
    with pytest.raises(MetadataValidationError, match=match):
        parse_chunk_grid(doc)


def test_array_documents_are_checked_against_the_shape() -> None:
    with pytest.raises(MetadataValidationError, match="sum to 15, less than"):
        parse_v3(v3_doc([16], rect([[10, 5]])), "a")
    with pytest.raises(MetadataValidationError, match="rank"):
        parse_v3(v3_doc([16, 2], rect([[10, 6]])), "a")
    # Edges past the end are allowed, by as many chunks as one likes.
    meta = parse_v3(v3_doc([16], rect([[10, 10, 10]])), "a")
    assert isinstance(meta, ArrayV3Metadata)
    assert meta.chunk_grid.grid_shape(meta.shape) == (2,)


def test_a_huge_run_costs_nothing() -> None:
    # A few bytes can declare 10**18 chunks: nothing is expanded.
    doc = v3_doc([5 * 10**17], rect([[[1, 10**18]], [[3, 2**40], 1]]))
    with pytest.raises(MetadataValidationError, match="rank"):
        parse_v3(doc, "a")
    meta = parse_v3(v3_doc([5 * 10**17, 7], rect([[[1, 10**18]], [[3, 2**40], 1]])), "a")
    assert isinstance(meta, ArrayV3Metadata)
    assert meta.chunk_grid.grid_shape(meta.shape) == (5 * 10**17, 3)
    assert meta.chunk_shape_at((10**17, 2)) == (1, 3)
    assert (
        metadata_documents(meta)["zarr.json"]
        == metadata_documents(meta.with_shape(meta.shape))["zarr.json"]
    )


def test_metadata_chunk_shapes() -> None:
    meta = parse_v3(v3_doc([25, 7], rect([[[10, 2], 5], 3])), "a")
    assert isinstance(meta, ArrayV3Metadata)
    with pytest.raises(UnsupportedOperationError, match="chunk_shape_at") as info:
        meta.chunk_shape  # noqa: B018
    assert isinstance(info.value, NotImplementedError)  # zarr-python raises NotImplementedError
    assert meta.chunk_shape_at((0, 0)) == (10, 3)
    assert meta.chunk_shape_at((2, 2)) == (5, 3)
    regular = create_array_metadata(shape=(25, 7), chunks=(10, 3), dtype="i4")
    assert regular.chunk_shape_at((2, 2)) == (10, 3)
    v2 = create_array_metadata(shape=(25, 7), chunks=(10, 3), dtype="i4", zarr_format=2)
    assert v2.chunk_grid == RegularChunkGrid((10, 3))
    assert v2.chunk_shape_at((1, 1)) == (10, 3)


def test_chunk_coords_of_key() -> None:
    meta = parse_v3(v3_doc([25, 7], rect([[[10, 2], 5], 3])), "a")
    assert meta.chunk_coords_of_key("c/2/2") == (2, 2)
    for key in ("c/3/0", "c/0", "c/0/0/0", "c/00/1", "zarr.json", "c/-1/0", "c/x/0", "0/0"):
        assert meta.chunk_coords_of_key(key) is None, key
    v2 = create_array_metadata(shape=(), chunks=(), dtype="i4", zarr_format=2)
    assert v2.chunk_coords_of_key("0") == ()
    assert v2.chunk_coords_of_key(".zarray") is None


def test_resize_grows_as_zarr_python_grows() -> None:
    meta = parse_v3(v3_doc([25, 7], rect([[10, 15], 3])), "a")
    assert isinstance(meta, ArrayV3Metadata)
    assert meta.with_shape((40, 9)).chunk_grid.to_dict() == rect([[10, [15, 2]], 3])
    assert meta.with_shape((5, 9)).chunk_grid == meta.chunk_grid  # shrinking keeps edges
    assert meta.with_shape((25, 7)).chunk_grid == meta.chunk_grid


def test_rectilinear_shards() -> None:
    sharded = create_array_metadata(shape=(30, 4), chunks=(5, 2), shards=[[10, 20], 4], dtype="i4")
    assert isinstance(sharded, ArrayV3Metadata)
    assert sharded.inner_chunk_shape == (5, 2)
    assert sharded.chunk_shape_at((1, 0)) == (20, 4)
    with pytest.raises(MetadataValidationError, match="not a multiple"):
        create_array_metadata(shape=(30,), chunks=(5,), shards=[[12, 18]], dtype="i4")
    doc = json.loads(metadata_documents(sharded)["zarr.json"])
    doc["chunk_grid"] = rect([[10, 7, 13], 4])
    with pytest.raises(MetadataValidationError, match="does not divide"):
        parse_v3(doc, "a")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"shape": (25,), "chunks": [[10, 10]]}, "sum to 20"),
        ({"shape": (25,), "chunks": [[10, 0, 15]]}, "positive"),
        ({"shape": (25,), "chunks": [[10, 15]], "zarr_format": 2}, "rectilinear"),
        ({"shape": (25,), "chunks": [[10, 15]], "shards": (25,)}, "must be regular"),
        ({"shape": (25, 2), "chunks": [[10, 15]]}, "dimensions"),
    ],
)
def test_create_refuses(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(MetadataValidationError, match=match):
        create_array_metadata(dtype="i4", **kwargs)


# -- per-axis arithmetic, against the expanded edges ----------------------------------

runs_st = st.lists(st.tuples(st.integers(1, 6), st.integers(1, 5)), min_size=1, max_size=5).map(
    tuple
)


def expanded(runs: tuple[tuple[int, int], ...]) -> list[int]:
    return [s for s, c in runs for _ in range(c)]


@given(runs=runs_st, data=st.data())
def test_varying_axis_matches_explicit_edges(
    runs: tuple[tuple[int, int], ...], data: st.DataObject
) -> None:
    edges = expanded(runs)
    extent = data.draw(st.integers(0, sum(edges)))
    axis = VaryingAxis(runs, extent)
    starts = list(itertools.accumulate([0, *edges]))
    holding = [i for i, s in enumerate(starts[:-1]) if s < extent]
    assert axis.nchunks == len(holding)
    for ix in holding:
        assert axis.offset(ix) == starts[ix]
        assert axis.chunk_size(ix) == edges[ix]
        assert axis.data_size(ix) == min(edges[ix], extent - starts[ix])
        assert axis.bounds(ix) == (starts[ix], min(starts[ix + 1], extent))
    for i in range(extent):
        assert starts[axis.chunk_of(i)] <= i < starts[axis.chunk_of(i) + 1]
    if extent:
        idx = np.arange(extent, dtype=np.intp)
        np.testing.assert_array_equal(axis.chunks_of(idx), [axis.chunk_of(i) for i in idx])
        ixs = np.arange(axis.nchunks, dtype=np.intp)
        np.testing.assert_array_equal(axis.offsets_of(ixs), starts[: axis.nchunks])
        np.testing.assert_array_equal(axis.data_sizes_of(ixs), [axis.data_size(i) for i in ixs])
    uniform = {edges[i] for i in holding} or {edges[0]}
    assert axis.regular_size == (uniform.pop() if len(uniform) == 1 else None)


def test_varying_axis_refuses_short_edges() -> None:
    with pytest.raises(MetadataValidationError, match="less than"):
        VaryingAxis(((3, 2),), 7, axis=1)


def test_regular_axis() -> None:
    axis = RegularAxis(4, 10)
    assert (axis.nchunks, axis.offset(2), axis.chunk_size(2), axis.data_size(2)) == (3, 8, 4, 2)
    assert axis.bounds(2) == (8, 10)
    assert RegularChunkGrid((4,)).axes((10,)) == (axis,)


@pytest.mark.interop
@pytest.mark.parametrize(
    ("shape", "chunks", "shards"),
    [
        ((25,), [[10, 10, 5]], None),
        ((25, 7), [[10, 10, 5], 3], None),
        ((30, 6), [[10, 20], [2, 2, 2]], None),
        ((12,), [[2, 3, 7]], None),
        ((0,), [[5, 5]], None),
        ((7, 0), [[7], -1], None),
        ((30, 4), (5, 2), [[10, 20], -1]),
    ],
)
def test_create_writes_what_zarr_python_writes(
    shape: tuple[int, ...], chunks: Any, shards: Any
) -> None:
    zarr = pytest.importorskip("zarr")
    store = zarr.storage.MemoryStore()
    with zarr.config.set({"array.rectilinear_chunks": True}):
        zarr.create_array(store, shape=shape, chunks=chunks, shards=shards, dtype="i4")
    theirs = store._store_dict["zarr.json"].to_bytes()
    ours = create_array_metadata(shape=shape, chunks=chunks, shards=shards, dtype="i4")
    assert metadata_documents(ours)["zarr.json"] == theirs


@pytest.mark.interop
def test_resize_writes_what_zarr_python_writes() -> None:
    zarr = pytest.importorskip("zarr")
    store = zarr.storage.MemoryStore()
    with zarr.config.set({"array.rectilinear_chunks": True}):
        z = zarr.create_array(store, shape=(25, 7), chunks=[[10, 15], 3], dtype="i4")
        ours = create_array_metadata(shape=(25, 7), chunks=[[10, 15], 3], dtype="i4")
        for shape in [(40, 9), (5, 2), (41, 9)]:
            z.resize(shape)
            ours = ours.with_shape(shape)
            assert (
                metadata_documents(ours)["zarr.json"] == store._store_dict["zarr.json"].to_bytes()
            )


# -- untrusted documents ---------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=2)
    ),
    max_leaves=12,
)


# Mostly valid edges, so that documents often parse and the parsed grid is exercised.
edge_values = st.one_of(
    *[st.integers(1, 4)] * 6, st.integers(-1, 0), st.booleans(), st.integers(2**62, 2**64)
)
plausible_dims = st.lists(
    edge_values | st.lists(edge_values | st.lists(edge_values, min_size=1, max_size=3), max_size=4),
    max_size=3,
)


@given(
    shapes=json_values | plausible_dims,
    data=st.data(),
    kind=st.sampled_from(["inline", "inline", "other", None]),
)
def test_fuzzed_grid_documents_raise_only_metadata_errors(
    shapes: Any, data: st.DataObject, kind: Any
) -> None:
    rank = len(shapes) if isinstance(shapes, list) and data.draw(st.booleans()) else None
    shape = data.draw(
        st.lists(st.integers(0, 12) | st.integers(0, 2**62), min_size=rank or 0, max_size=rank or 3)
    )
    config: dict[str, Any] = {"chunk_shapes": shapes}
    if kind is not None:
        config["kind"] = kind
    doc = v3_doc(shape, {"name": "rectilinear", "configuration": config})
    try:
        meta = parse_v3(doc, "fuzz")
    except MetadataValidationError:
        event("refused")
        return
    event("parsed")
    assert isinstance(meta, ArrayV3Metadata)
    grid = meta.chunk_grid
    counts = grid.grid_shape(meta.shape)
    assert len(counts) == len(shape)
    if all(counts):
        assert len(meta.chunk_shape_at(tuple(n - 1 for n in counts))) == len(shape)
    assert parse_v3(metadata_documents(meta)["zarr.json"], "fuzz") == meta


@given(key=st.text(alphabet="c/.0123456789-+x ", max_size=12))
def test_fuzzed_keys_name_a_chunk_or_nothing(key: str) -> None:
    meta = parse_v3(v3_doc([25, 7], rect([[[10, 2], 5], 3])), "a")
    coords = meta.chunk_coords_of_key(key)
    if coords is not None:
        assert meta.encode_chunk_key(coords) == key
        assert all(0 <= c < n for c, n in zip(coords, (3, 3), strict=True))
