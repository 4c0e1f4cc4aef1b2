"""Codec base classes in zarr-python's form (``zarr.abc.codec``).

Subclass :class:`ArrayArrayCodec`, :class:`ArrayBytesCodec` or
:class:`BytesBytesCodec` and implement ``async def _decode_single`` and
``_encode_single`` (or the batch ``decode``/``encode``), ``to_dict`` /
``from_dict`` and ``compute_encoded_size``, exactly as for zarr-python;
register the class with :func:`anyzarr.registry.register_codec` (or the
``zarr.codecs`` entry-point group).  anyzarr wraps such a codec for its own
synchronous pipeline: ``_decode_sync``/``_encode_sync`` are used when the
codec has them; otherwise the coroutine runs without an event loop when it
never waits, and on anyzarr's codec loop thread when it does (see
``docs/codecs.md``).

anyzarr's built-in codecs (``anyzarr.codecs``) are of a different,
synchronous kind (:class:`anyzarr.protocol.codecs.Codec`); both kinds can be
mixed in one array's codec list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from anyzarr.protocol.codecs._async_codec import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    ArrayBytesCodecPartialDecodeMixin,
    ArrayBytesCodecPartialEncodeMixin,
    ArraySpec,
    BaseCodec,
    BytesBytesCodec,
    Codec,
    CodecInput,
    CodecOutput,
    CodecPipeline,
    GetResult,
    SupportsSyncCodec,
)

__all__ = [
    "ArrayArrayCodec",
    "ArrayBytesCodec",
    "ArrayBytesCodecPartialDecodeMixin",
    "ArrayBytesCodecPartialEncodeMixin",
    "ArraySpec",
    "BaseCodec",
    "BytesBytesCodec",
    "Codec",
    "CodecInput",
    "CodecJSON",
    "CodecOutput",
    "CodecPipeline",
    "GetResult",
    "SupportsSyncCodec",
]

#: The widest JSON form of a codec: a v3 name, or a v3 or v2 document.
CodecJSON = str | Mapping[str, object]


def _check_codecjson_v2(data: object) -> TypeGuard[Mapping[str, Any]]:
    """Whether ``data`` is a Zarr v2 codec document (``{"id": str, ...}``)."""
    return isinstance(data, Mapping) and isinstance(data.get("id"), str)
