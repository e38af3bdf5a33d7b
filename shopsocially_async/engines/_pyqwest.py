"""The pyqwest engine (asyncio and trio; the ``pyqwest`` extra): reqwest and hyper in Rust,
the fast engine under trio (``benchmarks/``, section 1).

**What goes on the wire.** The transport sends exactly what the protocol built: HTTP/1.1 only
(the table below was verified on it), no decompression (the body is decoded by
:mod:`.._body`, like on every engine), no redirects, no cookies, no OpenTelemetry (which
would add a ``traceparent`` header). pyqwest adds ``Host`` and ``Content-Length`` and, only to
a request without one, ``Accept: */*`` (ours always has one); header names go out in lower
case, the path and query byte for byte, except that ``.``/``..`` segments are resolved (also
percent-encoded, as WHATWG URLs are): identifiers are never one (refused before sending).
``tests/integration/test_wire.py`` compares the bytes with the other engines'. TLS trusts the
system's certificate store.

**The body is read in chunks**, so ``max_response_bytes`` bounds the memory a hostile server
can make us hold; with a ``Content-Length`` the read stops at that length. pyqwest's buffered
``Client.execute`` reads a whole body in Rust in one step, a thread hand-off fewer per
response (about 1.6x the requests per second under trio), but with no size limit at all.

**Pool.** reqwest opens a connection for each waiting request; the engine's slots (see
:mod:`._base`) keep at most ``max_connections`` exchanges in flight, and as many idle
connections are kept for ``keepalive_expiry`` seconds. An idle connection the server closed
is not used again.

**Cancellation** (our deadline, ``aclose()`` or the caller's) aborts the request inside
reqwest at any await, under asyncio and trio alike: a connection in the middle of an exchange
is closed, never reused; a request cancelled while its connection was being opened never
reaches the server. The interpreter exits cleanly with requests in flight or the engine
never closed (16 runs of each, asyncio and trio).

**fork()** copies none of the Rust runtime's threads: in a child of a process that ran
pyqwest requests, every request would wait for its deadline. Building the engine or sending
there raises :class:`~..errors.ConfigurationError` instead (a client built before the fork
but not used works).

**What "sent" means here.** pyqwest does not say when a request starts to leave, so an
exchange counts as possibly sent from the moment it is handed over; only a failure while
connecting says otherwise. The connect timeout is the client's ``Timeout.connect``, fixed
when the engine is built (a ``with_options()`` copy's own connect limit is only bounded by
its attempt deadline, then reported as possibly sent). Verified over loopback, asyncio and
trio:

=============================================  ===================================  ========
what happened                                  pyqwest raises                       sent
=============================================  ===================================  ========
connection refused, DNS or TLS failure         ``ConnectionError`` ("Connect")      no
no connection within the connect timeout       ``pyqwest.ConnectTimeout``           no
accepted, closed before reading the request    ``RemoteProtocolError``, or          maybe
                                               ``WriteError`` (a reset), by timing
request read, then FIN                         ``RemoteProtocolError``              maybe
request read, then RST                         ``WriteError``                       maybe
kept-alive connection closed while idle        none: a new connection is used       --
kept-alive connection dropped after the        ``RemoteProtocolError`` (FIN) or     maybe
request was written                            ``WriteError`` (RST)
no answer within the attempt's deadline        none: our deadline                   maybe
any other ``ReadError``, ``TimeoutError``,     as named                             maybe
``RuntimeError`` from the transport
=============================================  ===================================  ========

Why not pyreqwest (1.4x raw aiohttp's requests per second here): it raises the same
``ConnectError`` for a refused connection and for one dropped after the request was written
(only the text of its causes differs), so a write's outcome could not be told reliably. Like
rnet, it does not run under trio ("no running event loop").
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pyqwest

from .._body import read_body
from .._http import Headers, Request
from ..errors import ConfigurationError
from ._base import BaseEngine, Progress, Response, SendFailure, Slot, Timeouts, check_head

__all__ = ["PyqwestEngine"]

# Raised before the request was handed to a connection. Only the exact class counts:
# pyqwest raises the builtin ConnectionError only for reqwest's connect errors.
_NOT_SENT_TYPES: tuple[type[BaseException], ...] = (ConnectionError, pyqwest.ConnectTimeout)
_FAILURES: tuple[type[BaseException], ...] = (
    OSError,  # ConnectionError, ConnectTimeout, TimeoutError
    pyqwest.RemoteProtocolError,
    pyqwest.ReadError,
    pyqwest.WriteError,
    pyqwest.TooManyRedirects,
    RuntimeError,  # reqwest errors pyqwest does not classify
)
#: The process in which our requests started pyqwest's Rust runtime (its worker threads).
_runtime_pid: list[int] = []


def _check_not_forked() -> None:
    """fork() copies none of the runtime's threads: in a child of a process that ran pyqwest,
    a request would wait for its deadline, every time. Say so instead."""
    if _runtime_pid and _runtime_pid[0] != os.getpid():
        raise ConfigurationError(
            "transport='pyqwest' cannot run in a process forked after pyqwest ran in its "
            "parent (fork() does not copy its Rust runtime's threads): start worker processes "
            "with the 'spawn' or 'forkserver' method, or use transport='httpx' or 'aiohttp' in "
            "them"
        )


class PyqwestEngine(BaseEngine):
    """Sends through one ``pyqwest.HTTPTransport`` (reqwest's pool)."""

    name = "pyqwest"

    def __init__(
        self, *, max_connections: int, keepalive_expiry: float, connect_timeout: float
    ) -> None:
        super().__init__(max_connections=max_connections)
        _check_not_forked()
        self._transport = pyqwest.HTTPTransport(
            tls_include_system_certs=True,
            http_version=pyqwest.HTTPVersion.HTTP1,
            connect_timeout=connect_timeout,
            pool_idle_timeout=keepalive_expiry,
            pool_max_idle_per_host=max_connections,
            enable_gzip=False,  # decoded by _body, as on every engine
            enable_brotli=False,
            enable_zstd=False,
            enable_cookie_store=False,
            follow_redirects=False,
            enable_otel=False,
        )

    async def _exchange(
        self,
        request: Request,
        timeouts: Timeouts,
        max_body_bytes: int,
        progress: Progress,
        slot: Slot,
    ) -> Response:
        _check_not_forked()
        if not _runtime_pid:
            _runtime_pid.append(os.getpid())
        outgoing = pyqwest.Request(
            request.method,
            request.url,
            headers=pyqwest.Headers(request.headers),
            content=request.body,
        )
        # The request runs from the moment it is handed over, awaited or not.
        progress.sent = True
        try:
            response = await self._transport.execute(outgoing)
            pairs = tuple(response.headers.items())
            check_head(pairs)  # hyper accepts longer fields and other framings
            headers = Headers(pairs)
            body = await read_body(
                _Content(response, headers), headers.get("content-encoding"), max_body_bytes
            )
        except _FAILURES as exc:
            raise _failure(exc) from None
        return Response(response.status, headers, body)

    async def _close_pool(self) -> None:
        await self._transport.aclose()


class _Content:
    """The raw body's chunks as ``bytes``; with a ``Content-Length`` (and no
    ``Transfer-Encoding``, which would override it), reading stops at the declared length
    instead of waiting one more round trip for the end of the stream."""

    def __init__(self, response: pyqwest.Response, headers: Headers) -> None:
        self._chunks: AsyncIterator[bytes | memoryview | bytearray] = response.content
        length = headers.get("content-length", "")
        declared = length.isascii() and length.isdigit() and "transfer-encoding" not in headers
        self._left = int(length) if declared else None

    def __aiter__(self) -> _Content:
        return self

    async def __anext__(self) -> bytes:
        if self._left is not None and self._left <= 0:
            raise StopAsyncIteration
        chunk = bytes(await self._chunks.__anext__())
        if self._left is not None:
            self._left -= len(chunk)
        return chunk


def _failure(exc: BaseException) -> SendFailure:
    return SendFailure(
        str(exc) or type(exc).__name__,
        sent=type(exc) not in _NOT_SENT_TYPES,
        timed_out=isinstance(exc, TimeoutError),
    )
