"""Retries through the public client: safe for reads, never doubling a write.

Every test scripts the HTTP exchange with a MockTransport and a policy that never sleeps
(or records the delays instead of sleeping), so the rules are checked exactly: which
failures are retried, how many requests are sent, and what ``outcome_unknown`` says.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import httpx
import pytest

from shopsocially_async import RetryPolicy, ShopSociallyClient, errors
from tests.unit.scripted import BASE_URL, Script, Step, failure, ok, scripted_client, status

CallFn = Callable[[ShopSociallyClient], Awaitable[Any]]
StepFactory = Callable[[], Step]

EMAIL = "ann@example.com"

READS: dict[str, CallFn] = {
    "users.get": lambda c: c.users.get(EMAIL),
    "transactions.get": lambda c: c.transactions.get("tx-1"),
    "activities.list": lambda c: c.activities.list(),
    "redemptions.get": lambda c: c.redemptions.get("gift-10"),
}

IDEMPOTENT_WRITES: dict[str, CallFn] = {
    "users.update (PUT)": lambda c: c.users.update("uid-1", loyalty_level_id="gold"),
    "activities.update (PUT)": lambda c: c.activities.update("purchase", is_active=False),
    "award with order_id": lambda c: c.points.award(
        user_email=EMAIL, activity_id="purchase", points_passed=120, order_id="A-1001"
    ),
}

UNSAFE_WRITES: dict[str, CallFn] = {
    "award without order_id": lambda c: c.points.award(user_email=EMAIL, activity_id="review"),
    "redeem": lambda c: c.points.redeem(user_email=EMAIL, redemption_id="gift-10"),
    "deduct": lambda c: c.points.deduct(user_email=EMAIL, points_passed=50, reason="fraud"),
    "returns.create": lambda c: c.returns.create(order_id="A-1001"),
    "users.create": lambda c: c.users.create(
        first_name="Ann", last_name="Lee", email=EMAIL, uid="uid-1"
    ),
    "activities.create": lambda c: c.activities.create(
        activity_id="review",
        activity_name="Write a review",
        activity_description="Review a product",
        activity_type="fixed",
        max_award_frequency=1,
        max_award_frequency_interval="day",
        approval_method="immediate",
        points_per_activity=10,
    ),
    "redemptions.create": lambda c: c.redemptions.create(
        redemption_id="gift-10",
        redemption_name="$10 gift card",
        allowed_redeem_points=1000,
        redemption_value=10,
        giftcard_description="Ten dollars",
        terms_and_conds_text="None",
        giftcard_coupon_codes=["C1", "C2"],
        coupon_expiry=date(2030, 1, 31),
    ),
}

IDEMPOTENT_CALLS = {**READS, **IDEMPOTENT_WRITES}
ALL_CALLS = {**IDEMPOTENT_CALLS, **UNSAFE_WRITES}


def rate_limited(retry_after: str | None = None) -> httpx.Response:
    """A 429 ``RATE_LIMIT_EXCEEDED``, optionally with a Retry-After header."""
    headers = {} if retry_after is None else {"retry-after": retry_after}
    return failure(429, "RATE_LIMIT_EXCEEDED", "slow down", headers=headers)


def duplicate() -> httpx.Response:
    """The API's answer to a second award for the same order id."""
    return failure(200, "DUPLICATE_ORDER_ID", "points already awarded for this order")


# Failures after which the request certainly was not processed.
NOT_SENT: dict[str, StepFactory] = {
    "ConnectError": lambda: httpx.ConnectError,
    "ConnectTimeout": lambda: httpx.ConnectTimeout,
    "PoolTimeout": lambda: httpx.PoolTimeout,
    "429": lambda: rate_limited(),
}

# Failures after which the request may have been processed: the outcome is unknown.
AMBIGUOUS: dict[str, StepFactory] = {
    "ReadTimeout": lambda: httpx.ReadTimeout,
    "WriteTimeout": lambda: httpx.WriteTimeout,
    "ReadError": lambda: httpx.ReadError,
    "RemoteProtocolError": lambda: httpx.RemoteProtocolError,
    "500": lambda: status(500, b"Internal Server Error"),
    "502": lambda: status(502, b"<html>Bad Gateway</html>"),
    "503": lambda: status(503),
    "504": lambda: status(504),
    "200 INTERNAL_SERVER_ERROR": lambda: failure(200, "INTERNAL_SERVER_ERROR"),
    "undecodable 200": lambda: status(200, b"<html>OK</html>"),
    "200 without data": lambda: httpx.Response(200, json={"success": True}),
}

