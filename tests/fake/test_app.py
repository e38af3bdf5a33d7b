"""The fake over HTTP, in process: exact bodies, envelopes, parsing and paging."""

from __future__ import annotations

import json

import httpx
import pytest

from shopsocially_async.testing import FakeShopSocially

from .conftest import AUTH, Clock

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


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "Authentication missing"),
        ({"partner-id": "test-partner"}, "Authentication missing"),
        ({"partner-id": "test-partner", "api-key": "wrong"}, "Authentication failure"),
    ],
)
async def test_authentication_errors(
    fake: FakeShopSocially, headers: dict[str, str], reason: str
) -> None:
    """Missing or wrong credentials are 401 ERROR_UNAUTHORIZED, and nothing is written."""
    async with httpx.AsyncClient(
        transport=fake.asgi_transport(), base_url=fake.base_url_for_asgi
    ) as client:
        response = await client.post(
            "/award", json={"user_email": BOB, "activity_id": "signup"}, headers=headers
        )
    assert response.status_code == 401
    assert response.json() == {
        "success": False,
        "error_code": "ERROR_UNAUTHORIZED",
        "reason": reason,
    }
    assert fake.ledger == []


async def test_missing_parameters_use_the_older_envelope(api: httpx.AsyncClient) -> None:
    """Every missing parameter is named in one 400."""
    response = await api.post("/award", json={"points_passed": 5})
    assert response.status_code == 400
    assert response.json() == {
        "error": {"success": False, "reason": "Missing parameters: user_email, activity_id"}
    }
    listing = await api.get("/transactions")
    assert listing.json() == {
        "error": {"success": False, "reason": "Missing parameters: from_date, to_date"}
    }


async def test_bad_date_format_is_a_400(api: httpx.AsyncClient) -> None:
    """GET /transactions wants MM/DD/YYYY; /users wants DD-MM-YYYY."""
    response = await api.get(
        "/transactions", params={"from_date": "2015-01-01", "to_date": "11/23/2015"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "success": False,
            "reason": "Unexpected date format for from_date: expected MM/DD/YYYY",
        }
    }
    users = await api.get("/users", params={"from_date": "01-01-2016", "to_date": "12/31/2016"})
    assert (
        users.json()["error"]["reason"] == "Unexpected date format for to_date: expected DD-MM-YYYY"
    )


async def test_non_numeric_points_is_invalid_request_parameter_values(
    api: httpx.AsyncClient,
) -> None:
    """``points_passed=abc`` is a 400 with the error code."""
    response = await api.post(
        "/award", data={"user_email": BOB, "activity_id": "signup", "points_passed": "abc"}
    )
    assert response.status_code == 400
    assert response.json()["error_code"] == "INVALID_REQUEST_PARAMETER_VALUES"


@pytest.mark.parametrize(
    ("content", "content_type", "code"),
    [
        (b'{"user_email": ', "application/json", "INVALID_JSON"),
        (b'["user_email"]', "application/json", "INVALID_JSON"),
        (b"user_email=bob", "text/plain", "INVALID_REQUEST"),
    ],
)
async def test_unreadable_bodies_are_400(
    api: httpx.AsyncClient, content: bytes, content_type: str, code: str
) -> None:
    """Malformed JSON is INVALID_JSON; an unsupported Content-Type is INVALID_REQUEST."""
    response = await api.post("/award", content=content, headers={"content-type": content_type})
    assert response.status_code == 400
    assert response.json()["error_code"] == code
    if code == "INVALID_REQUEST":
        assert (
            response.json()["reason"] == "Invalid request: unsupported Content-Type [text/plain]."
        )


async def test_json_form_and_bare_bodies_are_read(
    api: httpx.AsyncClient, fake: FakeShopSocially
) -> None:
    """JSON (numbers or strings), form bodies, and JSON sent with no Content-Type all work."""
    payload = {"user_email": BOB, "activity_id": "made_a_purchase", "points_passed": "10.5"}
    assert (await api.post("/award", json=payload)).json()["data"]["points"] == 21
    assert (await api.post("/award", data=payload)).json()["data"]["points"] == 21
    bare = await api.post("/award", content=json.dumps({**payload, "points_passed": 3}).encode())
    assert bare.json()["data"]["points"] == 6
    assert fake.member(BOB).available_points == 1048


