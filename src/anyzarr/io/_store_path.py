"""A store plus a path inside it, and the rules that turn "store-likes" into one."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self

import anyio.to_thread

from anyzarr.io._keys import check_storable
from anyzarr.io._store import Store, resolve_prototype
from anyzarr.protocol._byte_request import ByteRequest
from anyzarr.protocol._dependencies import import_optional
from anyzarr.protocol._errors import ReadOnlyError, UnsupportedOperationError
from anyzarr.protocol.buffer import Buffer, BufferPrototype

if TYPE_CHECKING:
    from anyzarr.io.stores._fsspec import FsspecStore

__all__ = [
    "ANY_ACCESS_MODE",
    "AccessModeLiteral",
    "ReadOnlyModeError",
    "StorageOptions",
    "StoreLike",
    "StorePath",
    "make_store",
    "make_store_path",
    "normalize_path",
    "store_path_here",
]

AccessModeLiteral = Literal["r", "r+", "a", "w", "w-"]
ANY_ACCESS_MODE: tuple[AccessModeLiteral, ...] = ("r", "r+", "a", "w", "w-")

# Anything make_store_path accepts (lazily evaluated, so later names are fine).
type StoreLike = Store | StorePath | Path | str | MutableMapping[str, Buffer] | None

type StorageOptions = Mapping[str, object]
"""Options for a remote store's backend (fsspec, obstore, HTTP), passed on as they are."""


class ReadOnlyModeError(ReadOnlyError, ValueError):
    """A writing mode was asked of a read-only store.

    Also a ``ValueError``, the type zarr-python raises in this case.
    """


def normalize_path(path: str | bytes | Path | None) -> str:
    """``path`` as a store path: ``/``-separated, no leading, trailing or doubled slashes.

    Raises
    ------
    ValueError
        When a segment is ``.`` or ``..``; ``UnsafeKeyError`` (a
        ``ValueError``) when it holds a NUL byte or a character with no
        UTF-8 encoding.
    """
    if path is None:
        return ""
    if isinstance(path, bytes):
        path = path.decode()
    elif isinstance(path, Path):
        path = path.as_posix()
    text = check_storable(str(path)).replace("\\", "/")
    parts = [p for p in text.split("/") if p]
    if any(p in (".", "..") for p in parts):
        raise ValueError(
            f"path {path!r} has a '.' or '..' segment; store paths cannot contain them"
        )
    return "/".join(parts)


def _join(*parts: str) -> str:
    return "/".join(p.strip("/") for p in parts if p.strip("/"))


class StorePath:
    """One location in a store: the store and a ``/``-separated path.

    Methods act on the key equal to the path (``get``, ``set``, ...) or on the
    directory it names (``delete_dir``, ``is_empty``).  ``sp / "name"`` goes
    one level down.
    """

    __slots__ = ("path", "store")

    store: Store
    path: str

    def __init__(self, store: Store, path: str = "") -> None:
        if not isinstance(store, Store):
            raise TypeError(f"StorePath needs a Store, got {type(store).__name__}")
        self.store = store
        self.path = normalize_path(path)

    @property
    def read_only(self) -> bool:
        """Whether the underlying store refuses writes."""
        return self.store.read_only

    @classmethod
    async def open(cls, store: Store, path: str, mode: AccessModeLiteral | None = None) -> Self:
        """A path in ``store``, checked against ``mode`` the way zarr-python 3.4 does.

        ``None`` leaves the store as it is; ``"r"`` on a writable store gives
        a read-only copy; any other mode on a read-only store is an error;
        ``"w-"`` refuses a path that already holds data.  No mode deletes
        anything (clearing for ``"w"`` is the caller's job, as in zarr-python).

        Raises
        ------
        ValueError
            On an unknown mode, or a writing mode for a read-only store.
        FileExistsError
            On ``"w-"`` when the path holds data.
        """
        await store._ensure_open()
        if mode is None:
            return cls(store, path)
        if mode not in ANY_ACCESS_MODE:
            raise ValueError(f"Invalid mode: {mode}; expected one of {ANY_ACCESS_MODE}")
        if store.read_only:
            # Stores that can never write (HTTP) accept the open-or-create
            # modes so that reading with zarr's default mode "a" works.
            readable = mode == "r" or (mode in ("a", "r+") and not store.supports_writes)
            if not readable:
                raise ReadOnlyModeError(
                    f"Store is read-only but mode is {mode!r} ({store!r}); "
                    "open a writable store or use mode 'r'"
                )
        elif mode == "r":
            try:
                store = store.with_read_only(True)
            except UnsupportedOperationError as exc:
                raise ValueError(
                    f"mode 'r' needs a read-only copy of {store!r}, which it cannot make; "
                    "open the store read-only instead"
                ) from exc
            await store._ensure_open()
        self = cls(store, path)
        if mode == "w-" and not await self.is_empty():
            raise FileExistsError(
                f"cannot create {self.path!r} with mode 'w-': it already holds data; "
                "use mode 'w' to overwrite or 'a' to append"
            )
        return self

    async def get(
        self,
        prototype: BufferPrototype | None = None,
        byte_range: ByteRequest | None = None,
    ) -> Buffer | None:
        """The value at this path, or ``None``."""
        return await self.store.get(self.path, resolve_prototype(prototype), byte_range)

    async def set(self, value: Buffer) -> None:
        """Store ``value`` at this path."""
        await self.store.set(self.path, value)

    async def set_if_not_exists(self, default: Buffer) -> None:
        """Store ``default`` at this path unless something is there."""
        await self.store.set_if_not_exists(self.path, default)

    async def delete(self) -> None:
        """Remove the value at this path."""
        await self.store.delete(self.path)

    async def delete_dir(self) -> None:
        """Remove everything below this path."""
        await self.store.delete_dir(self.path)

    async def exists(self) -> bool:
        """Whether a value is stored at this path."""
        return await self.store.exists(self.path)

    async def is_empty(self) -> bool:
        """Whether nothing is stored below this path."""
        return await self.store.is_empty(self.path)

    def __truediv__(self, other: str) -> StorePath:
        return type(self)(self.store, _join(self.path, normalize_path(other)))

    def __str__(self) -> str:
        return _join(str(self.store), self.path) if self.path else str(self.store)

    def __repr__(self) -> str:
        return f"StorePath({type(self.store).__name__}, '{self}')"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, StorePath) and self.store == other.store and self.path == other.path
        )

    __hash__ = None  # type: ignore[assignment]


