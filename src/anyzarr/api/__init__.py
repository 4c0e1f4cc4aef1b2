"""The API layer: AsyncArray, AsyncGroup, the async functions and the sync API."""

from __future__ import annotations

__all__: list[str] = []
