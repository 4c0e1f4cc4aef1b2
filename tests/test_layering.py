"""The protocol layer must stay pure: no IO, no concurrency."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import anyzarr

PROTOCOL = Path(anyzarr.__file__).parent / "protocol"
FORBIDDEN = {
    "anyio", "trio", "asyncio", "threading", "concurrent", "httpx", "obstore",
    "fsspec", "socket", "aiofiles", "multiprocessing", "selectors", "urllib",
    "http", "subprocess",
}  # fmt: skip
FORBIDDEN_CALLS = {"open"}


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
                found.append(f"{path}:{node.lineno} calls {func.id}()")
            if isinstance(func, ast.Attribute) and func.attr in {"read_bytes", "write_bytes"}:
                found.append(f"{path}:{node.lineno} calls .{func.attr}()")
        for name in names:
            if name.split(".")[0] in FORBIDDEN:
                found.append(f"{path}:{node.lineno} imports {name}")
    return found


def test_protocol_sources_import_no_io_or_concurrency_module() -> None:
    files = sorted(PROTOCOL.rglob("*.py"))
    assert files, "protocol package has no modules"
    problems = [v for f in files for v in _violations(f)]
    assert not problems, "\n".join(problems)


def test_importing_protocol_loads_no_io_module() -> None:
    # Transitive check: a fresh interpreter imports every protocol module and
    # must not have pulled in an IO or concurrency library along the way.
    modules = [
        "anyzarr.protocol." + ".".join(p.relative_to(PROTOCOL).with_suffix("").parts)
        for p in PROTOCOL.rglob("*.py")
        if p.name != "__init__.py"
    ]
    # The top-level package is replaced by a bare namespace so that only the
    # protocol layer's own imports run (anyzarr/__init__ rightly imports io/api).
    code = (
        "import importlib, importlib.util, sys, types\n"
        "spec = importlib.util.find_spec('anyzarr')\n"
        "pkg = types.ModuleType('anyzarr')\n"
        "pkg.__path__ = list(spec.submodule_search_locations)\n"
        "sys.modules['anyzarr'] = pkg\n"
        # The allowed dependencies load what they load (numcodecs pulls in
        # multiprocessing); only what the protocol layer adds on top counts.
        "import numpy, numcodecs, numcodecs.blosc, numcodecs.zstd, msgspec, google_crc32c\n"
        "before = set(sys.modules)\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"bad = sorted(m for m in set(sys.modules) - before if m.split('.')[0] in {sorted(FORBIDDEN - {'http', 'urllib', 'threading'})!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"protocol imports pulled in: {out.stdout.strip()}"


def test_the_check_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import anyio\nfrom trio import sleep\nopen('x')\n")
    assert len(_violations(bad)) == 3
