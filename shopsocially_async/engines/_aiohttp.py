"""The aiohttp engine (asyncio only; the ``aiohttp`` extra): several times less CPU per request
than httpx's own transport.

The URL goes to aiohttp as already encoded (``yarl.URL(url, encoded=True)``), so yarl neither
re-encodes nor resolves dot segments: the path on the wire is exactly the protocol's. aiohttp's
own decompression, cookies and redirects are off; the body is decoded by :mod:`.._body`, like
on every engine.

Why not ``httpx-aiohttp``: it reports a dropped connection (``ServerDisconnectedError``, the
server closed the connection *after* receiving the request) as ``httpx.ConnectTimeout``, which
says "never sent": an award that may have applied would be retried. Here:

==========================================  ============
aiohttp                                     request sent
==========================================  ============
ClientConnectorError (refused, DNS, TLS)    no
ConnectionTimeoutError (pool or connect)    no
InvalidURL, NonHttpUrlClientError           no
SocketTimeoutError, ServerTimeoutError      maybe
ServerDisconnectedError, ClientPayloadError maybe
ClientResponseError (malformed response)    maybe
any other ClientError / OSError             maybe
==========================================  ============
"""

from __future__ import annotations

import functools
import ssl

import aiohttp
import sniffio
import yarl

from .._body import read_body
from .._http import Headers, Request
from ..errors import ConfigurationError
from ._base import BaseEngine, Progress, Response, SendFailure, Slot, Timeouts, check_head

__all__ = ["AiohttpEngine", "check_asyncio"]

_NOT_SENT: tuple[type[BaseException], ...] = (
    aiohttp.ClientConnectorError,  # includes the proxy and TLS variants
    aiohttp.ConnectionTimeoutError,
    aiohttp.InvalidURL,
    aiohttp.NonHttpUrlClientError,
)
_TIMEOUTS: tuple[type[BaseException], ...] = (
    aiohttp.ConnectionTimeoutError,
    aiohttp.SocketTimeoutError,
    aiohttp.ServerTimeoutError,
)


def check_asyncio(what: str = "transport='aiohttp'") -> None:
    """Refuse to run aiohttp under anything but asyncio (trio has no aiohttp)."""
    try:
        library = sniffio.current_async_library()
    except sniffio.AsyncLibraryNotFoundError:
        return  # not inside an event loop yet: checked again at the first request
    if library != "asyncio":
        raise ConfigurationError(
            f"{what} runs only under asyncio (aiohttp has no {library} support); "
            "use transport='httpx' or transport='pyqwest' under trio"
        )


class AiohttpEngine(BaseEngine):
    """Sends through one ``aiohttp.ClientSession``, opened at the first request."""

    name = "aiohttp"

    def __init__(self, *, max_connections: int, keepalive_expiry: float) -> None:
        super().__init__(max_connections=max_connections)
        check_asyncio()
        self._pool_size = max_connections
        self._keepalive_expiry = keepalive_expiry
        self._session: aiohttp.ClientSession | None = None

    def _open_session(self) -> aiohttp.ClientSession:
        check_asyncio()
        connector = aiohttp.TCPConnector(
            limit=self._pool_size,
            limit_per_host=0,
            keepalive_timeout=self._keepalive_expiry,
            ssl=ssl.create_default_context(),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,  # decoded by _body, as on every engine
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=None),
        )
        return self._session

    async def _exchange(
        self,
        request: Request,
        timeouts: Timeouts,
        max_body_bytes: int,
        progress: Progress,
        slot: Slot,
    ) -> Response:
        session = self._session or self._open_session()
        # A slot is ours, so aiohttp's pool has a connection for us: from here on the request
        # may leave at any moment (aiohttp does not say exactly when).
        progress.sent = True
        try:
            async with session.request(
                request.method,
                yarl.URL(request.url, encoded=True),
                headers=request.headers,
                data=request.body,
                allow_redirects=False,
                timeout=_client_timeout(timeouts),
                compress=None,
            ) as response:
                # Every Content-Encoding field, as the other engines join them.
                encoding = ", ".join(response.headers.getall("Content-Encoding", ()))
                body = await read_body(response.content.iter_any(), encoding, max_body_bytes)
        except (aiohttp.ClientError, OSError) as exc:
            raise _failure(exc) from None
        pairs = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers)
        check_head(pairs)
        headers = Headers(pairs)
        return Response(response.status, headers, body)

    async def _close_pool(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


@functools.lru_cache(maxsize=256)
def _client_timeout(timeouts: Timeouts) -> aiohttp.ClientTimeout:
    """aiohttp's per-operation timeouts; the engine's deadline is the real bound. Connecting
    gives up a little before the deadline would, so a connect that runs out of time says
    "never sent" (aiohttp does not say when a request starts to leave)."""
    connect = min(timeouts.connect, timeouts.total * 0.9)
    return aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=timeouts.total)


def _failure(exc: BaseException) -> SendFailure:
    # A ClientResponseError's text ends with the URL, which may hold a member's email.
    detail = exc.message if isinstance(exc, aiohttp.ClientResponseError) else str(exc)
    return SendFailure(
        detail or type(exc).__name__,
        sent=not isinstance(exc, _NOT_SENT),
        timed_out=isinstance(exc, _TIMEOUTS),
    )
