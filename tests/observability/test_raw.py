"""``client.with_raw_response``: the response behind every call, the same call underneath.

Wire-level checks script the exchange with ``httpx.MockTransport`` (``tests/unit/scripted``):
a raw call and its plain twin, given the same script, send the same requests, retry the same
number of times and end with the same result or the same error and ``outcome_unknown``.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from shopsocially_async import RawResponse, RetryPolicy, ShopSociallyClient, Transaction, errors
from shopsocially_async import resources as r
from shopsocially_async.resources import _raw as raw_views
from tests.unit.scripted import API_KEY, Script, Step, failure, ok, scripted_client, status

from .calls import CALLS, EMAIL, LISTINGS

pytestmark = pytest.mark.anyio

#: Each resource class and the class of its raw view.
PAIRS = [
    (r.Points, raw_views.RawPoints),
    (r.Returns, raw_views.RawReturns),
    (r.Transactions, raw_views.RawTransactions),
    (r.Users, raw_views.RawUsers),
    (r.Activities, raw_views.RawActivities),
    (r.Redemptions, raw_views.RawRedemptions),
]

#: Exchanges every call goes through once plainly and once raw: retried, refused, undecodable.
SCRIPTS: dict[str, Callable[[], list[Step]]] = {
    "ok": lambda: [ok()],
    "503 then ok": lambda: [status(503), ok()],
    "read timeout then ok": lambda: [httpx.ReadTimeout, ok()],
    "connect error then ok": lambda: [httpx.ConnectError, ok()],
    "429 then ok": lambda: [
        failure(429, "RATE_LIMIT_EXCEEDED", headers={"retry-after": "0"}),
        ok(),
    ],
    "success false on 200": lambda: [failure(200, "INSUFFICIENT_REDEEMABLE_POINTS")],
    "500 every time": lambda: [status(500)] * 3,
    "not JSON": lambda: [status(200, b"<html>busy</html>")],
}


def public_methods(cls: type) -> set[str]:
    """The names of a class's own public methods."""
    return {name for name, value in vars(cls).items() if callable(value) and name[0] != "_"}


@pytest.mark.parametrize(("resource", "view"), PAIRS, ids=lambda c: c.__name__)
def test_every_method_has_a_raw_twin(resource: type, view: type) -> None:
    """Each resource method is twinned on its raw view, from the method itself."""
    twins = {name for name, value in vars(view).items() if hasattr(value, "method")}
    assert twins == public_methods(resource)
    for name in twins:
        assert vars(view)[name].method is vars(resource)[name]


def test_the_call_table_covers_every_method() -> None:
    """The tables driving these tests name every endpoint method there is."""
    every = {f"{res.__name__.lower()}.{name}" for res, _ in PAIRS for name in public_methods(res)}
    assert set(CALLS) | set(LISTINGS) == every


@pytest.mark.parametrize("name", [*CALLS, *LISTINGS])
def test_raw_twins_take_the_plain_arguments(name: str) -> None:
    """Same parameters; the result is the plain one wrapped: RawResponse[T] or RawPages[T]."""
    client = ShopSociallyClient("p", "k")
    resource, method = name.split(".")
    plain = inspect.signature(getattr(getattr(client, resource), method))
    raw = inspect.signature(getattr(getattr(client.with_raw_response, resource), method))
    assert raw.parameters == plain.parameters
    if name in LISTINGS:
        assert raw.return_annotation == plain.return_annotation.replace(
            "AsyncPaginator", "RawPages"
        )
    else:
        assert raw.return_annotation == f"RawResponse[{plain.return_annotation}]"


async def ending(
    call: Callable[[Any], Awaitable[Any]], target: Any, script: Script
) -> tuple[Any, ...]:
    """How ``call`` on ``target`` ended: its result (parsed, if raw) or its error, and the
    number of requests sent."""
    try:
        result = await call(target)
    except errors.ShopSociallyError as exc:
        return ("raised", type(exc), exc.outcome_unknown, script.count)
    if isinstance(result, RawResponse):
        assert result.retries == script.count - 1
        result = result.parse()
    return ("returned", result, script.count)


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("name", CALLS)
async def test_a_raw_call_ends_as_the_plain_call(name: str, script: str) -> None:
    """Same requests, same retries, same result or error, same ``outcome_unknown``."""
    plain_script, raw_script = Script(*SCRIPTS[script]()), Script(*SCRIPTS[script]())
    async with scripted_client(plain_script) as plain, scripted_client(raw_script) as raw:
        plain_end = await ending(CALLS[name], plain, plain_script)
        raw_end = await ending(CALLS[name], raw.with_raw_response, raw_script)
    assert raw_end == plain_end
    assert [q.content for q in raw_script.requests] == [q.content for q in plain_script.requests]
    assert [q.url for q in raw_script.requests] == [q.url for q in plain_script.requests]


