from __future__ import annotations

import pytest

from anyzarr.protocol.buffer import gpu

pytestmark = pytest.mark.gpu

if not gpu.cupy_available():
    pytest.skip("GpuMemoryStore needs cupy and a CUDA device", allow_module_level=True)

from typing import Any  # noqa: E402

from anyzarr.io.stores import GpuMemoryStore  # noqa: E402
from anyzarr.protocol.buffer import cpu  # noqa: E402
from anyzarr.testing.store import StoreTests  # noqa: E402


class TestGpuMemoryStore(StoreTests[GpuMemoryStore]):
    store_cls = GpuMemoryStore

    @pytest.fixture
    def store_kwargs(self) -> dict[str, Any]:
        return {"store_dict": {}}


@pytest.mark.anyio
async def test_values_live_on_the_device() -> None:
    store = GpuMemoryStore()
    await store.set("k", cpu.Buffer.from_bytes(b"abc"))
    assert isinstance(store._store_dict["k"], gpu.Buffer)
    value = await store.get("k", gpu.buffer_prototype)
    assert isinstance(value, gpu.Buffer)
    assert value.to_bytes() == b"abc"
    from_dict = GpuMemoryStore.from_dict({"x": cpu.Buffer.from_bytes(b"1")})
    assert isinstance(from_dict._store_dict["x"], gpu.Buffer)
