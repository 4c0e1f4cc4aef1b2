"""The metadata base class (``zarr.abc.metadata``)."""

from __future__ import annotations

from anyzarr.protocol._metadata_class import Metadata

__all__ = ["Metadata"]
