"""``AsyncArray``: a chunked array in a store, with an async API on anyio.

The class holds the array's metadata, where it lives (a ``StorePath``) and
its runtime config; data moves through ``anyzarr.io._engine`` as protocol
plans (``anyzarr.protocol.array``).  Helpers live next door: creation in
``_array_create``, how selections and their results are shaped in ``_selection``,
the info summary in ``_array_info``, runtime settings in ``_array_config``,
metadata from mappings in ``_array_metadata``, the grid of stored objects in
``_array_grid``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Self, Unpack, cast

import numpy as np
import numpy.typing as npt

from anyzarr.api._array_config import ArrayConfig, ArrayConfigLike, parse_array_config
from anyzarr.api._array_create import create_array_node, resolve_store_path
from anyzarr.api._array_grid import delete_outside, iter_grid
from anyzarr.api._array_indexers import AsyncOIndex, AsyncVIndex
from anyzarr.api._array_info import ArrayInfo, grid_shape
from anyzarr.api._array_metadata import allow_pickle, metadata_from_dict
from anyzarr.api._functions_common import ArgumentError
from anyzarr.api._selection import Fields, SelectionKind, SelectionRead, selection_write
from anyzarr.api._sync_runtime import NOT_HERE, NotHere, off_loop_thread, runs_here
from anyzarr.io import _engine
from anyzarr.io._tasks import task_group
from anyzarr.protocol._errors import ReadOnlyError, UsageError, ZarrUserWarning
from anyzarr.protocol.array import ArrayWrite, StoredArray
from anyzarr.protocol.buffer import BufferPrototype
from anyzarr.protocol.codecs import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    BytesBytesCodec,
    Codec,
    CodecPipeline,
    ShardingCodec,
)
from anyzarr.protocol.indexing import (
    BasicSelection,
    BlockSelection,
    CoordinateSelection,
    MaskSelection,
    NDArrayLikeOrScalar,
    OrthogonalSelection,
    OutBuffer,
    SelectionWithFields,
)
from anyzarr.protocol.metadata import DEFAULT_FILL_VALUE, ArrayV2Metadata, ArrayV3Metadata

if TYPE_CHECKING:
    import numcodecs.abc

    from anyzarr.api._array_options import (
        ChunkKeyEncodingLike,
        CodecLike,
        CompressorsLike,
        CreateArrayNodeOptions,
        DimensionNames,
        ShapeLike,
    )
    from anyzarr.io._json import JSON
    from anyzarr.io._store import Store
    from anyzarr.io._store_path import StoreLike, StorePath
    from anyzarr.protocol.metadata import ArrayMetadata

__all__ = ["AsyncArray"]


def _chunk_sizes(shape: tuple[int, ...], grid: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    return tuple(
        tuple(min(size, extent - start) for start in range(0, extent, size)) if extent else ()
        for extent, size in zip(shape, grid, strict=True)
    )


class AsyncArray[T_ArrayMetadata: ArrayV2Metadata | ArrayV3Metadata]:
    """A chunked, compressed N-dimensional array stored in a Zarr store.

    Every method that touches the store is a coroutine and runs under any
    anyio backend (asyncio or trio).  Selections come in the same kinds as in
    numpy and zarr-python: basic, orthogonal, coordinate, mask and block.
    """

    metadata: T_ArrayMetadata
    store_path: StorePath
    codec_pipeline: CodecPipeline
    _config: ArrayConfig

    def __init__(
        self,
        metadata: T_ArrayMetadata | Mapping[str, JSON],
        store_path: StorePath,
        config: ArrayConfigLike | None = None,
    ) -> None:
        from anyzarr.protocol.codecs import pipeline_for_metadata

        parsed = (
            metadata_from_dict(metadata, store_path.path)
            if isinstance(metadata, Mapping)
            else metadata
        )
        # A mapping gives whichever format it holds; that is this array's type.
        self.metadata = cast("T_ArrayMetadata", parsed)
        self.store_path = store_path
        self._config = parse_array_config(config)
        self.codec_pipeline = pipeline_for_metadata(parsed, allow_pickle=allow_pickle())
        codecs = parsed.codecs if isinstance(parsed, ArrayV3Metadata) else ()
        if len(codecs) > 1 and any(isinstance(c, ShardingCodec) for c in codecs):
            # zarr-python's warning, once per array opened: codecs around a
            # sharding codec apply to whole shards.
            warnings.warn(
                "Combining a `sharding_indexed` codec disables partial reads and writes, "
                "which may lead to inefficient performance.",
                ZarrUserWarning,
                stacklevel=2,
            )

    # -- construction -----------------------------------------------------

    @classmethod
    async def _create(
        cls, store: StoreLike, **kwargs: Unpack[CreateArrayNodeOptions]
    ) -> AsyncArray[ArrayMetadata]:
        """Create an array with ``create_array``'s options (and ``create``'s older names)."""
        return await create_array_node(store, **kwargs)

    @classmethod
    async def create(
        cls,
        store: StoreLike,
        *,
        shape: ShapeLike,
        dtype: npt.DTypeLike,
        zarr_format: Literal[2, 3] = 3,
        fill_value: object = DEFAULT_FILL_VALUE,
        attributes: Mapping[str, JSON] | None = None,
        chunk_shape: ShapeLike | None = None,
        chunk_key_encoding: ChunkKeyEncodingLike | None = None,
        codecs: Iterable[CodecLike] | None = None,
        dimension_names: DimensionNames = None,
        chunks: ShapeLike | None = None,
        dimension_separator: Literal[".", "/"] | None = None,
        order: Literal["C", "F"] | None = None,
        filters: Iterable[CodecLike] | None = None,
        compressor: CompressorsLike = None,
        overwrite: bool = False,
        data: npt.ArrayLike | None = None,
        config: ArrayConfigLike | None = None,
    ) -> AsyncArray[ArrayMetadata]:
        """Create an array (deprecated: use ``anyzarr.api.asynchronous.create_array``).

        Format 3 takes ``chunk_shape``, ``chunk_key_encoding`` and ``codecs``;
        format 2 takes ``chunks``, ``dimension_separator``, ``filters`` and
        ``compressor``.  Unset options get zarr-python's defaults.
        """
        warnings.warn(
            "AsyncArray.create is deprecated; use anyzarr.api.asynchronous.create_array",
            DeprecationWarning,
            stacklevel=2,
        )
        return await create_array_node(
            store,
            shape=shape,
            dtype=dtype,
            zarr_format=zarr_format,
            fill_value=fill_value,
            attributes=attributes,
            chunk_shape=chunk_shape,
            chunk_key_encoding=chunk_key_encoding,
            codecs=codecs,
            dimension_names=dimension_names,
            chunks=chunks,
            dimension_separator=dimension_separator,
            order=order,
            filters="auto" if filters is None else filters,
            compressor="auto" if compressor is None else compressor,
            overwrite=overwrite,
            data=data,
            config=config,
        )

    @classmethod
    def from_dict(
        cls, store_path: StorePath, data: Mapping[str, JSON]
    ) -> AsyncArray[ArrayV2Metadata | ArrayV3Metadata]:
        """An array handle from a metadata mapping of either format (no IO)."""
        return AsyncArray(metadata_from_dict(data, store_path.path), store_path)

    @classmethod
    async def open(
        cls,
        store: StoreLike,
        zarr_format: Literal[2, 3] | None = 3,
        *,
        config: ArrayConfigLike | None = None,
    ) -> AsyncArray[ArrayMetadata]:
        """Open the array stored at ``store``; ``zarr_format=None`` tries both formats.

        Raises ``ArrayNotFoundError`` (naming the path) when there is none.
        """
        from anyzarr.io._metadata_io import read_node_metadata

        store_path = await resolve_store_path(store)
        metadata = await read_node_metadata(store_path, zarr_format, node_type="array")
        # The stored format decides the metadata type (as in ``from_dict``).
        return AsyncArray(metadata, store_path, config=config)

    def with_config(self, config: ArrayConfigLike) -> Self:
        """The same array with other runtime settings (a mapping changes only the
        settings it names)."""
        if isinstance(config, ArrayConfig):
            merged = dict(config.to_dict())
        else:
            merged = {**self._config.to_dict(), **dict(config)}
            parse_array_config(merged)  # checks keys and values
        return type(self)(self.metadata, self.store_path, config=merged)

    # -- static facts ---------------------------------------------------------

    @property
    def _meta(self) -> ArrayV2Metadata | ArrayV3Metadata:
        return self.metadata

    @property
    def config(self) -> ArrayConfig:
        """The runtime settings of this array handle."""
        return self._config

    @property
    def store(self) -> Store:
        """The store holding the array."""
        return self.store_path.store

    @property
    def zarr_format(self) -> Literal[2, 3]:
        """2 or 3."""
        return self._meta.zarr_format

    @property
    def shape(self) -> tuple[int, ...]:
        """The array's shape."""
        return tuple(self._meta.shape)

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return len(self.shape)

    @property
    def size(self) -> int:
        """The number of elements."""
        return math.prod(self.shape)

    @property
    def dtype(self) -> np.dtype[Any]:
        """The numpy data type of the elements."""
        return self._meta.dtype

    @property
    def chunks(self) -> tuple[int, ...]:
        """The chunk shape (the inner chunk shape when the array is sharded)."""
        return tuple(self._meta.inner_chunk_shape)

    @property
    def shards(self) -> tuple[int, ...] | None:
        """The shard shape, or ``None`` when the array is not sharded."""
        shards = self._meta.shards
        return None if shards is None else tuple(shards)

    @property
    def fill_value(self) -> Any:
        """The value of elements never written."""
        return self._meta.fill_value

    @property
    def order(self) -> Literal["C", "F"]:
        """Memory order: stored in format 2 metadata, a runtime setting for format 3."""
        if self.zarr_format == 2:
            return self._meta.order
        return self._config.order

    @property
    def attrs(self) -> dict[str, JSON]:
        """The user attributes."""
        return dict(self._meta.attributes)

    @property
    def path(self) -> str:
        """The array's path inside the store."""
        return self.store_path.path

    @property
    def name(self) -> str:
        """The path with a leading ``/``, as h5py names nodes."""
        return "/" + self.path.strip("/")

    @property
    def basename(self) -> str:
        """The last component of the name."""
        return self.name.rsplit("/", 1)[-1]

    @property
    def read_only(self) -> bool:
        """Whether writes are refused."""
        return bool(self.store_path.store.read_only)

    @property
    def codecs(self) -> tuple[Codec, ...]:
        """The format 3 codec chain (empty for format 2)."""
        meta = self._meta
        return tuple(meta.codecs) if isinstance(meta, ArrayV3Metadata) else ()

    def _inner_codecs(self) -> tuple[Codec, ...]:
        codecs = self.codecs
        if len(codecs) == 1 and isinstance(codecs[0], ShardingCodec):
            return tuple(codecs[0].codecs)
        return codecs

    @property
    def filters(self) -> tuple[ArrayArrayCodec, ...] | tuple[numcodecs.abc.Codec, ...]:
        """Array-to-array codecs (format 3) or numcodecs filters (format 2)."""
        meta = self._meta
        if isinstance(meta, ArrayV2Metadata):
            return tuple(meta.filters or ())
        return tuple(c for c in self._inner_codecs() if isinstance(c, ArrayArrayCodec))

    @property
    def serializer(self) -> ArrayBytesCodec | None:
        """The array-to-bytes codec (``None`` for format 2)."""
        return next((c for c in self._inner_codecs() if isinstance(c, ArrayBytesCodec)), None)

    @property
    def compressors(self) -> tuple[BytesBytesCodec, ...] | tuple[numcodecs.abc.Codec, ...]:
        """Bytes-to-bytes codecs (format 3) or the numcodecs compressor (format 2)."""
        meta = self._meta
        if isinstance(meta, ArrayV2Metadata):
            return () if meta.compressor is None else (meta.compressor,)
        return tuple(c for c in self._inner_codecs() if isinstance(c, BytesBytesCodec))

    @property
    def compressor(self) -> numcodecs.abc.Codec | None:
        """The single format 2 compressor (deprecated: use ``compressors``)."""
        warnings.warn("compressor is deprecated; use compressors", DeprecationWarning, stacklevel=2)
        meta = self._meta
        if not isinstance(meta, ArrayV2Metadata):
            raise UsageError(
                "'compressor' is only defined for Zarr format 2 arrays; use 'compressors'"
            )
        return meta.compressor

    @property
    def read_chunk_sizes(self) -> tuple[tuple[int, ...], ...]:
        """Per axis, the data size of each chunk reads use (inner chunks when sharded).

        Edge chunks are clipped to the array, as dask's ``chunks`` are.
        """
        return _chunk_sizes(self.shape, self.chunks)

    @property
    def write_chunk_sizes(self) -> tuple[tuple[int, ...], ...]:
        """Per axis, the data size of each stored object (shards when sharded), clipped."""
        return _chunk_sizes(self.shape, self.shards or self.chunks)

    @property
    def cdata_shape(self) -> tuple[int, ...]:
        """Number of (inner) chunks along each axis."""
        meta = self._meta
        if isinstance(meta, ArrayV3Metadata) and meta.sharding_codec is not None:
            # Inner chunks tile every shard, so they form a regular grid overall.
            return grid_shape(self.shape, self.chunks)
        return tuple(meta.chunk_grid.grid_shape(self.shape))

    @property
    def _chunk_grid_shape(self) -> tuple[int, ...]:
        return self.cdata_shape

    @property
    def _shard_grid_shape(self) -> tuple[int, ...]:
        return tuple(self._meta.chunk_grid.grid_shape(self.shape))

    @property
    def nchunks(self) -> int:
        """Number of (inner) chunks in the grid."""
        return math.prod(self.cdata_shape)

    @property
    def _nshards(self) -> int:
        return math.prod(self._shard_grid_shape)

    @property
    def nshards(self) -> int:
        """Number of stored objects (shards, or chunks when not sharded) in the grid."""
        return self._nshards

    @property
    def nbytes(self) -> int:
        """Bytes the array's elements take in memory (item size times size)."""
        return self.size * self.dtype.itemsize

    @property
    def info(self) -> ArrayInfo:
        """Static facts about the array."""
        return self._info()

    def _info(
        self,
        count_chunks_initialized: int | None = None,
        count_bytes_stored: int | None = None,
    ) -> ArrayInfo:
        meta = self._meta
        shard_shape: tuple[int, ...] | Literal["<variable>"] | None
        chunk_shape: tuple[int, ...] | Literal["<variable>"]
        if isinstance(meta, ArrayV3Metadata) and not meta.chunk_grid.is_regular:
            sharded = meta.sharding_codec is not None
            shard_shape = "<variable>" if sharded else None
            chunk_shape = self.chunks if sharded else "<variable>"
        else:
            shard_shape, chunk_shape = self.shards, self.chunks
        return ArrayInfo(
            _zarr_format=self.zarr_format,
            _data_type=self._meta.data_type,
            _fill_value=self.fill_value,
            _shape=self.shape,
            _shard_shape=shard_shape,
            _chunk_shape=chunk_shape,
            _order=self.order,
            _read_only=self.read_only,
            _store_type=type(self.store).__name__,
            _filters=self.filters,
            _serializer=self.serializer,
            _compressors=self.compressors,
            _count_bytes=self.nbytes,
            _count_bytes_stored=count_bytes_stored,
            _count_chunks_initialized=count_chunks_initialized,
        )

    async def info_complete(self) -> ArrayInfo:
        """``info`` plus the stored size and the number of stored chunks (or shards)."""
        initialized = 0
        stored = 0

        async def count() -> None:
            nonlocal initialized
            initialized = await self._nshards_initialized()

        async def size() -> None:
            nonlocal stored
            stored = await self.nbytes_stored()

        async with task_group() as tg:
            tg.start_soon(count)
            tg.start_soon(size)
        return self._info(initialized, stored)

    def __repr__(self) -> str:
        return f"<AsyncArray {self.store_path} shape={self.shape} dtype={self.dtype}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AsyncArray):
            return NotImplemented
        return bool(
            self.metadata == other.metadata
            and self.store_path == other.store_path
            and self._config == other._config
        )

    __hash__ = None  # type: ignore[assignment]

    # -- chunk keys and stored sizes -------------------------------------------

    def _iter_chunk_coords(
        self, *, origin: Sequence[int] | None = None, selection_shape: Sequence[int] | None = None
    ) -> Iterator[tuple[int, ...]]:
        """Coordinates of the (inner) chunks in a region of the chunk grid."""
        return iter_grid(self.cdata_shape, origin, selection_shape)

    def _iter_shard_coords(
        self, *, origin: Sequence[int] | None = None, selection_shape: Sequence[int] | None = None
    ) -> Iterator[tuple[int, ...]]:
        """Coordinates of the stored objects (shards, or chunks) in a region of their grid."""
        return iter_grid(self._shard_grid_shape, origin, selection_shape)

    def _iter_shard_keys(
        self, *, origin: Sequence[int] | None = None, selection_shape: Sequence[int] | None = None
    ) -> Iterator[str]:
        """Keys (relative to the array) of the stored objects in a region of their grid."""
        for coords in self._iter_shard_coords(origin=origin, selection_shape=selection_shape):
            yield self._meta.encode_chunk_key(coords)

    def _iter_chunk_keys(
        self, *, origin: Sequence[int] | None = None, selection_shape: Sequence[int] | None = None
    ) -> Iterator[str]:
        """Keys (relative to the array) of the stored objects; shard keys when sharded.

        Inner chunks of a shard have no key of their own, so the stored grid is
        what keys can describe.
        """
        return self._iter_shard_keys(origin=origin, selection_shape=selection_shape)

    async def _stored_coords(self) -> list[tuple[int, ...]]:
        """Grid coordinates of the stored objects (shards, or chunks) that exist.

        Lists the keys under the array's prefix and keeps those that name an
        object of the grid, so the cost follows the keys stored, not the size
        of the grid (a sparse array may have 2**62 chunks).
        """
        prefix = f"{self.path}/" if self.path else ""
        meta = self._meta
        found: list[tuple[int, ...]] = []
        async for key in self.store.list_prefix(prefix):
            coords = meta.chunk_coords_of_key(key[len(prefix) :])
            if coords is not None:
                found.append(coords)
        return found

    async def _stored_keys(self) -> set[str]:
        """Relative keys of the stored objects that exist."""
        return {self._meta.encode_chunk_key(c) for c in await self._stored_coords()}

    async def _nshards_initialized(self) -> int:
        return len(await self._stored_coords())

    async def nchunks_initialized(self) -> int:
        """How many chunks are stored; each stored shard counts all its chunks.

        A shard counts at its full declared size, as in zarr-python (shards of
        a rectilinear grid differ in size).
        """
        stored = await self._stored_coords()
        meta = self._meta
        if not isinstance(meta, ArrayV3Metadata) or meta.sharding_codec is None:
            return len(stored)
        inner = self.chunks
        return sum(
            math.prod(s // c for s, c in zip(meta.chunk_shape_at(coords), inner, strict=True))
            for coords in stored
        )

    async def nbytes_stored(self) -> int:
        """Bytes stored under the array's path, metadata included."""
        prefix = self.path
        return int(await self.store.getsize_prefix(prefix))

    # -- selections ---------------------------------------------------------------

    def _stored(self, prototype: BufferPrototype | None = None) -> StoredArray:
        """This array as the protocol's plans see it, for one operation.

        Kept between calls (it caches decoders) until the metadata, the
        order setting or the prototype changes.
        """
        meta = self.metadata
        order = meta.order if isinstance(meta, ArrayV2Metadata) else self._config.order
        cached = self.__dict__.get("_stored_cache")
        if cached is not None and cached[0] is meta and cached[1] is prototype:
            stored: StoredArray = cached[2]
            if stored.spec.order == order and stored.path == self.path.strip("/"):
                return stored
        stored = StoredArray.from_metadata(
            meta, self.path, order=order, prototype=prototype, pipeline=self.codec_pipeline
        )
        self.__dict__["_stored_cache"] = (meta, prototype, stored)
        return stored

    async def _read(
        self,
        kind: SelectionKind,
        selection: SelectionWithFields,
        *,
        out: OutBuffer | None = None,
        fields: Fields = None,
        prototype: BufferPrototype | None = None,
    ) -> NDArrayLikeOrScalar:
        """Read ``selection`` of ``kind``, shaped as zarr-python shapes it."""
        read = SelectionRead.prepare(
            self._stored(prototype),
            kind,
            selection,
            out=out,
            fields=fields,
            read_missing_chunks=self._config.read_missing_chunks,
        )
        await _engine.read(read.op, self.store, use_cache=self._config.cache_chunks)
        return read.finish()

    def _read_here(
        self,
        kind: SelectionKind,
        selection: SelectionWithFields,
        *,
        out: OutBuffer | None = None,
        fields: Fields = None,
        prototype: BufferPrototype | None = None,
    ) -> NDArrayLikeOrScalar | NotHere:
        """`_read` without the event loop, for the sync API (see ``runs_here``)."""
        stored = self._stored(prototype)
        if not off_loop_thread() or _engine.batch_io_for(self.store, stored) is None:
            return NOT_HERE
        read = SelectionRead.prepare(
            stored,
            kind,
            selection,
            out=out,
            fields=fields,
            read_missing_chunks=self._config.read_missing_chunks,
        )
        _engine.read_here(read.op, self.store, use_cache=self._config.cache_chunks)
        return read.finish()

    def _write_op(
        self,
        stored: StoredArray,
        kind: SelectionKind,
        selection: SelectionWithFields,
        value: npt.ArrayLike,
        fields: Fields,
    ) -> ArrayWrite:
        # A store that cannot delete (zip) must hold the fill-value chunks instead.
        delete_empty = not self._config.write_empty_chunks and self.store.supports_deletes
        return selection_write(
            stored,
            kind,
            selection,
            value,
            fields=fields,
            read_only=self.read_only,
            delete_empty=delete_empty,
        )

    async def _write(
        self,
        kind: SelectionKind,
        selection: SelectionWithFields,
        value: npt.ArrayLike,
        *,
        fields: Fields = None,
        prototype: BufferPrototype | None = None,
    ) -> None:
        """Write ``value`` (broadcast to the selection) into ``selection`` of ``kind``."""
        write = self._write_op(self._stored(prototype), kind, selection, value, fields)
        await _engine.write(write, self.store)

    def _write_here(
        self,
        kind: SelectionKind,
        selection: SelectionWithFields,
        value: npt.ArrayLike,
        *,
        fields: Fields = None,
        prototype: BufferPrototype | None = None,
    ) -> NotHere | None:
        """`_write` without the event loop, for the sync API (see ``runs_here``)."""
        stored = self._stored(prototype)
        if not off_loop_thread() or _engine.batch_io_for(self.store, stored) is None:
            return NOT_HERE
        _engine.write_here(self._write_op(stored, kind, selection, value, fields), self.store)
        return None

    @runs_here
    async def getitem(
        self, selection: SelectionWithFields, *, prototype: BufferPrototype | None = None
    ) -> NDArrayLikeOrScalar:
        """Read ``selection`` the way ``array[selection]`` does (basic or fancy indexing)."""
        return await self._read("getitem", selection, prototype=prototype)

    @runs_here
    async def setitem(
        self,
        selection: SelectionWithFields,
        value: npt.ArrayLike,
        prototype: BufferPrototype | None = None,
    ) -> None:
        """Write ``value`` to ``selection`` the way ``array[selection] = value`` does."""
        return await self._write("getitem", selection, value, prototype=prototype)

    @runs_here
    async def get_basic_selection(
        self,
        selection: BasicSelection = Ellipsis,
        *,
        out: OutBuffer | None = None,
        prototype: BufferPrototype | None = None,
        fields: Fields = None,
    ) -> NDArrayLikeOrScalar:
        """Read with integers, slices and Ellipsis, as numpy basic indexing does."""
        return await self._read("basic", selection, out=out, fields=fields, prototype=prototype)

    @runs_here
    async def set_basic_selection(
        self,
        selection: BasicSelection,
        value: npt.ArrayLike,
        *,
        fields: Fields = None,
        prototype: BufferPrototype | None = None,
    ) -> None:
        """Write to integers, slices and Ellipsis (numpy basic indexing)."""
        return await self._write("basic", selection, value, fields=fields, prototype=prototype)

    @runs_here
    async def get_orthogonal_selection(
        self,
        selection: OrthogonalSelection,
        *,
        out: OutBuffer | None = None,
        fields: Fields = None,
        prototype: BufferPrototype | None = None,
    ) -> NDArrayLikeOrScalar:
        """Read the outer product of one selection per axis (ints, slices, int arrays, masks)."""
        return await self._read(
            "orthogonal", selection, out=out, fields=fields, prototype=prototype
        )

    @runs_here
    async def set_orthogonal_selection(
        self,
        selection: OrthogonalSelection,
        value: npt.ArrayLike,
        *,
        fields: Fields = None,
        prototype: BufferPrototype | None = None,
    ) -> None:
        """Write with per-axis selections combined as an outer product."""
        return await self._write("orthogonal", selection, value, fields=fields, prototype=prototype)

    @runs_here
    async def get_coordinate_selection(
        self,
        selection: CoordinateSelection,
        *,
        out: OutBuffer | None = None,
        fields: Fields = None,
        prototype: BufferPrototype | None = None,
    ) -> NDArrayLikeOrScalar:
        """Read the points named by one integer array per axis, broadcast together."""
        return await self._read(
            "coordinate", selection, out=out, fields=fields, prototype=prototype
        )

    @runs_here
    async def set_coordinate_selection(
        self,
        selection: CoordinateSelection,
        value: npt.ArrayLike,
        *,
        fields: Fields = None,
        prototype: BufferPrototype | None = None,
    ) -> None:
        """Write single points given by one integer array per axis."""
        return await self._write("coordinate", selection, value, fields=fields, prototype=prototype)

    @runs_here
    async def get_mask_selection(
        self,
        mask: MaskSelection,
        *,
        out: OutBuffer | None = None,
        fields: Fields = None,
        prototype: BufferPrototype | None = None,
    ) -> NDArrayLikeOrScalar:
        """Read the elements where a boolean array shaped like the array is true."""
        return await self._read("mask", mask, out=out, fields=fields, prototype=prototype)

    @runs_here
    async def set_mask_selection(
        self,
        mask: MaskSelection,
        value: npt.ArrayLike,
        *,
        fields: Fields = None,
        prototype: BufferPrototype | None = None,
    ) -> None:
        """Write the elements where a boolean array of the array's shape is true."""
        return await self._write("mask", mask, value, fields=fields, prototype=prototype)

    @runs_here
    async def get_block_selection(
        self,
        selection: BlockSelection,
        *,
        out: OutBuffer | None = None,
        fields: Fields = None,
        prototype: BufferPrototype | None = None,
    ) -> NDArrayLikeOrScalar:
        """Read whole chunks chosen by chunk-grid indices (ints and step-1 slices)."""
        return await self._read("block", selection, out=out, fields=fields, prototype=prototype)

    @runs_here
    async def set_block_selection(
        self,
        selection: BlockSelection,
        value: npt.ArrayLike,
        *,
        fields: Fields = None,
        prototype: BufferPrototype | None = None,
    ) -> None:
        """Write whole chunks picked by chunk-grid indices."""
        return await self._write("block", selection, value, fields=fields, prototype=prototype)

    @property
    def oindex(self) -> AsyncOIndex[T_ArrayMetadata]:
        """Orthogonal indexing: ``await a.oindex.getitem(sel)`` / ``.setitem(sel, value)``."""
        return AsyncOIndex(self)

    @property
    def vindex(self) -> AsyncVIndex[T_ArrayMetadata]:
        """Point or mask indexing: ``await a.vindex.getitem(sel)`` / ``.setitem(sel, value)``."""
        return AsyncVIndex(self)

    # -- changing the array --------------------------------------------------------

    def _check_writable(self, action: str) -> None:
        if self.read_only:
            raise ReadOnlyError(f"cannot {action} array at path {self.path!r}: it is read-only")

    async def _save_metadata(self, metadata: ArrayMetadata) -> None:
        from anyzarr.io._metadata_io import write_node_metadata

        await write_node_metadata(self.store_path, metadata)
        # ``with_shape`` and ``with_attributes`` keep the metadata's class.
        self.metadata = cast("T_ArrayMetadata", metadata)

    async def resize(self, new_shape: ShapeLike, delete_outside_chunks: bool = True) -> None:
        """Change the shape; stored chunks wholly outside the new shape are deleted.

        Only the metadata and those chunks change; data inside the new shape
        stays where it is.
        """
        self._check_writable("resize")
        shape = (new_shape,) if isinstance(new_shape, int) else tuple(int(s) for s in new_shape)
        if len(shape) != self.ndim:
            raise ArgumentError(
                f"new shape {shape} has {len(shape)} dimensions; array at path {self.path!r} "
                f"has {self.ndim}: a resize keeps the same number of dimensions"
            )
        if any(s < 0 for s in shape):
            raise ArgumentError(f"new shape {shape} has a negative length")
        new_meta = self._meta.with_shape(shape)
        if delete_outside_chunks:
            await delete_outside(self, shape)
        await self._save_metadata(new_meta)

    async def append(self, data: npt.ArrayLike, axis: int = 0) -> tuple[int, ...]:
        """Grow the array along ``axis`` by ``data`` and write it there; returns the new shape."""
        self._check_writable("append to")
        values = np.asarray(data)
        if values.ndim != self.ndim:
            raise ArgumentError(
                f"data has {values.ndim} dimensions; array at path {self.path!r} has {self.ndim}"
            )
        if not -self.ndim <= axis < self.ndim:
            raise ArgumentError(f"axis {axis} is out of range for {self.ndim} dimensions")
        axis %= self.ndim
        for i, (a, b) in enumerate(zip(self.shape, values.shape, strict=True)):
            if i != axis and a != b:
                raise ArgumentError(
                    f"data shape {values.shape} does not match array shape {self.shape} on axis {i}"
                )
        old = self.shape
        new_shape = tuple(o + (values.shape[axis] if i == axis else 0) for i, o in enumerate(old))
        await self.resize(new_shape)
        region = tuple(
            slice(old[axis], new_shape[axis]) if i == axis else slice(None)
            for i in range(self.ndim)
        )
        await self.setitem(region, values)
        return new_shape

    async def update_attributes(self, new_attributes: Mapping[str, JSON]) -> Self:
        """Merge ``new_attributes`` into the stored attributes and return this array."""
        self._check_writable("update attributes of")
        merged = {**self.attrs, **new_attributes}
        await self._save_metadata(self._meta.with_attributes(merged))
        return self
