"""The store interface every driver implements.

The surface follows ``zarr.abc.store.Store`` name for name so code written for
zarr-python's stores ports directly, but every method is anyio-native: it runs
under asyncio and trio alike and never touches either directly.

Rules every driver keeps:

* A missing key is ``None`` from :meth:`Store.get`, never an exception.
* Writes to a read-only store raise :class:`~anyzarr.errors.ReadOnlyError`
  naming the key, and change nothing.
* Concurrency is bounded by *one* :class:`anyio.CapacityLimiter` per store
  instance (:attr:`Store.limiter`), taken inside the driver's methods around
  the actual IO; callers may start as many tasks as they like.
"""

from __future__ import annotations

import inspect
import weakref
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Hashable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import anyio
import anyio.lowlevel

from anyzarr.io._batch_io import BatchIO, Version
from anyzarr.io._config import config
from anyzarr.io._key_locks import KeyLocks, shared_key_locks
from anyzarr.io._keys import check_storable
from anyzarr.io._tasks import task_group
from anyzarr.protocol._byte_request import (
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    SuffixByteRequest,
)
from anyzarr.protocol._errors import ReadOnlyError, UnsupportedOperationError, UsageError

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer, BufferPrototype

__all__ = [
    "ByteRequest",
    "DEFAULT_CONCURRENCY",
    "OffsetByteRequest",
    "RangeByteRequest",
    "Store",
    "SuffixByteRequest",
    "close_store",
    "configured_concurrency",
    "resolve_prototype",
]

DEFAULT_CONCURRENCY = 10


def configured_concurrency() -> int:
    """The ``async.concurrency`` setting, or :data:`DEFAULT_CONCURRENCY` when it is unusable."""
    try:
        number = int(config.get("async.concurrency", DEFAULT_CONCURRENCY))
    except (TypeError, ValueError):
        return DEFAULT_CONCURRENCY
    return number if number > 0 else DEFAULT_CONCURRENCY


async def close_store(store: Store) -> None:
    """Close ``store``, whose ``close`` may be async (anyzarr) or sync (zarr-python's ABC)."""
    result = store.close()
    if inspect.isawaitable(result):
        await result


def resolve_prototype(prototype: BufferPrototype | None) -> BufferPrototype:
    """``prototype`` or the process-wide default buffer prototype."""
    if prototype is not None:
        return prototype
    from anyzarr.protocol.buffer import default_buffer_prototype

    return default_buffer_prototype()


