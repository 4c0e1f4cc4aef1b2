"""``anyzarr.codecs``: zarr-python 3's ``zarr.codecs`` names over anyzarr's codec classes."""

from __future__ import annotations

import enum
import importlib
import json
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pytest

import anyzarr
import anyzarr.protocol.codecs as protocol_codecs
from anyzarr import codecs as ac
from anyzarr.codecs import (
    BloscCname,
    BloscCodec,
    BloscShuffle,
    BytesCodec,
    Crc32cCodec,
    Endian,
    GzipCodec,
    ShardingCodec,
    ShardingCodecIndexLocation,
    TransposeCodec,
    VLenBytesCodec,
    VLenUTF8Codec,
    ZstdCodec,
)
from anyzarr.errors import MetadataValidationError
from anyzarr.protocol.metadata import metadata_documents
from anyzarr.storage import LocalStore, MemoryStore

zarr = pytest.importorskip("zarr")

# What ``from anyzarr.codecs import ...`` gave, by name.
IMPORTED_CODECS: dict[str, type[protocol_codecs.Codec]] = {
    "BloscCodec": BloscCodec,
    "BytesCodec": BytesCodec,
    "Crc32cCodec": Crc32cCodec,
    "GzipCodec": GzipCodec,
    "ShardingCodec": ShardingCodec,
    "TransposeCodec": TransposeCodec,
    "VLenBytesCodec": VLenBytesCodec,
    "VLenUTF8Codec": VLenUTF8Codec,
    "ZstdCodec": ZstdCodec,
}
ENUMS: list[type[Any]] = [BloscCname, BloscShuffle, Endian, ShardingCodecIndexLocation]
SHAPE = (16, 12)


# -- names ---------------------------------------------------------------------


@pytest.mark.interop
def test_exports_are_zarr_pythons() -> None:
    assert set(ac.__all__) == set(zarr.codecs.__all__)
    for module in ("blosc", "bytes", "gzip", "zstd", "crc32c_", "transpose", "vlen_utf8"):
        ours = importlib.import_module(f"anyzarr.codecs.{module}")
        theirs = importlib.import_module(f"zarr.codecs.{module}")
        public = {
            n
            for n in dir(theirs)
            if n.endswith(("Codec", "Cname", "Shuffle", "Endian"))
            and getattr(getattr(theirs, n), "__module__", "") == theirs.__name__
        }
        assert public <= set(dir(ours)), module


@pytest.mark.parametrize("name", list(IMPORTED_CODECS))
def test_codec_names_are_the_protocol_classes(name: str) -> None:
    cls = getattr(protocol_codecs, name)
    assert IMPORTED_CODECS[name] is cls
    assert getattr(anyzarr.codecs, name) is cls
    assert name in ac.__all__
    assert protocol_codecs.get_codec_class(cls.codec_name) is cls


def test_codecs_is_a_top_level_attribute_without_importing_the_submodule() -> None:
    code = "import anyzarr as zarr; print(zarr.codecs.BloscCodec.codec_name)"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "blosc"
    assert "codecs" in anyzarr.__all__


