"""The cases of the generated matrix: the axes that matter, not their product."""

from __future__ import annotations

from typing import Any

import numcodecs
import numpy as np
from tests.conformance._matrix import Case, blosc, v2_blosc

S = slice
NO_COMPRESSION: dict[str, Any] = {"compressors": None}

V3_DTYPES = [
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128", "str", "bytes",
    "<U5", "|S4", "datetime64[s]", "timedelta64[ms]",
]  # fmt: skip

V3: list[Case] = [
    *(Case(f"v3-dtype-{d}", 3, (10, 7), d, {"chunks": (4, 3)}) for d in V3_DTYPES),
    *(
        Case(
            f"v3-big-endian-{d}",
            3,
            (9,),
            d,
            {"chunks": (4,), "serializer": {"name": "bytes", "configuration": {"endian": "big"}}},
        )
        for d in ("uint16", "int64", "float32", "complex128")
    ),
    Case("v3-raw", 3, (9, 4), "int32", {"chunks": (4, 4), **NO_COMPRESSION}),
    Case(
        "v3-transpose-2d",
        3,
        (6, 5),
        "float64",
        {"chunks": (4, 2), "filters": [{"name": "transpose", "configuration": {"order": [1, 0]}}]},
    ),
    Case(
        "v3-transpose-3d",
        3,
        (4, 5, 6),
        "uint16",
        {
            "chunks": (3, 2, 4),
            "filters": [{"name": "transpose", "configuration": {"order": [2, 0, 1]}}],
        },
    ),
    *(
        Case(
            f"v3-blosc-{cname}-{shuffle}",
            3,
            (20, 3),
            "float32",
            {"chunks": (8, 2), "compressors": blosc(cname, shuffle)},
        )
        for cname, shuffle in (
            ("lz4", "noshuffle"),
            ("zstd", "shuffle"),
            ("lz4", "bitshuffle"),
            ("zlib", "shuffle"),
        )
    ),
    Case(
        "v3-zstd",
        3,
        (20,),
        "int64",
        {
            "chunks": (7,),
            "compressors": [{"name": "zstd", "configuration": {"level": 1, "checksum": True}}],
        },
    ),
    Case(
        "v3-gzip",
        3,
        (20,),
        "int16",
        {"chunks": (7,), "compressors": [{"name": "gzip", "configuration": {"level": 5}}]},
    ),
    Case("v3-crc32c", 3, (20,), "uint32", {"chunks": (7,), "compressors": [{"name": "crc32c"}]}),
    Case(
        "v3-zstd-crc32c",
        3,
        (20,),
        "float64",
        {
            "chunks": (7,),
            "compressors": [
                {"name": "zstd", "configuration": {"level": 0, "checksum": False}},
                {"name": "crc32c"},
            ],
        },
    ),
    Case(
        "v3-shard-end",
        3,
        (10, 9),
        "int32",
        {"chunks": (2, 3), "shards": {"shape": (4, 6), "index_location": "end"}},
    ),
    Case(
        "v3-shard-start",
        3,
        (10, 9),
        "int32",
        {"chunks": (2, 3), "shards": {"shape": (4, 6), "index_location": "start"}},
    ),
    Case(
        "v3-shard-missing-inner",
        3,
        (8, 12),
        "float64",
        {"chunks": (2, 3), "shards": (4, 6), "fill_value": -1.5},
        region=(S(0, 3), S(2, 5)),
    ),
    Case(
        "v3-shard-transpose-blosc",
        3,
        (8, 6),
        "uint16",
        {
            "chunks": (2, 3),
            "shards": (4, 6),
            "filters": [{"name": "transpose", "configuration": {"order": [1, 0]}}],
            "compressors": blosc("lz4", "shuffle"),
        },
    ),
    Case("v3-shard-str", 3, (6, 4), "str", {"chunks": (2, 2), "shards": (4, 4)}),
    Case(
        "v3-key-default-dot",
        3,
        (5, 5),
        "int8",
        {"chunks": (2, 2), "chunk_key_encoding": {"name": "default", "separator": "."}},
    ),
    Case(
        "v3-key-v2-dot",
        3,
        (5, 5),
        "int8",
        {"chunks": (2, 2), "chunk_key_encoding": {"name": "v2", "separator": "."}},
    ),
    Case(
        "v3-key-v2-slash",
        3,
        (5, 5),
        "int8",
        {"chunks": (2, 2), "chunk_key_encoding": {"name": "v2", "separator": "/"}},
    ),
    Case("v3-rank0", 3, (), "float64", {"chunks": ()}),
    Case("v3-rank0-missing", 3, (), "int32", {"chunks": (), "fill_value": 7}, region=()),
    Case(
        "v3-5d",
        3,
        (3, 4, 2, 3, 5),
        "int16",
        {"chunks": (2, 3, 1, 2, 2), "dimension_names": ["t", "c", "z", "y", "x"]},
    ),
    Case(
        "v3-missing-chunks",
        3,
        (12, 12),
        "uint8",
        {"chunks": (5, 5), "fill_value": 9},
        region=(S(0, 5), S(5, 10)),
    ),
    *(
        Case(
            f"v3-fill-{name}",
            3,
            (6,),
            dtype,
            {"chunks": (4,), "fill_value": fill},
            region=(S(0, 2),),
        )
        for name, dtype, fill in (
            ("nan", "float32", np.nan),
            ("inf", "float64", np.inf),
            ("-inf", "float16", -np.inf),
            ("-0", "float64", -0.0),
            ("int64-min", "int64", np.iinfo(np.int64).min),
            ("uint64-max", "uint64", np.iinfo(np.uint64).max),
            ("complex", "complex64", complex(np.nan, 1.5)),
            ("bool", "bool", True),
            ("str", "str", "xy"),
            ("fixed-str", "<U3", "abc"),
            ("nat", "datetime64[s]", np.datetime64("NaT", "s")),
        )
    ),
]

