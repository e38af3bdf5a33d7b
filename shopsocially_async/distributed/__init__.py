"""Pacing many workers as one: the account's rate limit shared through Redis.

Needs the ``redis`` extra (``pip install 'shopsocially-async[redis]'``: the coredis client,
which runs on asyncio and trio)::

    from shopsocially_async import ShopSociallyClient
    from shopsocially_async.distributed import FallBackLocally, RedisRateLimiter

    async with RedisRateLimiter(
        "redis://127.0.0.1:6379/0", account="partner-1", rate=20,
        on_unavailable=FallBackLocally(expected_workers=4),
    ) as limiter:
        async with ShopSociallyClient(rate_limiter=limiter) as client:
            ...

Every process that sends for the account uses one such limiter; together they stay within
85% of ``rate`` (``headroom``), and a 429 seen by any of them holds all of them back for its
``Retry-After``.
"""

from __future__ import annotations

from ..ratelimit import RateLimiterUnavailableError
from ._redis import (
    DEFAULT_HEADROOM,
    FallBackLocally,
    RedisRateLimiter,
    Reservation,
    UnavailablePolicy,
)

__all__ = [
    "DEFAULT_HEADROOM",
    "FallBackLocally",
    "RateLimiterUnavailableError",
    "RedisRateLimiter",
    "Reservation",
    "UnavailablePolicy",
]
