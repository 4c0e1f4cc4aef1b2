"""Every Python example in docs/ runs.

The blocks of one page run in order in one namespace (later examples build on
earlier ones), in a fresh temporary directory.  Top-level ``await`` is allowed,
as in a notebook: a block that awaits runs under ``anyio.run``.  A block that
cannot run here (it needs the internet, a cloud account or a package of the
reader's own) is preceded by ``<!-- docs-test: skip REASON -->``, and the
reason is required.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path
from typing import Any

import anyio
import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
BLOCK = re.compile(
    r"(<!-- docs-test: skip (?P<reason>[^>]*?)\s*-->\s*\n)?```python\n(?P<code>.*?)```", re.S
)


def _blocks(page: Path) -> list[tuple[str, str | None]]:
    return [(m["code"], m["reason"]) for m in BLOCK.finditer(page.read_text())]


PAGES = sorted(p.name for p in DOCS.glob("*.md") if _blocks(p))


@pytest.mark.parametrize("page", PAGES)
def test_examples_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    ran = 0
    for n, (code, skip) in enumerate(_blocks(DOCS / page)):
        if skip is not None:
            assert skip.strip(), f"{page} block {n}: a skipped example must say why"
            continue
        compiled = compile(code, f"{page}[{n}]", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        result = eval(compiled, namespace)
        if inspect.iscoroutine(result):

            async def run(coro: Any = result) -> None:
                await coro

            anyio.run(run)
        ran += 1
    assert ran, f"{page}: every example is skipped"
