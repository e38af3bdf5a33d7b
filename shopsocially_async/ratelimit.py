"""The rate limiter seam: what paces every request a client sends.

A client built with ``ShopSociallyClient(rate_limiter=...)`` awaits
:meth:`RateLimiter.acquire` before every attempt it sends (first tries, retries, every page,
prefetched pages included) and reports every HTTP 429 with :meth:`RateLimiter.rate_limited`,
so one limiter shared by many clients, tasks or processes keeps them all within the
account's limit.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["RateLimiter"]


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
