"""The narrow seam between groups and arrays.

Groups build ``AsyncArray`` objects in two ways: from metadata already in hand
(listing members, consolidated metadata) and by creating a new array.  Both go
through here so the group code does not depend on the details of ``AsyncArray``'s
constructor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Unpack

if TYPE_CHECKING:
    from anyzarr.api._array import AsyncArray
    from anyzarr.api._array_config import ArrayConfigLike
    from anyzarr.api._array_options import CreateArrayNodeOptions
    from anyzarr.io._store_path import StorePath
    from anyzarr.protocol.metadata import ArrayMetadata

__all__ = ["array_from_metadata", "create_array_at", "open_array_at"]


def array_from_metadata(
    store_path: StorePath,
    metadata: ArrayMetadata,
    config: ArrayConfigLike | None = None,
) -> AsyncArray[ArrayMetadata]:
    """Wrap metadata that was already read into an array handle (no IO)."""
    from anyzarr.api._array import AsyncArray

    return AsyncArray(metadata, store_path, config=config)


async def open_array_at(
    store_path: StorePath,
    zarr_format: Literal[2, 3] | None = None,
    config: ArrayConfigLike | None = None,
) -> AsyncArray[ArrayMetadata]:
    """Open the array stored at ``store_path``; ``ArrayNotFoundError`` if there is none."""
    from anyzarr.io._metadata_io import read_node_metadata

    meta = await read_node_metadata(store_path, zarr_format, node_type="array")
    return array_from_metadata(store_path, meta, config)


async def create_array_at(
    store_path: StorePath, **kwargs: Unpack[CreateArrayNodeOptions]
) -> AsyncArray[ArrayMetadata]:
    """Create an array at ``store_path``.

    ``kwargs`` are ``create_array``'s options, or ``create``'s older ones; the
    array module checks the target, writes parents and metadata, and data.
    """
    from anyzarr.api._array_create import create_array_node

    return await create_array_node(store_path, **kwargs)
