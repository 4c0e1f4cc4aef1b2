"""Size limits that array metadata must respect to be opened.

A chunk is decoded whole, so metadata whose chunks could never be allocated
(a chunk shape of ``[10, 2**32 + 10]``) would only fail at the first read,
with numpy's ``MemoryError``.  anyzarr refuses such metadata when it is
parsed or created instead, naming the field:

- a chunk (the inner chunk when sharded) may decode to at most
  ``MAX_CHUNK_BYTES`` (2 GiB - 1, also the most one blosc buffer can hold);
- a shard may hold at most ``MAX_SHARD_BYTES`` (16 GiB) decoded and at most
  ``MAX_SHARD_CHUNKS`` inner chunks (its index then takes at most 2 GiB).

Sizes count the in-memory item size (8 bytes per element for object and
variable-length string types).
"""

from __future__ import annotations

from math import prod
from typing import Any

import numpy as np

from anyzarr.protocol._errors import MetadataValidationError

__all__ = ["MAX_CHUNK_BYTES", "MAX_SHARD_BYTES", "MAX_SHARD_CHUNKS", "check_chunk_sizes"]

MAX_CHUNK_BYTES = (1 << 31) - 1
MAX_SHARD_BYTES = 1 << 34
MAX_SHARD_CHUNKS = 1 << 27


def check_chunk_sizes(
    chunk_shape: tuple[int, ...],
    dtype: np.dtype[Any],
    field: str,
    *,
    inner_shape: tuple[int, ...] | None = None,
    inner_field: str = "",
) -> None:
    """Refuse chunk (and shard) shapes beyond the limits above; the error names ``field``.

    ``chunk_shape`` is the stored object's shape (the shard when
    ``inner_shape`` is given).
    """
    itemsize = max(dtype.itemsize, 1)
    if inner_shape is None:
        nbytes = prod(chunk_shape) * itemsize
        if nbytes > MAX_CHUNK_BYTES:
            raise MetadataValidationError(
                f"{field}: a chunk of shape {list(chunk_shape)} and dtype {dtype} takes "
                f"{nbytes} bytes, more than the {MAX_CHUNK_BYTES} anyzarr can decode"
            )
        return
    check_chunk_sizes(inner_shape, dtype, inner_field)
    nbytes = prod(chunk_shape) * itemsize
    if nbytes > MAX_SHARD_BYTES:
        raise MetadataValidationError(
            f"{field}: a shard of shape {list(chunk_shape)} and dtype {dtype} takes {nbytes} "
            f"bytes, more than the {MAX_SHARD_BYTES} anyzarr reads or writes as one object"
        )
    count = prod(-(-s // c) for s, c in zip(chunk_shape, inner_shape, strict=False))
    if count > MAX_SHARD_CHUNKS:
        raise MetadataValidationError(
            f"{inner_field}: a shard of shape {list(chunk_shape)} holds {count} inner chunks, "
            f"more than {MAX_SHARD_CHUNKS}"
        )
