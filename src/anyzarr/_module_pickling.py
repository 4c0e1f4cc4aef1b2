"""Modules that pickle by name, as zarr-python's ``zarr.storage`` does."""

from __future__ import annotations

import importlib
import types
from collections.abc import Callable

__all__ = ["PicklableModule"]


class PicklableModule(types.ModuleType):
    """A module that pickles as "import this module by name".

    Serialisers (pickle, cloudpickle as dask uses it) refuse plain module
    objects; a function or graph that refers to ``anyzarr.storage`` must
    still travel.
    """

    def __reduce__(self) -> tuple[Callable[[str], types.ModuleType], tuple[str]]:
        return importlib.import_module, (self.__name__,)
