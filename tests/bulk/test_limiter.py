"""The rate limiter's schedule, checked on a fake clock: no wall-clock timing."""

from __future__ import annotations

import pytest

from shopsocially_async import bulk


class FakeTime:
    """A clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_schedule_spaces_calls_by_one_over_rate() -> None:
    """Calls arriving together are booked 1/rate apart."""
    limiter = bulk.RateLimiter(rate=4)
    assert [limiter.reserve(now=10.0) for _ in range(5)] == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_burst_lets_the_first_calls_through_at_once() -> None:
    """With burst=3 the first three calls wait nothing, then the rate applies."""
    limiter = bulk.RateLimiter(rate=10, burst=3)
    delays = [limiter.reserve(now=0.0) for _ in range(5)]
    assert delays == pytest.approx([0.0, 0.0, 0.0, 0.1, 0.2])


def test_idle_time_is_not_saved_up_beyond_the_burst() -> None:
    """After a long pause the limiter allows only ``burst`` calls at once again."""
    limiter = bulk.RateLimiter(rate=2)
    limiter.reserve(now=0.0)
    assert limiter.reserve(now=100.0) == 0.0
    assert limiter.reserve(now=100.0) == 0.5


@pytest.mark.parametrize("bad", [0, -1.0])
def test_rate_must_be_positive(bad: float) -> None:
    """A rate of zero or less is refused."""
    with pytest.raises(ValueError, match="rate"):
        bulk.RateLimiter(rate=bad)


async def _identity(item: int) -> int:
    return item


@pytest.mark.anyio
async def test_run_many_paces_calls_with_the_limiter() -> None:
    """20 calls at 5/s on a fake clock: the limiter sleeps (20 - 1) / 5 seconds in all."""
    time = FakeTime()
    limiter = bulk.RateLimiter(rate=5, clock=time.clock, sleep=time.sleep)
    async with bulk.run_many(_identity, range(20), concurrency=8, rate=limiter) as run:
        results = [r async for r in run]
    assert len(results) == 20
    assert sum(time.sleeps) == pytest.approx(19 / 5)
    assert time.now == pytest.approx(19 / 5)
