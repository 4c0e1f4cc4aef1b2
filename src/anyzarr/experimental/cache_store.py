"""A caching wrapper around any store (``zarr.experimental.cache_store``)."""

from __future__ import annotations

from anyzarr.io.stores._cache import CacheStore

__all__ = ["CacheStore"]
