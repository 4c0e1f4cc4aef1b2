"""Member names: reserved and invalid names, consolidated member paths, root keys."""

from __future__ import annotations

import json

import pytest

from anyzarr.api._group import AsyncGroup, InvalidNodeNameError
from anyzarr.api._group_names import (
    check_consolidated_member,
    check_new_member_name,
    normalize_member_name,
)
from anyzarr.errors import MetadataValidationError
from anyzarr.io._metadata_io import read_node_metadata
from anyzarr.io._store_path import StorePath
from anyzarr.io.stores import MemoryStore
from anyzarr.protocol.buffer.cpu import Buffer

pytestmark = pytest.mark.anyio


def test_normalize_member_name() -> None:
    assert normalize_member_name("a//b/") == "a/b"
    assert normalize_member_name("/a\\b") == "a/b"
    assert normalize_member_name("__x") == "__x"  # reading reserved names is allowed
    for bad in ("", "/", ".", "..", "a/../b", "a/./b"):
        with pytest.raises(InvalidNodeNameError, match=repr(bad).replace(".", r"\.")):
            normalize_member_name(bad)
    with pytest.raises(ValueError, match="str"):
        normalize_member_name(3)  # type: ignore[arg-type]


def test_reserved_names_only_for_new_v3_nodes() -> None:
    with pytest.raises(InvalidNodeNameError, match=r"'a/__b'.*reserved"):
        check_new_member_name("a/__b", 3)
    assert check_new_member_name("a/__b", 2) == "a/__b"
    assert check_new_member_name("_a/b_", 3) == "_a/b_"


@pytest.mark.parametrize("name", ["__reserved", ".", "..", "a/../b", ""])
async def test_group_refuses_invalid_names(name: str) -> None:
    root = await AsyncGroup.from_store(MemoryStore())
    with pytest.raises(InvalidNodeNameError):
        await root.create_group(name)
    with pytest.raises(InvalidNodeNameError):
        await root.create_array(name, shape=(2,), dtype="int8")
    with pytest.raises(InvalidNodeNameError):
        await root.zeros(name=name, shape=(2,))
    with pytest.raises(InvalidNodeNameError):
        await root.setitem(name, [1, 2])
    assert [k async for k in root.keys()] == []  # noqa: SIM118


async def test_v2_group_allows_double_underscore_and_moves_check_dest() -> None:
    root = await AsyncGroup.from_store(MemoryStore(), zarr_format=2)
    await root.create_group("__v2_is_fine")
    assert [k async for k in root.keys()] == ["__v2_is_fine"]  # noqa: SIM118
    v3 = await AsyncGroup.from_store(MemoryStore())
    await v3.create_group("src")
    with pytest.raises(InvalidNodeNameError, match="__dst"):
        await v3.move("src", "__dst")
    with pytest.raises(InvalidNodeNameError, match=r"'\.\.'"):
        await v3.getitem("..")


def test_check_consolidated_member() -> None:
    assert check_consolidated_member("a/b", "g") == "a/b"
    for bad in ("../escape", "a/../../b", "/abs", "a//b", "a\\b", "", "a/."):
        with pytest.raises(MetadataValidationError, match="invalid member name"):
            check_consolidated_member(bad, "g")
    with pytest.raises(MetadataValidationError, match="not a string"):
        check_consolidated_member(1, "")


async def test_consolidated_metadata_with_escaping_member_is_refused() -> None:
    store = MemoryStore()
    array = {
        "zarr_format": 3,
        "node_type": "array",
        "shape": [2],
        "data_type": "int8",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2]}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": 0,
        "codecs": [{"name": "bytes"}],
        "attributes": {},
    }
    group = {
        "zarr_format": 3,
        "node_type": "group",
        "attributes": {},
        "consolidated_metadata": {
            "kind": "inline",
            "must_understand": False,
            "metadata": {"../escape": array},
        },
    }
    await store.set("g/zarr.json", Buffer.from_bytes(json.dumps(group).encode()))
    with pytest.raises(MetadataValidationError, match=r"'\.\./escape'"):
        await AsyncGroup.open(StorePath(store, "g"))


async def test_root_parse_errors_name_the_key_without_double_slash() -> None:
    for key, doc, fmt in (
        ("zarr.json", {"zarr_format": 3, "node_type": "array", "shape": [1]}, 3),
        (".zarray", {"zarr_format": 2, "shape": [1]}, 2),
    ):
        store = MemoryStore()
        await store.set(key, Buffer.from_bytes(json.dumps(doc).encode()))
        with pytest.raises(MetadataValidationError) as info:
            await read_node_metadata(StorePath(store, ""), fmt)  # type: ignore[arg-type]
        assert str(info.value).startswith(key), str(info.value)
        assert "//" not in str(info.value)
