"""RedisRateLimiter against a real redis-server: the script's schedule, cooldowns, categories,
outages, and several workers sharing one account limit.

Times are Redis's own (the script's ``TIME``); no assertion reads the client's clock.
"""

from __future__ import annotations

import itertools
import logging
import sys
import uuid
from typing import Any

import anyio
import coredis
import pytest

from shopsocially_async import (
    ClientClosedError,
    ConfigurationError,
    InvalidArgumentError,
    RetryPolicy,
    ShopSociallyClient,
)
from shopsocially_async.distributed import (
    FallBackLocally,
    RateLimiterUnavailableError,
    RedisRateLimiter,
    Reservation,
)
from shopsocially_async.testing import FakeShopSocially, RedisServer
from shopsocially_async.testing._redis import free_port

pytestmark = pytest.mark.anyio

AWARD, MEMBER = "POST /award", "GET /users/{user_email}"
MICROS = 1_000_000


def limiter_at(url: str, **options: Any) -> RedisRateLimiter:
    """A limiter on an account of its own (so tests never share keys), failing if Redis is
    unreachable unless told otherwise."""
    options.setdefault("account", f"acct-{uuid.uuid4().hex[:10]}")
    options.setdefault("on_unavailable", "raise")
    options.setdefault("rate", 20)
    return RedisRateLimiter(url, **options)


async def reserve_many(limiter: RedisRateLimiter, route: str, count: int) -> list[Reservation]:
    """``count`` reservations made concurrently, ordered by their slot."""
    booked: list[Reservation] = []

    async def one() -> None:
        booked.append(await limiter.reserve(route))

    async with anyio.create_task_group() as tasks:
        for _ in range(count):
            tasks.start_soon(one)
    return sorted(booked, key=lambda booking: booking.send_at)


def gaps(bookings: list[Reservation]) -> list[int]:
    """Microseconds between consecutive slots."""
    return [b.send_at - a.send_at for a, b in itertools.pairwise(bookings)]


async def redis_now(url: str) -> int:
    """Redis's clock, in microseconds."""
    async with coredis.Redis.from_url(url) as client:
        seconds, micros = await client.register_script("return redis.call('TIME')")()
    return int(seconds) * MICROS + int(micros)


async def test_reservations_made_at_once_form_the_gcra_schedule(redis_url: str) -> None:
    """Twenty bookings at once: slots exactly 1/(rate x 85%) apart, the first one now."""
    async with limiter_at(redis_url, rate=20) as limiter:
        bookings = await reserve_many(limiter, AWARD, 20)
    assert gaps(bookings) == [58_824] * 19  # ceil(1e6 / 17)
    assert bookings[0].wait == 0
    assert [b.wait for b in bookings] == sorted(b.wait for b in bookings)
    assert bookings[-1].wait == pytest.approx(19 * 0.058824, abs=0.05)


@pytest.mark.parametrize(
    ("rate", "headroom", "gap"),
    [(20, 0.85, 58_824), (20, 1.0, 50_000), (10, 0.5, 200_000), (3, 0.85, 392_157)],
)
async def test_headroom_is_the_share_of_the_limit_the_schedule_uses(
    redis_url: str, rate: int, headroom: float, gap: int
) -> None:
    """Slots are 1 / (rate x headroom) seconds apart, rounded up to the microsecond."""
    async with limiter_at(redis_url, rate=rate, headroom=headroom) as limiter:
        assert gaps(await reserve_many(limiter, AWARD, 3)) == [gap, gap]


async def test_a_burst_goes_at_once_then_the_rate_applies(redis_url: str) -> None:
    """burst=3 after a pause: three requests wait nothing, the fourth waits."""
    async with limiter_at(redis_url, rate=10, headroom=1.0, burst=3) as limiter:
        bookings = [await limiter.reserve(AWARD) for _ in range(4)]
    assert [b.wait for b in bookings[:3]] == [0, 0, 0]
    assert 0.05 < bookings[3].wait <= 0.1


