"""``ShopSociallyClient``: configuration, the engine, and the one request path."""

from __future__ import annotations

import functools
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeAlias, TypeVar
from urllib.parse import urlsplit

import anyio
import attrs
import httpx

from ._body import BodyError
from ._config import (
    DEFAULT_DEADLINE,
    DEFAULT_KEEPALIVE_EXPIRY,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RESPONSE_BYTES,
    ClientConfig,
    RetryPolicy,
    Timeout,
    check_deadline,
    check_pool_size,
    resolve_config,
    retry_policy_with,
    to_timeout,
)
from ._envelope import decode_envelope
from ._extras import header_pairs
from ._hooks import Hooks, HookSet
from ._http import Request, RequestInfo
from ._observed import CallRecord, Server
from ._outcomes import body_error, decoded, in_time, send_error
from ._protocol import Call, build_request
from ._raw import RawResponse
from ._retry import call_with_retries
from .engines import Engine, EngineName, SendFailure, Timeouts, create_engine
from .errors import (
    ClientClosedError,
    ConfigurationError,
)
from .ratelimit import RateLimiter, check_rate_limiter, paced
from .resources import Activities, Points, RawResources, Redemptions, Returns, Transactions, Users

__all__ = ["AuthHeaders", "ShopSociallyClient"]

T = TypeVar("T")
logger = logging.getLogger("shopsocially_async")

#: A cross-engine auth hook: called before every attempt with the request's (masked) view,
#: returns the headers to add, e.g. ``{"Authorization": f"Bearer {token}"}``; may be async.
AuthHeaders: TypeAlias = Callable[[RequestInfo], "Mapping[str, str] | Awaitable[Mapping[str, str]]"]

_UNSET: Any = object()
#: Headers an auth hook may not set: they describe the body and the connection.
_AUTH_RESERVED = frozenset({"host", "content-length", "transfer-encoding", "content-type"})


