"""When a failed call is tried again, and what the caller is told when it is not.

The policy depends on how safe the call is to repeat (:class:`~._protocol.RetrySafety`):

- IDEMPOTENT (reads, PUTs, awards with ``order_id``): retried on connection errors,
  timeouts, 408, 429, 500, 502, 503 and 504.
- UNSAFE (every other POST): retried only when the request certainly was not processed:
  no connection was ever made (connect error, connect or pool timeout), or the answer was 429.

Backoff is exponential with jitter; a server's ``Retry-After`` replaces it (capped). Sleeping
goes through ``anyio.sleep`` so retries work under asyncio and trio alike.

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
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from ._config import RetryEvent, RetryPolicy
from ._protocol import RetrySafety
from .errors import (
    APIConnectionError,
    APIError,
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
    if isinstance(exc, APIConnectionError):
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
    if isinstance(exc, RateLimitError):
        return True  # a 429 was refused before processing, whatever the call
    if isinstance(exc, APIConnectionError):
        return safety is RetrySafety.IDEMPOTENT or not exc.request_sent
    if safety is RetrySafety.UNSAFE or not isinstance(exc, APIError):
        return False
    if isinstance(exc, DuplicateOrderError):  # definitive, even when a gateway says 5xx
        return False
    return isinstance(exc, ServerError) or exc.status_code in RETRYABLE_STATUSES


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
) -> T:
    """Run ``attempt(1)``, then retry per the policy; errors carry ``outcome_unknown``."""
    try:
        return await attempt(1)
    except ShopSociallyError as exc:
        outcome = _CallOutcome(is_write=is_write)  # only failed calls pay for the bookkeeping
        outcome.record(exc)
        if not (policy.max_retries and is_retryable(exc, safety)):
            outcome.finalize(exc)
            raise
        first_failure = exc
    return await _retry(attempt, first_failure, outcome, policy, safety, route)


async def _retry(
    attempt: Callable[[int], Awaitable[T]],
    first_failure: ShopSociallyError,
    outcome: _CallOutcome,
    policy: RetryPolicy,
    safety: RetrySafety,
    route: str,
) -> T:
    retrying = AsyncRetrying(
        stop=stop_after_attempt(policy.max_retries + 1),
        wait=_Backoff(policy),
        retry=retry_if_exception(lambda exc: is_retryable(exc, safety)),
        sleep=anyio.sleep,
        before_sleep=_before_retry(route, policy),
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


def _before_retry(route: str, policy: RetryPolicy) -> Callable[[RetryCallState], None]:
    """Log the retry about to happen and tell ``policy.on_retry``, if set."""
    max_attempts = policy.max_retries + 1
    on_retry = policy.on_retry

    def log(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        if on_retry is not None and exc is not None:
            on_retry(RetryEvent(route, state.attempt_number + 1, exc, delay))
        if not logger.isEnabledFor(logging.INFO):
            return
        logger.info(
            "retrying %s in %.2f s (attempt %d of %d) after: %s",
            route,
            delay,
            state.attempt_number + 1,
            max_attempts,
            exc,
        )

    return log
