"""The types of what the array-creating functions accept.

One alias per kind of option (zarr-python's names where it has them:
``ShapeLike``, ``ChunkKeyEncodingLike``, ``DimensionNames``, ...), and the
keyword sets that functions forwarding ``**kwargs`` to ``create`` or
``create_array`` accept, as ``TypedDict``s for ``Unpack``.  Every alias
admits each form the runtime takes; the values themselves are checked when
the metadata is built (``anyzarr.protocol.metadata.create_array_metadata``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal, Required, TypedDict

if TYPE_CHECKING:
    import numcodecs.abc
    import numpy as np
    import numpy.typing as npt

    from anyzarr.api._array_config import ArrayConfigLike
    from anyzarr.io._json import JSON
    from anyzarr.io._store_path import AccessModeLiteral, StorageOptions, StoreLike
    from anyzarr.protocol.codecs import ArrayArrayCodec, ArrayBytesCodec, BytesBytesCodec, Codec
    from anyzarr.protocol.dtypes import DataType
    from anyzarr.protocol.metadata import ChunkKeyEncoding

__all__ = [
    "ArrayLikeOptions",
    "ArrayOptions",
    "ArraySettings",
    "ChunkKeyEncodingLike",
    "ChunkKeyEncodingPair",
    "ChunkKeyEncodingParams",
    "ChunksLike",
    "CodecLike",
    "CompressorLike",
    "CompressorsLike",
    "CreateArrayFunctionOptions",
    "CreateArrayNodeOptions",
    "CreateArrayOptions",
    "CreateArraySettings",
    "CreateOptions",
    "DTypeLike",
    "DatasetOptions",
    "DimensionNames",
    "FilterLike",
    "FiltersLike",
    "FullOptions",
    "GroupArrayLikeOptions",
    "GroupCreateOptions",
    "GroupFullOptions",
    "MemoryOrder",
    "ModeOption",
    "RequireDatasetOptions",
    "SerializerLike",
    "ShapeLike",
    "ShardsConfigParam",
    "ShardsLike",
]

type MemoryOrder = Literal["C", "F"]
"""The memory layout of an array: row-major (C) or column-major (Fortran)."""

type ShapeLike = int | Sequence[int]
"""An array shape: one length, or one per axis."""

type ChunksLike = (
    int | Sequence[int | Sequence[int]] | npt.NDArray[np.integer] | Literal["auto"] | None
)
"""A chunk shape: one size for every axis, one per axis (``-1`` for the whole
axis; a list of edge lengths on an axis makes the grid rectilinear), ``True``,
``"auto"`` or ``None`` for a guess, ``False`` for one chunk."""


class ShardsConfigParam(TypedDict, total=False):
    """``shards=`` as a mapping: the shard shape and where its index goes."""

    shape: ChunksLike
    index_location: Literal["start", "end"]


type ShardsLike = (
    int
    | Sequence[int | Sequence[int]]
    | npt.NDArray[np.integer]
    | ShardsConfigParam
    | Literal["auto"]
)
"""A shard shape (as ``ChunksLike``; ``"auto"`` doubles busy axes), or a ``ShardsConfigParam``."""

type CodecLike = Codec | numcodecs.abc.Codec | Mapping[str, JSON] | str
"""One codec: an object, a numcodecs codec, its JSON document or its name."""

type FilterLike = ArrayArrayCodec | numcodecs.abc.Codec | Mapping[str, JSON] | str
"""One array-to-array codec (Zarr format 2: a numcodecs filter)."""

type FiltersLike = FilterLike | Iterable[FilterLike] | None
"""Filters; the string ``"auto"`` for the data type's own."""

type CompressorLike = BytesBytesCodec | numcodecs.abc.Codec | Mapping[str, JSON] | str
"""One bytes-to-bytes codec (Zarr format 2: a numcodecs compressor)."""

type CompressorsLike = CompressorLike | Iterable[CompressorLike] | None
"""Compressors (Zarr format 2 takes at most one); the string ``"auto"`` for Zstd."""

type SerializerLike = ArrayBytesCodec | Mapping[str, JSON] | str
"""The array-to-bytes codec, its document or name; ``"auto"`` picks one by data type."""


class ChunkKeyEncodingParams(TypedDict, total=False):
    """A chunk key encoding as a mapping: flat (``separator``) or as stored (``configuration``)."""

    name: Required[Literal["default", "v2"]]
    separator: Literal[".", "/"]
    configuration: Mapping[str, JSON]


type ChunkKeyEncodingLike = ChunkKeyEncoding | ChunkKeyEncodingParams | Literal["default", "v2"]
"""A chunk key encoding: an object, a mapping or a bare name."""

type ChunkKeyEncodingPair = tuple[Literal["default", "v2"], Literal[".", "/"]]
"""``create``'s ``(name, separator)`` spelling of a chunk key encoding."""

type DimensionNames = Iterable[str | None] | None
"""A name (or None) per axis."""

type DTypeLike = npt.DTypeLike | DataType
"""A data type: anything numpy reads as one (Zarr v3 names such as ``"numpy.datetime64"``
included) or an anyzarr ``DataType``.  The v3 JSON object form, which the metadata
parser also reads, is left out because some calls hand ``dtype`` to numpy too."""