def _no_options(storage_options: StorageOptions | None, what: str) -> None:
    if storage_options:
        raise TypeError(
            f"storage_options were given but {what} does not use them; "
            "they apply to URLs of remote stores only"
        )


async def make_store(
    store_like: StoreLike,
    *,
    mode: AccessModeLiteral | None = None,
    storage_options: StorageOptions | None = None,
) -> Store:
    """The store that ``store_like`` names (see :func:`make_store_path`)."""
    from anyzarr.io.stores._memory import MemoryStore

    if mode is not None and mode not in ANY_ACCESS_MODE:
        raise ValueError(f"Invalid mode: {mode}; expected one of {ANY_ACCESS_MODE}")
    read_only = mode == "r"
    if isinstance(store_like, StorePath):
        _no_options(storage_options, "a StorePath")
        return store_like.store
    if isinstance(store_like, Store):
        _no_options(storage_options, "a Store")
        await store_like._ensure_open()
        return store_like
    if store_like is None:
        _no_options(storage_options, "None (a new MemoryStore)")
        return await MemoryStore.open(read_only=read_only)
    if isinstance(store_like, MutableMapping):
        _no_options(storage_options, "a dict")
        return await MemoryStore.open(store_dict=store_like, read_only=read_only)
    if isinstance(store_like, Path):
        _no_options(storage_options, "a local path")
        return await _local_or_zip(store_like, mode)
    if isinstance(store_like, str):
        return await _from_string(store_like, mode, storage_options)
    mapper_store = await _from_fsspec_mapper(store_like, mode, storage_options)
    if mapper_store is not None:
        return mapper_store
    raise TypeError(
        f"cannot make a store from {type(store_like).__name__} {store_like!r}; "
        "expected a Store, StorePath, path, URL, dict or None"
    )


def store_path_here(
    store_like: StoreLike, *, path: str | None = "", mode: AccessModeLiteral | None = None
) -> StorePath | None:
    """`make_store_path` without the event loop, for the sync API's calling thread.

    Covers what opening existing data in this process most often is: a local
    directory (a path or ``file://`` URL) or a `Store` that offers batch IO,
    in the modes that open without creating a node (``None``, ``"r"``,
    ``"r+"``, ``"a"``).  Anything else is None, having done nothing, and goes
    through `make_store_path` on the event loop, which gives every error.
    Like it, a writable `LocalStore` creates its root directory.
    """
    if mode not in (None, "r", "r+", "a"):
        return None
    if isinstance(store_like, str):
        scheme, sep, rest = store_like.partition("://")
        if sep and scheme.lower() != "file":
            return None
        store_like = Path(rest if sep else store_like)
    store: Store
    if isinstance(store_like, Path):
        from anyzarr.io.stores._local import LocalStore

        if store_like.suffix.lower() == ".zip":
            return None
        if mode in ("r", "r+") and not store_like.exists():
            return None  # make_store_path says it does not exist
        store = LocalStore(store_like, read_only=mode == "r")
    elif isinstance(store_like, Store):
        store = store_like
    else:
        return None
    if store.batch_io() is None:
        return None
    if store.read_only:
        if mode not in (None, "r"):
            return None  # make_store_path decides whether this store may
    elif mode == "r":
        try:
            store = store.with_read_only(True)
        except UnsupportedOperationError:
            return None
    if not store._open_here():
        return None
    return StorePath(store, normalize_path(path))


