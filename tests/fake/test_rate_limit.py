"""The fake's account rate limit (a sliding 1-second window) and its arrival log."""

from __future__ import annotations

import httpx
import pytest

from shopsocially_async.testing import FakeShopSocially, Fault, busiest_window

from .conftest import AUTH

pytestmark = pytest.mark.anyio

RATE_LIMITED = {
    "success": False,
    "error_code": "RATE_LIMIT_EXCEEDED",
    "reason": "Rate limit exceeded. Retry after 1 seconds.",
}


class Monotonic:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def statuses(fake: FakeShopSocially, count: int, headers: dict[str, str] = AUTH) -> list[int]:
    """Send ``count`` GET /activities in process; the status of each."""
    async with httpx.AsyncClient(
        transport=fake.asgi_transport(), base_url=fake.base_url_for_asgi, headers=headers
    ) as http:
        return [(await http.get("/activities")).status_code for _ in range(count)]


async def test_requests_beyond_the_limit_get_the_apis_429() -> None:
    """Three per second: the fourth in the same second is a 429 RATE_LIMIT_EXCEEDED in the
    API's failure envelope, with Retry-After: 1."""
    clock = Monotonic()
    fake = FakeShopSocially(rate_limit=3, monotonic=clock)
    async with httpx.AsyncClient(
        transport=fake.asgi_transport(), base_url=fake.base_url_for_asgi, headers=AUTH
    ) as http:
        admitted = [(await http.get("/activities")).status_code for _ in range(3)]
        refused = await http.get("/activities")
    assert admitted == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json() == RATE_LIMITED
    assert refused.headers["retry-after"] == "1"


async def test_the_window_slides_and_refusals_use_none_of_it() -> None:
    """A slot frees exactly one second after the request that took it; refused requests do
    not hold the window, so the client is served again as soon as it has passed."""
    clock = Monotonic()
    fake = FakeShopSocially(rate_limit=2, monotonic=clock)
    assert await statuses(fake, 2) == [200, 200]
    clock.now += 0.5
    assert await statuses(fake, 3) == [429, 429, 429]
    clock.now += 0.499
    assert await statuses(fake, 1) == [429]
    clock.now += 0.001  # exactly one second after the first two
    assert await statuses(fake, 3) == [200, 200, 429]


async def test_every_arrival_is_logged_and_the_429s_apart() -> None:
    """The log holds every request's arrival (429s too) and which of them were throttled."""
    clock = Monotonic()
    fake = FakeShopSocially(rate_limit=1, monotonic=clock)
    await statuses(fake, 2)
    clock.now += 1.0
    await statuses(fake, 1)
    assert fake.arrivals == [100.0, 100.0, 101.0]
    assert fake.throttled == [100.0]
    assert fake.busiest_window() == 2
    assert fake.busiest_window(seconds=1.5) == 3


async def test_the_limit_is_checked_before_faults_and_credentials() -> None:
    """Like a gateway: over the limit, a request with a wrong key gets the 429, and an armed
    fault neither fires nor counts."""
    clock = Monotonic()
    fake = FakeShopSocially(rate_limit=1, monotonic=clock)
    await statuses(fake, 1)
    fault = fake.inject(Fault("server_error", times=1))
    assert await statuses(fake, 1, headers={"partner-id": "x", "api-key": "wrong"}) == [429]
    assert fake.stats.faults == {}
    assert fake.faults == (fault,)


async def test_an_injected_rate_limit_is_logged_as_throttled() -> None:
    """A ``rate_limit`` fault is a 429 too: it appears in ``throttled``."""
    clock = Monotonic()
    fake = FakeShopSocially(monotonic=clock)
    fake.inject(Fault("rate_limit", every_nth=2, retry_after=2))
    assert await statuses(fake, 4) == [200, 429, 200, 429]
    assert fake.throttled == [100.0, 100.0]
    assert fake.rate_limit is None


async def test_without_a_limit_nothing_is_refused_and_arrivals_are_still_logged() -> None:
    """No rate_limit: fifty requests in the same instant all succeed, all logged."""
    fake = FakeShopSocially(monotonic=Monotonic())
    assert set(await statuses(fake, 50)) == {200}
    assert fake.busiest_window() == 50
    assert fake.throttled == []


async def test_reset_stats_clears_the_log_but_not_the_window() -> None:
    """reset_stats() forgets the arrivals; the limit still remembers the last second."""
    clock = Monotonic()
    fake = FakeShopSocially(rate_limit=1, monotonic=clock)
    await statuses(fake, 1)
    fake.reset_stats()
    assert fake.arrivals == []
    assert await statuses(fake, 1) == [429]


@pytest.mark.parametrize("bad", [0, -5, 2.5, True, "20"])
def test_a_limit_that_is_not_a_whole_positive_number_is_refused(bad: object) -> None:
    """rate_limit must be a whole number of requests per second, at least 1."""
    with pytest.raises(ValueError, match="rate_limit"):
        FakeShopSocially(rate_limit=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("arrivals", "seconds", "busiest"),
    [
        ([], 1.0, 0),
        ([5.0], 1.0, 1),
        ([0.0, 0.5, 0.99, 1.0], 1.0, 3),  # [0, 1) holds three; 1.0 starts the next
        ([0.0, 1.0, 2.0, 3.0], 1.0, 1),
        ([3.0, 0.0, 0.2, 2.9], 1.0, 2),  # order does not matter
        ([0.0, 0.1, 0.2, 5.0, 5.05], 0.1, 2),
    ],
)
def test_busiest_window_counts_half_open_windows(
    arrivals: list[float], seconds: float, busiest: int
) -> None:
    """The most arrivals in any window [t, t + seconds)."""
    assert busiest_window(arrivals, seconds) == busiest
