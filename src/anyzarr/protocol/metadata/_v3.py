"""Zarr v3 array metadata (``zarr.json`` with ``node_type: "array"``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from anyzarr.protocol._errors import MetadataValidationError, UnsupportedOperationError
from anyzarr.protocol.dtypes import DataType, data_type_from_json
from anyzarr.protocol.metadata._chunk_grid import (
    ChunkGrid,
    RectilinearChunkGrid,
    parse_chunk_grid,
)
from anyzarr.protocol.metadata._chunk_keys import (
    ChunkKeyEncoding,
    chunk_coords_of_key,
    parse_chunk_key_encoding,
)
from anyzarr.protocol.metadata._codecs import (
    codecs_to_json,
    evolve_v3_codecs,
    parse_v3_codecs,
    sharding_codec,
)
from anyzarr.protocol.metadata._common import check_extra_fields, parse_shape
from anyzarr.protocol.metadata._limits import check_chunk_sizes

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer, BufferPrototype

__all__ = ["ArrayV3Metadata", "parse_array_v3", "unsupported_transformer"]

_V3_ARRAY_KEYS = frozenset(
    {
        "zarr_format",
        "node_type",
        "shape",
        "data_type",
        "chunk_grid",
        "chunk_key_encoding",
        "fill_value",
        "codecs",
        "attributes",
        "dimension_names",
        "storage_transformers",
    }
)
_REQUIRED = ("shape", "data_type", "chunk_grid", "chunk_key_encoding", "fill_value", "codecs")


@dataclass(frozen=True, eq=False)
class ArrayV3Metadata:
    """Everything a v3 ``zarr.json`` says about an array.

    ``fill_value`` may be given as any value the data type accepts; it is
    stored decoded (a numpy scalar).  ``codecs`` are codec objects from
    `anyzarr.protocol.codecs`.
    """

    shape: tuple[int, ...]
    data_type: DataType
    chunk_grid: ChunkGrid
    chunk_key_encoding: ChunkKeyEncoding
    fill_value: Any
    codecs: tuple[Any, ...]
    attributes: dict[str, Any] = field(default_factory=dict)
    dimension_names: tuple[str | None, ...] | None = None
    storage_transformers: tuple[Any, ...] = ()
    extra_fields: dict[str, Any] = field(default_factory=dict)

    zarr_format: ClassVar[Literal[3]] = 3
    node_type: ClassVar[Literal["array"]] = "array"

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", parse_shape(self.shape, "shape"))
        object.__setattr__(self, "chunk_grid", parse_chunk_grid(self.chunk_grid))
        if self.chunk_grid.ndim != len(self.shape):
            raise MetadataValidationError(
                f"chunk_grid: {self.chunk_grid.ndim} dimensions do not match the "
                f"rank of shape {self.shape}"
            )
        self.chunk_grid.check_shape(self.shape)
        if self.dimension_names is not None:
            names = tuple(self.dimension_names)
            if len(names) != len(self.shape) or not all(
                n is None or isinstance(n, str) for n in names
            ):
                raise MetadataValidationError(
                    f"dimension_names: expected {len(self.shape)} names (text or null), "
                    f"got {self.dimension_names!r}"
                )
            object.__setattr__(self, "dimension_names", names)
        object.__setattr__(self, "codecs", tuple(self.codecs))
        if self.fill_value is None:
            raise MetadataValidationError("fill_value: null is not allowed in Zarr v3")
        object.__setattr__(self, "fill_value", self.data_type.cast_value(self.fill_value))
        if self.storage_transformers:
            raise unsupported_transformer(self.storage_transformers[0])
        _check_shard_shape(self.sharding_codec, self.chunk_grid, self.shape)
        shard = self.sharding_codec
        # The largest stored object bounds what decoding may allocate.
        grid = self.chunk_grid
        largest = tuple(max(grid.edge_lengths(axis)) for axis in range(grid.ndim))
        check_chunk_sizes(
            largest,
            self.dtype,
            "chunk_grid.configuration.chunk_shape"
            if grid.is_regular
            else "chunk_grid.configuration.chunk_shapes",
            inner_shape=None if shard is None else tuple(shard.chunk_shape),
            inner_field="codecs: sharding_indexed chunk_shape",
        )
        # zarr-python fills array-dependent codec settings (blosc typesize and
        # shuffle, bytes endian) when it builds metadata, so documents match.
        # None of them depends on the chunk's shape, so on a rectilinear grid
        # the first chunk stands for all (every edge was checked just above).
        first = self.chunk_grid.chunk_shape_at((0,) * self.ndim)
        object.__setattr__(
            self,
            "codecs",
            evolve_v3_codecs(self.codecs, first, self.dtype, self.fill_value),
        )

    # -- derived properties --------------------------------------------------------

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.data_type.dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def order(self) -> Literal["C", "F"]:
        """v3 stores no memory order; arrays are C-ordered unless a runtime config says not."""
        return "C"

    @property
    def sharding_codec(self) -> Any | None:
        return sharding_codec(self.codecs)

    @property
    def chunk_shape(self) -> tuple[int, ...]:
        """Shape of one stored object: the shard shape when sharded.

        Raises `UnsupportedOperationError` (a ``NotImplementedError``, as
        zarr-python raises) for a rectilinear grid, whose stored objects differ
        in shape: use `chunk_shape_at`.
        """
        grid = self.chunk_grid
        if isinstance(grid, RectilinearChunkGrid):
            raise UnsupportedOperationError(
                "this array has a rectilinear chunk grid: its chunks differ in shape; "
                "use chunk_shape_at(coords) or chunk_grid"
            )
        return grid.chunk_shape

    def chunk_shape_at(self, chunk_coords: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of the stored object (chunk, or shard when sharded) at ``chunk_coords``.

        For a regular grid this is always `chunk_shape`; for a rectilinear
        grid it is the chunk's full edge lengths, including any part past the
        array's end.
        """
        return self.chunk_grid.chunk_shape_at(tuple(chunk_coords))

    @property
    def shards(self) -> tuple[int, ...] | None:
        return self.chunk_shape if self.sharding_codec is not None else None

    @property
    def inner_chunk_shape(self) -> tuple[int, ...]:
        """The read/write granule: the inner chunk shape when sharded.

        Inner chunks are regular even when shards are rectilinear.
        """
        shard = self.sharding_codec
        return tuple(shard.chunk_shape) if shard is not None else self.chunk_shape

    @property
    def chunks(self) -> tuple[int, ...]:
        """zarr-python's name for `inner_chunk_shape`."""
        return self.inner_chunk_shape

    # -- operations ----------------------------------------------------------------

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

    def with_shape(self, shape: tuple[int, ...]) -> ArrayV3Metadata:
        """The metadata after a resize; a rectilinear grid grows as zarr-python grows it."""
        shape = tuple(shape)
        return replace(self, shape=shape, chunk_grid=self.chunk_grid.with_shape(self.shape, shape))

    def with_attributes(self, attributes: dict[str, Any]) -> ArrayV3Metadata:
        return replace(self, attributes=dict(attributes))

    def to_buffer_dict(self, prototype: BufferPrototype) -> dict[str, Buffer]:
        """This node's metadata files, relative name to a buffer of ``prototype``, as written."""
        from anyzarr.protocol.metadata._documents import metadata_documents

        return {
            name: prototype.buffer.from_bytes(data)
            for name, data in metadata_documents(self).items()
        }

    def to_dict(self) -> dict[str, Any]:
        """The ``zarr.json`` document, keys in zarr-python's order."""
        out: dict[str, Any] = {
            "shape": list(self.shape),
            "data_type": self.data_type.to_json(3),
            "chunk_grid": self.chunk_grid.to_dict(),
            "chunk_key_encoding": self.chunk_key_encoding.to_dict(),
            "fill_value": self.data_type.encode_fill_value(self.fill_value, 3),
            "codecs": codecs_to_json(self.codecs),
            "attributes": self.attributes,
        }
        if self.dimension_names is not None:
            out["dimension_names"] = list(self.dimension_names)
        out["zarr_format"] = 3
        out["node_type"] = "array"
        out["storage_transformers"] = list(self.storage_transformers)
        out.update(self.extra_fields)
        return out

    def __eq__(self, other: object) -> bool:
        # Compare documents, so NaN fill values compare equal.
        if not isinstance(other, ArrayV3Metadata):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True))


