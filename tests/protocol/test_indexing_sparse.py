"""Planning costs O(chunks touched), however many chunks the selection's range spans.

Shapes here have up to 2**62 elements per axis: a planner that walked the
chunks in range (or built a grid-sized index) would never finish, and the
per-test timeout turns that into a failure.
"""

from __future__ import annotations

import numpy as np

from anyzarr.protocol.indexing import (
    plan_basic,
    plan_block,
    plan_coordinate,
    plan_getitem,
    plan_orthogonal,
)
from anyzarr.protocol.metadata import RectilinearChunkGrid

HUGE = 2**62


def test_strided_slice_over_a_huge_axis() -> None:
    plan = plan_basic(slice(None, None, 2**60), (HUGE,), (1000,))
    assert plan.shape == (4,)
    parts = list(plan.projections)
    assert [p.chunk_coords for p in parts] == [((k * 2**60) // 1000,) for k in range(4)]
    assert [p.out_selection for p in parts] == [(slice(k, k + 1),) for k in range(4)]
    for k, p in enumerate(parts):
        (sel,) = p.chunk_selection
        assert sel.start == k * 2**60 - p.chunk_coords[0] * 1000
        assert sel.stop == sel.start + 1
    assert plan.projections[-1] == parts[-1]


def test_many_chunks_per_step_and_many_steps_per_chunk() -> None:
    plan = plan_basic((slice(3, None, 10**6), slice(None, None, 7)), (10**9, 50), (1000, 10))
    assert plan.shape == (1000, 8)
    assert len(plan.projections) == 1000 * 5
    first = plan.projections[0]
    assert first.chunk_coords == (0, 0)
    assert first.chunk_selection == (slice(3, 4), slice(0, 8, 7))


def test_orthogonal_and_block_on_huge_axes() -> None:
    idx = np.array([HUGE - 1, 0, 2**40, HUGE - 1], dtype=np.uint64)
    plan = plan_orthogonal((idx, slice(HUGE - 3, None)), (HUGE, HUGE), (7, 1000))
    assert plan.shape == (4, 3)
    assert [p.chunk_coords[0] for p in plan.projections] == [0, 2**40 // 7, (HUGE - 1) // 7]
    plan = plan_block((slice(-2, None), 5), (HUGE, HUGE), (1000, 1000))
    assert plan.shape == (1000 + HUGE % 1000, 1000)


def test_coordinates_on_a_grid_too_big_for_int64() -> None:
    # 2**124 chunks: no linear chunk number fits 64 bits.
    rows = np.array([HUGE - 1, 0, HUGE - 1, 5])
    cols = np.array([3, HUGE - 1, 2, 0])
    plan = plan_coordinate((rows, cols), (HUGE, HUGE), (1, 1))
    coords = [p.chunk_coords for p in plan.projections]
    assert coords == sorted(coords) == [(0, HUGE - 1), (5, 0), (HUGE - 1, 2), (HUGE - 1, 3)]
    out = [p.out_selection for p in plan.projections]
    assert [int(o[0][0]) for o in out] == [1, 3, 2, 0]
    assert plan_getitem((rows, cols), (HUGE, HUGE), (1, 1)).shape == (4,)


def test_rectilinear_runs_of_huge_counts() -> None:
    grid = RectilinearChunkGrid([[[3, 10**15], [1, 10**15], 5], 4])
    shape = (4 * 10**15, 8)
    step = 10**15 - 1
    plan = plan_basic((slice(1, None, step), 0), shape, grid)
    elements = list(range(1, shape[0], step))
    assert plan.shape == (len(elements),) == (5,)

    def chunk_of(e: int) -> int:
        return e // 3 if e < 3 * 10**15 else 10**15 + e - 3 * 10**15

    coords = [p.chunk_coords for p in plan.projections]
    assert coords == [(chunk_of(e), 0) for e in elements]
    first_unit = 10**15  # chunks before the unit-length run
    assert plan.chunk_shape is None
    assert plan.chunk_shape_of(coords[0]) == (3, 4)
    assert plan.chunk_shape_of(coords[-1]) == (1, 4)
    dense = plan_basic((slice(3 * 10**15 - 2, 3 * 10**15 + 3), 0), shape, grid)
    assert [p.chunk_coords[0] for p in dense.projections] == [
        first_unit - 1,
        first_unit,
        first_unit + 1,
        first_unit + 2,
    ]
