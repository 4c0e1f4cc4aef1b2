"""numpy ``datetime64`` and ``timedelta64`` with any unit and scale factor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np

from anyzarr.protocol._errors import MetadataValidationError
from anyzarr.protocol.dtypes._base import JSON, DataType, ZarrFormat

__all__ = ["DateTime64", "TimeDelta64", "TIME_UNITS"]

TIME_UNITS = (
    "Y",
    "M",
    "W",
    "D",
    "h",
    "m",
    "s",
    "ms",
    "us",
    "μs",
    "ns",
    "ps",
    "fs",
    "as",
    "generic",
)
_NAT = int(np.iinfo(np.int64).min)


@dataclass(frozen=True)
class _Time(DataType):
    unit: str = "generic"
    scale_factor: int = 1
    endianness: Literal["little", "big"] = "little"
    _char: ClassVar[str] = ""

    def __post_init__(self) -> None:
        if self.unit not in TIME_UNITS:
            raise MetadataValidationError(
                f"data_type: unknown {self.v3_name} unit {self.unit!r}; expected one of {TIME_UNITS}"
            )
        if isinstance(self.scale_factor, bool) or not isinstance(self.scale_factor, int):
            raise MetadataValidationError(
                f"data_type: {self.v3_name} scale_factor must be an integer, got {self.scale_factor!r}"
            )
        if not 1 <= self.scale_factor < 2**31:
            raise MetadataValidationError(
                f"data_type: {self.v3_name} scale_factor {self.scale_factor} is out of range"
            )

    @property
    def dtype(self) -> np.dtype[Any]:
        order = "<" if self.endianness == "little" else ">"
        if self.unit == "generic" and self.scale_factor == 1:
            return np.dtype(f"{order}{self._char}8")
        scale = "" if self.scale_factor == 1 else str(self.scale_factor)
        return np.dtype(f"{order}{self._char}8[{scale}{self.unit}]")

    def to_json(self, zarr_format: ZarrFormat) -> JSON:
        if zarr_format == 2:
            if self.unit == "generic" and self.scale_factor != 1:
                # numpy's dtype.str drops a generic unit's scale ("<m8").
                order = "<" if self.endianness == "little" else ">"
                return f"{order}{self._char}8[{self.scale_factor}generic]"
            return self.dtype.str
        return {
            "name": self.v3_name,
            "configuration": {"unit": self.unit, "scale_factor": self.scale_factor},
        }

    def _from_int(self, count: int) -> Any:
        # A view of the int64 count works for every unit, including "generic",
        # whose scalar constructors numpy deprecates.  The view must be of the
        # native-order dtype: viewing native int64 bytes as ">m8" would swap them.
        return np.array(count, dtype=np.int64).view(self.dtype.newbyteorder("="))[()]

    def cast_value(self, value: object) -> Any:
        if isinstance(value, bool | np.bool_):
            raise self._bad(value, "expected an integer count or NaT")
        if isinstance(value, str) and value == "NaT":
            return self._from_int(_NAT)
        # Checked before integers: numpy's timedelta64 is an integer subclass.
        if isinstance(value, np.datetime64 | np.timedelta64):
            if np.isnat(value):
                return self._from_int(_NAT)
            try:
                return value.astype(self.dtype)
            except TypeError as exc:
                raise self._bad(value, str(exc)) from exc
        if isinstance(value, int | np.integer):
            if not _NAT <= int(value) < 2**63:
                raise self._bad(value, "outside the int64 range")
            return self._from_int(int(value))
        if isinstance(value, str):
            try:
                return np.array(value, dtype=self.dtype)[()]
            except ValueError as exc:
                raise self._bad(value, str(exc)) from exc
        raise self._bad(value, "expected an integer count or NaT")

    def _encode(self, scalar: Any, zarr_format: ZarrFormat) -> JSON:
        native = np.asarray(scalar).astype(self.dtype.newbyteorder("="))
        return int(native.view(np.int64))

    def _decode(self, value: JSON, zarr_format: ZarrFormat) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return self.cast_value(value)
        if value == "NaT":
            return self._from_int(_NAT)
        raise self._bad(value, "expected an integer count or NaT")

    def default_fill_value(self) -> Any:
        return self._from_int(_NAT)

    def __str__(self) -> str:
        return f"{self.v3_name}[{self.scale_factor}{self.unit}]"


@dataclass(frozen=True)
class DateTime64(_Time):
    """``numpy.datetime64``: int64 counts of ``scale_factor * unit`` since the epoch."""

    v3_name: ClassVar[str] = "numpy.datetime64"
    _char: ClassVar[str] = "M"


@dataclass(frozen=True)
class TimeDelta64(_Time):
    """``numpy.timedelta64``: int64 counts of ``scale_factor * unit``."""

    v3_name: ClassVar[str] = "numpy.timedelta64"
    _char: ClassVar[str] = "m"
