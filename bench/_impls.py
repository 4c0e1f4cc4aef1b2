"""Adapters that let every implementation run the same workload.

Each adapter opens an existing array (written in setup by zarr-python, so all
readers see the same bytes) and exposes read/write/select operations.  Every
worker process uses exactly one adapter, so import costs and caches never leak
from one implementation's measurements into another's.

Remote stores keep ``CONCURRENCY`` requests in flight in every implementation,
the figure the latency bound assumes: anyzarr's stores and zarr-python's
pipeline do by default (``async.concurrency`` is 10 in both), tensorstore is
told so through its ``http_request_concurrency`` context resource.
"""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
from _cases import CONCURRENCY

Selection = Any


def _s3_options() -> dict[str, Any]:
    import json
    import os

    return json.loads(os.environ["BENCH_S3_OPTIONS"])  # type: ignore[no-any-return]


def _s3_prefix(url: str) -> str:
    return url.removeprefix("s3://").split("/", 1)[1]


def _anyzarr_store(path: str) -> Any:
    """A store for a local path, an ``http://`` URL or an ``s3://`` URL (moto)."""
    if path.startswith("http"):
        from anyzarr.storage import HTTPStore

        return HTTPStore(path)
    if path.startswith("s3://"):
        from obstore.store import S3Store

        from anyzarr.storage import ObjectStore

        return ObjectStore(S3Store(prefix=_s3_prefix(path), **_s3_options()), read_only=True)
    return path


def _zarr_python_store(path: str) -> Any:
    """zarr-python's store for the same locations (obstore for the remote ones)."""
    if path.startswith("http"):
        from obstore.store import HTTPStore
        from zarr.storage import ObjectStore

        return ObjectStore(
            HTTPStore.from_url(path, client_options={"allow_http": True}), read_only=True
        )
    if path.startswith("s3://"):
        from obstore.store import S3Store
        from zarr.storage import ObjectStore

        return ObjectStore(S3Store(prefix=_s3_prefix(path), **_s3_options()), read_only=True)
    return path


def _zarr_like_read(arr: Any, kind: str, sel: Selection) -> Any:
    if kind == "oindex":
        return arr.oindex[sel]
    if kind == "vindex":
        return arr.vindex[sel]
    return arr[sel]


class Impl:
    name = ""

    def open(self, path: str) -> Any:
        raise TypeError(f"{self.name} cannot open arrays")

    def read(self, arr: Any, kind: str, sel: Selection) -> np.ndarray:
        raise TypeError

    def write(self, arr: Any, sel: Selection, value: np.ndarray) -> None:
        raise TypeError

    def open_group(self, path: str, consolidated: bool) -> list[str]:
        raise TypeError(f"{self.name} cannot open groups")


class AnyzarrSync(Impl):
    name = "anyzarr"

    def __init__(self) -> None:
        import anyzarr

        self.z = anyzarr

    def open(self, path: str) -> Any:
        store = _anyzarr_store(path)
        return self.z.open_array(store=store, mode="r+" if store is path else "r")

    def read(self, arr: Any, kind: str, sel: Selection) -> np.ndarray:
        result = _zarr_like_read(arr, kind, sel)
        if not isinstance(result, np.ndarray) and hasattr(result, "get"):
            return result.get()  # type: ignore[no-any-return]  # cupy, with the GPU on
        return np.asarray(result)

    def write(self, arr: Any, sel: Selection, value: np.ndarray) -> None:
        arr[sel] = value

    def open_group(self, path: str, consolidated: bool) -> list[str]:
        g = self.z.open_group(store=path, mode="r", use_consolidated=consolidated)
        return [k for k, _ in g.members(max_depth=None)]


class AnyzarrNoCache(AnyzarrSync):
    """anyzarr's sync API with the decoded-chunk cache off for the array."""

    name = "anyzarr-nocache"

    def open(self, path: str) -> Any:
        store = _anyzarr_store(path)
        mode = "r+" if store is path else "r"
        return self.z.open_array(store=store, mode=mode, config={"cache_chunks": False})


class AnyzarrBefore(AnyzarrSync):
    """anyzarr's sync API from an earlier commit (``run.py --before REV``).

    The runner unpacks that commit's ``src/`` and names it in
    ``BENCH_BEFORE_SRC``; this worker imports anyzarr from there.
    """

    name = "anyzarr-before"

    def __init__(self) -> None:
        sys.path.insert(0, os.environ["BENCH_BEFORE_SRC"])
        super().__init__()
        if not self.z.__file__ or not self.z.__file__.startswith(os.environ["BENCH_BEFORE_SRC"]):
            raise RuntimeError(f"anyzarr-before imported {self.z.__file__}")


