"""Codecs written against ``zarr.abc.codec`` exactly as zarr-python's docs show.

``XorCodec`` (bytes to bytes) implements the coroutines ``_encode_single``
and ``_decode_single`` and never waits; ``OffsetCodec`` (array to array)
waits in ``asyncio.to_thread`` as zarr-python's own codecs do.  Both must
work in anyzarr's synchronous pipeline unchanged, under asyncio and trio,
and write metadata zarr-python reads back.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import pytest

import anyzarr as zarr
from anyzarr.abc.codec import ArrayArrayCodec, BytesBytesCodec
from anyzarr.registry import get_codec_class, register_codec


@dataclass(frozen=True)
class XorCodec(BytesBytesCodec):
    """Flips bits with a key byte (a toy cipher)."""

    is_fixed_size = True
    key: int = 0x5A

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(**data.get("configuration", {}))

    def to_dict(self) -> dict[str, Any]:
        return {"name": "example.xor", "configuration": {"key": self.key}}

    async def _decode_single(self, chunk_bytes: Any, chunk_spec: Any) -> Any:
        raw = np.frombuffer(chunk_bytes.to_bytes(), dtype="u1") ^ self.key
        return chunk_spec.prototype.buffer.from_bytes(raw.tobytes())

    async def _encode_single(self, chunk_bytes: Any, chunk_spec: Any) -> Any:
        raw = np.frombuffer(chunk_bytes.to_bytes(), dtype="u1") ^ self.key
        return chunk_spec.prototype.buffer.from_bytes(raw.tobytes())

    def compute_encoded_size(self, input_byte_length: int, chunk_spec: Any) -> int:
        return input_byte_length


@dataclass(frozen=True)
class OffsetCodec(ArrayArrayCodec):
    """Adds a constant, in a worker thread (it waits, like zarr's own codecs)."""

    is_fixed_size = True
    offset: int = 100

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(**data.get("configuration", {}))

    def to_dict(self) -> dict[str, Any]:
        return {"name": "example.offset", "configuration": {"offset": self.offset}}

    async def _encode_single(self, chunk_array: Any, chunk_spec: Any) -> Any:
        out = await asyncio.to_thread(lambda: chunk_array.as_numpy_array() + self.offset)
        return chunk_spec.prototype.nd_buffer.from_numpy_array(out)

    async def _decode_single(self, chunk_array: Any, chunk_spec: Any) -> Any:
        out = await asyncio.to_thread(lambda: chunk_array.as_numpy_array() - self.offset)
        return chunk_spec.prototype.nd_buffer.from_numpy_array(out)

    def compute_encoded_size(self, input_byte_length: int, chunk_spec: Any) -> int:
        return input_byte_length


register_codec("example.xor", XorCodec)
register_codec("example.offset", OffsetCodec)


def test_registry_returns_the_registered_class() -> None:
    assert get_codec_class("example.xor") is XorCodec


def test_round_trip_through_metadata() -> None:
    store: dict[str, Any] = {}
    data = np.arange(100, dtype="int32").reshape(10, 10)
    arr = zarr.create_array(
        store, shape=(10, 10), chunks=(4, 4), dtype="int32",
        filters=[OffsetCodec(offset=7)], compressors=[XorCodec(key=3)],
    )  # fmt: skip
    arr[:] = data
    document = json.loads(store["zarr.json"].to_bytes())
    assert document["codecs"][0] == {"name": "example.offset", "configuration": {"offset": 7}}
    assert document["codecs"][-1] == {"name": "example.xor", "configuration": {"key": 3}}
    reopened = zarr.open_array(store, mode="r")
    np.testing.assert_array_equal(reopened[:], data)
    np.testing.assert_array_equal(reopened[3:7, 2], data[3:7, 2])
    # The stored bytes really went through both codecs.
    raw = np.frombuffer(store["c/0/0"].to_bytes(), dtype="u1") ^ 3
    first = np.frombuffer(raw.tobytes(), dtype="<i4")
    assert first[0] == data[0, 0] + 7


def test_inside_a_shard() -> None:
    store: dict[str, Any] = {}
    arr = zarr.create_array(
        store, shape=(16,), chunks=(4,), shards=(8,), dtype="uint16",
        compressors=[XorCodec()],
    )  # fmt: skip
    arr[:] = np.arange(16)
    np.testing.assert_array_equal(zarr.open_array(store)[5:11], np.arange(5, 11))


@pytest.mark.anyio
async def test_async_api_under_each_backend() -> None:
    arr = await zarr.api.asynchronous.create_array(
        {}, shape=(6,), chunks=(3,), dtype="float64", filters=[OffsetCodec(offset=1)],
        compressors=[XorCodec()],
    )  # fmt: skip
    await arr.setitem(slice(None), np.linspace(0, 5, 6))
    np.testing.assert_array_equal(await arr.getitem(slice(None)), np.linspace(0, 5, 6))


def test_zarr_python_reads_it_with_the_same_codec_registered() -> None:
    zarr_python = pytest.importorskip("zarr")
    from zarr.abc.codec import BytesBytesCodec as ZarrBytesBytesCodec
    from zarr.registry import register_codec as zarr_register

    @dataclass(frozen=True)
    class ZarrXor(ZarrBytesBytesCodec):
        key: int = 0x5A
        is_fixed_size = True

        @classmethod
        def from_dict(cls, data: dict[str, Any]) -> Self:
            return cls(**data.get("configuration", {}))

        def to_dict(self) -> dict[str, Any]:
            return {"name": "example.xor", "configuration": {"key": self.key}}

        async def _decode_single(self, chunk_bytes: Any, chunk_spec: Any) -> Any:
            raw = np.frombuffer(chunk_bytes.to_bytes(), dtype="u1") ^ self.key
            return chunk_spec.prototype.buffer.from_bytes(raw.tobytes())

        async def _encode_single(self, chunk_bytes: Any, chunk_spec: Any) -> Any:
            return await self._decode_single(chunk_bytes, chunk_spec)

        def compute_encoded_size(self, input_byte_length: int, chunk_spec: Any) -> int:
            return input_byte_length

    zarr_register("example.xor", ZarrXor)
    store: dict[str, Any] = {}
    arr = zarr.create_array(store, shape=(8,), chunks=(4,), dtype="u2", compressors=[XorCodec()])
    arr[:] = np.arange(8)
    other = zarr_python.open_array(zarr_python.storage.MemoryStore(store), mode="r")
    np.testing.assert_array_equal(other[:], np.arange(8))


@pytest.mark.parametrize(
    "codec",
    [
        zarr.codecs.TransposeCodec(order=(1, 0)),
        zarr.codecs.BytesCodec(),
        zarr.codecs.GzipCodec(level=1),
    ],
    ids=lambda c: type(c).__name__,
)
def test_anyzarr_codecs_answer_zarr_per_chunk_calls(codec: Any) -> None:
    from anyzarr.abc.codec import ArraySpec, SupportsSyncCodec
    from anyzarr.buffer import default_buffer_prototype
    from anyzarr.dtype import Int32

    assert isinstance(codec, SupportsSyncCodec)
    prototype = default_buffer_prototype()
    spec = ArraySpec(
        shape=(2, 3),
        dtype=Int32(),
        fill_value=0,
        prototype=prototype,
    )
    data = np.arange(6, dtype="i4").reshape(2, 3)
    if isinstance(codec, zarr.codecs.GzipCodec):
        chunk: Any = prototype.buffer.from_bytes(data.tobytes())
        back = codec._decode_sync(codec._encode_sync(chunk, spec), spec)
        assert back.to_bytes() == data.tobytes()
        return
    chunk = prototype.nd_buffer.from_numpy_array(data)
    encoded = codec._encode_sync(chunk, spec)
    back = asyncio.run(codec._decode_single(encoded, spec))
    np.testing.assert_array_equal(back.as_numpy_array(), data)
