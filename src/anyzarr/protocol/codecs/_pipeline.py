"""The codec pipeline: what the engine calls to turn stored bytes into arrays and back.

Engine-facing API (everything here is synchronous, CPU-only and thread-safe;
run the batch calls and ``ReadPlan.result()`` in a worker thread)::

    from anyzarr.protocol.codecs import ChunkSpec, GetRequest, pipeline_for_metadata

    pipeline = pipeline_for_metadata(meta, allow_pickle=False)
        # meta: ArrayV3Metadata (uses meta.codecs) or ArrayV2Metadata (uses
        # meta.filters, meta.compressor, meta.order); duck-typed on attributes.
    spec = ChunkSpec(shape=meta.chunk_shape, dtype=meta.dtype,
                     fill_value=meta.fill_value, order=meta.order,
                     prototype=default_buffer_prototype(), write_empty_chunks=False)
        # shape: the full shape of one *stored* object (the shard shape when
        # sharded); edge chunks are always full size.

    pipeline.decode_batch(chunks, spec, keys, *, writable=False)
        -> list[np.ndarray | None]
        # chunks: Sequence[Buffer | bytes-like | None]; keys name each chunk in
        # errors.  None in -> None out (the caller fills with fill_value).
        # Each array has shape spec.shape and dtype spec.dtype.  Arrays may be
        # read-only views of the input bytes unless writable=True.
    pipeline.encode_batch(arrays, spec) -> list[Buffer | None]
        # arrays shaped spec.shape.  None out = nothing to store (a shard whose
        # inner chunks all hold the fill value); the caller deletes the key.
        # Deciding whether a whole top-level chunk equals the fill value is the
        # caller's job (see ``all_fill``).

    pipeline.supports_partial_decode -> bool
        # True when the array->bytes codec is sharding_indexed (with no
        # array->array codec before it): read_plan then fetches only the bytes
        # the selection needs.
    pipeline.read_plan(key, chunk_selection, spec, *, index=None) -> ReadPlan
        # chunk_selection: one entry per dimension, an int, a slice (step >= 1)
        # or a 1-D integer array (orthogonal, numpy ix_ semantics).
        # index: a ShardIndex from an earlier plan.index (cache it per key if
        # the data is known not to change) to skip the index request.
        # chunks: a DecodedChunks cache of inner chunks (see _plans.py).

    plan.start() -> list[GetRequest]        # GetRequest(key, byte_range | None)
    plan.feed(responses) -> list[GetRequest]
        # responses: one per request, in order (Buffer, bytes-like or None for
        # missing).  Returns more requests, or [] when done.  Cheap.
    plan.result() -> np.ndarray | None
        # chunk[chunk_selection] (ints drop their axis), or None when the
        # stored object is missing.  Does the decoding (CPU work).
    plan.index -> ShardIndex | None

Errors: ``ChunkDecodeError`` / ``ChecksumError`` (naming the key) for bad
bytes, ``UnsafeCodecError`` for pickle data without ``allow_pickle``,
``MetadataValidationError`` for codec lists that cannot work, and
``PlanStateError`` for a plan driven out of order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from anyzarr.protocol.buffer import Buffer
from anyzarr.protocol.buffer._core import array_all_equal
from anyzarr.protocol.codecs._base import ChunkSpec, Codec, RawBytes
from anyzarr.protocol.codecs._bytes import BytesCodec, _with_endian
from anyzarr.protocol.codecs._chain import CodecChain
from anyzarr.protocol.codecs._direct import DirectDecoder, direct_decoder
from anyzarr.protocol.codecs._plans import DecodedChunks, ReadPlan, WholeChunkReadPlan, to_raw
from anyzarr.protocol.codecs._range_plan import RangedChunkReadPlan
from anyzarr.protocol.codecs._registry import parse_codecs
from anyzarr.protocol.codecs._shard_plan import ShardReadPlan
from anyzarr.protocol.codecs._sharding import ShardIndex, ShardingCodec
from anyzarr.protocol.codecs._v2 import V2Chain

__all__ = [
    "CodecPipeline",
    "all_fill",
    "evolve_codecs",
    "pipeline_for_metadata",
    "pipeline_from_codecs",
    "pipeline_v2",
]


class _Chain(Protocol):
    def decode_batch(
        self, chunks: Sequence[RawBytes | None], spec: ChunkSpec, keys: Sequence[str]
    ) -> list[npt.NDArray[Any] | None]: ...

    def encode_batch(
        self, arrays: Sequence[npt.NDArray[Any] | None], spec: ChunkSpec
    ) -> list[RawBytes | None]: ...


def _to_host(array: Any) -> npt.NDArray[Any]:
    if isinstance(array, np.ndarray):
        return array
    get = getattr(array, "get", None)  # cupy arrays copy to host with .get()
    if get is not None and not isinstance(array, Mapping):
        return np.asarray(get())
    return np.asarray(array)


def _on_host(spec: ChunkSpec) -> bool:
    from anyzarr.protocol.buffer import cpu

    return issubclass(spec.prototype.nd_buffer, cpu.NDBuffer)


def all_fill(array: npt.NDArray[Any], fill_value: Any) -> bool:
    """Whether every element of ``array`` equals ``fill_value`` (NaN equals NaN)."""
    return array_all_equal(array, fill_value, True)


class CodecPipeline:
    """Batch encode/decode for one array, plus read plans for partial reads."""

    def __init__(self, chain: CodecChain | V2Chain) -> None:
        self._chain: _Chain = chain
        self.chain = chain
        shard = chain.array_bytes if isinstance(chain, CodecChain) else None
        self._shard: ShardingCodec | None = (
            shard if isinstance(shard, ShardingCodec) and not chain.array_array else None  # type: ignore[union-attr]
        )

    @property
    def codecs(self) -> tuple[Codec, ...]:
        """The v3 codecs (empty for a v2 pipeline)."""
        return self.chain.codecs if isinstance(self.chain, CodecChain) else ()

    @property
    def supports_partial_decode(self) -> bool:
        return self._shard is not None

    @property
    def sharding_codec(self) -> ShardingCodec | None:
        """The sharding codec when reads can be partial."""
        return self._shard

    def decode_batch(
        self,
        chunks: Sequence[Buffer | RawBytes | None],
        spec: ChunkSpec,
        keys: Sequence[str],
        *,
        writable: bool = False,
    ) -> list[npt.NDArray[Any] | None]:
        raws = [to_raw(c) for c in chunks]
        arrays = self._chain.decode_batch(raws, spec, keys)
        if writable:
            arrays = [a if a is None or a.flags.writeable else a.copy() for a in arrays]
        if not _on_host(spec):
            nd = spec.prototype.nd_buffer
            return [None if a is None else nd.from_numpy_array(a).as_ndarray_like() for a in arrays]
        return arrays

    def encode_batch(self, arrays: Sequence[Any], spec: ChunkSpec) -> list[Buffer | None]:
        host = [None if a is None else _to_host(a) for a in arrays]
        raws = self._chain.encode_batch(host, spec)
        make = spec.prototype.buffer.from_bytes
        return [None if r is None else make(r) for r in raws]  # type: ignore[arg-type]

    def direct_decoder(self, spec: ChunkSpec) -> DirectDecoder | None:
        """A decoder that decompresses chunks into given memory, when the codecs allow.

        See :mod:`anyzarr.protocol.codecs._direct`; None for chains that
        transform the bytes beyond one blosc or zstd compressor.
        """
        if not _on_host(spec):
            return None
        return direct_decoder(self.chain, spec)

    def ranged_dtype(self, spec: ChunkSpec) -> np.dtype[Any] | None:
        """The dtype the stored bytes hold when element ``i`` is at bytes ``i*itemsize``..., else None.

        That holds for chains that are only ``bytes`` (format 2: no filter, no
        compressor, C order) over a fixed-size data type: a few elements of
        such a chunk can then be read as byte ranges (`RangedChunkReadPlan`).
        """
        if not _on_host(spec) or spec.order != "C" or spec.dtype.hasobject:
            return None
        if (spec.dtype.kind in "OTV" and not spec.dtype.fields) or spec.dtype.itemsize == 0:
            return None
        chain = self.chain
        if isinstance(chain, V2Chain):
            if chain.filters or chain.compressor is not None or chain.order != "C":
                return None
            return spec.dtype
        if chain.array_array or chain.bytes_bytes or type(chain.array_bytes) is not BytesCodec:
            return None
        return _with_endian(spec.dtype, chain.array_bytes.endian)

    def read_plan(
        self,
        key: str,
        chunk_selection: tuple[Any, ...],
        spec: ChunkSpec,
        *,
        index: ShardIndex | None = None,
        chunks: DecodedChunks | None = None,
        points: bool = False,
    ) -> ReadPlan:
        """A plan for ``chunk[chunk_selection]`` that fetches as little as the codecs allow.

        Shards read their index, then the inner chunks needed; uncompressed
        chunks (`ranged_dtype`) the byte ranges needed; anything else the
        whole object.  ``points`` pairs the selection's arrays point by point
        (not for shards).
        """
        if self._shard is not None:
            return ShardReadPlan(self._shard, key, chunk_selection, spec, index, chunks)
        stored = self.ranged_dtype(spec)
        if stored is not None:
            return RangedChunkReadPlan(key, chunk_selection, spec, stored, points=points)
        return WholeChunkReadPlan(self._chain.decode_batch, key, chunk_selection, spec)


def evolve_codecs(codecs: Iterable[Codec], spec: ChunkSpec) -> tuple[Codec, ...]:
    """Fill in codec settings that depend on the array (blosc typesize, bytes endian...)."""
    out: list[Codec] = []
    current = spec
    for codec in codecs:
        codec = codec.evolve_from_array_spec(current)
        out.append(codec)
        resolve = getattr(codec, "resolve_spec", None)
        if resolve is not None:
            current = resolve(current)
    return tuple(out)


def pipeline_from_codecs(codecs: Iterable[Codec | Mapping[str, Any]]) -> CodecPipeline:
    """A v3 pipeline from codec objects or their metadata documents."""
    return CodecPipeline(CodecChain(parse_codecs(codecs)))


def pipeline_v2(
    filters: Sequence[Any] | None,
    compressor: Any,
    order: Literal["C", "F"] = "C",
    *,
    allow_pickle: bool = False,
) -> CodecPipeline:
    """A v2 pipeline from numcodecs objects or ``{"id": ...}`` documents."""
    return CodecPipeline(V2Chain(filters, compressor, order, allow_pickle=allow_pickle))


def pipeline_for_metadata(meta: Any, *, allow_pickle: bool = False) -> CodecPipeline:
    """The pipeline for an ``ArrayV3Metadata`` or ``ArrayV2Metadata``."""
    if getattr(meta, "zarr_format", None) == 2 or (
        hasattr(meta, "compressor") and not hasattr(meta, "codecs")
    ):
        return pipeline_v2(
            getattr(meta, "filters", None),
            getattr(meta, "compressor", None),
            getattr(meta, "order", "C"),
            allow_pickle=allow_pickle,
        )
    return pipeline_from_codecs(meta.codecs)
