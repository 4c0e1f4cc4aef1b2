"""A lean HTTP/1.1 client on anyio streams, for :class:`~anyzarr.storage.HTTPStore`.

Latency-bound reads issue many small GET requests with several in flight.
httpx spends about a millisecond of event-loop time per request (request and
response models, cookie handling, connection-pool bookkeeping), which on a
busy machine stretched each round of requests well beyond the network
latency.  This client does only what a Zarr read needs: ``GET``/``HEAD`` with
keep-alive connections (one per request in flight), ``Content-Length``,
chunked and read-to-close bodies, gzip/deflate bodies, redirects and TLS.
It costs a fraction of httpx's time per request.

Failures that may pass (connection refused or reset, a connection closed
mid-response, a timeout) raise :class:`WireTransportError`; the store turns
them into retryable errors.  A response the client cannot parse raises
:class:`WireProtocolError`.
"""

from __future__ import annotations

import select
import ssl
import urllib.parse
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.abc
from anyio.abc import SocketAttribute

__all__ = ["WirePool", "WireProtocolError", "WireResponse", "WireTransportError"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 20
_MAX_HEAD = 64 * 1024
_RECEIVE = 256 * 1024


class WireTransportError(OSError):
    """The request failed in transit; trying again may work."""


class WireProtocolError(ValueError):
    """The server's answer is not HTTP/1.1 this client understands."""


@dataclass(slots=True)
class WireResponse:
    """A fully read response.  Header names are lower case."""

    status_code: int
    reason_phrase: str
    headers: dict[str, str]
    content: bytes | bytearray
    url: str


@dataclass(eq=False, slots=True)
class _Conn:
    stream: anyio.abc.ByteStream
    sock: Any
    buf: bytearray = field(default_factory=bytearray)

    async def _more(self) -> None:
        try:
            self.buf += await self.stream.receive(_RECEIVE)
        except anyio.EndOfStream:
            raise WireTransportError("the server closed the connection mid-response") from None

    async def head(self) -> bytes:
        """Bytes up to and including the blank line that ends the headers."""
        start = 0
        while True:
            end = self.buf.find(b"\r\n\r\n", start)
            if end >= 0:
                head = bytes(self.buf[: end + 4])
                del self.buf[: end + 4]
                return head
            if len(self.buf) > _MAX_HEAD:
                raise WireProtocolError("response headers exceed 64 KiB")
            start = max(len(self.buf) - 3, 0)
            await self._more()

    async def exactly(self, n: int) -> bytearray:
        """The next ``n`` bytes, copied once into a buffer of their own."""
        out = bytearray(n)
        view = memoryview(out)
        have = min(len(self.buf), n)
        view[:have] = self.buf[:have]
        del self.buf[:have]
        while have < n:
            try:
                data = await self.stream.receive(max(n - have, 65536))
            except anyio.EndOfStream:
                raise WireTransportError(
                    f"the server closed the connection after {have} of {n} body bytes"
                ) from None
            take = min(len(data), n - have)
            view[have : have + take] = data[:take]
            if take < len(data):
                self.buf += data[take:]
            have += take
        return out

    async def line(self) -> bytes:
        while (end := self.buf.find(b"\r\n")) < 0:
            await self._more()
        line = bytes(self.buf[:end])
        del self.buf[: end + 2]
        return line

    async def chunked(self) -> bytearray:
        body = bytearray()
        while True:
            size_line = (await self.line()).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise WireProtocolError(f"bad chunk size {size_line!r}") from None
            if size == 0:
                while await self.line():  # trailers end with an empty line
                    pass
                return body
            body += await self.exactly(size)
            await self.exactly(2)

    async def to_eof(self) -> bytearray:
        body = bytearray(self.buf)
        self.buf.clear()
        while True:
            try:
                body += await self.stream.receive(_RECEIVE)
            except anyio.EndOfStream:
                return body

    def stale(self) -> bool:
        """Whether an idle connection was closed (or spoke out of turn) meanwhile."""
        if self.buf:
            return True
        try:
            readable, _, _ = select.select([self.sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)


def _parse_head(head: bytes) -> tuple[int, str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise WireProtocolError(f"bad status line {lines[0]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise WireProtocolError(f"bad header line {line!r}")
        key = name.strip().lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return int(parts[1]), parts[2] if len(parts) > 2 else "", parts[0], headers


def _decoded(body: bytearray, encoding: str) -> bytes | bytearray:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompress(body, 16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        try:
            return zlib.decompress(body)
        except zlib.error:
            return zlib.decompress(body, -zlib.MAX_WBITS)
    raise WireProtocolError(f"unsupported Content-Encoding {encoding!r}")


class WirePool:
    """Keep-alive connections of one event loop, reused per origin.

    Parameters
    ----------
    timeout
        Seconds one request (with its redirects) may take in all.
    tls
        Builds the TLS context for ``https`` origins, on first use.
    """

    def __init__(self, timeout: float, tls: Any) -> None:
        self.timeout = timeout
        self._tls = tls
        self._idle: dict[tuple[str, str, int], list[_Conn]] = {}

    async def _connect(self, scheme: str, host: str, port: int) -> _Conn:
        try:
            if scheme == "https":
                context: ssl.SSLContext = self._tls()
                stream: anyio.abc.ByteStream = await anyio.connect_tcp(
                    host, port, ssl_context=context, tls_standard_compatible=False
                )
            else:
                stream = await anyio.connect_tcp(host, port)
        except OSError as exc:
            raise WireTransportError(f"cannot connect to {host}:{port}: {exc}") from exc
        return _Conn(stream, stream.extra(SocketAttribute.raw_socket))

    async def _checkout(self, origin: tuple[str, str, int]) -> _Conn:
        idle = self._idle.get(origin)
        while idle:
            conn = idle.pop()
            if not conn.stale():
                return conn
            await anyio.aclose_forcefully(conn.stream)
        return await self._connect(*origin)

    async def _once(
        self, method: str, url: str, parts: urllib.parse.SplitResult, headers: Mapping[str, str]
    ) -> WireResponse:
        scheme = parts.scheme
        host = parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
        origin = (scheme, host, port)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc.rpartition('@')[2]}"]
        lines += ["Accept-Encoding: gzip, deflate", "User-Agent: anyzarr"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        conn = await self._checkout(origin)
        reusable = False
        try:
            await conn.stream.send(request)
            while True:
                status, reason, version, fields = _parse_head(await conn.head())
                if status >= 200 or status == 101:
                    break  # 1xx interim answers come before the real one
            body: bytearray
            if method == "HEAD" or status in (204, 304):
                body = bytearray()
                reusable = True
            elif "chunked" in fields.get("transfer-encoding", "").lower():
                body = await conn.chunked()
                reusable = True
            elif (length := fields.get("content-length")) is not None:
                if not length.isdigit():
                    raise WireProtocolError(f"bad Content-Length {length!r}")
                body = await conn.exactly(int(length))
                reusable = True
            else:
                body = await conn.to_eof()
            closing = fields.get("connection", "").lower()
            if closing == "close" or (version == "HTTP/1.0" and closing != "keep-alive"):
                reusable = False
        except (OSError, anyio.BrokenResourceError, anyio.ClosedResourceError) as exc:
            if isinstance(exc, WireTransportError):
                raise
            raise WireTransportError(f"{method} {url}: {type(exc).__name__}: {exc}") from exc
        finally:
            if reusable:
                self._idle.setdefault(origin, []).append(conn)
            else:
                await anyio.aclose_forcefully(conn.stream)
        content = _decoded(body, fields.get("content-encoding", ""))
        return WireResponse(status, reason, fields, content, url)

    async def request(self, method: str, url: str, headers: Mapping[str, str]) -> WireResponse:
        """``method`` on ``url``, following redirects; the body is read in full.

        Raises
        ------
        WireTransportError
            On a network failure or when ``timeout`` runs out.
        WireProtocolError
            On a malformed answer or too many redirects.
        """
        try:
            with anyio.fail_after(self.timeout):
                return await self._follow(method, url, dict(headers))
        except TimeoutError:
            raise WireTransportError(f"{method} {url} took longer than {self.timeout} s") from None

    async def _follow(self, method: str, url: str, headers: dict[str, str]) -> WireResponse:
        parts = urllib.parse.urlsplit(url)
        for _ in range(_MAX_REDIRECTS):
            response = await self._once(method, url, parts, headers)
            location = response.headers.get("location")
            if response.status_code not in _REDIRECTS or location is None:
                return response
            url = urllib.parse.urljoin(url, location)
            moved = urllib.parse.urlsplit(url)
            if (moved.scheme, moved.netloc) != (parts.scheme, parts.netloc):
                # Credentials are for the origin that asked for them.
                headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            parts = moved
        raise WireProtocolError(f"{method} {url}: more than {_MAX_REDIRECTS} redirects")

    async def aclose(self) -> None:
        """Close every idle connection."""
        idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                await anyio.aclose_forcefully(conn.stream)
