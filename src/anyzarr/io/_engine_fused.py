"""The engine's fast path for stores that can read and write without waiting.

Local files and in-process memory answer a request in microseconds, so for
them the per-chunk cost of the general path (a task, a ``store.get``, a
worker-thread hop for the read and another for the decode) is most of the
time spent.  Such stores expose *synchronous batch* methods, safe to call in
a worker thread::

    store.read_many_sync([(key, byte_range | None), ...], scratch=False)
        -> [bytes-like | None, ...]   # scratch: views valid until this thread's next call
    store.write_many_sync([(key, Buffer | None), ...])  # None deletes the key
    store.version_sync(key) -> Hashable | None           # changes when the value does

and the engine then moves whole batches of chunks through one hop each:
read, decode and copy into the output (or build, encode and store), with a
few workers (about one per core) pulling batches, so both cores decode while
memory stays bounded by a few batches in flight.

Partial shard reads drive the pipeline's sans-IO read plan inside the same
hop.  Shard indexes are cached in a small LRU keyed by ``version_sync`` (for
files: path, inode, size and mtime), so random reads of inner chunks cost one
request instead of two, and a rewritten shard is never served a stale index.
"""

from __future__ import annotations

import math
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

import anyio
import anyio.to_thread
import numpy as np
import numpy.typing as npt

from anyzarr.protocol._byte_request import ByteRequest

__all__ = [
    "DIRECT_MIN_BYTES",
    "INLINE_MAX_BYTES",
    "READ_STEP_BYTES",
    "FastStore",
    "decode_scratch",
    "differs_at_start",
    "IndexCache",
    "fast_store",
    "plan_batches",
    "run_batches",
    "run_batches_here",
    "shard_index_cache",
    "workers_for",
]

#: Decoded bytes per hop on the fast path: small enough that a few batches in
#: flight add little to a read's peak memory.
FUSED_BATCH_BYTES = 4 * 1024 * 1024
#: Reads whose chunks decode to at most this many bytes run on the event loop
#: thread: for a local file or memory, reading and decoding that much takes
#: less time than handing the work to a thread and back (two context
#: switches, more on a loaded machine).
INLINE_MAX_BYTES = 1024 * 1024
#: Chunks decoding to fewer bytes skip the direct decode: their buffers come
#: from the allocator's free lists (no page faults to save), and the header
#: checks per chunk cost more than they save (measured on 4 KiB chunks).
DIRECT_MIN_BYTES = 64 * 1024
#: Decoded bytes read per store call within a hop: reading a whole 4 MiB
#: batch and then copying it out went through memory twice; a step this size
#: is still in the core's cache when it is copied (measured: 1 MiB chunks of
#: an uncompressed read, one per step, 20% faster than four).
READ_STEP_BYTES = 1024 * 1024
#: Most chunks per hop, so that many tiny chunks still spread over the workers.
FUSED_MAX_CHUNKS = 256


class FastStore(Protocol):
    """A store whose batch IO can run synchronously in a worker thread."""

    @property
    def concurrency(self) -> int: ...
    @property
    def limiter(self) -> anyio.CapacityLimiter: ...

    def read_many_sync(
        self, requests: Sequence[tuple[str, ByteRequest | None]], *, scratch: bool = ...
    ) -> list[Any | None]: ...
    def write_many_sync(self, items: Sequence[tuple[str, Any | None]]) -> None: ...
    def version_sync(self, key: str) -> Hashable | None: ...


def _on_host(prototype: Any) -> bool:
    if prototype is None:
        return True
    from anyzarr.protocol.buffer import cpu

    return issubclass(getattr(prototype, "buffer", object), cpu.Buffer)


def fast_store(store: Any, prototype: Any) -> FastStore | None:
    """``store`` when the fast path applies to it (host memory only), else None."""
    if not _on_host(prototype):
        return None
    if all(
        callable(getattr(store, name, None))
        for name in ("read_many_sync", "write_many_sync", "version_sync")
    ):
        return store  # type: ignore[no-any-return]
    return None


def workers_for(store: FastStore, *, writing: bool = False) -> int:
    """How many batches run at once, within the store's limit.

    Reads are CPU work: about one worker per core.  Writes spend much of
    their time blocked in the file system creating and renaming files (a
    file creation costs hundreds of microseconds on a journalled file
    system, without using the CPU), so they get twice as many.
    """
    cores = os.cpu_count() or 2
    wanted = 2 * cores + 2 if writing else cores + 1
    return max(1, min(store.concurrency, wanted))


