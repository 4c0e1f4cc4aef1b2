"""Dispatch and ranged-read logic shared by the obstore, fsspec and HTTP drivers.

Two things every remote driver does the same way live here so a fix lands
once:

- :func:`dispatch` runs one backend call either as an asyncio-native
  coroutine or as a blocking call in a worker thread, under the store's
  capacity limiter.  A write may ask to be shielded: only the call that holds
  a limiter slot is shielded, so a cancelled caller still finishes the put
  already on the wire (no half-written object) while puts still queued for a
  slot are cancelled before they start.
- :func:`ranged_get` is the ``get`` body of a driver whose backend refuses
  ranges that start past the end of an object: it answers empty ranges
  without a transfer and, when a ranged fetch is refused, clips the range
  against the object's real size the way slicing would.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import anyio
import anyio.lowlevel
import anyio.to_thread

from anyzarr.io.stores._retry import RemoteStoreError
from anyzarr.protocol._byte_request import (
    ByteRequest,
    RangeByteRequest,
    SuffixByteRequest,
    slice_for,
)

if TYPE_CHECKING:
    from anyzarr.io._store import Store
    from anyzarr.protocol.buffer import Buffer

__all__ = ["clamp_range", "dispatch", "names_no_bytes", "ranged_get", "read_nothing"]


async def dispatch[T](
    limiter: anyio.CapacityLimiter,
    native: Callable[[], Awaitable[T]] | None,
    blocking: Callable[[], T],
    *,
    shield: bool = False,
) -> T:
    """``await native()`` when given, else ``blocking()`` in a worker thread.

    Either way the call holds one slot of ``limiter``.  Waiting for the slot
    is always cancellable.  With ``shield`` the native call, once it holds
    its slot, runs to its end even if the caller is cancelled meanwhile (the
    cancellation is delivered afterwards); a worker thread is always waited
    for, which has the same effect.
    """
    if native is None:
        return await anyio.to_thread.run_sync(blocking, limiter=limiter)
    async with limiter:
        with anyio.CancelScope(shield=shield):
            result = await native()
        # A shielded call swallowed the caller's cancellation; deliver it now
        # rather than let the caller go on as if nothing happened.
        await anyio.lowlevel.checkpoint_if_cancelled()
        return result


def names_no_bytes(byte_range: ByteRequest | None) -> bool:
    """Whether ``byte_range`` selects nothing whatever the object's size."""
    if isinstance(byte_range, RangeByteRequest):
        return byte_range.end <= byte_range.start
    if isinstance(byte_range, SuffixByteRequest):
        return byte_range.suffix <= 0
    return False


async def read_nothing(store: Store, key: str, buffer_cls: type[Buffer]) -> Buffer | None:
    """The read of an empty range: an empty buffer if ``key`` exists, else ``None``."""
    return buffer_cls.create_zero_length() if await store.exists(key) else None


def clamp_range(byte_range: ByteRequest, size: int) -> RangeByteRequest | None:
    """``byte_range`` clipped to an object of ``size`` bytes; ``None`` when empty."""
    span = slice_for(byte_range, size)
    start, stop = max(span.start, 0), min(span.stop, size)
    return RangeByteRequest(start, stop) if stop > start else None


async def ranged_get(
    store: Store,
    key: str,
    byte_range: ByteRequest | None,
    buffer_cls: type[Buffer],
    *,
    fetch: Callable[[ByteRequest | None], Awaitable[bytes | bytearray | memoryview | None]],
    size: Callable[[], Awaitable[int | None]],
) -> Buffer | None:
    """A driver's ``get``: ``fetch(range)`` with slicing semantics for odd ranges.

    ``fetch`` returns the bytes, ``None`` for a missing key, or raises
    :class:`RemoteStoreError`; ``size`` returns the object's size or ``None``
    when it is missing.  A refused ranged fetch is retried once with the
    range clipped to the real size (backends refuse ranges past the end,
    which slicing makes empty); a refused whole-object fetch is raised.
    """
    if names_no_bytes(byte_range):
        return await read_nothing(store, key, buffer_cls)
    try:
        data = await fetch(byte_range)
    except RemoteStoreError:
        if byte_range is None:
            raise
        total = await size()
        if total is None:
            return None
        clipped = clamp_range(byte_range, total)
        if clipped is None:
            return buffer_cls.create_zero_length()
        data = await fetch(clipped)
    return None if data is None else buffer_cls.from_bytes(data)