async def test_a_cooldown_holds_every_category_back_and_ends_without_a_burst(
    redis_url: str,
) -> None:
    """A 429 with Retry-After: 2 on a write: reads and writes alike book their next slot at
    the cooldown's end, and a burst of 3 does not all go then."""
    categories = {AWARD: "writes"}
    async with limiter_at(
        redis_url, rate=10, headroom=1.0, burst=3, categories=categories
    ) as limiter:
        await limiter.rate_limited(AWARD, 2.0)
        write, read = await limiter.reserve(AWARD), await limiter.reserve(MEMBER)
        following = await reserve_many(limiter, AWARD, 2)
    assert 1.9 < write.wait <= 2.0
    assert read.send_at == write.send_at  # both at the cooldown's end
    assert [b.send_at - write.send_at for b in following] == [100_000, 200_000]


async def test_a_shorter_429_does_not_shorten_the_cooldown(redis_url: str) -> None:
    """Retry-After 3 then 1: the cooldown still ends 3 s after the first."""
    async with limiter_at(redis_url) as limiter:
        await limiter.rate_limited(AWARD, 3.0)
        await limiter.rate_limited(AWARD, 1.0)
        booking = await limiter.reserve(AWARD)
    assert 2.8 < booking.wait <= 3.0


@pytest.mark.parametrize(("retry_after", "held"), [(None, 1.0), (float("nan"), 1.0), (1e9, 1.5)])
async def test_a_missing_or_absurd_retry_after_is_bounded(
    redis_url: str, retry_after: float | None, held: float
) -> None:
    """No usable Retry-After holds requests 1 s; none holds them longer than max_cooldown."""
    async with limiter_at(redis_url, max_cooldown=1.5) as limiter:
        await limiter.rate_limited(AWARD, retry_after)
        booking = await limiter.reserve(AWARD)
    assert held - 0.2 < booking.wait <= held


async def test_a_sleeping_worker_rechecks_the_cooldown_before_sending(redis_url: str) -> None:
    """Worker A sleeps for its slot; meanwhile worker B meets a 429 (Retry-After 0.5). A wakes
    and waits out the cooldown: it gets through only after it has ended on Redis's clock."""
    account = f"acct-{uuid.uuid4().hex[:10]}"
    options: dict[str, Any] = {"account": account, "rate": 4, "headroom": 1.0}
    async with limiter_at(redis_url, **options) as a, limiter_at(redis_url, **options) as b:
        await a.acquire(AWARD)  # now; A's next slot is 0.25 s away
        passed_at: list[int] = []

        async def sleeper() -> None:
            await a.acquire(AWARD)
            passed_at.append(await redis_now(redis_url))

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(sleeper)
            await anyio.sleep(0.05)
            limited_at = await redis_now(redis_url)
            await b.rate_limited(AWARD, 0.5)
    assert passed_at[0] >= limited_at + 500_000


async def test_a_waiter_cancelled_while_sleeping_leaves_the_limiter_usable(
    redis_url: str,
) -> None:
    """Cancelled mid-sleep, a waiter lets the next one in (nothing stays locked); its slot
    stays booked, a gap in the schedule rather than a burst."""
    async with limiter_at(redis_url, rate=4, headroom=1.0) as limiter:
        await limiter.acquire(AWARD)
        with anyio.move_on_after(0.05) as waited:
            await limiter.acquire(AWARD)  # books now + 0.25 s, cancelled while asleep
        booking = await limiter.reserve(AWARD)
        with anyio.fail_after(5):
            await limiter.acquire(AWARD)
    assert waited.cancelled_caught
    assert 0.4 < booking.wait <= 0.5  # after the cancelled one's slot, not in it


