"""The Zarr v2 chunk encoding: numcodecs filters, then one numcodecs compressor.

Chunks are laid out in the array's ``order`` (``C`` or ``F``) before the
filters run.  Object arrays need an object codec among the filters
(``vlen-utf8``, ``vlen-bytes``, ``json2``, ``msgpack2``, ``vlen-array``,
``pickle``); ``pickle`` can run arbitrary code while decoding, so it is refused
unless the pipeline was built with ``allow_pickle=True``.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping, Sequence
from math import prod
from typing import Any, Literal

import numcodecs
import numpy as np
import numpy.typing as npt
from numcodecs.abc import Codec as NumcodecsCodec
from numcodecs.compat import ensure_ndarray_like

from anyzarr.protocol._errors import (
    ChunkDecodeError,
    MetadataValidationError,
    PickleCodecDisabledError,
)
from anyzarr.protocol.codecs._base import ChunkSpec, RawBytes
from anyzarr.protocol.codecs._bounded import (
    VARIABLE_CHUNK_LIMIT,
    bytes_view,
    compressed_bound,
    numcodecs_decode_bounded,
)
from anyzarr.protocol.codecs._zstd_contexts import zstd_compress_pooled

__all__ = ["UnsafeCodecError", "V2Chain", "as_numcodecs"]

UNSAFE_IDS = frozenset({"pickle"})


class UnsafeCodecError(ChunkDecodeError, PickleCodecDisabledError):
    """Decoding would run a codec that can execute arbitrary code (``pickle``).

    Also zarr-python's ``PickleCodecDisabledError``.
    """


def as_numcodecs(obj: NumcodecsCodec | Mapping[str, Any], field: str) -> NumcodecsCodec:
    """A numcodecs codec from a codec object or a ``{"id": ...}`` document."""
    if isinstance(obj, NumcodecsCodec):
        return obj
    if not isinstance(obj, Mapping) or not isinstance(obj.get("id"), str):
        raise MetadataValidationError(
            f"field {field!r}: expected a codec with an 'id', got {obj!r}"
        )
    try:
        return numcodecs.get_codec(dict(obj))
    except Exception as exc:
        raise MetadataValidationError(
            f"field {field!r}: unknown or invalid codec {obj!r}: {exc}"
        ) from exc


#: Object codecs whose encoding starts with the item count (uint32, little-endian).
_COUNTED = frozenset({"vlen-utf8", "vlen-bytes", "vlen-array"})
#: Filters whose encoded size does not follow from the array's size.
_VARIABLE = frozenset({"json2", "msgpack2", "pickle", "vlen-utf8", "vlen-bytes", "vlen-array"})


def _check_count(codec: NumcodecsCodec, value: Any, n: int, key: str) -> None:
    """Refuse a vlen buffer whose stated item count is not the chunk's (numcodecs
    would allocate an object array of whatever size the header claims)."""
    view = bytes_view(value)
    if view.nbytes < 4:
        raise ChunkDecodeError(f"codec {codec.codec_id!r}: {view.nbytes} bytes is too short", key)
    count = int.from_bytes(view[:4], "little")
    if count != n:
        raise ChunkDecodeError(
            f"codec {codec.codec_id!r}: chunk states {count} items, its shape holds {n}", key
        )


def _encoded_bound(filters: Sequence[NumcodecsCodec], spec: ChunkSpec) -> int:
    """The most bytes the filters can turn one chunk of ``spec`` into.

    Bounds what the compressor may decode to: exact with no filters; with
    numeric filters (delta, scale-offset, astype...) each element takes at
    most 16 bytes; variable-length object codecs have no bound but
    ``VARIABLE_CHUNK_LIMIT``.
    """
    n = prod(spec.shape)
    if spec.dtype.kind in "OT" or any(f.codec_id in _VARIABLE for f in filters):
        return VARIABLE_CHUNK_LIMIT
    size = n * spec.dtype.itemsize
    if filters:
        size = max(size, n * 16)
        for f in filters:
            if f.codec_id not in _VARIABLE:
                size = compressed_bound(size) if f.codec_id != "base64" else 4 * (size // 3 + 1)
    return min(size, VARIABLE_CHUNK_LIMIT) if filters else size


def _decode_filter(codec: NumcodecsCodec, value: Any) -> Any:
    if codec.codec_id == "pickle":
        # numcodecs refuses to unpickle by default; callers reach this only
        # after opting in with allow_pickle=True.
        return pickle.loads(memoryview(value).cast("B").tobytes())
    return codec.decode(value)


class V2Chain:
    """Encode and decode v2 chunks."""

    def __init__(
        self,
        filters: Sequence[NumcodecsCodec | Mapping[str, Any]] | None,
        compressor: NumcodecsCodec | Mapping[str, Any] | None,
        order: Literal["C", "F"] = "C",
        *,
        allow_pickle: bool = False,
    ) -> None:
        self.filters = tuple(as_numcodecs(f, "filters") for f in filters or ())
        self.compressor = None if compressor is None else as_numcodecs(compressor, "compressor")
        if order not in ("C", "F"):
            raise MetadataValidationError(f"field 'order' must be 'C' or 'F', got {order!r}")
        self.order: Literal["C", "F"] = order
        self.allow_pickle = allow_pickle

    def _check_safe(self, key: str) -> None:
        if self.allow_pickle:
            return
        for f in self.filters:
            if f.codec_id in UNSAFE_IDS:
                raise UnsafeCodecError(
                    f"codec {f.codec_id!r} can run arbitrary code while decoding; "
                    "set the config key 'array.allow_unsafe_pickle_decode' to True (or build "
                    "the pipeline with allow_pickle=True) to trust this data",
                    key,
                )

    def decode_batch(
        self, chunks: Sequence[RawBytes | None], spec: ChunkSpec, keys: Sequence[str]
    ) -> list[npt.NDArray[Any] | None]:
        out: list[npt.NDArray[Any] | None] = []
        n = prod(spec.shape)
        limit = _encoded_bound(self.filters, spec)
        for data, key in zip(chunks, keys, strict=True):
            if data is None:
                out.append(None)
                continue
            self._check_safe(key)
            try:
                value: Any = data
                if self.compressor is not None:
                    value = numcodecs_decode_bounded(self.compressor, value, limit, key)
                for f in reversed(self.filters):
                    if f.codec_id in _COUNTED:
                        _check_count(f, value, n, key)
                    value = _decode_filter(f, value)
            except ChunkDecodeError:
                raise
            except Exception as exc:
                raise ChunkDecodeError(f"cannot decode v2 chunk: {exc}", key) from exc
            arr = ensure_ndarray_like(value)
            if arr.dtype == object or spec.dtype.kind in "OT":
                if arr.dtype != object and spec.dtype.kind in "OT":
                    raise ChunkDecodeError(
                        f"object dtype {spec.dtype} needs an object codec among the filters", key
                    )
                if arr.size != n:
                    raise ChunkDecodeError(
                        f"expected {n} items for chunk shape {spec.shape}, got {arr.size}", key
                    )
                arr = arr.reshape(spec.shape, order=self.order)
                if spec.dtype.kind == "T":
                    arr = arr.astype(spec.dtype)
                out.append(arr)
                continue
            if arr.dtype != spec.dtype:
                flat = arr.reshape(-1, order="A")
                if flat.nbytes != n * spec.dtype.itemsize:
                    raise ChunkDecodeError(
                        f"expected {n * spec.dtype.itemsize} bytes for chunk shape {spec.shape} "
                        f"and dtype {spec.dtype}, got {flat.nbytes}",
                        key,
                    )
                arr = flat.view(spec.dtype)
            elif arr.size != n:
                raise ChunkDecodeError(
                    f"expected {n} items for chunk shape {spec.shape}, got {arr.size}", key
                )
            out.append(arr.reshape(spec.shape, order=self.order))
        return out

    def encode_batch(
        self, arrays: Sequence[npt.NDArray[Any] | None], spec: ChunkSpec
    ) -> list[RawBytes | None]:
        out: list[RawBytes | None] = []
        for array in arrays:
            if array is None:
                out.append(None)
                continue
            arr = np.asarray(array)
            if arr.dtype.kind == "T":
                arr = arr.astype(object)
            if arr.dtype == object and not self.filters:
                raise MetadataValidationError(
                    "field 'filters': an object array needs an object codec such as vlen-utf8"
                )
            arr = np.asfortranarray(arr) if self.order == "F" else np.ascontiguousarray(arr)
            value: Any = arr
            for f in self.filters:
                value = f.encode(value)
            if self.compressor is not None:
                value = _compress(self.compressor, value)
            elif isinstance(value, np.ndarray):
                value = memoryview(value.reshape(-1, order="A").view("B"))
            out.append(value)
        return out


def _compress(compressor: NumcodecsCodec, value: Any) -> Any:
    """``compressor.encode(value)``; zstd with a kept context when it can (see `_zstd_contexts`)."""
    if type(compressor) is numcodecs.Zstd:
        pooled = zstd_compress_pooled(value, compressor.level, compressor.checksum)
        if pooled is not None:
            return pooled
    return compressor.encode(value)
