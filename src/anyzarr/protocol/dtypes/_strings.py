"""Text and byte-string data types, fixed and variable length."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np

from anyzarr.protocol.dtypes._base import (
    JSON,
    DataType,
    ZarrFormat,
    decode_base64,
    encode_base64,
)

__all__ = [
    "FixedLengthUTF32",
    "NullTerminatedBytes",
    "RawBytes",
    "VariableLengthBytes",
    "VariableLengthUTF8",
]


@dataclass(frozen=True)
class _VariableLength(DataType):
    """What the variable-length types share: no item size, ``|O`` in v2, and
    the v3 name as their text form."""

    @property
    def item_size(self) -> int | None:
        return None

    def to_json(self, zarr_format: ZarrFormat) -> JSON:
        return self.v3_name if zarr_format == 3 else "|O"

    def __str__(self) -> str:
        return self.v3_name


@dataclass(frozen=True)
class VariableLengthUTF8(_VariableLength):
    """Variable-length UTF-8 text: v3 ``string``, v2 ``|O`` with ``vlen-utf8``.

    In memory it is numpy's ``StringDType``, as in zarr-python 3.4.
    """

    v3_name: ClassVar[str] = "string"
    object_codec_id: ClassVar[str | None] = "vlen-utf8"

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtypes.StringDType()

    def cast_value(self, value: object) -> Any:
        if isinstance(value, str | np.str_):
            return str(value)
        raise self._bad(value, "expected a string")

    def _encode(self, scalar: Any, zarr_format: ZarrFormat) -> JSON:
        return str(scalar)

    def _decode(self, value: JSON, zarr_format: ZarrFormat) -> Any:
        # zarr-python 2 wrote numeric fill values (often 0) for text arrays;
        # zarr-python 3.4 reads them as their decimal text, and so do we.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return self.cast_value(value)

    def default_fill_value(self) -> Any:
        return ""


@dataclass(frozen=True)
class VariableLengthBytes(_VariableLength):
    """Variable-length byte strings: v3 ``variable_length_bytes``, v2 ``|O`` + ``vlen-bytes``."""

    v3_name: ClassVar[str] = "variable_length_bytes"
    object_codec_id: ClassVar[str | None] = "vlen-bytes"

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtype("O")

    def cast_value(self, value: object) -> Any:
        if isinstance(value, bytes | np.bytes_):
            return bytes(value)
        if isinstance(value, str):
            return value.encode("utf-8")
        raise self._bad(value, "expected bytes")

    def _encode(self, scalar: Any, zarr_format: ZarrFormat) -> JSON:
        return encode_base64(scalar)

    def _decode(self, value: JSON, zarr_format: ZarrFormat) -> Any:
        return decode_base64(value, self)

    def default_fill_value(self) -> Any:
        return b""


def _is_number(value: JSON) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number_text(value: int | float) -> str:
    """The text numpy makes of a number stored into a ``U``/``S`` array.

    zarr-python 2 wrote numeric fill values (usually 0) for fixed-length text;
    zarr-python 2.18 read them through numpy, which turns ``0`` into ``"0"``.
    `cast_value` then refuses text too long for the type, where numpy would cut it.
    """
    return str(np.array(value)[()])


@dataclass(frozen=True)
class _FixedLength(DataType):
    """What the fixed-length types share: ``length`` units per element, stored
    in v2 as numpy's type string and in v3 as a byte count."""

    length: int

    def to_json(self, zarr_format: ZarrFormat) -> JSON:
        if zarr_format == 2:
            return self.dtype.str
        return {"name": self.v3_name, "configuration": {"length_bytes": self.dtype.itemsize}}


@dataclass(frozen=True)
class FixedLengthUTF32(_FixedLength):
    """numpy ``U<n>``: ``length`` code points of UTF-32."""

    endianness: Literal["little", "big"] = "little"
    v3_name: ClassVar[str] = "fixed_length_utf32"

    @property
    def dtype(self) -> np.dtype[Any]:
        order = "<" if self.endianness == "little" else ">"
        return np.dtype(f"{order}U{self.length}")

    def cast_value(self, value: object) -> Any:
        if not isinstance(value, str | np.str_):
            raise self._bad(value, "expected a string")
        if len(value) > self.length:
            raise self._bad(value, f"longer than {self.length} characters")
        return np.str_(value)

    def _encode(self, scalar: Any, zarr_format: ZarrFormat) -> JSON:
        return str(scalar)

    def _decode(self, value: JSON, zarr_format: ZarrFormat) -> Any:
        if zarr_format == 2 and _is_number(value):
            return self.cast_value(_number_text(value))
        return self.cast_value(value)

    def default_fill_value(self) -> Any:
        return np.str_("")


@dataclass(frozen=True)
class NullTerminatedBytes(_FixedLength):
    """numpy ``S<n>``: bytes padded with NULs to ``length``."""

    v3_name: ClassVar[str] = "null_terminated_bytes"

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtype(f"S{self.length}")

    def cast_value(self, value: object) -> Any:
        if isinstance(value, str):
            value = value.encode("utf-8")
        if not isinstance(value, bytes | np.bytes_):
            raise self._bad(value, "expected bytes")
        if len(value) > self.length:
            raise self._bad(value, f"longer than {self.length} bytes")
        return np.bytes_(value)

    def _encode(self, scalar: Any, zarr_format: ZarrFormat) -> JSON:
        return encode_base64(bytes(scalar))

    def _decode(self, value: JSON, zarr_format: ZarrFormat) -> Any:
        if zarr_format == 2 and _is_number(value):
            return self.cast_value(_number_text(value).encode("ascii"))
        return self.cast_value(decode_base64(value, self))

    def default_fill_value(self) -> Any:
        return np.bytes_(b"")


@dataclass(frozen=True)
class RawBytes(_FixedLength):
    """numpy ``V<n>``: opaque records of ``length`` bytes."""

    v3_name: ClassVar[str] = "raw_bytes"

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtype(f"V{self.length}")

    def cast_value(self, value: object) -> Any:
        if isinstance(value, np.void) and value.dtype.itemsize == self.length:
            raw = value.tobytes()
        elif isinstance(value, bytes | np.bytes_) and len(value) <= self.length:
            # Shorter bytes are padded with zeros, as numpy (and zarr-python) pad them.
            raw = bytes(value).ljust(self.length, b"\x00")
        else:
            raise self._bad(value, f"expected at most {self.length} bytes")
        return np.void(raw)

    def _encode(self, scalar: Any, zarr_format: ZarrFormat) -> JSON:
        return encode_base64(scalar.tobytes())

    def _decode(self, value: JSON, zarr_format: ZarrFormat) -> Any:
        raw = decode_base64(value, self)
        if len(raw) != self.length:
            # Stored documents hold the whole value; only callers' values are padded.
            raise self._bad(value, f"expected exactly {self.length} bytes")
        return self.cast_value(raw)

    def default_fill_value(self) -> Any:
        return np.void(b"\x00" * self.length)
