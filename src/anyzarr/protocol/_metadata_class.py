"""The metadata base class zarr-python's codecs derive from (``zarr.abc.metadata``).

zarr-python's codecs and other metadata objects are frozen dataclasses that
turn into JSON with ``to_dict`` and back with ``from_dict``; third-party
codecs written against ``zarr.abc.codec`` inherit this behaviour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any, Self

__all__ = ["Metadata"]


@dataclass(frozen=True)
class Metadata:
    """A frozen dataclass that converts to and from a JSON-like dict."""

    def to_dict(self) -> dict[str, Any]:
        """The dataclass's fields as a dict; nested ``Metadata`` (and sequences of it) converted too."""
        out: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, Metadata):
                out[item.name] = value.to_dict()
            elif isinstance(value, str):
                out[item.name] = value
            elif isinstance(value, Sequence):
                out[item.name] = tuple(v.to_dict() if isinstance(v, Metadata) else v for v in value)
            else:
                out[item.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """An instance whose fields are the items of ``data``."""
        return cls(**data)
