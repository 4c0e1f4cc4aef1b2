"""Array metadata as ``AsyncArray`` takes it: from a mapping of either format.

Also the one setting that decides how its codecs are built: whether pickled
object data may be decoded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import msgspec

from anyzarr.io._config import config
from anyzarr.protocol._errors import MetadataValidationError
from anyzarr.protocol.metadata import (
    ArrayMetadata,
    ArrayV2Metadata,
    ArrayV3Metadata,
    GroupMetadata,
    parse_v2,
    parse_v3,
)

if TYPE_CHECKING:
    from anyzarr.io._json import JSON

__all__ = ["allow_pickle", "metadata_from_dict"]


def metadata_from_dict(data: Mapping[str, JSON], path: str) -> ArrayMetadata:
    """Array metadata from a document of either format (``zarr_format`` says which)."""
    fmt = data.get("zarr_format")
    meta: ArrayMetadata | GroupMetadata
    if fmt == 3:
        meta = parse_v3(dict(data), path)
    elif fmt == 2:
        attrs = data.get("attributes")
        body = {k: v for k, v in data.items() if k != "attributes"}
        zattrs = msgspec.json.encode(attrs) if attrs else None
        meta = parse_v2(msgspec.json.encode(body), None, zattrs, path)
    else:
        raise MetadataValidationError(
            f"Invalid zarr_format: {fmt}. Expected 2 or 3 (array metadata for path {path!r})"
        )
    if not isinstance(meta, ArrayV2Metadata | ArrayV3Metadata):
        raise MetadataValidationError(f"metadata for path {path!r} describes a group, not an array")
    return meta


def allow_pickle() -> bool:
    """Whether codecs may unpickle object data (``codecs.allow_pickle`` and zarr-python's name)."""
    return bool(
        config.get("codecs.allow_pickle", False)
        or config.get("array.allow_unsafe_pickle_decode", False)
    )
