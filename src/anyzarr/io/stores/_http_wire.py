"""A lean HTTP/1.1 client for :class:`~anyzarr.storage.HTTPStore`: h11 over anyio.

Latency-bound reads issue many small GET requests with several in flight.
httpx spends about a millisecond of event-loop time per request (request and
response models, cookie handling, connection-pool bookkeeping), which on a
busy machine stretched each round of requests well beyond the network
latency.  This client does only what a Zarr read needs: ``GET``/``HEAD`` with
keep-alive connections (one per request in flight), redirects, TLS and
gzip/deflate bodies.  HTTP/1.1 itself (status lines, headers, framing,
chunked bodies, keep-alive rules) is parsed by h11, the sans-IO protocol
library httpx uses, about 0.1 ms per request.

h11 is driven over :class:`SocketStream`, an ``anyio.abc.ByteStream`` on a
plain non-blocking socket (TLS through ``ssl.SSLSocket``) that waits with
:func:`anyio.wait_readable` / :func:`anyio.wait_writable` instead of an event
loop's transports.  So a pool belongs to no event loop: one store may use it
from the sync API's background loop and from ``anyio.run`` alike (the idle
list is guarded by a lock), and :meth:`WirePool.close_now` releases every
idle connection from any thread, even after a loop has ended.  Whether an
idle connection was closed meanwhile is asked with ``poll`` (``select`` fails
for file descriptors of 1024 and up).

Bodies are collected by :class:`~anyzarr.io.stores._http_body.BodySink`:
memory follows the bytes received, never a ``Content-Length`` claim, and never
exceeds what the request can return; ``Content-Encoding`` is decoded in a
worker thread, bounded, inside the request's timeout.  Redirects may only
lead to ``http``/``https`` and carry the caller's headers (credentials
included) only within the same origin.

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
import threading
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.abc
import anyio.from_thread
import anyio.lowlevel
import anyio.to_thread
import h11

from anyzarr.io.stores._http_body import (
    DEFAULT_MAX_BODY,
    BodySink,
    BodyTooLargeError,
    ContentDecodeError,
    Want,
    decode_content,
)

__all__ = [
    "DEFAULT_MAX_BODY",
    "SocketStream",
    "Want",
    "WirePool",
    "WireProtocolError",
    "WireResponse",
    "WireTLSError",
    "WireTransportError",
]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 20
_MAX_HEAD = 64 * 1024  # response head (and one chunk header) h11 may buffer
_RECEIVE = 256 * 1024
#: Caller headers that may follow a redirect to another origin.
_PORTABLE_HEADERS = frozenset({"range", "accept", "if-range"})

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_UNSAFE_IN_HEADER = re.compile(r"[\r\n\x00]")
# Characters a request target may carry as they are; others are %-encoded.
_TARGET_SAFE = "/?&=%:@!$'()*+,;~#[]-._"
_FIXED_HEADERS = [(b"Accept-Encoding", b"gzip, deflate"), (b"User-Agent", b"anyzarr")]


class WireTransportError(OSError):
    """The request failed in transit; trying again may work."""


class WireProtocolError(ValueError):
    """The server's answer is not HTTP/1.1 this client accepts."""


class WireTLSError(WireProtocolError):
    """The TLS handshake failed (a certificate that does not verify, say)."""


@dataclass(slots=True)
class WireResponse:
    """A fully read response.  Header names are lower case.

    ``windowed``: ``content`` is already the wanted window of the object (a
    200 answer to a ranged request, cut while it streamed past).
    """

    status_code: int
    reason_phrase: str
    headers: dict[str, str]
    content: bytes | bytearray
    url: str
    windowed: bool = False


