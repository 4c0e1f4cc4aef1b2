"""A store that keeps values in a dict in this process."""

from __future__ import annotations

import threading
import weakref
from collections.abc import AsyncIterator, Hashable, Iterable, MutableMapping, Sequence
from typing import TYPE_CHECKING

from anyzarr.io._batch_io import BatchIO, Version, follows_own_io
from anyzarr.io._store import Store, resolve_prototype
from anyzarr.io.stores._common import (
    check_buffer,
    check_storable,
    clip,
    dir_prefix,
    list_dir_names,
    splice,
)
from anyzarr.protocol._byte_request import ByteRequest
from anyzarr.protocol.codecs import GetRequest
from anyzarr.protocol.codecs._base import RawBytes

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer, BufferPrototype

__all__ = ["MemoryStore"]

# Compare-and-set of any memory store: the check and the store are one step.
# One process-wide lock suffices: the critical section is a dict lookup.
_CAS_LOCK = threading.Lock()


class _Identity:
    """The version of a stored value: the value object itself, compared by identity.

    Holding the object keeps it alive, so its identity cannot be reused by
    another value while a writer still compares against it.
    """

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Identity) and other.value is self.value

    def __hash__(self) -> int:
        return id(self.value)


class _WeakIdentity:
    """A cache token for a stored value: equal while that very value is still stored.

    It refers to the value's array weakly, so caches keyed by it pin nothing:
    once the value is replaced and freed, the token equals nothing.
    """

    __slots__ = ("_hash", "_ref")

    def __init__(self, value: object) -> None:
        self._ref = weakref.ref(value)
        self._hash = id(value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _WeakIdentity):
            return False
        mine = self._ref()
        return mine is not None and mine is other._ref()

    def __hash__(self) -> int:
        return self._hash


class _MemoryBatchIO(BatchIO):
    """A memory store's batch IO: dictionary lookups, nothing blocks."""

    def __init__(self, store: MemoryStore) -> None:
        super().__init__(store.concurrency)
        self._store = store

    def _read(
        self, requests: Sequence[GetRequest], scratch: bool
    ) -> list[RawBytes | Buffer | None]:
        found: list[RawBytes | Buffer | None] = []
        values = self._store._store_dict
        for request in requests:
            value = values.get(request.key)
            found.append(None if value is None else clip(value, request.byte_range))
        return found

    def _write(self, items: Sequence[tuple[str, Buffer | None]]) -> None:
        store = self._store
        values = store._store_dict
        for key, value in items:
            store._check_writable(key)
            if value is None:
                values.pop(key, None)
            else:
                values[key] = store._stored_copy(check_buffer(key, value))

    @property
    def supports_conditional_writes(self) -> bool:
        return True

    def version(self, key: str) -> Hashable | None:
        """The stored value's identity, held weakly (see `_WeakIdentity`): caches pin nothing."""
        value = self._store._store_dict.get(key)
        if value is None:
            return None
        try:
            return _WeakIdentity(value.as_array_like())
        except TypeError:  # an array type without weak references: do not cache
            return None

    def _read_versioned(
        self, keys: Sequence[str]
    ) -> list[tuple[RawBytes | Buffer | None, Version]]:
        values = self._store._store_dict
        found: list[tuple[RawBytes | Buffer | None, Version]] = []
        for key in keys:
            value = values.get(key)
            found.append((None, None) if value is None else (value, _Identity(value)))
        return found

    def _write_if_unchanged(
        self, items: Sequence[tuple[str, Buffer | None, Version]]
    ) -> list[bool]:
        store = self._store
        for key, _, _ in items:
            store._check_writable(key)
        return [store._replace_if(key, value, version) for key, value, version in items]


