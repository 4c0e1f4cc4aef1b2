"""anyzarr: Zarr v2 and v3 on any event loop.

``import anyzarr as zarr`` gives zarr-python 3's top-level API: the sync
``Array``/``Group`` and functions (generated from the async API, see
``docs/sync.md``), ``AsyncArray``/``AsyncGroup``, ``config`` and the
``storage``, ``errors``, ``dtype`` and ``codecs`` modules.  anyzarr adds
``copy_hierarchy``, ``convert_hierarchy`` and ``check_hierarchy`` (what the
``anyzarr`` command runs), which report a :class:`TransferProgress`.
"""

from __future__ import annotations

import sys

# Import the module first: importing a submodule sets the package attribute,
# and the line after it must win so that ``anyzarr.config`` is the object.
import anyzarr.config as _config_module  # noqa: F401
from anyzarr import codecs, dtype, errors, storage
from anyzarr.api._array import AsyncArray
from anyzarr.api._group import AsyncGroup
from anyzarr.api._progress import TransferProgress
from anyzarr.api.synchronous import (
    Array,
    Group,
    array,
    check_hierarchy,
    consolidate_metadata,
    convert_hierarchy,
    copy,
    copy_all,
    copy_hierarchy,
    copy_store,
    create,
    create_array,
    create_group,
    create_hierarchy,
    empty,
    empty_like,
    from_array,
    full,
    full_like,
    group,
    load,
    ones,
    ones_like,
    open,
    open_array,
    open_consolidated,
    open_group,
    open_like,
    save,
    save_array,
    save_group,
    tree,
    zeros,
    zeros_like,
)
from anyzarr.io._config import config

__version__ = "0.1.0"


def print_debug_info() -> None:
    """Print the versions of anyzarr, Python and the libraries it relies on."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    print(f"anyzarr: {__version__}")
    print(f"python: {sys.version.split()[0]} ({platform.platform()})")
    core = ("numpy", "numcodecs", "msgspec", "anyio", "google-crc32c")
    optional = ("trio", "httpx", "h11", "obstore", "fsspec", "typer", "rich", "xarray", "dask")
    for name in core + optional:
        try:
            print(f"{name}: {version(name)}")
        except PackageNotFoundError:
            print(f"{name}: not installed")


__all__ = [
    "Array",
    "AsyncArray",
    "AsyncGroup",
    "Group",
    "TransferProgress",
    "__version__",
    "array",
    "check_hierarchy",
    "codecs",
    "config",
    "consolidate_metadata",
    "convert_hierarchy",
    "copy",
    "copy_all",
    "copy_hierarchy",
    "copy_store",
    "create",
    "create_array",
    "create_group",
    "create_hierarchy",
    "dtype",
    "empty",
    "empty_like",
    "errors",
    "from_array",
    "full",
    "full_like",
    "group",
    "load",
    "ones",
    "ones_like",
    "open",
    "open_array",
    "open_consolidated",
    "open_group",
    "open_like",
    "print_debug_info",
    "save",
    "save_array",
    "save_group",
    "storage",
    "tree",
    "zeros",
    "zeros_like",
]
