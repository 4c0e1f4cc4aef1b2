"""The store interface (``zarr.abc.store``).

:class:`Store` is anyzarr's store ABC, which has zarr-python's methods name
for name (async methods run under asyncio and trio).  A store written for
zarr-python subclasses it unchanged; anyzarr always passes ``get`` a buffer
prototype and accepts a ``close`` that is a plain method (zarr-python's) as
well as a coroutine (anyzarr's).  The protocols describe what codecs and
pipelines are handed: a ``ByteGetter``/``ByteSetter`` is a store plus a key
(:class:`~anyzarr.storage.StorePath` is one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from anyzarr.io._store import Store
from anyzarr.protocol._byte_request import (
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    SuffixByteRequest,
)

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer, BufferPrototype

__all__ = [
    "ByteGetter",
    "ByteRequest",
    "ByteSetter",
    "OffsetByteRequest",
    "RangeByteRequest",
    "Store",
    "SuffixByteRequest",
    "SupportsDeleteSync",
    "SupportsGetSync",
    "SupportsSetSync",
    "SupportsSyncStore",
    "SyncByteGetter",
    "SyncByteSetter",
    "set_or_delete",
]


@runtime_checkable
class ByteGetter(Protocol):
    """Something that reads one stored value (a store and a key)."""

    async def get(
        self, prototype: BufferPrototype, byte_range: ByteRequest | None = None
    ) -> Buffer | None: ...


@runtime_checkable
class ByteSetter(Protocol):
    """Something that reads, writes and deletes one stored value."""

    async def get(
        self, prototype: BufferPrototype, byte_range: ByteRequest | None = None
    ) -> Buffer | None: ...

    async def set(self, value: Buffer) -> None: ...

    async def delete(self) -> None: ...

    async def set_if_not_exists(self, default: Buffer) -> None: ...


@runtime_checkable
class SyncByteGetter(Protocol):
    """A :class:`ByteGetter` that can also read without an event loop."""

    def get_sync(
        self, prototype: BufferPrototype | None = None, byte_range: ByteRequest | None = None
    ) -> Buffer | None: ...


@runtime_checkable
class SyncByteSetter(SyncByteGetter, Protocol):
    """A :class:`ByteSetter` that can also write without an event loop."""

    def set_sync(self, value: Buffer) -> None: ...

    def delete_sync(self) -> None: ...


@runtime_checkable
class SupportsGetSync(Protocol):
    """A store with blocking reads (``get_sync``)."""

    def get_sync(
        self,
        key: str,
        *,
        prototype: BufferPrototype | None = None,
        byte_range: ByteRequest | None = None,
    ) -> Buffer | None: ...


@runtime_checkable
class SupportsSetSync(Protocol):
    """A store with blocking writes (``set_sync``)."""

    def set_sync(self, key: str, value: Buffer) -> None: ...


@runtime_checkable
class SupportsDeleteSync(Protocol):
    """A store with blocking deletes (``delete_sync``)."""

    def delete_sync(self, key: str) -> None: ...


@runtime_checkable
class SupportsSyncStore(SupportsGetSync, SupportsSetSync, SupportsDeleteSync, Protocol):
    """A store with blocking reads, writes and deletes."""


async def set_or_delete(byte_setter: ByteSetter, value: Buffer | None) -> None:
    """Write ``value`` through ``byte_setter``, or delete the value when it is ``None``."""
    if value is None:
        await byte_setter.delete()
    else:
        await byte_setter.set(value)
