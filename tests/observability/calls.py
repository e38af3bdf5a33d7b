"""Every endpoint method, called with valid arguments on a client or on its raw view; and a
client on the fake.

Each entry takes ``client`` or ``client.with_raw_response`` (they have the same resources and
method names), so one table drives the plain call and its raw twin alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import anyio
import httpx

from shopsocially_async import Hooks, ShopSociallyClient
from shopsocially_async.testing import FakeShopSocially
from tests.unit.scripted import NO_WAIT

__all__ = ["CALLS", "EMAIL", "LISTINGS", "RESOURCES", "cancel_a_deduct_in_flight", "in_process"]

EMAIL = "ann@example.com"
JAN, FEB = date(2024, 1, 1), date(2024, 2, 1)

#: Resource attribute names on the client (and on ``client.with_raw_response``).
RESOURCES = ("points", "returns", "transactions", "users", "activities", "redemptions")

CALLS: dict[str, Callable[[Any], Awaitable[Any]]] = {
    "points.award": lambda c: c.points.award(
        user_email=EMAIL, activity_id="purchase", points_passed=120, order_id="A-1001"
    ),
    "points.redeem": lambda c: c.points.redeem(user_email=EMAIL, redemption_id="gift-10"),
    "points.deduct": lambda c: c.points.deduct(user_email=EMAIL, points_passed=50, reason="r"),
    "returns.create": lambda c: c.returns.create(order_id="A-1001"),
    "transactions.get": lambda c: c.transactions.get("tx-1"),
    "users.create": lambda c: c.users.create(
        first_name="Ann", last_name="Lee", email=EMAIL, uid="uid-1"
    ),
    "users.update": lambda c: c.users.update("uid-1", loyalty_level_id="gold"),
    "users.get": lambda c: c.users.get(EMAIL),
    "activities.list": lambda c: c.activities.list(),
    "activities.get": lambda c: c.activities.get("review"),
    "activities.create": lambda c: c.activities.create(
        activity_id="review",
        activity_name="Write a review",
        activity_description="Review a product",
        activity_type="fixed",
        max_award_frequency=1,
        max_award_frequency_interval="day",
        approval_method="immediate",
        points_per_activity=10,
    ),
    "activities.update": lambda c: c.activities.update("review", is_active=False),
    "redemptions.list": lambda c: c.redemptions.list(),
    "redemptions.get": lambda c: c.redemptions.get("gift-10"),
    "redemptions.create": lambda c: c.redemptions.create(
        redemption_id="gift-10",
        redemption_name="$10 gift card",
        allowed_redeem_points=1000,
        redemption_value=10,
        giftcard_description="Ten dollars",
        terms_and_conds_text="One per order",
        giftcard_coupon_codes=["C1"],
        coupon_expiry=date(2030, 1, 31),
    ),
    "redemptions.update": lambda c: c.redemptions.update("gift-10", redemption_name="$10 card"),
}

LISTINGS: dict[str, Callable[[Any], Any]] = {
    "transactions.list": lambda c: c.transactions.list(from_date=JAN, to_date=FEB),
    "users.list": lambda c: c.users.list(from_date=JAN, to_date=FEB),
    "users.transactions": lambda c: c.users.transactions(EMAIL, from_date=JAN, to_date=FEB),
}


def in_process(fake: FakeShopSocially, **options: Any) -> ShopSociallyClient:
    """A client on ``fake`` in process; retries do not wait."""
    return ShopSociallyClient(
        fake.partner_id, fake.api_key, base_url=fake.base_url_for_asgi,
        transport=fake.asgi_transport(), retry_policy=NO_WAIT, **options,
    )  # fmt: skip


async def cancel_a_deduct_in_flight(hooks: Hooks) -> None:
    """Start a deduct on a client with ``hooks`` whose server holds the answer, and cancel it
    once the request is out."""
    sent = anyio.Event()

    async def hold(request: httpx.Request) -> httpx.Response:
        sent.set()
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    client = ShopSociallyClient("p", "k", transport=httpx.MockTransport(hold), hooks=hooks)
    async with client, anyio.create_task_group() as tasks:
        tasks.start_soon(CALLS["points.deduct"], client)
        await sent.wait()
        tasks.cancel_scope.cancel()
