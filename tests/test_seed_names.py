"""Every name the reference docs (the seeds) document exists in anyzarr, with its parameters.

The seeds come in two shapes: reStructuredText (``.. py:class::``,
``.. py:method::`` ...) for ``zarr.storage``, ``zarr.api.asynchronous`` and
``zarr.testing.buffer``, and rendered HTML text (``class zarr.Array[source]#``,
``name(`` ... ``) ReturnType[source]#``, ``property name: type#``) for
``zarr``.  One test per documented class or function; a failure lists what is
missing, so the short summary reads as a to-do list.
"""

from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
MODULES = {
    "zarr": "anyzarr",
    "zarr.api.asynchronous": "anyzarr.api.asynchronous",
    "zarr.storage": "anyzarr.storage",
    "zarr.testing.buffer": "anyzarr.testing.buffer",
}


@dataclass
class Member:
    name: str
    kind: str  # method, property, attribute
    params: list[str]


@dataclass
class Documented:
    module: str
    name: str
    kind: str  # class or function
    params: list[str]
    members: dict[str, Member] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.module}.{self.name}"


def split_params(text: str) -> list[str]:
    """Parameter names from a signature's parameter text (no ``self``, ``*``, ``/``)."""
    names: list[str] = []
    depth = 0
    current = ""
    for ch in text + ",":
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            part = current.strip()
            current = ""
            if not part:
                continue
            name = re.split(r"[:=]", part, maxsplit=1)[0].strip().lstrip("*")
            if name and name not in ("self", "cls", "/") and name.isidentifier():
                names.append(name)
            continue
        current += ch
    return names


def _rst_signature(rest: str) -> tuple[str, list[str]]:
    match = re.match(r"([A-Za-z_][\w.]*)\s*(?:\((.*)\))?", rest)
    assert match is not None, rest
    inner = match.group(2) or ""
    # Strip the return annotation if the greedy match swallowed ") -> ...(".
    if ") ->" in inner:
        inner = inner.split(") ->")[0]
    return match.group(1), split_params(inner)


def parse_rst(text: str) -> list[Documented]:
    found: list[Documented] = []
    module = ""
    current: Documented | None = None
    for line in text.splitlines():
        m = re.match(r"^(\s*)\.\. py:(\w+):: (.*)$", line)
        if not m:
            continue
        indent, kind, rest = len(m.group(1)), m.group(2), m.group(3)
        if kind == "module":
            module = rest.strip()
            continue
        name, params = _rst_signature(rest)
        if indent == 0:
            doc_kind = "class" if kind == "class" else "function"
            if kind in ("class", "function"):
                current = Documented(module, name, doc_kind, params)
                found.append(current)
            else:
                current = None
        elif current is not None and current.kind == "class":
            member_kind = {"method": "method", "property": "property"}.get(kind, "attribute")
            current.members.setdefault(name, Member(name, member_kind, params))
    return found


def _collect_signature(lines: list[str], start: int, head: str) -> tuple[str, int]:
    """Join a possibly multi-line ``name(`` ... ``)`` signature; return text and next index."""
    text = head
    i = start + 1
    if text.rstrip().endswith("("):
        while i < len(lines) and not lines[i].startswith(")"):
            text += lines[i]
            i += 1
        text += ")"
        i += 1
    return text, i


