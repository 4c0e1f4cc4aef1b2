"""A store over a directory of the local file system."""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import AsyncIterator, Callable, Hashable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Self, TypeVar

import anyio.to_thread
import numpy as np

from anyzarr.io._batch_io import BatchIO, Version, follows_own_io
from anyzarr.io._store import Store, resolve_prototype
from anyzarr.io.stores._common import (
    check_buffer,
    check_key,
    check_prefix,
    dir_prefix,
    instance_attribute,
)
from anyzarr.io.stores._temp_files import TEMP_SUFFIX, open_temp, remove_leftovers, sweep_once
from anyzarr.protocol._byte_request import (
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    SuffixByteRequest,
)
from anyzarr.protocol.codecs import GetRequest
from anyzarr.protocol.codecs._base import RawBytes

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer, BufferPrototype

__all__ = ["LocalStore"]

T = TypeVar("T")

# Temp files are hidden and carry this suffix so listings can skip them.
_TEMP_SUFFIX = TEMP_SUFFIX

# Reads are grouped so one worker-thread hop serves several small files.
_BATCH = 16

AccessMode = Literal["r", "r+", "a", "w", "w-"]


_OPEN_READ = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)


# Where the kernel copies file data into user memory matters: into a
# destination that is not 32-byte aligned, ``read`` ran 6-16x slower than
# into an aligned one on this project's machines (AMD EPYC, whose string-copy
# instructions are slow on such addresses), and malloc'd buffers (a
# ``bytearray``, or the data of a ``bytes`` object) are only 16-byte aligned.
# Reads of more than a few KiB therefore land in 64-byte aligned memory.
_ALIGN = 64
_ALIGN_FROM = 16 * 1024


def _aligned(nbytes: int) -> memoryview:
    """A fresh writable buffer of ``nbytes`` that starts on an ``_ALIGN`` boundary."""
    raw = np.empty(nbytes + _ALIGN, dtype=np.uint8)
    start = -raw.ctypes.data % _ALIGN
    return memoryview(raw[start : start + nbytes])


def _pread_into(fd: int, target: memoryview, start: int) -> int:
    """Fill ``target`` from offset ``start``; the count read (less at the end of the file)."""
    got = 0
    size = target.nbytes
    while got < size:
        n = os.preadv(fd, [target[got:]], start + got)
        if n == 0:
            break
        got += n
    return got


def _pread_all(fd: int, start: int, length: int) -> bytes | memoryview:
    """``length`` bytes from ``start`` (fewer at the end of the file)."""
    if length < _ALIGN_FROM:
        data = os.pread(fd, length, start)
        if len(data) == length or not data:
            return data
        parts = [data]
        got = len(data)
        while got < length:
            more = os.pread(fd, length - got, start + got)
            if not more:
                break
            parts.append(more)
            got += len(more)
        return b"".join(parts)
    target = _aligned(length)
    return target[: _pread_into(fd, target, start)]


def _read(path: str, byte_range: ByteRequest | None) -> bytes | memoryview | None:
    # Plain descriptors rather than file objects: for small chunks the
    # Python-level file object costs more than the system calls.
    try:
        fd = os.open(path, _OPEN_READ)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    try:
        length: int | None = None
        if byte_range is None:
            start = 0
        elif isinstance(byte_range, RangeByteRequest):
            start = max(byte_range.start, 0)
            length = max(byte_range.end - start, 0)
        elif isinstance(byte_range, OffsetByteRequest):
            start = max(byte_range.offset, 0)
        elif isinstance(byte_range, SuffixByteRequest):
            start = max(os.fstat(fd).st_size - byte_range.suffix, 0)
        else:
            raise TypeError(f"unexpected byte request for {path}: {byte_range!r}")
        if length is None:
            length = max(os.fstat(fd).st_size - start, 0)
        return _pread_all(fd, start, length)
    except IsADirectoryError:
        return None
    finally:
        os.close(fd)


