"""``client.with_raw_response``: every resource method, returning its raw response.

``RawPoints.award = Raw(Points.award)`` makes ``client.with_raw_response.points.award`` take
exactly the arguments of ``Points.award`` and return ``RawResponse[Transaction]``; ``RawPaging``
does the same for listings, returning :class:`~.._raw.RawPages`. The methods run unchanged on a
resource made with ``raw=True`` (see :class:`~._base.Resource`), whose ``_send`` returns the
:class:`~.._raw.RawResponse` and whose ``_paginate`` returns :class:`~.._raw.RawPages`: the
types below say so.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar, cast

from .._pagination import AsyncPaginator
from .._raw import RawPages, RawResponse
from .._twins import ResourceView, Twin
from .activities import Activities
from .points import Points
from .redemptions import Redemptions
from .returns import Returns
from .transactions import Transactions
from .users import Users

if TYPE_CHECKING:
    from .._client import ShopSociallyClient

__all__ = [
    "Raw",
    "RawActivities",
    "RawPaging",
    "RawPoints",
    "RawRedemptions",
    "RawResources",
    "RawReturns",
    "RawTransactions",
    "RawUsers",
]

P = ParamSpec("P")
T = TypeVar("T")


class Raw(Twin[P, Awaitable[RawResponse[T]]]):
    """The raw twin of a coroutine method: same arguments, same request, retries and errors;
    returns the :class:`~.._raw.RawResponse`, whose ``.parse()`` is the method's result."""

    def __init__(self, method: Callable[Concatenate[Any, P], Awaitable[T]]) -> None:
        super().__init__(method)

    def _twin(
        self, bound: Callable[P, Awaitable[T]], view: Any
    ) -> Callable[P, Awaitable[RawResponse[T]]]:
        async def raw(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
            return cast(RawResponse[T], await bound(*args, **kwargs))  # a raw=True resource's

        return raw

    def _returns(self, annotation: str) -> str:
        return f"RawResponse[{annotation}]"


class RawPaging(Twin[P, RawPages[T]]):
    """The raw twin of a listing method: same arguments; pages with their raw responses."""

    def __init__(self, method: Callable[Concatenate[Any, P], AsyncPaginator[T]]) -> None:
        super().__init__(method)

    def _twin(self, bound: Callable[P, AsyncPaginator[T]], view: Any) -> Callable[P, RawPages[T]]:
        def raw_paging(*args: P.args, **kwargs: P.kwargs) -> RawPages[T]:
            return cast(RawPages[T], bound(*args, **kwargs))  # a raw=True resource's

        return raw_paging

    def _returns(self, annotation: str) -> str:
        return annotation.replace("AsyncPaginator", "RawPages")


class RawPoints(ResourceView[Points]):
    """``client.points``, raw: award, redeem and deduct."""

    award = Raw(Points.award)
    redeem = Raw(Points.redeem)
    deduct = Raw(Points.deduct)


class RawReturns(ResourceView[Returns]):
    """``client.returns``, raw."""

    create = Raw(Returns.create)


class RawTransactions(ResourceView[Transactions]):
    """``client.transactions``, raw: each page's response, one transaction's."""

    list = RawPaging(Transactions.list)
    get = Raw(Transactions.get)


class RawUsers(ResourceView[Users]):
    """``client.users``, raw."""

    create = Raw(Users.create)
    update = Raw(Users.update)
    get = Raw(Users.get)
    list = RawPaging(Users.list)
    transactions = RawPaging(Users.transactions)


class RawActivities(ResourceView[Activities]):
    """``client.activities``, raw."""

    list = Raw(Activities.list)
    get = Raw(Activities.get)
    create = Raw(Activities.create)
    update = Raw(Activities.update)


class RawRedemptions(ResourceView[Redemptions]):
    """``client.redemptions``, raw."""

    list = Raw(Redemptions.list)
    get = Raw(Redemptions.get)
    create = Raw(Redemptions.create)
    update = Raw(Redemptions.update)


class RawResources:
    """``client.with_raw_response``: the client's resources, each call returning its raw
    response (see :class:`~.._raw.RawResponse`)."""

    def __init__(self, client: ShopSociallyClient) -> None:
        self.points = RawPoints(Points(client, raw=True))
        self.returns = RawReturns(Returns(client, raw=True))
        self.transactions = RawTransactions(Transactions(client, raw=True))
        self.users = RawUsers(Users(client, raw=True))
        self.activities = RawActivities(Activities(client, raw=True))
        self.redemptions = RawRedemptions(Redemptions(client, raw=True))

    def __repr__(self) -> str:
        return f"<RawResources of {self.points._resource._client!r}>"
