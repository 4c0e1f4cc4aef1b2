"""Loopback servers for testing and benchmarking the remote stores.

:func:`serve_directory` runs a small threaded HTTP server on 127.0.0.1 that
serves a directory with ``Range`` support and can be told to misbehave:
answer slowly, fail with 5xx or 429 bursts, reset connections, or ignore
``Range`` headers the way some static servers do.  :func:`moto_s3_server`
runs moto's S3 emulation on 127.0.0.1 with a fresh bucket, for
:class:`~anyzarr.storage.ObjectStore` and fsspec tests.  Both are context
managers that always stop their server, even when the body raises.

These servers bind to the loopback interface only and are meant for tests;
they are not hardened for anything else.
"""

from __future__ import annotations

import contextlib
import functools
import re
import socket
import struct
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "HTTPTestServer",
    "RecordedRequest",
    "S3TestServer",
    "moto_s3_server",
    "serve_directory",
]

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
#: Bodies up to this size leave with their head in one write.
_ONE_WRITE = 256 * 1024


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the HTTP test server received."""

    method: str
    path: str
    range: str | None


FaultKind = Literal[
    "status", "reset", "truncate", "slow", "wrong_range", "gzip_bomb", "huge_length"
]


@dataclass(frozen=True, slots=True)
class _Fault:
    kind: FaultKind
    status: int = 503
    retry_after: str | None = None
    size: int = 0
    delay: float = 0.0


@dataclass
class HTTPTestServer:
    """Handle on a running :func:`serve_directory` server.

    Attributes may be changed while the server runs; each request reads them
    afresh.

    Attributes
    ----------
    root
        The directory served; ``GET /a/b`` returns ``root / "a" / "b"``.
    url
        Base URL, ``http://127.0.0.1:<port>``, without a trailing slash.
    latency
        Seconds to wait before answering each request.

    Faults (each applies to the next requests, in the order injected):
    ``fail_next`` (a status such as 503, or 429 with ``Retry-After``),
    ``reset_next`` (TCP reset), ``truncate_next`` (a body cut short),
    ``slow_next`` (a body sent in slow pieces), ``wrong_range_next`` (a 206
    for other bytes than asked), ``gzip_bomb_next`` (a gzip body that
    expands enormously), ``huge_length_next`` (a ``Content-Length`` of
    gigabytes over a few bytes).
    honor_range
        When ``False`` the server ignores ``Range`` and always answers 200
        with the whole file.
    allow_head
        When ``False`` ``HEAD`` gets 405, as on some object gateways.
    requests
        Every request received, in order.
    max_in_flight
        The most requests the server was handling at one time.
    """

    root: Path
    url: str = ""
    latency: float = 0.0
    honor_range: bool = True
    allow_head: bool = True
    requests: list[RecordedRequest] = field(default_factory=list)
    max_in_flight: int = 0
    _in_flight: int = 0
    _faults: deque[_Fault] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(
        self, count: int = 1, *, status: int = 503, retry_after: float | str | None = None
    ) -> None:
        """Answer the next ``count`` requests with ``status`` (and ``Retry-After``)."""
        header = None if retry_after is None else str(retry_after)
        with self._lock:
            self._faults.extend(_Fault("status", status, header) for _ in range(count))

    def reset_next(self, count: int = 1) -> None:
        """Reset the connection (TCP RST, no response) on the next ``count`` requests."""
        with self._lock:
            self._faults.extend(_Fault("reset") for _ in range(count))

    def truncate_next(self, count: int = 1, *, keep: int = 1) -> None:
        """Send only the first ``keep`` body bytes of the next ``count`` answers, then close.

        The head still states the full ``Content-Length``, as when a server
        dies mid-response.
        """
        self._add("truncate", count, size=keep)

    def slow_next(self, count: int = 1, *, delay: float = 0.1, pieces: int = 4) -> None:
        """Send the next ``count`` bodies in ``pieces`` parts, ``delay`` seconds apart."""
        self._add("slow", count, size=pieces, delay=delay)

    def wrong_range_next(self, count: int = 1) -> None:
        """Answer the next ``count`` range requests with bytes from one past the asked start
        (and a ``Content-Range`` that says so)."""
        self._add("wrong_range", count)

    def gzip_bomb_next(self, count: int = 1, *, nbytes: int = 1 << 30) -> None:
        """Answer the next ``count`` requests with ``Content-Encoding: gzip`` and a body that
        decompresses to ``nbytes`` zero bytes (about 1000:1; built once per size)."""
        self._add("gzip_bomb", count, size=nbytes)

    def huge_length_next(self, count: int = 1, *, length: int = 4_000_000_000) -> None:
        """Claim ``Content-Length: length`` on the next ``count`` answers, send a few
        bytes and close: a client that allocates what the header says fails here."""
        self._add("huge_length", count, size=length)

    def _add(self, kind: FaultKind, count: int, *, size: int = 0, delay: float = 0.0) -> None:
        with self._lock:
            self._faults.extend(_Fault(kind, size=size, delay=delay) for _ in range(count))

    def clear_faults(self) -> None:
        """Forget faults that have not fired yet."""
        with self._lock:
            self._faults.clear()

    @property
    def pending_faults(self) -> int:
        """How many injected faults have not fired yet."""
        with self._lock:
            return len(self._faults)

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _record(self, request: RecordedRequest) -> _Fault | None:
        with self._lock:
            self.requests.append(request)
            return self._faults.popleft() if self._faults else None


def _handler_for(state: HTTPTestServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.1 so clients keep connections alive, as real servers allow.
        protocol_version = "HTTP/1.1"
        # The fault that shapes this request's answer (set per request).
        _fault: _Fault | None = None

        def log_message(self, format: str, *args: Any) -> None:
            """Stay quiet: tests read :attr:`HTTPTestServer.requests` instead."""

        def do_GET(self) -> None:
            self._serve(with_body=True)

        def do_HEAD(self) -> None:
            self._serve(with_body=False)

        def _serve(self, *, with_body: bool) -> None:
            state._enter()
            try:
                self._answer(with_body=with_body)
            finally:
                state._leave()

        def _answer(self, *, with_body: bool) -> None:
            fault = state._record(RecordedRequest(self.command, self.path, self.headers["Range"]))
            if state.latency > 0:
                time.sleep(state.latency)
            if fault is not None and fault.kind == "reset":
                self._reset()
                return
            if fault is not None and fault.kind == "status":
                headers = {} if fault.retry_after is None else {"Retry-After": fault.retry_after}
                self._send(fault.status, b"injected failure", headers, with_body=with_body)
                return
            if fault is not None and fault.kind == "gzip_bomb":
                body = _gzip_bomb(fault.size)
                self._send(200, body, {"Content-Encoding": "gzip"}, with_body=with_body)
                return
            if fault is not None and fault.kind == "huge_length":
                self.close_connection = True
                if self.headers["Range"] is not None:  # as if for a range of that size
                    headers = {"Content-Range": f"bytes 0-{fault.size - 1}/{fault.size}"}
                    self._send(206, b"tiny", headers, with_body=with_body, length=fault.size)
                else:
                    self._send(200, b"tiny", {}, with_body=with_body, length=fault.size)
                return
            self._fault = fault
            if self.command == "HEAD" and not state.allow_head:
                self._send(405, b"", {"Allow": "GET"}, with_body=False)
                return
            target = self._resolve()
            if target is None or not target.is_file():
                self._send(404, b"not found", {}, with_body=with_body)
                return
            data = target.read_bytes()
            header = self.headers["Range"]
            if header is None or not state.honor_range:
                self._send(200, data, {"Accept-Ranges": "bytes"}, with_body=with_body)
                return
            span = _parse_range(header, len(data))
            if span is None:
                self._send(416, b"", {"Content-Range": f"bytes */{len(data)}"}, with_body=with_body)
                return
            start, stop = span
            if self._fault is not None and self._fault.kind == "wrong_range":
                start, stop = min(start + 1, len(data) - 1), min(stop + 1, len(data))
            headers = {"Content-Range": f"bytes {start}-{stop - 1}/{len(data)}"}
            self._send(206, data[start:stop], headers, with_body=with_body)

        def _resolve(self) -> Path | None:
            path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
            parts = [p for p in path.split("/") if p]
            if any(p in {".", ".."} or "\\" in p for p in parts):
                return None
            return state.root.joinpath(*parts)

        def setup(self) -> None:
            super().setup()
            # Without TCP_NODELAY the tail of a body can wait for the client's
            # delayed ACK (up to 40 ms on Linux), which would swamp the latency
            # the server is meant to simulate.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _send(
            self,
            status: int,
            body: bytes,
            headers: dict[str, str],
            *,
            with_body: bool,
            length: int | None = None,
        ) -> None:
            fault, self._fault = self._fault, None
            phrase = self.responses.get(status, ("",))[0]
            lines = [
                f"{self.protocol_version} {status} {phrase}",
                f"Date: {self.date_time_string()}",
            ]
            lines += [f"{name}: {value}" for name, value in headers.items()]
            lines.append(f"Content-Length: {len(body) if length is None else length}")
            if self.close_connection:
                lines.append("Connection: close")
            head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
            if fault is not None and fault.kind == "truncate" and with_body:
                self.wfile.write(head + body[: fault.size])
                self.close_connection = True
                return
            if fault is not None and fault.kind == "slow" and with_body:
                self.wfile.write(head)
                step = max(1, -(-len(body) // max(fault.size, 1)))
                for at in range(0, len(body), step):
                    time.sleep(fault.delay)
                    self.wfile.write(body[at : at + step])
                return
            if with_body and len(body) > _ONE_WRITE:
                # Large bodies go out in pieces: no second copy of the body.
                self.wfile.write(head)
                view = memoryview(body)
                for at in range(0, len(body), _ONE_WRITE):
                    self.wfile.write(view[at : at + _ONE_WRITE])
                return
            # One write per response: status, headers and body leave together.
            self.wfile.write(head + body if with_body else head)

        def _reset(self) -> None:
            # SO_LINGER with a zero timeout makes close() send RST, not FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()

    return Handler


@functools.lru_cache(maxsize=4)
def _gzip_bomb(nbytes: int) -> bytes:
    from anyzarr.testing.bombs import gzip_bomb

    return gzip_bomb(nbytes)


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 drops the SYNs of a burst of new connections,
    # and a dropped SYN costs the client a one-second retransmit.
    request_queue_size = 256
    daemon_threads = True


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The half-open span a single ``bytes=`` range names, or ``None`` for 416."""
    match = _RANGE.match(header.strip())
    if match is None or match.group(0) == "bytes=-":
        return None
    first, last = match.group(1), match.group(2)
    if first == "":
        suffix = int(last)
        if suffix == 0:
            return None
        return max(size - suffix, 0), size
    start = int(first)
    stop = size if last == "" else min(int(last) + 1, size)
    if start >= size or stop <= start:
        return None
    return start, stop


