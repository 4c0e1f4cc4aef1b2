"""``copy``, ``copy_all`` and ``copy_store``, with Zarr 2's semantics.

The public functions take ``*args, **kwargs`` as zarr-python documents them,
and check those against the full signatures of the private implementations
(``_copy``, ``_copy_all``, ``_copy_store``), which document every parameter.
Each returns ``(n_copied, n_skipped, n_bytes_copied)``.  ``if_exists`` decides
what happens when the destination already has the item: ``"raise"`` (a
``CopyError``), ``"skip"`` or ``"replace"``.  ``copy``/``copy_all`` work at the
node level and may cross formats; ``copy_store`` copies raw keys.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, Unpack

from anyzarr.api._copy_slabs import iter_slabs, slab_shape
from anyzarr.api._functions_common import ArgumentError, resolve
from anyzarr.api._group import AsyncGroup
from anyzarr.io._store import resolve_prototype
from anyzarr.io._tasks import task_group
from anyzarr.protocol._errors import UsageError

if TYPE_CHECKING:
    from anyzarr.api._array import AsyncArray
    from anyzarr.api._array_options import DatasetOptions
    from anyzarr.io._store_path import StoreLike
    from anyzarr.protocol.metadata import ArrayMetadata

    type CopyNode = AsyncArray[ArrayMetadata] | AsyncGroup

__all__ = ["CopyError", "copy", "copy_all", "copy_store"]

IfExists = Literal["raise", "skip", "replace"]
Counts = tuple[int, int, int]


class CopyError(UsageError, RuntimeError):
    """The destination of a copy already exists and ``if_exists="raise"``."""


def _check_if_exists(if_exists: str) -> None:
    if if_exists not in ("raise", "skip", "replace"):
        raise ArgumentError(f"if_exists must be 'raise', 'skip' or 'replace', not {if_exists!r}")


def _logger(log: Callable[[str], object] | None) -> Callable[[str], None]:
    def emit(message: str) -> None:
        if log is not None:
            log(message)

    return emit


def _unwrap(node: object) -> object:
    """Accept sync ``Array``/``Group`` objects by their async twins."""
    for attribute in ("_async_group", "_async_array", "_async"):
        inner = getattr(node, attribute, None)
        if inner is not None:
            return inner
    return node


async def _copy_store(
    source: StoreLike,
    dest: StoreLike,
    source_path: str = "",
    dest_path: str = "",
    excludes: Iterable[str] | None = None,
    includes: Iterable[str] | None = None,
    flags: int = 0,
    if_exists: IfExists = "raise",
    dry_run: bool = False,
    log: Callable[[str], object] | None = None,
) -> Counts:
    """Copy every key under ``source_path`` of ``source`` to ``dest_path`` of ``dest``.

    ``excludes`` / ``includes`` are regular expressions (``re.search`` on the
    key relative to ``source_path``, with ``flags``); includes win over
    excludes.  Keys are copied concurrently.
    """
    import re

    _check_if_exists(if_exists)
    emit = _logger(log)
    src = await resolve(source, path=source_path)
    dst = await resolve(dest, path=dest_path)
    exclude = [re.compile(p, flags) for p in excludes or ()]
    include = [re.compile(p, flags) for p in includes or ()]
    prefix = f"{src.path}/" if src.path else ""
    keys = [key async for key in src.store.list_prefix(prefix)]
    n_copied = n_skipped = n_bytes = 0

    async def one(key: str) -> None:
        nonlocal n_copied, n_skipped, n_bytes
        relative = key[len(prefix) :]
        if any(p.search(relative) for p in exclude) and not any(
            p.search(relative) for p in include
        ):
            return
        target = f"{dst.path}/{relative}" if dst.path else relative
        if if_exists != "replace" and await dst.store.exists(target):
            if if_exists == "raise":
                raise CopyError(f"key {target!r} already exists in the destination store")
            emit(f"skip {key} -> {target}")
            n_skipped += 1
            return
        emit(f"copy {key} -> {target}")
        value = await src.store.get(key, resolve_prototype(None))
        if value is None:
            return  # deleted since it was listed
        if not dry_run:
            await dst.store.set(target, value)
        n_copied += 1
        n_bytes += len(value)

    async with task_group() as tg:
        for key in keys:
            tg.start_soon(one, key)
    return n_copied, n_skipped, n_bytes


#: Slabs in flight at once: one being read while another is written.
_SLABS_IN_FLIGHT = 2


async def _copy_array_data(
    source: AsyncArray[ArrayMetadata], target: AsyncArray[ArrayMetadata]
) -> None:
    """Copy slab by slab (see ``_copy_slabs``); at most two slabs are held at once.

    Each slab is one engine read and one engine write, so the concurrency is
    the stores' own limiters', not a per-call one.
    """
    shape = tuple(source.shape)
    if 0 in shape or not shape:
        if not shape:
            await target.setitem(Ellipsis, await source.getitem(Ellipsis))
        return
    slab = slab_shape(
        shape,
        tuple(source.metadata.chunk_shape),
        tuple(target.metadata.chunk_shape),
        int(source.metadata.dtype.itemsize),
    )
    slabs = iter_slabs(shape, slab)

    async def worker() -> None:
        # Workers share one iterator, so every slab is copied exactly once.
        for sel in slabs:
            await target.setitem(sel, await source.getitem(sel))

    async with task_group() as tg:
        for _ in range(_SLABS_IN_FLIGHT):
            tg.start_soon(worker)


async def _copy_node(
    source: CopyNode,
    dest: AsyncGroup,
    name: str,
    *,
    shallow: bool,
    without_attrs: bool,
    if_exists: IfExists,
    dry_run: bool,
    emit: Callable[[str], None],
    create_kws: DatasetOptions,
    root: bool,
) -> Counts:
    existing = await dest.get(name)
    target_desc = f"{dest.path}/{name}".lstrip("/")
    if existing is not None and (
        not isinstance(source, AsyncGroup) or not isinstance(existing, AsyncGroup)
    ):
        if if_exists == "raise":
            raise CopyError(f"an object already exists at {target_desc!r} in the destination")
        if if_exists == "skip":
            emit(f"skip {source.path or '/'} -> {target_desc}")
            return 0, 1, 0
        if not dry_run:
            await dest.delitem(name)
        existing = None

    emit(f"copy {source.path or '/'} -> {target_desc}")
    attrs = {} if without_attrs else dict(source.attrs)
    if not isinstance(source, AsyncGroup):
        if dry_run:
            return 1, 0, 0
        options: DatasetOptions = {
            "shape": tuple(source.shape),
            "dtype": source.dtype,
            "chunks": tuple(source.metadata.inner_chunk_shape),
            "fill_value": source.metadata.fill_value,
            "attributes": attrs,
        }
        if source.metadata.zarr_format == 2 and dest.metadata.zarr_format == 2:
            # Memory order is v2 metadata; a v3 array takes it from its config.
            options["order"] = source.metadata.order
        options.update(create_kws)
        target = await dest.create_array(name, **options)
        await _copy_array_data(source, target)
        return 1, 0, int(source.metadata.dtype.itemsize) * _size(source.shape)

    totals = [1, 0, 0]
    if dry_run:
        group_target: AsyncGroup | None = None
    elif isinstance(existing, AsyncGroup):
        group_target = existing
        if attrs:
            await group_target.update_attributes(attrs)
    else:
        group_target = await dest.create_group(name, attributes=attrs)
    if shallow and not root:
        return totals[0], totals[1], totals[2]
    children = [(child_name, node) async for child_name, node in source.members()]
    for child_name, node in children:
        if group_target is None:  # dry run into a group that does not exist yet
            sub: Counts = await _dry_count(node, shallow)
        else:
            sub = await _copy_node(
                node,
                group_target,
                child_name,
                shallow=shallow,
                without_attrs=without_attrs,
                if_exists=if_exists,
                dry_run=dry_run,
                emit=emit,
                create_kws=create_kws,
                root=False,
            )
        totals = [a + b for a, b in zip(totals, sub, strict=True)]
    return totals[0], totals[1], totals[2]


async def _dry_count(node: CopyNode, shallow: bool) -> Counts:
    if not isinstance(node, AsyncGroup) or shallow:
        return 1, 0, 0
    return 1 + await node.nmembers(max_depth=None), 0, 0


def _size(shape: Iterable[int]) -> int:
    total = 1
    for extent in shape:
        total *= int(extent)
    return total


async def _copy(
    source: object,
    dest: object,
    name: str | None = None,
    shallow: bool = False,
    without_attrs: bool = False,
    log: Callable[[str], object] | None = None,
    if_exists: IfExists = "raise",
    dry_run: bool = False,
    **create_kws: Unpack[DatasetOptions],
) -> Counts:
    """Copy the array or group ``source`` into the group ``dest`` as ``name``.

    ``name`` defaults to ``source``'s basename.  Groups are copied with all
    their members unless ``shallow`` (then only direct members).  Existing
    groups in ``dest`` are merged into; an existing array (or a group where an
    array goes) is handled by ``if_exists``.  ``create_kws`` override the new
    arrays' options (``compressors``, ``chunks``, ...).  Bytes copied count the
    uncompressed array data.
    """
    _check_if_exists(if_exists)
    from anyzarr.api._array import AsyncArray

    source, dest = _unwrap(source), _unwrap(dest)
    if not isinstance(source, AsyncArray | AsyncGroup):
        raise UsageError(f"copy's source must be an array or a group, not {type(source).__name__}")
    if not isinstance(dest, AsyncGroup):
        raise UsageError(f"copy's dest must be a group, not {type(dest).__name__}")
    if name is None:
        name = source.basename
        if not name:
            raise UsageError("copying a root group needs an explicit name (or use copy_all)")
    return await _copy_node(
        source,
        dest,
        name,
        shallow=shallow,
        without_attrs=without_attrs,
        if_exists=if_exists,
        dry_run=dry_run,
        emit=_logger(log),
        create_kws=create_kws,
        root=True,
    )


async def _copy_all(
    source: object,
    dest: object,
    shallow: bool = False,
    without_attrs: bool = False,
    log: Callable[[str], object] | None = None,
    if_exists: IfExists = "raise",
    dry_run: bool = False,
    **create_kws: Unpack[DatasetOptions],
) -> Counts:
    """Copy every member of group ``source`` into group ``dest`` (and its attributes)."""
    _check_if_exists(if_exists)
    source, dest = _unwrap(source), _unwrap(dest)
    if not isinstance(source, AsyncGroup) or not isinstance(dest, AsyncGroup):
        raise UsageError("copy_all copies from a group into a group")
    totals = (0, 0, 0)
    emit = _logger(log)
    for child_name, node in [(n, v) async for n, v in source.members()]:
        sub = await _copy_node(
            node,
            dest,
            child_name,
            shallow=shallow,
            without_attrs=without_attrs,
            if_exists=if_exists,
            dry_run=dry_run,
            emit=emit,
            create_kws=create_kws,
            root=False,
        )
        totals = (totals[0] + sub[0], totals[1] + sub[1], totals[2] + sub[2])
    if not without_attrs and not dry_run and source.attrs:
        await dest.update_attributes(dict(source.attrs))
    return totals


def _bind(
    name: str, impl: Callable[..., object], args: tuple[object, ...], kwargs: Mapping[str, object]
) -> None:
    """Check ``args``/``kwargs`` against ``impl``'s signature; ``TypeError`` names ``name``."""
    try:
        inspect.signature(impl).bind(*args, **kwargs)
    except TypeError as exc:
        raise TypeError(f"{name}(): {exc}") from None