async def test_path_segments_are_percent_decoded_once(
    api: httpx.AsyncClient, fake: FakeShopSocially
) -> None:
    """``bob%40...`` finds Bob; ``a%2Fb%40x.com`` is one segment, not two."""
    fake.add_member("a/b@x.com", "Slash", "Person", available_points=7)
    assert (await api.get("/users/bob%40shopsocially.com")).json()["data"]["user_email"] == BOB
    slashed = await api.get("/users/a%2Fb%40x.com")
    assert slashed.json()["data"]["available_points"] == 7
    percent = await api.get("/users/a%252Fb%40x.com")
    assert percent.json()["error_code"] == "INVALID_MEMBER"


async def test_unknown_routes_and_records_are_404_code_message(api: httpx.AsyncClient) -> None:
    """Unknown routes, activities and redemptions answer in the code/message envelope."""
    route = await api.get("/nowhere")
    assert (route.status_code, route.json()["code"]) == (404, "NOT_FOUND")
    activity = await api.get("/activities/no_such")
    assert (activity.status_code, activity.json()) == (
        404,
        {"code": "NOT_FOUND", "message": "Activity no_such not found."},
    )
    redemption = await api.put("/redemptions/no_such", json={"is_active": True})
    assert redemption.status_code == 404
    unknown = await api.post("/award", json={"user_email": BOB, "activity_id": "no_such"})
    assert (unknown.status_code, unknown.json()["error_code"]) == (
        200,
        "INVALID_REQUEST_PARAMETER_VALUES",
    )


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


async def test_users_create_get_update_list(api: httpx.AsyncClient) -> None:
    """POST /users, GET /users/{email}, PUT /users/{uid} and GET /users, as the reference."""
    created = await api.post(
        "/users",
        data={
            "first_name": "Carl",
            "last_name": "Diaz",
            "email": "carl@x.com",
            "uid": "c-1",
            "gender": "Male",
        },
    )
    assert list(created.json()["data"]) == [
        "user_id",
        "user_email",
        "first_name",
        "last_name",
        "profile_image_url",
        "gender",
        "redeemed_points",
        "available_points",
        "loyalty_level_id",
        "loyalty_lifetime_level_id",
        "merchant_uid",
    ]
    again = (
        await api.post(
            "/users",
            json={"first_name": "C", "last_name": "D", "email": "carl@x.com", "uid": "c-2"},
        )
    ).json()
    assert again == {
        "success": False,
        "error_code": "MEMBER_ID_ALREADY_IN_USE",
        "reason": "Member ID already in use.",
    }
    updated = (await api.put("/users/c-1", json={"loyalty_level_id": "gold"})).json()["data"]
    assert (updated["loyalty_level_id"], updated["first_name"]) == ("gold", "Carl")
    fetched = (await api.get("/users/carl@x.com")).json()["data"]
    assert (
        fetched["loyalty_lifetime_level_id"],
        fetched["user_status"],
        fetched["last_award_transaction"],
    ) == (None, "Active", {})
    listed = (
        await api.get(
            "/users", params={"from_date": "14-03-2024", "to_date": "14-03-2024", "count": 2}
        )
    ).json()["data"]
    assert list(listed) == ["next_start_index", "total_loyalty_users", "loyalty_users", "more"]
    assert (listed["total_loyalty_users"], listed["next_start_index"], listed["more"]) == (
        3,
        2,
        True,
    )
    rest = (
        await api.get(
            "/users",
            params={
                "from_date": "14-03-2024",
                "to_date": "14-03-2024",
                "count": 2,
                "start_index": 2,
            },
        )
    ).json()["data"]
    emails = [u["user_email"] for u in listed["loyalty_users"] + rest["loyalty_users"]]
    assert sorted(emails) == ["alice@example.com", "bob@shopsocially.com", "carl@x.com"]
    assert rest["more"] is False


@pytest.mark.parametrize(
    "params", [{"count": "0"}, {"count": "1001"}, {"filter_by": "birthday"}, {"start_index": "-1"}]
)
async def test_users_listing_validates_its_parameters(
    api: httpx.AsyncClient, params: dict[str, str]
) -> None:
    """count 1..1000, a known filter_by, a non-negative start_index."""
    response = await api.get(
        "/users", params={"from_date": "01-01-2024", "to_date": "31-12-2024", **params}
    )
    assert (response.status_code, response.json()["error_code"]) == (
        400,
        "INVALID_REQUEST_PARAMETER_VALUES",
    )


