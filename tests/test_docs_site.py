"""The documentation site builds with ``mkdocs build --strict`` and covers the public API.

``--strict`` turns every warning into a failure: a broken link between pages,
a missing anchor, a page left out of the navigation, an API entry whose
object cannot be found.  The API check is generic: every name in the
``__all__`` of the modules below (and of every public module those list) must
have an entry in the built reference, so a name added later is covered as
soon as mkdocstrings renders its module page.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

#: Modules whose public names must all appear in the API reference.
API_MODULES = (
    "anyzarr",
    "anyzarr.storage",
    "anyzarr.api.asynchronous",
    "anyzarr.errors",
    "anyzarr.protocol",
    "anyzarr.protocol.metadata",
    "anyzarr.protocol.codecs",
    "anyzarr.protocol.dtypes",
    "anyzarr.protocol.indexing",
    "anyzarr.protocol.buffer",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "WARNING" not in proc.stderr, proc.stderr
    return out


def _nav_files(entries: Any) -> list[str]:
    files: list[str] = []
    for entry in entries:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        files += _nav_files(value) if isinstance(value, list) else [value]
    return files


def _config() -> dict[str, Any]:
    # mkdocs.yml has no custom YAML tags, so the safe loader reads it.
    return yaml.safe_load((ROOT / "mkdocs.yml").read_text())  # type: ignore[no-any-return]


def test_navigation_lists_every_page() -> None:
    listed = set(_nav_files(_config()["nav"]))
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert sorted(pages - listed) == [], "pages missing from mkdocs.yml's nav"
    assert sorted(listed - pages) == [], "nav entries without a page"


def _public_modules() -> list[ModuleType]:
    seen: dict[str, ModuleType] = {}
    todo = list(API_MODULES)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        module = importlib.import_module(name)
        seen[name] = module
        for member in getattr(module, "__all__", ()):
            value = getattr(module, member)
            if isinstance(value, ModuleType) and value.__name__.startswith("anyzarr."):
                todo.append(value.__name__)
    return list(seen.values())


def test_every_public_name_has_an_api_entry(site: Path) -> None:
    anchors: set[str] = set()
    for page in (site / "api").rglob("*.html"):
        anchors |= set(re.findall(r'id="([\w.]+)"', page.read_text()))
    missing = [
        f"{module.__name__}.{name}"
        for module in _public_modules()
        for name in getattr(module, "__all__", ())
        if f"{module.__name__}.{name}" not in anchors
    ]
    assert missing == [], "add a ::: entry for these modules to a page in docs/api/"


def test_every_guide_is_on_the_index_page() -> None:
    index = (DOCS / "index.md").read_text()
    guides = {p.name for p in DOCS.glob("*.md")} - {"index.md"}
    assert sorted(g for g in guides if f"({g})" not in index) == []