class AnyzarrAsync(Impl):
    """The async API on one long-lived event loop (asyncio, in a portal thread).

    An application keeps its loop; starting and closing one per operation
    (``anyio.run``) would time the loop's and its worker threads' start-up
    instead of the read.
    """

    name = "anyzarr-async"
    backend = "asyncio"

    def __init__(self) -> None:
        from anyio.from_thread import start_blocking_portal

        import anyzarr.api.asynchronous as az

        self._cm = start_blocking_portal(self.backend)
        self.portal = self._cm.__enter__()
        self.az = az
        atexit.register(self._cm.__exit__, None, None, None)

    def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.portal.call(fn, *args)

    def open(self, path: str) -> Any:
        async def go() -> Any:
            store = _anyzarr_store(path)
            return await self.az.open_array(store=store, mode="r+" if store is path else "r")

        return self._run(go)

    def read(self, arr: Any, kind: str, sel: Selection) -> np.ndarray:
        method = {
            "basic": arr.getitem,
            "oindex": arr.get_orthogonal_selection,
            "vindex": arr.get_coordinate_selection,
        }[kind]
        return np.asarray(self._run(method, sel))

    def write(self, arr: Any, sel: Selection, value: np.ndarray) -> None:
        self._run(arr.setitem, sel, value)

    def open_group(self, path: str, consolidated: bool) -> list[str]:
        async def go() -> list[str]:
            g = await self.az.open_group(path, mode="r", use_consolidated=consolidated)
            return [k async for k, _ in g.members(max_depth=None)]

        names: list[str] = self._run(go)
        return names


class ZarrPython(Impl):
    name = "zarr-python"
    pipeline: str | None = None

    def __init__(self) -> None:
        import zarr

        if self.pipeline:
            zarr.config.set({"codec_pipeline.path": self.pipeline})
        self.z = zarr

    def open(self, path: str) -> Any:
        store = _zarr_python_store(path)
        return self.z.open_array(store, mode="r+" if store is path else "r")

    def read(self, arr: Any, kind: str, sel: Selection) -> np.ndarray:
        return np.asarray(_zarr_like_read(arr, kind, sel))

    def write(self, arr: Any, sel: Selection, value: np.ndarray) -> None:
        arr[sel] = value

    def open_group(self, path: str, consolidated: bool) -> list[str]:
        g = self.z.open_group(path, mode="r", use_consolidated=consolidated)
        return [k for k, _ in g.members(max_depth=None)]


class Zarrs(ZarrPython):
    name = "zarrs"
    pipeline = "zarrs.ZarrsCodecPipeline"


class TensorStore(Impl):
    name = "tensorstore"

    def __init__(self) -> None:
        import tensorstore

        self.ts = tensorstore

    def open(self, path: str) -> Any:
        import os

        spec: dict[str, Any]
        if path.startswith("http"):
            kvstore = {"driver": "http", "base_url": path + "/"}
            # tensorstore's own default keeps 32 requests in flight; the
            # latency bound and every other implementation use CONCURRENCY.
            context = {"http_request_concurrency": {"limit": CONCURRENCY}}
            spec = {"driver": "zarr3", "kvstore": kvstore, "context": context}
        else:
            kvstore = {"driver": "file", "path": path}
            driver = "zarr3" if os.path.exists(os.path.join(path, "zarr.json")) else "zarr"
            spec = {"driver": driver, "kvstore": kvstore}
        return self.ts.open(spec, open=True).result()

    def read(self, arr: Any, kind: str, sel: Selection) -> np.ndarray:
        view = {"basic": arr, "oindex": arr.oindex, "vindex": arr.vindex}[kind][sel]
        return np.asarray(view.read().result())

    def write(self, arr: Any, sel: Selection, value: np.ndarray) -> None:
        arr[sel].write(value).result()


IMPLS: dict[str, type[Impl]] = {
    c.name: c
    for c in (
        AnyzarrSync,
        AnyzarrAsync,
        AnyzarrNoCache,
        AnyzarrBefore,
        ZarrPython,
        Zarrs,
        TensorStore,
    )
}
