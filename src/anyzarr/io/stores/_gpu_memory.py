"""A memory store whose values live in GPU memory (cupy)."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import TYPE_CHECKING

from anyzarr.io.stores._memory import MemoryStore

if TYPE_CHECKING:
    from anyzarr.protocol.buffer import Buffer

__all__ = ["GpuMemoryStore"]


class GpuMemoryStore(MemoryStore):
    """Like :class:`MemoryStore`, but every stored value is a GPU buffer.

    Values written from host memory are copied to the device on ``set``, so a
    GPU pipeline reading from this store never crosses the bus.  Needs cupy
    and a CUDA device; constructing it without cupy raises
    :class:`~anyzarr.protocol.buffer.gpu.GpuUnavailableError`.
    """

    def __init__(
        self,
        store_dict: MutableMapping[str, Buffer] | None = None,
        *,
        read_only: bool = False,
        concurrency: int | None = None,
    ) -> None:
        from anyzarr.protocol.buffer import gpu

        # Fail at construction, not at the first write, when there is no cupy.
        gpu._cp()
        super().__init__(store_dict, read_only=read_only, concurrency=concurrency)

    @classmethod
    def from_dict(cls, store_dict: MutableMapping[str, Buffer]) -> GpuMemoryStore:
        """A store over ``store_dict`` with every value moved to the GPU."""
        from anyzarr.protocol.buffer import gpu

        gpu_dict: dict[str, Buffer] = {
            key: gpu.Buffer.from_buffer(value) for key, value in store_dict.items()
        }
        return cls(store_dict=gpu_dict)

    def _stored_copy(self, value: Buffer) -> Buffer:
        from anyzarr.protocol.buffer import gpu

        # Copy on the device: later writes to the caller's buffer must not show.
        return gpu.Buffer.from_array_like(gpu.Buffer.from_buffer(value).as_array_like().copy())

    def __repr__(self) -> str:
        return f"GpuMemoryStore('gpumemory://{id(self._store_dict)}')"
