"""One call, observed: what hooks and raw responses need to know about it.

The client makes a :class:`CallRecord` only for a call that hooks watch or that returns a raw
response; a plain call on a client without hooks makes none and pays nothing. The record

- wraps the call (:meth:`CallRecord.watch`: ``before_call`` / ``after_call``) and each attempt
  (:meth:`CallRecord.observed`: ``before_attempt`` / ``after_attempt``), and turns the retry
  loop's :class:`~._config.RetryEvent` into ``on_retry``;
- keeps the last attempt's request and response (:meth:`CallRecord.received`), from which
  :meth:`CallRecord.raw_response` builds a :class:`~._raw.RawResponse`.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar
from urllib.parse import urlsplit

from ._config import RetryEvent
from ._hooks import AttemptInfo, AttemptResult, CallInfo, CallResult, HookSet, RetryInfo, run_hooks
from ._http import Request
from ._protocol import Call
from ._raw import RawResponse, raw_response
from ._retry import may_have_applied
from .engines import Response
from .errors import APIError, ResponseValidationError, ShopSociallyError

__all__ = ["CallRecord", "Server"]

T = TypeVar("T")


class Server:
    """Where a client's calls go, for :class:`~._hooks.CallInfo`: parsed once per client."""

    __slots__ = ("base_path", "host", "port")

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or ""
        self.port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
        self.base_path = parts.path


class CallRecord:
    """What one call went through, for its hooks (if any) and its raw response (if asked)."""

    __slots__ = ("attempts", "call", "hooks", "info", "request", "response", "started")

    def __init__(self, call: Call, hooks: HookSet | None, server: Server, *, paths: bool) -> None:
        self.call = call
        self.hooks = hooks
        self.info = None if hooks is None else _call_info(call, server, paths=paths)
        self.attempts = 0
        self.started = time.perf_counter()
        self.request: Request | None = None
        self.response: Response | None = None

    def received(self, request: Request, response: Response, attempt: int) -> None:
        """An attempt got a whole response (which may still turn out to be a failure)."""
        self.request, self.response, self.attempts = request, response, attempt

    def observed(self, attempt: Callable[[int], Awaitable[T]]) -> Callable[[int], Awaitable[T]]:
        """``attempt`` between ``before_attempt`` and ``after_attempt`` (itself, without hooks)."""
        hooks, info = self.hooks, self.info
        if hooks is None or info is None:
            return attempt

        async def observed_attempt(number: int) -> T:
            self.attempts = number
            if hooks.before_attempt:
                run_hooks(hooks.before_attempt, AttemptInfo(call=info, attempt=number), info.route)
            started = time.perf_counter()
            try:
                result = await attempt(number)
            except BaseException as exc:
                self._attempt_ended(number, started, exc)
                raise
            self._attempt_ended(number, started, None)
            return result

        return observed_attempt

    def _attempt_ended(self, number: int, started: float, exc: BaseException | None) -> None:
        assert self.hooks is not None
        assert self.info is not None
        if not self.hooks.after_attempt:
            return
        outcome = self._outcome(exc, may_have_applied=_may_have_applied(exc))
        elapsed = time.perf_counter() - started
        result = AttemptResult(call=self.info, attempt=number, elapsed=elapsed, **outcome)
        run_hooks(self.hooks.after_attempt, result, self.info.route)

    def retrying(self, event: RetryEvent) -> None:
        """The retry loop is about to sleep, then make attempt ``event.attempt``."""
        if self.hooks is None or self.info is None or not self.hooks.on_retry:
            return
        outcome = self._outcome(event.error, may_have_applied=_may_have_applied(event.error))
        retry = RetryInfo(call=self.info, attempt=event.attempt, delay=event.delay, **outcome)
        run_hooks(self.hooks.on_retry, retry, self.info.route)

    async def watch(self, call: Coroutine[Any, Any, T]) -> T:
        """Await the whole ``call`` between ``before_call`` and ``after_call``."""
        hooks, info = self.hooks, self.info
        if hooks is None or info is None:
            return await call
        try:
            run_hooks(hooks.before_call, info, info.route)
        except BaseException:  # interrupted in the hook: the call never starts
            call.close()
            raise
        try:
            result = await call
        except BaseException as exc:
            self._call_ended(exc)
            raise
        self._call_ended(None)
        return result

    def _call_ended(self, exc: BaseException | None) -> None:
        assert self.hooks is not None
        assert self.info is not None
        if isinstance(exc, ShopSociallyError):
            unknown = exc.outcome_unknown  # stamped by the retry loop: what the caller sees
        else:  # cancelled or interrupted: a write may have been sent once an attempt started
            unknown = exc is not None and self.attempts > 0
        outcome = self._outcome(exc, may_have_applied=unknown)
        elapsed = time.perf_counter() - self.started
        result = CallResult(call=self.info, attempts=self.attempts, elapsed=elapsed, **outcome)
        run_hooks(self.hooks.after_call, result, self.info.route)

    def _outcome(self, exc: BaseException | None, *, may_have_applied: bool) -> dict[str, Any]:
        """The outcome fields of an event: the status and the error, and whether a write may
        have applied (``may_have_applied`` counts only for writes)."""
        if exc is None:
            status = None if self.response is None else self.response.status
            return {"status_code": status}
        return {
            "status_code": _status_of(exc),
            "error": type(exc),
            "error_code": exc.error_code if isinstance(exc, APIError) else None,
            "outcome_unknown": self.call.is_write and may_have_applied,
        }

    def raw_response(self, data: Any, decode: Callable[[Any], T]) -> RawResponse[T]:
        """The call's :class:`~._raw.RawResponse`, once it has succeeded with ``data``."""
        assert self.request is not None
        assert self.response is not None
        return raw_response(
            self.request,
            self.response,
            attempts=self.attempts,
            elapsed=time.perf_counter() - self.started,
            data=data,
            decode=decode,
            is_write=self.call.is_write,
        )


def _call_info(call: Call, server: Server, *, paths: bool) -> CallInfo:
    return CallInfo(
        method=call.method,
        route=call.route,
        host=server.host,
        port=server.port,
        is_write=call.is_write,
        path=server.base_path + call.path if paths else None,
    )


def _may_have_applied(exc: BaseException | None) -> bool:
    """Could the attempt that ended with ``exc`` have been applied? A cancelled one, yes."""
    if isinstance(exc, ShopSociallyError):
        return may_have_applied(exc)
    return exc is not None


def _status_of(exc: BaseException) -> int | None:
    if isinstance(exc, APIError):
        return exc.status_code
    if isinstance(exc, ResponseValidationError) and exc.response is not None:
        return exc.response.status_code
    return None
