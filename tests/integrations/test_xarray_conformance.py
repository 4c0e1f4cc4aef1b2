"""xarray's own zarr backend tests, run against ``engine="anyzarr"`` and ``anyzarr.xarray.to_zarr``.

xarray ships the tests of its zarr backend (``xarray.tests.test_backends.ZarrBase``:
round trips of CF-encoded variables, strings, datetimes, fill values,
appends, region writes, groups, chunk encodings, indexing, pickling,
``load_async``) with hooks for how a dataset is saved and opened.  Here
those hooks write with anyzarr and read with anyzarr, for format 2 and 3;
many tests also open what anyzarr wrote with zarr-python directly, checking
the bytes on disk against the reference implementation.

A few tests check zarr-python specifics that anyzarr deliberately does
differently; ``DIVERGENCES`` lists them with the reason, and they are
skipped (not expected to fail) so that a change in either shows up.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

xr = pytest.importorskip("xarray")
zarr = pytest.importorskip("zarr")
tb = pytest.importorskip("xarray.tests.test_backends")

# xarray's fixtures that ZarrBase's tests ask for, by name.
from xarray.tests.conftest import time_unit, use_dask  # noqa: E402, F401

import anyzarr  # noqa: E402
import anyzarr.xarray  # noqa: E402

pytestmark = [
    pytest.mark.interop,
    # Raised by zarr-python where xarray's tests call it directly (to write
    # the reference copy or inspect ours), not by anyzarr.
    pytest.mark.filterwarnings("ignore::zarr.errors.UnstableSpecificationWarning"),
    pytest.mark.filterwarnings("ignore::zarr.errors.ZarrUserWarning"),
]

DIVERGENCES = {
    "test_roundtrip_None_variable[3]": (
        "the Zarr v3 specification reserves names starting with '__' (xarray's "
        "'__values__'); anyzarr refuses to create them, zarr-python does not"
    ),
    "test_compressor_encoding[3]": (
        "encoding['compressors'] holds codec documents (which anyzarr and "
        "zarr-python both accept when writing), not zarr-python codec objects"
    ),
    "test_zarr_fill_value_setting[2-int]": (
        "xarray's zarr engine ignores use_zarr_fill_value_as_mask=False (it "
        "passes None on); engine='anyzarr' honours it as documented"
    ),
    "test_zarr_fill_value_setting[2-float]": (
        "xarray's zarr engine ignores use_zarr_fill_value_as_mask=False (it "
        "passes None on); engine='anyzarr' honours it as documented"
    ),
}


@pytest.fixture(params=[2, 3])
def default_zarr_format(request: pytest.FixtureRequest) -> Iterator[None]:
    """The format ZarrBase's tests write, set for anyzarr and for zarr-python alike."""
    with (
        anyzarr.config.set(default_zarr_format=request.param),
        zarr.config.set(default_zarr_format=request.param),
    ):
        yield


@pytest.fixture(autouse=True)
def _skip_divergences(request: pytest.FixtureRequest) -> None:
    reason = DIVERGENCES.get(request.node.name)
    if reason is not None:
        pytest.skip(f"deliberate divergence from zarr-python: {reason}")


class TestAnyzarrBackend(tb.ZarrBase):  # type: ignore[misc]
    @contextlib.contextmanager
    def create_zarr_target(self) -> Iterator[str]:
        with tb.create_tmp_file(suffix=".zarr") as tmp:
            yield tmp

    @contextlib.contextmanager
    def create_store(self, cache_members: bool = False) -> Iterator[Any]:
        with self.create_zarr_target() as target:
            yield anyzarr.xarray.AnyzarrStore.open_group(
                target, mode="w", cache_members=cache_members, **self.version_kwargs
            )

    def save(self, dataset: Any, store_target: Any, **kwargs: Any) -> Any:
        return anyzarr.xarray.to_zarr(dataset, store_target, **kwargs, **self.version_kwargs)

    @contextlib.contextmanager
    def open(self, path: Any, **kwargs: Any) -> Iterator[Any]:
        with xr.open_dataset(
            path, engine="anyzarr", mode="r", **kwargs, **self.version_kwargs
        ) as ds:
            yield ds

    def test_load_async(self) -> None:
        # xarray's load_async gathers with asyncio itself, so it runs under asyncio only.
        asyncio.run(super().test_load_async())


def test_divergences_name_real_tests() -> None:
    names = {name.split("[")[0] for name in DIVERGENCES}
    assert all(hasattr(TestAnyzarrBackend, name) for name in names)