async def test_user_transactions_use_four_digit_years(api: httpx.AsyncClient) -> None:
    """GET /users/{email}/transactions: the example's extra keys and timestamps."""
    await api.post(
        "/award", json={"user_email": BOB, "activity_id": "signup", "order_id": 1452749387649368175}
    )
    params = {
        "from_date": "01-03-2024",
        "to_date": "31-03-2024",
        "points_status": "['auto_approved']",
    }
    page = (await api.get(f"/users/{BOB}/transactions", params=params)).json()["data"]
    [item] = page["transactions"]
    assert (
        item["created_time"],
        item["order_id"],
        item["available_points"],
        item["points_used"],
    ) == ("14-Mar-2024 12:00:00", "1452749387649368175", 100, 0)
    assert (page["total"], page["more"]) == (1, False)
    unknown = (await api.get("/users/x@y.z/transactions", params=params)).json()
    assert unknown["error_code"] == "INVALID_MEMBER"


async def test_activities_and_redemptions_crud(api: httpx.AsyncClient) -> None:
    """Create (form or JSON), get, update and list activities and redemption options."""
    activity = {
        "activity_id": "shared_via_email",
        "activity_name": "Share via Email",
        "activity_description": "Share.",
        "activity_type": "fixed",
        "max_award_frequency": "100",
        "max_award_frequency_interval": "day",
        "is_active": "true",
        "approval_method": "immediate",
        "points_per_activity": "100",
    }
    created = (await api.post("/activities", data=activity)).json()["data"]
    assert (
        created["points_per_activity"],
        created["created_time"],
        created["bonus_multiplier"],
    ) == (100, "14-Mar-2024 12:00:00", 1)
    duplicate = (await api.post("/activities", data=activity)).json()
    assert duplicate["success"] is False
    updated = (await api.put("/activities/shared_via_email", json={"is_active": False})).json()[
        "data"
    ]
    assert (updated["is_active"], updated["activity_name"]) == (False, "Share via Email")
    listed = (await api.get("/activities")).json()["data"]
    assert isinstance(listed, list)
    assert listed[-1]["activity_id"] == "shared_via_email"
    reward = {
        "redemption_id": "test_redemption",
        "redemption_name": "redemption_name",
        "allowed_redeem_points": 100,
        "redemption_value": 10,
        "giftcard_description": "g",
        "terms_and_conds_text": "t",
        "giftcard_coupon_codes": "a,b,c",
        "coupon_expiry": "01-Jan-2018",
    }
    made = (await api.post("/redemptions", json=reward)).json()["data"]
    assert (
        made["giftcard_coupon_codes"],
        made["is_active"],
        made["redemption_value"],
        made["coupon_expiry"],
    ) == ("a,b,c", False, "10", "01-Jan-2018")
    changed = (
        await api.put("/redemptions/test_redemption", data={"giftcard_coupon_codes": "x,y"})
    ).json()["data"]
    assert changed["giftcard_coupon_codes"] == "x,y"
    assert (await api.get("/redemptions/test_redemption")).json()["data"][
        "redemption_id"
    ] == "test_redemption"
    assert [r["redemption_id"] for r in (await api.get("/redemptions")).json()["data"]][
        -1
    ] == "test_redemption"


async def test_applied_writes_are_counted_per_op_id(
    api: httpx.AsyncClient, fake: FakeShopSocially
) -> None:
    """Only writes that changed state count, under their x-fake-op-id."""
    await api.post(
        "/award", json={"user_email": BOB, "activity_id": "signup"}, headers={"x-fake-op-id": "a"}
    )
    await api.post(
        "/award", json={"user_email": BOB, "activity_id": "signup"}, headers={"x-fake-op-id": "b"}
    )
    await api.get(f"/users/{BOB}", headers={"x-fake-op-id": "c"})
    assert (fake.applied_count("a"), fake.applied_count("b"), fake.applied_count("c")) == (1, 0, 0)
    assert fake.stats.applied_writes == 1
    assert fake.stats.requests == {"POST /award": 2, "GET /users/{email}": 1}


async def test_credentials_are_configurable() -> None:
    """A fake built with other credentials accepts those."""
    fake = FakeShopSocially(partner_id="p-9", api_key="k-9")
    headers = {"partner-id": "p-9", "api-key": "k-9"}
    async with httpx.AsyncClient(
        transport=fake.asgi_transport(), base_url=fake.base_url_for_asgi, headers=headers
    ) as client:
        assert (await client.get("/activities")).json() == {"data": [], "success": True}
    assert AUTH["partner-id"] != fake.partner_id
