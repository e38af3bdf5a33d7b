"""``RetryPolicy.on_retry``: the hook the bulk counters use to count retries."""

from __future__ import annotations

import httpx
import pytest

from shopsocially_async import RetryEvent, RetryPolicy, ShopSociallyClient, errors

BASE_URL = "https://api.example.test/v2/loyalty"


def _client(responses: list[httpx.Response], events: list[RetryEvent]) -> ShopSociallyClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return responses.pop(0)

    policy = RetryPolicy(
        max_retries=2, initial_delay=0, max_delay=0, max_retry_after=0, on_retry=events.append
    )
    return ShopSociallyClient(
        "p", "k", base_url=BASE_URL, transport=httpx.MockTransport(handler), retry_policy=policy
    )


def _ok() -> httpx.Response:
    return httpx.Response(200, json={"success": True, "data": {"user_email": "a@x.test"}})


def _rate_limited() -> httpx.Response:
    body = {"success": False, "error_code": "RATE_LIMIT_EXCEEDED", "reason": "slow down"}
    return httpx.Response(429, json=body, headers={"retry-after": "0"})


@pytest.mark.anyio
async def test_on_retry_called_once_per_retry_with_route_and_attempt() -> None:
    """Two 429s then success: the hook sees attempts 2 and 3 on the call's route."""
    events: list[RetryEvent] = []
    async with _client([_rate_limited(), _rate_limited(), _ok()], events) as client:
        await client.users.get("a@x.test")
    assert [e.attempt for e in events] == [2, 3]
    assert {e.route for e in events} == {"GET /users/{user_email}"}
    assert all(isinstance(e.error, errors.RateLimitError) for e in events)
    assert all(e.delay == 0 for e in events)


@pytest.mark.anyio
async def test_on_retry_not_called_without_retries() -> None:
    """A first-time success and a non-retryable failure never call the hook."""
    events: list[RetryEvent] = []
    missing = httpx.Response(404, json={"success": False, "error_code": "INVALID_MEMBER"})
    async with _client([_ok(), missing], events) as client:
        await client.users.get("a@x.test")
        with pytest.raises(errors.MemberNotFoundError):
            await client.users.get("b@x.test")
    assert events == []


def test_on_retry_does_not_affect_policy_equality() -> None:
    """Policies differing only in the hook compare equal (the hook is not configuration)."""
    assert RetryPolicy(on_retry=print) == RetryPolicy()
    assert "on_retry" not in repr(RetryPolicy(on_retry=print))


@pytest.mark.parametrize(("failed", "low", "high"), [(1, 0.5, 1.0), (2, 1.0, 1.5), (3, 2.0, 2.5)])
def test_backoff_exponential_with_jitter(failed: int, low: float, high: float) -> None:
    """Delay n is initial * 2**(n-1) plus up to initial of jitter, never above max_delay."""
    from shopsocially_async._retry import _Backoff

    backoff = _Backoff(RetryPolicy(initial_delay=0.5, max_delay=8))
    assert all(low <= backoff.exponential(failed) <= high for _ in range(50))
    assert _Backoff(RetryPolicy(initial_delay=0.5, max_delay=2)).exponential(10) == 2


@pytest.mark.anyio
async def test_a_failing_on_retry_is_logged_and_the_call_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An ``on_retry`` that raises does not end the call: it is retried and returns."""

    def broken(event: RetryEvent) -> None:
        raise ValueError("counter bug")

    policy = RetryPolicy(max_retries=2, initial_delay=0, max_delay=0, on_retry=broken)
    responses = [_rate_limited(), _ok()]
    transport = httpx.MockTransport(lambda request: responses.pop(0))
    async with ShopSociallyClient(
        "p", "k", base_url=BASE_URL, transport=transport, retry_policy=policy
    ) as client:
        assert (await client.users.get("a@x.test")).user_email == "a@x.test"
    (record,) = [r for r in caplog.records if r.name == "shopsocially_async.hooks"]
    assert record.exc_info is not None
    assert record.exc_info[0] is ValueError
