from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import anyio
import numpy as np
import pytest

from anyzarr.errors import ReadOnlyError, UnsafeKeyError
from anyzarr.io.stores import LocalStore, _local
from anyzarr.protocol.buffer import Buffer, cpu
from anyzarr.testing.store import StoreTests


class TestLocalStore(StoreTests[LocalStore]):
    store_cls = LocalStore

    @pytest.fixture
    def store_kwargs(self, tmp_path: Path) -> dict[str, Any]:
        return {"root": tmp_path / "store"}

    async def get(self, store: LocalStore, key: str) -> Buffer | None:
        path = store.root / key
        return cpu.Buffer.from_bytes(path.read_bytes()) if path.is_file() else None

    async def set(self, store: LocalStore, key: str, value: Buffer) -> None:
        path = store.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(value.to_bytes())


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@pytest.mark.anyio
@pytest.mark.parametrize(
    "key", ["../escape", "a/../../escape", "/etc/passwd", "a\\b", "a//b", "", "a/./b", "a/"]
)
async def test_unsafe_keys_are_refused(tmp_path: Path, key: str) -> None:
    store = LocalStore(tmp_path / "root")
    with pytest.raises(UnsafeKeyError) as info:
        await store.set(key, cpu.Buffer.from_bytes(b"x"))
    assert repr(key) in str(info.value)
    with pytest.raises(UnsafeKeyError):
        await store.get(key)
    with pytest.raises(UnsafeKeyError):
        await store.delete(key)
    assert not (tmp_path / "escape").exists()


@pytest.mark.anyio
async def test_unsafe_prefixes_are_refused(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "root")
    with pytest.raises(UnsafeKeyError):
        await store.delete_dir("../")
    with pytest.raises(UnsafeKeyError):
        [k async for k in store.list_dir("../x")]


@pytest.mark.anyio
async def test_writes_leave_no_temp_files(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    for i in range(5):
        await store.set("a/b", cpu.Buffer.from_bytes(b"x" * i))
    await store.set_if_not_exists("a/b", cpu.Buffer.from_bytes(b"ignored"))
    await store.set_if_not_exists("a/c", cpu.Buffer.from_bytes(b"new"))
    assert _files(tmp_path) == ["a/b", "a/c"]
    assert (tmp_path / "a/b").read_bytes() == b"xxxx"


@pytest.mark.anyio
async def test_cancelled_slow_write_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = _local._write_temp

    def slow(path: Path, data: memoryview) -> str:
        import time

        time.sleep(0.2)
        return real(path, data)

    monkeypatch.setattr(_local, "_write_temp", slow)
    store = LocalStore(tmp_path)
    await store.set("k", cpu.Buffer.from_bytes(b"old"))
    with anyio.move_on_after(0.01) as scope:
        await store.set("k", cpu.Buffer.from_bytes(b"new"))
    assert scope.cancelled_caught or scope.cancel_called
    assert (tmp_path / "k").read_bytes() in (b"old", b"new")
    assert _files(tmp_path) == ["k"]


@pytest.mark.anyio
async def test_failed_write_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(src: str, dst: object) -> None:
        raise OSError("disk on fire")

    store = LocalStore(tmp_path)
    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk on fire"):
        await store.set("a/k", cpu.Buffer.from_bytes(b"data"))
    assert _files(tmp_path) == []


@pytest.mark.anyio
async def test_move(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "src")
    await store.set("a/b", cpu.Buffer.from_bytes(b"1"))
    await store.move(tmp_path / "dst")
    assert store.root == tmp_path / "dst"
    assert not (tmp_path / "src").exists()
    value = await store.get("a/b")
    assert value is not None
    assert value.to_bytes() == b"1"
    other = LocalStore(tmp_path / "other")
    await other.set("x", cpu.Buffer.from_bytes(b"1"))
    with pytest.raises(FileExistsError):
        await store.move(tmp_path / "other")


@pytest.mark.anyio
async def test_open_modes(tmp_path: Path) -> None:
    reader = await LocalStore.open(tmp_path / "r", mode="r")
    assert reader.read_only
    assert not (tmp_path / "r").exists()
    writer = await LocalStore.open(tmp_path / "w", mode="w")
    assert (tmp_path / "w").is_dir()
    with pytest.raises(ReadOnlyError):
        await writer.with_read_only(True).set("k", cpu.Buffer.from_bytes(b""))


@pytest.mark.anyio
async def test_batched_partial_reads(tmp_path: Path) -> None:
    store = LocalStore(tmp_path, concurrency=2)
    for i in range(70):
        await store.set(f"c/{i}", cpu.Buffer.from_bytes(bytes([i]) * 4))
    got = await store.get_partial_values(
        None, [(f"c/{i}", None) for i in range(70)] + [("no", None)]
    )
    assert [g.to_bytes() if g else None for g in got] == [bytes([i]) * 4 for i in range(70)] + [
        None
    ]


def test_root_type_checked_and_pickles(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="root"):
        LocalStore(3)  # type: ignore[arg-type]
    store = LocalStore(str(tmp_path))
    assert pickle.loads(pickle.dumps(store)) == store
    assert str(store) == f"file://{tmp_path.as_posix()}"


@pytest.mark.anyio
async def test_large_value_roundtrip(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    data = np.random.default_rng(0).integers(0, 255, 3_000_000, dtype="B")
    await store.set("big", cpu.Buffer.from_array_like(data))
    value = await store.get("big")
    assert value is not None
    np.testing.assert_array_equal(value.as_numpy_array(), data)


def test_hinted_whole_reads_skip_the_size_query_and_still_read_large_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from anyzarr.io.stores import _local

    small, exact, large = tmp_path / "small", tmp_path / "exact", tmp_path / "large"
    small.write_bytes(b"a" * 100)
    exact.write_bytes(b"b" * 200)
    large.write_bytes(bytes(range(256)) * 40)  # 10240 bytes, over its hint
    sizes_asked: list[int] = []
    real_fstat = os.fstat

    def counting_fstat(fd: int) -> os.stat_result:
        sizes_asked.append(fd)
        return real_fstat(fd)

    monkeypatch.setattr(_local.os, "fstat", counting_fstat)
    paths = [str(small), str(tmp_path / "missing"), str(exact), str(large)]
    found = _local._read_whole_into_scratch(paths, [1000, 1000, 200, 1000])
    assert [None if f is None else bytes(f) for f in found] == [
        b"a" * 100,
        None,
        b"b" * 200,
        bytes(range(256)) * 40,
    ]
    assert len(sizes_asked) == 1  # only for the file larger than its hint
    # Without hints (and for hints too large for one read) every file's size is asked.
    sizes_asked.clear()
    found = _local._read_whole_into_scratch([str(small), str(large)], [None, 1 << 20])
    assert [bytes(f) for f in found if f is not None] == [b"a" * 100, bytes(range(256)) * 40]
    assert len(sizes_asked) == 2