# Per-thread scratch space for whole-file batch reads: reading into memory
# that is already mapped avoids the page faults of a fresh buffer per file,
# which cost more than the copy itself.  Batches larger than this get a
# one-off buffer rather than pinning the memory in the thread.
_SCRATCH_KEEP = 32 * 1024 * 1024
_scratch = threading.local()


def _scratch_area(total: int) -> memoryview:
    area: memoryview | None = getattr(_scratch, "area", None)
    if area is None or area.nbytes < total:
        area = _aligned(total)
        if total <= _SCRATCH_KEEP:
            _scratch.area = area
    return area


#: Objects whose size hint is at most this are read with one system call and
#: no size query: a short read of a regular file means its end.  (Larger
#: reads may come back short on FUSE and network file systems, and for them
#: one ``fstat`` more costs nothing worth saving.)
_HINTED_READ_MAX = 64 * 1024


def _read_whole_into_scratch(
    paths: Sequence[str], hints: Sequence[int | None] | None = None
) -> list[memoryview | RawBytes | None]:
    """Read whole files into this thread's scratch buffer; None for missing files.

    Each file starts on an ``_ALIGN`` boundary of the (aligned) scratch area.
    ``hints[i]`` (see `GetRequest.size_hint`) lets a small file be read with
    one ``preadv`` and no ``fstat``: into room for one byte more than the
    hint, so that a file larger than its hint is noticed and read whole.
    """
    fds: list[int | None] = []
    sizes: list[int] = []  # the bytes to make room for
    sized: list[bool] = []  # whether that is the file's size (else the hint + 1)
    try:
        for n, path in enumerate(paths):
            try:
                opened = os.open(path, _OPEN_READ)
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                fds.append(None)
                sizes.append(0)
                sized.append(True)
                continue
            fds.append(opened)
            hint = None if hints is None else hints[n]
            if hint is not None and hint < _HINTED_READ_MAX:
                sizes.append(hint + 1)
                sized.append(False)
            else:
                sizes.append(os.fstat(opened).st_size)
                sized.append(True)
        slots = [-(-size // _ALIGN) * _ALIGN for size in sizes]
        view = _scratch_area(sum(slots))
        found: list[memoryview | RawBytes | None] = []
        offset = 0
        for path, fd, size, exact, slot in zip(paths, fds, sizes, sized, slots, strict=True):
            if fd is None:
                found.append(None)
                continue
            target = view[offset : offset + size]
            offset += slot
            if exact:
                if _pread_into(fd, target, 0) < size:  # the file shrank while being read
                    raise OSError(f"short read of {path}: fewer than {size} bytes")
                found.append(target)
                continue
            got = os.preadv(fd, [target], 0)
            if got < size:  # the whole file
                found.append(target[:got])
            else:  # larger than its hint: read it whole all the same
                found.append(_pread_all(fd, 0, os.fstat(fd).st_size))
        return found
    finally:
        for maybe in fds:
            if maybe is not None:
                os.close(maybe)


def _read_many(
    items: list[tuple[str, ByteRequest | None]],
) -> list[bytes | memoryview | None]:
    return [_read(path, byte_range) for path, byte_range in items]


def _temp_for(path: str) -> tuple[int, str]:
    parent, name = os.path.split(path)
    try:
        fd, temp = open_temp(parent, name)
    except FileNotFoundError:
        # Only the first chunk written to a directory pays for creating it.
        os.makedirs(parent, exist_ok=True)
        sweep_once(parent, created=True)
        return open_temp(parent, name)
    sweep_once(parent)
    return fd, temp


def _write_all(fd: int, data: memoryview) -> None:
    view = data.cast("B") if data.ndim != 1 or data.format != "B" else data
    while view.nbytes:
        view = view[os.write(fd, view) :]


def _write_temp(path: str, data: memoryview) -> str:
    """Write ``data`` to a new temp file beside ``path``; return the temp name."""
    fd, tmp = _temp_for(path)
    try:
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def _write(path: str, data: memoryview) -> None:
    # Readers see the old file or the new one, never a torn write.
    tmp = _write_temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _write_if_absent(path: str, data: memoryview) -> None:
    tmp = _write_temp(path, data)
    try:
        # A hard link fails if the target exists: the check and the write are
        # one atomic step, and the content appears complete.
        os.link(tmp, path)
    except FileExistsError:
        pass
    except OSError:
        # File systems without hard links: exclusive create, then fill.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
    finally:
        os.unlink(tmp)


def _delete(path: str) -> None:
    # Unlink first: keys are almost always files, and this saves a stat.
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except (IsADirectoryError, PermissionError):
        if not os.path.isdir(path):
            raise
        shutil.rmtree(path, ignore_errors=True)


# Conditional writes (read-modify-write by several processes) take an
# advisory lock on this file in the object's directory around the check and
# the rename, and remove it again; it is hidden from listings like temp files.
_LOCK_NAME = ".anyzarr-lock"
_HAVE_FLOCK = hasattr(os, "O_CLOEXEC") and sys.platform != "win32"


def _hidden(name: str) -> bool:
    """Whether a directory entry is anyzarr's own bookkeeping, not a key."""
    return name.endswith(_TEMP_SUFFIX) or name == _LOCK_NAME


def _version_of(st: os.stat_result) -> tuple[int, int, int, int]:
    # ctime as well as mtime: a replaced file may reuse the inode and, on
    # file systems with coarse timestamps, the mtime too; the rename that
    # installs it updates ctime.
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _read_versioned(path: str) -> tuple[bytes | memoryview | None, Version]:
    """The whole file and the version of the very file read (None, None if absent)."""
    try:
        fd = os.open(path, _OPEN_READ)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None, None
    try:
        st = os.fstat(fd)
        # Values are replaced by rename, never rewritten in place: the open
        # file keeps the content this version names.
        return _pread_all(fd, 0, st.st_size), _version_of(st)
    finally:
        os.close(fd)


def _lock_directory(parent: str) -> int | None:
    """Hold the advisory lock of ``parent``: a descriptor of its lock file, locked.

    The holder removes the lock file before it lets go (`_unlock_directory`),
    so no lock file outlives a write.  A waiter that wakes up holding a file
    that was removed meanwhile tries again with a new one, so two writers
    never both hold the lock.  None when ``parent`` does not exist.
    """
    import fcntl

    path = f"{parent}/{_LOCK_NAME}"
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except (FileNotFoundError, NotADirectoryError):
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                return fd
        except FileNotFoundError:
            pass  # removed by the previous holder: lock a new one
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def _unlock_directory(parent: str, fd: int) -> None:
    try:
        os.unlink(f"{parent}/{_LOCK_NAME}")
    finally:
        os.close(fd)  # releases the lock


def _replace_if(path: str, data: memoryview | None, expected: Version) -> bool:
    """Install ``data`` at ``path`` (None: delete) if its version is ``expected``."""
    tmp = _write_temp(path, data) if data is not None else None
    try:
        parent = os.path.dirname(path)
        lock = _lock_directory(parent)
        if lock is None:  # deleting in a directory that does not exist
            return expected is None
        try:
            try:
                current = _version_of(os.stat(path))
            except (FileNotFoundError, NotADirectoryError):
                current = None
            if current != expected:
                return False
            if tmp is not None:
                os.replace(tmp, path)
                tmp = None
            else:
                _delete(path)
            return True
        finally:
            _unlock_directory(parent, lock)
    finally:
        if tmp is not None:
            os.unlink(tmp)


class _LocalBatchIO(BatchIO):
    """A local store's batch IO: blocking file reads and atomic writes."""

    def __init__(self, store: LocalStore) -> None:
        super().__init__(store.concurrency)
        self._store = store

    def _read(
        self, requests: Sequence[GetRequest], scratch: bool
    ) -> list[RawBytes | Buffer | None]:
        file = self._store._file
        if scratch and all(r.byte_range is None for r in requests):
            return list(
                _read_whole_into_scratch(
                    [file(r.key) for r in requests], [r.size_hint for r in requests]
                )
            )
        return [_read(file(r.key), r.byte_range) for r in requests]

    def _write(self, items: Sequence[tuple[str, Buffer | None]]) -> None:
        store = self._store
        store._check_writable(items[0][0] if items else "")
        for key, value in items:
            path = store._file(key)
            if value is None:
                _delete(path)
            else:
                _write(path, memoryview(check_buffer(key, value).as_numpy_array()))

    @property
    def supports_conditional_writes(self) -> bool:
        return _HAVE_FLOCK

    def _read_versioned(
        self, keys: Sequence[str]
    ) -> list[tuple[RawBytes | Buffer | None, Version]]:
        file = self._store._file
        return [_read_versioned(file(key)) for key in keys]

    def _write_if_unchanged(
        self, items: Sequence[tuple[str, Buffer | None, Version]]
    ) -> list[bool]:
        store = self._store
        store._check_writable(items[0][0] if items else "")
        done: list[bool] = []
        for key, value, version in items:
            data = None if value is None else memoryview(check_buffer(key, value).as_numpy_array())
            done.append(_replace_if(store._file(key), data, version))
        return done

    def version(self, key: str) -> Hashable | None:
        """The file's identity and times: changes whenever the file is replaced or altered."""
        path = self._store._file(key)
        try:
            st = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        return ("file", path, *_version_of(st))


def _walk(root: Path, start: Path) -> list[tuple[str, int]]:
    """Keys (relative to ``root``) and sizes of every file under ``start``."""
    found: list[tuple[str, int]] = []
    if not start.is_dir():
        return found
    for dirpath, _dirs, files in os.walk(start):
        base = Path(dirpath)
        for name in files:
            if _hidden(name):
                continue
            path = base / name
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                continue
            found.append((path.relative_to(root).as_posix(), size))
    return found


def _scandir(path: Path) -> list[str]:
    try:
        with os.scandir(path) as entries:
            return [e.name for e in entries if not _hidden(e.name)]
    except (FileNotFoundError, NotADirectoryError):
        return []


class LocalStore(Store):
    """Keys as files below a root directory.

    Writes are atomic: the value goes to a temp file in the target directory
    and is renamed over the target, so a reader (or a cancelled or crashed
    writer) sees the old value or the new one.  Temp files are never listed;
    those a crashed writer left behind are removed by this process's first
    write into their directory, or by :meth:`remove_leftovers`.  File IO runs in worker threads under the
    store's capacity limiter; reads of many keys are batched into few thread
    hops.  Keys that would escape the root raise
    :class:`~anyzarr.errors.UnsafeKeyError`.

    Parameters
    ----------
    root
        The directory holding the hierarchy; created on first write.
    read_only
        Refuse writes.
    concurrency
        Size of the capacity limiter (default: config ``async.concurrency``).
    """

    supports_writes: bool = True
    supports_deletes: bool = True
    supports_listing: bool = True

    root: Path = instance_attribute("The directory holding the hierarchy.")

    def __init__(
        self, root: Path | str, *, read_only: bool = False, concurrency: int | None = None
    ) -> None:
        super().__init__(read_only=read_only, concurrency=concurrency)
        if isinstance(root, str):
            root = Path(root)
        if not isinstance(root, Path):
            raise TypeError(f"LocalStore root must be a str or Path, got {type(root).__name__}")
        self.root = root

    @classmethod
    async def open(
        cls,
        root: Path | str,
        *,
        read_only: bool = False,
        mode: AccessMode | None = None,
        concurrency: int | None = None,
    ) -> Self:
        """Open a store at ``root``; ``mode`` ``"r"`` makes it read-only.

        Like zarr-python 3.4, no mode deletes anything; a writable store
        creates its root directory.
        """
        store = cls(root, read_only=read_only or mode == "r", concurrency=concurrency)
        await store._open()
        return store

    async def _open(self) -> None:
        if not self.read_only:
            await anyio.to_thread.run_sync(lambda: self.root.mkdir(parents=True, exist_ok=True))
        await super()._open()

    def _open_here(self) -> bool:
        if self._is_open:
            return True
        if type(self)._open is not LocalStore._open:
            return False
        if not self.read_only:
            self.root.mkdir(parents=True, exist_ok=True)
        self._is_open = True
        return True

    def with_read_only(self, read_only: bool = False) -> LocalStore:
        """A store over the same directory with the given read-only flag."""
        return type(self)(self.root, read_only=read_only, concurrency=self._concurrency)

    def __repr__(self) -> str:
        return f"LocalStore('{self}')"

    def __str__(self) -> str:
        return f"file://{self.root.as_posix()}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and self.root == other.root

    __hash__ = None  # type: ignore[assignment]

    async def _run(self, func: Callable[[], T]) -> T:
        return await anyio.to_thread.run_sync(func, limiter=self.limiter)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _file(self, key: str) -> str:
        """The file name of ``key`` as a string: cheaper than a ``Path`` per chunk."""
        root = os.fspath(self.root)
        return f"{root}{check_key(key)}" if root.endswith("/") else f"{root}/{check_key(key)}"

    def _dir(self, prefix: str) -> Path:
        stripped = check_prefix(prefix)
        return self.root / stripped if stripped else self.root

    # -- reading -----------------------------------------------------------

    async def get(
        self,
        key: str,
        prototype: BufferPrototype | None = None,
        byte_range: ByteRequest | None = None,
    ) -> Buffer | None:
        path = self._file(key)
        proto = resolve_prototype(prototype)
        data = await self._run(lambda: _read(path, byte_range))
        return None if data is None else proto.buffer.from_bytes(data)

    async def get_partial_values(
        self,
        prototype: BufferPrototype | None,
        key_ranges: Iterable[tuple[str, ByteRequest | None]],
    ) -> list[Buffer | None]:
        proto = resolve_prototype(prototype)
        items = [(self._file(key), byte_range) for key, byte_range in key_ranges]
        # Enough batches to use the limiter's width, each big enough that the
        # thread hop is not the cost that dominates.
        size = max(1, min(_BATCH, -(-len(items) // self.concurrency)))
        batches = [items[i : i + size] for i in range(0, len(items), size)]
        results: list[Buffer | None] = [None] * len(items)

        async def run_batch(index: int, batch: list[tuple[str, ByteRequest | None]]) -> None:
            datas = await self._run(lambda: _read_many(batch))
            for offset, data in enumerate(datas):
                if data is not None:
                    results[index * size + offset] = proto.buffer.from_bytes(data)

        async with anyio.create_task_group() as tg:
            for index, batch in enumerate(batches):
                tg.start_soon(run_batch, index, batch)
        return results

    # -- batch IO and conditional writes -------------------------------------

    def _lock_scope(self) -> Hashable:
        # Resolved once per store, as its key locks are (`Store._write_locks`):
        # every read asks, and resolving walks the path with a system call
        # per component.
        scope = self.__dict__.get("_scope")
        if scope is None:
            scope = self.__dict__["_scope"] = ("file", os.path.realpath(self.root))
        return scope

    def batch_io(self) -> BatchIO | None:
        """Blocking batch IO over the files, unless a subclass changed ``get``/``set``."""
        if not follows_own_io(self, "batch_io"):
            return None
        io = self.__dict__.get("_batch")
        if io is None:
            io = self.__dict__["_batch"] = _LocalBatchIO(self)
        return io

    @property
    def supports_conditional_writes(self) -> bool:
        return _HAVE_FLOCK and follows_own_io(self, "set_if_unchanged")

    async def get_versioned(
        self, key: str, prototype: BufferPrototype | None = None
    ) -> tuple[Buffer | None, Version]:
        path = self._file(key)
        proto = resolve_prototype(prototype)
        data, version = await self._run(lambda: _read_versioned(path))
        return (None if data is None else proto.buffer.from_bytes(data)), version

    async def set_if_unchanged(self, key: str, value: Buffer | None, version: Version) -> bool:
        self._check_writable(key)
        path = self._file(key)
        data = None if value is None else memoryview(check_buffer(key, value).as_numpy_array())
        return await self._run(lambda: _replace_if(path, data, version))

    async def exists(self, key: str) -> bool:
        path = self._path(key)
        return await self._run(path.is_file)

    async def getsize(self, key: str) -> int:
        path = self._path(key)

        def size() -> int:
            if not path.is_file():
                raise FileNotFoundError(f"no value at key {key!r} ({path})")
            return path.stat().st_size

        return await self._run(size)

    async def getsize_prefix(self, prefix: str) -> int:
        # ``prefix`` names a directory, as in zarr-python: "a" counts a/..., not ab/...
        root = self.root
        start = self._dir(dir_prefix(prefix))
        return await self._run(lambda: sum(size for _, size in _walk(root, start)))

    async def is_empty(self, prefix: str = "") -> bool:
        start = self._dir(prefix)

        def empty() -> bool:
            if not start.is_dir():
                return True
            for _dirpath, _dirs, files in os.walk(start):
                if any(not _hidden(name) for name in files):
                    return False
            return True

        return await self._run(empty)

    # -- writing -----------------------------------------------------------

    async def set(self, key: str, value: Buffer) -> None:
        self._check_writable(key)
        path = self._file(key)
        data = memoryview(check_buffer(key, value).as_numpy_array())
        await self._run(lambda: _write(path, data))

    async def set_if_not_exists(self, key: str, value: Buffer) -> None:
        self._check_writable(key)
        path = self._file(key)
        data = memoryview(check_buffer(key, value).as_numpy_array())
        await self._run(lambda: _write_if_absent(path, data))

    async def delete(self, key: str) -> None:
        self._check_writable(key)
        path = self._file(key)
        await self._run(lambda: _delete(path))

    async def delete_dir(self, prefix: str) -> None:
        self._check_writable(prefix)
        path = self._dir(prefix)
        if path == self.root:
            await self.clear()
            return
        await self._run(lambda: shutil.rmtree(path, ignore_errors=True))

    async def clear(self) -> None:
        self._check_writable()
        root = self.root

        def wipe() -> None:
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir(parents=True, exist_ok=True)

        await self._run(wipe)

    async def move(self, dest_root: Path | str) -> None:
        """Move the whole store to ``dest_root`` and keep using it there.

        Raises
        ------
        FileExistsError
            When ``dest_root`` already exists.
        """
        dest = Path(dest_root)
        source = self.root

        def move() -> None:
            if dest.exists():
                raise FileExistsError(f"cannot move {source} to {dest}: destination exists")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(source, dest)

        await self._run(move)
        self.root = dest

    async def remove_leftovers(self, prefix: str = "") -> list[str]:
        """Remove the temp files that crashed writers left below ``prefix``.

        A temp file is left over when the process that wrote it no longer
        runs on this host, or when it has not been touched for an hour
        (``LEFTOVER_MAX_AGE``); temp files of live writers are kept.  Walks
        the whole directory tree: this is a repair step (the CLI's
        ``check --repair``), not something to run before every write.

        Returns the removed files' paths relative to the root, sorted.

        Raises
        ------
        ReadOnlyError
            When the store is read-only.
        """
        self._check_writable()
        root = self.root
        start = self._dir(prefix)
        return await self._run(lambda: remove_leftovers(root, start))

    # -- listing -----------------------------------------------------------

    async def list(self) -> AsyncIterator[str]:
        root = self.root
        for key, _ in await self._run(lambda: _walk(root, root)):
            yield key

    async def list_prefix(self, prefix: str) -> AsyncIterator[str]:
        root = self.root
        parent = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        start = self._dir(parent)
        for key, _ in await self._run(lambda: _walk(root, start)):
            if key.startswith(prefix):
                yield key

    async def list_dir(self, prefix: str) -> AsyncIterator[str]:
        path = self._dir(prefix)
        for name in await self._run(lambda: _scandir(path)):
            yield name
