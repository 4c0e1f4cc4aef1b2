"""The engine alone: fake store and pipeline, real indexing plans."""

from __future__ import annotations

import random
from typing import Any

import anyio
import numpy as np
import pytest
from _engine_fakes import (
    FakeMeta,
    FakeStore,
    FakeStorePath,
    RawPipeline,
    Spec,
    load_chunks,
    store_chunks,
)

from anyzarr.io import _engine
from anyzarr.io._engine_chunks import batch_sizes, covers_whole_chunk, is_all_fill
from anyzarr.protocol.indexing import plan_basic, plan_coordinate, plan_orthogonal

SHAPE = (23, 17)
CHUNKS = (5, 4)
DT = np.dtype("int32")


def _spec(fill: Any = 0) -> Spec:
    return Spec(CHUNKS, DT, fill)


def _setup(delay: float = 0.0) -> tuple[FakeStore, FakeStorePath, np.ndarray[Any, Any]]:
    data = np.arange(np.prod(SHAPE), dtype=DT).reshape(SHAPE)
    store = FakeStore(delay=delay)
    store_chunks(store, data, CHUNKS)
    return store, FakeStorePath(store), data


@pytest.mark.anyio
@pytest.mark.parametrize(
    "selection",
    [
        (slice(None), slice(None)),
        (slice(2, 19, 3), slice(1, None)),
        (7, slice(None)),
        (slice(20, 23), 16),
        (3, 4),
    ],
)
async def test_read_basic_matches_numpy(selection: tuple[Any, ...]) -> None:
    _store, sp, data = _setup()
    plan = plan_basic(selection, SHAPE, CHUNKS)
    out = np.empty(plan.shape, DT)
    await _engine.read(sp, FakeMeta(), RawPipeline(), plan, out, spec=_spec())
    np.testing.assert_array_equal(out, data[selection])


@pytest.mark.anyio
async def test_read_orthogonal_and_coordinate() -> None:
    _store, sp, data = _setup()
    rows, cols = np.array([22, 0, 5, 5, 11]), np.array([16, 3, 0])
    plan = plan_orthogonal((rows, cols), SHAPE, CHUNKS)
    out = np.empty(plan.shape, DT)
    await _engine.read(sp, FakeMeta(), RawPipeline(), plan, out, spec=_spec())
    np.testing.assert_array_equal(out, data[np.ix_(rows, cols)])
    pts = (np.array([0, 22, 7, 7]), np.array([16, 0, 3, 3]))
    plan = plan_coordinate(pts, SHAPE, CHUNKS)
    out = np.empty(plan.shape, DT)
    await _engine.read(sp, FakeMeta(), RawPipeline(), plan, out, spec=_spec())
    np.testing.assert_array_equal(out, data[pts])


@pytest.mark.anyio
async def test_missing_chunks_read_as_fill_or_raise() -> None:
    store, sp, data = _setup()
    del store.data["arr/c/0/0"]
    plan = plan_basic((slice(None), slice(None)), SHAPE, CHUNKS)
    out = np.empty(plan.shape, DT)
    await _engine.read(sp, FakeMeta(), RawPipeline(), plan, out, spec=_spec(-1))
    expected = data.copy()
    expected[:5, :4] = -1
    np.testing.assert_array_equal(out, expected)
    with pytest.raises(_engine.ChunkNotFoundError, match="arr/c/0/0"):
        await _engine.read(
            sp, FakeMeta(), RawPipeline(), plan, out, spec=_spec(), read_missing_chunks=False
        )


@pytest.mark.anyio
async def test_read_decodes_in_batches_not_per_chunk() -> None:
    _store, sp, _data = _setup()
    pipeline = RawPipeline()
    plan = plan_basic(Ellipsis, SHAPE, CHUNKS)
    out = np.empty(plan.shape, DT)
    await _engine.read(sp, FakeMeta(), pipeline, plan, out, spec=_spec())
    n_chunks = len(plan.projections)
    assert sum(pipeline.decode_calls) == n_chunks
    # Two hops so both cores work, never one hop per chunk.
    assert len(pipeline.decode_calls) == 2


@pytest.mark.anyio
async def test_requests_overlap() -> None:
    store, sp, _data = _setup(delay=0.02)
    plan = plan_basic(Ellipsis, SHAPE, CHUNKS)
    out = np.empty(plan.shape, DT)
    with anyio.fail_after(5):
        await _engine.read(sp, FakeMeta(), RawPipeline(), plan, out, spec=_spec())
    assert store.max_in_flight > 5
    # Sequential fetching of the 25 chunks would take 0.5 s; this shows they overlap.


@pytest.mark.anyio
async def test_read_error_propagates_and_cancels_the_rest() -> None:
    store, sp, _data = _setup(delay=0.01)
    store.fail_on = "arr/c/2/2"
    plan = plan_basic(Ellipsis, SHAPE, CHUNKS)
    out = np.empty(plan.shape, DT)
    with pytest.raises(OSError, match="arr/c/2/2"):
        await _engine.read(sp, FakeMeta(), RawPipeline(), plan, out, spec=_spec())
    assert store.in_flight == 0


