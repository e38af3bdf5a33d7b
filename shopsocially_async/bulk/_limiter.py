"""A client-side requests-per-second limit, portable across asyncio and trio."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio

__all__ = ["RateLimiter"]


class RateLimiter:
    """Let at most ``rate`` calls per second through, with bursts of up to ``burst``.

    A token bucket written as its schedule (the "generic cell rate algorithm"): each call
    to :meth:`reserve` books the next free slot and says how long to wait for it, so the
    pacing is exact and testable without a wall clock. :meth:`acquire` sleeps that long
    with ``anyio.sleep`` (or the ``sleep`` given), on the event loop's clock (or ``clock``).

    >>> limiter = RateLimiter(rate=2)
    >>> [limiter.reserve(now=0.0) for _ in range(3)]
    [0.0, 0.5, 1.0]
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: int = 1,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[object]] | None = None,
    ) -> None:
        if not rate > 0:
            raise ValueError(f"rate must be a positive number of calls per second, got {rate!r}")
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst!r}")
        self.rate = float(rate)
        self.burst = burst
        self._interval = 1.0 / self.rate
        self._next_free: float | None = None  # the "theoretical arrival time" of the next call
        self._clock = clock or anyio.current_time
        self._sleep = sleep or anyio.sleep

    def reserve(self, now: float) -> float:
        """Book the next slot at or after ``now``; return the seconds to wait for it."""
        next_free = now if self._next_free is None else max(self._next_free, now)
        allowed_at = next_free - (self.burst - 1) * self._interval
        self._next_free = next_free + self._interval
        return max(0.0, allowed_at - now)

    async def acquire(self) -> None:
        """Wait until one more call is allowed."""
        delay = self.reserve(self._clock())
        if delay > 0:
            await self._sleep(delay)
