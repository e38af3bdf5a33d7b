"""The only place that performs I/O: send one request, read the whole body.

httpx exceptions become ours here, each recording whether the request could have reached
the server: only a request that certainly did not (no connection was ever made) is safe to
repeat when it is a write.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import httpx

from ._protocol import WireRequest
from .errors import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    ResponseValidationError,
)

if TYPE_CHECKING:
    from ._aiohttp import AiohttpTransport

__all__ = ["Exchange", "send_direct", "send_once", "to_response"]

logger = logging.getLogger("shopsocially_async")

# Failures that happen before a single byte of the request left this process.
_NOT_SENT: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
)


class Exchange(NamedTuple):
    """A whole response as aiohttp read it."""

    status: int
    raw_headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    reason: str | None


def to_response(exchange: Exchange, request: httpx.Request) -> httpx.Response:
    """The ``httpx.Response`` httpx's own transport would have returned.

    A body its ``Content-Encoding`` cannot decode raises :class:`ResponseValidationError`,
    as :func:`send_once` does for the same body.
    """
    extensions: dict[str, Any] = {"http_version": b"HTTP/1.1"}
    if exchange.reason:
        extensions["reason_phrase"] = exchange.reason.encode("ascii", "replace")
    try:
        return httpx.Response(
            exchange.status,
            headers=exchange.raw_headers,
            content=exchange.body,
            request=request,
            extensions=extensions,
        )
    except httpx.DecodingError as exc:
        raise _undecodable_body(exc, request, exchange.status) from exc


async def send_once(
    http: httpx.AsyncClient,
    request: httpx.Request,
    *,
    auth: httpx.Auth | None,
    attempt: int,
) -> httpx.Response:
    """Send ``request`` and read its body; map every transport failure to our errors."""
    started = time.perf_counter()
    try:
        if auth:
            response = await http.send(request, auth=auth)
        else:
            response = await http.send(request)
    except httpx.TransportError as exc:
        _log_exchange(request, type(exc).__name__, started, attempt)
        raise _connection_error(exc, request) from exc
    except httpx.DecodingError as exc:
        # A whole response arrived (a write may have applied) but its body cannot be read.
        _log_exchange(request, type(exc).__name__, started, attempt)
        raise _undecodable_body(exc, request, None) from exc
    except RuntimeError as exc:
        if http.is_closed:
            raise ClientClosedError("the client's connection pool is closed") from exc
        raise
    _log_exchange(request, response.status_code, started, attempt)
    return response


async def send_direct(
    http: httpx.AsyncClient,
    transport: AiohttpTransport,
    wire: WireRequest,
    request: Callable[[], httpx.Request],
    *,
    timeout: httpx.Timeout,
    attempt: int,
) -> Exchange:
    """:func:`send_once` straight through our aiohttp transport, without httpx objects.

    Used on a client we built with ``transport="aiohttp"`` and no auth hook: it skips
    ``AsyncClient.send``'s cookie, auth and redirect layers (none of which such a client uses).
    Sends what ``request()`` would (``wire``, from :func:`~._protocol.wire_request`) and
    returns the raw exchange; ``request()`` builds the ``httpx.Request`` (memoized by the
    caller) only when an error or a DEBUG log line needs it. Errors, logs and the closed-client
    check are those of :func:`send_once`.
    """
    started = time.perf_counter()
    limits = transport.timeout_for(timeout.connect, timeout.read, timeout.pool)
    try:
        exchange = await transport.exchange(
            wire.method, wire.url, wire.headers, wire.content, limits, request
        )
    except httpx.TransportError as exc:
        _log_exchange(request(), type(exc).__name__, started, attempt)
        raise _connection_error(exc, request()) from exc
    except RuntimeError as exc:
        if http.is_closed:
            raise ClientClosedError("the client's connection pool is closed") from exc
        raise
    if logger.isEnabledFor(logging.DEBUG):
        _log_exchange(request(), exchange.status, started, attempt)
    return exchange


def _log_exchange(request: httpx.Request, outcome: object, started: float, attempt: int) -> None:
    """One DEBUG line per attempt: method, path (no query: it may hold emails), outcome."""
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "%s %s -> %s in %.1f ms (attempt %d)",
            request.method,
            request.url.path,
            outcome,
            (time.perf_counter() - started) * 1000,
            attempt,
        )


def _undecodable_body(
    exc: httpx.DecodingError, request: httpx.Request, status: int | None
) -> ResponseValidationError:
    answer = "the response" if status is None else f"the HTTP {status} response"
    return ResponseValidationError(
        f"{request.method} {request.url.path}: {answer} body cannot be decoded "
        f"per its Content-Encoding ({exc})",
        path="$",
    )


def _connection_error(exc: httpx.TransportError, request: httpx.Request) -> APIConnectionError:
    sent = not isinstance(exc, _NOT_SENT)
    kind = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    where = f"{request.method} {request.url.path}"
    detail = str(exc) or type(exc).__name__
    return kind(f"{where} failed: {detail}", request=request, request_sent=sent)
