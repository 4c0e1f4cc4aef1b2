"""A store that forwards everything to another store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Hashable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import anyio

from anyzarr.io._batch_io import Version, follows_own_io
from anyzarr.io._store import Store, close_store
from anyzarr.protocol._byte_request import ByteRequest

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer, BufferPrototype

__all__ = ["WrapperStore"]

T_Store = TypeVar("T_Store", bound=Store)


class WrapperStore[T_Store: Store](Store):
    """Delegates every call to ``store``; subclass it to add behaviour.

    The wrapper has no limiter of its own: :attr:`limiter` is the wrapped
    store's, so wrapping never widens the concurrency bound.
    """

    _store: T_Store

    def __init__(self, store: T_Store) -> None:
        if not isinstance(store, Store):
            raise TypeError(f"WrapperStore wraps a Store, got {type(store).__name__}")
        super().__init__(read_only=store.read_only)
        self._store = store

    @classmethod
    async def open(cls, store_cls: type[T_Store], *args: Any, **kwargs: Any) -> Self:
        """Open ``store_cls(*args, **kwargs)`` and wrap it."""
        store = cls(store_cls(*args, **kwargs))
        await store._ensure_open()
        return store

    def _with_store(self, store: T_Store) -> Self:
        """A wrapper like this one around ``store``; subclasses with more
        constructor arguments override it."""
        return type(self)(store)

    def with_read_only(self, read_only: bool = False) -> Self:
        inner = self._store.with_read_only(read_only)
        return self._with_store(inner)  # type: ignore[arg-type]

    @property
    def store(self) -> T_Store:
        """The wrapped store."""
        return self._store

    # -- lifecycle and state ----------------------------------------------

    async def _open(self) -> None:
        await self._store._open()

    async def _ensure_open(self) -> None:
        await self._store._ensure_open()

    @property
    def _is_open(self) -> bool:
        return self._store._is_open

    @_is_open.setter
    def _is_open(self, value: bool) -> None:
        # Only the wrapped store's state counts.  The base __init__ sets this
        # before there is a wrapped store; afterwards setting it is an error.
        if "_store" in self.__dict__:
            raise NotImplementedError(
                f"{type(self).__name__} must be opened via the `_open` method"
            )

    async def close(self) -> None:
        await close_store(self._store)

    def _close_now(self) -> None:
        self._store._close_now()

    async def __aenter__(self) -> Self:
        await self._store._ensure_open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def read_only(self) -> bool:
        return self._store.read_only

    @property
    def concurrency(self) -> int:
        return self._store.concurrency

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        return self._store.limiter

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and self._store == other._store

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({type(self._store).__name__}, '{self._store}')"

    def __str__(self) -> str:
        return f"wrapping-{self._store}"

    @property
    def supports_writes(self) -> bool:
        return self._store.supports_writes

    @property
    def supports_deletes(self) -> bool:
        return self._store.supports_deletes

    @property
    def supports_listing(self) -> bool:
        return self._store.supports_listing

    @property
    def supports_partial_writes(self) -> bool:
        return self._store.supports_partial_writes

    @property
    def supports_consolidated_metadata(self) -> bool:
        return self._store.supports_consolidated_metadata

    @property
    def supports_conditional_writes(self) -> bool:
        # Only when this wrapper's versioned methods see what its get/set see.
        return self._store.supports_conditional_writes and follows_own_io(self, "set_if_unchanged")

    def _lock_scope(self) -> Hashable:
        return self._store._lock_scope()

    # -- data --------------------------------------------------------------

    async def get(
        self,
        key: str,
        prototype: BufferPrototype | None = None,
        byte_range: ByteRequest | None = None,
    ) -> Buffer | None:
        return await self._store.get(key, prototype, byte_range)

    async def get_partial_values(
        self,
        prototype: BufferPrototype | None,
        key_ranges: Iterable[tuple[str, ByteRequest | None]],
    ) -> list[Buffer | None]:
        return await self._store.get_partial_values(prototype, key_ranges)

    async def exists(self, key: str) -> bool:
        return await self._store.exists(key)

    async def getsize(self, key: str) -> int:
        return await self._store.getsize(key)

    async def getsize_prefix(self, prefix: str) -> int:
        return await self._store.getsize_prefix(prefix)

    async def is_empty(self, prefix: str = "") -> bool:
        return await self._store.is_empty(prefix)

    async def get_versioned(
        self, key: str, prototype: BufferPrototype | None = None
    ) -> tuple[Buffer | None, Version]:
        return await self._store.get_versioned(key, prototype)

    async def set(self, key: str, value: Buffer) -> None:
        await self._store.set(key, value)

    async def set_if_unchanged(self, key: str, value: Buffer | None, version: Version) -> bool:
        return await self._store.set_if_unchanged(key, value, version)

    async def set_if_not_exists(self, key: str, value: Buffer) -> None:
        await self._store.set_if_not_exists(key, value)

    async def delete(self, key: str) -> None:
        await self._store.delete(key)

    async def delete_dir(self, prefix: str) -> None:
        await self._store.delete_dir(prefix)

    async def clear(self) -> None:
        await self._store.clear()

    async def list(self) -> AsyncIterator[str]:
        async for key in self._store.list():
            yield key

    async def list_prefix(self, prefix: str) -> AsyncIterator[str]:
        async for key in self._store.list_prefix(prefix):
            yield key

    async def list_dir(self, prefix: str) -> AsyncIterator[str]:
        async for key in self._store.list_dir(prefix):
            yield key
