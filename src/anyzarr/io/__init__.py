"""The IO layer: anyio-native stores and the engine that runs protocol plans."""

from __future__ import annotations

from anyzarr.io import _codec_loop

# zarr-python-style codecs that wait for an event loop run on the codec loop.
_codec_loop.install()

__all__: list[str] = []
