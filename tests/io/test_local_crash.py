"""LocalStore writers killed with SIGKILL at random moments: every chunk is old or new,
nothing left over is ever listed, and leftovers are removed by later writers and by repair.

Bounded: six rounds of four writer processes (24 kills in all), each killed
within 0.15 s of every writer's first completed write; the processes fork
from a preloaded forkserver (``anyzarr.testing.crash``), so each costs
milliseconds.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import numpy as np
import pytest

import anyzarr as zarr
from anyzarr.io.stores import LocalStore
from anyzarr.io.stores._temp_files import _HOST, LEFTOVER_MAX_AGE, TEMP_SUFFIX
from anyzarr.protocol.buffer import cpu
from anyzarr.testing.crash import kill_writers

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

ROWS, COLS, CHUNK = 4, 16, (1, 8192)  # 64 chunks of 64 KiB in 4 directories
ROUNDS, WRITERS = 6, 4


def write_forever(ready: Any, root: str, a_path: str, b_path: str) -> None:
    """Alternate the whole array between two values until killed (runs in a writer)."""
    array = zarr.open_array(root, mode="r+")
    a, b = np.load(a_path), np.load(b_path)
    array[:] = b
    ready.set()
    while True:
        array[:] = a
        array[:] = b


def values(shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    base = np.arange(shape[0] * shape[1], dtype="i8").reshape(shape)
    return base, -base - 1


def leftovers(root: Path) -> set[str]:
    return {
        str(Path(d, f).relative_to(root))
        for d, _, files in os.walk(root)
        for f in files
        if f.endswith(TEMP_SUFFIX)
    }


def check_chunks(root: Path, a: np.ndarray, b: np.ndarray) -> None:
    array = zarr.open_array(root, mode="r")
    data = array[:]
    for i in range(0, a.shape[0], CHUNK[0]):
        for j in range(0, a.shape[1], CHUNK[1]):
            sel = np.s_[i : i + CHUNK[0], j : j + CHUNK[1]]
            chunk = data[sel]
            assert np.array_equal(chunk, a[sel]) or np.array_equal(chunk, b[sel]), (i, j)


def test_sigkilled_writers_leave_old_or_new_chunks_and_no_lasting_leftovers(
    tmp_path: Path,
) -> None:
    rng = random.Random(1234)
    root = tmp_path / "a.zarr"
    shape = (ROWS, COLS * CHUNK[1])
    a, b = values(shape)
    array = zarr.create_array(root, shape=shape, chunks=CHUNK, dtype="i8", compressors=None)
    array[:] = a
    a_path, b_path = tmp_path / "a.npy", tmp_path / "b.npy"
    np.save(a_path, a)
    np.save(b_path, b)
    # A leftover no random kill is needed for: a temp file named for a writer
    # process that has exited, so the removal is exercised on every run.
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    planted = root / "c" / "0" / f".0.{_HOST}-{gone}-1-0{TEMP_SUFFIX}"
    planted.write_bytes(b"torn")
    seen: set[str] = set()
    deadline = time.monotonic() + 120
    for _ in range(ROUNDS):
        before = leftovers(root)
        kill_writers(write_forever, (str(root), str(a_path), str(b_path)), count=WRITERS, rng=rng)
        # Each writer's first write into a directory removed what earlier,
        # dead writers had left there (every writer writes every directory).
        assert not (before & leftovers(root)), before & leftovers(root)
        seen |= leftovers(root)
        check_chunks(root, a, b)
        listed = anyio.run(lambda: _list(LocalStore(root)))
        assert not [k for k in listed if k.endswith(TEMP_SUFFIX)]
        assert time.monotonic() < deadline
    assert not planted.exists()
    remaining = leftovers(root)
    removed = anyio.run(lambda: LocalStore(root).remove_leftovers())
    assert set(removed) == remaining
    assert leftovers(root) == set()
    check_chunks(root, a, b)
    # Killed mid-write, writers do leave temp files (the planted one aside).
    assert seen | remaining


async def _list(store: LocalStore) -> list[str]:
    return [key async for key in store.list()]


@pytest.mark.anyio
async def test_remove_leftovers_keeps_live_writers_files(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    await store.set("c/0", cpu.Buffer.from_bytes(b"x"))
    live = tmp_path / "c" / f".0.{_HOST}-{os.getpid()}-1-0{TEMP_SUFFIX}"
    old_foreign = tmp_path / "c" / f".0.otherhost-1-1-0{TEMP_SUFFIX}"
    fresh_foreign = tmp_path / "c" / f".1.otherhost-1-1-0{TEMP_SUFFIX}"
    for path in (live, old_foreign, fresh_foreign):
        path.write_bytes(b"x")
    past = time.time() - LEFTOVER_MAX_AGE - 10
    os.utime(old_foreign, (past, past))
    assert await store.remove_leftovers() == [f"c/{old_foreign.name}"]
    assert live.exists()
    assert fresh_foreign.exists()
    assert [k async for k in store.list()] == ["c/0"]