class ShopSociallyClient:
    """Async client for the ShopSocially Loyalty API.

    >>> async with ShopSociallyClient(partner_id="...", api_key="...") as client:  # doctest: +SKIP
    ...     tx = await client.points.award(
    ...         user_email="bob@example.com", activity_id="made_a_purchase",
    ...         points_passed=120, order_id="A-1001",
    ...     )

    Credentials come from the arguments, else ``SHOPSOCIALLY_PARTNER_ID`` /
    ``SHOPSOCIALLY_API_KEY`` (and ``SHOPSOCIALLY_BASE_URL``). ``auth`` may replace the
    header pair: a function returning headers per attempt (every engine), or an
    ``httpx.Auth`` (the httpx engine).

    ``timeout`` bounds each attempt end to end (seconds, or a :class:`Timeout` with its own
    connect limit; default 30 s, 5 s to connect); ``deadline`` bounds a whole call, retries
    and their waits included (default 60 s; None for no bound). ``max_retries`` (default 2)
    bounds the retries of safe failures; ``retry_policy`` tunes their backoff.
    ``max_response_bytes`` refuses larger bodies (counted after decompression).
    ``body_encoding="form"`` sends write bodies as form fields instead of JSON.

    ``transport`` picks the engine: ``"httpx"`` (the default), ``"aiohttp"`` (asyncio, the
    ``aiohttp`` extra), ``"pyqwest"`` (asyncio and trio, the ``pyqwest`` extra), ``"auto"``
    (the fastest installed for the running event loop), or an
    ``httpx.AsyncBaseTransport`` (e.g. ``httpx.MockTransport``). ``http_client`` sends through
    your own ``httpx.AsyncClient`` (:meth:`aclose` leaves it open). ``max_connections`` sizes
    the pool (keep it at least your concurrency). ``rate_limiter`` paces every attempt (see
    :mod:`shopsocially_async.ratelimit`). ``hooks`` (a :class:`Hooks`, or several in a list)
    are called around every call and attempt, e.g. ``hooks=otel_hooks()`` for OpenTelemetry
    spans. ``log_paths=True`` logs full paths (they may hold member emails) instead of route
    templates, and shows them to hooks.

    ``client.with_raw_response`` has the same resources and methods, returning each call's
    :class:`RawResponse` (status, headers, body, retries; ``.parse()`` for the result).
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
        timeout: float | Timeout | None = None,
        deadline: float | None = DEFAULT_DEADLINE,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        auth: httpx.Auth | AuthHeaders | None = None,
        body_encoding: str = "json",
        transport: httpx.AsyncBaseTransport | EngineName | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        rate_limiter: RateLimiter | None = None,
        hooks: Hooks | Sequence[Hooks] | None = None,
        log_paths: bool = False,
    ) -> None:
        if transport is not None and http_client is not None:
            raise ConfigurationError("pass either transport or http_client, not both")
        config = resolve_config(
            partner_id=partner_id,
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            retry=retry_policy_with(retry_policy, max_retries),
            has_auth_hook=auth is not None,
            body_encoding=body_encoding,
            deadline=deadline,
            max_response_bytes=max_response_bytes,
            log_paths=log_paths,
        )
        engine = create_engine(
            transport,
            http_client=http_client,
            max_connections=check_pool_size(max_connections),
            keepalive_expiry=DEFAULT_KEEPALIVE_EXPIRY,
            httpx_auth=auth if isinstance(auth, httpx.Auth) else None,
            connect_timeout=config.timeout.connect,
        )
        header_auth = None if auth is None or isinstance(auth, httpx.Auth) else auth
        if header_auth is not None and not callable(header_auth):
            raise ConfigurationError(
                "auth must be a function returning headers or an httpx.Auth, "
                f"got {type(auth).__name__}"
            )
        limiter = check_rate_limiter(rate_limiter)
        self._setup(
            config, engine, owns_engine=True, auth=header_auth, limiter=limiter,
            hooks=HookSet.of(hooks),
        )  # fmt: skip

    def _setup(
        self,
        config: ClientConfig,
        engine: Engine,
        *,
        owns_engine: bool,
        auth: AuthHeaders | None,
        limiter: RateLimiter | None,
        hooks: HookSet | None,
    ) -> None:
        self._config = config
        self._engine = engine
        self._owns_engine = owns_engine  # a with_options() copy leaves the engine open
        self._auth = auth
        self._limiter = limiter
        self._hooks = hooks
        self._server = Server(config.base_url)
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
    def engine(self) -> str:
        """The engine's name: ``"httpx"``, ``"aiohttp"``, ``"pyqwest"`` or ``"auto"``."""
        return self._engine.name

    @property
    def max_connections(self) -> int | None:
        """The connection pool's size; None when your own ``http_client`` or ``transport``
        object decides it."""
        return self._engine.max_connections

    @property
    def max_retries(self) -> int:
        return self._config.retry.max_retries

    @property
    def timeout(self) -> Timeout:
        return self._config.timeout

    @property
    def deadline(self) -> float | None:
        return self._config.deadline

    @property
    def rate_limiter(self) -> RateLimiter | None:
        return self._limiter

    @property
    def is_closed(self) -> bool:
        return self._closed or self._engine.closed

    def __repr__(self) -> str:
        partner = self._config.credentials.partner_id if self._config.credentials else None
        return (
            f"ShopSociallyClient(base_url={self.base_url!r}, partner_id={partner!r}, "
            f"engine={self.engine!r}, max_retries={self.max_retries}, closed={self.is_closed})"
        )

    def with_options(
        self,
        *,
        max_retries: int | None = None,
        timeout: float | Timeout | None = None,
        deadline: float | None = _UNSET,
        retry_policy: RetryPolicy | None = None,
    ) -> ShopSociallyClient:
        """A copy with other retry or time limits, sharing this client's connection pool.

        Closing the copy leaves the pool open; closing the original closes it for both.
        """
        config = attrs.evolve(
            self._config,
            retry=retry_policy_with(retry_policy or self._config.retry, max_retries),
            timeout=self._config.timeout if timeout is None else to_timeout(timeout),
            deadline=self._config.deadline if deadline is _UNSET else check_deadline(deadline),
        )
        copy = object.__new__(ShopSociallyClient)
        copy._setup(
            config, self._engine, owns_engine=False, auth=self._auth, limiter=self._limiter,
            hooks=self._hooks,
        )  # fmt: skip
        return copy

    @functools.cached_property
    def with_raw_response(self) -> RawResources:
        """The same resources and methods, each call returning its :class:`RawResponse`
        (listings: :class:`RawPages`): ``await client.with_raw_response.points.award(...)``."""
        return RawResources(self)

    async def aclose(self) -> None:
        """Close the client (and its pool, if it owns one). Calling it again does nothing.

        Calls in flight end with :class:`ClientClosedError` (``outcome_unknown`` if a write
        may have been sent); nothing is sent after this returns.
        """
        self._closed = True
        if self._owns_engine:
            await self._engine.aclose()

    async def __aenter__(self) -> ShopSociallyClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _request(
        self, call: Call, decode: Callable[[Any], T], record: CallRecord | None = None
    ) -> T:
        """Send ``call`` with retries and decode its ``data``: the one path every endpoint takes.

        ``record`` (made here when the client has hooks) observes the call for its hooks and
        its raw response; without one, nothing is recorded and nothing is paid for it.
        """
        if record is None and self._hooks is not None:
            record = CallRecord(call, self._hooks, self._server, paths=self._config.log_paths)
        if self.is_closed:
            raise ClientClosedError(
                "this ShopSociallyClient is closed; create a new one (or use it inside "
                "`async with`)"
            )
        request = build_request(self._config, call)
        deadline = self._config.deadline
        ends_at = None if deadline is None else anyio.current_time() + deadline

        async def attempt(number: int) -> T:
            return await self._attempt(request, number, ends_at, decode, record)

        calling = call_with_retries(
            paced(
                self._limiter,
                call.route,
                attempt if record is None else record.observed(attempt),
                within=functools.partial(in_time, ends_at, request, "for the rate limiter"),
            ),
            policy=self._config.retry,
            safety=call.safety,
            is_write=call.is_write,
            route=call.route,
            deadline=ends_at,
            on_retry=None if record is None else record.retrying,
            sleep=self._backoff,
        )
        return await (calling if record is None else record.watch(calling))

    async def _request_raw(self, call: Call, decode: Callable[[Any], T]) -> RawResponse[T]:
        """The same path, keeping the response: the result is decoded by ``.parse()``."""
        record = CallRecord(call, self._hooks, self._server, paths=self._config.log_paths)
        data = await self._request(call, _as_is, record)
        assert record.request is not None
        request = record.request
        return record.raw_response(data, lambda raw: decoded(raw, decode, request))

    async def _attempt(
        self,
        request: Request,
        number: int,
        ends_at: float | None,
        decode: Callable[[Any], T],
        record: CallRecord | None,
    ) -> T:
        """One attempt: authorize, send within the time left, decode the envelope and data.

        Errors are raised outside the ``except`` blocks that caught their cause, so that no
        engine or library exception (which may hold the request's headers) stays in their
        ``__context__``.
        """
        if self._auth is not None:
            with in_time(ends_at, request, "for the auth hook"):
                request = await self._authorized(request)
        started = time.perf_counter()
        error: Exception | None = None
        try:
            response = await self._engine.send(
                request,
                self._timeouts(ends_at),
                max_body_bytes=self._config.max_response_bytes,
            )
        except SendFailure as failure:
            error = send_error(failure, request)
        except BodyError as exc:
            error = body_error(exc, request)
        if error is not None:
            self._log(request, type(error).__name__, started, number)
            raise error
        self._log(request, response.status, started, number)
        if record is not None:
            record.received(request, response, number)
        data = decode_envelope(response.status, response.headers, response.body, request)
        return decoded(data, decode, request)

    async def _backoff(self, seconds: float) -> None:
        """Wait before a retry; ``aclose()`` ends the wait, and the call, at once."""
        with self._engine.interruptible():
            await anyio.sleep(seconds)
        if self.is_closed:
            raise ClientClosedError("the client was closed while the call waited to retry")

    def _timeouts(self, ends_at: float | None) -> Timeouts:
        """This attempt's limits: the configured ones, cut to what the deadline leaves."""
        timeout = self._config.timeout
        if ends_at is None:
            return Timeouts(timeout.attempt, timeout.connect)
        left = max(ends_at - anyio.current_time(), 0.0)
        return Timeouts(min(timeout.attempt, left), min(timeout.connect, left))

    async def _authorized(self, request: Request) -> Request:
        """``request`` with the auth hook's headers, which every view masks."""
        assert self._auth is not None
        headers = self._auth(request.info())
        if inspect.isawaitable(headers):
            headers = await headers
        return request.with_headers(
            header_pairs("auth", headers, reserved=_AUTH_RESERVED), secret=True
        )

    def _log(self, request: Request, outcome: object, started: float, attempt: int) -> None:
        """One DEBUG line per attempt: the route template (no emails), or the path if asked."""
        if logger.isEnabledFor(logging.DEBUG):
            where = _path_of(request) if self._config.log_paths else request.route
            logger.debug(
                "%s -> %s in %.1f ms (attempt %d)",
                where,
                outcome,
                (time.perf_counter() - started) * 1000,
                attempt,
            )


def _as_is(data: Any) -> Any:
    """The envelope's ``data`` undecoded: a raw call decodes it in ``.parse()``."""
    return data


def _path_of(request: Request) -> str:
    """``METHOD /path``, without the query (it may hold emails too)."""
    return f"{request.method} {urlsplit(request.url).path}"
