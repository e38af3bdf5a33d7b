"""Bad arguments are refused before anything is sent, with an error naming the argument.

Every row calls one endpoint method with one bad argument (the others valid) and expects
an :class:`InvalidArgumentError` (a ``ValueError``) whose message starts with the
argument's name, while the transport sees no request at all.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from shopsocially_async import InvalidArgumentError, ShopSociallyClient
from tests.unit.helpers import recording_client

pytestmark = pytest.mark.anyio

NAN = float("nan")
DEEP: list[Any] = [1]
for _ in range(40):
    DEEP = [DEEP]
JAN_1, JAN_31 = date(2024, 1, 1), date(2024, 1, 31)

VALID: dict[str, dict[str, Any]] = {
    "points.award": {"user_email": "bob@x.com", "activity_id": "made_a_purchase"},
    "points.redeem": {"user_email": "bob@x.com", "redemption_id": "$50_gift_card"},
    "points.deduct": {"user_email": "bob@x.com", "points_passed": 10, "reason": "fraud"},
    "returns.create": {"order_id": "A-1"},
    "transactions.list": {"from_date": JAN_1, "to_date": JAN_31},
    "transactions.get": {"transaction_id": "tx-1"},
    "users.create": {"first_name": "Bob", "last_name": "B", "email": "b@x.com", "uid": "u1"},
    "users.update": {"uid": "u1", "loyalty_level_id": "gold"},
    "users.get": {"user_email": "bob@x.com"},
    "users.list": {"from_date": JAN_1, "to_date": JAN_31},
    "users.transactions": {"user_email": "bob@x.com", "from_date": JAN_1, "to_date": JAN_31},
    "activities.create": {
        "activity_id": "a1",
        "activity_name": "A",
        "activity_description": "d",
        "activity_type": "fixed",
        "max_award_frequency": 1,
        "max_award_frequency_interval": "day",
        "approval_method": "immediate",
    },
    "activities.update": {"activity_id": "a1", "is_active": False},
    "activities.get": {"activity_id": "a1"},
    "redemptions.create": {
        "redemption_id": "r1",
        "redemption_name": "R",
        "allowed_redeem_points": 100,
        "redemption_value": Decimal("10"),
        "giftcard_description": "g",
        "terms_and_conds_text": "t",
        "giftcard_coupon_codes": ["A1", "A2"],
        "coupon_expiry": date(2030, 1, 1),
    },
    "redemptions.update": {"redemption_id": "r1", "is_active": True},
    "redemptions.get": {"redemption_id": "r1"},
}

# (endpoint, changes to its valid arguments, the start of the error message)
BAD: list[tuple[str, dict[str, Any], str]] = [
    # emails and other required text
    ("points.award", {"user_email": ""}, "user_email"),
    ("points.award", {"user_email": "   "}, "user_email"),
    ("points.award", {"user_email": " bob@x.com"}, "user_email"),
    ("points.award", {"user_email": None}, "user_email"),
    ("activities.create", {"activity_name": None}, "activity_name"),
    ("activities.create", {"is_active": None}, "is_active"),
    ("redemptions.create", {"coupon_expiry": None}, "coupon_expiry"),
    ("users.create", {"uid": None}, "uid"),
    ("points.award", {"activity_id": ""}, "activity_id"),
    ("points.award", {"order_id": ""}, "order_id"),
    ("points.redeem", {"user_email": ""}, "user_email"),
    ("points.redeem", {"redemption_id": ""}, "redemption_id"),
    ("points.deduct", {"user_email": ""}, "user_email"),
    ("points.deduct", {"reason": ""}, "reason"),
    ("returns.create", {"order_id": ""}, "order_id"),
    ("transactions.get", {"transaction_id": ""}, "transaction_id"),
    ("users.get", {"user_email": ""}, "user_email"),
    ("users.get", {"user_email": "bob@x.com\n"}, "user_email"),
    ("users.transactions", {"user_email": ""}, "user_email"),
    ("users.create", {"email": ""}, "email"),
    ("users.create", {"uid": ""}, "uid"),
    ("users.update", {"uid": ""}, "uid"),
    ("activities.get", {"activity_id": ""}, "activity_id"),
    ("redemptions.get", {"redemption_id": ""}, "redemption_id"),
    # points: whole, positive, never bool
    ("points.deduct", {"points_passed": 0}, "points_passed"),
    ("points.deduct", {"points_passed": -5}, "points_passed"),
    ("points.deduct", {"points_passed": True}, "points_passed"),
    ("points.deduct", {"points_passed": 10.0}, "points_passed"),
    ("points.deduct", {"points_passed": 2.5}, "points_passed"),
    ("points.deduct", {"points_passed": Decimal("10")}, "points_passed"),
    ("points.deduct", {"points_passed": "10"}, "points_passed"),
    # amounts: positive and finite numbers, never bool or text
    ("points.award", {"points_passed": 0}, "points_passed"),
    ("points.award", {"points_passed": -1}, "points_passed"),
    ("points.award", {"points_passed": True}, "points_passed"),
    ("points.award", {"points_passed": NAN}, "points_passed"),
    ("points.award", {"points_passed": Decimal("NaN")}, "points_passed"),
    ("points.award", {"points_passed": "100"}, "points_passed"),
    ("returns.create", {"returned_amount": 0}, "returned_amount"),
    ("returns.create", {"returned_amount": -10}, "returned_amount"),
    ("returns.create", {"returned_amount": Decimal("-0.01")}, "returned_amount"),
    ("returns.create", {"returned_amount": NAN}, "returned_amount"),
    ("returns.create", {"returned_amount": Decimal("NaN")}, "returned_amount"),
    ("returns.create", {"returned_amount": float("inf")}, "returned_amount"),
    ("returns.create", {"returned_amount": Decimal("Infinity")}, "returned_amount"),
    ("returns.create", {"returned_amount": False}, "returned_amount"),
    ("returns.create", {"returned_amount": "26.95"}, "returned_amount"),
    # product returns (002)
    ("returns.create", {"returned_product_id": "p", "returned_amount": 5}, "returned_amount"),
    ("returns.create", {"quantity": 1}, "quantity needs returned_product_id"),
    ("returns.create", {"returned_product_id": ""}, "returned_product_id"),
    ("returns.create", {"returned_product_id": " p"}, "returned_product_id"),
    ("returns.create", {"returned_product_id": "p\r\nx"}, "returned_product_id"),
    ("returns.create", {"returned_product_id": 1234}, "returned_product_id"),
    ("returns.create", {"returned_product_id": "p", "quantity": 0}, "quantity"),
    ("returns.create", {"returned_product_id": "p", "quantity": -1}, "quantity"),
    ("returns.create", {"returned_product_id": "p", "quantity": 1.5}, "quantity"),
    ("returns.create", {"returned_product_id": "p", "quantity": 2.0}, "quantity"),
    ("returns.create", {"returned_product_id": "p", "quantity": "2"}, "quantity"),
    ("returns.create", {"returned_product_id": "p", "quantity": True}, "quantity"),
    ("returns.create", {"returned_product_id": "p", "quantity": NAN}, "quantity"),
    ("returns.create", {"returned_product_id": "p", "quantity": 1_000_001}, "quantity"),
    ("redemptions.create", {"redemption_value": NAN}, "redemption_value"),
    ("redemptions.create", {"redemption_value": 0}, "redemption_value"),
    ("redemptions.create", {"allowed_redeem_points": 0}, "allowed_redeem_points"),
    # dates
    ("transactions.list", {"from_date": JAN_31, "to_date": JAN_1}, "from_date"),
    ("transactions.list", {"from_date": "01/01/2024"}, "from_date"),
    ("transactions.list", {"to_date": 20240131}, "to_date"),
    ("users.list", {"from_date": date(2024, 2, 1), "to_date": JAN_31}, "from_date"),
    ("users.list", {"to_date": "31-01-2024"}, "to_date"),
    ("users.transactions", {"from_date": JAN_31, "to_date": JAN_1}, "from_date"),
    ("users.transactions", {"from_date": None}, "from_date"),
    ("redemptions.create", {"coupon_expiry": "01-Jan-2030"}, "coupon_expiry"),
    ("redemptions.update", {"coupon_expiry": "2030-01-01"}, "coupon_expiry"),
    # listing filters and cursors
    ("transactions.list", {"points_status": "approve"}, "points_status"),
    ("transactions.list", {"points_status": ["approved", "APPROVED"]}, "points_status"),
    ("transactions.list", {"points_status": []}, "points_status"),
    ("users.transactions", {"points_status": ["redeemed"]}, "points_status"),
    ("users.list", {"filter_by": "signup_date"}, "filter_by"),
    ("users.list", {"count": 0}, "count"),
    ("users.list", {"count": 1001}, "count"),
    ("users.list", {"count": True}, "count"),
    ("users.list", {"count": "10"}, "count"),
    ("transactions.list", {"start_index": -1}, "start_index"),
    ("transactions.list", {"start_index": 1.0}, "start_index"),
    ("users.list", {"start_index": -250}, "start_index"),
    ("users.transactions", {"start_index": True}, "start_index"),
    # coupon codes: a list of codes, none containing a comma
    ("redemptions.create", {"giftcard_coupon_codes": "A1,A2"}, "giftcard_coupon_codes"),
    ("redemptions.create", {"giftcard_coupon_codes": ["A1", "B,2"]}, "giftcard_coupon_codes"),
    ("redemptions.create", {"giftcard_coupon_codes": ["A1", ""]}, "giftcard_coupon_codes"),
    ("redemptions.create", {"giftcard_coupon_codes": 12345}, "giftcard_coupon_codes"),
    ("redemptions.create", {"giftcard_coupon_codes": []}, "giftcard_coupon_codes"),
    ("redemptions.update", {"giftcard_coupon_codes": ()}, "giftcard_coupon_codes"),
    ("redemptions.update", {"giftcard_coupon_codes": "SINGLE"}, "giftcard_coupon_codes"),
    ("redemptions.update", {"giftcard_coupon_codes": ["X,Y"]}, "giftcard_coupon_codes"),
    # enumerations
    ("activities.create", {"activity_type": "percentage"}, "activity_type"),
    ("activities.create", {"approval_method": "automatic"}, "approval_method"),
    ("activities.create", {"max_award_frequency_interval": "hour"}, "max_award_frequency_interval"),
    ("activities.create", {"max_award_frequency": 0}, "max_award_frequency"),
    ("activities.create", {"is_active": "yes"}, "is_active"),
    ("activities.update", {"activity_type": "Fixed"}, "activity_type"),
    ("activities.update", {"approval_method": "weekly"}, "approval_method"),
    ("activities.update", {"max_award_frequency_interval": "days"}, "max_award_frequency_interval"),
    ("redemptions.update", {"is_active": 1}, "is_active"),
    # updates naming fields their table does not list (a typo, a create-only field)
    ("users.update", {"first_name": "Ann"}, "users.update does not take first_name:"),
    (
        "users.update",
        {"last_name": "B", "gender": "f"},
        "users.update does not take gender, last_name:",
    ),
    ("activities.update", {"activty_name": "A"}, "activities.update does not take activty_name:"),
    (
        "activities.update",
        {"is_sale_activity": True},
        "activities.update does not take is_sale_activity:",
    ),
    (
        "redemptions.update",
        {"coupon_expiry_delta": 7},
        "redemptions.update does not take coupon_expiry_delta:",
    ),
    # numbers the API cannot represent, or that reach the wire as zero
    ("points.deduct", {"points_passed": 10**400}, "points_passed"),
    ("points.deduct", {"points_passed": 1_000_000_001}, "points_passed"),
    ("points.award", {"points_passed": 10**400}, "points_passed"),
    ("points.award", {"points_passed": Decimal("1e5000")}, "points_passed"),
    ("points.award", {"points_passed": Decimal("1e-400")}, "points_passed"),
    ("points.award", {"points_passed": Decimal("0.1234567890123456789")}, "points_passed"),
    ("points.award", {"points_passed": 1e300}, "points_passed"),
    ("returns.create", {"returned_amount": Decimal("1e-400")}, "returned_amount"),
    ("redemptions.create", {"allowed_redeem_points": 10**30}, "allowed_redeem_points"),
    # identifiers that would leave their path segment, text that is not Unicode
    ("users.get", {"user_email": ".."}, "user_email"),
    ("users.get", {"user_email": "."}, "user_email"),
    ("users.transactions", {"user_email": ".."}, "user_email"),
    ("users.update", {"uid": ".."}, "uid"),
    ("transactions.get", {"transaction_id": ".."}, "transaction_id"),
    ("activities.get", {"activity_id": "."}, "activity_id"),
    ("activities.update", {"activity_id": ".."}, "activity_id"),
    ("redemptions.get", {"redemption_id": ".."}, "redemption_id"),
    ("users.get", {"user_email": "bob\ud800@x.com"}, "user_email"),
    ("points.deduct", {"reason": "goodwill \udfff"}, "reason"),
    ("points.deduct", {"reason": "tab\x7f"}, "reason"),
    # extra_body: JSON values only, exactly representable
    ("points.deduct", {"extra_body": {"x": NAN}}, "extra_body['x']"),
    ("points.deduct", {"extra_body": {"x": float("inf")}}, "extra_body['x']"),
    ("points.deduct", {"extra_body": {"x": Decimal("Infinity")}}, "extra_body['x']"),
    ("points.deduct", {"extra_body": {"x": Decimal("sNaN")}}, "extra_body['x']"),
    ("points.deduct", {"extra_body": {"x": 10**400}}, "extra_body['x']"),
    ("points.deduct", {"extra_body": {"x": -(10**5000)}}, "extra_body['x']"),
    ("points.deduct", {"extra_body": {"x": object()}}, "extra_body['x']"),
    ("points.deduct", {"extra_body": {"x": {1, 2}}}, "extra_body['x']"),
    ("points.deduct", {"extra_body": {"x": b"raw"}}, "extra_body['x']"),
    ("points.deduct", {"extra_body": {"x": JAN_1}}, "extra_body['x']"),
    ("points.deduct", {"extra_body": {"x": [1, {"y": NAN}]}}, "extra_body['x'][1]['y']"),
    ("points.deduct", {"extra_body": {"x": "\ud800"}}, "extra_body['x']"),
    ("points.deduct", {"extra_body": {"x": DEEP}}, "extra_body['x']"),
    ("points.deduct", {"extra_body": {5: "x"}}, "extra_body key"),
    ("points.deduct", {"extra_body": ["x"]}, "extra_body must be a mapping"),
    # a URL no server accepts, a filter of the wrong type
    ("users.get", {"user_email": "a" * 100_000 + "@b.co"}, "GET /users/{user_email}: the request"),
    ("transactions.list", {"points_status": 5}, "points_status"),
    ("transactions.list", {"points_status": [["approved"]]}, "points_status"),
    # extra_query: scalars only
    ("users.get", {"extra_query": {"q": None}}, "extra_query['q']"),
    ("users.get", {"extra_query": {"q": object()}}, "extra_query['q']"),
    ("users.get", {"extra_query": {"q": [1, 2]}}, "extra_query['q']"),
    ("users.get", {"extra_query": {"q": NAN}}, "extra_query['q']"),
    ("transactions.list", {"extra_query": {"q": None}}, "extra_query['q']"),
    # extra_headers: strings of visible ASCII, never the client's own headers
    ("users.get", {"extra_headers": {"x-n": 5}}, "extra_headers['x-n']"),
    ("users.get", {"extra_headers": {"x-a": "a\r\nX-Injected: 1"}}, "extra_headers['x-a']"),
    ("users.get", {"extra_headers": {"x-a": "a\nb"}}, "extra_headers['x-a']"),
    ("users.get", {"extra_headers": {"x-a": "a\x00b"}}, "extra_headers['x-a']"),
    ("users.get", {"extra_headers": {"x-a": "caf\u00e9"}}, "extra_headers['x-a']"),
    ("users.get", {"extra_headers": {"bad name": "v"}}, "extra_headers has an invalid"),
    ("users.get", {"extra_headers": {"x\r\ny": "v"}}, "extra_headers has an invalid"),
    ("points.deduct", {"extra_headers": {"api-key": "other"}}, "extra_headers may not set"),
    ("points.deduct", {"extra_headers": {"Partner-ID": "other"}}, "extra_headers may not set"),
    ("points.deduct", {"extra_headers": {"Host": "evil.test"}}, "extra_headers may not set"),
    ("points.deduct", {"extra_headers": {"Content-Length": "0"}}, "extra_headers may not set"),
    ("points.deduct", {"extra_headers": {"Transfer-Encoding": "chunked"}}, "extra_headers may not"),
    ("points.deduct", {"extra_headers": {"content-type": "text/plain"}}, "extra_headers may not"),
    ("transactions.list", {"extra_headers": {"Host": "x"}}, "extra_headers may not set"),
    # updates with nothing to change
    ("users.update", {"loyalty_level_id": None}, "users.update"),
    ("activities.update", {"is_active": None}, "activities.update"),
    ("redemptions.update", {"is_active": None}, "redemptions.update"),
]


def _call(client: ShopSociallyClient, endpoint: str, arguments: dict[str, Any]) -> Any:
    """Call ``client.<resource>.<method>`` with ``arguments`` (path ids positionally)."""
    resource, method = endpoint.split(".")
    function: Callable[..., Any] = getattr(getattr(client, resource), method)
    positional = [
        arguments.pop(name)
        for name in ("transaction_id", "activity_id", "redemption_id")
        if method in ("get", "update") and name in arguments
    ]
    if endpoint in ("users.get", "users.transactions"):
        positional.append(arguments.pop("user_email"))
    if endpoint == "users.update":
        positional.append(arguments.pop("uid"))
    return function(*positional, **arguments)


async def _run(client: ShopSociallyClient, endpoint: str, arguments: dict[str, Any]) -> None:
    """Make the call and await it; a listing is asked for its first page."""
    result = _call(client, endpoint, arguments)
    if inspect.isawaitable(result):
        await result
    else:
        await result.first_page()


@pytest.mark.parametrize(("endpoint", "changes", "argument"), BAD)
async def test_bad_argument_is_refused_before_sending(
    endpoint: str, changes: dict[str, Any], argument: str
) -> None:
    """The call fails with InvalidArgumentError naming the argument; nothing is sent."""
    client, recorder = recording_client()
    async with client:
        with pytest.raises(InvalidArgumentError) as caught:
            await _run(client, endpoint, {**VALID[endpoint], **changes})
    assert isinstance(caught.value, ValueError)
    assert str(caught.value).startswith(argument), str(caught.value)
    assert recorder.requests == []


@pytest.mark.parametrize("endpoint", sorted(VALID))
async def test_valid_arguments_of_the_table_are_accepted(endpoint: str) -> None:
    """Each row's baseline arguments are valid: the refusals above are caused by the change."""
    client, recorder = recording_client(b'{"data": {}, "success": true}')
    async with client:
        await _run(client, endpoint, dict(VALID[endpoint]))
    assert len(recorder.requests) == 1


