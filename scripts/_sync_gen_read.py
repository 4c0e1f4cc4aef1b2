"""Reading async modules for scripts/generate_sync.py: sources, names, annotations.

Parses async modules into ``_Source`` objects (imports, top-level names,
TypeVars, type aliases), follows re-exports to the defining module, and
rewrites annotations from the async world into the sync one (``AsyncArray``
becomes ``Array``, ``Self`` the sync class, TypeVars their bound).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

ITERATOR_NAMES = frozenset({"AsyncIterator", "AsyncGenerator", "AsyncIterable"})


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _terminal_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _decorator_names(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    return [ast.unparse(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list]


def _short_decorators(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    return [d.split(".")[-1] for d in _decorator_names(node)]


def _parse_annotation_text(text: str) -> ast.expr | None:
    try:
        return ast.parse(text, mode="eval").body
    except SyntaxError:
        return None


def _names_in(node: ast.AST | None) -> set[str]:
    """Every name an expression mentions, string forward references included."""
    found: set[str] = set()
    if node is None:
        return found
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            found.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            found.add(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            found |= _names_in(_parse_annotation_text(sub.value))
    return found


def _is_type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and _terminal_name(node.test) == "TYPE_CHECKING"


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    parts = parts[: len(parts) - node.level + (1 if is_package else 0)]
    return ".".join([*parts, node.module] if node.module else parts)


@dataclass(frozen=True)
class _Binding:
    """How a source module binds a name by import."""

    statement: str
    module: str
    name: str | None  # the imported attribute (None for ``import x``)
    checking: bool


class _Source:
    """One parsed async module: its imports, top-level names, TypeVars and aliases."""

    def __init__(self, path: Path, module: str) -> None:
        self.path = path
        self.module = module
        self.tree = _parse(path)
        self.is_package = path.name == "__init__.py"
        self.bindings: dict[str, _Binding] = {}
        self.top_level: set[str] = set()
        self.typevars: dict[str, ast.expr] = {}
        self.aliases: dict[str, ast.expr] = {}
        self.hidden_aliases: set[str] = set()  # defined under TYPE_CHECKING only
        for node in self.tree.body:
            self._read(node, checking=False)
            if _is_type_checking(node):
                for sub in node.body:  # type: ignore[attr-defined]
                    self._read(sub, checking=True)

    def _read(self, node: ast.stmt, *, checking: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                stmt = f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
                self.bindings.setdefault(bound, _Binding(stmt, alias.name, None, checking))
        elif isinstance(node, ast.ImportFrom):
            src = _absolute(node, self.module, self.is_package)
            if src == "__future__":
                return
            for alias in node.names:
                if alias.name == "*":
                    continue
                bound = alias.asname or alias.name
                suffix = f" as {alias.asname}" if alias.asname else ""
                stmt = f"from {src} import {alias.name}{suffix}"
                self.bindings.setdefault(bound, _Binding(stmt, src, alias.name, checking))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if not checking:
                self.top_level.add(node.name)
        elif isinstance(node, ast.TypeAlias) and isinstance(node.name, ast.Name):
            self.aliases[node.name.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if node.value is not None and _terminal_name(node.annotation) == "TypeAlias":
                value = node.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    value = _parse_annotation_text(value.value) or value
                self.aliases[node.target.id] = value
                if checking:
                    self.hidden_aliases.add(node.target.id)
            elif not checking:
                self.top_level.add(node.target.id)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if not isinstance(target, ast.Name):
                return
            value = node.value
            if isinstance(value, ast.Call) and _terminal_name(value.func) == "TypeVar":
                self.typevars[target.id] = _typevar_meaning(value)
            elif checking:
                self.aliases[target.id] = value
                self.hidden_aliases.add(target.id)
            else:
                self.top_level.add(target.id)

    def find(self, name: str) -> ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef | None:
        for node in self.tree.body:
            if (
                isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                and node.name == name
                and "overload" not in _decorator_short(node)
            ):
                return node
        return None

    def exported(self) -> list[str] | None:
        for node in self.tree.body:
            value: ast.expr | None
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign):
                targets, value = [node.target], node.value
            else:
                continue
            named = any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets)
            if named and isinstance(value, ast.List | ast.Tuple):
                return [
                    e.value
                    for e in value.elts
                    if isinstance(e, ast.Constant) and isinstance(e.value, str)
                ]
        return None


def _decorator_short(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    if isinstance(node, ast.ClassDef):
        return []
    return _short_decorators(node)


def _typevar_meaning(call: ast.Call) -> ast.expr:
    """What a TypeVar stands for in a non-generic class: its constraints or bound."""
    constraints = call.args[1:]
    bound = next((k.value for k in call.keywords if k.arg == "bound"), None)
    if constraints:
        expr: ast.expr = constraints[0]
        for more in constraints[1:]:
            expr = ast.BinOp(expr, ast.BitOr(), more)
        return expr
    if bound is not None:
        if isinstance(bound, ast.Constant) and isinstance(bound.value, str):
            return _parse_annotation_text(bound.value) or ast.Name("Any")
        return bound
    return ast.Name("Any")


def _generic_arity(cls: ast.ClassDef) -> int:
    """How many type parameters a ``Generic[...]`` base declares."""
    for base in cls.bases:
        if isinstance(base, ast.Subscript) and _terminal_name(base.value) == "Generic":
            inner = base.slice
            return len(inner.elts) if isinstance(inner, ast.Tuple) else 1
    return 0


def _class_typevars(cls: ast.ClassDef) -> dict[str, ast.expr]:
    """PEP 695 class type parameters and what they stand for in the sync class."""
    found: dict[str, ast.expr] = {}
    for param in cls.type_params:
        if not isinstance(param, ast.TypeVar):
            continue
        bound = param.bound
        if isinstance(bound, ast.Tuple):
            expr: ast.expr = bound.elts[0]
            for more in bound.elts[1:]:
                expr = ast.BinOp(expr, ast.BitOr(), more)
            found[param.name] = expr
        else:
            found[param.name] = bound if bound is not None else ast.Name("Any")
    return found


def _module_path(root: Path, module: str) -> Path | None:
    """The file of a first-party module under ``root/src`` or ``root``."""
    rel = Path(*module.split("."))
    for base in (root / "src", root):
        for candidate in (base / rel.with_suffix(".py"), base / rel / "__init__.py"):
            if candidate.exists():
                return candidate
    return None


def _resolve(
    root: Path, source: _Source, name: str, depth: int = 0
) -> tuple[_Source, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef] | None:
    """Find where ``name`` is defined, following ``from x import name`` re-exports."""
    node = source.find(name)
    if node is not None:
        return source, node
    binding = source.bindings.get(name)
    if binding is None or binding.name is None or binding.checking or depth > 8:
        return None
    path = _module_path(root, binding.module)
    if path is None:
        return None
    return _resolve(root, _Source(path, binding.module), binding.name, depth + 1)


def _class_member_names(path: Path, class_name: str) -> set[str]:
    if not path.exists():
        return set()
    for node in _parse(path).body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            names: set[str] = set()
            for sub in node.body:
                if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(sub.name)
                elif isinstance(sub, ast.AnnAssign) and isinstance(sub.target, ast.Name):
                    names.add(sub.target.id)
                elif isinstance(sub, ast.Assign):
                    names |= {t.id for t in sub.targets if isinstance(t, ast.Name)}
            return names
    return set()


# -- translating annotations -----------------------------------------------------


def _copy(node: ast.expr) -> ast.expr:
    return ast.parse(ast.unparse(node), mode="eval").body


def _union_members(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union_members(node.left) + _union_members(node.right)
    return [node]


class _Translate(ast.NodeTransformer):
    """Rewrites an annotation from the async world into the sync one."""

    def __init__(self, ctx: _Context) -> None:
        self.ctx = ctx
        self.depth = 0

    def _expand(self, replacement: ast.expr) -> ast.expr:
        if self.depth > 10:
            return ast.Name("Any")
        self.depth += 1
        try:
            return self.visit(_copy(replacement))  # type: ignore[no-any-return]
        finally:
            self.depth -= 1

    def visit_Name(self, node: ast.Name) -> ast.expr:
        ctx = self.ctx
        if node.id in ctx.renames:
            return ast.Name(ctx.renames[node.id])
        if node.id == "Self" and ctx.self_name:
            return ast.Name(ctx.self_name)
        if node.id in ctx.class_typevars:
            return self._expand(ctx.class_typevars[node.id])
        if node.id in ctx.source.typevars:
            return self._expand(ctx.source.typevars[node.id])
        alias = ctx.source.aliases.get(node.id)
        if alias is not None and (
            node.id in ctx.source.hidden_aliases or _names_in(alias) & (set(ctx.renames) | {"Self"})
        ):
            return self._expand(alias)
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        if _terminal_name(node.value) in ("Literal", "Annotated"):
            return node  # strings in there are values, not forward references
        value = self.visit(node.value)
        if isinstance(value, ast.Name) and value.id in self.ctx.renames.values():
            return value  # the sync classes are not generic
        node.value = value
        node.slice = self.visit(node.slice)
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.expr:
        if isinstance(node.value, str):
            inner = _parse_annotation_text(node.value)
            return node if inner is None else self.visit(inner)  # type: ignore[no-any-return]
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        if not isinstance(node.op, ast.BitOr):
            return node
        members: list[ast.expr] = []
        seen: set[str] = set()
        for member in _union_members(node):
            text = ast.unparse(member)
            if text not in seen:
                seen.add(text)
                members.append(member)
        result = members[0]
        for member in members[1:]:
            result = ast.BinOp(result, ast.BitOr(), member)
        return result


def _iterator_item(annotation: ast.expr | None) -> ast.expr | None:
    """The item type when ``annotation`` is an async iterator type, else None."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        annotation = _parse_annotation_text(annotation.value)
    if isinstance(annotation, ast.Subscript) and _terminal_name(annotation.value) in ITERATOR_NAMES:
        inner = annotation.slice
        return inner.elts[0] if isinstance(inner, ast.Tuple) else inner
    if annotation is not None and _terminal_name(annotation) in ITERATOR_NAMES:
        return ast.Name("Any")
    return None


