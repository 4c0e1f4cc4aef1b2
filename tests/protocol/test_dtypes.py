"""Data types and fill values, checked against zarr-python 3.4 where it is installed."""

from __future__ import annotations

import json
import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import anyzarr.dtype
from anyzarr.errors import MetadataValidationError
from anyzarr.protocol.dtypes import (
    Complex64,
    DataType,
    DateTime64,
    Float16,
    Float32,
    Float64,
    Int64,
    NullTerminatedBytes,
    RawBytes,
    Structured,
    UInt64,
    VariableLengthBytes,
    VariableLengthUTF8,
    ZarrFormat,
    data_type_from_json,
    data_type_from_numpy,
    parse_data_type,
)

NUMPY_DTYPES: list[Any] = [
    "bool",
    "i1",
    "i2",
    "i4",
    "i8",
    "u1",
    "u2",
    "u4",
    "u8",
    "f2",
    "f4",
    "f8",
    "c8",
    "c16",
    ">i4",
    ">f8",
    "<U4",
    "|S4",
    "|V4",
    "M8[10s]",
    "M8[ns]",
    "M8",
    "m8[ns]",
    "m8[3D]",
    np.dtypes.StringDType(),
    [("a", "<i4"), ("b", "<f8")],
    [("a", "u1"), ("b", [("c", "<i2")])],
]


def _zarr_dtype(dtype: Any) -> Any:
    zdt = pytest.importorskip("zarr.core.dtype")
    return zdt.get_data_type_from_native_dtype(np.dtype(dtype))


def _j(value: Any) -> Any:
    """A value as it reads back from JSON (tuples become lists, NaN stays NaN)."""
    return json.loads(json.dumps(value))


def _same(a: Any, b: Any) -> bool:
    """Equality that treats NaN (and NaT) as equal to itself."""
    return bool(np.array(a).tobytes() == np.array(b).tobytes()) or a == b


