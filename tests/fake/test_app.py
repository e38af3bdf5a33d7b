"""The app in process: envelopes, authentication, body parsing, paths and counters."""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any

import httpx
import pytest

from shopsocially_async.testing import FakeShopSocially

from .conftest import AUTH

pytestmark = pytest.mark.anyio
BOB = "bob@shopsocially.com"


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


async def test_unsupported_content_type_is_named(api: httpx.AsyncClient) -> None:
    """The INVALID_REQUEST reason names the Content-Type the fake cannot read."""
    headers = {"content-type": "text/plain"}
    response = await api.post("/award", content=b"user_email=bob", headers=headers)
    assert response.json()["reason"] == "Invalid request: unsupported Content-Type [text/plain]."


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
    """Unknown routes, activities and redemptions answer in the code/message envelope; an
    unknown activity named in a body is INVALID_REQUEST_PARAMETER_VALUES, HTTP 400 (002)."""
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
        400,
        "INVALID_REQUEST_PARAMETER_VALUES",
    )


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


async def test_get_parameters_may_come_in_a_body(api: httpx.AsyncClient) -> None:
    """The reference's examples send GET /users parameters as a JSON body; that works too."""
    body = json.dumps({"from_date": "01-01-2024", "to_date": "31-12-2024", "count": "1"})
    response = await api.request("GET", "/users", content=body)
    data = response.json()["data"]
    assert (data["total_loyalty_users"], len(data["loyalty_users"])) == (2, 1)


async def test_one_trailing_slash_is_ignored(api: httpx.AsyncClient) -> None:
    """``/activities/`` is ``/activities``."""
    assert (await api.get("/activities/")).json()["success"] is True


async def test_lifespan_messages_are_answered(fake: FakeShopSocially) -> None:
    """Run under a server with lifespan on, the app completes startup and shutdown."""
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[str] = []

    async def receive() -> dict[str, str]:
        return incoming.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message["type"])

    await fake.app({"type": "lifespan"}, receive, send)
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
