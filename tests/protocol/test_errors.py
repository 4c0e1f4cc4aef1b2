"""anyzarr's errors are caught by the builtins zarr-python's errors derive from."""

from __future__ import annotations

import pytest

from anyzarr import errors


@pytest.mark.parametrize(
    ("cls", "builtins"),
    [
        (errors.NodeNotFoundError, (ValueError, FileNotFoundError)),
        (errors.ArrayNotFoundError, (ValueError, FileNotFoundError)),
        (errors.GroupNotFoundError, (ValueError, FileNotFoundError)),
        (errors.ContainsArrayError, (ValueError, FileExistsError)),
        (errors.ContainsGroupError, (ValueError, FileExistsError)),
        (errors.ContainsArrayAndGroupError, (ValueError, FileExistsError)),
        (errors.MetadataValidationError, (ValueError,)),
        (errors.NodeTypeValidationError, (ValueError,)),
        (errors.UnknownCodecError, (ValueError,)),
        (errors.ReadOnlyError, (ValueError, PermissionError)),
        (errors.BoundsCheckError, (IndexError,)),
        (errors.NegativeStepError, (IndexError,)),
        (errors.VindexInvalidSelectionError, (IndexError,)),
    ],
)
def test_error_derives_from_the_builtins_zarr_python_uses(
    cls: type[Exception], builtins: tuple[type[Exception], ...]
) -> None:
    assert issubclass(cls, errors.AnyzarrError)
    for b in builtins:
        assert issubclass(cls, b), f"{cls.__name__} is not a {b.__name__}"


def test_usage_and_data_errors_are_distinct() -> None:
    assert issubclass(errors.ReadOnlyError, errors.UsageError)
    assert issubclass(errors.ChunkDecodeError, errors.DataError)
    assert not issubclass(errors.ChunkDecodeError, errors.UsageError)
    assert errors.ChunkDecodeError("bad bytes", key="c/0").key == "c/0"
    assert "c/0" in str(errors.ChunkDecodeError("bad bytes", key="c/0"))
