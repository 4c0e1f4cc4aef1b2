"""Reading, writing and deleting the metadata documents of one node.

A node (array or group) is described by ``zarr.json`` in Zarr format 3 and by
``.zarray`` / ``.zgroup`` plus ``.zattrs`` (and optionally ``.zmetadata``) in
format 2.  Every document a call may need is fetched concurrently, so opening a
node costs one round trip whatever the format.  Parsing and serialising belong
to :mod:`anyzarr.protocol.metadata`; this module only moves bytes.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Literal, overload

from anyzarr.io._tasks import task_group
from anyzarr.protocol._errors import (
    ArrayNotFoundError,
    GroupNotFoundError,
    MetadataValidationError,
    NodeNotFoundError,
    UsageError,
    ZarrUserWarning,
)
from anyzarr.protocol.buffer import Buffer
from anyzarr.protocol.codecs import GetRequest
from anyzarr.protocol.metadata import decode_json_object

if TYPE_CHECKING:
    from anyzarr.io._json import JSONObject
    from anyzarr.io._store_path import StorePath
    from anyzarr.protocol.metadata import ArrayMetadata, GroupMetadata, NodeMetadata

__all__ = [
    "ConsolidatedMetadataNotFoundError",
    "ZARR_JSON",
    "ZARRAY_JSON",
    "ZATTRS_JSON",
    "ZGROUP_JSON",
    "ZMETADATA_V2_JSON",
    "delete_node",
    "node_exists",
    "read_node_metadata",
    "read_node_metadata_here",
    "task_group",
    "write_node_metadata",
]

ZARR_JSON = "zarr.json"
ZARRAY_JSON = ".zarray"
ZGROUP_JSON = ".zgroup"
ZATTRS_JSON = ".zattrs"
ZMETADATA_V2_JSON = ".zmetadata"

NodeType = Literal["array", "group"]


class ConsolidatedMetadataNotFoundError(UsageError, ValueError):
    """Consolidated metadata was required (``use_consolidated=True``) but is absent."""


def _not_found(store_path: StorePath, node_type: NodeType | None, detail: str) -> NodeNotFoundError:
    where = f"{_describe(store_path)}: {detail}"
    if node_type == "array":
        return ArrayNotFoundError(f"no array found at {where}")
    if node_type == "group":
        return GroupNotFoundError(f"no group found at {where}")
    return NodeNotFoundError(f"no array or group found at {where}")


def _describe(store_path: StorePath) -> str:
    return f"path {store_path.path!r} in {store_path.store!r}"


def _key(store_path: StorePath, name: str) -> str:
    return f"{store_path.path}/{name}" if store_path.path else name


async def _get_many(store_path: StorePath, names: list[str]) -> dict[str, bytes | None]:
    """Fetch several documents of one node at once; missing ones map to ``None``."""
    results: dict[str, bytes | None] = {}

    async def fetch(name: str) -> None:
        buf = await (store_path / name).get()
        results[name] = None if buf is None else buf.to_bytes()

    async with task_group() as tg:
        for name in names:
            tg.start_soon(fetch, name)
    return results


_DOCUMENT_NAMES = (ZARR_JSON, ZARRAY_JSON, ZGROUP_JSON, ZATTRS_JSON, ZMETADATA_V2_JSON)


@contextmanager
def _root_keys_named(store_path: StorePath) -> Iterator[None]:
    """Make parse errors at the store root name the key (``zarr.json``), not ``//zarr.json``.

    The protocol layer names a document ``<path or '/'>/<name>``, which at the
    root reads as a doubled slash; the key a user can look up has none.
    """
    try:
        yield
    except MetadataValidationError as exc:
        if store_path.path or not exc.args or not isinstance(exc.args[0], str):
            raise
        message = exc.args[0]
        for name in _DOCUMENT_NAMES:
            message = message.replace(f"//{name}", name)
        exc.args = (message, *exc.args[1:])
        raise


def _decode_json(raw: bytes, key: str) -> JSONObject:
    # The protocol's parser reads zarr-python's bare NaN/Infinity and bounds nesting.
    return decode_json_object(raw, f"metadata document {key!r}")


def _check_node_type(meta: NodeMetadata, store_path: StorePath, node_type: NodeType | None) -> None:
    if node_type is None:
        return
    from anyzarr.protocol.metadata import GroupMetadata

    is_group = isinstance(meta, GroupMetadata)
    if (node_type == "group") != is_group:
        found = "a group" if is_group else "an array"
        raise _not_found(store_path, node_type, f"found {found} instead")


def _supports_consolidated(store_path: StorePath) -> bool:
    return bool(getattr(store_path.store, "supports_consolidated_metadata", True))


def _parse_v3(
    raw: bytes, store_path: StorePath, use_consolidated: bool | str | None
) -> NodeMetadata:
    from anyzarr.protocol.metadata import parse_v3

    key = _key(store_path, ZARR_JSON)
    if isinstance(use_consolidated, str):
        raise UsageError(
            f"use_consolidated={use_consolidated!r} names a key, which only Zarr format 2 "
            f"supports; {key!r} is Zarr format 3"
        )
    doc = _decode_json(raw, key)
    if doc.get("node_type") == "group":
        if use_consolidated and doc.get("consolidated_metadata") is None:
            raise ConsolidatedMetadataNotFoundError(
                "Consolidated metadata requested with 'use_consolidated=True' but not found: "
                f"{key!r} has none"
            )
        if use_consolidated is False:
            doc.pop("consolidated_metadata", None)
    with _root_keys_named(store_path):
        return parse_v3(doc, store_path.path)


def _parse_v2(
    docs: dict[str, bytes | None],
    store_path: StorePath,
    consolidated_key: str | None,
    use_consolidated: bool | str | None,
) -> NodeMetadata:
    from anyzarr.protocol.metadata import GroupMetadata, parse_v2, parse_zmetadata

    zarray = docs.get(ZARRAY_JSON)
    zgroup = docs.get(ZGROUP_JSON)
    for name in (ZARRAY_JSON, ZGROUP_JSON, ZATTRS_JSON):
        raw = docs.get(name)
        if raw is not None:
            _decode_json(raw, _key(store_path, name))
    with _root_keys_named(store_path):
        meta = parse_v2(zarray, zgroup, docs.get(ZATTRS_JSON), store_path.path)
    if not isinstance(meta, GroupMetadata) or consolidated_key is None:
        return meta
    raw_consolidated = docs.get(consolidated_key)
    if raw_consolidated is None:
        if use_consolidated:
            raise ConsolidatedMetadataNotFoundError(
                "Consolidated metadata requested with 'use_consolidated=True' but not found: "
                f"{_key(store_path, consolidated_key)!r} does not exist"
            )
        return meta
    _decode_json(raw_consolidated, _key(store_path, consolidated_key))
    with _root_keys_named(store_path):
        consolidated = parse_zmetadata(raw_consolidated, store_path.path)
    return dataclasses.replace(meta, consolidated_metadata=consolidated)  # type: ignore[call-arg,unused-ignore]


@overload
async def read_node_metadata(
    store_path: StorePath,
    zarr_format: Literal[2, 3] | None = None,
    use_consolidated: bool | str | None = None,
    *,
    node_type: Literal["array"],
) -> ArrayMetadata: ...


@overload
async def read_node_metadata(
    store_path: StorePath,
    zarr_format: Literal[2, 3] | None = None,
    use_consolidated: bool | str | None = None,
    *,
    node_type: Literal["group"],
) -> GroupMetadata: ...


@overload
async def read_node_metadata(
    store_path: StorePath,
    zarr_format: Literal[2, 3] | None = None,
    use_consolidated: bool | str | None = None,
    *,
    node_type: None = None,
) -> NodeMetadata: ...


@overload
async def read_node_metadata(
    store_path: StorePath,
    zarr_format: Literal[2, 3] | None = None,
    use_consolidated: bool | str | None = None,
    *,
    node_type: NodeType | None,
) -> NodeMetadata: ...


async def read_node_metadata(
    store_path: StorePath,
    zarr_format: Literal[2, 3] | None = None,
    use_consolidated: bool | str | None = None,
    *,
    node_type: NodeType | None = None,
) -> NodeMetadata:
    """Read and parse the metadata of the node at ``store_path``.

    ``zarr_format=None`` fetches the format 3 and format 2 documents together and
    prefers format 3 when both exist, with zarr-python's ``ZarrUserWarning``.  For groups,
    ``use_consolidated`` follows zarr-python: ``None`` uses consolidated metadata
    when present, ``True`` requires it, ``False`` drops it, and a string names a
    non-default format 2 key (``.zmetadata`` otherwise).  ``node_type`` narrows
    the expected kind and picks the error raised when it is absent.

    Raises:
        NodeNotFoundError: nothing is stored there (``ArrayNotFoundError`` or
            ``GroupNotFoundError`` when ``node_type`` is given; also raised when
            the node has the other kind).
        MetadataValidationError: a document is not valid JSON or not valid
            metadata; the message names the key.
        ConsolidatedMetadataNotFoundError: ``use_consolidated=True`` and the group
            has no consolidated metadata.
    """
    wanted = _Wanted.of(store_path, zarr_format, use_consolidated, node_type)
    return wanted.parse(store_path, await _get_many(store_path, wanted.names))


@overload
def read_node_metadata_here(
    store_path: StorePath,
    zarr_format: Literal[2, 3] | None = None,
    *,
    node_type: Literal["array"],
) -> ArrayMetadata | None: ...


@overload
def read_node_metadata_here(
    store_path: StorePath,
    zarr_format: Literal[2, 3] | None = None,
    *,
    node_type: NodeType | None = None,
) -> NodeMetadata | None: ...


def read_node_metadata_here(
    store_path: StorePath,
    zarr_format: Literal[2, 3] | None = None,
    *,
    node_type: NodeType | None = None,
) -> NodeMetadata | None:
    """`read_node_metadata` without the event loop, through the store's batch IO.

    For the sync API's calling thread.  None, having read nothing, when the
    store offers no batch IO; errors as `read_node_metadata`'s.
    """
    batch = store_path.store.batch_io()
    if batch is None:
        return None
    wanted = _Wanted.of(store_path, zarr_format, None, node_type)
    found = batch.read([GetRequest((store_path / name).path) for name in wanted.names])
    docs = {
        name: None if raw is None else raw.to_bytes() if isinstance(raw, Buffer) else bytes(raw)
        for name, raw in zip(wanted.names, found, strict=True)
    }
    return wanted.parse(store_path, docs)


@dataclasses.dataclass(frozen=True)
class _Wanted:
    """Which documents describe a node, and how to read them once fetched."""

    zarr_format: Literal[2, 3] | None
    use_consolidated: bool | str | None
    node_type: NodeType | None
    consolidated_key: str | None
    names: list[str]

    @classmethod
    def of(
        cls,
        store_path: StorePath,
        zarr_format: Literal[2, 3] | None,
        use_consolidated: bool | str | None,
        node_type: NodeType | None,
    ) -> _Wanted:
        if zarr_format not in (2, 3, None):
            raise UsageError(f"zarr_format must be 2, 3 or None, not {zarr_format!r}")
        if not _supports_consolidated(store_path):
            if use_consolidated:
                raise ConsolidatedMetadataNotFoundError(
                    f"{type(store_path.store).__name__} doesn't support consolidated metadata"
                )
            use_consolidated = False
        consolidated_key: str | None = None
        if use_consolidated is not False and node_type != "array":
            consolidated_key = (
                use_consolidated if isinstance(use_consolidated, str) else ZMETADATA_V2_JSON
            )
        names: list[str] = []
        if zarr_format in (3, None):
            names.append(ZARR_JSON)
        if zarr_format in (2, None):
            # Knowing the kind saves a request: the other kind's document is not read.
            if node_type != "group":
                names.append(ZARRAY_JSON)
            if node_type != "array":
                names.append(ZGROUP_JSON)
            names.append(ZATTRS_JSON)
            if consolidated_key is not None:
                names.append(consolidated_key)
        return cls(zarr_format, use_consolidated, node_type, consolidated_key, names)

    def parse(self, store_path: StorePath, docs: dict[str, bytes | None]) -> NodeMetadata:
        meta: NodeMetadata
        raw_v3 = docs.get(ZARR_JSON)
        if raw_v3 is not None:
            for name, kind in ((ZARRAY_JSON, ".zarray"), (ZGROUP_JSON, ".zgroup")):
                if docs.get(name) is not None:
                    warnings.warn(
                        f"Both zarr.json (Zarr format 3) and {kind} (Zarr format 2) metadata "
                        f"objects exist at {store_path}. Zarr format 3 will be used.",
                        ZarrUserWarning,
                        stacklevel=3,
                    )
            meta = _parse_v3(raw_v3, store_path, self.use_consolidated)
        elif docs.get(ZARRAY_JSON) is not None or docs.get(ZGROUP_JSON) is not None:
            meta = _parse_v2(docs, store_path, self.consolidated_key, self.use_consolidated)
        else:
            looked = ", ".join(repr(n) for n in self.names if n != self.consolidated_key)
            raise _not_found(store_path, self.node_type, f"none of {looked} exist")
        _check_node_type(meta, store_path, self.node_type)
        return meta


async def node_exists(store_path: StorePath, zarr_format: Literal[2, 3] | None = None) -> bool:
    """Whether array or group metadata of the given format exists at ``store_path``."""
    names: list[str] = []
    if zarr_format in (3, None):
        names.append(ZARR_JSON)
    if zarr_format in (2, None):
        names += [ZARRAY_JSON, ZGROUP_JSON]
    found = False

    async def check(name: str) -> None:
        nonlocal found
        if await (store_path / name).exists():
            found = True

    async with task_group() as tg:
        for name in names:
            tg.start_soon(check, name)
    return found


async def write_node_metadata(store_path: StorePath, meta: NodeMetadata) -> None:
    """Write every metadata document of ``meta`` under ``store_path`` concurrently.

    For Zarr format 2 an empty ``.zattrs`` is not written (zarr-python omits it),
    but a stale one left by earlier attributes is deleted so the node reads back
    exactly as ``meta``.
    """
    from anyzarr.protocol.buffer.cpu import Buffer
    from anyzarr.protocol.metadata import metadata_documents

    documents = metadata_documents(meta)
    jobs: list[Callable[[], Coroutine[object, object, None]]] = []
    for name, raw in documents.items():
        jobs.append(_setter(store_path / name, Buffer.from_bytes(raw)))
    if meta.zarr_format == 2 and ZATTRS_JSON not in documents:
        jobs.append((store_path / ZATTRS_JSON).delete)
    async with task_group() as tg:
        for job in jobs:
            tg.start_soon(job)


def _setter(target: StorePath, value: Buffer) -> Callable[[], Coroutine[object, object, None]]:
    async def run() -> None:
        await target.set(value)

    return run


async def delete_node(store_path: StorePath) -> None:
    """Delete the node at ``store_path`` with everything below it.

    The root of a store is cleared key by key under its prefix; deleting a
    node that does not exist is not an error, matching store semantics.
    """
    await store_path.delete_dir()
