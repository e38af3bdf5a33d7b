"""The fast transport: ``httpx.AsyncClient`` on top, aiohttp's connection pool underneath.

Selected with ``ShopSociallyClient(..., transport="aiohttp")`` (the ``aiohttp`` extra).
httpx's own transport spends several times more CPU per request than aiohttp's; keeping
``httpx.AsyncClient`` as the core keeps every other part of the client (requests, auth hooks,
responses, error mapping in :mod:`._transport`) identical on both transports.

Why not ``httpx-aiohttp``: its exception map turns every ``aiohttp.ClientConnectionError``,
including ``ServerDisconnectedError`` (the server dropped the connection *after* receiving
the request), into ``httpx.ConnectTimeout``, which says "never sent": a dropped award would
then be retried and could apply twice. Here every aiohttp failure becomes the httpx exception
httpx's own transport raises for the same event:

==========================================  =========================  ============
aiohttp                                     httpx                      request sent
==========================================  =========================  ============
ClientProxyConnectionError                  ProxyError                 no
ClientConnectorError (refused, DNS, TLS)    ConnectError               no
ConnectionTimeoutError (pool or connect)    ConnectTimeout             no
InvalidURL, NonHttpUrlClientError           UnsupportedProtocol        no
SocketTimeoutError                          ReadTimeout                yes
ServerDisconnectedError, ClientPayloadError RemoteProtocolError        yes
ClientResponseError (malformed response)    RemoteProtocolError        yes
any other ClientOSError / ClientError       ReadError                  yes
==========================================  =========================  ============

Timeouts follow the request's ``httpx.Timeout``: ``connect`` bounds connecting, ``read`` each
socket read, ``pool`` waiting for a free connection (aiohttp has no write timeout). The pool
holds ``limits.max_connections`` connections, kept idle for ``limits.keepalive_expiry``.
Bodies are read whole before the response is returned (the client never streams).

aiohttp runs only under asyncio: under trio the first request raises ConfigurationError.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp
import httpx
import sniffio

from ._config import DEFAULT_KEEPALIVE_EXPIRY
from ._transport import Exchange, to_response
from .errors import ConfigurationError

__all__ = ["AiohttpTransport", "check_asyncio"]

_TIMEOUT_KEYS = ("connect", "read", "pool")

# Most specific first: the first match wins.
_EXCEPTION_MAP: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
    (aiohttp.ClientProxyConnectionError, httpx.ProxyError),
    (aiohttp.ClientConnectorError, httpx.ConnectError),
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
    (aiohttp.SocketTimeoutError, httpx.ReadTimeout),
    (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),
    (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
    (aiohttp.NonHttpUrlClientError, httpx.UnsupportedProtocol),
    (aiohttp.ClientError, httpx.ReadError),
)


_CLOSED = "Cannot send a request, as the client has been closed."


def _task_cancelling() -> bool:
    """Whether the current task itself is being cancelled (unknowable before Python 3.11)."""
    task = asyncio.current_task()
    cancelling = getattr(task, "cancelling", None)
    return bool(cancelling()) if cancelling is not None else False


def check_asyncio(what: str = "transport='aiohttp'") -> None:
    """Refuse to run aiohttp under anything but asyncio (trio has no aiohttp)."""
    try:
        library = sniffio.current_async_library()
    except sniffio.AsyncLibraryNotFoundError:
        return  # not inside an event loop yet: checked again at the first request
    if library != "asyncio":
        raise ConfigurationError(
            f"{what} runs only under asyncio (aiohttp has no {library} support); "
            "use the default transport under trio"
        )


def map_exception(exc: BaseException, request: httpx.Request) -> httpx.TransportError:
    """The httpx exception httpx's own transport raises for the same failure."""
    kind: type[httpx.TransportError] = httpx.ReadError
    for aiohttp_kind, httpx_kind in _EXCEPTION_MAP:
        if isinstance(exc, aiohttp_kind):
            kind = httpx_kind
            break
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        message = "Server disconnected without sending a response."
    return kind(message, request=request)


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncBaseTransport`` sending through one ``aiohttp.ClientSession``."""

    def __init__(self, *, limits: httpx.Limits | None = None) -> None:
        limits = limits or httpx.Limits(keepalive_expiry=DEFAULT_KEEPALIVE_EXPIRY)
        self._max_connections = limits.max_connections or 0  # aiohttp: 0 is unlimited
        # httpx's None means "never expire"; aiohttp needs a number.
        expiry = limits.keepalive_expiry
        self._keepalive_expiry = 3600.0 if expiry is None else expiry
        self._session: aiohttp.ClientSession | None = None
        self._closed = False
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}

    def _open_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError(_CLOSED)
        check_asyncio()
        connector = aiohttp.TCPConnector(
            limit=self._max_connections,
            limit_per_host=0,
            keepalive_timeout=self._keepalive_expiry,
            ssl=httpx.create_ssl_context(),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,  # httpx decodes Content-Encoding itself
            cookie_jar=aiohttp.DummyCookieJar(),  # httpx keeps the cookies
            timeout=aiohttp.ClientTimeout(total=None),
        )
        return self._session

    def _timeout(self, request: httpx.Request) -> aiohttp.ClientTimeout:
        settings: dict[str, float | None] = request.extensions.get("timeout", {})
        return self.timeout_for(*(settings.get(name) for name in _TIMEOUT_KEYS))

    def timeout_for(
        self, connect: float | None, read: float | None, pool: float | None
    ) -> aiohttp.ClientTimeout:
        """The aiohttp timeouts for httpx's ``connect``, ``read`` and ``pool`` (cached)."""
        key = (connect, read, pool)
        timeout = self._timeouts.get(key)
        if timeout is None:
            timeout = self._timeouts[key] = aiohttp.ClientTimeout(
                total=None, connect=pool, sock_connect=connect, sock_read=read
            )
        return timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        data: Any
        try:
            data = request.content or None
        except httpx.RequestNotRead:  # a streamed body: let aiohttp frame it
            data = request.stream
            request.headers.pop("transfer-encoding", None)
        exchange = await self.exchange(
            request.method,
            str(request.url),
            request.headers.multi_items(),
            data,
            self._timeout(request),
            lambda: request,
        )
        return to_response(exchange, request)

    async def exchange(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        data: Any,
        timeout: aiohttp.ClientTimeout,
        request: Callable[[], httpx.Request],
    ) -> Exchange:
        """Send one request and read its whole body; no ``httpx`` objects unless it fails.

        ``request`` builds the ``httpx.Request`` the mapped exception carries.
        """
        session = self._session or self._open_session()
        try:
            async with session.request(
                method,
                url,
                headers=headers,
                data=data,
                allow_redirects=False,
                timeout=timeout,
                compress=None,
            ) as response:
                body = await response.read()
        except aiohttp.ClientError as exc:
            if self._closed_before_sending(exc):
                raise RuntimeError(_CLOSED) from exc
            raise map_exception(exc, request()) from exc
        except asyncio.CancelledError:
            # aclose() cancels the calls waiting for a pooled connection (never sent): that
            # is our ClientClosedError, not a cancellation of the caller's task.
            if self._closed and not _task_cancelling():
                raise RuntimeError(_CLOSED) from None
            raise
        return Exchange(response.status, response.raw_headers, body, response.reason)

    def _closed_before_sending(self, exc: aiohttp.ClientError) -> bool:
        """aiohttp's "Connector is closed." comes only before a request is written."""
        return (
            self._closed
            and type(exc) is aiohttp.ClientConnectionError
            and str(exc).startswith("Connector is closed")
        )

    async def aclose(self) -> None:
        self._closed = True
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()
