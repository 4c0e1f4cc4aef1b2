"""A memory store that redefines ``get``/``set``/``delete``: the engine must drive it
through them (no batch IO), so it observes every request."""

from __future__ import annotations

import threading

import anyio

from anyzarr.io._store import resolve_prototype
from anyzarr.io.stores._memory import MemoryStore
from anyzarr.protocol._byte_request import ByteRequest
from anyzarr.protocol.buffer import Buffer, BufferPrototype


class ProbeStore(MemoryStore):
    """Counts calls and overlap; ``delay`` makes every call sleep, ``fail_on`` makes a get fail."""

    def __init__(
        self, *, delay: float = 0.0, fail_on: str | None = None, concurrency: int | None = None
    ) -> None:
        super().__init__(concurrency=concurrency)
        self.delay = delay
        self.fail_on = fail_on
        self.in_flight = 0
        self.max_in_flight = 0
        self.gets: list[str] = []
        self.sets: list[str] = []
        self.deletes: list[str] = []
        self._count = threading.Lock()

    async def _enter(self) -> None:
        with self._count:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await anyio.sleep(self.delay)
        finally:
            with self._count:
                self.in_flight -= 1

    async def get(
        self,
        key: str,
        prototype: BufferPrototype | None = None,
        byte_range: ByteRequest | None = None,
    ) -> Buffer | None:
        self.gets.append(key)
        await self._enter()
        if key == self.fail_on:
            raise OSError(f"injected failure for {key}")
        return await super().get(key, resolve_prototype(prototype), byte_range)

    async def set(self, key: str, value: Buffer, byte_range: tuple[int, int] | None = None) -> None:
        await self._enter()
        await super().set(key, value, byte_range)
        self.sets.append(key)

    async def delete(self, key: str) -> None:
        await self._enter()
        await super().delete(key)
        self.deletes.append(key)
