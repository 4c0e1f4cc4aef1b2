"""Run zarr-python-style codecs (``anyzarr.abc.codec``) in anyzarr's pipeline.

anyzarr's pipeline calls codecs synchronously with numpy arrays and bytes;
zarr-python's codecs are coroutines over ``NDBuffer``/``Buffer`` and an
``ArraySpec``.  :func:`adapt` wraps such a codec into an anyzarr
:class:`~anyzarr.protocol.codecs.Codec` of the same kind, converting the
arguments both ways.  Its work runs, in order of preference:

1. through ``_decode_sync``/``_encode_sync`` when the codec has them
   (zarr-python's ``SupportsSyncCodec``);
2. by stepping the coroutine by hand: a coroutine that never waits for
   anything (the usual case: the work is CPU-bound) completes on its first
   step, with no event loop at all;
3. otherwise (it waits for something only an event loop finishes, such as
   ``asyncio.to_thread``) by the *coroutine runner* the IO layer installs
   (``set_coroutine_runner``): an asyncio loop on a thread of its own.  The
   protocol layer stays free of any event loop; without a runner such a
   codec raises :class:`AsyncCodecError`.

A codec class found to wait is remembered and goes straight to the runner.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping
from math import prod
from typing import Any, ClassVar, Self, cast

import numpy as np
import numpy.typing as npt

from anyzarr.protocol._errors import MetadataValidationError, UsageError
from anyzarr.protocol.buffer import Buffer, NDBuffer
from anyzarr.protocol.codecs import _base
from anyzarr.protocol.codecs._async_codec import (
    ArraySpec,
    ArraySpecConfig,
    BaseCodec,
    supports_sync,
)
from anyzarr.protocol.codecs._base import ChunkSpec, RawBytes

__all__ = [
    "AsyncCodecError",
    "CoroutineRunner",
    "adapt",
    "adapter_class",
    "array_spec",
    "chunk_spec",
    "run_coroutine",
    "set_coroutine_runner",
]

type CoroutineRunner = Callable[[Callable[[], Coroutine[Any, Any, Any]]], Any]


class AsyncCodecError(UsageError, RuntimeError):
    """A zarr-python-style codec needs an event loop and no coroutine runner is installed."""


_runner: CoroutineRunner | None = None
_waiting_classes: set[type] = set()


def set_coroutine_runner(runner: CoroutineRunner | None) -> CoroutineRunner | None:
    """Install the function that runs codec coroutines which wait; returns the old one.

    ``runner(make)`` calls ``make()`` to get a fresh coroutine, runs it to
    completion on an event loop and returns its result (or raises its error).
    """
    global _runner
    previous, _runner = _runner, runner
    return previous


def run_coroutine[T](make: Callable[[], Coroutine[Any, Any, T]], owner: type) -> T:
    """The result of the coroutine ``make()`` makes, for a codec of class ``owner``."""
    if owner not in _waiting_classes:
        coro = make()
        try:
            coro.send(None)
        except StopIteration as done:
            return cast("T", done.value)
        except RuntimeError:
            # asyncio and anyio raise this when asked for a loop there is none of.
            if _runner is None:
                raise
        else:
            coro.close()
        # A set insertion is atomic; two threads racing here add the same class.
        _waiting_classes.add(owner)
    if _runner is None:
        raise AsyncCodecError(
            f"codec {owner.__name__} waits for an event loop; import anyzarr (or "
            "anyzarr.io) to install the coroutine runner, or give the codec "
            "_decode_sync/_encode_sync methods"
        )
    return cast("T", _runner(make))


# -- specs -------------------------------------------------------------------


def array_spec(spec: ChunkSpec) -> ArraySpec:
    """The zarr-python ``ArraySpec`` for an anyzarr chunk spec."""
    from anyzarr.protocol.dtypes import data_type_from_numpy

    config = ArraySpecConfig(order=spec.order, write_empty_chunks=spec.write_empty_chunks)
    return ArraySpec(
        shape=spec.shape,
        dtype=data_type_from_numpy(spec.dtype),
        fill_value=spec.fill_value,
        config=config,
        prototype=spec.prototype,
    )


def chunk_spec(spec: ArraySpec, like: ChunkSpec) -> ChunkSpec:
    """The anyzarr chunk spec for a zarr-python ``ArraySpec`` a codec returned."""
    to_native = getattr(spec.dtype, "to_native_dtype", None)
    dtype = np.dtype(to_native() if callable(to_native) else spec.dtype)
    return ChunkSpec(
        shape=tuple(spec.shape),
        dtype=dtype,
        fill_value=spec.fill_value,
        order=like.order,
        prototype=like.prototype,
        write_empty_chunks=like.write_empty_chunks,
    )


# -- conversions ---------------------------------------------------------------


def _ndbuffer(array: npt.NDArray[Any], spec: ChunkSpec) -> NDBuffer:
    return spec.prototype.nd_buffer.from_numpy_array(array)


def _buffer(data: RawBytes, spec: ChunkSpec) -> Buffer:
    if isinstance(data, Buffer):
        return data
    view = np.frombuffer(memoryview(data).cast("B"), dtype=np.uint8)
    return spec.prototype.buffer.from_array_like(view)


def _raw(buffer: Buffer) -> RawBytes:
    return buffer.as_numpy_array()


def _array(result: Any, spec: ChunkSpec) -> npt.NDArray[Any]:
    if isinstance(result, NDBuffer):
        result = result.as_numpy_array()
    array = np.asarray(result)
    if array.shape != spec.shape and array.size == prod(spec.shape):
        array = array.reshape(spec.shape, order=spec.order)
    return array


# -- driving one chunk -------------------------------------------------------------


def _decode(codec: BaseCodec[Any, Any], data: Any, spec: ArraySpec) -> Any:
    if supports_sync(codec):
        return codec._decode_sync(data, spec)  # type: ignore[attr-defined]

    async def batch() -> Any:
        return next(iter(await codec.decode([(data, spec)])))

    return run_coroutine(batch, type(codec))


def _encode(codec: BaseCodec[Any, Any], data: Any, spec: ArraySpec) -> Any:
    if supports_sync(codec):
        return codec._encode_sync(data, spec)  # type: ignore[attr-defined]

    async def batch() -> Any:
        return next(iter(await codec.encode([(data, spec)])))

    return run_coroutine(batch, type(codec))


# -- the adapters ------------------------------------------------------------------


class _Adapter(_base.Codec):
    """What the three adapter kinds share: the wrapped codec and its document."""

    wrapped_class: ClassVar[type[BaseCodec[Any, Any]]]

    def __init__(self, codec: BaseCodec[Any, Any]) -> None:
        self.codec = codec
        document = codec.to_dict()
        name = document.get("name") if isinstance(document, Mapping) else None
        self.codec_name = name if isinstance(name, str) else type(codec).__name__  # type: ignore[misc]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls(cls.wrapped_class.from_dict(dict(data)))

    def to_dict(self) -> dict[str, Any]:
        return dict(self.codec.to_dict())

    def evolve_from_array_spec(self, spec: ChunkSpec) -> Self:
        evolved = self.codec.evolve_from_array_spec(array_spec(spec))
        return self if evolved is self.codec else type(self)(evolved)

    def validate(self, spec: ChunkSpec) -> None:
        from anyzarr.protocol.metadata import RegularChunkGrid

        aspec = array_spec(spec)
        self.codec.validate(
            shape=spec.shape, dtype=aspec.dtype, chunk_grid=RegularChunkGrid(spec.shape)
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Adapter) and self.codec == other.codec

    def __hash__(self) -> int:
        return hash(repr(self.to_dict()))

    def __repr__(self) -> str:
        return repr(self.codec)


class AsyncArrayArrayAdapter(_Adapter, _base.ArrayArrayCodec):
    """A zarr-python-style array-to-array codec as an anyzarr codec."""

    def resolve_spec(self, spec: ChunkSpec) -> ChunkSpec:
        return chunk_spec(self.codec.resolve_metadata(array_spec(spec)), spec)

    def encode(self, array: npt.NDArray[Any], spec: ChunkSpec) -> npt.NDArray[Any]:
        out = _encode(self.codec, _ndbuffer(array, spec), array_spec(spec))
        return _array(out, self.resolve_spec(spec))

    def decode(self, array: npt.NDArray[Any], spec: ChunkSpec) -> npt.NDArray[Any]:
        encoded = self.resolve_spec(spec)
        return _array(_decode(self.codec, _ndbuffer(array, encoded), array_spec(spec)), spec)


class AsyncArrayBytesAdapter(_Adapter, _base.ArrayBytesCodec):
    """A zarr-python-style array-to-bytes codec as an anyzarr codec."""

    def encode(self, array: npt.NDArray[Any], spec: ChunkSpec) -> RawBytes | None:
        out = _encode(self.codec, _ndbuffer(array, spec), array_spec(spec))
        return None if out is None else _raw(out)

    def decode(self, data: RawBytes, spec: ChunkSpec, key: str) -> npt.NDArray[Any]:
        return _array(_decode(self.codec, _buffer(data, spec), array_spec(spec)), spec)

    def compute_encoded_size(self, spec: ChunkSpec) -> int:
        if not self.codec.is_fixed_size:
            return super().compute_encoded_size(spec)
        return self.codec.compute_encoded_size(
            prod(spec.shape) * spec.dtype.itemsize, array_spec(spec)
        )


class AsyncBytesBytesAdapter(_Adapter, _base.BytesBytesCodec):
    """A zarr-python-style bytes-to-bytes codec as an anyzarr codec."""

    def encode(self, data: RawBytes, spec: ChunkSpec) -> RawBytes:
        out = _encode(self.codec, _buffer(data, spec), array_spec(spec))
        if out is None:
            raise MetadataValidationError(f"codec {self.codec_name!r} encoded a chunk to nothing")
        return _raw(out)

    def decode(self, data: RawBytes, spec: ChunkSpec, key: str) -> RawBytes:
        return _raw(_decode(self.codec, _buffer(data, spec), array_spec(spec)))

    def compute_encoded_size(self, size: int) -> int:
        if not self.codec.is_fixed_size:
            return super().compute_encoded_size(size)
        spec = ArraySpec((size,), _uint8(), 0)
        return self.codec.compute_encoded_size(size, spec)


def _uint8() -> Any:
    from anyzarr.protocol.dtypes import UInt8

    return UInt8()


_KINDS: dict[str, type[_Adapter]] = {
    "ArrayArrayCodec": AsyncArrayArrayAdapter,
    "ArrayBytesCodec": AsyncArrayBytesAdapter,
    "BytesBytesCodec": AsyncBytesBytesAdapter,
}
_classes: dict[type, type[_Adapter]] = {}


def _kind(cls: type) -> type[_Adapter] | None:
    # By name, so that codecs derived from zarr-python's own base classes
    # (installed alongside) are recognised as well as anyzarr.abc.codec's.
    for base in cls.__mro__:
        if base.__name__ in _KINDS and base.__module__.endswith(("abc.codec", "_async_codec")):
            return _KINDS[base.__name__]
    return None


def adapter_class(cls: type[Any]) -> type[_Adapter]:
    """An anyzarr codec class whose ``from_dict`` builds and wraps a ``cls``."""
    found = _classes.get(cls)
    if found is not None:
        return found
    adapter = _kind(cls) if isinstance(cls, type) else None
    if adapter is None:
        raise MetadataValidationError(
            f"{cls!r} is neither an anyzarr codec nor derived from one of zarr's "
            "ArrayArrayCodec, ArrayBytesCodec, BytesBytesCodec"
        )
    made = type(f"{cls.__name__}Adapter", (adapter,), {"wrapped_class": cls})
    _classes[cls] = made
    return made


def adapt(codec: Any) -> _base.Codec:
    """``codec`` (a zarr-python-style codec) as an anyzarr codec."""
    return adapter_class(type(codec))(codec)


def is_async_codec(obj: object) -> bool:
    """Whether ``obj`` is a zarr-python-style codec object."""
    return _kind(type(obj)) is not None


def unwrap(codecs: Iterable[_base.Codec]) -> list[Any]:
    """The codecs as their users know them: zarr-python-style ones unwrapped."""
    return [c.codec if isinstance(c, _Adapter) else c for c in codecs]
