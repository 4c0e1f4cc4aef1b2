"""Stores: where the bytes of a Zarr hierarchy live.

Every store implements :class:`Store` (zarr-python's ``zarr.abc.store``
surface, anyio-native).  :class:`StorePath` is a store plus a path inside it;
``StoreLike`` is anything :func:`make_store_path` turns into one.
"""

from __future__ import annotations

import sys

from anyzarr._module_pickling import StorageModule
from anyzarr.io._store import Store
from anyzarr.io._store_path import StoreLike, StorePath, make_store_path
from anyzarr.io.stores import (
    FsspecStore,
    GpuMemoryStore,
    HTTPStore,
    LocalStore,
    LoggingStore,
    ManagedMemoryStore,
    MemoryStore,
    ObjectStore,
    WrapperStore,
    ZipStore,
)

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

# Pickled by name, so objects that hold the module (dask graphs) pickle.
sys.modules[__name__].__class__ = StorageModule
