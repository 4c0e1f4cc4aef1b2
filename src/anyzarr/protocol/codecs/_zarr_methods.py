"""zarr-python's per-chunk codec methods on anyzarr's own codecs.

Code written for zarr-python calls a codec one chunk at a time with
``codec._decode_sync(chunk, array_spec)`` / ``_encode_sync`` (the
``SupportsSyncCodec`` protocol) or ``await codec._decode_single(...)`` /
``_encode_single``, passing zarr's ``Buffer``/``NDBuffer`` and ``ArraySpec``.
Every anyzarr codec answers those calls by converting to its own form
(numpy arrays, raw bytes, ``ChunkSpec``) and back; the pipeline itself never
uses them.  zarr-python's batch ``encode``/``decode`` coroutines are not
offered: anyzarr's codecs use those names for their synchronous transforms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer, NDBuffer
    from anyzarr.protocol.codecs._async_codec import ArraySpec
    from anyzarr.protocol.codecs._base import ChunkSpec, RawBytes

__all__ = ["ArrayArrayMethods", "ArrayBytesMethods", "BytesBytesMethods"]

#: The key named in errors from a chunk decoded outside any store.
_NO_KEY = "<chunk>"


def _spec(spec: ArraySpec) -> ChunkSpec:
    from anyzarr.protocol.buffer import default_buffer_prototype
    from anyzarr.protocol.codecs._base import ChunkSpec

    to_native = getattr(spec.dtype, "to_native_dtype", None)
    dtype = np.dtype(to_native() if callable(to_native) else spec.dtype)
    config = getattr(spec, "config", None)
    prototype = getattr(spec, "prototype", None) or default_buffer_prototype()
    return ChunkSpec(
        shape=tuple(spec.shape),
        dtype=dtype,
        fill_value=spec.fill_value,
        order=getattr(config, "order", "C"),
        prototype=prototype,
        write_empty_chunks=bool(getattr(config, "write_empty_chunks", False)),
    )


def _nd(array: Any, spec: ChunkSpec) -> NDBuffer:
    return spec.prototype.nd_buffer.from_numpy_array(np.asarray(array))


def _bytes(data: RawBytes, spec: ChunkSpec) -> Buffer:
    view = np.frombuffer(memoryview(data).cast("B"), dtype=np.uint8)
    return spec.prototype.buffer.from_array_like(view)


def _raw(buffer: Any) -> RawBytes:
    as_numpy = getattr(buffer, "as_numpy_array", None)
    return as_numpy() if callable(as_numpy) else memoryview(buffer)


def _array(buffer: Any) -> Any:
    as_numpy = getattr(buffer, "as_numpy_array", None)
    return as_numpy() if callable(as_numpy) else np.asarray(buffer)


class ArrayArrayMethods:
    """zarr's ``NDBuffer`` -> ``NDBuffer`` per-chunk methods."""

    def _decode_sync(self, chunk_data: NDBuffer, chunk_spec: ArraySpec) -> NDBuffer:
        spec = _spec(chunk_spec)
        return _nd(self.decode(_array(chunk_data), spec), spec)  # type: ignore[attr-defined]

    def _encode_sync(self, chunk_data: NDBuffer, chunk_spec: ArraySpec) -> NDBuffer | None:
        spec = _spec(chunk_spec)
        return _nd(self.encode(_array(chunk_data), spec), spec)  # type: ignore[attr-defined]

    async def _decode_single(self, chunk_data: NDBuffer, chunk_spec: ArraySpec) -> NDBuffer:
        return self._decode_sync(chunk_data, chunk_spec)

    async def _encode_single(self, chunk_data: NDBuffer, chunk_spec: ArraySpec) -> NDBuffer | None:
        return self._encode_sync(chunk_data, chunk_spec)


class ArrayBytesMethods:
    """zarr's ``NDBuffer`` <-> ``Buffer`` per-chunk methods."""

    def _decode_sync(self, chunk_data: Buffer, chunk_spec: ArraySpec) -> NDBuffer:
        spec = _spec(chunk_spec)
        return _nd(self.decode(_raw(chunk_data), spec, _NO_KEY), spec)  # type: ignore[attr-defined]

    def _encode_sync(self, chunk_data: NDBuffer, chunk_spec: ArraySpec) -> Buffer | None:
        spec = _spec(chunk_spec)
        data = self.encode(_array(chunk_data), spec)  # type: ignore[attr-defined]
        return None if data is None else _bytes(data, spec)

    async def _decode_single(self, chunk_data: Buffer, chunk_spec: ArraySpec) -> NDBuffer:
        return self._decode_sync(chunk_data, chunk_spec)

    async def _encode_single(self, chunk_data: NDBuffer, chunk_spec: ArraySpec) -> Buffer | None:
        return self._encode_sync(chunk_data, chunk_spec)


class BytesBytesMethods:
    """zarr's ``Buffer`` -> ``Buffer`` per-chunk methods."""

    def _decode_sync(self, chunk_data: Buffer, chunk_spec: ArraySpec) -> Buffer:
        spec = _spec(chunk_spec)
        return _bytes(self.decode(_raw(chunk_data), spec, _NO_KEY), spec)  # type: ignore[attr-defined]

    def _encode_sync(self, chunk_data: Buffer, chunk_spec: ArraySpec) -> Buffer | None:
        spec = _spec(chunk_spec)
        return _bytes(self.encode(_raw(chunk_data), spec), spec)  # type: ignore[attr-defined]

    async def _decode_single(self, chunk_data: Buffer, chunk_spec: ArraySpec) -> Buffer:
        return self._decode_sync(chunk_data, chunk_spec)

    async def _encode_single(self, chunk_data: Buffer, chunk_spec: ArraySpec) -> Buffer | None:
        return self._encode_sync(chunk_data, chunk_spec)
