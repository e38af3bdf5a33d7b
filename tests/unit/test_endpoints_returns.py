"""``client.returns.create``: what the shared endpoint table (``test_endpoints.py``) does
not cover: full returns, amounts in both encodings, product returns' quantity, the combination
the API refuses, and extra_body as the escape hatch."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopsocially_async import InvalidArgumentError
from tests.unit import reference_examples as ref
from tests.unit.helpers import form_body, json_body, only_request, recording_client, typed

pytestmark = pytest.mark.anyio


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
