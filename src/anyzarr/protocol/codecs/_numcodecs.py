"""Any numcodecs codec under the v3 name ``numcodecs.<id>``.

zarr-python writes these names for numcodecs codecs used in v3 arrays.  The
configuration is kept exactly as given (so it round-trips) and handed to
``numcodecs.get_codec``.  Which of the three codec kinds a numcodecs codec is
follows what it does to data: compressors and checksums are bytes->bytes,
filters that keep an array are array->array, and ``pcodec``/``zfpy``
serialise arrays to bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from math import ceil, prod
from typing import Any, ClassVar, Self

import numcodecs
import numpy as np
import numpy.typing as npt
from numcodecs.abc import Codec as NumcodecsCodec

from anyzarr.protocol._errors import ChunkDecodeError, MetadataValidationError
from anyzarr.protocol.codecs._base import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    BytesBytesCodec,
    ChunkSpec,
    Codec,
    RawBytes,
    parse_named_configuration,
)
from anyzarr.protocol.codecs._bounded import (
    VARIABLE_CHUNK_LIMIT,
    compressed_bound,
    numcodecs_decode_bounded,
)

__all__ = [
    "NumcodecsArrayArrayCodec",
    "NumcodecsArrayBytesCodec",
    "NumcodecsBytesBytesCodec",
    "codec_from_numcodecs",
    "numcodecs_class_for",
]

PREFIX = "numcodecs."
_ARRAY_ARRAY = {"delta", "bitround", "fixedscaleoffset", "quantize", "packbits", "astype"}
_ARRAY_BYTES = {"pcodec", "zfpy"}


class _Wrapper(Codec):
    """State and metadata handling shared by the three kinds."""

    codec_id: ClassVar[str]

    def __init__(self, **configuration: Any) -> None:
        configuration.pop("id", None)
        self.configuration: dict[str, Any] = configuration

    @cached_property
    def _impl(self) -> NumcodecsCodec:
        try:
            return numcodecs.get_codec({"id": self.codec_id, **self.configuration})
        except Exception as exc:
            raise MetadataValidationError(
                f"codec {self.codec_name!r}: invalid configuration {self.configuration!r}: {exc}"
            ) from exc

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls(**parse_named_configuration(data, cls.codec_name))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.codec_name, "configuration": dict(self.configuration)}

    def validate(self, spec: ChunkSpec) -> None:
        self._impl  # noqa: B018  # building it checks the configuration

    def _fail(self, exc: Exception, key: str) -> ChunkDecodeError:
        return ChunkDecodeError(f"codec {self.codec_name!r}: cannot decode: {exc}", key)


class NumcodecsBytesBytesCodec(_Wrapper, BytesBytesCodec):
    """A numcodecs compressor or checksum."""

    def encode(self, data: RawBytes, spec: ChunkSpec) -> RawBytes:
        return self._impl.encode(data)  # type: ignore[no-any-return]

    def decode(self, data: RawBytes, spec: ChunkSpec, key: str) -> RawBytes:
        return numcodecs_decode_bounded(self._impl, data, VARIABLE_CHUNK_LIMIT, key)

    def decode_bounded(
        self, data: RawBytes, spec: ChunkSpec, key: str, max_nbytes: int
    ) -> RawBytes:
        return numcodecs_decode_bounded(self._impl, data, max_nbytes, key)

    def max_encoded_size(self, size: int) -> int:
        return compressed_bound(size) if self.codec_id != "base64" else 4 * (size // 3 + 1)


class NumcodecsArrayArrayCodec(_Wrapper, ArrayArrayCodec):
    """A numcodecs filter that maps an array to an array."""

    def resolve_spec(self, spec: ChunkSpec) -> ChunkSpec:
        if self.codec_id == "packbits":
            return spec.with_shape((1 + ceil(prod(spec.shape) / 8),)).with_dtype("u1")
        if self.codec_id == "astype":
            return spec.with_dtype(self.configuration["encode_dtype"])
        if self.configuration.get("astype") is not None:
            return spec.with_dtype(self.configuration["astype"])
        return spec

    def encode(self, array: npt.NDArray[Any], spec: ChunkSpec) -> npt.NDArray[Any]:
        out = np.asarray(self._impl.encode(np.ascontiguousarray(array)))
        encoded = self.resolve_spec(spec)
        return (
            out.reshape(encoded.shape).view(encoded.dtype)
            if out.dtype.itemsize == encoded.dtype.itemsize
            else out.reshape(encoded.shape)
        )

    def decode(self, array: npt.NDArray[Any], spec: ChunkSpec) -> npt.NDArray[Any]:
        out = np.asarray(self._impl.decode(np.ascontiguousarray(array)))
        if out.dtype != spec.dtype:
            out = (
                out.view(spec.dtype)
                if out.dtype.itemsize == spec.dtype.itemsize
                else out.astype(spec.dtype)
            )
        return out.reshape(spec.shape)


class NumcodecsArrayBytesCodec(_Wrapper, ArrayBytesCodec):
    """A numcodecs codec that serialises a whole array (``pcodec``, ``zfpy``)."""

    def encode(self, array: npt.NDArray[Any], spec: ChunkSpec) -> RawBytes:
        return self._impl.encode(np.ascontiguousarray(array))  # type: ignore[no-any-return]

    def decode(self, data: RawBytes, spec: ChunkSpec, key: str) -> npt.NDArray[Any]:
        try:
            out = np.asarray(self._impl.decode(data))
        except Exception as exc:
            raise self._fail(exc, key) from exc
        if out.dtype != spec.dtype:
            out = out.view(spec.dtype)
        return out.reshape(spec.shape)


_classes: dict[str, type[_Wrapper]] = {}


def numcodecs_class_for(name: str) -> type[Codec] | None:
    """The wrapper class for ``numcodecs.<id>``, or None if ``name`` is not one."""
    if not name.startswith(PREFIX):
        return None
    cls = _classes.get(name)
    if cls is not None:
        return cls
    codec_id = name[len(PREFIX) :]
    if codec_id not in numcodecs.registry.codec_registry:
        return None
    base: type[_Wrapper]
    if codec_id in _ARRAY_ARRAY:
        base = NumcodecsArrayArrayCodec
    elif codec_id in _ARRAY_BYTES:
        base = NumcodecsArrayBytesCodec
    else:
        base = NumcodecsBytesBytesCodec
    cls = type(
        f"Numcodecs_{codec_id}",
        (base,),
        {"codec_name": name, "codec_id": codec_id, "__module__": __name__},
    )
    _classes[name] = cls
    return cls


def codec_from_numcodecs(obj: NumcodecsCodec) -> Codec:
    """Wrap a numcodecs codec object for use in a v3 pipeline."""
    config = dict(obj.get_config())
    cls = numcodecs_class_for(PREFIX + str(config.pop("id")))
    if cls is None:
        raise MetadataValidationError(f"codecs: numcodecs codec {obj!r} is not registered")
    return cls.from_dict({"name": cls.codec_name, "configuration": config})