def _warns(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether the body calls ``warn`` itself (then the twin need not warn again)."""
    return any(
        isinstance(sub, ast.Call) and _terminal_name(sub.func) == "warn" for sub in ast.walk(node)
    )


def _is_async_generator(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    if not isinstance(node, ast.AsyncFunctionDef):
        return False
    stack: list[ast.AST] = list(node.body)
    while stack:
        sub = stack.pop()
        if isinstance(sub, ast.Yield | ast.YieldFrom):
            return True
        if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        stack.extend(ast.iter_child_nodes(sub))
    return False


@dataclass
class _Context:
    """Translation state for one source module feeding one generated module."""

    source: _Source
    renames: dict[str, str]
    self_name: str | None
    typing_names: set[str]
    runtime_names: set[str]
    class_typevars: dict[str, ast.expr] = field(default_factory=dict)

    @property
    def wrap_names(self) -> set[str]:
        return set(self.renames) | set(self.renames.values())

    def translate(self, node: ast.expr | None) -> ast.expr | None:
        if node is None:
            return None
        out = _Translate(self).visit(_copy(node))
        self.typing_names |= _names_in(out)
        return out  # type: ignore[no-any-return]

    def mentions_nodes(self, annotation: ast.expr | None) -> bool:
        names = _names_in(annotation)
        for name in list(names):
            alias = self.source.aliases.get(name)
            if alias is not None:
                names |= _names_in(alias)
        return bool(names & self.wrap_names)

    def needs_wrap(self, annotation: ast.expr | None) -> bool:
        if annotation is None:
            return True
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            annotation = _parse_annotation_text(annotation.value)
        # ``Any`` results may hold nodes (getitem of a group); typed results only if they say so.
        bare = isinstance(annotation, ast.Name) and annotation.id in ("Any", "object")
        return bare or self.mentions_nodes(annotation) or "Self" in _names_in(annotation)
