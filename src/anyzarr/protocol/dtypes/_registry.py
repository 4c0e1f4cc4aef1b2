"""Finding the `DataType` for a numpy dtype, a JSON document or a user's spelling."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.lib.recfunctions import repack_fields

from anyzarr.protocol._errors import MetadataValidationError, ZarrUserWarning
from anyzarr.protocol.dtypes._base import JSON, DataType, ZarrFormat
from anyzarr.protocol.dtypes._numeric import NUMERIC_TYPES
from anyzarr.protocol.dtypes._strings import (
    FixedLengthUTF32,
    NullTerminatedBytes,
    RawBytes,
    VariableLengthBytes,
    VariableLengthUTF8,
)
from anyzarr.protocol.dtypes._structured import Structured
from anyzarr.protocol.dtypes._time import TIME_UNITS, DateTime64, TimeDelta64

__all__ = ["data_type_from_json", "data_type_from_numpy", "parse_data_type"]

_BY_V3_NAME = {cls.v3_name: cls for cls in NUMERIC_TYPES}
_BY_NUMPY_CHAR = {np.dtype(cls._char).str[1:]: cls for cls in NUMERIC_TYPES}
_OBJECT_CODECS = {"vlen-utf8": VariableLengthUTF8, "vlen-bytes": VariableLengthBytes}


def _endianness(dt: np.dtype[Any]) -> Any:
    if dt.byteorder == ">" or (dt.byteorder == "=" and not np.little_endian):
        return "big"
    return "little"


def data_type_from_numpy(dtype: object) -> DataType:
    """The data type that holds values of a numpy dtype.

    Object dtype is ambiguous (text or bytes?) and is refused, as in zarr-python.
    """
    try:
        dt = np.dtype(dtype)  # type: ignore[call-overload]
    except TypeError as exc:
        raise MetadataValidationError(f"data_type: {dtype!r} is not a numpy dtype") from exc
    if isinstance(dt, np.dtypes.StringDType):
        return VariableLengthUTF8()
    if dt.fields is not None:
        # Records are stored packed.  Repacking once here (nested fields
        # included) means a padded layout warns once, however deep the padding.
        packed = repack_fields(dt, recurse=True)
        if packed != dt:
            warnings.warn(
                "The structured dtype is converted to a packed field layout. Field values "
                "are preserved when writing arrays, but field offsets and itemsize may change.",
                ZarrUserWarning,
                stacklevel=2,
            )
            dt = packed
        fields = []
        for name in dt.names or ():
            field_dt = dt.fields[name][0]
            shape: tuple[int, ...] = ()
            if field_dt.subdtype is not None:
                field_dt, shape = field_dt.subdtype
            fields.append((name, data_type_from_numpy(field_dt), tuple(shape)))
        return Structured(tuple(fields))
    if dt.subdtype is not None:
        raise MetadataValidationError(f"data_type: subarray dtype {dt} is not supported")
    key = dt.str[1:]
    if key in _BY_NUMPY_CHAR:
        return _BY_NUMPY_CHAR[key](endianness=_endianness(dt))
    if dt.kind == "U":
        return FixedLengthUTF32(dt.itemsize // 4, endianness=_endianness(dt))
    if dt.kind == "S":
        return NullTerminatedBytes(dt.itemsize)
    if dt.kind == "V":
        return RawBytes(dt.itemsize)
    if dt.kind in "Mm":
        # datetime_data, not dt.str: the string drops a generic unit's scale.
        unit, scale = np.datetime_data(dt)
        if unit in TIME_UNITS:
            cls = DateTime64 if dt.kind == "M" else TimeDelta64
            return cls(unit=unit, scale_factor=scale, endianness=_endianness(dt))
    if dt.kind == "O":
        raise MetadataValidationError(
            "data_type: Zarr data type resolution from object failed: the numpy object "
            "dtype is ambiguous; use 'str' / StringDType for text or VariableLengthBytes() "
            "for bytes"
        )
    raise MetadataValidationError(f"data_type: numpy dtype {dt} has no Zarr data type")


# -- v3 -----------------------------------------------------------------------------


def _config(obj: dict[str, Any], field: str) -> dict[str, Any]:
    config = obj.get("configuration", {})
    if not isinstance(config, dict):
        raise MetadataValidationError(f"{field}.configuration must be an object, got {config!r}")
    return config


def _positive_int(config: dict[str, Any], key: str, field: str) -> int:
    value = config.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MetadataValidationError(
            f"{field}.configuration.{key} must be a non-negative integer, got {value!r}"
        )
    return value


def _from_json_v3(obj: JSON, field: str) -> DataType:
    if isinstance(obj, str):
        # Zarr v3.1 allows a bare name for an extension without configuration.
        obj = {"name": obj}
    if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
        raise MetadataValidationError(f"{field}: expected a data type name, got {obj!r}")
    name = obj["name"]
    config = _config(obj, field)
    if name in _BY_V3_NAME:
        return _BY_V3_NAME[name]()
    if name == "string":
        return VariableLengthUTF8()
    if name in ("variable_length_bytes", "bytes"):
        return VariableLengthBytes()
    if name == "fixed_length_utf32":
        length = _positive_int(config, "length_bytes", field)
        if length % 4:
            raise MetadataValidationError(
                f"{field}.configuration.length_bytes must be a multiple of 4, got {length}"
            )
        return FixedLengthUTF32(length // 4)
    if name == "null_terminated_bytes":
        return NullTerminatedBytes(_positive_int(config, "length_bytes", field))
    if name == "raw_bytes":
        return RawBytes(_positive_int(config, "length_bytes", field))
    if name.startswith("r") and name[1:].isdigit():
        # The core spec's r<bits> raw types.
        bits = int(name[1:])
        if bits == 0 or bits % 8:
            raise MetadataValidationError(f"{field}: {name} is not a whole number of bytes")
        return RawBytes(bits // 8)
    if name in ("numpy.datetime64", "numpy.timedelta64"):
        cls = DateTime64 if name == "numpy.datetime64" else TimeDelta64
        unit = config.get("unit", "generic")
        scale = config.get("scale_factor", 1)
        return cls(unit=unit, scale_factor=scale)
    if name in ("struct", "structured"):
        return _struct_from_json_v3(config, field)
    raise MetadataValidationError(f"{field}: unknown data type {name!r}")


def _struct_from_json_v3(config: dict[str, Any], field: str) -> Structured:
    raw_fields = config.get("fields")
    if not isinstance(raw_fields, list):
        raise MetadataValidationError(f"{field}.configuration.fields must be a list")
    fields = []
    for i, entry in enumerate(raw_fields):
        if isinstance(entry, dict) and "name" in entry and "data_type" in entry:
            name, sub = entry["name"], entry["data_type"]
        elif isinstance(entry, list) and len(entry) == 2:
            name, sub = entry
        else:
            raise MetadataValidationError(f"{field}.configuration.fields[{i}] is malformed")
        if not isinstance(name, str):
            raise MetadataValidationError(f"{field}.configuration.fields[{i}] name must be text")
        fields.append((name, _from_json_v3(sub, f"{field}.fields[{i}]"), ()))
    return Structured(tuple(fields))


# -- v2 -----------------------------------------------------------------------------


def _from_json_v2(obj: JSON, object_codec_id: str | None, field: str) -> DataType:
    if isinstance(obj, list):
        fields = []
        for i, entry in enumerate(obj):
            if not isinstance(entry, list) or len(entry) not in (2, 3):
                raise MetadataValidationError(f"{field}[{i}]: expected [name, dtype(, shape)]")
            name, sub = entry[0], entry[1]
            shape = tuple(entry[2]) if len(entry) == 3 else ()
            if not isinstance(name, str) or not all(isinstance(s, int) for s in shape):
                raise MetadataValidationError(f"{field}[{i}]: malformed field {entry!r}")
            fields.append((name, _from_json_v2(sub, None, f"{field}[{i}]"), shape))
        return Structured(tuple(fields))
    if not isinstance(obj, str):
        raise MetadataValidationError(f"{field}: expected a numpy dtype string, got {obj!r}")
    if obj == "|O":
        if object_codec_id is None:
            raise MetadataValidationError(
                f"{field}: object dtype '|O' needs an object codec (vlen-utf8, vlen-bytes) "
                "in filters or compressor"
            )
        if object_codec_id not in _OBJECT_CODECS:
            raise MetadataValidationError(
                f"{field}: object codec {object_codec_id!r} is not supported for '|O'"
            )
        return _OBJECT_CODECS[object_codec_id]()
    if obj[:1] not in "<>|":
        raise MetadataValidationError(f"{field}: {obj!r} lacks a byte-order prefix")
    try:
        dt = np.dtype(obj)
    except TypeError as exc:
        raise MetadataValidationError(f"{field}: {obj!r} is not a numpy dtype") from exc
    try:
        return data_type_from_numpy(dt)
    except MetadataValidationError as exc:
        raise MetadataValidationError(f"{field}: {obj!r} is not supported ({exc})") from exc


def data_type_from_json(
    obj: JSON,
    zarr_format: ZarrFormat,
    object_codec_id: str | None = None,
    *,
    field: str = "data_type",
) -> DataType:
    """The data type named by a metadata document's ``data_type`` (v3) or ``dtype`` (v2)."""
    if zarr_format == 3:
        return _from_json_v3(obj, field)
    if zarr_format == 2:
        return _from_json_v2(obj, object_codec_id, field)
    raise MetadataValidationError(f"zarr_format must be 2 or 3, got {zarr_format!r}")


def parse_data_type(spec: object, zarr_format: ZarrFormat = 3) -> DataType:
    """Whatever a user passes as ``dtype=``: a DataType, a numpy dtype, a name or a v3 JSON object.

    ``str`` (and ``"str"``/``"string"``) mean variable-length UTF-8 text, as in zarr-python.
    """
    if isinstance(spec, DataType):
        return spec
    if spec is str or spec in ("str", "string"):
        return VariableLengthUTF8()
    if spec is bytes or spec in ("bytes", "variable_length_bytes"):
        return VariableLengthBytes()
    if isinstance(spec, dict):
        return data_type_from_json(spec, 3)
    if isinstance(spec, str) and zarr_format == 3 and spec in _BY_V3_NAME:
        return _BY_V3_NAME[spec]()
    if isinstance(spec, str) and spec.startswith(("numpy.", "fixed_", "null_", "raw_")):
        return data_type_from_json(spec, 3)
    return data_type_from_numpy(spec)
