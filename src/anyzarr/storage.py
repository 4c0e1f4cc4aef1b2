"""Stores: where the bytes of a Zarr hierarchy live.

Every store implements :class:`Store` (zarr-python's ``zarr.abc.store``
surface, anyio-native).  :class:`StorePath` is a store plus a path inside it;
``StoreLike`` is anything :func:`make_store_path` turns into one.

:class:`HTTPStore` and :class:`ObjectStore` need the ``remote`` extra,
:class:`FsspecStore` the ``fsspec`` extra and :class:`GpuMemoryStore` the
``gpu`` extra; they are imported when first used.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from anyzarr._module_pickling import StorageModule
from anyzarr.io._store import Store
from anyzarr.io._store_path import StoreLike, StorePath, make_store_path
from anyzarr.io.stores import (
    LAZY_DRIVERS,
    LocalStore,
    LoggingStore,
    ManagedMemoryStore,
    MemoryStore,
    WrapperStore,
    ZipStore,
    load_driver,
)

if TYPE_CHECKING:
    from anyzarr.io.stores import FsspecStore, GpuMemoryStore, HTTPStore, ObjectStore

__all__ = [
    "FsspecStore",
    "GpuMemoryStore",
    "HTTPStore",
    "LocalStore",
    "LoggingStore",
    "ManagedMemoryStore",
    "MemoryStore",
    "ObjectStore",
    "Store",
    "StoreLike",
    "StorePath",
    "WrapperStore",
    "ZipStore",
    "make_store_path",
]


def __getattr__(name: str) -> type[Store]:
    if name in LAZY_DRIVERS:
        cls = load_driver(name)
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


# Pickled by name, so objects that hold the module (dask graphs) pickle.
sys.modules[__name__].__class__ = StorageModule
