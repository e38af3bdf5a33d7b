"""LocalRateLimiter: its schedule, cooldowns and cancellation, on a virtual clock."""

from __future__ import annotations

import math

import anyio
import pytest
from anyio.abc import TaskGroup

from shopsocially_async import InvalidArgumentError
from shopsocially_async.ratelimit import (
    DEFAULT_COOLDOWN,
    LocalRateLimiter,
    RateLimiter,
)

from .virtualtime import VirtualTime

ROUTE = "POST /award"


def limiter_on(time: VirtualTime, rate: float, **options: int | float) -> LocalRateLimiter:
    """A limiter driven by ``time``."""
    return LocalRateLimiter(rate, clock=time.clock, sleep=time.sleep, **options)  # type: ignore[arg-type]


async def pass_through(limiter: LocalRateLimiter, time: VirtualTime, name: str) -> None:
    """Acquire, then note when this task got through."""
    await limiter.acquire(ROUTE)
    time.passed.append((name, time.now))


async def queue_up(
    tasks: TaskGroup, limiter: LocalRateLimiter, time: VirtualTime, *names: str
) -> None:
    """Start one ``pass_through`` task per name, each waiting in line before the next starts."""
    for name in names:
        tasks.start_soon(pass_through, limiter, time, name)
        await time.settle()


def test_schedule_spaces_calls_by_one_over_rate() -> None:
    """Calls arriving together are booked 1/rate apart."""
    limiter = LocalRateLimiter(rate=4)
    assert [limiter.reserve(now=10.0) for _ in range(5)] == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_burst_lets_the_first_calls_through_at_once() -> None:
    """With burst=3 the first three calls wait nothing, then the rate applies."""
    limiter = LocalRateLimiter(rate=10, burst=3)
    delays = [limiter.reserve(now=0.0) for _ in range(5)]
    assert delays == pytest.approx([0.0, 0.0, 0.0, 0.1, 0.2])


def test_idle_time_is_not_saved_up_beyond_the_burst() -> None:
    """After a long pause the limiter allows only ``burst`` calls at once again."""
    limiter = LocalRateLimiter(rate=2)
    limiter.reserve(now=0.0)
    assert limiter.reserve(now=100.0) == 0.0
    assert limiter.reserve(now=100.0) == 0.5


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"rate": 0}, "rate"),
        ({"rate": -1.0}, "rate"),
        ({"rate": math.nan}, "rate"),
        ({"rate": math.inf}, "rate"),
        ({"rate": True}, "rate"),
        ({"rate": "20"}, "rate"),
        ({"rate": 5, "burst": 0}, "burst"),
        ({"rate": 5, "burst": 1.5}, "burst"),
        ({"rate": 5, "max_cooldown": 0}, "max_cooldown"),
    ],
)
def test_bad_settings_are_refused_by_name(options: dict[str, object], named: str) -> None:
    """A rate, burst or cooldown cap that cannot work is an InvalidArgumentError naming it."""
    with pytest.raises(InvalidArgumentError, match=named):
        LocalRateLimiter(**options)  # type: ignore[arg-type]


def test_it_is_a_rate_limiter() -> None:
    """The client accepts it: it has the RateLimiter protocol's methods."""
    assert isinstance(LocalRateLimiter(1), RateLimiter)


@pytest.mark.anyio
async def test_waiters_pass_first_come_first_served_on_the_schedule() -> None:
    """Five tasks acquiring together pass in the order they came, 1/rate apart."""
    time = VirtualTime()
    limiter = limiter_on(time, rate=4)
    async with anyio.create_task_group() as tasks:
        await queue_up(tasks, limiter, time, *"abcde")
        await time.advance_to(2.0)
    assert time.passed == [("a", 0.0), ("b", 0.25), ("c", 0.5), ("d", 0.75), ("e", 1.0)]


@pytest.mark.anyio
async def test_acquire_without_a_route_still_works() -> None:
    """``acquire()`` with no route (the old bulk limiter's call) paces like any other."""
    time = VirtualTime()
    limiter = limiter_on(time, rate=2)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(limiter.acquire)
        tasks.start_soon(limiter.acquire)
        await time.advance_to(1.0)
    assert time.sleeps == [0.5]


@pytest.mark.anyio
async def test_a_429_holds_everyone_back_and_the_schedule_restarts_without_a_burst() -> None:
    """After rate_limited(2 s) nothing passes for 2 s, then calls resume 1/rate apart even
    though burst=3 would otherwise let three through at once."""
    time = VirtualTime()
    limiter = limiter_on(time, rate=10, burst=3)
    await limiter.rate_limited(ROUTE, 2.0)
    async with anyio.create_task_group() as tasks:
        await queue_up(tasks, limiter, time, *"abc")
        await time.advance_to(5.0)
    assert time.passed == [("a", 2.0), ("b", pytest.approx(2.1)), ("c", pytest.approx(2.2))]


