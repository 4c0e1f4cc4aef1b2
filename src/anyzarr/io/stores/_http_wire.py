"""A lean HTTP/1.1 client on non-blocking sockets, for :class:`~anyzarr.storage.HTTPStore`.

Latency-bound reads issue many small GET requests with several in flight.
httpx spends about a millisecond of event-loop time per request (request and
response models, cookie handling, connection-pool bookkeeping), which on a
busy machine stretched each round of requests well beyond the network
latency.  This client does only what a Zarr read needs: ``GET``/``HEAD`` with
keep-alive connections (one per request in flight), ``Content-Length``,
chunked and read-to-close bodies, gzip/deflate bodies, redirects and TLS.

Connections are plain non-blocking sockets (TLS through ``ssl.SSLSocket``)
driven with :func:`anyio.wait_readable` / :func:`anyio.wait_writable`, not
event-loop transports.  So a pool belongs to no event loop: one store may use
it from the sync API's background loop and from ``anyio.run`` alike, and
:meth:`WirePool.aclose` (or :meth:`WirePool.close_now`) releases every idle
connection from any of them, even after a loop has ended.

The parser is strict where leniency would be unsafe: status lines, header
names, ``Content-Length`` and chunk sizes must be well-formed; header blocks,
chunk lines, trailers and bodies (after decompression too, against gzip
bombs) are size-capped; a response with both ``Transfer-Encoding`` and
``Content-Length`` is read as chunked and its connection is not reused;
redirects may only lead to ``http``/``https`` and carry the caller's headers
(credentials included) only within the same origin.

Failures that may pass (connection refused or reset, a connection closed
mid-response, a timeout) raise :class:`WireTransportError`; the store turns
them into retryable errors.  A response the client cannot accept raises
:class:`WireProtocolError` (:class:`WireTLSError` for a certificate that
fails verification), which is not retried.
"""

from __future__ import annotations

import errno
import functools
import ipaddress
import os
import re
import select
import socket
import ssl
import urllib.parse
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.lowlevel
import anyio.to_thread

__all__ = [
    "DEFAULT_MAX_BODY",
    "WirePool",
    "WireProtocolError",
    "WireResponse",
    "WireTLSError",
    "WireTransportError",
]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 20
_MAX_HEAD = 64 * 1024
_MAX_LINE = 8 * 1024  # one chunk-size or trailer line
_MAX_TRAILERS = 64 * 1024
_RECEIVE = 256 * 1024
#: Largest body (on the wire and after decoding) a response may have by default.
DEFAULT_MAX_BODY = 4 * 1024**3
#: Caller headers that may follow a redirect to another origin.
_PORTABLE_HEADERS = frozenset({"range", "accept", "if-range"})

_STATUS_LINE = re.compile(r"HTTP/(\d)\.(\d) ([0-9]{3})(?: (.*))?")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(r"[0-9A-Fa-f]{1,16}")
_UNSAFE_IN_HEADER = re.compile(r"[\r\n\x00]")
# Characters a request target may carry as they are; others are %-encoded.
_TARGET_SAFE = "/?&=%:@!$'()*+,;~#[]-._"


class WireTransportError(OSError):
    """The request failed in transit; trying again may work."""


class WireProtocolError(ValueError):
    """The server's answer is not HTTP/1.1 this client accepts."""


class WireTLSError(WireProtocolError):
    """The TLS handshake failed (a certificate that does not verify, say)."""


@dataclass(slots=True)
class WireResponse:
    """A fully read response.  Header names are lower case."""

    status_code: int
    reason_phrase: str
    headers: dict[str, str]
    content: bytes | bytearray
    url: str


class _Closed(Exception):
    """The peer closed the connection (a clean end of stream)."""


