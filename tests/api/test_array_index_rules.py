"""Index types and selection rules through the array API, against zarr-python 3.4.

issue 14: a uint64 index of 2**64 - 1 wrapped round to -1, so reads returned
and writes overwrote the last element.  Every selection kind now refuses
out-of-bounds values of any integer type before touching a chunk.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import anyzarr
from anyzarr.api.asynchronous import create_array
from anyzarr.errors import BoundsCheckError
from anyzarr.storage import MemoryStore

SHAPE = (4, 6)
REF = np.arange(24, dtype="i4").reshape(SHAPE)
INT_DTYPES = ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"]
BIG = np.uint64(2**64 - 1)


@pytest.mark.anyio
async def test_out_of_bounds_uint64_neither_reads_nor_writes() -> None:
    arr = await create_array(MemoryStore(), shape=SHAPE, chunks=(2, 4), dtype="i4")
    await arr.setitem(Ellipsis, REF)
    cols = np.array([0, 2**64 - 1], dtype="u8")
    rows = np.array([0, 1])
    reads: list[Any] = [
        arr.get_coordinate_selection((rows, cols)),
        arr.get_orthogonal_selection((rows, cols)),
        arr.get_basic_selection((0, BIG)),
        arr.get_block_selection((BIG, 0)),
        arr.getitem((rows, cols)),
        arr.getitem((0, cols)),
    ]
    for coro in reads:
        with pytest.raises(BoundsCheckError):
            await coro
    writes: list[Any] = [
        arr.set_coordinate_selection((rows, cols), 99),
        arr.set_orthogonal_selection((rows, cols), 99),
        arr.set_basic_selection((0, BIG), 99),
        arr.set_block_selection((BIG, 0), 99),
        arr.setitem((rows, cols), 99),
        arr.setitem((0, [2**70]), 99),
    ]
    for coro in writes:
        with pytest.raises(BoundsCheckError):
            await coro
    np.testing.assert_array_equal(await arr.getitem(Ellipsis), REF)


@settings(max_examples=25)
@given(
    dtype=st.sampled_from(INT_DTYPES),
    raw=st.lists(st.integers(-(2**63), 2**64 - 1), min_size=1, max_size=3),
    kind=st.sampled_from(["vindex", "oindex", "getitem"]),
)
def test_sync_api_index_arrays_of_every_type(dtype: str, raw: list[int], kind: str) -> None:
    info = np.iinfo(dtype)
    values = np.array([v for v in raw if info.min <= v <= info.max] or [0], dtype=dtype)
    arr = anyzarr.create_array(MemoryStore(), shape=SHAPE, chunks=(3, 4), dtype="i4")
    arr[...] = REF
    n = SHAPE[1]
    exact = [int(v) for v in values]
    rows = np.zeros(len(exact), dtype=np.intp)
    sel = (rows, values) if kind != "oindex" else (0, values)
    view = {"vindex": arr.vindex, "oindex": arr.oindex, "getitem": arr}[kind]
    if any(not -n <= v < n for v in exact):
        with pytest.raises(BoundsCheckError):
            view[sel]
        with pytest.raises(BoundsCheckError):
            view[sel] = -5
        np.testing.assert_array_equal(arr[...], REF)
        return
    cols = np.array([v % n for v in exact])
    np.testing.assert_array_equal(view[sel], REF[0, cols])
    view[sel] = -5
    expected = REF.copy()
    expected[0, cols] = -5
    np.testing.assert_array_equal(arr[...], expected)


# -- zarr-python 3.4 as the oracle ------------------------------------------------------

GETITEM_SELECTIONS: list[Any] = [
    (Ellipsis, [1, 2]),
    ([1], Ellipsis),
    ([1], Ellipsis, 1),
    (np.int64(1), [1, 2], slice(None)),
    (1, [1, 2], slice(None)),
    (slice(None), [0, 2], 1),
    ([0, 1], slice(None), 1),
    ([0, 1], [0, 2], slice(None)),
    ([0, 1], [0, 2], [1, 3]),
    (np.array([True, False]), slice(None)),
    (np.array([True, False]), [0, 1]),
    ([True, False], [True, False, True], [True] * 4),
    (np.array(1), slice(None)),
    ([], slice(None)),
    ((0, 1), slice(None)),
    ([[0, 1]], slice(None)),
    ([True, 1], slice(None)),
    (np.array([[0, 1]]), slice(None)),
    (1, 2, 3),
    (np.int64(1), 2, 3),
    (Ellipsis, 1),
    (slice(None, None, 2), [1]),
    (np.array([2**63], dtype="u8"), slice(None)),
    (0, [2**70], 0),
]


def _outcome(get: Any) -> Any:
    try:
        return np.asarray(get())
    except IndexError:
        return IndexError
    except (TypeError, ValueError) as e:
        return type(e).__mro__[0].__name__


@pytest.mark.interop
@pytest.mark.parametrize("sel", GETITEM_SELECTIONS, ids=repr)
def test_getitem_accepts_what_zarr_python_accepts(sel: Any) -> None:
    zarr = pytest.importorskip("zarr")
    shape, chunks = (2, 3, 4), (1, 2, 2)
    ref = np.arange(24, dtype="i4").reshape(shape)
    theirs_arr = zarr.create_array({}, shape=shape, chunks=chunks, dtype="i4")
    theirs_arr[...] = ref
    ours_arr = anyzarr.create_array(MemoryStore(), shape=shape, chunks=chunks, dtype="i4")
    ours_arr[...] = ref
    theirs = _outcome(lambda: theirs_arr[sel])
    ours = _outcome(lambda: ours_arr[sel])
    if theirs is IndexError:
        assert ours is IndexError
    elif isinstance(theirs, np.ndarray):
        assert isinstance(ours, np.ndarray)
        np.testing.assert_array_equal(ours, theirs)
    else:  # zarr-python raised a ValueError or TypeError: anyzarr raises the same builtin
        assert ours == theirs or ours is IndexError


@pytest.mark.interop
@pytest.mark.parametrize(
    "sel",
    [
        (slice(15, 20), slice(None)),
        (slice(3, None),),
        (slice(2, None),),
        (slice(-3, None),),
        (slice(-4, None),),
        (slice(None, 10),),
        (slice(1, 1),),
        (slice(None), slice(2, None)),
        (slice(0, -7),),
        (slice(0, -1),),
        (slice(2, 1),),
        (-1, slice(None)),
        (3, 0),
        (-4, 0),
        (np.uint64(2), 0),
        (slice(None, None, 2),),
        ([0],),
    ],
    ids=repr,
)
@pytest.mark.parametrize("shape", [(5, 3), (0, 3)])
def test_block_selections_follow_zarr_python(sel: Any, shape: tuple[int, ...]) -> None:
    zarr = pytest.importorskip("zarr")
    ref = np.arange(int(np.prod(shape)), dtype="i4").reshape(shape)
    theirs_arr = zarr.create_array({}, shape=shape, chunks=(2, 2), dtype="i4")
    ours_arr = anyzarr.create_array(MemoryStore(), shape=shape, chunks=(2, 2), dtype="i4")
    if ref.size:
        theirs_arr[...] = ref
        ours_arr[...] = ref
    theirs = _outcome(lambda: theirs_arr.blocks[sel])
    ours = _outcome(lambda: ours_arr.blocks[sel])
    if isinstance(theirs, np.ndarray):
        assert isinstance(ours, np.ndarray)
        np.testing.assert_array_equal(ours, theirs)
    else:
        assert ours is theirs


def test_sharded_block_slice_past_the_end_raises() -> None:
    arr = anyzarr.create_array(
        MemoryStore(), shape=(10, 3), chunks=(2, 2), shards=(4, 2), dtype="i4"
    )
    with pytest.raises(BoundsCheckError):
        arr.blocks[5:7]


def test_zarr_arrays_as_index_arrays() -> None:
    """``a[b]`` with ``b`` a Zarr array of booleans or integers reads ``b`` first."""
    store = MemoryStore()
    data = np.arange(10)
    arr = anyzarr.array(data, chunks=2, store=store, path="a")
    mask = [False, True] * 5
    points = [0, 2, 4, 5]
    zmask = anyzarr.array(mask, chunks=2, store=store, dtype="bool", path="mask")
    zpoints = anyzarr.array(points, chunks=2, store=store, dtype="i4", path="points")
    for got in (arr[zmask], arr.oindex[zmask], arr.vindex[zmask]):
        np.testing.assert_array_equal(got, data[mask])
    for got in (arr[zpoints], arr.oindex[zpoints], arr.vindex[zpoints]):
        np.testing.assert_array_equal(got, data[points])
    arr[zpoints] = -1
    expected = data.copy()
    expected[points] = -1
    np.testing.assert_array_equal(arr[...], expected)


def test_one_tuple_selections_mean_their_item() -> None:
    """``a[sel,]`` is ``a[sel]``, a full-shape boolean mask included."""
    arr = anyzarr.array(REF, chunks=(3, 4))
    mask = REF % 3 == 0
    for sel in (mask, 1, [0, 2], slice(1, 3)):
        np.testing.assert_array_equal(arr[sel,], REF[sel,])


def test_out_must_be_writable_in_place() -> None:
    """A list as ``out`` would be copied and the values lost, so it is refused."""
    arr = anyzarr.array(REF, chunks=(3, 4))
    with pytest.raises(TypeError, match="out must be"):
        arr.get_basic_selection(Ellipsis, out=[])  # type: ignore[arg-type]
    out = np.zeros(SHAPE, dtype="i4")
    arr.get_basic_selection(Ellipsis, out=out)
    np.testing.assert_array_equal(out, REF)
