#!/usr/bin/env python
"""Generate anyzarr's sync API from its async API.

Reads ``AsyncArray`` (``src/anyzarr/api/_array.py``), ``AsyncGroup``
(``src/anyzarr/api/_group.py``) and the async functions of
``src/anyzarr/api/asynchronous.py`` as syntax trees, and writes their sync
twins into ``src/anyzarr/api/synchronous/``: the same names, parameters,
defaults, type hints (``AsyncArray`` becomes ``Array`` and so on) and
docstrings, each body a call of the async twin through
``anyzarr.api._sync_runtime``.

Rules (in the order the generator applies them):

- Public ``async def`` methods/functions become sync ones returning what the
  coroutine returns; ``AsyncArray``/``AsyncGroup`` results (also inside
  tuples, lists and dict values) are wrapped into ``Array``/``Group``.
- Async generators (or anything annotated ``AsyncIterator``/``AsyncGenerator``/
  ``AsyncIterable``) become methods returning a sync iterator, or a tuple for
  the names in ``TUPLE_RESULTS``.
- Properties and public dataclass fields are forwarded read-only (setters are
  forwarded too); plain public methods are forwarded as they are.
- Private names, dunders, ``@overload`` stubs and every name defined in the
  hand-written override mixin (``ArrayMixin``/``GroupMixin`` in
  ``_sync_mixins.py``) are skipped.  The fallback mixins sit below the
  generated class, so a generated method replaces a fallback of the same name.
- ``@deprecated(...)`` decorators are copied.

``--check`` generates into a temporary folder and exits 1 on any difference
with the checked-in files, extra or missing files included.
"""

from __future__ import annotations

import argparse
import difflib
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

# The helper modules sit next to this script; make them importable however
# the script is loaded (run directly, or by path from the tests).
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _sync_gen_emit import (
    ClassJob,
    FunctionsJob,
    Plan,
    generate_class,
    generate_functions,
    generate_init,
)

__all__ = [
    "ClassJob",
    "FunctionsJob",
    "Plan",
    "default_plan",
    "differences",
    "format_source",
    "main",
    "render",
    "write",
]

ROOT = Path(__file__).resolve().parents[1]


def default_plan(out_dir: Path | None = None) -> Plan:
    api = ROOT / "src" / "anyzarr" / "api"
    classes = (
        ClassJob(
            api / "_array.py",
            "anyzarr.api._array",
            "AsyncArray",
            "Array",
            "_array.py",
            "_async_array",
            "ArrayMixin",
            "ArrayFallbacks",
        ),
        ClassJob(
            api / "_group.py",
            "anyzarr.api._group",
            "AsyncGroup",
            "Group",
            "_group.py",
            "_async_group",
            "GroupMixin",
            "GroupFallbacks",
        ),
    )
    return Plan(
        root=ROOT,
        out_dir=out_dir or api / "synchronous",
        package="anyzarr.api.synchronous",
        classes=classes,
        functions=FunctionsJob(
            api / "asynchronous.py", "anyzarr.api.asynchronous", "_functions.py"
        ),
        mixins_path=api / "_sync_mixins.py",
    )


# -- formatting, writing, checking ----------------------------------------------------


def _ruff(args: list[str], text: str, filename: Path, root: Path) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--stdin-filename", str(filename), "-"],
        input=text,
        capture_output=True,
        text=True,
        cwd=root,
        check=False,
    )
    if proc.returncode not in (0, 1) or not proc.stdout:
        raise SystemExit(f"generate_sync: ruff {args[0]} failed on {filename}:\n{proc.stderr}")
    return proc.stdout


def format_source(
    text: str, filename: Path, root: Path = ROOT, first_party: Sequence[str] = ("anyzarr",)
) -> str:
    """Sort imports and format ``text`` with the project's ruff settings."""
    compile(text, str(filename), "exec")  # a syntax error should name the file, not ruff
    # Pin the first-party package: ruff otherwise classifies a not-yet-written
    # package differently, and the first run would differ from later ones.
    config = [
        "--config",
        str(ROOT / "pyproject.toml"),
        "--config",
        f"lint.isort.known-first-party = {sorted(set(first_party))!r}",
    ]
    text = _ruff(
        ["check", *config, "--fix", "--select", "I", "--exit-zero", "--quiet"], text, filename, root
    )
    return _ruff(["format", *config, "--quiet"], text, filename, root)


def render(plan: Plan) -> dict[str, str]:
    """Every generated file name (relative to ``plan.out_dir``) and its text."""
    files: dict[str, str] = {}
    for job in plan.classes:
        files[job.target] = generate_class(plan, job)
    function_list: list[str] = []
    if plan.functions is not None:
        files[plan.functions.target], function_list = generate_functions(plan, plan.functions)
    files["__init__.py"] = generate_init(plan, function_list)
    target = (
        plan.out_dir.relative_to(plan.root)
        if plan.out_dir.is_relative_to(plan.root)
        else plan.out_dir
    )
    first_party = ("anyzarr", plan.package.split(".")[0])
    return {
        name: format_source(text, target / name, plan.root, first_party)
        for name, text in files.items()
    }


def write(plan: Plan, out_dir: Path | None = None) -> list[Path]:
    out = out_dir or plan.out_dir
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render(plan).items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _listing(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def differences(plan: Plan) -> list[str]:
    """Regenerate into a temporary folder and describe every difference.

    Extra files (anything but ``__pycache__``) and missing files count, not only
    changed lines.
    """
    with tempfile.TemporaryDirectory(prefix="generate_sync_") as tmp:
        fresh = Path(tmp)
        write(plan, fresh)
        expected = {name: (fresh / name).read_text(encoding="utf-8") for name in _listing(fresh)}
    problems: list[str] = []
    present = _listing(plan.out_dir)
    for extra in sorted(present - set(expected)):
        problems.append(f"extra file not produced by the generator: {plan.out_dir / extra}")
    for name, text in sorted(expected.items()):
        path = plan.out_dir / name
        if name not in present:
            problems.append(f"missing generated file: {path}")
            continue
        current = path.read_text(encoding="utf-8")
        if current != text:
            diff = difflib.unified_diff(
                current.splitlines(True), text.splitlines(True), str(path), f"{path} (regenerated)"
            )
            problems.append("".join(diff))
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check", action="store_true", help="fail if the generated files are stale"
    )
    parser.add_argument("--out", type=Path, help="write into this folder instead")
    ns = parser.parse_args(argv)
    plan = default_plan(ns.out)
    if ns.check:
        problems = differences(plan)
        for problem in problems:
            print(problem)
        if problems:
            print(
                "generate_sync: the sync API is stale; run scripts/generate_sync.py",
                file=sys.stderr,
            )
            return 1
        print("generate_sync: the sync API is up to date")
        return 0
    for path in write(plan):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
