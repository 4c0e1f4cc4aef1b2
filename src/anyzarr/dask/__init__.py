"""dask on anyzarr: ``from_zarr`` and ``to_zarr`` for anyzarr arrays.

Installed with the ``dask`` extra.  ``to_zarr`` moves dask chunk
boundaries onto the stored grid before writing, so parallel writes never
lose data::

    x = anyzarr.dask.from_zarr("data.zarr", component="temperature")
    anyzarr.dask.to_zarr(x * 2, "out.zarr", component="doubled")

Importing ``anyzarr`` itself never imports dask; this module does.
See ``docs/xarray-dask.md``.
"""

from __future__ import annotations

from anyzarr.dask._alignment import aligned_chunks, is_aligned
from anyzarr.dask._io import from_zarr, stored_grid, to_zarr
from anyzarr.dask._source import ArraySource

__all__ = ["ArraySource", "aligned_chunks", "from_zarr", "is_aligned", "stored_grid", "to_zarr"]
