"""A corpus of invalid v3 metadata, from the rules of the v3 specification.

Each document is refused by ``anyzarr.protocol.metadata.parse_v3`` and by
``anyzarr.open_array`` / ``open_group`` with a typed ``anyzarr.errors`` error
whose message names the offending field; the valid variants open.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

ARRAY: dict[str, Any] = {
    "zarr_format": 3,
    "node_type": "array",
    "shape": [4, 6],
    "data_type": "int32",
    "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2, 3]}},
    "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
    "fill_value": 0,
    "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
    "attributes": {},
}
GROUP: dict[str, Any] = {"zarr_format": 3, "node_type": "group", "attributes": {}}


def _with(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(base)
    for key, value in changes.items():
        if value is _DROP:
            doc.pop(key)
        else:
            doc[key] = value
    return doc


_DROP = object()


def _sharded(inner: list[int], outer: list[int]) -> dict[str, Any]:
    return _with(
        ARRAY,
        chunk_grid={"name": "regular", "configuration": {"chunk_shape": outer}},
        codecs=[
            {
                "name": "sharding_indexed",
                "configuration": {
                    "chunk_shape": inner,
                    "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
                    "index_codecs": [
                        {"name": "bytes", "configuration": {"endian": "little"}},
                        {"name": "crc32c"},
                    ],
                    "index_location": "end",
                },
            }
        ],
    )


# (id, document, what the message must name)
INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("unknown-key-plain", _with(ARRAY, spam=1), "spam"),
    (
        "unknown-key-must-understand",
        _with(ARRAY, spam={"name": "spam", "must_understand": True}),
        "spam",
    ),
    ("unknown-key-no-must-understand", _with(ARRAY, spam={"name": "spam"}), "spam"),
    ("group-unknown-key", _with(GROUP, spam={"name": "spam", "must_understand": True}), "spam"),
    (
        "unknown-codec",
        _with(ARRAY, codecs=[{"name": "bytes"}, {"name": "no-such-codec"}]),
        "no-such-codec",
    ),
    (
        "unknown-serializer",
        _with(ARRAY, codecs=[{"name": "no-such-serializer"}]),
        "no-such-serializer",
    ),
    ("no-array-bytes-codec", _with(ARRAY, codecs=[]), "codecs"),
    ("unknown-data-type", _with(ARRAY, data_type="int33"), "int33"),
    ("unknown-data-type-object", _with(ARRAY, data_type={"name": "quaternion"}), "quaternion"),
    (
        "data-type-must-understand-false",
        _with(ARRAY, data_type={"name": "quaternion", "must_understand": False}),
        "quaternion",
    ),
    (
        "chunk-grid-must-understand-false",
        _with(
            ARRAY, chunk_grid={"name": "hexagonal", "must_understand": False, "configuration": {}}
        ),
        "hexagonal",
    ),
    (
        "chunk-key-encoding-must-understand-false",
        _with(ARRAY, chunk_key_encoding={"name": "morton", "must_understand": False}),
        "morton",
    ),
    (
        "storage-transformer",
        _with(ARRAY, storage_transformers=[{"name": "chunk-manifest-json"}]),
        "storage_transformers",
    ),
    (
        "storage-transformer-must-understand-false",
        _with(
            ARRAY, storage_transformers=[{"name": "chunk-manifest-json", "must_understand": False}]
        ),
        "storage_transformers",
    ),
    ("fill-bad-hex", _with(ARRAY, data_type="float32", fill_value="0xZZZZZZZZ"), "fill_value"),
    ("fill-hex-wrong-width", _with(ARRAY, data_type="float32", fill_value="0x7fc0"), "fill_value"),
    ("fill-nan-lowercase", _with(ARRAY, data_type="float64", fill_value="nan"), "fill_value"),
    ("fill-int-out-of-range", _with(ARRAY, data_type="int8", fill_value=128), "fill_value"),
    ("fill-uint-negative", _with(ARRAY, data_type="uint16", fill_value=-1), "fill_value"),
    ("fill-int-float", _with(ARRAY, fill_value=1.5), "fill_value"),
    ("fill-bool-int", _with(ARRAY, data_type="bool", fill_value=2), "fill_value"),
    ("fill-complex-scalar", _with(ARRAY, data_type="complex64", fill_value=1.0), "fill_value"),
    ("fill-missing", _with(ARRAY, fill_value=_DROP), "fill_value"),
    ("shape-missing", _with(ARRAY, shape=_DROP), "shape"),
    ("shape-negative", _with(ARRAY, shape=[-1, 6]), "shape"),
    (
        "chunk-rank-mismatch",
        _with(ARRAY, chunk_grid={"name": "regular", "configuration": {"chunk_shape": [2]}}),
        "chunk",
    ),
    # A chunk size of 0 is read as zarr-python 3.4 reads it, with a warning
    # (tests/dropin/test_metadata_repair.py); a negative one is refused.
    (
        "chunk-negative",
        _with(ARRAY, chunk_grid={"name": "regular", "configuration": {"chunk_shape": [-1, 3]}}),
        "chunk",
    ),
    (
        "separator-invalid",
        _with(ARRAY, chunk_key_encoding={"name": "default", "configuration": {"separator": "-"}}),
        "separator",
    ),
    ("dimension-names-length", _with(ARRAY, dimension_names=["x"]), "dimension_names"),
    ("zarr-format-2-in-zarr-json", _with(ARRAY, zarr_format=2), "zarr_format"),
    ("zarr-format-4", _with(ARRAY, zarr_format=4), "zarr_format"),
    ("node-type-unknown", _with(ARRAY, node_type="table"), "node_type"),
    ("attributes-not-object", _with(ARRAY, attributes=[1, 2]), "attributes"),
    ("shard-not-divisible", _sharded([3, 3], [4, 6]), "chunk_shape"),
    ("shard-rank-mismatch", _sharded([2], [4, 6]), "chunk_shape"),
    (
        "transpose-not-permutation",
        _with(
            ARRAY,
            codecs=[{"name": "transpose", "configuration": {"order": [0, 0]}}, {"name": "bytes"}],
        ),
        "order",
    ),
    (
        "bytes-endian-invalid",
        _with(ARRAY, codecs=[{"name": "bytes", "configuration": {"endian": "middle"}}]),
        "endian",
    ),
]

VALID: list[tuple[str, dict[str, Any]]] = [
    ("plain", ARRAY),
    (
        "unknown-key-must-understand-false",
        _with(ARRAY, spam={"name": "spam", "must_understand": False}),
    ),
    (
        "group-unknown-key-must-understand-false",
        _with(GROUP, spam={"name": "spam", "must_understand": False}),
    ),
    ("storage-transformers-empty", _with(ARRAY, storage_transformers=[])),
    ("fill-hex-float32", _with(ARRAY, data_type="float32", fill_value="0x7fc00000")),
    ("fill-nan", _with(ARRAY, data_type="float64", fill_value="NaN")),
    ("fill-neg-infinity", _with(ARRAY, data_type="float16", fill_value="-Infinity")),
    ("fill-int-max", _with(ARRAY, data_type="uint64", fill_value=2**64 - 1)),
    ("fill-complex-pair", _with(ARRAY, data_type="complex128", fill_value=["NaN", 1.5])),
    ("fill-int-as-float-integral", _with(ARRAY, fill_value=2.0)),
    ("dimension-names-null", _with(ARRAY, dimension_names=[None, "y"])),
    ("shard-divisible", _sharded([2, 3], [4, 6])),
    ("no-attributes", _with(ARRAY, attributes=_DROP)),
    ("group", GROUP),
]


def _write(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "node"
    path.mkdir()
    (path / "zarr.json").write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize(("doc", "names"), [p[1:] for p in INVALID], ids=[p[0] for p in INVALID])
def test_parse_v3_refuses(doc: dict[str, Any], names: str) -> None:
    from anyzarr.errors import MetadataValidationError
    from anyzarr.protocol.metadata import parse_v3

    with pytest.raises(MetadataValidationError, match=names):
        parse_v3(json.dumps(doc).encode(), "node")
    with pytest.raises(MetadataValidationError, match=names):
        parse_v3(doc, "node")


@pytest.mark.parametrize(("doc", "names"), [p[1:] for p in INVALID], ids=[p[0] for p in INVALID])
def test_open_refuses(doc: dict[str, Any], names: str, tmp_path: Path) -> None:
    import anyzarr
    from anyzarr.errors import MetadataValidationError

    path = _write(tmp_path, doc)
    opener = anyzarr.open_group if doc["node_type"] == "group" else anyzarr.open_array
    with pytest.raises(MetadataValidationError, match=names) as info:
        opener(store=str(path), mode="r")
    assert "zarr.json" in str(info.value)


@pytest.mark.parametrize("doc", [p[1] for p in VALID], ids=[p[0] for p in VALID])
def test_valid_variants_open(doc: dict[str, Any], tmp_path: Path) -> None:
    import anyzarr
    from anyzarr.protocol.metadata import parse_v3

    meta = parse_v3(doc, "node")
    assert meta.node_type == doc["node_type"]
    path = _write(tmp_path, doc)
    if doc["node_type"] == "group":
        assert dict(anyzarr.open_group(store=str(path), mode="r").attrs) == {}
    else:
        arr = anyzarr.open_array(store=str(path), mode="r")
        assert arr.shape == tuple(doc["shape"])
        assert arr[...].shape == tuple(doc["shape"])


# A backslash is not here: like zarr-python, anyzarr reads it as "/".
BAD_NAMES = ["__reserved", ".", "..", "a/../b", ""]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_invalid_node_names_are_refused(name: str, tmp_path: Path) -> None:
    """Node names: not empty, not "." or "..", no "__" prefix (v3 spec, "Node names")."""
    import anyzarr
    from anyzarr.errors import AnyzarrError

    group = anyzarr.open_group(store=str(tmp_path / "root"), mode="w")
    with pytest.raises((AnyzarrError, ValueError)):
        group.create_group(name)
    with pytest.raises((AnyzarrError, ValueError)):
        group.create_array(name, shape=(2,), dtype="int8")


def _open_and_list(lib: Any, path: Path) -> dict[str, Any]:
    return dict(lib.open_group(store=str(path), mode="r").members(max_depth=None))


def _consolidated_group(member: str) -> dict[str, Any]:
    return _with(
        GROUP,
        consolidated_metadata={
            "kind": "inline",
            "must_understand": False,
            "metadata": {member: ARRAY},
        },
    )


@pytest.mark.parametrize("member", ["../escape", "a/../../b", "/abs", "a//b"])
def test_consolidated_member_names_are_refused(member: str, tmp_path: Path) -> None:
    import anyzarr
    from anyzarr.errors import AnyzarrError

    path = _write(tmp_path, _consolidated_group(member))
    with pytest.raises(AnyzarrError, match=member.split("/")[-1] or member):
        _open_and_list(anyzarr, path)


def test_consolidated_member_plain_name_opens(tmp_path: Path) -> None:
    import anyzarr

    path = _write(tmp_path, _consolidated_group("a/b"))
    group = anyzarr.open_group(store=str(path), mode="r", use_consolidated=True)
    member: Any = group["a/b"]
    assert member.shape == (4, 6)
