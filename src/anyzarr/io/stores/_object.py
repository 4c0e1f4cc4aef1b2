"""A store over obstore: S3, GCS, Azure, local files and memory through one Rust core.

obstore's ``*_async`` functions return asyncio futures driven by its tokio
runtime, so they only work on an asyncio loop.  Under asyncio this driver
awaits them directly; under any other loop (trio) it calls obstore's blocking
functions in worker threads, which release the GIL while tokio does the IO.
Either way each call holds the store's capacity limiter.

obstore's exceptions are mapped here: a missing object is ``None`` (or
``FileNotFoundError`` where a size is asked for), an invalid path is
:class:`~anyzarr.errors.UnsafeKeyError`, and everything else becomes
:class:`~anyzarr.io.stores._retry.RemoteStoreError` naming the key.  obstore
retries transient failures itself (see its ``retry_config`` option).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from types import GenericAlias
from typing import TYPE_CHECKING, Any, ClassVar

import obstore
from obstore.exceptions import (
    AlreadyExistsError,
    BaseError,
    InvalidPathError,
    NotFoundError,
    PreconditionError,
)

from anyzarr.io._batch_io import Version, follows_own_io
from anyzarr.io._store import Store, resolve_prototype
from anyzarr.io.stores._common import (
    check_buffer,
    check_key,
    check_prefix,
    dir_prefix,
    instance_attribute,
)
from anyzarr.io.stores._remote_common import dispatch, ranged_get
from anyzarr.io.stores._retry import RemoteStoreError, running_on_asyncio
from anyzarr.protocol._byte_request import (
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    SuffixByteRequest,
)
from anyzarr.protocol._errors import UnsafeKeyError

if TYPE_CHECKING:
    from obstore.store import ObjectStore as ObstoreStore

    from anyzarr.protocol.buffer import Buffer, BufferPrototype

__all__ = ["ObjectStore"]

#: One DEBUG record per obstore request (operation and key).
_log = logging.getLogger("anyzarr.storage.ObjectStore")

# Keys per batch delete request (S3 accepts at most 1000).
_DELETE_BATCH = 1000


class _Missing(Exception):
    """An object was not found; handled inside this module only."""


@contextmanager
def _mapped(key: str) -> Iterator[None]:
    """Translate obstore's exceptions for an operation on ``key``."""
    try:
        yield
    except (FileNotFoundError, NotFoundError) as exc:
        raise _Missing(key) from exc
    except InvalidPathError as exc:
        raise UnsafeKeyError(f"obstore refused key {key!r}: {_first_line(exc)}") from exc
    except BaseError as exc:
        raise RemoteStoreError(
            f"obstore {type(exc).__name__} for key {key!r}: {_first_line(exc)}", url=key
        ) from exc


def _not_a_directory(exc: RemoteStoreError) -> bool:
    # ENOTDIR from a local backend: a path component is a file.
    return "os error 20" in str(exc.__cause__) or "Not a directory" in str(exc.__cause__)


def _first_line(exc: BaseException) -> str:
    # obstore messages end with a long debug dump; the first line says it all.
    return str(exc).strip().split("\n", 1)[0]


def _options(byte_range: ByteRequest | None) -> dict[str, Any] | None:
    if isinstance(byte_range, OffsetByteRequest):
        return {"range": {"offset": byte_range.offset}}
    if isinstance(byte_range, SuffixByteRequest):
        return {"range": {"suffix": byte_range.suffix}}
    return None


def _get_sync(store: ObstoreStore, key: str, byte_range: ByteRequest | None) -> Any:
    if isinstance(byte_range, RangeByteRequest):
        return obstore.get_range(store, key, start=byte_range.start, end=byte_range.end)
    return obstore.get(store, key, options=_options(byte_range)).bytes()  # type: ignore[arg-type]


async def _get_async(store: ObstoreStore, key: str, byte_range: ByteRequest | None) -> Any:
    if isinstance(byte_range, RangeByteRequest):
        return await obstore.get_range_async(store, key, start=byte_range.start, end=byte_range.end)
    result = await obstore.get_async(store, key, options=_options(byte_range))  # type: ignore[arg-type]
    return await result.bytes_async()


