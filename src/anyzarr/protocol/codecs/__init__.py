"""Codecs, the codec registry, the batch pipeline and sharded read plans.

See ``_pipeline.py`` for the engine-facing API.  Built-in v3 codecs register
under their metadata names; ``numcodecs.<id>`` names resolve to numcodecs
wrappers; third-party codecs come from the ``anyzarr.codecs`` entry points.
"""

from __future__ import annotations

from anyzarr.protocol.codecs._base import (
    ArrayArrayCodec,
    ArrayBytesCodec,
    BytesBytesCodec,
    ChunkSpec,
    Codec,
    CodecKind,
)
from anyzarr.protocol.codecs._bounded import VARIABLE_CHUNK_LIMIT, decode_bounded
from anyzarr.protocol.codecs._bytes import BytesCodec
from anyzarr.protocol.codecs._cast_value import CastValueCodec
from anyzarr.protocol.codecs._chain import CodecChain
from anyzarr.protocol.codecs._compressors import BloscCodec, GzipCodec, ZstdCodec
from anyzarr.protocol.codecs._crc32c import Crc32cCodec
from anyzarr.protocol.codecs._direct import DirectDecoder
from anyzarr.protocol.codecs._numcodecs import (
    NumcodecsArrayArrayCodec,
    NumcodecsArrayBytesCodec,
    NumcodecsBytesBytesCodec,
    codec_from_numcodecs,
)
from anyzarr.protocol.codecs._pipeline import (
    CodecPipeline,
    all_fill,
    evolve_codecs,
    pipeline_for_metadata,
    pipeline_from_codecs,
    pipeline_v2,
)
from anyzarr.protocol.codecs._plans import DecodedChunks, GetRequest, PlanStateError, ReadPlan
from anyzarr.protocol.codecs._range_plan import RangedChunkReadPlan, selected_count
from anyzarr.protocol.codecs._registry import (
    get_codec_class,
    parse_codec,
    parse_codecs,
    register_codec,
    registered_codecs,
)
from anyzarr.protocol.codecs._scale_offset import ScaleOffsetCodec
from anyzarr.protocol.codecs._shard_plan import ShardReadPlan
from anyzarr.protocol.codecs._sharding import ShardIndex, ShardingCodec, morton_order
from anyzarr.protocol.codecs._transpose import TransposeCodec
from anyzarr.protocol.codecs._v2 import UnsafeCodecError, V2Chain
from anyzarr.protocol.codecs._vlen import VLenBytesCodec, VLenUTF8Codec

__all__ = [
    "decode_bounded",
    "ArrayArrayCodec",
    "ArrayBytesCodec",
    "BloscCodec",
    "BytesBytesCodec",
    "BytesCodec",
    "CastValueCodec",
    "ChunkSpec",
    "Codec",
    "CodecChain",
    "CodecKind",
    "CodecPipeline",
    "DecodedChunks",
    "Crc32cCodec",
    "DirectDecoder",
    "VARIABLE_CHUNK_LIMIT",
    "GetRequest",
    "GzipCodec",
    "NumcodecsArrayArrayCodec",
    "NumcodecsArrayBytesCodec",
    "NumcodecsBytesBytesCodec",
    "PlanStateError",
    "RangedChunkReadPlan",
    "ReadPlan",
    "ScaleOffsetCodec",
    "ShardIndex",
    "ShardReadPlan",
    "ShardingCodec",
    "TransposeCodec",
    "UnsafeCodecError",
    "V2Chain",
    "VLenBytesCodec",
    "VLenUTF8Codec",
    "ZstdCodec",
    "all_fill",
    "codec_from_numcodecs",
    "evolve_codecs",
    "get_codec_class",
    "morton_order",
    "parse_codec",
    "parse_codecs",
    "pipeline_for_metadata",
    "pipeline_from_codecs",
    "pipeline_v2",
    "register_codec",
    "registered_codecs",
    "selected_count",
]

for _cls in (
    BytesCodec,
    TransposeCodec,
    BloscCodec,
    ZstdCodec,
    GzipCodec,
    Crc32cCodec,
    ShardingCodec,
    VLenUTF8Codec,
    VLenBytesCodec,
    CastValueCodec,
    ScaleOffsetCodec,
):
    register_codec(_cls.codec_name, _cls)
del _cls
