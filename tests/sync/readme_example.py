"""Blocking code (an order webhook, a cron job) and its test, with the blocking fixture."""

import contextlib
from datetime import date

from shopsocially_async import errors
from shopsocially_async.sync import SyncShopSociallyClient
from shopsocially_async.testing import FakeShopSocially


def on_order_shipped(client: SyncShopSociallyClient, email: str, order: str, total: float) -> int:
    with contextlib.suppress(errors.DuplicateOrderError):  # rewarded already: fine
        client.points.award(
            user_email=email, activity_id="made_a_purchase", points_passed=total, order_id=order
        )
    return client.users.get(email).available_points or 0


def test_a_shipped_order_is_rewarded_once(
    shopsocially_fake: FakeShopSocially, shopsocially_sync_client: SyncShopSociallyClient
) -> None:
    shopsocially_fake.add_member("bob@example.com", available_points=100)
    shopsocially_fake.add_activity("made_a_purchase", "bonus_multiplier", bonus_multiplier=2)
    assert on_order_shipped(shopsocially_sync_client, "bob@example.com", "A-1", 60.0) == 220
    assert on_order_shipped(shopsocially_sync_client, "bob@example.com", "A-1", 60.0) == 220
    history = shopsocially_sync_client.users.transactions(
        "bob@example.com", from_date=date(2000, 1, 1), to_date=date(2100, 1, 1)
    )
    assert [tx.points for tx in history] == [120]
