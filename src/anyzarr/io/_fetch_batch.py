"""How bytes arrive for stores with batch IO: blocking calls in the thread doing the work.

`BatchFetch` runs one batch of a read or a write to completion in the
calling thread (a worker hop in the async API, the caller or a helper in the
sync API): it fetches what the batch asks for through the store's
`BatchIO`, decodes or encodes it, and stores the result, so IO and codec
work share one thread hand-off.

Reads of whole objects come into this thread's scratch area (the batch
decodes them before the next read).  Partial shard reads look their index up
in `shard_index_cache` first.  Writes hold the objects' `KeyLocks` from the
first read to the last write, and on stores with conditional writes
read-modify-writes install their result only if the object is still the one
they read; a conflict (another process wrote it meanwhile) redoes that
object, a bounded number of times.
"""

from __future__ import annotations

import random
import time
from collections.abc import Hashable

import numpy as np
import numpy.typing as npt

from anyzarr.io._batch_io import BatchIO, Version
from anyzarr.io._chunk_cache import ChunkCache, chunk_cache
from anyzarr.io._index_cache import shard_index_cache
from anyzarr.io._key_locks import KeyLocks
from anyzarr.io._scratch import thread_scratch
from anyzarr.protocol._errors import ConcurrentWriteError
from anyzarr.protocol.array import ArrayWrite, Put, ReadBatch, WriteBatch
from anyzarr.protocol.codecs import ShardIndex

__all__ = ["MAX_WRITE_ATTEMPTS", "BatchFetch", "backoff"]

#: Attempts of a read-modify-write of one object before giving up on it.
MAX_WRITE_ATTEMPTS = 32


def backoff(attempt: int) -> float:
    """Seconds to wait before attempt ``attempt + 1`` after a write conflict (jittered)."""
    return float(min(0.001 * 2**attempt, 0.1) * (0.5 + random.random()))


class _CachedChunks:
    """`DecodedChunks` for one batch: the process's chunk cache, checked by version token."""

    def __init__(self, cache: ChunkCache, scope: Hashable, io: BatchIO) -> None:
        self._cache = cache
        self._scope = scope
        self._io = io
        self._tokens: dict[str, Hashable | None] = {}

    def _token(self, key: str) -> Hashable | None:
        # Taken once, before the bytes are read: if the object changes in
        # between, what is kept is filed under a token no read will match.
        if key not in self._tokens:
            self._tokens[key] = self._io.version(key)
        return self._tokens[key]

    def get(self, key: str, part: tuple[int, ...] | None = None) -> npt.NDArray[np.generic] | None:
        return self._cache.get(self._scope, (key, part), self._token(key))

    def put(
        self, key: str, chunk: npt.NDArray[np.generic], part: tuple[int, ...] | None = None
    ) -> None:
        self._cache.put(self._scope, (key, part), self._tokens.get(key), chunk)


class BatchFetch:
    """Runs read and write batches with a store's `BatchIO`, in the calling thread.

    ``scope`` names the store's data (`Store._lock_scope`) for the chunk
    cache; with ``cache`` set, small reads of parts of chunks go through it.
    """

    def __init__(
        self,
        io: BatchIO,
        locks: KeyLocks,
        *,
        scope: Hashable = None,
        cache: ChunkCache | None = None,
    ) -> None:
        self.io = io
        self.locks = locks
        self.scope = scope
        self.cache = cache

    def read(self, batch: ReadBatch) -> None:
        """Fetch, decode and place every unit of ``batch``."""
        io = self.io
        tokens: dict[str, Hashable | None] = {}

        def cached(key: str) -> ShardIndex | None:
            token = tokens[key] = io.version(key)
            return shard_index_cache.get(token)

        chunks = None if self.cache is None else _CachedChunks(self.cache, self.scope, io)
        requests = batch.start(None if batch.whole_only else cached, chunks)
        # Scratch views are safe for whole-object batches: one step of reads,
        # decoded and copied out before this thread reads again.
        scratch = batch.whole_only
        while requests:
            requests = batch.feed(io.read(requests, scratch=scratch))
        batch.decode(thread_scratch)
        for key, index in batch.shard_indexes():
            shard_index_cache.put(tokens.get(key), index)

    def write(self, write: ArrayWrite, batch: WriteBatch) -> None:
        """Build, encode and store every unit of ``batch``, holding their key locks."""
        with self.locks.hold(batch.keys):
            for attempt in range(MAX_WRITE_ATTEMPTS):
                conflicts = self._write_once(batch)
                if not conflicts:
                    return
                time.sleep(backoff(attempt))
                batch = write.batch(conflicts)
            raise ConcurrentWriteError(batch.keys[0], MAX_WRITE_ATTEMPTS)

    def _write_once(self, batch: WriteBatch) -> list[int]:
        """One attempt; the units whose conditional write lost to another writer."""
        io = self.io
        requests = batch.start()
        versions: dict[str, Version] = {}
        if requests and io.supports_conditional_writes:
            found = io.read_versioned([r.key for r in requests])
            batch.feed([data for data, _ in found])
            versions = {r.key: version for r, (_, version) in zip(requests, found, strict=True)}
        elif requests:
            batch.feed(io.read(requests))
        # Values may be views of this thread's scratch: all are stored below,
        # before this thread uses the scratch again.
        puts = batch.encode(thread_scratch)
        if chunk_cache.max_bytes:
            chunk_cache.invalidate(self.scope, [p.key for p in puts])
        plain = [(p.key, p.value) for p in puts if p.key not in versions]
        if plain:
            io.write(plain)
        checked: list[Put] = [p for p in puts if p.key in versions]
        if not checked:
            return []
        stored = io.write_if_unchanged([(p.key, p.value, versions[p.key]) for p in checked])
        return [p.unit for p, ok in zip(checked, stored, strict=True) if not ok]
