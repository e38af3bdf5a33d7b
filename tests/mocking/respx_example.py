"""Mock the client's HTTP calls with respx: no fake program, exact requests and responses."""

import json

import httpx
import pytest

from shopsocially_async import RetryPolicy, ShopSociallyClient, errors

API = "https://api.shopsocially.com/v2/loyalty"
pytestmark = pytest.mark.anyio


@pytest.fixture
async def client():
    no_waiting = RetryPolicy(initial_delay=0, max_delay=0, max_retry_after=0)
    async with ShopSociallyClient("partner", "key", retry_policy=no_waiting) as client:
        yield client


async def test_a_purchase_award_survives_a_503(client, respx_mock):
    route = respx_mock.post(f"{API}/award").mock(
        side_effect=[
            httpx.Response(503),
            httpx.Response(200, json={"success": True, "data": {"id": "tx-1", "points": 120}}),
        ]
    )
    tx = await client.points.award(
        user_email="bob@example.com",
        activity_id="made_a_purchase",
        points_passed=60,
        order_id="A-1001",
    )
    assert (tx.id, tx.points) == ("tx-1", 120)
    assert route.call_count == 2  # retried: the order_id makes it safe
    sent = json.loads(route.calls.last.request.content)
    assert sent == {
        "user_email": "bob@example.com",
        "activity_id": "made_a_purchase",
        "points_passed": 60,
        "order_id": "A-1001",
    }


async def test_a_redeem_is_never_sent_twice(client, respx_mock):
    route = respx_mock.post(f"{API}/redeem").mock(side_effect=httpx.ReadTimeout)
    with pytest.raises(errors.APITimeoutError) as caught:
        await client.points.redeem(user_email="bob@example.com", redemption_id="$10_gift_card")
    assert caught.value.outcome_unknown  # it may have applied: reconcile, don't resend
    assert route.call_count == 1
