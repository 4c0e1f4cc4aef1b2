"""The numcodecs codec interface as a protocol (``zarr.abc.numcodec``)."""

from __future__ import annotations

from typing import Any, Protocol, Self, TypeGuard

__all__ = ["Numcodec"]


class Numcodec(Protocol):
    """What ``numcodecs.abc.Codec`` offers: Zarr v2 filters and compressors."""

    codec_id: str

    def encode(self, buf: Any) -> Any:
        """Encode ``buf``."""
        ...

    def decode(self, buf: Any, out: Any | None = None) -> Any:
        """Decode ``buf`` (into ``out`` when given, which must be exactly the right size)."""
        ...

    def get_config(self) -> Any:
        """The codec's JSON configuration, with its ``"id"``."""
        ...

    @classmethod
    def from_config(cls, config: Any) -> Self:
        """The codec for a configuration made by ``get_config``."""
        ...


def _is_numcodec_cls(obj: object) -> TypeGuard[type[Numcodec]]:
    # runtime_checkable protocols cannot check attributes with issubclass.
    return (
        isinstance(obj, type)
        and isinstance(getattr(obj, "codec_id", None), str)
        and all(
            callable(getattr(obj, name, None))
            for name in ("encode", "decode", "get_config", "from_config")
        )
    )


def _is_numcodec(obj: object) -> TypeGuard[Numcodec]:
    return _is_numcodec_cls(type(obj))
