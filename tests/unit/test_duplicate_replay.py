"""Review finding: a first-attempt DUPLICATE_ORDER_ID must never be reported as a replay."""

from __future__ import annotations

import pytest

from shopsocially_async import errors
from tests.unit.scripted import Script, failure, scripted_client

pytestmark = pytest.mark.anyio

EMAIL = "ann@example.com"


async def test_first_answer_duplicate_is_not_a_replay_whatever_its_status() -> None:
    """DUPLICATE_ORDER_ID on the very first attempt means someone else awarded the order,
    even when a gateway wraps it in a 5xx: replay must stay False."""
    script = Script(failure(500, "DUPLICATE_ORDER_ID"))
    async with scripted_client(script) as client:
        with pytest.raises(errors.DuplicateOrderError) as caught:
            await client.points.award(
                user_email=EMAIL, activity_id="purchase", points_passed=1, order_id="A-1"
            )
    assert script.count == 1
    assert caught.value.replay is False
    assert caught.value.outcome_unknown is False
