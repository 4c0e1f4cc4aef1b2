"""A store over any fsspec file system (s3fs, gcsfs, HTTP, memory, local, ...).

fsspec's asynchronous file systems hand out asyncio coroutines.  This driver
awaits them directly when it runs on asyncio and the file system was made
with ``asynchronous=True``.  In every other case (trio, synchronous file
systems, async ones made for blocking use) it calls the blocking method in a
worker thread: fsspec then runs the coroutine on its own IO-loop thread, so
the same file system object serves both backends.  Every call holds the
store's capacity limiter.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

from anyzarr.io._store import Store, resolve_prototype
from anyzarr.io.stores._common import (
    check_buffer,
    check_key,
    check_prefix,
    dir_prefix,
    instance_attribute,
    no_partial_writes,
)
from anyzarr.io.stores._remote_common import dispatch, ranged_get
from anyzarr.io.stores._retry import RemoteStoreError, running_on_asyncio
from anyzarr.protocol._byte_request import (
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    SuffixByteRequest,
)
from anyzarr.protocol._errors import AnyzarrError

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer, BufferPrototype

__all__ = ["ALLOWED_EXCEPTIONS", "FsspecStore"]

#: Exceptions that mean "no object at this key" when reading.
ALLOWED_EXCEPTIONS: tuple[type[Exception], ...] = (
    FileNotFoundError,
    IsADirectoryError,
    NotADirectoryError,
)


def _sync_loop_call(fs: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """Run ``fs._<name>`` on fsspec's IO-loop thread, blocking this thread."""
    import fsspec.asyn

    return fsspec.asyn.sync(fsspec.asyn.get_loop(), getattr(fs, f"_{name}"), *args, **kwargs)


def _bounds(byte_range: ByteRequest | None) -> tuple[int | None, int | None]:
    """``cat_file``'s ``start``/``end`` for a (non-empty) byte range."""
    if isinstance(byte_range, RangeByteRequest):
        return byte_range.start, byte_range.end
    if isinstance(byte_range, OffsetByteRequest):
        return byte_range.offset, None
    if isinstance(byte_range, SuffixByteRequest):
        return -byte_range.suffix, None
    return None, None


