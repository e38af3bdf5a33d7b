"""The only place that performs I/O: send one request, read the whole body.

httpx exceptions become ours here, each recording whether the request could have reached
the server: only a request that certainly did not (no connection was ever made) is safe to
repeat when it is a write.
"""

from __future__ import annotations

import logging
import time

import httpx

from .errors import APIConnectionError, APITimeoutError, ClientClosedError

__all__ = ["send_once"]

logger = logging.getLogger("shopsocially_async")

# Failures that happen before a single byte of the request left this process.
_NOT_SENT: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
)


async def send_once(
    http: httpx.AsyncClient,
    request: httpx.Request,
    *,
    auth: httpx.Auth | None,
    attempt: int,
    direct: httpx.AsyncBaseTransport | None = None,
) -> httpx.Response:
    """Send ``request`` and read its body; map every transport failure to our errors.

    ``direct`` is a transport that reads whole bodies itself (the aiohttp one, on a client
    we own, with no auth hook): sending straight through it skips ``AsyncClient.send``'s
    cookie, auth and redirect layers (none of which such a client uses), about 100 us of CPU.
    """
    started = time.perf_counter()
    try:
        if direct is not None:
            response = await direct.handle_async_request(request)
        elif auth:
            response = await http.send(request, auth=auth)
        else:
            response = await http.send(request)
    except httpx.TransportError as exc:
        _log_exchange(request, type(exc).__name__, started, attempt)
        raise _connection_error(exc, request) from exc
    except RuntimeError as exc:
        if http.is_closed:
            raise ClientClosedError("the client's connection pool is closed") from exc
        raise
    _log_exchange(request, response.status_code, started, attempt)
    return response


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


def _connection_error(exc: httpx.TransportError, request: httpx.Request) -> APIConnectionError:
    sent = not isinstance(exc, _NOT_SENT)
    kind = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    where = f"{request.method} {request.url.path}"
    detail = str(exc) or type(exc).__name__
    return kind(f"{where} failed: {detail}", request=request, request_sent=sent)