class ModeOption(TypedDict, total=False):
    """The keyword ``create`` takes besides its named ones: how to open the store."""

    mode: AccessModeLiteral


class ArraySettings(ModeOption, total=False):
    """``create``'s keywords other than where, shape, fill value and data.

    The keyword sets below add those back as each function allows: a function
    cannot take a keyword in ``**kwargs`` that it names as a parameter.
    """

    chunks: ShapeLike | bool | None
    compressor: CompressorsLike
    order: MemoryOrder | None
    synchronizer: object
    overwrite: bool
    chunk_store: StoreLike
    filters: Iterable[FilterLike] | None
    cache_metadata: bool | None
    cache_attrs: bool | None
    read_only: bool | None
    object_codec: FilterLike | None
    dimension_separator: Literal[".", "/"] | None
    write_empty_chunks: bool | None
    zarr_version: Literal[2, 3] | None
    zarr_format: Literal[2, 3] | None
    meta_array: object
    attributes: Mapping[str, JSON] | None
    chunk_shape: ShapeLike | None
    chunk_key_encoding: ChunkKeyEncodingLike | ChunkKeyEncodingPair | None
    codecs: Iterable[CodecLike] | None
    dimension_names: DimensionNames
    storage_options: StorageOptions | None
    config: ArrayConfigLike | None
    dtype: DTypeLike | None


class _Where(TypedDict, total=False):
    store: StoreLike
    path: str | None


class _Fill(TypedDict, total=False):
    fill_value: object


class _Data(TypedDict, total=False):
    data: npt.ArrayLike | None


class _Shape(TypedDict, total=False):
    shape: ShapeLike


class GroupFullOptions(ArraySettings, _Data, total=False):
    """The keywords of ``AsyncGroup.full``."""


class GroupCreateOptions(GroupFullOptions, _Fill, total=False):
    """The keywords of ``AsyncGroup.empty``, ``zeros`` and ``ones``."""


class GroupArrayLikeOptions(ArraySettings, _Fill, _Shape, total=False):
    """The keywords of ``AsyncGroup.empty_like`` and its kin (``shape`` overrides ``data``'s)."""


class FullOptions(GroupFullOptions, _Where, total=False):
    """The keywords of ``full``: ``create``'s other than ``shape`` and ``fill_value``."""


class CreateOptions(FullOptions, _Fill, total=False):
    """``create``'s keywords other than ``shape`` (``empty``, ``zeros``, ``ones``)."""


class ArrayOptions(ArraySettings, _Where, _Fill, _Shape, total=False):
    """The keywords of ``array`` (``shape`` is ignored: the data's shape wins)."""


class ArrayLikeOptions(CreateOptions, _Shape, total=False):
    """The keywords of ``empty_like`` and its kin (``shape`` overrides ``a``'s)."""


class _ArrayLayout(TypedDict, total=False):
    """The keywords ``create_array`` and ``AsyncGroup.create_array`` share."""

    data: npt.ArrayLike | None
    chunks: ChunksLike
    shards: ShardsLike | None
    filters: FiltersLike
    compressors: CompressorsLike
    serializer: SerializerLike
    fill_value: object
    order: MemoryOrder | None
    attributes: Mapping[str, JSON] | None
    chunk_key_encoding: ChunkKeyEncodingLike | None
    dimension_names: DimensionNames
    storage_options: StorageOptions | None
    overwrite: bool
    config: ArrayConfigLike | None
    write_data: bool


class CreateArraySettings(_ArrayLayout, total=False):
    """``AsyncGroup.create_array``'s keywords other than ``name``, ``shape`` and ``dtype``."""

    compressor: CompressorsLike


class CreateArrayFunctionOptions(_ArrayLayout, _Shape, total=False):
    """``create_array``'s keywords (the function's, which takes the format, not ``compressor``)."""

    name: str | None
    dtype: DTypeLike | None
    zarr_format: Literal[2, 3] | None


class CreateArrayOptions(CreateArraySettings, total=False):
    """``AsyncGroup.create_array``'s keywords other than ``name`` and ``shape``."""

    dtype: DTypeLike | None


class DatasetOptions(CreateArrayOptions, _Shape, total=False):
    """The keywords of the sync ``Group.create_dataset`` (``create_array``'s and ``shape``)."""


class RequireDatasetOptions(DatasetOptions, total=False):
    """The keywords of the sync ``Group.require_dataset``."""

    exact: bool


class CreateArrayNodeOptions(TypedDict, total=False):
    """What ``create_array_node`` takes besides the store: ``create_array``'s
    vocabulary and ``create``'s older names for the same settings."""

    shape: Required[ShapeLike]
    dtype: DTypeLike | None
    data: npt.ArrayLike | None
    chunks: ChunksLike
    shards: ShardsLike | None
    filters: FiltersLike
    compressors: CompressorsLike
    compressor: CompressorsLike
    serializer: SerializerLike
    fill_value: object
    order: MemoryOrder | None
    zarr_format: Literal[2, 3] | None
    attributes: Mapping[str, JSON] | None
    chunk_key_encoding: ChunkKeyEncodingLike | None
    dimension_names: DimensionNames
    chunk_shape: ShapeLike | None
    codecs: Iterable[CodecLike] | None
    dimension_separator: Literal[".", "/"] | None
    overwrite: bool
    config: ArrayConfigLike | None
    write_data: bool
