"""Public error types of anyzarr."""

from __future__ import annotations

from anyzarr.protocol._errors import *  # noqa: F403
from anyzarr.protocol._errors import __all__ as __all__
