"""Which exception each failure becomes, and what it carries."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from shopsocially_async import errors
from shopsocially_async._envelope import _ERRORS_BY_CODE
from tests.unit.helpers import decode_answer
from tests.unit.scripted import API_KEY, Script, Step, failure, ok, scripted_client, status


def decode(status_code: int, body: Any) -> Any:
    """Decode a JSON ``body`` answered with ``status_code``."""
    return decode_answer(status_code, body)


@pytest.mark.parametrize(("code", "cls"), sorted(_ERRORS_BY_CODE.items()))
@pytest.mark.parametrize("status_code", [200, 400, 500])
def test_known_error_code_picks_its_domain_class(
    code: str, cls: type[errors.APIError], status_code: int
) -> None:
    """Every known error_code maps to exactly its class, whatever the HTTP status."""
    with pytest.raises(errors.APIError) as caught:
        decode(status_code, {"success": False, "error_code": code, "reason": "r"})
    assert type(caught.value) is cls
    assert caught.value.error_code == code


@pytest.mark.parametrize(
    ("status_code", "cls"),
    [
        (200, errors.APIError),
        (201, errors.APIError),
        (400, errors.BadRequestError),
        (422, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.AuthenticationError),
        (404, errors.NotFoundError),
        (409, errors.APIError),
        (429, errors.RateLimitError),
        (500, errors.ServerError),
        (502, errors.ServerError),
        (503, errors.ServerError),
        (504, errors.ServerError),
        (599, errors.ServerError),
    ],
)
def test_unknown_code_falls_back_to_the_status(
    status_code: int, cls: type[errors.APIError]
) -> None:
    """An unknown code lets the status pick the class; on 2xx it is exactly APIError."""
    with pytest.raises(errors.APIError) as caught:
        decode(status_code, {"success": False, "error_code": "NEVER_SEEN_BEFORE", "reason": "r"})
    assert type(caught.value) is cls


@pytest.mark.parametrize(
    ("status_code", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.AuthenticationError),
        (404, errors.NotFoundError),
        (429, errors.RateLimitError),
        (500, errors.ServerError),
    ],
)
def test_error_status_without_failure_envelope_raises(
    status_code: int, cls: type[errors.APIError]
) -> None:
    """An error status raises its class even when the body looks like a success."""
    with pytest.raises(errors.APIError) as caught:
        decode(status_code, {"success": True, "data": {}})
    assert type(caught.value) is cls
    assert caught.value.error_code is None


def test_api_error_attributes() -> None:
    """status_code, error_code, message, headers, response and body are all on the error."""
    body = {"success": False, "error_code": "INVALID_MEMBER", "reason": "no such member"}
    with pytest.raises(errors.MemberNotFoundError) as caught:
        decode_answer(200, body, headers={"x-request-id": "r-1"})
    exc = caught.value
    assert (exc.status_code, exc.error_code, exc.message) == (
        200,
        "INVALID_MEMBER",
        "no such member",
    )
    assert exc.response is not None
    assert exc.response.status_code == 200
    assert exc.response.content == json.dumps(body).encode()
    assert exc.headers == {"x-request-id": "r-1"}
    assert exc.response.request.method == "GET"
    assert exc.response.request.headers["api-key"] == "***"
    assert exc.body == {
        "success": False,
        "error_code": "INVALID_MEMBER",
        "reason": "no such member",
    }
    assert str(exc) == "HTTP 200 INVALID_MEMBER: no such member"
    assert isinstance(exc, errors.NotFoundError)


@pytest.mark.anyio
async def test_error_raised_through_the_client_carries_the_response() -> None:
    """An error from a real call has the response, whose request is the one sent."""
    script = Script(failure(200, "INSUFFICIENT_REDEEMABLE_POINTS", "not enough points"))
    async with scripted_client(script) as client:
        with pytest.raises(errors.InsufficientPointsError) as caught:
            await client.points.redeem(user_email="a@example.com", redemption_id="r1")
    exc = caught.value
    assert exc.status_code == 200
    assert exc.message == "not enough points"
    assert exc.response is not None
    assert exc.response.request.url.endswith("/redeem")
    assert exc.response.request.route == "POST /redeem"
    assert exc.outcome_unknown is False


TRANSPORT_FAILURES = [
    (httpx.ConnectError, errors.APIConnectionError, False),
    (httpx.ConnectTimeout, errors.APITimeoutError, False),
    (httpx.PoolTimeout, errors.APITimeoutError, False),
    (httpx.ReadTimeout, errors.APITimeoutError, True),
    (httpx.WriteTimeout, errors.APITimeoutError, True),
    (httpx.ReadError, errors.APIConnectionError, True),
    (httpx.WriteError, errors.APIConnectionError, True),
    (httpx.RemoteProtocolError, errors.APIConnectionError, True),
]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("raised", "expected", "sent"),
    TRANSPORT_FAILURES,
    ids=[t[0].__name__ for t in TRANSPORT_FAILURES],
)
async def test_transport_failures_map_to_our_errors(
    raised: type[httpx.TransportError], expected: type[errors.APIConnectionError], sent: bool
) -> None:
    """httpx failures become APIConnectionError/APITimeoutError recording request_sent; the
    httpx exception (which holds the request and its headers) is not kept in the chain."""
    script = Script(raised)
    async with scripted_client(script, max_retries=0) as client:
        with pytest.raises(errors.APIConnectionError) as caught:
            await client.users.get("a@example.com")
    assert type(caught.value) is expected
    assert caught.value.request_sent is sent
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
    assert f"scripted {raised.__name__}" in str(caught.value)
    assert caught.value.request.url.endswith("/users/a@example.com")
    assert caught.value.request.headers["api-key"] == "***"


@pytest.mark.anyio
async def test_invalid_model_data_names_the_field() -> None:
    """A 2xx whose data does not fit the model is a ResponseValidationError naming the path."""
    script = Script(ok({"id": "t1", "points": "lots"}))
    async with scripted_client(script) as client:
        with pytest.raises(errors.ResponseValidationError) as caught:
            await client.transactions.get("t1")
    assert "points" in str(caught.value)


SECRET_PROBES: dict[str, Callable[[], Step]] = {
    "auth-envelope": lambda: failure(401, "ERROR_UNAUTHORIZED", "bad key"),
    "auth-text": lambda: status(401, b"Unauthorized"),
    "server": lambda: status(500, b"<html>oops</html>"),
    "undecodable": lambda: status(200, b"not json"),
    "ill-typed": lambda: ok({"points": "many"}),
    "timeout": lambda: httpx.ReadTimeout,
    "connect": lambda: httpx.ConnectError,
}


@pytest.mark.anyio
@pytest.mark.parametrize("make", SECRET_PROBES.values(), ids=SECRET_PROBES.keys())
async def test_api_key_never_appears_in_exception_text(make: Callable[[], Step]) -> None:
    """Neither str nor repr of any raised error (nor its cause) contains the API key."""
    async with scripted_client(Script(make()), max_retries=0) as client:
        with pytest.raises(errors.ShopSociallyError) as caught:
            await client.points.award(user_email="a@example.com", activity_id="purchase")
    for exc in (caught.value, caught.value.__cause__):
        assert API_KEY not in str(exc)
        assert API_KEY not in repr(exc)
    assert API_KEY not in repr(getattr(caught.value, "request", ""))


def test_every_error_has_outcome_unknown_false_by_default() -> None:
    """outcome_unknown is defined on every error and False until the retry loop says otherwise."""
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert cls.outcome_unknown is False, name
    assert errors.DuplicateOrderError.replay is False


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (errors.InvalidArgumentError, ValueError),
        (errors.ConfigurationError, ValueError),
        (errors.ClientClosedError, RuntimeError),
        (errors.APITimeoutError, errors.APIConnectionError),
        (errors.MemberNotFoundError, errors.NotFoundError),
        (errors.TransactionNotFoundError, errors.NotFoundError),
        (errors.OrderNotFoundError, errors.NotFoundError),
        (errors.InsufficientPointsError, errors.APIError),
        (errors.DuplicateOrderError, errors.APIError),
    ],
)
def test_error_tree(cls: type[Exception], builtin: type[Exception]) -> None:
    """The hierarchy promised by the errors module docstring."""
    assert issubclass(cls, builtin)
    assert issubclass(cls, errors.ShopSociallyError)


@pytest.mark.anyio
@pytest.mark.parametrize("make", SECRET_PROBES.values(), ids=SECRET_PROBES.keys())
async def test_errors_survive_pickling_with_every_field(make: Callable[[], Step]) -> None:
    """An error sent through a process pool or task queue keeps its class, message,
    status, code, outcome_unknown and views; the key is not in the pickle."""
    async with scripted_client(Script(make()), max_retries=0) as client:
        with pytest.raises(errors.ShopSociallyError) as caught:
            await client.points.award(user_email="a@example.com", activity_id="purchase")
    original = caught.value
    data = pickle.dumps(original)
    copy = pickle.loads(data)  # noqa: S301 - our own bytes, made just above
    assert API_KEY.encode() not in data
    assert type(copy) is type(original)
    assert (str(copy), copy.outcome_unknown) == (str(original), original.outcome_unknown)
    for name in ("status_code", "error_code", "message", "request_sent", "path"):
        assert getattr(copy, name, None) == getattr(original, name, None)
    shown = getattr(original, "response", None) or getattr(original, "request", None)
    if shown is not None:
        assert repr(getattr(copy, "response", None) or copy.request) == repr(shown)
