"""The error hierarchy shared by every layer.

Errors split the way h11's do: ``UsageError`` subclasses mean the caller asked
for something impossible; ``DataError`` subclasses mean stored bytes or
metadata are bad.  Every error that concerns a stored object names its key or
path so a user can find it.  Each class also derives from the builtin that
zarr-python (and numpy) raise in the same situation, and the classes that
``zarr.errors`` has derive from zarr's base (:class:`BaseZarrError`) too, so
code written against either keeps catching the right thing.

zarr-python's warning classes live here as well; anyzarr warns with them in
the situations zarr-python does.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AnyzarrError",
    "BaseZarrError",
    "DataTypeValidationError",
    "PickleCodecDisabledError",
    "UnstableSpecificationWarning",
    "ZarrDeprecationWarning",
    "ZarrFutureWarning",
    "ZarrRuntimeWarning",
    "ZarrUserWarning",
    "ArrayIndexError",
    "ArrayNotFoundError",
    "BoundsCheckError",
    "ChecksumError",
    "ChunkDecodeError",
    "ChunkNotFoundError",
    "ConcurrentWriteError",
    "ContainsArrayAndGroupError",
    "ContainsArrayError",
    "ContainsGroupError",
    "DataError",
    "GroupNotFoundError",
    "MetadataTypeError",
    "MetadataValidationError",
    "NegativeStepError",
    "NodeNotFoundError",
    "NodeTypeValidationError",
    "ReadOnlyError",
    "UnknownCodecError",
    "UnsafeKeyError",
    "UnsupportedOperationError",
    "UsageError",
    "VindexInvalidSelectionError",
]


class AnyzarrError(Exception):
    """Base class of every error anyzarr raises on purpose."""


class BaseZarrError(ValueError):
    """zarr-python's error base (``zarr.errors.BaseZarrError``), a ``ValueError``.

    One argument is the message.  Several arguments fill the class's message
    template (``ArrayNotFoundError(store, path)``), as zarr-python does.
    """

    _msg: str = "{}"

    def __init__(self, *args: object) -> None:
        if len(args) == 1:
            super().__init__(args[0])
        else:
            super().__init__(self._msg.format(*args))


class UsageError(AnyzarrError):
    """The caller asked for something that cannot be done."""


class DataError(AnyzarrError):
    """Stored metadata or chunk bytes are invalid."""


class MetadataValidationError(DataError, BaseZarrError):
    """A metadata document is invalid; the message names the field.

    Three arguments ``(field, expected, got)`` make zarr-python's message.
    """

    _msg = "Invalid value for '{}'. Expected '{}'. Got '{}'."


class MetadataTypeError(MetadataValidationError, TypeError):
    """A metadata field has the wrong kind of value (also a ``TypeError``, as
    zarr-python raises for one)."""


class UnknownCodecError(MetadataValidationError):
    """A codec name is not registered."""

    _msg = "{}"


class DataTypeValidationError(ValueError):
    """A data type (or its JSON form) is not valid for the format asked for."""


class PickleCodecDisabledError(BaseZarrError):
    """Data encoded with the pickle codec was read without opting in.

    Unpickling can run arbitrary code; set the config key
    ``array.allow_unsafe_pickle_decode`` to allow it.
    """


class ChunkDecodeError(DataError, ValueError):
    """Chunk bytes could not be decoded; ``key`` names the chunk."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message if key is None else f"{message} (chunk key {key!r})")
        self.key = key


class ChunkNotFoundError(DataError, BaseZarrError):
    """Chunks are missing and the array is configured not to fill them in.

    Raised only when the array config ``read_missing_chunks`` is false;
    ``keys`` lists them.
    """

    def __init__(self, keys: Sequence[str]) -> None:
        keys = list(keys)
        shown = ", ".join(repr(k) for k in keys[:10])
        more = f" and {len(keys) - 10} more" if len(keys) > 10 else ""
        super().__init__(
            f"{len(keys)} chunk(s) not found: {shown}{more}; set the array config "
            "'read_missing_chunks' to True to read them as the fill value"
        )
        self.keys = keys


