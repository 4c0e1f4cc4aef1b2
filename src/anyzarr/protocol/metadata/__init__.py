"""Zarr v2 and v3 metadata: arrays, groups, consolidated metadata, chunk grids and keys.

Pure and synchronous: documents go in as bytes (or decoded dicts) and come
out as frozen metadata objects; `metadata_documents` renders them back to
bytes exactly as zarr-python 3.4 writes them.
"""

from __future__ import annotations

from anyzarr.protocol.metadata._chunk_grid import (
    ChunkGrid,
    EdgeRuns,
    RectilinearChunkGrid,
    RegularChunkGrid,
    as_chunk_grid,
    parse_chunk_grid,
)
from anyzarr.protocol.metadata._chunk_keys import (
    ChunkKeyEncoding,
    DefaultChunkKeyEncoding,
    V2ChunkKeyEncoding,
    parse_chunk_key_encoding,
)
from anyzarr.protocol.metadata._create import (
    DEFAULT_FILL_VALUE,
    create_array_metadata,
    default_codecs_v3,
    guess_chunks,
    normalize_chunks,
)
from anyzarr.protocol.metadata._documents import (
    consolidate,
    group_from_zmetadata,
    metadata_documents,
    parse_v2,
    parse_v3,
    parse_zmetadata,
    zmetadata_document,
)
from anyzarr.protocol.metadata._grid_axis import GridAxis, RegularAxis, VaryingAxis
from anyzarr.protocol.metadata._group import (
    ArrayMetadata,
    ConsolidatedMetadata,
    GroupMetadata,
    NodeMetadata,
)
from anyzarr.protocol.metadata._json import decode_json_object, encode_json
from anyzarr.protocol.metadata._v2 import ArrayV2Metadata
from anyzarr.protocol.metadata._v3 import ArrayV3Metadata

__all__ = [
    "DEFAULT_FILL_VALUE",
    "ArrayMetadata",
    "ArrayV2Metadata",
    "ArrayV3Metadata",
    "ChunkGrid",
    "ChunkKeyEncoding",
    "ConsolidatedMetadata",
    "DefaultChunkKeyEncoding",
    "EdgeRuns",
    "GridAxis",
    "GroupMetadata",
    "NodeMetadata",
    "RectilinearChunkGrid",
    "RegularAxis",
    "RegularChunkGrid",
    "V2ChunkKeyEncoding",
    "VaryingAxis",
    "as_chunk_grid",
    "consolidate",
    "create_array_metadata",
    "decode_json_object",
    "default_codecs_v3",
    "encode_json",
    "group_from_zmetadata",
    "guess_chunks",
    "metadata_documents",
    "normalize_chunks",
    "parse_chunk_grid",
    "parse_chunk_key_encoding",
    "parse_v2",
    "parse_v3",
    "parse_zmetadata",
    "zmetadata_document",
]