class MemoryStore(Store):
    """Values held in a mutable mapping, by default a new dict.

    ``set`` stores a private, read-only copy of the value, so neither the
    writer (by changing its buffer later) nor a reader (by writing into a
    returned buffer) can alter what is stored.  Reads return views without
    copying.  No IO happens, so the capacity limiter is never taken by the
    async methods; the engine's batch IO (`batch_io`) does take one of the
    ``concurrency`` slots per call.

    Parameters
    ----------
    store_dict
        The mapping to use; share one between stores to share data.
    read_only
        Refuse writes.
    """

    supports_writes: bool = True
    supports_deletes: bool = True
    supports_listing: bool = True
    # ``set(key, value, byte_range=(start, end))`` rewrites part of a value.
    supports_partial_writes: bool = True

    _store_dict: MutableMapping[str, Buffer]

    def __init__(
        self,
        store_dict: MutableMapping[str, Buffer] | None = None,
        *,
        read_only: bool = False,
        concurrency: int | None = None,
    ) -> None:
        super().__init__(read_only=read_only, concurrency=concurrency)
        self._store_dict = {} if store_dict is None else store_dict

    @classmethod
    def from_dict(cls, store_dict: MutableMapping[str, Buffer]) -> MemoryStore:
        """A store over ``store_dict`` (shared, not copied)."""
        return cls(store_dict=store_dict)

    def with_read_only(self, read_only: bool = False) -> MemoryStore:
        """A store over the same mapping with the given read-only flag."""
        return type(self)(self._store_dict, read_only=read_only, concurrency=self._concurrency)

    def __repr__(self) -> str:
        return f"{type(self).__name__}('memory://{id(self._store_dict)}')"

    def __str__(self) -> str:
        return f"memory://{id(self._store_dict)}"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, type(self))
            and self.read_only == other.read_only
            and (self._store_dict is other._store_dict or self._store_dict == other._store_dict)
        )

    __hash__ = None  # type: ignore[assignment]

    def _stored_copy(self, value: Buffer) -> Buffer:
        """A private copy of ``value`` that nobody else can write to."""
        from anyzarr.protocol.buffer import cpu

        return cpu.Buffer.from_bytes(value.to_bytes())

    # -- reading -----------------------------------------------------------

    async def get(
        self,
        key: str,
        prototype: BufferPrototype | None = None,
        byte_range: ByteRequest | None = None,
    ) -> Buffer | None:
        await self._ensure_open()
        value = self._store_dict.get(check_storable(key))
        if value is None:
            return None
        proto = resolve_prototype(prototype)
        part = clip(value, byte_range)
        return part if type(part) is proto.buffer else proto.buffer.from_buffer(part)

    async def get_partial_values(
        self,
        prototype: BufferPrototype | None,
        key_ranges: Iterable[tuple[str, ByteRequest | None]],
    ) -> list[Buffer | None]:
        # Everything is in memory: answering in a loop beats starting tasks.
        return [await self.get(key, prototype, byte_range) for key, byte_range in key_ranges]

    # -- batch IO and conditional writes -------------------------------------

    def _lock_scope(self) -> Hashable:
        return ("memory", id(self._store_dict))

    def batch_io(self) -> BatchIO | None:
        """Blocking batch IO over the mapping, unless a subclass changed ``get``/``set``."""
        if not follows_own_io(self, "batch_io"):
            return None
        io = self.__dict__.get("_batch")
        if io is None:
            io = self.__dict__["_batch"] = _MemoryBatchIO(self)
        return io

    @property
    def supports_conditional_writes(self) -> bool:
        return follows_own_io(self, "set_if_unchanged")

    async def get_versioned(
        self, key: str, prototype: BufferPrototype | None = None
    ) -> tuple[Buffer | None, Version]:
        await self._ensure_open()
        value = self._store_dict.get(key)
        if value is None:
            return None, None
        proto = resolve_prototype(prototype)
        found = value if type(value) is proto.buffer else proto.buffer.from_buffer(value)
        return found, _Identity(value)

    async def set_if_unchanged(self, key: str, value: Buffer | None, version: Version) -> bool:
        self._check_writable(key)
        await self._ensure_open()
        return self._replace_if(key, value, version)

    def _replace_if(self, key: str, value: Buffer | None, version: Version) -> bool:
        new = None if value is None else self._stored_copy(check_buffer(key, value))
        with _CAS_LOCK:
            current = self._store_dict.get(key)
            if (None if current is None else _Identity(current)) != version:
                return False
            if new is None:
                self._store_dict.pop(key, None)
            else:
                self._store_dict[key] = new
            return True

    async def exists(self, key: str) -> bool:
        return check_storable(key) in self._store_dict

    async def getsize(self, key: str) -> int:
        value = self._store_dict.get(key)
        if value is None:
            raise FileNotFoundError(f"no value at key {key!r}")
        return len(value)

    async def getsize_prefix(self, prefix: str) -> int:
        start = dir_prefix(prefix)
        return sum(len(v) for k, v in list(self._store_dict.items()) if k.startswith(start))

    async def is_empty(self, prefix: str = "") -> bool:
        start = dir_prefix(prefix)
        return not any(key.startswith(start) for key in list(self._store_dict))

    # -- writing -----------------------------------------------------------

    async def set(self, key: str, value: Buffer, byte_range: tuple[int, int] | None = None) -> None:
        """Store ``value`` at ``key``; with ``byte_range=(start, end)`` replace only those bytes.

        A partial write needs an existing value (else ``FileNotFoundError``)
        and ``end - start == len(value)`` (else ``InvalidByteRangeError``).
        """
        self._check_writable(key)
        await self._ensure_open()
        value = check_buffer(key, value)
        if byte_range is not None:
            from anyzarr.protocol.buffer import cpu

            old = self._store_dict.get(key)
            whole = splice(
                key, None if old is None else old.to_bytes(), value.to_bytes(), byte_range
            )
            value = cpu.Buffer.from_bytes(whole)
        self._store_dict[key] = self._stored_copy(value)

    async def set_if_not_exists(self, key: str, value: Buffer) -> None:
        self._check_writable(key)
        await self._ensure_open()
        # No await between the check and the insert: atomic within the loop.
        if key not in self._store_dict:
            self._store_dict[key] = self._stored_copy(check_buffer(key, value))

    async def delete(self, key: str) -> None:
        self._check_writable(key)
        self._store_dict.pop(key, None)

    async def delete_dir(self, prefix: str) -> None:
        self._check_writable(prefix)
        start = dir_prefix(prefix)
        for key in [k for k in list(self._store_dict) if k.startswith(start)]:
            self._store_dict.pop(key, None)

    async def clear(self) -> None:
        self._check_writable()
        self._store_dict.clear()

    # -- listing -----------------------------------------------------------

    async def list(self) -> AsyncIterator[str]:
        for key in list(self._store_dict):
            yield key

    async def list_prefix(self, prefix: str) -> AsyncIterator[str]:
        for key in list(self._store_dict):
            if key.startswith(prefix):
                yield key

    async def list_dir(self, prefix: str) -> AsyncIterator[str]:
        for name in list(list_dir_names(list(self._store_dict), prefix)):
            yield name
