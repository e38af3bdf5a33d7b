"""``client.points``: what the shared endpoint table does not cover (``test_endpoints.py``):
order ids and amounts on the wire, optional fields left out, form encoding."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.unit import reference_examples as ref
from tests.unit.expected_models import AWARDED
from tests.unit.helpers import form_body, json_body, only_request, recording_client, typed

pytestmark = pytest.mark.anyio


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