def _zarr_members(zarr_enum: Any) -> dict[str, str]:
    """Member names and values of one of zarr-python's option enums."""
    if isinstance(zarr_enum, enum.EnumMeta):  # zarr-python before 3.4
        old: list[enum.Enum] = list(zarr_enum)
        return {m.name: str(m.value) for m in old}
    # zarr-python 3.4 keeps the members in a mapping and warns when one is used.
    members = vars(zarr_enum)["_members"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return {name: getattr(zarr_enum, name) for name in members}


@pytest.mark.interop
@pytest.mark.parametrize("cls", ENUMS, ids=lambda c: c.__name__)
def test_option_classes_have_zarr_pythons_members(cls: type[Any]) -> None:
    assert _zarr_members(cls) == _zarr_members(getattr(zarr.codecs, cls.__name__))
    for name, value in _zarr_members(cls).items():
        assert name == value
        with pytest.warns(DeprecationWarning, match=rf"{cls.__name__}\.{name} is deprecated"):
            assert getattr(cls, name) == value
    with pytest.raises(AttributeError):
        cls.not_a_member  # noqa: B018


@pytest.mark.interop
def test_blosc_shuffle_from_int_matches_zarr_python() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        theirs = [str(zarr.codecs.BloscShuffle.from_int(n)) for n in range(3)]
    assert [BloscShuffle.from_int(n) for n in range(3)] == theirs
    with pytest.raises(ValueError, match="Got 3"):
        BloscShuffle.from_int(3)


# -- enum arguments --------------------------------------------------------------


def test_codecs_keep_the_plain_string_of_an_enum_argument() -> None:
    class Cname(enum.StrEnum):
        lz4 = "lz4"

    class Where(enum.Enum):
        start = "start"

    with pytest.warns(DeprecationWarning, match=r"Passing an enum to BloscCodec"):
        blosc = BloscCodec(cname=Cname.lz4, shuffle="bitshuffle")
    assert type(blosc.cname) is str
    assert blosc == BloscCodec(cname="lz4", shuffle="bitshuffle")
    assert repr(blosc) == repr(BloscCodec(cname="lz4", shuffle="bitshuffle"))
    with pytest.warns(DeprecationWarning, match=r"Passing an enum to ShardingCodec"):
        shard = ShardingCodec(chunk_shape=(2,), index_location=Where.start)  # type: ignore[arg-type]
    assert type(shard.index_location) is str
    assert shard.to_dict() == ShardingCodec(chunk_shape=(2,), index_location="start").to_dict()


def test_bad_values_are_still_rejected() -> None:
    with pytest.raises(MetadataValidationError, match="cname"):
        BloscCodec(cname="lz5")
    with pytest.raises(MetadataValidationError, match="endian"):
        BytesCodec(endian="middle")
    with pytest.raises(MetadataValidationError, match="index_location"):
        ShardingCodec(chunk_shape=(2,), index_location="middle")


# -- arrays made with these codecs -------------------------------------------------

# Each case builds create_array arguments from a codecs module, with the option
# enums or with plain strings, so the same case runs with anyzarr's enums,
# anyzarr's strings and zarr-python's codec classes.
Case = Callable[[Any, bool], dict[str, Any]]


def _opt(c: Any, enums: bool, enum_name: str, value: str) -> Any:
    if not enums:
        return value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # deprecated, as in zarr-python 3.4
        return getattr(getattr(c, enum_name), value)


def _blosc(c: Any, e: bool) -> dict[str, Any]:
    return {
        "dtype": "f8",
        "serializer": c.BytesCodec(endian=_opt(c, e, "Endian", "big")),
        "compressors": c.BloscCodec(
            cname=_opt(c, e, "BloscCname", "lz4"),
            clevel=3,
            shuffle=_opt(c, e, "BloscShuffle", "bitshuffle"),
        ),
    }


def _blosc_from_dtype(c: Any, e: bool) -> dict[str, Any]:
    # typesize and shuffle left open: filled in from the data type.
    return {"dtype": "i2", "compressors": c.BloscCodec(cname=_opt(c, e, "BloscCname", "zstd"))}


def _zstd(c: Any, e: bool) -> dict[str, Any]:
    return {"dtype": "i4", "compressors": [c.ZstdCodec(level=3, checksum=True), c.Crc32cCodec()]}


def _gzip(c: Any, e: bool) -> dict[str, Any]:
    return {
        "dtype": "u2",
        "serializer": c.BytesCodec(endian=_opt(c, e, "Endian", "little")),
        "compressors": c.GzipCodec(level=6),
    }


def _sharding(c: Any, e: bool) -> dict[str, Any]:
    inner = [
        c.BytesCodec(endian=_opt(c, e, "Endian", "big")),
        c.BloscCodec(cname=_opt(c, e, "BloscCname", "lz4hc"), shuffle="noshuffle"),
    ]
    return {
        "dtype": "f8",
        "serializer": c.ShardingCodec(
            chunk_shape=(4, 3),
            codecs=inner,
            index_location=_opt(c, e, "ShardingCodecIndexLocation", "start"),
        ),
        "compressors": None,
    }


def _transpose(c: Any, e: bool) -> dict[str, Any]:
    return {
        "dtype": "i4",
        "filters": [c.TransposeCodec(order=(1, 0))],
        "compressors": c.GzipCodec(level=1),
    }


def _vlen_utf8(c: Any, e: bool) -> dict[str, Any]:
    return {"dtype": str, "serializer": c.VLenUTF8Codec(), "compressors": c.ZstdCodec()}


def _vlen_bytes(c: Any, e: bool) -> dict[str, Any]:
    # zarr-python reads the numpy ``bytes`` type as zero-length "S0"; the
    # name is the spelling both libraries take for variable-length bytes.
    return {
        "dtype": "variable_length_bytes",
        "serializer": c.VLenBytesCodec(),
        "compressors": None,
    }


CASES: dict[str, Case] = {
    "blosc": _blosc,
    "blosc-from-dtype": _blosc_from_dtype,
    "zstd-crc32c": _zstd,
    "gzip": _gzip,
    "sharding": _sharding,
    "transpose": _transpose,
    "vlen-utf8": _vlen_utf8,
    "vlen-bytes": _vlen_bytes,
}


# zarr-python warns that variable-length bytes have no v3 specification yet.
UNSTABLE_IN_ZARR_PYTHON = pytest.mark.filterwarnings(
    "ignore::zarr.errors.UnstableSpecificationWarning"
)


def _data(dtype: Any) -> np.ndarray[Any, Any]:
    values = np.arange(np.prod(SHAPE)).reshape(SHAPE)
    if dtype is str:
        return values.astype(str)
    if dtype == "variable_length_bytes":
        return np.array([str(v).encode() for v in values.ravel()], dtype=object).reshape(SHAPE)
    return values.astype(dtype)


@pytest.mark.parametrize("case", list(CASES))
def test_round_trip_in_memory(case: str) -> None:
    kwargs = CASES[case](ac, True)
    data = _data(kwargs["dtype"])
    arr = anyzarr.create_array(MemoryStore(), shape=SHAPE, chunks=(8, 6), **kwargs)
    arr[...] = data
    np.testing.assert_array_equal(arr[...], data)
    np.testing.assert_array_equal(arr[3:11, 5:7], data[3:11, 5:7])


@pytest.mark.interop
@UNSTABLE_IN_ZARR_PYTHON
@pytest.mark.parametrize("case", list(CASES))
def test_round_trip_on_disk_and_zarr_python_reads_it(tmp_path: Path, case: str) -> None:
    kwargs = CASES[case](ac, True)
    data = _data(kwargs["dtype"])
    path = tmp_path / "a.zarr"
    arr = anyzarr.create_array(LocalStore(path), shape=SHAPE, chunks=(8, 6), **kwargs)
    arr[...] = data
    np.testing.assert_array_equal(anyzarr.open_array(LocalStore(path), mode="r")[...], data)
    theirs = zarr.open_array(str(path), mode="r")
    np.testing.assert_array_equal(theirs[...], data)
    assert theirs.chunks == arr.chunks
    assert theirs.shards == arr.shards


@pytest.mark.parametrize("case", list(CASES))
def test_enum_arguments_write_the_same_metadata_as_strings(case: str) -> None:
    with_enums, with_strings = (
        anyzarr.create_array(MemoryStore(), shape=SHAPE, chunks=(8, 6), **CASES[case](ac, e))
        for e in (True, False)
    )
    assert metadata_documents(with_enums.metadata) == metadata_documents(with_strings.metadata)


@pytest.mark.interop
@UNSTABLE_IN_ZARR_PYTHON
@pytest.mark.parametrize("case", list(CASES))
def test_metadata_is_what_zarr_python_writes(tmp_path: Path, case: str) -> None:
    anyzarr.create_array(
        LocalStore(tmp_path / "ours"), shape=SHAPE, chunks=(8, 6), **CASES[case](ac, True)
    )
    zarr.create_array(
        str(tmp_path / "theirs"), shape=SHAPE, chunks=(8, 6), **CASES[case](zarr.codecs, False)
    )
    ours = (tmp_path / "ours" / "zarr.json").read_bytes()
    assert ours == (tmp_path / "theirs" / "zarr.json").read_bytes()


# -- zarr-python's own codec objects --------------------------------------------------


@pytest.mark.interop
@pytest.mark.parametrize(
    ("zarr_format", "argument", "make"),
    [
        (3, "compressors", lambda: zarr.codecs.BloscCodec(cname="lz4")),
        (3, "compressors", lambda: [zarr.codecs.ZstdCodec(level=3)]),
        (3, "serializer", lambda: zarr.codecs.BytesCodec()),
        (3, "filters", lambda: [zarr.codecs.TransposeCodec(order=(1, 0))]),
        (2, "compressors", lambda: zarr.codecs.BloscCodec(cname="lz4")),
    ],
)
def test_zarr_python_codec_objects_are_taken_by_their_document(
    zarr_format: Literal[2, 3], argument: str, make: Callable[[], Any]
) -> None:
    # zarr-python's own codec objects are read through their to_dict(): the
    # array gets anyzarr's codec of that name and the same metadata.
    codec = make()
    if zarr_format == 2:
        # v2 codecs are numcodecs objects; a v3 codec object is refused there.
        with pytest.raises((MetadataValidationError, TypeError)):
            anyzarr.create_array(
                MemoryStore(), shape=SHAPE, dtype="i4", zarr_format=zarr_format, **{argument: codec}
            )
        return
    ours = anyzarr.create_array(
        MemoryStore(), shape=SHAPE, dtype="i4", zarr_format=zarr_format, **{argument: codec}
    )
    theirs = zarr.create_array(
        zarr.storage.MemoryStore(), shape=SHAPE, dtype="i4", zarr_format=zarr_format,
        **{argument: codec},
    )  # fmt: skip
    as_json = json.loads(json.dumps(theirs.metadata.to_dict()["codecs"]))
    assert ours.metadata.to_dict()["codecs"] == as_json


# A chunk that is a contiguous view of the caller's data reaches the vlen
# encoder read-only, and numcodecs' encoder wants a writable array.
def test_vlen_bytes_whole_chunk_write() -> None:
    data = np.array([b"a", b"bb", b"", b"ccc"], dtype=object)
    arr = anyzarr.create_array(
        MemoryStore(), shape=(4,), chunks=(4,), dtype=bytes, serializer=VLenBytesCodec()
    )
    arr[...] = data
    np.testing.assert_array_equal(arr[...], data)
