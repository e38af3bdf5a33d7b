"""Product returns (002): the units returned, their points, their codes, and the ledger after."""

from __future__ import annotations

import json

import httpx
import pytest

from shopsocially_async.testing import FakeShopSocially, Transaction
from shopsocially_async.testing._state import LoyaltyState
from tests.unit import reference_examples as ref

from .conftest import refused

BOB = "bob@shopsocially.com"


def entries(fake: FakeShopSocially) -> list[tuple[object, ...]]:
    """The ledger as (type, points, status, order, product, quantity, reason) rows."""
    return [
        (
            t.transaction_type,
            t.points,
            t.points_status,
            t.order_id or t.returned_for_order_id,
            t.returned_product_id,
            t.returned_quantity,
            t.reason,
        )
        for t in fake.ledger
    ]


AWARDED = ("award", 300, "auto_approved", "P-1", None, None, None)


@pytest.fixture
def order(fake: FakeShopSocially) -> Transaction:
    """Bob's 300-point order P-1 (multiplier 1): one ``lamp`` for 100, two ``mugs`` for 200."""
    fake.add_activity("shop", "bonus_multiplier", bonus_multiplier=1)
    return fake.add_order("P-1", BOB, [("lamp", 1, 100), ("mug", 2, "200.00")], activity_id="shop")


def test_add_order_awards_the_order_total(fake: FakeShopSocially, order: Transaction) -> None:
    """The order is an award of the lines' total under the activity's rules."""
    assert (order.points, order.order_id, order.activity_id) == (300, "P-1", "shop")
    assert fake.member(BOB).available_points == 1300


def test_one_item_takes_back_only_its_points(
    fake: FakeShopSocially, state: LoyaltyState, order: Transaction
) -> None:
    """Returning one mug of a 300-point order deducts that mug's 100 points, not the order;
    the award stands."""
    txn = state.process_return("P-1", returned_product_id="mug", quantity=1)
    assert (txn.points, txn.points_status, txn.reason) == (
        100,
        "pending_deduction",
        "Order Partially Returned",
    )
    assert entries(fake) == [
        AWARDED,
        ("deduct", 100, "pending_deduction", "P-1", "mug", 1, "Order Partially Returned"),
    ]
    assert fake.member(BOB).available_points == 1200
    assert fake.transaction(order.id).points_status == "auto_approved"
    fake.check_ledger()


def test_quantities_returned_are_tracked(
    fake: FakeShopSocially, state: LoyaltyState, order: Transaction
) -> None:
    """Units come back one return at a time; one more than is left is PRODUCT_QUANTITY_EXCEEDED
    and leaves no trace; the last units make a full return, after which nothing more."""
    state.process_return("P-1", returned_product_id="mug")  # quantity defaults to 1
    for quantity in (2, "2"):
        error = refused(lambda q=quantity: state.process_return("P-1", None, "mug", q))
        assert (error.status, error.code) == (200, "PRODUCT_QUANTITY_EXCEEDED")
    assert len(fake.ledger) == 2
    state.process_return("P-1", None, "mug", 1)
    last = state.process_return("P-1", None, "lamp", 1)
    assert (last.points, last.reason) == (100, "Order Fully Returned")
    assert [row[1] for row in entries(fake)] == [300, 100, 100, 100]
    assert fake.member(BOB).available_points == 1000
    error = refused(lambda: state.process_return("P-1", None, "lamp", 1))
    assert (error.status, error.code) == (400, "INVALID_REQUEST_PARAMETER_VALUES")
    fake.check_ledger()


@pytest.mark.parametrize(
    ("arguments", "status", "code"),
    [
        (("P-1", None, "sofa", 1), 200, "INVALID_PRODUCT_ID"),
        (("P-1", "26.95", "mug", 1), 200, "PRODUCT_ID_AND_RETURN_AMOUNT_PASSED"),
        (("P-1", "0", "mug", None), 200, "PRODUCT_ID_AND_RETURN_AMOUNT_PASSED"),
        (("P-9", None, "mug", 1), 200, "ORDER_NOT_EXIST"),
        (("P-1", None, "mug", 3), 200, "PRODUCT_QUANTITY_EXCEEDED"),
        (("P-1", None, None, 1), 400, "INVALID_REQUEST_PARAMETER_VALUES"),
        (("P-1", None, "mug", 0), 400, "INVALID_REQUEST_PARAMETER_VALUES"),
        (("P-1", None, "mug", "1.5"), 400, "INVALID_REQUEST_PARAMETER_VALUES"),
        (("P-1", None, "mug", True), 400, "INVALID_REQUEST_PARAMETER_VALUES"),
        (("P-1", None, "mug", 1_000_001), 400, "INVALID_REQUEST_PARAMETER_VALUES"),
        (("P-1", None, 12, 1), 200, "INVALID_PRODUCT_ID"),
    ],
)
def test_refused_returns_leave_no_trace(
    fake: FakeShopSocially,
    state: LoyaltyState,
    order: Transaction,
    arguments: tuple[object, ...],
    status: int,
    code: str,
) -> None:
    """Unknown products, a product with an amount (002's own example request), unknown orders,
    too many units, a quantity without a product or not a whole number from 1: each its code,
    with 002's status, and the ledger and balance unchanged."""
    error = refused(lambda: state.process_return(*arguments))
    assert (error.status, error.code) == (status, code)
    assert entries(fake) == [AWARDED]
    assert fake.member(BOB).available_points == 1300


