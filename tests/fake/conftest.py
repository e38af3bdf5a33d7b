"""Fixtures for the embedded fake: a fixed clock, a small program, an in-process client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from shopsocially_async.testing import FakeApiError, FakeShopSocially
from shopsocially_async.testing._state import LoyaltyState

AUTH = {"partner-id": "test-partner", "api-key": "test-api-key"}
START = datetime(2024, 3, 14, 12, 0, 0, tzinfo=timezone.utc)  # a Thursday


def refused(operation: Callable[[], object]) -> FakeApiError:
    """Run an operation the fake must refuse, and return the error it raised."""
    with pytest.raises(FakeApiError) as caught:
        operation()
    return caught.value


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def build_program(fake: FakeShopSocially) -> FakeShopSocially:
    """Bob with 1,000 points, Alice with none, and one activity or reward of each kind."""
    fake.add_member("bob@shopsocially.com", "Bob", "Baker", uid="merc", available_points=1000)
    fake.add_member("alice@example.com", "Alice", "Smith", uid="alice-1")
    fake.add_activity(
        "made_a_purchase",
        "bonus_multiplier",
        bonus_multiplier=2,
        activity_name="Made a Purchase",
        max_award_frequency=100,
    )
    fake.add_activity(
        "signup",
        points_per_activity=100,
        max_award_frequency=1,
        max_award_frequency_interval="lifetime",
    )
    fake.add_activity("review", points_per_activity=50, approval_method="manual")
    fake.add_activity("newsletter", points_per_activity=20, approval_method="monthly")
    fake.add_activity(
        "daily_visit",
        points_per_activity=5,
        max_award_frequency=2,
        max_award_frequency_interval="week",
    )
    fake.add_activity("facebook_share", points_per_activity=20, is_active=False)
    fake.add_redemption(
        "$50_gift_card", 1000, 50, ["GET50OFF", "GET50OFF-2"], redemption_name="$50 Gift Card"
    )
    fake.add_redemption("$5_gift_card", 100, 5, ["FIVE-1"])
    fake.add_redemption("paused_card", 10, 1, ["P-1"], is_active=False)
    fake.add_redemption("empty_card", 10, 1, [])
    return fake


@pytest.fixture
def clock() -> Clock:
    """A fixed clock at 2024-03-14 12:00:00 UTC."""
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> FakeShopSocially:
    """A small program on the fixed clock."""
    return build_program(FakeShopSocially(rng_seed=0, clock=clock))


@pytest.fixture
def state(fake: FakeShopSocially) -> LoyaltyState:
    """The fake's state, for tests of the rules without HTTP."""
    return fake._state


@pytest.fixture
async def api(fake: FakeShopSocially) -> AsyncIterator[httpx.AsyncClient]:
    """An authenticated in-process client."""
    transport = fake.asgi_transport()
    async with httpx.AsyncClient(
        transport=transport, base_url=fake.base_url_for_asgi, headers=AUTH
    ) as client:
        yield client
