"""Returns: full and partial, repeated, refused, and on awards still pending."""

from __future__ import annotations

import pytest

from shopsocially_async.testing import FakeShopSocially
from shopsocially_async.testing._state import LoyaltyState

from .conftest import refused

BOB = "bob@shopsocially.com"


@pytest.fixture
def ordered(state: LoyaltyState) -> LoyaltyState:
    """Bob bought for 100.00 (x2 = 200 points), order ``A-1``; balance 1,200."""
    state.award(BOB, "made_a_purchase", "100.00", "A-1")
    return state


def test_unknown_order_is_order_not_exist(state: LoyaltyState) -> None:
    """A return for an order never awarded answers ORDER_NOT_EXIST with HTTP 200."""
    error = refused(lambda: state.process_return("nope"))
    assert (error.status, error.code) == (200, "ORDER_NOT_EXIST")


def test_full_return_deducts_the_award_at_once(
    fake: FakeShopSocially, ordered: LoyaltyState
) -> None:
    """A full return is a pending_deduction of the award's points, off the balance now."""
    txn = ordered.process_return("A-1")
    assert (txn.transaction_type, txn.points, txn.points_status) == (
        "deduct",
        200,
        "pending_deduction",
    )
    assert (txn.reason, txn.returned_for_order_id) == ("Order Fully Returned", "A-1")
    assert txn.auto_approval_at is not None
    assert fake.member(BOB).available_points == 1000
    fake.check_ledger()


def test_an_order_fully_returned_cannot_be_returned_again(
    fake: FakeShopSocially, ordered: LoyaltyState
) -> None:
    """The second full return is refused and changes nothing."""
    ordered.process_return("A-1")
    error = refused(lambda: ordered.process_return("A-1"))
    assert (error.status, error.code) == (400, "INVALID_REQUEST_PARAMETER_VALUES")
    assert len(fake.ledger) == 2
    assert refused(lambda: ordered.process_return("A-1", 5)).status == 400


def test_partial_return_reawards_the_amount_kept(
    fake: FakeShopSocially, ordered: LoyaltyState
) -> None:
    """Returning 30.50 of 100.00 deducts 200 and re-awards floor(69.50 x 2) = 139."""
    txn = ordered.process_return("A-1", "30.50")
    assert (txn.points, txn.reason) == (200, "Order Partially Returned")
    reaward = fake.ledger[-1]
    assert (reaward.transaction_type, reaward.points, reaward.points_status) == (
        "award",
        139,
        "auto_approved",
    )
    assert (reaward.order_id, reaward.activity_id) == ("A-1", "made_a_purchase")
    assert fake.member(BOB).available_points == 1139
    fake.check_ledger()


def test_partial_returns_work_on_what_is_left(
    fake: FakeShopSocially, ordered: LoyaltyState
) -> None:
    """Two partial returns, then the rest: each works on the amount left of the order."""
    ordered.process_return("A-1", 50)  # 50 left -> 100 points
    ordered.process_return("A-1", 20)  # 30 left -> 60 points
    assert fake.member(BOB).available_points == 1060
    error = refused(lambda: ordered.process_return("A-1", 31))
    assert (error.status, error.code) == (400, "INVALID_REQUEST_PARAMETER_VALUES")
    last = ordered.process_return("A-1", 30)  # all of what is left: a full return
    assert (last.points, last.reason) == (60, "Order Fully Returned")
    assert fake.member(BOB).available_points == 1000
    fake.check_ledger()


def test_returned_amount_larger_than_the_order_is_refused(
    fake: FakeShopSocially, ordered: LoyaltyState
) -> None:
    """More than the order's amount is INVALID_REQUEST_PARAMETER_VALUES, nothing applied."""
    assert refused(lambda: ordered.process_return("A-1", "100.01")).status == 400
    assert len(fake.ledger) == 1


@pytest.mark.parametrize("amount", ["-1", "abc"])
def test_malformed_returned_amount_is_a_400(ordered: LoyaltyState, amount: str) -> None:
    """Negative or non-numeric amounts are HTTP 400."""
    assert refused(lambda: ordered.process_return("A-1", amount)).status == 400


def test_return_beyond_the_balance_is_refused(
    fake: FakeShopSocially, ordered: LoyaltyState
) -> None:
    """Once the points are spent, a return that would go negative is refused."""
    ordered.deduct(BOB, 1100, "spent")
    error = refused(lambda: ordered.process_return("A-1"))
    assert (error.status, error.code) == (200, "RETURN_VALUE_EXCEEDS_AVAILABLE_BALANCE")
    assert refused(lambda: ordered.process_return("A-1", 60)).status == 200  # 100 - 200 + 80 < 0
    assert ordered.process_return("A-1", 40).points == 200  # 100 - 200 + 120 fits
    assert fake.member(BOB).available_points == 20
    fake.check_ledger()


def test_returning_a_pending_award_rejects_it(fake: FakeShopSocially, state: LoyaltyState) -> None:
    """An award still pending is rejected by its return, and nothing is deducted."""
    award = state.award(BOB, "review", None, "R-1")
    txn = state.process_return("R-1")
    assert (txn.points, txn.points_status) == (0, "pending_deduction")
    assert fake.transaction(award.id).points_status == "rejected"
    assert fake.member(BOB).available_points == 1000
    fake.check_ledger()


def test_fixed_activity_order_uses_points_passed_as_amount(
    fake: FakeShopSocially, state: LoyaltyState
) -> None:
    """For a fixed activity the order amount is points_passed, multiplier 1."""
    state.award(BOB, "signup", "80", "F-1")
    state.process_return("F-1", 30)
    assert fake.ledger[-1].points == 50
    assert fake.member(BOB).available_points == 1050