def _get_versioned_sync(store: ObstoreStore, key: str) -> tuple[Any, dict[str, Any]]:
    result = obstore.get(store, key)
    return result.bytes(), dict(result.meta)


async def _get_versioned_async(store: ObstoreStore, key: str) -> tuple[Any, dict[str, Any]]:
    result = await obstore.get_async(store, key)
    return await result.bytes_async(), dict(result.meta)


#: obstore backends whose puts can be conditional on an ETag.
_CONDITIONAL_BACKENDS = frozenset({"S3Store", "GCSStore", "AzureStore", "MemoryStore"})


def _payload(value: Buffer) -> Any:
    """Bytes to hand to obstore for ``value``.

    obstore may keep a reference to the memory it is given (its MemoryStore
    does), so writable memory is copied; read-only memory is passed as is.
    """
    array = value.as_numpy_array()
    if array.flags.writeable:
        return array.tobytes()
    return memoryview(array)


async def _anext(stream: Any) -> Any:
    try:
        return await stream.__anext__()
    except StopAsyncIteration:
        return None


def _next_batch(stream: Any) -> Any:
    # StopIteration must not cross a thread boundary into a coroutine.
    try:
        return next(stream)
    except StopIteration:
        return None


class ObjectStore(Store):
    """A store backed by an obstore store (``obstore.store.S3Store`` and friends).

    Parameters
    ----------
    store
        A configured obstore store; its own prefix, credentials and retry
        settings apply.
    read_only
        Refuse writes and deletes.
    concurrency
        Size of the store's capacity limiter (see :class:`Store`).
    """

    # ``ObjectStore[S3Store]`` in annotations, as zarr-python's is generic.
    __class_getitem__: ClassVar[Any] = classmethod(GenericAlias)

    supports_writes = True
    supports_deletes = True
    supports_listing = True

    store: ObstoreStore = instance_attribute("The wrapped obstore store.")

    def __init__(
        self, store: ObstoreStore, *, read_only: bool = False, concurrency: int | None = None
    ) -> None:
        super().__init__(read_only=read_only, concurrency=concurrency)
        if not hasattr(store, "__module__") or not type(store).__module__.startswith("obstore"):
            raise TypeError(f"ObjectStore wraps an obstore store, got {type(store).__name__}")
        self.store = store

    def __repr__(self) -> str:
        return f"ObjectStore(object_store://{self.store!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ObjectStore)
            and self.read_only == other.read_only
            and (other.store is self.store or bool(other.store == self.store))
        )

    def __hash__(self) -> int:
        return id(self.store)

    def with_read_only(self, read_only: bool = False) -> ObjectStore:
        """A store over the same obstore store with the given read-only flag."""
        return ObjectStore(self.store, read_only=read_only, concurrency=self._concurrency)

    # -- dispatch ------------------------------------------------------------

    async def _run(
        self,
        sync_fn: Callable[..., Any],
        async_fn: Callable[..., Any],
        *args: Any,
        shield: bool = False,
    ) -> Any:
        """``async_fn(*args)`` on asyncio, else ``sync_fn(*args)`` in a worker thread.

        ``shield`` lets a write that has started finish when its caller is
        cancelled, so a cancelled ``set`` leaves the old value or the new
        one; writes still waiting for a limiter slot are cancelled.
        """
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug("%s %s", sync_fn.__name__, args[1] if len(args) > 1 else "")
        native = functools.partial(async_fn, *args) if running_on_asyncio() else None
        return await dispatch(
            self.limiter, native, functools.partial(sync_fn, *args), shield=shield
        )

    async def _head(self, key: str) -> dict[str, Any] | None:
        try:
            with _mapped(key):
                meta = await self._run(obstore.head, obstore.head_async, self.store, key)
        except _Missing:
            return None
        return dict(meta)

    # -- reading -------------------------------------------------------------

    async def get(
        self,
        key: str,
        prototype: BufferPrototype | None = None,
        byte_range: ByteRequest | None = None,
    ) -> Buffer | None:
        """The value at ``key`` (or part of it), ``None`` when absent.

        Raises
        ------
        UnsafeKeyError
            When the backend refuses the key as a path.
        RemoteStoreError
            For any other backend failure, naming the key.
        """
        check_key(key)

        async def fetch(request: ByteRequest | None) -> Any:
            try:
                with _mapped(key):
                    return await self._run(_get_sync, _get_async, self.store, key, request)
            except _Missing:
                return None

        async def size() -> int | None:
            meta = await self._head(key)
            return None if meta is None else int(meta["size"])

        buffer_cls = resolve_prototype(prototype).buffer
        return await ranged_get(self, key, byte_range, buffer_cls, fetch=fetch, size=size)

    async def exists(self, key: str) -> bool:
        """Whether an object is stored at ``key``."""
        check_key(key)
        return await self._head(key) is not None

    async def getsize(self, key: str) -> int:
        """Size of the object at ``key`` from its metadata (no download).

        Raises
        ------
        FileNotFoundError
            When ``key`` is absent.
        """
        check_key(key)
        meta = await self._head(key)
        if meta is None:
            raise FileNotFoundError(f"no object at key {key!r} in {self!r}")
        return int(meta["size"])

    async def getsize_prefix(self, prefix: str) -> int:
        """Total size of the objects under the directory ``prefix``, from listing metadata."""
        total = 0
        async for meta in self._list_meta(dir_prefix(prefix)):
            total += int(meta["size"])
        return total

    # -- writing -------------------------------------------------------------

    async def set(self, key: str, value: Buffer) -> None:
        """Store ``value`` at ``key`` (an atomic whole-object put).

        Raises
        ------
        ReadOnlyError
            When the store is read-only.
        """
        self._check_writable(key)
        check_key(key)
        data = _payload(check_buffer(key, value))
        with _mapped(key):
            await self._run(obstore.put, obstore.put_async, self.store, key, data, shield=True)

    # -- conditional writes ----------------------------------------------------

    @property
    def supports_conditional_writes(self) -> bool:
        """True for backends that compare ETags on a put (S3, GCS, Azure, memory).

        obstore's local-file backend has no conditional update.
        """
        return type(self.store).__name__ in _CONDITIONAL_BACKENDS and follows_own_io(
            self, "set_if_unchanged"
        )

    async def get_versioned(
        self, key: str, prototype: BufferPrototype | None = None
    ) -> tuple[Buffer | None, Version]:
        """The whole object and its ETag (and version, where the backend has them)."""
        check_key(key)
        try:
            with _mapped(key):
                data, meta = await self._run(
                    _get_versioned_sync, _get_versioned_async, self.store, key
                )
        except _Missing:
            return None, None
        version = (meta.get("e_tag"), meta.get("version"))
        return resolve_prototype(prototype).buffer.from_bytes(data), version

    async def set_if_unchanged(self, key: str, value: Buffer | None, version: Version) -> bool:
        """A put conditional on the ETag read (``If-Match``), or on absence (``If-None-Match``).

        A conditional delete is not available in obstore: ``value=None``
        deletes unconditionally when the object exists.
        """
        self._check_writable(key)
        check_key(key)
        if value is None:
            await self.delete(key)
            return True
        mode: Any = "create"
        if version is not None:
            if not (isinstance(version, tuple) and len(version) == 2):
                raise TypeError(f"version {version!r} of key {key!r} is not one get_versioned gave")
            fields = zip(("e_tag", "version"), version, strict=True)
            mode = {name: v for name, v in fields if v is not None}
        data = _payload(check_buffer(key, value))
        put = functools.partial(obstore.put, mode=mode)
        put_async = functools.partial(obstore.put_async, mode=mode)
        try:
            with _mapped(key):
                await self._run(put, put_async, self.store, key, data, shield=True)
        except RemoteStoreError as exc:
            if isinstance(exc.__cause__, AlreadyExistsError | PreconditionError):
                return False
            raise
        return True

    async def set_if_not_exists(self, key: str, value: Buffer) -> None:
        """Store ``value`` unless ``key`` exists, atomically (a conditional put)."""
        self._check_writable(key)
        check_key(key)
        data = _payload(check_buffer(key, value))
        put = functools.partial(obstore.put, mode="create")
        put_async = functools.partial(obstore.put_async, mode="create")
        try:
            with _mapped(key):
                await self._run(put, put_async, self.store, key, data, shield=True)
        except RemoteStoreError as exc:
            if not isinstance(exc.__cause__, AlreadyExistsError | PreconditionError):
                raise

    async def delete(self, key: str) -> None:
        """Remove ``key``; an absent key is not an error.

        Raises
        ------
        ReadOnlyError
            When the store is read-only.
        """
        self._check_writable(key)
        check_key(key)
        try:
            with _mapped(key):
                await self._run(obstore.delete, obstore.delete_async, self.store, key)
        except _Missing:
            pass

    async def delete_dir(self, prefix: str) -> None:
        """Remove every key under the directory ``prefix``, in batched requests."""
        self._check_writable(prefix)
        keys = [key async for key in self.list_prefix(dir_prefix(check_prefix(prefix)))]
        for start in range(0, len(keys), _DELETE_BATCH):
            await self._delete_many(keys[start : start + _DELETE_BATCH])

    async def _delete_many(self, keys: Sequence[str]) -> None:
        try:
            with _mapped(keys[0]):
                await self._run(obstore.delete, obstore.delete_async, self.store, list(keys))
        except _Missing:
            # Someone removed one of them meanwhile; finish one by one.
            for key in keys:
                await self.delete(key)

    # -- listing -------------------------------------------------------------

    async def _next_batch(self, stream: Any, prefix: str) -> Any:
        """The next batch of a listing, or ``None`` when it is done.

        A directory that does not exist, or lies below a file (local
        backends say "Not a directory"), is simply empty.
        """
        try:
            with _mapped(prefix):
                native = functools.partial(_anext, stream) if running_on_asyncio() else None
                return await dispatch(self.limiter, native, functools.partial(_next_batch, stream))
        except _Missing:
            return None
        except RemoteStoreError as exc:
            if _not_a_directory(exc):
                return None
            raise

    async def _list_meta(self, prefix: str) -> AsyncIterator[dict[str, Any]]:
        """Metadata of every object whose key starts with ``prefix`` (as a string)."""
        # obstore matches prefixes by whole path segments, so list the
        # enclosing directory and filter by string prefix here.
        directory = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        if directory:
            check_prefix(directory)
        stream = obstore.list(self.store, directory or None)
        while (batch := await self._next_batch(stream, prefix)) is not None:
            for meta in batch:
                if meta["path"].startswith(prefix):
                    yield dict(meta)

    async def is_empty(self, prefix: str = "") -> bool:
        """Whether no key lies under the directory ``prefix`` (one small listing)."""
        directory = check_prefix(prefix)
        stream = obstore.list(self.store, directory or None, chunk_size=1)
        return not await self._next_batch(stream, prefix)

    async def list(self) -> AsyncIterator[str]:
        """Every key in the store."""
        async for meta in self._list_meta(""):
            yield meta["path"]

    async def list_prefix(self, prefix: str) -> AsyncIterator[str]:
        """Every key that starts with ``prefix``."""
        async for meta in self._list_meta(prefix):
            yield meta["path"]

    async def list_dir(self, prefix: str) -> AsyncIterator[str]:
        """Names of the objects and sub-directories directly under ``prefix``."""
        directory = check_prefix(prefix)
        try:
            with _mapped(prefix):
                result = await self._run(
                    obstore.list_with_delimiter,
                    obstore.list_with_delimiter_async,
                    self.store,
                    directory or None,
                )
        except _Missing:
            return
        except RemoteStoreError as exc:
            if _not_a_directory(exc):
                return
            raise
        start = dir_prefix(directory)
        for path in result["common_prefixes"]:
            yield path[len(start) :].rstrip("/")
        for meta in result["objects"]:
            yield meta["path"][len(start) :]
