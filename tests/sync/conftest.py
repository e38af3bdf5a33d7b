"""Blocking-client tests: a small program on the fake, served in process or over a socket.

Every test also checks that it left no event loop thread behind.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal

from shopsocially_async import RetryPolicy
from shopsocially_async.sync import SyncShopSociallyClient
from shopsocially_async.testing import FakeShopSocially

NO_WAITING = RetryPolicy(initial_delay=0, max_delay=0, max_retry_after=0)


def loop_threads() -> list[threading.Thread]:
    """The blocking clients' event loop threads alive now."""
    return [t for t in threading.enumerate() if t.name.startswith("shopsocially-sync-")]


def in_process(fake: FakeShopSocially, **options: Any) -> SyncShopSociallyClient:
    """A blocking client on ``fake`` in process (unless ``transport=`` says otherwise);
    retries do not wait."""
    options = {"transport": fake.asgi_transport(), "retry_policy": NO_WAITING, **options}
    return SyncShopSociallyClient(
        fake.partner_id, fake.api_key, base_url=fake.base_url_for_asgi, **options
    )


@pytest.fixture(autouse=True)
def no_loop_thread_left() -> Iterator[None]:
    """Fail a test that leaves a blocking client's thread running."""
    before = set(loop_threads())
    yield
    assert set(loop_threads()) <= before


@pytest.fixture
def shop(shopsocially_fake: FakeShopSocially) -> FakeShopSocially:
    """Two members, a fixed and a purchase activity, a gift card with two codes."""
    shopsocially_fake.add_member("bob@example.com", "Bob", "Baker", uid="m-1", available_points=500)
    shopsocially_fake.add_member("ann@example.com", "Ann", "Lee", uid="m-2", available_points=0)
    shopsocially_fake.add_activity("signup", points_per_activity=100)
    shopsocially_fake.add_activity("made_a_purchase", "bonus_multiplier", bonus_multiplier=2)
    shopsocially_fake.add_redemption(
        "$10_gift_card", 300, 10, giftcard_coupon_codes=["GIFT-1", "GIFT-2"]
    )
    return shopsocially_fake


@pytest.fixture
def served(shop: FakeShopSocially) -> Iterator[str]:
    """``shop`` on a loopback port (served from a blocking portal); the base URL."""
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(shop.serve()) as base_url,
    ):
        yield base_url


@pytest.fixture
def socket_client(shop: FakeShopSocially, served: str) -> Iterator[SyncShopSociallyClient]:
    """A blocking client talking to ``served`` over real TCP."""
    with SyncShopSociallyClient(
        shop.partner_id, shop.api_key, base_url=served, retry_policy=NO_WAITING
    ) as client:
        yield client
