"""What an attempt's failures become: the public errors, with nothing secret in them.

:func:`send_error` maps an engine's :class:`~.engines.SendFailure`, :func:`body_error` a body
that cannot be read, and :func:`decoded` decodes a success's data so that a misfit value a
server echoed a secret into is quoted redacted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import anyio

from ._body import BodyError
from ._http import Request
from ._redact import redact_document, redact_text, secrets_of
from .engines import SendFailure
from .errors import APIConnectionError, APITimeoutError, ClientClosedError, ResponseValidationError

__all__ = ["body_error", "decoded", "in_time", "send_error"]

T = TypeVar("T")


def send_error(failure: SendFailure, request: Request) -> Exception:
    """The public error for an exchange that failed, its text scrubbed of secrets."""
    detail = redact_text(failure.detail, secrets_of(request))
    where = request.route
    if failure.closed:
        return ClientClosedError(
            f"{where}: the client was closed ({detail})", request_sent=failure.sent
        )
    kind = APITimeoutError if failure.timed_out else APIConnectionError
    return kind(f"{where} failed: {detail}", request=request.info(), request_sent=failure.sent)


def decoded(data: Any, decode: Callable[[Any], T], request: Request) -> T:
    """``decode(data)``; if the data does not fit, decode it again with every secret the server
    echoed redacted first. The error quotes the misfit value shortened, so redacting the
    error's text afterwards could leave part of a key in it."""
    try:
        return decode(data)
    except ResponseValidationError:
        secrets = secrets_of(request)
        if not secrets:
            raise
    return decode(redact_document(data, secrets))


def body_error(exc: BodyError, request: Request) -> ResponseValidationError:
    """A body its ``Content-Encoding`` cannot decode, or over the size limit."""
    return ResponseValidationError(
        f"{request.route}: the response body cannot be read: {exc}", path="$"
    )


@contextlib.contextmanager
def in_time(ends_at: float | None, request: Request, waiting: str) -> Iterator[None]:
    """Bound a wait before sending (the rate limiter, the auth hook) by the call's deadline:
    when it passes, :class:`APITimeoutError` with ``request_sent=False`` (nothing left)."""
    if ends_at is None:
        yield
        return
    with anyio.move_on_after(max(ends_at - anyio.current_time(), 0.0)) as scope:
        yield
    if scope.cancelled_caught:
        raise APITimeoutError(
            f"{request.route}: the call's deadline passed while waiting {waiting}",
            request=request.info(),
            request_sent=False,
        )