def test_an_order_without_lines_knows_no_product(
    fake: FakeShopSocially, state: LoyaltyState
) -> None:
    """An order awarded without products answers INVALID_PRODUCT_ID to a product return."""
    state.award(BOB, "made_a_purchase", "100", "A-1")
    assert refused(lambda: state.process_return("A-1", None, "mug")).code == "INVALID_PRODUCT_ID"
    assert len(fake.ledger) == 1


def test_points_follow_the_bonus_multiplier(fake: FakeShopSocially, state: LoyaltyState) -> None:
    """With multiplier 2 and uneven amounts, each unit deducts the drop in floor(left x 2), so
    the units together deduct exactly the 66 points awarded for 33.33."""
    fake.add_order("M-1", BOB, [("pen", 3, "30.00"), ("ink", 1, "3.33")])
    assert fake.ledger[0].points == 66
    taken = [state.process_return("M-1", None, "pen", 1).points for _ in range(3)]
    taken.append(state.process_return("M-1", None, "ink", 1).points)
    assert taken == [20, 20, 20, 6]
    assert fake.member(BOB).available_points == 1000
    fake.check_ledger()


def test_fixed_activity_shares_its_points_by_line_amount(
    fake: FakeShopSocially, state: LoyaltyState
) -> None:
    """A fixed 100-point award: one of three units of a line worth 30 of 40 is 25 points."""
    fake.add_order("F-1", BOB, [("x", 1, 10), ("y", 3, 30)], activity_id="signup")
    assert state.process_return("F-1", None, "y", 1).points == 25
    assert fake.member(BOB).available_points == 1075


def test_mixed_returns_keep_the_ledger_whole(
    fake: FakeShopSocially, state: LoyaltyState, order: Transaction
) -> None:
    """A product return, then an amount (deducts what stands, re-awards the rest), then all."""
    state.process_return("P-1", None, "lamp", 1)  # 200 left
    partial = state.process_return("P-1", "50")  # 150 left
    assert (partial.points, fake.ledger[-1].points) == (200, 150)
    assert fake.member(BOB).available_points == 1150
    assert state.process_return("P-1").points == 150
    assert fake.member(BOB).available_points == 1000
    fake.check_ledger()


def test_units_worth_more_than_is_left_are_refused(
    fake: FakeShopSocially, state: LoyaltyState, order: Transaction
) -> None:
    """After 250 of 300 came back by amount, a 100 lamp is worth more than what is left."""
    state.process_return("P-1", "250")
    error = refused(lambda: state.process_return("P-1", None, "lamp", 1))
    assert (error.status, error.code) == (400, "INVALID_REQUEST_PARAMETER_VALUES")
    assert len(fake.ledger) == 3


def test_a_return_beyond_the_balance_is_refused(
    fake: FakeShopSocially, state: LoyaltyState, order: Transaction
) -> None:
    """Once the points are spent, the units' points no longer fit the balance."""
    state.deduct(BOB, 1250, "spent")
    error = refused(lambda: state.process_return("P-1", None, "mug", 1))
    assert (error.status, error.code) == (200, "RETURN_VALUE_EXCEEDS_AVAILABLE_BALANCE")
    assert len(fake.ledger) == 2
    fake.check_ledger()


def test_a_pending_award_is_rejected_and_the_rest_awarded_again(
    fake: FakeShopSocially, state: LoyaltyState
) -> None:
    """A product return of an award still pending deducts nothing: the award is rejected and
    the rest of the order is awarded again, pending."""
    award = fake.add_order("R-1", BOB, [("a", 1, 10), ("b", 1, 30)], activity_id="review")
    txn = state.process_return("R-1", None, "a")
    assert (txn.points, txn.points_status) == (0, "pending_deduction")
    assert fake.transaction(award.id).points_status == "rejected"
    assert fake.ledger[-1].points_status == "pending"
    assert fake.ledger[-1].points == 37  # floor(50 x 30 / 40)
    assert fake.member(BOB).available_points == 1000
    fake.check_ledger()


# -- over HTTP -----------------------------------------------------------------------------------
PRODUCTS = [
    {"product_id": "lamp", "quantity": 1, "amount": 100},
    {"product_id": "mug", "quantity": 2, "amount": "200.00"},
]


