"""Points and returns over real sockets: exact models back, business errors as their classes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest

from shopsocially_async import ShopSociallyClient, Transaction, errors
from shopsocially_async.testing import FakeShopSocially

from .conftest import START, Served, make_client, unique

pytestmark = pytest.mark.anyio

NewMember = Callable[..., str]


def person(fake: FakeShopSocially, email: str) -> dict[str, object]:
    """The member fields every transaction view repeats."""
    member = fake.member(email)
    return {
        "user_id": member.user_id,
        "user_email": email,
        "user_first_name": "Ada",
        "user_last_name": "Lovelace",
        "partner_id": "test-partner",
        "created_time": START,
    }


async def test_award_fixed_activity(
    client: ShopSociallyClient, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """A fixed activity awards its points at once; the model is exactly the fake's record."""
    email = new_member()
    tx = await client.points.award(user_email=email, activity_id="signup")
    assert tx == Transaction(
        id=tx.id,
        transaction_type="award",
        points=100,
        points_status="auto_approved",
        activity_id="signup",
        activity_name="Signed Up",
        **person(fake, email),  # type: ignore[arg-type]
    )
    assert fake.transaction(tx.id or "").points == 100
    assert fake.member(email).available_points == 100


async def test_award_bonus_multiplier_with_order(
    client: ShopSociallyClient, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """points_passed times the multiplier, floored; the order id is recorded."""
    email, order = new_member(), unique("order")
    tx = await client.points.award(
        user_email=email, activity_id="made_a_purchase", points_passed=Decimal("60.75"),
        order_id=order,
    )  # fmt: skip
    assert (tx.points, tx.points_status, tx.activity_name) == (
        121,
        "auto_approved",
        "Made a Purchase",
    )
    assert fake.transaction(tx.id or "").order_id == order
    assert fake.member(email).available_points == 121


async def test_points_passed_overrides_fixed_points(
    client: ShopSociallyClient, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """A fixed activity given points_passed awards that many points instead."""
    email = new_member()
    tx = await client.points.award(user_email=email, activity_id="signup", points_passed=7)
    assert tx.points == 7
    assert fake.ledger_balance(email) == 7


async def test_manual_approval_is_pending_until_approved(
    client: ShopSociallyClient, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """A manual activity's award is pending and not spendable until the merchant approves it."""
    email = new_member()
    tx = await client.points.award(user_email=email, activity_id="review")
    assert (tx.points, tx.points_status) == (50, "pending")
    assert (await client.users.get(email)).available_points == 0
    fake.approve(tx.id or "")
    fetched = await client.transactions.get(tx.id or "")
    assert fetched.points_status == "approved"
    assert (await client.users.get(email)).available_points == 50


async def test_duplicate_order_is_refused(
    client: ShopSociallyClient, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """A second award for an order id raises DuplicateOrderError (not a replay); nothing moves."""
    email, order = new_member(), unique("order")
    await client.points.award(
        user_email=email, activity_id="made_a_purchase", points_passed=10, order_id=order
    )
    with pytest.raises(errors.DuplicateOrderError) as caught:
        await client.points.award(
            user_email=email, activity_id="made_a_purchase", points_passed=10, order_id=order
        )
    assert (caught.value.replay, caught.value.outcome_unknown) == (False, False)
    assert caught.value.error_code == "DUPLICATE_ORDER_ID"
    assert fake.member(email).available_points == 20


async def test_paused_activity_is_refused(
    client: ShopSociallyClient, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """Awarding a paused activity raises PausedActivityError; a clean refusal."""
    email = new_member()
    with pytest.raises(errors.PausedActivityError) as caught:
        await client.points.award(user_email=email, activity_id="facebook_share")
    assert caught.value.status_code == 200
    assert not caught.value.outcome_unknown
    assert fake.ledger_balance(email) == 0


async def test_award_limit_is_refused(
    client: ShopSociallyClient, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """A once-per-lifetime activity awarded twice raises AwardLimitError."""
    email = new_member()
    await client.points.award(user_email=email, activity_id="signup")
    with pytest.raises(errors.AwardLimitError) as caught:
        await client.points.award(user_email=email, activity_id="signup")
    assert caught.value.error_code == "MAX_AWARDS_EXCEEDED"
    assert fake.member(email).available_points == 100


async def test_unknown_member_is_refused(client: ShopSociallyClient) -> None:
    """Awarding to nobody raises MemberNotFoundError."""
    with pytest.raises(errors.MemberNotFoundError) as caught:
        await client.points.award(user_email="nobody@example.com", activity_id="signup")
    assert caught.value.error_code == "INVALID_MEMBER"


async def test_unknown_activity_is_a_clean_api_error(
    client: ShopSociallyClient, new_member: NewMember
) -> None:
    """An activity id the program lacks is refused with the API's parameter error: HTTP 400,
    so a BadRequestError (002's status table)."""
    with pytest.raises(errors.BadRequestError) as caught:
        await client.points.award(user_email=new_member(), activity_id="no_such_activity")
    assert (caught.value.status_code, caught.value.error_code) == (
        400,
        "INVALID_REQUEST_PARAMETER_VALUES",
    )
    assert not caught.value.outcome_unknown


async def test_redeem_hands_out_a_coupon(
    client: ShopSociallyClient, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """Redeeming spends the reward's points and returns its next coupon code."""
    email = new_member(available_points=250)
    expected_code = fake.redemption("$5_gift_card").coupon_codes[0]
    tx = await client.points.redeem(user_email=email, redemption_id="$5_gift_card")
    assert tx == Transaction(
        id=tx.id,
        transaction_type="redeem",
        points=100,
        points_status="redeemed",
        redemption_id="$5_gift_card",
        redemption_name="$5 Gift Card",
        redemption_value=Decimal(5),
        coupon_code=expected_code,
        **person(fake, email),  # type: ignore[arg-type]
    )
    user = await client.users.get(email)
    assert (user.available_points, user.redeemed_points) == (150, 100)


async def test_redeem_without_enough_points(
    client: ShopSociallyClient, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """Redeeming more than the balance raises InsufficientPointsError; no code is used."""
    email = new_member(available_points=99)
    codes = len(fake.redemption("$5_gift_card").coupon_codes)
    with pytest.raises(errors.InsufficientPointsError) as caught:
        await client.points.redeem(user_email=email, redemption_id="$5_gift_card")
    assert caught.value.error_code == "INSUFFICIENT_REDEEMABLE_POINTS"
    assert len(fake.redemption("$5_gift_card").coupon_codes) == codes


@pytest.mark.parametrize(
    ("redemption_id", "code"),
    [("paused_card", "INACTIVE_REWARD"), ("empty_card", "MAX_REWARDS_EXCEEDED")],
)
async def test_unavailable_rewards(
    client: ShopSociallyClient, new_member: NewMember, redemption_id: str, code: str
) -> None:
    """A paused reward or one out of codes raises RewardUnavailableError."""
    with pytest.raises(errors.RewardUnavailableError) as caught:
        await client.points.redeem(user_email=new_member(500), redemption_id=redemption_id)
    assert caught.value.error_code == code


async def test_deduct_reports_the_balance_after(
    client: ShopSociallyClient, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """A deduction returns the transaction with the balance left."""
    email = new_member(available_points=80)
    tx = await client.points.deduct(user_email=email, points_passed=30, reason="goodwill reversal")
    assert tx == Transaction(
        id=tx.id,
        transaction_type="deduct",
        points=30,
        points_status="deducted",
        available_points=50,
        **person(fake, email),  # type: ignore[arg-type]
    )
    assert fake.transaction(tx.id or "").reason == "goodwill reversal"


async def test_deduct_below_zero_is_refused(
    client: ShopSociallyClient, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """Deducting more than the balance raises InsufficientPointsError."""
    email = new_member(available_points=10)
    with pytest.raises(errors.InsufficientPointsError) as caught:
        await client.points.deduct(user_email=email, points_passed=11, reason="too much")
    assert caught.value.error_code == "INVALID_AMOUNT_TO_DEDUCT"
    assert fake.member(email).available_points == 10


async def test_full_return(
    client: ShopSociallyClient, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """A full return takes the order's points back in a pending deduction."""
    email, order = new_member(), unique("order")
    await client.points.award(
        user_email=email, activity_id="made_a_purchase", points_passed=50, order_id=order
    )
    tx = await client.returns.create(order_id=order)
    assert tx == Transaction(
        id=tx.id,
        transaction_type="deduct",
        points=100,
        points_status="pending_deduction",
        returned_for_order_id=order,
        reason="Order Fully Returned",
        updated_time=START,
        auto_approval_date=START + timedelta(days=30),
        **person(fake, email),  # type: ignore[arg-type]
    )
    assert (await client.users.get(email)).available_points == 0
    with pytest.raises(errors.BadRequestError):
        await client.returns.create(order_id=order)  # nothing left to return


async def test_partial_returns(
    client: ShopSociallyClient, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """A partial return re-awards the points for what was kept; the next works on the rest."""
    email, order = new_member(), unique("order")
    await client.points.award(
        user_email=email, activity_id="made_a_purchase", points_passed=100, order_id=order
    )
    first = await client.returns.create(order_id=order, returned_amount=Decimal("25.50"))
    assert (first.points, first.reason) == (200, "Order Partially Returned")
    assert fake.member(email).available_points == 149  # floor(74.50 * 2)
    second = await client.returns.create(order_id=order, returned_amount=Decimal("74.50"))
    assert (second.points, second.reason) == (149, "Order Fully Returned")
    assert (await client.users.get(email)).available_points == 0
    fake.check_ledger()


async def test_product_return(
    client: ShopSociallyClient, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """A product return takes back the points of the units returned, answers in the
    returns-tracking shape, and shows in the member's history against the order; units no
    longer there and unknown products are refused with their codes, nothing applied."""
    email, order = new_member(), unique("order")
    lines = [
        {"product_id": "lamp", "quantity": 1, "amount": 50},
        {"product_id": "mug", "quantity": 4, "amount": 100},
    ]
    await client.points.award(
        user_email=email, activity_id="made_a_purchase", points_passed=150, order_id=order,
        extra_body={"products": lines},
    )  # fmt: skip
    tx = await client.returns.create(order_id=order, returned_product_id="mug", quantity=3)
    assert tx == Transaction(
        user_email=email,
        first_name="Ada",
        last_name="Lovelace",
        points=150,  # 3 of 4 mugs: 75 of the 150 order amount, x2
        points_status="pending_deduction",
        returned_for_order_id=order,
        reason="Order Partially Returned",
        created_time=START,
    )
    for product, quantity, code in (
        ("mug", 2, "PRODUCT_QUANTITY_EXCEEDED"),
        ("sofa", 1, "INVALID_PRODUCT_ID"),
    ):
        with pytest.raises(errors.APIError) as caught:
            await client.returns.create(
                order_id=order, returned_product_id=product, quantity=quantity
            )
        assert (
            caught.value.status_code,
            caught.value.error_code,
            caught.value.outcome_unknown,
        ) == (
            200,
            code,
            False,
        )
    history = client.users.transactions(email, from_date=START.date(), to_date=START.date())
    rows = [(t.transaction_type, t.points, t.order_id, t.reason) async for t in history]
    assert rows == [
        ("award", 300, order, None),
        ("deduct", 150, order, "Order Partially Returned"),
    ]
    assert fake.member(email).available_points == 150
    fake.check_ledger()


async def test_return_of_an_unknown_order(client: ShopSociallyClient) -> None:
    """Returning an order nobody was awarded for raises OrderNotFoundError."""
    with pytest.raises(errors.OrderNotFoundError) as caught:
        await client.returns.create(order_id=unique("never"))
    assert not caught.value.outcome_unknown


async def test_form_encoded_writes(
    served: Served, engine: str, fake: FakeShopSocially, new_member: NewMember
) -> None:
    """body_encoding="form" (the reference's curl style) works for every kind of write."""
    email, order = new_member(available_points=500), unique("order")
    async with make_client(served, engine, body_encoding="form") as client:
        award = await client.points.award(
            user_email=email, activity_id="made_a_purchase", points_passed=Decimal("12.5"),
            order_id=order,
        )  # fmt: skip
        redeem = await client.points.redeem(user_email=email, redemption_id="$5_gift_card")
        deduct = await client.points.deduct(user_email=email, points_passed=5, reason="form")
        returned = await client.returns.create(order_id=order, returned_amount=Decimal("2.5"))
        act = await client.activities.create(
            activity_id=unique("act"), activity_name="Form", activity_description="via form",
            activity_type="fixed", max_award_frequency=3, max_award_frequency_interval="week",
            approval_method="manual", is_active=False, points_per_activity=15,
        )  # fmt: skip
    assert (award.points, redeem.points, deduct.available_points) == (25, 100, 420)
    assert (returned.points, returned.points_status) == (25, "pending_deduction")
    assert (act.is_active, act.points_per_activity, act.max_award_frequency) == (False, 15, 3)
    assert fake.member(email).available_points == 415  # 420 - 25 + floor(10 * 2)
    fake.check_ledger()


@pytest.mark.parametrize(
    ("partner_id", "api_key"), [("test-partner", "wrong-key"), ("someone-else", "test-api-key")]
)
async def test_wrong_credentials(
    served: Served, engine: str, new_member: NewMember, partner_id: str, api_key: str
) -> None:
    """Wrong credentials raise AuthenticationError, for reads and writes; nothing applies."""
    email = new_member()
    async with make_client(served, engine, partner_id=partner_id, api_key=api_key) as client:
        with pytest.raises(errors.AuthenticationError) as caught:
            await client.points.award(user_email=email, activity_id="signup")
        assert (caught.value.status_code, caught.value.error_code) == (401, "ERROR_UNAUTHORIZED")
        assert not caught.value.outcome_unknown
        with pytest.raises(errors.AuthenticationError):
            await client.activities.list()
    assert served.fake.ledger_balance(email) == 0