async def copy(*args: Any, **kwargs: Any) -> Counts:
    """Copy the array or group ``source`` into the group ``dest``.

    Parameters (positional or keyword, in this order): ``source``, ``dest``,
    ``name=None`` (default: ``source``'s basename), ``shallow=False`` (copy a
    group's direct members only), ``without_attrs=False``, ``log=None`` (a
    callable given one line per node), ``if_exists="raise"`` (or ``"skip"``,
    ``"replace"``), ``dry_run=False``; further keywords override the new
    arrays' creation options (``compressors``, ``chunks``, ...).  Existing
    groups in ``dest`` are merged into.  Sync ``Array``/``Group`` objects are
    accepted as well as async ones.

    Returns ``(n_copied, n_skipped, n_bytes_copied)``, bytes counting the
    uncompressed array data.

    Raises
    ------
    TypeError
        For arguments that do not fit the parameters above.
    CopyError
        When the destination exists and ``if_exists="raise"``.
    """
    _bind("copy", _copy, args, kwargs)
    return await _copy(*args, **kwargs)


async def copy_all(*args: Any, **kwargs: Any) -> Counts:
    """Copy every member of group ``source`` into group ``dest``, and its attributes.

    Parameters (positional or keyword, in this order): ``source``, ``dest``,
    ``shallow=False``, ``without_attrs=False``, ``log=None``,
    ``if_exists="raise"``, ``dry_run=False``; further keywords are creation
    options for the new arrays, as for :func:`copy`.

    Returns ``(n_copied, n_skipped, n_bytes_copied)``.

    Raises
    ------
    TypeError
        For arguments that do not fit the parameters above.
    CopyError
        When a destination member exists and ``if_exists="raise"``.
    """
    _bind("copy_all", _copy_all, args, kwargs)
    return await _copy_all(*args, **kwargs)


async def copy_store(*args: Any, **kwargs: Any) -> Counts:
    """Copy raw keys from one store to another, below optional paths.

    Parameters (positional or keyword, in this order): ``source``, ``dest``
    (anything store-like), ``source_path=""``, ``dest_path=""``,
    ``excludes=None`` and ``includes=None`` (regular expressions searched in
    each key relative to ``source_path``; includes win), ``flags=0`` (``re``
    flags), ``if_exists="raise"`` (or ``"skip"``, ``"replace"``),
    ``dry_run=False``, ``log=None``.  Keys are copied concurrently.

    Returns ``(n_copied, n_skipped, n_bytes_copied)``.

    Raises
    ------
    TypeError
        For arguments that do not fit the parameters above.
    CopyError
        When a destination key exists and ``if_exists="raise"``.
    """
    _bind("copy_store", _copy_store, args, kwargs)
    return await _copy_store(*args, **kwargs)
