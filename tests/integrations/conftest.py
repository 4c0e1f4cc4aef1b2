"""Support for xarray's own backend test classes, which ``test_xarray_conformance`` reuses.

xarray's test suite relies on markers and a ``skip_if_param`` rule that live
in the root ``conftest.py`` of its repository, which its wheel does not
ship; they are given here.
"""

from __future__ import annotations

import pytest

_XARRAY_MARKERS = ("flaky", "network", "asyncio", "skip_if_param", "skip_with_dask_array")


def pytest_configure(config: pytest.Config) -> None:
    for marker in _XARRAY_MARKERS:
        config.addinivalue_line("markers", f"{marker}: used by xarray's test suite")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a test whose parameters match a ``skip_if_param(name=value, reason=...)`` mark."""
    callspec = getattr(item, "callspec", None)
    params = callspec.params if callspec is not None else {}
    for mark in item.iter_markers("skip_if_param"):
        wanted = dict(mark.kwargs)
        reason = wanted.pop("reason", "")
        if wanted.pop("condition", True) and all(
            name in params and params[name] == value for name, value in wanted.items()
        ):
            pytest.skip(reason)
