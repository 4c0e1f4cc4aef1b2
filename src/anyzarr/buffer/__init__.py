"""Buffer implementations (``zarr.buffer``): ``cpu`` (numpy) and ``gpu`` (cupy).

See :mod:`anyzarr.abc.buffer` for the interface.
"""

from __future__ import annotations

from anyzarr.buffer import cpu, gpu
from anyzarr.protocol.buffer import default_buffer_prototype

__all__ = ["cpu", "default_buffer_prototype", "gpu"]
