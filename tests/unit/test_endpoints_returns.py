"""``client.returns.create``: full and partial returns, against the reference's examples."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from shopsocially_async import InvalidArgumentError, Transaction
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


PRODUCT_RETURN = Endpoint(
    name="returns.create (product)",
    call=lambda client, **extra: client.returns.create(
        order_id="75a2726d13artibb10", returned_product_id="1234df", quantity=2, **extra
    ),
    response=ref.RETURNS_TRACKING_RESPONSE,
    method="POST",
    path=b"/transaction/return",
    body={"order_id": "75a2726d13artibb10", "returned_product_id": "1234df", "quantity": 2},
    expected=RETURNED_TRACKING,
    named_field="returned_product_id",
)
RETURNS = [PARTIAL_RETURN, PRODUCT_RETURN]


@pytest.mark.parametrize("endpoint", RETURNS, ids=str)
async def test_request_on_the_wire(endpoint: Endpoint) -> None:
    """A partial return POSTs order_id and returned_amount (a JSON number); a product return
    order_id, returned_product_id and quantity (a JSON integer, 002's field name)."""
    await assert_request_on_the_wire(endpoint)


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


async def test_product_return_decodes_into_the_returns_tracking_shape() -> None:
    """A product return's answer (002's example) decodes with first_name/last_name."""
    client, _ = recording_client(ref.RETURNS_TRACKING_RESPONSE)
    async with client:
        returned = await client.returns.create(order_id="o", returned_product_id="1234df")
    assert returned == RETURNED_TRACKING


async def test_product_return_sends_quantity_one_by_default() -> None:
    """Without quantity a product return sends quantity 1, never leaving it to the server."""
    client, recorder = recording_client(ref.RETURNS_TRACKING_RESPONSE)
    async with client:
        await client.returns.create(order_id="A-1", returned_product_id="sku-9")
    assert typed(json_body(only_request(recorder))) == typed(
        {"order_id": "A-1", "returned_product_id": "sku-9", "quantity": 1}
    )

    client, recorder = recording_client(ref.RETURNS_TRACKING_RESPONSE, body_encoding="form")
    async with client:
        await client.returns.create(order_id="A-1", returned_product_id="sku 9", quantity=12)
    assert form_body(only_request(recorder)) == {
        "order_id": "A-1",
        "returned_product_id": "sku 9",
        "quantity": "12",
    }


async def test_the_returns_tracking_example_request_is_refused_before_sending() -> None:
    """002's example request passes returned_amount with returned_product_id, which the API
    refuses (PRODUCT_ID_AND_RETURN_AMOUNT_PASSED): refused here, naming both, nothing sent."""
    client, recorder = recording_client()
    async with client:
        with pytest.raises(InvalidArgumentError) as caught:
            await client.returns.create(
                order_id="75a2726d13artibb10",
                returned_amount=Decimal("26.95"),
                returned_product_id="1234df",
                quantity=1,
            )
    assert str(caught.value) == (
        "returned_amount and returned_product_id are exclusive: pass one (the API answers "
        "PRODUCT_ID_AND_RETURN_AMOUNT_PASSED)"
    )
    assert recorder.requests == []


async def test_extra_body_still_sends_whatever_the_caller_wants() -> None:
    """extra_body is the escape hatch: fields beside the named ones go out as given."""
    client, recorder = recording_client(ref.RETURNS_TRACKING_RESPONSE)
    async with client:
        await client.returns.create(
            order_id="A-1", returned_amount=5, extra_body={"returned_product_id": "x"}
        )
    assert typed(json_body(only_request(recorder))) == typed(
        {"order_id": "A-1", "returned_amount": 5, "returned_product_id": "x"}
    )


@pytest.mark.parametrize("endpoint", RETURNS, ids=str)
async def test_extras_are_merged(endpoint: Endpoint) -> None:
    """extra_query, extra_headers and extra_body are sent beside the named arguments."""
    await assert_extras_merged(endpoint)


@pytest.mark.parametrize("endpoint", RETURNS, ids=str)
async def test_extra_body_may_not_repeat_a_named_argument(endpoint: Endpoint) -> None:
    """extra_body repeating a named argument (returned_amount, returned_product_id) is
    refused before sending: use the argument."""
    await assert_clash_refused(endpoint)
