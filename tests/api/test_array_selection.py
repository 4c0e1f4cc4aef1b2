"""Every selection kind, read and write, against numpy (hypothesis).

Arrays have edge chunks, optional sharding and either format.  Hypothesis
drives synchronous tests that run the async code with ``anyio.run`` under
each backend, since ``@given`` cannot wrap an anyio test directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anyzarr.api._array import AsyncArray
from anyzarr.storage import MemoryStore

BACKENDS = ["asyncio", "trio"]


@dataclass
class Layout:
    shape: tuple[int, ...]
    chunks: tuple[int, ...]
    shards: tuple[int, ...] | None
    zarr_format: int


@st.composite
def layouts(draw: st.DrawFn) -> Layout:
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.integers(1, 11)) for _ in range(ndim))
    chunks = tuple(draw(st.integers(1, max(1, s))) for s in shape)
    zarr_format = draw(st.sampled_from([2, 3]))
    shards = None
    if zarr_format == 3 and draw(st.booleans()):
        shards = tuple(c * draw(st.integers(1, 3)) for c in chunks)
    return Layout(shape, chunks, shards, zarr_format)


def _slice(draw: st.DrawFn, n: int) -> slice:
    start = draw(st.integers(0, n))
    stop = draw(st.integers(start, n))
    step = draw(st.integers(1, 3))
    return slice(start, stop, step)


@st.composite
def basic_selections(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple[Any, ...]:
    out: list[Any] = []
    for n in shape:
        if draw(st.booleans()):
            out.append(draw(st.integers(-n, n - 1)))
        else:
            out.append(_slice(draw, n))
    return tuple(out)


@st.composite
def orthogonal_selections(draw: st.DrawFn, shape: tuple[int, ...], unique: bool) -> tuple[Any, ...]:
    out: list[Any] = []
    for n in shape:
        kind = draw(st.sampled_from(["ints", "mask", "slice", "int"]))
        if kind == "ints":
            idx = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=6, unique=unique))
            if unique:
                idx = sorted({i % n for i in idx})
            out.append(np.array(idx))
        elif kind == "mask":
            out.append(np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))))
        elif kind == "slice":
            out.append(_slice(draw, n))
        else:
            out.append(draw(st.integers(0, n - 1)))
    return tuple(out)


def _np_orthogonal(sel: tuple[Any, ...], shape: tuple[int, ...]) -> tuple[Any, tuple[int, ...]]:
    """An ``np.ix_`` index for an orthogonal selection, and the result's shape.

    Every axis becomes an index array (an int becomes a length-1 array whose
    axis is dropped from the result shape), so numpy applies them orthogonally.
    """
    axes: list[np.ndarray[Any, Any]] = []
    out_shape: list[int] = []
    for s, n in zip(sel, shape, strict=True):
        if isinstance(s, np.ndarray) and s.dtype == bool:
            idx = np.nonzero(s)[0]
        elif isinstance(s, np.ndarray):
            idx = s % n
        elif isinstance(s, slice):
            idx = np.arange(n)[s]
        else:
            axes.append(np.array([s % n]))
            continue
        axes.append(idx)
        out_shape.append(len(idx))
    return np.ix_(*axes), tuple(out_shape)


async def _make(layout: Layout, data: np.ndarray[Any, Any]) -> AsyncArray[Any]:
    arr = await AsyncArray._create(
        MemoryStore(),
        shape=layout.shape,
        dtype=data.dtype,
        chunks=layout.chunks,
        shards=layout.shards,
        zarr_format=layout.zarr_format,
        fill_value=-1,
    )
    await arr.setitem(Ellipsis, data)
    return arr


def _data(shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
    return np.arange(int(np.prod(shape)), dtype="int32").reshape(shape)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=25)
@given(data=st.data())
def test_basic_read_write(backend: str, data: st.DataObject) -> None:
    layout = data.draw(layouts())
    sel = data.draw(basic_selections(layout.shape))
    ref = _data(layout.shape)

    async def run() -> None:
        arr = await _make(layout, ref)
        got = await arr.get_basic_selection(sel)
        np.testing.assert_array_equal(got, ref[sel])
        value = -np.arange(ref[sel].size, dtype="int32").reshape(ref[sel].shape) - 5
        await arr.set_basic_selection(sel, value)
        expected = ref.copy()
        expected[sel] = value
        np.testing.assert_array_equal(await arr.getitem(Ellipsis), expected)

    anyio.run(run, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=25)
@given(data=st.data())
def test_orthogonal_read_write(backend: str, data: st.DataObject) -> None:
    layout = data.draw(layouts())
    read_sel = data.draw(orthogonal_selections(layout.shape, unique=False))
    write_sel = data.draw(orthogonal_selections(layout.shape, unique=True))
    ref = _data(layout.shape)

    async def run() -> None:
        arr = await _make(layout, ref)
        got = await arr.get_orthogonal_selection(read_sel)
        index, shape = _np_orthogonal(read_sel, layout.shape)
        np.testing.assert_array_equal(got, ref[index].reshape(shape))
        index, shape = _np_orthogonal(write_sel, layout.shape)
        value = -np.arange(int(np.prod(shape)), dtype="int32").reshape(shape) - 5
        await arr.set_orthogonal_selection(write_sel, value)
        expected = ref.copy()
        expected[index] = value.reshape(expected[index].shape)
        np.testing.assert_array_equal(await arr.getitem(Ellipsis), expected)

    anyio.run(run, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=25)
@given(data=st.data())
def test_coordinate_and_mask_read_write(backend: str, data: st.DataObject) -> None:
    layout = data.draw(layouts())
    size = int(np.prod(layout.shape))
    flat = data.draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=8))
    coords = np.unravel_index(np.array(flat), layout.shape)
    unique_flat = sorted(set(flat))
    ucoords = np.unravel_index(np.array(unique_flat), layout.shape)
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=size, max_size=size))).reshape(
        layout.shape
    )
    ref = _data(layout.shape)

    async def run() -> None:
        arr = await _make(layout, ref)
        np.testing.assert_array_equal(await arr.get_coordinate_selection(coords), ref[coords])
        np.testing.assert_array_equal(await arr.get_mask_selection(mask), ref[mask])
        value = -np.arange(len(unique_flat), dtype="int32") - 5
        await arr.set_coordinate_selection(ucoords, value)
        expected = ref.copy()
        expected[ucoords] = value
        np.testing.assert_array_equal(await arr.getitem(Ellipsis), expected)
        await arr.set_mask_selection(mask, 7)
        expected[mask] = 7
        np.testing.assert_array_equal(await arr.getitem(Ellipsis), expected)

    anyio.run(run, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=20)
@given(data=st.data())
def test_block_read_write(backend: str, data: st.DataObject) -> None:
    layout = data.draw(layouts())
    grid = [-(-s // c) for s, c in zip(layout.shape, layout.chunks, strict=True)]
    sel: list[Any] = []
    region: list[slice] = []
    for g, c, n in zip(grid, layout.chunks, layout.shape, strict=True):
        if data.draw(st.booleans()):
            b = data.draw(st.integers(0, g - 1))
            sel.append(b)
            region.append(slice(b * c, min((b + 1) * c, n)))
        else:
            # zarr-python refuses a block slice starting past the last block.
            start = data.draw(st.integers(0, g - 1))
            stop = data.draw(st.integers(start, g))
            sel.append(slice(start, stop))
            region.append(slice(min(start * c, n), min(stop * c, n)))
    ref = _data(layout.shape)

    async def run() -> None:
        arr = await _make(layout, ref)
        got = await arr.get_block_selection(tuple(sel))
        np.testing.assert_array_equal(got, ref[tuple(region)])
        await arr.set_block_selection(tuple(sel), 99)
        expected = ref.copy()
        expected[tuple(region)] = 99
        np.testing.assert_array_equal(await arr.getitem(Ellipsis), expected)

    anyio.run(run, backend=backend)


@pytest.mark.anyio
async def test_getitem_routes_fancy_selections() -> None:
    ref = _data((9, 7))
    arr = await _make(Layout((9, 7), (4, 3), (8, 6), 3), ref)
    rows = np.array([8, 0, 3])
    np.testing.assert_array_equal(await arr.getitem((rows, slice(1, 5))), ref[rows, 1:5])
    np.testing.assert_array_equal(
        await arr.getitem((rows, np.array([0, 6, 2]))), ref[rows, [0, 6, 2]]
    )
    mask = ref % 3 == 0
    np.testing.assert_array_equal(await arr.getitem(mask), ref[mask])
    scalar = await arr.getitem((2, 3))
    assert scalar == ref[2, 3]
    assert np.ndim(scalar) == 0
