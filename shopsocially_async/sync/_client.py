"""``SyncShopSociallyClient``: the async client, driven from blocking code."""

from __future__ import annotations

import functools
import itertools
import warnings
import weakref
from types import TracebackType
from typing import Any

from .._client import ShopSociallyClient
from .._config import Timeout
from ..resources import Activities, Points, Redemptions, Returns, Transactions, Users
from ._loop import EventLoopThread
from ._mirror import Blocking, Paging, SyncResource, arguments_of, arguments_of_method
from ._raw import SyncRawResources

__all__ = [
    "SyncActivities",
    "SyncPoints",
    "SyncRedemptions",
    "SyncReturns",
    "SyncShopSociallyClient",
    "SyncTransactions",
    "SyncUsers",
]

_thread_numbers = itertools.count(1)


class SyncPoints(SyncResource[Points]):
    """``client.points``, blocking: award, redeem and deduct."""

    award = Blocking(Points.award)
    redeem = Blocking(Points.redeem)
    deduct = Blocking(Points.deduct)


class SyncReturns(SyncResource[Returns]):
    """``client.returns``, blocking: take back the points of a returned order."""

    create = Blocking(Returns.create)


class SyncTransactions(SyncResource[Transactions]):
    """``client.transactions``, blocking: list and fetch loyalty transactions."""

    list = Paging(Transactions.list)
    get = Blocking(Transactions.get)


class SyncUsers(SyncResource[Users]):
    """``client.users``, blocking: members and one member's transactions."""

    create = Blocking(Users.create)
    update = Blocking(Users.update)
    get = Blocking(Users.get)
    list = Paging(Users.list)
    transactions = Paging(Users.transactions)


class SyncActivities(SyncResource[Activities]):
    """``client.activities``, blocking: what members earn points for."""

    list = Blocking(Activities.list)
    get = Blocking(Activities.get)
    create = Blocking(Activities.create)
    update = Blocking(Activities.update)


class SyncRedemptions(SyncResource[Redemptions]):
    """``client.redemptions``, blocking: rewards members redeem points for."""

    list = Blocking(Redemptions.list)
    get = Blocking(Redemptions.get)
    create = Blocking(Redemptions.create)
    update = Blocking(Redemptions.update)


class SyncShopSociallyClient:
    """The ShopSociallyClient for blocking code (order hooks, cron jobs, web frameworks
    without async).

    >>> with SyncShopSociallyClient(partner_id="...", api_key="...") as client:  # doctest: +SKIP
    ...     tx = client.points.award(user_email="bob@example.com", activity_id="signup")

    It takes the async client's arguments and has its resources, methods, results and
    exceptions, minus ``await``: each client runs a :class:`ShopSociallyClient` on an event
    loop of its own, on a daemon thread that lives until :meth:`close` (or the end of the
    ``with`` block). Paged listings return a :class:`~.SyncPaginator`. Any number of threads may
    share one client (and its connection pool); a call from inside a running event loop, or in
    a process forked after the client was made, raises :class:`~.SyncUsageError`. Making and
    closing it is allowed anywhere, async code included.
    """

    points: SyncPoints
    returns: SyncReturns
    transactions: SyncTransactions
    users: SyncUsers
    activities: SyncActivities
    redemptions: SyncRedemptions

    @arguments_of(ShopSociallyClient)
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        loop = EventLoopThread(name=f"shopsocially-sync-{next(_thread_numbers)}")
        try:
            # Built on the loop's thread: transport="aiohttp" checks that it runs under asyncio.
            client = loop.call_sync(functools.partial(ShopSociallyClient, *args, **kwargs))
        except BaseException:
            loop.shutdown()  # a bad argument must not leave a thread behind
            raise
        loop.close_with(client.aclose)
        self._setup(client, loop, parent=None)
        # Never closed: warn, and stop the thread when the client is garbage-collected.
        finalizer = weakref.finalize(self, _close_abandoned, loop, repr(self))
        finalizer.atexit = False  # at exit the daemon thread just ends with the process

    def _setup(
        self,
        client: ShopSociallyClient,
        loop: EventLoopThread,
        parent: SyncShopSociallyClient | None,
    ) -> None:
        self._client = client
        self._loop = loop
        self._parent = parent  # keeps the owner of the loop alive as long as its copies
        self.points = SyncPoints(client.points, loop)
        self.returns = SyncReturns(client.returns, loop)
        self.transactions = SyncTransactions(client.transactions, loop)
        self.users = SyncUsers(client.users, loop)
        self.activities = SyncActivities(client.activities, loop)
        self.redemptions = SyncRedemptions(client.redemptions, loop)

    @property
    def base_url(self) -> str:
        return self._client.base_url

    @property
    def max_connections(self) -> int | None:
        """The connection pool's size; None when your own ``http_client`` or ``transport``
        object decides it."""
        return self._client.max_connections

    @property
    def max_retries(self) -> int:
        return self._client.max_retries

    @property
    def timeout(self) -> Timeout:
        return self._client.timeout

    @property
    def deadline(self) -> float | None:
        return self._client.deadline

    @property
    def engine(self) -> str:
        return self._client.engine

    @property
    def is_closed(self) -> bool:
        return self._loop.closed or self._client.is_closed

    def __repr__(self) -> str:
        return "Sync" + repr(self._client)

    @functools.cached_property
    def with_raw_response(self) -> SyncRawResources:
        """The same resources and methods, each call returning its ``RawResponse`` (status,
        headers, body, retries; ``.parse()`` for the result); listings a ``SyncRawPages``."""
        return SyncRawResources(self._client.with_raw_response, self._loop)

    @arguments_of_method(ShopSociallyClient.with_options)
    def with_options(self, *args: Any, **kwargs: Any) -> SyncShopSociallyClient:
        """A copy with other retry or timeout settings, sharing this client's event loop thread
        and connection pool. Closing the copy leaves both open; closing the original closes them
        for both."""
        copy = object.__new__(SyncShopSociallyClient)
        copy._setup(self._client.with_options(*args, **kwargs), self._loop, parent=self)
        return copy

    def close(self) -> None:
        """Close the client: calls in flight finish, open iterators stop, the pool closes and
        the thread ends. Calling it again does nothing."""
        if self._parent is None:
            self._loop.close()
        elif not self.is_closed:
            self._loop.run_anywhere(self._client.aclose)

    def __enter__(self) -> SyncShopSociallyClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _close_abandoned(loop: EventLoopThread, description: str) -> None:
    if loop.closed:
        return
    warnings.warn(
        f"unclosed {description}: use `with SyncShopSociallyClient(...)` or call close()",
        ResourceWarning,
        stacklevel=1,
    )
    loop.shutdown()
