"""The API's responses as pure functions over plain values: no I/O, no ``await``, no httpx.

- :func:`decode_envelope` turns ``(status, headers, body)`` into the ``data`` member or raises
  the right :class:`~shopsocially_async.errors.APIError`, whatever the HTTP status: the API
  answers many business errors with HTTP 200.
- :func:`parse_retry_after` reads a ``Retry-After`` header.

Every error carries a :class:`~._http.ResponseInfo`; any secret of the request (the API key,
an auth header's value) that the server echoed is redacted from the error's message, its
parsed body and its body bytes before the error exists.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from . import errors
from ._http import Headers, Request, ResponseInfo
from ._redact import redact_bytes, redact_document, redact_headers, secrets_of

__all__ = [
    "decode_envelope",
    "error_class_for",
    "failure_of",
    "make_api_error",
    "parse_json",
    "parse_retry_after",
]

try:  # orjson is optional (the ``speedups`` extra); the stdlib parser is the fallback.
    import orjson

    _fast_loads: Any = orjson.loads
    _FastDecodeError: type[Exception] = orjson.JSONDecodeError
except ImportError:  # pragma: no cover - exercised where orjson is absent
    _fast_loads = json.loads
    _FastDecodeError = json.JSONDecodeError


def parse_json(body: bytes) -> Any:
    """Decode a body; tolerate the raw control characters some API strings contain.

    Raises ValueError (never RecursionError) for anything that is not JSON.
    """
    try:
        return _fast_loads(body)
    except _FastDecodeError:
        return _lenient_loads(body)
    except RecursionError:  # the stdlib fallback (no orjson) overflows the stack
        raise ValueError("JSON nested too deeply") from None


def _lenient_loads(body: bytes) -> Any:
    try:
        return json.loads(body, strict=False)
    except RecursionError:
        # orjson refuses deep nesting with a JSONDecodeError; the stdlib overflows the stack.
        raise ValueError("JSON nested too deeply") from None


def decode_envelope(status: int, headers: Headers, body: bytes, request: Request) -> Any:
    """Return the ``data`` member of a success envelope or raise the mapped error."""
    if 200 <= status < 300:
        try:
            document = parse_json(body)
        except (ValueError, UnicodeDecodeError):
            body = redact_bytes(body, secrets_of(request))
            raise _undecodable(status, headers, body, request) from None
        if isinstance(document, dict) and "data" in document and failure_of(document) is None:
            data = document["data"]
            if failure_of(data) is None:
                return data
    return _raise_failure(status, headers, body, request)


def _raise_failure(status: int, headers: Headers, body: bytes, request: Request) -> Any:
    """Raise the error for an answer that is not a plain success: redacted, then mapped."""
    secrets = secrets_of(request)
    body = redact_bytes(body, secrets)
    try:
        document = redact_document(parse_json(body), secrets) if body else None
    except (ValueError, UnicodeDecodeError):
        document = None
    body = _without_escaped_echoes(body, document, secrets)
    failure = failure_of(document)
    if failure is None and isinstance(document, dict):
        failure = failure_of(document.get("data"))  # a failure envelope nested in data
    if failure is None:
        if 200 <= status < 300:
            raise _undecodable(status, headers, body, request)
        failure = (None, _status_text(status, body))
    error_code, message = failure
    response = ResponseInfo(status, redact_headers(headers, secrets), body, request.info())
    raise make_api_error(status, error_code, message, headers, response, document)


def _without_escaped_echoes(body: bytes, document: Any, secrets: tuple[str, ...]) -> bytes:
    """The body as shown on the error: a JSON body with ``\\u`` escapes (the one spelling
    :func:`~._redact.redact_bytes` cannot see) is replaced by its redacted document."""
    if not secrets or document is None or b"\\u" not in body:
        return body
    try:
        return json.dumps(document, ensure_ascii=False).encode()
    except (ValueError, TypeError, RecursionError):
        return b""


def failure_of(document: object) -> tuple[str | None, str] | None:
    """Recognise the three failure envelopes: ``(error_code, message)``, or None when
    ``document`` does not claim failure. The decoder also asks it about every record."""
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
    """The error code, if it is text or a whole number (anything else is no code: a hostile
    body may put a list nested a thousand deep there)."""
    code = envelope.get("error_code", envelope.get("code"))
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code) if abs(code) < 10**18 else None
    return code[:100] if isinstance(code, str) and code else None


def _message(envelope: Mapping[str, Any]) -> str:
    for key in ("reason", "message", "error_message", "error"):
        value = envelope.get(key)
        if isinstance(value, str) and value:
            return _clip(value)
    return "the API reported a failure without a reason"


def _clip(text: str, limit: int = 1000) -> str:
    """A server's text, bounded: a hostile server cannot make every traceback megabytes long."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _status_text(status: int, body: bytes) -> str:
    snippet = body[:200].decode("utf-8", "replace").strip()
    return snippet or _reason_phrase(status)


def _reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "error"


def _undecodable(
    status: int, headers: Headers, body: bytes, request: Request
) -> errors.ResponseValidationError:
    """A 2xx answer that is not a success envelope (the body is redacted already)."""
    snippet = body[:120].decode("utf-8", "replace")
    shown = redact_headers(headers, secrets_of(request))
    return errors.ResponseValidationError(
        f"HTTP {status} response is not a ShopSocially success envelope: {snippet!r}",
        path="$",
        value=snippet,
        response=ResponseInfo(status, shown, body, request.info()),
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
    headers: Mapping[str, str],
    response: ResponseInfo | None,
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
    """Seconds to wait from ``Retry-After`` (delta-seconds or an HTTP date).

    Also reads the non-standard ``retry-after-ms``. None when absent or unparsable. Not
    capped here: the client caps it with ``RetryPolicy.max_retry_after``.
    """
    millis = headers.get("retry-after-ms")
    if millis is not None:
        seconds = _non_negative_float(millis)
        if seconds is not None:
            return seconds / 1000.0
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _non_negative_float(value)
    if seconds is None:
        seconds = _seconds_until_http_date(value, time.time() if now is None else now)
    return seconds


def _non_negative_float(text: str) -> float | None:
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return number if number >= 0 and number == number and number != float("inf") else None


def _seconds_until_http_date(text: str, now: float) -> float | None:
    try:
        parsed = email.utils.parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return max(0.0, parsed.timestamp() - now)