def plan_batches(n_items: int, item_bytes: int, workers: int) -> list[range]:
    """Consecutive batches: at least two per worker, each at most ``FUSED_BATCH_BYTES``."""
    if n_items <= 0:
        return []
    per = max(1, FUSED_BATCH_BYTES // max(1, item_bytes))
    per = min(per, FUSED_MAX_CHUNKS, max(1, math.ceil(n_items / (2 * workers))))
    return [range(i, min(i + per, n_items)) for i in range(0, n_items, per)]


_NO_BATCH: Any = object()


class _Drain[T]:
    """Batches shared by several threads: each ``run()`` takes the next until none is left.

    After ``stop()`` (or a failed batch) no new batch starts; batches already
    running finish.
    """

    def __init__(self, batches: Sequence[T], work: Callable[[T], None]) -> None:
        self._pending: Iterator[T] = iter(batches)
        self._work = work
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                batch = next(self._pending, _NO_BATCH)
            if batch is _NO_BATCH:
                return
            try:
                self._work(batch)
            except BaseException:
                self._stop.set()
                raise


async def run_batches[T](
    store: FastStore,
    batches: Sequence[T],
    work: Callable[[T], None],
    *,
    workers: int | None = None,
) -> None:
    """Run ``work(batch)`` for every batch in worker threads, a few at a time.

    Each worker is one ``to_thread`` hop (holding the store's limiter) that
    takes batches until none is left, so the event loop wakes once per
    worker rather than once per batch.  Cancellation stops the workers
    between batches: the ones running finish, no new one starts.
    """
    if not batches:
        return
    if len(batches) == 1:
        await anyio.to_thread.run_sync(work, batches[0], limiter=store.limiter)
        return
    drain = _Drain(batches, work)
    limiter = store.limiter

    async def worker() -> None:
        await anyio.to_thread.run_sync(drain.run, limiter=limiter)

    async def stop_when_cancelled() -> None:
        # A worker's hop cannot be interrupted; this task is, and tells the
        # threads to stop taking batches.
        try:
            await anyio.sleep_forever()
        finally:
            drain.stop()

    from anyzarr.io._engine import task_group

    async with task_group() as outer:
        outer.start_soon(stop_when_cancelled)
        async with task_group() as tg:
            for _ in range(min(workers or workers_for(store), len(batches))):
                tg.start_soon(worker)
        outer.cancel_scope.cancel()


_helpers_lock = threading.Lock()
_helpers: tuple[int, ThreadPoolExecutor] | None = None


def _helper_pool() -> ThreadPoolExecutor:
    """The process's helper threads for `run_batches_here` (a new pool after a fork)."""
    global _helpers
    with _helpers_lock:
        if _helpers is None or _helpers[0] != os.getpid():
            # As many helpers as the busiest caller wants (a write: see
            # `workers_for`), so sync calls get the parallelism of the loop path.
            cores = os.cpu_count() or 2
            pool = ThreadPoolExecutor(2 * cores + 1, thread_name_prefix="anyzarr-batch")
            _helpers = (os.getpid(), pool)
        return _helpers[1]


def run_batches_here[T](batches: Sequence[T], work: Callable[[T], None], *, workers: int) -> None:
    """Run ``work(batch)`` for every batch: in the calling thread, with helper threads.

    The synchronous API's version of `run_batches`: the calling thread takes
    batches itself and up to ``workers - 1`` helpers from a shared pool take
    the others, so a sync read costs no trip through the event loop and no
    thread hand-off per batch.  The caller's thread never waits for a helper
    that has not started (the pool may be busy with another call's work): it
    withdraws such helpers once it runs out of batches.  If a batch fails or
    the caller is interrupted (Ctrl-C), no new batch starts; the batches
    already running finish before this returns or raises.
    """
    if not batches:
        return
    drain = _Drain(batches, work)
    helpers: list[Future[None]] = []
    if workers > 1 and len(batches) > 1:
        pool = _helper_pool()
        helpers = [pool.submit(drain.run) for _ in range(min(workers, len(batches)) - 1)]
    try:
        drain.run()
    except BaseException:
        drain.stop()
        raise
    finally:
        # Wait for running batches even when the caller failed: nothing may
        # still write into the output once this call is over.
        started = [f for f in helpers if not f.cancel()]
        errors = [exc for f in started if (exc := f.exception()) is not None]
    if errors:
        raise errors[0]


class IndexCache:
    """A thread-safe LRU of shard indexes keyed by a store's version token."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: Hashable | None) -> Any:
        if token is None:
            return None
        with self._lock:
            index = self._entries.get(token)
            if index is not None:
                self._entries.move_to_end(token)
            return index

    def put(self, token: Hashable | None, index: Any) -> None:
        if token is None or index is None:
            return
        with self._lock:
            self._entries[token] = index
            self._entries.move_to_end(token)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


#: The process-wide shard index cache of the fast path.
shard_index_cache = IndexCache()


def differs_at_start(chunk: npt.NDArray[Any], fill_value: Any) -> bool:
    """True when the first element already shows ``chunk`` is not all fill value.

    Written chunks almost never hold only the fill value, and the full check
    compares every element (with NaN handling): looking at one element first
    skips it for nearly every chunk.  False means "unknown", not "all fill".
    """
    if chunk.dtype.kind not in "biuf" or chunk.size == 0:
        return False
    try:
        first = chunk[(0,) * chunk.ndim]
        if first != first:  # NaN: equal to a NaN fill value, so no answer here
            return False
        return bool(first != (0 if fill_value is None else fill_value))
    except (TypeError, ValueError, OverflowError):
        return False


_scratch = threading.local()
#: Decode scratch larger than this is not kept between batches.
_SCRATCH_KEEP = 32 * 1024 * 1024


def decode_scratch(nbytes: int) -> npt.NDArray[np.uint8]:
    """This thread's reusable byte buffer of at least ``nbytes``.

    Decompressing into memory that is already mapped saves the page faults
    (and zeroing) of a fresh buffer per chunk.  The contents are only valid
    until this thread's next call.
    """
    area: npt.NDArray[np.uint8] | None = getattr(_scratch, "area", None)
    if area is None or area.nbytes < nbytes:
        area = np.empty(nbytes, dtype=np.uint8)
        if nbytes <= _SCRATCH_KEEP:
            _scratch.area = area
    return area[:nbytes]
