"""Integration tests run over real sockets, on every installed engine (the ``engine`` fixture
of tests/conftest.py) and both event loops.

Each module shares one served fake (``served``: the catalog of :func:`build_catalog` on a fixed
clock); tests stay independent by enrolling fresh members (``new_member``) and unique ids, and
the faults a test arms are disarmed after it. ``client`` is a real client per test.

"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import anyio.from_thread
import attrs
import pytest

from shopsocially_async import RetryPolicy, ShopSociallyClient
from shopsocially_async.testing import FakeShopSocially

# -- the fake served over loopback, shared by a module; clients per test ----------------------
START = datetime(2024, 3, 14, 12, 0, 0, tzinfo=timezone.utc)  # the fake's fixed clock
NO_WAIT = RetryPolicy(initial_delay=0, max_delay=0, max_retry_after=0)
_ids = itertools.count(1)


def fixed_clock() -> datetime:
    """The fake's clock: always ``START`` (timestamps and date windows are exact)."""
    return START


def build_catalog(fake: FakeShopSocially) -> FakeShopSocially:
    """One activity or reward of each kind the rules tell apart."""
    fake.add_activity(
        "made_a_purchase", "bonus_multiplier", bonus_multiplier=2, activity_name="Made a Purchase"
    )
    fake.add_activity(
        "signup", points_per_activity=100, activity_name="Signed Up", max_award_frequency=1,
        max_award_frequency_interval="lifetime",
    )  # fmt: skip
    fake.add_activity("review", points_per_activity=50, approval_method="manual")
    fake.add_activity("facebook_share", points_per_activity=20, is_active=False)
    fake.add_activity("chaos", points_per_activity=10, max_award_frequency=1_000_000)
    codes = [f"FIVE-{n:05d}" for n in range(20_000)]
    fake.add_redemption("$5_gift_card", 100, 5, codes, redemption_name="$5 Gift Card")
    fake.add_redemption("paused_card", 10, 1, ["P-1"], is_active=False)
    fake.add_redemption("empty_card", 10, 1, [])
    return fake


@attrs.frozen
class Served:
    """A fake program and the loopback URL it is served on."""

    fake: FakeShopSocially
    base_url: str


@contextlib.contextmanager
def serving(fake: FakeShopSocially) -> Iterator[Served]:
    """Serve ``fake`` from synchronous code (a module-scoped fixture), whatever the test's loop.

    ``fake.serve()`` is async; a blocking portal runs it on a loop of its own, and the server
    itself runs on its own thread, so asyncio and trio tests share it.
    """
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(fake.serve()) as base_url,
    ):
        yield Served(fake, base_url)


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """The module's program (catalog only, fixed clock), served once for all its tests."""
    with serving(build_catalog(FakeShopSocially(rng_seed=0, clock=fixed_clock))) as program:
        yield program


@pytest.fixture
def fake(served: Served) -> Iterator[FakeShopSocially]:
    """The served program; faults a test arms are disarmed after it."""
    yield served.fake
    served.fake.clear_faults()


def unique(prefix: str = "m") -> str:
    """A name no other test of the session uses."""
    return f"{prefix}-{next(_ids):06d}"


@pytest.fixture
def new_member(fake: FakeShopSocially) -> Callable[..., str]:
    """Enrol a fresh member (state isolation between tests on one program); returns the email."""

    def enrol(available_points: int = 0, **fields: Any) -> str:
        email = f"{unique()}@example.com"
        fake.add_member(
            email,
            "Ada",
            "Lovelace",
            uid=f"uid-{email}",
            available_points=available_points,
            **fields,
        )
        return email

    return enrol


def make_client(served: Served, transport: str, **options: Any) -> ShopSociallyClient:
    """A client for ``served`` on ``transport``; retries never sleep."""
    settings: dict[str, Any] = {
        "partner_id": served.fake.partner_id,
        "api_key": served.fake.api_key,
        "retry_policy": NO_WAIT,
        "transport": transport,
        **options,
    }
    return ShopSociallyClient(base_url=served.base_url, **settings)


@pytest.fixture
async def client(served: Served, engine: str) -> AsyncIterator[ShopSociallyClient]:
    """The real client over real loopback sockets to the module's program."""
    async with make_client(served, engine) as client:
        yield client
