"""Every sync method matches its async twin: parameters, defaults and docstring.

The generator keeps generated methods in step; this checks the result,
hand-written mixins included, so a sync method can never drift from the
async method it runs.  The few deliberate differences are zarr-python's own
(its sync API differs there too) and are listed with their reason.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from anyzarr import Array, AsyncArray, AsyncGroup, Group

#: (sync class, name): why its signature may differ from the async twin's.
SIGNATURE_DIFFERS = {
    (Group, "get"): "zarr-python's Group.get(path, default) is a mapping get",
    (Group, "create_group"): "zarr-python's sync create_group takes **kwargs",
    (Group, "require_group"): "zarr-python's sync require_group takes **kwargs",
}
#: Members that are properties on the sync class and coroutines on the async one.
PROPERTY_ON_SYNC = {(Array, "nchunks_initialized"): "a property in zarr-python's Array"}


def _twins() -> list[tuple[type[Any], type[Any], str]]:
    pairs = [(Array, AsyncArray), (Group, AsyncGroup)]
    found = []
    for sync_cls, async_cls in pairs:
        for name, member in vars(async_cls).items():
            if name.startswith("_") or not inspect.iscoroutinefunction(member):
                continue
            found.append((sync_cls, async_cls, name))
    return found


def _parameters(fn: Callable[..., Any]) -> list[tuple[str, Any, Any]]:
    sig = inspect.signature(fn)
    return [(p.name, p.kind, p.default) for p in sig.parameters.values()]


@pytest.mark.parametrize(("sync_cls", "async_cls", "name"), _twins())
def test_sync_method_matches_its_async_twin(
    sync_cls: type[Any], async_cls: type[Any], name: str
) -> None:
    if (sync_cls, name) in PROPERTY_ON_SYNC:
        assert isinstance(inspect.getattr_static(sync_cls, name), property)
        return
    sync_fn = getattr(sync_cls, name)
    async_fn = getattr(async_cls, name)
    assert not inspect.iscoroutinefunction(sync_fn), f"{sync_cls.__name__}.{name} is async"
    if (sync_cls, name) not in SIGNATURE_DIFFERS:
        assert _parameters(sync_fn) == _parameters(async_fn), f"{sync_cls.__name__}.{name}"
    sync_doc = inspect.getdoc(sync_fn) or ""
    async_doc = (inspect.getdoc(async_fn) or "").replace("AsyncArray", "Array")
    async_doc = async_doc.replace("AsyncGroup", "Group")
    if (sync_cls, name) in SIGNATURE_DIFFERS:
        assert sync_doc, f"{sync_cls.__name__}.{name} has no docstring"
    else:
        assert sync_doc == async_doc, f"{sync_cls.__name__}.{name}: docstrings differ"


def test_every_async_method_has_a_sync_twin() -> None:
    missing = [
        f"{sync_cls.__name__}.{name}"
        for sync_cls, _, name in _twins()
        if not hasattr(sync_cls, name)
    ]
    assert not missing