@pytest.mark.anyio
async def test_a_429_while_waiting_sends_the_sleeper_past_the_cooldown() -> None:
    """A waiter whose slot falls inside a cooldown opened while it slept books again after
    the cooldown instead of sending at its old slot."""
    time = VirtualTime()
    limiter = limiter_on(time, rate=10)
    async with anyio.create_task_group() as tasks:
        await queue_up(tasks, limiter, time, "first", "sleeper")  # the sleeper books t=0.1
        await time.advance_to(0.05)
        await limiter.rate_limited(ROUTE, 1.0)  # cooldown until 1.05
        await time.advance_to(3.0)
    assert time.passed == [("first", 0.0), ("sleeper", 1.05)]


@pytest.mark.parametrize(
    ("retry_after", "held_for"),
    [
        (None, DEFAULT_COOLDOWN),
        (math.nan, DEFAULT_COOLDOWN),
        (-3.0, DEFAULT_COOLDOWN),
        (math.inf, DEFAULT_COOLDOWN),
        (0.0, 0.0),
        (2.5, 2.5),
        (10_000.0, 30.0),
    ],
)
@pytest.mark.anyio
async def test_the_cooldown_is_the_servers_hint_when_usable_and_capped(
    retry_after: float | None, held_for: float
) -> None:
    """Retry-After holds requests back as long as it says; none or nonsense holds them for
    DEFAULT_COOLDOWN; nothing holds them longer than max_cooldown."""
    time = VirtualTime()
    limiter = limiter_on(time, rate=1000, max_cooldown=30.0)
    await limiter.rate_limited(ROUTE, retry_after)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(pass_through, limiter, time, "next")
        await time.advance_to(100.0)
    assert time.passed == [("next", pytest.approx(held_for))]


@pytest.mark.anyio
async def test_a_shorter_429_does_not_shorten_a_cooldown() -> None:
    """Two 429s: the cooldown lasts until the later of the two ends."""
    time = VirtualTime()
    limiter = limiter_on(time, rate=1000)
    await limiter.rate_limited(ROUTE, 3.0)
    await limiter.rate_limited(ROUTE, 1.0)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(pass_through, limiter, time, "next")
        await time.advance_to(10.0)
    assert time.passed == [("next", 3.0)]


@pytest.mark.anyio
async def test_a_cancelled_waiter_gives_its_slot_back() -> None:
    """A waiter cancelled while sleeping for its slot returns it: the next caller gets that
    slot, so cancellations leave no gap in the schedule."""
    time = VirtualTime()
    limiter = limiter_on(time, rate=10)
    async with anyio.create_task_group() as tasks:
        doomed = await first_then_a_sleeper(tasks, limiter, time)
        doomed.cancel()
        await time.settle()
        tasks.start_soon(pass_through, limiter, time, "after")
        await time.advance_to(1.0)
    assert time.passed == [("first", 0.0), ("after", pytest.approx(0.1))]


@pytest.mark.anyio
async def test_a_waiter_cancelled_in_the_queue_books_nothing() -> None:
    """A waiter cancelled while queued behind a sleeping one never booked a slot: the one
    after it passes right after the sleeper."""
    time = VirtualTime()
    limiter = limiter_on(time, rate=10)
    async with anyio.create_task_group() as tasks:
        await queue_up(tasks, limiter, time, "first", "sleeper")  # the sleeper books t=0.1
        doomed = anyio.CancelScope()
        tasks.start_soon(_acquire_in, limiter, doomed)  # queued, nothing booked
        await time.settle()
        doomed.cancel()
        tasks.start_soon(pass_through, limiter, time, "last")
        await time.advance_to(1.0)
    assert time.passed == [("first", 0.0), ("sleeper", 0.1), ("last", pytest.approx(0.2))]


@pytest.mark.anyio
async def test_cancellation_during_a_cooldown_keeps_the_cooldown() -> None:
    """A waiter cancelled after a 429 moved the schedule does not roll it back: the next
    caller still waits out the cooldown."""
    time = VirtualTime()
    limiter = limiter_on(time, rate=10)
    async with anyio.create_task_group() as tasks:
        doomed = await first_then_a_sleeper(tasks, limiter, time)
        await limiter.rate_limited(ROUTE, 2.0)  # until 2.05
        doomed.cancel()
        await time.settle()
        tasks.start_soon(pass_through, limiter, time, "after")
        await time.advance_to(5.0)
    assert time.passed == [("first", 0.0), ("after", pytest.approx(2.05))]


async def first_then_a_sleeper(
    tasks: TaskGroup, limiter: LocalRateLimiter, time: VirtualTime
) -> anyio.CancelScope:
    """At t=0 "first" passes and a second waiter books t=0.1; at t=0.05 (returned) that
    waiter sleeps inside the scope returned, for the test to cancel."""
    await queue_up(tasks, limiter, time, "first")
    doomed = anyio.CancelScope()
    tasks.start_soon(_acquire_in, limiter, doomed)
    await time.advance_to(0.05)
    return doomed


async def _acquire_in(limiter: LocalRateLimiter, scope: anyio.CancelScope) -> None:
    """Acquire inside ``scope`` (cancelled by the test)."""
    with scope:
        await limiter.acquire(ROUTE)
