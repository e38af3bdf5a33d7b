"""Every error code the fake can emit, produced over HTTP, answered with 002's HTTP status.

The fake keeps one table (``_errors.STATUSES``) from which every failure takes its status. These
tests hold it to the returns-tracking reference's "Zinrelo API Status Codes" table
(``reference_examples.STATUS_CODES``), walk each code it holds with a request that makes the
fake answer it, and check that no code is raised anywhere without being in the table.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from importlib import resources

import httpx
import pytest

from shopsocially_async.testing import FakeShopSocially, Fault, FaultKind
from shopsocially_async.testing._errors import STATUSES
from tests.unit import reference_examples as ref

BOB = "bob@shopsocially.com"
ALICE = "alice@example.com"
STATUS_002 = {code: status for status, code, _ in ref.STATUS_CODES}
#: The codes the fake emits that 002's table lacks, with the status of their situation in 002's
#: "Standard HTTP status codes" (404 Not Found, 400 Bad Request) or, for 429, the vendor's.
NOT_IN_002 = {
    "NOT_FOUND": 404,
    "MISSING_PARAMETERS": 400,
    "BAD_DATE_FORMAT": 400,
    "RATE_LIMIT_EXCEEDED": 429,
}
#: Codes of the older envelope: the status is on the wire, the code only in the fake.
OLDER_ENVELOPE = {"MISSING_PARAMETERS", "BAD_DATE_FORMAT"}

Scenario = Callable[[FakeShopSocially, httpx.AsyncClient], Awaitable[httpx.Response]]
WINDOW = {"from_date": "03/14/2024", "to_date": "03/14/2024"}


def _award(api: httpx.AsyncClient, email: str = BOB, **body: object) -> Awaitable[httpx.Response]:
    return api.post("/award", json={"user_email": email, **body})


def _redeem(api: httpx.AsyncClient, email: str, reward: str) -> Awaitable[httpx.Response]:
    return api.post("/redeem", json={"user_email": email, "redemption_id": reward})


def _return(api: httpx.AsyncClient, **body: object) -> Awaitable[httpx.Response]:
    return api.post("/transaction/return", json=body)


def _ordered(fake: FakeShopSocially) -> None:
    """Bob's order O-1: two mugs for 40 (x2: 80 points)."""
    fake.add_order("O-1", BOB, [("mug", 2, 40)])


async def _duplicate_order(fake: FakeShopSocially, api: httpx.AsyncClient) -> httpx.Response:
    await _award(api, activity_id="signup", order_id="D-1")
    return await _award(api, activity_id="signup", order_id="D-1")


async def _award_limit(fake: FakeShopSocially, api: httpx.AsyncClient) -> httpx.Response:
    await _award(api, activity_id="signup")
    return await _award(api, activity_id="signup")


async def _product(
    fake: FakeShopSocially, api: httpx.AsyncClient, **body: object
) -> httpx.Response:
    _ordered(fake)
    return await _return(api, order_id="O-1", **body)


async def _beyond_balance(fake: FakeShopSocially, api: httpx.AsyncClient) -> httpx.Response:
    _ordered(fake)
    await api.post("/deduct", json={"user_email": BOB, "points_passed": 1050, "reason": "spent"})
    return await _return(api, order_id="O-1")


async def _faulted(
    fake: FakeShopSocially, api: httpx.AsyncClient, kind: FaultKind
) -> httpx.Response:
    fake.inject(Fault(kind, route="GET /activities"))
    return await api.get("/activities")