# Transient failures worth retrying when the call is safe to repeat.
TRANSIENT: dict[str, StepFactory] = {
    **NOT_SENT,
    "ReadTimeout": AMBIGUOUS["ReadTimeout"],
    "RemoteProtocolError": AMBIGUOUS["RemoteProtocolError"],
    "408": lambda: status(408),
    "500": AMBIGUOUS["500"],
    "502": AMBIGUOUS["502"],
    "503": AMBIGUOUS["503"],
    "504": AMBIGUOUS["504"],
}

# Definitive answers: the call was refused and repeating it cannot help.
DEFINITIVE: dict[str, StepFactory] = {
    "400": lambda: failure(400, "MISSING_PARAMETERS", "user_email is required"),
    "401": lambda: status(401, b"Unauthorized"),
    "403": lambda: failure(403, "ERROR_UNAUTHORIZED", "bad key"),
    "404": lambda: status(404, b"Not Found"),
    "200 INVALID_MEMBER": lambda: failure(200, "INVALID_MEMBER", "no such member"),
    "200 INSUFFICIENT_REDEEMABLE_POINTS": lambda: failure(200, "INSUFFICIENT_REDEEMABLE_POINTS"),
    "200 unknown code": lambda: failure(200, "SOMETHING_NEW"),
}


