"""Regression tests for API bugs found in review (each checked against zarr-python 3.4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import numpy as np
import pytest

import anyzarr
from anyzarr.api import asynchronous as az
from anyzarr.api._copy_slabs import iter_slabs, slab_shape
from anyzarr.api._functions_open import ShapeRequiredError
from anyzarr.errors import (
    ArrayNotFoundError,
    ContainsArrayError,
    GroupNotFoundError,
    NodeTypeValidationError,
    ReadOnlyError,
)
from anyzarr.io._tasks import plain_failure, task_group
from anyzarr.protocol.buffer import cpu
from anyzarr.storage import MemoryStore, ZipStore

# -- open / open_array / open_group modes --------------------------------------


def _seed(path: Path, kind: str) -> str:
    where = str(path / "x.zarr")
    if kind == "array":
        arr = anyzarr.create_array(where, shape=(3,), dtype="i4", chunks=(3,))
        arr[:] = 7
    elif kind == "group":
        anyzarr.create_group(where)
    return where


def _describe(node: Any) -> str:
    if isinstance(node, anyzarr.Array):
        return f"array{tuple(node.shape)}:{node.dtype}:{node[...].tolist()}"
    assert isinstance(node, anyzarr.Group)
    return f"group:{sorted(node.keys())}"


NEW_ARRAY = "array(5,):float64:[0.0, 0.0, 0.0, 0.0, 0.0]"
OLD_ARRAY = "array(3,):int32:[7, 7, 7]"
EMPTY_GROUP = "group:[]"

# (function, existing node, mode, with shape) -> result or error type, as zarr-python 3.4.
MODE_TABLE: list[tuple[str, str, str, bool, Any]] = [
    ("open", "none", "r", False, FileNotFoundError),
    ("open", "none", "a", False, EMPTY_GROUP),
    ("open", "none", "a", True, NEW_ARRAY),
    ("open", "none", "w", False, EMPTY_GROUP),
    ("open", "none", "w-", False, TypeError),
    ("open", "none", "w-", True, NEW_ARRAY),
    ("open", "array", "r", False, OLD_ARRAY),
    ("open", "array", "a", True, OLD_ARRAY),
    ("open", "array", "w", False, EMPTY_GROUP),
    ("open", "array", "w", True, NEW_ARRAY),
    ("open", "array", "w-", False, FileExistsError),
    ("open", "group", "r+", False, EMPTY_GROUP),
    ("open", "group", "w", True, NEW_ARRAY),
    ("open", "group", "w-", False, FileExistsError),
    ("open_array", "none", "r", True, FileNotFoundError),
    ("open_array", "none", "a", False, TypeError),
    ("open_array", "none", "a", True, NEW_ARRAY),
    ("open_array", "none", "w", False, TypeError),
    ("open_array", "array", "r+", True, OLD_ARRAY),
    ("open_array", "array", "a", True, OLD_ARRAY),
    ("open_array", "array", "w", False, TypeError),
    ("open_array", "array", "w", True, NEW_ARRAY),
    ("open_array", "array", "w-", True, FileExistsError),
    ("open_array", "group", "r", False, NodeTypeValidationError),
    ("open_array", "group", "a", True, NodeTypeValidationError),
    ("open_array", "group", "w", True, NEW_ARRAY),
    ("open_array", "group", "w-", True, FileExistsError),
    ("open_group", "none", "r", False, FileNotFoundError),
    ("open_group", "none", "w-", False, EMPTY_GROUP),
    ("open_group", "array", "r", False, ContainsArrayError),
    ("open_group", "array", "r+", False, ContainsArrayError),
    ("open_group", "array", "a", False, ContainsArrayError),
    ("open_group", "array", "w", False, EMPTY_GROUP),
    ("open_group", "group", "w-", False, FileExistsError),
]


@pytest.mark.parametrize(("func", "existing", "mode", "with_shape", "expected"), MODE_TABLE)
def test_open_modes_match_zarr_python(
    tmp_path: Path, func: str, existing: str, mode: str, with_shape: bool, expected: Any
) -> None:
    where = _seed(tmp_path, existing)
    kwargs: dict[str, Any] = {"shape": (5,), "dtype": "f8"} if with_shape else {}
    opener = getattr(anyzarr, func)
    if isinstance(expected, str):
        assert _describe(opener(where, mode=mode, **kwargs)) == expected
    else:
        with pytest.raises(expected):
            opener(where, mode=mode, **kwargs)


def test_open_array_w_replaces_existing_array(tmp_path: Path) -> None:
    where = _seed(tmp_path, "array")
    arr = anyzarr.open_array(where, mode="w", shape=(2, 2), dtype="u1")
    assert arr.shape == (2, 2)
    assert anyzarr.open_array(where, mode="r").dtype == np.dtype("u1")


def test_missing_shape_is_a_type_error_naming_the_path(tmp_path: Path) -> None:
    with pytest.raises(ShapeRequiredError, match=r"x\.zarr"):
        anyzarr.open_array(str(tmp_path / "x.zarr"), mode="a")


def test_not_found_errors_keep_their_types() -> None:
    store = MemoryStore()
    with pytest.raises(ArrayNotFoundError):
        anyzarr.open_array(store, mode="r+")
    with pytest.raises(GroupNotFoundError):
        anyzarr.open_group(store, mode="r+")
    anyzarr.create_group(store, path="g")
    with pytest.raises(FileExistsError):
        anyzarr.open_array(store, path="g", mode="w-", shape=(1,), dtype="i1")


@pytest.mark.parametrize("mode", ["r", "r+", "a"])
def test_config_reaches_opened_arrays(tmp_path: Path, mode: Any) -> None:
    where = _seed(tmp_path, "array")
    arr = anyzarr.open_array(where, mode=mode, config={"write_empty_chunks": True})
    assert arr.config.write_empty_chunks is True
    node = anyzarr.open(where, mode=mode, config={"write_empty_chunks": True})
    assert isinstance(node, anyzarr.Array)
    assert node.config.write_empty_chunks is True


# -- zip stores never delete ---------------------------------------------------


def test_zip_writes_fill_value_chunks_instead_of_deleting(tmp_path: Path) -> None:
    store = ZipStore(tmp_path / "data.zip", mode="w")
    arr = anyzarr.create_array(store, shape=(4,), chunks=(2,), dtype="i4")
    arr[:] = 0
    arr[:2] = 5
    arr[:2] = 0
    np.testing.assert_array_equal(arr[:], np.zeros(4, dtype="i4"))


@pytest.mark.anyio
async def test_zip_delete_of_absent_key_is_a_no_op(tmp_path: Path) -> None:
    store = ZipStore(tmp_path / "data.zip", mode="w")
    await store.delete("never/written")
    await store.set("k", cpu.Buffer.from_bytes(b"x"))
    from anyzarr.errors import UnsupportedOperationError

    with pytest.raises(UnsupportedOperationError, match="'k'"):
        await store.delete("k")
    await store.close()


# -- one task-group rule -------------------------------------------------------


def _group(*excs: BaseException) -> BaseExceptionGroup[BaseException]:
    return BaseExceptionGroup("failures", list(excs))


def test_plain_failure_picks_first_ordinary_error_and_notes_the_rest() -> None:
    first, second = ValueError("a"), KeyError("b")
    picked = plain_failure(_group(first, ExceptionGroup("inner", [second])))
    assert picked is first
    assert any("KeyError" in note for note in getattr(first, "__notes__", []))


def test_plain_failure_never_swallows_interrupts_or_cancellation() -> None:
    class Cancelled(BaseException):
        pass

    interrupt, cancelled = KeyboardInterrupt(), Cancelled()
    assert plain_failure(_group(ValueError("x"), interrupt)) is interrupt
    assert plain_failure(_group(cancelled, ValueError("x")), Cancelled) is cancelled
    assert plain_failure(_group(cancelled, interrupt), Cancelled) is interrupt


async def _run_failing(*excs: Exception) -> None:
    async def fail(exc: Exception) -> None:
        raise exc

    async with task_group() as tg:
        for exc in excs:
            tg.start_soon(fail, exc)


@pytest.mark.anyio
async def test_task_group_raises_plain_errors() -> None:
    with pytest.raises(KeyError):
        await _run_failing(KeyError("only"))
    with pytest.raises((ValueError, TypeError)):
        await _run_failing(ValueError("one"), TypeError("two"))


@pytest.mark.anyio
async def test_task_group_keeps_outer_cancellation() -> None:
    with anyio.move_on_after(0.05) as scope:
        async with task_group() as tg:
            tg.start_soon(anyio.sleep_forever)
            tg.start_soon(anyio.sleep_forever)
    assert scope.cancelled_caught


@pytest.mark.anyio
async def test_creating_under_read_only_store_raises_plain_error() -> None:
    store = MemoryStore(read_only=True)
    with pytest.raises(ReadOnlyError):
        await az.create_array(store, name="a/b/c", shape=(2,), dtype="i4")


# -- one limiter per event loop ---------------------------------------------------


def test_store_keeps_one_limiter_per_loop() -> None:
    store = MemoryStore(concurrency=3)
    seen: dict[str, list[Any]] = {"asyncio": [], "trio": []}

    async def grab(backend: str) -> None:
        seen[backend].append(store.limiter)
        seen[backend].append(store.limiter)

    anyio.run(grab, "asyncio", backend="asyncio")
    anyio.run(grab, "trio", backend="trio")
    for limiters in seen.values():
        assert limiters[0] is limiters[1]
        assert limiters[0].total_tokens == 3
    assert seen["asyncio"][0] is not seen["trio"][0]


def test_alternating_loops_keep_their_limiters() -> None:
    store = MemoryStore(concurrency=2)
    anyzarr.create_array(store, shape=(4,), chunks=(1,), dtype="i4")  # sync loop thread

    async def user_loop() -> tuple[Any, Any]:
        first = store.limiter
        await az.open_array(store)  # a store call from this loop
        anyzarr.open_array(store, mode="r")  # the sync thread's loop in between
        return first, store.limiter

    before, after = anyio.run(user_loop)
    assert before is after


# -- copy in slabs ------------------------------------------------------------------


def test_slab_shape_aligns_to_both_grids_and_respects_budget() -> None:
    slab = slab_shape((1000, 1000), (10, 100), (20, 50), itemsize=8, slab_bytes=800_000)
    assert slab[1] % 100 == 0 or slab[1] == 1000
    assert slab[0] % 20 == 0
    assert slab[0] * slab[1] * 8 <= 800_000
    assert slab_shape((10,), (100,), (100,), itemsize=8) == (10,)
    # A unit above the budget is still one slab.
    assert slab_shape((50, 50), (50, 50), (50, 50), itemsize=8, slab_bytes=8) == (50, 50)


def test_iter_slabs_covers_every_element_once() -> None:
    counts = np.zeros((7, 5), dtype=int)
    for sel in iter_slabs((7, 5), (3, 2)):
        counts[sel] += 1
    assert (counts == 1).all()


def test_copy_counts_and_data(tmp_path: Path) -> None:
    src = anyzarr.group(MemoryStore())
    arr = src.create_array("a", shape=(30, 17), chunks=(4, 5), dtype="f8")
    arr[:] = np.arange(30 * 17, dtype="f8").reshape(30, 17)
    dest = anyzarr.group(MemoryStore())
    counts = anyzarr.copy(arr, dest, name="b")
    assert counts == (1, 0, 30 * 17 * 8)
    copied = dest["b"]
    assert isinstance(copied, anyzarr.Array)
    np.testing.assert_array_equal(copied[...], arr[...])


# -- 0-d results ---------------------------------------------------------------------


def test_single_element_results_match_zarr_python() -> None:
    arr = anyzarr.create_array({}, shape=(4, 3), chunks=(2, 2), dtype="i4")
    arr[:] = np.arange(12).reshape(4, 3)
    vec = anyzarr.create_array({}, shape=(4,), chunks=(2,), dtype="i4")
    zero_d = anyzarr.create_array({}, shape=(), dtype="f8")
    zero_d[...] = 2.5
    # Plain ints route to orthogonal indexing in zarr-python 3.4: a 0-d array.
    for result in (arr[1, 2], vec[1], arr.oindex[1, 2], arr.get_orthogonal_selection((1, 2))):
        assert isinstance(result, np.ndarray)
        assert result.shape == ()
    assert int(arr[1, 2]) == 5
    # Basic indexing (Ellipsis, numpy integers, get_basic_selection, 0-d arrays) gives a scalar.
    for scalar in (arr[1, 2, ...], arr[np.int64(1), 2], arr.get_basic_selection((1, 2))):
        assert isinstance(scalar, np.int32)
        assert scalar == 5
    assert isinstance(zero_d[...], np.float64)
    assert isinstance(zero_d[()], np.float64)


# -- deleting a missing member ----------------------------------------------------------


def test_deleting_a_missing_member_does_nothing() -> None:
    grp = anyzarr.group(MemoryStore())
    grp.create_group("kept")
    del grp["missing"]
    del grp["kept/missing"]
    assert list(grp.keys()) == ["kept"]


def test_deleting_a_missing_member_of_a_consolidated_group_does_nothing() -> None:
    store = MemoryStore()
    anyzarr.group(store).create_group("kept")
    anyzarr.consolidate_metadata(store)
    grp = anyzarr.open_group(store, mode="a")
    del grp["missing"]
    assert list(grp.keys()) == ["kept"]


# -- FsspecStore constructors take concurrency -------------------------------------------


def test_fsspec_constructors_take_concurrency() -> None:
    pytest.importorskip("fsspec")
    import fsspec

    from anyzarr.storage import FsspecStore

    assert FsspecStore.from_url("memory://review/a", concurrency=3).concurrency == 3
    mapper = fsspec.get_mapper("memory://review/b")
    assert FsspecStore.from_mapper(mapper, concurrency=5).concurrency == 5
