"""Metadata for a new array, from the arguments ``create_array`` takes.

Defaults follow zarr-python 3.4: Zstd(level=0) compression in both formats,
``bytes`` / ``vlen-utf8`` / ``vlen-bytes`` serialisers chosen by data type,
the data type's default fill value, and h5py-style automatic chunk shapes.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import numcodecs
import numpy as np

from anyzarr.protocol._errors import MetadataValidationError
from anyzarr.protocol.dtypes import (
    DataType,
    Structured,
    VariableLengthBytes,
    VariableLengthUTF8,
    data_type_from_json,
    parse_data_type,
)
from anyzarr.protocol.metadata._chunk_grid import RectilinearChunkGrid, RegularChunkGrid
from anyzarr.protocol.metadata._chunk_keys import (
    DefaultChunkKeyEncoding,
    V2ChunkKeyEncoding,
    parse_chunk_key_encoding,
)
from anyzarr.protocol.metadata._codecs import parse_v3_codecs
from anyzarr.protocol.metadata._group import ArrayMetadata
from anyzarr.protocol.metadata._v2 import ArrayV2Metadata, parse_numcodec
from anyzarr.protocol.metadata._v3 import ArrayV3Metadata

__all__ = [
    "DEFAULT_FILL_VALUE",
    "SHARDED_INNER_CHUNK_MAX_BYTES",
    "create_array_metadata",
    "default_codecs_v3",
    "guess_chunks",
    "is_rectilinear_spec",
    "normalize_chunks",
    "normalize_rectilinear",
]


class _DefaultFillValue:
    """The type of `DEFAULT_FILL_VALUE` (a single instance, compared by identity)."""

    _instance: _DefaultFillValue | None = None

    def __new__(cls) -> _DefaultFillValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "DEFAULT_FILL_VALUE"

    def __reduce__(self) -> str:
        return "DEFAULT_FILL_VALUE"


DEFAULT_FILL_VALUE: Any = _DefaultFillValue()
"""Marks "no fill value given": the data type's default is used.

