"""Users, activities and redemptions over HTTP in process."""

from __future__ import annotations

import httpx
import pytest

from .conftest import Clock

pytestmark = pytest.mark.anyio
BOB = "bob@shopsocially.com"


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
    ("params", "code"),
    [
        ({"count": "0"}, "INVALID_REQUEST_PARAMETER_VALUES"),
        ({"count": "1001"}, "INVALID_REQUEST_PARAMETER_VALUES"),
        ({"filter_by": "birthday"}, "INVALID_REQUEST_PARAMETER_VALUES"),
        ({"start_index": "-1"}, "INVALID_CURSOR"),
        ({"start_index": "1.5"}, "INVALID_CURSOR"),
        ({"start_index": "abc"}, "INVALID_CURSOR"),
    ],
)
async def test_users_listing_validates_its_parameters(
    api: httpx.AsyncClient, params: dict[str, str], code: str
) -> None:
    """count 1..1000 and a known filter_by (else 400 INVALID_REQUEST_PARAMETER_VALUES); a
    start_index that is not a whole number from 0 is 400 INVALID_CURSOR."""
    response = await api.get(
        "/users", params={"from_date": "01-01-2024", "to_date": "31-12-2024", **params}
    )
    assert (response.status_code, response.json()["error_code"]) == (400, code)


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


async def test_users_filter_by_last_activity_date(api: httpx.AsyncClient, clock: Clock) -> None:
    """filter_by=last_activity_date finds members active that day, not those merely enrolled."""
    clock.advance(days=1)
    await api.post("/award", json={"user_email": BOB, "activity_id": "signup"})
    params = {"from_date": "15-03-2024", "to_date": "15-03-2024"}
    active = await api.get("/users", params={**params, "filter_by": "last_activity_date"})
    assert [u["user_email"] for u in active.json()["data"]["loyalty_users"]] == [BOB]
    enrolled = await api.get("/users", params={**params, "filter_by": "enrollment_date"})
    assert enrolled.json()["data"]["total_loyalty_users"] == 0


@pytest.mark.parametrize(
    ("path", "changes", "named"),
    [
        ("/users/merc", {"loyalty_level_id": "gold", "first_name": "Rob"}, "'first_name'"),
        ("/activities/signup", {"activty_name": "typo"}, "'activty_name'"),
        ("/activities/signup", {"is_sale_activity": True}, "'is_sale_activity'"),
        ("/activities/signup", {"is_active": False, "activity_type ": "fixed"}, "'activity_type '"),
        ("/redemptions/$5_gift_card", {"redemption_name": "Five", "colour": "red"}, "'colour'"),
    ],
)
async def test_updates_refuse_undocumented_fields(
    api: httpx.AsyncClient, path: str, changes: dict[str, object], named: str
) -> None:
    """An update naming a field its table does not list (a typo, a create-only field, the
    reference's own ``--data "activity_type = ..."`` key with its space) is a 400 naming it,
    and nothing changes, not even the documented fields sent beside it."""
    before = (await api.get(path if "/users/" not in path else "/users/" + BOB)).json()["data"]
    response = await api.put(path, json=changes)
    assert (response.status_code, response.json()["error_code"]) == (
        400,
        "INVALID_REQUEST_PARAMETER_VALUES",
    )
    assert named in response.json()["reason"]
    after = (await api.get(path if "/users/" not in path else "/users/" + BOB)).json()["data"]
    assert after == before
