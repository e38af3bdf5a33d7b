"""The ``shopsocially_async`` logger: a DEBUG line per request, INFO per retry, no secrets."""

from __future__ import annotations

import logging
import re

import httpx
import pytest

from shopsocially_async import RetryPolicy, errors
from tests.unit.scripted import API_KEY, Script, failure, ok, scripted_client, status

LOGGER = "shopsocially_async"
EMAIL = "ann@example.com"
REQUEST_LINE = re.compile(
    r"^(?P<method>GET|POST|PUT) (?P<path>\S+) -> (?P<status>\d{3}) "
    r"in (?P<ms>\d+\.\d) ms \(attempt (?P<attempt>\d+)\)$"
)


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture everything the library logs, from DEBUG up."""
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    return caplog


def lines(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    """The library's messages at exactly ``level``."""
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == level]


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record retry delays instead of sleeping them."""
    delays: list[float] = []

    async def fake_sleep(delay: float) -> None:
        delays.append(delay)

    monkeypatch.setattr("shopsocially_async._retry.anyio.sleep", fake_sleep)
    return delays


@pytest.mark.anyio
async def test_one_debug_line_per_request(logs: pytest.LogCaptureFixture) -> None:
    """Each request logs one DEBUG line with its route template (never a member's email),
    status, elapsed time and attempt."""
    script = Script(ok(), ok())
    async with scripted_client(script) as client:
        await client.users.get(EMAIL)
        await client.points.deduct(user_email=EMAIL, points_passed=5, reason="return")
    debug = lines(logs, logging.DEBUG)
    assert len(debug) == 2
    parsed = [REQUEST_LINE.match(line) for line in debug]
    assert all(parsed), debug
    assert [(m["method"], m["path"], m["status"], m["attempt"]) for m in parsed if m] == [
        ("GET", "/users/{user_email}", "200", "1"),
        ("POST", "/deduct", "200", "1"),
    ]
    assert lines(logs, logging.INFO) == []
    assert EMAIL not in logs.text


@pytest.mark.anyio
async def test_log_paths_opts_in_to_full_paths(logs: pytest.LogCaptureFixture) -> None:
    """``log_paths=True`` logs the real path (with the email) but never the query string."""
    script = Script(ok())
    async with scripted_client(script, log_paths=True) as client:
        await client.users.get(EMAIL, extra_query={"secret_q": "1"})
    (line,) = lines(logs, logging.DEBUG)
    assert line.startswith("GET /v2/loyalty/users/ann@example.com -> 200 in ")
    assert "secret_q" not in line


@pytest.mark.anyio
async def test_retries_log_attempts_at_debug_and_reasons_at_info(
    logs: pytest.LogCaptureFixture, no_sleep: list[float]
) -> None:
    """Every attempt has its DEBUG line; each retry an INFO line with route, reason and delay."""
    script = Script(
        status(503),
        failure(429, "RATE_LIMIT_EXCEEDED", "slow down", headers={"retry-after": "3"}),
        ok(),
    )
    async with scripted_client(
        script, retry_policy=RetryPolicy(initial_delay=0, max_delay=0)
    ) as client:
        await client.users.get(EMAIL)
    debug = [REQUEST_LINE.match(line) for line in lines(logs, logging.DEBUG)]
    assert [(m["status"], m["attempt"]) for m in debug if m] == [
        ("503", "1"),
        ("429", "2"),
        ("200", "3"),
    ]
    info = lines(logs, logging.INFO)
    assert len(info) == 2
    assert "GET /users/{user_email}" in info[0]
    assert "in 0.00 s" in info[0]
    assert "503" in info[0]
    assert "attempt 2 of 3" in info[0]
    assert "in 3.00 s" in info[1]
    assert "RATE_LIMIT_EXCEEDED" in info[1]
    assert no_sleep == [0.0, 3.0]


@pytest.mark.anyio
async def test_retry_after_transport_failure_is_logged(
    logs: pytest.LogCaptureFixture,
) -> None:
    """A retry after a timeout says so at INFO, naming the route."""
    script = Script(httpx.ReadTimeout, ok())
    async with scripted_client(script) as client:
        await client.transactions.get("tx-1")
    info = lines(logs, logging.INFO)
    assert len(info) == 1
    assert "GET /transactions/{transaction_id}" in info[0]
    assert "APITimeoutError (request_sent=True)" in info[0]


@pytest.mark.anyio
async def test_a_retry_line_never_quotes_the_servers_message(
    logs: pytest.LogCaptureFixture,
) -> None:
    """The INFO line names the error's class, status and code, never its message: a server
    echoing the member's email there must not put it in the log."""
    script = Script(failure(503, "SERVICE_UNAVAILABLE", f"cannot load member {EMAIL}"), ok())
    async with scripted_client(script) as client:
        await client.users.get(EMAIL)
    (line,) = lines(logs, logging.INFO)
    assert "ServerError (HTTP 503 SERVICE_UNAVAILABLE)" in line
    assert EMAIL not in logs.text


@pytest.mark.anyio
async def test_no_secret_and_no_body_is_ever_logged(
    logs: pytest.LogCaptureFixture,
) -> None:
    """Neither the API key nor request or response bodies appear in any log record."""
    script = Script(
        httpx.ConnectError,
        ok({"id": "tx-1", "coupon_code": "RESPONSE-BODY-MARKER"}),
        status(503),
        status(503),
    )
    async with scripted_client(script, max_retries=1) as client:
        await client.points.deduct(user_email=EMAIL, points_passed=5, reason="REQUEST-BODY-MARKER")
        with pytest.raises(errors.ServerError):
            await client.users.get(EMAIL, extra_headers={"x-trace": "t"})
    assert logs.records
    for record in logs.records:
        message = record.getMessage()
        for forbidden in (API_KEY, "REQUEST-BODY-MARKER", "RESPONSE-BODY-MARKER"):
            assert forbidden not in message
    assert API_KEY not in logs.text


@pytest.mark.anyio
async def test_quiet_at_warning_level(caplog: pytest.LogCaptureFixture) -> None:
    """With the logger at WARNING nothing is emitted for requests and retries."""
    caplog.set_level(logging.WARNING, logger=LOGGER)
    script = Script(status(503), ok())
    async with scripted_client(script) as client:
        await client.users.get(EMAIL)
    assert [r for r in caplog.records if r.name == LOGGER] == []


@pytest.mark.anyio
async def test_a_failed_exchange_still_logs_its_debug_line(logs: pytest.LogCaptureFixture) -> None:
    """A request that gets no response logs the transport failure in place of a status."""
    script = Script(httpx.ReadTimeout)
    async with scripted_client(script, max_retries=0) as client:
        with pytest.raises(errors.APITimeoutError):
            await client.points.deduct(user_email=EMAIL, points_passed=5, reason="return")
    assert [line.split(" in ")[0] for line in lines(logs, logging.DEBUG)] == [
        "POST /deduct -> APITimeoutError"
    ]
