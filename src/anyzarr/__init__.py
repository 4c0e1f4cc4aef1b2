"""anyzarr: Zarr v2 and v3 on any event loop."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
