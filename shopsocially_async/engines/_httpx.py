"""The httpx engine (the default): sends through an ``httpx.AsyncClient``, ours or the caller's.

Sending through ``AsyncClient.send`` keeps ``respx``, ``httpx.MockTransport``, event hooks,
proxies and ``httpx.Auth`` flows working. Redirects are never followed, even on a borrowed
client built with ``follow_redirects=True``: a redirect would carry the API key to another
host.

**Cancellation.** httpcore's pool (1.0.9) is damaged by a cancellation at the wrong
moment: after the pool assigned a request a new connection but before it started connecting
(encode/httpcore#1093: the slot leaks for good), between a connection opening and its state
lock, or (on asyncio, where a task's native cancellation ignores httpcore's anyio shields)
during its own clean-up. Enough of them and every request fails with ``PoolTimeout``. So a
caller's cancellation (or our deadline) never interrupts httpx directly: each exchange runs in
a background task of its own, and the caller only waits for it. When the caller stops
waiting, the exchange is stopped only where httpcore cleans up after itself: once it is
writing the request (or later), by cancelling its anyio cancel scope (which respects
httpcore's shields); before that, at its next stop point, by raising from httpx's ``trace``
callback (a documented extension) as a connection starts to open or the request headers are
about to be written. The exchange keeps its pool slot until it is over, so no other request
ever queues inside httpcore. This applies where httpcore's pool may be underneath: the
default transport, an ``httpx.AsyncHTTPTransport`` of the caller's, and a borrowed
``http_client`` (whose transport we cannot see; if it emits no trace events, an abandoned
exchange finishes in the background). Any other transport object (a mock, an ASGI app) is
awaited directly. On a pool we own, :meth:`HttpxEngine.aclose` stops everything at once: the
pool is being closed anyway.

The engine's slots (see :mod:`._base`) keep requests on a pool we own from ever queueing
inside httpcore, and no pool timeout is set (a ``PoolTimeout`` raised after the pool
assigned a new connection is the same leak).

**What "sent" means here.** An exchange counts as possibly sent from the moment it starts;
trace events refine that: while a new connection is being opened nothing has been written
(``connection.*`` events), and ``send_request_headers.started`` marks the first byte.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx

from .._body import BodyTooLarge, decode_body, read_body
from .._http import Headers, Request
from .._tasks import spawn
from ._base import (
    BaseEngine,
    Progress,
    Response,
    SendFailure,
    Slot,
    Timeouts,
    check_head,
)

__all__ = ["HttpxEngine"]

# Failures that happen before a single byte of the request left this process.
_NOT_SENT: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
)


@functools.lru_cache(maxsize=1024)
def _parse_url(url: str) -> tuple[httpx.URL, tuple[str, str]]:
    """The ``httpx.URL`` and the ``Host`` header for ``url``.

    Parsing a URL is a large part of building an httpx.Request, and clients call the same
    few URLs over and over (every award is POST /award); httpx.URL is immutable, so sharing
    is safe.
    """
    parsed = httpx.URL(url)
    return parsed, ("host", parsed.netloc.decode("ascii"))


class _Aborted(Exception):
    """Raised from the trace callback to stop an abandoned exchange before it writes."""


#: The trace events an abandoned exchange may be stopped at by raising from the callback:
#: nothing is connected or written yet, and httpcore cleans up after the exception (the
#: connection is marked failed, or closed under its own lock).
_STOP_POINTS = frozenset(
    {
        "connection.connect_tcp.started",
        "connection.connect_unix_socket.started",
        "http11.send_request_headers.started",
        "http2.send_request_headers.started",
    }
)


class _Exchange:
    """One request/response run in the background; the caller awaits :meth:`result`.

    It holds the pool slot until it is over, whether its caller still waits or not, so that
    an abandoned exchange never lets another request queue inside httpcore.
    """

    def __init__(
        self,
        engine: HttpxEngine,
        request: httpx.Request,
        limit: int,
        progress: Progress,
        slot: Slot,
    ) -> None:
        self._engine = engine
        self._request = request
        self._limit = limit
        self.progress = progress
        self._release = slot.keep()
        self._done = anyio.Event()
        self._response: Response | None = None
        self._error: Exception | None = None
        #: Headers are being written (or later): httpcore is inside its own clean-up's reach,
        #: so cancelling (an anyio cancel scope, which respects its shields) is safe.
        self._writing = False
        self._abandoned = False
        request.extensions["trace"] = self._trace
        self._cancel = spawn(self._run)

    async def _run(self) -> None:
        try:
            if self._abandoned:
                return  # the caller gave up before it began: nothing sent
            self.progress.sent = True  # until a trace event says otherwise
            self._response = await self._engine._round_trip(
                self._request, self._limit, self.progress
            )
        except Exception as exc:  # handed to the caller, if it still waits
            self._error = exc
        finally:
            self._release()
            self._done.set()

    async def _trace(self, event: str, info: dict[str, Any]) -> None:
        if self._abandoned and event in _STOP_POINTS:
            raise _Aborted("the caller stopped waiting")  # nothing connected or written yet
        if event.startswith("connection."):
            self.progress.sent = False  # opening a new connection: nothing written yet
        elif event.endswith("send_request_headers.started"):
            self.progress.sent = self._writing = True

    async def result(self) -> Response:
        await self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._response is not None
        return self._response

    def abandon(self, *, at_once: bool) -> None:
        """The caller stopped waiting: stop now if that is safe (or forced: the pool is being
        closed), else at the next stop point, before anything is connected or written."""
        self._abandoned = True
        if at_once or self._writing:
            self._cancel()


class HttpxEngine(BaseEngine):
    """Sends through an ``httpx.AsyncClient`` (see the module docs)."""

    name = "httpx"

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        owned: bool,
        max_connections: int | None,
        auth: httpx.Auth | None = None,
        pooled: bool = True,
    ) -> None:
        super().__init__(max_connections=max_connections)
        self._client = client
        self._owned = owned
        self._auth: Any = auth if auth is not None else httpx.USE_CLIENT_DEFAULT
        #: Whether the transport may be httpcore's pool (the default one, or a borrowed
        #: client's, which we cannot see): then exchanges run in the background. A mock, an
        #: ASGI app or another transport object of the caller's is simply awaited, so a
        #: cancellation reaches it as usual.
        self._pooled = pooled

    async def _exchange(
        self,
        request: Request,
        timeouts: Timeouts,
        max_body_bytes: int,
        progress: Progress,
        slot: Slot,
    ) -> Response:
        if not self._pooled:
            progress.sent = True  # no trace events to say otherwise
            return await self._round_trip(_to_httpx(request, timeouts), max_body_bytes, progress)
        exchange = _Exchange(self, _to_httpx(request, timeouts), max_body_bytes, progress, slot)
        try:
            return await exchange.result()
        except BaseException:  # our deadline, aclose(), or the caller's own cancellation
            exchange.abandon(at_once=self._closed and self._owned)
            raise

    async def _round_trip(self, request: httpx.Request, limit: int, progress: Progress) -> Response:
        try:
            response = await self._client.send(
                request, stream=True, auth=self._auth, follow_redirects=False
            )
            try:
                body = await _read(response, limit)
            finally:
                await response.aclose()
        except httpx.TransportError as exc:
            raise SendFailure(
                str(exc) or type(exc).__name__,
                sent=progress.sent and not isinstance(exc, _NOT_SENT),
                timed_out=isinstance(exc, httpx.TimeoutException),
            ) from None
        except RuntimeError:
            if not self._client.is_closed:
                raise
            raise SendFailure(
                "the borrowed http_client is closed", sent=False, closed=True
            ) from None
        pairs = tuple(response.headers.multi_items())
        check_head(pairs)  # h11 accepts fields of up to 100 KiB, and more framings
        return Response(response.status_code, Headers(pairs), body)

    async def _close_pool(self) -> None:
        if self._owned:
            await self._client.aclose()


async def _read(response: httpx.Response, limit: int) -> bytes:
    """The decoded body: read raw and decoded by ``_body`` like on every engine, unless the
    response was built in memory (a mock's), which httpx has decoded already.

    A declared length is checked first and a body within it read to its end before decoding:
    stopping httpx's stream half-way leaves its chain of async generators unfinished, which
    trio reports as a ResourceWarning for each. Only a body of undeclared length streams
    through the decoder, which stops at the limit.
    """
    if response.is_stream_consumed:
        body = response.content
        if len(body) > limit:
            raise BodyTooLarge(limit)
        return body
    encoding = response.headers.get("content-encoding")
    length = _declared_length(response.headers)
    if length is None:
        return await read_body(response.aiter_raw(), encoding, limit)
    if length > limit:
        raise BodyTooLarge(limit)
    raw = b"".join([chunk async for chunk in response.aiter_raw()])
    return decode_body(raw, encoding, limit)


def _declared_length(headers: httpx.Headers) -> int | None:
    """The ``Content-Length``, when it alone frames the body (h11 has checked it)."""
    length = headers.get("content-length", "")
    if "transfer-encoding" in headers or not (length.isascii() and length.isdigit()):
        return None
    return int(length)


class _Body(httpx.AsyncByteStream):
    """A request body httpx can stop reading half-way without leaving an async generator
    unfinished (httpx's own ``ByteStream`` is one: trio warns when a failed send abandons it).
    """

    def __init__(self, body: bytes) -> None:
        self._body = body

    def __aiter__(self) -> AsyncIterator[bytes]:
        return _Once(self._body)


class _Once:
    """An async iterator yielding ``chunk`` once (nothing for an empty body)."""

    def __init__(self, chunk: bytes) -> None:
        self._chunk: bytes | None = chunk or None

    def __aiter__(self) -> _Once:
        return self

    async def __anext__(self) -> bytes:
        chunk, self._chunk = self._chunk, None
        if chunk is None:
            raise StopAsyncIteration
        return chunk


def _to_httpx(request: Request, timeouts: Timeouts) -> httpx.Request:
    """The ``httpx.Request`` for ``request``; our deadline is the real bound, httpx's own
    timeouts only back it up."""
    total = timeouts.total
    url, host = _parse_url(request.url)
    # A request built from a stream gets no Host or Content-Length from httpx: add them.
    headers = (host, *request.headers)
    if request.body is not None:
        headers += (("content-length", str(len(request.body))),)
    return httpx.Request(
        request.method,
        url,
        headers=headers,
        stream=_Body(request.body or b""),
        # No pool timeout: a PoolTimeout raised after httpcore assigned a new connection is
        # encode/httpcore#1093 again. Our own slots keep a pool we own from queueing.
        extensions={
            "timeout": {"connect": timeouts.connect, "read": total, "write": total, "pool": None}
        },
    )
