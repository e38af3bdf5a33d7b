"""``rate=`` on bulk runs: paced by a limiter, checked on a fake clock (no wall-clock timing).

The limiter itself is tested in tests/ratelimit/test_local.py.
"""

from __future__ import annotations

import pytest

from shopsocially_async import InvalidArgumentError, bulk
from shopsocially_async.ratelimit import UNROUTED, LocalRateLimiter


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


class SpyLimiter:
    """A RateLimiter that lets everything through and records what it was asked."""

    def __init__(self) -> None:
        self.acquired: list[str] = []

    async def acquire(self, route: str) -> None:
        self.acquired.append(route)

    async def rate_limited(self, route: str, retry_after: float | None) -> None:
        raise AssertionError("not expected")


async def _identity(item: int) -> int:
    return item


def test_bulk_rate_limiter_is_the_local_limiter() -> None:
    """``bulk.RateLimiter`` keeps working for users: it is ratelimit.LocalRateLimiter."""
    assert bulk.RateLimiter is LocalRateLimiter
    limiter = bulk.RateLimiter(rate=4)
    assert [limiter.reserve(now=1.0) for _ in range(3)] == [0.0, 0.25, 0.5]


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


@pytest.mark.anyio
async def test_run_many_takes_any_rate_limiter() -> None:
    """Any RateLimiter paces the run: one acquire per call, with the UNROUTED route."""
    spy = SpyLimiter()
    async with bulk.run_many(_identity, range(7), concurrency=3, rate=spy) as run:
        assert sorted([r.value async for r in run]) == list(range(7))  # type: ignore[type-var]
    assert spy.acquired == [UNROUTED] * 7


@pytest.mark.parametrize("bad", [0, -1.0, "20", True])
@pytest.mark.anyio
async def test_a_bad_rate_is_refused_before_anything_runs(bad: object) -> None:
    """A rate that is not a positive number or a RateLimiter is an InvalidArgumentError."""
    called: list[int] = []

    async def record(item: int) -> int:
        called.append(item)
        return item

    with pytest.raises(InvalidArgumentError, match="rate"):
        async with bulk.run_many(record, range(3), rate=bad) as run:  # type: ignore[arg-type]
            [r async for r in run]
    assert called == []
