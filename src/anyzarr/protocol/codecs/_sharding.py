"""The ``sharding_indexed`` codec: many inner chunks stored in one object.

A shard is the encoded inner chunks one after another (in Morton order, as
zarr-python writes them) plus an index: for every inner chunk an
``(offset, nbytes)`` pair of ``uint64``, both ``2**64 - 1`` for a chunk that
is absent (it holds only the fill value).  The index is encoded with its own
codec chain (by default little-endian bytes and a CRC-32C checksum) and sits
at the start or the end of the shard.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from math import ceil, log2, prod
from typing import Any, ClassVar, Literal, Self

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._errors import (
    ChunkDecodeError,
    MetadataTypeError,
    MetadataValidationError,
)
from anyzarr.protocol.buffer import Buffer
from anyzarr.protocol.buffer._core import array_all_equal, detached
from anyzarr.protocol.codecs._base import (
    ArrayBytesCodec,
    ChunkSpec,
    Codec,
    RawBytes,
    enum_value,
    parse_named_configuration,
)
from anyzarr.protocol.codecs._bounded import VARIABLE_CHUNK_LIMIT
from anyzarr.protocol.codecs._chain import CodecChain
from anyzarr.protocol.codecs._plans import to_raw
from anyzarr.protocol.codecs._selection import SelectionSplit, ix

__all__ = ["MISSING", "ShardIndex", "ShardingCodec", "morton_order"]

MISSING = np.uint64(2**64 - 1)
IndexLocation = Literal["start", "end"]


def morton_order(grid: tuple[int, ...]) -> npt.NDArray[np.intp]:
    """Coordinates of a grid's cells (rows of the result) in Morton (Z) order.

    Bits are interleaved starting with the first dimension's lowest bit; a
    dimension that has run out of bits is skipped, which is the order
    zarr-python uses for non-power-of-two grids.
    """
    coords = np.indices(grid, dtype=np.int64).reshape(len(grid), prod(grid))
    bits = [ceil(log2(n)) if n > 1 else 0 for n in grid]
    code = np.zeros(coords.shape[1], dtype=np.int64)
    out_bit = 0
    for bit in range(max(bits, default=0)):
        for dim, nbits in enumerate(bits):
            if bit < nbits:
                code |= ((coords[dim] >> bit) & 1) << out_bit
                out_bit += 1
    return coords[:, np.argsort(code, kind="stable")].T.astype(np.intp)


@dataclass(frozen=True)
class ShardIndex:
    """A decoded shard index: ``table[coords] == (offset, nbytes)``."""

    table: npt.NDArray[np.uint64]

    def get(self, coords: tuple[int, ...]) -> tuple[int, int] | None:
        """Byte offset and length of an inner chunk, or None when it is absent."""
        offset, nbytes = self.table[coords]
        if offset == MISSING and nbytes == MISSING:
            return None
        return int(offset), int(nbytes)

    def is_all_empty(self) -> bool:
        return bool((self.table == MISSING).all())


def _as_shape(value: Any, field_name: str) -> tuple[int, ...]:
    # Read as zarr-python reads an array shape: an integer or an iterable of
    # integers (numpy integers and bools included), with its error classes.
    where = f"codec 'sharding_indexed': field {field_name!r}"
    if isinstance(value, int | np.integer):
        value = (value,)
    if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
        raise MetadataTypeError(f"{where}: Expected an iterable of integers, got {value!r}")
    sizes = tuple(value)
    if not all(isinstance(v, int | np.integer) for v in sizes):
        raise MetadataTypeError(f"{where}: Expected an iterable of integers, got {value!r}")
    if any(v < 0 for v in sizes):
        raise MetadataValidationError(
            f"{where}: Expected all values to be non-negative, got {value!r}"
        )
    if not all(sizes):
        raise MetadataValidationError(f"{where} must be positive integers, got {value!r}")
    return tuple(int(v) for v in sizes)


@dataclass(frozen=True, eq=False, init=False)
class ShardingCodec(ArrayBytesCodec):
    """Store a grid of ``chunk_shape`` inner chunks, each with ``codecs``, in one object."""

    codec_name: ClassVar[str] = "sharding_indexed"
    chunk_shape: tuple[int, ...]
    codecs: tuple[Codec, ...]
    index_codecs: tuple[Codec, ...]
    index_location: IndexLocation
    # Reading this many unneeded bytes is cheaper than issuing another request.
    coalesce_max_gap: ClassVar[int] = 1 << 20

    def __init__(
        self,
        *,
        chunk_shape: Sequence[int],
        codecs: Sequence[Codec | Mapping[str, Any]] | None = None,
        index_codecs: Sequence[Codec | Mapping[str, Any]] | None = None,
        index_location: str = "end",
    ) -> None:
        from anyzarr.protocol.codecs._bytes import BytesCodec
        from anyzarr.protocol.codecs._crc32c import Crc32cCodec
        from anyzarr.protocol.codecs._registry import parse_codecs

        index_location = enum_value(index_location, "ShardingCodec", "index_location")
        if index_location not in ("start", "end"):
            raise MetadataValidationError(
                "codec 'sharding_indexed': field 'index_location' must be 'start' or 'end', "
                f"got {index_location!r}"
            )
        inner = (BytesCodec(),) if codecs is None else parse_codecs(codecs)
        index = (
            (BytesCodec(endian="little"), Crc32cCodec())
            if index_codecs is None
            else parse_codecs(index_codecs)
        )
        object.__setattr__(self, "chunk_shape", _as_shape(chunk_shape, "chunk_shape"))
        object.__setattr__(self, "codecs", inner)
        object.__setattr__(self, "index_codecs", index)
        object.__setattr__(self, "index_location", index_location)
        CodecChain(inner)  # validates the order of kinds now, not at first use
        CodecChain(index)

    # -- metadata -------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        config = parse_named_configuration(data, cls.codec_name, configuration_required=True)
        if "chunk_shape" not in config:
            raise MetadataValidationError(
                "codec 'sharding_indexed': field 'chunk_shape' is required"
            )
        return cls(
            chunk_shape=config["chunk_shape"],
            codecs=config.get("codecs"),
            index_codecs=config.get("index_codecs"),
            index_location=config.get("index_location", "end"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": "sharding_indexed",
            "configuration": {
                "chunk_shape": list(self.chunk_shape),
                "codecs": [c.to_dict() for c in self.codecs],
                "index_codecs": [c.to_dict() for c in self.index_codecs],
                "index_location": self.index_location,
            },
        }

    def evolve_from_array_spec(self, spec: ChunkSpec) -> Self:
        inner = self.inner_spec(spec)
        codecs = tuple(c.evolve_from_array_spec(inner) for c in self.codecs)
        if codecs == self.codecs:
            return self
        return type(self)(
            chunk_shape=self.chunk_shape,
            codecs=codecs,
            index_codecs=self.index_codecs,
            index_location=self.index_location,
        )

    def validate(self, spec: ChunkSpec) -> None:
        if len(self.chunk_shape) != len(spec.shape):
            raise MetadataValidationError(
                f"codec 'sharding_indexed': field 'chunk_shape' {list(self.chunk_shape)} does "
                f"not match the {len(spec.shape)} dimensions of shard shape {list(spec.shape)}"
            )
        if any(s % c for s, c in zip(spec.shape, self.chunk_shape, strict=True)):
            raise MetadataValidationError(
                f"codec 'sharding_indexed': shard shape {list(spec.shape)} is not a multiple "
                f"of field 'chunk_shape' {list(self.chunk_shape)}"
            )
        self.inner_chain.validate(self.inner_spec(spec))

    # -- helpers shared with the read plan -------------------------------------

    @cached_property
    def inner_chain(self) -> CodecChain:
        return CodecChain(self.codecs)

    @cached_property
    def index_chain(self) -> CodecChain:
        return CodecChain(self.index_codecs)

    def grid(self, spec: ChunkSpec) -> tuple[int, ...]:
        """Number of inner chunks along each dimension of a shard."""
        return tuple(s // c for s, c in zip(spec.shape, self.chunk_shape, strict=True))

    def inner_spec(self, spec: ChunkSpec) -> ChunkSpec:
        return spec.with_shape(self.chunk_shape)

    def _index_spec(self, spec: ChunkSpec) -> ChunkSpec:
        return ChunkSpec(
            shape=(*self.grid(spec), 2),
            dtype=np.dtype("<u8"),
            fill_value=MISSING,
            prototype=spec.prototype,
        )

    def index_size(self, spec: ChunkSpec) -> int:
        """Encoded size of the shard index in bytes."""
        return self.index_chain.compute_encoded_size(self._index_spec(spec))

    def max_inner_nbytes(self, spec: ChunkSpec) -> int:
        """The most bytes one encoded inner chunk can take."""
        bound = self.inner_chain.max_encoded_size(self.inner_spec(spec))
        return VARIABLE_CHUNK_LIMIT if bound is None else bound

    def max_encoded_size(self, spec: ChunkSpec) -> int | None:
        inner = self.inner_chain.max_encoded_size(self.inner_spec(spec))
        if inner is None:
            return None
        return self.index_size(spec) + prod(self.grid(spec)) * inner

    def decode_index(
        self, data: RawBytes, spec: ChunkSpec, key: str, shard_nbytes: int | None = None
    ) -> ShardIndex:
        """Parse and check an encoded index (checksum verified); errors name ``key``.

        Every entry must be absent (both fields ``2**64 - 1``) or point at a
        range that lies after a leading index, within ``shard_nbytes`` (when
        the caller knows the shard's size) and before a trailing index, and is
        no longer than an inner chunk can encode to.  So no range read from
        the index is ever fetched or sliced before it has been checked.
        """
        [table] = self.index_chain.decode_batch([data], self._index_spec(spec), [key])
        assert table is not None
        index = ShardIndex(np.asarray(table, dtype=np.uint64))
        self._check_index(index, spec, key, shard_nbytes)
        return index

    def _check_index(
        self, index: ShardIndex, spec: ChunkSpec, key: str, shard_nbytes: int | None
    ) -> None:
        offsets, lengths = index.table[..., 0], index.table[..., 1]
        absent_offset, absent_length = offsets == MISSING, lengths == MISSING
        size = self.index_size(spec)
        low = size if self.index_location == "start" else 0
        high = (1 << 63) - 1
        if shard_nbytes is not None:
            high = max(0, shard_nbytes - (size if self.index_location == "end" else 0))
        max_len = min(self.max_inner_nbytes(spec), max(high, 0))
        present = ~absent_offset
        checks = (
            (absent_offset != absent_length, "only one of offset and length marks it absent"),
            (present & (lengths > np.uint64(max_len)), f"its length exceeds {max_len} bytes"),
            (present & (offsets < np.uint64(low)), "it overlaps the index"),
            (
                # lengths <= max_len <= high here, so high - lengths cannot wrap.
                present & (offsets > np.uint64(high) - np.minimum(lengths, np.uint64(max_len))),
                "it ends past the shard's data",
            ),
        )
        for bad, reason in checks:
            if bad.any():
                coords = tuple(int(c) for c in np.argwhere(bad)[0])
                offset, length = (int(v) for v in index.table[coords])
                raise ChunkDecodeError(
                    f"codec 'sharding_indexed': index entry for inner chunk {list(coords)} "
                    f"(offset {offset}, length {length}) is invalid: {reason}",
                    key,
                )

    def split_index(self, data: RawBytes, spec: ChunkSpec, key: str) -> ShardIndex:
        """The index of a whole encoded shard."""
        view = memoryview(data).cast("B")
        size = self.index_size(spec)
        if view.nbytes < size:
            raise ChunkDecodeError(
                f"codec 'sharding_indexed': shard of {view.nbytes} bytes is smaller than its "
                f"{size}-byte index",
                key,
            )
        part = view[:size] if self.index_location == "start" else view[view.nbytes - size :]
        return self.decode_index(part, spec, key, view.nbytes)

    # -- array -> bytes --------------------------------------------------------

    def decode(self, data: RawBytes, spec: ChunkSpec, key: str) -> npt.NDArray[Any]:
        view = memoryview(data).cast("B")
        index = self.split_index(view, spec, key)
        out = spec.fill_array()
        full = tuple(slice(None) for _ in spec.shape)
        self.assemble(
            index, SelectionSplit(full, spec.shape, self.chunk_shape), view, spec, key, out
        )
        return out

    def decode_into(
        self,
        data: RawBytes | Buffer,
        spec: ChunkSpec,
        key: str,
        selection: Sequence[Any],
        out: npt.NDArray[Any],
    ) -> None:
        """Decode ``shard[selection]`` of a whole encoded shard straight into ``out``.

        ``out`` has the kept-dims shape of ``selection`` (usually a view of
        the caller's result): each inner chunk is copied once, to where it
        belongs, instead of into a full shard first; absent inner chunks put
        the fill value there.  ``data`` may also be a ``Buffer``.
        """
        raw = to_raw(data)
        assert raw is not None
        view = memoryview(raw).cast("B")
        index = self.split_index(view, spec, key)
        split = SelectionSplit(selection, spec.shape, self.chunk_shape)
        self.assemble(index, split, view, spec, key, out, fill_missing=True)

    def assemble(
        self,
        index: ShardIndex,
        split: SelectionSplit,
        data: RawBytes | Mapping[int, RawBytes],
        spec: ChunkSpec,
        key: str,
        out: npt.NDArray[Any],
        *,
        fill_missing: bool = False,
        cached: Mapping[tuple[int, ...], npt.NDArray[Any]] | None = None,
        keep: Callable[[tuple[int, ...], npt.NDArray[Any]], None] | None = None,
    ) -> None:
        """Decode the inner chunks ``split`` touches into ``out`` (kept-dims shape).

        ``data`` is the whole shard or, for a partial read, a map from each
        fetched range's start offset to its bytes.  With ``fill_missing`` the
        places of absent inner chunks get the fill value (otherwise ``out``
        is expected to hold it already).  ``cached`` gives inner chunks
        decoded before (they need no bytes); ``keep`` is offered every inner
        chunk decoded here, as an array of its own memory.
        """
        pieces = []
        raws: list[RawBytes | None] = []
        names: list[str] = []
        kept: list[tuple[int, ...]] = []
        fill: npt.NDArray[Any] | None = None
        for coords, chunk_sel, out_sel in split.pieces():
            hit = None if cached is None else cached.get(coords)
            if hit is not None:
                out[ix(out_sel)] = hit[ix(chunk_sel)]
                continue
            where = index.get(coords)
            if where is None:
                if fill_missing:
                    if fill is None:
                        fill = np.full((), spec.fill_value, dtype=spec.dtype)
                    out[ix(out_sel)] = fill
                continue
            raws.append(_slice_from(data, where[0], where[1], key))
            pieces.append((chunk_sel, out_sel))
            names.append(f"{key} (inner chunk {list(coords)})")
            kept.append(coords)
        if not raws:
            return
        decoded = self.inner_chain.decode_batch(raws, self.inner_spec(spec), names)
        for (chunk_sel, out_sel), chunk, coords in zip(pieces, decoded, kept, strict=True):
            assert chunk is not None
            out[ix(out_sel)] = chunk[ix(chunk_sel)]
            if keep is not None:
                keep(coords, detached(chunk))

    def encode(self, array: npt.NDArray[Any], spec: ChunkSpec) -> RawBytes | None:
        grid = self.grid(spec)
        order = morton_order(grid)
        cs = self.chunk_shape
        inner = self.inner_spec(spec)
        kept: list[tuple[tuple[int, ...], npt.NDArray[Any]]] = []
        for row in order:
            coords = tuple(int(c) for c in row)
            part = array[tuple(slice(c * n, (c + 1) * n) for c, n in zip(coords, cs, strict=True))]
            if not spec.write_empty_chunks and array_all_equal(part, spec.fill_value, True):
                continue
            kept.append((coords, part))
        encoded = self.inner_chain.encode_batch([p for _, p in kept], inner)
        table = np.full((*grid, 2), MISSING, dtype=np.uint64)
        blobs: list[memoryview] = []
        index_size = self.index_size(spec)
        offset = index_size if self.index_location == "start" else 0
        for (coords, _), blob in zip(kept, encoded, strict=True):
            if blob is None:
                continue
            view = memoryview(blob).cast("B")
            table[coords] = (offset, view.nbytes)
            offset += view.nbytes
            blobs.append(view)
        if not blobs:
            return None
        [index_bytes] = self.index_chain.encode_batch([table], self._index_spec(spec))
        assert index_bytes is not None
        parts = [index_bytes, *blobs] if self.index_location == "start" else [*blobs, index_bytes]
        return b"".join(parts)

    def compute_encoded_size(self, spec: ChunkSpec) -> int:
        return self.index_size(spec) + prod(
            self.grid(spec)
        ) * self.inner_chain.compute_encoded_size(self.inner_spec(spec))


def _slice_from(
    data: RawBytes | Mapping[int, RawBytes], offset: int, nbytes: int, key: str
) -> RawBytes:
    """Bytes ``offset .. offset+nbytes`` of a shard, from the shard or fetched ranges."""
    if isinstance(data, Mapping):
        for start, blob in data.items():
            view = memoryview(blob).cast("B")
            if nbytes >= 0 and start <= offset and offset + nbytes <= start + view.nbytes:
                return view[offset - start : offset - start + nbytes]
        raise ChunkDecodeError(
            f"codec 'sharding_indexed': bytes {offset}..{offset + nbytes} were not fetched", key
        )
    view = memoryview(data).cast("B")
    if offset < 0 or nbytes < 0 or offset + nbytes > view.nbytes:
        raise ChunkDecodeError(
            f"codec 'sharding_indexed': index points at bytes {offset}..{offset + nbytes} "
            f"beyond the shard's {view.nbytes} bytes",
            key,
        )
    return view[offset : offset + nbytes]