async def test_categories_keep_schedules_of_their_own(redis_url: str) -> None:
    """A write and a read at once both go now; writes are spaced by their own rate."""
    async with limiter_at(
        redis_url, rate=20, categories={AWARD: "writes"}, category_rates={"writes": 5}
    ) as limiter:
        write, read = await limiter.reserve(AWARD), await limiter.reserve(MEMBER)
        writes = await reserve_many(limiter, AWARD, 2)
    assert (write.wait, read.wait) == (0, 0)
    assert limiter.category(AWARD) == "writes"
    assert limiter.category(MEMBER) == "default"
    assert writes[0].send_at - write.send_at == 235_295  # ceil(1e6 / (5 x 0.85))


async def test_keys_are_namespaced_by_account_and_prefix(redis_url: str) -> None:
    """Another account, or another prefix, has a schedule of its own; the same pair shares."""
    account = f"acct-{uuid.uuid4().hex[:10]}"
    async with (
        limiter_at(redis_url, account=account) as first,
        limiter_at(redis_url, account=account) as same,
        limiter_at(redis_url, account=account, prefix="other") as other_prefix,
        limiter_at(redis_url) as other_account,
    ):
        await first.reserve(AWARD)
        assert (await other_prefix.reserve(AWARD)).wait == 0
        assert (await other_account.reserve(AWARD)).wait == 0
        assert (await same.reserve(AWARD)).wait > 0


async def test_workers_sharing_the_limiter_stay_within_the_accounts_limit(
    redis_url: str,
) -> None:
    """Three clients, each with its own limiter on one account, send 45 requests at once to
    a fake limited to 40/s: no 429, no second with more than 40 (each alone at the shared
    rate would send 60/s together)."""
    fake = FakeShopSocially(rate_limit=40).seed(members=3, transactions=0)
    email = fake.members[0].email
    account = f"acct-{uuid.uuid4().hex[:10]}"
    policy = RetryPolicy(max_retries=0)

    async def worker(limiter: RedisRateLimiter) -> None:
        async with ShopSociallyClient(
            fake.partner_id, fake.api_key, base_url=fake.base_url_for_asgi,
            transport=fake.asgi_transport(), retry_policy=policy, rate_limiter=limiter,
        ) as client, anyio.create_task_group() as calls:  # fmt: skip
            for _ in range(15):
                calls.start_soon(client.users.get, email)

    async with anyio.create_task_group() as workers:
        for _ in range(3):
            limiter = limiter_at(redis_url, account=account, rate=40, headroom=0.5)
            await workers.start(_serve_with, limiter, worker)
    assert len(fake.arrivals) == 45
    assert fake.throttled == []
    assert fake.busiest_window() <= 40


async def _serve_with(limiter: RedisRateLimiter, work: Any, *, task_status: Any) -> None:
    """Open ``limiter``, report started, and run ``work`` with it."""
    async with limiter:
        task_status.started()
        await work(limiter)


# -- when Redis cannot be reached ----------------------------------------------------------
def nowhere() -> str:
    """A Redis URL nothing listens on (with a password, to check it never shows)."""
    return f"redis://:s3cret@127.0.0.1:{free_port()}/0"


async def test_unreachable_with_the_raise_policy_fails_typed(redis_url: str) -> None:
    """on_unavailable='raise': acquire and rate_limited raise RateLimiterUnavailableError,
    whose message and chain name where Redis is but never its password."""
    async with limiter_at(nowhere()) as limiter:
        with pytest.raises(RateLimiterUnavailableError, match="unreachable") as raised:
            await limiter.acquire(AWARD)
        with pytest.raises(RateLimiterUnavailableError):
            await limiter.rate_limited(AWARD, 1.0)
    told = f"{raised.value} {raised.value.__cause__!r} {limiter!r}"
    assert "127.0.0.1" in told
    assert "s3cret" not in told


