"""``ShopSociallyClient(hooks=Hooks(...))``: what each hook sees, when, and what a failing
hook does (nothing to the call).

Exchanges are scripted with ``httpx.MockTransport`` (``tests/unit/scripted``) or served by the
fake in process, whose ledger shows what was applied.
"""

from __future__ import annotations

import functools
import logging
import threading
from typing import Any

import anyio
import httpx
import pytest

from shopsocially_async import (
    AttemptInfo,
    AttemptResult,
    CallInfo,
    CallResult,
    Hooks,
    RetryEvent,
    RetryInfo,
    RetryPolicy,
    ShopSociallyClient,
    errors,
)
from shopsocially_async.sync import SyncShopSociallyClient
from shopsocially_async.testing import FakeShopSocially
from tests.unit.scripted import API_KEY, Script, failure, ok, scripted_client, status

from .calls import CALLS, EMAIL, cancel_a_deduct_in_flight, in_process

pytestmark = pytest.mark.anyio

POINTS = ("before_call", "before_attempt", "after_attempt", "on_retry", "after_call")


class Recorder:
    """Hooks at every point that record ``(point, event)`` in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def hooks(self) -> Hooks:
        return Hooks(**{point: functools.partial(self.record, point) for point in POINTS})

    def record(self, point: str, event: object) -> None:
        self.events.append((point, event))

    def points(self) -> list[str]:
        return [point for point, _ in self.events]

    def last(self, point: str) -> Any:
        return [event for p, event in self.events if p == point][-1]


def raising(event: object) -> None:
    """A broken hook."""
    raise RuntimeError(f"hook bug {API_KEY}")


async def test_a_retried_award_calls_every_hook_in_order() -> None:
    """503 then 200 on an award with order_id: call, attempt 1 (503, may have applied),
    retry, attempt 2 (200), end of call; one CallInfo throughout."""
    recorder = Recorder()
    async with scripted_client(Script(status(503), ok()), hooks=recorder.hooks()) as client:
        await CALLS["points.award"](client)
    assert recorder.points() == [
        "before_call", "before_attempt", "after_attempt", "on_retry", "before_attempt",
        "after_attempt", "after_call",
    ]  # fmt: skip
    call: CallInfo = recorder.events[0][1]
    assert (call.method, call.route, call.host, call.port, call.is_write, call.path) == (
        "POST", "POST /award", "api.example.test", 443, True, None,
    )  # fmt: skip
    calls = [event if point == "before_call" else event.call for point, event in recorder.events]
    assert all(each is call for each in calls)
    first, second = (event for point, event in recorder.events if point == "after_attempt")
    assert (first.attempt, first.status_code, first.error, first.outcome_unknown) == (
        1, 503, errors.ServerError, True,
    )  # fmt: skip
    assert (second.attempt, second.status_code, second.error, second.ok) == (2, 200, None, True)
    retry: RetryInfo = recorder.last("on_retry")
    assert (retry.attempt, retry.delay, retry.status_code, retry.error) == (
        2, 0.0, 503, errors.ServerError,
    )  # fmt: skip
    end: CallResult = recorder.last("after_call")
    assert (end.attempts, end.status_code, end.error, end.outcome_unknown) == (2, 200, None, False)
    assert end.elapsed >= first.elapsed + second.elapsed > 0


@pytest.mark.parametrize(
    ("step", "error", "code", "status_code", "unknown"),
    [
        (httpx.ReadTimeout, errors.APITimeoutError, None, None, True),
        (failure(200, "INSUFFICIENT_REDEEMABLE_POINTS"), errors.InsufficientPointsError,
         "INSUFFICIENT_REDEEMABLE_POINTS", 200, False),
        (status(502), errors.ServerError, None, 502, True),
    ],
    ids=["read timeout", "success false", "502"],
)  # fmt: skip
async def test_a_failed_redeem_ends_with_what_the_caller_sees(
    step: Any, error: type[Exception], code: str | None, status_code: int | None, unknown: bool
) -> None:
    """``after_call`` has the raised error's class, code, status and ``outcome_unknown``."""
    recorder = Recorder()
    async with scripted_client(Script(step), hooks=recorder.hooks()) as client:
        with pytest.raises(error) as caught:
            await CALLS["points.redeem"](client)
    end: CallResult = recorder.last("after_call")
    assert (end.error, end.error_code, end.status_code) == (error, code, status_code)
    assert end.outcome_unknown is caught.value.outcome_unknown is unknown
    assert (end.attempts, end.ok) == (1, False)
    assert recorder.points() == ["before_call", "before_attempt", "after_attempt", "after_call"]