async def test_a_raw_award_shows_status_headers_body_retries_and_request() -> None:
    """After a 503 and a retry: the 200's status, headers and exact bytes, one retry, the
    request (key masked), and the Transaction the plain call returns."""
    body = b'{"success": true, "data": {"id": "tx-1", "points": 120, "available_points": 620}}'
    answer = httpx.Response(200, content=body, headers={"X-Request-Id": "req-7"})
    script = Script(status(503), answer)
    async with scripted_client(script) as client:
        raw = await CALLS["points.award"](client.with_raw_response)
    assert (raw.status_code, raw.retries) == (200, 1)
    assert raw.headers["x-request-id"] == "req-7"
    assert raw.content == body
    assert raw.text == body.decode()
    assert raw.elapsed > 0
    assert (raw.request.method, raw.request.route) == ("POST", "POST /award")
    assert raw.request.url.endswith("/award")
    assert raw.request.headers["api-key"] == "***"
    assert raw.parse() == Transaction(id="tx-1", points=120, available_points=620)
    assert raw.parse() is raw.parse()


async def test_echoed_credentials_are_masked_in_the_raw_response() -> None:
    """A server echoing the API key in its body or a header, or setting a cookie: none of it
    reaches the raw response, its repr, or its request."""
    echo = {"success": True, "data": {"id": "tx-1", "reason": f"key {API_KEY}"}}
    headers = {"x-debug": f"got {API_KEY}", "set-cookie": "session=abc"}
    async with scripted_client(Script(httpx.Response(200, json=echo, headers=headers))) as client:
        raw = await CALLS["points.deduct"](client.with_raw_response)
    shown = [raw.content.decode(), repr(raw), repr(raw.headers), str(dict(raw.headers))]
    shown += [repr(raw.request.headers), str(dict(raw.request.headers))]
    assert not [text for text in shown if API_KEY in text]
    assert raw.headers["x-debug"] == "got ***"
    assert raw.headers["set-cookie"] == "***"
    assert EMAIL not in repr(raw)


@pytest.mark.parametrize(("name", "unknown"), [("points.deduct", True), ("users.get", False)])
async def test_a_body_that_does_not_fit_the_model_is_readable_raw(name: str, unknown: bool) -> None:
    """The raw call returns; ``.parse()`` raises what the plain call raises, with the same
    ``outcome_unknown`` (a write the API said it applied: unknown)."""
    misfit = {"available_points": "lots"}
    async with scripted_client(Script(ok(misfit))) as client:
        with pytest.raises(errors.ResponseValidationError) as plain:
            await CALLS[name](client)
    async with scripted_client(Script(ok(misfit))) as client:
        raw = await CALLS[name](client.with_raw_response)
    assert json.loads(raw.content)["data"] == misfit
    with pytest.raises(errors.ResponseValidationError) as parsed:
        raw.parse()
    assert (parsed.value.path, parsed.value.outcome_unknown) == (plain.value.path, unknown)
    assert plain.value.outcome_unknown is unknown


async def test_elapsed_counts_the_wait_before_a_retry() -> None:
    """``elapsed`` runs from the call's start: a 429's Retry-After wait is in it."""
    limited = failure(429, "RATE_LIMIT_EXCEEDED", headers={"retry-after": "0.05"})
    policy = RetryPolicy(initial_delay=0, max_delay=0, max_retry_after=1)
    async with scripted_client(Script(limited, ok()), retry_policy=policy) as client:
        raw = await CALLS["users.get"](client.with_raw_response)
    assert raw.retries == 1
    assert raw.elapsed >= 0.05


async def test_a_copys_raw_view_uses_the_copys_settings() -> None:
    """``with_options(max_retries=0).with_raw_response``: the 503 is not retried."""
    async with scripted_client(Script(status(503), ok())) as client:
        with pytest.raises(errors.ServerError):
            await CALLS["users.get"](client.with_options(max_retries=0).with_raw_response)
        raw = await CALLS["users.get"](client.with_raw_response)  # the next step: the 200
    assert raw.retries == 0


async def test_a_closed_client_refuses_raw_calls_before_sending() -> None:
    """The raw view of a closed client raises ClientClosedError and sends nothing."""
    script = Script(ok())
    client = scripted_client(script)
    await client.aclose()
    with pytest.raises(errors.ClientClosedError):
        await CALLS["points.award"](client.with_raw_response)
    assert script.count == 0


async def test_bad_arguments_are_refused_before_sending() -> None:
    """Argument checks are the plain method's: InvalidArgumentError, nothing sent."""
    script = Script(ok())
    async with scripted_client(script) as client:
        with pytest.raises(errors.InvalidArgumentError, match="points_passed"):
            await client.with_raw_response.points.deduct(
                user_email=EMAIL, points_passed=0, reason="r"
            )
    assert script.count == 0
