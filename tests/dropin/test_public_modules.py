"""zarr-python 3.4's public modules exist in anyzarr with the same names."""

from __future__ import annotations

import importlib
import pickle

import numpy as np
import pytest

import anyzarr
from anyzarr.registry import (
    BadConfigError,
    get_buffer_class,
    get_chunk_key_encoding_class,
    get_codec_class,
    get_ndbuffer_class,
    get_numcodec,
    get_pipeline_class,
    register_codec,
)

MODULES = [
    "abc.store", "abc.codec", "abc.buffer", "abc.metadata", "abc.numcodec", "buffer",
    "buffer.cpu", "buffer.gpu", "registry", "types", "dtype", "errors", "storage", "codecs",
    "codecs.sharding", "codecs.bytes", "codecs.blosc", "codecs.gzip", "codecs.zstd",
    "codecs.crc32c_", "codecs.transpose", "codecs.vlen_utf8", "codecs.numcodecs",
    "codecs.cast_value", "codecs.scale_offset", "experimental.cache_store", "testing.store",
    "testing.utils", "testing.buffer",
]  # fmt: skip


@pytest.mark.interop
@pytest.mark.parametrize("name", MODULES)
def test_every_public_name_of_zarr_python_exists(name: str) -> None:
    zarr = pytest.importorskip("zarr")
    theirs = importlib.import_module(f"zarr.{name}")
    ours = importlib.import_module(f"anyzarr.{name}")
    assert zarr.__version__.startswith("3.4")
    wanted = set(getattr(theirs, "__all__", ()))
    assert not sorted(n for n in wanted if not n.startswith("_") and not hasattr(ours, n))


def test_registry_lookups() -> None:
    assert get_codec_class("blosc") is anyzarr.codecs.BloscCodec
    assert get_buffer_class() is anyzarr.buffer.cpu.Buffer
    assert get_ndbuffer_class() is anyzarr.buffer.cpu.NDBuffer
    assert get_pipeline_class() is not None
    assert get_chunk_key_encoding_class("v2").name == "v2"
    assert get_numcodec({"id": "zlib", "level": 1}).level == 1
    with pytest.raises(anyzarr.errors.UnknownCodecError, match="not available"):
        get_codec_class("no-such-codec")
    with pytest.raises(anyzarr.errors.UnknownCodecError):
        get_numcodec({"id": "no-such-numcodec"})
    with pytest.raises(KeyError):
        get_chunk_key_encoding_class("nope")


def test_registry_picks_the_configured_implementation() -> None:
    class OtherBytes(anyzarr.codecs.BytesCodec):
        pass

    register_codec("bytes", OtherBytes)
    try:
        with pytest.warns(anyzarr.errors.ZarrUserWarning, match="not configured"):
            assert get_codec_class("bytes") is OtherBytes
        qualname = f"{OtherBytes.__module__}.{OtherBytes.__qualname__}"
        with anyzarr.config.set({"codecs.bytes": qualname}):
            assert get_codec_class("bytes") is OtherBytes
        with anyzarr.config.set({"codecs.bytes": "no.such.Class"}), pytest.raises(BadConfigError):
            get_codec_class("bytes")
    finally:
        register_codec("bytes", anyzarr.codecs.BytesCodec)


def test_buffer_helpers() -> None:
    from anyzarr.buffer.cpu import as_numpy_array_wrapper, numpy_buffer_prototype

    proto = numpy_buffer_prototype()
    buf = proto.buffer.from_bytes(b"abc")
    out = as_numpy_array_wrapper(lambda a: bytes(a[::-1]), buf, proto)
    assert out.to_bytes() == b"cba"


def test_dtype_names() -> None:
    from anyzarr import dtype

    assert dtype.data_type_registry.match_dtype(np.dtype("i2")) == dtype.Int16()
    assert dtype.check_dtype_spec_v2({"name": "<i4", "object_codec_id": None})
    assert not dtype.check_dtype_spec_no_object_codec_v2({"name": "|O", "object_codec_id": "x"})
    assert dtype.Int32().to_native_dtype() == np.dtype("int32")
    assert dtype.Float64.from_native_dtype(np.dtype("f8")) == dtype.Float64()
    with pytest.raises(anyzarr.errors.DataTypeValidationError):
        dtype.Float64.from_native_dtype(np.dtype("i4"))
    with pytest.warns(anyzarr.errors.ZarrDeprecationWarning):
        assert dtype.DataTypeValidationError is anyzarr.errors.DataTypeValidationError


def test_managed_memory_store_by_name_and_pickle() -> None:
    from anyzarr.storage import ManagedMemoryStore

    store = ManagedMemoryStore(name="dropin-test", path="a/b")
    arr = anyzarr.create_array(store, shape=(3,), dtype="i4")
    arr[:] = 7
    again = ManagedMemoryStore.from_url("memory://dropin-test/a/b")
    assert again == store
    np.testing.assert_array_equal(anyzarr.open_array(again)[:], [7, 7, 7])
    assert "a/b/zarr.json" in ManagedMemoryStore("dropin-test")._store_dict
    assert pickle.loads(pickle.dumps(store)) == store
    assert str(store) == "memory://dropin-test/a/b"
    with pytest.raises(ValueError, match="not found"):
        ManagedMemoryStore.from_url("memory://never-made")
    with pytest.raises(ValueError, match="cannot contain '/'"):
        ManagedMemoryStore(name="a/b")


def test_cache_store_caches_reads_and_evicts() -> None:
    from anyzarr.experimental.cache_store import CacheStore
    from anyzarr.storage import MemoryStore

    source, cache = MemoryStore(), MemoryStore()
    store = CacheStore(source, cache_store=cache, max_size=300, cache_set_data=False)
    arr = anyzarr.create_array(store, shape=(100,), chunks=(25,), dtype="i4", compressors=None)
    arr[:] = np.arange(100)
    np.testing.assert_array_equal(arr[:], np.arange(100))
    first = store.cache_stats()
    np.testing.assert_array_equal(arr[:], np.arange(100))
    second = store.cache_stats()
    assert second["hits"] > first["hits"]
    assert store.cache_info()["current_size"] <= 300
    assert second["evictions"] >= 1  # four 100-byte chunks exceed 300 bytes
    with pytest.raises(ValueError, match="infinity"):
        CacheStore(source, cache_store=cache, max_age_seconds="forever")


def test_zip_store_with_read_only(tmp_path: object) -> None:
    from anyzarr.storage import ZipStore

    path = f"{tmp_path}/a.zip"
    with ZipStore(path, mode="w") as store:
        anyzarr.create_array(store, shape=(2,), dtype="u1")[:] = [1, 2]
    reader = ZipStore(path, mode="a").with_read_only(True)
    assert reader.read_only
    np.testing.assert_array_equal(anyzarr.open_array(reader, mode="r")[:], [1, 2])