@pytest.mark.parametrize("dtype", NUMPY_DTYPES, ids=str)
@pytest.mark.parametrize("zarr_format", [2, 3])
def test_names_match_zarr(dtype: Any, zarr_format: ZarrFormat) -> None:
    ours = data_type_from_numpy(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = _zarr_dtype(dtype)
        expected = theirs.to_json(zarr_format=zarr_format)
        expected_fill = theirs.to_json_scalar(theirs.default_scalar(), zarr_format=zarr_format)
    if zarr_format == 2:
        assert ours.to_json(2) == expected["name"]
        assert ours.object_codec_id == expected["object_codec_id"]
    else:
        assert ours.to_json(3) == expected
    assert ours.encode_fill_value(ours.default_fill_value(), zarr_format) == _j(expected_fill)


@pytest.mark.parametrize("dtype", NUMPY_DTYPES, ids=str)
@pytest.mark.parametrize("zarr_format", [2, 3])
def test_json_round_trip(dtype: Any, zarr_format: ZarrFormat) -> None:
    ours = data_type_from_numpy(dtype)
    back = data_type_from_json(ours.to_json(zarr_format), zarr_format, ours.object_codec_id)
    assert back.to_json(zarr_format) == ours.to_json(zarr_format)
    if zarr_format == 2:
        assert back == ours
        assert back.dtype == ours.dtype
    fill = ours.default_fill_value()
    encoded = ours.encode_fill_value(fill, zarr_format)
    assert _same(back.decode_fill_value(encoded, zarr_format), fill)


FILL_CASES: list[tuple[Any, Any]] = [
    ("f4", np.nan),
    ("f4", np.inf),
    ("f4", -np.inf),
    ("f4", 1.5),
    ("f4", -0.0),
    ("f2", np.nan),
    ("f2", 65504.0),
    ("f8", 1e-300),
    ("c8", complex(np.nan, np.inf)),
    ("c16", 1 + 2j),
    ("i8", 2**62 + 1),
    ("i8", -(2**63)),
    ("u8", 2**64 - 1),
    ("bool", True),
    ("M8[s]", np.datetime64("NaT", "s")),
    ("M8[s]", np.datetime64(5, "s")),
    ("m8[ns]", np.timedelta64(7, "ns")),
    ("|S4", b"ab"),
    ("|V4", b"ab\x00\x01"),
    ("<U4", "hé"),
]


@pytest.mark.parametrize(("dtype", "value"), FILL_CASES, ids=repr)
@pytest.mark.parametrize("zarr_format", [2, 3])
def test_fill_values_match_zarr(dtype: str, value: Any, zarr_format: ZarrFormat) -> None:
    ours = data_type_from_numpy(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = _zarr_dtype(dtype)
        expected = theirs.to_json_scalar(theirs.cast_scalar(value), zarr_format=zarr_format)
    encoded = ours.encode_fill_value(value, zarr_format)
    assert encoded == _j(expected) or (isinstance(encoded, float) and math.isnan(encoded))
    decoded = ours.decode_fill_value(encoded, zarr_format)
    assert _same(decoded, ours.cast_value(value))
    assert ours.encode_fill_value(decoded, zarr_format) == encoded


def test_special_float_strings() -> None:
    f4 = Float32()
    assert np.isnan(f4.decode_fill_value("NaN", 3))
    assert f4.decode_fill_value("Infinity", 3) == np.inf
    assert f4.decode_fill_value("-Infinity", 2) == -np.inf
    assert f4.encode_fill_value(float("nan"), 3) == "NaN"


def test_hex_floats() -> None:
    assert np.isnan(Float32().decode_fill_value("0x7fc00000", 3))
    assert Float32().decode_fill_value("0x3f800000", 3) == np.float32(1.0)
    assert Float16().decode_fill_value("0x3c00", 3) == np.float16(1.0)
    assert Float64().decode_fill_value("0x3ff0000000000000", 3) == 1.0
    value = Complex64().decode_fill_value(["NaN", "0x3f800000"], 3)
    assert np.isnan(value.real)
    assert value.imag == 1.0


def test_large_integers_stay_exact() -> None:
    assert Int64().decode_fill_value(2**53 + 1, 3) == 2**53 + 1
    assert UInt64().encode_fill_value(2**64 - 1, 3) == 2**64 - 1


def test_nat_spellings() -> None:
    dt = DateTime64(unit="s", scale_factor=10)
    assert np.isnat(dt.decode_fill_value("NaT", 3))
    assert np.isnat(dt.decode_fill_value(-(2**63), 3))
    assert dt.encode_fill_value("NaT", 3) == -(2**63)
    assert dt.dtype == np.dtype("M8[10s]")


def test_v2_null_fill_value() -> None:
    assert Float64().decode_fill_value(None, 2) is None
    assert Float64().encode_fill_value(None, 2) is None
    with pytest.raises(MetadataValidationError, match="fill_value"):
        Float64().decode_fill_value(None, 3)


def test_variable_length_types() -> None:
    text = VariableLengthUTF8()
    assert text.item_size is None
    assert isinstance(text.dtype, np.dtypes.StringDType)
    assert text.to_json(3) == "string"
    assert text.to_json(2) == "|O"
    assert data_type_from_json("|O", 2, "vlen-utf8") == text
    assert text.decode_fill_value(0, 2) == "0"  # as zarr-python reads legacy v2 arrays
    blob = VariableLengthBytes()
    assert blob.to_json(3) == "variable_length_bytes"
    assert data_type_from_json("|O", 2, "vlen-bytes") == blob
    assert blob.decode_fill_value(blob.encode_fill_value(b"\x00ab", 3), 3) == b"\x00ab"


def test_structured_fill_values() -> None:
    rec = data_type_from_numpy([("a", "<i4"), ("b", "<f8")])
    assert isinstance(rec, Structured)
    value = np.array((1, np.nan), dtype=rec.dtype)[()]
    assert rec.encode_fill_value(value, 3) == {"a": 1, "b": "NaN"}
    assert rec.encode_fill_value(value, 2) == "AQAAAAAAAAAAAPh/"
    assert _same(rec.decode_fill_value({"a": 1, "b": "NaN"}, 3), value)
    # zarr-python also reads the older base64 form in v3 documents
    assert _same(rec.decode_fill_value("AQAAAAAAAAAAAPh/", 3), value)


def test_legacy_structured_name() -> None:
    doc = {"name": "structured", "configuration": {"fields": [["a", "int32"], ["b", "float64"]]}}
    rec = data_type_from_json(doc, 3)
    assert rec.dtype == np.dtype([("a", "<i4"), ("b", "<f8")])
    assert rec.to_json(3)["name"] == "struct"


def test_v2_subarray_fields() -> None:
    rec = data_type_from_json([["a", "<f4", [2, 3]], ["b", "|u1"]], 2)
    assert rec.dtype == np.dtype([("a", "<f4", (2, 3)), ("b", "u1")])
    assert rec.to_json(2) == [["a", "<f4", [2, 3]], ["b", "|u1"]]
    with pytest.raises(MetadataValidationError, match="subarray"):
        rec.to_json(3)


def test_v3_short_hand_and_core_raw_names() -> None:
    assert data_type_from_json({"name": "int64"}, 3) == Int64()
    assert data_type_from_json("r16", 3) == RawBytes(2)
    assert data_type_from_json(
        {"name": "null_terminated_bytes", "configuration": {"length_bytes": 3}}, 3
    ) == NullTerminatedBytes(3)


def test_parse_data_type_spellings() -> None:
    assert parse_data_type(str) == VariableLengthUTF8()
    assert parse_data_type("str") == VariableLengthUTF8()
    assert parse_data_type("float32") == Float32()
    assert parse_data_type(np.float32) == Float32()
    assert parse_data_type({"name": "numpy.datetime64", "configuration": {"unit": "ms"}}) == (
        DateTime64(unit="ms")
    )
    assert parse_data_type(Float64()) == Float64()
    assert DataType.from_numpy("<f8") == Float64()
    assert DataType.from_json("float64", 3) == Float64()


def test_public_dtype_module() -> None:
    assert anyzarr.dtype.Float32 is Float32
    assert anyzarr.dtype.parse_dtype("i8", zarr_format=2) == Int64()
    assert set(anyzarr.dtype.__all__) <= set(dir(anyzarr.dtype))


BAD_TYPES: list[tuple[Any, int, str | None]] = [
    ("float128", 3, None),
    ({"name": "complex32"}, 3, None),
    ({"name": "fixed_length_utf32", "configuration": {"length_bytes": 3}}, 3, None),
    ({"name": "numpy.datetime64", "configuration": {"unit": "fortnight"}}, 3, None),
    ({"configuration": {}}, 3, None),
    ("|O", 2, None),
    ("|O", 2, "pickle"),
    ("f8", 2, None),
    ("<q9", 2, None),
    (["a", "<i4"], 2, None),
]


@pytest.mark.parametrize(("obj", "zarr_format", "codec"), BAD_TYPES, ids=repr)
def test_unknown_data_types_refused(obj: Any, zarr_format: Any, codec: str | None) -> None:
    with pytest.raises(MetadataValidationError, match=r"data_type|dtype"):
        data_type_from_json(obj, zarr_format, codec)


def test_object_dtype_is_ambiguous() -> None:
    with pytest.raises(MetadataValidationError, match="ambiguous"):
        data_type_from_numpy("O")


BAD_FILLS: list[tuple[DataType, Any]] = [
    (Float32(), "nan"),
    (Float32(), "0x7fc0"),
    (Float32(), True),
    (Int64(), 1.5),
    (Int64(), "NaN"),
    (data_type_from_numpy("i1"), 300),
    (UInt64(), -1),
    (data_type_from_numpy("bool"), "yes"),
    (Complex64(), [1.0]),
    (NullTerminatedBytes(2), "!!!not base64"),
    (RawBytes(4), "AAA="),
    (VariableLengthUTF8(), [5]),
    (DateTime64(unit="s"), 1.5),
    (data_type_from_numpy([("a", "<i4")]), {"b": 1}),
]


@pytest.mark.parametrize(("data_type", "value"), BAD_FILLS, ids=repr)
def test_bad_fill_values_name_the_field(data_type: DataType, value: Any) -> None:
    with pytest.raises(MetadataValidationError, match="fill_value"):
        data_type.decode_fill_value(value, 3)


@given(st.floats(width=32))
def test_float32_round_trip(value: float) -> None:
    f4 = Float32()
    decoded = f4.decode_fill_value(f4.encode_fill_value(value, 3), 3)
    # Every NaN is written as "NaN", as zarr-python does, so payloads are not kept.
    assert _same(decoded, np.float32(value)) or (np.isnan(decoded) and math.isnan(value))


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_int64_round_trip(value: int) -> None:
    assert Int64().decode_fill_value(Int64().encode_fill_value(value, 2), 2) == value


@given(st.binary(max_size=8))
def test_bytes_round_trip(value: bytes) -> None:
    dt = NullTerminatedBytes(8)
    decoded = dt.decode_fill_value(dt.encode_fill_value(value, 3), 3)
    assert np.array(decoded, dt.dtype).tobytes() == np.array(value, dt.dtype).tobytes()


@pytest.mark.parametrize("dtype", [">m8[s]", ">M8[ms]", ">m8", "<M8[ns]"])
@pytest.mark.parametrize("zarr_format", [2, 3])
def test_time_values_in_any_byte_order(dtype: str, zarr_format: ZarrFormat) -> None:
    """A native int64 count must not be reinterpreted through big-endian bytes."""
    data_type = data_type_from_numpy(dtype)
    assert np.isnat(data_type.default_fill_value())
    nat = data_type.encode_fill_value(data_type.default_fill_value(), zarr_format)
    assert nat == np.iinfo(np.int64).min
    for count in (0, 5, -3, 2**40):
        encoded = data_type.encode_fill_value(count, zarr_format)
        assert encoded == count
        decoded = data_type.decode_fill_value(encoded, zarr_format)
        stored = np.array([decoded], dtype=data_type.dtype)
        assert int(stored.astype(stored.dtype.newbyteorder("=")).view(np.int64)[0]) == count


@pytest.mark.parametrize("dtype", ["<m8[2generic]", ">M8[7generic]", "<M8[3s]", "<m8"])
@pytest.mark.parametrize("zarr_format", [2, 3])
def test_time_scale_survives_metadata(dtype: str, zarr_format: ZarrFormat) -> None:
    """A generic unit's scale, which numpy's dtype.str omits, survives to JSON and back."""
    data_type = data_type_from_numpy(dtype)
    assert np.datetime_data(data_type.dtype) == np.datetime_data(np.dtype(dtype))
    again = data_type_from_json(data_type.to_json(zarr_format), zarr_format)
    # Format 3 keeps the byte order in the bytes codec, not the data type.
    assert type(again) is type(data_type)
    assert np.datetime_data(again.dtype) == np.datetime_data(np.dtype(dtype))


@pytest.mark.parametrize(
    ("dtype", "value"),
    [(">i4", -7), (">u8", 2**64 - 1), (">f4", 1.5), (">f8", "NaN"), (">c8", [1.0, -2.5])],
)
def test_big_endian_numbers(dtype: str, value: Any) -> None:
    data_type = data_type_from_numpy(dtype)
    for zarr_format in (2, 3):
        decoded = data_type.decode_fill_value(value, zarr_format)
        assert _j(data_type.encode_fill_value(decoded, zarr_format)) == value
        assert _same(np.array(decoded, dtype=data_type.dtype)[()], decoded)


def test_bool_fill_value_numbers() -> None:
    data_type = data_type_from_numpy("bool")
    for zarr_format in (2, 3):
        assert data_type.decode_fill_value(0, zarr_format) is np.False_
        assert data_type.decode_fill_value(1, zarr_format) is np.True_
        for bad in (2, -1, 0.0, "0"):
            with pytest.raises(MetadataValidationError, match="fill_value"):
                data_type.decode_fill_value(bad, zarr_format)


def test_numbers_as_fixed_text_fill_values_only_in_v2() -> None:
    for dtype, zero in (("S2", b"0"), ("U2", "0")):
        data_type = data_type_from_numpy(dtype)
        assert data_type.decode_fill_value(0, 2) == zero
        with pytest.raises(MetadataValidationError, match="fill_value"):
            data_type.decode_fill_value(0, 3)
        with pytest.raises(MetadataValidationError, match="fill_value"):
            data_type.decode_fill_value(123, 2)
