"""Regression tests for the differences from zarr-python 3.4 that issue 14 found."""

from __future__ import annotations

import pickle
import sys
import textwrap

import numpy as np
import pytest

import anyzarr as zarr
import anyzarr.storage
from anyzarr import errors


def test_field_name_on_a_plain_array_is_an_index_error() -> None:
    arr = zarr.zeros((3,), dtype="i4")
    with pytest.raises(IndexError, match="no fields"):
        arr["foo"]
    structured = zarr.zeros((3,), dtype=[("a", "i4")])
    with pytest.raises(IndexError, match="foo"):
        structured["foo"]


@pytest.mark.anyio
async def test_field_name_through_the_async_api_is_an_index_error() -> None:
    arr = await zarr.api.asynchronous.zeros(shape=(3,), dtype="i4")
    with pytest.raises(IndexError):
        await arr.getitem("foo")


def test_open_consolidated_refuses_use_consolidated_false_with_a_type_error() -> None:
    store = zarr.storage.MemoryStore()
    zarr.group(store)
    zarr.consolidate_metadata(store)
    with pytest.raises(TypeError, match="use_consolidated"):
        zarr.open_consolidated(store, use_consolidated=False)  # type: ignore[arg-type]


def test_open_array_without_mode_on_nothing_is_array_not_found() -> None:
    store = zarr.storage.MemoryStore()
    with pytest.raises(errors.ArrayNotFoundError):
        zarr.open_array(store)
    # An explicit "a" still means "open or create", which needs a shape.
    with pytest.raises(TypeError, match="shape"):
        zarr.open_array(store, mode="a")
    assert zarr.open_array(store, mode="a", shape=(2,), dtype="u1").shape == (2,)


@pytest.mark.parametrize(
    ("cls", "text"),
    [
        (errors.ArrayNotFoundError, "No array found in store 'store' at path 'path'"),
        (errors.GroupNotFoundError, "No group found in store 'store' at path 'path'"),
        (errors.ContainsArrayError, "An array exists in store 'store' at path 'path'."),
        (errors.ContainsGroupError, "A group exists in store 'store' at path 'path'."),
    ],
)
def test_error_messages_are_built_from_arguments(cls: type[Exception], text: str) -> None:
    error = cls("store", "path")
    assert str(error) == text
    assert isinstance(error, errors.BaseZarrError)
    assert str(cls("just a message")) == "just a message"


def test_both_nodes_error_names_store_and_path() -> None:
    text = str(errors.ContainsArrayAndGroupError("s", "p"))
    assert text.startswith("Array and group metadata documents (.zarray and .zgroup)")
    assert "'s' at path 'p'" in text


def test_metadata_validation_error_three_argument_form() -> None:
    error = errors.MetadataValidationError("zarr_format", "3", "4")
    assert str(error) == "Invalid value for 'zarr_format'. Expected '3'. Got '4'."


def test_every_zarr_error_name_is_public_and_raised_types_derive_from_zarrs() -> None:
    zarr_names = {
        "ArrayIndexError", "ArrayNotFoundError", "BaseZarrError", "BoundsCheckError",
        "ChunkNotFoundError", "ContainsArrayAndGroupError", "ContainsArrayError",
        "ContainsGroupError", "DataTypeValidationError", "GroupNotFoundError",
        "MetadataValidationError", "NegativeStepError", "NodeTypeValidationError",
        "PickleCodecDisabledError", "UnknownCodecError", "UnstableSpecificationWarning",
        "VindexInvalidSelectionError", "ZarrDeprecationWarning", "ZarrFutureWarning",
        "ZarrRuntimeWarning",
    }  # fmt: skip
    assert zarr_names <= set(errors.__all__)
    for name in errors.__all__:
        assert getattr(errors, name) is not None
    for name in ("ChunkNotFoundError", "RemoteStoreError", "ShapeRequiredError"):
        assert issubclass(getattr(errors, name), Exception)
    assert issubclass(errors.UnstableSpecificationWarning, errors.ZarrFutureWarning)
    assert issubclass(errors.UnsafeCodecError, errors.PickleCodecDisabledError)


