"""Property tests: every planner reproduces numpy for reads and writes.

A random array is cut into padded chunks, over a regular chunk shape or a
random rectilinear grid; a plan is applied chunk by chunk and the result
compared with numpy's answer for the same selection.  The padding of edge
chunks (and of rectilinear chunks reaching past the end) holds a sentinel
that no projection may touch.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from anyzarr.errors import BoundsCheckError
from anyzarr.protocol.indexing import (
    IndexingPlan,
    apply_orthogonal,
    plan_basic,
    plan_block,
    plan_coordinate,
    plan_getitem,
    plan_mask,
    plan_normalized,
    plan_orthogonal,
)
from anyzarr.protocol.metadata import GridAxis, RectilinearChunkGrid, as_chunk_grid

SENTINEL = -7

#: A regular chunk shape, or a chunk grid (rectilinear grids are drawn too).
Chunks = Any


def grid_axes(shape: tuple[int, ...], chunks: Chunks) -> tuple[GridAxis, ...]:
    return as_chunk_grid(chunks).axes(shape)


def chunk_shape_of(axes: tuple[GridAxis, ...], coords: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(g.chunk_size(i) for g, i in zip(axes, coords, strict=True))


def data_region(axes: tuple[GridAxis, ...], coords: tuple[int, ...]) -> tuple[slice, ...]:
    return tuple(slice(*g.bounds(i)) for g, i in zip(axes, coords, strict=True))


def to_chunks(a: np.ndarray, chunks: Chunks) -> dict[tuple[int, ...], np.ndarray]:
    """The padded chunks of ``a`` (stored shapes, padding holding SENTINEL)."""
    axes = grid_axes(a.shape, chunks)
    out = {}
    for coords in itertools.product(*(range(g.nchunks) for g in axes)):
        piece = a[data_region(axes, coords)]
        chunk = np.full(chunk_shape_of(axes, coords), SENTINEL, dtype=a.dtype)
        chunk[tuple(slice(0, n) for n in piece.shape)] = piece
        out[coords] = chunk
    return out


def from_chunks(
    chunks: dict[tuple[int, ...], np.ndarray], shape: tuple[int, ...], grid: Chunks
) -> np.ndarray:
    axes = grid_axes(shape, grid)
    out = np.empty(shape, dtype=np.int64)
    for coords, chunk in chunks.items():
        region = data_region(axes, coords)
        n = out[region].shape
        out[region] = chunk[tuple(slice(0, k) for k in n)]
        pad = np.ones(chunk.shape, dtype=bool)
        pad[tuple(slice(0, k) for k in n)] = False
        assert (chunk[pad] == SENTINEL).all(), "a projection wrote into chunk padding"
    return out


def read(plan: IndexingPlan, a: np.ndarray, chunk_shape: Chunks) -> np.ndarray:
    chunks = to_chunks(a, chunk_shape)
    out = np.full(plan.shape, SENTINEL, dtype=a.dtype)
    seen = []
    for p in plan.projections:
        assert plan.chunk_shape_of(p.chunk_coords) == chunks[p.chunk_coords].shape
        src = chunks[p.chunk_coords][p.chunk_selection]
        assert src.shape == out[p.out_selection].shape, p
        assert not (src == SENTINEL).any(), "a projection read chunk padding"
        out[p.out_selection] = src
        seen.append(p.chunk_coords)
    assert seen == sorted(seen), "projections are not in chunk order"
    assert len(set(seen)) == len(seen), "a chunk appears twice"
    assert len(plan.projections) == len(seen)
    return out


def write(plan: IndexingPlan, a: np.ndarray, chunk_shape: Chunks, value: np.ndarray) -> np.ndarray:
    chunks = to_chunks(a, chunk_shape)
    for p in plan.projections:
        chunks[p.chunk_coords][p.chunk_selection] = value[p.out_selection]
    return from_chunks(chunks, a.shape, chunk_shape)


def check_complete(plan: IndexingPlan, shape: tuple[int, ...], chunk_shape: Chunks) -> None:
    axes = grid_axes(shape, chunk_shape)
    for p in plan.projections:
        cover = np.zeros(chunk_shape_of(axes, p.chunk_coords), dtype=np.int64)
        np.add.at(cover, p.chunk_selection, 1)
        inside = tuple(slice(0, g.data_size(i)) for g, i in zip(axes, p.chunk_coords, strict=True))
        expected = bool((cover[inside] == 1).all())
        assert p.is_complete == expected, p
        # Exactly: no element outside the array is ever selected.
        assert cover.sum() == cover[inside].sum()


def exercise(
    plan: IndexingPlan,
    a: np.ndarray,
    chunk_shape: Chunks,
    expected: np.ndarray,
    write_expected: Any,
) -> None:
    """Check read, write and is_complete of ``plan`` against numpy."""
    assert plan.shape == expected.shape
    axes = grid_axes(a.shape, chunk_shape)
    assert plan.grid == axes
    uniform = {
        chunk_shape_of(axes, c) for c in itertools.product(*(range(g.nchunks) for g in axes))
    }
    if plan.chunk_shape is not None:
        assert uniform <= {plan.chunk_shape}
    else:
        assert len(uniform) != 1
    np.testing.assert_array_equal(read(plan, a, chunk_shape), expected)
    check_complete(plan, a.shape, chunk_shape)
    value = np.arange(1000, 1000 + max(expected.size, 1), dtype=a.dtype)[: expected.size]
    value = value.reshape(expected.shape)
    ref = a.copy()
    write_expected(ref, value)
    np.testing.assert_array_equal(write(plan, a, chunk_shape, value), ref)
    # Scalars broadcast to the plan shape too.
    ref = a.copy()
    write_expected(ref, np.broadcast_to(np.int64(555), expected.shape))
    broadcast = np.broadcast_to(np.int64(555), plan.shape)
    np.testing.assert_array_equal(write(plan, a, chunk_shape, broadcast), ref)
    # Every chunk selection replans to the same elements with inner chunks,
    # and the per-axis form codecs take selects the same elements.
    chunks = to_chunks(a, chunk_shape)
    for p in list(plan.projections)[:4]:
        if plan.kind != "coordinate":
            np.testing.assert_array_equal(
                apply_orthogonal(chunks[p.chunk_coords], p.chunk_axes),
                chunks[p.chunk_coords][p.chunk_selection],
            )
        outer = plan.chunk_shape_of(p.chunk_coords)
        inner = tuple(max(1, c // 2) for c in outer)
        sub = plan_normalized(p.chunk_selection, outer, inner)
        want = chunks[p.chunk_coords][p.chunk_selection]
        np.testing.assert_array_equal(read(sub, chunks[p.chunk_coords], inner), want)


@st.composite
def rectilinear_grids(draw: st.DrawFn, shape: tuple[int, ...]) -> RectilinearChunkGrid:
    """Per axis a step, or explicit edges reaching the end (sometimes past it)."""
    dims: list[Any] = []
    for n in shape:
        if draw(st.integers(0, 3)) == 0:
            dims.append(draw(st.integers(1, 5)))
            continue
        edges: list[int] = []
        while sum(edges) < n or not edges:
            edges.append(draw(st.integers(1, 4)))
        if draw(st.integers(0, 3)) == 0:
            edges.append(draw(st.integers(1, 4)))  # a chunk wholly past the end
        dims.append(edges)
    return RectilinearChunkGrid(dims)


@st.composite
def arrays_and_chunks(
    draw: st.DrawFn, min_rank: int = 0, min_len: int = 0
) -> tuple[np.ndarray, Chunks]:
    rank = draw(st.integers(min_rank, 4))
    shape = tuple(draw(st.lists(st.integers(min_len, 7), min_size=rank, max_size=rank)))
    chunks: Chunks = tuple(draw(st.integers(1, 5)) for _ in shape)
    if rank and draw(st.booleans()):
        chunks = draw(rectilinear_grids(shape))
    a = np.arange(math.prod(shape), dtype=np.int64).reshape(shape)
    return a, chunks


def int_item(draw: st.DrawFn, n: int) -> st.SearchStrategy[Any] | int:
    return draw(st.integers(-n, n - 1))


@st.composite
def slices(draw: st.DrawFn, n: int) -> slice:
    bound = st.none() | st.integers(-n - 2, n + 2)
    return slice(draw(bound), draw(bound), draw(st.none() | st.integers(1, 4)))


@st.composite
def basic_items(draw: st.DrawFn, n: int) -> Any:
    if n > 0 and draw(st.booleans()):
        return draw(st.integers(-n, n - 1))
    return draw(slices(n))


@st.composite
def basic_selections(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple[Any, ...]:
    items = tuple(draw(basic_items(n)) for n in shape)
    if draw(st.booleans()):
        # '...' stands for a run of full slices anywhere.
        i = draw(st.integers(0, len(items)))
        j = draw(st.integers(i, len(items)))
        return (*items[:i], Ellipsis, *items[j:])
    return items[: draw(st.integers(0, len(items)))]


@given(data=st.data(), ac=arrays_and_chunks())
def test_basic_matches_numpy(data: st.DataObject, ac: tuple[np.ndarray, Chunks]) -> None:
    a, chunks = ac
    sel = data.draw(basic_selections(a.shape))

    def assign(ref: np.ndarray, v: np.ndarray) -> None:
        ref[sel] = v

    exercise(plan_basic(sel, a.shape, chunks), a, chunks, a[sel], assign)


@st.composite
def orthogonal_items(draw: st.DrawFn, n: int) -> Any:
    kind = draw(st.sampled_from(["basic", "ints", "bools"] if n else ["basic", "ints"]))
    if kind == "basic":
        return draw(basic_items(n))
    if kind == "bools":
        return np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    values = draw(st.lists(st.integers(-n, n - 1), max_size=6)) if n else []
    return np.array(values, dtype=draw(st.sampled_from([np.int64, np.int32, np.intp])))


def _axis_index(item: Any, n: int) -> np.ndarray | int:
    if isinstance(item, slice):
        return np.arange(n)[item]
    if isinstance(item, np.ndarray):
        return np.flatnonzero(item) if item.dtype == bool else np.where(item < 0, item + n, item)
    return int(item)


def orthogonal_reference(
    shape: tuple[int, ...], sel: tuple[Any, ...]
) -> tuple[Any, tuple[int, ...]]:
    """numpy index for an orthogonal selection, and the shape that keeps int axes."""
    idx = [_axis_index(s, n) for s, n in zip(sel, shape, strict=True)]
    full = [np.array([i]) if isinstance(i, int) else i for i in idx]
    keep_shape = tuple(len(i) for i in full)
    return (np.ix_(*full) if full else ()), keep_shape


@given(data=st.data(), ac=arrays_and_chunks())
def test_orthogonal_matches_numpy(data: st.DataObject, ac: tuple[np.ndarray, Chunks]) -> None:
    a, chunks = ac
    sel = tuple(data.draw(orthogonal_items(n)) for n in a.shape)
    ix, keep_shape = orthogonal_reference(a.shape, sel)
    plan = plan_orthogonal(sel, a.shape, chunks)
    expected = a[ix].reshape(plan.shape) if a.ndim else a[()]

    def assign(ref: np.ndarray, v: np.ndarray) -> None:
        ref[ix] = np.asarray(v).reshape(keep_shape)

    exercise(plan, a, chunks, expected, assign)


@st.composite
def coordinate_selections(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple[Any, ...]:
    out_rank = draw(st.integers(1, 2))
    out_shape = tuple(draw(st.integers(0, 4)) for _ in range(out_rank))
    if any(n == 0 for n in shape):
        out_shape = (0,) * out_rank
    sel: list[Any] = []
    for n in shape:
        if n and draw(st.integers(0, 4)) == 0:
            sel.append(draw(st.integers(-n, n - 1)))
            continue
        own = tuple(1 if n and draw(st.booleans()) else d for d in out_shape)
        size = math.prod(own)
        values = draw(st.lists(st.integers(-n, n - 1), min_size=size, max_size=size)) if n else []
        sel.append(np.array(values, dtype=np.int64).reshape(own))
    return tuple(sel)


@given(data=st.data(), ac=arrays_and_chunks(min_rank=1))
def test_coordinate_matches_numpy(data: st.DataObject, ac: tuple[np.ndarray, Chunks]) -> None:
    a, chunks = ac
    sel = data.draw(coordinate_selections(a.shape))
    if all(not isinstance(s, np.ndarray) for s in sel):
        return
    expected = a[sel]

    def assign(ref: np.ndarray, v: np.ndarray) -> None:
        ref[sel] = v

    exercise(plan_coordinate(sel, a.shape, chunks), a, chunks, expected, assign)


@given(data=st.data(), ac=arrays_and_chunks())
def test_mask_matches_numpy(data: st.DataObject, ac: tuple[np.ndarray, Chunks]) -> None:
    a, chunks = ac
    flat = data.draw(st.lists(st.booleans(), min_size=a.size, max_size=a.size))
    mask = np.array(flat, dtype=bool).reshape(a.shape)

    def assign(ref: np.ndarray, v: np.ndarray) -> None:
        ref[mask] = v

    exercise(plan_mask(mask, a.shape, chunks), a, chunks, a[mask], assign)
    if a.ndim:
        exercise(plan_getitem(mask, a.shape, chunks), a, chunks, a[mask], assign)


@given(data=st.data(), ac=arrays_and_chunks())
def test_block_matches_numpy(data: st.DataObject, ac: tuple[np.ndarray, Chunks]) -> None:
    a, chunks = ac
    sel: list[Any] = []
    region = []
    bad = False
    for g in grid_axes(a.shape, chunks):
        nb = g.nchunks
        if nb and data.draw(st.booleans()):
            b = data.draw(st.integers(-nb, nb - 1))
            sel.append(b)
            region.append(slice(*g.bounds(b % nb)))
        else:
            start = data.draw(st.none() | st.integers(-nb - 1, nb))
            stop = data.draw(st.none() | st.integers(-nb - 1, nb + 1))
            sel.append(slice(start, stop))
            s, e, _ = slice(start, stop).indices(nb)
            first = 0 if start is None else start + nb if start < 0 else start
            if not 0 <= first < nb:
                # zarr-python's rule: a block slice must start at a block of the axis.
                bad = True
                region.append(slice(0, 0))
                continue
            end = g.offset(e) if e < nb else g.extent
            region.append(slice(g.offset(s), max(g.offset(s), end)))
    sel_t, region_t = tuple(sel), tuple(region)
    if bad:
        with pytest.raises(BoundsCheckError):
            plan_block(sel_t, a.shape, chunks)
        return

    def assign(ref: np.ndarray, v: np.ndarray) -> None:
        ref[region_t] = v

    exercise(plan_block(sel_t, a.shape, chunks), a, chunks, a[region_t], assign)


@given(data=st.data(), ac=arrays_and_chunks(min_rank=1, min_len=1))
def test_getitem_matches_zarr_semantics(data: st.DataObject, ac: tuple[np.ndarray, Chunks]) -> None:
    # zarr-python routes basic selections as numpy does, one index array
    # among ints and slices orthogonally (numpy would move the array axis to
    # the front when a slice separates it from an int), pure fancy indexing
    # as numpy does.
    a, chunks = ac
    kind = data.draw(st.sampled_from(["basic", "one_array", "fancy"]))
    if kind == "basic":
        sel: tuple[Any, ...] = data.draw(basic_selections(a.shape))
    elif kind == "one_array":
        items = [data.draw(basic_items(n)) for n in a.shape]
        axis = data.draw(st.integers(0, a.ndim - 1))
        n = a.shape[axis]
        items[axis] = np.array(data.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=5)))
        sel = tuple(items)
    else:
        sel = tuple(
            np.array(data.draw(st.lists(st.integers(-n, n - 1), min_size=3, max_size=3)))
            for n in a.shape
        )
    plan = plan_getitem(sel, a.shape, chunks)
    if kind == "one_array":
        ix, keep_shape = orthogonal_reference(a.shape, sel)
        expected = a[ix].reshape(plan.shape)

        def assign(ref: np.ndarray, v: np.ndarray) -> None:
            ref[ix] = np.asarray(v).reshape(keep_shape)

    else:
        expected = a[sel]

        def assign(ref: np.ndarray, v: np.ndarray) -> None:
            ref[sel] = v

    exercise(plan, a, chunks, expected, assign)
