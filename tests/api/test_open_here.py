"""The sync API opens existing arrays in the calling thread when the store allows.

``open`` and ``open_array`` on a local directory or a store with batch IO
read the metadata without the event loop (no loop thread, no backend
import); everything else, and every failure, takes the loop path, so the
results and errors are the same either way.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import anyzarr as zarr
from anyzarr.api import _sync_runtime
from anyzarr.api._functions_open import _open_array_here, _open_here
from anyzarr.errors import ArrayNotFoundError, NodeTypeValidationError
from anyzarr.storage import LocalStore, MemoryStore


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    where = tmp_path / "a.zarr"
    arr = zarr.create_array(where, shape=(6, 4), chunks=(3, 2), dtype="i4", attributes={"u": 1})
    arr[:] = np.arange(24).reshape(6, 4)
    return where


def test_a_fresh_process_reads_without_the_event_loop(stored: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        import anyzarr as zarr
        from anyzarr.api import _sync_runtime
        a = zarr.open_array({str(stored)!r}, mode="r")
        b = zarr.open({str(stored)!r})
        assert a[1, 2] == 6 and int(b[:].sum()) == 276
        assert _sync_runtime.loop_thread_id() is None, "the loop thread started"
        assert "anyio._backends._asyncio" not in sys.modules
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


@pytest.mark.parametrize("mode", [None, "r", "r+", "a"])
def test_same_array_as_through_the_loop(stored: Path, mode: str | None) -> None:
    here = _open_array_here(
        str(stored), zarr_version=None, zarr_format=None, path="", storage_options=None, mode=mode
    )
    assert not isinstance(here, _sync_runtime.NotHere)
    looped = _sync_runtime.sync(zarr.api.asynchronous.open_array, str(stored), mode=mode)
    assert here.metadata == looped.metadata
    assert here.read_only == looped.read_only
    assert here.store_path == looped.store_path
    opened = zarr.open_array(stored, mode=mode)
    np.testing.assert_array_equal(opened[:], np.arange(24).reshape(6, 4))
    assert opened.attrs["u"] == 1


def test_config_is_applied(stored: Path) -> None:
    arr = zarr.open_array(stored, mode="r", config={"write_empty_chunks": True})
    assert arr.config.write_empty_chunks is True


def test_everything_else_goes_through_the_loop(stored: Path, tmp_path: Path) -> None:
    def here(store: object, **kwargs: object) -> object:
        return _open_here(
            store,  # type: ignore[arg-type]
            mode=kwargs.pop("mode", None),  # type: ignore[arg-type]
            zarr_version=None,
            zarr_format=None,
            path=None,
            storage_options=None,
            **kwargs,
        )

    group = zarr.open_group(tmp_path / "g.zarr", mode="w")
    not_here = [
        here(str(tmp_path / "g.zarr")),  # a group
        here(str(tmp_path / "missing.zarr"), mode="r"),  # nothing there
        here(str(stored), mode="w"),  # a creating mode
        here(str(stored), shape=(2,)),  # creation options
        here("memory://"),  # not a local path
        here({}),  # a dict
        here(str(stored), dtype="i4"),  # any other option
    ]
    assert all(isinstance(r, _sync_runtime.NotHere) for r in not_here)
    assert isinstance(zarr.open(tmp_path / "g.zarr"), zarr.Group)
    assert group.store_path == zarr.open_group(tmp_path / "g.zarr", mode="r").store_path


def test_errors_match_the_loop_path(stored: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.zarr"
    with pytest.raises(FileNotFoundError):
        zarr.open_array(missing, mode="r")
    with pytest.raises(FileNotFoundError):
        zarr.open_array(missing, mode="r+")
    assert not missing.exists()  # r+ created nothing on its way to the error
    with pytest.raises(ArrayNotFoundError):
        zarr.open_array(tmp_path / "empty.zarr")
    zarr.open_group(tmp_path / "g.zarr", mode="w")
    with pytest.raises(NodeTypeValidationError):
        zarr.open_array(tmp_path / "g.zarr", mode="r")
    (stored / "zarr.json").write_text("{not json")
    with pytest.raises(zarr.errors.MetadataValidationError, match=r"zarr\.json"):
        zarr.open_array(stored, mode="r")


def test_store_instances(stored: Path) -> None:
    memory = MemoryStore()
    zarr.create_array(memory, shape=(3,), dtype="u1", fill_value=7)
    assert zarr.open_array(memory, mode="r")[:].tolist() == [7, 7, 7]
    local = LocalStore(stored, read_only=True)
    assert zarr.open_array(local)[0, 0] == 0
    with pytest.raises(ValueError, match="read-only"):
        zarr.open_array(local, mode="r+")  # the loop path's error for a read-only store


class CountingStore(LocalStore):
    """Reads through ``get``: no batch IO, so opening runs on the loop, through ``get``."""

    calls = 0

    async def get(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
        type(self).calls += 1
        return await super().get(*args, **kwargs)  # type: ignore[arg-type]


class SlowOpenStore(LocalStore):
    """An ``_open`` of its own: only the loop may run it."""

    opened_on_loop = False

    async def _open(self) -> None:
        type(self).opened_on_loop = _sync_runtime.loop_thread_id() is not None
        await super()._open()


def test_subclasses_keep_their_own_get_and_open(stored: Path) -> None:
    arr = zarr.open_array(CountingStore(stored, read_only=True))
    assert CountingStore.calls >= 1
    assert arr[5, 3] == 23
    zarr.open_array(SlowOpenStore(stored, read_only=True))
    assert SlowOpenStore.opened_on_loop
