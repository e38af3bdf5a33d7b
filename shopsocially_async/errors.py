"""Every exception the library raises, in one tree.

::

    ShopSociallyError                      base of everything below; has ``outcome_unknown``
    ├── InvalidArgumentError (ValueError)  bad input, refused before anything is sent
    ├── ConfigurationError (ValueError)    bad or missing credentials / base URL at construction
    ├── ClientClosedError (RuntimeError)   the client (or the pool it shares) was closed
    ├── SyncUsageError (RuntimeError)      the blocking client used where it would deadlock
    ├── RateLimiterUnavailableError        a shared rate limiter is unreachable (nothing sent)
    ├── PaginationError                    the server's cursor did not advance
    ├── ResponseValidationError            a body that is not JSON or does not fit the model
    ├── APIConnectionError                 the request failed on the way (DNS, refused, reset, ...)
    │   └── APITimeoutError                connect, read, write or pool timeout
    └── APIError                           the API answered with a failure envelope or status
        ├── BadRequestError                HTTP 400 (and 422)
        ├── AuthenticationError            HTTP 401/403, ERROR_UNAUTHORIZED
        ├── NotFoundError                  HTTP 404
        │   ├── MemberNotFoundError        INVALID_MEMBER, INCORRECT_MEMBER_ID_PASSED,
        │   │                              MEMBER_DELETED
        │   ├── TransactionNotFoundError   TRANSACTION_DOES_NOT_EXIST
        │   └── OrderNotFoundError         ORDER_NOT_EXIST
        ├── RateLimitError                 HTTP 429, RATE_LIMIT_EXCEEDED; has ``retry_after``
        ├── ServerError                    HTTP 5xx, INTERNAL_SERVER_ERROR, SERVICE_UNAVAILABLE
        ├── InsufficientPointsError        INSUFFICIENT_REDEEMABLE_POINTS, INVALID_AMOUNT_TO_DEDUCT,
        │                                  RETURN_VALUE_EXCEEDS_AVAILABLE_BALANCE
        ├── DuplicateOrderError            DUPLICATE_ORDER_ID; has ``replay``
        ├── AwardLimitError                MAX_AWARDS_EXCEEDED, EXCLUDED_TRANSACTION
        ├── PausedActivityError            PAUSED_ACTIVITY
        ├── RewardUnavailableError         INACTIVE_REWARD, MAX_REWARDS_EXCEEDED,
        │                                  AUTO_REDEEMABLE_REWARD, INVALID_REWARD_FOR_TIER,
        │                                  INVALID_REWARD_FOR_USER
        ├── MemberStateError               MEMBER_BLOCKED, INVALID_MEMBER_STATUS, STORE_INACTIVE
        └── ConflictError                  MEMBER_ID_ALREADY_IN_USE, ATTRIBUTE_NOT_UNIQUE,
                                           TRANSACTION_ATTRIBUTE_NOT_UNIQUE

A known ``error_code`` picks its domain class; otherwise the HTTP status picks the class; a
failure body on HTTP 200 with an unknown code is a plain :class:`APIError`.

``outcome_unknown`` is True only when the call was a write and some attempt may have reached
the server without a definitive answer (a read timeout, a dropped connection, a 5xx, an
undecodable success). Then the points may or may not have moved: reconcile before repeating.
It is False for every read and for writes that certainly did not apply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from ._http import Headers, RequestInfo, ResponseInfo

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "AwardLimitError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "DuplicateOrderError",
    "InsufficientPointsError",
    "InvalidArgumentError",
    "MemberNotFoundError",
    "MemberStateError",
    "NotFoundError",
    "OrderNotFoundError",
    "PaginationError",
    "PausedActivityError",
    "RateLimitError",
    "RateLimiterUnavailableError",
    "ResponseValidationError",
    "RewardUnavailableError",
    "ServerError",
    "ShopSociallyError",
    "SyncUsageError",
    "TransactionNotFoundError",
]


class ShopSociallyError(Exception):
    """Base class of every error raised by ``shopsocially_async``."""

    #: True when a write may have been applied although the call failed (see module docs).
    outcome_unknown: bool = False

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle as cls(*args), which our keyword-only fields do not survive:
        # rebuild from the message and every attribute instead (for process pools, task
        # queues), outcome_unknown included.
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(
    cls: type[ShopSociallyError], args: tuple[Any, ...], state: dict[str, Any]
) -> ShopSociallyError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class InvalidArgumentError(ShopSociallyError, ValueError):
    """An argument was refused before any request was sent; the message names it."""


class ConfigurationError(ShopSociallyError, ValueError):
    """The client cannot be built: missing or malformed credentials, or an unsafe base URL."""


class ClientClosedError(ShopSociallyError, RuntimeError):
    """The client (or the pool it shares) was closed: before the call, or while it ran.

    ``request_sent`` is True when the call was in flight when the client closed and its
    request may have reached the server (then a write's ``outcome_unknown`` is True).
    """

    def __init__(self, message: str, *, request_sent: bool = False) -> None:
        super().__init__(message)
        self.request_sent = request_sent


class SyncUsageError(ShopSociallyError, RuntimeError):
    """A blocking client was used where it would stall, deadlock or corrupt something: inside
    a running event loop, in a forked child, or one iterator advanced by two threads at once.
    """


class RateLimiterUnavailableError(ShopSociallyError):
    """A shared rate limiter could not be reached and its policy is to fail: nothing was sent
    by the attempt that needed it (``outcome_unknown`` stays False unless an earlier attempt
    of the same call may have applied)."""


class PaginationError(ShopSociallyError):
    """The server returned a cursor that does not advance; stopping instead of looping forever."""


class ResponseValidationError(ShopSociallyError):
    """The response body is not JSON, or a field does not have the type the model needs.

    ``path`` is a JSONPath-like location such as ``$.data.transactions[3].points``.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        value: object = None,
        response: ResponseInfo | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.value = value
        self.response = response


class APIConnectionError(ShopSociallyError):
    """The HTTP exchange failed before a complete response arrived.

    ``request_sent`` is False when the request certainly never reached the server
    (connection refused, connect or pool timeout): only then is a non-idempotent write
    safe to repeat. ``request`` shows what was sent (secret headers masked).
    """

    def __init__(self, message: str, *, request: RequestInfo, request_sent: bool) -> None:
        super().__init__(message)
        self.request = request
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError):
    """The attempt ran out of time: connecting, waiting for a connection, or the whole
    exchange exceeding its timeout (however slowly the server sent its answer)."""


