"""``RedisRateLimiter``: one account-wide request schedule shared by every worker, in Redis.

Each acquire runs one script (``_scripts.RESERVE``) that books the next free send time on
Redis's clock and returns how long to sleep; the caller sleeps it out, then runs it again
with the slot it holds: if a 429 anywhere opened a cooldown over that slot meanwhile, it is
booked again after the cooldown. Within a process, waiters pass one at a time, so a process
holds at most one booking and a cancelled waiter loses at most one slot (a short gap in the
schedule, never a burst). The client is coredis, which runs on anyio: asyncio and trio.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from contextlib import AsyncExitStack
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import anyio
import attrs

from ..errors import ClientClosedError, ConfigurationError, InvalidArgumentError
from ..ratelimit import (
    DEFAULT_COOLDOWN,
    MAX_COOLDOWN,
    LocalRateLimiter,
    RateLimiterUnavailableError,
    cooldown_seconds,
    positive_number,
    whole_burst,
)
from ._scripts import COOL_DOWN, RESERVE, cooldown_key, schedule_key

if TYPE_CHECKING:
    import coredis
    from coredis.commands.script import Script

__all__ = ["DEFAULT_HEADROOM", "FallBackLocally", "RedisRateLimiter", "Reservation"]

logger = logging.getLogger("shopsocially_async")

#: The share of the account's limit the schedule uses: room for network jitter bunching
#: requests up on their way to the API.
DEFAULT_HEADROOM = 0.85
DEFAULT_CATEGORY = "default"
MICROS = 1_000_000


@attrs.frozen
class FallBackLocally:
    """While Redis is unreachable, pace this process alone at ``rate * headroom /
    expected_workers`` (so the workers together stay within the limit) and log a WARNING
    once per outage. Redis is tried again every ``retry_after`` seconds."""

    expected_workers: int = attrs.field()
    retry_after: float = 1.0

    @expected_workers.validator
    def _check(self, _: object, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidArgumentError(
                f"expected_workers must be a whole number >= 1, got {value!r}"
            )


#: What to do while Redis cannot be reached: fall back to a local limit, or fail each acquire
#: with :class:`~shopsocially_async.ratelimit.RateLimiterUnavailableError`.
UnavailablePolicy = FallBackLocally | Literal["raise"]


@attrs.frozen
class Reservation:
    """A booked send time: sleep ``wait`` seconds, then send (``send_at``: Redis's clock, us)."""

    wait: float
    send_at: int


@attrs.frozen
class _Schedule:
    """One limit category: its key and spacing."""

    category: str
    key: str
    interval: int  # microseconds between requests
    tolerance: int  # microseconds a request may run ahead of the schedule (the burst)
    local_rate: float  # requests/s for this process alone while Redis is unreachable


class RedisRateLimiter:
    """The account's rate limit, shared through Redis by every process that sends for it.

    ``redis`` is a URL (``redis://host:6379/0``; the limiter owns that client) or a coredis
    client you opened. ``account`` (the partner id) namespaces the keys, under ``prefix``.
    ``rate`` is the account's limit in requests per second; the schedule uses ``headroom`` of
    it (default 85%). ``categories`` maps routes (``"POST /award"``) to limit categories, each
    with its own schedule at ``category_rates[category]`` (default ``rate``); other routes
    share the ``"default"`` one. A 429 anywhere holds every category back (one cooldown per
    account). ``on_unavailable`` says what happens while Redis cannot be reached: it is
    required, because either answer is a real choice (see :class:`FallBackLocally`).

    Use it as ``async with RedisRateLimiter(...) as limiter``: one per process (a Temporal
    worker's activities share it), passed to ``ShopSociallyClient(rate_limiter=limiter)``.
    """

    def __init__(
        self,
        redis: str | coredis.Redis[Any],
        *,
        account: str,
        rate: float,
        on_unavailable: UnavailablePolicy,
        headroom: float = DEFAULT_HEADROOM,
        burst: int = 1,
        categories: Mapping[str, str] | None = None,
        category_rates: Mapping[str, float] | None = None,
        prefix: str = "shopsocially",
        max_cooldown: float = MAX_COOLDOWN,
    ) -> None:
        self.account = _key_part(account, "account")
        self.prefix = _key_part(prefix, "prefix")
        self.rate = positive_number(rate, "rate")
        self.headroom = _headroom(headroom)
        self.burst = whole_burst(burst)
        self.max_cooldown = positive_number(max_cooldown, "max_cooldown")
        self.on_unavailable = _policy(on_unavailable)
        self._categories = _categories(categories)
        self._schedules = self._build_schedules(category_rates or {})
        self._cooldown_key = cooldown_key(self.prefix, self.account)
        self._client, self._where, self._owned = _client(redis)
        self._open = not self._owned
        self._exit = AsyncExitStack()
        self._reserve: Script[Any] = self._client.register_script(RESERVE)
        self._cool_down: Script[Any] = self._client.register_script(COOL_DOWN)
        self._passing = anyio.Lock()
        self._fallback = {
            name: LocalRateLimiter(s.local_rate) for name, s in self._schedules.items()
        }
        self._outage_until: float | None = None  # while set: in an outage, retry Redis then

    def __repr__(self) -> str:
        return (
            f"RedisRateLimiter(account={self.account!r}, rate={self.rate:g}, "
            f"headroom={self.headroom:g}, redis={self._where!r})"
        )

    # -- lifecycle -------------------------------------------------------------------------
    async def __aenter__(self) -> RedisRateLimiter:
        if self._owned:
            await self._exit.enter_async_context(self._client)
            self._open = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # The client is closed as on a normal exit: coredis closes it inside a task group,
        # which would wrap an error raised in the caller's block in an ExceptionGroup.
        # That error then goes on as it was.
        self._open = not self._owned
        await self._exit.aclose()

    # -- the RateLimiter protocol ----------------------------------------------------------
    def category(self, route: str) -> str:
        """The limit category ``route`` is counted in."""
        return self._categories.get(route, DEFAULT_CATEGORY)

    async def acquire(self, route: str) -> None:
        """Wait until ``route``'s category may send one more request (see the class doc)."""
        schedule = self._schedule(route)
        async with self._passing:
            held = 0
            while True:
                booking = await self._run_reserve(schedule, held)
                if booking is None:  # Redis unreachable: this process paces itself
                    await self._fallback[schedule.category].acquire(route)
                    return
                if booking.wait <= 0:
                    return
                await anyio.sleep(booking.wait)
                held = booking.send_at

    async def rate_limited(self, route: str, retry_after: float | None) -> None:
        """Hold every worker of the account back for ``retry_after`` seconds (capped)."""
        seconds = cooldown_seconds(retry_after, default=DEFAULT_COOLDOWN, cap=self.max_cooldown)
        micros = math.ceil(seconds * MICROS)
        if await self._run(self._cool_down, [self._cooldown_key], [micros]) is None:
            for local in self._fallback.values():
                await local.rate_limited(route, seconds)

    async def reserve(self, route: str) -> Reservation:
        """Book one slot for ``route`` without sleeping (what :meth:`acquire` does first)."""
        booking = await self._run_reserve(self._schedule(route), 0)
        if booking is None:
            raise RateLimiterUnavailableError(f"{self._where} is unreachable: nothing was booked")
        return booking

    # -- Redis calls and outages -----------------------------------------------------------
    def _schedule(self, route: str) -> _Schedule:
        return self._schedules[self.category(route)]

    async def _run_reserve(self, schedule: _Schedule, held: int) -> Reservation | None:
        keys = [schedule.key, self._cooldown_key]
        result = await self._run(self._reserve, keys, [schedule.interval, schedule.tolerance, held])
        if result is None:
            return None
        wait, send_at = result
        return Reservation(wait=int(wait) / MICROS, send_at=int(send_at))

    async def _run(self, script: Script[Any], keys: list[str], args: list[int]) -> Any:
        """The script's result, or None while Redis is unreachable and the policy falls back."""
        if not self._open:
            raise ClientClosedError("use the RedisRateLimiter inside `async with` (it is not open)")
        if self._outage_until is not None and anyio.current_time() < self._outage_until:
            return None
        try:
            result: Any = await script(keys=keys, args=args)
        except _unreachable() as exc:
            return self._unreachable(exc)
        except _redis_error() as exc:
            raise RateLimiterUnavailableError(f"{self._where} refused the limiter: {exc}") from exc
        if self._outage_until is not None:
            self._outage_until = None
            logger.warning("rate limiter: %s is reachable again; pacing through it", self._where)
        return result

    def _unreachable(self, exc: BaseException) -> None:
        policy = self.on_unavailable
        if not isinstance(policy, FallBackLocally):
            raise RateLimiterUnavailableError(f"{self._where} is unreachable: {exc}") from exc
        if self._outage_until is None:
            rates = ", ".join(f"{name}: {s.local_rate:g}/s" for name, s in self._schedules.items())
            # str(exc): a kept log record must not hold the error's frames (and connections).
            logger.warning(
                "rate limiter: %s is unreachable (%s: %s); this process now paces itself "
                "alone (rate x headroom / %d expected workers: %s) until it is back",
                self._where, type(exc).__name__, str(exc), policy.expected_workers, rates,
            )  # fmt: skip
        self._outage_until = anyio.current_time() + policy.retry_after

    def _build_schedules(self, category_rates: Mapping[str, float]) -> dict[str, _Schedule]:
        names = {DEFAULT_CATEGORY, *self._categories.values()}
        unknown = sorted(set(category_rates) - names)
        if unknown:
            raise InvalidArgumentError(f"category_rates names unknown categories {unknown}")
        workers = (
            self.on_unavailable.expected_workers
            if isinstance(self.on_unavailable, FallBackLocally)
            else 1
        )
        return {
            name: self._schedule_for(name, category_rates.get(name, self.rate), workers)
            for name in sorted(names)
        }

    def _schedule_for(self, category: str, rate: float, workers: int) -> _Schedule:
        paced = positive_number(rate, f"category_rates[{category!r}]") * self.headroom
        interval = math.ceil(MICROS / paced)
        return _Schedule(
            category=category,
            key=schedule_key(self.prefix, self.account, category),
            interval=interval,
            tolerance=(self.burst - 1) * interval,
            local_rate=paced / workers,
        )


def _unreachable() -> tuple[type[BaseException], ...]:
    from coredis.exceptions import ConnectionError as RedisConnectionError

    return (RedisConnectionError, TimeoutError, OSError)


def _redis_error() -> type[BaseException]:
    from coredis.exceptions import RedisError

    return RedisError


def _client(redis: object) -> tuple[coredis.Redis[Any], str, bool]:
    """The coredis client, a description of where it points (no credentials), and whether
    the limiter owns it."""
    try:
        import coredis
    except ImportError:
        raise ConfigurationError(
            "RedisRateLimiter needs coredis: pip install 'shopsocially-async[redis]'"
        ) from None
    if isinstance(redis, str):
        parts = urlsplit(redis)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise ConfigurationError("redis must be a redis://, rediss:// or unix:// URL")
        where = f"Redis at {parts.hostname or parts.path}" + (
            f":{parts.port}" if parts.port else ""
        )
        client = coredis.Redis.from_url(redis, connect_timeout=1.0, stream_timeout=1.0)
        return client, where, True
    if isinstance(redis, coredis.Redis):
        return redis, "Redis", False
    raise ConfigurationError(f"redis must be a URL or a coredis.Redis, got {type(redis).__name__}")


def _key_part(value: object, name: str) -> str:
    """A piece of a Redis key: non-empty text without whitespace, braces or colons."""
    if not isinstance(value, str) or not value:
        raise InvalidArgumentError(f"{name} must be a non-empty string, got {value!r}")
    if any(char.isspace() or char in "{}:" or not char.isprintable() for char in value):
        raise InvalidArgumentError(f"{name} must not contain whitespace, braces or colons")
    return value


def _headroom(value: object) -> float:
    headroom = positive_number(value, "headroom")
    if headroom > 1:
        raise InvalidArgumentError(f"headroom is a share of the limit, in (0, 1], got {value!r}")
    return headroom


def _policy(value: object) -> UnavailablePolicy:
    if value == "raise" or isinstance(value, FallBackLocally):
        return value
    raise InvalidArgumentError(
        f"on_unavailable must be 'raise' or FallBackLocally(expected_workers=N), got {value!r}"
    )


def _categories(value: Mapping[str, str] | None) -> dict[str, str]:
    categories = dict(value or {})
    for route, category in categories.items():
        if not isinstance(route, str):
            raise InvalidArgumentError(f"categories maps routes (text) to categories: {route!r}")
        _key_part(category, f"the category of {route!r}")
    return categories
