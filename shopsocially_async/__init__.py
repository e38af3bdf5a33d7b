"""Async client for the ShopSocially (Zinrelo) Loyalty API.

>>> from shopsocially_async import ShopSociallyClient, bulk, errors
>>> from shopsocially_async.sync import SyncShopSociallyClient  # for blocking code
"""

from __future__ import annotations

from . import bulk, engines, errors, models, ratelimit, resources, sync
from ._client import AuthHeaders, ShopSociallyClient
from ._config import (
    DEFAULT_BASE_URL,
    DEFAULT_DEADLINE,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    RetryEvent,
    RetryPolicy,
    Timeout,
)
from ._envelope import parse_retry_after
from ._hooks import AttemptInfo, AttemptResult, CallInfo, CallResult, Hooks, RetryInfo
from ._http import Headers, RequestInfo, ResponseInfo
from ._pagination import AsyncPaginator
from ._params import FILTER_BY_VALUES, POINTS_STATUS_VALUES
from ._raw import RawPages, RawResponse
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    AwardLimitError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    ConflictError,
    DuplicateOrderError,
    InsufficientPointsError,
    InvalidArgumentError,
    MemberNotFoundError,
    MemberStateError,
    NotFoundError,
    OrderNotFoundError,
    PaginationError,
    PausedActivityError,
    RateLimitError,
    RateLimiterUnavailableError,
    ResponseValidationError,
    RewardUnavailableError,
    ServerError,
    ShopSociallyError,
    SyncUsageError,
    TransactionNotFoundError,
)
from .models import (
    Activity,
    ExpirationScheduleEntry,
    LastAwardTransaction,
    Page,
    Redemption,
    Transaction,
    User,
)

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "FILTER_BY_VALUES",
    "POINTS_STATUS_VALUES",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "Activity",
    "AsyncPaginator",
    "AttemptInfo",
    "AttemptResult",
    "AuthHeaders",
    "AuthenticationError",
    "AwardLimitError",
    "BadRequestError",
    "CallInfo",
    "CallResult",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "DuplicateOrderError",
    "ExpirationScheduleEntry",
    "Headers",
    "Hooks",
    "InsufficientPointsError",
    "InvalidArgumentError",
    "LastAwardTransaction",
    "MemberNotFoundError",
    "MemberStateError",
    "NotFoundError",
    "OrderNotFoundError",
    "Page",
    "PaginationError",
    "PausedActivityError",
    "RateLimitError",
    "RateLimiterUnavailableError",
    "RawPages",
    "RawResponse",
    "Redemption",
    "RequestInfo",
    "ResponseInfo",
    "ResponseValidationError",
    "RetryEvent",
    "RetryInfo",
    "RetryPolicy",
    "RewardUnavailableError",
    "ServerError",
    "ShopSociallyClient",
    "ShopSociallyError",
    "SyncUsageError",
    "Timeout",
    "Transaction",
    "TransactionNotFoundError",
    "User",
    "__version__",
    "bulk",
    "engines",
    "errors",
    "models",
    "parse_retry_after",
    "ratelimit",
    "resources",
    "sync",
]
