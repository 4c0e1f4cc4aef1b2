"""Make ``import zarr`` give anyzarr's public modules (a pytest plugin).

Loaded by ``scripts/peer_suite.py`` with ``-p peer_alias`` when it runs
zarr-python's own test suite against anyzarr.  Rules:

- ``zarr`` and every ``zarr.a.b`` whose parts are public (no leading
  underscore, not ``zarr.core``) are views of ``anyzarr`` and
  ``anyzarr.a.b``: attribute reads, writes and deletes go to the anyzarr
  module, and submodules come back as views too.  Nothing else is mapped.
- Private names (``zarr.core.*``, ``zarr._*``, ``zarr.storage._utils``...) and
  public names anyzarr lacks are *deferred*: the import succeeds and gives a
  placeholder, so a test file loads even if a few of its tests need such a
  name.  A test that then uses a placeholder fails with
  :class:`DeferredZarrName` and is recorded as having touched it, which is
  how the runner tells tests that use only public names from the rest.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import inspect
import sys
import types
from typing import Any

#: Names (dotted) of deferred placeholders used, keyed by the test's node id,
#: or by ``"<collect:NODEID>"`` for uses while pytest collected ``NODEID``.
TOUCHED: dict[str, set[str]] = {}
CURRENT = ["<collect:>"]

PRIVATE_PARTS = ("core",)


def is_private(dotted: str) -> bool:
    parts = dotted.split(".")[1:]
    return bool(parts) and (parts[0] in PRIVATE_PARTS or any(p.startswith("_") for p in parts))


class DeferredZarrName(Exception):
    """A test used a zarr name that the alias does not map."""


def touch(name: str) -> None:
    TOUCHED.setdefault(CURRENT[0], set()).add(name)


def _use(name: str) -> DeferredZarrName:
    touch(name)
    kind = "private" if is_private(name) else "missing public"
    return DeferredZarrName(f"{kind} zarr name {name} is not available")


def _close_coroutines(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    # A deferred ``sync(coro)`` would leave ``coro`` never awaited; its
    # warning would then fail whichever test the garbage collector runs in.
    for value in (*args, *kwargs.values()):
        if inspect.iscoroutine(value):
            value.close()


def collecting() -> bool:
    return CURRENT[0].startswith("<")


class _PlaceholderMeta(type):
    """A stand-in for a zarr name that the alias does not map.

    Inside a test every use (call, attribute, ``isinstance``, iteration)
    fails.  While pytest collects, uses are recorded but lenient (a call or
    attribute gives another placeholder, iteration gives nothing), so that a
    module or conftest that uses such names at import time still loads; the
    tests it would have generated from them are then missing, and the runner
    counts them as private.
    """

    _peer_name: str

    def __getattr__(cls, attr: str) -> Any:
        if attr.startswith("_"):
            if not attr.startswith("__"):
                touch(f"{cls._peer_name}.{attr}")
            raise AttributeError(attr)
        name = f"{cls._peer_name}.{attr}"
        if collecting():
            touch(name)
            return placeholder(name)
        raise _use(name)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if collecting():
            touch(cls._peer_name)
            return placeholder(f"{cls._peer_name}()")
        _close_coroutines(args, kwargs)
        raise _use(cls._peer_name)

    def __instancecheck__(cls, obj: Any) -> bool:
        if collecting():
            touch(cls._peer_name)
            return False
        raise _use(cls._peer_name)

    def __subclasscheck__(cls, sub: Any) -> bool:
        if collecting():
            touch(cls._peer_name)
            return False
        raise _use(cls._peer_name)

    def __getitem__(cls, item: Any) -> Any:
        touch(cls._peer_name)
        return cls

    def __or__(cls, other: Any) -> Any:
        touch(cls._peer_name)
        return cls

    __ror__ = __or__

    def __iter__(cls) -> Any:
        if collecting():
            touch(cls._peer_name)
            return iter(())
        raise _use(cls._peer_name)

    def __len__(cls) -> int:
        if collecting():
            touch(cls._peer_name)
            return 0
        raise _use(cls._peer_name)

    def __contains__(cls, item: Any) -> bool:
        if collecting():
            touch(cls._peer_name)
            return False
        raise _use(cls._peer_name)

    def __repr__(cls) -> str:
        return f"<deferred zarr name {cls._peer_name}>"


_made = [0]


def placeholder(dotted: str) -> type:
    """A placeholder class for ``dotted``.

    Names that read as warnings or errors derive from ``Warning`` /
    ``Exception``, so ``filterwarnings`` marks and ``except`` clauses that
    name them still load.  Each has a distinct ``__name__``, so parameter
    ids made from placeholders do not collide.
    """
    leaf = dotted.rsplit(".", 1)[-1]
    base: tuple[type, ...] = ()
    if leaf.endswith("Warning"):
        base = (Warning,)
    elif leaf.endswith(("Error", "Exception")):
        base = (Exception,)
    _made[0] += 1
    return _PlaceholderMeta(f"{leaf}#{_made[0]}", base, {"_peer_name": dotted})


class DeferredModule(types.ModuleType):
    """A module anyzarr does not offer: every attribute is a placeholder.

    It is also callable (failing), since ``from zarr.x import name`` cannot
    tell a missing submodule from a missing function.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if collecting():
            touch(self.__name__)
            return placeholder(f"{self.__name__}()")
        _close_coroutines(args, kwargs)
        raise _use(self.__name__)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        value = placeholder(f"{self.__name__}.{attr}")
        setattr(self, attr, value)
        return value


