"""Frozen client settings: base URL, credentials, timeouts, retry policy; env lookup.

Everything here is validated once, at construction, so a bad setting fails before any
request is sent and never half-way through a batch.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

import attrs

from ._body import DEFAULT_MAX_RESPONSE_BYTES
from .errors import ConfigurationError

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "ClientConfig",
    "Credentials",
    "RetryEvent",
    "RetryPolicy",
    "Timeout",
]

DEFAULT_BASE_URL = "https://api.shopsocially.com/v2/loyalty"
DEFAULT_MAX_RETRIES = 2
#: Seconds a whole call may take, retries and their waits included.
DEFAULT_DEADLINE = 60.0
DEFAULT_MAX_CONNECTIONS = 100
# Below uvicorn's and most servers' 5 s idle timeout: a connection the server is closing must
# never be reused, or a write fails with "Server disconnected" and becomes outcome_unknown.
DEFAULT_KEEPALIVE_EXPIRY = 4.0

ENV_PARTNER_ID = "SHOPSOCIALLY_PARTNER_ID"
ENV_API_KEY = "SHOPSOCIALLY_API_KEY"
ENV_BASE_URL = "SHOPSOCIALLY_BASE_URL"

BodyEncoding = Literal["json", "form"]

# Visible ASCII with inner spaces: what an HTTP header value may safely carry.
_HEADER_SAFE = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")


def _positive_seconds(name: str) -> Callable[[Any, Any, Any], None]:
    def check(_: object, __: object, value: object) -> None:
        if not _is_positive_number(value):
            raise ConfigurationError(f"{name} must be a positive number of seconds, got {value!r}")

    return check


#: The longest timeout or deadline accepted: a year (past that, a number is a mistake, and
#: 10**30 would overflow the clock arithmetic).
MAX_SECONDS = 365 * 24 * 3600


def _is_positive_number(value: object) -> bool:
    """A positive, finite number of seconds, at most :data:`MAX_SECONDS`."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    # `not value > 0` rather than `value <= 0`: NaN compares false both ways.
    return 0 < value <= MAX_SECONDS and math.isfinite(value)


@attrs.frozen
class Timeout:
    """Time limits of one attempt, in seconds.

    ``attempt`` bounds the whole exchange end to end: waiting for a connection, connecting,
    sending, and reading every byte of the answer, however slowly the server sends it.
    ``connect`` bounds opening a connection (a connect timeout is "certainly not sent", so
    even a write is retried after it). The whole call, retries included, is bounded by the
    client's ``deadline``.
    """

    attempt: float = attrs.field(default=30.0, validator=_positive_seconds("timeout"))
    connect: float = attrs.field(default=5.0, validator=_positive_seconds("connect timeout"))


DEFAULT_TIMEOUT = Timeout()


@attrs.frozen
class RetryEvent:
    """A retry about to happen: passed to ``RetryPolicy.on_retry`` before the backoff sleep.

    ``attempt`` is the number of the attempt about to be made (2 for the first retry),
    ``error`` the failure that caused it, ``delay`` the seconds about to be slept.
    """

    route: str
    attempt: int
    error: BaseException
    delay: float


