"""The engine: drives `ArrayRead` and `ArrayWrite` plans against a store.

Every read and every write, sync or async, local or remote, is one protocol
plan (``anyzarr.protocol.array``) fed by one of two ways of fetching bytes,
on one of two ways of running work:

==============  ============================  ===================================
                async API                     sync API
==============  ============================  ===================================
batch IO        `BatchFetch` in worker hops   `BatchFetch` in the calling thread
                (`run_hops`; small reads       and helper threads (`run_here`)
                `run_inline`)
async ``get``   `StoreFetch`: a task per      through the event loop, as in the
                request, decode in hops       async API
==============  ============================  ===================================

A store offers batch IO explicitly (`Store.batch_io`); decoded data must be
host memory for it.  The plan owns every Zarr decision (which objects, which
bytes, decode and place with every shortcut, fill values, read-modify-write),
so all four combinations behave the same and differ only in speed.
"""

from __future__ import annotations

import functools
import os

from anyzarr.io._batch_io import BatchIO
from anyzarr.io._chunk_cache import ChunkCache, chunk_cache
from anyzarr.io._config import config
from anyzarr.io._drain import Job
from anyzarr.io._fetch_batch import BatchFetch
from anyzarr.io._fetch_store import StoreFetch
from anyzarr.io._heap import settle_heap
from anyzarr.io._run_here import run_here
from anyzarr.io._run_hops import run_hops, run_inline
from anyzarr.io._store import Store
from anyzarr.protocol.array import ArrayRead, ArrayWrite, StoredArray
from anyzarr.protocol.codecs import BloscCodec, BytesCodec, CodecChain, ZstdCodec

__all__ = [
    "INLINE_MAX_BYTES",
    "batch_io_for",
    "helper_threads",
    "read",
    "read_here",
    "read_workers",
    "workers_for",
    "write",
    "write_here",
]

#: Reads decoding at most this many bytes from a store with batch IO run on
#: the event loop's thread: reading and decoding that much from a local file
#: or memory takes less time than handing the work to a thread and back
#: (two context switches, more on a loaded machine).
INLINE_MAX_BYTES = 1024 * 1024
#: Decoded bytes per batch read with batch IO: a batch's bytes are still in
#: the core's cache when they are decoded and copied out (measured: 1 MiB
#: chunks of an uncompressed read, one per batch, 20% faster than four).
BATCH_READ_BYTES = 1024 * 1024
#: Decoded bytes per batch written with batch IO: small enough that a few
#: batches in flight add little to a write's peak memory.
BATCH_WRITE_BYTES = 4 * 1024 * 1024
#: Decoded bytes per batch read through the async API: remote objects
#: arrive one by one, so small batches decode while later requests are in
#: flight and keep few fetched and decoded objects alive.
REMOTE_READ_BYTES = 512 * 1024
#: Decoded bytes per batch written through the async API.
REMOTE_WRITE_BYTES = 8 * 1024 * 1024
#: Most objects per batch, so that many tiny chunks still spread over workers.
MAX_BATCH_UNITS = 256
#: Reads of at most this many objects use the decoded-chunk cache.
CACHE_MAX_UNITS = 64


def batch_io_for(store: Store, array: StoredArray) -> BatchIO | None:
    """The store's batch IO when it applies to this operation (host memory only)."""
    return store.batch_io() if array.on_host else None


def configured_max_workers() -> int | None:
    """The ``threading.max_workers`` setting (None: no limit beyond the defaults)."""
    value = config.get("threading.max_workers", None)
    try:
        return None if value is None else max(1, int(value))
    except (TypeError, ValueError):
        return None


def workers_for(io: BatchIO, *, writing: bool = False, max_workers: int | None = None) -> int:
    """How many batches run at once, within the store's concurrency and ``max_workers``.

    ``max_workers`` defaults to the ``threading.max_workers`` setting.

    Reads are CPU work: about one worker per core.  Writes spend much of
    their time blocked in the file system creating and renaming files (a
    file creation costs hundreds of microseconds on a journalled file
    system, without using the CPU), so they get twice as many.
    """
    cores = os.cpu_count() or 2
    wanted = 2 * cores + 2 if writing else cores + 1
    if max_workers is None:
        max_workers = configured_max_workers()
    if max_workers is not None:
        wanted = min(wanted, max_workers)
    return max(1, min(io.concurrency, wanted))


