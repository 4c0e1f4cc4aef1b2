"""How bytes arrive for every other store: its async API, one task per request.

`StoreFetch` runs reads and writes against any `Store` (remote stores,
wrappers, subclasses that redefine ``get``/``set``).  Every request is a task
in the call's task group; the store's own capacity limiter bounds how many
are really in flight.  When a batch has all its responses, the task that
completed it takes the batch to a worker thread to decode (or encode): codec
work runs on both cores while later requests are still in flight, and the
event loop never runs codec code.

Writes hold the objects' `KeyLocks` (waiting without blocking the loop)
from the first read to the last write; on stores with conditional writes a
read-modify-write installs its result only if the object is still the one it
read, and redoes the object when another writer got there first.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import anyio

from anyzarr.io._batch_io import Version
from anyzarr.io._chunk_cache import chunk_cache
from anyzarr.io._fetch_batch import MAX_WRITE_ATTEMPTS, backoff
from anyzarr.io._run_hops import hop
from anyzarr.io._scratch import thread_scratch
from anyzarr.io._store import Store
from anyzarr.io._tasks import task_group
from anyzarr.protocol._errors import ConcurrentWriteError
from anyzarr.protocol.array import ArrayRead, ArrayWrite, Put, ReadBatch, WriteBatch
from anyzarr.protocol.buffer import Buffer, BufferPrototype
from anyzarr.protocol.codecs import GetRequest

__all__ = ["StoreFetch"]


class StoreFetch:
    """Runs array reads and writes through a store's async methods."""

    def __init__(self, store: Store, prototype: BufferPrototype) -> None:
        self.store = store
        self.prototype = prototype

    async def _get_all(self, requests: Sequence[GetRequest]) -> list[Buffer | None]:
        """Every request of one step, concurrently, results in request order."""
        store, prototype = self.store, self.prototype
        results: list[Buffer | None] = [None] * len(requests)

        async def one(i: int) -> None:
            req = requests[i]
            results[i] = await store.get(req.key, prototype=prototype, byte_range=req.byte_range)

        if len(requests) == 1:
            await one(0)
            return results
        async with task_group() as tg:
            for i in range(len(requests)):
                tg.start_soon(one, i)
        return results

    # -- reads -----------------------------------------------------------------

    async def read(self, read: ArrayRead, batches: Sequence[ReadBatch]) -> None:
        """Fetch, decode and place every batch of ``read``."""
        async with task_group() as tg:
            for batch in batches:
                tg.start_soon(self._read_batch, batch)

    async def _read_batch(self, batch: ReadBatch) -> None:
        requests = batch.start()
        while requests:
            requests = batch.feed(await self._get_all(requests))
        await hop(functools.partial(batch.decode, thread_scratch))

    # -- writes ----------------------------------------------------------------

    async def write(self, write: ArrayWrite, batches: Sequence[WriteBatch]) -> None:
        """Build, encode and store every batch of ``write``."""
        async with task_group() as tg:
            for batch in batches:
                tg.start_soon(self._write_batch, write, batch)

    async def _write_batch(self, write: ArrayWrite, batch: WriteBatch) -> None:
        async with self.store._write_locks.hold_async(batch.keys):
            for attempt in range(MAX_WRITE_ATTEMPTS):
                conflicts = await self._write_once(batch)
                if not conflicts:
                    return
                await anyio.sleep(backoff(attempt))
                batch = write.batch(conflicts)
            raise ConcurrentWriteError(batch.keys[0], MAX_WRITE_ATTEMPTS)

    async def _write_once(self, batch: WriteBatch) -> list[int]:
        """One attempt; the units whose conditional write lost to another writer."""
        store = self.store
        requests = batch.start()
        versions: dict[str, Version] = {}
        if requests and store.supports_conditional_writes:
            found: list[tuple[Buffer | None, Version]] = [(None, None)] * len(requests)

            async def get_one(i: int) -> None:
                found[i] = await store.get_versioned(requests[i].key, self.prototype)

            async with task_group() as tg:
                for i in range(len(requests)):
                    tg.start_soon(get_one, i)
            batch.feed([data for data, _ in found])
            versions = {r.key: v for r, (_, v) in zip(requests, found, strict=True)}
        elif requests:
            batch.feed(await self._get_all(requests))
        puts = await hop(batch.encode)
        if chunk_cache.max_bytes:
            chunk_cache.invalidate(store._lock_scope(), [p.key for p in puts])
        conflicts: list[int] = []

        async def put(p: Put) -> None:
            if p.key in versions:
                if not await store.set_if_unchanged(p.key, p.value, versions[p.key]):
                    conflicts.append(p.unit)
            elif p.value is None:
                await store.delete(p.key)
            else:
                await store.set(p.key, p.value)

        async with task_group() as tg:
            for p in puts:
                tg.start_soon(put, p)
        return conflicts
