"""The API's wire protocol as pure functions: no I/O, no ``await``.

- :class:`Call` describes one endpoint call (method, path, query, body, how safe it is to
  repeat); :func:`build_request` turns it into an ``httpx.Request``.
- :func:`decode_envelope` turns ``(status, headers, body)`` into the ``data`` member or raises
  the right :class:`~shopsocially_async.errors.APIError`, whatever the HTTP status: the API
  answers many business errors with HTTP 200.
- :func:`parse_retry_after` reads a ``Retry-After`` header.
"""

from __future__ import annotations

import email.utils
import enum
import functools
import json
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NamedTuple
from urllib.parse import quote, urlencode

import attrs
import httpx

from . import errors
from ._config import ClientConfig, Credentials

__all__ = [
    "Call",
    "RetrySafety",
    "WireRequest",
    "build_request",
    "decode_envelope",
    "parse_json",
    "parse_retry_after",
    "path_segment",
    "plain_success_data",
    "wire_request",
]

try:  # orjson is optional (the ``speedups`` extra); the stdlib parser is the fallback.
    import orjson

    _fast_loads: Any = orjson.loads
    _FastDecodeError: type[Exception] = orjson.JSONDecodeError
except ImportError:  # pragma: no cover - exercised where orjson is absent
    _fast_loads = json.loads
    _FastDecodeError = json.JSONDecodeError

USER_AGENT = "shopsocially-async/0.1.0"
RETRY_AFTER_CAP = 60.0


class RetrySafety(enum.Enum):
    """How safe a call is to send twice."""

    #: Reads, PUTs, and awards with an ``order_id`` (the server deduplicates those).
    IDEMPOTENT = "idempotent"
    #: Every other POST: a repeat could award, redeem or deduct twice.
    UNSAFE = "unsafe"


@attrs.frozen
class Call:
    """One endpoint call, fully described; ``path`` is already percent-encoded."""

    method: str
    path: str
    safety: RetrySafety
    query: Mapping[str, str | int] | None = None
    body: Mapping[str, Any] | None = None
    extra_headers: Mapping[str, str] | None = None
    is_write: bool = False
    #: For logs and errors: the endpoint's name without identifiers, e.g. "GET /users/{email}".
    route: str = ""


def path_segment(value: str) -> str:
    """Percent-encode ``value`` as exactly one path segment (``/``, ``..`` and ``?`` included)."""
    encoded = quote(value, safe="@+!$&'()*,;=:~")
    # "." and ".." are path navigation even when alone in a segment; encode them too.
    return encoded.replace(".", "%2E") if encoded in (".", "..") else encoded


def build_request(config: ClientConfig, call: Call) -> httpx.Request:
    """The exact ``httpx.Request`` for ``call``: auth headers, JSON or form body, query."""
    content, content_type = _body_of(config, call)
    return httpx.Request(
        call.method,
        _parse_url(_url_of(config, call)),
        headers=_headers_of(config.credentials, call.extra_headers, content_type),
        content=content,
        # httpx.Request built by hand carries no timeout unless told; the pool honours this.
        extensions={"timeout": config.timeout.as_dict()},
    )


def _url_of(config: ClientConfig, call: Call) -> str:
    url = config.base_url + call.path
    if call.query:
        url += "?" + urlencode(call.query)
    return url


def _body_of(config: ClientConfig, call: Call) -> tuple[bytes | None, str | None]:
    if call.body is None:
        return None, None
    return encode_body(call.body, config.body_encoding)


def _headers_of(
    credentials: Credentials | None,
    extra_headers: Mapping[str, str] | None,
    content_type: str | None,
) -> httpx.Headers:
    headers = _base_headers(credentials)
    if content_type is not None or extra_headers:
        headers = httpx.Headers(headers)  # a copy: the cached one is shared
        if extra_headers:
            headers.update(extra_headers)
        if content_type is not None:
            headers["content-type"] = content_type
    return headers


class WireRequest(NamedTuple):
    """What goes on the wire for one call, without building an ``httpx.Request``.

    The fast transport sends this; :func:`build_request` still builds the ``httpx.Request``
    (for errors and logs) when one is needed. ``headers`` are exactly the ones httpx would send
    for the same call (``Host`` and ``Content-Length`` included): they are taken from an
    ``httpx.Request`` built the first time a header set is seen.
    """

    method: str
    url: str
    headers: list[tuple[str, str]]
    content: bytes | None


def wire_request(config: ClientConfig, call: Call) -> WireRequest:
    """The method, URL, headers and body :func:`build_request` would produce for ``call``."""
    content, content_type = _body_of(config, call)
    url = _url_of(config, call)
    extra = tuple(call.extra_headers.items()) if call.extra_headers else None
    length = None if content is None else len(content)
    headers = _wire_headers(config.credentials, call.method, url, extra, content_type, length)
    return WireRequest(call.method, _url_text(url), headers, content or None)