It differs from None only in Zarr v2, where ``fill_value=None`` is stored as
``null`` (chunks that were never written read as uninitialised memory,
which anyzarr gives as the type's zero).  In v3, None also means the default.
"""

#: With sharding and automatic chunks, inner chunks aim below this many bytes.
SHARDED_INNER_CHUNK_MAX_BYTES = 1 << 20
_ZSTD_V3: dict[str, Any] = {"name": "zstd", "configuration": {"level": 0, "checksum": False}}
_INDEX_CODECS: list[dict[str, Any]] = [
    {"name": "bytes", "configuration": {"endian": "little"}},
    {"name": "crc32c"},
]


def guess_chunks(
    shape: tuple[int, ...],
    typesize: int,
    *,
    increment_bytes: int = 256 * 1024,
    min_bytes: int = 128 * 1024,
    max_bytes: int = 64 * 1024 * 1024,
) -> tuple[int, ...]:
    """A chunk shape near a size target that grows with the array (the h5py heuristic).

    Start from one chunk per axis and halve axes round-robin until the chunk is
    below (or within half of) the target and below ``max_bytes``.
    """
    chunks = [float(max(1, s)) for s in shape]
    if typesize == 0 or not shape:
        return tuple(int(c) for c in chunks)
    total = math.prod(chunks) * typesize
    target = increment_bytes * 2 ** math.log10(total / (1024.0 * 1024))
    target = min(max(target, min_bytes), max_bytes)
    axis = 0
    while True:
        size = math.prod(chunks) * typesize
        small_enough = size < target or abs(size - target) / target < 0.5
        if (small_enough and size < max_bytes) or math.prod(chunks) == 1:
            break
        i = axis % len(chunks)
        chunks[i] = math.ceil(chunks[i] / 2.0)
        axis += 1
    return tuple(int(c) for c in chunks)


def normalize_chunks(chunks: Any, shape: tuple[int, ...], field: str = "chunks") -> tuple[int, ...]:
    """Explicit chunk sizes: an int for every axis, a tuple, -1 or False for the full axis."""
    if chunks is False:
        chunks = -1
    if isinstance(chunks, int | np.integer) and not isinstance(chunks, bool):
        chunks = (int(chunks),) * len(shape)
    if not isinstance(chunks, Iterable) or isinstance(chunks, str | bytes):
        raise MetadataValidationError(f"{field}: expected integers, got {chunks!r}")
    sizes = tuple(chunks)
    if len(sizes) != len(shape):
        raise MetadataValidationError(
            f"{field}: {sizes} has {len(sizes)} dimensions but shape {shape} has {len(shape)}"
        )
    out = []
    for i, (size, span) in enumerate(zip(sizes, shape, strict=True)):
        # numpy integers count as integers (np.int64(40) from an array's shape).
        if isinstance(size, np.integer):
            size = int(size)
        if isinstance(size, bool) or not isinstance(size, int) or size == 0 or size < -1:
            raise MetadataValidationError(
                f"{field}[{i}]: must be a positive integer or -1, got {size!r}"
            )
        out.append(max(1, span) if size == -1 else size)
    return tuple(out)


def is_rectilinear_spec(spec: Any) -> bool:
    """True when a ``chunks=`` or ``shards=`` argument lists edges for some axis.

    zarr-python 3.4 reads a sequence holding a sequence (``[[10, 10, 5], 3]``)
    as a rectilinear grid: per axis a list of edges or a regular step.
    """
    if isinstance(spec, str | bytes | Mapping) or not isinstance(spec, Iterable):
        return False
    return any(isinstance(d, Iterable) and not isinstance(d, str | bytes | Mapping) for d in spec)


def normalize_rectilinear(
    spec: Any, shape: tuple[int, ...], field: str = "chunks", unit: tuple[int, ...] | None = None
) -> RectilinearChunkGrid:
    """A rectilinear grid from a ``chunks=`` (or ``shards=``) argument, as zarr-python builds it.

    Per axis: a list of positive edge lengths summing to the axis length (any
    list on an axis of length 0), a positive step kept as a step, or -1 for
    one chunk over the axis (a multiple of ``unit``, the inner chunk size,
    for shards).
    """
    dims = list(spec)
    if len(dims) != len(shape):
        raise MetadataValidationError(
            f"{field}: {len(dims)} dimensions given but shape {shape} has {len(shape)}"
        )
    units = unit if unit is not None else (1,) * len(shape)
    out: list[Any] = []
    for i, (d, span, u) in enumerate(zip(dims, shape, units, strict=True)):
        if isinstance(d, Iterable) and not isinstance(d, str | bytes | Mapping):
            edges = list(d)
            if not edges or any(
                isinstance(e, bool) or not isinstance(e, int) or e < 1 for e in edges
            ):
                raise MetadataValidationError(
                    f"{field}[{i}]: edge lengths must be a non-empty list of positive "
                    f"integers, got {edges!r}"
                )
            if span > 0 and sum(edges) != span:
                raise MetadataValidationError(
                    f"{field}[{i}]: edge lengths {edges} sum to {sum(edges)}, not to the "
                    f"axis length {span}"
                )
            out.append(edges)
        elif isinstance(d, int) and not isinstance(d, bool) and (d >= 1 or d == -1):
            out.append(u * max(1, -(-span // u)) if d == -1 else d)
        else:
            raise MetadataValidationError(
                f"{field}[{i}]: must be a list of edge lengths, a positive integer or -1, got {d!r}"
            )
    return RectilinearChunkGrid(out)


def _codec_json(codec: Any) -> Any:
    """A codec document, or an anyzarr codec object as it is.

    Objects are kept rather than rendered: ``to_dict`` writes concrete values
    for settings left to the array (blosc ``typesize``), which evolving the
    codecs against the data type must still be free to fill in.
    """
    if isinstance(codec, Mapping):
        return dict(codec)
    if isinstance(codec, str):
        return {"name": codec}
    if isinstance(codec, numcodecs.abc.Codec):
        # A bare numcodecs codec in v3 goes through the "numcodecs.<id>" wrappers.
        config = dict(codec.get_config())
        return {"name": f"numcodecs.{config.pop('id')}", "configuration": config}
    if getattr(codec, "to_dict", None) is None:
        raise MetadataValidationError(f"codecs: {codec!r} is not a Zarr v3 codec")
    return codec


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, Mapping | str) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def default_serializer_v3(data_type: DataType) -> dict[str, Any]:
    if isinstance(data_type, VariableLengthUTF8):
        return {"name": "vlen-utf8", "configuration": {}}
    if isinstance(data_type, VariableLengthBytes):
        return {"name": "vlen-bytes", "configuration": {}}
    multi_byte = (
        data_type.has_multi_byte_fields()
        if isinstance(data_type, Structured)
        else data_type.dtype.itemsize > 1 and data_type.dtype.kind not in "SV"
    )
    if multi_byte:
        return {"name": "bytes", "configuration": {"endian": "little"}}
    return {"name": "bytes"}


def default_codecs_v3(data_type: DataType) -> list[dict[str, Any]]:
    """The codec documents zarr-python 3.4 gives a new unsharded array of this type."""
    return [default_serializer_v3(data_type), copy.deepcopy(_ZSTD_V3)]


def _auto_shards(shape: tuple[int, ...], chunks: tuple[int, ...]) -> tuple[int, ...]:
    # zarr-python doubles the chunk along axes holding more than 8 chunks.
    return tuple(c * 2 if s // c > 8 else c for s, c in zip(shape, chunks, strict=True))


def _v3_codecs(
    data_type: DataType,
    filters: Any,
    serializer: Any,
    compressors: Any,
) -> list[Any]:
    array_array = [] if filters in (None, "auto") else [_codec_json(c) for c in _as_list(filters)]
    array_bytes = (
        default_serializer_v3(data_type) if serializer == "auto" else _codec_json(serializer)
    )
    if compressors == "auto":
        bytes_bytes: list[Any] = [copy.deepcopy(_ZSTD_V3)]
    else:
        bytes_bytes = [_codec_json(c) for c in _as_list(compressors)]
    return [*array_array, array_bytes, *bytes_bytes]


def _v2_compressor(compressors: Any) -> Any:
    if compressors == "auto":
        return numcodecs.Zstd(level=0, checksum=False)
    items = _as_list(compressors)
    if not items:
        return None
    if len(items) > 1:
        raise MetadataValidationError("compressors: Zarr v2 arrays take at most one compressor")
    return parse_numcodec(items[0], "compressor")


def _v2_filters(filters: Any, data_type: DataType) -> tuple[Any, ...] | None:
    if filters == "auto":
        codec_id = data_type.object_codec_id
        return None if codec_id is None else (numcodecs.get_codec({"id": codec_id}),)
    items = _as_list(filters)
    return tuple(parse_numcodec(f, f"filters[{i}]") for i, f in enumerate(items)) or None


def create_array_metadata(
    *,
    shape: int | Iterable[int],
    dtype: Any,
    chunks: Any = "auto",
    shards: Any = None,
    filters: Any = "auto",
    compressors: Any = "auto",
    serializer: Any = "auto",
    fill_value: Any = DEFAULT_FILL_VALUE,
    order: Literal["C", "F"] | None = None,
    zarr_format: Literal[2, 3] = 3,
    attributes: Mapping[str, Any] | None = None,
    chunk_key_encoding: Any = None,
    dimension_names: Iterable[str | None] | None = None,
) -> ArrayMetadata:
    """Metadata for a new array, resolving ``"auto"`` settings as zarr-python 3.4 does.

    Raises `MetadataValidationError` naming the argument for combinations the
    format cannot store (shards, a serializer or dimension names in v2, ...).
    """
    if zarr_format not in (2, 3):
        raise MetadataValidationError(f"zarr_format: must be 2 or 3, got {zarr_format!r}")
    shape_t = (shape,) if isinstance(shape, int) else tuple(shape)
    data_type = parse_data_type(dtype, zarr_format)
    if zarr_format == 3:
        # v3 data types carry no byte order; reading back gives the canonical one.
        data_type = data_type_from_json(data_type.to_json(3), 3)
    typesize = data_type.item_size or 1
    # A numpy array of sizes (``np.array([11, 50])``) is a sequence of sizes;
    # ``in`` and ``==`` would compare it elementwise.
    if isinstance(chunks, np.ndarray):
        chunks = tuple(chunks.tolist())
    if isinstance(shards, np.ndarray):
        shards = tuple(shards.tolist())
    shard_spec = shards.get("shape") if isinstance(shards, Mapping) else shards
    rectilinear = is_rectilinear_spec(chunks) or is_rectilinear_spec(shard_spec)
    if rectilinear and zarr_format == 2:
        raise MetadataValidationError(
            "chunks: Zarr v2 arrays do not support rectilinear chunk grids"
        )
    rect_grid: RectilinearChunkGrid | None = None
    if is_rectilinear_spec(chunks):
        if shards is not None:
            raise MetadataValidationError(
                "chunks: the inner chunks of a sharded array must be regular; "
                "give variable edges as shards instead"
            )
        rect_grid = normalize_rectilinear(chunks, shape_t, "chunks")
        chunk_shape = rect_grid.chunk_shape_at((0,) * len(shape_t))
    elif chunks in ("auto", None, True):
        limit = {} if shards is None else {"max_bytes": SHARDED_INNER_CHUNK_MAX_BYTES}
        chunk_shape = guess_chunks(shape_t, typesize, **limit)
    else:
        chunk_shape = normalize_chunks(chunks, shape_t)
    if fill_value is DEFAULT_FILL_VALUE or (fill_value is None and zarr_format == 3):
        fill = data_type.default_fill_value()
    else:
        fill = fill_value
    attrs = dict(attributes or {})
    if zarr_format == 2:
        for name, value, default, what in (
            ("shards", shards, None, "sharding"),
            ("serializer", serializer, "auto", "`serializer`"),
            ("dimension_names", dimension_names, None, "dimension names"),
        ):
            if value != default:
                # zarr-python's wording.
                raise MetadataValidationError(
                    f"{name}: Zarr format 2 arrays do not support {what}."
                )
        encoding = parse_chunk_key_encoding(chunk_key_encoding or {"name": "v2"})
        if not isinstance(encoding, V2ChunkKeyEncoding):
            raise MetadataValidationError(
                "chunk_key_encoding: Zarr v2 arrays need the 'v2' chunk key encoding"
            )
        return ArrayV2Metadata(
            shape=shape_t,
            chunks=chunk_shape,
            data_type=data_type,
            fill_value=fill,
            order=order or "C",
            filters=_v2_filters(filters, data_type),
            compressor=_v2_compressor(compressors),
            dimension_separator=encoding.separator,
            attributes=attrs,
        )
    codec_docs = _v3_codecs(data_type, filters, serializer, compressors)
    grid_shape = chunk_shape
    if shards is not None:
        index_location = "end"
        if isinstance(shards, Mapping):
            index_location = shards.get("index_location", "end")
            shards = shards.get("shape")
        if is_rectilinear_spec(shards):
            rect_grid = normalize_rectilinear(shards, shape_t, "shards", unit=chunk_shape)
            shard_edges = [rect_grid.edge_lengths(i) for i in range(len(shape_t))]
        else:
            shard_shape = (
                _auto_shards(shape_t, chunk_shape)
                if shards == "auto"
                else normalize_chunks(shards, shape_t, "shards")
            )
            shard_edges = [(e,) for e in shard_shape]
        for i, (edges, c) in enumerate(zip(shard_edges, chunk_shape, strict=True)):
            for e in edges:
                if e % c:
                    raise MetadataValidationError(
                        f"shards[{i}]: shard size {e} is not a multiple of the chunk size {c}"
                    )
        codec_docs = [
            {
                "name": "sharding_indexed",
                "configuration": {
                    "chunk_shape": list(chunk_shape),
                    "codecs": codec_docs,
                    "index_codecs": copy.deepcopy(_INDEX_CODECS),
                    "index_location": index_location,
                },
            }
        ]
        if rect_grid is None:
            grid_shape = shard_shape
    encoding3 = (
        DefaultChunkKeyEncoding()
        if chunk_key_encoding is None
        else parse_chunk_key_encoding(chunk_key_encoding)
    )
    return ArrayV3Metadata(
        shape=shape_t,
        data_type=data_type,
        chunk_grid=RegularChunkGrid(grid_shape) if rect_grid is None else rect_grid,
        chunk_key_encoding=encoding3,
        fill_value=fill,
        codecs=parse_v3_codecs(codec_docs, "create_array"),
        attributes=attrs,
        dimension_names=None if dimension_names is None else tuple(dimension_names),
    )
