"""Public error types of anyzarr."""

from __future__ import annotations

from anyzarr.protocol._dependencies import MissingDependencyError
from anyzarr.protocol._errors import *  # noqa: F403
from anyzarr.protocol._errors import __all__ as _protocol_errors

__all__ = [*_protocol_errors, "MissingDependencyError"]
