"""Text rendering of a hierarchy, in the box-drawing style ``rich`` prints.

No ``rich`` dependency: the tree is text (names in bold when printed to a
terminal, unless ``plain``), with an HTML twin for notebooks.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["TreeRepr", "render_tree"]


class TreeRepr:
    """A hierarchy drawn as text; ``repr()`` shows it, notebooks get HTML.

    ``truncated`` is a note shown first when the drawing stopped at
    ``max_nodes``.
    """

    def __init__(self, text: str, html: str, truncated: str = "") -> None:
        self._text = truncated + text
        self._html = truncated + html

    def __repr__(self) -> str:
        return self._text

    def __str__(self) -> str:
        return self._text

    def _repr_mimebundle_(
        self,
        include: Sequence[str] | None = None,
        exclude: Sequence[str] | None = None,
        **kwargs: object,
    ) -> dict[str, str]:
        html = f'<pre style="white-space:pre;font-family:monospace">{self._html}</pre>\n'
        return {"text/plain": self._text, "text/html": html}


def render_tree(
    root_name: str,
    entries: Sequence[tuple[str, str | None]],
    *,
    bold: bool = False,
    html_bold: bool = True,
    truncated: str = "",
) -> TreeRepr:
    """Draw ``entries`` (relative path, array description or ``None`` for groups).

    Children are sorted by name; the description follows an array's name.
    ``bold`` wraps names in ANSI bold codes, ``html_bold`` in ``<b>``.
    """
    on, off = ("\x1b[1m", "\x1b[0m") if bold else ("", "")
    hon, hoff = ("<b>", "</b>") if html_bold else ("", "")
    children: dict[str, list[tuple[str, str | None]]] = {}
    for path, description in sorted(entries):
        parent = path.rpartition("/")[0]
        children.setdefault(parent, []).append((path, description))

    text = [f"{on}{root_name}{off}"]
    html = [f"{hon}{escape(root_name)}{hoff}"]
    # Iterative depth-first walk: deep hierarchies must not hit the recursion limit.
    stack: list[tuple[str, list[tuple[str, str | None]]]] = [("", list(children.get("", [])))]
    while stack:
        prefix, pending = stack[-1]
        if not pending:
            stack.pop()
            continue
        path, description = pending.pop(0)
        name = path.rpartition("/")[2]
        last = not pending
        connector = "└── " if last else "├── "
        suffix = "" if description is None else f" {description}"
        text.append(f"{prefix}{connector}{on}{name}{off}{suffix}")
        html.append(f"{prefix}{connector}{hon}{escape(name)}{hoff}{escape(suffix)}")
        below = children.get(path)
        if below:
            stack.append((prefix + ("    " if last else "│   "), list(below)))
    return TreeRepr("\n".join(text) + "\n", "\n".join(html) + "\n", truncated)
