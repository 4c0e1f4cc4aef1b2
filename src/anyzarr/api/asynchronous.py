"""The async functions of anyzarr, named and shaped like ``zarr.api.asynchronous``.

Every function here awaits IO through anyio, so it runs under asyncio and
trio.  The definitions live in small private modules by theme (creating,
opening, hierarchies, copying); this module is the public face.
"""

from __future__ import annotations

from anyzarr.api._check import CheckProblem, CheckReport, check_hierarchy
from anyzarr.api._convert import convert_hierarchy
from anyzarr.api._copy_hierarchy import copy_hierarchy
from anyzarr.api._functions_copy import CopyError, copy, copy_all, copy_store
from anyzarr.api._functions_create import (
    array,
    create,
    create_array,
    empty,
    empty_like,
    from_array,
    full,
    full_like,
    ones,
    ones_like,
    zeros,
    zeros_like,
)
from anyzarr.api._functions_hierarchy import consolidate_metadata, create_hierarchy
from anyzarr.api._functions_open import (
    create_group,
    group,
    load,
    open,
    open_array,
    open_consolidated,
    open_group,
    open_like,
    save,
    save_array,
    save_group,
    tree,
)
from anyzarr.api._group import AsyncGroup as AsyncGroup
from anyzarr.api._progress import TransferProgress

# Nodes (AsyncGroup) are importable here but, as in zarr-python, not listed:
# the sync module lists the same names.
__all__ = [
    "CheckProblem",
    "CheckReport",
    "CopyError",
    "TransferProgress",
    "array",
    "check_hierarchy",
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
    "empty",
    "empty_like",
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
    "save",
    "save_array",
    "save_group",
    "tree",
    "zeros",
    "zeros_like",
]
