"""When a failed call is tried again, and what the caller is told when it is not.

The policy depends on how safe the call is to repeat (:class:`~._protocol.RetrySafety`):

- IDEMPOTENT (reads, PUTs, awards with ``order_id``): retried on connection errors,
  timeouts, 408, 429, 500, 502, 503 and 504.
- UNSAFE (every other POST): retried only when the request certainly was not processed:
  no connection was ever made (connect error, connect or pool timeout), or the answer's HTTP
  status was 429. Any 5xx, whatever its error code, may have applied.

Backoff is exponential with jitter; a server's ``Retry-After`` replaces it, capped by
``RetryPolicy.max_retry_after``. Sleeping goes through ``anyio.sleep`` so retries work under
asyncio and trio alike. A call's ``deadline`` bounds everything: a retry whose sleep would
end past it is not started (the last error is raised instead).

The first attempt runs outside tenacity: building its retry machinery costs tens of
microseconds per call, which calls that succeed first time (nearly all) need not pay.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
import attrs
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception

from ._config import RetryEvent, RetryPolicy
from ._hooks import run_hooks
from ._protocol import RetrySafety
from .errors import (
    APIConnectionError,
    APIError,
    ClientClosedError,
    DuplicateOrderError,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    ShopSociallyError,
)

__all__ = ["call_with_retries", "is_retryable", "may_have_applied"]

T = TypeVar("T")
logger = logging.getLogger("shopsocially_async")

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def may_have_applied(exc: ShopSociallyError) -> bool:
    """Could the server have processed the attempt that failed with ``exc``?"""
    if isinstance(exc, (APIConnectionError, ClientClosedError)):
        return exc.request_sent
    if isinstance(exc, DuplicateOrderError):
        return False  # a definitive answer: this attempt applied nothing, whatever the status
    if isinstance(exc, ResponseValidationError):
        return True  # the server answered "success" in a shape we could not read
    if isinstance(exc, APIError):
        return isinstance(exc, ServerError) or exc.status_code >= 500
    return False


def is_retryable(exc: BaseException, safety: RetrySafety) -> bool:
    """Is it safe *and* useful to try again after ``exc``?"""
    if isinstance(exc, APIConnectionError):
        return safety is RetrySafety.IDEMPOTENT or not exc.request_sent
    if not isinstance(exc, APIError) or isinstance(exc, DuplicateOrderError):
        return False  # a duplicate is definitive, even when a gateway says 5xx
    if exc.status_code == 429:
        return True  # refused before processing, whatever the call
    if safety is RetrySafety.UNSAFE:
        return False  # any other answer, RATE_LIMIT_EXCEEDED on a 5xx included, may have applied
    return isinstance(exc, (ServerError, RateLimitError)) or exc.status_code in RETRYABLE_STATUSES


@attrs.define
class _CallOutcome:
    """What every attempt of one call has told us about whether it was applied."""

    is_write: bool
    possibly_applied: bool = False

    def record(self, exc: ShopSociallyError) -> None:
        self.possibly_applied = self.possibly_applied or may_have_applied(exc)

    def finalize(self, exc: ShopSociallyError) -> None:
        """Stamp the error that ends the call with what the caller needs to know."""
        if isinstance(exc, DuplicateOrderError):
            # Our own earlier attempt reached the server and was applied: exactly once.
            exc.replay = self.possibly_applied
            exc.outcome_unknown = False
            return
        exc.outcome_unknown = self.is_write and self.possibly_applied


class _Backoff:
    """Exponential backoff with jitter, unless the server said how long to wait."""

    def __init__(self, policy: RetryPolicy) -> None:
        self._policy = policy

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hint = exc.retry_after if isinstance(exc, RateLimitError) else None
        if hint is not None:
            return min(hint, self._policy.max_retry_after)
        return self.exponential(state.attempt_number)

    def exponential(self, failed_attempts: int) -> float:
        """``initial * 2**(n-1)`` plus up to ``initial`` of jitter, capped at ``max_delay``.

        Computed here rather than with tenacity's ``wait_exponential_jitter``, whose
        ``initial`` argument is deprecated in tenacity 9 and absent as ``multiplier`` in 8.
        """
        initial = self._policy.initial_delay
        try:
            delay = initial * 2.0 ** (failed_attempts - 1)
        except OverflowError:  # pragma: no cover - needs thousands of retries
            delay = self._policy.max_delay
        return max(0.0, min(delay + random.uniform(0, initial), self._policy.max_delay))  # noqa: S311


async def call_with_retries(
    attempt: Callable[[int], Awaitable[T]],
    *,
    policy: RetryPolicy,
    safety: RetrySafety,
    is_write: bool,
    route: str,
    deadline: float | None = None,
    on_retry: Callable[[RetryEvent], None] | None = None,
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
) -> T:
    """Run ``attempt(1)``, then retry per the policy until ``deadline`` (an
    ``anyio.current_time()`` value, or None); errors carry ``outcome_unknown``. ``on_retry``
    (the call's hooks) is told of each retry after ``policy.on_retry``; ``sleep`` waits out
    the backoff (the client's ends early, with ClientClosedError, when it is closed)."""
    try:
        return await attempt(1)
    except ShopSociallyError as exc:
        outcome = _CallOutcome(is_write=is_write)  # only failed calls pay for the bookkeeping
        outcome.record(exc)
        if not (policy.max_retries and is_retryable(exc, safety)):
            outcome.finalize(exc)
            raise
        first_failure = exc
    stop = _stop(policy, deadline)
    before_sleep = _before_retry(route, policy, on_retry)
    return await _retry(attempt, first_failure, outcome, policy, safety, before_sleep, stop, sleep)


def _stop(policy: RetryPolicy, deadline: float | None) -> Callable[[RetryCallState], bool]:
    """Stop after ``max_retries`` retries, or when the next sleep would end past ``deadline``."""
    max_attempts = policy.max_retries + 1

    def stop(state: RetryCallState) -> bool:
        if state.attempt_number >= max_attempts:
            return True
        sleep = state.upcoming_sleep or 0.0
        return deadline is not None and anyio.current_time() + sleep >= deadline

    return stop


async def _retry(
    attempt: Callable[[int], Awaitable[T]],
    first_failure: ShopSociallyError,
    outcome: _CallOutcome,
    policy: RetryPolicy,
    safety: RetrySafety,
    before_sleep: Callable[[RetryCallState], None],
    stop: Callable[[RetryCallState], bool],
    sleep: Callable[[float], Awaitable[None]],
) -> T:
    retrying = AsyncRetrying(
        stop=stop,
        wait=_Backoff(policy),
        retry=retry_if_exception(lambda exc: is_retryable(exc, safety)),
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        async for retry_attempt in retrying:
            with retry_attempt:
                number = retry_attempt.retry_state.attempt_number
                if number == 1:
                    # Attempt 1 already failed outside tenacity; replaying its error lets
                    # tenacity compute the first delay from it (Retry-After included).
                    raise first_failure
                try:
                    return await attempt(number)
                except ShopSociallyError as exc:
                    outcome.record(exc)
                    raise
    except ShopSociallyError as exc:
        outcome.finalize(exc)
        raise
    raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover


def _reason(exc: BaseException | None) -> str:
    """Why an attempt failed, for the log: its class, status and error code, never its
    message (a server may echo a member's email there)."""
    if isinstance(exc, APIError):
        code = f" {exc.error_code}" if exc.error_code else ""
        return f"{type(exc).__name__} (HTTP {exc.status_code}{code})"
    if isinstance(exc, APIConnectionError):
        return f"{type(exc).__name__} (request_sent={exc.request_sent})"
    return type(exc).__name__


def _before_retry(
    route: str, policy: RetryPolicy, on_retry: Callable[[RetryEvent], None] | None
) -> Callable[[RetryCallState], None]:
    """Log the retry about to happen and tell ``policy.on_retry`` and ``on_retry``, if set
    (an exception from either is logged, as a hook's, never raised)."""
    max_attempts = policy.max_retries + 1
    listeners = tuple(f for f in (policy.on_retry, on_retry) if f is not None)

    def log(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        if listeners and exc is not None:
            run_hooks(listeners, RetryEvent(route, state.attempt_number + 1, exc, delay), route)
        if not logger.isEnabledFor(logging.INFO):
            return
        logger.info(
            "retrying %s in %.2f s (attempt %d of %d) after: %s",
            route,
            delay,
            state.attempt_number + 1,
            max_attempts,
            _reason(exc),
        )

    return log
