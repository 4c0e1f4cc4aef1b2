"""The bridge to the codec registry in `anyzarr.protocol.codecs`.

Imported lazily so metadata stays importable while the codec package loads
(the codecs import buffers, which import nothing from here, but a lazy
import keeps the dependency one-way at import time too).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anyzarr.protocol._errors import MetadataValidationError

__all__ = ["codecs_to_json", "evolve_v3_codecs", "parse_v3_codecs", "sharding_codec"]

SHARDING_NAME = "sharding_indexed"


def parse_v3_codecs(data: Any, path: str) -> tuple[Any, ...]:
    """Codec objects for a v3 ``codecs`` list; errors keep their type and gain the path."""
    if not isinstance(data, list | tuple) or not data:
        raise MetadataValidationError(f"{path}: codecs must be a non-empty list, got {data!r}")
    try:
        return tuple(_parse_codecs(list(data)))
    except MetadataValidationError as exc:
        raise type(exc)(f"{path}: codecs: {exc}") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise MetadataValidationError(f"{path}: codecs: {exc}") from exc


def _parse_codecs(data: list[Any]) -> tuple[Any, ...]:
    from anyzarr.protocol.codecs import parse_codecs

    return tuple(parse_codecs(data))


def evolve_v3_codecs(
    codecs: tuple[Any, ...], chunk_shape: tuple[int, ...], dtype: np.dtype[Any], fill_value: Any
) -> tuple[Any, ...]:
    """Codecs with the settings that depend on the array filled in, as zarr-python does."""
    from anyzarr.protocol.codecs import ChunkSpec, CodecChain, evolve_codecs

    spec = ChunkSpec(shape=tuple(chunk_shape), dtype=dtype, fill_value=fill_value)
    try:
        evolved = tuple(evolve_codecs(codecs, spec))
        # Checked now, so that a codec that cannot handle the data type (the
        # ``bytes`` codec with ``string``) is an error at open, not at read.
        CodecChain.check(evolved, spec)
        return evolved
    except MetadataValidationError as exc:
        raise type(exc)(f"codecs: {exc}") from exc


def codecs_to_json(codecs: tuple[Any, ...]) -> list[Any]:
    return [c.to_dict() for c in codecs]


def sharding_codec(codecs: tuple[Any, ...]) -> Any | None:
    """The sharding codec when it is the first codec (the only case with a shard grid)."""
    if codecs and getattr(codecs[0], "codec_name", None) == SHARDING_NAME:
        return codecs[0]
    return None
