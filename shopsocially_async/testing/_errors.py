"""The failures the fake answers with, each carrying its HTTP status and its exact body.

Every error code the fake can emit is in :data:`STATUSES`, one table, and its HTTP status comes
from there and nowhere else. For the codes the returns-tracking reference (``api-docs/002``,
"Zinrelo API Status Codes") lists, the status is that table's; the four codes that table lacks
take the status its "Standard HTTP status codes" give their situation (404 Not Found, 400 Bad
Request) or, for rate limiting, the 429 the vendor documents elsewhere. A code the table does
not hold cannot be raised (``KeyError`` in the fake, caught by its tests).

The real API uses three envelopes, and so does the fake:

* ``{"success": false, "error_code": CODE, "reason": TEXT}``: business errors (HTTP 200),
  invalid parameter values and cursors, malformed bodies (400), authentication (401), a
  missing transaction (404) and rate limiting (429);
* ``{"error": {"success": false, "reason": TEXT}}``, the older one: missing parameters and
  dates in the wrong format (400; its codes are the fake's own labels, never on the wire);
* ``{"code": CODE, "message": TEXT}``: unknown routes, activities and redemptions (404),
  server errors (500) and unavailability (503).
"""

from __future__ import annotations

from collections.abc import Iterable

JsonObject = dict[str, object]

#: HTTP status of every code the fake emits. All but the last four are 002's table verbatim.
STATUSES: dict[str, int] = {
    "MEMBER_ID_ALREADY_IN_USE": 200,
    "MAX_AWARDS_EXCEEDED": 200,
    "INVALID_AMOUNT_TO_DEDUCT": 200,
    "INVALID_JSON": 400,
    "INVALID_REQUEST": 400,
    "TRANSACTION_DOES_NOT_EXIST": 404,
    "INTERNAL_SERVER_ERROR": 500,
    "INVALID_REQUEST_PARAMETER_VALUES": 400,
    "PAUSED_ACTIVITY": 200,
    "ERROR_UNAUTHORIZED": 401,
    "DUPLICATE_ORDER_ID": 200,
    "INVALID_MEMBER": 200,
    "INVALID_CURSOR": 400,
    "SERVICE_UNAVAILABLE": 503,
    "INACTIVE_REWARD": 200,
    "MAX_REWARDS_EXCEEDED": 200,
    "INSUFFICIENT_REDEEMABLE_POINTS": 200,
    "ORDER_NOT_EXIST": 200,
    "PRODUCT_QUANTITY_EXCEEDED": 200,
    "INVALID_PRODUCT_ID": 200,
    "RETURN_VALUE_EXCEEDS_AVAILABLE_BALANCE": 200,
    "PRODUCT_ID_AND_RETURN_AMOUNT_PASSED": 200,
    # Not in 002's table:
    "NOT_FOUND": 404,  # the {"code", "message"} envelope: "The resource does not exist."
    "MISSING_PARAMETERS": 400,  # the older envelope (no code on the wire)
    "BAD_DATE_FORMAT": 400,  # the older envelope (no code on the wire)
    "RATE_LIMIT_EXCEEDED": 429,
}


class FakeApiError(Exception):
    """A request the fake refuses: ``status`` and ``body`` are exactly what goes on the wire."""

    def __init__(self, code: str, body: JsonObject) -> None:
        self.status = STATUSES[code]
        self.code = code
        self.body = body
        super().__init__(f"{self.status} {code}: {body}")


def coded(code: str, reason: str) -> FakeApiError:
    """A failure in the ``error_code`` envelope, with the status :data:`STATUSES` gives it."""
    return FakeApiError(code, {"success": False, "error_code": code, "reason": reason})


def invalid_value(reason: str) -> FakeApiError:
    """A parameter value the program refuses (unknown ids included): HTTP 400
    INVALID_REQUEST_PARAMETER_VALUES. ``reason`` starts with ``Invalid value for <name>``."""
    return coded("INVALID_REQUEST_PARAMETER_VALUES", reason)


def invalid_cursor() -> FakeApiError:
    """A ``start_index`` that is not a whole number from 0: HTTP 400 INVALID_CURSOR."""
    return coded("INVALID_CURSOR", "Invalid start cursor provided")


def _older(code: str, reason: str) -> FakeApiError:
    return FakeApiError(code, {"error": {"success": False, "reason": reason}})


def missing_parameters(names: Iterable[str]) -> FakeApiError:
    """Required parameters absent: HTTP 400 in the older envelope, names in the documented order."""
    return _older("MISSING_PARAMETERS", "Missing parameters: " + ", ".join(names))


def bad_date_format(name: str, expected: str) -> FakeApiError:
    """A date parameter not in the endpoint's format: HTTP 400 in the older envelope."""
    return _older("BAD_DATE_FORMAT", f"Unexpected date format for {name}: expected {expected}")


def _plain(code: str, message: str) -> FakeApiError:
    return FakeApiError(code, {"code": code, "message": message})


def not_found(message: str) -> FakeApiError:
    """An unknown route, activity or redemption: HTTP 404 in the ``code``/``message`` envelope."""
    return _plain("NOT_FOUND", message)


def transaction_not_found() -> FakeApiError:
    """An unknown transaction id: HTTP 404 TRANSACTION_DOES_NOT_EXIST."""
    return coded("TRANSACTION_DOES_NOT_EXIST", "Transaction does not exist.")


def invalid_json(detail: str) -> FakeApiError:
    """A JSON body that does not parse (or is not an object): HTTP 400 INVALID_JSON."""
    return coded("INVALID_JSON", f"Invalid JSON format: {detail}")


def unsupported_content_type(content_type: str) -> FakeApiError:
    """A write body in a format the API does not read: HTTP 400 INVALID_REQUEST."""
    return coded("INVALID_REQUEST", f"Invalid request: unsupported Content-Type [{content_type}].")


def unauthorized(reason: str) -> FakeApiError:
    """Missing or wrong ``partner-id``/``api-key``: HTTP 401 ERROR_UNAUTHORIZED."""
    return coded("ERROR_UNAUTHORIZED", reason)


def rate_limited(retry_after: str) -> FakeApiError:
    """An injected rate limit: HTTP 429 RATE_LIMIT_EXCEEDED (the caller adds Retry-After)."""
    return coded("RATE_LIMIT_EXCEEDED", f"Rate limit exceeded. Retry after {retry_after} seconds.")


def server_error() -> FakeApiError:
    """An injected server failure: HTTP 500 in the ``code``/``message`` envelope."""
    return _plain("INTERNAL_SERVER_ERROR", "Internal server error.")


def unavailable() -> FakeApiError:
    """An injected outage: HTTP 503 in the ``code``/``message`` envelope."""
    return _plain("SERVICE_UNAVAILABLE", "API Service is unavailable. Please contact support.")
