"""Decode numcodecs' published fixture vectors through the v2 pipeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import numcodecs
import numcodecs.blosc
import numpy as np
import pytest

from anyzarr.protocol.codecs import ChunkSpec, UnsafeCodecError, pipeline_v2

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "numcodecs"
OBJECT_CODECS = {
    "vlen-utf8",
    "vlen-bytes",
    "vlen-array",
    "json2",
    "msgpack2",
    "pickle",
    "categorize",
}
FILTER_CODECS = {"delta", "fixedscaleoffset", "quantize", "packbits", "astype", "categorize"}


def _cases() -> list[Any]:
    if not FIXTURES.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason="fixtures are absent"))]
    return [
        pytest.param(p.parent, id=str(p.parent.relative_to(FIXTURES)))
        for p in sorted(FIXTURES.rglob("config.json"))
    ]


def _load(path: Path) -> np.ndarray[Any, Any]:
    return np.load(path, allow_pickle=True)  # type: ignore[no-any-return]


@pytest.mark.parametrize("codec_dir", _cases())
def test_fixture_decodes(codec_dir: Path, shared_dir: Path) -> None:
    config = json.loads((codec_dir / "config.json").read_text())
    codec_id = config["id"]
    try:
        reference = numcodecs.get_codec(dict(config))
    except (ValueError, ImportError, KeyError) as exc:
        pytest.skip(f"numcodecs codec {codec_id!r} unavailable here: {exc}")
    if codec_id == "blosc" and config["cname"] not in numcodecs.blosc.list_compressors():
        pytest.skip(f"blosc here lacks {config['cname']!r}")
    as_filter = codec_id in FILTER_CODECS or codec_id in OBJECT_CODECS
    pipeline = pipeline_v2(
        [config] if as_filter else None,
        None if as_filter else config,
        allow_pickle=codec_id == "pickle",
    )
    checked = 0
    for encoded_path in sorted(codec_dir.glob("encoded.*.dat")):
        number = encoded_path.name.split(".")[1]
        array = _load(codec_dir.parent / f"array.{number}.npy")
        encoded = encoded_path.read_bytes()
        order: Literal["C", "F"] = (
            "F" if array.flags.f_contiguous and not array.flags.c_contiguous else "C"
        )
        pipeline = pipeline_v2(
            [config] if as_filter else None,
            None if as_filter else config,
            order,
            allow_pickle=codec_id == "pickle",
        )
        dtype = array.dtype
        fill: Any = "" if dtype.kind == "O" else np.zeros((), dtype=dtype)[()]
        spec = ChunkSpec(shape=array.shape, dtype=dtype, fill_value=fill, order=order)
        [decoded] = pipeline.decode_batch([encoded], spec, [str(encoded_path)])
        assert decoded is not None
        assert decoded.shape == array.shape
        expected: Any = array if codec_id == "pickle" else reference.decode(encoded)
        if dtype.kind == "O":
            expected_list = (
                np.asarray(expected, dtype=object).reshape(array.shape, order=order).tolist()
            )
            assert _normalise(decoded.tolist()) == _normalise(expected_list)
        else:
            expected_arr = np.frombuffer(np.ascontiguousarray(expected).tobytes(), dtype=dtype)
            expected_arr = expected_arr.reshape(array.shape, order=order)
            np.testing.assert_array_equal(decoded, expected_arr)
            if codec_id not in {"quantize", "fixedscaleoffset", "zfpy", "astype"}:
                np.testing.assert_array_equal(decoded, array)
        checked += 1
    assert checked > 0


def _normalise(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, float) and value != value:
        return "<NaN>"  # NaN != NaN would fail the comparison
    return value


def test_pickle_is_refused_unless_allowed(shared_dir: Path) -> None:
    codec_dir = FIXTURES / "pickle" / "codec.00"
    config = json.loads((codec_dir / "config.json").read_text())
    encoded = (codec_dir / "encoded.00.dat").read_bytes()
    array = _load(FIXTURES / "pickle" / "array.00.npy")
    spec = ChunkSpec(shape=array.shape, dtype=array.dtype, fill_value="")
    with pytest.raises(UnsafeCodecError, match="allow_pickle") as info:
        pipeline_v2([config], None).decode_batch([encoded], spec, ["a/0.0"])
    assert info.value.key == "a/0.0"
    [decoded] = pipeline_v2([config], None, allow_pickle=True).decode_batch(
        [encoded], spec, ["a/0.0"]
    )
    assert decoded is not None
