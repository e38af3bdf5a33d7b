"""The failures the fake answers with, each carrying its HTTP status and its exact body.

The real API uses three envelopes, and so does the fake:

* ``{"success": false, "error_code": CODE, "reason": TEXT}``: business errors (HTTP 200),
  invalid parameter values (400), malformed bodies (400), authentication (401), a missing
  transaction (404) and rate limiting (429);
* ``{"error": {"success": false, "reason": TEXT}}``, the older one: missing parameters and
  dates in the wrong format (400);
* ``{"code": CODE, "message": TEXT}``: unknown routes, activities and redemptions (404),
  server errors (500) and unavailability (503).

The rule for 200 versus 400: a value that cannot be right whatever the program holds
(``points_passed=abc``, a negative amount, an unknown ``activity_type``) is a 400; a value that is
wrong only against the program's state (an unknown ``activity_id`` in an award body, a returned
amount larger than what is left of the order) is a business error with HTTP 200.
"""

from __future__ import annotations

from collections.abc import Iterable

JsonObject = dict[str, object]


class FakeApiError(Exception):
    """A request the fake refuses: ``status`` and ``body`` are exactly what goes on the wire."""

    def __init__(self, status: int, code: str, body: JsonObject) -> None:
        super().__init__(f"{status} {code}: {body}")
        self.status = status
        self.code = code
        self.body = body


def _coded(status: int, code: str, reason: str) -> FakeApiError:
    return FakeApiError(status, code, {"success": False, "error_code": code, "reason": reason})


def business_error(code: str, reason: str) -> FakeApiError:
    """A refusal of the loyalty rules: HTTP 200 with ``success: false``."""
    return _coded(200, code, reason)


def invalid_value(reason: str) -> FakeApiError:
    """A parameter value that can never be valid: HTTP 400 INVALID_REQUEST_PARAMETER_VALUES."""
    return _coded(400, "INVALID_REQUEST_PARAMETER_VALUES", reason)


def unknown_reference(reason: str) -> FakeApiError:
    """A body names an activity or redemption that does not exist: HTTP 200, same code."""
    return _coded(200, "INVALID_REQUEST_PARAMETER_VALUES", reason)


def _older(code: str, reason: str) -> FakeApiError:
    return FakeApiError(400, code, {"error": {"success": False, "reason": reason}})


def missing_parameters(names: Iterable[str]) -> FakeApiError:
    """Required parameters absent: HTTP 400 in the older envelope, names in the documented order."""
    return _older("MISSING_PARAMETERS", "Missing parameters: " + ", ".join(names))


def bad_date_format(name: str, expected: str) -> FakeApiError:
    """A date parameter not in the endpoint's format: HTTP 400 in the older envelope."""
    return _older("BAD_DATE_FORMAT", f"Unexpected date format for {name}: expected {expected}")


def not_found(message: str) -> FakeApiError:
    """An unknown route, activity or redemption: HTTP 404 in the ``code``/``message`` envelope."""
    return FakeApiError(404, "NOT_FOUND", {"code": "NOT_FOUND", "message": message})


def transaction_not_found() -> FakeApiError:
    """An unknown transaction id: HTTP 404 TRANSACTION_DOES_NOT_EXIST."""
    return _coded(404, "TRANSACTION_DOES_NOT_EXIST", "Transaction does not exist.")


def invalid_json(detail: str) -> FakeApiError:
    """A JSON body that does not parse (or is not an object): HTTP 400 INVALID_JSON."""
    return _coded(400, "INVALID_JSON", f"Invalid JSON format: {detail}")


def unsupported_content_type(content_type: str) -> FakeApiError:
    """A write body in a format the API does not read: HTTP 400 INVALID_REQUEST."""
    return _coded(
        400, "INVALID_REQUEST", f"Invalid request: unsupported Content-Type [{content_type}]."
    )


def unauthorized(reason: str) -> FakeApiError:
    """Missing or wrong ``partner-id``/``api-key``: HTTP 401 ERROR_UNAUTHORIZED."""
    return _coded(401, "ERROR_UNAUTHORIZED", reason)


def rate_limited(retry_after: str) -> FakeApiError:
    """An injected rate limit: HTTP 429 RATE_LIMIT_EXCEEDED (the caller adds Retry-After)."""
    return _coded(
        429, "RATE_LIMIT_EXCEEDED", f"Rate limit exceeded. Retry after {retry_after} seconds."
    )


def server_error() -> FakeApiError:
    """An injected server failure: HTTP 500 in the ``code``/``message`` envelope."""
    body: JsonObject = {"code": "INTERNAL_SERVER_ERROR", "message": "Internal server error."}
    return FakeApiError(500, "INTERNAL_SERVER_ERROR", body)


def unavailable() -> FakeApiError:
    """An injected outage: HTTP 503 in the ``code``/``message`` envelope."""
    message = "API Service is unavailable. Please contact support."
    return FakeApiError(
        503, "SERVICE_UNAVAILABLE", {"code": "SERVICE_UNAVAILABLE", "message": message}
    )
