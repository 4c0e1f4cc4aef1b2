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


# -- every layer imports only from itself and the layers below ---------------------------------

SRC = PROTOCOL.parent
#: Layer of each first-level package; anything else in anyzarr (the public
#: facade modules, the CLI, integrations, testing helpers) sits above them all.
LAYERS = {"protocol": 0, "io": 1, "api": 2}


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.get(parts[1], 3) if len(parts) > 1 else 3


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _upward_imports(path: Path) -> list[str]:
    """Imports in ``path`` (anywhere in it, lazy ones too) of a higher anyzarr layer."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    mine = _layer(module)
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                targets = [".".join([*base, node.module] if node.module else base)]
            elif node.module:
                targets = [node.module]
        for target in targets:
            if target.split(".")[0] == "anyzarr" and _layer(target) > mine:
                found.append(f"{path}:{node.lineno} ({module}) imports {target}")
    return found


def test_no_layer_imports_a_layer_above_it() -> None:
    files = [f for layer in LAYERS for f in sorted((SRC / layer).rglob("*.py"))]
    problems = [v for f in files for v in _upward_imports(f)]
    assert not problems, "\n".join(problems)


def test_the_layer_check_catches_a_violation(tmp_path: Path) -> None:
    fake = SRC / "io" / "_layering_probe.py"
    assert not fake.exists()
    source = "def f():\n    from anyzarr.api import _array\n    import anyzarr.cli\n"
    fake.write_text(source)
    try:
        assert len(_upward_imports(fake)) == 2
    finally:
        fake.unlink()
