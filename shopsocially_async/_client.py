"""``ShopSociallyClient``: configuration, the connection pool, and the one request path."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import attrs
import httpx

from ._config import (
    DEFAULT_KEEPALIVE_EXPIRY,
    DEFAULT_MAX_CONNECTIONS,
    ClientConfig,
    RetryPolicy,
    resolve_config,
    to_timeout,
)
from ._envelope import NOT_PLAIN, decode_envelope, plain_success_data
from ._protocol import (
    Call,
    build_request,
    wire_request,
)
from ._retry import call_with_retries
from ._transport import send_direct, send_once, to_response
from .errors import ClientClosedError, ConfigurationError
from .ratelimit import RateLimiter, check_rate_limiter, paced
from .resources import Activities, Points, Redemptions, Returns, Transactions, Users

if TYPE_CHECKING:
    from ._aiohttp import AiohttpTransport

__all__ = ["ShopSociallyClient"]

T = TypeVar("T")
#: ``transport=`` by name: httpx's own (the default) or the fast aiohttp one.
TransportName = Literal["httpx", "aiohttp"]


class _SharedPool:
    """The ``httpx.AsyncClient`` shared by a client and every ``with_options()`` copy."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        owned: bool,
        parent: _SharedPool | None = None,
        direct: AiohttpTransport | None = None,
        size: int | None = None,
    ) -> None:
        self.http = http
        #: How many connections the pool may open; None when the caller's transport decides.
        self.size = size
        #: Our own aiohttp transport, when we built the client: sent through directly.
        self.direct = direct
        self._owned = owned  # a borrowed client (or a copy's view) is not ours to close
        self._parent = parent
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed or (self._parent is not None and self._parent.closed)

    def borrow(self) -> _SharedPool:
        """A view for a copy: closing the view leaves the pool open; closing us closes both."""
        return _SharedPool(self.http, owned=False, parent=self, direct=self.direct, size=self.size)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._owned:
            await self.http.aclose()