def parse_html_text(text: str, module: str = "zarr") -> list[Documented]:
    found: list[Documented] = []
    lines = text.splitlines()
    current: Documented | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        cls = re.match(rf"^class {re.escape(module)}\.(\w+)(.*)$", line)
        func = re.match(rf"^{re.escape(module)}\.(\w+)\((.*)$", line)
        meth = re.match(r"^(?:classmethod |async |staticmethod )*(\w+)\((.*)$", line)
        prop = re.match(r"^property (\w+)\s*:", line)
        if cls:
            sig, i = _collect_signature(lines, i, line)
            name = cls.group(1)
            params = split_params(sig[sig.find("(") + 1 : sig.rfind(")")]) if "(" in sig else []
            existing = next((d for d in found if d.name == name), None)
            current = existing or Documented(module, name, "class", params)
            if existing is None:
                found.append(current)
            continue
        if func:
            sig, i = _collect_signature(lines, i, line)
            name = func.group(1)
            inner = sig[sig.find("(") + 1 :]
            inner = inner[: inner.rfind(")")]
            found.append(Documented(module, name, "function", split_params(inner)))
            current = None
            continue
        if current is not None and prop:
            current.members.setdefault(prop.group(1), Member(prop.group(1), "property", []))
        elif current is not None and meth and ("[source]#" in line or line.rstrip().endswith("(")):
            sig, i = _collect_signature(lines, i, line)
            inner = sig[sig.find("(") + 1 :]
            inner = inner[: inner.rfind(")")]
            name = meth.group(1)
            current.members.setdefault(name, Member(name, "method", split_params(inner)))
            continue
        i += 1
    return found


def documented() -> list[Documented]:
    if not SEEDS.is_dir():
        return []
    items: list[Documented] = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if ".. py:module::" in text:
            items += [d for d in parse_rst(text) if d.module in MODULES]
        elif "class zarr.Array" in text:
            items += parse_html_text(text)
    # The same name documented twice (two seed releases) is checked once.
    unique: dict[str, Documented] = {}
    for item in items:
        if item.id in unique:
            unique[item.id].members.update(
                {k: v for k, v in item.members.items() if k not in unique[item.id].members}
            )
        else:
            unique[item.id] = item
    return list(unique.values())


def _missing_params(obj: Any, wanted: list[str]) -> list[str]:
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    have = set(signature.parameters)
    return [p for p in wanted if p not in have]


def problems_of(item: Documented) -> list[str]:
    module_name = MODULES[item.module]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        return [f"module {module_name} cannot be imported: {exc}"]
    obj = getattr(module, item.name, None)
    if obj is None:
        return [f"{module_name}.{item.name} is missing"]
    problems = [
        f"{module_name}.{item.name}: parameter {p!r} missing"
        for p in _missing_params(obj, item.params)
    ]
    for member in item.members.values():
        if member.name.startswith("_") and not member.name.startswith("__"):
            continue
        if not hasattr(obj, member.name):
            problems.append(f"{module_name}.{item.name}.{member.name} ({member.kind}) is missing")
            continue
        if member.kind == "method":
            attr = inspect.getattr_static(obj, member.name)
            func = attr.__func__ if isinstance(attr, classmethod | staticmethod) else attr
            problems += [
                f"{module_name}.{item.name}.{member.name}: parameter {p!r} missing"
                for p in _missing_params(func, member.params)
            ]
    return problems


ITEMS = documented()


def test_parser_reads_the_seeds(shared_dir: Path) -> None:
    ids = {d.id for d in ITEMS}
    for expected in (
        "zarr.Array",
        "zarr.Group",
        "zarr.create_array",
        "zarr.api.asynchronous.open_group",
        "zarr.storage.LocalStore",
        "zarr.testing.buffer.TestBuffer",
    ):
        assert expected in ids
    array = next(d for d in ITEMS if d.id == "zarr.Array")
    assert {"get_basic_selection", "resize", "shape", "oindex"} <= set(array.members)
    assert "selection" in array.members["get_basic_selection"].params
    create = next(d for d in ITEMS if d.id == "zarr.api.asynchronous.create")
    assert {"shape", "chunks", "dtype", "zarr_format", "kwargs"} <= set(create.params)


@pytest.mark.parametrize("item", ITEMS or [None], ids=[d.id for d in ITEMS] or ["no-seeds"])
def test_documented_name_exists(item: Documented | None, shared_dir: Path) -> None:
    assert item is not None, f"no names parsed from {shared_dir / 'seeds'}"
    problems = problems_of(item)
    assert not problems, "\n".join(problems)
