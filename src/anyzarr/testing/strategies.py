"""Hypothesis strategies for arrays, stores, hierarchies and selections.

zarr-python's ``zarr.testing.strategies`` names: node names and paths,
numpy dtypes and arrays, chunk and shard shapes, whole Zarr arrays written
to a store (``arrays``), array metadata, and the selections to read them
with (basic, orthogonal, block) each paired with its numpy equivalent.
Needs hypothesis (``pip install 'anyzarr[testing]'``); importing this module
without it raises ``ImportError``.

Rectilinear (variable-size) chunk grids are not drawn here.
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Callable, Mapping
from typing import Any, Literal

import hypothesis.extra.numpy as npst
import hypothesis.strategies as st
import numpy as np
import numpy.typing as npt
from hypothesis import event
from hypothesis.strategies import SearchStrategy

import anyzarr as zarr
from anyzarr.api._sync_runtime import sync
from anyzarr.io._store import Store
from anyzarr.io._store_path import normalize_path
from anyzarr.io.stores import MemoryStore
from anyzarr.protocol._byte_request import (
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    SuffixByteRequest,
)
from anyzarr.protocol.metadata import ArrayV2Metadata, ArrayV3Metadata, create_array_metadata

__all__ = [
    "array_metadata",
    "array_names",
    "array_shapes",
    "arrays",
    "block_test_arrays",
    "attrs",
    "basic_indices",
    "block_indices",
    "chunk_paths",
    "chunk_shapes",
    "clear_store",
    "compressors",
    "dimension_names",
    "dtypes",
    "end_slices",
    "is_negative_slice",
    "key_ranges",
    "keys",
    "node_names",
    "np_array_and_chunks",
    "numpy_arrays",
    "orthogonal_indices",
    "paths",
    "safe_unicode_for_dtype",
    "shard_shapes",
    "sharded_arrays",
    "short_node_names",
    "simple_arrays",
    "stores",
    "structured_dtypes",
    "v2_dtypes",
    "v3_dtypes",
    "zarr_formats",
    "zarr_key_chars",
]

_attr_keys = st.text(st.characters(), min_size=1)
_attr_values = st.recursive(
    st.none() | st.booleans() | st.text(st.characters(), max_size=5),
    lambda children: st.lists(children) | st.dictionaries(_attr_keys, children),
    max_leaves=3,
)

#: Characters allowed in generated node names.
zarr_key_chars = st.sampled_from(
    ".-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
#: Valid node names: not empty, no "/", not only dots, not starting with "__".
node_names = (
    st.text(zarr_key_chars, min_size=1)
    .filter(lambda t: t not in (".", "..") and not t.startswith("__"))
    .filter(lambda name: name.lower() != "zarr.json")
)
short_node_names = (
    st.text(zarr_key_chars, max_size=3, min_size=1)
    .filter(lambda t: t not in (".", "..") and not t.startswith("__"))
    .filter(lambda name: name.lower() != "zarr.json")
)
array_names = node_names
#: User attributes (or ``None``).
attrs: SearchStrategy[Mapping[str, Any] | None] = st.none() | st.dictionaries(
    _attr_keys, _attr_values
)
#: Compressor settings ``arrays`` may be created with.
compressors = st.sampled_from([None, "auto"])
zarr_formats: SearchStrategy[Literal[2, 3]] = st.sampled_from([3, 2])
#: Array shapes, with sides of 0, 1 and 2 drawn less often.
array_shapes = npst.array_shapes(max_dims=4, min_side=3, max_side=5) | npst.array_shapes(
    max_dims=4, min_side=0
)


@st.composite
def keys(draw: st.DrawFn, *, max_num_nodes: int | None = None) -> str:
    """A ``/``-joined path of node names."""
    return draw(st.lists(node_names, min_size=1, max_size=max_num_nodes).map("/".join))


@st.composite
def paths(draw: st.DrawFn, *, max_num_nodes: int | None = None) -> str:
    """The root (``"/"``) or a path of node names."""
    return draw(st.just("/") | keys(max_num_nodes=max_num_nodes))


def dtypes() -> SearchStrategy[np.dtype[Any]]:
    """Native-byte-order numpy dtypes every Zarr format stores."""
    return (
        npst.boolean_dtypes()
        | npst.integer_dtypes(endianness="=")
        | npst.unsigned_integer_dtypes(endianness="=")
        | npst.floating_dtypes(endianness="=")
        | npst.complex_number_dtypes(endianness="=")
        | npst.byte_string_dtypes(endianness="=")
        | npst.unicode_string_dtypes(endianness="=")
        | npst.datetime64_dtypes(endianness="=")
        | npst.timedelta64_dtypes(endianness="=")
    )


def v3_dtypes() -> SearchStrategy[np.dtype[Any]]:
    """Dtypes for Zarr format 3 arrays."""
    return dtypes()


def v2_dtypes() -> SearchStrategy[np.dtype[Any]]:
    """Dtypes for Zarr format 2 arrays."""
    return dtypes()


def safe_unicode_for_dtype(dtype: np.dtype[np.str_]) -> SearchStrategy[str]:
    """Printable text that fits ``dtype`` (4 bytes per character), without surrogates."""
    return st.text(
        alphabet=st.characters(exclude_categories=["Cs"], min_codepoint=32),
        min_size=1,
        max_size=max(1, dtype.itemsize // 4),
    )


def clear_store(x: Store) -> Store:
    """``x`` emptied (hypothesis may reuse an object it built before)."""
    sync(x.clear)
    return x


#: Fresh, empty memory stores.
stores = st.builds(MemoryStore, st.just({})).map(clear_store)


@st.composite
def dimension_names(draw: st.DrawFn, *, ndim: int | None = None) -> list[str | None] | None:
    """``None``, or one name (or ``None``) per dimension."""
    text = st.text(zarr_key_chars, min_size=0)
    return draw(st.none() | st.lists(st.none() | text, min_size=ndim, max_size=ndim))  # type: ignore[arg-type]


@st.composite
def numpy_arrays(
    draw: st.DrawFn,
    *,
    shapes: SearchStrategy[tuple[int, ...]] = array_shapes,
    dtype: np.dtype[Any] | None = None,
) -> npt.NDArray[Any]:
    """numpy arrays of a drawn (or the given) dtype that Zarr can store."""
    if dtype is None:
        dtype = draw(dtypes())
    if np.issubdtype(dtype, np.str_):
        return draw(npst.arrays(dtype=dtype, shape=shapes, elements=safe_unicode_for_dtype(dtype)))
    return draw(npst.arrays(dtype=dtype, shape=shapes))


@st.composite
def chunk_shapes(draw: st.DrawFn, *, shape: tuple[int, ...]) -> tuple[int, ...]:
    """A chunk shape for ``shape`` that shrinks towards fewer chunks."""
    counts = draw(
        st.tuples(*[st.integers(min_value=0 if n == 0 else 1, max_value=max(n, 1)) for n in shape])
    )
    chunks = tuple(
        max(1, n // count) if count > 0 else 1 for n, count in zip(shape, counts, strict=True)
    )
    if any(c and n % c for n, c in zip(shape, chunks, strict=True)):
        event("smaller last chunk")
    return chunks


@st.composite
def shard_shapes(
    draw: st.DrawFn, *, shape: tuple[int, ...], chunk_shape: tuple[int, ...]
) -> tuple[int, ...]:
    """A shard shape that holds a whole number of ``chunk_shape`` chunks per axis."""
    counts = tuple(max(1, n // c) for n, c in zip(shape, chunk_shape, strict=True))
    return tuple(
        draw(st.integers(min_value=1, max_value=k)) * c
        for k, c in zip(counts, chunk_shape, strict=True)
    )


@st.composite
def np_array_and_chunks(
    draw: st.DrawFn,
    *,
    arrays: SearchStrategy[npt.NDArray[Any]] = numpy_arrays(),  # noqa: B008
) -> tuple[npt.NDArray[Any], tuple[int, ...]]:
    """A small numpy array and a chunk shape for it."""
    array = draw(arrays)
    return array, draw(chunk_shapes(shape=array.shape))


@st.composite
def array_metadata(
    draw: st.DrawFn,
    *,
    array_shapes: Callable[..., SearchStrategy[tuple[int, ...]]] = npst.array_shapes,
    zarr_formats: SearchStrategy[Literal[2, 3]] = zarr_formats,
    attributes: SearchStrategy[Mapping[str, Any] | None] = attrs,
) -> ArrayV2Metadata | ArrayV3Metadata:
    """Array metadata documents (no codecs beyond the serializer)."""
    zarr_format = draw(zarr_formats)
    shape = draw(array_shapes())
    dtype = draw(dtypes())
    chunks = draw(array_shapes(min_dims=len(shape), max_dims=len(shape), min_side=1))
    meta = create_array_metadata(
        shape=shape,
        dtype=dtype,
        chunks=chunks,
        compressors=None,
        filters=None,
        fill_value=draw(npst.from_dtype(dtype)),
        order=draw(st.sampled_from(["C", "F"])) if zarr_format == 2 else None,
        zarr_format=zarr_format,
        attributes=dict(draw(attributes) or {}),  # type: ignore[arg-type]
        dimension_names=draw(dimension_names(ndim=len(shape))) if zarr_format == 3 else None,
    )
    return meta


@st.composite
def arrays(
    draw: st.DrawFn,
    *,
    shapes: SearchStrategy[tuple[int, ...]] = array_shapes,
    compressors: SearchStrategy[Any] = compressors,
    stores: SearchStrategy[Any] = stores,
    paths: SearchStrategy[str] = paths(),  # noqa: B008
    array_names: SearchStrategy[str] = array_names,
    arrays: SearchStrategy[npt.NDArray[Any]] | None = None,
    attrs: SearchStrategy[Mapping[str, Any] | None] = attrs,
    zarr_formats: SearchStrategy[Literal[2, 3]] = zarr_formats,
    open_mode: Literal["r", "r+", "a", "w", "w-"] = "w",
) -> zarr.Array:
    """A Zarr array written to a drawn store, filled with a drawn numpy array.

    Format 3 arrays may be sharded.  The array's data equals ``arr[...]`` of
    the numpy array it was filled from.
    """
    store = draw(stores, label="store")
    path = draw(paths, label="array parent")
    name = draw(array_names, label="array name")
    attributes = draw(attrs, label="attributes")
    zarr_format = draw(zarr_formats, label="zarr format")
    nparray = draw(numpy_arrays(shapes=shapes) if arrays is None else arrays, label="array data")
    fill_value = draw(st.none() | npst.from_dtype(nparray.dtype))
    chunks = draw(chunk_shapes(shape=nparray.shape), label="chunk shape")
    shards = None
    names = None
    if zarr_format == 3:
        names = draw(dimension_names(ndim=nparray.ndim), label="dimension names")
        if all(n >= c >= 1 for n, c in zip(nparray.shape, chunks, strict=True)):
            shards = draw(st.none() | shard_shapes(shape=nparray.shape, chunk_shape=chunks))
            event("sharded" if shards is not None else "unsharded")
    array_path = "/".join(p for p in (path.strip("/"), name) if p)
    root = zarr.open_group(store, mode=open_mode, zarr_format=zarr_format)
    compressor = draw(compressors)
    a = root.create_array(
        array_path,
        shape=nparray.shape,
        chunks=chunks,
        shards=shards,
        dtype=nparray.dtype,
        attributes=dict(attributes) if attributes is not None else None,
        compressors=None if compressor is None else "auto",
        fill_value=fill_value,
        dimension_names=names,
    )
    assert a.path == normalize_path(array_path)
    assert a.basename == name
    assert dict(a.attrs) == ({} if attributes is None else dict(attributes))
    assert a.shape == nparray.shape
    a[:] = nparray
    return a


@st.composite
def simple_arrays(
    draw: st.DrawFn, *, shapes: SearchStrategy[tuple[int, ...]] = array_shapes
) -> zarr.Array:
    """``arrays`` with short paths and names and no attributes."""
    return draw(
        arrays(
            shapes=shapes,
            paths=paths(max_num_nodes=2),
            array_names=short_node_names,
            attrs=st.none(),
        )
    )


_sharded_shapes = npst.array_shapes(max_dims=3, min_side=1, max_side=12)


@st.composite
def sharded_arrays(
    draw: st.DrawFn,
    *,
    shapes: SearchStrategy[tuple[int, ...]] = _sharded_shapes,
    nested: bool | None = None,
) -> zarr.Array:
    """A sharded format 3 array in a memory store, filled with drawn data.

    ``nested`` (drawn when ``None``) puts a second sharding codec inside
    the first: shards of inner shards of chunks.  ``shapes`` must give at
    least one element on every axis.
    """
    shape = draw(shapes)
    chunks = draw(chunk_shapes(shape=shape), label="chunk shape")
    inner: list[Any] = draw(
        st.sampled_from(
            [[zarr.codecs.BytesCodec()], [zarr.codecs.BytesCodec(), zarr.codecs.ZstdCodec()]]
        ),
        label="sharding inner codecs",
    )
    serializer = zarr.codecs.ShardingCodec(chunk_shape=chunks, codecs=inner)
    codec_chunks = chunks
    if draw(st.booleans(), label="nested sharding") if nested is None else nested:
        codec_chunks = draw(shard_shapes(shape=shape, chunk_shape=chunks), label="inner shards")
        serializer = zarr.codecs.ShardingCodec(chunk_shape=codec_chunks, codecs=[serializer])
        event("nested sharding")
    shard_shape = draw(shard_shapes(shape=shape, chunk_shape=codec_chunks), label="shard shape")
    nparray = draw(numpy_arrays(shapes=st.just(shape)), label="array data")
    a = zarr.create_array(
        MemoryStore(),
        shape=shape,
        chunks=shard_shape,
        dtype=nparray.dtype,
        fill_value=draw(st.none() | npst.from_dtype(nparray.dtype)),
        dimension_names=draw(dimension_names(ndim=len(shape))),
        serializer=serializer,
        filters=None,
        compressors=None,
    )
    a[:] = nparray
    return a


@st.composite
def block_test_arrays(draw: st.DrawFn) -> tuple[zarr.Array, npt.NDArray[Any]]:
    """An array (regular chunks, sharded or not) for block indexing, and its data."""
    nparray, chunks = draw(
        np_array_and_chunks(arrays=numpy_arrays(shapes=npst.array_shapes(max_dims=4, min_side=1)))
    )
    shards = draw(st.none() | shard_shapes(shape=nparray.shape, chunk_shape=chunks))
    zarray = zarr.create_array(
        draw(stores), shape=nparray.shape, chunks=chunks, shards=shards, dtype=nparray.dtype
    )
    zarray[...] = nparray
    return zarray, nparray


@st.composite
def structured_dtypes(
    draw: st.DrawFn, *, allow_extended: bool = False, max_depth: int = 3
) -> np.dtype[np.void]:
    """Packed numpy structured dtypes, possibly nested (``allow_extended`` is not drawn here)."""
    leaves = (
        npst.boolean_dtypes()
        | npst.integer_dtypes(endianness="=")
        | npst.unsigned_integer_dtypes(endianness="=")
        | npst.floating_dtypes(endianness="=")
        | npst.complex_number_dtypes(endianness="=")
    )

    def build(depth: int) -> np.dtype[np.void]:
        count = draw(st.integers(min_value=1, max_value=4))
        names = [f"{draw(st.text('abcdefghij', min_size=1, max_size=4))}{i}" for i in range(count)]
        fields = [
            (name, build(depth + 1) if depth < max_depth and draw(st.booleans()) else draw(leaves))
            for name in names
        ]
        return np.dtype(fields)

    return build(0)


def is_negative_slice(idx: Any) -> bool:
    """Whether ``idx`` is a slice with a negative step (not supported by Zarr)."""
    return isinstance(idx, slice) and idx.step is not None and idx.step < 0


@st.composite
def end_slices(draw: st.DrawFn, *, shape: tuple[int, ...]) -> tuple[slice, ...]:
    """Slices that reach into the last (possibly partial) chunk of every axis."""
    out = []
    for size in shape:
        start = draw(st.integers(min_value=size // 2, max_value=size - 1))
        length = draw(st.integers(min_value=0, max_value=size - start))
        out.append(slice(start, start + length))
    return tuple(out)


@st.composite
def basic_indices(
    draw: st.DrawFn,
    *,
    shape: tuple[int, ...],
    min_dims: int = 0,
    max_dims: int | None = None,
    allow_newaxis: Literal[False] = False,
    allow_ellipsis: bool = True,
) -> Any:
    """numpy basic indices for ``shape`` without negative-step slices."""
    strategy: SearchStrategy[Any] = npst.basic_indices(  # type: ignore[call-overload]
        shape=shape,
        min_dims=min_dims,
        max_dims=max_dims,
        allow_newaxis=allow_newaxis,
        allow_ellipsis=allow_ellipsis,
    ).filter(
        lambda sel: (
            not (
                is_negative_slice(sel)
                or (isinstance(sel, tuple) and any(map(is_negative_slice, sel)))
            )
        )
    )
    if math.prod(shape) >= 3:
        strategy = end_slices(shape=shape) | strategy
    return draw(strategy)


@st.composite
def orthogonal_indices(
    draw: st.DrawFn, *, shape: tuple[int, ...]
) -> tuple[tuple[Any, ...], tuple[npt.NDArray[Any], ...]]:
    """``(zarr selection, numpy selection)`` for orthogonal indexing.

    Each axis gets an integer array, a slice or an integer (which drops the
    axis); the numpy selection is broadcast integer arrays that index a numpy
    array to the same result.
    """
    zsel: list[Any] = []
    kept: list[tuple[int, npt.NDArray[Any]]] = []
    npsel: dict[int, npt.NDArray[Any]] = {}
    for axis, size in enumerate(shape):
        one_axis = basic_indices(min_dims=1, shape=(size,), allow_ellipsis=False)
        if size:
            one_axis = (
                npst.integer_array_indices(
                    shape=(size,),
                    result_shape=npst.array_shapes(min_side=1, max_side=size, max_dims=1),
                )
                | one_axis
                | st.integers(min_value=-size, max_value=size - 1)
            )
        (sel,) = draw(one_axis.map(lambda x: x if isinstance(x, tuple) else (x,)).filter(bool))
        zsel.append(sel)
        if isinstance(sel, int):
            npsel[axis] = np.array(sel)
            continue
        index = np.arange(*sel.indices(size)) if isinstance(sel, slice) else np.asarray(sel)
        kept.append((axis, index))
    for position, (axis, index) in enumerate(kept):
        newshape = [1] * len(kept)
        newshape[position] = index.size
        npsel[axis] = index.reshape(newshape)
    return tuple(zsel), tuple(np.broadcast_arrays(*(npsel[a] for a in range(len(shape)))))


@st.composite
def block_indices(
    draw: st.DrawFn, *, chunk_sizes: tuple[tuple[int, ...], ...]
) -> tuple[tuple[int | slice, ...], tuple[slice, ...]]:
    """``(block selection, equivalent element slices)`` over a chunk grid.

    ``chunk_sizes`` lists the data size of each chunk per axis (for a length
    10 axis in chunks of 3: ``(3, 3, 3, 1)``).  Blocks are integers and
    step-1 slices that start at an existing chunk.
    """
    block_sel: list[int | slice] = []
    element_sel: list[slice] = []
    for sizes in chunk_sizes:
        nchunks = len(sizes)
        offsets = list(itertools.accumulate(sizes, initial=0))
        start = draw(st.integers(min_value=0, max_value=max(nchunks - 1, 0)))
        if draw(st.booleans()) and nchunks:
            block_sel.append(start)
            element_sel.append(slice(offsets[start], offsets[start + 1]))
            continue
        stop = draw(st.integers(min_value=start, max_value=nchunks))
        block_sel.append(slice(start, stop))
        element_sel.append(slice(offsets[start], offsets[stop]))
    return tuple(block_sel), tuple(element_sel)


def key_ranges(
    keys: SearchStrategy[str] = node_names, max_size: int = sys.maxsize
) -> SearchStrategy[list[tuple[str, ByteRequest | None]]]:
    """Lists of ``(key, byte request or None)`` for ``get_partial_values``.

    The bounds ignore the values' lengths, so requests past the end are drawn
    often (they must clip).
    """
    bound = st.integers(min_value=0, max_value=max_size)
    requests: SearchStrategy[ByteRequest | None] = st.one_of(
        st.none(),
        st.builds(
            lambda start, length: RangeByteRequest(start, min(start + length, max_size)),
            bound,
            bound,
        ),
        st.builds(OffsetByteRequest, bound),
        st.builds(SuffixByteRequest, bound),
    )
    return st.lists(st.tuples(keys, requests), min_size=1, max_size=10)


@st.composite
def chunk_paths(draw: st.DrawFn, ndim: int, numblocks: tuple[int, ...], subset: bool = True) -> str:
    """A ``/``-joined chunk index (or a prefix of one, when ``subset``)."""
    index = draw(st.tuples(*(st.integers(min_value=0, max_value=max(0, b - 1)) for b in numblocks)))
    cut = slice(draw(st.integers(min_value=0, max_value=ndim))) if subset else slice(None)
    return "/".join(map(str, index[cut]))
