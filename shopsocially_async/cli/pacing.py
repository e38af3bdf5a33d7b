"""``--rate`` for the bulk commands: a row takes its turn before it is journaled *sent*.

The client's deadline bounds a whole call, its waits for the rate limiter included (what a
web service wants). A bulk run queues every row behind ``--rate``: with many rows in flight
and few turns a second, a row could spend its call's deadline queued, and an attempt that
starts late gets what little is left of it (a healthy server answering after that is an
outcome unknown). So a row waits for its turn first, outside its call; the call's first
attempt then goes at once. Its retries, and every other request, take turns as usual.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from ..ratelimit import UNROUTED, RateLimiter

#: Set while a row that took its turn is being sent: the next acquire in that task is free.
_TURN_TAKEN: ContextVar[bool] = ContextVar("shopsocially_async_turn_taken", default=False)


class RowTurns:
    """A rate limiter for the client whose turns a row can take before its call."""

    def __init__(self, limiter: RateLimiter) -> None:
        self._limiter = limiter

    def __repr__(self) -> str:
        return f"RowTurns({self._limiter!r})"

    async def take(self) -> None:
        """Wait for a turn (then send the row inside :meth:`taken`)."""
        await self._limiter.acquire(UNROUTED)

    @contextlib.contextmanager
    def taken(self) -> Iterator[None]:
        """The first request sent inside the block uses the turn :meth:`take` waited for."""
        token = _TURN_TAKEN.set(True)
        try:
            yield
        finally:
            _TURN_TAKEN.reset(token)

    async def acquire(self, route: str) -> None:
        if _TURN_TAKEN.get():
            _TURN_TAKEN.set(False)  # the turn the row took before its call
            return
        await self._limiter.acquire(route)

    async def rate_limited(self, route: str, retry_after: float | None) -> None:
        await self._limiter.rate_limited(route, retry_after)
