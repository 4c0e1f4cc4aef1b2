"""Public error and warning types of anyzarr (zarr-python's ``zarr.errors``).

Every name of ``zarr.errors`` is here, with the same base classes, plus
anyzarr's own errors, wherever they are defined (next to the code that
raises them, in the IO and API layers).
"""

from __future__ import annotations

from anyzarr.api._functions_common import (
    ArgumentError,
    ArgumentTypeError,
)
from anyzarr.api._functions_copy import (
    CopyError,
)
from anyzarr.api._functions_open import (
    ShapeRequiredError,
)
from anyzarr.api._group import (
    IncompatibleMemberError,
    MemberNotFoundError,
)
from anyzarr.api._group_names import (
    InvalidNodeNameError,
)
from anyzarr.api._sync_runtime import (
    SyncInLoopError,
)
from anyzarr.io._metadata_io import (
    ConsolidatedMetadataNotFoundError,
)
from anyzarr.io._store_path import (
    ReadOnlyModeError,
)
from anyzarr.io.stores._common import (
    InvalidByteRangeError,
)
from anyzarr.io.stores._retry import (
    RemoteStoreError,
    RetriesExhaustedError,
)
from anyzarr.io.stores._zip import (
    ZipFileError,
)
from anyzarr.protocol._dependencies import (
    MissingDependencyError,
)
from anyzarr.protocol._errors import (
    AnyzarrError,
    ArrayIndexError,
    ArrayNotFoundError,
    BaseZarrError,
    BoundsCheckError,
    ChecksumError,
    ChunkDecodeError,
    ChunkNotFoundError,
    ConcurrentWriteError,
    ContainsArrayAndGroupError,
    ContainsArrayError,
    ContainsGroupError,
    DataError,
    DataTypeValidationError,
    GroupNotFoundError,
    MetadataTypeError,
    MetadataValidationError,
    NegativeStepError,
    NodeNotFoundError,
    NodeTypeValidationError,
    PickleCodecDisabledError,
    ReadOnlyError,
    UnknownCodecError,
    UnsafeKeyError,
    UnstableSpecificationWarning,
    UnsupportedOperationError,
    UsageError,
    VindexInvalidSelectionError,
    ZarrDeprecationWarning,
    ZarrFutureWarning,
    ZarrRuntimeWarning,
    ZarrUserWarning,
)
from anyzarr.protocol.buffer.gpu import (
    GpuUnavailableError,
)
from anyzarr.protocol.codecs._async_adapter import (
    AsyncCodecError,
)
from anyzarr.protocol.codecs._cast_value import (
    CastValueUnavailableError,
)
from anyzarr.protocol.codecs._plans import (
    PlanStateError,
)
from anyzarr.protocol.codecs._scale_offset import (
    ScaleOffsetRangeError,
)
from anyzarr.protocol.codecs._v2 import (
    UnsafeCodecError,
)
from anyzarr.protocol.indexing import (
    ChunkShapeError,
    CoordinateBroadcastError,
    UnsupportedSelectionError,
    ZeroStepError,
)

__all__ = [
    "AnyzarrError",
    "ArgumentError",
    "ArgumentTypeError",
    "ArrayIndexError",
    "ArrayNotFoundError",
    "AsyncCodecError",
    "BaseZarrError",
    "BoundsCheckError",
    "CastValueUnavailableError",
    "ChecksumError",
    "ChunkDecodeError",
    "ChunkNotFoundError",
    "ChunkShapeError",
    "ConcurrentWriteError",
    "ConsolidatedMetadataNotFoundError",
    "ContainsArrayAndGroupError",
    "ContainsArrayError",
    "ContainsGroupError",
    "CoordinateBroadcastError",
    "CopyError",
    "DataError",
    "DataTypeValidationError",
    "GpuUnavailableError",
    "GroupNotFoundError",
    "IncompatibleMemberError",
    "InvalidByteRangeError",
    "InvalidNodeNameError",
    "MemberNotFoundError",
    "MetadataTypeError",
    "MetadataValidationError",
    "MissingDependencyError",
    "NegativeStepError",
    "NodeNotFoundError",
    "NodeTypeValidationError",
    "PickleCodecDisabledError",
    "PlanStateError",
    "ReadOnlyError",
    "ReadOnlyModeError",
    "RemoteStoreError",
    "RetriesExhaustedError",
    "ScaleOffsetRangeError",
    "ShapeRequiredError",
    "SyncInLoopError",
    "UnknownCodecError",
    "UnsafeCodecError",
    "UnsafeKeyError",
    "UnstableSpecificationWarning",
    "UnsupportedOperationError",
    "UnsupportedSelectionError",
    "UsageError",
    "VindexInvalidSelectionError",
    "ZarrDeprecationWarning",
    "ZarrFutureWarning",
    "ZarrRuntimeWarning",
    "ZarrUserWarning",
    "ZeroStepError",
    "ZipFileError",
]
