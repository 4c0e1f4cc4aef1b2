"""Behaviour zarr-python 3.4's own suite expects (found by scripts/peer_suite.py)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import anyzarr as zarr
from anyzarr import errors
from anyzarr.storage import MemoryStore


@pytest.mark.parametrize("dtype", ["f2", "f8", "c8"])
def test_negative_zero_is_not_all_equal_to_zero(dtype: str) -> None:
    from anyzarr.buffer.cpu import NDBuffer

    negative = NDBuffer.from_numpy_array(np.full(3, -0.0, dtype=dtype))
    assert not negative.all_equal(0.0)
    assert negative.all_equal(-0.0)
    assert NDBuffer.from_numpy_array(np.zeros(3, dtype=dtype)).all_equal(0.0)


def test_generic_time_units_keep_their_scale() -> None:
    from anyzarr.buffer.cpu import NDBuffer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # numpy deprecates 'generic'
        dtype = np.dtype("m8[2generic]")
        assert NDBuffer.empty((2,), dtype).dtype == dtype
        made = NDBuffer.create(shape=(2,), dtype=dtype, fill_value=3).as_numpy_array()
        assert made.dtype == dtype


def test_create_writes_data() -> None:
    arr = zarr.create(shape=(3,), dtype="i4", data=np.arange(3))
    np.testing.assert_array_equal(arr[:], [0, 1, 2])


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_like_functions_copy_the_codecs_of_the_same_format(zarr_format: Any) -> None:
    source = zarr.create_array(
        MemoryStore(),
        shape=(4,),
        chunks=(2,),
        dtype="i4",
        compressors=[zarr.codecs.GzipCodec(level=3)] if zarr_format == 3 else None,
        zarr_format=zarr_format,
    )
    like = zarr.zeros_like(source)
    assert like.metadata.zarr_format == zarr_format
    assert like.compressors == source.compressors
    other = zarr.zeros_like(source, zarr_format=5 - zarr_format)
    assert other.metadata.zarr_format == 5 - zarr_format


def test_chunk_sizes_are_clipped_per_axis() -> None:
    arr = zarr.create_array(MemoryStore(), shape=(5, 0), chunks=(2, 2), shards=(4, 2), dtype="u1")
    assert arr.read_chunk_sizes == ((2, 2, 1), ())
    assert arr.write_chunk_sizes == ((4, 1), ())


def test_get_array_and_get_group() -> None:
    root = zarr.group(MemoryStore())
    root.create_group("g")
    root.create_array("a", shape=(1,), dtype="u1")
    assert isinstance(root.get_group("g"), zarr.Group)
    assert isinstance(root.get_array("a"), zarr.Array)
    with pytest.raises(errors.ArrayNotFoundError):
        root.get_array("missing")
    with pytest.raises(errors.ContainsGroupError):
        root.get_array("g")
    with pytest.raises(errors.GroupNotFoundError):
        root.get_group("missing")
    with pytest.raises(errors.ContainsArrayError):
        root.get_group("a")


def test_deleting_a_member_updates_consolidated_metadata() -> None:
    store = MemoryStore()
    root = zarr.group(store)
    root.create_group("g")
    root.create_group("h")
    zarr.consolidate_metadata(store)
    root = zarr.open_group(store, use_consolidated=True)
    del root["g"]
    assert set(root.metadata.consolidated_metadata.metadata) == {"h"}
    reopened = zarr.open_group(store, use_consolidated=True)
    assert set(reopened.metadata.consolidated_metadata.metadata) == {"h"}


async def _replace(group: zarr.Group) -> zarr.Group:
    return await group.update_attributes_async({"b": 2})


@pytest.mark.anyio
async def test_update_attributes_async_replaces_as_zarr_python_does() -> None:
    store = MemoryStore()
    root = zarr.group(store, attributes={"a": 1})
    assert dict((await _replace(root)).attrs) == {"b": 2}
    assert dict(root.attrs) == {"b": 2}
    assert dict(zarr.open_group(store, mode="r").attrs) == {"b": 2}
    # update_attributes merges.
    assert dict(root.update_attributes({"c": 3}).attrs) == {"b": 2, "c": 3}


def test_member_errors() -> None:
    root = zarr.group(MemoryStore(), zarr_format=2)
    with pytest.raises(ValueError, match="max_depth"):
        root.members(max_depth=-1)
    with pytest.raises(ValueError, match="zarr_format=3"):
        root.zeros(name="a", shape=(1,), dtype="u1", zarr_format=3)
    root.create_array("b", shape=(2,), dtype="u1")
    with pytest.raises(TypeError, match="Incompatible shape"):
        root.require_array("b", shape=(3,), dtype="u1")
    with pytest.raises(TypeError, match="Incompatible dtype"):
        root.require_array("b", shape=(2,), dtype="i1")


def test_an_array_parent_refuses_children_before_writing() -> None:
    store = MemoryStore()
    zarr.create_array(store, name="a", shape=(1,), dtype="u1")
    before = dict(store._store_dict)
    with pytest.raises(errors.ContainsArrayError, match="only groups may have child nodes"):
        zarr.create_array(store, name="a/b", shape=(1,), dtype="u1")
    assert dict(store._store_dict) == before


def test_the_latest_codec_registration_is_the_default() -> None:
    from anyzarr.registry import get_codec_class, register_codec

    class Mine(zarr.codecs.BytesCodec):
        pass

    register_codec("bytes", Mine)
    register_codec("bytes", zarr.codecs.BytesCodec)
    with pytest.warns(errors.ZarrUserWarning):
        assert get_codec_class("bytes") is zarr.codecs.BytesCodec


def test_save_checks_every_argument_before_replacing_anything() -> None:
    store = MemoryStore()
    zarr.save_group(store, a=np.arange(2))
    before = dict(store._store_dict)
    with pytest.raises(ValueError, match="at least one array must be provided"):
        zarr.save(store)
    with pytest.raises(TypeError, match="'b' must be a numpy or other NDArrayLike array"):
        zarr.save_group(store, a=np.arange(2), b="text")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="data type resolution"):
        zarr.save_group(store, a=np.arange(2), b=np.array([object()]))
    with pytest.raises(ValueError, match="mode is 'w'"):
        zarr.save_group(store.with_read_only(True), a=np.arange(2))
    assert dict(store._store_dict) == before


def test_save_takes_storage_options_as_an_option() -> None:
    store = MemoryStore()
    zarr.save(store, np.arange(3), storage_options=None)
    assert isinstance(zarr.open(store, mode="r"), zarr.Array)


def test_array_config_is_checked() -> None:
    with pytest.raises(TypeError, match=r"Unknown array config keys: \['nope'\]"):
        zarr.zeros((2,), config={"nope": 1})
    with pytest.raises(ValueError, match="Expected instance of bool"):
        zarr.zeros((2,), config={"read_missing_chunks": "yes"})
    with pytest.raises(ValueError, match="Expected int"):
        zarr.zeros((2,), config={"sharding_coalesce_max_bytes": 1.5})


def test_open_refuses_an_array_config_for_a_group() -> None:
    store = MemoryStore()
    zarr.group(store)
    with pytest.raises(TypeError, match="resolves to a group"):
        zarr.open(store, mode="a", config={"order": "F"})


def test_create_argument_types() -> None:
    with pytest.raises(TypeError, match="Expected an iterable of integers"):
        zarr.create(shape=(2.5,))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Chunk specification must be an integer"):
        zarr.create(shape=(4,), chunks=(1.5,))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^create\(\) got an unexpected keyword argument 'typo'"):
        zarr.create(shape=(4,), typo=1)  # type: ignore[call-arg]
    with pytest.raises(errors.MetadataValidationError, match="Expected 2, 3, or None"):
        zarr.open_group(MemoryStore(), zarr_format="3.0")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Cannot use a BytesBytesCodec as a compressor"):
        zarr.create(shape=(4,), zarr_format=2, compressor=zarr.codecs.GzipCodec())
    with pytest.raises(ValueError, match="Invalid mode: x"):
        zarr.create(shape=(4,), store=MemoryStore(), mode="x")  # type: ignore[call-arg]


def test_array_takes_the_shape_of_its_data() -> None:
    assert zarr.array(np.zeros((4, 4)), shape=(9,)).shape == (4, 4)


@pytest.mark.parametrize("existing_format", [None, 2, 3])
def test_open_like_does_not_inherit_the_format(existing_format: Any) -> None:
    source = zarr.zeros((4,), dtype="i4", zarr_format=2)
    store = MemoryStore()
    if existing_format is not None:
        zarr.create_array(store, name="x", shape=(4,), dtype="i4", zarr_format=existing_format)
    opened = zarr.open_like(source, path="x", store=store)
    assert opened.metadata.zarr_format == (
        existing_format or zarr.config.get("default_zarr_format")
    )


@pytest.mark.parametrize(
    ("zarr_format", "kwargs", "message"),
    [
        (3, {"dimension_separator": "/"}, "dimension_separator cannot be used"),
        (3, {"filters": []}, "filters cannot be used"),
        (3, {"compressor": None}, "compressor cannot be used"),
        (2, {"codecs": []}, "codecs cannot be used"),
        (2, {"chunk_key_encoding": {"name": "v2"}}, "chunk_key_encoding cannot be used"),
        (2, {"dimension_names": ["x"]}, "dimension_names cannot be used"),
        (3, {"chunk_shape": (1,), "chunks": (2,)}, "Only one of chunk_shape or chunks"),
    ],
)
def test_create_refuses_keywords_of_the_other_format(
    zarr_format: Any, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        zarr.create(shape=(4,), zarr_format=zarr_format, **kwargs)


def test_create_takes_a_chunk_key_encoding_pair() -> None:
    arr = zarr.create(shape=(4,), chunks=(2,), chunk_key_encoding=("default", "."))
    assert arr.metadata.chunk_key_encoding.separator == "."


def test_from_array_refuses_to_overwrite_its_own_source() -> None:
    store = MemoryStore()
    src = zarr.create_array(store, name="g/a", data=np.arange(4.0))
    for dest in ("g/a", "g", "", "g/a/c"):
        with pytest.raises(ValueError, match="paths overlap"):
            zarr.from_array(store, name=dest, data=src, overwrite=True)
    view = zarr.open_array(store.with_read_only(True), path="g/a")
    with pytest.raises(ValueError, match="paths overlap"):
        zarr.from_array(store, name="g/a", data=view, overwrite=True)
    np.testing.assert_array_equal(src[:], np.arange(4.0))
    # Another store with equal contents is another place.
    other = MemoryStore()
    zarr.create_array(other, name="g/a", data=np.arange(4.0))
    zarr.from_array(other, name="g/a", data=src, overwrite=True)


def test_from_array_copies_what_it_keeps() -> None:
    src = zarr.create_array(
        MemoryStore(),
        shape=(4,),
        dtype="i4",
        attributes={"nested": {"x": [1]}},
        zarr_format=2,
        order="F",
        chunk_key_encoding={"name": "v2", "separator": "/"},
    )
    copy = zarr.from_array(MemoryStore(), data=src)
    copy.attrs["nested"]["x"].append(2)
    assert src.attrs["nested"] == {"x": [1]}
    assert copy.metadata.dimension_separator == "/"
    with pytest.warns(errors.ZarrUserWarning, match="order='F'"):
        zarr.from_array(MemoryStore(), data=src, zarr_format=3)


def test_with_config_changes_only_the_settings_named() -> None:
    arr = zarr.create_array({}, shape=(1,), dtype="u1", config={"order": "F"})
    changed = arr.with_config({"write_empty_chunks": True})
    assert (changed.config.order, changed.config.write_empty_chunks) == ("F", True)


def test_shape_errors_are_value_errors() -> None:
    arr = zarr.zeros((2, 2))
    with pytest.raises(ValueError, match="same number of dimensions"):
        arr.resize((4,))
    with pytest.raises(ValueError):
        arr.append(np.zeros(2))


def test_subgroups_share_their_parents_consolidated_view() -> None:
    store = MemoryStore()
    root = zarr.create_group(store)
    root.create_group("sub").create_array("b", shape=(4,), dtype="i4")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", errors.ZarrUserWarning)
        zarr.consolidate_metadata(store)
    group = zarr.open_group(store, mode="r+", use_consolidated=True)
    sub = group["sub"]
    assert isinstance(sub, zarr.Group)
    del sub["b"]
    assert "b" not in sub
    assert "b" not in group["sub"]
    with pytest.raises(KeyError):
        group["sub/b"]


def test_require_array_applies_and_checks_its_config() -> None:
    group = zarr.group(MemoryStore())
    group.create_array("a", shape=(4,), dtype="u1")
    assert group.require_array("a", shape=(4,), dtype="u1", config={"order": "F"}).order == "F"
    with pytest.raises(TypeError, match="Unknown array config keys"):
        group.require_array("a", shape=(4,), dtype="u1", config={"nope": 1})
    with pytest.raises(TypeError, match="Incompatible object"):
        group.require_group("a")


def test_zip_store_over_a_file_object(tmp_path: Any) -> None:
    import io
    import pickle

    from anyzarr.storage import ZipStore

    buffer = io.BytesIO()
    store = ZipStore(buffer, mode="w")
    zarr.create_array(store, data=np.arange(4), chunks=(2,))
    store.close()  # a plain call closes, as zarr-python's does
    assert store.path is None
    reader = ZipStore(io.BytesIO(buffer.getvalue()), mode="r")
    np.testing.assert_array_equal(zarr.open_array(reader, mode="r")[:], np.arange(4))
    assert str(reader).startswith("zip://<")
    assert reader != ZipStore(io.BytesIO(buffer.getvalue()), mode="r")
    with pytest.raises(TypeError, match="file-like"):
        pickle.dumps(reader)
    with pytest.raises(TypeError, match="read/seek/tell"):
        ZipStore(42, mode="r")  # type: ignore[arg-type]

    class OnlyReads:
        def __init__(self, data: bytes) -> None:
            self._buffer = io.BytesIO(data)

        def read(self, size: int, /) -> bytes:
            return self._buffer.read(size)

        def seek(self, pos: int, whence: int = 0, /) -> int:
            return self._buffer.seek(pos, whence)

        def tell(self) -> int:
            return self._buffer.tell()

    adapted = ZipStore(OnlyReads(buffer.getvalue()), mode="r")  # type: ignore[arg-type]
    np.testing.assert_array_equal(zarr.open_array(adapted, mode="r")[:], np.arange(4))
    with pytest.raises(TypeError, match="opened for reading"):
        ZipStore(OnlyReads(buffer.getvalue()), mode="a")  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_zip_store_close_is_awaitable_too(tmp_path: Any) -> None:
    from anyzarr.storage import ZipStore

    store = ZipStore(tmp_path / "a.zip", mode="w")
    await store.set("k", zarr.buffer.cpu.Buffer.from_bytes(b"v"))
    await store.close()
    assert (tmp_path / "a.zip").stat().st_size > 0
    # A store in mode "x" that never opened does not touch a file it did not make.
    with pytest.raises(FileExistsError):
        await ZipStore(tmp_path / "a.zip", mode="x").clear()
    with pytest.raises(FileExistsError):
        await ZipStore(tmp_path / "a.zip", mode="x").move(tmp_path / "b.zip")
    assert (tmp_path / "a.zip").exists()
    assert not (tmp_path / "b.zip").exists()


def test_numcodecs_filters_take_the_array_dtype() -> None:
    from anyzarr.codecs import numcodecs as nc

    arr = zarr.create_array(
        {},
        shape=(8,),
        dtype="f4",
        filters=[nc.Quantize(digits=3), nc.FixedScaleOffset(offset=0, scale=10)],
    )
    configs = [f.to_dict()["configuration"] for f in arr.filters]
    assert [c["dtype"] for c in configs] == ["float32", "float32"]
    assert repr(nc.LZ4(level=5)) == "LZ4(codec_name='numcodecs.lz4', codec_config={'level': 5})"
    with pytest.raises(ValueError, match="requires bool dtype"):
        zarr.create_array({}, shape=(8,), dtype="u4", filters=[nc.PackBits()])


def test_cast_value_module_names() -> None:
    from anyzarr.codecs import cast_value

    assert cast_value.parse_scalar_map({"encode": [("NaN", 0)]}) == {"encode": {"NaN": 0}}
    assert cast_value.CAST_VALUE_RS_MIN_VERSION == "0.4.2"
    from anyzarr.protocol.codecs._cast_value import backend_version_problem

    for fine in ("0.4.2", "0.4.3", "1.0", "0.4.2.post1", None):
        assert backend_version_problem(fine) is None
    for bad in ("0.4.1", "0.3.0", "0.4.2.dev1", "0.4.2rc1"):
        assert "0.4.2" in (backend_version_problem(bad) or "")


def test_a_sharding_codec_among_others_warns_once_per_open() -> None:
    store = MemoryStore()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", errors.ZarrUserWarning)
        zarr.create_array(
            store,
            shape=(16,),
            dtype="u1",
            serializer=zarr.codecs.ShardingCodec(chunk_shape=(8,)),
            compressors=[zarr.codecs.GzipCodec()],
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        zarr.open_array(store, mode="r")
    assert len([w for w in caught if "disables partial reads" in str(w.message)]) == 1


def test_ndbuffer_items_are_views_and_scalars_are_checked() -> None:
    from anyzarr.buffer.cpu import NDBuffer

    data = np.full((3, 4), b"x" * 10)
    item = NDBuffer.from_numpy_array(data)[1, 2].as_numpy_array()
    assert item.shape == ()
    assert np.shares_memory(item, data)
    with pytest.raises(ValueError, match="does not contain a single scalar value"):
        NDBuffer.from_numpy_array(np.zeros(2)).as_scalar()


@pytest.mark.parametrize("fill", [0, 7, "NaT"])
@pytest.mark.parametrize("byteorder", ["<", ">"])
def test_generic_datetimes_fill_by_count(fill: Any, byteorder: str) -> None:
    from anyzarr.buffer.cpu import NDBuffer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # numpy deprecates 'generic'
        dtype = np.dtype(f"{byteorder}M8[2generic]")
        made = NDBuffer.create(shape=(2,), dtype=dtype, fill_value=fill).as_numpy_array()
    assert made.dtype == dtype
    expected = -(2**63) if fill == "NaT" else fill
    np.testing.assert_array_equal(made.view(f"{byteorder}i8"), [expected, expected])


def test_wrapper_stores_describe_themselves_as_zarr_python_does(tmp_path: Any) -> None:
    from anyzarr.storage import LocalStore, LoggingStore, WrapperStore

    inner = LocalStore(tmp_path)
    url = f"file://{tmp_path.as_posix()}"
    assert repr(WrapperStore(inner)) == f"WrapperStore(LocalStore, '{url}')"
    assert str(WrapperStore(inner)) == f"wrapping-{url}"
    assert repr(LoggingStore(inner)) == f"LoggingStore(LocalStore, '{url}')"
    assert str(LoggingStore(inner)) == f"logging-{url}"
    with pytest.raises(NotImplementedError, match="must be opened via the `_open` method"):
        WrapperStore(inner)._is_open = True


def test_storage_default_compressor_is_deprecated_and_ignored() -> None:
    import anyzarr.storage

    with pytest.warns(errors.ZarrDeprecationWarning, match="default_compressor is deprecated"):
        anyzarr.storage.default_compressor = "zstd"  # type: ignore[attr-defined]
    assert not hasattr(anyzarr.storage, "default_compressor")


def test_short_void_fill_values_are_padded() -> None:
    arr = zarr.create_array({}, shape=(2,), dtype="V4", fill_value=b"X", zarr_format=2)
    assert arr.fill_value.tobytes() == b"X\x00\x00\x00"


def test_automatic_shards_warn_as_experimental() -> None:
    with pytest.warns(errors.ZarrUserWarning, match="Automatic shard shape inference"):
        arr = zarr.create_array({}, shape=(64,), chunks=(4,), dtype="u1", shards="auto")
    assert arr.shards is not None


def test_padded_records_are_packed_with_one_warning() -> None:
    from numpy.lib.recfunctions import repack_fields

    dtype = np.dtype([("a", "i8"), ("nested", np.dtype([("x", "i1"), ("y", "i8")], align=True))])
    data = np.ones(3, dtype=dtype)
    store = MemoryStore()
    with pytest.warns(errors.ZarrUserWarning, match="packed field layout") as record:
        zarr.create_array(store, data=data, chunks=(2,))
    assert len([w for w in record if issubclass(w.category, errors.ZarrUserWarning)]) == 1
    expected = repack_fields(data, recurse=True)
    np.testing.assert_array_equal(zarr.open_array(store)[:], expected)