class Store(ABC):
    """An abstract key-value store holding the objects of a Zarr hierarchy.

    Keys are ``/``-separated strings without a leading slash.  Values are
    :class:`~anyzarr.protocol.buffer.Buffer` objects.

    Parameters
    ----------
    read_only
        Refuse every write and delete.
    concurrency
        Size of this store's capacity limiter; ``None`` reads the
        ``async.concurrency`` config key (default 10).
    """

    _read_only: bool
    _is_open: bool
    _concurrency: int | None
    _limiter: anyio.CapacityLimiter | None
    _limiter_loop: object | None
    _limiters: weakref.WeakKeyDictionary[object, anyio.CapacityLimiter]

    def __init__(self, *, read_only: bool = False, concurrency: int | None = None) -> None:
        if concurrency is not None and concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        self._read_only = read_only
        self._is_open = False
        self._concurrency = concurrency
        self._limiter = None
        self._limiter_loop = None
        self._limiters = weakref.WeakKeyDictionary()

    # -- lifecycle ---------------------------------------------------------

    @classmethod
    async def open(cls, *args: Any, **kwargs: Any) -> Self:
        """Construct a store and open it (create directories, files, ...)."""
        store = cls(*args, **kwargs)
        await store._open()
        return store

    async def _open(self) -> None:
        """Prepare the backend; drivers extend this and call ``super()``."""
        if self._is_open:
            raise ValueError(f"store {self!r} is already open")
        self._is_open = True

    async def _ensure_open(self) -> None:
        if not self._is_open:
            await self._open()

    def _open_here(self) -> bool:
        """Open the store in this thread, without the event loop, if that needs no async work.

        True once the store is open.  False, having done nothing, when this
        class's ``_open`` is one that only the event loop can run: the base
        class's needs nothing, and a driver whose ``_open`` does only
        blocking work overrides this method to do the same.
        """
        if self._is_open:
            return True
        if type(self)._open is not Store._open:
            return False
        self._is_open = True
        return True

    async def close(self) -> None:
        """Release resources held by the store; reopening happens on next use."""
        self._is_open = False

    async def __aenter__(self) -> Self:
        await self._ensure_open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await close_store(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the store from sync code (``with store: ...``), as zarr-python allows."""
        self._close_now()

    def _close_now(self) -> None:
        """Close without awaiting (for ``with store:``).

        A ``close`` that completes without waiting is run to the end here;
        otherwise, outside an event loop, it runs on a short-lived one.
        Drivers whose close must wait override this with a blocking close.

        Raises
        ------
        UsageError
            When ``close`` must wait and this thread runs an event loop:
            use ``async with`` there.
        """
        closing = self.close()
        if not inspect.iscoroutine(closing):
            return
        try:
            closing.send(None)
        except StopIteration:
            return
        closing.close()
        try:
            anyio.lowlevel.current_token()
        except RuntimeError:
            anyio.run(close_store, self)
            return
        raise UsageError(
            f"'with {type(self).__name__}' inside a running event loop cannot close the "
            "store without blocking it: use 'async with' instead"
        )

    def with_read_only(self, read_only: bool = False) -> Store:
        """A store over the same data with the given read-only flag.

        Raises
        ------
        UnsupportedOperationError
            When the driver cannot share its backend between two instances.
        """
        raise UnsupportedOperationError(
            f"with_read_only is not implemented for the {type(self)} store type."
        )

    # -- state -------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        """Whether writes and deletes are refused."""
        return self._read_only

    @property
    def concurrency(self) -> int:
        """The number of IO operations this store runs at once."""
        return self._concurrency if self._concurrency is not None else configured_concurrency()

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        """This store's capacity limiter for the running event loop.

        A limiter belongs to one event loop, and one store may be used from
        several (the sync API's loop thread and a user's own loop, in turn or
        at once), so each loop gets its own limiter, kept for the loop's
        lifetime: every loop's use of the store stays bounded by
        ``concurrency``.  Must be read inside a running event loop.
        """
        loop = anyio.lowlevel.current_token().native_token
        if self._limiter is not None and self._limiter_loop is loop:
            return self._limiter
        limiters = self.__dict__.get("_limiters")
        if limiters is None:  # made by a subclass that skipped Store.__init__
            limiters = self._limiters = weakref.WeakKeyDictionary()
        limiter = limiters.get(loop)
        if limiter is None:
            limiter = limiters[loop] = anyio.CapacityLimiter(self.concurrency)
        # One-entry cache: the dict lookup is skipped while the loop stays the same.
        self._limiter, self._limiter_loop = limiter, loop
        return limiter

    def _check_writable(self, key: str | None = None) -> None:
        # Every write of every store passes here: the one place that refuses
        # keys no store can hold (NUL bytes, unencodable characters).
        if key:
            check_storable(key)
        if self._read_only:
            what = "the store" if key is None else f"key {key!r}"
            # zarr-python's wording, which code written for it matches on.
            raise ReadOnlyError(
                f"cannot modify {what}: store was opened in read-only mode and does not "
                f"support writing ({type(self).__name__})"
            )

    def __getstate__(self) -> dict[str, object]:
        # Limiters and loop tokens belong to a running loop; never pickle them.
        state = self.__dict__.copy()
        state["_limiter"] = None
        state["_limiter_loop"] = None
        state["_limiters"] = None
        # Batch IO holds thread primitives; the copy makes its own on first use.
        state.pop("_batch", None)
        state.pop("_key_locks", None)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    # -- capabilities ------------------------------------------------------

    @property
    @abstractmethod
    def supports_writes(self) -> bool:
        """Whether :meth:`set` is available at all."""

    @property
    @abstractmethod
    def supports_deletes(self) -> bool:
        """Whether :meth:`delete` is available at all."""

    @property
    @abstractmethod
    def supports_listing(self) -> bool:
        """Whether the ``list*`` methods are available."""

    @property
    def supports_partial_writes(self) -> bool:
        """Always ``False``: values are written whole."""
        return False

    @property
    def supports_consolidated_metadata(self) -> bool:
        """Whether consolidated metadata makes sense for this store."""
        return True

    @property
    def supports_conditional_writes(self) -> bool:
        """Whether :meth:`get_versioned` and :meth:`set_if_unchanged` work.

        The engine uses them so that read-modify-writes of one chunk by
        several processes never lose an update.  Stores whose ``get`` or
        ``set`` a subclass redefined answer ``False`` unless the subclass
        redefines these methods too.
        """
        return False

    def _lock_scope(self) -> Hashable:
        """What identifies this store's data: stores over the same data share write locks."""
        return ("store", id(self))

    @property
    def _write_locks(self) -> KeyLocks:
        """The per-key locks writes to this store's objects hold (see `KeyLocks`)."""
        locks = self.__dict__.get("_key_locks")
        if not isinstance(locks, KeyLocks):
            # setdefault: two threads asking at once get the same object.
            locks = self.__dict__.setdefault("_key_locks", shared_key_locks(self._lock_scope()))
        assert isinstance(locks, KeyLocks)
        return locks

    def batch_io(self) -> BatchIO | None:
        """Blocking batch IO for the engine, or ``None`` (the default): see `BatchIO`.

        Drivers that offer it (local files, memory) return ``None`` when a
        subclass redefined how values are read or written (see
        `follows_own_io`), so such a subclass is always driven through its
        own ``get`` and ``set``.
        """
        return None

    # -- reading -----------------------------------------------------------

    @abstractmethod
    async def get(
        self,
        key: str,
        prototype: BufferPrototype | None = None,
        byte_range: ByteRequest | None = None,
    ) -> Buffer | None:
        """The value at ``key`` (or the bytes ``byte_range`` names), ``None`` if absent.

        Out-of-range byte requests are clipped the way Python slicing clips.
        """

    async def get_partial_values(
        self,
        prototype: BufferPrototype | None,
        key_ranges: Iterable[tuple[str, ByteRequest | None]],
    ) -> list[Buffer | None]:
        """Many (possibly partial) reads at once, results in request order."""
        requests = list(key_ranges)
        results: list[Buffer | None] = [None] * len(requests)

        async def one(index: int, key: str, byte_range: ByteRequest | None) -> None:
            results[index] = await self.get(key, prototype, byte_range)

        async with task_group() as tg:
            for index, (key, byte_range) in enumerate(requests):
                tg.start_soon(one, index, key, byte_range)
        return results

    @abstractmethod
    async def exists(self, key: str) -> bool:
        """Whether a value is stored at ``key``."""

    async def getsize(self, key: str) -> int:
        """Size in bytes of the value at ``key``.

        Raises
        ------
        FileNotFoundError
            When ``key`` is absent.
        """
        value = await self.get(key, resolve_prototype(None))
        if value is None:
            raise FileNotFoundError(key)
        return len(value)

    async def getsize_prefix(self, prefix: str) -> int:
        """Total size in bytes of every value under the directory ``prefix``.

        ``"a"`` counts ``a/...`` but not a sibling ``ab/...`` (nor a key ``a``).
        """
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        keys = [key async for key in self.list_prefix(prefix)]
        sizes = [0] * len(keys)

        async def one(index: int, key: str) -> None:
            sizes[index] = await self.getsize(key)

        async with task_group() as tg:
            for index, key in enumerate(keys):
                tg.start_soon(one, index, key)
        return sum(sizes)

    async def is_empty(self, prefix: str = "") -> bool:
        """Whether no key starts with ``prefix`` (taken as a directory)."""
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        keys = self.list_prefix(prefix)
        try:
            async for _ in keys:
                return False
            return True
        finally:
            # Leaving the loop early must still finalise an async generator.
            aclose = getattr(keys, "aclose", None)
            if aclose is not None:
                await aclose()

    async def get_versioned(
        self, key: str, prototype: BufferPrototype | None = None
    ) -> tuple[Buffer | None, Version]:
        """The whole value at ``key`` and its version, for a later `set_if_unchanged`.

        Raises
        ------
        UnsupportedOperationError
            When :attr:`supports_conditional_writes` is false.
        """
        raise UnsupportedOperationError(
            f"{type(self).__name__} does not support conditional writes"
        )

    # -- writing -----------------------------------------------------------

    @abstractmethod
    async def set(self, key: str, value: Buffer) -> None:
        """Store ``value`` at ``key``, replacing any old value whole.

        Raises
        ------
        ReadOnlyError
            When the store is read-only.
        """

    async def set_if_not_exists(self, key: str, value: Buffer) -> None:
        """Store ``value`` at ``key`` unless a value is already there.

        Drivers make this atomic where their backend allows; this default is
        not atomic.
        """
        self._check_writable(key)
        if not await self.exists(key):
            await self.set(key, value)

    async def set_if_unchanged(self, key: str, value: Buffer | None, version: Version) -> bool:
        """Store ``value`` (``None``: delete) only if ``key`` still holds ``version``.

        ``version`` comes from :meth:`get_versioned` (``None``: the key was
        absent).  Returns whether the value was stored; when it was not,
        the key keeps what another writer put there.

        Raises
        ------
        UnsupportedOperationError
            When :attr:`supports_conditional_writes` is false.
        ReadOnlyError
            When the store is read-only.
        """
        raise UnsupportedOperationError(
            f"{type(self).__name__} does not support conditional writes"
        )

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Remove ``key``; removing an absent key is not an error.

        Raises
        ------
        ReadOnlyError
            When the store is read-only.
        """

    async def delete_dir(self, prefix: str) -> None:
        """Remove every key under the directory ``prefix``."""
        self._check_writable(prefix)
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        keys = [key async for key in self.list_prefix(prefix)]
        async with task_group() as tg:
            for key in keys:
                tg.start_soon(self.delete, key)

    async def clear(self) -> None:
        """Remove every key."""
        self._check_writable()
        await self.delete_dir("")

    # -- listing -----------------------------------------------------------

    @abstractmethod
    def list(self) -> AsyncIterator[str]:
        """Every key, in no particular order."""

    @abstractmethod
    def list_prefix(self, prefix: str) -> AsyncIterator[str]:
        """Every key that starts with ``prefix`` (full keys, not relative)."""

    @abstractmethod
    def list_dir(self, prefix: str) -> AsyncIterator[str]:
        """Names directly under the directory ``prefix``: keys and sub-directories."""