@functools.lru_cache(maxsize=1024)
def _url_text(url: str) -> str:
    """``str(httpx.URL(url))``: the URL as httpx normalizes it."""
    return str(_parse_url(url))


@functools.lru_cache(maxsize=1024)
def _wire_headers(
    credentials: Credentials | None,
    method: str,
    url: str,
    extra_headers: tuple[tuple[str, str], ...] | None,
    content_type: str | None,
    content_length: int | None,
) -> list[tuple[str, str]]:
    """httpx's own header list for such a request (it depends on the body only by its length).

    Keyed by the URL's text (hashing an ``httpx.URL`` formats it each time). Callers must not
    mutate the list: it is shared.
    """
    headers = _headers_of(credentials, dict(extra_headers) if extra_headers else None, content_type)
    content = None if content_length is None else bytes(content_length)
    request = httpx.Request(method, _parse_url(url), headers=headers, content=content)
    return request.headers.multi_items()


# Parsing a URL is most of the cost of an httpx.Request, and clients call the same few URLs
# (every award is POST /award) over and over. httpx.URL is immutable, so sharing is safe.
_parse_url = functools.lru_cache(maxsize=1024)(httpx.URL)


@functools.lru_cache(maxsize=64)
def _base_headers(credentials: Credentials | None) -> httpx.Headers:
    """The headers of every request; ``httpx.Request`` copies them, so sharing is safe."""
    headers = {"accept": "application/json", "user-agent": USER_AGENT}
    if credentials is not None:
        headers.update(credentials.headers())
    return httpx.Headers(headers)


def encode_body(body: Mapping[str, Any], encoding: str) -> tuple[bytes, str]:
    """JSON with numbers as numbers (the default), or form fields like the reference's curl."""
    if encoding == "form":
        fields = {key: _form_value(value) for key, value in body.items()}
        return urlencode(fields).encode(), "application/x-www-form-urlencoded"
    return _JSON_ENCODER.encode(body).encode(), "application/json"


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        # Money travels as a JSON number; float repr is exact for amounts of <= 15 digits.
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot send {type(value).__name__} in a request body")


# json.dumps(body, separators=..., default=...) builds a new encoder per call; this is the same.
_JSON_ENCODER = json.JSONEncoder(separators=(",", ":"), default=_json_default)


def _form_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_json(body: bytes) -> Any:
    """Decode a body; tolerate the raw control characters some API strings contain.

    Raises ValueError (never RecursionError) for anything that is not JSON.
    """
    try:
        return _fast_loads(body)
    except _FastDecodeError:
        try:
            return json.loads(body, strict=False)
        except RecursionError:
            # orjson refuses deep nesting with a JSONDecodeError; the stdlib overflows the stack.
            raise ValueError("JSON nested too deeply") from None


def decode_envelope(
    status: int, headers: httpx.Headers, body: bytes, response: httpx.Response
) -> Any:
    """Return the ``data`` member of a success envelope or raise the mapped error."""
    try:
        document = parse_json(body) if body else None
    except (ValueError, UnicodeDecodeError):
        document = None
        if 200 <= status < 300:
            raise _undecodable(status, body, response) from None
    failure = _failure_of(document)
    if failure is None and status < 400:
        if not isinstance(document, dict) or "data" not in document:
            raise _undecodable(status, body, response)
        return document["data"]
    error_code, message = failure or (None, _status_text(status, body))
    raise make_api_error(status, error_code, message, headers, response, document)


#: :func:`plain_success_data`'s answer when the body is not a plain success envelope.
NOT_PLAIN: Any = object()


def plain_success_data(status: int, body: bytes) -> Any:
    """``data`` of a success envelope, else :data:`NOT_PLAIN` (no ``httpx.Response`` needed).

    Returns exactly what :func:`decode_envelope` returns whenever that returns; on
    :data:`NOT_PLAIN` call :func:`decode_envelope` for the error it raises.
    """
    if status >= 400 or not body:
        return NOT_PLAIN
    try:
        document = parse_json(body)
    except (ValueError, UnicodeDecodeError):
        return NOT_PLAIN
    if not isinstance(document, dict) or "data" not in document or _failure_of(document):
        return NOT_PLAIN
    return document["data"]


def _failure_of(document: object) -> tuple[str | None, str] | None:
    """Recognise the three failure envelopes; None means the body claims success."""
    if not isinstance(document, dict):
        return None
    nested = document.get("error")
    if isinstance(nested, dict):
        return _code(nested), _message(nested)
    if _says_false(document.get("success")):
        return _code(document), _message(document)
    if "code" in document and "message" in document and "data" not in document:
        return _code(document), _message(document)
    return None


def _says_false(success: object) -> bool:
    """``"success": false``, also as the sloppy ``"false"`` or ``0``: never a success."""
    if success is False:
        return True
    if isinstance(success, str):
        return success.strip().lower() in ("false", "0")
    return type(success) is int and success == 0


def _code(envelope: Mapping[str, Any]) -> str | None:
    code = envelope.get("error_code", envelope.get("code"))
    return str(code) if code not in (None, "") else None


