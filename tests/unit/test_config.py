"""Construction-time settings: credentials, base URL, timeouts, and keeping the key secret."""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import Any

import httpx
import pytest

from shopsocially_async import (
    DEFAULT_BASE_URL,
    DEFAULT_DEADLINE,
    DEFAULT_TIMEOUT,
    ShopSociallyClient,
    Timeout,
    errors,
)
from tests.unit.scripted import API_KEY, BASE_URL, PARTNER_ID, Script, ok, scripted_client

ENV_VARS = ("SHOPSOCIALLY_PARTNER_ID", "SHOPSOCIALLY_API_KEY", "SHOPSOCIALLY_BASE_URL")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test here sees credentials from the machine's environment."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def capture_client(script: Script, **options: Any) -> ShopSociallyClient:
    """A client answering from ``script``, with whatever credentials ``options`` give."""
    return ShopSociallyClient(transport=httpx.MockTransport(script), **options)


@pytest.mark.anyio
async def test_credentials_from_arguments_go_in_the_header_pair() -> None:
    """partner_id and api_key arguments become the partner-id and api-key headers."""
    script = Script(ok())
    async with capture_client(script, partner_id=PARTNER_ID, api_key=API_KEY) as client:
        await client.users.get("a@example.com")
    headers = script.requests[0].headers
    assert (headers["partner-id"], headers["api-key"]) == (PARTNER_ID, API_KEY)
    assert str(script.requests[0].url).startswith(DEFAULT_BASE_URL + "/users/")


@pytest.mark.anyio
async def test_credentials_and_base_url_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SHOPSOCIALLY_PARTNER_ID / _API_KEY / _BASE_URL are used when no argument is given."""
    monkeypatch.setenv("SHOPSOCIALLY_PARTNER_ID", "env-partner")
    monkeypatch.setenv("SHOPSOCIALLY_API_KEY", "env-key")
    monkeypatch.setenv("SHOPSOCIALLY_BASE_URL", "http://127.0.0.1:8765/v2/loyalty/")
    script = Script(ok())
    async with capture_client(script) as client:
        assert client.base_url == "http://127.0.0.1:8765/v2/loyalty"
        await client.activities.list()
    request = script.requests[0]
    assert (request.headers["partner-id"], request.headers["api-key"]) == ("env-partner", "env-key")
    assert str(request.url) == "http://127.0.0.1:8765/v2/loyalty/activities"


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """An explicit argument beats the environment variable."""
    monkeypatch.setenv("SHOPSOCIALLY_BASE_URL", "https://env.example.com")
    client = ShopSociallyClient("p", "k", base_url="https://arg.example.com/api")
    assert client.base_url == "https://arg.example.com/api"


@pytest.mark.parametrize(
    ("options", "missing", "present"),
    [
        ({}, ["partner_id", "api_key"], []),
        ({"partner_id": "p"}, ["api_key"], ["partner_id"]),
        ({"api_key": "k"}, ["partner_id"], ["api_key"]),
        ({"partner_id": "", "api_key": "k"}, ["partner_id"], ["api_key"]),
    ],
)
def test_missing_credentials_fail_at_construction(
    options: dict[str, str], missing: list[str], present: list[str]
) -> None:
    """Missing credentials raise ConfigurationError naming exactly what is missing."""
    with pytest.raises(errors.ConfigurationError) as caught:
        ShopSociallyClient(**options)
    text = str(caught.value)
    for name in missing:
        assert name in text
        assert "SHOPSOCIALLY_" + name.upper() in text
    for name in present:
        assert name not in text


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8000/v2/loyalty",
        "http://LOCALHOST/v2/loyalty",
        "http://127.0.0.1:8000",
        "http://127.5.6.7/api",
        "http://[::1]:8000/v2/loyalty",
        "https://api.shopsocially.com/v2/loyalty",
        "https://10.0.0.5/api",
    ],
)
def test_https_anywhere_and_plain_http_to_loopback_are_accepted(url: str) -> None:
    """http:// is fine for the embedded server on loopback; https:// is fine anywhere."""
    base_url = ShopSociallyClient("p", "k", base_url=url).base_url
    assert base_url.lower() == url.rstrip("/").lower()


