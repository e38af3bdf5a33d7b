"""The client for blocking code: ``SyncShopSociallyClient``.

>>> from shopsocially_async.sync import SyncShopSociallyClient
>>> with SyncShopSociallyClient(partner_id="...", api_key="...") as client:  # doctest: +SKIP
...     tx = client.points.award(user_email="bob@example.com", activity_id="signup")
...     for member in client.users.list(from_date=d1, to_date=d2):
...         print(member.user_email, member.available_points)

Same arguments, resources, methods, models and exceptions as
:class:`shopsocially_async.ShopSociallyClient`, without ``await``: the async client runs on an
event loop thread owned by the blocking one. The blocking methods are derived from the async
ones (:mod:`._mirror`), so their signatures cannot drift apart.
"""

from __future__ import annotations

from ._client import (
    SyncActivities,
    SyncPoints,
    SyncRedemptions,
    SyncReturns,
    SyncShopSociallyClient,
    SyncTransactions,
    SyncUsers,
)
from ._loop import BlockingIterator, SyncUsageError
from ._mirror import SyncResource
from ._pagination import SyncPaginator
from ._raw import SyncRawPages, SyncRawResources

__all__ = [
    "BlockingIterator",
    "SyncActivities",
    "SyncPaginator",
    "SyncPoints",
    "SyncRawPages",
    "SyncRawResources",
    "SyncRedemptions",
    "SyncResource",
    "SyncReturns",
    "SyncShopSociallyClient",
    "SyncTransactions",
    "SyncUsageError",
    "SyncUsers",
]
