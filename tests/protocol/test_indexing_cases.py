"""Explicit cases for the indexing planners: edge cases, errors, routing."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest

from anyzarr.errors import (
    ArrayIndexError,
    BoundsCheckError,
    NegativeStepError,
    UsageError,
    VindexInvalidSelectionError,
)
from anyzarr.protocol.indexing import (
    ChunkProjection,
    ChunkShapeError,
    CoordinateBroadcastError,
    UnsupportedSelectionError,
    ZeroStepError,
    apply_orthogonal,
    assign_orthogonal,
    plan_basic,
    plan_block,
    plan_coordinate,
    plan_getitem,
    plan_mask,
    plan_normalized,
    plan_orthogonal,
    pop_fields,
    to_numpy_selection,
)

SHAPE = (10, 12, 7)
CHUNKS = (3, 5, 4)
A = np.arange(np.prod(SHAPE)).reshape(SHAPE)


def gather(plan: Any, a: np.ndarray = A, chunks: tuple[int, ...] = CHUNKS) -> np.ndarray:
    out = np.empty(plan.shape, dtype=a.dtype)
    for p in plan.projections:
        region = tuple(
            slice(i * c, (i + 1) * c) for i, c in zip(p.chunk_coords, chunks, strict=True)
        )
        chunk = np.zeros(chunks, dtype=a.dtype)
        piece = a[region]
        chunk[tuple(slice(0, n) for n in piece.shape)] = piece
        out[p.out_selection] = chunk[p.chunk_selection]
    return out


def test_rank0_basic() -> None:
    for sel in [(), Ellipsis]:
        plan = plan_basic(sel, (), ())
        assert plan.shape == ()
        assert list(plan.projections) == [ChunkProjection((), (), (), True)]


def test_rank0_mask_selects_the_element_or_nothing() -> None:
    a = np.array(5)
    assert gather(plan_mask(np.array(True), (), ()), a, ()).tolist() == [5]
    plan = plan_mask(np.array(False), (), ())
    assert plan.shape == (0,)
    assert len(plan.projections) == 0


def test_zero_length_axis_touches_no_chunk() -> None:
    plan = plan_basic(slice(None), (0, 4), (2, 2))
    assert plan.shape == (0, 4)
    assert len(plan.projections) == 0


def test_empty_slice_and_empty_index_array() -> None:
    assert plan_basic(slice(5, 2), SHAPE, CHUNKS).shape == (0, 12, 7)
    plan = plan_orthogonal(np.array([], dtype=int), SHAPE, CHUNKS)
    assert plan.shape == (0, 12, 7)
    assert len(plan.projections) == 0


def test_slice_with_step_larger_than_chunk_skips_chunks() -> None:
    plan = plan_basic(slice(1, None, 7), (30,), (3,))
    assert [p.chunk_coords for p in plan.projections] == [(0,), (2,), (5,), (7,), (9,)]
    np.testing.assert_array_equal(gather(plan, np.arange(30), (3,)), np.arange(30)[1::7])


def test_is_complete_for_edge_chunk_and_partial_chunk() -> None:
    plan = plan_basic(slice(None), (10,), (4,))
    assert [p.is_complete for p in plan.projections] == [True, True, True]
    assert plan.projections[-1].chunk_selection == (slice(0, 2),)
    plan = plan_basic(slice(1, None), (10,), (4,))
    assert [p.is_complete for p in plan.projections] == [False, True, True]


def test_sorted_contiguous_index_array_becomes_a_slice() -> None:
    plan = plan_orthogonal(np.arange(2, 9), (10,), (4,))
    sels = [p.chunk_selection for p in plan.projections]
    assert sels == [(slice(2, 4),), (slice(0, 4),), (slice(0, 1),)]
    assert [p.is_complete for p in plan.projections] == [False, True, False]


def test_repeated_indices_are_not_complete() -> None:
    plan = plan_orthogonal(np.array([0, 1, 1, 2, 3]), (4,), (4,))
    (p,) = plan.projections
    assert not p.is_complete
    plan = plan_orthogonal(np.array([3, 2, 1, 0]), (4,), (4,))
    (p,) = plan.projections
    assert p.is_complete


def test_unsorted_orthogonal_in_two_axes_uses_ix_arrays() -> None:
    sel = (np.array([5, 1, 1]), 2, np.array([6, 0]))
    plan = plan_orthogonal(sel, SHAPE, CHUNKS)
    np.testing.assert_array_equal(gather(plan), A[np.ix_([5, 1, 1], [2], [6, 0])][:, 0, :])
    for p in plan.projections:
        axes = p.chunk_axes
        assert all(not isinstance(s, np.ndarray) or s.ndim == 1 for s in axes)


def test_negative_indices() -> None:
    np.testing.assert_array_equal(gather(plan_basic((-1, -2), SHAPE, CHUNKS)), A[-1, -2])
    sel = (np.array([-1, -10]), slice(None), -7)
    np.testing.assert_array_equal(gather(plan_orthogonal(sel, SHAPE, CHUNKS)), A[[-1, -10], :, -7])
    sel2 = (np.array([-1, 0]), np.array([-12, 11]), np.array([-7, 6]))
    np.testing.assert_array_equal(gather(plan_coordinate(sel2, SHAPE, CHUNKS)), A[sel2])


def test_coordinate_broadcast_and_multidimensional_output() -> None:
    sel = (np.array([[0], [9]]), np.array([1, 5, 11]), 3)
    plan = plan_coordinate(sel, SHAPE, CHUNKS)
    assert plan.shape == (2, 3)
    np.testing.assert_array_equal(gather(plan), A[sel])


def test_block_selection() -> None:
    np.testing.assert_array_equal(gather(plan_block(0, SHAPE, CHUNKS)), A[0:3])
    np.testing.assert_array_equal(gather(plan_block(-1, SHAPE, CHUNKS)), A[9:10])
    np.testing.assert_array_equal(gather(plan_block((slice(1, 3), 0), SHAPE, CHUNKS)), A[3:9, 0:5])
    with pytest.raises(BoundsCheckError, match="axis 0"):
        plan_block(4, SHAPE, CHUNKS)
    with pytest.raises(ArrayIndexError, match="step"):
        plan_block(slice(None, None, 2), SHAPE, CHUNKS)
    with pytest.raises(IndexError):
        plan_block(np.array([0, 1]), SHAPE, CHUNKS)


@pytest.mark.parametrize(
    ("call", "sel", "error", "match"),
    [
        (plan_basic, 10, BoundsCheckError, "index 10 is out of bounds for axis 0 with size 10"),
        (plan_basic, (0, -13), BoundsCheckError, "axis 1"),
        (plan_basic, (1, 2, 3, 4), ArrayIndexError, "too many indices"),
        (plan_basic, (Ellipsis, Ellipsis), ArrayIndexError, "single ellipsis"),
        (plan_basic, slice(None, None, -1), NegativeStepError, "step"),
        (plan_basic, slice(None, None, 0), ZeroStepError, "zero"),
        (plan_basic, 1.5, UnsupportedSelectionError, "float"),
        (plan_basic, None, UnsupportedSelectionError, "NoneType"),
        (plan_basic, True, UnsupportedSelectionError, "bool"),
        (plan_basic, [0, 1], UnsupportedSelectionError, "list"),
        (plan_orthogonal, np.array([0, 10]), BoundsCheckError, "index 10 .* axis 0"),
        (plan_orthogonal, (0, [0, -13]), BoundsCheckError, "index -13 .* axis 1"),
        (plan_orthogonal, np.ones(3, dtype=bool), ArrayIndexError, "wrong length"),
        (plan_orthogonal, np.array([1.0]), UnsupportedSelectionError, "ndarray"),
        (plan_orthogonal, np.zeros((2, 2), dtype=int), ArrayIndexError, "1-dimensional"),
        (
            plan_coordinate,
            (np.array([0, 1]), np.array([1, 2])),
            VindexInvalidSelectionError,
            "coordinate",
        ),
        (
            plan_coordinate,
            (np.array([0, 1]), slice(None), np.array([1, 2])),
            VindexInvalidSelectionError,
            "vectorized",
        ),
        (plan_coordinate, ([0, 1], [1, 2, 3], [0, 0]), CoordinateBroadcastError, "broadcast"),
        (plan_coordinate, ([0, 10], [1, 2], [0, 0]), BoundsCheckError, "axis 0"),
        (plan_mask, np.ones((10, 12), dtype=bool), VindexInvalidSelectionError, "vectorized"),
        (plan_getitem, (1, 2, 3, 4), ArrayIndexError, "too many"),
    ],
)
def test_errors(call: Any, sel: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call(sel, SHAPE, CHUNKS)


def test_error_builtin_kinds_match_numpy() -> None:
    assert issubclass(BoundsCheckError, IndexError)
    assert issubclass(UnsupportedSelectionError, IndexError)
    assert issubclass(UnsupportedSelectionError, TypeError)
    assert issubclass(ZeroStepError, ValueError)
    assert issubclass(CoordinateBroadcastError, ValueError)
    assert issubclass(ChunkShapeError, UsageError)


def test_bad_chunk_shape() -> None:
    with pytest.raises(ChunkShapeError, match="dimensions"):
        plan_basic((), (4, 4), (2,))
    with pytest.raises(ChunkShapeError, match="positive"):
        plan_basic((), (4,), (0,))


@pytest.mark.parametrize(
    ("sel", "kind", "shape"),
    [
        ((slice(1, 3), 2), "basic", (2, 7)),
        (([0, 1], 2), "orthogonal", (2, 7)),
        (([0, 1], 2, 3), "coordinate", (2,)),
        ((np.array([0, 1]), slice(None), 3), "orthogonal", (2, 12)),
        ((slice(None), slice(None), [1, 2]), "orthogonal", (10, 12, 2)),
        ((np.array([1, 2]), np.array([0, 3]), np.array([1, 1])), "coordinate", (2,)),
        ((np.ones(10, bool), np.ones(12, bool), np.zeros(7, bool)), "orthogonal", (10, 12, 0)),
        (A % 2 == 0, "coordinate", (420,)),
        ((), "basic", SHAPE),
    ],
)
def test_getitem_routing(sel: Any, kind: str, shape: tuple[int, ...]) -> None:
    plan = plan_getitem(sel, SHAPE, CHUNKS)
    assert plan.kind == kind
    assert plan.shape == shape


def test_getitem_1d_lists_are_fancy() -> None:
    a = np.arange(10)
    plan = plan_getitem([3, 1, 3], (10,), (3,))
    np.testing.assert_array_equal(gather(plan, a, (3,)), a[[3, 1, 3]])
    mask = [True, False] * 5
    np.testing.assert_array_equal(gather(plan_getitem(mask, (10,), (3,)), a, (3,)), a[::2])


def test_getitem_strips_fields() -> None:
    assert pop_fields("x") == ("x", ())
    assert pop_fields((slice(1, 2), "x", "y")) == (["x", "y"], slice(1, 2))
    plan = plan_getitem(("x", slice(0, 2)), SHAPE, CHUNKS)
    assert plan.fields == "x"
    assert plan.shape == (2, 12, 7)


@pytest.mark.interop
@pytest.mark.parametrize(
    "sel",
    [
        (slice(1, 9, 2), 3),
        ([0, 9, 4], 2),
        (np.array([7, 2, 2]), slice(None), -1),
        (0, slice(None), np.array([6, 0])),
        (np.array([1, 2]), np.array([0, 3]), np.array([1, 1])),
        (A % 3 == 0,),
        (Ellipsis, 3),
    ],
)
def test_getitem_matches_zarr_python(sel: Any) -> None:
    zarr = pytest.importorskip("zarr")
    z = zarr.create_array({}, shape=SHAPE, chunks=CHUNKS, dtype=A.dtype)
    z[...] = A
    s = sel[0] if len(sel) == 1 else sel
    np.testing.assert_array_equal(gather(plan_getitem(s, SHAPE, CHUNKS)), z[s])


def test_to_numpy_selection_and_helpers() -> None:
    x = np.arange(60).reshape(3, 4, 5)
    sel = (np.array([2, 0]), slice(1, 3), 4)
    np.testing.assert_array_equal(apply_orthogonal(x, sel), x[np.ix_([2, 0], [1, 2], [4])][:, :, 0])
    sel2 = (1, slice(None), np.array([4, 0, 4]))
    np.testing.assert_array_equal(apply_orthogonal(x, sel2), x[1][:, [4, 0, 4]])
    y = x.copy()
    assign_orthogonal(y, sel2, -1)
    assert (y[1][:, [0, 4]] == -1).all()
    assert (y[1][:, 1:4] != -1).all()
    assert to_numpy_selection((slice(0, 2), 3)) == (slice(0, 2), 3)


def test_plan_normalized_forms() -> None:
    x = np.arange(60).reshape(3, 4, 5)
    cases: list[tuple[Any, ...]] = [
        (slice(0, 3), 1, slice(1, 5, 2)),
        (np.array([2, 0, 2]), slice(None), 4),
        to_numpy_selection((np.array([2, 0]), slice(0, 4), np.array([4, 1]))),
        (np.array([0, 2]), np.array([3, 3]), np.array([1, 4])),
        (np.array([[0], [2]]), np.array([3, 1]), 0),
        (x % 2 == 0,),
    ]
    for sel in cases:
        plan = plan_normalized(sel, x.shape, (2, 3, 2))
        np.testing.assert_array_equal(gather(plan, x, (2, 3, 2)), x[sel])
    with pytest.raises(ArrayIndexError):
        plan_normalized((np.array([0, 1]), slice(None), np.array([1, 2])), x.shape, (2, 2, 2))


def test_projections_are_lazy_and_indexable() -> None:
    # 10^8 chunks: building the plan must not enumerate them.
    start = time.perf_counter()
    plan = plan_basic((slice(None), slice(5, None)), (1_000_000, 1_000_000), (100, 100))
    assert time.perf_counter() - start < 5
    assert len(plan.projections) == 10_000 * 10_000
    last = plan.projections[-1]
    assert last.chunk_coords == (9_999, 9_999)
    assert last.out_selection == (slice(999_900, 1_000_000), slice(999_895, 999_995))
    first = plan.projections[0]
    assert first.chunk_selection == (slice(0, 100), slice(5, 100))
    assert not first.is_complete
    assert plan.projections[1:3][1] == plan.projections[2]
    with pytest.raises(IndexError):
        plan.projections[10**8]


def test_coordinate_plan_scales_with_chunks_not_points() -> None:
    rng = np.random.default_rng(0)
    n = 1_000_000
    sel = (rng.integers(0, 10_000, n), rng.integers(0, 10_000, n))
    start = time.perf_counter()
    plan = plan_coordinate(sel, (10_000, 10_000), (1_000, 1_000))
    assert len(plan.projections) == 100
    total = sum(len(p.chunk_selection[0]) for p in plan.projections)
    assert total == n
    assert time.perf_counter() - start < 10


def test_all_integer_coordinate_selection_is_one_point() -> None:
    # zarr-python gives shape (1,) for vindex[1, 2], not a 0-d result.
    from anyzarr.protocol.indexing import plan_coordinate

    plan = plan_coordinate((1, 2), (4, 5), (2, 2))
    assert plan.shape == (1,)
    data = np.arange(20).reshape(4, 5)
    out = np.empty(plan.shape, dtype=data.dtype)
    for p in plan.projections:
        cy, cx = p.chunk_coords
        chunk = np.zeros((2, 2), dtype=data.dtype)
        block = data[cy * 2 : cy * 2 + 2, cx * 2 : cx * 2 + 2]
        chunk[: block.shape[0], : block.shape[1]] = block
        out[p.out_selection] = chunk[p.chunk_selection]
    assert out.tolist() == [7]
