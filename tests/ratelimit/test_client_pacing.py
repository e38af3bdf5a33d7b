"""``ShopSociallyClient(rate_limiter=...)``: every attempt acquires, every 429 is reported."""

from __future__ import annotations

import json
from datetime import date

import httpx
import pytest

from shopsocially_async import (
    APIError,
    ConfigurationError,
    RetryPolicy,
    ShopSociallyClient,
    bulk,
)
from shopsocially_async.ratelimit import RateLimiterUnavailableError
from shopsocially_async.testing import FakeShopSocially, Fault

pytestmark = pytest.mark.anyio

NO_WAIT = RetryPolicy(max_retries=3, initial_delay=0, max_delay=0, max_retry_after=0)
MEMBER = "GET /users/{user_email}"  # the client's route label
FAKE_MEMBER = "GET /users/{email}"  # the fake's


class SpyLimiter:
    """A RateLimiter that lets everything through and logs what it was told, in order."""

    def __init__(self, events: list[tuple[str, ...]] | None = None) -> None:
        self.events = [] if events is None else events

    async def acquire(self, route: str) -> None:
        self.events.append(("acquire", route))

    async def rate_limited(self, route: str, retry_after: float | None) -> None:
        self.events.append(("rate_limited", route, str(retry_after)))

    def count(self, kind: str) -> int:
        return sum(1 for event in self.events if event[0] == kind)


def scripted_client(
    limiter: object, *replies: httpx.Response, policy: RetryPolicy = NO_WAIT
) -> ShopSociallyClient:
    """A client whose transport logs each send into the limiter's event list, then answers
    with the next reply."""
    queue = list(replies)
    events = limiter.events if isinstance(limiter, SpyLimiter) else []

    def answer(request: httpx.Request) -> httpx.Response:
        events.append(("send", request.method))
        return queue.pop(0)

    return ShopSociallyClient(
        "partner",
        "key",
        transport=httpx.MockTransport(answer),
        retry_policy=policy,
        rate_limiter=limiter,  # type: ignore[arg-type]
    )


def reply(status: int, body: object, **headers: str) -> httpx.Response:
    """A JSON response."""
    return httpx.Response(status, content=json.dumps(body).encode(), headers=headers)


MEMBER_BODY = {"success": True, "data": {"email": "bob@example.com", "user_id": "u-1"}}
RATE_LIMITED = {"success": False, "error_code": "RATE_LIMIT_EXCEEDED", "reason": "slow down"}


async def test_every_attempt_acquires_before_it_is_sent() -> None:
    """A read retried after a 503: each of its two attempts acquires, then sends."""
    spy = SpyLimiter()
    unavailable = {"code": "SERVICE_UNAVAILABLE", "message": "down"}
    async with scripted_client(spy, reply(503, unavailable), reply(200, MEMBER_BODY)) as client:
        await client.users.get("bob@example.com")
    assert spy.events == [("acquire", MEMBER), ("send", "GET")] * 2


async def test_a_429_is_reported_with_its_retry_after_and_then_retried() -> None:
    """A 429 with Retry-After: 2 is reported as (route, 2.0) before the retry acquires."""
    spy = SpyLimiter()
    limited = reply(429, RATE_LIMITED, **{"Retry-After": "2"})
    async with scripted_client(spy, limited, reply(200, MEMBER_BODY)) as client:
        await client.users.get("bob@example.com")
    assert spy.events == [
        ("acquire", MEMBER),
        ("send", "GET"),
        ("rate_limited", MEMBER, "2.0"),
        ("acquire", MEMBER),
        ("send", "GET"),
    ]


async def test_a_429_without_a_hint_or_with_another_code_is_reported_too() -> None:
    """Status 429 is what counts: an unknown code and no Retry-After report (route, None)."""
    spy = SpyLimiter()
    odd = reply(429, {"code": "TOO_MANY", "message": "later"})
    async with scripted_client(spy, odd, reply(200, MEMBER_BODY)) as client:
        await client.users.get("bob@example.com")
    assert ("rate_limited", MEMBER, "None") in spy.events


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, RATE_LIMITED),  # the code on a 200 is a business refusal, not the status
        (503, {"code": "SERVICE_UNAVAILABLE", "message": "down"}),
        (500, {"code": "INTERNAL_SERVER_ERROR", "message": "boom"}),
    ],
)
async def test_only_status_429_is_reported(status: int, body: object) -> None:
    """Other failures acquire like any attempt but are never reported as rate limiting."""
    spy = SpyLimiter()
    policy = RetryPolicy(max_retries=0)
    async with scripted_client(spy, reply(status, body), policy=policy) as client:
        with pytest.raises(APIError) as raised:
            await client.users.get("bob@example.com")
    assert raised.value.status_code == status
    assert spy.count("rate_limited") == 0
    assert spy.count("acquire") == 1


