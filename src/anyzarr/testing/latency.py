"""A store wrapper that adds latency to reads and writes (``zarr.testing.store.LatencyStore``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Self

import anyio
import numpy as np

from anyzarr.io._store import Store
from anyzarr.io._tasks import task_group
from anyzarr.io.stores._wrapper import WrapperStore
from anyzarr.protocol._byte_request import ByteRequest

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer, BufferPrototype

__all__ = ["LatencyStore"]


class LatencyStore(WrapperStore[Store]):
    """``store`` with a delay before every ``get`` and ``set``, for performance tests.

    A latency is a number of seconds, or ``(mean, standard deviation)`` to draw
    a normally distributed delay (never negative) for each call.  The delay
    is ``anyio.sleep``, so it runs under asyncio and trio.
    """

    _get_latency: float | tuple[float, float]
    _set_latency: float | tuple[float, float]

    def __init__(
        self,
        store: Store,
        *,
        get_latency: float | tuple[float, float] = 0,
        set_latency: float | tuple[float, float] = 0,
    ) -> None:
        super().__init__(store)
        self._get_latency = get_latency if isinstance(get_latency, tuple) else float(get_latency)
        self._set_latency = set_latency if isinstance(set_latency, tuple) else float(set_latency)

    @staticmethod
    def _draw(latency: float | tuple[float, float]) -> float:
        if isinstance(latency, tuple):
            return max(0.0, float(np.random.normal(loc=latency[0], scale=latency[1])))
        return latency

    @property
    def get_latency(self) -> float:
        """The delay before the next ``get`` (a fresh draw for a distribution)."""
        return self._draw(self._get_latency)

    @property
    def set_latency(self) -> float:
        """The delay before the next ``set`` (a fresh draw for a distribution)."""
        return self._draw(self._set_latency)

    def _with_store(self, store: Store) -> Self:
        # The configured latencies, not a draw: derived stores keep the distribution.
        return type(self)(store, get_latency=self._get_latency, set_latency=self._set_latency)

    async def get(
        self,
        key: str,
        prototype: BufferPrototype | None = None,
        byte_range: ByteRequest | None = None,
    ) -> Buffer | None:
        """Sleep ``get_latency`` seconds, then read from the wrapped store."""
        await anyio.sleep(self.get_latency)
        return await self._store.get(key, prototype, byte_range)

    async def set(self, key: str, value: Buffer) -> None:
        """Sleep ``set_latency`` seconds, then write to the wrapped store."""
        await anyio.sleep(self.set_latency)
        await self._store.set(key, value)

    async def get_partial_values(
        self,
        prototype: BufferPrototype | None,
        key_ranges: Iterable[tuple[str, ByteRequest | None]],
    ) -> list[Buffer | None]:
        """One delayed ``get`` per request, concurrently (not the wrapped store's batch)."""
        requests = list(key_ranges)
        results: list[Buffer | None] = [None] * len(requests)

        async def one(i: int, key: str, byte_range: ByteRequest | None) -> None:
            results[i] = await self.get(key, prototype, byte_range)

        async with task_group() as tg:
            for i, (key, byte_range) in enumerate(requests):
                tg.start_soon(one, i, key, byte_range)
        return results