def _message(envelope: Mapping[str, Any]) -> str:
    for key in ("reason", "message", "error_message", "error"):
        value = envelope.get(key)
        if isinstance(value, str) and value:
            return value
    return "the API reported a failure without a reason"


def _status_text(status: int, body: bytes) -> str:
    snippet = body[:200].decode("utf-8", "replace").strip()
    return snippet or httpx.codes.get_reason_phrase(status) or "error"


def _undecodable(
    status: int, body: bytes, response: httpx.Response
) -> errors.ResponseValidationError:
    snippet = body[:120].decode("utf-8", "replace")
    return errors.ResponseValidationError(
        f"HTTP {status} response is not a ShopSocially success envelope: {snippet!r}",
        path="$",
        value=snippet,
        response=response,
    )


_ERRORS_BY_CODE: dict[str, type[errors.APIError]] = {
    "INSUFFICIENT_REDEEMABLE_POINTS": errors.InsufficientPointsError,
    "INVALID_AMOUNT_TO_DEDUCT": errors.InsufficientPointsError,
    "RETURN_VALUE_EXCEEDS_AVAILABLE_BALANCE": errors.InsufficientPointsError,
    "DUPLICATE_ORDER_ID": errors.DuplicateOrderError,
    "INVALID_MEMBER": errors.MemberNotFoundError,
    "INCORRECT_MEMBER_ID_PASSED": errors.MemberNotFoundError,
    "MEMBER_DELETED": errors.MemberNotFoundError,
    "TRANSACTION_DOES_NOT_EXIST": errors.TransactionNotFoundError,
    "ORDER_NOT_EXIST": errors.OrderNotFoundError,
    "RATE_LIMIT_EXCEEDED": errors.RateLimitError,
    "ERROR_UNAUTHORIZED": errors.AuthenticationError,
    "MAX_AWARDS_EXCEEDED": errors.AwardLimitError,
    "EXCLUDED_TRANSACTION": errors.AwardLimitError,
    "PAUSED_ACTIVITY": errors.PausedActivityError,
    "INACTIVE_REWARD": errors.RewardUnavailableError,
    "MAX_REWARDS_EXCEEDED": errors.RewardUnavailableError,
    "AUTO_REDEEMABLE_REWARD": errors.RewardUnavailableError,
    "INVALID_REWARD_FOR_TIER": errors.RewardUnavailableError,
    "INVALID_REWARD_FOR_USER": errors.RewardUnavailableError,
    "MEMBER_BLOCKED": errors.MemberStateError,
    "INVALID_MEMBER_STATUS": errors.MemberStateError,
    "STORE_INACTIVE": errors.MemberStateError,
    "MEMBER_ID_ALREADY_IN_USE": errors.ConflictError,
    "ATTRIBUTE_NOT_UNIQUE": errors.ConflictError,
    "TRANSACTION_ATTRIBUTE_NOT_UNIQUE": errors.ConflictError,
    "INTERNAL_SERVER_ERROR": errors.ServerError,
    "SERVICE_UNAVAILABLE": errors.ServerError,
}


def error_class_for(status: int, error_code: str | None) -> type[errors.APIError]:
    """A known code picks its domain class; otherwise the status; otherwise APIError."""
    if error_code is not None and error_code in _ERRORS_BY_CODE:
        return _ERRORS_BY_CODE[error_code]
    if status in (400, 422):
        return errors.BadRequestError
    if status in (401, 403):
        return errors.AuthenticationError
    if status == 404:
        return errors.NotFoundError
    if status == 429:
        return errors.RateLimitError
    if status >= 500:
        return errors.ServerError
    return errors.APIError


def make_api_error(
    status: int,
    error_code: str | None,
    message: str,
    headers: httpx.Headers,
    response: httpx.Response,
    body: object,
) -> errors.APIError:
    cls = error_class_for(status, error_code)
    kwargs: dict[str, Any] = {
        "status_code": status,
        "error_code": error_code,
        "response": response,
        "body": body,
    }
    if issubclass(cls, errors.RateLimitError):
        kwargs["retry_after"] = parse_retry_after(headers)
    return cls(message, **kwargs)


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from ``Retry-After`` (delta-seconds or an HTTP date), capped at 60 s.

    Also reads the non-standard ``retry-after-ms``. None when absent or unparsable.
    """
    millis = headers.get("retry-after-ms")
    if millis is not None:
        seconds = _non_negative_float(millis)
        if seconds is not None:
            return min(seconds / 1000.0, RETRY_AFTER_CAP)
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _non_negative_float(value)
    if seconds is None:
        seconds = _seconds_until_http_date(value, time.time() if now is None else now)
    return None if seconds is None else min(seconds, RETRY_AFTER_CAP)


def _non_negative_float(text: str) -> float | None:
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return number if number >= 0 and number == number and number != float("inf") else None


def _seconds_until_http_date(text: str, now: float) -> float | None:
    try:
        parsed = email.utils.parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return max(0.0, parsed.timestamp() - now)
