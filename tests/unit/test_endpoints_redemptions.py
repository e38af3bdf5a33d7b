"""``client.redemptions``: what the shared endpoint table (``test_endpoints.py``) does not
cover: coupon expiry months, partial updates, a listing of several options."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from shopsocially_async import Redemption
from tests.unit import reference_examples as ref
from tests.unit.helpers import envelope, json_body, only_request, recording_client, typed

pytestmark = pytest.mark.anyio

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@pytest.mark.parametrize(("month", "name"), list(enumerate(MONTHS, start=1)))
async def test_coupon_expiry_uses_english_month_abbreviations(month: int, name: str) -> None:
    """coupon_expiry goes out as DD-Mon-YYYY with the English month, whatever the date."""
    client, recorder = recording_client(ref.REDEMPTION_UPDATE_RESPONSE)
    async with client:
        await client.redemptions.update("r1", coupon_expiry=date(2031, month, 9))
    assert json_body(only_request(recorder)) == {"coupon_expiry": f"09-{name}-2031"}


@pytest.mark.parametrize(
    ("changes", "body"),
    [
        ({"is_active": True}, {"is_active": True}),
        ({"redemption_value": Decimal("12.50")}, {"redemption_value": 12.5}),
        ({"redemption_value": 7}, {"redemption_value": 7}),
        ({"allowed_redeem_points": 400}, {"allowed_redeem_points": 400}),
        ({"giftcard_coupon_codes": ("ONLY-ONE",)}, {"giftcard_coupon_codes": "ONLY-ONE"}),
        (
            {
                "giftcard_coupon_codes": dict.fromkeys(["X1", "X2"]).keys(),
                "coupon_expiry": datetime(2030, 2, 3),
            },
            {"giftcard_coupon_codes": "X1,X2", "coupon_expiry": "03-Feb-2030"},
        ),
    ],
)
async def test_update_sends_only_given_fields(
    changes: dict[str, object], body: dict[str, object]
) -> None:
    """An update sends exactly the given fields, formatted for the wire; no nulls."""
    client, recorder = recording_client(ref.REDEMPTION_UPDATE_RESPONSE)
    async with client:
        await client.redemptions.update("test_redemption", **changes)  # type: ignore[arg-type]
    assert typed(json_body(only_request(recorder))) == typed(body)


async def test_list_of_several_options() -> None:
    """A data array of several options decodes to a list in the server's order."""
    rows = [
        {"redemption_id": "r1", "redemption_value": "$5", "giftcard_coupon_codes": "A, B"},
        {"redemption_id": "r2", "redemption_value": 7.5, "giftcard_coupon_codes": ["C"]},
    ]
    client, _ = recording_client(envelope(rows))
    async with client:
        options = await client.redemptions.list()
    assert options == [
        Redemption(
            redemption_id="r1", redemption_value=Decimal("5"), giftcard_coupon_codes=("A", "B")
        ),
        Redemption(
            redemption_id="r2", redemption_value=Decimal("7.5"), giftcard_coupon_codes=("C",)
        ),
    ]