@pytest.mark.parametrize(
    "url",
    [
        "http://api.shopsocially.com/v2/loyalty",
        "http://10.0.0.5/api",
        "http://0.0.0.0:8000",
        "http://localhost.evil.example",
        "http://127.0.0.1.nip.io",
        "http://[::2]/api",
        "ftp://127.0.0.1/api",
        "api.shopsocially.com/v2",
        "https://",
    ],
)
def test_unsafe_or_malformed_base_urls_are_refused(url: str) -> None:
    """Plain http to a non-loopback host (credentials in clear) and non-URLs are refused."""
    with pytest.raises(errors.ConfigurationError):
        ShopSociallyClient("p", "k", base_url=url)


BAD_SECRETS = {
    "crlf": "abc\r\nx-injected: 1",
    "lf": "abc\ndef",
    "nul": "abc\x00def",
    "tab": "abc\tdef",
    "non-ascii": "clé-secrète",
    "leading-space": " abcdef",
    "trailing-space": "abcdef ",
    "del": "abc\x7fdef",
}


@pytest.mark.parametrize("field", ["partner_id", "api_key"])
@pytest.mark.parametrize("bad", BAD_SECRETS.values(), ids=BAD_SECRETS.keys())
def test_credentials_illegal_in_a_header_are_refused_without_echo(field: str, bad: str) -> None:
    """CR/LF, NUL, control, non-ASCII and padded credentials are refused; the error names
    the argument but never repeats the value."""
    credentials = {"partner_id": "p", "api_key": "k", field: bad}
    with pytest.raises(errors.ConfigurationError) as caught:
        ShopSociallyClient(**credentials)
    assert field in str(caught.value)
    assert bad not in str(caught.value)
    assert bad.strip() not in str(caught.value)
    assert bad not in repr(caught.value)


class BearerAuth(httpx.Auth):
    """A gateway's bearer token, as a user would write it."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = "Bearer gateway-token"
        yield request


@pytest.mark.anyio
async def test_auth_hook_replaces_the_header_pair_and_needs_no_credentials() -> None:
    """With auth= no credentials are required and the partner-id/api-key pair is not sent."""
    script = Script(ok())
    async with capture_client(script, auth=BearerAuth(), base_url=BASE_URL) as client:
        await client.users.get("a@example.com")
    headers = script.requests[0].headers
    assert headers["authorization"] == "Bearer gateway-token"
    assert "partner-id" not in headers
    assert "api-key" not in headers


@pytest.mark.anyio
async def test_auth_hook_ignores_environment_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials in the environment are not sent alongside an auth hook."""
    monkeypatch.setenv("SHOPSOCIALLY_PARTNER_ID", "env-partner")
    monkeypatch.setenv("SHOPSOCIALLY_API_KEY", "env-key")
    script = Script(ok())
    async with capture_client(script, auth=BearerAuth(), base_url=BASE_URL) as client:
        await client.users.get("a@example.com")
    assert "api-key" not in script.requests[0].headers


def timeouts_sent(script: Script) -> list[dict[str, float | None]]:
    """The timeout extension each recorded request carried to the transport."""
    return [request.extensions["timeout"] for request in script.requests]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("timeout", "expected"),
    [
        pytest.param(
            None, {"connect": 5.0, "read": 30.0, "write": 30.0, "pool": None}, id="default"
        ),
        pytest.param(12.5, {"connect": 5.0, "read": 12.5, "write": 12.5, "pool": None}, id="float"),
        pytest.param(2, {"connect": 2.0, "read": 2.0, "write": 2.0, "pool": None}, id="short-int"),
        pytest.param(
            Timeout(7.0, connect=1.0),
            {"connect": 1.0, "read": 7.0, "write": 7.0, "pool": None},
            id="Timeout",
        ),
    ],
)
async def test_timeout_is_applied_to_every_request(
    timeout: float | Timeout | None, expected: dict[str, float | None]
) -> None:
    """The configured timeout (default 30 s, 5 s to connect) travels with each request: our
    own deadline bounds the exchange, httpx's per-operation timeouts back it up (no pool
    timeout: a PoolTimeout after httpcore assigned a connection leaks it)."""
    script = Script(ok(), ok())
    async with scripted_client(script, timeout=timeout) as client:
        await client.users.get("a@example.com")
        await client.points.deduct(user_email="a@example.com", points_passed=1, reason="r")
    assert timeouts_sent(script) == [expected, expected]


