"""The printable summary returned by ``AsyncGroup.info``."""

from __future__ import annotations

import dataclasses
from typing import Literal

__all__ = ["GroupInfo"]


@dataclasses.dataclass(kw_only=True, frozen=True, slots=True)
class GroupInfo:
    """Static facts about a group and, when known, counts of its members."""

    _name: str
    _type: Literal["Group"] = "Group"
    _zarr_format: int
    _read_only: bool
    _store_type: str
    _count_members: int | None = None
    _count_arrays: int | None = None
    _count_groups: int | None = None

    def __repr__(self) -> str:
        rows = [
            ("Name", self._name),
            ("Type", self._type),
            ("Zarr format", str(self._zarr_format)),
            ("Read-only", str(self._read_only)),
            ("Store type", self._store_type),
        ]
        for label, count in (
            ("No. members", self._count_members),
            ("No. arrays", self._count_arrays),
            ("No. groups", self._count_groups),
        ):
            if count is not None:
                rows.append((label, str(count)))
        return "\n".join(f"{label:<12}: {value}" for label, value in rows)