async def test_unreachable_with_a_fallback_paces_locally_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """FallBackLocally(4): acquires still pass, paced at rate x headroom / 4, and the outage
    is logged once as a WARNING however often Redis is retried."""
    policy = FallBackLocally(expected_workers=4, retry_after=0)
    caplog.set_level(logging.WARNING, logger="shopsocially_async")
    async with limiter_at(nowhere(), rate=400, headroom=0.5, on_unavailable=policy) as limiter:
        for _ in range(3):
            await limiter.acquire(AWARD)
        await limiter.rate_limited(AWARD, 0.0)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0]
    assert "default: 50/s" in warnings[0]
    assert "s3cret" not in warnings[0]


async def test_the_limiter_returns_to_redis_after_an_outage_and_warns_again_on_the_next(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Redis stopped, started, stopped: a WARNING for each outage, and bookings go through
    Redis again (a shared schedule) once it is back."""
    policy = FallBackLocally(expected_workers=2, retry_after=0)
    caplog.set_level(logging.WARNING, logger="shopsocially_async")
    with RedisServer() as server:
        async with limiter_at(server.url, on_unavailable=policy) as limiter:
            server.stop()
            await limiter.acquire(AWARD)
            server.start()
            await limiter.acquire(AWARD)
            assert (await limiter.reserve(AWARD)).wait > 0  # Redis's schedule again
            server.stop()
            await limiter.acquire(AWARD)
    messages = [r.getMessage() for r in caplog.records]
    assert [("unreachable" in m, "reachable again" in m) for m in messages] == [
        (True, False),
        (False, True),
        (True, False),
    ]


async def test_an_owned_limiter_outside_async_with_says_so(redis_url: str) -> None:
    """A limiter built from a URL must be opened first."""
    limiter = limiter_at(redis_url)
    with pytest.raises(ClientClosedError, match="async with"):
        await limiter.acquire(AWARD)


async def test_a_client_you_opened_is_used_and_left_open(redis_url: str) -> None:
    """Given a coredis client, the limiter uses it as is and does not close it."""
    async with coredis.Redis.from_url(redis_url) as client:
        async with limiter_at(client) as limiter:  # type: ignore[arg-type]
            assert (await limiter.reserve(AWARD)).wait == 0
        assert await client.ping() == b"PONG"


# -- settings ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"account": ""}, "account"),
        ({"account": "a b"}, "account"),
        ({"account": "a{b}"}, "account"),
        ({"prefix": "x:y"}, "prefix"),
        ({"rate": 0}, "rate"),
        ({"headroom": 0}, "headroom"),
        ({"headroom": 1.5}, "headroom"),
        ({"burst": 0}, "burst"),
        ({"on_unavailable": "fallback"}, "on_unavailable"),
        ({"categories": {AWARD: ""}}, "category"),
        ({"category_rates": {"writes": 5}}, "unknown categories"),
        ({"categories": {AWARD: "writes"}, "category_rates": {"writes": -1}}, "category_rates"),
    ],
)
def test_bad_settings_are_refused_by_name(options: dict[str, Any], named: str) -> None:
    """Each setting that cannot work is an InvalidArgumentError naming it, before any I/O."""
    with pytest.raises(InvalidArgumentError, match=named):
        limiter_at("redis://127.0.0.1:1/0", **options)


def test_fallback_needs_a_whole_number_of_workers() -> None:
    """FallBackLocally(expected_workers=0) is refused."""
    with pytest.raises(InvalidArgumentError, match="expected_workers"):
        FallBackLocally(expected_workers=0)


@pytest.mark.parametrize("redis", ["http://127.0.0.1:6379", 6379])
def test_redis_must_be_a_redis_url_or_client(redis: object) -> None:
    """Anything else is a ConfigurationError."""
    with pytest.raises(ConfigurationError, match="redis must be"):
        limiter_at(redis)  # type: ignore[arg-type]


def test_without_coredis_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """With coredis missing, building the limiter says which extra to install."""
    monkeypatch.setitem(sys.modules, "coredis", None)
    with pytest.raises(ConfigurationError, match=r"shopsocially-async\[redis\]"):
        limiter_at("redis://127.0.0.1:1/0")