async def _award_order(api: httpx.AsyncClient, **body: object) -> httpx.Response:
    return await api.post(
        "/award",
        json={"user_email": BOB, "activity_id": "made_a_purchase", "points_passed": 300, **body},
    )


@pytest.mark.anyio
@pytest.mark.parametrize("form", [False, True])
async def test_an_award_with_products_opens_an_order_with_lines(
    api: httpx.AsyncClient, fake: FakeShopSocially, form: bool
) -> None:
    """``products`` in an award with an order id (a JSON array, or its JSON text in a form)
    are the order's lines: a product return answers in 002's shape, and the member's history
    shows the deduction with the returned order's id in ``order_id``."""
    award = {"user_email": BOB, "activity_id": "made_a_purchase", "points_passed": 300}
    if form:
        response = await api.post(
            "/award",
            data={**award, "order_id": "H-1", "products": json.dumps(PRODUCTS)},
        )
    else:
        response = await api.post("/award", json={**award, "order_id": "H-1", "products": PRODUCTS})
    assert response.json()["data"]["points"] == 600
    returned = await api.post(
        "/transaction/return", json={"order_id": "H-1", "returned_product_id": "mug", "quantity": 1}
    )
    assert returned.json() == {
        "data": {
            "user_email": BOB,
            "last_name": "Baker",
            "first_name": "Bob",
            "points": 200,
            "points_status": "pending_deduction",
            "returned_for_order_id": "H-1",
            "reason": "Order Partially Returned",
            "created_time": "14-Mar-24 12:00:00",
        },
        "success": True,
    }
    history = await api.get(
        f"/users/{BOB}/transactions", params={"from_date": "14-03-2024", "to_date": "14-03-2024"}
    )
    rows = [
        (t["transaction_type"], t["points"], t["order_id"], t["reason"], t["activity_id"])
        for t in history.json()["data"]["transactions"]
    ]
    assert rows == [
        ("award", 600, "H-1", None, "made_a_purchase"),
        ("deduct", 200, "H-1", "Order Partially Returned", None),
    ]


@pytest.mark.anyio
async def test_an_order_return_answers_in_001s_shape(api: httpx.AsyncClient) -> None:
    """A return without a product (001's parameters) answers with 001's example's keys."""
    await _award_order(api, order_id="H-2", products=PRODUCTS)
    returned = await api.post(
        "/transaction/return", json={"order_id": "H-2", "returned_amount": 30}
    )
    assert list(returned.json()["data"]) == list(json.loads(ref.RETURN_RESPONSE)["data"])


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("products", "named"),
    [
        ("not json", "products"),
        ({"product_id": "a"}, "products"),
        ([{"product_id": "a", "quantity": 1}], "products.amount"),
        ([{"product_id": "", "quantity": 1, "amount": 5}], "products.product_id"),
        ([{"product_id": "a", "quantity": 0, "amount": 5}], "products.quantity"),
        ([{"product_id": "a", "quantity": 1, "amount": -5}], "products.amount"),
        ([{"product_id": "a", "quantity": 1, "amount": 0}], "products"),
        ([{"product_id": "a", "quantity": 1, "amount": 5}] * 2, "products"),
        (["a"], "products"),
    ],
)
async def test_malformed_products_refuse_the_award(
    api: httpx.AsyncClient, fake: FakeShopSocially, products: object, named: str
) -> None:
    """Products that do not describe lines are a 400 naming them, and nothing is awarded."""
    response = await _award_order(api, order_id="H-3", products=products)
    assert (response.status_code, response.json()["error_code"]) == (
        400,
        "INVALID_REQUEST_PARAMETER_VALUES",
    )
    assert response.json()["reason"].startswith(f"Invalid value for {named}:")
    assert fake.ledger == []


@pytest.mark.anyio
async def test_products_without_an_order_id_are_not_read(
    api: httpx.AsyncClient, fake: FakeShopSocially
) -> None:
    """Without an order id there is no order to return, so ``products`` is not even read."""
    assert (await _award_order(api, products="not json")).json()["data"]["points"] == 600
    assert len(fake.ledger) == 1


@pytest.mark.anyio
async def test_returned_product_quantity_is_refused(
    api: httpx.AsyncClient, fake: FakeShopSocially
) -> None:
    """002's table names ``returned_product_quantity``; its request sends ``quantity``, which is
    what the fake reads, so the other name is refused rather than silently ignored."""
    await _award_order(api, order_id="H-4", products=PRODUCTS)
    response = await api.post(
        "/transaction/return",
        json={"order_id": "H-4", "returned_product_id": "mug", "returned_product_quantity": 2},
    )
    assert response.status_code == 400
    assert response.json()["reason"].startswith("Invalid value for returned_product_quantity:")
    assert len(fake.ledger) == 1