#: Reads of stored objects that decode to fewer bytes than this run on one
#: thread, by the compressor of the chain: below it, the Python work per
#: object (which holds the GIL) outweighs the decoding that threads could
#: share, and every thread added makes the read slower (measured on 2
#: cores, 16 MiB float32 read whole: 4 KiB zstd chunks 110 ms on one
#: thread, 140 ms on three; blosc-lz4 and uncompressed chunks up to
#: 256 KiB are fastest on one thread, 1 MiB ones on three).  blosc decodes
#: on its own threads when called from the main thread, so it is "fast".
_SERIAL_BELOW: dict[str, int] = {"none": 512 * 1024, "blosc": 512 * 1024, "zstd": 8 * 1024}
#: The same for any other compressor (gzip and the other slow ones).
_SERIAL_BELOW_OTHER = 2 * 1024
#: Up to this many decoded bytes per object, a read uses one thread per core
#: rather than one more: the extra thread only adds GIL hand-offs (zstd
#: chunks of 8 to 256 KiB).
_CORES_BELOW = 512 * 1024


def _compressor_name(array: StoredArray) -> str:
    chain = array.pipeline.chain
    if isinstance(chain, CodecChain):
        if chain.array_array or type(chain.array_bytes) is not BytesCodec:
            return "other"
        if not chain.bytes_bytes:
            return "none"
        if len(chain.bytes_bytes) > 1:
            return "other"
        codec = chain.bytes_bytes[0]
        return codec.codec_name if isinstance(codec, BloscCodec | ZstdCodec) else "other"
    if chain.filters:
        return "other"
    if chain.compressor is None:
        return "none"
    name = chain.compressor.codec_id
    return name if name in ("blosc", "zstd") else "other"


def read_workers(read: ArrayRead, io: BatchIO, *, max_workers: int | None = None) -> int:
    """How many batches of ``read`` run at once: `workers_for`, fewer for small objects.

    Sharded reads keep `workers_for`'s count: each object is a whole shard.
    """
    workers = workers_for(io, max_workers=max_workers)
    array = read.array
    if workers == 1 or array.pipeline.sharding_codec is not None:
        return workers
    nbytes = array.chunk_nbytes
    name = _compressor_name(array)
    if nbytes < _SERIAL_BELOW.get(name, _SERIAL_BELOW_OTHER):
        return 1
    if nbytes < _CORES_BELOW:
        return min(workers, os.cpu_count() or 2)
    return workers


def helper_threads(max_workers: int | None = None) -> int:
    """Size of the sync API's helper pool: as many as the busiest call wants (a write)."""
    if max_workers is None:
        max_workers = configured_max_workers()
    cores = os.cpu_count() or 2
    return max(1, max_workers if max_workers is not None else 2 * cores + 1)


def chunk_cache_for(read: ArrayRead, use_cache: bool) -> ChunkCache | None:
    """The process's decoded-chunk cache when ``read`` should use it.

    Only small reads (at most `CACHE_MAX_UNITS` objects) of stores with
    version tokens use it: those are the reads that come back to the same
    chunk, and a large read would only push everything else out.  Its size
    follows the ``chunk_cache.max_bytes`` setting (0: off).
    """
    if not use_cache or read.nunits > CACHE_MAX_UNITS:
        return None
    try:
        size = max(0, int(config.get("chunk_cache.max_bytes", 0)))
    except (TypeError, ValueError):
        size = 0
    if size != chunk_cache.max_bytes:
        chunk_cache.resize(size)
    return chunk_cache if size else None


def _read_jobs(
    read: ArrayRead, io: BatchIO, store: Store, workers: int, use_cache: bool = True
) -> list[Job]:
    fetch = BatchFetch(
        io,
        store._write_locks,
        scope=store._lock_scope(),
        cache=chunk_cache_for(read, use_cache),
    )
    batches = read.batches(
        max_bytes=BATCH_READ_BYTES,
        max_units=MAX_BATCH_UNITS,
        min_batches=2 * workers,
        apart=workers > 1,
    )
    return [functools.partial(fetch.read, b) for b in batches]


