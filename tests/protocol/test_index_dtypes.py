"""Index values of every integer type, on every selection kind, read and write.

The reference is the exact integer value of each index: ``-n <= v < n``
selects element ``v mod n``, anything else raises `BoundsCheckError` (an
``IndexError``) before a chunk is touched.  numpy agrees wherever it does not
wrap: it converts uint64 indices to intp, so ``2**64 - 1`` silently selects
the last element there (and raises ``OverflowError`` for such a scalar);
zarr-python raises ``IndexError``, as anyzarr does.
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
    plan_basic,
    plan_block,
    plan_coordinate,
    plan_getitem,
    plan_orthogonal,
)

INT_DTYPES = [np.dtype(t) for t in ("i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8")]
SHAPE = (5, 7)
CHUNKS = (2, 3)
A = np.arange(math.prod(SHAPE), dtype=np.int64).reshape(SHAPE)


def chunked(a: np.ndarray) -> dict[tuple[int, ...], np.ndarray]:
    grid = [-(-n // c) for n, c in zip(a.shape, CHUNKS, strict=True)]
    out = {}
    for coords in itertools.product(*(range(g) for g in grid)):
        region = tuple(slice(i * c, (i + 1) * c) for i, c in zip(coords, CHUNKS, strict=True))
        chunk = np.full(CHUNKS, -1, dtype=a.dtype)
        piece = a[region]
        chunk[tuple(slice(0, n) for n in piece.shape)] = piece
        out[coords] = chunk
    return out


def read(plan: IndexingPlan) -> np.ndarray:
    chunks = chunked(A)
    out = np.full(plan.shape, -2, dtype=A.dtype)
    for p in plan.projections:
        out[p.out_selection] = chunks[p.chunk_coords][p.chunk_selection]
    return out


def write(plan: IndexingPlan, value: np.ndarray) -> np.ndarray:
    chunks = chunked(A)
    for p in plan.projections:
        chunks[p.chunk_coords][p.chunk_selection] = value[p.out_selection]
    out = A.copy()
    for coords, chunk in chunks.items():
        region = tuple(slice(i * c, (i + 1) * c) for i, c in zip(coords, CHUNKS, strict=True))
        out[region] = chunk[tuple(slice(0, n) for n in out[region].shape)]
    return out


def exact(values: Any, n: int) -> np.ndarray | None:
    """``values`` wrapped into ``[0, n)`` by their exact integer value; None if any is outside."""
    flat = [int(v) for v in np.asarray(values, dtype=object).reshape(-1)]
    if any(not -n <= v < n for v in flat):
        return None
    return np.array([v % n for v in flat], dtype=np.intp).reshape(np.shape(values))


@st.composite
def index_values(draw: st.DrawFn, dtype: np.dtype[Any], n: int) -> int:
    info = np.iinfo(dtype)
    return int(
        draw(
            st.sampled_from([info.min, info.max, n, -n - 1, 2**63, 2**63 - 1, -(2**63)]).filter(
                lambda v: info.min <= v <= info.max
            )
            | st.integers(max(info.min, -n), min(info.max, n - 1))
        )
    )


def check(plan_or_error: Any, expected_index: Any) -> None:
    """``plan_or_error`` is a thunk; ``expected_index`` a numpy index into A, or None."""
    if expected_index is None:
        with pytest.raises(BoundsCheckError):
            plan_or_error()
        return
    plan = plan_or_error()
    want = A[expected_index]
    np.testing.assert_array_equal(read(plan), want)
    value = np.arange(100, 100 + want.size).reshape(want.shape)
    ref = A.copy()
    ref[expected_index] = value
    np.testing.assert_array_equal(write(plan, value), ref)


@pytest.mark.parametrize("dtype", INT_DTYPES, ids=str)
@given(data=st.data())
def test_coordinate(dtype: np.dtype[Any], data: st.DataObject) -> None:
    k = data.draw(st.integers(0, 4))
    rows = np.array([data.draw(index_values(dtype, SHAPE[0])) for _ in range(k)], dtype=dtype)
    cols = np.array([data.draw(index_values(dtype, SHAPE[1])) for _ in range(k)], dtype=dtype)
    r, c = exact(rows, SHAPE[0]), exact(cols, SHAPE[1])
    want = None if r is None or c is None else (r, c)
    check(lambda: plan_coordinate((rows, cols), SHAPE, CHUNKS), want)
    check(lambda: plan_getitem((rows, cols), SHAPE, CHUNKS), want)
    if k and want is not None and np.all(rows.astype(object) < 2**63):
        np.testing.assert_array_equal(A[rows, cols], A[want])  # numpy agrees where it cannot wrap


@pytest.mark.parametrize("dtype", INT_DTYPES, ids=str)
@given(data=st.data())
def test_orthogonal(dtype: np.dtype[Any], data: st.DataObject) -> None:
    k = data.draw(st.integers(0, 4))
    cols = np.array([data.draw(index_values(dtype, SHAPE[1])) for _ in range(k)], dtype=dtype)
    row = data.draw(index_values(dtype, SHAPE[0]))
    c, r = exact(cols, SHAPE[1]), exact([row], SHAPE[0])
    want = None if c is None or r is None else (int(r[0]), c)
    scalar = dtype.type(row)
    check(lambda: plan_orthogonal((scalar, cols), SHAPE, CHUNKS), want)
    check(lambda: plan_orthogonal((row, list(cols)), SHAPE, CHUNKS), want)
    # getitem sends a Python int with an index array to orthogonal indexing.
    check(lambda: plan_getitem((row, cols), SHAPE, CHUNKS), want)
    full = None if c is None else (slice(None), c)
    check(lambda: plan_getitem((slice(None), cols), SHAPE, CHUNKS), full)


@pytest.mark.parametrize("dtype", INT_DTYPES, ids=str)
@given(data=st.data())
def test_basic_and_block_scalars(dtype: np.dtype[Any], data: st.DataObject) -> None:
    i = data.draw(index_values(dtype, SHAPE[0]))
    j = data.draw(index_values(dtype, SHAPE[1]))
    r, c = exact([i], SHAPE[0]), exact([j], SHAPE[1])
    want = None if r is None or c is None else (int(r[0]), int(c[0]))
    check(lambda: plan_basic((dtype.type(i), dtype.type(j)), SHAPE, CHUNKS), want)
    check(
        lambda: plan_getitem((dtype.type(i), slice(None)), SHAPE, CHUNKS),
        None if r is None else int(r[0]),
    )
    nblocks = -(-SHAPE[0] // CHUNKS[0])
    b = data.draw(index_values(dtype, nblocks))
    e = exact([b], nblocks)
    region = None if e is None else slice(int(e[0]) * CHUNKS[0], (int(e[0]) + 1) * CHUNKS[0])
    check(lambda: plan_block((dtype.type(b), slice(None)), SHAPE, CHUNKS), region)
    # Slice bounds of any integer type are clipped as Python clips them.
    s = slice(dtype.type(i), dtype.type(j))
    np.testing.assert_array_equal(
        read(plan_basic((slice(None), s), SHAPE, CHUNKS)), A[:, slice(i, j)]
    )


@given(values=st.lists(st.integers(-(2**70), 2**70), min_size=1, max_size=4))
def test_python_ints_of_any_size(values: list[int]) -> None:
    n = SHAPE[1]
    e = exact(values, n)
    check(lambda: plan_orthogonal((0, values), SHAPE, CHUNKS), None if e is None else (0, e))
    pts = None if e is None else (np.zeros(len(values), dtype=np.intp), e)
    check(lambda: plan_coordinate(([0] * len(values), values), SHAPE, CHUNKS), pts)
    first = exact(values[:1], n)
    check(
        lambda: plan_basic((0, values[0]), SHAPE, CHUNKS), None if first is None else (0, first[0])
    )


@pytest.mark.parametrize(
    "values", [[np.uint64(2**64 - 1)], [2**64 - 1], [0, 2**63], [-(2**63) - 1], [np.uint64(3), -1]]
)
def test_lists_never_wrap(values: list[Any]) -> None:
    e = exact(values, SHAPE[1])
    check(lambda: plan_orthogonal((0, values), SHAPE, CHUNKS), None if e is None else (0, e))


def test_the_reported_case() -> None:
    # issue 14: uint64 2**64 - 1 wrapped round to -1 and read (and wrote) element [1, 3].
    sel = (np.array([0, 1]), np.array([0, 2**64 - 1], dtype="uint64"))
    with pytest.raises(BoundsCheckError, match="18446744073709551615"):
        plan_coordinate(sel, (2, 4), (1, 2))
    assert issubclass(BoundsCheckError, IndexError)


def test_bool_arrays_are_masks_not_integers() -> None:
    mask = np.zeros(SHAPE[1], dtype=bool)
    mask[[1, 4]] = True
    check(lambda: plan_orthogonal((slice(None), mask), SHAPE, CHUNKS), (slice(None), mask))
    with pytest.raises(IndexError, match="wrong length"):
        plan_orthogonal((slice(None), mask[:-1]), SHAPE, CHUNKS)
    with pytest.raises(IndexError):
        plan_basic((True, 0), SHAPE, CHUNKS)
    with pytest.raises(IndexError):
        plan_orthogonal((np.bool_(True), 0), SHAPE, CHUNKS)
