"""A read-only store over plain HTTP(S), for Zarr data published by a web server.

Each key is a URL below the store's base URL.  Partial reads become ``Range``
requests; servers that ignore ``Range`` (answering 200 with the whole body)
still give correct results because the body is sliced here.  Transient
failures are retried (see :mod:`anyzarr.io.stores._retry`), and every httpx
exception is mapped to an anyzarr error naming the URL, so no httpx type
leaks to callers.

httpx's ``AsyncClient`` runs on anyio's networking and so works under both
asyncio and trio.  Its connection pool belongs to one event loop, so a store
keeps one client per loop that used it and :meth:`HTTPStore.close` closes
them all.

A store that owns its client talks HTTP/1.1 through the lean client of
:mod:`anyzarr.io.stores._http_wire` (about a sixth of httpx's event-loop time
per request, which is what bounds latency-bound reads on a busy machine),
unless a proxy is configured in the environment; then, and with a caller's
client, httpx does the work.  The lean client's sockets belong to no loop,
so one pool serves the sync API's background loop and ``anyio.run`` alike.
"""

from __future__ import annotations

import contextlib
import functools
import re
import ssl
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any, NoReturn

import anyio
import anyio.from_thread
import anyio.lowlevel
import anyio.to_thread

from anyzarr.io._store import Store, resolve_prototype
from anyzarr.io.stores._common import check_key, clip
from anyzarr.io.stores._http_body import DEFAULT_MAX_BODY, BodySink, BodyTooLargeError
from anyzarr.io.stores._http_wire import (
    Want,
    WirePool,
    WireProtocolError,
    WireResponse,
    WireTransportError,
)
from anyzarr.io.stores._remote_common import names_no_bytes, read_nothing
from anyzarr.io.stores._retry import (
    RemoteStoreError,
    RetryPolicy,
    TransientError,
    retry_call,
)
from anyzarr.protocol._byte_request import (
    ByteRequest,
    OffsetByteRequest,
    RangeByteRequest,
    SuffixByteRequest,
    range_header,
)
from anyzarr.protocol._dependencies import import_optional
from anyzarr.protocol._errors import ReadOnlyError, UnsupportedOperationError

if TYPE_CHECKING:
    import httpx

    from anyzarr.protocol.buffer import Buffer, BufferPrototype

__all__ = ["HTTPStore"]

#: Statuses that say "try again later" rather than "this will never work".
_TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_MISSING_STATUSES = frozenset({404, 410})
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default TLS settings, built once: each build loads the CA bundle."""
    return _httpx().create_ssl_context()  # type: ignore[no-any-return]


def _httpx() -> Any:
    """httpx, imported when first needed: HTTPS settings, proxies, a caller's client.

    Importing it takes about 60 ms, which a plain-HTTP store never pays.
    """
    return import_optional("httpx", "HTTPStore")


def _proxied(url: str) -> bool:
    """Whether the environment routes ``url`` through a proxy (httpx honours that)."""
    parts = urllib.parse.urlsplit(url)
    proxies = urllib.request.getproxies()
    if parts.scheme not in proxies and "all" not in proxies:
        return False
    return not urllib.request.proxy_bypass(parts.hostname or "")


async def _wire_request(
    client: WirePool, method: str, url: str, headers: dict[str, str], want: Want
) -> WireResponse:
    try:
        return await client.request(method, url, headers, want)
    except WireTransportError as exc:
        raise TransientError(str(exc), url=url) from exc
    except WireProtocolError as exc:
        raise RemoteStoreError(f"{method} {url}: {exc}", url=url) from exc


async def _httpx_request(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    headers: dict[str, str],
    want: Want,
    max_body: int,
) -> WireResponse:
    httpx = _httpx()
    # Streamed into the same bounded sink as the lean client: a Content-Length
    # claim is never allocated up front.  httpx decodes Content-Encoding one
    # received piece at a time, on the loop; the sink stops a bomb after the
    # piece that crosses the limit.
    try:
        async with client.stream(method, url, headers=headers) as response:
            sink = BodySink(response.status_code, want, max_body, encoded=False)
            async for part in response.aiter_bytes():
                sink.feed(part)
                if sink.complete:
                    break
    except BodyTooLargeError as exc:
        raise RemoteStoreError(f"{method} {url}: {exc}", url=url) from exc
    except httpx.TransportError as exc:
        if isinstance(exc, httpx.UnsupportedProtocol):
            raise RemoteStoreError(f"{method} {url}: {exc}", url=url) from exc
        if isinstance(exc, httpx.DecodingError):
            raise RemoteStoreError(f"{method} {url}: {exc}", url=url) from exc
        raise TransientError(f"{type(exc).__name__}: {exc}", url=url) from exc
    except httpx.HTTPError as exc:
        raise RemoteStoreError(f"{method} {url} failed: {exc}", url=url) from exc
    return WireResponse(
        response.status_code,
        response.reason_phrase,
        {k.lower(): v for k, v in response.headers.items()},
        sink.result(),
        str(response.request.url),
        sink.windowed,
    )


async def _close_on_loop(client: httpx.AsyncClient, token: anyio.lowlevel.EventLoopToken) -> None:
    """Close ``client`` on the loop of ``token`` if that loop still runs.

    The wait is bounded: a loop that is alive but blocked (waiting on this
    very call, say) must not hang ``close``.
    """

    def close_there() -> None:
        with contextlib.suppress(RuntimeError):  # that loop has ended
            anyio.from_thread.run(client.aclose, token=token)

    with anyio.move_on_after(5):
        await anyio.to_thread.run_sync(close_there, abandon_on_cancel=True)


def _retry_after(response: WireResponse) -> float | None:
    """Seconds from a numeric ``Retry-After`` header (HTTP dates are ignored)."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


