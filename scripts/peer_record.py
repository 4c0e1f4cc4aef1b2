"""Record every test's outcome and failure cause as JSON (a pytest plugin).

Loaded by ``scripts/peer_suite.py`` with ``-p peer_record``; the file named
by ``PEER_RECORD`` receives one JSON object: ``tests`` (node id -> outcome,
cause, deferred zarr names used) and ``collection`` (file -> error cause).
With ``peer_alias`` loaded too, each test's uses of deferred names are
attributed to it.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any

import pytest

RESULTS: dict[str, dict[str, Any]] = {}
COLLECTION: dict[str, str] = {}
CAUSES: dict[str, str] = {}
PRIVATE_ATTRIBUTES: set[str] = set()


def _alias() -> Any:
    return sys.modules.get("peer_alias")


def normalise(text: str) -> str:
    """A failure message with the details that differ per test blanked out."""
    text = text.strip().splitlines()[0] if text.strip() else ""
    text = re.sub(r"0x[0-9a-f]+", "0x…", text)
    text = re.sub(r"'[^']*'", "'…'", text)
    text = re.sub(r'"[^"]*"', '"…"', text)
    text = re.sub(r"\d+", "N", text)
    return text[:160]


#: ``AttributeError`` text naming a missing underscore (private) attribute.
_PRIVATE_ATTRIBUTE = re.compile(r"has no attribute '_[^_]|^_[a-z]")


def uses_private_attribute(exc: BaseException) -> bool:
    """Whether ``exc`` is the failure to find a private (underscore) attribute.

    A test that needs zarr-python's private attributes on public objects
    (``store._foo``) uses private API, like one that imports ``zarr.core``.
    """
    return isinstance(exc, AttributeError) and bool(_PRIVATE_ATTRIBUTE.search(str(exc)))


def cause_of(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    exc = excinfo.value
    # The innermost frame outside the test suite says where it went wrong.
    where = ""
    for entry in reversed(excinfo.traceback):
        path = str(entry.path)
        if "/site-packages/" in path and "/anyzarr/" not in path and "/zarr/" not in path:
            continue
        if "/tests/" in path:
            break
        where = f" [{os.path.basename(path)}:{entry.name}]"
        break
    return f"{type(exc).__name__}: {normalise(str(exc))}{where}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    return (yield from _in_context(item.nodeid))


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    return (yield from _in_context(f"<collect:{collector.nodeid}>"))


def _in_context(name: str) -> Any:
    alias = _alias()
    if alias is None:
        return (yield)
    before = alias.CURRENT[0]
    alias.CURRENT[0] = name
    try:
        return (yield)
    finally:
        alias.CURRENT[0] = before


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if call.excinfo is not None and report.failed and item.nodeid not in CAUSES:
        CAUSES[item.nodeid] = cause_of(call.excinfo)
        if uses_private_attribute(call.excinfo.value):
            PRIVATE_ATTRIBUTES.add(item.nodeid)
    return report


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    entry = RESULTS.setdefault(
        report.nodeid, {"outcome": "passed", "file": report.nodeid.split("::")[0]}
    )
    if report.failed:
        entry["outcome"] = "failed" if report.when == "call" else "error"
    elif report.skipped and entry["outcome"] == "passed":
        entry["outcome"] = "xfailed" if hasattr(report, "wasxfail") else "skipped"


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        text = str(report.longrepr)
        lines = [ln for ln in text.splitlines() if ln.startswith("E ")]
        COLLECTION[report.nodeid] = (lines[-1][1:] if lines else text).strip()[:300]


def pytest_sessionfinish(session: pytest.Session) -> None:
    alias = _alias()
    touched = alias.TOUCHED if alias is not None else {}
    for nodeid, entry in RESULTS.items():
        entry["cause"] = CAUSES.get(nodeid)
        entry["deferred"] = sorted(touched.get(nodeid, ()))
        if nodeid in PRIVATE_ATTRIBUTES:
            entry["deferred"].append("zarr._private_attribute")
    out = {
        "tests": RESULTS,
        "collection": COLLECTION,
        "collection_deferred": {
            key[len("<collect:") : -1]: sorted(names)
            for key, names in touched.items()
            if key.startswith("<collect:")
        },
    }
    with open(os.environ["PEER_RECORD"], "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
