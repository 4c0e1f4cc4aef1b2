"""Experimental features, as ``zarr.experimental`` has them (see ``cache_store``)."""

from __future__ import annotations

__all__: list[str] = []
