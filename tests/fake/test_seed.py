"""Seeding: fast, deterministic, realistic, and consistent with the ledger."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from shopsocially_async.testing import FakeShopSocially

from .conftest import AUTH, START, Clock

EMAIL = re.compile(r"[a-z]+\.[a-z]+\d+@example\.com")


def seeded(members: int = 200, transactions: int = 0, rng_seed: int = 0) -> FakeShopSocially:
    """A fake on the fixed clock, seeded."""
    fake = FakeShopSocially(clock=Clock())
    return fake.seed(members=members, transactions=transactions, rng_seed=rng_seed)


def test_ten_thousand_members_with_realistic_records() -> None:
    """10,000 members with realistic emails, unique uids and enrolment dates (the speed of
    seeding is measured outside the tests: see the closing note of the fake's issue)."""
    fake = FakeShopSocially(clock=Clock())
    assert fake.seed(members=10_000) is fake
    members = fake.members
    assert len(members) == 10_000
    assert all(EMAIL.fullmatch(m.email) for m in members)
    assert len({m.merchant_uid for m in members}) == 10_000
    assert all(START - timedelta(days=731) <= m.enrolled_at <= START for m in members)
    assert [m.enrolled_at for m in members] == sorted(m.enrolled_at for m in members)


def test_seeding_is_deterministic_under_a_seed() -> None:
    """Same seed and clock: the same members and ledger; another seed: other data."""
    first, again, other = seeded(300, 300), seeded(300, 300), seeded(300, 300, rng_seed=1)
    key = [(m.email, m.user_id, m.available_points, m.enrolled_at) for m in first.members]
    assert key == [(m.email, m.user_id, m.available_points, m.enrolled_at) for m in again.members]
    assert [(t.id, t.points, t.coupon_code) for t in first.ledger] == [
        (t.id, t.points, t.coupon_code) for t in again.ledger
    ]
    assert [m.email for m in first.members] != [m.email for m in other.members]


def test_default_catalog() -> None:
    """Five activities (one paused, one manual, one lifetime) and three gift cards."""
    fake = seeded(members=50)
    purchase = fake.activity("made_a_purchase")
    assert (purchase.activity_type, purchase.approval_method) == ("bonus_multiplier", "immediate")
    assert fake.activity("review").approval_method == "manual"
    twitter = fake.activity("twitter_follow")
    assert (twitter.max_award_frequency, twitter.max_award_frequency_interval) == (1, "lifetime")
    assert not fake.activity("facebook_share").is_active
    assert fake.activity("signup").activity_type == "fixed"
    for reward, points in (("$5_gift_card", 500), ("$10_gift_card", 1000), ("$50_gift_card", 5000)):
        redemption = fake.redemption(reward)
        assert redemption.allowed_redeem_points == points
        assert len(set(redemption.coupon_codes)) == len(redemption.coupon_codes) >= 1000


def test_history_spreads_over_the_past_year_and_matches_the_ledger() -> None:
    """Historical awards and redemptions lie in the past year and balances equal the ledger."""
    fake = seeded(members=300, transactions=1500)
    ledger = fake.ledger
    assert len(ledger) > 1000
    assert all(START - timedelta(days=366) <= t.created_at <= START for t in ledger)
    kinds = {t.transaction_type for t in ledger}
    assert kinds == {"award", "redeem"}
    orders = [t.order_id for t in ledger if t.activity_id == "made_a_purchase"]
    assert all(order and order.startswith("seed-order-") for order in orders)
    fake.check_ledger()


def test_seeding_twice_adds_new_members() -> None:
    """Numbering continues, so a second seed never collides with the first."""
    fake = seeded(members=100)
    fake.seed(members=100, rng_seed=5)
    assert len({m.email for m in fake.members}) == 200
    assert len(fake.redemption("$5_gift_card").coupon_codes) >= 1000


def test_custom_catalog_replaces_the_defaults() -> None:
    """Given activities and redemptions are used instead of the default set."""
    fake = FakeShopSocially(clock=Clock()).seed(
        members=10,
        activities=[{"activity_id": "visit", "points_per_activity": 3}],
        redemptions=[{"redemption_id": "mug", "allowed_redeem_points": 50, "redemption_value": 8}],
        transactions=20,
    )
    assert fake.activity("visit").points_per_activity == 3
    assert fake.redemption("mug").coupon_codes == []
    with pytest.raises(KeyError):
        fake.activity("made_a_purchase")
    fake.check_ledger()


@pytest.mark.anyio
async def test_seeded_users_page_through_without_gaps() -> None:
    """count=1000 pages over 2,500 seeded members return each exactly once."""
    fake = seeded(members=2500)
    transport = fake.asgi_transport()
    async with httpx.AsyncClient(
        transport=transport, base_url=fake.base_url_for_asgi, headers=AUTH
    ) as client:
        emails: list[str] = []
        start, more = 0, True
        while more:
            params = {"from_date": "01-01-2020", "to_date": "31-12-2024", "count": 1000}
            response = await client.get("/users", params={**params, "start_index": start})
            page = response.json()["data"]
            emails += [user["user_email"] for user in page["loyalty_users"]]
            start, more = page["next_start_index"], page["more"]
    assert emails == [m.email for m in fake.members]


def test_pytest_plugin_offers_fixtures() -> None:
    """The pytest11 entry point's module defines the fake fixtures."""
    from shopsocially_async.testing import pytest_plugin

    assert callable(pytest_plugin.shopsocially_fake)
    assert callable(pytest_plugin.shopsocially_seeded_fake)