@attrs.frozen
class RetryPolicy:
    """How failed calls are retried. Which failures are retryable depends on the call.

    ``initial_delay`` and ``max_delay`` shape the exponential backoff (with jitter);
    ``max_retry_after`` caps how long a server's ``Retry-After`` may make us wait.
    ``RetryPolicy(max_retries=3, initial_delay=0, max_delay=0)`` retries without sleeping,
    which is what tests want. ``on_retry``, if given, is called with a :class:`RetryEvent`
    before each retry (e.g. to count retries); it must be quick. Like a hook's (see
    :class:`~.Hooks`), an exception it raises is logged and dropped: the call goes on.
    """

    max_retries: int = attrs.field(default=DEFAULT_MAX_RETRIES)
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    on_retry: Callable[[RetryEvent], None] | None = attrs.field(
        default=None, eq=False, repr=False, kw_only=True
    )

    @max_retries.validator
    def _check_max_retries(self, _: object, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigurationError(f"max_retries must be a whole number >= 0, got {value!r}")


@attrs.frozen(repr=False)
class Credentials:
    """The ``partner-id`` / ``api-key`` header pair. The key is never shown."""

    partner_id: str
    api_key: str

    def __repr__(self) -> str:
        return f"Credentials(partner_id={self.partner_id!r}, api_key='***')"

    def headers(self) -> dict[str, str]:
        return {"partner-id": self.partner_id, "api-key": self.api_key}


@attrs.frozen
class ClientConfig:
    """Everything a client needs to build and send requests, validated."""

    base_url: str
    credentials: Credentials | None
    timeout: Timeout
    retry: RetryPolicy
    body_encoding: BodyEncoding = "json"
    #: Seconds a whole call may take, retries and their waits included (None: no bound).
    deadline: float | None = DEFAULT_DEADLINE
    #: The largest response body accepted, counted after decompression.
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    #: Log full request paths (they may hold member emails) instead of route templates.
    log_paths: bool = False


def resolve_config(
    *,
    partner_id: str | None,
    api_key: str | None,
    base_url: str | None,
    timeout: float | Timeout | None,
    retry: RetryPolicy,
    has_auth_hook: bool,
    body_encoding: str,
    deadline: float | None = DEFAULT_DEADLINE,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    log_paths: bool = False,
    environ: Mapping[str, str] | None = None,
) -> ClientConfig:
    """Merge arguments with the environment and validate them all."""
    env = os.environ if environ is None else environ
    url = base_url or env.get(ENV_BASE_URL) or DEFAULT_BASE_URL
    if has_auth_hook:
        # The hook replaces the header pair: environment credentials are not sent with it.
        credentials = _resolve_credentials(partner_id, api_key, required=False)
    else:
        credentials = _resolve_credentials(
            partner_id or env.get(ENV_PARTNER_ID), api_key or env.get(ENV_API_KEY), required=True
        )
    if body_encoding not in ("json", "form"):
        raise ConfigurationError(f"body_encoding must be 'json' or 'form', got {body_encoding!r}")
    return ClientConfig(
        base_url=check_base_url(url),
        credentials=credentials,
        timeout=to_timeout(timeout),
        retry=retry,
        body_encoding=body_encoding,  # type: ignore[arg-type]
        deadline=check_deadline(deadline),
        max_response_bytes=check_max_response_bytes(max_response_bytes),
        log_paths=bool(log_paths),
    )


def _resolve_credentials(
    partner_id: str | None, api_key: str | None, *, required: bool
) -> Credentials | None:
    if partner_id is None and api_key is None and not required:
        return None
    missing = [
        f"{name} (argument or ${env})"
        for name, env, value in (
            ("partner_id", ENV_PARTNER_ID, partner_id),
            ("api_key", ENV_API_KEY, api_key),
        )
        if not value
    ]
    if missing:
        raise ConfigurationError("missing credentials: " + ", ".join(missing))
    _check_header_value("partner_id", partner_id)
    _check_header_value("api_key", api_key)
    return Credentials(partner_id=str(partner_id), api_key=str(api_key))


def _check_header_value(name: str, value: object) -> None:
    # The value itself is never echoed: for the API key that would leak the secret.
    if not isinstance(value, str) or _HEADER_SAFE.fullmatch(value) is None:
        raise ConfigurationError(
            f"{name} contains characters that cannot go in an HTTP header "
            "(only visible ASCII is allowed: no CR/LF, control or non-ASCII characters, "
            "no leading or trailing spaces)"
        )


def check_base_url(url: str) -> str:
    """Refuse anything but https, except plain http to a loopback host (the embedded server)."""
    if not isinstance(url, str) or not _VISIBLE_ASCII.fullmatch(url):
        raise ConfigurationError(f"base_url must be a URL of visible ASCII characters, got {url!r}")
    try:
        parsed = urlsplit(url)
        host = parsed.hostname or ""
        parsed.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError as exc:
        raise ConfigurationError(f"base_url is not a valid URL: {url!r} ({exc})") from None
    if parsed.scheme not in ("http", "https") or not host:
        raise ConfigurationError(f"base_url must be an http(s) URL with a host, got {url!r}")
    if parsed.scheme == "http" and not is_loopback_host(host):
        raise ConfigurationError(
            f"base_url {url!r} uses plain http to a non-loopback host; credentials would travel "
            "in clear text. Use https (http is allowed for localhost, 127.0.0.0/8 and ::1 only)"
        )
    if parsed.query or parsed.fragment or parsed.username or parsed.password:
        raise ConfigurationError(
            f"base_url must not carry a query, fragment or credentials, got {url!r}"
        )
    return url.rstrip("/")


def is_loopback_host(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ``::1``."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def to_timeout(timeout: float | Timeout | None) -> Timeout:
    """Seconds (per attempt) or a :class:`Timeout`; None means the default (30 s, 5 s to
    connect). A number below the default connect timeout also bounds connecting."""
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, Timeout):
        return timeout
    if not _is_positive_number(timeout):
        raise ConfigurationError(
            "timeout must be a positive number of seconds or a shopsocially_async.Timeout, "
            f"got {timeout!r}"
        )
    seconds = float(timeout)
    return Timeout(attempt=seconds, connect=min(seconds, DEFAULT_TIMEOUT.connect))


def check_deadline(deadline: object) -> float | None:
    """A positive number of seconds, or None for no bound on a whole call."""
    if deadline is None:
        return None
    if not _is_positive_number(deadline):
        raise ConfigurationError(
            f"deadline must be a positive number of seconds or None, got {deadline!r}"
        )
    return float(deadline)  # type: ignore[arg-type]


def check_max_response_bytes(limit: object) -> int:
    """A whole number of bytes, at least 1 KiB."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1024:
        raise ConfigurationError(
            f"max_response_bytes must be a whole number of bytes >= 1024, got {limit!r}"
        )
    return limit


def retry_policy_with(policy: RetryPolicy | None, max_retries: int | None) -> RetryPolicy:
    """``policy`` (or the default one) with ``max_retries`` if given."""
    policy = policy or RetryPolicy()
    return policy if max_retries is None else attrs.evolve(policy, max_retries=max_retries)


def check_pool_size(max_connections: object) -> int:
    """A whole number of connections, at least 1."""
    if isinstance(max_connections, bool) or not isinstance(max_connections, int):
        raise ConfigurationError(f"max_connections must be a whole number, got {max_connections!r}")
    if max_connections < 1:
        raise ConfigurationError(f"max_connections must be at least 1, got {max_connections}")
    return max_connections