def test_default_timeout_constant() -> None:
    """DEFAULT_TIMEOUT is 30 s per attempt with 5 s to connect; calls end within 60 s."""
    assert Timeout(30.0, connect=5.0) == DEFAULT_TIMEOUT
    assert ShopSociallyClient("p", "k").timeout == DEFAULT_TIMEOUT
    assert ShopSociallyClient("p", "k").deadline == DEFAULT_DEADLINE == 60.0


@pytest.mark.parametrize(
    "timeout",
    [0, -1, -0.5, float("nan"), float("inf"), "30", True, [30], httpx.Timeout(5.0)],
)
def test_bad_timeouts_are_refused(timeout: Any) -> None:
    """A timeout that is not a positive number of seconds or a Timeout is refused (an
    httpx.Timeout too: its per-operation limits do not bound a whole attempt)."""
    with pytest.raises(errors.ConfigurationError, match="timeout"):
        ShopSociallyClient("p", "k", timeout=timeout)


@pytest.mark.parametrize("max_retries", [-1, 1.5, "2", True])
def test_bad_max_retries_are_refused(max_retries: Any) -> None:
    """max_retries must be a whole number >= 0."""
    with pytest.raises(errors.ConfigurationError, match="max_retries"):
        ShopSociallyClient("p", "k", max_retries=max_retries)


def test_configuration_errors_are_value_errors() -> None:
    """ConfigurationError is a ValueError, so generic validation handlers catch it."""
    with pytest.raises(ValueError, match="body_encoding"):
        ShopSociallyClient("p", "k", body_encoding="xml")


def test_api_key_not_in_client_repr() -> None:
    """repr(client) shows the partner id and base URL but never the API key."""
    client = ShopSociallyClient(PARTNER_ID, API_KEY)
    text = repr(client)
    assert PARTNER_ID in text
    assert API_KEY not in text
    assert API_KEY not in repr(client.with_options(max_retries=0))
    assert API_KEY not in repr(vars(client))


@pytest.mark.anyio
async def test_api_key_not_in_debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing logged at DEBUG, on success, retries or failure, contains the API key."""
    caplog.set_level(logging.DEBUG)
    script = Script(ok(), httpx.ReadTimeout, ok(), httpx.ReadTimeout, httpx.ReadTimeout)
    async with scripted_client(script, max_retries=1) as client:
        await client.users.get("a@example.com")
        await client.users.get("a@example.com")
        with pytest.raises(errors.APITimeoutError):
            await client.users.get("a@example.com")
    assert caplog.records
    assert all(API_KEY not in record.getMessage() for record in caplog.records)
    assert API_KEY not in caplog.text


@pytest.mark.parametrize("seconds", [10**30, 10**400, 366 * 24 * 3600])
def test_absurd_time_limits_are_refused_not_overflowed(seconds: int) -> None:
    """A timeout or deadline past a year is a mistake, refused as such (10**30 used to raise
    a raw OverflowError from the clock arithmetic)."""
    for options in ({"timeout": seconds}, {"deadline": seconds}):
        with pytest.raises(errors.ConfigurationError):
            ShopSociallyClient("p", "k", **options)
    with pytest.raises(errors.ConfigurationError):
        Timeout(attempt=seconds)
    with pytest.raises(errors.ConfigurationError):
        ShopSociallyClient("p", "k").with_options(deadline=seconds)