async def test_hooks_see_route_templates_never_identifiers_or_secrets() -> None:
    """A member's email is in the URL, the key in the headers: neither reaches any event."""
    recorder = Recorder()
    script = Script(status(500), ok({"user_email": EMAIL}))
    async with scripted_client(script, hooks=recorder.hooks()) as client:
        await client.users.get(EMAIL)
    assert recorder.last("after_call").call.route == "GET /users/{user_email}"
    assert recorder.last("after_call").call.template == "/users/{user_email}"
    shown = repr(recorder.events)
    assert "ann" not in shown
    assert API_KEY not in shown


async def test_log_paths_shows_hooks_the_path() -> None:
    """With ``log_paths=True`` (the one opt-in for identifiers) hooks get the full path."""
    recorder = Recorder()
    async with scripted_client(Script(ok()), hooks=recorder.hooks(), log_paths=True) as client:
        await client.users.get(EMAIL)
    assert recorder.last("before_call").path == "/v2/loyalty/users/ann@example.com"


async def test_failing_hooks_change_nothing_about_an_applied_award(
    shopsocially_fake: FakeShopSocially, caplog: pytest.LogCaptureFixture
) -> None:
    """Every hook raises: the award is applied once, returned as usual, each failure logged
    (the error's text, key and all, is the hook's own)."""
    shopsocially_fake.add_member(EMAIL, available_points=0)
    shopsocially_fake.add_activity("purchase", "bonus_multiplier", bonus_multiplier=1)
    broken = Hooks(**dict.fromkeys(POINTS, raising))
    async with in_process(shopsocially_fake, hooks=broken) as client:
        tx = await CALLS["points.award"](client)
    assert tx.points == 120
    assert shopsocially_fake.member(EMAIL).available_points == 120
    failures = [r for r in caplog.records if r.name == "shopsocially_async.hooks"]
    assert len(failures) == 4  # before_call, before_attempt, after_attempt, after_call
    assert {r.levelno for r in failures} == {logging.ERROR}
    assert all(r.exc_info and r.exc_info[0] is RuntimeError for r in failures)


async def test_a_failing_hook_does_not_replace_the_calls_error() -> None:
    """A timed-out redeem raises its own APITimeoutError (outcome_unknown), not the hook's."""
    broken = Hooks(**dict.fromkeys(POINTS, raising))
    async with scripted_client(Script(httpx.ReadTimeout), hooks=broken) as client:
        with pytest.raises(errors.APITimeoutError) as caught:
            await CALLS["points.redeem"](client)
    assert caught.value.outcome_unknown


async def async_hook(event: object) -> None:
    """Not allowed: hooks are plain functions."""


class AsyncCallable:
    """An object whose ``__call__`` is async: not allowed either."""

    async def __call__(self, event: object) -> None:
        """Never called."""


@pytest.mark.parametrize(
    ("hooks", "message"),
    [
        (lambda: Hooks(after_call=async_hook), "after_call must be a plain function, not async"),
        (lambda: Hooks(on_retry=AsyncCallable()), "on_retry must be a plain function"),
        (lambda: Hooks(before_call="print"), "before_call must be a function, got str"),  # type: ignore[arg-type]
        (lambda: ShopSociallyClient("p", "k", hooks="Hooks()"), "hooks must be a Hooks or a list"),  # type: ignore[arg-type]
        (lambda: ShopSociallyClient("p", "k", hooks=[Hooks(), print]), "hooks must be a Hooks"),  # type: ignore[list-item]
    ],
    ids=["async def", "async __call__", "not callable", "not Hooks", "a list with a stray"],
)
def test_bad_hooks_are_refused_at_construction(hooks: Any, message: str) -> None:
    """ConfigurationError naming the hook, before any client exists."""
    with pytest.raises(errors.ConfigurationError, match=message):
        hooks()


