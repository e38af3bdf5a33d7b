"""The loyalty rules of the fake, exercised on its state without HTTP."""

from __future__ import annotations

import contextlib
import random
import re
from collections.abc import Callable

import pytest

from shopsocially_async.testing import FakeApiError, FakeShopSocially
from shopsocially_async.testing._state import LoyaltyState

from .conftest import Clock, refused

BOB = "bob@shopsocially.com"
ALICE = "alice@example.com"


def assert_unchanged(fake: FakeShopSocially, ledger_size: int, balance: int) -> None:
    """Nothing was written: same ledger, same balance, and the invariant holds."""
    assert len(fake.ledger) == ledger_size
    assert fake.member(BOB).available_points == balance
    fake.check_ledger()


# -- award -------------------------------------------------------------------------------------
def test_fixed_award_adds_points_per_activity(fake: FakeShopSocially, state: LoyaltyState) -> None:
    """A fixed activity awards its points at once, auto-approved."""
    txn = state.award(BOB, "signup")
    assert (txn.points, txn.points_status, txn.transaction_type) == (100, "auto_approved", "award")
    assert fake.member(BOB).available_points == 1100
    assert fake.ledger_balance(BOB) == 1100
    assert re.fullmatch(r"[0-9a-f]{24}", txn.id)


def test_points_passed_overrides_fixed_points(state: LoyaltyState) -> None:
    """``points_passed`` replaces the configured points of a fixed activity, rounded down."""
    assert state.award(BOB, "review", "70.9").points == 70


def test_bonus_multiplier_award_multiplies_the_order_amount(
    fake: FakeShopSocially, state: LoyaltyState
) -> None:
    """A bonus activity awards floor(amount x multiplier)."""
    txn = state.award(BOB, "made_a_purchase", "26.95")
    assert txn.points == 53
    assert fake.member(BOB).available_points == 1053


def test_bonus_multiplier_requires_points_passed(
    fake: FakeShopSocially, state: LoyaltyState
) -> None:
    """Without ``points_passed`` a bonus activity is a 400 missing parameter."""
    error = refused(lambda: state.award(BOB, "made_a_purchase"))
    assert error.status == 400
    assert error.body == {
        "error": {"success": False, "reason": "Missing parameters: points_passed"}
    }
    assert_unchanged(fake, 0, 1000)


@pytest.mark.parametrize("value", ["abc", "-5", "0", True, "NaN", [1]])
def test_bad_points_passed_is_a_400(
    fake: FakeShopSocially, state: LoyaltyState, value: object
) -> None:
    """Non-numeric, non-positive or boolean amounts are INVALID_REQUEST_PARAMETER_VALUES."""
    error = refused(lambda: state.award(BOB, "signup", value))
    assert (error.status, error.code) == (400, "INVALID_REQUEST_PARAMETER_VALUES")
    assert_unchanged(fake, 0, 1000)


def test_paused_activity_is_refused(fake: FakeShopSocially, state: LoyaltyState) -> None:
    """A paused activity answers PAUSED_ACTIVITY with HTTP 200."""
    error = refused(lambda: state.award(BOB, "facebook_share"))
    assert (error.status, error.code) == (200, "PAUSED_ACTIVITY")
    assert_unchanged(fake, 0, 1000)


def test_unknown_activity_is_a_parameter_error(fake: FakeShopSocially, state: LoyaltyState) -> None:
    """An unknown activity_id in a body is INVALID_REQUEST_PARAMETER_VALUES with HTTP 400."""
    error = refused(lambda: state.award(BOB, "no_such_activity"))
    assert (error.status, error.code) == (400, "INVALID_REQUEST_PARAMETER_VALUES")
    assert error.body["success"] is False


