"""xarray's data store for an anyzarr group: the reading and writing side of the backend.

``AnyzarrStore`` is xarray's own ``ZarrStore`` with every place that reaches
for zarr-python answered by anyzarr instead.  What xarray decides (CF
encoding through its coders, which variables an append or a region write
touches, chunk-alignment checks, how fill values and dimension names are
written) stays xarray's code, so a dataset written here is the dataset
xarray writes with zarr-python.  The methods overridden are the ones that
import zarr-python or read its objects' internals.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterable, Mapping
from typing import Any, Literal, cast

from xarray import conventions
from xarray.backends.common import _encode_variable_name
from xarray.backends.zarr import (
    DIMENSION_KEY,
    FillValueCoder,
    ZarrStore,
    _validate_and_transpose_existing_dims,
    _validate_datatypes_for_zarr_append,
)
from xarray.core import indexing
from xarray.core.utils import FrozenDict, HiddenKeyDict
from xarray.core.variable import Variable

import anyzarr
from anyzarr import Array, AsyncGroup, Group
from anyzarr.api._sync_runtime import sync
from anyzarr.errors import GroupNotFoundError, MetadataValidationError
from anyzarr.protocol.codecs import Codec
from anyzarr.storage import Store, StorePath
from anyzarr.xarray._backend_array import AnyzarrBackendArray

__all__ = ["AnyzarrStore", "dimensions_and_attributes", "open_anyzarr_group"]

ZarrWriteMode = Literal["r", "r+", "a", "a-", "w", "w-"]


def open_anyzarr_group(
    store: Any,
    *,
    mode: ZarrWriteMode = "r",
    group: str | None = None,
    consolidated: bool | None = None,
    storage_options: dict[str, Any] | None = None,
    zarr_format: Literal[2, 3] | None = None,
) -> tuple[Group, str, bool]:
    """The group xarray reads or writes, the path of ``store``, and whether this call made the store.

    ``store`` is anything ``anyzarr.open_group`` takes, or an anyzarr group
    (sync or async) to read or write in (``group`` then names a child;
    ``_group_in`` says what the write modes do to it).
    ``consolidated=None`` reads consolidated metadata where there is some and
    lists the store otherwise; ``True`` requires it, ``False`` ignores it.
    Consolidated metadata lives at the root, so the root is opened first and
    ``group`` looked up in it, as xarray's zarr backend does.
    """
    path = (group or "").strip("/")
    if isinstance(store, AsyncGroup):
        store = Group(store)
    if isinstance(store, Group):
        return _group_in(store, path, mode), store.path, False
    if isinstance(store, os.PathLike):
        store = os.fspath(store)
    open_mode: Literal["r", "r+", "a", "w", "w-"] = "a" if mode == "a-" else mode
    options: dict[str, Any] = {
        "mode": open_mode,
        "storage_options": storage_options,
        "zarr_format": zarr_format,
    }
    if consolidated is False or open_mode not in ("r", "r+"):
        root = anyzarr.open_group(store, path=path, use_consolidated=False, **options)
    else:
        try:
            root = anyzarr.open_group(store, use_consolidated=consolidated, **options)
        except GroupNotFoundError:
            if not path:
                raise
            # No group at the root (a bare v2 hierarchy): open the group itself.
            root = anyzarr.open_group(store, path=path, use_consolidated=consolidated, **options)
        else:
            if path:
                root = cast("Group", root[path])
    base = store.path if isinstance(store, StorePath) else ""
    return root, base, not isinstance(store, Store | StorePath)


def _group_in(base: Group, path: str, mode: ZarrWriteMode) -> Group:
    """The group at ``path`` below a group the caller gave, with ``mode``'s meaning.

    ``w`` replaces the group with an empty one (as opening a path with
    ``w`` does); ``w-`` writes only into a group that has no members yet.
    """
    if mode in ("r", "r+"):
        return cast("Group", base[path]) if path else base
    node = base.require_group(path) if path else base
    if mode == "w":
        return anyzarr.open_group(
            StorePath(node.store, node.path), mode="w", zarr_format=node.metadata.zarr_format
        )
    if mode == "w-" and node.nmembers() > 0:
        raise FileExistsError(
            f"group {node.path or '/'!r} already has members; mode 'w-' writes only into "
            "an empty group (use mode 'w' to replace it or 'a' to add to it)"
        )
    return node


def _dimension_names(array: Array, names: Any, where: str) -> tuple[str, ...]:
    """``names`` as a tuple of one string per axis, or a ``MetadataValidationError``."""
    if (
        not isinstance(names, list | tuple)
        or len(names) != len(array.shape)
        or not all(isinstance(name, str) for name in names)
    ):
        raise MetadataValidationError(
            f"array {array.path!r}: {where} must name each of its {len(array.shape)} "
            f"dimensions with a string, got {names!r}"
        )
    return tuple(names)


def dimensions_and_attributes(array: Array) -> tuple[tuple[str, ...], dict[str, Any]]:
    """An array's dimension names and its attributes without the hidden ones.

    Format 3 keeps the names in ``dimension_names``; format 2 in the
    ``_ARRAY_DIMENSIONS`` attribute (xarray's convention), which is then
    hidden along with netCDF's own ``_nc*`` attributes.

    A missing name list is a ``KeyError`` (as in xarray's zarr engine); one
    that is not a string per axis is a ``MetadataValidationError``; both
    name the array.
    """
    attrs = dict(array.attrs)
    if array.metadata.zarr_format == 3:
        names = array.metadata.dimension_names
        if names is None and array.shape:
            raise KeyError(
                f"array {array.path!r} has no `dimension_names`, which xarray needs "
                "to name its dimensions"
            )
        return _dimension_names(array, names or (), "dimension_names"), attrs
    if DIMENSION_KEY not in attrs:
        raise KeyError(
            f"array {array.path!r} has no attribute `{DIMENSION_KEY}`, which xarray "
            "needs to name its dimensions"
        )
    names = _dimension_names(array, attrs[DIMENSION_KEY], f"attribute {DIMENSION_KEY}")
    hidden = [DIMENSION_KEY] + [k for k in attrs if k.lower().startswith("_nc")]
    return names, dict(HiddenKeyDict(attrs, hidden))


def _portable(codec: Any) -> Any:
    """A format 3 codec of another library (zarr-python's, read with its engine) as its document."""
    if isinstance(codec, Codec | Mapping | str) or not hasattr(codec, "to_dict"):
        return codec
    return codec.to_dict()


def _portable_codecs(encoding: dict[str, Any]) -> dict[str, Any]:
    """``encoding`` with foreign codec objects turned into documents anyzarr parses."""
    out = dict(encoding)
    for key in ("compressors", "filters"):
        value = out.get(key)
        if isinstance(value, list | tuple):
            out[key] = type(value)(_portable(c) for c in value)
    if "serializer" in out:
        out["serializer"] = _portable(out["serializer"])
    return out


class AnyzarrStore(ZarrStore):
    """xarray's ``ZarrStore`` over an anyzarr ``Group``.

    Build one with ``open_group`` (one group) or ``open_store`` (a group and
    every group below it, for ``open_datatree``).
    """

    __slots__ = ("_base_path",)

    @classmethod
    def open_store(
        cls,
        store: Any,
        mode: ZarrWriteMode = "r",
        group: str | None = None,
        consolidated: bool | None = False,
        consolidate_on_close: bool = False,
        storage_options: dict[str, Any] | None = None,
        append_dim: Hashable | None = None,
        write_region: Any = None,
        safe_chunks: bool = True,
        align_chunks: bool = False,
        zarr_format: Literal[2, 3] | None = None,
        use_zarr_fill_value_as_mask: bool | None = None,
        write_empty: bool | None = None,
        cache_members: bool = True,
    ) -> dict[str, AnyzarrStore]:
        """One store per group, keyed by ``/``-rooted path, from ``group`` down."""
        root, base_path, made_store = open_anyzarr_group(
            store,
            mode=mode,
            group=group,
            consolidated=consolidated,
            storage_options=storage_options,
            zarr_format=zarr_format,
        )
        parent = "/" + (group or "").strip("/")
        groups: dict[str, Group] = {parent: root}
        for relpath, node in root.members(max_depth=None):
            if isinstance(node, Group):
                groups[parent.rstrip("/") + "/" + relpath] = node
        return {
            path: cls(
                node,
                mode,
                consolidate_on_close,
                append_dim,
                write_region,
                safe_chunks,
                write_empty,
                made_store,
                use_zarr_fill_value_as_mask,
                align_chunks=align_chunks,
                cache_members=cache_members,
                base_path=base_path,
            )
            for path, node in groups.items()
        }

    @classmethod
    def open_group(
        cls,
        store: Any,
        mode: ZarrWriteMode = "r",
        group: str | None = None,
        consolidated: bool | None = False,
        consolidate_on_close: bool = False,
        storage_options: dict[str, Any] | None = None,
        append_dim: Hashable | None = None,
        write_region: Any = None,
        safe_chunks: bool = True,
        align_chunks: bool = False,
        zarr_format: Literal[2, 3] | None = None,
        use_zarr_fill_value_as_mask: bool | None = None,
        write_empty: bool | None = None,
        cache_members: bool = True,
    ) -> AnyzarrStore:
        """The store for one group (see ``open_anyzarr_group`` for ``store``)."""
        root, base_path, made_store = open_anyzarr_group(
            store,
            mode=mode,
            group=group,
            consolidated=consolidated,
            storage_options=storage_options,
            zarr_format=zarr_format,
        )
        return cls(
            root,
            mode,
            consolidate_on_close,
            append_dim,
            write_region,
            safe_chunks,
            write_empty,
            made_store,
            use_zarr_fill_value_as_mask,
            align_chunks=align_chunks,
            cache_members=cache_members,
            base_path=base_path,
        )

    def __init__(
        self,
        zarr_group: Group,
        mode: ZarrWriteMode | None = None,
        consolidate_on_close: bool = False,
        append_dim: Hashable | None = None,
        write_region: Any = None,
        safe_chunks: bool = True,
        write_empty: bool | None = None,
        close_store_on_close: bool = False,
        use_zarr_fill_value_as_mask: bool | None = None,
        align_chunks: bool = False,
        cache_members: bool = True,
        *,
        base_path: str = "",
    ) -> None:
        # Where consolidated metadata goes: the top of what the caller named,
        # as xarray consolidates the root of the store it was given.
        self._base_path = base_path
        if use_zarr_fill_value_as_mask is None:
            # xarray's defaults: format 2 data has always been masked with the
            # array's fill value; format 3 keeps it as encoding only.
            use_zarr_fill_value_as_mask = zarr_group.metadata.zarr_format == 2
        super().__init__(
            zarr_group,
            mode,
            consolidate_on_close,
            append_dim,
            write_region,
            safe_chunks,
            write_empty,
            close_store_on_close,
            use_zarr_fill_value_as_mask,
            align_chunks=align_chunks,
            cache_members=cache_members,
        )

    def get_child_store(self, group: str) -> AnyzarrStore:
        return type(self)(
            self.group.require_group(group),
            mode=self._mode,
            consolidate_on_close=self._consolidate_on_close,
            append_dim=self._append_dim,
            write_region=self._write_region,
            safe_chunks=self._safe_chunks,
            write_empty=self._write_empty,
            close_store_on_close=self._close_store_on_close,
            use_zarr_fill_value_as_mask=self._use_zarr_fill_value_as_mask,
            align_chunks=self._align_chunks,
            cache_members=self._cache_members,
            base_path=self._base_path,
        )

    @property
    def group(self) -> Group:
        """The anyzarr group this store reads and writes."""
        return cast("Group", self.zarr_group)

    # -- reading ----------------------------------------------------------------

    def array_keys(self) -> tuple[str, ...]:
        return tuple(key for key, node in self.members.items() if isinstance(node, Array))

    def arrays(self) -> tuple[tuple[str, Any], ...]:
        return tuple((key, node) for key, node in self.members.items() if isinstance(node, Array))

    def open_store_variable(self, name: str) -> Variable:
        array = cast("Array", self.members[name])
        dimensions, attributes = dimensions_and_attributes(array)
        backend_array = AnyzarrBackendArray(array)
        data = indexing.LazilyIndexedArray(backend_array)
        chunks = tuple(array.chunks)
        shards = array.shards
        zarr_format = self.group.metadata.zarr_format
        encoding: dict[str, Any] = {
            "chunks": chunks,
            # As xarray's zarr engine: dask chunks follow the (inner) chunks,
            # the unit a read decodes.
            "preferred_chunks": dict(zip(dimensions, chunks, strict=True)),
            "compressors": array.compressors,
            "filters": array.filters,
            "shards": shards,
        }
        if zarr_format == 3:
            # Codec documents rather than anyzarr objects: both anyzarr and
            # zarr-python take them, so the dataset can be written by either.
            encoding["compressors"] = tuple(c.to_dict() for c in array.compressors)
            encoding["filters"] = tuple(c.to_dict() for c in array.filters)
            if array.serializer is not None:
                encoding["serializer"] = array.serializer.to_dict()
        if backend_array.dtype.kind == "T":
            encoding["dtype"] = backend_array.dtype
        if self._use_zarr_fill_value_as_mask:
            if array.fill_value is not None:
                attributes["_FillValue"] = array.fill_value
        else:
            if zarr_format == 3:
                encoding["fill_value"] = array.fill_value
            if "_FillValue" in attributes:
                attributes["_FillValue"] = FillValueCoder.decode(
                    attributes["_FillValue"], array.dtype
                )
        return Variable(dimensions, data, attributes, encoding)

    def get_variables(self) -> Mapping[str, Variable]:
        return FrozenDict((k, self.open_store_variable(k)) for k in self.array_keys())

    def get_dimensions(self) -> dict[str, int]:
        dimensions: dict[str, int] = {}
        for _, array in self.arrays():
            names, _ = dimensions_and_attributes(array)
            for dim, size in zip(names, array.shape, strict=True):
                if dimensions.get(dim, size) != size:
                    raise ValueError(
                        f"found conflicting lengths for dimension {dim} "
                        f"({size} != {dimensions[dim]})"
                    )
                dimensions[dim] = size
        return dimensions

    def close(self) -> None:
        if self._close_store_on_close:
            sync(self.group.store.close)

    # -- writing ----------------------------------------------------------------

    def _open_existing_array(self, *, name: str) -> Array:  # type: ignore[override]
        array = cast("Array", self.group[name])
        if self._write_empty is not None:
            inner = array.async_array.with_config({"write_empty_chunks": self._write_empty})
            array = Array(inner)
        return array

    def _create_new_array(  # type: ignore[override]
        self,
        *,
        name: str,
        shape: tuple[int, ...],
        dtype: Any,
        fill_value: Any,
        encoding: dict[str, Any],
        attrs: dict[str, Any],
    ) -> Array:
        return cast(
            "Array",
            super()._create_new_array(
                name=name,
                shape=shape,
                dtype=dtype,
                fill_value=fill_value,
                encoding=_portable_codecs(encoding),
                attrs=attrs,
            ),
        )

    def store(
        self,
        variables: Mapping[Hashable, Variable],
        attributes: Mapping[Hashable, Any],
        check_encoding_set: Iterable[Hashable] = frozenset(),
        writer: Any = None,
        unlimited_dims: Iterable[Hashable] | None = None,
    ) -> None:
        """Encode ``variables`` and ``attributes`` and create or extend the arrays.

        The same steps as xarray's ``ZarrStore.store``: new variables are
        encoded with xarray's coders; variables already stored are encoded
        exactly as the stored ones (so appended values match), checked for
        compatible dtype and dimensions; then the arrays are written through
        ``writer`` and, when asked, the metadata consolidated.
        """
        existing_keys: tuple[str, ...] = () if self._mode == "w" else self.array_keys()
        existing_names = {vn for vn in variables if _encode_variable_name(vn) in existing_keys}
        new_names = set(variables) - existing_names

        if self._mode == "r+" and (new := [k for k in variables if k not in existing_keys]):
            raise ValueError(
                f"dataset contains non-pre-existing variables {new!r}, which is not "
                "allowed in ``to_zarr()`` with ``mode='r+'``. To allow writing new "
                "variables, set ``mode='a'``."
            )
        if self._append_dim is not None and self._append_dim not in existing_keys:
            existing_dims = self.get_dimensions()
            if self._append_dim not in existing_dims:
                raise ValueError(
                    f"append_dim={self._append_dim!r} does not match any existing "
                    f"dataset dimensions {existing_dims}"
                )

        encoded, encoded_attrs = self.encode({vn: variables[vn] for vn in new_names}, attributes)
        if existing_names:
            # Decode the stored variables (without loading their data) to take
            # their encoding, so new values are encoded exactly like the old.
            existing_vars, _, _ = conventions.decode_cf_variables(
                variables={k: self.open_store_variable(name=str(k)) for k in existing_names},
                attributes={},
            )
            with_encoding: dict[Hashable, Variable] = {}
            for vn in existing_names:
                _validate_datatypes_for_zarr_append(vn, existing_vars[vn], variables[vn])
                with_encoding[vn] = variables[vn].copy(deep=False)
                with_encoding[vn].encoding = existing_vars[vn].encoding
            encoded_existing, _ = self.encode(with_encoding, {})
            for vn in existing_names:
                encoded[vn] = _validate_and_transpose_existing_dims(
                    vn,
                    encoded_existing[vn],
                    existing_vars[vn],
                    self._write_region,
                    self._append_dim,
                )

        if self._mode not in ("r", "r+"):
            self.set_attributes(encoded_attrs)
            self.set_dimensions(encoded, unlimited_dims=unlimited_dims)

        # Appending with mode "a-" leaves alone stored variables that do not
        # have the append dimension.
        if self._mode == "a-" and self._append_dim is not None:
            encoded = {
                k: v
                for k, v in encoded.items()
                if k not in existing_names or self._append_dim in v.dims
            }
        self.set_variables(encoded, check_encoding_set, writer, unlimited_dims=unlimited_dims)
        if self._consolidate_on_close:
            anyzarr.consolidate_metadata(
                self.group.store, path=self._base_path, zarr_format=self.group.metadata.zarr_format
            )