async def test_a_hook_returning_a_coroutine_is_reported_not_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A plain function returning a coroutine (past the check) is closed and logged."""
    awaited = []

    async def later(event: object) -> None:
        awaited.append(event)

    hooks = Hooks(after_call=lambda event: later(event))
    async with scripted_client(Script(ok()), hooks=hooks) as client:
        await CALLS["users.get"](client)
    assert awaited == []
    assert any("returned a coroutine" in r.getMessage() for r in caplog.records)


async def test_several_hook_sets_run_in_the_order_given() -> None:
    """``hooks=[a, b]``: at each point a's function, then b's."""
    seen: list[str] = []
    first = Hooks(
        before_call=lambda e: seen.append("a call"), after_call=lambda e: seen.append("a end")
    )
    second = Hooks(before_call=lambda e: seen.append("b call"))
    async with scripted_client(Script(ok()), hooks=[first, second]) as client:
        await CALLS["users.get"](client)
    assert seen == ["a call", "b call", "a end"]


async def test_with_options_copies_share_the_hooks() -> None:
    """A copy's calls (with its own retry settings) reach the original's hooks."""
    recorder = Recorder()
    async with scripted_client(Script(status(503), ok()), hooks=recorder.hooks()) as client:
        with pytest.raises(errors.ServerError):
            await CALLS["users.get"](client.with_options(max_retries=0))
        await CALLS["users.get"](client)
    ends = [event for point, event in recorder.events if point == "after_call"]
    assert [(e.attempts, e.error) for e in ends] == [(1, errors.ServerError), (1, None)]


async def test_retry_policy_on_retry_still_sees_every_retry() -> None:
    """``RetryPolicy.on_retry`` (bulk counts with it) and ``Hooks.on_retry`` both fire."""
    policy_events: list[RetryEvent] = []
    recorder = Recorder()
    policy = RetryPolicy(initial_delay=0, max_delay=0, on_retry=policy_events.append)
    script = Script(status(503), status(503), ok())
    async with scripted_client(script, retry_policy=policy, hooks=recorder.hooks()) as client:
        await CALLS["users.get"](client)
    assert [e.attempt for e in policy_events] == [2, 3]
    assert [e.attempt for p, e in recorder.events if p == "on_retry"] == [2, 3]


async def test_a_cancelled_write_ends_its_hooks_as_unknown() -> None:
    """Cancelled while the server holds the answer: after_attempt and after_call still run,
    with the cancellation's class and ``outcome_unknown`` (the request may have landed)."""
    recorder = Recorder()
    await cancel_a_deduct_in_flight(recorder.hooks())
    end: CallResult = recorder.last("after_call")
    attempt: AttemptResult = recorder.last("after_attempt")
    cancelled = anyio.get_cancelled_exc_class()
    assert (end.error, end.outcome_unknown, end.attempts) == (cancelled, True, 1)
    assert (attempt.error, attempt.outcome_unknown) == (cancelled, True)


async def test_calls_refused_before_sending_call_no_hooks() -> None:
    """Bad arguments and a closed client: nothing sent, no hook called."""
    recorder = Recorder()
    client = scripted_client(Script(), hooks=recorder.hooks())
    with pytest.raises(errors.InvalidArgumentError):
        await client.points.deduct(user_email=EMAIL, points_passed=-1, reason="r")
    await client.aclose()
    with pytest.raises(errors.ClientClosedError):
        await CALLS["users.get"](client)
    assert recorder.events == []


async def test_raw_calls_and_pages_run_the_hooks() -> None:
    """A raw call is the same call to its hooks: same events, same outcome."""
    recorder = Recorder()
    async with scripted_client(Script(status(503), ok()), hooks=recorder.hooks()) as client:
        raw = await CALLS["users.get"](client.with_raw_response)
    end: CallResult = recorder.last("after_call")
    assert (end.attempts, end.status_code) == (raw.retries + 1, raw.status_code) == (2, 200)
    assert isinstance(recorder.events[1][1], AttemptInfo)


def test_the_blocking_client_runs_hooks_on_its_loop_thread(
    shopsocially_fake: FakeShopSocially,
) -> None:
    """``SyncShopSociallyClient(hooks=...)``: the same events, from its event loop thread."""
    shopsocially_fake.add_member(EMAIL, available_points=7)
    recorder = Recorder()
    threads: set[str] = set()
    on_thread = Hooks(before_call=lambda e: threads.add(threading.current_thread().name))
    with SyncShopSociallyClient(
        shopsocially_fake.partner_id, shopsocially_fake.api_key,
        base_url=shopsocially_fake.base_url_for_asgi, transport=shopsocially_fake.asgi_transport(),
        hooks=[recorder.hooks(), on_thread],
    ) as client:  # fmt: skip
        assert client.users.get(EMAIL).available_points == 7
    assert recorder.points() == ["before_call", "before_attempt", "after_attempt", "after_call"]
    assert recorder.last("after_call").status_code == 200
    (thread,) = threads
    assert thread.startswith("shopsocially-sync-")
