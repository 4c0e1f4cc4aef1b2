"""Small test helpers (``zarr.testing.utils``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from anyzarr.protocol.buffer import Buffer
from anyzarr.protocol.buffer.gpu import cupy_available

__all__ = ["assert_bytes_equal", "gpu_mark", "gpu_test", "has_cupy", "skip_if_no_gpu"]


def assert_bytes_equal(b1: Buffer | bytes | bytearray | memoryview | None, b2: Any) -> None:
    """Assert that two buffers or bytes-like values hold the same bytes (copies both)."""
    if isinstance(b1, Buffer):
        b1 = b1.to_bytes()
    if isinstance(b2, Buffer):
        b2 = b2.to_bytes()
    assert b1 == b2


def has_cupy() -> bool:
    """Whether cupy imports and sees a CUDA device."""
    return cupy_available()


gpu_mark = pytest.mark.gpu
skip_if_no_gpu = pytest.mark.skipif(not has_cupy(), reason="CuPy not installed or no GPU available")


def gpu_test[F: Callable[..., Any]](func: F) -> F:
    """Mark a test as a GPU test, skipped without a GPU."""
    return gpu_mark(skip_if_no_gpu(func))  # type: ignore[no-any-return]
