"""Points, returns and transactions over HTTP in process: reference bodies and paging."""

from __future__ import annotations

import httpx
import pytest

from shopsocially_async.testing import FakeShopSocially

from .conftest import Clock

pytestmark = pytest.mark.anyio
BOB = "bob@shopsocially.com"


async def test_award_answers_like_the_reference(
    api: httpx.AsyncClient, fake: FakeShopSocially
) -> None:
    """POST /award: the reference example's keys, in order, with the award's values."""
    response = await api.post(
        "/award", json={"user_email": BOB, "points_passed": 50, "activity_id": "made_a_purchase"}
    )
    assert response.status_code == 200
    body = response.json()
    bob = fake.member(BOB)
    assert body == {
        "data": {
            "user_id": bob.user_id,
            "user_email": BOB,
            "user_last_name": "Baker",
            "user_first_name": "Bob",
            "activity_id": "made_a_purchase",
            "activity_name": "Made a Purchase",
            "id": fake.ledger[0].id,
            "transaction_type": "award",
            "points": 100,
            "points_status": "auto_approved",
            "partner_id": "test-partner",
            "created_time": "14-Mar-24 12:00:00",
        },
        "success": True,
    }
    assert list(body) == ["data", "success"]


async def test_redeem_and_deduct_answer_like_the_reference(api: httpx.AsyncClient) -> None:
    """POST /redeem and /deduct carry the reference keys, coupon and balance after."""
    redeemed = (
        await api.post("/redeem", json={"user_email": BOB, "redemption_id": "$50_gift_card"})
    ).json()
    assert list(redeemed["data"]) == [
        "user_id",
        "user_email",
        "user_last_name",
        "user_first_name",
        "redemption_id",
        "redemption_name",
        "redemption_value",
        "id",
        "transaction_type",
        "points",
        "points_status",
        "coupon_code",
        "partner_id",
        "created_time",
    ]
    assert (redeemed["data"]["coupon_code"], redeemed["data"]["redemption_value"]) == (
        "GET50OFF",
        "$50",
    )
    await api.post("/award", data={"user_email": BOB, "activity_id": "signup"})
    deducted = (
        await api.post(
            "/deduct",
            json={"user_email": BOB, "reason": "invalid transaction", "points_passed": "30"},
        )
    ).json()
    assert deducted["data"]["available_points"] == 70
    assert list(deducted["data"]) == [
        "user_id",
        "user_email",
        "user_last_name",
        "user_first_name",
        "id",
        "transaction_type",
        "points",
        "points_status",
        "available_points",
        "partner_id",
        "created_time",
    ]
    assert deducted["data"]["points_status"] == "deducted"


async def test_return_answers_like_the_reference(api: httpx.AsyncClient) -> None:
    """POST /transaction/return: a pending_deduction with the order it returns."""
    await api.post(
        "/award",
        json={
            "user_email": BOB,
            "activity_id": "made_a_purchase",
            "points_passed": "26.95",
            "order_id": "1254aeb7b4f",
        },
    )
    data = (
        await api.post(
            "/transaction/return", json={"order_id": "1254aeb7b4f", "returned_amount": 10}
        )
    ).json()["data"]
    assert list(data) == [
        "user_id",
        "user_email",
        "user_last_name",
        "user_first_name",
        "id",
        "transaction_type",
        "points",
        "points_status",
        "returned_for_order_id",
        "reason",
        "partner_id",
        "created_time",
        "approved_time",
        "updated_time",
        "auto_approval_date",
    ]
    assert (data["points"], data["reason"], data["auto_approval_date"]) == (
        53,
        "Order Partially Returned",
        "13-Apr-24 12:00:00",
    )
    missing = (await api.post("/transaction/return", json={"order_id": "nope"})).json()
    assert missing == {
        "success": False,
        "error_code": "ORDER_NOT_EXIST",
        "reason": "Order with this id does not exist.",
    }


async def test_get_transaction_and_404(api: httpx.AsyncClient, fake: FakeShopSocially) -> None:
    """GET /transactions/{id} names the merchant partner_id; an unknown id is a 404."""
    await api.post("/award", json={"user_email": BOB, "activity_id": "signup"})
    txn_id = fake.ledger[0].id
    data = (await api.get(f"/transactions/{txn_id}")).json()["data"]
    assert (data["id"], data["partner_id"], data["approved_time"], data["coupon_code"]) == (
        txn_id,
        "test-partner",
        "14-Mar-24 12:00:00",
        None,
    )
    assert "merchant_id" not in data
    missing = await api.get("/transactions/" + "f" * 24)
    assert missing.status_code == 404
    assert missing.json() == {
        "success": False,
        "error_code": "TRANSACTION_DOES_NOT_EXIST",
        "reason": "Transaction does not exist.",
    }


async def test_transaction_listing_pages_without_gaps(
    api: httpx.AsyncClient, fake: FakeShopSocially
) -> None:
    """250 transactions come back in 3 pages of 100, 100, 50, each exactly once, in order."""
    fake.add_activity("tap", points_per_activity=1, max_award_frequency=1000)
    for _ in range(250):
        await api.post("/award", json={"user_email": BOB, "activity_id": "tap"})
    seen, start, pages = [], 0, []
    while True:
        params = {"from_date": "03/14/2024", "to_date": "03/14/2024", "start_index": start}
        page = (await api.get("/transactions", params=params)).json()["data"]
        pages.append(
            (len(page["transactions"]), page["next_start_index"], page["more"], page["total"])
        )
        seen += [t["id"] for t in page["transactions"]]
        if not page["more"]:
            break
        start = page["next_start_index"]
    assert pages == [(100, 100, True, 250), (100, 200, True, 250), (50, 250, False, 250)]
    assert seen == [t.id for t in fake.ledger]
    first = await api.get(
        "/transactions", params={"from_date": "3/14/2024", "to_date": "3/14/2024"}
    )
    assert list(first.json()["data"]) == ["total", "next_start_index", "transactions", "more"]


async def test_transaction_listing_filters_by_status_and_day(
    api: httpx.AsyncClient, clock: Clock
) -> None:
    """points_status as a JSON array string; the day window is inclusive, in UTC."""
    await api.post("/award", json={"user_email": BOB, "activity_id": "review"})
    await api.post("/award", json={"user_email": BOB, "activity_id": "signup"})
    params = {
        "from_date": "03/14/2024",
        "to_date": "03/14/2024",
        "points_status": '["approved","auto_approved"]',
    }
    page = (await api.get("/transactions", params=params)).json()["data"]
    assert [t["activity_id"] for t in page["transactions"]] == ["signup"]
    before = (
        await api.get("/transactions", params={"from_date": "01/01/2024", "to_date": "03/13/2024"})
    ).json()["data"]
    assert (before["total"], before["transactions"], before["more"]) == (0, [], False)
    clock.advance(hours=12)  # 2024-03-15 00:00 UTC: the next day
    await api.post(
        "/award", json={"user_email": BOB, "activity_id": "made_a_purchase", "points_passed": 1}
    )
    day = {"from_date": "03/15/2024", "to_date": "03/15/2024"}
    assert (await api.get("/transactions", params=day)).json()["data"]["total"] == 1
