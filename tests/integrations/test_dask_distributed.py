"""anyzarr under ``dask.distributed``: two worker processes on 127.0.0.1, started and closed here.

Arrays, groups and xarray's lazy variables are pickled into the worker
processes; the LocalStore on disk is what they share.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("distributed")
xr = pytest.importorskip("xarray")
zarr = pytest.importorskip("zarr")

import dask.array as da  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

import anyzarr  # noqa: E402
import anyzarr.dask  # noqa: E402
import anyzarr.xarray  # noqa: E402

from ._datasets import example_dataset  # noqa: E402
from ._parallel_writes import LAYOUTS, TRIALS, run_trials  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    # Starting the cluster is part of the first test's time.
    pytest.mark.timeout(300),
    pytest.mark.filterwarnings("ignore::zarr.errors.ZarrUserWarning"),
]


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=2,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster, timeout=60) as started,
    ):
        started.wait_for_workers(2, timeout=120)
        yield started


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_misaligned_to_zarr_loses_nothing_on_worker_processes(
    client: Client, tmp_path: Path, layout: str
) -> None:
    wrong = run_trials(tmp_path, layout, anyzarr.dask.to_zarr)
    assert wrong == [0] * TRIALS, f"elements lost per trial: {wrong}"


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_misaligned_da_store_without_lock_loses_nothing_on_worker_processes(
    client: Client, tmp_path: Path, layout: str
) -> None:
    # Safe only once writers of one chunk are serialised across processes.
    wrong = run_trials(tmp_path, layout, lambda x, target: da.store(x, target, lock=False))
    assert wrong == [0] * TRIALS, f"elements lost per trial: {wrong}"


def test_from_zarr_reads_on_worker_processes(client: Client, tmp_path: Path) -> None:
    values = np.random.default_rng(3).random((90, 70))
    array = anyzarr.create_array(
        tmp_path / "a.zarr", shape=values.shape, chunks=(10, 10), shards=(30, 20), dtype="f8"
    )
    array[...] = values
    x = anyzarr.dask.from_zarr(array)
    np.testing.assert_array_equal(x.compute(), values)
    assert float((x * 2).sum().compute()) == pytest.approx(2 * values.sum())


def test_xarray_reads_and_writes_on_worker_processes(client: Client, tmp_path: Path) -> None:
    original = example_dataset()
    original.to_zarr(tmp_path / "source.zarr", encoding={"temp": {"chunks": (2, 5, 2)}})
    with xr.open_dataset(tmp_path / "source.zarr", engine="anyzarr", chunks={}) as lazy:
        assert lazy["temp"].chunks == ((2, 2, 2), (5,), (2, 2))
        xr.testing.assert_identical(lazy.compute(), original)
        lazy["note"] = lazy["note"].load()
        anyzarr.xarray.to_zarr(lazy, tmp_path / "copy.zarr")
    with xr.open_dataset(tmp_path / "copy.zarr", engine="zarr") as copy:
        xr.testing.assert_identical(copy.load(), original)


def test_a_memory_store_is_refused_on_worker_processes(client: Client) -> None:
    target = anyzarr.create_array(anyzarr.storage.MemoryStore(), shape=(10,), dtype="f8")
    with pytest.raises(RuntimeError, match="MemoryStore"):
        anyzarr.dask.to_zarr(da.ones(10, chunks=5), target)
