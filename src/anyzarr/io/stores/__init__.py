"""Store drivers, one module per backend; :mod:`anyzarr.storage` is their public home.

The drivers whose backends are optional (HTTP and object stores, fsspec, GPU
memory) are imported on first use, so ``import anyzarr`` loads none of httpx,
h11, obstore, fsspec or cupy; a driver whose extra is missing raises
:class:`~anyzarr.errors.MissingDependencyError` naming the extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from anyzarr.io._store import Store
from anyzarr.io.stores._local import LocalStore
from anyzarr.io.stores._logging import LoggingStore
from anyzarr.io.stores._managed_memory import ManagedMemoryStore
from anyzarr.io.stores._memory import MemoryStore
from anyzarr.io.stores._wrapper import WrapperStore
from anyzarr.io.stores._zip import ZipStore
from anyzarr.protocol._dependencies import import_optional

if TYPE_CHECKING:
    from anyzarr.io.stores._fsspec import FsspecStore
    from anyzarr.io.stores._gpu_memory import GpuMemoryStore
    from anyzarr.io.stores._http import HTTPStore
    from anyzarr.io.stores._object import ObjectStore

__all__ = [
    "FsspecStore",
    "GpuMemoryStore",
    "HTTPStore",
    "LocalStore",
    "LoggingStore",
    "ManagedMemoryStore",
    "MemoryStore",
    "ObjectStore",
    "WrapperStore",
    "ZipStore",
]

#: Drivers imported on first access: name -> defining module.
LAZY_DRIVERS: dict[str, str] = {
    "FsspecStore": "anyzarr.io.stores._fsspec",
    "GpuMemoryStore": "anyzarr.io.stores._gpu_memory",
    "HTTPStore": "anyzarr.io.stores._http",
    "ObjectStore": "anyzarr.io.stores._object",
}


def load_driver(name: str) -> type[Store]:
    """The driver class ``name`` from :data:`LAZY_DRIVERS`, imported now.

    Raises
    ------
    MissingDependencyError
        When the driver's extra is not installed.
    """
    module = import_optional(LAZY_DRIVERS[name], name)
    cls: type[Store] = getattr(module, name)
    return cls


def __getattr__(name: str) -> type[Store]:
    if name in LAZY_DRIVERS:
        cls = load_driver(name)
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
