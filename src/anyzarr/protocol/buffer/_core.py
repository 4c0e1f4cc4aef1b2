"""Device-neutral buffer classes.

A ``Buffer`` wraps a 1-D ``uint8`` array (stored bytes); an ``NDBuffer`` wraps
an N-D array of any dtype (decoded chunk data).  Both hold an array from some
array library (numpy for ``cpu``, cupy for ``gpu``) and only call methods that
numpy and cupy share, so the subclasses need to override little more than how
to build a new array and how to copy back to host memory.
"""

from __future__ import annotations

import sys
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any, Literal, NamedTuple, Protocol, Self, SupportsIndex, runtime_checkable

import numpy as np
import numpy.typing as npt

__all__ = [
    "ArrayLike",
    "Buffer",
    "BufferPrototype",
    "BytesLike",
    "NDArrayLike",
    "NDBuffer",
    "array_all_equal",
    "detached",
]

BytesLike = bytes | bytearray | memoryview


@runtime_checkable
class ArrayLike(Protocol):
    """The part of the numpy/cupy array interface a ``Buffer`` relies on."""

    @property
    def dtype(self) -> np.dtype[Any]: ...

    @property
    def ndim(self) -> int: ...

    @property
    def size(self) -> int: ...

    def __len__(self) -> int: ...

    def __getitem__(self, key: Any) -> Any: ...

    def __setitem__(self, key: Any, value: Any) -> None: ...


@runtime_checkable
class NDArrayLike(Protocol):
    """The part of the numpy/cupy array interface an ``NDBuffer`` relies on."""

    @property
    def dtype(self) -> np.dtype[Any]: ...

    @property
    def ndim(self) -> int: ...

    @property
    def size(self) -> int: ...

    @property
    def shape(self) -> tuple[int, ...]: ...

    def __len__(self) -> int: ...

    def __getitem__(self, key: Any) -> Any: ...

    def __setitem__(self, key: Any, value: Any) -> None: ...

    def reshape(self, *args: Any, **kwargs: Any) -> Any: ...

    def astype(self, *args: Any, **kwargs: Any) -> Any: ...

    def transpose(self, *args: Any, **kwargs: Any) -> Any: ...

    def copy(self, *args: Any, **kwargs: Any) -> Any: ...


class Buffer(ABC):
    """A contiguous run of bytes in host or device memory.

    Construct it from a 1-D ``uint8`` array; the buffer shares that memory.
    """

    __slots__ = ("_data",)

    def __init__(self, array_like: Any) -> None:
        if getattr(array_like, "ndim", None) != 1:
            raise ValueError(
                f"a Buffer wraps a 1-D array, got ndim={getattr(array_like, 'ndim', None)}"
            )
        if array_like.dtype != np.dtype("B"):
            raise ValueError(f"a Buffer wraps a uint8 array, got dtype {array_like.dtype}")
        self._data: Any = array_like

    # -- construction -------------------------------------------------------

    @classmethod
    @abstractmethod
    def create_zero_length(cls) -> Self:
        """An empty buffer."""

    @classmethod
    def from_array_like(cls, array_like: Any) -> Self:
        """Wrap a 1-D ``uint8`` array without copying."""
        return cls(array_like)

    @classmethod
    @abstractmethod
    def from_bytes(cls, bytes_like: BytesLike) -> Self:
        """A buffer holding ``bytes_like`` (a copy only where the device needs one)."""

    @classmethod
    def from_buffer(cls, buffer: Buffer) -> Self:
        """The same bytes as ``buffer``, in this class's memory kind."""
        return cls.from_array_like(buffer.as_array_like())

    # -- views --------------------------------------------------------------

    def as_array_like(self) -> Any:
        """The wrapped 1-D array (never a copy)."""
        return self._data

    @abstractmethod
    def as_numpy_array(self) -> npt.NDArray[Any]:
        """The bytes as a host numpy ``uint8`` array (a copy for device memory)."""

    def as_buffer_like(self) -> BytesLike:
        """An object supporting the buffer protocol, for codecs that take bytes."""
        return memoryview(self.as_numpy_array())

    def to_bytes(self) -> bytes:
        """A ``bytes`` copy of the contents."""
        return bytes(self.as_numpy_array())

    # -- sequence behaviour -------------------------------------------------

    def __getitem__(self, key: slice) -> Self:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError(f"a Buffer only supports contiguous slices, got {key!r}")
        return self.__class__(self._data.__getitem__(key))

    def __setitem__(self, key: slice, value: Any) -> None:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError(f"a Buffer only supports contiguous slices, got {key!r}")
        self._data.__setitem__(key, value)

    def __len__(self) -> int:
        return int(self._data.size)

    def combine(self, others: Iterable[Buffer]) -> Self:
        """This buffer followed by ``others``, as one new buffer."""
        parts = [self.as_array_like(), *(o.as_array_like() for o in others)]
        return self.__class__(self._concatenate(parts))

    def _concatenate(self, parts: Sequence[Any]) -> Any:
        return np.concatenate([np.asarray(p) for p in parts])

    def __add__(self, other: Buffer) -> Self:
        return self.combine([other])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Buffer):
            theirs = other.as_numpy_array()
        elif isinstance(other, bytes | bytearray | memoryview):
            theirs = np.frombuffer(other, dtype="B")
        else:
            return False
        mine = self.as_numpy_array()
        return bool(mine.size == theirs.size and np.array_equal(mine, theirs))

    __hash__ = None  # type: ignore[assignment]  # mutable, like bytearray

    def __repr__(self) -> str:
        return f"{self.__class__.__module__}.{self.__class__.__name__}(<{len(self)} bytes>)"


