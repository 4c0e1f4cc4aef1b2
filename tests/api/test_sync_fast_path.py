"""The sync API's loop-free read path must give what the event-loop path gives.

Each test reads the same selection twice: once through the sync ``Array``
with the loop hop forbidden (so the inline path must serve it), and once
through ``AsyncArray`` on the loop; results, dtypes, types and errors must
match exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import anyzarr as zarr
from anyzarr.api._sync_runtime import sync
from anyzarr.api.synchronous import _array as _sync_array
from anyzarr.errors import ChunkNotFoundError
from anyzarr.io import _run_here
from anyzarr.io._engine import INLINE_MAX_BYTES
from anyzarr.protocol._errors import UsageError
from anyzarr.storage import LocalStore, MemoryStore


def _no_hop(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the sync fast path went through the event loop")


@pytest.fixture
def forbid_hop(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Call it once the array is set up: any later trip to the loop fails."""

    def forbid() -> None:
        monkeypatch.setattr(_sync_array, "_sync", _no_hop)

    return forbid


@pytest.fixture(params=["memory", "local"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "memory":
        return MemoryStore()
    return LocalStore(str(tmp_path / "data"))


def _make(store: Any, *, sharded: bool, zarr_format: int = 3, **kwargs: Any) -> Any:
    extra: dict[str, Any] = {"shards": (8, 6)} if sharded else {}
    a = zarr.create_array(
        store=store,
        shape=(13, 11),
        chunks=(4, 3),
        dtype="i4",
        fill_value=-7,
        zarr_format=zarr_format,  # type: ignore[arg-type]
        **extra,
        **kwargs,
    )
    # Leave the last rows unwritten so that some chunks are missing.
    a[:9, :] = np.arange(99, dtype="i4").reshape(9, 11)
    return a


def _same(fast: Any, slow: Any) -> None:
    assert type(fast) is type(slow)
    if isinstance(slow, np.ndarray):
        assert fast.dtype == slow.dtype
        assert fast.shape == slow.shape
        np.testing.assert_array_equal(fast, slow)
    else:
        assert fast == slow


ReadPair = tuple[Callable[[Any], Any], Callable[[Any], Any]]

MASK = np.zeros((13, 11), dtype=bool)
MASK[[0, 5, 12], [1, 10, 3]] = True

READS: dict[str, ReadPair] = {
    "int-int": (lambda a: a[3, 4], lambda aa: aa.getitem((3, 4))),
    "np-int": (lambda a: a[np.int64(3), 4], lambda aa: aa.getitem((np.int64(3), 4))),
    "edge": (lambda a: a[12, 10], lambda aa: aa.getitem((12, 10))),
    "slice": (lambda a: a[2:11, 1:9], lambda aa: aa.getitem((slice(2, 11), slice(1, 9)))),
    "step": (
        lambda a: a[::3, 1::2],
        lambda aa: aa.getitem((slice(None, None, 3), slice(1, None, 2))),
    ),
    "ellipsis": (lambda a: a[..., 2], lambda aa: aa.getitem((Ellipsis, 2))),
    "basic": (
        lambda a: a.get_basic_selection((5, 6)),
        lambda aa: aa.get_basic_selection((5, 6)),
    ),
    "fancy-getitem": (lambda a: a[[1, 12], :], lambda aa: aa.getitem(([1, 12], slice(None)))),
    "oindex": (
        lambda a: a.oindex[[0, 5, 12], [1, 10]],
        lambda aa: aa.get_orthogonal_selection(([0, 5, 12], [1, 10])),
    ),
    "oindex-bool": (
        lambda a: a.get_orthogonal_selection((np.arange(13) % 4 == 0, slice(2, 5))),
        lambda aa: aa.get_orthogonal_selection((np.arange(13) % 4 == 0, slice(2, 5))),
    ),
    "vindex": (
        lambda a: a.vindex[[0, 5, 12], [1, 10, 3]],
        lambda aa: aa.get_coordinate_selection(([0, 5, 12], [1, 10, 3])),
    ),
    "coordinate": (
        lambda a: a.get_coordinate_selection((np.array([[1, 2]]), np.array([[3, 9]]))),
        lambda aa: aa.get_coordinate_selection((np.array([[1, 2]]), np.array([[3, 9]]))),
    ),
    "mask": (lambda a: a.vindex[MASK], lambda aa: aa.get_mask_selection(MASK)),
    "get-mask": (lambda a: a.get_mask_selection(MASK), lambda aa: aa.get_mask_selection(MASK)),
    "blocks": (lambda a: a.blocks[1, 1:3], lambda aa: aa.get_block_selection((1, slice(1, 3)))),
    "block-edge": (
        lambda a: a.get_block_selection((-1, -1)),
        lambda aa: aa.get_block_selection((-1, -1)),
    ),
    "missing": (lambda a: a[10:, :], lambda aa: aa.getitem((slice(10, None), slice(None)))),
    "empty": (lambda a: a[5:5, :], lambda aa: aa.getitem((slice(5, 5), slice(None)))),
}


@pytest.mark.parametrize("sharded", [False, True], ids=["chunked", "sharded"])
@pytest.mark.parametrize("name", sorted(READS))
def test_fast_path_matches_async(
    store: Any, sharded: bool, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = _make(store, sharded=sharded)
    fast_read, async_read = READS[name]
    expected = sync(async_read, a.async_array)
    monkeypatch.setattr(_sync_array, "_sync", _no_hop)
    _same(fast_read(a), expected)


def test_v2_array(store: Any, forbid_hop: Callable[[], None]) -> None:
    a = zarr.create_array(store=store, shape=(5, 5), chunks=(2, 2), dtype="f8", zarr_format=2)
    forbid_hop()
    expected = np.full((5, 5), 0.0)
    _same(a[:], expected)


def test_out_argument(store: Any, forbid_hop: Callable[[], None]) -> None:
    a = _make(store, sharded=True)
    forbid_hop()
    out = np.zeros((3, 2), dtype="i4")
    got = a.get_basic_selection((slice(0, 3), slice(4, 6)), out=out)
    assert got is out
    np.testing.assert_array_equal(out, np.arange(99).reshape(9, 11)[0:3, 4:6])
    with pytest.raises(UsageError, match="out has shape"):
        a.get_orthogonal_selection(([0, 1], [0]), out=out)


def test_out_of_other_dtype(store: Any, forbid_hop: Callable[[], None]) -> None:
    a = _make(store, sharded=False)
    forbid_hop()
    out = np.zeros((2, 2), dtype="f8")
    a.get_basic_selection((slice(0, 2), slice(0, 2)), out=out)
    np.testing.assert_array_equal(out, [[0.0, 1.0], [11.0, 12.0]])


def test_fields(store: Any, forbid_hop: Callable[[], None]) -> None:
    dt = np.dtype([("x", "i4"), ("y", "f8")])
    a = zarr.create_array(store=store, shape=(6,), chunks=(4,), dtype=dt)
    value = np.array([(i, i / 2) for i in range(6)], dtype=dt)
    sync(a.async_array.setitem, slice(None), value)
    forbid_hop()
    _same(a["x"], value["x"])
    _same(a.get_basic_selection(slice(1, 3), fields=["y"]), value[["y"]][1:3])
    expected = sync(a.async_array.get_coordinate_selection, [0, 5], fields="y")
    _same(a.get_coordinate_selection([0, 5], fields="y"), expected)
    with pytest.raises(Exception, match="no field"):
        a.get_basic_selection(fields="z")


def test_zero_d(store: Any, forbid_hop: Callable[[], None]) -> None:
    z = zarr.create_array(store=store, shape=(), dtype="f8", fill_value=3.5)
    forbid_hop()
    _same(z[()], np.float64(3.5))
    _same(z[...], np.float64(3.5))
    _same(z.get_basic_selection(), np.float64(3.5))
    _same(z.get_orthogonal_selection(()), sync(z.async_array.get_orthogonal_selection, ()))


def test_errors_match(store: Any, forbid_hop: Callable[[], None]) -> None:
    a = _make(store, sharded=True)
    forbid_hop()
    for bad in [(13, 0), (0, 0, 0), (slice(None), "x")]:
        with pytest.raises(Exception) as fast_err:
            a[bad]
        with pytest.raises(Exception) as slow_err:
            sync(a.async_array.getitem, bad)
        assert type(fast_err.value) is type(slow_err.value)
        assert str(fast_err.value) == str(slow_err.value)


def test_missing_chunks_raise_when_configured(store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    a = _make(store, sharded=False)
    strict = zarr.Array(a.async_array.with_config({"read_missing_chunks": False}))
    with pytest.raises(ChunkNotFoundError) as slow:
        sync(strict.async_array.getitem, (slice(10, None), 0))
    monkeypatch.setattr(_sync_array, "_sync", _no_hop)
    with pytest.raises(ChunkNotFoundError) as fast:
        strict[10:, 0]
    assert str(fast.value) == str(slow.value)


def test_large_reads_use_helper_threads_not_the_loop(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    side = 600  # 600 * 600 * 4 bytes: more than the inline limit
    assert side * side * 4 > INLINE_MAX_BYTES
    a = zarr.create_array(store=store, shape=(side, side), chunks=(100, 100), dtype="i4")
    value = np.arange(side * side, dtype="i4").reshape(side, side)
    a[...] = value
    threads: set[str] = set()
    real = _run_here._helper_pool

    def watched(size: int) -> Any:
        pool = real(size)
        threads.add("pool")
        return pool

    monkeypatch.setattr(_run_here, "_helper_pool", watched)
    monkeypatch.setattr(_sync_array, "_sync", _no_hop)
    _same(a[:], value)
    _same(a[7:590:3, 100:], value[7:590:3, 100:])
    assert threads == {"pool"}


def test_wrapped_store_uses_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    from anyzarr.storage import WrapperStore

    a = _make(WrapperStore(MemoryStore()), sharded=False)
    calls: list[Any] = []

    def counting(fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(fn)
        return sync(fn, *args, **kwargs)

    monkeypatch.setattr(_sync_array, "_sync", counting)
    _same(a[3, 4], np.array(37, dtype="i4"))
    assert len(calls) == 1


WRITES: dict[str, tuple[Callable[[Any, Any], None], Callable[[Any], Any]]] = {
    "setitem": (lambda a, v: a.__setitem__((slice(2, 11), 3), v), lambda v: v[0:9]),
    "setitem-method": (lambda a, v: a.setitem((slice(None), 1), v), lambda v: v[0:13]),
    "basic": (lambda a, v: a.set_basic_selection((5, slice(None)), v), lambda v: v[0:11]),
    "oindex": (
        lambda a, v: a.oindex.__setitem__(([0, 5, 12], [1, 10]), v),
        lambda v: v[0:6].reshape(3, 2),
    ),
    "orthogonal": (
        lambda a, v: a.set_orthogonal_selection(([1, 2], slice(0, 2)), v),
        lambda v: v[0:4].reshape(2, 2),
    ),
    "vindex": (lambda a, v: a.vindex.__setitem__(([0, 5, 12], [1, 10, 3]), v), lambda v: v[0:3]),
    "coordinate": (lambda a, v: a.set_coordinate_selection(([4], [4]), v), lambda v: v[0:1]),
    "mask": (lambda a, v: a.vindex.__setitem__(MASK, v), lambda v: v[0:3]),
    "set-mask": (lambda a, v: a.set_mask_selection(MASK, v), lambda v: v[0:3]),
    "blocks": (lambda a, v: a.blocks.__setitem__((1, 1), v), lambda v: v[0:12].reshape(4, 3)),
    "block": (lambda a, v: a.set_block_selection((-1, -1), v), lambda v: v[0:2].reshape(1, 2)),
}


@pytest.mark.parametrize("sharded", [False, True], ids=["chunked", "sharded"])
@pytest.mark.parametrize("name", sorted(WRITES))
def test_writes_skip_the_loop_and_match_async(
    store: Any, tmp_path: Path, sharded: bool, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    do_write, value_of = WRITES[name]
    value = value_of(np.arange(1000, 1013, dtype="i4"))
    fast = _make(store, sharded=sharded)
    twin = _make(MemoryStore(), sharded=sharded)
    with monkeypatch.context() as m:
        m.setattr(_sync_array, "_sync", _no_hop)
        do_write(fast, value)
    # The same write through the event loop, via the async method.
    do_write(_LoopWrites(twin), value)
    _same(fast[...], twin[...])


class _LoopWrites:
    """An ``Array`` look-alike whose writes all call the async methods on the loop."""

    def __init__(self, array: Any) -> None:
        self._a = array.async_array

    def __setitem__(self, selection: Any, value: Any) -> None:
        sync(self._a.setitem, selection, value)

    def setitem(self, selection: Any, value: Any) -> None:
        sync(self._a.setitem, selection, value)

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._a, name)
        return lambda *args, **kwargs: sync(method, *args, **kwargs)

    @property
    def oindex(self) -> Any:
        return _Setter(self._a.set_orthogonal_selection)

    @property
    def vindex(self) -> Any:
        async def either(selection: Any, value: Any) -> None:
            if isinstance(selection, np.ndarray):
                await self._a.set_mask_selection(selection, value)
            else:
                await self._a.set_coordinate_selection(selection, value)

        return _Setter(either)

    @property
    def blocks(self) -> Any:
        return _Setter(self._a.set_block_selection)


class _Setter:
    """``obj[selection] = value`` calls an async setter through the loop."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self._fn = fn

    def __setitem__(self, selection: Any, value: Any) -> None:
        sync(self._fn, selection, value)


def test_write_errors_match(store: Any) -> None:
    a = _make(store, sharded=False)
    cases: list[tuple[Any, Any]] = [((0, slice(None)), np.zeros(3, "i4")), ((20, 0), 1)]
    for selection, value in cases:
        with pytest.raises(Exception) as fast_err:
            a[selection] = value
        with pytest.raises(Exception) as slow_err:
            sync(a.async_array.setitem, selection, value)
        assert type(fast_err.value) is type(slow_err.value)
        assert str(fast_err.value) == str(slow_err.value)
    ro = zarr.open_array(store=store, mode="r")
    with pytest.raises(Exception, match="read-only"):
        ro[0, 0] = 1


def test_large_writes_use_helper_threads(store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    a = zarr.create_array(store=store, shape=(600, 600), chunks=(100, 100), dtype="i4")
    value = np.arange(360000, dtype="i4").reshape(600, 600)
    used: list[bool] = []
    real = _run_here._helper_pool

    def watched(size: int) -> Any:
        used.append(True)
        return real(size)

    monkeypatch.setattr(_run_here, "_helper_pool", watched)
    monkeypatch.setattr(_sync_array, "_sync", _no_hop)
    a[...] = value
    a[100:200, 5] = -1
    value[100:200, 5] = -1
    _same(a[...], value)
    assert used


def test_wrapped_store_writes_use_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    from anyzarr.storage import WrapperStore

    a = _make(WrapperStore(MemoryStore()), sharded=False)
    monkeypatch.setattr(_sync_array, "_sync", _no_hop)
    with pytest.raises(AssertionError, match="event loop"):
        a[0, 0] = 5


@pytest.mark.anyio
async def test_sync_read_on_the_loop_thread_still_refused() -> None:
    from anyzarr.api import _sync_runtime as rt

    a = zarr.create_array(store=MemoryStore(), shape=(4,), chunks=(2,), dtype="i4")

    async def inside() -> Any:
        return a[0]

    with pytest.raises(rt.SyncInLoopError):
        sync(inside)
