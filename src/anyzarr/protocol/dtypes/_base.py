"""The `DataType` base class and the JSON helpers its subclasses share.

A `DataType` ties one numpy dtype to its Zarr names: the v3 ``data_type``
value and the v2 ``dtype`` string (plus, for ``|O``, the object codec that
gives the bytes meaning).  It also owns the fill-value encoding, because the
JSON form of a scalar depends only on its data type.
"""

from __future__ import annotations

import base64
import binascii
import math
import struct
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np

from anyzarr.protocol._errors import MetadataValidationError

__all__ = ["JSON", "DataType", "ZarrFormat"]

JSON = Any
"""A value that msgspec or the json module can encode."""

ZarrFormat = Literal[2, 3]


def _check_format(zarr_format: object) -> None:
    if zarr_format not in (2, 3):
        raise MetadataValidationError(f"zarr_format must be 2 or 3, got {zarr_format!r}")


@dataclass(frozen=True)
class DataType(ABC):
    """One Zarr data type, bound to the numpy dtype that holds its values.

    Subclasses are frozen dataclasses, so data types compare and hash by value.
    """

    #: the v3 ``data_type`` name (``"int32"``, ``"string"``, ...)
    v3_name: ClassVar[str] = ""
    #: numcodecs id of the codec that stores ``|O`` values in v2, if any
    object_codec_id: ClassVar[str | None] = None

    @property
    @abstractmethod
    def dtype(self) -> np.dtype[Any]:
        """The numpy dtype arrays of this data type use in memory."""

    @property
    def item_size(self) -> int | None:
        """Bytes per element, or None for variable-length types."""
        return int(self.dtype.itemsize)

    @abstractmethod
    def to_json(self, zarr_format: ZarrFormat) -> JSON:
        """The value of the ``data_type`` (v3) or ``dtype`` (v2) metadata field."""

    @abstractmethod
    def cast_value(self, value: object) -> Any:
        """Convert a user value to this type's scalar; MetadataValidationError if impossible."""

    @abstractmethod
    def _encode(self, scalar: Any, zarr_format: ZarrFormat) -> JSON:
        """Encode a scalar already produced by `cast_value`."""

    @abstractmethod
    def _decode(self, value: JSON, zarr_format: ZarrFormat) -> Any:
        """Decode a JSON fill value (never None)."""

    @abstractmethod
    def default_fill_value(self) -> Any:
        """The fill value zarr-python 3.4 uses when the user gives none."""

    # -- the public fill-value API --------------------------------------------------

    def encode_fill_value(self, value: object, zarr_format: ZarrFormat) -> JSON:
        """Encode a fill value as the JSON metadata stores it (v2 keeps None as null)."""
        _check_format(zarr_format)
        if value is None:
            if zarr_format == 2:
                return None
            raise MetadataValidationError(f"fill_value: null is not allowed for {self} in Zarr v3")
        return self._encode(self.cast_value(value), zarr_format)

    def decode_fill_value(self, value: JSON, zarr_format: ZarrFormat) -> Any:
        """Decode a JSON fill value; v2 null decodes to None."""
        _check_format(zarr_format)
        if value is None:
            if zarr_format == 2:
                return None
            raise MetadataValidationError(f"fill_value: null is not allowed for {self} in Zarr v3")
        return self._decode(value, zarr_format)

    # -- construction through the registry ----------------------------------------

    @classmethod
    def from_numpy(cls, dtype: object) -> DataType:
        """The data type for a numpy dtype (or anything ``numpy.dtype`` accepts)."""
        from anyzarr.protocol.dtypes._registry import data_type_from_numpy

        return data_type_from_numpy(dtype)

    @classmethod
    def from_json(
        cls, obj: JSON, zarr_format: ZarrFormat, object_codec_id: str | None = None
    ) -> DataType:
        """The data type a metadata document names."""
        from anyzarr.protocol.dtypes._registry import data_type_from_json

        return data_type_from_json(obj, zarr_format, object_codec_id=object_codec_id)

    # -- zarr-python's ``ZDType`` names -------------------------------------------

    def to_native_dtype(self) -> np.dtype[Any]:
        """The numpy dtype (``ZDType.to_native_dtype``); same as :attr:`dtype`."""
        return self.dtype

    @classmethod
    def from_native_dtype(cls, dtype: object) -> DataType:
        """The data type for a numpy dtype (``ZDType.from_native_dtype``).

        Called on a concrete class, the dtype must belong to that class
        (``DataTypeValidationError`` otherwise), as in zarr-python.
        """
        from anyzarr.protocol._errors import DataTypeValidationError

        try:
            found = cls.from_numpy(dtype)
        except MetadataValidationError as exc:
            raise DataTypeValidationError(str(exc)) from exc
        if cls is not DataType and not isinstance(found, cls):
            raise DataTypeValidationError(
                f"Invalid data type: {dtype!r} is not a data type of {cls.__name__}"
            )
        return found

    def default_scalar(self) -> Any:
        """The default fill value (``ZDType.default_scalar``)."""
        return self.default_fill_value()

    def cast_scalar(self, data: object) -> Any:
        """``data`` as a scalar of this type (``ZDType.cast_scalar``)."""
        return self.cast_value(data)

    def to_json_scalar(self, data: object, *, zarr_format: ZarrFormat) -> JSON:
        """A scalar as metadata JSON (``ZDType.to_json_scalar``)."""
        return self.encode_fill_value(data, zarr_format)

    def from_json_scalar(self, data: JSON, *, zarr_format: ZarrFormat) -> Any:
        """A scalar from metadata JSON (``ZDType.from_json_scalar``)."""
        return self.decode_fill_value(data, zarr_format)

    def __str__(self) -> str:
        return f"{type(self).__name__}({self.dtype})"

    def _bad(self, value: object, why: str = "") -> MetadataValidationError:
        extra = f": {why}" if why else ""
        return MetadataValidationError(f"fill_value: {value!r} is not valid for {self}{extra}")


# -- shared encoders ----------------------------------------------------------------

_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_HEX_FORMATS = {2: "<e", 4: "<f", 8: "<d"}


def encode_float(value: float) -> JSON:
    """A float as Zarr JSON: special values become strings."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float(value)


def decode_float(value: JSON, width: int, owner: DataType) -> float:
    """A Zarr JSON float: a number, a special-value string, or hex bits of ``width`` bytes."""
    if isinstance(value, bool):
        raise owner._bad(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        if value in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[value]
        if value.startswith("0x"):
            digits = value[2:]
            if len(digits) != 2 * width:
                raise owner._bad(value, f"hex floats need {2 * width} digits")
            try:
                raw = int(digits, 16).to_bytes(width, "little")
            except ValueError as exc:
                raise owner._bad(value, "not hexadecimal") from exc
            return float(struct.unpack(_HEX_FORMATS[width], raw)[0])
    raise owner._bad(value)


def encode_base64(raw: bytes) -> str:
    return base64.standard_b64encode(raw).decode("ascii")


def decode_base64(value: JSON, owner: DataType) -> bytes:
    if not isinstance(value, str):
        raise owner._bad(value, "expected a base64 string")
    try:
        return base64.standard_b64decode(value.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise owner._bad(value, "not valid base64") from exc
