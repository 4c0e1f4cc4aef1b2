"""``engine="anyzarr"``: the entry point xarray finds through ``xarray.backends``."""

from __future__ import annotations

import os
from collections.abc import Iterable
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from xarray.backends.common import (
    BackendEntrypoint,
    _normalize_path,
    datatree_from_dict_with_io_cleanup,
)
from xarray.backends.store import StoreBackendEntrypoint
from xarray.core.treenode import NodePath
from xarray.core.utils import close_on_error

from anyzarr import AsyncGroup, Group
from anyzarr.storage import Store, StorePath
from anyzarr.xarray._datastore import AnyzarrStore, ZarrWriteMode

if TYPE_CHECKING:
    from xarray import Dataset, DataTree

__all__ = ["AnyzarrBackendEntrypoint"]


def _decode(
    store: AnyzarrStore,
    *,
    mask_and_scale: bool,
    decode_times: Any,
    concat_characters: bool,
    decode_coords: Any,
    drop_variables: str | Iterable[str] | None,
    use_cftime: bool | None,
    decode_timedelta: Any,
) -> Dataset:
    """The dataset of one group, decoded by xarray's CF coders."""
    with close_on_error(store):
        return StoreBackendEntrypoint().open_dataset(
            store,
            mask_and_scale=mask_and_scale,
            decode_times=decode_times,
            concat_characters=concat_characters,
            decode_coords=decode_coords,
            drop_variables=drop_variables,
            use_cftime=use_cftime,
            decode_timedelta=decode_timedelta,
        )


class AnyzarrBackendEntrypoint(BackendEntrypoint):
    """Open Zarr v2 and v3 groups with anyzarr: ``xr.open_dataset(store, engine="anyzarr")``.

    ``store`` is anything ``anyzarr.open_group`` accepts (a path, a URL, an
    anyzarr store or ``StorePath``) or an anyzarr ``Group``/``AsyncGroup``.
    Variables are lazy: each is an ``AnyzarrBackendArray``; with ``chunks={}``
    they become dask arrays cut along the stored chunks (the inner chunks
    of a sharded array), as ``xr.open_zarr`` cuts them.  The keywords mean
    what they mean for xarray's ``engine="zarr"``, except that
    ``use_zarr_fill_value_as_mask`` is honoured (xarray's zarr engine
    passes ``None`` on whatever is given).
    """

    description = "Open Zarr v2 and v3 stores with anyzarr (no zarr-python needed)"
    url = "https://github.com/anyzarr/anyzarr/blob/main/docs/xarray-dask.md"
    supports_groups = True
    open_dataset_parameters: ClassVar[tuple[str, ...] | None] = (
        "filename_or_obj",
        "mask_and_scale",
        "decode_times",
        "concat_characters",
        "decode_coords",
        "drop_variables",
        "use_cftime",
        "decode_timedelta",
        "group",
        "mode",
        "consolidated",
        "storage_options",
        "zarr_format",
        "use_zarr_fill_value_as_mask",
        "cache_members",
    )

    def guess_can_open(self, filename_or_obj: Any) -> bool:
        """anyzarr's own objects always; ``*.zarr`` paths when zarr-python is absent.

        With zarr-python installed xarray's ``zarr`` engine keeps the paths
        it has always opened; pass ``engine="anyzarr"`` to choose this one.
        """
        if isinstance(filename_or_obj, Store | StorePath | Group | AsyncGroup):
            return True
        if isinstance(filename_or_obj, str | os.PathLike):
            _, ext = os.path.splitext(os.fspath(filename_or_obj).rstrip("/"))
            return ext == ".zarr" and find_spec("zarr") is None
        return False

    def open_dataset(
        self,
        filename_or_obj: Any,
        *,
        mask_and_scale: bool = True,
        decode_times: Any = True,
        concat_characters: bool = True,
        decode_coords: Any = True,
        drop_variables: str | Iterable[str] | None = None,
        use_cftime: bool | None = None,
        decode_timedelta: Any = None,
        group: str | None = None,
        mode: ZarrWriteMode = "r",
        consolidated: bool | None = None,
        storage_options: dict[str, Any] | None = None,
        zarr_format: Literal[2, 3] | None = None,
        use_zarr_fill_value_as_mask: bool | None = None,
        cache_members: bool = True,
    ) -> Dataset:
        store = AnyzarrStore.open_group(
            _normalize_path(filename_or_obj),
            mode=mode,
            group=group,
            consolidated=consolidated,
            storage_options=storage_options,
            zarr_format=zarr_format,
            use_zarr_fill_value_as_mask=use_zarr_fill_value_as_mask,
            cache_members=cache_members,
        )
        return _decode(
            store,
            mask_and_scale=mask_and_scale,
            decode_times=decode_times,
            concat_characters=concat_characters,
            decode_coords=decode_coords,
            drop_variables=drop_variables,
            use_cftime=use_cftime,
            decode_timedelta=decode_timedelta,
        )

    def open_datatree(
        self,
        filename_or_obj: Any,
        *,
        mask_and_scale: bool = True,
        decode_times: Any = True,
        concat_characters: bool = True,
        decode_coords: Any = True,
        drop_variables: str | Iterable[str] | None = None,
        use_cftime: bool | None = None,
        decode_timedelta: Any = None,
        group: str | None = None,
        mode: ZarrWriteMode = "r",
        consolidated: bool | None = None,
        storage_options: dict[str, Any] | None = None,
        zarr_format: Literal[2, 3] | None = None,
        use_zarr_fill_value_as_mask: bool | None = None,
    ) -> DataTree:
        groups = self.open_groups_as_dict(
            filename_or_obj,
            mask_and_scale=mask_and_scale,
            decode_times=decode_times,
            concat_characters=concat_characters,
            decode_coords=decode_coords,
            drop_variables=drop_variables,
            use_cftime=use_cftime,
            decode_timedelta=decode_timedelta,
            group=group,
            mode=mode,
            consolidated=consolidated,
            storage_options=storage_options,
            zarr_format=zarr_format,
            use_zarr_fill_value_as_mask=use_zarr_fill_value_as_mask,
        )
        return datatree_from_dict_with_io_cleanup(groups)

    def open_groups_as_dict(
        self,
        filename_or_obj: Any,
        *,
        mask_and_scale: bool = True,
        decode_times: Any = True,
        concat_characters: bool = True,
        decode_coords: Any = True,
        drop_variables: str | Iterable[str] | None = None,
        use_cftime: bool | None = None,
        decode_timedelta: Any = None,
        group: str | None = None,
        mode: ZarrWriteMode = "r",
        consolidated: bool | None = None,
        storage_options: dict[str, Any] | None = None,
        zarr_format: Literal[2, 3] | None = None,
        use_zarr_fill_value_as_mask: bool | None = None,
    ) -> dict[str, Dataset]:
        parent = str(NodePath("/") / NodePath(group or ""))
        stores = AnyzarrStore.open_store(
            _normalize_path(filename_or_obj),
            mode=mode,
            group=parent,
            consolidated=consolidated,
            storage_options=storage_options,
            zarr_format=zarr_format,
            use_zarr_fill_value_as_mask=use_zarr_fill_value_as_mask,
        )
        groups: dict[str, Dataset] = {}
        for path, store in stores.items():
            name = str(NodePath(path).relative_to(parent)) if group else path
            groups[name] = _decode(
                store,
                mask_and_scale=mask_and_scale,
                decode_times=decode_times,
                concat_characters=concat_characters,
                decode_coords=decode_coords,
                drop_variables=drop_variables,
                use_cftime=use_cftime,
                decode_timedelta=decode_timedelta,
            )
        return groups