async def _local_or_zip(path: Path, mode: AccessModeLiteral | None) -> Store:
    from anyzarr.io.stores._local import LocalStore
    from anyzarr.io.stores._zip import ZipStore

    if path.suffix.lower() == ".zip":
        # "r" reads; "w" starts a new archive; every other mode appends
        # (zip members cannot be deleted, so nothing else could overwrite).
        zmode: Literal["r", "w", "a"] = "r" if mode == "r" else "w" if mode == "w" else "a"
        return await ZipStore.open(path, mode=zmode)
    if mode in ("r", "r+") and not await anyio.to_thread.run_sync(path.exists):
        raise FileNotFoundError(f"{path} does not exist (mode {mode!r} opens existing data)")
    return await LocalStore.open(path, read_only=mode == "r")


async def _from_string(
    url: str, mode: AccessModeLiteral | None, storage_options: StorageOptions | None
) -> Store:
    from anyzarr.io.stores._memory import MemoryStore

    scheme, sep, rest = url.partition("://")
    if not sep:
        _no_options(storage_options, f"local path {url!r}")
        return await _local_or_zip(Path(url), mode)
    scheme = scheme.lower()
    read_only = mode == "r"
    if scheme == "file":
        _no_options(storage_options, f"URL {url!r}")
        return await _local_or_zip(Path(rest), mode)
    if scheme == "memory" and not rest.strip("/"):
        _no_options(storage_options, f"URL {url!r}")
        return await MemoryStore.open(read_only=read_only)
    if scheme in ("http", "https"):
        from anyzarr.io.stores import load_driver

        load_driver("HTTPStore")  # names the missing extra, if one is
        from anyzarr.io.stores._http import HTTPStore

        return await HTTPStore.open(url, **(storage_options or {}))
    if scheme in ("s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "azure"):
        from anyzarr.io.stores import load_driver

        load_driver("ObjectStore")  # names the missing extra, if one is
        from obstore.store import from_url

        from anyzarr.io.stores._object import ObjectStore

        # Which keywords apply depends on the scheme; obstore checks them.
        options: dict[str, Any] = dict(storage_options or {})
        backend = from_url(url, **options)
        store: Store = ObjectStore(backend, read_only=read_only)
        await store._ensure_open()
        return store
    FsspecStore = _fsspec_store_class()
    store = FsspecStore.from_url(url, storage_options=storage_options, read_only=read_only)
    await store._ensure_open()
    return store


def _fsspec_store_class() -> type[FsspecStore]:
    """FsspecStore, after checking that fsspec is installed (the driver imports it lazily)."""
    import_optional("fsspec", "FsspecStore")
    from anyzarr.io.stores._fsspec import FsspecStore

    return FsspecStore


async def _from_fsspec_mapper(
    obj: object, mode: AccessModeLiteral | None, storage_options: StorageOptions | None
) -> Store | None:
    if type(obj).__name__ != "FSMap":
        return None
    _no_options(storage_options, "an fsspec mapper")
    store = _fsspec_store_class().from_mapper(obj, read_only=mode == "r")
    await store._ensure_open()
    return store


async def make_store_path(
    store_like: StoreLike,
    *,
    path: str | None = "",
    mode: AccessModeLiteral | None = None,
    storage_options: StorageOptions | None = None,
) -> StorePath:
    """Resolve ``store_like`` to a :class:`StorePath`.

    ``store_like`` may be a :class:`Store`; a :class:`StorePath` (``path`` is
    joined below its path); a local ``str`` or :class:`~pathlib.Path` (a
    :class:`LocalStore`, or a :class:`ZipStore` when it ends in ``.zip``); a
    dict (a :class:`MemoryStore` over it); ``None`` or ``"memory://"`` (a new
    :class:`MemoryStore`); a ``file://`` URL; an ``http(s)://`` URL
    (:class:`HTTPStore`); an ``s3://``, ``gs://`` or ``az://`` URL
    (:class:`ObjectStore`); any other URL (:class:`FsspecStore`).
    ``storage_options`` go to remote stores and are an error elsewhere.

    ``mode`` follows zarr-python 3.4: ``"r"`` gives a read-only store,
    ``"r"``/``"r+"`` need local paths to exist, writing modes on a read-only
    store raise :class:`~anyzarr.errors.ReadOnlyError`, ``"w-"`` raises
    :class:`FileExistsError` if the path holds data, and no mode deletes
    anything.
    """
    path_normalized = normalize_path(path)
    if isinstance(store_like, StorePath):
        _no_options(storage_options, "a StorePath")
        joined = store_like / path_normalized
        return await StorePath.open(joined.store, joined.path, mode=mode)
    store = await make_store(store_like, mode=mode, storage_options=storage_options)
    return await StorePath.open(store, path_normalized, mode=mode)