class FsspecStore(Store):
    """A store over an fsspec file system, rooted at ``path``.

    Parameters
    ----------
    fs
        The file system; asynchronous ones (``fs.async_impl``) are preferred
        but synchronous ones work too, through worker threads.
    path
        Root of the store inside ``fs``, without a protocol (``bucket/data``).
    read_only
        Refuse writes and deletes.
    allowed_exceptions
        Exceptions that mean "missing key" when reading.
    concurrency
        Size of the store's capacity limiter (see :class:`Store`).

    Raises
    ------
    ValueError
        When ``path`` includes a protocol (``s3://...``): use :meth:`from_url`.
    """

    supports_writes = True
    supports_deletes = True
    supports_listing = True

    fs: Any = instance_attribute("The fsspec file system.")
    path: str = instance_attribute("Root of the store inside ``fs`` (no protocol).")
    allowed_exceptions: tuple[type[Exception], ...] = instance_attribute(
        "Exceptions that mean a key is missing."
    )

    def __init__(
        self,
        fs: Any,
        path: str = "",
        read_only: bool = False,
        allowed_exceptions: tuple[type[Exception], ...] = ALLOWED_EXCEPTIONS,
        *,
        concurrency: int | None = None,
    ) -> None:
        super().__init__(read_only=read_only, concurrency=concurrency)
        if "://" in path:
            raise ValueError(
                f"FsspecStore path {path!r} includes a protocol; pass the bare path "
                "or use FsspecStore.from_url"
            )
        self.fs = fs
        self.path = path
        self.allowed_exceptions = allowed_exceptions

    # -- constructors ----------------------------------------------------------

    @classmethod
    def from_url(
        cls,
        url: str,
        storage_options: Mapping[str, object] | None = None,
        read_only: bool = False,
        allowed_exceptions: tuple[type[Exception], ...] = ALLOWED_EXCEPTIONS,
        *,
        concurrency: int | None = None,
    ) -> FsspecStore:
        """A store for ``url`` (``s3://bucket/x``, ``memory://x``, ``/local/x`` ...).

        Asynchronous file systems are made with ``asynchronous=True`` (unless
        ``storage_options`` says otherwise) so asyncio callers await them
        directly; local file systems create parent directories on write.
        """
        import fsspec
        import fsspec.core

        options = dict(storage_options or {})
        if "::" not in url:
            protocol = fsspec.core.split_protocol(url)[0] or "file"
            fs_class = fsspec.get_filesystem_class(protocol)
            if getattr(fs_class, "async_impl", False):
                options.setdefault("asynchronous", True)
            if protocol in ("file", "local"):
                options.setdefault("auto_mkdir", True)
        fs, path = fsspec.core.url_to_fs(url, **options)
        return cls(
            fs,
            path=path,
            read_only=read_only,
            allowed_exceptions=allowed_exceptions,
            concurrency=concurrency,
        )

    @classmethod
    def from_mapper(
        cls,
        fs_map: Any,
        read_only: bool = False,
        allowed_exceptions: tuple[type[Exception], ...] = ALLOWED_EXCEPTIONS,
        *,
        concurrency: int | None = None,
    ) -> FsspecStore:
        """A store over the file system and root of an ``fsspec.FSMap``."""
        return cls(
            fs_map.fs,
            path=fs_map.root,
            read_only=read_only,
            allowed_exceptions=allowed_exceptions,
            concurrency=concurrency,
        )

    @classmethod
    def from_upath(
        cls,
        upath: Any,
        read_only: bool = False,
        allowed_exceptions: tuple[type[Exception], ...] = ALLOWED_EXCEPTIONS,
        *,
        concurrency: int | None = None,
    ) -> FsspecStore:
        """A store over a ``universal_pathlib.UPath`` (its ``fs`` and ``path``)."""
        return cls(
            upath.fs,
            path=str(upath.path).rstrip("/"),
            read_only=read_only,
            allowed_exceptions=allowed_exceptions,
            concurrency=concurrency,
        )

    def __repr__(self) -> str:
        protocol = getattr(self.fs, "protocol", "?")
        name = protocol[0] if isinstance(protocol, tuple | list) else protocol
        return f"FsspecStore({name}://{self.path})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, FsspecStore)
            and other.fs == self.fs
            and other.path == self.path
            and other.read_only == self.read_only
        )

    def __hash__(self) -> int:
        return hash(("FsspecStore", id(self.fs), self.path))

    def with_read_only(self, read_only: bool = False) -> FsspecStore:
        """A store over the same file system and path with the given flag."""
        return FsspecStore(
            self.fs,
            path=self.path,
            read_only=read_only,
            allowed_exceptions=self.allowed_exceptions,
            concurrency=self._concurrency,
        )

    # -- dispatch ------------------------------------------------------------

    async def _call(self, name: str, *args: Any, shield: bool = False, **kwargs: Any) -> Any:
        """Call the file system's ``name`` method the way the loop allows.

        ``shield`` lets a write that has started run to its end when the
        caller is cancelled (worker threads are always waited for), so a
        cancelled ``set`` never leaves a half-written file behind; writes
        still waiting for a limiter slot are cancelled.  Errors other than
        :class:`AnyzarrError` and the allowed ones are wrapped in
        :class:`RemoteStoreError` naming the path.
        """
        fs = self.fs
        native_async = bool(getattr(fs, "async_impl", False) and getattr(fs, "asynchronous", False))
        native = (
            functools.partial(getattr(fs, f"_{name}"), *args, **kwargs)
            if native_async and running_on_asyncio()
            else None
        )
        if native_async:
            # asyncio-only coroutines: an async wrapper around a sync file
            # system is unwrapped, anything else runs on fsspec's loop.
            inner = getattr(fs, "sync_fs", None)
            blocking = (
                functools.partial(getattr(inner, name), *args, **kwargs)
                if inner is not None
                else functools.partial(_sync_loop_call, fs, name, *args, **kwargs)
            )
        else:
            blocking = functools.partial(getattr(fs, name), *args, **kwargs)
        try:
            return await dispatch(self.limiter, native, blocking, shield=shield)
        except Exception as exc:
            passthrough: tuple[type[BaseException], ...] = (
                AnyzarrError,
                TypeError,
                ValueError,
                *self.allowed_exceptions,
            )
            if isinstance(exc, passthrough):
                raise
            where = args[0] if args else self.path
            raise RemoteStoreError(
                f"fsspec {name} failed for {where!r}: {type(exc).__name__}: {exc}", url=str(where)
            ) from exc

    def _full(self, key: str) -> str:
        if not self.path:
            return key
        return f"{self.path.rstrip('/')}/{key}" if key else self.path.rstrip("/") or "/"

    def _root(self) -> str:
        """The root as the file system spells the paths it returns."""
        stripped: str = self.fs._strip_protocol(self.path)
        return stripped.rstrip("/")

    def _key_of(self, path: str, root: str) -> str:
        return path[len(root) :].lstrip("/") if root else path.lstrip("/")

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
        RemoteStoreError
            When the file system fails with anything but a missing-key error.
        """
        check_key(key)
        path = self._full(key)

        async def fetch(request: ByteRequest | None) -> Any:
            start, end = _bounds(request)
            try:
                return await self._call("cat_file", path, start=start, end=end)
            except self.allowed_exceptions:
                return None

        async def size() -> int | None:
            try:
                return int(await self._call("size", path))
            except self.allowed_exceptions:
                return None

        buffer_cls = resolve_prototype(prototype).buffer
        return await ranged_get(self, key, byte_range, buffer_cls, fetch=fetch, size=size)

    async def exists(self, key: str) -> bool:
        """Whether a file exists at ``key``."""
        check_key(key)
        return bool(await self._call("isfile", self._full(key)))

    async def getsize(self, key: str) -> int:
        """Size of ``key`` from the file system's metadata.

        Raises
        ------
        FileNotFoundError
            When ``key`` is absent.
        """
        check_key(key)
        try:
            return int(await self._call("size", self._full(key)))
        except self.allowed_exceptions as exc:
            raise FileNotFoundError(f"no object at key {key!r} in {self!r}") from exc

    # -- writing -------------------------------------------------------------

    async def set(self, key: str, value: Buffer, byte_range: tuple[int, int] | None = None) -> None:
        """Write ``value`` to ``key`` whole.

        fsspec file systems cannot rewrite part of a file in place, so
        ``byte_range`` must be ``None``.

        Raises
        ------
        ReadOnlyError
            When the store is read-only.
        UnsupportedOperationError
            When ``byte_range`` is given (``supports_partial_writes`` is False).
        """
        self._check_writable(key)
        check_key(key)
        if byte_range is not None:
            raise no_partial_writes(self, key)
        data = check_buffer(key, value).to_bytes()
        path = self._full(key)
        if getattr(self.fs, "auto_mkdir", True) is False and "/" in path:
            await self._call("makedirs", path.rsplit("/", 1)[0], exist_ok=True)
        await self._call("pipe_file", path, data, shield=True)

    async def delete(self, key: str) -> None:
        """Remove ``key``; an absent key is not an error."""
        self._check_writable(key)
        check_key(key)
        try:
            await self._call("rm_file", self._full(key))
        except self.allowed_exceptions:
            pass

    # -- listing -------------------------------------------------------------

    async def _find(self, directory: str) -> list[str]:
        """Keys of all files under ``directory`` (relative to the store)."""
        root = self._root()
        try:
            paths = await self._call("find", self._full(directory), withdirs=False)
        except self.allowed_exceptions:
            return []
        return [self._key_of(p, root) for p in paths]

    async def is_empty(self, prefix: str = "") -> bool:
        """Whether no key lies under the directory ``prefix``."""
        directory = check_prefix(prefix)
        start = dir_prefix(directory)
        return not any(key.startswith(start) for key in await self._find(directory))

    async def list(self) -> AsyncIterator[str]:
        """Every key in the store."""
        for key in await self._find(""):
            yield key

    async def list_prefix(self, prefix: str) -> AsyncIterator[str]:
        """Every key that starts with ``prefix``."""
        directory = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        for key in await self._find(check_prefix(directory)):
            if key.startswith(prefix):
                yield key

    async def list_dir(self, prefix: str) -> AsyncIterator[str]:
        """Names of the files and directories directly under ``prefix``."""
        directory = check_prefix(prefix)
        try:
            entries = await self._call("ls", self._full(directory), detail=False)
        except self.allowed_exceptions:
            return
        root = self._root()
        base = dir_prefix(directory)
        for entry in entries:
            key = self._key_of(str(entry), root).rstrip("/")
            if key.startswith(base) and key != directory:
                name = key[len(base) :]
                if name:
                    yield name
