"""Consolidated metadata: write, read back, and open a hierarchy in one read."""

from __future__ import annotations

import json

import pytest

from anyzarr.api import asynchronous as az
from anyzarr.api._group import AsyncGroup
from anyzarr.io.stores import LoggingStore, MemoryStore

pytestmark = pytest.mark.anyio

FORMATS = pytest.mark.parametrize("zarr_format", [2, 3])


async def _build(store: object, zarr_format: int) -> None:
    root = await az.group(store=store, zarr_format=zarr_format, attributes={"r": 1})  # type: ignore[arg-type]
    sub = await root.create_group("sub", attributes={"s": 2})
    await sub.create_group("deep")
    await sub.create_array("arr", shape=(5,), dtype="f4", chunks=(2,))
    await root.create_array("top", shape=(2, 2), dtype="u1")


@FORMATS
async def test_round_trip_and_single_read(zarr_format: int) -> None:
    store = LoggingStore(MemoryStore())
    await _build(store, zarr_format)
    consolidated = await az.consolidate_metadata(store)
    assert consolidated.metadata.consolidated_metadata is not None
    # Nested as zarr-python nests it: children under their group.
    assert sorted(consolidated.metadata.consolidated_metadata.metadata) == ["sub", "top"]
    assert sorted(consolidated.metadata.consolidated_metadata.flattened_metadata) == [
        "sub",
        "sub/arr",
        "sub/deep",
        "top",
    ]

    store.counter.clear()
    group = await az.open_consolidated(store=store, zarr_format=zarr_format)
    assert store.counter["get"] == (
        1 if zarr_format == 3 else 3
    )  # v2: .zgroup, .zattrs, .zmetadata at once
    store.counter.clear()
    members = {p: n async for p, n in group.members(max_depth=None)}
    assert sorted(members) == ["sub", "sub/arr", "sub/deep", "top"]
    sub = await group.getitem("sub")
    assert isinstance(sub, AsyncGroup)
    assert sub.attrs == {"s": 2}
    assert [k async for k in sub.keys()] == ["arr", "deep"]  # noqa: SIM118
    arr = await group.getitem("sub/arr")
    assert tuple(arr.shape) == (5,)
    assert "No. members : 4" in repr(group.info)
    assert sum(store.counter.values()) == 0  # everything came from the one read


@FORMATS
async def test_consolidated_view_is_trusted(zarr_format: int) -> None:
    store = MemoryStore()
    await _build(store, zarr_format)
    await az.consolidate_metadata(store)
    later = await az.open_group(store=store, zarr_format=zarr_format)
    await later.create_group("added_later")
    group = await az.open_group(store=store, zarr_format=zarr_format)
    assert not await group.contains("added_later")
    fresh = await az.open_group(store=store, zarr_format=zarr_format, use_consolidated=False)
    assert await fresh.contains("added_later")


async def test_v3_document_shape_matches_zarr_python() -> None:
    store = MemoryStore()
    await _build(store, 3)
    await az.consolidate_metadata(store)
    raw = await store.get("zarr.json")
    assert raw is not None
    doc = json.loads(raw.to_bytes())
    assert list(doc) == ["attributes", "zarr_format", "consolidated_metadata", "node_type"]
    block = doc["consolidated_metadata"]
    assert block["kind"] == "inline"
    assert block["must_understand"] is False
    assert block["metadata"]["sub/deep"]["consolidated_metadata"]["metadata"] == {}
    assert block["metadata"]["sub/arr"]["node_type"] == "array"


async def test_v2_zmetadata_document() -> None:
    store = MemoryStore()
    await _build(store, 2)
    await az.consolidate_metadata(store)
    raw = await store.get(".zmetadata")
    assert raw is not None
    doc = json.loads(raw.to_bytes())
    assert doc["zarr_consolidated_format"] == 1
    assert {".zgroup", ".zattrs", "sub/.zgroup", "sub/arr/.zarray", "top/.zarray"} <= set(
        doc["metadata"]
    )
    assert doc["metadata"]["sub/.zattrs"] == {"s": 2}


async def test_consolidate_at_a_subpath() -> None:
    store = MemoryStore()
    await _build(store, 3)
    sub = await az.consolidate_metadata(store, path="sub")
    assert sub.path == "sub"
    assert sorted(sub.metadata.consolidated_metadata.metadata) == ["arr", "deep"]  # type: ignore[union-attr]
