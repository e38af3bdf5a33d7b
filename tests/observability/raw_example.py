"""Raw responses: the status, headers and body behind a call, and its typed result."""

import json
from datetime import date

import pytest

from shopsocially_async import ShopSociallyClient, Transaction
from shopsocially_async.testing import FakeShopSocially, Fault

pytestmark = pytest.mark.anyio


async def test_an_award_and_its_response(
    shopsocially_fake: FakeShopSocially, shopsocially_client: ShopSociallyClient
) -> None:
    shopsocially_fake.add_member("bob@example.com", available_points=100)
    shopsocially_fake.add_activity("made_a_purchase", "bonus_multiplier", bonus_multiplier=2)
    shopsocially_fake.inject(Fault("unavailable", route="POST /award", times=1))  # one 503

    raw = await shopsocially_client.with_raw_response.points.award(
        user_email="bob@example.com",
        activity_id="made_a_purchase",
        points_passed=60,
        order_id="A-1001",
    )
    assert (raw.status_code, raw.retries) == (200, 1)  # retried once: order_id makes it safe
    assert raw.headers["Content-Type"] == "application/json"
    assert json.loads(raw.content)["data"]["points"] == 120
    assert raw.request.route == "POST /award"  # raw.request.url holds the member's email
    tx: Transaction = raw.parse()  # exactly what client.points.award returns
    assert tx.points == 120
    assert shopsocially_fake.member("bob@example.com").available_points == 220  # awarded once


async def test_each_page_and_its_response(
    shopsocially_seeded_fake: FakeShopSocially, shopsocially_client: ShopSociallyClient
) -> None:
    members = shopsocially_client.with_raw_response.users.list(
        from_date=date(2000, 1, 1), to_date=date(2100, 1, 1), count=40
    )
    sizes = []
    async for raw in members.pages():
        assert raw.status_code == 200
        sizes.append(len(raw.parse().items))  # a Page[User]
    assert sizes == [40, 40, 20]