@pytest.fixture
def recorded_delays(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Replace the retry loop's ``anyio.sleep`` with one that records the delay and returns."""
    delays: list[float] = []

    async def fake_sleep(delay: float) -> None:
        delays.append(delay)

    monkeypatch.setattr("shopsocially_async._retry.anyio.sleep", fake_sleep)
    return delays


@pytest.mark.anyio
@pytest.mark.parametrize("fail", TRANSIENT.values(), ids=TRANSIENT.keys())
@pytest.mark.parametrize("call", IDEMPOTENT_CALLS.values(), ids=IDEMPOTENT_CALLS.keys())
async def test_idempotent_calls_retry_transient_failures(call: CallFn, fail: StepFactory) -> None:
    """GETs, PUTs and awards with an order_id are retried after a transient failure."""
    script = Script(fail(), ok())
    async with scripted_client(script) as client:
        await call(client)
    assert script.count == 2
    assert script.requests[0].content == script.requests[1].content


@pytest.mark.anyio
@pytest.mark.parametrize("fail", DEFINITIVE.values(), ids=DEFINITIVE.keys())
@pytest.mark.parametrize("call", ALL_CALLS.values(), ids=ALL_CALLS.keys())
async def test_definitive_failures_are_not_retried(call: CallFn, fail: StepFactory) -> None:
    """400/401/403/404 and business errors are raised at once, with outcome_unknown False."""
    script = Script(fail())
    async with scripted_client(script) as client:
        with pytest.raises(errors.APIError) as caught:
            await call(client)
    assert script.count == 1
    assert caught.value.outcome_unknown is False


@pytest.mark.anyio
@pytest.mark.parametrize("max_retries", [0, 1, 2, 5])
async def test_max_retries_bounds_the_attempts(max_retries: int) -> None:
    """A call that always fails is sent exactly max_retries + 1 times."""
    script = Script(*(status(503) for _ in range(max_retries + 1)))
    async with scripted_client(script, max_retries=max_retries) as client:
        with pytest.raises(errors.ServerError):
            await client.users.get(EMAIL)
    assert script.count == max_retries + 1


@pytest.mark.anyio
async def test_default_max_retries_is_two() -> None:
    """Without max_retries a failing read is sent three times."""
    script = Script(httpx.ReadTimeout, httpx.ReadTimeout, httpx.ReadTimeout)
    client = ShopSociallyClient(
        "p",
        "k",
        base_url=BASE_URL,
        transport=httpx.MockTransport(script),
        retry_policy=RetryPolicy(initial_delay=0, max_delay=0),
    )
    async with client:
        assert client.max_retries == 2
        with pytest.raises(errors.APITimeoutError):
            await client.users.get(EMAIL)
    assert script.count == 3


@pytest.mark.anyio
@pytest.mark.parametrize("fail", NOT_SENT.values(), ids=NOT_SENT.keys())
@pytest.mark.parametrize("call", UNSAFE_WRITES.values(), ids=UNSAFE_WRITES.keys())
async def test_unsafe_writes_retry_when_certainly_not_processed(
    call: CallFn, fail: StepFactory
) -> None:
    """A POST is retried after a connect failure or a 429: the server never processed it."""
    script = Script(fail(), ok())
    async with scripted_client(script) as client:
        await call(client)
    assert script.count == 2


@pytest.mark.anyio
@pytest.mark.parametrize("fail", AMBIGUOUS.values(), ids=AMBIGUOUS.keys())
@pytest.mark.parametrize("call", UNSAFE_WRITES.values(), ids=UNSAFE_WRITES.keys())
async def test_unsafe_writes_never_repeat_an_ambiguous_attempt(
    call: CallFn, fail: StepFactory
) -> None:
    """After a read timeout, dropped connection, 5xx or undecodable 2xx a POST is not
    retried: exactly one request is sent and the error says outcome_unknown."""
    script = Script(fail())
    async with scripted_client(script) as client:
        with pytest.raises(errors.ShopSociallyError) as caught:
            await call(client)
    assert script.count == 1
    assert caught.value.outcome_unknown is True


@pytest.mark.anyio
@pytest.mark.parametrize("fail", NOT_SENT.values(), ids=NOT_SENT.keys())
@pytest.mark.parametrize("call", UNSAFE_WRITES.values(), ids=UNSAFE_WRITES.keys())
async def test_unsafe_write_that_never_reached_the_server_is_not_unknown(
    call: CallFn, fail: StepFactory
) -> None:
    """A POST whose every attempt certainly failed before processing has outcome_unknown False."""
    script = Script(fail(), fail(), fail())
    async with scripted_client(script) as client:
        with pytest.raises(errors.ShopSociallyError) as caught:
            await call(client)
    assert script.count == 3
    assert caught.value.outcome_unknown is False


@pytest.mark.anyio
async def test_unsafe_write_unknown_after_a_later_ambiguous_attempt() -> None:
    """Connect error then read timeout: the second attempt may have applied, so unknown."""
    script = Script(httpx.ConnectError, httpx.ReadTimeout)
    async with scripted_client(script) as client:
        with pytest.raises(errors.APITimeoutError) as caught:
            await UNSAFE_WRITES["deduct"](client)
    assert script.count == 2
    assert caught.value.outcome_unknown is True


@pytest.mark.anyio
@pytest.mark.parametrize("fail", AMBIGUOUS.values(), ids=AMBIGUOUS.keys())
@pytest.mark.parametrize("call", READS.values(), ids=READS.keys())
async def test_reads_are_never_outcome_unknown(call: CallFn, fail: StepFactory) -> None:
    """However a read fails, outcome_unknown is False: nothing could have changed."""
    script = Script(fail(), fail(), fail())
    async with scripted_client(script) as client:
        with pytest.raises(errors.ShopSociallyError) as caught:
            await call(client)
    assert caught.value.outcome_unknown is False


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("steps", "replay"),
    [
        pytest.param([duplicate], False, id="first-attempt"),
        pytest.param([lambda: httpx.ReadTimeout, duplicate], True, id="after-read-timeout"),
        pytest.param([lambda: status(503), duplicate], True, id="after-503"),
        pytest.param([lambda: httpx.RemoteProtocolError, duplicate], True, id="after-drop"),
        pytest.param([lambda: rate_limited(), duplicate], False, id="after-429"),
        pytest.param([lambda: httpx.ConnectError, duplicate], False, id="after-connect-error"),
        pytest.param(
            [lambda: rate_limited(), lambda: httpx.ReadTimeout, duplicate], True, id="429-timeout"
        ),
    ],
)
async def test_duplicate_order_replay(steps: list[StepFactory], replay: bool) -> None:
    """DUPLICATE_ORDER_ID is a replay only when an earlier attempt of this call may have
    landed; either way the award happened exactly once, so outcome_unknown is False."""
    script = Script(*(make() for make in steps))
    async with scripted_client(script) as client:
        with pytest.raises(errors.DuplicateOrderError) as caught:
            await IDEMPOTENT_WRITES["award with order_id"](client)
    assert caught.value.replay is replay
    assert caught.value.outcome_unknown is False
    assert script.count == len(steps)
    assert len({r.content for r in script.requests}) == 1  # every attempt sent the same award


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("steps", "error", "unknown"),
    [
        pytest.param(
            [httpx.ReadTimeout, rate_limited, rate_limited],
            errors.RateLimitError,
            True,
            id="timeout-then-429s",
        ),
        pytest.param(
            [httpx.ReadTimeout, httpx.ReadTimeout, httpx.ReadTimeout],
            errors.APITimeoutError,
            True,
            id="timeouts",
        ),
        pytest.param(
            [rate_limited, rate_limited, rate_limited], errors.RateLimitError, False, id="429s"
        ),
        pytest.param(
            [httpx.ConnectError, httpx.ConnectError, httpx.ConnectError],
            errors.APIConnectionError,
            False,
            id="connect-errors",
        ),
        pytest.param(
            [lambda: status(503), lambda: failure(400, "BAD")],
            errors.BadRequestError,
            True,
            id="503-then-400",
        ),
    ],
)
async def test_outcome_unknown_covers_every_attempt_of_the_call(
    steps: list[Any], error: type[errors.ShopSociallyError], unknown: bool
) -> None:
    """An award with order_id whose first attempt may have landed stays unknown whatever
    the later attempts answer."""
    script = Script(*(s() if not isinstance(s, type) else s for s in steps))
    async with scripted_client(script) as client:
        with pytest.raises(error) as caught:
            await IDEMPOTENT_WRITES["award with order_id"](client)
    assert caught.value.outcome_unknown is unknown
    assert script.count == len(steps)


