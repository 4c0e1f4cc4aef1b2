"""A store inside a single zip file."""

from __future__ import annotations

import io
import os
import threading
import zipfile
from collections.abc import AsyncIterator, Callable, Coroutine, Generator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, TypeVar

import anyio.to_thread

from anyzarr.io._store import Store, resolve_prototype
from anyzarr.io.stores._common import (
    check_buffer,
    check_key,
    check_storable,
    dir_prefix,
    instance_attribute,
    list_dir_names,
)
from anyzarr.protocol._byte_request import ByteRequest, slice_for
from anyzarr.protocol._errors import DataError, UnsupportedOperationError

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer, BufferPrototype

__all__ = ["ZipFileError", "ZipStore", "ZipStoreAccessModeLiteral"]

T = TypeVar("T")
ZipStoreAccessModeLiteral = Literal["r", "w", "a", "x"]


class ZipFileError(DataError, ValueError):
    """The file behind a `ZipStore` is not a readable zip archive; the message names it.

    A zip archive gets its central directory when the writer closes it, so
    this is also what a second store opening a file that a `ZipStore` is
    still writing raises.
    """


class ZipStore(Store):
    """Keys as members of one zip archive.

    Zip archives cannot drop members, so deleting a stored key raises
    :class:`~anyzarr.errors.UnsupportedOperationError` (deleting an absent
    key does nothing, and arrays store fill-value chunks rather than delete
    them); writing a key again
    appends a new member that shadows the old one.  A lock guards the archive,
    so one store may be used from many tasks and threads; the archive is
    opened on first use and its directory is written by :meth:`close`.

    Parameters
    ----------
    path
        The zip file, or an open binary file object (anything with
        ``read``/``seek``/``tell``; one that is not an :class:`io.IOBase`,
        such as obstore's reader, is read only).  A file object is the
        caller's to close, after the store; such a store cannot be pickled,
        cleared or moved.
    mode
        ``"r"`` read an existing file, ``"w"`` truncate or create, ``"a"``
        append (create if absent), ``"x"`` create, failing if it exists.
    read_only
        Defaults to ``mode == "r"``.
    compression
        A :mod:`zipfile` compression constant for new members.
    allowZip64
        Allow archives over 2 GiB (ZIP64 extensions).
    """

    supports_writes: bool = True
    supports_deletes: bool = False
    supports_listing: bool = True

    path: Path | None = instance_attribute("The zip file (None when given a file object).")
    compression: int = instance_attribute("The zipfile compression constant for new members.")
    allowZip64: bool = instance_attribute("Whether ZIP64 extensions (archives over 2 GiB) are on.")

    def __init__(
        self,
        path: Path | str | IO[bytes],
        *,
        mode: ZipStoreAccessModeLiteral = "r",
        read_only: bool | None = None,
        compression: int = zipfile.ZIP_STORED,
        allowZip64: bool = True,
        concurrency: int | None = None,
    ) -> None:
        if mode not in ("r", "w", "a", "x"):
            raise ValueError(f"ZipStore mode must be 'r', 'w', 'a' or 'x', got {mode!r}")
        if read_only is None:
            read_only = mode == "r"
        super().__init__(read_only=read_only, concurrency=concurrency)
        self._fileobj: IO[bytes] | None = None
        if isinstance(path, str | os.PathLike):
            self.path = Path(path)
        else:
            self.path = None
            self._fileobj = _as_file(path, mode)
        self._zmode: ZipStoreAccessModeLiteral = mode
        self.compression = compression
        self.allowZip64 = allowZip64
        self._lock = threading.RLock()
        self._zf: zipfile.ZipFile | None = None

    def with_read_only(self, read_only: bool = False) -> ZipStore:
        """A new, not yet open store over the same zip file.

        A read-only copy opens the file in mode ``"r"``, a writable one in
        ``"a"`` (never truncating).  Each copy has its own handle on the
        file, so a copy opened before another finishes writing does not see
        those members: close the writer first.
        """
        return type(self)(
            self._fileobj if self.path is None else self.path,  # type: ignore[arg-type]
            mode="r" if read_only else "a",
            read_only=read_only,
            compression=self.compression,
            allowZip64=self.allowZip64,
            concurrency=self._concurrency,
        )

    # -- lifecycle ---------------------------------------------------------

    def _sync_open(self) -> zipfile.ZipFile:
        with self._lock:
            if self._zf is None:
                target = self._reopenable_file() if self.path is None else self.path
                try:
                    self._zf = zipfile.ZipFile(
                        target,
                        mode=self._zmode,
                        compression=self.compression,
                        allowZip64=self.allowZip64,
                    )
                except zipfile.BadZipFile as exc:
                    where = self.path if self.path is not None else "the file object"
                    raise ZipFileError(
                        f"{where} is not a readable zip archive ({exc}); a zip file "
                        "still being written by another ZipStore is readable once "
                        "that store is closed"
                    ) from exc
                # Reopening after close must not truncate what was written.
                if self._zmode in ("w", "x"):
                    self._zmode = "a"
                self._is_open = True
            return self._zf

    async def _open(self) -> None:
        if self._is_open:
            raise ValueError(f"store {self!r} is already open")
        await anyio.to_thread.run_sync(self._sync_open)

    async def _ensure_open(self) -> None:
        if self._zf is None:
            await anyio.to_thread.run_sync(self._sync_open)

    def _sync_close(self) -> None:
        with self._lock:
            if self._zf is not None:
                self._zf.close()
                self._zf = None
            self._is_open = False

    def _reopenable_file(self) -> IO[bytes]:
        fileobj = self._fileobj
        assert fileobj is not None
        if self._zmode == "a" and not (fileobj.readable() and fileobj.seekable()):
            # Appending reads the archive back; without that a new one would
            # start after it and the entries already written would be lost.
            raise io.UnsupportedOperation(
                f"{self!r} cannot be reopened for writing: its file object is not "
                "readable and seekable"
            )
        return fileobj

    def close(self) -> Coroutine[Any, Any, None]:
        """Write the archive's directory and close the file, at once.

        zarr-python's ``ZipStore.close()`` is a plain call, so this one closes
        when called (blocking briefly); the returned awaitable is already
        done, so ``await store.close()`` works too.
        """
        self._sync_close()
        return _Done()

    def _close_now(self) -> None:
        # ``with store:`` closes at once, blocking briefly, as zarr-python does.
        self._sync_close()

    def __del__(self) -> None:
        # An unclosed writable archive lacks its directory; finish it.
        try:
            self._sync_close()
        except Exception:
            pass

    def __getstate__(self) -> dict[str, Any]:
        # The open archive and the lock stay behind; the copy reopens lazily
        # in append mode so it never truncates the file.
        if self._fileobj is not None:
            raise TypeError(
                f"cannot pickle a ZipStore backed by a file-like object ({self._fileobj!r}); "
                "give the store a path to share it between processes"
            )
        state = super().__getstate__()
        state["_zf"] = None
        state["_lock"] = None
        state["_is_open"] = False
        if state["_zmode"] in ("w", "x"):
            state["_zmode"] = "a"
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"ZipStore('{self}')"

    def __str__(self) -> str:
        if self.path is None:
            return f"zip://{self._fileobj!r}"
        return f"zip://{self.path.as_posix()}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return False
        if self.path is None or other.path is None:
            return self._fileobj is other._fileobj
        return self.path == other.path

    def _needs_path(self, operation: str) -> Path:
        if self.path is None:
            raise UnsupportedOperationError(
                f"{operation}() needs a file on disk; {self!r} is backed by a file-like object"
            )
        return self.path

    def _check_claimed(self, operation: str) -> None:
        # A store in mode "x" that was never opened has not claimed its file:
        # refuse a file someone else made, as the first open would.
        if self._zmode == "x" and self.path is not None and self.path.exists():
            raise FileExistsError(
                f"cannot {operation} {self.path}: it exists and mode 'x' only creates"
            )

    __hash__ = None  # type: ignore[assignment]

    async def _run(self, func: Callable[[zipfile.ZipFile], T]) -> T:
        def locked() -> T:
            with self._lock:
                return func(self._sync_open())

        return await anyio.to_thread.run_sync(locked, limiter=self.limiter)

    def _names(self, zf: zipfile.ZipFile) -> list[str]:
        # Later members shadow earlier ones with the same name; list each once.
        return [name for name in dict.fromkeys(zf.namelist()) if not name.endswith("/")]

    # -- reading -----------------------------------------------------------

    async def get(
        self,
        key: str,
        prototype: BufferPrototype | None = None,
        byte_range: ByteRequest | None = None,
    ) -> Buffer | None:
        proto = resolve_prototype(prototype)
        check_storable(key)

        def read(zf: zipfile.ZipFile) -> bytes | None:
            try:
                info = zf.getinfo(key)
            except KeyError:
                return None
            piece = slice_for(byte_range, info.file_size)
            start, stop = max(piece.start, 0), min(piece.stop, info.file_size)
            with zf.open(info) as f:
                if start:
                    f.seek(start)
                return f.read(max(stop - start, 0))

        data = await self._run(read)
        return None if data is None else proto.buffer.from_bytes(data)

    async def exists(self, key: str) -> bool:
        check_storable(key)

        def has(zf: zipfile.ZipFile) -> bool:
            try:
                zf.getinfo(key)
            except KeyError:
                return False
            return True

        return await self._run(has)

    async def getsize(self, key: str) -> int:
        def size(zf: zipfile.ZipFile) -> int:
            try:
                return zf.getinfo(key).file_size
            except KeyError:
                raise FileNotFoundError(f"no value at key {key!r} in {self.path}") from None

        return await self._run(size)

    async def getsize_prefix(self, prefix: str) -> int:
        prefix = dir_prefix(prefix)

        def total(zf: zipfile.ZipFile) -> int:
            return sum(
                zf.getinfo(name).file_size for name in self._names(zf) if name.startswith(prefix)
            )

        return await self._run(total)

    # -- writing -----------------------------------------------------------

    async def set(self, key: str, value: Buffer) -> None:
        # Members are paths to whoever extracts the archive: no '..' or '/x'.
        check_key(key)
        self._check_writable(key)
        data = check_buffer(key, value).as_numpy_array()

        def write(zf: zipfile.ZipFile) -> None:
            # Forget the old member first so zipfile does not warn about the
            # duplicate name; the new member shadows it for every reader.
            zf.NameToInfo.pop(key, None)
            info = zipfile.ZipInfo(key, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = self.compression
            info.external_attr = 0o644 << 16
            zf.writestr(info, memoryview(data))

        await self._run(write)

    async def set_if_not_exists(self, key: str, value: Buffer) -> None:
        check_key(key)
        self._check_writable(key)
        data = check_buffer(key, value).as_numpy_array()

        def write(zf: zipfile.ZipFile) -> None:
            if key in zf.NameToInfo:
                return
            info = zipfile.ZipInfo(key, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = self.compression
            info.external_attr = 0o644 << 16
            zf.writestr(info, memoryview(data))

        # The lock makes the check and the write one step.
        await self._run(write)

    async def delete(self, key: str) -> None:
        """Do nothing for an absent key (the store contract); refuse a present one."""
        self._check_writable(key)
        if not await self.exists(key):
            return
        raise UnsupportedOperationError(
            f"cannot delete key {key!r}: zip archives do not support deleting members"
        )

    async def delete_dir(self, prefix: str) -> None:
        self._check_writable(prefix)
        start = dir_prefix(prefix)
        if not start:
            await self.clear()
            return
        held = [name for name in await self._run(self._names) if name.startswith(start)]
        if held:
            raise UnsupportedOperationError(
                f"cannot delete {start!r} (holding key {held[0]!r}): "
                "zip archives do not support deleting members"
            )

    async def clear(self) -> None:
        """Empty the archive by truncating the file."""
        self._check_writable()
        self._needs_path("clear")

        def truncate() -> None:
            with self._lock:
                self._check_claimed("clear")
                if self._zf is not None:
                    self._zf.close()
                    self._zf = None
                self._zmode = "w"
                self._sync_open()

        await anyio.to_thread.run_sync(truncate, limiter=self.limiter)

    async def move(self, path: Path | str) -> None:
        """Move the zip file to ``path``, closing it first.

        Raises
        ------
        FileExistsError
            When ``path`` already exists.
        """
        source = self._needs_path("move")
        dest = Path(path)

        def move() -> None:
            with self._lock:
                self._check_claimed("move")
                if dest.exists():
                    raise FileExistsError(f"cannot move {source} to {dest}: it exists")
                if self._zf is not None:
                    self._zf.close()
                    self._zf = None
                    self._is_open = False
                if self._zmode in ("w", "x"):
                    self._zmode = "a"
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, dest)
                self.path = dest

        await anyio.to_thread.run_sync(move, limiter=self.limiter)

    # -- listing -----------------------------------------------------------

    async def list(self) -> AsyncIterator[str]:
        for name in await self._run(self._names):
            yield name

    async def list_prefix(self, prefix: str) -> AsyncIterator[str]:
        for name in await self._run(self._names):
            if name.startswith(prefix):
                yield name

    async def list_dir(self, prefix: str) -> AsyncIterator[str]:
        for name in list_dir_names(await self._run(self._names), prefix):
            yield name


class _Done(Coroutine[Any, Any, None]):
    """An awaitable that is already finished (and harmless when never awaited)."""

    def __await__(self) -> Generator[Any, None, None]:
        return
        yield  # pragma: no cover  # makes this a generator

    def send(self, value: Any) -> Any:
        raise StopIteration

    def throw(self, *args: Any) -> Any:
        raise StopIteration

    def close(self) -> None:
        pass


class _RawReaderAdapter(io.RawIOBase):
    """A reader with only ``read``/``seek``/``tell`` (obstore's) as a raw stream.

    Reads are clamped to the end, as some readers raise on a short read.
    """

    def __init__(self, reader: Any) -> None:
        super().__init__()
        self._reader = reader
        self._size = reader.seek(0, io.SEEK_END)
        reader.seek(0)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return int(self._reader.seek(offset, whence))

    def tell(self) -> int:
        return int(self._reader.tell())

    def readinto(self, buffer: Any) -> int:
        wanted = min(len(buffer), max(0, self._size - self.tell()))
        if wanted == 0:
            return 0
        data = memoryview(self._reader.read(wanted)).cast("B")
        buffer[: len(data)] = data
        return len(data)


def _as_file(fileobj: object, mode: str) -> IO[bytes]:
    if not all(callable(getattr(fileobj, name, None)) for name in ("read", "seek", "tell")):
        raise TypeError(
            "ZipStore needs a path or a binary file object with read/seek/tell, "
            f"got {type(fileobj).__name__}"
        )
    if isinstance(fileobj, io.IOBase):
        return fileobj  # type: ignore[return-value]
    if mode != "r":
        raise TypeError(
            f"a {type(fileobj).__name__} (not an io.IOBase) can only be opened for reading "
            f"(mode 'r'), not mode {mode!r}"
        )
    return io.BufferedReader(_RawReaderAdapter(fileobj))
