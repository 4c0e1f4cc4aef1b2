"""Parse the text of ``anyzarr cat --select`` into a numpy-style selection."""

from __future__ import annotations

from types import EllipsisType

__all__ = ["parse_selection"]

type Item = int | slice | EllipsisType


def _int(text: str, whole: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"selection {whole!r}: {text!r} is not an integer") from None


def parse_selection(text: str) -> tuple[Item, ...]:
    """``"0:10, 5, ..."`` -> ``(slice(0, 10), 5, Ellipsis)``.

    Items are separated by commas; each is an integer, a slice
    ``start:stop[:step]`` (parts may be empty) or ``...``.  An empty text
    selects everything.

    Raises
    ------
    ValueError
        When an item is none of these.
    """
    items: list[Item] = []
    if not text.strip():
        return (Ellipsis,)
    for raw in text.split(","):
        part = raw.strip()
        if part == "...":
            items.append(Ellipsis)
        elif ":" in part:
            pieces = part.split(":")
            if len(pieces) > 3:
                raise ValueError(f"selection {text!r}: {part!r} has more than two colons")
            bounds = [_int(p, text) if p.strip() else None for p in pieces]
            items.append(slice(*bounds))
        elif part:
            items.append(_int(part, text))
        else:
            raise ValueError(f"selection {text!r} has an empty item")
    return tuple(items)
