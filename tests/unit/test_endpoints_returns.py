"""``client.returns.create``: full and partial returns, against the reference's examples."""

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
    json_body,
    only_request,
    recording_client,
    typed,
)

pytestmark = pytest.mark.anyio

UTC = timezone.utc

RETURNED = Transaction(
    id="54aeb7b4f283c6176be2d5ed",
    transaction_type="deduct",
    points=1000,
    points_status="pending_deduction",
    user_id="6176be2d5e",
    user_email="bob@shopsocially.com",
    user_first_name="Bob",
    user_last_name="Baker",
    returned_for_order_id="1254aeb7b4f",
    reason="Order Partially Returned",
    partner_id="9c62d683db96c7cabf8db0109be6bb",
    created_time=datetime(2016, 3, 30, 19, 20, 22, tzinfo=UTC),
    approved_time=datetime(2016, 4, 15, 19, 20, 22, tzinfo=UTC),
    updated_time=datetime(2016, 4, 15, 19, 20, 22, tzinfo=UTC),
    auto_approval_date=datetime(2016, 5, 15, 19, 20, 22, tzinfo=UTC),
)
# The returns-tracking example (api-docs/002) names the member without the user_ prefix.
RETURNED_TRACKING = Transaction(
    user_email="[email\xa0protected]",
    last_name="John",
    first_name="Doe",
    points=270,
    points_status="pending_deduction",
    returned_for_order_id="75a2726d13artibb10",
    reason="Order Fully Returned",
    created_time=datetime(2016, 3, 30, 19, 20, 22, tzinfo=UTC),
)

PARTIAL_RETURN = Endpoint(
    name="returns.create",
    call=lambda client, **extra: client.returns.create(
        order_id="1254aeb7b4f", returned_amount=26, **extra
    ),
    response=ref.RETURN_RESPONSE,
    method="POST",
    path=b"/transaction/return",
    body={"order_id": "1254aeb7b4f", "returned_amount": 26},
    expected=RETURNED,
    named_field="returned_amount",
)


async def test_request_on_the_wire() -> None:
    """A partial return POSTs order_id and returned_amount (a JSON number) to the path."""
    await assert_request_on_the_wire(PARTIAL_RETURN)


async def test_decodes_reference_example() -> None:
    """The reference's example response decodes into exactly the expected Transaction."""
    client, _ = recording_client(ref.RETURN_RESPONSE)
    async with client:
        assert await client.returns.create(order_id="1254aeb7b4f") == RETURNED


async def test_decodes_returns_tracking_example() -> None:
    """Zinrelo's returns-tracking example (unprefixed member names) decodes too."""
    client, _ = recording_client(ref.RETURNS_TRACKING_RESPONSE)
    async with client:
        assert await client.returns.create(order_id="75a2726d13artibb10") == RETURNED_TRACKING


async def test_full_return_sends_only_the_order_id() -> None:
    """Without returned_amount the body carries order_id alone: a full return."""
    client, recorder = recording_client(ref.RETURN_RESPONSE)
    async with client:
        await client.returns.create(order_id="1254aeb7b4f")
    assert json_body(only_request(recorder)) == {"order_id": "1254aeb7b4f"}


@pytest.mark.parametrize(
    ("amount", "json_wire", "form_wire"),
    [
        (Decimal("26.95"), b"26.95", "26.95"),
        (Decimal("40.00"), b"40", "40.00"),
        (26.95, b"26.95", "26.95"),
        (5, b"5", "5"),
    ],
)
async def test_returned_amount_is_a_number(
    amount: int | float | Decimal, json_wire: bytes, form_wire: str
) -> None:
    """returned_amount is a JSON number (never a string) and a plain field in form mode."""
    client, recorder = recording_client(ref.RETURN_RESPONSE)
    async with client:
        await client.returns.create(order_id="A-1", returned_amount=amount)
    assert b'"returned_amount":' + json_wire + b"}" in only_request(recorder).content

    client, recorder = recording_client(ref.RETURN_RESPONSE, body_encoding="form")
    async with client:
        await client.returns.create(order_id="A-1", returned_amount=amount)
    assert form_body(only_request(recorder)) == {"order_id": "A-1", "returned_amount": form_wire}


async def test_extras_are_merged() -> None:
    """extra_query, extra_headers and extra_body are sent beside the named arguments."""
    await assert_extras_merged(PARTIAL_RETURN)


async def test_tracking_fields_go_in_extra_body() -> None:
    """Returns-tracking fields (returned_product_id, quantity) travel through extra_body."""
    client, recorder = recording_client(ref.RETURNS_TRACKING_RESPONSE)
    async with client:
        await client.returns.create(
            order_id="75a2726d13artibb10",
            returned_amount=Decimal("26.95"),
            extra_body={"returned_product_id": "1234df", "quantity": 1},
        )
    assert typed(json_body(only_request(recorder))) == typed(
        {
            "order_id": "75a2726d13artibb10",
            "returned_amount": 26.95,
            "returned_product_id": "1234df",
            "quantity": 1,
        }
    )


async def test_extra_body_may_not_repeat_a_named_argument() -> None:
    """extra_body={"returned_amount": ...} is refused before sending: use the argument."""
    await assert_clash_refused(PARTIAL_RETURN)
