"""The pure wire protocol: success and failure envelopes, garbage bodies, Retry-After."""

from __future__ import annotations

import email.utils
from typing import Any

import pytest

from shopsocially_async import errors, parse_retry_after
from shopsocially_async._http import Headers

from .helpers import decode_answer as decode

NOW = 1_700_000_000.0


# The three failure envelopes seen in the wild, each carrying the same code and reason.
FAILURE_SHAPES = {
    "success_false": {"success": False, "error_code": "SOMETHING_ODD", "reason": "it broke"},
    "nested_error": {
        "error": {"success": False, "error_code": "SOMETHING_ODD", "reason": "it broke"}
    },
    "code_message": {"code": "SOMETHING_ODD", "message": "it broke"},
}


@pytest.mark.parametrize("data", [{"id": "t1"}, [1, 2], None, 0, "", []])
def test_success_envelope_returns_data(data: Any) -> None:
    """A ``{"data": ..., "success": true}`` envelope yields its ``data``, whatever it holds."""
    assert decode(200, {"data": data, "success": True}) == data


@pytest.mark.parametrize("shape", FAILURE_SHAPES.values(), ids=FAILURE_SHAPES.keys())
@pytest.mark.parametrize("status", [200, 201, 400, 404, 429, 500, 503])
def test_every_failure_shape_raises_whatever_the_status(shape: dict[str, Any], status: int) -> None:
    """Each failure envelope raises an APIError carrying its reason, on 2xx as on 4xx/5xx."""
    with pytest.raises(errors.APIError) as caught:
        decode(status, shape)
    assert caught.value.message == "it broke"
    assert caught.value.status_code == status
    assert caught.value.error_code == "SOMETHING_ODD"


def test_nested_error_without_code_still_raises() -> None:
    """The older ``{"error": {"success": false, "reason"}}`` shape needs no code to raise."""
    with pytest.raises(errors.APIError) as caught:
        decode(200, {"error": {"success": False, "reason": "Invalid API key"}})
    assert type(caught.value) is errors.APIError
    assert caught.value.error_code is None
    assert caught.value.message == "Invalid API key"


def test_failure_envelope_wins_over_data() -> None:
    """``success: false`` raises even when the body also carries a ``data`` member."""
    with pytest.raises(errors.APIError):
        decode(200, {"success": False, "data": {"id": "t1"}, "reason": "no"})


@pytest.mark.parametrize("status", [200, 201, 204])
@pytest.mark.parametrize(
    "body",
    [b"<html>gateway</html>", b"OK", b"\xff\xfe\xfd", b""],
    ids=["html", "text", "binary", "empty"],
)
def test_non_json_success_is_a_validation_error(status: int, body: bytes) -> None:
    """A 2xx whose body is not JSON is a ResponseValidationError, not a success."""
    with pytest.raises(errors.ResponseValidationError) as caught:
        decode(status, body)
    assert caught.value.path == "$"
    assert caught.value.response is not None


@pytest.mark.parametrize("body", [{"success": True}, {"success": True, "result": {}}, {}])
def test_success_without_data_is_a_validation_error(body: dict[str, Any]) -> None:
    """A 2xx JSON object without ``data`` is a ResponseValidationError."""
    with pytest.raises(errors.ResponseValidationError):
        decode(200, body)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_non_json_server_error_keeps_the_text(status: int) -> None:
    """A 5xx with an HTML or text body is a ServerError whose message is that text."""
    with pytest.raises(errors.ServerError) as caught:
        decode(status, b"<html>upstream connect error</html>")
    assert "upstream connect error" in caught.value.message
    assert caught.value.status_code == status


def test_empty_server_error_uses_the_reason_phrase() -> None:
    """A 5xx with no body at all still has a readable message."""
    with pytest.raises(errors.ServerError) as caught:
        decode(503, b"")
    assert caught.value.message == "Service Unavailable"


def test_raw_control_characters_in_strings_are_tolerated() -> None:
    """Raw newlines and tabs inside JSON strings (sent by the API) decode instead of failing."""
    body = b'{"success": true, "data": {"reason": "line one\nline two\ttabbed"}}'
    assert decode(200, body) == {"reason": "line one\nline two\ttabbed"}


def test_raw_control_characters_in_a_failure_reason_are_tolerated() -> None:
    """A failure envelope with a raw newline in its reason still maps to the right error."""
    body = b'{"success": false, "error_code": "DUPLICATE_ORDER_ID", "reason": "dup\norder"}'
    with pytest.raises(errors.DuplicateOrderError) as caught:
        decode(200, body)
    assert caught.value.message == "dup\norder"


GARBAGE_BODIES = [
    b"[]",
    b'"x"',
    b"null",
    b"0",
    b"true",
    b'{"success": true}',
    b'{"success": "false"}',
    b'{"success": false}',
    b'{"error": "x"}',
    b'{"error": {"reason": 5}}',
    b'{"code": null, "message": null}',
    b'{"success": false, "error_code": ["A"], "reason": {"x": 1}}',
    b'{"data": {"id": "t1"',
    b'{"success": tru',
    b"\xff\xfe\x00\x01",
    b"\x00" * 8,
    b"1e999999",
    b"[" * 100_000,
    b'{"a":' * 5_000,
]


