"""``client.points``: award, redeem and deduct, against the reference's examples."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from shopsocially_async import Transaction
from tests.unit import reference_examples as ref
from tests.unit.helpers import (
    Endpoint,
    assert_clash_refused,
    assert_extras_merged,
    assert_request_on_the_wire,
    form_body,
    invoke,
    json_body,
    only_request,
    recording_client,
    typed,
)

pytestmark = pytest.mark.anyio

UTC = timezone.utc

AWARDED = Transaction(
    id="54aeb7b4f283c6176be2d5ed",
    transaction_type="award",
    points=100,
    points_status="auto_approved",
    user_id="6176be2d5e",
    user_email="bob@shopsocially.com",
    user_first_name="Bob",
    user_last_name="Baker",
    activity_id="made_a_purchase",
    activity_name="Made a Purchase",
    partner_id="69c62d683db96c7cabf8db0109be6bb1",
    created_time=datetime(2016, 3, 30, 19, 20, 22, tzinfo=UTC),
)
REDEEMED = Transaction(
    id="54aeb7b4f283c6176be2d5ed",
    transaction_type="redeem",
    points=1000,
    points_status="redeemed",
    user_id="6176be2d5e",
    user_email="bob@shopsocially.com",
    user_first_name="Bob",
    user_last_name="Baker",
    redemption_id="$50_gift_card",
    redemption_name="$50 Gift Card",
    redemption_value=Decimal("50"),
    coupon_code="GET50OFF",
    partner_id="9c62d683db96c7cabf8db0109be6bb",
    created_time=datetime(2015, 3, 30, 19, 20, 22, tzinfo=UTC),
)
DEDUCTED = Transaction(
    id="54aeb7b4f283c6176be2d5ed",
    transaction_type="deduct",
    points=1000,
    points_status="deducted",
    available_points=1500,
    user_id="6176be2d5e",
    user_email="bob@shopsocially.com",
    user_first_name="Bob",
    user_last_name="Baker",
    partner_id="9c62d683db96c7cabf8db0109be6bb",
    created_time=datetime(2015, 3, 30, 19, 20, 22, tzinfo=UTC),
)

ENDPOINTS = [
    Endpoint(
        name="points.award",
        call=lambda client, **extra: client.points.award(**ref.AWARD_REQUEST, **extra),
        response=ref.AWARD_RESPONSE,
        method="POST",
        path=b"/award",
        body=ref.AWARD_REQUEST,
        expected=AWARDED,
        named_field="points_passed",
    ),
    Endpoint(
        name="points.redeem",
        call=lambda client, **extra: client.points.redeem(**ref.REDEEM_REQUEST, **extra),
        response=ref.REDEEM_RESPONSE,
        method="POST",
        path=b"/redeem",
        body=ref.REDEEM_REQUEST,
        expected=REDEEMED,
        named_field="redemption_id",
    ),
    Endpoint(
        name="points.deduct",
        call=lambda client, **extra: client.points.deduct(**ref.DEDUCT_REQUEST, **extra),
        response=ref.DEDUCT_RESPONSE,
        method="POST",
        path=b"/deduct",
        body=ref.DEDUCT_REQUEST,
        expected=DEDUCTED,
        named_field="reason",
    ),
]
by_name = pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)


@by_name
async def test_request_on_the_wire(endpoint: Endpoint) -> None:
    """Each call POSTs the reference's example payload as JSON with the credentials."""
    await assert_request_on_the_wire(endpoint)


@by_name
async def test_decodes_reference_example(endpoint: Endpoint) -> None:
    """The reference's example response decodes into exactly the expected Transaction."""
    client, _ = recording_client(endpoint.response)
    async with client:
        assert await invoke(endpoint, client) == endpoint.expected


@by_name
async def test_extras_are_merged(endpoint: Endpoint) -> None:
    """extra_query, extra_headers and extra_body are sent beside the named arguments."""
    await assert_extras_merged(endpoint)


@by_name
async def test_extra_body_may_not_repeat_a_named_argument(endpoint: Endpoint) -> None:
    """An extra_body field that shadows a named argument is refused before sending."""
    await assert_clash_refused(endpoint)


async def test_award_with_order_id_and_decimal_base_amount() -> None:
    """A Decimal base amount goes out as a JSON number and order_id is sent as given."""
    client, recorder = recording_client(ref.AWARD_RESPONSE)
    async with client:
        await client.points.award(
            user_email="bob@shopsocially.com",
            activity_id="made_a_purchase",
            points_passed=Decimal("26.95"),
            order_id="A-1001",
        )
    request = only_request(recorder)
    assert b'"points_passed":26.95' in request.content
    assert typed(json_body(request)) == typed(
        {
            "user_email": "bob@shopsocially.com",
            "activity_id": "made_a_purchase",
            "points_passed": 26.95,
            "order_id": "A-1001",
        }
    )


async def test_award_without_points_sends_only_given_fields() -> None:
    """A fixed activity needs no points_passed: the field is left out, not sent as null."""
    client, recorder = recording_client(ref.AWARD_RESPONSE)
    async with client:
        await client.points.award(user_email="bob@shopsocially.com", activity_id="signup")
    assert json_body(only_request(recorder)) == {
        "user_email": "bob@shopsocially.com",
        "activity_id": "signup",
    }


@pytest.mark.parametrize(
    ("amount", "wire"),
    [(100, "100"), (Decimal("100"), "100"), (Decimal("26.95"), "26.95"), (12.5, "12.5")],
)
async def test_award_as_form_fields(amount: int | float | Decimal, wire: str) -> None:
    """With body_encoding="form" the award goes as form fields, like the reference's curl."""
    client, recorder = recording_client(ref.AWARD_RESPONSE, body_encoding="form")
    async with client:
        result = await client.points.award(
            user_email="bob+vip@shopsocially.com",
            activity_id="made_a_purchase",
            points_passed=amount,
            order_id="A-1001",
        )
    request = only_request(recorder)
    assert request.headers["api-key"] == "secret-key"
    assert form_body(request) == {
        "user_email": "bob+vip@shopsocially.com",
        "activity_id": "made_a_purchase",
        "points_passed": wire,
        "order_id": "A-1001",
    }
    assert result == AWARDED


async def test_deduct_as_form_fields() -> None:
    """Deduct in form encoding sends the points as digits and the reason verbatim."""
    client, recorder = recording_client(ref.DEDUCT_RESPONSE, body_encoding="form")
    async with client:
        await client.points.deduct(**ref.DEDUCT_REQUEST)
    assert form_body(only_request(recorder)) == {
        "user_email": "bob@shopsocially.com",
        "reason": "invalid transaction",
        "points_passed": "1000",
    }
