"""The IO layer: anyio-native stores and the engine that runs protocol plans."""

from __future__ import annotations

__all__: list[str] = []