@pytest.mark.parametrize(
    "key",
    [
        "array.v2_default_compressor.numeric",
        "array.v2_default_filters.bytes",
        "array.v3_default_serializer.string",
        "array.v3_default_compressors",
    ],
)
def test_removed_config_keys_raise_value_error_naming_the_replacement(key: str) -> None:
    with pytest.raises(ValueError, match=f"'{key}' has been removed; use the"):
        zarr.config.set({key: "zstd"})
    with pytest.raises(ValueError, match="argument of create_array"):
        zarr.config.get(key)


def _tree_group() -> zarr.Group:
    g = zarr.group(path="root")
    a = g.create_group("A")
    a.create_array(name="x", shape=(2,), dtype="float64")
    g.create_group("B").create_array(name="y", shape=(0,), dtype="int8")
    return g


def test_tree_plain_and_bold(monkeypatch: pytest.MonkeyPatch) -> None:
    g = _tree_group()
    plain = textwrap.dedent("""\
        /root
        ├── A
        │   └── x (2,) float64
        └── B
            └── y (0,) int8
        """)
    assert repr(g.tree(plain=True)) == plain
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    bold = repr(g.tree())
    assert "\x1b[1mA\x1b[0m" in bold
    assert repr(g.tree(plain=True)) == plain
    html = g.tree()._repr_mimebundle_()["text/html"]
    assert "<b>A</b>" in html
    assert "<b>" not in g.tree(plain=True)._repr_mimebundle_()["text/html"]


def test_tree_max_nodes_truncates_with_a_note() -> None:
    g = zarr.group()
    for name in "abcde":
        g.create_group(name)
    text = repr(g.tree(max_nodes=3, plain=True))
    assert "Truncated at max_nodes=3" in text
    assert sum("──" in line for line in text.splitlines()) == 3
    assert "Truncated" not in repr(g.tree(plain=True))


def test_tree_expand_true_is_not_supported_as_in_zarr_python() -> None:
    with pytest.raises(NotImplementedError):
        zarr.group().tree(expand=True)


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_consolidated_metadata_nests_children_under_their_group(zarr_format: int) -> None:
    store = zarr.storage.MemoryStore()
    g = zarr.group(store, zarr_format=zarr_format)  # type: ignore[arg-type]
    g.create_group("a").create_array("x", shape=(2,), dtype="i1")
    g["a"].create_group("b")
    g.create_array("y", shape=(1,), dtype="i1")
    zarr.consolidate_metadata(store)
    consolidated = zarr.open_consolidated(store).metadata.consolidated_metadata
    assert consolidated is not None
    assert sorted(consolidated.metadata) == ["a", "y"]
    inner = consolidated.metadata["a"].consolidated_metadata
    assert inner is not None
    assert sorted(inner.metadata) == ["b", "x"]
    assert sorted(consolidated.flattened_metadata) == ["a", "a/b", "a/x", "y"]
    assert [name for name, _ in zarr.open_consolidated(store)["a"].members()] == ["b", "x"]


def test_storage_module_pickles_by_name() -> None:
    assert pickle.loads(pickle.dumps(anyzarr.storage)) is anyzarr.storage


def test_asyncarray_oindex_and_vindex_read_and_write() -> None:
    import anyio

    async def main() -> None:
        arr = await zarr.api.asynchronous.zeros(shape=(4, 5), chunks=(2, 2), dtype="i4")
        await arr.oindex.setitem(([0, 2], slice(None)), 7)
        got = await arr.oindex.getitem(([0, 1, 2], [0, 4]))
        np.testing.assert_array_equal(got, [[7, 7], [0, 0], [7, 7]])
        points = (np.array([1, 3]), np.array([1, 4]))
        await arr.vindex.setitem(points, 9)
        np.testing.assert_array_equal(await arr.vindex.getitem(points), [9, 9])
        mask = np.zeros((4, 5), dtype=bool)
        mask[3, 0] = True
        await arr.vindex.setitem(mask, 5)
        np.testing.assert_array_equal(await arr.vindex.getitem(mask), [5])
        with pytest.raises(IndexError):
            await arr.vindex.getitem(np.zeros((2, 2), dtype=bool))

    anyio.run(main)
