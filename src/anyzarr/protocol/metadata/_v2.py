"""Zarr v2 array metadata (``.zarray`` plus ``.zattrs``)."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numcodecs
import numpy as np

from anyzarr.protocol._errors import MetadataValidationError, UnknownCodecError, ZarrUserWarning
from anyzarr.protocol.dtypes import DataType, data_type_from_json
from anyzarr.protocol.metadata._chunk_grid import RegularChunkGrid
from anyzarr.protocol.metadata._chunk_keys import (
    V2ChunkKeyEncoding,
    chunk_coords_of_key,
)
from anyzarr.protocol.metadata._common import parse_shape
from anyzarr.protocol.metadata._limits import check_chunk_sizes

__all__ = ["OBJECT_CODEC_IDS", "ArrayV2Metadata", "parse_array_v2", "parse_numcodec"]

OBJECT_CODEC_IDS = frozenset(
    {"vlen-utf8", "vlen-bytes", "vlen-array", "json2", "msgpack2", "pickle"}
)

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer, BufferPrototype


def parse_numcodec(config: Any, field: str) -> Any:
    """A numcodecs codec from its config (or a codec instance, returned as is)."""
    if isinstance(config, numcodecs.abc.Codec):
        return config
    from anyzarr.protocol.codecs._base import BytesBytesCodec

    if isinstance(config, BytesBytesCodec):
        # zarr-python's wording for the common mistake of passing a v3 codec.
        raise MetadataValidationError(
            f"{field}: Cannot use a BytesBytesCodec as a compressor for zarr v2 arrays. "
            f"Use a numcodecs codec directly instead (got {config!r})."
        )
    if not isinstance(config, dict) or not isinstance(config.get("id"), str):
        raise MetadataValidationError(
            f"{field}: expected a codec object with an 'id', got {config!r}"
        )
    try:
        return numcodecs.get_codec(dict(config))
    except ValueError as exc:
        raise UnknownCodecError(f"{field}: unknown codec {config['id']!r}") from exc
    except TypeError as exc:
        raise MetadataValidationError(
            f"{field}: bad configuration for codec {config['id']!r}: {exc}"
        ) from exc


def _codec_json(codec: Any) -> dict[str, Any]:
    config: dict[str, Any] = codec.get_config()
    # zarr-python drops zstd's default checksum flag (its issue 2647); so do we, to match.
    if config.get("id") == "zstd" and not config.get("checksum", False):
        config.pop("checksum", None)
    return config


def object_codec_id(filters: tuple[Any, ...] | None, compressor: Any | None) -> str | None:
    """The first codec that turns Python objects into bytes, which gives ``|O`` its meaning."""
    for codec in (*(filters or ()), compressor):
        if codec is not None and codec.codec_id in OBJECT_CODEC_IDS:
            return str(codec.codec_id)
    return None


@dataclass(frozen=True, eq=False)
class ArrayV2Metadata:
    """Everything ``.zarray`` and ``.zattrs`` say about a v2 array.

    ``fill_value`` is None (the document's null) or a decoded numpy scalar;
    ``filters`` and ``compressor`` are numcodecs codec objects.
    """

    shape: tuple[int, ...]
    chunks: tuple[int, ...]
    data_type: DataType
    fill_value: Any = None
    order: Literal["C", "F"] = "C"
    filters: tuple[Any, ...] | None = None
    compressor: Any | None = None
    dimension_separator: Literal[".", "/"] = "."
    attributes: dict[str, Any] = field(default_factory=dict)

    zarr_format: ClassVar[Literal[2]] = 2
    node_type: ClassVar[Literal["array"]] = "array"

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", parse_shape(self.shape, "shape"))
        object.__setattr__(self, "chunks", parse_shape(self.chunks, "chunks"))
        if len(self.chunks) != len(self.shape) or any(c < 1 for c in self.chunks):
            raise MetadataValidationError(
                f"chunks: {self.chunks} must be positive and match the rank of shape {self.shape}"
            )
        check_chunk_sizes(self.chunks, self.dtype, "chunks")
        if self.order not in ("C", "F"):
            raise MetadataValidationError(f"order: must be 'C' or 'F', got {self.order!r}")
        if self.dimension_separator not in (".", "/"):
            raise MetadataValidationError(
                f"dimension_separator: must be '.' or '/', got {self.dimension_separator!r}"
            )
        if self.filters is not None:
            filters = tuple(parse_numcodec(f, f"filters[{i}]") for i, f in enumerate(self.filters))
            object.__setattr__(self, "filters", filters)
        if self.compressor is not None:
            object.__setattr__(self, "compressor", parse_numcodec(self.compressor, "compressor"))
        wanted = self.data_type.object_codec_id
        if wanted is not None and object_codec_id(self.filters, self.compressor) != wanted:
            raise MetadataValidationError(
                f"filters: data type {self.data_type} needs the {wanted!r} object codec in "
                "filters or compressor"
            )
        if self.fill_value is not None:
            object.__setattr__(self, "fill_value", self.data_type.cast_value(self.fill_value))

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.data_type.dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def chunk_shape(self) -> tuple[int, ...]:
        return self.chunks

    @property
    def chunk_grid(self) -> RegularChunkGrid:
        """The regular grid of ``chunks`` (v2 stores no grid; this is its meaning)."""
        return RegularChunkGrid(self.chunks)

    def chunk_shape_at(self, chunk_coords: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of the stored chunk at ``chunk_coords``: always `chunks`."""
        return self.chunk_grid.chunk_shape_at(tuple(chunk_coords))

    @property
    def inner_chunk_shape(self) -> tuple[int, ...]:
        return self.chunks

    @property
    def shards(self) -> tuple[int, ...] | None:
        return None

    @property
    def dimension_names(self) -> None:
        return None

    @property
    def chunk_key_encoding(self) -> V2ChunkKeyEncoding:
        return V2ChunkKeyEncoding(self.dimension_separator)

    def encode_chunk_key(self, chunk_coords: tuple[int, ...]) -> str:
        return self.chunk_key_encoding.encode_chunk_key(tuple(chunk_coords))

    def chunk_coords_of_key(self, key: str) -> tuple[int, ...] | None:
        """The coordinates of the stored object ``key`` (relative to the array) names, or None.

        None for metadata documents and any key that is not a chunk (a shard
        when sharded) of this array's grid.  Costs O(1) per key, so counting
        stored chunks costs O(keys listed), however large the grid.
        """
        return chunk_coords_of_key(
            self.chunk_key_encoding, key, self.chunk_grid.grid_shape(self.shape)
        )

    def with_shape(self, shape: tuple[int, ...]) -> ArrayV2Metadata:
        return replace(self, shape=tuple(shape))

    def with_attributes(self, attributes: dict[str, Any]) -> ArrayV2Metadata:
        return replace(self, attributes=dict(attributes))

    def to_buffer_dict(self, prototype: BufferPrototype) -> dict[str, Buffer]:
        """This node's metadata files, relative name to a buffer of ``prototype``, as written."""
        from anyzarr.protocol.metadata._documents import metadata_documents

        return {
            name: prototype.buffer.from_bytes(data)
            for name, data in metadata_documents(self).items()
        }

    def to_dict(self) -> dict[str, Any]:
        """The ``.zarray`` document (attributes live in `attributes`), in zarr-python's order."""
        return {
            "shape": list(self.shape),
            "chunks": list(self.chunks),
            "dtype": self.data_type.to_json(2),
            "fill_value": self.data_type.encode_fill_value(self.fill_value, 2),
            "order": self.order,
            "filters": None if self.filters is None else [_codec_json(f) for f in self.filters],
            "dimension_separator": self.dimension_separator,
            "compressor": None if self.compressor is None else _codec_json(self.compressor),
            "zarr_format": 2,
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ArrayV2Metadata):
            return NotImplemented
        return (self.to_dict(), self.attributes) == (other.to_dict(), other.attributes)

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True))


