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


def render_facts(facts: dict[str, Any], where: str) -> None:
    """A two-column table of an array's or a group's facts."""
    table = Table(title=f"{facts['node_type']} {where}", show_header=False, title_justify="left")
    table.add_column("field", style="bold cyan", no_wrap=True)
    table.add_column("value", overflow="fold")
    table.add_row("Zarr format", str(facts["zarr_format"]))
    if facts["node_type"] == "array":
        table.add_row("shape", str(tuple(facts["shape"])))
        table.add_row("dtype", facts["dtype"])
        table.add_row("chunks", str(tuple(facts["chunks"])))
        shards = facts["shards"]
        table.add_row("shards", "none" if shards is None else str(tuple(shards)))
        table.add_row("fill value", json.dumps(facts["fill_value"]))
        table.add_row("order", facts["order"])
        table.add_row("filters", _codecs(facts["filters"]))
        if facts["serializer"] is not None:
            table.add_row("serializer", _codecs([facts["serializer"]]))
        table.add_row("compressors", _codecs(facts["compressors"]))
        table.add_row("uncompressed", _size(facts["bytes_uncompressed"]))
        table.add_row("stored", _size(facts["bytes_stored"]))
        ratio = facts["compression_ratio"]
        table.add_row("ratio", "unknown" if ratio is None else f"{ratio:.2f}")
        stored = facts["chunks_stored"]
        label = "shards stored" if shards is not None else "chunks stored"
        count = "unknown" if stored is None else str(stored)
        table.add_row(label, f"{count} of {facts['chunks_total']}")
    else:
        table.add_row("arrays", str(facts["arrays"]))
        table.add_row("groups", str(facts["groups"]))
        table.add_row("consolidated", "yes" if facts["consolidated"] else "no")
        table.add_row("uncompressed", _size(facts["bytes_uncompressed"]))
        table.add_row("stored", _size(facts["bytes_stored"]))
    if facts["attributes"]:
        table.add_row("attributes", json.dumps(facts["attributes"]))
    out_console.print(table)


def _label(row: dict[str, Any]) -> str:
    if row["node_type"] == "group":
        return f"[bold blue]{row['name']}[/]"
    shape = " x ".join(str(n) for n in row["shape"]) or "scalar"
    return f"[green]{row['name']}[/] ({shape}) {row['dtype']}"


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
            table.add_row(f"[bold blue]{row['name']}/[/]", "group", "", "", "", "")
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
