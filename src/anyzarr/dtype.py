"""Zarr data types, under the name zarr-python uses (``zarr.dtype``)."""

from __future__ import annotations

from anyzarr.protocol.dtypes import (
    Bool,
    Complex64,
    Complex128,
    DataType,
    DateTime64,
    FixedLengthUTF32,
    Float16,
    Float32,
    Float64,
    Int8,
    Int16,
    Int32,
    Int64,
    NullTerminatedBytes,
    RawBytes,
    Structured,
    TimeDelta64,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    VariableLengthBytes,
    VariableLengthUTF8,
    parse_data_type,
)

#: zarr-python calls the data-type base class ``ZDType``.
ZDType = DataType
#: zarr-python's canonical v3 record type is named ``Struct``.
Struct = Structured


def parse_dtype(dtype_spec: object, zarr_format: int = 3) -> DataType:
    """The data type for a numpy dtype, a name or a JSON object, like ``zarr.dtype.parse_dtype``."""
    return parse_data_type(dtype_spec, 2 if zarr_format == 2 else 3)


__all__ = [
    "Bool",
    "Complex64",
    "Complex128",
    "DataType",
    "DateTime64",
    "FixedLengthUTF32",
    "Float16",
    "Float32",
    "Float64",
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "NullTerminatedBytes",
    "RawBytes",
    "Struct",
    "Structured",
    "TimeDelta64",
    "UInt8",
    "UInt16",
    "UInt32",
    "UInt64",
    "VariableLengthBytes",
    "VariableLengthUTF8",
    "ZDType",
    "parse_dtype",
]
