"""The fake answers every call in the shape of the reference's example response for it.

For each example response in the reference (``reference_examples.ALL_RESPONSES``: 001's, and
002's returns-tracking one; 000's eight examples have exactly the keys of 001's for the same
endpoints), the same call is made to the fake in the situation the example shows (an award
approved by an admin, a member never awarded, a product return, ...) and both answers are
reduced to their shape: the keys in order, each value's JSON type, and for strings the
timestamp or date format they are written in. The shapes must be equal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from shopsocially_async.testing import FakeShopSocially
from tests.unit import reference_examples as ref

from .conftest import START

pytestmark = pytest.mark.anyio

BOB = "bob@shopsocially.com"
ALICE = "alice@example.com"
SLASHED = {"from_date": "03/14/2024", "to_date": "03/14/2024"}  # MM/DD/YYYY
DASHED = {"from_date": "14-03-2024", "to_date": "14-03-2024"}  # DD-MM-YYYY
FORMATS = (
    ("timestamp DD-Mon-YY HH:MM:SS", re.compile(r"\d\d-[A-Z][a-z]{2}-\d\d \d\d:\d\d:\d\d")),
    ("timestamp DD-Mon-YYYY HH:MM:SS", re.compile(r"\d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d")),
    ("date DD-Mon-YYYY", re.compile(r"\d\d-[A-Z][a-z]{2}-\d{4}")),
)
#: A pending deduction has no approval time yet: the fake writes null where 001's example
#: (a pending deduction nonetheless "approved") shows a time. Listed in the fake's docstring.
NULL_IN_THE_FAKE = {("returns.create", "approved_time")}


def shape(value: Any) -> Any:
    """Keys in order, JSON types, string formats; an array by its first item."""
    if isinstance(value, dict):
        return [(key, shape(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, str):
        return next((name for name, form in FORMATS if form.fullmatch(value)), "string")
    if value is None:
        return "null"
    return {bool: "boolean", int: "integer", float: "number"}[type(value)]


def records(data: Any) -> list[Any]:
    """A response's records: a listing's items, an array's items, or the one object."""
    if isinstance(data, list):
        return data
    return [data]


Scenario = Callable[[FakeShopSocially, httpx.AsyncClient], Awaitable[httpx.Response]]


async def _approved_award(fake: FakeShopSocially, api: httpx.AsyncClient) -> str:
    """An award of a manual activity, approved by Jai (the transactions examples' record)."""
    awarded = await api.post("/award", json={"user_email": BOB, "activity_id": "review"})
    award_id = str(awarded.json()["data"]["id"])
    fake.approve(award_id, approved_by="Jai")
    return award_id


async def _transactions_list(fake: FakeShopSocially, api: httpx.AsyncClient) -> httpx.Response:
    await _approved_award(fake, api)
    return await api.get("/transactions", params=SLASHED)


async def _transaction_get(fake: FakeShopSocially, api: httpx.AsyncClient) -> httpx.Response:
    return await api.get(f"/transactions/{await _approved_award(fake, api)}")


async def _users_list(fake: FakeShopSocially, api: httpx.AsyncClient) -> httpx.Response:
    """The day's one enrolment: a member with no points, never awarded, as the example's."""
    fake.add_member("carl@x.com", "Carl", "Diaz", enrolled_at=START + timedelta(days=1))
    return await api.get("/users", params={"from_date": "15-03-2024", "to_date": "15-03-2024"})


async def _user_get(fake: FakeShopSocially, api: httpx.AsyncClient) -> httpx.Response:
    await api.post("/award", json={"user_email": BOB, "activity_id": "signup"})
    return await api.get(f"/users/{BOB}")


async def _user_history(fake: FakeShopSocially, api: httpx.AsyncClient) -> httpx.Response:
    order = {"order_id": "1452749387649368175", "points_passed": 11}
    await api.post("/award", json={"user_email": BOB, "activity_id": "made_a_purchase", **order})
    return await api.get(f"/users/{BOB}/transactions", params=DASHED)


async def _activity_update(fake: FakeShopSocially, api: httpx.AsyncClient) -> httpx.Response:
    await api.post("/activities", json=ref.ACTIVITY_CREATE_REQUEST)
    return await api.put("/activities/shared_via_email", json=ref.ACTIVITY_UPDATE_REQUEST)