def parse_array_v2(
    zarray: dict[str, Any], attributes: dict[str, Any], path: str
) -> ArrayV2Metadata:
    """Validate a decoded ``.zarray`` document."""
    where = f"{path or '/'}/.zarray"
    missing = [k for k in ("shape", "chunks", "dtype", "compressor") if k not in zarray]
    if missing:
        raise MetadataValidationError(f"{where}: missing required field(s) {missing}")
    # v2 has no extension mechanism; like zarr-python, unknown fields are ignored.
    try:
        raw_filters = zarray.get("filters")
        if raw_filters is not None and not isinstance(raw_filters, list):
            raise MetadataValidationError(f"filters: must be a list or null, got {raw_filters!r}")
        # zarr-python reads an empty filter list as null (the spec says null), and warns.
        if raw_filters == []:
            warnings.warn(
                "Found an empty list of filters in the array metadata document. This is "
                "contrary to the Zarr V2 specification, and will cause an error in the future. "
                "Use None (or Null in a JSON document) instead of an empty list of filters.",
                ZarrUserWarning,
                stacklevel=2,
            )
        filters = (
            tuple(parse_numcodec(f, f"filters[{i}]") for i, f in enumerate(raw_filters))
            if raw_filters
            else None
        )
        compressor = (
            None
            if zarray["compressor"] is None
            else parse_numcodec(zarray["compressor"], "compressor")
        )
        data_type = data_type_from_json(
            zarray["dtype"], 2, object_codec_id(filters, compressor), field="dtype"
        )
        return ArrayV2Metadata(
            shape=parse_shape(zarray["shape"], "shape"),
            chunks=parse_shape(zarray["chunks"], "chunks"),
            data_type=data_type,
            fill_value=data_type.decode_fill_value(zarray.get("fill_value"), 2),
            order=zarray.get("order", "C"),
            filters=filters,
            compressor=compressor,
            dimension_separator=zarray.get("dimension_separator", "."),
            attributes=attributes,
        )
    except MetadataValidationError as exc:
        raise type(exc)(f"{where}: {exc}") from exc
