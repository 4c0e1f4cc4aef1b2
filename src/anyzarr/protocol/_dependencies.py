"""Optional dependencies: which extra installs each, and the error when one is missing.

The core install (numpy, numcodecs, msgspec, anyio, google-crc32c) covers
memory, local and zip stores under asyncio.  Everything else comes with an
extra of the ``anyzarr`` distribution; code that needs such a module imports
it through :func:`import_optional` (or maps an ``ImportError`` with
:func:`missing_dependency`), so the user reads which extra to install rather
than a bare ``ModuleNotFoundError``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from anyzarr.protocol._errors import UsageError

__all__ = ["EXTRA_FOR_MODULE", "MissingDependencyError", "import_optional", "missing_dependency"]

#: Top-level module name -> the extra of ``anyzarr`` that installs it.
EXTRA_FOR_MODULE: dict[str, str] = {
    "trio": "trio",
    "httpx": "remote",
    "httpcore": "remote",
    "h11": "remote",
    "obstore": "remote",
    "fsspec": "fsspec",
    "cupy": "gpu",
    "typer": "cli",
    "rich": "cli",
    "click": "cli",
    "xarray": "xarray",
    "dask": "dask",
}


class MissingDependencyError(UsageError, ImportError):
    """An optional dependency is not installed; the message names the extra that installs it."""


def missing_dependency(exc: ImportError, feature: str) -> MissingDependencyError | None:
    """The error to raise for ``exc`` if it is a missing optional module, else ``None``.

    ``feature`` says what needed the module (``"HTTPStore"``, ``"the CLI"``).
    """
    name = (exc.name or "").split(".")[0]
    extra = EXTRA_FOR_MODULE.get(name)
    if extra is None:
        return None
    return MissingDependencyError(
        f"{feature} needs the {name!r} package, which is not installed; "
        f"install it with: pip install 'anyzarr[{extra}]'"
    )


def import_optional(module: str, feature: str) -> ModuleType:
    """Import ``module``; a missing optional dependency raises :class:`MissingDependencyError`.

    Raises
    ------
    MissingDependencyError
        When the module (or one it needs) belongs to an extra that is not installed.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        mapped = missing_dependency(exc, feature)
        if mapped is None:
            raise
        raise mapped from exc