class PublicView(types.ModuleType):
    """``zarr.x`` as a view of ``anyzarr.x``."""

    def __init__(self, name: str, target: types.ModuleType) -> None:
        super().__init__(name, target.__doc__)
        object.__setattr__(self, "_peer_target", target)
        if hasattr(target, "__path__"):
            object.__setattr__(self, "__path__", [])

    def __getattr__(self, attr: str) -> Any:
        target = object.__getattribute__(self, "_peer_target")
        sub = f"{self.__name__}.{attr}"
        if not attr.startswith("__") and is_private(sub) and not hasattr(target, attr):
            if attr in PRIVATE_PARTS:
                return importlib.import_module(sub)
            return placeholder(sub)
        value = getattr(target, attr)
        if isinstance(value, types.ModuleType) and value.__name__.startswith("anyzarr."):
            sub = f"{self.__name__}.{attr}"
            if not is_private(sub) and value.__name__ == f"anyzarr{sub[4:]}":
                return importlib.import_module(sub)
        return value

    def __setattr__(self, attr: str, value: Any) -> None:
        if attr.startswith("__") or isinstance(
            value, (PublicView, DeferredModule, _PlaceholderMeta)
        ):
            object.__setattr__(self, attr, value)
            return
        target = object.__getattribute__(self, "_peer_target")
        saved = self.__dict__.setdefault("_peer_saved", {})
        if attr in vars(target) and attr not in saved:
            saved[attr] = vars(target)[attr]
        setattr(target, attr, value)

    def __delattr__(self, attr: str) -> None:
        # monkeypatch looks in a module's __dict__ (this view's, which lacks the
        # name) and so undoes its setattr with a delattr: put the original back.
        target = object.__getattribute__(self, "_peer_target")
        saved = self.__dict__.get("_peer_saved", {})
        if attr in saved:
            setattr(target, attr, saved.pop(attr))
        else:
            delattr(target, attr)

    def __dir__(self) -> list[str]:
        return dir(object.__getattribute__(self, "_peer_target"))

    def __reduce__(self) -> Any:
        return (importlib.import_module, (self.__name__,))


def _has_attribute(module: types.ModuleType, name: str) -> bool:
    # A lazy module __getattr__ may raise ImportError for a name it cannot load.
    try:
        return hasattr(module, name)
    except ImportError:
        return False


class _Loader(importlib.abc.Loader):
    def __init__(self, module: types.ModuleType) -> None:
        self.module = module

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return self.module

    def exec_module(self, module: types.ModuleType) -> None:
        pass


class ZarrAliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "zarr" and not fullname.startswith("zarr."):
            return None
        module: Any
        if is_private(fullname):
            if not collecting():
                touch(fullname)
            module = DeferredModule(fullname)
            module.__path__ = []
        else:
            real = "anyzarr" + fullname[4:]
            try:
                module = PublicView(fullname, importlib.import_module(real))
            except ModuleNotFoundError as exc:
                if exc.name is None or not real.startswith(exc.name):
                    raise
                parent, _, leaf = fullname.rpartition(".")
                owner = sys.modules.get(parent)
                if isinstance(owner, PublicView) and _has_attribute(owner, leaf):
                    # An attribute, not a module (``mock.patch`` and
                    # ``pkgutil.resolve_name`` try the import first).
                    return None
                module = self._missing(fullname)
        return importlib.machinery.ModuleSpec(fullname, _Loader(module), is_package=True)

    @staticmethod
    def _missing(fullname: str) -> Any:
        # ``from zarr.x import name`` asks for module ``zarr.x.name`` when
        # anyzarr's ``x`` lacks ``name``, so the name may be a module, a
        # function or a class: CapWords names are taken for classes.
        leaf = fullname.rpartition(".")[2]
        if leaf[:1].isupper():
            return placeholder(fullname)
        module = DeferredModule(fullname)
        module.__path__ = []
        return module


def install() -> None:
    for name in [n for n in sys.modules if n == "zarr" or n.startswith("zarr.")]:
        del sys.modules[name]
    sys.meta_path.insert(0, ZarrAliasFinder())


install()
