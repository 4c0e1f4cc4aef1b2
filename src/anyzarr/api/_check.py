"""``check_hierarchy``: read and decode every stored object, and say which are bad.

Every array is read slab by slab through the normal engine, so each chunk is
decoded by its own codec pipeline and every checksum it carries is verified
(the ``crc32c`` codec, a shard index's checksum, numcodecs checksum codecs).
When a slab fails, its stored objects are read one by one so that every bad
key is reported, not only the first.  Metadata documents that do not parse
are reported under their key too.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from anyzarr.api._copy_hierarchy import close_owned, open_owned
from anyzarr.api._copy_slabs import iter_slabs, slab_shape
from anyzarr.api._functions_common import join_path
from anyzarr.api._progress import ProgressCallback, TransferTracker
from anyzarr.protocol._errors import AnyzarrError, DataError, UnsupportedOperationError

if TYPE_CHECKING:
    from anyzarr.api._array import AsyncArray
    from anyzarr.api._group import AsyncGroup
    from anyzarr.io._store_path import StoreLike, StorePath
    from anyzarr.protocol.metadata import ArrayMetadata

__all__ = ["CheckProblem", "CheckReport", "check_hierarchy"]

_log = logging.getLogger("anyzarr.check")


@dataclass(frozen=True, slots=True)
class CheckProblem:
    """One bad or missing stored object."""

    #: The store key (relative to the checked path) of the object.
    key: str
    #: ``"corrupt"`` (does not decode or its checksum fails), ``"missing"``
    #: (metadata that should exist, or a chunk when missing chunks count),
    #: or ``"unreadable"`` (the store failed to return it).
    kind: Literal["corrupt", "missing", "unreadable"]
    message: str


@dataclass(slots=True)
class CheckReport:
    """What :func:`check_hierarchy` found."""

    arrays: int = 0
    groups: int = 0
    #: Stored objects (chunks or shards) read and decoded.
    chunks_checked: int = 0
    #: Grid positions with no stored object (they read as the fill value);
    #: ``None`` where the store cannot list.
    chunks_missing: int | None = 0
    problems: list[CheckProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether no problem was found."""
        return not self.problems


async def check_hierarchy(
    source: StoreLike,
    *,
    path: str = "",
    missing_chunks: Literal["ignore", "error"] = "ignore",
    progress: ProgressCallback | None = None,
) -> CheckReport:
    """Read and decode every stored object below ``path``; report each bad one.

    Parameters
    ----------
    source
        Anything store-like (see :func:`copy_hierarchy`).
    path
        The array or group to check (default: the root).
    missing_chunks
        ``"ignore"`` counts chunks that are not stored (Zarr reads them as
        the fill value, so they are normal); ``"error"`` reports each one.
    progress
        Called with a :class:`TransferProgress` as objects are checked.

    Returns
    -------
    CheckReport
        Counts and one :class:`CheckProblem` per bad or missing key.
    """
    sp = await open_owned(source, path, "r")
    try:
        return await _check(sp[0], missing_chunks, progress)
    finally:
        await close_owned(sp)


async def _check(
    sp: StorePath, missing_chunks: Literal["ignore", "error"], progress: ProgressCallback | None
) -> CheckReport:
    from anyzarr.api._array import AsyncArray
    from anyzarr.api._functions_open import open as open_node
    from anyzarr.api._group import AsyncGroup

    report = CheckReport()
    tracker = TransferTracker(progress, _log)
    try:
        root = await open_node(sp, mode="r")
    except AnyzarrError as exc:
        report.problems.append(CheckProblem(_key_of(exc, sp.path), "corrupt", str(exc)))
        return report
    nodes: list[tuple[str, AsyncArray[ArrayMetadata] | AsyncGroup]] = [("", root)]
    if isinstance(root, AsyncGroup):
        try:
            nodes += [(name, node) async for name, node in root.members(max_depth=None)]
        except AnyzarrError as exc:
            report.problems.append(CheckProblem(_key_of(exc, sp.path), "corrupt", str(exc)))
    arrays = [(rel, node) for rel, node in nodes if isinstance(node, AsyncArray)]
    report.groups = len(nodes) - len(arrays)
    report.arrays = len(arrays)
    tracker.set_totals(sum(a.nshards for _, a in arrays), sum(a.nbytes for _, a in arrays))
    for rel, array in arrays:
        await _check_array(rel, array, report, tracker, missing_chunks)
    return report


def _key_of(exc: BaseException, default: str) -> str:
    key = getattr(exc, "key", None) or getattr(exc, "path", None)
    return str(key) if key else default or "/"


async def _check_array(
    rel: str,
    array: AsyncArray[ArrayMetadata],
    report: CheckReport,
    tracker: TransferTracker,
    missing_chunks: Literal["ignore", "error"],
) -> None:
    stored_shape = tuple(array.metadata.chunk_shape)
    try:
        stored: set[str] | None = await array._stored_keys()
    except UnsupportedOperationError:
        stored = None
    if stored is None:
        report.chunks_missing = None
    else:
        expected = list(array._iter_shard_keys())
        absent = [key for key in expected if key not in stored]
        if report.chunks_missing is not None:
            report.chunks_missing += len(absent)
        if missing_chunks == "error":
            for key in absent:
                report.problems.append(
                    CheckProblem(join_path(rel, key), "missing", "chunk is not stored")
                )
    shape = tuple(array.shape)
    if not shape or 0 in shape:
        return
    slab = slab_shape(shape, stored_shape, stored_shape, int(array.dtype.itemsize))
    for sel in iter_slabs(shape, slab):
        extents = [s.stop - s.start for s in sel]
        count = math.prod(math.ceil(e / c) for e, c in zip(extents, stored_shape, strict=True))
        try:
            await array.getitem(sel)
        except AnyzarrError:
            # Find every bad object in the slab, not only the first.
            await _check_each(rel, array, sel, stored_shape, report)
        report.chunks_checked += count
        nbytes = math.prod(extents) * int(array.dtype.itemsize)
        tracker.done(rel or "/", nbytes, count=count)


async def _check_each(
    rel: str,
    array: AsyncArray[ArrayMetadata],
    sel: tuple[slice, ...],
    stored_shape: tuple[int, ...],
    report: CheckReport,
) -> None:
    origin = [s.start // c for s, c in zip(sel, stored_shape, strict=True)]
    extent = [math.ceil((s.stop - s.start) / c) for s, c in zip(sel, stored_shape, strict=True)]
    for coords in array._iter_shard_coords(origin=origin, selection_shape=extent):
        region = tuple(
            slice(i * c, min((i + 1) * c, n))
            for i, c, n in zip(coords, stored_shape, array.shape, strict=True)
        )
        key = join_path(rel, array.metadata.encode_chunk_key(coords))
        try:
            await array.getitem(region)
        except AnyzarrError as exc:
            kind: Literal["corrupt", "unreadable"] = (
                "corrupt" if isinstance(exc, DataError) else "unreadable"
            )
            _log.info("%s chunk %s: %s", kind, key, exc)
            report.problems.append(CheckProblem(key, kind, str(exc)))