class ConcurrentWriteError(DataError, RuntimeError):
    """Another writer kept changing an object while this write tried to update it.

    A read-modify-write of a chunk or shard that another process (or store
    instance) replaced between the read and the write is retried; after a
    bounded number of attempts this is raised, naming the key.  The object
    then holds the other writer's value: nothing is half-written, and the
    selection this write was given is not stored.
    """

    def __init__(self, key: str, attempts: int) -> None:
        super().__init__(
            f"gave up updating {key!r} after {attempts} attempts: another writer kept "
            "replacing it between our read and our write"
        )
        self.key = key
        self.attempts = attempts


class ChecksumError(ChunkDecodeError):
    """A stored checksum does not match the data it protects."""


class NodeNotFoundError(UsageError, BaseZarrError, FileNotFoundError):
    """No array or group exists at a path."""


class ArrayNotFoundError(NodeNotFoundError):
    """No array exists at a path (arguments ``(store, path)`` or a message)."""

    _msg = "No array found in store {!r} at path {!r}"


class GroupNotFoundError(NodeNotFoundError):
    """No group exists at a path (arguments ``(store, path)`` or a message)."""

    _msg = "No group found in store {!r} at path {!r}"


class ContainsArrayError(UsageError, BaseZarrError, FileExistsError):
    """An array already exists where a new node was requested."""

    _msg = "An array exists in store {!r} at path {!r}."


class ContainsGroupError(UsageError, BaseZarrError, FileExistsError):
    """A group already exists where a new node was requested."""

    _msg = "A group exists in store {!r} at path {!r}."


class ContainsArrayAndGroupError(UsageError, BaseZarrError, FileExistsError):
    """Both array and group metadata exist at one path."""

    _msg = (
        "Array and group metadata documents (.zarray and .zgroup) were both found in store "
        "{!r} at path {!r}. "
        "Only one of these files may be present in a given directory / prefix. "
        "Remove the .zarray file, or the .zgroup file, or both."
    )


class NodeTypeValidationError(MetadataValidationError):
    """A node has a different type (array or group) than expected."""


class ReadOnlyError(UsageError, ValueError, PermissionError):
    """A write was attempted on a read-only store or node.

    A ``ValueError`` as in zarr-python, and a ``PermissionError`` because that
    is what the operating system's refusal would be.
    """


class UnsupportedOperationError(UsageError, NotImplementedError):
    """The backend cannot perform this operation (for example deletes in a zip file).

    It derives from ``NotImplementedError`` only because zarr-python raises that
    type for the same situations; it never marks unfinished anyzarr code.
    """


class UnsafeKeyError(UsageError, ValueError):
    """A key would escape the root of a store that maps keys to paths."""


class ArrayIndexError(UsageError, IndexError):
    """A selection is not valid for the array."""


class BoundsCheckError(ArrayIndexError):
    """An index is out of bounds for its dimension."""


class NegativeStepError(ArrayIndexError):
    """Slices with negative steps are not supported in this selection kind."""


class VindexInvalidSelectionError(ArrayIndexError):
    """A coordinate or mask selection has the wrong form."""


class ZarrFutureWarning(FutureWarning):
    """A feature users rely on will change or go away."""


class UnstableSpecificationWarning(ZarrFutureWarning):
    """A feature (a data type, a codec) is outside the Zarr specification."""


class ZarrDeprecationWarning(DeprecationWarning):
    """A feature will be removed in a future release."""


class ZarrUserWarning(UserWarning):
    """Something in the caller's code or data is probably not what was meant."""


class ZarrRuntimeWarning(RuntimeWarning):
    """Dubious behaviour at runtime (an argument ignored, a fallback taken)."""
