"""Seed 003's ``>>>`` examples run against anyzarr and print what the seed shows.

Seed 003 is zarr-python's ``zarr`` module documentation.  Every example in it
is extracted, run with ``zarr`` bound to ``anyzarr`` (and again with ``zarr``
bound to zarr-python 3.4, the oracle that proves each adaptation and
normalisation below is needed by zarr-python as well, not tailored to
anyzarr), and what each statement prints is compared with the seed.

Parsing quirks of the seed: continuation lines of a statement also start with
``>>> `` (an indented ``>>>`` line continues an unbalanced statement); some
use ``...``; an output block is the lines after a statement up to a blank
line, a prompt or an API heading (bracketed reprs run until their brackets
balance, ``info`` tables while rows look like ``Name   : value``).

Every change made to the seed's source and every way the comparison is
looser than exact text is listed in ``SOURCE_FIXES``, ``SKIPPED``,
``EXPECTED_FIXES`` and ``_normalise``/``_compare`` below, each with its reason.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import inspect
import io
import re
import sys
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import numpy as np
import pytest

SEED = "seeds/003_c0cd79bb7add27b6.txt"

# An API heading ends an example: "get_block_selection(", "...[source]#",
# "property ndim: int#", "classmethod create(".
_HEADING = re.compile(r"#\s*$|^(async |classmethod |property )?[A-Za-z_][\w.]*\($")
_SECTION = {"Examples", "Notes"}
_INFO_ROW = re.compile(r"^[A-Z][\w. ]*?\s{2,}: ")
_OPEN, _CLOSE = "([{", ")]}"


@dataclass(frozen=True)
class Statement:
    """One statement of an example: its first seed line, code and expected output."""

    line: int
    source: str
    expected: tuple[str, ...]


@dataclass(frozen=True)
class Example:
    """Statements that belong together: one ``Examples``/``Notes`` section."""

    line: int
    statements: tuple[Statement, ...]


def _depth(text: str) -> int:
    """Bracket balance of ``text``, ignoring brackets inside string literals."""
    depth, quote = 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
    return depth


def _code(line: str) -> str | None:
    """The code after a ``>>>``/``...`` prompt, or None for any other line."""
    for prompt in (">>>", "..."):
        if line.startswith(prompt):
            rest = line[len(prompt) :]
            return rest[1:] if rest.startswith(" ") else rest
    return None


def _read_output(lines: list[str], start: int) -> tuple[tuple[str, ...], int]:
    """Expected output lines starting at index ``start``, and the index after them.

    Output runs to a blank line, a prompt or an API heading; that also ends
    line 396's array repr, whose closing ``)`` is missing from the seed.
    """
    index = start
    while index < len(lines):
        line = lines[index]
        if _code(line) is not None or not line.strip() or _HEADING.search(line):
            break
        if line.strip() in _SECTION:
            break
        index += 1
    return tuple(lines[start:index]), index


def parse_examples(text: str) -> list[Example]:
    """Split the seed into examples of statements with their expected output."""
    lines = text.splitlines()
    examples: list[list[Statement]] = [[]]
    index = 0
    while index < len(lines):
        line = lines[index]
        code = _code(line)
        if code is None:
            if _HEADING.search(line) or line.strip() in _SECTION:
                examples.append([])
            index += 1
            continue
        first, parts = index + 1, [code]
        index += 1
        while index < len(lines):
            more = _code(lines[index])
            if more is None:
                break
            unbalanced = _depth("\n".join(parts)) > 0
            if lines[index].startswith("...") or (unbalanced and more[:1].isspace()):
                parts.append(more)
                index += 1
            else:
                break
        expected, index = _read_output(lines, index)
        examples[-1].append(Statement(first, "\n".join(parts), expected))
    return [Example(group[0].line, tuple(group)) for group in examples if group]


# -- adaptations: each one fails under zarr-python 3.4 as written ---------------


@dataclass(frozen=True)
class SourceFix:
    """Rewrite ``old`` to ``new`` in the statement at seed ``line``."""

    line: int
    old: str
    new: str
    reason: str


_NO_MODE = "zarr-python 3.4's MemoryStore takes no `mode` (TypeError there too)"
_NO_DTYPE = "zarr-python 3.4 requires `dtype` (ValueError); the seed's output shows float64"
_SYNC_AWAIT = (
    "`zarr.create`/`zarr.create_array` are sync; awaiting an Array fails in zarr-python too"
)

SOURCE_FIXES: tuple[SourceFix, ...] = (
    *(
        SourceFix(line, 'MemoryStore(mode="w")', "MemoryStore()", _NO_MODE)
        for line in (346, 375, 454, 529, 589, 654, 817, 839, 898, 969, 1027, 1094)
    ),
    *(
        SourceFix(line, "MemoryStore(mode='w')", "MemoryStore()", _NO_MODE)
        for line in (1650, 1726, 3873)
    ),
    *(
        SourceFix(line, old, old.lstrip(), "a stray space after `>>>`: IndentationError anywhere")
        for line, old in (
            (1650, " store"),
            (1651, " async_arr"),
            (1726, " store"),
            (1727, " async"),
        )
    ),
    SourceFix(1293, "await zarr.create", "zarr.create", _SYNC_AWAIT),
    SourceFix(3874, "await zarr.create_array", "zarr.create_array", _SYNC_AWAIT),
    SourceFix(1902, "2))\n)", "2))", "a stray `)` in the seed: SyntaxError anywhere"),
    SourceFix(3198, "MemoryStore()", "MemoryStore())", "a missing `)`: SyntaxError anywhere"),
    SourceFix(
        393,
        "(0, (slice(1, 3), slice(None)))",
        "((0, slice(1, 3), slice(None)))",
        "the seed passes the selection as two arguments (TypeError in zarr-python 3.4); "
        "its output is the one-tuple selection's",
    ),
    SourceFix(
        771,
        "z.resize(20000, 1000)",
        "z.resize((20000, 1000)) or z",
        "zarr-python 3.4's resize takes one shape and resizes in place, returning None",
    ),
    *(
        SourceFix(line, "chunks=(10,))", 'chunks=(10,), dtype="float64")', _NO_DTYPE)
        for line in (2857, 2869, 2881, 3199, 3264, 3265)
    ),
)

# Statements where zarr-python 3.4 itself does not print what the seed shows
# (checked: the oracle run asserts the mismatch); anyzarr must match the seed.
ZARR_PYTHON_DIFFERS: dict[int, str] = {
    3482: "zarr-python 3.4's update_attributes_async returns a new Group and leaves "
    "`group` unchanged, so it prints {}",
}

# Statements not run at all, by seed line.
SKIPPED: dict[int, str] = {
    774: "zarr-python 3.4's resize returns None: there is no resized copy `z2`",
    775: "follows the copy-returning resize of line 774 (not zarr-python 3.4's API)",
    777: "follows the copy-returning resize of line 774 (not zarr-python 3.4's API)",
    1727: "opens an array in a fresh, empty store: ArrayNotFoundError in zarr-python too",
}

# Examples whose setup lives elsewhere in the seed: run that example's
# statements (up to the given line) first.
SETUP_FROM: dict[int, tuple[int, int, str]] = {
    442: (451, 460, "the Notes example uses the `z` of the get_block_selection example after it"),
}


@dataclass(frozen=True)
class ExpectedFix:
    """Expected output that the seed gets wrong for every implementation."""

    line: int
    expected: Callable[[dict[str, Any]], object]
    reason: str


EXPECTED_FIXES: dict[int, ExpectedFix] = {
    396: ExpectedFix(
        396,
        lambda ns: ns["data"][..., 5],
        "the seed prints data[..., 2] for `(..., 5)`; zarr-python 3.4 returns data[..., 5]",
    ),
}


# -- running ---------------------------------------------------------------------


def _adapt(statement: Statement) -> str:
    source = statement.source
    for fix in SOURCE_FIXES:
        if fix.line == statement.line:
            assert fix.old in source, f"seed line {fix.line} changed: {fix.old!r} not found"
            source = source.replace(fix.old, fix.new, 1)
    return source


def _namespace(module: types.ModuleType) -> dict[str, Any]:
    """Globals the examples expect: ``zarr`` plus names used without import."""
    storage = importlib.import_module(f"{module.__name__}.storage")
    return {
        "__name__": "__seed__",
        "zarr": module,
        "np": np,
        "StorePath": storage.StorePath,
        "MemoryStore": storage.MemoryStore,
        "Group": module.Group,
        "AsyncArray": module.AsyncArray,
    }


@contextlib.contextmanager
def _install(module: types.ModuleType) -> Iterator[None]:
    """Make ``import zarr`` inside the examples give ``module``."""
    saved = sys.modules.get("zarr")
    sys.modules["zarr"] = module
    try:
        yield
    finally:
        if saved is None:
            del sys.modules["zarr"]
        else:
            sys.modules["zarr"] = saved


async def _await(awaitable: Any) -> Any:
    return await awaitable


def run_statement(source: str, ns: dict[str, Any], backend: str) -> tuple[object, str, bool]:
    """Run one statement like a doctest: (echoed value, stdout, whether it echoes)."""
    tree = ast.parse(source, mode="exec")
    node = tree.body[0]
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    is_expr = len(tree.body) == 1 and isinstance(node, ast.Expr)
    if isinstance(node, ast.Expr) and is_expr:
        code = compile(ast.Expression(node.value), "<seed>", "eval", flags=flags)
    else:
        code = compile(tree, "<seed>", "exec", flags=flags)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        result = eval(code, ns)
        if code.co_flags & inspect.CO_COROUTINE:  # the statement awaits
            result = anyio.run(_await, result, backend=backend)
    value: object = result if is_expr else None
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        if isinstance(target, ast.Name):
            # The seed sometimes shows the value of an assignment (line 1651).
            value = ns[target.id]
    return value, buffer.getvalue(), is_expr


# -- comparing -------------------------------------------------------------------

# Normalisations (each applies to zarr-python 3.4's own output as well):
# - whitespace runs compare as one space (the seed's HTML rendering re-wraps);
# - `memory://<digits>` and `memory://...` compare equal: a MemoryStore's URL
#   holds a process address that differs on every run;
# - arrays compare by value, not text: numpy's line wrapping, spacing and the
#   seed's `...` elisions (numpy elides only above 1000 elements, the seed
#   shortens 50-element results by hand) are presentation; an `...` matches any
#   non-empty run of elements or rows; a `dtype=` in the seed is checked;
# - a bare number matches a numpy scalar or 0-d array of that value: the seed
#   was printed with numpy 1 (`5`), numpy 2 prints `np.uint16(5)`;
# - an expression whose value is a new Array/Group may have no output in the
#   seed (line 2857 `group.create_array(...)`): doctest would echo the node,
#   the seed leaves the echo out;
# - the value of an assignment is compared when the seed shows output after it
#   (line 1651 shows the AsyncArray it assigns);
# - `keys()`-style listings compare as multisets: member order is whatever the
#   store lists (the seed's `baz bar foo quux` is neither sorted nor creation
#   order, and zarr-python 3.4 does not promise one);
# - `info` tables: see `_INFO_EXACT` / `_INFO_LOOSE`.

_ADDRESS = re.compile(r"memory://(\d+|\.\.\.)")
_NUMBER = re.compile(r"^-?\d+(\.\d*)?$")
_DTYPE = re.compile(r",\s*dtype=(\w+)\)$")
_UNORDERED_LINES = {3266}
_NODE_TYPES = {"Array", "Group", "AsyncArray", "AsyncGroup"}

# Info rows compared exactly: facts about the array that every version prints alike.
_INFO_EXACT = (
    "Type",
    "Zarr format",
    "Shape",
    "Chunk shape",
    "Order",
    "Read-only",
    "Store type",
    "No. bytes",
)
# Info rows compared loosely, with the reason.
_INFO_LOOSE = {
    "Data type": "the seed prints the old enum (`DataType.float32`), zarr-python 3.4 "
    "a data-type object (`Float32(endianness='little')`): the dtype name must appear",
    "Codecs": "a repr of implementation codec objects; zarr-python 3.4 itself prints "
    "`Serializer`/`Compressors` rows instead, with a default compressor: not compared",
}


def _normalise(text: str) -> str:
    return " ".join(_ADDRESS.sub("memory://<id>", text).split())


def _array_literal(text: str) -> tuple[Any, str | None]:
    """The nested list (with Ellipsis) and dtype name that a printed array shows."""
    body = " ".join(text.split())
    dtype = _DTYPE.search(body)
    body = _DTYPE.sub(")", body).removeprefix("array(").removesuffix(")")
    # numpy's str() form has no commas: `[[  2  12] [102 112]]`.
    body = re.sub(r"(?<=[\d\].])\s+(?=[-\d\[.])", ", ", body)
    return ast.literal_eval(body), (dtype.group(1) if dtype else None)


def _matches(expected: Any, actual: np.ndarray[Any, Any]) -> bool:
    if not isinstance(expected, list):
        return actual.ndim == 0 and bool(actual == expected)
    if actual.ndim == 0:
        return False
    if Ellipsis in expected:
        cut = expected.index(Ellipsis)
        head, tail = expected[:cut], expected[cut + 1 :]
        if len(actual) <= len(head) + len(tail):
            return False
        pairs = [
            *zip(head, actual[: len(head)], strict=True),
            *zip(tail, actual[len(actual) - len(tail) :], strict=True),
        ]
    else:
        if len(expected) != len(actual):
            return False
        pairs = list(zip(expected, actual, strict=True))
    return all(_matches(want, np.asarray(got)) for want, got in pairs)


def _info_rows(text: str) -> dict[str, str]:
    rows = {}
    for line in text.splitlines():
        if _INFO_ROW.match(line):
            name, _, value = line.partition(":")
            rows[name.strip()] = value.strip()
    return rows


def _compare_info(expected: str, actual: str) -> None:
    want, got = _info_rows(expected), _info_rows(actual)
    unknown = set(want) - set(_INFO_EXACT) - set(_INFO_LOOSE)
    assert not unknown, f"info rows with no comparison rule: {sorted(unknown)}"
    for name in _INFO_EXACT:
        if name in want:
            assert got.get(name) == want[name], f"info row {name!r}:\n{actual}"
    if "Data type" in want:
        name = want["Data type"].removeprefix("DataType.").lower()
        assert name in got.get("Data type", "").lower(), f"info row 'Data type':\n{actual}"


def compare(statement: Statement, value: object, printed: str, is_expr: bool) -> None:
    """Assert that what ``statement`` produced is what the seed shows."""
    if not statement.expected:
        assert not printed, f"seed shows no output, got {printed!r}"
        if is_expr and value is not None:
            assert type(value).__name__ in _NODE_TYPES, f"seed shows no output, got {value!r}"
        return
    expected = "\n".join(statement.expected)
    actual = printed if printed else repr(value)
    if _INFO_ROW.match(statement.expected[0]):
        _compare_info(expected, str(value))
    elif expected.startswith("array("):
        literal, dtype = _array_literal(expected)
        got = np.asarray(value)
        assert _matches(literal, got), f"seed shows {expected}\ngot {got!r}"
        assert dtype is None or got.dtype == np.dtype(dtype), f"dtype {got.dtype} != {dtype}"
    elif _NUMBER.match(expected.strip()) and isinstance(value, np.generic | np.ndarray):
        assert np.asarray(value).ndim == 0, f"seed shows a scalar, got {value!r}"
        assert value == ast.literal_eval(expected.strip()), f"seed shows {expected}, got {value!r}"
    elif statement.line in _UNORDERED_LINES:
        assert sorted(_normalise(actual).split()) == sorted(_normalise(expected).split())
    else:
        assert _normalise(actual) == _normalise(expected)


# -- the examples ----------------------------------------------------------------

_SEED_PATH = Path(__file__).resolve().parents[2] / "shared" / SEED


def _load(shared_dir: Path) -> list[Example]:
    return parse_examples((shared_dir / SEED).read_text(encoding="utf-8"))


def _uses_await(example: Example) -> bool:
    return any("await" in statement.source for statement in example.statements)


def run_example(
    examples: list[Example], line: int, module: types.ModuleType, backend: str, *, oracle: bool
) -> int:
    """Run the example starting at seed ``line``; returns how many outputs were compared."""
    by_line = {example.line: example for example in examples}
    example = by_line[line]
    statements = list(example.statements)
    if line in SETUP_FROM:
        start, stop, _reason = SETUP_FROM[line]
        setup = [s for s in by_line[start].statements if s.line <= stop]
        statements = setup + statements
    ns = _namespace(module)
    compared = 0
    with _install(module):
        for index, statement in enumerate(statements):
            if oracle and _raw_fails(statement):
                _assert_raw_fails(statements[:index], statement, module, backend)
            if statement.line in SKIPPED:
                continue
            value, printed, is_expr = run_statement(_adapt(statement), ns, backend)
            fix = EXPECTED_FIXES.get(statement.line)
            if fix is not None:
                np.testing.assert_array_equal(np.asarray(value), fix.expected(ns))
            elif oracle and statement.line in ZARR_PYTHON_DIFFERS:
                with pytest.raises(AssertionError):
                    compare(statement, value, printed, is_expr)
            else:
                compare(statement, value, printed, is_expr)
            compared += bool(statement.expected)
    return compared


def _raw_fails(statement: Statement) -> bool:
    """Whether ``statement`` is claimed to fail everywhere (as adapted, if skipped)."""
    if statement.line in SKIPPED:
        return "follows" not in SKIPPED[statement.line]
    return any(fix.line == statement.line for fix in SOURCE_FIXES)


def _assert_raw_fails(
    before: list[Statement], statement: Statement, module: types.ModuleType, backend: str
) -> None:
    """Proof that zarr-python 3.4 needs an adaptation too: its seed text raises.

    Replayed in a fresh namespace so that a raw statement failing half-way
    (creating an array, then awaiting it) leaves the real run untouched.
    """
    ns = _namespace(module)
    for earlier in before:
        if earlier.line not in SKIPPED:
            run_statement(_adapt(earlier), ns, backend)
    source = _adapt(statement) if statement.line in SKIPPED else statement.source
    with pytest.raises((SyntaxError, TypeError, LookupError, ValueError)):
        run_statement(source, ns, backend)


def _cases() -> list[Any]:
    """(example line, implementation, backend) for each example; async ones also on trio."""
    if not _SEED_PATH.is_file():
        # One placeholder: the test then skips through the shared_dir fixture.
        return [pytest.param(0, "anyzarr", "asyncio", id="seed-absent")]
    cases = []
    for example in parse_examples(_SEED_PATH.read_text(encoding="utf-8")):
        line = example.line
        cases.append(pytest.param(line, "anyzarr", "asyncio", id=f"L{line}-anyzarr"))
        if _uses_await(example):
            cases.append(pytest.param(line, "anyzarr", "trio", id=f"L{line}-anyzarr-trio"))
        oracle_id = f"L{line}-zarr-python"
        cases.append(pytest.param(line, "zarr", "asyncio", id=oracle_id, marks=pytest.mark.interop))
    return cases


@pytest.mark.parametrize(("line", "implementation", "backend"), _cases())
def test_seed_example(shared_dir: Path, line: int, implementation: str, backend: str) -> None:
    """Seed 003's example at ``line`` prints what the seed shows.

    Under zarr-python (the oracle) it also proves each adaptation is needed.
    """
    examples = _load(shared_dir)
    module = importlib.import_module(implementation)
    compared = run_example(examples, line, module, backend, oracle=implementation == "zarr")
    example = next(e for e in examples if e.line == line)
    shown = sum(bool(s.expected) for s in example.statements if s.line not in SKIPPED)
    assert compared == shown


def test_parser_reads_every_prompt(shared_dir: Path) -> None:
    """Every `>>>`/`...` line of the seed belongs to exactly one statement."""
    text = (shared_dir / SEED).read_text(encoding="utf-8")
    prompts = sum(_code(line) is not None for line in text.splitlines())
    statements = [s for example in _load(shared_dir) for s in example.statements]
    assert sum(s.source.count("\n") + 1 for s in statements) == prompts
    assert len(statements) == 199
    assert sum(bool(s.expected) for s in statements) == 71


def test_every_adaptation_names_a_statement(shared_dir: Path) -> None:
    """No stale entries: each fix, skip and override points at a seed statement."""
    statements = {s.line: s for e in _load(shared_dir) for s in e.statements}
    for fix in SOURCE_FIXES:
        assert fix.old in statements[fix.line].source, fix
    for line in (*SKIPPED, *EXPECTED_FIXES, *ZARR_PYTHON_DIFFERS):
        assert line in statements
    examples = {e.line for e in _load(shared_dir)}
    for line, (start, stop, _reason) in SETUP_FROM.items():
        assert line in examples
        assert start in examples
        assert stop in statements


def test_array_literal_reads_both_numpy_forms() -> None:
    literal, dtype = _array_literal("array([[ 1  2]\n       ...\n       [ 5 -6]], dtype=int16)")
    assert literal == [[1, 2], Ellipsis, [5, -6]]
    assert dtype == "int16"
    assert _matches(literal, np.array([[1, 2], [3, 4], [5, -6]]))
    assert not _matches(literal, np.array([[1, 2], [5, -6]]))
    assert not _matches([1, Ellipsis, 3], np.array([1, 2, 4]))


def test_sync_attrs_write_through() -> None:
    """``attrs.asdict()`` (line 3471) and the rest of the sync ``Attributes``."""
    import anyzarr

    group = anyzarr.group()
    group.attrs["a"] = 1
    group.attrs.update({"b": 2}, c=3)
    del group.attrs["a"]
    assert group.attrs == {"b": 2, "c": 3}
    reopened = anyzarr.open_group(store=group.store, mode="r")
    assert reopened.attrs.asdict() == {"b": 2, "c": 3}
    with pytest.raises(KeyError, match="'zz'"):
        del group.attrs["zz"]
    array = group.create_array("x", shape=(4,), chunks=(2,), dtype="i2")
    array.attrs.put({"only": True})
    assert dict(anyzarr.open_array(store=group.store, path="x").attrs) == {"only": True}
    assert len(array.attrs) == 1
    assert list(array.attrs) == ["only"]
    assert array.nchunks_initialized == 0
    array[:3] = 1
    assert array.nchunks_initialized == 2
