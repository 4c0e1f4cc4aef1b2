"""Test helpers that third-party stores and buffers can reuse."""

from __future__ import annotations

__all__: list[str] = []
