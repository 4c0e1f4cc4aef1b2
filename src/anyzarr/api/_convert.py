"""``convert_hierarchy``: rewrite a hierarchy with another format, grid, codecs or data type.

Unlike :func:`~anyzarr.api._copy_hierarchy.copy_hierarchy` this decodes and
re-encodes, so it can change anything about how the data is stored.  Memory
stays bounded: each array is streamed in slabs that are whole destination
shards (or chunks, unsharded), a few at a time, so no destination object is
ever read back and rewritten and no more than two slabs are held at once.

Compressors are written as specs that mean the same in both formats:
``"zstd"``, ``"zstd:level=5"``, ``"blosc:cname=lz4,clevel=5"``, a JSON
object (``{"name": "gzip", "configuration": {"level": 6}}`` or numcodecs'
``{"id": "gzip", "level": 6}``), or ``"none"``.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal, TypedDict

import numpy as np

from anyzarr.api._copy_hierarchy import close_owned, open_owned
from anyzarr.api._copy_slabs import iter_slabs, slab_shape
from anyzarr.api._functions_common import ArgumentError, join_path
from anyzarr.api._progress import ProgressCallback, TransferProgress, TransferTracker
from anyzarr.io._tasks import task_group

if TYPE_CHECKING:
    import numcodecs.abc
    import numpy.typing as npt

    from anyzarr.api._array import AsyncArray
    from anyzarr.api._array_options import CompressorsLike, FiltersLike
    from anyzarr.api._group import AsyncGroup
    from anyzarr.io._json import JSON
    from anyzarr.io._store import Store
    from anyzarr.io._store_path import StoreLike, StorePath
    from anyzarr.protocol.codecs import Codec
    from anyzarr.protocol.metadata import ArrayMetadata

__all__ = ["CodecSpec", "Keep", "convert_hierarchy", "parse_codec_spec"]

_log = logging.getLogger("anyzarr.convert")

Keep = Literal["keep"]

#: Slabs in flight per array: one being read while another is written.
_SLABS_IN_FLIGHT = 2

_BLOSC_SHUFFLE = {"noshuffle": 0, "shuffle": 1, "bitshuffle": 2}


class CodecSpec(TypedDict):
    """A codec as ``parse_codec_spec`` gives it: a name and its configuration."""

    name: str
    configuration: dict[str, JSON]


def _document(spec: CodecSpec) -> dict[str, JSON]:
    return {"name": spec["name"], "configuration": spec["configuration"]}


def _scalar(text: str) -> JSON:
    try:
        value: JSON = json.loads(text)
    except json.JSONDecodeError:
        return text
    return value


def parse_codec_spec(spec: str | dict[str, JSON]) -> CodecSpec:
    """A codec spec as ``{"name": ..., "configuration": {...}}``.

    ``spec`` is a dict in the v3 (``name``/``configuration``) or numcodecs
    (``id``) shape, a JSON text of one, or ``"name"`` /
    ``"name:key=value,key=value"`` (values parsed as JSON where they can be).

    Raises
    ------
    ValueError
        When ``spec`` is none of these.
    """
    if isinstance(spec, str):
        text = spec.strip()
        if text.startswith("{"):
            try:
                spec = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ArgumentError(f"codec spec {text!r} is not valid JSON: {exc}") from None
        else:
            name, _, options = text.partition(":")
            config: dict[str, JSON] = {}
            for item in filter(None, (part.strip() for part in options.split(","))):
                key, eq, value = item.partition("=")
                if not eq or not key.strip():
                    raise ArgumentError(f"codec spec {text!r}: expected key=value, got {item!r}")
                config[key.strip()] = _scalar(value.strip())
            if not name.strip():
                raise ArgumentError(f"codec spec {text!r} has no codec name")
            return {"name": name.strip(), "configuration": config}
    if not isinstance(spec, dict):
        raise ArgumentError(f"a codec spec is a name or a JSON object, not {spec!r}")
    if "name" in spec:
        configuration = spec.get("configuration", {})
        if not isinstance(configuration, Mapping):
            raise ArgumentError(f"codec spec {spec!r}: its configuration is not an object")
        return {"name": str(spec["name"]), "configuration": dict(configuration)}
    if "id" in spec:
        rest = {k: v for k, v in spec.items() if k != "id"}
        return {"name": str(spec["id"]), "configuration": rest}
    raise ArgumentError(f"codec spec {spec!r} has neither 'name' nor 'id'")


def _for_v2(spec: CodecSpec) -> numcodecs.abc.Codec:
    """A numcodecs codec for a v3-shaped spec (``numcodecs.x`` names lose the prefix)."""
    import numcodecs

    name = spec["name"].removeprefix("numcodecs.")
    config = dict(spec["configuration"])
    if name == "blosc":
        config.pop("typesize", None)
        shuffle = config.get("shuffle")
        if isinstance(shuffle, str):
            config["shuffle"] = _BLOSC_SHUFFLE[shuffle]
    try:
        return numcodecs.get_codec({"id": name, **config})
    except (ValueError, TypeError, KeyError) as exc:
        raise ArgumentError(
            f"codec {spec['name']!r} has no Zarr format 2 (numcodecs) equivalent: {exc}"
        ) from exc


def _codec_specs(codecs: Sequence[Codec | numcodecs.abc.Codec]) -> list[CodecSpec]:
    from anyzarr.protocol.codecs import Codec

    out = []
    for codec in codecs:
        if isinstance(codec, Codec):
            out.append(parse_codec_spec(codec.to_dict()))
        else:  # a numcodecs codec (format 2)
            spec = parse_codec_spec(codec.get_config())
            config = spec["configuration"]
            shuffle = config.get("shuffle")
            if spec["name"] == "blosc" and isinstance(shuffle, int):
                # Format 3 names the shuffle; numcodecs' AUTOSHUFFLE (-1) is byte shuffle here.
                names = {v: k for k, v in _BLOSC_SHUFFLE.items()}
                config["shuffle"] = names.get(shuffle, "shuffle")
            out.append(spec)
    return out


def _compressors_for(
    source: AsyncArray[ArrayMetadata],
    fmt: int,
    compressors: Keep | Sequence[str | dict[str, JSON]] | None,
) -> CompressorsLike:
    if compressors is None:
        return None
    if compressors == "keep":
        if source.zarr_format == fmt:
            return source.compressors or None
        specs = _codec_specs(source.compressors)
    else:
        specs = [parse_codec_spec(c) for c in compressors]
        specs = [s for s in specs if s["name"] != "none"]
    if not specs:
        return None
    if fmt == 3:
        return [_document(spec) for spec in specs]
    if len(specs) > 1:
        raise ArgumentError(
            f"Zarr format 2 takes one compressor; {source.path or '/'} would need "
            f"{[s['name'] for s in specs]} (pass compressors= explicitly)"
        )
    return _for_v2(specs[0])


def _filters_for(source: AsyncArray[ArrayMetadata], fmt: int) -> FiltersLike:
    if not source.filters:
        return None
    if source.zarr_format == fmt or fmt == 3:
        return source.filters  # format 3 wraps numcodecs filters
    return [_for_v2(spec) for spec in _codec_specs(source.filters)]


def _fill_value(source: AsyncArray[ArrayMetadata], dtype: np.dtype[np.generic]) -> object:
    fill: object = source.fill_value
    if fill is None or dtype == source.dtype:
        return fill
    return np.asarray(fill).astype(dtype)[()]


async def convert_hierarchy(
    source: StoreLike,
    dest: StoreLike,
    *,
    source_path: str = "",
    dest_path: str = "",
    zarr_format: Literal[2, 3] | None = None,
    chunks: Sequence[int] | None = None,
    shards: Keep | Sequence[int] | None = "keep",
    compressors: Keep | Sequence[str | dict[str, JSON]] | None = "keep",
    dtype: npt.DTypeLike | None = None,
    overwrite: bool = False,
    progress: ProgressCallback | None = None,
) -> TransferProgress:
    """Rewrite the array or group at ``source_path`` (and everything below it) into ``dest``.

    Groups keep their attributes; arrays keep shape, attributes, fill value,
    order and, where the format allows, dimension names and filters.  Data
    is streamed in slabs of whole destination shards (or chunks), at most two
    at a time, so memory stays near two slabs whatever the array's size.
    A source with consolidated metadata gives a consolidated destination.

    Parameters
    ----------
    source, dest
        Anything store-like (see :func:`copy_hierarchy`).
    source_path, dest_path
        Paths inside the stores.
    zarr_format
        The destination's format (default: the source's).
    chunks
        The destination's chunk shape (inner chunks when sharded); default
        the source's.  Arrays with another number of dimensions keep their
        own (and say so in the ``anyzarr.convert`` log).
    shards
        The destination's shard shape (applied like ``chunks``); ``None``
        for no sharding; ``"keep"`` keeps the source's (dropped for format
        2, which cannot shard).
    compressors
        ``"keep"`` (translated between formats where possible), ``None`` for
        none, or a list of codec specs (see the module documentation).
    dtype
        The destination's data type; values are cast with numpy.
    overwrite
        Replace nodes that exist in the destination (else they are an error).
    progress
        Called with a :class:`TransferProgress` as destination objects
        (shards, or chunks) are written; bytes count uncompressed data.

    Returns
    -------
    TransferProgress
        The final counts.

    Raises
    ------
    ValueError
        For options the destination format cannot take (shards in format 2,
        several compressors in format 2, an unknown codec spec).
    anyzarr.errors.ContainsArrayError, anyzarr.errors.ContainsGroupError
        When a destination node exists and ``overwrite`` is false.
    """
    if zarr_format not in (None, 2, 3):
        raise ArgumentError(f"zarr_format must be 2, 3 or None, not {zarr_format!r}")
    if zarr_format == 2 and shards not in ("keep", None):
        raise ArgumentError("Zarr format 2 cannot shard; leave shards out or use format 3")
    src = await open_owned(source, source_path, "r")
    try:
        dst = await open_owned(dest, dest_path, "a")
    except BaseException:
        await close_owned(src)
        raise
    try:
        options = _Options(zarr_format, chunks, shards, compressors, dtype, overwrite)
        return await _convert(src[0], dst[0], options, progress)
    finally:
        await close_owned(dst, src)


class _Options:
    def __init__(
        self,
        zarr_format: Literal[2, 3] | None,
        chunks: Sequence[int] | None,
        shards: Keep | Sequence[int] | None,
        compressors: Keep | Sequence[str | dict[str, JSON]] | None,
        dtype: npt.DTypeLike | None,
        overwrite: bool,
    ) -> None:
        self.zarr_format = zarr_format
        self.chunks = None if chunks is None else tuple(int(c) for c in chunks)
        self.shards: Keep | tuple[int, ...] | None = (
            shards if shards in ("keep", None) else tuple(int(s) for s in shards)
        )
        self.compressors = compressors
        self.dtype = None if dtype is None else np.dtype(dtype)
        self.overwrite = overwrite

    async def create_like(
        self, source: AsyncArray[ArrayMetadata], store: Store, name: str
    ) -> AsyncArray[ArrayMetadata]:
        """The destination array for ``source``, created with these options."""
        from anyzarr.api._functions_create import create_array

        fmt = self.zarr_format or source.zarr_format
        dtype = self.dtype if self.dtype is not None else source.dtype
        ndim = len(source.shape)
        chunks = self.chunks if self.chunks is not None and len(self.chunks) == ndim else None
        shards = self.shards
        if shards not in ("keep", None) and len(shards) != ndim:
            shards = "keep"
        if (chunks is None and self.chunks is not None) or shards != self.shards:
            _log.info("%s has %d dimensions: its own chunks/shards are kept", source.path, ndim)
        if shards == "keep":
            shards = source.shards if fmt == 3 else None
        same_v3 = source.zarr_format == fmt == 3
        # Where a setting is not carried over, create_array's default applies.
        return await create_array(
            store,
            name=name,
            shape=tuple(source.shape),
            dtype=dtype,
            chunks=chunks or tuple(source.chunks),
            shards=shards,
            filters=_filters_for(source, fmt),
            compressors=_compressors_for(source, fmt, self.compressors),
            fill_value=_fill_value(source, dtype),
            zarr_format=fmt,
            attributes=dict(source.attrs),
            overwrite=self.overwrite,
            order=source.order if fmt == 2 else None,  # format 3 stores no memory order
            serializer=(source.serializer or "auto") if same_v3 else "auto",
            chunk_key_encoding=source.metadata.chunk_key_encoding if same_v3 else None,
            dimension_names=source.metadata.dimension_names if same_v3 else None,
        )


async def _convert(
    src: StorePath, dst: StorePath, options: _Options, progress: ProgressCallback | None
) -> TransferProgress:
    from anyzarr.api._functions_hierarchy import consolidate_metadata
    from anyzarr.api._functions_open import create_group
    from anyzarr.api._functions_open import open as open_node
    from anyzarr.api._group import AsyncGroup

    tracker = TransferTracker(progress, _log)
    _log.info("converting %s to %s", src, dst)
    root = await open_node(src, mode="r")
    nodes: list[tuple[str, AsyncArray[ArrayMetadata] | AsyncGroup]] = [("", root)]
    if isinstance(root, AsyncGroup):
        nodes += [(name, node) async for name, node in root.members(max_depth=None)]
    nodes.sort(key=lambda item: item[0].count("/"))  # parents before children
    pairs: list[tuple[AsyncArray[ArrayMetadata], AsyncArray[ArrayMetadata]]] = []
    for rel, node in nodes:
        target_path = join_path(dst.path, rel)
        if isinstance(node, AsyncGroup):
            await create_group(
                store=dst.store,
                path=target_path,
                zarr_format=options.zarr_format or node.zarr_format,
                attributes=dict(node.attrs),
                overwrite=options.overwrite,
            )
            continue
        created = await options.create_like(node, dst.store, target_path)
        pairs.append((node, created))
    tracker.set_totals(
        sum(target.nshards for _, target in pairs), sum(target.nbytes for _, target in pairs)
    )
    for source, target in pairs:
        await _stream(source, target, tracker)
    if isinstance(root, AsyncGroup) and root.metadata.consolidated_metadata is not None:
        await consolidate_metadata(dst.store, path=dst.path or None)
    return tracker.state


async def _stream(
    source: AsyncArray[ArrayMetadata], target: AsyncArray[ArrayMetadata], tracker: TransferTracker
) -> None:
    """Copy one array's data in slabs of whole target shards (or chunks)."""
    shape = tuple(source.shape)
    name = target.path or "/"
    if not shape or 0 in shape:
        if not shape:
            await target.setitem(Ellipsis, await source.getitem(Ellipsis))
        tracker.done(name, target.nbytes, count=target.nshards)
        return
    stored = tuple(target.metadata.chunk_shape)  # the shard shape when sharded
    slab = slab_shape(
        shape,
        tuple(source.metadata.chunk_shape),
        stored,
        max(int(source.dtype.itemsize), int(target.dtype.itemsize)),
    )
    slabs = iter_slabs(shape, slab)

    async def worker() -> None:
        # Workers share one iterator, so every slab is copied exactly once.
        for sel in slabs:
            data = np.asarray(await source.getitem(sel))
            if data.dtype != target.dtype:
                data = data.astype(target.dtype)
            await target.setitem(sel, data)
            extents = [s.stop - s.start for s in sel]
            count = math.prod(math.ceil(e / c) for e, c in zip(extents, stored, strict=True))
            tracker.done(name, int(data.nbytes), count=count)

    async with task_group() as tg:
        for _ in range(_SLABS_IN_FLIGHT):
            tg.start_soon(worker)