REDEMPTION_CREATE_REQUEST = {
    "redemption_id": "test_redemption",
    "redemption_name": "redemption_name",
    "is_active": False,
    "allowed_redeem_points": 100,
    "redemption_value": "10",
    "giftcard_description": "giftcard_description",
    "terms_and_conds_text": "terms_and_conds_text",
    "redemption_instructions": "redemption_instructions",
    "giftcard_coupon_codes": "a,b,c,d,e,f,g,h,i",
    "coupon_expiry": "01-Jan-2018",
}


async def _order_return(fake: FakeShopSocially, api: httpx.AsyncClient) -> httpx.Response:
    order = {"order_id": "1254aeb7b4f", "points_passed": 40}
    await api.post("/award", json={"user_email": BOB, "activity_id": "made_a_purchase", **order})
    return await api.post(
        "/transaction/return", json={"order_id": "1254aeb7b4f", "returned_amount": 10}
    )


async def _product_return(fake: FakeShopSocially, api: httpx.AsyncClient) -> httpx.Response:
    fake.add_order("75a2726d13artibb10", BOB, [("1234df", 1, "26.95"), ("99xx", 1, 10)])
    return await api.post(
        "/transaction/return",
        json={"order_id": "75a2726d13artibb10", "returned_product_id": "1234df", "quantity": 1},
    )


SCENARIOS: dict[str, Scenario] = {
    "points.award": lambda _, api: api.post("/award", json=ref.AWARD_REQUEST),
    "points.redeem": lambda _, api: api.post("/redeem", json=ref.REDEEM_REQUEST),
    "points.deduct": lambda _, api: api.post("/deduct", json=ref.DEDUCT_REQUEST),
    "transactions.list": _transactions_list,
    "transactions.get": _transaction_get,
    "users.create": lambda _, api: api.post(
        "/users", json={**ref.USER_CREATE_REQUEST, "email": "carl@x.com", "uid": "carl"}
    ),
    "users.update": lambda _, api: api.put("/users/merc", json=ref.USER_UPDATE_REQUEST),
    "users.list": _users_list,
    "users.get": _user_get,
    "users.transactions": _user_history,
    "activities.create": lambda _, api: api.post("/activities", json=ref.ACTIVITY_CREATE_REQUEST),
    "activities.update": _activity_update,
    "activities.get": lambda _, api: api.get("/activities/signup"),
    "activities.list": lambda _, api: api.get("/activities"),
    "redemptions.create": lambda _, api: api.post("/redemptions", json=REDEMPTION_CREATE_REQUEST),
    "redemptions.update": lambda _, api: api.put(
        "/redemptions/$5_gift_card", json={"redemption_name": "Five"}
    ),
    "redemptions.get": lambda _, api: api.get("/redemptions/$5_gift_card"),
    "redemptions.list": lambda _, api: api.get("/redemptions"),
    "returns.create": _order_return,
    "returns.create (returns tracking)": _product_return,
}


def test_every_example_has_a_scenario() -> None:
    """Each example response of the reference is compared below, and nothing else."""
    assert set(SCENARIOS) == set(ref.ALL_RESPONSES)


def _page_and_items(data: Any) -> tuple[Any, list[Any]]:
    """A listing page without its items, and the items (for any other ``data``: nothing, and
    the records)."""
    for key in ("transactions", "loyalty_users"):
        if isinstance(data, dict) and key in data:
            return {**data, key: []}, data[key]
    return None, records(data)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_the_fake_answers_in_the_examples_shape(
    fake: FakeShopSocially, api: httpx.AsyncClient, name: str
) -> None:
    """Same keys in the same order, same JSON types, same timestamp formats as the example."""
    response = await SCENARIOS[name](fake, api)
    example = json.loads(ref.ALL_RESPONSES[name], strict=False)
    answer = response.json()
    assert (response.status_code, list(answer)) == (200, list(example))
    page, items = _page_and_items(answer["data"])
    example_page, example_items = _page_and_items(example["data"])
    assert shape(page) == shape(example_page)
    assert items
    for item in items:
        for field in (f for n, f in NULL_IN_THE_FAKE if n == name):
            assert item[field] is None
            item[field] = example_items[0][field]
        assert shape(item) == shape(example_items[0])