def _want(byte_range: ByteRequest | None) -> Want:
    """The bytes a GET with ``byte_range`` asks for, which bound what it may return."""
    if isinstance(byte_range, RangeByteRequest):
        return Want(byte_range.start, byte_range.end)
    if isinstance(byte_range, OffsetByteRequest):
        return Want(byte_range.offset)
    if isinstance(byte_range, SuffixByteRequest):
        return Want(suffix=byte_range.suffix)
    return Want()


def _check_range(byte_range: ByteRequest | None) -> None:
    bad = (
        (isinstance(byte_range, RangeByteRequest) and byte_range.start < 0)
        or (isinstance(byte_range, OffsetByteRequest) and byte_range.offset < 0)
        or (isinstance(byte_range, SuffixByteRequest) and byte_range.suffix < 0)
    )
    if bad:
        raise ValueError(f"byte ranges must not be negative, got {byte_range!r}")


class HTTPStore(Store):
    """A read-only store whose keys are URLs under ``url``.

    Listing is not possible over plain HTTP, so ``supports_listing`` is
    ``False``; every write raises :class:`~anyzarr.errors.ReadOnlyError`.

    Parameters
    ----------
    url
        Base URL (``http://`` or ``https://``); key ``a/b`` is read from
        ``<url>/a/b``.
    client
        An ``httpx.AsyncClient`` to use (and leave open on :meth:`close`);
        by default the store makes and closes its own.
    timeout
        Per-request timeout in seconds for the store's own client.
    retries
        Retries after a transient failure, or a full
        :class:`~anyzarr.io.stores._retry.RetryPolicy`.
    headers
        Extra headers sent with every request (authorisation, for example).
    max_body
        Largest object a whole-value ``get`` accepts (default 4 GiB), on the
        wire and after gzip/deflate decoding; ranged reads accept at most
        their range.  Memory follows the bytes received, never a
        ``Content-Length`` claim.
    concurrency
        Size of the store's capacity limiter (see :class:`Store`).
    """

    supports_writes = False
    supports_deletes = False
    supports_listing = False
    supports_consolidated_metadata = True

    def __init__(
        self,
        url: str,
        *,
        client: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
        retries: int | RetryPolicy = 3,
        headers: Mapping[str, str] | None = None,
        concurrency: int | None = None,
        max_body: int = DEFAULT_MAX_BODY,
    ) -> None:
        super().__init__(read_only=True, concurrency=concurrency)
        self.max_body = max_body
        scheme = urllib.parse.urlsplit(url).scheme
        if scheme not in ("http", "https"):
            raise ValueError(f"HTTPStore needs an http:// or https:// URL, got {url!r}")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.retry_policy = RetryPolicy.coerce(retries)
        self.headers = dict(headers or {})
        self._user_client = client
        self._pool: WirePool | None = None
        self._httpx_clients: dict[object, httpx.AsyncClient] = {}
        self._httpx_tokens: dict[object, anyio.lowlevel.EventLoopToken] = {}

    def __repr__(self) -> str:
        return f"HTTPStore({self.url!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HTTPStore) and other.url == self.url

    def __hash__(self) -> int:
        return hash(("HTTPStore", self.url))

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        if state["_user_client"] is not None:
            raise TypeError(f"{self!r} wraps a caller's httpx client and cannot be pickled")
        state["_pool"] = None
        state["_httpx_clients"] = {}
        state["_httpx_tokens"] = {}
        return state

    def with_read_only(self, read_only: bool = False) -> HTTPStore:
        """This store again: it is always read-only.

        Raises
        ------
        ReadOnlyError
            When ``read_only`` is ``False``.
        """
        if not read_only:
            raise ReadOnlyError(f"{self!r} is read-only: HTTP has no writes")
        return self

    # -- the client ----------------------------------------------------------

    def _current_client(self) -> httpx.AsyncClient | WirePool:
        if self._user_client is not None:
            return self._user_client
        if not _proxied(self.url):
            # The lean client's sockets belong to no event loop: one pool
            # serves every loop that uses this store.
            if self._pool is None:
                self._pool = WirePool(self.timeout, _tls_context, max_body=self.max_body)
            return self._pool
        # httpx's connections belong to the loop that opened them: one
        # client per loop, each closed by close().
        token = anyio.lowlevel.current_token()
        client = self._httpx_clients.get(token.native_token)
        if client is None:
            httpx = _httpx()
            client = httpx.AsyncClient(
                timeout=self.timeout,
                follow_redirects=True,
                verify=_tls_context(),
                limits=httpx.Limits(
                    max_connections=max(self.concurrency, 10),
                    max_keepalive_connections=max(self.concurrency, 10),
                ),
            )
            self._httpx_clients[token.native_token] = client
            self._httpx_tokens[token.native_token] = token
        return client

    async def close(self) -> None:
        """Close the store's own connections, on every event loop that used it.

        A caller's client is left open.  httpx clients of other loops are
        closed on their loop when it still runs, and dropped when it has
        ended (their connections ended with it).
        """
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close_now()
        clients, self._httpx_clients = self._httpx_clients, {}
        tokens, self._httpx_tokens = self._httpx_tokens, {}
        here = anyio.lowlevel.current_token().native_token
        for native, client in clients.items():
            if native is here:
                await client.aclose()
            else:
                await _close_on_loop(client, tokens[native])
        await super().close()

    def url_for(self, key: str) -> str:
        """The URL of ``key``; each path segment is percent-encoded."""
        check_key(key)
        return f"{self.url}/{urllib.parse.quote(key, safe='/')}"

    # -- requests ------------------------------------------------------------

    async def _request(
        self, method: str, url: str, headers: dict[str, str], want: Want | None = None
    ) -> WireResponse:
        """One request with retries; the response is fully read.

        Missing (404/410) and every other non-transient status are returned
        for the caller to interpret.
        """
        merged = {**self.headers, **headers}
        wanted = want or Want()

        async def attempt() -> WireResponse:
            async with self.limiter:
                client = self._current_client()
                if isinstance(client, WirePool):
                    response = await _wire_request(client, method, url, merged, wanted)
                else:
                    response = await _httpx_request(
                        client, method, url, merged, wanted, self.max_body
                    )
            if response.status_code in _TRANSIENT_STATUSES:
                raise TransientError(
                    f"HTTP {response.status_code}",
                    url=url,
                    status=response.status_code,
                    retry_after=_retry_after(response),
                )
            return response

        return await retry_call(attempt, self.retry_policy, what=f"{method} {url}")

    def _fail(self, method: str, url: str, response: WireResponse) -> NoReturn:
        raise RemoteStoreError(
            f"{method} {url} answered HTTP {response.status_code} {response.reason_phrase}",
            url=url,
            status=response.status_code,
        )

    # -- reading -------------------------------------------------------------

    async def get(
        self,
        key: str,
        prototype: BufferPrototype | None = None,
        byte_range: ByteRequest | None = None,
    ) -> Buffer | None:
        """The value at ``key`` (or part of it), ``None`` when the server says 404/410.

        Raises
        ------
        RemoteStoreError
            For other error statuses or a network failure, naming the URL.
        RetriesExhaustedError
            When transient failures outlast the retry budget.
        """
        buffer_cls = resolve_prototype(prototype).buffer
        _check_range(byte_range)
        url = self.url_for(key)
        if names_no_bytes(byte_range):
            return await read_nothing(self, key, buffer_cls)
        headers = {} if byte_range is None else {"Range": range_header(byte_range)}
        response = await self._request("GET", url, headers, _want(byte_range))
        status = response.status_code
        if status in _MISSING_STATUSES:
            return None
        if status == 416:
            # The object exists but the range starts past its end: the
            # slicing convention makes that an empty result.
            return buffer_cls.create_zero_length()
        if status == 200:
            body = buffer_cls.from_bytes(response.content)
            return body if response.windowed else clip(body, byte_range)
        if status == 206 and byte_range is not None:
            return self._partial(buffer_cls.from_bytes(response.content), byte_range, response)
        self._fail("GET", url, response)

    def _partial(self, body: Buffer, byte_range: ByteRequest, response: WireResponse) -> Buffer:
        """The requested bytes from a 206 body, checked against ``Content-Range``."""
        match = _CONTENT_RANGE.match(response.headers.get("content-range", "").strip())
        if match is None:
            return body
        first = int(match.group(1))
        wanted = (
            byte_range.start
            if isinstance(byte_range, RangeByteRequest)
            else byte_range.offset
            if isinstance(byte_range, OffsetByteRequest)
            else None
        )
        if wanted is not None and first != wanted:
            raise RemoteStoreError(
                f"GET {response.url} asked for bytes from {wanted} but the server "
                f"sent {response.headers['content-range']!r}",
                url=response.url,
                status=response.status_code,
            )
        if isinstance(byte_range, RangeByteRequest):
            return body[: byte_range.end - byte_range.start]
        return body

    async def exists(self, key: str) -> bool:
        """Whether the server has ``key`` (a ``HEAD`` request).

        Servers that refuse ``HEAD`` (405/501) are asked for one byte instead.
        """
        url = self.url_for(key)
        response = await self._request("HEAD", url, {})
        if response.status_code in (405, 501):
            response = await self._request("GET", url, {"Range": "bytes=0-0"}, Want(0, 1))
        status = response.status_code
        if status in _MISSING_STATUSES:
            return False
        if status < 300 or status == 416:
            return True
        self._fail("HEAD", url, response)

    async def getsize(self, key: str) -> int:
        """Size of ``key`` from ``Content-Length`` (a full read if the server omits it).

        Raises
        ------
        FileNotFoundError
            When the server says the key is missing.
        """
        url = self.url_for(key)
        response = await self._request("HEAD", url, {})
        if response.status_code in _MISSING_STATUSES:
            raise FileNotFoundError(f"no object at {url}")
        length = response.headers.get("content-length")
        if response.status_code == 200 and length is not None and length.isdigit():
            return int(length)
        value = await self.get(key)
        if value is None:
            raise FileNotFoundError(f"no object at {url}")
        return len(value)

    # -- unsupported ---------------------------------------------------------

    def _refuse(self, key: str) -> NoReturn:
        raise ReadOnlyError(f"cannot modify key {key!r}: {self!r} is read-only")

    async def set(self, key: str, value: Buffer) -> None:
        """Always raises :class:`~anyzarr.errors.ReadOnlyError`."""
        self._refuse(key)

    async def set_if_not_exists(self, key: str, value: Buffer) -> None:
        """Always raises :class:`~anyzarr.errors.ReadOnlyError`."""
        self._refuse(key)

    async def delete(self, key: str) -> None:
        """Always raises :class:`~anyzarr.errors.ReadOnlyError`."""
        self._refuse(key)

    async def delete_dir(self, prefix: str) -> None:
        """Always raises :class:`~anyzarr.errors.ReadOnlyError`."""
        self._refuse(prefix)

    async def clear(self) -> None:
        """Always raises :class:`~anyzarr.errors.ReadOnlyError`."""
        self._refuse("")

    def _no_listing(self) -> NoReturn:
        raise UnsupportedOperationError(f"{self!r} cannot list keys: HTTP has no listing")

    async def list(self) -> AsyncIterator[str]:
        """Raises :class:`~anyzarr.errors.UnsupportedOperationError` when iterated."""
        self._no_listing()
        yield ""  # pragma: no cover - makes this an async generator

    async def list_prefix(self, prefix: str) -> AsyncIterator[str]:
        """Raises :class:`~anyzarr.errors.UnsupportedOperationError` when iterated."""
        self._no_listing()
        yield ""  # pragma: no cover

    async def list_dir(self, prefix: str) -> AsyncIterator[str]:
        """Raises :class:`~anyzarr.errors.UnsupportedOperationError` when iterated."""
        self._no_listing()
        yield ""  # pragma: no cover

    async def is_empty(self, prefix: str = "") -> bool:
        """Raises :class:`~anyzarr.errors.UnsupportedOperationError`: it needs listing."""
        self._no_listing()

    async def getsize_prefix(self, prefix: str) -> int:
        """Raises :class:`~anyzarr.errors.UnsupportedOperationError`: it needs listing."""
        self._no_listing()
