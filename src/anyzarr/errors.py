"""Public error and warning types of anyzarr (zarr-python's ``zarr.errors``).

Every name of ``zarr.errors`` is here, with the same base classes, plus
anyzarr's own errors.  Errors defined next to the code that raises them (in
the IO and API layers) are importable here too; they are loaded on first use
so that importing this module stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

from anyzarr.protocol._errors import *  # noqa: F403
from anyzarr.protocol._errors import __all__ as _protocol_names

#: Errors defined in the IO and API layers: name -> defining module.
_ELSEWHERE = {
    "ArgumentError": "anyzarr.api._functions_common",
    "ArgumentTypeError": "anyzarr.api._functions_common",
    "AsyncCodecError": "anyzarr.protocol.codecs._async_adapter",
    "CastValueUnavailableError": "anyzarr.protocol.codecs._cast_value",
    "ChunkNotFoundError": "anyzarr.io._engine_types",
    "ChunkShapeError": "anyzarr.protocol.indexing",
    "CoordinateBroadcastError": "anyzarr.protocol.indexing",
    "ConsolidatedMetadataNotFoundError": "anyzarr.io._metadata_io",
    "CopyError": "anyzarr.api._functions_copy",
    "GpuUnavailableError": "anyzarr.protocol.buffer.gpu",
    "IncompatibleMemberError": "anyzarr.api._group",
    "InvalidByteRangeError": "anyzarr.io.stores._common",
    "InvalidNodeNameError": "anyzarr.api._group_names",
    "MemberNotFoundError": "anyzarr.api._group",
    "PlanStateError": "anyzarr.protocol.codecs._plans",
    "ReadOnlyModeError": "anyzarr.io._store_path",
    "RemoteStoreError": "anyzarr.io.stores._retry",
    "RetriesExhaustedError": "anyzarr.io.stores._retry",
    "ScaleOffsetRangeError": "anyzarr.protocol.codecs._scale_offset",
    "ShapeRequiredError": "anyzarr.api._functions_open",
    "SyncInLoopError": "anyzarr.api._sync_runtime",
    "UnsafeCodecError": "anyzarr.protocol.codecs._v2",
    "UnsupportedSelectionError": "anyzarr.protocol.indexing",
    "ZeroStepError": "anyzarr.protocol.indexing",
}


def __getattr__(name: str) -> Any:
    module = _ELSEWHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'anyzarr.errors' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = sorted([*_protocol_names, *_ELSEWHERE])
