"""Hooks: functions the client calls around every call and every attempt.

For metrics, logs and tracing (:mod:`shopsocially_async.otel` is built on them)::

    ShopSociallyClient(hooks=Hooks(after_attempt=record, on_retry=count))

What a hook sees, and what it never sees:

- the method, the route template (``"POST /award"``: never an email or an id), the server's
  host and port, whether the call is a write, the attempt's number, and how it ended: the
  HTTP status, the error's class, the API's error code, ``outcome_unknown``, the seconds taken;
- never the API key, a header, a body, a URL or a query. ``CallInfo.path`` (the path with its
  identifiers) is there only when the client was made with ``log_paths=True``, the one switch
  that lets identifiers out of the library (into log lines, hooks and spans).

The rules:

- **Order.** ``before_call``; then, for each attempt, ``before_attempt`` (after the rate
  limiter let it through, just before sending) and ``after_attempt``; ``on_retry`` between a
  failed attempt and the next; ``after_call`` last, always: also when the call fails, is
  cancelled or the client closes. The same :class:`CallInfo` object is passed to every hook of
  one call (as ``.call``): key per-call state on it.
- **Plain functions.** Hooks are called inline, on the event loop running the call (for the
  blocking client: its loop thread). An ``async def`` hook is refused with
  :class:`~.errors.ConfigurationError`: awaiting an observer would let it stretch a call past
  its deadline or hold up cancellation. Hand slow work to a queue or a task of your own.
- **A failing hook changes nothing.** An exception from a hook is logged (ERROR, logger
  ``shopsocially_async.hooks``, with its traceback) and dropped: the call goes on and returns or
  raises exactly what it would have without the hook. A hook can never turn an applied write
  into an error, or hide an ``outcome_unknown``. (Cancellation and ``KeyboardInterrupt`` raised
  in a hook do propagate.)
- **Several sets.** ``hooks=[a, b]``: at each point, ``a``'s function runs, then ``b``'s.
  ``with_options()`` copies share the client's hooks.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import attrs

from .errors import ConfigurationError

__all__ = [
    "AttemptInfo",
    "AttemptResult",
    "CallInfo",
    "CallResult",
    "HookSet",
    "Hooks",
    "RetryInfo",
]

logger = logging.getLogger("shopsocially_async.hooks")

E = TypeVar("E")


@attrs.frozen(kw_only=True, eq=False)
class CallInfo:
    """One call, as its hooks see it; the same object for all of them (hashed by identity).

    ``route`` is the method and the route template, e.g. ``"POST /award"`` or
    ``"GET /users/{user_email}"``; ``path`` is the path with its identifiers, and is None unless
    the client was made with ``log_paths=True``.
    """

    method: str
    route: str
    host: str
    port: int | None
    is_write: bool
    path: str | None = None

    @property
    def template(self) -> str:
        """The route template without the method, e.g. ``"/users/{user_email}"``."""
        return self.route.partition(" ")[2]


@attrs.frozen(kw_only=True)
class AttemptInfo:
    """An attempt about to be sent (``before_attempt``); ``attempt`` is 1 for the first try."""

    call: CallInfo
    attempt: int


@attrs.frozen(kw_only=True)
class _Outcome:
    """How something ended: a response (``status_code``) and/or an error.

    ``error`` is the class of the exception that ended it: a
    :class:`~.errors.ShopSociallyError`, or a cancellation (``asyncio.CancelledError``,
    ``trio.Cancelled``); None on success. ``error_code`` is the API's code
    (``"RATE_LIMIT_EXCEEDED"``...). ``outcome_unknown`` is True when a write may have been
    applied without a definitive answer.
    """

    status_code: int | None = None
    error: type[BaseException] | None = None
    error_code: str | None = None
    outcome_unknown: bool = False

    @property
    def ok(self) -> bool:
        """Did it succeed?"""
        return self.error is None


@attrs.frozen(kw_only=True)
class AttemptResult(_Outcome):
    """How one attempt ended (``after_attempt``), after ``elapsed`` seconds.

    ``outcome_unknown``: this attempt failed in a way that may have applied the write (for the
    call as a whole, see :class:`CallResult`).
    """

    call: CallInfo
    attempt: int
    elapsed: float


@attrs.frozen(kw_only=True)
class RetryInfo(_Outcome):
    """A retry about to happen (``on_retry``): ``attempt`` is the number of the attempt about to
    be made (2 for the first retry), after ``delay`` seconds; the outcome fields say how the
    attempt before it failed."""

    call: CallInfo
    attempt: int
    delay: float


@attrs.frozen(kw_only=True)
class CallResult(_Outcome):
    """How a call ended (``after_call``): after ``attempts`` attempts and ``elapsed`` seconds
    (retries, their waits and the rate limiter's included). ``outcome_unknown`` is the error's
    own: the caller sees the same."""

    call: CallInfo
    attempts: int
    elapsed: float


def _check_hook(name: str, value: object) -> None:
    """None, or a plain (not async) function."""
    if value is None:
        return
    if not callable(value):
        raise ConfigurationError(f"Hooks.{name} must be a function, got {type(value).__name__}")
    # An async function, or an object whose __call__ is one.
    if inspect.iscoroutinefunction(value) or inspect.iscoroutinefunction(type(value).__call__):
        raise ConfigurationError(
            f"Hooks.{name} must be a plain function, not async: hooks run inline in "
            "the call, which must end within its deadline (hand slow work to a queue or a task)"
        )


@attrs.frozen(kw_only=True)
class Hooks:
    """Functions called around every call and attempt; each takes one event, returns nothing.

    >>> hooks = Hooks(after_attempt=lambda a: print(a.call.route, a.status_code, a.elapsed))

    See :mod:`shopsocially_async._hooks` (the README's "Hooks") for when each runs, what it
    sees and what a failing hook does (it is logged, never raised).
    """

    before_call: Callable[[CallInfo], object] | None = None
    before_attempt: Callable[[AttemptInfo], object] | None = None
    after_attempt: Callable[[AttemptResult], object] | None = None
    on_retry: Callable[[RetryInfo], object] | None = None
    after_call: Callable[[CallResult], object] | None = None

    def __attrs_post_init__(self) -> None:
        for field in attrs.fields(Hooks):
            _check_hook(field.name, getattr(self, field.name))


class HookSet:
    """The hooks of one client, per point, in order; calls each with failures contained."""

    __slots__ = ("after_attempt", "after_call", "before_attempt", "before_call", "on_retry")

    def __init__(self, hooks: Sequence[Hooks]) -> None:
        self.before_call = _functions(hooks, "before_call")
        self.before_attempt = _functions(hooks, "before_attempt")
        self.after_attempt = _functions(hooks, "after_attempt")
        self.on_retry = _functions(hooks, "on_retry")
        self.after_call = _functions(hooks, "after_call")

    @classmethod
    def of(cls, hooks: Hooks | Sequence[Hooks] | None) -> HookSet | None:
        """The client's ``hooks=`` argument checked; None when there is nothing to call."""
        if hooks is None:
            return None
        many = [hooks] if isinstance(hooks, Hooks) else hooks
        if not isinstance(many, (list, tuple)) or not all(isinstance(h, Hooks) for h in many):
            raise ConfigurationError(
                f"hooks must be a Hooks or a list of Hooks, got {type(hooks).__name__}"
            )
        found = cls(list(many))
        return found if any(getattr(found, name) for name in cls.__slots__) else None


def _functions(hooks: Sequence[Hooks], point: str) -> tuple[Callable[[Any], object], ...]:
    return tuple(f for f in (getattr(h, point) for h in hooks) if f is not None)


def run_hooks(functions: tuple[Callable[[E], object], ...], event: E, route: str) -> None:
    """Call each function with ``event``; an exception is logged, never raised."""
    for function in functions:
        try:
            result = function(event)
        except Exception:
            logger.exception("a hook (%r) failed during %s; the call goes on", function, route)
            continue
        if result is not None and inspect.iscoroutine(result):
            result.close()  # never awaited: an async hook that slipped past the check
            logger.error(
                "a hook (%r) returned a coroutine during %s; hooks must be plain functions, "
                "it was not run",
                function,
                route,
            )
