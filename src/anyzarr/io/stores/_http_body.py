"""Collecting an HTTP response body without trusting the server about its size.

A response's ``Content-Length`` header is a claim, not a size to allocate:
bytes are kept as they arrive, and never more than the request can
legitimately return:

- a ``Range`` answered with 206 may carry at most the range's length (an
  open-ended ``bytes=N-`` at most ``max_body``);
- a ``Range`` the server ignored (200, the whole object) keeps only the
  wanted window (``Want``) of the bytes streaming past, and stops reading as
  soon as the window is complete;
- a whole-object ``GET`` keeps at most ``max_body`` bytes (``DEFAULT_MAX_BODY``,
  4 GiB, unless the store was given another);
- an error or redirect answer keeps at most ``ERROR_BODY_MAX`` bytes.

A ``Content-Encoding: gzip``/``deflate`` body is collected encoded (at most
``max_body`` bytes) and decoded by :func:`decode_content`, which stops at the
size the request can return; the caller runs it in a worker thread, inside
the request's timeout.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "DEFAULT_MAX_BODY",
    "ERROR_BODY_MAX",
    "BodySink",
    "BodyTooLargeError",
    "ContentDecodeError",
    "Want",
    "decode_content",
]

#: Largest body a whole-object GET may return (on the wire and decoded).
DEFAULT_MAX_BODY = 4 * 1024**3
#: Bytes kept of an error or redirect answer's body.
ERROR_BODY_MAX = 64 * 1024


class BodyTooLargeError(ValueError):
    """The server sent more than the request can return."""


class ContentDecodeError(ValueError):
    """A ``Content-Encoding`` body is corrupt, truncated or too large decoded."""


@dataclass(frozen=True, slots=True)
class Want:
    """The bytes of an object a GET asks for.

    ``start``/``stop`` (``stop`` None: to the end), or the last ``suffix``
    bytes.  ``Want()`` is the whole object.
    """

    start: int = 0
    stop: int | None = None
    suffix: int | None = None

    @property
    def whole(self) -> bool:
        return self.start == 0 and self.stop is None and self.suffix is None

    def length(self) -> int | None:
        """How many bytes at most; None when it runs to the end of the object."""
        if self.suffix is not None:
            return self.suffix
        return None if self.stop is None else max(self.stop - self.start, 0)

    def cut(self, data: bytes | bytearray) -> bytes | bytearray:
        """This window of a whole object's bytes."""
        if self.whole:
            return data
        if self.suffix is not None:
            return data[len(data) - min(self.suffix, len(data)) :] if self.suffix else b""
        return data[self.start : self.stop]