V2_DTYPES = [
    "|b1", "|i1", "<i2", ">i4", "<i8", "|u1", ">u2", "<u4", ">u8", "<f2", ">f4", "<f8",
    ">c8", "<c16", "<U5", ">U3", "|S4", "str", "<M8[ns]", ">m8[s]",
]  # fmt: skip

V2: list[Case] = [
    *(
        Case(f"v2-dtype-{d}-{o}", 2, (10, 7), d, {"chunks": (4, 3), "order": o})
        for d in V2_DTYPES
        for o in "CF"
    ),
    Case("v2-raw", 2, (9, 4), "<i4", {"chunks": (4, 4), **NO_COMPRESSION}),
    *(
        Case(
            f"v2-blosc-shuffle{s}",
            2,
            (20, 3),
            "<f4",
            {"chunks": (8, 2), "compressors": v2_blosc(s)},
        )
        for s in (0, 1, 2)
    ),
    Case("v2-zstd", 2, (20,), "<i8", {"chunks": (7,), "compressors": numcodecs.Zstd(level=1)}),
    Case("v2-gzip", 2, (20,), "<i2", {"chunks": (7,), "compressors": numcodecs.GZip(level=5)}),
    Case("v2-zlib", 2, (20,), "<u4", {"chunks": (7,), "compressors": numcodecs.Zlib(level=1)}),
    Case("v2-bz2", 2, (20,), ">f8", {"chunks": (7,), "compressors": numcodecs.BZ2(level=1)}),
    Case("v2-lz4", 2, (20,), "<i4", {"chunks": (7,), "compressors": numcodecs.LZ4()}),
    Case(
        "v2-delta-filter",
        2,
        (20,),
        "<i4",
        {
            "chunks": (7,),
            "filters": [numcodecs.Delta(dtype="<i4")],
            "compressors": numcodecs.Zlib(level=1),
        },
    ),
    Case(
        "v2-separator-slash",
        2,
        (5, 5),
        "<i2",
        {"chunks": (2, 2), "chunk_key_encoding": {"name": "v2", "separator": "/"}},
    ),
    Case("v2-rank0", 2, (), "<f8", {"chunks": ()}),
    Case("v2-5d-F", 2, (3, 4, 2, 3, 5), ">i2", {"chunks": (2, 3, 1, 2, 2), "order": "F"}),
    Case("v2-default-fill-be-timedelta", 2, (6,), ">m8[s]", {"chunks": (4,)}, region=(S(0, 2),)),
    Case(
        "v2-missing-chunks",
        2,
        (12, 12),
        "|u1",
        {"chunks": (5, 5), "fill_value": 9},
        region=(S(0, 5), S(5, 10)),
    ),
    *(
        Case(
            f"v2-fill-{name}",
            2,
            (6,),
            dtype,
            {"chunks": (4,), "fill_value": fill},
            region=(S(0, 2),),
        )
        for name, dtype, fill in (
            ("nan", "<f4", np.nan),
            ("inf", "<f8", np.inf),
            ("-inf", ">f8", -np.inf),
            ("none", "<i4", None),
            ("int64-min", "<i8", np.iinfo(np.int64).min),
            ("complex", "<c16", complex(1.0, -2.0)),
            ("bool", "|b1", True),
            ("fixed-str", "<U3", "abc"),
            ("bytes", "|S2", b"zz"),
        )
    ),
]

ALL = V3 + V2
