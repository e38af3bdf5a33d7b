"""Members, activities, redemption options and single transactions over real sockets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import attrs
import pytest

from shopsocially_async import Activity, Redemption, ShopSociallyClient, User, errors
from shopsocially_async.testing import FakeShopSocially

from .conftest import START, unique

pytestmark = pytest.mark.anyio

NewMember = Callable[..., str]


# -- users ---------------------------------------------------------------------------------
async def test_create_and_get_a_member(client: ShopSociallyClient, fake: FakeShopSocially) -> None:
    """A created member is what users.get returns, with no points yet; users.get carries no
    merchant_uid (its example has none), create does."""
    email, uid = f"{unique()}@example.com", unique("uid")
    created = await client.users.create(
        first_name="Grace", last_name="Hopper", email=email, uid=uid, gender="female",
        loyalty_level_id="gold",
    )  # fmt: skip
    record = fake.member(email)
    assert created == User(
        user_id=record.user_id,
        user_email=email,
        first_name="Grace",
        last_name="Hopper",
        profile_image_url=None,
        gender="female",
        redeemed_points=0,
        available_points=0,
        loyalty_level_id="gold",
        merchant_uid=uid,
    )
    fetched = await client.users.get(email)
    assert (fetched.user_id, fetched.user_email, fetched.merchant_uid) == (
        record.user_id,
        email,
        None,
    )
    assert (fetched.available_points, fetched.expiration_schedule) == (0, ())
    assert fetched.last_award_transaction is None  # the API's {} for "never awarded"


async def test_get_member_after_activity(client: ShopSociallyClient, new_member: NewMember) -> None:
    """users.get shows the balance, its expiry and the last award."""
    email = new_member(available_points=40)
    await client.points.award(user_email=email, activity_id="signup")
    user = await client.users.get(email)
    assert user.available_points == 140
    assert [entry.points for entry in user.expiration_schedule] == [140]
    assert user.last_award_transaction is not None
    assert (user.last_award_transaction.points, user.last_award_transaction.name) == (
        100,
        "Signed Up",
    )
    assert user.last_award_transaction.date == START


async def test_duplicate_uid_is_a_conflict(
    client: ShopSociallyClient, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """Enrolling a second member with a uid in use raises ConflictError."""
    taken = f"uid-{new_member()}"
    with pytest.raises(errors.ConflictError) as caught:
        await client.users.create(
            first_name="A", last_name="B", email=f"{unique()}@example.com", uid=taken
        )
    assert caught.value.error_code == "MEMBER_ID_ALREADY_IN_USE"
    assert not caught.value.outcome_unknown


async def test_update_sends_only_what_is_given(
    client: ShopSociallyClient, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """users.update changes the level and leaves the other fields alone."""
    email = new_member(available_points=5, gender="male")
    updated = await client.users.update(f"uid-{email}", loyalty_level_id="platinum")
    assert (updated.loyalty_level_id, updated.gender, updated.available_points) == (
        "platinum",
        "male",
        5,
    )
    assert fake.member(email).loyalty_level_id == "platinum"


async def test_unknown_member(client: ShopSociallyClient) -> None:
    """Fetching or updating a member that does not exist raises MemberNotFoundError."""
    with pytest.raises(errors.MemberNotFoundError):
        await client.users.get("nobody@example.com")
    with pytest.raises(errors.MemberNotFoundError) as caught:
        await client.users.update("no-such-uid", loyalty_level_id="gold")
    assert not caught.value.outcome_unknown


async def test_path_ids_are_one_percent_encoded_segment(
    client: ShopSociallyClient, fake: FakeShopSocially
) -> None:
    """Emails and uids with '/', '?', '#', '%', '+' and spaces reach the right member."""
    email = f"o'neil+{unique()}/x?y#z%41 b@example.com"
    uid = f"cust/{unique()}?a=1#frag %2F"
    await client.users.create(first_name="Odd", last_name="Chars", email=email, uid=uid)
    assert (await client.users.get(email)).user_email == email
    assert (await client.users.update(uid, loyalty_level_id="gold")).merchant_uid == uid
    await client.points.award(user_email=email, activity_id="signup")
    history = client.users.transactions(email, from_date=date(2024, 1, 1), to_date=START.date())
    assert [tx.points async for tx in history] == [100]
    assert fake.member(email).loyalty_level_id == "gold"


async def test_path_traversal_never_reaches_another_route(
    client: ShopSociallyClient, fake: FakeShopSocially
) -> None:
    """users.get('../activities') asks for a member named so, not for the activities."""
    with pytest.raises(errors.MemberNotFoundError):
        await client.users.get("../activities")
    with pytest.raises(errors.NotFoundError):
        await client.activities.get("../../users")
    assert fake.stats.requests["<unmatched>"] == 0


# -- transactions.get ----------------------------------------------------------------------
async def test_get_transaction(
    client: ShopSociallyClient, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """transactions.get returns the record of an award with its example's fields: no order
    id there (the member's history shows it, as its example does)."""
    email, order = new_member(), unique("order")
    award = await client.points.award(
        user_email=email, activity_id="made_a_purchase", points_passed=3, order_id=order
    )
    fetched = await client.transactions.get(award.id or "")
    assert (fetched.id, fetched.points, fetched.order_id, fetched.user_email) == (
        award.id,
        6,
        None,
        email,
    )
    history = client.users.transactions(email, from_date=START.date(), to_date=START.date())
    assert [(tx.id, tx.order_id) async for tx in history] == [(award.id, order)]
    assert (fetched.created_time, fetched.approved_time, fetched.partner_id) == (
        START,
        START,
        "test-partner",
    )


async def test_unknown_transaction(client: ShopSociallyClient) -> None:
    """A transaction id that does not exist raises TransactionNotFoundError."""
    with pytest.raises(errors.TransactionNotFoundError) as caught:
        await client.transactions.get("000000000000000000000000")
    assert caught.value.status_code == 404


# -- activities ----------------------------------------------------------------------------
async def test_list_and_get_activities(client: ShopSociallyClient) -> None:
    """activities.list holds the catalog; activities.get one of them, exactly, plus the two
    fields only Get Activity's example shows."""
    listed = {a.activity_id: a for a in await client.activities.list()}
    assert {"made_a_purchase", "signup", "review", "facebook_share"} <= set(listed)
    purchase = await client.activities.get("made_a_purchase")
    assert (purchase.loyalty_activity_img, purchase.show_on_merchant_center) != (None, None)
    only_in_get = {"loyalty_activity_img": None, "show_on_merchant_center": None}
    assert attrs.evolve(purchase, **only_in_get) == listed["made_a_purchase"]
    assert (purchase.activity_type, purchase.bonus_multiplier, purchase.is_active) == (
        "bonus_multiplier",
        2,
        True,
    )
    assert purchase.merchant_id == "test-partner"


async def test_create_and_update_an_activity(
    client: ShopSociallyClient, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """A created activity awards at once; pausing it by update makes awards refused."""
    activity_id = f"{unique('share')}/via email"  # a '/' and a space in a path id
    created = await client.activities.create(
        activity_id=activity_id, activity_name="Share via Email",
        activity_description="Earn points for sharing.", activity_type="fixed",
        max_award_frequency=100, max_award_frequency_interval="day",
        approval_method="immediate", points_per_activity=35,
    )  # fmt: skip
    assert isinstance(created, Activity)
    assert (created.activity_id, created.points_per_activity) == (activity_id, 35)
    fetched = await client.activities.get(activity_id)  # each example has its own extras
    assert attrs.evolve(fetched, show_on_merchant_center=None) == attrs.evolve(
        created, fixed_duration_period=None
    )
    email = new_member()
    assert (await client.points.award(user_email=email, activity_id=activity_id)).points == 35
    paused = await client.activities.update(activity_id, is_active=False, points_per_activity=40)
    assert (paused.is_active, paused.points_per_activity, paused.activity_name) == (
        False,
        40,
        "Share via Email",
    )
    with pytest.raises(errors.PausedActivityError):
        await client.points.award(user_email=email, activity_id=activity_id)
    assert fake.activity(activity_id).is_active is False


async def test_unknown_activity(client: ShopSociallyClient) -> None:
    """Fetching or updating an activity that does not exist raises NotFoundError."""
    with pytest.raises(errors.NotFoundError):
        await client.activities.get("nope")
    with pytest.raises(errors.NotFoundError) as caught:
        await client.activities.update("nope", is_active=True)
    assert not caught.value.outcome_unknown


# -- redemptions ---------------------------------------------------------------------------
async def test_list_and_get_redemptions(client: ShopSociallyClient) -> None:
    """redemptions.list holds the rewards; redemptions.get one of them, exactly."""
    listed = {r.redemption_id: r for r in await client.redemptions.list()}
    assert {"$5_gift_card", "paused_card", "empty_card"} <= set(listed)
    card = await client.redemptions.get("$5_gift_card")
    assert card == listed["$5_gift_card"]
    assert (card.allowed_redeem_points, card.redemption_value, card.is_active) == (
        100,
        Decimal(5),
        True,
    )


async def test_create_and_update_a_redemption(
    client: ShopSociallyClient, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """A created reward hands out its codes in order; an update refills the pool."""
    redemption_id = f"${unique('gift')} card/10"
    created = await client.redemptions.create(
        redemption_id=redemption_id, redemption_name="$10 Gift Card",
        allowed_redeem_points=1000, redemption_value=10, giftcard_description="Ten dollars.",
        terms_and_conds_text="One per order.", giftcard_coupon_codes=["GIFT-A1"],
        coupon_expiry=date(2027, 1, 1), is_active=True,
    )  # fmt: skip
    assert isinstance(created, Redemption)
    assert (created.redemption_id, created.coupon_expiry, created.redemption_value) == (
        redemption_id,
        date(2027, 1, 1),
        Decimal(10),
    )
    assert await client.redemptions.get(redemption_id) == created
    email = new_member(available_points=2500)
    first = await client.points.redeem(user_email=email, redemption_id=redemption_id)
    assert first.coupon_code == "GIFT-A1"
    with pytest.raises(errors.RewardUnavailableError):
        await client.points.redeem(user_email=email, redemption_id=redemption_id)
    updated = await client.redemptions.update(redemption_id, giftcard_coupon_codes=["GIFT-C3"])
    assert updated.redemption_name == "$10 Gift Card"
    second = await client.points.redeem(user_email=email, redemption_id=redemption_id)
    assert second.coupon_code == "GIFT-C3"
    assert fake.member(email).available_points == 500


async def test_unknown_redemption(client: ShopSociallyClient, new_member: NewMember) -> None:
    """An unknown reward: NotFoundError to fetch, a clean APIError to redeem."""
    with pytest.raises(errors.NotFoundError):
        await client.redemptions.get("nope")
    with pytest.raises(errors.APIError) as caught:
        await client.points.redeem(user_email=new_member(5000), redemption_id="nope")
    assert not caught.value.outcome_unknown