def test_unknown_member_is_invalid_member(state: LoyaltyState) -> None:
    """Awarding, redeeming or deducting for an unknown email answers INVALID_MEMBER."""
    for operation in (
        lambda: state.award("nobody@x.com", "signup"),
        lambda: state.redeem("nobody@x.com", "$5_gift_card"),
        lambda: state.deduct("nobody@x.com", 5, "why"),
    ):
        error = refused(operation)
        assert (error.status, error.code) == (200, "INVALID_MEMBER")


def test_email_is_matched_without_regard_to_case(state: LoyaltyState) -> None:
    """``BOB@ShopSocially.com`` is Bob."""
    assert state.award("BOB@ShopSocially.com", "signup").user_email == BOB


def test_lifetime_frequency_allows_one_award(
    fake: FakeShopSocially, state: LoyaltyState, clock: Clock
) -> None:
    """A lifetime limit of 1 refuses the second award, even a year later."""
    state.award(BOB, "signup")
    clock.advance(days=400)
    error = refused(lambda: state.award(BOB, "signup"))
    assert error.code == "MAX_AWARDS_EXCEEDED"
    assert len(fake.ledger) == 1
    assert state.award(ALICE, "signup").points == 100


def test_weekly_frequency_resets_on_monday(state: LoyaltyState, clock: Clock) -> None:
    """Two a week: a third on Sunday is refused, Monday's is allowed."""
    state.award(BOB, "daily_visit")
    state.award(BOB, "daily_visit")
    clock.advance(days=3)  # Sunday
    assert refused(lambda: state.award(BOB, "daily_visit")).code == "MAX_AWARDS_EXCEEDED"
    clock.advance(days=1)  # Monday
    assert state.award(BOB, "daily_visit").points == 5


def test_manual_award_is_pending_until_approved(
    fake: FakeShopSocially, state: LoyaltyState
) -> None:
    """A manual award is pending and not spendable; approving it makes it available."""
    txn = state.award(BOB, "review")
    assert (txn.points_status, txn.approved_at, txn.auto_approval_at) == ("pending", None, None)
    assert fake.member(BOB).available_points == 1000
    approved = fake.approve(txn.id, approved_by="Jai")
    assert (approved.points_status, approved.approved_by) == ("approved", "Jai")
    assert fake.member(BOB).available_points == 1050
    fake.check_ledger()


def test_monthly_award_waits_for_the_first_of_next_month(state: LoyaltyState) -> None:
    """A monthly award is pending with next month's first day as auto-approval date."""
    txn = state.award(BOB, "newsletter")
    assert txn.points_status == "pending"
    assert txn.auto_approval_at is not None
    assert (txn.auto_approval_at.month, txn.auto_approval_at.day) == (4, 1)


def test_duplicate_order_id_is_refused_for_any_member(
    fake: FakeShopSocially, state: LoyaltyState
) -> None:
    """An order id awarded once is DUPLICATE_ORDER_ID afterwards, whoever asks."""
    state.award(BOB, "made_a_purchase", 10, "order-1")
    for email in (BOB, ALICE):
        error = refused(lambda email=email: state.award(email, "made_a_purchase", 10, "order-1"))
        assert (error.status, error.code) == (200, "DUPLICATE_ORDER_ID")
    assert len(fake.ledger) == 1
    assert fake.member(ALICE).available_points == 0


# -- redeem and deduct -------------------------------------------------------------------------
def test_redeem_spends_points_and_pops_coupons_in_order(
    fake: FakeShopSocially, state: LoyaltyState
) -> None:
    """Redeeming takes the reward's points and hands out its codes first to last."""
    state.award(BOB, "made_a_purchase", 500)
    first = state.redeem(BOB, "$50_gift_card")
    second = state.redeem(BOB, "$50_gift_card")
    assert (first.coupon_code, second.coupon_code) == ("GET50OFF", "GET50OFF-2")
    assert (first.points, first.points_status, first.redemption_value) == (1000, "redeemed", "$50")
    member = fake.member(BOB)
    assert (member.available_points, member.redeemed_points) == (0, 2000)
    assert fake.redemption("$50_gift_card").coupon_codes == []
    fake.check_ledger()


