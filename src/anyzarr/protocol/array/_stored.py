"""``StoredArray``: what a read or write of an array needs to know besides the selection."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Literal

from anyzarr.protocol.buffer import BufferPrototype, cpu, default_buffer_prototype
from anyzarr.protocol.codecs import (
    ChunkSpec,
    CodecChain,
    CodecPipeline,
    DirectDecoder,
    pipeline_for_metadata,
)
from anyzarr.protocol.metadata import ArrayMetadata

__all__ = ["DIRECT_MIN_BYTES", "DirectDecoders", "StoredArray"]

#: Chunks decoding to fewer bytes skip the direct decode into given memory:
#: their buffers come from the allocator's free lists (no page faults to
#: save), and the header checks per chunk cost more than they save
#: (measured on 4 KiB chunks).
DIRECT_MIN_BYTES = 64 * 1024

#: ``(small, large)``: the decoder for small chunks or the one for large ones.
DirectDecoders = tuple[DirectDecoder | None, DirectDecoder | None]


@dataclass(frozen=True, eq=False)
class StoredArray:
    """An array's metadata, where its objects live, and how they are decoded.

    ``path`` is the array's path inside the store (``""`` for the root); the
    key of a stored object (a chunk, or a shard when the array is sharded)
    is ``path/`` followed by its encoded chunk key.  ``spec`` describes one
    stored object once decoded (its full shape: edge chunks are stored full
    size), with the memory order and buffer prototype wanted for this
    operation; on a rectilinear grid, where objects differ in shape, it is
    the first object's and `spec_at` gives each one's.  Build one with `from_metadata`; it is cheap to make again
    with another prototype or order (`with_spec`), the codec pipeline is the
    part worth keeping.
    """

    metadata: ArrayMetadata
    path: str
    pipeline: CodecPipeline
    spec: ChunkSpec
    _decoders: dict[tuple[int, ...], DirectDecoders] = field(
        default_factory=dict, init=False, repr=False
    )

    @classmethod
    def from_metadata(
        cls,
        metadata: ArrayMetadata,
        path: str = "",
        *,
        order: Literal["C", "F"] | None = None,
        prototype: BufferPrototype | None = None,
        write_empty_chunks: bool = False,
        allow_pickle: bool = False,
        pipeline: CodecPipeline | None = None,
    ) -> StoredArray:
        """The stored array for ``metadata`` at ``path``.

        ``order`` defaults to the metadata's (Zarr v2) or C; ``pipeline`` may
        pass one already built for the same metadata.
        """
        if pipeline is None:
            pipeline = pipeline_for_metadata(metadata, allow_pickle=allow_pickle)
        spec = ChunkSpec(
            shape=tuple(metadata.chunk_shape_at((0,) * len(metadata.shape))),
            dtype=metadata.dtype,
            fill_value=metadata.fill_value,
            order=order if order is not None else metadata.order,
            prototype=prototype if prototype is not None else default_buffer_prototype(),
            write_empty_chunks=write_empty_chunks,
        )
        return cls(metadata, path.strip("/"), pipeline, spec)

    @property
    def is_regular(self) -> bool:
        """Whether every stored object has the shape of `spec`."""
        return bool(self.metadata.chunk_grid.is_regular)

    def spec_at(self, coords: tuple[int, ...]) -> ChunkSpec:
        """The spec of the stored object at grid position ``coords``."""
        if self.is_regular:
            return self.spec
        shape = tuple(self.metadata.chunk_shape_at(coords))
        return self.spec if shape == self.spec.shape else self.spec.with_shape(shape)

    @property
    def key_prefix(self) -> str:
        """What every stored key of the array starts with."""
        return f"{self.path}/" if self.path else ""

    def key(self, coords: tuple[int, ...]) -> str:
        """The store key of the stored object at grid position ``coords``."""
        return self.key_prefix + self.metadata.encode_chunk_key(coords)

    @property
    def chunk_nbytes(self) -> int:
        """Decoded bytes of one stored object (variable-size items count as a pointer each)."""
        n = self.spec.dtype.itemsize or 1
        for s in self.spec.shape:
            n *= s
        return n

    @functools.cached_property
    def max_stored_nbytes(self) -> int | None:
        """The most bytes a stored object of `spec` takes when it encodes `spec` (None: unbounded).

        From the codecs' worst cases (``CodecChain.max_encoded_size``); Zarr
        format 2 chains and variable-length data give None.
        """
        chain = self.pipeline.chain
        return chain.max_encoded_size(self.spec) if isinstance(chain, CodecChain) else None

    def direct_decoders(self, spec: ChunkSpec) -> DirectDecoders:
        """``(small, large)`` direct decoders for objects of ``spec`` (at most one is set).

        See `ChunkPlacer`: chunks under `DIRECT_MIN_BYTES` are decompressed
        one by one (``small``), larger ones into given memory (``large``).
        Kept per object shape, since a pipeline's answer never changes.
        """
        found = self._decoders.get(spec.shape)
        if found is None:
            direct = self.pipeline.direct_decoder(spec) if self.on_host else None
            if direct is None:
                found = (None, None)
            elif direct.nbytes < DIRECT_MIN_BYTES:
                found = (direct, None)
            else:
                found = (None, direct)
            self._decoders[spec.shape] = found
        return found

    @property
    def on_host(self) -> bool:
        """Whether decoded chunks live in host (numpy) memory."""
        return issubclass(self.spec.prototype.nd_buffer, cpu.NDBuffer)
