"""Test your loyalty code against the fake ShopSocially program (no account, no network)."""

import logging

import pytest

from shopsocially_async import ShopSociallyClient, errors
from shopsocially_async.testing import FakeShopSocially, Fault

pytestmark = pytest.mark.anyio  # async tests run under anyio (asyncio, and trio if installed)
log = logging.getLogger(__name__)


# Your integration code: reward a shipped order, at most once, and report the new balance.
async def reward_order(client: ShopSociallyClient, email: str, order_id: str, total: float) -> int:
    try:
        await client.points.award(
            user_email=email, activity_id="made_a_purchase", points_passed=total, order_id=order_id
        )
    except errors.DuplicateOrderError as exc:
        # Rewarded already: by an earlier call, or (exc.replay) by a retry of this very call.
        log.info("order %s was rewarded already (replay=%s)", order_id, exc.replay)
    user = await client.users.get(email)
    return user.available_points or 0


@pytest.fixture
def shop(shopsocially_fake: FakeShopSocially) -> FakeShopSocially:
    """The program your tests expect: one member and a 2-points-per-dollar purchase activity."""
    shopsocially_fake.add_member("bob@example.com", "Bob", "Baker", available_points=100)
    shopsocially_fake.add_activity("made_a_purchase", "bonus_multiplier", bonus_multiplier=2)
    return shopsocially_fake


async def test_an_order_is_rewarded_once(
    shop: FakeShopSocially, shopsocially_client: ShopSociallyClient
) -> None:
    assert await reward_order(shopsocially_client, "bob@example.com", "A-1001", 60.0) == 220
    assert await reward_order(shopsocially_client, "bob@example.com", "A-1001", 60.0) == 220
    assert [t.points for t in shop.ledger] == [120]


async def test_a_dropped_connection_is_retried_safely(
    shop: FakeShopSocially, shopsocially_socket_client: ShopSociallyClient
) -> None:
    # The server applies the award, then drops the connection before answering.
    shop.inject(Fault("drop_after", route="POST /award", times=1))
    assert await reward_order(shopsocially_socket_client, "bob@example.com", "A-1002", 60.0) == 220
    assert shop.stats.faults["drop_after"] == 1
    shop.check_ledger()  # every balance equals the sum of its transactions


async def test_a_failed_deduction_is_reported(
    shop: FakeShopSocially, shopsocially_client: ShopSociallyClient
) -> None:
    with pytest.raises(errors.InsufficientPointsError):
        await shopsocially_client.points.deduct(
            user_email="bob@example.com", points_passed=500, reason="return"
        )
    assert shop.member("bob@example.com").available_points == 100


async def test_against_a_seeded_program(
    shopsocially_seeded_fake: FakeShopSocially, shopsocially_client: ShopSociallyClient
) -> None:
    member = shopsocially_seeded_fake.members[0]  # 100 members, the same on every run
    user = await shopsocially_client.users.get(member.email)
    assert user.available_points == member.available_points