def detached(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``array``, or a copy of it when its memory may be reused by someone else.

    Decompressors return new ``bytes`` objects, which never change; any
    other memory under a decoded array may be the fetched bytes themselves
    (a driver's reused scratch area, for uncompressed data), which an array
    kept beyond one read must not be.
    """
    root: object = array
    # Codecs view bytes through memoryviews (``np.frombuffer(memoryview(b))``):
    # look through those as well as through array bases.
    while True:
        if isinstance(root, np.ndarray) and root.base is not None:
            root = root.base
        elif isinstance(root, memoryview):
            root = root.obj
        else:
            break
    return array if isinstance(root, bytes) else array.copy()


def _zeros_equal(data: Any, zero: Any) -> bool:
    # -0.0 is not 0.0 (zarr-python #3144): a chunk of -0.0 under a 0.0 fill
    # value must be stored, so zeros are compared bit for bit.  As unsigned
    # integers of the item's width that is one vectorised compare (a void
    # view compares item by item: 0.9 ms against 0.1 ms for 1 MiB).
    expected = np.asarray(zero, dtype=data.dtype)
    width = data.dtype.itemsize
    if width in (1, 2, 4, 8):
        as_int = np.dtype(f"u{width}")
        bits = data if data.flags.c_contiguous else np.ascontiguousarray(data)
        return bool((bits.view(as_int) == expected.view(as_int)).all())
    void = f"V{width}"
    return bool((data.view(void) == expected.view(void)).all())


def array_all_equal(data: Any, other: Any, equal_nan: bool) -> bool:
    """Whether every element of ``data`` equals ``other`` (array or scalar).

    Used to spot chunks that hold only the fill value, so it must be cheap
    for a scalar ``other`` and treat NaN as equal to NaN when asked.
    """
    if other is None:
        return False
    kind = data.dtype.kind
    if (
        kind in "biuf"
        and type(data) is np.ndarray
        and data.size
        and isinstance(other, int | float | np.number | np.bool_)
    ):
        # Chunks are rarely all fill: one element usually settles it without
        # comparing (and allocating a mask for) the whole chunk.
        first = data[(0,) * data.ndim]
        if first == first and first != other:  # NaN decides nothing here
            return False
    if kind in "fc" and equal_nan:
        other_arr = np.asarray(other)
        if other_arr.ndim == 0 and other_arr.dtype.kind in "fc":
            value = other_arr[()]
            if value == 0:
                return _zeros_equal(data, value)
            if kind == "c" or other_arr.dtype.kind == "c":
                return bool(
                    np.array_equal(
                        data, np.broadcast_to(np.asarray(value, data.dtype), data.shape), True
                    )
                )
            if np.isnan(value):
                return bool(np.isnan(data).all())
            return bool((data == value).all())
        return bool(np.array_equal(data, np.broadcast_to(other, data.shape), equal_nan=True))
    if kind in "mM":
        # NaT never equals NaT under ==; comparing the raw integers treats it as a value.
        try:
            target = np.asarray(other, dtype=data.dtype)
        except (TypeError, ValueError):
            return False
        return bool((data.view("i8") == target.view("i8")).all())
    if kind == "V":
        other_arr = np.asarray(other, dtype=data.dtype)
        return bool((data == other_arr).all())
    try:
        result = data == other
    except (TypeError, ValueError):
        return False
    if isinstance(result, bool):
        return result
    return bool(np.asarray(result).all())


class NDBuffer(ABC):
    """An N-dimensional array of decoded chunk data in host or device memory."""

    __slots__ = ("_data",)

    def __init__(self, array: Any) -> None:
        self._data: Any = array

    # -- construction -------------------------------------------------------

    @classmethod
    @abstractmethod
    def create(
        cls,
        *,
        shape: Iterable[int],
        dtype: npt.DTypeLike,
        order: Literal["C", "F"] = "C",
        fill_value: Any | None = None,
    ) -> Self:
        """A new buffer of ``shape``, filled with ``fill_value`` when it is not None."""

    @classmethod
    def empty(
        cls, shape: tuple[int, ...], dtype: npt.DTypeLike, order: Literal["C", "F"] = "C"
    ) -> Self:
        """A new buffer with uninitialised contents (fastest to allocate)."""
        return cls.create(shape=shape, dtype=dtype, order=order)

    @classmethod
    def from_ndarray_like(cls, ndarray_like: Any) -> Self:
        """Wrap an array of this buffer's library without copying."""
        return cls(ndarray_like)

    @classmethod
    @abstractmethod
    def from_numpy_array(cls, array_like: npt.ArrayLike) -> Self:
        """A buffer holding ``array_like`` (moved to the device if needed)."""

    # -- views --------------------------------------------------------------

    def as_ndarray_like(self) -> Any:
        """The wrapped array (never a copy)."""
        return self._data

    @abstractmethod
    def as_numpy_array(self) -> npt.NDArray[Any]:
        """The data as a host numpy array (a copy for device memory)."""

    def as_scalar(self) -> Any:
        """The single element of a size-1 buffer."""
        if self._data.size != 1:
            raise ValueError(
                f"Buffer does not contain a single scalar value (it holds {self._data.size})"
            )
        return self.as_numpy_array().reshape(-1)[0]

    @property
    def dtype(self) -> np.dtype[Any]:
        dtype: np.dtype[Any] = np.dtype(self._data.dtype)
        return dtype

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(int(n) for n in self._data.shape)

    @property
    def byteorder(self) -> Literal["little", "big"]:
        """The byte order of the elements (native order for single-byte types)."""
        order = self.dtype.byteorder
        if order == "<":
            return "little"
        if order == ">":
            return "big"
        return "little" if sys.byteorder == "little" else "big"

    # -- transforms (each returns a new buffer, sharing memory where numpy does) --

    def reshape(self, newshape: tuple[int, ...] | Literal[-1]) -> Self:
        return self.__class__(self._data.reshape(newshape))

    def squeeze(self, axis: tuple[int, ...]) -> Self:
        return self.__class__(self._data.squeeze(axis=axis))

    def astype(self, dtype: npt.DTypeLike, order: Literal["K", "A", "C", "F"] = "K") -> Self:
        return self.__class__(self._data.astype(dtype=dtype, order=order))

    def transpose(self, axes: SupportsIndex | Sequence[SupportsIndex] | None) -> Self:
        return self.__class__(self._data.transpose(axes))

    def copy(self) -> Self:
        return self.__class__(self._data.copy())

    def fill(self, value: Any) -> None:
        """Set every element to ``value``."""
        self._data.fill(value)

    def all_equal(self, other: Any, equal_nan: bool = True) -> bool:
        """Whether every element equals ``other`` (NaN equals NaN when ``equal_nan``)."""
        if isinstance(other, NDBuffer):
            other = other.as_ndarray_like()
        return array_all_equal(self._data, other, equal_nan)

    def __getitem__(self, key: Any) -> Self:
        result = self._data.__getitem__(key)
        if not hasattr(result, "ndim") or not isinstance(result, type(self._data)):
            # numpy hands back a bare scalar (a copy) for a full integer index;
            # indexing with a trailing ``...`` gives a 0-d view instead.
            keys = key if isinstance(key, tuple) else (key,)
            result = self._data.__getitem__((*keys, Ellipsis))
        return self.__class__(result)

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(value, NDBuffer):
            value = value._data
        self._data.__setitem__(key, value)

    def __len__(self) -> int:
        return int(self._data.__len__())

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__module__}.{self.__class__.__name__}"
            f"(shape={self.shape}, dtype={self.dtype})"
        )


class BufferPrototype(NamedTuple):
    """The pair of buffer classes to use when new buffers must be made.

    Callers pass a prototype to say where data should live (host or device);
    it is a plain tuple of two classes, so it pickles.
    """

    buffer: type[Buffer]
    nd_buffer: type[NDBuffer]
