"""Rectilinear (variable-size) chunk grids through the array API.

Opening, describing, counting, resizing, and reading and writing data: the
engine plans over ``metadata.chunk_grid`` and decodes each chunk at its own
shape (``StoredArray.spec_at``), in batches of one shape.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import anyzarr
from anyzarr.protocol.metadata import RectilinearChunkGrid

zarr = pytest.importorskip("zarr")
pytestmark = pytest.mark.interop

SHAPE = (25, 7)
CHUNKS = [[10, 10, 5], 3]
REF = np.arange(175, dtype="i4").reshape(SHAPE)


def zarr_written(path: Path) -> None:
    with zarr.config.set({"array.rectilinear_chunks": True}):
        z = zarr.create_array(str(path), shape=SHAPE, chunks=CHUNKS, dtype="i4", fill_value=-1)
        z[...] = REF


def test_open_describe_count_resize(tmp_path: Path) -> None:
    zarr_written(tmp_path)
    arr = anyzarr.open_array(str(tmp_path), mode="r+")
    grid = arr.metadata.chunk_grid
    assert isinstance(grid, RectilinearChunkGrid)
    assert arr.cdata_shape == (3, 3)
    assert arr.nchunks == 9
    assert arr.nchunks_initialized == 9
    assert "Chunk shape        : <variable>" in repr(arr.info)
    with pytest.raises(NotImplementedError):
        arr.chunks  # noqa: B018  (zarr-python raises NotImplementedError too)
    arr.resize((12, 7))
    assert arr.nchunks_initialized == 6  # the chunk starting at 20 lies outside
    with zarr.config.set({"array.rectilinear_chunks": True}):
        theirs = zarr.open_array(str(tmp_path), mode="r")
        assert theirs.shape == (12, 7)
        assert theirs.read_chunk_sizes == ((10, 2), (3, 3, 1))


def test_read_what_zarr_python_wrote(tmp_path: Path) -> None:
    zarr_written(tmp_path)
    arr = anyzarr.open_array(str(tmp_path), mode="r")
    np.testing.assert_array_equal(arr[...], REF)
    np.testing.assert_array_equal(arr[3:22:4, [0, 6]], REF[3:22:4][:, [0, 6]])
    np.testing.assert_array_equal(arr.blocks[2, 1], REF[20:25, 3:6])


def test_creating_one_needs_the_flag_as_in_zarr_python(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="rectilinear_chunks"):
        anyzarr.create_array(str(tmp_path), shape=SHAPE, chunks=CHUNKS, dtype="i4")
    with anyzarr.config.set({"array.rectilinear_chunks": True}):
        arr = anyzarr.create_array(str(tmp_path), shape=SHAPE, chunks=CHUNKS, dtype="i4")
    assert isinstance(arr.metadata.chunk_grid, RectilinearChunkGrid)
    theirs = tmp_path / "theirs"
    with zarr.config.set({"array.rectilinear_chunks": True}):
        zarr.create_array(str(theirs), shape=SHAPE, chunks=CHUNKS, dtype="i4")
    assert (tmp_path / "zarr.json").read_bytes() == (theirs / "zarr.json").read_bytes()


def test_zarr_python_reads_what_anyzarr_wrote(tmp_path: Path) -> None:
    with anyzarr.config.set({"array.rectilinear_chunks": True}):
        arr = anyzarr.create_array(str(tmp_path), shape=SHAPE, chunks=CHUNKS, dtype="i4")
    arr[...] = REF
    with zarr.config.set({"array.rectilinear_chunks": True}):
        np.testing.assert_array_equal(zarr.open_array(str(tmp_path), mode="r")[...], REF)
