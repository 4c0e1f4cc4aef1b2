"""Terminal output with rich: tables, trees and the transfer progress bar.

Everything here renders the plain dicts of :mod:`anyzarr.cli._describe` or a
:class:`~anyzarr.TransferProgress`; nothing here does IO of its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table
from rich.tree import Tree

from anyzarr.api._array_info import human_bytes
from anyzarr.api._progress import TransferProgress

__all__ = [
    "ProgressBar",
    "err_console",
    "out_console",
    "print_json",
    "render_facts",
    "render_members",
    "render_tree",
]

out_console = Console()
err_console = Console(stderr=True)


def print_json(data: Any) -> None:
    """``data`` as indented JSON on stdout (plain text: no colour, no wrapping)."""
    print(json.dumps(data, indent=2))


def _size(value: int | None) -> str:
    return "unknown" if value is None else human_bytes(value)


def _codecs(codecs: list[Any]) -> str:
    if not codecs:
        return "none"
    return ", ".join(json.dumps(c) if not isinstance(c, str) else c for c in codecs)


def _add(table: Table, name: str, value: str) -> None:
    # Values come from the store (attributes, codec settings): never markup.
    table.add_row(name, escape(value))


def render_facts(facts: dict[str, Any], where: str) -> None:
    """A two-column table of an array's or a group's facts."""
    title = f"{facts['node_type']} {escape(where)}"
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("field", style="bold cyan", no_wrap=True)
    table.add_column("value", overflow="fold")
    _add(table, "Zarr format", str(facts["zarr_format"]))
    if facts["node_type"] == "array":
        _add(table, "shape", str(tuple(facts["shape"])))
        _add(table, "dtype", facts["dtype"])
        _add(table, "chunks", str(tuple(facts["chunks"])))
        shards = facts["shards"]
        _add(table, "shards", "none" if shards is None else str(tuple(shards)))
        _add(table, "fill value", json.dumps(facts["fill_value"]))
        _add(table, "order", facts["order"])
        _add(table, "filters", _codecs(facts["filters"]))
        if facts["serializer"] is not None:
            _add(table, "serializer", _codecs([facts["serializer"]]))
        _add(table, "compressors", _codecs(facts["compressors"]))
        _add(table, "uncompressed", _size(facts["bytes_uncompressed"]))
        _add(table, "stored", _size(facts["bytes_stored"]))
        ratio = facts["compression_ratio"]
        _add(table, "ratio", "unknown" if ratio is None else f"{ratio:.2f}")
        stored = facts["chunks_stored"]
        label = "shards stored" if shards is not None else "chunks stored"
        count = "unknown" if stored is None else str(stored)
        _add(table, label, f"{count} of {facts['chunks_total']}")
    else:
        _add(table, "arrays", str(facts["arrays"]))
        _add(table, "groups", str(facts["groups"]))
        _add(table, "consolidated", "yes" if facts["consolidated"] else "no")
        _add(table, "uncompressed", _size(facts["bytes_uncompressed"]))
        _add(table, "stored", _size(facts["bytes_stored"]))
    if facts["attributes"]:
        _add(table, "attributes", json.dumps(facts["attributes"]))
    out_console.print(table)


def _label(row: dict[str, Any]) -> str:
    if row["node_type"] == "group":
        return f"[bold blue]{escape(row['name'])}[/]"
    shape = " x ".join(str(n) for n in row["shape"]) or "scalar"
    return f"[green]{escape(row['name'])}[/] ({shape}) {row['dtype']}"


def render_tree(facts: dict[str, Any]) -> None:
    """The nested dicts of ``tree_facts`` as a rich tree."""

    def add(parent: Tree, row: dict[str, Any]) -> None:
        for child in row.get("children", []):
            add(parent.add(_label(child)), child)

    root = Tree(_label(facts))
    add(root, facts)
    out_console.print(root)


def render_members(rows: list[dict[str, Any]]) -> None:
    """One table row per member."""
    table = Table()
    for column in ("name", "type", "shape", "dtype", "chunks", "shards"):
        table.add_column(column)
    for row in rows:
        if row["node_type"] == "group":
            table.add_row(f"[bold blue]{escape(row['name'])}/[/]", "group", "", "", "", "")
            continue
        shards = row["shards"]
        table.add_row(
            row["name"],
            "array",
            str(tuple(row["shape"])),
            row["dtype"],
            str(tuple(row["chunks"])),
            "" if shards is None else str(tuple(shards)),
        )
    out_console.print(table)


class ProgressBar:
    """A rich progress bar fed by a ``progress=`` callback.

    The bar measures bytes when their total is known (with the chunk count
    beside it), else chunks.  It draws only on a terminal; elsewhere it stays
    silent so piped output is clean.
    """

    def __init__(self, description: str, *, enabled: bool) -> None:
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            DownloadColumn(binary_units=True),
            TextColumn("{task.fields[chunks]}"),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=err_console,
            disable=not enabled,
            transient=False,
        )
        self._task: TaskID = self._progress.add_task(description, total=None, chunks="")

    def update(self, state: TransferProgress) -> None:
        """Show ``state`` (the callback handed to the copy or conversion)."""
        total_chunks = "?" if state.chunks_total is None else str(state.chunks_total)
        chunks = f"{state.chunks_done}/{total_chunks} chunks"
        if state.chunks_skipped:
            chunks += f" ({state.chunks_skipped} already there)"
        if state.bytes_total is not None:
            self._progress.update(
                self._task, completed=state.bytes_done, total=state.bytes_total, chunks=chunks
            )
        else:
            self._progress.update(self._task, completed=state.bytes_done, chunks=chunks)

    @contextmanager
    def shown(self) -> Iterator[ProgressBar]:
        """Draw the bar while the block runs."""
        with self._progress:
            yield self
