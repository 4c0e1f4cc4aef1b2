"""``anyzarr.config``: runtime settings (zarr-python's keys plus anyzarr's own).

``anyzarr.config`` is the shared :class:`Config` object; this module also
offers its methods as functions, so ``import anyzarr.config`` and
``from anyzarr import config`` both give ``get``/``set``/``reset``/... .
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from anyzarr.io._config import DEFAULTS, ENV_PREFIXES, Config, ConfigSet, config

__all__ = [
    "DEFAULTS",
    "ENV_PREFIXES",
    "Config",
    "ConfigSet",
    "config",
    "enable_gpu",
    "get",
    "refresh",
    "reset",
    "set",
    "to_dict",
    "update",
]


def get(key: str, default: Any = None) -> Any:
    """Return the setting at dotted ``key`` (``default`` when it is not set)."""
    return config.get(key, default)


def set(arg: Mapping[str, Any] | None = None, /, **kwargs: Any) -> ConfigSet:
    """Change settings; the result restores them when used in ``with``."""
    return config.set(arg, **kwargs)


def update(new: Mapping[str, Any]) -> None:
    """Merge a nested dict into the settings."""
    config.update(new)


def reset() -> None:
    """Go back to the defaults plus the ``ZARR_*``/``ANYZARR_*`` environment variables."""
    config.reset()


def refresh() -> None:
    """Re-read the environment variables."""
    config.refresh()


def enable_gpu() -> ConfigSet:
    """Use GPU buffers; the result restores CPU buffers when used in ``with``."""
    return config.enable_gpu()


def to_dict() -> dict[str, Any]:
    """A copy of every setting as a nested dict."""
    return config.to_dict()
