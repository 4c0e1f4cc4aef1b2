"""A store that keeps copies of what it reads from another store in a cache store.

zarr-python 3.4's experimental ``CacheStore`` (public as
``anyzarr.experimental.cache_store.CacheStore``): whole values are cached in
any store that can delete (memory, local, ...); byte ranges are cached in
memory only, so partial reads never litter a persistent cache.  Both share
one size budget with least-recently-used eviction, and entries may expire
after ``max_age_seconds``.  Writes and deletes go to the source store and
update or drop the cached copies.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Self

import anyio

from anyzarr.io._store import Store, resolve_prototype
from anyzarr.io.stores._wrapper import WrapperStore
from anyzarr.protocol._byte_request import ByteRequest
from anyzarr.protocol._errors import UnsupportedOperationError

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer, BufferPrototype

__all__ = ["CacheStore"]

#: A whole value is cached under its key, a byte range under ``(key, range)``.
type EntryKey = str | tuple[str, ByteRequest]


@dataclass(slots=True)
class CacheState:
    """Bookkeeping shared by a cache store and its read-only/writable twins."""

    cache_order: OrderedDict[EntryKey, None] = field(default_factory=OrderedDict)
    current_size: int = 0
    key_sizes: dict[EntryKey, int] = field(default_factory=dict)
    lock: anyio.Lock = field(default_factory=anyio.Lock)
    hits: int = 0
    misses: int = 0
    evictions: int = 0
    key_insert_times: dict[EntryKey, float] = field(default_factory=dict)
    range_cache: dict[str, dict[ByteRequest, Buffer]] = field(default_factory=dict)


class CacheStore(WrapperStore[Store]):
    """Reads of ``store`` cached in ``cache_store``.

    Parameters
    ----------
    store
        The source of truth.
    cache_store
        Where whole values are cached; it must support deletes.
    max_age_seconds
        Seconds an entry stays valid, or ``"infinity"`` (the default).
    max_size
        Bytes the cache may hold (``None``: unlimited); the least recently
        used entries are evicted first, and a larger value is not cached.
    cache_set_data
        Also cache what is written (default ``True``).
    """

    _cache: Store
    max_age_seconds: int | float | Literal["infinity"]
    max_size: int | None
    cache_set_data: bool
    _state: CacheState

    def __init__(
        self,
        store: Store,
        *,
        cache_store: Store,
        max_age_seconds: int | float | str = "infinity",
        max_size: int | None = None,
        cache_set_data: bool = True,
    ) -> None:
        super().__init__(store)
        if not cache_store.supports_deletes:
            raise ValueError(
                f"The provided cache store {cache_store} does not support deletes; "
                "CacheStore needs a cache_store that supports deletes."
            )
        if isinstance(max_age_seconds, str) and max_age_seconds != "infinity":
            raise ValueError("max_age_seconds string value must be 'infinity'")
        self._cache = cache_store
        self.max_age_seconds = max_age_seconds  # type: ignore[assignment]
        self.max_size = max_size
        self.cache_set_data = cache_set_data
        self._state = CacheState()

    def _with_store(self, store: Store) -> Self:
        raise UnsupportedOperationError("CacheStore does not support this operation.")

    def with_read_only(self, read_only: bool = False) -> Self:
        """A twin over ``store.with_read_only(read_only)`` sharing this cache and its state."""
        twin = type(self)(
            self._store.with_read_only(read_only),
            cache_store=self._cache,
            max_age_seconds=self.max_age_seconds,
            max_size=self.max_size,
            cache_set_data=self.cache_set_data,
        )
        twin._state = self._state
        return twin

    # -- bookkeeping (callers hold the lock where it says so) -------------------

    def _is_key_fresh(self, entry_key: EntryKey) -> bool:
        if self.max_age_seconds == "infinity":
            return True
        inserted = self._state.key_insert_times.get(entry_key, 0.0)
        return time.monotonic() - inserted < self.max_age_seconds

    async def _evict_key(self, entry_key: EntryKey) -> None:
        """Drop one entry (lock held)."""
        size = self._state.key_sizes.get(entry_key, 0)
        if isinstance(entry_key, str):
            await self._cache.delete(entry_key)
        else:
            self._drop_range(*entry_key)
        self._remove_from_tracking(entry_key)
        self._state.current_size = max(0, self._state.current_size - size)
        self._state.evictions += 1

    async def _accommodate_value(self, value_size: int) -> None:
        """Evict least recently used entries until ``value_size`` more bytes fit (lock held)."""
        if self.max_size is None:
            return
        while self._state.cache_order and self._state.current_size + value_size > self.max_size:
            await self._evict_key(next(iter(self._state.cache_order)))

    async def _track_entry(self, entry_key: EntryKey, value: Buffer) -> bool:
        """Count a new cached entry; False (nothing counted) when it is too large to cache."""
        size = len(value)
        if self.max_size is not None and size > self.max_size:
            return False
        async with self._state.lock:
            self._state.current_size -= self._state.key_sizes.get(entry_key, 0)
            await self._accommodate_value(size)
            self._state.cache_order[entry_key] = None
            self._state.cache_order.move_to_end(entry_key)
            self._state.current_size += size
            self._state.key_sizes[entry_key] = size
            self._state.key_insert_times[entry_key] = time.monotonic()
        return True

    def _remove_from_tracking(self, entry_key: EntryKey) -> None:
        """Forget an entry's order, size and age (lock held; sizes are not adjusted)."""
        self._state.cache_order.pop(entry_key, None)
        self._state.key_insert_times.pop(entry_key, None)
        self._state.key_sizes.pop(entry_key, None)

    def _drop_range(self, key: str, byte_range: ByteRequest) -> None:
        ranges = self._state.range_cache.get(key)
        if ranges is not None:
            ranges.pop(byte_range, None)
            if not ranges:
                del self._state.range_cache[key]

    def _invalidate_range_entries(self, key: str) -> None:
        """Drop every cached byte range of ``key`` (lock held)."""
        for byte_range in self._state.range_cache.pop(key, {}):
            entry_key: EntryKey = (key, byte_range)
            size = self._state.key_sizes.get(entry_key, 0)
            self._remove_from_tracking(entry_key)
            self._state.current_size = max(0, self._state.current_size - size)

    async def _forget_whole(self, key: str) -> None:
        await self._cache.delete(key)
        async with self._state.lock:
            size = self._state.key_sizes.get(key, 0)
            self._remove_from_tracking(key)
            self._state.current_size = max(0, self._state.current_size - size)

    async def _cache_miss(
        self, key: str, byte_range: ByteRequest | None, found: Buffer | None
    ) -> None:
        if byte_range is None:
            if found is None:
                await self._forget_whole(key)
            else:
                await self._cache.set(key, found)
                if not await self._track_entry(key, found):
                    await self._cache.delete(key)
            return
        entry_key: EntryKey = (key, byte_range)
        if found is None:
            async with self._state.lock:
                self._drop_range(key, byte_range)
                self._remove_from_tracking(entry_key)
            return
        self._state.range_cache.setdefault(key, {})[byte_range] = found
        if not await self._track_entry(entry_key, found):
            self._drop_range(key, byte_range)

    async def _get_no_cache(
        self, key: str, prototype: BufferPrototype, byte_range: ByteRequest | None = None
    ) -> Buffer | None:
        """Read from the source and refresh the cache with what was read."""
        self._state.misses += 1
        found = await self._store.get(key, prototype, byte_range)
        await self._cache_miss(key, byte_range, found)
        return found

    async def _get_try_cache(
        self, key: str, prototype: BufferPrototype, byte_range: ByteRequest | None = None
    ) -> Buffer | None:
        entry_key: EntryKey = key if byte_range is None else (key, byte_range)
        if byte_range is None:
            cached = await self._cache.get(key, prototype)
        else:
            cached = self._state.range_cache.get(key, {}).get(byte_range)
        if cached is None:
            return await self._get_no_cache(key, prototype, byte_range)
        self._state.hits += 1
        if entry_key in self._state.cache_order:
            async with self._state.lock:
                if entry_key in self._state.cache_order:
                    self._state.cache_order.move_to_end(entry_key)
        return cached

    # -- the store interface ------------------------------------------------------

    async def get(
        self,
        key: str,
        prototype: BufferPrototype | None = None,
        byte_range: ByteRequest | None = None,
    ) -> Buffer | None:
        """The value (or range) at ``key``, from the cache when there is a fresh copy."""
        proto = resolve_prototype(prototype)
        entry_key: EntryKey = key if byte_range is None else (key, byte_range)
        if not self._is_key_fresh(entry_key):
            return await self._get_no_cache(key, proto, byte_range)
        return await self._get_try_cache(key, proto, byte_range)

    async def get_partial_values(
        self,
        prototype: BufferPrototype | None,
        key_ranges: Iterable[tuple[str, ByteRequest | None]],
    ) -> list[Buffer | None]:
        return [await self.get(key, prototype, byte_range) for key, byte_range in key_ranges]

    async def set(self, key: str, value: Buffer) -> None:
        """Write through to the source; cache the value too when ``cache_set_data``."""
        await self._store.set(key, value)
        async with self._state.lock:
            self._invalidate_range_entries(key)
        if self.cache_set_data:
            await self._cache.set(key, value)
            if not await self._track_entry(key, value):
                await self._forget_whole(key)
        else:
            await self._forget_whole(key)

    async def set_if_not_exists(self, key: str, value: Buffer) -> None:
        if not await self._store.exists(key):
            await self.set(key, value)

    async def delete(self, key: str) -> None:
        """Delete from the source and drop every cached copy of ``key``."""
        await self._store.delete(key)
        async with self._state.lock:
            self._invalidate_range_entries(key)
        await self._forget_whole(key)

    async def delete_dir(self, prefix: str) -> None:
        keys = [
            k async for k in self._store.list_prefix(prefix.rstrip("/") + "/" if prefix else "")
        ]
        for key in keys:
            await self.delete(key)

    async def clear(self) -> None:
        await self._store.clear()
        await self.clear_cache()

    # -- introspection ----------------------------------------------------------

    def cache_info(self) -> dict[str, Any]:
        """Settings and current size of the cache."""
        return {
            "cache_store_type": type(self._cache).__name__,
            "max_age_seconds": self.max_age_seconds,
            "max_size": self.max_size,
            "current_size": self._state.current_size,
            "cache_set_data": self.cache_set_data,
            "tracked_keys": len(self._state.key_insert_times),
            "cached_keys": len(self._state.cache_order),
        }

    def cache_stats(self) -> dict[str, Any]:
        """Hits, misses and evictions so far."""
        total = self._state.hits + self._state.misses
        return {
            "hits": self._state.hits,
            "misses": self._state.misses,
            "evictions": self._state.evictions,
            "total_requests": total,
            "hit_rate": self._state.hits / total if total else 0.0,
        }

    async def clear_cache(self) -> None:
        """Empty the cache (the source store is untouched)."""
        await self._cache.clear()
        async with self._state.lock:
            self._state.key_insert_times.clear()
            self._state.cache_order.clear()
            self._state.key_sizes.clear()
            self._state.range_cache.clear()
            self._state.current_size = 0

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(store={self._store!r}, cache_store={self._cache!r}, "
            f"max_age_seconds={self.max_age_seconds}, max_size={self.max_size}, "
            f"current_size={self._state.current_size}, "
            f"cached_keys={len(self._state.cache_order)})"
        )
