"""``SyncShopSociallyClient.with_raw_response``: the raw view, for blocking code.

``SyncRawPoints.award = BlockingRaw(Points.award)`` is the blocking twin of
``client.with_raw_response.points.award``: the arguments of ``Points.award``, a
:class:`~.._raw.RawResponse` back. It runs on the raw view's resources (made with ``raw=True``,
see :mod:`..resources._raw`), on the client's event loop thread. Listings return a
:class:`SyncRawPages`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, cast

from .._pagination import AsyncPaginator
from .._raw import RawPages, RawResponse
from .._twins import Twin
from ..models.page import Page
from ..resources import (
    Activities,
    Points,
    RawResources,
    Redemptions,
    Returns,
    Transactions,
    Users,
)
from ._loop import BlockingIterator, EventLoopThread
from ._mirror import Blocking, SyncResource

__all__ = [
    "BlockingRaw",
    "PagingRaw",
    "SyncRawActivities",
    "SyncRawPages",
    "SyncRawPoints",
    "SyncRawRedemptions",
    "SyncRawResources",
    "SyncRawReturns",
    "SyncRawTransactions",
    "SyncRawUsers",
]

P = ParamSpec("P")
T = TypeVar("T")


class BlockingRaw(Blocking[P, RawResponse[T]]):
    """The blocking twin of a raw coroutine method: same arguments, a RawResponse back."""

    def __init__(self, method: Callable[Concatenate[Any, P], Awaitable[T]]) -> None:
        # On a raw=True resource the method returns the RawResponse; the types say so here.
        super().__init__(cast(Callable[Concatenate[Any, P], Awaitable[RawResponse[T]]], method))

    def _returns(self, annotation: str) -> str:
        return f"RawResponse[{annotation}]"


class SyncRawPages(Generic[T]):
    """A listing's pages with their raw responses, for blocking code: ``for raw in
    listing.pages()`` (each a ``RawResponse[Page[T]]``), ``first_page()``."""

    def __init__(self, pages: RawPages[T], loop: EventLoopThread) -> None:
        self._pages = pages
        self._loop = loop

    @property
    def start_index(self) -> int:
        """Where iteration starts."""
        return self._pages.start_index

    @property
    def prefetch(self) -> int:
        """Pages fetched ahead while you consume the current one (0: none)."""
        return self._pages.prefetch

    def pages(self) -> BlockingIterator[RawResponse[Page[T]]]:
        """Yield each page's raw response, in order."""
        return self._loop.iterate(self._pages.pages)

    def first_page(self) -> RawResponse[Page[T]]:
        """Fetch only the page at ``start_index``."""
        return self._loop.run(self._pages.first_page)


class PagingRaw(Twin[P, SyncRawPages[T]]):
    """The blocking twin of a raw listing method: same arguments; a :class:`SyncRawPages`."""

    def __init__(self, method: Callable[Concatenate[Any, P], AsyncPaginator[T]]) -> None:
        super().__init__(method)

    def _twin(
        self, bound: Callable[P, AsyncPaginator[T]], view: SyncResource[Any]
    ) -> Callable[P, SyncRawPages[T]]:
        loop = view._loop

        def raw_paging(*args: P.args, **kwargs: P.kwargs) -> SyncRawPages[T]:
            return SyncRawPages(cast(RawPages[T], bound(*args, **kwargs)), loop)

        return raw_paging

    def _returns(self, annotation: str) -> str:
        return annotation.replace("AsyncPaginator", "SyncRawPages")


class SyncRawPoints(SyncResource[Points]):
    """``client.points``, blocking and raw."""

    award = BlockingRaw(Points.award)
    redeem = BlockingRaw(Points.redeem)
    deduct = BlockingRaw(Points.deduct)


class SyncRawReturns(SyncResource[Returns]):
    """``client.returns``, blocking and raw."""

    create = BlockingRaw(Returns.create)


class SyncRawTransactions(SyncResource[Transactions]):
    """``client.transactions``, blocking and raw."""

    list = PagingRaw(Transactions.list)
    get = BlockingRaw(Transactions.get)


class SyncRawUsers(SyncResource[Users]):
    """``client.users``, blocking and raw."""

    create = BlockingRaw(Users.create)
    update = BlockingRaw(Users.update)
    get = BlockingRaw(Users.get)
    list = PagingRaw(Users.list)
    transactions = PagingRaw(Users.transactions)


class SyncRawActivities(SyncResource[Activities]):
    """``client.activities``, blocking and raw."""

    list = BlockingRaw(Activities.list)
    get = BlockingRaw(Activities.get)
    create = BlockingRaw(Activities.create)
    update = BlockingRaw(Activities.update)


class SyncRawRedemptions(SyncResource[Redemptions]):
    """``client.redemptions``, blocking and raw."""

    list = BlockingRaw(Redemptions.list)
    get = BlockingRaw(Redemptions.get)
    create = BlockingRaw(Redemptions.create)
    update = BlockingRaw(Redemptions.update)


class SyncRawResources:
    """``SyncShopSociallyClient.with_raw_response``: every call returns its raw response."""

    def __init__(self, raw: RawResources, loop: EventLoopThread) -> None:
        self.points = SyncRawPoints(raw.points._resource, loop)
        self.returns = SyncRawReturns(raw.returns._resource, loop)
        self.transactions = SyncRawTransactions(raw.transactions._resource, loop)
        self.users = SyncRawUsers(raw.users._resource, loop)
        self.activities = SyncRawActivities(raw.activities._resource, loop)
        self.redemptions = SyncRawRedemptions(raw.redemptions._resource, loop)
