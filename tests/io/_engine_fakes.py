"""Small stand-ins for a store and a codec pipeline, for testing the engine alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
import numpy as np
import numpy.typing as npt

from anyzarr.protocol._byte_request import ByteRequest, slice_for


@dataclass
class FakeStore:
    """A dict of bytes that records how many requests overlap.

    ``delay`` makes every request sleep, so overlap is observable;
    ``fail_on`` makes a get of that key raise.
    """

    data: dict[str, bytes] = field(default_factory=dict)
    delay: float = 0.0
    fail_on: str | None = None
    in_flight: int = 0
    max_in_flight: int = 0
    gets: list[str] = field(default_factory=list)
    sets: list[str] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)

    async def _enter(self) -> None:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await anyio.sleep(self.delay)
        finally:
            self.in_flight -= 1

    async def get(
        self, key: str, prototype: Any = None, byte_range: ByteRequest | None = None
    ) -> bytes | None:
        self.gets.append(key)
        await self._enter()
        if key == self.fail_on:
            raise OSError(f"injected failure for {key}")
        value = self.data.get(key)
        if value is None:
            return None
        return value[slice_for(byte_range, len(value))]

    async def set(self, key: str, value: bytes) -> None:
        await self._enter()
        self.data[key] = bytes(value)  # one assignment: atomic per key
        self.sets.append(key)

    async def delete(self, key: str) -> None:
        await self._enter()
        self.data.pop(key, None)
        self.deletes.append(key)


@dataclass
class FakeStorePath:
    store: FakeStore
    path: str = "arr"


class FakeMeta:
    """Only what the engine asks metadata for: chunk keys."""

    def encode_chunk_key(self, coords: tuple[int, ...]) -> str:
        return "/".join(["c", *map(str, coords)])


@dataclass(frozen=True)
class Spec:
    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    fill_value: Any


class RawPipeline:
    """Chunks stored as raw C-order bytes; remembers how many batches it saw."""

    supports_partial_decode = False

    def __init__(self) -> None:
        self.decode_calls: list[int] = []
        self.encode_calls: list[int] = []

    def decode_batch(
        self, chunks: Sequence[Any], spec: Any, keys: Sequence[str]
    ) -> list[npt.NDArray[Any] | None]:
        self.decode_calls.append(len(chunks))
        return [
            None if c is None else np.frombuffer(c, dtype=spec.dtype).reshape(spec.shape)
            for c in chunks
        ]

    def encode_batch(self, arrays: Sequence[npt.NDArray[Any]], spec: Any) -> list[bytes]:
        self.encode_calls.append(len(arrays))
        return [np.ascontiguousarray(a, dtype=spec.dtype).tobytes() for a in arrays]

    def read_plan(self, key: str, chunk_selection: Any, spec: Any) -> Any:
        raise AssertionError("RawPipeline has no partial reads")


def store_chunks(
    store: FakeStore, data: npt.NDArray[Any], chunks: tuple[int, ...], fill: Any = 0
) -> None:
    """Put ``data`` into ``store`` chunk by chunk (edge chunks padded with ``fill``)."""
    grid = [-(-s // c) for s, c in zip(data.shape, chunks, strict=True)]
    for coords in np.ndindex(*grid):
        region = tuple(
            slice(i * c, min((i + 1) * c, s))
            for i, c, s in zip(coords, chunks, data.shape, strict=True)
        )
        chunk = np.full(chunks, fill, dtype=data.dtype)
        part = data[region]
        chunk[tuple(slice(0, n) for n in part.shape)] = part
        store.data["arr/" + FakeMeta().encode_chunk_key(coords)] = chunk.tobytes()


def load_chunks(
    store: FakeStore, shape: tuple[int, ...], chunks: tuple[int, ...], dtype: Any, fill: Any = 0
) -> npt.NDArray[Any]:
    """Reassemble the array from the chunks in ``store``; missing ones read as ``fill``."""
    out = np.full(shape, fill, dtype=dtype)
    grid = [-(-s // c) for s, c in zip(shape, chunks, strict=True)]
    for coords in np.ndindex(*grid):
        raw = store.data.get("arr/" + FakeMeta().encode_chunk_key(coords))
        if raw is None:
            continue
        chunk = np.frombuffer(raw, dtype=dtype).reshape(chunks)
        region = tuple(
            slice(i * c, min((i + 1) * c, s)) for i, c, s in zip(coords, chunks, shape, strict=True)
        )
        out[region] = chunk[tuple(slice(0, r.stop - r.start) for r in region)]
    return out