@contextlib.contextmanager
def serve_directory(
    root: str | Path,
    *,
    latency: float = 0.0,
    honor_range: bool = True,
    allow_head: bool = True,
) -> Iterator[HTTPTestServer]:
    """Serve ``root`` over HTTP on 127.0.0.1 (an ephemeral port) while in the block.

    Yields an :class:`HTTPTestServer` whose attributes and methods change the
    server's behaviour on the fly.
    """
    state = HTTPTestServer(
        root=Path(root), latency=latency, honor_range=honor_range, allow_head=allow_head
    )
    server = _Server(("127.0.0.1", 0), _handler_for(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    # A short poll interval keeps shutdown (and so each test) quick.
    thread = threading.Thread(
        target=server.serve_forever, args=(0.02,), name="anyzarr-http-test", daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass(frozen=True, slots=True)
class S3TestServer:
    """Where a :func:`moto_s3_server` listens and the bucket it made."""

    endpoint: str
    bucket: str
    region: str = "us-east-1"
    access_key_id: str = "testing"
    secret_access_key: str = "testing"

    def obstore_options(self) -> dict[str, Any]:
        """Keyword arguments for ``obstore.store.S3Store(**options)``."""
        return {
            "bucket": self.bucket,
            "endpoint": self.endpoint,
            "region": self.region,
            "access_key_id": self.access_key_id,
            "secret_access_key": self.secret_access_key,
            "virtual_hosted_style_request": False,
            "client_options": {"allow_http": True},
        }

    def storage_options(self) -> dict[str, Any]:
        """``storage_options`` for fsspec's ``s3fs`` (``s3://<bucket>/...`` URLs)."""
        return {
            "key": self.access_key_id,
            "secret": self.secret_access_key,
            "client_kwargs": {"endpoint_url": self.endpoint, "region_name": self.region},
        }


def _quiet_moto_handler() -> type[Any]:
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class Handler(MotoRequestHandler):
        def setup(self) -> None:
            super().setup()
            # As for the HTTP server: no Nagle stalls on the tail of a body.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_request(self, *args: Any, **kwargs: Any) -> None:
            """Stay quiet: one line per request would flood test and bench output."""

    return Handler


def _delayed(app: Any, latency: float) -> Any:
    """A WSGI app that answers like ``app`` after ``latency`` seconds per request."""
    if latency <= 0:
        return app

    def delayed(environ: Any, start_response: Any) -> Any:
        # Each request has its own thread, so sleeping here delays only it.
        time.sleep(latency)
        return app(environ, start_response)

    return delayed


@contextlib.contextmanager
def moto_s3_server(bucket: str | None = None, *, latency: float = 0.0) -> Iterator[S3TestServer]:
    """Run moto's S3 server on 127.0.0.1 (an ephemeral port) with a new bucket.

    moto keeps its state per process, so each call makes a uniquely named
    bucket unless ``bucket`` is given.  ``latency`` delays every request by
    that many seconds, without serialising concurrent requests.
    """
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    app = _delayed(DomainDispatcherApplication(create_backend_app), latency)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_quiet_moto_handler())
    thread = threading.Thread(
        target=server.serve_forever, args=(0.02,), name="anyzarr-moto-test", daemon=True
    )
    thread.start()
    try:
        info = S3TestServer(
            endpoint=f"http://127.0.0.1:{server.server_port}",
            bucket=bucket or f"anyzarr-{uuid.uuid4().hex[:12]}",
        )
        request = urllib.request.Request(f"{info.endpoint}/{info.bucket}", method="PUT")
        with urllib.request.urlopen(request, timeout=30) as response:
            if response.status != 200:
                raise RuntimeError(f"moto refused to create bucket {info.bucket!r}")
        yield info
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