def test_redeem_with_too_few_points_keeps_the_coupon(
    fake: FakeShopSocially, state: LoyaltyState
) -> None:
    """INSUFFICIENT_REDEEMABLE_POINTS leaves the pool and the balance alone."""
    error = refused(lambda: state.redeem(ALICE, "$5_gift_card"))
    assert (error.status, error.code) == (200, "INSUFFICIENT_REDEEMABLE_POINTS")
    assert fake.redemption("$5_gift_card").coupon_codes == ["FIVE-1"]


@pytest.mark.parametrize(
    ("redemption_id", "status", "code"),
    [
        ("paused_card", 200, "INACTIVE_REWARD"),
        ("empty_card", 200, "MAX_REWARDS_EXCEEDED"),
        ("no_such_card", 400, "INVALID_REQUEST_PARAMETER_VALUES"),
    ],
)
def test_redeem_refusals(
    fake: FakeShopSocially, state: LoyaltyState, redemption_id: str, status: int, code: str
) -> None:
    """Inactive and exhausted rewards are refused with HTTP 200, an unknown one with 400."""
    error = refused(lambda: state.redeem(BOB, redemption_id))
    assert (error.status, error.code) == (status, code)
    assert_unchanged(fake, 0, 1000)


def test_codes_running_out_is_max_rewards_exceeded(state: LoyaltyState) -> None:
    """The redemption after the last code is MAX_REWARDS_EXCEEDED."""
    state.redeem(BOB, "$5_gift_card")
    assert refused(lambda: state.redeem(BOB, "$5_gift_card")).code == "MAX_REWARDS_EXCEEDED"


def test_deduct_reports_the_balance_after(fake: FakeShopSocially, state: LoyaltyState) -> None:
    """Deduct takes points off and says what is left."""
    txn = state.deduct(BOB, "250", "invalid transaction")
    assert (txn.points, txn.points_status, txn.available_points_after) == (250, "deducted", 750)
    assert txn.reason == "invalid transaction"
    assert fake.ledger_balance(BOB) == 750


def test_deduct_never_goes_below_zero(fake: FakeShopSocially, state: LoyaltyState) -> None:
    """Deducting more than the balance is INVALID_AMOUNT_TO_DEDUCT."""
    error = refused(lambda: state.deduct(BOB, 1001, "too much"))
    assert (error.status, error.code) == (200, "INVALID_AMOUNT_TO_DEDUCT")
    assert_unchanged(fake, 0, 1000)
    assert state.deduct(BOB, 1000, "all").available_points_after == 0


@pytest.mark.parametrize("points", ["0", "-3", "x"])
def test_deduct_needs_a_positive_amount(state: LoyaltyState, points: str) -> None:
    """Zero, negative or non-numeric deductions are a 400."""
    assert refused(lambda: state.deduct(BOB, points, "why")).status == 400


# -- members and catalog -----------------------------------------------------------------------
def test_email_and_uid_are_unique(state: LoyaltyState) -> None:
    """A taken email (any case) or uid is MEMBER_ID_ALREADY_IN_USE."""
    for params in (
        {"email": "BOB@shopsocially.com", "uid": "new"},
        {"email": "new@x.com", "uid": "merc"},
    ):
        error = refused(lambda params=params: state.create_member(params))
        assert (error.status, error.code) == (200, "MEMBER_ID_ALREADY_IN_USE")
    assert len(state.members) == 2


def test_update_member_changes_only_given_fields(state: LoyaltyState) -> None:
    """Update by uid touches the fields given and reports whether anything changed."""
    member, changed = state.update_member("merc", {"loyalty_level_id": "gold"})
    assert changed
    assert (member.loyalty_level_id, member.first_name, member.available_points) == (
        "gold",
        "Bob",
        1000,
    )
    assert state.update_member("merc", {})[1] is False
    assert refused(lambda: state.update_member("nope", {})).code == "INVALID_MEMBER"


