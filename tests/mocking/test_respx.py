"""respx, as a merchant's tests use it to mock our client on its default httpx transport.

Routes by method, URL, query parameters and headers; responses, exceptions and sequences as
side effects; ``route.calls`` for what was sent. The README's respx example is
``respx_example.py`` beside this file, run as is.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest
import respx

from shopsocially_async import RetryPolicy, ShopSociallyClient, errors

from ..readme import python_blocks, run_example

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.anyio

API = "https://api.shopsocially.com/v2/loyalty"
HERE = Path(__file__).parent
EXAMPLE = (HERE / "respx_example.py").read_text()
NO_WAITING = RetryPolicy(initial_delay=0, max_delay=0, max_retry_after=0)


def ok(data: object) -> httpx.Response:
    """A success envelope, as the API sends it."""
    return httpx.Response(200, json={"success": True, "data": data})


def page(ids: list[str], *, next_start_index: int, more: bool) -> httpx.Response:
    """One page of the transactions listing."""
    records = [{"id": i, "points": 10} for i in ids]
    data = {"transactions": records, "total": 3, "next_start_index": next_start_index}
    return ok({**data, "more": more})


@pytest.fixture
async def client() -> AsyncIterator[ShopSociallyClient]:
    """A client on the default transport, which respx intercepts; retries do not wait."""
    async with ShopSociallyClient("partner", "key", retry_policy=NO_WAITING) as client:
        yield client


async def test_a_route_sees_the_exact_request(
    client: ShopSociallyClient, respx_mock: respx.MockRouter
) -> None:
    """A route matched on method, URL and headers gets the credentials and the JSON body."""
    route = respx_mock.post(
        f"{API}/deduct", headers={"partner-id": "partner", "api-key": "key"}
    ).mock(return_value=ok({"id": "tx-9", "points": -50, "available_points": 70}))
    tx = await client.points.deduct(user_email="bob@example.com", points_passed=50, reason="r")
    assert (tx.id, tx.points, tx.available_points) == ("tx-9", -50, 70)
    request = route.calls.last.request
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "user_email": "bob@example.com",
        "points_passed": 50,
        "reason": "r",
    }


async def test_routes_by_query_parameters_page_a_listing(
    client: ShopSociallyClient, respx_mock: respx.MockRouter
) -> None:
    """Each page is its own route, told apart by ``start_index``; dates go as MM/DD/YYYY."""
    dates = {"from_date": "01/01/2024", "to_date": "01/31/2024"}
    first = respx_mock.get(f"{API}/transactions", params={**dates, "start_index": "0"}).mock(
        return_value=page(["a", "b"], next_start_index=2, more=True)
    )
    second = respx_mock.get(f"{API}/transactions", params={**dates, "start_index": "2"}).mock(
        return_value=page(["c"], next_start_index=3, more=False)
    )
    pager = client.transactions.list(from_date=date(2024, 1, 1), to_date=date(2024, 1, 31))
    assert [tx.id for tx in await pager.collect()] == ["a", "b", "c"]
    assert (first.call_count, second.call_count) == (1, 1)


async def test_a_connect_error_then_success_is_retried_for_any_write(
    client: ShopSociallyClient, respx_mock: respx.MockRouter
) -> None:
    """A redeem that could not connect was certainly not applied, so it is sent again."""
    route = respx_mock.post(f"{API}/redeem").mock(
        side_effect=[httpx.ConnectError("refused"), ok({"id": "tx-2", "coupon_code": "C-1"})]
    )
    tx = await client.points.redeem(user_email="bob@example.com", redemption_id="r-10")
    assert tx.coupon_code == "C-1"
    assert route.call_count == 2


async def test_a_retried_award_sends_the_same_body_each_time(
    client: ShopSociallyClient, respx_mock: respx.MockRouter
) -> None:
    """An award with ``order_id`` is retried through 503 and 502 with identical bodies."""
    route = respx_mock.post(f"{API}/award").mock(
        side_effect=[httpx.Response(503), httpx.Response(502), ok({"id": "tx-3", "points": 5})]
    )
    await client.points.award(user_email="a@example.com", activity_id="buy", order_id="A-7")
    bodies = [call.request.content for call in route.calls]
    assert len(bodies) == 3
    assert len(set(bodies)) == 1
    assert [call.response.status_code for call in route.calls] == [503, 502, 200]


async def test_an_award_without_order_id_is_not_retried_after_a_503(
    client: ShopSociallyClient, respx_mock: respx.MockRouter
) -> None:
    """Without ``order_id`` a 503 may have applied: one call, ``outcome_unknown``."""
    route = respx_mock.post(f"{API}/award").respond(503)
    with pytest.raises(errors.ServerError) as caught:
        await client.points.award(user_email="a@example.com", activity_id="signup")
    assert caught.value.outcome_unknown
    assert route.call_count == 1


async def test_a_business_error_on_http_200_raises_its_class(
    client: ShopSociallyClient, respx_mock: respx.MockRouter
) -> None:
    """``"success": false`` with a known code raises the typed error, nothing retried."""
    failure = {"success": False, "error_code": "INSUFFICIENT_REDEEMABLE_POINTS", "reason": "low"}
    route = respx_mock.post(f"{API}/redeem").respond(200, json=failure)
    with pytest.raises(errors.InsufficientPointsError) as caught:
        await client.points.redeem(user_email="a@example.com", redemption_id="r-10")
    assert (caught.value.error_code, caught.value.outcome_unknown) == (
        "INSUFFICIENT_REDEEMABLE_POINTS",
        False,
    )
    assert route.call_count == 1


async def test_the_decorator_and_a_base_url_router(client: ShopSociallyClient) -> None:
    """``respx.mock(base_url=...)`` as a context manager: routes by path, all asserted called."""
    with respx.mock(base_url=API, assert_all_called=True) as router:
        router.get("/users/bob%40example.com").respond(
            200, json={"success": True, "data": {"user_email": "bob@example.com"}}
        )
        router.get("/activities").respond(200, json={"success": True, "data": []})
        assert (await client.users.get("bob@example.com")).user_email == "bob@example.com"
        assert await client.activities.list() == []
        assert router.calls.call_count == 2


async def test_bad_input_sends_nothing(
    client: ShopSociallyClient, respx_mock: respx.MockRouter
) -> None:
    """A refused argument never reaches the mocked transport."""
    route = respx_mock.route()
    with pytest.raises(errors.InvalidArgumentError):
        await client.points.deduct(user_email="a@example.com", points_passed=0, reason="r")
    assert not route.called


def test_readme_respx_example_passes(pytester: pytest.Pytester) -> None:
    """The README's respx example, copied as is, passes under asyncio and trio."""
    run_example(pytester, EXAMPLE).assert_outcomes(passed=4)


def test_readme_shows_the_respx_example() -> None:
    """The README's testing section shows exactly the tested respx example."""
    assert EXAMPLE in python_blocks("Testing your integration")
