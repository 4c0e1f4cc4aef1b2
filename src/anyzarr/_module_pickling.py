"""Modules that pickle by name, as zarr-python's ``zarr.storage`` does."""

from __future__ import annotations

import importlib
import types
import warnings
from collections.abc import Callable

__all__ = ["PicklableModule", "StorageModule"]


class PicklableModule(types.ModuleType):
    """A module that pickles as "import this module by name".

    Serialisers (pickle, cloudpickle as dask uses it) refuse plain module
    objects; a function or graph that refers to ``anyzarr.storage`` must
    still travel.
    """

    def __reduce__(self) -> tuple[Callable[[str], types.ModuleType], tuple[str]]:
        return importlib.import_module, (self.__name__,)


class StorageModule(PicklableModule):
    """``anyzarr.storage``: picklable, and warning on the setting zarr-python 3 dropped."""

    def __setattr__(self, attr: str, value: object) -> None:
        if attr != "default_compressor":
            super().__setattr__(attr, value)
            return
        from anyzarr.errors import ZarrDeprecationWarning

        # As in zarr-python 3: the setting is ignored, with a warning.
        warnings.warn(
            "setting zarr.storage.default_compressor is deprecated and ignored; pass "
            "compressors= to create_array (or compressor= to create) instead",
            ZarrDeprecationWarning,
            stacklevel=2,
        )