def _write_jobs(write: ArrayWrite, io: BatchIO, store: Store, workers: int) -> list[Job]:
    fetch = BatchFetch(io, store._write_locks, scope=store._lock_scope())
    batches = write.batches(
        max_bytes=BATCH_WRITE_BYTES, max_units=MAX_BATCH_UNITS, min_batches=2 * workers
    )
    return [functools.partial(fetch.write, write, b) for b in batches]


async def read(
    read: ArrayRead,
    store: Store,
    *,
    batch_bytes: int | None = None,
    max_workers: int | None = None,
    use_cache: bool = True,
) -> None:
    """Fetch, decode and place every object of ``read`` (then call ``read.result()``).

    ``use_cache`` lets small reads use the decoded-chunk cache (`chunk_cache_for`).
    """
    if read.nunits == 0:
        return
    settle_heap()
    io = batch_io_for(store, read.array)
    if io is None:
        batches = read.batches(
            max_bytes=batch_bytes or REMOTE_READ_BYTES, max_units=2 * MAX_BATCH_UNITS, min_batches=2
        )
        await StoreFetch(store, read.array.spec.prototype).read(read, batches)
        return
    workers = read_workers(read, io, max_workers=max_workers)
    if read.decoded_nbytes_at_most(INLINE_MAX_BYTES):
        await run_inline(_read_jobs(read, io, store, 1, use_cache))
    else:
        await run_hops(_read_jobs(read, io, store, workers, use_cache), workers=workers)


def read_here(
    read: ArrayRead, store: Store, *, max_workers: int | None = None, use_cache: bool = True
) -> bool:
    """``read`` in this thread (and helpers) when the store has batch IO; else False, untouched.

    For the sync API, off the event loop's thread: a read whose decoded size
    is above `INLINE_MAX_BYTES` shares its batches with helper threads.
    """
    io = batch_io_for(store, read.array)
    if io is None:
        return False
    if read.nunits == 0:
        return True
    settle_heap()
    if read.decoded_nbytes_at_most(INLINE_MAX_BYTES):
        run_here(_read_jobs(read, io, store, 1, use_cache), workers=1, helpers=1)
        return True
    workers = read_workers(read, io, max_workers=max_workers)
    run_here(
        _read_jobs(read, io, store, workers, use_cache),
        workers=workers,
        helpers=helper_threads(max_workers),
    )
    return True


async def write(
    write: ArrayWrite,
    store: Store,
    *,
    batch_bytes: int | None = None,
    max_workers: int | None = None,
) -> None:
    """Build, encode and store every object of ``write``.

    Each object is stored (or deleted) by exactly one store call, so an
    interrupted write leaves every object old or new when the store's writes
    are atomic per key (every anyzarr store's are).  Read-modify-writes of
    one object by concurrent writers are serialised (see `KeyLocks`).
    """
    if write.nunits == 0:
        return
    settle_heap()
    io = batch_io_for(store, write.array)
    if io is None:
        batches = write.batches(
            max_bytes=batch_bytes or REMOTE_WRITE_BYTES,
            max_units=2 * MAX_BATCH_UNITS,
            min_batches=2,
        )
        await StoreFetch(store, write.array.spec.prototype).write(write, batches)
        return
    workers = workers_for(io, writing=True, max_workers=max_workers)
    await run_hops(_write_jobs(write, io, store, workers), workers=workers)


def write_here(write: ArrayWrite, store: Store, *, max_workers: int | None = None) -> bool:
    """``write`` in this thread (and helpers) when the store has batch IO; else False, untouched."""
    io = batch_io_for(store, write.array)
    if io is None:
        return False
    if write.nunits == 0:
        return True
    settle_heap()
    workers = workers_for(io, writing=True, max_workers=max_workers)
    run_here(
        _write_jobs(write, io, store, workers), workers=workers, helpers=helper_threads(max_workers)
    )
    return True