def unsupported_transformer(transformer: Any) -> MetadataValidationError:
    """The error for a storage transformer: anyzarr implements none."""
    name = transformer.get("name") if isinstance(transformer, dict) else transformer
    return MetadataValidationError(
        f"storage_transformers: storage transformer {name!r} is not supported "
        "(Arrays with storage transformers are not supported in zarr-python at this time.)"
    )


def _check_shard_shape(shard: Any, grid: ChunkGrid, shape: tuple[int, ...]) -> None:
    """Inner chunks must tile every shard exactly (same rank, each size a divisor)."""
    if shard is None:
        return
    inner = tuple(shard.chunk_shape)
    if len(inner) != len(shape):
        raise MetadataValidationError(
            f"codecs: sharding_indexed chunk_shape {inner} does not match the rank of shape {shape}"
        )
    for axis, size in enumerate(inner):
        for outer in grid.edge_lengths(axis):
            if size < 1 or outer % size:
                raise MetadataValidationError(
                    f"codecs: sharding_indexed chunk_shape {inner} does not divide the shard "
                    f"edge length {outer} (axis {axis})"
                )


def parse_array_v3(data: dict[str, Any], path: str) -> ArrayV3Metadata:
    """Validate a v3 array document (already decoded JSON)."""
    where = f"{path or '/'}/zarr.json"
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise MetadataValidationError(f"{where}: missing required field(s) {missing}")
    extra = check_extra_fields({k: v for k, v in data.items() if k not in _V3_ARRAY_KEYS}, where)
    transformers = data.get("storage_transformers", [])
    if not isinstance(transformers, list):
        if transformers:
            raise MetadataValidationError(f"{where}: {unsupported_transformer(transformers)}")
        raise MetadataValidationError(f"{where}: storage_transformers must be a list")
    if transformers:
        # A transformer changes which bytes hold a chunk, so reading past one
        # (even one marked must_understand: false) would return wrong data.
        raise MetadataValidationError(f"{where}: {unsupported_transformer(transformers[0])}")
    attributes = data.get("attributes", {})
    if not isinstance(attributes, dict):
        raise MetadataValidationError(f"{where}: attributes must be an object")
    dim_names = data.get("dimension_names")
    if dim_names is not None and not isinstance(dim_names, list):
        raise MetadataValidationError(f"{where}: dimension_names must be a list or null")
    try:
        data_type = data_type_from_json(data["data_type"], 3)
        return ArrayV3Metadata(
            shape=parse_shape(data["shape"], "shape"),
            data_type=data_type,
            chunk_grid=parse_chunk_grid(data["chunk_grid"]),
            chunk_key_encoding=parse_chunk_key_encoding(data["chunk_key_encoding"]),
            fill_value=data_type.decode_fill_value(data["fill_value"], 3),
            codecs=parse_v3_codecs(data["codecs"], where),
            attributes=attributes,
            dimension_names=None if dim_names is None else tuple(dim_names),
            storage_transformers=tuple(transformers),
            extra_fields=extra,
        )
    except MetadataValidationError as exc:
        if str(exc).startswith(where):
            raise
        raise type(exc)(f"{where}: {exc}") from exc
