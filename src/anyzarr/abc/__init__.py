"""Abstract base classes and protocols, as ``zarr.abc`` names them.

``store`` (the store interface), ``codec`` (zarr-python's codec base
classes), ``buffer``, ``metadata`` and ``numcodec``.  A store or codec
written against ``zarr.abc`` works with anyzarr unchanged; see
``docs/compatibility.md`` for how such codecs run.
"""

from __future__ import annotations

__all__: list[str] = []
