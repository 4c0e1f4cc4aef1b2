"""Corrupt and hostile chunk files read through the array API, on every fast path.

The fused LocalStore path reads chunk files into a reused per-thread buffer
and decompresses small chunks with numcodecs' module functions directly, so
these cases go through code the protocol-level tests do not reach.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import anyio
import numpy as np
import pytest

import anyzarr as zarr
from anyzarr.codecs import BloscCodec, GzipCodec, ZstdCodec
from anyzarr.errors import ChunkDecodeError
from anyzarr.protocol.buffer import cpu
from anyzarr.testing.bombs import blosc_bomb, gzip_bomb, zstd_bomb

COMPRESSORS: dict[str, Any] = {
    "blosc": lambda: BloscCodec(cname="lz4"),
    "zstd": lambda: ZstdCodec(level=1),
    "gzip": lambda: GzipCodec(level=1),
}


def pair(root: Path, name: str, n: int = 256) -> tuple[Any, Any, Path]:
    group = zarr.open_group(zarr.storage.LocalStore(root), mode="w")
    codec = COMPRESSORS[name]
    secret = group.create_array(
        "secret", shape=(n,), chunks=(n,), dtype="i4", compressors=[codec()]
    )
    public = group.create_array(
        "public", shape=(n,), chunks=(n,), dtype="i4", compressors=[codec()]
    )
    secret[:] = np.arange(n) + 1000
    public[:] = np.arange(n)
    return secret, public, root / "public" / "c" / "0"


@pytest.mark.parametrize("name", list(COMPRESSORS))
@pytest.mark.parametrize("n", [256, 65536], ids=["small", "large"])
def test_short_chunk_never_shows_another_arrays_data(tmp_path: Path, name: str, n: int) -> None:
    secret, public, path = pair(tmp_path, name, n)
    blob = path.read_bytes()
    for length in (0, 1, len(blob) - 1):
        path.write_bytes(blob[:length])
        secret[:]  # leaves secret's bytes in this thread's read buffer
        with pytest.raises(ChunkDecodeError, match="public/c/0"):
            public[:]


BOMBS = {
    "gzip": lambda: gzip_bomb(256 << 20),
    "zstd": lambda: zstd_bomb(1 << 30),
    "blosc": lambda: blosc_bomb(32 << 20),
}


@pytest.mark.parametrize("name", list(BOMBS))
@pytest.mark.parametrize("n", [256, 65536], ids=["small", "large"])
def test_bomb_chunk_stops_at_the_chunk_size(tmp_path: Path, name: str, n: int) -> None:
    _, public, path = pair(tmp_path, name, n)
    path.write_bytes(BOMBS[name]())
    secret = zarr.open_array(zarr.storage.LocalStore(tmp_path), path="secret")
    secret[:]  # warm everything up outside the measurement
    tracemalloc.start()
    try:
        with pytest.raises(ChunkDecodeError, match="public/c/0"):
            public[:]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


def test_zstd_frame_with_stated_huge_size_on_small_chunks(tmp_path: Path) -> None:
    _, public, path = pair(tmp_path, "zstd")
    path.write_bytes(zstd_bomb(1 << 30, content_size=True))
    with pytest.raises(ChunkDecodeError, match="public/c/0"):
        public[:]


@pytest.mark.parametrize("store_kind", ["memory", "zip"])
def test_short_chunk_on_other_stores(tmp_path: Path, store_kind: str) -> None:
    source = zarr.storage.MemoryStore()
    zarr.create_array(source, shape=(256,), chunks=(256,), dtype="i4")[:] = np.arange(256)
    items = {k: v.to_bytes() for k, v in source._store_dict.items()}
    items["c/0"] = items["c/0"][:1]
    store: Any = (
        zarr.storage.MemoryStore()
        if store_kind == "memory"
        else zarr.storage.ZipStore(tmp_path / "a.zip", mode="w")
    )

    async def fill() -> None:
        for key, value in items.items():
            await store.set(key, cpu.Buffer.from_bytes(value))

    anyio.run(fill)
    with pytest.raises(ChunkDecodeError, match="c/0"):
        zarr.open_array(store)[:]
