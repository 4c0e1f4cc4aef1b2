"""Booleans, integers, floats and complex numbers."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np

from anyzarr.protocol.dtypes._base import (
    JSON,
    DataType,
    ZarrFormat,
    decode_float,
    encode_float,
)

__all__ = [
    "Bool",
    "Complex64",
    "Complex128",
    "ComplexType",
    "Float16",
    "Float32",
    "Float64",
    "FloatType",
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "IntegerType",
    "NUMERIC_TYPES",
    "UInt8",
    "UInt16",
    "UInt32",
    "UInt64",
]

Endianness = Literal["little", "big"]


def _order_char(endianness: Endianness) -> Literal["<", ">"]:
    return "<" if endianness == "little" else ">"


@functools.cache
def _numeric_dtype(char: str, endianness: Endianness) -> np.dtype[Any]:
    # Opening an array asks its data type for the dtype several times; building
    # one (with a byte order) costs a microsecond each, and there are few of them.
    dt = np.dtype(char)
    return dt.newbyteorder(_order_char(endianness)) if dt.itemsize > 1 else dt


@dataclass(frozen=True)
class _Numeric(DataType):
    """A fixed-size numeric type; ``endianness`` only matters for the v2 name."""

    endianness: Endianness = "little"
    _char: ClassVar[str] = ""

    @property
    def dtype(self) -> np.dtype[Any]:
        return _numeric_dtype(self._char, self.endianness)

    def to_json(self, zarr_format: ZarrFormat) -> JSON:
        return self.v3_name if zarr_format == 3 else self.dtype.str

    def __str__(self) -> str:
        return self.v3_name


@dataclass(frozen=True)
class Bool(_Numeric):
    """The ``bool`` data type."""

    v3_name: ClassVar[str] = "bool"
    _char: ClassVar[str] = "?"

    def cast_value(self, value: object) -> Any:
        if isinstance(value, bool | np.bool_):
            return np.bool_(value)
        if isinstance(value, int | np.integer) and value in (0, 1):
            return np.bool_(bool(value))
        raise self._bad(value, "expected true or false")

    def _encode(self, scalar: Any, zarr_format: ZarrFormat) -> JSON:
        return bool(scalar)

    def _decode(self, value: JSON, zarr_format: ZarrFormat) -> Any:
        # zarr-python 2 wrote 0 and 1 for boolean fill values; zarr-python 3.4
        # reads them (in either format), so refusing them would lose real data.
        if isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
            return np.bool_(bool(value))
        raise self._bad(value, "expected true or false (or 0 / 1)")

    def default_fill_value(self) -> Any:
        return np.bool_(False)


@dataclass(frozen=True)
class IntegerType(_Numeric):
    """Signed and unsigned integers; JSON keeps them exact beyond 2**53."""

    def _to_int(self, value: object) -> int:
        if isinstance(value, bool | np.bool_):
            return int(value)
        if isinstance(value, int | np.integer):
            return int(value)
        if isinstance(value, float | np.floating) and math.isfinite(value) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                pass
        raise self._bad(value, "expected an integer")

    def cast_value(self, value: object) -> Any:
        if type(value) is self.dtype.type:
            return value
        number = self._to_int(value)
        info = np.iinfo(self.dtype)
        if not info.min <= number <= info.max:
            raise self._bad(value, f"outside [{info.min}, {info.max}]")
        return self.dtype.type(number)

    def _encode(self, scalar: Any, zarr_format: ZarrFormat) -> JSON:
        return int(scalar)

    def _decode(self, value: JSON, zarr_format: ZarrFormat) -> Any:
        if isinstance(value, bool | str):
            raise self._bad(value, "expected an integer")
        return self.cast_value(value)

    def default_fill_value(self) -> Any:
        return self.dtype.type(0)


@dataclass(frozen=True)
class FloatType(_Numeric):
    """IEEE floats: NaN and infinities are strings, hex strings give exact bits."""

    def cast_value(self, value: object) -> Any:
        if type(value) is self.dtype.type:
            return value
        if isinstance(value, bool | np.bool_) or not isinstance(
            value, int | float | str | np.integer | np.floating
        ):
            raise self._bad(value, "expected a number")
        if isinstance(value, str):
            return self.dtype.type(decode_float(value, self.dtype.itemsize, self))
        with np.errstate(over="ignore"):
            return self.dtype.type(value)

    def _encode(self, scalar: Any, zarr_format: ZarrFormat) -> JSON:
        return encode_float(float(scalar))

    def _decode(self, value: JSON, zarr_format: ZarrFormat) -> Any:
        number = decode_float(value, self.dtype.itemsize, self)
        if self.dtype.itemsize == 8 or not abs(number) > np.finfo(self.dtype).max:
            return self.dtype.type(number)
        # A float64 number beyond a narrower type's range rounds to infinity,
        # as numpy (and zarr-python) cast it; not a warning turned error.
        with np.errstate(over="ignore"):
            return self.dtype.type(number)

    def default_fill_value(self) -> Any:
        return self.dtype.type(0.0)


@dataclass(frozen=True)
class ComplexType(_Numeric):
    """Complex numbers, stored as a ``[real, imag]`` pair of floats."""

    def cast_value(self, value: object) -> Any:
        if isinstance(value, list | tuple) and len(value) == 2:
            return self._decode(list(value), 3)
        if isinstance(value, bool | np.bool_) or not isinstance(
            value, int | float | complex | np.number
        ):
            raise self._bad(value, "expected a complex number or a [real, imag] pair")
        return self.dtype.type(value)

    def _encode(self, scalar: Any, zarr_format: ZarrFormat) -> JSON:
        return [encode_float(float(scalar.real)), encode_float(float(scalar.imag))]

    def _decode(self, value: JSON, zarr_format: ZarrFormat) -> Any:
        if not isinstance(value, list) or len(value) != 2:
            raise self._bad(value, "expected a [real, imag] pair")
        half = self.dtype.itemsize // 2
        real, imag = (decode_float(part, half, self) for part in value)
        return self.dtype.type(complex(real, imag))

    def default_fill_value(self) -> Any:
        return self.dtype.type(0)


@dataclass(frozen=True)
class Int8(IntegerType):
    """``int8``"""

    v3_name: ClassVar[str] = "int8"
    _char: ClassVar[str] = "i1"


@dataclass(frozen=True)
class Int16(IntegerType):
    """``int16``"""

    v3_name: ClassVar[str] = "int16"
    _char: ClassVar[str] = "i2"


@dataclass(frozen=True)
class Int32(IntegerType):
    """``int32``"""

    v3_name: ClassVar[str] = "int32"
    _char: ClassVar[str] = "i4"


@dataclass(frozen=True)
class Int64(IntegerType):
    """``int64``"""

    v3_name: ClassVar[str] = "int64"
    _char: ClassVar[str] = "i8"


@dataclass(frozen=True)
class UInt8(IntegerType):
    """``uint8``"""

    v3_name: ClassVar[str] = "uint8"
    _char: ClassVar[str] = "u1"


@dataclass(frozen=True)
class UInt16(IntegerType):
    """``uint16``"""

    v3_name: ClassVar[str] = "uint16"
    _char: ClassVar[str] = "u2"


@dataclass(frozen=True)
class UInt32(IntegerType):
    """``uint32``"""

    v3_name: ClassVar[str] = "uint32"
    _char: ClassVar[str] = "u4"


@dataclass(frozen=True)
class UInt64(IntegerType):
    """``uint64``"""

    v3_name: ClassVar[str] = "uint64"
    _char: ClassVar[str] = "u8"


@dataclass(frozen=True)
class Float16(FloatType):
    """``float16``"""

    v3_name: ClassVar[str] = "float16"
    _char: ClassVar[str] = "f2"


@dataclass(frozen=True)
class Float32(FloatType):
    """``float32``"""

    v3_name: ClassVar[str] = "float32"
    _char: ClassVar[str] = "f4"


@dataclass(frozen=True)
class Float64(FloatType):
    """``float64``"""

    v3_name: ClassVar[str] = "float64"
    _char: ClassVar[str] = "f8"


@dataclass(frozen=True)
class Complex64(ComplexType):
    """``complex64``"""

    v3_name: ClassVar[str] = "complex64"
    _char: ClassVar[str] = "c8"


@dataclass(frozen=True)
class Complex128(ComplexType):
    """``complex128``"""

    v3_name: ClassVar[str] = "complex128"
    _char: ClassVar[str] = "c16"


NUMERIC_TYPES: tuple[type[_Numeric], ...] = (
    Bool,
    Int8,
    Int16,
    Int32,
    Int64,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Float16,
    Float32,
    Float64,
    Complex64,
    Complex128,
)