@pytest.mark.anyio
@pytest.mark.parametrize(
    "selection",
    [
        (slice(None), slice(None)),
        (slice(3, 12), slice(2, 9)),
        (slice(0, 10), slice(0, 8)),
        (22, slice(None, None, 2)),
    ],
)
async def test_write_matches_numpy(selection: tuple[Any, ...]) -> None:
    store, sp, data = _setup()
    pipeline = RawPipeline()
    plan = plan_basic(selection, SHAPE, CHUNKS)
    value = -np.arange(int(np.prod(plan.shape)), dtype=DT).reshape(plan.shape) - 1
    await _engine.write(sp, FakeMeta(), pipeline, plan, value, spec=_spec())
    expected = data.copy()
    expected[selection] = value
    np.testing.assert_array_equal(load_chunks(store, SHAPE, CHUNKS, DT), expected)


@pytest.mark.anyio
async def test_complete_chunks_are_not_read() -> None:
    store, sp, _data = _setup()
    plan = plan_basic((slice(0, 10), slice(0, 8)), SHAPE, CHUNKS)
    await _engine.write(sp, FakeMeta(), RawPipeline(), plan, np.ones(plan.shape, DT), spec=_spec())
    assert store.gets == []
    assert sorted(store.sets) == ["arr/c/0/0", "arr/c/0/1", "arr/c/1/0", "arr/c/1/1"]


@pytest.mark.anyio
async def test_empty_chunks_are_deleted_unless_asked_to_keep() -> None:
    store, sp, data = _setup()
    plan = plan_basic((slice(0, 5), slice(0, 8)), SHAPE, CHUNKS)
    await _engine.write(sp, FakeMeta(), RawPipeline(), plan, np.zeros(plan.shape, DT), spec=_spec())
    assert "arr/c/0/0" not in store.data
    assert "arr/c/0/1" not in store.data
    await _engine.write(
        sp,
        FakeMeta(),
        RawPipeline(),
        plan,
        np.zeros(plan.shape, DT),
        spec=_spec(),
        write_empty_chunks=True,
    )
    assert "arr/c/0/0" in store.data
    expected = data.copy()
    expected[0:5, 0:8] = 0
    np.testing.assert_array_equal(load_chunks(store, SHAPE, CHUNKS, DT), expected)


@pytest.mark.anyio
async def test_write_with_fields_keeps_other_fields() -> None:
    dt = np.dtype([("a", "i4"), ("b", "f8")])
    shape, chunks = (6,), (4,)
    data = np.zeros(shape, dt)
    data["b"] = np.arange(6)
    store = FakeStore()
    store_chunks(store, data, chunks, fill=np.zeros((), dt))
    sp = FakeStorePath(store)
    plan = plan_basic(Ellipsis, shape, chunks)
    spec = Spec(chunks, dt, np.zeros((), dt)[()])
    await _engine.write(
        sp, FakeMeta(), RawPipeline(), plan, np.arange(6) * 10, spec=spec, fields="a"
    )
    back = load_chunks(store, shape, chunks, dt, fill=np.zeros((), dt))
    np.testing.assert_array_equal(back["a"], np.arange(6) * 10)
    np.testing.assert_array_equal(back["b"], np.arange(6))


@pytest.mark.anyio
@pytest.mark.parametrize("seed", range(6))
async def test_cancelled_write_leaves_each_chunk_old_or_new(seed: int) -> None:
    rng = random.Random(seed)
    store, sp, data = _setup(delay=0.005)
    new = data + 1000
    plan = plan_basic(Ellipsis, SHAPE, CHUNKS)
    with anyio.move_on_after(rng.uniform(0.0, 0.03)):
        await _engine.write(sp, FakeMeta(), RawPipeline(), plan, new, spec=_spec())
    assert store.in_flight == 0
    back = load_chunks(store, SHAPE, CHUNKS, DT)
    for p in plan.projections:
        region = p.out_selection
        got = back[region]
        assert np.array_equal(got, data[region]) or np.array_equal(got, new[region]), p.chunk_coords


def test_batch_sizes_split_work() -> None:
    assert batch_sizes(0, 10) == []
    assert batch_sizes(1, 10) == [range(0, 1)]
    assert [len(b) for b in batch_sizes(10, 1)] == [5, 5]
    big = batch_sizes(10, 8 * 1024 * 1024)
    assert [len(b) for b in big] == [1] * 10


def test_covers_whole_chunk_and_is_all_fill() -> None:
    assert covers_whole_chunk((slice(0, 5), slice(None)), (5, 4))
    assert not covers_whole_chunk((slice(0, 4), slice(None)), (5, 4))
    assert not covers_whole_chunk((slice(0, 5, 2), slice(None)), (5, 4))
    assert not covers_whole_chunk((0, slice(None)), (5, 4))
    assert is_all_fill(np.full(3, np.nan), np.nan)
    assert not is_all_fill(np.array([np.nan, 1.0]), np.nan)
    assert is_all_fill(np.zeros(3, "i2"), 0)
    assert is_all_fill(np.array(["", ""], dtype=object), "")
    assert is_all_fill(np.array(["NaT"], dtype="M8[s]"), np.datetime64("NaT", "s"))