@dataclass(eq=False, slots=True)
class _Conn:
    sock: socket.socket
    buf: bytearray = field(default_factory=bytearray)

    async def _recv(self, size: int) -> bytes:
        while True:
            try:
                data = self.sock.recv(size)
            except (BlockingIOError, ssl.SSLWantReadError):
                await anyio.wait_readable(self.sock)
                continue
            except ssl.SSLWantWriteError:
                await anyio.wait_writable(self.sock)
                continue
            except ssl.SSLEOFError:
                # A peer that hangs up without TLS close_notify (common):
                # an end of stream like any other.
                data = b""
            if not data:
                raise _Closed
            # Data was ready without waiting: still let other tasks run
            # and deliver a pending cancellation.
            await anyio.lowlevel.checkpoint()
            return data

    async def send(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                sent = self.sock.send(view)
            except (BlockingIOError, ssl.SSLWantWriteError):
                await anyio.wait_writable(self.sock)
                continue
            except ssl.SSLWantReadError:
                await anyio.wait_readable(self.sock)
                continue
            view = view[sent:]

    async def _more(self) -> None:
        try:
            self.buf += await self._recv(_RECEIVE)
        except _Closed:
            raise WireTransportError("the server closed the connection mid-response") from None

    async def head(self) -> bytes:
        """Bytes up to and including the blank line that ends the headers."""
        start = 0
        while True:
            end = self.buf.find(b"\r\n\r\n", start, _MAX_HEAD + 4)
            if end >= 0:
                head = bytes(self.buf[: end + 4])
                del self.buf[: end + 4]
                return head
            if len(self.buf) > _MAX_HEAD:
                raise WireProtocolError(f"response headers exceed {_MAX_HEAD // 1024} KiB")
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
                data = await self._recv(max(n - have, 65536))
            except _Closed:
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
        start = 0
        while (end := self.buf.find(b"\r\n", start)) < 0:
            if len(self.buf) > _MAX_LINE:
                raise WireProtocolError(f"a chunk or trailer line exceeds {_MAX_LINE} bytes")
            start = max(len(self.buf) - 1, 0)
            await self._more()
        if end > _MAX_LINE:
            raise WireProtocolError(f"a chunk or trailer line exceeds {_MAX_LINE} bytes")
        line = bytes(self.buf[:end])
        del self.buf[: end + 2]
        return line

    async def chunked(self, limit: int) -> bytearray:
        body = bytearray()
        while True:
            # Chunk extensions (";name=value") carry nothing a read needs.
            size_text = (await self.line()).split(b";", 1)[0].strip(b" \t").decode("latin-1")
            if not _HEX.fullmatch(size_text):
                raise WireProtocolError(f"bad chunk size {size_text!r}")
            size = int(size_text, 16)
            if size == 0:
                trailers = 0
                while line := await self.line():  # trailers end with an empty line
                    trailers += len(line) + 2
                    if trailers > _MAX_TRAILERS:
                        raise WireProtocolError("chunked trailers exceed 64 KiB")
                return body
            if len(body) + size > limit:
                raise WireProtocolError(f"chunked body exceeds the {limit}-byte limit")
            body += await self.exactly(size)
            if await self.exactly(2) != b"\r\n":
                raise WireProtocolError("chunk data is not followed by CRLF")

    async def to_eof(self, limit: int) -> bytearray:
        body = bytearray(self.buf)
        self.buf.clear()
        while True:
            if len(body) > limit:
                raise WireProtocolError(f"body exceeds the {limit}-byte limit")
            try:
                body += await self._recv(_RECEIVE)
            except _Closed:
                return body

    def stale(self) -> bool:
        """Whether an idle connection was closed (or spoke out of turn) meanwhile."""
        if self.buf:
            return True
        try:
            readable, _, _ = select.select([self.sock], [], [], 0)
        except (OSError, ValueError):
            return True
        if not readable:
            return False
        if not isinstance(self.sock, ssl.SSLSocket):
            return True
        # TLS 1.3 servers send session tickets after the handshake: the
        # socket is readable though no application data (or close) came.
        try:
            self.sock.recv(1)
        except ssl.SSLWantReadError:
            return False
        except (OSError, ValueError):
            return True
        return True

    def close(self) -> None:
        self.sock.close()


def _parse_head(head: bytes) -> tuple[int, str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    status_line = _STATUS_LINE.fullmatch(lines[0])
    if status_line is None:
        raise WireProtocolError(f"bad status line {lines[0][:200]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        # Folded continuation lines and names with spaces are refused
        # (RFC 9112 section 5): proxies might read them differently.
        if not sep or not _TOKEN.fullmatch(name):
            raise WireProtocolError(f"bad header line {line[:200]!r}")
        key = name.lower()
        value = value.strip(" \t")
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    version = f"HTTP/{status_line.group(1)}.{status_line.group(2)}"
    return int(status_line.group(3)), status_line.group(4) or "", version, headers


def _content_length(value: str) -> int:
    # Repeated identical values ("10, 10") are allowed by RFC 9110 section 8.6.
    values = {v.strip() for v in value.split(",")}
    if len(values) != 1 or not _DIGITS.fullmatch(text := values.pop()):
        raise WireProtocolError(f"bad Content-Length {value!r}")
    return int(text)


def _decompress(body: bytearray, wbits: int, limit: int) -> bytes:
    decoder = zlib.decompressobj(wbits)
    out = decoder.decompress(body, limit + 1)
    if len(out) > limit:
        raise WireProtocolError(f"decoded body exceeds the {limit}-byte limit")
    if not decoder.eof:
        raise WireProtocolError("compressed body is truncated")
    return out


def _decoded(body: bytearray, encoding: str, limit: int) -> bytes | bytearray:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    try:
        if encoding in ("gzip", "x-gzip"):
            return _decompress(body, 16 + zlib.MAX_WBITS, limit)
        if encoding == "deflate":
            try:
                return _decompress(body, zlib.MAX_WBITS, limit)
            except zlib.error:
                return _decompress(body, -zlib.MAX_WBITS, limit)  # raw deflate, no header
    except zlib.error as exc:
        raise WireProtocolError(f"bad {encoding} body: {exc}") from None
    raise WireProtocolError(f"unsupported Content-Encoding {encoding!r}")


def _target(parts: urllib.parse.SplitResult) -> str:
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    # A Location header may hold spaces or non-ASCII; never let them break
    # the request line.
    return urllib.parse.quote(target, safe=_TARGET_SAFE, encoding="utf-8")


def _check_headers(headers: Mapping[str, str]) -> None:
    for name, value in headers.items():
        if not _TOKEN.fullmatch(name) or _UNSAFE_IN_HEADER.search(value):
            raise ValueError(f"header {name!r} has a bad name or a CR, LF or NUL in its value")


async def _open_socket(host: str, port: int) -> socket.socket:
    """A connected non-blocking TCP socket to the first address of ``host`` that answers."""
    infos: list[tuple[Any, Any, int, str, Any]]
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        # anyio's worker threads, not the event loop's default executor: an
        # asyncio loop that used its executor starts a thread when it closes,
        # which fails if that happens at interpreter exit (the sync API's loop).
        infos = list(
            await anyio.to_thread.run_sync(
                functools.partial(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM),
                abandon_on_cancel=True,
            )
        )
    else:
        # An address needs no resolver thread.
        family = socket.AF_INET6 if literal.version == 6 else socket.AF_INET
        infos = [(family, socket.SOCK_STREAM, 0, "", (host, port))]
    failure: OSError | None = None
    for family, kind, proto, _, address in infos:
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                sock.connect(address)
            except BlockingIOError:
                await anyio.wait_writable(sock)
                if code := sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                    raise OSError(code, os.strerror(code)) from None
            return sock
        except OSError as exc:
            sock.close()
            failure = exc
        except BaseException:
            sock.close()
            raise
    raise failure or OSError(errno.EADDRNOTAVAIL, f"no address for {host!r}")


async def _handshake(sock: ssl.SSLSocket) -> None:
    while True:
        try:
            sock.do_handshake()
            return
        except ssl.SSLWantReadError:
            await anyio.wait_readable(sock)
        except ssl.SSLWantWriteError:
            await anyio.wait_writable(sock)


class WirePool:
    """Keep-alive connections, reused per origin, usable from any event loop.

    Parameters
    ----------
    timeout
        Seconds one request (connecting, redirects and reading included) may
        take in all.
    tls
        Returns the TLS context for ``https`` origins (called on first use);
        when it returns ``None`` a default context that verifies
        certificates and host names is used.
    max_body
        Largest body accepted, on the wire and after gzip/deflate decoding.
    """

    def __init__(
        self,
        timeout: float,
        tls: Callable[[], ssl.SSLContext | None],
        *,
        max_body: int = DEFAULT_MAX_BODY,
    ) -> None:
        self.timeout = timeout
        self.max_body = max_body
        self._tls = tls
        self._context: ssl.SSLContext | None = None
        self._idle: dict[tuple[str, str, int], list[_Conn]] = {}

    def _tls_context(self) -> ssl.SSLContext:
        if self._context is None:
            self._context = self._tls() or ssl.create_default_context()
        return self._context

    async def _connect(self, scheme: str, host: str, port: int) -> _Conn:
        try:
            sock = await _open_socket(host, port)
        except OSError as exc:
            raise WireTransportError(f"cannot connect to {host}:{port}: {exc}") from exc
        if scheme != "https":
            return _Conn(sock)
        try:
            # server_hostname sends SNI and makes the context check the name.
            tls = self._tls_context().wrap_socket(
                sock, server_hostname=host, do_handshake_on_connect=False
            )
        except BaseException:
            sock.close()
            raise
        try:
            await _handshake(tls)
        except ssl.SSLCertVerificationError as exc:
            tls.close()
            raise WireTLSError(f"TLS certificate of {host}:{port} rejected: {exc}") from exc
        except OSError as exc:
            tls.close()
            raise WireTransportError(f"TLS handshake with {host}:{port} failed: {exc}") from exc
        except BaseException:
            tls.close()
            raise
        return _Conn(tls)

    async def _checkout(self, origin: tuple[str, str, int]) -> _Conn:
        idle = self._idle.get(origin)
        while idle:
            conn = idle.pop()
            if not conn.stale():
                return conn
            conn.close()
        return await self._connect(*origin)

    async def _exchange(
        self, conn: _Conn, method: str, request: bytes
    ) -> tuple[int, str, dict[str, str], bytearray, bool]:
        """Send ``request`` on ``conn``; the answer and whether ``conn`` may be reused."""
        await conn.send(request)
        while True:
            status, reason, version, fields = _parse_head(await conn.head())
            if status >= 200 or status == 101:
                break  # 1xx interim answers come before the real one
        codings = [c.strip().lower() for c in fields.get("transfer-encoding", "").split(",")]
        codings = [c for c in codings if c]
        reusable = True
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            body = bytearray()
        elif codings:
            if codings != ["chunked"]:
                raise WireProtocolError(f"unsupported Transfer-Encoding {codings!r}")
            body = await conn.chunked(self.max_body)
            # Both framings at once is how requests get smuggled: trust
            # chunked for this answer, and nothing else on this connection.
            reusable = "content-length" not in fields
        elif (length := fields.get("content-length")) is not None:
            size = _content_length(length)
            if size > self.max_body:
                raise WireProtocolError(
                    f"Content-Length {size} exceeds the {self.max_body}-byte limit"
                )
            body = await conn.exactly(size)
        else:
            body = await conn.to_eof(self.max_body)
            reusable = False
        closing = fields.get("connection", "").lower()
        if "close" in closing or (version == "HTTP/1.0" and "keep-alive" not in closing):
            reusable = False
        return status, reason, fields, body, reusable

    async def _once(
        self, method: str, url: str, parts: urllib.parse.SplitResult, headers: Mapping[str, str]
    ) -> WireResponse:
        scheme = parts.scheme
        host = parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
        origin = (scheme, host, port)
        lines = [f"{method} {_target(parts)} HTTP/1.1", f"Host: {parts.netloc.rpartition('@')[2]}"]
        lines += ["Accept-Encoding: gzip, deflate", "User-Agent: anyzarr"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        conn = await self._checkout(origin)
        reusable = False
        try:
            status, reason, fields, body, reusable = await self._exchange(conn, method, request)
        except OSError as exc:
            if isinstance(exc, WireTransportError):
                raise
            raise WireTransportError(f"{method} {url}: {type(exc).__name__}: {exc}") from exc
        finally:
            if reusable:
                self._idle.setdefault(origin, []).append(conn)
            else:
                conn.close()
        content = _decoded(body, fields.get("content-encoding", ""), self.max_body)
        return WireResponse(status, reason, fields, content, url)

    async def request(self, method: str, url: str, headers: Mapping[str, str]) -> WireResponse:
        """``method`` on ``url``, following redirects; the body is read in full.

        Raises
        ------
        ValueError
            When a header name is not a token or a value holds CR, LF or NUL.
        WireTransportError
            On a network failure or when ``timeout`` runs out.
        WireProtocolError
            On a malformed or oversized answer, a redirect to another scheme
            than http/https, or too many redirects.
        """
        _check_headers(headers)
        try:
            with anyio.fail_after(self.timeout):
                return await self._follow(method, url, dict(headers))
        except TimeoutError:
            raise WireTransportError(f"{method} {url} took longer than {self.timeout} s") from None

    async def _follow(self, method: str, url: str, headers: dict[str, str]) -> WireResponse:
        parts = urllib.parse.urlsplit(url)
        for _ in range(_MAX_REDIRECTS):
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise WireProtocolError(f"{method} {url}: only http(s) URLs can be fetched")
            response = await self._once(method, url, parts, headers)
            location = response.headers.get("location")
            if response.status_code not in _REDIRECTS or location is None:
                return response
            url = urllib.parse.urljoin(url, location)
            moved = urllib.parse.urlsplit(url)
            if (moved.scheme, moved.hostname, moved.port) != (
                parts.scheme,
                parts.hostname,
                parts.port,
            ):
                # Credentials (Authorization, API keys, cookies, whatever
                # the caller added) are for the origin that asked for them.
                headers = {k: v for k, v in headers.items() if k.lower() in _PORTABLE_HEADERS}
            parts = moved
        raise WireProtocolError(f"{method} {url}: more than {_MAX_REDIRECTS} redirects")

    def close_now(self) -> None:
        """Close every idle connection at once; safe from any thread or loop."""
        idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                conn.close()

    async def aclose(self) -> None:
        """Close every idle connection."""
        self.close_now()
        await anyio.lowlevel.checkpoint()
