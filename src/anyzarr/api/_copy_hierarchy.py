"""``copy_hierarchy``: copy every stored object below a path, concurrently and resumably.

The copy works on stored objects (chunks, shards, metadata documents), byte
for byte, so it never decodes and crosses no format.  Three rules make it
safe to interrupt and to run again:

- Every object is written whole by one ``Store.set``, which each driver makes
  atomic (local files via a temp file and a rename, object stores via one
  PUT), so an interrupted copy leaves every object old or new.
- Metadata documents are written after all data objects, deepest first and
  the root last, so an interrupted copy never shows an array whose chunks are
  only partly there (missing chunks would read as the fill value).
- A destination object that already holds the same bytes is skipped, so a
  second run only copies what the first did not finish.  "The same" is
  decided by size first (one metadata request, or none when the destination
  listing shows the key absent) and then by comparing the bytes, because
  equal sizes prove nothing for uncompressed chunks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

import numpy as np

from anyzarr.api._functions_common import ArgumentError, join_path, resolve
from anyzarr.api._progress import ProgressCallback, TransferProgress, TransferTracker
from anyzarr.io._store import Store
from anyzarr.io._store_path import StorePath
from anyzarr.io._tasks import task_group

if TYPE_CHECKING:
    from anyzarr.io._store_path import AccessModeLiteral, StoreLike
    from anyzarr.protocol.buffer import Buffer
    from anyzarr.protocol.metadata import ArrayV2Metadata, ArrayV3Metadata

__all__ = [
    "METADATA_NAMES",
    "SkipExisting",
    "close_owned",
    "copy_hierarchy",
    "is_metadata_key",
    "open_owned",
]

_log = logging.getLogger("anyzarr.copy")

#: Basenames of the metadata documents of both formats.
METADATA_NAMES = ("zarr.json", ".zarray", ".zgroup", ".zattrs", ".zmetadata")

SkipExisting = Literal["equal", "same-size", "never"]


def is_metadata_key(key: str) -> bool:
    """Whether ``key`` names a metadata document rather than data."""
    return key.rsplit("/", 1)[-1] in METADATA_NAMES


async def open_owned(
    store_like: StoreLike, path: str, mode: AccessModeLiteral
) -> tuple[StorePath, bool]:
    """The store path for ``store_like`` and whether this call made (and so closes) the store."""
    owned = not isinstance(store_like, Store | StorePath)
    return await resolve(store_like, path=path, mode=mode), owned


async def close_owned(*paths: tuple[StorePath, bool]) -> None:
    """Close the stores made by :func:`open_owned`, even when cancelled.

    A zip archive writes its directory on close, so skipping this after an
    interrupt would lose every member written.
    """
    import anyio

    with anyio.CancelScope(shield=True):
        for store_path, owned in paths:
            if owned:
                await store_path.store.close()


async def _listed_keys(sp: StorePath) -> list[str]:
    prefix = f"{sp.path}/" if sp.path else ""
    return [key[len(prefix) :] async for key in sp.store.list_prefix(prefix)]


async def _keys_from_metadata(sp: StorePath) -> list[str]:
    """Keys of a store that cannot list: metadata documents that exist, and every chunk key."""
    from anyzarr.api._array import AsyncArray
    from anyzarr.api._functions_open import open as open_node
    from anyzarr.api._group import AsyncGroup

    root = await open_node(sp, mode="r")
    nodes: list[tuple[str, AsyncArray[ArrayV2Metadata | ArrayV3Metadata] | AsyncGroup]] = [
        ("", root)
    ]
    if isinstance(root, AsyncGroup):
        nodes += [(name, node) async for name, node in root.members(max_depth=None)]
    candidates = [join_path(rel, name) for rel, _ in nodes for name in METADATA_NAMES]
    present = [False] * len(candidates)

    async def probe(index: int, key: str) -> None:
        present[index] = await sp.store.exists(join_path(sp.path, key))

    async with task_group() as tg:
        for index, key in enumerate(candidates):
            tg.start_soon(probe, index, key)
    keys = [key for key, there in zip(candidates, present, strict=True) if there]
    for rel, node in nodes:
        if isinstance(node, AsyncArray):
            keys += [join_path(rel, key) for key in node._iter_shard_keys()]
    return keys


def _equal(a: Buffer, b: Buffer) -> bool:
    return bool(np.array_equal(a.as_numpy_array(), b.as_numpy_array()))


async def copy_hierarchy(
    source: StoreLike,
    dest: StoreLike,
    *,
    source_path: str = "",
    dest_path: str = "",
    skip_existing: SkipExisting = "equal",
    concurrency: int | None = None,
    progress: ProgressCallback | None = None,
) -> TransferProgress:
    """Copy every stored object below ``source_path`` to ``dest_path``, concurrently.

    The copy is byte for byte (no decoding), resumable and safe to interrupt:
    each object is written whole, metadata documents go last (root last), and
    objects the destination already holds are skipped (see ``skip_existing``),
    so running the same copy again finishes an interrupted one.  A source
    that cannot list its keys (plain HTTP) is walked through its metadata,
    which then must be consolidated or otherwise reachable.

    Parameters
    ----------
    source, dest
        Anything store-like: a store, a local path (``.zip`` for a zip
        archive), a ``file://``, ``http(s)://`` or ``s3://`` URL.  Stores made
        here from paths and URLs are closed at the end; stores passed in are
        left open.
    source_path, dest_path
        Paths inside the stores (default: their roots).
    skip_existing
        ``"equal"`` skips objects the destination holds with the same bytes;
        ``"same-size"`` trusts an equal size (no read of the destination;
        only safe when an unfinished earlier copy is the only writer);
        ``"never"`` rewrites everything.
    concurrency
        Objects in flight at once (each held in memory until written);
        default the two stores' concurrency limits added up.
    progress
        Called with a :class:`TransferProgress` once the totals are known and
        after every object; it runs on the event loop's thread.

    Returns
    -------
    TransferProgress
        The final counts.

    Raises
    ------
    ValueError
        For an unknown ``skip_existing`` or a ``concurrency`` below 1.
    anyzarr.errors.ReadOnlyError
        When the destination is read-only.
    """
    if skip_existing not in ("equal", "same-size", "never"):
        raise ArgumentError(
            f"skip_existing must be 'equal', 'same-size' or 'never', not {skip_existing!r}"
        )
    if concurrency is not None and concurrency < 1:
        raise ArgumentError(f"concurrency must be at least 1, not {concurrency}")
    src = await open_owned(source, source_path, "r")
    try:
        dst = await open_owned(dest, dest_path, "a")
    except BaseException:
        await close_owned(src)
        raise
    try:
        return await _copy(src[0], dst[0], skip_existing, concurrency, progress)
    finally:
        await close_owned(dst, src)


async def _copy(
    src: StorePath,
    dst: StorePath,
    skip_existing: SkipExisting,
    concurrency: int | None,
    progress: ProgressCallback | None,
) -> TransferProgress:
    tracker = TransferTracker(progress, _log)
    _log.info("copying %s to %s", src, dst)
    if src.store.supports_listing:
        keys = await _listed_keys(src)
        total_bytes: int | None = await src.store.getsize_prefix(f"{src.path}/" if src.path else "")
    else:
        keys = await _keys_from_metadata(src)
        total_bytes = None
    existing: set[str] | None = None
    if skip_existing != "never" and dst.store.supports_listing:
        existing = set(await _listed_keys(dst))
    data = [key for key in keys if not is_metadata_key(key)]
    # Metadata by depth, deepest first: each level finishes before the next
    # starts, so the root's documents are written last.
    levels: dict[int, list[str]] = {}
    for key in keys:
        if is_metadata_key(key):
            levels.setdefault(key.count("/"), []).append(key)
    batches = [data] + [sorted(levels[depth]) for depth in sorted(levels, reverse=True)]
    tracker.set_totals(len(keys), total_bytes)

    async def one(rel: str) -> None:
        value = await src.store.get(join_path(src.path, rel))
        if value is None:
            tracker.done(rel, 0, missing=True)
            return
        target = join_path(dst.path, rel)
        maybe_there = skip_existing != "never" and (existing is None or rel in existing)
        if maybe_there and await _same(dst.store, target, value, skip_existing):
            tracker.done(rel, len(value), skipped=True)
            return
        await dst.store.set(target, value)
        tracker.done(rel, len(value))

    workers = concurrency or (src.store.concurrency + dst.store.concurrency)
    for batch in batches:
        pending = iter(batch)

        async def worker(pending: Iterator[str] = pending) -> None:
            # Workers share one iterator, so each key is copied once and at
            # most ``workers`` values are held at a time.
            for rel in pending:
                await one(rel)

        async with task_group() as tg:
            for _ in range(min(workers, len(batch))):
                tg.start_soon(worker)
    _log.info(
        "copied %d objects (%d skipped as equal), %d bytes",
        tracker.state.chunks_done - tracker.state.chunks_skipped,
        tracker.state.chunks_skipped,
        tracker.state.bytes_done,
    )
    return tracker.state


async def _same(store: Store, key: str, value: Buffer, how: SkipExisting) -> bool:
    try:
        size = await store.getsize(key)
    except FileNotFoundError:
        return False
    if size != len(value):
        return False
    if how == "same-size":
        return True
    held = await store.get(key)
    return held is not None and _equal(held, value)