async def test_with_options_copies_share_the_limiter() -> None:
    """A copy paces through the same limiter as its original."""
    spy = SpyLimiter()
    async with scripted_client(spy, reply(200, MEMBER_BODY)) as client:
        copy = client.with_options(max_retries=0)
        await copy.users.get("bob@example.com")
        assert copy.rate_limiter is client.rate_limiter is spy
    assert spy.events == [("acquire", MEMBER), ("send", "GET")]


@pytest.mark.parametrize("bad", [20, 2.5, "20/s", object()])
def test_something_that_is_not_a_limiter_is_refused(bad: object) -> None:
    """rate_limiter= takes a RateLimiter; anything else is a ConfigurationError naming it."""
    with pytest.raises(ConfigurationError, match="rate_limiter must be a RateLimiter"):
        ShopSociallyClient("partner", "key", rate_limiter=bad)  # type: ignore[arg-type]


def test_a_number_is_refused_with_the_local_limiter_as_the_hint() -> None:
    """rate_limiter=20 says how to ask for a process-local limit of 20/s."""
    with pytest.raises(ConfigurationError, match=r"LocalRateLimiter\(20\)"):
        ShopSociallyClient("partner", "key", rate_limiter=20)  # type: ignore[arg-type]


def in_process_client(fake: FakeShopSocially, limiter: SpyLimiter) -> ShopSociallyClient:
    """A client calling ``fake`` in process, paced by ``limiter``; retries never sleep."""
    return ShopSociallyClient(
        fake.partner_id,
        fake.api_key,
        base_url=fake.base_url_for_asgi,
        transport=fake.asgi_transport(),
        retry_policy=NO_WAIT,
        rate_limiter=limiter,
    )


async def test_every_page_and_every_prefetched_page_acquires() -> None:
    """Listing several pages with prefetch: one acquire per request the server received."""
    fake = FakeShopSocially().seed(members=3, transactions=450)
    spy = SpyLimiter()
    async with in_process_client(fake, spy) as client:
        listing = client.transactions.list(
            from_date=date(2000, 1, 1), to_date=date(2100, 1, 1), prefetch=2
        )
        items = [tx async for tx in listing]
    pages = fake.stats.requests["GET /transactions"]
    assert pages >= 3
    assert pages == -(-len(items) // 100)
    assert spy.events == [("acquire", "GET /transactions")] * pages


async def test_a_retried_429_is_not_a_bulk_failure() -> None:
    """Awards meeting three 429s are retried and all succeed: the run counts no failure."""
    fake = FakeShopSocially().seed(members=5, transactions=0)
    fake.inject(Fault("rate_limit", route="POST /award", every_nth=2, times=3, retry_after=1))
    spy = SpyLimiter()
    emails = [member.email for member in fake.members]
    award = {"activity_id": "made_a_purchase", "points_passed": 10}
    inputs = [{**award, "user_email": emails[i % 5], "order_id": f"o-{i}"} for i in range(8)]
    async with (
        in_process_client(fake, spy) as client,
        bulk.award_many(client, inputs, concurrency=4) as run,
    ):
        results = [result async for result in run]
    assert [r.error for r in results if not r.ok] == []
    assert (run.counters.succeeded, run.counters.failed, run.counters.retries) == (8, 0, 3)
    assert spy.count("rate_limited") == 3
    assert spy.count("acquire") == fake.stats.requests["POST /award"] == 11


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # the aiohttp transport: asyncio only
async def test_the_aiohttp_path_paces_and_reports_too() -> None:
    """Through the direct aiohttp path: one acquire per request, each 429 reported."""
    fake = FakeShopSocially().seed(members=3, transactions=0)
    fake.inject(Fault("rate_limit", route=FAKE_MEMBER, times=1, retry_after=1))
    spy = SpyLimiter()
    email = fake.members[0].email
    async with fake.serve() as base_url:
        client = ShopSociallyClient(
            fake.partner_id, fake.api_key, base_url=base_url, transport="aiohttp",
            retry_policy=NO_WAIT, rate_limiter=spy,
        )  # fmt: skip
        async with client:
            for _ in range(3):
                await client.users.get(email)
    assert spy.events.count(("acquire", MEMBER)) == fake.stats.requests[FAKE_MEMBER] == 4
    assert spy.events.count(("rate_limited", MEMBER, "1.0")) == 1


async def test_an_unreachable_limiter_fails_a_write_that_certainly_did_not_apply() -> None:
    """RateLimiterUnavailableError from acquire ends the call at once (not retried, nothing
    sent) and a write failing so is not ``outcome_unknown``."""

    class Unreachable(SpyLimiter):
        async def acquire(self, route: str) -> None:
            self.events.append(("acquire", route))
            raise RateLimiterUnavailableError("the shared limiter is unreachable")

    spy = Unreachable()
    async with scripted_client(spy) as client:
        with pytest.raises(RateLimiterUnavailableError) as raised:
            await client.points.deduct(user_email="bob@example.com", points_passed=5, reason="x")
    assert spy.events == [("acquire", "POST /deduct")]
    assert raised.value.outcome_unknown is False
