"""xarray on anyzarr: the ``engine="anyzarr"`` backend and ``to_zarr``.

Installed with the ``xarray`` extra, which registers the backend through
the ``xarray.backends`` entry point::

    ds = xr.open_dataset("data.zarr", engine="anyzarr")
    anyzarr.xarray.to_zarr(ds, "copy.zarr")

Importing ``anyzarr`` itself never imports xarray; this module does.
See ``docs/xarray-dask.md``.
"""

from __future__ import annotations

from anyzarr.xarray._backend_array import AnyzarrBackendArray
from anyzarr.xarray._datastore import AnyzarrStore
from anyzarr.xarray._entrypoint import AnyzarrBackendEntrypoint
from anyzarr.xarray._to_zarr import to_zarr

__all__ = ["AnyzarrBackendArray", "AnyzarrBackendEntrypoint", "AnyzarrStore", "to_zarr"]