@pytest.mark.parametrize(
    ("endpoint", "changes"),
    [
        ("transactions.list", {"start_index": 250}),
        ("users.list", {"count": 1000, "filter_by": "enrollment_date"}),
        ("users.list", {"count": 1, "from_date": JAN_1, "to_date": JAN_1}),
        ("returns.create", {"returned_amount": Decimal("0.01")}),
        ("returns.create", {"returned_product_id": "p", "quantity": 1_000_000}),
        ("returns.create", {"returned_product_id": "p"}),
        ("points.award", {"points_passed": 0.5, "order_id": "A-1"}),
        ("redemptions.update", {"giftcard_coupon_codes": ("ONE",)}),
        ("users.update", {"loyalty_level_id": None, "extra_body": {"gender": "male"}}),
        ("points.deduct", {"points_passed": 1_000_000_000}),
        ("points.award", {"points_passed": Decimal("26.95")}),
        ("points.award", {"points_passed": Decimal("999999999.99")}),
        ("points.deduct", {"extra_body": {"note": " spaced\nlines ", "n": None, "ok": True}}),
        ("points.deduct", {"extra_body": {"tags": ["a", {"b": Decimal("1.5")}], "big": 2**53}}),
        ("users.get", {"extra_query": {"flag": True, "n": 3, "x": 1.5, "empty": ""}}),
        ("users.get", {"extra_headers": {"x-request-id": "req 42", "x-empty": ""}}),
    ],
)
async def test_boundary_values_are_accepted(endpoint: str, changes: dict[str, Any]) -> None:
    """Values at the edge of what is allowed go through (one request is sent)."""
    client, recorder = recording_client(b'{"data": {}, "success": true}')
    async with client:
        await _run(client, endpoint, {**VALID[endpoint], **changes})
    assert len(recorder.requests) == 1