class SocketStream(anyio.abc.ByteStream):
    """A connected non-blocking socket as an anyio byte stream, tied to no event loop."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    async def receive(self, max_bytes: int = _RECEIVE) -> bytes:
        while True:
            try:
                data = self.sock.recv(max_bytes)
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
                raise anyio.EndOfStream
            # Data was ready without waiting: still let other tasks run
            # and deliver a pending cancellation.
            await anyio.lowlevel.checkpoint()
            return data

    async def send(self, item: bytes) -> None:
        view = memoryview(item)
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

    async def send_eof(self) -> None:
        self.sock.shutdown(socket.SHUT_WR)

    async def aclose(self) -> None:
        self.sock.close()
        await anyio.lowlevel.checkpoint()

    def readable_now(self) -> bool:
        """Whether a read would not block (data, a close or an error is pending)."""
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(self.sock, select.POLLIN | select.POLLPRI)
            return bool(poller.poll(0))
        readable, _, _ = select.select([self.sock], [], [], 0)  # pragma: no cover - Windows
        return bool(readable)


class _Conn:
    """One keep-alive connection: a socket stream and its h11 state."""

    __slots__ = ("eof", "h11", "stream")

    def __init__(self, sock: socket.socket) -> None:
        self.stream = SocketStream(sock)
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=_MAX_HEAD)
        self.eof = False

    async def next_event(self) -> Any:
        """The next h11 event, reading as needed; a close mid-response is a transport error."""
        conn = self.h11
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as exc:
                if self.eof:
                    raise WireTransportError(f"the server closed the connection: {exc}") from None
                raise WireProtocolError(str(exc)) from None
            if event is h11.NEED_DATA:
                if self.eof:
                    raise WireTransportError("the server closed the connection mid-response")
                try:
                    data = await self.stream.receive(_RECEIVE)
                except anyio.EndOfStream:
                    data = b""
                    self.eof = True
                conn.receive_data(data)
                continue
            if isinstance(event, h11.ConnectionClosed):
                raise WireTransportError("the server closed the connection mid-response")
            return event

    def stale(self) -> bool:
        """Whether an idle connection was closed (or spoke out of turn) meanwhile."""
        if self.eof or self.h11.trailing_data[0]:
            return True
        sock = self.stream.sock
        try:
            if not self.stream.readable_now():
                return False
        except (OSError, ValueError):
            return True
        if not isinstance(sock, ssl.SSLSocket):
            return True
        # TLS 1.3 servers send session tickets after the handshake: the
        # socket is readable though no application data (or close) came.
        try:
            sock.recv(1)
        except ssl.SSLWantReadError:
            return False
        except (OSError, ValueError):
            return True
        return True

    def close(self) -> None:
        self.stream.sock.close()


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
    """Keep-alive connections, reused per origin, usable from any event loop and thread.

    Parameters
    ----------
    timeout
        Seconds one request (connecting, redirects, reading and decoding
        included) may take in all.
    tls
        Returns the TLS context for ``https`` origins (called on first use);
        when it returns ``None`` a default context that verifies
        certificates and host names is used.
    max_body
        Largest body a whole-object request accepts, on the wire and after
        gzip/deflate decoding (ranged requests accept at most their range).
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
        # Loops in several threads (the sync API's, anyio.run's) share the pool.
        self._lock = threading.Lock()

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
        while True:
            with self._lock:
                idle = self._idle.get(origin)
                conn = idle.pop() if idle else None
            if conn is None:
                return await self._connect(*origin)
            if not conn.stale():
                return conn
            conn.close()

    def _checkin(self, origin: tuple[str, str, int], conn: _Conn) -> None:
        with self._lock:
            self._idle.setdefault(origin, []).append(conn)

    async def _exchange(
        self, conn: _Conn, request: h11.Request, want: Want
    ) -> tuple[h11.Response, dict[str, str], BodySink, bool]:
        """Send ``request`` on ``conn``; the answer and whether ``conn`` may be reused."""
        h = conn.h11
        try:
            data = h.send(request)
            end = h.send(h11.EndOfMessage())
        except h11.LocalProtocolError as exc:
            raise ValueError(f"cannot send this request: {exc}") from None
        await conn.stream.send((data or b"") + (end or b""))
        while True:
            event = await conn.next_event()
            if isinstance(event, h11.Response):
                break  # 1xx interim answers (InformationalResponse) come before it
        fields: dict[str, str] = {}
        # h11 caps a head that arrives in pieces; one that arrives whole is
        # measured here.
        if sum(len(n) + len(v) + 4 for n, v in event.headers) > _MAX_HEAD:
            raise WireProtocolError(f"response headers exceed {_MAX_HEAD // 1024} KiB (too long)")
        for raw_name, raw_value in event.headers:
            name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
            fields[name] = f"{fields[name]}, {value}" if name in fields else value
        encoded = fields.get("content-encoding", "identity").strip().lower() != "identity"
        sink = BodySink(event.status_code, want, self.max_body, encoded=encoded)
        declared = fields.get("content-length")
        if declared is not None and request.method != b"HEAD":
            try:
                sink.check_declared(int(declared))  # h11 has checked its syntax
            except BodyTooLargeError as exc:
                raise WireProtocolError(str(exc)) from None
        while True:
            part = await conn.next_event()
            if isinstance(part, h11.Data):
                try:
                    sink.feed(part.data)
                except BodyTooLargeError as exc:
                    raise WireProtocolError(str(exc)) from None
                if sink.complete:
                    return event, fields, sink, False
            elif isinstance(part, h11.EndOfMessage):
                break
        # Both framings at once is how requests get smuggled: h11 trusts
        # chunked for this answer; nothing else goes on this connection.
        both = "content-length" in fields and "transfer-encoding" in fields
        reusable = h.our_state is h11.DONE and h.their_state is h11.DONE and not both
        if reusable:
            h.start_next_cycle()
        return event, fields, sink, reusable

    async def _once(
        self,
        method: str,
        url: str,
        parts: urllib.parse.SplitResult,
        headers: Mapping[str, str],
        want: Want,
    ) -> WireResponse:
        scheme = parts.scheme
        host = parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
        origin = (scheme, host, port)
        request = h11.Request(
            method=method,
            target=_target(parts),
            headers=[
                (b"Host", parts.netloc.rpartition("@")[2].encode("idna")),
                *_FIXED_HEADERS,
                *((k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()),
            ],
        )
        conn = await self._checkout(origin)
        reusable = False
        try:
            response, fields, sink, reusable = await self._exchange(conn, request, want)
        except OSError as exc:
            if isinstance(exc, WireTransportError):
                raise
            raise WireTransportError(f"{method} {url}: {type(exc).__name__}: {exc}") from exc
        finally:
            if reusable:
                self._checkin(origin, conn)
            else:
                conn.close()
        status = response.status_code
        body: bytes | bytearray = sink.result()
        encoding = fields.get("content-encoding", "")
        windowed = sink.windowed
        if encoding.strip().lower() not in ("", "identity") and status in (200, 206):
            limit = sink.decoded_limit(status, self.max_body)
            try:
                # CPU work, possibly much of it: a worker thread, within the
                # request's timeout, which it checks every few megabytes.
                body = await anyio.to_thread.run_sync(
                    decode_content, body, encoding, limit, anyio.from_thread.check_cancelled
                )
            except ContentDecodeError as exc:
                raise WireProtocolError(str(exc)) from None
            if status == 200 and not want.whole:
                body, windowed = want.cut(body), True
        reason = response.reason.decode("latin-1")
        return WireResponse(status, reason, fields, body, url, windowed)

    async def request(
        self, method: str, url: str, headers: Mapping[str, str], want: Want | None = None
    ) -> WireResponse:
        """``method`` on ``url``, following redirects; the body is read in full.

        ``want`` says which bytes of the object the request asks for (its
        ``Range`` header, if any, must ask for the same); it bounds what the
        answer may hold.  Without it the whole object, at most ``max_body``.

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
                return await self._follow(method, url, dict(headers), want or Want())
        except TimeoutError:
            raise WireTransportError(f"{method} {url} took longer than {self.timeout} s") from None

    async def _follow(
        self, method: str, url: str, headers: dict[str, str], want: Want
    ) -> WireResponse:
        parts = urllib.parse.urlsplit(url)
        for _ in range(_MAX_REDIRECTS):
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise WireProtocolError(f"{method} {url}: only http(s) URLs can be fetched")
            response = await self._once(method, url, parts, headers, want)
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
        with self._lock:
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                conn.close()

    async def aclose(self) -> None:
        """Close every idle connection."""
        self.close_now()
        await anyio.lowlevel.checkpoint()