@pytest.mark.anyio
async def test_award_with_order_id_succeeds_after_ambiguous_attempt() -> None:
    """A read timeout then success returns the transaction: no error, nothing unknown."""
    script = Script(httpx.ReadTimeout, ok({"id": "tx-9", "order_id": "A-1001", "points": 120}))
    async with scripted_client(script) as client:
        tx = await IDEMPOTENT_WRITES["award with order_id"](client)
    assert (tx.id, tx.points) == ("tx-9", 120)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("headers", "policy", "expected"),
    [
        pytest.param({"retry-after": "7"}, RetryPolicy(), 7.0, id="seconds"),
        pytest.param({"retry-after": "0"}, RetryPolicy(), 0.0, id="zero"),
        pytest.param({"retry-after": "2.5"}, RetryPolicy(), 2.5, id="fractional"),
        pytest.param({"retry-after-ms": "1500"}, RetryPolicy(), 1.5, id="ms"),
        pytest.param({"retry-after": "120"}, RetryPolicy(), 60.0, id="capped-at-60"),
        pytest.param({"retry-after": "30"}, RetryPolicy(max_retry_after=5), 5.0, id="policy-cap"),
    ],
)
async def test_retry_after_is_honoured(
    recorded_delays: list[float], headers: dict[str, str], policy: RetryPolicy, expected: float
) -> None:
    """The delay before retrying a 429 is the server's Retry-After, capped by the policy."""
    script = Script(failure(429, "RATE_LIMIT_EXCEEDED", headers=headers), ok())
    async with scripted_client(script, retry_policy=policy, deadline=None) as client:
        await client.points.deduct(user_email=EMAIL, points_passed=5, reason="r")
    assert recorded_delays == [pytest.approx(expected)]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("retry_after", "deadline", "retried"),
    [
        pytest.param("9", 10.0, True, id="sleep-ends-before-the-deadline"),
        pytest.param("10", 10.0, False, id="sleep-reaches-the-deadline"),
        pytest.param("30", 10.0, False, id="sleep-crosses-the-deadline"),
        pytest.param("30", None, True, id="no-deadline"),
    ],
)
async def test_a_retry_whose_sleep_would_cross_the_deadline_is_not_started(
    recorded_delays: list[float], retry_after: str, deadline: float | None, retried: bool
) -> None:
    """The call's deadline bounds its retries: a wait that would end at or past it is not
    begun, and the last error is raised at once (nothing slept, nothing more sent)."""
    rate_limited_429 = failure(429, "RATE_LIMIT_EXCEEDED", headers={"retry-after": retry_after})
    script = Script(rate_limited_429, ok())
    policy = RetryPolicy(max_retry_after=3600)
    async with scripted_client(script, deadline=deadline, retry_policy=policy) as client:
        if retried:
            await client.points.deduct(user_email=EMAIL, points_passed=5, reason="r")
        else:
            with pytest.raises(errors.RateLimitError):
                await client.points.deduct(user_email=EMAIL, points_passed=5, reason="r")
    assert script.count == (2 if retried else 1)
    assert recorded_delays == ([float(retry_after)] if retried else [])


@pytest.mark.anyio
async def test_backoff_grows_exponentially_with_jitter(recorded_delays: list[float]) -> None:
    """With the default policy delay n lies in [0.5 * 2^(n-1), that + 0.5 jitter], capped at 8."""
    policy = RetryPolicy(max_retries=6)
    script = Script(*(status(503) for _ in range(7)))
    async with scripted_client(script, retry_policy=policy) as client:
        with pytest.raises(errors.ServerError):
            await client.users.get(EMAIL)
    assert len(recorded_delays) == 6
    for n, delay in enumerate(recorded_delays, start=1):
        base = policy.initial_delay * 2 ** (n - 1)
        assert min(base, policy.max_delay) <= delay <= min(base + policy.initial_delay, 8.0)


@pytest.mark.anyio
async def test_rate_limit_without_retry_after_uses_backoff(recorded_delays: list[float]) -> None:
    """A 429 without a Retry-After header waits the exponential backoff instead."""
    script = Script(rate_limited(), ok())
    async with scripted_client(script, retry_policy=RetryPolicy()) as client:
        await client.users.get(EMAIL)
    assert len(recorded_delays) == 1
    assert 0.5 <= recorded_delays[0] <= 1.0


@pytest.mark.anyio
async def test_no_sleep_when_the_first_attempt_succeeds(recorded_delays: list[float]) -> None:
    """A call that succeeds first time never waits."""
    script = Script(ok())
    async with scripted_client(script, retry_policy=RetryPolicy()) as client:
        await client.users.get(EMAIL)
    assert recorded_delays == []