class APIError(ShopSociallyError):
    """The API answered with a failure: a non-2xx status or a ``success: false`` envelope.

    ``response`` shows the answer (status, headers, body bytes) and the request it answered,
    secrets masked; ``body`` is the parsed JSON document, if it was JSON.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        error_code: str | None = None,
        response: ResponseInfo | None = None,
        body: object = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.error_code = error_code
        self.response = response
        self.body = body

    @property
    def headers(self) -> Headers | None:
        """The response's headers, if a response arrived."""
        return None if self.response is None else self.response.headers

    def __str__(self) -> str:
        code = f" {self.error_code}" if self.error_code else ""
        return f"HTTP {self.status_code}{code}: {self.message}"


class BadRequestError(APIError):
    """HTTP 400: missing parameters, unexpected date format, invalid values."""


class AuthenticationError(APIError):
    """HTTP 401/403: the partner id or API key is missing or wrong."""


class NotFoundError(APIError):
    """HTTP 404, or a code saying the resource does not exist."""


class MemberNotFoundError(NotFoundError):
    """No loyalty member with that email or id."""


class TransactionNotFoundError(NotFoundError):
    """No transaction with that id."""


class OrderNotFoundError(NotFoundError):
    """A return names an order that was never awarded."""


class RateLimitError(APIError):
    """HTTP 429: slow down. ``retry_after`` is the server's hint in seconds, if it gave one."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ServerError(APIError):
    """HTTP 5xx: the API failed. For a write the outcome is unknown."""


class InsufficientPointsError(APIError):
    """The member's balance does not cover the redeem, deduction or return."""


class DuplicateOrderError(APIError):
    """Points were already awarded for this ``order_id``.

    ``replay`` is True when an earlier attempt *of this same call* may have reached the
    server: the duplicate is our own retry meeting the award it already made, so the
    points were awarded exactly once. ``replay`` is False when the very first answer was
    the duplicate: someone awarded this order before this call.
    """

    replay: bool = False


class AwardLimitError(APIError):
    """The activity's award limit was reached, or an exclusion rule refused the award."""


class PausedActivityError(APIError):
    """The activity is paused."""


class RewardUnavailableError(APIError):
    """The redemption option is inactive, exhausted or not available to this member."""


class MemberStateError(APIError):
    """The member (or the store) is blocked or in a state that refuses the operation."""


class ConflictError(APIError):
    """A unique attribute (member id, email, transaction attribute) is already in use."""
