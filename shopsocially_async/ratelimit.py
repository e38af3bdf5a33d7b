"""The rate limiter seam: what paces every request a client sends.

A client built with ``ShopSociallyClient(rate_limiter=...)`` awaits
:meth:`RateLimiter.acquire` before every attempt it sends (first tries, retries, every page,
prefetched pages included) and reports every HTTP 429 with :meth:`RateLimiter.rate_limited`,
so one limiter shared by many clients, tasks or processes keeps them all within the
account's limit.

Two implementations: :class:`LocalRateLimiter` paces one process (asyncio or trio);
``shopsocially_async.distributed.RedisRateLimiter`` (the ``redis`` extra) paces every
worker of an account through one schedule kept in Redis. Both are the same algorithm, a
GCRA (generic cell rate algorithm) written as a schedule: each acquire books the next free
send time and sleeps until it; a 429 opens a cooldown that no acquire passes and after which
the schedule restarts empty, so the end of a cooldown is not a burst.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import Protocol, TypeVar, runtime_checkable

import anyio
import attrs

from ._envelope import parse_retry_after
from .errors import (
    APIError,
    ConfigurationError,
    InvalidArgumentError,
    RateLimitError,
    RateLimiterUnavailableError,
)

__all__ = [
    "DEFAULT_COOLDOWN",
    "MAX_COOLDOWN",
    "UNROUTED",
    "LocalRateLimiter",
    "RateLimiter",
    "RateLimiterUnavailableError",
]

T = TypeVar("T")

#: The route acquired by callers that pace whole tasks rather than requests (``bulk``'s
#: ``rate=``); a limiter with limit categories counts it in its default category.
UNROUTED = "*"
#: How long a 429 without a usable ``Retry-After`` holds every request back (seconds).
DEFAULT_COOLDOWN = 1.0
#: The longest cooldown a ``Retry-After`` may open (seconds), whatever the server says.
MAX_COOLDOWN = 60.0


@runtime_checkable
class RateLimiter(Protocol):
    """Paces requests; implementations must work under asyncio and trio (use anyio)."""

    async def acquire(self, route: str) -> None:
        """Return when one more request on ``route`` (e.g. ``"POST /award"``) may be sent.

        Cancellation while waiting must leave the limiter consistent.
        """

    async def rate_limited(self, route: str, retry_after: float | None) -> None:
        """The server answered 429 to a request on ``route``; ``retry_after`` is its hint in
        seconds (None when it gave none). No request should be sent before it has passed."""


def cooldown_seconds(retry_after: float | None, *, default: float, cap: float) -> float:
    """How long a 429 holds requests back: ``retry_after`` when it is a finite number of
    seconds >= 0, else ``default``; never more than ``cap``."""
    if retry_after is None or not math.isfinite(retry_after) or retry_after < 0:
        return min(default, cap)
    return min(retry_after, cap)


def positive_number(value: object, name: str) -> float:
    """``value`` as a float, refused (naming ``name``) unless a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgumentError(f"{name} must be a number, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise InvalidArgumentError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def whole_burst(burst: object) -> int:
    """``burst`` (how many requests may go at once after a pause), refused unless an int >= 1."""
    if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
        raise InvalidArgumentError(f"burst must be a whole number >= 1, got {burst!r}")
    return burst


@attrs.frozen
class _Booking:
    """One booked send time: ``send_at``, and the schedule's value before and after."""

    send_at: float
    start: float
    next_free: float


class LocalRateLimiter:
    """At most ``rate`` requests per second from this process, in bursts of up to ``burst``.

    Waiters pass one at a time, first come first served: each books the next free slot
    (:meth:`reserve`) and sleeps until it. :meth:`rate_limited` opens a cooldown of the
    server's ``Retry-After`` (:data:`DEFAULT_COOLDOWN` without one, capped at ``max_cooldown``)
    that no acquire passes: a waiter whose slot falls inside it books again after it, and the
    schedule restarts empty when it ends (no burst). A waiter cancelled while sleeping gives
    its slot back (it is always the last one booked, since waiters pass one at a time), so
    cancellations leave no gaps. ``route`` is ignored: one limit for the whole account.

    ``clock`` and ``sleep`` default to the event loop's (``anyio.current_time``,
    ``anyio.sleep``); tests pass their own. Use one limiter on one event loop.

    >>> limiter = LocalRateLimiter(rate=2)
    >>> [limiter.reserve(now=0.0) for _ in range(3)]
    [0.0, 0.5, 1.0]
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: int = 1,
        max_cooldown: float = MAX_COOLDOWN,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[object]] | None = None,
    ) -> None:
        self.rate = positive_number(rate, "rate")
        self.burst = whole_burst(burst)
        self.max_cooldown = positive_number(max_cooldown, "max_cooldown")
        self._interval = 1.0 / self.rate
        # How far ahead of the schedule a request may go: what lets ``burst`` through at once.
        self._tolerance = (self.burst - 1) * self._interval
        self._next_free = -math.inf  # the schedule's next free slot (GCRA's "theoretical arrival")
        self._cooldown_until = -math.inf
        self._clock = clock or anyio.current_time
        self._sleep = sleep or anyio.sleep
        self._passing = anyio.Lock()

    def __repr__(self) -> str:
        return f"LocalRateLimiter(rate={self.rate:g}, burst={self.burst})"

    def reserve(self, now: float) -> float:
        """Book the next slot at or after ``now``; return the seconds to wait for it."""
        return self._book(now).send_at - now

    def _book(self, now: float) -> _Booking:
        start = max(self._next_free, now, self._cooldown_until + self._tolerance)
        self._next_free = start + self._interval
        return _Booking(max(now, start - self._tolerance), start, self._next_free)

    async def acquire(self, route: str = UNROUTED) -> None:
        """Wait until one more request may be sent (``route`` is ignored)."""
        async with self._passing:
            while True:
                now = self._clock()
                booking = self._book(now)
                delay = booking.send_at - now
                if delay > 0:
                    await self._sleep_or_give_back(delay, booking)
                if booking.send_at >= self._cooldown_until:
                    return
                # A 429 opened a cooldown while we slept: our slot is inside it; book again.

    async def _sleep_or_give_back(self, delay: float, booking: _Booking) -> None:
        try:
            await self._sleep(delay)
        except BaseException:
            # Cancelled: nobody booked after us (waiters pass one at a time), so unless a
            # cooldown moved the schedule meanwhile, the slot is returned as if never booked.
            if self._next_free == booking.next_free:
                self._next_free = booking.start
            raise

    async def rate_limited(self, route: str, retry_after: float | None) -> None:
        """Hold every request back for ``retry_after`` seconds from now (see the class doc)."""
        seconds = cooldown_seconds(retry_after, default=DEFAULT_COOLDOWN, cap=self.max_cooldown)
        self._cooldown_until = max(self._cooldown_until, self._clock() + seconds)


def check_rate_limiter(value: object) -> RateLimiter | None:
    """``value`` if it is None or a :class:`RateLimiter`; else a ConfigurationError naming it."""
    if value is None or isinstance(value, RateLimiter):
        return value
    hint = (
        f"; for a process-local limit use rate_limiter=LocalRateLimiter({value!r})"
        if isinstance(value, (int, float)) and not isinstance(value, bool)
        else ""
    )
    raise ConfigurationError(
        "rate_limiter must be a RateLimiter (async acquire(route) and rate_limited(route, "
        f"retry_after)), got {type(value).__name__}{hint}"
    )


def _retry_after(exc: APIError) -> float | None:
    """A 429's Retry-After, whatever class its error code picked."""
    if isinstance(exc, RateLimitError):
        return exc.retry_after
    return None if exc.headers is None else parse_retry_after(exc.headers)


def paced(
    limiter: RateLimiter | None,
    route: str,
    attempt: Callable[[int], Awaitable[T]],
    *,
    within: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext,
) -> Callable[[int], Awaitable[T]]:
    """``attempt`` behind ``limiter``: it acquires before sending (inside ``within()``, which
    bounds the wait by the call's deadline) and reports an HTTP 429 (the status, whatever
    the error code) with its ``Retry-After``. ``attempt`` itself when there is no limiter, so
    an unlimited client pays nothing."""
    if limiter is None:
        return attempt

    async def paced_attempt(number: int) -> T:
        with within():
            await limiter.acquire(route)
        try:
            return await attempt(number)
        except APIError as exc:
            if exc.status_code == 429:
                await limiter.rate_limited(route, _retry_after(exc))
            raise

    return paced_attempt
