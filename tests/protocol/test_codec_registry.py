from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numcodecs
import numpy as np
import pytest

from anyzarr.errors import UnknownCodecError
from anyzarr.protocol.codecs import (
    BytesBytesCodec,
    BytesCodec,
    ChunkSpec,
    NumcodecsArrayArrayCodec,
    NumcodecsBytesBytesCodec,
    ShardingCodec,
    _registry,
    codec_from_numcodecs,
    get_codec_class,
    parse_codecs,
    pipeline_from_codecs,
    register_codec,
    registered_codecs,
)


@dataclass(frozen=True, eq=False)
class ReverseCodec(BytesBytesCodec):
    """A toy codec: bytes in reverse order."""

    codec_name: ClassVar[str] = "test.reverse"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.codec_name}

    def encode(self, data: Any, spec: ChunkSpec) -> Any:
        return bytes(memoryview(data).cast("B"))[::-1]

    def decode(self, data: Any, spec: ChunkSpec, key: str) -> Any:
        return bytes(memoryview(data).cast("B"))[::-1]


def test_builtin_names_are_registered() -> None:
    names = registered_codecs()
    for name in [
        "bytes",
        "transpose",
        "blosc",
        "zstd",
        "gzip",
        "crc32c",
        "sharding_indexed",
        "vlen-utf8",
        "vlen-bytes",
    ]:
        assert names[name].codec_name == name
    assert get_codec_class("sharding_indexed") is ShardingCodec


def test_unknown_codec_names_the_codec() -> None:
    with pytest.raises(UnknownCodecError, match="no-such-codec"):
        parse_codecs([{"name": "no-such-codec"}])
    with pytest.raises(UnknownCodecError, match=r"numcodecs\.nonexistent"):
        get_codec_class("numcodecs.nonexistent")


def test_register_custom_codec_round_trips() -> None:
    register_codec(ReverseCodec.codec_name, ReverseCodec)
    try:
        pipeline = pipeline_from_codecs([{"name": "bytes"}, {"name": "test.reverse"}])
        spec = ChunkSpec(shape=(3,), dtype=np.dtype("u1"), fill_value=np.uint8(0))
        [enc] = pipeline.encode_batch([np.array([1, 2, 3], dtype="u1")], spec)
        assert enc is not None
        assert enc.to_bytes() == b"\x03\x02\x01"
        [dec] = pipeline.decode_batch([enc], spec, ["k"])
        assert dec is not None
        assert dec.tolist() == [1, 2, 3]
    finally:
        _registry._registry.pop(ReverseCodec.codec_name, None)


def test_entry_points_are_consulted(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeEntryPoint:
        name = "test.from-entry-point"

        def load(self) -> type[ReverseCodec]:
            return ReverseCodec

    seen: list[str] = []

    def fake_entry_points(*, group: str) -> list[FakeEntryPoint]:
        seen.append(group)
        return [FakeEntryPoint()]

    monkeypatch.setattr(_registry, "entry_points", fake_entry_points)
    monkeypatch.setattr(_registry, "_entry_points_loaded", False)
    try:
        assert get_codec_class("test.from-entry-point") is ReverseCodec
        assert seen == ["anyzarr.codecs", "zarr.codecs"]
    finally:
        _registry._registry.pop("test.from-entry-point", None)


def test_parse_codecs_accepts_objects_and_single_items() -> None:
    codecs = parse_codecs([BytesCodec(), {"name": "crc32c"}])
    assert [c.codec_name for c in codecs] == ["bytes", "crc32c"]
    assert parse_codecs({"name": "bytes"}) == (BytesCodec(endian=None),)
    assert parse_codecs("crc32c")[0].to_dict() == {"name": "crc32c"}


def test_numcodecs_wrappers_keep_configuration_and_kind() -> None:
    [delta, zlib] = parse_codecs(
        [
            {"name": "numcodecs.delta", "configuration": {"dtype": "i4", "astype": "i2"}},
            {"name": "numcodecs.zlib", "configuration": {}},
        ]
    )
    assert isinstance(delta, NumcodecsArrayArrayCodec)
    assert isinstance(zlib, NumcodecsBytesBytesCodec)
    assert delta.to_dict() == {
        "name": "numcodecs.delta",
        "configuration": {"dtype": "i4", "astype": "i2"},
    }
    assert zlib.to_dict() == {"name": "numcodecs.zlib", "configuration": {}}
    wrapped = codec_from_numcodecs(numcodecs.Zlib(level=3))
    assert wrapped.to_dict() == {"name": "numcodecs.zlib", "configuration": {"level": 3}}


@pytest.mark.parametrize(
    ("filters", "dtype"),
    [
        ([{"name": "numcodecs.delta", "configuration": {"dtype": "<i4", "astype": "<i2"}}], "<i4"),
        (
            [
                {
                    "name": "numcodecs.astype",
                    "configuration": {"encode_dtype": "<i2", "decode_dtype": "<i4"},
                }
            ],
            "<i4",
        ),
        ([{"name": "numcodecs.packbits", "configuration": {}}], "bool"),
        (
            [
                {
                    "name": "numcodecs.fixedscaleoffset",
                    "configuration": {"offset": 0, "scale": 1, "dtype": "<f8", "astype": "<i4"},
                }
            ],
            "<f8",
        ),
    ],
)
def test_numcodecs_array_filters_round_trip(filters: list[dict[str, Any]], dtype: str) -> None:
    pipeline = pipeline_from_codecs(
        [*filters, {"name": "bytes", "configuration": {"endian": "little"}}]
    )
    data = (np.arange(12) % 5).astype(dtype).reshape(3, 4)
    spec = ChunkSpec(shape=(3, 4), dtype=np.dtype(dtype), fill_value=np.dtype(dtype).type(0))
    [enc] = pipeline.encode_batch([data], spec)
    [dec] = pipeline.decode_batch([enc], spec, ["k"])
    assert dec is not None
    assert dec.dtype == data.dtype
    np.testing.assert_array_equal(dec, data)