SCENARIOS: dict[str, Scenario] = {
    "MEMBER_ID_ALREADY_IN_USE": lambda _, api: api.post(
        "/users", json={"first_name": "B", "last_name": "B", "email": BOB, "uid": "new"}
    ),
    "MAX_AWARDS_EXCEEDED": _award_limit,
    "INVALID_AMOUNT_TO_DEDUCT": lambda _, api: api.post(
        "/deduct", json={"user_email": BOB, "points_passed": 5000, "reason": "why"}
    ),
    "INVALID_JSON": lambda _, api: api.post(
        "/award", content=b"{", headers={"content-type": "application/json"}
    ),
    "INVALID_REQUEST": lambda _, api: api.post(
        "/award", content=b"user_email=bob", headers={"content-type": "text/plain"}
    ),
    "TRANSACTION_DOES_NOT_EXIST": lambda _, api: api.get("/transactions/000000000000"),
    "INTERNAL_SERVER_ERROR": lambda fake, api: _faulted(fake, api, "server_error"),
    "INVALID_REQUEST_PARAMETER_VALUES": lambda _, api: _award(api, activity_id="no_such"),
    "PAUSED_ACTIVITY": lambda _, api: _award(api, activity_id="facebook_share"),
    "ERROR_UNAUTHORIZED": lambda _, api: api.get("/activities", headers={"api-key": "wrong"}),
    "DUPLICATE_ORDER_ID": _duplicate_order,
    "INVALID_MEMBER": lambda _, api: _award(api, "nobody@x.com", activity_id="signup"),
    "INVALID_CURSOR": lambda _, api: api.get("/transactions", params={**WINDOW, "start_index": -1}),
    "SERVICE_UNAVAILABLE": lambda fake, api: _faulted(fake, api, "unavailable"),
    "INACTIVE_REWARD": lambda _, api: _redeem(api, BOB, "paused_card"),
    "MAX_REWARDS_EXCEEDED": lambda _, api: _redeem(api, BOB, "empty_card"),
    "INSUFFICIENT_REDEEMABLE_POINTS": lambda _, api: _redeem(api, ALICE, "$5_gift_card"),
    "ORDER_NOT_EXIST": lambda _, api: _return(api, order_id="never"),
    "PRODUCT_QUANTITY_EXCEEDED": lambda fake, api: _product(
        fake, api, returned_product_id="mug", quantity=3
    ),
    "INVALID_PRODUCT_ID": lambda fake, api: _product(fake, api, returned_product_id="sofa"),
    "RETURN_VALUE_EXCEEDS_AVAILABLE_BALANCE": _beyond_balance,
    "PRODUCT_ID_AND_RETURN_AMOUNT_PASSED": lambda fake, api: _product(
        fake, api, returned_product_id="mug", returned_amount=5
    ),
    "NOT_FOUND": lambda _, api: api.get("/activities/no_such"),
    "MISSING_PARAMETERS": lambda _, api: api.post("/award", json={}),
    "BAD_DATE_FORMAT": lambda _, api: api.get(
        "/transactions", params={"from_date": "2024-03-14", "to_date": "03/14/2024"}
    ),
    "RATE_LIMIT_EXCEEDED": lambda fake, api: _faulted(fake, api, "rate_limit"),
}


def test_the_fakes_table_is_002s() -> None:
    """Each code of the fake's table has 002's status; those 002 lacks are the four known."""
    assert set(STATUSES) - set(STATUS_002) == set(NOT_IN_002)
    expected = {code: STATUS_002.get(code, NOT_IN_002.get(code)) for code in STATUSES}
    assert expected == STATUSES


def test_every_code_of_the_table_is_walked() -> None:
    """The walk below covers exactly the codes the fake's table holds."""
    assert set(SCENARIOS) == set(STATUSES)


def test_no_code_is_raised_outside_the_table() -> None:
    """Every code literal the fake's sources raise is in the table (a code missing from it
    would be a KeyError, a 500, in whatever path raised it)."""
    package = resources.files("shopsocially_async.testing")
    sources = "".join(
        entry.read_text("utf-8") for entry in package.iterdir() if entry.name.endswith(".py")
    )
    raised = set(re.findall(r'(?:coded|_plain|_older)\(\s*"([A-Z_]+)"', sources))
    assert len(raised) > 20
    assert raised <= set(STATUSES)


@pytest.mark.anyio
@pytest.mark.parametrize("code", sorted(SCENARIOS))
async def test_each_code_comes_with_its_status(
    fake: FakeShopSocially, api: httpx.AsyncClient, code: str
) -> None:
    """The request made to draw ``code`` is answered with it, under 002's HTTP status."""
    response = await SCENARIOS[code](fake, api)
    body = response.json()
    assert response.status_code == STATUS_002.get(code, NOT_IN_002.get(code))
    if code in OLDER_ENVELOPE:
        assert body["error"]["success"] is False
    else:
        assert body.get("error_code", body.get("code")) == code