class ShopSociallyClient:
    """Async client for the ShopSocially Loyalty API.

    >>> async with ShopSociallyClient(partner_id="...", api_key="...") as client:  # doctest: +SKIP
    ...     tx = await client.points.award(
    ...         user_email="bob@example.com", activity_id="made_a_purchase",
    ...         points_passed=120, order_id="A-1001",
    ...     )

    Credentials come from the arguments, else ``SHOPSOCIALLY_PARTNER_ID`` /
    ``SHOPSOCIALLY_API_KEY`` (and ``SHOPSOCIALLY_BASE_URL``). An ``auth`` hook (an
    ``httpx.Auth``) may replace the header pair. ``timeout`` is seconds or an
    ``httpx.Timeout`` (default 30 s, 5 s to connect). ``max_retries`` (default 2) bounds the
    retries of safe failures; ``retry_policy`` tunes their backoff. ``body_encoding="form"``
    sends write bodies as form fields instead of JSON.

    Pass ``transport`` (e.g. ``httpx.MockTransport``) or a whole ``http_client`` to control
    HTTP; a borrowed ``http_client`` is not closed by :meth:`aclose`. ``transport="aiohttp"``
    sends through aiohttp (the ``aiohttp`` extra; asyncio only): several times less CPU per
    request, with the same timeouts, errors and retries. ``max_connections`` sizes the pool
    (keep it at least your concurrency). ``rate_limiter`` (a
    :class:`~shopsocially_async.ratelimit.RateLimiter`) paces every attempt, retries and
    pages included, and hears of every 429; ``with_options()`` copies share it.
    """

    points: Points
    returns: Returns
    transactions: Transactions
    users: Users
    activities: Activities
    redemptions: Redemptions

    def __init__(
        self,
        partner_id: str | None = None,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        auth: httpx.Auth | None = None,
        body_encoding: str = "json",
        transport: httpx.AsyncBaseTransport | TransportName | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        limiter = check_rate_limiter(rate_limiter)
        if transport is not None and http_client is not None:
            raise ConfigurationError("pass either transport or http_client, not both")
        config = resolve_config(
            partner_id=partner_id,
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            retry=_retry_policy(retry_policy, max_retries),
            has_auth_hook=auth is not None,
            body_encoding=body_encoding,
        )
        if http_client is None:
            http, direct = _new_http_client(transport, max_connections)
            # A transport object of the caller's (mock, ASGI, ...) has its own limits, if any.
            size = None if isinstance(transport, httpx.AsyncBaseTransport) else max_connections
            pool = _SharedPool(http, owned=True, direct=direct, size=size)
        else:
            pool = _SharedPool(http_client, owned=False)
        self._setup(config, pool, auth, limiter)

    def _setup(
        self,
        config: ClientConfig,
        pool: _SharedPool,
        auth: httpx.Auth | None,
        rate_limiter: RateLimiter | None,
    ) -> None:
        self._config = config
        self._pool = pool
        self._auth = auth
        self._rate_limiter = rate_limiter
        self._closed = False
        self.points = Points(self)
        self.returns = Returns(self)
        self.transactions = Transactions(self)
        self.users = Users(self)
        self.activities = Activities(self)
        self.redemptions = Redemptions(self)

    @property
    def base_url(self) -> str:
        return self._config.base_url

    @property
    def max_connections(self) -> int | None:
        """The connection pool's size; None when your own ``http_client`` or ``transport``
        object decides it."""
        return self._pool.size

    @property
    def rate_limiter(self) -> RateLimiter | None:
        """What paces this client's requests (shared with its ``with_options()`` copies)."""
        return self._rate_limiter

    @property
    def max_retries(self) -> int:
        return self._config.retry.max_retries

    @property
    def timeout(self) -> httpx.Timeout:
        return self._config.timeout

    @property
    def is_closed(self) -> bool:
        return self._closed or self._pool.closed

    def __repr__(self) -> str:
        partner = self._config.credentials.partner_id if self._config.credentials else None
        return (
            f"ShopSociallyClient(base_url={self.base_url!r}, partner_id={partner!r}, "
            f"max_retries={self.max_retries}, closed={self.is_closed})"
        )

    def with_options(
        self,
        *,
        max_retries: int | None = None,
        timeout: float | httpx.Timeout | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> ShopSociallyClient:
        """A copy with other retry or timeout settings, sharing this client's connection pool.

        Closing the copy leaves the pool open; closing the original closes it for both.
        """
        retry = _retry_policy(retry_policy or self._config.retry, max_retries)
        config = attrs.evolve(
            self._config,
            retry=retry,
            timeout=self._config.timeout if timeout is None else to_timeout(timeout),
        )
        copy = object.__new__(ShopSociallyClient)
        copy._setup(config, self._pool.borrow(), self._auth, self._rate_limiter)
        return copy

    async def aclose(self) -> None:
        """Close the client (and its pool, if it owns one). Calling it again does nothing."""
        self._closed = True
        await self._pool.close()

    async def __aenter__(self) -> ShopSociallyClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _request(self, call: Call, decode: Callable[[Any], T]) -> T:
        """Send ``call`` with retries and decode its ``data``: the one path every endpoint takes."""
        if self.is_closed:
            raise ClientClosedError(
                "this ShopSociallyClient is closed; create a new one (or use it inside "
                "`async with`)"
            )
        http, auth = self._pool.http, self._auth
        if auth is None and self._pool.direct is not None:
            return await self._request_direct(call, decode, http, self._pool.direct)
        request = build_request(self._config, call)

        async def attempt(number: int) -> T:
            response = await send_once(http, request, auth=auth, attempt=number)
            data = decode_envelope(
                response.status_code, response.headers, response.content, response
            )
            return decode(data)

        return await call_with_retries(
            paced(self._rate_limiter, call.route, attempt),
            policy=self._config.retry,
            safety=call.safety,
            is_write=call.is_write,
            route=call.route,
        )

    async def _request_direct(
        self,
        call: Call,
        decode: Callable[[Any], T],
        http: httpx.AsyncClient,
        transport: AiohttpTransport,
    ) -> T:
        """:meth:`_request` through our own aiohttp transport, on a client we built (no auth
        hook, no event hooks): the same bytes on the wire, the same errors, retries and logs,
        but the ``httpx.Request`` and ``httpx.Response`` are built only when an error (or a DEBUG
        log line) needs them, about 50 us of CPU per call saved.
        """
        config = self._config
        wire = wire_request(config, call)
        built: httpx.Request | None = None

        def request() -> httpx.Request:
            nonlocal built
            if built is None:
                built = build_request(config, call)
            return built

        async def attempt(number: int) -> T:
            exchange = await send_direct(
                http, transport, wire, request, timeout=config.timeout, attempt=number
            )
            data = plain_success_data(exchange.status, exchange.body)
            if data is NOT_PLAIN:
                response = to_response(exchange, request())
                data = decode_envelope(
                    response.status_code, response.headers, response.content, response
                )
            return decode(data)

        return await call_with_retries(
            paced(self._rate_limiter, call.route, attempt),
            policy=config.retry,
            safety=call.safety,
            is_write=call.is_write,
            route=call.route,
        )


def _retry_policy(policy: RetryPolicy | None, max_retries: int | None) -> RetryPolicy:
    policy = policy or RetryPolicy()
    return policy if max_retries is None else attrs.evolve(policy, max_retries=max_retries)


def _new_http_client(
    transport: httpx.AsyncBaseTransport | str | None, max_connections: int
) -> tuple[httpx.AsyncClient, AiohttpTransport | None]:
    """The pool, and the transport to send through directly (the aiohttp one) if any."""
    if isinstance(max_connections, bool) or not isinstance(max_connections, int):
        raise ConfigurationError(f"max_connections must be a whole number, got {max_connections!r}")
    if max_connections < 1:
        raise ConfigurationError(f"max_connections must be at least 1, got {max_connections}")
    # Keep as many idle connections as may be busy at once: httpx's default of 20 makes a
    # client at concurrency 64 open and close hundreds of connections per run.
    limits = httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_connections,
        keepalive_expiry=DEFAULT_KEEPALIVE_EXPIRY,
    )
    direct = None
    if isinstance(transport, str):
        transport = direct = _named_transport(transport, limits)
    http = httpx.AsyncClient(transport=transport, limits=limits, follow_redirects=False)
    return http, direct


def _named_transport(name: str, limits: httpx.Limits) -> AiohttpTransport | None:
    if name == "httpx":
        return None  # httpx builds its own, with these limits
    if name != "aiohttp":
        raise ConfigurationError(f"transport must be 'httpx' or 'aiohttp', got {name!r}")
    try:
        from ._aiohttp import AiohttpTransport, check_asyncio
    except ImportError:
        raise ConfigurationError(
            "transport='aiohttp' needs aiohttp: pip install 'shopsocially-async[aiohttp]'"
        ) from None
    check_asyncio()
    return AiohttpTransport(limits=limits)
