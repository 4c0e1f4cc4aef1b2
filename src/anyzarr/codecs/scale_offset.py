"""The ``scale_offset`` codec (``zarr.codecs.scale_offset``).

``ScaleOffset(offset=..., scale=...)`` stores ``(x - offset) * scale``; see
:class:`anyzarr.protocol.codecs.ScaleOffsetCodec`.
"""

from __future__ import annotations

from anyzarr.protocol.codecs import ScaleOffsetCodec

__all__ = ["ScaleOffset", "ScaleOffsetCodec"]

#: zarr-python's name for the codec class.
ScaleOffset = ScaleOffsetCodec
