"""Find every array in the shared fixtures folder."""

from __future__ import annotations

import json
from pathlib import Path


def find_arrays(root: Path) -> list[Path]:
    """Directories holding array metadata (v2 ``.zarray`` or v3 ``zarr.json``)."""
    found: list[Path] = []
    for meta in sorted(root.rglob(".zarray")):
        found.append(meta.parent)
    for meta in sorted(root.rglob("zarr.json")):
        try:
            doc = json.loads(meta.read_text())
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(doc, dict) and doc.get("node_type") == "array":
            found.append(meta.parent)
    return sorted(set(found))


def find_groups(root: Path) -> list[Path]:
    """Directories holding group metadata (v2 ``.zgroup`` or v3 ``zarr.json``)."""
    found: list[Path] = [meta.parent for meta in root.rglob(".zgroup")]
    for meta in root.rglob("zarr.json"):
        try:
            doc = json.loads(meta.read_text())
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(doc, dict) and doc.get("node_type") == "group":
            found.append(meta.parent)
    return sorted(set(found))