def test_activity_ids_are_unique_and_values_checked(state: LoyaltyState) -> None:
    """A taken activity_id, an unknown type or interval are each a 400."""
    base = {
        "activity_id": "signup",
        "activity_name": "n",
        "activity_description": "d",
        "activity_type": "fixed",
        "max_award_frequency": 1,
        "max_award_frequency_interval": "day",
        "approval_method": "immediate",
    }
    assert refused(lambda: state.create_activity(base)).status == 400
    for bad in (
        {"activity_type": "random"},
        {"max_award_frequency_interval": "hour"},
        {"max_award_frequency": "0"},
        {"is_active": "maybe"},
    ):
        error = refused(lambda bad=bad: state.create_activity({**base, "activity_id": "x", **bad}))
        assert (error.status, error.code) == (400, "INVALID_REQUEST_PARAMETER_VALUES")
    assert "x" not in state.activities


def test_activity_update_is_all_or_nothing(state: LoyaltyState) -> None:
    """One bad field leaves every field of the activity as it was."""
    activity = state.activities["signup"]
    refused(
        lambda: state.update_activity(activity, {"activity_name": "New", "bonus_multiplier": "-1"})
    )
    assert activity.activity_name == "Signup"
    state.update_activity(activity, {"activity_name": "New", "is_active": "false"})
    assert (activity.activity_name, activity.is_active, activity.points_per_activity) == (
        "New",
        False,
        100,
    )


def test_redemption_update_replaces_the_coupon_pool(state: LoyaltyState) -> None:
    """A comma-separated ``giftcard_coupon_codes`` replaces the pool; expiry reads DD-Mon-YYYY."""
    redemption = state.redemptions["empty_card"]
    state.update_redemption(
        redemption, {"giftcard_coupon_codes": "a, b,,c", "coupon_expiry": "01-Jan-2030"}
    )
    assert redemption.coupon_codes == ["a", "b", "c"]
    assert str(redemption.coupon_expiry) == "2030-01-01"
    error = refused(lambda: state.update_redemption(redemption, {"coupon_expiry": "2030-01-01"}))
    assert error.body == {
        "error": {
            "success": False,
            "reason": "Unexpected date format for coupon_expiry: expected DD-MMM-YYYY",
        }
    }


def test_transaction_lookup_is_404(state: LoyaltyState) -> None:
    """An unknown transaction id is HTTP 404 TRANSACTION_DOES_NOT_EXIST."""
    error = refused(lambda: state.transaction("0" * 24))
    assert error.status == 404
    assert error.body == {
        "success": False,
        "error_code": "TRANSACTION_DOES_NOT_EXIST",
        "reason": "Transaction does not exist.",
    }


def test_balance_always_equals_the_ledger(
    fake: FakeShopSocially, state: LoyaltyState, clock: Clock
) -> None:
    """Hundreds of random writes, refused or not, never break balance == ledger."""
    rng = random.Random(7)
    for n in range(400):
        email = rng.choice([BOB, ALICE])
        operations: list[Callable[[str, int], object]] = [
            lambda e, k: state.award(e, "made_a_purchase", rng.randrange(1, 300), f"o{k}"),
            lambda e, _: state.award(e, rng.choice(["signup", "review", "daily_visit"])),
            lambda e, _: state.redeem(e, rng.choice(["$5_gift_card", "$50_gift_card"])),
            lambda e, _: state.deduct(e, rng.randrange(1, 400), "adjustment"),
            lambda _, k: state.process_return(f"o{rng.randrange(k + 1)}", rng.choice([None, 5])),
        ]
        with contextlib.suppress(FakeApiError):
            rng.choice(operations)(email, n)
        clock.advance(hours=7)
        fake.check_ledger()
    assert len(fake.ledger) > 100