@pytest.mark.parametrize("status", [200, 404, 500])
@pytest.mark.parametrize("body", GARBAGE_BODIES, ids=[repr(b[:24]) for b in GARBAGE_BODIES])
def test_garbage_bodies_raise_only_library_errors(status: int, body: bytes) -> None:
    """No KeyError, TypeError, JSON or recursion error escapes for a body of any shape."""
    with pytest.raises(errors.ShopSociallyError):
        decode(status, body)


# --- Retry-After ----------------------------------------------------------------------------


def http_date(offset: float) -> str:
    """An HTTP date ``offset`` seconds after NOW."""
    return email.utils.formatdate(NOW + offset, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param({}, None, id="absent"),
        pytest.param({"retry-after": "3"}, 3.0, id="seconds"),
        pytest.param({"retry-after": "0"}, 0.0, id="zero"),
        pytest.param({"retry-after": "1.5"}, 1.5, id="fractional"),
        pytest.param({"retry-after": " 7 "}, 7.0, id="padded"),
        pytest.param({"retry-after": "60"}, 60.0, id="minute"),
        pytest.param({"retry-after": "86400"}, 86400.0, id="day (the policy caps it)"),
        pytest.param({"retry-after": "1e400"}, None, id="infinite"),
        pytest.param({"retry-after": "nan"}, None, id="nan"),
        pytest.param({"retry-after": "-1"}, None, id="negative"),
        pytest.param({"retry-after": "soon"}, None, id="garbage"),
        pytest.param({"retry-after": ""}, None, id="empty"),
        pytest.param({"retry-after": http_date(20)}, 20.0, id="date-future"),
        pytest.param({"retry-after": http_date(3600)}, 3600.0, id="date-far-future"),
        pytest.param({"retry-after": http_date(-20)}, 0.0, id="date-past"),
        pytest.param({"retry-after": "Fri, 99 Foo 2023 99:99:99 GMT"}, None, id="date-garbage"),
        pytest.param({"retry-after-ms": "1500"}, 1.5, id="ms"),
        pytest.param({"retry-after-ms": "0"}, 0.0, id="ms-zero"),
        pytest.param({"retry-after-ms": "999999"}, 999.999, id="ms-huge"),
        pytest.param({"retry-after-ms": "250", "retry-after": "9"}, 0.25, id="ms-wins"),
        pytest.param(
            {"retry-after-ms": "junk", "retry-after": "9"}, 9.0, id="ms-garbage-falls-back"
        ),
    ],
)
def test_parse_retry_after_header(headers: dict[str, str], expected: float | None) -> None:
    """Retry-After in seconds, HTTP date or ms is read (uncapped: RetryPolicy.max_retry_after
    caps the wait); garbage means None."""
    assert parse_retry_after(Headers(headers.items()), now=NOW) == pytest.approx(expected)


def test_rate_limit_error_carries_retry_after() -> None:
    """A 429 decodes to a RateLimitError whose ``retry_after`` comes from the header."""
    body = {"success": False, "error_code": "RATE_LIMIT_EXCEEDED", "reason": "slow down"}
    with pytest.raises(errors.RateLimitError) as caught:
        decode(429, body, headers={"retry-after": "4"})
    assert caught.value.retry_after == 4.0


DEEP_LIST = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize("status", [200, 429, 500])
@pytest.mark.parametrize(
    "body",
    [
        f'{{"success": false, "error_code": {DEEP_LIST}, "reason": "x"}}',
        f'{{"error": {{"success": false, "code": {DEEP_LIST}, "reason": "x"}}}}',
        '{"success": false, "error_code": 1e999, "reason": "x"}',
        '{"success": false, "error_code": true, "reason": "x"}',
        '{"success": false, "error_code": ' + "9" * 4000 + ', "reason": "x"}',
    ],
    ids=["deep-list", "nested-deep-list", "huge-float", "bool", "4000-digit-int"],
)
def test_an_error_code_that_is_no_code_is_ignored(status: int, body: str) -> None:
    """A code that is not text or a sensible number (a list nested 1,000 deep, a bool, a huge
    number) is no code: the status picks the class, nothing raw escapes. (Without orjson the
    stdlib parser refuses the deepest bodies outright: then the body is undecodable.)"""
    with pytest.raises(errors.ShopSociallyError) as caught:
        decode(status, body)
    if isinstance(caught.value, errors.APIError):
        assert caught.value.error_code is None
    else:
        assert isinstance(caught.value, errors.ResponseValidationError)
        assert status == 200
        assert body.count("[") >= 1000  # only the deepest bodies


@pytest.mark.parametrize(
    "value",
    [
        "Mon, 99999999999999999999 Jan 2024 00:00:00 GMT",
        "Mon, 01 Jan 99999999999999999999 00:00:00 GMT",
        "Mon, 01 Jan 2024 99999999999999999999:00:00 GMT",
        "Mon, 01 Jan 2024 00:00:00 +99999999999999999999",
    ],
)
def test_an_overflowing_retry_after_date_is_ignored(value: str) -> None:
    """An HTTP date whose fields overflow is unparsable (None), not a raw OverflowError."""
    assert parse_retry_after(Headers([("retry-after", value)]), now=NOW) is None
