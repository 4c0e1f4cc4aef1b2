"""A store that keeps values in a dict in this process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Hashable, Iterable, MutableMapping, Sequence
from typing import TYPE_CHECKING

from anyzarr.io._store import Store, resolve_prototype
from anyzarr.io.stores._common import check_buffer, clip, dir_prefix, list_dir_names, splice
from anyzarr.protocol._byte_request import ByteRequest

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer, BufferPrototype

__all__ = ["MemoryStore"]


class MemoryStore(Store):
    """Values held in a mutable mapping, by default a new dict.

    ``set`` stores a private, read-only copy of the value, so neither the
    writer (by changing its buffer later) nor a reader (by writing into a
    returned buffer) can alter what is stored.  Reads return views without
    copying.  No IO happens, so the capacity limiter is never taken.

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
        value = self._store_dict.get(key)
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

    # -- synchronous batch IO, for the engine's fast path ---------------------

    def read_many_sync(
        self, requests: Sequence[tuple[str, ByteRequest | None]], *, scratch: bool = False
    ) -> list[Buffer | None]:
        """Views of several values (or ranges of them); missing keys give None.

        ``scratch`` is accepted for symmetry with file stores and changes nothing.
        """
        found: list[Buffer | None] = []
        for key, byte_range in requests:
            value = self._store_dict.get(key)
            found.append(None if value is None else clip(value, byte_range))
        return found

    def write_many_sync(self, items: Sequence[tuple[str, Buffer | None]]) -> None:
        """Store (or, for None, delete) several keys."""
        for key, value in items:
            self._check_writable(key)
            if value is None:
                self._store_dict.pop(key, None)
            else:
                self._store_dict[key] = self._stored_copy(check_buffer(key, value))

    def version_sync(self, key: str) -> Hashable | None:
        """Always ``None``: shard indexes of in-memory values are not cached.

        Reading an index here is a dictionary lookup and a slice, so a cache
        saves nothing; and a token that tells values apart safely would have
        to keep each value alive (object identities are reused once freed),
        pinning deleted data in memory for as long as the cache holds it.
        """
        return None

    async def exists(self, key: str) -> bool:
        return key in self._store_dict

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
