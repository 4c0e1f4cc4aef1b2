"""The temp files of LocalStore's atomic writes, and the leftovers of crashed writers.

A value is written to a hidden temp file beside its key, then renamed over
it.  A writer killed between the two (SIGKILL, power loss) leaves the temp
file behind.  Such files are recognisable: their names start with ``.`` and
end with ``TEMP_SUFFIX``, and name the host and process that wrote them::

    .<key name>.<host tag>-<pid>-<thread id>-<counter>.anyzarr-partial

Listings never show them.  A temp file is a *leftover* when the process
that wrote it is gone: same host tag and no live process with its pid, or,
whatever its name (another host on a shared file system, mkstemp's names),
untouched for ``LEFTOVER_MAX_AGE`` seconds.  Leftovers are removed

- by the first write this process makes into a directory (one ``scandir``
  per directory per process, not per write), and
- by ``LocalStore.remove_leftovers()``, which walks the whole store.

A live writer's temp file is never removed, so its rename cannot fail.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

__all__ = [
    "LEFTOVER_MAX_AGE",
    "TEMP_SUFFIX",
    "is_leftover",
    "is_temp_name",
    "open_temp",
    "remove_leftovers",
    "sweep_once",
]

TEMP_SUFFIX = ".anyzarr-partial"
#: A temp file untouched this long (seconds) is a leftover whoever wrote it:
#: no single file write takes an hour.
LEFTOVER_MAX_AGE = 3600.0

_HOST = hashlib.blake2s(socket.gethostname().encode(), digest_size=4).hexdigest()

# Temp names need only be unique among live writers: host, process, thread
# and a counter make them so without mkstemp's random retries; O_EXCL still
# guards against a stale file left by a crashed process that had the same ids.
_temp_counter = itertools.count()
_OPEN_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)

# Directories this process has already swept (or created).  Bounded: past the
# limit it starts afresh, which costs one more scandir per directory.
_swept: set[str] = set()
_SWEPT_LIMIT = 1 << 16


def is_temp_name(name: str) -> bool:
    """Whether a file name is one of LocalStore's temp files."""
    return name.endswith(TEMP_SUFFIX)


def open_temp(parent: str, name: str) -> tuple[int, str]:
    """A new, exclusively created temp file for key file ``name`` in ``parent``."""
    temp = (
        f"{parent}/.{name}.{_HOST}-{os.getpid()}-{threading.get_ident()}-"
        f"{next(_temp_counter)}{TEMP_SUFFIX}"
    )
    try:
        # 0o666 under the umask, like any other file the user creates.
        return os.open(temp, _OPEN_NEW, 0o666), temp
    except FileExistsError:
        return tempfile.mkstemp(dir=parent, prefix=f".{name}.", suffix=TEMP_SUFFIX)


def _writer_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or no way to tell
    return True


def is_leftover(path: str, *, now: float | None = None) -> bool:
    """Whether the temp file at ``path`` was left by a writer that is gone."""
    name = os.path.basename(path)
    if not is_temp_name(name):
        return False
    fields = name[: -len(TEMP_SUFFIX)].rsplit(".", 1)[-1].split("-")
    if len(fields) == 4 and fields[0] == _HOST and fields[1].isdigit() and sys.platform != "win32":
        if not _writer_alive(int(fields[1])):
            return True
    try:
        mtime = os.stat(path).st_mtime
    except FileNotFoundError:
        return False
    return (time.time() if now is None else now) - mtime > LEFTOVER_MAX_AGE


def _sweep(directory: str) -> list[str]:
    removed: list[str] = []
    try:
        with os.scandir(directory) as entries:
            names = [e.name for e in entries if is_temp_name(e.name)]
    except (FileNotFoundError, NotADirectoryError):
        return removed
    now = time.time()
    for name in names:
        path = f"{directory}/{name}"
        if is_leftover(path, now=now):
            try:
                os.unlink(path)
            except FileNotFoundError:
                continue
            removed.append(path)
    return removed


def sweep_once(directory: str, *, created: bool = False) -> None:
    """Remove leftovers in ``directory`` the first time this process writes there.

    ``created``: this process just created the directory, so there is
    nothing to sweep.
    """
    if directory in _swept:
        return
    if len(_swept) >= _SWEPT_LIMIT:
        _swept.clear()
    _swept.add(directory)
    if not created:
        _sweep(directory)


def remove_leftovers(root: Path, start: Path) -> list[str]:
    """Remove every leftover below ``start``; their paths relative to ``root``, sorted."""
    removed: list[str] = []
    if not start.is_dir():
        return removed
    for dirpath, _dirs, files in os.walk(start):
        if any(is_temp_name(f) for f in files):
            removed.extend(_sweep(dirpath))
    return sorted(Path(p).relative_to(root).as_posix() for p in removed)