class BodySink:
    """Keeps the part of a response body that the request can legitimately return.

    ``status`` and ``encoded`` (a ``Content-Encoding`` other than identity)
    come from the response head.  ``feed`` raises ``BodyTooLargeError`` when
    the server sends more than allowed; ``complete`` turns true when the
    rest of the body is not needed (the caller stops reading and drops the
    connection); ``windowed`` says the kept bytes are already the wanted
    window of the object.
    """

    __slots__ = ("_kept", "_limit", "_mode", "_pos", "_want", "complete", "windowed")

    def __init__(self, status: int, want: Want, max_body: int, *, encoded: bool) -> None:
        self._kept = bytearray()
        self._pos = 0
        self._want = want
        self.complete = False
        self.windowed = False
        if status not in (200, 206):
            self._mode, self._limit = "truncate", ERROR_BODY_MAX
        elif encoded:
            self._mode, self._limit = "limit", max_body
        elif status == 206:
            length = want.length()
            self._mode, self._limit = "limit", max_body if length is None else length
        elif want.whole:
            self._mode, self._limit = "limit", max_body
        else:
            self._mode, self._limit = "window", max_body
            self.windowed = True

    def check_declared(self, content_length: int) -> None:
        """Refuse a declared ``Content-Length`` larger than this request can return.

        Nothing is allocated for it either way; this only fails early.
        """
        if self._mode != "truncate" and content_length > self._limit:
            raise BodyTooLargeError(
                f"Content-Length {content_length} exceeds the {self._limit} bytes "
                "this request can return"
            )

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        if self._mode == "window":
            self._window(data)
            return
        size = len(data)
        if len(self._kept) + size > self._limit:
            if self._mode == "truncate":
                self._kept += data[: self._limit - len(self._kept)]
                self.complete = True
                return
            raise BodyTooLargeError(
                f"the body exceeds the {self._limit} bytes this request can return"
            )
        self._kept += data

    def _window(self, data: bytes | bytearray | memoryview) -> None:
        want = self._want
        start, end = self._pos, self._pos + len(data)
        self._pos = end
        if end > self._limit:
            raise BodyTooLargeError(f"the body exceeds the {self._limit}-byte limit")
        if want.suffix is not None:
            self._kept += data
            # Trim rarely: keep at most twice the suffix between trims.
            if len(self._kept) > 2 * want.suffix + 65536:
                del self._kept[: len(self._kept) - want.suffix]
            return
        stop = want.stop
        lo = max(want.start, start)
        hi = end if stop is None else min(stop, end)
        if lo < hi:
            self._kept += data[lo - start : hi - start]
        if stop is not None and end >= stop:
            self.complete = True

    def result(self) -> bytearray:
        """The kept bytes (for a suffix window, cut to the suffix)."""
        want = self._want
        if self._mode == "window" and want.suffix is not None:
            if len(self._kept) > want.suffix:
                del self._kept[: len(self._kept) - want.suffix]
            if want.suffix == 0:
                self._kept.clear()
        return self._kept

    def decoded_limit(self, status: int, max_body: int) -> int:
        """The most bytes a body collected encoded may decode to."""
        want = self._want
        if status == 206:
            length = want.length()
            return max_body if length is None else length
        if want.stop is not None and want.suffix is None:
            return want.stop
        return max_body


#: Output produced between two calls of ``check``: about 10 ms of inflating.
_STEP = 8 << 20


def _inflate(
    body: bytes | bytearray, wbits: int, limit: int, check: Callable[[], None]
) -> bytes | bytearray:
    decoder = zlib.decompressobj(wbits)
    out = bytearray()
    pending: bytes | bytearray = body
    while True:
        out += decoder.decompress(pending, min(_STEP, limit + 1 - len(out)))
        if len(out) > limit:
            raise ContentDecodeError(f"decoded body exceeds the {limit}-byte limit")
        pending = decoder.unconsumed_tail
        if decoder.eof or not pending:
            break
        check()
    if not decoder.eof:
        raise ContentDecodeError("compressed body is truncated")
    return out


def _never() -> None:
    return None


def decode_content(
    body: bytes | bytearray, encoding: str, limit: int, check: Callable[[], None] = _never
) -> bytes | bytearray:
    """``body`` decoded per its ``Content-Encoding``, at most ``limit`` bytes.

    CPU work: callers run it in a worker thread and pass
    ``anyio.from_thread.check_cancelled`` as ``check``, which is called
    every few megabytes of output, so a timeout stops the work promptly.

    Raises
    ------
    ContentDecodeError
        For an unsupported encoding, corrupt or truncated data, or a body
        that decodes to more than ``limit`` bytes (a decompression bomb).
    """
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    try:
        if encoding in ("gzip", "x-gzip"):
            return _inflate(body, 16 + zlib.MAX_WBITS, limit, check)
        if encoding == "deflate":
            try:
                return _inflate(body, zlib.MAX_WBITS, limit, check)
            except zlib.error:
                return _inflate(body, -zlib.MAX_WBITS, limit, check)  # raw deflate
    except zlib.error as exc:
        raise ContentDecodeError(f"bad {encoding} body: {exc}") from None
    raise ContentDecodeError(f"unsupported Content-Encoding {encoding!r}")
